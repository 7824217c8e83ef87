"""好差评 pages: rating (cases, applications, 12345 requests, window visits by QR code), the
rectification desk of departments and supervisors, reports, and the public disclosure.

Front door only: every rule is in :mod:`banshi.ratings.services`.
"""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from banshi.appeals import charts, excel
from banshi.appeals import reports as appeal_reports
from banshi.appeals import selectors as appeal_selectors
from banshi.appeals.errors import AppealError
from banshi.appeals.models import Appeal
from banshi.audit.services import record_download
from banshi.cases.models import Application, Case
from banshi.core import clock
from banshi.people import permissions
from banshi.ratings import reports, services
from banshi.ratings.models import (
    BadCategory,
    Finding,
    IndicatorSet,
    Level,
    Rating,
    Rectification,
    RevisitResult,
    ServiceMode,
    Window,
)

STAFF = ("supervisor", "department_head", "chief_service_officer", "hotline_agent")


def _levels():
    return [(value, label, "★" * value) for value, label in Level.choices]


def _indicators(mode: str):
    found = IndicatorSet.objects.filter(service_mode=mode, is_active=True).first()
    return list(found.indicators.all()) if found else []


def _scores(post, indicators) -> dict:
    return {i.code: post.get(f"score_{i.code}") for i in indicators if post.get(f"score_{i.code}")}


def _rating_context(mode: str) -> dict:
    return {"levels": _levels(), "indicators": _indicators(mode)}


# =============================================================================== rating
@login_required
@require_http_methods(["GET", "POST"])
def rate_application(request: HttpRequest, number: str) -> HttpResponse:
    """The rating step at the end of an application: one form per finished case (一事一评)."""
    application = Application.objects.filter(
        permissions.applicant_q(
            request.user, person="applicant", enterprise="enterprise", agent="agent"
        ),
        number=number,
    ).first()
    if application is None:
        raise Http404("申请不存在或不是您的申请")
    cases = list(
        application.cases.select_related("item_version", "department").order_by("position")
    )
    rated = set(
        Rating.objects.filter(subject_key__in=[f"case:{c.number}" for c in cases]).values_list(
            "subject_key", flat=True
        )
    )
    error = None
    error_case = None
    if request.method == "POST":
        case_number = request.POST.get("case", "")
        try:
            services.rate_case(
                request.user,
                case_number,
                level=request.POST.get("level"),
                scores=_scores(request.POST, _indicators(ServiceMode.ONLINE)),
                comment=request.POST.get("comment", ""),
                contact_ok=request.POST.get("contact_ok") == "on",
            )
        except AppealError as refusal:
            error, error_case = refusal, case_number
        else:
            messages.success(request, "感谢您的评价！")
            return redirect("ratings:rate_application", number=application.number)
    rows = [
        {
            "case": case,
            "rated": f"case:{case.number}" in rated,
            "ratable": case.state in services.RATABLE_CASE_STATES,
        }
        for case in cases
    ]
    return render(
        request,
        "ratings/rate_application.html",
        {
            **_rating_context(ServiceMode.ONLINE),
            "application": application,
            "rows": rows,
            "error": error,
            "error_case": error_case,
            # a refusal for a case with no open form (already rated, unknown) shows on top
            "error_on_top": error is not None
            and not any(
                row["ratable"] and not row["rated"] and row["case"].number == error_case
                for row in rows
            ),
            "values": request.POST if error else {},
        },
        status=422 if error else 200,
    )


@require_http_methods(["GET", "POST"])
def rate_appeal(request: HttpRequest, number: str) -> HttpResponse:
    """Rating a closed 12345 request (the caller proved it on the tracking page)."""
    phone = appeal_selectors.verified_phone(request.session, number)
    appeal = Appeal.objects.filter(number=number).select_related("lead_department").first()
    person = permissions.person_for(request.user)
    if appeal is None or not (phone or (person and appeal.caller_person_id == person.pk)):
        return redirect(reverse("appeals:track") + f"?number={number}")
    if (
        Rating.objects.filter(subject_key=f"appeal:{appeal.number}").exists()
        and request.method == "GET"
    ):
        messages.info(request, "您已评价过该诉求，一事一评。")
        return redirect("appeals:track_detail", number=appeal.number)
    error = None
    if request.method == "POST":
        try:
            services.rate_appeal(
                request.user,
                appeal.number,
                phone=phone,
                level=request.POST.get("level"),
                scores=_scores(request.POST, _indicators(ServiceMode.ONLINE)),
                comment=request.POST.get("comment", ""),
                contact_ok=request.POST.get("contact_ok") == "on",
            )
        except AppealError as refusal:
            error = refusal
        else:
            messages.success(request, "感谢您的评价！")
            return redirect("appeals:track_detail", number=appeal.number)
    return render(
        request,
        "ratings/rate_appeal.html",
        {
            **_rating_context(ServiceMode.ONLINE),
            "appeal": appeal,
            "error": error,
            "values": request.POST if error else {"contact_ok": "on"},
            "nav": "track",
        },
        status=422 if error else 200,
    )


@require_http_methods(["GET", "POST"])
def rate_window(request: HttpRequest, code: str) -> HttpResponse:
    """The page a window's QR code opens (一次一评): each opening is one visit."""
    window = Window.objects.select_related("department").filter(code=code, is_active=True).first()
    if window is None:
        raise Http404("窗口不存在")
    error = None
    if request.method == "POST":
        try:
            services.rate_visit(
                window.code,
                request.POST.get("visit", ""),
                level=request.POST.get("level"),
                scores=_scores(request.POST, _indicators(ServiceMode.ONSITE)),
                comment=request.POST.get("comment", ""),
                name=request.POST.get("name", ""),
                phone=request.POST.get("phone", ""),
            )
        except AppealError as refusal:
            error = refusal
        else:
            return render(request, "ratings/thanks.html", {"window": window})
    return render(
        request,
        "ratings/rate_window.html",
        {
            **_rating_context(ServiceMode.ONSITE),
            "window": window,
            "visit": request.POST.get("visit") if error else services.new_visit(window.code),
            "error": error,
            "values": request.POST if error else {},
        },
        status=422 if error else 200,
    )


def window_qr(request: HttpRequest, code: str) -> HttpResponse:
    """The window's QR code (segno SVG) pointing at its rating page."""
    from django.conf import settings

    if not Window.objects.filter(code=code).exists():
        raise Http404
    url = settings.BANSHI_PUBLIC_URL + reverse("ratings:rate_window", args=[code])
    svg = segno.make(url, error="m").svg_inline(scale=4, dark="#1d232b", light="#ffffff")
    return HttpResponse(svg, content_type="image/svg+xml")


@permissions.role_required(*STAFF, "window_clerk", "catalogue_admin", "system_admin")
def windows(request: HttpRequest) -> HttpResponse:
    """Printable QR codes of every window."""
    from django.conf import settings

    rows = []
    for window in Window.objects.filter(is_active=True).select_related("department"):
        url = settings.BANSHI_PUBLIC_URL + reverse("ratings:rate_window", args=[window.code])
        rows.append(
            {"window": window, "url": url, "svg": segno.make(url, error="m").svg_inline(scale=3)}
        )
    return render(request, "ratings/windows.html", {"rows": rows, "nav": "rectify"})


# =============================================================================== staff
@permissions.role_required("hotline_agent")
@require_POST
def record_by_phone(request: HttpRequest, number: str) -> HttpResponse:
    """A rating the caller gave on the phone at the callback (§3.6 12345 channel)."""
    try:
        services.record_hotline_rating(
            request.user,
            number,
            level=request.POST.get("level"),
            comment=request.POST.get("comment", ""),
            contact_ok=request.POST.get("contact_ok") == "on",
        )
    except AppealError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, "已记录诉求人的电话评价")
    if not Appeal.objects.filter(number=number).exists():
        raise Http404("工单不存在")
    return redirect("appeals:detail", number=number)


@permissions.role_required(*STAFF)
def desk(request: HttpRequest) -> HttpResponse:
    rows = services.visible_rectifications(request.user)
    state = request.GET.get("state", "open")
    if state == "open":
        rows = rows.exclude(state__in=[Rectification.State.CLOSED, Rectification.State.VOID])
    elif state in Rectification.State.values:
        rows = rows.filter(state=state)
    return render(
        request,
        "ratings/desk.html",
        {
            "rows": rows.order_by("due", "pk")[:200],
            "state": state,
            "states": Rectification.State.choices,
            "today": clock.today(),
            "nav": "rectify",
        },
    )


def _rectification(request: HttpRequest, pk: int) -> Rectification:
    found = services.visible_rectifications(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404("整改记录不存在或不在您的处理范围内")
    return found


@permissions.role_required(*STAFF)
def rectification(
    request: HttpRequest, pk: int, *, contact=None, contact_error=None
) -> HttpResponse:
    row = _rectification(request, pk)
    role = services.handler_role(row, request.user)
    rating = row.rating
    subject_url = None
    if rating.appeal_id:
        subject_url = reverse("appeals:detail", args=[rating.appeal.number])
    return render(
        request,
        "ratings/rectification.html",
        {
            "r": row,
            "rating": rating,
            "role": role,
            "contact": contact,
            "masked": services.masked_contact(rating),
            "contact_error": contact_error,
            "findings": Finding.choices,
            "categories": BadCategory.choices,
            "results": RevisitResult.choices,
            "indicator_names": {i.code: i.name for i in rating.indicator_set.indicators.all()},
            "events": row.events.select_related("actor"),
            "subject_url": subject_url,
            "today": clock.today(),
            "nav": "rectify",
        },
    )


@permissions.role_required(*STAFF)
@require_POST
def rectification_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    row = _rectification(request, pk)
    post = request.POST
    version = post.get("version")
    version = int(version) if version and version.isdigit() else None
    try:
        if action == "verify":
            services.verify(
                row,
                request.user,
                version,
                contacted=post.get("contacted") == "on",
                finding=post.get("finding", ""),
                category=post.get("category", ""),
                note=post.get("note", ""),
            )
        elif action == "rectify":
            services.rectify(
                row,
                request.user,
                version,
                measures=post.get("measures", ""),
                reply=post.get("reply", ""),
            )
        elif action == "revisit":
            services.revisit(
                row, request.user, version, result=post.get("result", ""), note=post.get("note", "")
            )
        elif action == "appeal":
            services.appeal(row, request.user, version, reason=post.get("reason", ""))
        elif action in ("uphold", "reject"):
            services.decide_appeal(
                row, request.user, version, upheld=action == "uphold", note=post.get("note", "")
            )
        elif action == "contact":
            contact = services.rater_contact(row, request.user, purpose=post.get("purpose", ""))
            return rectification(request, pk, contact=contact)
        else:
            raise Http404
    except AppealError as refusal:
        if action == "contact":
            return rectification(request, pk, contact_error=refusal)
        messages.error(request, str(refusal))  # 中文 / English
    else:
        messages.success(request, "已保存")
    return redirect("ratings:rectification", pk=row.pk)


REPORT_ROLES = ("supervisor", "department_head", "chief_service_officer", "hotline_agent")


@permissions.role_required(*REPORT_ROLES)
def report(request: HttpRequest) -> HttpResponse:
    p = appeal_reports.parse_period(request.GET.get("period"), request.GET.get("date"))
    data = reports.rating_report(p)
    if request.GET.get("format") == "xlsx":
        # 审计: the sheet 按工作人员 names staff members
        record_download(
            request, subject=("report", p.key, "好差评报表"), purpose=f"好差评报表 {p.label}"
        )
        return excel.download(
            f"好差评{'月报' if p.kind == 'month' else '周报'}-{p.key}.xlsx",
            f"好差评报表 {p.label}",
            reports.excel_sheets(data),
        )
    dimension = request.GET.get("by", "department")
    if dimension not in reports.DIMENSIONS:
        dimension = "department"
    rows = data[f"by_{dimension}"]
    return render(
        request,
        "ratings/report.html",
        {
            "p": p,
            "r": data,
            "rows": rows,
            "by": dimension,
            "dimensions": [(key, label) for key, (_, label) in reports.DIMENSIONS.items()],
            "level_chart": charts.bar_chart(
                [(row["label"], row["n"]) for row in data["levels"]], title="评价等级分布"
            ),
            "good_chart": charts.bar_chart(
                [(row["label"], row["good_rate"]) for row in rows], title="好评率", percent=True
            ),
            "rectify_chart": charts.bar_chart(
                [(row["label"], row["rectify_rate"]) for row in rows if row["bad"]],
                title="差评整改率",
                percent=True,
                colour=charts.BAR_ALT,
            ),
            "nav": "rating_report",
        },
    )


def disclosure(request: HttpRequest) -> HttpResponse:
    """好差评公示 (§3.11): results and rectification status, by department; no rater, no staff."""
    p = appeal_reports.parse_period(request.GET.get("period"), request.GET.get("date"))
    figures = reports.public_figures(p)
    return render(
        request,
        "ratings/disclosure.html",
        {
            "p": p,
            "figures": figures,
            "department_chart": charts.bar_chart(
                [(row["label"], row["good_rate"]) for row in figures["by_department"]],
                title="各部门好评率",
                percent=True,
            ),
            "nav": "ratings",
        },
    )


@login_required
def my_cases(request: HttpRequest) -> HttpResponse:
    """The applicant's finished cases still waiting for a rating (voluntary: a list, never a gate)."""
    cases = (
        Case.objects.filter(
            permissions.applicant_q(
                request.user,
                person="application__applicant",
                enterprise="application__enterprise",
                agent="application__agent",
            ),
            state__in=list(services.RATABLE_CASE_STATES),
        )
        .select_related("application", "item_version", "department")
        .order_by("-updated_at")[:50]
    )
    rated = set(
        Rating.objects.filter(subject_key__in=[f"case:{c.number}" for c in cases]).values_list(
            "subject_key", flat=True
        )
    )
    if not permissions.is_applicant(request.user):
        raise PermissionDenied
    return render(request, "ratings/my_cases.html", {"cases": cases, "rated": rated})

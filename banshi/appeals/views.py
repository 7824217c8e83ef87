"""12345 pages: the public (submit, track, rate, published figures) and staff (hotline agent's
intake and knowledge base, the centre's dispatch and callback, departments' handling, supervisors'
board and reports).

Front door only: parse the request, check who asks (:mod:`banshi.people.permissions`), call a
service or selector, render. Every refusal of a service is shown as its Chinese message.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from banshi.appeals import (
    actions,
    charts,
    excel,
    knowledge,
    reports,
    selectors,
    services,
    throttle,
    transitions,
)
from banshi.appeals.errors import AppealError, NotFound
from banshi.appeals.models import (
    Appeal,
    AppealExtension,
    AppealType,
    Channel,
    NotAcceptedKind,
    ReplyResult,
    ReturnReason,
    Satisfaction,
    Urgency,
)
from banshi.appeals.transitions import Action, Role, State
from banshi.audit import selectors as audit_selectors
from banshi.audit.models import Action as AuditAction
from banshi.catalog.models import Department
from banshi.core import clock
from banshi.people import permissions

STAFF_ROLES = (
    "hotline_agent",
    "window_clerk",
    "supervisor",
    "reviewer",
    "department_head",
    "chief_service_officer",
)
staff_required = permissions.role_required(*STAFF_ROLES)


def _form_context() -> dict:
    return {
        "types": AppealType.choices,
        "urgencies": Urgency.choices,
        "tree": selectors.category_tree(),
    }


def _is_mobile(request: HttpRequest) -> bool:
    agent = request.headers.get("User-Agent", "")
    return any(word in agent for word in ("Mobile", "Android", "iPhone"))


def _intake_from(post) -> services.Intake:
    return services.Intake(
        appeal_type=post.get("appeal_type", ""),
        category=post.get("category", ""),
        title=post.get("title", ""),
        content=post.get("content", ""),
        caller_phone=post.get("caller_phone", ""),
        caller_name=post.get("caller_name", ""),
        urgency=post.get("urgency", "") or Urgency.NORMAL,
        area=post.get("area", ""),
        address=post.get("address", ""),
        contact_needed=post.get("contact_needed") == "on",
        confidential=post.get("confidential") == "on",
        source_reference=post.get("source_reference", ""),
    )


# =============================================================================== public
def public_home(request: HttpRequest) -> HttpResponse:
    return render(request, "appeals/public_home.html", {"kinds": _not_accepted(), "nav": "home"})


def _not_accepted():
    return NotAcceptedKind.objects.filter(is_active=True).order_by("position")


@require_http_methods(["GET", "POST"])
def public_new(request: HttpRequest) -> HttpResponse:
    """网上 / 移动端提交诉求 (§4.3 统一受理)."""
    person = permissions.person_for(request.user)
    values = (
        request.POST
        if request.method == "POST"
        else {
            "caller_name": person.name if person else "",
            "caller_phone": person.phone if person else "",
            "contact_needed": "on",
        }
    )
    error = None
    if request.method == "POST":
        channel = Channel.MOBILE if _is_mobile(request) else Channel.WEB
        try:
            appeal = services.take_in(request.user, _intake_from(request.POST), channel=channel)
        except AppealError as refusal:
            error = refusal
        else:
            selectors.remember_verified(request.session, appeal.number, appeal.caller_phone)
            return redirect("appeals:track_detail", number=appeal.number)
    return render(
        request,
        "appeals/public_new.html",
        {
            **_form_context(),
            "values": values,
            "error": error,
            "kinds": _not_accepted(),
            "nav": "new",
        },
        status=422 if error else 200,
    )


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """查询进度 (§4.3 自助查询): ticket number + the phone given with it."""
    error = None
    number = request.POST.get("number", request.GET.get("number", "")).strip()
    if request.method == "POST":
        phone = request.POST.get("phone", "")
        try:
            appeal = services.find_for_caller(
                number, phone, client_ip=throttle.client_address(request)
            )
        except AppealError as refusal:
            error = refusal
        else:
            selectors.remember_verified(request.session, appeal.number, appeal.caller_phone)
            return redirect("appeals:track_detail", number=appeal.number)
    response = render(
        request,
        "appeals/track.html",
        {
            "number": number,
            "error": error,
            "mine": selectors.mine(permissions.person_for(request.user)),
            "nav": "track",
        },
        status=error.status if error else 200,
    )
    if error is not None and "retry_after" in error.details:
        response["Retry-After"] = str(error.details["retry_after"])
    return response


def _caller_appeal(request: HttpRequest, number: str) -> tuple[Appeal, str | None]:
    phone = selectors.verified_phone(request.session, number)
    appeal = (
        Appeal.objects.select_related("category", "category__parent", "lead_department")
        .filter(number=number)
        .first()
    )
    person = permissions.person_for(request.user)
    if appeal is None or not (
        phone or (person is not None and appeal.caller_person_id == person.pk)
    ):
        raise Http404("请先凭工单编号和手机号码查询")
    return appeal, phone


def track_detail(request: HttpRequest, number: str) -> HttpResponse:
    appeal, _ = _caller_appeal(request, number)
    state = State(appeal.state)
    rating_url = None
    if state in transitions.RATABLE:
        rating_url = reverse("ratings:rate_appeal", args=[appeal.number])
    can_reopen = (
        state == State.CLOSED
        and appeal.reopen_until is not None
        and clock.today() <= appeal.reopen_until
    ) or (state == State.CALLED_BACK and appeal.satisfaction == Satisfaction.UNSATISFIED)
    return render(
        request,
        "appeals/track_detail.html",
        {
            "appeal": appeal,
            "public_state": transitions.PUBLIC_STATE_LABELS[state],
            "timeline": selectors.timeline(appeal, public=True),
            "caller": services.masked_caller(appeal),
            "can_callback": state == State.REPLIED,
            "can_reopen": can_reopen,
            "satisfactions": [c for c in Satisfaction.choices if c[0] != Satisfaction.UNREACHABLE],
            "rating_url": rating_url,
            "rated": _rated(appeal),
            "nav": "track",
        },
    )


def _rated(appeal: Appeal) -> bool:
    from django.apps import apps

    if not apps.is_installed("banshi.ratings"):
        return False
    from banshi.ratings.models import Rating

    return Rating.objects.filter(subject_key=f"appeal:{appeal.number}").exists()


@require_POST
def track_act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """The caller's own steps: satisfaction (回访) and reopen (重办)."""
    if action not in ("callback", "reopen"):
        raise Http404
    appeal, phone = _caller_appeal(request, number)
    try:
        actions.perform(appeal.number, action, request.user, request.POST, phone=phone)
    except AppealError as refusal:
        messages.error(request, str(refusal))  # 中文 / English
    else:
        messages.success(
            request,
            "已收到您的评价，感谢！" if action == "callback" else "已申请重办，中心将重新派单办理",
        )
    return redirect("appeals:track_detail", number=appeal.number)


def disclosure(request: HttpRequest) -> HttpResponse:
    """公开 (§3.11, §4.3): the figures the centre publishes, month by month."""
    p = reports.parse_period(request.GET.get("period"), request.GET.get("date"))
    figures = reports.public_figures(p)
    return render(
        request,
        "appeals/disclosure.html",
        {
            "p": p,
            "nav": "disclosure",
            "figures": figures,
            "type_chart": charts.bar_chart(
                [(r["label"], r["n"]) for r in figures["by_type"]], title="按类型受理量"
            ),
            "category_chart": charts.bar_chart(
                [(r["label"], r["n"]) for r in figures["by_category"]], title="按分类受理量"
            ),
            "department_chart": charts.bar_chart(
                [(r["label"], r["on_time_rate"]) for r in figures["by_department"]],
                title="承办单位按期办结率",
                percent=True,
            ),
        },
    )


# =============================================================================== staff
@staff_required
def desk(request: HttpRequest) -> HttpResponse:
    return render(
        request, "appeals/staff_desk.html", {"desk": selectors.desk(request.user), "nav": "desk"}
    )


@staff_required
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest) -> HttpResponse:
    """登记来电 (hotline agents) / 办不成事反映 (window clerks): a fast form for a call in progress,
    with the knowledge base beside it and the routing decided in the same step (即时转办)."""
    roles = services.staff_roles(request.user)
    if not roles & {Role.HOTLINE_AGENT, Role.WINDOW_CLERK}:
        raise PermissionDenied
    channel = Channel.HOTLINE if Role.HOTLINE_AGENT in roles else Channel.WINDOW
    if request.GET.get("channel") == "window" or request.POST.get("channel") == "window":
        channel = Channel.WINDOW
    error = None
    values = request.POST if request.method == "POST" else {"contact_needed": "on"}
    if request.method == "POST":
        route_kind = request.POST.get("route", "")
        route = services.Route()
        if Role.HOTLINE_AGENT in roles:
            if route_kind == "answer":
                route = services.Route(
                    answer=request.POST.get("answer", "") or " ",
                    knowledge_entry=actions._int(request.POST.get("knowledge_entry")),
                )
            elif route_kind == "refuse":
                route = services.Route(
                    refuse_kind=request.POST.get("refuse_kind", "") or "-",
                    refuse_note=request.POST.get("refuse_note", ""),
                )
            elif route_kind == "dispatch":
                route = services.Route(
                    lead=request.POST.get("lead", "") or _default_department(request.POST),
                    assisting=request.POST.getlist("assisting"),
                    instructions=request.POST.get("instructions", ""),
                )
        try:
            if route_kind == "answer" and not request.POST.get("answer", "").strip():
                raise services.RuleViolation("请填写答复内容", "the answer is empty")
            appeal = services.take_in(
                request.user, _intake_from(request.POST), channel=channel, route=route
            )
        except AppealError as refusal:
            error = refusal
        else:
            messages.success(
                request,
                f"已登记工单 {appeal.number}（{transitions.STATE_LABELS[State(appeal.state)]}）",
            )
            return redirect("appeals:detail", number=appeal.number)
    query = " ".join(filter(None, [values.get("title", ""), values.get("content", "")]))[:100]
    return render(
        request,
        "appeals/staff_intake.html",
        {
            **_form_context(),
            "values": values,
            "error": error,
            "channel": channel,
            "is_agent": Role.HOTLINE_AGENT in roles,
            "departments": Department.objects.order_by("code"),
            "kinds": _not_accepted(),
            "answers": knowledge.search(query) if query.strip() else [],
            "knowledge_query": query,
            "nav": "intake",
        },
        status=422 if error else 200,
    )


def _default_department(post) -> str:
    category = post.get("category", "")
    try:
        found = services.active_category(category)
    except AppealError:
        return ""
    return found.default_department.code if found.default_department_id else ""


@staff_required
def knowledge_search(request: HttpRequest) -> HttpResponse:
    """知识库检索 (htmx partial beside the intake form, or a page of its own)."""
    query = request.GET.get("q", "")[:100]
    target = request.GET.get("target", "")
    context = {
        "answers": knowledge.search(query),
        "knowledge_query": query,
        "use_target": target if target in ("f-answer", "a-answer") else "",
        "nav": "knowledge",
    }
    template = "appeals/_knowledge.html" if request.htmx else "appeals/staff_knowledge.html"
    return render(request, template, context)


def _visible_appeal(request: HttpRequest, number: str) -> Appeal:
    appeal = selectors.visible(request.user).filter(number=number).first()
    if appeal is None:
        raise Http404("工单不存在或不在您的办理范围内")
    return appeal


@staff_required
def detail(request: HttpRequest, number: str, *, identity=None, reveal_error=None) -> HttpResponse:
    appeal = _visible_appeal(request, number)
    roles = services.staff_roles(request.user)
    allowed, needs_purpose, why = services.reveal_policy(appeal, request.user)
    if identity is None and allowed and not needs_purpose:
        identity = services.reveal_caller(appeal, request.user)  # the centre: logged view
    available = set(services.actions_for(appeal, request.user))
    pending = appeal.extensions.filter(decision=AppealExtension.Decision.PENDING).first()
    if not pending:
        available -= {Action.APPROVE_EXTENSION, Action.REJECT_EXTENSION}
    if pending:
        available.discard(Action.REQUEST_EXTENSION)
    if appeal.appeal_type != "consult":
        available.discard(Action.ANSWER_DIRECTLY)
    if appeal.state == State.CLOSED and (
        appeal.reopen_until and clock.today() <= appeal.reopen_until
    ):
        available.discard(Action.ARCHIVE)
    if appeal.state == State.CALLED_BACK and appeal.satisfaction != Satisfaction.UNSATISFIED:
        available.discard(Action.REOPEN)
    default_lead = appeal.category.default_department
    return render(
        request,
        "appeals/staff_detail.html",
        {
            "appeal": appeal,
            "identity": identity or services.masked_caller(appeal),
            "may_reveal": allowed and needs_purpose and identity is None,
            "reveal_why": why,
            "reveal_error": reveal_error,
            "actions": available,
            "Action": {a.name: a.value for a in Action},
            "assignments": appeal.assignments.select_related(
                "department", "return_reason"
            ).order_by("round", "role", "id"),
            "extensions": appeal.extensions.select_related("requested_by", "decided_by"),
            "pending_extension": pending,
            "supervisions": appeal.supervisions.select_related("department"),
            "timeline": selectors.timeline(appeal),
            "departments": Department.objects.order_by("code"),
            "default_lead": default_lead,
            "reasons": ReturnReason.objects.filter(is_active=True),
            "kinds": _not_accepted(),
            "results": ReplyResult.choices,
            "satisfactions": Satisfaction.choices,
            "answers": knowledge.search(appeal.title)
            if Action.ANSWER_DIRECTLY in available
            else [],
            "identity_views": audit_selectors.for_subject(
                "appeals.appeal", appeal.pk, action=AuditAction.VIEW_CALLER
            )
            if roles & {Role.HOTLINE_AGENT, Role.SUPERVISOR}
            else [],
            "today": clock.today(),
            "phone_rating": _phone_rating(appeal, request.user),
            "nav": "desk",
        },
    )


def _phone_rating(appeal: Appeal, user) -> dict | None:
    """好差评 given by phone at the callback (§3.6 12345 channel): the form for a 12345 agent on
    a closed request nobody has rated yet; the rules are in banshi.ratings.services."""
    if State(appeal.state) not in transitions.RATABLE or _rated(appeal):
        return None
    if Role.HOTLINE_AGENT not in services.staff_roles(user):
        return None
    from banshi.ratings.models import Level

    return {
        "url": reverse("ratings:record_by_phone", args=[appeal.number]),
        "levels": Level.choices,
    }


@staff_required
@require_POST
def act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    appeal = _visible_appeal(request, number)
    try:
        actions.perform(appeal.number, action, request.user, request.POST)
    except NotFound:
        raise Http404 from None
    except AppealError as refusal:
        messages.error(request, str(refusal))  # 中文 / English
    else:
        label = (
            transitions.ACTION_LABELS.get(action, action)
            if action in Action._value2member_map_
            else action
        )
        messages.success(request, f"已{label}")
    return redirect("appeals:detail", number=appeal.number)


@staff_required
@require_POST
def reveal(request: HttpRequest, number: str) -> HttpResponse:
    """查看诉求人联系方式: logged with the purpose in the audit trail; shown on this response only."""
    appeal = _visible_appeal(request, number)
    try:
        identity = services.reveal_caller(
            appeal, request.user, purpose=request.POST.get("purpose", "")
        )
    except AppealError as refusal:
        return detail(request, number, reveal_error=refusal)
    return detail(request, number, identity=identity)


BOARD_ROLES = ("supervisor", "hotline_agent")


@permissions.role_required(*BOARD_ROLES)
def board(request: HttpRequest) -> HttpResponse:
    data = selectors.board()
    return render(
        request,
        "appeals/staff_board.html",
        {
            "board": data,
            "nav": "board",
            "state_chart": charts.bar_chart(
                [(row["label"], row["n"]) for row in data["by_state"]], title="在办工单状态分布"
            ),
            "overdue_chart": charts.bar_chart(
                [(row["lead_department__name"], row["n"]) for row in data["overdue_by_department"]],
                title="超期工单(按主办单位)",
                colour=charts.BAR_ALT,
            ),
        },
    )


REPORT_ROLES = ("supervisor", "hotline_agent", "department_head")


@permissions.role_required(*REPORT_ROLES)
def report(request: HttpRequest) -> HttpResponse:
    p = reports.parse_period(request.GET.get("period"), request.GET.get("date"))
    data = reports.appeal_report(p)
    if request.GET.get("format") == "xlsx":
        return excel.download(
            f"12345诉求{'月报' if p.kind == 'month' else '周报'}-{p.key}.xlsx",
            f"12345 诉求报表 {p.label}",
            reports.excel_sheets(data),
        )
    return render(
        request,
        "appeals/staff_report.html",
        {
            "p": p,
            "nav": "report",
            "r": data,
            "charts": {
                "per_day": charts.line_chart(
                    [(row["label"], row["n"]) for row in data["per_day"]], title="每日受理量"
                ),
                "by_type": charts.bar_chart(
                    [(row["label"], row["n"]) for row in data["by_type"]], title="按类型"
                ),
                "by_category": charts.bar_chart(
                    [(row["label"], row["n"]) for row in data["by_category"]], title="按分类"
                ),
                "on_time": charts.bar_chart(
                    [(row["label"], row["on_time_rate"]) for row in data["by_department"]],
                    title="各单位按期办结率",
                    percent=True,
                ),
                "returns": charts.bar_chart(
                    [(row["label"], row["return_rate"]) for row in data["by_department"]],
                    title="各单位退单率",
                    percent=True,
                    colour=charts.BAR_ALT,
                ),
                "hot_areas": charts.bar_chart(
                    [(row["label"], row["n"]) for row in data["hot_areas"]], title="热点区域"
                ),
                "hot_categories": charts.bar_chart(
                    [(row["label"], row["n"]) for row in data["hot_categories"]],
                    title="热点分类",
                ),
            },
            "today": clock.today(),
        },
    )

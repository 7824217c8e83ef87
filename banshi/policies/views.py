"""Policy pages (front door: parse, check who asks, call a service or selector, render).

Public: the policy list and one policy. Enterprise or person: ``/policies/mine/`` (what it enjoys,
may apply for, and nearly meets; ``?as=person`` for the account's own person, the default when it
stands for no enterprise). Staff: the policy editor with live checking, delivery (confirm a 免申即享
list, push 即申即享 applications, decide them), portrait data import, matching runs. Every
permission question goes to :mod:`banshi.policies.access` (which asks
:mod:`banshi.people.permissions`).
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from banshi.catalog.models import Department
from banshi.core import clock
from banshi.expr import ExprError, infer_type, parse
from banshi.people.permissions import department_codes_for, sees_all_departments, staff_department
from banshi.policies import access, conditions, engine, selectors, services
from banshi.policies.attributes import REGISTRIES, TYPE_LABELS, SubjectKind, registry
from banshi.policies.forms import ImportForm, PolicyForm
from banshi.policies.models import (
    Policy,
    PolicyMode,
    PolicyOffer,
    PolicyStatus,
    PolicyVersion,
    PortraitImport,
    VersionStatus,
)

PAGE = 50


def _login_required(view):
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped


def _staff_required(view):
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not access.is_policy_staff(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


# ------------------------------------------------------------------------------ public
@require_GET
def policy_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    mode = request.GET.get("mode", "")
    department = request.GET.get("department", "")
    versions = selectors.public_versions(
        clock.today(), query=query, mode=mode, department=department
    )
    page = Paginator(versions, 20).get_page(request.GET.get("page"))
    departments = Department.objects.filter(
        code__in=Policy.objects.exclude(status=PolicyStatus.DRAFT).values("department__code")
    )
    return render(
        request,
        "policies/list.html",
        {
            "page": page,
            "query": query,
            "mode": mode,
            "department": department,
            "modes": PolicyMode.choices,
            "departments": departments,
        },
    )


@require_GET
def policy_detail(request: HttpRequest, code: str) -> HttpResponse:
    page = selectors.policy_page(code)
    if page is None:
        raise Http404
    return render(request, "policies/detail.html", page)


@require_GET
def attribute_list(request: HttpRequest) -> HttpResponse:
    """The attributes conditions may use (企业画像属性), for policy writers and enterprises alike."""
    return render(
        request,
        "policies/attributes.html",
        {"registries": list(REGISTRIES.values()), "type_labels": TYPE_LABELS},
    )


# ------------------------------------------------------------------------------ enterprise
@_login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    try:
        wanted = int(request.GET.get("enterprise", "") or 0) or None
    except ValueError:
        wanted = None
    as_person = request.GET.get("as") == "person"
    page = selectors.mine_page(request.user, wanted, clock.today(), as_person=as_person)
    if page is None:
        raise PermissionDenied(
            "只有登记了身份信息的本人或企业的法定代表人、经办人可以查看 / "
            "only a registered person or an enterprise's representatives"
        )
    return render(request, "policies/mine.html", {"page": page})


def _own_subject(request: HttpRequest):
    """The person (``as=person``) or the enterprise (``enterprise=<id>``) a form acts for."""
    if request.POST.get("as") == "person":
        person = access.person_of(request.user)
        if person is None:
            raise PermissionDenied
        return person
    return _own_enterprise(request)


def _own_enterprise(request: HttpRequest):
    enterprises = access.enterprises_of(request.user)
    try:
        wanted = int(request.POST.get("enterprise", ""))
    except ValueError:
        raise PermissionDenied from None
    chosen = next((e for e in enterprises if e.pk == wanted), None)
    if chosen is None:
        raise PermissionDenied
    return chosen


def _mine_url(owner) -> str:
    from banshi.people.models import Person

    if isinstance(owner, Person):
        return f"{reverse('policies:mine')}?as=person"
    return f"{reverse('policies:mine')}?enterprise={owner.pk}"


@_login_required
@require_POST
def apply(request: HttpRequest, version_id: int) -> HttpResponse:
    enterprise = _own_subject(request)
    version = get_object_or_404(PolicyVersion, pk=version_id, status=VersionStatus.PUBLISHED)
    try:
        services.apply_now(version, enterprise, user=request.user)
        messages.success(request, f"已提交“{version.title}”的申请。")
    except services.PolicyError as error:
        if error.code == "forbidden":
            raise PermissionDenied from None
        messages.error(request, error.zh)
    return redirect(_mine_url(enterprise))


@_login_required
@require_POST
def declare(request: HttpRequest, version_id: int) -> HttpResponse:
    """申报: open an application draft for the policy's item and continue on the apply pages."""
    enterprise = _own_enterprise(request)
    version = get_object_or_404(PolicyVersion, pk=version_id, status=VersionStatus.PUBLISHED)
    try:
        draft = services.start_declaration(version, enterprise, user=request.user)
    except services.PolicyError as error:
        if error.code == "forbidden":
            raise PermissionDenied from None
        messages.error(request, error.zh)
        return redirect(_mine_url(enterprise))
    return redirect("portal:draft", pk=draft.pk)


@_login_required
@require_POST
def read_notices(request: HttpRequest) -> HttpResponse:
    enterprise = _own_enterprise(request)
    services.mark_notices_read(enterprise)
    return redirect(_mine_url(enterprise))


# ------------------------------------------------------------------------------ staff: policies
def _writable_departments(user):
    codes = department_codes_for(user)
    departments = Department.objects.order_by("code")
    if access.may_write(user) and (
        sees_all_departments(user) or (access.may_run(user) and not codes)
    ):
        return list(departments)
    return [d for d in departments if d.code in codes]


@_staff_required
@require_GET
def staff_home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "policies/staff/home.html",
        {
            "rows": selectors.staff_policies(request.user),
            "may_write": access.may_write(request.user),
            "may_run": access.may_run(request.user),
            "may_import": access.may_import(request.user),
            "runs": selectors.recent_runs(5),
        },
    )


def _apply_problems(form: PolicyForm, error: services.PolicyError) -> None:
    for problem in error.problems:
        field = problem.get("field") or None
        if field not in form.fields:
            field = None
        form.add_error(field, problem["message"])


@_staff_required
@require_http_methods(["GET", "POST"])
def policy_new(request: HttpRequest) -> HttpResponse:
    if not access.may_write(request.user):
        raise PermissionDenied
    departments = _writable_departments(request.user)
    wanted = request.POST.get("subject_kind") or request.GET.get("subject") or ""
    kind = wanted if wanted in REGISTRIES else SubjectKind.ENTERPRISE
    form = PolicyForm(
        request.POST or None,
        departments=departments,
        creating=True,
        initial={"subject_kind": kind},
    )
    if request.method == "POST" and form.is_valid():
        department = next(d for d in departments if d.code == form.cleaned_data["department"])
        try:
            version = services.create_policy(
                form.cleaned_data["code"],
                department,
                user=request.user,
                subject_kind=form.cleaned_data["subject_kind"],
                **form.content(),
            )
        except services.PolicyError as error:
            if error.code == "forbidden":
                raise PermissionDenied from None
            _apply_problems(form, error)
        else:
            messages.success(request, "草稿已保存。")
            return redirect("policies:edit", code=version.policy.code)
    return render(
        request,
        "policies/staff/edit.html",
        {
            "form": form,
            "creating": True,
            "schema": registry(kind).attributes,
            "subject_kind": kind,
            "subject_label": registry(kind).label,
        },
    )


def _initial(version: PolicyVersion) -> dict:
    return {
        "title": version.title,
        "summary": version.summary,
        "legal_title": version.legal_title,
        "legal_url": version.legal_url,
        "valid_from": version.valid_from,
        "valid_until": version.valid_until,
        "mode": version.mode,
        "service_item": version.service_item.code if version.service_item else "",
        "benefit_kind": version.benefit_kind,
        "benefit_amount": version.benefit_amount,
        "benefit_expression": version.benefit_expression,
        "benefit_cap": version.benefit_cap,
        "benefit_note": version.benefit_note,
        "conditions": conditions.as_lines(version.conditions),
        "change_note": version.change_note,
    }


def _policy_for_writer(request: HttpRequest, code: str) -> Policy:
    policy = get_object_or_404(Policy.objects.select_related("department"), code=code)
    if not access.may_write(request.user, policy.department.code):
        raise PermissionDenied
    return policy


@_staff_required
@require_http_methods(["GET", "POST"])
def policy_edit(request: HttpRequest, code: str) -> HttpResponse:
    policy = _policy_for_writer(request, code)
    draft = policy.versions.filter(status=VersionStatus.DRAFT).first()
    current = policy.versions.filter(status=VersionStatus.PUBLISHED).first()
    if draft is None:
        return render(
            request,
            "policies/staff/edit.html",
            {
                "policy": policy,
                "current": current,
                "draft": None,
                "schema": registry(policy.subject_kind).attributes,
                "subject_kind": policy.subject_kind,
                "subject_label": registry(policy.subject_kind).label,
            },
        )
    form = PolicyForm(request.POST or None, initial=_initial(draft))
    if request.method == "POST" and form.is_valid():
        try:
            draft = services.save_draft(draft, user=request.user, **form.content())
        except services.PolicyError as error:
            _apply_problems(form, error)
        else:
            if "publish" in request.POST:
                services.publish(draft, user=request.user)
                messages.success(request, "已发布，正在匹配企业。")
                return redirect("policies:deliver", code=policy.code)
            messages.success(request, "草稿已保存。")
            return redirect("policies:edit", code=policy.code)
    return render(
        request,
        "policies/staff/edit.html",
        {
            "form": form,
            "policy": policy,
            "draft": draft,
            "current": current,
            "schema": registry(policy.subject_kind).attributes,
            "subject_kind": policy.subject_kind,
            "subject_label": registry(policy.subject_kind).label,
        },
    )


@_staff_required
@require_POST
def policy_check(request: HttpRequest) -> HttpResponse:
    """htmx: check the conditions (and benefit formula) as they are typed; count who matches."""
    if not access.may_write(request.user):
        raise PermissionDenied
    kind = request.POST.get("subject_kind") or SubjectKind.ENTERPRISE
    if kind not in REGISTRIES:
        kind = SubjectKind.ENTERPRISE
    lines = conditions.parse_lines(request.POST.get("conditions", ""))
    # empty: nothing to say
    result = conditions.check(lines, kind) if lines else conditions.CheckResult()
    benefit_problem = ""
    expression = request.POST.get("benefit_expression", "").strip()
    if request.POST.get("benefit_kind") == "expression" and expression:
        try:
            type_ = infer_type(
                parse(expression), registry(kind).schema, strict=True, source=expression
            )
            if type_ != "number":
                benefit_problem = f"金额计算式的结果应为数值，而不是{TYPE_LABELS.get(type_, type_)}"
        except ExprError as error:
            benefit_problem = str(error)
    counts = None
    if lines and result.ok:
        counts = engine.count(result.conditions, subject=engine.subjects_for(kind))
    return render(
        request,
        "policies/staff/_check.html",
        {
            "unit": "人" if kind == SubjectKind.PERSON else "家企业",
            "result": result,
            "counts": counts,
            "rows": list(zip(result.conditions, counts.per_condition, strict=False))
            if counts
            else [],
            "benefit_problem": benefit_problem,
        },
    )


@_staff_required
@require_POST
def policy_revise(request: HttpRequest, code: str) -> HttpResponse:
    policy = _policy_for_writer(request, code)
    try:
        services.new_version(policy, user=request.user)
    except services.PolicyError as error:
        messages.error(request, error.zh)
    return redirect("policies:edit", code=policy.code)


@_staff_required
@require_POST
def policy_publish(request: HttpRequest, code: str) -> HttpResponse:
    policy = _policy_for_writer(request, code)
    draft = policy.versions.filter(status=VersionStatus.DRAFT).first()
    if draft is None:
        raise Http404
    try:
        services.publish(draft, user=request.user, note=request.POST.get("note", ""))
    except services.PolicyError as error:
        for problem in error.problems:
            messages.error(request, problem["message"])
        return redirect("policies:edit", code=policy.code)
    messages.success(request, "已发布，正在匹配企业。")
    return redirect("policies:deliver", code=policy.code)


@_staff_required
@require_POST
def policy_repeal(request: HttpRequest, code: str) -> HttpResponse:
    policy = _policy_for_writer(request, code)
    try:
        services.repeal(policy, user=request.user, note=request.POST.get("note", ""))
        messages.success(request, "政策已废止。")
    except services.PolicyError as error:
        messages.error(request, error.zh)
    return redirect("policies:staff")


# ------------------------------------------------------------------------------ staff: delivery
def _version_for_delivery(request: HttpRequest, code: str) -> PolicyVersion:
    policy = get_object_or_404(Policy.objects.select_related("department"), code=code)
    if not (
        access.may_deliver(request.user, policy.department.code)
        or access.may_write(request.user, policy.department.code)
    ):
        raise PermissionDenied
    version = policy.versions.filter(status=VersionStatus.PUBLISHED).first()
    if version is None:
        raise Http404
    return version


@_staff_required
@require_GET
def deliver(request: HttpRequest, code: str) -> HttpResponse:
    version = _version_for_delivery(request, code)
    today = clock.today()
    counts = selectors.result_counts(version)
    paginator = Paginator(range(counts["matched"]), PAGE)
    page = paginator.get_page(request.GET.get("page"))
    rows = selectors.delivery_rows(
        version, offset=(page.number - 1) * PAGE, limit=PAGE, today=today
    )
    return render(
        request,
        "policies/staff/deliver.html",
        {
            "version": version,
            "policy": version.policy,
            "counts": counts,
            "page": page,
            "rows": rows,
            "missed": selectors.missed_breakdown(version),
            "offers": selectors.submitted_offers(version),
            "may_deliver": access.may_deliver(request.user, version.policy.department.code),
            "run": version.current_run,
        },
    )


def _delivering(request: HttpRequest, code: str) -> PolicyVersion:
    version = _version_for_delivery(request, code)
    if not access.may_deliver(request.user, version.policy.department.code):
        raise PermissionDenied
    return version


@_staff_required
@require_POST
def confirm(request: HttpRequest, code: str) -> HttpResponse:
    version = _delivering(request, code)
    excluded_codes = {
        line.strip().upper() for line in request.POST.get("exclude", "").split() if line.strip()
    }
    from banshi.people.models import Enterprise, Person

    if version.policy.subject_kind == SubjectKind.PERSON:  # 公民身份号码, one per line
        found = Person.objects.filter(id_number__in=excluded_codes)
    else:
        found = Enterprise.objects.filter(uscc__in=excluded_codes)
    exclude = list(found.values_list("pk", flat=True))
    try:
        batch = services.confirm_grants(
            version, user=request.user, exclude=exclude, note=request.POST.get("note", "")
        )
    except services.PolicyError as error:
        messages.error(request, error.zh)
    else:
        messages.success(
            request,
            f"已确认兑现 {batch.count} {_unit(version)}，合计 {batch.total_amount:,.2f} 元；"
            "已通知兑现对象。",
        )
    return redirect("policies:deliver", code=code)


def _unit(version: PolicyVersion) -> str:
    return "人" if version.policy.subject_kind == SubjectKind.PERSON else "家企业"


@_staff_required
@require_POST
def push(request: HttpRequest, code: str) -> HttpResponse:
    version = _delivering(request, code)
    try:
        count = services.push_offers(version, user=request.user)
    except services.PolicyError as error:
        messages.error(request, error.zh)
    else:
        messages.success(request, f"已向 {count} {_unit(version)}推送预填好的申请。")
    return redirect("policies:deliver", code=code)


@_staff_required
@require_POST
def decide(request: HttpRequest, offer_id: int) -> HttpResponse:
    offer = get_object_or_404(
        PolicyOffer.objects.select_related("policy_version__policy__department"), pk=offer_id
    )
    if not access.may_deliver(request.user, offer.policy_version.policy.department.code):
        raise PermissionDenied
    try:
        services.decide_offer(
            offer,
            user=request.user,
            approve=request.POST.get("decision") == "approve",
            note=request.POST.get("note", ""),
        )
    except services.PolicyError as error:
        messages.error(request, error.zh)
    return redirect("policies:deliver", code=offer.policy_version.policy.code)


# ------------------------------------------------------------------------------ staff: data, runs
@_staff_required
@require_http_methods(["GET", "POST"])
def portrait_import(request: HttpRequest) -> HttpResponse:
    if not access.may_import(request.user):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            record = services.import_portrait_file(
                upload.read(),
                upload.name,
                department=staff_department(request.user),
                user=request.user,
                as_of=form.cleaned_data["as_of"],
                kind=form.cleaned_data["kind"],
                register_missing=form.cleaned_data["register_missing"],
                subject_kind=form.cleaned_data["subject_kind"],
            )
        except services.PolicyError as error:
            form.add_error("file", f"{error.zh} / {error.en}")
        else:
            return redirect("policies:import_report", pk=record.pk)
    return render(
        request,
        "policies/staff/import.html",
        {
            "form": form,
            "imports": selectors.recent_imports(request.user),
            "registries": list(REGISTRIES.values()),
        },
    )


@_staff_required
@require_GET
def import_report(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(PortraitImport.objects.select_related("department"), pk=pk)
    if record.department.code not in department_codes_for(request.user):
        raise PermissionDenied
    return render(request, "policies/staff/import_report.html", {"record": record})


@_staff_required
@require_http_methods(["GET", "POST"])
def runs(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if not access.may_run(request.user):
            raise PermissionDenied
        services.start_full_run(request.user)
        messages.success(request, "全量匹配已在后台开始。")
        return redirect("policies:runs")
    return render(
        request,
        "policies/staff/runs.html",
        {"runs": selectors.recent_runs(50), "may_run": access.may_run(request.user)},
    )

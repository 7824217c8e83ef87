"""Staff pages (工作台). Thin: parse the form, check who asks, call the case engine, render.

Every action posts the version the clerk saw. The case engine's refusals map to HTTP:
``ConflictError`` → 409 (someone acted first: the page is shown as it is now, with the clerk's input
kept in the form), ``InvalidTransition`` → 409 with the reason, ``RuleViolation`` → 422 with the
article, ``PermissionDenied`` → the Chinese 403 page. No rule lives here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from banshi.audit.services import record_case_read
from banshi.cases import deadlines, services
from banshi.cases import selectors as case_selectors
from banshi.cases.errors import CaseError, ConflictError, InvalidTransition, PermissionDenied
from banshi.cases.models import Application, Case, Extension
from banshi.cases.transitions import STATE_LABELS, State
from banshi.people.permissions import has_role
from banshi.workbench import charts, forms, selectors
from banshi.workbench.access import (
    ANY_STAFF,
    CASE_ROLES,
    INTAKE_ROLES,
    SUPERVISION_ROLES,
    forbidden,
    staff_page,
)

CONFLICT_ZH = "该办件已被其他工作人员处理，请刷新后重试。"
CONFLICT_EN = "Someone else acted on this case first; reload and try again."


@dataclass
class ActionError:
    """What went wrong with the clerk's last action, for the banner above the page."""

    kind: str  # conflict | invalid | rule | form
    action: str
    zh: str
    en: str = ""
    detail: str = ""


@dataclass(frozen=True)
class Spec:
    """One action: its form (built for the object), the service call, the success message."""

    label: str
    form: Callable[..., Any]
    run: Callable[[Any, Any, Any], Any]
    done: str


# ------------------------------------------------------------------------------------ landing
@staff_page(*ANY_STAFF)
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """工作台首页: what waits for this user, per role."""
    return render(request, "workbench/home.html", {"page": selectors.landing(request.user)})


# ------------------------------------------------------------------------------------ intake
@staff_page(*INTAKE_ROLES)
@require_GET
def intake(request: HttpRequest) -> HttpResponse:
    """综合窗口待办: applications awaiting acceptance or corrections."""
    show = request.GET.get("show", "")
    if show not in selectors.INTAKE_FILTERS:
        show = ""
    page = Paginator(selectors.intake_queue(request.user, show), selectors.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page_obj": page,
        "rows": selectors.intake_rows(page.object_list),
        "show": show,
        "filters": selectors.INTAKE_FILTERS,
    }
    return _queue_response(
        request, "workbench/_intake_table.html", "workbench/intake.html", context
    )


def _queue_response(request: HttpRequest, fragment: str, page: str, context) -> HttpResponse:
    """The table alone for an htmx filter change, the whole page otherwise (also when htmx
    restores a page from history, which needs the full document)."""
    partial = request.htmx and not request.htmx.history_restore_request
    response = render(request, fragment if partial else page, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _application_or_404(request: HttpRequest, number: str) -> Application:
    application = selectors.application_for(request.user, number)
    if application is None:
        raise Http404(number)
    return application


def _correction_form(application: Application, data=None, **kwargs):
    return forms.CorrectionForm(data, groups=selectors.correction_choices(application), **kwargs)


def _correct_form(application: Application, data=None, **kwargs):
    return forms.CorrectOnTheSpotForm(data, rows=selectors.form_rows(application), **kwargs)


APPLICATION_ACTIONS: dict[str, Spec] = {
    "accept": Spec(
        "受理",
        lambda application, data=None, **kw: forms.VersionForm(data, **kw),
        lambda application, form, user: services.accept(
            application, user, form.cleaned_data["version"]
        ),
        "已受理：各部门办件已进入审查，决定期限已计算。",
    ),
    "correction": Spec(
        "一次性告知补正",
        _correction_form,
        lambda application, form, user: services.request_correction(
            application, form.entries(), user, form.cleaned_data["version"]
        ),
        "已发出一次性告知（补正材料通知书），等待申请人补正。",
    ),
    "correct": Spec(
        "当场更正",
        _correct_form,
        lambda application, form, user: services.correct_on_the_spot(
            application,
            form.changes(),
            user,
            form.cleaned_data["version"],
            note=form.cleaned_data.get("note", ""),
        ),
        "已当场更正，更正前后的内容已记入办件日志。",
    ),
    "refuse": Spec(
        "不予受理",
        lambda application, data=None, **kw: forms.RefuseForm(data, **kw),
        lambda application, form, user: services.refuse_at_intake(
            application,
            form.cleaned_data["reasons"],
            form.cleaned_data["redirect_agency"],
            user,
            form.cleaned_data["version"],
            ground=form.cleaned_data["ground"],
        ),
        "已作出不予受理决定。",
    ),
}
# Which table action opens each application form.
APPLICATION_GATES = {
    "accept": "accept",
    "correction": "request_correction",
    "correct": "correct_on_the_spot",
    "refuse": "refuse_at_intake",
}


@staff_page(*CASE_ROLES)
@require_GET
def application(request: HttpRequest, number: str) -> HttpResponse:
    """One application: applicant, form, materials, cases, intake actions, history."""
    application = _application_or_404(request, number)
    record_case_read(request, application)  # 审计: staff saw the applicant's data
    return _render_application(request, application)


@staff_page(*CASE_ROLES)
@require_POST
def application_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    spec = APPLICATION_ACTIONS.get(action)
    if spec is None:
        raise Http404(action)
    application = _application_or_404(request, number)
    form = spec.form(application, request.POST, auto_id=f"{action}-%s")
    if not form.is_valid():
        error = ActionError("form", action, "请检查下方表单中标出的内容。", "please check the form")
        return _render_application(request, application, (action, form), error, status=422)
    try:
        spec.run(application, form, request.user)
    except CaseError as exc:
        fresh = _application_or_404(request, number)
        return _refused(
            request,
            exc,
            action,
            lambda failed, error, status: _render_application(
                request, fresh, failed, error, status
            ),
            lambda obj, data: spec.form(obj, data, auto_id=f"{action}-%s"),
            fresh,
        )
    messages.success(request, spec.done)
    return redirect(reverse("workbench:application", args=[number]))


def _refused(request, exc, action, render_page, rebuild, fresh) -> HttpResponse:
    """Render the page again after the engine refused: 409 / 422 / 403, input kept."""
    if isinstance(exc, PermissionDenied):
        return forbidden(request, exc)
    data = request.POST.copy()
    if isinstance(exc, ConflictError):
        data["version"] = str(fresh.version)  # the clerk may resubmit once they have checked
        error = ActionError("conflict", action, CONFLICT_ZH, CONFLICT_EN, detail=str(exc))
        status = 409
    elif isinstance(exc, InvalidTransition):
        error = ActionError("invalid", action, exc.zh, exc.en)
        status = 409
    else:
        error = ActionError("rule", action, exc.zh, exc.en)
        status = 422
    form = rebuild(fresh, data)
    form.is_valid()
    return render_page((action, form), error, status)


def _render_application(
    request: HttpRequest,
    application: Application,
    failed: tuple[str, Any] | None = None,
    error: ActionError | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    allowed = selectors.application_actions(user, application)
    open_forms = {}
    for key, spec in APPLICATION_ACTIONS.items():
        if APPLICATION_GATES[key] in allowed:
            open_forms[key] = spec.form(
                application, initial={"version": application.version}, auto_id=f"{key}-%s"
            )
    unsaved = None
    if failed is not None:
        key, form = failed
        if key in open_forms:
            open_forms[key] = form
        else:
            unsaved = (APPLICATION_ACTIONS[key].label, form)
    notice = case_selectors.correction_notice_of(application)
    cases = list(application.cases.all())
    context = {
        "application": application,
        "applicant": selectors.applicant_facts(application),
        "clock": case_selectors.intake_clock(application),
        "form_rows": selectors.form_rows(application),
        "answers": selectors.answer_rows(application),
        "materials": selectors.material_rows(application),
        "case_rows": selectors.case_rows(cases),
        "on_the_spot": [
            case for case in cases if case.on_the_spot and case.state == State.ACCEPTED.value
        ],
        "notice": notice,
        "notice_lines": selectors.notice_lines(application, notice) if notice else [],
        "forms": open_forms,
        "choices": selectors.correction_choices(application),
        "unsaved": unsaved,
        "error": error,
        "failed_action": failed[0] if failed else "",
        "documents": selectors.documents_of(application),
        "timeline": selectors.timeline(application),
        "can_intake": has_role(user, *INTAKE_ROLES),
    }
    return render(request, "workbench/application.html", context, status=status)


# ------------------------------------------------------------------------------------ cases
@staff_page(*CASE_ROLES)
@require_GET
def cases(request: HttpRequest) -> HttpResponse:
    """本部门办件: the user's departments' cases only, with their clocks; filter by state."""
    state = request.GET.get("state", "")
    if state not in selectors.CASE_FILTERS:
        state = ""
    page = Paginator(selectors.case_queue(request.user, state), selectors.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page_obj": page,
        "rows": selectors.case_rows(page.object_list),
        "state": state,
        "filters": selectors.CASE_FILTERS,
        "opinions": selectors.opinions_awaiting(request.user),
        "extensions": selectors.extensions_awaiting(request.user),
    }
    return _queue_response(request, "workbench/_cases_table.html", "workbench/cases.html", context)


def _case_or_404(request: HttpRequest, ref: str) -> Case:
    case = selectors.case_for(request.user, ref)
    if case is None:
        raise Http404(ref)
    return case


def _version(form) -> int:
    return form.cleaned_data["version"]


def _decide(case: Case, form, user, *, on_the_spot: bool = False):
    grant = form.grant
    call = services.decide_on_the_spot if on_the_spot else services.decide
    return call(
        case,
        grant,
        form.cleaned_data["reasons"],
        user,
        _version(form),
        remedy_notice="" if grant else form.cleaned_data["remedy_notice"],
    )


def _plain(case, data=None, **kw):
    return forms.VersionForm(data, **kw)


CASE_ACTIONS: dict[str, Spec] = {
    "start-review": Spec(
        "开始审查",
        _plain,
        lambda case, form, user: services.start_review(case, user, _version(form)),
        "已开始审查。",
    ),
    "opinion": Spec(
        "出具联合审查意见",
        lambda case, data=None, **kw: forms.OpinionForm(data, **kw),
        lambda case, form, user: services.give_opinion(
            case,
            form.cleaned_data["department"],
            form.cleaned_data["opinion"],
            form.cleaned_data["text"],
            user,
            version=_version(form),
        ),
        "联合审查意见已提交。",
    ),
    "pause": Spec(
        "启动特别程序(中止计时)",
        lambda case, data=None, **kw: forms.PauseForm(data, **kw),
        lambda case, form, user: services.pause(
            case,
            form.cleaned_data["reason"],
            form.cleaned_data["expected_days"],
            user,
            _version(form),
            notice_text=form.cleaned_data["notice_text"],
        ),
        "已中止计时，并书面告知申请人所需时间（第45条）。",
    ),
    "resume": Spec(
        "结束特别程序(恢复计时)",
        _plain,
        lambda case, form, user: services.resume(case, user, _version(form)),
        "特别程序已结束，恢复计时。",
    ),
    "request-extension": Spec(
        "申请延期",
        lambda case, data=None, **kw: forms.ExtensionForm(data, **kw),
        lambda case, form, user: services.request_extension(
            case, form.cleaned_data["reason"], user, _version(form), days=form.cleaned_data["days"]
        ),
        "延期申请已提交，等待负责人批准。",
    ),
    "approve-extension": Spec(
        "批准延期",
        _plain,
        lambda case, form, user: services.approve_extension(case, user, _version(form)),
        "已批准延期，决定期限已顺延，理由将告知申请人。",
    ),
    "decide": Spec(
        "作出决定",
        lambda case, data=None, **kw: forms.DecideForm(data, **kw),
        lambda case, form, user: _decide(case, form, user),
        "已作出决定。",
    ),
    "decide-on-the-spot": Spec(
        "当场决定",
        lambda case, data=None, **kw: forms.DecideForm(data, **kw),
        lambda case, form, user: _decide(case, form, user, on_the_spot=True),
        "已当场作出决定（第34条）。",
    ),
    "issue": Spec(
        "制证",
        lambda case, data=None, **kw: forms.IssueForm(data, **kw),
        lambda case, form, user: services.issue(
            case, user, _version(form), licence_number=form.cleaned_data["licence_number"]
        ),
        "已制证。",
    ),
    "close": Spec(
        "送达办结",
        lambda case, data=None, **kw: forms.CloseForm(data, **kw),
        lambda case, form, user: services.close(
            case, user, _version(form), delivery=form.cleaned_data["delivery"]
        ),
        "已送达，办件办结。",
    ),
    "supervise": Spec(
        "督办",
        lambda case, data=None, **kw: forms.SuperviseForm(data, **kw),
        lambda case, form, user: services.supervise(
            case, form.cleaned_data["level"], form.cleaned_data["reason"], user
        ),
        "已督办。",
    ),
}


@staff_page(*CASE_ROLES)
@require_GET
def case(request: HttpRequest, ref: str) -> HttpResponse:
    """One case: item, application data, dependencies, opinions, pauses, extension, documents,
    the actions this user may take, and the history."""
    found = _case_or_404(request, ref)
    record_case_read(request, found.application, case=found)  # 审计: staff saw the applicant
    return _render_case(request, found)


@staff_page(*CASE_ROLES)
@require_POST
def case_action(request: HttpRequest, ref: str, action: str) -> HttpResponse:
    spec = CASE_ACTIONS.get(action)
    if spec is None:
        raise Http404(action)
    case = _case_or_404(request, ref)
    form = spec.form(case, request.POST, auto_id=f"{action}-%s")
    if not form.is_valid():
        error = ActionError("form", action, "请检查下方表单中标出的内容。", "please check the form")
        return _render_case(request, case, (action, form), error, status=422)
    try:
        spec.run(case, form, request.user)
    except CaseError as exc:
        fresh = _case_or_404(request, ref)
        return _refused(
            request,
            exc,
            action,
            lambda failed, error, status: _render_case(request, fresh, failed, error, status),
            lambda obj, data: spec.form(obj, data, auto_id=f"{action}-%s"),
            fresh,
        )
    messages.success(request, spec.done)
    return redirect(reverse("workbench:case", args=[case.number]))


def _case_forms(user, case: Case, extension: Extension | None) -> dict[str, Any]:
    """The forms the transition table opens to this user from the case's state."""
    actions = selectors.case_actions(user, case)
    initial = {"version": case.version}
    shown = {
        "start-review": "start_review" in actions,
        "pause": "pause" in actions and case.item_version.pause_allowed,
        "resume": "resume" in actions,
        "request-extension": "request_extension" in actions and extension is None,
        "approve-extension": "approve_extension" in actions
        and extension is not None
        and extension.approved_at is None,
        "decide": bool({"grant", "deny"} & actions),
        "decide-on-the-spot": case.on_the_spot and "decide_on_the_spot" in actions,
        "issue": "issue" in actions,
        "close": "close" in actions,
        "supervise": "supervise" in actions,
    }
    return {
        key: CASE_ACTIONS[key].form(case, initial=initial, auto_id=f"{key}-%s")
        for key, show in shown.items()
        if show
    }


def _render_case(
    request: HttpRequest,
    case: Case,
    failed: tuple[str, Any] | None = None,
    error: ActionError | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    application = case.application
    extension = (
        Extension.objects.filter(case=case).select_related("requested_by", "approved_by").first()
    )
    opinions = list(
        case.opinions.select_related("department", "given_by").order_by("department__code")
    )
    deps = case_selectors.prerequisites(case)
    open_forms = _case_forms(user, case, extension)
    opinion_forms = [
        (
            opinion,
            forms.OpinionForm(
                auto_id=f"opinion-{opinion.department.code}-%s",
                initial={
                    "version": case.version,
                    "department": opinion.department.code,
                    "opinion": opinion.opinion if opinion.opinion != "none" else None,
                    "text": opinion.text,
                },
            ),
        )
        for opinion in selectors.my_opinions_on(user, case)
        if State(case.state) in selectors.REVIEWING_STATES
    ]
    unsaved = None
    if failed is not None:
        key, form = failed
        if key == "opinion":
            code = form.data.get("department", "")
            matched = False
            for index, (opinion, _) in enumerate(opinion_forms):
                if opinion.department.code == code:
                    opinion_forms[index] = (opinion, form)
                    matched = True
            if not matched:
                unsaved = (CASE_ACTIONS[key].label, form)
        elif key in open_forms:
            open_forms[key] = form
        else:
            unsaved = (CASE_ACTIONS[key].label, form)
    item_version = case.item_version
    context = {
        "case": case,
        "application": application,
        "item_version": item_version,
        "clock": case_selectors.case_clock(case),
        "applicant": selectors.applicant_facts(application),
        "form_rows": selectors.form_rows(application),
        "materials": [m for m in selectors.material_rows(application) if case.item.code in m.items],
        "prerequisites": deps,
        "dependants": list(case.dependants.select_related("item_version", "department")),
        "blockers": case_selectors.decision_blockers(case, deps, opinions),
        "opinions": opinions,
        "opinion_forms": opinion_forms,
        "pauses": list(case.pauses.select_related("started_by", "ended_by")),
        "extension": extension,
        "extension_limit": deadlines.extension_days(
            item_version.extension_days, joint=application.joint_handling
        ),
        "supervisions": list(case.supervisions.select_related("raised_by")),
        "documents": selectors.documents_of(application, case),
        "forms": open_forms,
        "unsaved": unsaved,
        "error": error,
        "failed_action": failed[0] if failed else "",
        "timeline": selectors.timeline(application, case),
        "state_label": STATE_LABELS[State(case.state)],
    }
    return render(request, "workbench/case.html", context, status=status)


# ------------------------------------------------------------------------------------ board
@staff_page(*SUPERVISION_ROLES)
@require_GET
def supervision(request: HttpRequest) -> HttpResponse:
    """督办看板: yellow and red cases, open supervisions, overdue per department (SVG)."""
    rows = selectors.warning_cases(request.user)
    counts = selectors.counts_by_department(rows)
    context = {
        "rows": rows,
        "red": sum(1 for row in rows if row.clock.level == deadlines.RED),
        "yellow": sum(1 for row in rows if row.clock.level == deadlines.YELLOW),
        "counts": counts,
        "chart": charts.department_bars(counts),
        "supervisions": selectors.open_supervisions(request.user),
    }
    return render(request, "workbench/supervision.html", context)

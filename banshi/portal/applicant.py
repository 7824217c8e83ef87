"""What the applicant's pages show (在线申请, 办理进度, 我的办件), arranged for the templates.

Nothing here decides a rule: the draft's plan, prefill, materials and pre-review come from
:mod:`banshi.cases.drafts` and :mod:`banshi.cases.prereview`, the application and its events from
:mod:`banshi.cases.selectors`. This module only reads and arranges (and labels in the page's
language).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from banshi.cases import drafts, selectors
from banshi.cases.models import Application, ApplicationDraft, Case
from banshi.cases.transitions import ACTION_LABELS, STATE_LABELS, Action, State
from banshi.catalog.compiler import ROUTE_DATA_SHARE, ROUTE_LICENCE, ROUTE_UPLOAD, Plan
from banshi.documents.models import Document
from banshi.people.models import Person
from banshi.people.permissions import applicant_q, department_q, is_staff_member
from banshi.portal.answers import parse_answers
from banshi.portal.selectors import days_label, question_fields, window_label

STEP_SLUGS = (*drafts.STEPS,)


def step_labels() -> dict[str, str]:
    return {
        "situation": _("情形"),
        "plan": _("方案"),
        "form": _("填表"),
        "materials": _("材料"),
        "review": _("预审"),
        "submit": _("提交"),
    }


def english() -> bool:
    return (get_language() or "").startswith("en")


def say(zh: str, en: str) -> str:
    """The page language's half of a bilingual message."""
    return en if english() else zh


# ---------------------------------------------------------------------------------- draft page
@dataclass(frozen=True)
class StepLink:
    slug: str
    number: int
    label: str
    url: str
    current: bool
    done: bool


@dataclass(frozen=True)
class PlanLine:
    name: str
    department: str
    days: str
    window: str
    depends_on: str


@dataclass
class DraftPage:
    draft: ApplicationDraft
    step: str
    steps: list[StepLink]
    review: drafts.DraftReview
    questions: list[Any] = field(default_factory=list)
    plan_lines: list[PlanLine] = field(default_factory=list)
    fields: list[drafts.DraftField] = field(default_factory=list)
    field_errors: dict[str, list[Any]] = field(default_factory=dict)
    materials: list[drafts.DraftMaterial] = field(default_factory=list)
    material_counts: dict[str, int] = field(default_factory=dict)
    prefilled_count: int = 0
    subject_label: str = ""
    consent_text: str = drafts.CONSENT_TEXT

    @property
    def plan(self) -> Plan | None:
        return self.review.plan

    @property
    def next_step(self) -> str | None:
        index = STEP_SLUGS.index(self.step)
        return STEP_SLUGS[index + 1] if index + 1 < len(STEP_SLUGS) else None

    @property
    def previous_step(self) -> str | None:
        index = STEP_SLUGS.index(self.step)
        return STEP_SLUGS[index - 1] if index > 0 else None

    @property
    def problem(self) -> str:
        return say(*self.review.problem) if self.review.problem else ""


def subject_label(draft: ApplicationDraft) -> str:
    if draft.enterprise_id:
        return draft.enterprise.name
    if draft.principal_id:
        return _("%(principal)s（由 %(agent)s 代办）") % {
            "principal": draft.principal.name,
            "agent": draft.owner.name,
        }
    return draft.owner.name


def _department_names(plan_catalogue) -> dict[str, str]:
    return {code: department.name for code, department in plan_catalogue.departments.items()}


def draft_page(draft: ApplicationDraft, step: str) -> DraftPage:
    """Everything one step of the draft page shows (the stepper needs the review on every step)."""
    checked = drafts.review(draft)
    index = STEP_SLUGS.index(step)
    labels = step_labels()
    steps = [
        StepLink(
            slug,
            number,
            labels[slug],
            reverse("portal:draft_step", args=[draft.pk, slug]),
            slug == step,
            number - 1 < index,
        )
        for number, slug in enumerate(STEP_SLUGS, start=1)
    ]
    page = DraftPage(draft=draft, step=step, steps=steps, review=checked)
    page.subject_label = subject_label(draft)
    drafted = checked.drafted
    catalogue = drafted.catalogue
    if step == "situation" and draft.bundle_code:
        bundle = catalogue.bundles.get(draft.bundle_code)
        if bundle is not None:
            page.questions = question_fields(bundle, parse_answers(bundle.questions, draft.answers))
    plan = drafted.plan
    if plan is None:
        return page
    if step in ("plan", "review"):
        names = {item.code: item.name for item in plan.items}
        departments = _department_names(catalogue)
        page.plan_lines = [
            PlanLine(
                name=item.name,
                department=departments.get(item.department, item.department),
                days=days_label(item.promised_days),
                window=window_label(item.earliest_start, item.earliest_finish),
                depends_on="、".join(names.get(code, code) for code in item.depends_on),
            )
            for item in plan.items
        ]
    if step in ("plan", "form", "review"):
        page.fields = drafts.form_fields(draft, drafted)
        page.prefilled_count = sum(1 for view in page.fields if view.prefill_available)
        for finding in checked.findings:
            if finding.rule != "required":
                page.field_errors.setdefault(finding.code, []).append(finding)
    if step in ("plan", "materials", "review"):
        page.materials = drafts.material_views(draft, drafted)
        counts = {ROUTE_UPLOAD: 0, ROUTE_LICENCE: 0, ROUTE_DATA_SHARE: 0}
        for material in page.materials:
            counts[ROUTE_UPLOAD if material.needs_upload else material.route] += 1
        page.material_counts = counts
    return page


def errors_by_field(checked: drafts.DraftReview) -> dict[str, list[Any]]:
    """Format and consistency findings per field (for the autosave's inline messages)."""
    found: dict[str, list[Any]] = {}
    for finding in checked.findings:
        if finding.rule != "required":
            found.setdefault(finding.code, []).append(finding)
    return found


# ---------------------------------------------------------------------------------- progress
EVENT_LABELS = {
    "submitted": "提交申请",
    "received": "收件",
    "accepted": "受理（全部部门）",
    "correction_notice": "一次性告知补正",
    "correction_answered": "补正材料已提交",
    "refused": "不予受理",
    "completed": "办结（统一出件）",
    "withdrawn": "撤回申请",
    "corrected_on_the_spot": "当场更正",
}


def event_label(kind: str) -> str:
    if kind in EVENT_LABELS:
        return _(EVENT_LABELS[kind])
    try:
        return _(ACTION_LABELS[Action(kind)])
    except ValueError:
        return kind


def state_label(state: str) -> str:
    try:
        return _(STATE_LABELS[State(state)])
    except ValueError:
        return state


def status_label(application: Application) -> str:
    return _(application.get_status_display())


def visible_application(user: Any, number: str) -> Application | None:
    """An application by number, for its applicant side (applicant, agent, the enterprise's
    representatives) or for staff of a department handling one of its cases; else None."""
    scope = applicant_q(user)
    if is_staff_member(user):
        scope |= Q(pk__in=Case.objects.filter(department_q(user)).values("application_id"))
    return (
        Application.objects.filter(scope)
        .filter(number=number)
        .select_related("applicant", "enterprise", "agent", "bundle_version__department")
        .first()
    )


def is_applicant_side(user: Any, application: Application) -> bool:
    return Application.objects.filter(applicant_q(user), pk=application.pk).exists()


@dataclass(frozen=True)
class CaseLine:
    number: str
    item: str
    department: str
    state: str
    state_key: str
    due: Any
    outcome: str


@dataclass(frozen=True)
class EventLine:
    at: Any
    label: str
    case: str
    item: str
    department: str
    actor_role: str
    detail: str


# Cases a withdrawal still cancels (not decided yet).
OPEN_STATES = frozenset({"received", "correction_requested", "accepted", "under_review", "paused"})

# Per-case copies of what happened to the whole application: the application's own event says it
# once (收件, 补正通知, 补正, 受理, 不予受理, 撤回), so the timeline shows that one.
APPLICATION_WIDE = frozenset(
    {
        "received",
        "request_correction",
        "answer_correction",
        "accept",
        "deem_accept",
        "refuse_at_intake",
        "cancel",
    }
)


@dataclass(frozen=True)
class OutcomeLine:
    item: str
    outcome: str
    granted: bool


@dataclass(frozen=True)
class DocumentLine:
    title: str
    number: str
    issued_at: Any
    case: str
    url: str
    verify_url: str
    kind: str


@dataclass
class ProgressPage:
    application: Application
    status: str
    cases: list[CaseLine]
    events: list[EventLine]
    documents: list[DocumentLine]
    receipt: DocumentLine | None
    correction: drafts.CorrectionRequest | None
    applicant_side: bool
    subject: str
    output: dict[str, Any]
    outcomes: list[OutcomeLine]
    may_withdraw: bool


ROLE_WORDS = {
    "applicant": "申请人",
    "window_clerk": "综合窗口",
    "reviewer": "审批部门",
    "department_head": "部门负责人",
    "government_head": "本级人民政府",
    "supervisor": "效能监督",
    "system": "系统",
}


def _event_detail(event) -> str:
    data = event.data or {}
    if event.kind in ("grant", "deny", "decide_on_the_spot", "deny_on_the_spot"):
        return data.get("reasons") or ""
    if event.kind == "refused":
        return data.get("reasons") or ""
    if event.kind == "correction_notice":
        return _("补正期限：%(due)s") % {"due": data.get("due", "")}
    if event.kind == "accept":
        return _("决定期限：%(due)s") % {"due": data.get("decision_due", "")}
    return ""


def progress_page(application: Application, user: Any) -> ProgressPage:
    """The receipt and progress page: cases, the timeline from events, documents, corrections."""
    rows = list(application.cases.select_related("item_version", "department").order_by("position"))
    cases = [
        CaseLine(
            number=case.number,
            item=case.item_version.name,
            department=case.department.name,
            state=state_label(case.state),
            state_key=case.state,
            due=case.decision_due,
            outcome=case.outcome,
        )
        for case in rows
    ]
    by_pk = {case.pk: case for case in rows}
    events = []
    for event in selectors.timeline(application):
        case = by_pk.get(event.case_id)
        if case is not None and event.kind in APPLICATION_WIDE:
            continue
        events.append(
            EventLine(
                at=event.at,
                label=event_label(event.kind),
                case=case.number if case else "",
                item=case.item_version.name if case else "",
                department=case.department.name if case else "",
                actor_role=_(ROLE_WORDS.get(event.actor_role, event.actor_role)),
                detail=_event_detail(event),
            )
        )
    outcomes = [
        OutcomeLine(
            item=row.get("item", ""),
            outcome=_("准予") if row.get("outcome") == "grant" else _("不予"),
            granted=row.get("outcome") == "grant",
        )
        for row in (application.output or {}).get("cases", [])
        if row.get("outcome")
    ]
    documents = [
        DocumentLine(
            title=document.title,
            number=document.number,
            issued_at=document.issued_at,
            case=document.case_reference,
            url=reverse("documents:download", args=[document.token]),
            verify_url=reverse("documents:verify", args=[document.token]),
            kind=document.kind,
        )
        for document in Document.objects.filter(
            Q(application=application) | Q(reference=application.number),
            revoked_at__isnull=True,
        ).order_by("issued_at", "id")
    ]
    receipt = next((line for line in documents if line.kind == "receipt"), None)
    applicant_side = is_applicant_side(user, application)
    correction = (
        drafts.correction_request(application, _draft_of(application)) if applicant_side else None
    )
    subject = (
        application.enterprise.name if application.enterprise_id else application.applicant.name
    )
    return ProgressPage(
        application=application,
        status=status_label(application),
        cases=cases,
        events=events,
        documents=documents,
        receipt=receipt,
        correction=correction,
        applicant_side=applicant_side,
        subject=subject,
        output=application.output or {},
        outcomes=outcomes,
        may_withdraw=applicant_side
        and application.status in ("submitted", "in_progress")
        and any(case.state in OPEN_STATES for case in rows),
    )


def _draft_of(application: Application) -> ApplicationDraft | None:
    return ApplicationDraft.objects.filter(application=application).first()


# ---------------------------------------------------------------------------------- my page
@dataclass(frozen=True)
class DraftLine:
    pk: int
    title: str
    code: str
    subject: str
    step: str
    updated_at: Any
    url: str


@dataclass(frozen=True)
class ApplicationLine:
    number: str
    title: str
    subject: str
    status: str
    status_key: str
    received_at: Any
    url: str
    open_correction: bool


def my_page(person: Person, user: Any) -> tuple[list[DraftLine], list[ApplicationLine]]:
    labels = step_labels()
    draft_lines = [
        DraftLine(
            pk=draft.pk,
            title=draft.title,
            code=draft.code,
            subject=subject_label(draft),
            step=labels.get(draft.step, draft.step),
            updated_at=draft.updated_at,
            url=reverse("portal:draft", args=[draft.pk]),
        )
        for draft in drafts.open_drafts(person).select_related("owner", "principal", "enterprise")
    ]
    applications = (
        Application.objects.filter(applicant_q(user))
        .select_related("applicant", "enterprise")
        .order_by("-received_at", "-id")
    )
    with_notice = set(
        Application.objects.filter(
            applicant_q(user),
            correction_notice__isnull=False,
            correction_notice__answered_at__isnull=True,
        ).values_list("pk", flat=True)
    )
    application_lines = [
        ApplicationLine(
            number=application.number,
            title=application.title,
            subject=application.enterprise.name
            if application.enterprise_id
            else application.applicant.name,
            status=status_label(application),
            status_key=application.status,
            received_at=application.received_at,
            url=reverse("portal:application", args=[application.number]),
            open_correction=application.pk in with_notice,
        )
        for application in applications[:200]
    ]
    return draft_lines, application_lines

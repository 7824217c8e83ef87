"""Read side of the workbench: what each page shows, filtered in the query by who asks.

Nothing here decides anything. Visibility comes from the people permission check
(:func:`banshi.people.permissions.department_q`) and the case engine's selectors; clocks come from
:func:`banshi.cases.services.clock_status` and the pure :mod:`banshi.cases.deadlines`; the actions a
user is offered come from the transition table (:func:`banshi.cases.transitions.allowed_actions`).
The case engine re-checks every action when it is taken.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, F, Max, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse

from banshi.cases import conf, deadlines
from banshi.cases import permissions as case_permissions
from banshi.cases import selectors as case_selectors
from banshi.cases.models import (
    Application,
    ApplicationStatus,
    Case,
    CaseEvent,
    CorrectionNotice,
    Extension,
    Opinion,
    OpinionValue,
    Supervision,
)
from banshi.cases.selectors import (  # the clocks and decision blockers live with the cases
    ClockView,
    case_clock,
    correction_notice_of,
    intake_clock,
)
from banshi.cases.transitions import (
    ACTION_LABELS,
    DEPARTMENT_BOUND,
    ISSUE_CLOCK,
    ROLE_LABELS,
    STATE_LABELS,
    State,
    allowed_actions,
)
from banshi.catalog.compiler import ROUTE_DATA_SHARE, ROUTE_LICENCE
from banshi.catalog.models import Department
from banshi.core import clock
from banshi.documents.selectors import documents_for
from banshi.people import permissions as people_permissions
from banshi.people.identifiers import mask_id_number, mask_name, mask_phone
from banshi.people.models import Role
from banshi.workbench.access import CASE_ROLES, INTAKE_ROLES, SUPERVISION_ROLES
from banshi.workdays.services import get_calendar

PAGE_SIZE = 50

# Open states of a department's queue by default (在办): accepted up to delivery.
OPEN_STATES = (
    State.ACCEPTED,
    State.UNDER_REVIEW,
    State.PAUSED,
    State.DECIDED_GRANT,
    State.DECIDED_DENY,
    State.ISSUED,
)
REVIEWING_STATES = (State.ACCEPTED, State.UNDER_REVIEW, State.PAUSED)


def _values(states: Iterable[State]) -> list[str]:
    return sorted(state.value for state in states)


# ------------------------------------------------------------------------------------ clocks
# ------------------------------------------------------------------------------------ people
def applicant_label(application: Application) -> str:
    """The applicant as a list shows them: the enterprise by name, the person masked (DESIGN §8)."""
    person = mask_name(application.applicant.name)
    if application.enterprise_id:
        return f"{application.enterprise.name}（{person}）"
    return person


def applicant_facts(application: Application) -> list[tuple[str, str]]:
    """Who applied, with ID and phone numbers masked."""
    person = application.applicant
    rows = [
        ("申请人", mask_name(person.name)),
        ("身份证号", mask_id_number(person.id_number)),
    ]
    if person.phone:
        rows.append(("联系电话", mask_phone(person.phone)))
    if application.enterprise_id:
        rows.append(("申请单位", application.enterprise.name))
        rows.append(("统一社会信用代码", application.enterprise.uscc))
    if application.agent_id:
        rows.append(("代办人", mask_name(application.agent.name)))
    return rows


def user_label(user: Any) -> str:
    """Staff by their name; an applicant's account by the masked name of its person."""
    if user is None:
        return "系统"
    person = people_permissions.person_for(user)
    if person is not None:
        return mask_name(person.name)
    return user.first_name or user.get_username()


# ------------------------------------------------------------------------------------ intake
def _visible_application(user: Any) -> Exists:
    """Applications with at least one case in a department the user may see."""
    return Exists(
        Case.objects.filter(application=OuterRef("pk")).filter(
            people_permissions.department_q(user, field="department__code")
        )
    )


def _correcting() -> Exists:
    return Exists(
        Case.objects.filter(application=OuterRef("pk"), state=State.CORRECTION_REQUESTED.value)
    )


def _with_cases(queryset: QuerySet[Application]) -> QuerySet[Application]:
    cases = Case.objects.select_related("department", "item_version").order_by("position")
    return queryset.select_related(
        "applicant", "enterprise", "agent", "bundle_version", "correction_notice"
    ).prefetch_related(Prefetch("cases", queryset=cases))


INTAKE_FILTERS = {
    "": "全部待办",
    "received": "待受理",
    "correcting": "待补正",
}


def intake_queue(user: Any, show: str = "") -> QuerySet[Application]:
    """综合窗口待办: submitted applications (awaiting acceptance, or awaiting the applicant's
    corrections) with a case in the user's departments; the most urgent intake clock first."""
    queryset = (
        Application.objects.filter(status=ApplicationStatus.SUBMITTED)
        .filter(_visible_application(user))
        .annotate(correcting=_correcting())
    )
    if show == "received":
        queryset = queryset.filter(correcting=False)
    elif show == "correcting":
        queryset = queryset.filter(correcting=True)
    return _with_cases(queryset).order_by("correcting", "intake_due", "received_at", "pk")


@dataclass
class IntakeRow:
    application: Application
    applicant: str
    departments: list[str]
    clock: ClockView
    due_label: str
    due: dt.date | None


def intake_rows(applications: Iterable[Application], today: dt.date | None = None):
    rows = []
    for application in applications:
        cases = list(application.cases.all())
        departments = list(dict.fromkeys(case.department.name for case in cases))
        notice = correction_notice_of(application)
        if notice is None:
            due_label, due = "补正告知期限", application.correction_due
        elif notice.answered_at is None:
            due_label, due = "申请人补正期限", notice.due
        else:
            due_label, due = "受理期限（补正后）", application.intake_due
        rows.append(
            IntakeRow(
                application,
                applicant_label(application),
                departments,
                intake_clock(application, today),
                due_label,
                due,
            )
        )
    return rows


def intake_counts(user: Any, today: dt.date | None = None) -> dict[str, int]:
    """Landing counts for the window: awaiting acceptance, awaiting corrections, and how many
    intake clocks are yellow or red (a stored-date comparison, no per-row work)."""
    today = today or clock.today()
    queue = intake_queue(user)
    waiting = queue.filter(correcting=False)
    horizon = get_calendar().add(
        today,
        deadlines.yellow_horizon(deadlines.CORRECTION_NOTICE_DAYS, conf.warning_fraction()),
    )
    return {
        "received": waiting.count(),
        "correcting": queue.filter(correcting=True).count(),
        "warnings": waiting.filter(intake_due__lte=horizon).count(),
        "overdue": waiting.filter(intake_due__lt=today).count(),
    }


def application_for(user: Any, number: str) -> Application | None:
    """One application, if at least one of its cases is in the user's departments."""
    return (
        _with_cases(Application.objects.filter(_visible_application(user)))
        .filter(number=number)
        .first()
    )


# ------------------------------------------------------------------------------------ plan
def _plan_labels(plan: Mapping[str, Any]) -> tuple[dict[str, dict], dict[str, dict]]:
    fields = {row["code"]: row for row in plan.get("form", {}).get("fields", [])}
    materials = {row["code"]: row for row in plan.get("materials", [])}
    return fields, materials


@dataclass
class FormRow:
    code: str
    label: str
    type: str
    value: Any
    items: list[str]


def form_rows(application: Application) -> list[FormRow]:
    """The merged form (表单要素) with the values the applicant gave, in the plan's order."""
    fields, _ = _plan_labels(application.plan)
    data = application.form_data or {}
    rows = [
        FormRow(code, row.get("label", code), row.get("type", "text"), data.get(code), row["items"])
        for code, row in fields.items()
    ]
    rows += [
        FormRow(code, code, "text", value, []) for code, value in data.items() if code not in fields
    ]
    return rows


def answer_rows(application: Application) -> list[tuple[str, Any]]:
    questions = application.plan.get("form", {}).get("questions", [])
    texts = {row["code"]: row.get("text", row["code"]) for row in questions}
    return [(texts.get(code, code), value) for code, value in (application.answers or {}).items()]


MATERIAL_MODES = {
    "commitment": ("告知承诺", "commitment"),
    "告知承诺": ("告知承诺", "commitment"),
    "deferred": ("容缺后补", "deficiency"),
    "deficiency": ("容缺后补", "deficiency"),
    "容缺": ("容缺后补", "deficiency"),
}


@dataclass
class MaterialRow:
    code: str
    name: str
    items: list[str]
    status: str
    tone: str  # ok | deficiency | commitment | miss | info
    detail: str = ""
    deficiency_allowed: bool = False
    commitment_allowed: bool = False
    url: str = ""  # 免证: the licence's verification page


def material_rows(application: Application) -> list[MaterialRow]:
    """Every applicable material and how it reached the departments: uploaded, fetched from the
    licence library (免证), verified by data sharing (免提交), replaced by a commitment (告知承诺),
    deferred (容缺), or not handed in. Read from the plan snapshot and the submitted list."""
    submitted: dict[str, Mapping[str, Any]] = {}
    for entry in application.materials or []:
        if isinstance(entry, Mapping) and entry.get("code"):
            submitted[str(entry["code"])] = entry
    _, planned = _plan_labels(application.plan)
    rows = []
    for code, row in planned.items():
        entry = submitted.pop(code, None)
        rows.append(_material_row(code, row, entry))
    for code, entry in submitted.items():  # handed in but not in the plan (kept, shown)
        rows.append(_material_row(code, {"name": entry.get("name", code), "items": []}, entry))
    return rows


def _material_row(code: str, row: Mapping[str, Any], entry: Mapping[str, Any] | None):
    base = {
        "code": code,
        "name": row.get("name", code),
        "items": list(row.get("items", [])),
        "deficiency_allowed": bool(row.get("deficiency_allowed")),
        "commitment_allowed": bool(row.get("commitment_allowed")),
    }
    mode = str((entry or {}).get("mode") or (entry or {}).get("route") or "")
    if mode == "licence" and entry.get("licence_token"):  # 免证: taken from the licence library
        detail = f"{entry.get('licence_name', '')}（{entry.get('licence_number', '')}）"
        url = reverse("licences:verify", args=[entry["licence_token"]])
        return MaterialRow(status="电子证照调取", tone="info", detail=detail, url=url, **base)
    if mode in MATERIAL_MODES:
        status, tone = MATERIAL_MODES[mode]
        return MaterialRow(status=status, tone=tone, detail=str(entry.get("note", "")), **base)
    if entry is not None:
        digest = str(entry.get("sha256") or "")
        detail = f"SHA-256 {digest[:12]}…" if digest else str(entry.get("name") or "")
        return MaterialRow(status="已上传", tone="ok", detail=detail, **base)
    route = row.get("route")
    if route == ROUTE_LICENCE:
        produced = row.get("produced_by")
        detail = f"由本次办理的 {produced} 出证后取得" if produced else "电子证照库"
        return MaterialRow(status="免提交（电子证照）", tone="info", detail=detail, **base)
    if route == ROUTE_DATA_SHARE:
        source = row.get("data_share") or ""
        return MaterialRow(status="免提交（数据共享）", tone="info", detail=source, **base)
    return MaterialRow(status="未提交", tone="miss", **base)


@dataclass
class ChoiceLine:
    kind: str  # material | field
    code: str
    label: str
    name: str  # the form field name of the checkbox

    @property
    def reason_name(self) -> str:
        return f"reason__{self.name}"


@dataclass
class CaseChoices:
    case: Case
    lines: list[ChoiceLine]


def correction_choices(application: Application) -> list[CaseChoices]:
    """Every material and every field of every case, as checkboxes for the one-time notice."""
    fields, materials = _plan_labels(application.plan)
    planned = {row["code"]: row for row in application.plan.get("items", [])}
    groups = []
    for case in application.cases.all():
        item = planned.get(case.item.code, {})
        lines = [
            ChoiceLine(
                "material",
                code,
                materials.get(code, {}).get("name", code),
                f"m__{case.number}__{code}",
            )
            for code in item.get("materials", [])
        ]
        lines += [
            ChoiceLine(
                "field", code, fields.get(code, {}).get("label", code), f"f__{case.number}__{code}"
            )
            for code in item.get("fields", [])
        ]
        groups.append(CaseChoices(case, lines))
    return groups


def notice_lines(application: Application, notice: CorrectionNotice) -> list[dict[str, Any]]:
    """The issued notice's lines with names instead of codes."""
    fields, materials = _plan_labels(application.plan)
    names = {case.number: case.item_version.name for case in application.cases.all()}
    lines = []
    for entry in notice.items:
        lines.append(
            {
                "case": entry.get("case", ""),
                "item": names.get(entry.get("case", ""), entry.get("item", "")),
                "materials": [
                    materials.get(c, {}).get("name", c) for c in entry.get("materials", [])
                ],
                "fields": [fields.get(c, {}).get("label", c) for c in entry.get("fields", [])],
                "reason": entry.get("reason", ""),
            }
        )
    return lines


# ------------------------------------------------------------------------------------ cases
CASE_FILTERS = {
    "": "在办",
    **{state.value: STATE_LABELS[state] for state in State},
    "all": "全部",
}


def case_queue(user: Any, state: str = "") -> QuerySet[Case]:
    """本部门办件: the cases of the user's departments only (filtered in the query), soonest
    deadline first."""
    if state == "all":
        states = None
    elif state in State._value2member_map_:
        states = [state]
    else:
        states = _values(OPEN_STATES)
    queryset = case_selectors.cases_visible_to(user, states=states)
    return queryset.select_related("application__applicant", "application__enterprise").order_by(
        F("decision_due").asc(nulls_last=True), "pk"
    )


@dataclass
class CaseRow:
    case: Case
    clock: ClockView


def case_rows(cases: Iterable[Case], today: dt.date | None = None) -> list[CaseRow]:
    return [CaseRow(case, case_clock(case, today)) for case in cases]


def case_for(user: Any, ref: str) -> Case | None:
    """One case by number (or id) if it is in the user's departments, or if one of the user's
    departments is asked for its opinion on it (联合审查)."""
    if people_permissions.sees_all_departments(user):
        scope = Q()
    else:
        consulted = Exists(
            Opinion.objects.filter(case=OuterRef("pk")).filter(
                people_permissions.department_q(user, field="department__code")
            )
        )
        scope = people_permissions.department_q(user, field="department__code") | Q(consulted)
    queryset = Case.objects.filter(scope).select_related(
        "application",
        "application__applicant",
        "application__enterprise",
        "application__agent",
        "department",
        "item",
        "item_version",
    )
    lookup = Q(number=ref) | Q(pk=int(ref)) if ref.isdigit() else Q(number=ref)
    return queryset.filter(lookup).first()


def opinions_awaiting(user: Any) -> QuerySet[Opinion]:
    """联合审查意见 that the user's departments still owe, soonest due first."""
    if not people_permissions.has_role(user, Role.REVIEWER, Role.DEPARTMENT_HEAD):
        return Opinion.objects.none()
    return (
        Opinion.objects.filter(opinion=OpinionValue.NONE, case__state__in=_values(REVIEWING_STATES))
        .filter(people_permissions.department_q(user, field="department__code"))
        .select_related("case", "case__item_version", "case__department", "department")
        .order_by(F("due").asc(nulls_last=True), "pk")
    )


def extensions_awaiting(user: Any) -> QuerySet[Extension]:
    """延期申请 waiting for this user's approval: department heads approve their department's,
    the government head those of a joint handling (第42条)."""
    joint = []
    if people_permissions.has_role(user, Role.DEPARTMENT_HEAD):
        joint.append(False)
    if people_permissions.has_role(user, Role.GOVERNMENT_HEAD):
        joint.append(True)
    if not joint:
        return Extension.objects.none()
    return (
        Extension.objects.filter(
            approved_at__isnull=True,
            joint__in=joint,
            case__state__in=_values((State.UNDER_REVIEW, State.PAUSED)),
        )
        .filter(people_permissions.department_q(user, field="case__department__code"))
        .select_related("case", "case__item_version", "case__department")
        .order_by("requested_at", "pk")
    )


def case_actions(user: Any, case: Case) -> set[str]:
    """What the transition table lets this user do to the case from its state (department-bound
    roles only on their own departments' cases)."""
    roles = set(case_permissions.staff_roles(user))
    if case.department.code not in case_permissions.department_codes(user):
        roles -= {role.value for role in DEPARTMENT_BOUND}
    return {action.value for action in allowed_actions(case.state, roles)}


def application_actions(user: Any, application: Application) -> set[str]:
    """Application-level actions (受理, 补正, 当场更正, 不予受理) open to the user: every case
    must allow them (the engine moves all cases together)."""
    cases = list(application.cases.all())
    if not cases or application.status != ApplicationStatus.SUBMITTED:
        return set()
    roles = case_permissions.staff_roles(user)
    common = None
    for case in cases:
        allowed = {action.value for action in allowed_actions(case.state, roles)}
        common = allowed if common is None else common & allowed
    return common or set()


def my_opinions_on(user: Any, case: Case) -> list[Opinion]:
    """This case's opinions that the user's departments may give (or revise) now."""
    if not case.joint_review or not people_permissions.has_role(
        user, Role.REVIEWER, Role.DEPARTMENT_HEAD
    ):
        return []
    codes = case_permissions.department_codes(user)
    return [
        opinion
        for opinion in case.opinions.select_related("department").order_by("department__code")
        if opinion.department.code in codes and not opinion.deemed
    ]


def documents_of(application: Application, case: Case | None = None):
    if case is None:
        return documents_for(application.number)
    return documents_for(application.number, case_reference=case.number)


# ------------------------------------------------------------------------------------ warnings
def warning_cases(user: Any, today: dt.date | None = None) -> list[CaseRow]:
    """Cases of the user's departments whose clock is yellow or red today, red first.

    A prefilter on the stored deadlines keeps this to the cases that can be yellow at all (a case
    with more than ``fraction × longest limit`` working days left cannot be), then the engine's
    clock decides each one."""
    today = today or clock.today()
    calendar = get_calendar()
    fraction = conf.warning_fraction()
    visible = case_selectors.cases_visible_to(user)
    decision_states = [State.ACCEPTED.value, State.UNDER_REVIEW.value]
    longest = visible.filter(state__in=decision_states).aggregate(longest=Max("decision_days"))[
        "longest"
    ]
    parts = [
        Q(
            state__in=_values(ISSUE_CLOCK),
            issue_due__lte=calendar.add(
                today, deadlines.yellow_horizon(deadlines.ISSUE_DAYS, fraction)
            ),
        )
    ]
    if longest is not None:
        horizon = calendar.add(today, deadlines.yellow_horizon(longest, fraction))
        parts.append(Q(state__in=decision_states, decision_due__lte=horizon))
    candidates = visible.filter(functools.reduce(operator.or_, parts)).select_related(
        "application__applicant"
    )
    rows = [row for row in case_rows(candidates, today) if row.clock.warns]
    rows.sort(key=lambda row: (row.clock.level != deadlines.RED, row.clock.remaining or 0))
    return rows


def open_supervisions(user: Any) -> QuerySet[Supervision]:
    return case_selectors.supervision_board(user).select_related("raised_by")


@dataclass
class DepartmentCount:
    code: str
    name: str
    red: int = 0
    yellow: int = 0

    @property
    def total(self) -> int:
        return self.red + self.yellow


def counts_by_department(rows: Iterable[CaseRow]) -> list[DepartmentCount]:
    """Red (overdue) and yellow cases per department, most overdue first."""
    counts: dict[str, DepartmentCount] = {}
    for row in rows:
        department = row.case.department
        entry = counts.setdefault(
            department.code, DepartmentCount(department.code, department.name)
        )
        if row.clock.level == deadlines.RED:
            entry.red += 1
        else:
            entry.yellow += 1
    return sorted(counts.values(), key=lambda c: (-c.red, -c.yellow, c.code))


# ------------------------------------------------------------------------------------ landing
@dataclass
class Landing:
    roles: list[str]
    department: str
    sees_all: bool
    intake: dict[str, int] | None = None
    cases_open: int | None = None
    warnings: int | None = None
    overdue: int | None = None
    opinions: int | None = None
    extensions: int | None = None
    supervisions: int | None = None
    no_case_work: bool = False
    notes: list[str] = field(default_factory=list)


def landing(user: Any, today: dt.date | None = None) -> Landing:
    """Counts for the landing page, per the roles the user holds."""
    roles = people_permissions.roles_of(user)
    labels = dict(Role.choices)
    department = people_permissions.staff_department(user)
    page = Landing(
        roles=[labels.get(role, role) for role in sorted(roles)],
        department=department.name if department else "",
        sees_all=people_permissions.sees_all_departments(user),
    )
    if not people_permissions.has_role(user, *CASE_ROLES):
        page.no_case_work = True
        return page
    if not people_permissions.department_codes_for(user):
        page.notes.append("您的账号尚未授权任何部门，看不到办件。请联系系统管理员。")
    if people_permissions.has_role(user, *INTAKE_ROLES):
        page.intake = intake_counts(user, today)
    page.cases_open = case_queue(user).count()
    warnings = warning_cases(user, today)
    page.warnings = len(warnings)
    page.overdue = sum(1 for row in warnings if row.clock.level == deadlines.RED)
    page.opinions = opinions_awaiting(user).count()
    page.extensions = extensions_awaiting(user).count()
    if people_permissions.has_role(user, *SUPERVISION_ROLES):
        page.supervisions = open_supervisions(user).count()
    return page


# ------------------------------------------------------------------------------------ history
EVENT_LABELS = {
    "submitted": "提交申请",
    "received": "收件",
    "correction_notice": "发出一次性告知(补正材料通知书)",
    "correction_answered": "申请人补齐补正材料",
    "accepted": "受理",
    "refused": "不予受理",
    "completed": "办结(统一出件)",
    "withdrawn": "撤回申请",
    "corrected_on_the_spot": "当场更正",
    "supervision_raised": "督办",
    **{action.value: label for action, label in ACTION_LABELS.items()},
}

DATA_LABELS = {
    "channel": "渠道",
    "items": "内容",
    "correction_due": "补正告知期限",
    "item": "事项",
    "department": "部门",
    "due": "期限",
    "decision_days": "办理时限(工作日)",
    "decision_due": "决定期限",
    "deemed": "逾期视为受理",
    "accepted_at": "受理时间",
    "cases": "办件",
    "ground": "类别",
    "basis": "依据",
    "reasons": "理由",
    "reason": "理由",
    "redirect_agency": "应向其申请的机关",
    "outcome": "结果",
    "remedy_notice": "救济途径",
    "issue_due": "制证送达期限",
    "late": "逾期",
    "days": "工作日",
    "expected_days": "预计所需(工作日)",
    "notice": "书面告知",
    "opinion": "意见",
    "text": "说明",
    "licence_number": "证照编号",
    "delivery": "送达方式",
    "diff": "更正内容",
    "note": "备注",
    "materials": "材料",
    "fields": "表单项",
    "cause": "原因",
    "cancelled": "撤销的办件",
    "granted": "准予",
    "denied": "不予",
    "clock": "时限",
    "level": "级别",
    "remaining": "剩余工作日",
    "answered_at": "补齐时间",
}
VALUE_LABELS = {
    "grant": "准予",
    "deny": "不予",
    "agree": "同意",
    "disagree": "不同意",
    "yellow": "黄色预警",
    "red": "红色督办",
    "decision": "决定时限",
    "issue": "制证送达时限",
    "web": "网上办理",
    "window": "窗口办理",
    "mobile": "移动端",
    "terminal": "自助终端",
    "not_required": "依法不需要取得行政许可",
    "not_competent": "不属于本机关职权范围",
    "incomplete": "未按要求补正",
    "application_withdrawn": "申请已撤回",
    **{state.value: label for state, label in STATE_LABELS.items()},
    **{status.value: status.label for status in ApplicationStatus},
}


def _moment(text: str) -> str | None:
    """An ISO date-time stored in an event (``2025-03-07T09:00:00+08:00``) as local minutes."""
    if len(text) < 19 or text[10] != "T":
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(clock.zone())
    return f"{moment:%Y-%m-%d %H:%M}"


def _text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        return VALUE_LABELS.get(value) or _moment(value) or value
    if isinstance(value, Mapping):
        if "case" in value and ("materials" in value or "fields" in value):
            parts = [*value.get("materials", []), *value.get("fields", [])]
            reason = value.get("reason") or ""
            return f"{value['case']}：{'、'.join(parts)}" + (f"（{reason}）" if reason else "")
        if "case" in value:
            rest = "，".join(
                f"{DATA_LABELS.get(k, k)} {_text(v)}" for k, v in value.items() if k != "case"
            )
            return f"{value['case']} {rest}".strip()
        return "；".join(f"{DATA_LABELS.get(k, k)}：{_text(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "；".join(_text(item) for item in value) or "—"
    return str(value)


def describe(
    data: Mapping[str, Any], departments: Mapping[str, str] | None = None
) -> list[tuple[str, str]]:
    """An event's details as (label, text) lines (department codes by name when known)."""
    lines = []
    for key, value in (data or {}).items():
        if key == "department" and departments and value in departments:
            text = departments[value]
        elif key == "diff" and isinstance(value, Mapping):
            text = "；".join(
                f"{code}：{_text(pair[0])} → {_text(pair[1])}" for code, pair in value.items()
            )
        else:
            text = _text(value)
        if value in ("", None, [], {}):
            continue
        lines.append((DATA_LABELS.get(key, key), text))
    return lines


@dataclass
class TimelineRow:
    event: CaseEvent
    label: str
    actor: str
    role: str
    change: str
    details: list[tuple[str, str]]


def timeline(application: Application, case: Case | None = None) -> list[TimelineRow]:
    """The full history (办件日志), oldest first, as it happened."""
    departments = dict(Department.objects.values_list("code", "name"))
    actors: dict[int | None, str] = {}
    rows = []
    for event in case_selectors.timeline(application, case):
        if event.actor_id not in actors:
            actors[event.actor_id] = user_label(event.actor)
        change = ""
        if event.from_state and event.to_state and event.from_state != event.to_state:
            change = f"{_text(event.from_state)} → {_text(event.to_state)}"
        elif event.to_state and not event.from_state:
            change = _text(event.to_state)
        rows.append(
            TimelineRow(
                event,
                EVENT_LABELS.get(event.kind, event.kind),
                actors[event.actor_id],
                ROLE_LABELS.get(event.actor_role, event.actor_role),  # type: ignore[call-overload]
                change,
                describe(event.data, departments),
            )
        )
    return rows

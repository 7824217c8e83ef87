"""告知承诺 and 容缺: what follows the applicant's choice of mode for a material, after submission.

* At submission (:func:`record_at_submission`): one :class:`Commitment` per case × committed
  material, and one :class:`DeficiencyObligation` per case × material to be supplied later; the
  告知承诺书 PDFs are issued after the commit (:func:`issue_documents_safely`). The credit gate
  (:func:`check_credit_gate`) refuses both modes to a subject with a bad record (国办发〔2020〕42号,
  国办发〔2019〕35号: not until credit repair).
* At acceptance (:func:`on_accepted`): each commitment gets its verification due date (the item's
  ``commitment_verify_days`` working days, default ``BANSHI_COMMITMENT_VERIFY_DAYS``); each missing
  material its supplement due date, never beyond the case's ``decision_due`` (standards §2.14); one
  一次性告知 event, outbox message and 容缺受理通知书 lists them all.
* The reviewer records the finding (:func:`record_finding`): true → closed; false (虚假承诺) → the
  case is terminated, or its decision revoked, and a credit record written (standards §2.9).
* The applicant supplies a missing material (:func:`supply`): in time → closed.
* The periodic scan (:func:`scan`, called from :func:`banshi.cases.services.scan`): reminders
  before the due dates, and after them: a late supplement terminates the case with a credit record;
  a late verification is reported (the agency's delay is not the applicant's breach).

State changes go through the actions service's own helpers (lock, authorise, move, event, outbox),
so every one is an event and an outbox row in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from banshi.cases import deadlines, prereview
from banshi.cases.errors import RuleViolation
from banshi.cases.models import (
    Application,
    Case,
    Commitment,
    DeficiencyObligation,
    Finding,
    ObligationStatus,
)
from banshi.cases.transitions import ENDED, Action, Role, State
from banshi.core import clock
from banshi.workdays.services import get_calendar

log = logging.getLogger(__name__)

GRANTED = frozenset({State.DECIDED_GRANT, State.ISSUED, State.CLOSED})
COMMITTED_MODES = (prereview.MODE_COMMITMENT, prereview.MODE_DEFICIENCY)
COMMITMENT_TEXT = (
    "一、本人(本单位)已知晓行政机关告知的全部内容；二、本人(本单位)符合“{material}”所证明的条件、"
    "标准和要求；三、本人(本单位)所填写的信息和所作承诺真实、准确、完整，愿意接受行政机关的核查，"
    "并积极配合；四、如承诺不实，愿意承担终止办理、撤销行政许可决定等法律责任，并同意记入信用记录。"
)
VERIFICATION_TEXT = (
    "行政机关将在受理后{days}个工作日内，通过书面核查、数据共享核验或者实地核查等方式对承诺内容"
    "进行核查。本承诺书以电子签名方式签署，与手写签名具有同等法律效力；不得由他人代为承诺。"
)


# ------------------------------------------------------------------------------ credit gate
def _subject(applicant: Any, enterprise: Any) -> Any:
    return enterprise if enterprise is not None else applicant


def gate_reason(applicant: Any, enterprise: Any) -> tuple[str, str]:
    """``(zh, en)`` why the subject may not use 告知承诺 or 容缺, or ``("", "")``."""
    from banshi.credit.selectors import commitment_gate

    return commitment_gate(_subject(applicant, enterprise))


def committed_materials(materials: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [entry for entry in materials if entry.get("mode") in COMMITTED_MODES]


def check_credit_gate(applicant: Any, enterprise: Any, materials: Sequence[Mapping]) -> None:
    """Refuse a submission that uses 告知承诺 or 容缺 from a subject with a bad credit record."""
    if not committed_materials(materials):
        return
    zh, en = gate_reason(applicant, enterprise)
    if zh:
        raise RuleViolation(zh, en, rule="credit_gate")


def gate_findings(
    applicant: Any, enterprise: Any, choices: Mapping[str, prereview.MaterialChoice]
) -> list[prereview.Finding]:
    """Pre-review findings (blocking) for each material the applicant chose to commit or supply
    later while their credit does not allow it."""
    chosen = [code for code, choice in choices.items() if choice.mode in COMMITTED_MODES]
    if not chosen:
        return []
    zh, en = gate_reason(applicant, enterprise)
    if not zh:
        return []
    return [
        prereview.Finding(prereview.BLOCKING, prereview.KIND_MATERIAL, code, "credit_gate", zh, en)
        for code in chosen
    ]


# ------------------------------------------------------------------------------ submission
def _cases_needing(application: Application, cases: Mapping[str, Case], code: str) -> list[Case]:
    for planned in application.plan.get("materials", []):
        if planned.get("code") == code:
            return [cases[item] for item in planned.get("items", []) if item in cases]
    return list(cases.values())


def record_at_submission(application: Application, cases: Mapping[str, Case]) -> None:
    """One Commitment / DeficiencyObligation per case × material chosen so; the letters are issued
    after the commit."""
    now = clock.now()
    created = False
    for entry in committed_materials(application.materials or []):
        code, name = entry["code"], entry.get("name") or entry["code"]
        for case in _cases_needing(application, cases, code):
            if entry["mode"] == prereview.MODE_COMMITMENT:
                Commitment.objects.create(
                    application=application,
                    case=case,
                    material_code=code,
                    material_name=name,
                    text=COMMITMENT_TEXT.format(material=name),
                    signed_at=now,
                )
            else:
                DeficiencyObligation.objects.create(
                    application=application, case=case, material_code=code, material_name=name
                )
            created = True
    if created:
        pk = application.pk
        transaction.on_commit(lambda: issue_documents_safely(pk))


# ------------------------------------------------------------------------------ acceptance
def verify_days(case: Case) -> int:
    from banshi.credit import conf

    return case.item_version.commitment_verify_days or conf.verify_days()


def supplement_due(case: Case, accepted: dt.date) -> dt.date:
    """容缺 supplement due date: ``BANSHI_DEFICIENCY_SUPPLEMENT_DAYS`` working days after
    acceptance, but never beyond the case's promised time limit (standards §2.14)."""
    from banshi.credit import conf

    due = deadlines.due_after(get_calendar(), accepted, conf.supplement_days()).date
    if case.decision_due is not None and case.decision_due < due:
        return case.decision_due
    return due


def on_accepted(application: Application, cases: Sequence[Case], actor: Any, day: dt.date) -> None:
    """Set the due dates; one 一次性告知 of every missing material (event + outbox + notice)."""
    from banshi.cases import services

    by_case = {case.pk: case for case in cases}
    calendar = get_calendar()
    for commitment in Commitment.objects.filter(application=application, verify_due__isnull=True):
        case = by_case.get(commitment.case_id) or commitment.case
        commitment.verify_due = deadlines.due_after(calendar, day, verify_days(case)).date
        commitment.save(update_fields=["verify_due"])
    missing = []
    for obligation in DeficiencyObligation.objects.filter(
        application=application, status=ObligationStatus.OPEN, due__isnull=True
    ):
        case = by_case.get(obligation.case_id) or obligation.case
        obligation.due = supplement_due(case, day)
        obligation.save(update_fields=["due"])
        missing.append(
            {"case": case.number, "material": obligation.material_name, "due": obligation.due}
        )
    if missing:
        data = {"missing": missing, "due": min(entry["due"] for entry in missing)}
        services._event(application, None, "deficiency_notice", actor, data=data)
        services._outbox("application.deficiency_notice", application, data)
        pk = application.pk
        transaction.on_commit(lambda: issue_documents_safely(pk))


# ------------------------------------------------------------------------------ documents
def issue_documents_safely(application_pk: int) -> int:
    try:
        return issue_documents(Application.objects.get(pk=application_pk))
    except Exception:  # a missing font must not undo the submission; the scan retries
        log.exception("commitment documents for application %s not issued yet", application_pk)
        return 0


def issue_documents(application: Application) -> int:
    """告知承诺书 per commitment and one 容缺受理通知书 per application; idempotent."""
    from banshi.cases import notices
    from banshi.documents.content import CommitmentLetter, DeficiencyNotice, MissingMaterial
    from banshi.documents.services import issue_document

    count = 0
    pending = Commitment.objects.filter(application=application, document__isnull=True)
    for commitment in pending.select_related("case__item_version", "case__department"):
        case = commitment.case
        letter = CommitmentLetter(
            **notices._common(application, case.department.name, [case]),
            case_number=case.number,
            material=commitment.material_name,
            commitment=commitment.text,
            verification=VERIFICATION_TEXT.format(days=verify_days(case)),
            signed_on=commitment.signed_at.astimezone(clock.zone()).date(),
        )
        document = issue_document(
            letter, application=application, case=case, key=commitment.material_code
        )
        Commitment.objects.filter(pk=commitment.pk).update(document=document)
        count += 1
    obligations = list(
        DeficiencyObligation.objects.filter(application=application, due__isnull=False)
        .select_related("case__item_version", "case__department")
        .order_by("case__position", "pk")
    )
    if obligations and application.accepted_at is not None:
        cases = list(dict.fromkeys(o.case for o in obligations))
        notice = DeficiencyNotice(
            **notices._common(application, notices._centre(), cases),
            accepted_on=application.accepted_at.astimezone(clock.zone()).date(),
            missing=tuple(
                MissingMaterial(item=o.case.item_version.name, material=o.material_name)
                for o in obligations
            ),
            due_on=min(o.due for o in obligations),
        )
        issue_document(notice, application=application)
        count += 1
    return count


def retry_documents(limit: int = 200) -> int:
    ids = set(
        Commitment.objects.filter(document__isnull=True).values_list("application_id", flat=True)[
            :limit
        ]
    )
    return sum(issue_documents_safely(pk) for pk in ids)


# ------------------------------------------------------------------------------ verification
def _licence_revocation_hook(case: Case, reason: str) -> None:
    """撤销 the licence issued for ``case`` (after the revocation committed)."""
    from banshi.licences import services as licences

    try:
        licences.revoke_for_case(case, reason=f"许可决定已撤销(虚假承诺)：{reason}")
    except Exception:  # the decision is revoked regardless; the licence is revoked by hand then
        log.exception("licence of case %s not revoked automatically", case.number)


def _licence_remark_hook(case: Case) -> None:
    """容缺 supplied: the licence "with remark" is replaced by one without (after commit)."""
    from banshi.licences import services as licences

    try:
        licences.clear_remark_for_case(case, reason="容缺材料已补齐")
    except Exception:  # the supplement stands; staff replace the licence by hand then
        log.exception("remarked licence of case %s not replaced automatically", case.number)


def _revoke_grant_decision(application: Application, case: Case, reason: str) -> None:
    """The 准予行政许可决定书 no longer verifies as valid once the decision is revoked."""
    from banshi.documents.services import current_document, revoke_document

    document = current_document("grant", reference=application.number, case_reference=case.number)
    if document is not None:
        revoke_document(document, reason=f"许可决定已撤销(虚假承诺)：{reason}")


def _end_for_breach(
    application: Application, case: Case, actor: Any, cause: str, reason: str
) -> str:
    """Terminate an undecided case, revoke a granted one; nothing for one already ended."""
    from banshi.cases import services

    state = State(case.state)
    data = {"cause": cause, "reason": reason}
    if state in GRANTED:
        services._move(actor, application, case, Action.REVOKE, data)
        _revoke_grant_decision(application, case, reason)
        case_pk = case.pk
        transaction.on_commit(
            lambda: _licence_revocation_hook(Case.objects.get(pk=case_pk), reason)
        )
        return Action.REVOKE.value
    if state not in ENDED:
        services._move(actor, application, case, Action.TERMINATE, data)
        return Action.TERMINATE.value
    return ""


def record_finding(commitment: Commitment, true: bool, note: str, user: Any) -> Commitment:
    """核查结论 by a reviewer or department head of the case's department. False (虚假承诺): the
    case is terminated (not decided yet) or its decision revoked (granted), ``case.commitment_false``
    goes out and a credit record is written (国办发〔2020〕42号; standards §2.9)."""
    from banshi.cases import services
    from banshi.credit.models import RecordKind
    from banshi.credit.services import record_breach

    with transaction.atomic():
        application, case = services._lock_case(commitment.case_id)
        row = Commitment.objects.select_for_update().get(pk=commitment.pk)
        action = Action.REVOKE if State(case.state) in GRANTED else Action.TERMINATE
        actor = services._authorize(
            user,
            application,
            action,
            department=case.department.code,
            only=[Role.REVIEWER, Role.DEPARTMENT_HEAD],
        )
        if row.finding:
            raise RuleViolation(
                "该承诺已核查，结论不能更改", "this commitment was verified already"
            )
        text = (note or "").strip()
        if not true and not text:
            raise RuleViolation(
                "认定承诺不实须写明核查情况", "a false finding must state what was found"
            )
        now = clock.now()
        row.finding = Finding.TRUE if true else Finding.FALSE
        row.finding_note, row.verified_at, row.verified_by = text, now, user
        row.save()
        data = {
            "material": row.material_code,
            "finding": row.finding,
            "note": text,
            "late": bool(row.verify_due and clock.today() > row.verify_due),
        }
        services._event(application, case, "commitment_verified", actor, data=data)
        services._outbox("case.commitment_verified", application, data, case)
        if not true:
            ended = _end_for_breach(application, case, actor, "commitment_false", text)
            services._outbox("case.commitment_false", application, {**data, "action": ended}, case)
            record_breach(
                case,
                RecordKind.COMMITMENT_BREACH,
                f"办件 {case.number} 对“{row.material_name}”作出的告知承诺经核查不实：{text}",
                basis="国办发〔2020〕42号 告知承诺制",
            )
        return row


# ------------------------------------------------------------------------------ 容缺
def supply(obligation: DeficiencyObligation, user: Any, files: Sequence[Mapping]) -> None:
    """补交 a missing material: the applicant (or agent), in time; ``case.deficiency_cleared``."""
    from banshi.cases import services

    with transaction.atomic():
        application, case = services._lock_case(obligation.case_id)
        row = DeficiencyObligation.objects.select_for_update().get(pk=obligation.pk)
        actor = services._authorize(
            user,
            application,
            Action.WITHDRAW,
            only=[Role.APPLICANT],
            denial=(
                "只有申请人或其代办人可以补交材料",
                "only the applicant or their agent supplies a missing material",
            ),
        )
        if row.status != ObligationStatus.OPEN:
            raise RuleViolation(
                f"“{row.material_name}”无需补交(状态：{row.get_status_display()})",
                f"{row.material_name!r} is not awaiting a supplement ({row.status})",
            )
        if not files:
            raise RuleViolation("请上传补交的材料", "upload the material")
        if row.due is not None and clock.today() > row.due:
            raise RuleViolation(
                f"补交期限 {row.due} 已过，办件将依法终止",
                f"the supplement was due on {row.due}: the case ends",
            )
        row.status, row.supplied_at, row.files = ObligationStatus.SUPPLIED, clock.now(), list(files)
        row.save()
        data = {"material": row.material_code, "files": [f.get("sha256") for f in files]}
        services._event(application, case, "deficiency_supplied", actor, data=data)
        services._outbox("case.deficiency_cleared", application, data, case)
        case_pk = case.pk
        transaction.on_commit(lambda: _licence_remark_hook(Case.objects.get(pk=case_pk)))


def open_obligations(case: Case) -> list[DeficiencyObligation]:
    return list(case.deficiency_obligations.filter(status=ObligationStatus.OPEN))


def check_issuable(case: Case) -> None:
    """制证 waits for the 容缺 supplement unless the item allows a licence with remark
    (standards §2.15: the result certificate is issued only after the supplement)."""
    names = [o.material_name for o in open_obligations(case)]
    if names and not case.item_version.remarked_licence:
        raise RuleViolation(
            f"容缺材料({'、'.join(names)})尚未补齐，补齐后方可制证",
            "materials accepted as missing (容缺) are not supplied yet: issue after the supplement",
        )


def licence_remark(case: Case) -> str:
    """The "with remark" text for a licence issued while 容缺 materials are still open, where the
    item allows a remarked licence; "" otherwise (called by the licences app at grant)."""
    if not case.item_version.remarked_licence:
        return ""
    names = [o.material_name for o in open_obligations(case)]
    if not names:
        return ""
    return "容缺受理，待补齐：" + "、".join(dict.fromkeys(names))


# ------------------------------------------------------------------------------ scan
@dataclass
class CommitmentScan:
    reminded: list[str] = field(default_factory=list)
    overdue_verifications: list[str] = field(default_factory=list)
    breached: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = []
        if self.reminded:
            out.append(f"承诺/容缺到期提醒 {len(self.reminded)} 件")
        if self.overdue_verifications:
            out.append(f"告知承诺核查超期 {len(self.overdue_verifications)} 件")
        if self.breached:
            out.append(f"容缺逾期未补交终止 {len(self.breached)} 件: {', '.join(self.breached)}")
        return out


def _remind_from(due: dt.date) -> dt.date:
    from banshi.credit import conf

    return get_calendar().add(due, -conf.remind_days())


def scan(today: dt.date | None = None) -> CommitmentScan:
    """Reminders before the due dates, breaches after them; idempotent (each row is reminded,
    reported or breached once: the timestamps say so)."""
    day = today or clock.today()
    report = CommitmentScan()
    for commitment in Commitment.objects.filter(
        finding=Finding.PENDING, verify_due__isnull=False
    ).select_related("case"):
        if commitment.reminded_at is None and _remind_from(commitment.verify_due) <= day:
            _mark(commitment, "reminded_at", "commitment.verification_due")
            report.reminded.append(commitment.case.number)
        if commitment.overdue_at is None and day > commitment.verify_due:
            _mark(commitment, "overdue_at", "commitment.verification_overdue")
            report.overdue_verifications.append(commitment.case.number)
    for obligation in DeficiencyObligation.objects.filter(
        status=ObligationStatus.OPEN, due__isnull=False
    ).select_related("case"):
        if day > obligation.due:
            if breach_supplement(obligation, day):
                report.breached.append(obligation.case.number)
        elif obligation.reminded_at is None and _remind_from(obligation.due) <= day:
            _mark(obligation, "reminded_at", "deficiency.due_soon")
            report.reminded.append(obligation.case.number)
    return report


def _mark(row: Commitment | DeficiencyObligation, stamp: str, topic: str) -> None:
    from banshi.cases import services

    with transaction.atomic():
        application, case = services._lock_case(row.case_id)
        model = type(row)
        fresh = model.objects.select_for_update().get(pk=row.pk)
        if getattr(fresh, stamp) is not None:
            return
        setattr(fresh, stamp, clock.now())
        fresh.save(update_fields=[stamp])
        due = fresh.verify_due if isinstance(fresh, Commitment) else fresh.due
        services._outbox(topic, application, {"material": fresh.material_name, "due": due}, case)


def breach_supplement(obligation: DeficiencyObligation, today: dt.date) -> bool:
    """容缺 not supplied by the due date: the case ends (终止; 撤销 if already granted with a
    remark) and a credit record is written (国办发〔2019〕35号; standards §2.15)."""
    from banshi.cases import services
    from banshi.credit.models import RecordKind
    from banshi.credit.services import record_breach

    with transaction.atomic():
        application, case = services._lock_case(obligation.case_id)
        row = DeficiencyObligation.objects.select_for_update().get(pk=obligation.pk)
        if row.status != ObligationStatus.OPEN or row.due is None or today <= row.due:
            return False
        if State(case.state) in ENDED - GRANTED:  # withdrawn, denied, terminated: nothing owed
            row.status = ObligationStatus.VOID
            row.save(update_fields=["status"])
            return False
        row.status, row.breached_at = ObligationStatus.BREACHED, clock.now()
        row.save(update_fields=["status", "breached_at"])
        reason = f"容缺材料“{row.material_name}”未在 {row.due} 前补交"
        services._event(
            application,
            case,
            "deficiency_breached",
            services._SYSTEM,
            data={"material": row.material_code, "due": row.due},
        )
        _end_for_breach(application, case, services._SYSTEM, "deficiency_late", reason)
        DeficiencyObligation.objects.filter(case=case, status=ObligationStatus.OPEN).update(
            status=ObligationStatus.VOID
        )
        record_breach(
            case,
            RecordKind.DEFICIENCY_BREACH,
            f"办件 {case.number}：{reason}",
            basis="国办发〔2019〕35号 容缺受理",
        )
        return True


# ------------------------------------------------------------------------------ 信用+秒批
def instant_eligible(application: Application, cases: Sequence[Case]) -> bool:
    """信用+秒批: every item marked ``instant_approval``, no dependencies or joint review, every
    material to upload uploaded (no 告知承诺 or 容缺), and the subject in good standing (良好)."""
    from banshi.credit.selectors import standing

    if not cases or not all(case.item_version.instant_approval for case in cases):
        return False
    if any(case.joint_review or case.depends_on.exists() for case in cases):
        return False
    materials = application.materials or []
    if committed_materials(materials):
        return False
    uploaded = {e["code"] for e in materials if e.get("mode") == prereview.MODE_UPLOAD}
    for planned in application.plan.get("materials", []):
        if _to_upload(planned) and planned.get("code") not in uploaded:
            return False
    subject = _subject(application.applicant, application.enterprise)
    return standing(subject).good


def _to_upload(planned: Mapping[str, Any]) -> bool:
    if planned.get("route") == "upload":
        return True
    if planned.get("route") == "licence":
        return planned.get("licence_held") is False and not planned.get("produced_by")
    return False


def scan_job() -> int:
    """The commitment/容缺 scan as a background job (:mod:`banshi.core.jobs`): reminders and
    breaches, then documents not yet generated; returns how many lines of change it logged."""
    lines = list(scan().lines())
    for line in lines:
        log.info("scan_commitments: %s", line)
    retry_documents()
    return len(lines)

"""The written notices the law requires, issued from the case engine's events.

After an action commits, :func:`issue_notices` looks at the application's events and issues every
document the law asks for that does not exist yet — 受理通知书 (第32条), 补正材料通知书 (第32条(四)),
不予受理通知书 (第32条), 延期通知书 (第42条), 特别程序告知书 (第45条), 准予/不予行政许可决定书
(第38条). It is idempotent (the documents service returns an existing document for the same kind,
application, case and key), so a failed render (a machine without the PDF libraries or fonts) is
simply retried by the periodic deadline scan, and never blocks or undoes the legal action itself.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction

from banshi.cases.models import Application, Case, CaseEvent, Extension, Pause
from banshi.core import clock

log = logging.getLogger(__name__)

APPLICATION_EVENTS = {"accepted", "correction_notice", "refused"}
CASE_EVENTS = {
    "approve_extension",
    "pause",
    "grant",
    "deny",
    "decide_on_the_spot",
    "deny_on_the_spot",
    "auto_grant",
}
NOTICE_EVENTS = APPLICATION_EVENTS | CASE_EVENTS


def schedule(application: Application) -> None:
    """Issue the application's pending notices once the current transaction commits."""
    pk = application.pk
    transaction.on_commit(lambda: issue_notices_safely(pk))


def issue_notices_safely(application_pk: int) -> int:
    """:func:`issue_notices`, logging instead of raising: the action has already happened."""
    try:
        return issue_notices(Application.objects.get(pk=application_pk))
    except Exception:  # a missing font or library must not turn a legal act into a 500
        log.exception("notices for application %s could not be issued yet", application_pk)
        return 0


def issue_notices(application: Application) -> int:
    """Issue every required notice of ``application`` that does not exist yet; return how many
    documents were looked at (existing ones are returned, not duplicated, by the documents service)."""
    from banshi.documents.services import issue_document

    count = 0
    for event in application.events.filter(kind__in=NOTICE_EVENTS).select_related("case"):
        built = build(application, event)
        if built is None:
            continue
        content, case, key = built
        issue_document(
            content,
            department=case.department if case else None,
            application=application,
            case=case,
            key=key,
        )
        count += 1
    return count


def retry_pending(limit: int = 500) -> int:
    """Re-try notices for recent applications with notice events (called by the deadline scan)."""
    from banshi.documents.models import Document

    recent = (
        CaseEvent.objects.filter(kind__in=NOTICE_EVENTS)
        .order_by("-at")
        .values_list("application_id", flat=True)[:limit]
    )
    issued = 0
    for pk in dict.fromkeys(recent):
        events = CaseEvent.objects.filter(application_id=pk, kind__in=NOTICE_EVENTS).count()
        if Document.objects.filter(application_id=pk).count() < events:
            issued += issue_notices_safely(pk)
    return issued


# --- building the content of each notice --------------------------------------------------------


def build(application: Application, event: CaseEvent) -> tuple[Any, Case | None, str] | None:
    builder = BUILDERS.get(event.kind)
    return builder(application, event) if builder else None


def _applicant(application: Application):
    from banshi.documents.content import Applicant

    if application.enterprise_id:
        enterprise = application.enterprise
        return Applicant(name=enterprise.name, organisation=True, identifier=enterprise.uscc)
    person = application.applicant
    return Applicant(name=person.name, identifier=person.masked_id_number)


def _centre() -> str:
    return f"{settings.BANSHI_REGION_NAME}政务服务中心"


def _item_names(cases: Iterable[Case]) -> tuple[str, ...]:
    return tuple(case.item_version.name for case in cases)


def _common(application: Application, agency: str, cases: Iterable[Case]) -> dict[str, Any]:
    cases = list(cases)
    contacts = [case.item_version.contact for case in cases if case.item_version.contact]
    return {
        "applicant": _applicant(application),
        "agency": agency,
        "items": _item_names(cases),
        "application_number": application.number,
        "contact": contacts[0] if len(cases) == 1 and contacts else settings.BANSHI_CONTACT,
    }


def _local(moment):
    return moment.astimezone(clock.zone()).date() if moment else None


def _acceptance(application: Application, event: CaseEvent):
    from banshi.documents.content import AcceptanceNotice

    cases = list(application.cases.select_related("item_version"))
    dues = [case.decision_due for case in cases if case.decision_due]
    days = [case.decision_days for case in cases if case.decision_days is not None]
    content = AcceptanceNotice(
        **_common(application, _centre(), cases),
        received_on=_local(application.received_at),
        accepted_on=_local(application.accepted_at) or event.at.date(),
        expected_decision_on=max(dues) if dues else _local(application.accepted_at),
        decision_days=max(days) if days else None,
        deemed=application.deemed_accepted,
    )
    return content, None, ""


def _correction(application: Application, event: CaseEvent):
    from banshi.documents.content import Correction, CorrectionNotice

    cases = {case.number: case for case in application.cases.select_related("item_version")}
    lines = []
    for entry in event.data.get("items", []):
        case = cases.get(entry.get("case"))
        item = case.item_version.name if case else entry.get("case", "")
        subjects = [*entry.get("materials", []), *entry.get("fields", [])] or ["申请材料"]
        for subject in subjects:
            lines.append(
                Correction(
                    item=item,
                    subject=str(subject),
                    requirement=entry.get("reason") or "请按要求补正",
                )
            )
    notice = application.correction_notice
    content = CorrectionNotice(
        **_common(application, _centre(), cases.values()),
        received_on=_local(application.received_at),
        corrections=tuple(lines),
        due_on=notice.due,
        delivered_on=_local(notice.issued_at),
    )
    return content, None, ""


def _refusal(application: Application, event: CaseEvent):
    from banshi.documents.content import RefusalGround, RefusalNotice

    ground = {
        "not_required": RefusalGround.NOT_REQUIRED,
        "not_competent": RefusalGround.NOT_COMPETENT,
    }.get(event.data.get("ground"), RefusalGround.NOT_ELIGIBLE)
    content = RefusalNotice(
        **_common(application, _centre(), application.cases.select_related("item_version")),
        received_on=_local(application.received_at),
        ground=ground,
        reasons=tuple(event.data.get("reasons") or ()),
        redirect_agency=event.data.get("redirect_agency", ""),
    )
    return content, None, ""


def _extension(application: Application, event: CaseEvent):
    from banshi.documents.content import ExtensionNotice

    case = event.case
    extension = Extension.objects.select_related("approved_by").get(case=case)
    from banshi.workdays.services import get_calendar

    new_due = _date(event.data.get("decision_due")) or case.decision_due
    original = get_calendar().add(new_due, -extension.days) if new_due else None
    content = ExtensionNotice(
        **_common(application, case.department.name, [case]),
        case_number=case.number,
        reason=extension.reason,
        original_due=original,
        new_due=new_due,
        extension_days=extension.days,
        approver=("本级人民政府负责人" if extension.joint else "本机关负责人"),
        approved_on=_local(extension.approved_at),
    )
    return content, case, ""


def _pause(application: Application, event: CaseEvent):
    from banshi.documents.content import SpecialProcedureNotice

    case = event.case
    pause = (
        Pause.objects.filter(case=case, started_at__lte=event.at).order_by("-started_at").first()
    )
    if pause is None:
        return None
    content = SpecialProcedureNotice(
        **_common(application, case.department.name, [case]),
        case_number=case.number,
        procedure=pause.get_reason_display(),
        expected_days=pause.expected_days,
        starts_on=_local(pause.started_at),
        reason=pause.notice_text or "",
    )
    return content, case, f"pause-{pause.pk}"


def _grant(application: Application, event: CaseEvent):
    from banshi.documents.content import GrantDecision

    case = event.case
    version = case.item_version
    content = GrantDecision(
        **_common(application, case.department.name, [case]),
        case_number=case.number,
        decided_on=_local(case.decided_at) or event.at.date(),
        decision=f"经审查，你（单位）的申请符合法定条件、标准，决定准予{version.name}。",
        basis=version.legal_basis or "",
        licence_name=version.produces.name if version.produces_id else "",
        issue_due=case.issue_due,
    )
    return content, case, ""


def _denial(application: Application, event: CaseEvent):
    from banshi.documents.content import DenialDecision

    case = event.case
    reasons = tuple(line for line in (case.decision_reasons or "").splitlines() if line.strip())
    content = DenialDecision(
        **_common(application, case.department.name, [case]),
        case_number=case.number,
        decided_on=_local(case.decided_at) or event.at.date(),
        reasons=reasons or ("不符合法定条件、标准",),
        basis=case.item_version.legal_basis or "",
    )
    return content, case, ""


def _date(value):
    import datetime as dt

    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


BUILDERS = {
    "accepted": _acceptance,
    "correction_notice": _correction,
    "refused": _refusal,
    "approve_extension": _extension,
    "pause": _pause,
    "grant": _grant,
    "decide_on_the_spot": _grant,
    "auto_grant": _grant,
    "deny": _denial,
    "deny_on_the_spot": _denial,
}

"""Credit operations, one function per use case, each in one transaction.

Breaches come from the case engine (:mod:`banshi.cases.commitments` calls :func:`record_breach`);
departments push records and list memberships by file or API (:func:`import_rows`); the subject
asks for a repair (:func:`file_repair`) and a supervisor or the head of the record's department
decides it (:func:`decide_repair`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction

from banshi.cases.errors import PermissionDenied, RuleViolation
from banshi.catalog.models import Department
from banshi.core import clock
from banshi.credit import conf
from banshi.credit.models import (
    CreditListEntry,
    CreditRecord,
    ImportBatch,
    ListKind,
    RecordKind,
    RecordSource,
    RepairRequest,
    RepairStatus,
    Severity,
)
from banshi.credit.selectors import subject_fields
from banshi.people import permissions
from banshi.people.models import Enterprise, Person, Role


# ------------------------------------------------------------------------------- breaches
def record_breach(case: Any, kind: str, facts: str, *, basis: str = "") -> CreditRecord:
    """信用记录 for a broken commitment or a missed 容缺 supplement on ``case``; one per case and
    kind (a second call returns the first). The subject is the application's enterprise, else
    the applicant (standards §2.9, §2.11)."""
    application = case.application
    subject = application.enterprise or application.applicant
    existing = CreditRecord.objects.filter(case=case, kind=kind).first()
    if existing is not None:
        return existing
    now = clock.now()
    return CreditRecord.objects.create(
        **subject_fields(subject),
        kind=kind,
        severity=conf.breach_severity(),
        department=case.department,
        source=RecordSource.CASE,
        facts=facts,
        basis=basis,
        occurred_on=clock.today(),
        case=case,
        recorded_at=now,
    )


# ------------------------------------------------------------------------------- lists
def enter_list(
    subject: Person | Enterprise,
    list_kind: str,
    reason: str,
    *,
    entered_on: dt.date | None = None,
    department: Department | None = None,
) -> CreditListEntry:
    if list_kind not in ListKind.values:
        raise RuleViolation(f"未知的名录：{list_kind}", f"unknown credit list: {list_kind}")
    return CreditListEntry.objects.create(
        **subject_fields(subject),
        list_kind=list_kind,
        reason=reason,
        entered_on=entered_on or clock.today(),
        department=department,
    )


def exit_list(entry: CreditListEntry, reason: str, *, exited_on: dt.date | None = None) -> None:
    entry.exited_on = exited_on or clock.today()
    entry.exit_reason = reason
    entry.save(update_fields=["exited_on", "exit_reason"])


# ------------------------------------------------------------------------------- repair
def _stands_for(user: Any, record: CreditRecord) -> bool:
    person, enterprises = permissions.applicant_subjects(user)
    if record.person_id is not None:
        return person is not None and person.pk == record.person_id
    return any(enterprise.pk == record.enterprise_id for enterprise in enterprises)


def file_repair(record: CreditRecord, user: Any, statement: str) -> RepairRequest:
    """信用修复申请: only the subject (or who stands for the enterprise), with a statement of the
    rectification; one pending request per record."""
    if not _stands_for(user, record):
        raise PermissionDenied(
            "只能为本人或本企业的信用记录申请修复",
            "you may ask to repair only your own or your enterprise's records",
        )
    if record.repaired_at is not None:
        raise RuleViolation("该记录已修复", "this record has already been repaired")
    text = (statement or "").strip()
    if not text:
        raise RuleViolation("请说明修复理由及整改情况", "state the reasons and what was rectified")
    try:
        with transaction.atomic():
            return RepairRequest.objects.create(
                record=record, filed_by=user, filed_at=clock.now(), statement=text
            )
    except IntegrityError:
        raise RuleViolation(
            "该记录已有待审核的修复申请", "a repair request for this record is already pending"
        ) from None


def may_decide_repair(user: Any, record: CreditRecord) -> bool:
    """效能监督 anywhere; 部门负责人 of the record's department."""
    if permissions.has_role(user, Role.SUPERVISOR):
        return True
    if record.department_id is None or not permissions.has_role(user, Role.DEPARTMENT_HEAD):
        return False
    return permissions.may_see_department(user, record.department.code)


@transaction.atomic
def decide_repair(request: RepairRequest, user: Any, approve: bool, reasons: str) -> RepairRequest:
    """Approve (the record stops counting from now) or deny, with reasons, recorded."""
    locked = RepairRequest.objects.select_for_update().select_related("record").get(pk=request.pk)
    if not may_decide_repair(user, locked.record):
        raise PermissionDenied(
            "只有效能监督人员或认定部门负责人可以审核信用修复",
            "only a supervisor or the head of the record's department decides a repair",
        )
    if locked.status != RepairStatus.PENDING:
        raise RuleViolation("该申请已审核", "this request has already been decided")
    text = (reasons or "").strip()
    if not text:
        raise RuleViolation("请填写审核理由", "give the reasons for the decision")
    now = clock.now()
    locked.status = RepairStatus.APPROVED if approve else RepairStatus.DENIED
    locked.decided_by = user
    locked.decided_at = now
    locked.decision_reasons = text
    locked.save()
    if approve:
        CreditRecord.objects.filter(pk=locked.record_id).update(repaired_at=now)
    return locked


# ------------------------------------------------------------------------------- imports
@dataclass
class ImportRow:
    """One validated row from a department (file or API)."""

    row: int
    subject: Person | Enterprise | None
    identifier: str
    name: str
    kind: str
    severity: str
    facts: str
    occurred_on: dt.date
    valid_until: dt.date | None = None
    external_id: str = ""
    basis: str = ""
    list_kind: str = ""
    enterprise: bool = True


@dataclass
class ImportOutcome:
    batch: ImportBatch
    created: list[int] = field(default_factory=list)


def _subject_for_row(row: ImportRow) -> Person | Enterprise:
    """The row's subject; one the platform does not know yet is registered with the row's name
    (validation made sure it has one), so the record is there when they first apply."""
    if row.subject is not None:
        return row.subject
    if row.enterprise:
        return Enterprise.objects.get_or_create(uscc=row.identifier, defaults={"name": row.name})[0]
    return Person.objects.get_or_create(id_number=row.identifier, defaults={"name": row.name})[0]


@transaction.atomic
def import_rows(
    department: Department,
    rows: Iterable[ImportRow],
    rejected: list[Mapping[str, Any]],
    *,
    source: str,
    user: Any = None,
    file_name: str = "",
) -> ImportOutcome:
    """Store the good rows (records, or list memberships where ``list_kind`` is set); a row whose
    ``external_id`` this department already sent counts as a duplicate, not an error. The batch
    keeps the rejected rows and why, for the report."""
    batch = ImportBatch.objects.create(
        department=department,
        source=source,
        file_name=file_name[:200],
        imported_by=user,
        at=clock.now(),
        rejected=list(rejected),
    )
    outcome = ImportOutcome(batch)
    for row in rows:
        subject = _subject_for_row(row)
        if row.list_kind:
            enter_list(
                subject,
                row.list_kind,
                row.facts,
                entered_on=row.occurred_on,
                department=department,
            )
            batch.accepted += 1
            continue
        if (
            row.external_id
            and CreditRecord.objects.filter(
                department=department, external_id=row.external_id
            ).exists()
        ):
            batch.duplicates += 1
            continue
        record = CreditRecord.objects.create(
            **subject_fields(subject),
            kind=row.kind or RecordKind.IMPORTED,
            severity=row.severity or Severity.MINOR,
            department=department,
            source=source,
            external_id=row.external_id,
            facts=row.facts,
            basis=row.basis,
            occurred_on=row.occurred_on,
            valid_until=row.valid_until,
            recorded_at=clock.now(),
        )
        outcome.created.append(record.pk)
        batch.accepted += 1
    batch.save()
    return outcome

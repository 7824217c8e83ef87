"""Reads of banshi.credit: a subject's standing (level, what counts), the gates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from banshi.core import clock
from banshi.credit import rules
from banshi.credit.models import CreditListEntry, CreditRecord, RepairRequest
from banshi.people.models import Enterprise, Person


def subject_of(applicant: Person | None, enterprise: Enterprise | None) -> Person | Enterprise:
    """The credit subject of an application: the enterprise applied for, else the person."""
    if enterprise is not None:
        return enterprise
    if applicant is None:
        raise ValueError("a credit subject needs a person or an enterprise")
    return applicant


def subject_q(subject: Person | Enterprise) -> Q:
    if isinstance(subject, Enterprise):
        return Q(enterprise=subject)
    return Q(person=subject)


def subject_fields(subject: Person | Enterprise) -> dict[str, Any]:
    """``person=`` or ``enterprise=`` for creating a row about ``subject``."""
    if isinstance(subject, Enterprise):
        return {"enterprise": subject, "person": None}
    return {"person": subject, "enterprise": None}


def subject_label(subject: Person | Enterprise) -> str:
    return subject.name


def records(subject: Person | Enterprise) -> QuerySet[CreditRecord]:
    return CreditRecord.objects.filter(subject_q(subject)).select_related("department", "case")


def list_entries(subject: Person | Enterprise) -> QuerySet[CreditListEntry]:
    return CreditListEntry.objects.filter(subject_q(subject)).select_related("department")


def repair_requests(subject: Person | Enterprise) -> QuerySet[RepairRequest]:
    return RepairRequest.objects.filter(
        Q(record__person=subject) if isinstance(subject, Person) else Q(record__enterprise=subject)
    ).select_related("record")


@dataclass(frozen=True)
class Standing:
    """信用状况 of a subject on a day."""

    level: str
    counting_records: list[CreditRecord] = field(default_factory=list)
    current_lists: list[CreditListEntry] = field(default_factory=list)

    @property
    def label(self) -> str:
        return rules.LEVEL_LABELS[self.level]

    @property
    def label_en(self) -> str:
        return rules.LEVEL_LABELS_EN[self.level]

    @property
    def gated(self) -> bool:
        """告知承诺 and 容缺 are closed to this subject (until repair)."""
        return self.level in rules.GATED_LEVELS

    @property
    def good(self) -> bool:
        """In good standing (良好): eligible for 信用+秒批."""
        return self.level == rules.GOOD


def _fact(record: CreditRecord) -> rules.RecordFact:
    return rules.RecordFact(
        kind=record.kind,
        severity=record.severity,
        occurred_on=record.occurred_on,
        valid_until=record.valid_until,
        repaired=record.repaired_at is not None,
    )


def _list_fact(entry: CreditListEntry) -> rules.ListFact:
    return rules.ListFact(entry.list_kind, entry.entered_on, entry.exited_on)


def standing(subject: Person | Enterprise, on: dt.date | None = None) -> Standing:
    """The level of ``subject`` on ``on`` (today by default) with what makes it so."""
    day = on or clock.today()
    record_rows = list(records(subject))
    list_rows = list(list_entries(subject))
    level = rules.level([_fact(r) for r in record_rows], [_list_fact(e) for e in list_rows], day)
    return Standing(
        level=level,
        counting_records=[r for r in record_rows if rules.record_counts(_fact(r), day)],
        current_lists=[e for e in list_rows if rules.listed(_list_fact(e), day)],
    )


def credit_level(subject: Person | Enterprise, on: dt.date | None = None) -> str:
    """信用等级 A/B/C/D (良好/一般/较差/失信); the rule is in :mod:`banshi.credit.rules`."""
    return standing(subject, on).level


def commitment_gate(subject: Person | Enterprise, on: dt.date | None = None) -> tuple[str, str]:
    """Why ``subject`` may not use 告知承诺 or 容缺 — ``(zh, en)`` — or ``("", "")`` if it may
    (国办发〔2020〕42号; 国办发〔2019〕35号: not until credit repair)."""
    found = standing(subject, on)
    if not found.gated:
        return "", ""
    reasons_zh = [entry.get_list_kind_display() for entry in found.current_lists]
    reasons_zh += [record.get_kind_display() for record in found.counting_records]
    because = "、".join(dict.fromkeys(reasons_zh)) or found.label
    return (
        f"{subject.name} 信用等级为“{found.label}”（{because}），在信用修复前不能选择告知承诺或容缺后补，"
        "请上传材料",
        f"{subject.name} has a bad credit standing ({found.label_en}): commitment (告知承诺) and "
        "supplying later (容缺) are not available until the credit is repaired; upload the material",
    )

"""The credit level rule (pure: no Django import), so it can be read and tested as a table.

Level of a subject on a day, from what counts that day — records not repaired and still inside
their publication period (公示期), list memberships entered and not yet exited:

==========  =========  =====================================================================
Level       Label      When
==========  =========  =====================================================================
``D``       失信       on 严重失信主体名单, or a counting record of severity 严重
``C``       较差       on 经营异常名录, or a counting record of severity 较重, or a counting
                       虚假承诺 / 容缺逾期 record (国办发〔2020〕42号: a previous false commitment)
``B``       一般       any other counting record (severity 一般)
``A``       良好       nothing counts
==========  =========  =====================================================================

Gates: commitment (告知承诺) and 容缺 are closed at C and D (standards §2.4, §2.16: "serious bad
credit record or a previous false commitment, until credit repair"); 信用+秒批 needs A.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

GOOD, FAIR, POOR, DISHONEST = "A", "B", "C", "D"
LEVEL_LABELS = {GOOD: "良好", FAIR: "一般", POOR: "较差", DISHONEST: "失信"}
LEVEL_LABELS_EN = {GOOD: "good", FAIR: "fair", POOR: "poor", DISHONEST: "dishonest"}
BREACH_KINDS = frozenset({"commitment_breach", "deficiency_breach"})
GATED_LEVELS = frozenset({POOR, DISHONEST})


@dataclass(frozen=True)
class RecordFact:
    kind: str
    severity: str
    occurred_on: dt.date
    valid_until: dt.date | None = None
    repaired: bool = False


@dataclass(frozen=True)
class ListFact:
    list_kind: str
    entered_on: dt.date
    exited_on: dt.date | None = None


def record_counts(record: RecordFact, on: dt.date) -> bool:
    if record.repaired or record.occurred_on > on:
        return False
    return record.valid_until is None or record.valid_until >= on


def listed(entry: ListFact, on: dt.date) -> bool:
    return entry.entered_on <= on and (entry.exited_on is None or entry.exited_on > on)


def level(records: Iterable[RecordFact], lists: Iterable[ListFact], on: dt.date) -> str:
    """The level (A–D) per the table above."""
    counting = [record for record in records if record_counts(record, on)]
    on_lists = {entry.list_kind for entry in lists if listed(entry, on)}
    if "serious" in on_lists or any(r.severity == "grave" for r in counting):
        return DISHONEST
    if (
        "abnormal" in on_lists
        or any(r.severity == "serious" for r in counting)
        or any(r.kind in BREACH_KINDS for r in counting)
    ):
        return POOR
    if counting:
        return FAIR
    return GOOD

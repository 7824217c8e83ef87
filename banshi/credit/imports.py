"""Validating credit rows a department sends, by file (CSV / Excel, read with the policies app's
:func:`banshi.policies.imports.read_table`) or by API (the same rows as JSON objects).

Columns (header row; Chinese or English names): 统一社会信用代码 or 公民身份号码 (``identifier``),
名称 (``name``, needed when the platform does not know the subject yet), 类别 (``kind``), 失信程度
(``severity``), 失信事实 (``facts``), 发生日期 (``occurred_on``), optionally 公示截止
(``valid_until``), 来源编号 (``external_id``), 认定依据 (``basis``), 名录 (``list``: 经营异常名录 /
严重失信主体名单 makes the row a list membership instead of a record). A row with any bad cell is
rejected whole and reported (row number as the spreadsheet shows it, column, reason in Chinese and
English); the good rows are stored by :func:`banshi.credit.services.import_rows`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from banshi.credit.models import ListKind, RecordKind, Severity
from banshi.credit.services import ImportRow
from banshi.people import identifiers
from banshi.people.models import Enterprise, Person
from banshi.policies.imports import FileProblem, RowError, read_table

HEADERS = {
    "identifier": {"统一社会信用代码", "公民身份号码", "身份证号码", "证件号码", "identifier"},
    "name": {"名称", "姓名", "主体名称", "企业名称", "name"},
    "kind": {"类别", "记录类别", "kind"},
    "severity": {"失信程度", "严重程度", "severity"},
    "facts": {"失信事实", "事实", "事由", "facts"},
    "occurred_on": {"发生日期", "认定日期", "列入日期", "occurred_on"},
    "valid_until": {"公示截止", "公示截止日期", "valid_until"},
    "external_id": {"来源编号", "决定书文号", "external_id"},
    "basis": {"认定依据", "basis"},
    "list": {"名录", "名单", "list"},
}
REQUIRED = ("identifier", "facts", "occurred_on")
_CHOICES = {
    "kind": {**{v: v for v in RecordKind.values}, **{label: v for v, label in RecordKind.choices}},
    "severity": {
        **{v: v for v in Severity.values},
        **{label: v for v, label in Severity.choices},
    },
    "list": {**{v: v for v in ListKind.values}, **{label: v for v, label in ListKind.choices}},
}
_LABELS = {
    "identifier": "证件号码",
    "name": "名称",
    "kind": "类别",
    "severity": "失信程度",
    "facts": "失信事实",
    "occurred_on": "发生日期",
    "valid_until": "公示截止",
    "list": "名录",
}


@dataclass
class Checked:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    total: int = 0

    def rejected(self) -> list[dict[str, Any]]:
        return [error.as_dict() for error in self.errors]


class _Bad(ValueError):
    def __init__(self, column: str, zh: str, en: str) -> None:
        self.column, self.zh, self.en = column, zh, en
        super().__init__(zh)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value).strip()


def _date(column: str, value: Any, *, required: bool) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text:
        if required:
            raise _Bad(column, f"{_LABELS[column]}不能为空", f"{column} is required")
        return None
    try:
        return dt.date.fromisoformat(text.replace("/", "-"))
    except ValueError:
        raise _Bad(
            column,
            f"{_LABELS[column]}“{text}”不是日期(应为 YYYY-MM-DD)",
            f"{column} {text!r} is not a date (YYYY-MM-DD)",
        ) from None


def _choice(column: str, value: Any, default: str) -> str:
    text = _text(value)
    if not text:
        return default
    found = _CHOICES[column].get(text)
    if found is None:
        allowed = "、".join(label for label in _CHOICES[column] if not label.isascii())
        raise _Bad(
            column,
            f"{_LABELS[column]}“{text}”无效，应为：{allowed}",
            f"{column} {text!r} is not one of {', '.join(v for v in _CHOICES[column] if v.isascii())}",
        )
    return found


def _identify(identifier: str) -> tuple[str, bool]:
    """``(normalised, is_enterprise)``: a valid 公民身份号码 is a person, a valid 统一社会信用代码 an
    enterprise; neither → the error of the one it looks most like."""
    errors = []
    for validate, enterprise in (
        (identifiers.validate_id_number, False),
        (identifiers.validate_uscc, True),
    ):
        try:
            return str(validate(identifier)), enterprise
        except identifiers.IdentifierError as error:
            errors.append(error)
    looks_like_person = identifier[:17].isdigit() and identifier[6:8] in ("19", "20")
    error = errors[0] if looks_like_person else errors[1]
    raise _Bad("identifier", error.message_zh, error.message_en)


def check_row(number: int, raw: Mapping[str, Any], today: dt.date) -> ImportRow:
    """One row as a validated :class:`ImportRow`; raises ``_Bad`` on the first bad cell."""
    identifier = identifiers.normalise(raw.get("identifier"))
    if not identifier:
        raise _Bad("identifier", "证件号码不能为空", "identifier is required")
    identifier, enterprise = _identify(identifier)
    subject: Person | Enterprise | None
    if enterprise:
        subject = Enterprise.objects.filter(uscc=identifier).first()
    else:
        subject = Person.objects.filter(id_number=identifier).first()
    name = _text(raw.get("name"))
    if subject is None and not name:
        raise _Bad(
            "name",
            "平台尚无该主体，请填写名称",
            "the platform does not know this subject: give its name",
        )
    facts = _text(raw.get("facts"))
    if not facts:
        raise _Bad("facts", "失信事实不能为空", "facts are required")
    occurred_on = _date("occurred_on", raw.get("occurred_on"), required=True)
    if occurred_on > today:
        raise _Bad(
            "occurred_on",
            f"发生日期 {occurred_on} 晚于今天",
            f"occurred_on {occurred_on} is in the future",
        )
    valid_until = _date("valid_until", raw.get("valid_until"), required=False)
    if valid_until is not None and valid_until < occurred_on:
        raise _Bad("valid_until", "公示截止早于发生日期", "valid_until is before occurred_on")
    return ImportRow(
        row=number,
        subject=subject,
        identifier=identifier,
        name=name,
        kind=_choice("kind", raw.get("kind"), RecordKind.IMPORTED),
        severity=_choice("severity", raw.get("severity"), Severity.MINOR),
        facts=facts[:2000],
        occurred_on=occurred_on,
        valid_until=valid_until,
        external_id=_text(raw.get("external_id"))[:80],
        basis=_text(raw.get("basis"))[:300],
        list_kind=_choice("list", raw.get("list"), ""),
        enterprise=enterprise,
    )


def check_rows(rows: Iterable[tuple[int, Mapping[str, Any]]], today: dt.date) -> Checked:
    """Validate every row; bad rows go to ``errors`` (whole row rejected), good ones to ``rows``.
    The same ``external_id`` twice in one batch is an error on the second."""
    checked = Checked()
    seen: set[str] = set()
    for number, raw in rows:
        checked.total += 1
        try:
            row = check_row(number, raw, today)
        except _Bad as bad:
            checked.errors.append(RowError(number, bad.column, bad.zh, bad.en))
            continue
        if row.external_id and row.external_id in seen:
            checked.errors.append(
                RowError(
                    number,
                    "external_id",
                    f"来源编号 {row.external_id} 在本批次中重复",
                    f"external_id {row.external_id} appears twice in this batch",
                )
            )
            continue
        seen.add(row.external_id)
        checked.rows.append(row)
    return checked


def _column_map(header: list[Any]) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for index, cell in enumerate(header):
        text = _text(cell).split("(")[0].split("（")[0].strip()
        for key, names in HEADERS.items():
            if text in names or text.lower() in names:
                mapping[index] = key
    missing = [key for key in REQUIRED if key not in mapping.values()]
    if missing:
        names = "、".join(sorted(HEADERS[key])[0] for key in missing)
        raise FileProblem(
            f"表头缺少必填列：{names}", f"the header lacks required column(s): {', '.join(missing)}"
        )
    return mapping


def parse_file(content: bytes, file_name: str, today: dt.date, *, max_rows: int) -> Checked:
    """Read and validate a CSV / Excel file. Raises FileProblem when the file as a whole is bad."""
    table = read_table(content, file_name)
    header = next(table, None)
    if header is None:
        raise FileProblem("文件为空", "the file is empty")
    mapping = _column_map(header)

    def rows() -> Iterable[tuple[int, dict[str, Any]]]:
        for number, cells in enumerate(table, start=2):
            if not any(_text(cell) for cell in cells):
                continue
            if number - 1 > max_rows:
                raise FileProblem(
                    f"文件超过 {max_rows} 行，请分批导入",
                    f"the file has more than {max_rows} rows: split it",
                )
            yield number, {mapping[i]: cell for i, cell in enumerate(cells) if i in mapping}

    return check_rows(rows(), today)

"""Reading and validating a department's data file (CSV or Excel) for the enterprise or person portrait.

A person file (``kind="person"``) is the same with a 公民身份号码 column (checked by GB 11643:
length, birth date, check character), an optional 姓名 column, and person attributes; the birth
date and gender are read from the ID number when the file does not give them.

The file has a header row and one enterprise per row: a 统一社会信用代码 column, optionally a name
column (企业名称, used to register an enterprise the platform does not know yet), and one column per
attribute, headed by its code (``enterprise.revenue``), column name (``revenue``) or label
(``上年度营业收入`` or ``上年度营业收入(万元)``). Every cell is validated by its attribute's type
(:func:`banshi.policies.attributes.parse_value`). A row with any bad cell is rejected whole and
reported (row number as the spreadsheet shows it, column, reason in Chinese and English); the good
rows go on to :func:`banshi.policies.services.import_portrait_file`. A blank cell leaves the value
as it was.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from banshi.people import identifiers
from banshi.policies.attributes import (
    Attribute,
    SubjectKind,
    ValueProblem,
    derived_values,
    is_blank,
    lookup,
    parse_value,
)

USCC_HEADERS = {"统一社会信用代码", "社会信用代码", "信用代码", "uscc", "enterprise.uscc"}
NAME_HEADERS = {"企业名称", "名称", "单位名称", "name", "enterprise.name"}
ID_HEADERS = {"公民身份号码", "身份证号码", "身份证号", "id_number", "person.id_number"}
PERSON_NAME_HEADERS = {"姓名", "name", "person.name"}


@dataclass(frozen=True)
class Identity:
    """How a subject kind's rows are identified in a file: its key column and name column."""

    key_headers: frozenset[str]
    key_label: str
    key_label_en: str
    name_headers: frozenset[str]
    name_label: str


IDENTITIES = {
    SubjectKind.ENTERPRISE: Identity(
        frozenset(USCC_HEADERS), "统一社会信用代码", "uscc", frozenset(NAME_HEADERS), "企业名称"
    ),
    SubjectKind.PERSON: Identity(
        frozenset(ID_HEADERS), "公民身份号码", "id_number", frozenset(PERSON_NAME_HEADERS), "姓名"
    ),
}


class FileProblem(ValueError):
    """The file as a whole cannot be read (format, encoding, header)."""

    def __init__(self, zh: str, en: str) -> None:
        self.zh = zh
        self.en = en
        super().__init__(f"{zh} / {en}")


@dataclass
class RowError:
    row: int
    column: str
    zh: str
    en: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "zh": self.zh, "en": self.en}


@dataclass
class GoodRow:
    row: int
    key: str  # the validated 统一社会信用代码 or 公民身份号码
    name: str
    values: dict[str, Any]  # portrait column → value (derived columns included)


@dataclass
class ParsedFile:
    attributes: list[Attribute] = field(default_factory=list)
    rows: list[GoodRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    total: int = 0
    rejected_rows: set[int] = field(default_factory=set)


def read_table(content: bytes, file_name: str) -> Iterator[list[Any]]:
    """Rows of cells from an .xlsx or .csv file (UTF-8 with or without BOM, or GB18030)."""
    lower = file_name.lower()
    if lower.endswith((".xlsx", ".xlsm")):
        yield from _read_xlsx(content)
        return
    if lower.endswith((".csv", ".txt")):
        yield from _read_csv(content)
        return
    raise FileProblem("只支持 .xlsx 或 .csv 文件", "only .xlsx and .csv files are supported")


def _read_xlsx(content: bytes) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise FileProblem(
            f"无法读取 Excel 文件：{error}", f"cannot read the Excel file: {error}"
        ) from None
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    finally:
        workbook.close()


def _read_csv(content: bytes) -> Iterator[list[Any]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes every byte string
        raise FileProblem("无法识别文件编码", "cannot tell the file's text encoding")
    yield from csv.reader(io.StringIO(text))


def parse_file(
    content: bytes, file_name: str, *, max_rows: int, kind: str = SubjectKind.ENTERPRISE
) -> ParsedFile:
    """Validate every row; the good rows with typed values, and every problem found."""
    return parse_table(read_table(content, file_name), max_rows=max_rows, kind=kind)


def records_table(records: list[dict[str, Any]]) -> Iterator[list[Any]]:
    """Records pushed through the API (``{"统一社会信用代码"|"uscc": …, "<attribute>": …}``) as a
    table: a header of every key in the order first seen, then one row per record, so that they
    are validated exactly as a file's rows are (row 2 is the first record)."""
    header: list[str] = []
    for record in records:
        for key in record:
            if key not in header:
                header.append(key)
    yield header
    for record in records:
        yield [record.get(key) for key in header]


def _validate_key(kind: str, raw: Any) -> tuple[str, dict[str, Any]]:
    """The normalised identifier of a row and the values it implies (a person's birth date and
    gender from the ID number), or :class:`identifiers.IdentifierError`."""
    text = "" if raw is None else str(raw)
    if kind == SubjectKind.PERSON:
        number = identifiers.validate_id_number(text)
        return number.value, {"birth_date": number.birth_date, "gender": number.sex_label}
    return identifiers.validate_uscc(text).value, {}


def parse_table(
    rows: Iterator[list[Any]], *, max_rows: int, kind: str = SubjectKind.ENTERPRISE
) -> ParsedFile:
    """Validate a table (header row first) cell by cell; see :func:`parse_file`."""
    identity = IDENTITIES[kind]
    header = next(rows, None)
    while header is not None and all(is_blank(cell) for cell in header):
        header = next(rows, None)
    if header is None:
        raise FileProblem("文件是空的", "the file is empty")
    uscc_at = name_at = None
    columns: list[tuple[int, Attribute]] = []
    result = ParsedFile()
    for position, cell in enumerate(header):
        title = "" if cell is None else str(cell).strip()
        if not title:
            continue
        if title in identity.key_headers or title.lower() in identity.key_headers:
            uscc_at = position
            continue
        if title in identity.name_headers or title.lower() in identity.name_headers:
            name_at = position
            continue
        attribute = lookup(title, kind)
        if attribute is None:
            result.errors.append(
                RowError(
                    1,
                    title,
                    "未知的列，已忽略（列名应为画像属性的编码或名称）",
                    "unknown column, ignored (headers are attribute codes or labels)",
                )
            )
            continue
        if any(existing.code == attribute.code for _, existing in columns):
            raise FileProblem(
                f"属性“{attribute.label}”出现了两列", f"two columns for {attribute.code}"
            )
        columns.append((position, attribute))
    if uscc_at is None:
        raise FileProblem(
            f"缺少“{identity.key_label}”列",
            f"the file has no {identity.key_label} ({identity.key_label_en}) column",
        )
    if not columns:
        raise FileProblem("没有可导入的画像属性列", "no attribute column to import")
    result.attributes = [attribute for _, attribute in columns]
    seen: dict[str, int] = {}
    for offset, cells in enumerate(rows):
        number = offset + 2  # the header is row 1
        if all(is_blank(cell) for cell in cells):
            continue
        result.total += 1
        if result.total > max_rows:
            raise FileProblem(
                f"文件超过 {max_rows} 行，请分批导入", f"more than {max_rows} rows: split the file"
            )
        errors: list[RowError] = []
        raw_uscc = cells[uscc_at] if uscc_at < len(cells) else None
        uscc = ""
        implied: dict[str, Any] = {}
        try:
            uscc, implied = _validate_key(kind, raw_uscc)
        except identifiers.IdentifierError as error:
            errors.append(RowError(number, identity.key_label, error.message_zh, error.message_en))
        if uscc and uscc in seen:
            errors.append(
                RowError(
                    number,
                    identity.key_label,
                    f"与第 {seen[uscc]} 行重复",
                    f"repeats row {seen[uscc]}",
                )
            )
        elif uscc:
            seen[uscc] = number
        values: dict[str, Any] = {}
        for position, attribute in columns:
            cell = cells[position] if position < len(cells) else None
            if is_blank(cell):
                continue
            try:
                values[attribute.column] = parse_value(attribute, cell)
            except ValueProblem as problem:
                errors.append(RowError(number, attribute.label, problem.zh, problem.en))
        if errors:
            result.errors.extend(errors)
            result.rejected_rows.add(number)
            continue
        if not values:
            continue  # nothing to import on this row
        values.update(derived_values(values))
        for column, value in implied.items():
            values.setdefault(column, value)
        name_cell = cells[name_at] if name_at is not None and name_at < len(cells) else None
        result.rows.append(
            GoodRow(number, uscc, "" if is_blank(name_cell) else str(name_cell), values)
        )
    return result

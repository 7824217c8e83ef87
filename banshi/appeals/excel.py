"""Excel downloads of the reports (openpyxl): one sheet per table, bold frozen headers, rates as %."""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

HEADER_FILL = PatternFill("solid", fgColor="EEF4FB")


def workbook(title: str, sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence]]]) -> bytes:
    """An .xlsx file; floats in (0, 1] columns whose header ends in 率 are formatted as percent."""
    book = Workbook()
    book.remove(book.active)
    for name, headers, rows in sheets:
        sheet = book.create_sheet(name[:31])
        sheet.append(list(headers))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(vertical="center")
        for row in rows:
            sheet.append(["—" if value is None else value for value in row])
        for index, header in enumerate(headers, start=1):
            letter = get_column_letter(index)
            values = [str(header)] + [str(row[index - 1]) for row in rows if index - 1 < len(row)]
            sheet.column_dimensions[letter].width = min(
                60, max(10, max(len(v) for v in values) * 2 + 2)
            )
            if str(header).endswith("率"):
                for cell in sheet[letter][1:]:
                    if isinstance(cell.value, float):
                        cell.number_format = "0.0%"
        for row in sheet.iter_rows(min_row=2):
            if (
                len(row) > 1
                and str(row[0].value or "").endswith("率")
                and isinstance(row[1].value, float)
            ):
                row[1].number_format = "0.0%"
        sheet.freeze_panes = "A2"
    book.properties.title = title
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def download(filename: str, title: str, sheets) -> HttpResponse:
    response = HttpResponse(
        workbook(title, sheets),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    from urllib.parse import quote

    response["Content-Disposition"] = (
        f"attachment; filename=\"report.xlsx\"; filename*=UTF-8''{quote(filename)}"
    )
    return response

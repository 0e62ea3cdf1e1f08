"""A workbook that is no template of this tool — an agency's own Excel of the report's tables — read as a report.

Offices receive the tables as the agency laid them out in Excel or WPS: a sheet per table, or all three on one
sheet, labels in the first columns and the numbers beside them. Such a workbook has none of the template's
sheets, so the template reader cannot read it; its sheets are read here instead, each through the same guard
as the template's (``xlsx_guard``/``xls_guard``: the package bounded, each sheet's area scanned before calamine
reads it), and turned into the lines a page's tables give (``html``): the sheet's name as a heading line, each
row with its cells in place, empty cells kept, so the importer reads the tables exactly as it reads a page's —
by their labels and identities, never by a fixed address. Merged cells carry no value below their first cell:
a group label printed once beside its rows is a shape the table reader knows (``36_cells_on_lines…``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ...errors import InputError
from .text import Document, Line, fix_characters

FOREIGN_NOTE = ("这不是本工具的模板，是按自己的版式做的 Excel 表格：按各工作表中表格的标签和勾稽关系读取"
                "（与网页上的表格一样），读不出的格留空并说明。")
MAX_SHEETS = 30  # a report's tables fit on one to a few sheets; a workbook of many sheets is something else
SHEET_AREA = (400, 40)  # rows and columns read of each sheet: the three tables take about 60 rows and 10 columns


def parse_foreign_workbook(path: Path) -> Document:
    """The lines of every sheet of a workbook that is no template: each sheet's name, then its rows as grid rows."""
    from ..workbook_read import is_ole, read_grids

    names = _xls_sheets(path) if is_ole(path) else _xlsx_sheets(path)
    if len(names) > MAX_SHEETS:
        raise InputError(f"工作簿有 {len(names)} 张工作表，超过 {MAX_SHEETS} 张的上限，不像是一份年度报告的表格，"
                         "未读取。", place=str(path))
    grids = read_grids(path, {name: SHEET_AREA for name in names}, lenient=True)
    lines: list[Line] = []
    for name in names:
        grid = grids.get(name)
        if grid is None:
            continue
        rows = [tuple(_text(v) for v in row) for row in grid.rows]
        if not any(c for row in rows for c in row):
            continue
        lines.append(Line(fix_characters(name), block=True))
        for cells in rows:
            if any(c.strip() for c in cells):
                cells = tuple(fix_characters(c) for c in cells)
                lines.append(Line("\t".join(cells), cells, grid=True))
    return Document(tuple(lines))


def _xlsx_sheets(path: Path) -> list[str]:
    from ..xlsx_guard import sheet_list

    return sheet_list(path)


def _xls_sheets(path: Path) -> list[str]:
    from ...fileio import read_input
    from ..workbook_read import MAX_FILE_BYTES
    from ..xls_guard import inspect_xls

    data = read_input(path, cap=MAX_FILE_BYTES, too_big="文件有 {mb} MB，不像是一份年度报告的表格，未读取。")
    return list(inspect_xls(data, {}, str(path)))


def _text(value: Any) -> str:
    """A cell as a page would print it: a whole number without ``.0``, a date as a date, text as it is."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()

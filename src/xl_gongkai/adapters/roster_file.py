"""The rows of a roster file (``audit --roster``): a CSV file or a workbook, as plain values.

An office keeps its list of units in Excel, or exports it as CSV — which Excel on Chinese Windows writes in
GBK, not UTF-8. Both are read here, bounded as every input is: a CSV through ``fileio.read_input``, a workbook
through the same guarded reader as a report (``workbook_read.read_grids``: the package is inspected before
python-calamine sees it). Which rows are units is the command's business (``commands.roster``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..fileio import read_input

MAX_ROSTER_BYTES = 20 * 1024 * 1024  # a province's units are a few thousand lines: well under 1 MB
MAX_ROWS = 50_000  # rows read from a workbook sheet
MAX_COLUMNS = 30
CSV_SUFFIXES = (".csv",)
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def read_rows(path: Path, prefer: Sequence[str] = ()) -> tuple[str, list[list[Any]]]:
    """(the sheet read, or "" for a CSV file; its rows). Of a workbook, the first sheet named in ``prefer``
    that it has, else its first sheet."""
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return "", _csv_rows(path)
    if suffix in WORKBOOK_SUFFIXES:
        from .workbook_read import read_grids, sheet_names

        names = sheet_names(path)
        if not names:
            raise InputError("工作簿中没有工作表。", place=str(path))
        sheet = next((s for s in prefer if s in names), names[0])
        grid = read_grids(path, {sheet: (MAX_ROWS, MAX_COLUMNS)})[sheet]
        return sheet, [list(r) for r in grid.rows]
    raise InputError(f"名单应为 .csv、.xlsx 或 .xlsm 文件（“{path.name}”不是）；.xls 等旧格式请在 Excel 或 WPS 中"
                     "另存为 .xlsx。", place=str(path))


def _csv_rows(path: Path) -> list[list[Any]]:
    cap = MAX_ROSTER_BYTES // (1024 * 1024)
    too_big = f"文件有 {{mb}} MB，超过 {cap} MB 的上限，不像一份单位名单，未读取。"
    data = read_input(path, cap=MAX_ROSTER_BYTES, too_big=too_big)
    for encoding in ("utf-8-sig", "gb18030"):  # Excel on Chinese Windows saves CSV in GBK (gb18030 reads it)
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InputError("无法识别文件的编码（不是 UTF-8，也不是 GBK/GB18030）。请在 Excel 中另存为"
                         "“CSV UTF-8”或 .xlsx。", place=str(path))
    try:
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise InputError(f"CSV 格式有误（{exc}）。", place=str(path)) from None

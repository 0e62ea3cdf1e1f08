"""Drives the Excel entry points through xlwings' own remote engine, on real workbook files.

``book_json`` builds, from a real .xlsm, the JSON that xlwings' VBA client (``Remote.bas``) sends:
every sheet's values from A1, the defined names, the book name. ``xw.Book(json=...)`` turns it into a
Book whose writes are queued as actions; ``apply_actions`` replays the ``setValues`` actions onto the
file with the project's package editor, so the tests then assert real cells of a real workbook.

The remote engine is part of xlwings PRO, licensed under PolyForm Noncommercial 1.0.0; the key is
set only for the test process (tests/conftest.py, docs/licensing.md).
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as ET
import xlwings as xw
from python_calamine import CalamineWorkbook

from xl_gongkai.adapters.xlsx_cells import set_cells
from xl_gongkai.spec.a1 import cell_address, split_cell

MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _json_value(v: Any) -> Any:
    if v == "":
        return None
    if isinstance(v, dt.datetime):  # as the VBA client sends dates: ISO 8601 in UTC, with the Z
        return v.isoformat() + "Z"
    if isinstance(v, dt.date):
        return dt.datetime(v.year, v.month, v.day).isoformat() + "Z"
    return v


def _names(path: Path, sheets: list[str]) -> list[dict[str, Any]]:
    root = ET.fromstring(zipfile.ZipFile(path).read("xl/workbook.xml"))
    out = []
    for n in root.iter(f"{MAIN_NS}definedName"):
        ref = n.text or ""
        if "!" not in ref or n.get("localSheetId") is not None:
            continue
        sheet, address = ref.rsplit("!", 1)
        sheet = sheet.strip("'").replace("''", "'")
        if sheet in sheets:
            out.append({"name": n.get("name"), "sheet_index": sheets.index(sheet), "address": address,
                        "book_scope": True, "scope_sheet_name": None, "scope_sheet_index": None})
    return out


REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def _error_cells(path: Path) -> dict[str, dict[tuple[int, int], str]]:
    """Error values (#REF!, ...) per sheet, 0-based (row, col): the VBA client sends them as their text,
    while python-calamine returns them as empty strings."""
    zf = zipfile.ZipFile(path)
    rels = {r.get("Id"): r.get("Target") for r in ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))}
    out: dict[str, dict[tuple[int, int], str]] = {}
    for sheet in ET.fromstring(zf.read("xl/workbook.xml")).iter(f"{MAIN_NS}sheet"):
        part = "xl/" + str(rels[sheet.get(f"{REL_NS}id")]).removeprefix("/xl/")
        for c in ET.fromstring(zf.read(part)).iter(f"{MAIN_NS}c"):
            if c.get("t") == "e":
                row, col = split_cell(str(c.get("r")))
                out.setdefault(str(sheet.get("name")), {})[(row - 1, col - 1)] = c.findtext(f"{MAIN_NS}v") or ""
    return out


def book_json(path: Path) -> dict[str, Any]:
    wb = CalamineWorkbook.from_path(str(path))
    sheets = list(wb.sheet_names)
    errors = _error_cells(path)
    payload_sheets = []
    for name in sheets:
        rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        for (r, c), text in errors.get(name, {}).items():
            rows[r][c] = text
        payload_sheets.append({"name": name, "values": [[_json_value(v) for v in row] for row in rows] or [[]],
                               "pictures": [], "tables": []})
    return {
        "client": "VBA",
        "version": xw.__version__,
        "book": {"name": path.name, "active_sheet_index": 0, "selection": "A1"},
        "names": _names(path, sheets),
        "sheets": payload_sheets,
    }


def open_book(path: Path) -> Any:
    return xw.Book(json=book_json(path))


def _as_excel_stores(v: Any) -> Any:
    """What Excel makes of a value assigned to a cell: an apostrophe marks text, and text that starts like a
    formula would become one — never wanted in our writes (the remote engine gets no HYPERLINK links)."""
    if v == "":
        return None
    if isinstance(v, str):
        if v.startswith("'"):
            return v[1:]
        if v[:1] in ("=", "+", "-", "@"):
            raise AssertionError(f"Excel would turn this text into a formula: {v!r}")
    return v


def apply_actions(path: Path, book: Any) -> list[dict[str, Any]]:
    """Write the queued ``setValues`` actions into the file; return every action (alerts included)."""
    actions = book.json()["actions"]
    sheets = [s["name"] for s in book.api["sheets"]]
    edits: dict[str, dict[str, Any]] = {}
    for a in actions:
        if a["func"] != "setValues":
            continue
        target = edits.setdefault(sheets[a["sheet_position"]], {})
        for i, row in enumerate(a["values"]):
            for j, v in enumerate(row):
                value = _as_excel_stores(v)
                target[cell_address(a["start_row"] + i + 1, a["start_column"] + j + 1)] = value
    if edits:
        path.write_bytes(set_cells(path.read_bytes(), edits))
    return actions

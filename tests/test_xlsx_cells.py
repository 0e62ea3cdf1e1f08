"""set_cells on real workbooks: the target cells change, every other cell and every other zip part stays.

Sources are written by XlsxWriter (an .xlsx, and an .xlsm carrying the VBA project xlwings ships), by
openpyxl, and the same files re-saved by LibreOffice (its own XML: ``t="n"``, explicit styles, no
``spans``). Two more are derived from the XlsxWriter file the way other writers emit worksheets: every
element with an ``x:`` namespace prefix (.NET Open XML SDK style), and rows and cells without ``r``
wherever the spec lets a writer leave it out. A few hand-made Excel features (a calculation chain, a
shared formula, ``cm``/``vm``/``ph`` attributes) are spliced into XlsxWriter files, as Excel writes them.

Each result is read back by openpyxl and python-calamine and compared cell by cell with the source,
compared zip entry by zip entry, and opened by LibreOffice (every sheet exported to csv) to see the new
values there as well.
"""

from __future__ import annotations

import copy
import csv
import importlib.util
import io
import math
import os
import posixpath
import re
import signal
import subprocess
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import python_calamine
import xlsxwriter
from defusedxml.ElementTree import fromstring as parse_xml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from support.libreoffice import inspect_workbook
from xl_gongkai.adapters.xlsx_cells import MAX_PART_SIZE, MAX_TOTAL_SIZE, WorkbookFormatError, set_cells

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"

COVER = "封面 基本信息"
MAIN = "表三 依申请公开"
HIDDEN = "参数"
EMPTY = "空表"
SHEETS = [COVER, MAIN, HIDDEN, EMPTY]

# --------------------------------------------------------------------------------------------------
# source workbooks
# --------------------------------------------------------------------------------------------------

# (address, value, style); a value starting with "=" is a formula.
LAYOUT: dict[str, list[tuple[str, Any, str | None]]] = {
    COVER: [
        ("A1", "政府信息公开工作年度报告", "title"),
        ("A2", "填报单位", "label"),
        ("B2", None, "input"),
        ("A3", "年度", "label"),
        ("B3", None, "input"),
        ("A5", "说明：黄色单元格由填报人填写。", None),
    ],
    MAIN: [
        *[(f"{c}1", text, "head") for c, text in zip("ABCDE", ["项目", "2023", "2024", "合计", "备注"], strict=True)],
        ("A2", "主动公开", "label"), ("B2", 10, "num"), ("C2", 20.5, "num"), ("D2", "=B2+C2", "num"),
        ("E2", None, "input"),
        ("A3", "依申请公开", "label"), ("B3", 5, "num"), ("C3", 6, "num"), ("D3", "=B3+C3", "num"),
        ("A4", "行政复议", "label"), ("B4", 1, "num"), ("C4", "=B4*2", "num"), ("D4", 3, "num"),
        ("A5", "行政诉讼", "label"), ("B5", 2, "num"), ("C5", 3, "num"), ("D5", "文本", "label"),
        ("A6", "收费", "label"), ("B6", None, "input"), ("C6", 0.1234, "num"), ("D6", "=SUM(B2:B6)", "num"),
        ("A7", "合并单元格说明", "label"),
        ("A9", "说明", None), ("E9", " 带空格 ", None),
        *[(f"A{r}", r * 1.5, "num") for r in range(11, 31)],
        *[(f"C{r}", f"第{r}行", None) for r in range(11, 31, 3)],
    ],
    HIDDEN: [("A1", "是", None), ("A2", "否", None), ("A3", "不适用", None)],
    EMPTY: [],
}
MERGES = {COVER: ["A1:D1"], MAIN: ["A7:D7"]}
DEFINED_NAMES = {"年度": f"'{COVER}'!$B$3", "主表合计": f"'{MAIN}'!$D$2:$D$6"}

# sheet -> address -> value; covers existing cells, formulas, styled blanks, missing cells, missing rows.
EDITS: dict[str, dict[str, Any]] = {
    MAIN: {
        "B3": 123,  # a number
        "C4": 59237.2449,  # a formula becomes a value
        "D5": "中文 文本",  # a text
        "B6": 7,  # a styled blank
        "B4": None,  # a number becomes blank, style kept
        "F3": " 前后有空格 ",  # a missing cell of an existing row, beyond its spans
        "B8": 42,  # a missing row between rows
        "B10": 43,  # a row present without cells (XlsxWriter: a self-closing <row/>)
        "H40": -3.5,  # a missing row after the last
        "J2": None,  # blank for a missing cell: nothing to write
    },
    COVER: {"B2": "某某区人民政府办公室", "B3": 2025, "D9": "第一行\n第二行"},
    HIDDEN: {"A1": "改写的参数"},
    EMPTY: {"C5": "空表也能写", "A1": 0.1},
}


def _vba_project_bin() -> bytes:
    """The VBA project xlwings ships (its quickstart.xlsm), so the XlsxWriter .xlsm is a real one."""
    spec = importlib.util.find_spec("xlwings")
    assert spec is not None and spec.origin is not None
    with zipfile.ZipFile(Path(spec.origin).parent / "quickstart.xlsm") as zf:
        return zf.read("xl/vbaProject.bin")


def build_xlsxwriter(*, vba: bool = False) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    if vba:
        wb.add_vba_project(io.BytesIO(_vba_project_bin()), is_stream=True)
        wb.set_vba_name("ThisWorkbook")
    song = {"font_name": "宋体", "font_size": 11}
    formats = {
        "title": wb.add_format({**song, "bold": True, "font_size": 14, "align": "center"}),
        "head": wb.add_format({**song, "bold": True, "border": 1, "bg_color": "#D9E1F2", "align": "center"}),
        "label": wb.add_format({**song, "border": 1}),
        "num": wb.add_format({**song, "border": 1, "num_format": "#,##0.00##"}),
        "input": wb.add_format({**song, "border": 1, "locked": False, "bg_color": "#FFF2CC"}),
    }
    for name in SHEETS:
        ws = wb.add_worksheet(name)
        if vba:
            ws.set_vba_name(f"Sheet{SHEETS.index(name) + 1}")
        merged = {m.split(":")[0]: m for m in MERGES.get(name, [])}
        for address, value, style in LAYOUT[name]:
            fmt = formats[style] if style else None
            if address in merged:
                ws.merge_range(merged[address], value, fmt)
            elif value is None:
                ws.write_blank(address, None, fmt)
            elif isinstance(value, str) and value.startswith("="):
                ws.write_formula(address, value, fmt)
            else:
                ws.write(address, value, fmt)
    cover, main, hidden = (wb.get_worksheet_by_name(name) for name in (COVER, MAIN, HIDDEN))
    cover.set_column("A:A", 20)
    cover.protect("", {"format_cells": True})
    cover.data_validation("B2", {"validate": "list", "source": f"={HIDDEN}!$A$1:$A$3"})
    main.data_validation("B2:C6", {"validate": "integer", "criteria": ">=", "value": 0,
                                   "error_message": "请输入大于或等于0的整数"})
    main.set_row(9, 30)  # a row with only a height: an empty <row r="10" .../> in the XML
    hidden.hide()
    for name, formula in DEFINED_NAMES.items():
        wb.define_name(name, f"={formula}")
    wb.close()
    return buf.getvalue()


def build_openpyxl() -> bytes:
    thin = Side(style="thin")
    styles = {
        "title": {"font": Font(name="宋体", bold=True, size=14), "alignment": Alignment(horizontal="center")},
        "head": {"font": Font(name="宋体", bold=True), "border": Border(thin, thin, thin, thin),
                 "fill": PatternFill("solid", fgColor="D9E1F2")},
        "label": {"font": Font(name="宋体"), "border": Border(thin, thin, thin, thin)},
        "num": {"font": Font(name="宋体"), "border": Border(thin, thin, thin, thin), "number_format": "#,##0.00##"},
        "input": {"font": Font(name="宋体"), "border": Border(thin, thin, thin, thin),
                  "fill": PatternFill("solid", fgColor="FFF2CC"), "protection": Protection(locked=False)},
    }
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name in SHEETS:
        ws = wb.create_sheet(name)
        for address, value, style in LAYOUT[name]:
            cell = ws[address]
            cell.value = value
            for attr, v in (styles[style] if style else {}).items():
                setattr(cell, attr, v)
        for ref in MERGES.get(name, []):
            ws.merge_cells(ref)
    wb[COVER].protection.sheet = True
    dv = DataValidation(type="list", formula1=f"{HIDDEN}!$A$1:$A$3")
    dv.add("B2")
    wb[COVER].add_data_validation(dv)
    wb[HIDDEN].sheet_state = "hidden"
    for name, formula in DEFINED_NAMES.items():
        wb.defined_names[name] = DefinedName(name, attr_text=formula)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def libreoffice_convert(files: Mapping[str, bytes], convert_to: str, out_suffix: str) -> dict[str, bytes]:
    """Convert files with one headless soffice run and a private profile; {stem: output bytes}."""
    with tempfile.TemporaryDirectory(prefix="xlgk-cells-") as tmp:
        work = Path(tmp)
        inputs = []
        for name, data in files.items():
            path = work / "in" / name
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(data)
            inputs.append(str(path))
        cmd = ["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{work / 'profile'}",
               "--convert-to", convert_to, "--outdir", str(work / "out"), *inputs]
        # its own session, so a hung soffice (oosplash + soffice.bin) can be killed as one group
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)
        try:
            stdout, stderr = proc.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise AssertionError(f"soffice --convert-to {convert_to} hung and was killed") from None
        outputs = {p.name.removesuffix(out_suffix): p.read_bytes() for p in (work / "out").glob(f"*{out_suffix}")}
        if proc.returncode != 0 or not outputs:
            raise AssertionError(f"soffice failed ({proc.returncode}):\n{stdout}\n{stderr}")
        return outputs


def _sheet_parts(data: bytes) -> dict[str, str]:
    """Sheet name -> worksheet part, read independently of the module under test."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        book = parse_xml(zf.read("xl/workbook.xml"))
        rels = parse_xml(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for rel in rels.iter(f"{{{PKG_REL_NS}}}Relationship"):
        target = rel.get("Target", "")
        targets[rel.get("Id")] = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
    return {s.get("name"): targets[s.get(f"{{{REL_NS}}}id")] for s in book.iter(f"{{{MAIN_NS}}}sheet")}


def _transform_sheets(data: bytes, transform: Callable[[str], str]) -> bytes:
    """The package with every worksheet part passed through ``transform``; everything else as it was."""
    parts = set(_sheet_parts(data).values())
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info)
            if info.filename in parts:
                body = transform(body.decode("utf-8")).encode("utf-8")
            zout.writestr(info, body)
    return out.getvalue()


def prefixed_sheet(xml: str) -> str:
    """Every SpreadsheetML element written as ``x:name`` (as the .NET Open XML SDK writes them)."""
    xml = xml.replace(f'xmlns="{MAIN_NS}"', f'xmlns:x="{MAIN_NS}"', 1)
    return re.sub(r"<(/?)([A-Za-z]\w*)(?=[\s/>])", r"<\1x:\2", xml)


def rless_sheet(xml: str) -> str:
    """Drop ``r`` from every row that follows the previous row and every cell that follows the previous cell."""
    state = {"row": 0, "col": 0}

    def one(m: re.Match[str]) -> str:
        tag, attrs = m.group(1), m.group(2)
        ref = re.search(r' r="([A-Z]*)(\d+)"', attrs)
        if ref is None:
            return m.group(0)
        if tag == "row":
            row = int(ref.group(2))
            implied = row == state["row"] + 1
            state["row"], state["col"] = row, 0
        else:
            col = column_index_from_string(ref.group(1))
            implied = col == state["col"] + 1
            state["col"] = col
        return m.group(0).replace(ref.group(0), "", 1) if implied else m.group(0)

    return re.sub(r"<(row|c)\b([^>]*)>", one, xml)


def pretty_sheet(xml: str) -> str:
    """Indented, with comments that hold markup-like text (hand-edited or pretty-printed files)."""
    xml = re.sub(r"(<row |<c |</row>|</sheetData>)", r"\n  \1", xml)
    xml = xml.replace("<sheetData>", '<sheetData><!-- 注释：<row r="99"><c r="A1"/></row> -->', 1)
    return xml.replace("</sheetData>", "<?pi 处理指令?></sheetData>", 1)


@pytest.fixture(scope="session")
def sources() -> dict[str, bytes]:
    """Every source workbook, by name (see the module docstring); openpyxl's uses absolute rel targets."""
    xw = build_xlsxwriter()
    xlsm = build_xlsxwriter(vba=True)
    opx = build_openpyxl()
    lo = libreoffice_convert({"xlsxwriter.xlsx": xw, "openpyxl.xlsx": opx}, "xlsx", ".xlsx")
    lo_vba = libreoffice_convert({"xlsm.xlsm": xlsm}, "xlsm:Calc MS Excel 2007 VBA XML", ".xlsm")
    return {
        "xlsxwriter": xw,
        "xlsxwriter-xlsm": xlsm,
        "openpyxl": opx,
        "libreoffice-from-xlsxwriter": lo["xlsxwriter"],
        "libreoffice-from-openpyxl": lo["openpyxl"],
        "libreoffice-xlsm": lo_vba["xlsm"],
        "prefixed": _transform_sheets(xw, prefixed_sheet),
        "no-r": _transform_sheets(xw, rless_sheet),
        "pretty": _transform_sheets(xw, pretty_sheet),
    }


SOURCE_NAMES = [
    "xlsxwriter",
    "xlsxwriter-xlsm",
    "openpyxl",
    "libreoffice-from-xlsxwriter",
    "libreoffice-from-openpyxl",
    "libreoffice-xlsm",
    "prefixed",
    "no-r",
    "pretty",
]
EXTENSION = {"xlsxwriter-xlsm": ".xlsm", "libreoffice-xlsm": ".xlsm"}


@pytest.fixture(scope="session")
def edited(sources: dict[str, bytes]) -> dict[str, bytes]:
    return {name: set_cells(data, EDITS) for name, data in sources.items()}


# --------------------------------------------------------------------------------------------------
# independent readers
# --------------------------------------------------------------------------------------------------

Cells = dict[str, dict[tuple[int, int], Any]]


def openpyxl_cells(data: bytes) -> Cells:
    """Every cell holding a value or a style, as (value, style), per sheet (formulas as text).

    The style is what openpyxl resolves (font, fill, border, number format, protection, alignment), not
    its ``style_id``: openpyxl hands out ids as it meets styles, so they depend on the order of reading.
    The raw ids of the file are compared by :func:`xml_cells`.
    """
    wb = openpyxl.load_workbook(io.BytesIO(data))
    out: Cells = {}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None or cell.has_style:
                    parts = (cell.font, cell.fill, cell.border, cell.protection, cell.alignment)
                    # copies: the objects behind openpyxl's proxies (which compare by identity)
                    style = (cell.number_format, *(copy.copy(p) for p in parts)) if cell.has_style else None
                    cells[(cell.row, cell.column)] = (cell.value, style)
        out[ws.title] = cells
    return out


def calamine_cells(data: bytes) -> Cells:
    """Every non-empty cell value (cached values for formulas), per sheet."""
    wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    out: Cells = {}
    for name in wb.sheet_names:
        rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        out[name] = {(r + 1, c + 1): v for r, row in enumerate(rows) for c, v in enumerate(row) if v != ""}
    return out


def xml_cells(data: bytes) -> Cells:
    """Every ``<c>`` element present in the XML, as its raw style id (None without ``s``), per sheet.

    Positions are counted where a writer left ``r`` out, as the spec says.
    """
    out: Cells = {}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for sheet, part in _sheet_parts(data).items():
            root = parse_xml(zf.read(part))
            cells: dict[tuple[int, int], Any] = {}
            r = 0
            for row in root.iter(f"{{{MAIN_NS}}}row"):
                r = int(row.get("r") or r + 1)
                cells[(r, 0)] = "row"
                c = 0
                for cell in row.iter(f"{{{MAIN_NS}}}c"):
                    c = _rc(cell.get("r"))[1] if cell.get("r") else c + 1
                    cells[(r, c)] = cell.get("s")
            out[sheet] = cells
    return out


def _rc(address: str) -> tuple[int, int]:
    m = re.fullmatch(r"([A-Z]+)(\d+)", address)
    assert m
    return int(m.group(2)), column_index_from_string(m.group(1))


def _blank(value: Any) -> bool:
    return value is None or value == ""


def expected_openpyxl(before: Cells, edits: Mapping[str, Mapping[str, Any]]) -> tuple[Cells, set[Any]]:
    """``before`` with the edits applied, and the new cells (their style is checked in the XML)."""
    out = {sheet: dict(cells) for sheet, cells in before.items()}
    new: set[Any] = set()
    for sheet, cells in edits.items():
        for address, value in cells.items():
            key = _rc(address)
            old = out[sheet].get(key)
            if old is None and _blank(value):
                continue
            if old is None:
                new.add((sheet, key))
                out[sheet][key] = (value, None)
            elif _blank(value) and old[1] is None:
                del out[sheet][key]  # neither value nor style left
            else:
                out[sheet][key] = (None if _blank(value) else value, old[1])
    return out, new


def expected_calamine(before: Cells, edits: Mapping[str, Mapping[str, Any]]) -> Cells:
    out = {sheet: dict(cells) for sheet, cells in before.items()}
    for sheet, cells in edits.items():
        for address, value in cells.items():
            if _blank(value):
                out[sheet].pop(_rc(address), None)
            else:
                out[sheet][_rc(address)] = value
    return out


def expected_xml(before: Cells, edits: Mapping[str, Mapping[str, Any]]) -> Cells:
    """Existing cells keep their ``s``; a new cell has none (no source styles a whole row or column: see
    test_a_new_cell_takes_the_style_of_its_row_or_else_of_its_column); a blank for a missing cell adds nothing."""
    out = {sheet: dict(cells) for sheet, cells in before.items()}
    for sheet, cells in edits.items():
        for address, value in cells.items():
            r, c = _rc(address)
            if (r, c) in out[sheet] or _blank(value):
                continue
            out[sheet][(r, c)] = None
            out[sheet].setdefault((r, 0), "row")
    return out


def assert_same_cells(actual: Cells, expected: Cells, value_only: set[Any] | frozenset[Any] = frozenset()) -> None:
    """Cell by cell, so a failure names the sheet and the cell (floats compared exactly)."""
    assert actual.keys() == expected.keys()
    for sheet in expected:
        a, e = actual[sheet], expected[sheet]
        wrong = {}
        for k in a.keys() | e.keys():
            got, want = a.get(k), e.get(k)
            if (sheet, k) in value_only and got is not None and want is not None:
                got, want = got[0], want[0]
            if got != want:
                wrong[k] = (got, want)
        assert not wrong, f"{sheet}: (actual, expected) differ at {wrong}"


def placements(data: bytes, edits: Mapping[str, Mapping[str, Any]]) -> set[str]:
    """Which kinds of target the edits hit in this file: existing cell, new cell of a row, new row."""
    cells = xml_cells(data)
    kinds = set()
    for sheet, targets in edits.items():
        for address in targets:
            r, c = _rc(address)
            kinds.add("cell" if (r, c) in cells[sheet] else "row" if (r, 0) in cells[sheet] else "new row")
    return kinds


def zip_meta(info: zipfile.ZipInfo) -> tuple[Any, ...]:
    return (info.filename, info.date_time, info.compress_type, info.external_attr, info.comment, info.create_system)


def differing_parts(before: bytes, after: bytes, removed: frozenset[str] = frozenset()) -> set[str]:
    """Names of the entries whose uncompressed bytes changed; asserts every entry's metadata and order kept."""
    with zipfile.ZipFile(io.BytesIO(before)) as zb, zipfile.ZipFile(io.BytesIO(after)) as za:
        kept = [i for i in zb.infolist() if i.filename not in removed]
        assert [zip_meta(i) for i in kept] == [zip_meta(i) for i in za.infolist()]
        assert zb.comment == za.comment
        return {i.filename for i in kept if zb.read(i) != za.read(i.filename)}


# --------------------------------------------------------------------------------------------------
# the matrix: every source, every reader
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("source", SOURCE_NAMES)
def test_edits_change_exactly_the_target_cells(sources: dict[str, bytes], edited: dict[str, bytes],
                                                source: str) -> None:
    before, after = sources[source], edited[source]
    # existing cells, missing cells of existing rows and missing rows are all exercised in this source
    assert placements(before, EDITS) == {"cell", "row", "new row"}

    assert_same_cells(xml_cells(after), expected_xml(xml_cells(before), EDITS))
    assert_same_cells(openpyxl_cells(after), *expected_openpyxl(openpyxl_cells(before), EDITS))
    assert_same_cells(calamine_cells(after), expected_calamine(calamine_cells(before), EDITS))

    parts = _sheet_parts(before)
    assert differing_parts(before, after) == {parts[sheet] for sheet in EDITS}


def test_the_vba_project_is_carried_over(sources: dict[str, bytes], edited: dict[str, bytes]) -> None:
    for name in ("xlsxwriter-xlsm", "libreoffice-xlsm"):
        with zipfile.ZipFile(io.BytesIO(sources[name])) as zb, zipfile.ZipFile(io.BytesIO(edited[name])) as za:
            assert za.read("xl/vbaProject.bin") == zb.read("xl/vbaProject.bin")
    with zipfile.ZipFile(io.BytesIO(sources["xlsxwriter-xlsm"])) as zb:
        assert zb.read("xl/vbaProject.bin") == _vba_project_bin()


def test_new_elements_use_the_sheets_namespace_prefix(edited: dict[str, bytes]) -> None:
    part = _sheet_parts(edited["prefixed"])[MAIN]
    with zipfile.ZipFile(io.BytesIO(edited["prefixed"])) as zf:
        xml = zf.read(part).decode()
    assert '<x:row r="8"><x:c r="B8"><x:v>42</x:v></x:c></x:row>' in xml
    assert '<x:c r="C4" s="5"><x:v>59237.2449</x:v></x:c>' in xml
    assert '<x:c r="F3" t="inlineStr"><x:is><x:t xml:space="preserve"> 前后有空格 </x:t></x:is></x:c>' in xml
    assert "<c " not in xml and "<row" not in xml


# --------------------------------------------------------------------------------------------------
# LibreOffice opens every result and sees the new values
# --------------------------------------------------------------------------------------------------

CSV_ALL_SHEETS = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


@pytest.fixture(scope="session")
def libreoffice_csv(edited: dict[str, bytes]) -> dict[str, bytes]:
    """Every sheet of every result exported by LibreOffice: {"<source>-<sheet>": csv bytes}."""
    files = {f"{name}{EXTENSION.get(name, '.xlsx')}": data for name, data in edited.items()}
    return libreoffice_convert(files, CSV_ALL_SHEETS, ".csv")


@pytest.mark.parametrize("source", SOURCE_NAMES)
def test_libreoffice_opens_the_result(libreoffice_csv: dict[str, bytes], source: str) -> None:
    for sheet, cells in EDITS.items():
        key = f"{source}-{sheet}"
        assert key in libreoffice_csv, f"LibreOffice exported no {key}.csv (have {sorted(libreoffice_csv)})"
        rows = list(csv.reader(io.StringIO(libreoffice_csv[key].decode("utf-8"))))
        for address, value in cells.items():
            r, c = _rc(address)
            shown = rows[r - 1][c - 1] if r <= len(rows) and c <= len(rows[r - 1]) else ""
            if _blank(value):
                assert shown == "", (key, address)
            elif isinstance(value, str):
                assert shown == value, (key, address)
            else:
                assert float(shown) == value, (key, address)


def test_libreoffice_sees_the_macros_of_the_edited_xlsm(edited: dict[str, bytes], tmp_path: Path) -> None:
    path = tmp_path / "edited.xlsm"
    path.write_bytes(edited["xlsxwriter-xlsm"])
    info = inspect_workbook(path)
    assert [s["name"] for s in info["sheets"]] == SHEETS
    assert any(info["basic"].values()), info["basic"]
    assert {s["name"]: (s["visible"], s["protected"]) for s in info["sheets"]} == {
        COVER: (True, True), MAIN: (True, False), HIDDEN: (False, False), EMPTY: (True, False)}
    assert set(DEFINED_NAMES) <= set(info["named_ranges"])
    assert info["validations"][MAIN] and info["validations"][COVER]
    assert info["merged"][MAIN] == ["A7:D7"]
    cells = info["cells"]
    assert cells[MAIN]["C4"]["type"] == "VALUE" and cells[MAIN]["C4"]["value"] == 59237.2449
    assert cells[MAIN]["D2"]["formula"] == "=B2+C2"  # formulas that were not targets stay formulas
    assert cells[COVER]["B2"]["string"] == "某某区人民政府办公室"
    assert cells[COVER]["B2"]["locked"] is False  # the input cell kept its (unlocked) style


# --------------------------------------------------------------------------------------------------
# the XML written, byte for byte
# --------------------------------------------------------------------------------------------------


def read_part(data: bytes, part: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read(part).decode("utf-8")


def with_parts(data: bytes, edit: Mapping[str, Callable[[str], str] | str]) -> bytes:
    """The package with some parts rewritten (a function of the old text) or added (a text), as Excel has them."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        names = set()
        for info in zin.infolist():
            names.add(info.filename)
            body = zin.read(info)
            change = edit.get(info.filename)
            if callable(change):
                body = change(body.decode("utf-8")).encode("utf-8")
            zout.writestr(info, body)
        for name, change in edit.items():
            if name not in names:
                assert isinstance(change, str)
                zout.writestr(name, change)
    return out.getvalue()


def replace_once(old: str, new: str) -> Callable[[str], str]:
    def run(text: str) -> str:
        assert text.count(old) == 1, old
        return text.replace(old, new)

    return run


MAIN_PART = "xl/worksheets/sheet2.xml"  # in the XlsxWriter source


def test_existing_cells_are_replaced_and_nothing_else_changes() -> None:
    src = build_xlsxwriter()
    out = set_cells(src, {MAIN: {"B3": 123, "C4": 59237.2449, "D5": "甲&乙<丙>", "B4": None, "E2": " 留空格 "}})
    old, new = read_part(src, MAIN_PART), read_part(out, MAIN_PART)
    written = {
        '<c r="B3" s="5"><v>5</v></c>': '<c r="B3" s="5"><v>123</v></c>',
        '<c r="C4" s="5"><f>B4*2</f><v>0</v></c>': '<c r="C4" s="5"><v>59237.2449</v></c>',
        '<c r="D5" s="2" t="s"><v>13</v></c>': '<c r="D5" s="2" t="inlineStr"><is><t>甲&amp;乙&lt;丙&gt;</t></is></c>',
        '<c r="B4" s="5"><v>1</v></c>': '<c r="B4" s="5"/>',
        '<c r="E2" s="3"/>': '<c r="E2" s="3" t="inlineStr"><is><t xml:space="preserve"> 留空格 </t></is></c>',
    }
    for before, after in written.items():
        assert old.count(before) == 1 and new.count(after) == 1
        new = new.replace(after, before)
    assert new == old  # every other byte of the part is as it was


def test_missing_cells_and_rows_are_inserted_in_order() -> None:
    src = build_xlsxwriter()
    out = set_cells(src, {MAIN: {"F3": 1, "B11": "x", "B8": 42, "B10": 43, "G10": 44, "H40": -3.5, "AA1": 2}})
    old, new = read_part(src, MAIN_PART), read_part(out, MAIN_PART)
    assert '<dimension ref="A1:AA40"/>' in new
    assert '<row r="1" spans="1:27">' in new  # the row's spans hint widened for AA1
    assert '<c r="D3" s="5"><f>B3+C3</f><v>0</v></c><c r="F3"><v>1</v></c></row>' in new
    assert '<c r="A11" s="5"><v>16.5</v></c><c r="B11" t="inlineStr"><is><t>x</t></is></c><c r="C11" ' in new
    assert '</row><row r="8"><c r="B8"><v>42</v></c></row><row r="9" ' in new
    row10 = '<row r="10" spans="1:7" ht="30" customHeight="1"><c r="B10"><v>43</v></c><c r="G10"><v>44</v></c></row>'
    assert row10 in new  # a self-closing <row/> opened up
    assert new.endswith('<row r="40"><c r="H40"><v>-3.5</v></c></row></sheetData>' + old.split("</sheetData>")[1])
    # taking the new pieces out again gives the old part back
    undo = [
        ('<dimension ref="A1:AA40"/>', '<dimension ref="A1:E30"/>'),
        ('<row r="1" spans="1:27">', '<row r="1" spans="1:5">'),
        ('<row r="3" spans="1:6">', '<row r="3" spans="1:5">'),
        ('<c r="F3"><v>1</v></c>', ""),
        ('<c r="B11" t="inlineStr"><is><t>x</t></is></c>', ""),
        ('<row r="8"><c r="B8"><v>42</v></c></row>', ""),
        (row10, '<row r="10" spans="1:5" ht="30" customHeight="1"/>'),
        ('<row r="40"><c r="H40"><v>-3.5</v></c></row>', ""),
        ('<c r="AA1"><v>2</v></c>', ""),
    ]
    for after, before in undo:
        assert new.count(after) == 1, after
        new = new.replace(after, before)
    assert new == old


def test_an_empty_sheet_gets_its_first_rows() -> None:
    src = build_xlsxwriter()
    part = _sheet_parts(src)[EMPTY]
    assert "<sheetData/>" in read_part(src, part)
    new = read_part(set_cells(src, {EMPTY: {"C5": "空表也能写", "A1": 0.1, "B2": None}}), part)
    assert ('<dimension ref="A1:C5"/>' in new
            and '<sheetData><row r="1"><c r="A1"><v>0.1</v></c></row>'
                '<row r="5"><c r="C5" t="inlineStr"><is><t>空表也能写</t></is></c></row></sheetData>' in new)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (123, "123"), (-7, "-7"), (0, "0"), (12.0, "12"), (-0.0, "0"), (59237.2449, "59237.2449"), (0.1, "0.1"),
        (1 / 3, "0.3333333333333333"), (1e-05, "0.00001"), (1.25e-7, "0.000000125"), (2**53, "9007199254740992"),
        (-(2**53), "-9007199254740992"), (1.5e16, "1.5E+16"), (6.29881224704729e16, "6.29881224704729E+16"),
        (1e300, "1E+300"), (5e-324, "5E-324"),
    ],
)
def test_numbers_are_written_shortest_and_positional(value: float, text: str) -> None:
    out = set_cells(build_xlsxwriter(), {MAIN: {"B3": value}})
    assert f'<c r="B3" s="5"><v>{text}</v></c>' in read_part(out, MAIN_PART)
    assert openpyxl.load_workbook(io.BytesIO(out))[MAIN]["B3"].value == value


def test_text_follows_excels_escaping() -> None:
    """Control characters become _xHHHH_ and a literal _xHHHH_ is guarded, as Excel and XlsxWriter write them."""
    values = {"A40": "_x0041_ 原样", "A41": "控制\x01符", "A42": "回车\r\n换行", "A43": "a&b<c>d\"e'f", "A44": "\t制表"}
    out = set_cells(build_xlsxwriter(), {MAIN: values})
    xml = read_part(out, MAIN_PART)
    for fragment in ("<t>_x005F_x0041_ 原样</t>", "<t>控制_x0001_符</t>", "<t>a&amp;b&lt;c&gt;d\"e'f</t>",
                     '<t xml:space="preserve">回车_x000D_\n换行</t>', '<t xml:space="preserve">\t制表</t>'):
        assert fragment in xml
    got = calamine_cells(out)[MAIN]
    assert {a: got[_rc(a)] for a in values} == values  # calamine decodes Excel's escapes


def test_cell_attributes_kept_and_dropped() -> None:
    """``s`` and ``ph`` stay; ``t``, ``cm`` and ``vm`` describe the old value and go with it."""
    src = with_parts(build_xlsxwriter(), {MAIN_PART: replace_once(
        '<c r="B2" s="5"><v>10</v></c>', '<c r="B2" s="5" t="n" cm="1" vm="2" ph="1"><v>10</v></c>')})
    for value, written in [(1, '<c r="B2" s="5" ph="1"><v>1</v></c>'), (None, '<c r="B2" s="5" ph="1"/>'),
                           ("字", '<c r="B2" s="5" ph="1" t="inlineStr"><is><t>字</t></is></c>')]:
        assert written in read_part(set_cells(src, {MAIN: {"B2": value}}), MAIN_PART)


def test_new_cells_go_before_a_rows_extension_list() -> None:
    ext = '<extLst><ext uri="{00000000-0000-0000-0000-000000000000}"><c r="Z9"/></ext></extLst>'
    src = with_parts(build_xlsxwriter(), {MAIN_PART: replace_once(
        '<c r="E9" t="s"><v>17</v></c></row>', f'<c r="E9" t="s"><v>17</v></c>{ext}</row>')})
    xml = read_part(set_cells(src, {MAIN: {"G9": 1, "A9": 2}}), MAIN_PART)
    assert f'<c r="E9" t="s"><v>17</v></c><c r="G9"><v>1</v></c>{ext}</row>' in xml


def test_a_new_cell_takes_the_style_of_its_row_or_else_of_its_column() -> None:
    """As Excel does for a typed cell: a formatted row's style (customFormat), otherwise the column's.

    Why it matters: the template styles its results columns (the explanation column unlocked on a protected
    sheet) instead of writing hundreds of styled blank cells, and a finding written by the file writers must
    look, and be editable, like one written in Excel.
    """
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("S")
    open_cell = wb.add_format({"locked": False, "bg_color": "#FFF2CC"})
    bold_row = wb.add_format({"bold": True})
    ws.set_column("C:D", 12, open_cell)
    ws.set_row(4, 20, bold_row)
    ws.write("A5", "标签")
    ws.write("A7", "另一行")
    ws.protect()
    wb.close()
    src = buf.getvalue()
    xml = read_part(src, _sheet_parts(src)["S"])
    col_style = re.search(r'<col min="3" max="4"[^>]* style="(\d+)"', xml)
    row_style = re.search(r'<row r="5"[^>]* s="(\d+)" customFormat="1"', xml)
    assert col_style and row_style and col_style.group(1) != row_style.group(1)
    out = set_cells(src, {"S": {"C2": "说明", "D7": 3, "C5": "行", "F2": 1, "F7": 2}})
    written = read_part(out, _sheet_parts(out)["S"])
    cells = {m.group(1): m.group(2) for m in re.finditer(r'<c r="([A-Z]+\d+)"( s="\d+")?', written)}
    assert cells["C2"] == cells["D7"] == f' s="{col_style.group(1)}"'  # a new row, an existing row
    assert cells["C5"] == f' s="{row_style.group(1)}"'  # the row's style wins
    assert cells["F2"] is None and cells["F7"] is None  # no style anywhere: none
    sheet = openpyxl.load_workbook(io.BytesIO(out))["S"]
    assert sheet["C2"].protection.locked is False and sheet["D7"].protection.locked is False
    assert sheet["C5"].font.b and sheet["F2"].protection.locked is True


def test_empty_text_is_written_as_a_blank() -> None:
    out = set_cells(build_xlsxwriter(), {MAIN: {"B3": "", "Z50": ""}})
    xml = read_part(out, MAIN_PART)
    assert '<c r="B3" s="5"/>' in xml and "Z50" not in xml


# --------------------------------------------------------------------------------------------------
# formulas: refused where overwriting would break others; the calculation chain
# --------------------------------------------------------------------------------------------------

def shared_formula_source() -> bytes:
    """D2:D3 as one shared formula, the way Excel writes a formula filled down."""
    return with_parts(build_xlsxwriter(), {MAIN_PART: lambda xml: replace_once(
        '<c r="D2" s="5"><f>B2+C2</f><v>0</v></c>',
        '<c r="D2" s="5"><f t="shared" ref="D2:D3" si="0">B2+C2</f><v>30.5</v></c>')(replace_once(
        '<c r="D3" s="5"><f>B3+C3</f><v>0</v></c>', '<c r="D3" s="5"><f t="shared" si="0"/><v>11</v></c>')(xml))})


def test_the_master_of_a_shared_formula_is_refused() -> None:
    src = shared_formula_source()
    assert openpyxl.load_workbook(io.BytesIO(src))[MAIN]["D3"].value == "=B3+C3"  # a valid shared formula
    with pytest.raises(WorkbookFormatError) as exc:
        set_cells(src, {MAIN: {"B3": 1, "D2": 5}})
    assert MAIN in str(exc.value) and "D2" in str(exc.value) and "共享公式" in str(exc.value)
    # a cell that only follows the shared formula can be overwritten: the master keeps its formula
    out = set_cells(src, {MAIN: {"D3": 5}})
    ws = openpyxl.load_workbook(io.BytesIO(out))[MAIN]
    assert (ws["D2"].value, ws["D3"].value) == ("=B2+C2", 5)


def test_cells_of_a_multi_cell_array_formula_are_refused() -> None:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet(MAIN)
    for r in range(1, 5):
        ws.write_number(f"A{r}", r)
    ws.write_array_formula("B1:B4", "{=A1:A4*2}")
    ws.write_array_formula("C1", "{=SUM(A1:A4*2)}")
    wb.close()
    src = buf.getvalue()
    for address in ("B1", "B3"):
        with pytest.raises(WorkbookFormatError, match=f"{address}.*B1:B4"):
            set_cells(src, {MAIN: {address: 1}})
    out = set_cells(src, {MAIN: {"C1": 7, "D1": 8}})  # a single-cell array formula is just a formula
    ws2 = openpyxl.load_workbook(io.BytesIO(out))[MAIN]
    assert (ws2["C1"].value, ws2["D1"].value) == (7, 8)


CALC_CHAIN = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<calcChain xmlns="{MAIN_NS}"><c r="D2" i="2"/><c r="D3"/><c r="C4"/><c r="D6"/></calcChain>'
)
CALC_REL = ('<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'calcChain" Target="calcChain.xml"/>')
CALC_OVERRIDE = ('<Override PartName="/xl/calcChain.xml" '
                 'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/>')


def calc_chain_source() -> tuple[bytes, bytes]:
    """(the XlsxWriter source, the same with a calculation chain as Excel saves one)."""
    plain = build_xlsxwriter()
    return plain, with_parts(plain, {
        "xl/calcChain.xml": CALC_CHAIN,
        "xl/_rels/workbook.xml.rels": replace_once("</Relationships>", f"{CALC_REL}</Relationships>"),
        "[Content_Types].xml": replace_once("</Types>", f"{CALC_OVERRIDE}</Types>"),
    })


def test_overwriting_a_formula_removes_the_calculation_chain() -> None:
    plain, src = calc_chain_source()
    out = set_cells(src, {MAIN: {"C4": 1, "B3": 2}})
    with zipfile.ZipFile(io.BytesIO(out)) as zo, zipfile.ZipFile(io.BytesIO(plain)) as zp:
        assert "xl/calcChain.xml" not in zo.namelist()
        # the relationship and the override come out exactly: both parts are the plain file's again
        assert zo.read("xl/_rels/workbook.xml.rels") == zp.read("xl/_rels/workbook.xml.rels")
        assert zo.read("[Content_Types].xml") == zp.read("[Content_Types].xml")
    changed = differing_parts(src, out, removed=frozenset({"xl/calcChain.xml"}))
    assert changed == {MAIN_PART, "xl/_rels/workbook.xml.rels", "[Content_Types].xml"}
    assert openpyxl.load_workbook(io.BytesIO(out))[MAIN]["C4"].value == 1


def test_the_calculation_chain_stays_when_no_formula_is_overwritten() -> None:
    _, src = calc_chain_source()
    out = set_cells(src, {MAIN: {"B3": 2, "F9": "新"}})
    assert differing_parts(src, out) == {MAIN_PART}


def test_libreoffice_opens_the_edited_excel_style_files() -> None:
    """Results from sources with Excel-only features (calcChain, shared formulas) open in LibreOffice."""
    _, chain = calc_chain_source()
    files = {
        "chain.xlsx": set_cells(chain, {MAIN: {"C4": 59237.2449}}),
        "shared.xlsx": set_cells(shared_formula_source(), {MAIN: {"D3": "改"}}),
    }
    sheets = libreoffice_convert(files, CSV_ALL_SHEETS, ".csv")
    chain_rows = list(csv.reader(io.StringIO(sheets[f"chain-{MAIN}"].decode())))
    shared_rows = list(csv.reader(io.StringIO(sheets[f"shared-{MAIN}"].decode())))
    assert chain_rows[3][2] == "59237.2449"
    assert shared_rows[2][3] == "改"
    assert float(shared_rows[1][3]) == 30.5  # the master still computes B2+C2


# --------------------------------------------------------------------------------------------------
# refused instead of guessed
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('<c r="B2" s="5"><v>10</v></c>', '<c r="C2" s="5"><v>10</v></c>', "顺序错乱或重复"),  # C2 twice
        ('<c r="B2" s="5"><v>10</v></c>', '<c r="B3" s="5"><v>10</v></c>', "不属于该行"),
        ('<row r="3" spans="1:5">', '<row r="2" spans="1:5">', "顺序错乱或重复"),
        ('<row r="9" spans="1:5">', '<foo/><row r="9" spans="1:5">', "意外的元素"),
    ],
)
def test_uncertain_positions_are_refused(old: str, new: str, message: str) -> None:
    src = with_parts(build_xlsxwriter(), {MAIN_PART: replace_once(old, new)})
    with pytest.raises(WorkbookFormatError, match=message) as exc:
        set_cells(src, {MAIN: {"B2": 1}})
    assert MAIN in str(exc.value)


@pytest.mark.parametrize(
    "damage",
    [
        replace_once("</sheetData>", ""),  # not well-formed
        lambda xml: xml.replace("?>", '?><!DOCTYPE worksheet [<!ENTITY x "y">]>', 1),
        replace_once('<c r="B2" s="5"><v>10</v></c>', '<c r="B2" s="5"><v>10</v>'),
    ],
)
def test_damaged_worksheets_are_refused(damage: Callable[[str], str]) -> None:
    src = with_parts(build_xlsxwriter(), {MAIN_PART: damage})
    with pytest.raises(WorkbookFormatError, match=MAIN):
        set_cells(src, {MAIN: {"A40": 1}})


def test_unknown_sheet_is_refused_with_its_name() -> None:
    with pytest.raises(WorkbookFormatError) as exc:
        set_cells(build_xlsxwriter(), {"表九 不存在": {"A1": 1}})
    assert "表九 不存在" in str(exc.value) and MAIN in str(exc.value)


def test_a_chartsheet_is_not_a_worksheet() -> None:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet(MAIN)
    ws.write_column("A1", [1, 2, 3])
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"values": f"='{MAIN}'!$A$1:$A$3"})
    wb.add_chartsheet("图表").set_chart(chart)
    wb.close()
    with pytest.raises(WorkbookFormatError, match="“图表”不是普通工作表"):
        set_cells(buf.getvalue(), {"图表": {"A1": 1}})


@pytest.mark.parametrize(
    ("address", "value", "error"),
    [
        ("a1", 1, ValueError), ("A0", 1, ValueError), ("XFE1", 1, ValueError), ("A1048577", 1, ValueError),
        ("A1:B2", 1, ValueError), ("A1", True, TypeError), ("A1", b"x", TypeError), ("A1", math.nan, ValueError),
        ("A1", math.inf, ValueError), ("A1", 2**53 + 1, ValueError), ("A1", "字" * 32768, ValueError),
        ("A1", "\ud800", ValueError),
    ],
)
def test_values_the_caller_should_never_pass(address: str, value: Any, error: type[Exception]) -> None:
    with pytest.raises(error, match=MAIN):
        set_cells(build_xlsxwriter(), {MAIN: {address: value}})


# --------------------------------------------------------------------------------------------------
# the zip
# --------------------------------------------------------------------------------------------------


def test_entry_metadata_survives() -> None:
    """Stored and deflated entries, old timestamps, odd attributes, comments: all as they were."""
    src = build_xlsxwriter()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(out, "w") as zout:
        for n, info in enumerate(zin.infolist()):
            body = zin.read(info)
            new = zipfile.ZipInfo(info.filename, (1999, 12, 31, 23, 59, 58 - 2 * n))
            new.compress_type = zipfile.ZIP_STORED if n % 2 else zipfile.ZIP_DEFLATED
            new.external_attr = (0o644 << 16) if n % 3 else 0
            new.comment = f"条目 {n}".encode()
            zout.writestr(new, body)
        zout.comment = "归档注释".encode()
    repacked = out.getvalue()
    edited = set_cells(repacked, EDITS)
    assert differing_parts(repacked, edited) == {_sheet_parts(src)[s] for s in EDITS}


def test_same_input_same_bytes() -> None:
    src = build_xlsxwriter(vba=True)
    first = set_cells(src, EDITS)
    assert set_cells(src, EDITS) == first
    assert set_cells(first, EDITS) is first  # writing the same values again changes nothing


def test_no_op_edits_return_the_input() -> None:
    src = build_xlsxwriter()
    assert set_cells(src, {}) is src
    assert set_cells(src, {MAIN: {}, EMPTY: {"J2": None}}) is src


def _zip(entries: Mapping[str, bytes | int], level: int = 1) -> bytes:
    """A zip of real entries (bytes) and of zeros (an int: that many MiB, streamed at deflate level 1)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for name, body in entries.items():
            if isinstance(body, int):
                with zf.open(name, "w", force_zip64=True) as fh:
                    for _ in range(body):
                        fh.write(bytes(1 << 20))
            else:
                zf.writestr(name, body)
    return out.getvalue()


def _workbook_entries() -> dict[str, bytes | int]:
    with zipfile.ZipFile(io.BytesIO(build_xlsxwriter())) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


@pytest.mark.parametrize(
    ("bombs", "message"),
    [
        ({"xl/media/image1.png": MAX_PART_SIZE // (1 << 20) + 1}, "超过上限"),
        ({f"xl/media/image{i}.png": MAX_TOTAL_SIZE // (1 << 20) // 3 + 1 for i in range(3)}, "超过"),
    ],
)
def test_zip_bombs_are_refused_before_they_are_unpacked(bombs: dict[str, int], message: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Refused on the size headers: not one chunk of a bomb is decompressed (``make bench`` times it)."""
    package = _zip({**_workbook_entries(), **bombs})
    assert len(package) < 2 * 1024 * 1024  # small on disk, huge unpacked
    unpacked: list[str] = []
    real = zipfile.ZipFile.open

    def watched(self: zipfile.ZipFile, name: Any, *args: Any, **kwargs: Any) -> Any:
        unpacked.append(getattr(name, "filename", name))
        return real(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", watched)
    with pytest.raises(WorkbookFormatError, match=message):
        set_cells(package, {MAIN: {"B3": 1}})
    assert not unpacked, unpacked


@pytest.mark.parametrize("name", ["../evil.xml", "/etc/evil.xml", "xl/../../evil.xml", "C:/evil.xml", "xl\\..\\evil"])
def test_unsafe_entry_names_are_refused(name: str) -> None:
    with pytest.raises(WorkbookFormatError, match="不安全的路径"):
        set_cells(_zip({**_workbook_entries(), name: b"x"}), {MAIN: {"B3": 1}})


def test_not_a_zip_is_refused() -> None:
    """The answers of the reader that every package goes through (the same as the checks give)."""
    with pytest.raises(WorkbookFormatError, match=r"旧版 \.xls 工作簿，或设置了打开密码"):
        set_cells(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000), {MAIN: {"B3": 1}})  # an encrypted (OLE) file
    with pytest.raises(WorkbookFormatError, match="不是可读取的 Excel 工作簿"):
        set_cells("这不是工作簿".encode() * 100, {MAIN: {"B3": 1}})


# --------------------------------------------------------------------------------------------------
# properties and speed
# --------------------------------------------------------------------------------------------------

def _covered(ref: str) -> set[str]:
    first, last = ref.split(":")
    (r1, c1), (r2, c2) = _rc(first), _rc(last)
    return {f"{get_column_letter(c)}{r}" for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)} - {first}


# openpyxl shows no value for the cells a merge covers (all but its top-left one), whatever the file holds
_MERGED_COVERED = {sheet: set().union(*(_covered(ref) for ref in refs)) for sheet, refs in MERGES.items()}
_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cn", "Co")) | st.sampled_from(" \n\t中文&<>\"'"),
    max_size=20,
).filter(lambda s: re.search("_x[0-9A-Fa-f]{4}_", s) is None)  # openpyxl does not decode Excel's escapes
_VALUES = st.one_of(st.none(), st.integers(-(2**53), 2**53), st.floats(allow_nan=False, allow_infinity=False), _TEXT)
_ADDRESSES = st.builds(lambda r, c: f"{get_column_letter(c)}{r}", st.integers(1, 60), st.integers(1, 26))
_BEFORE: dict[str, Cells] = {}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_ADDRESSES, _VALUES, max_size=15), st.sampled_from(SHEETS), st.sampled_from(SOURCE_NAMES))
def test_random_edits_read_back_with_openpyxl(sources: dict[str, bytes], edits: dict[str, Any], sheet: str,
                                              source: str) -> None:
    """Random cells of A1:Z60 with random values, on every source (XlsxWriter and all the others)."""
    assume(edits)
    assume(not any(address in _MERGED_COVERED.get(sheet, ()) for address in edits))
    src = sources[source]
    if source not in _BEFORE:
        _BEFORE[source] = openpyxl_cells(src)
    out = set_cells(src, {sheet: edits})
    expected, new = expected_openpyxl(_BEFORE[source], {sheet: edits})
    assert_same_cells(openpyxl_cells(out), expected, new)


def template_sized_workbook() -> bytes:
    """About the template's size: ten sheets of a few dozen labelled, styled rows each."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.add_vba_project(io.BytesIO(_vba_project_bin()), is_stream=True)
    label = wb.add_format({"border": 1, "font_name": "宋体"})
    cell = wb.add_format({"border": 1, "locked": False, "bg_color": "#FFF2CC"})
    for i in range(10):
        ws = wb.add_worksheet(f"表{i} 第{i}部分")
        ws.protect()
        for r in range(40):
            ws.write(r, 0, f"第{r}项", label)
            for c in range(1, 6):
                ws.write_blank(r, c, None, cell)
    wb.close()
    return buf.getvalue()


def test_a_template_sized_workbook_reads_back_every_edit() -> None:
    """Five sheets of thirty edits each (``make bench`` times set_cells against a zip round trip)."""
    src = template_sized_workbook()
    edits = {f"表{i} 第{i}部分": {f"{col}{r}": r * 1.5 for col in "BCD" for r in range(2, 12)} for i in range(0, 10, 2)}
    out = set_cells(src, edits)
    wb = openpyxl.load_workbook(io.BytesIO(out))
    for sheet, cells in edits.items():
        assert {a: wb[sheet][a].value for a in cells} == cells
    assert differing_parts(src, out) == {_sheet_parts(src)[sheet] for sheet in edits}

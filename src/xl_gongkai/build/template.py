"""Builds the template from the form spec, the VBA sources and the ribbon XML.

Every label, key and address comes from the spec; this module only decides how things look (fonts,
widths, fills) and how the workbook behaves (protection, validation, marks). XlsxWriter writes the
sheets (see docs/excel.md for why); ``package.finish`` adds the ribbon and makes the zip reproducible.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_range, xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from .. import __version__
from ..spec import Cell, Form, Severity, Table, current_form
from ..spec.a1 import column_index, split_cell, split_range
from . import package

# xlwings settings every workbook carries. Deliberately no interpreter: xlwings reads each key from this
# sheet first, then from the user's own configuration (``xl-gongkai excel install`` writes the interpreter
# there), so one install serves every workbook, wherever Python is. SHOW_ERROR_POPUPS = False makes
# xlwings put a failed run's traceback on a sheet instead of an English message box; the ribbon's VBA
# moves it to the log and shows a Chinese message (build/vba/GongkaiRibbon.bas).
# CONDA PATH, CONDA ENV and PYTHONPATH are pinned to empty values: the sheet wins over the user's file, and a
# clerk who once used xlwings with conda (or a PYTHONPATH of another project) would otherwise have every click
# run `conda activate` first or import another xl_gongkai. GetConfigFromSheet reads keys from A1 down to the
# first blank key, so the rows stay contiguous.
XLWINGS_CONF = [
    ("ADD_WORKBOOK_TO_PYTHONPATH", "False"),
    ("Show Console", "False"),
    ("Use UDF Server", "False"),
    ("SHOW_ERROR_POPUPS", "False"),
    ("CONDA PATH", ""),
    ("CONDA ENV", ""),
    ("PYTHONPATH", ""),
]
COUNT_MAX = 999_999_999_999
BUILT = dt.datetime(2021, 9, 26)  # the date of the format notice: a fixed, meaningful timestamp
PROTECTION = {"format_columns": True, "format_rows": True, "select_locked_cells": True,
              "select_unlocked_cells": True}
# The register is the clerk's working list: sorting and filtering it stay possible on the protected sheet.
LEDGER_PROTECTION = {**PROTECTION, "sort": True, "autofilter": True}
LATEST_DATE = dt.date(2100, 12, 31)  # as the cover's date fields: a typing slip, not a range the checks rely on
LEDGER_ID_CHARS, LEDGER_REMARK_CHARS = 50, 2000
LEDGER_NOTE = ("每件申请一行：收到日期、办结日期填日期（如 2025-03-05），办结日期空白表示尚未办结；"
               "申请人类别和办理结果从下拉列表中选择（办理结果与表三的行名相同）。点击“填充合计”时，"
               "表三按本表自动填写；之后表三与本表不一致会被校验指出。收到日期在报告年度之后的申请不计入本年表三。")
FONT = "宋体"
TITLE_FONT = "黑体"
# Widths in Excel character units, by table key (layout only: no labels, no addresses).
WIDTHS: dict[str, dict[str, float]] = {
    "active": {"A": 30, "B": 15, "C": 15, "D": 15},
    "requests": {"A": 4.5, "B": 9, "C": 34, **{c: 9.5 for c in "DEFGHIJ"}},
    "appeals": {c: 8 for c in "ABCDEFGHIJKLMNO"},
}
LANDSCAPE = {"appeals"}


def code_names(form: Form) -> dict[str, str]:
    """ASCII code names of the sheets (VBA document modules of the same names)."""
    tpl = form.workbook
    names = {form.metadata_sheet: "SheetCover", form.narrative_sheet: "SheetText"}
    names |= {t.sheet: "Sheet" + t.key.capitalize() for t in form.tables}
    if tpl.ledger is not None:
        names[tpl.ledger.sheet] = "SheetLedger"
    names |= {tpl.results_sheet: "SheetResults", tpl.summary_sheet: "SheetSummary", tpl.info_sheet: "SheetInfo",
              tpl.flags_sheet: "SheetFlags", tpl.config_sheet: "SheetConf"}
    return names


@dataclass
class Styles:
    wb: Workbook

    def __post_init__(self) -> None:
        base = {"font_name": FONT, "font_size": 10, "valign": "vcenter"}
        boxed = {**base, "border": 1, "text_wrap": True}
        add = self.wb.add_format
        self.title = add({"font_name": TITLE_FONT, "font_size": 14, "align": "center", "valign": "vcenter"})
        self.header = add({**boxed, "align": "center", "bold": True, "bg_color": "#F2F2F2"})
        self.row_label = add({**boxed, "align": "left"})
        self.group_label = add({**boxed, "align": "center"})
        self.count = add({**boxed, "align": "right", "locked": False, "num_format": "General"})
        self.amount = add({**boxed, "align": "right", "locked": False, "num_format": "0.####"})
        self.derived = add({**boxed, "align": "right", "bold": True, "bg_color": "#D9D9D9", "num_format": "General"})
        self.field_label = add({**boxed, "align": "right", "bold": True, "bg_color": "#F2F2F2"})
        self.field = add({**boxed, "align": "left", "locked": False})
        self.date = add({**boxed, "align": "left", "locked": False, "num_format": "yyyy-mm-dd"})
        self.year = add({**boxed, "align": "left", "locked": False, "num_format": "0"})
        self.text = add({**base, "border": 1, "text_wrap": True, "valign": "top", "locked": False})
        self.section = add({**base, "bold": True, "font_size": 11})
        self.note = add({**base, "text_wrap": True, "valign": "top", "font_color": "#595959"})
        self.status = add({**base, "bold": True, "font_size": 11, "font_color": "#1F4E79"})
        self.plain = add({**base, "text_wrap": True, "valign": "top"})
        self.cellbox = add({**base, "border": 1, "text_wrap": True, "valign": "top"})
        self.result = add({**base, "text_wrap": True, "valign": "top"})
        self.result_explain = add({**base, "text_wrap": True, "valign": "top", "locked": False})
        self.boxed = add({"border": 1})
        self.ledger_text = add({**base, "locked": False})
        self.ledger_date = add({**base, "locked": False, "align": "left", "num_format": "yyyy-mm-dd"})
        self.marked = add({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
        self.error_text = add({"font_color": "#C00000", "bold": True})
        self.hint_text = add({"font_color": "#B45F06", "bold": True})


def _merge_or_write(ws: Worksheet, ref: str, text: Any, fmt: Any) -> None:
    (r1, c1), (r2, c2) = split_range(ref)
    if (r1, c1) == (r2, c2):
        ws.write(r1 - 1, c1 - 1, text, fmt)
    else:
        ws.merge_range(r1 - 1, c1 - 1, r2 - 1, c2 - 1, text, fmt)


def _rectangles(cells: list[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """(row1, col1, row2, col2) rectangles covering exactly ``cells`` (1-based): runs of a row, stacked."""
    runs: list[tuple[int, int, int]] = []  # (row, first column, last column)
    for r, c in sorted(set(cells)):
        if runs and runs[-1][0] == r and runs[-1][2] == c - 1:
            runs[-1] = (r, runs[-1][1], c)
        else:
            runs.append((r, c, c))
    boxes: list[list[int]] = []
    for r, a, b in runs:
        above = next((box for box in boxes if box[2] == r - 1 and (box[1], box[3]) == (a, b)), None)
        if above is not None:
            above[2] = r
        else:
            boxes.append([r, a, r, b])
    return [(r1, c1, r2, c2) for r1, c1, r2, c2 in boxes]


def _lines(text: str, width: float) -> int:
    """Lines a wrapped label takes: CJK characters are about two width units each."""
    units = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text) * 1.05
    return max(1, math.ceil(units / max(width, 1)))


def _range_width(widths: dict[str, float], ref: str) -> float:
    (_, c1), (_, c2) = split_range(ref)
    from xlsxwriter.utility import xl_col_to_name

    return sum(widths.get(xl_col_to_name(c - 1), 8.43) for c in range(c1, c2 + 1))


class TemplateBuilder:
    def __init__(self, form: Form, sources: list[dict[str, Any]] | None = None) -> None:
        self.form = form
        self.sources = sources
        self.tpl = form.workbook
        self.out = io.BytesIO()
        self.wb = xlsxwriter.Workbook(self.out, {
            "in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
        })
        self.styles = Styles(self.wb)
        self.codes = code_names(form)
        if sources is not None:
            self.codes[self.tpl.sources.sheet] = "SheetSources"
        self.flag_offsets = form.flag_offsets()
        self.mark_extent: dict[str, tuple[int, int]] = {}  # sheet -> (last row, last column) its marks cover

    # -- helpers ---------------------------------------------------------------------------------------
    def sheet(self, name: str, *, hidden: bool = False, protect: bool = True,
              protection: dict[str, bool] | None = None) -> Worksheet:
        ws = self.wb.add_worksheet(name)
        ws.set_vba_name(self.codes[name])
        if hidden:
            ws.hide()
        if protect:
            ws.protect("", protection or PROTECTION)
        ws.set_paper(9)
        ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        ws.center_horizontally()
        ws.fit_to_pages(1, 0)
        ws.set_footer("&C第 &P 页，共 &N 页")
        return ws

    def name(self, kind: str, key: str, sheet: str, address: str) -> None:
        row, col = split_cell(address)
        ref = xl_rowcol_to_cell(row - 1, col - 1, row_abs=True, col_abs=True)
        self.wb.define_name(self.tpl.defined_name(kind, key), f"='{sheet}'!{ref}")

    def mark_rule(self, ws: Worksheet, sheet: str, ref: str) -> None:
        """Conditional formatting: a cell turns red while its mark on the hidden marks sheet is non-empty.

        The rule refers to the marks through a workbook-level defined name, never to the other sheet
        itself: Excel 2007 forbids references to other worksheets in conditional formats, and Excel 2010
        and later keep such rules only in the x14 extension. The name covers this sheet's block of marks
        from row 1 and column 1 of the sheet, so ``INDEX(name, ROW(), COLUMN())`` is the cell's own mark.
        """
        (r1, c1), (r2, c2) = split_range(ref)
        rows, cols = self.mark_extent.get(sheet, (0, 0))
        self.mark_extent[sheet] = (max(rows, r2), max(cols, c2))
        name = self.marks_name(sheet)
        ws.conditional_format(r1 - 1, c1 - 1, r2 - 1, c2 - 1, {
            "type": "formula", "criteria": f"=LEN(INDEX({name},ROW(),COLUMN()))>0", "format": self.styles.marked,
        })

    def marks_name(self, sheet: str) -> str:
        form = self.form
        key = {form.metadata_sheet: "metadata", form.narrative_sheet: "narrative"}.get(sheet)
        return self.tpl.defined_name("marks", key or form.table_by_sheet(sheet).key)

    def define_marks(self) -> None:
        """The defined names the mark rules read: each sheet's block on the marks sheet, from its row 1."""
        for sheet, (rows, cols) in self.mark_extent.items():
            offset = self.flag_offsets[sheet]
            first = xl_rowcol_to_cell(0, offset, row_abs=True, col_abs=True)
            last = xl_rowcol_to_cell(rows - 1, offset + cols - 1, row_abs=True, col_abs=True)
            self.wb.define_name(self.marks_name(sheet), f"='{self.tpl.flags_sheet}'!{first}:{last}")

    # -- sheets ----------------------------------------------------------------------------------------
    def cover(self) -> None:
        form, s = self.form, self.styles
        ws = self.sheet(form.metadata_sheet)
        label = column_index(self.tpl.cover_label_column) - 1  # 0-based, as XlsxWriter counts
        right = column_index(self.tpl.cover_last_column) - 1
        ws.set_column(label, label, 22)
        ws.set_column(label + 1, right, 22)
        _merge_or_write(ws, form.metadata_title_range, self.tpl.metadata_title, s.title)
        ws.set_row(0, 30)
        last = 1
        for f in form.metadata_fields:
            row, col = split_cell(f.cell)
            ws.write(row - 1, label, f.label + ("（必填）" if f.required else ""), s.field_label)
            fmt = {"date": s.date, "year": s.year}.get(f.type, s.field)
            ws.merge_range(row - 1, col - 1, row - 1, right, None, fmt)
            ws.data_validation(row - 1, col - 1, row - 1, col - 1, self.metadata_validation(f.type))
            ws.set_row(row - 1, 20)
            self.name("meta", f.key, form.metadata_sheet, f.cell)
            self.mark_rule(ws, form.metadata_sheet, f.cell)
            last = max(last, row)
        vr, vc = split_cell(self.tpl.version_cell)
        ws.write(vr - 1, label, self.tpl.version_label, s.field_label)
        ws.merge_range(vr - 1, vc - 1, vr - 1, right, self.tpl.version, s.row_label)
        last = max(last, vr)
        notes = [
            "填写说明",
            "1. 只在白色单元格填写；灰色单元格是合计，点击“政务公开年报”选项卡的“填充合计”自动计算，不能手填。",
            "2. 空白不等于0：没有发生的事项请填0。件数填非负整数；表二收费金额的单位是万元，最多六位小数。",
            "3. 点击“校验”检查全部表格；“校验结果”表列出每个问题及其位置，有问题的单元格标红。",
            "4. 提示类问题如确属实，可在“校验结果”表的“说明”栏写明理由；错误类问题必须改正。",
            *([f"5. 在“{self.tpl.ledger.sheet}”表逐件登记申请的，点击“填充合计”时表三按台账自动填写，不必手工计数。"]
              if self.tpl.ledger is not None else []),
            f"格式：{form.source}。",
        ]
        for i, text in enumerate(notes):
            r = last + 2 + i
            ws.merge_range(r - 1, 0, r - 1, right, text, s.section if i == 0 else s.note)
            ws.set_row(r - 1, 16 if i == 0 else 30)

    def metadata_validation(self, kind: str) -> dict[str, Any]:
        common = {"error_type": "stop", "error_title": "输入有误", "ignore_blank": True}
        if kind == "year":
            return {**common, "validate": "integer", "criteria": "between", "minimum": self.form.first_year,
                    "maximum": 2100, "error_message": f"报告年度请填写四位数年份（{self.form.first_year}年及以后）。"}
        if kind == "date":
            return {**common, "validate": "date", "criteria": "between", "minimum": dt.date(2000, 1, 1),
                    "maximum": dt.date(2100, 12, 31), "error_message": "请填写日期，例如 2025-01-01。"}
        if kind == "credit_code":
            return {**common, "validate": "length", "criteria": "==", "value": 18,
                    "error_message": "统一社会信用代码为18位（没有可不填）。"}
        return {**common, "validate": "length", "criteria": "<=", "value": 200, "error_message": "不超过200字。"}

    def narrative(self) -> None:
        form, s = self.form, self.styles
        ws = self.sheet(form.narrative_sheet)
        right = column_index(self.tpl.narrative_last_column) - 1
        ws.set_column(0, right, 13)
        _merge_or_write(ws, f"A1:{self.tpl.narrative_last_column}1", self.tpl.narrative_title, s.title)
        ws.set_row(0, 30)
        for sec in form.text_parts:
            if not sec.text_cell or not sec.heading_cell:
                continue
            hr, _ = split_cell(sec.heading_cell)
            tr, _ = split_cell(sec.text_cell)
            ws.merge_range(hr - 1, 0, hr - 1, right, sec.heading, s.section)
            ws.merge_range(tr - 1, 0, tr - 1, right, None, s.text)
            ws.set_row(hr - 1, 20)
            ws.set_row(tr - 1, 220)
            ws.data_validation(tr - 1, 0, tr - 1, 0, {
                "validate": "length", "criteria": "<=", "value": 32000, "error_type": "stop",
                "error_title": "文字过长", "error_message": "一个单元格最多约三万二千字。"})
            self.name("text", sec.key, form.narrative_sheet, sec.text_cell)
            self.mark_rule(ws, form.narrative_sheet, sec.text_cell)

    def table(self, table: Table) -> None:
        s = self.styles
        ws = self.sheet(table.sheet)
        widths = WIDTHS.get(table.key, {})
        for letter, w in widths.items():
            ws.set_column(f"{letter}:{letter}", w)
        if table.key in LANDSCAPE:
            ws.set_landscape()
        r1, c1, r2, c2 = table.span()
        ws.print_area(r1 - 1, c1 - 1, r2 - 1, c2 - 1)
        _merge_or_write(ws, table.title_range, f"{table.number}、{table.title}", s.title)
        ws.set_row(split_range(table.title_range)[0][0] - 1, 30)
        heights: dict[int, float] = {}
        for lab in table.labels:
            fmt = s.row_label if lab.kind == "row" else s.group_label if lab.kind == "row_group" else s.header
            _merge_or_write(ws, lab.range, lab.text, fmt)
            (a, _), (b, _) = split_range(lab.range)
            if a == b:
                lines = _lines(lab.text, _range_width(widths, lab.range))
                heights[a] = max(heights.get(a, 0), 14.0 * lines + 4)
        for row, h in heights.items():
            ws.set_row(row - 1, max(h, 18))
        validations: dict[str, tuple[dict[str, Any], list[tuple[int, int]]]] = {}
        for cell in (c for c in self.form.cells if c.table is table):
            self.value_cell(ws, cell)
            if not cell.derived:
                options = self.value_validation(cell)
                validations.setdefault(json.dumps(options, sort_keys=True), (options, []))[1].append(
                    split_cell(cell.address))
        for options, cells in validations.values():
            self.validate(ws, cells, options)
        rows = [split_cell(c.address)[0] for c in self.form.cells if c.table is table]
        cols = [split_cell(c.address)[1] for c in self.form.cells if c.table is table]
        ref = f"{xl_rowcol_to_cell(min(rows) - 1, min(cols) - 1)}:{xl_rowcol_to_cell(max(rows) - 1, max(cols) - 1)}"
        self.mark_rule(ws, table.sheet, ref)

    def value_cell(self, ws: Worksheet, cell: Cell) -> None:
        s = self.styles
        row, col = split_cell(cell.address)
        fmt = s.derived if cell.derived else s.amount if cell.unit == self.form.units.amount else s.count
        if cell.column.span > 1:
            ws.merge_range(row - 1, col - 1, row - 1, col - 2 + cell.column.span, None, fmt)
        else:
            ws.write_blank(row - 1, col - 1, None, fmt)
        self.name("cell", str(cell.key), cell.sheet, cell.address)

    @staticmethod
    def validate(ws: Worksheet, cells: list[tuple[int, int]], options: dict[str, Any]) -> None:
        """One validation for every cell that has the same one, over rectangles of them.

        Why: written cell by cell, table 三's 144 identical validations were three quarters of its XML,
        which every reader of every workbook parses. A custom formula is written for its first cell and
        shifts with the cell in Excel and LibreOffice as a relative reference does, so only cells with
        the same formula text (one cell each, as the formula names its cell) share one.
        """
        boxes = _rectangles(cells)
        r1, c1, r2, c2 = boxes[0]
        sqref = " ".join(xl_range(a - 1, b - 1, c - 1, d - 1) for a, b, c, d in boxes)
        ws.data_validation(r1 - 1, c1 - 1, r2 - 1, c2 - 1, {**options, "multi_range": sqref})

    def value_validation(self, cell: Cell) -> dict[str, Any]:
        common = {"error_type": "stop", "error_title": "输入有误", "ignore_blank": True}
        if cell.unit == self.form.units.amount:
            ref = cell.address
            return {**common, "validate": "custom",
                    "value": f"=AND(ISNUMBER({ref}),{ref}>=0,{ref}<={COUNT_MAX},ROUND({ref},{cell.decimals})={ref})",
                    "error_message": f"请填写不小于0的金额，单位为{cell.unit}，最多保留{cell.decimals}位小数。"
                                     "没有收费的请填0。"}
        return {**common, "validate": "integer", "criteria": "between", "minimum": 0, "maximum": COUNT_MAX,
                "error_message": "请填写不小于0的整数（单位：件）。没有发生的请填0。"}

    def ledger(self) -> None:
        """The register of applications: one row per application, from which 填充合计 derives table 三.

        Styled and unlocked by column (as 校验结果), so a clerk's rows cost no styled blank cells; the dates carry
        a date format, the two classifying columns a dropdown of the spec's labels (lists on the info sheet,
        reached through defined names, since a literal list is limited to 255 characters), and a row is boxed
        once it holds something.
        """
        spec, s = self.tpl.ledger, self.styles
        if spec is None:
            return
        ws = self.sheet(spec.sheet, protection=LEDGER_PROTECTION)
        ws.set_landscape()
        cols = {c.key: column_index(c.at) - 1 for c in spec.columns}
        for c in spec.columns:
            fmt = s.ledger_date if c in spec.dates else s.ledger_text
            ws.set_column(cols[c.key], cols[c.key], c.width, fmt)
        _merge_or_write(ws, spec.title_range, spec.title, s.title)
        ws.set_row(split_range(spec.title_range)[0][0] - 1, 30)
        _merge_or_write(ws, spec.note_range, LEDGER_NOTE, s.note)
        ws.set_row(split_range(spec.note_range)[0][0] - 1, 44)
        for c in spec.columns:
            ws.write(spec.header_row - 1, cols[c.key], c.label, s.header)
        ws.set_row(spec.header_row - 1, 18)
        first, last = spec.first_row - 1, spec.last_row - 1
        left, right = min(cols.values()), max(cols.values())
        common = {"error_type": "stop", "error_title": "输入有误", "ignore_blank": True}
        lists = {spec.applicant.key: self.tpl.defined_name("list", spec.applicant.key),
                 spec.outcome.key: self.tpl.defined_name("list", spec.outcome.key)}
        for c in spec.columns:
            at = cols[c.key]
            if c in spec.dates:
                rule = {**common, "validate": "date", "criteria": "between", "minimum": spec.earliest_date,
                        "maximum": LATEST_DATE, "error_message": f"请填写日期，例如 2025-03-05（不早于 "
                                                                f"{spec.earliest_date.isoformat()}）。"}
            elif c.key in lists:
                rule = {**common, "validate": "list", "source": f"={lists[c.key]}",
                        "error_message": f"请从下拉列表中选择{c.label}。"}
            else:
                chars = LEDGER_REMARK_CHARS if c is spec.remark else LEDGER_ID_CHARS
                rule = {**common, "validate": "length", "criteria": "<=", "value": chars,
                        "error_message": f"{c.label}不超过{chars}字。"}
            ws.data_validation(first, at, last, at, rule)
        anchor = xl_rowcol_to_cell(first, left, col_abs=True)
        ws.conditional_format(first, left, last, right, {
            "type": "formula", "criteria": f"=COUNTA({anchor}:{xl_rowcol_to_cell(first, right, col_abs=True)})>0",
            "format": s.boxed})
        ws.autofilter(spec.header_row - 1, left, last, right)
        ws.freeze_panes(spec.first_row - 1, 0)
        ws.repeat_rows(spec.header_row - 1)

    def ledger_lists(self, ws: Worksheet) -> None:
        """The register's dropdown lists on the (hidden) info sheet, each under a defined name."""
        spec = self.tpl.ledger
        if spec is None:
            return
        for kind, cell, choices in ((spec.applicant, spec.applicant_list, self.form.applicant_choices()),
                                    (spec.outcome, spec.outcome_list, self.form.outcome_choices())):
            row, col = split_cell(cell)
            ws.set_column(col - 1, col - 1, 40 if kind is spec.outcome else 14)
            ws.write(row - 2, col - 1, f"{kind.label}（{spec.sheet}的下拉列表）", self.styles.plain)
            for i, choice in enumerate(choices):
                ws.write_string(row - 1 + i, col - 1, choice.label, self.styles.plain)
            first = xl_rowcol_to_cell(row - 1, col - 1, row_abs=True, col_abs=True)
            last = xl_rowcol_to_cell(row - 2 + len(choices), col - 1, row_abs=True, col_abs=True)
            self.wb.define_name(self.tpl.defined_name("list", kind.key), f"='{self.tpl.info_sheet}'!{first}:{last}")

    def results(self) -> None:
        """The results sheet, styled by column and by conditional format rather than cell by cell.

        Template 1.1.0 wrote its 400 rows as 2 800 styled blank cells: 80 KB of XML for a sheet that holds
        nine cells until checked, a third of the cost of reading a file. A column's style is what Excel
        gives a value written there (``set_cells`` does the same), the explanation column is unlocked on
        the protected sheet, and a row is boxed once it holds a finding (its number).
        """
        tpl, s = self.tpl, self.styles
        ws = self.sheet(tpl.results_sheet)
        for c in tpl.results_columns:
            fmt = s.result_explain if c.key == "explanation" else s.result
            ws.set_column(f"{c.at}:{c.at}", c.width, fmt, {"hidden": c.hidden})
        ws.set_default_row(40)  # three lines of a long message
        _merge_or_write(ws, tpl.results_title_range, "校验结果", s.title)
        ws.set_row(0, 30)
        status_row, status_col = split_cell(tpl.results_status_cell)
        # not merged: the commands rewrite the sheet from this line down in one block
        ws.write(status_row - 1, status_col - 1, "尚未校验：请点击“政务公开年报”选项卡中的“校验”。", s.status)
        ws.set_row(status_row - 1, 22)
        for c in tpl.results_columns:
            ws.write(tpl.results_header_row - 1, column_index(c.at) - 1, c.label, s.header)
        ws.set_row(tpl.results_header_row - 1, 15)
        first, last = tpl.results_first_row, tpl.results_first_row + tpl.results_max_rows - 1
        cols = [column_index(c.at) - 1 for c in tpl.results_columns]
        number = f"${tpl.results_column('no').at}{first}"
        ws.conditional_format(first - 1, min(cols), last - 1, max(cols),
                              {"type": "formula", "criteria": f"=LEN({number})>0", "format": s.boxed})
        sev = column_index(tpl.results_column("severity").at) - 1
        for severity, look in ((Severity.ERROR, s.error_text), (Severity.WARNING, s.hint_text)):
            ws.conditional_format(first - 1, sev, last - 1, sev,
                                  {"type": "cell", "criteria": "==", "value": f'"{severity}"', "format": look})
        ws.freeze_panes(first - 1, 0)
        ws.set_landscape()
        ws.repeat_rows(tpl.results_header_row - 1)

    def summary(self) -> None:
        tpl, s = self.tpl, self.styles
        ws = self.sheet(tpl.summary_sheet)
        ws.set_column("A:A", 72)
        _merge_or_write(ws, tpl.summary_title_range, "摘要（根据表格数字自动生成）", s.title)
        ws.set_row(0, 30)
        for r in range(tpl.summary_first_row, tpl.summary_first_row + tpl.summary_rows):
            ws.write_blank(r - 1, 0, None, s.plain)
            ws.set_row(r - 1, 84)  # a paragraph of about 200 characters: heights are not refitted on load

    def sources_sheet(self) -> None:
        """A consolidated report lists what it adds up, and what it left out and why (one row per file)."""
        s, spec = self.styles, self.tpl.sources
        ws = self.sheet(spec.sheet)
        ws.set_landscape()
        last = len(spec.columns) - 1
        ws.merge_range(0, 0, 0, last, spec.title, s.title)
        ws.set_row(0, 30)
        header = spec.header_row - 1
        for c, col in enumerate(spec.columns):
            ws.set_column(c, c, col.width)
            ws.write(header, c, col.label, s.header)
        for r, row in enumerate(self.sources or [], start=header + 1):
            for c, col in enumerate(spec.columns):
                ws.write(r, c, row.get(col.key, ""), s.cellbox)
        ws.freeze_panes(header + 1, 0)

    def info(self) -> None:
        tpl, s = self.tpl, self.styles
        ws = self.sheet(tpl.info_sheet, hidden=True)
        ws.set_column("A:A", 20)
        ws.set_column("B:B", 80)
        ws.write(0, 0, "模板信息（请勿修改）", s.section)
        values = {
            "template_version": tpl.version, "form_id": self.form.id, "form_version": self.form.version,
            "xlwings_version": _xlwings_version(),
            "role": tpl.roles["consolidation" if self.sources is not None else "report"],
        }
        for f in tpl.info_fields:
            row, col = split_cell(f.cell)
            ws.write(row - 1, col - 2, f.label, s.plain)
            ws.write_string(row - 1, col - 1, values[f.key], s.plain)
            self.name("info", f.key, tpl.info_sheet, f.cell)
        self.ledger_lists(ws)

    def flags(self) -> None:
        self.sheet(self.tpl.flags_sheet, hidden=True)

    def config(self) -> None:
        ws = self.sheet(self.tpl.config_sheet, hidden=True, protect=False)
        for i, (k, v) in enumerate(XLWINGS_CONF):
            ws.write_string(i, 0, k)
            ws.write_string(i, 1, v)

    def build(self) -> bytes:
        wb = self.wb
        wb.set_properties({
            "title": "政府信息公开工作年度报告 模板", "subject": self.form.source, "author": "xl_gongkai",
            "company": "", "comments": f"xl_gongkai {__version__}; template {self.tpl.version}", "created": BUILT,
        })
        wb.set_vba_name("ThisWorkbook")
        wb.set_calc_mode("auto")
        self.cover()
        self.narrative()
        for t in self.form.tables:
            self.table(t)
        self.ledger()
        self.results()
        self.summary()
        if self.sources is not None:
            self.sources_sheet()
        self.info()
        self.flags()
        self.config()
        self.define_marks()
        wb.add_vba_project(io.BytesIO(package.vba_project(list(self.codes.values()))), is_stream=True)
        wb.close()
        return package.finish(self.out.getvalue())


def _xlwings_version() -> str:
    from importlib.metadata import version

    return version("xlwings")


def build_template(form: Form | None = None, *, sources: list[dict[str, Any]] | None = None) -> bytes:
    """The template of ``form`` (by default the form new workbooks are made in); with ``sources``, the
    consolidation variant that carries a 汇总来源 sheet."""
    return TemplateBuilder(form or current_form(), sources).build()


def iter_names(form: Form) -> Iterator[str]:
    """Every defined name the template carries (for tests and the layout check)."""
    tpl = form.workbook
    yield from (tpl.defined_name("meta", f.key) for f in form.metadata_fields)
    yield from (tpl.defined_name("text", s.key) for s in form.text_parts)
    yield from (tpl.defined_name("cell", str(c.key)) for c in form.cells)
    yield from (tpl.defined_name("info", f.key) for f in tpl.info_fields)
    if tpl.ledger is not None:
        yield from (tpl.defined_name("list", c.key) for c in (tpl.ledger.applicant, tpl.ledger.outcome))
    yield tpl.defined_name("marks", "metadata")
    yield tpl.defined_name("marks", "narrative")
    yield from (tpl.defined_name("marks", t.key) for t in form.tables)

"""What the commands write into a workbook's output sheets, as plain values, for any writer.

The same blocks go through xlwings in Excel (one bulk write each) and through the package editor for
files: the 校验结果 rows, the 摘要 paragraphs, the marks that colour offending cells, and the status
line. Every address comes from the form spec.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..adapters.formula_guard import Formula
from ..core.findings import Finding, Validation
from ..core.report import Report
from ..core.summary import Summary
from ..render import counts_text
from ..spec import CellKey, Form, Severity
from ..spec.a1 import cell_address, column_index, split_cell


def status_line(report: Report, v: Validation, action: str = "校验") -> str:
    c = v.counts()
    who = f"{report.agency or '（未填写机关名称）'} {report.year or ''}".strip()
    if not v.findings:
        return f"{action}完成：{who}，未发现错误或提示，可以导出。"
    text = f"{action}完成：{who}，{counts_text(v)}。"
    if c["errors"]:
        text += "请改正错误后再校验。"
    elif v.pending:
        text += "请写好待填写的正文后再导出。"
    elif v.unexplained:
        text += "请在下表“说明”栏为提示写明理由后再导出。"
    else:
        text += "可以导出。"
    return text


def place_text(f: Finding) -> str:
    return f"{f.place.sheet}!{f.place.cell}" if f.place.sheet and f.place.cell else ""


def place_link(f: Finding) -> str:
    """An Excel HYPERLINK formula that jumps to the finding's cell (used only through xlwings)."""
    if not (f.place.sheet and f.place.cell):
        return ""
    target = f.place.a1().replace('"', '""')
    label = place_text(f).replace('"', '""')
    return Formula(f'=HYPERLINK("#{target}","{label}")')


def results_matrix(form: Form, v: Validation, *, links: bool) -> list[list[Any]]:
    """Rows for the results sheet, one per finding, padded with blanks to clear older results."""
    tpl = form.workbook
    cols = sorted(tpl.results_columns, key=lambda c: column_index(c.at))
    rows: list[list[Any]] = []
    for i, f in enumerate(v.findings[: tpl.results_max_rows], start=1):
        by_key = {
            "no": i, "rule": f.rule, "severity": f.severity.value, "message": f.message,
            "place": place_link(f) if links else place_text(f), "explanation": f.explanation or None, "key": f.key,
        }
        rows.append([by_key[c.key] for c in cols])
    if len(v.findings) > tpl.results_max_rows:
        rows[-1][[c.key for c in cols].index("message")] = (
            f"……另有 {len(v.findings) - tpl.results_max_rows + 1} 项未列出，请先改正以上问题后再校验。")
    blank = [None] * len(cols)
    rows += [list(blank) for _ in range(tpl.results_max_rows - len(rows))]
    return rows


def results_origin(form: Form) -> str:
    tpl = form.workbook
    first_col = min(column_index(c.at) for c in tpl.results_columns)
    return cell_address(tpl.results_first_row, first_col)


def summary_column(form: Form, summary: Summary) -> list[list[Any]]:
    tpl = form.workbook
    paras: list[Any] = [f"{summary.titles[k]}：{p}" for k, p in summary.paragraphs.items()]
    paras += [None] * (tpl.summary_rows - len(paras))
    return [[p] for p in paras[: tpl.summary_rows]]


def _finding_cells(form: Form, f: Finding) -> list[tuple[str, str]]:
    out = []
    for key in f.cells:
        cell = form.cell(CellKey.parse(key))
        out.append((cell.sheet, cell.address))
    if f.place.field:
        out.append((form.metadata_sheet, form.field(f.place.field).cell))
    if not out and f.place.sheet and f.place.cell:
        out.append((f.place.sheet, f.place.cell))
    return out


def flag_matrix(form: Form, v: Validation) -> list[list[Any]]:
    """The whole marks block from A1: a cell's mark holds the severity of its worst finding, or blank."""
    offsets = form.flag_offsets()
    marks: dict[tuple[int, int], str] = {}
    for f in v.findings:
        if not f.blocking:
            continue
        for sheet, address in _finding_cells(form, f):
            if sheet not in offsets:
                continue
            r, c = split_cell(address)
            pos = (r, c + offsets[sheet])
            if marks.get(pos) != Severity.ERROR:
                # the template colours the two words it writes: a part still to write is marked as a 提示 is, a
                # cell to read from the original (待核对, a published report's) as an 错误 is: it must be filled
                marks[pos] = _MARKED_AS.get(f.severity, f.severity).value
    height, width = flag_extent(form)
    return [[marks.get((r, c)) for c in range(1, width + 1)] for r in range(1, height + 1)]


_MARKED_AS = {Severity.PENDING: Severity.WARNING, Severity.UNREAD: Severity.ERROR}


def flag_extent(form: Form) -> tuple[int, int]:
    """(rows, columns) of the marks block: every input sheet's area, side by side."""
    rows = [split_cell(f.cell)[0] for f in form.metadata_fields]
    rows += [split_cell(s.text_cell)[0] for s in form.text_parts if s.text_cell]
    rows += [t.span()[2] for t in form.tables]
    last_sheet = form.input_sheets()[-1]
    width = form.flag_offsets()[last_sheet] + form.table_by_sheet(last_sheet).span()[3]
    return max(rows), width


def matrix_cells(origin: str, matrix: list[list[Any]]) -> dict[str, Any]:
    """A block of values as {A1 address: value}, for the package editor."""
    r0, c0 = split_cell(origin)
    return {cell_address(r0 + i, c0 + j): v for i, row in enumerate(matrix) for j, v in enumerate(row)}


def results_block(form: Form, report: Report, v: Validation, *, links: bool, action: str) -> list[list[Any]]:
    """The results sheet from its status line down: status, header, one row per finding, blanks."""
    tpl = form.workbook
    cols = sorted(tpl.results_columns, key=lambda c: column_index(c.at))
    status_row = split_cell(tpl.results_status_cell)[0]
    head: list[list[Any]] = []
    for r in range(status_row, tpl.results_first_row):
        if r == status_row:
            head.append([status_line(report, v, action)] + [None] * (len(cols) - 1))
        elif r == tpl.results_header_row:
            head.append([c.label for c in cols])
        else:
            head.append([None] * len(cols))
    return head + results_matrix(form, v, links=links)


Block = tuple[str, str, list[list[Any]]]  # (sheet, origin, values)


def output_blocks(form: Form, report: Report, v: Validation, summary: Summary, *, links: bool,
                  action: str = "校验") -> list[Block]:
    """(sheet, origin, values) of every output block: one bulk write each."""
    tpl = form.workbook
    return [
        (tpl.results_sheet, tpl.results_status_cell, results_block(form, report, v, links=links, action=action)),
        (tpl.summary_sheet, tpl.summary_origin, summary_column(form, summary)),
        (tpl.flags_sheet, tpl.flags_origin, flag_matrix(form, v)),
    ]


def outputs(form: Form, report: Report, v: Validation, summary: Summary, *, links: bool,
            action: str = "校验", fresh: bool = True) -> Mapping[str, dict[str, Any]]:
    """Every output block as {sheet: {address: value}} (the file writer's shape).

    ``fresh`` for a workbook made from the template just now, whose marks sheet is still empty: only the
    marks themselves need writing. A clerk's file may hold old marks, which the blanks of the block clear.
    """
    return block_cells(form, output_blocks(form, report, v, summary, links=links, action=action), fresh=fresh)


def block_cells(form: Form, blocks: list[Block], *, fresh: bool = False) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for sheet, origin, matrix in blocks:
        cells = matrix_cells(origin, matrix)
        if fresh and sheet == form.workbook.flags_sheet:
            cells = {k: m for k, m in cells.items() if m is not None}
        out.setdefault(sheet, {}).update(cells)
    return out


def derived_edits(form: Form, derived: Mapping[CellKey, Any], *, only_given: bool = False) -> dict[str, dict[str, Any]]:
    """The recomputed totals as {sheet: {address: value}}: what 填充合计 writes, in a file or in Excel.

    A total that cannot be computed is written blank (a stale number must not stand), unless ``only_given``
    (a new workbook, whose totals are blank anyway).
    """
    edits: dict[str, dict[str, Any]] = {}
    for cell in form.derived_cells():
        if only_given and cell.key not in derived:
            continue
        edits.setdefault(cell.sheet, {})[cell.address] = derived.get(cell.key)
    return edits


@dataclass(frozen=True)
class SheetWrites:
    """What a command writes into the workbook itself: totals (``cells``) and the output blocks.

    The same object is applied to a file (surgically, through ``adapters.xlsx_cells``) and to a live book in
    Excel (one bulk write per block), so both front ends write exactly the same.
    """

    cells: Mapping[str, Mapping[str, Any]]
    blocks: list[Block]

    @property
    def sheets(self) -> list[str]:
        return list(dict.fromkeys([*self.cells, *(sheet for sheet, _, _ in self.blocks)]))

    def cell_edits(self, form: Form) -> dict[str, dict[str, Any]]:
        """Everything as {sheet: {address: value}}, for the package editor."""
        edits: dict[str, dict[str, Any]] = {sheet: dict(cells) for sheet, cells in self.cells.items()}
        for sheet, cells in block_cells(form, self.blocks).items():
            edits.setdefault(sheet, {}).update(cells)
        return edits

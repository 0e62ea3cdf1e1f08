"""The splices that rewrite the target cells (and a new row, spans, dimension) of one worksheet part."""

from __future__ import annotations

import bisect
import re

from ...spec.a1 import cell_address
from ._common import WorkbookFormatError
from ._markup import SPANS
from ._scan import Cell, Row, Scan, range_bounds, scan_sheet
from ._splice import Splices, decode
from ._values import Value, cell_xml
from ._verify import Expect, verify

_DROPPED_CELL_ATTRS = frozenset({"r", "t", "cm", "vm"})
_SELF_CLOSING = re.compile(r"\s*/>$")


def edit_sheet(data: bytes, targets: dict[tuple[int, int], Value], sheet: str, part: str) -> tuple[bytes, bool]:
    """The worksheet part with the targets written; and whether a formula was overwritten."""
    where = f"工作表“{sheet}”（{part}）"
    text = decode(data, where)
    scan = scan_sheet(text, {r for r, _ in targets}, where)
    _refuse_blocked(scan, targets, where)
    edit = _SheetEdit(scan, where)
    by_row: dict[int, list[tuple[int, Value]]] = {}
    for (r, c), v in sorted(targets.items()):
        by_row.setdefault(r, []).append((c, v))
    for r, cells in by_row.items():
        row = scan.rows.get(r)
        if row is None:
            edit.new_row(r, cells)
        else:
            edit.existing_row(row, cells)
    edit.finish()
    if not edit.splices:
        return data, False
    encoded = edit.splices.apply(text, where).encode("utf-8")
    verify(encoded, edit.expect, scan.row_count + edit.new_rows, scan.cell_count + edit.inserted, where)
    return encoded, edit.formula_removed


def _refuse_blocked(scan: Scan, targets: dict[tuple[int, int], Value], where: str) -> None:
    """A cell of a multi-cell array formula or data table cannot be written alone."""
    for r, c in targets:
        for r1, c1, r2, c2, ref in scan.blocked:
            if r1 <= r <= r2 and c1 <= c <= c2:
                raise WorkbookFormatError(
                    f"{where}：单元格 {cell_address(r, c)} 属于数组公式或模拟运算表区域 {ref}，不能单独改写。"
                )


class _SheetEdit:
    """The splices of one part, and what the edited part must show when parsed again."""

    def __init__(self, scan: Scan, where: str) -> None:
        self.scan, self.where = scan, where
        self.splices = Splices()
        self.expect: dict[tuple[int, int], Expect] = {}
        self.inserted = 0  # cells added
        self.new_rows = 0
        self.formula_removed = False
        self.written: list[tuple[int, int]] = []  # cells that hold a value afterwards
        self.new_row_texts: list[str] = []  # only for an empty <sheetData/>

    def new_row(self, r: int, cells: list[tuple[int, Value]]) -> None:
        """A row the sheet does not have, inserted before the next row (or at the end of sheetData)."""
        scan = self.scan
        texts = []
        for c, v in cells:
            style = scan.new_cell_style(None, c)
            self.expect[(r, c)] = Expect(v, style, v.kind != "blank")
            if v.kind != "blank":
                texts.append(cell_xml(scan.sd_prefix, cell_address(r, c), _style_attr(style), v))
                self.written.append((r, c))
        if not texts:
            return
        p = scan.sd_prefix
        row_text = f'<{p}row r="{r}">{"".join(texts)}</{p}row>'
        self.inserted += len(texts)
        self.new_rows += 1
        if scan.sd_self_closing:
            self.new_row_texts.append(row_text)
            return
        i = bisect.bisect_right(scan.row_nums, r)
        pos = scan.row_starts[i] if i < len(scan.row_starts) else scan.sd_close
        self.splices.add(pos, pos, row_text)

    def existing_row(self, row: Row, cells: list[tuple[int, Value]]) -> None:
        """Cells of a row the sheet has: existing ones replaced, missing ones inserted in column order."""
        existing = {cell.col: cell for cell in row.cells}
        inserts: list[tuple[int, str]] = []
        new_cols: list[int] = []
        for c, v in cells:
            cell = existing.get(c)
            if cell is not None:
                self.replace_cell(row.num, cell, c, v)
            elif (insert := self.new_cell(row, c, v)) is not None:
                inserts.append(insert)
                new_cols.append(c)
        if inserts:
            self.insert_cells(row, inserts, new_cols)

    def replace_cell(self, r: int, cell: Cell, c: int, v: Value) -> None:
        address = cell_address(r, c)
        if cell.shared_master:
            raise WorkbookFormatError(
                f"{self.where}：单元格 {address} 是共享公式的主单元格，改写它会破坏同组其他单元格的公式；"
                "请在 Excel 中先取消共享（例如重新填充公式）后再试。"
            )
        self.formula_removed = self.formula_removed or cell.has_formula
        kept = [a.raw for a in cell.attrs if a.name not in _DROPPED_CELL_ATTRS]
        style = next((a.value for a in cell.attrs if a.name == "s"), None)
        self.expect[(r, c)] = Expect(v, style, True)
        self.splices.add(cell.start, cell.end, cell_xml(cell.prefix, address, kept, v))
        if v.kind != "blank":
            self.written.append((r, c))

    def new_cell(self, row: Row, c: int, v: Value) -> tuple[int, str] | None:
        """(position, XML) of a cell the row lacks; None for a blank (the cell is blank already)."""
        style = self.scan.new_cell_style(row, c)
        self.expect[(row.num, c)] = Expect(v, style, v.kind != "blank")
        if v.kind == "blank":
            return None
        i = bisect.bisect_right([cell.col for cell in row.cells], c)
        pos = row.cells[i].start if i < len(row.cells) else row.append_pos
        self.written.append((row.num, c))
        return pos, cell_xml(row.prefix, cell_address(row.num, c), _style_attr(style), v)

    def insert_cells(self, row: Row, inserts: list[tuple[int, str]], new_cols: list[int]) -> None:
        self.inserted += len(inserts)
        tag = _widen_spans(row.tag, new_cols)
        if row.self_closing:
            body = "".join(t for _, t in inserts)
            self.splices.add(row.start, row.end, f"{_SELF_CLOSING.sub('>', tag)}{body}</{row.prefix}row>")
            return
        if tag != row.tag:
            self.splices.add(row.start, row.tag_end, tag)
        for pos, t in inserts:
            self.splices.add(pos, pos, t)

    def finish(self) -> None:
        """The rows of an empty ``<sheetData/>``, and the ``<dimension>`` widened over what was written."""
        scan = self.scan
        if self.new_row_texts:
            close = f"</{scan.sd_prefix}sheetData>"
            self.splices.add(scan.sd_start, scan.sd_end,
                             f"{_SELF_CLOSING.sub('>', scan.sd_tag)}{''.join(self.new_row_texts)}{close}")
        dim = scan.dimension
        if dim is not None and self.written:
            new_ref = _widen_ref(dim.value, self.written)
            if new_ref is not None and new_ref != dim.value:
                self.splices.add(dim.value_start, dim.value_end, new_ref, first=True)


def _style_attr(style: str | None) -> list[str]:
    return [f's="{style}"'] if style is not None else []


def _widen_spans(tag: str, new_cols: list[int]) -> str:
    """Keep the row's ``spans`` hint true when a cell lands outside it (a single ``a:b`` range only)."""
    if not new_cols:
        return tag
    m = SPANS.search(tag)
    if not m:
        return tag
    quoted = m.group(2)
    sm = re.fullmatch(r"\s*(\d+):(\d+)\s*", quoted[1:-1])
    if not sm:
        return tag
    lo, hi = int(sm.group(1)), int(sm.group(2))
    new_lo, new_hi = min(lo, *new_cols), max(hi, *new_cols)
    if (new_lo, new_hi) == (lo, hi):
        return tag
    q = quoted[0]
    return f"{tag[: m.start(2)]}{q}{new_lo}:{new_hi}{q}{tag[m.end(2) :]}"


def _widen_ref(ref: str, written: list[tuple[int, int]]) -> str | None:
    bounds = range_bounds(ref)
    if bounds is None:
        return None
    r1, c1, r2, c2 = bounds
    for r, c in written:
        r1, c1, r2, c2 = min(r1, r), min(c1, c), max(r2, r), max(c2, c)
    first, last = cell_address(r1, c1), cell_address(r2, c2)
    return first if first == last else f"{first}:{last}"

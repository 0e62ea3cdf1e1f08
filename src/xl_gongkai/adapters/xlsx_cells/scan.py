"""The scan of a worksheet part: rows and cells with their offsets, formulas that forbid an edit."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...spec.a1 import cell_address, column_index
from .common import MAX_COL, MAX_ROW, WorkbookFormatError
from .markup import _TOKEN, _Attr, _attr, _attrs, _bad_markup, _local, _prefix
from .values import _CELL_REF


@dataclass
class _Cell:
    col: int
    start: int
    end: int
    prefix: str
    attrs: list[_Attr]
    has_formula: bool = False
    shared_master: bool = False


@dataclass
class _Row:
    num: int
    start: int
    tag: str  # the start tag as written
    tag_end: int
    self_closing: bool
    prefix: str
    end: int = -1
    append_pos: int = -1  # where a cell after the last one goes: before extLst, else before </row>
    cells: list[_Cell] = field(default_factory=list)


@dataclass
class _Scan:
    sd_start: int
    sd_tag: str
    sd_tag_end: int
    sd_self_closing: bool
    sd_prefix: str
    sd_close: int = -1  # start of </sheetData>
    sd_end: int = -1
    row_nums: list[int] = field(default_factory=list)
    row_starts: list[int] = field(default_factory=list)
    rows: dict[int, _Row] = field(default_factory=dict)  # only the rows that hold targets
    row_count: int = 0
    cell_count: int = 0
    blocked: list[tuple[int, int, int, int, str]] = field(default_factory=list)  # multi-cell array ranges
    dimension: _Attr | None = None


def _range_bounds(ref: str) -> tuple[int, int, int, int] | None:
    """(row1, col1, row2, col2) of ``A1`` or ``A1:C3``; None for anything else (whole columns, lists)."""
    first, _, last = ref.partition(":")
    a = _CELL_REF.match(first)
    b = _CELL_REF.match(last or first)
    if not a or not b:
        return None
    r1, c1 = int(a.group(2)), column_index(a.group(1))
    r2, c2 = int(b.group(2)), column_index(b.group(1))
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def _scan_sheet(text: str, target_rows: set[int], where: str) -> _Scan:
    """Offsets of sheetData, of every row, and of every cell in the rows that hold targets.

    Positions follow the spec when ``r`` is omitted: a row is the one after the previous row, a cell
    the column after the previous cell. Anything that makes a position uncertain is refused.
    """
    depth = 0
    scan: _Scan | None = None
    dimension: _Attr | None = None
    for m in _TOKEN.finditer(text):
        name = m.group("name")
        if name is not None:
            local = _local(name)
            if depth == 0 and local != "worksheet":
                raise WorkbookFormatError(f"{where}：根元素是 <{name}>，不是普通工作表（worksheet）。")
            if depth == 1 and local == "dimension":
                dimension = next((a for a in _attrs(m) if a.name == "ref"), None)
            if depth == 1 and local == "sheetData":
                empty = bool(m.group("empty"))
                scan = _Scan(m.start(), m.group(), m.end(), empty, _prefix(name), dimension=dimension)
                if empty:
                    scan.sd_end = m.end()
                break
            if not m.group("empty"):
                depth += 1
        elif m.group("close") is not None:
            depth -= 1
        elif m.group("comment") is None and m.group("pi") is None and m.group("cdata") is None:
            raise _bad_markup(where, text, m.start())
    if scan is None:
        raise WorkbookFormatError(f"{where}：找不到 <sheetData>，文件可能已损坏。")
    if scan.sd_self_closing:
        return scan

    depth = 0  # 0: children of sheetData (rows), 1: children of a row (cells), 2: children of a cell
    row: _Row | None = None
    cell: _Cell | None = None
    in_cell = False
    prev_row = 0
    prev_col = 0
    after_ext = False
    pos = scan.sd_tag_end
    while (m := _TOKEN.search(text, pos)) is not None:
        pos = m.end()
        name = m.group("name")
        if name is not None:
            empty = bool(m.group("empty"))
            local = _local(name)
            if depth == 0:
                if local != "row":
                    raise WorkbookFormatError(f"{where}：<sheetData> 中出现意外的元素 <{name}>，无法确定单元格位置。")
                r = _attr(m, "r")
                try:
                    num = int(r) if r is not None else prev_row + 1
                except ValueError:
                    raise WorkbookFormatError(f"{where}：行号 r={r!r} 无效。") from None
                if num <= prev_row or num > MAX_ROW:
                    raise WorkbookFormatError(
                        f"{where}：第 {num} 行出现在第 {prev_row} 行之后（行的顺序错乱或重复），无法确定单元格位置。"
                    )
                prev_row, prev_col, after_ext = num, 0, False
                scan.row_nums.append(num)
                scan.row_starts.append(m.start())
                scan.row_count += 1
                row = None
                if num in target_rows:
                    row = _Row(num, m.start(), m.group(), m.end(), empty, _prefix(name))
                    if empty:
                        row.end = m.end()
                    scan.rows[num] = row
                elif not empty and (skipped := _skip_row(text, m.end(), _prefix(name))) is not None:
                    pos, cells = skipped
                    scan.cell_count += cells
                    continue
                if not empty:
                    depth = 1
            elif depth == 1:
                if local == "c":
                    scan.cell_count += 1
                    if after_ext:
                        raise WorkbookFormatError(f"{where}：第 {prev_row} 行的 <extLst> 之后还有单元格。")
                    in_cell = not empty
                    cell = None
                    if row is not None:
                        attrs = _attrs(m)
                        ref = next((a.value for a in attrs if a.name == "r"), None)
                        if ref is None:
                            col = prev_col + 1
                        else:
                            cm = _CELL_REF.match(ref)
                            if not cm or int(cm.group(2)) != row.num:
                                raise WorkbookFormatError(f"{where}：第 {row.num} 行中的单元格 r={ref!r} 不属于该行。")
                            col = column_index(cm.group(1))
                        if col <= prev_col or col > MAX_COL:
                            raise WorkbookFormatError(
                                f"{where}：第 {row.num} 行的单元格顺序错乱或重复（{cell_address(row.num, col)}），"
                                "无法确定单元格位置。"
                            )
                        prev_col = col
                        cell = _Cell(col, m.start(), m.end(), _prefix(name), attrs)
                        row.cells.append(cell)
                    if not empty:
                        depth = 2
                elif local == "extLst":
                    after_ext = True
                    if row is not None and row.append_pos < 0:
                        row.append_pos = m.start()
                    if not empty:
                        depth = 2
                else:
                    raise WorkbookFormatError(f"{where}：<row> 中出现意外的元素 <{name}>，无法确定单元格位置。")
            else:
                if depth == 2 and in_cell and local == "f":
                    _note_formula(m, cell, scan)
                if not empty:
                    depth += 1
        elif m.group("close") is not None:
            local = _local(m.group("close"))
            if depth == 0:
                if local != "sheetData":
                    raise _bad_markup(where, text, m.start())
                scan.sd_close = m.start()
                scan.sd_end = m.end()
                return scan
            if depth == 1:
                if local != "row":
                    raise _bad_markup(where, text, m.start())
                if row is not None:
                    row.end = m.end()
                    if row.append_pos < 0:
                        row.append_pos = m.start()
                row = None
            elif depth == 2 and in_cell:
                if local != "c":
                    raise _bad_markup(where, text, m.start())
                if cell is not None:
                    cell.end = m.end()
                in_cell = False
            depth -= 1
        elif m.group("comment") is None and m.group("pi") is None and m.group("cdata") is None:
            raise _bad_markup(where, text, m.start())
    raise WorkbookFormatError(f"{where}：<sheetData> 没有结束标记，文件可能已损坏。")


_ROW_END: dict[str, re.Pattern[str]] = {}
_CELL_START = re.compile(r"<(?:[^\s/>!?:]+:)?c[\s/>]")


def _skip_row(text: str, start: int, prefix: str) -> tuple[int, int] | None:
    """(end of the row, its cell count) for a row without targets, or None to tokenize it after all.

    Why: most rows hold no target, and one search for ``</row>`` is far cheaper than a token per tag.
    It is exact only for plain content: no comment, CDATA or processing instruction (which could hold
    a fake ``</row>``), no extension list (which could hold other ``c`` elements), no nested row, and no
    ``ref`` (an array formula, whose range the scan must record); anything else takes the slow path.
    """
    end_re = _ROW_END.get(prefix)
    if end_re is None:
        end_re = _ROW_END[prefix] = re.compile(rf"</{re.escape(prefix)}row\s*>")
    end = end_re.search(text, start)
    if end is None:
        return None
    body = text[start : end.start()]
    if "<!" in body or "<?" in body or "extLst" in body or "ref" in body or f"<{prefix}row" in body:
        return None
    return end.end(), len(_CELL_START.findall(body))


def _note_formula(m: re.Match[str], cell: _Cell | None, scan: _Scan) -> None:
    """Record what makes a formula cell unsafe to overwrite: shared masters and multi-cell arrays."""
    if cell is not None:
        cell.has_formula = True
    if "ref" not in m.group("attrs"):
        return
    kind = _attr(m, "t")
    ref = _attr(m, "ref")
    if ref is None:
        return
    if kind == "shared" and cell is not None:
        cell.shared_master = True
    if kind in ("array", "dataTable"):
        bounds = _range_bounds(ref)
        if bounds and (bounds[0], bounds[1]) != (bounds[2], bounds[3]):
            scan.blocked.append((*bounds, ref))

"""The scan of a worksheet part: rows and cells with their offsets, formulas that forbid an edit."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...spec.a1 import cell_address, column_index
from ._common import MAX_COL, MAX_ROW, WorkbookFormatError
from ._markup import TOKEN, Attr, attr, attrs, bad_markup, local, passive, prefix
from ._values import CELL_REF


@dataclass
class Cell:
    col: int
    start: int
    end: int
    prefix: str
    attrs: list[Attr]
    has_formula: bool = False
    shared_master: bool = False


@dataclass
class Row:
    num: int
    start: int
    tag: str  # the start tag as written
    tag_end: int
    self_closing: bool
    prefix: str
    style: str | None = None  # the row's own style, when it has one (customFormat): new cells take it
    end: int = -1
    append_pos: int = -1  # where a cell after the last one goes: before extLst, else before </row>
    cells: list[Cell] = field(default_factory=list)


@dataclass
class Scan:
    sd_start: int
    sd_tag: str
    sd_tag_end: int
    sd_self_closing: bool
    sd_prefix: str
    sd_close: int = -1  # start of </sheetData>
    sd_end: int = -1
    row_nums: list[int] = field(default_factory=list)
    row_starts: list[int] = field(default_factory=list)
    rows: dict[int, Row] = field(default_factory=dict)  # only the rows that hold targets
    row_count: int = 0
    cell_count: int = 0
    blocked: list[tuple[int, int, int, int, str]] = field(default_factory=list)  # multi-cell array ranges
    dimension: Attr | None = None
    column_styles: list[tuple[int, int, str]] = field(default_factory=list)  # (min, max, style) of <col>

    def new_cell_style(self, row: Row | None, col: int) -> str | None:
        """The style Excel gives a cell typed where none was: its row's (customFormat), else its column's."""
        if row is not None and row.style is not None:
            return row.style
        for first, last, style in self.column_styles:
            if first <= col <= last:
                return style
        return None


def range_bounds(ref: str) -> tuple[int, int, int, int] | None:
    """(row1, col1, row2, col2) of ``A1`` or ``A1:C3``; None for anything else (whole columns, lists)."""
    first, _, last = ref.partition(":")
    a = CELL_REF.match(first)
    b = CELL_REF.match(last or first)
    if not a or not b:
        return None
    r1, c1 = int(a.group(2)), column_index(a.group(1))
    r2, c2 = int(b.group(2)), column_index(b.group(1))
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def scan_sheet(text: str, target_rows: set[int], where: str) -> Scan:
    """Offsets of sheetData, of every row, and of every cell in the rows that hold targets.

    Positions follow the spec when ``r`` is omitted: a row is the one after the previous row, a cell
    the column after the previous cell. Anything that makes a position uncertain is refused.
    """
    scan = _find_sheet_data(text, where)
    if scan.sd_self_closing:
        return scan
    return _RowScanner(text, target_rows, where, scan).run()


def _find_sheet_data(text: str, where: str) -> Scan:
    """The ``<sheetData>`` start tag, below a ``<worksheet>`` root, with what comes before it that matters."""
    head = _Head()
    depth = 0
    for m in TOKEN.finditer(text):
        name = m.group("name")
        if name is None:
            if m.group("close") is not None:
                depth -= 1
            elif not passive(m):
                raise bad_markup(where, text, m.start())
            continue
        if depth == 0 and local(name) != "worksheet":
            raise WorkbookFormatError(f"{where}：根元素是 <{name}>，不是普通工作表（worksheet）。")
        if head.element(m, depth):
            return head.scan(m)
        if not m.group("empty"):
            depth += 1
    raise WorkbookFormatError(f"{where}：找不到 <sheetData>，文件可能已损坏。")


class _Head:
    """What the worksheet says before its cells: the ``<dimension>`` and the styles of its columns."""

    def __init__(self) -> None:
        self.dimension: Attr | None = None
        self.columns: list[tuple[int, int, str]] = []
        self.in_cols = False

    def element(self, m: re.Match[str], depth: int) -> bool:
        """Note a start tag at ``depth`` below the root; True for the start of sheetData."""
        kind = local(m.group("name"))
        if depth == 1:
            self.in_cols = kind == "cols" and not m.group("empty")
            if kind == "dimension":
                self.dimension = next((a for a in attrs(m) if a.name == "ref"), None)
            return kind == "sheetData"
        if depth == 2 and self.in_cols and kind == "col":
            self.columns += _column_style(m)
        return False

    def scan(self, m: re.Match[str]) -> Scan:
        empty = bool(m.group("empty"))
        scan = Scan(m.start(), m.group(), m.end(), empty, prefix(m.group("name")), dimension=self.dimension,
                    column_styles=self.columns)
        if empty:
            scan.sd_end = m.end()
        return scan


def _column_style(m: re.Match[str]) -> list[tuple[int, int, str]]:
    """(min, max, style) of a ``<col>`` that gives its columns a style other than the default."""
    first, last, style = attr(m, "min"), attr(m, "max"), attr(m, "style")
    if not (first and last and style and first.isdigit() and last.isdigit() and style.isdigit()) or style == "0":
        return []
    return [(int(first), int(last), style)]


class _RowScanner:
    """The rows and cells of sheetData, one token at a time: a start tag or an end tag at some depth.

    Depth 0 is the children of sheetData (rows), 1 the children of a row (cells, an extension list),
    2 and more the inside of a cell (its formula, value, inline string) or of the extension list.
    """

    def __init__(self, text: str, target_rows: set[int], where: str, scan: Scan) -> None:
        self.text, self.target_rows, self.where, self.scan = text, target_rows, where, scan
        self.depth = 0
        self.row: Row | None = None  # the current row when it holds targets
        self.cell: Cell | None = None  # the current cell when it is in such a row
        self.in_cell = False
        self.prev_row = 0
        self.prev_col = 0
        self.after_ext = False

    def run(self) -> Scan:
        pos = self.scan.sd_tag_end
        while (m := TOKEN.search(self.text, pos)) is not None:
            pos = m.end()
            if m.group("name") is not None:
                pos = self.start_tag(m, pos)
            elif m.group("close") is not None:
                if self.end_tag(m):
                    return self.scan
            elif not passive(m):
                raise bad_markup(self.where, self.text, m.start())
        raise WorkbookFormatError(f"{self.where}：<sheetData> 没有结束标记，文件可能已损坏。")

    # -- start tags ------------------------------------------------------------------------------------
    def start_tag(self, m: re.Match[str], pos: int) -> int:
        """Handle a start tag; returns where the next token is searched (past a skipped row)."""
        if self.depth == 0:
            return self.start_row(m, pos)
        if self.depth == 1:
            self.start_in_row(m)
        else:
            self.start_in_cell(m)
        return pos

    def start_row(self, m: re.Match[str], pos: int) -> int:
        name, empty = m.group("name"), bool(m.group("empty"))
        if local(name) != "row":
            raise WorkbookFormatError(f"{self.where}：<sheetData> 中出现意外的元素 <{name}>，无法确定单元格位置。")
        num = self.row_number(m)
        scan = self.scan
        self.prev_row, self.prev_col, self.after_ext = num, 0, False
        scan.row_nums.append(num)
        scan.row_starts.append(m.start())
        scan.row_count += 1
        self.row = None
        if num in self.target_rows:
            self.row = Row(num, m.start(), m.group(), m.end(), empty, prefix(name), _row_style(m))
            if empty:
                self.row.end = m.end()
            scan.rows[num] = self.row
        elif not empty and (skipped := _skip_row(self.text, m.end(), prefix(name))) is not None:
            end, cells = skipped
            scan.cell_count += cells
            return end
        if not empty:
            self.depth = 1
        return pos

    def row_number(self, m: re.Match[str]) -> int:
        r = attr(m, "r")
        try:
            num = int(r) if r is not None else self.prev_row + 1
        except ValueError:
            raise WorkbookFormatError(f"{self.where}：行号 r={r!r} 无效。") from None
        if num <= self.prev_row or num > MAX_ROW:
            raise WorkbookFormatError(
                f"{self.where}：第 {num} 行出现在第 {self.prev_row} 行之后（行的顺序错乱或重复），无法确定单元格位置。"
            )
        return num

    def start_in_row(self, m: re.Match[str]) -> None:
        name, empty = m.group("name"), bool(m.group("empty"))
        kind = local(name)
        if kind == "c":
            self.start_cell(m, empty)
        elif kind == "extLst":
            self.after_ext = True
            if self.row is not None and self.row.append_pos < 0:
                self.row.append_pos = m.start()
            if not empty:
                self.depth = 2
        else:
            raise WorkbookFormatError(f"{self.where}：<row> 中出现意外的元素 <{name}>，无法确定单元格位置。")

    def start_cell(self, m: re.Match[str], empty: bool) -> None:
        self.scan.cell_count += 1
        if self.after_ext:
            raise WorkbookFormatError(f"{self.where}：第 {self.prev_row} 行的 <extLst> 之后还有单元格。")
        self.in_cell = not empty
        self.cell = self.target_cell(m, self.row) if self.row is not None else None
        if not empty:
            self.depth = 2

    def target_cell(self, m: re.Match[str], row: Row) -> Cell:
        """A cell of a row that holds targets, placed by its ``r`` or counted after the previous one."""
        found = attrs(m)
        ref = next((a.value for a in found if a.name == "r"), None)
        if ref is None:
            col = self.prev_col + 1
        else:
            cm = CELL_REF.match(ref)
            if not cm or int(cm.group(2)) != row.num:
                raise WorkbookFormatError(f"{self.where}：第 {row.num} 行中的单元格 r={ref!r} 不属于该行。")
            col = column_index(cm.group(1))
        if col <= self.prev_col or col > MAX_COL:
            raise WorkbookFormatError(
                f"{self.where}：第 {row.num} 行的单元格顺序错乱或重复（{cell_address(row.num, col)}），"
                "无法确定单元格位置。"
            )
        self.prev_col = col
        cell = Cell(col, m.start(), m.end(), prefix(m.group("name")), found)
        row.cells.append(cell)
        return cell

    def start_in_cell(self, m: re.Match[str]) -> None:
        if self.depth == 2 and self.in_cell and local(m.group("name")) == "f":
            _note_formula(m, self.cell, self.scan)
        if not m.group("empty"):
            self.depth += 1

    # -- end tags --------------------------------------------------------------------------------------
    def end_tag(self, m: re.Match[str]) -> bool:
        """Handle an end tag; True at the end of sheetData."""
        kind = local(m.group("close"))
        if self.depth == 0:
            if kind != "sheetData":
                raise bad_markup(self.where, self.text, m.start())
            self.scan.sd_close = m.start()
            self.scan.sd_end = m.end()
            return True
        if self.depth == 1:
            self.end_row(m, kind)
        elif self.depth == 2 and self.in_cell:
            if kind != "c":
                raise bad_markup(self.where, self.text, m.start())
            if self.cell is not None:
                self.cell.end = m.end()
            self.in_cell = False
        self.depth -= 1
        return False

    def end_row(self, m: re.Match[str], kind: str) -> None:
        if kind != "row":
            raise bad_markup(self.where, self.text, m.start())
        if self.row is not None:
            self.row.end = m.end()
            if self.row.append_pos < 0:
                self.row.append_pos = m.start()
        self.row = None


def _row_style(m: re.Match[str]) -> str | None:
    custom = attr(m, "customFormat")
    style = attr(m, "s")
    if custom not in ("1", "true") or not style or not style.isdigit() or style == "0":
        return None
    return style


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


def _note_formula(m: re.Match[str], cell: Cell | None, scan: Scan) -> None:
    """Record what makes a formula cell unsafe to overwrite: shared masters and multi-cell arrays."""
    if cell is not None:
        cell.has_formula = True
    if "ref" not in m.group("attrs"):
        return
    kind = attr(m, "t")
    ref = attr(m, "ref")
    if ref is None:
        return
    if kind == "shared" and cell is not None:
        cell.shared_master = True
    if kind in ("array", "dataTable"):
        bounds = range_bounds(ref)
        if bounds and (bounds[0], bounds[1]) != (bounds[2], bounds[3]):
            scan.blocked.append((*bounds, ref))

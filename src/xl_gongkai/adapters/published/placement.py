"""Which printed number goes in which cell of a row: the placement heuristics, tried in order.

A row's *run* is what the text prints after the row's label and before the next label: numbers,
explicit blanks (``/``), empty cells between separators. The first heuristic of ``PLACEMENTS`` that
applies decides the row; when none does, the row is not read (an I1 finding) — a guess is never passed
off as a reading. Each heuristic says, in the ``note`` of its placement, what it inferred and from
what; the note becomes the row's I5 finding. Reading a row exactly as printed has no note.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ...core.numbers import show
from ...spec import Column
from .heuristics import heuristic
from .identities import row_sums_hold
from .text import EMPTY, NUMBER, SLASH, TEXT, UNSURE, Token

COUNT_UNITS = ("件", "项", "个")  # any of them prints a count
TEN_THOUSAND = Decimal(10000)


@dataclass(frozen=True)
class Run:
    """The printed items after a row's label, and the row's columns in printed order."""

    tokens: tuple[Token, ...]
    columns: tuple[Column, ...]
    label_line: int | None = None  # the line the row's label ends on
    next_line: int | None = None  # the line of the label that ended the run (None: the region ended)
    usual_cells: int | None = None  # how many cells the table's separated lines usually have (``grid_columns``)
    around_label: bool = False  # numbers printed both inside the label and after it (``numbers_around_label``)
    narrower: bool = False  # its separated line has fewer cells than a line next to it (``cells_lost_in_row``)

    @property
    def explicit(self) -> list[Token]:
        return [t for t in self.tokens if t.explicit]

    @property
    def width(self) -> int:
        return len(self.columns)


@dataclass(frozen=True)
class Placement:
    """A decided row: its values in column order, or ``None`` when the row is refused."""

    values: tuple[Any, ...] | None
    heuristic: str
    note: str = ""  # what was inferred and from what; "" when the row was read as printed


GLUED_ZERO = re.compile(r"^0\d")  # ``00``, ``003``: cells glued together, not one number
Cells = Sequence[Token | None]  # the token placed in each column (None: nothing printed there)


def _names(columns: Sequence[Column], indexes: Sequence[int]) -> str:
    return "、".join(f"“{columns[i].name}”" for i in indexes)


@heuristic("unit_in_cell", "placement")
def cell_value(tok: Token | None, column: Column) -> tuple[Any, str]:
    """A number printed with a unit: the column's unit is dropped, 元 in a 万元 column is converted exactly.

    Returns ``(value, note)``. A count with 件/项/个 is the count; ``20.3万元`` in a 万元 column is 20.3;
    ``75394432.52元`` in a 万元 column is 7539.443252 (six decimals are exact to the 分). A unit that does
    not fit the column (元 in a count column) leaves the printed text in the cell, for V2 to report.
    """
    if tok is None or tok.kind in (EMPTY, SLASH):
        return None, ""
    value, unit = tok.value, tok.unit
    if not unit or unit == column.unit or (unit in COUNT_UNITS and column.unit in COUNT_UNITS):
        return value, ""
    if unit == "元" and column.unit == "万元" and value is not None:
        wan = Decimal(repr(value)) / TEN_THOUSAND
        converted: int | float = int(wan) if wan == wan.to_integral_value() else float(wan)
        return converted, f"“{tok.text}”以元印出，按本栏的单位万元计为{show(converted)}"
    return tok.text, ""


def _finish(name: str, cells: Cells, run: Run, note: str = "") -> Placement:
    values, notes = [], [note] if note else []
    for tok, col in zip(cells, run.columns, strict=True):
        value, unit_note = cell_value(tok, col)
        values.append(value)
        if unit_note:
            notes.append(unit_note)
    return Placement(tuple(values), name, "；".join(notes))


def _one_item_a_cell(tokens: Sequence[Token]) -> bool:
    """Each item in a cell of its own: a cell that holds two numbers (``95 0``) says nothing of positions."""
    at = [t.cell for t in tokens if t.cell >= 0]
    return len(at) == len(set(at))


def closed_under_sums(columns: Sequence[Column]) -> bool:
    """Every column is a total or a term of a total that is itself among ``columns``."""
    keys = {c.key for c in columns}
    covered: set[str] = set()
    for c in columns:
        if c.sum_of and set(c.sum_of) <= keys:
            covered |= {c.key, *c.sum_of}
    return bool(keys) and covered == keys


# ---------------------------------------------------------------------------------------------- heuristics

@heuristic("merged_cell_value", "placement")
def merged_cell_value(run: Run) -> Placement | None:
    """A number merged down from the row above (an HTML rowspan) is not printed for this row: refused."""
    if any(t.kind == UNSURE for t in run.explicit):
        return Placement(None, "merged_cell_value")
    return None


@heuristic("html_row_cells", "placement")
def html_row_cells(run: Run) -> Placement | None:
    """A parsed HTML row with exactly as many cells as the row has, empty ``<td>`` included: in order."""
    explicit = run.explicit
    if not explicit or not all(t.grid for t in run.tokens):
        return None
    row_line = explicit[0].line  # a table row of the page: its cells are the tokens of that <tr>
    cells = [t for t in run.tokens if t.line == row_line and t.kind in (NUMBER, SLASH, EMPTY)]
    if not _one_item_a_cell(cells):
        return None
    return _finish("html_row_cells", cells, run) if len(cells) == run.width else None


@heuristic("one_number_per_cell", "placement")
def one_number_per_cell(run: Run) -> Placement | None:
    """As many numbers (or explicit blanks ``/``) as the row has cells: in the layout's column order.

    A number printed with a leading zero (``003``, ``00``) is cells glued together, never one count: such a row is
    left to the cuts of glued cells (``glued_cells``)."""
    explicit = run.explicit
    if len(explicit) != run.width or any(GLUED_ZERO.match(t.text) for t in explicit):
        return None
    decided = _finish("one_number_per_cell", explicit, run)
    if run.around_label and not _totals_hold(decided, run):
        return None  # ``numbers_around_label``: the printed order is no proof
    return decided


@heuristic("numbers_around_label", "placement")
def _totals_hold(decided: Placement, run: Run) -> bool:
    """Numbers printed partly inside a row's label and partly after it (a Word file made from a PDF writes each
    piece of text where the PDF drew it: ``（二）部分公开（…只计这一情 形，不`` ‖ ``9 0 0 0 9`` ‖ ``计其他情形）`` ‖
    ``0 0``, the row being 9 0 0 0 0 0 9) are in no proven order: read one a cell only when the row's totals hold."""
    return decided.values is not None and row_sums_hold(decided.values, run.columns) is True


@heuristic("printed_blank_row", "placement")
def printed_blank_row(run: Run) -> Placement | None:
    """Nothing but empty cells after the label, on the label's own line, a cell for each: the row is printed blank.

    An empty cell on another line (a conversion that scattered a table's cells) says nothing of this row.
    """
    if run.explicit or not run.tokens or any(t.kind != EMPTY for t in run.tokens):
        return None
    own = [t for t in run.tokens if run.label_line is None or t.line == run.label_line]
    if not own or (len(own) < run.width and not all(t.grid for t in own)):
        return None
    return Placement((None,) * run.width, "printed_blank_row")


@heuristic("separator_positions", "placement")
def separator_positions(run: Run) -> Placement | None:
    """A tab- or ``|``-separated line with exactly the row's count of cells, empty ones included: by position.

    ``258→12→→→1→1→`` (a table copied from a page) is seven cells: 258, 12, blank, blank, 1, 1, blank.
    The cells counted are the line's cells after the label (or the whole line when the numbers have a
    line of their own), and the line must end the row.
    """
    explicit = run.explicit
    if not explicit or not all(t.cells for t in explicit):
        return None
    line = explicit[0].line
    if any(t.line != line for t in explicit) or (run.next_line is not None and run.next_line <= line):
        return None
    cells = [t for t in run.tokens if t.line == line]
    if len(cells) != run.width or not _one_item_a_cell(cells):
        return None
    blank = [i for i, t in enumerate(cells) if t.kind == EMPTY]
    if blank and _lost_a_cell(run):
        return None
    note = f"按分隔符的位置读取，{_names(run.columns, blank)}为空（原文这一行有{run.width}个单元格）"
    return _finish("separator_positions", cells, run, note)


def data_widths(tokens: Sequence[Token]) -> dict[int, int]:
    """For each separated line, how many cells it has after its label: after its last cell of text, or, with no
    text, after the empty cells it begins with (its label printed on a line of its own): the cells its numbers
    and blanks can stand in."""
    cells: dict[int, int] = {}
    label_end: dict[int, int] = {}
    first_number: dict[int, int] = {}
    for t in tokens:
        if t.ncells:
            cells[t.line] = t.ncells
            if t.kind == TEXT:
                label_end[t.line] = max(label_end.get(t.line, -1), t.cell)
            elif t.kind != EMPTY:
                first_number[t.line] = min(first_number.get(t.line, t.cell), t.cell)
    return {line: n - 1 - label_end.get(line, first_number.get(line, 0) - 1) for line, n in cells.items()}


@heuristic("cells_lost_in_row", "placement")
def _lost_a_cell(run: Run) -> bool:
    """A separated line with fewer cells after its label than a line next to it lost a separator (``| 4 | 00 | 0 |`` for
    ``| 4 | 0 | 0 | 0 |``): its empty cells are no proof of a blank cell where the others stand — a markdown row
    padded with an empty last cell read as a blank 总计 put the 总计 under 其他."""
    return run.narrower


@heuristic("empties_between_numbers", "placement")
def empties_between_numbers(run: Run) -> Placement | None:
    """Empty cells between the first and the last number make up exactly the row's count: in order."""
    explicit = run.explicit
    if not explicit:
        return None
    first = run.tokens.index(explicit[0])
    last = len(run.tokens) - 1 - run.tokens[::-1].index(explicit[-1])
    inner = run.tokens[first:last + 1]
    if len(inner) != run.width or not any(t.kind == EMPTY for t in inner):
        return None
    blank = [i for i, t in enumerate(inner) if t.kind == EMPTY]
    if _lost_a_cell(run):
        return None
    note = f"空单元格在两个数之间，按分隔符的位置读取，{_names(run.columns, blank)}为空"
    return _finish("empties_between_numbers", inner, run, note)


# ``empty_paragraphs``: the gap, in lines, from one printed cell to the next in a table a page converter printed one
# cell a paragraph, a blank line after each: a gap one line longer than this is one empty cell.
PARAGRAPH_GAP = 2


@heuristic("empty_paragraphs", "placement")
def empty_paragraphs(run: Run) -> Placement | None:
    """A table printed one cell a paragraph, each cell followed by a blank line, an empty cell by a line of
    nothing (鹿城区某局 2022 as a page stored it: ``…申请数量`` ‖ ‖ ``103`` ‖ ‖ ``3`` ‖ ‖ ‖ ‖ ``1`` ‖ ‖ ‖ ``107``):
    every line beyond the one blank line between two items is an empty cell. Read so when every item of the
    row, its label and the next label are that far apart at least, the empty lines make up exactly the row's
    count, and the row's totals hold where it has any: the layout and the sums both place every number."""
    explicit = run.explicit
    if not explicit or run.label_line is None or run.next_line is None or len(explicit) != len(run.tokens):
        return None
    lines = [run.label_line, *(t.line for t in explicit), run.next_line]
    gaps = [b - a for a, b in itertools.pairwise(lines)]
    if any(g < PARAGRAPH_GAP for g in gaps) or all(g == PARAGRAPH_GAP for g in gaps):
        return None
    cells: list[Token | None] = [None] * (gaps[0] - PARAGRAPH_GAP)
    for tok, gap in zip(explicit, gaps[1:], strict=True):
        cells += [tok, *[None] * (gap - PARAGRAPH_GAP)]
    if len(cells) != run.width:
        return None
    blank = [i for i, t in enumerate(cells) if t is None]
    note = f"原文一格一段、空格印成空行，按空行的位置读取，{_names(run.columns, blank)}为空"
    decided = _finish("empty_paragraphs", cells, run, note)
    if closed_under_sums(run.columns) and not _printed_terms_add_up(decided, run.columns):
        return None
    return decided


def _printed_terms_add_up(decided: Placement, columns: Sequence[Column]) -> bool:
    """Every total of the row is printed and equals the sum of the terms printed beside it (an empty cell adds
    nothing): how a placement of numbers among empty cells is proven."""
    if decided.values is None:
        return False
    keys = {c.key for c in columns}
    if any(v is None for v, c in zip(decided.values, columns, strict=True) if c.sum_of and set(c.sum_of) <= keys):
        return False
    return row_sums_hold([0 if v is None else v for v in decided.values], columns) is True


@heuristic("repeated_value_extra", "placement")
def repeated_value_extra(run: Run) -> Placement | None:
    """More numbers than cells, all the same value: whichever are kept, every cell has that value."""
    explicit = run.explicit
    if len(explicit) <= run.width or any(t.kind != NUMBER for t in explicit):
        return None
    if len({t.value for t in explicit}) != 1:
        return None
    note = (f"印了{len(explicit)}个数，多于本行的{run.width}格，但都是{show(explicit[0].value)}："
            f"无论多出的是哪一个，每格都是{show(explicit[0].value)}")
    return _finish("repeated_value_extra", explicit[:run.width], run, note)


@heuristic("zeros_one_short", "placement")
def zeros_one_short(run: Run) -> Placement | None:
    """One number too few, all 0, in a row of totals and their terms: the missing cell is 0 too.

    If it was the total, its terms are all 0; if it was a term, its total is 0 and no term of a total
    can be negative. This is the reference case's damage (rows of six zeros in a seven-column table).
    """
    explicit = run.explicit
    if len(explicit) != run.width - 1 or any(t.kind != NUMBER or t.value != 0 for t in explicit):
        return None
    if not closed_under_sums(run.columns):
        return None
    note = (f"只印了{len(explicit)}个数，少一格，印出的都是0，且本行每一格都是总计或总计的加项："
            "缺的一格只能是0")
    return _finish("zeros_one_short", [*explicit, explicit[0]], run, note)


@heuristic("grid_columns", "placement")
def grid_columns(run: Run) -> Placement | None:
    """A separated line as wide as the table's other lines: the row's cells are its last ones.

    A markdown or page table keeps every row as wide as the table; a label merged over several columns
    leaves empty cells before the numbers (``| 一、本年新收… | | | 12 | | … | 12 |``). When the row's line
    has the table's usual width and nothing but empty cells stands between the label and the row's cells,
    the row's cells are the line's last ones, blank cells included.
    """
    explicit, usual = run.explicit, run.usual_cells
    if not explicit or usual is None or not all(t.cells and t.ncells for t in explicit):
        return None
    line = explicit[0].line
    if any(t.line != line for t in explicit) or explicit[0].ncells != usual:
        return None
    on_line = [t for t in run.tokens if t.line == line]
    cells: dict[int, Token] = {}
    for t in on_line:
        if t.cell >= 0:
            if t.cell in cells:
                return None  # two items in one cell
            cells[t.cell] = t
    first = usual - run.width
    if first < 0 or any(cells[i].kind != EMPTY for i in cells if i < first):
        return None
    if any(i not in cells for i in range(first, usual)):
        return None
    chosen = [cells[i] for i in range(first, usual)]
    if len([t for t in chosen if t.kind != EMPTY]) != len(explicit):
        return None
    if all(t.kind != EMPTY for t in chosen) and first == min(cells, default=0):
        return None  # nothing but the row's own cells: the plain count already reads it
    blank = [c.name for t, c in zip(chosen, run.columns, strict=True) if t.kind == EMPTY]
    if blank and _lost_a_cell(run):
        return None
    note = f"按表格的列位置读取（本表每行{usual}个单元格，本行的数在最后{run.width}格）"
    if blank:
        note += "，" + "、".join(f"“{b}”" for b in blank) + "为空"
    return _finish("grid_columns", chosen, run, note)


PLACEMENTS: tuple[Callable[[Run], Placement | None], ...] = (
    merged_cell_value,
    html_row_cells,
    one_number_per_cell,
    printed_blank_row,
    separator_positions,
    empties_between_numbers,
    empty_paragraphs,
    grid_columns,
    repeated_value_extra,
    zeros_one_short,
)


def place(run: Run) -> Placement | None:
    """The first placement heuristic that decides the row, or ``None`` (the row cannot be read for certain)."""
    for rule in PLACEMENTS:
        decided = rule(run)
        if decided is not None:
            return decided
    return None

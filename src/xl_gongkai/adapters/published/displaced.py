"""A table printed a second time in a part of the report that has no table, and when that copy is read instead.

A converter of PDFs to markdown puts a table block where its page's layout puts it, which can be after the next
heading: 淮安 2024 converted by pymupdf4llm prints table 四 under its own heading as loose text whose numbers lost one
cell (14 numbers for 15 cells, the first ``72`` gone), and then, after ``五、存在的主要问题及改进情况`` and a line of
that part's text, as a proper markdown grid (``|72|64|178|37|351|…|20|``).

Such a copy is used only where it is proven, never as a better guess: the table's own region leaves cells unread;
the copy, read alone by the same table reader, fills every cell of the table with no row left unread; every
equation of the table (row totals, the 勾稽关系) holds on it; and it agrees with everything the own region read —
every cell read there is equal, and the numbers the unread rows print appear in the copy, in order. Two copies that
qualify with different numbers prove nothing. Otherwise the own region's reading stands, blanks and all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ...spec import CellKey, Table
from .heuristics import heuristic
from .identities import Equation, holds
from .label_index import ordered_columns
from .sections import Heading
from .table_read import TableRead
from .text import DocumentTokens, Line, Token


@dataclass(frozen=True)
class Grid:
    """A block of table lines (markdown, tab-separated or a page's table rows) in a part without a table."""

    part: Heading  # the part it is printed in
    start: int  # its first line
    stop: int  # the line after its last


def grids(lines: Sequence[Line], parts: Sequence[tuple[Heading, int, int]]) -> list[Grid]:
    """The blocks of lines with cells in each part ``(heading, first line, line after the last)``.

    Blank lines inside a block do not end it (a converter separates the pieces of a table a page break cut with a
    rule and blank lines); a line of text does.
    """
    out: list[Grid] = []
    for part, a, b in parts:
        start: int | None = None
        last = a
        for i in range(a, b):
            if lines[i].cells is not None:
                start = i if start is None else start
                last = i
            elif not lines[i].blank and start is not None:
                out.append(Grid(part, start, last + 1))
                start = None
        if start is not None:
            out.append(Grid(part, start, last + 1))
    return out


def cells_of(table: Table) -> list[CellKey]:
    """Every cell of the table, row by row in the order each row prints its columns."""
    return [CellKey(table.key, r.key, c.key) for r in table.rows for c in ordered_columns(table, r)]


def unread_cells(table: Table, read: TableRead) -> list[CellKey]:
    """Cells the reading left blank without the text printing them blank."""
    return [k for k in cells_of(table) if read.values.get(k) is None and k not in read.blank]


@heuristic("displaced_table", "table")
def displaced_copy(table: Table, own: TableRead, copies: Sequence[Grid], toks: DocumentTokens,
                   read: Callable[[Sequence[Token]], TableRead],
                   eqs: Sequence[Equation]) -> tuple[Grid, TableRead] | None:
    """A copy of a table printed in a part without a table (a converter moved it there), read instead of the
    table's own region when it fills every cell, its arithmetic holds and it agrees with what the region read.

    Only a region that printed something of the table and read no row twice or as a group looks for one; the copy
    is read alone by ``read`` (the table reader the region was read with); the copy's reading is returned with
    the block it is printed in, or ``None`` (no copy proven, or two that disagree).
    """
    if own.absent or own.conflicts or own.grouped or not unread_cells(table, own):
        return None
    proven = [(g, r) for g in copies if _proven(table, own, r := read(toks.region(g.start, g.stop)), eqs)]
    if len({tuple(r.values[k] for k in cells_of(table)) for _, r in proven}) != 1:
        return None
    return proven[0]


def _proven(table: Table, own: TableRead, copy: TableRead, eqs: Sequence[Equation]) -> bool:
    keys = cells_of(table)
    if copy.failed or copy.doubtful or copy.conflicts or copy.grouped or copy.added:
        return False
    if any(copy.values.get(k) is None for k in keys):
        return False  # a cell the copy does not fill
    if not all(holds(e, copy.values.get) for e in eqs):
        return False
    if any(k in own.values and (own.values[k] is not None or k in own.blank) and own.values[k] != copy.values[k]
           for k in keys):
        return False  # a cell the region read differs (or the region printed it blank)
    return in_order(own.unread_numbers, [copy.values[k] for k in keys])


def in_order(printed: Sequence[object], copy: Sequence[object]) -> bool:
    """Whether ``printed`` is a subsequence of ``copy``: every number the unread rows print is in the copy, in order
    (``grid_rows_in_order`` asks the same of the numbers printed beside a grid)."""
    it = iter(copy)
    return all(any(x is not None and x == y for y in it) for x in printed)


def merged(table: Table, own: TableRead, copy: TableRead) -> TableRead:
    """The table as the copy reads it, with what the own region said of its rows (variants, notes, added rows)."""
    return TableRead(
        values={k: copy.values[k] for k in cells_of(table)}, read={r.key for r in table.rows},
        added=list(own.added), row_variants=dict(own.row_variants), column_variants=dict(own.column_variants),
        notes={**{k: v for k, v in copy.notes.items() if k not in own.read},
               **{k: v for k, v in own.notes.items() if k in own.read}},
        started=True)

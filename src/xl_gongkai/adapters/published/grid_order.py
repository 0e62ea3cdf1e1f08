"""A table printed as a grid whose rows keep the form's order while some rows' labels were pulled out of it.

A conversion of a PDF to markdown writes a label cell that wraps over several lines as plain lines somewhere
else, and the row's numbers as a grid row with no label (上海市科委 2024: ``5.属于三类内部事务信`` ‖ ``息`` ‖
``1.本机关不掌握相关政`` ‖ ``府信息`` printed *before* the row ``| 1 | 0 | 0 | 0 | 0 | 0 | 1 |``, then
``| 6.属于四类过程性信息 | 1 | …``). The stranded labels are out of order and far from their numbers, so the row
scanner cannot give the numbers to their rows; but the grid itself is in order: every grid row that prints a
label is an anchor, and the rows without one between two anchors are, one for one, the rows of the form between
them.

Such a reading is used only where it is proven, never as a better guess: the grid's rows with numbers are
exactly the form's rows — as many unlabelled rows between two anchors as the form has rows there, each with its
row's count of cells, a piece of a label in a row only where it is a piece of that row's label; it fills every
cell of the table (or finds it printed blank); every equation of the table that can be evaluated holds; it
agrees with every cell the ordinary reading read; and the numbers the region prints outside the grid are in it,
in order (a loose copy of the table, a stray enumerator). Otherwise the ordinary reading stands, blanks and all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ...spec import CellKey, Table
from .displaced import in_order
from .heuristics import heuristic
from .identities import Equation, holds
from .label_index import EXACT, PUNCTUATION, LabelIndex, Unit, ordered_columns
from .placement import cell_value, data_widths
from .table_read import TableRead
from .text import EMPTY, NUMBER, SLASH, TEXT, Token


@dataclass(frozen=True)
class GridRow:
    line: int
    label: str  # its text cells, normalised, without punctuation ("" when it prints no label)
    cells: tuple[Token, ...]  # what it prints after the label: numbers, blanks


def grid_rows(toks: Sequence[Token], norm: Any) -> list[GridRow] | None:
    """The rows of the region's grid that print numbers, or ``None`` when a grid row is no plain row (text after
    its numbers, a cell merged down from the row above)."""
    by_line: dict[int, list[Token]] = {}
    for t in toks:
        if t.cells:
            by_line.setdefault(t.line, []).append(t)
    out: list[GridRow] = []
    for line, row in by_line.items():
        if not any(t.kind == NUMBER for t in row):
            continue  # a header row, a row of labels
        at = 0
        while at < len(row) and row[at].kind == EMPTY:
            at += 1
        label = []
        while at < len(row) and row[at].kind == TEXT:
            label.append(norm(row[at].text))
            at += 1
        cells = row[at:]
        if any(t.kind not in (NUMBER, EMPTY, SLASH) for t in cells):
            return None
        out.append(GridRow(line, "".join(label).translate(PUNCTUATION), tuple(cells)))
    return out


def _anchor(index: LabelIndex, label: str) -> int | None:
    """The unit a row's label names: the longest variant it contains, when that is one unit's; else ``None`` (no
    label, the table's own texts, or a piece of a label: see ``_fits``)."""
    if not label or index.is_table_text(label):
        return None
    best: tuple[int, set[int]] = (0, set())
    for core, unit, _ in index.cores:
        if core and core in label:
            if len(core) > best[0]:
                best = (len(core), {unit})
            elif len(core) == best[0]:
                best[1].add(unit)
    return next(iter(best[1])) if len(best[1]) == 1 else None


def _fits(index: LabelIndex, unit: int, label: str) -> bool:
    """A row that prints a piece of a label (``行政机关不再处理其政府信息公``) may only be a row whose label
    holds that piece."""
    return not label or index.is_table_text(label) or any(
        label in core for core, u, quality in index.cores if u == unit and quality == EXACT)


def _cells(unit: Unit, table: Table) -> list[CellKey]:
    return [CellKey(table.key, r.key, c.key) for r in unit.rows for c in ordered_columns(table, r)]


@heuristic("grid_rows_in_order", "table")
def grid_reading(table: Table, index: LabelIndex, toks: Sequence[Token], own: TableRead,
                 eqs: Sequence[Equation]) -> tuple[TableRead, list[str]] | None:
    """The table read from its grid rows in the form's order, when proven (see the module); with the labels of the
    rows whose numbers were printed without their label, for the finding."""
    rows = grid_rows(toks, index.norm)
    if not rows or not any(own.values.get(k) is None and k not in own.blank
                           for u in index.units for k in _cells(u, table)):
        return None
    anchors = [_anchor(index, r.label) for r in rows]
    units = index.units
    assigned: list[int] = []
    free = 0
    last = -1
    for k in anchors:
        if k is None:
            free += 1
            continue
        if k <= last or k - last - 1 != free:
            return None  # out of order, or not as many unlabelled rows as the form has rows between
        assigned += range(last + 1, k + 1)
        last, free = k, 0
    if len(units) - last - 1 != free:
        return None
    assigned += range(last + 1, len(units))
    if all(k is not None for k in anchors):
        return None  # every row printed its label: the ordinary reading has had them all
    values: dict[CellKey, Any] = {}
    blank: set[CellKey] = set()
    moved: list[str] = []
    widths = data_widths(toks)
    for u_index, r, k in zip(assigned, rows, anchors, strict=True):
        unit = units[u_index]
        if k is None and not _fits(index, u_index, r.label):
            return None
        cells = list(r.cells)
        while len(cells) > unit.width and cells[-1].kind == EMPTY:
            cells.pop()  # a markdown row padded to the widest row of its block
        if len(cells) != unit.width:
            return None
        narrower = any(widths.get(n, 0) > widths[r.line] for n in (r.line - 1, r.line + 1))
        if narrower and any(t.kind == EMPTY for t in cells):
            return None  # ``cells_lost_in_row``: a separator lost, its empty cells prove no blank
        for key, tok, column in zip(_cells(unit, table), cells, unit.columns, strict=True):
            value, _ = cell_value(tok, column)
            values[key] = value
            if value is None:
                blank.add(key)
        if k is None:
            moved.append(unit.key)
    if not all(holds(e, values.get) is not False for e in eqs):
        return None
    loose = [t.value for t in toks if t.kind == NUMBER and not t.cells]
    if not in_order(loose, [values[k] for u in assigned for k in _cells(units[u], table)]):
        return None  # numbers printed outside the grid that are not the grid's: the grid may not be the whole table
    for key, value in values.items():
        if own.values.get(key) is not None and own.values[key] != value:
            return None  # a cell the ordinary reading read differs
        if key in own.blank and key not in blank:
            return None
    pieces = {r.label for r, k in zip(rows, anchors, strict=True) if k is None and r.label}
    added = [(label, nums) for label, nums in own.added if index.norm(label).translate(PUNCTUATION) not in pieces]
    read = TableRead(values=values, blank=blank, read={r.key for r in table.rows}, added=added,
                     row_variants=dict(own.row_variants), column_variants=dict(own.column_variants),
                     notes={k: v for k, v in own.notes.items() if k in own.read}, started=True)
    return read, moved


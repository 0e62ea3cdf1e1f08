"""Stage 3 of reading a table: which printed number goes in which cell, and what proves it (the decoder).

The row scanner gives each row of the table the items printed after its label (its *run*). The decoder
decides the cells, in three steps, and fills a cell only when the layout proves it or the table's
arithmetic leaves one possibility:

1. **Each row on its own** (``placement.PLACEMENTS``): a row whose run holds exactly its count of numbers,
   a parsed table row, separator positions, … is read as printed. This is the common case, and a reading
   the layout proves is kept even when the agency's own totals do not add up (the checks report that).
2. **Counts that balance across rows** (``count_flow``): when a row prints too many numbers and a later one
   too few — or a row prints none and a later one twice its count — the numbers were printed after the wrong
   label (a PDF line break, a label on two lines with the numbers after the next row's label, a label the
   index could not recognise). The numbers of the stretch, in printed order, are dealt to its rows by count;
   the result is kept only if every row total and every balance it touches holds — and, where some printed
   row is still unread at the end, only if an equation across rows confirms it (``confirm_flow``): a number
   lost elsewhere breaks the premise that the counts balance because the rows do.
3. **The identities decide** (``identity_candidates``): a row that prints fewer numbers than cells in plain
   text (blank cells leave no trace; a crawler glued cells together as ``640020470``) has several possible
   readings. All combinations of the possible readings of such rows are tried against the table's
   equations with every other cell as read; a cell is filled when every combination that satisfies them
   gives it the same value. Otherwise it stays blank, and the finding says why.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ...spec import CellKey, Table
from .heuristics import heuristic
from .identities import Equation, holds, row_sums_hold
from .label_index import LabelIndex, Unit, ordered_columns
from .placement import GLUED_ZERO, Run, cell_value, closed_under_sums, data_widths, place
from .row_scanner import Scan, Slot, is_prose
from .text import NUMBER, SLASH, UNSURE, Token

# A reading of plain text where cells are missing is a choice of columns for the printed numbers; a glued
# string is a choice of places to cut it. Both grow fast with the row's width: beyond these the row is left
# to the finding rather than searched (a real row has 7 cells and a glued row at most 7 numbers of a few
# digits each: 3 000 cuts of a 30-digit string already exceed any such row).
MAX_READINGS_PER_ROW = 4_000
MAX_GLUED_DIGITS = 48
# The combinations of the open rows' readings tried against the table's equations; past this the open rows
# stay blank (a table with every row open has no certain reading anyway).
MAX_COMBINATIONS = 200_000
_DIGITS = re.compile(r"^\d+$")
# Heuristics that change the count of a row's numbers: a stretch of rows whose counts balance may still undo them.
_COUNT_CHANGING = frozenset({"repeated_value_extra", "zeros_one_short"})


def _lead(unit: int) -> int:
    """The place, in the printed order, of the numbers printed before a row's label."""
    return -1 - unit


def _unlead(place: int) -> int:
    return -1 - place


# What step 3 decides (``candidates``, ``solve``): decided again when a dealing of step 2 is taken back.
_STEP_THREE = frozenset({"glued_cells", "identity_candidates", "identity_closes_once", "one_cell_lost"})
# Readings the positions of cells prove (a parsed table's row, separators): no number was displaced across them.
_POSITIONAL = frozenset({"html_row_cells", "separator_positions", "grid_columns", "empties_between_numbers",
                         "printed_blank_row", "labels_then_columns"})


@dataclass(frozen=True)
class Reading:
    """One way to read a unit: its values in column order, and how it was decided."""

    values: tuple[Any, ...]
    heuristic: str
    note: str = ""


@dataclass
class UnitState:
    slot: Slot
    decided: Reading | None = None
    refused: bool = False  # a number merged down from the row above: not this row's (``merged_cell_value``)
    unordered: str = ""  # why its numbers, as many as its cells, are in no proven order: said in I2
    apart: bool = False  # its options cut numbers printed apart: an equation across rows must confirm one
    options: list[Reading] = field(default_factory=list)  # possible readings, for the identities to decide
    partial: dict[int, Any] = field(default_factory=dict)  # cells the identities fixed when the row is not whole
    doubtful: list[Unit] = field(default_factory=list)  # the stretch whose numbers cannot be told to their rows

    @property
    def unit(self) -> Unit:
        return self.slot.unit


class Decoder:
    def __init__(self, table: Table, index: LabelIndex, scan: Scan, eqs: Sequence[Equation]) -> None:
        self.table = table
        self.index = index
        self.scan = scan
        self.eqs = list(eqs)
        self.states = [UnitState(s) for s in scan.slots]
        self.widths = {u.index: u.width for u in index.units}
        self.usual_cells = _usual_cells(scan.region.tokens)
        self.line_cells = data_widths(scan.region.tokens)
        self.dealt: list[list[UnitState]] = []  # the stretches ``count_flow`` dealt, for ``confirm_flow``
        self.skip: set[int] | frozenset[int] = frozenset()  # the rows ``count_flow`` left to the groups

    # ------------------------------------------------------------------------------------------ values

    def cell_keys(self, unit: Unit) -> list[CellKey]:
        return [CellKey(self.table.key, r.key, c.key) for r in unit.rows for c in ordered_columns(self.table, r)]

    def known(self) -> dict[CellKey, Any]:
        out: dict[CellKey, Any] = {}
        for st in self.states:
            if st.decided is not None:
                out.update(zip(self.cell_keys(st.unit), st.decided.values, strict=True))
            elif st.partial:
                keys = self.cell_keys(st.unit)
                out.update({keys[i]: v for i, v in st.partial.items()})
        return out

    def row_check(self, unit: Unit, values: Sequence[Any]) -> bool | None:
        """Every row total of the unit (a band: each of its rows) against the values; None if none evaluable."""
        verdict: bool | None = None
        at = 0
        for r in unit.rows:
            cols = ordered_columns(self.table, r)
            got = row_sums_hold(values[at:at + len(cols)], cols)
            at += len(cols)
            if got is False:
                return False
            if got:
                verdict = True
        return verdict

    # ------------------------------------------------------------------------------------------ step 1

    def each_row(self) -> None:
        for st in self.states:
            slot = st.slot
            if slot.hit is None or slot.rest:
                continue
            printed = [t.kind in (NUMBER, SLASH, UNSURE) for t in slot.run]
            around = any(printed[:slot.in_label]) and any(printed[slot.in_label:])
            run = Run(tuple(slot.run), tuple(st.unit.columns), slot.label_line, slot.next_line, self.usual_cells,
                      around_label=around, narrower=self._narrower(slot))
            if any(t.kind == UNSURE for t in run.explicit):
                st.refused = True
                continue
            decided = place(run)
            zeros = [t.text for t in run.explicit if GLUED_ZERO.match(t.text)]
            if (decided is not None and decided.values is not None and _last_apart(run.explicit)
                    and self.row_check(st.unit, decided.values) is not True):
                st.unordered = ("最后一个数单独印在下一行，按它读取时本行的总计不成立或无从核对：它可能是翻页处的页码，"
                                "不是本行的一格")
                continue
            if decided is not None and decided.values is not None:
                st.decided = Reading(decided.values, decided.heuristic, decided.note)
            elif len(run.explicit) == run.width and zeros:
                st.unordered = (f"{run.width}个数中的“{zeros[0]}”以0开头，是几格粘在一起的数，不是一格："
                                "无法确定各数属于哪一格")
            elif around and len(run.explicit) == run.width:
                st.unordered = (f"{run.width}个数分印在标签的前后两处（原文文字的顺序不是表格的顺序），"
                                "按印出的顺序读取时本行的总计不成立：无法确定各数属于哪一列")

    def _narrower(self, slot: Slot) -> bool:
        """Whether the line of the row's numbers has fewer cells than the separated line before or after it."""
        lines = {t.line for t in slot.explicit if t.cells}
        if len(lines) != 1:
            return False
        (line,) = lines
        own = self.line_cells.get(line, 0)
        return any(self.line_cells.get(n, 0) > own for n in (line - 1, line + 1))

    # ------------------------------------------------------------------------------------------ step 2

    @heuristic("labels_then_columns", "placement")
    def labels_then_columns(self, skip: set[int] | frozenset[int] = frozenset()) -> None:
        """Several labels with nothing after them, then exactly their rows' numbers after the last: a PDF's text
        extracted in its layout's order (pdfminer) prints a page's labels, then the numbers column by column
        (淮安 2024: ``一、本年新收…`` … ``1.本机关不掌握…``, then ``3001 34 1288 …`` — the 自然人 column of those
        13 rows — then the 商业企业 column, …). They are read down the columns when every row's total then holds
        and no equation of the table fails, and read across the rows they do not (or give the same values: all
        zeros). Across the rows is the other shape, numbers printed after the wrong labels, which ``count_flow``
        deals and confirms; the rows are left to it. Text the index did not know after a label, before a row whose
        label was not found, is taken for that row's damaged label: the row counts for its place in the columns,
        but is not read (洪泽区 2023 by pdfminer: ``2.其他法律行政止公开``, the agency's misprint)."""
        stretch: list[UnitState] = []
        unnamed: list[UnitState] = []  # rows whose label went unfound, printed as text the index did not know
        for i in self._printed_order():
            st = self.states[i]
            if st.slot.hit is None and i not in skip and stretch and stretch[-1].slot.rest and (
                    not unnamed or unnamed[-1] is not stretch[-1]):
                stretch.append(st)  # the text after the row above is this row's label, damaged past recognition
                unnamed.append(st)
                continue
            if i in skip or st.slot.hit is None or st.refused or st.slot.lead or (st.slot.rest and st.slot.numbers):
                stretch, unnamed = [], []
                continue
            if st.slot.numbers == 0 and st.decided is None:
                stretch.append(st)
                continue
            rows = [*stretch, st]
            named = [r for r in rows if r not in unnamed]
            stretch, unnamed = [], []
            w = st.unit.width
            pool = st.slot.explicit
            if (len(rows) < 2 or st.decided is not None or len(pool) != w * len(rows)
                    or any(r.unit.width != w for r in rows) or any(t.kind != NUMBER for t in pool)):
                continue
            down = self._block_reading(rows, [[pool[j * len(rows) + n] for j in range(w)] for n in range(len(rows))])
            across = self._block_reading(rows, [list(pool[n * w:(n + 1) * w]) for n in range(len(rows))])
            if down is None or (across is not None and across != down):
                continue  # read across the rows, the numbers are printed after the wrong labels: ``count_flow``'s
            other = "按行读时不成立" if across is None else "按行读也是同样的数"
            for row, values in zip(rows, down, strict=True):
                if row not in named:
                    continue  # its place in the columns is known, not whose row it is (an added one, I3?)
                row.decided = Reading(values, "labels_then_columns",
                                      f"原文先印出{len(rows)}行的标签，再一列一列印出它们的{len(pool)}个数"
                                      f"（PDF 的文字按版面提取）：按列读时各行的总计都成立，{other}")

    def _block_reading(self, rows: Sequence[UnitState], tokens: Sequence[Sequence[Token]]
                       ) -> list[tuple[Any, ...]] | None:
        """The rows' values from their tokens, if every row's total holds and no equation the rows touch fails."""
        out: list[tuple[Any, ...]] = []
        known = self.known()
        for st, toks in zip(rows, tokens, strict=True):
            values = tuple(cell_value(t, c)[0] for t, c in zip(toks, st.unit.columns, strict=True))
            if self.row_check(st.unit, values) is not True:
                return None
            out.append(values)
            known.update(zip(self.cell_keys(st.unit), values, strict=True))
        mine = {k for st in rows for k in self.cell_keys(st.unit)}
        if any(holds(e, known.get) is False for e in self.eqs if mine & set(e.cells)):
            return None
        return out

    @heuristic("count_flow", "placement")
    def count_flow(self, skip: set[int] | frozenset[int] = frozenset()) -> None:
        """Numbers printed after the wrong label, in a stretch of rows whose counts balance: dealt by count.

        A row printing ``w + k`` numbers and a later one ``w - k`` (with exact rows between), or a row printing
        none whose numbers come after the next row's label, down to a row printing two rows' worth: the
        printed order is the rows' order, so the stretch's numbers are dealt to its rows by their counts.
        Kept only when every row total and balance through the stretch holds.
        """
        self.skip = skip
        order: list[int] = []  # the rows of the current run of rows, by index
        deltas: dict[int, int] = {}
        seen: dict[int, int] = {0: -1}  # running surplus → the last position in ``order`` it was reached at
        prefix = 0
        previous: UnitState | None = None
        for i in self._printed_order():
            st = self.states[i]
            if i in skip:
                continue
            after, previous = previous, st
            if st.refused or st.slot.rest or (st.decided is not None and st.decided.heuristic in _POSITIONAL):
                order, seen, prefix = [], {0: -1}, 0  # a row whose cells the layout fixes: no number crosses it
                continue
            if st.slot.hit is None and after is not None and _unknown_row_with_numbers(after):
                order, seen, prefix = [], {0: -1}, 0  # ``unfound_row_under_unknown_label``
                continue
            if st.slot.lead:  # numbers before the label: a row of width 0 that gives them all away
                order.append(_lead(i))
                prefix += len(st.slot.lead)
                deltas[_lead(i)] = len(st.slot.lead)
                seen[prefix] = len(order) - 1
            balanced = st.decided is not None and st.decided.heuristic not in _COUNT_CHANGING
            delta = deltas[i] = 0 if balanced else st.slot.numbers - st.unit.width
            order.append(i)
            prefix += delta
            if delta != 0 and prefix in seen:
                stretch = order[seen[prefix] + 1:]
                while stretch and deltas[stretch[0]] == 0:
                    stretch.pop(0)  # exact rows before the first displaced number are not part of it
                if stretch:
                    self._deal(stretch)
                seen = {prefix: len(order) - 1}
                continue
            seen[prefix] = len(order) - 1
        self._shifted_between(skip)

    @heuristic("shift_left_open", "placement")
    def _shifted_between(self, skip: set[int] | frozenset[int]) -> None:
        """Rows read by count between a row printing too many numbers and a row printing none (in either order),
        when no dealing balanced them: the numbers after each label there may be a neighbour's (labels printed
        under their numbers, or numbers after the next row's label, with one number more or fewer somewhere). Such
        rows are no proof of their readings: the stretch from the one to the other is doubted (I2). A row read
        by its cells' positions is inside such a stretch too: positions say which cell, not which row.

        A row already doubted ends a stretch, but a surplus it printed still reaches the rows after it: in 洪泽区
        2023 as pdfplumber extracts it, ``8.属于行政查询事项`` (doubted with the rows above it: a dealing taken
        back) printed its own seven numbers and then ``10 0 0 0 0 0 10``, the next row's, and the next rows'
        numbers came before their labels: ``1.本机关不掌握…`` ‖ ``（四）无法提供`` ‖ ``3 0 0 0 0 0 3`` ‖
        ``2.没有现成信息…`` (none after it) read ``3…3`` for 1 — its neighbour's numbers, its own total holding."""
        segment: list[UnitState] = []
        for i in [*self._printed_order(), None]:
            st = self.states[i] if i is not None else None
            if st is None or i in skip or st.refused or st.slot.rest or st.doubtful:
                if st is not None and i not in skip and st.slot.rest and self._empty(st):
                    segment.append(st)  # a label and then foreign text, no number: it ends the segment, empty
                self._doubt_open(segment)
                segment = [st] if st is not None and st.doubtful and _surplus(st) else []
                continue
            segment.append(st)
        self._numbers_above_throughout(skip)

    def _empty(self, st: UnitState) -> bool:
        """Its label, and no number after or before it (or only numbers a dealing by count gave it)."""
        return (st.slot.hit is not None and st.slot.numbers == 0 and not st.slot.lead
                and (st.decided is None or st.decided.heuristic == "count_flow"))

    def _lead_and_run(self, st: UnitState) -> bool:
        """A row's worth of numbers before its label and after it too, no dealing by count having proved which is
        its own, and no row above whose label went unfound to own the first: each row's numbers may be printed
        above its label (a converter that puts labels under their numbers), from this row on."""
        if len(st.slot.lead) < st.unit.width or st.slot.numbers < st.unit.width:
            return False
        if st.decided is not None and st.decided.heuristic == "count_flow":
            return False  # a dealing by count gave it the numbers above its label, every row total holding
        n = self.states.index(st)
        return n == 0 or self.states[n - 1].slot.hit is not None

    @heuristic("numbers_above_throughout", "placement")
    def _numbers_above_throughout(self, skip: set[int] | frozenset[int]) -> None:
        """A row with numbers above its label and after it, and a later row with none: the numbers after each label
        between them may be the next row's, whatever lies between (a group printed as one row, which no dealing
        crosses). Every row from the one to the other is doubted (I2). 洪泽区 2023 as pdfplumber extracts it, with
        each row's numbers printed above its label: ``（六）其他处理`` ‖ ``21 0 0 0 0 0 21`` ‖ ``（七）总计`` ‖
        ``0 0 0 0 0 0 0`` ‖ ``四、结转下年度继续办理`` (nothing after it) read 0 for the total, 21 for the group."""
        order = [i for i in self._printed_order() if i not in skip]
        firsts = [n for n, i in enumerate(order) if self._lead_and_run(self.states[i])]
        lasts = [n for n, i in enumerate(order) if firsts and n > firsts[0] and self._empty(self.states[i])]
        if firsts and lasts:
            self._doubt([self.states[i] for i in order[firsts[0]:lasts[-1] + 1] if not self.states[i].refused],
                        every=True)

    def _doubt_open(self, segment: Sequence[UnitState]) -> None:
        empty = self._empty

        def more(st: UnitState) -> bool:
            """Too many numbers; a row's worth before its label and after it too; or, for the table's last label,
            its row's worth and then, after the table's own text (a header printed again), more numbers."""
            return (_surplus(st) or self._lead_and_run(st)
                    or (st is last and _numbers_after_own_text(st) >= st.unit.width))

        found = [st for st in self.states if st.slot.hit is not None]
        last = max(found, key=lambda st: st.slot.label_line or 0) if found else None

        marks = [n for n, st in enumerate(segment) if empty(st) or more(st)]
        if any(empty(segment[n]) for n in marks) and any(more(segment[n]) for n in marks):
            self._doubt(list(segment[marks[0]:marks[-1] + 1]), every=True)

    def _printed_order(self) -> list[int]:
        """The rows in the order the text prints them, with a row whose label was not found between the two
        rows around it in the form (its numbers, if any, are among theirs)."""
        printed = [h.unit for h in self.scan.chain]
        found = set(printed)
        out: list[int] = []
        for n, a in enumerate(printed):
            out.append(a)
            b = printed[n + 1] if n + 1 < len(printed) else None
            if b is not None and b > a:
                out.extend(u for u in range(a + 1, b) if u not in found)
        return out

    def _deal(self, rows: Sequence[int]) -> None:
        stretch = [self.states[i] for i in rows if i >= 0]
        if not any(st.decided is None or st.decided.heuristic in _COUNT_CHANGING for st in stretch):
            return
        pool = [t for i in rows for t in (self.states[_unlead(i)].slot.lead if i < 0 else self.states[i].slot.explicit)]
        dealt = self._dealt(stretch, pool) if all(t.kind == NUMBER for t in pool) else None
        if dealt is None:
            self._doubt(stretch)
            return
        for st, reading in dealt:
            st.decided = reading
            st.options = []
        self.dealt.append([st for st, _ in dealt])

    def _dealt(self, stretch: Sequence[UnitState], pool: Sequence[Token]) -> list[tuple[UnitState, Reading]] | None:
        """The stretch's numbers dealt to its rows by count, if every row total and balance through it holds."""
        dealt: list[tuple[UnitState, Reading]] = []
        at = 0
        known = self.known()
        where = {id(t): n for n, t in enumerate(pool)}
        before = {id(t) for st in stretch for t in st.slot.lead}
        for st in stretch:
            w = st.unit.width
            toks = pool[at:at + w]
            at += w
            values = tuple(cell_value(t, c)[0] for t, c in zip(toks, st.unit.columns, strict=True))
            if self.row_check(st.unit, values) is not True:
                return None  # a row the arithmetic cannot confirm: nothing proves the dealing
            dealt.append((st, Reading(values, "count_flow", _moved_note(st.slot.explicit, toks, where, before))))
        mine: set[CellKey] = set()
        for st, reading in dealt:
            keys = self.cell_keys(st.unit)
            mine.update(keys)
            known.update(zip(keys, reading.values, strict=True))
        if any(holds(e, known.get) is False for e in self.eqs if mine & set(e.cells)):
            return None
        return dealt

    @heuristic("count_flow_confirmed", "placement")
    def confirm_flow(self) -> bool:
        """Where a printed row is still unread once the whole table is read (a number lost or gained somewhere), a
        dealing of ``count_flow`` stands only if an equation across rows through its stretch (a column's total, a
        勾稽关系) can be evaluated, and every such one holds. Rows of the shape ``x 0 0 0 0 0 x`` hold their own
        totals whichever row they are dealt to, so order and counts alone prove nothing once a number is lost
        (洪泽区 2024 converted by markitdown, with one number lost, had every later row dealt its neighbour's
        numbers). Returns whether a stretch was taken back (its rows are doubtful, I2)."""
        if all(st.decided is not None or st.partial or st.slot.hit is None for st in self.states):
            return False  # every printed row is read: no number was lost or gained, the order stands
        undone: list[list[UnitState]] = []
        changed = True
        while changed:  # a stretch that shares a row with one taken back is taken back too
            changed = False
            known = self.known()
            for stretch in self.dealt:
                if stretch in undone:
                    continue
                own_rows = [set(self.cell_keys(st.unit)) for st in stretch]
                mine = set().union(*own_rows)
                verdicts = [holds(e, known.get) for e in self.eqs
                            if mine & set(e.cells) and not any(set(e.cells) <= row for row in own_rows)]
                intact = all(st.decided is not None and st.decided.heuristic == "count_flow" for st in stretch)
                if intact and any(v is True for v in verdicts) and not any(v is False for v in verdicts):
                    continue
                self._doubt(stretch)
                undone.append(stretch)
                changed = True
        if undone:  # the rows taken back print their numbers as they did: a surplus there reaches the rows after
            self._shifted_between(self.skip)
        return bool(undone)

    @heuristic("count_beside_loss", "placement")
    def count_beside_loss(self) -> None:
        """A row read by its count alone whose own total does not hold, next (in the printed order) to a row left
        unread because it printed fewer or more numbers than its cells: the count is no proof there. A text that
        lost numbers (OCR that drops zeros and lists its boxes out of line) can give a row exactly its count of
        numbers with one of them its neighbour's: 洪泽区 2023 by OCR, boxes one a line, ``6.属于四类过程性信息``
        ‖ ``1 0 0 0 1`` (two zeros lost) ‖ ``7.属于行政执法案卷`` ‖ ``1 0 0 1 0 0 0`` ‖ ``8.属于行政查询事项`` ‖
        ``0 0 0 10 0 0 0`` (the ``10`` of ``1.本机关不掌握…`` below, which printed ``10`` alone). Read as printed,
        both rows' totals fail and would accuse the agency of two errors it did not make. Where the row's total
        holds, or its cells' positions are printed (a parsed table, separators), or no neighbour lost or gained a
        number, the reading stands, and a total that does not add up is the agency's (the checks say so)."""
        order = self._printed_order()
        for n, i in enumerate(order):
            st = self.states[i]
            if (st.decided is None or st.decided.heuristic != "one_number_per_cell"
                    or self.row_check(st.unit, st.decided.values) is not False):
                continue
            beside = [self.states[order[m]] for m in (n - 1, n + 1) if 0 <= m < len(order)]
            if any(self._unsettled(b) for b in beside):
                st.decided = None
                st.unordered = (f"本行印了{st.unit.width}个数，按个数读取时本行的总计不成立，而相邻的行丢了数或多了数"
                                "（原文的数与标签没有对齐）：这些数可能不全是本行的，无法确定各数属于哪一行")

    @staticmethod
    def _unsettled(st: UnitState) -> bool:
        """A printed row left unread because its count of numbers is not its count of cells."""
        return (st.slot.hit is not None and st.decided is None and not st.partial and not st.refused
                and not st.slot.rest and 0 < st.slot.numbers != st.unit.width)

    def reopen(self) -> None:
        """Forget what step 3 decided (glued cuts, the identities' readings), to decide it again."""
        for st in self.states:
            if (st.decided is not None and st.decided.heuristic in _STEP_THREE) or st.partial:
                st.decided, st.partial, st.options = None, {}, []

    def _doubt(self, stretch: Sequence[UnitState], *, every: bool = False) -> None:
        """Counts that show numbers printed after the wrong labels, and no dealing the arithmetic confirms.

        Neither the reading as printed (some row has no numbers, a later one too many) nor any other is proven:
        every row of the stretch is left blank, and said once (I2).
        """
        doubted = [st for st in stretch
                   if every or st.decided is None or st.decided.heuristic not in _COUNT_CHANGING]
        names = [st.unit for st in doubted if st.slot.hit is not None]
        for st in doubted:
            st.decided = None
            st.options = []
            st.doubtful = names
    # ------------------------------------------------------------------------------------------ step 3

    def candidates(self) -> None:
        for st in self.states:
            if st.decided is not None or st.refused or st.doubtful or st.slot.hit is None or st.slot.rest:
                continue
            explicit = st.slot.explicit
            if not explicit or any(t.cells for t in explicit) or any(t.kind != NUMBER for t in explicit):
                continue
            if len(explicit) >= st.unit.width:
                continue
            glued = [*self._glued(st, explicit), *self._one_lost(st, explicit)]
            if len(glued) == 1 and len(explicit) == 1 and glued[0].heuristic == "glued_cells":
                st.decided = glued[0]  # the one cut the layout or the row's own total allows
            elif glued:
                # several cuts; or numbers printed apart (``0 0 0 0 0 11``, seven digits for seven cells), where a
                # lost cell is likelier than a glued one and a row total that holds after cutting ``11`` can be a
                # coincidence: the table's equations must confirm the cut (``solve``), one across rows at least
                st.options = glued
                # one number short is as likely a lost number as two glued ones (``0 0 0 0 0 11``): then an equation
                # across rows must confirm the cut; several short is text that lost separators, and a token with a
                # leading zero (``00``) can only be cut
                st.apart = len(explicit) == st.unit.width - 1 and (any(
                    len(t.text) > 1 and t.text[0] != "0" for t in explicit) or any(
                    r.heuristic == "one_cell_lost" for r in glued))
            elif len(explicit) == 1:
                st.options = list(self._single(st, explicit[0]))

    @heuristic("glued_cells", "placement")
    def _glued(self, st: UnitState, explicit: Sequence[Token]) -> Iterator[Reading]:
        """Cells a crawler glued together (``640020470``): cut where the row's totals hold, every cut tried.

        Only whole numbers without leading zeros are cut. A string that can only be cut one way and cannot
        be one number (``0011``: a leading zero) is read that way; otherwise every cut that makes each row
        total equal the sum of its terms is a possible reading, and the table's identities decide. A unit printed
        at the end (``政府集中采购00元``: the purchases, then the amount in 元) is the last cell's.
        """
        w = st.unit.width
        texts = [t.text for t in explicit]
        unit = explicit[-1].unit
        if any(t.unit for t in explicit[:-1]):
            return  # numbers that each carry a unit were printed as numbers, not glued
        if unit:
            texts[-1] = unicodedata.normalize("NFKC", texts[-1]).strip().removesuffix(unit)
        if any(not _DIGITS.match(x) for x in texts) or sum(map(len, texts)) > MAX_GLUED_DIGITS:
            return
        if sum(map(len, texts)) < w:
            return
        shown = "、".join(t.text for t in explicit)
        cuts: list[list[str]] = []
        for parts in _cuts(texts, w):
            cuts.append(parts)
            if len(cuts) > MAX_READINGS_PER_ROW:
                return
        # The layout proves a cut only when everything is glued into one string: numbers printed apart
        # (``2 5 1 14 3 …``, 14 numbers, 15 digits for 15 cells) more likely lost a cell than glued two, so there
        # ``14`` is cut only where the row's totals hold, as any other cut
        alone = len(texts) == 1
        leading_zero = alone and len(texts[0]) > 1 and texts[0][0] == "0"
        one_each = alone and len(texts[0]) == w  # one digit a cell: the only cut that leaves no cell blank
        # ... and only when the row's run ended there: numbers after an unknown line (a running header between a
        # page's cells) may be the row's other cells, and then ``396`` is one cell, not 3 | 9 | 6
        if len(cuts) == 1 and (leading_zero or one_each) and not _unknown_row_with_numbers(st):
            why = "只有一种切分" if leading_zero else f"{w}位数字，每格一位是唯一不留空格的切分"
            read = self._cut_values(st, explicit[-1], cuts[0])
            if read is not None:
                yield Reading(read[0], "glued_cells", f"原文“{shown}”是粘连在一起的{w}个数，{why}：{read[1]}")
            return
        for parts in cuts:
            read = self._cut_values(st, explicit[-1], parts)
            if read is not None and self.row_check(st.unit, read[0]) is True:
                yield Reading(read[0], "glued_cells",
                              f"原文“{shown}”是粘连在一起的{w}个数：按本行总计等于各项之和切分为{read[1]}")

    @heuristic("one_cell_lost", "table")
    def _one_lost(self, st: UnitState, explicit: Sequence[Token]) -> Iterator[Reading]:
        """A row printing one number fewer than its cells, apart: each place the missing cell may have, with the value
        the row's total gives it there (``95 0 0 0 0 95`` for seven cells: a zero lost anywhere among the five, or
        ``0`` lost before 95, or the total lost after the six). A scan's OCR drops a lone ``0`` (洪泽区 2024 by
        RapidOCR: ``本年新收政府信息公开申请数量 95 0 0 0 0 95``); a page's text drops a blank cell, whose value the
        totals make 0 as well. The table's equations decide among the places (``identity_candidates``), and one
        across rows must confirm the reading (as for numbers printed apart); otherwise the row stays blank."""
        unit = st.unit
        cols = unit.columns
        w = unit.width
        if (len(unit.rows) != 1 or len(explicit) != w - 1 or not closed_under_sums(cols)
                or any(t.kind != NUMBER or t.unit or not isinstance(t.value, int) or GLUED_ZERO.match(t.text)
                       for t in explicit)):
            return
        at = {c.key: i for i, c in enumerate(cols)}
        printed = [t.value for t in explicit]
        places: dict[tuple[Any, ...], list[str]] = {}  # each reading, and the places the missing cell has in it
        for k in range(w):
            values: list[Any] = [*printed[:k], None, *printed[k:]]
            if cols[k].sum_of:
                missing = sum(values[at[key]] for key in cols[k].sum_of)
            else:
                total = next(c for c in cols if c.sum_of and cols[k].key in c.sum_of)
                missing = values[at[total.key]] - sum(values[at[key]] for key in total.sum_of if key != cols[k].key)
            if missing < 0:
                continue
            values[k] = missing
            if self.row_check(unit, values) is True:
                places.setdefault(tuple(values), []).append(f"“{cols[k].name}”")
        shown = " ".join(t.text for t in explicit)
        for values_read, names in places.items():
            where = names[0] if len(names) == 1 else f"{'、'.join(names)}中的一格（哪一格都读成同样的数）"
            yield Reading(values_read, "one_cell_lost",
                          f"原文“{shown}”比本行的{w}格少一个数：缺的是{where}，按本行总计和表中的勾稽关系"
                          "只能这样读")

    @staticmethod
    def _cut_values(st: UnitState, last: Token, parts: Sequence[str]) -> tuple[tuple[Any, ...], str] | None:
        """The cut's values in column order and the cut as the finding shows it. A unit printed at the end is the
        last cell's, converted as any printed unit is (``cell_value``); ``None`` when it does not fit that column."""
        values: list[Any] = [int(p) for p in parts]
        shown = " ".join(parts)
        if last.unit:
            printed = replace(last, text=parts[-1] + last.unit, value=values[-1])
            values[-1], note = cell_value(printed, st.unit.columns[-1])
            if isinstance(values[-1], str):
                return None
            shown += last.unit + (f"（{note}）" if note else "")
        return tuple(values), shown

    @heuristic("identity_closes_once", "table")
    def _single(self, st: UnitState, tok: Token) -> Iterator[Reading]:
        """A row that prints one number in plain text: each column is a possible reading (``identity_candidates``).

        Its blank cells left no trace; the number goes where the table's totals and 勾稽关系 close, and only
        there (an equation through the cell must be evaluable and hold).
        """
        w = st.unit.width
        for i, col in enumerate(st.unit.columns):
            values = tuple(tok.value if j == i else None for j in range(w))
            yield Reading(values, "identity_closes_once",
                          f"只印了一个数{tok.text}：放在“{col.name}”列时表中的总计和勾稽关系都成立，"
                          "放在其他任何一列都不成立；其余各格为空")

    @heuristic("identity_candidates", "table")
    def solve(self) -> None:
        """Rows with several possible readings: what every reading consistent with the table's equations agrees on.

        A row that prints one number in plain text (its blank cells left no trace), or a glued string, has
        several readings; every combination of the open rows' readings is checked against the equations
        with the cells read so far. A cell every consistent combination fills alike is filled.
        """
        open_states = [st for st in self.states if st.decided is None and st.options]
        if not open_states:
            return
        fixed = self.known()
        keys = {id(st): self.cell_keys(st.unit) for st in open_states}
        relevant = [e for e in self.eqs if any(k in e.cells for st in open_states for k in keys[id(st)])]
        # prune each row's readings against the equations that only it leaves open
        for st in open_states:
            mine = set(keys[id(st)])
            others = {k for o in open_states if o is not st for k in keys[id(o)]}
            own_eqs = [e for e in relevant if mine & set(e.cells) and not others & set(e.cells)]
            kept = []
            for r in st.options:
                trial = dict(fixed)
                trial.update(zip(keys[id(st)], r.values, strict=True))
                if all(holds(e, trial.get) is not False for e in own_eqs):
                    kept.append(r)
            st.options = kept
        for st in open_states:
            if not st.options:  # no reading the equations allow: the row stays blank, the others are still tried
                keys.pop(id(st))
        open_states = [st for st in open_states if st.options]
        if not open_states:
            return
        sizes = [len(st.options) for st in open_states]
        total = 1
        for n in sizes:
            total *= n
        if total > MAX_COMBINATIONS:
            return
        consistent: list[tuple[Reading, ...]] = []
        for combo in itertools.product(*(st.options for st in open_states)):
            trial = dict(fixed)
            for st, r in zip(open_states, combo, strict=True):
                trial.update(zip(keys[id(st)], r.values, strict=True))
            if all(holds(e, trial.get) is not False for e in relevant):
                consistent.append(combo)
        if not consistent:
            return
        for n, st in enumerate(open_states):
            readings = [combo[n] for combo in consistent]
            first = readings[0]
            if all(r.values == first.values for r in readings):
                if first.heuristic == "identity_closes_once" and not self._proven_single(st, first, fixed):
                    continue
                if st.apart and not self._proven_across(st, open_states, consistent, fixed):
                    continue
                st.decided = first
                continue
            agreed = {i: first.values[i] for i in range(st.unit.width)
                      if all(r.values[i] == first.values[i] for r in readings) and first.values[i] is not None}
            if agreed and first.heuristic == "glued_cells" and not st.apart:
                st.partial = agreed

    def _proven_across(self, st: UnitState, open_states: Sequence[UnitState],
                       consistent: Sequence[tuple[Reading, ...]], fixed: dict[CellKey, Any]) -> bool:
        """A cut of numbers printed apart is proven only by an equation across rows that is evaluable and holds, in
        every consistent combination of the open rows: its own row total holds by construction, and with the rows
        around it unread nothing else weighs it (淮安 2024 with ``1288`` and the first ``11`` of ``11 0 0 0 0 0 11``
        lost had ``11`` cut into ``1 1``)."""
        keys = set(self.cell_keys(st.unit))
        across = [e for e in self.eqs if keys & set(e.cells) and not set(e.cells) <= keys]
        for combo in consistent:
            trial = dict(fixed)
            for o, r in zip(open_states, combo, strict=True):
                trial.update(zip(self.cell_keys(o.unit), r.values, strict=True))
            if not any(holds(e, trial.get) for e in across):
                return False
        return True

    def _proven_single(self, st: UnitState, reading: Reading, fixed: dict[CellKey, Any]) -> bool:
        """A single number's column is proven only when some equation through it is evaluable and holds."""
        keys = self.cell_keys(st.unit)
        trial = dict(fixed)
        trial.update(zip(keys, reading.values, strict=True))
        i = next(i for i, v in enumerate(reading.values) if v is not None)
        through = [e for e in self.eqs if keys[i] in e.cells]
        return any(holds(e, trial.get) for e in through)


def _cuts(strings: Sequence[str], parts: int) -> Iterator[list[str]]:
    """Every way to cut the digit strings, in order, into ``parts`` numbers without leading zeros.

    Only cuts that can be completed are followed (what can be completed is worked out once per place): a glued
    row of 表四 (28 digits, 15 cells, zeros inside) otherwise explores millions of dead ends before its first cut.
    """
    @functools.cache
    def can(i: int, j: int, k: int) -> bool:
        """Whether ``strings[i][j:]`` cuts into ``k`` numbers without leading zeros."""
        s = strings[i]
        rest = len(s) - j
        if k == 1:
            return rest == 1 or (rest > 1 and s[j] != "0")
        if rest < k or (s[j] == "0" and not can(i, j + 1, k - 1)):
            return False
        return s[j] == "0" or any(can(i, j + n, k - 1) for n in range(1, rest - k + 2))

    @functools.cache
    def fits(i: int, left: int) -> bool:
        """Whether ``strings[i:]`` cut into ``left`` numbers, each string into at least one."""
        if i == len(strings):
            return left == 0
        return any(can(i, 0, k) and fits(i + 1, left - k) for k in range(1, min(len(strings[i]), left) + 1))

    def cut_one(i: int, j: int, k: int) -> Iterator[list[str]]:
        s = strings[i]
        if k == 1:
            yield [s[j:]]
            return
        for n in range(1, len(s) - j - k + 2):
            head = s[j:j + n]
            if len(head) > 1 and head[0] == "0":
                break
            if can(i, j + n, k - 1):
                for rest in cut_one(i, j + n, k - 1):
                    yield [head, *rest]

    def rec(i: int, left: int) -> Iterator[list[str]]:
        if i == len(strings):
            yield []
            return
        for k in range(1, min(len(strings[i]), left) + 1):
            if can(i, 0, k) and fits(i + 1, left - k):
                for head in cut_one(i, 0, k):
                    for tail in rec(i + 1, left - k):
                        yield head + tail

    if fits(0, parts):
        yield from rec(0, parts)


@heuristic("unfound_row_under_unknown_label", "placement")
def _unknown_row_with_numbers(st: UnitState) -> bool:
    """The row printed before a row whose label was not found is followed by text that is no label of the table,
    with numbers after it (an added row, I3): that may be the missing row under a label damaged past recognition
    (洪泽区 2023 converted by markitdown: ``三 2.其他法律行政止公开`` ‖ ``、`` between the rows, the merged cell's
    letters glued to a label the agency had misprinted). Its numbers are then not known to be no row's, so the
    counts of the rows around it prove nothing: no dealing of ``count_flow`` crosses the missing row (counted as
    printing nothing, it was dealt its neighbour's numbers, and every later row the next one's)."""
    return any(not seg.own_text and seg.group is None and any(t.kind == NUMBER for t in seg.tokens)
               for seg in st.slot.extras)


def _numbers_after_own_text(st: UnitState) -> int:
    """Numbers printed after the row's run and the table's own text (its header printed again), that no later
    label took as its own (the next row's would be its ``lead``): at the table's end, they are nobody's."""
    return sum(1 for seg in st.slot.extras if seg.own_text for t in seg.tokens if t.kind == NUMBER)


def _surplus(st: UnitState) -> bool:
    """A row left unread that printed more numbers than it has cells (a doubted row is unread too)."""
    return st.decided is None and st.slot.numbers > st.unit.width


def _usual_cells(tokens: Sequence[Token]) -> int | None:
    """The usual count of cells of the region's separated lines that print numbers (a table's width)."""
    per_line: dict[int, int] = {}
    for t in tokens:
        if t.ncells and t.kind in (NUMBER, SLASH):
            per_line[t.line] = t.ncells
    if not per_line:
        return None
    (width, _), = Counter(per_line.values()).most_common(1)
    return width


def _moved_note(own: Sequence[Token], dealt: Sequence[Token], where: dict[int, int], before: set[int]) -> str:
    """What moved between this row and its neighbours, in the words a clerk checks against the text."""
    if dealt and all(id(t) in before for t in dealt) and not any(id(t) in before for t in own):
        return ("本行的数“" + " ".join(t.text for t in dealt) + "”印在了本行的标签之前：按各行的顺序和个数分配后，"
                "各行的总计和表中的勾稽关系都成立")
    mine = {id(t) for t in own}
    kept = {id(t) for t in dealt}
    first, last = where[id(dealt[0])], where[id(dealt[-1])]
    parts = []
    gave_on = [t for t in own if id(t) not in kept and where[id(t)] > last]
    gave_back = [t for t in own if id(t) not in kept and where[id(t)] < first]
    got_from_before = [t for t in dealt if id(t) not in mine and (not own or where[id(t)] < where[id(own[0])])]
    got_from_after = [t for t in dealt if id(t) not in mine and own and where[id(t)] > where[id(own[-1])]]

    def quoted(toks: Sequence[Token]) -> str:
        return "“" + " ".join(t.text for t in toks) + "”"

    if not own:
        parts.append(f"本行的数{quoted(dealt)}印在了下一行的标签之后")
    if gave_on:
        parts.append(f"行末多出的{quoted(gave_on)}不属于本行，是下一行的数")
    if gave_back:
        parts.append(f"行首的{quoted(gave_back)}是上一行的数")
    if got_from_before and own:
        parts.append(f"行首的{quoted(got_from_before)}印在了上一行的末尾")
    if got_from_after:
        parts.append(f"行末的{quoted(got_from_after)}印在了下一行的标签之后")
    if not parts:
        return ""
    return "；".join(parts) + "：按各行的顺序和个数分配后，各行的总计和表中的勾稽关系都成立"


@heuristic("added_row", "label")
def added_label(text: str, index: LabelIndex) -> str | None:
    """A short label with numbers that is no row of the form: a row the agency added, else ``None``."""
    if not text or is_prose(text) or index.is_table_text(text):
        return None
    return text


@heuristic("number_alone_after_a_row", "placement")
def _last_apart(explicit: Sequence[Token]) -> bool:
    """The row's last number alone on a line after the one line that prints all its others, two or more
    (``4.保护第三方合法权益 1 1 0 0 0 0`` ‖ ``3``): a cell wrapped to the next line, or a page's number where the
    page ended after a row that printed a number too few. Only the row's own totals tell them apart: where they
    fail, or the row has none (table 二's ``规章 0 11`` ‖ ``7``), the row is not read. (Numbers each on a line of
    their own, ``0`` ‖ ``0``, are a layout, not a number left over.)"""
    if len(explicit) < MIN_NUMBERS_BEFORE_A_LONE_ONE + 1:
        return False
    last, rest = explicit[-1], explicit[:-1]
    return len({t.line for t in rest}) == 1 and last.line > rest[0].line


# the numbers a line must print before a number alone on the next line is doubted (07 岳阳 2019 prints table 二's
# two numbers a line each: ``行政事业性收费 |`` ‖ ``0 |`` ‖ ``0 |``)
MIN_NUMBERS_BEFORE_A_LONE_ONE = 2

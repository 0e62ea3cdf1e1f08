"""Reading tables 二, 三 and 四 out of a published report: the stages, and what they add up to.

1. ``label_index`` — where the region prints each row's label (exact, variant, cut short, one edit away);
2. ``row_scanner`` — the rows in the form's order (the monotone chain) and the items after each label;
3. ``decoder`` — which number goes in which cell: the row's own layout, counts that balance across rows, and
   the table's identities, filling a cell only when one of them proves it;
4. ``table_findings`` — the I findings.

This module runs them and turns the decoder's states into a :class:`TableRead`: the values, and for every
row whether it was read, refused (I1), seen without numbers, printed twice, added by the agency or printed
as a group (I2, I3), and what was inferred (I5).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from ...core.numbers import show
from ...spec import CellKey, Form, Table
from .decoder import Decoder, UnitState, added_label
from .heuristics import heuristic
from .identities import equations
from .label_index import EDITED, LabelIndex, Region, Unit, label_index, ordered_columns
from .placement import Placement, Run, one_number_per_cell
from .row_scanner import RowScanner, Scan, Segment
from .table_findings import absent_what, format_scores, label_set, table_findings
from .table_read import TableRead
from .text import NUMBER, SLASH, Token

__all__ = ["TableRead", "absent_what", "format_scores", "label_set", "read_table", "table_findings"]


def read_table(form: Form, table: Table, toks: Sequence[Token], *, headed: bool, foreign: Iterable[str] = (),
               balances: Sequence[tuple[Sequence[str], Sequence[str]]] = (),
               norm: Callable[[str], str] | None = None) -> TableRead:
    """Values of one table from the tokens of its region, and how certain each row is.

    ``balances`` are the table's 勾稽关系 as (left rows, right rows), from the rule catalogue; ``norm`` the
    form's label normalisation (a caller reading several tables of one document passes a memoised one).
    """
    norm = norm or form.normalize
    index = label_index(form, table, norm, headed=headed)
    scanner = RowScanner(index, list(foreign))
    scan = scanner.scan(Region.of(toks, norm, index.group_piece, index.merged_cell_letters(toks)))
    decoder = Decoder(table, index, scan, equations(table, balances))
    decoder.each_row()
    grouped = _groups_as_rows(index, scan)
    grouped_rows = {u for g in grouped.values() for u in g[1]}
    decoder.labels_then_columns(skip=grouped_rows)
    decoder.count_flow(skip=grouped_rows)
    decoder.candidates()
    decoder.solve()
    if decoder.confirm_flow():
        decoder.reopen()  # what the identities decided may have stood on the numbers just taken back
        decoder.candidates()
        decoder.solve()
    decoder.count_beside_loss()
    return _assemble(table, index, scanner, scan, decoder, grouped, headed=headed)


def _assemble(table: Table, index: LabelIndex, scanner: RowScanner, scan: Scan, decoder: Decoder,
              grouped: dict[str, tuple[Segment, list[int]]], *, headed: bool) -> TableRead:
    r = TableRead()
    for st in decoder.states:
        slot, unit = st.slot, st.unit
        if slot.hit is None:
            continue
        r.started = True
        first = unit.rows[0].key
        v = slot.hit.variant
        if v is not None and not v.official and slot.hit.quality != EDITED:
            r.row_variants.setdefault(first, v.text)
        if slot.annotation:
            r.row_variants[first] = (v.text if v is not None else unit.rows[0].label) + slot.annotation
        label_note = ""
        if slot.hit.quality == EDITED and v is not None:
            label_note = (f"原文标签“{slot.hit.printed}”与“{v.text}”只差一处，且与本表其他标签都不相近，"
                          "按该行读取")
        if slot.hit.variant is None and unit.band:
            tops = dict.fromkeys(table.row_group(row.group).label if row.group else row.label for row in unit.rows)
            labels = "、".join(c.label for c in ordered_columns(table, unit.rows[0]))
            label_note = (f"原文没有印出“{'”“'.join(tops)}”这一行表头：按{len(unit.rows)}组栏目标签"
                          f"（{labels}）后的{unit.width}个数依次读取")
        if st.decided is not None:
            _store(r, table, unit, st.decided.values)
            note = "；".join(x for x in (label_note, st.decided.note) if x)
            if note:
                r.notes[first] = note
            continue
        found = slot.numbers
        r.unread_numbers.extend(t.value for t in (*slot.lead, *slot.explicit))
        if st.doubtful:
            stretch = [row.key for u in st.doubtful for row in u.rows]
            if stretch not in r.doubtful:
                r.doubtful.append(stretch)
            continue
        if st.partial:
            keys = decoder.cell_keys(unit)
            for i, value in st.partial.items():
                r.values[keys[i]] = value
            cols = "、".join(f"“{unit.columns[i].name}”" for i in sorted(st.partial))
            r.notes[first] = (f"原文的数粘连在一起，本行有几种切分都使表中的总计和勾稽关系成立；它们在{cols}"
                              f"列一致（{' '.join(show(st.partial[i]) for i in sorted(st.partial))}），只填这几格")
        if st.refused or found:
            for row in unit.rows:
                r.failed[row.key] = (found, unit.width)
                if st.unordered:
                    r.unordered[row.key] = st.unordered
            continue
        if headed:
            r.seen.update(row.key for row in unit.rows)
    _extras(r, table, index, scanner, decoder, grouped, headed=headed)
    _columns(r, table, index, scan)
    return r


def _store(r: TableRead, table: Table, unit: Unit, values: Sequence[Any]) -> None:
    at = 0
    for row in unit.rows:
        cols = ordered_columns(table, row)
        for c, value in zip(cols, values[at:at + len(cols)], strict=True):
            key = CellKey(table.key, row.key, c.key)
            r.values[key] = value
            if value is None:
                r.blank.add(key)
        at += len(cols)
        r.read.add(row.key)


@heuristic("group_printed_as_row", "label")
def _groups_as_rows(index: LabelIndex, scan: Scan) -> dict[str, tuple[Segment, list[int]]]:
    """A row group printed as a single row (``（六）其他处理`` as in the 2019 layout): all 0, or said.

    When every number is 0, each row of the group is 0 (counts are never negative, so a sum of 0 has only
    zero terms); otherwise the numbers cannot be split among the group's rows (I2).
    """
    out: dict[str, tuple[Segment, list[int]]] = {}
    for slot in scan.slots:
        for seg in slot.extras:
            if seg.group is not None and seg.group not in out:
                members = [u.index for u in index.units if any(row.group == seg.group for row in u.rows)]
                out[seg.group] = (seg, members)
    return out


def _extras(r: TableRead, table: Table, index: LabelIndex, scanner: RowScanner, decoder: Decoder,
            grouped: dict[str, tuple[Segment, list[int]]], *, headed: bool) -> None:
    """What the rows' territories print after their runs: groups as rows, rows twice, rows the agency added."""
    for key, (seg, members) in grouped.items():
        group = table.row_group(key)
        units = [index.units[i] for i in members]
        explicit = [t for t in seg.tokens if t.kind in (NUMBER, SLASH)]
        if not units or not explicit:
            continue
        width = units[0].width
        r.started = True
        if len(explicit) == width and all(t.kind == NUMBER and t.value == 0 for t in explicit):
            for u in units:
                _store(r, table, u, (0,) * width)
            names = "、".join(f"“{u.rows[0].label}”" for u in units)
            r.notes[units[0].key] = f"“{group.label}”印成了一行（2019年试行格式的版式），数都是0：其下的{names}也都是0"
        else:
            r.grouped[key] = " ".join(t.text for t in explicit)
    by_norm = sorted(((v.norm, v.unit) for v in index.variants), key=lambda x: len(x[0]), reverse=True)
    for st in decoder.states:
        for seg in st.slot.extras:
            if seg.group is not None:
                continue
            explicit = [t for t in seg.tokens if t.kind in (NUMBER, SLASH)]
            if not explicit:
                continue
            twice = next((u for n, u in by_norm if seg.text.endswith(n)), None)
            if twice is not None:
                _printed_twice(r, table, decoder.states[twice], seg)
                continue
            if not headed or not r.started or seg.own_text or scanner.is_foreign_table_text(seg.text):
                continue
            label = added_label(seg.text, index)
            if label is not None:
                r.added.append((label, " ".join(t.text for t in explicit)))


def _printed_twice(r: TableRead, table: Table, st: UnitState, seg: Segment) -> None:
    """A row printed again out of order: the same numbers change nothing, different ones make it uncertain."""
    again: Placement | None = one_number_per_cell(Run(tuple(seg.tokens), tuple(st.unit.columns)))
    keys = [CellKey(table.key, row.key, c.key) for row in st.unit.rows for c in ordered_columns(table, row)]
    if again is not None and again.values is not None and st.decided is not None and \
            tuple(again.values) == tuple(st.decided.values):
        return
    for row in st.unit.rows:
        r.conflicts.add(row.key)
        r.read.discard(row.key)
        r.failed.pop(row.key, None)
        r.notes.pop(row.key, None)
    for k in keys:
        r.values[k] = None
        r.blank.discard(k)


def _columns(r: TableRead, table: Table, index: LabelIndex, scan: Scan) -> None:
    """Column headings printed as a known variant (I4)."""
    if not r.started:
        return  # no row of this table here: a column label in prose is not a header
    text = scan.region.text
    for c in table.columns:
        printed = [(index.norm(x), x) for x in (c.label, *c.synonyms) if index.norm(x) in text]
        if printed:
            _, shown = max(printed, key=lambda p: len(p[0]))
            if shown != c.label:
                r.column_variants[c.key] = shown

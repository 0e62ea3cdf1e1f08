"""Reading tables 二, 三 and 四 out of a published report's tokens, by the form spec's labels.

A row is found by its label, not by its position: the text tokens since the last row read are
joined and normalised (the spec's ``label_normalization``), and the row whose label — official or a
synonym — ends last in that text is the row the numbers that follow belong to (``label_ends_last``).
So a label broken over several lines, wrapped around a merged group label (``（四）无`` … ``法提供``),
preceded by a repeated table header, or interrupted by a page break still finds its row. Rows that
share one line of the layout (table 四: 行政复议, 未经复议直接起诉, 复议后起诉) are read as one run of
numbers after their header (``shared_line_rows``). The order of a row's numbers is the layout's
column order.

Which number goes in which cell is decided by the placement heuristics (``placement.PLACEMENTS``),
and, for a row that prints a single number, by the table's own arithmetic (``identity_closes_once``).
Every heuristic is named in ``heuristics``; docs/import.md lists them with the real text behind each.
Anything not certain leaves the row blank with an I1 finding naming found and expected counts.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ...core.findings import Finding, Place
from ...core.numbers import exact_sum, read
from ...spec import CellKey, Column, Form, Group, Row, Table
from ...spec.a1 import column_index
from .heuristics import heuristic
from .labels import MAX_EDIT, nearest_label
from .notes import import_finding
from .placement import Placement, Run, place, with_spare
from .text import NUMBER, TEXT, Token

_ADDED_ROW_MAX = 40  # longer unmatched text with numbers is prose inside the section, not a row


@dataclass(frozen=True)
class _Variant:
    row: Row
    text: str
    norm: str
    official: bool


@dataclass
class TableRead:
    """What was read from one table: values by cell, and how certain each row is."""

    values: dict[CellKey, Any] = field(default_factory=dict)
    read: set[str] = field(default_factory=set)  # rows whose numbers were placed (or that are blank)
    failed: dict[str, tuple[int, int]] = field(default_factory=dict)  # row → (found, expected)
    seen: set[str] = field(default_factory=set)  # label printed, no numbers after it
    conflicts: set[str] = field(default_factory=set)
    added: list[tuple[str, str]] = field(default_factory=list)  # (label, numbers) of rows not in the form
    row_variants: dict[str, str] = field(default_factory=dict)  # row → non-official label printed
    column_variants: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)  # row (or "shared") → what was inferred, and from what
    grouped: dict[str, str] = field(default_factory=dict)  # row group printed as one row → its numbers
    pending: dict[str, Run] = field(default_factory=dict)  # failed rows, for the table-level heuristics
    started: bool = False

    @property
    def absent(self) -> bool:
        """Nothing of the table was printed: no row read, failed, seen, grouped or added."""
        return not (self.read or self.failed or self.seen or self.conflicts or self.added or self.grouped)


def _offsets(pieces: Sequence[str]) -> list[int]:
    """Where each printed item begins in the joined text."""
    out, at = [], 0
    for p in pieces:
        out.append(at)
        at += len(p)
    return out


def ordered_columns(table: Table, row: Row) -> list[Column]:
    """A row's columns in the order they are printed: the layout's left-to-right order."""
    return sorted(table.columns_of(row), key=lambda c: column_index(c.at))


def bands(table: Table) -> tuple[list[Row], list[list[Row]]]:
    """Rows printed on a line of their own, and groups of rows sharing one layout line (table 四)."""
    by_line: dict[int, list[Row]] = {}
    for row in table.rows:
        by_line.setdefault(row.at, []).append(row)
    singles = [r for r in table.rows if len(by_line[r.at]) == 1]
    shared = [sorted(rows, key=lambda r: r.offset) for rows in by_line.values() if len(rows) > 1]
    return singles, shared


def _explicit(run: Sequence[Token]) -> int:
    return sum(1 for t in run if t.explicit)


class _Reader:
    def __init__(self, form: Form, table: Table, *, headed: bool, foreign: Iterable[str],
                 balances: Sequence[tuple[Sequence[str], Sequence[str]]],
                 norm: Callable[[str], str] | None = None) -> None:
        self.form = form
        self.table = table
        self.headed = headed
        self.norm = norm or form.normalize
        self.balances = balances
        self.singles, self.shared = bands(table)
        self.variants = [
            _Variant(row, text, self.norm(text), text == row.label)
            for row in self.singles for text in (row.label, *row.synonyms)
        ]
        self.known = sorted({self.norm(x) for x in self._label_texts()} - {""}, key=len, reverse=True)
        self.group_norms = [self.norm(g.label) for g in table.row_groups] + [
            self.norm(lab.text) for lab in table.labels if lab.kind == "text"]
        self.group_chars = set("".join(self.group_norms))
        self.foreign = [f for f in foreign if f]
        # every label of the table, for the one-edit comparison (a row's, or another label's: then no row)
        row_norms = {v.norm for v in self.variants}
        self.edit_labels: dict[int, list[tuple[str, str]]] = {}  # by length: one edit changes it by 3 at most
        for key, label in [(f"row:{v.row.key}", v.norm) for v in self.variants] + [
                (f"other:{k}", k) for k in self.known if k not in row_norms]:
            self.edit_labels.setdefault(len(label), []).append((key, label))
        self.group_rows = [(g, self.norm(g.label), members) for g in table.row_groups
                           if (members := [r for r in table.rows if r.group == g.key])
                           and not any(r.sum_of for r in members)]
        self.spare: Token | None = None
        self.result = TableRead()

    def _label_texts(self) -> Iterable[str]:
        t = self.table
        for row in t.rows:
            yield row.label
            yield from row.synonyms
        for g in (*t.row_groups, *t.column_groups):
            yield g.label
            yield from g.synonyms
        for c in t.columns:
            yield c.label
            yield from c.synonyms
        for lab in t.labels:
            if lab.kind == "text":
                yield lab.text

    # ------------------------------------------------------------------------------ labels

    @heuristic("mention_in_prose", "label")
    def _starts_a_label(self, text: str, starts: Sequence[int], pos: int) -> bool:
        """A label begins where a printed item begins, or after pieces of the table's group labels.

        ``规章`` inside the sentence ``年制发规章 1 件`` is a mention, not the row ``规章``; in
        ``（三）不予公开1.属于国家秘密`` the row label follows a group label printed on the same item.
        """
        before = max((s for s in starts if s <= pos), default=0)
        return all(ch in self.group_chars for ch in text[before:pos])

    @heuristic("label_ends_last", "label")
    def _best(self, text: str, starts: Sequence[int]) -> tuple[_Variant, int, int] | None:
        """The row whose label (official or a synonym) ends last in the text before the numbers."""
        best: tuple[int, int, _Variant, int] | None = None
        for v in self.variants:
            pos = text.rfind(v.norm)
            while pos >= 0 and not self._starts_a_label(text, starts, pos):
                pos = text.rfind(v.norm, 0, pos + len(v.norm) - 1)
            if pos < 0:
                continue
            end = pos + len(v.norm)
            if best is None or (end, len(v.norm)) > (best[0], best[1]):
                best = (end, len(v.norm), v, pos)
        if best is not None:
            return best[2], best[3], best[0]
        return self._best_prefix(text, starts)

    @heuristic("label_cut_short", "label")
    def _best_prefix(self, text: str, starts: Sequence[int]) -> tuple[_Variant, int, int] | None:
        """A label cut short by the numbers (a PDF put the rest of it after them): a long, unique prefix."""
        hits: list[tuple[int, _Variant]] = []
        for v in self.variants:
            if v.row.key in self.result.read:
                continue
            shortest = max(6, math.ceil(len(v.norm) * 0.5))
            for size in range(len(v.norm) - 1, shortest - 1, -1):
                if text.endswith(v.norm[:size]) and self._starts_a_label(text, starts, len(text) - size):
                    hits.append((size, v))
                    break
        if not hits:
            return None
        hits.sort(key=lambda h: h[0], reverse=True)
        size, v = hits[0]
        if any(h[1].row.key != v.row.key and h[0] == size for h in hits[1:]):
            return None
        return v, len(text) - size, len(text)

    def _one_edit(self, text: str, starts: Sequence[int]) -> tuple[_Variant, int, int] | None:
        """A label with a character missing or wrong, at the end of the text (see ``labels.nearest_label``)."""
        for pos in sorted(set(starts)):
            if not self._starts_a_label(text, starts, pos) or len(text) - pos > _ADDED_ROW_MAX:
                continue
            size = len(text) - pos
            near = [x for n in range(size - MAX_EDIT, size + MAX_EDIT + 1) for x in self.edit_labels.get(n, ())]
            key = nearest_label(text[pos:], near) if near else None
            if key is not None and key.startswith("row:"):
                row = self.table.row(key[4:])
                v = next(v for v in self.variants if v.row is row and v.official)
                return v, pos, len(text)
        return None

    def _mark_seen(self, text: str, upto: int) -> None:
        if not self.headed:
            return  # without its heading the region is another section's prose: a mention is not a row
        for v in self.variants:
            pos = text.find(v.norm)
            if pos >= 0 and pos + len(v.norm) <= upto:
                self.result.seen.add(v.row.key)

    @heuristic("group_label_pieces", "label")
    def _is_group_fragment(self, rest: str) -> bool:
        """Text after a row's label that is a piece of a merged group label (``法提供``) is not a row of its own."""
        return any(rest in g for g in self.group_norms)

    def _unknown_label(self, text: str) -> str:
        end = 0
        for k in self.known:
            pos = text.rfind(k)
            if pos >= 0:
                end = max(end, pos + len(k))
        rest = text[end:]
        if rest:
            return rest
        for k in self.known:  # the numbers follow a known label that is not a row (a subtotal of a group)
            if text.endswith(k):
                return k
        return text

    @heuristic("added_row", "label")
    def _added(self, text: str, run: Sequence[Token]) -> None:
        """A short label with numbers that is no row of the form is a row the agency added (I3, not imported)."""
        label = self._unknown_label(text)
        if not (self.headed and self.result.started) or not label:
            return
        if len(label) > _ADDED_ROW_MAX or "。" in label or label.endswith("."):
            return
        if any(f in text for f in self.foreign):
            return  # another table's row (its heading is missing): not an addition to this table
        numbers = " ".join(t.text for t in run if t.explicit)
        self.result.added.append((label, numbers))

    @heuristic("group_printed_as_row", "label")
    def _group_row(self, text: str, run: Sequence[Token]) -> bool:
        """A row group printed as a single row (``（六）其他处理`` as in the 2019 layout): all 0, or said.

        When every number is 0, each row of the group is 0 (counts are never negative, so a sum of 0
        has only zero terms); otherwise the numbers cannot be split among the group's rows.
        """
        for g, label, members in self.group_rows:
            if not text.endswith(label):
                continue
            cols = ordered_columns(self.table, members[0])
            explicit = [t for t in run if t.explicit]
            if len(explicit) != len(cols) or any(t.kind != NUMBER for t in explicit):
                return False
            self.result.started = True
            if all(t.value == 0 for t in explicit):
                for r in members:
                    self._store(r, Placement((0,) * len(cols), "group_printed_as_row"), len(cols))
                names = "、".join(f"“{r.label}”" for r in members)
                self.result.notes[members[0].key] = (
                    f"“{g.label}”印成了一行（2019年试行格式的版式），数都是0：其下的{names}也都是0")
            else:
                self.result.grouped[g.key] = " ".join(t.text for t in explicit)
            return True
        return False

    # ------------------------------------------------------------------------------ rows on their own line

    def _store(self, row: Row, decided: Placement | None, found: int) -> None:
        r = self.result
        cols = ordered_columns(self.table, row)
        if row.key in r.read or row.key in r.failed:
            old = [r.values.get(CellKey(self.table.key, row.key, c.key)) for c in cols]
            if decided is not None and decided.values is not None and list(decided.values) == old:
                return
            r.conflicts.add(row.key)
            r.notes.pop(row.key, None)
            for c in cols:
                r.values[CellKey(self.table.key, row.key, c.key)] = None
            return
        if decided is None or decided.values is None:
            r.failed[row.key] = (found, len(cols))
            return
        r.read.add(row.key)
        if decided.note:
            r.notes[row.key] = decided.note
        for c, v in zip(cols, decided.values, strict=True):
            r.values[CellKey(self.table.key, row.key, c.key)] = v

    def _decide(self, run: Run) -> Placement | None:
        spare, self.spare = self.spare, None
        if spare is not None:
            taken = with_spare(run, spare)
            if taken is not None:
                return taken
        decided = place(run)
        if decided is not None:
            self.spare = decided.spare
        return decided

    @heuristic("label_annotation", "label")
    def _annotation(self, v: _Variant, rest: str) -> bool:
        """A bracketed note printed after a row's label (``行政许可（件）``): still that row, the label said (I4)."""
        if rest[0] == "(" and rest[-1] == ")":
            self.result.row_variants.setdefault(v.row.key, v.text + rest)
            return True
        return False

    def _row_of(self, text: str, starts: Sequence[int], run: Sequence[Token]) -> tuple[_Variant, int, str] | None:
        """The row a run of numbers belongs to, by the label heuristics in turn: ``(variant, start, note)``.

        ``None`` when the numbers are no row's: a group printed as one row, a row the agency added, prose.
        """
        hit = self._best(text, starts)
        note = ""
        if hit is None:
            if self._group_row(text, run):
                return None
            hit = self._one_edit(text, starts)
            if hit is None:
                self._added(text, run)
                return None
            note = f"原文标签“{text[hit[1]:]}”与“{hit[0].row.label}”只差一处，且与本表其他标签都不相近，按该行读取"
        v, start, end = hit
        rest = text[end:]
        if rest and not self._is_group_fragment(rest) and not self._annotation(v, rest):
            self._mark_seen(text, end)
            self.result.started = True
            self._added(rest, run)  # the text after the last row label is a row of its own
            return None
        return v, start, note

    def _close(self, buf: list[str], run: list[Token], label_line: int | None, next_line: int | None) -> None:
        text = "".join(buf)
        found = self._row_of(text, _offsets(buf), run)
        if found is None:
            return
        v, start, label_note = found
        self._mark_seen(text, start)
        if not v.official:
            self.result.row_variants.setdefault(v.row.key, v.text)
        self.result.started = True
        decided_run = Run(tuple(run), tuple(ordered_columns(self.table, v.row)), label_line, next_line)
        decided = self._decide(decided_run)
        if decided is not None and decided.values is not None and label_note:
            decided = replace(decided, note="；".join(x for x in (label_note, decided.note) if x))
        self._store(v.row, decided, _explicit(run))
        if (decided is None or decided.values is None) and v.row.key in self.result.failed:
            self.result.pending[v.row.key] = decided_run

    def _blank_row(self, buf: list[str], run: list[Token], label_line: int | None, next_line: int | None) -> bool:
        """Only empty cells after a label that ends the text: the row is printed blank."""
        text = "".join(buf)
        hit = self._best(text, _offsets(buf))
        if hit is None or hit[2] != len(text) or hit[0].row.key in self.result.read:
            return False
        self._close(buf, run, label_line, next_line)
        return True

    def scan_rows(self, toks: Sequence[Token]) -> None:
        if not self.singles:
            return
        buf: list[str] = []
        run: list[Token] = []
        label_line: int | None = None
        for tok in toks:
            if tok.kind == TEXT:
                if any(t.explicit for t in run):
                    self._close(buf, run, label_line, tok.line)
                    buf = []
                elif run and self._blank_row(buf, run, label_line, tok.line):
                    buf = []
                run = []
                buf.append(self.norm(tok.text))
                label_line = tok.line
            elif buf:
                run.append(tok)
        if any(t.explicit for t in run):
            self._close(buf, run, label_line, None)
        elif run and self._blank_row(buf, run, label_line, None):
            pass
        else:
            self._mark_seen("".join(buf), len("".join(buf)))

    # ------------------------------------------------------------------------------ rows sharing a line

    @heuristic("shared_line_rows", "table")
    def scan_shared(self, toks: Sequence[Token]) -> None:
        """Rows sharing one line of the layout (table 四) are one run of numbers after the band's header.

        The header is found by the rows' names (行政复议, 未经复议直接起诉, 复议后起诉) or, when a
        report left out the line that prints them, by the band's column labels repeated for every row
        (heuristic ``shared_header_by_columns``).
        """
        for rows in self.shared:
            names = [self.norm(x) for r in rows for x in (r.label, *r.synonyms)]
            names += [self.norm(self.table.row_group(r.group).label) for r in rows if r.group]
            cols = [c for r in rows for c in ordered_columns(self.table, r)]
            by_columns = self._columns_header(rows)
            # Only the last characters can start a name that the next token completes: keeping the whole
            # header made this quadratic in a long region without the header (a hostile 20 MB text).
            keep = max(max(map(len, names), default=1), len(by_columns))
            header, run = "", list[Any]()
            header_seen = via_columns = False
            for tok in toks:
                if tok.kind == TEXT:
                    if header_seen and any(t.explicit for t in run):
                        break
                    run = []
                    header += self.norm(tok.text)
                    if not header_seen and any(n in header for n in names):
                        header_seen = True
                    elif not header_seen and self.headed and by_columns and by_columns in header:
                        header_seen = via_columns = True
                    header = header[-keep:]
                elif header_seen:
                    run.append(tok)
            if not any(t.explicit for t in run):
                if header_seen:
                    self.result.seen.update(r.key for r in rows)
                continue
            self.result.started = True
            decided = place(Run(tuple(run), tuple(cols)))
            found = _explicit(run)
            if decided is None or decided.values is None:
                for r in rows:
                    self.result.failed[r.key] = (found, len(cols))
                continue
            at = 0
            for r in rows:
                width = len(ordered_columns(self.table, r))
                self._store(r, Placement(decided.values[at:at + width], decided.heuristic), width)
                at += width
            notes = [decided.note] if decided.note else []
            if via_columns:
                tops = dict.fromkeys(self.table.row_group(r.group).label if r.group else r.label for r in rows)
                labels = "、".join(c.label for c in ordered_columns(self.table, rows[0]))
                notes.insert(0, f"原文没有印出“{'”“'.join(tops)}”这一行表头：按{len(rows)}组栏目标签"
                                f"（{labels}）后的{len(cols)}个数依次读取")
            if notes:
                self.result.notes[rows[0].key] = "；".join(notes)

    @heuristic("shared_header_by_columns", "table")
    def _columns_header(self, rows: Sequence[Row]) -> str:
        """A shared band's column labels, once per row, normalised and joined (表四's last header line)."""
        return "".join(self.norm(c.label) for r in rows for c in ordered_columns(self.table, r))

    # ------------------------------------------------------------------------------ the table's arithmetic

    def _equations(self) -> list[tuple[list[CellKey], list[CellKey]]]:
        t = self.table

        def key(r: str, c: str) -> CellKey:
            return CellKey(t.key, r, c)

        eqs: list[tuple[list[CellKey], list[CellKey]]] = []
        for row in t.rows:
            cols = {c.key for c in t.columns_of(row)}
            for col in t.columns_of(row):
                if col.sum_of and set(col.sum_of) <= cols:
                    eqs.append(([key(row.key, col.key)], [key(row.key, k) for k in col.sum_of]))
                if row.sum_of:
                    eqs.append(([key(row.key, col.key)], [key(k, col.key) for k in row.sum_of]))
        for left, right in self.balances:
            for col in t.columns:
                eqs.append(([key(r, col.key) for r in left], [key(r, col.key) for r in right]))
        return eqs

    @heuristic("identity_closes_once", "table")
    def resolve_by_identities(self) -> None:
        """A row that prints one number goes in the one column where the table's 勾稽关系 and totals close.

        Only rows of plain text are tried (a separated line says where its number is); every other cell of
        the equations must have been read; exactly one column may make every equation through the cell hold.
        """
        r = self.result
        pending = {k: run for k, run in r.pending.items()
                   if _explicit(run.tokens) == 1 and not any(t.cells for t in run.tokens)}
        if not pending:
            return
        eqs = self._equations()
        for row_key, run in pending.items():
            (tok,) = run.explicit
            if tok.kind != NUMBER:
                continue
            fits = []
            for i, col in enumerate(run.columns):
                cell = CellKey(self.table.key, row_key, col.key)
                involved = [e for e in eqs if cell in e[0] or cell in e[1]]
                verdicts = [self._holds(e, {cell: tok.value}) for e in involved]
                known = [v for v in verdicts if v is not None]
                if known and all(known):
                    fits.append(i)
            if len(fits) != 1:
                continue
            col = run.columns[fits[0]]
            values = tuple(tok.value if i == fits[0] else None for i in range(run.width))
            del r.failed[row_key]
            self._store(self.table.row(row_key), Placement(values, "identity_closes_once"), 1)
            r.notes[row_key] = (f"只印了一个数{tok.text}：放在“{col.name}”列时表中的总计和勾稽关系都成立，"
                                "放在其他任何一列都不成立；其余各格为空")

    def _holds(self, eq: tuple[list[CellKey], list[CellKey]], extra: dict[CellKey, Any]) -> bool | None:
        sides = []
        for keys in eq:
            nums = []
            for k in keys:
                value = extra[k] if k in extra else self.result.values.get(k)
                got = read(value)
                if got.kind != "number" or got.number is None:
                    return None
                nums.append(got.number)
            sides.append(exact_sum(nums))
        return sides[0] == sides[1]

    # ------------------------------------------------------------------------------ header labels

    def scan_columns(self, toks: Sequence[Token]) -> None:
        if not self.result.started:
            return  # no row of this table here: a column label in prose is not a header
        text = "".join(self.norm(t.text) for t in toks if t.kind == TEXT)
        for c in self.table.columns:
            printed = [(self.norm(x), x) for x in (c.label, *c.synonyms) if self.norm(x) in text]
            if printed:
                _, shown = max(printed, key=lambda p: len(p[0]))
                if shown != c.label:
                    self.result.column_variants[c.key] = shown


def read_table(form: Form, table: Table, toks: Sequence[Token], *, headed: bool, foreign: Iterable[str] = (),
               balances: Sequence[tuple[Sequence[str], Sequence[str]]] = (),
               norm: Callable[[str], str] | None = None) -> TableRead:
    """Values of one table from the tokens of its region (see the module docstring for what is certain).

    ``balances`` are the table's 勾稽关系 as (left rows, right rows), from the rule catalogue; ``norm`` the
    form's label normalisation (a caller reading several tables of one document passes a memoised one).
    """
    reader = _Reader(form, table, headed=headed, foreign=foreign, balances=balances, norm=norm)
    reader.scan_rows(toks)
    reader.scan_shared(toks)
    reader.resolve_by_identities()
    reader.scan_columns(toks)
    return reader.result


# ---------------------------------------------------------------------------------------------- findings

def _where_row(table: Table, row: Row) -> str:
    return f"表{table.number}“{table.row_path(row)}”行"


def _runs(table: Table, keys: set[str]) -> list[list[Row]]:
    runs: list[list[Row]] = []
    for row in table.rows:
        if row.key in keys:
            if runs and runs[-1][-1] is table.rows[table.rows.index(row) - 1]:
                runs[-1].append(row)
            else:
                runs.append([row])
    return runs


def _compact(table: Table, keys: set[str]) -> str:
    """``“甲”至“丁”（4行）、“戊”，共5行``: rows named once, consecutive rows as a range."""
    runs = _runs(table, keys)
    parts = []
    for run in runs:
        first = table.row_path(run[0])
        if len(run) == 1:
            parts.append(f"“{first}”")
        elif len(runs) == 1:
            parts.append(f"“{first}”至“{table.row_path(run[-1])}”")
        else:
            parts.append(f"“{first}”至“{table.row_path(run[-1])}”（{len(run)}行）")
    return "、".join(parts) + (f"，共{len(keys)}行" if len(keys) > 1 else "")


@heuristic("absent_table", "table")
def absent_what(*, headed: bool) -> str:
    """A table the text does not contain (an excerpt) is one finding (I6); its cells and rules are not judged."""
    return "原文中只有这张表的标题，没有表格内容" if headed else "原文中没有这张表"


def table_findings(table: Table, read: TableRead, *, headed: bool) -> list[Finding]:
    if read.absent:
        return []  # the check reports the absent table (I6, Report.absent)
    out: list[Finding] = []
    t = table
    shared_rows = {r.key for rows in bands(t)[1] for r in rows}
    reported_shared = False
    for row in t.rows:
        if row.key not in read.failed:
            continue
        found, expected = read.failed[row.key]
        if row.key in shared_rows:
            if reported_shared:
                continue
            reported_shared = True
            names = "、".join(r.label for rows in bands(t)[1] for r in rows if row in rows)
            where = f"表{t.number}数字行（{names}）"
            place = Place(table=t.key)
        else:
            where, place = _where_row(t, row), Place(table=t.key, row=row.key)
        out.append(import_finding("I1", f"{t.key}.{row.key}", place, {"found": found, "expected": expected},
                                  where=where, found=found, expected=expected))
    grouped_rows = {r.key for r in t.rows if r.group in read.grouped}
    for key, numbers in read.grouped.items():
        group = t.row_group(key)
        members = [r for r in t.rows if r.group == key]
        names = "、".join(f"“{r.label}”" for r in members)
        out.append(import_finding(
            "I2", f"{t.key}.{key}.as_row", Place(table=t.key), where=f"表{t.number}“{group.label}”",
            what=f"该组印成了一行（2019年试行格式的版式，数字 {numbers}），无法分到其下的{names}{len(members)}行"))
    untouched = {r.key for r in t.rows} - read.read - set(read.failed) - read.conflicts - grouped_rows
    missing = untouched - read.seen
    if missing == {r.key for r in t.rows}:
        what = ("找到了标题，但没有读到任何数据行" if headed else "未找到该表") + f"（共{len(t.rows)}行）"
        out.append(import_finding("I2", t.key, Place(table=t.key), where=f"表{t.number}", what=what))
    elif missing:
        out.append(import_finding("I2", f"{t.key}.rows", Place(table=t.key), where=f"表{t.number}",
                                  what=f"未找到{_compact(t, missing)}"))
    no_numbers = untouched & read.seen
    if no_numbers:
        out.append(import_finding("I2", f"{t.key}.empty", Place(table=t.key), where=f"表{t.number}",
                                  what=f"{_compact(t, no_numbers)}：有标签，但没有读到数字"))
    for key in sorted(read.conflicts, key=[r.key for r in t.rows].index):
        row = t.row(key)
        out.append(import_finding("I2", f"{t.key}.{key}.twice", Place(table=t.key, row=key),
                                  where=_where_row(t, row), what="该行出现两次且数字不同，无法确定哪一次是对的"))
    for label, numbers in read.added:
        out.append(import_finding("I3", f"{t.key}.{label}", Place(table=t.key), where=f"表{t.number}",
                                  label=label, numbers=numbers))
    for key, shown in read.row_variants.items():
        row = t.row(key)
        out.append(import_finding("I4", f"{t.key}.{key}", Place(table=t.key, row=key), where=_where_row(t, row),
                                  found=shown, official=row.label))
    for key, shown in read.column_variants.items():
        col = t.column(key)
        out.append(import_finding("I4", f"{t.key}.column.{key}", Place(table=t.key, column=key),
                                  where=f"表{t.number}表头“{col.label}”列", found=shown, official=col.label))
    out.extend(_inference_findings(t, read.notes, shared_rows))
    return out


def _inference_findings(t: Table, notes: dict[str, str], shared_rows: set[str]) -> list[Finding]:
    """One I5 per inference; rows with the same inference (the reference case's damaged rows) share one."""
    order = [r.key for r in t.rows]
    same: dict[str, list[str]] = {}
    for key in sorted(notes, key=order.index):
        same.setdefault(notes[key], []).append(key)
    out = []
    for note, keys in same.items():
        first = keys[0]
        if first in shared_rows:
            where, place = f"表{t.number}数字行", Place(table=t.key)
        elif len(keys) == 1:
            where, place = _where_row(t, t.row(first)), Place(table=t.key, row=first)
        else:
            where, place = f"表{t.number}{_compact(t, set(keys))}", Place(table=t.key)
        out.append(import_finding("I5", f"{t.key}.{first}", place, where=where, what=note))
    return out


# ---------------------------------------------------------------------------------------------- format

def label_set(form: Form, table: str | None = None) -> set[str]:
    out: set[str] = set()
    for t in form.tables:
        if table is not None and t.key != table:
            continue
        members: list[Row | Column | Group] = [*t.rows, *t.columns, *t.row_groups, *t.column_groups]
        for x in members:
            out.update(form.normalize(s) for s in (x.label, *x.synonyms))
    return out - {""}


def format_scores(forms: Sequence[Form], text: str, table: str | None = None) -> dict[str, int]:
    """How many labels only this form has (in ``table``, or in any table) are printed in ``text`` (normalised)."""
    sets = {f.id: label_set(f, table) for f in forms}
    scores = {}
    for f in forms:
        others = set().union(*(s for k, s in sets.items() if k != f.id))
        own = [lab for lab in sets[f.id] - others if not any(lab in o for o in others)]
        scores[f.id] = sum(1 for lab in own if lab in text)
    return scores


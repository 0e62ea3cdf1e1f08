"""Reading tables 二, 三 and 四 out of a published report's tokens, by the form spec's labels.

A row is found by its label, not by its position: the text tokens since the last row read are
joined and normalised (the spec's ``label_normalization``), and the row whose label — official or a
synonym — ends last in that text is the row the numbers that follow belong to. So a label broken
over several lines, wrapped around a merged group label (``（四）无`` … ``法提供``), preceded by a
repeated table header, or interrupted by a page break still finds its row. Rows that share one line
of the layout (table 四: 行政复议, 未经复议直接起诉, 复议后起诉) are read as one run of numbers
after their header. The order of a row's numbers is the layout's column order.

Which number goes in which cell is decided only when it is certain:

* as many numbers (or explicit blanks ``/``) as the row has cells: in order;
* a parsed HTML row with exactly as many cells (empty ``<td>`` included) as the row has cells: in order;
* empty cells *between* numbers of a tab- or ``|``-separated line, making up the count: in order;
* nothing but empty cells after the label: the row is blank;
* more numbers than cells, all the same value: whichever are kept, every cell has that value;
* one number too few, all of them 0, in a row whose every cell is a total or a term of a total
  printed in the same row (table 三: 总计 = the six applicant columns; table 四: each 总计): the
  missing cell is 0 too. If it was the total, its terms are all 0; if it was a term, its total
  is 0 and no term of a total can be negative. This is a deduction from the printed 勾稽关系, not
  a guess: it is what lets the reference case (00: rows of six zeros in a seven-column table)
  import exactly as published.

Anything else leaves the row blank with an I1 finding naming found and expected counts; a guess is
never passed off as a reading.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ...core.findings import Finding, Place
from ...spec import CellKey, Column, Form, Row, Table
from ...spec.a1 import column_index
from .notes import import_finding
from .text import EMPTY, NUMBER, SLASH, TEXT, UNSURE, Token

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
    started: bool = False


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


def closed_under_sums(columns: Sequence[Column]) -> bool:
    """Every column is a total or a term of a total that is itself among ``columns``."""
    keys = {c.key for c in columns}
    covered: set[str] = set()
    for c in columns:
        if c.sum_of and set(c.sum_of) <= keys:
            covered |= {c.key, *c.sum_of}
    return bool(keys) and covered == keys


def settle(run: Sequence[Token], columns: Sequence[Column]) -> list[Any] | None:
    """The row's values in column order, or ``None`` when the printed run cannot be placed for certain."""
    n = len(columns)
    explicit = [t for t in run if t.explicit]
    if any(t.kind == UNSURE for t in explicit):
        return None
    if explicit and all(t.grid for t in run):
        row_line = explicit[0].line  # a table row of the page: its cells are the tokens of that <tr>
        cells = [t for t in run if t.line == row_line and t.kind in (NUMBER, SLASH, EMPTY)]
        if len(cells) == n:
            return [t.value for t in cells]
    if len(explicit) == n:
        return [t.value for t in explicit]
    if not explicit:
        return [None] * n if any(t.kind == EMPTY for t in run) else None
    first = run.index(explicit[0])
    last = len(run) - 1 - run[::-1].index(explicit[-1])
    inner = run[first:last + 1]
    if len(inner) == n and any(t.kind == EMPTY for t in inner):
        return [t.value for t in inner]
    values = [t.value for t in explicit]
    if any(t.kind != NUMBER for t in explicit):
        return None
    if len(values) > n and len(set(values)) == 1:
        return values[:n]
    if len(values) == n - 1 and all(v == 0 for v in values) and closed_under_sums(columns):
        return [0] * n
    return None


class _Reader:
    def __init__(self, form: Form, table: Table, *, headed: bool, foreign: Iterable[str]) -> None:
        self.form = form
        self.table = table
        self.headed = headed
        self.norm = form.normalize
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

    # ------------------------------------------------------------------------------ rows on their own line

    def _starts_a_label(self, text: str, starts: Sequence[int], pos: int) -> bool:
        """A label begins where a printed item begins, or after pieces of the table's group labels.

        ``规章`` inside the sentence ``年制发规章 1 件`` is a mention, not the row ``规章``; in
        ``（三）不予公开1.属于国家秘密`` the row label follows a group label printed on the same item.
        """
        before = max((s for s in starts if s <= pos), default=0)
        return all(ch in self.group_chars for ch in text[before:pos])

    def _best(self, text: str, starts: Sequence[int]) -> tuple[_Variant, int, int] | None:
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

    def _mark_seen(self, text: str, upto: int) -> None:
        if not self.headed:
            return  # without its heading the region is another section's prose: a mention is not a row
        for v in self.variants:
            pos = text.find(v.norm)
            if pos >= 0 and pos + len(v.norm) <= upto:
                self.result.seen.add(v.row.key)

    def _is_group_fragment(self, rest: str) -> bool:
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

    def _added(self, text: str, run: Sequence[Token]) -> None:
        label = self._unknown_label(text)
        if not (self.headed and self.result.started) or not label:
            return
        if len(label) > _ADDED_ROW_MAX or "。" in label or label.endswith("."):
            return
        if any(f in text for f in self.foreign):
            return  # another table's row (its heading is missing): not an addition to this table
        numbers = " ".join(t.text for t in run if t.explicit)
        self.result.added.append((label, numbers))

    def _store(self, row: Row, values: list[Any] | None, found: int) -> None:
        r = self.result
        cols = ordered_columns(self.table, row)
        if row.key in r.read or row.key in r.failed:
            old = [r.values.get(CellKey(self.table.key, row.key, c.key)) for c in cols]
            if values is not None and values == old:
                return
            r.conflicts.add(row.key)
            for c in cols:
                r.values[CellKey(self.table.key, row.key, c.key)] = None
            return
        if values is None:
            r.failed[row.key] = (found, len(cols))
            return
        r.read.add(row.key)
        for c, v in zip(cols, values, strict=True):
            r.values[CellKey(self.table.key, row.key, c.key)] = v

    def _close(self, buf: list[str], run: list[Token]) -> None:
        text = "".join(buf)
        hit = self._best(text, _offsets(buf))
        if hit is None:
            self._added(text, run)
            return
        v, start, end = hit
        rest = text[end:]
        if rest and not self._is_group_fragment(rest):
            if rest[0] == "(" and rest[-1] == ")":
                self.result.row_variants.setdefault(v.row.key, v.text + rest)  # an annotation: 行政许可（件）
            else:
                self._mark_seen(text, end)
                self.result.started = True
                self._added(rest, run)
                return
        self._mark_seen(text, start)
        if not v.official:
            self.result.row_variants.setdefault(v.row.key, v.text)
        self.result.started = True
        explicit = sum(1 for t in run if t.explicit)
        self._store(v.row, settle(run, ordered_columns(self.table, v.row)), explicit)

    def _blank_row(self, buf: list[str], run: list[Token]) -> bool:
        """Only empty cells after a label that ends the text: the row is printed blank."""
        text = "".join(buf)
        hit = self._best(text, _offsets(buf))
        if hit is None or hit[2] != len(text) or hit[0].row.key in self.result.read:
            return False
        self._close(buf, run)
        return True

    def scan_rows(self, toks: Sequence[Token]) -> None:
        if not self.singles:
            return
        buf: list[str] = []
        run: list[Token] = []
        for tok in toks:
            if tok.kind == TEXT:
                if any(t.explicit for t in run):
                    self._close(buf, run)
                    buf = []
                elif run and self._blank_row(buf, run):
                    buf = []
                run = []
                buf.append(self.norm(tok.text))
            elif buf:
                run.append(tok)
        if any(t.explicit for t in run):
            self._close(buf, run)
        elif run and self._blank_row(buf, run):
            pass
        else:
            self._mark_seen("".join(buf), len("".join(buf)))

    # ------------------------------------------------------------------------------ rows sharing a line

    def scan_shared(self, toks: Sequence[Token]) -> None:
        for rows in self.shared:
            names = [self.norm(x) for r in rows for x in (r.label, *r.synonyms)]
            names += [self.norm(self.table.row_group(r.group).label) for r in rows if r.group]
            cols = [c for r in rows for c in ordered_columns(self.table, r)]
            # Only the last characters can start a name that the next token completes: keeping the whole
            # header made this quadratic in a long region without the header (a hostile 20 MB text).
            keep = max(map(len, names), default=1)
            header, run = "", []
            header_seen = False
            for tok in toks:
                if tok.kind == TEXT:
                    if header_seen and any(t.explicit for t in run):
                        break
                    run = []
                    header += self.norm(tok.text)
                    header_seen = header_seen or any(n in header for n in names)
                    header = header[-keep:]
                elif header_seen:
                    run.append(tok)
            if not any(t.explicit for t in run):
                if header_seen:
                    self.result.seen.update(r.key for r in rows)
                continue
            self.result.started = True
            values = settle(run, cols)
            found = sum(1 for t in run if t.explicit)
            if values is None:
                for r in rows:
                    self.result.failed[r.key] = (found, len(cols))
                continue
            at = 0
            for r in rows:
                width = len(ordered_columns(self.table, r))
                self._store(r, values[at:at + width], width)
                at += width

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


def read_table(form: Form, table: Table, toks: Sequence[Token], *, headed: bool,
               foreign: Iterable[str] = ()) -> TableRead:
    """Values of one table from the tokens of its region (see the module docstring for what is certain)."""
    reader = _Reader(form, table, headed=headed, foreign=foreign)
    reader.scan_rows(toks)
    reader.scan_shared(toks)
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


def table_findings(table: Table, read: TableRead, *, headed: bool) -> list[Finding]:
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
    untouched = {r.key for r in t.rows} - read.read - set(read.failed) - read.conflicts
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
    return out


# ---------------------------------------------------------------------------------------------- format

def label_set(form: Form) -> set[str]:
    out = set()
    for t in form.tables:
        for x in (*t.rows, *t.columns, *t.row_groups, *t.column_groups):
            out.update(form.normalize(s) for s in (x.label, *x.synonyms))
    return out - {""}


def format_scores(forms: Sequence[Form], text: str) -> dict[str, int]:
    """How many labels only this form has are printed in ``text`` (normalised)."""
    sets = {f.id: label_set(f) for f in forms}
    scores = {}
    for f in forms:
        others = set().union(*(s for k, s in sets.items() if k != f.id))
        own = [lab for lab in sets[f.id] - others if not any(lab in o for o in others)]
        scores[f.id] = sum(1 for lab in own if lab in text)
    return scores


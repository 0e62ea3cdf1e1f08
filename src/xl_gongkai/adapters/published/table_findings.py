"""Stage 4 of reading a table: the findings that say what could not be read, and what was inferred.

I1 a row whose numbers could not be placed for certain (left blank), I2 rows not found or printed without
numbers or twice with different numbers, or a group printed as one row that cannot be split, I3 a row the
agency added, I4 a label or column heading that is a known variant, I5 what a heuristic inferred and from
what. Also which format's labels a text prints (``format_scores``), to read each table in its own layout.
"""

from __future__ import annotations

from collections.abc import Sequence

from ...core.findings import Finding, Place
from ...spec import Column, Form, Group, Row, Table
from .heuristics import heuristic
from .label_index import units_of
from .notes import import_finding
from .table_read import TableRead

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
    bands = [u.rows for u in units_of(t) if u.band]
    shared_rows = {r.key for rows in bands for r in rows}
    reported_shared = False
    for row in t.rows:
        if row.key not in read.failed:
            continue
        found, expected = read.failed[row.key]
        if row.key in shared_rows:
            if reported_shared:
                continue
            reported_shared = True
            names = "、".join(r.label for rows in bands for r in rows if row in rows)
            where = f"表{t.number}数字行（{names}）"
            place = Place(table=t.key)
        else:
            where, place = _where_row(t, row), Place(table=t.key, row=row.key)
        if row.key in read.unordered:
            out.append(import_finding("I2", f"{t.key}.{row.key}.unordered", place, where=where,
                                      what=read.unordered[row.key]))
            continue
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
    doubtful = {k for stretch in read.doubtful for k in stretch}
    untouched = {r.key for r in t.rows} - read.read - set(read.failed) - read.conflicts - grouped_rows - doubtful
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
    for stretch in read.doubtful:
        out.append(import_finding(
            "I2", f"{t.key}.{stretch[0]}.order", Place(table=t.key), where=f"表{t.number}{_compact(t, set(stretch))}",
            what="这几行的数与标签对不上（有的行后面没有数，有的行后面的数多了），按顺序重新分配也不能使各行的总计和"
                 "勾稽关系成立：无法确定哪些数属于哪一行"))
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
    return {fid: sum(1 for lab in own if lab in text) for fid, own in _own_labels(tuple(forms), table).items()}


# the forms' own labels by the forms' identities and the table; the forms themselves are kept with them, so that an
# identity is never reused by another form while its entry stands
_OWN_LABELS: dict[tuple[tuple[int, ...], str | None], tuple[tuple[Form, ...], dict[str, list[str]]]] = {}


def _own_labels(forms: tuple[Form, ...], table: str | None) -> dict[str, list[str]]:
    """Each form's labels that no other of ``forms`` has, worked out once per set of forms and table (every report
    asks for each of its tables, and for the blocks of a table that prints two formats' labels)."""
    key = (tuple(id(f) for f in forms), table)
    entry = _OWN_LABELS.get(key)
    if entry is None:
        sets = {f.id: label_set(f, table) for f in forms}
        found = {}
        for f in forms:
            others = set().union(*(s for k, s in sets.items() if k != f.id))
            found[f.id] = sorted(lab for lab in sets[f.id] - others if not any(lab in o for o in others))
        entry = _OWN_LABELS[key] = (forms, found)
    return entry[1]


"""Arithmetic kinds: the printed 勾稽关系 (``balance``) and the layout's totals (``sum``).

Which rows and columns take part is read from the rule's params and the form spec's ``sum_of``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from ...spec import CellKey, Table
from ..findings import Finding, Place
from ..numbers import Number, exact_sum, show
from ..params import ListOf, MemberRef, OneOf, RowRef, TableRef
from ..rules import RuleContext, kind

_EQUATION = ("left", "right", "diff")


def _numbers(ctx: RuleContext, keys: Sequence[CellKey]) -> tuple[list[Number], list[CellKey]]:
    """The numeric values of ``keys`` and the keys that are not numbers."""
    nums: list[Number] = []
    bad: list[CellKey] = []
    for k in keys:
        r = ctx.report.reading(k)
        if r.kind == "number" and r.number is not None:
            nums.append(r.number)
        elif r.kind == "blank" and k in ctx.report.printed_blank:
            nums.append(0)  # a published report's blank count: said once (I7), as 0 so real errors still show
        else:
            bad.append(k)
    return nums, bad


def _compare(
    ctx: RuleContext,
    scope: str,
    place: Place,
    left: Sequence[CellKey],
    right: Sequence[CellKey],
    name: Callable[[CellKey], str],
    **words: Any,
) -> Iterator[Finding]:
    """One equation ``sum(left) == sum(right)``: a finding when it fails or cannot be evaluated.

    ``name`` words a cell within the equation's own row or column (the message already says which).
    """
    involved = [*left, *right]
    if not all(ctx.report.judged(k) for k in involved):
        return  # a table the source does not contain, a cell the importer could not read: said once (I6, I8)
    if any(k in ctx.report.printed_blank and ctx.form.cell(k).derived and ctx.report.reading(k).kind == "blank"
           for k in involved):
        return  # a total the published table leaves blank: nothing to check it against (I7 says it is blank)
    lnums, lbad = _numbers(ctx, left)
    rnums, rbad = _numbers(ctx, right)
    if lbad or rbad:
        unreadable = [*lbad, *rbad]
        names = [f"“{name(k)}”" for k in unreadable]
        bad = "、".join(names) if len(names) <= 4 else "、".join(names[:3]) + f"等{len(names)}项"
        # only the cells that stop the check are the finding's cells (and get marked in the workbook)
        yield ctx.finding(scope, place=place, cells=unreadable, unevaluable=True, bad=bad, **words)
        return
    lv, rv = exact_sum(lnums), exact_sum(rnums)
    if lv != rv:
        yield ctx.finding(scope, place=place, cells=involved,
                          values={"left": lv, "right": rv, "diff": exact_sum([lv, -rv])}, **words)


@kind("balance",
      params={"table": TableRef(), "left": ListOf(RowRef(every_column=True), min_items=1),
              "right": ListOf(RowRef(every_column=True), min_items=1)},
      words=("column", "note", *_EQUATION), unevaluable=("column", "note", "bad"))
def balance(ctx: RuleContext) -> Iterator[Finding]:
    """For every column: the sum of the ``left`` rows equals the sum of the ``right`` rows.

    When it fails in exactly two of the columns a total column adds up, by −d and +d, while that total column
    balances, the two findings say that d cases were probably counted in the wrong one of the two columns (a
    real 2025 report: 自然人 60+0 ≠ 61+0 and 其他 1+0 ≠ 0+0, 总计 balanced).
    """
    table = ctx.form.table(ctx.params["table"])
    left_rows = [table.row(k) for k in ctx.params["left"]]
    right_rows = [table.row(k) for k in ctx.params["right"]]
    anchor_row = right_rows[-1]
    sides = {col.key: ([CellKey(table.key, r.key, col.key) for r in left_rows],
                       [CellKey(table.key, r.key, col.key) for r in right_rows]) for col in table.columns}
    notes = _misplaced(ctx, table, sides)
    for col in table.columns:
        left, right = sides[col.key]
        anchor = ctx.form.cell(CellKey(table.key, anchor_row.key, col.key))
        place = Place(sheet=table.sheet, cell=anchor.address, table=table.key, column=col.key)
        yield from _compare(ctx, f"{table.key}.*.{col.key}", place, left, right,
                            lambda k: table.row_name(table.row(k.row)), column=col.label,
                            note=notes.get(col.key, ""))


def _difference(ctx: RuleContext, left: Sequence[CellKey], right: Sequence[CellKey]) -> Number | None:
    lnums, lbad = _numbers(ctx, left)
    rnums, rbad = _numbers(ctx, right)
    return None if lbad or rbad else exact_sum([exact_sum(lnums), -exact_sum(rnums)])


def _misplaced(ctx: RuleContext, table: Table, sides: dict[str, tuple[list[CellKey], list[CellKey]]]
               ) -> dict[str, str]:
    """The note for two columns of a total whose differences cancel while the total balances, by column key."""
    notes: dict[str, str] = {}
    for total in table.columns:
        if not total.sum_of or _difference(ctx, *sides[total.key]) != 0:
            continue
        diffs = {k: _difference(ctx, *sides[k]) for k in total.sum_of}
        if any(d is None for d in diffs.values()):
            continue
        off = [k for k, d in diffs.items() if d]
        if len(off) != 2 or exact_sum([diffs[off[0]] or 0, diffs[off[1]] or 0]) != 0:
            continue
        a, b = (table.column(k).label for k in off)
        d = abs(diffs[off[0]] or 0)
        text = (f"“{a}”列与“{b}”列的差额正好相反，而“{total.label}”列平衡：很可能有 {show(d)} 件申请在某一行"
                f"计入了“{a}”、在另一行计入了“{b}”，即放错了申请人类别的列，请核对这两列。")
        notes.update({off[0]: text, off[1]: text})
    return notes


@kind("sum",
      params={"table": TableRef(), "axis": OneOf(("row", "column")), "key": MemberRef(derived=True)},
      words=("row", "column", *_EQUATION), unevaluable=("row", "column", "bad"))
def total(ctx: RuleContext) -> Iterator[Finding]:
    """A derived total equals the sum of its terms, for every row (column total) or column (row total)."""
    table = ctx.form.table(ctx.params["table"])
    axis, key = ctx.params["axis"], ctx.params["key"]
    if axis == "column":
        target_col = table.column(key)
        for row in table.rows:
            if target_col not in table.columns_of(row):
                continue
            target = ctx.form.cell(CellKey(table.key, row.key, key))
            terms = [CellKey(table.key, row.key, k) for k in target_col.sum_of]
            yield from _compare(ctx, str(target.key), ctx.cell_place(target), [target.key], terms,
                                lambda k: table.column(k.column).name,
                                row=f"“{table.row_path(row)}”", column=target_col.label)
    elif axis == "row":
        target_row = table.row(key)
        for col in table.columns_of(target_row):
            target = ctx.form.cell(CellKey(table.key, key, col.key))
            terms = [CellKey(table.key, k, col.key) for k in target_row.sum_of]
            yield from _compare(ctx, str(target.key), ctx.cell_place(target), [target.key], terms,
                                lambda k: table.row_name(table.row(k.row)),
                                row=target_row.label, column=col.label)
    else:
        raise ValueError(f"axis must be 'row' or 'column', not {axis!r}")

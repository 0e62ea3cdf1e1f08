"""Arithmetic kinds: the printed 勾稽关系 (``balance``) and the layout's totals (``sum``).

Which rows and columns take part is read from the rule's params and the form spec's ``sum_of``.

Each rule's equations are worked out once per form (:func:`planned`): the cells of each side, as positions in
the report's scan, with where its finding would point. A report is then checked by adding up whole numbers at
those positions; only an equation that does not hold that way — it fails, or a value is not a whole number, or
the report is a published one with absent parts and blank cells — goes through :func:`_compare`, which says
what is wrong exactly as it always has.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ...spec import CellKey, Form, Table
from ..catalogue import Rule
from ..findings import Finding, Place
from ..numbers import BLANK_KIND, Number, exact_sum, gatherer, show
from ..params import ListOf, MemberRef, OneOf, RowRef, TableRef
from ..rules import RuleContext, kind, made_once, planned

_EQUATION = ("left", "right", "diff")


@dataclass(frozen=True)
class Equation:
    """``sum(left) == sum(right)``, with everything its finding needs (see :func:`_compare`) and the positions of
    its cells in a report's scan (``left`` first)."""

    scope: str
    place: Place
    left: tuple[CellKey, ...]
    right: tuple[CellKey, ...]
    name: Callable[[CellKey], str]
    words: Mapping[str, Any]
    at: tuple[int, ...]
    gather: Callable[[Sequence[Any]], tuple[Any, ...]]  # the values at ``at`` (``numbers.gatherer``)

    @classmethod
    def of(cls, form: Form, scope: str, place: Place, left: Sequence[CellKey], right: Sequence[CellKey],
           name: Callable[[CellKey], str], **words: Any) -> Equation:
        where = form.positions
        at = tuple(where[k] for k in (*left, *right))
        return cls(scope, place, tuple(left), tuple(right), name, words, at, gatherer(at))


def _holds(ctx: RuleContext, eq: Equation) -> bool:
    """True when the equation holds in whole numbers: then :func:`_compare` would find nothing."""
    report = ctx.report
    if report.absent or report.printed_blank or report.unread:
        return False  # a published report's parts, blanks and unread cells: the full comparison decides
    values = eq.gather(report.scan.whole)
    if None in values:  # not a number, or a decimal: the exact comparison decides
        return False
    split = len(eq.left)
    return bool(sum(values[:split]) == sum(values[split:]))


def _check(ctx: RuleContext, equations: Sequence[Equation]) -> Iterator[Finding]:
    for eq in equations:
        if not _holds(ctx, eq):
            yield from _compare(ctx, eq.scope, eq.place, eq.left, eq.right, eq.name, **eq.words)


def _numbers(ctx: RuleContext, keys: Sequence[CellKey]) -> tuple[list[Number], list[CellKey]]:
    """The numeric values of ``keys`` and the keys that are not numbers."""
    nums: list[Number] = []
    bad: list[CellKey] = []
    scanned, where = ctx.report.scan, ctx.form.positions
    for k in keys:
        i = where[k]
        n = scanned.numbers[i]
        if n is not None:
            nums.append(n)
        elif scanned.kinds[i] == BLANK_KIND and k in ctx.report.printed_blank:
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
    said = tuple(words.values())
    if lbad or rbad:
        unreadable = (*lbad, *rbad)
        yield made_once(ctx, (scope, said, unreadable), _unevaluable, scope, place, unreadable, name, words)
        return
    lv, rv = exact_sum(lnums), exact_sum(rnums)
    if lv != rv:
        yield made_once(ctx, (scope, said, type(lv), lv, type(rv), rv), _unequal, scope, place, involved, lv, rv,
                        words)


def _unevaluable(ctx: RuleContext, scope: str, place: Place, unreadable: Sequence[CellKey],
                 name: Callable[[CellKey], str], words: Mapping[str, Any]) -> Finding:
    names = [f"“{name(k)}”" for k in unreadable]
    bad = "、".join(names) if len(names) <= 4 else "、".join(names[:3]) + f"等{len(names)}项"
    # only the cells that stop the check are the finding's cells (and get marked in the workbook)
    return ctx.finding(scope, place=place, cells=unreadable, unevaluable=True, bad=bad, **words)


def _unequal(ctx: RuleContext, scope: str, place: Place, involved: Sequence[CellKey], lv: Number, rv: Number,
             words: Mapping[str, Any]) -> Finding:
    return ctx.finding(scope, place=place, cells=involved,
                       values={"left": lv, "right": rv, "diff": exact_sum([lv, -rv])}, **words)


def _balance_scope(params: Mapping[str, Any], form: Form) -> str:
    t = form.table(params["table"])
    left = " + ".join(t.row(k).name for k in params["left"])
    right = " + ".join(t.row(k).name for k in params["right"])
    return f"表{t.number}每一列（{len(t.columns)}列）：{left} = {right}"


@kind("balance",
      params={"table": TableRef(), "left": ListOf(RowRef(every_column=True), min_items=1),
              "right": ListOf(RowRef(every_column=True), min_items=1)},
      words=("column", "note", *_EQUATION), unevaluable=("column", "note", "bad"), scope=_balance_scope)
def balance(ctx: RuleContext) -> Iterator[Finding]:
    """For every column: the sum of the ``left`` rows equals the sum of the ``right`` rows.

    When it fails in exactly two of the columns a total column adds up, by −d and +d, while that total column
    balances, the two findings say that d cases were probably counted in the wrong one of the two columns (a
    real 2025 report: 自然人 60+0 ≠ 61+0 and 其他 1+0 ≠ 0+0, 总计 balanced). The note is worked out only when
    an equation fails.
    """
    equations = planned(ctx, _balance_plan)
    failing = [eq for eq in equations if not _holds(ctx, eq)]
    if not failing:
        return
    table = ctx.form.table(ctx.params["table"])
    notes = _misplaced(ctx, table, {str(eq.place.column): (eq.left, eq.right) for eq in equations})
    for eq in failing:
        yield from _compare(ctx, eq.scope, eq.place, eq.left, eq.right, eq.name, **eq.words,
                            note=notes.get(str(eq.place.column), ""))


def _difference(ctx: RuleContext, left: Sequence[CellKey], right: Sequence[CellKey]) -> Number | None:
    lnums, lbad = _numbers(ctx, left)
    rnums, rbad = _numbers(ctx, right)
    return None if lbad or rbad else exact_sum([exact_sum(lnums), -exact_sum(rnums)])


def _misplaced(ctx: RuleContext, table: Table,
               sides: Mapping[str, tuple[Sequence[CellKey], Sequence[CellKey]]]) -> dict[str, str]:
    """The note for two columns of a total whose differences cancel while the total balances, by column key."""
    notes: dict[str, str] = {}
    for total in table.columns:
        if not total.sum_of or total.key not in sides or _difference(ctx, *sides[total.key]) != 0:
            continue
        diffs = {k: _difference(ctx, *sides[k]) for k in total.sum_of if k in sides}
        if len(diffs) != len(total.sum_of) or any(d is None for d in diffs.values()):
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


def _balance_plan(rule: Rule, form: Form) -> tuple[Equation, ...]:
    table = form.table(rule.params["table"])
    left_rows = [table.row(k) for k in rule.params["left"]]
    right_rows = [table.row(k) for k in rule.params["right"]]
    anchor_row = right_rows[-1]
    out = []
    for col in table.columns:
        left = [CellKey(table.key, r.key, col.key) for r in left_rows]
        right = [CellKey(table.key, r.key, col.key) for r in right_rows]
        anchor = form.cell(CellKey(table.key, anchor_row.key, col.key))
        place = Place(sheet=table.sheet, cell=anchor.address, table=table.key, column=col.key)
        out.append(Equation.of(form, f"{table.key}.*.{col.key}", place, left, right,
                               lambda k: table.row_name(table.row(k.row)), column=col.label))
    return tuple(out)


def _sum_scope(params: Mapping[str, Any], form: Form) -> str:
    t = form.table(params["table"])
    if params["axis"] == "column":
        c = t.column(params["key"])
        n = sum(1 for r in t.rows if c in t.columns_of(r))
        return f"表{t.number}每一行（{n}行）：{c.label} = " + " + ".join(t.column(k).label for k in c.sum_of)
    r = t.row(params["key"])
    return f"表{t.number}每一列（{len(t.columns_of(r))}列）：{r.label} = {len(r.sum_of)}个办理结果行之和"


@kind("sum",
      params={"table": TableRef(), "axis": OneOf(("row", "column")), "key": MemberRef(derived=True)},
      words=("row", "column", *_EQUATION), unevaluable=("row", "column", "bad"), scope=_sum_scope)
def total(ctx: RuleContext) -> Iterator[Finding]:
    """A derived total equals the sum of its terms, for every row (column total) or column (row total)."""
    return _check(ctx, planned(ctx, _total_plan))


def _total_plan(rule: Rule, form: Form) -> tuple[Equation, ...]:
    table = form.table(rule.params["table"])
    axis, key = rule.params["axis"], rule.params["key"]
    out = []
    if axis == "column":
        target_col = table.column(key)
        for row in table.rows:
            if target_col not in table.columns_of(row):
                continue
            target = form.cell(CellKey(table.key, row.key, key))
            terms = [CellKey(table.key, row.key, k) for k in target_col.sum_of]
            out.append(Equation.of(form, str(target.key), _place(target), [target.key], terms,
                                   lambda k: table.column(k.column).name,
                                   row=f"“{table.row_path(row)}”", column=target_col.label))
    elif axis == "row":
        target_row = table.row(key)
        for col in table.columns_of(target_row):
            target = form.cell(CellKey(table.key, key, col.key))
            terms = [CellKey(table.key, k, col.key) for k in target_row.sum_of]
            out.append(Equation.of(form, str(target.key), _place(target), [target.key], terms,
                                   lambda k: table.row_name(table.row(k.row)),
                                   row=target_row.label, column=col.label))
    else:
        raise ValueError(f"axis must be 'row' or 'column', not {axis!r}")
    return tuple(out)


def _place(cell: Any) -> Place:
    """Where a finding about one cell points (as ``RuleContext.cell_place``)."""
    return Place(sheet=cell.sheet, cell=cell.address, table=cell.table.key, row=cell.row.key, column=cell.column.key)

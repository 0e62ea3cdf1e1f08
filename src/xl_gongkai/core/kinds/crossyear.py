"""Cross-year kinds: this year's report against last year's (given with ``--previous``).

They run only when a previous report is supplied (``check(..., previous=...)``); a previous report of
the wrong year makes them unevaluable, which X0 reports once instead of a wrong comparison. The keys a
rule names are checked at load in every form it applies to, so they exist in the previous report's form
too whenever that form is one of them.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...spec import CellKey
from ..catalogue import for_form
from ..findings import Finding, Place
from ..names import SUCCESSOR, agency_key
from ..numbers import Number, exact_sum, read, show
from ..params import CellRef, ColumnRef, ListOf, Numeric, Obj, RowRef, TableRef
from ..report import Report
from ..rules import RuleContext, kind

_EQUATION = ("left", "right", "diff")
_SCOPE = "与上一年度的报告对比（--previous，或审核文件夹中同一机关相邻年度的报告）"
_NEEDS = ("previous",)
_IN_FORCE = ("in_force", "issued", "repealed")


def _previous(ctx: RuleContext) -> Report | None:
    """The previous report, when one was given and it is of the year before."""
    prev = ctx.previous
    if prev is None:
        return None
    year, prev_year = ctx.report.year, prev.year
    if year is None or prev_year is None or prev_year != year - 1:
        return None
    return prev


def _number(report: Report, key: CellKey) -> Number | None:
    r = read(report.values.get(key))
    return r.number if r.kind == "number" else None


@kind("previous_year", params={}, words=("found", "year", "expected"), needs=_NEEDS, scope=_SCOPE)
def previous_year(ctx: RuleContext) -> Iterator[Finding]:
    prev = ctx.previous
    if prev is None:
        return
    year, prev_year = ctx.report.year, prev.year
    if year is None or prev_year != year - 1:
        yield ctx.finding("previous", place=Place(field="year"), found=str(prev_year or "未知"),
                          year=str(year or "未知"), expected=str(year - 1) if year else "上一")


@kind("carried_over",
      params={"table": TableRef(), "this": RowRef(every_column=True), "previous": RowRef(every_column=True)},
      words=("column", *_EQUATION), unevaluable=("column", "bad"), needs=_NEEDS, scope=_SCOPE)
def carried_over(ctx: RuleContext) -> Iterator[Finding]:
    prev = _previous(ctx)
    if prev is None:
        return
    table = ctx.form.table(ctx.params["table"])
    if not ctx.report.present(table.key):
        return  # a table the source does not contain: the importer says so once
    for col in table.columns:
        this_key = CellKey(table.key, ctx.params["this"], col.key)
        prev_key = CellKey(table.key, ctx.params["previous"], col.key)
        this, before = _number(ctx.report, this_key), _number(prev, prev_key)
        cell = ctx.form.cell(this_key)
        place = ctx.cell_place(cell)
        if this is None or before is None:
            bad = "、".join(x for x, v in (("本年上年结转", this), ("上年结转下年度", before)) if v is None)
            yield ctx.finding(str(this_key), place=place, cells=[this_key], unevaluable=True,
                              column=col.label, bad=bad)
        elif this != before:
            yield ctx.finding(str(this_key), place=place, cells=[this_key], column=col.label,
                              values={"left": this, "right": before, "diff": exact_sum([this, -before])})


@kind("in_force_continuity",
      params={"table": TableRef(), "rows": ListOf(RowRef(with_columns=_IN_FORCE), min_items=1),
              **{k: ColumnRef() for k in _IN_FORCE}},
      words=("row", *_EQUATION), unevaluable=("row", "bad"), needs=_NEEDS, scope=_SCOPE)
def in_force_continuity(ctx: RuleContext) -> Iterator[Finding]:
    prev = _previous(ctx)
    if prev is None or prev.form.id != ctx.form.id:
        return  # the 2019 format counted documents differently: no continuity across formats
    p = ctx.params
    table = ctx.form.table(p["table"])
    if not ctx.report.present(table.key):
        return  # a table the source does not contain: the importer says so once
    for row_key in p["rows"]:
        row = table.row(row_key)
        keys = {k: CellKey(table.key, row_key, p[k]) for k in _IN_FORCE}
        now = _number(ctx.report, keys["in_force"])
        before = _number(prev, keys["in_force"])
        issued, repealed = _number(ctx.report, keys["issued"]), _number(ctx.report, keys["repealed"])
        cell = ctx.form.cell(keys["in_force"])
        if now is None or before is None or issued is None or repealed is None:
            parts = {"本年现行有效": now, "上年现行有效": before, "本年制发": issued, "本年废止": repealed}
            bad = "、".join(k for k, v in parts.items() if v is None)
            yield ctx.finding(str(cell.key), place=ctx.cell_place(cell), cells=[cell.key],
                              unevaluable=True, row=row.label, bad=bad)
            continue
        expected = exact_sum([before, issued, -repealed])
        if now != expected:
            yield ctx.finding(str(cell.key), place=ctx.cell_place(cell), cells=[cell.key], row=row.label,
                              values={"left": now, "right": expected, "diff": exact_sum([now, -expected])})


@kind("year_over_year",
      params={"factor": Numeric(minimum=1), "floor": Numeric(minimum=0),
              "figures": ListOf(Obj({"cell": CellRef()}, scoped=True), min_items=1)},
      words=("where", "left", "right", "times"), needs=_NEEDS, scope=_SCOPE)
def year_over_year(ctx: RuleContext) -> Iterator[Finding]:
    prev = _previous(ctx)
    if prev is None:
        return
    factor, floor = ctx.params["factor"], ctx.params["floor"]
    for figure in for_form(ctx.params["figures"], ctx.form, prev.form):
        key = CellKey.parse(figure["cell"])
        now, before = _number(ctx.report, key), _number(prev, key)
        if now is None or before is None or max(now, before) < floor:
            continue
        low, high = sorted((now, before))
        if low == 0 or high / low >= factor:
            cell = ctx.form.cell(key)
            times = "无穷" if low == 0 else show(round(high / low, 1))
            yield ctx.finding(str(key), place=ctx.cell_place(cell), cells=[key], where=cell.describe(),
                              values={"left": now, "right": before}, times=times)


@kind("previous_agency", params={}, words=("found", "agency"), needs=_NEEDS, scope=_SCOPE)
def previous_agency(ctx: RuleContext) -> Iterator[Finding]:
    """Last year's report is another agency's: said once, so a comparison with someone else's figures never
    passes without a word. An agency renamed in 机构改革 and rolled over with ``new --previous --agency`` is
    remembered as renamed (``successor``), and then nothing is said."""
    prev = ctx.previous
    if prev is None or not prev.agency or not ctx.report.agency:
        return
    if agency_key(prev.agency) == agency_key(ctx.report.agency):
        return
    successor = prev.metadata.get(SUCCESSOR)
    if isinstance(successor, str) and agency_key(successor) == agency_key(ctx.report.agency):
        return
    yield ctx.finding("previous.agency", place=ctx.field_place("agency"), found=prev.agency, agency=ctx.report.agency)

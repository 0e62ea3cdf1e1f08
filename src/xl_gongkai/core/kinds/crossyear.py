"""Cross-year kinds: this year's report against last year's (given with ``--previous``).

They run only when a previous report is supplied (``check(..., previous=...)``); a previous report of
the wrong year makes them unevaluable, which X0 reports once instead of a wrong comparison.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ...spec import CellKey
from ..findings import Finding, Place
from ..numbers import Number, exact_sum, read, show
from ..report import Report
from ..rules import RuleContext, kind


def _previous(ctx: RuleContext) -> Report | None:
    """The previous report, when one was given and it is of the year before."""
    prev = ctx.extra.get("previous")
    if prev is None:
        return None
    year, prev_year = ctx.report.year, prev.year
    if year is None or prev_year is None or prev_year != year - 1:
        return None
    return prev


def _number(report: Report, key: CellKey) -> Number | None:
    if not report.form.has_cell(key):
        return None
    r = read(report.values.get(key))
    return r.number if r.kind == "number" else None


@kind("previous_year")
def previous_year(ctx: RuleContext) -> Iterator[Finding]:
    prev = ctx.extra.get("previous")
    if prev is None:
        return
    year, prev_year = ctx.report.year, prev.year
    if year is None or prev_year != year - 1:
        yield ctx.finding("previous", place=Place(field="year"), found=str(prev_year or "未知"),
                          year=str(year or "未知"), expected=str(year - 1) if year else "上一")


@kind("carried_over")
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
            yield ctx.finding(str(this_key), place=place, cells=[this_key], template=ctx.rule.unevaluable,
                              column=col.label, bad=bad)
        elif this != before:
            yield ctx.finding(str(this_key), place=place, cells=[this_key], column=col.label,
                              values={"left": this, "right": before, "diff": exact_sum([this, -before])})


@kind("in_force_continuity")
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
        keys = {k: CellKey(table.key, row_key, p[k]) for k in ("in_force", "issued", "repealed")}
        now = _number(ctx.report, keys["in_force"])
        before = _number(prev, keys["in_force"])
        issued, repealed = _number(ctx.report, keys["issued"]), _number(ctx.report, keys["repealed"])
        cell = ctx.form.cell(keys["in_force"])
        parts: dict[str, Any] = {"本年现行有效": now, "上年现行有效": before, "本年制发": issued, "本年废止": repealed}
        if any(v is None for v in parts.values()):
            bad = "、".join(k for k, v in parts.items() if v is None)
            yield ctx.finding(str(cell.key), place=ctx.cell_place(cell), cells=[cell.key],
                              template=ctx.rule.unevaluable, row=row.label, bad=bad)
            continue
        expected = exact_sum([before, issued, -repealed])  # type: ignore[list-item]
        if now != expected:
            yield ctx.finding(str(cell.key), place=ctx.cell_place(cell), cells=[cell.key], row=row.label,
                              values={"left": now, "right": expected, "diff": exact_sum([now, -expected])})


@kind("year_over_year")
def year_over_year(ctx: RuleContext) -> Iterator[Finding]:
    prev = _previous(ctx)
    if prev is None:
        return
    factor, floor = ctx.params["factor"], ctx.params["floor"]
    for text in ctx.params["figures"]:
        key = CellKey.parse(text)
        if not ctx.form.has_cell(key):
            continue
        now, before = _number(ctx.report, key), _number(prev, key)
        if now is None or before is None or max(now, before) < floor:
            continue
        low, high = sorted((now, before))
        if low == 0 or high / low >= factor:
            cell = ctx.form.cell(key)
            times = "无穷" if low == 0 else show(round(high / low, 1))
            yield ctx.finding(str(key), place=ctx.cell_place(cell), cells=[key], where=cell.describe(),
                              values={"left": now, "right": before}, times=times)

"""Register kinds: each row of the register (依申请台账) reads with certainty, and table 三 agrees with it.

A report without a register (a payload, a published report, a workbook of an older template) or with an empty
one gives no finding here: table 三 is then what the clerk typed, judged by the other rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from ...spec import Form
from ..findings import Finding, Place
from ..ledger import PROBLEM_KINDS, Reading, derivation, differences, read_ledger, shown, spec_of
from ..numbers import read, show
from ..params import OneOf
from ..report import Report
from ..rules import RuleContext, kind


def _rows_scope(_params: Mapping[str, Any], form: Form) -> str:
    ledger = form.workbook.ledger if form.template is not None else None
    return f"“{ledger.sheet}”表（模板{ledger.since}起）的每一行" if ledger else "依申请台账的每一行"


def _table_scope(params: Mapping[str, Any], form: Form) -> str:
    return _rows_scope(params, form) + "与表三"

MAX_ROWS_NAMED = 8  # rows named in one finding before "等N行"

_last: tuple[Report, dt.date, Reading] | None = None


def _reading(ctx: RuleContext) -> Reading | None:
    """The register read once per report and day: every register rule asks for it."""
    global _last
    if ctx.report.ledger is None or spec_of(ctx.form) is None:
        return None
    if _last is not None and _last[0] is ctx.report and _last[1] == ctx.today:
        return _last[2]
    found = read_ledger(ctx.form, ctx.report.ledger, today=ctx.today)
    _last = (ctx.report, ctx.today, found)
    return found


@kind("ledger_rows", params={"problem": OneOf(PROBLEM_KINDS)}, words=("sheet", "where", "reason"), scope=_rows_scope)
def ledger_rows(ctx: RuleContext) -> Iterator[Finding]:
    """One finding per register row and column with a problem of the rule's kind, naming the row."""
    reading = _reading(ctx)
    spec = spec_of(ctx.form)
    if reading is None or spec is None:
        return
    for p in reading.problems:
        if p.kind != ctx.params["problem"]:
            continue
        column = p.column or spec.columns[0]
        where = f"第{p.row}行“{p.column.label}”" if p.column is not None else f"第{p.row}行以下"
        yield ctx.finding(f"ledger.{p.row}.{column.key}", place=Place(sheet=spec.sheet, cell=f"{column.at}{p.row}"),
                          sheet=spec.sheet, where=where, reason=p.reason)


@kind("ledger_later", params={}, words=("sheet", "rows", "count", "year"), scope=_rows_scope)
def ledger_later(ctx: RuleContext) -> Iterator[Finding]:
    """Cases received after the report year: said once, with their rows; they are not counted."""
    reading = _reading(ctx)
    spec = spec_of(ctx.form)
    year = ctx.report.year
    if reading is None or spec is None or year is None:
        return
    later = reading.later(year)
    if not later:
        return
    rows = [str(c.row) for c in later]
    named = "、".join(rows[:MAX_ROWS_NAMED]) + ("等" if len(rows) > MAX_ROWS_NAMED else "")
    yield ctx.finding("ledger.later", place=Place(sheet=spec.sheet, cell=f"{spec.received.at}{later[0].row}"),
                      sheet=spec.sheet, rows=named, count=str(len(later)), year=str(year))


@kind("ledger_table", params={}, words=("sheet", "row", "items"), scope=_table_scope)
def ledger_table(ctx: RuleContext) -> Iterator[Finding]:
    """Table 三 as stated against the register's counts: one finding per row that differs, naming its cells."""
    spec = spec_of(ctx.form)
    if spec is None:
        return
    done = derivation(ctx.form, ctx.report.ledger, ctx.report.year, today=ctx.today, reading=_reading(ctx))
    if done is None:
        return
    table = ctx.form.table(spec.table)
    for row_key, cells in differences(ctx.form, ctx.report.values, done.values):
        row = table.row(row_key)
        parts = []
        for key, stated, count in cells:
            r = read(stated)
            was = "空白" if r.kind == "blank" else show(r.number) if r.kind == "number" else f"“{shown(stated)}”"
            parts.append(f"“{table.column(key.column).label}”表中为{was}、台账为{count}")
        first = ctx.form.cell(cells[0][0])
        yield ctx.finding(f"{table.key}.{row_key}", place=ctx.cell_place(first),
                          cells=[k for k, _, _ in cells], sheet=spec.sheet,
                          row=table.row_name(row), items="；".join(parts))

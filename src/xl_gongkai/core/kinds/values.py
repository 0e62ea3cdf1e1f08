"""Value kinds: every cell is filled, holds a number, and the number fits its unit.

They look at the report's scan (``Report.scan``: every value read once, in the form's order), so that a rule
visits only the cells it could find something in — the blank ones, the ones with text, the numbers of its
unit — and finds them in the form's order, as a walk over every cell would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from ...spec import Cell, CellKey, Form, Table
from ..catalogue import Rule
from ..findings import Finding, Place
from ..numbers import BLANK_KIND, TEXT, decimals_of, gatherer, show
from ..params import Numeric
from ..report import FIELD_PREFIX
from ..rules import RuleContext, kind, made_once, planned

_SHOWN_CELLS = 3  # cells named in a finding about many; the finding's count says how many there are
_IMPORTED = "导入已公布的报告时："  # the I rules' scope: what the importer could not read


def _every_cell(_params: Mapping[str, Any], form: Form) -> str:
    return f"全部{len(form.cells)}个单元格"


def _count_cells(_params: Mapping[str, Any], form: Form) -> str:
    return f"单位为“件”的{sum(1 for c in form.cells if c.unit in ('件', '项'))}个单元格"


def _amount_cells(_params: Mapping[str, Any], form: Form) -> str:
    return "单位为“万元”的单元格：" + "、".join(c.describe() for c in form.cells if c.unit == "万元")


def _limit(ctx: RuleContext, n: float) -> str:
    """The upper bound, mentioned only when the value exceeds it."""
    cap = ctx.params.get("max")
    return f"，且不超过 {cap}" if cap is not None and n > cap else ""


@kind("blank", params={}, words=("where", "hint"), scope=_every_cell)
def blank(ctx: RuleContext) -> Iterator[Finding]:
    cells = ctx.form.cells
    report = ctx.report
    for i in report.scan.where(BLANK_KIND):
        cell = cells[i]
        if not report.judged(cell.key) or cell.key in report.printed_blank:
            continue  # a table the source does not contain, a cell it prints blank or left unread: said once
        yield made_once(ctx, i, _blank, cell)


def _blank(ctx: RuleContext, cell: Cell) -> Finding:
    hint = "（合计单元格可点击“填充合计”自动计算。）" if cell.derived else ""
    return ctx.finding(str(cell.key), place=ctx.cell_place(cell), cells=[cell.key], where=cell.describe(), hint=hint)


@kind("text_in_number", params={}, words=("where", "value"), scope=_every_cell)
def text_in_number(ctx: RuleContext) -> Iterator[Finding]:
    cells = ctx.form.cells
    for i in ctx.report.scan.where(TEXT):
        cell = cells[i]
        text = str(ctx.report.reading(cell.key).text)
        shown = text if len(text) <= 40 else text[:40] + "…"
        yield made_once(ctx, (i, shown), _text_in_number, cell, shown)


def _text_in_number(ctx: RuleContext, cell: Cell, shown: str) -> Finding:
    return ctx.finding(str(cell.key), place=ctx.cell_place(cell), cells=[cell.key], where=cell.describe(), value=shown)


def _counts_plan(_rule: Rule, form: Form) -> tuple[tuple[tuple[int, Cell], ...], Callable[[Sequence[Any]], Any]]:
    """The cells that hold a count (件, 项), with their positions in a report's scan; and what gathers their values
    from a scan in one call (C)."""
    cells = tuple((i, c) for i, c in enumerate(form.cells) if form.units.is_count(c.unit))
    return cells, gatherer([i for i, _ in cells])


def _amounts_plan(_rule: Rule, form: Form) -> tuple[Cell, ...]:
    return tuple(c for c in form.cells if c.unit == form.units.amount)


@kind("count", params={"max": Numeric(integer=True, minimum=0, optional=True)},
      words=("value", "where", "limit"), scope=_count_cells)
def count(ctx: RuleContext) -> Iterator[Finding]:
    cap = ctx.params.get("max")
    cells, gather = planned(ctx, _counts_plan)
    whole = gather(ctx.report.scan.whole)
    if whole and None not in whole and min(whole) >= 0 and (cap is None or max(whole) <= cap):
        return  # every count a whole number from 0 to the cap: nothing to say, found in C
    numbers = ctx.report.scan.numbers
    for i, cell in cells:
        n = numbers[i]
        if n is None:  # not a number: V1 or V2 says what it is
            continue
        negative = n < 0 and not cell.column.signed  # only a change (2019 本年增/减) may be negative
        if isinstance(n, float) or negative or (cap is not None and abs(n) > cap):
            yield made_once(ctx, (i, type(n), n), _count, cell, n)


def _count(ctx: RuleContext, cell: Cell, n: float) -> Finding:
    return ctx.finding(str(cell.key), place=ctx.cell_place(cell), cells=[cell.key], values={"value": n},
                       where=cell.describe(), limit=_limit(ctx, n))


@kind("amount", params={"decimals": Numeric(integer=True, minimum=0), "max": Numeric(minimum=0, optional=True)},
      words=("value", "where", "decimals", "limit"), scope=_amount_cells)
def amount(ctx: RuleContext) -> Iterator[Finding]:
    places = int(ctx.params["decimals"])
    cap = ctx.params.get("max")
    for cell in planned(ctx, _amounts_plan):
        r = ctx.report.reading(cell.key)
        if r.kind != "number" or r.number is None:
            continue
        n = r.number
        if n < 0 or decimals_of(n) > places or (cap is not None and n > cap):
            yield ctx.finding(str(cell.key), place=ctx.cell_place(cell), cells=[cell.key],
                              values={"value": n}, where=cell.describe(), decimals=places, limit=_limit(ctx, n))


@kind("amount_magnitude", params={"threshold": Numeric(minimum=0)}, words=("value", "where", "yi"), scope=_amount_cells)
def amount_magnitude(ctx: RuleContext) -> Iterator[Finding]:
    threshold = ctx.params["threshold"]
    for cell in planned(ctx, _amounts_plan):
        r = ctx.report.reading(cell.key)
        if r.kind == "number" and r.number is not None and r.number >= threshold:
            yield ctx.finding(str(cell.key), place=ctx.cell_place(cell), cells=[cell.key],
                              values={"value": r.number}, where=cell.describe(),
                              yi=show(round(r.number / 10000, 4)))


@kind("absent_parts", params={}, words=("where", "what"), scope=_IMPORTED + "原文中没有的表格和正文部分")
def absent_parts(ctx: RuleContext) -> Iterator[Finding]:
    """Each table or section a published excerpt does not contain, once (the importer records them)."""
    tables = {t.key: t for t in ctx.form.tables}
    for key, shown in ctx.report.absent.items():
        if key.startswith(FIELD_PREFIX):
            name = key.removeprefix(FIELD_PREFIX)
            yield ctx.finding(key, place=ctx.field_place(name), where=f"封面“{ctx.form.field(name).label}”", what=shown)
        elif key in tables:
            t = tables[key]
            yield ctx.finding(key, place=Place(table=key), where=f"表{t.number}", what=f"{shown}（共{len(t.rows)}行）")
        else:
            yield ctx.finding(f"section.{key}", place=Place(section=key), where=ctx.form.narrative_sheet, what=shown)


@kind("printed_blanks", params={}, words=("where", "count", "which"), scope=_IMPORTED + "原文印成空白的单元格")
def printed_blanks(ctx: RuleContext) -> Iterator[Finding]:
    """The cells a published report prints blank, once per table (the importer records them)."""
    if not ctx.report.printed_blank:
        return
    for table in ctx.form.tables:
        keys = [c.key for c in ctx.form.cells if c.table.key == table.key and c.key in ctx.report.printed_blank
                and ctx.report.reading(c.key).kind == "blank"]
        if not keys:
            continue
        names = [f"“{table.row_path(table.row(k.row))}”行“{table.column(k.column).label}”列" for k in keys]
        shown = "、".join(names[:_SHOWN_CELLS]) + (f"等{len(names)}格" if len(names) > _SHOWN_CELLS else "")
        yield ctx.finding(table.key, place=Place(table=table.key), cells=keys, where=f"表{table.number}",
                          count=len(keys), which=shown)


@kind("unread_cells", params={}, words=("where", "count", "which"), scope=_IMPORTED + "未能读出数字的单元格")
def unread_cells(ctx: RuleContext) -> Iterator[Finding]:
    """The cells of a published report the importer could not read, once per table (the importer records them)."""
    if not ctx.report.unread:
        return
    for table in ctx.form.tables:
        keys = [c.key for c in ctx.form.cells if c.table.key == table.key and c.key in ctx.report.unread]
        if keys:
            yield ctx.finding(f"{table.key}.unread", place=Place(table=table.key), cells=keys,
                              where=f"表{table.number}", count=len(keys), which=_rows(table, keys))


def _rows(table: Table, keys: Sequence[CellKey]) -> str:
    """The rows of the cells, named once each: ``“一、本年新收…”行（7格）、…``."""
    rows: dict[str, int] = {}
    for k in keys:
        rows[k.row] = rows.get(k.row, 0) + 1
    named = [f"“{table.row_path(table.row(r))}”行" + (f"（{n}格）" if n > 1 else "") for r, n in rows.items()]
    return "、".join(named[:_SHOWN_CELLS]) + (f"等{len(named)}行" if len(named) > _SHOWN_CELLS else "")

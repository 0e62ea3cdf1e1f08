"""The rule engine: the catalogue is data, each rule *kind* is a small registered function.

As in jsonschema's keyword functions, a kind yields findings and never raises for bad input; the
engine runs every applicable rule and collects every finding of the run. The catalogue is checked
when it is loaded (``core.catalogue``: kinds, parameters, keys, placeholders), so a kind can rely on
its parameters; a rule that still cannot be evaluated (a kind that fails) becomes an 错误 itself,
never a silent pass.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..spec import Cell, CellKey, Form
from .catalogue import KINDS, Catalogue, KindSpec, Rule, kind, load_catalogue
from .findings import Finding, Place, Validation, sort_findings
from .report import Report

__all__ = ["KINDS", "KindSpec", "Rule", "RuleContext", "catalogue", "check", "kind"]


def catalogue() -> Catalogue:
    """The checked rule catalogue (loaded once per process)."""
    return load_catalogue()


@dataclass
class RuleContext:
    """What a kind sees: the report, its rule, and helpers that build findings the same way."""

    report: Report
    rule: Rule
    today: dt.date
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def form(self) -> Form:
        return self.report.form

    @property
    def params(self) -> Mapping[str, Any]:
        return self.rule.params

    def finding(
        self,
        scope: str,
        *,
        place: Place,
        cells: Sequence[CellKey | str] = (),
        values: Mapping[str, Any] | None = None,
        unevaluable: bool = False,
        pending: bool = False,
        **words: Any,
    ) -> Finding:
        """A finding of this rule (``Rule.finding``); ``unevaluable`` for the message of a value that cannot be read,
        ``pending`` for a part still to write (待填写)."""
        return self.rule.finding(scope, place=place, cells=cells, values=values, unevaluable=unevaluable,
                                 pending=pending, **words)

    def cell_place(self, cell: Cell) -> Place:
        return Place(sheet=cell.sheet, cell=cell.address, table=cell.table.key, row=cell.row.key,
                     column=cell.column.key)

    def field_place(self, key: str) -> Place:
        f = self.form.field(key)
        return Place(sheet=self.form.metadata_sheet, cell=f.cell, field=key)


def check(
    report: Report,
    *,
    today: dt.date | None = None,
    rules: Sequence[Rule] | None = None,
    previous: Report | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Validation:
    """Run every applicable rule on the report; return every finding, explanations attached.

    ``previous`` is last year's report: with it, the cross-year rules (X…) run too.
    """
    from . import kinds  # noqa: F401  (registers the kinds, also for rules given by the caller)

    rules = list(rules if rules is not None else load_catalogue())
    today = today or dt.date.today()
    extra = {**(extra or {}), **({"previous": previous} if previous is not None else {})}
    found: list[Finding] = []
    for rule in rules:
        if rule.applies_to(report.form):
            found.extend(_run(rule, RuleContext(report, rule, today, extra)))
    order = {r.id: i for i, r in enumerate(rules)}
    attached = [
        replace(f, explanation=report.explanations[f.key]) if report.explanations.get(f.key) else f
        for f in found
    ]
    return Validation(sort_findings(attached, order))


def _run(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    impl = KINDS.get(rule.kind)
    if impl is None:  # a rule built in code, not loaded from the catalogue (which refuses unknown kinds)
        yield rule.broken(f"规则类型“{rule.kind}”没有实现")
        return
    try:
        yield from list(impl.run(ctx))
    except (KeyError, ValueError, TypeError, LookupError) as exc:
        yield rule.broken(f"{type(exc).__name__}: {exc}")

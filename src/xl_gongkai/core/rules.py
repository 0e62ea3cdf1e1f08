"""The rule engine: the catalogue is data, each rule *kind* is a small registered function.

As in jsonschema's keyword functions, a kind yields findings and never raises for bad input; the
engine runs every applicable rule and collects every finding of the run. A rule that cannot be
evaluated (a kind that fails, a table the form does not have) becomes an 错误 itself, never a
silent pass.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..spec import Cell, CellKey, Form, load_rules
from .findings import ERROR, Finding, Place, Validation, sort_findings
from .numbers import show
from .report import Report

Kind = Callable[["RuleContext"], Iterable[Finding]]
KINDS: dict[str, Kind] = {}


def kind(name: str) -> Callable[[Kind], Kind]:
    """Register the implementation of a rule kind under the name the catalogue uses."""

    def register(fn: Kind) -> Kind:
        KINDS[name] = fn
        return fn

    return register


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    severity: str
    title: str
    params: Mapping[str, Any]
    message: str
    source: str
    unevaluable: str | None = None
    forms: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Rule:
        return cls(**{**d, "forms": tuple(d.get("forms", ()))})

    def applies_to(self, form: Form) -> bool:
        return not self.forms or form.id in self.forms


def catalogue() -> list[Rule]:
    return [Rule.from_dict(d) for d in load_rules()["rules"]]


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
        template: str | None = None,
        values: Mapping[str, Any] | None = None,
        severity: str | None = None,
        **words: Any,
    ) -> Finding:
        text = template or self.rule.message
        values = dict(values or {})
        message = text.format(id=self.rule.id, **{k: show(v) for k, v in values.items()}, **words)
        return Finding(
            rule=self.rule.id,
            severity=severity or self.rule.severity,
            message=message,
            key=f"{self.rule.id}:{scope}",
            place=place,
            cells=tuple(str(c) for c in cells),
            values=values,
        )

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
    from . import kinds  # noqa: F401  (registers the kinds)

    rules = list(rules if rules is not None else catalogue())
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
    if impl is None:
        yield _broken(rule, f"规则类型“{rule.kind}”没有实现")
        return
    try:
        yield from list(impl(ctx))
    except (KeyError, ValueError, TypeError, LookupError) as exc:
        yield _broken(rule, f"{type(exc).__name__}: {exc}")


def _broken(rule: Rule, why: str) -> Finding:
    return Finding(
        rule=rule.id,
        severity=ERROR,
        message=f"{rule.id} 规则无法执行，本项未校验（{why}）。这是程序或规格的问题，请联系维护人员。",
        key=f"{rule.id}:rule",
    )

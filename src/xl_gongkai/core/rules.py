"""The rule engine: the catalogue is data, each rule *kind* is a small registered function.

As in jsonschema's keyword functions, a kind yields findings and never raises for bad input; the
engine runs every applicable rule and collects every finding of the run. The catalogue is checked
when it is loaded (``core.catalogue``: kinds, parameters, keys, placeholders), so a kind can rely on
its parameters; a rule that still cannot be evaluated (a kind that fails) becomes an 错误 itself,
never a silent pass.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from ..spec import Cell, CellKey, Form
from .catalogue import KINDS, Catalogue, KindSpec, Rule, kind, load_catalogue
from .findings import Finding, Place, Validation, sort_findings
from .report import Report

__all__ = ["KINDS", "KindSpec", "Rule", "RuleContext", "catalogue", "check", "kind", "made_once", "planned"]


def catalogue() -> Catalogue:
    """The checked rule catalogue (loaded once per process)."""
    return load_catalogue()


@dataclass
class RuleContext:
    """What a kind sees: the report, its rule, what the rule needs besides the report, and helpers that build
    findings the same way.

    ``previous`` is last year's report; the engine runs a rule that needs it (``"needs": ["previous"]``) only
    when it is given, so such a kind finds it set.
    """

    report: Report
    rule: Rule
    today: dt.date
    previous: Report | None = None

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
        """Where a finding about one cell points; made once per cell (a place is immutable)."""
        place: Place | None = cell.__dict__.get("_place")
        if place is None:
            place = Place(sheet=cell.sheet, cell=cell.address, table=cell.table.key, row=cell.row.key,
                          column=cell.column.key)
            object.__setattr__(cell, "_place", place)  # a frozen dataclass: the memo is not one of its fields
        return place

    def field_place(self, key: str) -> Place:
        f = self.form.field(key)
        return Place(sheet=self.form.metadata_sheet, cell=f.cell, field=key)


T = TypeVar("T")


def planned(ctx: RuleContext, build: Callable[[Rule, Form], T]) -> T:
    """What ``build`` works out from a rule and a form alone (a rule plan: which cells take part in which
    equation, where each finding would point), worked out once per rule and form object in a process instead
    of once per report. Kept on the rule, by the form it was made for."""
    rule, form = ctx.rule, ctx.form
    plans: dict[tuple[Callable[[Rule, Form], Any], int], tuple[Form, Any]] | None = rule.__dict__.get("_plans")
    if plans is None:
        plans = {}
        object.__setattr__(rule, "_plans", plans)  # a frozen dataclass: the cache is not one of its fields
    found = plans.get((build, id(form)))
    if found is None or found[0] is not form:
        found = plans[(build, id(form))] = (form, build(rule, form))
    plan: T = found[1]
    return plan


MEMO_FINDINGS = 4096  # findings a rule keeps for one form (a few hundred cells, each blank or with a few values)


def _no_findings_yet(_rule: Rule, _form: Form) -> dict[Any, Finding]:
    return {}


def made_once(ctx: RuleContext, key: Any, make: Callable[..., Finding], *args: Any) -> Finding:
    """``make(ctx, *args)``, made once per rule, form and ``key`` in a process: for a finding that depends on nothing
    but ``key`` (which cell is blank; which cell holds which value). A finding is immutable, so reports share it: an
    audit of a folder whose reports are full of blanks makes each such finding once, not once per report. At most
    MEMO_FINDINGS are kept per rule and form (then they are forgotten and made again)."""
    memo = planned(ctx, _no_findings_yet)
    found = memo.get(key)
    if found is None:
        if len(memo) >= MEMO_FINDINGS:
            memo.clear()
        found = memo[key] = make(ctx, *args)
    return found


def check(
    report: Report,
    *,
    today: dt.date | None = None,
    rules: Sequence[Rule] | None = None,
    previous: Report | None = None,
) -> Validation:
    """Run every applicable rule on the report; return every finding, explanations attached.

    ``previous`` is last year's report: with it, the rules that need it (``Catalogue.needing("previous")``)
    run too; without it they are not run.
    """
    from . import kinds  # noqa: F401  (registers the kinds, also for rules given by the caller)

    today = today or dt.date.today()
    plan = _plan(rules if rules is not None else list(load_catalogue()), report.form, previous is not None)
    found: list[Finding] = []
    for rule in plan.rules:
        found.extend(_run(rule, RuleContext(report, rule, today, previous)))
    explanations = report.explanations
    attached = ([replace(f, explanation=explanations[f.key]) if explanations.get(f.key) else f for f in found]
                if explanations else found)
    return Validation(sort_findings(attached, plan.order))


@dataclass(frozen=True)
class _Plan:
    """Which rules of a sequence run on a form (with or without last year's report), and the sequence's order
    of rule ids (findings are sorted by it)."""

    rules: tuple[Rule, ...]
    order: Mapping[str, int]


MAX_PLANS = 64  # rule sequences and forms a process keeps a plan for (an audit has one or two)
_PLANS: dict[tuple[int, ...], tuple[Sequence[Rule], Form, _Plan]] = {}


def _plan(rules: Sequence[Rule], form: Form, with_previous: bool) -> _Plan:
    """The rules of ``rules`` that apply to ``form`` and whose needs are given, worked out once per sequence and
    form in a process — an audit checks thousands of reports with one catalogue, and which rules apply is the
    same for each. Kept by the identities of the rules and the form, with the objects themselves (so that an id
    stands for nothing else)."""
    rules = rules if isinstance(rules, (list, tuple)) else list(rules)
    key = (id(form), with_previous, *map(id, rules))
    known = _PLANS.get(key)
    if known is not None and known[1] is form and len(known[0]) == len(rules) and all(
            map(operator.is_, known[0], rules)):
        return known[2]
    given = {"previous"} if with_previous else set()
    plan = _Plan(tuple(r for r in rules if r.applies_to(form) and given.issuperset(r.needs)),
                 {r.id: i for i, r in enumerate(rules)})
    if len(_PLANS) >= MAX_PLANS:
        _PLANS.clear()
    _PLANS[key] = (tuple(rules), form, plan)
    return plan


def _run(rule: Rule, ctx: RuleContext) -> list[Finding]:
    """The rule's findings, all of them or — when its kind fails — only the 错误 that says so."""
    impl = KINDS.get(rule.kind)
    if impl is None:  # a rule built in code, not loaded from the catalogue (which refuses unknown kinds)
        return [rule.broken(f"规则类型“{rule.kind}”没有实现")]
    try:
        return list(impl.run(ctx))
    except (KeyError, ValueError, TypeError, LookupError) as exc:
        return [rule.broken(f"{type(exc).__name__}: {exc}")]

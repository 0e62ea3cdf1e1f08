"""The rule catalogue as a typed object, checked when it is loaded, and the one factory of findings.

``spec/rules.json`` is data; this module turns it into :class:`Rule` objects and refuses a catalogue the
engine could not honour: a kind that does not exist, parameters other than the ones the kind declares,
a table/row/column/cell/field key the form lacks (in every form the rule applies to), a message
placeholder the kind does not fill, an id used twice. The refusal is a ``SpecError`` naming the rule and
the bad reference — a defect of the package, found at load, never a rule that silently finds nothing.
The catalogue is loaded once per process.

Kinds register here with what they need: ``@kind("balance", params={...}, words=(...), unevaluable=(...))``.
``params`` is the kind's parameter schema (``core.params``); ``words`` are the placeholders it fills in
the rule's ``message``, ``unevaluable`` those of the ``unevaluable`` message (``None``: the kind never
uses one); ``needs`` what it reads besides the report (:data:`NEEDS`: ``previous``, last year's report), which
every rule of the kind declares in the catalogue too (``"needs": ["previous"]``), so that the catalogue can
select the rules a comparison with last year runs (:meth:`Catalogue.needing`) and the engine runs a rule only
when what it needs is given; ``scope`` says, for the rules page (``docs/rules.md``), what a rule of the kind
looks at. Rules raised outside the engine (import, audit) have the kind ``external``; its parameter
``words`` lists what the raiser fills.

Every finding of a catalogue rule is made by :meth:`Rule.finding` (or :meth:`Rule.broken` for a rule that
could not run), whoever raises it: the engine's kinds, the importer, the audit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from ..spec import CellKey, Form, Severity, SpecError, known_forms, load_form, load_rules
from .findings import Finding, Place
from .numbers import show
from .params import Obj, Param, Scope, placeholders

if TYPE_CHECKING:
    from .rules import RuleContext

KindFn = Callable[["RuleContext"], Iterable[Finding]]
# what a rule of the catalogue may need besides the report (``RuleContext`` carries each): last year's report
NEEDS = ("previous",)
# ``scope(params, form)``: what a rule of a kind looks at, in the words of the rules page (the 2021 form's)
ScopeFn = Callable[[Mapping[str, Any], Form], str]


@dataclass(frozen=True)
class KindSpec:
    """A registered kind: its implementation, parameter schema and the words it fills in messages."""

    name: str
    run: KindFn
    params: Obj
    words: frozenset[str]
    unevaluable: frozenset[str] | None
    words_from: str | None = None
    relations: Callable[[Mapping[str, Any]], Iterable[str]] | None = None
    needs: frozenset[str] = frozenset()
    scope: ScopeFn | None = None

    def provides(self, params: Mapping[str, Any], *, unevaluable: bool = False) -> frozenset[str]:
        """The words a finding of this kind fills, ``id`` aside."""
        if unevaluable:
            return self.unevaluable or frozenset()
        if self.words_from is not None:
            listed = params.get(self.words_from) if isinstance(params, Mapping) else None
            return frozenset(w for w in listed if isinstance(w, str)) if isinstance(listed, list) else frozenset()
        return self.words


KINDS: dict[str, KindSpec] = {}


def kind(
    name: str,
    *,
    params: Mapping[str, Param],
    words: Iterable[str] = (),
    unevaluable: Iterable[str] | None = None,
    words_from: str | None = None,
    relations: Callable[[Mapping[str, Any]], Iterable[str]] | None = None,
    needs: Iterable[str] = (),
    scope: ScopeFn | str,
) -> Callable[[KindFn], KindFn]:
    """Register the implementation of a rule kind under the name the catalogue uses.

    ``words_from`` names the parameter that lists the words (kind ``external``, whose findings are filled
    by the code that raises them). ``relations`` checks what a schema of single values cannot say (one
    parameter naming an entry of another); it sees params whose shape is already right and yields
    problems. ``needs``: what the kind reads besides the report (:data:`NEEDS`). ``scope``: what a rule of the
    kind looks at, for the rules page — a sentence, or a function of the rule's params and the form. A name
    registered twice, or an unknown need, is refused.
    """
    unknown = sorted(set(needs) - set(NEEDS))
    if unknown:
        raise SpecError(f"kind '{name}' needs {', '.join(unknown)}; known: {', '.join(NEEDS)}")
    describe = _said(scope) if isinstance(scope, str) else scope

    def register(fn: KindFn) -> KindFn:
        if name in KINDS:
            old = KINDS[name].run
            raise SpecError(f"kind '{name}' is registered twice ({old.__module__}.{old.__qualname__} and "
                            f"{fn.__module__}.{fn.__qualname__})")
        KINDS[name] = KindSpec(name, fn, Obj(dict(params)), frozenset(words),
                               None if unevaluable is None else frozenset(unevaluable), words_from, relations,
                               frozenset(needs), describe)
        return fn

    return register


def _said(text: str) -> ScopeFn:
    """The scope of a kind whose rules all look at the same thing, whatever their params."""
    return lambda _params, _form: text


@dataclass(frozen=True)
class Rule:
    """One entry of the catalogue."""

    id: str
    kind: str
    severity: Severity
    title: str
    params: Mapping[str, Any]
    message: str
    source: str
    unevaluable: str | None = None
    forms: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()  # what the rule reads besides the report (``NEEDS``), as its kind does

    def __post_init__(self) -> None:
        object.__setattr__(self, "severity", Severity(self.severity))

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Rule:
        return cls(**{**d, "forms": tuple(d.get("forms", ())), "needs": tuple(d.get("needs", ()))})

    def applies_to(self, form: Form) -> bool:
        """No ``forms``: every form; else the forms named and those derived from them — less the rules a
        derived form removes (``spec/derive.py``)."""
        return (not self.forms or any(form.is_a(f) for f in self.forms)) and self.id not in form.removed_rules

    def finding(
        self,
        scope: str,
        *,
        place: Place | None = None,
        cells: Sequence[CellKey | str] = (),
        values: Mapping[str, Any] | None = None,
        unevaluable: bool = False,
        pending: bool = False,
        **words: Any,
    ) -> Finding:
        """A finding of this rule: its message (or ``unevaluable`` message) filled with ``values`` and ``words``.

        ``values`` are the evaluated numbers (kept in the finding, shown in the message); ``words`` the
        other placeholders, also kept in ``values`` when the finding is ``pending`` (待填写: a part still to
        write, whose name the front ends list).
        Together they must be exactly the words the kind declares: a kind that fills
        other words than it declares is a defect (ValueError), so the load check of the placeholders holds.
        """
        values = values or {}  # copied once, into the finding (``_make``)
        filled = {k: show(v) for k, v in values.items()}
        filled.update(words)
        declared = self._declared(unevaluable)
        if declared is not None and filled.keys() != declared:
            raise ValueError(f"rule {self.id}: kind {self.kind} fills {sorted(filled)}, declares {sorted(declared)}")
        text = self.unevaluable if unevaluable else self.message
        if text is None:
            raise ValueError(f"rule {self.id} has no unevaluable message")
        severity = Severity.PENDING if pending else self.severity
        if pending:
            values = {**values, **words}
        return self._make(scope, severity, text.format(id=self.id, **filled), place, cells, values)

    def _declared(self, unevaluable: bool) -> frozenset[str] | None:
        """The words the rule's kind fills (None for a kind not registered), worked out once per rule."""
        memo: dict[bool, frozenset[str] | None] | None = self.__dict__.get("_words")
        if memo is None:
            memo = {}
            object.__setattr__(self, "_words", memo)  # a frozen dataclass: the memo is not one of its fields
        if unevaluable not in memo:
            spec = KINDS.get(self.kind)
            memo[unevaluable] = None if spec is None else spec.provides(self.params, unevaluable=unevaluable)
        return memo[unevaluable]

    def broken(self, why: str) -> Finding:
        """The 错误 that stands for this rule when it could not run: never a silent pass."""
        message = f"{self.id} 规则无法执行，本项未校验（{why}）。这是程序或规格的问题，请联系维护人员。"
        return self._make("rule", Severity.ERROR, message, None, (), {})

    def _make(self, scope: str, severity: Severity, message: str, place: Place | None,
              cells: Sequence[CellKey | str], values: Mapping[str, Any]) -> Finding:
        return Finding(rule=self.id, severity=severity, message=message, key=f"{self.id}:{scope}",
                       place=place or _NOWHERE, cells=tuple(map(_text, cells)), values=dict(values))


_NOWHERE = Place()  # a finding that points at no place (a place is immutable: one serves them all)


_TEXTS: dict[Any, str] = {}  # a cell key as a finding lists it (a form has a few hundred)


def _text(key: CellKey | str) -> str:
    text = _TEXTS.get(key)
    if text is None:
        text = str(key)
        if len(_TEXTS) < 4096:
            _TEXTS[key] = text
    return text


@dataclass(frozen=True)
class Catalogue:
    """The checked rules, in catalogue order (the order findings are sorted in)."""

    version: str
    rules: tuple[Rule, ...]
    _by_id: Mapping[str, Rule] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {r.id: r for r in self.rules})

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def needing(self, need: str) -> tuple[Rule, ...]:
        """The rules that need ``need`` (one of :data:`NEEDS`), in catalogue order: ``needing("previous")`` is
        what a comparison with last year's report runs."""
        if need not in NEEDS:
            raise KeyError(f"no rule can need {need!r}; known: {', '.join(NEEDS)}")
        return tuple(r for r in self.rules if need in r.needs)

    def rule(self, rule_id: str) -> Rule:
        try:
            return self._by_id[rule_id]
        except KeyError:
            raise KeyError(f"the catalogue has no rule {rule_id!r}") from None


def for_form(items: Iterable[Mapping[str, Any]], *forms: Form) -> Iterator[Mapping[str, Any]]:
    """The items of a ``scoped`` parameter that belong to every one of ``forms`` (no ``forms`` key: all)."""
    for item in items:
        scoped = item.get("forms")
        if not scoped or all(any(f.is_a(s) for s in scoped) for f in forms):
            yield item


def load_catalogue() -> Catalogue:
    """The shipped catalogue with the rules every known form adds, checked; once per process and set of forms."""
    return _catalogue(known_forms())


@cache
def _catalogue(form_ids: tuple[str, ...]) -> Catalogue:
    return build_catalogue(load_rules(), {fid: load_form(fid) for fid in form_ids})


def build_catalogue(doc: Mapping[str, Any], forms: Mapping[str, Form] | None = None) -> Catalogue:
    """Check a catalogue document (``rules.json``'s content) and build it; ``SpecError`` lists every problem.

    ``forms`` defaults to every known form; the rules a derived form adds (``Form.added_rules``) follow the
    document's own. ``doc`` is not modified.
    """
    from . import kinds  # noqa: F401  (registers the kinds)

    all_forms = dict(forms) if forms is not None else {fid: load_form(fid) for fid in known_forms()}
    problems: list[str] = []
    rules: list[Rule] = []
    first: dict[str, int] = {}
    added = [r for f in all_forms.values() for r in f.added_rules]
    for i, d in enumerate([*doc.get("rules", ()), *added]):
        rid = d.get("id") if isinstance(d, Mapping) else None
        name = f"rule {rid}" if rid else f"rule #{i + 1}"
        if rid in first:
            problems.append(f"{name}: id is used twice (rules #{first[rid] + 1} and #{i + 1})")
        elif rid:
            first[rid] = i
        found = list(_rule_problems(d, all_forms)) if isinstance(d, Mapping) else ["not an object"]
        problems += [f"{name}: {p}" for p in found]
        if not found:
            rules.append(Rule.from_dict(d))
    if problems:
        raise SpecError("rules.json: " + "; ".join(problems))
    return Catalogue(str(doc.get("version", "")), tuple(rules))


# what a catalogue rule may be; 待填写 is made by the engine only (``Severity``)
CATALOGUE_SEVERITIES = (Severity.ERROR.value, Severity.WARNING.value, Severity.UNREAD.value)
_FIELDS = {"id", "kind", "severity", "title", "params", "message", "source", "unevaluable", "forms", "needs"}
_REQUIRED = _FIELDS - {"unevaluable", "forms", "needs"}


def _rule_problems(d: Mapping[str, Any], all_forms: Mapping[str, Form]) -> Iterator[str]:
    missing, extra = sorted(_REQUIRED - set(d)), sorted(set(d) - _FIELDS)
    if missing:
        yield f"missing field(s) {', '.join(missing)}"
    if extra:
        yield f"unknown field(s) {', '.join(extra)}"
    if missing or extra:
        return
    if d["severity"] not in CATALOGUE_SEVERITIES:
        yield f"severity {d['severity']!r} is not one of {', '.join(CATALOGUE_SEVERITIES)}"
    spec = KINDS.get(d["kind"]) if isinstance(d["kind"], str) else None
    if spec is None:
        yield f"unknown kind '{d['kind']}' (registered: {', '.join(sorted(KINDS))})"
        return
    yield from _needs_problems(d.get("needs", []), spec)
    if not isinstance(d.get("forms", []), list):
        yield "forms: expected a list of form ids"
        return
    unknown = [f for f in d.get("forms", ()) if f not in all_forms]
    if unknown:
        yield f"forms: unknown form(s) {', '.join(unknown)} (known: {', '.join(all_forms)})"
        return
    applies = Rule.from_dict({**d, "severity": Severity.ERROR.value})
    forms = [fid for fid, form in all_forms.items() if applies.applies_to(form)]
    # structure is the same in every form: report each problem once
    seen: dict[str, None] = {}
    for fid in forms:
        scope = Scope(all_forms[fid], frozenset(forms))
        for p in spec.params.problems(d["params"], "params", scope):
            seen.setdefault(p)
    yield from seen
    if not seen and spec.relations is not None:
        yield from (f"params: {p}" for p in spec.relations(d["params"]))
    yield from _words_problems(d, spec)


def _needs_problems(needs: Any, spec: KindSpec) -> Iterator[str]:
    """A rule declares exactly what its kind reads besides the report: a need left out would let the rule run
    without it and find nothing; one too many would keep it from running when it could."""
    if not isinstance(needs, list) or not all(isinstance(n, str) for n in needs):
        yield "needs: expected a list of names"
        return
    if unknown := [n for n in needs if n not in NEEDS]:
        yield f"needs: unknown {', '.join(unknown)} (known: {', '.join(NEEDS)})"
    elif set(needs) != spec.needs:
        wanted = ", ".join(sorted(spec.needs)) or "nothing"
        yield f"needs: [{', '.join(needs)}], but kind {spec.name} needs {wanted}"


def _words_problems(d: Mapping[str, Any], spec: KindSpec) -> Iterator[str]:
    if spec.unevaluable is None and d.get("unevaluable") is not None:
        yield f"has an unevaluable message, but kind {spec.name} never uses one"
    if spec.unevaluable is not None and d.get("unevaluable") is None:
        yield f"lacks the unevaluable message kind {spec.name} uses when a value cannot be read"
    for which, unevaluable in (("message", False), ("unevaluable", True)):
        template = d.get(which)
        if template is None:
            continue
        provided = spec.provides(d["params"], unevaluable=unevaluable) | {"id"}
        try:
            used = placeholders(template)
        except ValueError as exc:
            yield f"{which}: {exc}"
            continue
        for name in dict.fromkeys(used):
            if name not in provided:
                yield (f"{which}: placeholder {{{name}}} is not filled by kind {spec.name} "
                       f"(it fills: {', '.join(sorted(provided))})")

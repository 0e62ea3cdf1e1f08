"""Narrative kinds: figures and claims in the report's text, against its own tables.

The most frequent real defect is a narrative that contradicts its tables. These kinds read the
sentences of every narrative section (the clerk's text in the template, or a published report's
text), find the figures stated for table quantities with the terms the catalogue lists, and compare
them with the table. They only speak when they are sure what a number refers to: a figure whose term
is joined to another (“予以公开和部分公开共1816件”) or whose table cells are not numbers is left alone.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ...controls import controls, describe
from ...spec import CellKey, Form, Section
from ..catalogue import Rule, for_form
from ..findings import Finding, Place
from ..numbers import Number, exact_sum, show
from ..params import CellRef, ColumnRef, Flag, ListOf, MapOf, Obj, Regex, RowRef, SectionRef, TableRef, Text
from ..rules import RuleContext, kind, planned

_NARRATIVE = "正文各部分（模板“正文”表中填写的文字，或已公布报告的正文）"


def _sections_scope(params: Mapping[str, Any], form: Form) -> str:
    return "正文的" + "".join(f"“{s.heading}”" for s in form.sections if s.key in params["sections"])

_SENTENCE_END = "。！？!?"
_JOINERS = ("和", "及", "与", "、", "+", "以及", "或")
_NUMBER = r"(\d+(?:\.\d+)?)"
_QUOTE_MAX = 90
_DIGIT = re.compile(r"\d")  # what _NUMBER needs (the text is NFKC-normalised: full-width digits are digits)


@dataclass(frozen=True)
class Sentence:
    section: str
    text: str  # whitespace removed: PDF line breaks fall inside words and numbers


def sentences(narrative: dict[str, str]) -> Iterator[Sentence]:
    for section, raw in narrative.items():
        if not isinstance(raw, str):
            continue
        compact = compacted(raw)
        for part in re.split(f"(?<=[{_SENTENCE_END}])", compact):
            if part.strip():
                yield Sentence(section, part)


COMPACTED_TEXTS = 64  # texts remembered: the parts of the last few reports (each rule of one report asks again)


@functools.lru_cache(maxsize=COMPACTED_TEXTS)
def compacted(text: str) -> str:
    """The text NFKC-normalised, without whitespace (``str.split`` drops what ``str.isspace`` calls whitespace, in
    one pass in C: a province's audit compacts every report's 1 300 characters; the quick check skips the
    normalisation of text already in NFKC). Remembered: N1's sentences and Q1 ask for the same parts of a report,
    and the normalisation is most of what they cost (a full-width comma alone makes a Chinese text not NFKC)."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return "".join(text.split())


def _sentences(ctx: RuleContext) -> list[Sentence]:
    """The report's sentences, split once per report: three rules read them all."""
    found: list[Sentence] | None = ctx.report.__dict__.get("_sentences")
    if found is None:
        found = ctx.report.__dict__["_sentences"] = list(sentences(dict(ctx.report.narrative)))
    return found


def _value(ctx: RuleContext, terms: Sequence[str]) -> Number | None:
    """The sum of table cells, or None when any of them is not a number (then nothing is compared)."""
    nums = []
    for t in terms:
        r = ctx.report.reading(CellKey.parse(t))
        if r.kind != "number" or r.number is None:
            return None
        nums.append(r.number)
    return exact_sum(nums)


def _part(ctx: RuleContext, key: str) -> Section | None:
    """The narrative part (the preamble or a section of the form) a text belongs to."""
    return next((s for s in (*ctx.form.text_parts, *ctx.form.sections) if s.key == key), None)


def _section_place(ctx: RuleContext, section: str) -> Place:
    sec = _part(ctx, section)
    if sec is not None and sec.text_cell:
        return Place(sheet=ctx.form.narrative_sheet, cell=sec.text_cell, section=section)
    return Place(section=section)


def _section_name(ctx: RuleContext, section: str) -> str:
    sec = _part(ctx, section)
    return sec.heading if sec is not None else section


_FULL_WIDTH = str.maketrans(",;:()!?", "，；：（）！？")


def _quote(text: str, start: int) -> str:
    """The sentence (or the part around the figure), with the punctuation a Chinese text uses."""
    if len(text) > _QUOTE_MAX:
        left = max(0, min(start - 20, len(text) - _QUOTE_MAX))
        text = ("…" if left else "") + text[left:left + _QUOTE_MAX] + ("…" if left + _QUOTE_MAX < len(text) else "")
    return text.translate(_FULL_WIDTH)


def _mentions(text: str, term: str, after: bool, unit: str, form: Form) -> Iterator[tuple[int, int, float]]:
    """(start, end, number) of every figure stated for a term: “受理…申请3119件” or “103件顺延到下年度”.

    A count may be stated with any of the words a narrative counts with (件, 条, 个…); an amount with its unit.
    """
    if term not in text:
        return
    vocabulary = form.units
    units = "|".join(vocabulary.in_text) if vocabulary.is_count(unit) else unit
    for pat in _patterns(term, after, units):
        for m in pat.finditer(text):
            if any(j in m.group("gap") for j in _JOINERS) or _joined(text, m.start(), form):
                continue  # the number belongs to a joined phrase (“予以公开和部分公开共…”): not this term's alone
            number = float(next(g for g in m.groups() if g and re.fullmatch(r"\d+(?:\.\d+)?", g)))
            yield m.start(), m.end(), number


@functools.lru_cache(maxsize=1024)
def _patterns(term: str, after: bool, units: str) -> tuple[re.Pattern[str], ...]:
    """The figure patterns of a term, compiled once per process (``units``: alternatives joined by ``|``)."""
    alternatives = "|".join(map(re.escape, units.split("|")))
    gap = r"[^0-9。；;，,]{0,16}?"
    patterns = [re.escape(term) + f"(?P<gap>{gap}){_NUMBER}(?:{alternatives})"]
    if after:
        patterns.append(f"{_NUMBER}(?:{alternatives})(?P<gap>[^0-9。；;，,]{{0,6}}?){re.escape(term)}")
    return tuple(re.compile(p) for p in patterns)


def _joined(text: str, start: int, form: Form) -> bool:
    """The term follows a joiner that links it to a previous term, not to a previous figure (“1191件、部分公开”)."""
    if start == 0 or text[start - 1] not in _JOINERS:
        return False
    u = form.units
    units = "|".join(map(re.escape, (*u.in_text, u.amount, u.smaller_amount)))
    return not re.search(rf"\d(?:{units})$", text[: start - 1])


_CLAUSE_END = "，,；;：:。！？!?"


def _qualified(text: str, start: int, end: int, qualifiers: Sequence[str]) -> bool:
    """The figure is a part of the term's whole: a qualifier stands before the term in its clause, or in the gap
    between the term and the figure (“所有办结的申请中同意公开答复9件” states the 同意公开 ones, not the 办结 ones)."""
    if not qualifiers:
        return False
    clause = max(text.rfind(c, 0, start) for c in _CLAUSE_END) + 1
    return any(q in text[clause:end] for q in qualifiers)


def _same(a: float, b: Number) -> bool:
    return abs(a - float(b)) < 1e-9


_ACCEPT = ListOf(ListOf(CellRef(), min_items=1), min_items=1)  # alternative sums of cells, any may match
_QUOTED = ("section", "quote", "name", "expected")
_FIGURE = Obj({
    "name": Text(), "terms": ListOf(Text(), min_items=1), "needs": Text(optional=True),
    "qualifiers": ListOf(Text(), optional=True),
    "after": Flag(optional=True), "unit": Text(optional=True), "subject": Text(optional=True), "accept": _ACCEPT,
}, scoped=True)
# 结果维持/纠正/… of table 四: term → column, subject (a figure's ``subject``) → rows (each has every column)
_OUTCOMES = Obj({"table": TableRef(), "terms": MapOf(ColumnRef()),
                 "subjects": MapOf(ListOf(RowRef(every_column=True), min_items=1))})


def _subjects_known(params: Mapping[str, Any]) -> Iterator[str]:
    """A figure's ``subject`` names an entry of ``outcomes.subjects``, and each entry has its figure."""
    named = [fig["subject"] for fig in params["figures"] if "subject" in fig]
    for i, fig in enumerate(params["figures"]):
        if "subject" in fig and fig["subject"] not in params["outcomes"]["subjects"]:
            yield f"figures[{i}].subject: '{fig['subject']}' is not in outcomes.subjects"
    for key in params["outcomes"]["subjects"]:
        if key not in named:
            yield f"outcomes.subjects.{key}: no figure has this subject (its outcomes would never be read)"


@kind("narrative_figures", params={"figures": ListOf(_FIGURE, min_items=1), "outcomes": _OUTCOMES},
      words=("stated", "unit", *_QUOTED), relations=_subjects_known, scope=_NARRATIVE)
def narrative_figures(ctx: RuleContext) -> Iterator[Finding]:
    plan = planned(ctx, _figures_plan)
    outcomes = ctx.params["outcomes"]
    said = [s for s in _sentences(ctx) if _DIGIT.search(s.text)]
    # every figure and outcome is stated with a number: a sentence without one states none; and a term is looked
    # for sentence by sentence only when the report's text holds it at all (one scan of the text per term)
    whole = "\n".join(s.text for s in said)
    subject_terms = [(term, subject) for term, subject in plan.subject_terms if term in whole]
    mentions = [(fig, kept) for fig, terms in plan.mentions if (kept := [t for t in terms if t[0] in whole])]
    outcome_terms = [term for term in plan.outcome_terms if term in whole]
    for s in said:
        subjects: list[tuple[int, str]] = []
        for term, subject in subject_terms:
            if term in s.text:
                subjects += [(m.start(), subject) for m in re.finditer(re.escape(term), s.text)]
        subjects.sort()
        seen: set[tuple[int, int]] = set()
        for fig, terms in mentions:
            for term, unit, after in terms:
                if term not in s.text:
                    continue
                for start, end, stated in _mentions(s.text, term, after, unit, ctx.form):
                    if (start, end) in seen:
                        continue
                    if fig.get("needs") and fig["needs"] not in s.text[start:end]:
                        continue
                    if _qualified(s.text, start, end, fig.get("qualifiers", ())):
                        continue
                    seen.add((start, end))
                    yield from _compare(ctx, s, start, fig["name"], stated, fig["accept"], unit)
        if outcome_terms:
            yield from _outcomes(ctx, s, subjects, plan.names, outcomes, outcome_terms)


@dataclass(frozen=True)
class _FiguresPlan:
    """What ``narrative_figures`` looks for in every sentence, worked out once per rule and form: the terms that
    name a subject (复议, 诉讼), each figure's terms longest first with their unit and direction, the subjects'
    names, and the outcome terms longest first."""

    subject_terms: tuple[tuple[str, str], ...]
    mentions: tuple[tuple[Mapping[str, Any], tuple[tuple[str, str, bool], ...]], ...]
    names: dict[str, str]
    outcome_terms: tuple[str, ...]


def _figures_plan(rule: Rule, form: Form) -> _FiguresPlan:
    figures = list(for_form(rule.params["figures"], form))
    count = form.units.counts[0]
    return _FiguresPlan(
        tuple((term, fig["subject"]) for fig in figures if fig.get("subject") for term in fig["terms"]),
        tuple((fig, tuple((term, fig.get("unit", count), bool(fig.get("after")))
                          for term in sorted(fig["terms"], key=len, reverse=True))) for fig in figures),
        {fig["subject"]: fig["name"] for fig in figures if fig.get("subject")},
        tuple(sorted(rule.params["outcomes"]["terms"], key=len, reverse=True)))


def _outcomes(ctx: RuleContext, s: Sentence, subjects: list[tuple[int, str]], names: dict[str, str],
              outcomes: dict[str, Any], terms: Sequence[str]) -> Iterator[Finding]:
    """结果维持/纠正/其他结果/尚未审结 of the 复议 or 诉讼 most recently named in the sentence.

    ``names`` words each subject as its figure does (行政复议, 行政诉讼); ``terms`` are the outcomes' terms,
    longest first.
    """
    taken: list[tuple[int, int]] = []
    for term in terms:
        column = outcomes["terms"][term]
        count = ctx.form.units.counts[0]
        for start, end, stated in _mentions(s.text, term, False, count, ctx.form):
            if any(a <= start < b for a, b in taken):
                continue
            taken.append((start, end))
            before = [subj for pos, subj in subjects if pos < start]
            if not before:
                continue
            rows = outcomes["subjects"][before[-1]]
            name = names[before[-1]] + term
            accept = [[str(CellKey(outcomes["table"], row, column)) for row in rows]]
            yield from _compare(ctx, s, start, name, stated, accept, count)


def _compare(ctx: RuleContext, s: Sentence, start: int, name: str, stated: float,
             accept: Sequence[Sequence[str]], unit: str) -> Iterator[Finding]:
    values = [_value(ctx, terms) for terms in accept]
    if any(v is None for v in values) or any(_same(stated, v) for v in values if v is not None):
        return
    expected = "或".join(show(v) for v in values)
    quote = _quote(s.text, start)
    yield ctx.finding(f"{s.section}.{name}.{show(stated)}", place=_section_place(ctx, s.section),
                      values={"stated": stated}, section=_section_name(ctx, s.section),
                      quote=quote, name=name, unit=unit, expected=expected)


@kind("narrative_none", params={"claims": ListOf(Obj({"name": Text(), "pattern": Regex(), "accept": _ACCEPT}),
                                                min_items=1)},
      words=_QUOTED, scope=_NARRATIVE)
def narrative_none(ctx: RuleContext) -> Iterator[Finding]:
    for s in _sentences(ctx):
        for claim in ctx.params["claims"]:
            m = re.search(claim["pattern"], s.text)
            if not m:
                continue
            values = [_value(ctx, terms) for terms in claim["accept"]]
            if any(v is None for v in values) or all(v == 0 for v in values):
                continue
            yield ctx.finding(f"{s.section}.{claim['name']}", place=_section_place(ctx, s.section),
                              section=_section_name(ctx, s.section), quote=_quote(s.text, m.start()),
                              name=claim["name"], expected=show(values[0]))


@kind("narrative_period", params={"pattern": Regex(groups=2)}, words=("section", "quote", "stated", "year"),
      scope=_NARRATIVE)
def narrative_period(ctx: RuleContext) -> Iterator[Finding]:
    year = ctx.report.year
    if year is None:
        return
    for s in _sentences(ctx):
        for m in re.finditer(ctx.params["pattern"], s.text):
            stated = int(m.group(2))
            if stated != year:
                yield ctx.finding(f"{s.section}.period", place=_section_place(ctx, s.section),
                                  section=_section_name(ctx, s.section), quote=_quote(s.text, m.start()),
                                  stated=str(stated), year=str(year))


@kind("section_text", params={"sections": ListOf(SectionRef(), min_items=1, unique=True)}, words=("section",),
      scope=_sections_scope)
def section_text(ctx: RuleContext) -> Iterator[Finding]:
    """Every required text section has text; a section the source does not contain is the importer's finding.

    In a 汇总 this tool made, an empty section is 待填写, not an 错误: the sums come from the units' reports, the
    words are the office's own to write, so a consolidation that wrote its sum succeeded — and export and the
    publishable report still wait for the text.
    """
    pending = ctx.report.origin == "consolidation"
    for key in ctx.params["sections"]:
        if not ctx.report.present(key):
            continue
        text = ctx.report.narrative.get(key)
        if not isinstance(text, str) or not text.strip():
            yield ctx.finding(f"section.{key}", place=_section_place(ctx, key), pending=pending,
                              section=_section_name(ctx, key))


@kind("text_controls", params={}, words=("where", "chars", "position"), scope="封面的文字和正文各部分")
def text_controls(ctx: RuleContext) -> Iterator[Finding]:
    """Invisible control characters in a text the report prints (the cover's texts, every narrative part).

    Mostly Word's soft line break (U+000B) brought in by pasting; every output makes them safe
    (``core.controls``), and the finding names the cell so the clerk can remove them.
    """
    for f in ctx.form.metadata_fields:
        value = ctx.report.metadata.get(f.key)
        found = controls(value) if isinstance(value, str) else []
        if found:
            yield ctx.finding(f"field.{f.key}", place=ctx.field_place(f.key),
                              where=f"{ctx.form.metadata_sheet}“{f.label}”", chars=_chars(found),
                              position=str(found[0][0]))
    for key, text in ctx.report.narrative.items():
        found = controls(text) if isinstance(text, str) else []
        if found:
            yield ctx.finding(f"section.{key}", place=_section_place(ctx, key),
                              where=f"{ctx.form.narrative_sheet}“{_section_name(ctx, key)}”", chars=_chars(found),
                              position=str(found[0][0]))


def _chars(found: Sequence[tuple[int, str]]) -> str:
    kinds = list(dict.fromkeys(ch for _, ch in found))
    return f"{len(found)} 个（" + "、".join(describe(ch) for ch in kinds) + "）"

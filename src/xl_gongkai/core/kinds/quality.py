"""Quality kinds (质量体检): what evaluators deduct points for in the narrative and in the publication itself.

Text repeated from last year's report, parts of 一、总体情况 missing, a 五 of stock phrases only, publication after
the deadline, and the kinds local rule packs use (a length cap, counts required near keywords). The measures are in
``core.quality``; these kinds only decide and word the findings. All are 提示 in the catalogue: an evaluator's
deduction, not an arithmetic fault — a pack may make one an 错误 (``core.packs``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ...spec import CellKey, Form
from ..catalogue import Rule
from ..dates import as_date
from ..findings import Finding, Place
from ..numbers import Number, exact_sum
from ..params import CellRef, ListOf, Numeric, Obj, SectionRef, Text
from ..quality import is_government, normalise, percent, repeated
from ..report import Report
from ..rules import RuleContext, kind
from .crossyear import _previous
from .narrative import _section_name, _section_place, compacted, sentences

# what a rule of each kind looks at, for the rules page
_REPEATED_SCOPE = "正文各部分与上一年度报告的同一部分对比（--previous，或审核文件夹中同一机关相邻年度的报告）"
_PUBLISHED_SCOPE = "报告的公布日期（网页的发布日期，或 --published）"
_FLAG_SCOPE = "审核文件夹时列入“概览”和“质量”表（校验单份报告时不提示）"


def _section_scope(params: Mapping[str, Any], form: Form) -> str:
    return f"正文“{form.section(params['section']).heading}”"


PUBLISHED = "published_on"  # the metadata key of the publication date: a page's 发布日期, or ``--published``


def last_year(ctx: RuleContext) -> Report | None:
    """Last year's report, when one of the year before was given: the one place this module reaches it."""
    return _previous(ctx)


def _text(report: Report, section: str) -> str:
    text = report.narrative.get(section)
    return text if isinstance(text, str) else ""


@kind("text_repeated", params={"sections": ListOf(SectionRef(), min_items=1, unique=True),
                               "threshold": Numeric(minimum=0)},
      words=("section", "share", "threshold", "passages"), needs=("previous",), scope=_REPEATED_SCOPE)
def text_repeated(ctx: RuleContext) -> Iterator[Finding]:
    """A text part that repeats more than ``threshold`` of last year's same part, figures and dates aside."""
    prev = last_year(ctx)
    if prev is None:
        return
    for key in ctx.params["sections"]:
        found = repeated(_text(ctx.report, key), _text(prev, key))
        if found is None or found.share <= ctx.params["threshold"]:
            continue
        passages = "；".join(f"“{p}”" for p in found.passages)
        yield ctx.finding(f"section.{key}", place=_section_place(ctx, key), section=_section_name(ctx, key),
                          share=percent(found.share), threshold=percent(ctx.params["threshold"]), passages=passages)


_PART = Obj({"name": Text(), "keywords": ListOf(Text(), min_items=1)})


@kind("overview_parts", params={"section": SectionRef(), "parts": ListOf(_PART, min_items=1),
                                "government_parts": ListOf(_PART), "government_suffixes": ListOf(Text(), min_items=1),
                                "min_chars": Numeric(integer=True, minimum=0)},
      words=("section", "missing", "who"), scope=_section_scope)
def overview_parts(ctx: RuleContext) -> Iterator[Finding]:
    """The sub-parts the 2021 notice lists for 一、总体情况, each by its heading or a keyword; for a people's
    government's report (told from the agency's name) also 工作考核、社会评议和责任追究 (条例第五十条)."""
    key = ctx.params["section"]
    text = _compact(_text(ctx.report, key))
    if len(text) < ctx.params["min_chars"]:
        return  # an empty section is S1's; a few lines (an excerpt, a draft) cannot be judged part by part
    government = is_government(ctx.report.agency, ctx.params["government_suffixes"])
    parts = [*ctx.params["parts"], *(ctx.params["government_parts"] if government else ())]
    missing = [p["name"] for p in parts if not any(k in text for k in p["keywords"])]
    if missing:
        yield ctx.finding(f"section.{key}", place=_section_place(ctx, key), section=_section_name(ctx, key),
                          missing="、".join(missing), who="人民政府" if government else "部门")


@kind("stock_phrases", params={"section": SectionRef(), "phrases": ListOf(Text(), min_items=1, unique=True),
                               "min_concrete": Numeric(integer=True, minimum=0)},
      words=("section", "phrases"), scope=_section_scope)
def stock_phrases(ctx: RuleContext) -> Iterator[Finding]:
    """A part made of stock phrases: every sentence holds one of ``phrases`` and none states a figure, or what is
    left without them is shorter than ``min_concrete`` characters — no concrete problem, no concrete measure."""
    key = ctx.params["section"]
    said = [s.text for s in sentences({key: _text(ctx.report, key)})]
    if not said:
        return
    used = [p for p in ctx.params["phrases"] if any(p in s for s in said)]
    used = [p for p in used if not any(p != q and p in q for q in used)]  # “不够完善” inside “还不够完善”
    if not used:
        return
    concrete = sum(len(normalise(s)[0]) for s in said if not any(p in s for p in used))
    figures = any(re.search(r"\d", s) for s in said)
    if concrete < ctx.params["min_concrete"] and not figures:
        yield ctx.finding(f"section.{key}", place=_section_place(ctx, key), section=_section_name(ctx, key),
                          phrases="、".join(f"“{p}”" for p in used))


_DAY = Obj({"month": Numeric(integer=True, minimum=1), "day": Numeric(integer=True, minimum=1)})


@kind("published_by", params={"department": _DAY, "government": _DAY,
                              "government_suffixes": ListOf(Text(), min_items=1)},
      words=("date", "deadline", "late", "who"), scope=_PUBLISHED_SCOPE)
def published_by(ctx: RuleContext) -> Iterator[Finding]:
    """Publication after the deadline: a department's by ``department`` (条例第四十九条: 31 January), a people's
    government's by ``government`` (31 March), of the year after the report's. Only where the input carries its
    publication date (a page's 发布日期, ``--published``)."""
    published = as_date(ctx.report.metadata.get(PUBLISHED))
    year = ctx.report.year
    if published is None or year is None:
        return
    government = is_government(ctx.report.agency, ctx.params["government_suffixes"])
    due = ctx.params["government" if government else "department"]
    try:
        deadline = dt.date(year + 1, due["month"], due["day"])
    except ValueError:
        yield ctx.rule.broken(f"截止日期 {due['month']}月{due['day']}日 不是日期")
        return
    if published > deadline:
        yield ctx.finding("publication", place=Place(), date=_day(published),
                          deadline=_day(deadline), late=str((published - deadline).days),
                          who="人民政府" if government else "部门")


def _day(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _compact(text: str) -> str:
    return compacted(text)


@kind("text_length", params={"section": SectionRef(), "max": Numeric(integer=True, minimum=1)},
      words=("section", "length", "max"), scope=_section_scope)
def text_length(ctx: RuleContext) -> Iterator[Finding]:
    """A length cap on a text part (a locality's, in a pack), counted in characters without whitespace — as a
    word processor's 字数 counts Chinese text."""
    key = ctx.params["section"]
    length = len(_compact(_text(ctx.report, key)))
    if length > ctx.params["max"]:
        yield ctx.finding(f"section.{key}", place=_section_place(ctx, key), section=_section_name(ctx, key),
                          length=str(length), max=str(ctx.params["max"]))


@kind("counts_near", params={"section": SectionRef(), "items": ListOf(_PART, min_items=1),
                             "window": Numeric(integer=True, minimum=1)},
      words=("section", "missing"), scope=_section_scope)
def counts_near(ctx: RuleContext) -> Iterator[Finding]:
    """Counts a locality requires in a part (条数 of 主动公开, 政策解读, 回应关切): each item needs a figure within
    ``window`` characters after one of its keywords, in the same sentence."""
    key = ctx.params["section"]
    said = [s.text for s in sentences({key: _text(ctx.report, key)})]
    if not said:
        return
    window = ctx.params["window"]
    missing = [item["name"] for item in ctx.params["items"] if not _counted(said, item["keywords"], window)]
    if missing:
        yield ctx.finding(f"section.{key}", place=_section_place(ctx, key), section=_section_name(ctx, key),
                          missing="、".join(missing))


def _counted(said: Sequence[str], keywords: Sequence[str], window: int) -> bool:
    for s in said:
        for k in keywords:
            for m in re.finditer(re.escape(k), s):
                if re.search(r"\d", s[m.end():m.end() + window]):
                    return True
    return False


@kind("audit_flag", params={"cells": ListOf(CellRef(), min_items=1, unique=True)}, words=("count",),
      scope=_FLAG_SCOPE)
def audit_flag(_ctx: RuleContext) -> list[Finding]:
    """What an office wants listed about each report of a folder (表四's 结果纠正: 复议纠错, 诉讼败诉), counted by the
    audit (``commands.audit_quality``) in its overview and 质量 sheet; never a finding of ``check``: a clerk has
    nothing to correct or explain in a corrected decision."""
    return []


def flagged(report: Report, rule: Rule) -> Number | None:
    """The sum of an ``audit_flag`` rule's cells in a report, when it is more than 0 (blank and text count as 0)."""
    nums = [r.number for key in rule.params["cells"]
            if (r := report.reading(CellKey.parse(key))).kind == "number" and r.number is not None]
    total = exact_sum(nums) if nums else 0
    return total if total > 0 else None

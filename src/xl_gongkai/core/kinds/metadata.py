"""Metadata kinds: the agency is named, the year is plausible, codes and periods are well-formed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from ...spec import Form
from ..dates import as_date
from ..findings import Finding
from ..numbers import read
from ..params import FieldRef
from ..rules import RuleContext, kind


def _field_scope(params: Mapping[str, Any], form: Form) -> str:
    return f"封面“{form.field(params['field']).label}”"


def _period_scope(params: Mapping[str, Any], form: Form) -> str:
    return f"封面“{form.field(params['start']).label}”“{form.field(params['end']).label}”"

# GB 32100-2015: 18 characters from this alphabet; the last is a check character.
_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CODE_WEIGHTS = [pow(3, i, 31) for i in range(17)]


def credit_code_problem(code: str) -> str | None:
    """Why a 统一社会信用代码 is malformed, or ``None`` when it is well-formed with a valid check character."""
    if len(code) != 18:
        return f"应为18位，现为{len(code)}位。"
    wrong = sorted({ch for ch in code if ch not in _CODE_ALPHABET})
    if wrong:
        return f"含有编码规则不允许的字符“{''.join(wrong)}”（不使用 I、O、Z、S、V）。"
    total = sum(_CODE_ALPHABET.index(ch) * w for ch, w in zip(code[:17], _CODE_WEIGHTS, strict=True))
    expected = _CODE_ALPHABET[(31 - total % 31) % 31]
    if code[17] != expected:
        return f"校验位不符（按前17位计算应为“{expected}”），请核对是否抄错。"
    return None


def _blank(value: Any) -> bool:
    return read(value).kind == "blank"


@kind("metadata_required", params={"field": FieldRef()}, words=("label",), scope=_field_scope)
def required(ctx: RuleContext) -> Iterator[Finding]:
    key = ctx.params["field"]
    value = ctx.report.metadata.get(key)
    if ctx.report.field_absent(key):
        return  # a published report's text that does not state it: I6 says so once (待核对)
    if _blank(value) or (isinstance(value, str) and not value.strip()):
        yield ctx.finding(f"metadata.{key}", place=ctx.field_place(key), label=ctx.form.field(key).label)


@kind("metadata_year", params={"field": FieldRef()}, words=("label", "value", "reason"), scope=_field_scope)
def year(ctx: RuleContext) -> Iterator[Finding]:
    key = ctx.params["field"]
    raw = ctx.report.metadata.get(key)
    y = ctx.report.year
    form = ctx.form
    if _blank(raw) and ctx.report.field_absent(key):
        return  # a published report's text that does not state it: I6 says so once (待核对)
    if _blank(raw):
        reason = "未填写报告年度。"
    elif y is None:
        reason = "不是有效的四位数年份。"
    elif y < form.first_year:
        reason = f"本模板采用的格式（{form.short_source}）自{form.first_year}年度报告起使用。"
    elif form.last_year is not None and y > form.last_year:
        reason = f"本格式只用于{form.last_year}年度及以前的报告。"
    elif y > ctx.today.year:
        reason = f"{y}年度尚未开始（今天是{ctx.today.isoformat()}）。"
    else:
        return
    yield ctx.finding(f"metadata.{key}", place=ctx.field_place(key), label=form.field(key).label,
                      value="" if _blank(raw) else str(raw), reason=reason)


@kind("credit_code", params={"field": FieldRef()}, words=("label", "value", "reason"), scope=_field_scope)
def credit_code(ctx: RuleContext) -> Iterator[Finding]:
    key = ctx.params["field"]
    raw = ctx.report.metadata.get(key)
    if _blank(raw):
        return
    code = str(raw).strip().upper()
    problem = credit_code_problem(code)
    if problem:
        yield ctx.finding(f"metadata.{key}", place=ctx.field_place(key), label=ctx.form.field(key).label,
                          value=str(raw), reason=problem)


@kind("metadata_period", params={"start": FieldRef(), "end": FieldRef()}, words=("start", "end", "year"),
      unevaluable=("label", "value"), scope=_period_scope)
def period(ctx: RuleContext) -> Iterator[Finding]:
    keys = (ctx.params["start"], ctx.params["end"])
    raws = [ctx.report.metadata.get(k) for k in keys]
    if all(_blank(r) for r in raws):
        return
    dates = []
    for k, raw in zip(keys, raws, strict=True):
        d = None if _blank(raw) else as_date(raw)
        if d is None:
            yield ctx.finding(f"metadata.{k}", place=ctx.field_place(k), unevaluable=True,
                              label=ctx.form.field(k).label, value="" if _blank(raw) else str(raw))
        dates.append(d)
    start, end = dates
    y = ctx.report.year
    # a year no calendar date has (10000, 2^31) is M2's finding; there is no period to compare it with
    if start is None or end is None or y is None or not dt.MINYEAR <= y <= dt.MAXYEAR:
        return
    if (start, end) != (dt.date(y, 1, 1), dt.date(y, 12, 31)):
        yield ctx.finding(f"metadata.{keys[0]}", place=ctx.field_place(keys[0]),
                          start=start.isoformat(), end=end.isoformat(), year=str(y))

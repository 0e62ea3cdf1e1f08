"""Each real report checks clean; then each rule is broken once and caught at the right keys."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import TODAY, load
from xl_gongkai.core.findings import ERROR, WARNING
from xl_gongkai.core.report import Report
from xl_gongkai.core.rules import KINDS, Rule, catalogue, check
from xl_gongkai.spec import CellKey


def keys(report: Report) -> set[str]:
    return {f.key for f in check(report, today=TODAY).findings}


def changed(report: Report, **cells: Any) -> Report:
    return report.with_values({CellKey.parse(k.replace("__", ".")): v for k, v in cells.items()})


def bump(report: Report, cell: str, delta: int = 1) -> Report:
    k = CellKey.parse(cell)
    return report.with_values({k: report.values[k] + delta})


def test_real_reports_check_clean(real_report: Report) -> None:
    v = check(real_report, today=TODAY)
    if real_report.narrative:
        assert v.findings == ()
        assert v.valid and v.ready
    else:  # 宿迁's typed-in document holds the tables only: S1 names the three text sections, nothing else
        assert {f.key for f in v.findings} == {"S1:section.overview", "S1:section.problems", "S1:section.other"}


def test_r1_balance_broken_in_one_column(huaian: Report) -> None:
    # 四 raised in 自然人 and in 总计 (so the row still adds up): only the balance of those two columns fails
    r = bump(bump(huaian, "requests.carried_out.natural_person"), "requests.carried_out.total")
    # the narrative's “另有 103 件顺延到下年度” now contradicts the table: N1 says so too
    assert keys(r) == {"R1:requests.*.natural_person", "R1:requests.*.total", "N1:overview.结转下年度.103"}
    f = check(r, today=TODAY).by_rule("R1")[0]
    assert f.values == {"left": 3001 + 34, "right": 2932 + 104, "diff": -1}
    assert "左边（一+二）= 3035" in f.message and "右边（（七）总计+四）= 3036" in f.message and "差额 -1" in f.message
    assert f.place.a1() == "'表三 依申请公开'!D29"
    assert set(f.cells) == {f"requests.{r}.natural_person" for r in ("new", "carried_in", "total", "carried_out")}


def test_r2_row_total_broken(huaian: Report) -> None:
    r = bump(huaian, "requests.withheld_query.total", 5)
    assert keys(r) == {"R2:requests.withheld_query.total", "R3:requests.total.total"}
    f = check(r, today=TODAY).by_rule("R2")[0]
    assert f.values == {"left": 110, "right": 105, "diff": 5}
    assert f.place.cell == "J16"


def test_r3_outcome_total_broken(reference: Report) -> None:
    r = bump(reference, "requests.total.research", 2)
    assert keys(r) == {"R3:requests.total.research", "R2:requests.total.total", "R1:requests.*.research"}
    f = check(r, today=TODAY).by_rule("R3")[0]
    assert f.values == {"left": 2, "right": 0, "diff": 2}
    assert f.place.a1() == "'表三 依申请公开'!F28"


@pytest.mark.parametrize("row", ["review", "direct", "after_review"])
def test_r4_appeal_totals(huaian: Report, row: str) -> None:
    r = bump(huaian, f"appeals.{row}.pending")
    # and the narrative's “尚未审结 37 件” (复议) or “7 件” (诉讼) no longer matches: N1
    stated = "N1:overview.行政复议尚未审结.37" if row == "review" else "N1:overview.行政诉讼尚未审结.7"
    assert keys(r) == {f"R4:appeals.{row}.total", stated}


def test_v1_blank_is_not_zero(huaian: Report) -> None:
    r = changed(huaian, requests__rejected_mass__research=None)
    got = keys(r)
    assert "V1:requests.rejected_mass.research" in got
    # the equations through that cell cannot be evaluated, and say so
    assert {"R2:requests.rejected_mass.total", "R3:requests.total.research"} <= got
    f = next(x for x in check(r, today=TODAY).findings if x.rule == "R2")
    assert "无法校验" in f.message and "“科研机构”" in f.message and f.severity == ERROR


def test_v1_blank_total_hints_at_fill(huaian: Report) -> None:
    f = check(changed(huaian, appeals__review__total=None), today=TODAY).by_rule("V1")[0]
    assert "填充合计" in f.message and f.place.cell == "E5"


@pytest.mark.parametrize("text", ["/", "三", "12件", "#REF!"])
def test_v2_text_in_number_cell(reference: Report, text: str) -> None:
    r = changed(reference, active__penalty__decisions=text)
    f = check(r, today=TODAY).by_rule("V2")[0]
    assert f.key == "V2:active.penalty.decisions" and f"“{text}”" in f.message
    assert f.place.a1() == "'表二 主动公开'!B11"


@pytest.mark.parametrize("value", [-1, 2.5, 10**13])
def test_v3_counts_are_whole_non_negative(reference: Report, value: Any) -> None:
    r = changed(reference, active__licensing__decisions=value)
    assert "V3:active.licensing.decisions" in keys(r)


def test_v3_integral_floats_are_counts(reference: Report) -> None:
    # python-calamine returns 5.0 for an integer cell: that is a whole number
    assert keys(changed(reference, active__licensing__decisions=5.0)) == set()


@pytest.mark.parametrize(("value", "bad"), [
    (12.3456789, True), (-0.5, True), (20.3, False), (59237.2449, False),
    (5949.088667, False),  # 平潭 2023 as published: 59 490 886.67 元, six decimals of 万元 are exact to the 分
    (5949.0886671, True),  # a seventh decimal is less than a 分
])
def test_v4_amount_in_wanyuan(reference: Report, value: float, bad: bool) -> None:
    assert ("V4:active.fees.amount" in keys(changed(reference, active__fees__amount=value))) is bad


def test_v5_fee_typed_in_yuan_is_a_hint(reference: Report) -> None:
    r = changed(reference, active__fees__amount=3940000)
    f = check(r, today=TODAY).by_rule("V5")[0]
    assert f.severity == WARNING and "394 亿元" in f.message
    v = check(r, today=TODAY)
    assert v.valid and not v.ready  # a 提示 may stand, but only with an explanation
    v2 = check(r.with_explanations({f.key: "本年度收费确为394亿元（全市汇总）。"}), today=TODAY)
    assert v2.ready and v2.findings[0].explanation


def test_m1_agency_required(reference: Report) -> None:
    r = Report(reference.form, {**reference.metadata, "agency": "  "}, reference.values)
    f = check(r, today=TODAY).by_rule("M1")[0]
    assert f.place.a1() == "'封面'!B3"


@pytest.mark.parametrize(("year", "reason"), [
    (2019, "自2021年度"), (2030, "尚未开始"), ("二〇二五", "四位数"), (None, "未填写"),
])
def test_m2_year_plausible(reference: Report, year: Any, reason: str) -> None:
    r = Report(reference.form, {**reference.metadata, "year": year}, reference.values)
    f = check(r, today=TODAY).by_rule("M2")[0]
    assert reason in f.message and f.place.cell == "B6"


@pytest.mark.parametrize(("code", "ok"), [
    # Real codes published by their holders; four independent holders all pass, so the algorithm is right.
    ("914403001922038216", True), ("91110108551385082Q", True), ("11100000000013127D", True),
    ("914403001922038217", False), ("91440300192203821", False), ("9144030019220382I6", False),
])
def test_m3_credit_code(reference: Report, code: str, ok: bool) -> None:
    r = Report(reference.form, {**reference.metadata, "credit_code": code}, reference.values)
    assert ("M3:metadata.credit_code" in keys(r)) is not ok


def test_m4_period_must_match_year(reference: Report) -> None:
    md = {**reference.metadata, "period_start": "2024-01-01", "period_end": "2024-12-31"}
    f = check(Report(reference.form, md, reference.values), today=TODAY).by_rule("M4")[0]
    assert "2024-01-01" in f.message and "2025" in f.message
    md["period_start"] = "去年"
    assert "M4:metadata.period_start" in keys(Report(reference.form, md, reference.values))


def test_one_run_collects_every_finding(huaian: Report) -> None:
    r = changed(huaian, requests__new__commercial="五十", appeals__direct__upheld=-3,
                active__fees__amount=123.4567891)
    r = Report(r.form, {**r.metadata, "agency": ""}, r.values)
    rules = {f.rule for f in check(r, today=TODAY).findings}
    assert {"V2", "V3", "V4", "M1", "R1", "R2", "R4"} <= rules


def test_a_rule_that_cannot_run_is_an_error(reference: Report) -> None:
    broken = [
        Rule("Z1", "no_such_kind", WARNING, "t", {}, "{id} x", "s"),
        Rule("Z2", "sum", WARNING, "t", {"table": "no_table", "axis": "row", "key": "x"}, "{id} x", "s"),
    ]
    v = check(reference, today=TODAY, rules=broken)
    assert [(f.rule, f.severity) for f in v.findings] == [("Z1", ERROR), ("Z2", ERROR)]
    assert all("无法执行" in f.message for f in v.findings)


def test_every_catalogue_kind_is_registered() -> None:
    check(load("panzhihua-dongqu-kejiju-2025"), today=TODAY)
    assert all(r.kind in KINDS for r in catalogue())


def test_the_rules_a_report_is_checked_by_are_the_rules_given_each_time(huaian: Report) -> None:
    """Which rules apply is worked out once per sequence of rules and form: another sequence — fewer rules, the
    same rules in another order, a list changed in place — is checked by its own rules, never by a plan kept from
    before."""
    broken = bump(huaian, "requests.carried_out.natural_person")
    every = list(catalogue())
    full = {f.rule for f in check(broken, today=TODAY, rules=every).findings}
    assert {"R1", "R2"} <= full
    without_r1 = [r for r in every if r.id != "R1"]
    assert {f.rule for f in check(broken, today=TODAY, rules=without_r1).findings} == full - {"R1"}
    every[every.index(next(r for r in every if r.id == "R2"))] = next(r for r in every if r.id == "R1")
    assert {f.rule for f in check(broken, today=TODAY, rules=every).findings} == full - {"R2"}
    assert {f.rule for f in check(broken, today=TODAY, rules=list(catalogue())).findings} == full

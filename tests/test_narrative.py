"""Narrative-vs-table rules on the real reports' own sentences: silent on the published texts, loud on
planted contradictions, and silent on the summary we generate from the tables."""

from __future__ import annotations

import unicodedata
from dataclasses import replace

import pytest
from hypothesis import given, settings

from conftest import PUBLISHED, TODAY, load
from test_properties import consistent_inputs
from xl_gongkai.core.derive import fill
from xl_gongkai.core.report import Report
from xl_gongkai.core.rules import check
from xl_gongkai.core.summary import summarize
from xl_gongkai.spec import CellKey

NARRATIVE_RULES = {"N1", "N2", "N3"}


def published(prefix: str) -> str:
    return unicodedata.normalize("NFC", next(PUBLISHED.glob(f"{prefix}_*.txt")).read_text("utf-8"))


def between(text: str, start: str, end: str) -> str:
    i = text.index(start)
    return text[i:text.index(end, i)]


# The narrative passages of the three full reports (everything before their table 二).
TEXTS = {
    "panzhihua-dongqu-kejiju-2025": ("00", "根据《中华人民共和国政府信息公开条例》", "二、主动公开政府信息情况"),
    "huaian-city-2024": ("19", "本报告由淮安市人民政府办公室", "二、主动公开政府信息情况"),
    "suqian-city-2023": ("02", "的重要", "⼆、主动公开政府信息情况"),
}


def with_text(name: str, text: str | None = None) -> Report:
    prefix, start, end = TEXTS[name]
    body = between(published(prefix), start, end) if text is None else text
    return replace(load(name), narrative={"overview": body})


def narrative_findings(report: Report) -> list:
    return [f for f in check(report, today=TODAY).findings if f.rule in NARRATIVE_RULES]


@pytest.mark.parametrize("name", list(TEXTS))
def test_the_published_texts_raise_nothing(name: str) -> None:
    assert narrative_findings(with_text(name)) == []


@pytest.mark.parametrize(("name", "old", "new", "rule", "words"), [
    ("huaian-city-2024", "受理政府信息公开申请 3119 件", "受理政府信息公开申请 3120 件", "N1", "收到的申请为3120件"),
    ("huaian-city-2024", "另有 103 件顺延", "另有 130 件顺延", "N1", "结转下年度为130件"),
    ("huaian-city-2024", "结果纠正 5 件", "结果纠正 6 件", "N1", "行政诉讼结果纠正为6件"),
    ("huaian-city-2024", "统计期限自 2024 年 1 月 1 日", "统计期限自 2023 年 1 月 1 日", "N3", "年份2023"),
    ("suqian-city-2023", "部分公开328件", "部分公开329件", "N1", "部分公开为329件"),
    ("suqian-city-2023", "法⼈或其他组织申请 114 件", "法⼈或其他组织申请 14 件", "N1", "法人或其他组织申请为14件"),
    ("panzhihua-dongqu-kejiju-2025", "统计时间为 2025 年", "统计时间为 2024 年", "N3", "年份2024"),
    ("panzhihua-dongqu-kejiju-2025", "我局未收到依申请公开事项。", "我局共受理政府信息公开申请2件。", "N1",
     "收到的申请为2件"),
])
def test_a_planted_contradiction_is_caught_and_quoted(name: str, old: str, new: str, rule: str, words: str) -> None:
    prefix, start, end = TEXTS[name]
    text = between(published(prefix), start, end)
    assert old in text
    found = narrative_findings(with_text(name, text.replace(old, new)))
    assert [f.rule for f in found] == [rule], [f.message for f in found]
    f = found[0]
    assert words in f.message and f.severity == "提示" and f.message.startswith(f"{rule} 正文“")
    assert "“" in f.message and "”" in f.message  # the sentence is quoted


def test_no_application_claim_against_a_nonzero_table() -> None:
    report = with_text("panzhihua-dongqu-kejiju-2025")
    report = report.with_values({CellKey("requests", "new", "natural_person"): 3,
                                 CellKey("requests", "new", "total"): 3})
    found = narrative_findings(report)
    assert [f.rule for f in found] == ["N2"]
    assert "未收到依申请公开事项" in found[0].message and "3件" in found[0].message


def test_the_clerks_text_in_the_template_is_checked_too() -> None:
    report = replace(load("huaian-city-2024"), narrative={"problems": "今年共受理政府信息公开申请3000件。"})
    f = narrative_findings(report)[0]
    problems = report.form.section("problems")
    assert f.place.sheet == report.form.narrative_sheet and f.place.cell == problems.text_cell
    assert problems.heading in f.message


@pytest.mark.parametrize("name", list(TEXTS))
def test_the_generated_summary_raises_nothing(name: str) -> None:
    report = load(name)
    assert narrative_findings(replace(report, narrative={"overview": summarize(report).text()})) == []


@settings(max_examples=60, deadline=None)
@given(consistent_inputs())
def test_the_summary_of_any_consistent_report_raises_nothing(report: Report) -> None:
    filled = fill(report)
    assert narrative_findings(replace(filled, narrative={"overview": summarize(filled).text()})) == []


@pytest.mark.parametrize(("prefix", "old", "new", "words"), [
    ("00", "我局未收到依申请公开事项。", "我局共受理政府信息公开申请2件。", "收到的申请为2件"),
    ("19", "结果维持 72 件", "结果维持 27 件", "行政复议结果维持为27件"),
    ("02", "不予处理406件", "不予处理460件", "不予处理为460件"),
])
def test_whole_published_reports_through_the_importer(prefix: str, old: str, new: str, words: str) -> None:
    """The same rules on the full texts as imported: silent as published, one 提示 for a planted change."""
    from xl_gongkai.adapters.published import import_text

    text = published(prefix)
    assert narrative_findings(import_text(text).report) == []
    assert old in text
    found = narrative_findings(import_text(text.replace(old, new)).report)
    assert len(found) == 1 and words in found[0].message, [f.message for f in found]


def test_the_published_page_of_pingtan_through_the_importer() -> None:
    """平潭 2023 as published (HTML): silent as published, one 提示 for a planted change."""
    from xl_gongkai.adapters.published import import_document
    from xl_gongkai.adapters.published.html import parse_html

    page = (PUBLISHED / "04_pingtan-zone-2023.html").read_text("utf-8")
    assert narrative_findings(import_document(parse_html(page)).report) == []
    for old, new, words in (("不予公开5件", "不予公开6件", "不予公开为6件"),
                            ("行政诉讼案件7件", "行政诉讼案件8件", "行政诉讼为8件")):
        assert old in page
        found = narrative_findings(import_document(parse_html(page.replace(old, new))).report)
        assert len(found) == 1 and words in found[0].message, [f.message for f in found]


@pytest.mark.parametrize(("sentence", "fires"), [
    ("全年共办结政府信息公开申请12件。", True),  # 12 ≠ the table's 办结 10
    ("所有办结的政府信息公开申请中同意公开答复9件。", False),  # the 同意公开 ones, not every 办结 one
    ("其中予以公开答复5件、部分公开答复2件。", False),
    ("所有办结的申请中同意公开答复9件，转下一年度办理答复的有1件。", False),  # the carried-over one, not 办结
])
def test_a_part_of_a_total_is_not_the_total(sentence: str, fires: bool) -> None:
    report = _narrative_report(sentence, total=10)
    assert any(f.rule == "N1" and "办结" in f.message for f in check(report, today=TODAY).findings) is fires


@pytest.mark.parametrize(("sentence", "fires"), [
    ("本年度未发生行政复议、行政诉讼案件。", True),
    ("本年度未发生因政府信息公开被行政复议纠错的情况。", False),  # no review *corrected*, reviews there were
    ("全年未发生行政诉讼败诉案件。", False),
    # no application *led to* a corrected review: applications there were
    ("全年未发生因依申请公开被行政复议纠错或行政诉讼败诉情形。", False),
    ("本年度未收到政府信息公开申请。", True),
])
def test_no_correction_is_not_no_review(sentence: str, fires: bool) -> None:
    report = _narrative_report(sentence, total=10, reviews=3)
    assert any(f.rule == "N2" for f in check(report, today=TODAY).findings) is fires


def _narrative_report(sentence: str, *, total: int, reviews: int = 0) -> Report:
    """The reference report with one sentence as its 总体情况, 办结 ``total`` and ``reviews`` 行政复议."""
    base = load("huaian-city-2024")
    values = {CellKey("requests", "total", "total"): total, CellKey("appeals", "review", "total"): reviews}
    return replace(base.with_values(values), narrative={**base.narrative, "overview": sentence})

"""The generated summary restates the tables; its figures are checked against the published narratives."""

from __future__ import annotations

import re
import unicodedata

from conftest import PUBLISHED, load
from xl_gongkai.core.report import Report
from xl_gongkai.core.summary import INCOMPLETE, summarize
from xl_gongkai.spec import CellKey


def published_text(prefix: str) -> str:
    path = next(PUBLISHED.glob(f"{prefix}_*.txt"))
    # PDF line breaks fall inside numbers and phrases; PDF text uses CJK compatibility radicals (⽆ for 无)
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", path.read_text("utf-8")))


def test_huaian_summary_restates_the_published_figures(huaian: Report) -> None:
    text = published_text("19")
    # The agency's own narrative, read independently of our tables:
    m = re.search(r"受理政府信息公开申请(\d+)件,答复(\d+)件\(含上年度结转申请(\d+)件,另有(\d+)件顺延", text)
    assert m, "narrative sentence not found in the published text"
    received, answered, carried_in, carried_out = m.groups()
    review = re.search(r"行政复议(\d+)件,其中结果维持(\d+)件,结果纠正(\d+)件,其他结果(\d+)件,尚未审结(\d+)件", text)
    suit = re.search(r"行政诉讼(\d+)件,其中结果维持(\d+)件,结果纠正(\d+)件,其他结果(\d+)件,尚未审结(\d+)件", text)
    assert review and suit

    s = summarize(huaian).paragraphs
    assert f"共收到政府信息公开申请{received}件" in s["requests"]
    assert f"上年结转{carried_in}件" in s["requests"]
    assert f"办结{answered}件" in s["requests"]
    assert f"结转下年度继续办理{carried_out}件" in s["requests"]
    r = review.groups()
    assert f"行政复议{r[0]}件，其中结果维持{r[1]}件，结果纠正{r[2]}件，其他结果{r[3]}件，尚未审结{r[4]}件" in (
        s["appeals"]
    )
    g = suit.groups()
    assert f"行政诉讼{g[0]}件" in s["appeals"]
    assert f"其中结果维持{g[1]}件，结果纠正{g[2]}件，其他结果{g[3]}件，尚未审结{g[4]}件" in s["appeals"]


def test_suqian_outcome_categories_match_its_narrative() -> None:
    text = published_text("02")
    m = re.search(r"予以公开(\d+)件、部分公开(\d+)件、不予公开(\d+)件、无法提供(\d+)件、不予处理(\d+)件", text)
    assert m
    s = summarize(load("suqian-city-2023")).paragraphs["requests"]
    for name, n in zip(["予以公开", "部分公开", "不予公开", "无法提供", "不予处理"], m.groups(), strict=True):
        assert f"{name}{n}件" in s


def test_percentage_is_taken_on_answered_applications(huaian: Report) -> None:
    s = summarize(huaian).paragraphs["requests"]
    share = round(100 * (1362 + 454) / 3050, 1)  # (予以公开 + 部分公开) / （七）总计
    assert f"占办结总数的{share}%" in s


def test_reference_report_says_no_application_was_received(reference: Report) -> None:
    text = published_text("00")
    assert "未收到依申请公开事项" in text  # what the agency itself wrote
    s = summarize(reference).paragraphs
    assert s["requests"] == "2025年未收到政府信息公开申请，也没有上年结转的申请。"
    assert "未发生" in s["appeals"] and "行政复议" in s["appeals"]
    assert "%" not in summarize(reference).text()


def test_zero_items_are_worded_not_listed(huaian: Report) -> None:
    s = summarize(huaian).paragraphs["active"]
    assert "废止行政规范性文件26件（未废止规章）" in s
    assert not re.search(r"(?<![0-9])0件", summarize(huaian).text())


def test_incomplete_tables_do_not_invent_figures(huaian: Report) -> None:
    broken = huaian.with_values({CellKey("requests", "new", "research"): "不详"})
    assert summarize(broken).paragraphs["requests"] == INCOMPLETE
    assert summarize(broken).paragraphs["appeals"] != INCOMPLETE

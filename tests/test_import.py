"""Importing published reports (adapters.published), on the real texts in tests/data/published.

The typed-in reports in tests/data/reports were checked by hand against the same texts, so a full
report must import with every published number in its cell. Excerpts must import what they hold and
say what they lack; a row that cannot be read for certain is left blank with a finding, never guessed.
"""

from __future__ import annotations

import html
import json
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import DATA, PUBLISHED, TODAY, load
from xl_gongkai.adapters.published import ImportResult, import_report, import_text
from xl_gongkai.adapters.published.html import html_tables
from xl_gongkai.adapters.published.text import MAX_BYTES
from xl_gongkai.core.findings import ERROR, UNREAD
from xl_gongkai.core.report import Report
from xl_gongkai.core.rules import check
from xl_gongkai.errors import InputError
from xl_gongkai.spec import CellKey, Form, load_form

FULL = {
    "00_panzhihua-dongqu-kejiju-2025": "panzhihua-dongqu-kejiju-2025",
    "19_huaian-city-2024": "huaian-city-2024",
    "02_suqian-city-2023": "suqian-city-2023",
}


def published(stem: str) -> ImportResult:
    return import_report(PUBLISHED / f"{stem}.txt")


def seen(result: ImportResult) -> list[Any]:
    """What a user sees for a published report: the import's findings, then the check's (as the CLI shows)."""
    return [*result.findings, *check(result.report, today=TODAY).findings]


def rules_of(result: ImportResult, rule: str) -> list[str]:
    return [f.message for f in seen(result) if f.rule == rule]


def differences(got: Report, expected: Report) -> list[tuple[str, Any, Any]]:
    """Cells whose value (or type: 0 is not 0.0 is not None) differs."""
    return [(str(k), got.values.get(k), v) for k, v in expected.values.items()
            if got.values.get(k) != v or type(got.values.get(k)) is not type(v)]


def errors(findings: Any) -> list[str]:
    return [f.message for f in findings if f.severity == ERROR]


# --------------------------------------------------------------------------------------- full reports

@pytest.mark.parametrize("stem", FULL)
def test_full_report_imports_every_published_number(stem: str) -> None:
    result = published(stem)
    assert result.format == "gov-2021" and result.report.form.id == "gov-2021"
    assert differences(result.report, load(FULL[stem])) == []
    # the rules find nothing wrong with what was imported (02 holds its tables only: I6 says so, once a part,
    # as 待核对: the importer cannot tell a part the text lacks from a heading it did not recognise)
    findings = check(result.report, today=TODAY).findings
    assert {f.key for f in findings if f.severity == ERROR} == set()
    assert {f.key for f in findings if f.rule == "I6" and f.severity == UNREAD} == (
        {"I6:section.overview", "I6:section.problems", "I6:section.other"} if stem.startswith("02") else set())


def test_reference_case_00_imports_clean() -> None:
    """The damaged rows (six zeros in a seven-column row) are read as zeros (placement.zeros_one_short),
    and the import says so once for the 13 rows."""
    result = published("00_panzhihua-dongqu-kejiju-2025")
    assert errors(result.findings) == []
    # 规范性文件 is the 2019 label in a 2021-format report: accepted, said
    assert rules_of(result, "I4") == ["I4 表二“第二十条第（一）项 行政规范性文件”行使用的标签是“规范性文件”，"
                                      "正式格式为“行政规范性文件”。"]
    assert rules_of(result, "I5") == [
        "I5 表三“（三）不予公开 1.属于国家秘密”至“（五）不予处理 2.重复申请”，共13行：只印了6个数，少一格，"
        "印出的都是0，且本行每一格都是总计或总计的加项：缺的一格只能是0。请对照原文核对。"]
    assert [f.rule for f in result.findings] == ["I4", "I5"]


def test_huaian_19_imports_without_any_finding() -> None:
    assert published("19_huaian-city-2024").findings == ()


def test_suqian_02_tables_only() -> None:
    """02 holds the tables and one paragraph: 'clean' means no 错误, and the three narrative sections the excerpt
    does not contain each named once (I6, 待核对)."""
    result = published("02_suqian-city-2023")
    assert [f for f in seen(result) if f.severity == ERROR] == []
    assert sorted(f.key for f in seen(result) if f.severity == UNREAD) == [
        "I6:section.other", "I6:section.overview", "I6:section.problems"]
    # the comparison tool's abbreviations are spec synonyms: accepted, each said once
    assert sorted(f.place.row for f in result.findings if f.rule == "I4") == [
        "other_no_correction", "other_no_fee", "partial"]
    assert result.report.metadata == {"agency": "宿迁市", "year": 2023}


@pytest.mark.parametrize(("stem", "agency", "year", "start", "end"), [
    ("00_panzhihua-dongqu-kejiju-2025", "攀枝花市东区科学技术局", 2025, "2025-01-01", "2025-12-31"),
    ("19_huaian-city-2024", "淮安市人民政府", 2024, "2024-01-01", "2024-12-31"),
])
def test_metadata_from_title_and_period_sentence(stem: str, agency: str, year: int, start: str, end: str) -> None:
    meta = published(stem).report.metadata
    assert meta == {"agency": agency, "year": year, "period_start": start, "period_end": end}


@pytest.mark.parametrize(("header", "body", "year"), [
    ("year: 2020", "", 2020),  # a page of a flip-book, the tables only: the header's year, said (I5)
    ("year: unknown — uses the 2021 format", "", None),  # a collector's remark is no year
    ("year: 2020", "本报告所列数据的统计期限自2023年1月1日起至2023年12月31日止。\n", 2023),  # the text's first
])
def test_a_collections_header_gives_the_year_only_when_the_text_has_none(header: str, body: str,
                                                                         year: int | None) -> None:
    text = (f"source: https://example.gov.cn/nb.html\ntitle: 某县审计局\n{header}\ncoverage: tables only\n\n"
            f"{body}二、主动公开政府信息情况\n第二十条第（一）项\n规章 0 0 0\n")
    result = import_text(text)
    assert result.report.metadata.get("year") == year
    said = [f.message for f in result.findings if f.rule == "I5" and "year:" in f.message]
    assert said == (["I5 封面“报告年度”：原文中没有年度，取自文件开头收集者写的“year: 2020”。请对照原文核对。"]
                    if body == "" and year else [])


def test_narrative_sections_of_full_reports() -> None:
    n = published("19_huaian-city-2024").report.narrative
    assert set(n) == {"preamble", "overview", "problems", "other"}
    assert n["preamble"].startswith("本报告由淮安市人民政府办公室根据《中华人民共和国政府信息公开条例》")
    # the PDF's line breaks inside sentences are gone, paragraphs stay apart, page markers are dropped
    assert "全市共受理政府信息公开申请 3119 件，答复 3050 件" in n["overview"]
    assert "\n（二）依申请公开情况。" in n["overview"] and "- 2 -" not in n["overview"]
    assert n["other"] == ("2024 年，市政府严格落实《政府信息公开信息处理费管理办法》，"
                          "全年收取政府信息公开信息处理费 3940 元。")
    # tables are not narrative
    assert not any("3985758" in text for text in n.values())
    n00 = published("00_panzhihua-dongqu-kejiju-2025").report.narrative
    assert n00["problems"].startswith("(一) 存在的问题\n1.信息更新不够及时。")
    assert n00["other"] == "本年度未收取信息处理费，无其他需要报告事项。"
    assert "攀枝花市东区科学技术局" not in n00["preamble"].split("，")[0]  # the title is not preamble


# --------------------------------------------------------------------------------------- excerpts

def test_04_reads_table_three_up_to_row_7_and_names_the_rest_once() -> None:
    result = published("04_longgang-dept-2024")
    v = result.report.values
    assert [v[CellKey("requests", "new", c.key)] for c in result.report.form.table("requests").columns] == [
        58, 7, 0, 0, 1, 0, 66]
    assert v[CellKey("requests", "withheld_internal", "total")] == 1
    assert v[CellKey("requests", "withheld_enforcement", "total")] == 0
    assert v[CellKey("requests", "withheld_query", "total")] is None
    assert v[CellKey("active", "normative_docs", "in_force")] == 25
    assert rules_of(result, "I1") == []
    assert ("I2 表三：未找到“（三）不予公开 8.属于行政查询事项”至“四、结转下年度继续办理”，共14行。"
            "相应单元格按空白处理。") in rules_of(result, "I2")
    # the table the excerpt does not reach is one finding, and its cells are not judged one by one
    assert rules_of(result, "I6")[-1] == "I6 表四：原文中没有这张表（共3行），未导入，也不逐项校验。"
    checked = check(result.report, today=TODAY).findings
    assert not [f for f in checked if any(c.startswith("appeals.") for c in f.cells)]
    # the rows of table 三 it cut off are one I8 for the table, not a V1 for each cell
    (unread,) = [f for f in checked if f.rule == "I8"]
    assert "requests.withheld_query.total" in unread.cells and len(unread.cells) == 14 * 7
    assert not [f for f in checked if f.rule == "V1" and f.cells[0].startswith("requests.")]
    assert result.report.metadata["period_end"] == "2024-12-31"


def test_07_is_2019_format_and_dropped_cells_are_not_guessed() -> None:
    result = published("07_yueyang-nanhu-dept-2019")
    assert result.format == "gov-2019"
    v = result.report.values
    assert v[CellKey("active", "other_services", "decisions")] == 0
    assert v[CellKey("active", "procurement", "purchase_amount")] == 0
    # 一、本年新收 shows only 3 and 3 (自然人, 总计): which columns they are is not read, so nothing is filled
    table = result.report.form.table("requests")
    for row in ("new", "carried_in", "disclosed", "partial"):
        assert all(v[CellKey("requests", row, c.key)] is None for c in table.columns)
    assert "I1 表三“一、本年新收政府信息公开申请数量”行读到2个数，应为7个：无法确定缺了或多了哪一个，" \
           "本行未导入（按空白处理），请对照原文填写。" in rules_of(result, "I1")
    assert len(rules_of(result, "I1")) == 4


def test_21_added_rows_are_reported_and_ignored() -> None:
    result = published("21_tongzhou-xinfangban-2019-addedrows")
    assert result.format == "gov-2019"
    assert rules_of(result, "I3") == ["I3 表二有格式中没有的行“行政检查”（数字 0 0 0），未导入。",
                                      "I3 表二有格式中没有的行“行政确认”（数字 0 0 0），未导入。"]
    v = result.report.values
    assert all(v[CellKey("active", "other_services", c)] is None for c in ("prior_items", "change", "decisions"))
    assert v[CellKey("active", "licensing", "decisions")] == 0
    assert v[CellKey("active", "procurement", "purchases")] == 0
    assert any("其他对外管理服务事项" in m and "没有读到数字" in m for m in rules_of(result, "I2"))
    assert "I4 表二表头“本年增/减”列使用的标签是“本年增/”，正式格式为“本年增/减”。" in rules_of(result, "I4")


def test_11_variant_label_accepted_and_empty_cell_blank() -> None:
    result = published("11_baokang-nongyenongcun-2021")
    v = result.report.values
    assert [v[CellKey("active", "rules", c)] for c in ("issued", "repealed", "in_force")] == [0, 0, 0]
    assert v[CellKey("active", "licensing", "decisions")] is None  # printed empty: blank, not 0
    assert v[CellKey("active", "penalty", "decisions")] == 5
    assert rules_of(result, "I4") == [
        "I4 表二“第二十条第（一）项 规章”行使用的标签是“规章(县级无此项)”，正式格式为“规章”。"]
    assert rules_of(result, "I1") == []
    assert result.report.metadata["period_start"] == "2021-01-01"
    # the rules then say, once for the table, that the published cell is blank (I7), not a V1 for the cell
    found = check(result.report, today=TODAY).findings
    assert [f.cells for f in found if f.rule == "I7"] == [("active.licensing.decisions",)]
    assert not [f for f in found if f.rule == "V1"]


def test_12_decimal_fee() -> None:
    result = published("12_gengma-sifaju-2021")
    assert result.report.values[CellKey("active", "fees", "amount")] == 20.3
    # the excerpt stops inside row 二: four numbers of seven
    assert rules_of(result, "I1") == [
        "I1 表三“二、上年结转政府信息公开申请数量”行读到4个数，应为7个：无法确定缺了或多了哪一个，"
        "本行未导入（按空白处理），请对照原文填写。"]


@pytest.mark.parametrize(("stem", "sections"), [
    ("14_jiangsu-gonganting-2023", {"preamble", "overview"}),
    ("05_guangming-waishiju-2024", {"overview"}),
    ("24_weihai-shizhengfu-bangongshi-2022", {"preamble", "overview"}),
])
def test_excerpt_narrative_sections_found(stem: str, sections: set[str]) -> None:
    result = published(stem)
    assert set(result.report.narrative) == sections
    missing = {f.place.section for f in seen(result) if f.key.startswith("I6:section.")}
    assert missing == {"problems", "other"}


def test_excerpt_details() -> None:
    n14 = published("14_jiangsu-gonganting-2023")
    assert "共接到社会公众依申请公开184件" in n14.report.narrative["overview"]
    assert n14.report.values[CellKey("active", "normative_docs", "issued")] == 2
    assert n14.report.metadata["period_start"] == "2023-01-01"
    n05 = published("05_guangming-waishiju-2024")
    assert n05.report.narrative["overview"].startswith("2024年,光明区外事局")
    assert n05.report.values[CellKey("active", "fees", "amount")] == 0
    assert "I6 表三：原文中只有这张表的标题，没有表格内容（共25行），未导入，也不逐项校验。" in rules_of(n05, "I6")
    n24 = published("24_weihai-shizhengfu-bangongshi-2022")
    assert n24.report.metadata["period_end"] == "2022-12-31"  # “从2022年1月1日到12月31日止”
    assert "I6 表二：原文中没有这张表（共6行），未导入，也不逐项校验。" in rules_of(n24, "I6")


# --------------------------------------------------------------------------------------- text details

def test_blank_slash_and_thousands() -> None:
    text = ("二、主动公开政府信息情况\n第二十条第（一）项\n信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n"
            "规章\t/\t/\t/\n行政规范性文件\t1,208\t\t3\n第二十条第（八）项\n信息内容\t本年收费金额（单位：万元）\n"
            "行政事业性收费\t59,237.2449\n")
    r = import_text(text)
    v = r.report.values
    assert [v[CellKey("active", "rules", c)] for c in ("issued", "repealed", "in_force")] == [None, None, None]
    # an empty cell between two numbers of a tab-separated row is a blank cell in its place
    assert [v[CellKey("active", "normative_docs", c)] for c in ("issued", "repealed", "in_force")] == [1208, None, 3]
    assert v[CellKey("active", "fees", "amount")] == 59237.2449
    assert rules_of(r, "I1") == []


def test_too_many_numbers_that_differ_are_not_guessed() -> None:
    r = import_text("二、主动公开政府信息情况\n第二十条第（一）项\n规章 1 0 11 4\n行政规范性文件 8 26 66\n")
    assert all(r.report.values[CellKey("active", "rules", c)] is None for c in ("issued", "repealed", "in_force"))
    assert rules_of(r, "I1") == ["I1 表二“第二十条第（一）项 规章”行读到4个数，应为3个：无法确定缺了或多了哪一个，"
                                 "本行未导入（按空白处理），请对照原文填写。"]
    assert r.report.values[CellKey("active", "normative_docs", "repealed")] == 26


def test_a_mention_in_prose_is_not_a_row_and_reworded_headings_are_said() -> None:
    text = ("某某局2023年度政府信息公开工作年度报告\n一、总体情况（一）主动公开。本年主动公开信息10条。\n"
            "二、主动公开政府信息情况\n2023 年，全局制发规章 1 件、规范性文件 3 件。\n第二十条第（一）项\n"
            "信息内容 本年制发件数 本年废止件数 现行有效件数\n规章 0 0 0\n行政规范性文件 3 0 5\n"
            "第二十条第（五）项\n信息内容 本年处理决定数量\n行政许可 3件\n"
            "五、存在的问题及改进情况\n问题。\n六、其他需报告的事项。本年度未收取费用。\n")
    r = import_text(text)
    v = r.report.values
    assert [v[CellKey("active", "rules", c)] for c in ("issued", "repealed", "in_force")] == [0, 0, 0]
    assert v[CellKey("active", "licensing", "decisions")] == 3
    assert r.report.metadata == {"agency": "某某局", "year": 2023}
    assert r.report.narrative["overview"] == "（一）主动公开。本年主动公开信息10条。"
    assert r.report.narrative["other"] == "本年度未收取费用。"
    assert rules_of(r, "I4") == [
        "I4 正文标题使用的标签是“五、存在的问题及改进情况”，正式格式为“五、存在的主要问题及改进情况”。",
        "I4 正文标题使用的标签是“六、其他需报告的事项”，正式格式为“六、其他需要报告的事项”。"]
    assert rules_of(r, "I1") == [] and rules_of(r, "I3") == []


REQUESTS = ("三、收到和处理政府信息公开申请情况\n申请人情况\t自然人\t商业企业\t科研机构\t社会公益组织\t"
            "法律服务机构\t其他\t总计\n一、本年新收政府信息公开申请数量\t{}\n")


@pytest.mark.parametrize(("printed", "expected"), [
    ("0\t0\t0\t0\t0\t0", [0] * 7),  # one of seven lost, all 0: the total's arithmetic makes it 0
    ("0\t0\t0\t0\t0\t0\t0\t0", [0] * 7),  # one too many, all equal: any seven read the same
    ("2\t2\t2\t2\t2\t2\t2\t2", [2] * 7),
    ("1\t0\t0\t0\t0\t1", None),  # one lost, not all 0: which one is unknown
    ("0\t0\t0\t0\t0", None),  # two lost
    ("3\t0\t0\t0\t0\t0\t3\t3", None),  # one too many, and the 总计 holds both without the first and the last
])
def test_rows_with_a_number_too_few_or_too_many(printed: str, expected: list[int] | None) -> None:
    r = import_text(REQUESTS.format(printed))
    table = r.report.form.table("requests")
    got = [r.report.values[CellKey("requests", "new", c.key)] for c in table.columns]
    if expected is None:
        assert got == [None] * 7 and len(rules_of(r, "I1")) == 1
    else:
        assert got == expected and rules_of(r, "I1") == []


def test_a_table_two_row_one_short_is_never_completed() -> None:
    """No total in the row: a missing 0 could be any cell, and the row could have been blank there."""
    r = import_text("二、主动公开政府信息情况\n第二十条第（一）项\n规章 0 0\n")
    assert rules_of(r, "I1")[0].startswith("I1 表二“第二十条第（一）项 规章”行读到2个数，应为3个")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-be"])
def test_encodings(tmp_path: Path, encoding: str) -> None:
    """UTF-8, GB18030 (GBK), and UTF-16 with its byte order mark (Word's and Notepad's “Unicode” text), little- or
    big-endian."""
    text = (PUBLISHED / "19_huaian-city-2024.txt").read_text("utf-8")
    p = tmp_path / "report.txt"
    p.write_bytes(b"\xfe\xff" + text.encode(encoding) if encoding == "utf-16-be" else text.encode(encoding))
    assert differences(import_report(p).report, load("huaian-city-2024")) == []


def test_a_page_saved_as_utf16_is_read_as_a_page(tmp_path: Path) -> None:
    """A page saved as “Unicode” (UTF-16 with its mark) is sniffed as a page, not as text, and reads as the page."""
    page = PUBLISHED / "04_pingtan-zone-2023.html"
    p = tmp_path / "report.txt"
    p.write_bytes(page.read_text("utf-8").encode("utf-16"))
    assert import_report(p).report.values == import_report(page).report.values


def test_unreadable_inputs(tmp_path: Path) -> None:
    big = tmp_path / "big.html"
    with big.open("wb") as fh:
        fh.write(b"<html><body>" + b"a" * MAX_BYTES)
    with pytest.raises(InputError, match="超过 20 MB"):
        import_report(big)
    with pytest.raises(InputError, match="文件不存在"):
        import_report(tmp_path / "report.pdf")
    binary = tmp_path / "x.txt"
    binary.write_bytes(b"\xff\xfe\x00\x00" * 10)
    with pytest.raises(InputError, match="编码"):
        import_report(binary)


# --------------------------------------------------------------------------------------- HTML

SMALL = """<html><head><title>t</title><style>td {color: red}</style>
<script>document.write("<table><tr><td>1</td></tr></table>")</script></head><body>
<table border=1>
<tr><td rowspan=2>A</td><td colspan=2>B</td><td>C</td>
<tr><td>b1<td>b2</td><td rowspan="2">c
<tr><td colspan=3>D</td>
</table></body></html>"""


def test_html_grid_rowspan_colspan_and_bad_markup() -> None:
    """Unclosed <tr> and <td>, a script that prints a table: the grid still comes out right."""
    assert html_tables(SMALL) == [[
        ["A", "B", "B", "C"],
        ["A", "b1", "b2", "c"],
        ["D", "D", "D", "c"],
    ]]


_MARKUP = st.sampled_from(["<table>", "</table>", "<tr>", "</tr>", "<td>", "</td>", "<td rowspan=3>", "<td colspan=x>",
                           "<p>", "</p>", "<br>", "<script>", "</script>", "<!--", "-->", "<!DOCTYPE", "<", ">",
                           "&nbsp;", "&#99999999;", "规章", "0", "行政许可", "一、总体情况", "\n", "|", "\t"])


@pytest.mark.slow  # seconds of CPU: in `make test`, not in the fast loop
@settings(max_examples=200, deadline=None)
@given(parts=st.lists(st.one_of(_MARKUP, st.text(max_size=5)), max_size=60))
def test_any_markup_reads_or_is_refused_in_chinese(parts: list[str], tmp_path_factory: pytest.TempPathFactory) -> None:
    page = tmp_path_factory.mktemp("fuzz") / "page.html"
    page.write_text("".join(parts), "utf-8")
    try:
        result = import_report(page)
    except InputError as exc:
        assert re.search(r"[\u4e00-\u9fff]", str(exc))
    else:
        assert result.format in ("gov-2021", "gov-2019")


def test_layout_table_around_the_report() -> None:
    """Sites put the whole report in one layout cell; the data tables inside it are still tables."""
    page = ("<table><tr><td><p>某局2024年政府信息公开工作年度报告</p><p>一、总体情况</p><p>概况。</p>"
            "<p>二、主动公开政府信息情况</p><table><tr><td colspan=4>第二十条第（一）项</td></tr>"
            "<tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>"
            "<tr><td>规章</td><td>0</td><td></td><td>2</td></tr></table></td></tr></table>")
    from xl_gongkai.adapters.published import import_document
    from xl_gongkai.adapters.published.html import parse_html

    r = import_document(parse_html(page))
    assert [r.report.values[CellKey("active", "rules", c)] for c in ("issued", "repealed", "in_force")] == [0, None, 2]
    assert r.report.narrative["overview"] == "概况。" and r.report.metadata["agency"] == "某局"


def _cells(values: list[Any]) -> str:
    return "".join(f"<td>{'' if v is None else v}</td>" for v in values)


def html_report(report: Report) -> str:
    """An HTML page laid out like the official tables (merged label cells, a three-row header)."""
    form, v = report.form, report.values
    act, req, app = form.table("active"), form.table("requests"), form.table("appeals")
    out = ["<html><head><meta charset='utf-8'>",
           "<title>淮安市人民政府2024年政府信息公开工作年度报告_淮安市人民政府</title>",
           "<script>var s = '一、总体情况 1 2 3';</script></head><body>",
           "<h1>淮安市人民政府2024年政府信息公开工作年度报告</h1>",
           "<p>报告所列统计期限自2024年1月1日至2024年12月31日。</p>",
           "<h3>一、总体情况</h3><p>（一）主动公开情况。全年新增公开市政府规章1件。</p>",
           "<h3>二、主动公开政府信息情况</h3><table>"]
    for group in act.row_groups:
        cols = [act.column(k) for k in group.columns]
        out.append(f"<tr><td colspan=4>{group.label}</td></tr><tr><td>信息内容</td>")
        out.append("".join(f"<td colspan={4 - len(cols) if len(cols) == 1 else 1}>{c.label}</td>" for c in cols))
        for row in (r for r in act.rows if r.group == group.key):
            span = 3 if len(cols) == 1 else 1
            out.append(f"<tr><td>{row.label}</td>"
                       + "".join(f"<td colspan={span}>{v[CellKey('active', row.key, c.key)]}</td>" for c in cols)
                       + "</tr>")
    out.append("</table><h3>三、收到和处理政府信息公开申请情况</h3><table>")
    out.append(f"<tr><td colspan=3 rowspan=3>{req.labels[0].text}</td><td colspan=7>申请人情况</td></tr>"
               "<tr><td rowspan=2>自然人</td><td colspan=5>法人或其他组织</td><td rowspan=2>总计</td></tr>"
               "<tr><td>商业<br>企业</td><td>科研<br/>机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>")
    sizes = {g.key: sum(1 for r in req.rows if r.group == g.key) for g in req.row_groups}
    sizes["outcomes"] += sum(sizes[g.key] for g in req.row_groups if g.parent == "outcomes")
    opened: set[str] = set()
    for row in req.rows:
        cols = [v[CellKey("requests", row.key, c.key)] for c in req.columns]
        group = req.row_group(row.group) if row.group else None
        cells = ""
        if group is None:
            cells = f"<td colspan=3>{row.label}</td>"
        else:
            parent = req.row_group(group.parent) if group.parent else group
            if parent.key not in opened:
                opened.add(parent.key)
                cells += f"<td rowspan={sizes[parent.key]}>{parent.label}</td>"
            if group.parent and group.key not in opened:
                opened.add(group.key)
                cells += f"<td rowspan={sizes[group.key]}>{group.label}</td><td>{row.label}</td>"
            elif group.parent:
                cells += f"<td>{row.label}</td>"
            else:
                cells += f"<td colspan=2>{html.escape(row.label)}</td>"
        out.append(f"<tr>{cells}{_cells(cols)}</tr>")
    out.append("</table><h3>四、政府信息公开行政复议、行政诉讼情况</h3><table>"
               "<tr><td colspan=5>行政复议</td><td colspan=10>行政诉讼</td></tr><tr>"
               + "".join(f"<td rowspan=2>{c.label}</td>" for c in app.columns)
               + "<td colspan=5>未经复议直接起诉</td><td colspan=5>复议后起诉</td></tr><tr>"
               + "".join(f"<td>{c.label}</td>" for c in app.columns) * 2 + "</tr><tr>"
               + "".join(_cells([v[CellKey("appeals", r.key, c.key)] for c in app.columns]) for r in app.rows)
               + "</tr></table>")
    out.append("<h3>五、存在的主要问题及改进情况</h3><p>政策解读质量仍需提升。</p>"
               "<h3>六、其他需要报告的事项</h3><p>全年收取信息处理费3940元。</p></body></html>")
    return "\n".join(out)


def test_html_rendering_of_huaian_imports_every_number(tmp_path: Path) -> None:
    expected = load("huaian-city-2024")
    page = tmp_path / "huaian.html"
    page.write_bytes(html_report(expected).encode("gb18030"))
    result = import_report(page)
    assert result.findings == ()
    assert differences(result.report, expected) == []
    assert result.report.metadata == {"agency": "淮安市人民政府", "year": 2024, "period_start": "2024-01-01",
                                      "period_end": "2024-12-31"}
    assert result.report.narrative["other"] == "全年收取信息处理费3940元。"
    assert "var s" not in json.dumps(result.report.narrative, ensure_ascii=False)


def test_html_empty_cells_keep_their_place(tmp_path: Path) -> None:
    """Unlike copied text, a page keeps empty <td>: the other numbers of the row stay in their columns."""
    expected = load("huaian-city-2024")
    blanked = expected.with_values({CellKey("requests", r.key, "research"): None for r in
                                    expected.form.table("requests").rows})
    page = tmp_path / "blank.htm"
    page.write_text(html_report(blanked), "utf-8")
    result = import_report(page)
    assert result.findings == ()
    assert differences(result.report, blanked) == []
    # the page prints the 科研机构 column blank: said once (I7), not cell by cell; the totals still hold with it
    found = check(result.report, today=TODAY).findings
    assert [f.rule for f in found if f.rule in ("V1", "I7", "R1", "R2", "R3")] == ["I7"]


# --------------------------------------------------------------------------------------- harmless damage

HUAIAN = (PUBLISHED / "19_huaian-city-2024.txt").read_text("utf-8")
_PAGE = re.compile(r"^- \d+ -$")


def _damage_line(line: str, rnd: random.Random) -> str:
    """Line breaks and spaces inside labels, 1、 for 1. and back: nothing that touches a number."""
    pieces = line.split(" ")
    out = []
    for piece in pieces:
        if re.fullmatch(r"[\d.,]+", piece) or not piece:
            out.append(piece)
            continue
        piece = re.sub(r"^(\d)([、.])", lambda m: m.group(1) + rnd.choice("、."), piece)
        chars = list(piece)
        for _ in range(rnd.randint(0, 2)):
            at = rnd.randint(1, len(chars)) if len(chars) > 1 else 1
            chars.insert(at, rnd.choice(["\n", " ", "  ", " \n"]))
        out.append("".join(chars))
    return (" " * rnd.randint(1, 3)).join(out)


@pytest.mark.slow  # seconds of CPU: in `make test`, not in the fast loop
@settings(max_examples=60, deadline=None)
@given(rnd=st.randoms(use_true_random=False))
def test_harmless_damage_to_the_huaian_tables_changes_no_number(rnd: random.Random) -> None:
    lines = HUAIAN.split("\n")
    start = lines.index("二、主动公开政府信息情况") + 1
    stop = lines.index("五、存在的主要问题及改进情况")
    headings = {"三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况"}
    damaged = [ln if ln in headings or _PAGE.match(ln) else _damage_line(ln, rnd) for ln in lines[start:stop]]
    text = "\n".join([*lines[:start], *damaged, *lines[stop:]])
    result = import_text(text)
    assert differences(result.report, load("huaian-city-2024")) == []
    assert errors(result.findings) == []


# --------------------------------------------------------------------------------------- command line

def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xl_gongkai", *args, "--today", TODAY.isoformat()],
                          capture_output=True, text=True, encoding="utf-8", timeout=180)


def test_import_to_workbook_check_and_export(tmp_path: Path) -> None:
    """The full path: published text → import → workbook → check → export, on the reference case."""
    src = PUBLISHED / "00_panzhihua-dongqu-kejiju-2025.txt"
    book = tmp_path / "00.xlsm"
    r = cli("import", str(src), "-o", str(book))
    assert r.returncode == 0, r.stderr
    assert "[提示] I4" in r.stdout and "已生成工作簿" in r.stdout
    c = cli("check", str(book))
    assert c.returncode == 0, c.stdout + c.stderr
    assert "校验通过" in c.stdout
    out = tmp_path / "00.json"
    e = cli("export", str(book), "-o", str(out))
    assert e.returncode == 0, e.stderr
    doc = json.loads(out.read_text("utf-8"))
    assert doc["validation"]["ready"] is True and doc["metadata"]["agency"] == "攀枝花市东区科学技术局"
    expected = load("panzhihua-dongqu-kejiju-2025")
    assert all(doc["values"][k.table][k.row][k.column] == v for k, v in expected.values.items())


def test_import_outputs_and_exit_codes(tmp_path: Path) -> None:
    src07 = PUBLISHED / "07_yueyang-nanhu-dept-2019.txt"
    refused = cli("import", str(src07), "-o", str(tmp_path / "07.xlsm"))
    assert refused.returncode == 1 and "无法写入工作簿" in refused.stderr and "[待核对] I1" in refused.stdout
    assert not (tmp_path / "07.xlsm").exists()
    draft = cli("import", str(src07), "-o", str(tmp_path / "07.json"), "--format", "json")
    assert draft.returncode == 1
    out = json.loads(draft.stdout)
    assert {f["rule"] for f in out["validation"]["findings"]} >= {"I1", "I2", "I8"}
    doc = json.loads((tmp_path / "07.json").read_text("utf-8"))
    assert doc["form"]["id"] == "gov-2019" and doc["validation"]["ready"] is False
    assert cli("import", str(PUBLISHED / "19_huaian-city-2024.txt")).returncode == 0
    assert cli("import", str(tmp_path / "missing.txt")).returncode == 2
    assert cli("import", str(src07), "-o", str(tmp_path / "x.docx")).returncode == 2


def test_check_reads_a_published_report() -> None:
    ok = cli("check", str(PUBLISHED / "19_huaian-city-2024.txt"))
    assert ok.returncode == 0 and "校验通过" in ok.stdout
    bad = cli("check", str(PUBLISHED / "04_longgang-dept-2024.txt"))
    assert bad.returncode == 1 and "[待核对] I6 表四：原文中没有这张表" in bad.stdout


def test_2019_form_spec() -> None:
    f2019: Form = load_form("gov-2019")
    f2021 = load_form("gov-2021")
    assert f2019.template is None and f2021.template is not None
    assert (f2019.first_year, f2019.last_year) == (2019, 2020)
    req19, req21 = f2019.table("requests"), f2021.table("requests")
    assert len(req19.rows) == 23 and len(req21.rows) == 25
    assert {r.key for r in req19.rows} - {r.key for r in req21.rows} == {"other"}
    assert len(req19.row("total").sum_of) == 19
    assert f2019.table("appeals").rows == f2021.table("appeals").rows
    active = f2019.table("active")
    assert [r.key for r in active.rows] == ["rules", "normative_docs", "licensing", "other_services", "penalty",
                                            "enforcement", "fees", "procurement"]
    assert active.column("purchase_amount").unit == "万元" and active.column("change").signed


# --------------------------------------------------------------------------------------------------- heuristics
# Each of these holds one heuristic of docs/import.md that the real reports above do not exercise alone.

TABLE_THREE_HEAD = "三、收到和处理政府信息公开申请情况\n"


def test_label_cut_short_by_the_numbers() -> None:
    """淮安 2024's PDF breaks 5.要求行政机关确认或重新出‖具已获取信息; here the second half follows the numbers."""
    r = import_text(TABLE_THREE_HEAD + "（五）不予处理 5.要求行政机关确认或重新出 1 0 0 0 0 0 1\n具已获取信息\n")
    t = r.report.form.table("requests")
    assert [r.report.values[CellKey("requests", "rejected_confirmation", c.key)] for c in t.columns] == [
        1, 0, 0, 0, 0, 0, 1]


def test_a_piece_of_a_merged_group_label_between_label_and_numbers() -> None:
    """The merged cell “（四）无法提供” wraps around its first row's label in the PDF text (淮安 2024)."""
    r = import_text(TABLE_THREE_HEAD + "（四）无\n1.本机关不掌握相关政府信息\n法提供 746 12 0 0 10 1 769\n")
    assert r.report.values[CellKey("requests", "unavailable_not_held", "total")] == 769
    assert rules_of(r, "I3") == []


def test_a_table_whose_heading_is_missing_is_read_between_its_neighbours() -> None:
    r = import_text("一、总体情况\n概况。\n第二十条第（一）项\n信息内容 本年制发件数 本年废止件数 现行有效件数\n"
                    "规章 0 0 2\n行政规范性文件 3 1 9\n三、收到和处理政府信息公开申请情况\n")
    assert r.report.values[CellKey("active", "normative_docs", "in_force")] == 9
    assert "active" not in r.report.absent


def test_a_heading_broken_over_two_lines() -> None:
    r = import_text("一、总体情况\n概况。\n五、存在的主要问题及改\n进情况\n问题。\n六、其他需要报告的事项\n无。\n")
    assert r.report.narrative == {"overview": "概况。", "problems": "问题。", "other": "无。"}
    assert "problems" not in r.report.absent


def test_a_note_after_a_heading_is_not_text() -> None:
    """宿迁 2023's comparison prints “二、主动公开政府信息情况 ( 重复率 : 80%)”."""
    r = import_text("五、存在的主要问题及改进情况 ( 重复率 : 75%)\n问题。\n六、其他需要报告的事项\n无。\n")
    assert r.report.narrative["problems"] == "问题。"


def test_a_number_merged_down_from_the_row_above_is_not_this_rows() -> None:
    page = ("<p>二、主动公开政府信息情况</p><table><tr><td colspan=2>第二十条第（六）项</td></tr>"
            "<tr><td>信息内容</td><td>本年处理决定数量</td></tr>"
            "<tr><td>行政处罚</td><td rowspan=2>0</td></tr><tr><td>行政强制</td></tr></table>")
    from xl_gongkai.adapters.published import import_document
    from xl_gongkai.adapters.published.html import parse_html

    r = import_document(parse_html(page))
    assert r.report.values[CellKey("active", "penalty", "decisions")] == 0
    assert r.report.values[CellKey("active", "enforcement", "decisions")] is None
    assert [f.place.row for f in r.findings if f.rule == "I1"] == ["enforcement"]


def test_a_number_glued_to_its_label() -> None:
    r = import_text("二、主动公开政府信息情况\n第二十条第（五）项\n信息内容 本年处理决定数量\n行政许可447228\n"
                    "第二十条第（八）项\n信息内容 本年收费金额（单位：万元）96171.6\n")
    assert r.report.values[CellKey("active", "licensing", "decisions")] == 447228
    assert r.report.values[CellKey("active", "fees", "amount")] is None  # a number after the column label: no row


def test_compatibility_radicals_become_the_characters_they_stand_for() -> None:
    """宿迁 2023's PDF text prints 部⻔ and 同⽐增⻓ with radicals NFKC does not map (⻔ ⻓)."""
    preamble = published("02_suqian-city-2023").report.narrative["preamble"]
    assert "市各有关部门 933 件" in preamble and "同比增长70.3%" in preamble and "⻔" not in preamble


def test_characters_that_print_as_nothing_are_dropped() -> None:
    """A page copied with a zero-width space before each number of the tables (``3001 \u200b53``) and a soft
    hyphen and joiners in the text reads as the page without them: every cell as hand-checked."""
    lines = HUAIAN.split("\n")
    start, stop = lines.index("二、主动公开政府信息情况"), lines.index("五、存在的主要问题及改进情况")
    tables = [re.sub(r"(?<= )(?=\d)", "\u200b", ln) for ln in lines[start:stop]]
    text = "\n".join([*lines[:start], *tables, *lines[stop:]]).replace("政府信息", "政府\u00ad信\u200d息")
    assert text.count("\u200b") > 150
    result = import_text(text)
    assert differences(result.report, load("huaian-city-2024")) == []
    assert errors(result.findings) == []


def test_empty_cells_between_numbers_after_a_padding_cell() -> None:
    """The reference report's rows begin with an empty cell after the label (a merged label column)."""
    r = import_text("二、主动公开政府信息情况\n第二十条第（一）项\n行政规范性文件\t\t1,208\t\t3\n")
    assert [r.report.values[CellKey("active", "normative_docs", c)] for c in ("issued", "repealed", "in_force")] == [
        1208, None, 3]
    assert any("空单元格在两个数之间" in m for m in rules_of(r, "I5"))


def test_a_bracketed_unit_after_a_row_label() -> None:
    r = import_text("二、主动公开政府信息情况\n第二十条第（五）项\n信息内容 本年处理决定数量\n行政许可（件） 12\n")
    assert r.report.values[CellKey("active", "licensing", "decisions")] == 12
    assert rules_of(r, "I4") == [
        "I4 表二“第二十条第（五）项 行政许可”行使用的标签是“行政许可(件)”，正式格式为“行政许可”。"]


def test_the_pages_footer_is_not_the_last_section() -> None:
    page = ("<p>六、其他需要报告的事项</p><p>本年度未收取信息处理费。</p>"
            "<div>【打印本页】 【关闭窗口】</div><div>分享到： 微信 微博</div>")
    from xl_gongkai.adapters.published import import_document
    from xl_gongkai.adapters.published.html import parse_html

    assert import_document(parse_html(page)).report.narrative["other"] == "本年度未收取信息处理费。"


@pytest.mark.parametrize(("text", "agency"), [
    # a CMS field's label is not the name, its value is
    ("标题: 平潭综合实验区公安局2022年政府信息公开工作年度报告\n发布机构: \n一、总体情况\n2022年，我局……\n",
     "平潭综合实验区公安局"),
    # a breadcrumb before the title
    ("首页 > 政务公开 > 年度报告 > 某县水利局2024年政府信息公开工作年度报告\n一、总体情况\n……\n", "某县水利局"),
    # a site name after the page's title
    ("<html><head><title>沭阳县发展和改革局2023年政府信息公开年度报告-沭阳县发改局</title></head>"
     "<body><p>一、总体情况</p><p>2023年……</p></body></html>", "沭阳县发展和改革局"),
    # a year-first title broken over two lines, under a stray line
    ("正文\n2025 年上海市人民政府办公厅政府信息公开\n工作年度报告\n一、总体情况\n……\n", "上海市人民政府办公厅"),
    # only the 发布机构 field names it
    ("发布机构：某市统计局\n2024年政府信息公开工作年度报告\n一、总体情况\n……\n", "某市统计局"),
    # a CMS box printed as a table, its labels spaced out
    ("索 引 号 | 014416330/2024-04736 | 分 类 | 政府信息公开年报 |\n"
     "发布机构 | 某市人民政府办公室 | 发文日期 | 2025-01-20 |\n2024年政府信息公开工作年度报告\n一、总体情况\n……\n",
     "某市人民政府办公室"),
    # only the signature names it
    ("2024年政府信息公开工作年度报告\n一、总体情况\n……\n六、其他需要报告的事项\n无。\n某镇人民政府\n2025年1月20日\n",
     "某镇人民政府"),
    # a breadcrumb on the line above the title, which the two lines joined would read as the title: the title's own
    # name, not the office the 编制 sentence names
    ("当前位置：首页>信息公开>年度报告\n某市人民政府2024年政府信息公开工作年度报告\n"
     "发布时间：2025-01-20 浏览次数：123\n"
     "本报告由某市人民政府办公室根据《中华人民共和国政府信息公开条例》编制。\n一、总体情况\n……\n", "某市人民政府"),
    # a year-first title whose agency is an office named 室 (上海市人民政府参事室 2022, as a page's text)
    ("2022年某市人民政府参事室政府信息公开工作年度报告\n发布日期:2023/01/18 11:34:01\n一、总体情况\n……\n",
     "某市人民政府参事室"),
    # no title line: the preamble's sentence names the report (湛江市地方志办 2023, as a page's text)
    ("根据《中华人民共和国政府信息公开条例》要求,特编制某市人民政府地方志办公室2023年政府信息公开工作年度报告。"
     "本报告包括总体情况等内容。\n一、总体情况\n2023年,我办……\n", "某市人民政府地方志办公室"),
    # page furniture on the lines above the title, which two or three lines joined would read as the title's
    # name (落水镇 2024, 东风路街道 2025, 湖北省人社厅 2021: 浏览长者专版…, 乡镇(街道)…, 信息公开年报…)
    ("无障碍浏览 长者专版\n\n某镇人民政府2024年度政府信息公开工作年度报告\n\n一、总体情况\n……\n", "某镇人民政府"),
    ("长者版 无障碍阅读\n\n当前位置:首页 > 政府信息公开 > 政府信息公开年度报告 > 2025 > 乡镇(街道)\n\n"
     "某某路街道2025年政府信息公开工作年度报告\n\n一、总体情况\n……\n", "某某路街道"),
    ("您现在所在的位置:> 主页 > 信息公开 > 信息公开年报\n某省人力资源和社会保障厅2021年政府信息公开工作年度报告\n"
     "一、总体情况\n……\n", "某省人力资源和社会保障厅"),
    # no title line: the title inside the sentence that publishes it, the government's 政府 shared with the
    # report's words (合水镇 2024), or opening the preamble (荆州区政府办 2021)
    ("根据《条例》文件要求,现特向社会公布2024年某镇人民政府信息公开工作年度报告。\n一、总体情况\n……\n", "某镇人民政府"),
    ("某区人民政府办公室2021年政府信息公开工作年度报告(以下简称年报)是根据《条例》编制。\n一、总体情况\n……\n",
     "某区人民政府办公室"),
    # no title line: the title in title marks inside the sentence that compiled it, a mirror's spam glued before the
    # name up to a colon (西柳镇 2023, as a mirror serves it)
    ("根据《条例》，现编制形成了《某县水利局2023年政府信息公开工作年度报告》。\n一、总体情况\n……\n", "某县水利局"),
    ("现编制形成了《xbet体育_xbet官网@:某镇人民政府2023年政府信息公开工作年度报告》。\n一、总体情况\n……\n",
     "某镇人民政府"),
    # a page's menu on the line above a title that names no agency: no name, the signature's is the agency
    ("<html><head><title>年度报告</title></head><body><div>首页 政务公开 新闻中心 某区教育局 某区卫健局</div>"
     "<h2>2024年政府信息公开工作年度报告</h2><p>一、总体情况</p><p>……</p><p>六、其他需要报告的事项</p><p>无。</p>"
     "<p>某区人民政府某某街道办事处</p><p>2025年1月20日</p></body></html>", "某区人民政府某某街道办事处"),
    # the site's name above a title that names no agency is no agency's
    ("某市人民政府门户网站\n2024年政府信息公开工作年度报告\n一、总体情况\n……\n六、其他需要报告的事项\n无。\n"
     "某市统计局\n2025年1月20日\n", "某市统计局"),
    # a title that names its agency by the level alone is taken as it is (东乡县人社局 2021's 县人社局)
    ("县人社局2021年政府信息公开工作年度报告\n一、总体情况\n2021年,县人力社保局……\n", "县人社局"),
    # the sentence that says who compiled it, however long what it compiled it by (临沂高新区 2023)
    ("本报告由某区党政办公室按照《中华人民共和国政府信息公开条例》（国务院令第711号）和《国务院办公厅政府信息与政务公开"
     "办公室关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》（国办公开办函〔2021〕30号）及有关法律法规的要求"
     "编制。\n一、总体情况\n……\n", "某区党政办公室"),
    # a gambling site's words a mirror wrote over the place (某市政务服务管理局 2023 as a mirror serves it)
    ("英国威廉希尔公司市政务服务管理局2023年政府信息公开工作年度报告\n一、总体情况\n……\n", "市政务服务管理局"),
    # a title without a year, the statistics period giving it (市府东路街道 2025)
    ("某某路街道政府信息公开工作年度报告\n本年度报告根据《条例》要求制作。本报告中所列数据统计期限为2025年1月1日至"
     "2025年12月31日。\n一、总体情况\n……\n", "某某路街道"),
    # a collector's header restoring in square brackets what a mirror overwrote (淮安市自然资源和规划局 2021)
    ("source: http://mirror.example/art/1.html\n"
     "title: [某市]自然资源和规划局 2021年政府信息公开年度报告 (as mirrored)\nyear: 2021\n\n一、总体情况\n……\n",
     "某市自然资源和规划局"),
    # … unless the preamble's sentence that publishes it spells the name in full (天门市政府办 2025)
    ("市人民政府办公室2025年政府信息公开工作年度报告\n根据《条例》要求,现公开某市人民政府办公室2025年政府信息公开工作"
     "年度报告。\n一、总体情况\n2025年,市政府办公室……\n", "某市人民政府办公室"),
    # no title, no field, no signature: the subject of the sentence that opens part 一 (普宁市公安局 2023, 宜城市教育局
    # 2022, 官洲街道办事处 2023 as pages stored them)
    ("本报告根据《条例》要求编制。\n一、总体情况\n2023年,某市公安局以习近平新时代中国特色社会主义思想为指导……\n",
     "某市公安局"),
    ("一、总体情况\n本报告依据《条例》要求编制。\n2022年某市教育局全面贯彻落实《条例》……\n", "某市教育局"),
    ("一、总体情况\n2023年,在区委、区政府的坚强领导下,某某街道办事处认真贯彻落实《条例》……\n", "某某街道办事处"),
    # … the text opening with that sentence, its heading lost (国家国际发展合作署 2023 as a mirror stored it)
    ("2023年,某某发展合作署以习近平新时代中国特色社会主义思想为指导……\n(一)主动公开情况。……\n二、主动公开政府信息情况\n"
     "……\n", "某某发展合作署"),
    # the sentence that publishes it, first under the first heading of a page with no preamble (宅梧镇 2025), and
    # an opening sentence that begins 本年度 (兴发乡)
    ("一、总体情况\n根据《条例》等文件,现向社会公布2025年某某镇政府信息公开工作报告,内容涵盖2025年1月1日至2025年12月"
     "31日期间的情况。\n(一)主动公开……\n", "某某镇"),
    ("一、总体情况\n本年度,某某乡严格依照《中华人民共和国政府信息公开条例》……\n", "某某乡"),
    # a field's label joined to its value as one title line (西藏自治区人民政府 2023: ``标      题 …``)
    ("标      题 某自治区人民政府 2023年政府信息公开工作年度报告\n索引号 000014349/2024-00600 文      号\n"
     "一、总体情况\n……\n", "某自治区人民政府"),
    # the leadership after the name (长通街道 2025), a subheading on the sentence's line (宜城市教育局 2022), a 管委会
    # that calls itself 我委 (甘眉工业园区 2024)
    ("一、总体情况\n2025年,某某街道在区委、区政府的坚强领导下,严格按照《条例》……\n", "某某街道"),
    ("一、总体情况\n本报告依据《条例》要求编制。\n(一)主动公开情况。2022年某市教育局全面贯彻落实《条例》……\n",
     "某市教育局"),
    ("一、总体情况\n2024年,某某工业园区管委会严格落实《条例》……\n(一)主动公开。\n2024年,我委认真履职……"
     "我委及时公开……\n", "某某工业园区管委会"),
    # the office that compiled it named after its agency (三元区人社局 2021)
    ("2021年政府信息公开工作年度报告\n本报告由某区人力资源和社会保障局政府信息公开工作机构-办公室编制。\n"
     "一、总体情况\n……\n", "某区人力资源和社会保障局"),
    # a CMS box whose labels are spaced out and another field on the same line (咸宁市市场监管局 2025), or printed
    # without colons (府谷县政府办 2022: the label ``标   题`` glued to the name read 标题县政府办)
    ("索引号 : 文 号 : 无\n名 称: 某市市场监督管理局2025年信息公开工作年度报告 发布日期: 2026年01月21日\n"
     "本报告根据《条例》规定编制。\n一、总体情况\n2025年,我局……\n", "某市市场监督管理局"),
    ("索引号 bgs01/2023-00011 发文字号\n标   题 某县水利局2022年度政府信息公开工作年度报告\n"
     "发布机构 某县水利局 公文时效 有效\n本报告根据《条例》规定编制。\n一、总体情况\n……\n", "某县水利局"),
    ("发布机构 某县水利局 公文时效 有效\n2022年度政府信息公开工作年度报告\n一、总体情况\n……\n", "某县水利局"),
    # a column's name above the sentence that publishes the report (泰州市教育局 2022: 部门信息公开年报 2022)
    ("部门信息公开年报 2022\n发布机构 市教育局 发文日期 2023-01-18\n市教育局\n"
     "根据《条例》规定,现公布某市教育局2022年政府信息公开工作年度报告。\n一、总体情况\n……\n", "某市教育局"),
    # a customs house reports for its district (广州海关、湛江海关 2023)
    ("您的位置:首页 > 政府信息公开 > 政府信息公开年报 > 关区年报\n某某海关关区2023年政府信息公开工作年度报告\n"
     "一、总体情况\n……\n", "某某海关"),
    ("您的位置:首页 > 政府信息公开年报 > 关区报告\n根据《条例》等规定,梳理编制某某海关关区2023年政府信息公开工作"
     "年度报告。\n一、总体情况\n……\n", "某某海关"),
    # 组织编制 (中江县 2022), and a title ``……工作情况报告`` in the sentence that publishes it (连生乡 2024)
    ("一、总体情况\n本年度报告根据《条例》要求,由某县人民政府办公室组织编制。\n(一)主动公开方面。……\n",
     "某县人民政府办公室"),
    ("依据《条例》第五十条规定,特向社会公布2024年某乡人民政府政府信息公开工作情况报告。\n一、总体情况\n……\n",
     "某乡人民政府"),
    # the name before ``特编制`` in the sentence that compiles it (东湖街道 2023, a page with no preamble)
    ("一、总体情况\n根据《条例》的要求,某市某区某某街道特编制2023年政府信息公开年度报告。\n(一)加大公开力度\n"
     "2023年,某某街道办事处在区政府信息公开系统上主动公开政府信息47条。\n", "某市某区某某街道"),
    # the bureau's own office compiled it (浦口区教育局 2024), and an opening sentence whose verb is 通过 (铁东区退役
    # 军人事务局 2025)
    ("本年报是根据《条例》要求,由某市某区教育局办公室编制的2024年度政府信息公开工作年度报告。\n一、总体情况\n……\n",
     "某市某区教育局"),
    ("根据《条例》规定编制本报告。\n一、总体情况\n(一)主动公开政府信息情况\n2025年,某区退役军人事务局通过区政府网站"
     "主动公开政府信息8条。\n", "某区退役军人事务局"),
    # nothing names it but the preamble's contact sentence, of the kind the report calls itself throughout: the agency
    # (平度市公安局 2023, 长河街道 2023) or an office inside it (来宾市卫健委 2023, 仙庵镇 2023)
    ("根据《条例》规定,特向社会公布2023年政府信息公开工作年度报告。如对本报告有任何疑问,请与某市公安局(地址:某路1号)"
     "联系。\n一、总体情况\n2023年,我局……我局……\n", "某市公安局"),
    ("本报告中所列数据统计期限为2023年1月1日至12月31日。如对本年度报告有疑问,请联系:某区人民政府某某街道办事处;"
     "联系电话:0571-86624908。\n一、总体情况\n2023年,我街道……我街道……\n", "某区人民政府某某街道办事处"),
    ("现编制2023年政府信息公开工作年度报告。如对本报告有任何疑问,请与某市卫生健康委员会办公室联系(地址:某路1号)。\n"
     "一、总体情况\n2023年,我委……我委……\n", "某市卫生健康委员会"),
    ("如对本报告有任何疑问,请与某县某某镇人民政府党政综合办公室联系。\n一、总体情况\n2023年,我镇……我镇……\n",
     "某县某某镇人民政府"),
    # the first opening sentence says 我局, a later one under a subheading names it (洋县自然资源局 2023)
    ("一、总体情况\n2023年,我局政府信息公开工作紧密结合本地实际,不断深化发展。\n本报告中所列数据的统计期限自2023年1月1日起"
     "至2023年12月31日止。\n(一)主动公开情况\n2023年度,某县自然资源局共完成政府网站信息发布65条。\n", "某县自然资源局"),
    # the sentence publishes the year's 情况 (广元市统计局 2024); a mirror's ``??`` for each line's indent (辽宁省政府
    # 办公厅 2025)
    ("根据《条例》要求,特向社会公布某市统计局2024年政府信息公开情况。报告全文包括总体情况等6个部分。\n一、总体情况\n"
     "……\n", "某市统计局"),
    ("??根据《条例》规定编制本报告。\n??一、总体情况\n??2025年,某省人民政府办公厅坚持以习近平新时代中国特色社会主义"
     "思想为指导……\n", "某省人民政府办公厅"),
    # a title naming no agency, the name on a line of its own past the byline (盐边县新九镇 2021); a 来源 field that
    # names the office inside the agency (``来源:某某镇党政办``)
    ("关于2021年度政府信息公开工作的年度报告\n\nwww.example.gov.cn     发布时间:2022-01-25     来源:某某镇党政办\n\n"
     "某县某某镇人民政府\n\n一、总体情况\n某某镇认真贯彻落实《条例》。\n", "某县某某镇人民政府"),
    ("关于2021年度政府信息公开工作的年度报告\nwww.example.gov.cn     发布时间:2022-01-25     来源:某某镇党政办\n"
     "一、总体情况\n某某镇认真贯彻落实《条例》。\n", "某某镇"),
    # the preamble defines the agency's short name, the opening sentence uses it (建新镇 2025); the preamble defines
    # the report's short name after its title in title marks (双塔区 2022)
    ("本报告根据《条例》相关规定,结合某县某某镇人民政府(以下简称“镇政府”)2025年度政府信息公开工作实际编制。\n"
     "一、总体情况\n2025年,某某镇政府坚持以习近平新时代中国特色社会主义思想为指导……\n", "某县某某镇人民政府"),
    ("本报告根据《条例》规定编制。《某区人民政府2022年政府信息公开工作年度报告》(以下简称《年报》)通过某区人民政府门户"
     "网站向社会公开。\n一、总体情况\n……\n", "某区人民政府"),
    # a portal's long header above the title (海南州 2022: the title is the page's seventeenth line)
    ("站群导航\n某州人民政府\n政府工作部门\n各县政府\n|\n加入收藏\n|\n设为首页\n|\n手机版\n某州人民政府\n政府信息公开\n"
     "全文检索\n索引号: 30702110/2023 发布机构:\n生效日期: 2023-03-21 废止日期:\n文 号: 所属主题: 州政府信息公开年报\n"
     "某州人民政府2022年政府信息公开工作年度报告\n来源: 发布时间:2023-03-17\n一、总体情况\n……\n", "某州人民政府"),
    # a CMS field after another on the same line (金牛镇 2025: ``发表日期:2026-01-27    文章来源:大冶市金牛镇``)
    ("发表日期:2026-01-27    文章来源:某市某某镇\n\n2025年度政务信息公开工作报告\n\n一、总体情况\n\n"
     "(一)主动公开方面。2025年,我镇在网上发布信息69条。\n", "某市某某镇"),
    # the government that compiled the district's report from its bodies' (徐水区 2022)
    ("本报告依据《条例》要求,由某区人民政府综合全区各部门和各乡镇政府信息公开工作年度报告和统计数据编制而成。\n"
     "一、总体情况\n……\n", "某区人民政府"),
    # a running title that left a character out, the signature spelling the name in full (文登区政府办 2022)
    ("Page 9 - 某市某某人民政府办公室2022年政府信息公开工作年度报告\nP. 9\n(五)其他报告事项\n无。\n"
     "某市某某区人民政府办公室\n2023 年 1 月 16 日\n", "某市某某区人民政府办公室"),
    # an opening sentence whose verb is 以 (易家街道 2021), and a CMS box printed as a list (常泰街道 2024)
    ("一、总体情况\n2021年,某某街道办事处以贯彻《条例》为契机,坚持“公开为常态、不公开为例外”。\n", "某某街道办事处"),
    ("- 索 引 号:QZ01904-3000-2025-00001\n- 发布机构:某区人民政府某某街道办事处\n- 公文生成日期:2025-01-07\n"
     "本报告根据《条例》要求编制。\n一、总体情况\n……\n", "某区人民政府某某街道办事处"),
])
def test_agency_names_from_menus_fields_and_signatures(text: str, agency: str, tmp_path: Path) -> None:
    name = "r.html" if text.startswith("<html>") else "r.txt"
    (tmp_path / name).write_text(text, "utf-8")
    assert import_report(tmp_path / name).report.metadata.get("agency") == agency


@pytest.mark.parametrize("title", [
    "某县水利局2024年政府信息公开年报", "某县水利局2024年政务公开工作年度报告",
    "某县水利局2024年度信息公开工作年度报告", "某县水利局政府信息公开工作年度报告（2024年度）",
    "某县水利局二〇二四年政府信息公开工作年度报告",
    "附件\n某县水利局2024年政府信息公开工作年度报告", "附件1：\n某县水利局2024年政府信息公开工作年度报告",
    "《某县水利局2024年政府信息公开工作年度报告》",
    "2024年政府信息公开工作年度报告\n某县水利局", "2024年政府信息公开工作年度报告\n（某县水利局）",
    "某县水利局关于公布2024年政府信息公开工作年度报告的公告",
    "某县人民政府办公室关于印发某县水利局2024年政府信息公开工作年度报告的通知",
    "某县人民政府办公室关于印发《某县水利局2024年政府信息公开工作年度报告》的通知",
    "某县水利局2024年政府信息公开工作年度报告_某县人民政府门户网站",
    "某县水利局2024年度政府信息公开工作报告", "2024年度某县水利局政府信息公开工作报告",
    "某县水利局2024年度政务信息公开工作报告", "某县水利局关于2024年度政府信息公开工作的年度报告",
    "某县水利局2024年政务信息公开工作开展年度报告",
    "某县水利局政府信息公开工作2024年度报告", "某县水利局政府信息公开工作\n2024年度情况的报告",
    "某县水利局2024年政府信息公开 工作告年度报\n来源：某县人民政府办公室 时间：2025-01-31",
    "某县2024年政府信息公开工作年度报告\n（某县水利局）",
    "某县人民政府办公室关于公布2024年政府信息公开工作年度报告的通知\n各乡镇人民政府……\n附件\n"
    "某县水利局2024年政府信息公开工作年度报告",
])
def test_a_title_worded_its_own_way(title: str) -> None:
    """How agencies word their titles (as the portal's column is named, 政府信息公开年报): the title's agency and year,
    not a name from the body (here the signature's). A report attached to a notice has ``附件`` above its title; a
    title in title marks is the title; a title that names no agency has the agency on the line under it; a notice
    that publishes the report names the report's agency before or after its ``关于``; a page's <title> printed as
    the first line ends with the site's name; a title with its last words typed out of order is the title still, not
    the portal's 来源 under it."""
    text = f"{title}\n一、总体情况\n2024年，我局……\n六、其他需要报告的事项\n无。\n某市人民政府\n2025年1月20日\n"
    meta = import_text(text).report.metadata
    assert (meta.get("agency"), meta.get("year")) == ("某县水利局", 2024)


@pytest.mark.parametrize("agency", [
    "某市人民政府参事室", "第一师某市十团", "某县国有林场", "某市公安局交通警察支队", "某县消防救援大队",
    "国家税务总局某市税务局", "某市住房公积金管理中心", "某市某区人民政府某某街道办事处", "某某里街",
])
def test_the_kinds_of_body_that_publish_a_report(agency: str) -> None:
    """Bodies that publish these reports besides 局 and 人民政府: an office named 室, a regiment of the 兵团 or a
    state farm that governs its land, a detachment, a vertical agency, a centre."""
    meta = import_text(f"{agency}2024年政府信息公开工作年度报告\n一、总体情况\n2024年，我单位……\n").report.metadata
    assert (meta.get("agency"), meta.get("year")) == (agency, 2024)


@pytest.mark.parametrize("text", [
    "当前位置：首页 > 政务公开 > 政府信息公开年报\n2024年政府信息公开工作年度报告\n一、总体情况\n……\n",
    "根据《条例》要求，现将本机关2024年政府信息公开工作年度报告公布如下，请监督。\n一、总体情况\n……\n",
    "根据《条例》要求，特编制我局2024年政府信息公开工作年度报告。\n一、总体情况\n……\n",
    "2024年全区政府信息公开工作年度报告由区政府办公室汇总编制。\n一、总体情况\n……\n",
    # the narrative tells of other agencies' reports: no name from there
    "一、总体情况\n2024年，我局指导各单位编制发布某县水利局2023年政府信息公开工作年度报告。\n",
    # the opening sentence's subject that is the level alone, several bodies, the region's bodies, itself
    "一、总体情况\n2024年,区政府办公室认真贯彻落实《条例》……\n",
    "一、总体情况\n2024年,中共某县委、某县人民政府高度重视政务公开……\n",
    "一、总体情况\n2024年,全区各级行政机关认真贯彻落实《条例》……\n",
    "一、总体情况\n2024年,我局认真贯彻落实《条例》……\n",
    "一、总体情况\n2023年,我街按照《条例》有关要求,在区委、区政府的指导下……\n",  # 桥中街道 2023 calls itself 我街
    # … or a sentence that is not about who did the year's work
    "一、总体情况\n2024年是某县水利局深化改革的关键一年……\n",
    # the sentence that publishes it names the body by the level alone
    # (浑南区国资局 2022: ``现公布区政府国资局2022年……``)
    "根据《条例》要求,现公布区政府国资局2022年政府信息公开工作年度报告。\n一、总体情况\n(一)主动公开\n"
    "2022年度区政府国资局通过……\n",
    # nothing left of a name a mirror overwrote but its ending (美高梅娛樂城办公厅), or the report's own 我局 after
    # the sentence's first words (``现将我局编制的……报告``)
    "美高梅娛樂城办公厅2022年政府信息公开工作年度报告\n一、总体情况\n……\n",
    "根据有关文件要求,现将我局编制的2025年政府信息公开工作年度报告向社会公开。\n一、总体情况\n……\n",
    # the contact sentence names the county's coordinating office, a body by the level alone, or a body of a kind
    # the report never calls itself (吴起县 2023: the county's report, which says 我县, names its 政务服务中心)
    "如对本报告有任何疑问,请与某县政务公开办公室联系。\n一、总体情况\n2023年,我局……我局……\n",
    "如对本报告有任何疑问,请与区政府办公室联系。\n一、总体情况\n……\n",
    "如对本报告有疑问,请联系某县政府政务服务中心。\n一、总体情况\n2023年,我县坚持……我县……\n",
    # what a mirror's spam left of the name is the kind of body, not which (武汉市某分局 2023 as a mirror serves it)
    "2023年武汉市生态环境局环球国际(中国)官方网站 分局政府信息公开工作年度报告\n一、总体情况\n2023年,分局坚持……\n",
    # the short names the preamble defines for the law and for the bodies whose requirements it follows
    "根据《中华人民共和国政府信息公开条例》(以下简称《条例》)和国务院办公厅政府信息与政务公开办公室(以下简称国办公开办)"
    "的要求编制本报告。\n一、总体情况\n……\n",
    # who does the work is not who compiled the report (金牛镇 2025: ``由党政办负责政府信息公开的日常工作``)
    "一、总体情况\n2024年,我镇……\n(三)政府信息管理方面。由党政办负责政府信息公开的日常工作,落实专责人员。\n",
])
def test_a_menu_or_a_sentence_is_never_an_agency(text: str) -> None:
    assert "agency" not in import_text(text).report.metadata


def test_a_part_numbered_its_own_way_and_rows_printed_apart() -> None:
    """上海市科委 2024 (as a converter printed it): 主动公开 numbered 一, and 规章 / 规范性文件 after the other rows."""
    text = ("一、主动公开政府信息情况\n第二十条第（一）项\n第二十条第（五）项\n信息内容本年处理决定数量\n行政许可 97\n"
            "第二十条第（六）项\n信息内容本年处理决定数量\n行政处罚 0\n行政强制 0\n第二十条第（八）项\n"
            "信息内容本年收费金额（单位：万元）\n行政事业性收费 0\n## 表二：主动公开政府信息情况\n"
            "| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n|---|---|---|---|\n| 规章 | 0 | 0 | 0 |\n"
            "| 规范性文件 | 13 | 0 | 55 |\n\n二、收到和处理政府信息公开申请情况\n")
    r = import_text(text)
    values = {k.row + "." + k.column: v for k, v in r.report.values.items() if k.table == "active"}
    assert values == {"rules.issued": 0, "rules.repealed": 0, "rules.in_force": 0, "normative_docs.issued": 13,
                      "normative_docs.repealed": 0, "normative_docs.in_force": 55, "licensing.decisions": 97,
                      "penalty.decisions": 0, "enforcement.decisions": 0, "fees.amount": 0}
    assert any("一、主动公开政府信息情况" in f.message for f in r.findings if f.rule == "I4")


def test_a_piece_of_a_merged_group_label_inside_a_row_label() -> None:
    """pdftotext -layout of 淮安 2024: the merged group label's second line falls between the row label's lines."""
    r = import_text("三、收到和处理政府信息公开申请情况\n（六）其\n"
                    "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请 67 3 0 0 1 0 71\n"
                    "2、申请人逾期未按收费通知要\n他处理\n求缴纳费用、行政机关不再处理 6 0 0 0 0 0 6\n"
                    "其政府信息公开申请\n3、其他 108 2 0 0 0 0 110\n")
    t = r.report.form.table("requests")
    assert [r.report.values[CellKey("requests", "other_no_fee", c.key)] for c in t.columns] == [6, 0, 0, 0, 0, 0, 6]
    assert not [f for f in r.findings if f.rule == "I3"]


def test_what_the_text_lacks_and_prints_blank_travels_with_the_payload(tmp_path: Path) -> None:
    """An excerpt's absent parts and a table's printed blanks are in the payload, so `check` of it says the same."""
    from xl_gongkai.adapters.jsonfile import read_report
    from xl_gongkai.commands.check import run_check
    from xl_gongkai.commands.importing import run_import
    from xl_gongkai.commands.load import open_source

    for name in ("12_excerpt_table_two_only.txt", "19_blank_applicant_cells_markdown.txt"):
        out = tmp_path / (name + ".json")
        done = run_import(DATA / "causes" / name, out=out, today=TODAY)
        for o in done.outputs:
            o.path.write_bytes(o.data)
        direct = [(f.rule, f.key) for f in done.checked.validation.findings]
        again = [(f.rule, f.key) for f in run_check(open_source(out), today=TODAY).validation.findings]
        assert direct == again, name
        loaded = read_report(out).report
        assert loaded.absent == done.checked.report.absent
        assert loaded.printed_blank == done.checked.report.printed_blank
    excerpt = run_check(open_source(tmp_path / "12_excerpt_table_two_only.txt.json"), today=TODAY)
    assert not [f for f in excerpt.validation.findings if f.rule == "V1"]
    assert sorted(f.key for f in excerpt.validation.findings if f.rule == "I6") == [
        "I6:appeals", "I6:requests", "I6:section.other", "I6:section.problems"]


@pytest.mark.parametrize(("part", "message"), [
    ({"absent": {"table9": "x"}}, "absent 中有未知的部分：table9"),
    ({"printed_blank": ["requests.new.nobody"]}, "printed_blank 中有未知的单元格“requests.new.nobody”"),
    ({"printed_blank": "requests.new.total"}, "printed_blank 应为单元格键"),
])
def test_a_payload_with_unknown_source_parts_is_refused(part: dict[str, Any], message: str, tmp_path: Path) -> None:
    from xl_gongkai.adapters.jsonfile import read_report

    doc = {"form": "gov-2021", "metadata": {"agency": "某局", "year": 2024}, "values": {}, **part}
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    with pytest.raises(InputError, match=re.escape(message)):
        read_report(path)


@pytest.mark.parametrize("text", [
    "一、总体情况\n本年度……\n五、存在的主要问题及明年工作计划\n一是解读不够。\n六、其他需要报告的事项\n无。\n",
    "一、总体情况本年度……五、存在的主要问题及明年工作计划一是解读不够。六、其他需要报告的事项无。" + "。" * 120,
])
def test_a_heading_that_ends_its_own_way(text: str) -> None:
    r = import_text(text)
    assert "一是解读不够" in r.report.narrative["problems"] and "无" in r.report.narrative["other"]
    assert any("五、存在的主要问题及明年工作" in f.message for f in r.findings if f.rule == "I4")


def test_an_agency_the_text_does_not_state_is_to_check_not_an_error(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """A page's text without its title (trafilatura drops it; an excerpt) names no agency anywhere: that is what the
    importer could not find, not an error of the agency. I6 says so once, 待核对, in ``import`` and in ``check`` of
    the payload it wrote (the payload records it in ``absent``); a clerk's payload without the agency is still M1's
    错误."""
    from support.cli_run import run
    from xl_gongkai.core.payload import content_hash

    page = tmp_path / "page.txt"
    page.write_text("本报告根据《条例》要求编制，所列数据的统计期限自2024年1月1日起至2024年12月31日止。\n"
                    "一、总体情况\n2024年，全区……\n", "utf-8")
    payload = tmp_path / "p.json"
    day = ("--today", TODAY.isoformat())
    for args in (("import", page, "-o", payload, "--format", "json", *day),
                 ("check", payload, "--format", "json", *day)):
        found = json.loads(run(capsys, *args)[1])["validation"]["findings"]
        assert not [f for f in found if f["rule"] == "M1"]
        cover = [f for f in found if f["rule"] == "I6" and "机关名称" in f["message"]]
        assert len(cover) == 1 and cover[0]["severity"] == UNREAD.value
    doc = json.loads(payload.read_text("utf-8"))
    assert doc["absent"]["metadata.agency"] and doc["metadata"]["year"] == 2024
    del doc["absent"]
    doc["sha256"] = content_hash(doc)
    clerks = tmp_path / "clerk.json"
    clerks.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    code, out, _ = run(capsys, "check", clerks, "--format", "json", *day)
    assert code == 1
    assert any(f["rule"] == "M1" and f["severity"] == ERROR.value for f in json.loads(out)["validation"]["findings"])


_OPENING_ONLY = ("根据《条例》规定编制本报告。报告数据统计期限为2025年1月1日至2025年12月31日。\n一、总体情况\n"
                 "2025年，我局坚持……\n（一）主动公开政府信息情况\n我局紧紧围绕重点工作，发布各类政务信息34篇。\n"
                 "全年共办理行政许可26768件、行政处罚538件、行政强制95件，预算信息均已及时公开。\n"
                 "（二）依申请公开情况\n2025年我局共接收政府信息公开申请10件，共办结8件。\n")


def test_an_opening_that_ends_inside_part_one_reads_no_table_from_its_prose() -> None:
    """A page's opening that ends inside 一、总体情况 (凌源市某局 2025 as a search result shows it):
    ``（一）主动公开政府信息情况`` is part 一's subheading, not part 二 numbered its own way; and the sentence
    ``行政处罚538件、行政强制95件`` names no rows of table 二 (the narrative proves no cell)."""
    r = import_text(_OPENING_ONLY)
    assert "active" not in r.report.narrative and "（一）主动公开政府信息情况" in r.report.narrative["overview"]
    assert not [m for m in (f.message for f in r.findings if f.rule == "I4") if "主动公开" in m]
    assert all(v is None for k, v in r.report.values.items() if k.table == "active")


def test_a_sentence_that_lists_the_years_decisions_is_no_row_of_table_two() -> None:
    """The sentence above table 二 that sums up its rows, the table cut off the page (狮子山街道 2025 as a search
    result shows it): ``处理`` before ``行政处罚`` is a word of the column's header, but after ``1972件;`` it
    begins the next item of the sentence's list, so no row of the table is read from it."""
    r = import_text("二、主动公开政府信息情况\n2025年,某街道制发规章、行政规范性文件;处理行政许可决定数量1972件;"
                    "处理行政处罚数量19件,处理行政强制数量10件;行政事业性收费共0元。\n第二十条第(一)项\n信息内容\n"
                    "本年制发件数\n本年废止件数\n现行有效件数\n规章\n0\n0\n0\n")
    values = {k.row: v for k, v in r.report.values.items() if k.table == "active"}
    assert values["rules"] == 0
    assert [values[k] for k in ("licensing", "penalty", "enforcement", "fees")] == [None] * 4


def test_a_list_of_what_was_published_is_no_row_of_table_two() -> None:
    """Part 一's list of what the site published, counted in 条 (no cell's unit), on a page cut before table 二
    (来宾市卫健委 2023 as a search result shows it): ``行政许可93条`` is an item of the list, not the row; a row
    enumerator after a number (``0 1、本机关不掌握…`` in a table a crawler glued) is a label still."""
    r = import_text("一、总体情况\n(一)主动公开情况。\n2023年1—12月,我委在网站累计发布信息313条,其中政策文件14条、"
                    "行政许可93条、行政执法37条、人事信息14条。\n(二)依申请公开。\n2023年,我委未收到申请。\n")
    assert all(v is None for k, v in r.report.values.items() if k.table == "active")


@pytest.mark.parametrize(("source", "body", "agency"), [
    ("来源：某县人民政府办公室 时间：2024-01-31", "我镇认真贯彻……我镇全面梳理……", None),
    ("来源：某县人民政府办公室 时间：2024-01-31", "我局认真贯彻……本局全面梳理……", None),
    ("来源：某县某某镇人民政府 时间：2024-01-31", "我镇认真贯彻……我镇全面梳理……", "某县某某镇人民政府"),
    ("来源：某县人民政府办公室 时间：2024-01-31", "我镇认真贯彻……", "某县人民政府办公室"),
    ("来源：某县人民政府办公室 时间：2024-01-31", "我县认真贯彻……我县全面梳理……", "某县人民政府办公室"),
])
def test_a_pages_source_field_of_another_kind_than_the_report_calls_itself_is_not_its_agency(
        source: str, body: str, agency: str | None) -> None:
    """A title without a name, and the portal's 来源 above a report that calls itself 我镇 or 本局 throughout: a
    county's office is not a township or a bureau, so the field names the portal, not the report's agency. Said
    once it may be another body's words; 我县 is as often the place as the body."""
    text = f"2023年政府信息公开工作年度报告\n{source}\n一、总体情况\n2023年，{body}\n六、其他需要报告的事项\n无。\n"
    assert import_text(text).report.metadata.get("agency") == agency


@pytest.mark.parametrize("sentence", [
    "现结合我镇实际,从总体情况等六个方面汇报我镇2023年政府信息公开工作。",
    "现将我镇2023年度政府信息公开工作情况报告如下。",
])
def test_the_year_of_the_sentence_that_reports_the_years_work(sentence: str) -> None:
    """A town's page with no title and no statistics period (尼勒克县某镇 2023, as the page is stored): the year is the
    one of the sentence that reports the year's work, said in I5."""
    result = import_text(f"一、总体情况\n本报告是根据《条例》要求,{sentence}\n二、主动公开政府信息情况\n……\n")
    assert result.report.metadata.get("year") == 2023
    assert any(f.rule == "I5" and "2023" in f.message for f in result.findings)


def test_the_year_of_a_clause_of_its_own_in_part_one() -> None:
    """A page with no title, no statistics period and no sentence that opens with its year (中江县某局 2022 as a
    mirror stored it): the year a clause of its own after a comma, said in I5; two such years say nothing."""
    body = ("一、总体情况\n按照《条例》要求,积极做好我局的各类信息的主动公开。\n(一)主动公开方面。认真贯彻落实《条例》,"
            "坚持依法公开,{},我局在县人民政府网站主动公开信息416条。\n二、主动公开政府信息情况\n……\n")
    result = import_text(body.format("2022年"))
    assert result.report.metadata.get("year") == 2022
    assert any(f.rule == "I5" and "2022年，我局在" in f.message for f in result.findings)
    assert import_text(body.format("2022年,我局主动公开信息300条;2021年")).report.metadata.get("year") is None


@pytest.mark.parametrize(("text", "year"), [
    # the statistics period's first date without its 年 (易门县气象局 2023)
    ("本报告由某县气象局编制。\n本报告中使用数据统计期限为20231月1日至12月31日。\n一、总体情况\n……\n", 2023),
    # no title, no period, no dated opening: the year whose end things are counted at (长春市某局 2023)
    ("一、总体情况\n(一)主动公开信息情况。本年度我局不断充实政务公开内容。截止2023年12月31日我局通过官方网站"
     "发布政务类信息34条。\n", 2023),
    ("一、总体情况\n截至2023年底,我局发布信息34条;截至2022年底,我局发布信息30条。\n", None),
])
def test_the_year_of_a_period_that_lost_its_year_mark_and_of_a_years_end(text: str, year: int | None) -> None:
    assert import_text(text).report.metadata.get("year") == year


def test_an_opening_that_states_its_period_is_a_report_whatever_its_parts_are_called(tmp_path: Path) -> None:
    """The opening of a hospital's report (淮北市人民医院 2022 as a search result shows it): its part 一 is called
    ``一、主动公开情况`` and the page ends inside it, so no part and no table of the form is found — but the text
    states its statistics period: an excerpt of a report, read with each absent part one finding, not refused as a
    notice would be."""
    from xl_gongkai.commands.load import open_source
    from xl_gongkai.errors import InputError

    period = "本报告中所列数据的统计期限自2022年1月1日起至2022年12月31日止。"
    opening = "本报告根据《条例》要求,由某市人民医院编制。{}\n一、主动公开情况\n一年来,我院认真贯彻落实《条例》。\n"
    (tmp_path / "r.txt").write_text(opening.format(period), "utf-8")
    report = open_source(tmp_path / "r.txt").report
    assert (report.metadata.get("agency"), report.metadata.get("year")) == ("某市人民医院", 2022)
    (tmp_path / "n.txt").write_text(opening.format(""), "utf-8")
    with pytest.raises(InputError, match="不像一份政府信息公开工作年度报告"):
        open_source(tmp_path / "n.txt")


def test_a_flip_book_page_from_the_middle_of_a_report_is_read_by_its_title(tmp_path: Path) -> None:
    """Page 3 of a report a site shows as a flip-book (威海市文登区商务局 2022 as a search result shows it): no part's
    heading and no table on the page, but its running title names the agency and the year — a report's page, read
    as an excerpt, not refused as a notice (which has no such title) is."""
    from xl_gongkai.commands.load import open_source
    from xl_gongkai.errors import InputError

    page = ("Page 3 - 某市某区商务局2022年政府信息公开工作年度报告\nP. 3\n\n部门、简历和照片等重点信息,公开了机关职能。"
            "\n\n(四)政府信息公开平台的建设情况\n\n我局立足新形势下“互联网+政务服务”……\n")
    (tmp_path / "p3.txt").write_text(page, "utf-8")
    report = open_source(tmp_path / "p3.txt").report
    assert (report.metadata.get("agency"), report.metadata.get("year")) == ("某市某区商务局", 2022)
    notice = "关于做好2022年政府信息公开工作年度报告编制发布工作的通知\n各单位：请按要求报送。\n某区人民政府办公室\n"
    (tmp_path / "n.txt").write_text(notice, "utf-8")
    with pytest.raises(InputError, match="不像一份政府信息公开工作年度报告"):
        open_source(tmp_path / "n.txt")


def _paragraph_cells(label: str, cells: list[int | None]) -> str:
    """A row as a page converter prints it one cell a paragraph: each printed cell followed by a blank line, an empty
    cell by a line of nothing."""
    return f"{label}\n\n" + "".join("\n" if c is None else f"{c}\n\n" for c in cells)


@pytest.mark.parametrize(("cells", "read"), [
    ([103, 3, None, None, 1, None, 107], True),
    ([31, None, None, None, None, None, 31], True),
    ([8, 0, None, None, None, 0, 8], True),
    ([103, 3, None, None, 1, None, 108], False),  # the total does not hold: no proof of the places
])
def test_empty_cells_printed_as_empty_paragraphs(cells: list[int | None], read: bool) -> None:
    """鹿城区某局 2022 as a page stored it: every cell a paragraph with a blank line after it, an empty cell a line of
    nothing, so ``103`` ‖ ‖ ``3`` ‖ ‖ ‖ ‖ ``1`` ‖ ‖ ‖ ``107`` is 103, 3, blank, blank, 1, blank, 107 — read in those
    places when the row's count and its total both come out; otherwise the row is left unread."""
    form = load_form()
    table = form.table("requests")
    header = "三、收到和处理政府信息公开申请情况\n\n申请人情况\n\n自然人\n\n法人或其他组织\n\n总计\n\n" + "".join(
        f"{c.name}\n\n" for c in table.columns[1:6])
    nxt = table.row("carried_in").label
    text = f"一、总体情况\n\n……\n\n{header}{_paragraph_cells(table.row('new').label, cells)}{nxt}\n\n"
    values = import_text(text).report.values
    got = [values.get(CellKey("requests", "new", c.key)) for c in table.columns]
    assert got == (cells if read else [None] * 7)


def _one_cell_a_line(rows: list[tuple[str, list[int]]], after: str) -> str:
    return "".join(f"{label}\n{after}" + "".join(f"{n}\n{after}" for n in numbers) for label, numbers in rows)


@pytest.mark.parametrize(("chrome", "merged", "led"),
                         [("", "", ""), ("登录 | 注册\n", "", ""), ("", "||||\n", ""), ("", "", "| ")])
def test_lines_of_one_pipe_between_cells_separate_them(chrome: str, merged: str, led: str) -> None:
    """A page stored with every cell on a line of its own and a line holding only ``|`` after each (尼勒克县某镇 2023:
    表二 and 表三 read as blank tables, 73 printed cells lost), and lines of several ``|`` where cells are merged
    (石家庄市中山街道 2021): the pipes separate cells and hold none, so the table reads as one printed a cell a line.
    A ``|`` inside the page's menu changes nothing; nor does one before each row's first cell (安居区某局 2022:
    ``| 规章`` ‖ ``|`` ‖ ``0`` ‖ …)."""
    form = load_form()
    table = form.table("requests")
    rows = [(led + row.label, [3, 1, 0, 0, 0, 1, 5] if row.key == "new" else [0] * 7) for row in table.rows
            if row.key in ("new", "carried_in")]
    header = (f"三、收到和处理政府信息公开申请情况\n|\n申请人情况\n|\n{merged}自然人\n|\n法人或其他组织\n|\n"
              f"总计\n|\n{merged}")
    text = f"{chrome}一、总体情况\n2023年,我镇……\n{header}{_one_cell_a_line(rows, '|' + chr(10))}"
    values = import_text(text).report.values
    got = [values.get(CellKey("requests", "new", c.key)) for c in table.columns]
    assert got == [3, 1, 0, 0, 0, 1, 5]


def test_cells_indented_with_tabs_and_ending_in_a_pipe() -> None:
    """遂溪县某局 2021 as a mirror stores it: each cell on a line of its own ending in ``|``, indented with tabs as
    the page's source was, rows apart by lines of tabs, a row's last ``|`` on the next line: the tabs separate no
    cells (read as a browser's copy, 规章 1 0 3 became three empty cells and a 3 in 现行有效件数)."""
    def row(label: str, numbers: list[int]) -> str:
        cells = "".join(f"\t\t\t{n}  | \n" for n in numbers[:-1])
        return f"{label}  | \n{cells}\t\t\t{numbers[-1]}\n   | \n\t\t\n"
    text = ("一、总体情况\n  2021年,我局……\n  二、主动公开政府信息情况\n  第二十条第(一)项  | \n\t\t\n信息内容  | \n"
            "\t\t\t本年制发件数  | \n\t\t\t本年废止件数  | \n\t\t\t现行有效件数  | \n\t\t\n"
            + row("规章", [1, 0, 3]) + row("行政规范性文件", [5, 2, 9]) + "第二十条第(五)项  | \n")
    values = import_text(text).report.values
    got = [values.get(CellKey("active", r, c)) for r in ("rules", "normative_docs") for c in ("issued", "repealed",
                                                                                               "in_force")]
    assert got == [1, 0, 3, 5, 2, 9]


def test_a_line_of_one_pipe_is_an_empty_cell_where_cells_end_in_a_pipe() -> None:
    """Where each cell's own line ends in ``|`` (冷水滩区高科园 2023: ``一、本年新收…… |`` ‖ six lines ``|`` ‖
    ``0 |``), a line of one ``|`` is an empty cell: the row keeps its count, nothing is moved into 自然人."""
    form = load_form()
    new = form.table("requests").row("new")
    text = (f"一、总体情况\n2023年,我园……\n三、收到和处理政府信息公开申请情况\n申请人情况 |\n自然人 |\n总计 |\n"
            f"{new.label} |\n" + "|\n" * 6 + "0 |\n")
    values = import_text(text).report.values
    assert values.get(CellKey("requests", "new", "natural_person")) is None


def test_empty_cells_printed_a_line_each_keep_the_numbers_in_their_columns() -> None:
    """Cells printed a line each, ending in ``|``, an empty cell a line of one ``|`` (冷水滩区高科园 2023: only 总计
    printed; a table whose five 法人 columns are blank): the empty cells' lines place the numbers — 自然人 and 总计
    read in their columns, the blank ones left blank, where line by line each row had two numbers for seven cells."""
    form = load_form()
    table = form.table("requests")
    header = "三、收到和处理政府信息公开申请情况\n申请人情况 |\n自然人 |\n法人或其他组织 |\n总计 |\n|||||\n"
    body = "".join(f"{table.row(key).label} |\n{first} |\n" + "|\n" * 5 + f"{total} |\n||\n"
                   for key, first, total in (("new", 7, 7), ("carried_in", 1, 1)))
    only_total = f"{table.row('carried_out').label} |\n" + "|\n" * 6 + "2 |\n||\n"
    values = import_text(f"一、总体情况\n2023年,我局……\n{header}{body}{only_total}").report.values
    row = {c.key: values.get(CellKey("requests", "new", c.key)) for c in table.columns}
    assert row == {"natural_person": 7, "commercial": None, "research": None, "nonprofit": None,
                   "legal_services": None, "other_org": None, "total": 7}
    assert values.get(CellKey("requests", "carried_in", "natural_person")) == 1
    assert values.get(CellKey("requests", "carried_out", "total")) == 2
    assert values.get(CellKey("requests", "carried_out", "natural_person")) is None


def test_a_question_mark_left_for_a_space_before_a_number_is_dropped() -> None:
    """A mirror's copy re-encoded in a code page without the no-break space writes ``?`` for it (某区局 2021: ``规章 |``
    ‖ ``0 |`` ‖ ``? 0 |`` ‖ ``0 |``; the row read as one number for three cells). Standing alone before a number it
    is that space; touching a number (``?0``: a digit may be what was lost) it is kept, and the row is not read."""
    def rules_row(cell: str) -> list[object]:
        text = ("一、总体情况\n2021年,我局……\n二、主动公开政府信息情况\n第二十条第(一)项 |\n信息内容 |\n"
                "本年制发件数 |\n本年废止件数 |\n现行有效件数 |\n"
                f"规章 |\n0 |\n{cell} |\n5 |\n行政规范性文件 |\n1 |\n0 |\n7 |\n")
        values = import_text(text).report.values
        return [values.get(CellKey("active", "rules", c)) for c in ("issued", "repealed", "in_force")]

    assert rules_row("? 2") == [0, 2, 5]
    assert rules_row("\ufffd 2") == [0, 2, 5]
    assert rules_row("?2") == [None, None, None]


def test_a_line_of_one_pipe_after_a_rows_last_number_ends_the_row() -> None:
    """Cells a line each ending in ``|``, the applicant cells empty lines of ``|``, and one more ``|`` after the row's
    总计 (岳阳楼区某街道 2023): that ``|`` ends the row, it is no eighth cell — and a label that begins with its
    number (``1.属于国家秘密``, ``3.危及“三安全一稳定”``) is a label, not a cell's number."""
    form = load_form()
    table = form.table("requests")
    header = "三、收到和处理政府信息公开申请情况\n申请人情况 |\n自然人 |\n法人或其他组织 |\n总计 |\n|||||\n"
    rows = [("disclosed", 4), ("withheld_state_secret", 0), ("withheld_security", 2)]
    body = "三、本年度办理结果 |\n" + "".join(
        (f"{'(三)不予公开 |' + chr(10) if key == 'withheld_state_secret' else ''}"
         f"{table.row(key).label} |\n" + "|\n" * 6 + f"{total} |\n|\n") for key, total in rows)
    values = import_text(f"一、总体情况\n2023年,我街道……\n{header}{body}").report.values
    assert [values.get(CellKey("requests", key, "total")) for key, _ in rows] == [4, 0, 2]
    assert values.get(CellKey("requests", "withheld_security", "natural_person")) is None

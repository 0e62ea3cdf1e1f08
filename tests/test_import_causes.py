"""The fourteen causes of misreading seen on real published reports, one excerpt each (tests/data/causes).

Each excerpt is written by hand on the pattern of the real text that failed (tests/data/causes/README.md
says which); each test failed on the importer before these heuristics and passes now. Where the
importer infers, the test also reads the I5 finding that says what was inferred and from what.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from conftest import DATA, PUBLISHED, TODAY, load
from xl_gongkai.adapters.published import ImportResult, import_document, import_report, import_text
from xl_gongkai.adapters.published.html import parse_html
from xl_gongkai.adapters.published.text import (
    Document,
    is_page_marker,
    page_numbers_dropped,
    rejoined_cells,
    running_header_dropped,
    text_lines,
)
from xl_gongkai.core.findings import ERROR, UNREAD
from xl_gongkai.core.report import Report
from xl_gongkai.core.rules import check
from xl_gongkai.spec import CellKey, load_form

CAUSES = DATA / "causes"
REQUESTS_COLUMNS = ("natural_person", "commercial", "research", "nonprofit", "legal_services", "other_org", "total")


def cause(name: str) -> ImportResult:
    return import_report(CAUSES / name)


def row(result: ImportResult, table: str, key: str) -> list[Any]:
    t = result.report.form.table(table)
    return [result.report.values[CellKey(table, key, c.key)] for c in t.columns_of(t.row(key))]


def messages(result: ImportResult, rule: str) -> list[str]:
    return [f.message for f in result.findings if f.rule == rule]


def checked(report: Report) -> list[Any]:
    return list(check(report, today=TODAY).findings)


# 1 -------------------------------------------------------------------------------------------------

def test_01_tab_separated_cells_keep_their_blank_cells() -> None:
    r = cause("01_tab_blank_cells.txt")
    # “258→12→→→1→1→”: seven cells, two blank in the middle and a blank 总计
    assert row(r, "requests", "new") == [258, 12, None, None, 1, 1, None]
    assert row(r, "requests", "carried_in") == [3, 0, None, 0, 0, 0, 3]
    assert row(r, "requests", "carried_out") == [None, None, None, None, None, None, 5]  # only 总计 printed
    assert messages(r, "I1") == []
    said = messages(r, "I5")
    assert any("一、本年新收" in m and "按分隔符的位置读取" in m and "“科研机构”、“社会公益组织”、“总计”为空" in m
               for m in said), said


# 2 -------------------------------------------------------------------------------------------------

def test_02_table_four_without_its_group_line() -> None:
    r = cause("02_appeals_header_missing.txt")
    assert row(r, "appeals", "review") == [1, 1, 0, 0, 2]
    assert row(r, "appeals", "direct") == [4, 0, 0, 1, 5]
    assert row(r, "appeals", "after_review") == [1, 0, 1, 0, 2]
    assert messages(r, "I5") == ["I5 表四数字行：原文没有印出“行政复议”“行政诉讼”这一行表头：按3组栏目标签（结果维持、"
                                 "结果纠正、其他结果、尚未审结、总计）后的15个数依次读取。请对照原文核对。"]
    assert not [f for f in checked(r.report) if f.rule in ("V1", "R4")]


# 3 -------------------------------------------------------------------------------------------------

def test_03_a_label_with_characters_missing() -> None:
    r = cause("03_label_slip.txt")
    assert row(r, "requests", "withheld_law") == [1, 0, 0, 0, 0, 0, 1]
    assert messages(r, "I3") == []  # not an added row
    assert messages(r, "I5") == [
        "I5 表三“（三）不予公开 2.其他法律行政法规禁止公开”行：原文标签“2.其他法律行政止公开”与"
        "“2.其他法律行政法规禁止公开”只差一处，且与本表其他标签都不相近，按该行读取。请对照原文核对。"]


@pytest.mark.parametrize("printed", ["行政许", "2.其他", "属于秘密", "行政确认"])
def test_03_a_short_or_ambiguous_label_is_no_row(printed: str) -> None:
    """Too short to be sure (or close to nothing): not read as a row."""
    r = import_text("二、主动公开政府信息情况\n第二十条第（一）项\n规章 0 0 0\n"
                    f"第二十条第（五）项\n信息内容 本年处理决定数量\n{printed} 7\n")
    assert all(v != 7 for v in r.report.values.values())
    assert not [m for m in messages(r, "I5") if "只差一处" in m]


# 4 -------------------------------------------------------------------------------------------------

def test_04_other_outcomes_printed_as_one_row_of_zeros() -> None:
    r = cause("04_other_as_one_row.txt")
    for key in ("other_no_correction", "other_no_fee", "other_other"):
        assert row(r, "requests", key) == [0] * 7, key
    assert messages(r, "I3") == [] and messages(r, "I1") == []
    assert any("“（六）其他处理”印成了一行" in m and "也都是0" in m for m in messages(r, "I5"))
    # R1 and R3 can run, and hold
    assert not [f for f in checked(r.report) if f.rule in ("R1", "R2", "R3") or f.key.startswith("V1:requests")]


def test_04_other_outcomes_printed_as_one_row_with_numbers_are_not_split() -> None:
    text = (CAUSES / "04_other_as_one_row.txt").read_text("utf-8").replace(
        "（六）其他处理 0 0 0 0 0 0 0", "（六）其他处理 2 0 0 0 0 0 2")
    r = import_text(text)
    for key in ("other_no_correction", "other_no_fee", "other_other"):
        assert row(r, "requests", key) == [None] * 7, key
    assert messages(r, "I3") == []
    assert [m for m in messages(r, "I2") if "印成了一行" in m] == [
        "I2 表三“（六）其他处理”：该组印成了一行（2019年试行格式的版式，数字 2 0 0 0 0 0 2），无法分到其下的"
        "“1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请”、“2.申请人逾期未按收费通知要求缴纳费用、"
        "行政机关不再处理其政府信息公开申请”、“3.其他”3行。相应单元格按空白处理。"]


# 5 -------------------------------------------------------------------------------------------------

def test_05_units_inside_number_cells() -> None:
    r = cause("05_unit_in_cell.txt")
    assert row(r, "active", "rules") == [0, 0, 1]  # 0件 0件 1件
    assert row(r, "active", "normative_docs") == [5, 1, 25]  # 5 件 1 件 25 件
    assert row(r, "active", "licensing") == [12]
    assert row(r, "active", "fees") == [7539.443252]  # 75394432.52元 in the 万元 column, exact to the 分
    assert messages(r, "I1") == []
    assert ("I5 表二“第二十条第（八）项 行政事业性收费”行：“75394432.52元”以元印出，按本栏的单位万元计为7539.443252。"
            "请对照原文核对。") in messages(r, "I5")
    assert not [f for f in checked(r.report) if f.rule in ("V2", "V4")]


def test_05_a_unit_that_does_not_fit_the_column_is_kept_as_printed() -> None:
    r = import_text("二、主动公开政府信息情况\n第二十条第（五）项\n信息内容 本年处理决定数量\n行政许可 12元\n")
    assert row(r, "active", "licensing") == ["12元"]
    assert [f.rule for f in checked(r.report) if f.cells == ("active.licensing.decisions",)] == ["V2"]


# 6 -------------------------------------------------------------------------------------------------

def test_06_a_stray_number_glued_to_the_end_of_a_row() -> None:
    r = cause("06_stray_number.txt")
    assert row(r, "requests", "new") == [80, 1, 0, 0, 0, 0, 81]
    assert row(r, "requests", "carried_in") == [2, 0, 0, 0, 0, 0, 2]  # its first number came back
    assert messages(r, "I1") == []
    said = messages(r, "I5")
    assert any("行末多出的“2”不属于本行" in m for m in said) and any("行首的“2”印在了上一行的末尾" in m for m in said)


def test_06_a_stray_number_is_not_moved_when_the_totals_do_not_decide() -> None:
    """Both readings make the row's 总计 hold: nothing is placed."""
    r = import_text("三、收到和处理政府信息公开申请情况\n一、本年新收政府信息公开申请数量 3 0 0 0 0 0 3 3\n")
    assert row(r, "requests", "new") == [None] * 7 and len(messages(r, "I1")) == 1


# 7 -------------------------------------------------------------------------------------------------

def test_07_a_row_that_prints_only_its_total() -> None:
    r = cause("07_total_only.txt")
    assert row(r, "requests", "carried_in") == [None] * 6 + [2]
    assert messages(r, "I1") == []
    assert messages(r, "I5") == [
        "I5 表三“二、上年结转政府信息公开申请数量”行：只印了一个数2：放在“总计”列时表中的总计和"
        "勾稽关系都成立，放在其他任何一列都不成立；其余各格为空。请对照原文核对。"]
    # the blank applicant cells are the agency's: I7 says so once (no V1 for each), R1 still holds on the 总计 column
    found = checked(r.report)
    assert not [f for f in found if f.rule == "V1"]
    (said,) = [f for f in found if f.rule == "I7"]
    assert set(said.cells) == {f"requests.carried_in.{c}" for c in REQUESTS_COLUMNS[:6]} and "6个单元格" in said.message
    assert not [f for f in found if f.key == "R1:requests.*.total"]


def test_07_a_single_number_that_fits_two_columns_is_not_placed() -> None:
    """Zero closes every equation wherever it goes: the row stays unread."""
    text = (CAUSES / "07_total_only.txt").read_text("utf-8").replace(
        "二、上年结转政府信息公开申请数量 2", "二、上年结转政府信息公开申请数量 0").replace(
        "（七）总计 5 2 0 0 0 0 7", "（七）总计 5 1 0 0 0 0 6").replace(
        "（一）予以公开 4 2 0 0 0 0 6", "（一）予以公开 4 1 0 0 0 0 5")
    r = import_text(text)
    assert row(r, "requests", "carried_in") == [None] * 7 and len(messages(r, "I1")) == 1


# 8 -------------------------------------------------------------------------------------------------

def test_08_the_year_from_the_compiling_sentence_and_a_period_that_disagrees() -> None:
    r = cause("08_year_in_sentences.txt")
    assert r.report.metadata["year"] == 2021 and r.report.metadata["agency"] == "某县水利局"
    assert any(m.startswith("I5 封面“报告年度”：原文没有带年度的标题，取自正文“")
               and "编制了2021年政府信息公开年度报告" in m for m in messages(r, "I5"))
    # the statistics period of 2020 in a 2021 report is the wrong-year finding
    assert {"M4", "N3"} <= {f.rule for f in checked(r.report)}


def test_08_the_year_from_the_statistics_period() -> None:
    r = cause("08_year_in_period.txt")
    # (the contact sentence names the town's 党政办公室, but the text calls itself 我镇 only once: no agency)
    assert r.report.metadata == {"year": 2025, "period_start": "2025-01-01", "period_end": "2025-12-31"}
    assert "I5 封面“报告年度”：原文没有带年度的标题，取自统计期限（2025-01-01至2025-12-31）。请对照原文核对。" in \
        messages(r, "I5")


def test_08_the_year_from_the_pages_title_element() -> None:
    page = ("<html><head><title>某镇2024年政府信息公开工作年度报告_某镇人民政府</title></head><body>"
            "<p>一、总体情况</p><p>我镇认真贯彻落实《条例》。</p></body></html>")
    assert import_document(parse_html(page)).report.metadata == {"agency": "某镇", "year": 2024}


# 9 -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "agency"), [("09_page_chrome.txt", "中村乡"), ("09_page_chrome_login.txt", "团结乡")])
def test_09_the_agency_is_not_the_pages_chrome(name: str, agency: str) -> None:
    r = cause(name)
    assert r.report.metadata["agency"] == agency and r.report.metadata["year"] == 2023


def test_09_chrome_lines_are_not_preamble() -> None:
    r = cause("09_page_chrome.txt")
    assert r.report.narrative["preamble"] == (
        "本报告依据《中华人民共和国政府信息公开条例》编制。本报告所列数据的统计期限自2023年1月1日至2023年12月31日。")
    page = import_report(PUBLISHED / "04_pingtan-zone-2023.html").report.narrative["preamble"]
    assert page.startswith("本报告根据《中华人民共和国政府信息公开条例》")
    assert "微信" not in page and "来源：" not in page


_OCR_TOP = ("```\n        青 {title} 区 人 民政 府\n      2023 年 政府 信息 公开 工作 年 度 报 告\n"
            "       本 报告 由 青 泽 区 人 民政 府 办 公 室 根据 《条 例 》 要 求 编制 此 报告 。\n"
            "      一 、 总 体 情 况\n       2023 年 , 青 {body} 区 人 民政 府 坚 持 依法 公开 。\n")


@pytest.mark.parametrize(("title", "body", "agency"), [
    ("译", "泽", "青泽区人民政府"),  # the title's 泽 misread as 译; the body spells 青泽区人民政府 twice
    ("泽", "泽", "青泽区人民政府"),  # read as printed
    ("译", "译", "青译区人民政府"),  # the body spells the title's name too: the title's spelling stands
])
def test_09_an_ocr_title_spaced_out_and_misread_by_one_character(title: str, body: str, agency: str) -> None:
    """OCR of a PDF: every character spaced, the title inside a code fence, one character of it misread."""
    r = import_text(_OCR_TOP.format(title=title, body=body))
    assert r.report.metadata["agency"] == agency and r.report.metadata["year"] == 2023
    said = [m for m in messages(r, "I5") if "按正文的写法读取" in m]
    assert said == ([f"I5 封面“机关名称”：标题中的“青译区人民政府”在正文中没有出现，正文多次写作只差一字的“{agency}”"
                     "（识别或录入错字），按正文的写法读取。请对照原文核对。"] if title != body else [])


def test_09_a_name_spelt_once_in_the_body_does_not_correct_the_title() -> None:
    text = _OCR_TOP.format(title="译", body="译").replace("青 译 区 人 民政 府 坚", "某 县 坚")
    assert import_text(text).report.metadata["agency"] == "青译区人民政府"


# 10 ------------------------------------------------------------------------------------------------

def test_10_a_2023_report_with_table_two_in_the_2019_layout() -> None:
    """A report is read in the format its tables print: every number kept, the mismatch with its year said."""
    r = cause("10_2019_layout_in_2023.txt")
    assert r.format == "gov-2019" and r.report.metadata["year"] == 2023
    assert row(r, "active", "rules") == [0, 0, 0] and row(r, "active", "normative_docs") == [2, 2, 9]
    assert [row(r, "active", k) for k in ("licensing", "other_services", "penalty", "enforcement")] == [
        [40, 2, 1311], [3, 0, 17], [51, -1, 208], [8, 0, 12]]
    assert row(r, "active", "fees") == [2, 0] and row(r, "active", "procurement") == [4, 36.5]
    assert messages(r, "I4") == [
        "I4 2023年度报告的统计表使用的标签是“中华人民共和国政府信息公开工作年度报告格式（试行）的表格”，"
        "正式格式为“中华人民共和国政府信息公开工作年度报告格式（国办公开办函〔2021〕30号）”。"]
    # the format is the agency's mistake for a 2023 report: the check says so on the year (M2)
    assert [f.rule for f in checked(r.report) if f.rule == "M2"] == ["M2"]


def test_10_a_2021_report_with_only_table_two_in_the_2019_layout_keeps_its_other_tables() -> None:
    """Table 三 printed in the 2021 layout decides the format; table 二 is read in its own layout (I5)."""
    base = (CAUSES / "10_2019_layout_in_2023.txt").read_text("utf-8")
    text = base + (CAUSES / "07_total_only.txt").read_text("utf-8").split("三、收到和处理政府信息公开申请情况", 1)[1]
    r = import_text(text)
    assert r.format == "gov-2021"
    assert [row(r, "active", k) for k in ("licensing", "penalty", "enforcement")] == [[1311], [208], [12]]
    assert row(r, "requests", "new") == [5, 1, 0, 0, 0, 0, 6]
    assert any("按2019年格式" in m and "版式读取" in m for m in messages(r, "I5"))


def test_10_a_table_two_that_prints_both_formats_labels_does_not_make_the_report_2019() -> None:
    """A 2021 report whose table 二 kept the 2019 columns in its 规章 block while the other blocks print the 2021
    ones (某区教育局 2021, 临潼区某局 2022 as pages store them): the table votes for neither format, so the report
    is read in its year's format — not called a 2019-format report with an M2 错误 it does not deserve."""
    text = ("某区教育局2021年政府信息公开工作年度报告\n一、总体情况\n2021年，我局……\n二、主动公开政府信息情况\n"
            "第二十条第（一）项\n信息内容 本年新制作数量 本年新公开数量 对外公开总数量\n规章 0 0 0\n规范性文件 0 0 0\n"
            "第二十条第（五）项\n信息内容 本年处理决定数量\n行政许可 5\n第二十条第（八）项\n"
            "信息内容 本年收费金额（单位：万元）\n行政事业性收费 282.1\n三、收到和处理政府信息公开申请情况\n")
    r = import_text(text)
    assert r.format == "gov-2021" and r.report.metadata["year"] == 2021
    assert not messages(r, "I4") or not any("试行" in m for m in messages(r, "I4"))
    assert not [f for f in checked(r.report) if f.rule == "M2"]
    # the 2019 block's columns have no cell in the report's format: nothing is moved into 本年制发件数 and the rest;
    # the blocks printed in the report's format are read in it
    assert row(r, "active", "rules") == [None, None, None] and row(r, "active", "normative_docs") == [None] * 3
    assert row(r, "active", "licensing") == [5] and row(r, "active", "fees") == [282.1]
    assert any("“第二十条第（一）项”印的是" in m and "这一块未导入" in m for m in messages(r, "I5"))


# 11 ------------------------------------------------------------------------------------------------

def test_11_a_fee_in_wanyuan_with_six_decimals_is_valid() -> None:
    r = cause("11_fee_six_decimals.txt")
    assert row(r, "active", "fees") == [5949.088667]
    assert not [f for f in checked(r.report) if f.rule == "V4"]
    seven = r.report.with_values({CellKey("active", "fees", "amount"): 5949.0886671})
    assert [f.rule for f in checked(seven) if f.cells == ("active.fees.amount",)] == ["V4"]


# 12 ------------------------------------------------------------------------------------------------

def test_12_an_absent_table_is_one_finding() -> None:
    r = cause("12_excerpt_table_two_only.txt")
    found = checked(r.report)
    assert [f.message for f in found if f.rule == "I6" and f.place.table] == [
        "I6 表三：原文中没有这张表（共25行），未导入，也不逐项校验。",
        "I6 表四：原文中没有这张表（共3行），未导入，也不逐项校验。"]
    assert not [f for f in found if any(c.startswith(("requests.", "appeals.")) for c in f.cells)]
    assert len([f for f in found if f.rule == "I6" and f.severity == UNREAD]) == 4  # 表三, 表四, 第五部分, 第六部分
    assert [f for f in found if f.severity == ERROR] == []


def test_12_a_workbook_keeps_every_blank_cell() -> None:
    """The same report in a workbook (no absent parts): every blank is the clerk's to fill."""
    r = cause("12_excerpt_table_two_only.txt")
    as_typed = replace(r.report, absent={})
    blanks = [f for f in checked(as_typed) if f.rule == "V1"]
    assert len(blanks) == 175 + 15  # table 三's 25 × 7 and table 四's 15


# 13 ------------------------------------------------------------------------------------------------

def test_13_the_narrative_as_published() -> None:
    """Emphasis markup is not text, a paragraph cut by a page break is one paragraph, the preamble is kept:
    the reference report's narrative equals the one typed in by hand (tests/data/reports)."""
    got = import_report(PUBLISHED / "00_panzhihua-dongqu-kejiju-2025.txt").report.narrative
    assert dict(got) == dict(load("panzhihua-dongqu-kejiju-2025").narrative)


def test_13_a_pages_paragraphs_stay_apart() -> None:
    n = import_report(PUBLISHED / "04_pingtan-zone-2023.html").report.narrative["overview"].split("\n")
    assert n[1] == "（一）主动公开方面" and n[2].startswith("平潭综合实验区切实落实国务院办公厅")


def test_13_the_generated_report_of_the_demo(tmp_path: Path) -> None:
    """`make demo`'s path: the published text → a workbook → the publishable report, as HTML."""
    from xl_gongkai.adapters.workbook_read import read_workbook
    from xl_gongkai.commands.report import render_report
    from xl_gongkai.commands.workbook import new_workbook
    from xl_gongkai.publish.document import build_document

    book = tmp_path / "demo.xlsm"
    new_workbook(book, source=import_report(PUBLISHED / "00_panzhihua-dongqu-kejiju-2025.txt").report, today=TODAY)
    report = read_workbook(book)
    render_report(report, html_path=tmp_path / "r.html", today=TODAY)
    page = (tmp_path / "r.html").read_text("utf-8")
    assert "**" not in page
    assert "不断拓展信息公开渠道，完善门户网站信息栏目" in page
    preamble = [p.text for p in build_document(report).preamble]
    assert preamble == [load("panzhihua-dongqu-kejiju-2025").narrative["preamble"]]  # the agency's own, kept


# 14 ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("section", ["overview", "problems"])
def test_14_an_empty_section_is_an_error_that_names_it(section: str) -> None:
    report = load("huaian-city-2024")
    report = replace(report, narrative={k: v for k, v in report.narrative.items() if k != section})
    found = [f for f in checked(report) if f.severity == ERROR]
    heading = report.form.section(section).heading
    assert [f.message for f in found] == [
        f"S1 正文“{heading}”没有内容。年度报告的每一部分都要写明情况；"
        "没有可报告的，也请写明（例如“本年度未收取信息处理费”）。"]
    assert found[0].place.cell == report.form.section(section).text_cell


def test_14_an_imported_report_with_an_empty_section() -> None:
    text = (PUBLISHED / "19_huaian-city-2024.txt").read_text("utf-8")
    start = text.index("五、存在的主要问题及改进情况")
    stop = text.index("六、其他需要报告的事项")
    r = import_text(text[:start] + "五、存在的主要问题及改进情况\n\n" + text[stop:])
    assert [f.key for f in checked(r.report) if f.severity == ERROR] == ["S1:section.problems"]


# 15–20: the shapes of real reports the importer had not seen -----------------------------------------------
# One table 三, typed by hand and consistent (every row total and 勾稽关系 holds), printed in each shape.

TABLE_THREE = {
    "new": [64, 0, 0, 2, 0, 4, 70], "carried_in": [3, 0, 0, 0, 0, 0, 3], "disclosed": [20, 0, 0, 1, 0, 2, 23],
    "partial": [5, 0, 0, 0, 0, 0, 5], "withheld_state_secret": [0] * 7, "withheld_law": [0] * 7,
    "withheld_security": [0] * 7, "withheld_third_party": [2, 0, 0, 0, 0, 0, 2],
    "withheld_internal": [1, 0, 0, 0, 0, 0, 1], "withheld_process": [0] * 7, "withheld_enforcement": [0] * 7,
    "withheld_query": [0] * 7, "unavailable_not_held": [15, 0, 0, 1, 0, 1, 17],
    "unavailable_needs_creation": [3, 0, 0, 0, 0, 0, 3], "unavailable_unclear": [0] * 7,
    "rejected_petition": [6, 0, 0, 0, 0, 0, 6], "rejected_repeat": [4, 0, 0, 0, 0, 1, 5],
    "rejected_publication": [0] * 7, "rejected_mass": [0] * 7, "rejected_confirmation": [0] * 7,
    "other_no_correction": [2, 0, 0, 0, 0, 0, 2], "other_no_fee": [0] * 7, "other_other": [1, 0, 0, 0, 0, 0, 1],
    "total": [59, 0, 0, 2, 0, 4, 65], "carried_out": [8, 0, 0, 0, 0, 0, 8],
}


def table_three(result: ImportResult) -> dict[str, list[Any]]:
    return {key: row(result, "requests", key) for key in TABLE_THREE}


def test_15_numbers_printed_after_the_next_rows_label() -> None:
    """OCR of a PDF whose label cells wrap: from 5.属于三类内部事务信息 on, each row's numbers follow the next label."""
    r = cause("15_numbers_after_the_next_label.txt")
    assert table_three(r) == TABLE_THREE
    assert messages(r, "I1") == [] and messages(r, "I2") == []
    assert any("印在了下一行的标签之后" in m for m in messages(r, "I5"))


def test_15_numbers_after_the_next_label_are_not_moved_when_the_identities_fail() -> None:
    """The same text with one number changed: dealing the numbers by count no longer balances, nothing is moved."""
    text = (CAUSES / "15_numbers_after_the_next_label.txt").read_text("utf-8").replace(
        "| 15 | 0 | 0 | 1 | 0 | 1 | 17 |", "| 15 | 0 | 0 | 1 | 0 | 1 | 18 |")
    r = import_text(text)
    read = table_three(r)
    shifted = list(TABLE_THREE)[list(TABLE_THREE).index("withheld_internal"):]
    assert all(read[k] == [None] * 7 for k in shifted)  # no row of the stretch gets a neighbour's numbers
    assert all(read[k] == TABLE_THREE[k] for k in TABLE_THREE if k not in shifted)
    assert any("无法确定哪些数属于哪一行" in m for m in messages(r, "I2"))


def test_16_a_heading_that_repeats_the_row_label_and_invented_headers() -> None:
    r = cause("16_heading_repeats_the_row_label.txt")
    assert row(r, "requests", "new") == TABLE_THREE["new"]
    assert row(r, "requests", "carried_in") == TABLE_THREE["carried_in"]  # 数据1 … 数据7 are no numbers
    assert messages(r, "I1") == []


def test_17_one_markdown_table_per_row_group() -> None:
    r = cause("17_one_markdown_table_per_group.txt")
    assert table_three(r) == TABLE_THREE
    assert [f for f in r.findings if f.severity.value == ERROR] == []


def test_18_cells_glued_by_a_crawler() -> None:
    for name in ("18_cells_glued_by_a_crawler.txt", "18_table_glued_on_one_line.txt"):
        r = cause(name)
        assert table_three(r) == TABLE_THREE, name
        assert [f for f in r.findings if f.severity.value == ERROR] == [], name
    said = messages(cause("18_cells_glued_by_a_crawler.txt"), "I5")
    assert any("“640020470”是粘连在一起的7个数" in m and "64 0 0 2 0 4 70" in m for m in said), said


def test_18_numbers_printed_apart_are_not_cut_one_digit_a_cell() -> None:
    """Fourteen numbers printed apart for 表四's fifteen cells, fifteen digits in all: a cell was lost, not two
    glued. Cutting ``14`` into ``1 4`` (one digit a cell) would put every number after it in the wrong column;
    the row's totals refuse that cut, so the row is unread (I1), not guessed."""
    r = import_text("四、政府信息公开行政复议、行政诉讼情况\n"
                    "行政复议 行政诉讼\n结果维持 结果纠正 其他结果 尚未审结 总计 未经复议直接起诉 复议后起诉\n"
                    "结果维持 结果纠正 其他结果 尚未审结 总计 结果维持 结果纠正 其他结果 尚未审结 总计\n"
                    "2 5 1 14 3 1 0 2 6 2 0 1 1 4\n五、存在的主要问题及改进情况\n无。\n")
    assert row(r, "appeals", "review") == [None] * 5 and row(r, "appeals", "after_review") == [None] * 5
    assert any(m.startswith("I1 表四") for m in messages(r, "I1"))


def test_18_a_glued_row_that_can_be_cut_two_ways_is_not_guessed() -> None:
    """``6045`` in three cells is 6 | 0 | 45 or 60 | 4 | 5: table 二 has no identity to decide."""
    r = import_text("二、主动公开政府信息情况\n第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数"
                    "规章000行政规范性文件6045第二十条第（五）项信息内容本年处理决定数量行政许可0\n")
    assert row(r, "active", "rules") == [0, 0, 0]
    assert row(r, "active", "normative_docs") == [None] * 3
    assert row(r, "active", "licensing") == [0]
    assert len(messages(r, "I1")) == 1


def test_19_blank_applicant_cells_keep_their_place_in_a_markdown_table() -> None:
    r = cause("19_blank_applicant_cells_markdown.txt")
    for key, values in TABLE_THREE.items():
        shown = [values[0], None, None, None, None, None, values[6]] if values[0] == values[6] else values
        assert row(r, "requests", key) == shown, key
    assert messages(r, "I1") == []


def test_19_blank_applicant_cells_in_plain_text_are_not_guessed() -> None:
    """``3 3`` could be any applicant column and the 总计, or two applicant columns: no cell is proven."""
    r = cause("19_blank_applicant_cells_text.txt")
    assert row(r, "requests", "new") == TABLE_THREE["new"]  # printed in full
    assert row(r, "requests", "carried_in") == [None] * 7
    assert any("二、上年结转" in m for m in messages(r, "I1"))


def test_36_cells_a_browser_copied_one_under_the_other_keep_their_place() -> None:
    """A page whose table cells hold paragraphs, copied from a browser (``innerText``): each cell on lines of its
    own, a line holding only a tab between two cells, a row's end two blank lines or more. The blank applicant
    cells are the nothing between two tabs; a header cell in two paragraphs (``商业`` ‖ ``企业``) is one cell."""
    r = cause("36_cells_on_lines_of_their_own.txt")
    for key, values in TABLE_THREE.items():
        shown = [values[0], None, None, None, None, None, values[6]] if values[0] == values[6] else values
        assert row(r, "requests", key) == shown, key
    assert messages(r, "I1") == [] and messages(r, "I2") == []


def test_36_a_number_is_never_joined_to_the_text_around_it() -> None:
    """One blank line between a row's last number and the next row's label (a text whose blank lines were
    thinned) does not make the label a piece of that cell, nor a second number a piece of the first."""
    lines = rejoined_cells(["规章", "", "\t", "", "3", "", "新增", "", "\t", "", "\t", "", "5", "", "6",
                            "", "", "", "下一行"])
    assert lines == ["规章\t3", "新增\t\t5", "6", "", "", "", "下一行"]
    wrapped = rejoined_cells(["表头", "", "\t", "", "商业", "", "企业", "", "\t", "", "其他",
                              "", "", "", "一、本年新收"])
    assert wrapped == ["表头\t商业 企业\t其他", "", "", "一、本年新收"]  # a row ends at its second blank line


# 洪泽区 2023's table 三, as checked by hand against its PDF (the rows the 2021 format has in that report)
HONGZE_2023 = {
    "new": [21, 0, 0, 0, 0, 0, 21], "carried_in": [0] * 7, "disclosed": [0] * 7, "partial": [4, 0, 0, 0, 0, 0, 4],
    "withheld_state_secret": [1, 0, 0, 0, 0, 0, 1], "withheld_law": [0] * 7, "withheld_security": [0] * 7,
    "withheld_third_party": [0] * 7, "withheld_internal": [0] * 7, "withheld_process": [1, 0, 0, 0, 0, 0, 1],
    "withheld_enforcement": [1, 0, 0, 0, 0, 0, 1], "withheld_query": [0] * 7,
    "unavailable_not_held": [10, 0, 0, 0, 0, 0, 10], "unavailable_needs_creation": [3, 0, 0, 0, 0, 0, 3],
    "unavailable_unclear": [0] * 7, "rejected_petition": [1, 0, 0, 0, 0, 0, 1], "rejected_repeat": [0] * 7,
    "rejected_publication": [0] * 7, "rejected_mass": [0] * 7, "rejected_confirmation": [0] * 7,
    "total": [21, 0, 0, 0, 0, 0, 21], "carried_out": [0] * 7,
}


def test_37_a_surplus_after_a_dealing_taken_back_reaches_the_rows_after_it() -> None:
    """pdfplumber's text of 洪泽区 2023: from ``3.危及…`` on, some rows' numbers come before their labels, and the
    letters of the merged cell 三、本年度办理结果 run down the rows (``、`` ‖ ``0 0 0 0 0 0 0`` ‖ ``本 3.危及…``).
    As extracted, every row reads as checked by hand (``test_43`` is its made-up twin). With the seven zeros of
    3.危及 lost, the rows from 3.危及 to 8.属于行政查询事项 balance by count (none, then fourteen) and are dealt
    their neighbours' numbers, then taken back (nothing across the table confirms them); 8's second seven numbers
    are 1.本机关不掌握…'s, whose own line holds 2.没有现成…'s ``3 0 0 0 0 0 3``. Read as printed, 1 would be 3
    with its total holding — a neighbour's numbers. Every row is its hand-checked value or blank, never another."""
    text = (CAUSES / "37_numbers_before_their_labels_after_a_stretch_taken_back.txt").read_text("utf-8")
    r = import_text(text)
    assert {key: row(r, "requests", key) for key in HONGZE_2023} == HONGZE_2023
    lost = text.replace("、\n0 0 0 0 0 0 0\n本 3.危及", "、\n本 3.危及")
    assert lost != text
    r = import_text(lost)
    for key, values in HONGZE_2023.items():
        assert row(r, "requests", key) in (values, [None] * 7), key
    assert row(r, "requests", "unavailable_not_held") == [None] * 7
    assert any("“（三）不予公开 8.属于行政查询事项”至“（四）无法提供 2.没有现成信息需要另行制作”" in m
               for m in messages(r, "I2"))


def test_39_a_missing_row_under_a_label_past_recognition_lets_no_dealing_cross_it() -> None:
    """洪泽区 2023 converted by markitdown: from ``1.属于国家秘密`` on, each row's numbers are printed above its
    label, and ``三 2.其他法律行政止公开`` ‖ ``、`` (the agency's misprint, the merged cell's letters glued on) is
    no label of the table, so 2 is missing and its numbers follow an added row (I3). Counting 2 as printing
    nothing, the rows from 3 on were read with the next row's numbers, each total holding (8 cells wrong). The
    added row's numbers may be 2's: no dealing crosses it, and the rows from the surplus to the row that printed
    too few (``- 3 -``, a page number) are doubted. Every row is its value (the made-up table of 15–20) or blank."""
    text = (CAUSES / "39_rows_under_their_numbers_and_a_label_past_recognition.md").read_text("utf-8")
    # the merged cell's letters (``三`` ‖ ``、``) are no part of the label and the page number (``- 3 -``, in a row
    # of cells) is dropped: one letter off, the label is found and every row is read (（六） printed as one row)
    r = import_text(text)
    assert {k: v for k, v in table_three(r).items() if not k.startswith("other_")} == {
        k: v for k, v in TABLE_THREE.items() if not k.startswith("other_")}
    # past recognition, it is an added row, and no dealing crosses it
    r = import_text(text.replace("2.其他法律行政止公开", "2.其他洼律行正止公开"))
    for key, values in TABLE_THREE.items():
        assert row(r, "requests", key) in (values, [None] * 7), key
    assert row(r, "requests", "withheld_query") == [None] * 7
    assert any("“2.其他洼律行正止公开”" in m for m in messages(r, "I3"))


def test_41_labels_then_their_numbers_column_by_column() -> None:
    """pdfminer's text of 淮安 2024: on each page, table 三's labels first, then the numbers column by column (the
    自然人 column of the page's rows, then 商业企业, …). Read down the columns every row's total holds, across the
    rows it does not: each page's rows are read so, and said (I5)."""
    r = cause("41_labels_then_columns.txt")
    assert table_three(r) == TABLE_THREE
    assert len([m for m in messages(r, "I5") if "一列一列" in m]) == 2


def test_41_a_block_whose_totals_hold_in_neither_order_is_not_read() -> None:
    """The same text with two numbers of the first page's 自然人 column exchanged (64 and 3): no order makes every
    row's total hold, so no row of that page is read from the block — each is blank or as printed."""
    text = (CAUSES / "41_labels_then_columns.txt").read_text("utf-8")
    damaged = text.replace("\n\n64\n\n3\n\n20\n", "\n\n3\n\n64\n\n20\n", 1)
    assert damaged != text
    r = import_text(damaged)
    for key, values in TABLE_THREE.items():
        assert row(r, "requests", key) in (values, [None] * 7), key
    assert row(r, "requests", "new") == [None] * 7


def test_20_an_html_table_inside_markdown() -> None:
    r = cause("20_html_table_in_markdown.txt")
    assert table_three(r) == TABLE_THREE
    assert [f for f in r.findings if f.severity.value == ERROR] == []


def test_21_a_page_a_crawler_printed_on_one_line() -> None:
    """The CMS's fields above the article, then every part, heading and table on one line without separators."""
    r = cause("21_page_on_one_line.txt")
    assert r.report.metadata["agency"] == "某县市场监督管理局" and r.report.metadata["year"] == 2024
    assert table_three(r) == TABLE_THREE
    assert row(r, "active", "normative_docs") == [0, 0, 11] and row(r, "active", "licensing") == [126]
    assert row(r, "appeals", "review") == [1, 0, 1, 0, 2] and row(r, "appeals", "direct") == [1, 0, 0, 0, 1]
    assert set(r.report.narrative) == {"preamble", "overview", "problems", "other"}
    assert [f for f in r.findings if f.severity.value == ERROR] == []


@pytest.mark.parametrize("heading", ["四、政府信息公开行政复议与行政诉讼情况",
                                     "四、政府信息公开行政法复议、行政诉讼情况"])
def test_24_a_reworded_heading_run_together_with_its_table(heading: str) -> None:
    """Part 四's heading worded its own way at the start of a line that goes on with table 四: the heading is
    found by its likeness (as long as it reads most like the heading: a word added, not the heading cut one
    short), and the table is read from after it (the heading's words are no label of the table)."""
    text = (CAUSES / "24_reworded_heading_on_one_line.txt").read_text("utf-8")
    r = import_text(text.replace("四、政府信息公开行政复议与行政诉讼情况", heading))
    assert any(f"使用的标签是“{heading}”" in m for m in messages(r, "I4")), messages(r, "I4")
    assert row(r, "appeals", "review") == [1, 0, 1, 0, 2] and row(r, "appeals", "direct") == [1, 0, 0, 0, 1]
    assert row(r, "appeals", "after_review") == [0, 0, 0, 0, 0]
    assert messages(r, "I6") == [] and messages(r, "I8") == []
    assert set(r.report.narrative) == {"preamble", "overview", "problems", "other"}


def test_24_glued_numbers_that_cannot_be_split_are_not_a_blank_table(tmp_path: Path) -> None:
    """Seventeen digits for fifteen cells, run together with the heading: the table prints numbers (I1, 待核对),
    it is not the blank table of I6 (which is judged on a file)."""
    text = (CAUSES / "24_reworded_heading_on_one_line.txt").read_text("utf-8")
    page = tmp_path / "page.txt"
    page.write_text(text.replace("总计101021000100000五、", "总计00202000001324015五、"), "utf-8")
    r = import_report(page)
    assert messages(r, "I6") == [] and any(m.startswith("I1 表四") for m in messages(r, "I1"))
    assert row(r, "appeals", "review") == [None] * 5


def test_25_table_four_as_one_small_table_per_row() -> None:
    """Each of 表四's rows under its own name (one in brackets) and the column labels: all fifteen numbers read."""
    r = cause("25_table_four_one_table_per_row.txt")
    assert row(r, "appeals", "review") == [4, 1, 2, 3, 10] and row(r, "appeals", "direct") == [2, 0, 0, 1, 3]
    assert row(r, "appeals", "after_review") == [1, 0, 1, 0, 2]
    assert messages(r, "I1") == [] and messages(r, "I8") == []


def test_22_numbers_printed_before_their_label() -> None:
    """A conversion to markdown that puts some rows' labels under their numbers (the first row's among them)."""
    r = cause("22_numbers_before_their_label.txt")
    assert table_three(r) == TABLE_THREE
    assert any("印在了本行的标签之前" in m for m in messages(r, "I5"))
    assert [f for f in r.findings if f.severity.value == ERROR] == []


def test_23_a_pdf_table_with_blank_cells_is_read_by_position(tmp_path: Path) -> None:
    """A PDF's text loses blank cells (``3 3``); the boxes of its characters keep them: each in its column.

    The PDF is made by LibreOffice from a page whose table leaves the five 法人 columns blank where they are 0.
    """
    import subprocess

    def shown(values: list[int]) -> list[Any]:
        return [values[0], None, None, None, None, None, values[6]] if values[0] == values[6] else values

    rows = "".join(f"<tr><td colspan=3>{label}</td>" + "".join(
        f"<td>{'' if v is None else v}</td>" for v in shown(TABLE_THREE[key])) + "</tr>"
        for key, label in zip(TABLE_THREE, (r.label for r in load_form().table("requests").rows), strict=True))
    page = tmp_path / "blank.html"
    page.write_text(
        "<html><head><meta charset='utf-8'></head><body><p>三、收到和处理政府信息公开申请情况</p><table border=1>"
        "<tr><td colspan=3 rowspan=2>（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>"
        "<td colspan=7>申请人情况</td></tr><tr><td>自然人</td><td>商业企业</td><td>科研机构</td><td>社会公益组织</td>"
        f"<td>法律服务机构</td><td>其他</td><td>总计</td></tr>{rows}</table>"
        "<p>四、政府信息公开行政复议、行政诉讼情况</p></body></html>", "utf-8")
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(page)], check=True, capture_output=True,
                   timeout=180)
    r = import_report(tmp_path / "blank.pdf")
    assert {key: row(r, "requests", key) for key in TABLE_THREE} == {k: shown(v) for k, v in TABLE_THREE.items()}
    assert messages(r, "I1") == []


def test_23_a_heading_over_a_group_of_columns_is_no_column() -> None:
    """The PDF reader's column bands: ``法人或其他组织`` printed over the narrow columns of its five kinds spans two
    headings apart from each other, so it names no column (merged with them it made five columns one: a Word file of
    沭阳县发改局 2023 saved as PDF read 25 of its 75 cells); headings inside it that overlap (``社 会`` printed apart
    over ``组织``) are one column, and leave it a column."""
    from xl_gongkai.adapters.published.pdf_cells import _without_groups

    group, kinds = (300.0, 420.0), [(305.0, 330.0), (340.0, 365.0), (375.0, 400.0)]
    assert _without_groups([group, *kinds]) == kinds
    spaced = [(407.0, 430.0), (407.0, 418.0), (407.0, 418.0), (427.0, 438.0)]
    assert _without_groups(spaced) == spaced


def test_23_group_headings_narrower_than_their_columns_are_no_columns() -> None:
    """A Word table saved as PDF by LibreOffice, the five kinds wrapped in narrow cells (``商业企`` ‖ ``业``,
    ``科研机`` ‖ ``构`` …): ``法人或其他组织`` and ``申请人情况`` are centred over them and narrower than the five
    together, so they hold only one heading each, but each reaches over three headings apart from each other (the
    spans as printed): they name no column. Merged with the kinds they had made seven columns five, and the rows
    that print only 自然人 and 总计 unread (25 of 75 cells)."""
    from xl_gongkai.adapters.published.pdf_cells import _without_groups

    person, total, group, above = (292.0, 316.0), (496.0, 513.0), (373.0, 435.0), (383.0, 426.0)
    kinds = [(324.0, 350.0), (333.0, 341.0), (357.0, 384.0), (366.0, 374.0), (391.0, 417.0), (391.0, 417.0),
             (424.0, 451.0), (424.0, 450.0), (462.0, 480.0)]
    assert _without_groups([above, person, group, total, *kinds]) == [person, total, *kinds]


def _printed_by_chromium(page: Path, pdf: Path) -> None:
    """``page`` printed to ``pdf`` by headless Chromium with its default header and footer (date, title, the page's
    address and ``n/m``), as a person saves a web page as PDF."""
    import subprocess

    from support.browser import require

    subprocess.run([require("chromium"), "--headless", "--no-sandbox", "--disable-gpu",
                    f"--user-data-dir={pdf.parent / 'chromium-profile'}", f"--print-to-pdf={pdf}", page.as_uri()],
                   check=True, capture_output=True, timeout=180)


def test_23_a_page_saved_as_pdf_by_a_browser_reads_as_the_page(tmp_path: Path) -> None:
    """A browser's PDF of a real page (平潭 2023): the date, title, address and page number it prints in the margins
    are no rows of the tables, and a table that goes on over a page break keeps its columns."""
    page = tmp_path / "page.html"
    page.write_bytes((PUBLISHED / "04_pingtan-zone-2023.html").read_bytes())
    _printed_by_chromium(page, tmp_path / "page.pdf")
    from_page = import_report(page).report.values
    from_pdf = import_report(tmp_path / "page.pdf").report.values
    assert {k: v for k, v in from_pdf.items() if v != from_page[k]} == {}
    assert sum(v is not None for v in from_pdf.values()) >= 200


def test_23_blank_cells_in_a_browsers_pdf_over_two_pages(tmp_path: Path) -> None:
    """The page of ``test_23_a_pdf_table_with_blank_cells…`` with the form's three rows of headings (法人或其他组织
    over its five kinds), the kinds wrapped in narrow cells (printed column by column, two lines each) and text
    before it, so that table 三 goes on over a page break, saved as PDF by Chromium: every cell in its column,
    blank ones blank."""
    def shown(values: list[int]) -> list[Any]:
        return [values[0], None, None, None, None, None, values[6]] if values[0] == values[6] else values

    kinds = "".join(f"<td class=h>{c.label}</td>" for c in load_form().table("requests").columns[1:6])
    rows = "".join(f"<tr><td colspan=3>{label}</td>" + "".join(
        f"<td>{'' if v is None else v}</td>" for v in shown(TABLE_THREE[key])) + "</tr>"
        for key, label in zip(TABLE_THREE, (r.label for r in load_form().table("requests").rows), strict=True))
    prose = "".join(f"<p>（{i}）本机关全年主动公开政府信息，及时回应社会关切。</p>" for i in range(32))
    style = "body{font-size:18px} td{text-align:center} td.h{width:2.2em}"
    note = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    page = tmp_path / "blank.html"
    page.write_text(
        f"<html><head><meta charset='utf-8'><title>某局2024年报告</title><style>{style}</style></head><body>{prose}"
        f"<p>三、收到和处理政府信息公开申请情况</p><table border=1><tr><td colspan=3 rowspan=3>{note}</td>"
        "<td colspan=7>申请人情况</td></tr><tr><td class=h rowspan=2>自然人</td><td colspan=5>法人或其他组织</td>"
        f"<td class=h rowspan=2>总计</td></tr><tr>{kinds}</tr>{rows}</table>"
        "<p>四、政府信息公开行政复议、行政诉讼情况</p></body></html>", "utf-8")
    _printed_by_chromium(page, tmp_path / "blank.pdf")
    r = import_report(tmp_path / "blank.pdf")
    assert {key: row(r, "requests", key) for key in TABLE_THREE} == {k: shown(v) for k, v in TABLE_THREE.items()}
    assert messages(r, "I1") == [] and messages(r, "I3") == []


# 26: a table a converter printed again in a later part ------------------------------------------------------
# Table 四 of 26_…: 行政复议, 未经复议直接起诉, 复议后起诉 (typed by hand; every row total holds). Under its own
# heading the loose text lost the first number (14 for 15 cells); after 五's heading and a line of text the same
# table comes as a markdown grid.

MOVED_TABLE_FOUR = {"review": [12, 5, 30, 3, 50], "direct": [4, 1, 2, 1, 8], "after_review": [6, 0, 3, 2, 11]}
_LOOSE = "5 30 3 50 4 1 2 1 8 6 0 3 2 11"  # the line under 四's heading
_GRID = "|12|5|30|3|50|4|1|2|1|8|6|0|3|2|11|"  # the grid's number row, in 五


def _moved(text: str | None = None) -> ImportResult:
    return import_text(text if text is not None else (CAUSES / "26_table_four_moved_after_the_next_heading.txt")
                       .read_text("utf-8"))


def _table_four(result: ImportResult) -> dict[str, list[Any]]:
    return {key: row(result, "appeals", key) for key in MOVED_TABLE_FOUR}


def _as_before(result: ImportResult) -> None:
    """Table 四 as its own region reads it: 14 numbers for 15 cells, blank and said (I1, I8), no copy used."""
    assert _table_four(result) == {key: [None] * 5 for key in MOVED_TABLE_FOUR}
    assert any(m.startswith("I1 表四") for m in messages(result, "I1"))
    assert [f.rule for f in checked(result.report) if f.place.table == "appeals"] == ["I8"]
    assert not any("印在了" in m for m in messages(result, "I5"))


def test_26_a_table_moved_into_the_next_part_is_read_there() -> None:
    """The grid in 五 fills every cell, its totals hold and the 14 numbers under 四's heading are in it, in order:
    it is read, said in I5, and it is no text of 五."""
    r = _moved()
    assert _table_four(r) == MOVED_TABLE_FOUR
    assert messages(r, "I1") == []
    assert messages(r, "I5") == ["I5 表四：表四印在了“五、存在的主要问题及改进情况”部分之中（转换时表格被移到了后面）："
                                 "按该处的表格读取：它填满了本表每一格，表中的总计和勾稽关系都成立，与本表标题下读到的数"
                                 "一致。请对照原文核对。"]
    assert r.report.narrative["problems"] == ("一是政策解读的形式还不够丰富，图解、视频等解读产品数量偏少；二是依申请"
                                              "公开答复的规范性仍需加强。\n下一步，我局将丰富解读形式，加强答复审核。")
    assert not [f for f in checked(r.report) if f.place.table == "appeals"]


@pytest.mark.parametrize(("printed", "why"), [
    ((_LOOSE, _LOOSE.replace(" 1 8 ", " 1 9 ")), "a number under 四's heading differs from the grid's"),
    ((_LOOSE, _LOOSE.replace(" 50 ", " 51 ")), "both print 51 for 50: the row's total no longer holds"),
])
def test_26_a_moved_table_that_disagrees_or_does_not_add_up_is_not_used(printed: tuple[str, str], why: str) -> None:
    """One number different between the two copies, or a total that does not hold on the grid: nothing is proven,
    table 四 stays as its own region reads it (and the grid stays where it is printed)."""
    text = (CAUSES / "26_table_four_moved_after_the_next_heading.txt").read_text("utf-8")
    assert _table_four(_moved(text)) == MOVED_TABLE_FOUR  # the same text, consistent: the copy is used
    changed = text.replace(*printed)
    if " 51 " in printed[1]:
        changed = changed.replace(_GRID, _GRID.replace("|50|", "|51|"))
    assert changed != text, why
    r = _moved(changed)
    _as_before(r)
    assert "|12|5|30|" in r.report.narrative["problems"].replace("||", "|")


def test_26_a_grid_in_the_tables_own_part_is_read_by_its_order() -> None:
    """The same grid printed under 四's heading (before 五) is part of the table's region: its one row of numbers
    is the table's one printed row, it fills every cell, its totals hold and the loose line's 14 numbers are in it
    in order (``grid_rows_in_order``); no copy in another part is weighed. With the loose line disagreeing, the
    region is read as before (29 numbers for 15 cells: I1)."""
    text = (CAUSES / "26_table_four_moved_after_the_next_heading.txt").read_text("utf-8")
    assert _table_four(_moved(text)) == MOVED_TABLE_FOUR
    head, rest = text.split("## 五、存在的主要问题及改进情况\n")
    grid = rest[rest.index("|行政复议"):rest.index("-----")]
    moved_up = head + grid + "## 五、存在的主要问题及改进情况\n" + rest.replace(grid, "")
    r = _moved(moved_up)
    assert _table_four(r) == MOVED_TABLE_FOUR
    assert any("没有标签的行" in m for m in messages(r, "I5")) and messages(r, "I1") == []
    assert not any("部分之中" in m for m in messages(r, "I5"))
    r = _moved(moved_up.replace(_LOOSE, _LOOSE.replace(" 1 8 ", " 1 9 ")))
    _as_before(r)
    assert any("读到29个数" in m for m in messages(r, "I1"))


# 27–30: conversions of PDFs (to markdown, to Word) that break a table's order ---------------------------------

def test_27_table_four_whose_header_wraps_across_cells_and_a_note() -> None:
    """表四's column labels wrapped in their cells and read line by line (``结果结果其他尚未``), a ``注：`` line
    between the header and the numbers: the fifteen numbers are the table's, not a row the agency added."""
    r = cause("27_table_four_header_wrapped_across_cells.txt")
    assert row(r, "appeals", "review") == [4, 1, 2, 3, 10] and row(r, "appeals", "direct") == [2, 0, 0, 1, 3]
    assert row(r, "appeals", "after_review") == [1, 0, 1, 0, 2]
    assert messages(r, "I3") == [] and messages(r, "I2") == [] and messages(r, "I8") == []


def test_27_a_note_that_counts_something_is_not_skipped() -> None:
    """A note with a number of its own between the header and the numbers: its 3 could be taken for a cell, so the
    note is not passed over and nothing of 表四 is read as if the note were not there."""
    text = (CAUSES / "27_table_four_header_wrapped_across_cells.txt").read_text("utf-8").replace(
        "注：行政复议、行政诉讼数量含上年度结转数量。", "注：其中3件为上年度结转。")
    r = import_text(text)
    read = [row(r, "appeals", k) for k in ("review", "direct", "after_review")]
    assert read in ([[None] * 5] * 3, [[4, 1, 2, 3, 10], [2, 0, 0, 1, 3], [1, 0, 1, 0, 2]])
    assert read[0][:1] != [3]


def test_27_a_row_named_with_other_words_is_no_wrapped_header() -> None:
    """Only a text made wholly of the column labels and their halves is the header: an added row stays an I3."""
    text = (CAUSES / "27_table_four_header_wrapped_across_cells.txt").read_text("utf-8").replace(
        "注：行政复议、行政诉讼数量含上年度结转数量。\n", "").replace(
        "| 4 | 1 | 2 | 3 | 10 |", "| 4 | 1 | 2 | 3 | 10 |\n|---|\n行政裁决结果 1 0 0 0 1\n|")
    r = import_text(text)
    assert any("行政裁决结果" in m for m in messages(r, "I3"))


def test_28_part_five_found_by_its_first_subheading() -> None:
    """A conversion dropped ``五、存在的主要问题及改进情况``: the part begins at ``（一）主要问题``, said in I4, and
    its lines are no rows of 表四."""
    r = cause("28_part_five_without_its_heading.txt")
    assert r.report.narrative["problems"].startswith("（一）主要问题")
    assert "改进情况" in r.report.narrative["problems"]
    assert any("没有标题" in m and "（一）主要问题" in m for m in messages(r, "I4"))
    assert "problems" not in r.report.absent
    assert messages(r, "I3") == []
    assert row(r, "appeals", "after_review") == [1, 0, 1, 0, 2]


def test_28_a_numbered_line_without_the_parts_words_opens_nothing() -> None:
    text = (CAUSES / "28_part_five_without_its_heading.txt").read_text("utf-8").replace(
        "（一）主要问题", "（一）工作亮点").replace("（二）改进情况", "（二）下一步打算")
    r = import_text(text)
    assert "problems" in r.report.absent


def test_29_grid_rows_whose_labels_were_pulled_out_of_the_grid() -> None:
    """上海's reports converted to markdown: wrapped label cells written as plain lines out of order, their rows'
    numbers as grid rows without a label (one with a piece of its label), a lone number between: read in the
    grid's order, proven by the count of rows between the labelled ones and every identity."""
    r = cause("29_grid_rows_with_their_labels_pulled_out.txt")
    assert table_three(r) == TABLE_THREE
    assert any("没有标签的行" in m for m in messages(r, "I5"))
    assert messages(r, "I1") == [] and messages(r, "I2") == [] and messages(r, "I3") == []


@pytest.mark.parametrize(("printed", "changed"), [
    ("| 15 | 0 | 0 | 1 | 0 | 1 | 17 |", "| 15 | 0 | 0 | 1 | 0 | 1 | 18 |"),  # a total that no longer holds
    ("| 3.要求提供公开出版物 |", "| 3.要求提供公开出版物 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |\n|"),  # a row too many
    ("| 行政机关不再处理其政府信息公 |", "| 行政机关不再处理其政府信息公开申请情况 |"),  # a piece of no row's label
])
def test_29_a_grid_that_does_not_prove_its_order_is_not_used(printed: str, changed: str) -> None:
    text = (CAUSES / "29_grid_rows_with_their_labels_pulled_out.txt").read_text("utf-8")
    assert printed in text
    r = import_text(text.replace(printed, changed, 1))
    read = table_three(r)
    assert all(read[k] in (TABLE_THREE[k], [None] * 7) for k in TABLE_THREE if k != "unavailable_not_held")
    assert not any("没有标签的行" in m for m in messages(r, "I5"))
    assert any(v == [None] * 7 for v in read.values())


def test_30_numbers_printed_around_the_rest_of_the_label_in_no_order() -> None:
    """A Word file made from a PDF writes each piece where the PDF drew it: ``（二）部分公开（…只计这一情`` ‖
    ``5 0 0 0 5`` ‖ ``形，不计其他情形）`` ‖ ``0 0`` for 5 0 0 0 0 0 5. Read in that order the 总计 would be 0 and
    法律服务机构 5: the row stays blank, said as such, and no other row moves."""
    r = cause("30_numbers_around_the_label.txt")
    read = table_three(r)
    assert read["partial"] == [None] * 7
    assert all(read[k] == TABLE_THREE[k] for k in TABLE_THREE if k != "partial")
    assert any("分印在标签的前后两处" in m for m in messages(r, "I2"))
    assert messages(r, "I1") == []


def test_30_numbers_around_the_label_whose_totals_hold_are_read() -> None:
    text = (CAUSES / "30_numbers_around_the_label.txt").read_text("utf-8").replace(
        "5 0 0 0 5\n形，不计其他情形）\n0 0", "5 0 0 0 0\n形，不计其他情形）\n0 5")
    r = import_text(text)
    assert table_three(r) == TABLE_THREE
    assert messages(r, "I2") == []


@pytest.mark.parametrize("separator", ["\t", " | "])
def test_21_a_tab_or_a_bar_inside_a_page_on_one_line_makes_no_table_row(separator: str) -> None:
    """A tab (or bars) in a crawler's one-line page is no table row of two huge cells: the glued labels and numbers
    are split as before (the page was read as cells, 表二's rows were lost and 行政许可 came out 0 for 126)."""
    text = (CAUSES / "21_page_on_one_line.txt").read_text("utf-8")
    at = text.index("3.危及“三安全一稳定”")
    label = "1.信访举报投诉类申请"
    r = import_text(text[:at] + separator + text[at:].replace(label, separator + label, 1))
    assert table_three(r) == TABLE_THREE
    assert row(r, "active", "normative_docs") == [0, 0, 11] and row(r, "active", "licensing") == [126]


def test_18_a_number_with_a_leading_zero_is_no_single_cell() -> None:
    """``003`` is cells glued together (``00`` and the next label's ``3.``, printed twice by a crawler), not the count
    3: seven printed items are then no proof of seven cells."""
    r = import_text("三、收到和处理政府信息公开申请情况\n二、上年结转政府信息公开申请数量 0 0 0 0 0 003 00\n")
    assert row(r, "requests", "carried_in") == [None] * 7
    assert any("“003”以0开头" in m for m in messages(r, "I2"))


# 31 ------------------------------------------------------------------------------------------------

def test_31_none_printed_in_a_rows_cells_is_a_blank_cell() -> None:
    """``无`` printed for "none" in a row's cells (``规章 无 无 无``, ``64 无 无 2 无 4 70``) is an explicit blank, as
    ``/`` and ``—`` are: the row's other numbers keep their columns. A ``无`` that is a piece of a wrapped label
    (``（四）无`` ‖ ``法提供``) stays a label, and one alone after a label proves no cell."""
    r = cause("31_none_word_in_cells.txt")
    assert row(r, "active", "rules") == [None, None, None]
    assert row(r, "active", "normative_docs") == [2, None, 15]
    assert row(r, "requests", "new") == [64, None, None, 2, None, 4, 70]
    assert row(r, "requests", "disclosed") == [20, None, None, 1, None, 2, 23]
    assert row(r, "requests", "unavailable_not_held") == TABLE_THREE["unavailable_not_held"]
    assert row(r, "requests", "unavailable_needs_creation") == TABLE_THREE["unavailable_needs_creation"]
    assert row(r, "requests", "total") == TABLE_THREE["total"]
    assert row(r, "appeals", "review") == [1, None, 1, None, 2]
    assert row(r, "appeals", "direct") == [1, None, None, None, 1]
    assert row(r, "appeals", "after_review") == [None] * 5
    assert messages(r, "I1") == []
    assert row(r, "active", "enforcement") == [None] and any("行政强制" in m for m in messages(r, "I2"))
    assert not [f for f in checked(r.report) if f.rule[0] == "R" and f.severity.value == ERROR]  # the sums hold


def test_31_none_printed_in_a_markdown_tables_cells_is_a_blank_cell() -> None:
    r = cause("31_none_word_in_cells.md")
    for key, values in TABLE_THREE.items():
        assert row(r, "requests", key) == [v or None for v in values], key
    assert messages(r, "I1") == [] and messages(r, "I2") == []


# 32 ------------------------------------------------------------------------------------------------

def test_32_a_table_split_by_a_page_number_paragraph() -> None:
    """A Word file saved as a page keeps its page numbers as paragraphs: table 三 in two tables with ``- 3 -``
    between them. The page number is no row's cells (``-`` ``3`` ``-`` had made the row before it ten cells)."""
    r = cause("32_table_split_by_a_page_number.html")
    assert table_three(r) == TABLE_THREE
    assert messages(r, "I1") == [] and messages(r, "I2") == []


# 33 ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("style", ["（{n}）", "{i}.", "第{n}部分 ", ""])
def test_33_parts_numbered_their_own_way(style: str) -> None:
    """Parts headed ``（一）总体情况``, ``1.总体情况``, ``第一部分 总体情况`` or ``总体情况`` alone (a page's list
    numbers them): each part is found by its heading's words on a line of their own, between the parts found
    around it, and I4 names the heading as printed; a subheading ``（一）主动公开。…`` is no part."""
    text = (CAUSES / "33_parts_numbered_their_own_way.txt").read_text("utf-8")
    for i, n in enumerate("一二三四五六", start=1):
        for words in ("总体情况", "主动公开政府信息情况", "收到和处理政府信息公开申请情况",
                      "政府信息公开行政复议、行政诉讼情况", "存在的主要问题及改进情况", "其他需要报告的事项"):
            text = text.replace(f"（{n}）{words}\n", style.format(n=n, i=i) + words + "\n")
    r = import_text(text)
    assert messages(r, "I6") == [] and not [f for f in checked(r.report) if f.rule == "I6"]
    assert r.report.narrative["overview"].startswith("2024年，我局认真贯彻落实")
    assert "主动公开政府信息128条" in r.report.narrative["overview"]
    assert r.report.narrative["problems"].startswith("一是公开内容不够丰富")
    assert r.report.narrative["other"] == "本年度未收取信息处理费。"
    assert row(r, "active", "normative_docs") == [1, 0, 6] and row(r, "requests", "new") == [2, 0, 0, 0, 0, 0, 2]
    assert row(r, "appeals", "review") == [0] * 5
    if style:
        assert any(f"使用的标签是“{style.format(n='一', i=1)}总体情况”" in m for m in messages(r, "I4"))


# 34 ------------------------------------------------------------------------------------------------

def test_34_a_header_note_spelt_with_a_variant_character() -> None:
    """``钩稽`` is another way to write ``勾稽``: the header note of table 三 spelt so, glued to the headings and the
    first row by a crawler, is still the table's own text — the first row's label after it had been taken for a
    mention inside that text (I2: ``一、本年新收`` not found)."""
    r = cause("34_header_note_spelt_with_a_variant.txt")
    assert table_three(r) == TABLE_THREE
    assert messages(r, "I2") == [] and [f for f in r.findings if f.severity.value == ERROR] == []


_GLUED_TABLE_TWO_2019 = (
    "某镇人民政府2022年政府信息公开工作年度报告\n二、主动公开政府信息情况\n"
    "第二十条第（一）项信息内容本年新制作数量本年新公开数量对外公开总数量规章000规范性文件000"
    "第二十条第（五）项信息内容上一年项目数量本年增/减处理决定数量行政许可000其他对外管理服务事项000"
    "第二十条第（六）项信息内容上一年项目数量本年增/减处理决定数量行政处罚000行政强制000"
    "第二十条第（八）项信息内容上一年项目数量本年增/减行政事业性收费0 0"
    "第二十条第（九）项信息内容采购项目数量采购总金额政府集中采购{}三、收到和处理政府信息公开申请情况\n")


@pytest.mark.parametrize(("printed", "values"), [("00元", [0, 0]), ("0350000元", [0, 35]), ("2350000元", [None, None])])
def test_34_glued_cells_with_a_unit_at_the_end(printed: str, values: list[Any]) -> None:
    """A crawler's 2019-layout table 二 ends ``政府集中采购00元``: the purchases and the amount glued, the amount's
    unit after them. The unit is the last cell's (元 in the 万元 column converted); the cut is made only where the
    layout proves it (a leading zero), as for any glued cells: ``2350000元`` stays blank (I1)."""
    r = import_text(_GLUED_TABLE_TWO_2019.format(printed))
    assert row(r, "active", "procurement") == values
    assert (messages(r, "I1") == []) == (values[0] is not None)
    if values[0] is not None:
        assert any(f"原文“{printed}”是粘连在一起的2个数" in m for m in messages(r, "I5"))


# 35 ------------------------------------------------------------------------------------------------

def test_35_a_report_in_traditional_characters_with_pinyin() -> None:
    """A portal's 繁體 page kept by a mirror that prints the pinyin of polyphonic characters (``報(bào)告``): read
    as the simplified text it is — every cell, the title's agency — and one I5 says so. It had been refused as no
    report (no label, heading or title word found)."""
    r = cause("35_traditional_characters_with_pinyin.html")
    assert table_three(r) == TABLE_THREE
    assert (r.report.metadata.get("agency"), r.report.metadata.get("year")) == ("某县教育局", 2024)
    assert any("原文是繁体字" in m for m in messages(r, "I5"))
    assert messages(r, "I1") == [] and messages(r, "I2") == []


def test_35_a_simplified_report_is_never_converted() -> None:
    """OpenCC's table would turn the 乾 of 乾县 into 干: a report that prints 公开 is not converted at all, and pinyin
    is dropped only where a bracketed syllable with a tone mark follows a character (``(一)`` stays)."""
    r = import_text("乾县人民政府2024年政府信息公开工作年度报告\n一、总体情况\n2024年，乾县著力推进政务公开（一）。"
                    "本年報(bào)告……\n六、其他需要报告的事项\n无。\n")
    assert r.report.metadata.get("agency") == "乾县人民政府"
    assert r.report.narrative["overview"] == "2024年，乾县著力推进政务公开（一）。本年報告……"
    assert not any("繁体字" in m for m in messages(r, "I5"))


# 38 ------------------------------------------------------------------------------------------------

def test_38_page_furniture_inside_a_table_is_no_cell() -> None:
    """Where a page ended inside a table printed with its cells: a bare page number (``7``) after a row that
    printed six numbers, the report's title again at the top of the next page, and later a ``3/9``. The page
    number had been read as the first row's 总计 and ``3/9``'s 3 as the other's; both rows are left blank or
    completed by the identities, and the rows after the title are read."""
    r = cause("38_page_furniture_between_grid_rows.txt")
    assert row(r, "requests", "withheld_third_party") == [None] * 7  # six numbers for seven cells: which is lost?
    assert any("4.保护第三方合法权益" in m and "读到6个数" in m for m in messages(r, "I1"))
    assert row(r, "requests", "rejected_petition") == [0] * 7  # six zeros: the seventh can only be 0 (I5)
    assert row(r, "requests", "withheld_internal") == [0] * 7 and row(r, "requests", "total") == [7, 2, 0, 0, 0, 0, 9]
    assert [m for m in messages(r, "I1") if "4.保护第三方合法权益" not in m] == []


def test_38_a_bare_number_after_an_empty_row_of_a_markdown_table_is_not_its_cell() -> None:
    """Table 二 as a markdown table whose 行政许可 cell is printed empty, a page's end after the next group's first
    line, its number there: the empty cell stays empty (it had taken the page number)."""
    r = import_text("二、主动公开政府信息情况\n第二十条第(一)项 | | | |\n"
                    "信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n"
                    "规章 | 0 | 0 | 0 |\n行政规范性文件 | 0 | 0 | 0 |\n第二十条第(五)项 | |||\n"
                    "信息内容 | 本年处理决定数量 | ||\n行政许可 | |||\n第二十条第(六)项 | |||\n\n3\n\n"
                    "信息内容 | 本年处理决定数量 | ||\n行政处罚 | 5 | ||\n行政强制 | 0 | ||\n")
    assert r.report.values[CellKey("active", "licensing", "decisions")] is None
    assert r.report.values[CellKey("active", "penalty", "decisions")] == 5


@pytest.mark.parametrize(("line", "marker"), [
    ("- 4 -", True), ("第 3 页 共 6 页", True), ("共6页 第3页", True), ("第3页/共9页", True), ("3/9", True),
    (" 3 ／ 9 ", True), ("2024/12", False), ("12/31/2024", False), ("3/9日", False), ("3", False), ("0/0", False)])
def test_38_page_markers(line: str, marker: bool) -> None:
    """A page's number of so many (``3/9``) is a page marker; a date (``2024/12``: no page is numbered above
    the count) and a bare number (a cell printed on a line of its own) are not."""
    assert is_page_marker(line) is marker


def test_38_a_page_marker_inside_a_table_copied_cell_under_cell_is_dropped_first() -> None:
    """A page marker between a label and its cell in a browser's copy (cells on lines of their own) is dropped
    before the cells are joined back into rows: it had become the row's middle cell, its 11 read as the fee."""
    lines = text_lines("行政事业性收费\n\n第 11 页 共 12 页\n\n\t\n\n0\n\n\n\n下一行\n")
    assert [ln.text for ln in lines if ln.text.strip()] == ["行政事业性收费\t0", "下一行"]


def test_38_bare_page_numbers_of_a_pdf_are_dropped_where_they_count_up_with_the_pages() -> None:
    """A PDF whose pages end with a bare number (``3``, ``4``): counting up with the pages, they are its page
    numbers and no cell, though one falls between two rows of table 三, after a row that printed six numbers (it
    had been read as that row's 总计; its 总计 is what the table's identities give, ``one_cell_lost``). A lone bare
    number at one page's end proves nothing and stays."""
    ends = _plain_pages()
    dropped = page_numbers_dropped([ends[0] + "\n3", ends[1] + "\n4"])
    assert dropped == ends
    r = import_document(Document(tuple(text_lines("\n".join(dropped)))))
    assert row(r, "requests", "withheld_third_party") == [1, 1, 0, 0, 0, 0, 2]  # 2 by the identities, never 3
    assert row(r, "requests", "withheld_internal") == [0] * 7 and row(r, "requests", "total") == [7, 2, 0, 0, 0, 0, 9]
    assert page_numbers_dropped(["甲\n3", "乙\n0"]) == ["甲\n3", "乙\n0"]  # 3 then 0: not a page's count


def test_38_a_text_whose_pages_are_apart_by_form_feeds_drops_their_bare_numbers() -> None:
    """``pdftotext`` ends each page with a form feed: a text copy of a PDF keeps the pages, so its bare page
    numbers are dropped by the same proof as a PDF's."""
    text = (CAUSES / "38_page_furniture_between_grid_rows.txt").read_text("utf-8").replace(
        "\n\n7\n\n某县某局2024年政府信息公开工作年度报告\n", "\n3\n\f").replace("\t", " ") + "\n4\n\f"
    r = import_text(text)
    assert row(r, "requests", "withheld_third_party") == [1, 1, 0, 0, 0, 0, 2]
    assert row(r, "requests", "total") == [7, 2, 0, 0, 0, 0, 9]
    assert not any("页码" in m for m in messages(r, "I2"))  # gone before the rows were read: six numbers, the
    # 总计 given by the identities (I5)
    assert any("4.保护第三方合法权益" in m and "少一个数" in m for m in messages(r, "I5"))


def _plain_pages() -> list[str]:
    """Cause 38's table 三 as a PDF viewer copies it (cells apart by spaces), cut after the row that printed six
    numbers, and the rows after it."""
    text = (CAUSES / "38_page_furniture_between_grid_rows.txt").read_text("utf-8").replace(
        "\n\n7\n\n某县某局2024年政府信息公开工作年度报告\n", "\n")
    first, second = text.split("\t\t5.属于三类内部事务信息")
    return [first.replace("\t", " ").strip(), ("5.属于三类内部事务信息" + second).replace("\t", " ").strip()]


def test_38_a_lone_number_after_a_row_is_its_cell_only_where_the_row_then_adds_up() -> None:
    """Text with no pages left (copied from a viewer): a bare ``3`` after the row that printed six numbers made
    it seven, read as its 总计 (1 + 1 ≠ 3). A row whose last number stands alone on the next line is read only
    where its totals then hold: a 总计 wrapped to the next line (``2``) is the row's; the page number is not."""
    first, second = _plain_pages()
    r = import_text(f"{first}\n3\n{second}\n")
    assert row(r, "requests", "withheld_third_party") == [None] * 7
    assert any("4.保护第三方合法权益" in m and "可能是翻页处的页码" in m for m in messages(r, "I2"))
    wrapped = import_text(f"{first}\n2\n{second}\n")
    assert row(wrapped, "requests", "withheld_third_party") == [1, 1, 0, 0, 0, 0, 2]


def test_38_the_agencys_name_as_a_running_header_is_dropped_where_it_comes_on_every_page() -> None:
    """淮安 2024's text, whose title is printed on two lines (``淮安市人民政府`` ‖ ``2024 年政府信息公开工作年度报告``),
    with that first line again at the head of every page (every 13 lines here, inside the tables too): it had
    cut rows of table 三 and table 四 off their numbers; all 200 cells read. Once after the title (the 落款) it
    stays."""
    lines = (PUBLISHED / "19_huaian-city-2024.txt").read_text("utf-8").split("\n")
    headed = [x for k, line in enumerate(lines) for x in ([line, "", "淮安市人民政府", ""] if k > 12 and k % 13 == 0
                                                           else [line])]
    r = import_text("\n".join(headed))
    printed = load("huaian-city-2024").values
    assert {k: r.report.values[k] for k in printed if printed[k] is not None} == {
        k: v for k, v in printed.items() if v is not None}
    kept = running_header_dropped(["淮安市人民政府", "2024 年政府信息公开工作年度报告", "正文", "淮安市人民政府",
                                   "2025年1月"])
    assert kept[3] == "淮安市人民政府"


def test_41_a_label_damaged_past_recognition_keeps_its_place_in_the_columns() -> None:
    """41 with 2.其他法律行政法规禁止公开 misprinted beyond recognition (洪泽区 2023's ``2.其他法律行政止公开``, more
    damaged): the text after 1.属于国家秘密 is that row's label, which counts for its place in the columns; every
    other row of the page is read, that one is not (it may be a row the agency added)."""
    text = (CAUSES / "41_labels_then_columns.txt").read_text("utf-8")
    text = text.replace("2.其他法律行政法规禁止公开", "2.其他洼律行正止公开")
    r = import_text(text)
    assert {k: v for k, v in table_three(r).items() if k != "withheld_law"} == {
        k: v for k, v in TABLE_THREE.items() if k != "withheld_law"}
    assert row(r, "requests", "withheld_law") == [None] * 7


def test_41_a_header_printed_again_inside_a_block_of_columns_makes_no_row() -> None:
    """41 with the column header printed again after the seventh number of the second page's block (as
    ``scripts/perturb_import.py`` inserts it): the last label is followed by seven numbers, which read as its row
    (its total failing), and the rest of the block after the header. Its labels above printed nothing: those seven
    are no proof of the last row, and no row of the block is read wrong."""
    text = (CAUSES / "41_labels_then_columns.txt").read_text("utf-8")
    head, block = text.split("四、结转下年度继续办理\n\n", 1)
    numbers = block.split("\n\n")
    header = "自然人 商业企业 科研机构 社会公益组织 法律服务机构 其他 总计"
    r = import_text(head + "四、结转下年度继续办理\n\n" + "\n\n".join([*numbers[:7], header, *numbers[7:]]))
    for key, values in TABLE_THREE.items():
        assert row(r, "requests", key) in (values, [None] * 7), key


def test_04_a_group_printed_as_one_row_and_spaced_out_by_ocr() -> None:
    """04 as text recognised from a scan, a space between every two characters: ``（六）其 他 处 理 0 0 …`` — the
    group's label is read across its items (the first, ``（六）其``, looks like a piece of a merged label and is
    left out of the joined text), so the group is read as one row of zeros as in 04 itself."""
    text = (CAUSES / "04_other_as_one_row.txt").read_text("utf-8")
    spaced = re.sub(r"(?<=[\u4e00-\u9fff])(?=[\u4e00-\u9fff])", " ", text)
    plain, ocr = import_text(text).report.values, import_text(spaced).report.values
    rows = ("other_no_correction", "other_no_fee", "other_other")
    assert [[ocr[CellKey("requests", r, c)] for c in REQUESTS_COLUMNS] for r in rows] == [
        [plain[CellKey("requests", r, c)] for c in REQUESTS_COLUMNS] for r in rows]
    assert plain[CellKey("requests", "other_other", "total")] is not None


def test_42_a_row_read_by_its_count_beside_a_row_that_lost_numbers() -> None:
    """OCR boxes one a line (洪泽区 2023 by OCR): 6.属于四类过程性信息 lost two zeros, and the 15 of
    1.本机关不掌握相关政府信息 (which kept only its 17) is listed among 8.属于行政查询事项's numbers. That row prints
    its count, seven, but its total fails beside a row that lost numbers: it is not read (I2), not an error of
    the agency's; every other row is read as printed or left blank."""
    r = cause("42_boxes_with_numbers_lost.txt")
    assert row(r, "requests", "withheld_query") == [None] * 7
    assert any("8.属于行政查询事项" in m and "相邻的行丢了数" in m for m in messages(r, "I2"))
    unread = {"withheld_process", "withheld_query", "unavailable_not_held"}
    assert {k: v for k, v in table_three(r).items() if k not in unread} == {
        k: v for k, v in TABLE_THREE.items() if k not in unread}
    assert [f for f in checked(r.report) if f.severity.value == ERROR] == []


def test_42_a_row_whose_total_fails_among_rows_that_print_their_counts_is_the_agencys() -> None:
    """The same text with the lost numbers back: no neighbour lost or gained a number, so the seven numbers of
    8.属于行政查询事项 are its own as printed, and its total that does not hold is the agency's error (R2)."""
    text = (CAUSES / "42_boxes_with_numbers_lost.txt").read_text("utf-8")
    text = text.replace("6.属于四类过程性信息\n0\n0\n0\n0\n0\n", "6.属于四类过程性信息\n0\n0\n0\n0\n0\n0\n0\n")
    text = text.replace("1.本机关不掌握相关政府信息\n17\n", "1.本机关不掌握相关政府信息\n15\n0\n0\n1\n0\n1\n17\n")
    r = import_text(text)
    assert row(r, "requests", "withheld_query") == [0, 0, 0, 15, 0, 0, 0]
    assert row(r, "requests", "withheld_process") == [0] * 7
    assert messages(r, "I2") == []
    assert any(f.rule == "R2" and "8.属于行政查询事项" in f.message for f in checked(r.report))


def test_43_a_merged_cells_letter_before_a_label_ends_no_row() -> None:
    """pdfplumber's text of 洪泽区 2023: the letters of 三、本年度办理结果 down the rows (``、`` on a line of its own,
    ``本`` before the next label), some rows' numbers printed above their labels or inside a wrapped label. The
    numbers after ``、`` are the next row's, printed above its label, though ``本`` stands between them and it: every
    row is read, dealt by count where its numbers are above its label, every total holding."""
    r = cause("43_merged_cells_letters_between_rows.txt")
    assert table_three(r) == TABLE_THREE
    assert messages(r, "I1") == [] and messages(r, "I2") == []


@pytest.mark.parametrize("letters", [("（六）", "其他处", "理"), ("（六）其", "他处", "理")])
def test_44_a_merged_cells_letters_inside_a_wrapped_label_are_left_out(letters: tuple[str, str, str]) -> None:
    """A page printed to PDF (平潭 2023 by Chrome, as pdfplumber extracts it): the merged cell （六）其他处理 beside
    its rows, a few letters at the start of each line, ``理`` inside the wrapped label of （六）2. The letters
    spell a part of the group's label down the lines' starts: they are left out, and the label is whole again."""
    text = (CAUSES / "44_merged_cell_letters_inside_a_label.txt").read_text("utf-8")
    a, b, c = letters
    text = text.replace("\n（六） 申请\n其他处 2.", f"\n{a} 申请\n{b} 2.").replace("\n理 通知", f"\n{c} 通知")
    r = import_text(text)
    assert table_three(r) == TABLE_THREE
    assert messages(r, "I2") == [] and messages(r, "I3") == []


def test_44_a_merged_cells_last_letter_before_a_rows_numbers_is_left_out() -> None:
    """Printed by LibreOffice and extracted by pdftotext ``-layout``: （三）不予公开 down the lines' starts, its last
    letter ``开`` before 5.属于三类内部事务信息's numbers, that label wrapped around them. The letters are left out
    and the row is read."""
    text = (CAUSES / "44_merged_cell_letters_inside_a_label.txt").read_text("utf-8")
    third, internal = (" ".join(map(str, TABLE_THREE[k])) for k in ("withheld_third_party", "withheld_internal"))
    printed = f"（三）不予公开 4.保护第三方合法权益 {third}\n5.属于三类内部事务信息 {internal}\n"
    assert printed in text
    text = text.replace(printed, f"4.保护第三方合\n{third}\n（三 法权益\n）不\n予公 5.属于三类内部\n"
                                 f"开 {internal}\n事务信息\n")
    r = import_text(text)
    assert table_three(r) == TABLE_THREE
    assert messages(r, "I2") == [] and messages(r, "I3") == []


def _lose_a_zero(text: str, label: str) -> str:
    """The row of ``label`` with the second of its printed numbers (a 0 here) dropped, as OCR drops a lone 0."""
    line = next(ln for ln in text.splitlines() if ln.startswith(label))
    head, numbers = line.split(" ", 1)
    items = numbers.split()
    assert items[1] == "0"
    return text.replace(line, f"{head} {' '.join(items[:1] + items[2:])}")


def test_45_a_zero_lost_from_a_row_is_found_by_the_tables_identities() -> None:
    """A scan's OCR drops a lone 0 (洪泽区 2024 by RapidOCR: ``本年新收政府信息公开申请数量 95 0 0 0 0 95``). Six
    numbers for seven cells: wherever the missing cell is, the row's total gives its value, and only one reading
    makes the table's columns add up (its natural persons, its total): read so, and said (I5)."""
    text = (CAUSES / "44_merged_cell_letters_inside_a_label.txt").read_text("utf-8")
    for label in ("一、本年新收", "二、上年结转", "2.重复申请", "1.信访举报投诉类申请"):
        text = _lose_a_zero(text, label)
    r = import_text(text)
    assert table_three(r) == TABLE_THREE
    assert len([m for m in messages(r, "I5") if "少一个数" in m]) == 4


def test_45_a_zero_lost_where_no_equation_across_rows_can_confirm_it_stays_blank() -> None:
    """The same lost zero in 一、本年新收, with （七）总计 printed damaged too (two of its numbers lost): the columns'
    equations through 一 cannot be evaluated, its own total holds wherever the missing cell is put — blank."""
    text = (CAUSES / "44_merged_cell_letters_inside_a_label.txt").read_text("utf-8")
    text = _lose_a_zero(text, "一、本年新收").replace("（七）总计 59 0 0 2 0 4 65", "（七）总计 59 2 4 65")
    r = import_text(text)
    assert row(r, "requests", "new") == [None] * 7
    assert row(r, "requests", "carried_in") == TABLE_THREE["carried_in"]


def test_45_a_rows_last_number_before_a_label_that_lost_its_enumerator_is_no_enumerator() -> None:
    """RapidOCR lost ``二`` of ``二、上年结转…`` (洪泽区 2024): ``一、本年新收… 64 0 0 2 0 4 70`` ‖ ``、上年结转…``.
    The ``70`` after the row's other numbers is its 总计, not an enumerator split from the next label (``1`` ‖
    ``、申请人…``, ``split_enumerator``): both rows are read."""
    text = (CAUSES / "44_merged_cell_letters_inside_a_label.txt").read_text("utf-8")
    text = text.replace("\n二、上年结转", "\n、上年结转")
    r = import_text(text)
    assert row(r, "requests", "new") == TABLE_THREE["new"]
    assert row(r, "requests", "carried_in") == TABLE_THREE["carried_in"]
    assert not any("本年新收" in m for m in messages(r, "I5"))  # read as printed, not rebuilt (``one_cell_lost``)


def test_45_a_label_printed_without_its_enumerator_is_said_as_printed() -> None:
    """OCR that lost ``一、`` of the first row: the row is read by its bare label, and I4 shows the label as printed
    (it had shown the official one twice: “使用的标签是“一、本年新收…”，正式格式为“一、本年新收…””)."""
    text = (CAUSES / "44_merged_cell_letters_inside_a_label.txt").read_text("utf-8")
    r = import_text(text.replace("\n一、本年新收", "\n本年新收"))
    assert row(r, "requests", "new") == TABLE_THREE["new"]
    assert messages(r, "I4") == ["I4 表三“一、本年新收政府信息公开申请数量”行使用的标签是"
                                 "“本年新收政府信息公开申请数量”，正式格式为“一、本年新收政府信息公开申请数量”。"]


def test_44_a_wrapped_labels_pieces_that_spell_a_middle_of_a_group_label_are_kept() -> None:
    """Labels wrapped at the starts of lines (``（一`` ‖ ``）予 以公开 20 …`` ‖ ``（二）部分`` ‖ ``公开 （区分…``):
    ``予`` and ``公开`` spell 予公开 of （三）不予公开, but not from its start as a merged cell prints it — they are
    the labels' own letters, and every row is read (a case ``test_import.py``'s harmless damage found)."""
    text = (CAUSES / "44_merged_cell_letters_inside_a_label.txt").read_text("utf-8")
    disclosed = " ".join(map(str, TABLE_THREE["disclosed"]))
    partial = "（区分处理的，只计这一情形，不计其他情形）"
    printed = f"三、 （一）予以公开 {disclosed}\n本年\n度办 （二）部分公开{partial}"
    assert printed in text
    text = text.replace(printed, f"三、\n本年\n度办\n（一\n）予 以公开 {disclosed}\n（二）部分\n公开 {partial}")
    r = import_text(text)
    assert table_three(r) == TABLE_THREE


@pytest.mark.parametrize("mark", ["续表", "续上表", "表三（续）"])
def test_39_a_table_continued_line_is_the_tables_own_text(mark: str) -> None:
    """39 with the mark of a table continued on the next page between its lines (as ``scripts/perturb_import.py``
    inserts it): the numbers after it are the next row's, printed above its label. Taken for a row of their own,
    they had left that row reading the numbers after its label — the next row's — and every row after it too."""
    text = (CAUSES / "39_rows_under_their_numbers_and_a_label_past_recognition.md").read_text("utf-8")
    for line in ("计其他情形）\n", "理 5.属于三类内部事务信息\n"):
        assert line in text
        text = text.replace(line, f"{line}\n{mark}\n\n")
    r = import_text(text)
    assert {k: v for k, v in table_three(r).items() if not k.startswith("other_")} == {
        k: v for k, v in TABLE_THREE.items() if not k.startswith("other_")}

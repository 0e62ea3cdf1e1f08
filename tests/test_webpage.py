"""The web page's Python front end (xl_gongkai.webpage), natively: what the page's script is given.

The same functions run in the browsers in tests/test_web.py; here they are checked without one, fast.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from conftest import PUBLISHED, REPORTS, TODAY
from xl_gongkai import webpage
from xl_gongkai.adapters.workbook_read import read_workbook
from xl_gongkai.adapters.xlsx_cells import set_cells
from xl_gongkai.commands.workbook import new_workbook
from xl_gongkai.core.report import Report
from xl_gongkai.spec import CellKey, load_form

T = TODAY.isoformat()
FEE = CellKey("active", "fees", "amount")


def call(command: str, **args: Any) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(webpage.call(command, json.dumps(args)))
    return result


@pytest.fixture
def fee_book(tmp_path: Path, huaian: Report) -> Path:
    """A workbook whose fee is typed in 元 (V5, a 提示) and whose totals are stale after a change.

    Its narrative says nothing the changed figures would contradict (the published one states the fee)."""
    quiet = replace(huaian, narrative={k: "本年度无需要说明的事项。" for k in huaian.narrative})
    book = new_workbook(tmp_path / "fee.xlsm", source=quiet.with_values({FEE: 250000}), today=TODAY)
    form = load_form()
    cell = form.cell(CellKey("requests", "new", "natural_person"))
    out = form.cell(CellKey("requests", "carried_out", "natural_person"))
    r = read_workbook(book)
    book.write_bytes(set_cells(book.read_bytes(), {cell.sheet: {cell.address: r.value(cell.key) + 1,
                                                                out.address: r.value(out.key) + 1}}))
    return book


def test_a_bad_file_is_a_result_naming_only_the_file(tmp_path: Path) -> None:
    home = tmp_path / "home"
    path = webpage.receive("坏.xlsx", b"not a zip", home=str(home))
    webpage.HOME, saved = home, webpage.HOME
    try:
        result = call("check", path=path, today=T)
    finally:
        webpage.HOME = saved
    assert result["ok"] is False and result["kind"] == "input"
    assert result["message"].startswith("无法读取：坏.xlsx：") and str(home) not in result["message"]


def test_a_defect_is_a_result_with_details() -> None:
    result = call("no-such-command")
    assert result["ok"] is False and result["kind"] == "defect"
    assert "程序内部错误（KeyError）" in result["message"] and "Traceback" in result["details"]


def test_a_bad_today_is_said_at_start() -> None:
    assert call("start", today=T)["ok"]
    result = call("start", today="2026-13-01")
    assert result["kind"] == "input" and "today=2026-13-01" in result["message"]


def test_columns_are_the_results_sheets() -> None:
    tpl = load_form().template
    labels = [c["label"] for c in call("start")["columns"]]
    assert labels == [c.label.split("（")[0] for c in tpl.results_columns if not c.hidden]
    assert "（" not in "".join(labels)


def test_typed_explanations_attach_by_key_and_can_be_removed(fee_book: Path) -> None:
    key = f"V5:{FEE}"
    result = call("check", path=str(fee_book), today=T, explanations={key: "属实"})
    (v5,) = [f for f in result["findings"] if f["rule"] == "V5"]
    assert v5["key"] == key and v5["explanation"] == "属实" and v5["explainable"]
    assert result["counts"]["explained"] == 1
    assert all(not f["explainable"] for f in result["findings"] if f["severity"] == "错误")


def test_fill_writes_totals_results_and_explanations_and_clears_old_marks(fee_book: Path, tmp_path: Path) -> None:
    form, key = load_form(), f"V5:{FEE}"
    flags = form.template.flags_sheet
    before = call("check", path=str(fee_book), today=T)
    assert {f["rule"] for f in before["findings"]} == {"R2", "V5"}
    result = call("fill", path=str(fee_book), today=T, explanations={key: "属实"}, home=str(tmp_path / "home"))
    assert result["ok"], result
    filled = Path(result["source"])
    assert filled.parent != fee_book.parent and fee_book.is_file()  # the input stays as it was
    report = read_workbook(filled)
    assert report.explanations == {key: "属实"}
    assert [f["rule"] for f in result["check"]["findings"]] == ["V5"] and result["check"]["ready"]
    from python_calamine import CalamineWorkbook

    marks = CalamineWorkbook.from_path(str(filled)).get_sheet_by_name(flags).to_python()
    assert not any(v for row in marks for v in row), "an explained 提示 leaves no mark, nor does a corrected 错误"


def test_fill_checks_once_and_shows_what_a_check_of_the_filled_copy_shows(fee_book: Path, tmp_path: Path,
                                                                            checks: list[str]) -> None:
    """The results 填充合计 shows are those of the check the fill ran, under the filled copy's name: the page does not
    check again, and checking the filled copy afterwards says the same."""
    calls = checks
    result = call("fill", path=str(fee_book), today=T, home=str(tmp_path / "home"))
    assert result["ok"] and len(calls) == 1, calls
    again = call("check", path=result["source"], today=T)
    assert again["ok"] and len(calls) == 2
    assert {k: v for k, v in result["check"].items() if k != "ok"} == {k: v for k, v in again.items() if k != "ok"}


def test_fill_is_for_workbooks_only() -> None:
    result = call("fill", path=str(REPORTS / "huaian-city-2024.json"), today=T)
    assert result["kind"] == "refused" and "只适用于工作簿" in result["message"]


def test_published_report_places_in_the_forms_words() -> None:
    result = call("check", path=str(PUBLISHED / "02_suqian-city-2023.txt"), today=T)
    places = {f["rule"]: f["place"] for f in result["findings"]}
    assert places["I6"].startswith("正文“")  # a section the excerpt does not contain, said once
    assert not result["can_fill"] and all(not f["explainable"] for f in result["findings"] if f["rule"] == "I4")


def test_selftest_compares_with_what_native_python_recorded(tmp_path: Path) -> None:
    from xl_gongkai.commands.load import open_source

    example = next((Path(__file__).parent.parent / "examples").glob("*.txt"))
    book = new_workbook(tmp_path / "book.xlsm", source=open_source(example).report)
    recorded = webpage.expectations(str(example), str(book), home=str(tmp_path / "a"))
    (tmp_path / "expected.json").write_text(json.dumps(recorded), "utf-8")
    good = call("selftest", example=str(example), workbook=str(book), expected=str(tmp_path / "expected.json"),
                home=str(tmp_path / "b"))
    assert good["passed"] and good["text"].startswith("通过：错误 0 项")
    (tmp_path / "expected.json").write_text(json.dumps({**recorded, "payload": "0" * 64}), "utf-8")
    bad = call("selftest", example=str(example), workbook=str(book), expected=str(tmp_path / "expected.json"),
               home=str(tmp_path / "c"))
    assert not bad["passed"] and bad["text"].startswith("未通过：") and "导出数据包" in bad["text"]


# --- last year's report in every command -----------------------------------------------------------------------

@pytest.fixture
def crossyear_book(tmp_path: Path, huaian: Report) -> tuple[Path, Path]:
    """淮安's 2024 workbook (clean on its own) and 宿迁's 2023 report, whose 结转下年度 disagrees with it."""
    book = new_workbook(tmp_path / "book.xlsm", source=huaian, today=TODAY)
    return book, REPORTS / "suqian-city-2023.json"


def test_export_and_report_refuse_on_last_years_findings(crossyear_book: tuple[Path, Path], tmp_path: Path) -> None:
    book, last = crossyear_book
    home = str(tmp_path / "home")
    assert call("export", path=str(book), today=T, home=home)["ok"]  # alone it exports
    for command in ("export", "report"):
        refused = call(command, path=str(book), today=T, previous=str(last), home=home)
        assert refused["kind"] == "refused" and "X1 表三" in refused["message"], refused


def test_fill_keeps_last_years_findings(crossyear_book: tuple[Path, Path], tmp_path: Path) -> None:
    book, last = crossyear_book
    done = call("fill", path=str(book), today=T, previous=str(last), home=str(tmp_path / "home"))
    assert done["ok"], done
    shown = {f["rule"] for f in done["check"]["findings"]}
    assert shown == {"X1", "X2", "X4"} and not done["check"]["ready"]  # X4: 宿迁 is another agency
    from python_calamine import CalamineWorkbook

    results = CalamineWorkbook.from_path(done["source"]).get_sheet_by_name(load_form().template.results_sheet)
    written = "\n".join(str(v) for row in results.to_python() for v in row)
    assert all(rule in written for rule in shown)  # the workbook's 校验结果 has them too


# --- the blank workbook ------------------------------------------------------------------------------------------

def test_blank_workbook_is_the_template_with_agency_and_year(tmp_path: Path) -> None:
    done = call("blank", agency="  某县人民政府办公室 ", year="2025", today=T, home=str(tmp_path / "home"))
    assert done["ok"], done
    (made,) = done["files"]
    assert made["name"] == "某县人民政府办公室_2025年_年报工作簿.xlsm"
    report = read_workbook(Path(made["path"]))
    assert (report.agency, report.year) == ("某县人民政府办公室", 2025)
    assert not any(v is not None for v in report.values.values())  # every figure blank
    unnamed = call("blank", year=2026, today=T, home=str(tmp_path / "home"))
    assert unnamed["files"][0]["name"] == "2026年_年报工作簿.xlsm"


@pytest.mark.parametrize("year", ["", "二〇二五", "1999", "2027", "20255"])
def test_blank_workbook_refuses_a_year_that_is_not_one(year: str, tmp_path: Path) -> None:
    first = load_form().first_year
    refused = call("blank", agency="某局", year=year, today=T, home=str(tmp_path))
    assert refused["kind"] == "refused"
    assert refused["message"] == (f"报告年度应为 {first} 至 {TODAY.year} 之间的年份（四位数字），"
                                  f"现为“{year}”：请改正后再下载。")


def test_the_blank_years_default_is_the_report_due_next() -> None:
    """Each year's report is due by 31 January of the next: in January last year's, from February this year's."""
    assert webpage.due_year(dt.date(2026, 1, 31)) == 2025
    assert webpage.due_year(dt.date(2026, 2, 1)) == 2026
    assert webpage.due_year(dt.date(2026, 12, 31)) == 2026
    start = call("start", today="2027-01-10")["blank"]
    labels = {m.key: m.label for m in load_form().metadata_fields}
    assert start == {"agency": labels["agency"], "year": labels["year"], "default_year": 2026,
                     "first_year": load_form().first_year, "last_year": 2027}


def test_start_says_what_the_page_opens() -> None:
    from xl_gongkai.adapters.formats import INPUTS

    accepts = call("start", today=T)["accepts"]
    read_here = [f for f in INPUTS if f.key != "office"]  # LibreOffice's formats need a program the page has not
    assert read_here and all(f.what in accepts and all(s in accepts for s in f.suffixes) for f in read_here)
    said = set(re.findall(r"\.[a-z]+", accepts))
    assert said == {s for f in read_here for s in f.suffixes}


# --- messages name the page's buttons, never a command -------------------------------------------------------------

COMMAND = re.compile(r"xl-gongkai [a-z]|(?<![\w-])--[a-z]|"
                     r"(?<![A-Za-z.])(check|fill|export|report|new|import|audit)(?![A-Za-z.])")


def test_every_advice_has_page_words_without_a_command() -> None:
    from xl_gongkai.adapters.office import NEEDS_LIBREOFFICE
    from xl_gongkai.advice import ALL, MACROS_LOST, NEXT_YEAR_CARRIES, NO_LIBREOFFICE, for_page
    from xl_gongkai.core.rules import catalogue

    for advice in ALL:
        assert COMMAND.search(advice.cli) or "soffice" in advice.cli, advice.cli  # a command or a program …
        assert for_page(advice.cli) == advice.page and not COMMAND.search(advice.page)  # … the page names neither
        assert "soffice" not in advice.page and "安装" not in advice.page
    assert MACROS_LOST.cli in catalogue().rule("F4").message  # said in the rule catalogue, word for word
    assert NEXT_YEAR_CARRIES.cli in catalogue().rule("L6").message
    assert NO_LIBREOFFICE.cli in NEEDS_LIBREOFFICE
    for text in (webpage.WORD_NOTE, webpage.FILL_ONLY_WORKBOOKS, webpage.BAD_YEAR):
        assert not COMMAND.search(text), text


def test_page_messages_name_no_command(tmp_path: Path, huaian: Report) -> None:
    """The failures whose command-line message names a command, as the page says them."""
    import zipfile

    form = load_form()
    book = new_workbook(tmp_path / "book.xlsm", source=huaian, today=TODAY)
    tpl = form.workbook
    old = tmp_path / "旧版本.xlsm"
    old.write_bytes(set_cells(book.read_bytes(), {form.metadata_sheet: {tpl.version_cell: "0.9.0"}}))
    said = call("check", path=str(old), today=T)
    assert said["kind"] == "input" and "下载空白工作簿" in said["message"] and not COMMAND.search(said["message"])

    bare = tmp_path / "另存过的.xlsm"  # LibreOffice's save: the macros kept, the code names gone (F4)
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(bare, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/workbook.xml" or info.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb'\scodeName="[^"]*"', b"", data)
            out.writestr(info, data)
    checked = call("check", path=str(bare), today=T)
    (f4,) = [f for f in checked["findings"] if f["rule"] == "F4"]
    assert "网页版照常读取和处理" in f4["message"] and not COMMAND.search(f4["message"])

    many = new_workbook(tmp_path / "many.xlsm", agency="某局", year=2025)  # blank: more than 8 blocking findings
    refused = call("export", path=str(many), today=T, home=str(tmp_path / "home"))
    assert refused["kind"] == "refused" and "全部问题见本页下方的列表" in refused["message"]
    assert not COMMAND.search(refused["message"])

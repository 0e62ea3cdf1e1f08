"""The web page's Python front end (xl_gongkai.webpage), natively: what the page's script is given.

The same functions run in the browsers in tests/test_web.py; here they are checked without one, fast.
"""

from __future__ import annotations

import json
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

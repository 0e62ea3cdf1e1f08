"""The ribbon commands, driven through xlwings' own remote engine on real workbooks.

Each test builds the book JSON from a real filled template, runs an entry point of xl_gongkai.excel
on ``xw.Book(json=...)``, replays the queued ``setValues`` actions onto the file and asserts the
workbook's cells; the bulk read and write counts are asserted on the way.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

import pytest
from python_calamine import CalamineWorkbook

from conftest import REPORTS, TODAY
from support.remote_book import apply_actions, open_book
from xl_gongkai import excel
from xl_gongkai.adapters.excel_live import LiveBook, rectangles
from xl_gongkai.adapters.jsonfile import read_report
from xl_gongkai.adapters.workbook_read import read_workbook
from xl_gongkai.adapters.xlsx_cells import set_cells
from xl_gongkai.commands.workbook import new_package, new_workbook
from xl_gongkai.logs import LOG_NAME
from xl_gongkai.spec import CellKey, load_form
from xl_gongkai.spec.a1 import split_cell

FORM = load_form()
TPL = FORM.template
# one bulk read per sheet a report lives on: the five input sheets, 校验结果 (explanations), 模板信息
# (the role field: a consolidation stays known as one, also in a payload exported from Excel) and the register
# (依申请台账, from which 填充合计 counts table 三)
MAX_READS, MAX_WRITES = 8, 4
# The official layout puts the 34 derived cells in five separate blocks (表三's 总计 column and （七）总计
# row, and table 四's three 总计); fill writes each block once, then the three output blocks.
FILL_WRITES = 5 + 3


@pytest.fixture(autouse=True)
def _log_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XL_GONGKAI_LOG_DIR", str(tmp_path / "logs"))


def workbook(tmp_path: Path, name: str, **changes: Any) -> Path:
    """A real report in a workbook made by ``new --from``: the test's own copy of it, to click on and change."""
    path = tmp_path / f"{name}.xlsm"
    path.write_bytes(_workbook_bytes(name, tuple(sorted(changes.items()))))
    return path


@functools.cache  # the same few workbooks serve many tests: each is made once, and each test writes a copy
def _workbook_bytes(name: str, changes: tuple[tuple[str, Any], ...]) -> bytes:
    report = read_report(REPORTS / f"{name}.json").report
    if changes:
        report = report.with_values({CellKey.parse(k.replace("__", ".")): v for k, v in changes})
    return new_package(f"{name}.xlsm", source=report, today=TODAY)


def click(path: Path, command: str, tmp_path: Path) -> tuple[excel.Outcome, list[dict[str, Any]]]:
    book = open_book(path)
    outcome = excel.run(book, command, out_dir=tmp_path / "out", today=TODAY)
    return outcome, apply_actions(path, book)


def alerts(actions: list[dict[str, Any]]) -> list[list[str]]:
    return [a["args"] for a in actions if a["func"] == "alert"]


def sheet_rows(path: Path, sheet: str) -> list[list[Any]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def results(path: Path) -> list[dict[str, Any]]:
    rows = sheet_rows(path, TPL.results_sheet)
    cols = sorted(TPL.results_columns, key=lambda c: c.at)
    out = []
    for row in rows[TPL.results_first_row - 1:]:
        rec = {c.key: (row[ord(c.at) - 65] if ord(c.at) - 65 < len(row) else "") for c in cols}
        if rec["key"]:
            out.append(rec)
    return out


def marked(path: Path) -> set[tuple[str, str]]:
    """(sheet, address) of every input cell whose mark is set on the hidden marks sheet."""
    rows = sheet_rows(path, TPL.flags_sheet)
    offsets = FORM.flag_offsets()
    found = set()
    for sheet, off in offsets.items():
        for cell in [c for c in FORM.cells if c.sheet == sheet]:
            r, c = split_cell(cell.address)
            if r - 1 < len(rows) and c - 1 + off < len(rows[r - 1]) and rows[r - 1][c - 1 + off] != "":
                found.add((sheet, cell.address))
    return found


def test_check_on_the_reference_report(tmp_path: Path) -> None:
    path = workbook(tmp_path, "panzhihua-dongqu-kejiju-2025")
    outcome, actions = click(path, "check", tmp_path)
    assert outcome.reads <= MAX_READS and outcome.writes <= MAX_WRITES
    assert (outcome.reads, outcome.writes) == (8, 3)
    passed = "校验通过：未发现错误或提示。可以点击“导出 JSON 和摘要”。"
    assert alerts(actions) == [[passed, "政务公开年报", "ok", "info", ""]]
    assert results(path) == []
    status = sheet_rows(path, TPL.results_sheet)[1][0]
    assert status.startswith("校验完成：攀枝花市东区科学技术局 2025，未发现错误或提示")
    summary = [r[0] for r in sheet_rows(path, TPL.summary_sheet)[TPL.summary_first_row - 1:] if r and r[0]]
    assert any("2025年未收到政府信息公开申请" in p for p in summary)
    assert marked(path) == set()


def test_check_with_broken_inputs_marks_the_cells(tmp_path: Path) -> None:
    path = workbook(tmp_path, "huaian-city-2024")
    set_cells_in(path, {"表三 依申请公开": {"E5": "五十三", "D29": 104}})
    outcome, actions = click(path, "check", tmp_path)
    assert outcome.reads <= MAX_READS and outcome.writes <= MAX_WRITES
    found = {r["key"]: r for r in results(path)}
    assert "V2:requests.new.commercial" in found
    assert found["V2:requests.new.commercial"]["place"] == "表三 依申请公开!E5"
    assert "R1:requests.*.natural_person" in found and found["R1:requests.*.natural_person"]["severity"] == "错误"
    assert {("表三 依申请公开", "E5"), ("表三 依申请公开", "D29"), ("表三 依申请公开", "D5")} <= marked(path)
    assert ("表三 依申请公开", "F5") not in marked(path)
    text = alerts(actions)[0][0]
    assert text.startswith("校验完成：错误") and "已标红" in text
    # a second check after correcting the inputs clears the marks and the old rows
    set_cells_in(path, {"表三 依申请公开": {"E5": 53, "D29": 103}})
    click(path, "check", tmp_path)
    assert results(path) == [] and marked(path) == set()


def set_cells_in(path: Path, edits: dict[str, dict[str, Any]]) -> None:
    """What a clerk types, written into the file between two clicks."""
    path.write_bytes(set_cells(path.read_bytes(), edits))


def test_fill_writes_every_total_and_no_input(tmp_path: Path) -> None:
    path = workbook(tmp_path, "huaian-city-2024")
    blank: dict[str, dict[str, Any]] = {}
    for c in FORM.derived_cells():
        blank.setdefault(c.sheet, {})[c.address] = None
    set_cells_in(path, blank)
    before = read_workbook(path)
    outcome, actions = click(path, "fill", tmp_path)
    assert outcome.reads <= MAX_READS and outcome.writes == FILL_WRITES
    after = read_workbook(path)
    for c in FORM.cells:
        if c.derived:
            assert after.values[c.key] is not None, c.key
        else:
            assert after.values[c.key] == before.values[c.key], c.key
    typed = read_report(REPORTS / "huaian-city-2024.json").report
    assert {k: after.values[k] for k in after.values} == {k: typed.values[k] for k in typed.values}
    assert "已填充 34 个合计单元格" in alerts(actions)[0][0]
    set_actions = [a for a in actions if a["func"] == "setValues"]
    assert len(set_actions) == FILL_WRITES


def test_explained_and_unexplained_hints(tmp_path: Path) -> None:
    path = workbook(tmp_path, "panzhihua-dongqu-kejiju-2025", active__fees__amount=150000)
    outcome, actions = click(path, "export", tmp_path)
    assert outcome.critical and "1 项提示未填写说明" in alerts(actions)[0][0]
    assert not (tmp_path / "out").exists()
    rows = results(path)
    assert [r["key"] for r in rows] == ["V5:active.fees.amount"]
    # the clerk types an explanation next to the finding; the next run reads it back
    row = TPL.results_first_row  # the first (and only) finding's row
    set_cells_in(path, {TPL.results_sheet: {f"{TPL.results_column('explanation').at}{row}": "全区汇总，确为15亿元。"}})
    outcome, actions = click(path, "export", tmp_path)
    assert not outcome.critical, alerts(actions)
    payload = json.loads(outcome.files[0].read_text("utf-8"))
    assert payload["explanations"] == {"V5:active.fees.amount": "全区汇总，确为15亿元。"}
    assert payload["validation"]["ready"] and payload["validation"]["counts"]["explained"] == 1
    assert results(path)[0]["explanation"] == "全区汇总，确为15亿元。"  # written back, not lost


def test_export_writes_payload_and_summary_with_predictable_names(tmp_path: Path) -> None:
    path = workbook(tmp_path, "huaian-city-2024")
    outcome, actions = click(path, "export", tmp_path)
    assert outcome.reads <= MAX_READS and outcome.writes <= MAX_WRITES
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["淮安市人民政府_2024年_年报数据.json", "淮安市人民政府_2024年_摘要.md"]
    assert "已导出到文件夹" in alerts(actions)[0][0]
    md = (tmp_path / "out" / "淮安市人民政府_2024年_摘要.md").read_text("utf-8")
    assert "共收到政府信息公开申请3119件" in md


def test_export_refuses_while_an_error_stands_and_says_which(tmp_path: Path) -> None:
    path = workbook(tmp_path, "huaian-city-2024")
    set_cells_in(path, {"表四 复议诉讼": {"E5": 350}})  # a total typed over by hand
    outcome, actions = click(path, "export", tmp_path)
    assert outcome.critical
    text = alerts(actions)[0][0]
    assert "未导出" in text and "R4 表四“行政复议”" in text
    assert not (tmp_path / "out").exists()


def test_report_button_writes_word_and_html(tmp_path: Path) -> None:
    path = workbook(tmp_path, "huaian-city-2024")
    outcome, actions = click(path, "report", tmp_path)
    assert not outcome.critical, alerts(actions)
    assert outcome.reads <= MAX_READS and outcome.writes <= MAX_WRITES
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    stem = "淮安市人民政府_2024年_政府信息公开工作年度报告"
    assert names == [f"{stem}.docx", f"{stem}.html"]
    assert "已生成年度报告" in alerts(actions)[0][0]


def test_report_button_with_a_soft_line_break_in_the_text(tmp_path: Path) -> None:
    """A Word soft line break pasted into a narrative cell once made 生成年报 fail (the same code as ``report``):
    the check names it (T1), and once explained the report is written with the break as a break."""
    report = read_report(REPORTS / "panzhihua-dongqu-kejiju-2025.json").report
    text = report.narrative["overview"]
    narrative = {**report.narrative, "overview": text[:40] + "\x0b" + text[40:]}
    soft = replace(report, narrative=narrative)
    path = new_workbook(tmp_path / "soft.xlsm", source=soft, today=TODAY)
    outcome, actions = click(path, "report", tmp_path)
    assert outcome.critical and "T1" in alerts(actions)[0][0] and not (tmp_path / "out").exists()
    explained = soft.with_explanations({"T1:section.overview": "Word 的软换行，按换行处理"})
    path = new_workbook(tmp_path / "explained.xlsm", source=explained, today=TODAY)
    outcome, actions = click(path, "report", tmp_path)
    assert not outcome.critical, alerts(actions)
    assert "已生成年度报告" in alerts(actions)[0][0]
    html = next((tmp_path / "out").glob("*.html")).read_text("utf-8")
    assert "\x0b" not in html and text[40:60] in html


def test_report_button_refuses_while_an_error_stands(tmp_path: Path) -> None:
    path = workbook(tmp_path, "huaian-city-2024")
    set_cells_in(path, {"表四 复议诉讼": {"E5": 350}})
    outcome, actions = click(path, "report", tmp_path)
    assert outcome.critical and "R4" in alerts(actions)[0][0] and not (tmp_path / "out").exists()


def test_diagnose_shows_versions_and_log(tmp_path: Path) -> None:
    path = workbook(tmp_path, "panzhihua-dongqu-kejiju-2025")
    outcome, actions = click(path, "diagnose", tmp_path)
    assert (outcome.reads, outcome.writes) == (1, 0)
    text = alerts(actions)[0][0]
    import xlwings

    assert f"xlwings：{xlwings.__version__}" in text and f"模板版本：{TPL.version}" in text
    assert str(tmp_path / "logs") in text and "Python：3." in text


def test_an_altered_workbook_gets_a_chinese_alert_not_a_traceback(tmp_path: Path) -> None:
    path = workbook(tmp_path, "huaian-city-2024")
    set_cells_in(path, {"表三 依申请公开": {"A6": "二、上年结转"}})
    outcome, actions = click(path, "check", tmp_path)
    assert outcome.critical
    text, _, _, mode, _ = alerts(actions)[0]
    assert "表三 依申请公开!A6 应为“二、上年结转政府信息公开申请数量”" in text and mode == "critical"
    assert "Traceback" not in text
    assert not [a for a in actions if a["func"] == "setValues"]  # nothing written


def test_an_unexpected_failure_is_explained_and_logged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = workbook(tmp_path, "panzhihua-dongqu-kejiju-2025")

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr("xl_gongkai.core.rules.check", broken)
    _, actions = click(path, "check", tmp_path)
    text = alerts(actions)[0][0]
    assert "程序内部错误（ZeroDivisionError）" in text and "没有被修改" in text
    log = (tmp_path / "logs" / LOG_NAME).read_text("utf-8")
    assert "Traceback" in log and "ZeroDivisionError: boom" in log


class FakeComSheetApi:
    """A FAKE (named as such): records the COM protection calls the remote engine cannot make."""

    def __init__(self, calls: list[str]) -> None:
        self.calls = calls
        self.ProtectContents = True

    def Unprotect(self) -> None:
        self.calls.append("Unprotect")
        self.ProtectContents = False

    def Protect(self, **kwargs: Any) -> None:
        self.calls.append(f"Protect{sorted(kwargs.items())}")
        self.ProtectContents = True


def test_protected_sheets_are_unprotected_around_writes_and_protected_again() -> None:
    calls: list[str] = []

    class Sheet:
        api = FakeComSheetApi(calls)

    class Book:
        name = "x.xlsm"
        sheets: ClassVar[dict[str, Any]] = {"表三 依申请公开": Sheet()}

        class app:
            class engine:
                name = "excel"

    live = LiveBook(Book(), FORM)
    with pytest.raises(RuntimeError), live.unprotected(["表三 依申请公开"]):
        calls.append("write")
        raise RuntimeError("a write failed")
    assert calls == ["Unprotect", "write",
                     "Protect[('AllowFormattingColumns', True), ('AllowFormattingRows', True), "
                     "('UserInterfaceOnly', True)]"]


def test_the_template_is_protected_and_the_remote_engine_still_writes(tmp_path: Path) -> None:
    """Every sheet the commands write is protected in the file; values land and protection stays."""
    import openpyxl

    path = workbook(tmp_path, "huaian-city-2024")
    click(path, "fill", tmp_path)
    wb = openpyxl.load_workbook(path, keep_vba=True)
    for name in ("表三 依申请公开", "表四 复议诉讼", TPL.results_sheet, TPL.summary_sheet):
        assert wb[name].protection.sheet, name
    assert wb["表三 依申请公开"]["J28"].value == 3050


def test_rectangles_group_derived_cells_into_five_blocks() -> None:
    by_sheet: dict[str, dict[str, Any]] = {}
    for c in FORM.derived_cells():
        by_sheet.setdefault(c.sheet, {})[c.address] = 0
    blocks = {sheet: [o for o, _ in rectangles(cells)] for sheet, cells in by_sheet.items()}
    assert blocks == {"表三 依申请公开": ["D28", "J5"], "表四 复议诉讼": ["E5", "J5", "O5"]}


def test_no_excel_is_explained(tmp_path: Path) -> None:
    """Without Excel (here: Linux; in the field: WPS) a click explains itself instead of failing."""
    env = {"XL_GONGKAI_LOG_DIR": str(tmp_path / "logs"), "PATH": "/usr/bin:/bin",
           **{k: v for k, v in os.environ.items() if k == "PYTHONPATH"}}
    r = subprocess.run([sys.executable, "-c", "import xl_gongkai.excel as gk; gk.check()"], capture_output=True,
                       text=True, encoding="utf-8", env=env, timeout=120)
    assert r.returncode == 0
    assert "未能连接到 Excel" in r.stderr and "WPS" in r.stderr and "Traceback" not in r.stderr
    assert "Traceback" in (tmp_path / "logs" / LOG_NAME).read_text("utf-8")


def test_the_entry_module_imports_light() -> None:
    probe = ("import sys, json, xl_gongkai.excel; "
             "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
             "{'xlwings','pandas','numpy','openpyxl','jsonschema','xlsxwriter'})))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)
    assert json.loads(out.stdout) == []

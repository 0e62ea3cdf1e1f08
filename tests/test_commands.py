"""One path per job: the commands return results, and every front end renders the same result.

The command line's ``check --write`` / ``fill --write`` and the ribbon's 校验 / 填充合计 (through xlwings' remote
engine, on the same real workbook) must leave the same cells; every command checks once; and a workbook
that remembers last year exports a payload that carries the cross-year findings.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from conftest import REPORTS, TODAY, load
from support.remote_book import apply_actions, open_book
from xl_gongkai import excel
from xl_gongkai.adapters.xlsx_cells import set_cells
from xl_gongkai.cli import main
from xl_gongkai.commands.check import run_check
from xl_gongkai.commands.export import run_export
from xl_gongkai.commands.fill import run_fill
from xl_gongkai.commands.importing import run_import
from xl_gongkai.commands.load import open_source
from xl_gongkai.commands.report import run_report
from xl_gongkai.commands.workbook import new_workbook
from xl_gongkai.spec import CellKey, load_form

FORM = load_form()
TPL = FORM.template
DAY = ["--today", TODAY.isoformat()]


@pytest.fixture(autouse=True)
def _log_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XL_GONGKAI_LOG_DIR", str(tmp_path / "logs"))


def all_cells(path: Path) -> dict[str, list[list[Any]]]:
    wb = CalamineWorkbook.from_path(str(path))
    return {name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in wb.sheet_names}


def broken_book(tmp_path: Path, name: str) -> Path:
    """A real filled workbook with a stale total, a text in a number cell, and an explained 提示 typed in."""
    path = new_workbook(tmp_path / name, source=load("huaian-city-2024"), today=TODAY)
    total = FORM.cell(CellKey("requests", "new", "total"))
    text = FORM.cell(CellKey("appeals", "review", "upheld"))
    return _edit(path, {total.sheet: {total.address: 1}, text.sheet: {text.address: "七十二"}})


def _edit(path: Path, edits: dict[str, dict[str, Any]]) -> Path:
    path.write_bytes(set_cells(path.read_bytes(), edits))
    return path


INPUT_SHEETS = set(FORM.input_sheets())


def _changed(before: dict[str, list[list[Any]]], after: dict[str, list[list[Any]]]) -> set[str]:
    return {name for name in after if before.get(name) != after[name]}


@pytest.mark.parametrize("command", ["check", "fill"])
def test_the_command_line_writes_what_the_ribbon_writes(tmp_path: Path, command: str,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    by_cli = broken_book(tmp_path, "cli.xlsm")
    by_ribbon = Path(shutil.copy(by_cli, tmp_path / "ribbon.xlsm"))
    before = all_cells(by_cli)
    code = main([command, str(by_cli), "--write", *DAY])
    capsys.readouterr()
    assert code == 1  # the text in a number cell stands
    book = open_book(by_ribbon)
    excel.run(book, command, out_dir=tmp_path / "out", today=TODAY)
    apply_actions(by_ribbon, book)
    cli_cells, ribbon_cells = all_cells(by_cli), all_cells(by_ribbon)
    assert cli_cells == ribbon_cells
    changed = _changed(before, cli_cells)
    expected = {TPL.results_sheet, TPL.summary_sheet, TPL.flags_sheet}
    if command == "fill":  # the totals: 表三's stale one recomputed, 表四's that cannot be (text) made blank
        expected |= {c.sheet for c in FORM.derived_cells()}
    assert changed == expected
    # the findings are on the results sheet and the offending cells are marked
    results = cli_cells[TPL.results_sheet]
    keys = {row[6] for row in results[TPL.results_first_row - 1:] if len(row) > 6 and row[6]}
    assert "V2:appeals.review.upheld" in keys
    assert (command == "check") == ("R2:requests.new.total" in keys)


def test_check_write_keeps_every_input_and_the_explanations(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = new_workbook(tmp_path / "a.xlsm", source=load("huaian-city-2024"), today=TODAY)
    fee = FORM.cell(CellKey("active", "fees", "amount"))
    _edit(path, {fee.sheet: {fee.address: 123456}})  # a V5 提示
    assert main(["check", str(path), "--write", *DAY]) == 0
    capsys.readouterr()
    rows = all_cells(path)[TPL.results_sheet]
    expl_col = ord(TPL.results_column("explanation").at) - ord("A")
    key_col = ord(TPL.results_column("key").at) - ord("A")
    row = next(i for i, r in enumerate(rows) if len(r) > key_col and r[key_col] == "V5:active.fees.amount")
    _edit(path, {TPL.results_sheet: {f"{TPL.results_column('explanation').at}{row + 1}": "已核实：含代收款项"}})
    before = all_cells(path)
    assert main(["check", str(path), "--write", *DAY]) == 0
    out = capsys.readouterr().out
    after = all_cells(path)
    assert "已说明 1 项" in out and "已核实：含代收款项" in out
    for sheet in INPUT_SHEETS:
        assert after[sheet] == before[sheet], sheet
    again = after[TPL.results_sheet]
    assert again[row][expl_col] == "已核实：含代收款项" and "可以导出" in again[1][0]


def test_write_is_for_workbooks_only(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", str(REPORTS / "huaian-city-2024.json"), "--write"])
    assert code == 2 and "--write 只用于工作簿" in capsys.readouterr().err


def test_every_command_checks_once(tmp_path: Path, checks: list[str]) -> None:
    calls = checks
    book = new_workbook(tmp_path / "a.xlsm", source=load("huaian-city-2024"), today=TODAY)
    src = open_source(book)
    for run in (lambda: run_check(src, today=TODAY, write=True),
                lambda: run_fill(src, write=True, today=TODAY),
                lambda: run_export(src, out=tmp_path / "p.json", summary_path=tmp_path / "s.md", today=TODAY),
                lambda: run_report(src, docx=tmp_path / "r.docx", html=tmp_path / "r.html", today=TODAY),
                lambda: run_import(Path(__file__).parent / "data" / "published" / "19_huaian-city-2024.txt",
                                   today=TODAY)):
        calls.clear()
        run()
        assert len(calls) == 1, calls


def test_a_remembered_year_reaches_the_payload(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``new --previous`` remembers last year; ``export`` then carries the cross-year findings (checked once)."""
    out = tmp_path / "2025.xlsm"
    assert main(["new", "--previous", str(REPORTS / "huaian-city-2024.json"), "-o", str(out), *DAY]) == 0
    cell = FORM.cell(CellKey("requests", "carried_in", "commercial"))
    _edit(out, {cell.sheet: {cell.address: 12345}})  # no longer last year's 结转: X1
    assert main(["export", str(out), "-o", str(tmp_path / "p.json"), "--draft", *DAY]) == 0
    capsys.readouterr()
    doc = json.loads((tmp_path / "p.json").read_text("utf-8"))
    assert any(f["rule"] == "X1" for f in doc["validation"]["findings"])

"""``new --previous``: next year's workbook from last year's report, and cross-year checks it remembers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from conftest import PUBLISHED, REPORTS, TODAY, load
from support.remote_book import apply_actions, open_book
from xl_gongkai import excel
from xl_gongkai.adapters.workbook_read import read_workbook
from xl_gongkai.adapters.xlsx_cells import set_cells
from xl_gongkai.commands.next_year import recall, remembered_in_file
from xl_gongkai.spec import CellKey, load_form

FORM = load_form()
TPL = FORM.template
REQUESTS = FORM.table("requests")


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xl_gongkai", *args, "--today", TODAY.isoformat()],
                          capture_output=True, text=True, encoding="utf-8", timeout=180)


def test_next_year_starts_from_last_year(tmp_path: Path) -> None:
    last = load("huaian-city-2024")
    out = tmp_path / "2025.xlsm"
    r = cli("new", "--previous", str(REPORTS / "huaian-city-2024.json"), "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert "已生成 2025 年度的工作簿" in r.stdout
    new = read_workbook(out)
    for key in ("agency", "credit_code", "region", "preparer", "reviewer"):
        assert new.metadata.get(key) == last.metadata.get(key), key
    assert new.metadata["year"] == 2025
    # dates go into the workbook as ISO text, as `new --from` writes them
    assert (new.metadata["period_start"], new.metadata["period_end"]) == ("2025-01-01", "2025-12-31")
    for col in REQUESTS.columns:
        carried_in = new.values[CellKey("requests", "carried_in", col.key)]
        assert carried_in == last.values[CellKey("requests", "carried_out", col.key)], col.key
    typed = {k for k, v in new.values.items() if v is not None and not FORM.cell(k).derived}
    assert typed == {CellKey("requests", "carried_in", c.key) for c in REQUESTS.columns if not c.sum_of}
    assert new.narrative == {}
    # last year's in-force counts beside 表二, for reference (outside the table, not read as this year's)
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name(FORM.table("active").sheet).to_python()
    shown = [row[5] for row in rows if len(row) > 5 and row[5] != ""]
    assert shown[0] == "上年现行有效件数（2024年，供参考）"
    assert shown[1:] == [last.values[CellKey("active", r, "in_force")] for r in ("rules", "normative_docs")]


def test_last_years_narrative_only_when_asked(tmp_path: Path) -> None:
    source = REPORTS / "panzhihua-dongqu-kejiju-2025.json"  # with its published narrative
    last = load("panzhihua-dongqu-kejiju-2025")
    assert last.narrative
    r = cli("new", "--previous", str(source), "--narrative", "-o", str(tmp_path / "2026.xlsm"))
    assert r.returncode == 0, r.stderr
    in_template = {s.key for s in FORM.sections if s.text_cell}  # the workbook has cells for these sections only
    expected = {k: v for k, v in last.narrative.items() if k in in_template}
    assert len(expected) >= 3 and read_workbook(tmp_path / "2026.xlsm").narrative == expected
    assert cli("new", "--agency", "x", "--year", "2025", "--narrative", "-o", str(tmp_path / "x.xlsm")).returncode == 2


def test_from_a_published_report_and_from_a_workbook(tmp_path: Path) -> None:
    r = cli("new", "--previous", str(PUBLISHED / "00_panzhihua-dongqu-kejiju-2025.txt"), "-o", str(tmp_path / "a.xlsm"))
    assert r.returncode == 0, r.stderr
    assert read_workbook(tmp_path / "a.xlsm").metadata["year"] == 2026
    r = cli("new", "--previous", str(tmp_path / "a.xlsm"), "-o", str(tmp_path / "b.xlsm"))
    assert r.returncode == 0, r.stderr
    b = read_workbook(tmp_path / "b.xlsm")
    assert b.metadata["year"] == 2027 and b.agency == "攀枝花市东区科学技术局"
    assert remembered_in_file(tmp_path / "b.xlsm", FORM).year == 2026


def test_the_cross_year_checks_run_without_previous(tmp_path: Path) -> None:
    out = tmp_path / "2025.xlsm"
    cli("new", "--previous", str(REPORTS / "huaian-city-2024.json"), "-o", str(out))
    cell = FORM.cell(CellKey("requests", "carried_in", "natural_person"))
    out.write_bytes(set_cells(out.read_bytes(), {cell.sheet: {cell.address: 999}}))
    remembered = cli("check", str(out))
    explicit = cli("check", str(out), "--previous", str(REPORTS / "huaian-city-2024.json"))
    x1 = [line for line in remembered.stdout.splitlines() if "X1" in line]
    assert x1 and "自然人" in x1[0] and "999" in x1[0]
    assert x1 == [line for line in explicit.stdout.splitlines() if "X1" in line]
    plain = tmp_path / "plain.xlsm"
    cli("new", "--from", str(REPORTS / "huaian-city-2024.json"), "-o", str(plain))
    assert remembered_in_file(plain, FORM) is None and "X1" not in cli("check", str(plain)).stdout


def test_the_ribbon_check_uses_what_the_workbook_remembers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XL_GONGKAI_LOG_DIR", str(tmp_path / "logs"))
    out = tmp_path / "2025.xlsm"
    cli("new", "--previous", str(REPORTS / "huaian-city-2024.json"), "-o", str(out))
    cell = FORM.cell(CellKey("requests", "carried_in", "commercial"))
    out.write_bytes(set_cells(out.read_bytes(), {cell.sheet: {cell.address: 12345}}))
    book = open_book(out)
    outcome = excel.run(book, "check", out_dir=tmp_path / "o", today=TODAY)
    assert (outcome.reads, outcome.writes) == (8, 3)  # remembering costs no extra read
    apply_actions(out, book)
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name(TPL.results_sheet).to_python()
    keys = [row[6] for row in rows[TPL.results_first_row - 1:] if len(row) > 6 and row[6]]
    assert any(k.startswith("X1:") for k in keys), keys


def test_recall_ignores_what_is_not_ours() -> None:
    assert recall(None) is None and recall("") is None and recall("{not json") is None
    assert recall('{"v": 99, "form": "gov-2021", "values": {}}') is None

"""Audit of a folder and consolidation of a region's reports, on real reports and workbooks."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from conftest import REPORTS, TODAY, load
from xl_gongkai.adapters.workbook_read import read_workbook
from xl_gongkai.commands.audit import run_audit
from xl_gongkai.commands.consolidate import consolidate
from xl_gongkai.commands.workbook import new_workbook
from xl_gongkai.spec import CellKey, load_form

FORM = load_form()


def write_json(path: Path, doc: dict[str, Any]) -> Path:
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    return path


def doc(name: str) -> dict[str, Any]:
    return json.loads((REPORTS / f"{name}.json").read_text("utf-8"))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "reports"
    d.mkdir()
    new_workbook(d / "淮安.xlsm", source=load("huaian-city-2024"), today=TODAY)
    write_json(d / "宿迁2023.json", doc("suqian-city-2023"))
    nxt = doc("suqian-city-2023")
    nxt["metadata"]["year"] = 2024
    nxt["metadata"]["period_start"], nxt["metadata"]["period_end"] = "2024-01-01", "2024-12-31"
    write_json(d / "宿迁2024.json", nxt)  # 上年结转 not carried forward: X1 against 2023
    bad = doc("panzhihua-dongqu-kejiju-2025")
    bad["metadata"]["agency"] = "=HYPERLINK(\"http://x\",\"点我\")"
    bad["values"]["requests"]["new"]["natural_person"] = 2
    write_json(d / "攀枝花.json", bad)
    (d / "坏文件.xlsm").write_bytes(b"PK\x03\x04 not really a zip")
    (d / "~$淮安.xlsm").write_bytes(b"lock file")
    return d


def test_audit_collects_every_file_and_never_stops(folder: Path) -> None:
    result = run_audit(folder, jobs=1, today=TODAY)
    files = {r["file"]: r for r in result.files}
    assert set(files) == {"淮安.xlsm", "宿迁2023.json", "宿迁2024.json", "攀枝花.json", "坏文件.xlsm", "~$淮安.xlsm"}
    assert files["淮安.xlsm"]["passed"] == "是" and files["淮安.xlsm"]["kind"] == "工作簿"
    assert files["淮安.xlsm"]["format"] == "2021年格式"
    assert files["坏文件.xlsm"]["passed"] == "否" and "不是可读取的 Excel 工作簿" in files["坏文件.xlsm"]["note"]
    assert files["~$淮安.xlsm"]["status"] == "已跳过" and "锁定文件" in files["~$淮安.xlsm"]["note"]
    rules = {(f["file"], f["rule"]) for f in result.findings}
    assert ("坏文件.xlsm", "F1") in rules
    assert ("攀枝花.json", "R1") in rules and ("攀枝花.json", "R2") in rules
    x1 = [f for f in result.findings if f["file"] == "宿迁2024.json" and f["rule"] == "X1"]
    assert x1 and "上年报告：宿迁2023.json" in x1[0]["message"]
    assert files["宿迁2024.json"]["previous"] == "宿迁2023.json"
    assert result.has_errors


def test_audit_in_parallel_gives_the_same_result(folder: Path) -> None:
    for i in range(6):  # enough files for the process pool
        write_json(folder / f"copy{i}.json", doc("huaian-city-2024"))
    serial = run_audit(folder, jobs=1, today=TODAY)
    parallel = run_audit(folder, jobs=2, today=TODAY)
    assert serial.findings == parallel.findings and serial.files == parallel.files


def test_audit_cli_writes_xlsx_and_csv_without_formulas(folder: Path, tmp_path: Path) -> None:
    out, out_csv = tmp_path / "结果.xlsx", tmp_path / "问题.csv"
    r = subprocess.run([sys.executable, "-m", "xl_gongkai", "audit", str(folder), "-o", str(out), "--csv",
                        str(out_csv), "--today", TODAY.isoformat()], capture_output=True, text=True, timeout=300)
    assert r.returncode == 1, r.stderr
    assert "审核中 [" in r.stderr and "共 6 个文件：审核 4 份报告" in r.stdout and "1 个文件无法读取" in r.stdout
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["概览", "问题清单", "报告清单", "数据", "质量", "模板信息"]
    assert wb["模板信息"].sheet_state == "hidden"
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    agency = [c.value for c in cells if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert agency and all(v.startswith("'=") for v in agency)
    text = out_csv.read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, so Excel reads the Chinese
    rows = list(csv.reader(text.decode("utf-8-sig").splitlines()))
    assert rows[0][:4] == ["文件", "机关", "年度", "规则"]
    assert not any(cell.startswith("=") for row in rows for cell in row)
    assert (tmp_path / "问题_报告清单.csv").exists()


def test_consolidation_adds_up_the_valid_reports_of_one_year(tmp_path: Path) -> None:
    d = tmp_path / "region"
    d.mkdir()
    a = doc("huaian-city-2024")
    b = doc("huaian-city-2024")
    b["metadata"]["agency"] = "淮安市某局"
    write_json(d / "a.json", a)
    write_json(d / "b.json", b)
    write_json(d / "old.json", doc("suqian-city-2023"))  # another year: left out
    broken = doc("huaian-city-2024")
    broken["metadata"]["agency"] = "淮安市另一局"
    broken["values"]["appeals"]["review"]["total"] = 1
    write_json(d / "broken.json", broken)  # an 错误: left out
    out = tmp_path / "汇总.xlsm"
    result = consolidate(d, agency="淮安市（汇总）", out=out, year=2024, today=TODAY)
    # the sums are clean; the regional report's own narrative is still to be written: 待填写, not 错误
    assert result.included == 2 and result.validation.errors == []
    assert {f.key for f in result.validation.pending} == {"S1:section.overview", "S1:section.problems",
                                                          "S1:section.other"}
    out.write_bytes(result.output)
    report = read_workbook(out)
    for cell in FORM.cells:
        single = load("huaian-city-2024").values[cell.key]
        assert report.values[cell.key] == pytest.approx(2 * single), cell.key
    assert report.value(CellKey("requests", "new", "total")) == 2 * 3119
    assert report.metadata["agency"] == "淮安市（汇总）" and report.metadata["year"] == 2024
    ws = openpyxl.load_workbook(out)["汇总来源"]
    header = [c.value for c in ws[3]]
    col = {label: i + 1 for i, label in enumerate(header)}
    status = {ws.cell(r, col["文件"]).value: (ws.cell(r, col["状态"]).value, ws.cell(r, col["说明"]).value)
              for r in range(4, 8)}
    assert status["a.json"][0] == status["b.json"][0] == "已汇总"
    assert status["old.json"][0] == "未汇总" and "年度为2023" in status["old.json"][1]
    assert status["broken.json"][0] == "未汇总" and "R4" in status["broken.json"][1]

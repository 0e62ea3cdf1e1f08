"""The Python API (docs/api.md): its examples run as written, on a generated province's folder; the pandas frames
in an analyst's own environment (the install with the ``analysis`` extra, ``.venv-analysis``) over real
published reports' payloads; and in a clerk's install (no pandas) the module imports and the frames say which
extra to install.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from conftest import PUBLISHED, REPORTS, TODAY, load
from support.province import AGENCIES, YEARS, build_province, new_total
from xl_gongkai import api
from xl_gongkai.commands.importing import run_import
from xl_gongkai.fileio import write_all

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "api.md"
ANALYSIS_PYTHON = ROOT / ".venv-analysis" / "bin" / "python"
CLERK_PYTHON = ROOT / ".venv-clerk" / "bin" / "python"


def _environment(python: Path, target: str) -> Path:
    if not python.exists():
        subprocess.run(["make", "-s", target], cwd=ROOT, check=True, timeout=900)
    assert python.exists(), f"the environment is missing: run `make {target}`"
    return python


def _blocks() -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", DOC.read_text("utf-8"), re.S | re.M)


def test_the_examples_of_the_api_page_run_and_give_the_right_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    root = build_province(tmp_path)
    monkeypatch.chdir(tmp_path)
    blocks = _blocks()
    assert len(blocks) >= 8
    space: dict[str, Any] = {}
    for i, block in enumerate(blocks):
        exec(compile(block, f"docs/api.md, example {i + 1}", "exec"), space)  # the page's own code, as written
    shown = capsys.readouterr().out
    assert "甲市教育局 2024" in shown and "文件不存在" in shown
    assert "共 16 个文件：审核 16 份报告（15 份无错误，1 份有错误）" in shown
    # the worked example: 新收 by agency and year, the report with an 错误 left out, the one sent twice once
    figures = new_total(root)
    wrong = (AGENCIES[0], 2025)
    table = space["table"]
    for agency in AGENCIES:
        for year in YEARS:
            got = table.loc[agency, year]
            if (agency, year) == wrong:
                assert math.isnan(got)
            else:
                assert got == figures[(agency, year)]
        a, b = figures[(agency, 2023)], figures[(agency, 2024)]
        assert table.loc[agency, "2024年比2023年增减"] == b - a
        assert table.loc[agency, "2024年比2023年增减率"] == pytest.approx((b - a) / a)
    with zipfile.ZipFile(tmp_path / "本年新收对比.xlsx") as z:
        chart = z.read("xl/charts/chart1.xml").decode()
    assert chart.count("<c:ser>") == len(YEARS) and "<c:barChart>" in chart
    assert (tmp_path / "审核结果.xlsx").is_file()


def test_values_and_check_return_what_the_commands_return(tmp_path: Path) -> None:
    doc = json.loads((REPORTS / "huaian-city-2024.json").read_text("utf-8"))
    listed = api.values(load("huaian-city-2024"))
    given = {(t, r, c): v for t, rows in doc["values"].items() for r, cols in rows.items() for c, v in cols.items()
             if v is not None}
    assert {(v.table, v.row, v.column): v.value for v in listed} == given
    assert listed[0].label.startswith("表二 ") and all(v.text is None for v in listed)
    checked = api.check(REPORTS / "suqian-city-2023.json", today=TODAY)
    assert checked.source.kind == "report-json" and not checked.validation.valid
    assert all(f.message.startswith(f.rule) for f in checked.validation.findings)
    with pytest.raises(api.InputError, match="文件不存在"):
        api.read(tmp_path / "没有.json")


def test_the_frames_take_an_audit_result_and_leave_it_open(tmp_path: Path) -> None:
    root = build_province(tmp_path)
    with api.audit(root, jobs=1, today=TODAY) as result:
        values = api.values_frame(result)
        findings = api.findings_frame(result)
        assert len(findings) == result.finding_count  # still open: read again
    assert list(values.columns) == list(api.VALUE_COLUMNS)
    assert set(values["source"]) == {str(p.relative_to(root)) for p in root.rglob("*.json")}
    assert list(findings.columns)[:4] == ["source", "agency", "year", "rule"]
    one = api.values_frame([root / "2023" / f"{AGENCIES[0]}.json"], jobs=1, today=TODAY)
    assert set(one["source"]) == {f"{AGENCIES[0]}.json"} and len(one) == 200


ANALYST = """
import json, math, sys
from xl_gongkai import api
frame = api.values_frame(sys.argv[1])
out = {"columns": list(frame.columns), "pandas": __import__("pandas").__version__,
       "pytest": __import__("importlib.util").util.find_spec("pytest") is not None,
       "rows": {s: int(n) for s, n in frame.groupby("source").size().items()},
       "sums": {s: math.fsum(g["value"].dropna()) for s, g in frame.groupby("source")},
       "texts": {s: int(g["text"].notna().sum()) for s, g in frame.groupby("source")}}
print(json.dumps(out, ensure_ascii=False))
"""


def test_values_frame_in_the_analysts_environment_over_real_reports(tmp_path: Path) -> None:
    """Payloads of the real published reports, read back with pandas where an analyst has it: one row per cell
    the report prints, and per report the sum of its values, both counted here from the JSON."""
    python = _environment(ANALYSIS_PYTHON, "analysis-venv")
    folder = tmp_path / "数据包"
    folder.mkdir()
    for path in sorted(PUBLISHED.iterdir()):
        write_all(run_import(path, out=folder / f"{path.stem}.json", today=TODAY).outputs)
    r = subprocess.run([str(python), "-c", ANALYST, str(folder)], capture_output=True, text=True, encoding="utf-8",
                       timeout=600)
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout.strip().splitlines()[-1])
    assert got["columns"] == list(api.VALUE_COLUMNS) and not got["pytest"]  # the analyst's install, not ours
    seen = 0
    for path in folder.iterdir():
        doc = json.loads(path.read_text("utf-8"))
        held = [v for rows in doc["values"].values() for cols in rows.values() for v in cols.values()]
        printed = [v for v in held if v is not None]
        numbers = [v for v in printed if isinstance(v, (int, float))]
        assert got["rows"].get(path.name, 0) == len(printed), path.name  # an excerpt without tables has none
        assert got["sums"].get(path.name, 0) == math.fsum(numbers), path.name
        assert got["texts"].get(path.name, 0) == len(printed) - len(numbers)
        seen += len(printed)
    assert sum(got["rows"].values()) == seen > 900


CLERK = """
import sys
import xl_gongkai.api as api
print(api.read(sys.argv[1]).report.agency)
try:
    api.values_frame(sys.argv[1])
except ImportError as exc:
    print(exc)
heavy = sorted(m for m in sys.modules if m.split(".")[0] in {"numpy", "pandas"})
print(heavy)
"""


def test_without_the_extra_the_api_imports_and_the_frames_name_the_extra() -> None:
    python = _environment(CLERK_PYTHON, "clerk-venv")
    r = subprocess.run([str(python), "-c", CLERK, str(REPORTS / "huaian-city-2024.json")], capture_output=True,
                       text=True, encoding="utf-8", timeout=300)
    assert r.returncode == 0, r.stderr
    agency, message, heavy = r.stdout.strip().splitlines()
    assert agency == "淮安市人民政府" and heavy == "[]"
    assert message.startswith("values_frame 需要 pandas") and 'pip install "xl-gongkai[analysis]"' in message

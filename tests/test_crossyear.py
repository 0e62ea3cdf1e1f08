"""Cross-year rules: this year's report against last year's, on the 宿迁 figures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import REPORTS, TODAY, load
from xl_gongkai.core.report import Report
from xl_gongkai.core.rules import check
from xl_gongkai.spec import CellKey

CROSS = {"X0", "X1", "X2", "X3"}


@pytest.fixture
def suqian_2023() -> Report:
    return load("suqian-city-2023")


def next_year(prev: Report, **cells: Any) -> Report:
    """A 2024 report built from 2023's: what 宿迁's 2024 report states for the cross-year cells.

    宿迁 2024 (published): 上年结转 = 2023's 结转下年度 (121 in total); 规章 制发2 废止1 现行有效12;
    行政规范性文件 制发50 废止227 现行有效420; 行政事业性收费 72701.2578 万元.
    """
    values = dict(prev.values)
    for col in prev.form.table("requests").columns:
        values[CellKey("requests", "carried_in", col.key)] = prev.values[CellKey("requests", "carried_out", col.key)]
    values.update({
        CellKey("active", "rules", "issued"): 2, CellKey("active", "rules", "repealed"): 1,
        CellKey("active", "rules", "in_force"): 12,
        CellKey("active", "normative_docs", "issued"): 50, CellKey("active", "normative_docs", "repealed"): 227,
        CellKey("active", "normative_docs", "in_force"): 420, CellKey("active", "fees", "amount"): 72701.2578,
    })
    values.update({CellKey.parse(k.replace("__", ".")): v for k, v in cells.items()})
    return Report(prev.form, {**prev.metadata, "year": 2024}, values)


def cross(report: Report, previous: Report) -> dict[str, Any]:
    return {f.key: f for f in check(report, today=TODAY, previous=previous).findings if f.rule in CROSS}


def test_consistent_years_raise_nothing(suqian_2023: Report) -> None:
    assert cross(next_year(suqian_2023), suqian_2023) == {}


def test_no_previous_no_cross_year_findings(suqian_2023: Report) -> None:
    assert not [f for f in check(next_year(suqian_2023), today=TODAY).findings if f.rule in CROSS]


def test_x1_carried_over_column_by_column(suqian_2023: Report) -> None:
    found = cross(next_year(suqian_2023, requests__carried_in__commercial=2), suqian_2023)
    assert set(found) == {"X1:requests.carried_in.commercial"}
    f = found["X1:requests.carried_in.commercial"]
    assert f.severity == "错误" and f.values == {"left": 2, "right": 3, "diff": -1}
    assert f.place.a1() == "'表三 依申请公开'!E6"


def test_x2_documents_in_force(suqian_2023: Report) -> None:
    found = cross(next_year(suqian_2023, active__normative_docs__in_force=400), suqian_2023)
    f = found["X2:active.normative_docs.in_force"]
    assert f.severity == "提示" and f.values == {"left": 400, "right": 597 + 50 - 227, "diff": -20}


def test_x3_a_fee_typed_in_yuan_jumps_ten_thousandfold(suqian_2023: Report) -> None:
    found = cross(next_year(suqian_2023, active__fees__amount=727012578), suqian_2023)
    f = found["X3:active.fees.amount"]
    assert f.severity == "提示" and f"相差{round(727012578 / 59237.2449, 1)}倍" in f.message


def test_x0_previous_of_the_wrong_year(suqian_2023: Report) -> None:
    this = Report(suqian_2023.form, {**suqian_2023.metadata, "year": 2025}, next_year(suqian_2023).values)
    assert set(cross(this, suqian_2023)) == {"X0:previous"}


def test_cli_previous(tmp_path: Path) -> None:
    doc = json.loads((REPORTS / "suqian-city-2023.json").read_text("utf-8"))
    doc["metadata"]["year"] = 2024
    doc["values"]["requests"]["carried_in"] = doc["values"]["requests"]["carried_out"]
    p = tmp_path / "2024.json"
    p.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    r = subprocess.run([sys.executable, "-m", "xl_gongkai", "check", str(p), "--previous",
                        str(REPORTS / "suqian-city-2023.json"), "--format", "json", "--today", TODAY.isoformat()],
                       capture_output=True, text=True, timeout=120)
    rules = {f["rule"] for f in json.loads(r.stdout)["validation"]["findings"]}
    assert "X1" not in rules and "X2" in rules  # in-force counts were not carried forward in this edit


def test_two_reports_of_the_2019_format_are_compared_without_x2() -> None:
    """X2 applies to the 2021 format only (the 2019 format has no 现行有效 column): on a pair of 2019-format
    reports it used to end in “规则无法执行”; now the catalogue says where it applies."""
    from dataclasses import replace

    from conftest import PUBLISHED
    from xl_gongkai.adapters.published import import_report

    before = import_report(next(PUBLISHED.glob("07_*.txt"))).report
    assert before.form.id == "gov-2019" and before.year is not None
    after = replace(before, metadata={**before.metadata, "year": before.year + 1})
    findings = check(after, today=TODAY, previous=before).findings
    assert {f.rule for f in findings} >= {"X1"}  # the cross-year rules ran (this report has blank rows)
    assert not [f for f in findings if f.rule == "X2" or "无法执行" in f.message]


def test_fill_keeps_the_cross_year_findings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`fill --write --previous`: the check it writes into 校验结果 is the whole check, last year included,
    as `check --previous` gives it (filling the totals does not make a cross-year 错误 go away)."""
    from python_calamine import CalamineWorkbook

    from support.cli_run import run
    from xl_gongkai.spec import load_form

    last = REPORTS / "suqian-city-2023.json"
    assert run(capsys, "new", "--from", REPORTS / "huaian-city-2024.json", "-o", tmp_path / "b.xlsm")[0] == 0
    code, out, _ = run(capsys, "fill", tmp_path / "b.xlsm", "-o", tmp_path / "f.xlsm", "--write", "--previous", last,
                       "--today", TODAY.isoformat())
    assert code == 1 and "X1 表三" in out
    _, shown, _ = run(capsys, "check", tmp_path / "f.xlsm", "--previous", last, "--format", "json",
                      "--today", TODAY.isoformat())
    expected = [f["message"] for f in json.loads(shown)["validation"]["findings"]]
    assert {m.split()[0] for m in expected} == {"X1", "X2", "X4"}  # X4: 宿迁's report is another agency's
    sheet = CalamineWorkbook.from_path(str(tmp_path / "f.xlsm")).get_sheet_by_name(load_form().template.results_sheet)
    written = [str(v) for row in sheet.to_python() for v in row]
    assert all(m in written for m in expected)

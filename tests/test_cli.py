"""The command line, run as a user runs it (a real subprocess): output, formats and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPORTS
from xl_gongkai.core import payload


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xl_gongkai", *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


def test_check_clean_report_exits_0() -> None:
    r = run("check", str(REPORTS / "huaian-city-2024.json"))
    assert r.returncode == 0, r.stderr
    assert "淮安市人民政府 2024年度" in r.stdout and "校验通过" in r.stdout


def test_check_with_errors_exits_1_and_lists_every_finding(tmp_path: Path) -> None:
    doc = json.loads((REPORTS / "huaian-city-2024.json").read_text("utf-8"))
    doc["values"]["requests"]["new"]["natural_person"] = 3000
    doc["values"]["appeals"]["review"]["upheld"] = "七十二"
    p = tmp_path / "bad.json"
    p.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    r = run("check", str(p))
    assert r.returncode == 1
    assert "[错误] R1 表三“自然人”列勾稽关系不成立" in r.stdout
    assert "（位置：'表三 依申请公开'!D29）" in r.stdout
    assert "V2" in r.stdout and "七十二" in r.stdout
    j = run("check", str(p), "--format", "json")
    assert j.returncode == 1
    out = json.loads(j.stdout)
    assert out["validation"]["valid"] is False
    assert {f["rule"] for f in out["validation"]["findings"]} >= {"R1", "R2", "R4", "V2"}


def test_unreadable_input_exits_2_with_a_chinese_message(tmp_path: Path) -> None:
    p = tmp_path / "broken.json"
    p.write_text("[1, 2", "utf-8")
    r = run("check", str(p))
    assert r.returncode == 2 and "JSON 格式错误" in r.stderr and "Traceback" not in r.stderr
    r = run("check", str(tmp_path / "missing.json"))
    assert r.returncode == 2 and "文件不存在" in r.stderr


def test_summary_formats() -> None:
    r = run("summary", str(REPORTS / "panzhihua-dongqu-kejiju-2025.json"))
    assert r.returncode == 0 and "未收到政府信息公开申请" in r.stdout
    m = run("summary", str(REPORTS / "huaian-city-2024.json"), "--format", "markdown")
    assert m.stdout.startswith("# 淮安市人民政府2024年") and "## 收到和处理政府信息公开申请情况" in m.stdout
    j = json.loads(run("summary", str(REPORTS / "huaian-city-2024.json"), "--format", "json").stdout)
    assert set(j["paragraphs"]) == {"active", "requests", "appeals"}


def test_schema_prints_the_shipped_schema() -> None:
    r = run("schema")
    assert r.returncode == 0 and json.loads(r.stdout) == payload.schema()


def test_a_defect_is_a_sentence_for_the_clerk_and_a_traceback_in_the_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from xl_gongkai import cli

    monkeypatch.setenv("XL_GONGKAI_LOG_DIR", str(tmp_path))

    def broken(_args: object) -> int:
        raise KeyError("boom")

    monkeypatch.setattr(cli, "cmd_summary", broken)
    assert cli.main(["summary", str(REPORTS / "huaian-city-2024.json")]) == 3
    err = capsys.readouterr().err
    assert "程序内部错误（KeyError）" in err and "Traceback" not in err and str(tmp_path) in err
    assert "KeyError: 'boom'" in (tmp_path / "xl_gongkai.log").read_text("utf-8")


def test_summary_of_a_2019_format_report() -> None:
    r = run("summary", str(REPORTS.parent / "published" / "21_tongzhou-xinfangban-2019-addedrows.txt"))
    assert r.returncode == 0 and "2019年试行" not in r.stderr
    assert r.stdout.splitlines()[0].startswith("（本报告采用中华人民共和国政府信息公开工作年度报告格式（试行）")

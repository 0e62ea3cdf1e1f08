"""What the importer could not read is 待核对: no 错误 of the agency, but nothing is built on it.

A published report whose row the importer cannot read with certainty (here table 二's ``行政规范性文件6045``:
three cells glued together that split as 6 | 0 | 45 or 60 | 4 | 5, and table 二 has no identity to decide) is
not wrong: the agency printed its numbers, a crawler glued them. The finding says 待核对 — and, as an 错误
would, it makes the report not valid (exit 1), keeps it out of a 汇总 (a blank would be summed as 0), marks it
未通过 in the audit and blocks the export.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import DATA, TODAY
from xl_gongkai.adapters.published import import_text
from xl_gongkai.commands.audit import run_audit
from xl_gongkai.commands.consolidate import consolidate
from xl_gongkai.commands.export import run_export
from xl_gongkai.commands.load import open_source
from xl_gongkai.core.rules import check
from xl_gongkai.render import Refusal, totals_line
from xl_gongkai.spec import Severity

PAGE = (DATA / "causes" / "21_page_on_one_line.txt").read_text("utf-8")  # a whole report, read without a doubt
AMBIGUOUS = PAGE.replace("某县市场监督管理局", "某县交通运输局").replace("行政规范性文件0011", "行政规范性文件6045")


def test_an_unread_row_is_to_check_not_an_error() -> None:
    r = import_text(AMBIGUOUS)
    v = check(r.report, today=TODAY)
    shown = [f for f in (*r.findings, *v.findings) if f.severity is not Severity.WARNING]
    assert sorted(f.rule for f in shown) == ["I1", "I8"]
    assert all(f.severity is Severity.UNREAD for f in shown)
    assert v.errors == [] and [f.rule for f in v.unread] == ["I8"]
    assert not v.valid and v.exit_code == 1 and not v.ready
    assert v.counts()["to_check"] == 1 and "待核对 1 处" in totals_line(v)
    clean = check(import_text(PAGE).report, today=TODAY)
    assert clean.valid and "to_check" not in clean.counts()


def test_the_export_is_refused_while_a_cell_is_to_check() -> None:
    v = check(import_text(AMBIGUOUS).report, today=TODAY)
    refusal = Refusal.of(v)
    assert refusal is not None
    text = refusal.text()
    assert "1 处待核对" in text and "错误" not in text.split("\n")[0]
    assert "对照原文填写导入时未能读取的单元格、核对找不到的表或部分" in text


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    inbox = tmp_path / "收件"
    inbox.mkdir()
    (inbox / "a.txt").write_text(PAGE, "utf-8")
    (inbox / "b.txt").write_text(AMBIGUOUS, "utf-8")
    return inbox


def test_a_report_with_cells_to_check_is_not_summed(folder: Path) -> None:
    done = consolidate(folder, agency="某县人民政府", out=None, today=TODAY)
    assert done.included == 1
    (left,) = done.left_out()
    assert left["file"] == "b.txt" and "待核对" in left["reason"] and "请对照原文填写后再汇总" in left["reason"]


def test_the_audit_counts_it_apart(folder: Path) -> None:
    with run_audit(folder, jobs=1, today=TODAY) as result:
        rows = {row["file"]: row for row, _ in result.rows()}
        totals = dict(result.totals())
        assert result.exit_code == 1
        assert "（1 份无错误，0 份有错误，1 份待核对）" in result.totals_line()
    ok, unread = rows["a.txt"], rows["b.txt"]
    assert ok["passed"] == "是" and unread["passed"] == "否" and unread["ready"] == "否"
    assert unread["errors"] == 0 and "待核对 2 处" in unread["note"]
    assert totals["无错误的报告"] == 1 and totals["有错误的报告"] == 0
    assert totals["待核对的报告（导入时有未能读取的单元格或找不到的表、部分）"] == 1


def test_export_refuses_the_payload_of_such_an_import(tmp_path: Path) -> None:
    """The refusal the command carries, as every front end shows it."""
    src = tmp_path / "b.txt"
    src.write_text(AMBIGUOUS, "utf-8")
    done = run_export(open_source(src), out=tmp_path / "b.json", today=TODAY)
    assert done.refusal is not None and "待核对" in done.refusal.text() and done.doc is None

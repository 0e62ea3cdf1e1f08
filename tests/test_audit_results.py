"""The audit's results workbook: what an office reads (front sheet, charts, links, filters), streamed to disk,
continuing past Excel's 1 048 576 rows, and opened by LibreOffice.
"""

from __future__ import annotations

import json
import re
import zipfile
import zlib
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from conftest import REPORTS, TODAY, load
from support.libreoffice import inspect_workbook
from xl_gongkai.adapters.audit_files import (
    EXCEL_LINKS,
    EXCEL_ROWS,
    FileRows,
    Rendered,
    ResultsWorkbook,
    Start,
    advance,
    render,
)
from xl_gongkai.adapters.package_zip import crc32_combine
from xl_gongkai.commands.audit import FILE_COLUMNS, FINDING_COLUMNS, planned_outputs, run_audit
from xl_gongkai.commands.workbook import new_workbook
from xl_gongkai.fileio import Output, write_all


def write_json(path: Path, doc: dict[str, Any]) -> Path:
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "收件"
    d.mkdir()
    new_workbook(d / "淮安.xlsm", source=load("huaian-city-2024"), today=TODAY)
    for i, fix in enumerate([{"natural_person": 3000}, {"research": "不详"}, {}]):
        doc = json.loads((REPORTS / "huaian-city-2024.json").read_text("utf-8"))
        doc["metadata"]["agency"] = f"某局{i}"
        doc["values"]["requests"]["new"].update(fix)
        write_json(d / f"某局{i}.json", doc)
    (d / "某局.docx").write_bytes(b"not ours")
    return d


def test_the_results_workbook_has_a_front_sheet_charts_and_links(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "审核结果.xlsx"
    with run_audit(folder, jobs=1, today=TODAY) as result:
        write_all(planned_outputs(result, out, None))
        expected_findings = len(result.findings)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:3] == ["概览", "问题清单", "报告清单"]
    front = [[c.value for c in row] for row in wb["概览"].iter_rows()]
    totals = {r[0]: r[1] for r in front if r and r[0] and isinstance(r[1], int)}
    assert totals["文件"] == 5 and totals["审核的报告"] == 4 and totals["有错误的报告"] == 2
    assert totals["无法读取的文件"] == 1 and totals["问题"] == expected_findings
    assert ["出现最多的规则", "项数"] in [r[:2] for r in front]
    # native charts, one per list, anchored on the front sheet
    with zipfile.ZipFile(out) as z:
        charts = [n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
        assert len(charts) == 2 and "<c:barChart>" in z.read(charts[0]).decode()
    findings = wb["问题清单"]
    assert findings.freeze_panes == "A2" and findings.auto_filter.ref == f"A1:L{findings.max_row}"
    header = [c.value for c in findings[1]]
    assert header == [label for _, label in FINDING_COLUMNS]
    files_rows = {r[0].value: r[0].row for r in wb["报告清单"].iter_rows(min_row=2)}
    link = next(r[0] for r in findings.iter_rows(min_row=2) if r[0].value == "某局0.json")
    assert link.hyperlink is not None and link.hyperlink.location == f"'报告清单'!A{files_rows['某局0.json']}"
    assert wb["报告清单"]["A1"].value == "文件" and wb["模板信息"].sheet_state == "hidden"


def test_libreoffice_opens_the_results_workbook(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "审核结果.xlsx"
    with run_audit(folder, jobs=1, today=TODAY) as result:
        write_all(planned_outputs(result, out, None))
    view = inspect_workbook(out)
    names = [s["name"] for s in view["sheets"]]
    assert names == ["概览", "问题清单", "报告清单", "数据", "质量", "模板信息"]
    assert view["cells"]["概览"]["A3"]["string"] == "文件"


# A sheet just past Excel's link limit: big enough that the first findings sheet runs out of links before it runs
# out of rows, as a real one does, and small enough to write in seconds (Excel's own million rows only change
# the numbers, which test_excels_limits_are_what_the_writer_uses and the advance arithmetic below cover).
SMALL_SHEET = EXCEL_LINKS + 2_000


def test_excels_limits_are_what_the_writer_uses(tmp_path: Path) -> None:
    """Excel's sheet has 1 048 576 rows and takes 65 530 hyperlinks; the writer uses them unless told otherwise,
    and the arithmetic that places findings works at that size: one past the first sheet's rows starts the next."""
    assert (EXCEL_ROWS, EXCEL_LINKS) == (1_048_576, 65_530)
    book = ResultsWorkbook(tmp_path / "x.xlsx", files=FILE_COLUMNS, findings=FINDING_COLUMNS,
                           names={"front": "概览", "findings": "问题清单", "files": "报告清单"},
                           info=("模板信息", "B6", "文件用途", "审核结果"), counts=(0, 0, 0))
    assert book.sheet_rows == 1_048_576
    assert advance(Start(), 1_048_575, True, 1_048_576) == (1_048_575, 0)  # a full sheet; the next starts empty
    assert advance(Start(), 1_048_576, True, 1_048_576) == (1_048_576, 1)
    assert advance(Start(), 70_000, True, 1_048_576) == (70_000, 65_530)


def test_findings_continue_on_a_second_sheet_past_excels_rows(tmp_path: Path) -> None:
    """More findings than a sheet holds, made in memory and streamed through the writer (a sheet of
    ``SMALL_SHEET`` rows standing for Excel's)."""
    target = tmp_path / "big.xlsx"
    rows = SMALL_SHEET
    total = rows + 1000  # the first sheet holds rows - 1 findings under its header
    book = ResultsWorkbook(target, files=FILE_COLUMNS, findings=FINDING_COLUMNS,
                           names={"front": "概览", "findings": "问题清单", "files": "报告清单"},
                           info=("模板信息", "B6", "文件用途", "审核结果"), counts=(total, 1, 0), sheet_rows=rows)
    book.frame([("问题", total)], title="测试", rules=[("V1", total)], agencies=[])
    assert book.finding_sheets == ["问题清单", "问题清单（续2）"]
    shape = book.shape(False)
    start = Start()
    step = 20_000
    for first in range(0, total, step):
        findings = [["a.json", "", "", "V1", "错误", f"第{i}项"] for i in range(first, min(total, first + step))]
        files = [FileRows(["a.json", "已审核"], findings, None, True)]  # one file: its findings come in runs
        book.add(render(shape, start, files) if first == 0 else _findings_only(render(shape, start, files)))
        done, links = advance(start, len(findings), True, rows)
        start = Start(1, 1, done, links)
    staged = book.close()
    write_all([Output(target, staged=staged)])
    with zipfile.ZipFile(target) as z:
        with z.open("xl/worksheets/sheet2.xml") as fh:
            first_sheet = fh.read(2000).decode()
        assert _count(z, "xl/worksheets/sheet2.xml", b"<hyperlink ") == EXCEL_LINKS  # links up to Excel's limit
        assert _count(z, "xl/worksheets/sheet3.xml", b"<hyperlink ") == total - (rows - 1)
    assert f'<dimension ref="A1:L{rows}"/>' in first_sheet
    rest = CalamineWorkbook.from_path(str(target)).get_sheet_by_name("问题清单（续2）").to_python()
    assert rest[0][:4] == ["文件", "机关", "年度", "规则"]
    assert len(rest) == 1 + total - (rows - 1)
    assert rest[1][5] == f"第{rows - 1}项" and rest[-1][5] == f"第{total - 1}项"


def _count(z: zipfile.ZipFile, part: str, what: bytes) -> int:
    """How often ``what`` occurs in a part, read a piece at a time (a sheet of a million rows is large)."""
    found, tail = 0, b""
    with z.open(part) as fh:
        while chunk := fh.read(1 << 22):
            block = tail + chunk  # the carried tail is too short to hold one itself: nothing counted twice
            found += block.count(what)
            tail = block[-(len(what) - 1):]
    return found


def _findings_only(rendered: Rendered) -> Rendered:
    """A file's findings carried on past the first run: its row on 报告清单 was written with the first."""
    rendered.files = None
    return rendered


def test_the_data_sheet_holds_every_payloads_values_cell_for_cell(tmp_path: Path) -> None:
    """数据: one row per report, one column per cell, the numbers as numbers — read back with openpyxl and compared
    with the payloads, which are read as JSON here (of both formats: 2019's extra cells get columns of their own)."""
    from conftest import PUBLISHED
    from xl_gongkai.commands.export import run_export
    from xl_gongkai.commands.importing import run_import
    from xl_gongkai.commands.load import Source
    from xl_gongkai.spec import CellKey, load_form

    latest = load_form()
    folder = tmp_path / "收件"
    folder.mkdir()
    for name in ("huaian-city-2024", "suqian-city-2023", "panzhihua-dongqu-kejiju-2025"):
        done = run_export(Source.of(load(name)), out=folder / f"{name}.json", draft=True, today=TODAY)
        write_all(done.outputs)
    write_all(run_import(PUBLISHED / "07_yueyang-nanhu-dept-2019.txt", out=folder / "岳阳2019.json",
                         today=TODAY).outputs)
    out = tmp_path / "审核结果.xlsx"
    with run_audit(folder, jobs=1, today=TODAY) as result:
        write_all(planned_outputs(result, out, None))
    ws = openpyxl.load_workbook(out)["数据"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    header = rows[0]
    assert header[:6] == ["文件", "机关", "年度", "类型", "格式", "审核结果"]
    assert len(header) == len(set(header))
    assert "表三 一、本年新收 自然人" in header
    assert "表二 第二十条第（一）项 规章 本年新制作数量" in header  # a cell only the 2019 format has
    assert ws.freeze_panes == "C2" and ws.auto_filter.ref == f"A1:{ws.cell(1, len(header)).column_letter}{len(rows)}"
    by_file = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert set(by_file) == {p.name for p in folder.iterdir()}
    compared = 0
    for path in folder.iterdir():
        doc = json.loads(path.read_text("utf-8"))
        got = by_file[path.name]
        assert (got["机关"], got["年度"]) == (doc["metadata"]["agency"], doc["metadata"]["year"])
        verdict = "有错误" if doc["validation"]["counts"]["errors"] else "待核对"
        assert got["审核结果"] == ("无错误" if doc["validation"]["valid"] else verdict)
        assert got["表三 一、本年新收 自然人"] == doc["values"]["requests"]["new"]["natural_person"]
        form = load_form(doc["form"]["id"])
        mine = set()
        for table, table_rows in doc["values"].items():
            for row, cols in table_rows.items():
                for column, value in cols.items():
                    key = CellKey(table, row, column)  # a key is one figure: under 2021's heading where it has one
                    heading = (latest if latest.has_cell(key) else form).cell(key).heading
                    shown = got[heading]
                    assert shown == value and type(shown) is type(value), (path.name, key)
                    mine.add(heading)
                    compared += 1
        assert all(got[h] is None for h in header[6:] if h not in mine)  # the other format's own cells stay blank
    assert compared == 3 * 200 + 198


@given(st.lists(st.binary(max_size=3000), min_size=1, max_size=6))
def test_crcs_of_pieces_join_into_the_crc_of_the_whole(pieces: list[bytes]) -> None:
    """The workers deflate the rows in pieces; the package's CRC-32 is joined from theirs, never recomputed."""
    crc = 0
    for piece in pieces:
        crc = crc32_combine(crc, zlib.crc32(piece), len(piece))
    assert crc == zlib.crc32(b"".join(pieces))


def test_a_results_workbook_past_4_gib_keeps_readable(folder: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Sizes and offsets past 4 GiB take the zip64 fields: here every one does (the limit lowered), and zipfile,
    python-calamine and openpyxl read the package as they read a small one."""
    from xl_gongkai.adapters import package_zip

    small, large = tmp_path / "small.xlsx", tmp_path / "large.xlsx"
    with run_audit(folder, jobs=1, today=TODAY) as result:
        write_all(planned_outputs(result, small, None))
        monkeypatch.setattr(package_zip, "_ZIP64_LIMIT", 1000)
        write_all(planned_outputs(result, large, None))
    with zipfile.ZipFile(large) as z:
        assert z.testzip() is None and any(i.file_size >= 1000 for i in z.infolist())
        assert b"PK\x06\x06" in large.read_bytes()  # the zip64 end of central directory
    for path in (small, large):
        wb = openpyxl.load_workbook(path)
        assert wb.sheetnames == ["概览", "问题清单", "报告清单", "数据", "质量", "模板信息"]
    read = [[CalamineWorkbook.from_path(str(p)).get_sheet_by_name("问题清单").to_python()] for p in (small, large)]
    assert read[0] == read[1] and len(read[0][0]) > 3

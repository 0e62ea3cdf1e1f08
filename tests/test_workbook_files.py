"""Workbook files: new, fill, check and export on real .xlsm files, and refusal of altered workbooks."""

from __future__ import annotations

import copy
import io
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from conftest import REPORTS, TODAY
from xl_gongkai.adapters.workbook_macros import lost_code_names
from xl_gongkai.adapters.workbook_read import read_extent, read_workbook
from xl_gongkai.adapters.xlsx_cells import set_cells
from xl_gongkai.build.template import build_template
from xl_gongkai.commands.fill import fill_file
from xl_gongkai.core.payload import flat_values
from xl_gongkai.errors import InputError
from xl_gongkai.spec import CellKey, SpecError, load_form
from xl_gongkai.spec.loader import build_form

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "src" / "xl_gongkai" / "templates" / "gov-2021.xlsm"
FORM = load_form()


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xl_gongkai", *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=180)


def edited(src: Path, dst: Path, edits: dict[str, dict[str, Any]]) -> Path:
    dst.write_bytes(set_cells(src.read_bytes(), edits))
    return dst


@pytest.fixture
def huaian_xlsm(tmp_path: Path) -> Path:
    r = cli("new", "--from", str(REPORTS / "huaian-city-2024.json"), "-o", str(tmp_path / "huaian.xlsm"),
            "--today", TODAY.isoformat())
    assert r.returncode == 0, r.stderr
    return tmp_path / "huaian.xlsm"


def test_new_with_agency_and_year(tmp_path: Path) -> None:
    out = tmp_path / "a.xlsm"
    r = cli("new", "--agency", "某区科学技术局", "--year", "2025", "-o", str(out))
    assert r.returncode == 0, r.stderr
    wb = openpyxl.load_workbook(out, keep_vba=True)
    assert wb[FORM.metadata_sheet][FORM.field("agency").cell].value == "某区科学技术局"
    assert wb[FORM.metadata_sheet][FORM.field("year").cell].value == 2025
    # nothing else differs from the template: every other part is byte-identical
    a, b = zipfile.ZipFile(TEMPLATE), zipfile.ZipFile(out)
    assert a.namelist() == b.namelist()
    changed = [n for n in a.namelist() if a.read(n) != b.read(n)]
    assert changed == ["xl/worksheets/sheet1.xml"]
    check = cli("check", str(out))
    assert check.returncode == 1 and "V1" in check.stdout  # an empty template: every blank is reported


def test_payload_to_workbook_to_payload_gives_the_same_values(huaian_xlsm: Path, tmp_path: Path) -> None:
    r = cli("export", str(huaian_xlsm), "-o", str(tmp_path / "p.json"), "--today", TODAY.isoformat())
    assert r.returncode == 0, r.stderr
    exported = json.loads((tmp_path / "p.json").read_text("utf-8"))
    typed = json.loads((REPORTS / "huaian-city-2024.json").read_text("utf-8"))
    assert flat_values(exported["values"]) == flat_values(typed["values"])
    assert exported["metadata"]["agency"] == "淮安市人民政府"
    # and back again: new --from the exported payload, export again, same payload bytes
    again = tmp_path / "again.xlsm"
    today = TODAY.isoformat()
    assert cli("new", "--from", str(tmp_path / "p.json"), "-o", str(again), "--today", today).returncode == 0
    assert cli("export", str(again), "-o", str(tmp_path / "p2.json"), "--today", TODAY.isoformat()).returncode == 0
    assert (tmp_path / "p2.json").read_bytes() == (tmp_path / "p.json").read_bytes()


def test_explanations_survive_the_round_trip(tmp_path: Path) -> None:
    doc = json.loads((REPORTS / "panzhihua-dongqu-kejiju-2025.json").read_text("utf-8"))
    doc["values"]["active"]["fees"]["amount"] = 150000
    doc["explanations"] = {"V5:active.fees.amount": "全区汇总的收费，确为15亿元。"}
    src = tmp_path / "r.json"
    src.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    assert cli("new", "--from", str(src), "-o", str(tmp_path / "r.xlsm")).returncode == 0
    report = read_workbook(tmp_path / "r.xlsm")
    assert report.explanations == doc["explanations"]
    r = cli("export", str(tmp_path / "r.xlsm"), "-o", str(tmp_path / "r2.json"), "--today", TODAY.isoformat())
    assert r.returncode == 0, r.stderr


def _cells(path: Path) -> dict[str, dict[str, Any]]:
    wb = CalamineWorkbook.from_path(str(path))
    out = {}
    for name in wb.sheet_names:
        rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        out[name] = {(r, c): v for r, row in enumerate(rows) for c, v in enumerate(row) if v != ""}
    return out


def test_fill_changes_only_derived_cells(huaian_xlsm: Path, tmp_path: Path) -> None:
    # blank every derived cell first (as a clerk's file arrives), then fill
    blank = {}
    for c in FORM.derived_cells():
        blank.setdefault(c.sheet, {})[c.address] = None
    src = edited(huaian_xlsm, tmp_path / "blank.xlsm", blank)
    out = tmp_path / "filled.xlsm"
    r = cli("fill", str(src), "-o", str(out), "--today", TODAY.isoformat())
    assert r.returncode == 0, r.stdout + r.stderr
    a, b = zipfile.ZipFile(src), zipfile.ZipFile(out)
    assert a.namelist() == b.namelist()
    changed_parts = {n for n in a.namelist() if a.read(n) != b.read(n)}
    assert changed_parts == {"xl/worksheets/sheet4.xml", "xl/worksheets/sheet5.xml"}  # 表三, 表四
    before, after = _cells(src), _cells(out)
    derived = {(c.sheet, c.address) for c in FORM.derived_cells()}
    for sheet in before:
        keys = set(before[sheet]) | set(after[sheet])
        for k in keys:
            addr_derived = (sheet, _addr(k)) in derived
            if not addr_derived:
                assert before[sheet].get(k) == after[sheet].get(k), (sheet, k)
    report = read_workbook(out)
    assert report.value(CellKey("requests", "total", "total")) == 3050
    assert report.value(CellKey("appeals", "review", "total")) == 351
    # styles of every cell are unchanged too
    wa, wb = openpyxl.load_workbook(src), openpyxl.load_workbook(out)
    for ws in wa.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert wb[ws.title][cell.coordinate].style_id == cell.style_id


def _addr(k: tuple[int, int]) -> str:
    from xl_gongkai.spec.a1 import cell_address

    return cell_address(k[0] + 1, k[1] + 1)


def test_fill_keeps_vba_ribbon_and_validations(huaian_xlsm: Path, tmp_path: Path) -> None:
    out = tmp_path / "f.xlsm"
    fill_file(huaian_xlsm, out)
    a, b = zipfile.ZipFile(huaian_xlsm), zipfile.ZipFile(out)
    for part in ("xl/vbaProject.bin", "customUI/customUI14.xml", "_rels/.rels", "[Content_Types].xml",
                 "xl/workbook.xml", "xl/styles.xml"):
        assert a.read(part) == b.read(part), part


@pytest.mark.parametrize(("sheet", "cell", "text", "expect"), [
    ("表三 依申请公开", "A5", "一、本年新收申请", "表三 依申请公开!A5 应为“一、本年新收政府信息公开申请数量”"),
    ("表二 主动公开", "A4", None, "表二 主动公开!A4 应为“规章”，现为“空白”"),
    ("表四 复议诉讼", "F3", "复议后起诉", "表四 复议诉讼!F3 应为“未经复议直接起诉”"),
])
def test_a_moved_or_renamed_label_is_refused_naming_the_cell(huaian_xlsm: Path, tmp_path: Path, sheet: str,
                                                            cell: str, text: str | None, expect: str) -> None:
    bad = edited(huaian_xlsm, tmp_path / "bad.xlsm", {sheet: {cell: text}})
    with pytest.raises(InputError, match=expect):
        read_workbook(bad)
    r = cli("check", str(bad))
    assert r.returncode == 2 and expect in r.stderr and "Traceback" not in r.stderr


def test_a_missing_sheet_is_refused(huaian_xlsm: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(huaian_xlsm, keep_vba=True)
    del wb["表四 复议诉讼"]
    bad = tmp_path / "missing.xlsm"
    wb.save(bad)
    r = cli("check", str(bad))
    assert r.returncode == 2 and "缺少工作表“表四 复议诉讼”" in r.stderr


def test_an_older_template_version_is_refused(huaian_xlsm: Path, tmp_path: Path) -> None:
    bad = edited(huaian_xlsm, tmp_path / "old.xlsm", {FORM.metadata_sheet: {FORM.template.version_cell: "0.9.0"}})
    r = cli("check", str(bad))
    assert r.returncode == 2
    assert f"{FORM.metadata_sheet}!{FORM.template.version_cell}" in r.stderr and "0.9.0" in r.stderr


def test_text_in_a_number_cell_is_reported_with_sheet_and_cell(huaian_xlsm: Path, tmp_path: Path) -> None:
    bad = edited(huaian_xlsm, tmp_path / "t.xlsm", {"表三 依申请公开": {"E5": "五十三"}})
    r = cli("check", str(bad))
    assert r.returncode == 1
    assert "V2 表三“一、本年新收政府信息公开申请数量”行、“商业企业”列填写的是“五十三”" in r.stdout
    assert "'表三 依申请公开'!E5" in r.stdout


def test_not_a_workbook_at_all(tmp_path: Path) -> None:
    p = tmp_path / "fake.xlsm"
    p.write_text("这不是工作簿", "utf-8")
    r = cli("check", str(p))
    assert r.returncode == 2 and "不是可读取的 Excel 工作簿" in r.stderr


def test_libreoffice_saved_workbook_reads_the_same(huaian_xlsm: Path, tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    out = tmp_path / "lo"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                    "xlsm:Calc MS Excel 2007 VBA XML", "--outdir", str(out), str(huaian_xlsm)],
                   check=True, capture_output=True, timeout=180)
    resaved = out / "huaian.xlsm"
    a, b = read_workbook(huaian_xlsm), read_workbook(resaved)
    assert dict(a.values) == dict(b.values) and a.metadata == b.metadata
    filled, _ = fill_file(resaved, tmp_path / "lo-filled.xlsm")
    assert read_workbook(filled).values == b.values
    assert openpyxl.load_workbook(io.BytesIO(filled.read_bytes()))  # still a valid package
    shutil.rmtree(profile, ignore_errors=True)
    # LibreOffice drops the code names Excel's macros need: check says so, as a 提示 that changes no exit code
    assert lost_code_names(huaian_xlsm) is None
    # the input sheets, the register, 校验结果, 摘要, 模板信息, 校验标记 and xlwings.conf
    assert lost_code_names(resaved) == f"工作簿和 {len(FORM.input_sheets()) + 6} 张工作表的代码名"
    read_workbook(resaved)  # the guard works the remark out while it has the package open: the same answer
    # the input sheets, the register, 校验结果, 摘要, 模板信息, 校验标记 and xlwings.conf
    assert lost_code_names(resaved) == f"工作簿和 {len(FORM.input_sheets()) + 6} 张工作表的代码名"
    ours, theirs = cli("check", str(huaian_xlsm), "--today", TODAY.isoformat()), cli(
        "check", str(resaved), "--today", TODAY.isoformat())
    assert "F4" not in ours.stdout and ours.returncode == theirs.returncode == 0
    assert "F4 此工作簿带有宏，但工作簿和" in theirs.stdout and "xl-gongkai new --from 本文件" in theirs.stdout


def _moved_cover() -> dict[str, Any]:
    """The form spec with the cover one column to the right: labels in B, values from C to E."""
    doc = copy.deepcopy(FORM.raw)
    for f in doc["metadata"]["fields"]:
        f["cell"] = "C" + f["cell"][1:]
    tpl = doc["template"]
    tpl["version_cell"] = "C" + tpl["version_cell"][1:]
    tpl["extents"]["cover"] = {"last_column": "E", "label_column": "B"}
    tpl["extents"]["narrative"] = {"last_column": "J"}
    doc["metadata"]["title_range"] = "A1:E1"
    return doc


def test_the_cover_and_the_sheet_extents_come_from_the_spec(tmp_path: Path) -> None:
    """Template and reader agree through the spec alone: a cover moved there is built and read moved."""
    form = build_form(_moved_cover())
    assert read_extent(form, form.metadata_sheet) == (read_extent(FORM, FORM.metadata_sheet)[0], 5)
    assert read_extent(form, form.narrative_sheet)[1] == 10
    offsets = form.flag_offsets()
    assert offsets[form.narrative_sheet] == 5 + 1 and offsets[form.tables[0].sheet] == 5 + 1 + 10 + 1
    path = tmp_path / "moved.xlsm"
    path.write_bytes(set_cells(build_template(form), {form.metadata_sheet: {form.field("agency").cell: "某局"}}))
    cover = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(form.metadata_sheet).to_python()
    row = int(form.field("agency").cell[1:])
    assert cover[row - 1][:3] == ["", "机关名称（必填）", "某局"]
    assert read_workbook(path, form).metadata["agency"] == "某局"
    with pytest.raises(InputError, match="没有模板版本号"):  # the spec as shipped looks for the labels in A
        read_workbook(path)


def test_the_spec_refuses_a_cover_value_beyond_its_extent() -> None:
    doc = _moved_cover()
    doc["template"]["extents"]["cover"]["last_column"] = "B"
    with pytest.raises(SpecError, match=r"lies beyond its extent"):
        build_form(doc)
    doc["template"]["extents"]["cover"] = {"last_column": "E", "label_column": "C"}
    with pytest.raises(SpecError, match="label column"):
        build_form(doc)

"""The template: reproducible, a complete macro-enabled package, and what LibreOffice sees in it."""

from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as ET
import pytest
from oletools.olevba import VBA_Parser

from support.libreoffice import inspect_workbook, read_png, render_sheet_png
from xl_gongkai.build import package
from xl_gongkai.build.template import build_template, code_names, iter_names
from xl_gongkai.build.vbaproject import stored_source
from xl_gongkai.spec import load_form
from xl_gongkai.spec.a1 import column_index, split_cell

FORM = load_form()
NS = {"r": "http://schemas.openxmlformats.org/package/2006/relationships",
      "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
      "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, built_template: bytes) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "template.xlsm"
    path.write_bytes(built_template)
    return path


@pytest.fixture(scope="module")
def lo_view(built: Path) -> dict[str, Any]:
    return inspect_workbook(built)


def test_two_builds_are_byte_identical(built: Path) -> None:
    """Reproducible: the committed copy in the package is compared with a fresh build by tests/test_generated.py."""
    again = build_template()
    assert hashlib.sha256(again).hexdigest() == hashlib.sha256(built.read_bytes()).hexdigest()


def test_package_has_ribbon_vba_and_macro_content_type(built: Path) -> None:
    z = zipfile.ZipFile(built)
    names = z.namelist()
    assert package.RIBBON_PART in names and "xl/vbaProject.bin" in names
    rels = ET.fromstring(z.read("_rels/.rels"))
    ribbon = [r for r in rels.findall("r:Relationship", NS) if r.get("Type") == package.RIBBON_REL_TYPE]
    assert [r.get("Target") for r in ribbon] == [package.RIBBON_PART]
    wb_rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    vba = [r for r in wb_rels.findall("r:Relationship", NS)
           if r.get("Type") == "http://schemas.microsoft.com/office/2006/relationships/vbaProject"]
    assert [r.get("Target") for r in vba] == ["vbaProject.bin"]
    types = ET.fromstring(z.read("[Content_Types].xml"))
    overrides = {o.get("PartName"): o.get("ContentType") for o in types.findall("ct:Override", NS)}
    defaults = {d.get("Extension"): d.get("ContentType") for d in types.findall("ct:Default", NS)}
    assert overrides["/xl/workbook.xml"] == "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
    assert "application/vnd.ms-office.vbaProject" in {overrides.get("/xl/vbaProject.bin"), defaults.get("bin")}
    assert all(i.date_time == package.FIXED_TIME for i in z.infolist())


def test_both_ribbon_parts_are_in_the_package_with_their_relationships(built: Path) -> None:
    z = zipfile.ZipFile(built)
    rels = ET.fromstring(z.read("_rels/.rels"))
    by_type = {r.get("Type"): r.get("Target") for r in rels.findall("r:Relationship", NS)}
    assert by_type[package.RIBBON_REL_TYPE] == package.RIBBON_PART
    assert by_type[package.LEGACY_RIBBON_REL_TYPE] == package.LEGACY_RIBBON_PART
    assert z.read(package.RIBBON_PART) == package.ribbon_xml()
    assert z.read(package.LEGACY_RIBBON_PART) == package.legacy_ribbon_xml()
    # both parts are application/xml through the package's Default for .xml ([MS-OI29500] 3.4.1.3/4)
    types = ET.fromstring(z.read("[Content_Types].xml"))
    defaults = {d.get("Extension"): d.get("ContentType") for d in types.findall("ct:Default", NS)}
    assert defaults["xml"] == "application/xml"


def _buttons(xml: bytes, ns: str) -> dict[str, tuple[str | None, str | None]]:
    root = ET.fromstring(xml)
    tab = root.find(f"{{{ns}}}ribbon/{{{ns}}}tabs/{{{ns}}}tab")
    assert tab is not None and tab.get("label") == "政务公开年报"
    return {str(b.get("label")): (b.get("onAction"), b.get("supertip")) for b in root.iter(f"{{{ns}}}button")}


def test_ribbon_calls_only_fixed_entry_points() -> None:
    buttons = _buttons(package.ribbon_xml(), package.RIBBON_NS)
    assert list(buttons) == ["校验", "填充合计", "导出 JSON 和摘要", "生成年报", "诊断"]
    bas = (Path(package.__file__).parent / "vba" / "GongkaiRibbon.bas").read_bytes().decode("ascii")
    for callback, _ in buttons.values():
        assert re.search(rf"Public Sub {callback}\(control As IRibbonControl\)", bas)
    calls = re.findall(r'Gk_Run "([^"]+)"', bas)
    commands = ("check", "fill", "export", "report", "diagnose")
    assert calls == [f"import xl_gongkai.excel as gk; gk.{c}()" for c in commands]
    import xl_gongkai.excel as entry

    for c in commands:
        assert callable(getattr(entry, c))


def test_the_2006_ribbon_has_the_excel_texts_and_a_group_for_wps_users() -> None:
    """Excel 2007 and WPS read only the 2006 part: the same buttons with the same (Excel) tooltips, so Excel 2007
    shows what Excel 2010 shows, and one group of its own, labelled for WPS users, names the alternatives."""
    modern = _buttons(package.ribbon_xml(), package.RIBBON_NS)
    legacy = _buttons(package.legacy_ribbon_xml(), package.LEGACY_RIBBON_NS)
    assert list(legacy) == [*modern, "WPS 中如何使用"]
    for label, (action, tip) in modern.items():
        assert legacy[label] == (action, tip)
        assert "WPS" not in str(tip)
    action, tip = legacy["WPS 中如何使用"]
    assert action == "Gk_HostInfo" and "网页版" in str(tip) and "xl-gongkai check" in str(tip)
    root = ET.fromstring(package.legacy_ribbon_xml())
    ns = package.LEGACY_RIBBON_NS
    groups = {g.get("label"): [b.get("label") for b in g.iter(f"{{{ns}}}button")] for g in root.iter(f"{{{ns}}}group")}
    assert groups["WPS 用户"] == ["WPS 中如何使用"]
    bas = (Path(package.__file__).parent / "vba" / "GongkaiRibbon.bas").read_bytes().decode("ascii")
    # in Excel the WPS button says what the group is for; elsewhere it names the program that cannot run Python
    host_info = bas[bas.index("Public Sub Gk_HostInfo(control As IRibbonControl)"):]
    host_info = host_info[:host_info.index("End Sub")]
    assert "If Gk_IsExcel() Then" in host_info and "Gk_T_WpsInfo()" in host_info and "Gk_T_NotExcel()" in host_info


def test_olevba_extracts_every_module_with_exactly_the_source(built: Path) -> None:
    expected = {m.name: stored_source(m) for m in package.vba_modules(list(code_names(FORM).values()))}
    parser = VBA_Parser(str(built))
    try:
        found = {Path(vba_name).stem: code for (_, _, vba_name, code) in parser.extract_all_macros()}
    finally:
        parser.close()
    assert set(found) == set(expected)
    for name, text in expected.items():
        assert found[name].replace("\r\n", "\n") == text.replace("\r\n", "\n"), name
    # our own sources are stored verbatim (after the attribute lines Excel keeps)
    ribbon_src = (Path(package.__file__).parent / "vba" / "GongkaiRibbon.bas").read_text("ascii")
    assert found["GongkaiRibbon"].replace("\r\n", "\n").endswith(ribbon_src.replace("\r\n", "\n"))
    import xlwings

    xlwings_bas = (Path(xlwings.__file__).parent / "xlwings.bas").read_text("ascii")
    assert found["xlwings"].replace("\r\n", "\n").rstrip() == xlwings_bas.replace("\r\n", "\n").rstrip()


def test_every_field_has_a_defined_name_and_vba_names_exist(built: Path) -> None:
    z = zipfile.ZipFile(built)
    root = ET.fromstring(z.read("xl/workbook.xml"))
    names = {n.get("name"): n.text for n in root.iter(f"{{{NS['m']}}}definedName")}
    expected = set(iter_names(FORM))
    assert expected <= set(names)
    assert len([n for n in names if n.startswith("gk_cell__")]) == 200
    assert names["gk_cell__requests__new__natural_person"] == "'表三 依申请公开'!$D$5"


def test_no_conditional_format_refers_to_another_sheet(built: Path) -> None:
    """Excel 2007 forbids other sheets in conditional formats: the mark rules read a defined name instead."""
    z = zipfile.ZipFile(built)
    root = ET.fromstring(z.read("xl/workbook.xml"))
    names = {n.get("name"): n.text for n in root.iter(f"{{{NS['m']}}}definedName")}
    formulas = []
    for part in (n for n in z.namelist() if n.startswith("xl/worksheets/sheet")):
        sheet = ET.fromstring(z.read(part))
        for rule in sheet.iter(f"{{{NS['m']}}}cfRule"):
            formulas += [f.text or "" for f in rule.iter(f"{{{NS['m']}}}formula")]
    assert formulas and not [f for f in formulas if "!" in f]
    cf = [f for f in formulas if "INDEX(" in f]
    assert len(cf) == len(FORM.metadata_fields) + len(FORM.text_parts) + len(FORM.tables)
    for f in cf:
        assert "!" not in f and "'" not in f, f
        name = re.fullmatch(r"LEN\(INDEX\((gk_marks__\w+),ROW\(\),COLUMN\(\)\)\)>0", f)
        assert name and names[name.group(1)].startswith(f"'{FORM.template.flags_sheet}'!$"), f
    # each name covers its sheet's block of marks from row 1, offset as the commands write the marks
    offsets = FORM.flag_offsets()
    first_col = re.match(r"'[^']+'!\$([A-Z]+)\$1:", names["gk_marks__requests"]).group(1)
    assert column_index(first_col) == offsets[FORM.table("requests").sheet] + 1


def test_libreoffice_sees_every_vba_module(lo_view: dict[str, Any]) -> None:
    lib = lo_view["basic"]["VBAProject"]
    expected = {m.name for m in package.vba_modules(list(code_names(FORM).values()))}
    assert set(lib) == expected
    assert "Public Sub Gk_Check(control As IRibbonControl)" in lib["GongkaiRibbon"]
    assert "Sub " not in lib["ThisWorkbook"]  # no event handler: nothing runs when the workbook opens


def test_libreoffice_sees_protection_hidden_sheets_and_code_names(lo_view: dict[str, Any]) -> None:
    sheets = {s["name"]: s for s in lo_view["sheets"]}
    tpl = FORM.template
    assert tpl.ledger is not None
    assert list(sheets) == [*FORM.input_sheets(), tpl.ledger.sheet, tpl.results_sheet, tpl.summary_sheet,
                            tpl.info_sheet, tpl.flags_sheet, tpl.config_sheet]
    for name in [*FORM.input_sheets(), tpl.ledger.sheet, tpl.results_sheet, tpl.summary_sheet]:
        assert sheets[name]["protected"] and sheets[name]["visible"], name
    for name in (tpl.info_sheet, tpl.flags_sheet, tpl.config_sheet):
        assert not sheets[name]["visible"], name
    assert {n: s["code_name"] for n, s in sheets.items()} == code_names(FORM)


def test_libreoffice_sees_unlocked_inputs_and_their_validation(lo_view: dict[str, Any]) -> None:
    cells = lo_view["cells"]
    for cell in FORM.cells:
        seen = cells[cell.sheet].get(cell.address)
        if cell.derived:
            assert seen is None or seen["locked"], cell.key  # locked (not listed when empty and locked)
            continue
        assert seen is not None and seen["locked"] is False, cell.key
        v = seen["validation"]
        assert v["show_error"] and v["error_style"] == "STOP", cell.key
        if cell.unit == "万元":
            assert v["type"] == "CUSTOM" and "ROUND" in v["formula1"] and "万元" in v["error_message"]
        else:
            assert (v["type"], v["operator"], v["formula1"]) == ("WHOLE", "BETWEEN", "0")
            assert v["error_message"] == "请填写不小于0的整数（单位：件）。没有发生的请填0。"
    for lab in FORM.table("requests").labels:
        seen = cells["表三 依申请公开"][lab.anchor]
        assert seen["locked"] and seen["string"] == lab.text
    for f in FORM.metadata_fields:
        assert cells[FORM.metadata_sheet][f.cell]["locked"] is False
    year = cells[FORM.metadata_sheet][FORM.field("year").cell]["validation"]
    assert (year["type"], year["formula1"]) == ("WHOLE", str(FORM.first_year))


def test_libreoffice_sees_the_defined_names_and_marks(lo_view: dict[str, Any]) -> None:
    named = lo_view["named_ranges"]
    assert set(iter_names(FORM)) <= set(named)
    assert named["gk_cell__requests__carried_out__total"] == "$'表三 依申请公开'.$J$29"
    cf = lo_view["conditional_formats"]["表三 依申请公开"]
    assert cf[0]["ranges"] == ["D5:J29"] and "gk_marks__requests" in cf[0]["entries"][0]["Formula1"]
    assert named["gk_marks__requests"] == "$校验标记.$T$1:$AC$29"


MARK_FILL = (0xFF, 0xC7, 0xCE)  # the template's fill for a marked cell (Styles.marked)


def _mark_pixels(path: Path, sheet: str, out: Path) -> int:
    img = read_png(render_sheet_png(path, sheet, out, dpi=50))
    return sum(1 for y in range(0, img.height, 2) for x in range(0, img.width, 2) if img.pixel(x, y)[:3] == MARK_FILL)


def test_a_mark_turns_its_cell_red_through_the_defined_name(built: Path, tmp_path: Path) -> None:
    """LibreOffice evaluates the rule: a mark on the hidden sheet colours exactly the marked cell's area."""
    from xl_gongkai.adapters.xlsx_cells import set_cells
    from xl_gongkai.spec.a1 import cell_address

    cell = FORM.cell("requests.new.natural_person")
    r, c = split_cell(cell.address)
    marked = tmp_path / "marked.xlsm"
    flag = cell_address(r, c + FORM.flag_offsets()[cell.sheet])
    marked.write_bytes(set_cells(built.read_bytes(), {FORM.template.flags_sheet: {flag: "错误"}}))
    assert _mark_pixels(built, cell.sheet, tmp_path / "plain.png") == 0
    assert _mark_pixels(marked, cell.sheet, tmp_path / "marked.png") > 20


def test_print_setup_is_a4_fit_to_width(lo_view: dict[str, Any]) -> None:
    for t in FORM.tables:
        page = lo_view["page_setup"][t.sheet]
        assert abs(page["width_mm100"] - 21000) <= 2 or abs(page["height_mm100"] - 21000) <= 2
        assert page["scale_to_pages_x"] == 1 and page["scale_to_pages_y"] == 0
    assert lo_view["page_setup"]["表四 复议诉讼"]["landscape"] is True


def test_table_three_renders(built: Path, tmp_path: Path) -> None:
    png = render_sheet_png(built, "表三 依申请公开", tmp_path / "t3.png", dpi=60)
    img = read_png(png)
    assert img.width > 300 and img.height > 300
    assert img.distinct_colours() > 2


def test_the_results_sheet_is_styled_by_column_not_cell_by_cell(built: Path, tmp_path: Path) -> None:
    """Template 1.2.0: 校验结果 holds its title, status line and header only, and a finding written by a file
    writer (here new --from) takes the columns' styles: its text locked, its explanation cell open to type."""
    from conftest import TODAY, load
    from support.fuzzing import sheet_parts
    from xl_gongkai.commands.workbook import new_workbook
    from xl_gongkai.core.derive import fill
    from xl_gongkai.core.rules import check

    tpl = FORM.template
    part = sheet_parts(built.read_bytes())[tpl.results_sheet]
    assert zipfile.ZipFile(built).read(part).count(b"<c ") < 20  # 1.1.0 had 2 800 styled blanks
    report = load("huaian-city-2024").with_values({FORM.cell("requests.new.natural_person").key: None})
    first_finding = check(fill(report), today=TODAY).findings[0]  # new --from checks the filled report
    report = report.with_explanations({first_finding.key: "已核实"})
    path = new_workbook(tmp_path / "f.xlsm", source=report, today=TODAY)
    cells = inspect_workbook(path)["cells"][tpl.results_sheet]
    message, explanation = (f"{tpl.results_column(k).at}{tpl.results_first_row}" for k in ("message", "explanation"))
    assert cells[message]["string"] == first_finding.message and cells[message]["locked"]
    assert cells[explanation]["string"] == "已核实" and cells[explanation]["locked"] is False


def test_the_build_finds_xlwings_vba_files_without_importing_xlwings() -> None:
    """Importing xlwings costs about 0.4 s (and its COM machinery on Windows): the build only needs its files."""
    import subprocess
    import sys

    code = ("import sys; from xl_gongkai.build.template import build_template; build_template(); "
            "print('xlwings' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "False"
    assert [p.name for p in package.xlwings_sources()] == ["xlwings.bas", "Dictionary.cls"]
    assert all(p.is_file() for p in package.xlwings_sources())

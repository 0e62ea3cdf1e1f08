"""Workbooks of the previous template versions still read, check and fill; other versions are refused.

Both files under ``tests/data/workbooks`` were made by ``xl-gongkai new --from
tests/data/reports/huaian-city-2024.json`` of their time: ``huaian-2024-template-1.0.0.xlsm`` before version
1.1.0 (its cover says 1.0.0, and its hidden xlwings.conf sheet still names the interpreter, the form that
1.1.0 dropped); ``huaian-2024-template-1.1.0.xlsm`` before version 1.2.0 (its 校验结果 sheet is still 400
rows of styled blank cells, which 1.2.0 replaced by column styles); ``huaian-2024-template-1.2.0.xlsm`` before
version 1.3.0 (its VBA project still runs a procedure when the workbook opens, which 1.3.0 removed);
``huaian-2024-template-1.3.0.xlsm`` before version 1.4.0 (it has no register of applications, the 依申请台账 sheet
1.4.0 added).
"""

from __future__ import annotations

import shutil
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from conftest import DATA, TODAY, load
from support.fuzzing import sheet_parts
from xl_gongkai.adapters.workbook_read import read_workbook
from xl_gongkai.adapters.xlsx_cells import set_cells
from xl_gongkai.commands.fill import fill_file
from xl_gongkai.commands.workbook import new_workbook
from xl_gongkai.core.rules import check
from xl_gongkai.errors import InputError
from xl_gongkai.spec import load_form

OLDER = {v: DATA / "workbooks" / f"huaian-2024-template-{v}.xlsm" for v in ("1.0.0", "1.1.0", "1.2.0", "1.3.0")}
OLD = OLDER["1.0.0"]
FORM = load_form()
TPL = FORM.template


def _cell(path: Path, sheet: str, address: str) -> object:
    from xl_gongkai.spec.a1 import split_cell

    r, c = split_cell(address)
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()[r - 1][c - 1]


def test_the_old_file_is_what_it_claims_to_be() -> None:
    assert TPL.version != "1.0.0" and "1.0.0" in TPL.reads_versions
    assert _cell(OLD, FORM.metadata_sheet, TPL.version_cell) == "1.0.0"
    conf = CalamineWorkbook.from_path(str(OLD)).get_sheet_by_name(TPL.config_sheet).to_python()
    assert conf[0][0] == "Interpreter_Win"
    assert "customUI/customUI.xml" not in zipfile.ZipFile(OLD).namelist()  # made before the 2006 ribbon part


def test_the_1_1_0_file_is_what_it_claims_to_be() -> None:
    path = OLDER["1.1.0"]
    assert TPL.version != "1.1.0" and "1.1.0" in TPL.reads_versions
    assert _cell(path, FORM.metadata_sheet, TPL.version_cell) == "1.1.0"
    part = sheet_parts(path.read_bytes())[TPL.results_sheet]
    assert zipfile.ZipFile(path).read(part).count(b"<c ") > 2_000  # the styled blanks of 1.1.0's 校验结果


def test_the_1_2_0_file_is_what_it_claims_to_be() -> None:
    from oletools.olevba import VBA_Parser

    path = OLDER["1.2.0"]
    assert TPL.version != "1.2.0" and "1.2.0" in TPL.reads_versions
    assert _cell(path, FORM.metadata_sheet, TPL.version_cell) == "1.2.0"
    parser = VBA_Parser(str(path))
    try:
        assert ("AutoExec", "Workbook_Open") in {(kind, word) for kind, word, _ in parser.analyze_macros()}
    finally:
        parser.close()


def test_the_1_3_0_file_is_what_it_claims_to_be() -> None:
    from oletools.olevba import VBA_Parser

    path = OLDER["1.3.0"]
    assert TPL.version != "1.3.0" and "1.3.0" in TPL.reads_versions
    assert TPL.ledger is not None and TPL.ledger.since == TPL.version
    assert _cell(path, FORM.metadata_sheet, TPL.version_cell) == "1.3.0"
    assert TPL.ledger.sheet not in CalamineWorkbook.from_path(str(path)).sheet_names
    parser = VBA_Parser(str(path))
    try:  # 1.3.0 already runs nothing when it opens
        assert not [word for kind, word, _ in parser.analyze_macros() if kind == "AutoExec"]
    finally:
        parser.close()


@pytest.mark.parametrize("version", list(OLDER))
def test_a_previous_version_workbook_has_no_register(version: str) -> None:
    """Without the sheet there is no register (None), which is not an empty one: nothing is derived or checked."""
    assert read_workbook(OLDER[version]).ledger is None


@pytest.mark.parametrize("version", list(OLDER))
def test_a_previous_version_workbook_reads_and_checks_like_a_current_one(tmp_path: Path, version: str) -> None:
    # the old files were made from the tables of the 淮安 report (its narrative was added to the test data later)
    tables_only = replace(load("huaian-city-2024"), narrative={})
    current = new_workbook(tmp_path / "current.xlsm", source=tables_only, today=TODAY)
    assert _cell(current, FORM.metadata_sheet, TPL.version_cell) == TPL.version
    old, new = read_workbook(OLDER[version]), read_workbook(current)
    assert old.values == new.values and old.metadata == new.metadata and old.narrative == new.narrative
    assert check(old, today=TODAY).findings == check(new, today=TODAY).findings


@pytest.mark.parametrize("version", list(OLDER))
def test_a_previous_version_workbook_fills_in_place(tmp_path: Path, version: str) -> None:
    path = tmp_path / "old.xlsm"
    shutil.copy(OLDER[version], path)
    cell = next(FORM.derived_cells())
    path.write_bytes(set_cells(path.read_bytes(), {cell.sheet: {cell.address: None}}))
    out, report = fill_file(path)
    assert out == path and read_workbook(path).values[cell.key] == report.values[cell.key] is not None
    assert _cell(path, FORM.metadata_sheet, TPL.version_cell) == version  # still the old template, not converted


@pytest.mark.parametrize("version", ["0.9.0", "1.1.1", "1.2.1", "1.3.1", "9.0.0"])
def test_any_other_version_is_refused_naming_the_readable_ones(tmp_path: Path, version: str) -> None:
    path = tmp_path / "other.xlsm"
    path.write_bytes(set_cells(OLD.read_bytes(), {FORM.metadata_sheet: {TPL.version_cell: version}}))
    readable = "、".join([TPL.version, *TPL.reads_versions])
    assert readable == "1.4.0、1.3.0、1.2.0、1.1.0、1.0.0"
    with pytest.raises(InputError, match=f"模板版本为“{version}”，本程序只读取 {readable} 版"):
        read_workbook(path)

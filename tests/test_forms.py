"""The form a workbook was made for is read from the workbook, and a second templated form lives beside 2021's.

The second form is synthetic and lives only here (``tests/data/forms/gov-2021-plus.json``): the 2021 form plus
one row of table 二 (其他收费) under its own id and template version, with the 2021 rules less V5 plus a rule of
its own (Z1, the same kind with another threshold). It is registered for this module only, and its templates are
built into the test's folder; a workbook of either form is read, checked, filled, carried into next year,
consolidated and audited in its own form, by every path a clerk's file takes.
"""

from __future__ import annotations

import ast
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import TODAY
from support.remote_book import apply_actions, open_book
from xl_gongkai import excel
from xl_gongkai.adapters.excel_live import LiveBook
from xl_gongkai.adapters.workbook_form import form_of
from xl_gongkai.adapters.workbook_read import read_workbook
from xl_gongkai.adapters.xlsx_cells import set_cells
from xl_gongkai.build.template import build_template
from xl_gongkai.commands.audit import run_audit
from xl_gongkai.commands.check import run_check
from xl_gongkai.commands.consolidate import consolidate
from xl_gongkai.commands.fill import run_fill
from xl_gongkai.commands.load import open_source
from xl_gongkai.commands.next_year import new_from_previous
from xl_gongkai.commands.workbook import new_package, template_file
from xl_gongkai.core.report import Report
from xl_gongkai.core.rules import catalogue
from xl_gongkai.errors import InputError
from xl_gongkai.spec import CellKey, Form, SpecError, forget_form, load_form, register_form

PLUS_FILE = Path(__file__).parent / "data" / "forms" / "gov-2021-plus.json"
FORM_2021 = load_form("gov-2021")
ADDED = CellKey("active", "other_fees", "amount")  # the row the synthetic form adds
FEE = CellKey("active", "fees", "amount")
SRC = Path(__file__).parents[1] / "src" / "xl_gongkai"


@pytest.fixture(scope="module")
def plus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Form]:
    """The synthetic form, registered, with its two templates built beside its file."""
    home = tmp_path_factory.mktemp("plus-form")
    shutil.copy(PLUS_FILE, home)
    form = register_form(home / PLUS_FILE.name)
    try:
        (home / template_file(form.id)).write_bytes(build_template(form))
        (home / template_file(form.id, consolidation=True)).write_bytes(build_template(form, sources=[]))
        yield form
    finally:
        forget_form(form.id)


def made(form: Form, path: Path, *, agency: str = "某局", **values: Any) -> Path:
    """A workbook of ``form`` as ``new --from`` makes it: every input cell 0 unless given (``fees=…`` for the
    fee row), every part of the text written, the totals filled."""
    given = {CellKey("active", key, "amount"): v for key, v in values.items()}
    cells = {c.key: given.get(c.key, 0) for c in form.input_cells()}
    metadata = {"agency": agency, "year": 2024, "period_start": "2024-01-01", "period_end": "2024-12-31"}
    text = {p.key: "本年度依法做好政府信息公开工作。" for p in form.text_parts if p.text_cell}
    path.write_bytes(new_package(path, source=Report(form, metadata, cells, text), today=TODAY))
    return path


def keys(path: Path) -> set[str]:
    return {f.key for f in run_check(open_source(path), today=TODAY).validation.findings}


def with_info(path: Path, form: Form, value: str) -> Path:
    tpl = form.workbook
    out = path.with_name(f"{path.stem}-{value or 'blank'}.xlsm")
    out.write_bytes(set_cells(path.read_bytes(), {tpl.info_sheet: {tpl.info("form_id").cell: value}}))
    return out


def test_the_derived_form_is_2021_plus_its_changes(plus: Form) -> None:
    assert plus.bases == ("gov-2021",) and plus.is_a("gov-2021") and not FORM_2021.is_a(plus.id)
    assert {c.key for c in plus.cells} - {c.key for c in FORM_2021.cells} == {ADDED}
    assert len(plus.cells) == len(FORM_2021.cells) + 1
    assert plus.cell(ADDED).address == "B16" and plus.cell(ADDED).sheet == FORM_2021.cell(FEE).sheet
    assert plus.workbook.version == "9.0.0" and FORM_2021.workbook.version != "9.0.0"
    # everything the changes do not touch is the base's
    assert plus.metadata_fields == FORM_2021.metadata_fields and plus.sections == FORM_2021.sections
    rules = {r.id for r in catalogue() if r.applies_to(plus)}
    base_rules = {r.id for r in catalogue() if r.applies_to(FORM_2021)}
    assert rules == (base_rules - {"V5"}) | {"Z1"}
    assert "V5" in base_rules and "Z1" not in base_rules


@pytest.mark.parametrize(("change", "says"), [
    ({"op": "test", "path": "/tables/0/key", "value": "requests"}, "test failed"),
    ({"op": "add", "path": "/tables/0/labels/-", "value": {"range": "A15", "text": "重复"}}, "share"),
    ({"op": "remove", "path": "/tables/9"}, "beyond"),
])
def test_a_change_that_breaks_the_form_is_refused_when_it_is_loaded(tmp_path: Path, change: dict[str, Any],
                                                                    says: str) -> None:
    doc = json.loads(PLUS_FILE.read_text("utf-8"))
    doc["id"] = "test-broken"
    doc["changes"].append(change)
    if change["op"] == "add":  # a label on the fee row's own label cell, pointing at a second row there
        doc["changes"][-1] = {"op": "add", "path": "/tables/0/rows/-",
                              "value": {"key": "twin", "label": "重复", "group": "item8", "at": 15}}
        doc["changes"].append({"op": "add", "path": "/tables/0/labels/-", "value": {"range": "A15", "row": "twin"}})
    (tmp_path / "broken.json").write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    with pytest.raises(SpecError, match=says):
        register_form(tmp_path / "broken.json")
    with pytest.raises(SpecError, match="unknown form"):
        load_form("test-broken")  # a refused form is not left half-registered


def test_each_workbook_is_read_and_checked_in_its_own_form(plus: Form, tmp_path: Path) -> None:
    old = made(FORM_2021, tmp_path / "2021.xlsm", fees=5000)
    new = made(plus, tmp_path / "plus.xlsm", fees=5000, other_fees=-1)
    assert form_of(old) is FORM_2021 and form_of(new) is plus
    assert read_workbook(old).form is FORM_2021
    report = read_workbook(new)
    assert report.form is plus and report.values[ADDED] == -1 and report.values[FEE] == 5000
    # 2021's rules on the 2021 workbook (5000 万元 is below V5's threshold; Z1 is not one of them) …
    assert not {k for k in keys(old) if k.startswith(("V5:", "Z1:"))}
    assert f"V5:{FEE}" in keys(made(FORM_2021, tmp_path / "2021-big.xlsm", fees=200000))
    # … and the derived form's own on its workbook: Z1 instead of V5, and the added row checked like any other
    found = keys(new)
    assert f"Z1:{FEE}" in found and f"V4:{ADDED}" in found and not {k for k in found if k.startswith("V5:")}
    blank = made(plus, tmp_path / "plus-blank.xlsm", other_fees=None)
    assert f"V1:{ADDED}" in keys(blank)


def test_the_form_is_read_from_the_version_when_the_info_sheet_does_not_say(plus: Form, tmp_path: Path) -> None:
    new = made(plus, tmp_path / "plus.xlsm")
    assert form_of(with_info(new, plus, "")) is plus and read_workbook(with_info(new, plus, "")).form is plus
    old = made(FORM_2021, tmp_path / "2021.xlsm")
    assert form_of(with_info(old, FORM_2021, "")) is FORM_2021


def test_a_form_the_program_cannot_read_a_workbook_in_is_refused_naming_it(plus: Form, tmp_path: Path) -> None:
    new = made(plus, tmp_path / "plus.xlsm")
    with pytest.raises(InputError, match="gov-2099") as unknown:
        read_workbook(with_info(new, plus, "gov-2099"))
    assert "最新版本" in str(unknown.value)
    with pytest.raises(InputError, match=load_form("gov-2019").title):
        form_of(with_info(new, plus, "gov-2019"))


def test_fill_and_next_year_keep_the_workbook_in_its_form(plus: Form, tmp_path: Path) -> None:
    new = made(plus, tmp_path / "plus.xlsm", other_fees=3)
    filled = run_fill(open_source(new), out=tmp_path / "filled.xlsm", today=TODAY)
    out = tmp_path / "filled.xlsm"
    out.write_bytes(filled.outputs[0].data)
    assert read_workbook(out).form is plus and read_workbook(out).values[ADDED] == 3
    for source, form in ((new, plus), (made(FORM_2021, tmp_path / "2021.xlsm"), FORM_2021)):
        target = tmp_path / f"next-{form.id}.xlsm"
        data, report = new_from_previous(source, target, today=TODAY)
        target.write_bytes(data)
        assert report.form is form and form_of(target) is form and read_workbook(target).year == 2025


def test_the_ribbon_reads_the_live_book_in_its_form(plus: Form, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XL_GONGKAI_LOG_DIR", str(tmp_path / "logs"))
    new = made(plus, tmp_path / "plus.xlsm")
    fee = plus.cell(FEE)
    new.write_bytes(set_cells(new.read_bytes(), {fee.sheet: {fee.address: 5000}}))  # typed, not yet checked
    assert f"Z1:{FEE}" not in _result_keys(new, plus)
    assert LiveBook(open_book(new)).form is plus
    book = open_book(new)
    outcome = excel.run(book, "check", out_dir=tmp_path / "out", today=TODAY)
    apply_actions(new, book)
    assert outcome.reads <= 8 and not outcome.critical, outcome.message  # the budget of reads holds
    assert f"Z1:{FEE}" in _result_keys(new, plus)  # the derived form's own rule, run from the ribbon


def _result_keys(path: Path, form: Form) -> set[str]:
    from python_calamine import CalamineWorkbook

    from xl_gongkai.spec.a1 import column_index

    tpl = form.workbook
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(tpl.results_sheet).to_python()
    at = column_index(tpl.results_column("key").at) - 1
    return {str(r[at]) for r in rows[tpl.results_first_row - 1:] if len(r) > at and r[at]}


def test_consolidation_adds_up_in_the_form_of_the_reports(plus: Form, tmp_path: Path) -> None:
    folder = tmp_path / "units"
    folder.mkdir()
    made(plus, folder / "a.xlsm", agency="甲局", other_fees=2)
    made(plus, folder / "b.xlsm", agency="乙局", other_fees=5)
    done = consolidate(folder, agency="某县", out=tmp_path / "sum.xlsm", today=TODAY)
    assert done.report.form is plus and done.report.values[ADDED] == 7 and done.included == 2
    (tmp_path / "sum.xlsm").write_bytes(done.output)
    assert read_workbook(tmp_path / "sum.xlsm").form is plus
    made(FORM_2021, folder / "c.xlsm", agency="丙局")
    with pytest.raises(InputError, match=f"{plus.short_title}|{FORM_2021.short_title}") as mixed:
        consolidate(folder, agency="某县", out=None, today=TODAY)
    assert plus.short_title in str(mixed.value) and FORM_2021.short_title in str(mixed.value)


def test_the_audit_reads_each_workbook_in_its_form(plus: Form, tmp_path: Path) -> None:
    folder = tmp_path / "units"
    folder.mkdir()
    made(plus, folder / "a.xlsm", agency="甲局")
    made(FORM_2021, folder / "b.xlsm", agency="乙局")
    result = run_audit(folder, jobs=1, today=TODAY)
    assert sorted(form for _, form, _ in result.reports()) == sorted(["gov-2021", plus.id])


def test_no_code_outside_the_spec_assumes_a_form() -> None:
    """Every path names the form: the file's, or ``current_form()`` where a new blank workbook is made."""
    calls = []
    for path in SRC.rglob("*.py"):
        if path.parent == SRC / "spec":
            continue
        text = path.read_text("utf-8")
        if "load_form" not in text:
            continue
        for node in ast.walk(ast.parse(text)):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name | ast.Attribute)
                    and getattr(node.func, "id", getattr(node.func, "attr", "")) == "load_form"
                    and not node.args and not node.keywords):
                calls.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert calls == []

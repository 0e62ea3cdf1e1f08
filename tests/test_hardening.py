"""Hardening: fuzzed and hostile inputs end in findings or one clear Chinese error; writes lose no data.

The fast slice of ``make fuzz`` (scripts/fuzz.py runs this same file with more examples): real workbooks
made from the template and then damaged (support/fuzzing.py), JSON documents and published texts bent
out of shape, hostile files (bombs, a million rows, things that are not workbooks), writes killed
half-way, and text that would run as a formula in a spreadsheet.

No test here asserts a time: a hostile file must be refused and the largest accepted input read in bounded
memory (asserted, per command-line process) and bounded time, which ``make fuzz`` reports as a ratio against
checking the plain filled workbook in the same run (scripts/fuzz.py), so that a loaded machine cannot fail
a test. ``make check`` leaves to ``make test`` the tests that run command-line processes (marked
``subprocess`` by the conftest) and the Excel commands' fuzzing (``slow``).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from conftest import TODAY
from support import documents
from support.fuzzing import (
    CJK,
    FORM,
    PUBLISHED,
    RAW_VALUES,
    REPORTS,
    ROOT,
    TPL,
    Raw,
    assert_clear,
    assert_clear_message,
    case,
    cli,
    edit_book,
    filled,
    fuzz_settings,
    measured,
    parts,
    put_raw,
    raw_cells,
    reads_as,
    rebuild,
    sheet_elements,
    sheet_parts,
)
from support.remote_book import apply_actions, open_book
from xl_gongkai import excel
from xl_gongkai.adapters import xlsx_guard
from xl_gongkai.adapters.jsonfile import read_report, report_from_document
from xl_gongkai.adapters.published import import_text
from xl_gongkai.adapters.workbook_read import read_extent, read_workbook
from xl_gongkai.adapters.xlsx_cells import WorkbookFormatError, set_cells
from xl_gongkai.adapters.xlsx_guard import MAX_SHEET_CELLS, scan_sheet
from xl_gongkai.commands.audit import run_audit, write_outputs
from xl_gongkai.commands.consolidate import consolidate
from xl_gongkai.commands.export import export_payload
from xl_gongkai.commands.fill import fill_file
from xl_gongkai.commands.workbook import new_workbook
from xl_gongkai.core.numbers import read
from xl_gongkai.core.rules import check
from xl_gongkai.errors import InputError
from xl_gongkai.fileio import STALE_AFTER, temp_files, write_bytes_atomic
from xl_gongkai.spec.a1 import cell_address, split_cell

VALUE_CELLS = [(c.sheet, c.address) for c in FORM.cells]
DERIVED = {(c.sheet, c.address) for c in FORM.derived_cells()}
META_CELLS = [(FORM.metadata_sheet, f.cell) for f in FORM.metadata_fields]
TEXT_CELLS = [(FORM.narrative_sheet, s.text_cell) for s in FORM.sections if s.text_cell]
REQUIRED_SHEETS = [*FORM.input_sheets(), TPL.results_sheet]
FORMULA_START = ("=", "+", "-", "@")


@pytest.fixture(autouse=True)
def _log_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XL_GONGKAI_LOG_DIR", str(tmp_path_factory.mktemp("logs")))


# ============================================================================================== strategies

_TRICKY_TEXT = ["=1+1", "+1", "-1", "@SUM(A1)", '=HYPERLINK("http://x","点我")', "五十三", " ", "\t", "1,000", "３",
                "1e5", "NaN", "inf", "#REF!", "TRUE", "'", "'=1", "_x0041_", "a\nb", "\u202e", "0x10", "１２", "—", "/"]
PLAIN_VALUES = st.one_of(
    st.none(),
    st.integers(-10**6, 10**6),
    st.integers(-(2**53), 2**53),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300),
    st.floats(0, 1e6).map(lambda x: round(x, 6)),
    st.sampled_from(_TRICKY_TEXT),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=30),
    st.just("长" * 32767),
)
CELL_VALUES = st.one_of(PLAIN_VALUES, st.sampled_from(RAW_VALUES))


def _write(package: bytes, sheet: str, address: str, value: Any) -> bytes:
    if isinstance(value, Raw):
        return put_raw(package, sheet, address, value.t, value.inner)
    return set_cells(package, {sheet: {address: value}})


def _expect(value: Any) -> str:
    return value.reads_as if isinstance(value, Raw) else reads_as(value)


def _show(value: Any) -> str:
    return value.label if isinstance(value, Raw) else repr(value)[:60]


# ============================================================================================== 1 cell values

@pytest.mark.slow  # seconds of CPU: in `make test`, not in the fast loop
@fuzz_settings()
@given(edits=st.dictionaries(st.sampled_from(VALUE_CELLS + META_CELLS + TEXT_CELLS), CELL_VALUES,
                             min_size=1, max_size=6))
# a year no date can have: the register's rule failed with an OverflowError (found by `make fuzz`); the last year
# whose next year is still a date
@example(edits={("封面", "B6"): 2147483648})
@example(edits={("封面", "B6"): 9999})
def test_any_value_in_any_cell_is_a_finding_on_that_cell(edits: dict[tuple[str, str], Any],
                                                         tmp_path_factory: pytest.TempPathFactory) -> None:
    """Text, negative, decimal, huge, formula, error values, dates, blanks: findings that name the cell.

    A blank cell is V1, anything that is not a number is V2 — an error value such as #REF! is text, never
    a blank; a newer error value (#SPILL!) is the one refusal, and it names the cell.
    """
    package = filled()
    for (sheet, address), value in edits.items():
        package = _write(package, sheet, address, value)
    path = tmp_path_factory.mktemp("values") / "fuzz.xlsm"
    path.write_bytes(package)
    shown = ", ".join(f"{s}!{a}={_show(v)}" for (s, a), v in edits.items())
    with case("cell values", shown):
        refused = {(s, a) for (s, a), v in edits.items() if _expect(v) == "refused"}
        # a huge negative number in a date-formatted cell (统计期限, 填报日期) makes calamine panic: refused
        out_of_dates = {(s, a) for (s, a), v in edits.items() if isinstance(v, (int, float)) and v <= -1e9}
        try:
            report = read_workbook(path)
        except InputError as exc:
            text = str(exc)
            assert_clear_message(text, path)
            named = [(s, a) for s, a in refused if f"“{s}”单元格 {a}" in text]
            named += [(s, a) for s, a in out_of_dates if f"“{s}”第 {split_cell(a)[0]} 行" in text]
            assert named, f"{shown}: {text}"
            return
        assert not refused, shown
        findings = check(report, today=TODAY).findings
        by_cell: dict[tuple[str, str], set[str]] = {}
        for f in findings:
            if f.place.sheet and f.place.cell:
                by_cell.setdefault((f.place.sheet, f.place.cell), set()).add(f.rule)
        for (sheet, address), value in edits.items():
            if (sheet, address) not in VALUE_CELLS:
                continue
            rules = by_cell.get((sheet, address), set())
            expected = {"blank": "V1", "text": "V2"}.get(_expect(value))
            assert ("V1" in rules) == (expected == "V1"), (sheet, address, _show(value), rules)
            assert ("V2" in rules) == (expected == "V2"), (sheet, address, _show(value), rules)


@pytest.mark.slow  # seconds of CPU: in `make test`, not in the fast loop
@fuzz_settings(0.5)
@given(edits=st.dictionaries(st.sampled_from(VALUE_CELLS), CELL_VALUES, min_size=1, max_size=8))
def test_fill_never_changes_an_input_cell(edits: dict[tuple[str, str], Any],
                                          tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every cell but the 34 totals keeps its XML byte for byte; every other part of the package too."""
    package = filled()
    for (sheet, address), value in edits.items():
        package = _write(package, sheet, address, value)
    d = tmp_path_factory.mktemp("fill")
    src, out = d / "in.xlsm", d / "out.xlsm"
    src.write_bytes(package)
    with case("fill keeps inputs", ", ".join(f"{a}={_show(v)}" for (_, a), v in edits.items())):
        try:
            fill_file(src, out)
        except InputError as exc:
            assert_clear_message(str(exc), src)
            assert not out.exists()
            return
        assert src.read_bytes() == package  # the source is never touched when writing elsewhere
        before, after = parts(package), parts(out.read_bytes())
        sheets = {part: sheet for sheet, part in sheet_parts(package).items()}
        assert set(before) == set(after)
        for name in before:
            if before[name] == after[name]:
                continue
            sheet = sheets.get(name)
            assert sheet in ("表三 依申请公开", "表四 复议诉讼"), name
            old, new = raw_cells(package, sheet), raw_cells(out.read_bytes(), sheet)
            for address in set(old) | set(new):
                if (sheet, address) not in DERIVED:
                    assert old.get(address) == new.get(address), (sheet, address)


# ============================================================================================== 2 structure

_SHEETS = [s for s in sheet_parts(filled())]
_LABELS = [(t.sheet, lab.anchor, lab.text) for t in FORM.tables for lab in t.labels]
OPERATIONS = st.one_of(
    st.tuples(st.just("delete"), st.sampled_from(_SHEETS)),
    st.tuples(st.just("rename"), st.sampled_from(_SHEETS),
              st.sampled_from(["表三", "Sheet1", "表三 依申请公开 ", "x"])),
    st.tuples(st.just("hide"), st.sampled_from(_SHEETS), st.sampled_from(["hidden", "veryHidden"])),
    st.tuples(st.just("reorder"), st.permutations(range(len(_SHEETS)))),
    st.tuples(st.just("move label"), st.sampled_from(_LABELS), st.sampled_from(["A1", "B40", "C3", "K2"])),
    st.tuples(st.just("version"), st.one_of(st.sampled_from(["0.9.0", "1.0", "2.0.0", "", "1.0.0 "]),
                                            st.integers(-5, 5), st.text(max_size=8))),
)


def _apply(package: bytes, op: tuple[Any, ...]) -> bytes:
    kind = op[0]
    if kind == "delete":
        return edit_book(package, lambda x: re.sub(rf'<sheet name="{re.escape(op[1])}"[^>]*/>', "", x))
    if kind == "rename":
        return edit_book(package, lambda x: x.replace(f'<sheet name="{op[1]}"', f'<sheet name="{op[2]}"'))
    if kind == "hide":
        def hide(m: re.Match[str]) -> str:
            element = re.sub(r' state="[^"]*"', "", m.group(0))
            return element.replace(f'name="{op[1]}"', f'name="{op[1]}" state="{op[2]}"', 1)
        return edit_book(package, lambda x: re.sub(rf'<sheet name="{re.escape(op[1])}"[^>]*/>', hide, x))
    if kind == "reorder":
        def reorder(x: str) -> str:
            found = sheet_elements(x)
            block = "".join(found[i] for i in op[1] if i < len(found))
            start = x.index(found[0])
            end = x.index(found[-1]) + len(found[-1])
            return x[:start] + block + x[end:]
        return edit_book(package, reorder)
    sheet, edits = ((op[1][0], {op[1][1]: None, op[2]: op[1][2]}) if kind == "move label"
                    else (FORM.metadata_sheet, {TPL.version_cell: op[1]}))
    try:
        return set_cells(package, {sheet: edits})
    except WorkbookFormatError:  # the sheet was deleted or renamed by an earlier operation
        return package


@fuzz_settings()
@given(ops=st.lists(OPERATIONS, min_size=1, max_size=3))
def test_deleted_renamed_hidden_reordered_sheets_moved_labels_and_versions(
        ops: list[tuple[Any, ...]], tmp_path_factory: pytest.TempPathFactory) -> None:
    package = filled()
    for op in ops:
        package = _apply(package, op)
    path = tmp_path_factory.mktemp("structure") / "fuzz.xlsm"
    path.write_bytes(package)
    kinds = {op[0] for op in ops}
    with case("structure", repr(ops)):
        try:
            report = read_workbook(path)
        except InputError as exc:
            text = str(exc)
            assert_clear_message(text, path)
            assert kinds - {"hide", "reorder"}, f"{ops}: {text}"  # hidden and reordered sheets read as they are
            if kinds == {"move label"}:  # the first label out of place is named, sheet and cell
                assert any(f"{op[1][0]}!{where}" in text for op in ops for where in (op[1][1], op[2])), text
            if kinds == {"version"}:
                assert f"{FORM.metadata_sheet}!{TPL.version_cell}" in text, text
            return
        original = read_workbook_bytes(filled())
        # whatever reads must read the same numbers: no sheet was read in the wrong place
        assert report.values == original.values, ops
        for op in ops:
            if op[0] in ("delete", "rename") and op[1] in REQUIRED_SHEETS:
                pytest.fail(f"{ops}: a required sheet is gone but the workbook was read")


def read_workbook_bytes(package: bytes) -> Any:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "w.xlsm"
        p.write_bytes(package)
        return read_workbook(p)


# ============================================================================================== 3 damaged zip

_PART_NAMES = sorted(parts(filled()))
DAMAGE = st.one_of(
    st.tuples(st.just("drop part"), st.sampled_from(_PART_NAMES)),
    st.tuples(st.just("truncate part"), st.sampled_from(_PART_NAMES), st.floats(0, 1)),
    st.tuples(st.just("garble part"), st.sampled_from(_PART_NAMES), st.integers(0, 10**6), st.binary(max_size=20)),
    st.tuples(st.just("truncate file"), st.floats(0, 1)),
    st.tuples(st.just("flip bytes"), st.lists(st.tuples(st.floats(0, 1), st.integers(1, 255)), max_size=6)),
    st.tuples(st.just("case twin"), st.sampled_from(_PART_NAMES)),
)


def _damage_all(package: bytes, damage: list[tuple[Any, ...]]) -> bytes:
    """Damage to parts first, then to the file as a whole (after which there are no parts to speak of)."""
    for d in sorted(damage, key=lambda d: d[0] in ("truncate file", "flip bytes")):
        package = _damage(package, d)
    return package


def _damage(package: bytes, d: tuple[Any, ...]) -> bytes:
    kind = d[0]
    if kind not in ("truncate file", "flip bytes") and d[1] not in parts(package):
        return package  # dropped by an earlier step
    if kind == "drop part":
        return rebuild(package, {d[1]: None})
    if kind == "truncate part":
        data = parts(package)[d[1]]
        return rebuild(package, {d[1]: data[: int(len(data) * d[2])]})
    if kind == "garble part":
        data = parts(package)[d[1]]
        at = d[2] % (len(data) + 1)
        return rebuild(package, {d[1]: data[:at] + d[3] + data[at + len(d[3]):]})
    if kind == "truncate file":
        return package[: int(len(package) * d[1])]
    if kind == "case twin":
        return rebuild(package, {d[1].upper(): parts(package)[d[1]]}) if d[1].upper() != d[1] else package
    out = bytearray(package)
    for where, xor in d[1] if out else ():
        i = min(int(where * len(out)), len(out) - 1)
        out[i] ^= xor
    return bytes(out)


@fuzz_settings()
@given(damage=st.lists(DAMAGE, min_size=1, max_size=3))
def test_damaged_packages_are_read_or_refused_in_chinese(damage: list[tuple[Any, ...]],
                                                        tmp_path_factory: pytest.TempPathFactory) -> None:
    package = _damage_all(filled(), damage)
    path = tmp_path_factory.mktemp("damage") / "fuzz.xlsm"
    path.write_bytes(package)
    with case("damaged zip", repr(damage)[:160]):
        try:
            check(read_workbook(path), today=TODAY)
        except InputError as exc:
            assert_clear_message(str(exc), path)
        try:
            fill_file(path, path.with_name("out.xlsm"))
        except InputError as exc:
            assert_clear_message(str(exc), path)


@functools.cache
def _document(kind: str) -> bytes:
    """A real file of each kind the published-report readers and the .xls guard take."""
    if kind == "pdf":
        return (PUBLISHED / "19_huaian-city-2024.pdf").read_bytes()
    if kind == "docx":
        from xl_gongkai.commands.report import render_report

        with tempfile.TemporaryDirectory() as d:
            render_report(read_report(REPORTS / "huaian-city-2024.json").report, docx_path=Path(d) / "r.docx",
                          today=TODAY)
            return (Path(d) / "r.docx").read_bytes()
    return documents.compound({"Workbook": documents.workbook_stream([(r, c, r * 10.0 + c) for r in range(30)
                                                                       for c in range(8)])})


_DOCUMENT_DAMAGE = st.tuples(st.sampled_from(["flip", "cut", "zero"]), st.floats(0, 1), st.integers(1, 255))


@fuzz_settings(0.5)
@given(kind=st.sampled_from(["pdf", "docx", "xls"]), damage=st.lists(_DOCUMENT_DAMAGE, min_size=1, max_size=4),
       name=st.sampled_from(["报告", "报告.txt", "报告.pdf", "报告.docx", "报告.xls"]))
def test_damaged_documents_are_read_or_refused_in_chinese(kind: str, damage: list[tuple[str, float, int]], name: str,
                                                          tmp_path_factory: pytest.TempPathFactory) -> None:
    """A PDF, a Word document and an .xls damaged the ways transfers damage files — bytes flipped, zeroed, the
    file cut short — under their own name or another: read (and checked) or refused in Chinese naming the file."""
    from xl_gongkai.commands.load import open_source

    data = bytearray(_document(kind))
    for how, where, n in damage:
        at = min(int(where * len(data)), max(len(data) - 1, 0))
        if how == "cut":
            del data[at:]
        elif how == "zero":
            data[at : at + n * 64] = bytes(len(data[at : at + n * 64]))
        elif data:
            data[at] ^= n
    path = tmp_path_factory.mktemp("documents") / name
    path.write_bytes(bytes(data))
    with case("damaged documents", f"{kind} as {name}: {damage!r}"[:160]):
        try:
            check(open_source(path).report, today=TODAY)
        except InputError as exc:
            assert_clear_message(str(exc), path)


def test_two_parts_truncated_to_nothing_are_not_one_answer(tmp_path: Path) -> None:
    """Found by make fuzz: the styles and the workbook part both emptied gave the same stored bytes, and the
    memo of checked parts answered for the workbook part what it had found for the styles (nothing), which
    ended in a TypeError. Each part is now checked for what it is."""
    package = _damage_all(filled(), [("truncate part", "xl/styles.xml", 0.0),
                                     ("truncate part", "xl/workbook.xml", 0.0)])
    path = tmp_path / "二处截断.xlsm"
    path.write_bytes(package)
    with pytest.raises(InputError, match=r"xl/workbook.xml：不是有效的 XML，文件已损坏"):
        read_workbook(path)


@fuzz_settings(0.15)
@given(kind=st.sampled_from(["values", "structure", "damage"]), data=st.data())
def test_the_command_line_on_fuzzed_workbooks(kind: str, data: st.DataObject,
                                             tmp_path_factory: pytest.TempPathFactory) -> None:
    """A sample through ``python -m xl_gongkai``: exit 0, 1 or 2, never a traceback, the file named on 2."""
    package = filled()
    if kind == "values":
        for (sheet, address), value in data.draw(st.dictionaries(st.sampled_from(VALUE_CELLS), CELL_VALUES,
                                                                 min_size=1, max_size=4)).items():
            package = _write(package, sheet, address, value)
    elif kind == "structure":
        for op in data.draw(st.lists(OPERATIONS, min_size=1, max_size=2)):
            package = _apply(package, op)
    else:
        package = _damage_all(package, data.draw(st.lists(DAMAGE, min_size=1, max_size=2)))
    d = tmp_path_factory.mktemp("cli")
    path = d / "报告.xlsm"
    path.write_bytes(package)
    for args in (("check", path), ("fill", path, "-o", d / "out.xlsm"), ("export", path, "--draft", "-o",
                                                                           d / "p.json")):
        with case("command line", f"{kind}: {args[0]}") as rec:
            run = measured(rec, cli(*args, "--today", TODAY.isoformat()))
            assert_clear(run, path)


# ============================================================================================== 4 JSON

_JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(-(10**20), 10**20), st.floats(allow_nan=False),
                       st.text(max_size=20), st.sampled_from(_TRICKY_TEXT))
_JSON = st.recursive(_JSON_LEAF, lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids,
                                                                                          max_size=4), max_leaves=12)


def _doc() -> dict[str, Any]:
    return json.loads((REPORTS / "huaian-city-2024.json").read_text("utf-8"))


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, (*prefix, k))
    return out


@fuzz_settings(0.5)
@given(data=st.data())
def test_json_documents_read_check_export_and_round_trip(data: st.DataObject,
                                                         tmp_path_factory: pytest.TempPathFactory) -> None:
    """Whatever JSON is accepted, our own outputs of it (payload, workbook) read back."""
    doc: Any = _doc()
    for _ in range(data.draw(st.integers(1, 4))):
        paths = _paths(doc)
        target = data.draw(st.sampled_from(paths))
        value = data.draw(st.one_of(_JSON, _JSON_LEAF))
        if not target:
            doc = value if data.draw(st.booleans()) else doc
            continue
        holder = doc
        for k in target[:-1]:
            holder = holder[k]
        if data.draw(st.booleans()):
            holder[target[-1]] = value
        else:
            del holder[target[-1]]
    d = tmp_path_factory.mktemp("json")
    src = d / "r.json"
    src.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    with case("json", json.dumps(doc, ensure_ascii=False)[:160]):
        try:
            report = read_report(src).report
        except InputError as exc:
            assert_clear_message(str(exc), src)
            return
        check(report, today=TODAY)
        export_payload(report, d / "p.json", today=TODAY, draft=True, summary_path=d / "s.md")
        again = read_report(d / "p.json").report
        assert {k: read(v) for k, v in again.values.items()} == {k: read(v) for k, v in report.values.items()}
        try:
            new_workbook(d / "r.xlsm", source=report, today=TODAY)
        except InputError as exc:  # a value a workbook cannot hold (beyond ±2^53, over 32 767 characters)
            assert_clear_message(str(exc), d / "r.xlsm")
            assert not (d / "r.xlsm").exists()
            return
        back = read_workbook(d / "r.xlsm")
        for cell in FORM.input_cells():  # the workbook holds what the document said (new fills the totals)
            value = report.values.get(cell.key)
            assert read(back.values[cell.key]) == read(value), (cell.key, value)


def test_hostile_json_structures(tmp_path: Path) -> None:
    cases = {
        "deep-list.json": "[" * 100_000 + "]" * 100_000,
        "deep-dict.json": '{"a":' * 50_000 + "1" + "}" * 50_000,
        "long-int.json": '{"values": {"active": {"rules": {"issued": ' + "9" * 5000 + "}}}}",
        "infinity.json": '{"values": {"active": {"rules": {"issued": 1e999}}}}',
        "nan.json": '{"metadata": {"year": NaN}}',
        "not-utf8.json": "{}",
        "top-level-list.json": "[1, 2]",
    }
    expected = {"deep-list.json": "嵌套层数", "deep-dict.json": "嵌套层数", "long-int.json": "位数过多",
                "infinity.json": "values.active.rules.issued", "nan.json": "metadata.year",
                "not-utf8.json": "UTF-8", "top-level-list.json": "不是本工具的数据包或报告 JSON（顶层不是对象"}
    for name, text in cases.items():
        p = tmp_path / name
        p.write_bytes(text.encode("utf-16") if name == "not-utf8.json" else text.encode("utf-8"))
        with pytest.raises(InputError) as exc:
            read_report(p)
        assert expected[name] in str(exc.value) and str(p) in str(exc.value)


# ============================================================================================== 5 published text

_TEXTS = sorted(PUBLISHED.glob("*.txt"))
_NOISE = st.one_of(st.text(max_size=12), st.sampled_from(["一、总体情况", "规章", "0", "/", "—", "-1", "1.5", "1,000",
                                                          "\t", " | ", "\x00", "\ufeff", "（七）总计", "行政复议",
                                                          "第二十条第（一）项", "二、主动公开政府信息情况"]))


@fuzz_settings()
@given(source=st.sampled_from(_TEXTS), data=st.data())
def test_published_text_bent_out_of_shape(source: Path, data: st.DataObject) -> None:
    lines = source.read_text("utf-8").split("\n")
    for _ in range(data.draw(st.integers(1, 8))):
        i = data.draw(st.integers(0, len(lines)))
        action = data.draw(st.sampled_from(["delete", "duplicate", "insert", "swap", "split"]))
        if action == "delete" and i < len(lines):
            del lines[i]
        elif action == "duplicate" and i < len(lines):
            lines.insert(i, lines[i])
        elif action == "insert":
            lines.insert(i, data.draw(_NOISE))
        elif action == "swap" and i + 1 < len(lines):
            lines[i], lines[i + 1] = lines[i + 1], lines[i]
        elif action == "split" and i < len(lines) and lines[i]:
            at = data.draw(st.integers(0, len(lines[i])))
            lines[i: i + 1] = [lines[i][:at], lines[i][at:]]
    text = "\n".join(lines)
    with case("published text", f"{source.name}: {len(text)} characters"):
        try:
            result = import_text(text)
        except InputError as exc:
            assert CJK.search(str(exc))
            return
        check(result.report, today=TODAY)
        assert result.format in ("gov-2021", "gov-2019")


# ============================================================================================== 6 Excel commands

_INPUTS_ON_SHEET = [(c.sheet, c.address) for c in FORM.cells if not c.derived] + META_CELLS + TEXT_CELLS
_EXPLANATIONS = st.one_of(st.sampled_from(["=1+1", "-已核实", "+说明", "@某人", "'引号", "已核实，数字无误。", "123"]),
                          st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20))


def _input_values(path: Path) -> dict[tuple[str, str], Any]:
    """Every input cell's value as the checks read it (error values included), and the explanations."""
    report = read_workbook(path)
    out: dict[tuple[str, str], Any] = {(c.sheet, c.address): report.values.get(c.key) for c in FORM.cells
                                       if not c.derived}
    out.update({("metadata", k): v for k, v in report.metadata.items()})
    out.update({("narrative", k): v for k, v in report.narrative.items()})
    # an explanation belongs to a finding: when a command resolves the finding (fill corrects a total),
    # its explanation goes with it; every explanation of a finding that stands must stay as typed
    standing = {f.key for f in check(report, today=TODAY).findings}
    out.update({("explanation", k): v for k, v in report.explanations.items() if k in standing})
    return out


# the cover's date cells (统计期限, 填报日期): date-formatted in the template
_DATE_CELLS = {(FORM.metadata_sheet, f.cell) for f in FORM.metadata_fields if f.type == "date"}


def _harness_can_send(cell: tuple[str, str], v: Any) -> bool:
    """The harness builds the book from calamine's reading of the file, which panics on a number far outside
    the calendar in a date-formatted cell, negative or positive (Excel would send the number; make fuzz once met
    a huge positive one); long texts only slow it down."""
    far = isinstance(v, (int, float)) and not isinstance(v, bool) and abs(v) > 1e9
    return not (isinstance(v, str) and len(v) > 1000) and not (far and (cell in _DATE_CELLS or v < 0))


_EXCEL_VALUES = st.one_of(PLAIN_VALUES, st.sampled_from([r for r in RAW_VALUES if r.reads_as != "refused"]))


@pytest.mark.slow
@fuzz_settings(0.5)
@given(edits=st.dictionaries(st.sampled_from(_INPUTS_ON_SHEET), _EXCEL_VALUES, max_size=5).filter(
           lambda edits: all(_harness_can_send(cell, v) for cell, v in edits.items())),
       explanations=st.lists(_EXPLANATIONS, min_size=1, max_size=4))
def test_the_excel_commands_never_change_an_input_cell(edits: dict[tuple[str, str], Any], explanations: list[str],
                                                      tmp_path_factory: pytest.TempPathFactory) -> None:
    """校验 and 填充合计 through xlwings' remote engine: inputs and the clerk's explanations stay as typed,
    and no text the commands write turns into a formula (the harness refuses that write)."""
    d = tmp_path_factory.mktemp("excel")
    package = filled()
    for (sheet, address), value in edits.items():
        package = _write(package, sheet, address, value)
    path = d / "book.xlsm"
    path.write_bytes(package)
    with case("excel commands", ", ".join(f"{a}={_show(v)}" for (_, a), v in edits.items())):
        book = open_book(path)
        outcome = excel.run(book, "check", out_dir=d / "out", today=TODAY)
        assert "程序内部错误" not in outcome.message, outcome.message
        apply_actions(path, book)
        col = TPL.results_column("explanation").at  # what the clerk types next to the findings listed
        path.write_bytes(set_cells(path.read_bytes(), {TPL.results_sheet: {
            f"{col}{TPL.results_first_row + i}": text for i, text in enumerate(explanations)}}))
        before = _input_values(path)
        for command in ("check", "fill"):
            book = open_book(path)
            outcome = excel.run(book, command, out_dir=d / "out", today=TODAY)
            assert "程序内部错误" not in outcome.message, outcome.message
            apply_actions(path, book)
            after = _input_values(path)
            assert {k: v for k, v in after.items() if k[0] != "explanation"} == {
                k: v for k, v in before.items() if k[0] != "explanation"}, command
            assert {k: v for k, v in after.items() if k[0] == "explanation"} == {
                k: v for k, v in before.items() if k[0] == "explanation" and k in after}, command
            assert all(k in after for k in before if k[0] == "explanation" and command == "check"), command
            before = after


# ============================================================================================== 7 hostile files

def _bomb_package(name: str, mib: int, unit: bytes, head: bytes = b"", tail: bytes = b"") -> bytes:
    """The filled workbook with one part (replaced, or added last) of ``mib`` MiB of ``unit`` (deflate level 9)."""
    bomb, _ = documents.repeated_deflate(unit * ((1 << 20) // len(unit)), mib, head, tail)
    with zipfile.ZipFile(io.BytesIO(filled())) as zin:
        others = [(i.filename, zin.read(i.filename)) for i in zin.infolist() if i.filename != name]
    return documents.zip_of([*others, (name, bomb)])


_LOL = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' + "".join(
    f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)) + "]>")


def _laughs(package: bytes, part: str, where: str, payload: str) -> bytes:
    xml = parts(package)[part].decode("utf-8").split("?>", 1)[1]
    return rebuild(package, {part: (_LOL + xml.replace(where, payload, 1)).encode("utf-8")})


def _million_rows(package: bytes) -> bytes:
    part = sheet_parts(package)["表三 依申请公开"]
    xml = parts(package)[part].decode("utf-8")
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(40, 1_000_040))
    return rebuild(package, {part: xml.replace("</sheetData>", rows + "</sheetData>").encode("utf-8")})


def _far_cell(package: bytes) -> bytes:
    part = sheet_parts(package)["表三 依申请公开"]
    xml = parts(package)[part].decode("utf-8")
    far = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    return rebuild(package, {part: xml.replace("</sheetData>", far + "</sheetData>").encode("utf-8")})


HOSTILE: dict[str, tuple[str, Any, str]] = {
    # name: (file name, content builder, what the message must say)
    "zip bomb in the shared strings": ("bomb.xlsm", lambda: _bomb_package(
        "xl/sharedStrings.xml", 256, b"<si><t>a</t></si>",
        b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">',
        b"</sst>"), "解压后超过 16 MB"),
    "zip bomb in a sheet": ("bomb-sheet.xlsm", lambda: _bomb_package(
        sheet_parts(filled())["表三 依申请公开"], 256, b"<row/>",
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>',
        b"</sheetData></worksheet>"), "解压后超过 16 MB"),
    "XML entity bomb in a sheet": ("laughs-sheet.xlsm", lambda: _laughs(
        filled(), sheet_parts(filled())["表三 依申请公开"], "<sheetData>",
        '<sheetData><row r="100"><c r="A100" t="inlineStr"><is><t>&lol9;</t></is></c></row>'), "DTD"),
    "XML entity bomb in workbook.xml": ("laughs-book.xlsm", lambda: _laughs(
        filled(), "xl/workbook.xml", 'name="封面"', 'name="&lol9;"'), "DTD"),
    "a sheet with a million rows": ("million.xlsm", lambda: _million_rows(filled()), "解压后超过 16 MB（已到第"),
    "one value in XFD1048576": ("far.xlsm", lambda: _far_cell(filled()), "XFD1048576"),
    "text named .xlsm": ("text.xlsm", lambda: "这不是工作簿\n".encode() * 100, "不是可读取的 Excel 工作簿"),
    "random bytes named .xlsm": ("random.xlsm", lambda: random.Random(7).randbytes(200_000),
                                 "不是可读取的 Excel 工作簿"),
    "an empty file": ("empty.xlsm", lambda: b"", "空文件（0 字节）"),
    "a damaged compound (.xls) file": ("old.xlsm", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096),
                                       "复合文档（OLE）结构已损坏"),
    "a 60 MB workbook": ("huge.xlsm", lambda: filled() + bytes(60 << 20), "文件过大"),
    "an HTML report of 50 MB": ("report.html", lambda: (
        "<html><body>" + "<p>一、总体情况 本机关认真贯彻落实。</p>" * 1_300_000 + "</body></html>").encode(),
        "超过 20 MB"),
    "a page of 200 000 nested tags": ("deep.html", lambda: ("<div>" * 200_000 + "x").encode(), "个标签"),
    "a text of 22 MB": ("report.txt", lambda: "规章 1 2 3\n".encode() * 1_700_000, "超过 20 MB"),
    "19 MB of line breaks": ("lines.txt", lambda: b"\n" * 19_000_000, "行的上限"),
    "a JSON of 6 MB": ("big.json", lambda: json.dumps({"narrative": {"overview": "长" * 2_100_000}}).encode(),
                       "超过 5 MB"),
    "JSON nested 100 000 deep": ("deep.json", lambda: b"[" * 100_000 + b"]" * 100_000, "嵌套层数"),
    # Excel 97-2003: without the guard calamine takes 1 GB, aborts the process, or reads for ever
    "an .xls with a cell in row 65 536": ("far.xls", lambda: documents.compound(
        {"Workbook": documents.workbook_stream([(0, 0, 1.0), (65535, 255, 2.0)])}), "IV65536"),
    "an .xls whose DIMENSIONS claim 2^32 rows": ("dims.xls", lambda: documents.compound(
        {"Workbook": documents.workbook_stream([(0, 0, 1.0)], dimensions=(0, 2**32 - 1, 0, 255))}), "4,294,967,296"),
    "an .xls whose directory chain loops": ("loop.xls", lambda: documents.looped(documents.compound(
        {"Workbook": documents.workbook_stream([(0, 0, 1.0)])})), "扇区链出现循环"),
    "an .xls whose DIFAT loops": ("difat.xls", lambda: documents.difat_looped(documents.compound(
        {"Workbook": documents.workbook_stream([(0, 0, 1.0)])})), "DIFAT 扇区链出现循环"),
    "a .doc of 60 MB": ("big.doc", lambda: documents.compound({"WordDocument": bytes(60 << 20)}), "超过 50 MB"),
    # Word: a bomb in the main part, an entity bomb, a zip of 20 000 entries
    "zip bomb in a Word document": ("bomb.docx", lambda: documents.docx(repeat=(b"<w:p/>", 256)), "解压后超过 16 MB"),
    "XML entity bomb in a Word document": ("laughs.docx", lambda: documents.docx(
        [b"<w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>"], prolog=_LOL.encode()), "DTD"),
    "a Word document of 20 000 parts": ("parts.docx", lambda: _many_entries(20_000), "文件过多"),
    # PDF: 1 GB of blanks in a content stream (PDFium held 2 GB for it), 400 pages, random bytes
    "a PDF whose content inflates to 1 GB": ("bomb.pdf", lambda: documents.pdf_with_content(b"", flate_mib=1024),
                                             "解压后超过 32 MB"),
    "a PDF of 400 pages": ("pages.pdf", lambda: documents.blank_pdf(400), "超过 200 页"),
    "random bytes named .pdf": ("random.pdf", lambda: random.Random(8).randbytes(200_000), "不是可读取的 PDF"),
}


def _many_entries(n: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("word/document.xml", documents.W_OPEN + documents.W_CLOSE)
        for i in range(n):
            zf.writestr(f"word/media/{i}.xml", b"")
    return out.getvalue()
# Peak resident memory of the whole command (Python, pandas-free CLI imports included: about 50 MB).
# Unbounded, these files take gigabytes (the shared-strings bomb 1 GB for 2 MB, XFD1048576 550 GB).
MEMORY_CAP_MB = 300


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile")


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_files_are_refused_in_bounded_memory(name: str, hostile_dir: Path) -> None:
    file_name, build, message = HOSTILE[name]
    path = hostile_dir / file_name
    path.write_bytes(build())
    with case("hostile files", name) as rec:
        run = measured(rec, cli("check", path))
        assert run.code == 2, (name, run.code, run.stdout[-500:], run.stderr[-500:])
        assert_clear(run, path)
        assert message in run.stderr, (name, run.stderr)
        assert 0 < run.peak_rss_mb < MEMORY_CAP_MB, (name, run.peak_rss_mb)
    path.unlink()


def test_a_bomb_in_a_part_nobody_reads_is_never_unpacked(tmp_path: Path) -> None:
    """1 GB of zeros as an image: check reads the workbook; fill (which carries every part) refuses it."""
    path = tmp_path / "media.xlsm"
    path.write_bytes(_bomb_package("xl/media/image1.png", 1024, b"\0"))
    with case("hostile files", "1 GiB of zeros as an image: check") as rec:
        run = measured(rec, cli("check", path, "--today", TODAY.isoformat()))
        assert run.code == 0 and 0 < run.peak_rss_mb < MEMORY_CAP_MB, run
    with case("hostile files", "1 GiB of zeros as an image: fill") as rec:
        run = measured(rec, cli("fill", path, "--today", TODAY.isoformat()))
        assert run.code == 2 and "超过上限" in run.stderr, run
        assert 0 < run.peak_rss_mb < MEMORY_CAP_MB, run


def test_error_values_are_text_not_blanks(tmp_path: Path) -> None:
    """python-calamine reads #REF! as an empty string; a broken formula must not pass for a blank cell."""
    package = put_raw(filled(), "表三 依申请公开", "D5", "e", "<f>1/0</f><v>#DIV/0!</v>")
    package = put_raw(package, "表三 依申请公开", "E5", "e", "<v>#REF!</v>")
    path = tmp_path / "errors.xlsm"
    path.write_bytes(package)
    run = cli("check", path, "--today", TODAY.isoformat())
    assert run.code == 1
    assert "V2 表三“一、本年新收政府信息公开申请数量”行、“自然人”列填写的是“#DIV/0!”" in run.stdout
    assert "“商业企业”列填写的是“#REF!”" in run.stdout and "'表三 依申请公开'!E5" in run.stdout


@fuzz_settings(0.5)
@given(cells=st.lists(st.tuples(st.integers(1, 300), st.integers(1, 60), st.booleans(), st.booleans()), max_size=40),
       rows_without_r=st.booleans())
def test_the_guard_counts_positions_as_calamine_does(cells: list[tuple[int, int, bool, bool]],
                                                     rows_without_r: bool) -> None:
    """The fast scan (every cell has r first) and the general scan agree; both agree with calamine's extent."""
    cells = sorted({(r, c): (e, v) for r, c, e, v in cells}.items())
    by_row: dict[int, list[str]] = {}
    for (r, c), (is_error, has_value) in cells:
        addr = cell_address(r, c)
        if not has_value:
            xml = f'<c r="{addr}" s="1"/>'
        elif is_error:
            xml = f'<c r="{addr}" t="e"><v>#REF!</v></c>'
        else:
            xml = f'<c r="{addr}"><v>{r * c}</v></c>'
        by_row.setdefault(r, []).append(xml)
    rows = "".join(("<row>" if rows_without_r else f'<row r="{r}">') + "".join(x) + "</row>"
                   for r, x in sorted(by_row.items()))
    data = (f'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}'
            "</sheetData></worksheet>").encode()
    fast = scan_sheet(data, (100, 30), "S", "x", fast=True)
    slow = scan_sheet(data, (100, 30), "S", "x", fast=False)
    assert fast == slow
    valued = [(r, c) for (r, c), (_, v) in cells if v]
    assert (fast.rows, fast.cols) == ((max(r for r, _ in valued), max(c for _, c in valued)) if valued else (0, 0))
    assert set(fast.errors) == {(r, c) for (r, c), (e, v) in cells if e and v and r <= 100 and c <= 30}


@fuzz_settings(0.5)
@given(cells=st.lists(st.tuples(st.integers(1, 120_000), st.integers(1, 20_000), st.booleans(), st.booleans()),
                      max_size=30),
       size=st.sampled_from(["any", "small", "tiny"]))
def test_the_bounded_scan_never_lets_a_sheet_through_the_exact_scan_refuses(
        cells: list[tuple[int, int, bool, bool]], size: str) -> None:
    """What the guard does to a sheet nobody watches (``scan_bounded``): it refuses exactly what the exact scan
    refuses, and where it passes a sheet on the lengths of its addresses alone, the exact extent lies within what
    it says and no error value is missed. (Found by ``make fuzz`` when compared with the general path instead: an
    empty cell at XFE1.)"""
    if size == "small":  # within the two bounds (one letter and four digits, two letters and three): passed on them
        cells = [(1 + r % 9_999, 1 + c % 26, e, v) if r % 2 else (1 + r % 999, 1 + c % 702, e, v)
                 for r, c, e, v in cells]
    elif size == "tiny":  # one letter and three digits, as a template's sheets are: passed on one search
        cells = [(1 + r % 999, 1 + c % 26, e, v) for r, c, e, v in cells]
    placed = sorted({(r, c): (e, v) for r, c, e, v in cells}.items())
    by_row: dict[int, list[str]] = {}
    for (r, c), (is_error, has_value) in placed:
        addr = cell_address(r, c)
        xml = (f'<c r="{addr}" s="1"/>' if not has_value else f'<c r="{addr}" t="e"><v>#REF!</v></c>' if is_error
               else f'<c r="{addr}"><v>{r}</v></c>')
        by_row.setdefault(r, []).append(xml)
    rows = "".join(f'<row r="{r}">' + "".join(x) + "</row>" for r, x in sorted(by_row.items()))
    data = (f'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}'
            "</sheetData></worksheet>").encode()
    try:
        exact = scan_sheet(data, (100, 30), "S", "x")  # the scan the guard used before (an empty cell beyond XFD
    except InputError:                                # passes it, as calamine leaves empty cells out)
        with pytest.raises(InputError):
            xlsx_guard.scan_bounded(data, (100, 30), "S", "x")
        return
    bounded = xlsx_guard.scan_bounded(data, (100, 30), "S", "x")
    assert exact.rows <= bounded.rows and exact.cols <= bounded.cols
    assert (bounded.errors, bounded.unknown_errors) == (exact.errors, exact.unknown_errors)


def test_a_cell_the_scan_cannot_place_is_refused() -> None:
    tricky = [b'<c r="A1" foo=">"><v>1</v></c>', b"< c><v>1</v></c>",
              b'<c r="A1"><v>1</v></c><c r=\'XFD1048576\'><v>1</v></c>']
    for cell in tricky[:2]:
        data = b"<worksheet><sheetData><row>" + cell + b"</row></sheetData></worksheet>"
        try:
            scan = scan_sheet(data, (10, 10), "S", "x")
        except InputError as exc:
            assert "无法确定位置" in str(exc)
        else:
            assert (scan.rows, scan.cols) == (1, 1)
    data = b"<worksheet><sheetData><row>" + tricky[2] + b"</row></sheetData></worksheet>"
    with pytest.raises(InputError, match="XFD1048576"):  # single quotes: the general path, which still sees it
        scan_sheet(data, (10, 10), "S", "x")


def test_a_part_met_before_is_not_checked_again_and_a_changed_one_is(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The guard remembers the parts it checked by their stored bytes (a folder of workbooks from one template
    shares many): the same bytes give the same answer without a second look; a part whose bytes differ is
    checked, whatever else it shares with the files before it (here shared strings that gained a DTD)."""
    areas = {sheet: read_extent(FORM, sheet) for sheet in REQUIRED_SHEETS}
    good = tmp_path / "good.xlsm"
    good.write_bytes(filled())
    xlsx_guard.forget_checked()
    first = xlsx_guard.inspect_package(good, areas)
    looked: list[str] = []
    real = xlsx_guard._read_xml

    def counted(pkg: Any, info: Any, *rest: Any) -> bytes:
        looked.append(info.filename)
        return real(pkg, info, *rest)

    monkeypatch.setattr(xlsx_guard, "_read_xml", counted)
    assert xlsx_guard.inspect_package(good, areas) == first and looked == []
    bad = tmp_path / "bad.xlsm"
    bad.write_bytes(_laughs(filled(), "xl/sharedStrings.xml", "<si>", "<si>"))
    with pytest.raises(InputError, match="DTD") as refused:
        xlsx_guard.inspect_package(bad, areas)
    assert refused.value.place == str(bad) and looked == ["xl/sharedStrings.xml"]
    xlsx_guard.forget_checked()
    looked.clear()
    assert xlsx_guard.inspect_package(good, areas) == first
    assert len(looked) == 4 + len(areas)  # the sheets, and the shared strings, styles, relationships, workbook


def test_a_file_replaced_after_its_sniff_is_read_as_it_now_is(tmp_path: Path) -> None:
    """A zip's directory is parsed once for the sniff and the guard after it, by the file's identity: a file
    replaced in between by one of the same size and the same modification time (its entries in another order,
    so every offset differs) is parsed again — read from a stale directory, its parts would not be found."""
    from xl_gongkai.adapters.package_zip import EntryMeta, write_zip
    from xl_gongkai.adapters.sniff import sniff

    path = tmp_path / "a.xlsm"
    path.write_bytes(filled())
    before = os.stat(path)
    assert sniff(path).format.key == "workbook"
    with zipfile.ZipFile(path) as zf:
        entries = [(i.filename, zf.read(i), EntryMeta.of(i)) for i in reversed(zf.infolist())]
    replaced = write_zip(entries)
    assert len(replaced) == before.st_size and replaced != path.read_bytes()
    path.write_bytes(replaced)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(path).st_mtime_ns == before.st_mtime_ns
    assert read_workbook(path).values == read_workbook_bytes(filled()).values


def test_a_stray_value_far_right_in_the_first_rows_still_reads(tmp_path: Path) -> None:
    """The cap is on memory, not on neatness: XFD1 on a 29-row sheet is 475 000 cells, under the cap."""
    path = tmp_path / "stray.xlsm"
    path.write_bytes(set_cells(filled(), {"表三 依申请公开": {"XFD1": "备注"}}))
    assert MAX_SHEET_CELLS > 29 * 16_384
    assert read_workbook(path).values == read_workbook_bytes(filled()).values


# ============================================================================================== 8 no data loss

_PAUSE = """
import os, sys, time
sys.path.insert(0, {src!r})
moment = sys.argv[1]
def hook(frame, event, arg):
    name = getattr(arg, "__name__", "")
    if event == "c_call" and (arg is getattr(os, moment, None) or (moment == "write" and name == "write"
                              and type(getattr(arg, "__self__", None)).__name__ == "BufferedWriter")):
        sys.setprofile(None)
        print("paused", flush=True)
        time.sleep(600)
sys.setprofile(hook)
"""

_WRITE = _PAUSE + """
from xl_gongkai.fileio import write_bytes_atomic
write_bytes_atomic(sys.argv[2], b"N" * (64 << 20))
"""

_FILL = _PAUSE + """
from xl_gongkai.cli import main
sys.exit(main(sys.argv[2:]))
"""


def _run_until_paused(code: str, *args: str) -> subprocess.Popen[str]:
    child = subprocess.Popen([sys.executable, "-c", code.format(src=str(ROOT / "src")), *args],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert child.stdout is not None
    line = child.stdout.readline()
    assert line == "paused\n", (line, child.stderr.read() if child.stderr else "")
    return child


def _kill(child: subprocess.Popen[str]) -> None:
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)


@pytest.mark.parametrize("moment", ["write", "fsync", "replace"])
def test_a_write_killed_half_way_leaves_the_old_file(moment: str, tmp_path: Path) -> None:
    """The child stops itself at that call (a profiler hook, no change to the code under test); SIGKILL."""
    target = tmp_path / "年报数据.json"
    target.write_bytes(b"OLD" * 1000)
    with case("killed writes", f"write_bytes_atomic at {moment}"):
        child = _run_until_paused(_WRITE, moment, str(target))
        left = temp_files(target)
        assert len(left) == 1 and left[0].name.startswith(".年报数据.json.") and left[0].suffix == ".tmp"
        _kill(child)
    assert target.read_bytes() == b"OLD" * 1000
    assert temp_files(target) == left  # what a kill leaves: hidden, named after the file, ignored by audit


def test_a_write_killed_at_a_random_moment_leaves_old_or_new_never_half(tmp_path: Path) -> None:
    target = tmp_path / "w.bin"
    target.write_bytes(b"OLD" * 1000)
    code = f"import sys; sys.path.insert(0, {str(ROOT / 'src')!r})\n" \
           "from xl_gongkai.fileio import write_bytes_atomic\nprint('go', flush=True)\n" \
           "write_bytes_atomic(sys.argv[1], b'N' * (64 << 20))\n"
    rng = random.Random(11)
    for _ in range(3):
        child = subprocess.Popen([sys.executable, "-c", code, str(target)], stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None and child.stdout.readline() == "go\n"
        time.sleep(rng.uniform(0, 0.15))
        _kill(child)
        data = target.read_bytes()
        assert data == b"OLD" * 1000 or data == b"N" * (64 << 20)
        for t in temp_files(target):
            t.unlink()


def test_fill_killed_before_the_rename_leaves_the_workbook_and_the_next_write_cleans_up(tmp_path: Path) -> None:
    book = tmp_path / "报告.xlsm"
    book.write_bytes(set_cells(filled(), {"表三 依申请公开": {"J5": None}}))
    original = book.read_bytes()
    child = _run_until_paused(_FILL, "replace", "fill", str(book), "--today", TODAY.isoformat())
    _kill(child)
    assert book.read_bytes() == original
    (left,) = temp_files(book)
    # audit does not take the leftover for a report: it lists it as skipped, with what it is
    result = run_audit(tmp_path, jobs=1, today=TODAY)
    status = {r["file"]: (r["status"], r["note"]) for r in result.files}
    assert status["报告.xlsm"][0] == "已审核"
    assert status[left.name] == ("已跳过", "写入被中断时留下的临时文件（可以删除）")
    # a leftover younger than STALE_AFTER may be another process's write in progress: it stays
    fill_file(book)
    assert left.exists()
    old = time.time() - STALE_AFTER - 60
    os.utime(left, (old, old))
    write_bytes_atomic(book, book.read_bytes())
    assert not left.exists() and temp_files(book) == []
    assert read_workbook(book).values[next(c.key for c in FORM.cells if c.address == "J5")] is not None


def test_an_atomic_write_keeps_the_files_permissions(tmp_path: Path) -> None:
    target = tmp_path / "shared.xlsm"
    target.write_bytes(b"x")
    target.chmod(0o664)
    write_bytes_atomic(target, b"y")
    assert target.stat().st_mode & 0o777 == 0o664


# ============================================================================================== 9 formulas

HOSTILE_TEXT = ['=HYPERLINK("http://evil","点我")', "+1+1", "-1+1", "@SUM(1)", "=cmd|' /C calc'!A0", "\t=1", "\r=1"]


def _no_formula_cells(path: Path, texts: list[str]) -> None:
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and any(t.strip() in cell.value for t in texts):
                    assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)


def test_text_that_looks_like_a_formula_stays_text_in_every_file_we_write(tmp_path: Path) -> None:
    folder = tmp_path / "报告"
    folder.mkdir()
    for i, text in enumerate(HOSTILE_TEXT):
        doc = _doc()
        doc["metadata"]["agency"] = text
        doc["narrative"] = {"overview": text}
        doc["values"]["active"]["rules"]["issued"] = text  # a V2 finding quotes it
        doc["explanations"] = {"V5:active.fees.amount": text}
        (folder / f"{i}.json").write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    (folder / "@名单.json").write_text(json.dumps(_doc(), ensure_ascii=False), "utf-8")
    # the audit's Excel file and CSV files
    result = run_audit(folder, jobs=1, today=TODAY)
    xlsx, findings_csv = tmp_path / "审核结果.xlsx", tmp_path / "问题.csv"
    write_outputs(result, xlsx, findings_csv)
    _no_formula_cells(xlsx, HOSTILE_TEXT)
    for p in (findings_csv, tmp_path / "问题_报告清单.csv"):
        for row in csv.reader(io.StringIO(p.read_bytes().decode("utf-8-sig"), newline="")):
            assert not any(cell[:1] in (*FORMULA_START, "\t", "\r") for cell in row), row
    # a workbook made from such a report: agency, narrative and values are text cells
    report = report_from_document(json.loads((folder / "0.json").read_text("utf-8"))).report
    book = new_workbook(tmp_path / "new.xlsm", source=report, today=TODAY)
    _no_formula_cells(book, HOSTILE_TEXT)
    wb = openpyxl.load_workbook(book)
    assert wb[FORM.metadata_sheet][FORM.field("agency").cell].value == HOSTILE_TEXT[0]
    # the consolidation's sources sheet names the files and agencies; "\t=1" and "\r=1" are one agency (spaces
    # aside) with two different reports, which refuses the sum naming both files, until one is taken out
    with pytest.raises(InputError, match=r"同一机关有内容不同的报告.*=1（5\.json、6\.json）"):
        consolidate(folder, agency="=某市（汇总）", out=tmp_path / "汇总.xlsm", year=2024, today=TODAY)
    (folder / "6.json").unlink()
    (tmp_path / "汇总.xlsm").write_bytes(
        consolidate(folder, agency="=某市（汇总）", out=tmp_path / "汇总.xlsm", year=2024, today=TODAY).output)
    _no_formula_cells(tmp_path / "汇总.xlsm", [*HOSTILE_TEXT, "@名单.json", "=某市"])
    # the payload is JSON and the summary Markdown, read by programs and people, not run by a spreadsheet:
    # they keep the clerk's text exactly, with no apostrophe added
    export_payload(report, tmp_path / "p.json", today=TODAY, draft=True, summary_path=tmp_path / "s.md")
    payload = json.loads((tmp_path / "p.json").read_text("utf-8"))
    assert payload["metadata"]["agency"] == HOSTILE_TEXT[0] and payload["narrative"]["overview"] == HOSTILE_TEXT[0]


def test_the_excel_writer_keeps_text_as_text_and_our_links_as_formulas() -> None:
    from xl_gongkai.adapters.excel_live import as_text
    from xl_gongkai.adapters.formula_guard import Formula

    for text in [*HOSTILE_TEXT[:5], "'quoted"]:
        assert as_text(text) == "'" + text
    assert as_text("已核实") == "已核实" and as_text(3) == 3 and as_text(None) is None
    link = Formula('=HYPERLINK("#\'表三 依申请公开\'!E5","表三 依申请公开!E5")')
    assert as_text(link) is link


def test_a_date_cell_in_the_metadata_reads_as_that_date(tmp_path: Path) -> None:
    """统计期限 typed as a real date cell (not text) reads as the date, and M4 accepts it."""
    package = put_raw(filled(), FORM.metadata_sheet, FORM.field("period_start").cell, "d",
                      "<v>2024-01-01T00:00:00</v>")
    path = tmp_path / "d.xlsm"
    path.write_bytes(package)
    report = read_workbook(path)
    assert report.metadata["period_start"] == dt.date(2024, 1, 1)
    assert not [f for f in check(report, today=TODAY).findings if f.rule == "M4"]


def test_read_extent_covers_every_cell_the_reader_uses() -> None:
    """The reader converts only read_extent's rows; every address it reads lies inside them."""
    used = [(c.sheet, c.address) for c in FORM.cells] + META_CELLS + TEXT_CELLS
    used += [(FORM.metadata_sheet, TPL.version_cell)]
    used += [(t.sheet, lab.anchor) for t in FORM.tables for lab in t.labels]
    last = TPL.results_first_row + TPL.results_max_rows - 1
    used += [(TPL.results_sheet, f"{TPL.results_column(k).at}{last}") for k in ("key", "explanation")]
    for sheet, address in used:
        rows, cols = read_extent(FORM, sheet)
        r, col = split_cell(address)
        assert r <= rows and col <= cols, (sheet, address)


def test_a_date_cell_holding_a_huge_negative_number_names_the_row(tmp_path: Path) -> None:
    """python-calamine panics (Rust) converting -1e300 in a date-formatted cell: a Chinese message naming
    the sheet and row, and the panic's English text goes to the log, not to the clerk's screen."""
    path = tmp_path / "date.xlsm"
    path.write_bytes(set_cells(filled(), {FORM.metadata_sheet: {FORM.field("period_end").cell: -1e300}}))
    run = cli("check", path)
    row = FORM.field("period_end").cell[1:]
    assert run.code == 2 and f"工作表“{FORM.metadata_sheet}”第 {row} 行有设置为日期或时间格式的单元格" in run.stderr
    assert "panicked" not in run.stderr and "Traceback" not in run.stderr, run.stderr


def test_a_draft_of_an_incomplete_document_exports(tmp_path: Path) -> None:
    """No agency or year, or a number where the agency's name belongs: the draft payload still conforms."""
    doc = _doc()
    del doc["metadata"]["agency"]
    doc["metadata"]["year"] = 2024.5
    doc["metadata"]["region"] = 0
    src = tmp_path / "draft.json"
    src.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    run = cli("export", src, "--draft", "-o", tmp_path / "p.json", "--today", TODAY.isoformat())
    assert run.code == 0, run.stderr
    payload = json.loads((tmp_path / "p.json").read_text("utf-8"))
    assert payload["metadata"]["agency"] is None and payload["metadata"]["year"] == "2024.5"
    assert payload["metadata"]["region"] == "0" and payload["validation"]["ready"] is False


def _table_page(rows: int) -> bytes:
    body = "".join(f"<tr><td>规章{i % 100}</td><td>{i % 100}</td><td>{i % 100}</td><td>{i % 100}</td></tr>"
                   for i in range(rows))
    return f"<html><body><p>一、总体情况</p><table>{body}</table></body></html>".encode()


LARGEST_ACCEPTED: dict[str, tuple[str, Any]] = {
    # just under the caps, and shaped to cost the most per character: table rows (a region the table
    # reader scans); these took minutes before the readers were made linear (HTML grid, shared rows)
    "an HTML table of 15 000 rows": ("rows.html", lambda: _table_page(15_000)),
    "a text of 12 000 table lines": ("rows.txt", lambda: ("二、主动公开政府信息情况\n" + "\n".join(
        f"第二十条第（一）项 规章 {i % 1000} {i % 1000} {i % 1000}" for i in range(12_000))).encode()),
    "a value in XFD100 (1.6 million cells from A1)": ("far-right.xlsm", lambda: set_cells(
        filled(), {"表三 依申请公开": {"XFD100": 1}})),
    "a Word table of 15 000 rows": ("rows.docx", lambda: documents.docx_table(15_000)),
    "a PDF of 198 pages with text (the real one's 6, 33 times)": ("long.pdf", lambda: documents.pdf_pages(
        (PUBLISHED / "19_huaian-city-2024.pdf").read_bytes(), 33)),
}


@pytest.mark.parametrize("name", list(LARGEST_ACCEPTED))
def test_the_largest_inputs_we_accept_are_read_in_bounded_memory(name: str, tmp_path: Path) -> None:
    file_name, build = LARGEST_ACCEPTED[name]
    path = tmp_path / file_name
    path.write_bytes(build())
    with case("largest accepted", name) as rec:
        run = measured(rec, cli("check", path, "--today", TODAY.isoformat()))
        assert run.code in (0, 1), (name, run.stderr[-500:])
        assert_clear(run, path)
        assert 0 < run.peak_rss_mb < MEMORY_CAP_MB, (name, run.peak_rss_mb)


def test_a_total_no_workbook_can_hold_is_refused_naming_the_cell(tmp_path: Path) -> None:
    """Two inputs of 2^53 add up to a total Excel cannot store exactly: fill (file and Excel) says where."""
    path = tmp_path / "big.xlsm"
    path.write_bytes(set_cells(filled(), {"表三 依申请公开": {"D5": 2**53, "E5": 2**53}}))
    run = cli("fill", path)
    assert run.code == 2 and "合计无法写入" in run.stderr and "J5" in run.stderr, run.stderr
    assert path.read_bytes() == set_cells(filled(), {"表三 依申请公开": {"D5": 2**53, "E5": 2**53}})
    book = open_book(path)
    outcome = excel.run(book, "fill", out_dir=tmp_path / "out", today=TODAY)
    assert outcome.critical and "合计无法写入" in outcome.message and "程序内部错误" not in outcome.message
    assert not [a for a in apply_actions(path, book) if a["func"] == "setValues"]  # nothing written


def test_a_year_no_calendar_has_is_a_finding() -> None:
    """Year 2^31 with a full 统计期限 used to end in OverflowError inside the period rule."""
    for year in (10_000, 2**31, 10**20):
        doc = _doc()
        doc["metadata"]["year"] = year
        report = report_from_document(doc).report
        rules = {f.rule for f in check(report, today=TODAY).findings}
        assert "M2" in rules, year

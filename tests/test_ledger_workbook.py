"""The register sheet of the template: what a clerk types there is read; 填充合计 (fill, the ribbon, the page) counts
table 三 from it; a hand-typed 表三 that differs is an 错误; next year's workbook starts with the cases still open;
LibreOffice sees its dropdowns, date validation and protection."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Any

import pytest

from conftest import REPORTS, TODAY
from support.cli_run import run
from support.libreoffice import inspect_workbook
from support.remote_book import apply_actions, open_book
from xl_gongkai import excel, webpage
from xl_gongkai.adapters.jsonfile import read_report
from xl_gongkai.adapters.workbook_read import read_workbook
from xl_gongkai.adapters.xlsx_cells import set_cells
from xl_gongkai.commands.workbook import new_package, new_workbook
from xl_gongkai.core.rules import check
from xl_gongkai.spec import CellKey, load_form
from xl_gongkai.spec.a1 import split_cell

FORM = load_form()
SPEC = FORM.workbook.ledger
assert SPEC is not None
T = SPEC.table
OUTCOME = {c.key: c.label for c in FORM.outcome_choices()}
EPOCH = dt.date(1899, 12, 30)


@pytest.fixture(autouse=True)
def _log_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XL_GONGKAI_LOG_DIR", str(tmp_path / "logs"))


def typed(path: Path, rows: list[dict[str, Any]]) -> None:
    """What a clerk types into the register, row after row from its first: dates as Excel stores them."""
    cells: dict[str, Any] = {}
    for i, row in enumerate(rows):
        for column in SPEC.columns:
            v = row.get(column.key)
            cells[f"{column.at}{SPEC.first_row + i}"] = (v - EPOCH).days if isinstance(v, dt.date) else v
    path.write_bytes(set_cells(path.read_bytes(), {SPEC.sheet: cells}))


def huaian_book(tmp_path: Path) -> Path:
    """淮安's 2024 report in a workbook (its 表三 typed by hand, as published): the test's own copy."""
    path = tmp_path / "w.xlsm"
    path.write_bytes(_huaian_bytes())
    return path


@functools.cache  # made once by ``new --from``; every test writes its own copy
def _huaian_bytes() -> bytes:
    return new_package("w.xlsm", source=read_report(REPORTS / "huaian-city-2024.json").report, today=TODAY)


CLERK_ROWS = [  # report year 2024
    {"case_id": "2024-001", "received": dt.date(2023, 12, 27), "applicant": "自然人",
     "finished": dt.date(2024, 1, 8), "outcome": OUTCOME["disclosed"]},
    {"case_id": "2024-002", "received": dt.date(2024, 3, 4), "applicant": "商业企业",
     "finished": dt.date(2024, 3, 4), "outcome": OUTCOME["unavailable_not_held"], "remark": "当场答复"},
    {"case_id": "2024-003", "received": "2024-12-30", "applicant": "其他"},  # typed as text: still a date
    {"case_id": "2024-004", "received": dt.date(2025, 1, 3), "applicant": "自然人"},  # next year's
]


def test_what_a_clerk_types_is_read_and_a_table_that_differs_is_an_error(tmp_path: Path) -> None:
    book = huaian_book(tmp_path)
    typed(book, CLERK_ROWS)
    report = read_workbook(book)
    assert report.ledger is not None and [e.row for e in report.ledger.entries] == [4, 5, 6, 7]
    found = check(report, today=TODAY)
    l7 = found.by_rule("L7")
    assert l7 and all(f.severity.value == "错误" for f in l7)
    assert l7[0].key == f"L7:{T}.new" and "“自然人”表中为3001、台账为0" in l7[0].message  # 淮安 typed 3001
    assert [f.rule for f in found.findings if f.rule.startswith("L") and f.rule != "L7"] == ["L6"]


def test_fill_counts_table_three_from_the_register(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = huaian_book(tmp_path)
    typed(book, CLERK_ROWS)
    _, out, _ = run(capsys, "fill", book, "--today", TODAY)
    assert "表三已按依申请台账填写：计入 3 件申请（另有 1 件在报告年度之后收到，未计入）。" in out
    after = read_workbook(book)
    nonzero = {str(k): v for k, v in after.values.items() if k.table == T and v}
    assert nonzero == {f"{T}.carried_in.natural_person": 1, f"{T}.new.commercial": 1, f"{T}.new.other_org": 1,
                       f"{T}.disclosed.natural_person": 1, f"{T}.unavailable_not_held.commercial": 1,
                       f"{T}.carried_out.other_org": 1,
                       f"{T}.carried_in.total": 1, f"{T}.new.total": 2, f"{T}.disclosed.total": 1,
                       f"{T}.unavailable_not_held.total": 1, f"{T}.carried_out.total": 1,
                       f"{T}.total.natural_person": 1, f"{T}.total.commercial": 1, f"{T}.total.total": 2}
    rules = {f.rule for f in check(after, today=TODAY).findings}
    assert rules == {"L6", "N1"}  # 淮安's narrative quotes its own figures, which the register does not have
    assert after.ledger is not None and len(after.ledger) == 4  # the register itself is unchanged


def test_a_register_row_that_cannot_be_counted_leaves_table_three_as_it_stands(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = huaian_book(tmp_path)
    typed(book, [*CLERK_ROWS[:2], {"received": dt.date(2024, 5, 6), "applicant": "个体户"}])
    before = read_workbook(book).values
    code, out, _ = run(capsys, "fill", book, "--today", TODAY)
    assert code == 1 and "依申请台账有无法计数的行" in out and "L4 依申请台账第6行“申请人类别”" in out
    assert read_workbook(book).values == before


def test_the_ribbons_fill_counts_table_three_in_one_block(tmp_path: Path) -> None:
    book = huaian_book(tmp_path)
    typed(book, CLERK_ROWS)
    live = open_book(book)
    outcome = excel.run(live, "fill", out_dir=tmp_path / "out", today=TODAY)
    actions = apply_actions(book, live)
    # eight reads (the register is the eighth); 表三 whole as one block, 表四's three totals, the three outputs
    assert (outcome.reads, outcome.writes) == (8, 1 + 3 + 3)
    assert "表三已按依申请台账填写：计入 3 件申请" in outcome.message
    sheets = [s["name"] for s in live.api["sheets"]]
    table = FORM.table(T)
    blocks = [(a["start_row"] + 1, a["start_column"] + 1, len(a["values"]), len(a["values"][0]))
              for a in actions if a["func"] == "setValues" and sheets[a["sheet_position"]] == table.sheet]
    top_left = split_cell(FORM.cell(CellKey(T, table.rows[0].key, table.columns[0].key)).address)
    assert blocks == [(*top_left, len(table.rows), len(table.columns))]  # all 175 cells of 表三 at once
    assert read_workbook(book).values[CellKey(T, "new", "total")] == 2


def test_the_page_fills_table_three_from_the_register(tmp_path: Path) -> None:
    book = huaian_book(tmp_path)
    typed(book, CLERK_ROWS)
    done = webpage.fill(str(book), today=TODAY.isoformat(), home=str(tmp_path / "page"))
    assert "表三已按依申请台账填写：计入 3 件申请" in done["message"]
    filled = read_workbook(Path(done["source"]))
    assert filled.values[CellKey(T, "new", "total")] == 2 and filled.values[CellKey(T, "carried_out", "total")] == 1
    assert any(f["rule"] == "L6" for f in done["check"]["findings"])


def test_next_years_workbook_starts_with_the_cases_still_open(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    book = huaian_book(tmp_path)
    typed(book, CLERK_ROWS)
    run(capsys, "fill", book, "--today", TODAY)
    nxt = tmp_path / "2025.xlsm"
    code, out, err = run(capsys, "new", "--previous", book, "-o", nxt, "--today", TODAY)
    assert code == 0, err
    assert "上年台账中年底尚未办结的 2 件申请已转入依申请台账，表三按台账填写" in out
    report = read_workbook(nxt)
    assert report.year == 2025 and report.ledger is not None
    ids = [e.values[SPEC.columns.index(SPEC.case_id)] for e in report.ledger.entries]
    assert ids == ["2024-003", "2024-004"]
    last_year = read_workbook(book)
    for column in FORM.table(T).columns:  # 上年结转 is last year's 结转下年度, from the same rows
        assert report.values[CellKey(T, "carried_in", column.key)] == last_year.values[
            CellKey(T, "carried_out", column.key)]
    assert report.values[CellKey(T, "new", "natural_person")] == 1  # 2024-004, received in 2025
    assert not check(report, today=TODAY, previous=last_year).by_rule("X1")


def test_libreoffice_sees_the_registers_dropdowns_dates_and_protection(tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    register = tmp_path / "台账.csv"
    register.write_text("收到日期,申请人类别,办结日期,办理结果\n2025-01-06,自然人,2025-01-20,（一）予以公开\n", "utf-8")
    book = tmp_path / "w.xlsm"
    assert run(capsys, "new", "--agency", "某局", "--year", 2025, "--ledger", register, "-o", book,
               "--today", TODAY)[0] == 0
    view = inspect_workbook(book)
    sheets = {s["name"]: s for s in view["sheets"]}
    assert sheets[SPEC.sheet]["protected"] and sheets[SPEC.sheet]["visible"]
    assert sheets[SPEC.sheet]["code_name"] == "SheetLedger"
    cells = view["cells"][SPEC.sheet]
    row = SPEC.first_row
    assert cells[f"{SPEC.received.at}{row}"]["string"] == "2025-01-06" and not cells[f"{SPEC.received.at}{row}"][
        "locked"]
    date = cells[f"{SPEC.finished.at}{row}"]["validation"]
    assert (date["type"], date["operator"], date["error_style"]) == ("DATE", "BETWEEN", "STOP"), date
    assert date["formula1"] == str((SPEC.earliest_date - EPOCH).days)  # day serials: 2008-05-01 …
    assert date["formula2"] == str((dt.date(2100, 12, 31) - EPOCH).days)  # … to 2100-12-31
    for column in (SPEC.applicant, SPEC.outcome):
        v = cells[f"{column.at}{row}"]["validation"]
        assert v["type"] == "LIST" and v["formula1"] == FORM.workbook.defined_name("list", column.key), v
    assert cells[f"{SPEC.outcome.at}{row}"]["string"] == OUTCOME["disclosed"]
    named = view["named_ranges"]
    info = FORM.workbook.info_sheet
    assert named[FORM.workbook.defined_name("list", SPEC.outcome.key)].startswith(f"${info}.$E$2:$E$")
    lists = view["cells"][info]
    assert [lists[f"E{2 + i}"]["string"] for i in range(len(OUTCOME))] == list(OUTCOME.values())


def test_the_audit_says_that_an_application_was_probably_put_in_the_wrong_column(tmp_path: Path) -> None:
    """The real 2025 case, in an office's folder: 自然人 one short and 其他 one over on 一、本年新收, 总计 balanced."""
    import json

    from xl_gongkai.commands.audit import run_audit

    folder = tmp_path / "收件"
    folder.mkdir()
    doc = json.loads((REPORTS / "huaian-city-2024.json").read_text("utf-8"))
    doc["values"][T]["new"]["natural_person"] -= 1
    doc["values"][T]["new"]["other_org"] += 1
    (folder / "某局.json").write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    with run_audit(folder, jobs=1, today=TODAY) as result:
        r1 = [f for f in result.findings if f["rule"] == "R1"]
    assert [f["message"].split("：")[0] for f in r1] == ["R1 表三“自然人”列勾稽关系不成立",
                                                          "R1 表三“其他”列勾稽关系不成立"]
    assert all("很可能有 1 件申请在某一行计入了“自然人”、在另一行计入了“其他”" in f["message"] for f in r1)


def test_the_report_says_how_many_were_answered_in_time(tmp_path: Path) -> None:
    """The generated report's 依申请公开 paragraph (a 【自动生成】 marker) carries the register's figure."""
    from dataclasses import replace

    from xl_gongkai.commands.load import open_source
    from xl_gongkai.commands.report import run_report
    from xl_gongkai.core.ledger import Entry, Ledger

    reference = read_report(REPORTS / "panzhihua-dongqu-kejiju-2025.json").report
    rows = [("2025-03-03", "自然人", "2025-03-31", OUTCOME["disclosed"]),  # 20 working days
            ("2025-03-03", "商业企业", "2025-04-01", OUTCOME["partial"])]  # 21
    position = {c.key: i for i, c in enumerate(SPEC.columns)}
    entries = []
    for i, (got, who, done, outcome) in enumerate(rows):
        values: list[Any] = [None] * len(SPEC.columns)
        values[position["received"]], values[position["applicant"]] = dt.date.fromisoformat(got), who
        values[position["finished"]], values[position["outcome"]] = dt.date.fromisoformat(done), outcome
        entries.append(Entry(SPEC.first_row + i, tuple(values)))
    narrative = {**reference.narrative, "overview": "本年度政府信息公开工作情况如下。\n【自动生成：依申请公开】"}
    source = replace(reference, narrative=narrative)
    book = new_workbook(tmp_path / "w.xlsm", source=source, today=TODAY, ledger=Ledger(tuple(entries)))
    done = run_report(open_source(book), html=tmp_path / "年报.html", today=TODAY)
    assert done.refusal is None, done.refusal
    html = next(o.data for o in done.outputs if o.path.suffix == ".html").decode("utf-8")
    assert "办结的2件申请中，1件在收到申请之日起20个工作日内答复，1件超过20个工作日。" in html


def test_a_workbook_converted_with_new_from_keeps_its_register(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    book = huaian_book(tmp_path)
    typed(book, CLERK_ROWS)
    copy = tmp_path / "copy.xlsx"
    assert run(capsys, "new", "--from", book, "-o", copy, "--today", TODAY)[0] == 0
    before, after = read_workbook(book), read_workbook(copy)
    assert before.ledger is not None and after.ledger is not None
    assert [e.row for e in after.ledger.entries] == [e.row for e in before.ledger.entries]
    assert [e.values for e in after.ledger.entries] == [e.values for e in before.ledger.entries]
    assert after.values == before.values  # converted as stated: 表三 is not counted again on the way


def test_without_a_year_table_three_is_not_counted_and_fill_says_why(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    book = huaian_book(tmp_path)
    typed(book, CLERK_ROWS)
    year = FORM.field("year")
    book.write_bytes(set_cells(book.read_bytes(), {FORM.metadata_sheet: {year.cell: None}}))
    before = read_workbook(book).values
    code, out, _ = run(capsys, "fill", book, "--today", TODAY)
    assert code == 1 and "封面没有报告年度，表三没有按依申请台账填写" in out
    assert read_workbook(book).values == before

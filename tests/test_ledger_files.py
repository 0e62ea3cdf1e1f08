"""An office's own register (new --ledger, fill --ledger): a seeded register of a few hundred cases gives every cell
of table 三 as counted independently here; CSV in UTF-8 (with or without BOM) or GB18030 and workbooks, columns
in any order; a row that cannot be counted is named (file, row, column), exit 2, nothing written."""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from conftest import REPORTS, TODAY
from support.cli_run import run
from xl_gongkai.adapters.workbook_read import read_workbook
from xl_gongkai.spec import load_form

FORM = load_form()
SPEC = FORM.workbook.ledger
assert SPEC is not None
TABLE = FORM.table(SPEC.table)
YEAR = 2025
CLASSES = [c for c in TABLE.columns if not c.sum_of]  # the six applicant columns
OUTCOMES = FORM.outcome_choices()  # (row key, official label): 21 outcome rows
HEADER = {"case_id": "编号", "received": "收到日期", "applicant": "申请人类别", "finished": "办结日期",
          "outcome": "办理结果", "remark": "备注"}


def seeded_cases(seed: int = 23, count: int = 360) -> list[dict[str, Any]]:
    """Cases received from 2024 to 2026 (the report year 2025 with a year on either side); every class and every
    outcome is used within 2025, the rest at random; about one in six still open."""
    rng = random.Random(seed)
    cases = []
    for i in range(count):
        received = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(0, 1000))  # up to 2026-09-26
        finished = received + dt.timedelta(days=rng.randrange(0, 75)) if rng.random() < 0.83 else None
        if finished is not None and finished > TODAY:
            finished = None
        klass, outcome = rng.choice(CLASSES), rng.choice(OUTCOMES)
        if i < len(OUTCOMES):  # every outcome (and so every class) used within the year
            received, finished = dt.date(2025, 3, 1) + dt.timedelta(days=i), dt.date(2025, 6, 1) + dt.timedelta(days=i)
            klass, outcome = CLASSES[i % len(CLASSES)], OUTCOMES[i]
        cases.append({"case_id": f"YSQ-{i:04d}", "received": received, "applicant": klass,
                      "finished": finished, "outcome": outcome if finished else None,
                      "remark": "当场答复" if finished == received else None})
    rng.shuffle(cases)
    return cases


def expected_table(cases: list[dict[str, Any]], year: int) -> dict[str, dict[str, int]]:
    """Table 三 counted here, directly from the issue's definitions: {row key: {column key: count}}."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    rows = {r.key: {c.key: 0 for c in TABLE.columns} for r in TABLE.rows}
    for case in cases:
        col, got, done = case["applicant"].key, case["received"], case["finished"]
        if start <= got <= end:
            rows[SPEC.received_row][col] += 1
        if got < start and (done is None or done >= start):
            rows[SPEC.carried_in_row][col] += 1
        if done is not None and start <= done <= end:
            rows[case["outcome"].key][col] += 1
        if got <= end and (done is None or done > end):
            rows[SPEC.carried_out_row][col] += 1
    total_row = next(r for r in TABLE.rows if r.sum_of)
    for c in TABLE.columns:
        rows[total_row.key][c.key] = sum(rows[o.key][c.key] for o in OUTCOMES)
    total_col = next(c for c in TABLE.columns if c.sum_of)
    for r in TABLE.rows:
        rows[r.key][total_col.key] = sum(rows[r.key][c.key] for c in CLASSES)
    return rows


def write_csv(path: Path, cases: list[dict[str, Any]], *, encoding: str = "utf-8-sig", delimiter: str = ",",
              order: tuple[str, ...] = ("outcome", "received", "remark", "applicant", "case_id", "finished"),
              date: str = "{:%Y-%m-%d}") -> Path:
    """The register as an office's system exports it: its own column order and an extra column of its own."""
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh, delimiter=delimiter)
        w.writerow(["申请人姓名", *(HEADER[k] for k in order)])
        for i, case in enumerate(cases):
            shown = {k: case[k] for k in order}
            shown["applicant"] = case["applicant"].label
            shown["outcome"] = case["outcome"].label if case["outcome"] else ""
            for k in ("received", "finished"):
                shown[k] = date.format(case[k]) if case[k] else ""
            w.writerow([f"申请人{i}", *(shown[k] or "" for k in order)])
    return path


def payload_table(path: Path) -> dict[str, dict[str, int]]:
    values: dict[str, dict[str, dict[str, int]]] = json.loads(path.read_text("utf-8"))["values"]
    return values[TABLE.key]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_a_seeded_register_gives_every_cell_of_table_three(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                           encoding: str) -> None:
    cases = seeded_cases()
    assert {c["applicant"].key for c in cases if c["finished"] and c["finished"].year == YEAR} == {
        c.key for c in CLASSES}
    assert {c["outcome"].key for c in cases if c["finished"] and c["finished"].year == YEAR} == {
        o.key for o in OUTCOMES}
    assert {c["received"].year for c in cases} == {YEAR - 1, YEAR, YEAR + 1}
    register = write_csv(tmp_path / "台账.csv", cases, encoding=encoding)
    book, payload = tmp_path / "w.xlsm", tmp_path / "w.json"
    code, out, err = run(capsys, "new", "--agency", "某市某局", "--year", YEAR, "--ledger", register, "-o", book,
                         "--today", TODAY)
    assert code == 0, err
    assert f"依申请台账 {len(cases)} 件申请，表三已按台账填写" in out
    code, _, err = run(capsys, "export", book, "--draft", "-o", payload, "--today", TODAY)
    assert code == 0, err
    got, want = payload_table(payload), expected_table(cases, YEAR)
    cells = [(r.key, c.key) for r in TABLE.rows for c in TABLE.columns]
    assert len(cells) == 175
    assert [(r, c, got[r][c]) for r, c in cells] == [(r, c, want[r][c]) for r, c in cells]
    code, out, _ = run(capsys, "check", book, "--format", "json", "--today", TODAY)
    rules = {f["rule"] for f in json.loads(out)["validation"]["findings"]}
    assert not rules & {"R1", "R2", "R3", "L1", "L2", "L3", "L4", "L5", "L7", "L8"}
    assert "L6" in rules  # the 2026 cases are said, not counted
    # the register is in the workbook, in the template's words
    report = read_workbook(book)
    assert report.ledger is not None and len(report.ledger) == len(cases)
    first = report.ledger.entries[0]
    assert first.row == SPEC.first_row
    sheet = CalamineWorkbook.from_path(str(book)).get_sheet_by_name(SPEC.sheet).to_python()
    assert [sheet[SPEC.header_row - 1][i] for i in range(len(SPEC.columns))] == [c.label for c in SPEC.columns]
    received = sheet[SPEC.first_row - 1][SPEC.columns.index(SPEC.received)]
    assert isinstance(received, (dt.date, dt.datetime))  # a real date, not text


def test_an_unknown_outcome_is_named_by_file_row_and_column_and_nothing_is_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cases = seeded_cases(count=40)
    cases[11] = {**cases[11], "finished": dt.date(2025, 5, 6), "received": dt.date(2025, 5, 5),
                 "outcome": SimpleNamespace(label="予以公开了")}  # line 13 of the file (the header is line 1)
    register = write_csv(tmp_path / "台账.csv", cases)
    book = tmp_path / "w.xlsm"
    code, out, err = run(capsys, "new", "--agency", "某局", "--year", YEAR, "--ledger", register, "-o", book,
                         "--today", TODAY)
    assert code == 2 and out == ""
    assert str(register) in err and "第13行“办理结果”列：“予以公开了”不是办理结果的选项" in err
    assert "未写出任何文件" in err and not book.exists()
    assert list(tmp_path.iterdir()) == [register]


def test_every_problem_of_the_file_is_listed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    register = tmp_path / "台账.csv"
    register.write_text("编号,收到日期,申请人类别,办结日期,办理结果\n"
                        "1,2025-02-30,自然人,,\n"
                        "2,2025-03-01,个人,,\n"
                        "3,2025-03-01,自然人,2025-02-01,（一）予以公开\n"
                        "3,2025-03-02,其他,2025-03-03,\n", "utf-8")
    code, _, err = run(capsys, "new", "--agency", "某局", "--year", YEAR, "--ledger", register, "-o",
                       tmp_path / "w.xlsm", "--today", TODAY)
    assert code == 2
    assert "台账有 5 处无法计数" in err
    for text in ("第2行“收到日期”列：“2025-02-30”不是日期", "第3行“申请人类别”列：“个人”不是申请人类别的选项",
                 "第4行“办结日期”列：办结日期 2025-02-01 早于收到日期 2025-03-01", "第5行“编号”列：编号“3”与第4行重复",
                 "第5行“办理结果”列：填写了办结日期，但没有办理结果"):
        assert text in err, err
    assert not (tmp_path / "w.xlsm").exists()


def test_headers_are_found_under_a_title_and_by_their_known_variants(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    register = tmp_path / "台账.csv"
    register.write_text("某局2025年政府信息公开申请登记表\n\n"
                        "序号\t答复日期\t申请人类型\t收到申请日期\t答复结果\t申请事项\n"
                        "1\t2025/3/20\t商业企业\t2025年3月5日\t（三）不予公开 1.属于国家秘密\t某项目批复\n"
                        "2\t\t科研机构\t2025-12-31 16:05:00\t\t某数据\n", "gb18030")
    book = tmp_path / "w.xlsx"
    code, _, err = run(capsys, "new", "--agency", "某局", "--year", YEAR, "--ledger", register, "-o", book,
                         "--today", TODAY)
    assert code == 0, err
    values = read_workbook(book).values
    t = TABLE.key
    assert values[FORM.cell(f"{t}.new.commercial").key] == 1 and values[FORM.cell(f"{t}.new.research").key] == 1
    assert values[FORM.cell(f"{t}.withheld_state_secret.commercial").key] == 1
    assert values[FORM.cell(f"{t}.carried_out.research").key] == 1


def test_a_register_kept_in_a_workbook_is_read_from_the_sheet_that_has_it(tmp_path: Path,
                                                                           capsys: pytest.CaptureFixture[str]) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active["A1"] = "本工作簿为依申请公开登记"
    ws = wb.create_sheet("2025年登记")
    ws.append(["办理结果", "收到日期", "办结日期", "申请人类别", "编号"])
    ws.append(["（二）部分公开", dt.datetime(2025, 4, 1), dt.datetime(2025, 4, 15), "自然人", 17])
    ws.append([None, dt.datetime(2024, 12, 30), None, "社会公益组织", 18])
    ws.append(["（一）予以公开", dt.datetime(2025, 4, 1), dt.datetime(2025, 4, 2), "其他", "某某"])
    register = tmp_path / "台账.xlsx"
    wb.save(register)
    book = tmp_path / "w.xlsm"
    code, _, err = run(capsys, "new", "--agency", "某局", "--year", YEAR, "--ledger", register, "-o", book,
                       "--today", TODAY)
    assert code == 0, err
    report = read_workbook(book)
    t = TABLE.key
    assert report.values[FORM.cell(f"{t}.partial.natural_person").key] == 1
    assert report.values[FORM.cell(f"{t}.carried_in.nonprofit").key] == 1
    assert report.values[FORM.cell(f"{t}.carried_out.nonprofit").key] == 1
    ws["A4"] = "全部公开"  # not an outcome
    wb.save(register)
    code, _, err = run(capsys, "new", "--agency", "某局", "--year", YEAR, "--ledger", register, "-o",
                       tmp_path / "w2.xlsm", "--today", TODAY)
    assert code == 2 and "第4行“办理结果”列（A列）：“全部公开”不是办理结果的选项" in err


@pytest.mark.parametrize(("content", "words"), [
    ("编号,收到日期,办理结果\n1,2025-01-01,（一）予以公开\n", "找不到台账的列名"),
    (b"\x80\xff\x00\x81" * 20, "文件的编码无法识别"),
    (b"PK\x03\x04" + bytes(60), "文件的编码无法识别"),  # a workbook named .csv
])
def test_a_file_that_is_no_register_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               content: str | bytes, words: str) -> None:
    register = tmp_path / "台账.csv"
    if isinstance(content, str):
        register.write_text(content, "utf-8")
    else:
        register.write_bytes(content)
    code, _, err = run(capsys, "new", "--agency", "某局", "--year", YEAR, "--ledger", register, "-o",
                       tmp_path / "w.xlsm", "--today", TODAY)
    assert code == 2 and words in err and not (tmp_path / "w.xlsm").exists()


def test_fill_replaces_the_workbooks_register_and_counts_table_three_again(tmp_path: Path,
                                                                           capsys: pytest.CaptureFixture[str]) -> None:
    cases = seeded_cases(count=120)
    book = tmp_path / "w.xlsm"
    code, _, err = run(capsys, "new", "--from", REPORTS / "huaian-city-2024.json", "-o", book, "--today", TODAY)
    assert code == 0, err
    year = read_workbook(book).year
    assert year == 2024
    register = write_csv(tmp_path / "台账.csv", cases, delimiter="\t")
    code, out, err = run(capsys, "fill", book, "--ledger", register, "--today", TODAY)
    assert code in (0, 1), err
    assert f"依申请台账已换成台账文件中的 {len(cases)} 件申请；表三已按依申请台账填写" in out
    after = read_workbook(book)
    want = expected_table(cases, 2024)
    assert {(k.row, k.column): v for k, v in after.values.items() if k.table == TABLE.key} == {
        (r, c): want[r][c] for r in want for c in want[r]}
    assert after.ledger is not None and len(after.ledger) == len(cases)
    # a shorter register replaces it: the rows it no longer has are cleared
    fewer = write_csv(tmp_path / "台账2.csv", cases[:30])
    code, _, err = run(capsys, "fill", book, "--ledger", fewer, "--today", TODAY)
    again = read_workbook(book)
    assert again.ledger is not None and len(again.ledger) == 30 and again.ledger.used == SPEC.first_row + 29
    # the register file is never the workbook written
    code, _, err = run(capsys, "fill", book, "--ledger", book, "--today", TODAY)
    assert code == 2


def test_fill_ledger_on_a_workbook_without_a_register_says_how_to_get_one(tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    from conftest import DATA

    old = tmp_path / "old.xlsm"
    old.write_bytes((DATA / "workbooks" / "huaian-2024-template-1.3.0.xlsm").read_bytes())
    before = old.read_bytes()
    register = write_csv(tmp_path / "台账.csv", seeded_cases(count=5))
    code, _, err = run(capsys, "fill", old, "--ledger", register, "--today", TODAY)
    assert code == 2 and "没有依申请台账表" in err and "new --from" in err
    assert old.read_bytes() == before


def test_excels_unicode_text_is_read_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Excel's “Unicode 文本” save: UTF-16 with a byte order mark, tab-separated."""
    register = tmp_path / "台账.txt"
    register.write_text("收到日期\t申请人类别\t办结日期\t办理结果\n"
                        "2025-06-01\t法律服务机构\t2025-06-02\t（五）不予处理 2.重复申请\n", "utf-16")
    book = tmp_path / "w.xlsm"
    code, _, err = run(capsys, "new", "--agency", "某局", "--year", YEAR, "--ledger", register, "-o", book,
                       "--today", TODAY)
    assert code == 0, err
    assert read_workbook(book).values[FORM.cell(f"{TABLE.key}.rejected_repeat.legal_services").key] == 1


def test_ledger_with_previous_is_refused_saying_what_to_do(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    register = write_csv(tmp_path / "台账.csv", seeded_cases(count=3))
    code, _, err = run(capsys, "new", "--previous", REPORTS / "huaian-city-2024.json", "--ledger", register, "-o",
                       tmp_path / "w.xlsm")
    assert code == 2 and "--ledger 不能与 --previous 一起使用" in err and "fill 新文件 --ledger" in err
    assert not (tmp_path / "w.xlsm").exists()


@pytest.mark.parametrize("name", ["台账.csv", "台账.xlsx"])
def test_a_register_that_is_not_a_regular_file_is_refused_before_it_is_opened(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    import os

    fifo = tmp_path / name
    os.mkfifo(fifo)  # reading it would wait for ever
    code, _, err = run(capsys, "new", "--agency", "某局", "--year", YEAR, "--ledger", fifo, "-o", tmp_path / "w.xlsm",
                       "--today", TODAY)
    assert code == 2 and str(fifo) in err and not (tmp_path / "w.xlsm").exists()


def test_a_field_longer_than_any_register_holds_is_the_files_problem(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    register = tmp_path / "台账.csv"
    register.write_text("收到日期,申请人类别,办结日期,办理结果,备注\n2025-01-02,自然人,,,\"" + "长" * 200_000 + "\"\n",
                        "utf-8")
    code, _, err = run(capsys, "new", "--agency", "某局", "--year", YEAR, "--ledger", register, "-o",
                       tmp_path / "w.xlsm", "--today", TODAY)
    assert code == 2 and "不是可读取的 CSV 文件" in err and not (tmp_path / "w.xlsm").exists()

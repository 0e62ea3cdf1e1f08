"""The office's desk: a roster, hierarchical 汇总 that cannot miscount, and answers that do not depend on file names.

Each test is an office's situation made by hand from the real typed-in reports (tests/data/reports), run through
the command line in this process (``cli.main``); every expected total is computed from the input documents,
never read back from the tool.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from conftest import TODAY
from support.cli_run import doc, run, write_json
from xl_gongkai.adapters.workbook_read import read_workbook
from xl_gongkai.fileio import report_stem
from xl_gongkai.spec import CellKey, load_form

FORM = load_form()
DAY = ["--today", TODAY.isoformat()]
NEW_TOTAL = CellKey("requests", "new", "total")
LICENSING = ("active", "licensing", "decisions")  # a figure no identity ties: changing it keeps a report clean


def unit(agency: str, *, year: int = 2024, bump: int = 0, date: str | None = None) -> dict[str, Any]:
    """A clean report of ``agency``: 淮安's figures, the year set, 行政许可 raised by ``bump``."""
    d = doc("huaian-city-2024")
    d["metadata"].update(agency=agency, year=year, period_start=f"{year}-01-01", period_end=f"{year}-12-31")
    if date:
        d["metadata"]["date"] = date
    t, r, c = LICENSING
    d["values"][t][r][c] += bump
    return d


def figure(d: dict[str, Any], key: CellKey) -> Any:
    return d["values"][key.table][key.row][key.column]


def sources(path: Path) -> list[list[Any]]:
    spec = FORM.template.sources
    ws = openpyxl.load_workbook(path)[spec.sheet]
    return [[c.value for c in r][1:6] for r in ws.iter_rows(min_row=spec.header_row + 1)]


# ============================================================ sums that cannot depend on names or majorities


def test_two_different_reports_of_one_agency_refuse_the_sum_whatever_their_names(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for first, second in (("a.json", "b.json"), ("z.json", "a.json")):  # which name sorts first must not matter
        d = tmp_path / first.replace(".", "_")
        d.mkdir()
        write_json(d / first, unit("甲局"))
        write_json(d / second, unit("甲局", bump=5))
        write_json(d / "乙.json", unit("乙局"))
        code, out, err = run(capsys, "consolidate", d, "--agency", "某区", "-o", tmp_path / f"{first}.xlsm", *DAY)
        assert code == 2, out
        assert "同一机关有内容不同的报告" in err and first in err and second in err and "甲局" in err
        assert not (tmp_path / f"{first}.xlsm").exists()


def test_identical_copies_count_once_and_say_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "区"
    d.mkdir()
    jia, yi = unit("甲局"), unit("乙局", bump=3)
    write_json(d / "甲局.json", jia)
    assert run(capsys, "new", "--from", d / "甲局.json", "-o", d / "甲局.xlsm", *DAY)[0] == 0  # the same report
    write_json(d / "乙局.json", yi)
    out = tmp_path / "汇总.xlsm"
    code, stdout, err = run(capsys, "consolidate", d, "--agency", "某区", "-o", out, *DAY)
    assert code == 0, err
    assert "甲局.xlsm：与 甲局.json 内容相同（同一份报告的副本），只计一次" in stdout
    total = read_workbook(out)
    assert total.values[NEW_TOTAL] == figure(jia, NEW_TOTAL) + figure(yi, NEW_TOTAL)
    key = CellKey(*LICENSING)
    assert total.values[key] == figure(jia, key) + figure(yi, key)


def test_several_years_without_year_is_exit_2_naming_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "区"
    d.mkdir()
    for name in ("甲局", "乙局", "丙局"):  # three stale files must not decide the year
        write_json(d / f"{name}2023.json", unit(name, year=2023))
    write_json(d / "甲局2024.json", unit("甲局"))
    code, _, err = run(capsys, "consolidate", d, "--agency", "某区", "-o", tmp_path / "h.xlsm", *DAY)
    assert code == 2 and "2023年度 3 份" in err and "2024年度 1 份" in err and "--year" in err
    assert not (tmp_path / "h.xlsm").exists()
    code, stdout, _ = run(capsys, "consolidate", d, "--agency", "某区", "--year", "2024", "-o", tmp_path / "h.xlsm",
                          *DAY)
    assert code == 0 and "已汇总 1 份报告" in stdout and "年度为2023，汇总年度为2024" in stdout


def test_a_consolidation_exits_0_and_export_and_report_wait_for_its_text(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "区"
    d.mkdir()
    write_json(d / "甲.json", unit("甲局"))
    out = tmp_path / "汇总.xlsm"
    code, stdout, err = run(capsys, "consolidate", d, "--agency", "某区", "-o", out, *DAY)
    assert code == 0, err
    assert "[错误]" not in stdout
    assert "待填写：一、总体情况、五、存在的主要问题及改进情况、六、其他需要报告的事项" in stdout
    code, stdout, _ = run(capsys, "check", out, *DAY)  # the same verdict from check
    assert code == 0 and stdout.count("[待填写] S1") == 3 and "待填写 3 处" in stdout
    code, _, err = run(capsys, "export", out, "-o", tmp_path / "p.json", *DAY)
    assert code == 1 and "3 处待填写" in err and not (tmp_path / "p.json").exists()
    code, _, err = run(capsys, "report", out, "-o", tmp_path / "r.docx", *DAY)
    assert code == 1 and "未生成年报" in err and "3 处待填写" in err and not (tmp_path / "r.docx").exists()
    code, stdout, _ = run(capsys, "export", out, "-o", tmp_path / "p.json", "--draft", *DAY)
    assert code == 0 and "待填写 3 处" in stdout
    payload = json.loads((tmp_path / "p.json").read_text("utf-8"))["validation"]
    assert payload["valid"] and not payload["ready"] and payload["counts"]["to_write"] == 3
    assert {f["severity"] for f in payload["findings"] if f["rule"] == "S1"} == {"待填写"}


# ============================================================ hierarchical 汇总


@pytest.fixture
def city(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, dict[str, dict[str, Any]]]:
    """A city's folder holding two county 汇总s made by the tool (one .xlsm, one .xlsx) and one unit of its own."""
    units = {"A县甲局": unit("A县甲局"), "A县乙局": unit("A县乙局", bump=7), "B县丙局": unit("B县丙局", bump=11),
             "市丁局": unit("市丁局", bump=13)}
    c = tmp_path / "市"
    c.mkdir()
    for county, suffix in (("A县", ".xlsm"), ("B县", ".xlsx")):
        folder = tmp_path / county
        folder.mkdir()
        for name, d in units.items():
            if name.startswith(county):
                write_json(folder / f"{name}.json", d)
        code, _, err = run(capsys, "consolidate", folder, "--agency", county, "-o", c / f"{county}汇总{suffix}", *DAY)
        assert code == 0, err
    write_json(c / "市丁局.json", units["市丁局"])
    return c, units


def test_a_city_adds_its_counties_summaries_only_when_asked(city: tuple[Path, dict[str, dict[str, Any]]],
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    folder, units = city
    out = folder / "市汇总.xlsm"
    code, stdout, err = run(capsys, "consolidate", folder, "--agency", "某市", "-o", out, *DAY)
    assert code == 0, err
    assert read_workbook(out).values[NEW_TOTAL] == figure(units["市丁局"], NEW_TOTAL)  # the unit alone
    assert "A县汇总.xlsm：其他地区的汇总报告，默认不计入；如需计入" in stdout and "--include-summaries" in stdout
    made = []
    for _ in range(2):  # the city's own 汇总 lies in the folder now: a rerun neither adds nor lists it
        code, stdout, err = run(capsys, "consolidate", folder, "--agency", "某市", "--include-summaries", "-o", out,
                                *DAY)
        assert code == 0, err
        made.append(out.read_bytes())
    assert made[0] == made[1]
    total = read_workbook(out)
    for key in (NEW_TOTAL, CellKey(*LICENSING)):
        assert total.values[key] == sum(figure(d, key) for d in units.values())
    assert [r[0] for r in sources(out)] == ["A县汇总.xlsm", "B县汇总.xlsx", "市丁局.json"]
    assert total.origin == "consolidation" and total.agency == "某市"
    # a copy of the city's own 汇总 under any name is never added either
    shutil.copy(out, folder / "某市2024年报.xlsm")
    code, stdout, _ = run(capsys, "consolidate", folder, "--agency", "某市", "--include-summaries", "-o", out, *DAY)
    assert code == 0 and "某市2024年报.xlsm：本工具此前生成的本地区汇总报告，不再计入" in stdout
    assert read_workbook(out).values[NEW_TOTAL] == sum(figure(d, NEW_TOTAL) for d in units.values())


def test_an_agency_inside_an_added_summary_and_in_the_folder_is_refused(
        city: tuple[Path, dict[str, dict[str, Any]]], capsys: pytest.CaptureFixture[str]) -> None:
    folder, units = city
    write_json(folder / "甲局的报告.json", units["A县甲局"])  # also inside A县汇总
    code, _, err = run(capsys, "consolidate", folder, "--agency", "某市", "--include-summaries", "-o",
                       folder / "市汇总.xlsm", *DAY)
    assert code == 2 and "“A县甲局”会被计入两次" in err and "A县汇总.xlsm" in err and "甲局的报告.json" in err
    assert not (folder / "市汇总.xlsm").exists()


def test_only_summaries_without_the_flag_say_how_to_add_them(city: tuple[Path, dict[str, dict[str, Any]]],
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    folder, _ = city
    (folder / "市丁局.json").unlink()
    code, _, err = run(capsys, "consolidate", folder, "--agency", "某市", "-o", folder / "市汇总.xlsm", *DAY)
    assert code == 2 and "其他地区的汇总报告 2 份" in err and "--include-summaries" in err


def test_a_summary_stays_a_summary_next_year(city: tuple[Path, dict[str, dict[str, Any]]], tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    folder, _ = city
    code, stdout, err = run(capsys, "new", "--previous", folder / "A县汇总.xlsm", "-o", tmp_path / "2025.xlsm", *DAY)
    assert code == 0 and "汇总工作簿" in stdout, err
    nxt = read_workbook(tmp_path / "2025.xlsm")
    assert nxt.origin == "consolidation" and nxt.year == 2025 and nxt.agency == "A县"
    assert "汇总来源" in openpyxl.load_workbook(tmp_path / "2025.xlsm").sheetnames


def test_check_against_names_the_units_behind_each_gap(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "区"
    d.mkdir()
    jia, yi = unit("甲局"), unit("乙局", bump=1000)
    write_json(d / "甲.json", jia)
    write_json(d / "乙.json", yi)
    key = CellKey(*LICENSING)
    published = unit("某区")  # as published: every figure the sum of the two, but 行政许可 leaves 乙局 out
    for cell in FORM.cells:
        both = figure(jia, cell.key) + figure(yi, cell.key)
        published["values"][cell.table.key][cell.row.key][cell.column.key] = both
    published["values"][key.table][key.row][key.column] = figure(jia, key)
    write_json(tmp_path / "公布.json", published)
    code, stdout, err = run(capsys, "consolidate", d, "--agency", "某区", "--check-against", tmp_path / "公布.json",
                            *DAY)
    assert code == 1, err
    assert f"比较了 {len(FORM.cells)} 个单元格，1 个不一致" in stdout
    gap = next(line for line in stdout.splitlines() if "行政许可" in line and "差额" in line)
    assert f"公布 {figure(jia, key)}" in gap and f"差额 -{figure(yi, key)}" in gap
    assert "公布数少的正好是乙局的数字" in gap and "计入的单位：乙局" in gap and "甲局" in gap
    assert "未写出汇总文件" in stdout and list(tmp_path.glob("*.xlsm")) == []


# ============================================================ the roster


def _csv_roster(path: Path, rows: list[list[str]]) -> Path:
    buf = io.StringIO()
    csv.writer(buf).writerows([["机关", "截止日期", "上级"], *rows])
    path.write_bytes(buf.getvalue().encode("gbk"))  # as Excel on Chinese Windows saves a CSV
    return path


def _roster_sheet(path: Path) -> dict[str, dict[str, Any]]:
    ws = openpyxl.load_workbook(path)["报送情况"]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    head = rows[1]
    return {r[0]: dict(zip(head, r, strict=True)) for r in rows[2:]}


def test_the_roster_says_who_reported_who_did_not_and_who_was_late(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "收件"
    d.mkdir()
    write_json(d / "甲局.json", unit("甲局", date="2025-01-20"))
    write_json(d / "乙局.json", unit("乙局", date="2025-02-10"))  # 10 days after 31 January
    write_json(d / "丙局.json", unit("丙局"))  # no 填报日期: the file's time counts
    day = 86400
    os.utime(d / "丙局.json", (1736467200 + day, 1736467200 + day))  # 2025-01-11 (UTC)
    bad = unit("丁局", date="2025-01-10")
    bad["values"]["appeals"]["review"]["total"] = 1  # an 错误
    write_json(d / "丁局.json", bad)
    write_json(d / "戊局a.json", unit("戊局", date="2025-01-10"))
    write_json(d / "戊局b.json", unit("戊局", bump=1, date="2025-01-12"))
    write_json(d / "己局.json", unit("己局", date="2025-01-10"))  # not on the roster
    roster = _csv_roster(tmp_path / "名单.csv", [
        ["甲局", "", "某市"], ["乙局", "", "某市"], ["丙局", "2025-01-05", "某市"], ["丁局", "", ""], ["戊局", "", ""],
        ["庚 局", "", "某市"]])
    out = tmp_path / "审核结果.xlsx"
    code, stdout, err = run(capsys, "audit", d, "--roster", roster, "-o", out, "--csv", tmp_path / "问题.csv",
                            "--quiet", *DAY)
    assert code == 1, err
    rows = _roster_sheet(out)
    status = {k: v["状态"] for k, v in rows.items()}
    assert status == {"甲局": "已报送", "乙局": "逾期", "丙局": "逾期", "丁局": "有错误", "戊局": "重复报送",
                      "庚 局": "未报送", "己局": "不在名单中"}
    assert rows["乙局"]["逾期天数"] == 10 and rows["乙局"]["日期依据"] == "填报日期"
    assert rows["丙局"]["日期依据"] == "文件修改时间" and rows["丙局"]["截止日期"] == "2025-01-05"
    assert rows["甲局"]["截止日期"] == "2025-01-31" and rows["甲局"]["上级"] == "某市"
    assert rows["戊局"]["报送文件"] == "戊局a.json；戊局b.json"
    assert "应报送 6 个单位" in stdout and "未报送 1 个" in stdout and "逾期 2 个" in stdout
    with open(tmp_path / "问题_报送情况.csv", encoding="utf-8-sig", newline="") as fh:
        assert {r["机关"]: r["状态"] for r in csv.DictReader(fh)} == status
    front = {r[0]: r[1] for r in openpyxl.load_workbook(out)["概览"].iter_rows(values_only=True) if r[0]}
    assert front["报送情况：未报送"] == 1 and front["应报送的单位"] == 6


def test_last_years_audit_results_serve_as_the_roster(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    last, now = tmp_path / "2023", tmp_path / "2024"
    last.mkdir()
    now.mkdir()
    for name in ("甲局", "乙局"):
        write_json(last / f"{name}.json", unit(name, year=2023))
    roster = _csv_roster(tmp_path / "名单.csv", [["甲局", "2024-01-10", ""], ["乙局", "2024-01-10", ""]])
    assert run(capsys, "audit", last, "--roster", roster, "-o", tmp_path / "2023结果.xlsx", "--quiet", *DAY)[0] == 0
    write_json(now / "甲局.json", unit("甲局", date="2025-01-20"))
    code, _, err = run(capsys, "audit", now, "--roster", tmp_path / "2023结果.xlsx", "-o",
                            tmp_path / "2024结果.xlsx", "--quiet", *DAY)
    assert code == 1, err
    rows = _roster_sheet(tmp_path / "2024结果.xlsx")
    assert {k: v["状态"] for k, v in rows.items()} == {"甲局": "已报送", "乙局": "未报送"}
    assert rows["甲局"]["截止日期"] == "2025-01-31"  # last year's deadline is not this year's
    # and the 报告清单 of results without a roster serves too
    assert run(capsys, "audit", last, "-o", tmp_path / "plain.xlsx", "--quiet", *DAY)[0] == 0
    code, _, _ = run(capsys, "audit", now, "--roster", tmp_path / "plain.xlsx", "-o", tmp_path / "x.xlsx", "--quiet",
                     *DAY)
    assert code == 1 and _roster_sheet(tmp_path / "x.xlsx")["乙局"]["状态"] == "未报送"


def test_roster_refusals_name_what_to_do(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "收件"
    d.mkdir()
    write_json(d / "甲局.json", unit("甲局"))
    (tmp_path / "错.csv").write_text("单位编号,联系人\n1,张三\n", "utf-8")
    code, _, err = run(capsys, "audit", d, "--roster", tmp_path / "错.csv", "--quiet", *DAY)
    assert code == 2 and "找不到“机关”列" in err
    _csv_roster(tmp_path / "日期.csv", [["甲局", "一月底", ""]])
    code, _, err = run(capsys, "audit", d, "--roster", tmp_path / "日期.csv", "--quiet", *DAY)
    assert code == 2 and "第 2 行“甲局”的截止日期“一月底”不是日期" in err
    code, _, err = run(capsys, "audit", d, "--year", "2024", "--quiet", *DAY)
    assert code == 2 and "--roster" in err
    # a roster kept in the folder itself is listed as what it is, not audited as a submission
    roster = _csv_roster(d / "名单.csv", [["甲局", "", ""]])
    code, _, err = run(capsys, "audit", d, "--roster", roster, "--quiet", *DAY)
    assert code == 0, err
    files = {r[0]: r for r in openpyxl.load_workbook(d / "审核结果.xlsx")["报告清单"].iter_rows(values_only=True)}
    assert files["名单.csv"][1] == "已跳过" and "--roster" in files["名单.csv"][-1]


# ============================================================ what is no report, said once


@pytest.mark.parametrize("suffix", [".json", ".txt", ".html", ".xlsm", ".xlsx"])
def test_an_empty_file_is_one_refusal_and_makes_nothing(tmp_path: Path, suffix: str,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / f"空{suffix}"
    empty.write_bytes(b"")
    code, _, err = run(capsys, "check", empty, *DAY)
    assert code == 2 and "空文件（0 字节）" in err
    code, _, err = run(capsys, "new", "--from", empty, "-o", tmp_path / "x.xlsm", *DAY)
    assert code == 2 and "空文件" in err and not (tmp_path / "x.xlsm").exists()
    if suffix in (".txt", ".html"):
        code, _, err = run(capsys, "import", empty, "-o", tmp_path / "p.json", *DAY)
        assert code == 2 and not (tmp_path / "p.json").exists()


def test_a_text_or_json_that_is_no_report_is_one_finding(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "收件"
    d.mkdir()
    write_json(d / "甲局.json", unit("甲局"))
    notice = "各单位：请于1月20日前报送2024年度政府信息公开工作年度报告。\n联系人：张三\n"
    (d / "报送说明.txt").write_text(notice, "utf-8")
    write_json(d / "package.json", {"name": "site", "version": "1.0.0"})
    code, _, err = run(capsys, "check", d / "报送说明.txt", *DAY)
    assert code == 2 and "不像一份政府信息公开工作年度报告" in err
    code, _, err = run(capsys, "check", d / "package.json", *DAY)
    assert code == 2 and "不是本工具的数据包或报告 JSON" in err
    code, _, _ = run(capsys, "audit", d, "--quiet", *DAY)
    assert code == 1
    ws = openpyxl.load_workbook(d / "审核结果.xlsx")["问题清单"]
    found = [r for r in ws.iter_rows(min_row=2, values_only=True)]
    for name in ("报送说明.txt", "package.json"):
        mine = [r for r in found if r[0] == name]
        assert len(mine) == 1 and mine[0][3] == "F1", mine  # one clear finding, not a page of them


def test_a_tool_made_summary_in_the_folder_is_no_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "收件"
    d.mkdir()
    write_json(d / "甲局.json", unit("甲局"))
    assert run(capsys, "consolidate", d, "--agency", "某区", "-o", d / "汇总.xlsm", *DAY)[0] == 0
    code, stdout, err = run(capsys, "audit", d, "--quiet", *DAY)
    assert code == 0, stdout + err
    files = {r[0]: r for r in openpyxl.load_workbook(d / "审核结果.xlsx")["报告清单"].iter_rows(values_only=True)}
    row = files["汇总.xlsm"]
    assert row[2] == "工作簿（汇总）" and row[6] == 0 and row[9] == "是" and row[10] == "否"
    assert row[-1].startswith("汇总报告，待填写：一、总体情况")


# ============================================================ text no output could hold


def test_a_soft_line_break_is_named_by_check_and_safe_in_the_report(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    d = doc("panzhihua-dongqu-kejiju-2025")
    text = d["narrative"]["overview"]
    d["narrative"]["overview"] = text[:40] + "\x0b" + text[40:]  # Shift+Enter in Word, pasted into the cell
    src = write_json(tmp_path / "软换行.json", d)
    assert run(capsys, "new", "--from", src, "-o", tmp_path / "a.xlsm", *DAY)[0] == 0
    code, stdout, _ = run(capsys, "check", tmp_path / "a.xlsm", *DAY)
    assert code == 0 and "[提示] T1 正文“一、总体情况”中有不可见的控制字符 1 个（U+000B（Word 的软换行））" in stdout
    assert "第41个字处" in stdout and "（位置：'正文'!A3）" in stdout
    code, _, err = run(capsys, "report", tmp_path / "a.xlsm", "-o", tmp_path / "r.docx", *DAY)
    assert code == 1 and "T1" in err  # a 提示 waits for its explanation, as every 提示 does; never exit 3
    d["explanations"] = {"T1:section.overview": "从 Word 粘贴，软换行按换行处理"}
    write_json(src, d)
    code, _, err = run(capsys, "report", src, "-o", tmp_path / "r.docx", "--html", *DAY)
    assert code == 0, err
    import docx

    word = "\n".join(p.text for p in docx.Document(str(tmp_path / "r.docx")).paragraphs)
    # the soft break is a break (the report's text runs paragraph by paragraph), and nothing invisible is left
    assert text[20:40] in word and text[40:60] in word and text[20:60] not in word and "\x0b" not in word
    html = (tmp_path / "r.html").read_text("utf-8")
    assert "\x0b" not in html and text[40:60] in html


def test_a_lone_surrogate_in_json_is_exit_2_naming_the_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = unit("甲局")
    raw = json.dumps(d, ensure_ascii=True).replace("\\u7532", "\\ud800", 1)  # 甲 → half a surrogate pair
    (tmp_path / "坏.json").write_text(raw, "ascii")
    code, _, err = run(capsys, "check", tmp_path / "坏.json", *DAY)
    assert code == 2 and "metadata.agency 含有无法编码的字符（U+D800" in err


def test_derived_file_names_lose_control_and_bidi_characters() -> None:
    assert report_stem("某局\u202e\x07xcod.exe", 2024) == "某局xcod.exe_2024年"
    assert report_stem("\u200f\x0b", None) == "未命名机关"


# ============================================================ next year


def test_new_previous_takes_only_the_following_year(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    last = write_json(tmp_path / "2024.json", unit("甲局"))
    for year, why in (("2024", "相同"), ("2023", "更早"), ("2026", "中间隔了年度")):
        code, _, err = run(capsys, "new", "--previous", last, "--year", year, "-o", tmp_path / f"{year}.xlsm", *DAY)
        assert code == 2 and why in err and "只能是 2025 年" in err, err
        assert not (tmp_path / f"{year}.xlsm").exists()
    assert run(capsys, "new", "--previous", last, "--year", "2025", "-o", tmp_path / "2025.xlsm", *DAY)[0] == 0


def test_a_renamed_agency_rolls_over_and_another_agencys_year_is_said(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    last = write_json(tmp_path / "2024.json", unit("某县农业局"))
    code, stdout, err = run(capsys, "new", "--previous", last, "--agency", "某县农业农村局", "-o", tmp_path / "n.xlsm",
                            *DAY)
    assert code == 0 and "机关名称改为“某县农业农村局”" in stdout, err
    book = read_workbook(tmp_path / "n.xlsm")
    assert book.agency == "某县农业农村局" and book.year == 2025
    code, stdout, _ = run(capsys, "check", tmp_path / "n.xlsm", *DAY)
    assert "X4" not in stdout  # the rename was said at the rollover
    # compared with another agency's report, the check says so
    other = write_json(tmp_path / "other.json", unit("某县财政局"))
    code, stdout, _ = run(capsys, "check", tmp_path / "n.xlsm", "--previous", other, *DAY)
    assert "[提示] X4 用作上年对比的报告是“某县财政局”的，本报告是“某县农业农村局”的" in stdout
    mine = write_json(tmp_path / "mine.json", unit("某县农业农村局 "))  # the same agency, spaces aside
    code, stdout, _ = run(capsys, "check", tmp_path / "n.xlsm", "--previous", mine, *DAY)
    assert "X4" not in stdout


# ============================================================ make fuzz's own report


def test_the_fuzz_report_reads_case_names_with_line_like_characters(tmp_path: Path) -> None:
    """``make fuzz`` once crashed after its tests: a case named with U+0085 split its statistics line."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("fuzz_script", Path(__file__).parent.parent / "scripts" / "fuzz.py")
    assert spec is not None and spec.loader is not None
    fuzz = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fuzz)
    names = ["['0x85'] in overview: \x85", "U+2028 \u2028 and a form feed \x0c", "plain"]
    stats = tmp_path / "cases.jsonl"
    stats.write_text("".join(json.dumps({"category": "c", "case": n, "seconds": 0.1, "ok": True},
                                        ensure_ascii=False) + "\n" for n in names), "utf-8")
    assert [c["case"] for c in fuzz.read_cases(stats)] == names
    assert fuzz.read_cases(tmp_path / "none.jsonl") == []

"""Every rule of the catalogue has a case here that makes it fire: a rule no input can raise protects nothing.

Each case is one targeted edit of a known-good input, in the shape of the mistake the rule is there for: 淮安
2024 as typed in (tests/data/reports) for the rules on one report, and with its report of the year before for
the cross-year rules; a register of applications and the table 三 counted from it for the register rules; 淮安
2024 as published (its text, tests/data/published) for the import rules; a folder through the audit for the file
rules; the report the tool generates, with a number changed, for the rules on the data a report carries. Each
case runs the unedited input the same way too: the rule must be silent there, so the edit is what makes it fire.

A rule added to the catalogue without a case here fails :func:`test_every_rule_of_the_catalogue_has_a_case`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest

from conftest import PUBLISHED, REPORTS, TODAY, load
from support.embedded import edit_html_number, unique_numbers, with_data_html
from test_ledger import OUTCOME, entry
from xl_gongkai.commands.audit import run_audit
from xl_gongkai.commands.check import run_check
from xl_gongkai.commands.load import open_source
from xl_gongkai.commands.report import render_report
from xl_gongkai.commands.workbook import new_workbook
from xl_gongkai.core.derive import fill
from xl_gongkai.core.findings import Finding
from xl_gongkai.core.ledger import Entry, Ledger, derivation
from xl_gongkai.core.report import Report
from xl_gongkai.core.rules import catalogue, check
from xl_gongkai.spec import CellKey

HUAIAN = "huaian-city-2024"
FORM = load(HUAIAN).form  # the 2021 format, as every input here
REGISTER = FORM.workbook.ledger
assert REGISTER is not None
PUBLISHED_HUAIAN = PUBLISHED / "19_huaian-city-2024.txt"
THIS_FILE = f"tests/{Path(__file__).name}"

Said = tuple[str, str]  # a finding as the user sees it: its rule and its message


def said(findings: Iterable[Finding]) -> list[Said]:
    return [(f.rule, f.message) for f in findings]


# ============================================================================================ the inputs


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# A register of 2025 that counts cleanly: one application answered, one partly, one still open on 31 December.
REGISTER_YEAR = 2025
RECEIVED: dict[int, dict[str, Any]] = {
    4: {"received": d("2025-01-06"), "applicant": "自然人", "finished": d("2025-01-20"),
        "outcome": OUTCOME["disclosed"], "case_id": "2025-001"},
    5: {"received": d("2025-02-03"), "applicant": "商业企业", "finished": d("2025-02-10"),
        "outcome": OUTCOME["partial"], "case_id": "2025-002"},
    6: {"received": d("2025-12-22"), "applicant": "自然人", "case_id": "2025-003"},
}


def register(changes: Mapping[int, Mapping[str, Any]] | None = None) -> tuple[Entry, ...]:
    """The rows of ``RECEIVED``, a row's values changed by ``changes`` (row: {what the column holds: value})."""
    changes = changes or {}
    return tuple(entry(row, **{**held, **changes.get(row, {})}) for row, held in RECEIVED.items())


def the_year_before(report: Report) -> Report:
    """The same agency's report of the year before, as it must read for this one to follow from it: its 结转下年度
    is this year's 上年结转, and its documents in force are this year's less those issued and plus those repealed
    this year; every other figure the same. Its text is its own (宿迁 2023's stands in): a year's report is written
    anew."""
    values = dict(report.values)
    for column in FORM.table("requests").columns:
        values[CellKey("requests", "carried_out", column.key)] = report.values[
            CellKey("requests", "carried_in", column.key)]
    for row in ("rules", "normative_docs"):
        held = {col: report.values[CellKey("active", row, col)] for col in ("in_force", "issued", "repealed")}
        values[CellKey("active", row, "in_force")] = held["in_force"] - held["issued"] + held["repealed"]
    year = report.metadata["year"] - 1
    return replace(report, metadata={**report.metadata, "year": year, "period_start": f"{year}-01-01",
                                     "period_end": f"{year}-12-31"}, values=values,
                   narrative=load("suqian-city-2023").narrative)


class Inputs:
    """The known-good inputs, each made once for the module on first use (a case needs one or two of them)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._unchanged: dict[str, list[Said]] = {}

    def unchanged(self, kind: str, run: Callable[[], list[Said]]) -> list[Said]:
        """The findings of an unchanged input of a ``kind`` of case, worked out once (every case of it compares)."""
        if kind not in self._unchanged:
            self._unchanged[kind] = run()
        return self._unchanged[kind]

    def report(self, name: str = HUAIAN) -> Report:
        return load(name)

    @cached_property
    def register_table(self) -> Report:
        """A 2025 report whose table 三 is the one counted from ``RECEIVED`` (the other tables 0), totals filled."""
        counted = derivation(FORM, Ledger(register()), REGISTER_YEAR, today=TODAY)
        assert counted is not None
        base = Report.empty(FORM, agency="某县某局", year=REGISTER_YEAR)
        return fill(base.with_values({**{c.key: 0 for c in FORM.input_cells()}, **counted.values}))

    @cached_property
    def published_text(self) -> str:
        return PUBLISHED_HUAIAN.read_text("utf-8")

    @cached_property
    def generated_page(self) -> str:
        """淮安 2024's report as the tool generates it (HTML, carrying its data)."""
        page = self.folder / "generated" / "淮安.html"
        page.parent.mkdir()
        render_report(self.report(), html_path=page, today=TODAY)
        return page.read_text("utf-8")

    @cached_property
    def audited(self) -> dict[str, list[Said]]:
        """A folder audited once, its findings by file: 淮安's workbook and the report it was made from (the same
        report twice), 攀枝花's report and a copy with one number changed (two versions of one report), a file that
        is no workbook, and 宿迁's workbook as LibreOffice saves it (the macros kept, their code names gone)."""
        folder = self.folder / "audit"
        folder.mkdir()
        new_workbook(folder / "淮安.xlsm", source=self.report(), today=TODAY)
        (folder / "淮安.json").write_bytes((REPORTS / f"{HUAIAN}.json").read_bytes())
        doc = json.loads((REPORTS / "panzhihua-dongqu-kejiju-2025.json").read_text("utf-8"))
        (folder / "攀枝花.json").write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
        doc["values"]["active"]["penalty"]["decisions"] += 1
        (folder / "攀枝花修改稿.json").write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
        (folder / "损坏.xlsm").write_bytes(b"PK\x03\x04 cut off in the download")
        book = new_workbook(self.folder / "宿迁.xlsm", source=self.report("suqian-city-2023"), today=TODAY)
        with zipfile.ZipFile(book) as src, zipfile.ZipFile(folder / "宿迁另存.xlsm", "w", zipfile.ZIP_DEFLATED) as out:
            for info in src.infolist():
                data = src.read(info)
                if info.filename == "xl/workbook.xml" or info.filename.startswith("xl/worksheets/sheet"):
                    data = re.sub(rb'\scodeName="[^"]*"', b"", data)
                out.writestr(info, data)
        with run_audit(folder, jobs=1, today=TODAY) as result:
            by_file: dict[str, list[Said]] = {row["file"]: [] for row in result.files}
            for f in result.findings:
                by_file[f["file"]].append((f["rule"], f["message"]))
        assert set(by_file) == {p.name for p in folder.iterdir()}
        return by_file


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Inputs:
    return Inputs(tmp_path_factory.mktemp("inputs"))


# ============================================================================================ how a case runs


@dataclass(frozen=True)
class Case:
    """The one edit that makes a rule fire (said in a few words), the findings with it, and those without it."""

    edit: str
    fired: Callable[[Inputs], list[Said]]
    clean: Callable[[Inputs], list[Said]]


def on_report(edit: str, change: Callable[[Report], Report]) -> Case:
    """淮安 2024 changed and checked, against the same report unchanged."""
    return Case(edit, lambda i: said(check(change(i.report()), today=TODAY).findings),
                lambda i: i.unchanged("report", lambda: said(check(i.report(), today=TODAY).findings)))


def bumped(*cells: str, by: int = 1) -> Callable[[Report], Report]:
    return lambda r: r.with_values({CellKey.parse(c): r.values[CellKey.parse(c)] + by for c in cells})


def valued(cell: str, value: Any) -> Callable[[Report], Report]:
    return lambda r: r.with_values({CellKey.parse(cell): value})


def metadata(**fields: Any) -> Callable[[Report], Report]:
    return lambda r: replace(r, metadata={**r.metadata, **fields})


def narrative(section: str, change: Callable[[str], str]) -> Callable[[Report], Report]:
    return lambda r: replace(r, narrative={**r.narrative, section: change(r.narrative[section])})


def replaced(old: str, new: str) -> Callable[[str], str]:
    """``old`` (printed once in the text) changed to ``new``."""

    def change(text: str) -> str:
        assert text.count(old) == 1, f"“{old}” is in the text {text.count(old)} times"
        return text.replace(old, new)

    return change


def moved(r: Report) -> Report:
    """One application of 一、本年新收 counted under 其他 instead of 自然人 (each row's 总计 still right)."""
    return bumped("requests.new.other_org")(bumped("requests.new.natural_person", by=-1)(r))


def across_years(edit: str, *, this: Callable[[Report], Report] = lambda r: r,
                 previous: Callable[[Report], Report] = lambda r: r) -> Case:
    """淮安 2024 checked against its report of the year before (``the_year_before``), one of them changed."""

    def run(changed: bool) -> Callable[[Inputs], list[Said]]:
        def go(i: Inputs) -> list[Said]:
            report = i.report()
            last = the_year_before(report)
            if changed:
                report, last = this(report), previous(last)
            return said(check(report, today=TODAY, previous=last).findings)

        return go

    return Case(edit, run(True), lambda i: i.unchanged("across_years", lambda: run(False)(i)))


def on_register(edit: str, *, rows: Mapping[int, Mapping[str, Any]] | None = None, added: tuple[Entry, ...] = (),
                beyond: int | None = None, table: Callable[[Report], Report] = lambda r: r) -> Case:
    """The register ``RECEIVED`` and its counted table 三, one of them changed: ``rows`` (row: {column: value}),
    rows ``added``, content past the register's last row (``beyond``), the ``table``."""

    def run(changed: bool) -> Callable[[Inputs], list[Said]]:
        def go(i: Inputs) -> list[Said]:
            base = i.register_table
            if not changed:
                return said(check(replace(base, ledger=Ledger(register())), today=TODAY).findings)
            ledger = Ledger((*register(rows), *added), beyond)
            return said(check(replace(table(base), ledger=ledger), today=TODAY).findings)

        return go

    return Case(edit, run(True), lambda i: i.unchanged("register", lambda: run(False)(i)))


def digest(text: str) -> str:
    """A file name for a text: each edited text is a file of its own."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def shown(path: Path) -> list[Said]:
    """What the check of a file shows, what reading it found first (``run_check(...).shown``: every front end's)."""
    return said(run_check(open_source(path), today=TODAY).shown.findings)


def imported(edit: str, change: Callable[[str], str]) -> Case:
    """淮安 2024 as published, its text changed, read and checked as a file."""

    def run(changed: bool) -> Callable[[Inputs], list[Said]]:
        def go(i: Inputs) -> list[Said]:
            text = change(i.published_text) if changed else i.published_text
            path = i.folder / "published" / f"{digest(text)}.txt"
            path.parent.mkdir(exist_ok=True)
            path.write_text(text, "utf-8")
            return shown(path)

        return go

    return Case(edit, run(True), lambda i: i.unchanged("imported", lambda: run(False)(i)))


def generated(edit: str, change: Callable[[str], str]) -> Case:
    """淮安 2024's generated HTML report, changed after it was generated, read and checked as a file."""

    def run(changed: bool) -> Callable[[Inputs], list[Said]]:
        def go(i: Inputs) -> list[Said]:
            page = change(i.generated_page) if changed else i.generated_page
            path = i.folder / "generated" / f"{digest(page)}.html"
            path.write_text(page, "utf-8")
            return shown(path)

        return go

    return Case(edit, run(True), lambda i: i.unchanged("generated", lambda: run(False)(i)))


def edited_number() -> tuple[int, int]:
    """A number of table 三 that no other cell of 淮安 2024 has (printed once), and the same plus one."""
    old = next(v for k, v in unique_numbers(dict(load(HUAIAN).values)) if k.table == "requests")
    return old, old + 1


def number_in_table(page: str) -> str:
    old, new = edited_number()
    return edit_html_number(page, str(old), str(new))


def number_in_table_and_data(page: str) -> str:
    """The same number changed in the printed table and in the data, the data's sha256 left as generated."""
    old, new = edited_number()
    key = next(k for k, v in load(HUAIAN).values.items() if v == old)

    def stale(doc: dict[str, Any]) -> None:
        doc["values"][key.table][key.row][key.column] = new

    return with_data_html(number_in_table(page), stale)


def listed_by_audit(edit: str, change: Callable[[Report], Report], clean: Callable[[Report], Report]) -> Case:
    """淮安 2024 as a workbook through the audit, as ``change`` and as ``clean`` make it: what an ``audit_flag`` rule
    lists on the 质量 sheet (such rules make no finding in check), as (rule, the row's note)."""

    def run(make: Callable[[Report], Report]) -> Callable[[Inputs], list[Said]]:
        def go(i: Inputs) -> list[Said]:
            folder = i.folder / "listed" / digest(edit + str(make is change))
            folder.mkdir(parents=True)
            new_workbook(folder / "淮安.xlsm", source=make(i.report()), today=TODAY)
            titles = {r.title: r.id for r in catalogue() if r.kind == "audit_flag"}
            with run_audit(folder, jobs=1, today=TODAY) as result:
                return [(titles[row["what"]], row["note"]) for row in result.quality if row["what"] in titles]

        return go

    return Case(edit, run(change), run(clean))


def audited(edit: str, file: str, clean_file: str) -> Case:
    """A file of the audited folder, against another file of it the rule must leave alone."""
    return Case(edit, lambda i: i.audited[file], lambda i: i.audited[clean_file])


# ============================================================================================ the table

# 淮安 2024 as published: the first row of table 三, and its second row with its 0s printed as blank cells
NEW = "一、本年新收政府信息公开申请数量"
CARRIED_IN = "二、上年结转政府信息公开申请数量 34 0 0 0 0 0 34"
CARRIED_IN_TABBED = "二、上年结转政府信息公开申请数量\t34\t\t\t\t\t\t34"

CASES: dict[str, Case] = {
    # the tables' arithmetic
    "R1": on_report("一件新收申请记在“其他”列而不是“自然人”列（各行总计仍对）", moved),
    "R2": on_report("“8.属于行政查询事项”的自然人加1，未重新计算总计",
                    bumped("requests.withheld_query.natural_person")),
    "R3": on_report("予以公开的科研机构和总计各加1，（七）总计未改", bumped("requests.disclosed.research",
                                                                   "requests.disclosed.total")),
    "R4": on_report("行政复议结果维持加1，总计未改", bumped("appeals.review.upheld")),
    # the register of applications
    "L1": on_register("第5行的收到日期写成“2025-02-30”", rows={5: {"received": "2025-02-30"}}),
    "L2": on_register("第5行的办结日期早于收到日期（2月写成了1月）", rows={5: {"finished": d("2025-01-10")}}),
    "L3": on_register("未办结的第6行填了办理结果", rows={6: {"outcome": OUTCOME["disclosed"]}}),
    "L4": on_register("第5行的申请人类别写成“个人”", rows={5: {"applicant": "个人"}}),
    "L5": on_register("第6行的编号与第5行相同", rows={6: {"case_id": "2025-002"}}),
    "L6": on_register("台账中有一件下一年收到的申请", added=(entry(7, d("2026-01-05"), "自然人", case_id="2026-001"),)),
    "L7": on_register("表三的本年新收自然人和总计比台账多1", table=bumped("requests.new.natural_person",
                                                                "requests.new.total")),
    "L8": on_register("台账最后一行之下还有内容", beyond=REGISTER.last_row + 1),
    # the values of the cells
    "V1": on_report("行政处罚的处理决定数量留空", valued("active.penalty.decisions", None)),
    "V2": on_report("行政处罚的处理决定数量填“/”", valued("active.penalty.decisions", "/")),
    "V3": on_report("行政处罚的处理决定数量填2.5", valued("active.penalty.decisions", 2.5)),
    "V4": on_report("收费金额有七位小数", valued("active.fees.amount", 96171.6000001)),
    "V5": on_report("收费金额按元填写（96171.6万元填成961716000）", valued("active.fees.amount", 961716000)),
    # the files of a folder
    "F1": audited("文件夹中有一个下载不完整的工作簿", "损坏.xlsm", "淮安.xlsm"),
    "F2": audited("同一份报告的修改稿（一个数字不同）也在文件夹中", "攀枝花修改稿.json", "淮安.json"),
    "F3": audited("同一份报告的工作簿和数据文件都在文件夹中", "淮安.json", "攀枝花.json"),
    "F4": audited("工作簿用 LibreOffice 另存过（宏还在，代码名没了）", "宿迁另存.xlsm", "淮安.xlsm"),
    # importing a published report
    "I1": imported("一行印少了两个数", replaced(f"{NEW} 3001 53 0 0 61 4 3119", f"{NEW} 3001 53 61 4 3119")),
    "I2": imported("一行只印了标签，没有数字", replaced("7.属于行政执法案卷 9 0 0 0 0 0 9\n", "7.属于行政执法案卷\n")),
    "I3": imported("表二多了一行格式中没有的“行政检查”",
                   replaced("行政许可 447228\n", "行政许可 447228\n行政检查 1520\n")),
    "I4": imported("“行政规范性文件”印成旧称“规范性文件”", replaced("行政规范性文件 8 26 66", "规范性文件 8 26 66")),
    "I5": imported("一行按制表符分隔，其中的空白格没有数字", replaced(CARRIED_IN, CARRIED_IN_TABBED)),
    "I6": imported("只转载到表二为止", lambda text: text[:text.index("三、收到和处理政府信息公开申请情况")]),
    "I7": imported("一行的0印成空白格（制表符之间没有数字）", replaced(CARRIED_IN, CARRIED_IN_TABBED)),
    "I8": imported("一行印少了两个数，该行各格读不出", replaced("6.属于四类过程性信息 12 0 0 0 0 0 12",
                                                            "6.属于四类过程性信息 12 0 0 0 12")),
    "I9": generated("生成的年报中表三的一个数被改动", number_in_table),
    "I10": generated("生成的年报中表三的一个数在表格和内嵌数据中都被改动", number_in_table_and_data),
    # the narrative
    "S1": on_report("第五部分没有内容", lambda r: replace(r, narrative={**r.narrative, "problems": ""})),
    "T1": on_report("从 Word 粘贴的第五部分带有软换行（U+000B）", narrative("problems", replaced("主要表现在：",
                                                                                          "主要表现在：\v"))),
    "N1": on_report("正文写收到申请3120件，表中为3119件", narrative("overview", replaced("受理政府信息公开申请 3119 件",
                                                                                 "受理政府信息公开申请 3120 件"))),
    "N2": on_report("正文沿用上年“未发生行政复议”的说法，表中有351件",
                    narrative("other", lambda text: text + "\n本年度未发生政府信息公开行政复议案件。")),
    "N3": on_report("前言的统计期限沿用上年", narrative("preamble", replaced("统计期限自 2024 年 1 月 1 日",
                                                                     "统计期限自 2023 年 1 月 1 日"))),
    # the quality of the text and of the publication
    "Q1": on_report("总体情况删去了监督保障（考核、培训）的内容",
                    narrative("overview", lambda text: re.sub("监督|保障|培训", "", text))),
    "Q2": on_report("第五部分只写套话", narrative("problems", lambda _: (
        "政务公开工作还存在一定差距，有待进一步加强。下一步将进一步完善工作机制，持续推进，不断提升公开质量。"))),
    "Q3": on_report("人民政府的年报在次年4月1日才公布", metadata(published_on=dt.date(2025, 4, 1))),
    "Q4": listed_by_audit("表四行政复议结果纠正64件（淮安2024原样），对照全为0",
                          lambda r: r, valued("appeals.review.corrected", 0)),
    "Q5": listed_by_audit("表四行政诉讼结果纠正4件和1件（淮安2024原样），对照全为0", lambda r: r,
                          lambda r: r.with_values({CellKey.parse(c): 0 for c in
                                                   ("appeals.direct.corrected", "appeals.after_review.corrected")})),
    # last year's report
    "X5": across_years("上年报告的正文与本年的相同", previous=lambda r: replace(r, narrative=load(HUAIAN).narrative)),
    "X0": across_years("上年报告选成了前年的", previous=metadata(year=2022, period_start="2022-01-01",
                                                           period_end="2022-12-31")),
    "X4": across_years("上年报告选成了另一机关的", previous=metadata(agency="淮安市人民政府办公室")),
    "X1": across_years("上年报告的结转下年度（商业企业）比本年的上年结转多1",
                       previous=bumped("requests.carried_out.commercial", "requests.carried_out.total")),
    "X2": across_years("上年报告的行政规范性文件现行有效件数少20",
                       previous=bumped("active.normative_docs.in_force", by=-20)),
    "X3": across_years("本年收费金额按元填写，与上年相差一万倍", this=valued("active.fees.amount", 961716000)),
    # the cover
    "M1": on_report("机关名称留空", metadata(agency="")),
    "M2": on_report("报告年度填“2024年”", metadata(year="2024年")),
    "M3": on_report("统一社会信用代码的校验位错了", metadata(credit_code="11100000000013127E")),
    "M4": on_report("统计期限沿用上年", metadata(period_start="2023-01-01", period_end="2023-12-31")),
}


# ============================================================================================ the tests


@pytest.mark.parametrize("rule", list(CASES))
def test_the_rule_fires(rule: str, inputs: Inputs) -> None:
    case = CASES[rule]
    found = case.fired(inputs)
    mine = [message for r, message in found if r == rule]
    assert mine, f"{rule} did not fire after: {case.edit}; found {found}"
    # a finding of the rule itself, not the 错误 that stands for a rule that could not run
    cannot_run = catalogue().rule(rule).broken("").message.split("（")[0]
    assert all(m.startswith(f"{rule} ") and not m.startswith(cannot_run) for m in mine), mine
    without = [message for r, message in case.clean(inputs) if r == rule]
    assert without == [], f"{rule} fires without the edit too: {without}"


def test_every_rule_of_the_catalogue_has_a_case() -> None:
    rules = [r.id for r in catalogue()]
    missing = [r for r in rules if r not in CASES]
    assert not missing, "\n".join(
        f"rule {r} has no test that makes it fire: add a case to {THIS_FILE}" for r in missing)
    gone = [r for r in CASES if r not in rules]
    assert not gone, f"{THIS_FILE} has cases for rules the catalogue no longer holds: {', '.join(gone)}"

"""A folder an office might collect, made the same way every time: the corpus whose audit is compared before and
after a change of the audit's machinery (tests/test_audit_same.py).

Generated workbooks (seeded random figures, each with its own 校验结果 as a clerk hands it in after 校验):
valid ones; ones whose inputs are a mess (hundreds of findings); ones whose 提示 carry the clerk's explanations;
two years of the same agencies (the cross-year rules), with figures that do and do not carry over; the same
report twice (F3) and two different reports of one agency and year (F2); and around them the real reports of
tests/data (payloads, report documents, published texts and pages, workbooks of earlier template versions),
files that cannot be read and files that are no submission at all.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "data"


def _workbook(path: Path, report: Any, *, explain: bool = False, today: Any = None) -> Path:
    """The report in a fresh template with its own check's output sheets, as 校验 leaves them."""
    from xl_gongkai.adapters.xlsx_cells import set_cells
    from xl_gongkai.commands.sheet_output import outputs
    from xl_gongkai.commands.workbook import input_edits, template_bytes
    from xl_gongkai.core.findings import WARNING
    from xl_gongkai.core.rules import check
    from xl_gongkai.core.summary import summarize

    form = report.form
    v = check(report, today=today)
    if explain:  # the clerk explains every 提示 (and one that no longer exists, as an old explanation would)
        said = {f.key: f"已核实：{f.rule}的数字无误。" for f in v.findings if f.severity == WARNING}
        said["V5:old.key.gone"] = "去年的说明"
        report = report.with_explanations(said)
        v = check(report, today=today)
    edits = input_edits(report)
    for sheet, cells in outputs(form, report, v, summarize(report), links=False).items():
        edits.setdefault(sheet, {}).update(cells)
    path.write_bytes(set_cells(template_bytes(form), edits))
    return path


def _figures(rng: random.Random, form: Any, *, messy: bool, big_fee: bool = False) -> dict[Any, Any]:
    from xl_gongkai.spec import CellKey

    values: dict[Any, Any] = {}
    for cell in form.input_cells():
        if messy:
            values[cell.key] = rng.choice([None, None, "无", -3, 2.5, rng.randint(0, 300), rng.randint(0, 300)])
        elif cell.unit == form.units.amount:
            values[cell.key] = round(rng.uniform(0, 5000), 4) if not big_fee else 123456.5
        else:
            values[cell.key] = rng.randint(0, 300)
    if not messy:  # a consistent 表三: what is carried in and new equals what is done and carried out
        req = form.table("requests")
        for col in (c for c in req.columns if not c.sum_of):
            done = sum(values[CellKey("requests", r, col.key)] for r in req.row("total").sum_of)
            demand = done + values[CellKey("requests", "carried_out", col.key)]
            carried = rng.randint(0, demand)
            values[CellKey("requests", "carried_in", col.key)] = carried
            values[CellKey("requests", "new", col.key)] = demand - carried
    return values


def build_corpus(folder: Path, today: Any = None) -> Path:
    """Write the corpus into ``folder`` (created) and return it."""
    from xl_gongkai.core.derive import fill
    from xl_gongkai.core.report import Report
    from xl_gongkai.spec import CellKey, load_form

    form = load_form()
    rng = random.Random(20260126)
    folder.mkdir(parents=True, exist_ok=True)
    text_keys = [p.key for p in form.text_parts if p.text_cell]

    def report(agency: str, year: int, values: dict[Any, Any], *, total: bool = True) -> Report:
        narrative = {k: f"{agency}{year}年度{k}部分的说明，第{rng.randint(1, 10**6)}号。" for k in text_keys}
        meta = {"agency": agency, "year": year, "period_start": f"{year}-01-01", "period_end": f"{year}-12-31"}
        r = Report(form, meta, values, narrative)
        return fill(r) if total else r

    gen = folder / "生成"
    gen.mkdir()
    for i in range(6):
        _workbook(gen / f"有效{i}.xlsm", report(f"甲市第{i}局", 2024, _figures(rng, form, messy=False)), today=today)
    for i in range(4):
        _workbook(gen / f"杂乱{i}.xlsm", report(f"乙县第{i}局", 2024, _figures(rng, form, messy=True), total=False),
                  today=today)
    for i in range(2):
        _workbook(gen / f"已说明{i}.xlsm", report(f"丙区第{i}局", 2024, _figures(rng, form, messy=False, big_fee=True)),
                  explain=True, today=today)
    # two years of four agencies: 2024 carries 2023's 结转 over for two of them, not for the others
    years = folder / "两年"
    years.mkdir()
    for i in range(4):
        before = report(f"丁镇第{i}办", 2023, _figures(rng, form, messy=False))
        _workbook(years / f"丁镇第{i}办-2023.xlsm", before, today=today)
        values = _figures(rng, form, messy=False)
        if i < 2:
            for col in form.table("requests").columns:
                if not col.sum_of:
                    values[CellKey("requests", "carried_in", col.key)] = before.values[
                        CellKey("requests", "carried_out", col.key)]
        _workbook(years / f"丁镇第{i}办-2024.xlsm", report(f"丁镇第{i}办", 2024, values), today=today)
    # the same report twice, and two different reports of one agency and year
    shutil.copyfile(gen / "有效0.xlsm", gen / "有效0（副本）.xlsm")
    _workbook(gen / "有效1（修改后）.xlsm", report("甲市第1局", 2024, _figures(rng, form, messy=False)), today=today)
    # the real reports of the test data, as an office receives them
    real = folder / "收到的报告"
    real.mkdir()
    for sub, pattern in (("reports", "*.json"), ("published", "*.*"), ("workbooks", "*.xlsm")):
        for src in sorted((DATA / sub).glob(pattern)):
            shutil.copyfile(src, real / src.name)
    # what cannot be read, and what is no submission at all
    (real / "坏文件.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    (real / "空文件.json").write_bytes(b"")
    (real / "说明.docx").write_bytes(b"not ours")
    (real / "~$有效0.xlsm").write_bytes(b"lock file")
    (real / ".隐藏.json").write_bytes(b"{}")
    return folder

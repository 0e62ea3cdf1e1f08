"""Consolidation: the reports of a region's agencies for one year, added up into one regional report.

Only reports that can be added honestly are: the 2021 format, the chosen year, no 错误, one per
agency. Everything else is listed with the reason it was left out, on the 汇总来源 sheet of the
result, which is a filled template checked like any other.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.derive import fill
from ..core.findings import Validation
from ..core.numbers import exact_sum, read
from ..core.report import Report
from ..core.rules import check
from ..core.summary import summarize
from ..errors import InputError
from ..fileio import write_bytes_atomic
from ..spec import DEFAULT_FORM, CellKey, load_form
from .audit import discover
from .load import open_source
from .sheet_output import outputs
from .workbook import input_edits


@dataclass
class Consolidation:
    report: Report
    validation: Validation
    sources: list[list[Any]]
    included: int


def consolidate(folder: str | Path, *, agency: str, out: str | Path, year: int | None = None,
                today: dt.date | None = None) -> Consolidation:
    from ..adapters.xlsx_cells import set_cells
    from ..build.template import build_template

    root = Path(folder)
    if not root.is_dir():
        raise InputError("不是文件夹。", place=str(root))
    form = load_form(DEFAULT_FORM)
    read_ok: list[tuple[Path, Report, Validation]] = []
    rows: list[list[Any]] = []
    for path in discover(root):
        try:
            src = open_source(path)
        except InputError as exc:
            rows.append([path.name, "", "", "未汇总", f"无法读取：{exc}"])
            continue
        read_ok.append((path, src.report, check(src.report, today=today)))
    if year is None:
        years = Counter(r.year for _, r, _ in read_ok if r.year)
        if not years:
            raise InputError("文件夹中没有可读取的报告，无法确定汇总年度。", place=str(root))
        year = years.most_common(1)[0][0]
    included: list[Report] = []
    seen: dict[str, str] = {}
    for path, report, v in read_ok:
        reason = None
        if report.form.id != form.id:
            reason = f"格式为{report.form.id}，只能汇总{form.id}格式的报告"
        elif report.year != year:
            reason = f"年度为{report.year or '未知'}，汇总年度为{year}"
        elif v.errors:
            reason = f"有{len(v.errors)}项错误，请先改正（第一项：{v.errors[0].message}）"
        elif "".join(report.agency.split()) in seen:
            reason = f"与{seen[''.join(report.agency.split())]}是同一机关的报告"
        if reason:
            rows.append([path.name, report.agency, report.year or "", "未汇总", reason])
            continue
        seen["".join(report.agency.split())] = path.name
        included.append(report)
        rows.append([path.name, report.agency, report.year, "已汇总", ""])
    if not included:
        raise InputError(f"没有可以汇总的{year}年度报告（原因见下）：" +
                         "；".join(f"{r[0]}：{r[4]}" for r in rows[:5]), place=str(root))
    values: dict[CellKey, Any] = {}
    for cell in form.input_cells():
        values[cell.key] = exact_sum(read(r.values.get(cell.key)).number or 0 for r in included)
    metadata = {"agency": agency, "year": year, "period_start": f"{year}-01-01", "period_end": f"{year}-12-31"}
    report = fill(Report(form=form, metadata=metadata, values=values))
    validation = check(report, today=today)
    sources = [[i, *row] for i, row in enumerate(sorted(rows, key=lambda r: (r[3] != "已汇总", r[0])), start=1)]
    edits = input_edits(report)
    for cell in form.derived_cells():
        edits.setdefault(cell.sheet, {})[cell.address] = report.values[cell.key]
    for sheet, cells in outputs(form, report, validation, summarize(report), links=False).items():
        edits.setdefault(sheet, {}).update(cells)
    write_bytes_atomic(out, set_cells(build_template(form, sources=sources), edits))
    return Consolidation(report, validation, sources, len(included))

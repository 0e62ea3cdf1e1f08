"""Next year's workbook from last year's report (``xl-gongkai new --previous``), and remembering last year.

The new workbook starts with what does not change from year to year (agency, region, credit code,
preparer, reviewer), the year advanced with its 统计期限, 表三's 上年结转 filled column by column from last
year's 结转下年度继续办理 (the pairing rule X1 checks, taken from the catalogue, not restated here), and —
only when asked — last year's narrative as a draft. Last year's 现行有效件数 are shown next to 表二 for the
clerk's reference.

Last year's figures are also remembered in the workbook (a hidden cell of the results sheet, which every
command reads anyway), so the cross-year rules run on every check of that workbook without
``--previous``, from the command line and from the ribbon alike.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..core.names import SUCCESSOR, agency_key
from ..core.report import Report
from ..errors import InputError, UsageError
from ..spec import CellKey, Form, current_form, load_form
from ..spec.a1 import split_cell

CARRIED_METADATA = ("agency", "credit_code", "region", "preparer", "reviewer")
MEMORY_VERSION = 1


def _rule_params(kind: str) -> dict[str, Any]:
    from ..core.rules import catalogue

    return dict(next(r for r in catalogue() if r.kind == kind).params)


def next_year_report(previous: Report, *, year: int | None = None, narrative: bool = False,
                     form: Form | None = None, agency: str | None = None) -> Report:
    """The report a new year's workbook starts from.

    The year is the one after last year's: a same, earlier or skipped year is refused (the carried-over
    requests and the cross-year checks would pair the wrong years). ``agency`` renames the agency (机构改革);
    a 汇总 stays a 汇总. ``form``: the new workbook's form, by default :func:`next_form`.
    """
    if previous.year is None:
        if year is None:
            raise InputError("上年报告没有填写报告年度，无法确定新的年度；请用 --year 指定。")
    elif year is None:
        year = previous.year + 1
    elif year != previous.year + 1:
        why = "相同" if year == previous.year else ("更早" if year < previous.year else "中间隔了年度")
        after = previous.year + 1
        raise UsageError(f"--year {year} 与上年报告的年度 {previous.year} {why}：新一年度只能是 {after} 年，"
                         f"上年结转和跨年度校验才对得上。请去掉 --year，或改为 --year {after}；"
                         "跨了年度的，请用那一年的报告作为 --previous。")
    form = form or next_form(previous, year)
    metadata: dict[str, Any] = {k: previous.metadata[k] for k in CARRIED_METADATA if previous.metadata.get(k)}
    if agency is not None:
        if not agency.strip():
            raise UsageError("--agency 不能为空。")
        metadata["agency"] = agency.strip()
    metadata |= {"year": year, "period_start": dt.date(year, 1, 1), "period_end": dt.date(year, 12, 31)}
    x1 = _rule_params("carried_over")
    values: dict[CellKey, Any] = {}
    for col in form.table(x1["table"]).columns:
        this, before = CellKey(x1["table"], x1["this"], col.key), CellKey(x1["table"], x1["previous"], col.key)
        if form.has_cell(this) and not form.cell(this).derived and previous.form.has_cell(before):
            values[this] = previous.values.get(before)
    text = {k: v for k, v in previous.narrative.items() if narrative and any(s.key == k for s in form.sections)}
    return Report(form, metadata, values, text, origin=previous.origin)


def next_form(previous: Report, year: int | None) -> Form:
    """The form next year's workbook is made in: last year's, when it has a workbook template and is in use that
    year (a 2021 workbook stays a 2021 workbook); otherwise the form new workbooks are made in."""
    form = previous.form
    in_use = year is None or (form.first_year <= year and (form.last_year is None or year <= form.last_year))
    return form if form.template is not None and in_use else current_form()


def remember(previous: Report, successor: str | None = None) -> str:
    """Last year's report as the compact text kept in the workbook (well under a cell's 32 767 characters).

    ``successor``: the agency's new name when it was renamed at the rollover (rule X4 then stays quiet).
    """
    values = {str(k): v for k, v in previous.values.items() if v is not None and v != ""}
    doc = {"v": MEMORY_VERSION, "form": previous.form.id, "year": previous.year, "agency": previous.agency,
           "values": values}
    if successor and agency_key(successor) != agency_key(previous.agency):
        doc[SUCCESSOR] = successor
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def recall(text: Any) -> Report | None:
    """The report :func:`remember` kept, or None when the cell is empty or not ours."""
    if not isinstance(text, str) or not text.startswith("{"):
        return None
    try:
        doc = json.loads(text)
        form = load_form(doc["form"])
        values = {CellKey.parse(k): v for k, v in doc["values"].items()}
    except (ValueError, KeyError, TypeError):
        return None
    if doc.get("v") != MEMORY_VERSION:
        return None
    values = {k: v for k, v in values.items() if form.has_cell(k)}
    metadata = {k: v for k, v in ((k, doc.get(k)) for k in ("year", "agency", SUCCESSOR)) if v is not None}
    return Report(form, metadata, values)


def remembered_in_file(path: Path, form: Form) -> Report | None:
    """Last year's report kept in a workbook file of ``form`` (one small extra read of the results sheet)."""
    from ..adapters.workbook_read import read_grids

    tpl = form.template
    if tpl is None or tpl.previous_cell is None:
        return None
    rows, cols = split_cell(tpl.previous_cell)
    grid = read_grids(Path(path), {tpl.results_sheet: (rows, cols)})[tpl.results_sheet]
    return recall(grid.at(tpl.previous_cell))


def memory_edits(previous: Report, form: Form, successor: str | None = None) -> dict[str, dict[str, Any]]:
    """The cells ``new --previous`` writes besides the report: the remembered report and the 表二 reference."""
    tpl = form.template
    if tpl is None or tpl.previous_cell is None:
        return {}
    edits: dict[str, dict[str, Any]] = {tpl.results_sheet: {tpl.previous_cell: remember(previous, successor)}}
    x2 = _rule_params("in_force_continuity")
    table = form.table(x2["table"])
    column = tpl.previous_reference_column
    if column and tpl.previous_reference_label:
        ref = edits.setdefault(table.sheet, {})
        first = min(split_cell(form.cell(CellKey(table.key, r, x2["in_force"])).address)[0] for r in x2["rows"])
        ref[f"{column}{first - 1}"] = tpl.previous_reference_label.format(year=previous.year or "上")
        for row in x2["rows"]:
            key = CellKey(table.key, row, x2["in_force"])
            before = previous.values.get(key) if previous.form.has_cell(key) else None
            if before is not None:
                ref[f"{column}{split_cell(form.cell(key).address)[0]}"] = before
    return edits


def new_from_previous(previous_path: str | Path, out: str | Path, *, year: int | None = None,
                      narrative: bool = False, today: dt.date | None = None,
                      agency: str | None = None) -> tuple[bytes, Report]:
    """Next year's workbook for ``out`` (not written: the caller guards and writes it) and its report."""
    from ..adapters.xlsx_cells import set_cells
    from .ledger import carried_register
    from .load import open_source
    from .workbook import new_package

    previous = open_source(previous_path).report
    report = next_year_report(previous, year=year, narrative=narrative, agency=agency)
    carried = carried_register(previous, report.year)  # last year's open cases: next year's register
    package = new_package(out, source=report, today=today, ledger=carried)
    report = replace(report, ledger=carried)
    try:
        data = set_cells(package, memory_edits(previous, report.form, successor=agency))
    except (ValueError, TypeError) as exc:
        raise InputError(f"无法写入工作簿：{exc}", place=str(out)) from None
    return data, report

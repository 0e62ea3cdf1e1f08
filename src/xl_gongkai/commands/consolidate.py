"""Consolidation: the reports of a region's agencies for one year, added up into one regional report.

Only reports that can be added honestly are: the 2021 format, the chosen year, no 错误, one per
agency. Everything else in the folder is listed with the reason it was left out, on the 汇总来源 sheet
of the result, which is a filled template checked like any other.

Running it twice never counts anything twice: a consolidation this tool made (known by the role field
of its template-info sheet, or by its 汇总来源 sheet in files of template 1.0.0, or by ``origin`` in its
payload — never by its file name) is not added, nor is a report of the agency the consolidation is made
for (that region's own 汇总, published or not). So the result may lie in the input folder, and a rerun
in place replaces it with the same total.
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
from ..errors import InputError, OutputError, OwnOutput
from ..spec import DEFAULT_FORM, CellKey, Form, load_form
from ..spec.a1 import cell_address
from .audit import skip_reason, survey
from .load import open_source
from .sheet_output import outputs
from .workbook import edited, input_edits, template_bytes, workbook_output


@dataclass
class Consolidation:
    report: Report
    validation: Validation
    sources: list[dict[str, Any]]  # one row per file of the folder, keyed as the 汇总来源 columns
    included: int
    output: bytes  # the workbook to write (a macro workbook or not, as the output's suffix says)
    inputs: list[Path]  # every file of the folder the output must not replace (all but our own results)

    def left_out(self) -> list[dict[str, Any]]:
        excluded = self.report.form.workbook.sources.excluded
        return [r for r in self.sources if r["status"] == excluded]


def _key(agency: str) -> str:
    return "".join(agency.split())


def consolidate(folder: str | Path, *, agency: str, out: str | Path, year: int | None = None,
                today: dt.date | None = None) -> Consolidation:
    """Add up the folder's reports; the workbook for ``out`` is returned, not written (see :func:`write`)."""
    root, target = Path(folder), Path(out)
    if not root.is_dir():
        raise InputError("不是文件夹，或文件夹不存在。", place=str(root))
    form = load_form(DEFAULT_FORM)
    spec = form.workbook.sources
    read_ok: list[tuple[Path, Report, Validation]] = []
    rows: list[dict[str, Any]] = []
    inputs: list[Path] = []

    def leave(path: Path, reason: str, report: Report | None = None) -> None:
        rows.append({"file": str(path.relative_to(root)), "agency": report.agency if report else "",
                     "year": (report.year or "") if report else "", "status": spec.excluded, "reason": reason})

    for path in survey(root):
        skipped = skip_reason(path)
        if skipped:
            leave(path, skipped)
            continue
        try:
            src = open_source(path)
        except OwnOutput:
            leave(path, "本工具写出的审核结果，不是报告")
            continue
        except InputError as exc:
            inputs.append(path)
            leave(path, f"无法读取：{exc.args[0] if exc.args else exc}")
            continue
        if src.report.origin == "consolidation":
            if target.exists() and _same(path, target) and _key(src.report.agency) != _key(agency):
                raise OutputError(f"输出文件“{target}”是另一份汇总报告（{src.report.agency}），写出会覆盖它。"
                                  "请换一个输出文件名。")
            leave(path, "本工具生成的汇总报告，不再计入（避免重复相加）", src.report)
            continue
        inputs.append(path)
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
            reason = f"采用{report.form.short_title}，只能汇总{form.short_title}的报告"
        elif report.year != year:
            reason = f"年度为{report.year or '未知'}，汇总年度为{year}"
        elif _key(report.agency) == _key(agency):
            reason = "与汇总报告的机关同名：可能是本地区已有的汇总报告，不重复计入"
        elif v.errors:
            reason = f"有{len(v.errors)}项错误，请先改正（第一项：{v.errors[0].message}）"
        elif _key(report.agency) in seen:
            reason = f"与{seen[_key(report.agency)]}是同一机关的报告"
        if reason:
            leave(path, reason, report)
            continue
        seen[_key(report.agency)] = str(path.relative_to(root))
        included.append(report)
        rows.append({"file": str(path.relative_to(root)), "agency": report.agency, "year": report.year,
                     "status": spec.included, "reason": ""})
    if not included:
        raise InputError(f"没有可以汇总的{year}年度报告（原因见下）：" +
                         "；".join(f"{r['file']}：{r['reason']}" for r in rows[:5]), place=str(root))
    values: dict[CellKey, Any] = {}
    for cell in form.input_cells():
        values[cell.key] = exact_sum(read(r.values.get(cell.key)).number or 0 for r in included)
    metadata = {"agency": agency, "year": year, "period_start": f"{year}-01-01", "period_end": f"{year}-12-31"}
    report = fill(Report(form=form, metadata=metadata, values=values, origin="consolidation"))
    validation = check(report, today=today)
    ordered = sorted(rows, key=lambda r: (r["status"] != spec.included, r["file"]))
    sources = [{"no": i, **row} for i, row in enumerate(ordered, start=1)]
    edits = input_edits(report)  # every value, the totals ``fill`` computed included
    for sheet, cells in outputs(form, report, validation, summarize(report), links=False).items():
        edits.setdefault(sheet, {}).update(cells)
    edits[spec.sheet] = source_cells(form, sources)
    package = workbook_output(edited(template_bytes(form, consolidation=True), edits, target), target, macros=True)
    return Consolidation(report, validation, sources, len(included), package, inputs)


def source_cells(form: Form, sources: list[dict[str, Any]]) -> dict[str, Any]:
    """The 汇总来源 rows below its header, one column per spec column, as {address: value}."""
    spec = form.workbook.sources
    return {cell_address(spec.header_row + i, c): row.get(col.key, "")
            for i, row in enumerate(sources, start=1) for c, col in enumerate(spec.columns, start=1)}


def _same(a: Path, b: Path) -> bool:
    from ..fileio import same_file

    return same_file(a, b)

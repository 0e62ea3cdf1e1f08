"""Consolidation: the reports of a region's units for one year, added up into one regional report (汇总).

A sum that cannot miscount. Whatever the files are called and however many years lie in the folder, the
total is the same or there is none:

* **One year, said.** Without ``--year``, a folder holding reports of several years is refused, naming the
  years: a majority would make three stale files decide the year.
* **One report per agency.** Two *different* reports of one agency and year refuse the consolidation, naming
  both files (which version counts is the agency's to say, not the file name's); identical copies — a
  workbook and its exported payload — are counted once and said.
* **Only what can be added honestly**: one format (the one the year's reports were made in), the chosen year,
  no 错误. Everything else in the
  folder is listed with its reason on the 汇总来源 sheet of the result, a filled template checked like any
  other. Its narrative is the office's to write: the sections are 待填写, which ``export`` and ``report``
  enforce, while the consolidation itself is a success (exit 0).
* **Never counted twice.** A 汇总 this tool made is known by the role field of its template-info sheet (or its
  汇总来源 sheet, template 1.0.0, or ``origin`` in its payload) — never by its file name. The region's own
  汇总 (the agency the consolidation is made for) is never added. 汇总s of *other* regions — a city summing
  its counties' — are added only with ``--include-summaries``, and then no agency may be counted twice: an
  agency that is both in the folder and inside an included 汇总 (its 汇总来源 sheet), or inside two of them,
  refuses the consolidation, naming both.
* **Reruns.** The output file itself is never a source (it is what is being replaced), so a rerun in place
  writes the same bytes.

``--check-against PUBLISHED`` (:func:`reconcile`) compares a published regional report with the sum, cell
by cell, and names the units behind each gap.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..controls import shown_path
from ..core.derive import fill
from ..core.findings import Validation
from ..core.names import agency_key
from ..core.numbers import Number, exact_sum, read, show
from ..core.report import Report
from ..core.rules import check
from ..core.summary import summarize
from ..errors import InputError, OutputError, OwnOutput
from ..fileio import same_file, undecodable, undecodable_note
from ..spec import CellKey, Form, current_form
from ..spec.a1 import cell_address
from .audit import content_digest, entry_problem, skip_reason, survey
from .load import open_source
from .sheet_output import outputs
from .workbook import edited, input_edits, template_bytes, workbook_output

INCLUDE_FLAG = "--include-summaries"
REASON_OWN = "本地区自己的汇总报告（与汇总机关同名），不重复计入"
REASON_OTHER_SUMMARY = f"其他地区的汇总报告，默认不计入；如需计入（例如市汇总各县的汇总），请加 {INCLUDE_FLAG}"


@dataclass
class Consolidation:
    report: Report
    validation: Validation
    sources: list[dict[str, Any]]  # one row per file of the folder, keyed as the 汇总来源 columns
    included: int
    output: bytes  # the workbook to write (a macro workbook or not, as the output's suffix says)
    inputs: list[Path]  # every file of the folder the output must not replace (all but our own results)
    parts: list[tuple[str, Report]] = field(default_factory=list)  # (file, report) of every report added
    other_summaries: list[str] = field(default_factory=list)  # files of other regions' 汇总s not added

    def left_out(self) -> list[dict[str, Any]]:
        excluded = self.report.form.workbook.sources.excluded
        return [r for r in self.sources if r["status"] == excluded]


@dataclass
class _Read:
    file: str  # relative to the folder, as shown
    path: Path
    report: Report
    validation: Validation
    summary: bool  # another region's 汇总


def consolidate(folder: str | Path, *, agency: str, out: str | Path | None, year: int | None = None,
                today: dt.date | None = None, include_summaries: bool = False) -> Consolidation:
    """Add up the folder's reports; the workbook for ``out`` is returned, not written (the front end writes
    it). ``out`` None: the sum only (``--check-against`` without an output)."""
    root = Path(folder)
    if not root.is_dir():
        raise InputError("不是文件夹，或文件夹不存在。", place=str(root))
    if not agency.strip():
        raise InputError("--agency 不能为空：请写明汇总报告的机关名称。")
    target = Path(out) if out is not None else None
    own = agency_key(agency)
    read_ok: list[_Read] = []
    rows: list[dict[str, Any]] = []
    inputs: list[Path] = []
    others: list[str] = []

    def leave(name: str, reason: str, report: Report | None = None) -> None:
        rows.append({"file": name, "agency": report.agency if report else "",
                     "year": (report.year or "") if report else "", "status": _EXCLUDED, "reason": reason})

    try:
        paths = survey(root)
    except OSError as exc:
        from ..errors import os_error_text

        raise InputError(os_error_text(exc), place=str(root)) from None
    for path in paths:
        name = shown_path(str(path.relative_to(root)))
        if undecodable(path):
            name += f"（{undecodable_note(path)}）"
        skipped = skip_reason(path) or entry_problem(path)
        if skipped:
            leave(name, skipped)
            continue
        try:
            src = open_source(path)
        except OwnOutput:
            leave(name, "本工具写出的审核结果，不是报告")
            continue
        except InputError as exc:
            inputs.append(path)
            leave(name, f"无法读取：{shown_path(exc.args[0] if exc.args else str(exc))}")
            continue
        report = src.report
        if report.origin == "consolidation":
            if target is not None and target.exists() and same_file(path, target):
                if agency_key(report.agency) == own:
                    continue  # the output itself, about to be replaced: never a source, never listed
                raise OutputError(f"输出文件“{target}”是另一份汇总报告（{report.agency}），写出会覆盖它。"
                                  "请换一个输出文件名。")
            if agency_key(report.agency) == own:
                leave(name, "本工具此前生成的本地区汇总报告，不再计入（避免重复相加）", report)
                continue
            if not include_summaries:
                others.append(name)
                leave(name, REASON_OTHER_SUMMARY, report)
                continue
        inputs.append(path)
        read_ok.append(_Read(name, path, report, check(report, today=today), report.origin == "consolidation"))

    named = "、".join(others[:3]) + ("等" if len(others) > 3 else "")
    hint = (f"文件夹中有其他地区的汇总报告 {len(others)} 份（{named}），默认不计入；"
            f"市汇总各县（区）的汇总时，请加 {INCLUDE_FLAG}。") if others else ""
    year = _year(read_ok, own, year, root, hint)
    form = _form(read_ok, own, year, root)
    spec = form.workbook.sources
    included, conflicts = _choose(read_ok, form, year, own, leave)
    if conflicts:
        raise InputError("同一机关有内容不同的报告，无法确定以哪一份为准，没有汇总：" + "；".join(conflicts) +
                         "。请与该机关核实，把不用的那份移出文件夹后重试（内容完全相同的副本会自动只计一次）。",
                         place=str(root))
    _no_agency_twice(included, form)
    if not included:
        raise InputError(hint or (f"没有可以汇总的{year}年度报告（原因见下）：" +
                                  "；".join(f"{r['file']}：{r['reason']}" for r in rows[:5])), place=str(root))
    for r in included:
        rows.append({"file": r.file, "agency": r.report.agency, "year": r.report.year, "status": spec.included,
                     "reason": "其他地区的汇总报告（按 --include-summaries 计入）" if r.summary else ""})
    report = summed(form, [r.report for r in included], agency=agency, year=year)
    validation = check(report, today=today)
    for row in rows:  # what was left out, in the form's own words (known only now)
        if row["status"] == _EXCLUDED:
            row["status"] = spec.excluded
    ordered = sorted(rows, key=lambda r: (r["status"] != spec.included, r["file"]))
    sources = [{"no": i, **row} for i, row in enumerate(ordered, start=1)]
    package = b""
    if target is not None:
        edits = input_edits(report)  # every value, the totals ``fill`` computed included
        for sheet, cells in outputs(form, report, validation, summarize(report), links=False).items():
            edits.setdefault(sheet, {}).update(cells)
        edits[spec.sheet] = source_cells(form, sources)
        package = workbook_output(edited(template_bytes(form, consolidation=True), edits, target), target,
                                  macros=True)
    return Consolidation(report, validation, sources, len(included), package, inputs,
                         [(r.file, r.report) for r in included], others)


def summed(form: Form, reports: Sequence[Report], *, agency: str, year: int) -> Report:
    """The regional report: every input cell the exact sum of the units' (blank counts 0), the totals derived."""
    values: dict[CellKey, Any] = {}
    for cell in form.input_cells():
        values[cell.key] = exact_sum(read(r.values.get(cell.key)).number or 0 for r in reports)
    metadata = {"agency": agency.strip(), "year": year, "period_start": f"{year}-01-01",
                "period_end": f"{year}-12-31"}
    return fill(Report(form=form, metadata=metadata, values=values, origin="consolidation"))


_EXCLUDED = "excluded"  # a row's status until the form is known (then ``sources.excluded``)


def _form(read_ok: Sequence[_Read], own: str, year: int, root: Path) -> Form:
    """The form to add up in: the one the year's reports were made in; reports of two forms cannot be added cell
    by cell, and are refused, naming the forms. No report of a form with a workbook: the current form (each
    report is then left out with its reason)."""
    forms = {r.report.form.id: r.report.form for r in read_ok
             if r.report.year == year and agency_key(r.report.agency) != own and r.report.form.template is not None}
    if len(forms) > 1:
        shown = "、".join(f.short_title for f in forms.values())
        raise InputError(f"文件夹中{year}年度的报告采用了不同的格式（{shown}），不同格式的表格不能逐格相加，没有汇总。"
                         "请把同一格式的报告放在一个文件夹中分别汇总。", place=str(root))
    return next(iter(forms.values())) if forms else current_form()


def _year(read_ok: Sequence[_Read], own: str, year: int | None, root: Path, hint: str) -> int:
    """The year to add up: the one given, or the only one in the folder; several years are refused."""
    if year is not None:
        return year
    years = Counter(r.report.year for r in read_ok if r.report.year and agency_key(r.report.agency) != own)
    if not years:
        raise InputError(hint or "文件夹中没有可读取年度的报告，无法确定汇总年度。", place=str(root))
    if len(years) > 1:
        shown = "、".join(f"{y}年度 {n} 份" for y, n in sorted(years.items()))
        raise InputError(f"文件夹中有不止一个年度的报告（{shown}），不按多数决定汇总哪一年。"
                         f"请用 --year 指定，例如 --year {max(years)}。", place=str(root))
    return next(iter(years))


def _choose(read_ok: Sequence[_Read], form: Form, year: int, own: str,
            leave: Any) -> tuple[list[_Read], list[str]]:
    """The reports to add (one per agency), and the agencies with different reports (refused)."""
    candidates: dict[str, list[_Read]] = {}
    for r in read_ok:
        report, reason = r.report, None
        if report.form.id != form.id:
            reason = f"采用{report.form.short_title}，只能汇总{form.short_title}的报告"
        elif report.year != year:
            reason = f"年度为{report.year or '未知'}，汇总年度为{year}"
        elif agency_key(report.agency) == own:
            reason = REASON_OWN
        elif not report.agency:
            reason = "没有填写机关名称，无法确认是哪个单位的报告"
        if reason:
            leave(r.file, reason, report)
        else:
            candidates.setdefault(agency_key(report.agency), []).append(r)
    included: list[_Read] = []
    conflicts: list[str] = []
    for group in candidates.values():
        group.sort(key=lambda r: r.file)
        versions: dict[str, list[_Read]] = {}
        for r in group:
            versions.setdefault(content_digest(r.report), []).append(r)
        if len(versions) > 1:
            conflicts.append(f"{group[0].report.agency}（" + "、".join(r.file for r in group) + "）")
            continue
        first, *copies = group
        for c in copies:
            leave(c.file, f"与 {first.file} 内容相同（同一份报告的副本），只计一次", c.report)
        if first.validation.errors:
            errors = first.validation.errors
            leave(first.file, f"有{len(errors)}项错误，请先改正（第一项：{errors[0].message}）", first.report)
            continue
        if unread := first.validation.unread:
            # an unread cell is blank, and a blank would be summed as 0: the sum would be short without a word
            leave(first.file, f"有{len(unread)}处待核对（导入时未能读取的单元格，或找不到的表、部分），"
                              f"请对照原文填写后再汇总（第一处：{unread[0].message}）", first.report)
            continue
        included.append(first)
    return included, conflicts


def _no_agency_twice(included: Sequence[_Read], form: Form) -> None:
    """With other regions' 汇总s added: no agency in two of the parts (its own report and a 汇总 that holds it,
    or two 汇总s that hold it). A 汇总's agencies are those its 汇总来源 sheet marks 已汇总."""
    seen: dict[str, str] = {}
    for r in included:
        names = [r.report.agency]
        if r.summary:
            names += summed_agencies(r.path, form)
        for name in names:
            key = agency_key(name)
            if key in seen and seen[key] != r.file:
                raise InputError(f"“{name}”会被计入两次：{seen[key]} 和 {r.file} 都包含它（汇总报告按其“"
                                 f"{form.workbook.sources.sheet}”表）。请移出其中一份后重试。")
            seen[key] = r.file


def summed_agencies(path: Path, form: Form) -> list[str]:
    """The agencies a 汇总 workbook added up (its 汇总来源 rows marked 已汇总); [] for a payload, which has none."""
    from ..adapters.formats import WORKBOOK_IN
    from ..adapters.workbook_read import read_grids

    spec = form.workbook.sources
    if path.suffix.lower() not in WORKBOOK_IN.suffixes:
        return []
    grid = read_grids(path, {spec.sheet: (spec.header_row + MAX_SOURCE_ROWS, len(spec.columns))}, lenient=True)
    sheet = grid.get(spec.sheet)
    if sheet is None:
        return []
    col = {c.key: i + 1 for i, c in enumerate(spec.columns)}
    names = []
    for r in range(spec.header_row + 1, spec.header_row + MAX_SOURCE_ROWS + 1):
        agency, status = sheet.cell(r, col["agency"]), sheet.cell(r, col["status"])
        if status == spec.included and isinstance(agency, str) and agency.strip():
            names.append(agency.strip())
    return names


MAX_SOURCE_ROWS = 20_000  # files of one region's folder: far more than any county or city has units


def source_cells(form: Form, sources: list[dict[str, Any]]) -> dict[str, Any]:
    """The 汇总来源 rows below its header, one column per spec column, as {address: value}."""
    spec = form.workbook.sources
    return {cell_address(spec.header_row + i, c): row.get(col.key, "")
            for i, row in enumerate(sources, start=1) for c, col in enumerate(spec.columns, start=1)}


# -- reconciling a published regional report with the sum of its units ----------------------------------------

SHOWN_UNITS = 5  # units named behind a gap, the largest first


@dataclass(frozen=True)
class Gap:
    cell: CellKey
    where: str  # 表三“…”行、“…”列
    published: Number
    summed: Number
    diff: Number  # published − sum
    units: tuple[tuple[str, Number], ...]  # the units with a figure in the cell, largest first
    exact: tuple[str, ...]  # units whose figure equals the gap: left out, or counted twice?

    def line(self) -> str:
        text = (f"{self.where}：公布 {show(self.published)}，各单位合计 {show(self.summed)}，"
                f"差额 {show(self.diff)}")
        if self.exact:
            who = "、".join(self.exact)
            text += (f"；公布数多出的正好是{who}的数字（公布时重复计入了？）" if _positive(self.diff)
                     else f"；公布数少的正好是{who}的数字（公布时漏计了？）")
        if self.units:
            shown = "、".join(f"{name} {show(n)}" for name, n in self.units[:SHOWN_UNITS])
            more = f"等 {len(self.units)} 个单位" if len(self.units) > SHOWN_UNITS else ""
            text += f"；计入的单位：{shown}{more}"
        else:
            text += "；没有单位填了这一格"
        return text + "。"


@dataclass(frozen=True)
class Reconciliation:
    published: Report
    compared: int
    gaps: tuple[Gap, ...]
    not_compared: tuple[str, ...]  # cells the published report leaves blank or has as text
    notes: tuple[str, ...]

    def lines(self, source: str) -> list[str]:
        head = f"与公布的报告核对（{source}）：比较了 {self.compared} 个单元格，"
        head += f"{len(self.gaps)} 个不一致。" if self.gaps else "全部一致。"
        out = [head, *self.notes]
        out += [f"  {g.line()}" for g in self.gaps]
        if self.not_compared:
            out.append(f"  公布的报告中有 {len(self.not_compared)} 个单元格为空或不是数字，未比较"
                       f"（例如{self.not_compared[0]}）。")
        return out


def _positive(n: Number) -> bool:
    return n > 0


def reconcile(published: Report, summed_report: Report, parts: Sequence[tuple[str, Report]]) -> Reconciliation:
    """Every cell of the published regional report against the sum of the units, the totals included."""
    form = summed_report.form
    notes = []
    if published.form.id != form.id:
        raise InputError(f"公布的报告采用{published.form.short_title}，汇总采用{form.short_title}，无法逐格核对。")
    if published.year is not None and published.year != summed_report.year:
        notes.append(f"  注意：公布的报告是{published.year}年度的，汇总年度为{summed_report.year}。")
    if published.agency and agency_key(published.agency) != agency_key(summed_report.agency):
        notes.append(f"  注意：公布的报告是“{published.agency}”的，汇总机关为“{summed_report.agency}”。")
    gaps, skipped, compared = [], [], 0
    for cell in form.cells:
        if not published.present(cell.key):
            continue
        p, s = read(published.values.get(cell.key)), read(summed_report.values.get(cell.key))
        if p.kind != "number" or p.number is None:
            skipped.append(cell.describe())
            continue
        if s.number is None:
            continue
        compared += 1
        if p.number == s.number:
            continue
        diff = exact_sum([p.number, -s.number])
        units = []
        for name, r in parts:
            n = read(r.values.get(cell.key)).number
            if n:
                units.append((r.agency or name, n))
        units.sort(key=lambda u: -u[1])
        exact = tuple(name for name, n in units if n == abs(diff))
        gaps.append(Gap(cell.key, cell.describe(), p.number, s.number, diff, tuple(units), exact))
    return Reconciliation(published, compared, tuple(gaps), tuple(skipped), tuple(notes))

"""The annual report as a neutral document: title, preamble, sections 一 to 六 and the three tables.

Both writers (Word and HTML) render this one model, so the two outputs cannot disagree. The tables
are laid out from the form spec's label ranges, the same merged areas the Excel template prints, and
never from labels typed here; table 二 becomes four small tables, one per sub-table (第二十条第（一）、
（五）、（六）、（八）项), as published reports print it.

The clerk's text comes from ``report.narrative`` (keys: ``preamble`` and the section keys of the spec).
Figures the clerk did not write can be taken from the generated summary with a marker:

- ``【自动生成】`` in section 一 becomes the 依申请公开 and 复议诉讼 paragraphs (the figures a
  总体情况 usually quotes; 主动公开 counts such as web posts are not in the tables); in sections
  二/三/四 it becomes the paragraph of that section's own table.
- ``【自动生成：主动公开】``, ``【自动生成：依申请公开】``, ``【自动生成：复议诉讼】`` (or
  ``【自动生成：全部】``) name the paragraph explicitly and work in any section.

A section without text is not filled in here: the check refuses the report first (S1), so a
published report never shows a part the clerk left empty as “无。” or as text the clerk did not write.

A marker on a line of its own becomes whole paragraphs; inside a sentence the first paragraph
continues that line. A marker the builder cannot resolve refuses the report instead of printing it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..controls import safe_text
from ..core.dates import as_date
from ..core.findings import Validation
from ..core.numbers import read, show
from ..core.report import Report
from ..core.summary import Summary, summarize
from ..errors import Refused
from ..spec import CellKey, Form, Section, Table
from ..spec.a1 import column_index, split_range

REGULATION = "《中华人民共和国政府信息公开条例》"
PREAMBLE_KEY = "preamble"

# Marker names a clerk may type after 【自动生成：…】 are the spec's summary names (the table title works too).
ALL_NAME = "全部"
MARKER = "【自动生成】"
_MARKER_RE = re.compile(r"[【\[]\s*自动生成\s*(?:[:：]\s*([^】\]]*?)\s*)?[】\]]")

# Width needs in characters (a CJK character is 1, ASCII 0.5): caps keep one long label from
# squeezing the number columns, minimums keep a vertical group label readable.
_LABEL_CAP = 14.0
_HEADER_CAP = 6.0
_MIN_WIDTH = 1.5


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class GridCell:
    """One printed cell of a table: its top-left grid position, spans, text and role.

    ``role`` is ``header`` (column labels, notes, group labels), ``label`` (a row's own label at the
    row's height) or ``number``; ``key`` names the report value a number cell shows.
    """

    row: int
    col: int
    rowspan: int
    colspan: int
    text: str
    role: str
    key: CellKey | None = None

    @property
    def align(self) -> str:
        return "left" if self.role == "label" else "center"


@dataclass(frozen=True)
class GridTable:
    """A rectangular table whose cells tile the grid exactly (merged areas included)."""

    key: str
    n_rows: int
    n_cols: int
    widths: tuple[float, ...]  # relative column widths
    header_rows: int  # rows above the first number: repeated when a table breaks across pages
    cells: tuple[GridCell, ...]

    @property
    def dense(self) -> bool:
        """Many columns: the writers use the smaller table font."""
        return self.n_cols > 4


Block = Paragraph | GridTable


@dataclass(frozen=True)
class DocSection:
    key: str
    number: str
    heading: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class ReviewNote:
    """An explained 提示, for the reviewer page of the Word file only."""

    rule: str
    message: str
    explanation: str


@dataclass(frozen=True)
class ReportDocument:
    title: str
    kind: str  # what the document is: the form's report title (政府信息公开工作年度报告)
    title_lines: tuple[str, ...]
    agency: str
    year: int | None
    preamble: tuple[Paragraph, ...]
    sections: tuple[DocSection, ...]
    review: tuple[ReviewNote, ...]
    stamp: dt.datetime  # the file's created/modified date: fixed by the report, never the clock
    preparer: str = ""
    reviewer: str = ""
    # The payload the report was made from, as ``core.embedded.embedded_text`` writes it: both writers embed it
    # (never shown). Empty for a document built without a validation (nothing checked to carry).
    data: str = ""

    def tables(self) -> list[GridTable]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, GridTable)]


# --------------------------------------------------------------------------------------------------
# building
# --------------------------------------------------------------------------------------------------


def build_document(report: Report, validation: Validation | None = None) -> ReportDocument:
    """The document of a report whose every value is a number (call after ``check`` passes).

    Raises ``ValueError`` for a cell that is not a number or a text section without text (a caller that
    skipped the check) and ``Refused`` for a 【自动生成】 marker that names nothing the summary has.

    The clerk's texts are taken safe (``controls.safe_text``): a soft line break pasted from Word (U+000B,
    which rule T1 names) is a line break here, and no control character reaches the Word file's XML.
    """
    report = _safe_texts(report)
    form = report.form
    summary = summarize(report)
    agency, year = report.agency, report.year
    era = f"{year}年" if year else ""
    title = f"{agency}{era}{form.report_title}"
    sections = tuple(_section(report, form, s, summary, first=(i == 0)) for i, s in enumerate(form.sections))
    preamble_text = _text(report.narrative.get(PREAMBLE_KEY))
    preamble = (
        _paragraphs(preamble_text, summary, "前言", (), marker_names(form))
        if preamble_text
        else (Paragraph(generated_preamble(report)),)
    )
    review = tuple(
        ReviewNote(f.rule, safe_text(f.message), safe_text(f.explanation or ""))
        for f in (validation.warnings if validation else [])
        if f.explanation
    )
    return ReportDocument(
        title=title,
        kind=form.report_title,
        title_lines=tuple(x for x in (agency, f"{era}{form.report_title}") if x),
        agency=agency,
        year=year,
        preamble=preamble,
        sections=sections,
        review=review,
        stamp=document_stamp(report),
        preparer=_text(report.metadata.get("preparer")),
        reviewer=_text(report.metadata.get("reviewer")),
    )


def _safe_texts(report: Report) -> Report:
    """The report with every text it prints made safe for a document (numbers are not touched)."""
    def safe(mapping: Mapping[str, Any]) -> dict[str, Any]:
        return {k: safe_text(v) if isinstance(v, str) else v for k, v in mapping.items()}

    return replace(report, metadata=safe(report.metadata), narrative=safe(report.narrative),
                   explanations=safe(report.explanations))


def generated_preamble(report: Report) -> str:
    start, end = statistics_period(report)
    by = f"由{report.agency}" if report.agency else ""
    text = f"本报告{by}根据{REGULATION}（以下简称《条例》）和{report.form.source}要求编制。"
    if start and end:
        text += f"本报告所列数据的统计期限自{_chinese_date(start)}至{_chinese_date(end)}。"
    return text


def statistics_period(report: Report) -> tuple[dt.date | None, dt.date | None]:
    """The metadata's period when given, else 1 January to 31 December of the report year."""
    start = as_date(report.metadata.get("period_start"))
    end = as_date(report.metadata.get("period_end"))
    year = report.year
    if year:
        start = start or dt.date(year, 1, 1)
        end = end or dt.date(year, 12, 31)
    return start, end


def document_stamp(report: Report) -> dt.datetime:
    """填报日期, else the end of the statistics period, else 2000-01-01: same report, same file."""
    day = as_date(report.metadata.get("date")) or statistics_period(report)[1] or dt.date(2000, 1, 1)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)


def _chinese_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _text(value: Any) -> str:
    """A text field as written; a number typed into a text cell is kept as the clerk sees it."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return show(value)
    return ""


def _section(report: Report, form: Form, section: Section, summary: Summary, *, first: bool) -> DocSection:
    text = _text(report.narrative.get(section.key))
    blocks: list[Block] = []
    if section.table:
        default: tuple[str, ...] = (section.table,)
    elif first:  # what a bare marker stands for in section 一 (in a table's section: that table)
        default = tuple(part.table for part in form.summary if part.overview)
    else:
        default = ()
    if text:
        blocks += _paragraphs(text, summary, section.heading, default, marker_names(form))
    elif not section.table:
        raise ValueError(f"“{section.heading}”没有内容：请先通过校验（S1）。")
    if section.table:
        blocks += layout_table(form.table(section.table), _number_text(report))
    return DocSection(section.key, section.number, section.heading, tuple(blocks))


def marker_names(form: Form) -> dict[str, tuple[str, ...]]:
    """The names a 【自动生成：…】 marker may use for each table's paragraph (the spec's summary names)."""
    return {part.table: part.names for part in form.summary}


def _paragraphs(text: str, summary: Summary, where: str, default: tuple[str, ...],
                names: Mapping[str, tuple[str, ...]]) -> tuple[Paragraph, ...]:
    """The clerk's text as paragraphs, markers replaced; leading full-width spaces dropped (the
    writers indent every paragraph themselves)."""

    def replace(m: re.Match[str]) -> str:
        keys = _marker_keys(m.group(1), default, summary, where, m.group(0), names)
        return "\n".join(summary.paragraphs[k] for k in keys)

    expanded = _MARKER_RE.sub(replace, text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = (line.strip(" \t\u3000") for line in expanded.split("\n"))
    return tuple(Paragraph(line) for line in lines if line)


def _marker_keys(name: str | None, default: tuple[str, ...], summary: Summary, where: str, raw: str,
                 names: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    if name is None or not name.strip():
        if not default:
            options = [f"【自动生成：{n[0]}】" for n in names.values() if n]
            raise Refused(f"“{where}”中的“{raw}”没有对应的自动生成内容：请改为{'、'.join(options[:-1])}"
                          f"或{options[-1]}，或删除该标记。")
        return default
    wanted = name.strip()
    if wanted == ALL_NAME:
        return tuple(summary.paragraphs)
    for key in summary.paragraphs:
        if wanted in (*names.get(key, ()), summary.titles[key], key):
            return (key,)
    listed = "、".join(n[0] for n in names.values() if n)
    raise Refused(f"“{where}”中的“{raw}”无法识别：可用的名称有{listed}、{ALL_NAME}。")


def _number_text(report: Report) -> Mapping[CellKey, str]:
    out: dict[CellKey, str] = {}
    for cell in report.form.cells:
        r = read(report.values.get(cell.key))
        if r.kind != "number":
            raise ValueError(f"{cell.describe()}不是数字（{show(report.values.get(cell.key))}）：请先通过校验。")
        out[cell.key] = show(r.number)
    return out


# --------------------------------------------------------------------------------------------------
# table layout from the spec
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Region:
    r1: int
    c1: int
    r2: int
    c2: int
    text: str
    role: str
    key: CellKey | None = None


def layout_table(table: Table, numbers: Mapping[CellKey, str]) -> list[GridTable]:
    """The printed grid(s) of a table: labels from the spec's ranges, numbers at their addresses."""
    regions = _regions(table, numbers)
    top = min(r.r1 for r in regions)
    bottom = max(r.r2 for r in regions)
    left = min(r.c1 for r in regions)
    right = max(r.c2 for r in regions)
    _check_tiling(table, regions, (top, left, bottom, right))
    widths = _widths(regions, left, right)
    out = []
    for name, (b1, b2) in _bands(table, top, bottom):
        inside = [r for r in regions if b1 <= r.r1 <= b2]
        if any(r.r2 > b2 for r in inside):
            raise ValueError(f"table {table.key}: a merged label crosses the sub-table boundary at row {b2}")
        first_number = min((r.r1 for r in inside if r.role == "number"), default=b2 + 1)
        cells = tuple(
            GridCell(r.r1 - b1, r.c1 - left, r.r2 - r.r1 + 1, r.c2 - r.c1 + 1, r.text, r.role, r.key)
            for r in sorted(inside, key=lambda x: (x.r1, x.c1))
        )
        out.append(GridTable(name, b2 - b1 + 1, right - left + 1, widths, first_number - b1, cells))
    return out


def _regions(table: Table, numbers: Mapping[CellKey, str]) -> list[_Region]:
    rows_at = {r.key: r.at for r in table.rows}
    regions = []
    for lab in table.labels:
        (r1, c1), (r2, c2) = split_range(lab.range)
        own_row = lab.kind == "row" and r1 <= rows_at[lab.ref or ""] <= r2
        regions.append(_Region(r1, c1, r2, c2, lab.text, "label" if own_row else "header"))
    for row in table.rows:
        for col in table.columns_of(row):
            key = CellKey(table.key, row.key, col.key)
            c = column_index(col.at) + row.offset
            regions.append(_Region(row.at, c, row.at, c + col.span - 1, numbers[key], "number", key))
    return regions


def _check_tiling(table: Table, regions: Sequence[_Region], box: tuple[int, int, int, int]) -> None:
    """Every grid position is printed exactly once: a hole or an overlap is a defect of the spec."""
    top, left, bottom, right = box
    seen: dict[tuple[int, int], str] = {}
    for reg in regions:
        for r in range(reg.r1, reg.r2 + 1):
            for c in range(reg.c1, reg.c2 + 1):
                if (r, c) in seen:
                    raise ValueError(f"table {table.key}: “{reg.text}” overlaps “{seen[(r, c)]}” at row {r}, col {c}")
                seen[(r, c)] = reg.text
    holes = [(r, c) for r in range(top, bottom + 1) for c in range(left, right + 1) if (r, c) not in seen]
    if holes:
        raise ValueError(f"table {table.key}: the layout leaves cells empty at (row, col) {holes[:5]}")


def _bands(table: Table, top: int, bottom: int) -> list[tuple[str, tuple[int, int]]]:
    """One band per sub-table (row groups that carry their own columns), else the whole table."""
    subtables = {g.key for g in table.row_groups if g.columns}
    starts = sorted(
        (split_range(lab.range)[0][0], lab.ref or "")
        for lab in table.labels
        if lab.kind == "row_group" and lab.ref in subtables
    )
    if not starts:
        return [(table.key, (top, bottom))]
    if starts[0][0] != top:
        raise ValueError(f"table {table.key}: rows above the first sub-table")
    out = []
    for i, (row, name) in enumerate(starts):
        end = starts[i + 1][0] - 1 if i + 1 < len(starts) else bottom
        out.append((f"{table.key}.{name}", (row, end)))
    return out


def display_length(text: str) -> float:
    return sum(0.5 if ord(ch) < 0x2E80 else 1.0 for ch in text)


def _need(reg: _Region) -> float:
    rows = reg.r2 - reg.r1 + 1
    length = display_length(reg.text)
    if reg.role == "number":
        return length + 1
    if reg.role == "label":
        return min(math.ceil(length / rows), _LABEL_CAP)
    # a one-row header may wrap onto two lines; a tall group label wraps down its rows
    return min(math.ceil(length / 2 if rows == 1 else length / rows), _HEADER_CAP)


def _widths(regions: Iterable[_Region], left: int, right: int) -> tuple[float, ...]:
    """Relative widths: label columns as wide as their labels need (capped), number columns equal."""
    need = {c: _MIN_WIDTH for c in range(left, right + 1)}
    numeric: set[int] = set()
    for reg in regions:
        if reg.role == "number":
            numeric.update(range(reg.c1, reg.c2 + 1))
        if reg.c1 == reg.c2:
            need[reg.c1] = max(need[reg.c1], _need(reg))
    if numeric:
        common = max(need[c] for c in numeric)
        for c in numeric:
            need[c] = common
    return tuple(float(need[c]) for c in range(left, right + 1))

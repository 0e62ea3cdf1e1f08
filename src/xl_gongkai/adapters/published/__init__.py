"""Importing a published 政府信息公开工作年度报告 (text copied from a PDF or page, or the page's HTML).

The importer reads what a report prints into a :class:`~xl_gongkai.core.report.Report` of the right
format (gov-2021, or gov-2019 for the 2019 试行 format), and says where it could not read with
certainty. Everything is found by the form spec's labels, headings and synonyms — no label or row
number is spelt out here — so the same code reads both formats:

* ``text`` turns a file into lines and tokens (cells, numbers, explicit blanks) and repairs damage
  that cannot change a reading; ``html`` does the same for a page, with real table parsing;
* ``sections`` finds the six headings, the narrative, the title (agency, year) and the statistics
  period;
* ``tables`` finds every row by its label and places numbers only when certain.

Import findings are the catalogue rules I1–I4: I1 a row whose count of numbers is wrong (left
blank), I2 a table, row or section not found, I3 a row the agency added (ignored), I4 a label that
is not the official one but a known variant (accepted). Blank and ``/`` cells are read as blank,
never as 0.

The 2019 format prints no unit for 采购总金额; the gov-2019 spec takes it as 万元 like the 2021 fee
column (agencies that wrote a unit wrote 万元), so a value in 元 shows up in the V5 magnitude check.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...core.findings import Finding, Place, sort_findings
from ...core.report import Report
from ...errors import InputError
from ...spec import DEFAULT_FORM, FORM_FILES, CellKey, Form, Severity, load_form
from .notes import IMPORT_RULES, import_finding
from .sections import Heading, fallback_region, find_headings, find_period, find_title, paragraphs, regions
from .tables import format_scores, read_table, table_findings
from .text import MAX_TEXT_CHARS, Document, Line, check_lines, parse_text, read_source, tokens

SUFFIXES = (".txt", ".html", ".htm")

__all__ = ["SUFFIXES", "ImportResult", "import_document", "import_report", "import_text"]


@dataclass(frozen=True)
class ImportResult:
    report: Report
    findings: tuple[Finding, ...]
    format: str  # the form id: "gov-2021" or "gov-2019"

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]


def import_report(path: str | Path) -> ImportResult:
    """Read a published report file (.txt, .html, .htm; UTF-8 or GB18030)."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(f"不支持的文件类型“{p.suffix or '（无扩展名）'}”：请提供 .txt、.html 或 .htm 文件。",
                         place=str(p))
    text = read_source(p)  # a regular file only, bounded while read
    try:
        if suffix in (".html", ".htm"):
            from .html import parse_html

            return import_document(parse_html(text), name=p.name)
        return import_document(parse_text(text), name=p.name)
    except InputError as exc:
        if exc.place:
            raise
        raise InputError(str(exc), place=str(p)) from None


def import_text(text: str, *, name: str = "") -> ImportResult:
    """Read a report given as text (a collection file with its header block, or the bare report)."""
    return import_document(parse_text(text), name=name)


def _detect(text: str, year: int | None) -> Form:
    """The format whose own labels the text prints; the report year decides a tie."""
    forms = [load_form(fid) for fid in FORM_FILES]
    scores = format_scores(forms, text)
    best = max(scores.values())
    leaders = [f for f in forms if scores[f.id] == best]
    if len(leaders) == 1:
        return leaders[0]
    if year is not None:
        for f in leaders:
            if f.first_year <= year and (f.last_year is None or year <= f.last_year):
                return f
    return load_form(DEFAULT_FORM)


def import_document(doc: Document, *, name: str = "") -> ImportResult:
    """Interpret a parsed document (text or HTML); ``name`` is where it came from, for the caller's messages."""
    lines = list(doc.lines)
    check_lines(len(lines))
    chars = sum(len(ln.text) for ln in lines)
    if chars > MAX_TEXT_CHARS:
        raise InputError(f"报告正文有 {chars:,} 个字，超过 {MAX_TEXT_CHARS:,} 字的上限（一份年度报告通常不到 2 万字），"
                         "不像是一份年度报告，未读取。")
    default = load_form(DEFAULT_FORM)
    headings = find_headings(default, lines)  # both formats have the same six headings
    first_heading = min((h.line for h in headings.values()), default=len(lines))
    title = find_title(lines, first_heading, doc.title, doc.html_title)
    tables_from = min((h.line for h in headings.values() if h.section.table), default=0)
    form = _detect("".join(default.normalize(ln.text) for ln in lines[tables_from:]), title.year)
    if form.id != default.id:
        headings = find_headings(form, lines)

    findings: list[Finding] = []
    metadata: dict[str, Any] = {}
    if title.agency:
        metadata["agency"] = title.agency
    if title.year is not None:
        metadata["year"] = title.year
    period = find_period("\n".join(ln.text for ln in lines))
    if period:
        metadata["period_start"], metadata["period_end"] = period
    narrative = _narrative(form, lines, headings, title.lines, findings)
    values = _tables(form, lines, headings, findings)
    report = Report(form=form, metadata=metadata, values=values, narrative=narrative)
    # errors first, then by rule; within a rule in reading order (as the checks sort theirs)
    ordered = sort_findings(findings, {rule: i for i, rule in enumerate(IMPORT_RULES)})
    return ImportResult(report=report, findings=ordered, format=form.id)


def _heading_note(h: Heading, findings: list[Finding]) -> None:
    if not h.known:
        findings.append(import_finding("I4", f"section.{h.section.key}", Place(section=h.section.key),
                                       where="正文标题", found=h.printed, official=h.section.heading))


def _narrative(form: Form, lines: list[Line], headings: dict[str, Heading], title_lines: int,
               findings: list[Finding]) -> dict[str, str]:
    """The preamble and the text sections (一、五、六); the table sections' text is their tables."""
    narrative: dict[str, str] = {}
    first_heading = min((h.line for h in headings.values()), default=len(lines))
    preamble = paragraphs(lines[title_lines:first_heading])
    if preamble:
        narrative["preamble"] = preamble
    spans = regions(form, lines, headings)
    for s in form.sections:
        if s.table:
            continue
        if s.key not in headings:
            findings.append(import_finding("I2", f"section.{s.key}", Place(section=s.key), where="正文",
                                           what=f"未找到“{s.heading}”部分"))
            continue
        h = headings[s.key]
        _heading_note(h, findings)
        a, b = spans[s.key]
        text = paragraphs(lines[a:b])
        text = f"{h.rest}\n{text}" if h.rest and text else h.rest or text
        if text:
            narrative[s.key] = text
    return narrative


def _tables(form: Form, lines: list[Line], headings: dict[str, Heading],
            findings: list[Finding]) -> dict[CellKey, Any]:
    """Every cell of the form: what each table's region prints, blank where nothing was read for certain."""
    values: dict[CellKey, Any] = {c.key: None for c in form.cells}
    spans = regions(form, lines, headings)
    for table in form.tables:
        section = next((s for s in form.sections if s.table == table.key), None)
        headed = section is not None and section.key in headings
        if section is not None and headed:
            h = headings[section.key]
            _heading_note(h, findings)
            a, b = spans[section.key]
            if h.rest:
                a = h.end - 1  # the table begins on the heading's own line
        elif section is not None:
            a, b = fallback_region(form, lines, headings, section.key)
        else:
            a, b = 0, len(lines)
        foreign = [form.normalize(r.label) for t in form.tables if t.key != table.key for r in t.rows
                   if len(form.normalize(r.label)) >= 4]
        read = read_table(form, table, tokens(lines[a:b], a), headed=headed, foreign=foreign)
        values.update({k: v for k, v in read.values.items() if k in values})
        findings.extend(table_findings(table, read, headed=headed))
    return values

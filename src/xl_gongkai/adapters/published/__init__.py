"""Importing a published 政府信息公开工作年度报告 (text copied from a PDF or page, or the page's HTML).

The importer reads what a report prints into a :class:`~xl_gongkai.core.report.Report` of the right
format (gov-2021, or gov-2019 for the 2019 试行 format), and says where it could not read with
certainty. Everything is found by the form spec's labels, headings and synonyms — no label or row
number is spelt out here — so the same code reads both formats:

* ``files`` reads a file of any kind (text, a page, a PDF, a Word document; ``pdf``, ``docx``) into lines;
* ``text`` turns a file into lines and tokens (cells, numbers, explicit blanks) and repairs damage
  that cannot change a reading; ``html`` does the same for a page, with real table parsing;
* ``sections`` finds the six headings and the narrative; ``metadata`` the agency, year and period;
* ``tables`` finds every row by its label; ``placement`` and ``labels`` decide only what is certain;
* ``heuristics`` is the inventory of every heuristic used (docs/import.md).

Import findings are the catalogue rules I1–I6: I1 a row whose count of numbers is wrong (left
blank), I2 rows of a table not found, I3 a row the agency added (ignored), I4 a label that is not
the official one but a known variant (accepted), I5 what a heuristic inferred, and from what. A table or
section the text does not contain is recorded in ``Report.absent``: the check reports it once (I6) and
does not judge its cells. Blank and ``/`` cells are read as blank, never as 0.

The format of the report follows its year; each table is read in the layout it is printed in (a 2023
report may print table 二 in the 2019 layout), and a table read in the other layout is said.

The 2019 format prints no unit for 采购总金额; the gov-2019 spec takes it as 万元 like the 2021 fee
column (agencies that wrote a unit wrote 万元), so a value in 元 shows up in the V5 magnitude check.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from ...core.findings import Finding, Place, sort_findings
from ...core.kinds.quality import PUBLISHED
from ...core.report import FIELD_PREFIX, Report
from ...errors import InputError
from ...spec import DEFAULT_FORM, CellKey, Form, Severity, Table, known_forms, load_form
from .blank import blank_tables
from .chrome import is_chrome_line
from .displaced import Grid, displaced_copy, grids, merged
from .grid_order import grid_reading
from .heuristics import heuristic
from .identities import equations
from .label_index import label_index
from .metadata import publication_date, read_metadata
from .notes import IMPORT_RULES, import_finding
from .script import as_simplified
from .sections import (
    Heading,
    fallback_region,
    find_headings,
    paragraphs,
    regions,
    section_tokens,
    split_run_together,
)
from .tables import TableRead, absent_what, format_scores, read_table, table_findings
from .text import MAX_TEXT_CHARS, Document, DocumentTokens, Line, Token, check_lines, parse_text

__all__ = ["ImportResult", "import_document", "import_report", "import_text"]


@dataclass(frozen=True)
class ImportResult:
    report: Report
    findings: tuple[Finding, ...]
    format: str  # the form id: "gov-2021" or "gov-2019"
    notes: tuple[str, ...] = ()  # how the file was read, said before the findings (its embedded data, when used)
    embedded: bool = False  # the file carries data of its own (``core.embedded``), whether usable or not

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]


def import_report(path: str | Path) -> ImportResult:
    """Read a published report file: text (UTF-8 or GB18030), a page, a PDF or a Word document, by its content."""
    from .files import import_file

    return import_file(path)


def import_text(text: str) -> ImportResult:
    """Read a report given as text (a collection file with its header block, or the bare report)."""
    return import_document(parse_text(text))


def _forms() -> list[Form]:
    return [load_form(fid) for fid in known_forms()]


@heuristic("format_by_labels", "table")
def _detect(text: str, year: int | None) -> Form:
    """The format of the tables the report prints; where its tables disagree, or print no format's own labels, its year.

    A report is read in the format it is printed in: a 2023 report printed on the 2019 试行 tables keeps every
    number it prints (in the 2019 cells), and the mismatch with its year is said (I4) and checked (M2). A
    report whose tables disagree (a 2023 table 三 with a table 二 kept from the 2019 template) takes the format
    of its year, and the odd table is read in its own layout (``table_generation``). So does a report whose one
    table prints both formats' own labels (a 2021 report's table 二 whose 规章 block kept the 2019 columns while its
    other blocks print ``本年处理决定数量`` and ``本年收费金额（单位：万元）``): that table votes for neither.
    """
    forms = _forms()
    default = load_form(DEFAULT_FORM)
    votes: set[str] = set()
    for table in default.tables:
        scores = format_scores(forms, text, table.key)
        printed = [f.id for f in forms if scores[f.id] > 0]
        if len(printed) == 1:  # a table that prints two formats' own labels is of neither (``hybrid_table``)
            votes.add(printed[0])
    if len(votes) == 1:
        return load_form(votes.pop())
    if year is not None:
        of_year = [f for f in forms if f.first_year <= year and (f.last_year is None or year <= f.last_year)]
        if len(of_year) == 1:
            return of_year[0]
    scores = format_scores(forms, text)
    best = max(scores.values())
    leaders = [f for f in forms if scores[f.id] == best]
    return leaders[0] if len(leaders) == 1 else default


def _format_note(form: Form, year: int | None) -> Finding | None:
    """A report printed in a format its year does not use (a 2023 report on the 2019 试行 tables)."""
    if year is None or (form.first_year <= year and (form.last_year is None or year <= form.last_year)):
        return None
    right = next((f for f in _forms() if f.first_year <= year and (f.last_year is None or year <= f.last_year)), None)
    if right is None:
        return None
    return import_finding("I4", "form", Place(), where=f"{year}年度报告的统计表", found=f"{form.title}的表格",
                          official=f"{right.title}（{right.short_source}）")


def import_document(doc: Document) -> ImportResult:
    """Interpret a parsed document (text or HTML)."""
    doc, script_note = as_simplified(doc)
    lines = list(doc.lines)
    check_lines(len(lines))
    chars = sum(len(ln.text) for ln in lines)
    if chars > MAX_TEXT_CHARS:
        raise InputError(f"报告正文有 {chars:,} 个字，超过 {MAX_TEXT_CHARS:,} 字的上限（一份年度报告通常不到 2 万字），"
                         "不像是一份年度报告，未读取。")
    default = load_form(DEFAULT_FORM)
    lines = split_run_together(default, lines)  # both formats have the same six headings
    check_lines(len(lines))
    headings = find_headings(default, lines)
    first_heading = min((h.line for h in headings.values()), default=len(lines))
    tables_from = min((h.line for h in headings.values() if h.section.table), default=len(lines))
    meta = read_metadata(lines, first_heading, tables_from, doc.title, doc.html_title, doc.header_year)
    text_from = tables_from if tables_from < len(lines) else 0
    form = _detect("".join(default.normalize(ln.text) for ln in lines[text_from:]), meta.year)
    if form.id != default.id:
        headings = find_headings(form, lines)

    findings: list[Finding] = [script_note, *meta.findings] if script_note else list(meta.findings)
    mismatch = _format_note(form, meta.year)
    if mismatch is not None:
        findings.append(mismatch)
    metadata: dict[str, Any] = {}
    if meta.agency:
        metadata["agency"] = meta.agency
    if meta.year is not None:
        metadata["year"] = meta.year
    if meta.period:
        metadata["period_start"], metadata["period_end"] = meta.period
    published = publication_date(lines[:first_heading])
    if published is not None:
        metadata[PUBLISHED] = published
    blank: set[CellKey] = set()
    # the document's layout, once: its sections' line ranges and its tokens (each table reads a slice)
    spans, toks = regions(lines, headings), DocumentTokens.of(lines)
    # the tables are read first: a table printed in a text part (``displaced_table``) is no text of that part
    read_tables: list[Finding] = []
    tables_absent: dict[str, str] = {}
    moved: set[int] = set()
    values = _tables(form, lines, headings, spans, toks, read_tables, tables_absent, blank, moved)
    printed_blank = blank_tables(form, lines, headings, spans, toks, values, tables_absent)
    if printed_blank:  # one I6 for such a table: not I7 (printed blank) or I8 (not read) about its cells as well
        read_tables = [f for f in read_tables if f.place.table not in printed_blank]
        blank = {k for k in blank if k.table not in printed_blank}
    absent: dict[str, str] = {}
    narrative = _narrative(form, lines, headings, spans, meta.title_lines, findings, absent, moved)
    findings.extend(read_tables)  # said in the order of the report: the text's findings, then the tables'
    absent = {**unread_fields(form, metadata), **absent, **tables_absent}  # the cover first, as the report reads
    unread = frozenset(k for k, v in values.items() if v is None and k not in blank and k.table not in absent)
    report = Report(form=form, metadata=metadata, values=values, narrative=narrative, absent=absent,
                    printed_blank=frozenset(blank), unread=unread)
    # errors first, then by rule; within a rule in reading order (as the checks sort theirs)
    ordered = sort_findings(findings, {rule: i for i, rule in enumerate(IMPORT_RULES)})
    return ImportResult(report=report, findings=ordered, format=form.id)


# What the importer says of a required cover field it found nowhere (the title, the 编制 sentence, the page's
# fields, the signature; for the year the statistics period and the text's opening too).
UNREAD_FIELDS = {
    "agency": "原文的标题、编制说明、网页栏目和落款中都没有读出机关名称（文字可能没有带上网页的标题）",
    "year": "原文的标题、编制说明和统计期限中都没有读出报告年度",
}


def unread_fields(form: Form, metadata: dict[str, Any]) -> dict[str, str]:
    """``Report.absent`` entries (``metadata.<field>``) for the required cover fields the text does not state: the
    check says so once (I6, 待核对) instead of M1/M2's 错误 — a name the importer could not find is no error of the
    agency (the published page has its title; a text of it often lost it). A clerk's workbook or payload that leaves
    the agency out still gets M1."""
    return {f"{FIELD_PREFIX}{f.key}": UNREAD_FIELDS[f.key] for f in form.metadata_fields
            if f.required and f.key in UNREAD_FIELDS and metadata.get(f.key) in (None, "")}


def _heading_note(h: Heading, findings: list[Finding]) -> None:
    if not h.known:
        where = "正文（这一部分没有标题，按其第一个小标题识别）" if h.opened else "正文标题"
        findings.append(import_finding("I4", f"section.{h.section.key}", Place(section=h.section.key),
                                       where=where, found=h.printed, official=h.section.heading))


def _text_lines(lines: Sequence[Line]) -> list[Line]:
    """Narrative lines without the portal's furniture (``分享 字号``, ``来源：… 时间：…``, ``打印本页``).

    Used where a page puts it: before the first heading and after the last one.
    """
    return [ln for ln in lines if not is_chrome_line(ln.text)]


def _narrative(form: Form, lines: list[Line], headings: dict[str, Heading], spans: dict[str, tuple[int, int]],
               title_lines: int, findings: list[Finding], absent: dict[str, str], moved: set[int]) -> dict[str, str]:
    """The preamble and the text sections (一、五、六); the table sections' text is their tables, and so is a table
    read where a converter moved it into a text section (the lines ``moved``)."""
    narrative: dict[str, str] = {}
    first_heading = min((h.line for h in headings.values()), default=len(lines))
    preamble = paragraphs(_text_lines(lines[title_lines:first_heading]))
    if preamble:
        narrative["preamble"] = preamble
    for s in form.sections:
        if s.table:
            continue
        if s.key not in headings:
            absent[s.key] = f"未找到“{s.heading}”部分（原文中没有，或标题与格式相差太多）"
            continue
        h = headings[s.key]
        _heading_note(h, findings)
        a, b = spans[s.key]
        own = [ln for i, ln in enumerate(lines[a:b], a) if i not in moved]
        text = paragraphs(_text_lines(own) if b == len(lines) else own)
        text = f"{h.rest}\n{text}" if h.rest and text else h.rest or text
        if text:
            narrative[s.key] = text
    return narrative


def _memoised(form: Form) -> Callable[[str], str]:
    memo: dict[str, str] = {}

    def norm(text: str) -> str:
        got = memo.get(text)
        if got is None:
            got = memo[text] = form.normalize(text)
        return got

    return norm


def _balances(table: Table) -> list[tuple[list[str], list[str]]]:
    """The table's printed 勾稽关系 as (left rows, right rows), from the catalogue's balance rules."""
    from ...core.rules import catalogue

    return [(list(r.params["left"]), list(r.params["right"])) for r in catalogue()
            if r.kind == "balance" and r.params.get("table") == table.key]


@heuristic("table_generation", "table")
def _layout_of(form: Form, table: Table, region_text: str) -> Form:
    """The format whose layout a table is printed in, table by table: the one whose own labels it prints more of."""
    forms = _forms()
    scores = format_scores(forms, region_text, table.key)
    best = max(forms, key=lambda f: (scores[f.id], f.id == form.id))
    return best if scores[best.id] > scores[form.id] else form


# Where a block of table 二 begins: ``第二十条第（一）项`` (normalised: full-width brackets are ASCII).
_BLOCK = re.compile(r"第二十条第\(([一二三四五六七八九十]+)\)项")


@heuristic("hybrid_table", "table")
def _foreign_blocks_dropped(form: Form, table: Table, region: list[Token], norm: Callable[[str], str],
                            region_text: str) -> tuple[list[Token], list[tuple[str, Form]]]:
    """A table that prints both formats' own labels, block by block (某区教育局 2021: table 二's 第二十条第（一）项
    block kept the 2019 columns ``本年新制作数量 本年新公开数量 对外公开总数量``, the other blocks print
    ``本年处理决定数量`` and ``本年收费金额（单位：万元）``): a block that prints only another format's own labels
    is left out, so the rest reads in the report's format; its columns have no cell in that format. Returns the
    region without those blocks and, for each, its printed heading and the format it is printed in."""
    forms = _forms()
    scores = format_scores(forms, region_text, table.key)
    if scores.get(form.id, 0) == 0 or not any(v > 0 for k, v in scores.items() if k != form.id):
        return region, []
    starts = [i for i, t in enumerate(region) if t.kind == "text" and _BLOCK.search(norm(t.text))]
    if not starts:
        return region, []
    bounds = [*starts, len(region)]
    keep = list(region[:starts[0]])
    dropped: list[tuple[str, Form]] = []
    for a, b in itertools.pairwise(bounds):
        block = region[a:b]
        own = format_scores(forms, "".join(norm(t.text) for t in block if t.kind == "text"), table.key)
        other = [f for f in forms if f.id != form.id and own[f.id] > 0]
        if own[form.id] == 0 and len(other) == 1:
            match = _BLOCK.search(norm(region[a].text))
            name = match.group(0).replace("(", "（").replace(")", "）") if match else region[a].text
            dropped.append((name, other[0]))
        else:
            keep.extend(block)
    return keep, dropped


def _foreign_block_finding(table: Table, dropped: Sequence[tuple[str, Form]]) -> Finding:
    blocks = "、".join(f"“{name}”" for name, _ in dropped)
    what = (f"{blocks}印的是{dropped[0][1].title}（{dropped[0][1].short_source}）的栏目，本报告格式没有对应的单元格，"
            "这一块未导入；其余各块按本报告格式读取")
    return import_finding("I5", f"{table.key}.hybrid", Place(table=table.key), where=f"表{table.number}", what=what)


def _tables(form: Form, lines: list[Line], headings: dict[str, Heading], spans: dict[str, tuple[int, int]],
            toks: DocumentTokens, findings: list[Finding], absent: dict[str, str], blank: set[CellKey],
            moved: set[int]) -> dict[CellKey, Any]:
    """Every cell of the form: what each table's region prints, blank where nothing was read for certain.

    A table whose region leaves cells unread may be read from a copy of it in a text section instead, where that
    copy is proven (``displaced_table``); its lines are then added to ``moved``.
    """
    values: dict[CellKey, Any] = {c.key: None for c in form.cells}
    copies = grids(lines, [(headings[s.key], *spans[s.key]) for s in form.sections
                           if not s.table and s.key in headings])
    norm = _memoised(form)  # each printed item is normalised once, however many tables look at it
    for table in form.tables:
        section = next((s for s in form.sections if s.table == table.key), None)
        headed = section is not None and section.key in headings
        if section is not None and headed:
            h = headings[section.key]
            _heading_note(h, findings)
            start, region = h.line, section_tokens(lines, toks, h, spans[section.key][1])
        else:
            start, b = (fallback_region(form, lines, headings, section.key) if section is not None
                        else (0, len(lines)))
            region = toks.region(start, b)
        region_text = "".join(norm(t.text) for t in region if t.kind == "text")
        region, dropped = _foreign_blocks_dropped(form, table, region, norm, region_text)
        if dropped:
            findings.append(_foreign_block_finding(table, dropped))
            region_text = "".join(norm(t.text) for t in region if t.kind == "text")
        layout = _layout_of(form, table, region_text)
        printed = layout.table(table.key)
        foreign = [form.normalize(r.label) for t in layout.tables if t.key != table.key for r in t.rows
                   if len(form.normalize(r.label)) >= 4]
        balances = _balances(printed)
        same_norm = norm if layout.normalize == form.normalize else None
        reader = partial(read_table, layout, printed, foreign=foreign, balances=balances, norm=same_norm)
        read = reader(region, headed=headed)
        by_order = grid_reading(printed, label_index(layout, printed, same_norm or layout.normalize, headed=headed),
                                region, read, equations(printed, balances))
        if by_order is not None:
            read = by_order[0]
            findings.append(_grid_finding(printed, by_order[1]))
        copy = displaced_copy(printed, read, [g for g in copies if g.start not in moved], toks,
                              partial(reader, headed=True), equations(printed, balances))
        if copy is not None:
            grid, read = copy[0], merged(printed, read, copy[1])
            moved.update(range(grid.start, grid.stop))
            findings.append(_displaced_finding(printed, grid, after=grid.start > start))
        values.update({k: v for k, v in read.values.items() if k in values})
        blank.update(k for k in read.blank if k in values)
        findings.extend(table_findings(printed, read, headed=headed))
        if layout is not form and not read.absent:
            findings.append(_layout_finding(form, table, layout, read))
        if read.absent:
            absent[table.key] = absent_what(headed=headed)
    return values


def _grid_finding(table: Table, rows: Sequence[str]) -> Finding:
    labels = [table.row(k).label for k in rows]
    shown = "、".join(f"“{x}”" for x in labels[:3]) + (f"等{len(labels)}行" if len(labels) > 3 else "")
    what = (f"{shown}的数印在表格中没有标签的行里（标签被移到了表格之外）：表格中印有数字的行与本表各行一一对应，"
            "按顺序读取：它填满了本表每一格，表中的总计和勾稽关系都成立，与按标签读到的数一致")
    return import_finding("I5", f"{table.key}.grid_order", Place(table=table.key), where=f"表{table.number}", what=what)


def _displaced_finding(table: Table, grid: Grid, *, after: bool) -> Finding:
    what = (f"表{table.number}印在了“{grid.part.printed}”部分之中（转换时表格被移到了{'后面' if after else '前面'}）："
            "按该处的表格读取：它填满了本表每一格，表中的总计和勾稽关系都成立，与本表标题下读到的数一致")
    return import_finding("I5", f"{table.key}.displaced", Place(table=table.key), where=f"表{table.number}", what=what)


def _layout_finding(form: Form, table: Table, layout: Form, read: TableRead) -> Finding:
    """Which layout a table was read in, and what of it the report's format has no cell for."""
    printed = layout.table(table.key)
    missing = [c for c in form.cells if c.table.key == table.key and c.key not in read.values]
    columns = list(dict.fromkeys(c.column.label for c in missing))
    extra = [r.label for r in printed.rows if r.key in read.read and not any(
        c.table.key == table.key and c.row.key == r.key for c in form.cells)]
    shown = "、".join(f"“{x}”" for x in columns[:4]) + ("等" if len(columns) > 4 else "")
    what = f"按{layout.first_year}年格式（{layout.source.split('《')[0]}）的版式读取：原文这张表印的是该格式的栏目"
    if missing:
        what += f"；本报告格式的{shown}栏目在原文中没有对应，未导入"
    if extra:
        what += "；原文的" + "、".join(f"“{x}”" for x in extra) + "行在本报告格式中没有，未导入"
    return import_finding("I5", f"{table.key}.layout", Place(table=table.key), where=f"表{table.number}", what=what)

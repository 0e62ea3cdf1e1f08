"""A published report's file, whatever kind it is, read into the lines the importer interprets.

Text, a page, a PDF and a Word document each become a :class:`~.text.Document` here — the text reader's
lines, the page reader's lines and grid rows, a PDF's text layer through the text reader, a Word document's
paragraphs and grid rows — and then one importer reads them all (``import_document``). The kind of the file
comes from its content (``adapters.sniff``), not its name. A page or a Word file this tool generated also
carries its own data, which the reader of its kind picks up as it reads the file (``Document.embedded``).

One thing is judged here on the whole document rather than table by table: a table printed with its rows and
columns but without a single number in it (the blank format, or a table left unfilled) is one finding, not a
blank-cell finding on each of its cells (``blank_table``).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from ...errors import InputError
from ...fileio import read_input
from ..formats import DOCX_IN, HTML_IN, PDF_IN, TEXT_IN, InputFormat
from .heuristics import heuristic
from .text import NUMBER, UNSURE, Document, DocumentTokens, Line, parse_text, read_source

if TYPE_CHECKING:
    from . import ImportResult


def read_document(path: Path, fmt: InputFormat) -> Document:
    """The lines of a published report's file of the given (sniffed) format."""
    if fmt is TEXT_IN:
        return parse_text(read_source(path))
    if fmt is HTML_IN:
        from .html import parse_html

        return parse_html(read_source(path))
    if fmt is PDF_IN:
        from .pdf import MAX_PDF_BYTES, parse_pdf

        data = read_input(path, cap=MAX_PDF_BYTES, too_big=f"文件有 {{mb}} MB，超过 {MAX_PDF_BYTES // (1024 * 1024)} MB"
                          "的上限（一份年度报告的 PDF 通常不到 5 MB），未读取。")
        return parse_pdf(data)
    if fmt is DOCX_IN:
        from .docx import parse_docx

        return parse_docx(path)
    raise InputError(f"{fmt.what}不是已公布报告的格式。", place=str(path))  # a caller's defect: said, not crashed


BLANK_TABLE = "原文的这张表是空白的（印出了表格，但没有填写任何数字）"


@heuristic("blank_table", "table")
def blank_tables(lines: tuple[Line, ...], result: ImportResult) -> ImportResult:
    """A table printed without a single number (the blank format, a table left unfilled) is one I6 finding.

    Its heading is found and its region prints no number at all (a label such as ``1.属于国家秘密`` is text),
    and nothing was read into it: then the table is recorded as absent with that reason — the check reports
    it once and does not judge its cells — and the import's own findings about its rows, and its cells printed
    blank (I7) or not read (I8), are dropped.
    """
    from .sections import find_headings, regions, section_tokens, split_run_together

    report = result.report
    form = report.form
    lines = tuple(split_run_together(form, lines))  # the lines as the importer found the headings in them
    headings = find_headings(form, lines)
    spans = regions(lines, headings)
    tokens = DocumentTokens.of(lines)
    absent = dict(report.absent)
    blank: set[str] = set()
    for section in form.sections:
        table = section.table
        if not table or table in absent or section.key not in headings:
            continue
        if any(report.values.get(c.key) is not None for c in form.cells if c.table.key == table):
            continue
        if any(t.kind in (NUMBER, UNSURE) for t in section_tokens(lines, tokens, headings[section.key],
                                                                  spans[section.key][1])):
            continue
        absent[table] = BLANK_TABLE
        blank.add(table)
    if not blank:
        return result
    findings = tuple(f for f in result.findings if f.place.table not in blank)
    # I6 says it once: not I7 (printed blank) or I8 (not read) about the same cells as well
    printed = frozenset(k for k in report.printed_blank if k.table not in blank)
    unread = frozenset(k for k in report.unread if k.table not in blank)
    return replace(result, report=replace(report, absent=absent, printed_blank=printed, unread=unread),
                   findings=findings)


def import_file(path: str | Path, fmt: InputFormat | None = None) -> ImportResult:
    """Read a published report's file; ``fmt`` is what its content is (sniffed here when not given).

    A report this tool generated carries its own data (a page in a script element, a Word file in a custom XML
    part, found as the file is read): that data is the report read, weighed against the printed tables
    (``embedded``)."""
    from . import import_document
    from .embedded import with_embedded

    p = Path(path)
    if fmt is None:
        from ..sniff import sniff

        fmt = sniff(p).format
    try:
        doc = read_document(p, fmt)
        return with_embedded(doc.embedded, blank_tables(doc.lines, import_document(doc)), str(p))
    except InputError as exc:
        if exc.place:
            raise
        raise InputError(str(exc), place=str(p)) from None

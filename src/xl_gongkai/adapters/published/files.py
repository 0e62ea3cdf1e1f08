"""A published report's file, whatever kind it is, read into the lines the importer interprets.

Text, a page, a PDF and a Word document each become a :class:`~.text.Document` here — the text reader's
lines, the page reader's lines and grid rows, a PDF's text layer through the text reader, a Word document's
paragraphs and grid rows — and then one importer reads them all (``import_document``). The kind of the file
comes from its content (``adapters.sniff``), not its name. A page or a Word file this tool generated also
carries its own data, which the reader of its kind picks up as it reads the file (``Document.embedded``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ...errors import InputError
from ...fileio import read_input
from ..formats import DOCX_IN, HTML_IN, MHTML_IN, PDF_IN, TEXT_IN, InputFormat
from .text import MAX_BYTES, TOO_BIG, Document, parse_text, read_source

if TYPE_CHECKING:
    from . import ImportResult


def read_document(path: Path, fmt: InputFormat) -> Document:
    """The lines of a published report's file of the given (sniffed) format."""
    if fmt is TEXT_IN:
        return parse_text(read_source(path))
    if fmt is HTML_IN:
        from .html import parse_html

        return parse_html(read_source(path))
    if fmt is MHTML_IN:
        from .mhtml import parse_mhtml

        return parse_mhtml(read_input(path, cap=MAX_BYTES, too_big=TOO_BIG), str(path))
    if fmt is PDF_IN:
        from .pdf import MAX_PDF_BYTES, parse_pdf

        data = read_input(path, cap=MAX_PDF_BYTES, too_big=f"文件有 {{mb}} MB，超过 {MAX_PDF_BYTES // (1024 * 1024)} MB"
                          "的上限（一份年度报告的 PDF 通常不到 5 MB），未读取。")
        return parse_pdf(data)
    if fmt is DOCX_IN:
        from .docx import parse_docx

        return parse_docx(path)
    raise InputError(f"{fmt.what}不是已公布报告的格式。", place=str(path))  # a caller's defect: said, not crashed


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
        return with_embedded(doc.embedded, import_document(doc), str(p))
    except InputError as exc:
        if exc.place:
            raise
        raise InputError(str(exc), place=str(p)) from None

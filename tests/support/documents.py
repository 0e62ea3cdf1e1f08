"""Files of the kinds offices receive, made by real writers for the tests of tests/test_formats.py.

* the blank format as a Word document: the spec's three tables laid out by the report writer with every
  number cell empty, under the six headings — what an office sends out to be filled in;
* a scanned PDF: the real 淮安 2024 PDF's first pages rendered to pictures by PDFium and put into a new PDF
  (pypdfium2 writes it): pages with no text layer, as a scanner makes them;
* compound files (OLE2) written by the project's own MS-CFB writer (an independent writer of the container;
  the reader under test is ``adapters.ole``), holding the streams that say what an Office file is;
* BIFF8 workbook streams built record by record (MS-XLS), for what a hostile .xls can claim.
"""

from __future__ import annotations

import datetime as dt
import struct

from xl_gongkai.build.cfb import write_cfb
from xl_gongkai.publish.document import DocSection, ReportDocument, layout_table
from xl_gongkai.publish.docx import render_docx
from xl_gongkai.spec import Form


def blank_format_docx(form: Form) -> bytes:
    """The official blank tables under the six headings, as a Word document (nothing filled in)."""
    empty = {c.key: "" for c in form.cells}
    sections = tuple(DocSection(s.key, s.number, s.heading,
                                tuple(layout_table(form.table(s.table), empty)) if s.table else ())
                     for s in form.sections)
    doc = ReportDocument(title=form.report_title, kind=form.report_title, title_lines=(form.report_title,),
                         agency="", year=None, preamble=(), sections=sections, review=(),
                         stamp=dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc))
    return render_docx(doc)


def scanned_pdf(source: bytes, pages: int = 2) -> bytes:
    """A PDF whose pages are pictures of ``source``'s first pages (no text layer), written by pypdfium2."""
    import io

    import pypdfium2 as pdfium

    src = pdfium.PdfDocument(source)
    out = pdfium.PdfDocument.new()
    try:
        for i in range(min(pages, len(src))):
            page = src[i]
            width, height = page.get_size()
            bitmap = page.render(scale=1)
            new = out.new_page(width, height)
            image = pdfium.PdfImage.new(out)
            image.set_bitmap(bitmap)
            image.set_matrix(pdfium.PdfMatrix().scale(width, height))
            new.insert_obj(image)
            new.gen_content()
        buf = io.BytesIO()
        out.save(buf)
        return buf.getvalue()
    finally:
        out.close()
        src.close()


def compound(streams: dict[str, bytes]) -> bytes:
    """A compound file holding these streams at its root."""
    return write_cfb(streams)


# -- BIFF8 -------------------------------------------------------------------------------------------------

def record(typ: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", typ, len(data)) + data


def bof() -> bytes:
    return record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0, 0, 0, 0))


def workbook_stream(cells: list[tuple[int, int, float]], *, dimensions: tuple[int, int, int, int] | None = None,
                    sheet: str = "封面") -> bytes:
    """A workbook stream with one sheet holding NUMBER cells at (row, column), both 0-based."""
    name = sheet.encode("utf-16-le")
    body = bytearray(bof())
    if dimensions is not None:
        body += record(0x0200, struct.pack("<IIHHH", *dimensions, 0))
    for r, c, v in cells:
        body += record(0x0203, struct.pack("<HHHd", r, c, 0, v))
    body += record(0x000A)
    globals_ = bytearray(bof())
    boundsheet_at = len(globals_)
    globals_ += record(0x0085, struct.pack("<IBB", 0, 0, 0) + bytes([len(sheet), 1]) + name)
    globals_ += record(0x000A)
    pos = len(globals_)
    globals_[boundsheet_at + 4 : boundsheet_at + 8] = struct.pack("<I", pos)
    return bytes(globals_ + body)


def looped(cfb: bytes) -> bytes:
    """The compound file with its directory's sector chain pointing back at itself (a loop for ever)."""
    data = bytearray(cfb)
    dir_start = struct.unpack_from("<I", data, 48)[0]
    fat_sector = struct.unpack_from("<I", data, 76)[0]
    struct.pack_into("<I", data, (fat_sector + 1) * 512 + dir_start * 4, dir_start)
    return bytes(data)

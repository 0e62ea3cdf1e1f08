"""Files of the kinds offices receive, made by real writers for the tests of tests/test_formats.py.

* the blank format as a Word document: the spec's three tables laid out by the report writer with every
  number cell empty, under the six headings — what an office sends out to be filled in;
* a scanned PDF: the real 淮安 2024 PDF's first pages rendered to pictures by PDFium and put into a new PDF
  (pypdfium2 writes it): pages with no text layer, as a scanner makes them;
* compound files (OLE2) written by the project's own MS-CFB writer (an independent writer of the container;
  the reader under test is ``adapters.ole``), holding the streams that say what an Office file is;
* BIFF8 workbook streams built record by record (MS-XLS), for what a hostile .xls can claim;
* a page saved as one file (MHTML) in the two ways it is written: Chrome's and Word's (a fake of their writers:
  the MIME layout as RFC 2557 and those programs' files have it, around the real page).
"""

from __future__ import annotations

import datetime as dt
import struct
from collections.abc import Sequence
from dataclasses import dataclass

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


def difat_looped(cfb: bytes) -> bytes:
    """The compound file with a DIFAT sector appended whose next-DIFAT pointer names itself."""
    data = bytearray(cfb)
    sid = len(data) // 512 - 1  # the sector the appended 512 bytes become
    data += struct.pack("<128I", *([0xFFFFFFFF] * 127 + [sid]))
    struct.pack_into("<II", data, 68, sid, 1)
    return bytes(data)


# -- Word documents and PDFs built by hand, for what no writer makes ----------------------------------------

_CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                  b'content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/'
                  b'document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.'
                  b'main+xml"/></Types>')
W_OPEN = (b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
W_CLOSE = b"</w:body></w:document>"


def docx(parts: list[bytes] | None = None, *, repeat: tuple[bytes, int] | None = None, prolog: bytes = b"") -> bytes:
    """A .docx whose main part is ``prolog + W_OPEN + parts… + W_CLOSE``; ``repeat`` (unit, MiB) streams a large
    middle."""
    head = prolog + W_OPEN + b"".join(parts or [])
    unit, mib = repeat or (b"", 0)
    main, _ = repeated_deflate(unit * ((1 << 20) // len(unit)) if unit else b"", mib, head, W_CLOSE)
    return zip_of([("[Content_Types].xml", _CONTENT_TYPES), ("word/document.xml", main)])


def docx_table(rows: int) -> bytes:
    """A .docx with a heading and one table of ``rows`` rows (label and three numbers a row)."""
    cell = "<w:tc><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:tc>"
    body = "".join("<w:tr>" + "".join(cell.format(v) for v in (f"规章{i % 100}", i % 100, i % 100, i % 100)) + "</w:tr>"
                   for i in range(rows))
    head = "<w:p><w:r><w:t>二、主动公开政府信息情况</w:t></w:r></w:p>"
    return docx([head.encode(), f"<w:tbl>{body}</w:tbl>".encode()])


@dataclass(frozen=True)
class Deflated:
    """A part already compressed (raw deflate), with what a zip entry records of it."""

    data: bytes
    crc: int
    size: int


def repeated_deflate(block: bytes, times: int, head: bytes = b"", tail: bytes = b"") -> tuple[Deflated, int]:
    """``head``, ``block`` ``times`` over and ``tail`` as one raw deflate stream (and its Adler-32), made by
    compressing ``block`` once: after a full flush the compressor starts afresh (no history, byte-aligned), so
    every copy of the block compresses to the same bytes. A gigabyte's bomb in half a second instead of seven
    seconds of deflate."""
    import zlib

    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = deflate.compress(head) + deflate.flush(zlib.Z_FULL_FLUSH)
    copy = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)
    assert deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH) == copy
    end = deflate.compress(tail) + deflate.flush()
    crc, adler = zlib.crc32(head), zlib.adler32(head)
    for _ in range(times):
        crc, adler = zlib.crc32(block, crc), zlib.adler32(block, adler)
    crc, adler = zlib.crc32(tail, crc), zlib.adler32(tail, adler)
    size = len(head) + len(block) * times + len(tail)
    return Deflated(start + copy * times + end, crc, size), adler


def repeated_zlib(block: bytes, times: int) -> bytes:
    """``block`` ``times`` over as one zlib stream (a PDF's FlateDecode)."""
    raw, adler = repeated_deflate(block, times)
    return b"\x78\xda" + raw.data + adler.to_bytes(4, "big")


def zip_of(entries: Sequence[tuple[str, bytes | Deflated]]) -> bytes:
    """A zip of the entries in order, every one deflated (a ``Deflated`` one as it is): the format's local
    headers, central directory and end record, as any zip writer puts them (sizes under 4 GiB, no zip64)."""
    import zlib

    out, central = bytearray(), bytearray()
    for name, content in entries:
        if isinstance(content, bytes):
            deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
            content = Deflated(deflate.compress(content) + deflate.flush(), zlib.crc32(content), len(content))
        raw, offset = name.encode("utf-8"), len(out)
        fields = (0x0800, 8, 0, 0x21, content.crc, len(content.data), content.size, len(raw))  # UTF-8 name, deflate
        out += struct.pack("<IH2H2H3I2H", 0x04034B50, 20, *fields, 0) + raw + content.data
        central += struct.pack("<I2H2H2H3I5H2I", 0x02014B50, 20, 20, *fields, 0, 0, 0, 0, 0, offset) + raw
    end = struct.pack("<I4H2IH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), len(out), 0)
    return bytes(out + central + end)


def pdf_with_content(content: bytes, *, flate_mib: int = 0) -> bytes:
    """A one-page PDF whose content stream is ``content``, or ``flate_mib`` MiB of blanks deflated (a bomb)."""

    if flate_mib:
        data = repeated_zlib(b" " * (1 << 20), flate_mib)
        stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + bytes(data) + b"\nendstream"
    else:
        stream = b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << >> >>", stream]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def pdf_pages(source: bytes, times: int) -> bytes:
    """``source``'s pages repeated ``times`` times, written by pypdfium2 (a long PDF with a real text layer)."""
    import io

    import pypdfium2 as pdfium

    src = pdfium.PdfDocument(source)
    out = pdfium.PdfDocument.new()
    try:
        for _ in range(times):
            out.import_pages(src)
        buf = io.BytesIO()
        out.save(buf)
        return buf.getvalue()
    finally:
        out.close()
        src.close()


def blank_pdf(pages: int) -> bytes:
    """A PDF of ``pages`` empty pages (pypdfium2)."""
    import io

    import pypdfium2 as pdfium

    out = pdfium.PdfDocument.new()
    try:
        for _ in range(pages):
            out.new_page(595, 842)
        buf = io.BytesIO()
        out.save(buf)
        return buf.getvalue()
    finally:
        out.close()


def saved_as_one_file(page: str, *, by: str) -> bytes:
    """A page saved as one file (MHTML) as a browser or Word writes it, with an image part after the page: ``by``
    is ``chrome`` (quoted-printable UTF-8, CRLF lines) or ``word`` (base64 GB2312, the page's own charset named)."""
    import base64
    import quopri

    image = "Content-Type: image/png\nContent-Transfer-Encoding: base64\nContent-Location: http://x/logo.png\n\n" \
            "iVBORw0KGgo=\n"
    if by == "chrome":
        body = quopri.encodestring(page.encode("utf-8")).decode("ascii")
        text = ("From: <Saved by Blink>\nSnapshot-Content-Location: http://x/report.htm\nSubject: =?utf-8?Q?x?=\n"
                "MIME-Version: 1.0\nContent-Type: multipart/related;\n\ttype=\"text/html\";\n"
                "\tboundary=\"----MultipartBoundary--x----\"\n\n\n------MultipartBoundary--x----\n"
                "Content-Type: text/html\nContent-Transfer-Encoding: quoted-printable\n"
                f"Content-Location: http://x/report.htm\n\n{body}\n------MultipartBoundary--x----\n{image}"
                "------MultipartBoundary--x------\n")
        return text.replace("\n", "\r\n").encode("ascii")
    body = base64.encodebytes(page.encode("gb18030")).decode("ascii")
    text = ("MIME-Version: 1.0\nContent-Type: multipart/related; boundary=\"----=_NextPart_01\"\n\n"
            "此文档为“单个文件网页”，也称为“Web 档案”文件。\n\n------=_NextPart_01\n"
            "Content-Location: file:///C:/report.htm\nContent-Transfer-Encoding: base64\n"
            f"Content-Type: text/html; charset=\"gb2312\"\n\n{body}\n------=_NextPart_01\n{image}"
            "------=_NextPart_01--\n")
    return text.encode("gb18030")

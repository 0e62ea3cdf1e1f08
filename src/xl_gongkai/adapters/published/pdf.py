"""A published report as a PDF: its text layer, page by page, as the lines the text reader makes of copied text.

Most reports are published as PDF. The text is taken with pypdfium2 (Google's PDFium: what Chrome renders
PDFs with), page by page as PDFium lays it out — lines in reading order — and the pages are joined with line
breaks. That text then goes through the text reader unchanged (``text.text_lines``: page markers such as
``- 4 -`` dropped, CJK compatibility radicals repaired, cells split at tabs), so the table decoder sees a PDF
exactly as it sees the same PDF's text copied into a .txt: the real 淮安 2024 PDF and its text give the same
200 cells (tests/test_formats.py).

A PDF without a text layer (a scan), or whose fonts carry no mapping to characters, yields (almost) no
Chinese: it is one refusal that says so and what to do, not a report whose every table is missing.

PDFium decodes every stream it needs for the text — the pages' content, forms, fonts, object streams — whole,
and trusts a Flate stream's data: 1 MB of it that inflates to 1 GB took 2 GB of memory. So the file's streams
are inflated here first, counted and thrown away as they come (:func:`check_streams`), and a file whose streams
inflate beyond :data:`MAX_STREAM_BYTES` (one) or :data:`MAX_INFLATED_BYTES` (all) is refused before PDFium
opens it. Images are left out: text extraction never decodes them, and a scan's pages are large. The streams of
an encrypted PDF cannot be inflated without decrypting them, which PDFium does: those are not counted.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from typing import Any

from ...errors import InputError
from .pdf_cells import Columns, page_lines, with_cells
from .text import MAX_LINES, MAX_TEXT_CHARS, Document, text_lines

MAX_PDF_BYTES = 50 * 1024 * 1024  # a report's PDF is 0.2-5 MB (淮安 2024: 0.4 MB for 6 pages); scans run larger
# A report has 5-30 pages. Every page is parsed, so the pages bound the time, and PDFium keeps what it parsed of
# a document's pages until it is closed: 300 pages of the real report took 260 MB, 200 take about 180 MB.
MAX_PAGES = 200
# A page of a report's text layer carries hundreds of Chinese characters (淮安 2024: 300-700 a page); a scan
# carries none, or only what a portal stamped on it (a page number, a watermark of a few characters).
SCAN_CJK_PER_PAGE = 20

# The streams PDFium decodes for a report's text are small: a page's content is tens of KB (淮安 2024: under
# 20 KB a page), an embedded subset of a Chinese font a few MB, a whole embedded font (SimSun) under 20 MB.
MAX_STREAM_BYTES = 32 * 1024 * 1024
MAX_INFLATED_BYTES = 96 * 1024 * 1024
_CHUNK = 1 << 20
_STREAM = re.compile(rb"(?<![A-Za-z])stream(?:\r\n|\n|\r)")
_OBJ = re.compile(rb"(?<!\d)\d+\s+\d+\s+obj\b")
_IMAGE = re.compile(rb"/Subtype\s*/Image\b")
_FLATE = re.compile(rb"/(?:FlateDecode|Fl)\b")
_LENGTH = re.compile(rb"/Length\s+(\d+)(?:\s+(\d+)\s+R)?")
_BOMB = ("PDF 中有一段内容解压后超过 {mb} MB（一份年度报告的每段内容都不到 1 MB），这不像是一份年度报告"
         "（可能是构造的“压缩炸弹”），未读取。")

_BOMBS = _BOMB.replace("有一段内容", "的内容合计")

_PASSWORD_CODES = (4,)  # FPDF_ERR_PASSWORD
_SCAN = ("图片版 PDF，无法读取文字：全文 {pages} 页只提取到 {cjk} 个汉字，"
         "页面是扫描的图片，或字体没有可提取的文字编码。请向发布机关索取可复制文字的 PDF、Word 文件或网页，"
         "或先用文字识别（OCR）软件识别成文字，保存为 .txt 后再读取。")


def _cjk(text: str) -> int:
    return sum(1 for ch in text if "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff")


def check_streams(data: bytes) -> None:
    """Refuse a PDF whose streams inflate beyond the limits (see the module's docstring)."""
    total = 0
    pos = 0
    while (m := _STREAM.search(data, pos)) is not None:
        start = m.end()
        head = data[max(0, m.start() - 4096) : m.start()]
        objs = list(_OBJ.finditer(head))
        dictionary = head[objs[-1].end() :] if objs else head
        raw, pos = _stream_data(data, dictionary, start)
        if _FLATE.search(dictionary) and not _IMAGE.search(dictionary):
            total += _inflated(raw, MAX_STREAM_BYTES)
            if total > MAX_INFLATED_BYTES:
                raise InputError(_BOMBS.format(mb=MAX_INFLATED_BYTES // (1024 * 1024)))


def _stream_data(data: bytes, dictionary: bytes, start: int) -> tuple[bytes, int]:
    """A stream's data, and where the search for the next one goes on: ``/Length`` when it is given (directly,
    or as an object the file defines) and ``endstream`` follows it, else up to the next ``endstream``."""
    length = None
    m = _LENGTH.search(dictionary)
    if m is not None and m.group(2) is None:
        length = int(m.group(1))
    elif m is not None:
        ref = re.search(rb"(?<!\d)" + m.group(1) + rb"\s+" + m.group(2) + rb"\s+obj\s+(\d+)", data)
        length = int(ref.group(1)) if ref is not None else None
    if length is not None and data.find(b"endstream", start + length, start + length + 64) >= 0:
        return data[start : start + length], start + length
    end = data.find(b"endstream", start)
    end = len(data) if end < 0 else end
    return data[start:end], end


def _inflated(raw: bytes, limit: int) -> int:
    """How many bytes a Flate stream inflates to (stopping where its data is damaged), refused beyond ``limit``."""
    inflater = zlib.decompressobj()
    count = 0
    try:
        for i in range(0, len(raw), _CHUNK):
            out = inflater.decompress(raw[i : i + _CHUNK], _CHUNK)
            count += len(out)
            while inflater.unconsumed_tail and count <= limit:
                out = inflater.decompress(inflater.unconsumed_tail, _CHUNK)
                count += len(out)
            if count > limit:
                raise InputError(_BOMB.format(mb=limit // (1024 * 1024)))
    except zlib.error:
        pass  # PDFium stops there too
    return count


def pdf_text(data: bytes) -> list[str]:
    """The text of each page, as PDFium lays it out; an :class:`InputError` for a file PDFium cannot open."""
    import pypdfium2 as pdfium

    check_streams(data)

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) in _PASSWORD_CODES:
            raise InputError("PDF 设置了打开密码，无法读取。请向发布机关索取没有密码的文件，"
                             "或在 PDF 阅读器中输入密码后另存一份再试。") from None
        raise InputError("不是可读取的 PDF 文件：文件已损坏或不完整（可能没有下载完整）。"
                         "请重新下载或另存后再试。") from None
    try:
        count = len(pdf)
        if count > MAX_PAGES:
            raise InputError(f"PDF 有 {count:,} 页，超过 {MAX_PAGES} 页的上限（一份年度报告通常不到 30 页），"
                             "不像是一份年度报告，未读取。")
        pages: list[str] = []
        chars = 0
        columns = Columns()
        for i in range(count):
            text = _page_text(pdf, i, pdfium.PdfiumError, columns)
            chars += len(text)
            if chars > MAX_TEXT_CHARS:
                raise InputError(f"PDF 的文字超过 {MAX_TEXT_CHARS:,} 字的上限（一份年度报告通常不到 2 万字），"
                                 "不像是一份年度报告，未读取。")
            pages.append(text)
        return pages
    finally:
        pdf.close()


def _page_text(pdf: Any, i: int, error: type[Exception], columns: Columns) -> str:
    try:
        page = pdf[i]
    except error:
        raise InputError(f"PDF 的第 {i + 1} 页已损坏，无法读取（文件可能没有下载完整）。"
                         "请重新下载或另存后再试。") from None
    try:
        textpage = page.get_textpage()
        try:
            return "\n".join(with_cells(page_lines(textpage, page.get_height()), columns))
        finally:
            textpage.close()
    except error:
        raise InputError(f"PDF 的第 {i + 1} 页的文字无法提取，文件可能已损坏。请重新下载或另存后再试。") from None
    finally:
        page.close()


def parse_pdf(data: bytes) -> Document:
    """The report's lines, as the text reader makes them of the PDF's text; one refusal for a scan."""
    pages = pdf_text(data)
    cjk = _cjk(unicodedata.normalize("NFKC", "".join(pages)))
    if cjk < SCAN_CJK_PER_PAGE * max(len(pages), 1):
        raise InputError(_SCAN.format(pages=len(pages), cjk=cjk))
    # the pages apart by form feeds, as pdftotext writes them: the text reader drops their bare page numbers
    text = "\f".join(p.replace("\r\n", "\n").replace("\r", "\n") for p in pages)
    lines = text.count("\n") + len(pages)
    if lines > MAX_LINES:
        raise InputError(f"PDF 的文字有 {lines:,} 行，超过 {MAX_LINES:,} 行的上限"
                         "（一份年度报告通常只有几百行），不像是一份年度报告，未读取。")
    return Document(tuple(text_lines(text)))

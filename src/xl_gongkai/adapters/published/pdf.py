"""A published report as a PDF: its text layer, page by page, as the lines the text reader makes of copied text.

Most reports are published as PDF. The text is taken with pypdfium2 (Google's PDFium: what Chrome renders
PDFs with), page by page as PDFium lays it out — lines in reading order — and the pages are joined with line
breaks. That text then goes through the text reader unchanged (``text.text_lines``: page markers such as
``- 4 -`` dropped, CJK compatibility radicals repaired, cells split at tabs), so the table decoder sees a PDF
exactly as it sees the same PDF's text copied into a .txt: the real 淮安 2024 PDF and its text give the same
200 cells (tests/test_formats.py).

A PDF without a text layer (a scan), or whose fonts carry no mapping to characters, yields (almost) no
Chinese: it is one refusal that says so and what to do, not a report whose every table is missing.
"""

from __future__ import annotations

import unicodedata

from ...errors import InputError
from .text import MAX_LINES, MAX_TEXT_CHARS, Document, text_lines

MAX_PDF_BYTES = 50 * 1024 * 1024  # a report's PDF is 0.2-5 MB (淮安 2024: 0.4 MB for 6 pages); scans run larger
MAX_PAGES = 300  # a report has 5-30 pages; every page is parsed, so the pages bound the time
# A page of a report's text layer carries hundreds of Chinese characters (淮安 2024: 300-700 a page); a scan
# carries none, or only what a portal stamped on it (a page number, a watermark of a few characters).
SCAN_CJK_PER_PAGE = 20

_PASSWORD_CODES = (4,)  # FPDF_ERR_PASSWORD
_SCAN = ("图片版 PDF，无法读取文字：全文 {pages} 页只提取到 {cjk} 个汉字，"
         "页面是扫描的图片，或字体没有可提取的文字编码。请向发布机关索取可复制文字的 PDF、Word 文件或网页，"
         "或先用文字识别（OCR）软件识别成文字，保存为 .txt 后再读取。")


def _cjk(text: str) -> int:
    return sum(1 for ch in text if "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff")


def pdf_text(data: bytes) -> list[str]:
    """The text of each page, as PDFium lays it out; an :class:`InputError` for a file PDFium cannot open."""
    import pypdfium2 as pdfium

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
        for i in range(count):
            page = pdf[i]
            try:
                textpage = page.get_textpage()
                try:
                    text = textpage.get_text_bounded()
                finally:
                    textpage.close()
            finally:
                page.close()
            chars += len(text)
            if chars > MAX_TEXT_CHARS:
                raise InputError(f"PDF 的文字超过 {MAX_TEXT_CHARS:,} 字的上限（一份年度报告通常不到 2 万字），"
                                 "不像是一份年度报告，未读取。")
            pages.append(text)
        return pages
    finally:
        pdf.close()


def parse_pdf(data: bytes) -> Document:
    """The report's lines, as the text reader makes them of the PDF's text; one refusal for a scan."""
    pages = pdf_text(data)
    cjk = _cjk(unicodedata.normalize("NFKC", "".join(pages)))
    if cjk < SCAN_CJK_PER_PAGE * max(len(pages), 1):
        raise InputError(_SCAN.format(pages=len(pages), cjk=cjk))
    text = "\n".join(p.replace("\r\n", "\n").replace("\r", "\n") for p in pages)
    if text.count("\n") + 1 > MAX_LINES:
        raise InputError(f"PDF 的文字有 {text.count(chr(10)) + 1:,} 行，超过 {MAX_LINES:,} 行的上限"
                         "（一份年度报告通常只有几百行），不像是一份年度报告，未读取。")
    return Document(tuple(text_lines(text)))

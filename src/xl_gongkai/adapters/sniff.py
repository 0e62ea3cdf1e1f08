"""What a file is, read from its content: the one place that decides which reader gets a file.

Offices receive reports under any name: a PDF saved as ``.txt`` by a download, a Word file renamed ``.xlsx``,
a page saved as ``.txt`` by a browser. The suffix is a claim; the first bytes and the structure are evidence:

* ``%PDF-`` in the first kilobyte (the PDF standard allows a little in front): a PDF;
* a zip whose parts are ``word/document.xml`` (a Word document), ``xl/workbook.xml`` (an Excel workbook),
  an OpenDocument ``mimetype``, or ``OFD.xml``, ``xl/workbook.bin``, ``ppt/`` (named, not read);
* a compound file (OLE2) with a ``WordDocument`` stream (Word 97-2003, WPS 文字), a ``Workbook`` stream
  (Excel 97-2003, WPS 表格), or ``EncryptedPackage`` (an Office file with an opening password);
* ``{\\rtf``: an RTF document; images and other archives by their signatures (named, not read);
* text: a page saved as one file (MHTML) when it opens with MIME headers, one of them ``multipart/related``;
  JSON when it opens with ``{`` or ``[``, HTML when it opens with markup, plain text otherwise.

When the suffix says something else, the reading goes by the content and a note says so
(``文件扩展名为 .txt，内容是 PDF，按 PDF 读取。``). Plain text is the one kind without a signature: it cannot
contradict a suffix that names a binary format (a ``.xlsx`` holding text is a damaged workbook), and a text
file whose suffix names a format the tool does not read (``.csv``) is refused with that format's advice.
Only the first :data:`HEAD_BYTES` are read here (the first :data:`PDF_LEAD` of a PDF, a zip or a compound
file), and the directory of a zip or compound file.
"""

from __future__ import annotations

import functools
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..fileio import read_head, read_input
from .formats import (
    DOC_IN,
    DOCX_IN,
    HTML_IN,
    JSON_IN,
    MHTML_IN,
    ODS_IN,
    ODT_IN,
    PDF_IN,
    RTF_IN,
    TEXT_IN,
    WORKBOOK_IN,
    XLS_IN,
    InputFormat,
    advised,
    input_format,
    spaced,
    unsupported,
)
from .ole import ENCRYPTED_STREAM, OLE_MAGIC, SLIDES_STREAM, WORD_STREAM, WORKBOOK_STREAMS, CompoundFile
from .package_zip import MAX_ENTRIES, ascii_lower, directory

UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")  # little- and big-endian byte order marks: UTF-16 text

HEAD_BYTES = 64 * 1024
# A page saved as one file opens with MIME headers (Chrome: ``From: <Saved by Blink>``; Internet Explorer, Word:
# ``MIME-Version: 1.0``), and its parts are ``multipart/related`` (RFC 2557)
_MIME_HEADER = re.compile(r"(?:From|Snapshot-Content-Location|Subject|Date|MIME-Version|Content-Type|"
                          r"Content-Location|Message-ID|X-[A-Za-z-]+)[ \t]*:", re.I)
_MULTIPART = re.compile(r"^Content-Type[ \t]*:[ \t]*multipart/related", re.I | re.M)
PDF_LEAD = 1024  # ISO 32000-1 7.5.2 readers accept the header anywhere in the first 1024 bytes
# (also what is read first: a PDF, a zip or a compound file is known by it; anything else is read further)
MAX_OLE_BYTES = 50 * 1024 * 1024  # a compound file is walked whole; a report's .doc or .xls is well under 5 MB

_PASSWORD = "设置了打开密码，无法读取。请在 Word、Excel 或 WPS 中取消打开密码后另存，再试。"
_ARCHIVE = "压缩包，请先解压，再逐个读取其中的文件。"
_PICTURE = ("图片文件，无法读取其中的文字。请提供可复制文字的 PDF、Word 文件或网页，"
            "或先用文字识别（OCR）软件识别成文字。")
# signatures of what people put in a collection folder that holds no report text the tool can read
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", _PICTURE), (b"\xff\xd8\xff", _PICTURE), (b"GIF87a", _PICTURE), (b"GIF89a", _PICTURE),
    (b"II*\x00", _PICTURE), (b"MM\x00*", _PICTURE),
    (b"Rar!\x1a\x07", _ARCHIVE), (b"7z\xbc\xaf\x27\x1c", _ARCHIVE), (b"\x1f\x8b", _ARCHIVE),
)
_ODF = {b"application/vnd.oasis.opendocument.text": ODT_IN,
        b"application/vnd.oasis.opendocument.spreadsheet": ODS_IN}
# markup a page opens with (after a BOM, blanks, an XML declaration or a comment)
_HTML = re.compile(r"<(?:!doctype\s+html|html|head|body|meta|title|table|div|p|h[1-6])[\s>/]", re.I)
_JSON_START = re.compile(r"[{\[]\s*(?:[\"{\[\]}\d-]|$)")


@dataclass(frozen=True)
class Sniffed:
    """What a file's content is; ``note`` says so when its suffix claims something else."""

    format: InputFormat
    note: str = ""


def sniff(path: str | Path) -> Sniffed:
    """The format of a file's content; an :class:`InputError` that names it when the tool reads no such file."""
    p = Path(path)
    head = read_head(p, PDF_LEAD)
    if not head:
        raise InputError("空文件（0 字节），没有任何内容。请向报送单位要一份完整的文件。", place=str(p))
    fmt = _content(p, head)
    return Sniffed(fmt, note(p, fmt))


def note(path: Path, fmt: InputFormat) -> str:
    """The sentence that says the suffix lies, or ``""``."""
    if input_format(path) is fmt:
        return ""
    suffix = path.suffix.lower()
    said = f"文件扩展名为 {suffix}" if suffix else "文件没有扩展名"
    return f"{said}，内容是{spaced(fmt.what, tail=False)}，按{spaced(fmt.what)}读取。"


def _refuse(path: Path, message: str) -> InputError:
    return InputError(message, place=str(path))


def _content(p: Path, head: bytes) -> InputFormat:
    if b"%PDF-" in head[:PDF_LEAD]:
        return PDF_IN
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip(p)
    if head.startswith(OLE_MAGIC):
        return _compound(p)
    if len(head) == PDF_LEAD:  # what the first kilobyte did not settle is read from the longer head
        head = read_head(p, HEAD_BYTES)
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{\\rtf"):
        return RTF_IN
    for magic, why in _SIGNATURES:
        if head.startswith(magic):
            raise _refuse(p, why)
    text = _text(head, complete=len(head) < HEAD_BYTES)
    if text is None:
        claimed = input_format(p)
        if claimed is not None:
            what = spaced(claimed.what, tail=False)
            raise _refuse(p, f"不是可读取的{what}：文件已损坏，或根本不是{what}（内容不是本工具认识的任何格式）。"
                             "请重新保存或重新下载后再试。")
        raise _refuse(p, f"不是文本文件，也不是本工具认识的文件格式。{unsupported(p)}。")
    start = text.lstrip("\ufeff \t\r\n")
    if _MIME_HEADER.match(start) and _MULTIPART.search(start[:HEAD_BYTES]):
        return MHTML_IN
    if _JSON_START.match(start):
        return JSON_IN
    if start.startswith("<") and _HTML.search(start[:4096]):
        return HTML_IN
    return _plain_text(p)


def _plain_text(p: Path) -> InputFormat:
    """Text that is neither JSON nor a page. Having no signature, it cannot contradict a suffix that names a
    binary format: a ``.xlsx`` holding text is a damaged (or misnamed) workbook, not a report; a ``.json``
    holding text is a JSON file with an error the JSON reader names."""
    claimed = input_format(p)
    if claimed is JSON_IN:
        return JSON_IN
    if claimed is not None and claimed not in (TEXT_IN, HTML_IN, MHTML_IN):
        what = spaced(claimed.what, tail=False)
        raise _refuse(p, f"不是可读取的{what}：文件的内容是纯文本，不是{what}"
                         "（文件可能已损坏，或被改了扩展名）。请重新保存或重新下载；如果这是报告的文字，"
                         "请把扩展名改为 .txt 后再读取。")
    if advised(p):
        raise _refuse(p, unsupported(p) + "。")
    return TEXT_IN


def _text(head: bytes, *, complete: bool) -> str | None:
    """The head decoded as the text readers decode it (UTF-8 or GB18030), or None for binary content.

    A head cut from a longer file may end inside a character: up to three bytes are left off the end.
    """
    if head[:2] in UTF16_MARKS:  # UTF-16 text (with its mark): a cut head may end inside a character or a pair
        for cut in (0,) if complete else (0, 1, 2, 3):
            try:
                return head[: len(head) - cut].decode("utf-16")
            except UnicodeDecodeError:
                continue
        return None
    if b"\x00" in head:
        return None
    for encoding in ("utf-8-sig", "gb18030"):
        for cut in (0,) if complete else (0, 1, 2, 3):
            try:
                return head[: len(head) - cut].decode(encoding)
            except UnicodeDecodeError:
                continue
    return None


def _zip(p: Path) -> InputFormat:
    """A zip: an Office Open XML document, an OpenDocument, or something that is not a report."""
    try:
        with open(p, "rb") as fh:
            infos, _ = directory(fh)  # parsed once for the sniff and the reader after it
            if len(infos) > MAX_ENTRIES:
                raise _refuse(p, f"压缩包中的文件过多（{len(infos)} 个，上限 {MAX_ENTRIES}），"
                                 "不是 Word 文档或 Excel 工作簿。")
            names = {ascii_lower(i.filename): i for i in infos}
            mimetype = names.get("mimetype")
            kind = b""
            if mimetype is not None and mimetype.file_size <= 100:
                with zipfile.ZipFile(fh) as zf:
                    kind = zf.read(mimetype)[:100].strip()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, NotImplementedError,
            RuntimeError):
        claimed = input_format(p)
        if claimed is WORKBOOK_IN:
            return claimed  # the workbook reader names what is wrong (too large, not a zip, damaged)
        what = f"不是可读取的{spaced(claimed.what, tail=False)}：" if claimed is not None else ""
        raise _refuse(p, f"{what}文件已损坏，看起来是 zip 压缩包（.docx 和 .xlsx 都是），但无法打开。"
                         "可能没有完整保存或下载；请重新保存或重新下载后再试。") from None
    if "word/document.xml" in names:
        return DOCX_IN
    if "xl/workbook.xml" in names:
        return WORKBOOK_IN
    if kind in _ODF:
        return _ODF[kind]
    if "xl/workbook.bin" in names:
        raise _refuse(p, "这是 Excel 二进制工作簿（.xlsb），本工具不读取。请在 Excel 或 WPS 中另存为 .xlsx 后再试。")
    if "ofd.xml" in names:
        raise _refuse(p, "这是 OFD 版式文件，本工具不读取。请在数科阅读器等软件中另存为 PDF，"
                         "或改用发布报告的网页（.html）。")
    if "ppt/presentation.xml" in names:
        raise _refuse(p, "这是 PowerPoint 演示文稿，不是年度报告。")
    raise _refuse(p, "这是 zip " + _ARCHIVE)


def _compound(p: Path) -> InputFormat:
    """A compound file (OLE2): Word or Excel 97-2003 (or WPS), or an Office file with a password."""
    data = read_input(p, cap=MAX_OLE_BYTES, too_big=f"文件有 {{mb}} MB，超过 {MAX_OLE_BYTES // (1024 * 1024)} MB 的"
                      "上限（一份年度报告的 Word 或 Excel 文件通常不到 5 MB），未读取。")
    cf = CompoundFile(data, functools.partial(_refuse, p))
    if cf.has(ENCRYPTED_STREAM):
        raise _refuse(p, "这个 Office 文件" + _PASSWORD)
    if cf.has(WORD_STREAM):
        return DOC_IN
    if cf.find(*WORKBOOK_STREAMS) is not None:
        return XLS_IN
    if cf.has(SLIDES_STREAM):
        raise _refuse(p, "这是 PowerPoint 演示文稿，不是年度报告。")
    raise _refuse(p, "这是 Office 复合文档，但既不是 Word 文档也不是 Excel 工作簿，本工具不读取。")

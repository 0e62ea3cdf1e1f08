"""A page saved as one file (MHTML, RFC 2557): the page among its MIME parts, read as any page is.

Chrome's “网页，单个文件”, Internet Explorer's “Web 档案，单个文件” and Word's “单个文件网页” write the page and
what it shows (images, style sheets) as the parts of one ``multipart/related`` message, the page usually in
quoted-printable, in its own charset. An evaluator who saves a report's page so keeps exactly what the page
showed: the page part is decoded here and read by the page reader (``html``); a saved text part, if that is all
there is, by the text reader. The standard library's ``email`` parser does the MIME work (it also runs in the
browser's Python), on a file already bounded by the text reader's size limit.
"""

from __future__ import annotations

import email
import email.policy
from email.message import Message

from ...errors import InputError
from .text import Document, decode, parse_text

_GB = frozenset({"gb2312", "gbk", "x-gbk", "cp936", "gb_2312-80"})
MAX_PARTS = 2_000  # a saved page has a part per image and style sheet: a few dozen, a few hundred at most


def parse_mhtml(raw: bytes, where: str = "") -> Document:
    """The lines of the page part of a page saved as one file."""
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    parts = list(message.walk()) if message.is_multipart() else [message]
    if len(parts) > MAX_PARTS:
        raise InputError(f"单个文件网页中有 {len(parts)} 个部分，超过 {MAX_PARTS} 个的上限，不像是一份年度报告的网页，"
                         "未读取。", place=where or None)
    for kind in ("text/html", "text/plain"):
        part = next((p for p in parts if p.get_content_type() == kind), None)
        if part is not None:
            text = _text(part, where)
            if kind == "text/html":
                from .html import parse_html

                return parse_html(text)
            return parse_text(text)
    raise InputError("单个文件网页（MHTML）中没有网页或文字部分，无法读取。请在浏览器中打开它，"
                     "另存为“网页，仅 HTML”（.html）后再试。", place=where or None)


def _text(part: Message, where: str) -> str:
    """The part's text: its transfer encoding undone, then decoded in the charset it names, or as any text is."""
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    charset = part.get_content_charset()
    if charset in _GB:
        charset = "gb18030"  # pages that say gb2312 or GBK use its characters beyond them: GB18030 reads them all
    if charset:
        try:
            text = data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
        else:
            if "\x00" not in text:
                return text
    return decode(data, where)

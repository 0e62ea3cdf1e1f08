"""Reports printed in traditional characters, and with pinyin after characters: read as the simplified text they are.

Government portals offer a 繁體 version of every page, and mirrors of those pages keep it; one mirror also prints
the pinyin of polyphonic characters after them (``本年報(bào)根據(jù)《中華人民共和國政府信息公開條例》``). None of the
form's labels, headings or title words is found in such a text, and the report was refused as "not a report".

The conversion is OpenCC's traditional-to-simplified table (``opencc-python-reimplemented``, pure Python: the same
in the page; docs/design.md), applied to the whole document, and only when the document is traditional: when it
prints ``公開`` — the word of the report's title, of every heading and of the tables — more often than ``公开``.
A simplified text is never converted (a few characters of a simplified text, 乾 or 著, OpenCC would change).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from typing import Any

from ...core.findings import Finding, Place
from .heuristics import heuristic
from .notes import import_finding
from .text import Document

# The word every report prints in its title, its headings and its tables, in the two scripts.
TRADITIONAL_WORD, SIMPLIFIED_WORD = "公開", "公开"

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
# A syllable of pinyin with its tone mark, in brackets right after a character: ``報(bào)``, ``項（xiàng）``.
_PINYIN = re.compile(rf"(?<=[\u3400-\u9fff])[(（](?=[a-zü]*[{_TONED}])[a-zü{_TONED}]{{1,7}}[)）]")


@heuristic("pinyin_annotations", "text")
def without_pinyin(text: str) -> str:
    """The pinyin a mirror prints after characters (``報(bào)告``) dropped: it is no part of any word or label.

    Only a bracketed syllable with a tone mark right after a character is pinyin; ``(一)`` or ``(PDF)`` is not.
    """
    return _PINYIN.sub("", text) if "(" in text or "（" in text else text


def is_traditional(doc: Document) -> bool:
    """The document prints the report's word ``公開`` more often than ``公开``."""
    traditional = simplified = 0
    for ln in doc.lines:
        for text in (ln.text, *(ln.cells or ())):
            traditional += text.count(TRADITIONAL_WORD)
            simplified += text.count(SIMPLIFIED_WORD)
    return traditional > simplified


@cache
def _converter() -> Any:
    from opencc import OpenCC  # imported only for a traditional text

    return OpenCC("t2s")


@heuristic("traditional_characters", "text")
def as_simplified(doc: Document) -> tuple[Document, Finding | None]:
    """A report printed in traditional characters (a portal's 繁體 page, a mirror of it), read as simplified text.

    Every line, cell and title is converted and the pinyin a mirror adds is dropped; one I5 finding says so.
    A document that is not traditional is returned as it was, without its pinyin.
    """
    if not is_traditional(doc):
        return _each(doc, without_pinyin), None
    cc = _converter()

    def convert(text: str) -> str:
        return str(cc.convert(without_pinyin(text)))

    note = import_finding("I5", "text.script", Place(), where="全文",
                          what="原文是繁体字（如“公開”“報告”），按对应的简体字读取；读出的机关名称和正文也是简体字")
    return _each(doc, convert), note


def _each(doc: Document, fn: Callable[[str], str]) -> Document:
    """The document with ``fn`` applied to every line, cell and title; the same document when nothing changes."""
    lines = []
    for ln in doc.lines:
        text = fn(ln.text)
        cells = None if ln.cells is None else tuple(fn(c) for c in ln.cells)
        lines.append(ln if text == ln.text and cells == ln.cells else replace(ln, text=text, cells=cells))
    title = fn(doc.title) if doc.title else doc.title
    html_title = fn(doc.html_title) if doc.html_title else doc.html_title
    same = all(a is b for a, b in zip(lines, doc.lines, strict=True))
    if same and title == doc.title and html_title == doc.html_title:
        return doc
    return replace(doc, lines=tuple(lines), title=title, html_title=html_title)

"""A tokenizer for spliceable XML: every tag with its offsets, nothing built (so nothing else moves)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ._common import WorkbookFormatError

# One token per "<": a comment, CDATA, a processing instruction, an end tag, a start/empty tag (attribute
# values may hold ">"), or, as the last resort, a bare "<" (a DOCTYPE or malformed markup: refused).
TOKEN = re.compile(
    r"<(?:"
    r"(?P<comment>!--.*?--)"
    r"|(?P<cdata>!\[CDATA\[.*?\]\])"
    r"|(?P<pi>\?.*?\?)"
    r"|/(?P<close>[^\s/>]+)\s*"
    r"|(?P<name>[^\s/>!?]+)(?P<attrs>(?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(?P<empty>/?)"
    r")>"
    r"|<",
    re.S,
)
SPANS = re.compile(r"(\sspans\s*=\s*)(\"[^\"]*\"|'[^']*')")
_ATTR = re.compile(r"([^\s=/>]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_ENTITY = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|lt|gt|amp|quot|apos);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


def _unescape(value: str) -> str:
    if "&" not in value:
        return value

    def one(m: re.Match[str]) -> str:
        ref = m.group(1)
        try:
            if ref.startswith("#x"):
                return chr(int(ref[2:], 16))
            if ref.startswith("#"):
                return chr(int(ref[1:]))
        except (ValueError, OverflowError):  # not a character: left as written, the XML check refuses it
            return m.group(0)
        return _NAMED[ref]

    return _ENTITY.sub(one, value)


@dataclass(frozen=True)
class Attr:
    name: str
    value: str  # unescaped
    raw: str  # as written, e.g. s="7"
    value_start: int  # offsets of the raw value (inside the quotes) in the whole document
    value_end: int


def attrs(m: re.Match[str]) -> list[Attr]:
    """Every attribute of a start tag found by :data:`TOKEN`, with its offsets."""
    base = m.start("attrs")
    out = []
    for a in _ATTR.finditer(m.group("attrs")):
        group = 2 if a.group(2) is not None else 3
        out.append(Attr(a.group(1), _unescape(a.group(group)), a.group(0), base + a.start(group), base + a.end(group)))
    return out


def attr(m: re.Match[str], name: str) -> str | None:
    """One attribute's value, without building the whole list (the hot path over every row)."""
    text = m.group("attrs")
    if name not in text:
        return None
    for a in _ATTR.finditer(text):
        if a.group(1) == name:
            return _unescape(a.group(2) if a.group(2) is not None else a.group(3))
    return None


def local(qname: str) -> str:
    return qname.rpartition(":")[2]


def prefix(qname: str) -> str:
    head, sep, _ = qname.rpartition(":")
    return f"{head}{sep}"


def passive(m: re.Match[str]) -> bool:
    """A comment, CDATA or processing instruction: markup that neither opens nor closes an element."""
    return m.group("comment") is not None or m.group("pi") is not None or m.group("cdata") is not None


def bad_markup(where: str, text: str, pos: int) -> WorkbookFormatError:
    snippet = text[pos : pos + 40].replace("\n", " ")
    return WorkbookFormatError(f"{where}：无法解析的 XML 标记（位置 {pos}：{snippet!r}），文件可能已损坏。")

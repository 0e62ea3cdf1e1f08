"""Text splices into an XML part: decoding it, collecting replacements, applying them in order."""

from __future__ import annotations

import re
from collections.abc import Callable

from ._common import WorkbookFormatError
from ._markup import TOKEN, attrs, bad_markup, local, passive
from ._verify import parse_xml

_ENCODING = re.compile(rb"(?:\xef\xbb\xbf)?<\?xml[^>]*encoding\s*=\s*[\"']([^\"']+)[\"']")


def decode(data: bytes, where: str) -> str:
    """A part's text: UTF-8 only, as every spreadsheet program writes it."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise WorkbookFormatError(f"{where}：不支持 UTF-16 编码的 XML 部件。")
    m = _ENCODING.match(data[:200])
    if m and m.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
        raise WorkbookFormatError(f"{where}：不支持 {m.group(1).decode('ascii', 'replace')} 编码的 XML 部件。")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise WorkbookFormatError(f"{where}：XML 不是有效的 UTF-8 编码。") from None


class Splices:
    """Replacements of ``text[start:end]``, applied in position order (ties in the order they were added)."""

    def __init__(self) -> None:
        self.items: list[tuple[int, int, int, str]] = []

    def add(self, start: int, end: int, new: str, *, first: bool = False) -> None:
        """``first``: before any other splice at the same position."""
        self.items.append((start, end, -1 if first else len(self.items), new))

    def __bool__(self) -> bool:
        return bool(self.items)

    def apply(self, text: str, where: str) -> str:
        parts: list[str] = []
        last = 0
        for start, end, _, new in sorted(self.items):
            if start < last:
                raise WorkbookFormatError(f"{where}：内部错误，改写位置重叠（{start}）。")
            parts.append(text[last:start])
            parts.append(new)
            last = end
        parts.append(text[last:])
        return "".join(parts)


def remove_children(data: bytes, where: str, drop: Callable[[str, dict[str, str]], bool]) -> bytes:
    """Splice out the root's children for which ``drop(local_name, attrs)`` is true (flat parts only)."""
    text = decode(data, where)
    splices = Splices()
    depth = 0
    start = -1
    for m in TOKEN.finditer(text):
        name = m.group("name")
        if name is not None:
            empty = bool(m.group("empty"))
            if depth == 1 and drop(local(name), {a.name: a.value for a in attrs(m)}):
                if empty:
                    splices.add(m.start(), m.end(), "")
                else:
                    start = m.start()
            if not empty:
                depth += 1
        elif m.group("close") is not None:
            depth -= 1
            if depth == 1 and start >= 0:
                splices.add(start, m.end(), "")
                start = -1
        elif not passive(m):
            raise bad_markup(where, text, m.start())
    if not splices:
        return data
    out = splices.apply(text, where).encode("utf-8")
    parse_xml(out, where)
    return out

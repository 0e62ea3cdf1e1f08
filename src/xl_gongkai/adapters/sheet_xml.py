"""Worksheet rows as SpreadsheetML, deflated in pieces that join into one part: the audit's big sheets, made where
the rows are made.

An audit of a province's folder writes millions of rows (问题清单, 报告清单, 数据). Writing them cell by cell
through a spreadsheet library in one process, then deflating the sheets there, was three quarters of a large
audit's time. Here each worker turns its share of the rows into the XML of a worksheet's rows — the same
elements XlsxWriter writes in constant-memory mode (inline strings, ``%.16G`` numbers, the same escapes) — and
deflates it as a raw deflate stream ended on a byte boundary (a sync flush), so that the pieces, laid end to
end in order and closed by one final empty block, are one valid deflate stream. Each piece carries the CRC-32
and length of what it holds; ``package_zip.crc32_combine`` joins them. The results workbook
(``audit_files.ResultsWorkbook``) only concatenates.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..spec.a1 import cell_address

# Deflate level of the streamed sheets: level 1 deflates about three times as fast as the usual 6 for a
# quarter more bytes; a results workbook is written once and opened a few times.
LEVEL = 1
MAX_TEXT = 32_767  # UTF-16 units a cell holds (Excel's limit; XlsxWriter cuts there too)
_CONTROL_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")  # a literal _xHHHH_ is escaped itself, as Excel does
_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")
_TEXT_ESCAPES = re.compile("[&<>]")
_ATTR_ESCAPES = re.compile('["&<>\n]')
_EDGE_SPACE = re.compile(r"^\s|\s$")


@dataclass(frozen=True)
class Piece:
    """Raw deflate bytes of a run of XML (not final, ending on a byte boundary), its CRC-32 and length."""

    data: bytes
    crc: int
    size: int


def deflated(xml: str) -> Piece:
    raw = xml.encode("utf-8")
    packer = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    return Piece(packer.compress(raw) + packer.flush(zlib.Z_SYNC_FLUSH), zlib.crc32(raw), len(raw))


def final_block() -> bytes:
    """What ends a deflate stream made of :func:`deflated` pieces: one empty final block."""
    packer = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    return packer.flush(zlib.Z_FINISH)


@lru_cache(maxsize=64)
def column_letters(count: int) -> tuple[str, ...]:
    """A, B, … for ``count`` columns."""
    return tuple(cell_address(1, c)[:-1] for c in range(1, count + 1))


def text(value: str) -> str:
    """Text as a cell's inline string holds it (the content of ``<t>``), cut at Excel's limit."""
    if len(value) > MAX_TEXT // 2 and len(value.encode("utf-16-le")) // 2 > MAX_TEXT:
        value = value.encode("utf-16-le")[: 2 * MAX_TEXT].decode("utf-16-le", "ignore")
    if "_x" in value:
        value = _CONTROL_ESCAPE.sub(r"_x005F\1", value)
    if _CONTROL.search(value):
        value = _CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", value)
    value = value.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    if _TEXT_ESCAPES.search(value):
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value


def attribute(value: str) -> str:
    if not _ATTR_ESCAPES.search(value):
        return value
    return (value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\n", "&#xA;"))


def cell(ref: str, value: Any, style: int | None = None) -> str:
    """One cell (a number or a text already made safe for a file, ``audit_files.safe_cell``), or ``''`` for
    nothing: a blank, a ``None``, a boolean."""
    rest = after_ref(value, style)
    return f'<c r="{ref}{rest}' if rest else ""


def after_ref(value: Any, style: int | None) -> str:
    """A cell's XML from the end of its address on (``"`` then the style, type and value): what does not depend on
    where the cell is, so that a value met before costs a look-up; ``''`` for nothing."""
    if value is None or value == "" or isinstance(value, bool):
        return ""
    s = "" if style is None else f' s="{style}"'
    if isinstance(value, (int, float)):
        return f'"{s}><v>{value:.16G}</v></c>'
    shown = str(value)
    space = ' xml:space="preserve"' if _EDGE_SPACE.search(shown) else ""
    return f'"{s} t="inlineStr"><is><t{space}>{text(shown)}</t></is></c>'


class Cells:
    """Rows of one layout of columns, each value's XML made once: the same file name, agency, rule, label and
    message recur on thousands of rows. ``safe`` makes a value what the file holds (``audit_files.safe_cell``);
    the memo is emptied when it grows past :data:`MEMO`."""

    MEMO = 50_000

    def __init__(self, width: int, safe: Any) -> None:
        self.letters = column_letters(width)
        self.safe = safe
        self.memo: dict[tuple[Any, ...], str] = {}

    def row(self, number: int, values: Sequence[Any], styles: Sequence[int | None]) -> str:
        """``<row>`` with its cells: ``values`` and ``styles`` by column from A; a row with no cell is omitted."""
        memo, letters, at = self.memo, self.letters, str(number)
        parts = []
        for i, value in enumerate(values):
            key = (styles[i], type(value), value)
            rest = memo.get(key)
            if rest is None:
                if len(memo) >= self.MEMO:
                    memo.clear()
                rest = memo[key] = after_ref(self.safe(value), styles[i])
            if rest:
                parts.append(f'<c r="{letters[i]}{at}{rest}')
        return f'<row r="{at}">{"".join(parts)}</row>' if parts else ""


def row(number: int, values: Sequence[Any], styles: Sequence[int | None]) -> str:
    """``<row>`` with its cells: ``values`` and ``styles`` by column from A; a row with no cell is omitted."""
    letters = column_letters(len(values))
    cells = "".join(cell(f"{letters[i]}{number}", v, styles[i]) for i, v in enumerate(values))
    return f'<row r="{number}">{cells}</row>' if cells else ""


def link(ref: str, location: str, display: str) -> str:
    """An internal hyperlink (``<hyperlinks>``' child) as XlsxWriter writes one."""
    return f'<hyperlink ref="{ref}" location="{attribute(location)}" display="{attribute(display)}"/>'


def joined(parts: Iterable[str]) -> Piece:
    return deflated("".join(parts))

"""Cell values as worksheet XML: numbers, inline strings with Excel's escaping, blanks."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal

from ...spec.a1 import column_index
from ._common import MAX_COL, MAX_ROW, MAX_TEXT

_ADDRESS = re.compile(r"^([A-Z]{1,3})([1-9][0-9]{0,6})$")
CELL_REF = re.compile(r"^\s*([A-Za-z]{1,3})([0-9]{1,7})\s*$")
_XSTRING_LITERAL = re.compile(r"(_x[0-9A-Fa-f]{4}_)")
_XSTRING_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Value:
    """A value as it goes into the XML: ``kind`` is "n" (number), "s" (text) or "blank"."""

    kind: str
    text: str = ""  # the number as written, or the text after ST_Xstring escaping (before XML escaping)


def parse_address(sheet: str, address: object) -> tuple[int, int]:
    """(row, col) of an A1 address given by the caller; anything else is the caller's mistake."""
    m = _ADDRESS.match(address) if isinstance(address, str) else None
    if not m:
        raise ValueError(f"工作表“{sheet}”：单元格地址 {address!r} 不是 A1 格式（如 J5）。")
    row, col = int(m.group(2)), column_index(m.group(1))
    if row > MAX_ROW or col > MAX_COL:
        raise ValueError(f"工作表“{sheet}”：单元格地址 {address} 超出 Excel 的范围（XFD1048576）。")
    return row, col


def _number_text(value: int | float) -> str:
    """Shortest text that reads back as the same double; positional for every everyday magnitude.

    Why not ``repr`` alone: it switches to exponent notation below 1e-4, which Excel reads but people
    inspecting the XML do not expect. From 2**53 on the exponent stays: positional digits padded with
    zeros ("62988122470472900") are not the double's value, and readers that parse digits without a
    point as an integer (openpyxl) would get a different number.
    """
    if isinstance(value, int):
        if abs(value) > 2**53:
            raise ValueError(f"整数 {value} 超出 Excel 能精确保存的范围（±2^53）。")
        return str(value)
    if not math.isfinite(value):
        raise ValueError(f"数值 {value!r} 不能写入 Excel 单元格。")
    if value == 0:
        return "0"
    if value.is_integer() and abs(value) <= 2**53:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        text = format(Decimal(text), "f") if 1e-20 <= abs(value) < 2**53 else text.upper()
    return text


def prepare(sheet: str, address: str, value: object) -> Value:
    """The value as it goes into the XML; the caller's mistakes (type, size, precision) raise, naming the cell."""
    if value is None:
        return Value("blank")
    place = f"工作表“{sheet}”单元格 {address}"
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise TypeError(f"{place}：不支持的值类型 {type(value).__name__}（应为数字、文本或 None）。")
    if isinstance(value, str):
        if value == "":
            return Value("blank")
        try:
            units = len(value.encode("utf-16-le")) // 2  # Excel counts UTF-16 code units
        except UnicodeEncodeError:
            raise ValueError(f"{place}：文本含有无法编码的字符。") from None
        if units > MAX_TEXT:
            raise ValueError(f"{place}：文本长 {units} 字，超过 Excel 单元格上限 {MAX_TEXT} 字。")
        escaped = _XSTRING_LITERAL.sub(r"_x005F\1", value)
        escaped = _XSTRING_CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", escaped)
        return Value("s", escaped)
    try:
        return Value("n", _number_text(value))
    except ValueError as exc:
        raise ValueError(f"{place}：{exc}") from None


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cell_xml(prefix: str, address: str, kept_attrs: list[str], value: Value) -> str:
    """A ``<c>`` element holding ``value``; ``kept_attrs`` as written (a style, ``ph``)."""
    attrs = "".join(f" {a}" for a in kept_attrs)
    p = prefix
    if value.kind == "blank":
        return f'<{p}c r="{address}"{attrs}/>'
    if value.kind == "n":
        return f'<{p}c r="{address}"{attrs}><{p}v>{value.text}</{p}v></{p}c>'
    text = value.text
    space = ' xml:space="preserve"' if text != text.strip() or "\n" in text or "\t" in text else ""
    return f'<{p}c r="{address}"{attrs} t="inlineStr"><{p}is><{p}t{space}>{_xml_text(text)}</{p}t></{p}is></{p}c>'

"""A1-style cell addresses, as the form spec writes them (``"D5"``, ``"A2:C4"``)."""

from __future__ import annotations

import re

_CELL = re.compile(r"^([A-Z]{1,3})([1-9][0-9]*)$")


def column_index(letters: str) -> int:
    """1-based column number of ``"A"`` .. ``"XFD"`` (lower case read as upper case)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n


def column_letters(index: int) -> str:
    """Letters of a 1-based column number."""
    out = ""
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def split_cell(address: str) -> tuple[int, int]:
    """(row, column), both 1-based, of an address such as ``"D5"``."""
    m = _CELL.match(address)
    if not m:
        raise ValueError(f"not an A1 cell address: {address!r}")
    return int(m.group(2)), column_index(m.group(1))


def cell_address(row: int, column: int) -> str:
    return f"{column_letters(column)}{row}"


def split_range(ref: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """((row1, col1), (row2, col2)) of ``"A2:C4"`` or of a single cell."""
    first, _, last = ref.partition(":")
    return split_cell(first), split_cell(last or first)

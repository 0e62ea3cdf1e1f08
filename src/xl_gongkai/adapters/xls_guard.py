"""Bounds on what python-calamine is given: an Excel 97-2003 workbook (.xls, or WPS's .et) is inspected first.

A template saved as .xls (Excel's 另存为, WPS, LibreOffice) is read like the .xlsx: python-calamine reads it,
the version and every label are checked where the spec puts them. But calamine parses every sheet of an .xls
when it opens the file, and holds each as one dense rectangle from its first cell to its last — a cell in
row 65 536 and column 65 535 (both fit BIFF8's 16-bit fields) asks for four billion cells; a ``DIMENSIONS``
record is believed before any cell is read. So, as ``xlsx_guard`` does for a package:

* the compound file is walked by ``ole`` (no chain that loops or leaves the file), and the workbook stream
  calamine will read is taken from it, at most :data:`MAX_STREAM_BYTES`;
* the BIFF records are walked as calamine walks them (the globals up to their EOF, then each sheet from the
  position its ``BoundSheet8`` record gives): a sheet whose cells or whose ``DIMENSIONS`` span more than
  ``xlsx_guard.MAX_SHEET_CELLS`` from A1 is refused, naming the farthest cell; sheets that overlap (making
  calamine read the same bytes again and again) are refused;
* only BIFF8 (Excel 97 and later) is read: an older workbook, or one with a password (``FILEPASS``), is named.

The scan also keeps the error values in the area the reader wants (``#DIV/0!`` and the others), which
python-calamine returns as blanks, as the package scan does for an .xlsx.
"""

from __future__ import annotations

import functools
import struct
from collections.abc import Iterator, Mapping

from ..errors import InputError
from ..spec.a1 import cell_address
from .ole import WORKBOOK_STREAMS, CompoundFile
from .xlsx_guard import MAX_SHEET_CELLS, SheetScan

MAX_STREAM_BYTES = 8 * 1024 * 1024  # the template saved as .xls has a workbook stream of about 200 KB

_BOF, _EOF, _FILEPASS, _BOUNDSHEET, _DIMENSIONS = 0x0809, 0x000A, 0x002F, 0x0085, 0x0200
_BIFF8 = 0x0600
_FORMULA, _BOOLERR, _MULRK, _MULBLANK = 0x0006, 0x0205, 0x00BD, 0x00BE
# records that place one cell at (row, column) in their first four bytes: Number, Label, RString, BoolErr,
# Rk, LabelSst, Blank, Formula (calamine reads all but Blank into the sheet; Blank is counted too)
_CELLS = frozenset({0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x0201, 0x0006})
# MS-XLS 2.5.97 BErr: the error codes a cell can hold
_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
           0x2A: "#N/A", 0x2B: "#GETTING_DATA"}


def _refuse(where: str, message: str) -> InputError:
    return InputError(message, place=where)


def inspect_xls(data: bytes, areas: Mapping[str, tuple[int, int]], where: str) -> dict[str, SheetScan]:
    """Check an .xls file's bytes before calamine reads them; the scan of every sheet, by name.

    ``areas`` maps a sheet name to the (rows, columns) from A1 that will be read: error values are kept there.
    """
    refuse = functools.partial(_refuse, where)
    cf = CompoundFile(data, refuse)
    entry = cf.find(*WORKBOOK_STREAMS)
    if entry is None:
        raise refuse("这是 Office 复合文档，但其中没有工作簿：不是 Excel 工作簿，未读取。")
    stream = cf.stream(entry, MAX_STREAM_BYTES, "工作簿数据")
    sheets = _globals(stream, refuse)
    scans: dict[str, SheetScan] = {}
    scanned = 0
    for pos, name in sheets:
        scan, length = _sheet(stream, pos, name, areas.get(name, (0, 0)), refuse)
        scanned += length
        if scanned > len(stream):
            raise refuse("工作簿数据中的工作表相互重叠，文件可能被篡改，未读取。")
        scans.setdefault(name, scan)
    return scans


def _records(stream: bytes, pos: int, refuse: functools.partial[InputError]) -> Iterator[tuple[int, int, bytes]]:
    """(offset, type, data) of each record from ``pos``; a record cut short is refused (calamine errs there)."""
    end = len(stream)
    while pos < end:
        if pos + 4 > end:
            raise refuse("工作簿数据在记录中间结束，文件已损坏，未读取。")
        typ, size = struct.unpack_from("<HH", stream, pos)
        if pos + 4 + size > end:
            raise refuse("工作簿数据在记录中间结束，文件已损坏，未读取。")
        yield pos, typ, stream[pos + 4 : pos + 4 + size]
        pos += 4 + size


def _globals(stream: bytes, refuse: functools.partial[InputError]) -> list[tuple[int, str]]:
    """(position, name) of every sheet the workbook globals list, up to their EOF."""
    sheets: list[tuple[int, str]] = []
    first = True
    for _, typ, data in _records(stream, 0, refuse):
        if first:
            first = False
            if typ != _BOF or len(data) < 2:
                raise refuse("工作簿数据不是以 BOF 记录开头：不是 Excel 工作簿，或文件已损坏，未读取。")
            if struct.unpack_from("<H", data)[0] != _BIFF8:
                raise refuse("这是 Excel 5.0/95 或更早的工作簿格式，本程序读取 Excel 97 及以后的 .xls。"
                             "请在 Excel 或 WPS 中另存为 .xlsx 后再试。")
        elif typ == _FILEPASS:
            raise refuse("工作簿设置了打开密码，无法读取。请在 Excel 或 WPS 中取消密码后另存为 .xlsx 再试。")
        elif typ == _BOUNDSHEET and len(data) >= 8:
            sheets.append((struct.unpack_from("<I", data)[0], _sheet_name(data[6:])))
        elif typ == _EOF:
            break
    return sheets


def _sheet_name(data: bytes) -> str:
    """A BIFF8 ShortXLUnicodeString: a length in characters, a flag (UTF-16 or one byte a character), the text."""
    if len(data) < 2:
        return ""
    count, wide = data[0], data[1] & 1
    raw = data[2 : 2 + count * (2 if wide else 1)]
    text = raw.decode("utf-16-le", "replace") if wide else raw.decode("latin-1")
    return text.replace("\x00", "")


def _sheet(stream: bytes, pos: int, name: str, area: tuple[int, int],
           refuse: functools.partial[InputError]) -> tuple[SheetScan, int]:
    """The extent and error values of one sheet's substream, and how many bytes it took."""
    scan = SheetScan()
    far = ""
    depth = 0
    end = pos
    for at, typ, data in _records(stream, pos, refuse) if pos < len(stream) else ():
        end = at + 4 + len(data)
        if typ == _BOF:
            depth += 1
            continue
        if typ == _EOF:
            depth -= 1
            if depth <= 0:
                break
            continue
        if typ == _DIMENSIONS:
            rows, cols = _dimensions(data)
            if rows * cols > MAX_SHEET_CELLS:
                raise refuse(f"工作表“{name}”声明的范围有 {rows:,} 行 × {cols:,} 列，"
                             f"超过 {MAX_SHEET_CELLS:,} 个单元格，读取会占用过多内存。请删除表格以外的内容后另存再试。")
            continue
        for r, c in _positions(typ, data):
            r1, c1 = r + 1, c + 1
            if r1 > scan.rows or c1 > scan.cols:
                scan.rows, scan.cols = max(scan.rows, r1), max(scan.cols, c1)
                far = cell_address(r1, c1)
                if scan.rows * scan.cols > MAX_SHEET_CELLS:
                    raise refuse(f"工作表“{name}”在 {far} 有内容，离表格太远：从 A1 到那里超过 {MAX_SHEET_CELLS:,} 个"
                                 "单元格，读取会占用过多内存。请删除表格以外的内容后再试。")
        error = _error(typ, data)
        if error is not None:
            r, c = struct.unpack_from("<HH", data)
            if r < area[0] and c < area[1]:
                scan.errors[(r + 1, c + 1)] = error
    return scan, end - pos


def _dimensions(data: bytes) -> tuple[int, int]:
    """Rows × columns as calamine reserves them (xls.rs ``parse_dimensions``)."""
    if len(data) == 14:
        first, last, cf, cl = struct.unpack_from("<IIHH", data)
    elif len(data) == 10:
        first, last, cf, cl = struct.unpack_from("<HHHH", data)
    else:
        return 0, 0
    if cf > 0xFF or cl < cf:
        cf = 0
    if last < 1 or cl < 1:
        return 0, 0
    return max(0, last - first + 1), max(0, cl - cf + 1)


def _positions(typ: int, data: bytes) -> Iterator[tuple[int, int]]:
    """The 0-based (row, column) of each cell a record holds."""
    if typ in _CELLS and len(data) >= 4:
        yield struct.unpack_from("<HH", data)
    elif typ in (_MULRK, _MULBLANK) and len(data) >= 6:
        row, first = struct.unpack_from("<HH", data)
        last = struct.unpack_from("<H", data, len(data) - 2)[0]
        if last >= first:
            yield row, last


def _error(typ: int, data: bytes) -> str | None:
    """The error value a BoolErr or a formula's cached result holds, as Excel shows it."""
    if typ == _BOOLERR and len(data) >= 8 and data[7] == 1:
        return _ERRORS.get(data[6], "#错误值")
    if typ == _FORMULA and len(data) >= 14 and data[12:14] == b"\xff\xff" and data[6] == 2:
        return _ERRORS.get(data[8], "#错误值")
    return None


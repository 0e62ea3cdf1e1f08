"""Bounds on what python-calamine is given: a workbook package is inspected before it is read.

python-calamine (Rust) reads a sheet whole: every cell with a value goes into one dense rectangle from
the first such cell to the last, and all shared strings are held in memory. So a 58 KB file with one
value in XFD1048576 asks for 550 GB (the process aborts; there is no exception to catch), and a 2 MB
zip bomb of shared strings takes 1 GB. Before calamine opens a file, the parts it will parse are
therefore decompressed here as a stream, counted and scanned:

* the package: a zip of at most :data:`MAX_ENTRIES` entries, no two names equal but for ASCII case
  (calamine finds parts ignoring ASCII case; which of two it would take is not defined);
* each part calamine parses — the workbook, its relationships, the shared strings, the styles and the
  sheets we read — at most :data:`MAX_PART_BYTES` uncompressed, counted as it comes (a lying size
  header cannot make us read more), UTF-8 or another ASCII-compatible encoding (tags must be
  recognisable as bytes), and without a DTD: Excel never writes one, and entity definitions are how an
  XML bomb works (calamine would refuse them too, with an English message);
* each sheet we read: the rectangle from A1 to its farthest cell with content at most
  :data:`MAX_SHEET_CELLS` cells (about 30 bytes each in calamine), the farthest cell named when not.
  The scan follows calamine's own rules for positions (``r`` given or counted, ``</row>`` moving on);
  a cell tag the scan cannot read exactly is refused, so nothing calamine sees escapes the count.

The scan also keeps what python-calamine drops: error values (``#REF!``, ``#DIV/0!``, …) come back
from it as empty strings, which would make a broken formula look like a blank cell. They are returned
here, for the reader to pass on as the text Excel shows.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError
from defusedxml.ElementTree import fromstring as _safe_fromstring

from ..errors import InputError
from ..spec.a1 import cell_address, column_index

MAX_ENTRIES = 10_000
MAX_PART_BYTES = 16 * 1024 * 1024  # the template's largest part is 80 KB; a clerk's file stays far below
MAX_SHEET_CELLS = 2_000_000  # about 60 MB in calamine; the template's largest sheet needs 3 000
MAX_ROW = 1_048_576
MAX_COL = 16_384
# the error values python-calamine reads; newer ones (#SPILL!, #CALC!, ...) make it refuse the whole sheet
CALAMINE_ERRORS = frozenset({"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"})

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and Office's encrypted (password) packages
_CHUNK = 1 << 20
_ASCII_LOWER = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"abcdefghijklmnopqrstuvwxyz")
_DTD = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.I)
_ATTRS = rb"((?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)"
# start and end tags of rows and cells, with or without a namespace prefix
_TAG = re.compile(rb"<(/?)(?:[^\s<>/=!?:]+:)?(row|c)(?=[\s/>])" + _ATTRS + rb"\s*(/?)>")
# anything that could be a row or cell tag to a lenient parser: must be as many as _TAG found
_LOOSE = re.compile(rb"<\s*/?\s*(?:[^\s<>/=!?:]+:)?(?:row|c)(?=[\s/>])")
# every start tag of a cell, to a lenient parser; and a cell whose first attribute is its address
_C_LOOSE = re.compile(rb"<\s*(?:[^\s<>/=!?:]+:)?c(?=[\s/>])")
_C_FIXED = re.compile(rb"<(?:[^\s<>/=!?:]+:)?c\s+r\s*=\s*\"([A-Za-z]{1,3})([0-9]{1,7})\"" + _ATTRS + rb"\s*>")
_C_FIXED_EMPTY = re.compile(rb"<(?:[^\s<>/=!?:]+:)?c\s+r\s*=\s*\"[A-Za-z]{1,3}[0-9]{1,7}\""
                            rb"(?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s*/>")
_ATTR = re.compile(rb"([^\s=/>]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_CELL_REF = re.compile(rb"([A-Za-z]{1,3})([0-9]{1,7})")
_ROW_REF = re.compile(rb"[0-9]{1,7}")
_VALUE = re.compile(rb"<(?:[^\s<>/=!?:]+:)?v\s*>([^<]{0,64})</(?:[^\s<>/=!?:]+:)?v\s*>")
_CELL_END = re.compile(rb"</(?:[^\s<>/=!?:]+:)?c\s*>")
_LAST_ROW = re.compile(rb"<(?:[^\s<>/=!?:]+:)?row\s[^>]*?\br\s*=\s*[\"']([0-9]+)")

_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_BOOK = "xl/workbook.xml"
_BOOK_RELS = "xl/_rels/workbook.xml.rels"
_SHARED = ("xl/sharedStrings.xml", "xl/styles.xml")


@dataclass
class SheetScan:
    """What the scan saw on one sheet: the extent of its content and the error values in the wanted area."""

    rows: int = 0  # the rectangle from A1 that holds every cell with content
    cols: int = 0
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col), 1-based -> "#REF!"
    unknown_errors: dict[tuple[int, int], str] = field(default_factory=dict)  # anywhere; calamine refuses them


def _ascii_lower(name: str) -> str:
    return name.encode("utf-8").translate(_ASCII_LOWER).decode("utf-8")


def _refuse(where: str, message: str) -> InputError:
    return InputError(message, place=where)


class _Package:
    def __init__(self, path: Path) -> None:
        self.where = str(path)
        try:
            with path.open("rb") as fh:
                head = fh.read(len(_OLE_MAGIC))
        except OSError as exc:
            raise _refuse(self.where, f"无法读取文件：{exc.strerror or exc}") from None
        if head == _OLE_MAGIC:
            raise _refuse(self.where, "这是旧版 .xls 工作簿，或设置了打开密码的工作簿：本程序只读取 .xlsx/.xlsm。"
                                      "请在 Excel 中取消打开密码，或另存为 .xlsm 后再试。")
        try:
            self.zf = zipfile.ZipFile(path)
            infos = self.zf.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, NotImplementedError):
            raise _refuse(self.where, "不是可读取的 Excel 工作簿（.xlsx/.xlsm 应为 zip 压缩包，此文件不是或已损坏）。"
                                      "请确认文件是 .xlsx/.xlsm 且没有损坏。") from None
        if len(infos) > MAX_ENTRIES:
            self.zf.close()
            raise _refuse(self.where, f"压缩包中的文件过多（{len(infos)} 个，上限 {MAX_ENTRIES}），"
                                      "不是本模板的工作簿，未读取。")
        self.by_name: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            key = _ascii_lower(info.filename)
            if key in self.by_name:
                self.zf.close()
                raise _refuse(self.where, f"压缩包中“{info.filename}”出现了两次（或仅大小写不同），"
                                          "文件可能被篡改，未读取。")
            self.by_name[key] = info

    def find(self, name: str) -> zipfile.ZipInfo | None:
        return self.by_name.get(_ascii_lower(name))

    def read(self, info: zipfile.ZipInfo, what: str) -> bytes:
        """A part's bytes, at most MAX_PART_BYTES, counted as they are decompressed."""
        label = f"{what}（{info.filename}）" if what != info.filename else info.filename
        if info.flag_bits & 0x1:
            raise _refuse(self.where, f"{label}：已加密，无法读取。请在 Excel 中取消密码后另存再试。")
        buf = bytearray()
        try:
            with self.zf.open(info) as fh:
                while chunk := _read_chunk(fh):
                    buf += chunk
                    if len(buf) > MAX_PART_BYTES:
                        raise _refuse(self.where, self._too_big(label, bytes(buf[-(1 << 16):])))
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError, OSError, RuntimeError, ValueError):
            raise _refuse(self.where, f"{label}：无法解压，文件已损坏（可能没有完整保存或传输中断）。") from None
        data = bytes(buf)
        if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
            raise _refuse(self.where, f"{label}：不是 UTF-8 编码的 XML（Excel、WPS、LibreOffice 都写 UTF-8），"
                                      "文件可能被篡改，未读取。")
        if _DTD.search(data):
            raise _refuse(self.where, f"{label}：含有 DTD（<!DOCTYPE>/<!ENTITY>）声明：Excel 从不写入，"
                                      "这是构造的文件（可能是“XML 炸弹”），未读取。")
        return data

    @staticmethod
    def _too_big(label: str, tail: bytes) -> str:
        rows = _LAST_ROW.findall(tail)
        reach = f"（已到第 {int(rows[-1])} 行仍未结束）" if rows else ""
        return (f"{label}：解压后超过 {MAX_PART_BYTES // (1024 * 1024)} MB{reach}，而本模板的每个部件都不到 1 MB。"
                "可能在表格以外填写或粘贴了大量内容，或这是构造的文件（“压缩炸弹”）。请删除表格以外的内容后再试。")


def _read_chunk(fh: IO[bytes]) -> bytes:
    return fh.read(_CHUNK)


def _parse(data: bytes, where: str, label: str) -> Element:
    try:
        return _safe_fromstring(data)
    except (ParseError, DefusedXmlException, ValueError):
        raise _refuse(where, f"{label}：不是有效的 XML，文件已损坏。") from None


def _sheet_parts(pkg: _Package, wanted: set[str]) -> dict[str, zipfile.ZipInfo]:
    """The part of each wanted sheet, found the way calamine finds it (relative to ``xl/``)."""
    book_info, rels_info = pkg.find(_BOOK), pkg.find(_BOOK_RELS)
    if book_info is None or rels_info is None:
        return {}  # calamine finds no sheets either: the reader reports them missing
    rels_root = _parse(pkg.read(rels_info, rels_info.filename), pkg.where, rels_info.filename)
    targets: dict[str, str] = {}
    for el in rels_root.iter():
        rid = el.get("Id")
        if el.tag.rpartition("}")[2] == "Relationship" and rid is not None:
            targets.setdefault(rid, el.get("Target") or "")
    book_root = _parse(pkg.read(book_info, book_info.filename), pkg.where, book_info.filename)
    found: dict[str, zipfile.ZipInfo] = {}
    for el in book_root.iter():
        if el.tag.rpartition("}")[2] != "sheet":
            continue
        name, rid = el.get("name"), el.get(f"{{{_REL_NS}}}id")
        if name not in wanted or name in found or rid is None:
            continue
        target = targets.get(rid, "")
        path = target[1:] if target.startswith("/xl/") else target if target.startswith("xl/") else f"xl/{target}"
        info = pkg.find(path)
        if info is not None:
            found[name] = info
    return found


def _attrs(raw: bytes) -> dict[bytes, bytes]:
    out: dict[bytes, bytes] = {}
    for a in _ATTR.finditer(raw):
        out.setdefault(a.group(1), a.group(2) if a.group(2) is not None else a.group(3))
    return out


def scan_sheet(data: bytes, area: tuple[int, int], sheet: str, where: str, *, fast: bool = True) -> SheetScan:
    """Extent and error values of one worksheet part, positions counted as calamine counts them.

    Every writer we know puts ``r`` first on every cell; then a cell's position is its ``r`` alone and
    only cells with content need a look (the template's sheets hold thousands of styled blanks). Any
    other sheet takes the general path, which counts positions through rows and cells as calamine does.
    """
    if fast:
        cells = list(_C_FIXED.finditer(data))  # the cells with content; the empty ones are only counted
        if len(cells) + len(_C_FIXED_EMPTY.findall(data)) == len(_C_LOOSE.findall(data)):
            return _scan_fixed(data, cells, area, sheet, where)
    tags = list(_TAG.finditer(data))
    if len(_LOOSE.findall(data)) != len(tags):
        raise _refuse(where, f"工作表“{sheet}”中有无法确定位置的单元格标记，文件可能已损坏或被篡改，未读取。")
    extent = _Extent(data, area, sheet, where)
    row = col = 0  # 0-based, as calamine keeps them
    for m in tags:
        closing, name, attrs, empty = m.group(1), m.group(2), m.group(3), m.group(4)
        if name == b"row":
            if not closing:
                r = _attrs(attrs).get(b"r")
                if r is not None:
                    if not _ROW_REF.fullmatch(r) or not 1 <= int(r) <= MAX_ROW:
                        raise _refuse(where, f"工作表“{sheet}”中的行号“{r.decode('utf-8', 'replace')[:20]}”无效，"
                                             "文件可能已损坏，未读取。")
                    row = int(r) - 1
            if closing or empty:
                row, col = row + 1, 0
            continue
        if closing:
            continue
        a = _attrs(attrs)
        ref = a.get(b"r")
        if ref is not None:
            cm = _CELL_REF.fullmatch(ref)
            if not cm:
                raise _refuse(where, f"工作表“{sheet}”中的单元格地址“{ref.decode('utf-8', 'replace')[:20]}”无效，"
                                     "文件可能已损坏，未读取。")
            r1, c1 = extent.position(cm.group(1), cm.group(2))
            col = c1 - 1
        else:
            r1, c1 = row + 1, col + 1
        col += 1
        if not empty:  # a cell without content is left out of calamine's rectangle
            extent.add(r1, c1, a.get(b"t") == b"e", m.end())
    return extent.scan


def _scan_fixed(data: bytes, cells: list[re.Match[bytes]], area: tuple[int, int], sheet: str,
                where: str) -> SheetScan:
    extent = _Extent(data, area, sheet, where)
    for m in cells:
        r1, c1 = extent.position(m.group(1), m.group(2))
        extent.add(r1, c1, _attrs(m.group(3)).get(b"t") == b"e", m.end())
    return extent.scan


class _Extent:
    """The growing rectangle of cells with content, refused as soon as it passes MAX_SHEET_CELLS."""

    def __init__(self, data: bytes, area: tuple[int, int], sheet: str, where: str) -> None:
        self.data, self.area, self.sheet, self.where = data, area, sheet, where
        self.scan = SheetScan()
        self.far_row = self.far_col = ""

    def position(self, letters: bytes, digits: bytes) -> tuple[int, int]:
        r, c = int(digits), column_index(letters.decode("ascii").upper())
        if not (1 <= r <= MAX_ROW and 1 <= c <= MAX_COL):
            raise _refuse(self.where, f"工作表“{self.sheet}”中的单元格地址“{letters.decode()}{r}”超出 Excel 的范围，"
                                      "文件可能已损坏，未读取。")
        return r, c

    def add(self, r1: int, c1: int, is_error: bool, after: int) -> None:
        scan = self.scan
        if r1 > scan.rows:
            scan.rows, self.far_row = r1, cell_address(r1, c1)
        if c1 > scan.cols:
            scan.cols, self.far_col = c1, cell_address(r1, c1)
        if scan.rows * scan.cols > MAX_SHEET_CELLS:
            far = "、".join(dict.fromkeys(x for x in (self.far_row, self.far_col) if x))
            raise _refuse(self.where, f"工作表“{self.sheet}”在 {far} 有内容，离表格太远：从 A1 到那里超过 "
                                      f"{MAX_SHEET_CELLS:,} 个单元格，读取会占用过多内存。请删除表格以外的内容后再试。")
        if is_error:
            end = _CELL_END.search(self.data, after)
            v = _VALUE.search(self.data, after, end.start() if end else len(self.data))
            text = v.group(1).decode("utf-8", "replace").strip() if v is not None else ""
            if r1 <= self.area[0] and c1 <= self.area[1]:
                scan.errors[(r1, c1)] = text
            if text and text not in CALAMINE_ERRORS and len(scan.unknown_errors) < 10:
                scan.unknown_errors[(r1, c1)] = text


def inspect_package(path: str | Path, areas: Mapping[str, tuple[int, int]]) -> dict[str, SheetScan]:
    """Check a workbook file before calamine reads it; the scan of each sheet in ``areas`` that it has.

    ``areas`` maps a sheet name to the (rows, columns) from A1 that will be read: error values are
    collected there. Every refusal is an :class:`InputError` that names the file and the part or sheet.
    """
    pkg = _Package(Path(path))
    with pkg.zf:
        for name in _SHARED:
            info = pkg.find(name)
            if info is not None:
                pkg.read(info, info.filename)
        scans = {}
        for sheet, info in _sheet_parts(pkg, set(areas)).items():
            data = pkg.read(info, f"工作表“{sheet}”")
            scans[sheet] = scan_sheet(data, areas[sheet], sheet, pkg.where)
    return scans

"""Bounds on what python-calamine is given: a workbook package is inspected before it is read.

python-calamine (Rust) reads a sheet whole: every cell with a value goes into one dense rectangle from
the first such cell to the last, and all shared strings are held in memory. So a 58 KB file with one
value in XFD1048576 asks for 550 GB (the process aborts; there is no exception to catch), and a 2 MB
zip bomb of shared strings takes 1 GB. Before calamine opens a file, the parts it will parse are
therefore decompressed here as a stream, counted and scanned:

* the package: opened through the bounded reader every package reader shares (``package_zip``): at
  most ``MAX_ENTRIES`` entries, no two names equal but for ASCII case (calamine finds parts ignoring
  ASCII case; which of two it would take is not defined);
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

What the checks of a part gave is remembered for the process by the part's stored bytes (``_Checked``):
a folder of workbooks made from one template shares many parts byte for byte, and the same stored bytes
(compared, not taken from a header) need no second look.
"""

from __future__ import annotations

import functools
import re
import zipfile
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import compress
from pathlib import Path
from typing import Any, TypeVar

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from ..errors import InputError
from ..spec.a1 import cell_address, column_index
from . import workbook_macros
from .package_zip import MAX_PARSED_PART, ZipPackage

MAX_PART_BYTES = MAX_PARSED_PART
MAX_SHEET_CELLS = 2_000_000  # about 60 MB in calamine; the template's largest sheet needs 3 000
MAX_ROW = 1_048_576
MAX_COL = 16_384
# the error values python-calamine reads; newer ones (#SPILL!, #CALC!, ...) make it refuse the whole sheet
CALAMINE_ERRORS = frozenset({"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"})

_DTD = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.I)
_ATTRS = rb"((?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)"
# start and end tags of rows and cells, with or without a namespace prefix
_TAG = re.compile(rb"<(/?)(?:[^\s<>/=!?:]+:)?(row|c)(?=[\s/>])" + _ATTRS + rb"\s*(/?)>")
# anything that could be a row or cell tag to a lenient parser: must be as many as _TAG found
_LOOSE = re.compile(rb"<\s*/?\s*(?:[^\s<>/=!?:]+:)?(?:row|c)(?=[\s/>])")
# the plain path (see _plain_cells): what rules it out, every cell start tag, and a plainly written cell
_SPACE_AFTER_LT = re.compile(rb"<\s")
_PREFIXED_CELL = re.compile(rb":c[\s/>]")
# every cell start tag a lenient parser would see once those two are ruled out: (letters, digits, attributes)
# for a plain one, three empty strings for any other
_CELL_STARTS = re.compile(rb'<c(?: r="([A-Za-z]{1,3})([0-9]{1,7})"([^>]*)>|[\s/>])')
_NOT_PLAIN = (b"", b"", b"")
_PLAIN_CELL = re.compile(rb'<c r="([A-Za-z]{1,3})([0-9]{1,7})"([^>]*)>')
_ATTR_LIST = re.compile(rb"(?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s*/?")
_ATTR = re.compile(rb"([^\s=/>]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_CELL_REF = re.compile(rb"([A-Za-z]{1,3})([0-9]{1,7})")
_ROW_REF = re.compile(rb"[0-9]{1,7}")
_VALUE = re.compile(rb"<(?:[^\s<>/=!?:]+:)?v\s*>([^<]{0,64})</(?:[^\s<>/=!?:]+:)?v\s*>")
_CELL_END = re.compile(rb"</(?:[^\s<>/=!?:]+:)?c\s*>")

_SHEETS_END = re.compile(rb"</(?:[^\s<>/=!?:]+:)?sheets\s*>")
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


def _refuse(where: str, message: str) -> InputError:
    return InputError(message, place=where)


T = TypeVar("T")


class _Checked:
    """What the checks of a part gave, by the part's stored (compressed) bytes, for this process.

    A folder of workbooks made from one template shares many parts byte for byte (the workbook part with its
    250 defined names, its relationships, the styles, unchanged sheets). The same stored bytes inflate to the
    same XML, so a part met before needs no second look: its bytes are compared, not trusted by a header.
    Only small parts are kept, the most recently met ones (at most 8 MB of stored bytes in all).
    """

    MAX_STORED = 64 * 1024
    MAX_ENTRIES = 128

    def __init__(self) -> None:
        self.found: OrderedDict[tuple[Any, ...], tuple[Any, bytes]] = OrderedDict()

    def part(self, pkg: ZipPackage, info: zipfile.ZipInfo, what: str, derive: Callable[[bytes], T],
             *key: Any) -> tuple[T, bytes]:
        """(``derive`` of the part checked by :func:`_read_xml`, its first bytes) — or what they were for the
        same stored bytes before. ``key`` says what else ``derive`` depends on (the area of a sheet).

        What is derived is part of the key: two parts with the same bytes (two parts truncated to nothing, in
        one damaged file) are not the same answer when one is the workbook part and the other the styles.
        """
        stored = pkg.stored(info)
        memo = None
        if stored is not None and len(stored) <= self.MAX_STORED:
            derivation = getattr(derive, "func", derive)  # a partial's function: its other arguments are messages
            memo = (derivation, info.compress_type, info.file_size, info.CRC, stored, *key)
            found = self.found.get(memo)
            if found is not None:
                self.found.move_to_end(memo)
                return found
        data = _read_xml(pkg, info, what, stored)
        result = (derive(data), data[: workbook_macros.HEAD])
        if memo is not None:
            self.found[memo] = result
            if len(self.found) > self.MAX_ENTRIES:
                self.found.popitem(last=False)
        return result


_CHECKED = _Checked()


def forget_checked() -> None:
    """Forget the parts checked so far: the next files are checked part by part (for measurements and tests)."""
    _CHECKED.found.clear()


def _read_xml(pkg: ZipPackage, info: zipfile.ZipInfo, what: str, stored: bytes | None = None) -> bytes:
    """A part calamine parses: bounded, in an ASCII-compatible encoding, and without a DTD."""
    data = pkg.read(info, MAX_PART_BYTES, what, stored)
    label = f"{what}（{info.filename}）" if what != info.filename else info.filename
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or data.find(b"\x00", 0, 4096) >= 0:
        raise pkg.refuse(f"{label}：不是 UTF-8 编码的 XML（Excel、WPS、LibreOffice 都写 UTF-8），"
                         "文件可能被篡改，未读取。")
    if _DTD.search(data):
        raise pkg.refuse(f"{label}：含有 DTD（<!DOCTYPE>/<!ENTITY>）声明：Excel 从不写入，"
                         "这是构造的文件（可能是“XML 炸弹”），未读取。")
    return data


def _sheet_parts(pkg: ZipPackage, where: str, wanted: set[str]) -> tuple[dict[str, zipfile.ZipInfo], bytes]:
    """The part of each wanted sheet, found the way calamine finds it (relative to ``xl/``); the start of
    workbook.xml (for the macro remark)."""
    book_info, rels_info = pkg.find(_BOOK), pkg.find(_BOOK_RELS)
    if book_info is None or rels_info is None:
        return {}, b""  # calamine finds no sheets either: the reader reports them missing
    targets, _ = _CHECKED.part(pkg, rels_info, rels_info.filename,
                               functools.partial(_rel_targets, where=where, label=rels_info.filename))
    sheets, book_head = _CHECKED.part(pkg, book_info, book_info.filename,
                                      functools.partial(_book_sheets, where=where, label=book_info.filename))
    found: dict[str, zipfile.ZipInfo] = {}
    for name, rid in sheets:
        if name not in wanted or name in found or rid is None:
            continue
        target = targets.get(rid, "")
        path = target[1:] if target.startswith("/xl/") else target if target.startswith("xl/") else f"xl/{target}"
        info = pkg.find(path)
        if info is not None:
            found[name] = info
    return found, book_head


def _rel_targets(data: bytes, *, where: str, label: str) -> dict[str, str]:
    """Relationship id -> target, the first of each id (as calamine takes it)."""
    targets: dict[str, str] = {}
    for attrib in _elements(data, "Relationship", where, label):
        rid = attrib.get("Id")
        if rid is not None:
            targets.setdefault(rid, attrib.get("Target") or "")
    return targets


def _book_sheets(data: bytes, *, where: str, label: str) -> tuple[tuple[str | None, str | None], ...]:
    """(name, relationship id) of every sheet workbook.xml lists."""
    return tuple((a.get("name"), a.get(f"{_REL_NS}}}id")) for a in _elements(data, "sheet", where, label,
                                                                               until=_SHEETS_END))


class _Target:
    """What defusedxml's parser is given to parse into: nothing (its element handler is replaced, see below)."""

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        pass

    def close(self) -> None:
        pass


def _elements(data: bytes, local: str, where: str, label: str, until: re.Pattern[bytes] | None = None
              ) -> list[dict[str, str]]:
    """The attributes of every element named ``local`` in a part, parsed for real, no element built.

    The parser is defusedxml's, with its refusals of DTDs, entity declarations and external references in
    place on expat; only its per-element handler is replaced by one that keeps the wanted attributes (names
    as expat gives them: ``namespace}name``), because building elements costs far more than parsing does.
    With ``until``, the parse stops at the end of the first match: workbook.xml is read up to the end of
    ``<sheets>``, because the defined names after it (the template has about 250) cost most of the parse
    and tell the guard nothing. Stopping early lets no sheet through unscanned: a sheet the parser did not
    reach is one the guard has no scan of, and the reader refuses to read it.
    """
    end = until.search(data) if until is not None else None
    found: list[dict[str, str]] = []
    suffix = "}" + local

    def start(name: str, attrs: list[str]) -> None:
        if name == local or name.endswith(suffix):
            found.append(dict(zip(attrs[::2], attrs[1::2], strict=True)))

    parser = DefusedXMLParser(target=_Target(), forbid_dtd=True)
    parser.parser.StartElementHandler = start  # ordered attributes: [name, value, name, value, …]
    try:
        parser.feed(data[: end.end()] if end else data)
        if end is None:
            parser.close()
    except (ParseError, DefusedXmlException, ValueError):
        raise _refuse(where, f"{label}：不是有效的 XML，文件已损坏。") from None
    return found


def _attrs(raw: bytes) -> dict[bytes, bytes]:
    out: dict[bytes, bytes] = {}
    for a in _ATTR.finditer(raw):
        out.setdefault(a.group(1), a.group(2) if a.group(2) is not None else a.group(3))
    return out


def scan_sheet(data: bytes, area: tuple[int, int], sheet: str, where: str, *, fast: bool = True) -> SheetScan:
    """Extent and error values of one worksheet part, positions counted as calamine counts them.

    Every writer we know writes each cell as ``<c r="A1" …>``: then a cell's position is its ``r`` alone
    and the extent comes from the addresses of the cells with content, found in one pass over the part
    (the plain path). Any other sheet takes the general path, which counts positions through rows and
    cells as calamine does. Both give the same answer where both apply (a property test holds them to it).
    """
    if fast:
        plain = _plain_cells(data)
        if plain is not None:
            return _scan_plain(data, *plain, area, sheet, where)
    return _scan_general(data, area, sheet, where)


def _plain_cells(data: bytes) -> tuple[set[bytes], set[bytes], bool] | None:
    """The column letters and the row digits seen among the cells with content, and whether any of them is
    an error value; None unless every cell tag is plainly ``<c r="A1" …>``.

    Plain means: no name prefix on a cell and no space after ``<`` anywhere (so the tags a lenient parser
    could take for cells are exactly those that start ``<c`` and a space, ``/`` or ``>``), every one of them
    starting ``<c r="``, and each attribute text a well-formed list of quoted attributes: then the first
    ``>`` after it ends the tag, and a ``/`` before that ``>`` is what makes the cell empty. Each distinct
    attribute text is looked at once (a sheet repeats a few dozen); the cells themselves only in C.
    """
    if _SPACE_AFTER_LT.search(data) or _PREFIXED_CELL.search(data):
        return None
    tags = _CELL_STARTS.findall(data)
    if not tags:
        return set(), set(), False
    if _NOT_PLAIN in tags:
        return None
    letters, digits, rests = zip(*tags, strict=True)
    has_content: dict[bytes, bool] = {}
    error = False
    for rest in set(rests):
        if not _ATTR_LIST.fullmatch(rest):
            return None
        has_content[rest] = not rest.endswith(b"/")
        if has_content[rest] and (b'"e"' in rest or b"'e'" in rest) and _attrs(rest).get(b"t") == b"e":
            error = True
    chosen = list(map(has_content.__getitem__, rests))
    return set(compress(letters, chosen)), set(compress(digits, chosen)), error


def _scan_plain(data: bytes, letters: set[bytes], digits: set[bytes], errors: bool, area: tuple[int, int],
                sheet: str, where: str) -> SheetScan:
    """The extent from the addresses of the cells with content; the exact walk where it has to say more."""
    if not letters:
        return SheetScan()
    rows = set(map(int, digits))
    last_row, last_col = max(rows), max(map(_column, letters))
    in_range = min(rows) >= 1 and last_row <= MAX_ROW and last_col <= MAX_COL
    if errors or not in_range or last_row * last_col > MAX_SHEET_CELLS:
        return _walk_plain(data, area, sheet, where)  # names the farthest cell, reads the error values
    return SheetScan(last_row, last_col)


@functools.lru_cache(maxsize=4096)
def _column(letters: bytes) -> int:
    return column_index(letters.decode("ascii"))


def _walk_plain(data: bytes, area: tuple[int, int], sheet: str, where: str) -> SheetScan:
    """Cell by cell in document order, as calamine meets them: refused as soon as the extent is too large."""
    extent = _Extent(data, area, sheet, where)
    for m in _PLAIN_CELL.finditer(data):
        rest = m.group(3)
        if not rest.endswith(b"/"):
            r1, c1 = extent.position(m.group(1), m.group(2))
            extent.add(r1, c1, _attrs(rest).get(b"t") == b"e", m.end())
    return extent.scan


def _scan_general(data: bytes, area: tuple[int, int], sheet: str, where: str) -> SheetScan:
    """Positions through rows and cells as calamine counts them: ``r`` where given, else one after the last."""
    tags = list(_TAG.finditer(data))
    if len(_LOOSE.findall(data)) != len(tags):
        raise _refuse(where, f"工作表“{sheet}”中有无法确定位置的单元格标记，文件可能已损坏或被篡改，未读取。")
    extent = _Extent(data, area, sheet, where)
    row = col = 0  # 0-based, as calamine keeps them
    for m in tags:
        closing, name, attrs, empty = m.group(1), m.group(2), m.group(3), m.group(4)
        if name == b"row":
            if not closing:
                row = _row_start(attrs, row, sheet, where)
            if closing or empty:
                row, col = row + 1, 0
            continue
        if closing:
            continue
        a = _attrs(attrs)
        ref = a.get(b"r")
        if ref is not None:
            r1, c1 = _cell_position(extent, ref, sheet, where)
            col = c1 - 1
        else:
            r1, c1 = row + 1, col + 1
        col += 1
        if not empty:  # a cell without content is left out of calamine's rectangle
            extent.add(r1, c1, a.get(b"t") == b"e", m.end())
    return extent.scan


def _row_start(attrs: bytes, row: int, sheet: str, where: str) -> int:
    """The 0-based row a ``<row>`` start tag moves to: its ``r``, or where the rows had got to."""
    r = _attrs(attrs).get(b"r")
    if r is None:
        return row
    if not _ROW_REF.fullmatch(r) or not 1 <= int(r) <= MAX_ROW:
        raise _refuse(where, f"工作表“{sheet}”中的行号“{r.decode('utf-8', 'replace')[:20]}”无效，"
                             "文件可能已损坏，未读取。")
    return int(r) - 1


def _cell_position(extent: _Extent, ref: bytes, sheet: str, where: str) -> tuple[int, int]:
    cm = _CELL_REF.fullmatch(ref)
    if not cm:
        raise _refuse(where, f"工作表“{sheet}”中的单元格地址“{ref.decode('utf-8', 'replace')[:20]}”无效，"
                             "文件可能已损坏，未读取。")
    return extent.position(cm.group(1), cm.group(2))


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
    where = str(path)
    with ZipPackage.open(Path(path), functools.partial(_refuse, where)) as pkg:
        for name in _SHARED:
            info = pkg.find(name)
            if info is not None:
                _CHECKED.part(pkg, info, info.filename, _nothing)
        scans = {}
        parts, book_head = _sheet_parts(pkg, where, set(areas))
        heads = {workbook_macros.BOOK_PART: book_head}
        for sheet, info in parts.items():
            scan = functools.partial(scan_sheet, area=areas[sheet], sheet=sheet, where=where)
            found, heads[info.filename] = _CHECKED.part(pkg, info, f"工作表“{sheet}”", scan, areas[sheet])
            scans[sheet] = SheetScan(found.rows, found.cols, dict(found.errors), dict(found.unknown_errors))
        _note_code_names(pkg, heads)
    return scans


def _nothing(_data: bytes) -> None:
    return None


def _note_code_names(pkg: ZipPackage, heads: Mapping[str, bytes]) -> None:
    """Leave the macro remark's answer for this file (``workbook_macros``): most parts it needs are in hand."""
    def head(name: str) -> bytes:
        if name in heads:
            return heads[name]
        info = pkg.find(name)
        if info is None:
            raise KeyError(name)
        return pkg.head(info, workbook_macros.HEAD)

    try:
        verdict = workbook_macros.code_names_lost([i.filename for i in pkg.infos], head)
    except (KeyError, InputError):
        return  # the remark reads the file itself, and finds nothing to say either
    workbook_macros.remember(pkg.identity(), verdict)

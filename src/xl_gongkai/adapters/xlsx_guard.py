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
import operator
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
# the plain path (see _plain_cells): what rules it out, a space after "<" or a cell tag with a name prefix (two
# expressions, each starting with its literal, search far faster than one that has either)
_SPACE_AFTER_LT = re.compile(rb"<\s")
_PREFIXED_CELL = re.compile(rb":c[\s/>]")
# a cell start tag that is not '<c r="': "<c" then "/", ">" or a blank other than a space, or "<c " then anything
# but 'r="' (one search for what was a search and two counts)
_OTHER_CELL_START = re.compile(rb'<c(?:[/>\t\n\r\f\v]| (?!r="))')
# quoted attributes as a plain cell writes them: no ">" inside, so the first ">" ends the tag
_PLAIN_ATTRS = rb"(?:\s+[^\s=/>]+\s*=\s*(?:\"[^\">]*\"|'[^'>]*'))*"
# every cell start tag a lenient parser would see once those are ruled out: (letters, digits, "/" when empty)
# for a plainly written one, three empty strings for any other
_CELL_STARTS = re.compile(rb'<c(?: r="([A-Za-z]{1,3})([0-9]{1,7})"' + _PLAIN_ATTRS + rb"\s*(/?)>|[\s/>])")
_NOT_PLAIN = (b"", b"", b"")
_PLAIN_CELL = re.compile(rb'<c r="([A-Za-z]{1,3})([0-9]{1,7})"([^>]*)>')
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
    # with a watch (column, first row): whether a cell of that column at or below that row holds something
    watched: bool = False


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
    if b"<!" in data and _DTD.search(data):  # a declaration starts "<!": most parts have none at all
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


def scan_sheet(data: bytes, area: tuple[int, int], sheet: str, where: str, *, fast: bool = True,
               watch: tuple[int, int] | None = None) -> SheetScan:
    """Extent and error values of one worksheet part, positions counted as calamine counts them.

    Every writer we know writes each cell as ``<c r="A1" …>``: then a cell's position is its ``r`` alone
    and the extent comes from the addresses of the cells with content, found in one pass over the part
    (the plain path). Any other sheet takes the general path, which counts positions through rows and
    cells as calamine does. Both give the same answer where both apply (a property test holds them to it).

    ``watch`` (column, first row), both 1-based: say whether any cell of that column from that row down holds
    something (``SheetScan.watched``) — the reader then knows whether the sheet is worth reading at all.
    """
    if fast:
        plain = _plain_cells(data)
        if plain is not None:
            found = _scan_plain(data, *plain, area, sheet, where, watch)
            if watch is not None and not found.watched:
                found.watched = _watched_plain(data, watch)
            return found
    return _scan_general(data, area, sheet, where, watch)


def _watched_plain(data: bytes, watch: tuple[int, int]) -> bool:
    """Whether a plainly written cell (``<c r="E12" …>`` with content) of the watched column lies at or below its
    first row; on the plain path every cell is written so, in any case of the column's letters."""
    found = _watched_cells(data, watch[0])
    return any(not empty and int(row) >= watch[1] for row, empty in found)


def _watched_cells(data: bytes, column: int) -> list[tuple[bytes, bytes]]:
    """(row digits, "/" when empty) of the plainly written cells of one column, in any case of its letters."""
    return _column_cells(column)[1].findall(data)


@functools.lru_cache(maxsize=16)
def _column_cells(column: int) -> tuple[bytes, re.Pattern[bytes]]:
    """A column's letters, and the expression that finds its plainly written cells (in either case)."""
    letters = cell_address(1, column)[:-1].encode("ascii")
    cased = b"".join(b"[" + bytes([c]) + bytes([c]).lower() + b"]" for c in letters)
    return letters, re.compile(rb'<c r="' + cased + rb'([0-9]{1,7})"' + _PLAIN_ATTRS + rb"\s*(/?)>")


def _nothing_watched(data: bytes, watch: tuple[int, int]) -> bool:
    """True only when the sheet is plainly written and no cell of the watched column holds anything from its
    first row down; in any doubt False. Bytes counted and searched in C, no cell looked at in Python but
    the watched column's.

    Plainly written as :func:`_plain_cells` means it — no space after ``<``, no prefixed cell tag, every cell
    start tag ``<c r="`` — and every tag that starts with the column's letters a well-formed cell of that very
    column (a column whose letters begin the same, EA after E, makes the counts differ: in doubt).
    """
    column, first = watch
    if not _plainly_written(data):
        return False
    letters = _column_cells(column)[0]
    starts = data.count(b'<c r="' + letters[:1]) + data.count(b'<c r="' + letters[:1].lower())
    found = _watched_cells(data, column)
    return len(found) == starts and all(empty or int(row) < first for row, empty in found)


def _plainly_written(data: bytes) -> bool:
    """Every cell start tag is ``<c r="`` (no space after ``<``, no prefixed cell tag, no other start of a cell
    tag): then each cell's position is its ``r``. Counted and searched in C."""
    return not (_SPACE_AFTER_LT.search(data) or _PREFIXED_CELL.search(data) or _OTHER_CELL_START.search(data))


def _plain_cells(data: bytes) -> tuple[set[bytes], set[bytes], bool] | None:
    """The column letters and the row digits seen among the cells with content, and whether any of them may
    be an error value; None unless every cell tag is plainly ``<c r="A1" …>``.

    Plain means: no name prefix on a cell and no space after ``<`` anywhere (so the tags a lenient parser
    could take for cells are exactly those that start ``<c`` and a space, ``/`` or ``>``), every one of them
    starting ``<c r="``, and its attributes a well-formed list of quoted attributes without a ``>`` inside:
    then the first ``>`` ends the tag, and a ``/`` before it is what makes the cell empty. One regular
    expression finds every cell tag and says which it is; the cells themselves are only handled in C. An
    error value needs ``t="e"``: where ``"e"`` occurs at all, the caller walks the cells to read them.
    """
    if _SPACE_AFTER_LT.search(data) or _PREFIXED_CELL.search(data):
        return None
    tags = _CELL_STARTS.findall(data)
    if not tags:
        return set(), set(), False
    if _NOT_PLAIN in tags:
        return None
    content = list(compress(tags, map(operator.not_, map(operator.itemgetter(2), tags))))
    if not content:
        return set(), set(), False
    letters, digits, _ = zip(*content, strict=True)
    return set(letters), set(digits), b'"e"' in data or b"'e'" in data


def _scan_plain(data: bytes, letters: set[bytes], digits: set[bytes], errors: bool, area: tuple[int, int],
                sheet: str, where: str, watch: tuple[int, int] | None = None) -> SheetScan:
    """The extent from the addresses of the cells with content; the exact walk where it has to say more."""
    if not letters:
        return SheetScan()
    rows = set(map(int, digits))
    last_row, last_col = max(rows), max(map(_column, letters))
    in_range = min(rows) >= 1 and last_row <= MAX_ROW and last_col <= MAX_COL
    if errors or not in_range or last_row * last_col > MAX_SHEET_CELLS:
        return _walk_plain(data, area, sheet, where, watch)  # names the farthest cell, reads the error values
    return SheetScan(last_row, last_col)


@functools.lru_cache(maxsize=4096)
def _column(letters: bytes) -> int:
    return column_index(letters.decode("ascii"))


def _walk_plain(data: bytes, area: tuple[int, int], sheet: str, where: str,
                watch: tuple[int, int] | None = None) -> SheetScan:
    """Cell by cell in document order, as calamine meets them: refused as soon as the extent is too large."""
    extent = _Extent(data, area, sheet, where, watch)
    for m in _PLAIN_CELL.finditer(data):
        rest = m.group(3)
        if not rest.endswith(b"/"):
            r1, c1 = extent.position(m.group(1), m.group(2))
            extent.add(r1, c1, _attrs(rest).get(b"t") == b"e", m.end())
    return extent.scan


def _scan_general(data: bytes, area: tuple[int, int], sheet: str, where: str,
                  watch: tuple[int, int] | None = None) -> SheetScan:
    """Positions through rows and cells as calamine counts them: ``r`` where given, else one after the last."""
    tags = list(_TAG.finditer(data))
    if len(_LOOSE.findall(data)) != len(tags):
        raise _refuse(where, f"工作表“{sheet}”中有无法确定位置的单元格标记，文件可能已损坏或被篡改，未读取。")
    extent = _Extent(data, area, sheet, where, watch)
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

    def __init__(self, data: bytes, area: tuple[int, int], sheet: str, where: str,
                 watch: tuple[int, int] | None = None) -> None:
        self.data, self.area, self.sheet, self.where, self.watch = data, area, sheet, where, watch
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
        if self.watch is not None and c1 == self.watch[0] and r1 >= self.watch[1]:
            scan.watched = True
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


def inspect_package(path: str | Path, areas: Mapping[str, tuple[int, int]],
                    watch: Mapping[str, tuple[int, int]] | None = None) -> dict[str, SheetScan]:
    """Check a workbook file before calamine reads it; the scan of each sheet in ``areas`` that it has.

    ``areas`` maps a sheet name to the (rows, columns) from A1 that will be read: error values are
    collected there. ``watch`` maps a sheet to a (column, first row) to look out for (``scan_sheet``).
    Every refusal is an :class:`InputError` that names the file and the part or sheet.
    """
    watch = watch or {}
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
            looking = watch.get(sheet)
            scan: Callable[[bytes], SheetScan] = (
                functools.partial(scan_bounded, area=areas[sheet], sheet=sheet, where=where) if looking is None
                else functools.partial(_scan_watched, area=areas[sheet], sheet=sheet, where=where, watch=looking))
            found, heads[info.filename] = _CHECKED.part(pkg, info, f"工作表“{sheet}”", scan, areas[sheet], looking)
            scans[sheet] = SheetScan(found.rows, found.cols, dict(found.errors), dict(found.unknown_errors),
                                     found.watched)
        _note_code_names(pkg, heads)
    return scans


def sheet_list(path: str | Path) -> list[str]:
    """The names of the sheets workbook.xml lists, in order, read through the same bounded package reader and
    parser as every part (for a workbook that is no template: its sheets are then read by name)."""
    where = str(path)
    with ZipPackage.open(Path(path), functools.partial(_refuse, where)) as pkg:
        info = pkg.find(_BOOK)
        if info is None:
            return []
        sheets, _ = _CHECKED.part(pkg, info, info.filename, functools.partial(_book_sheets, where=where,
                                                                            label=info.filename))
    return [name for name, _ in sheets if name]


def _scan_watched(data: bytes, area: tuple[int, int], sheet: str, where: str, *,
                  watch: tuple[int, int]) -> SheetScan:
    """A watched sheet: when surely nothing is in the watched column, that alone (the reader leaves the sheet
    unread, so its extent and error values do not matter); otherwise the whole scan."""
    if _nothing_watched(data, watch):
        return SheetScan()
    return scan_sheet(data, area, sheet, where, watch=watch)


# what bounds the extent of a plainly written sheet by the addresses' lengths alone (``scan_bounded``): a cell
# address that is not letters and a row from 1 (``<c r="A0"``, ``<c r="A1B"``), and the longest column letters
# and row digits any cell has
_ODD_ADDRESS = re.compile(rb'<c r="(?![A-Za-z]{1,3}[1-9][0-9]{0,6}")')
# a cell start tag that is not '<c r="' with one letter and a row from 1 to 999 (see ``scan_bounded``)
_NOT_SMALL_PLAIN = re.compile(rb'<c(?:[/>\t\n\r\f\v]| (?!r="[A-Za-z][1-9][0-9]{0,2}"))')
# (a third letter passes column 702, and 703 columns of 999 rows are past MAX_SHEET_CELLS: the exact scan decides)
_COLUMN_LETTERS = ((re.compile(rb'<c r="[A-Za-z]{3}'), MAX_COL), (re.compile(rb'<c r="[A-Za-z]{2}'), 702))
_ROW_DIGITS = ((re.compile(rb'<c r="[A-Za-z]{1,3}[0-9]{5}'), MAX_ROW),
               (re.compile(rb'<c r="[A-Za-z]{1,3}[0-9]{4}'), 9_999))


def scan_bounded(data: bytes, area: tuple[int, int], sheet: str, where: str) -> SheetScan:
    """An unwatched sheet: when it is plainly written (``_plainly_written``), holds no error value, and the
    longest column letters and row digits of its cells' addresses bound the rectangle within MAX_SHEET_CELLS
    (one letter and four digits: 26 × 9 999; two letters and three digits: 702 × 999), that is all the guard needs
    to know — each a search in C, no cell made a Python object. ``rows`` and ``cols`` are then those bounds, not
    the extent (nothing reads them but the refusal, which this never is). Otherwise the exact scan.

    Most sheets of a clerk's file are small (the template's reach A1:O403): one search (``_NOT_SMALL_PLAIN``) says at
    once that every cell tag is ``<c r="`` with one letter and a row below 1 000 — plainly written, 26 × 999 — in
    place of the four that tell the other bounds apart; any other sheet goes on to them."""
    if b'"e"' in data or b"'e'" in data:
        return scan_sheet(data, area, sheet, where)
    if not (_SPACE_AFTER_LT.search(data) or _PREFIXED_CELL.search(data) or _NOT_SMALL_PLAIN.search(data)):
        return SheetScan(999, 26)
    if _plainly_written(data) and not _ODD_ADDRESS.search(data):
        cols = next((n for found, n in _COLUMN_LETTERS if found.search(data)), 26)
        rows = next((n for found, n in _ROW_DIGITS if found.search(data)), 999)
        if rows * cols <= MAX_SHEET_CELLS:
            return SheetScan(rows, cols)
    return scan_sheet(data, area, sheet, where)


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

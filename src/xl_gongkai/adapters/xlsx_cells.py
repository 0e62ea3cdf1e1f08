"""Change a few cells of an .xlsx/.xlsm package and leave every other byte of it alone.

Why not openpyxl: a load/save round trip drops the ribbon (customUI) relationship and the x14
extensions (data validations referring to other sheets, sparklines, ...), renumbers styles and
rewrites every part. The template and the clerks' workbooks carry all of that, so the package is
edited surgically instead:

* the sheet's part is found through ``workbook.xml`` and its relationships (small parts, parsed with
  defusedxml; relationship targets may be relative or absolute);
* in that worksheet part only the target ``<c>`` elements are spliced as text, plus, where a cell has
  to be created, its ``<row>`` start tag (``spans``) and the ``<dimension ref>``; the edited part is
  then parsed again with defusedxml and every edited cell is checked, so a splice that went wrong is
  refused instead of written;
* every other zip entry keeps its name, order, timestamp, compression method, attributes, comment and
  uncompressed bytes.

Choices, each for the stated reason:

* New elements take the namespace prefix of the element they go into (``<x:c>`` inside ``<x:row>``,
  a new ``<x:row>`` inside ``<x:sheetData>``): that prefix is bound there for certain. Where ``r`` is
  left out, positions are counted as the spec says; a new cell or row always gets its ``r``.
* A cell keeps its style (``s``) and ``ph``; ``t``, ``cm`` and ``vm`` are dropped with the old value
  (``cm``/``vm`` point at metadata describing that value: dynamic arrays, rich values), and so are
  ``<f>``, ``<v>``, ``<is>`` and ``extLst``.
* Text is written as an inline string: adding to ``sharedStrings.xml`` would rewrite a shared part
  (and its counts); Excel converts inline strings to shared ones on its next save. Text follows Excel's
  ``ST_Xstring`` escaping (control characters as ``_xHHHH_``, a literal ``_xHHHH_`` guarded by
  ``_x005F``), as Excel and XlsxWriter write it.
* ``""`` is written as a blank cell, the same as ``None``: a zero-length text constant looks blank but
  is counted by COUNTA and fails ISBLANK, which is never what a clerk means.
* A blank (``None``) for a cell that does not exist writes nothing: the cell is already blank.
* Numbers that a double cannot hold exactly (integers beyond 2**53), NaN and infinities are refused
  rather than silently changed.
* When a formula is overwritten, Excel's calculation chain would name a cell without a formula (Excel
  then reports the file as corrupt and "repairs" it). The whole ``calcChain`` part is removed, with
  its relationship and its ``[Content_Types].xml`` override: Excel rebuilds the chain silently, and a
  single path is easier to trust than editing entries (which inherit the sheet id ``i`` from the entry
  before them, and the part may not be left empty).
* Refused instead of guessed (``WorkbookFormatError``): the master cell of a shared formula (the other
  cells of the group would lose their formula), any cell of a multi-cell array formula or data table,
  rows or cells out of order, duplicates, unknown elements inside ``sheetData``.
* Zip entries are recompressed with deflate level 6 (stored ones stay stored), so the same input and
  edits always give the same bytes. Entry names that are absolute or contain ``..``, encrypted
  entries, too many entries, and more than :data:`MAX_PART_SIZE` per part or :data:`MAX_TOTAL_SIZE`
  in all (uncompressed) are refused before anything is decompressed beyond the limit.
"""

from __future__ import annotations

import bisect
import io
import math
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import unquote
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError
from defusedxml.ElementTree import fromstring as _safe_fromstring

CellValue = int | float | str | None

MAX_TOTAL_SIZE = 200 * 1024 * 1024
MAX_PART_SIZE = 100 * 1024 * 1024
MAX_ENTRIES = 10_000
MAX_ROW = 1_048_576
MAX_COL = 16_384
MAX_TEXT = 32_767  # Excel's limit for the text of one cell
DEFLATE_LEVEL = 6

_CONTENT_TYPES = "[Content_Types].xml"
_DEFAULT_WORKBOOK = "xl/workbook.xml"
_CHUNK = 1 << 20


class WorkbookFormatError(Exception):
    """The package cannot be edited safely; the message (Chinese) names the sheet, cell or part."""


# --------------------------------------------------------------------------------------------------
# values
# --------------------------------------------------------------------------------------------------

_ADDRESS = re.compile(r"^([A-Z]{1,3})([1-9][0-9]{0,6})$")
_CELL_REF = re.compile(r"^\s*([A-Za-z]{1,3})([0-9]{1,7})\s*$")
_XSTRING_LITERAL = re.compile(r"(_x[0-9A-Fa-f]{4}_)")
_XSTRING_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class _Value:
    """A value as it goes into the XML: ``kind`` is "n" (number), "s" (text) or "blank"."""

    kind: str
    text: str = ""  # the number as written, or the text after ST_Xstring escaping (before XML escaping)


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n


def _column_letters(index: int) -> str:
    out = ""
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def _address(row: int, col: int) -> str:
    return f"{_column_letters(col)}{row}"


def _parse_address(sheet: str, address: object) -> tuple[int, int]:
    """(row, col) of an A1 address given by the caller; anything else is the caller's mistake."""
    m = _ADDRESS.match(address) if isinstance(address, str) else None
    if not m:
        raise ValueError(f"工作表“{sheet}”：单元格地址 {address!r} 不是 A1 格式（如 J5）。")
    row, col = int(m.group(2)), _column_index(m.group(1))
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


def _prepare(sheet: str, address: str, value: object) -> _Value:
    if value is None:
        return _Value("blank")
    place = f"工作表“{sheet}”单元格 {address}"
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise TypeError(f"{place}：不支持的值类型 {type(value).__name__}（应为数字、文本或 None）。")
    if isinstance(value, str):
        if value == "":
            return _Value("blank")
        try:
            units = len(value.encode("utf-16-le")) // 2  # Excel counts UTF-16 code units
        except UnicodeEncodeError:
            raise ValueError(f"{place}：文本含有无法编码的字符。") from None
        if units > MAX_TEXT:
            raise ValueError(f"{place}：文本长 {units} 字，超过 Excel 单元格上限 {MAX_TEXT} 字。")
        escaped = _XSTRING_LITERAL.sub(r"_x005F\1", value)
        escaped = _XSTRING_CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", escaped)
        return _Value("s", escaped)
    try:
        return _Value("n", _number_text(value))
    except ValueError as exc:
        raise ValueError(f"{place}：{exc}") from None


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cell_xml(prefix: str, address: str, kept_attrs: list[str], value: _Value) -> str:
    attrs = "".join(f" {a}" for a in kept_attrs)
    p = prefix
    if value.kind == "blank":
        return f'<{p}c r="{address}"{attrs}/>'
    if value.kind == "n":
        return f'<{p}c r="{address}"{attrs}><{p}v>{value.text}</{p}v></{p}c>'
    text = value.text
    space = ' xml:space="preserve"' if text != text.strip() or "\n" in text or "\t" in text else ""
    return f'<{p}c r="{address}"{attrs} t="inlineStr"><{p}is><{p}t{space}>{_xml_text(text)}</{p}t></{p}is></{p}c>'


# --------------------------------------------------------------------------------------------------
# a tokenizer for spliceable XML: every tag with its offsets, nothing built
# --------------------------------------------------------------------------------------------------

# One token per "<": a comment, CDATA, a processing instruction, an end tag, a start/empty tag (attribute
# values may hold ">"), or, as the last resort, a bare "<" (a DOCTYPE or malformed markup: refused).
_TOKEN = re.compile(
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
_ATTR = re.compile(r"([^\s=/>]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_ENTITY = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|lt|gt|amp|quot|apos);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_SPANS = re.compile(r"(\sspans\s*=\s*)(\"[^\"]*\"|'[^']*')")


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
class _Attr:
    name: str
    value: str  # unescaped
    raw: str  # as written, e.g. s="7"
    value_start: int  # offsets of the raw value (inside the quotes) in the whole document
    value_end: int


def _attrs(m: re.Match[str]) -> list[_Attr]:
    base = m.start("attrs")
    out = []
    for a in _ATTR.finditer(m.group("attrs")):
        group = 2 if a.group(2) is not None else 3
        out.append(_Attr(a.group(1), _unescape(a.group(group)), a.group(0), base + a.start(group), base + a.end(group)))
    return out


def _attr(m: re.Match[str], name: str) -> str | None:
    """One attribute's value, without building the whole list (the hot path over every row)."""
    text = m.group("attrs")
    if name not in text:
        return None
    for a in _ATTR.finditer(text):
        if a.group(1) == name:
            return _unescape(a.group(2) if a.group(2) is not None else a.group(3))
    return None


def _local(qname: str) -> str:
    return qname.rpartition(":")[2]


def _prefix(qname: str) -> str:
    head, sep, _ = qname.rpartition(":")
    return f"{head}{sep}"


def _bad_markup(where: str, text: str, pos: int) -> WorkbookFormatError:
    snippet = text[pos : pos + 40].replace("\n", " ")
    return WorkbookFormatError(f"{where}：无法解析的 XML 标记（位置 {pos}：{snippet!r}），文件可能已损坏。")


# --------------------------------------------------------------------------------------------------
# worksheet scan
# --------------------------------------------------------------------------------------------------


@dataclass
class _Cell:
    col: int
    start: int
    end: int
    prefix: str
    attrs: list[_Attr]
    has_formula: bool = False
    shared_master: bool = False


@dataclass
class _Row:
    num: int
    start: int
    tag: str  # the start tag as written
    tag_end: int
    self_closing: bool
    prefix: str
    end: int = -1
    append_pos: int = -1  # where a cell after the last one goes: before extLst, else before </row>
    cells: list[_Cell] = field(default_factory=list)


@dataclass
class _Scan:
    sd_start: int
    sd_tag: str
    sd_tag_end: int
    sd_self_closing: bool
    sd_prefix: str
    sd_close: int = -1  # start of </sheetData>
    sd_end: int = -1
    row_nums: list[int] = field(default_factory=list)
    row_starts: list[int] = field(default_factory=list)
    rows: dict[int, _Row] = field(default_factory=dict)  # only the rows that hold targets
    row_count: int = 0
    cell_count: int = 0
    blocked: list[tuple[int, int, int, int, str]] = field(default_factory=list)  # multi-cell array ranges
    dimension: _Attr | None = None


def _range_bounds(ref: str) -> tuple[int, int, int, int] | None:
    """(row1, col1, row2, col2) of ``A1`` or ``A1:C3``; None for anything else (whole columns, lists)."""
    first, _, last = ref.partition(":")
    a = _CELL_REF.match(first)
    b = _CELL_REF.match(last or first)
    if not a or not b:
        return None
    r1, c1 = int(a.group(2)), _column_index(a.group(1))
    r2, c2 = int(b.group(2)), _column_index(b.group(1))
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def _scan_sheet(text: str, target_rows: set[int], where: str) -> _Scan:
    """Offsets of sheetData, of every row, and of every cell in the rows that hold targets.

    Positions follow the spec when ``r`` is omitted: a row is the one after the previous row, a cell
    the column after the previous cell. Anything that makes a position uncertain is refused.
    """
    depth = 0
    scan: _Scan | None = None
    dimension: _Attr | None = None
    for m in _TOKEN.finditer(text):
        name = m.group("name")
        if name is not None:
            local = _local(name)
            if depth == 0 and local != "worksheet":
                raise WorkbookFormatError(f"{where}：根元素是 <{name}>，不是普通工作表（worksheet）。")
            if depth == 1 and local == "dimension":
                dimension = next((a for a in _attrs(m) if a.name == "ref"), None)
            if depth == 1 and local == "sheetData":
                empty = bool(m.group("empty"))
                scan = _Scan(m.start(), m.group(), m.end(), empty, _prefix(name), dimension=dimension)
                if empty:
                    scan.sd_end = m.end()
                break
            if not m.group("empty"):
                depth += 1
        elif m.group("close") is not None:
            depth -= 1
        elif m.group("comment") is None and m.group("pi") is None and m.group("cdata") is None:
            raise _bad_markup(where, text, m.start())
    if scan is None:
        raise WorkbookFormatError(f"{where}：找不到 <sheetData>，文件可能已损坏。")
    if scan.sd_self_closing:
        return scan

    depth = 0  # 0: children of sheetData (rows), 1: children of a row (cells), 2: children of a cell
    row: _Row | None = None
    cell: _Cell | None = None
    in_cell = False
    prev_row = 0
    prev_col = 0
    after_ext = False
    pos = scan.sd_tag_end
    while (m := _TOKEN.search(text, pos)) is not None:
        pos = m.end()
        name = m.group("name")
        if name is not None:
            empty = bool(m.group("empty"))
            local = _local(name)
            if depth == 0:
                if local != "row":
                    raise WorkbookFormatError(f"{where}：<sheetData> 中出现意外的元素 <{name}>，无法确定单元格位置。")
                r = _attr(m, "r")
                try:
                    num = int(r) if r is not None else prev_row + 1
                except ValueError:
                    raise WorkbookFormatError(f"{where}：行号 r={r!r} 无效。") from None
                if num <= prev_row or num > MAX_ROW:
                    raise WorkbookFormatError(
                        f"{where}：第 {num} 行出现在第 {prev_row} 行之后（行的顺序错乱或重复），无法确定单元格位置。"
                    )
                prev_row, prev_col, after_ext = num, 0, False
                scan.row_nums.append(num)
                scan.row_starts.append(m.start())
                scan.row_count += 1
                row = None
                if num in target_rows:
                    row = _Row(num, m.start(), m.group(), m.end(), empty, _prefix(name))
                    if empty:
                        row.end = m.end()
                    scan.rows[num] = row
                elif not empty and (skipped := _skip_row(text, m.end(), _prefix(name))) is not None:
                    pos, cells = skipped
                    scan.cell_count += cells
                    continue
                if not empty:
                    depth = 1
            elif depth == 1:
                if local == "c":
                    scan.cell_count += 1
                    if after_ext:
                        raise WorkbookFormatError(f"{where}：第 {prev_row} 行的 <extLst> 之后还有单元格。")
                    in_cell = not empty
                    cell = None
                    if row is not None:
                        attrs = _attrs(m)
                        ref = next((a.value for a in attrs if a.name == "r"), None)
                        if ref is None:
                            col = prev_col + 1
                        else:
                            cm = _CELL_REF.match(ref)
                            if not cm or int(cm.group(2)) != row.num:
                                raise WorkbookFormatError(f"{where}：第 {row.num} 行中的单元格 r={ref!r} 不属于该行。")
                            col = _column_index(cm.group(1))
                        if col <= prev_col or col > MAX_COL:
                            raise WorkbookFormatError(
                                f"{where}：第 {row.num} 行的单元格顺序错乱或重复（{_address(row.num, col)}），"
                                "无法确定单元格位置。"
                            )
                        prev_col = col
                        cell = _Cell(col, m.start(), m.end(), _prefix(name), attrs)
                        row.cells.append(cell)
                    if not empty:
                        depth = 2
                elif local == "extLst":
                    after_ext = True
                    if row is not None and row.append_pos < 0:
                        row.append_pos = m.start()
                    if not empty:
                        depth = 2
                else:
                    raise WorkbookFormatError(f"{where}：<row> 中出现意外的元素 <{name}>，无法确定单元格位置。")
            else:
                if depth == 2 and in_cell and local == "f":
                    _note_formula(m, cell, scan)
                if not empty:
                    depth += 1
        elif m.group("close") is not None:
            local = _local(m.group("close"))
            if depth == 0:
                if local != "sheetData":
                    raise _bad_markup(where, text, m.start())
                scan.sd_close = m.start()
                scan.sd_end = m.end()
                return scan
            if depth == 1:
                if local != "row":
                    raise _bad_markup(where, text, m.start())
                if row is not None:
                    row.end = m.end()
                    if row.append_pos < 0:
                        row.append_pos = m.start()
                row = None
            elif depth == 2 and in_cell:
                if local != "c":
                    raise _bad_markup(where, text, m.start())
                if cell is not None:
                    cell.end = m.end()
                in_cell = False
            depth -= 1
        elif m.group("comment") is None and m.group("pi") is None and m.group("cdata") is None:
            raise _bad_markup(where, text, m.start())
    raise WorkbookFormatError(f"{where}：<sheetData> 没有结束标记，文件可能已损坏。")


_ROW_END: dict[str, re.Pattern[str]] = {}
_CELL_START = re.compile(r"<(?:[^\s/>!?:]+:)?c[\s/>]")


def _skip_row(text: str, start: int, prefix: str) -> tuple[int, int] | None:
    """(end of the row, its cell count) for a row without targets, or None to tokenize it after all.

    Why: most rows hold no target, and one search for ``</row>`` is far cheaper than a token per tag.
    It is exact only for plain content: no comment, CDATA or processing instruction (which could hold
    a fake ``</row>``), no extension list (which could hold other ``c`` elements), no nested row, and no
    ``ref`` (an array formula, whose range the scan must record); anything else takes the slow path.
    """
    end_re = _ROW_END.get(prefix)
    if end_re is None:
        end_re = _ROW_END[prefix] = re.compile(rf"</{re.escape(prefix)}row\s*>")
    end = end_re.search(text, start)
    if end is None:
        return None
    body = text[start : end.start()]
    if "<!" in body or "<?" in body or "extLst" in body or "ref" in body or f"<{prefix}row" in body:
        return None
    return end.end(), len(_CELL_START.findall(body))


def _note_formula(m: re.Match[str], cell: _Cell | None, scan: _Scan) -> None:
    """Record what makes a formula cell unsafe to overwrite: shared masters and multi-cell arrays."""
    if cell is not None:
        cell.has_formula = True
    if "ref" not in m.group("attrs"):
        return
    kind = _attr(m, "t")
    ref = _attr(m, "ref")
    if ref is None:
        return
    if kind == "shared" and cell is not None:
        cell.shared_master = True
    if kind in ("array", "dataTable"):
        bounds = _range_bounds(ref)
        if bounds and (bounds[0], bounds[1]) != (bounds[2], bounds[3]):
            scan.blocked.append((*bounds, ref))


# --------------------------------------------------------------------------------------------------
# worksheet edit
# --------------------------------------------------------------------------------------------------

_DROPPED_CELL_ATTRS = frozenset({"r", "t", "cm", "vm"})


@dataclass(frozen=True)
class _Expect:
    """What the edited part must show for one target, checked after a real XML parse."""

    value: _Value
    style: str | None
    present: bool


def _edit_sheet(
    data: bytes, targets: dict[tuple[int, int], _Value], sheet: str, part: str
) -> tuple[bytes, bool]:
    """The worksheet part with the targets written; and whether a formula was overwritten."""
    where = f"工作表“{sheet}”（{part}）"
    text = _decode(data, where)
    scan = _scan_sheet(text, {r for r, _ in targets}, where)

    for (r, c), _ in targets.items():
        for r1, c1, r2, c2, ref in scan.blocked:
            if r1 <= r <= r2 and c1 <= c <= c2:
                raise WorkbookFormatError(
                    f"{where}：单元格 {_address(r, c)} 属于数组公式或模拟运算表区域 {ref}，不能单独改写。"
                )

    splices: list[tuple[int, int, int, str]] = []
    expect: dict[tuple[int, int], _Expect] = {}
    seq = 0
    inserted = 0
    new_rows = 0
    formula_removed = False
    written: list[tuple[int, int]] = []
    new_row_texts: list[str] = []  # only for an empty <sheetData/>

    by_row: dict[int, list[tuple[int, _Value]]] = {}
    for (r, c), v in sorted(targets.items()):
        by_row.setdefault(r, []).append((c, v))

    for r, cells in by_row.items():
        row = scan.rows.get(r)
        if row is None:
            texts = []
            for c, v in cells:
                expect[(r, c)] = _Expect(v, None, v.kind != "blank")
                if v.kind != "blank":
                    texts.append(_cell_xml(scan.sd_prefix, _address(r, c), [], v))
                    written.append((r, c))
            if not texts:
                continue
            p = scan.sd_prefix
            row_text = f'<{p}row r="{r}">{"".join(texts)}</{p}row>'
            inserted += len(texts)
            new_rows += 1
            if scan.sd_self_closing:
                new_row_texts.append(row_text)
            else:
                i = bisect.bisect_right(scan.row_nums, r)
                pos = scan.row_starts[i] if i < len(scan.row_starts) else scan.sd_close
                splices.append((pos, pos, seq, row_text))
                seq += 1
            continue

        existing = {cell.col: cell for cell in row.cells}
        cols = [cell.col for cell in row.cells]
        row_inserts: list[tuple[int, str]] = []
        new_cols: list[int] = []
        for c, v in cells:
            address = _address(r, c)
            cell = existing.get(c)
            if cell is None:
                expect[(r, c)] = _Expect(v, None, v.kind != "blank")
                if v.kind == "blank":
                    continue
                i = bisect.bisect_right(cols, c)
                pos = row.cells[i].start if i < len(row.cells) else row.append_pos
                row_inserts.append((pos, _cell_xml(row.prefix, address, [], v)))
                new_cols.append(c)
                written.append((r, c))
                continue
            if cell.shared_master:
                raise WorkbookFormatError(
                    f"{where}：单元格 {address} 是共享公式的主单元格，改写它会破坏同组其他单元格的公式；"
                    "请在 Excel 中先取消共享（例如重新填充公式）后再试。"
                )
            formula_removed = formula_removed or cell.has_formula
            kept = [a.raw for a in cell.attrs if a.name not in _DROPPED_CELL_ATTRS]
            style = next((a.value for a in cell.attrs if a.name == "s"), None)
            expect[(r, c)] = _Expect(v, style, True)
            splices.append((cell.start, cell.end, seq, _cell_xml(cell.prefix, address, kept, v)))
            seq += 1
            if v.kind != "blank":
                written.append((r, c))
        if not row_inserts:
            continue
        inserted += len(row_inserts)
        tag = _widen_spans(row.tag, new_cols)
        if row.self_closing:
            open_tag = re.sub(r"\s*/>$", ">", tag)
            body = "".join(t for _, t in row_inserts)
            splices.append((row.start, row.end, seq, f"{open_tag}{body}</{row.prefix}row>"))
            seq += 1
            continue
        if tag != row.tag:
            splices.append((row.start, row.tag_end, seq, tag))
            seq += 1
        for pos, t in row_inserts:
            splices.append((pos, pos, seq, t))
            seq += 1

    if new_row_texts:
        open_tag = re.sub(r"\s*/>$", ">", scan.sd_tag)
        close = f"</{scan.sd_prefix}sheetData>"
        splices.append((scan.sd_start, scan.sd_end, seq, f"{open_tag}{''.join(new_row_texts)}{close}"))

    if scan.dimension is not None and written:
        dim = scan.dimension
        new_ref = _widen_ref(dim.value, written)
        if new_ref is not None and new_ref != dim.value:
            splices.append((dim.value_start, dim.value_end, -1, new_ref))

    if not splices:
        return data, False
    out = _apply(text, splices, where)
    encoded = out.encode("utf-8")
    _verify(encoded, expect, scan.row_count + new_rows, scan.cell_count + inserted, where)
    return encoded, formula_removed


def _decode(data: bytes, where: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise WorkbookFormatError(f"{where}：不支持 UTF-16 编码的 XML 部件。")
    head = data[:200]
    m = re.match(rb"(?:\xef\xbb\xbf)?<\?xml[^>]*encoding\s*=\s*[\"']([^\"']+)[\"']", head)
    if m and m.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
        raise WorkbookFormatError(f"{where}：不支持 {m.group(1).decode('ascii', 'replace')} 编码的 XML 部件。")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise WorkbookFormatError(f"{where}：XML 不是有效的 UTF-8 编码。") from None


def _widen_spans(tag: str, new_cols: list[int]) -> str:
    """Keep the row's ``spans`` hint true when a cell lands outside it (a single ``a:b`` range only)."""
    if not new_cols:
        return tag
    m = _SPANS.search(tag)
    if not m:
        return tag
    quoted = m.group(2)
    sm = re.fullmatch(r"\s*(\d+):(\d+)\s*", quoted[1:-1])
    if not sm:
        return tag
    lo, hi = int(sm.group(1)), int(sm.group(2))
    new_lo, new_hi = min(lo, *new_cols), max(hi, *new_cols)
    if (new_lo, new_hi) == (lo, hi):
        return tag
    q = quoted[0]
    return f"{tag[: m.start(2)]}{q}{new_lo}:{new_hi}{q}{tag[m.end(2) :]}"


def _widen_ref(ref: str, written: list[tuple[int, int]]) -> str | None:
    bounds = _range_bounds(ref)
    if bounds is None:
        return None
    r1, c1, r2, c2 = bounds
    for r, c in written:
        r1, c1, r2, c2 = min(r1, r), min(c1, c), max(r2, r), max(c2, c)
    first, last = _address(r1, c1), _address(r2, c2)
    return first if first == last else f"{first}:{last}"


def _apply(text: str, splices: list[tuple[int, int, int, str]], where: str) -> str:
    parts: list[str] = []
    last = 0
    for start, end, _, new in sorted(splices):
        if start < last:
            raise WorkbookFormatError(f"{where}：内部错误，改写位置重叠（{start}）。")
        parts.append(text[last:start])
        parts.append(new)
        last = end
    parts.append(text[last:])
    return "".join(parts)


# --------------------------------------------------------------------------------------------------
# verification of the edited part with a real parser
# --------------------------------------------------------------------------------------------------


def _parse_xml(data: bytes, where: str) -> Element:
    try:
        return _safe_fromstring(data, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise WorkbookFormatError(f"{where}：XML 无法解析（{exc}），文件可能已损坏。") from None


def _ns(tag: str) -> str:
    return tag[: tag.index("}") + 1] if tag.startswith("{") else ""


def _verify(data: bytes, expect: dict[tuple[int, int], _Expect], rows: int, cells: int, where: str) -> None:
    """Parse the edited part for real and check the result is what the splices meant.

    Why: the splicing relies on a tokenizer; a parser's independent view (well-formed, counts of rows and
    cells, the edited cells' positions, style, type and value) turns any disagreement into a refusal.
    """
    root = _parse_xml(data, where)
    ns = _ns(root.tag)
    sheet_data = root.find(f"{ns}sheetData")
    if sheet_data is None:
        raise WorkbookFormatError(f"{where}：改写后找不到 <sheetData>。")
    found: dict[tuple[int, int], Element] = {}
    target_rows = {r for r, _ in expect}
    row_tag, cell_tag = f"{ns}row", f"{ns}c"
    n_rows = n_cells = 0
    prev_row = 0
    for row in sheet_data:
        if row.tag != row_tag:
            continue
        n_rows += 1
        r = row.get("r")
        prev_row = int(r) if r is not None else prev_row + 1
        if prev_row not in target_rows:
            n_cells += sum(1 for c in row if c.tag == cell_tag)
            continue
        prev_col = 0
        for c in row:
            if c.tag != cell_tag:
                continue
            n_cells += 1
            ref = c.get("r")
            if ref is None:
                prev_col += 1
            else:
                m = _CELL_REF.match(ref)
                prev_col = _column_index(m.group(1)) if m else -1
            if (prev_row, prev_col) in expect:
                found[(prev_row, prev_col)] = c
    if (n_rows, n_cells) != (rows, cells):
        raise WorkbookFormatError(
            f"{where}：内部校验失败（行数 {n_rows}/{rows}，单元格数 {n_cells}/{cells}），未写入。"
        )
    for (r, c), exp in expect.items():
        el = found.get((r, c))
        address = _address(r, c)
        if el is None:
            if exp.present:
                raise WorkbookFormatError(f"{where}：内部校验失败，单元格 {address} 未写入。")
            continue
        if not exp.present or el.get("s") != exp.style or not _shows(el, exp.value, ns):
            raise WorkbookFormatError(f"{where}：内部校验失败，单元格 {address} 的内容与预期不符。")


def _shows(el: Element, value: _Value, ns: str) -> bool:
    kinds = [child.tag for child in el]
    if value.kind == "blank":
        return el.get("t") is None and not kinds
    if value.kind == "n":
        return el.get("t") is None and kinds == [f"{ns}v"] and el.findtext(f"{ns}v") == value.text
    t = el.find(f"{ns}is/{ns}t")
    return el.get("t") == "inlineStr" and kinds == [f"{ns}is"] and t is not None and (t.text or "") == value.text


# --------------------------------------------------------------------------------------------------
# package: zip in and out, relationships
# --------------------------------------------------------------------------------------------------


@dataclass
class _Package:
    infos: list[zipfile.ZipInfo]
    data: dict[str, bytes]
    comment: bytes
    folded: dict[str, str]  # case-folded name -> name (OPC part names are case-insensitive)

    def find(self, name: str) -> str | None:
        if name in self.data:
            return name
        return self.folded.get(name.casefold())


def _unsafe_name(name: str) -> bool:
    n = name.replace("\\", "/")
    return (
        not n
        or "\x00" in n
        or n.startswith("/")
        or re.match(r"^[A-Za-z]:", n) is not None
        or ".." in n.split("/")
    )


def _read_package(package: bytes) -> _Package:
    try:
        zf = zipfile.ZipFile(io.BytesIO(package))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise WorkbookFormatError(
            "文件不是有效的 Excel 工作簿（.xlsx/.xlsm 应为 zip 压缩包；若设置了打开密码，请先取消密码）。"
        ) from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ENTRIES:
            raise WorkbookFormatError(f"压缩包中的文件过多（{len(infos)} 个），拒绝处理。")
        seen: set[str] = set()
        total = 0
        for info in infos:
            name = info.filename
            if _unsafe_name(name):
                raise WorkbookFormatError(f"压缩包中含有不安全的路径“{name}”，拒绝处理。")
            if name in seen:
                raise WorkbookFormatError(f"压缩包中“{name}”出现了两次，拒绝处理。")
            seen.add(name)
            if info.flag_bits & 0x1:
                raise WorkbookFormatError(f"压缩包中的“{name}”已加密，无法处理。")
            if info.file_size > MAX_PART_SIZE:
                raise WorkbookFormatError(
                    f"压缩包中的“{name}”解压后有 {info.file_size} 字节，超过上限 {MAX_PART_SIZE} 字节，拒绝处理。"
                )
            total += info.file_size
            if total > MAX_TOTAL_SIZE:
                raise WorkbookFormatError(f"压缩包解压后超过 {MAX_TOTAL_SIZE} 字节，拒绝处理。")
        data: dict[str, bytes] = {}
        total = 0
        for info in infos:
            data[info.filename] = _read_entry(zf, info, MAX_TOTAL_SIZE - total)
            total += len(data[info.filename])
        comment = zf.comment
    folded = {}
    for name in data:
        folded.setdefault(name.casefold(), name)
    return _Package(infos, data, comment, folded)


def _read_entry(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> bytes:
    """An entry's bytes, counted as they come (a lying size header cannot make us read more)."""
    limit = min(MAX_PART_SIZE, budget)
    buf = bytearray()
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(_CHUNK):
                buf += chunk
                if len(buf) > limit:
                    raise WorkbookFormatError(f"压缩包中的“{info.filename}”解压后超过大小上限，拒绝处理。")
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError, OSError, RuntimeError) as exc:
        raise WorkbookFormatError(f"压缩包中的“{info.filename}”无法解压（{exc}），文件可能已损坏。") from None
    return bytes(buf)


def _strip_zip64(extra: bytes) -> bytes:
    """The entry's extra fields minus zip64 (zipfile writes its own when needed; a stale one corrupts)."""
    out = bytearray()
    i = 0
    while i + 4 <= len(extra):
        kind, size = struct.unpack("<HH", extra[i : i + 4])
        if i + 4 + size > len(extra):
            return bytes(out)
        if kind != 0x0001:
            out += extra[i : i + 4 + size]
        i += 4 + size
    return bytes(out)


def _write_package(pkg: _Package, changed: dict[str, bytes], removed: set[str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", allowZip64=True) as zo:
        for info in pkg.infos:
            name = info.filename
            if name in removed:
                continue
            zi = zipfile.ZipInfo(name, info.date_time)
            zi.compress_type = info.compress_type
            zi.external_attr = info.external_attr
            zi.internal_attr = info.internal_attr
            zi.create_system = info.create_system
            zi.comment = info.comment
            zi.extra = _strip_zip64(info.extra)
            level = DEFLATE_LEVEL if info.compress_type == zipfile.ZIP_DEFLATED else None
            zo.writestr(zi, changed.get(name, pkg.data[name]), compresslevel=level)
            # zipfile turns external attributes of 0 into 0o600 << 16 while writing; the central
            # directory is written from this object at close, so put the original back.
            zi.external_attr = info.external_attr
        zo.comment = pkg.comment
    return out.getvalue()


@dataclass(frozen=True)
class _Rel:
    id: str
    type: str
    target: str  # resolved part name, "" for external targets


def _rels_part(part: str) -> str:
    folder, _, base = part.rpartition("/")
    return f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"


def _resolve(source: str, target: str) -> str:
    target = unquote(target.strip())
    if target.startswith("/"):
        path = posixpath.normpath(target.lstrip("/"))
    else:
        path = posixpath.normpath(posixpath.join(posixpath.dirname(source), target))
    return "" if path.startswith("..") else path


def _read_rels(pkg: _Package, source: str) -> tuple[str | None, list[_Rel]]:
    part = pkg.find(_rels_part(source))
    if part is None:
        return None, []
    root = _parse_xml(pkg.data[part], part)
    rels = []
    for el in root:
        if _local_tag(el.tag) != "Relationship":
            continue
        external = (el.get("TargetMode") or "").lower() == "external"
        target = "" if external else _resolve(source, el.get("Target") or "")
        rels.append(_Rel(el.get("Id") or "", el.get("Type") or "", target))
    return part, rels


def _local_tag(tag: str) -> str:
    return tag.rpartition("}")[2]


@dataclass(frozen=True)
class _Book:
    part: str
    rels_part: str | None
    rels: list[_Rel]
    sheets: dict[str, str]  # name -> relationship id


def _read_book(pkg: _Package) -> _Book:
    book = None
    _, root_rels = _read_rels(pkg, "")
    for rel in root_rels:
        if rel.type.endswith("/officeDocument") and rel.target:
            book = pkg.find(rel.target)
            break
    book = book or pkg.find(_DEFAULT_WORKBOOK)
    if book is None:
        raise WorkbookFormatError("压缩包中找不到工作簿部件（xl/workbook.xml），不是有效的 Excel 工作簿。")
    root = _parse_xml(pkg.data[book], book)
    sheets: dict[str, str] = {}
    listed = [el for group in root if _local_tag(group.tag) == "sheets" for el in group]
    for el in listed:
        if _local_tag(el.tag) != "sheet":
            continue
        rid = next((v for k, v in el.attrib.items() if k.endswith("}id") and "relationships" in k), None)
        name = el.get("name")
        if name is None or rid is None:
            raise WorkbookFormatError(f"{book}：<sheet> 缺少 name 或 r:id 属性。")
        if name in sheets:
            raise WorkbookFormatError(f"{book}：工作表名称“{name}”重复。")
        sheets[name] = rid
    rels_part, rels = _read_rels(pkg, book)
    return _Book(book, rels_part, rels, sheets)


def _sheet_part(pkg: _Package, book: _Book, sheet: str) -> str:
    rid = book.sheets.get(sheet)
    if rid is None:
        names = "、".join(f"“{n}”" for n in book.sheets) or "（无）"
        raise WorkbookFormatError(f"工作簿中没有名为“{sheet}”的工作表（现有：{names}）。")
    rel = next((r for r in book.rels if r.id == rid), None)
    if rel is None or not rel.target:
        raise WorkbookFormatError(f"工作表“{sheet}”：{book.rels_part or book.part} 中找不到关系 {rid}。")
    if not rel.type.endswith("/worksheet"):
        kind = rel.type.rpartition("/")[2]
        raise WorkbookFormatError(f"“{sheet}”不是普通工作表（{kind}），不能写入单元格。")
    part = pkg.find(rel.target)
    if part is None:
        raise WorkbookFormatError(f"工作表“{sheet}”：压缩包中缺少部件 {rel.target}。")
    return part


# --------------------------------------------------------------------------------------------------
# calcChain removal
# --------------------------------------------------------------------------------------------------


def _remove_children(data: bytes, where: str, drop: Callable[[str, dict[str, str]], bool]) -> bytes:
    """Splice out the root's children for which ``drop(local_name, attrs)`` is true (flat parts only)."""
    text = _decode(data, where)
    splices: list[tuple[int, int, int, str]] = []
    depth = 0
    start = -1
    for m in _TOKEN.finditer(text):
        name = m.group("name")
        if name is not None:
            empty = bool(m.group("empty"))
            if depth == 1:
                attrs = {a.name: a.value for a in _attrs(m)}
                if drop(_local(name), attrs):
                    if empty:
                        splices.append((m.start(), m.end(), len(splices), ""))
                    else:
                        start = m.start()
            if not empty:
                depth += 1
        elif m.group("close") is not None:
            depth -= 1
            if depth == 1 and start >= 0:
                splices.append((start, m.end(), len(splices), ""))
                start = -1
        elif m.group("comment") is None and m.group("pi") is None and m.group("cdata") is None:
            raise _bad_markup(where, text, m.start())
    if not splices:
        return data
    out = _apply(text, splices, where).encode("utf-8")
    _parse_xml(out, where)
    return out


def _drop_calc_chain(pkg: _Package, book: _Book, changed: dict[str, bytes], removed: set[str]) -> None:
    chains = {pkg.find(r.target) for r in book.rels if r.type.endswith("/calcChain") and r.target}
    chains.add(pkg.find(posixpath.join(posixpath.dirname(book.part), "calcChain.xml")))
    chains.discard(None)
    if not chains:
        return
    names = {c.casefold() for c in chains if c}
    removed.update(c for c in chains if c)
    if book.rels_part is not None:
        rels_data = changed.get(book.rels_part, pkg.data[book.rels_part])
        changed[book.rels_part] = _remove_children(
            rels_data,
            book.rels_part,
            lambda local, a: local == "Relationship"
            and a.get("Type", "").endswith("/calcChain")
            and (a.get("TargetMode") or "").lower() != "external",
        )
    ct = pkg.find(_CONTENT_TYPES)
    if ct is not None:
        changed[ct] = _remove_children(
            changed.get(ct, pkg.data[ct]),
            ct,
            lambda local, a: local == "Override" and _resolve("", a.get("PartName", "")).casefold() in names,
        )


# --------------------------------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------------------------------


def check_values(edits: Mapping[str, Mapping[str, CellValue]]) -> None:
    """Raise what :func:`set_cells` would raise for these values (ValueError/TypeError, naming sheet and cell).

    For writers that do not go through the package (Excel itself), so that the same values are refused.
    """
    for sheet, cells in edits.items():
        for address, value in cells.items():
            _parse_address(sheet, address)
            _prepare(sheet, address, value)


def set_cells(package: bytes, edits: Mapping[str, Mapping[str, CellValue]]) -> bytes:
    """Write ``edits`` (sheet name -> {A1 address -> value}) into the package; returns the new bytes.

    ``None`` (or ``""``) makes a cell blank and keeps its style. Values are checked before the
    package is touched (TypeError/ValueError for values the caller should never pass); problems with
    the workbook itself raise :class:`WorkbookFormatError`. When no edit changes anything, the input
    bytes are returned as they are.

    Formulas that depend on an edited cell keep their cached result until the workbook is recalculated;
    ``workbook.xml`` (and its ``calcPr``) is left alone on purpose. Excel recalculates on opening files
    whose ``calcId`` is older than its own or that set ``fullCalcOnLoad`` (XlsxWriter does both).
    """
    prepared: dict[str, dict[tuple[int, int], _Value]] = {}
    for sheet, cells in edits.items():
        targets: dict[tuple[int, int], _Value] = {}
        for address, value in cells.items():
            targets[_parse_address(sheet, address)] = _prepare(sheet, address, value)
        prepared[sheet] = targets

    pkg = _read_package(package)
    book = _read_book(pkg)
    parts = {sheet: _sheet_part(pkg, book, sheet) for sheet in prepared}

    changed: dict[str, bytes] = {}
    removed: set[str] = set()
    formula_removed = False
    for sheet, targets in prepared.items():
        if not targets:
            continue
        part = parts[sheet]
        new, had_formula = _edit_sheet(changed.get(part, pkg.data[part]), targets, sheet, part)
        if new is not pkg.data[part]:
            changed[part] = new
        formula_removed = formula_removed or had_formula
    if formula_removed:
        _drop_calc_chain(pkg, book, changed, removed)
    changed = {k: v for k, v in changed.items() if v != pkg.data[k]}
    if not changed and not removed:
        return package
    return _write_package(pkg, changed, removed)

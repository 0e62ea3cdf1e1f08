"""Published text as lines and tokens: decoding, clean-up, cells, numbers.

Everything a published report's text can carry is reduced here to one intermediate structure that
the section and table readers share: a list of :class:`Line` (text as printed, plus the cells when
the source separated them — a tab, `` | `` or a parsed HTML table) and, for table regions, a flat
list of :class:`Token` (label text, a number, an explicit blank such as ``/``, an empty cell).

Only damage that cannot change a reading is repaired here: page markers (``- 4 -``) are dropped,
CJK compatibility radicals from PDF extraction (``⼀`` ``⾏`` ``⻔``) become the characters they
stand for, emphasis markup (``**一是**``) is removed, a number that lost its space to a label
(``行政许可447228``) is split off, an enumerator split from its label (``1`` ``、申请人…``) is joined
back, and a unit printed with a number (``12件``, ``75394432.52元``) stays with it. Nothing here
decides what a number means.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ...errors import InputError
from ...fileio import read_input
from ..sniff import UTF16_MARKS
from .heuristics import heuristic

MAX_BYTES = 20 * 1024 * 1024  # a published report page or text is well under 1 MB
TOO_BIG = "文件有 {mb} MB，超过 20 MB 的上限，不像是一份年度报告，未读取。"
# What a report can be, read: the longest published report we have is under 10 000 characters on 200
# lines. Reading costs about 10 µs a character and a Line object a line, so these keep a hostile file
# (20 MB of line breaks would otherwise take minutes and gigabytes) to seconds and megabytes.
MAX_LINES = 20_000
MAX_TEXT_CHARS = 300_000
ENCODINGS = ("utf-8-sig", "gb18030")  # utf-8-sig also reads plain UTF-8

# The header block of the shared collection of published reports: ``source:``/``title:``/``year:``/
# ``coverage:`` lines, then a blank line. ``title`` is the report's own, ``year`` the collector's statement of it
# (read when it is a year, as the last resort: ``split_header``); the rest is the collector's.
HEADER_KEYS = ("source", "title", "year", "coverage")
_HEADER_LINE = re.compile(rf"^({'|'.join(HEADER_KEYS)})\s*:\s*(.*)$")
_HEADER_YEAR = re.compile(r"(?:19|20)\d\d")

# a page marker on a line of its own: "- 4 -", "第 3 页 共 6 页", "共 6 页 第 3 页"
_PAGE_MARKER = re.compile(
    r"^\s*(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d{1,4}\s*页(?:\s*[,，/／]?\s*共\s*\d{1,4}\s*页)?"
    r"|共\s*\d{1,4}\s*页\s*[,，/／]?\s*第\s*\d{1,4}\s*页)\s*$"
)
# "3/6": page 3 of 6 (a page's number is never above their count: "2024/12" is no page)
_PAGE_OF = re.compile(r"^\s*(\d{1,4})\s*[/／]\s*(\d{1,4})\s*$")

# CJK Radicals Supplement characters that PDF extraction emits for whole simplified characters; NFKC
# has no mapping for them (the Kangxi radicals block and the compatibility ideographs it does map).
_RADICALS_SUPPLEMENT = {
    "⺟": "母", "⺠": "民", "⻄": "西", "⻅": "见", "⻆": "角", "⻉": "贝", "⻋": "车", "⻓": "长", "⻔": "门",
    "⻗": "雨", "⻘": "青", "⻙": "韦", "⻚": "页", "⻛": "风", "⻜": "飞", "⻝": "食", "⻢": "马", "⻣": "骨",
    "⻤": "鬼", "⻥": "鱼", "⻦": "鸟", "⻧": "卤", "⻨": "麦", "⻩": "黄", "⻪": "黾", "⻬": "齐", "⻮": "齿",
    "⻰": "龙", "⻳": "龟",
}


def _compat_table() -> dict[int, str]:
    table = {ord(k): v for k, v in _RADICALS_SUPPLEMENT.items()}
    for lo, hi in ((0x2F00, 0x2FD5), (0xF900, 0xFAFF)):
        for cp in range(lo, hi + 1):
            mapped = unicodedata.normalize("NFKC", chr(cp))
            if mapped != chr(cp):
                table[cp] = mapped
    return table


# Characters that print as nothing: a zero-width space, joiners, a word joiner, a byte-order mark inside the
# text, a soft hyphen. Pages and WeChat articles carry them between a table's numbers (``3001 \u200b53``), where
# they made a number a word.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"


@heuristic("invisible_characters", "text")
def _invisible_table() -> dict[int, None]:
    """Characters that print as nothing (zero-width spaces and joiners, a byte-order mark, a soft hyphen) are
    dropped: they are in no label and no number."""
    return {ord(c): None for c in _INVISIBLE}


_COMPAT: dict[int, str | None] = {**_compat_table(), **_invisible_table()}


@heuristic("compatibility_characters", "text")
def fix_characters(text: str) -> str:
    """Replace CJK compatibility radicals and ideographs by the characters they stand for, and drop the
    characters that print as nothing (``invisible_characters``).

    Only those code points change, so narrative punctuation (full-width commas and brackets) is
    kept exactly as published.
    """
    text = text.translate(_COMPAT)
    return lost_space_marks_dropped(text) if ("?" in text or "\ufffd" in text) else text


# A ``?`` (or U+FFFD) standing alone before a number, where a copy re-encoded in a code page without it wrote a
# character it could not hold — a no-break space before a table's number (``? 0 |``).
_LOST_SPACE = re.compile(r"(?:(?<=^)|(?<=[ \t\u3000|]))[?\ufffd](?=[ \t\u3000]+\d)", re.MULTILINE)
# … and the marks a line begins with, for the ideographic spaces that indented a paragraph (辽宁省政府办公厅 2025 as a
# mirror serves it: ``??一、总体情况``, ``??2025年,辽宁省人民政府办公厅坚持……``): two or more before anything, one
# before a Chinese character or a bracket (not before a digit, which it may stand for).
_LOST_INDENT = re.compile(r"^[ \t]*(?:[?\ufffd]{2,4}(?=\S)|[?\ufffd](?=[\u3400-\u9fff（(]))", re.MULTILINE)


@heuristic("lost_space_marks", "text")
def lost_space_marks_dropped(text: str) -> str:
    """A ``?`` standing alone before a number is the mark a re-encoded copy left for a character its code page
    lacks, a no-break space before a table's number (a mirror's copy of a district bureau's 2021 report: ``规章 |``
    ‖ ``0 |`` ‖ ``? 0 |`` ‖ ``0 |``, and the row read as one number for three cells): it is dropped. A ``?`` after
    a word (a question) or touching its number (``?0``, where a digit may be lost) is kept. The marks that begin a
    line stand for the spaces that indented it (``_LOST_INDENT``) and are dropped too."""
    return _LOST_INDENT.sub("", _LOST_SPACE.sub("", text))


@dataclass(frozen=True)
class Line:
    """One printed line, or one row of a parsed HTML table.

    ``cells`` is ``None`` for plain text (a PDF line: only whitespace separates what was printed).
    ``grid`` is true for rows of a parsed HTML table, where every empty cell is a real cell of the
    table; ``carried`` holds the positions of cells that continue a cell of an earlier row (rowspan).
    ``block`` is true for a block of a page (``<p>``, ``<div>``, a heading): a paragraph of its own,
    where a line of text copied from a PDF may be a piece of one.
    """

    text: str
    cells: tuple[str, ...] | None = None
    grid: bool = False
    carried: frozenset[int] = field(default_factory=frozenset)
    block: bool = False

    @property
    def blank(self) -> bool:
        return not self.text.strip()


@dataclass(frozen=True)
class Document:
    """A published report before interpretation: its title (when a header or ``<title>`` gave one) and lines."""

    lines: tuple[Line, ...]
    title: str | None = None
    html_title: str | None = None
    header_year: int | None = None  # the year a collection's header states (``year: 2020``): the last resort
    # The data the file carries of its own (``core.embedded``): the text of each embedded payload found, as the
    # file holds it (a report this tool generated has one); read and weighed against the lines by ``embedded``.
    embedded: tuple[str, ...] = ()


def read_source(path: Path) -> str:
    """The text of a report file: size-checked while read, decoded as UTF-8 (with or without BOM), GB18030, or
    UTF-16 with its byte order mark (Word's and Notepad's “Unicode” text, a page saved so)."""
    raw = read_input(path, cap=MAX_BYTES, too_big=TOO_BIG)
    return decode(raw, str(path))


def decode(raw: bytes, where: str = "") -> str:
    # a byte order mark says UTF-16 outright: no other encoding is tried (GB18030 would decode its bytes as noise)
    for enc in ("utf-16",) if raw[:2] in UTF16_MARKS else ENCODINGS:
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break  # UTF-16 or a binary file: decodable bytes, but not text
        return text
    raise InputError("无法识别文件编码（支持 UTF-8、GB18030/GBK 和带字节顺序标记的 UTF-16），或这不是文本文件。",
                     place=where or None)


@heuristic("collection_header", "metadata")
def split_header(text: str) -> tuple[str | None, int | None, str]:
    """A collection's header block (``source:`` … ``title:`` … ``year:`` …, a blank line) is not report text;
    its title is, and so is its year when it is one (``year: 2020``, not ``year: unknown — …``).

    Returns the ``title``, the ``year`` and the report text after the block.
    """
    lines = text.split("\n")
    if not lines or not _HEADER_LINE.match(lines[0].strip()):
        return None, None, text
    title, year = None, None
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            return title, year, "\n".join(lines[i + 1:])
        m = _HEADER_LINE.match(stripped)
        if m is None:
            return None, None, text  # not a header block after all
        if m.group(1) == "title":
            title = m.group(2).strip() or None
        elif m.group(1) == "year" and _HEADER_YEAR.fullmatch(m.group(2).strip()):
            year = int(m.group(2).strip())
    return title, year, ""


# ``cells_are_short``: a cell of a table printed as text holds a label, a number or a header's note — the
# longest label of the 2021 form has 41 characters. A "cell" longer than this is prose or a whole page with a tab
# or a ``|`` in it (a crawler's one-line text of a page with a tab inside table 三 was read as two cells, and its
# glued labels and numbers were no longer split).
CELL_MAX_CHARS = 100


def split_cells(line: str) -> tuple[str, ...] | None:
    """Cells of a line whose source kept the table structure: tab-separated or `` | ``-separated.

    A markdown row opens and closes with ``|``: those two are the table's edges, not empty cells. One ``|``
    inside a line of prose (a title ``《…|…》``) separates nothing.
    """
    if "\t" in line:
        return _short(tuple(line.split("\t")))
    if "|" in line and (line.count("|") >= 2 or line.strip().startswith("|") or line.strip().endswith("|")):
        body = line.strip()
        markdown = body.startswith("|") and body.endswith("|")
        if body.endswith("|"):
            body = body[:-1]  # the separator that closes the last cell, not an empty cell
        if body.startswith("|"):
            body = body[1:]
        cells = tuple(body.split("|"))
        return cells if markdown else _short(cells)
    return None


@heuristic("cells_are_short", "text")
def _short(cells: tuple[str, ...]) -> tuple[str, ...] | None:
    """Separated pieces are a table row's cells only when each could be one (``CELL_MAX_CHARS``); a markdown row
    (``| … |``) is a row whatever its cells hold."""
    return cells if all(len(c) <= CELL_MAX_CHARS for c in cells) else None


# A markdown table's alignment row (``|---|:---:|``) and heading marks (``### ``): the layout of a conversion
# to markdown, not text.
_ALIGNMENT_ROW = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_HEADING_MARK = re.compile(r"^\s{0,3}#{1,6}\s+")
_BREAK_TAG = re.compile(r"<br\s*/?>", re.IGNORECASE)


@heuristic("markdown_layout", "text")
def markdown_line(raw: str) -> str | None:
    """A line of text as printed, without a conversion's markdown: ``None`` for a table's alignment row.

    Converters of PDFs and scans to markdown mark headings with ``#`` and a table's header with a row of
    dashes; line breaks inside a cell become ``<br>``.
    """
    if _ALIGNMENT_ROW.match(raw):
        return None
    if "#" in raw:
        raw = _HEADING_MARK.sub("", raw)
    if "<" in raw:
        raw = _BREAK_TAG.sub(" ", raw)
    return raw


@heuristic("page_marker", "text")
def is_page_marker(line: str) -> bool:
    """A page marker on a line of its own (``- 4 -``, ``第 3 页 共 6 页``, ``3/6``) is not report text."""
    page_of = _PAGE_OF.match(line)
    return bool(_PAGE_MARKER.match(line)) or (page_of is not None and 0 < int(page_of[1]) <= int(page_of[2]))


def markers_dropped(raws: list[str]) -> list[str]:
    """The lines without their page markers; a marker between two blank lines takes one of them with it (the
    paragraph it was: two blank lines end a row of a table copied cell under cell). A markdown table's row whose
    cells print nothing but a marker is one too (markitdown put 洪泽区 2024's ``- 3 -`` into a row of table 三:
    ``|     |     |     |     | -   | 3 - |``, read as three items of the row above)."""
    out: list[str] = []
    skip_blank = False
    for raw in raws:
        if is_page_marker(raw) or (raw.lstrip().startswith("|") and is_page_marker(_cells_printed(raw))):
            skip_blank = bool(out) and not out[-1].strip()
            continue
        if skip_blank and not raw.strip():
            skip_blank = False
            continue
        skip_blank = False
        out.append(raw)
    return out


def _cells_printed(row: str) -> str:
    """A markdown table row as its cells print it: the cells that hold something, one space apart."""
    return " ".join(c.strip() for c in row.strip().strip("|").split("|") if c.strip())


# the longest title line a running header repeats (a report's title is one line of 20–40 characters)
RUNNING_HEADER_MAX_CHARS = 60


@heuristic("running_header", "text")
def running_header_dropped(raws: list[str]) -> list[str]:
    """The report's title printed again at the top of every page of a PDF (a running header) is not report text:
    the text's first line naming a 报告, where it comes again on a line of its own, is dropped there. Inside a
    table it cut the table in two (a table 三 whose second page began with its title lost the rows after it).
    A header of the agency's name alone — the title's words before its year, or the title's line above it when
    the title begins with the year (``淮安市人民政府`` ‖ ``2024 年政府信息公开工作年度报告``) — is dropped where it
    comes twice or more after the title on a line of its own (once is the 落款, which names the agency too)."""
    title = next((r.strip() for r in raws if "报告" in r and 0 < len(r.strip()) <= RUNNING_HEADER_MAX_CHARS), None)
    if title is None:
        return raws
    squeezed = "".join(title.split())
    first = next(i for i, r in enumerate(raws) if r.strip() == title)
    repeated = {squeezed}
    agency = _TITLE_AGENCY.match(squeezed)
    above = next(("".join(r.split()) for r in reversed(raws[:first]) if r.strip()), "")
    name = agency[1] if agency else above if _AGENCY_LINE.fullmatch(above) else ""
    if name and sum("".join(r.split()) == name for r in raws[first + 1:]) >= RUNNING_HEADER_MIN_REPEATS:
        repeated.add(name)
    return [r for i, r in enumerate(raws) if i <= first or "".join(r.split()) not in repeated]


# the agency's name that begins a title: the words before the year (``淮安市人民政府2024年政府信息公开…``)
_TITLE_AGENCY = re.compile(r"^(\D{3,30}?)(?:19|20)\d\d年")
# a title's first line that names the agency: a few words, no figure
_AGENCY_LINE = re.compile(r"\D{3,30}")
# a page header comes on every page after the first: a report of three pages or more prints it twice
RUNNING_HEADER_MIN_REPEATS = 2


@heuristic("emphasis_markup", "text")
def strip_emphasis(text: str) -> str:
    """Text without emphasis markup: ``**一是**`` is how a conversion to text marks bold, not text."""
    return text.replace("**", "") if "**" in text else text


# A line holding nothing but the tab a browser puts between two table cells (``innerText`` of a page whose cells
# hold paragraphs: ``自然人`` ‖ `` `` ‖ ``\t`` ‖ `` `` ‖ ``26``); spaces around it are the page's indentation.
_TAB_LINE = re.compile(r"[ \u3000]*\t[\t \u3000]*")
# Blank lines that end a table row in such a text: a paragraph's line breaks around a cell's edge are one blank
# line, a row's end adds its own line break between them (the HTML standard's innerText: ``\n\n`` + ``\n``).
ROW_END_BLANK_LINES = 2


@heuristic("cells_on_lines_of_their_own", "text")
def rejoined_cells(raws: list[str]) -> list[str]:
    """The rows of a table copied from a browser whose cells hold paragraphs, each back on one line.

    ``innerText`` writes such a table's cells one under the other, each row's cells separated by a line holding
    only a tab — an empty cell is nothing between two of them — and a row's end by two blank lines or more (the
    shared 沭阳 2023 page of Word HTML as a browser copies it: ``一、本年新收…`` ‖ ``\t`` ‖ ``26`` ‖ ``\t`` ‖ ``\t``
    ‖ … ‖ ``26``). The tabs are the cells' separators, so the row is its cells joined by tabs, empty cells
    included, as a copied table row is. A second paragraph in a cell joins that cell when both are text (a
    label wrapped in two); a number is a cell of its own, never joined to another.
    """
    out: list[str] = []
    row: list[str] | None = None
    blanks = 0
    for raw in raws:
        if _TAB_LINE.fullmatch(raw):
            if row is None:  # the row's first cell: the text just above, unless a row's end lies between
                first = ""
                if blanks <= 1 and len(out) > blanks and out[-1 - blanks].strip():
                    first = out[-1 - blanks].strip()
                    del out[len(out) - 1 - blanks:]
                row = [first]
            row.extend([""] * raw.count("\t"))
            blanks = 0
            continue
        if not raw.strip():
            blanks += 1
            if row is not None and blanks >= ROW_END_BLANK_LINES:
                out.append("\t".join(row))
                row = None
            if row is None:
                out.append(raw)
            continue
        text = raw.strip()
        if row is not None and blanks <= 1 and (not row[-1] or not (_has_number(row[-1]) or _has_number(text))):
            row[-1] = f"{row[-1]} {text}".strip()
        else:
            if row is not None:
                out.append("\t".join(row))
                row = None
            out.append(raw)
        blanks = 0
    if row is not None:
        out.append("\t".join(row))
    return out


# A line holding nothing but one ``|`` (spaces around it are indentation).
_LONE_PIPE = re.compile(r"[ \u3000]*\|[ \u3000]*")
# A line of nothing but pipes: one, or the several a merged cell leaves (``||||``)
_PIPES_ONLY = re.compile(r"[ \u3000]*\|[ \u3000|]*")


@heuristic("pipe_lines_between_cells", "text")
def pipe_lines_dropped(raws: list[str]) -> list[str]:
    """A page stored with each table cell on a line of its own and a line holding only ``|`` after each (``规章`` ‖
    ``|`` ‖ ``0`` ‖ ``|`` ‖ ``0`` ‖ ``|`` ‖ ``6`` ‖ ``|``; 石家庄市中山街道 2021 also ``||||`` where cells are
    merged): those lines separate cells and hold none. When no other line of the text begins or ends with a ``|``,
    they are dropped and the cells read as one under the other, as a table printed one cell a line is read. Where
    the cells' own lines end in ``|`` (``规章 |`` ‖ ``|`` ‖ ``0 |``), a line of one ``|`` is an empty cell, and is
    kept (a ``|`` inside a line, ``登录 | 注册``, is no cell's edge).

    The first cell of each row may have a ``|`` before it (安居区某局 2022: ``| 规章`` ‖ ``|`` ‖ ``0`` ‖ ``|`` ‖ …
    ‖ ``| 行政规范性文件``): a line with one ``|``, at its start, is a cell of the same layout, read without it."""
    if not any(_LONE_PIPE.fullmatch(raw) for raw in raws):
        return raws
    pipes = [bool(_PIPES_ONLY.fullmatch(raw)) for raw in raws]
    led = [_led_cell(raw) for raw in raws]
    if any(raw.strip().startswith("|") or raw.strip().endswith("|")
           for raw, only, cell in zip(raws, pipes, led, strict=True) if not only and cell is None):
        return raws
    return [raw if cell is None else cell for raw, only, cell in zip(raws, pipes, led, strict=True) if not only]


def _led_cell(raw: str) -> str | None:
    """The cell of a line printed as ``| cell`` (one ``|``, at its start), else None."""
    text = raw.strip()
    if text.startswith("|") and text.count("|") == 1 and len(text) > 1:
        return text[1:].strip()
    return None


# A cell printed on a line of its own that ends in one ``|`` (``规章  |``, ``\t\t\t0  |``), indentation included.
_PIPE_CELL = re.compile(r"[ \t\u3000]*[^|\t]*[^|\s][ \t\u3000]*\|[ \t\u3000]*")
# ``indented_pipe_cells``: lines of that shape a table needs before the layout is taken for one (a table 二 alone
# prints over twenty).
PIPE_CELL_LINES_MIN = 6


@heuristic("indented_pipe_cells", "text")
def pipe_cells_unindented(raws: list[str]) -> list[str]:
    """A table printed a cell a line, each ending in ``|``, indented with tabs as the page's source was, and its
    rows apart by lines of tabs (遂溪县某局 2021 as a mirror stores it: ``规章  |`` ‖ ``\t\t\t0  |`` ‖
    ``\t\t\t0  |`` ‖ ``\t\t\t0`` ‖ ``   |`` ‖ ``\t\t``): the tabs indent, they separate no cells (read as a
    browser's copy, the row became three empty cells and one number). Each cell's line loses its indentation, a
    line of tabs is blank, and a cell whose ``|`` went down to the next line gets it back."""
    cells = [bool(_PIPE_CELL.fullmatch(raw)) for raw in raws]
    if sum(cells) < PIPE_CELL_LINES_MIN or not any(c and raw.startswith("\t") for raw, c in zip(raws, cells,
                                                                                                  strict=True)):
        return raws
    out: list[str] = []
    i = 0
    while i < len(raws):
        raw = raws[i]
        if cells[i]:
            out.append(raw.strip())
        elif not raw.strip():
            out.append("")
        elif "|" not in raw and "\t" not in raw.strip() and i + 1 < len(raws) and _LONE_PIPE.fullmatch(raws[i + 1]):
            out.append(raw.strip() + " |")
            i += 1
        else:
            out.append(raw)
        i += 1
    return out


# A cell that holds a number (with its unit): a row's label may begin with one (``3.危及“三安全一稳定”``), a cell never
# holds more than the number
_NUMBER_CELL = re.compile(r"[+-]?\d[\d,，.]*\s*(?:万元|元|件|条|个|次)?")


def _cell_line(raw: str) -> str | None:
    """The cell of a line printed as ``cell |`` (one ``|``, at its end), else None."""
    text = raw.strip()
    if text.endswith("|") and text.count("|") == 1 and len(text) > 1:
        return text[:-1].strip()
    return None


@heuristic("pipe_cells_with_empty_lines", "text")
def pipe_cells_rejoined(raws: list[str]) -> list[str]:
    """A row printed a cell a line, each cell's line ending in ``|`` and an empty cell a line of one ``|``, back on
    one line with its empty cells in place.

    冷水滩区高科园 2023 as the page is stored: ``一、本年新收政府信息公开申请数量 |`` ‖ six lines ``|`` ‖ ``0 |`` —
    the six applicant cells empty, only 总计 printed. Read line by line the row has one number for seven cells and
    is left unread; the empty cells' lines say where that number stands. A label's line followed by cells' lines
    of which at least one holds a number and one is empty becomes the label and its cells separated by tabs, as a
    copied table row is; the row ends at the next line that is no number's or empty cell's (a label, a line of
    several ``|`` a merged cell leaves, text) — one line of ``|`` right after the row's last number is its end, not a
    cell (岳阳楼区某街道 2023: ``（一）予以公开 |`` ‖ six lines ``|`` ‖ ``0 |`` ‖ ``|``). Rows without an empty cell
    are left as printed."""
    out: list[str] = []
    i = 0
    while i < len(raws):
        label = _cell_line(raws[i])
        if label is None or not label or _NUMBER_CELL.fullmatch(label):
            out.append(raws[i])
            i += 1
            continue
        cells: list[str] = []
        j = i + 1
        while j < len(raws):
            if _LONE_PIPE.fullmatch(raws[j]):
                cells.append("")
            elif (cell := _cell_line(raws[j])) is not None and _NUMBER_CELL.fullmatch(cell):
                cells.append(cell)
            else:
                break
            j += 1
        with_empty = "" in cells
        if len(cells) >= 2 and cells[-1] == "" and cells[-2]:  # ``0 |`` ‖ ``|`` ‖ the next label: the row's end
            cells.pop()
        if with_empty and any(cells):
            out.append("\t".join([label, *cells]))
            i = j
        else:
            out.append(raws[i])
            i += 1
    return out


def _has_number(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


# Pages that must print a bare number at the same end, counting up with the pages, before those numbers are taken
# for page numbers: on one page a bare number at the end could be a table's last cell.
MIN_NUMBERED_PAGES = 2
# a number alone on a line: a page's number, or one that strayed between a table's rows
_BARE_NUMBER = re.compile(r"\s*(\d{1,4})\s*")


@heuristic("bare_page_numbers", "text")
def page_numbers_dropped(pages: list[str]) -> list[str]:
    """The pages without their bare page numbers (``7`` at a page's foot, not ``- 7 -``, which the text reader
    drops by its shape): a bare number is a page's number only where the pages' last (or first) lines are bare
    numbers that count up with the pages, one each. Where a page ends inside a table, its number otherwise
    lands between two rows: after a row that printed a number too few it was read as the row's last cell. The
    pages are a PDF's, or a text's pages apart by form feeds (``pdftotext`` writes one at each page's end)."""
    out = [p.split("\n") for p in pages]
    for end in (-1, 0):
        at: dict[int, tuple[int, int]] = {}  # page → (its line's index, the number)
        for i, lines in enumerate(out):
            filled = [k for k, line in enumerate(lines) if line.strip()]
            if filled:
                k = filled[end]
                found = _BARE_NUMBER.fullmatch(lines[k])
                if found:
                    at[i] = (k, int(found[1]))
        if len(at) >= MIN_NUMBERED_PAGES and len({n - i for i, (_, n) in at.items()}) == 1:
            for i, (k, _) in at.items():
                out[i] = out[i][:k] + out[i][k + 1:]
    return ["\n".join(lines) for lines in out]


def text_lines(text: str) -> list[Line]:
    """Lines of a plain-text report: page markers dropped, compatibility characters repaired, emphasis
    and markdown markup removed; a browser's table copied cell under cell rejoined row by row."""
    out = []
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\f" in text:
        text = "\n".join(page_numbers_dropped(text.split("\f")))
    raws = running_header_dropped(markers_dropped(  # first: a page may end inside a table
        fix_characters(text).split("\n")))
    raws = pipe_cells_unindented(raws)
    if any(_TAB_LINE.fullmatch(raw) for raw in raws):
        raws = rejoined_cells(raws)
    raws = pipe_cells_rejoined(pipe_lines_dropped(raws))
    for raw in raws:
        line = markdown_line(strip_emphasis(raw))
        if line is not None:
            out.append(Line(line, split_cells(line)))
    return out


@heuristic("tables_in_text", "text")
def mixed_lines(text: str) -> list[Line]:
    """Text that carries tables as HTML (``<table>…</table>``, what converters of scans write into markdown).

    The tables are read as a page's tables are (rows and cells, merged cells honoured); the text around them
    line by line.
    """
    from .html import parse_html

    out: list[Line] = []
    at = 0
    lower = text.lower()
    while True:
        start = lower.find("<table", at)
        end = lower.find("</table", start) if start >= 0 else -1
        if start < 0 or end < 0:
            break
        close = lower.find(">", end)
        end = close + 1 if close >= 0 else len(text)
        out.extend(text_lines(text[at:start]))
        out.extend(ln for ln in parse_html(text[start:end]).lines if ln.cells is not None or ln.text.strip())
        at = end
    out.extend(text_lines(text[at:]))
    return out


def check_lines(count: int) -> None:
    if count > MAX_LINES:
        raise InputError(f"报告有 {count:,} 行，超过 {MAX_LINES:,} 行的上限（一份年度报告通常只有几百行），"
                         "不像是一份年度报告，未读取。")


def parse_text(text: str) -> Document:
    check_lines(text.count("\n") + text.count("\r") - text.count("\r\n") + 1)
    title, year, body = split_header(text)
    lines = mixed_lines(body) if "<table" in body.lower() else text_lines(body)
    return Document(tuple(lines), title=fix_characters(title) if title else None, header_year=year)


# ---------------------------------------------------------------------------------------------- tokens

TEXT, NUMBER, SLASH, EMPTY, UNSURE = "text", "number", "slash", "empty", "unsure"
_NUMBER = re.compile(r"[+\-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_SLASHES = frozenset({"/", "\\", "-", "—", "——", "–"})  # after NFKC: ／ is /, － is -
# A cell printed as a dash of another kind or length (``———``, ``―``, ``─``): an explicit blank like ``/``. Not
# a run of ASCII hyphens: a markdown table's rule row is ``| --- | --- |``.
_DASHES = re.compile(r"[‐‑‒–—―─━]{1,4}")
# The word a clerk prints in a cell for "none" (``规章 | 无 | 无 | 无``): an explicit blank, not a label.
NONE_WORD = "无"
# Units a table cell can carry after its number (``3件``, ``20.3万元``, ``75394432.52元``): the table
# reader decides what a unit means for the cell's column (see placement.cell_value).
UNITS = ("万元", "元", "件", "项", "个")
_WITH_UNIT = re.compile(r"(?P<number>[+\-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(?P<unit>万元|元|件|项|个)?")
_ENUMERATOR_REST = re.compile(r"^[、.．,，](?!\d)")
# a number glued to the end of a label: 行政许可447228, （单位：万元）96171.6, 行政许可12件
_GLUED = re.compile(r"^(.*[\u3400-\u9fff）)”】」])([+\-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:万元|元|件|项|个)?)$")


@dataclass(frozen=True)
class Token:
    """One printed item of a table region.

    ``kind`` is ``text`` (a label or part of one), ``number``, ``slash`` (an explicit blank: ``/``, ``—``),
    ``empty`` (an empty cell between separators) or ``unsure`` (a cell merged down from a number above:
    its value for this row is not printed). ``unit`` is the unit printed with a number (``件``, ``元``);
    ``grid`` marks tokens from a parsed HTML table, whose empty cells are real cells; ``cells`` marks
    tokens from any line whose cells the source separated (HTML, a tab or `` | ``).
    """

    kind: str
    text: str
    value: int | float | None = None
    grid: bool = False
    line: int = 0
    unit: str = ""
    cells: bool = False
    cell: int = -1  # the cell of its line it was printed in (-1 in plain text)
    ncells: int = 0  # how many cells its line has (0 in plain text)

    @property
    def explicit(self) -> bool:
        return self.kind in (NUMBER, SLASH, UNSURE)


def parse_number(piece: str) -> int | float | None:
    """The value of a printed number (``3,119``, ``96171.6``, ``-2``, full-width digits), or ``None``."""
    s = unicodedata.normalize("NFKC", piece).strip().replace("−", "-")
    if not _NUMBER.fullmatch(s):
        return None
    s = s.replace(",", "")
    try:
        d = Decimal(s)
    except InvalidOperation:
        return None
    return int(d) if "." not in s else float(d)


@heuristic("unit_in_number", "text")
def number_and_unit(piece: str) -> tuple[int | float, str] | None:
    """A number with a unit printed on it (``12件``, ``75394432.52元``) is a number: ``(value, unit)``, or ``None``."""
    m = _WITH_UNIT.fullmatch(unicodedata.normalize("NFKC", piece).strip())
    if m is None:
        return None
    n = parse_number(m.group("number"))
    return None if n is None else (n, m.group("unit") or "")


def _pieces(cell: str, line: Line, line_no: int, at: int = -1) -> Iterator[Token]:
    grid, cells = line.grid, line.cells is not None
    n = len(line.cells) if line.cells is not None else 0

    def tok(kind: str, text: str, value: int | float | None = None, unit: str = "") -> Token:
        return Token(kind, text, value, grid, line_no, unit, cells, at, n)

    for piece in cell.split():
        read = number_and_unit(piece)
        if read is not None:
            yield tok(NUMBER, piece, read[0], read[1])
            continue
        norm = unicodedata.normalize("NFKC", piece)
        if blank_mark(norm) or (cells and norm == NONE_WORD and cell.strip() == piece):
            yield tok(SLASH, piece)
            continue
        if cells:
            yield tok(TEXT, piece)  # a cell's text with digits is a label (``数据1``), not a number glued to one
            continue
        parts = glued_row(norm) or glued_number(norm)
        if parts is None:
            yield tok(TEXT, piece)
            continue
        for text, number in parts:
            if number is None:
                yield tok(TEXT, text)
            else:
                yield tok(NUMBER, text, number[0], number[1])


@heuristic("glued_number", "text")
def glued_number(piece: str) -> list[tuple[str, tuple[int | float, str] | None]] | None:
    """A number that lost its space to the label before it (``行政许可447228``): the label, then the number."""
    m = _GLUED.match(piece)
    if m is None or re.search(r"[第.、]$", m.group(1)) or INVENTED_HEADER.match(piece):
        return None  # “第2”, “1.”: an enumerator, not a number; ``数据1``: a header a conversion invented
    read = number_and_unit(m.group(2))
    return None if read is None else [(m.group(1), None), (m.group(2), read)]


# header cells a conversion to markdown invents for a table without a header row: ``数据1`` … ``数据6``, ``列3``,
# ``类别``, ``(数据项目)``
INVENTED_WORDS = r"(?:数据项目|数据|列|栏|项目|类别|类型|指标|数量|序号|col|column)\d{0,2}"
INVENTED_HEADER = re.compile(rf"^\(?{INVENTED_WORDS}\)?$", re.IGNORECASE)
# A digit run between two pieces of text; what follows it decides whether its last digit is a row's enumerator.
_RUN = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?")
_DATE_UNITS = frozenset("年月日号时")
_UNIT_AFTER = re.compile(r"^(?:万元|元|件|项|个)(?![\u3400-\u9fff])")
_ENUMERATOR_AFTER = re.compile(r"^[.、](?=[\u3400-\u9fff“\"(（])")


@heuristic("glued_row", "text")
def glued_row(piece: str) -> list[tuple[str, tuple[int | float, str] | None]] | None:
    """Labels and numbers a crawler printed with no space between them (``…申请数量640020470二、上年结转…``).

    Every digit run that touches text is a number of its own, except an enumerator and a date: a digit run
    followed by ``.`` or ``、`` and a label ends with the next row's enumerator (``00000001.本机关…`` is
    ``0000000`` and ``1.本机关…``: the rows of a group are numbered 1 to 8), ``2024年`` is a date, ``第2`` an
    ordinal. Which cells a run of digits holds is the table decoder's business (``glued_cells``); figures of a
    sentence split off the same way are not after any row's label, so they are no row's.
    """
    if INVENTED_HEADER.match(piece):
        return None
    runs = list(_RUN.finditer(piece))
    if not runs or (len(runs) == 1 and runs[0].start() == 0 and runs[0].end() == len(piece)):
        return None
    out: list[tuple[str, tuple[int | float, str] | None]] = []
    text_from = 0
    for m in runs:
        digits, decimals = m.group(1), m.group(2) or ""
        after = piece[m.end():]
        before = piece[:m.start()]
        enumerator = ""
        if not decimals and _ENUMERATOR_AFTER.match(after):
            digits, enumerator = digits[:-1], digits[-1]
        if not digits or after[:1] in _DATE_UNITS or before.endswith("第"):
            continue  # an enumerator of its own, a date (``2024年``), an ordinal (``第2``): text
        label = piece[text_from:m.start()]
        number = digits + decimals
        unit = _UNIT_AFTER.match(after)
        if unit and not enumerator:
            number += unit.group(0)
        read = number_and_unit(number)
        if read is None:
            return None
        if label:
            out.append((label, None))
        out.append((number, read))
        text_from = m.end() - len(enumerator) if enumerator else m.end() + (len(unit.group(0)) if unit and not
                                                                              enumerator else 0)
    rest = piece[text_from:]
    if rest:
        out.append((rest, None))
    return out if any(n is not None for _, n in out) else None


def blank_mark(norm: str) -> bool:
    """A piece (NFKC) that is an explicit blank: a slash or a dash."""
    return norm in _SLASHES or _DASHES.fullmatch(norm) is not None


@heuristic("none_word_blank", "text")
def none_words(tokens: list[Token]) -> list[Token]:
    """``无`` printed in a row's cells (``规章 无 无 无``, ``… 3 无 无 5``) is an explicit blank, like ``/``.

    In plain text ``无`` is also a piece of a wrapped label (``（四）无`` ‖ ``法提供``), so it is a cell only where
    the layout says so: right after a number or another blank of the row, or in a run of two or more. (In a
    table's cells, a cell that holds nothing but ``无`` is one, see ``_pieces``.)"""
    out = list(tokens)
    loose = [i for i, t in enumerate(out) if t.kind == TEXT and t.text == NONE_WORD]
    for i in loose:
        after_cell = i > 0 and out[i - 1].kind in (NUMBER, SLASH)
        in_run = (i + 1 < len(out) and out[i + 1].kind == TEXT and out[i + 1].text == NONE_WORD) or (
            i > 0 and out[i - 1].kind == SLASH and out[i - 1].text == NONE_WORD)
        if after_cell or in_run:
            out[i] = replace(out[i], kind=SLASH)
    return out


def line_tokens(line: Line, line_no: int) -> list[Token]:
    if line.cells is None:
        return none_words(list(_pieces(line.text, line, line_no)))
    out: list[Token] = []
    n = len(line.cells)
    for i, cell in enumerate(line.cells):
        if i in line.carried:
            if not cell.strip():
                out.append(Token(EMPTY, "", None, line.grid, line_no, cells=True, cell=i, ncells=n))
            elif parse_number(cell) is not None or blank_mark(unicodedata.normalize("NFKC", cell.strip())):
                out.append(Token(UNSURE, cell.strip(), None, line.grid, line_no, cells=True, cell=i, ncells=n))
            continue  # a label merged down from the row above is not printed again
        if not cell.strip():
            out.append(Token(EMPTY, "", None, line.grid, line_no, cells=True, cell=i, ncells=n))
        else:
            out.extend(_pieces(cell, line, line_no, i))
    return out


@heuristic("split_enumerator", "text")
def split_enumerator(prev: Token, tok: Token, before: Token | None = None) -> Token | None:
    """An enumerator split from its label (``1`` ‖ ``、申请人…``) is one label again. A number after another number
    of its line (``before``) is a row's last cell, not an enumerator: a scan's OCR that lost ``二`` of ``二、上年结转…``
    left ``… 95 0 0 0 0 95`` ‖ ``、上年结转…`` (洪泽区 2024 by RapidOCR)."""
    if before is not None and before.line == prev.line and before.kind == NUMBER:
        return None
    if (isinstance(prev.value, int) and 0 < prev.value < 100 and prev.text.isdigit()
            and _ENUMERATOR_REST.match(tok.text)):
        return replace(prev, kind=TEXT, text=prev.text + tok.text, value=None)
    return None


@heuristic("unit_apart", "text")
def unit_apart(prev: Token, tok: Token) -> Token | None:
    """A unit printed apart from its number on the same line (``12`` ‖ ``件``) belongs to the number."""
    unit = unicodedata.normalize("NFKC", tok.text)
    if not prev.unit and prev.line == tok.line and unit in UNITS:
        return replace(prev, text=prev.text + tok.text, unit=unit)
    return None


def _joins(prev: Token | None, tok: Token, before: Token | None = None) -> Token | None:
    """The token ``prev`` becomes when ``tok`` completes it, or ``None`` (``before``: the token before ``prev``)."""
    if prev is None or prev.kind != NUMBER or tok.kind != TEXT:
        return None
    return split_enumerator(prev, tok, before) or unit_apart(prev, tok)


@heuristic("number_between_grid_rows", "text")
def strays_in_grid(lines: Sequence[Line]) -> set[int]:
    """A bare number on a line of its own between two rows of a table printed with its cells (a page number
    where a page of the PDF or the Word file ended: ``…保护第三方合法权益 | 0 | … | 0`` ‖ ``7`` ‖ ``5.属于三类…
    | 0 | …``) is no cell: a row printed with its cells has them on its line. It was read as the row's last
    cell, or as the cell of an empty row above it."""
    out: set[int] = set()
    for i, line in enumerate(lines):
        if line.cells is None and _BARE_NUMBER.fullmatch(line.text):
            before = next((ln for ln in reversed(lines[max(0, i - STRAY_REACH):i]) if ln.text.strip()), None)
            after = next((ln for ln in lines[i + 1:i + 1 + STRAY_REACH] if ln.text.strip()), None)
            if before is not None and after is not None and before.cells is not None and after.cells is not None:
                out.add(i)
    return out


# blank lines looked across for the grid rows around a bare number (a page's end leaves one or two)
STRAY_REACH = 4


def tokens(lines: Sequence[Line], start: int = 0) -> list[Token]:
    """Tokens of consecutive lines, split pieces joined back (see ``_joins``)."""
    out: list[Token] = []
    strays = strays_in_grid(lines)
    for i, line in enumerate(lines):
        if i in strays:
            continue
        for tok in line_tokens(line, start + i):
            joined = _joins(out[-1] if out else None, tok, out[-2] if len(out) > 1 else None)
            if joined is not None:
                out[-1] = joined
            else:
                out.append(tok)
    return out


@dataclass(frozen=True)
class DocumentTokens:
    """The tokens of a whole document, made once; a region's tokens are a slice of them.

    Tables whose heading is missing are looked for across wide regions of the document; slicing one
    tokenisation keeps that linear in the document's size however many tables are looked for.
    """

    items: tuple[Token, ...]
    lines: tuple[int, ...]  # the line of each token, for bisection

    @classmethod
    def of(cls, lines: Sequence[Line]) -> DocumentTokens:
        items = tuple(tokens(lines))
        return cls(items, tuple(t.line for t in items))

    def region(self, a: int, b: int) -> list[Token]:
        """The tokens of lines ``a`` to ``b - 1``."""
        return list(self.items[bisect_left(self.lines, a):bisect_left(self.lines, b)])

"""Where a PDF table's numbers sit: cells for the rows whose blank cells the text alone would lose.

A PDF's text layer gives each table row as its label and the numbers it prints; a blank cell prints nothing,
so ``二、上年结转政府信息公开申请数量 3 3`` could be any two of seven columns. The page knows better: every
character has its box. The columns of a table are the horizontal bands its column headings and its numbers
occupy, line after line; a row that prints fewer numbers than the table has bands is written with a cell for
every band (``…数量→3→→→→→→3``), and the table reader reads it by position (``separator_positions``).

Only such rows change: a row that prints a number in every band, and every line that is not a table row, is
the text exactly as PDFium lays it out, so a PDF still reads exactly as its copied text does.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .heuristics import heuristic

# Characters further apart than this many times their height start a new word (a PDF sets a table's cells
# apart by far more than a character's width; the characters of one word or number touch).
WORD_GAP = 0.6
# A table's numbers are in a run of lines: a line without a number between two table rows is a wrapped label,
# more than this many such lines in a row end the table.
MAX_TEXT_LINES_IN_TABLE = 4
# The column headings are the short lines right above a table's first row of numbers: a browser's PDF of a page
# whose headings wrap prints them column by column, two lines each (``商业`` ‖ ``企业`` ‖ ``科研`` ‖ ``机构`` …,
# seventeen lines for table 三); a longer line (the 勾稽关系 note, prose) ends them.
HEADING_LINES = 24
HEADING_MAX_CHARS = 12
# A vertical label prints one or two characters a line (``三 、`` ‖ ``本 年`` ‖ ``度 办`` …): such lines do not end a
# table, however many.
VERTICAL_PIECE_CHARS = 2
# A table needs this many columns and rows of numbers for its bands to mean columns.
MIN_BANDS = 3
MIN_ROWS = 2
# ``print_margins``: a browser prints its header (date, title) and footer (address, ``2/6``) within about a third
# of an inch of the paper's edge (Chromium: 17–23 pt from the bottom, 770–776 pt on a 792 pt page); a report's
# own text, page numbers included, keeps further in (Word's default margin is an inch, a 公文's page number sits
# 7 mm under a text area 35 mm from the bottom edge).
PRINT_MARGIN = 25.0
MAX_LABEL_CHARS = 60  # the longest row label of the form has 40 characters: more before the numbers is prose
_NUMBER = re.compile(r"^[+\-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:万元|元|件|项|个)?$")


@dataclass(frozen=True)
class Word:
    text: str
    left: float
    right: float

    @property
    def number(self) -> bool:
        return bool(_NUMBER.match(self.text))


class PageLine:
    """A line as PDFium lays it out; its words and their boxes are looked up only when asked for."""

    def __init__(self, text: str, chars: Sequence[int], textpage: Any) -> None:
        self.text = text
        self._chars = chars  # the index on the page of each character of ``text``
        self._textpage = textpage
        self._words: list[Word] | None = None

    @property
    def words(self) -> list[Word]:
        if self._words is None:
            boxes: list[tuple[str, tuple[float, float, float, float] | None]] = []
            for ch, i in zip(self.text, self._chars, strict=True):
                box = None if ch.isspace() else tuple(self._textpage.get_charbox(i))
                boxes.append((ch, box))
            self._words = _words(boxes)
        return self._words

    @property
    def numbers(self) -> list[Word]:
        return [w for w in self.words if w.number]

    @property
    def row(self) -> bool:
        """A table row: numbers, and nothing but numbers after the first (a sentence goes on after its figures)."""
        if not any(ch.isdigit() for ch in self.text):
            return False  # most lines: no box is looked up
        first = next((k for k, w in enumerate(self.words) if w.number), None)
        return first is not None and all(w.number for w in self.words[first:]) and len(
            "".join(w.text for w in self.words[:first])) <= MAX_LABEL_CHARS


def page_lines(textpage: Any, height: float | None = None) -> list[PageLine]:
    """The page's lines as PDFium lays them out, without what is printed in its outer margins (``print_margins``)."""
    count = textpage.count_chars()
    text: str = textpage.get_text_range(0, count) if count else ""
    margin = _in_margins(textpage, count, height) if height else frozenset()
    lines: list[PageLine] = []
    chars: list[int] = []
    line: list[str] = []
    for i, ch in enumerate(text[:count]):
        if ch == "\n":
            lines.append(PageLine("".join(line), chars, textpage))
            line, chars = [], []
        elif ch != "\r" and i not in margin:
            line.append(ch)
            chars.append(i)
    lines.append(PageLine("".join(line), chars, textpage))
    return lines


@heuristic("print_margins", "text")
def _in_margins(textpage: Any, count: int, height: float) -> frozenset[int]:
    """Characters printed within ``PRINT_MARGIN`` points of the page's top or bottom edge: what a browser adds
    when it prints a page (the date, the page's title, its address and ``2/6``), no text of the report. Only a
    page with text there has its characters' boxes looked up."""
    top = textpage.get_text_bounded(bottom=height - PRINT_MARGIN)
    bottom = textpage.get_text_bounded(top=PRINT_MARGIN)
    if not (top.strip() or bottom.strip()):
        return frozenset()
    out = set()
    for i in range(count):
        _, low, _, high = textpage.get_charbox(i)
        if low >= height - PRINT_MARGIN or high <= PRINT_MARGIN:
            out.add(i)
    return frozenset(out)


def _words(chars: Sequence[tuple[str, tuple[float, float, float, float] | None]]) -> list[Word]:
    out: list[Word] = []
    cur: list[tuple[str, tuple[float, float, float, float]]] = []
    for ch, box in chars:
        if box is None:
            if cur:
                out.append(_word(cur))
                cur = []
            continue
        if cur:
            prev = cur[-1][1]
            height = max(prev[3] - prev[1], box[3] - box[1], 1.0)
            if box[0] - prev[2] > WORD_GAP * height:
                out.append(_word(cur))
                cur = []
        cur.append((ch, box))
    if cur:
        out.append(_word(cur))
    return out


def _word(chars: Sequence[tuple[str, tuple[float, float, float, float]]]) -> Word:
    return Word("".join(c for c, _ in chars), min(b[0] for _, b in chars), max(b[2] for _, b in chars))


@heuristic("pdf_cell_positions", "text")
@dataclass
class Columns:
    """The columns of the last table read so far: a table that goes on over a page break, or after a long wrapped
    label, has no headings of its own there (``table_over_pages``)."""

    bands: list[tuple[float, float]] | None = None
    label_edge: float = 0.0


def with_cells(lines: list[PageLine], carried: Columns | None = None) -> list[str]:
    """The page's lines; a table row that prints fewer numbers than its table has columns gets a cell for each.

    A table is a run of lines with numbers (wrapped labels between them allowed); its columns are the bands the
    column headings above it and its numbers occupy, merged where they overlap. A row is rewritten only when
    each of its numbers falls in a band of its own right of its label. ``carried`` holds the columns of the last
    table of the page before, for a table that begins this page, and is updated for the next.
    """
    out = [ln.text for ln in lines]
    for first, last in _tables(lines):
        rows = [i for i in range(first, last + 1) if lines[i].row]
        label_edge = max((_label_edge(lines[i]) for i in rows), default=0.0)
        if not label_edge and carried is not None and carried.bands:
            label_edge = carried.label_edge  # rows whose labels are on lines of their own: the table's label column
        numbered = _bands([(w.left, w.right) for i in rows for w in lines[i].numbers if w.left >= label_edge])
        top = first
        while top > max(0, first - HEADING_LINES) and len(lines[top - 1].text.replace(" ", "")) <= HEADING_MAX_CHARS:
            top -= 1
        headings = [(w.left, w.right) for i in range(top, first)
                    for w in lines[i].words if w.left >= label_edge and not w.number]
        headings = _without_groups(headings)
        # a heading over no column of numbers is a column the table leaves blank; one over several spans them
        empty = [h for h in headings if not any(h[0] < b and a < h[1] for a, b in numbered)]
        bands = sorted(numbered + _bands(empty))
        if carried is not None and carried.bands and len(bands) < len(carried.bands) and _continues(
                numbered, carried):
            bands, label_edge = carried.bands, carried.label_edge  # ``table_over_pages``
        if carried is not None:
            carried.bands, carried.label_edge = (bands, label_edge) if len(bands) >= MIN_BANDS else (None, 0.0)
        if len(bands) < MIN_BANDS or len(rows) < MIN_ROWS:
            continue
        for i in rows:
            cells = _cells(lines[i], bands, label_edge)
            if cells is not None:
                out[i] = cells
    return out


# A column's heading printed wider than its cell reaches into its two neighbours' at most: one that reaches over
# this many headings apart from each other spans columns
GROUP_REACH = 3


@heuristic("column_group_heading", "text")
def _without_groups(headings: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """Headings without those over a group of columns (``法人或其他组织`` over the five columns of its kinds): a
    heading whose span holds two headings apart from each other, or reaches over ``GROUP_REACH`` of them (a group
    heading centred over narrow columns, and narrower than they are together: Word's PDF of a page with the five
    kinds wrapped in their cells), names no column of its own, and merged with them it would make the five one.
    (Headings inside it that overlap are one column: ``社 会`` ‖ ``组织``.)"""
    def group(outer: tuple[float, float]) -> bool:
        inner = _bands([h for h in headings if outer[0] <= h[0] and h[1] <= outer[1] and h != outer])
        reached = [h for h in headings if h[0] < outer[1] and outer[0] < h[1] and h != outer]
        return len(inner) >= 2 or _apart(reached) >= GROUP_REACH

    return [h for h in headings if not group(h)]


def _apart(spans: Sequence[tuple[float, float]]) -> int:
    """How many of ``spans`` can be chosen with no two overlapping (the earliest-ending first: the most there are)."""
    count, end = 0, float("-inf")
    for left, right in sorted(spans, key=lambda s: s[1]):
        if left >= end:
            count, end = count + 1, right
    return count


@heuristic("table_over_pages", "text")
def _continues(numbered: Sequence[tuple[float, float]], carried: Columns) -> bool:
    """A run of table rows with fewer columns than the run before it (no headings of its own: only its wrapped
    labels above it, at the top of a page or after a label of six lines) goes on with that run's columns when every
    column of its numbers lies within one of them (a browser or Word prints every page of a table at the same
    place)."""
    assert carried.bands is not None
    return all(sum(1 for a, b in carried.bands if a <= left and right <= b) == 1 for left, right in numbered)


def _tables(lines: Sequence[PageLine]) -> list[tuple[int, int]]:
    """Runs of lines with numbers, text-only lines between them allowed up to ``MAX_TEXT_LINES_IN_TABLE``."""
    out: list[tuple[int, int]] = []
    start = last = None
    gap = 0
    for i, ln in enumerate(lines):
        if ln.row:
            if start is None:
                start = i
            last, gap = i, 0
        elif start is not None and len(ln.text.replace(" ", "")) <= VERTICAL_PIECE_CHARS and not any(
                ch.isdigit() for ch in ln.text):
            continue  # a piece of a vertical label
        elif start is not None:
            gap += 1
            if gap > MAX_TEXT_LINES_IN_TABLE:
                out.append((start, last if last is not None else start))
                start = last = None
                gap = 0
    if start is not None:
        out.append((start, last if last is not None else start))
    return out


def _label_edge(line: PageLine) -> float:
    """Where the row's label ends: the right edge of the words before its first number."""
    edge = 0.0
    for w in line.words:
        if w.number:
            break
        edge = max(edge, w.right)
    return edge


def _bands(intervals: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    bands: list[list[float]] = []
    for left, right in sorted(intervals):
        if bands and left <= bands[-1][1]:
            bands[-1][1] = max(bands[-1][1], right)
        else:
            bands.append([left, right])
    return [(a, b) for a, b in bands]


def _cells(line: PageLine, bands: Sequence[tuple[float, float]], label_edge: float) -> str | None:
    numbers = [w for w in line.numbers if w.left >= label_edge]
    if len(numbers) >= len(bands) or len(numbers) != len(line.numbers):
        return None  # a full row (read as printed), or a number inside the label
    at: dict[int, Word] = {}
    for w in numbers:
        hit = [k for k, (a, b) in enumerate(bands) if w.left < b and a < w.right]
        if len(hit) != 1 or hit[0] in at:
            return None
        at[hit[0]] = w
    label = "".join(w.text for w in line.words if w.right <= label_edge or (not w.number and w.left < bands[0][0]))
    return "\t".join([label, *(at[k].text if k in at else "" for k in range(len(bands)))])

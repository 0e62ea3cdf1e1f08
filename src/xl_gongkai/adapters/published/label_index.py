"""Stage 1 of reading a table: where the text names each of its rows (the label index).

A table's region is read as one string: the normalised text of its printed items joined together, with
every number, blank and empty cell sitting *between* two characters of it. A row's label broken over
lines, wrapped around a merged group label or split by the numbers printed in its middle is therefore
one run of characters, and it is found by plain string search, without a special case for each of these.

What this module knows:

* the table's **units** — a row printed on a line of its own, or the rows that share one printed line
  (表四's 行政复议 / 未经复议直接起诉 / 复议后起诉, fifteen numbers after one header) — in the form's order;
* every **hit**: a place where the joined text prints a unit's label (official, a known variant, the label
  without its enumerator, a long prefix cut short by the numbers, or one edit away), with how good it is;
* the **table's own texts** (group labels, column labels, the header notes) that are neither a row nor
  foreign text, so a header repeated after a page break or a group label wrapped around the rows is
  recognised as such.

The row scanner (``row_scanner``) chooses among the hits; nothing here decides which hit is the row.
"""

from __future__ import annotations

import copy
import math
import re
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

from ...spec import Column, Form, Row, Table
from ...spec.a1 import column_index
from .heuristics import heuristic
from .labels import MAX_EDIT, nearest_label
from .text import INVENTED_WORDS, NUMBER, TEXT, Token

# How good a hit is. A label printed as the form prints it, or as a variant the spec lists, is certain; the
# others are inferences said in an I5 (or I4) finding. The scanner prefers a chain that finds more rows, then
# one whose hits are better.
EXACT = 4  # the official label or a synonym of the spec
BARE = 3  # the label without its enumerator (``予以公开`` for ``（一）予以公开``), when no other label has that text
CUT = 2  # a long prefix of the label, the rest printed elsewhere (``label_cut_short``)
EDITED = 1  # one edit away from exactly one label of the table (``label_one_edit``)

# A label stripped of its enumerator must keep this many characters to stand for its row: ``重复申请`` (4) is
# unmistakable in table 三, ``其他`` (from ``3.其他``) is a column's name too.
BARE_MIN_CHARS = 4
# ``label_cut_short``: a prefix of at least this many characters and half the label.
CUT_MIN_CHARS = 6
# Text of more characters than any label of the form, or a sentence, is prose: the text that carries the
# one-edit comparison is at most this long (``_ADDED_ROW_MAX`` in the row scanner bounds added rows alike).
EDIT_MAX_CHARS = 40
# Places where a damaged label (cut short, one edit away) is sought, per table: a table has about thirty rows, so
# a region with more uncovered label ends than this is not a table whose damaged labels are worth the search.
MAX_DAMAGED_LABEL_ENDS = 400
# A region that repeats one label endlessly (a hostile text) yields at most this many hits per label: a real
# table prints a label once, a page that carries two copies of the table twice.
MAX_HITS_PER_VARIANT = 64

# ``header_wrapped_across_cells``: a column label a PDF wraps in its cell (``结果`` ‖ ``维持``) is read line by
# line across the header, so the text holds the first halves of several labels, then the second halves
# (``结果结果其他尚未`` … ``维持纠正结果审结``). A half of at least this many characters is a piece of the header;
# a single character (``果``) could be any word's.
WRAPPED_PIECE_MIN_CHARS = 2
# Brackets and separators around a table's own texts (``行政复议（结果维持``, ``总计）``) say nothing of their own.
PUNCTUATION = str.maketrans("", "", "()（）[]【】:：,，、;；/／|｜")
# A merged cell's letters down the lines' starts are taken as such when they spell three letters of a group label or
# more (``（六）`` ‖ ``其他处`` ‖ ``理``; ``三`` ‖ ``、`` ‖ ``本`` ‖ …): two letters could be any row's words.
MERGED_LETTERS_MIN = 3
MERGED_LETTERS_GAP = 2  # lines of the rows' own text between two of its items (a label wrapped beside it)
# header cells a conversion invented (``类别 数据1 … 数据6``), printed one after another
_INVENTED = re.compile(rf"(?:{INVENTED_WORDS})+", re.IGNORECASE)
# The commas and semicolons of a sentence's enumeration: after ``538件`` they begin the next item of the list, never
# a row's label — also when the item goes on with words of the table's header before the label (狮子山街道 2025:
# ``处理行政许可决定数量1972件;处理行政处罚数量19件,处理行政强制数量10件``, ``处理`` being a word of
# ``本年处理决定数量``; the table itself was cut off the page, and the sentence's figures are no table's cells).
_ENUMERATION = "、，,;；"
# … and after a count whose measure word is no cell's unit (``其中政策文件14条、行政许可93条``: 来宾市卫健委 2023,
# part 一's list of what the site published, read as table 二's 行政许可 on a page cut before table 二): a row's label
# never begins with a measure word, while a row enumerator after a number (``1、本机关不掌握…``) is a label still.
_LISTED_AFTER_COUNT = re.compile(r"^[条篇次宗份期场家名人户起批封]{1,2}[、，,;；]")
_ENUMERATOR = re.compile(r"^(?:\([一二三四五六七八九十]+\)|[一二三四五六七八九十]+、|\d{1,2}\.)")
# the same, on a label as the spec spells it (full-width brackets): what a row printed without its enumerator shows
_SHOWN_ENUMERATOR = re.compile(r"^(?:[(（][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+、|\d{1,2}[.．、])")


@dataclass(frozen=True)
class Variant:
    """One way a unit's label is printed, normalised."""

    unit: int
    text: str  # as the spec writes it (shown in findings)
    norm: str
    quality: int
    official: bool


@dataclass(frozen=True)
class Unit:
    """A printed row of the table: one row of the form, or the rows sharing one line (a band)."""

    index: int
    rows: tuple[Row, ...]
    columns: tuple[Column, ...]  # in printed order; a band's rows one after the other

    @property
    def key(self) -> str:
        return self.rows[0].key

    @property
    def band(self) -> bool:
        return len(self.rows) > 1

    @property
    def width(self) -> int:
        return len(self.columns)

    def widths(self, table: Table) -> list[int]:
        return [len(ordered_columns(table, r)) for r in self.rows]


@dataclass(frozen=True)
class Hit:
    """A place where the region's joined text prints a unit's label."""

    unit: int
    start: int
    end: int
    quality: int
    printed: str  # the normalised text matched
    variant: Variant | None  # None for a band found by its column labels


def ordered_columns(table: Table, row: Row) -> list[Column]:
    """A row's columns in the order they are printed: the layout's left-to-right order."""
    return sorted(table.columns_of(row), key=lambda c: column_index(c.at))


@heuristic("shared_line_rows", "table")
def units_of(table: Table) -> list[Unit]:
    """The table's printed rows in the form's order: rows sharing a layout line (表四) make one unit."""
    by_line: dict[int, list[Row]] = {}
    for row in table.rows:
        by_line.setdefault(row.at, []).append(row)
    out: list[Unit] = []
    seen: set[int] = set()
    for row in table.rows:
        if row.at in seen:
            continue
        seen.add(row.at)
        rows = sorted(by_line[row.at], key=lambda r: r.offset)
        cols = tuple(c for r in rows for c in ordered_columns(table, r))
        out.append(Unit(len(out), tuple(rows), cols))
    return out


@dataclass(frozen=True)
class Region:
    """A table region's items and their joined normalised text."""

    tokens: tuple[Token, ...]
    norms: tuple[str, ...]  # the normalised text of each token ("" for numbers and blanks)
    offsets: tuple[int, ...]  # where each token begins in ``text`` (a number sits at an offset, zero wide)
    text: str

    @classmethod
    def of(cls, tokens: Sequence[Token], norm: Callable[[str], str],
           inserted: Callable[[str], bool] = lambda _: False, dropped: frozenset[int] = frozenset()) -> Region:
        """``inserted``: items to leave out of the joined text (a group label's pieces inside a row's label);
        ``dropped``: the same, by their places among the tokens (``LabelIndex.merged_cell_letters``)."""
        norms, offsets, at = [], [], 0
        for i, t in enumerate(tokens):
            n = norm(t.text) if t.kind == TEXT else ""
            if n and (i in dropped or inserted(n)):
                n = ""
            norms.append(n)
            offsets.append(at)
            at += len(n)
        return cls(tuple(tokens), tuple(norms), tuple(offsets), "".join(norms))

    @cached_property
    def starts(self) -> list[int]:
        """Offsets where a printed text item begins."""
        return [o for o, n in zip(self.offsets, self.norms, strict=True) if n]

    @cached_property
    def item_at(self) -> list[int]:
        """For each character of ``text``, the index of the token it was printed in."""
        out: list[int] = []
        for i, n in enumerate(self.norms):
            out.extend([i] * len(n))
        return out


class LabelIndex:
    """Every label text of one table (rows, bands, groups, columns, header notes), normalised once."""

    def __init__(self, form: Form, table: Table, norm: Callable[[str], str], *, headed: bool) -> None:
        self.form = form
        self.table = table
        self.norm = norm
        self.headed = headed
        self.units = units_of(table)
        self.unit_of_row = {r.key: u.index for u in self.units for r in u.rows}
        self.variants = self._variants()
        # each variant's letters without punctuation, with its unit and quality (the grid reader's anchors)
        self.cores = [(v.norm.translate(PUNCTUATION), v.unit, v.quality) for v in self.variants]
        self._table_text: dict[tuple[str, bool], bool] = {}  # a long table repeats its row texts
        self.group_norms = [norm(g.label) for g in table.row_groups] + [
            norm(s) for g in table.row_groups for s in g.synonyms]
        self.group_chars = set("".join(self.group_norms))
        texts = [*self.group_norms]
        texts += [norm(x) for c in table.columns for x in (c.label, *c.synonyms)]
        texts += [norm(x) for g in table.column_groups for x in (g.label, *g.synonyms)]
        texts += [norm(lab.text) for lab in table.labels if lab.kind == "text"]
        # the heading of the table's own section: a table may begin on its heading's line
        texts += [norm(x) for sec in form.sections if sec.table == table.key for x in (sec.heading, *sec.synonyms)]
        self.table_texts = sorted({t.translate(PUNCTUATION) for t in texts if t} - {""}, key=len, reverse=True)
        self.row_texts = sorted({v.norm for v in self.variants}, key=len, reverse=True)
        columns = {norm(x).translate(PUNCTUATION) for c in table.columns for x in (c.label, *c.synonyms)}
        self.column_pieces = frozenset(
            piece for t in columns for cut in range(WRAPPED_PIECE_MIN_CHARS, len(t) - WRAPPED_PIECE_MIN_CHARS + 1)
            for piece in (t[:cut], t[cut:])) | columns
        self.table_texts_and_rows = sorted({*self.table_texts, *(t.translate(PUNCTUATION) for t in self.row_texts)},
                                           key=len, reverse=True)
        self.by_length: dict[int, list[tuple[str, str]]] = {}  # for the one-edit comparison
        for v in self.variants:
            if v.quality == EXACT:
                self.by_length.setdefault(len(v.norm), []).append((f"unit:{v.unit}", v.norm))
        for t in self.table_texts:
            if t not in self.row_texts:
                self.by_length.setdefault(len(t), []).append((f"other:{t}", t))

    def _variants(self) -> list[Variant]:
        out: list[Variant] = []
        exact: list[tuple[int, str, str, bool]] = []
        for u in self.units:
            names: list[tuple[str, bool]] = []
            for r in u.rows:
                names += [(r.label, True), *((s, False) for s in r.synonyms)]
            if u.band:
                names += [(self.table.row_group(r.group).label, False) for r in u.rows if r.group]
            for text, official in dict.fromkeys(names):
                n = self.norm(text)
                if n:
                    exact.append((u.index, text, n, official))
        out += [Variant(ui, text, n, EXACT, official) for ui, text, n, official in exact]
        bare: dict[str, set[int]] = {}
        shown: dict[tuple[int, str], str] = {}
        for ui, text, n, _ in exact:
            stripped = _ENUMERATOR.sub("", n)
            if stripped != n and len(stripped) >= BARE_MIN_CHARS:
                bare.setdefault(stripped, set()).add(ui)
                shown[(ui, stripped)] = _SHOWN_ENUMERATOR.sub("", text)  # as printed: without it (I4 says so)
        every = [n for _, _, n, _ in exact] + [self.norm(x) for c in self.table.columns for x in (c.label, *c.synonyms)]
        every += [self.norm(g.label) for g in (*self.table.row_groups, *self.table.column_groups)]
        for stripped, units in bare.items():
            if len(units) != 1 or any(stripped in e and e != stripped and not e.endswith(stripped) for e in every):
                continue  # the bare text is another label's too, or part of another label: no unit of its own
            (only,) = units
            out.append(Variant(only, shown[(only, stripped)], stripped, BARE, False))
        return out

    # ------------------------------------------------------------------------------------------ hits

    @heuristic("mention_in_prose", "label")
    def starts_a_label(self, region: Region, pos: int) -> bool:
        """A label begins where a printed item begins, or after the table's own texts printed on the same item.

        ``规章`` inside the sentence ``年制发规章 1 件`` is a mention, not the row ``规章``; in
        ``（三）不予公开1.属于国家秘密`` the row label follows a group label printed on the same item, and in a
        table a crawler printed without a space a label follows the column headings or another row's label.
        """
        starts = region.starts
        lo, hi = 0, len(starts)
        while lo < hi:  # the last item start at or before pos
            mid = (lo + hi) // 2
            if starts[mid] <= pos:
                lo = mid + 1
            else:
                hi = mid
        before = starts[lo - 1] if lo else 0
        lead = region.text[before:pos]
        if lead and lead[0] in _ENUMERATION and self._after_number(region, before, counted=True):
            return False  # ``行政许可26768件、行政处罚538件``: a sentence's enumeration, not a row
        if _LISTED_AFTER_COUNT.match(lead) and self._after_number(region, before):
            return False  # ``政策文件14条、行政许可93条``: the same
        return all(ch in self.group_chars for ch in lead) or self.is_table_text(lead, rows=True)

    @staticmethod
    def _after_number(region: Region, item_start: int, *, counted: bool = False) -> bool:
        """The item at ``item_start`` follows a number (``counted``: printed with its unit, ``538件``)."""
        i = region.item_at[item_start] if item_start < len(region.item_at) else -1
        return i > 0 and region.tokens[i - 1].kind == NUMBER and (bool(region.tokens[i - 1].unit) or not counted)

    def hits(self, region: Region) -> list[Hit]:
        """Every place the region names a unit: exact and variant labels, then the inferred kinds."""
        text = region.text
        out: list[Hit] = []
        for v in sorted(self.variants, key=lambda v: (len(v.norm), v.quality), reverse=True):
            pos, count = text.find(v.norm), 0
            while pos >= 0 and count < MAX_HITS_PER_VARIANT:
                end = pos + len(v.norm)
                if self.starts_a_label(region, pos) and not _inside(out, pos, end):
                    out.append(Hit(v.unit, pos, end, v.quality, v.norm, v))
                    count += 1
                pos = text.find(v.norm, pos + 1)
        out += self._band_by_columns(region)
        out += self._cut_and_edited(region, out)
        return sorted(out, key=lambda h: (h.start, -h.end))

    @heuristic("shared_header_by_columns", "table")
    def _band_by_columns(self, region: Region) -> list[Hit]:
        """A band's header found by its column labels repeated once per row (表四 without its 行政复议 line)."""
        if not self.headed:
            return []
        out = []
        for u in self.units:
            if not u.band:
                continue
            joined = "".join(self.norm(c.label) for c in u.columns)
            pos = region.text.find(joined)
            if pos >= 0:
                out.append(Hit(u.index, pos, pos + len(joined), CUT, joined, None))
        return out

    def _cut_and_edited(self, region: Region, exact: Sequence[Hit]) -> list[Hit]:
        """Labels the text prints damaged: cut short by the numbers, or one edit away.

        Sought only where numbers follow text that no label found so far covers, and at most
        ``MAX_DAMAGED_LABEL_ENDS`` places per table.
        """
        text = region.text
        covered = bytearray(len(text) + 1)  # characters inside a label found so far
        for h in exact:
            covered[h.start:h.end] = b"\x01" * (h.end - h.start)
        out: list[Hit] = []
        # where a label can end: at a number that follows text, or at the region's end
        ends: list[int] = []
        previous_text = False
        for t, o in zip(region.tokens, region.offsets, strict=True):
            if t.kind == TEXT:
                previous_text = True
            elif previous_text:
                ends.append(o)
                previous_text = False
        ends.append(len(text))
        starts = region.starts
        tried = 0
        for end in ends:
            if end == 0 or covered[end - 1] or tried >= MAX_DAMAGED_LABEL_ENDS:
                continue
            tried += 1
            cut = self._cut_short(region, end)
            if cut is not None and not any(covered[cut.start:cut.end]):
                out.append(cut)
                covered[cut.start:cut.end] = b"\x01" * (cut.end - cut.start)
                continue
            lo, hi = bisect_left(starts, end - EDIT_MAX_CHARS), bisect_left(starts, end)
            for pos in starts[lo:hi]:
                if any(covered[pos:end]) or not self.starts_a_label(region, pos):
                    continue
                edited = self._one_edit(text[pos:end])
                if edited is not None:
                    out.append(Hit(edited.unit, pos, end, EDITED, text[pos:end], edited))
                    covered[pos:end] = b"\x01" * (end - pos)
                    break
        return out

    @heuristic("label_cut_short", "label")
    def _cut_short(self, region: Region, end: int) -> Hit | None:
        """A label cut short by the numbers (a PDF put the rest of it after them): a long prefix of one label only."""
        text = region.text
        found: list[tuple[int, Variant]] = []
        for v in self.variants:
            if v.quality != EXACT:
                continue
            shortest = max(CUT_MIN_CHARS, math.ceil(len(v.norm) * 0.5))
            for size in range(len(v.norm) - 1, shortest - 1, -1):
                if end >= size and text.startswith(v.norm[:size], end - size) and self.starts_a_label(
                        region, end - size):
                    found.append((size, v))
                    break
        if not found:
            return None
        found.sort(key=lambda f: f[0], reverse=True)
        size, v = found[0]
        if any(f[1].unit != v.unit and f[0] == size for f in found[1:]):
            return None
        return Hit(v.unit, end - size, end, CUT, text[end - size:end], v)

    def _one_edit(self, printed: str) -> Variant | None:
        """The unit whose label the printed text is one edit from (see ``labels.nearest_label``), if only one."""
        size = len(printed)
        near = [x for n in range(size - MAX_EDIT, size + MAX_EDIT + 1) for x in self.by_length.get(n, ())]
        key = nearest_label(printed, near) if near else None
        if key is None or not key.startswith("unit:"):
            return None
        unit = int(key[5:])
        return next(v for v in self.variants if v.unit == unit and v.official)

    @heuristic("group_label_pieces", "label")
    def group_piece(self, text: str) -> bool:
        """A piece of a merged group label printed inside a row's label (PDF: ``2、申请人逾期未按收费通知要`` ‖
        ``他处理`` ‖ ``求缴纳费用…``): left out of the joined text, so the row's label is whole again.

        Only a line of its own, of two characters or more, that is part of a group label and of no row label.
        """
        if len(text) < 2 or any(text in r for r in self.row_texts):
            return False
        return any(text in g for g in self.group_norms) and text not in self.group_norms

    @heuristic("merged_cell_letters", "label")
    def merged_cell_letters(self, tokens: Sequence[Token]) -> frozenset[int]:
        """The letters of a merged group cell, printed at the starts of the lines down its rows: left out.

        A PDF's text puts the merged cell's text beside the rows it spans, a few letters a line, each line's first
        item: ``（六）`` ‖ ``其他处 2.申请人逾期未按收费`` ‖ ``理 通知要求缴纳费用、行`` (平潭 2023's page printed
        to PDF by Chrome, as pdfplumber extracts it) put ``理`` inside the label of （六）2.; printed by LibreOffice,
        ``度办`` ‖ ``（二）部分公开（区分`` ‖ ``理结`` ‖ ``处理的，只计这一情 19 1 0 0 0 0 20``. Each line's first item,
        when it is the line's only item or text follows it, is such a letter when, with those of the lines before
        it, it spells the start of a group label (read down from its first letter, as the cell prints it; a wrapped
        label's ``）予`` ‖ ``公开`` spells 予公开 of （三）不予公开, but not from its start), ``MERGED_LETTERS_MIN``
        letters or more in two items or more (a
        run's later letters may have numbers after them: ``（三`` ‖ ``）不`` ‖ ``予公 5.属于三类内部`` ‖ ``开 0 0 0 0 0
        0 0`` ‖ ``事务信息``). Lines of numbers, labels printed with their numbers and at most
        ``MERGED_LETTERS_GAP`` other lines of text may stand between two of its items (the rows' own lines beside
        the merged cell).
        """
        cores = [g.translate(PUNCTUATION) for g in self.group_norms]
        found: set[int] = set()
        run: list[int] = []
        spelt = ""
        gap = 0

        def close() -> None:
            if len(spelt) >= MERGED_LETTERS_MIN and len(run) >= 2:
                found.update(run)

        lines: dict[int, list[int]] = {}  # each line's tokens, by their places (a region's tokens are in order)
        for i, t in enumerate(tokens):
            lines.setdefault(t.line, []).append(i)
        for line in sorted(lines):
            places = lines[line]
            if all(tokens[j].kind != TEXT for j in places):
                continue  # a line of numbers between the rows: the merged cell's letters go on below it
            i = places[0]
            items = [tokens[j] for j in places[:2]]
            lead = items[0]
            letters = self.norm(lead.text).translate(PUNCTUATION) if lead.kind == TEXT else None
            if letters is not None and run and (any(c.startswith(spelt + letters) for c in cores) if letters
                                                else gap == 0):
                run.append(i)  # the next letters (``开 0 0 0 …``, numbers after them too), or punctuation right
                # after them (``三`` ‖ ``、`` ‖ ``本``; a comma further down is a wrapped label's)
                spelt += letters
                gap = 0
                continue
            piece = letters if len(items) == 1 or items[1].kind == TEXT else None  # a run starts with text only
            if piece and any(c.startswith(piece) for c in cores):  # a group label's first letters: a run of its own
                close()
                run, spelt, gap = [i], piece, 0
                continue
            gap += piece is not None and piece != ""
            if gap > MERGED_LETTERS_GAP:
                close()
                run, spelt, gap = [], "", 0
        close()
        return frozenset(found)

    def groups_without_rows(self, found: set[int]) -> dict[str, str]:
        """Row groups none of whose rows the text prints, whose rows are counts (not totals): group → label.

        Such a group's label followed by numbers is the group printed as one row (``group_printed_as_row``).
        """
        out = {}
        for g in self.table.row_groups:
            members = [u for u in self.units if any(r.group == g.key for r in u.rows)]
            if not members or any(u.index in found for u in members):
                continue
            if any(r.sum_of for u in members for r in u.rows):
                continue
            out[g.key] = self.norm(g.label)
        return out

    # ------------------------------------------------------------------------------------------ text kinds

    @heuristic("table_own_text", "label")
    def is_table_text(self, text: str, *, rows: bool = False) -> bool:
        """Text the table prints that is no row: a group or column label, a header note, or a piece of one.

        A header repeated after a page break (``申请人情况 自然人 法人或其他组织 …``), a group label wrapped
        around its rows (``（四）无`` ‖ … ‖ ``法提供``) and a column label a PDF broke into pieces (``商 业 企``
        ‖ ``业``) are all such text.
        """
        known = self._table_text.get((text, rows))
        if known is None:
            known = self._table_text[(text, rows)] = self._is_table_text(text, rows=rows)
        return known

    def _is_table_text(self, text: str, *, rows: bool) -> bool:
        text = text.translate(PUNCTUATION)
        if not text or _INVENTED.fullmatch(text):
            return True
        if any(text in t for t in self.table_texts):
            return True
        known = self.table_texts_and_rows if rows else self.table_texts
        rest = text
        for t in known:
            if len(t) >= 2 and t in rest:
                rest = rest.replace(t, "")
        return not rest or any(rest in t for t in self.table_texts) or self.wrapped_header(text)

    @heuristic("header_wrapped_across_cells", "label")
    def wrapped_header(self, text: str) -> bool:
        """Column labels wrapped in their cells, read line by line across the header (``结果结果其他尚未``).

        The text is the header when it is a sequence of whole column labels and their halves (each at least
        ``WRAPPED_PIECE_MIN_CHARS`` long): a row an agency added has a name of its own, not one made of the
        table's column names cut in two.
        """
        if len(text) > EDIT_MAX_CHARS * 2:
            return False
        lengths = sorted({len(p) for p in self.column_pieces})
        ends = {0}
        for at in range(len(text)):
            if at in ends:
                ends |= {at + n for n in lengths if text[at:at + n] in self.column_pieces}
        return len(text) in ends and bool(text)


def _inside(hits: Sequence[Hit], start: int, end: int) -> bool:
    """A match inside a longer one already found is a piece of that label, not a label of its own.

    ``（二）部分公开`` inside the official label of the same row adds nothing; a short label inside a longer
    label of another row (none in the 2021 tables, but a variant could be) is no row either.
    """
    return any(h.start <= start and end <= h.end for h in hits)


# The label indexes built so far, by the form and table they were built for (each kept with them, so an id is never
# taken for another object's): a table's index is the same for every document, and building it was a fifth of an
# import. Bounded for callers that make forms of their own (tests); the real ones are a handful.
_BUILT: dict[tuple[int, int, bool], tuple[Form, Table, LabelIndex]] = {}
MAX_BUILT = 64


def label_index(form: Form, table: Table, norm: Callable[[str], str], *, headed: bool) -> LabelIndex:
    """The table's label index, built once per form and table; ``norm`` (the form's normalisation, memoised
    for one document) is what the copy handed out normalises the document's text with. Each copy starts its
    own memo of the table's texts, so nothing a document prints is kept after it."""
    key = (id(form), id(table), headed)
    found = _BUILT.get(key)
    if found is None or found[0] is not form or found[1] is not table:
        if len(_BUILT) >= MAX_BUILT:
            _BUILT.clear()
        found = _BUILT[key] = (form, table, LabelIndex(form, table, form.normalize, headed=headed))
    index = copy.copy(found[2])
    index.norm = norm
    index._table_text = {}
    return index

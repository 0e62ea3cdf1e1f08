"""Stage 2 of reading a table: which label is the row, and which printed items follow it (the row scanner).

The label index finds every place a row's label is printed; a table prints its rows in the form's order, so
the scanner keeps the **monotone chain** of hits — rows in the form's order at increasing places in the
text — that names the most rows, and among those the one whose labels are printed best
(``monotone_rows``). A row label mentioned again out of order (a heading above a markdown table that
repeats the first row's label, a row printed twice) cannot pull numbers away from the row that prints them.

Each chosen hit opens its row's *territory*: the items from its label up to the next chosen label. The
row's *run* is what follows its label there — numbers, explicit blanks, empty cells — up to the first
text that is neither part of the label nor the table's own text (a group label wrapped around the rows, a
header repeated after a page break, a unit); text after the run starts an *extra* segment: a row the
agency added (I3), another table's row, or prose.

Nothing here decides which number goes in which cell: that is the decoder's (``decoder``).
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .heuristics import heuristic
from .label_index import CUT, Hit, LabelIndex, Region, Unit
from .labels import MAX_EDIT
from .text import INVENTED_HEADER, NUMBER, SLASH, TEXT, UNSURE, Token

# Longer unmatched text with numbers after it is prose inside the section, not a row the agency added
# (通州信访办 2019's added rows are “行政检查”, “行政确认”; a sentence of the narrative is longer).
ADDED_ROW_MAX = 40
_SENTENCE = re.compile(r"[。；;!！?？，]")
_ANNOTATION = re.compile(r"^\([^()]{1,12}\)$")
# ``table_note``: a note printed with the table (``注：行政复议、行政诉讼数量含上年度结转数量。``, 上海市政府办公厅
# 2025 between 表四's header and its numbers) is no row's label.
NOTE_START = re.compile(r"^(?:注|备注|说明)\d*[:：]")
# A table continued on the next page says so (``续表``, ``续上表``, ``表三（续）``): the table's own text, like its
# header printed again — numbers after it are a row's printed above its label, not a row of their own.
TABLE_CONTINUED = re.compile(r"^(?:表[一二三四]?)?[(（]?续(?:上?表)?[)）]?$")
UNIT_WORDS = frozenset({"件", "项", "个", "万元", "元", "单位:件", "单位:万元", "(件)", "(万元)"})


@dataclass
class Segment:
    """Foreign text printed after a row's run, and the items that follow it."""

    text: str  # normalised
    tokens: list[Token] = field(default_factory=list)
    group: str | None = None  # a row group printed as one row (its rows' labels are not printed)
    own_text: bool = False  # the text is the table's own (a header, a group label): its numbers are no added row


@dataclass
class Slot:
    """One unit as the text prints it: its chosen label, the run after it, and what follows."""

    unit: Unit
    hit: Hit | None
    run: list[Token] = field(default_factory=list)
    rest: str = ""  # foreign text between the label and its first number (the numbers are then another row's)
    annotation: str = ""  # a bracketed note after the label (``（件）``): still this row, said in I4
    extras: list[Segment] = field(default_factory=list)
    lead: list[Token] = field(default_factory=list)  # numbers printed before the label, after the table's own text
    in_label: int = 0  # items of the run printed inside the label (a PDF puts numbers on a label's middle line)
    label_line: int | None = None
    next_line: int | None = None  # the line of the text that ended the run (None: the region ended)

    @property
    def explicit(self) -> list[Token]:
        return [t for t in self.run if t.kind in (NUMBER, SLASH, UNSURE)]

    @property
    def numbers(self) -> int:
        return len(self.explicit)


@dataclass
class Scan:
    slots: list[Slot]  # one per unit, in the form's order (``hit`` None where the label was not found)
    chain: list[Hit]
    region: Region


@heuristic("monotone_rows", "table")
def choose_chain(hits: Sequence[Hit]) -> list[Hit]:
    """The rows a table prints, in the form's order: the chain of hits naming the most rows, then the best.

    A dynamic programme over the hits by position: a hit may follow any hit of an earlier row that ends
    before it begins. Ties go to the later hit, so a heading that repeats a row's label stands before the
    row itself, not instead of it.
    """
    order = sorted(range(len(hits)), key=lambda i: (hits[i].start, hits[i].end))
    score: dict[int, tuple[int, int, int]] = {}  # hit → (rows, quality, start) of the best chain ending there
    back: dict[int, int | None] = {}
    best_by_unit: dict[int, tuple[tuple[int, int, int], int]] = {}  # unit → best (score, hit) ended so far
    pending: list[tuple[int, int]] = []  # (end, hit) not yet released
    for i in order:
        h = hits[i]
        while pending and pending[0][0] <= h.start:
            _, j = heapq.heappop(pending)
            u = hits[j].unit
            if u not in best_by_unit or score[j] >= best_by_unit[u][0]:
                best_by_unit[u] = (score[j], j)
        pred = None
        for u, (s, j) in best_by_unit.items():
            if u < h.unit and (pred is None or s > score[pred]):
                pred = j
        base = score[pred] if pred is not None else (0, 0, 0)
        score[i] = (base[0] + 1, base[1] + h.quality, h.start)
        back[i] = pred
        heapq.heappush(pending, (h.end, i))
    if not score:
        return []
    last: int | None = max(score, key=lambda i: score[i])
    chain = []
    while last is not None:
        chain.append(hits[last])
        last = back[last]
    return chain[::-1]


class RowScanner:
    def __init__(self, index: LabelIndex, foreign: Sequence[str]) -> None:
        self.index = index
        self.foreign = [f for f in foreign if f]
        self.absent_groups: dict[str, str] = {}

    def scan(self, region: Region) -> Scan:
        hits = self.index.hits(region)
        chain = _with_rows_printed_apart(choose_chain(hits), hits)
        self.absent_groups = self.index.groups_without_rows({h.unit for h in chain})
        slots = [Slot(u, None) for u in self.index.units]
        toks = region.tokens
        scan = Scan(slots, chain, region)
        for k, h in enumerate(chain):
            limit = chain[k + 1].start if k + 1 < len(chain) else len(region.text) + 1
            if self.index.units[h.unit].band:
                h = _band_span(h, hits, chain[k - 1].end if k else 0, limit)
                chain[k] = h
            a = _token_at(region, h.start)
            b = _token_at(region, chain[k + 1].start) if k + 1 < len(chain) else len(toks)
            self._fill(slots[h.unit], h, region, a, b)
        if chain:
            slots[chain[0].unit].lead = self._before(region, _token_at(region, chain[0].start))
        for k in range(1, len(chain)):
            self._lead(slots[chain[k - 1].unit], slots[chain[k].unit])
        return scan

    @heuristic("numbers_before_label", "table")
    def _lead(self, previous: Slot, slot: Slot) -> None:
        """Numbers after a row's own numbers and the table's own text (a group label, a header), before the next
        label: printed before that row's label (a conversion that puts a label under its numbers).

        They are the next row's only if the counts and the identities say so (``count_flow``); otherwise no row's.
        The table's own text with nothing after it, just before the next label, is a letter of a merged cell printed
        at the start of that label's line (洪泽区 2023 by pdfplumber: ``三 2.其他法律行政止公开 0 0 0 0 0 0 0`` ‖ ``、``
        ‖ ``0 0 0 0 0 0 0`` ‖ ``本 3.危及…``, the letters of 三、本年度办理结果 down the rows): it ends nothing.
        """
        while (len(previous.extras) > 1 and previous.extras[-1].own_text
               and not _has_numbers(previous.extras[-1].tokens)):
            previous.extras.pop()
        if previous.extras and previous.extras[-1].own_text and len(previous.extras) == 1:
            seg = previous.extras.pop()
            slot.lead = [t for t in seg.tokens if t.kind in (NUMBER, SLASH, UNSURE)]

    def _before(self, region: Region, first: int) -> list[Token]:
        """The numbers printed right before the first row's label, with nothing but the table's texts between.

        A conversion that puts a row's label after its numbers leaves the first row's numbers outside every
        row's territory; the decoder deals them only where the counts and the identities say so.
        """
        out: list[Token] = []
        for i in range(first - 1, -1, -1):
            tok = region.tokens[i]
            if tok.kind == TEXT:
                if out and not self._neutral(region.norms[i]):
                    break
                if not out and not self._neutral(region.norms[i]):
                    return []
                continue
            if tok.kind in (NUMBER, SLASH, UNSURE):
                out.append(tok)
        return out[::-1]

    def _fill(self, slot: Slot, hit: Hit, region: Region, a: int, b: int) -> None:
        slot.hit = hit
        toks = region.tokens
        last_label = _token_at(region, max(hit.start, hit.end - 1))
        slot.label_line = toks[min(last_label, len(toks) - 1)].line if toks else None
        slot.next_line = toks[b].line if b < len(toks) else None
        # the numbers printed inside the label (a PDF puts them on the label's middle line) are the row's
        for i in range(a, min(last_label + 1, b)):
            if toks[i].kind != TEXT:
                slot.run.append(toks[i])
        # a band's rows each print their numbers after their own name (表四 as three small tables, each under its
        # row's name and the column labels): the numbers inside its label do not end its territory
        slot.in_label = len(slot.run)
        inside = len(slot.run) if slot.unit.band else 0
        # what the label's last item prints after the label itself, then the items up to the next label
        pieces: list[tuple[str, Token]] = []
        if last_label < b and toks[last_label].kind == TEXT:
            tail = region.text[hit.end:region.offsets[last_label] + len(region.norms[last_label])]
            if tail.strip(_CLOSING):  # a bracket closed after the label (``行政诉讼（复议后起诉）``) is no text
                pieces.append((tail, toks[last_label]))
        pieces += [(region.norms[i], toks[i]) for i in range(last_label + 1, b)]
        current: Segment | None = None
        skip_to = 0
        for at, (text, tok) in enumerate(pieces):
            if at < skip_to:
                continue
            if tok.kind != TEXT:
                (current.tokens if current is not None else slot.run).append(tok)
                continue
            group = next((k for k, label in self.absent_groups.items() if label in text), None)
            if group is None and self.absent_groups:
                group, text, skip_to = self._group_over_items(pieces, at, text, skip_to)
            if group is not None:
                current = Segment(text, group=group)
                slot.extras.append(current)
                continue
            if current is None and not _has_numbers(slot.run[inside:]):
                # between the label and its numbers: more of the label, the table's own texts, or another row's label
                if not slot.rest and label_annotation(text):
                    slot.annotation = text
                    continue
                if self._neutral(text):
                    continue  # a header, a group label
                if not slot.rest and (note_end := _note_line(pieces, at)) is not None:
                    skip_to = note_end
                    continue
                ahead = at
                while ahead < len(pieces) and pieces[ahead][1].kind == TEXT:
                    ahead += 1
                if not slot.rest and self._own_label(slot, "".join(p for p, _ in pieces[at:ahead])):
                    skip_to = ahead  # the label printed again, over several items (a heading above its table)
                    continue
                if not slot.rest and _rest_of_cut_label(hit, text):
                    continue
                slot.rest += text
                slot.next_line = tok.line
                current = Segment(text)
                slot.extras.append(current)
                continue
            if text in UNIT_WORDS:
                continue  # a unit printed apart from the numbers
            if current is None:
                slot.next_line = tok.line  # after the row's numbers, any text ends them
            elif not _has_numbers(current.tokens):
                current.text += text  # a label of several items before its numbers
                current.own_text = current.own_text and self._neutral(text)
                continue
            current = Segment(text, own_text=self._neutral(text))
            slot.extras.append(current)

    def _group_over_items(self, pieces: Sequence[tuple[str, Token]], at: int, text: str,
                          skip_to: int) -> tuple[str | None, str, int]:
        """A group printed as one row whose label spans several items (OCR spaced it out: ``（六）其`` ``他`` ``处``
        ``理``; the first item, a piece of the group's label, is left out of the joined text): ``(group, its text,
        the piece after it)``, or ``(None, text, skip_to)`` unchanged."""
        ahead = at
        while ahead < len(pieces) and pieces[ahead][1].kind == TEXT:
            ahead += 1
        raw = [self.index.norm(tok.text) for _, tok in pieces[at:ahead]]
        joined = "".join(raw)
        for key, label in self.absent_groups.items():
            if raw and 0 <= joined.find(label) < len(raw[0]):
                return key, joined, ahead
        return None, text, skip_to

    def _own_label(self, slot: Slot, text: str) -> bool:
        return any(text.endswith(v.norm) and self.index.is_table_text(text[:-len(v.norm)], rows=True)
                   for v in self.index.variants if v.unit == slot.unit.index)

    def _neutral(self, text: str) -> bool:
        """Text in a row's territory that is not a label: the table's own texts, units, invented headers."""
        if not text:
            return True
        if text in UNIT_WORDS or self.index.is_table_text(text):
            return True
        return bool(INVENTED_HEADER.match(text) or TABLE_CONTINUED.match(text))

    def is_foreign_table_text(self, text: str) -> bool:
        """Text of another table's rows (its heading is missing): not a row added to this one."""
        return any(f in text for f in self.foreign)


def _token_at(region: Region, offset: int) -> int:
    """The index of the token whose text holds ``offset`` (the end of the tokens past the text)."""
    if offset < len(region.item_at):
        return region.item_at[offset]
    return len(region.tokens)


@heuristic("rows_printed_apart", "table")
def _with_rows_printed_apart(chain: list[Hit], hits: Sequence[Hit]) -> list[Hit]:
    """Rows the chain left out, printed in order of their own before or after the table's other rows.

    A conversion sometimes moves part of a table away from the rest (上海市科委 2024: 规章 and 规范性文件
    after 行政事业性收费). Only rows the main chain does not have, in the form's order among themselves and
    wholly before or after it, are taken; the rows are then read in the order they are printed.
    """
    if not chain:
        return chain
    taken = {h.unit for h in chain}
    first, last = chain[0].start, chain[-1].end
    apart = [h for h in hits if h.unit not in taken and (h.end <= first or h.start >= last)]
    more = choose_chain(apart)
    return sorted([*chain, *more], key=lambda h: h.start)


_CLOSING = ")）]】"  # brackets (as normalised and as printed) that close around a label: ``行政诉讼（复议后起诉）``


def _band_span(h: Hit, hits: Sequence[Hit], floor: int, limit: int) -> Hit:
    """A band's header names its rows one after another: its label runs from the first of them to the last.

    表四 printed as three lines (``行政复议 72 64 …`` ‖ ``未经复议直接起诉 13 …``) keeps all fifteen numbers,
    and the names of its other rows in the header are part of its label, not text of their own.
    """
    own = [x for x in hits if x.unit == h.unit and floor <= x.start and x.end <= limit]
    if not own:
        return h
    return Hit(h.unit, min(x.start for x in own), max(x.end for x in own), h.quality, h.printed, h.variant)


@heuristic("label_annotation", "label")
@heuristic("table_note", "table")
def _note_line(pieces: Sequence[tuple[str, Token]], at: int) -> int | None:
    """A note between a row's label and its numbers: a line that begins ``注：`` and holds no number (a note
    that counts something, ``注：其中3件…``, is left to the finding: its number could be taken for a cell).
    Where the note's line ends, in ``pieces``; else ``None``."""
    text, tok = pieces[at]
    if not NOTE_START.match(text):
        return None
    end = at
    while end < len(pieces) and pieces[end][1].line == tok.line:
        if pieces[end][1].kind != TEXT:
            return None
        end += 1
    return end


def label_annotation(text: str) -> bool:
    """A bracketed note printed after a row's label (``行政许可（件）``): still that row, the label said (I4)."""
    return bool(_ANNOTATION.match(text))


def _rest_of_cut_label(hit: Hit, text: str) -> bool:
    """After a label cut short, a few characters more are the rest of it (with a slip), not a row of their own."""
    if hit.quality != CUT or hit.variant is None:
        return False
    return len(text) <= len(hit.variant.norm) - len(hit.printed) + MAX_EDIT


def _has_numbers(toks: Sequence[Token]) -> bool:
    return any(t.kind in (NUMBER, SLASH, UNSURE) for t in toks)


def is_prose(text: str) -> bool:
    """A sentence or a long text: not a row's label."""
    return len(text) > ADDED_ROW_MAX or bool(_SENTENCE.search(text)) or text.endswith(".")

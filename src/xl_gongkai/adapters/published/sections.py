"""Headings, narrative and metadata of a published report.

Section headings are found by the form spec's headings and synonyms, compared after the spec's
label normalisation (so spacing, full/half-width punctuation and ``一.`` for ``一、`` do not matter).
A heading may carry a trailing note (``二、主动公开政府信息情况 ( 重复率 : 80%)``), may be split
over two lines by a PDF, and must come after the heading found before it. The narrative between
the headings is joined into paragraphs (``paragraph_continues``). Metadata: ``metadata``.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher

from ...spec import Form, Section
from .heuristics import heuristic
from .text import DocumentTokens, Line, Token, line_tokens

_NUMERAL_SEP = re.compile(r"^([一二三四五六七八九十]+)[、.,:;]")
_NOTE = re.compile(r"[(（【\[][^()（）【】\[\]]{0,30}[)）】\]]")
_SIMILAR = 0.75
_HEAD_END = re.compile(r"[。：:]")
_PARAGRAPH_END = "。！？!?"
_HEADING_MAX = 30  # characters: a numbered line longer than this is a sentence
# ``heading_by_its_start``: 五、存在的主要问题及明年工作计划 shares 存在的主要问题及 (8 of 12) with the format's heading
HEADING_START_SHARE = 0.6
_HEADING_START_MIN = 6
_HEADING_TAIL = 2  # characters the printed heading may run past the format's length before its text begins
_STOPS = "。，,；;：:!！?？(（"
_RENUMBERED_MIN_CHARS = 6  # a heading's words found under another number: long enough to be the format's own
_HEADING_SCAN = 120  # characters at the start of a line that can hold a heading (the longest variant has 27)
_ENUM_START = re.compile(
    r"^\s*(?:[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+、|\d{1,2}[、.．]|[一二三四五六七八九十]是)"
)


@dataclass(frozen=True)
class Heading:
    section: Section
    line: int  # first line of the heading
    end: int  # first line after the heading
    rest: str  # text printed on the heading's line after the heading itself ("" when none, or only a note)
    printed: str  # the heading as printed
    known: bool  # the printed heading is the spec's heading or one of its synonyms
    opened: bool = False  # no heading printed: the part begins at its first subheading (``printed``)


def _canon(form: Form, text: str) -> str:
    return _NUMERAL_SEP.sub(r"\1、", form.normalize(text))


def _variants(form: Form, section: Section) -> list[str]:
    return sorted((_canon(form, v) for v in (section.heading, *section.synonyms)), key=len, reverse=True)


def _split(form: Form, text: str, variant: str) -> tuple[str, str] | None:
    """``(heading as printed, what follows it)`` when ``text`` begins with the heading ``variant``."""
    for j in range(1, len(text) + 1):
        c = _canon(form, text[:j])
        if c == variant:
            return text[:j].strip(), text[j:]
        if len(c) > len(variant):
            return None
    return None


@heuristic("heading_note", "narrative")
def _rest(text: str) -> str:
    """Text after a heading on its line; a short bracketed note (``( 重复率 : 80%)``) is not text."""
    rest = text.strip().lstrip("。.，,：:；; 　").strip()
    return "" if _NOTE.fullmatch(rest) else rest


@heuristic("reworded_heading", "narrative")
def _similar(norm: str, section: Section, variants: Sequence[str]) -> bool:
    """A numbered heading worded a little differently (``五、存在的问题及改进情况``)."""
    prefix = f"{section.number}、"
    if not norm.startswith(prefix) or len(norm) > 40:
        return False
    if any(v.startswith(norm) for v in variants):
        return False  # the start of the heading, cut off: not a rewording
    body = norm[len(prefix):]
    return any(SequenceMatcher(None, body, v[len(prefix):]).ratio() >= _SIMILAR for v in variants
               if v.startswith(prefix))


def find_headings(form: Form, lines: Sequence[Line]) -> dict[str, Heading]:
    """The line of each section heading that the text prints, in the spec's order.

    A line is a heading when it begins with a heading of the spec (or a synonym); when a PDF broke
    it over two lines; or, failing both, when the whole line is numbered like the section and worded
    almost like it (difflib ratio ≥ 0.75) without being a label of a table — such a heading is
    marked ``known=False`` so the importer can say it was accepted.
    """
    found: dict[str, Heading] = {}
    order = list(form.sections)
    table_labels = {_canon(form, x) for tb in form.tables for x in (*(r.label for r in tb.rows),
                                                                    *(g.label for g in tb.row_groups))}
    variants = {s.key: _variants(form, s) for s in order}
    next_index, i = 0, 0
    # a heading is at the start of its line: the start is enough (a long line is a heading and its section's text
    # when a crawler kept no line breaks)
    norms = [_canon(form, ln.text[:_HEADING_SCAN]) for ln in lines]
    while i < len(lines) and next_index < len(order):
        hit = _match_line(form, lines, norms, i, order[next_index:], variants, table_labels)
        if hit is None:
            i += 1
            continue
        found[hit.section.key] = hit
        next_index = order.index(hit.section) + 1
        i = hit.end
    bodies: dict[int, tuple[str, str, str]] = {}  # a line's text, body and its normal form, worked out once
    for section in order:
        if section.key not in found:
            own = _numbered_its_own_way(form, lines, found, order, section, variants[section.key], bodies)
            if own is not None:
                found[section.key] = own
    for section in order:
        if section.key not in found and section.openings:
            opened = _opened_by_subheading(lines, found, order, section)
            if opened is not None:
                found[section.key] = opened
    return found


# How a report may number its parts instead of 一、: （一）, (1), 1., 1、, 一., 第一部分, 第一章 — or not at all
_OWN_NUMBER = re.compile(r"^(?:[（(][一二三四五六七八九十\d]{1,2}[）)]|\d{1,2}[、.．]|[一二三四五六七八九十]{1,2}[.．]"
                         r"|第[一二三四五六七八九十\d]{1,2}(?:部分|章|节)|)\s*")


@heuristic("heading_numbered_its_own_way", "narrative")
def _numbered_its_own_way(form: Form, lines: Sequence[Line], found: dict[str, Heading], order: Sequence[Section],
                          section: Section, variants: Sequence[str],
                          bodies: dict[int, tuple[str, str, str]]) -> Heading | None:
    """A part not found, whose heading's words stand on a line of their own under another kind of number
    (``（一）总体情况``, ``1.总体情况``, ``第一部分 总体情况``) or none (``总体情况``, a page's heading whose number is
    its list's): only between the parts found around it, only the whole line (a note after it allowed), said in I4.
    ``bodies`` keeps each line's reading for the next part looked for: every line is normalised once.
    """
    start, stop = _gap(lines, found, order, section)
    words = [v[m.end():] if (m := _NUMERAL_SEP.match(v)) else v for v in variants]
    at = order.index(section)
    before = [found[s.key] for s in order[:at] if s.key in found]
    # the part above numbered as the format numbers its parts (``一、总体情况``): a line numbered a level below it
    # (``（一）主动公开政府信息情况``) is its subheading, not the next part (an excerpt that ends inside part 一)
    numbered_as_format = bool(before) and before[-1].known and not before[-1].opened
    for i in range(start, stop):
        got = bodies.get(i)
        if got is None:
            got = bodies[i] = _own_body(form, lines[i])
        text, body, norm = got
        if numbered_as_format and _SUBLEVEL.match(text):
            continue
        for w in words:
            if norm.startswith(w):
                split = _split(form, body, w)
                if split is not None and not _rest(split[1]):
                    return Heading(section, i, i + 1, "", text, False)
    return None


# The numbers a part's subheadings take under a part numbered 一、: （一）, (1), 1., 1、
_SUBLEVEL = re.compile(r"^[（(][一二三四五六七八九十\d]{1,2}[）)]|^\d{1,2}[、.．]")

# A heading on a line of its own is short: the longest part's words (24 characters) and a note after them
OWN_HEADING_MAX_CHARS = 60


def _own_body(form: Form, line: Line) -> tuple[str, str, str]:
    """(the line, the words after its number, their normal form) — empty for a table row or a long line."""
    text = line.text.strip().strip("#*").strip()
    if line.cells is not None or not text or len(text) > OWN_HEADING_MAX_CHARS:
        return "", "", ""
    body = text[_OWN_NUMBER.match(text).end():]  # type: ignore[union-attr]  # it matches the empty string
    return text, body, _canon(form, body)


def _gap(lines: Sequence[Line], found: dict[str, Heading], order: Sequence[Section],
         section: Section) -> tuple[int, int]:
    """The lines between the parts found before and after ``section``: where its heading can only be."""
    at = order.index(section)
    before = [found[s.key] for s in order[:at] if s.key in found]
    after = [found[s.key] for s in order[at + 1:] if s.key in found]
    return (before[-1].end if before else 0), (after[0].line if after else len(lines))


@heuristic("part_opened_by_subheading", "narrative")
def _opened_by_subheading(lines: Sequence[Line], found: dict[str, Heading], order: Sequence[Section],
                          section: Section) -> Heading | None:
    """A part whose heading a conversion dropped, found by its first subheading (上海's reports converted to
    markdown: ``（一）主要问题`` or ``（一）2024 年工作中存在问题的改进情况`` right after table 四, no ``五、…``).

    Only between the parts found around it, only a short numbered line (``_is_heading``) carrying one of the
    part's ``openings``; the subheading is the part's first line of text, and I4 says the heading was missing.
    """
    start, stop = _gap(lines, found, order, section)
    for i in range(start, stop):
        text = lines[i].text.strip().lstrip("#").strip()
        if _is_heading(text) and any(w in text for w in section.openings):
            return Heading(section, i, i, "", text, False, opened=True)
    return None


def _match_line(form: Form, lines: Sequence[Line], norms: Sequence[str], i: int, candidates: Sequence[Section],
                variants: dict[str, list[str]], table_labels: set[str]) -> Heading | None:
    norm = norms[i]
    if not norm:
        return None
    for section in candidates:
        for v in variants[section.key]:
            if norm.startswith(v):
                split = _split(form, lines[i].text, v)
                if split:
                    return Heading(section, i, i + 1, _rest(split[1]), split[0], True)
            broken = _broken_heading(form, lines, norms, i, section, v)
            if broken is not None:
                return broken
    # a reworded heading: the whole line, or the line up to its first full stop or colon
    text = lines[i].text.strip()
    cut = _HEAD_END.search(text, 2)
    head, rest = (text[:cut.start()], text[cut.end():]) if cut else (text, "")
    head_norm = _canon(form, head)
    for section in candidates:
        if head_norm not in table_labels and _similar(head_norm, section, variants[section.key]):
            return Heading(section, i, i + 1, _rest(rest), head.strip(), False)
    for section in candidates:
        end = heading_start(norm, section, variants[section.key])
        if end is None:
            end = _reworded_start(norm, section, variants[section.key], table_labels)
        if end is not None:
            split = _split(form, lines[i].text, norm[:end])
            if split:
                return Heading(section, i, i + 1, _rest(split[1]), split[0], False)
    return _renumbered(form, lines, norm, i, candidates, variants, table_labels)


@heuristic("reworded_heading_at_start", "narrative")
def _reworded_start(norm: str, section: Section, variants: Sequence[str], table_labels: set[str]) -> int | None:
    """A reworded heading at the start of a line that goes on with its part's text (a run-together line:
    ``四、政府信息公开行政复议与行政诉讼情况行政复议行政诉讼结果维持…``): the line's first characters, as many as
    the heading has (one fewer or more for a word left out or added), worded almost like it — the same test
    as a reworded heading on a line of its own (``_similar``). Where it ends, in ``norm``; else ``None``."""
    prefix = f"{section.number}、"
    if not norm.startswith(prefix):
        return None
    best: tuple[float, int] | None = None
    for v in variants:
        for n in (len(v), len(v) - 1, len(v) + 1):
            piece = norm[:n]
            if len(piece) == n and piece not in table_labels and _similar(piece, section, [v]):
                # the length that reads most like the heading (``…行政法复议、行政诉讼情况``: a word added, not
                # the heading cut one short)
                ratio = SequenceMatcher(None, piece[len(prefix):], v[len(prefix):]).ratio()
                if best is None or ratio > best[0]:
                    best = (ratio, n)
    return best[1] if best is not None else None


@heuristic("heading_by_its_start", "narrative")
def heading_start(norm: str, section: Section, variants: Sequence[str]) -> int | None:
    """A numbered heading that begins with most of the part's heading and ends its own way
    (``五、存在的主要问题及明年工作计划``): where the printed heading ends, in ``norm``; else ``None``.

    The shared beginning must be at least ``HEADING_START_SHARE`` of the heading's words and ``_HEADING_START_MIN``
    characters; the printed heading ends at the first punctuation or digit after it.
    """
    prefix = f"{section.number}、"
    if not norm.startswith(prefix):
        return None
    for v in variants:
        if not v.startswith(prefix):
            continue
        shared = 0
        for a, b in zip(norm, v, strict=False):
            if a != b:
                break
            shared += 1
        words = len(v) - len(prefix)
        if shared >= len(v) or shared >= len(norm):
            continue  # the whole heading (found before), or its start cut off: no wording of its own
        if shared - len(prefix) < max(_HEADING_START_MIN, math.ceil(HEADING_START_SHARE * words)):
            continue
        end = shared
        while end < len(norm) and end < len(v) + _HEADING_TAIL and not (norm[end].isdigit() or norm[end] in _STOPS):
            end += 1
        return end
    return None


@heuristic("renumbered_heading", "narrative")
def _renumbered(form: Form, lines: Sequence[Line], norm: str, i: int, candidates: Sequence[Section],
                variants: dict[str, list[str]], table_labels: set[str]) -> Heading | None:
    """A part's heading, word for word, under another number (``一、主动公开政府信息情况``), said in I4.

    Some reports number their parts their own way (上海市科委 2024 numbers 主动公开 as 一); the words of a
    heading are long and the format's own, so the part is found by them, in the report's order.
    """
    m = _NUMERAL_SEP.match(norm)
    if m is None:
        return None
    body = norm[m.end():]
    for section in candidates:
        for v in variants[section.key]:
            own = _NUMERAL_SEP.match(v)
            words = v[own.end():] if own else v
            if len(words) >= _RENUMBERED_MIN_CHARS and body.startswith(words) and v not in table_labels:
                split = _split(form, lines[i].text, f"{m.group(1)}、{words}")
                if split:
                    return Heading(section, i, i + 1, _rest(split[1]), split[0], False)
    return None


@heuristic("heading_over_two_lines", "narrative")
def _broken_heading(form: Form, lines: Sequence[Line], norms: Sequence[str], i: int, section: Section,
                    variant: str) -> Heading | None:
    """A heading a PDF broke over two lines (``三、收到和处理政府信息公`` ‖ ``开申请情况``)."""
    norm = norms[i]
    if len(norm) < 4 or not variant.startswith(norm) or i + 1 >= len(lines):
        return None
    if not (norm + norms[i + 1]).startswith(variant):
        return None
    split = _split(form, lines[i].text.strip() + lines[i + 1].text.strip(), variant)
    return Heading(section, i, i + 2, _rest(split[1]), split[0], True) if split else None


# A line longer than this that prints a section heading after its start holds more than one part of the report:
# a crawler that kept no line breaks (平潭's archived pages: the whole article on one line). A heading's own line
# is short; a paragraph that merely names a part (“本报告包括总体情况、主动公开政府信息情况……”) prints it without
# the part's number, which the pattern requires.
RUN_TOGETHER_MIN_CHARS = 120


def _heading_pattern(section: Section) -> re.Pattern[str]:
    def char(c: str) -> str:
        if c in "、.．":
            return "[、.．]"
        if c in "（(":
            return "[（(]"
        if c in "）)":
            return "[）)]"
        return re.escape(c)

    variants = sorted({v for v in (section.heading, *section.synonyms)}, key=len, reverse=True)
    body = "|".join(r"\s*".join(char(c) for c in v if not c.isspace()) for v in variants)
    return re.compile(rf"(?<![一二三四五六七八九十])(?:{body})")


@heuristic("run_together_parts", "narrative")
def split_run_together(form: Form, lines: Sequence[Line]) -> list[Line]:
    """A line that runs several parts of the report together is split before each part's heading.

    Only the parts' numbered headings split a line, in the report's order, each after the one before.
    """
    patterns = [_heading_pattern(s) for s in form.sections]
    out: list[Line] = []
    for line in lines:
        if line.cells is not None or len(line.text) < RUN_TOGETHER_MIN_CHARS:
            out.append(line)
            continue
        cuts, at = [], 0
        for section, pat in zip(form.sections, patterns, strict=True):
            m = pat.search(line.text, at)
            span = (m.start(), m.end()) if m is not None else _reworded_in_line(form, section, line.text, at)
            if span is None:
                continue
            if span[0] > 0:
                cuts.append(span[0])
            at = span[1]
        if not cuts:
            out.append(line)
            continue
        edges = [0, *cuts, len(line.text)]
        out.extend(Line(line.text[a:b], None, block=line.block) for a, b in itertools.pairwise(edges)
                   if line.text[a:b].strip())
    return out


def _reworded_in_line(form: Form, section: Section, text: str, at: int) -> tuple[int, int] | None:
    """A part's heading worded a little differently inside a run-together line (``四、政府信息公开行政法复议…``)."""
    variants = _variants(form, section)
    prefix = f"{section.number}、"
    pos = text.find(prefix, at)
    while pos >= 0:
        for v in variants:
            piece = text[pos:pos + len(v) + 2]
            if heading_start(_canon(form, piece), section, variants) is not None or _similar(
                    _canon(form, piece[:len(v) + 1]), section, variants) or _similar(
                    _canon(form, piece[:len(v)]), section, variants):
                return pos, pos + len(v)
        pos = text.find(prefix, pos + 1)
    return None


def section_tokens(lines: Sequence[Line], toks: DocumentTokens, heading: Heading, stop: int) -> list[Token]:
    """The tokens of a section whose heading was found, up to line ``stop``: when the heading's line goes on
    with the section (a table run together with its heading), from after the heading on that line, however the
    heading is worded — its words are no label of the table."""
    region = toks.region(heading.end, stop)
    if not heading.rest:
        return region
    head = lines[heading.end - 1]
    if head.cells is not None:
        return toks.region(heading.end - 1, heading.end) + region
    return line_tokens(replace(head, text=heading.rest), heading.end - 1) + region


def regions(lines: Sequence[Line], headings: dict[str, Heading]) -> dict[str, tuple[int, int]]:
    """Line range of every section whose heading was found: from after the heading to the next heading."""
    found = sorted(headings.values(), key=lambda h: h.line)
    out = {}
    for i, h in enumerate(found):
        stop = found[i + 1].line if i + 1 < len(found) else len(lines)
        out[h.section.key] = (h.end, stop)
    return out


@heuristic("heading_missing", "table")
def fallback_region(form: Form, lines: Sequence[Line], headings: dict[str, Heading], key: str) -> tuple[int, int]:
    """Where a section whose heading is missing can only be: between the headings around it."""
    return _gap(lines, headings, form.sections, form.section(key))


def _is_heading(text: str) -> bool:
    """A short numbered line without sentence punctuation: ``（一）主动公开方面``, ``(一) 存在的问题``."""
    return bool(_ENUM_START.match(text)) and len(text) <= _HEADING_MAX and not any(ch in text for ch in "。，；,;")


@heuristic("paragraph_continues", "narrative")
def _continues(current: str, line: Line, text: str, after_block: bool) -> bool:
    """A paragraph goes on at the next line until it has ended: 。！？, a numbered line, a heading, a page's block.

    A page's blocks are paragraphs of their own. In text copied from a PDF a paragraph goes on while it
    has not ended: it ends with 。！？, before a numbered line (``1.``、``（二）``、``二是``), after a short
    numbered heading, and nowhere else — also not at a blank line, which is where a page break cut a
    sentence (“不断拓展信息公开渠道，” ‖ “完善门户网站信息栏目”).
    """
    if line.block or after_block:
        return False
    return not (current[-1] in _PARAGRAPH_END or _ENUM_START.match(text) or _is_heading(current))


def paragraphs(lines: Sequence[Line]) -> str:
    """Narrative text as paragraphs, one a line: pieces of a paragraph broken by the PDF joined."""
    paras: list[str] = []
    current = ""
    after_block = False
    for line in lines:
        text = line.text.replace("\t", " ").strip()
        if not text:
            continue  # a blank line alone does not end a paragraph that has not ended
        if current and _continues(current, line, text, after_block):
            # keep the space PDF text puts around numbers and words
            ascii_edge = (current[-1].isascii() and current[-1].isalnum()) or (text[0].isascii() and text[0].isalnum())
            current += (" " if ascii_edge else "") + text
        else:
            if current:
                paras.append(current)
            current = text
        after_block = line.block
    if current:
        paras.append(current)
    return "\n".join(paras)

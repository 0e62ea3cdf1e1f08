"""Headings, narrative and metadata of a published report.

Section headings are found by the form spec's headings and synonyms, compared after the spec's
label normalisation (so spacing, full/half-width punctuation and ``一.`` for ``一、`` do not matter).
A heading may carry a trailing note (``二、主动公开政府信息情况 ( 重复率 : 80%)``), may be split
over two lines by a PDF, and must come after the heading found before it. Metadata is taken only
from what the text states: the title (``<机关><年度>年政府信息公开工作年度报告``) and the sentence
giving the statistics period.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from ...spec import Form, Section
from .text import Line

_NUMERAL_SEP = re.compile(r"^([一二三四五六七八九十]+)[、.,:;]")
_TITLE = re.compile(
    r"^(?P<agency>.*?)\s*(?P<year>(?:19|20)\d{2})\s*年度?\s*(?:的)?\s*政府信息公开(?:工作)?\s*年度?\s*报告"
)
_TITLE_YEAR_FIRST = re.compile(
    r"^(?P<year>(?:19|20)\d{2})\s*年度?\s*(?P<agency>.+?)\s*政府信息公开(?:工作)?\s*年度?\s*报告"
)
_TITLE_LINE = re.compile(r"^.{0,60}?政府信息公开(?:工作)?年度报告(?:[（(].*[)）])?$")
_PERIOD = re.compile(
    r"(?:统计|期限|期间|时间|范围)[^。；;]{0,24}?(\d{4})年(\d{1,2})月(\d{1,2})日(?:起)?"
    r"(?:至|到|—|-|~|－|～)(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日"
)
_NOTE = re.compile(r"[(（【\[][^()（）【】\[\]]{0,30}[)）】\]]")
_SIMILAR = 0.75
_HEAD_END = re.compile(r"[。：:]")
_PARAGRAPH_END = "。！？!?"
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


def _rest(text: str) -> str:
    """Text after a heading on its line; a short bracketed note (``( 重复率 : 80%)``) is not text."""
    rest = text.strip().lstrip("。.，,：:；; 　").strip()
    return "" if _NOTE.fullmatch(rest) else rest


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
    norms = [_canon(form, ln.text) if len(ln.text) < 400 else "" for ln in lines]
    while i < len(lines) and next_index < len(order):
        hit = _match_line(form, lines, norms, i, order[next_index:], variants, table_labels)
        if hit is None:
            i += 1
            continue
        found[hit.section.key] = hit
        next_index = order.index(hit.section) + 1
        i = hit.end
    return found


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
            if len(norm) >= 4 and v.startswith(norm) and i + 1 < len(lines) and (norm + norms[i + 1]).startswith(v):
                joined = lines[i].text.strip() + lines[i + 1].text.strip()
                split = _split(form, joined, v)  # a heading broken over two lines
                if split:
                    return Heading(section, i, i + 2, _rest(split[1]), split[0], True)
    # a reworded heading: the whole line, or the line up to its first full stop or colon
    text = lines[i].text.strip()
    cut = _HEAD_END.search(text, 2)
    head, rest = (text[:cut.start()], text[cut.end():]) if cut else (text, "")
    head_norm = _canon(form, head)
    for section in candidates:
        if head_norm not in table_labels and _similar(head_norm, section, variants[section.key]):
            return Heading(section, i, i + 1, _rest(rest), head.strip(), False)
    return None


def regions(form: Form, lines: Sequence[Line], headings: dict[str, Heading]) -> dict[str, tuple[int, int]]:
    """Line range of every section whose heading was found: from after the heading to the next heading."""
    found = sorted(headings.values(), key=lambda h: h.line)
    out = {}
    for i, h in enumerate(found):
        stop = found[i + 1].line if i + 1 < len(found) else len(lines)
        out[h.section.key] = (h.end, stop)
    return out


def fallback_region(form: Form, lines: Sequence[Line], headings: dict[str, Heading], key: str) -> tuple[int, int]:
    """Where a section whose heading is missing can only be: between the headings around it."""
    keys = [s.key for s in form.sections]
    at = keys.index(key)
    before = [headings[k] for k in keys[:at] if k in headings]
    after = [headings[k] for k in keys[at + 1:] if k in headings]
    start = before[-1].end if before else 0
    stop = after[0].line if after else len(lines)
    return start, stop


def paragraphs(lines: Sequence[Line]) -> str:
    """Narrative text: lines a PDF broke mid-sentence are joined, paragraphs kept apart."""
    paras: list[str] = []
    current = ""
    for line in lines:
        text = line.text.replace("\t", " ").strip()
        if not text:
            if current:
                paras.append(current)
                current = ""
            continue
        if current and (current[-1] in _PARAGRAPH_END or _ENUM_START.match(text)):
            paras.append(current)
            current = text
        elif current:
            # a PDF line break inside a sentence; keep the space PDF text puts around numbers and words
            ascii_edge = (current[-1].isascii() and current[-1].isalnum()) or (text[0].isascii() and text[0].isalnum())
            current += (" " if ascii_edge else "") + text
        else:
            current = text
    if current:
        paras.append(current)
    return "\n".join(paras)


@dataclass(frozen=True)
class Title:
    agency: str | None
    year: int | None
    lines: int  # how many leading lines of the body the title occupies (0 when it came from elsewhere)


def parse_title(text: str) -> tuple[str | None, int | None] | None:
    """``(agency, year)`` of ``<机关><年度>年政府信息公开工作年度报告`` (or ``<年度>年<机关>…``)."""
    m = _TITLE.match(text.strip()) or _TITLE_YEAR_FIRST.match(text.strip())
    if not m:
        return None
    agency = re.sub(r"^关于|(?:关于|的)$", "", m.group("agency").strip(" 　\t:：-—")).strip()
    return agency or None, int(m.group("year"))


def find_title(lines: Sequence[Line], first_heading: int, given: str | None, html_title: str | None) -> Title:
    """Agency and year from the report's title; the title lines at the top of the body are not preamble."""
    top = [(i, ln.text.strip()) for i, ln in enumerate(lines[:first_heading]) if ln.text.strip()][:8]
    body_title: tuple[str | None, int | None] | None = None
    used = 0
    for j in range(len(top)):
        for width in (1, 2, 3):
            chunk = top[j:j + width]
            if len(chunk) < width:
                break
            joined = "".join(t for _, t in chunk)
            if _TITLE_LINE.match(re.sub(r"\s+", "", joined)):
                body_title = parse_title(joined)
                used = chunk[-1][0] + 1
                break
        if used:
            break
    # the title as given (the collection's header or the caller) wins; then the body's; then <title>
    for parsed in (parse_title(given) if given else None, body_title,
                   parse_title(html_title) if html_title else None):
        if parsed:
            return Title(parsed[0], parsed[1], used)
    return Title(None, None, used)


def find_period(text: str) -> tuple[str, str] | None:
    """``(start, end)`` ISO dates of the statistics period, as the text states it."""
    flat = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    m = _PERIOD.search(flat)
    if not m:
        return None
    y1, m1, d1, y2, m2, d2 = m.groups()
    try:
        start = dt.date(int(y1), int(m1), int(d1))
        end = dt.date(int(y2 or y1), int(m2), int(d2))
    except ValueError:
        return None
    return start.isoformat(), end.isoformat()

"""The text measures behind the quality checks (质量体检): repeated text, the deadline of publication.

What evaluators deduct points for is mostly in the narrative: a report that repeats last year's text (法治蓝皮书
2017 found reports about 90 % identical to the year before; a city's department rule pack deducts 0.5 points over
half), text copied across agencies, publication after the deadline. Standard library only: the same measures run in
``check``, in the audit's workers and in the page (Pyodide).

Text is compared as *shingles*: every run of :data:`SHINGLE_CHARS` consecutive characters of the text normalised
by :func:`normalise` — digits, dates, punctuation and whitespace removed — so a copy whose figures, dates,
punctuation or line breaks were changed is still a copy.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Ten characters: a Chinese clause is about that long. Shorter shingles match the set phrases every report shares
# (“政府信息公开工作” is eight); longer ones let a changed word hide a whole clause.
SHINGLE_CHARS = 10
# A text part shorter than this (normalised) is not judged: “无。” or a one-line 其他事项 repeats by nature.
MIN_COMPARED_CHARS = 60
# How many repeated passages a finding quotes, and how long each quote may be.
PASSAGES_SHOWN = 2
PASSAGE_QUOTE_MAX = 60

# (the lookahead lets the engine skip every position that is not a digit: the audit normalises a province's text)
_DATE = re.compile(r"(?=\d)(?:\d{2,4}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?|\d{1,2}\s*月\s*\d{1,2}\s*日)")
# The characters that carry the wording: letters and numerals that are not digits (no punctuation, symbols,
# whitespace, digits, marks or underscore).
_WORDING = re.compile(r"[^\W\d_]+")


def _nfkc(text: str) -> str:
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


def _undated(text: str) -> str:
    """The text with each date blanked (as many spaces: positions are kept)."""
    return _DATE.sub(lambda m: " " * len(m.group()), text)


def normalise(text: str) -> tuple[str, list[int]]:
    """The characters that carry the wording (NFKC; no dates, digits, punctuation, symbols or whitespace) and,
    for each, its position in ``text`` — so a repeated passage can be quoted as the report prints it."""
    kept: list[str] = []
    where: list[int] = []
    for m in _WORDING.finditer(_undated(_nfkc(text))):
        kept.append(m.group())
        where.extend(range(m.start(), m.end()))
    return "".join(kept), where


def normalised(text: str) -> str:
    """:func:`normalise`'s characters without their positions (the audit fingerprints every report of a province's
    folder with it; ``make bench-scale`` measures what that adds)."""
    return "".join(_WORDING.findall(_undated(_nfkc(text))))


def shingles(norm: str) -> list[str]:
    """Every run of :data:`SHINGLE_CHARS` characters of a normalised text, in order (the text itself when shorter)."""
    if len(norm) <= SHINGLE_CHARS:
        return [norm] if norm else []
    return [norm[i:i + SHINGLE_CHARS] for i in range(len(norm) - SHINGLE_CHARS + 1)]


@dataclass(frozen=True)
class Repeated:
    """How much of a text is found in another: the share of its shingles, and the repeated passages (longest
    first, as the text prints them)."""

    share: float
    passages: tuple[str, ...]


def repeated(text: str, other: str) -> Repeated | None:
    """The share of ``text``'s shingles found in ``other``'s, with the passages they make up; ``None`` when ``text``
    is too short to judge (:data:`MIN_COMPARED_CHARS`)."""
    norm, where = normalise(text)
    if len(norm) < MIN_COMPARED_CHARS:
        return None
    mine = shingles(norm)
    theirs = set(shingles(normalised(other)))
    hits = [s in theirs for s in mine]
    share = sum(hits) / len(hits)
    runs: list[tuple[int, int]] = []  # spans of normalised characters covered by repeated shingles
    for i, hit in enumerate(hits):
        if not hit:
            continue
        end = i + SHINGLE_CHARS
        if runs and i <= runs[-1][1]:
            runs[-1] = (runs[-1][0], max(runs[-1][1], end))
        else:
            runs.append((i, end))
    runs.sort(key=lambda r: r[1] - r[0], reverse=True)
    quotes = tuple(_quote(text, where[a], where[min(b, len(where)) - 1] + 1) for a, b in runs[:PASSAGES_SHOWN])
    return Repeated(share, quotes)


_FULL_WIDTH = str.maketrans(",;:()!?", "，；：（）！？")


def _quote(text: str, start: int, end: int) -> str:
    piece = unicodedata.normalize("NFKC", text)[start:end]
    piece = re.sub(r"\s+", "", piece).translate(_FULL_WIDTH)
    return piece if len(piece) <= PASSAGE_QUOTE_MAX else piece[:PASSAGE_QUOTE_MAX] + "…"


def percent(share: float) -> str:
    """A share as the messages print it (“82%”)."""
    return f"{round(share * 100)}%"


# -- fingerprints: copying across agencies, at a province's scale -------------------------------------------------

# Winnowing (Schleimer, Wilkerson and Aiken 2003): the smallest shingle hash of every WINDOW consecutive ones is a
# fingerprint. Two texts sharing a passage of WINDOW + SHINGLE_CHARS - 1 characters share at least one, whatever
# surrounds it, at about 2 / (WINDOW + 1) fingerprints per character; an index of fingerprints then finds the
# reports that share text without comparing all pairs.
WINDOW = 12
# A paragraph shorter than this (normalised) is no evidence of copying: headings and set phrases are shared by all.
MIN_PARAGRAPH_CHARS = 40


def _normalised_paragraphs(text: str) -> list[tuple[str, str]]:
    """(paragraph, its normalised characters) of the lines of a text part long enough to count as evidence."""
    found = ((p, normalised(p)) for p in re.split(r"[\r\n]+", text))
    return [(p, norm) for p, norm in found if len(norm) >= MIN_PARAGRAPH_CHARS]


def paragraphs(text: str) -> list[str]:
    """The paragraphs of a text part (its lines), long enough to count as evidence."""
    return [p for p, _ in _normalised_paragraphs(text)]


def paragraph_prints(text: str) -> list[list[int]]:
    """The winnowed fingerprints (CRC-32 of shingles) of each paragraph of a text part (:func:`paragraphs`, in
    order), each sorted and without repeats: two paragraphs are compared on their text only when they share
    enough of them, so the index finds the paragraph pairs, not only the reports."""
    return [sorted(set(_window_minima(_shingle_hashes(norm)))) for _, norm in _normalised_paragraphs(text)]


def normalised_paragraphs(text: str) -> list[tuple[str, str]]:
    """(paragraph, its normalised characters) of a text part, as :func:`paragraph_prints` numbers them."""
    return _normalised_paragraphs(text)


def shingle_containment(sa: frozenset[str] | set[str], sb: frozenset[str] | set[str]) -> float:
    """:func:`containment` of two texts' shingle sets."""
    if not sa or not sb:
        return 0.0
    common = len(sa & sb)
    return max(common / len(sa), common / len(sb))


_WIDTH = 4  # bytes per character in UTF-32: a shingle is a fixed slice of the encoded text


def _shingle_hashes(norm: str) -> list[int]:
    """The CRC-32 of every shingle of a normalised text, from one encoding of it (no string per shingle)."""
    data, size = norm.encode("utf-32-le"), SHINGLE_CHARS * _WIDTH
    if len(norm) <= SHINGLE_CHARS:
        return [zlib.crc32(data)]
    return [zlib.crc32(data[i:i + size]) for i in range(0, len(data) - size + _WIDTH, _WIDTH)]


def _window_minima(hashes: list[int]) -> list[int]:
    """The smallest of every :data:`WINDOW` consecutive hashes (the smallest of all when fewer): ``min`` over the
    list shifted WINDOW times, one pass in C rather than a window sliced per position."""
    if len(hashes) <= WINDOW:
        return [min(hashes)]
    return list(map(min, *(hashes[i:] for i in range(WINDOW))))


def containment(a: str, b: str) -> float:
    """The larger of the shares of one text's shingles found in the other (a paragraph copied into a longer text
    counts in full)."""
    return shingle_containment(set(shingles(normalised(a))), set(shingles(normalised(b))))


# -- timeliness: 条例第四十九条 ----------------------------------------------------------------------------------

GOVERNMENT_SUFFIX = "人民政府"


def is_government(agency: str | None, suffixes: Sequence[str] = (GOVERNMENT_SUFFIX,)) -> bool:
    """Whether a report is a people's government's own (its name ends with 人民政府, full-width brackets and spaces
    aside) rather than a department's — 某某市人民政府办公室 is a department of it."""
    if not agency:
        return False
    name = re.sub(r"\s+", "", unicodedata.normalize("NFKC", agency))
    name = re.sub(r"[(（][^)）]*[)）]$", "", name)
    return any(name.endswith(s) for s in suffixes)


def deadline(year: int, month: int, day: int) -> dt.date:
    """The deadline for the report on ``year``: a day of the following year."""
    return dt.date(year + 1, month, day)


def first_of(texts: Iterable[str], words: Sequence[str]) -> str | None:
    """The first of ``words`` found in any of ``texts``."""
    joined = "".join(texts)
    return next((w for w in words if w in joined), None)

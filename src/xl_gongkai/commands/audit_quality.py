"""The audit's quality sheet (质量): text copied across agencies, and what an office wants listed (复议纠错, 诉讼败诉).

Copying across agencies — a 存在的主要问题 paragraph shared by five departments — is found without comparing all
pairs: each worker sends the winnowed fingerprints of each paragraph of each text part
(``core.quality.paragraph_prints``), the ledger indexes them, and only the paragraphs of reports of *different*
agencies and the same year that share at least :data:`MIN_COMMON` fingerprints that are not common wording (a
template paragraph every unit starts from is no copy) are compared on their text. A pair of reports is listed when
one of its paragraphs is a near-duplicate (:data:`NEAR_DUPLICATE`) of one of the other's, with the share of the
part's text the two have in common. The parent holds the paragraph pairs of one pair of reports at a time and the
text of a few reports: nothing per report of the folder.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from ..core.quality import containment, normalised_paragraphs, percent, shingle_containment, shingles
from .audit_ledger import Ledger
from .audit_worker import SEPARATOR

QUALITY_SHEET = "质量"
QUALITY_COLUMNS = [("what", "类别"), ("agency", "机关"), ("file", "文件"), ("other_agency", "另一机关"),
                   ("other_file", "另一文件"), ("section", "部分"), ("share", "相同比例"), ("note", "说明")]
COPIED = "跨机关雷同"
# A paragraph of one report is a copy of one of another's when this share of the shorter one's shingles is in the
# other: a copy with a few words or the figures changed stays above it, two paragraphs on the same topic do not.
NEAR_DUPLICATE = 0.8
# Fingerprints held by more agencies than this are common wording (a template every unit of a province starts
# from), not one unit copying another: listing every pair of 500 units would bury the real copies.
MAX_SHARED_BY = 50
# Fingerprints two parts must share before their text is compared (a single one can be a coincidence).
MIN_COMMON = 2
QUOTE_CHARS = 40
# Reports whose text (and its paragraphs, normalised) is kept while pairs are compared, the least recently used
# dropped first. Pairs come ordered by their first report, but the second is any report of the folder, and the
# same few reports' stock paragraphs pair with many: read back and normalised once per pair, 400 generated reports
# took 11.5 s of the parent's time (24 582 normalisations of 1 600 text parts), 2.5 s with this memo; 4 000 took
# 19.3 s, with 512 kept 9.9 s, with 2 048 kept 8.0 s. About 8 KB a report: a bounded 8 MB, whatever the size of the
# folder.
MEMO_REPORTS = 1024


def copies(ledger: Ledger, spool: str) -> list[dict[str, Any]]:
    """The pairs of reports of different agencies that share a near-duplicate paragraph, as rows of 质量.

    The ledger gives the paragraph pairs that share fingerprints (``Ledger.shared``), in order of the reports; only
    those are compared on their text, and only the report at hand and the few around it are held."""
    rows: list[dict[str, Any]] = []
    texts: OrderedDict[int, _Narrative] = OrderedDict()
    for (seq, other, section), found in groupby(ledger.shared(MAX_SHARED_BY, MIN_COMMON), key=lambda r: r[:3]):
        a, b = ledger.report_at(seq), ledger.report_at(other)
        if a is None or b is None:
            continue
        na, nb = _narrative(texts, seq, spool, a[2]), _narrative(texts, other, spool, b[2])
        form_id, ta, tb = na.form_id, na.parts.get(section, ""), nb.parts.get(section, "")
        shared = _near(na.paragraphs(section), nb.paragraphs(section), [(pa, pb) for *_, pa, pb in found])
        if shared is None:
            continue
        quote = shared if len(shared) <= QUOTE_CHARS else shared[:QUOTE_CHARS] + "…"
        rows.append({"what": COPIED, "agency": a[0], "file": a[1], "other_agency": b[0], "other_file": b[1],
                     "section": _heading(form_id, section), "share": percent(containment(ta, tb)),
                     "note": f"相同的段落：“{quote.strip()}”"})
    return rows


def _near(paras_a: list[tuple[str, str]], paras_b: list[tuple[str, str]], pairs: list[tuple[int, int]]) -> str | None:
    """The first paragraph of one text part that is a near-duplicate of one of the other's (each given as
    ``core.quality.normalised_paragraphs``, numbered as ``paragraph_prints`` numbers them), of the paragraph pairs
    that share enough fingerprints that are not common wording; None when none is."""
    shingled: dict[tuple[int, int], frozenset[str]] = {}

    def of(side: int, at: int) -> frozenset[str]:
        found = shingled.get((side, at))
        if found is None:
            found = shingled[(side, at)] = frozenset(shingles((paras_a if side == 0 else paras_b)[at][1]))
        return found

    for pa, group in groupby(pairs, key=lambda p: p[0]):
        if any(shingle_containment(of(0, pa), of(1, pb)) >= NEAR_DUPLICATE for _, pb in group):
            text: str = paras_a[pa][0]
            return text
    return None


@dataclass
class _Narrative:
    """A report's form and text parts, read back from the spool, and each part's paragraphs normalised once."""

    form_id: str
    parts: dict[str, str]
    normalised: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def paragraphs(self, section: str) -> list[tuple[str, str]]:
        found = self.normalised.get(section)
        if found is None:
            found = self.normalised[section] = normalised_paragraphs(self.parts.get(section, ""))
        return found


def _narrative(memo: OrderedDict[int, _Narrative], seq: int, spool: str, at: int) -> _Narrative:
    """A report's form and text parts, from its line of the first spool (``MEMO_REPORTS`` kept, the least recently
    used dropped first)."""
    found = memo.get(seq)
    if found is not None:
        memo.move_to_end(seq)
        return found
    with open(spool, encoding="utf-8", errors="surrogatepass") as fh:
        fh.seek(at)
        fields = fh.readline().rstrip("\n").split(SEPARATOR)
    doc = json.loads(fields[3])
    found = _Narrative(json.loads(fields[0])["form"],
                       {k: v for k, v in (doc.get("narrative") or {}).items() if isinstance(v, str)})
    memo[seq] = found
    if len(memo) > MEMO_REPORTS:
        memo.popitem(last=False)
    return found


def _heading(form_id: str, key: str) -> str:
    """A text part's heading in the report's own form."""
    from ..spec import load_form

    try:
        return load_form(form_id).section(key).heading
    except KeyError:
        return key


def flag_row(rule_id: str, count: Any, head: dict[str, Any]) -> dict[str, Any]:
    """A report an ``audit_flag`` rule lists (表四 结果纠正), as a row of 质量."""
    from ..core.rules import catalogue

    rule = catalogue().rule(rule_id)
    return {"what": rule.title, "agency": head.get("agency") or "", "file": head["name"], "other_agency": "",
            "other_file": "", "section": "", "share": "", "note": rule.message.format(id=rule.id, count=count)}

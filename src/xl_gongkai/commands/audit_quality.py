"""The audit's quality sheet (质量): text copied across agencies, and what an office wants listed (复议纠错, 诉讼败诉).

Copying across agencies — a 存在的主要问题 paragraph shared by five departments — is found without comparing all
pairs: each worker sends the winnowed fingerprints of each text part (``core.quality.fingerprints``), the ledger
indexes them, and only pairs of reports of *different* agencies and the same year that share fingerprints of the
same part are compared, in full, on their text. A pair is listed when one of its paragraphs is a near-duplicate
(:data:`NEAR_DUPLICATE`) of one of the other's by fingerprints that are not common wording — a template paragraph
every unit starts from is no copy, even in two reports that share something else — with the share of the part's
text the two have in common.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from ..core.quality import Paragraph, containment, paragraph_index, percent, shingle_containment
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


def copies(ledger: Ledger, spool: str) -> list[dict[str, Any]]:
    """The pairs of reports of different agencies that share a near-duplicate paragraph, as rows of 质量."""
    rows: list[dict[str, Any]] = []
    texts: dict[int, tuple[str, dict[str, str]]] = {}
    index: dict[tuple[int, str], tuple[list[Paragraph], frozenset[int]]] = {}
    common = ledger.common_prints(MAX_SHARED_BY)
    reports: dict[int, tuple[str, str, int] | None] = {}
    for seq, other, section, _ in ledger.shared(MAX_SHARED_BY, MIN_COMMON):
        a, b = (reports[s] if s in reports else reports.setdefault(s, ledger.report_at(s)) for s in (seq, other))
        if a is None or b is None:
            continue
        form_id, parts = _narrative(texts, seq, spool, a[2])
        ta, tb = parts.get(section, ""), _narrative(texts, other, spool, b[2])[1].get(section, "")
        shared = next(_near(_indexed(index, seq, section, ta), _indexed(index, other, section, tb), common), None)
        if shared is None:
            continue
        quote = shared if len(shared) <= QUOTE_CHARS else shared[:QUOTE_CHARS] + "…"
        rows.append({"what": COPIED, "agency": a[0], "file": a[1], "other_agency": b[0], "other_file": b[1],
                     "section": _heading(form_id, section), "share": percent(containment(ta, tb)),
                     "note": f"相同的段落：“{quote.strip()}”"})
    return rows


Indexed = tuple[list[Paragraph], frozenset[int]]  # a text part's paragraphs, and all their fingerprints


def _indexed(index: dict[tuple[int, str], Indexed], seq: int, section: str, text: str) -> Indexed:
    """A text part's paragraphs with their fingerprints, kept for the next pairs (pairs come ordered by report:
    a few thousand kept serve them)."""
    found = index.get((seq, section))
    if found is None:
        if len(index) > 4096:
            index.clear()
        paras = paragraph_index(text)
        found = index[(seq, section)] = (paras, frozenset().union(*(p.prints for p in paras)))
    return found


def _near(a: Indexed, b: Indexed, common: set[int]) -> Iterator[str]:
    """The paragraphs of ``a`` that are near-duplicates of one of ``b``'s, sharing at least :data:`MIN_COMMON`
    fingerprints that are not ``common`` wording (a paragraph sharing fewer with all of ``b`` is passed over before
    any paragraph of ``b`` is looked at)."""
    paras_b, all_b = b
    for p in a[0]:
        own = (p.prints & all_b) - common
        if len(own) < MIN_COMMON:
            continue
        if any(len(own & q.prints) >= MIN_COMMON and shingle_containment(p.shingles, q.shingles) >= NEAR_DUPLICATE
               for q in paras_b):
            yield p.text


def _narrative(memo: dict[int, tuple[str, dict[str, str]]], seq: int, spool: str, at: int
               ) -> tuple[str, dict[str, str]]:
    """A report's form and text parts, from its line of the first spool (a few hundred kept: pairs come ordered by
    report)."""
    found = memo.get(seq)
    if found is None:
        with open(spool, encoding="utf-8", errors="surrogatepass") as fh:
            fh.seek(at)
            fields = fh.readline().rstrip("\n").split(SEPARATOR)
        doc = json.loads(fields[3])
        found = (json.loads(fields[0])["form"],
                 {k: v for k, v in (doc.get("narrative") or {}).items() if isinstance(v, str)})
        if len(memo) > 512:
            memo.clear()
        memo[seq] = found
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

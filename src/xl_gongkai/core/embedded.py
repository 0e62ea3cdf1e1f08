"""A report that carries its own data: the payload it was made from, inside the published HTML and Word file.

Every reader of published reports — ours included — gets the numbers back by re-reading printed text, and a
table that survived a CMS, a PDF conversion or a clerk's copy and paste is not always legible. The report this
tool generates comes from a checked payload, so it carries that payload (financial reports do the same with
inline XBRL): the HTML report in an inert ``<script type="application/json">`` element, the .docx in a custom
XML part (a data store item Word keeps through editing and saving). Neither changes what a reader sees.

The names below are the one place the embedding is spelt: the writers (``publish``) put the data there, the
readers (``adapters.published``) look for it there. The data is the payload exactly as ``export`` builds it —
its schema id, the rule catalogue's version and its sha256 included — written by :func:`embedded_text`.

A reader that finds the data still reads the printed tables and compares them cell by cell (:func:`compare`):
a number edited in Word after the report was generated is an 错误 (I9) naming the cell, whichever of the two
is right.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..spec import CellKey
from .catalogue import load_catalogue
from .findings import Finding, Place
from .numbers import read, show
from .report import Report

# The HTML report: <script type="application/json" id="…">, which browsers neither run nor show.
HTML_ELEMENT_ID = "xl-gongkai-payload"
HTML_ELEMENT_TYPE = "application/json"
# The Word report: a custom XML part (ECMA-376 Part 1, 22.5) with its properties part, related from the main
# document. Word renumbers custom XML parts when it saves, so a reader finds ours by its root element's
# namespace, not by this name.
CUSTOM_XML_PART = "customXml/item1.xml"
CUSTOM_XML_PROPS_PART = "customXml/itemProps1.xml"
CUSTOM_XML_NAMESPACE = "urn:xl-gongkai:embedded-payload"
CUSTOM_XML_ROOT = "payload"
# The data store item's id (a GUID, as Word requires): fixed, so the same report gives the same file.
CUSTOM_XML_ITEM_ID = "{5B4E2F0A-6C1D-4E8B-9A37-2D1F0C8E6B45}"

READ_NOTE = "读取了报告内嵌的数据"
MISMATCH_RULE = "I9"
DAMAGED_RULE = "I10"

_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}


def embedded_text(doc: Mapping[str, Any]) -> str:
    """The payload as a report carries it: JSON in ASCII, with ``<``, ``>`` and ``&`` written as ``\\u`` escapes.

    The same text is then inert inside an HTML ``<script>`` element (no ``</script>`` can occur in it), plain
    character data in XML (nothing to escape, no character XML forbids), and unchanged by a site that re-encodes
    its pages (GB18030 or UTF-8): it parses back to the same payload, ``sha256`` and all.
    """
    text = json.dumps(doc, ensure_ascii=True, separators=(",", ":"))
    for char, escape in _ESCAPES.items():
        text = text.replace(char, escape)
    return text


def _printed(report: Report, key: CellKey) -> str:
    """What the printed table shows in a cell, in the words of a message."""
    if key in report.unread:
        return "无法读取的内容"
    r = read(report.values.get(key))
    return "空白" if r.kind == "blank" else show(r.number if r.kind == "number" else r.text)


def _same(a: Any, b: Any) -> bool:
    ra, rb = read(a), read(b)
    if ra.kind != rb.kind:
        return False
    return ra.number == rb.number if ra.kind == "number" else ra.text == rb.text


def compare(carried: Report, printed: Report) -> list[Finding]:
    """Every cell where the printed tables and the embedded data disagree, as I9 错误 naming the cell.

    A table the printed text lacks altogether is one finding, not one per cell; tables printed in another
    format than the data's are one finding too (their cells cannot be paired).
    """
    rule = load_catalogue().rule(MISMATCH_RULE)
    form = carried.form
    if printed.form.id != form.id:
        return [rule.finding("form", place=Place(), where="统计表",
                             what=f"表格按{printed.form.title}读取，内嵌的数据是{form.title}")]
    out: list[Finding] = []
    for table in form.tables:
        if table.key in printed.absent:
            out.append(rule.finding(table.key, place=Place(table=table.key), where=f"表{table.number}",
                                    what=f"表格中没有读到这张表（{printed.absent[table.key]}），内嵌的数据中有"))
    for cell in form.cells:
        key = cell.key
        if key.table in printed.absent or _same(carried.values.get(key), printed.values.get(key)):
            continue
        out.append(rule.finding(
            str(key), place=Place(table=key.table, row=key.row, column=key.column), cells=(key,),
            where=cell.describe(), what=f"表格中是{_printed(printed, key)}，报告内嵌的数据是{_printed(carried, key)}"))
    return out


def damaged(scope: str, what: str) -> Finding:
    """The I10 错误 about embedded data that cannot be used as it is (``what`` completes the sentence)."""
    return load_catalogue().rule(DAMAGED_RULE).finding(scope, place=Place(), what=what)

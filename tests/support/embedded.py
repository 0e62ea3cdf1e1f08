"""Generated reports changed the ways people change them, for the tests of the data a report carries.

Each helper works on the file's own text or package with the standard library and lxml, not through the code
under test: a number edited in the page's text or in the Word file's ``word/document.xml`` (what a clerk does in
an editor or in Word), the data taken out (what a CMS that drops scripts, or a converter, leaves), the data
edited, and the package's parts renamed as Word renames them when it saves.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from typing import Any

from lxml import etree

from xl_gongkai.core.embedded import CUSTOM_XML_NAMESPACE, HTML_ELEMENT_ID

DOCUMENT = "word/document.xml"
_SCRIPT = re.compile(r'<script[^>]*\bid="' + re.escape(HTML_ELEMENT_ID) + r'"[^>]*>(.*?)</script>\n?', re.S)
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"


def html_data(page: str) -> str:
    (found,) = _SCRIPT.findall(page)
    return str(found)


def without_data_html(page: str) -> str:
    out, n = _SCRIPT.subn("", page)
    assert n == 1
    return out


def with_data_html(page: str, change: Callable[[dict[str, Any]], None]) -> str:
    """The page with its embedded payload changed by ``change`` (written back as JSON, the hash left as it was)."""
    doc = json.loads(html_data(page))
    change(doc)
    text = json.dumps(doc, ensure_ascii=True).replace("<", "\\u003c")
    return page.replace(html_data(page), text, 1)


def edit_html_number(page: str, old: str, new: str) -> str:
    """One printed number of a table changed in the page's text; ``old`` must be printed exactly once."""
    cells = re.findall(r">" + re.escape(old) + r"</td>", page)
    assert len(cells) == 1, f"{old} is printed {len(cells)} times"
    return page.replace(f">{old}</td>", f">{new}</td>", 1)


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def package(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return out.getvalue()


def edit_docx_number(data: bytes, old: str, new: str) -> bytes:
    """One printed number changed in ``word/document.xml``, as an edit in Word leaves it; printed once."""
    entries = parts(data)
    xml = entries[DOCUMENT].decode("utf-8")
    runs = re.findall(r"<w:t>" + re.escape(old) + r"</w:t>", xml)
    assert len(runs) == 1, f"{old} is printed {len(runs)} times"
    entries[DOCUMENT] = xml.replace(f"<w:t>{old}</w:t>", f"<w:t>{new}</w:t>", 1).encode("utf-8")
    return package(entries)


def docx_data_parts(data: bytes) -> list[str]:
    """The names of the custom XML parts whose root is in the embedding's namespace."""
    return [n for n, b in parts(data).items() if n.startswith("customXml/") and not n.startswith("customXml/_rels")
            and etree.QName(etree.fromstring(b)).namespace == CUSTOM_XML_NAMESPACE]


def without_data_docx(data: bytes) -> bytes:
    """The package without the data part, its properties part, their relationships and content types: valid."""
    entries = parts(data)
    (item,) = docx_data_parts(data)
    stem = item.rsplit("/", 1)[1]
    rels_name = f"customXml/_rels/{stem}.rels"
    props = [f"customXml/{r.get('Target')}" for r in etree.fromstring(entries[rels_name])]
    for name in (item, rels_name, *props):
        del entries[name]
    doc_rels = etree.fromstring(entries["word/_rels/document.xml.rels"])
    for rel in list(doc_rels):
        if rel.get("Target") == f"../{item}":
            doc_rels.remove(rel)
    entries["word/_rels/document.xml.rels"] = etree.tostring(doc_rels, xml_declaration=True, encoding="UTF-8",
                                                             standalone=True)
    types = etree.fromstring(entries["[Content_Types].xml"])
    for override in list(types):
        if override.get("PartName") in {f"/{p}" for p in props}:
            types.remove(override)
    entries["[Content_Types].xml"] = etree.tostring(types, xml_declaration=True, encoding="UTF-8", standalone=True)
    return package(entries)


def renamed_docx_data(data: bytes, number: int) -> bytes:
    """The data part under another number, with its relationship, as Word renumbers custom XML when it saves."""
    entries = parts(data)
    (item,) = docx_data_parts(data)
    new = f"customXml/item{number}.xml"
    stem, new_stem = item.rsplit("/", 1)[1], new.rsplit("/", 1)[1]
    entries[new] = entries.pop(item)
    entries[f"customXml/_rels/{new_stem}.rels"] = entries.pop(f"customXml/_rels/{stem}.rels")
    rels = entries["word/_rels/document.xml.rels"].decode("utf-8").replace(f'"../{item}"', f'"../{new}"')
    entries["word/_rels/document.xml.rels"] = rels.encode("utf-8")
    return package(entries)


def with_data_docx(data: bytes, text: Callable[[str], str]) -> bytes:
    """The package with the embedded text replaced by ``text(old)`` (written as the root element's text)."""
    entries = parts(data)
    (item,) = docx_data_parts(data)
    root = etree.fromstring(entries[item])
    root.text = text(root.text or "")
    entries[item] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return package(entries)


def unique_numbers(values: dict[Any, Any], at_least: int = 10) -> list[tuple[Any, int]]:
    """Cells whose value no other cell has (and at least ``at_least``): printed once, so an edit of the text names
    one cell without the test knowing the layout."""
    counts: dict[Any, int] = {}
    for v in values.values():
        counts[v] = counts.get(v, 0) + 1
    return [(k, v) for k, v in values.items() if isinstance(v, int) and v >= at_least and counts[v] == 1]

"""Schema validation of package parts (tests only), against the vendored XSDs in tests/data/schemas.

Sources and licences: tests/data/schemas/README.md. lxml (libxml2) is the validator; it comes with
python-docx. Two adjustments, both mechanical and counted so a test can see they were needed:

- Microsoft's customUI XSDs (2006 and 2009) declare some attributes twice on one type — an extension
  re-adds an attribute group its base type already has (``CT_ButtonRegular`` adds ``AG_Enabled`` on top of
  ``CT_Control``'s ``AG_CommonAttributes``). Other validators accept that; libxml2 rejects the schema
  ("Duplicate attribute use"). Such repeated references are dropped before compiling: an attribute
  that is declared twice means the same either way.
- Markup compatibility (ECMA-376 Part 3): attributes and elements in a namespace that the part lists
  in ``mc:Ignorable`` (e.g. ``x14ac``) are removed before validation, as a consumer that does not
  understand them must ignore them; ``mc:AlternateContent`` is resolved to its ``mc:Fallback``.
- ``xml:space="preserve"`` on a text element ``<t>``: Excel (and XlsxWriter, and our package editor) write it
  on every text with leading or trailing spaces, but the XSD types ``<t>`` as a plain string, which by XML
  Schema's rules cannot carry any attribute. It is removed before validation (``XML_SPACE``).
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path

from lxml import etree

SCHEMAS = Path(__file__).resolve().parent.parent / "data" / "schemas"
XSD = "{http://www.w3.org/2001/XMLSchema}"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"

NAMESPACES = {
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main": SCHEMAS / "ecma-376" / "sml.xsd",
    "http://schemas.openxmlformats.org/package/2006/content-types": SCHEMAS / "opc" / "opc-contentTypes.xsd",
    "http://schemas.openxmlformats.org/package/2006/relationships": SCHEMAS / "opc" / "opc-relationships.xsd",
    "http://schemas.microsoft.com/office/2006/01/customui": SCHEMAS / "customui" / "customUI.xsd",
    "http://schemas.microsoft.com/office/2009/07/customui": SCHEMAS / "customui" / "customui14.xsd",
    "http://schemas.openxmlformats.org/officeDocument/2006/customXml":
        SCHEMAS / "ecma-376" / "shared-customXmlDataProperties.xsd",
}


def _group_members(groups: dict[str, etree._Element], name: str) -> list[etree._Element]:
    """The ``xsd:attribute`` declarations of an attribute group, nested groups expanded."""
    out: list[etree._Element] = []
    for child in groups[name]:
        if child.tag == f"{XSD}attribute":
            out.append(child)
        elif child.tag == f"{XSD}attributeGroup":
            out += _group_members(groups, child.get("ref") or "")
    return out


def _attr_name(attr: etree._Element) -> str:
    return attr.get("name") or attr.get("ref") or ""


def _group_attributes(groups: dict[str, etree._Element], name: str) -> set[str]:
    return {_attr_name(a) for a in _group_members(groups, name)}


def drop_duplicate_attribute_uses(tree: etree._ElementTree) -> int:
    """Remove attribute(-group) references that repeat what the base type already declares; return how many."""
    root = tree.getroot()
    groups = {g.get("name"): g for g in root.iter(f"{XSD}attributeGroup") if g.get("name")}
    types = {t.get("name"): t for t in root.iter(f"{XSD}complexType") if t.get("name")}

    @functools.cache
    def declared(type_name: str) -> frozenset[str]:
        t = types.get(type_name)
        if t is None:
            return frozenset()
        names: set[str] = set()
        for holder in [t, *t.iter(f"{XSD}extension"), *t.iter(f"{XSD}restriction")]:
            if holder.tag in (f"{XSD}extension", f"{XSD}restriction") and holder.get("base"):
                names |= declared(holder.get("base") or "")
            for child in holder:
                if child.tag == f"{XSD}attribute":
                    names.add(child.get("name") or child.get("ref") or "")
                elif child.tag == f"{XSD}attributeGroup":
                    names |= _group_attributes(groups, child.get("ref") or "")
        return frozenset(names)

    dropped = 0
    for ext in root.iter(f"{XSD}extension"):
        inherited = set(declared(ext.get("base") or ""))
        for child in list(ext):
            if child.tag == f"{XSD}attribute":
                if _attr_name(child) in inherited:
                    ext.remove(child)
                    dropped += 1
                inherited.add(_attr_name(child))
            elif child.tag == f"{XSD}attributeGroup":
                members = _group_members(groups, child.get("ref") or "")
                repeated = [a for a in members if _attr_name(a) in inherited]
                if repeated:  # keep the group's other attributes, declared one by one
                    at = ext.index(child)
                    ext.remove(child)
                    for i, attr in enumerate(a for a in members if _attr_name(a) not in inherited):
                        ext.insert(at + i, copy.deepcopy(attr))
                    dropped += len(repeated)
                inherited |= {_attr_name(a) for a in members}
    declared.cache_clear()
    return dropped


@functools.cache
def schema(namespace: str) -> tuple[etree.XMLSchema, int]:
    """The compiled schema of a namespace and how many duplicate attribute uses had to be dropped."""
    tree = etree.parse(str(NAMESPACES[namespace]))
    dropped = drop_duplicate_attribute_uses(tree) if "customui" in namespace else 0
    return etree.XMLSchema(tree), dropped


def without_ignorable(root: etree._Element) -> etree._Element:
    """Apply markup compatibility: drop what mc:Ignorable lists, resolve mc:AlternateContent to its fallback."""
    ignorable = root.get(f"{{{MC}}}Ignorable")
    if ignorable is None and not root.findall(f".//{{{MC}}}AlternateContent"):
        return root
    namespaces = {root.nsmap[p] for p in (ignorable or "").split() if p in root.nsmap}
    for alt in root.findall(f".//{{{MC}}}AlternateContent"):
        parent = alt.getparent()
        fallback = alt.find(f"{{{MC}}}Fallback")
        index = parent.index(alt)
        parent.remove(alt)
        for i, child in enumerate(list(fallback) if fallback is not None else []):
            parent.insert(index + i, child)
    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            continue
        if etree.QName(el).namespace in namespaces and el.getparent() is not None:
            el.getparent().remove(el)
            continue
        for attr in list(el.attrib):
            if etree.QName(attr).namespace in namespaces or attr == f"{{{MC}}}Ignorable":
                del el.attrib[attr]
    return root


XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def without_text_spacing(root: etree._Element) -> etree._Element:
    """Drop ``xml:space`` from ``<t>`` elements (see the module docstring)."""
    for el in root.iter():
        if isinstance(el.tag, str) and etree.QName(el).localname == "t" and XML_SPACE in el.attrib:
            del el.attrib[XML_SPACE]
    return root


def validate(data: bytes) -> list[str]:
    """Every schema error of one XML part (empty when valid); the part's root namespace picks the schema."""
    root = etree.fromstring(data)
    namespace = etree.QName(root).namespace or ""
    xsd, _ = schema(namespace)
    root = without_text_spacing(without_ignorable(root))
    if xsd.validate(root):
        return []
    return [f"line {e.line}: {e.message}" for e in xsd.error_log]

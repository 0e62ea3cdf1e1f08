"""Every XML part the project writes or edits is valid against the published schemas.

Schemas (vendored, sources and licences in tests/data/schemas/README.md): ECMA-376 transitional SpreadsheetML
(sheets, workbook with its defined names, shared strings, styles), the OPC content-types and relationships
schemas, Microsoft's customUI schemas for both ribbon parts, and the custom XML data properties of the part the
Word report carries its data in. Parts XlsxWriter or python-docx write and we never touch (theme, document
properties, the WordprocessingML parts) are not checked here.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from conftest import TODAY, load
from support.schemas import NAMESPACES, schema, validate
from xl_gongkai.build import package
from xl_gongkai.commands.fill import fill_file
from xl_gongkai.commands.report import render_report
from xl_gongkai.commands.workbook import new_workbook
from xl_gongkai.core.embedded import CUSTOM_XML_ITEM_ID, CUSTOM_XML_PROPS_PART

ROOT = Path(__file__).resolve().parent.parent
UNCHECKED = {"xl/theme/theme1.xml", "docProps/core.xml", "docProps/app.xml"}


def _xml_parts(data: bytes) -> dict[str, bytes]:
    z = zipfile.ZipFile(io.BytesIO(data))
    return {n: z.read(n) for n in z.namelist() if n.endswith((".xml", ".rels")) and n not in UNCHECKED}


def _assert_valid(data: bytes) -> set[str]:
    parts = _xml_parts(data)
    for name, xml in parts.items():
        assert etree.QName(etree.fromstring(xml)).namespace in NAMESPACES, f"{name}: no schema for its namespace"
        assert validate(xml) == [], name
    return set(parts)


def test_every_part_of_the_template_is_schema_valid(built_template: bytes) -> None:
    checked = _assert_valid(built_template)
    assert {"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
            package.RIBBON_PART, package.LEGACY_RIBBON_PART} <= checked
    assert sum(1 for n in checked if n.startswith("xl/worksheets/sheet")) == 11


def test_filled_and_new_workbooks_stay_schema_valid(tmp_path: Path) -> None:
    """The package editor rewrites cells of sheets: what it writes must stay valid too."""
    path = new_workbook(tmp_path / "huaian.xlsm", source=load("huaian-city-2024"), today=TODAY)
    _assert_valid(path.read_bytes())
    out, _ = fill_file(path, tmp_path / "filled.xlsm")
    _assert_valid(out.read_bytes())


def test_libxml2_needs_the_customui_schemas_repaired() -> None:
    """As published, both customUI schemas repeat attribute uses that libxml2 refuses; the repair is counted."""
    for ns in ("http://schemas.microsoft.com/office/2006/01/customui",
               "http://schemas.microsoft.com/office/2009/07/customui"):
        with pytest.raises(etree.XMLSchemaParseError, match="Duplicate attribute use"):
            etree.XMLSchema(etree.parse(str(NAMESPACES[ns])))
        _, dropped = schema(ns)
        assert dropped > 0


@pytest.mark.parametrize(("part", "old", "new", "message"), [
    (package.RIBBON_PART, b'size="large"', b'size="huge"', "size"),
    (package.LEGACY_RIBBON_PART, b'onAction="Gk_Check"', b'onAction="Gk_Check" colour="red"', "colour"),
    ("xl/worksheets/sheet4.xml", b'<cfRule type="expression"', b'<cfRule type="formula"', "type"),
    ("xl/workbook.xml", b'<definedName name="gk_marks__requests">',
     b'<definedName>', "name"),
    ("_rels/.rels", b'Id="rIdGkRibbon2006"', b"", "Id"),
])
def test_the_validation_catches_a_broken_part(part: str, old: bytes, new: bytes, message: str,
                                              built_template: bytes) -> None:
    xml = _xml_parts(built_template)[part]
    assert old in xml
    errors = validate(xml.replace(old, new, 1))
    assert errors and any(message in e for e in errors), errors


def test_the_audit_results_workbook_is_schema_valid(tmp_path: Path) -> None:
    """The big sheets are made in pieces by the workers and joined (``adapters.audit_files``): every sheet, the
    workbook, the styles, the relationships and the content types are still what the schemas allow — the
    links after the filter and before the page margins, the dimension over every row. (The charts' DrawingML
    has no schema here.)"""
    import json

    from xl_gongkai.commands.audit import run_audit, write_outputs

    folder = tmp_path / "收件"
    folder.mkdir()
    for i in range(3):
        doc = json.loads((ROOT / "tests" / "data" / "reports" / "huaian-city-2024.json").read_text("utf-8"))
        doc["metadata"]["agency"] = f"某局{i}"
        doc["values"]["requests"]["new"]["natural_person"] = "不详" if i else 3000
        (folder / f"某局{i}.json").write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    (folder / "坏文件.xlsx").write_bytes(b"not a zip")
    out = tmp_path / "审核结果.xlsx"
    with run_audit(folder, jobs=1, today=TODAY) as result:
        write_outputs(result, out)
    parts = {n: x for n, x in _xml_parts(out.read_bytes()).items()
             if etree.QName(etree.fromstring(x)).namespace in NAMESPACES}
    sheets = [n for n in parts if n.startswith("xl/worksheets/sheet")]
    assert len(sheets) == 6 and "xl/workbook.xml" in parts and "xl/styles.xml" in parts  # with 质量
    assert any(b"<hyperlinks>" in parts[n] for n in sheets)
    for name, xml in parts.items():
        assert validate(xml) == [], name


def test_the_word_reports_package_stays_valid_with_its_data_part(tmp_path: Path) -> None:
    """The data the Word report carries (core.embedded) is added as Word adds custom XML: the package's content
    types and relationships, and the data store item's properties part, are valid."""
    render_report(load("huaian-city-2024"), docx_path=tmp_path / "r.docx", today=TODAY)
    with zipfile.ZipFile(tmp_path / "r.docx") as z:
        parts = {n: z.read(n) for n in z.namelist() if n.endswith(".rels") or n in ("[Content_Types].xml",
                                                                                     CUSTOM_XML_PROPS_PART)}
    assert {"[Content_Types].xml", "_rels/.rels", "word/_rels/document.xml.rels", "customXml/_rels/item1.xml.rels",
            CUSTOM_XML_PROPS_PART} <= set(parts)
    for name, xml in parts.items():
        assert validate(xml) == [], name
    props = parts[CUSTOM_XML_PROPS_PART]
    assert validate(props.replace(CUSTOM_XML_ITEM_ID.encode(), b"not-a-guid")) != []

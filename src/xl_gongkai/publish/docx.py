"""The report as a Word file (python-docx), laid out as government documents usually are.

A4 with margins 上3.7 下3.5 左2.8 右2.6 cm; title 二号 方正小标宋简体, body 三号 仿宋_GB2312 with a
first-line indent of two characters and a fixed 28 pt line pitch, headings 黑体 三号, tables 宋体
(五号 for table 二's narrow sub-tables, 小五 for the wide tables 三 and 四) with full borders and the
spec's merged cells, and page numbers “— 1 —” in the footer (a PAGE field, 宋体 四号).

Fonts are named in styles, with the East Asian slot (``w:eastAsia``) set and the template's theme
fonts removed, because a theme font would otherwise win over the named one. Each font also gets a
font-table entry with ``w:altName`` (方正小标宋简体 → 黑体, 仿宋_GB2312 → 仿宋) and the GB2312
charset, which is what Word consults when the font is missing on the reader's computer.

The output is deterministic: core properties come from the report (see ``document.document_stamp``),
and since python-docx stamps every zip entry with the current time, the package is re-zipped with a
fixed entry time. The template's thumbnail (a picture of an empty page) is dropped, and so is its empty
bibliography (a custom XML part of sources, which Word adds back when a citation needs it): the report's
data takes that part's place, under the name Word gives its first custom XML part.

The payload the report was made from is a custom XML part (``core.embedded``): a data store item related
from the main document, with its properties part (its id, and our namespace as its schema reference), as
Word itself writes them. Nothing in the document refers to it, so it changes nothing Word, WPS or
LibreOffice shows or prints; Word keeps such parts when the document is edited and saved.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from typing import cast
from xml.sax.saxutils import escape

from docx import Document as new_document
from docx.document import Document as WordDocument
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Pt, RGBColor
from docx.styles.style import ParagraphStyle
from docx.table import Table as WordTable
from docx.text.paragraph import Paragraph as WordParagraph
from lxml import etree

from ..core.embedded import (
    CUSTOM_XML_ITEM_ID,
    CUSTOM_XML_NAMESPACE,
    CUSTOM_XML_PART,
    CUSTOM_XML_PROPS_PART,
    CUSTOM_XML_ROOT,
)
from .document import GridCell, GridTable, Paragraph, ReportDocument

# Chinese type sizes in points.
ERHAO, SANHAO, SIHAO, WUHAO, XIAOWU = 22.0, 16.0, 14.0, 10.5, 9.0
PAGE_WIDTH, PAGE_HEIGHT = Cm(21.0), Cm(29.7)
MARGINS = {"top": Cm(3.7), "bottom": Cm(3.5), "left": Cm(2.8), "right": Cm(2.6)}
BODY_PITCH = Pt(28)
CELL_MARGIN_TWIPS = 57  # 0.1 cm each side: the 15 columns of table 四 need the room
ROW_HEIGHT_TWIPS = 312  # at least 0.55 cm: room around 小五 text; table 三 is then about 16 cm tall
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
REVIEW_TITLE = "审核人参考：已说明的提示"
REVIEW_NOTE = "本页由 xl-gongkai 生成，仅供审核人参考，不属于年度报告正文。公开发布前请删除本页。"
REVIEW_HEADERS = ("序号", "规则", "提示", "填报人的说明")


@dataclass(frozen=True)
class Fonts:
    """Font names, with the substitute Word should use where a font is not installed."""

    title: str = "方正小标宋简体"
    title_alt: str = "黑体"
    body: str = "仿宋_GB2312"
    body_alt: str = "仿宋"
    heading: str = "黑体"
    table: str = "宋体"


STYLE_TITLE = ("年报标题", "GkTitle")
STYLE_TABLE = ("年报表格", "GkTable")
STYLE_REVIEW = ("审核页标题", "GkReviewTitle")


def render_docx(doc: ReportDocument, fonts: Fonts | None = None) -> bytes:
    fonts = fonts or Fonts()
    word = new_document()
    _drop_thumbnail(word)
    _drop_custom_xml(word)
    _setup_styles(word, fonts)
    _setup_page(word)
    _add_title(word, doc)
    for p in doc.preamble:
        word.add_paragraph(p.text)
    for section in doc.sections:
        word.add_paragraph(section.heading, style="Heading 1")
        previous_table = False
        for block in section.blocks:
            if isinstance(block, Paragraph):
                word.add_paragraph(block.text)
                previous_table = False
            else:
                if previous_table:
                    _spacer(word)  # two adjacent tables would fuse into one in Word
                _add_grid(word, block)
                previous_table = True
        if previous_table:
            _spacer(word)
    if doc.review:
        _add_review(word, doc)
    _set_properties(word, doc)
    if doc.data:
        _embed(word, doc.data)
    buf = io.BytesIO()
    word.save(buf)
    return _fixed_zip(buf.getvalue())


# --------------------------------------------------------------------------------------------------
# styles and page
# --------------------------------------------------------------------------------------------------


def _set_fonts(rpr: BaseOxmlElement, name: str) -> None:
    """Name the font in every slot, East Asian included, and remove theme fonts that would win."""
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), name)
    rfonts.set(qn("w:hint"), "eastAsia")


def _style_font(style: ParagraphStyle, name: str, size: float, *, bold: bool = False) -> None:
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    _set_fonts(style.element.get_or_add_rPr(), name)


def _first_line_chars(style: ParagraphStyle, chars: int, size: float) -> None:
    """First-line indent in characters (``w:firstLineChars``) and in twips for readers that ignore it."""
    style.paragraph_format.first_line_indent = Pt(chars * size)
    ind = style.element.get_or_add_pPr().find(qn("w:ind"))
    if ind is not None:
        ind.set(qn("w:firstLineChars"), str(chars * 100))


def _setup_styles(word: WordDocument, fonts: Fonts) -> None:
    styles = word.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
        if rpr is not None:
            _set_fonts(rpr, fonts.body)
            lang = rpr.find(qn("w:lang"))
            if lang is None:
                lang = OxmlElement("w:lang")
                rpr.append(lang)
            lang.set(qn("w:val"), "en-US")
            lang.set(qn("w:eastAsia"), "zh-CN")
    settings = word.settings.element
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:eastAsia"), "zh-CN")
    spacing = settings.find(qn("w:characterSpacingControl"))
    if spacing is not None:  # Chinese practice: punctuation may be compressed to fit a line
        spacing.set(qn("w:val"), "compressPunctuation")

    normal = styles["Normal"]
    _style_font(normal, fonts.body, SANHAO)
    pf = normal.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = BODY_PITCH
    pf.space_before = pf.space_after = Pt(0)
    pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    pf.widow_control = True
    _first_line_chars(normal, 2, SANHAO)

    heading = styles["Heading 1"]
    _style_font(heading, fonts.heading, SANHAO)
    hf = heading.paragraph_format
    hf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    hf.line_spacing = BODY_PITCH
    hf.space_before = hf.space_after = Pt(0)
    hf.keep_with_next = True
    hf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    _first_line_chars(heading, 2, SANHAO)

    title = _new_style(word, STYLE_TITLE)
    _style_font(title, fonts.title, ERHAO)
    tf = title.paragraph_format
    tf.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _first_line_chars(title, 0, ERHAO)  # the base style's firstLineChars would win over a plain 0
    tf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    tf.line_spacing = Pt(36)
    tf.space_after = BODY_PITCH
    tf.keep_with_next = True

    table = _new_style(word, STYLE_TABLE)
    _style_font(table, fonts.table, XIAOWU)
    pt = table.paragraph_format
    _first_line_chars(table, 0, XIAOWU)
    pt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    pt.space_before = pt.space_after = Pt(0)
    pt.alignment = WD_ALIGN_PARAGRAPH.CENTER

    review = _new_style(word, STYLE_REVIEW)
    _style_font(review, fonts.heading, SANHAO)
    rf = review.paragraph_format
    rf.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _first_line_chars(review, 0, SANHAO)
    rf.page_break_before = True
    rf.space_after = Pt(12)

    footer = styles["Footer"]
    _style_font(footer, fonts.table, SIHAO)
    footer.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _first_line_chars(footer, 0, SIHAO)
    footer.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    _register_fonts(word, fonts)


def _new_style(word: WordDocument, names: tuple[str, str]) -> ParagraphStyle:
    name, style_id = names
    style = word.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.element.set(qn("w:styleId"), style_id)  # ASCII ids: the Chinese name is what Word shows
    style.base_style = word.styles["Normal"]
    style.quick_style = True
    return cast(ParagraphStyle, style)


def _register_fonts(word: WordDocument, fonts: Fonts) -> None:
    """Font-table entries with substitutes (``w:altName``), for readers without the fonts."""
    part = word.part.part_related_by(RT.FONT_TABLE)
    table = parse_xml(part.blob)
    have = {f.get(qn("w:name")) for f in table.findall(qn("w:font"))}
    wanted = [(fonts.title, fonts.title_alt), (fonts.body, fonts.body_alt), (fonts.heading, ""), (fonts.table, "")]
    for name, alt in wanted:
        if name in have:
            continue
        have.add(name)
        font = OxmlElement("w:font")
        font.set(qn("w:name"), name)
        if alt and alt != name:
            el = OxmlElement("w:altName")
            el.set(qn("w:val"), alt)
            font.append(el)
        for tag, val in (("w:charset", "86"), ("w:family", "modern"), ("w:pitch", "fixed")):
            el = OxmlElement(tag)
            el.set(qn("w:val"), val)
            font.append(el)
        table.append(font)
    # The font table is a plain part to python-docx (no API): its bytes are replaced as a whole.
    part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)


def _setup_page(word: WordDocument) -> None:
    section = word.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGINS["top"], MARGINS["bottom"]
    section.left_margin, section.right_margin = MARGINS["left"], MARGINS["right"]
    section.header_distance = Cm(1.5)
    section.footer_distance = Cm(2.8)
    footer = section.footer
    para = footer.paragraphs[0]
    para.style = word.styles["Footer"]
    para.add_run("— ")
    _field(para, "PAGE", "1")
    para.add_run(" —")


def _field(para: WordParagraph, instruction: str, shown: str) -> None:
    """A complex field (begin, instruction, separate, cached result, end), as Word writes it."""

    def char(kind: str) -> None:
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        para.add_run()._r.append(el)

    char("begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    para.add_run()._r.append(instr)
    char("separate")
    para.add_run(shown)
    char("end")


def text_width_twips() -> int:
    return int((PAGE_WIDTH - MARGINS["left"] - MARGINS["right"]) / 635)  # EMU → twips


# --------------------------------------------------------------------------------------------------
# content
# --------------------------------------------------------------------------------------------------


def _add_title(word: WordDocument, doc: ReportDocument) -> None:
    para = word.add_paragraph(style=word.styles[STYLE_TITLE[0]])
    for i, line in enumerate(doc.title_lines):
        run = para.add_run(line)
        if i + 1 < len(doc.title_lines):
            run.add_break()


def _spacer(word: WordDocument) -> None:
    para = word.add_paragraph(style=word.styles[STYLE_TABLE[0]])
    para.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    para.paragraph_format.line_spacing = Pt(8)


def _add_grid(word: WordDocument, grid: GridTable) -> WordTable:
    """Write the grid's rows directly: each printed cell once, with ``gridSpan`` across and
    ``vMerge`` restart/continue down, which is what python-docx's ``merge`` would produce, without
    its cost (it re-reads the whole table for every cell; table 三 took over a second).

    The rows are written as the XML python-docx's own calls produce (``add_tr``, ``add_tc``, the cell's
    properties, ``add_run`` with a font size) and parsed once: building them element by element through
    python-docx took 70 ms a table, most of a report's time, and several times that in the web page. A text
    python-docx would write in another shape (a tab, a line break, spaces at an end, nothing) still goes
    through ``add_run``."""
    total = text_width_twips()
    scale = total / sum(grid.widths)
    widths = [int(w * scale) for w in grid.widths]
    widths[-1] += total - sum(widths)  # rounding: the table is exactly the text width
    table: WordTable = word.add_table(rows=0, cols=grid.n_cols)
    _table_properties(table, total)
    _set_grid_widths(table, widths)
    starts: dict[tuple[int, int], GridCell] = {}
    for gc in grid.cells:
        for dr in range(gc.rowspan):
            starts[(gc.row + dr, gc.col)] = gc
    size = Pt(XIAOWU if grid.dense else WUHAO)
    half_points = round(size.pt * 2)
    style_id = escape(word.styles[STYLE_TABLE[0]].style_id, _QUOTE)
    rows: list[str] = []
    odd: list[tuple[int, str]] = []  # (the cell's number in the table, its text) for add_run
    n_cells = 0
    for r in range(grid.n_rows):
        header = "<w:tblHeader/>" if r < grid.header_rows else ""
        rows.append(f'<w:tr><w:trPr><w:cantSplit/><w:trHeight w:val="{ROW_HEIGHT_TWIPS}" w:hRule="atLeast"/>'
                    f"{header}</w:trPr>")
        c = 0
        while c < grid.n_cols:
            gc = starts[(r, c)]
            span = f'<w:gridSpan w:val="{gc.colspan}"/>' if gc.colspan > 1 else ""
            merge = ("" if gc.rowspan == 1 else '<w:vMerge w:val="restart"/>' if r == gc.row else "<w:vMerge/>")
            width = sum(widths[c : c + gc.colspan])
            align = "left" if gc.align == "left" else "center"
            run = ""
            if r == gc.row:
                if _plain_run_text(gc.text):
                    run = f'<w:r><w:rPr><w:sz w:val="{half_points}"/></w:rPr><w:t>{escape(gc.text)}</w:t></w:r>'
                else:
                    odd.append((n_cells, gc.text))
            rows.append(f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{width}"/>{span}{merge}'
                        f'<w:vAlign w:val="center"/></w:tcPr><w:p><w:pPr><w:pStyle w:val="{style_id}"/>'
                        f'<w:jc w:val="{align}"/></w:pPr>{run}</w:p></w:tc>')
            c += gc.colspan
            n_cells += 1
        rows.append("</w:tr>")
    for tr in parse_xml(f'<w:tbl xmlns:w="{_W_NS}">{"".join(rows)}</w:tbl>'):
        table._tbl.append(tr)
    if odd:
        cells = list(table._tbl.iter(qn("w:tc")))
        for k, text in odd:
            WordParagraph(cells[k].p_lst[0], table).add_run(text).font.size = size
    return table


_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_QUOTE = {'"': "&quot;"}


def _plain_run_text(text: str) -> bool:
    """A text ``add_run`` writes as one ``w:t`` with nothing added: no tab, line break or character XML cannot
    hold (its own elements, or refused as before), no space at either end (``xml:space``), not empty (no
    ``w:t`` at all)."""
    return bool(text) and text == text.strip() and not _NOT_PLAIN.search(text)


_NOT_PLAIN = re.compile("[\x00-\x1f\ud800-\udfff\ufffe\uffff]")


def _table_properties(table: WordTable, width: int) -> None:
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    tbl_w = tbl_pr.find(qn("w:tblW"))
    if tbl_w is None:
        tbl_w = OxmlElement("w:tblW")
        tbl_pr.append(tbl_w)
    tbl_w.set(qn("w:w"), str(width))
    tbl_w.set(qn("w:type"), "dxa")
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), "4")
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), "000000")
        borders.append(el)
    margins = OxmlElement("w:tblCellMar")
    for edge in ("top", "left", "bottom", "right"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:w"), str(CELL_MARGIN_TWIPS if edge in ("left", "right") else 0))
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    _insert_in_order(tbl_pr, borders)
    _insert_in_order(tbl_pr, margins)


# Schema order of w:tblPr children (CT_TblPr): elements must appear in this sequence.
_TBLPR_ORDER = [
    "tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize", "tblW",
    "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook",
]


def _insert_in_order(parent: BaseOxmlElement, child: BaseOxmlElement) -> None:
    name = child.tag.split("}")[1]
    rank = _TBLPR_ORDER.index(name)
    for existing in parent:
        other = existing.tag.split("}")[1]
        if other in _TBLPR_ORDER and _TBLPR_ORDER.index(other) > rank:
            existing.addprevious(child)
            return
    parent.append(child)


def _set_grid_widths(table: WordTable, widths: list[int]) -> None:
    grid = table._tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(w))


def _add_review(word: WordDocument, doc: ReportDocument) -> None:
    word.add_paragraph(REVIEW_TITLE, style=word.styles[STYLE_REVIEW[0]])
    who = "；".join(x for x in (
        f"机关：{doc.agency}" if doc.agency else "",
        f"年度：{doc.year}" if doc.year else "",
        f"填报人：{doc.preparer}" if doc.preparer else "",
        f"审核人：{doc.reviewer}" if doc.reviewer else "",
    ) if x)
    for text in (REVIEW_NOTE, who):
        if text:
            para = word.add_paragraph(text, style=word.styles[STYLE_TABLE[0]])
            para.alignment = WD_ALIGN_PARAGRAPH.LEFT
            for run in para.runs:
                run.font.size = Pt(WUHAO)
    rows = [REVIEW_HEADERS, *((str(i), n.rule, n.message, n.explanation) for i, n in enumerate(doc.review, 1))]
    grid = GridTable(  # n_cols 4: not dense, so the table is in 五号 like the note above it
        key="review",
        n_rows=len(rows),
        n_cols=4,
        widths=(2.0, 2.5, 14.0, 10.0),
        header_rows=1,
        cells=tuple(
            _review_cell(r, c, text) for r, row in enumerate(rows) for c, text in enumerate(row)
        ),
    )
    _add_grid(word, grid)


def _review_cell(row: int, col: int, text: str) -> GridCell:
    from .document import GridCell

    role = "header" if row == 0 or col < 2 else "label"
    return GridCell(row, col, 1, 1, text, role)


def _drop_thumbnail(word: WordDocument) -> None:
    rels = word.part.package.rels
    for rid in [rid for rid, rel in rels.items() if rel.reltype == RT.THUMBNAIL]:
        rels.pop(rid)


def _drop_custom_xml(word: WordDocument) -> None:
    rels = word.part.rels
    for rid in [rid for rid, rel in rels.items() if rel.reltype == RT.CUSTOM_XML]:
        rels.pop(rid)


def _set_properties(word: WordDocument, doc: ReportDocument) -> None:
    props = word.core_properties
    props.title = doc.title
    props.author = doc.agency
    props.last_modified_by = doc.agency
    props.subject = doc.kind
    props.comments = "由 xl-gongkai 根据年报数据生成"
    props.keywords = "政府信息公开;年度报告"
    props.category = ""
    props.revision = 1
    stamp = doc.stamp.replace(tzinfo=None)
    props.created = stamp
    props.modified = stamp


def _embed(word: WordDocument, data: str) -> None:
    """The payload as a custom XML part with its properties part, related from the main document."""
    package = word.part.package
    root = etree.Element(f"{{{CUSTOM_XML_NAMESPACE}}}{CUSTOM_XML_ROOT}", nsmap={None: CUSTOM_XML_NAMESPACE})
    root.text = data
    item = Part(PackURI(f"/{CUSTOM_XML_PART}"), CT.XML, _xml_bytes(root), package)
    ds = "http://schemas.openxmlformats.org/officeDocument/2006/customXml"
    props = etree.Element(f"{{{ds}}}datastoreItem", nsmap={"ds": ds})
    props.set(f"{{{ds}}}itemID", CUSTOM_XML_ITEM_ID)
    refs = etree.SubElement(props, f"{{{ds}}}schemaRefs")
    etree.SubElement(refs, f"{{{ds}}}schemaRef").set(f"{{{ds}}}uri", CUSTOM_XML_NAMESPACE)
    item.relate_to(Part(PackURI(f"/{CUSTOM_XML_PROPS_PART}"), CT.OFC_CUSTOM_XML_PROPERTIES, _xml_bytes(props),
                        package), RT.CUSTOM_XML_PROPS)
    word.part.relate_to(item, RT.CUSTOM_XML)


def _xml_bytes(root: etree._Element) -> bytes:
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return data


def _fixed_zip(data: bytes) -> bytes:
    """The same package with every entry dated 1980-01-01, so equal documents give equal bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()

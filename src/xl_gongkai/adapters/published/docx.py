"""A published report as a Word document (.docx): its paragraphs as text lines, its tables as grid rows.

Offices receive most reports as Word files. A .docx is read here into the same lines the page reader makes of
a page (``html``): each paragraph is a line of its own (``block``), and each row of a data table is one
``Line(text, cells, grid=True, carried=…)`` whose cells sit where the table puts them — ``w:gridSpan`` is one
cell spanning columns (as ``colspan``), ``w:vMerge`` continues the cell above down the rows (as ``rowspan``:
the cell below carries the text of the one that started the merge and is marked carried, so the table reader
knows that value was not printed again). Empty cells survive, so the position of every number is known. A
table used for layout (one column, a table inside it, or a cell of running text) is read as paragraphs, by the
page reader's rule.

Why a reader of our own rather than mammoth (docs/design.md, Dependencies): the package is opened by the one
bounded zip reader every package goes through (``package_zip``: entries counted, the part decompressed as a
stream and counted), and the XML is parsed by defusedxml's parser without building a tree — events in,
lines out — so a document nested ten thousand deep or with a DTD costs nothing; mammoth opens the zip and
parses the XML without those bounds, adds a dependency, and turns tables into HTML that would then be parsed
again. Only the main part is read for the text: headers and footers hold page numbers, not the report. The
custom XML parts are looked into for the data a generated report carries (``core.embedded``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError, fromstring

from ...core.embedded import CUSTOM_XML_NAMESPACE, CUSTOM_XML_ROOT
from ...errors import InputError
from ..jsonfile import MAX_JSON_BYTES
from ..package_zip import MAX_PARSED_PART, ZipPackage, ascii_lower
from .html import _LAYOUT_CELL_CHARS, _MAX_SPAN
from .text import MAX_TEXT_CHARS, Document, Line, fix_characters, is_page_marker, strip_emphasis

MAIN_PART = "word/document.xml"
MAX_CUSTOM_PARTS = 64  # custom XML parts looked into for embedded data; Word and SharePoint write a handful
MAX_EMBEDDED_BYTES = MAX_JSON_BYTES * 2  # a payload is under 1 MB; as ASCII JSON a Chinese character takes 6 bytes
_CUSTOM_ITEM = re.compile(r"customxml/(?!itemprops)[^/]+\.xml")  # the items, not their properties parts
_EMBEDDED_ROOT = f"{{{CUSTOM_XML_NAMESPACE}}}{CUSTOM_XML_ROOT}"
MAX_PART_BYTES = MAX_PARSED_PART  # a report's document.xml is 0.1-2 MB; parsed as a stream, never as a tree
_NAMESPACES = ("http://schemas.openxmlformats.org/wordprocessingml/2006/main",
               "http://purl.oclc.org/ooxml/wordprocessingml/main")  # transitional and strict
_W = tuple("{" + ns + "}" for ns in _NAMESPACES)
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_SPACE = re.compile(r"\s+")


def _local(tag: str) -> str | None:
    """The local name of a WordprocessingML element, None for other vocabularies."""
    for prefix in _W:
        if tag.startswith(prefix):
            return tag[len(prefix):]
    return None


def _val(attrib: dict[str, str]) -> str | None:
    return next((v for k, v in attrib.items() if k.endswith("}val") and _local(k) is not None), None)


def _int(text: str | None, default: int) -> int:
    m = re.match(r"\s*(\d+)", text or "")
    return min(max(int(m.group(1)), 1), _MAX_SPAN) if m else default


@dataclass
class _Cell:
    span: int = 1
    merge: str | None = None  # "restart" or "continue" (w:vMerge)
    blocks: list[str | _Table] = field(default_factory=list)

    def text(self) -> str:
        return _SPACE.sub(" ", " ".join(b for b in self.blocks if isinstance(b, str))).strip()


@dataclass
class _Table:
    rows: list[list[_Cell]] = field(default_factory=list)
    before: list[int] = field(default_factory=list)  # w:gridBefore of each row: grid columns left empty

    def layout(self) -> bool:
        """Read as paragraphs, by the page reader's rule (``html._is_layout``)."""
        cells = [c for row in self.rows for c in row]
        return (not self.rows or max(len(r) for r in self.rows) <= 1
                or any(isinstance(b, _Table) for c in cells for b in c.blocks)
                or any(len(c.text()) > _LAYOUT_CELL_CHARS for c in cells))


class _Reader:
    """ElementTree's parser target: document events in, lines out (no element is built)."""

    def __init__(self) -> None:
        self.lines: list[Line] = []
        self.paragraphs: list[list[str]] = []  # text of the paragraphs open (a text box nests one in another)
        self.tables: list[_Table] = []
        self.text = 0  # inside w:t
        self.skip = 0  # inside mc:Fallback (the same content again, for older readers)
        self.chars = 0

    # -- events ---------------------------------------------------------------------------------------
    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if self.skip or tag == _FALLBACK:
            self.skip += 1
            return
        name = _local(tag)
        if name is None:
            return
        if name == "t":
            self.text += 1
        elif name in ("tab", "br", "cr") and self.paragraphs:
            self.paragraphs[-1].append(" ")
        elif name == "noBreakHyphen" and self.paragraphs:
            self.paragraphs[-1].append("-")
        elif name == "p":
            self.paragraphs.append([])
        elif name == "tbl":
            self.tables.append(_Table())
        elif name == "tr" and self.tables:
            self.tables[-1].rows.append([])
            self.tables[-1].before.append(0)
        elif name == "tc" and self.tables and self.tables[-1].rows:
            self.tables[-1].rows[-1].append(_Cell())
        elif name == "gridBefore" and self.tables and self.tables[-1].rows:
            self.tables[-1].before[-1] = _int(_val(attrib), 0)
        elif name == "gridSpan" and (cell := self._cell()) is not None:
            cell.span = _int(_val(attrib), 1)
        elif name == "vMerge" and (cell := self._cell()) is not None:
            cell.merge = "restart" if _val(attrib) == "restart" else "continue"

    def end(self, tag: str) -> None:
        if self.skip:
            self.skip -= 1
            return
        name = _local(tag)
        if name == "t":
            self.text -= 1
        elif name == "p" and self.paragraphs:
            text = _SPACE.sub(" ", "".join(self.paragraphs.pop()).replace("\xa0", " ")).strip()
            cell = self._cell()
            if cell is not None:
                cell.blocks.append(text)
            elif text and not is_page_marker(text):  # a page number a Word file made from a PDF keeps as a paragraph
                self.lines.append(Line(strip_emphasis(fix_characters(text)), block=True))
        elif name == "tbl" and self.tables:
            table = self.tables.pop()
            cell = self._cell()
            if cell is not None:
                cell.blocks.append(table)
            else:
                self._emit(table)

    def data(self, text: str) -> None:
        if self.text and not self.skip and self.paragraphs:
            self.chars += len(text)
            if self.chars > MAX_TEXT_CHARS:
                raise InputError(f"Word 文档的正文超过 {MAX_TEXT_CHARS:,} 字的上限（一份年度报告通常不到 2 万字），"
                                 "不像是一份年度报告，未读取。")
            self.paragraphs[-1].append(text)

    def close(self) -> None:
        pass

    # -- tables ---------------------------------------------------------------------------------------
    def _cell(self) -> _Cell | None:
        """The cell being read (of the innermost table), or None outside tables."""
        if not self.tables or not self.tables[-1].rows or not self.tables[-1].rows[-1]:
            return None
        return self.tables[-1].rows[-1][-1]

    def _emit(self, table: _Table) -> None:
        if table.layout():
            for row in table.rows:
                for cell in row:
                    for block in cell.blocks:
                        if isinstance(block, _Table):
                            self._emit(block)
                        elif block:
                            self.lines.append(Line(strip_emphasis(fix_characters(block)), block=True))
            return
        above: dict[int, str] = {}  # grid column -> text of the cell whose vertical merge covers it
        for row, before in zip(table.rows, table.before, strict=True):
            col = before
            cells: list[str] = []
            carried: set[int] = set()
            for cell in row:
                if cell.merge == "continue" and col in above:
                    carried.add(len(cells))
                    text = above[col]
                else:
                    text = cell.text()
                    for c in range(col, col + cell.span):
                        if cell.merge == "restart":
                            above[c] = text
                        else:
                            above.pop(c, None)
                cells.append(fix_characters(text))
                col += cell.span
            if any(c.strip() for c in cells):
                self.lines.append(Line("\t".join(cells), tuple(cells), grid=True, carried=frozenset(carried)))


def _refuse(where: str, message: str) -> InputError:
    return InputError(message, place=where)


def parse_docx(path: Path) -> Document:
    """The report's lines from a .docx file: paragraphs, and tables as grid rows; and the data it carries."""
    where = str(path)
    with ZipPackage.open(path, functools.partial(_refuse, where)) as pkg:
        info = pkg.find(MAIN_PART)
        if info is None:
            raise _refuse(where, f"Word 文档中没有正文部件（{MAIN_PART}），文件已损坏或不是 Word 文档，未读取。")
        xml = pkg.read(info, MAX_PART_BYTES, "Word 文档的正文")
        embedded = _embedded(pkg, where)
    return replace(parse_document_xml(xml, where), embedded=embedded)


def _embedded(pkg: ZipPackage, where: str) -> tuple[str, ...]:
    """The text of every custom XML part whose root is the element that carries a report's data (``core.embedded``).

    Found by the root's namespace, not the part's name, since Word renumbers custom XML parts when it saves; a
    document has a few (Word's bibliography, SharePoint's properties), each read within :data:`MAX_EMBEDDED_BYTES`.
    A part that is not well-formed XML is not ours as far as anyone can tell, and is passed over.
    """
    items = [i for i in pkg.infos if _CUSTOM_ITEM.fullmatch(ascii_lower(i.filename))]
    if len(items) > MAX_CUSTOM_PARTS:
        raise _refuse(where, f"Word 文档中有 {len(items)} 个自定义 XML 部件，超过 {MAX_CUSTOM_PARTS} 个的上限"
                             "（Word 文档通常只有几个），不像是一份年度报告，未读取。")
    found = []
    for info in items:
        data = pkg.read(info, MAX_EMBEDDED_BYTES, "Word 文档的自定义 XML 部件")
        try:
            root = fromstring(data, forbid_dtd=True)
        except (DefusedXmlException, ParseError, ValueError):
            continue
        if root.tag == _EMBEDDED_ROOT:
            found.append(root.text or "")
    return tuple(found)


def parse_document_xml(xml: bytes, where: str = "") -> Document:
    """The lines of a WordprocessingML main part."""
    reader = _Reader()
    parser = DefusedXMLParser(target=reader, forbid_dtd=True)
    try:
        parser.feed(xml)
        parser.close()
    except DefusedXmlException:
        raise _refuse(where, "Word 文档的正文含有 DTD 或实体声明：Word 从不写入，这是构造的文件（可能是“XML 炸弹”），"
                             "未读取。") from None
    except (ParseError, ValueError):
        raise _refuse(where, "Word 文档的正文不是有效的 XML，文件已损坏（可能没有完整保存），未读取。"
                             "请在 Word 或 WPS 中打开后另存一份再试。") from None
    return Document(tuple(reader.lines))

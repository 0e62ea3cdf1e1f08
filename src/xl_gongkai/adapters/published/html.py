"""A published report page (HTML) as the same lines the text reader produces.

Parsed with the standard library's ``html.parser`` into a small tree that tolerates the markup
found on government sites (unclosed ``<p>``/``<td>``/``<tr>``, stray end tags, tables used for page
layout). Scripts, styles and the document head are dropped, block elements end a line, and every
*data* table becomes one :class:`Line` per ``<tr>`` with its cells placed on a grid that honours
``rowspan`` and ``colspan``: a cell spanning several columns is one cell; a cell spanning several
rows is carried into the rows below (marked, so the table reader knows the value was not printed
again). Because empty ``<td>`` elements survive, the position of every number is known — unlike in
text copied from the page, where empty cells simply vanish.

A table counts as a layout table (and is read as ordinary blocks) when it holds another table,
has a single column, or has a cell longer than any label of the form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from ...core.embedded import HTML_ELEMENT_ID
from ...errors import InputError
from .heuristics import heuristic
from .text import Document, Line, fix_characters, is_page_marker, strip_emphasis

_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                   "track", "wbr"})
_SKIP = frozenset({"script", "style", "noscript", "template", "head", "svg", "iframe", "object", "select",
                   "textarea", "button"})
_BLOCK = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "section", "article",
                    "header", "footer", "blockquote", "pre", "dl", "dt", "dd", "center", "form", "main", "nav",
                    "aside", "address", "figure", "figcaption", "caption", "hr", "br", "table", "tr", "title",
                    "body", "html", "tbody", "thead", "tfoot"})
_CELL = frozenset({"td", "th"})
_SPACE = re.compile(r"\s+")
_LAYOUT_CELL_CHARS = 400  # longer than any label of the form: a cell holding running text
_MAX_SPAN = 200
# A report page has a few thousand elements, nested a few dozen deep. Beyond these the tree (and the
# recursive walks over it) would cost memory and stack for nothing: deeper elements are kept as
# children of the deepest one (their text and order survive), and a page with more elements is refused.
MAX_DEPTH = 128
MAX_ELEMENTS = 100_000


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[_Node | str] = field(default_factory=list)
    parent: _Node | None = None


class _TreeBuilder(HTMLParser):
    """Builds a forgiving element tree; end tags without a matching open element are ignored."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("#root")
        self.stack = [self.root]
        self.title_parts: list[str] = []
        self._in_title = False
        self.elements = 0

    def _open(self, tag: str) -> bool:
        return any(n.tag == tag for n in self.stack)

    def _close_to(self, tag: str) -> None:
        while len(self.stack) > 1:
            node = self.stack.pop()
            if node.tag == tag:
                return

    def _innermost(self, *tags: str) -> str | None:
        for node in reversed(self.stack):
            if node.tag in tags:
                return node.tag
        return None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = tag.lower()
        # implied end tags of the elements a report page misuses most
        if tag in _CELL and self._innermost("td", "th", "tr", "table") in _CELL:
            self._close_to(self._innermost("td", "th") or tag)
        elif tag == "tr" and self._innermost("tr", "table") == "tr":
            self._close_to("tr")
        elif tag in ("p", "div", "table", "h1", "h2", "h3", "h4", "h5", "h6") and self._innermost(
                "p", "td", "th", "li", "div", "body") == "p":
            self._close_to("p")
        elif tag == "li" and self._innermost("li", "ul", "ol") == "li":
            self._close_to("li")
        self.elements += 1
        if self.elements > MAX_ELEMENTS:
            raise InputError(f"网页含有超过 {MAX_ELEMENTS:,} 个标签，不像是一份年度报告的网页，未读取。")
        node = _Node(tag, {k.lower(): (v or "") for k, v in attrs}, parent=self.stack[-1])
        self.stack[-1].children.append(node)
        if tag == "title":
            self._in_title = True
        if tag not in _VOID and len(self.stack) < MAX_DEPTH:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag.lower() not in _VOID:
            self._close_to(tag.lower())

    def handle_endtag(self, tag: str) -> None:
        tag = tag.lower()
        if tag == "title":
            self._in_title = False
        if tag in _VOID or not self._open(tag):
            return
        if tag in ("tr", "table") or tag in _CELL:
            # do not let a stray </td> close the table around it, nor a </tr> escape its table
            inner = self._innermost("table", *(["tr"] if tag in _CELL else []), tag)
            if inner != tag:
                return
        self._close_to(tag)

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_parts.append(data)
        self.stack[-1].children.append(data)


def _parse(markup: str) -> _TreeBuilder:
    builder = _TreeBuilder()
    try:
        builder.feed(markup)
        builder.close()
    except InputError:
        raise
    except Exception as exc:  # html.parser is lenient; anything it still rejects is unreadable input
        raise InputError(f"无法解析网页内容（{type(exc).__name__}）。") from None
    return builder


def _text(node: _Node | str) -> str:
    if isinstance(node, str):
        return node
    if node.tag in _SKIP:
        return ""
    if node.tag == "br":
        return " "
    sep = " " if node.tag in _BLOCK or node.tag in _CELL else ""
    return sep + "".join(_text(c) for c in node.children) + sep


def cell_text(node: _Node) -> str:
    """A cell's text on one line: line breaks inside a cell (``商业<br>企业``) become spaces."""
    return _SPACE.sub(" ", _text(node).replace("\xa0", " ")).strip()


def _descendants(node: _Node, tags: frozenset[str], *, stop: frozenset[str] = frozenset()) -> list[_Node]:
    out = []
    for child in node.children:
        if isinstance(child, str) or child.tag in _SKIP:
            continue
        if child.tag in tags:
            out.append(child)
            if child.tag in stop:
                continue
        if child.tag not in stop:
            out.extend(_descendants(child, tags, stop=stop))
    return out


def _rows(table: _Node) -> list[list[_Node]]:
    """The ``<td>``/``<th>`` of each ``<tr>`` of a table (not of tables nested in it)."""
    rows = []
    for tr in _descendants(table, frozenset({"tr"}), stop=frozenset({"tr", "table"})):
        rows.append(_descendants(tr, _CELL, stop=_CELL | {"table"}))
    return [r for r in rows if r]


def _span(node: _Node, name: str) -> int:
    m = re.match(r"\s*(\d+)", node.attrs.get(name, ""))
    n = int(m.group(1)) if m else 1
    return min(max(n, 1), _MAX_SPAN)


@dataclass(frozen=True)
class _Slot:
    cell: _Node
    text: str
    down: int  # rows below the cell's own row
    right: int  # columns right of the cell's own column


def grid(table: _Node) -> list[list[_Slot]]:
    """The table as a grid: each position holds the cell covering it (rowspan and colspan applied)."""
    rows = _rows(table)
    taken: list[dict[int, _Slot]] = [{} for _ in rows]  # per row: linear in the cells, whatever the row count
    for r, cells in enumerate(rows):
        c = 0
        for cell in cells:
            while c in taken[r]:
                c += 1
            text = cell_text(cell)
            rowspan, colspan = _span(cell, "rowspan"), _span(cell, "colspan")
            for dr in range(min(rowspan, len(rows) - r)):
                for dc in range(colspan):
                    taken[r + dr][c + dc] = _Slot(cell, text, dr, dc)
            c += colspan
    return [[slots[c] for c in sorted(slots)] for slots in taken]


def html_tables(markup: str) -> list[list[list[str]]]:
    """Every data table of a page as a grid of texts (a spanned cell's text repeated at each position)."""
    builder = _parse(markup)
    return [[[s.text for s in row] for row in grid(t)] for t in _data_tables(builder.root)]


@heuristic("layout_table", "text")
def _is_layout(table: _Node) -> bool:
    """A table used for page layout (it holds a table, has one column or a cell of running text) is read as blocks."""
    if _descendants(table, frozenset({"table"})):
        return True
    rows = _rows(table)
    if not rows or max(len(r) for r in rows) <= 1:
        return True
    return any(len(cell_text(c)) > _LAYOUT_CELL_CHARS for r in rows for c in r)


def _data_tables(node: _Node) -> list[_Node]:
    out = []
    for t in _descendants(node, frozenset({"table"}), stop=frozenset({"table"})):
        if _is_layout(t):
            out.extend(_data_tables(t))
        else:
            out.append(t)
    return out


class _Flattener:
    """Walks the tree in document order, emitting text lines and table rows."""

    def __init__(self) -> None:
        self.lines: list[Line] = []
        self.buffer: list[str] = []

    def flush(self) -> None:
        text = _SPACE.sub(" ", "".join(self.buffer).replace("\xa0", " ")).strip()
        self.buffer = []
        if text and not is_page_marker(text):  # a page number a Word file saved as a page keeps as a paragraph
            self.lines.append(Line(strip_emphasis(fix_characters(text)), block=True))

    def walk(self, node: _Node | str) -> None:
        if isinstance(node, str):
            self.buffer.append(node)
            return
        if node.tag in _SKIP or node.tag == "title":
            return
        if node.tag == "table" and not _is_layout(node):
            self.flush()
            self.table(node)
            return
        block = node.tag in _BLOCK or node.tag in _CELL
        if block:
            self.flush()
        for child in node.children:
            self.walk(child)
        if block:
            self.flush()

    def table(self, node: _Node) -> None:
        for row in grid(node):
            cells: list[str] = []
            carried: set[int] = set()
            for slot in row:
                if slot.right:
                    continue  # the rest of a cell spanning several columns
                if slot.down:
                    carried.add(len(cells))
                cells.append(fix_characters(slot.text))
            if any(c.strip() for c in cells):
                self.lines.append(Line("\t".join(cells), tuple(cells), grid=True, carried=frozenset(carried)))


def _embedded(node: _Node) -> list[str]:
    """The text of every ``<script id=…>`` that carries a report's own data (``core.embedded``), in page order.

    Only the id is asked for: a CMS may drop or rewrite the ``type`` attribute. The parser keeps a script's
    content as it is (no entities are resolved there), which is what was embedded."""
    out = []
    for child in node.children:
        if isinstance(child, str):
            continue
        if child.tag == "script" and child.attrs.get("id") == HTML_ELEMENT_ID:
            out.append("".join(c for c in child.children if isinstance(c, str)))
        else:
            out.extend(_embedded(child))
    return out


def parse_html(markup: str) -> Document:
    builder = _parse(markup)
    flat = _Flattener()
    flat.walk(builder.root)
    flat.flush()
    title = _SPACE.sub(" ", "".join(builder.title_parts)).strip() or None
    return Document(tuple(flat.lines), html_title=fix_characters(title) if title else None,
                    embedded=tuple(_embedded(builder.root)))

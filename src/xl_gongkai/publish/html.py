"""The report as HTML for a website's content management system.

One self-contained UTF-8 page: no code that runs, no style sheets, no images or other external resources,
only plain elements with a little inline style that CMS editors keep (``text-align``, ``text-indent``,
widths) and tables with ``border="1"``, ``rowspan`` and ``colspan`` (the same merged cells as the
Word file and the official format). Label cells are ``<th>`` so screen readers announce them as
headers, number cells ``<td>``; no ``scope``, since nested headers are beyond what it can say. Every
text is escaped. The Word file's reviewer page is left out: this file is meant to be published as
is. The same report always gives the same text.

The payload the report was made from sits at the end of the part meant for the CMS, in a
``<script type="application/json">`` element (``core.embedded``): a data block, which browsers neither run
nor display and screen readers skip, so the page looks and reads the same with it; copied with the text into
a CMS, it travels with the report.
"""

from __future__ import annotations

from html import escape

from ..core.embedded import HTML_ELEMENT_ID, HTML_ELEMENT_TYPE
from .document import GridCell, GridTable, Paragraph, ReportDocument

BODY_STYLE = "max-width:860px;margin:0 auto;font-size:16px;line-height:1.8;"
TITLE_STYLE = "text-align:center;font-size:24px;font-weight:bold;margin:16px 0;"
HEADING_STYLE = "font-size:18px;font-weight:bold;margin:12px 0 4px 0;text-indent:2em;"
PARAGRAPH_STYLE = "text-indent:2em;margin:0 0 4px 0;text-align:justify;"
TABLE_STYLE = "border-collapse:collapse;width:100%;margin:8px 0;line-height:1.4;"
CELL_STYLE = "border:1px solid #000;padding:2px 4px;vertical-align:middle;font-weight:normal;"
BEGIN_MARK = "<!-- 年报正文开始：可将此注释与“年报正文结束”之间的内容复制到网站内容管理系统 -->"
END_MARK = "<!-- 年报正文结束 -->"


def render_html(doc: ReportDocument) -> str:
    out = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_esc(doc.title)}</title>",
        "</head>",
        "<body>",
        BEGIN_MARK,
        f'<div style="{BODY_STYLE}">',
        f'<h1 style="{TITLE_STYLE}">{"<br>".join(_esc(x) for x in doc.title_lines)}</h1>',
    ]
    out += [_paragraph(p) for p in doc.preamble]
    for section in doc.sections:
        out.append(f'<h2 style="{HEADING_STYLE}">{_esc(section.heading)}</h2>')
        for block in section.blocks:
            out.append(_paragraph(block) if isinstance(block, Paragraph) else _table(block))
    out.append("</div>")
    if doc.data:
        out.append(f'<script type="{HTML_ELEMENT_TYPE}" id="{HTML_ELEMENT_ID}">{doc.data}</script>')
    out += [END_MARK, "</body>", "</html>", ""]
    return "\n".join(out)


def _esc(text: str) -> str:
    return escape(text, quote=True)


def _paragraph(p: Paragraph) -> str:
    return f'<p style="{PARAGRAPH_STYLE}">{_esc(p.text)}</p>'


def _table(grid: GridTable) -> str:
    total = sum(grid.widths)
    font = "13px" if grid.dense else "14px"
    lines = [f'<table border="1" cellspacing="0" cellpadding="2" style="{TABLE_STYLE}font-size:{font};">', "<colgroup>"]
    lines += [f'<col style="width:{100 * w / total:.2f}%">' for w in grid.widths]
    lines += ["</colgroup>", "<tbody>"]
    by_row: dict[int, list[GridCell]] = {}
    for cell in grid.cells:
        by_row.setdefault(cell.row, []).append(cell)
    for r in range(grid.n_rows):
        cells = sorted(by_row.get(r, []), key=lambda c: c.col)
        lines.append("<tr>" + "".join(_cell(c) for c in cells) + "</tr>")
    lines += ["</tbody>", "</table>"]
    return "\n".join(lines)


def _cell(c: GridCell) -> str:
    tag = "td" if c.role == "number" else "th"
    spans = (f' rowspan="{c.rowspan}"' if c.rowspan > 1 else "") + (f' colspan="{c.colspan}"' if c.colspan > 1 else "")
    style = f"{CELL_STYLE}text-align:{c.align};"
    return f'<{tag}{spans} style="{style}">{_esc(c.text)}</{tag}>'

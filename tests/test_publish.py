"""The published report (Word and HTML): every number in its cell, the official structure, refusals.

The files are read back with python-docx and with ``html.parser``, and each value is looked up the
way a reader finds it: the cell whose row carries the spec's row label (and sub-table label) and
whose column carries the spec's column label, merged cells resolved by each reader's own grid
expansion. No test looks at the layout code's intermediate objects.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import docx
import pytest

from conftest import TODAY, load
from support.libreoffice import convert_to_pdf, pdf_page_count, pdf_to_pngs, read_png
from xl_gongkai.adapters.jsonfile import read_report
from xl_gongkai.cli import main
from xl_gongkai.commands.report import render_report
from xl_gongkai.core.embedded import HTML_ELEMENT_ID
from xl_gongkai.core.numbers import show
from xl_gongkai.core.report import Report
from xl_gongkai.core.summary import summarize
from xl_gongkai.errors import Refused
from xl_gongkai.publish import MARKER, default_report_paths
from xl_gongkai.publish.docx import REVIEW_TITLE
from xl_gongkai.spec import CellKey, load_form

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "tests" / "data" / "reports" / "panzhihua-dongqu-kejiju-2025.json"
NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
FEE = CellKey("active", "fees", "amount")
FEE_EXPLANATION = "本年度含土地出让相关收费，金额确为15亿元，已与财政部门核对。"

Grid = list[list[tuple[int, str]]]  # per row, per grid column: (id of the printed cell, its text)


# --------------------------------------------------------------------------------------------------
# readers
# --------------------------------------------------------------------------------------------------


def _clean(text: str) -> str:
    return re.sub(r"\s+", "", text)


def docx_grids(path: Path) -> list[Grid]:
    """Every table as a grid, through python-docx's own resolution of gridSpan and vMerge."""
    out = []
    idents: dict[Any, int] = {}  # holds the elements: ids of freed lxml proxies would be reused
    for table in docx.Document(str(path)).tables:
        grid = []
        for tr in table.rows:
            row = []
            for cell in tr.cells:
                ident = idents.setdefault(cell._tc, len(idents))
                row.append((ident, _clean(cell.text)))
            assert len(row) == len(table.columns), "a row that does not fill the table's grid"
            grid.append(row)
        out.append(grid)
    return out


class _HtmlReader(HTMLParser):
    """Collects headings, paragraphs and tables (cells with their spans) of the HTML report."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str]] = []  # (tag, text) for h1/h2/p
        self.tables: list[list[list[tuple[int, int, str]]]] = []
        self.tags: list[str] = []
        self._text: list[str] | None = None
        self._cell: list[Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        a = dict(attrs)
        if tag in ("h1", "h2", "p"):
            self._text = []
        elif tag == "br" and self._text is not None:
            self._text.append("\n")
        elif tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = [int(a.get("rowspan") or 1), int(a.get("colspan") or 1), []]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h1", "h2", "p") and self._text is not None:
            self.blocks.append((tag, "".join(self._text)))
            self._text = None
        elif tag in ("td", "th") and self._cell is not None:
            rs, cs, parts = self._cell
            self.tables[-1][-1].append((rs, cs, "".join(parts)))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell[2].append(data)
        elif self._text is not None:
            self._text.append(data)


def html_read(path: Path) -> _HtmlReader:
    reader = _HtmlReader()
    reader.feed(path.read_text(encoding="utf-8"))
    reader.close()
    return reader


def html_grids(reader: _HtmlReader) -> list[Grid]:
    """Expand rowspan/colspan the way a browser places cells: each into the next free slot."""
    out = []
    ident = 0
    for rows in reader.tables:
        taken: dict[tuple[int, int], tuple[int, str]] = {}
        for r, cells in enumerate(rows):
            c = 0
            for rs, cs, text in cells:
                while (r, c) in taken:
                    c += 1
                ident += 1
                for dr in range(rs):
                    for dc in range(cs):
                        taken[(r + dr, c + dc)] = (ident, _clean(text))
                c += cs
        n_rows = 1 + max(r for r, _ in taken)
        n_cols = 1 + max(c for _, c in taken)
        assert len(taken) == n_rows * n_cols, "an HTML table with holes"
        out.append([[taken[(r, c)] for c in range(n_cols)] for r in range(n_rows)])
    return out


# --------------------------------------------------------------------------------------------------
# finding a value by its labels
# --------------------------------------------------------------------------------------------------

_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _numeric_cells(grid: Grid) -> Iterator[tuple[int, int, int, str]]:
    seen = set()
    for r, row in enumerate(grid):
        for c, (ident, text) in enumerate(row):
            if _NUMBER.match(text) and ident not in seen:
                seen.add(ident)
                yield r, c, ident, text


def _context(grid: Grid, r: int, c: int) -> set[str]:
    """Label texts a reader sees for a cell: to its left in its row, and above it in its column."""
    left = {t for _, t in grid[r][:c] if not _NUMBER.match(t)}
    above = {grid[i][c][1] for i in range(r) if not _NUMBER.match(grid[i][c][1])}
    return left | above


def report_grids(grids: list[Grid]) -> list[Grid]:
    """The report's own tables (the reviewer table starts with 序号)."""
    return [g for g in grids if g[0][0][1] != "序号"]


def assert_every_number_in_place(report: Report, grids: list[Grid]) -> None:
    form = report.form
    grids = report_grids(grids)
    # every printed number with the labels a reader sees for it (worked out once, not once per cell)
    numbers = [(text, _context(g, r, c)) for g in grids for r, c, _, text in _numeric_cells(g)]
    found = 0
    for cell in form.cells:
        table = cell.table
        wanted = {_clean(cell.row.label), _clean(cell.column.label)}
        if cell.row.group:
            wanted.add(_clean(table.row_group(cell.row.group).label))
        hits = [text for text, context in numbers if wanted <= context]
        assert len(hits) == 1, f"{cell.key}: {len(hits)} cells carry the labels {wanted}"
        assert hits[0] == show(report.value(cell.key)), f"{cell.key}: {hits[0]} != {report.value(cell.key)}"
        found += 1
    printed = len(numbers)
    assert printed == found == len(form.cells), "numbers printed that no cell of the form accounts for"


# --------------------------------------------------------------------------------------------------
# fixtures
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Report, Path, Path]]:
    out = {}
    base = tmp_path_factory.mktemp("publish")
    sources = {"huaian": load("huaian-city-2024"), "example": read_report(EXAMPLE).report}
    for name, report in sources.items():
        docx_path, html_path = base / f"{name}.docx", base / f"{name}.html"
        render_report(report, docx_path=docx_path, html_path=html_path, today=TODAY)
        out[name] = (report, docx_path, html_path)
    return out


@pytest.fixture(scope="module")
def with_hint(tmp_path_factory: pytest.TempPathFactory) -> tuple[Report, Path, Path]:
    """淮安 2024 with a fee that looks typed in 元 (a 提示), explained by the clerk."""
    report = load("huaian-city-2024").with_values({FEE: 150000})
    report = report.with_explanations({f"V5:{FEE}": FEE_EXPLANATION})
    base = tmp_path_factory.mktemp("hint")
    render_report(report, docx_path=base / "r.docx", html_path=base / "r.html", today=TODAY)
    return report, base / "r.docx", base / "r.html"


def docx_paragraphs(path: Path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs]


# --------------------------------------------------------------------------------------------------
# numbers, headings, title, note
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["huaian", "example"])
def test_docx_every_number_in_its_cell(rendered: dict[str, Any], name: str) -> None:
    report, docx_path, _ = rendered[name]
    assert_every_number_in_place(report, docx_grids(docx_path))


@pytest.mark.parametrize("name", ["huaian", "example"])
def test_html_every_number_in_its_cell(rendered: dict[str, Any], name: str) -> None:
    report, _, html_path = rendered[name]
    assert_every_number_in_place(report, html_grids(html_read(html_path)))


def test_the_lookup_would_catch_a_misplaced_number(rendered: dict[str, Any]) -> None:
    """The check is not vacuous: swap two numbers in a grid and it fails."""
    report, docx_path, _ = rendered["huaian"]
    grids = docx_grids(docx_path)
    requests = next(g for g in grids if any(t == _clean(NOTE) for _, t in g[0]))
    a, b = requests[3][3], requests[3][4]  # 一、本年新收: 自然人 3001 and 商业企业 53
    requests[3][3], requests[3][4] = (a[0], b[1]), (b[0], a[1])
    with pytest.raises(AssertionError, match="natural_person"):
        assert_every_number_in_place(report, grids)


@pytest.mark.parametrize("name", ["huaian", "example"])
def test_docx_title_headings_and_note(rendered: dict[str, Any], name: str) -> None:
    report, docx_path, _ = rendered[name]
    paras = docx_paragraphs(docx_path)
    title = f"{report.agency}{report.year}年政府信息公开工作年度报告"
    assert paras[0].replace("\n", "") == title
    headings = [p for p in paras if p in {s.heading for s in report.form.sections}]
    assert headings == [s.heading for s in report.form.sections]
    cells = {t for g in docx_grids(docx_path) for row in g for _, t in row}
    assert _clean(NOTE) in cells
    props = docx.Document(str(docx_path)).core_properties
    assert props.title == title and props.author == report.agency


@pytest.mark.parametrize("name", ["huaian", "example"])
def test_html_title_headings_and_note(rendered: dict[str, Any], name: str) -> None:
    report, _, html_path = rendered[name]
    reader = html_read(html_path)
    title = f"{report.agency}{report.year}年政府信息公开工作年度报告"
    assert [t.replace("\n", "") for tag, t in reader.blocks if tag == "h1"] == [title]
    assert [t for tag, t in reader.blocks if tag == "h2"] == [s.heading for s in report.form.sections]
    cells = {t for g in html_grids(reader) for row in g for _, t in row}
    assert _clean(NOTE) in cells


def test_table_two_is_four_small_tables_and_table_three_keeps_the_official_merges(rendered: dict[str, Any]) -> None:
    _, docx_path, _ = rendered["huaian"]
    tables = docx.Document(str(docx_path)).tables
    firsts = [_clean(t.cell(0, 0).text) for t in tables]
    assert firsts[:4] == ["第二十条第（一）项", "第二十条第（五）项", "第二十条第（六）项", "第二十条第（八）项"]
    requests = tables[4]
    assert requests.cell(0, 0)._tc is requests.cell(2, 2)._tc  # the 勾稽关系 note spans 3 rows × 3 columns
    assert requests.cell(1, 4)._tc is requests.cell(1, 8)._tc  # 法人或其他组织 over its five columns
    outcome = requests.cell(5, 0)
    assert _clean(outcome.text) == "三、本年度办理结果" and requests.cell(26, 0)._tc is outcome._tc
    appeals = tables[5]
    assert appeals.cell(0, 0)._tc is appeals.cell(1, 4)._tc  # 行政复议: 2 rows × 5 columns
    assert len(appeals.columns) == 15 and len(appeals.rows) == 4


def _grid_the_slow_way(word: Any, grid: Any) -> Any:
    """The rows of ``_add_grid`` built element by element through python-docx's own calls (what it wrote before
    it wrote them as XML text): the reference the faster writer must equal."""
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Emu, Pt
    from docx.text.paragraph import Paragraph as WordParagraph

    from xl_gongkai.publish import docx as writer

    total = writer.text_width_twips()
    widths = [int(w * total / sum(grid.widths)) for w in grid.widths]
    widths[-1] += total - sum(widths)
    table = word.add_table(rows=0, cols=grid.n_cols)
    starts = {(gc.row + dr, gc.col): gc for gc in grid.cells for dr in range(gc.rowspan)}
    for r in range(grid.n_rows):
        tr = table._tbl.add_tr()
        tr_pr = tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        height = OxmlElement("w:trHeight")
        height.set(qn("w:val"), str(writer.ROW_HEIGHT_TWIPS))
        height.set(qn("w:hRule"), "atLeast")
        tr_pr.append(height)
        if r < grid.header_rows:
            tr_pr.append(OxmlElement("w:tblHeader"))
        c = 0
        while c < grid.n_cols:
            gc = starts[(r, c)]
            tc = tr.add_tc()
            tc.width = Emu(sum(widths[c : c + gc.colspan]) * 635)
            if gc.colspan > 1:
                tc.grid_span = gc.colspan
            if gc.rowspan > 1:
                tc.vMerge = "restart" if r == gc.row else "continue"
            tc.get_or_add_tcPr().vAlign_val = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            para = WordParagraph(tc.p_lst[0], table)
            para._p.style = word.styles[writer.STYLE_TABLE[0]].style_id
            para.alignment = WD_ALIGN_PARAGRAPH.LEFT if gc.align == "left" else WD_ALIGN_PARAGRAPH.CENTER
            if r == gc.row:
                para.add_run(gc.text).font.size = Pt(writer.XIAOWU if grid.dense else writer.WUHAO)
            c += gc.colspan
    return table


@pytest.mark.parametrize("texts", [("规章", "12", "A&B<C>", "\"引号\""), ("a\tb", " 前有空格", "", "两\n行")])
def test_the_tables_rows_are_the_xml_python_docx_writes(rendered: dict[str, Any], texts: tuple[str, ...]) -> None:
    """Every table of the real reports, and cells whose texts python-docx writes its own way (a tab, a line
    break, spaces at an end, nothing), come out as python-docx's element-by-element calls make them."""
    from lxml import etree

    from xl_gongkai.publish import docx as writer
    from xl_gongkai.publish.document import GridCell, GridTable, build_document

    report = rendered["huaian"][0]
    grids = build_document(report).tables()
    made = GridTable("made", 2, 4, (2, 1, 1, 1), 1, (
        GridCell(0, 0, 2, 1, texts[0], "header"), *(GridCell(0, c, 1, 1, t, "header") for c, t in
                                                    zip((1, 2, 3), texts[1:], strict=True)),
        GridCell(1, 1, 1, 3, texts[2], "number")))
    for grid in [*grids, made]:
        word = writer.new_document()
        writer._setup_styles(word, writer.Fonts())
        fast, slow = writer._add_grid(word, grid), _grid_the_slow_way(word, grid)
        rows = [[etree.tostring(tr) for tr in t._tbl.tr_lst] for t in (fast, slow)]
        assert rows[0] == rows[1] and len(rows[0]) == grid.n_rows, grid.key


def test_the_agencys_own_preamble_is_printed(rendered: dict[str, Any]) -> None:
    report, docx_path, html_path = rendered["huaian"]
    paras = docx_paragraphs(docx_path)
    preamble = report.narrative["preamble"].split("\n")
    assert paras[1:3] == preamble and preamble[1].startswith("如对本报告有疑问，请与淮安市人民政府办公室联系")
    assert preamble[1] in [t for tag, t in html_read(html_path).blocks if tag == "p"]


def test_generated_preamble_when_the_clerk_wrote_none(tmp_path: Path) -> None:
    report = load("huaian-city-2024")
    report = replace(report, narrative={k: v for k, v in report.narrative.items() if k != "preamble"})
    render_report(report, docx_path=tmp_path / "r.docx", today=TODAY)
    paras = docx_paragraphs(tmp_path / "r.docx")
    assert "《中华人民共和国政府信息公开条例》" in paras[1]
    assert "本报告所列数据的统计期限自2024年1月1日至2024年12月31日。" in paras[1]


@pytest.mark.parametrize("section", ["overview", "problems", "other"])
def test_an_empty_section_refuses_the_report_instead_of_printing_filler(section: str, tmp_path: Path) -> None:
    report = load("huaian-city-2024")
    report = replace(report, narrative={**report.narrative, section: " \n"})
    heading = report.form.section(section).heading
    with pytest.raises(Refused, match=f"S1 正文“{heading}”没有内容"):
        render_report(report, docx_path=tmp_path / "r.docx", today=TODAY)
    assert not (tmp_path / "r.docx").exists()


def test_the_clerks_text_is_printed(rendered: dict[str, Any]) -> None:
    report, docx_path, html_path = rendered["example"]
    paras = docx_paragraphs(docx_path)
    assert paras[1] == report.narrative["preamble"].strip()
    assert "（二）改进措施" in paras
    assert "本年度未收取信息处理费，无其他需要报告事项。" in paras
    assert "本年度未收取信息处理费，无其他需要报告事项。" in [t for _, t in html_read(html_path).blocks]


# --------------------------------------------------------------------------------------------------
# markers
# --------------------------------------------------------------------------------------------------


def _with_text(report: Report, **texts: str) -> Report:
    return replace(report, narrative={**report.narrative, **texts})


def test_marker_in_section_one_brings_the_requests_and_appeals_paragraphs(tmp_path: Path) -> None:
    text = f"（一）概况。全年工作平稳。\n（二）依申请公开情况。{MARKER}"
    report = _with_text(load("huaian-city-2024"), overview=text)
    render_report(report, docx_path=tmp_path / "r.docx", today=TODAY)
    paras = docx_paragraphs(tmp_path / "r.docx")
    summary = summarize(report).paragraphs
    at = paras.index("（一）概况。全年工作平稳。")
    assert paras[at + 1] == "（二）依申请公开情况。" + summary["requests"]
    assert paras[at + 2] == summary["appeals"]
    assert summary["active"] not in paras
    assert not any("自动生成" in p for p in paras)


def test_named_markers_and_markers_in_table_sections(tmp_path: Path) -> None:
    report = _with_text(
        load("huaian-city-2024"),
        overview="【自动生成：主动公开】",
        appeals="行政复议、行政诉讼情况如下。\n【自动生成】",
        other="全年收取政府信息公开信息处理费3940元。",
    )
    render_report(report, docx_path=tmp_path / "r.docx", html_path=tmp_path / "r.html", today=TODAY)
    summary = summarize(report).paragraphs
    paras = docx_paragraphs(tmp_path / "r.docx")
    at = paras.index("一、总体情况")
    assert paras[at + 1 : at + 3] == [summary["active"], "二、主动公开政府信息情况"]
    at = paras.index("四、政府信息公开行政复议、行政诉讼情况")
    assert paras[at + 1 : at + 3] == ["行政复议、行政诉讼情况如下。", summary["appeals"]]
    assert "全年收取政府信息公开信息处理费3940元。" in paras
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "自动生成" not in html and summary["appeals"] in html


@pytest.mark.parametrize(("section", "text", "words"), [
    ("problems", f"问题如下：{MARKER}", "没有对应的自动生成内容"),
    ("overview", "【自动生成：绩效考核】", "无法识别"),
])
def test_unresolvable_marker_refuses(tmp_path: Path, section: str, text: str, words: str) -> None:
    report = _with_text(load("huaian-city-2024"), **{section: text})
    with pytest.raises(Refused, match=words):
        render_report(report, docx_path=tmp_path / "r.docx", today=TODAY)
    assert not (tmp_path / "r.docx").exists()


# --------------------------------------------------------------------------------------------------
# refusal and the reviewer page
# --------------------------------------------------------------------------------------------------


def test_refused_while_an_error_stands_names_the_rule(tmp_path: Path) -> None:
    report = load("huaian-city-2024")
    key = CellKey("requests", "carried_out", "natural_person")
    broken = report.with_values({key: report.value(key) + 1})
    with pytest.raises(Refused) as info:
        render_report(broken, docx_path=tmp_path / "r.docx", html_path=tmp_path / "r.html", today=TODAY)
    assert "R1" in str(info.value) and "错误" in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_refused_while_a_blank_stands(tmp_path: Path) -> None:
    blank = load("huaian-city-2024").with_values({CellKey("appeals", "review", "upheld"): None})
    with pytest.raises(Refused, match="V1"):
        render_report(blank, docx_path=tmp_path / "r.docx", today=TODAY)


def test_refused_while_a_hint_is_unexplained(tmp_path: Path) -> None:
    report = load("huaian-city-2024").with_values({FEE: 150000})
    with pytest.raises(Refused, match="V5"):
        render_report(report, docx_path=tmp_path / "r.docx", today=TODAY)


def test_reviewer_page_lists_the_explained_hint(with_hint: tuple[Report, Path, Path]) -> None:
    report, docx_path, html_path = with_hint
    paras = docx_paragraphs(docx_path)
    assert REVIEW_TITLE in paras
    last = docx.Document(str(docx_path)).tables[-1]
    rows = [[_clean(c.text) for c in row.cells] for row in last.rows]
    assert rows[0] == ["序号", "规则", "提示", "填报人的说明"]
    assert rows[1][1] == "V5" and "150000" in rows[1][2] and rows[1][3] == _clean(FEE_EXPLANATION)
    html = html_path.read_text(encoding="utf-8")
    assert FEE_EXPLANATION not in html and REVIEW_TITLE not in html and "150000" in html
    assert_every_number_in_place(report, docx_grids(docx_path))


def test_no_reviewer_page_without_hints(rendered: dict[str, Any]) -> None:
    _, docx_path, _ = rendered["huaian"]
    assert REVIEW_TITLE not in docx_paragraphs(docx_path)


# --------------------------------------------------------------------------------------------------
# Word specifics, determinism, HTML hygiene
# --------------------------------------------------------------------------------------------------


def test_docx_page_fonts_and_page_number(rendered: dict[str, Any]) -> None:
    _, docx_path, _ = rendered["huaian"]
    d = docx.Document(str(docx_path))
    s = d.sections[0]
    assert (round(s.page_width.cm, 1), round(s.page_height.cm, 1)) == (21.0, 29.7)
    margins = [round(x.cm, 2) for x in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)]
    assert margins == [3.7, 3.5, 2.8, 2.6]

    def east_asia(style_name: str) -> str:
        rfonts = d.styles[style_name].element.rPr.rFonts
        return rfonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")

    assert east_asia("Normal") == "仿宋_GB2312" and d.styles["Normal"].font.size.pt == 16
    assert east_asia("Heading 1") == "黑体" and d.styles["Heading 1"].font.size.pt == 16
    assert east_asia("年报标题") == "方正小标宋简体" and d.styles["年报标题"].font.size.pt == 22
    assert east_asia("年报表格") == "宋体"
    footer = s.footer.paragraphs[0]
    assert "PAGE" in footer._p.xml and footer.text.startswith("— ") and footer.text.endswith(" —")
    with zipfile.ZipFile(docx_path) as z:
        names = z.namelist()
        fonts = z.read("word/fontTable.xml").decode("utf-8")
    assert "docProps/thumbnail.jpeg" not in names
    assert 'w:name="仿宋_GB2312"' in fonts and 'w:val="仿宋"' in fonts


def test_same_report_same_bytes(tmp_path: Path) -> None:
    report = read_report(EXAMPLE).report
    for n in (1, 2):
        render_report(report, docx_path=tmp_path / f"{n}.docx", html_path=tmp_path / f"{n}.html", today=TODAY)
    assert (tmp_path / "1.docx").read_bytes() == (tmp_path / "2.docx").read_bytes()
    assert (tmp_path / "1.html").read_bytes() == (tmp_path / "2.html").read_bytes()
    created = docx.Document(str(tmp_path / "1.docx")).core_properties.created
    assert created is not None and created.date() == dt.date(2025, 12, 31)


def test_html_is_self_contained_and_escaped(tmp_path: Path) -> None:
    agency = '<script>alert("x")</script>&局'
    report = load("huaian-city-2024")
    report = replace(report, metadata={**report.metadata, "agency": agency},
                     narrative={**report.narrative, "other": "a<b & c>d"})
    render_report(report, html_path=tmp_path / "r.html", today=TODAY)
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    # the one script element is the embedded data: a data block browsers neither run nor show, in which no
    # markup can occur (the agency's "</script>" is \u escaped), and which reads back as the agency's name
    opening = f'<script type="application/json" id="{HTML_ELEMENT_ID}">'
    assert re.findall(r"<script[^>]*>", html, re.I) == [opening]
    data = html[html.index(opening) + len(opening):html.index("</script>")]
    assert not set("<>&") & set(data) and data.isascii()
    assert json.loads(data)["metadata"]["agency"] == agency
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;局" in html
    assert "a&lt;b &amp; c&gt;d" in html
    assert not re.search(r"\b(src|href)\s*=", html) and "<link" not in html and "<img" not in html
    assert 'border="1"' in html and "colspan=" in html and "rowspan=" in html
    assert '<meta charset="utf-8">' in html
    reader = html_read(tmp_path / "r.html")
    assert set(reader.tags) <= {"html", "head", "meta", "title", "body", "div", "h1", "br", "h2", "p", "table",
                                "colgroup", "col", "tbody", "tr", "th", "td", "script"}


# --------------------------------------------------------------------------------------------------
# command line and LibreOffice
# --------------------------------------------------------------------------------------------------


def test_cli_report_default_names_and_refusal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "example.json"
    src.write_bytes(EXAMPLE.read_bytes())
    assert main(["report", str(src), "--html", "--today", TODAY.isoformat()]) == 0
    docx_path, html_path = default_report_paths(read_report(src).report, tmp_path)
    assert docx_path.name == "攀枝花市东区科学技术局_2025年_政府信息公开工作年度报告.docx"
    assert docx_path.is_file() and html_path.is_file()
    assert "已生成年度报告" in capsys.readouterr().out

    bad = tmp_path / "bad.json"
    bad.write_text(EXAMPLE.read_text(encoding="utf-8").replace('"natural_person": 0', '"natural_person": 1', 1),
                   encoding="utf-8")
    out = tmp_path / "bad.docx"
    assert main(["report", str(bad), "-o", str(out), "--today", TODAY.isoformat()]) == 1
    assert "R" in capsys.readouterr().err and not out.exists()


def test_cli_report_from_a_workbook(tmp_path: Path) -> None:
    """A filled .xlsm gives the same tables and the clerk's text of the 正文 sheet."""
    from xl_gongkai.commands.workbook import new_workbook

    report = read_report(EXAMPLE).report
    book = new_workbook(tmp_path / "年报.xlsm", source=report, today=TODAY)
    out = tmp_path / "年报.docx"
    assert main(["report", str(book), "-o", str(out), "--today", TODAY.isoformat()]) == 0
    assert_every_number_in_place(report, docx_grids(out))
    assert "（二）改进措施" in docx_paragraphs(out)


def test_libreoffice_renders_the_docx(rendered: dict[str, Any], tmp_path: Path) -> None:
    _, docx_path, _ = rendered["huaian"]
    pdf = convert_to_pdf(docx_path, tmp_path)
    assert pdf_page_count(pdf) >= 2
    (first,) = pdf_to_pngs(pdf, tmp_path / "page", first=1, last=1, dpi=60)
    image = read_png(first)
    assert image.height > image.width  # A4 portrait
    assert image.distinct_colours() > 8
    assert 0.005 < image.ink_fraction() < 0.5


def test_build_needs_checked_numbers() -> None:
    """The document builder itself never prints a blank: it raises for one (render_report refuses first)."""
    from xl_gongkai.publish.document import build_document

    report = Report.empty(load_form(), agency="某局", year=2024)
    with pytest.raises(ValueError, match="没有内容"):
        build_document(report)  # nor an empty section
    texts = {s.key: "有内容。" for s in report.form.text_parts}
    with pytest.raises(ValueError, match="不是数字"):
        build_document(replace(report, narrative=texts))

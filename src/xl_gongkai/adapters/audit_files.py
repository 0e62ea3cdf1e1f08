"""The audit's results, streamed to disk: a workbook an office reads, and CSV files for programs.

The results workbook (审核结果.xlsx):

* 概览 — how many files and reports, how many with 错误, the most frequent rules and the agencies with the
  most 错误, with native Excel charts of both;
* 报送情况 (with ``audit --roster``) — one row per expected unit: 已报送 / 未报送 / 逾期 / 有错误 / 重复报送, and
  the units that reported without being on the roster (``commands.roster``);
* 问题清单 — one row per finding, its file a link to that file's row on 报告清单; frozen header, filters,
  column widths; past Excel's 1 048 576 rows the findings continue on 问题清单（续2）, …;
* 报告清单 — one row per file of the folder, whatever became of it;
* 数据 — one row per report read, one column per cell of the form (its heading ``表三 一、本年新收 自然人``), the
  numbers as numbers: frozen headers and a filter, ready for a PivotTable;
* 模板信息 (hidden) — the role field that marks the workbook as an audit result, so that a second audit of the
  same folder lists it as such instead of reading it as a broken report.

Made in two parts. XlsxWriter writes the frame: the front sheet with its charts, the roster, the info sheet,
and every big sheet with its header, widths, frozen panes and filter over the rows to come — all known before
the first row is written, from the audit's counts. The rows of the big sheets (millions, in a national audit)
are made where the findings are, in the worker processes (:func:`render`: XML deflated in pieces,
``sheet_xml``); :class:`ResultsWorkbook` only appends the pieces, in order, to one spool per sheet, and at the
end writes the package: the frame's parts, each big sheet its frame around its rows (``package_zip.ZipStream``).
The CSV files take the same rows, as CSV lines made by the same workers. Every file goes to a hidden temporary
file beside its target and is put in place by ``fileio.write_all`` — all or nothing, as every output of the tool.

Every text a spreadsheet would run as a formula keeps an apostrophe in front (``formula_guard.in_file``).
"""

from __future__ import annotations

import csv
import gc
import html
import io
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ..controls import safe_text, shown_path
from . import sheet_xml
from .formula_guard import in_file
from .package_zip import STREAM_PIECE, ZipStream, crc32_combine

EXCEL_ROWS = 1_048_576  # rows of a worksheet, the header included
EXCEL_LINKS = 65_530  # hyperlinks Excel allows on one worksheet: beyond them, the file name is plain text
TOP = 10  # rules and agencies shown on the front sheet
# 数据: a figure's column is this wide at most, its heading (表三 （三）不予公开 1.属于国家秘密 自然人) wraps in a
# header row of this height (points: five lines)
DATA_WIDTH = 14
DATA_HEADER_HEIGHT = 75
_PROBE_ROW = 1  # 0-based: the frame writes one styled blank cell per style here, to learn each style's number


def safe_cell(value: Any) -> Any:
    """A value as these files hold it: text a spreadsheet would run stays text (``in_file``), and no control
    character or undecodable byte of a file name reaches the XML or the CSV (``controls``)."""
    if isinstance(value, str):
        value = safe_text(shown_path(value))
    return in_file(value)


def _staged(target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    return Path(tmp)


class CsvSink:
    """One CSV file, written line by line: UTF-8 with BOM (Excel reads the Chinese), CRLF line ends.

    CRLF (RFC 4180): a field holding a bare CR is then quoted, so a spreadsheet reading the file does not
    start a new row at the CR with whatever text followed ("=..." included) in its first cell.
    """

    def __init__(self, target: Path, columns: Sequence[tuple[str, str]]) -> None:
        self.target, self.columns = target, columns
        self.staged = _staged(target)
        self._fh = open(self.staged, "w", encoding="utf-8-sig", newline="")  # noqa: SIM115 (closed in close())
        self._w = csv.writer(self._fh, lineterminator="\r\n")
        self._w.writerow([label for _, label in columns])

    def row(self, values: Mapping[str, Any]) -> None:
        self._w.writerow([safe_cell(values.get(key, "")) for key, _ in self.columns])

    def lines(self, text: str) -> None:
        """Lines made elsewhere (``render``), in this file's columns."""
        self._fh.write(text)

    def close(self) -> None:
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()


def csv_lines(rows: Sequence[Sequence[Any]]) -> str:
    """Rows as :class:`CsvSink` writes them."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    safe = _safe_memo()
    writer.writerows([safe(v) for v in values] for values in rows)
    return out.getvalue()


_CELLS: dict[int, sheet_xml.Cells] = {}  # by width: each worker keeps its layouts' memos from task to task


def _cells(width: int) -> sheet_xml.Cells:
    found = _CELLS.get(width)
    if found is None:
        found = _CELLS[width] = sheet_xml.Cells(width, safe_cell)
    return found


def _safe_memo() -> Any:
    """:func:`safe_cell` remembering what it gave (values recur from row to row)."""
    memo: dict[tuple[type, Any], Any] = {}

    def safe(value: Any) -> Any:
        key = (type(value), value)
        found = memo.get(key, memo)
        if found is memo:
            found = memo[key] = safe_cell(value)
        return found

    return safe


@dataclass(frozen=True)
class Roster:
    """The 报送情况 sheet: its name, title line, columns (key, label) and rows."""

    sheet: str
    title: str
    columns: Sequence[tuple[str, str]]
    rows: Collection[Mapping[str, Any]]  # gone through once, in order (the 质量 rows are read from disk)


# -- the rows, made in the workers ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Shape:
    """What a worker needs to make rows: the columns of each big sheet, the files sheet's name (the target of a
    finding's link), the rows a findings sheet holds, the styles' numbers (None: no workbook), and whether CSV
    lines are wanted."""

    files: tuple[str, ...]  # column keys
    findings: tuple[str, ...]
    files_sheet: str
    sheet_rows: int = EXCEL_ROWS
    styles: tuple[int, int, int] | None = None  # link, top, wrap
    csv: bool = False


@dataclass(frozen=True)
class Start:
    """Where a run of files starts: its first file's row on 报告清单 (0-based, the header is 0), the first report's
    on 数据, the number of findings before it (all sheets), and how many links the findings sheet it starts on
    has already."""

    file_row: int = 1
    data_row: int = 1
    finding: int = 0
    links: int = 0


@dataclass(frozen=True)
class FileRows:
    """One file's rows: on 报告清单 (values in its columns' order), on 问题清单 (each finding's values), on 数据 (or
    None), and whether its findings link to its row (its name is written as it is)."""

    file: list[Any]
    findings: list[list[Any]]
    data: list[Any] | None
    linked: bool


@dataclass
class Rendered:
    """The rows of a run of files, ready to append: deflated pieces per sheet, CSV lines per file."""

    files: sheet_xml.Piece | None = None
    data: sheet_xml.Piece | None = None
    findings: list[tuple[int, sheet_xml.Piece, sheet_xml.Piece | None]] = field(default_factory=list)
    findings_csv: str = ""
    files_csv: str = ""


def advance(start: Start, count: int, linked: bool, sheet_rows: int) -> tuple[int, int]:
    """(findings before, links on their sheet) after a file with ``count`` findings: the sheets fill in turn, and
    each takes links until Excel's limit."""
    cap = sheet_rows - 1
    done, links = start.finding, start.links
    while count > 0:
        take = min(count, cap - done % cap)
        if linked:
            links = min(EXCEL_LINKS, links + take)
        done += take
        count -= take
        if done % cap == 0:
            links = 0
    return done, links


def render(shape: Shape, start: Start, files: Sequence[FileRows]) -> Rendered:
    """The rows of ``files``, from ``start`` on: what :class:`ResultsWorkbook` and :class:`CsvSink` append."""
    out = Rendered()
    if shape.csv:
        out.files_csv = csv_lines([f.file for f in files])
        out.findings_csv = csv_lines([values for f in files for values in f.findings])
    if shape.styles is None:
        return out
    link_style, top, wrap = shape.styles
    file_styles = [top] * len(shape.files)
    finding_styles = [wrap if key == "message" else top for key in shape.findings]
    linked_styles = [link_style if key == "file" else s for key, s in zip(shape.findings, finding_styles, strict=True)]
    width = max((len(f.data) for f in files if f.data is not None), default=0)
    no_styles = [None] * width
    file_cells = _cells(len(shape.files))
    finding_cells = _cells(len(shape.findings))
    data_cells = _cells(width)
    file_xml, data_xml = [], []
    sheets: dict[int, tuple[list[str], list[str]]] = {}
    cap = shape.sheet_rows - 1
    done, links = start.finding, start.links
    data_row = start.data_row
    for i, f in enumerate(files):
        row = start.file_row + i
        file_xml.append(file_cells.row(row + 1, f.file, file_styles))
        if f.data is not None:
            data_xml.append(data_cells.row(data_row + 1, f.data, no_styles))
            data_row += 1
        name = safe_cell(f.file[0]) if f.findings else ""
        linked = f.linked and isinstance(name, str) and bool(name)
        for values in f.findings:
            sheet, at = divmod(done, cap)
            rows, hyperlinks = sheets.setdefault(sheet, ([], []))
            excel_row = at + 2
            if linked and links < EXCEL_LINKS:
                rows.append(finding_cells.row(excel_row, values, linked_styles))
                hyperlinks.append(sheet_xml.link(f"A{excel_row}", f"'{shape.files_sheet}'!A{row + 1}", name))
                links += 1
            else:
                rows.append(finding_cells.row(excel_row, values, finding_styles))
            done += 1
            if done % cap == 0:
                links = 0
    out.files = sheet_xml.joined(file_xml)
    out.data = sheet_xml.joined(data_xml) if data_xml else None
    out.findings = [(sheet, sheet_xml.joined(rows), sheet_xml.joined(hyperlinks) if hyperlinks else None)
                    for sheet, (rows, hyperlinks) in sorted(sheets.items())]
    return out


# -- the workbook ---------------------------------------------------------------------------------------------

class _Spool:
    """A big sheet's rows (or links) as deflated pieces in a file, with their CRC-32 and sizes joined."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fh: IO[bytes] = open(path, "wb")  # noqa: SIM115 (closed in close())
        self.crc = self.size = self.csize = 0  # the CRC-32 of nothing is 0, and joins as such

    def add(self, piece: sheet_xml.Piece) -> None:
        self.fh.write(piece.data)
        self.crc = crc32_combine(self.crc, piece.crc, piece.size)
        self.size += piece.size
        self.csize += len(piece.data)

    def close(self) -> None:
        self.fh.close()


class ResultsWorkbook:
    """审核结果.xlsx: the frame, then the big sheets' rows appended (:meth:`add`), then the package (:meth:`close`).

    ``counts`` says how many findings, files and reports there are, so that every sheet is made with its place
    for them; ``sheet_rows`` is Excel's limit, smaller only in tests.
    """

    def __init__(self, target: Path, *, files: Sequence[tuple[str, str]], findings: Sequence[tuple[str, str]],
                 names: Mapping[str, str], info: tuple[str, str, str, str], counts: tuple[int, int, int],
                 rule_titles: Mapping[str, str] | None = None, sheet_rows: int = EXCEL_ROWS,
                 tmpdir: Path | None = None, roster: Roster | None = None,
                 data: tuple[str, Sequence[tuple[str, str]]] | None = None, quality: Roster | None = None) -> None:
        self.target = target
        self.staged = _staged(target)
        # the frame and the spools go to a private folder, never into the folder being audited, where a failed
        # run would leave them as "submissions" for the next audit
        self.tmpdir = Path(tempfile.mkdtemp(prefix="xlsx-", dir=tmpdir))
        self.names = names  # the sheet names: front, findings, files
        self.file_columns, self.finding_columns = files, findings
        self.sheet_rows = sheet_rows
        self.counts = counts
        self.info = info  # (sheet, label cell, label, value): the role field
        self.rule_titles = rule_titles or {}
        self.roster = roster
        self.quality = quality  # the 质量 sheet: a table like 报送情况
        self.data = data
        cap = sheet_rows - 1
        self.finding_sheets = [names["findings"] if n == 0 else f"{names['findings']}（续{n + 1}）"
                               for n in range(max(1, -(-counts[0] // cap)))]
        self.styles: tuple[int, int, int] | None = None
        self._rows: dict[str, _Spool] = {}
        self._links: dict[str, _Spool] = {}

    def shape(self, csv: bool) -> Shape:
        """What a worker needs to make this workbook's rows (after :meth:`frame`)."""
        return Shape(tuple(k for k, _ in self.file_columns), tuple(k for k, _ in self.finding_columns),
                     self.names["files"], self.sheet_rows, self.styles, csv)

    # -- the frame -------------------------------------------------------------------------------------------
    def frame(self, totals: Sequence[tuple[str, int]], *, title: str, rules: Sequence[tuple[str, int]],
              agencies: Sequence[tuple[str, int]]) -> None:
        """Everything but the big sheets' rows, written by XlsxWriter into the working folder; the styles' numbers
        learnt from it. ``rules`` and ``agencies``: (name, count), in the order they first came."""
        import xlsxwriter

        self.frame_path = self.tmpdir / "frame.xlsx"
        wb = xlsxwriter.Workbook(str(self.frame_path), {
            "constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
            "strings_to_urls": False, "tmpdir": str(self.tmpdir)})
        self.wb = wb
        self.bold = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1})
        probe = (wb.add_format({"font_color": "#1F4E79", "underline": 1, "valign": "top"}),  # a finding's link
                 wb.add_format({"valign": "top"}),
                 wb.add_format({"text_wrap": True, "valign": "top"}))  # a finding's message
        front = wb.add_worksheet(self.names["front"])
        if self.roster is not None:
            self._roster(self.roster)
        findings, files, reports = self.counts
        cap = self.sheet_rows - 1
        for n, name in enumerate(self.finding_sheets):
            rows = min(cap, findings - n * cap)
            ws = self._sheet(name, self.finding_columns, {"file": 30, "message": 90, "agency": 24}, rows)
            if n == 0:
                for c, style in enumerate(probe):
                    ws.write_blank(_PROBE_ROW, c, None, style)
        self._sheet(self.names["files"], self.file_columns, {"file": 40, "note": 60, "previous": 36}, files)
        if self.data is not None:
            self._data_sheet(*self.data, reports)
        if self.quality is not None:
            self._roster(self.quality)
        self._front(front, totals, title, rules, agencies)
        sheet, cell, label, value = self.info
        info = wb.add_worksheet(sheet)
        info.hide()
        from ..spec.a1 import split_cell

        row, col = split_cell(cell)
        info.write_string(row - 1, col - 2, label)
        info.write_string(row - 1, col - 1, value)
        self._close_frame()
        self.parts = self._frame_parts()
        self.styles = self.parts.pop("probe")

    def _sheet(self, name: str, columns: Sequence[tuple[str, str]], widths: Mapping[str, float], rows: int) -> Any:
        ws = self.wb.add_worksheet(name)
        for c, (key, label) in enumerate(columns):
            ws.set_column(c, c, widths.get(key, max(8, 2 * len(label) + 2)))
            ws.write_string(0, c, label, self.bold)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(rows, 1), len(columns) - 1)
        return ws

    def _data_sheet(self, name: str, columns: Sequence[tuple[str, str]], rows: int) -> None:
        """数据: the lead columns as on the other sheets, each figure's column narrow under a wrapped heading; the
        header and the file and agency stay in view."""
        ws = self.wb.add_worksheet(name)
        head = self.wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True,
                                   "valign": "top"})
        widths = {"file": 30, "agency": 24}
        for c, (key, label) in enumerate(columns):
            ws.set_column(c, c, widths.get(key, min(max(8, 2 * len(label) + 2), DATA_WIDTH)))
            ws.write_string(0, c, label, head)
        ws.set_row(0, DATA_HEADER_HEIGHT)
        ws.freeze_panes(1, 2)
        ws.autofilter(0, 0, max(rows, 1), len(columns) - 1)

    def _roster(self, roster: Roster) -> None:
        """报送情况: a title line saying for which year and deadline, then one row per unit, filtered."""
        ws = self.wb.add_worksheet(roster.sheet)
        widths = {"agency": 30, "parent": 20, "status": 16, "file": 36, "note": 50}
        for c, (key, label) in enumerate(roster.columns):
            ws.set_column(c, c, widths.get(key, max(8, 2 * len(label) + 2)))
        ws.write_string(0, 0, safe_cell(roster.title), self.wb.add_format({"bold": True, "font_size": 12}))
        for c, (_, label) in enumerate(roster.columns):
            ws.write_string(1, c, label, self.bold)
        top = self.wb.add_format({"valign": "top"})
        wrap = self.wb.add_format({"text_wrap": True, "valign": "top"})
        for r, values in enumerate(roster.rows, start=2):
            for c, (key, _) in enumerate(roster.columns):
                value = safe_cell(values.get(key, ""))
                if isinstance(value, bool) or value is None or value == "":
                    continue
                if isinstance(value, (int, float)):
                    ws.write_number(r, c, value, top)
                else:
                    ws.write_string(r, c, str(value), wrap if key == "message" else top)
        ws.freeze_panes(2, 0)
        ws.autofilter(1, 0, max(len(roster.rows) + 1, 2), len(roster.columns) - 1)

    def _front(self, ws: Any, totals: Sequence[tuple[str, int]], title: str, rules: Sequence[tuple[str, int]],
               agencies: Sequence[tuple[str, int]]) -> None:
        """概览: the totals, then the most frequent rules and the agencies with the most 错误, each with a chart."""
        wb = self.wb
        big = wb.add_format({"bold": True, "font_size": 14})
        ws.set_column(0, 0, 40)
        ws.set_column(1, 1, 8)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.set_paper(9)  # A4
        ws.write_string(0, 0, title, big)
        r = 2
        for label, n in totals:
            ws.write_string(r, 0, label)
            ws.write_number(r, 1, n)
            r += 1
        named = [(f"{rule} {self.rule_titles.get(rule, '')}".strip(), n) for rule, n in rules]
        for heading, counted in (("出现最多的规则", _most(named)), ("错误最多的机关", list(agencies)[:TOP])):
            r += 1
            ws.write_string(r, 0, heading, self.bold)
            ws.write_string(r, 1, "项数", self.bold)
            first = r + 1
            for name, n in counted:
                r += 1
                ws.write_string(r, 0, safe_cell(name))
                ws.write_number(r, 1, n)
            if r >= first:
                chart = wb.add_chart({"type": "bar"})
                chart.add_series({"name": heading, "categories": [ws.name, first, 0, r, 0],
                                  "values": [ws.name, first, 1, r, 1], "data_labels": {"value": True}})
                chart.set_title({"name": heading})
                chart.set_legend({"none": True})
                chart.set_y_axis({"reverse": True})
                most = max(n for _, n in counted)
                chart.set_x_axis({"min": 0, "major_unit": max(1, -(-most // 5)), "num_format": "0"})
                ws.insert_chart(first - 1, 3, chart, {"x_scale": 1.1, "y_scale": 0.85})
            r = max(r, first + 14)  # leave room for the chart beside the list

    def _close_frame(self) -> None:
        """Assemble the frame; an OS error (a full disk) as the OS error it is.

        XlsxWriter wraps it in its own exception and leaves its zip file open inside the traceback: when that
        is collected, the zip tries to finish itself on the full disk and Python prints "Exception ignored"
        in English. The zip is let go inside ``quiet_unraisable``, so that goes to the log.
        """
        from xlsxwriter.exceptions import FileCreateError

        from ..logs import quiet_unraisable

        failure: OSError | None = None
        with quiet_unraisable():
            try:
                self.wb.close()
            except FileCreateError as exc:
                # a fresh error with the cause's number, naming the target: not the frames that hold the zip
                cause = exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else None
                failure = OSError(cause.errno if cause else None, cause.strerror if cause else str(exc),
                                  str(self.target))
            if failure is not None:
                # the traceback that held the half-written zip is gone: it finishes here, quietly. Only then: a
                # clean close leaves nothing to finish, and a full collection costs time in a large process.
                gc.collect()
        if failure is not None:
            raise failure

    def _frame_parts(self) -> dict[str, Any]:
        """The frame's parts by name, in its order: each big sheet's XML (its header and the probe, split around
        the place of its rows at :meth:`close`), and None for every other part, which :meth:`close` carries from
        the frame file a piece at a time — the 质量 sheet has a row per flagged report, megabytes of XML at a
        province's scale, and the parent holds nothing that grows with the folder; "probe": the numbers of the
        styles of a finding's link, a cell, and a message."""
        with zipfile.ZipFile(self.frame_path) as z:
            book = z.read("xl/workbook.xml").decode("utf-8")
            rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8")
            targets = dict(re.findall(r'<Relationship Id="([^"]+)" Type="[^"]*" Target="([^"]+)"', rels))
            big = {*self.finding_sheets, self.names["files"], *([self.data[0]] if self.data else [])}
            self.big: dict[str, str] = {}  # sheet name -> its part
            for name, rid in re.findall(r'<sheet name="([^"]*)" sheetId="\d+"(?: state="\w+")? r:id="([^"]+)"',
                                        book):
                if html.unescape(name) in big:
                    self.big[html.unescape(name)] = "xl/" + targets[rid]
            if set(self.big) != big:
                raise ValueError(f"the frame lacks sheets: {sorted(big - set(self.big))}")
            parts: dict[str, Any] = {info.filename: z.read(info) if info.filename in self.big.values() else None
                                     for info in z.infolist()}
        first = self.big[self.finding_sheets[0]]
        probe_row = re.search(rb'<row r="2"[^>]*>(.*?)</row>', parts[first])
        styles = re.findall(rb' s="(\d+)"', probe_row.group(1)) if probe_row else []
        parts["probe"] = tuple(int(s) for s in styles)
        if len(parts["probe"]) != 3:
            raise ValueError("the frame's probe row lacks its three styles")
        return parts

    # -- the rows ------------------------------------------------------------------------------------------
    def add(self, rendered: Rendered) -> None:
        """A run of files' rows (from :func:`render`), after the runs before it."""
        if rendered.files is not None:
            self._spool(self._rows, self.names["files"]).add(rendered.files)
        if rendered.data is not None and self.data is not None:
            self._spool(self._rows, self.data[0]).add(rendered.data)
        for sheet, rows, links in rendered.findings:
            name = self.finding_sheets[sheet]
            self._spool(self._rows, name).add(rows)
            if links is not None:
                self._spool(self._links, name).add(links)

    def _spool(self, spools: dict[str, _Spool], name: str) -> _Spool:
        found = spools.get(name)
        if found is None:
            kind = "rows" if spools is self._rows else "links"
            found = spools[name] = _Spool(self.tmpdir / f"{kind}-{len(spools)}.bin")
        return found

    # -- the package ---------------------------------------------------------------------------------------
    def close(self) -> Path:
        """Write the package into its staged file: the frame's parts as they are, each big sheet with its rows."""
        for spool in (*self._rows.values(), *self._links.values()):
            spool.close()
        try:
            with open(self.staged, "wb") as fh, zipfile.ZipFile(self.frame_path) as frame:
                package = ZipStream(fh)
                for name, data in self.parts.items():
                    sheet = next((s for s, part in self.big.items() if part == name), None)
                    if sheet is None:
                        with frame.open(name) as source, tempfile.TemporaryFile(dir=self.tmpdir) as spill:
                            package.add_streamed(name, source, spill)
                    else:
                        self._sheet_part(package, name, sheet, data)
                package.close()
                fh.flush()
                os.fsync(fh.fileno())
        finally:
            self.discard_working_files()
        return self.staged

    def _sheet_part(self, package: ZipStream, name: str, sheet: str, frame: bytes) -> None:
        """A big sheet: the frame's XML up to its header row, the rows, the frame's XML after them with the
        links before the page margins; its dimension made to cover the rows."""
        head, rest = frame.split(b"</row>", 1)
        head += b"</row>"
        rest = re.sub(rb'^<row r="2"[^>]*>.*?</row>', b"", rest, count=1)  # the probe
        rows = self._rows.get(sheet)
        links = self._links.get(sheet)
        last = b"%d" % (self._row_count(sheet) + 1)
        head = re.sub(rb'<dimension ref="A1(?::([A-Z]+)\d+)?"/>',
                      lambda m: b'<dimension ref="A1:' + (m.group(1) or b"A") + last + b'"/>', head, count=1)
        cut = min((i for i in (rest.find(b"<printOptions"), rest.find(b"<pageMargins"), rest.find(b"</worksheet>"))
                   if i >= 0), default=len(rest))
        middle, margins, tail = rest[:cut], b"", rest[cut:]
        pieces = [sheet_xml.deflated(head.decode("utf-8"))]
        parts: list[sheet_xml.Piece | _Spool] = [pieces[0]]
        if rows is not None:
            parts.append(rows)
        if links is not None:
            parts += [sheet_xml.deflated(middle.decode("utf-8") + "<hyperlinks>"), links,
                      sheet_xml.deflated("</hyperlinks>" + (margins + tail).decode("utf-8"))]
        else:
            parts.append(sheet_xml.deflated((middle + margins + tail).decode("utf-8")))
        end = sheet_xml.final_block()
        crc = size = csize = 0
        for part in parts:
            crc = crc32_combine(crc, part.crc, part.size)
            size += part.size
            csize += part.csize if isinstance(part, _Spool) else len(part.data)
        package.add_deflated(name, self._pieces(parts, end), crc, size, csize + len(end))

    @staticmethod
    def _pieces(parts: Sequence[sheet_xml.Piece | _Spool], end: bytes) -> Any:
        for part in parts:
            if isinstance(part, _Spool):
                with open(part.path, "rb") as fh:
                    while chunk := fh.read(STREAM_PIECE):
                        yield chunk
            else:
                yield part.data
        yield end

    def _row_count(self, sheet: str) -> int:
        findings, files, reports = self.counts
        if sheet == self.names["files"]:
            return files
        if self.data is not None and sheet == self.data[0]:
            return reports
        cap = self.sheet_rows - 1
        n = self.finding_sheets.index(sheet)
        return max(0, min(cap, findings - n * cap))

    def discard_working_files(self) -> None:
        for spool in (*self._rows.values(), *self._links.values()):
            spool.close()
        shutil.rmtree(self.tmpdir, ignore_errors=True)


def _most(counted: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """The :data:`TOP` largest, ties in the order given (as ``Counter.most_common``)."""
    return sorted(counted, key=lambda item: item[1], reverse=True)[:TOP]

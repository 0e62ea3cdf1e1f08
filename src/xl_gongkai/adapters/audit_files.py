"""The audit's results, streamed to disk: a workbook an office reads, and CSV files for programs.

Rows are written as they come (XlsxWriter's constant-memory mode: one row in memory per sheet; CSV line by
line), so a national audit of a hundred thousand reports needs no more memory than one of ten. Each file is
written to a hidden temporary file beside its target and put in place by ``fileio.write_all`` — all or
nothing, as every output of the tool.

The results workbook (审核结果.xlsx):

* 概览 — how many files and reports, how many with 错误, the most frequent rules and the agencies with the
  most 错误, with native Excel charts of both;
* 报送情况 (with ``audit --roster``) — one row per expected unit: 已报送 / 未报送 / 逾期 / 有错误 / 重复报送, and
  the units that reported without being on the roster (``commands.roster``);
* 问题清单 — one row per finding, its file a link to that file's row on 报告清单; frozen header, filters,
  column widths; past Excel's 1 048 576 rows the findings continue on 问题清单（续2）, …;
* 报告清单 — one row per file of the folder, whatever became of it;
* 模板信息 (hidden) — the role field that marks the workbook as an audit result, so that a second audit of the
  same folder lists it as such instead of reading it as a broken report.

Every text a spreadsheet would run as a formula keeps an apostrophe in front (``formula_guard.in_file``).
"""

from __future__ import annotations

import csv
import gc
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..controls import safe_text, shown_path
from ..spec import Severity
from .formula_guard import in_file

EXCEL_ROWS = 1_048_576  # rows of a worksheet, the header included
EXCEL_LINKS = 65_530  # hyperlinks Excel allows on one worksheet: beyond them, the file name is plain text
TOP = 10  # rules and agencies shown on the front sheet


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

    def close(self) -> None:
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()


@dataclass(frozen=True)
class Roster:
    """The 报送情况 sheet: its name, title line, columns (key, label) and rows."""

    sheet: str
    title: str
    columns: Sequence[tuple[str, str]]
    rows: Sequence[Mapping[str, Any]]


class ResultsWorkbook:
    """审核结果.xlsx, streamed. Call :meth:`file` for each file row, :meth:`finding` for each finding (both in
    order), then :meth:`close` with the totals; ``sheet_rows`` is Excel's limit, smaller only in tests."""

    def __init__(self, target: Path, *, files: Sequence[tuple[str, str]], findings: Sequence[tuple[str, str]],
                 names: Mapping[str, str], info: tuple[str, str, str, str],
                 rule_titles: Mapping[str, str] | None = None, sheet_rows: int = EXCEL_ROWS,
                 tmpdir: Path | None = None, roster: Roster | None = None) -> None:
        import xlsxwriter

        self.target = target
        self.staged = _staged(target)
        # XlsxWriter's own working files (one per sheet, then one per part) go to a private folder, never into
        # the folder being audited, where a failed run would leave them as "submissions" for the next audit
        self.tmpdir = Path(tempfile.mkdtemp(prefix="xlsx-", dir=tmpdir))
        self.names = names  # the sheet names: front, findings, files
        self.file_columns, self.finding_columns = files, findings
        self.sheet_rows = sheet_rows
        self.wb = xlsxwriter.Workbook(str(self.staged), {
            "constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
            "strings_to_urls": False, "tmpdir": str(self.tmpdir)})
        self.bold = self.wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1})
        self.wrap = self.wb.add_format({"text_wrap": True, "valign": "top"})
        self.link = self.wb.add_format({"font_color": "#1F4E79", "underline": 1, "valign": "top"})
        self.top = self.wb.add_format({"valign": "top"})
        self.front = self.wb.add_worksheet(names["front"])
        if roster is not None:
            self._roster(roster)
        self._finding_sheets: list[Any] = []
        self._finding_rows: list[int] = []
        self._finding_row = 0
        self._new_finding_sheet()
        self.files_ws = self._sheet(names["files"], files, {"file": 40, "note": 60, "previous": 36})
        self._file_row = 0
        self.file_rows: dict[str, int] = {}  # file -> its row on the files sheet (1-based, for links)
        self.info = info  # (sheet, label cell, label, value): the role field
        self.rule_titles = rule_titles or {}
        self.rules: Counter[str] = Counter()
        self.agencies: Counter[str] = Counter()

    # -- sheets ------------------------------------------------------------------------------------------
    def _sheet(self, name: str, columns: Sequence[tuple[str, str]], widths: Mapping[str, float]) -> Any:
        ws = self.wb.add_worksheet(name)
        for c, (key, label) in enumerate(columns):
            ws.set_column(c, c, widths.get(key, max(8, 2 * len(label) + 2)))
            ws.write_string(0, c, label, self.bold)
        ws.freeze_panes(1, 0)
        return ws

    def _roster(self, roster: Roster) -> None:
        """报送情况: a title line saying for which year and deadline, then one row per unit, filtered."""
        ws = self.wb.add_worksheet(roster.sheet)
        widths = {"agency": 30, "parent": 20, "status": 16, "file": 36, "note": 50}
        for c, (key, label) in enumerate(roster.columns):
            ws.set_column(c, c, widths.get(key, max(8, 2 * len(label) + 2)))
        ws.write_string(0, 0, safe_cell(roster.title), self.wb.add_format({"bold": True, "font_size": 12}))
        for c, (_, label) in enumerate(roster.columns):
            ws.write_string(1, c, label, self.bold)
        for r, values in enumerate(roster.rows, start=2):
            self._write(ws, r, roster.columns, values)
        ws.freeze_panes(2, 0)
        ws.autofilter(1, 0, max(len(roster.rows) + 1, 2), len(roster.columns) - 1)

    def _new_finding_sheet(self) -> None:
        if self._finding_sheets:
            self._finding_rows.append(self._finding_row)
        n = len(self._finding_sheets) + 1
        name = self.names["findings"] if n == 1 else f"{self.names['findings']}（续{n}）"
        ws = self._sheet(name, self.finding_columns, {"file": 30, "message": 90, "agency": 24})
        self._finding_sheets.append(ws)
        self._finding_row = 0
        self._links = 0

    # -- rows --------------------------------------------------------------------------------------------
    def file(self, values: Mapping[str, Any]) -> None:
        self._file_row += 1
        self.file_rows[str(values.get("file", ""))] = self._file_row + 1
        self._write(self.files_ws, self._file_row, self.file_columns, values)

    def finding(self, values: Mapping[str, Any]) -> None:
        if self._finding_row + 1 >= self.sheet_rows:
            self._new_finding_sheet()
        self._finding_row += 1
        ws = self._finding_sheets[-1]
        self._write(ws, self._finding_row, self.finding_columns, values, link_file=True)
        self.rules[str(values.get("rule", ""))] += 1
        if values.get("severity") == Severity.ERROR and values.get("agency"):
            self.agencies[str(values["agency"])] += 1

    def _write(self, ws: Any, r: int, columns: Sequence[tuple[str, str]], values: Mapping[str, Any],
               link_file: bool = False) -> None:
        for c, (key, _) in enumerate(columns):
            value = safe_cell(values.get(key, ""))
            if isinstance(value, bool) or value is None or value == "":
                continue
            if isinstance(value, (int, float)):
                ws.write_number(r, c, value, self.top)
            elif link_file and key == "file" and value in self.file_rows and self._links < EXCEL_LINKS:
                target = f"internal:'{self.names['files']}'!A{self.file_rows[value]}"
                ws.write_url(r, c, target, self.link, string=str(value))
                self._links += 1
            else:
                ws.write_string(r, c, str(value), self.wrap if key == "message" else self.top)

    # -- the front sheet, written last (its sheet has no rows before) -----------------------------------
    def close(self, totals: Sequence[tuple[str, int]], *, title: str) -> Path:
        # filters over what each sheet holds
        for sheet, last in zip(self._finding_sheets, [*self._finding_rows, self._finding_row], strict=True):
            sheet.autofilter(0, 0, max(last, 1), len(self.finding_columns) - 1)
        self.files_ws.autofilter(0, 0, max(self._file_row, 1), len(self.file_columns) - 1)
        ws = self.front
        big = self.wb.add_format({"bold": True, "font_size": 14})
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
        rules = Counter({f"{rule} {self.rule_titles.get(rule, '')}".strip(): n for rule, n in self.rules.items()})
        for heading, counter in (("出现最多的规则", rules), ("错误最多的机关", self.agencies)):
            r += 1
            ws.write_string(r, 0, heading, self.bold)
            ws.write_string(r, 1, "项数", self.bold)
            first = r + 1
            for name, n in counter.most_common(TOP):
                r += 1
                ws.write_string(r, 0, safe_cell(name))
                ws.write_number(r, 1, n)
            if r >= first:
                chart = self.wb.add_chart({"type": "bar"})
                chart.add_series({"name": heading, "categories": [ws.name, first, 0, r, 0],
                                  "values": [ws.name, first, 1, r, 1], "data_labels": {"value": True}})
                chart.set_title({"name": heading})
                chart.set_legend({"none": True})
                chart.set_y_axis({"reverse": True})
                top = max(n for _, n in counter.most_common(TOP))
                chart.set_x_axis({"min": 0, "major_unit": max(1, -(-top // 5)), "num_format": "0"})
                ws.insert_chart(first - 1, 3, chart, {"x_scale": 1.1, "y_scale": 0.85})
            r = max(r, first + 14)  # leave room for the chart beside the list
        sheet, cell, label, value = self.info
        info = self.wb.add_worksheet(sheet)
        info.hide()
        from ..spec.a1 import split_cell

        row, col = split_cell(cell)
        info.write_string(row - 1, col - 2, label)
        info.write_string(row - 1, col - 1, value)
        self._close()
        return self.staged

    def _close(self) -> None:
        """Assemble the workbook into its staged file; an OS error (a full disk) as the OS error it is.

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
            finally:
                self.discard_working_files()
            gc.collect()  # the traceback that held the half-written zip is gone: it finishes here, quietly
        if failure is not None:
            raise failure

    def discard_working_files(self) -> None:
        shutil.rmtree(self.tmpdir, ignore_errors=True)

    @property
    def finding_sheets(self) -> list[str]:
        return [ws.name for ws in self._finding_sheets]

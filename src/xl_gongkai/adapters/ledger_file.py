"""A register of applications kept outside the workbook: a CSV file or a workbook (.xlsx/.xlsm) of the office's own.

Its columns are found by their Chinese headers (the register's labels, or a known variant of one), in any order,
in the first rows of the file; other columns (the applicant's name, the matter asked for) are left where they are,
never copied. CSV is read as UTF-8 (with or without a byte order mark) or, failing that, GB18030 — what Excel and
WPS save on Chinese Windows — or, with its byte order mark, UTF-16 (Excel's “Unicode 文本”), with a comma, a tab or
a semicolon between the fields. A workbook is read sheet by
sheet until one has the headers (through the same guard and reader as every workbook).

What is read is kept as it stands; whether a label is one of the options and a date a date is for the core to
judge (``core.ledger``), and for the command to refuse.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.ledger import Entry, Ledger, blank
from ..errors import InputError
from ..fileio import read_input, regular_file
from ..spec import Form, LedgerColumn
from ..spec.a1 import column_letters

SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv", ".txt")
ENCODINGS = ("utf-8-sig", "gb18030")  # utf-8-sig also reads plain UTF-8; GB18030 is what Chinese Windows saves
DELIMITERS = (",", "\t", ";")
MAX_BYTES = 50 * 1024 * 1024  # a register of 100 000 applications is about 15 MB of CSV
HEADER_ROWS = 20  # the headers may stand under a title or a note of a few rows
SHEET_COLUMNS = 60  # columns of a register workbook looked at for the headers


@dataclass(frozen=True)
class LedgerFile:
    """A register read from a file: its rows (numbered as the file numbers them) and where each column was."""

    path: Path
    ledger: Ledger
    headers: dict[str, str]  # register column key -> the header as the file prints it
    letters: dict[str, str] = field(default_factory=dict)  # column key -> column letter (a workbook)
    sheet: str | None = None

    def where(self, row: int, column: LedgerColumn | None) -> str:
        """``第12行“办理结果”列`` (with the letter in a workbook): a place in the file, as its owner sees it."""
        if column is None:
            return f"第{row}行"
        letter = self.letters.get(column.key)
        at = f"（{letter}列）" if letter else ""
        return f"第{row}行“{self.headers.get(column.key, column.label)}”列{at}"


def read_ledger_file(path: str | Path, form: Form) -> LedgerFile:
    """The register in a CSV file or a workbook; an :class:`InputError` naming the file when it cannot be read."""
    p = Path(path)
    spec = form.workbook.ledger
    if spec is None:
        raise InputError("当前模板没有依申请台账。", place=str(p))
    suffix = p.suffix.lower()
    if suffix not in SUFFIXES:
        regular_file(p)
        raise InputError(f"台账文件应为 .csv 或 .xlsx（.xlsm）文件，不支持 {suffix or '无扩展名的文件'}。"
                         "请在 Excel 或 WPS 中“另存为” CSV（逗号分隔）或 Excel 工作簿后再试。", place=str(p))
    if suffix in CSV_SUFFIXES:
        return _from_rows(p, form, _csv_rows(p, form), sheet=None)
    return _from_workbook(p, form)


def _csv_rows(path: Path, form: Form) -> list[list[Any]]:
    raw = read_input(path, cap=MAX_BYTES, too_big="文件有 {mb} MB，超过 50 MB 的上限，不像是一份台账，未读取。")
    # Excel's “Unicode 文本” is UTF-16 with a byte order mark; otherwise UTF-8, then GB18030
    encodings = ("utf-16",) if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else ENCODINGS
    for encoding in encodings:
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        text = "\x00"
    if "\x00" in text:  # a NUL decodes in both, but no text file holds one: a workbook or another binary file
        raise InputError("文件的编码无法识别，或不是文本文件：请在 Excel 或 WPS 中“另存为”“CSV UTF-8（逗号分隔）”"
                         "后再试（Excel 工作簿请直接用 .xlsx 文件）。", place=str(path))
    head = "\n".join(text.splitlines()[:HEADER_ROWS])
    delimiter = next((d for d in DELIMITERS if _header(form, _parse(head, d, path)) is not None), DELIMITERS[0])
    return _parse(text, delimiter, path)


def _parse(text: str, delimiter: str, path: Path) -> list[list[Any]]:
    """The rows of a CSV text; a field longer than the csv module takes is the file's problem, said as such."""
    try:
        return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise InputError(f"不是可读取的 CSV 文件（{exc}）：请在 Excel 或 WPS 中“另存为”“CSV UTF-8（逗号分隔）”后再试。",
                         place=str(path)) from None


def _from_workbook(path: Path, form: Form) -> LedgerFile:
    from python_calamine import CalamineWorkbook

    from .workbook_read import calamine_failure, read_grids
    from .xlsx_guard import inspect_package

    spec = form.workbook.ledger
    assert spec is not None
    size = regular_file(path).st_size  # never a FIFO or a device
    if size > MAX_BYTES:
        raise InputError(f"文件有 {size / 1024 / 1024:.1f} MB，超过 50 MB 的上限，不像是一份台账，未读取。",
                         place=str(path))
    inspect_package(path, {})  # the package within the limits every workbook is read with, before calamine opens it
    try:
        names = list(CalamineWorkbook.from_path(str(path)).sheet_names)
    except BaseException as exc:
        if not calamine_failure(exc):
            raise
        raise InputError(f"不是可读取的 Excel 工作簿（{type(exc).__name__}）。", place=str(path)) from None
    wanted = spec.max_rows + HEADER_ROWS + 1
    for name in names:
        grids = read_grids(path, {name: (wanted, SHEET_COLUMNS)}, lenient=True)
        if name not in grids:
            continue
        rows = grids[name].rows
        found = _header(form, rows)
        if found is not None:
            return _from_rows(path, form, rows, sheet=name, header=found)
    raise _no_header(form, path)


def _header(form: Form, rows: list[list[Any]]) -> tuple[int, dict[str, int]] | None:
    """(row index, {column key: position}) of the first row that has every required header."""
    spec = form.workbook.ledger
    assert spec is not None
    required = [c.key for c in spec.columns if c is not spec.case_id and c is not spec.remark]
    accepted = {form.normalize(t): c.key for c in spec.columns for t in (c.label, *c.synonyms)}
    for i, row in enumerate(rows[:HEADER_ROWS]):
        found: dict[str, int] = {}
        for j, cell in enumerate(row):
            if not isinstance(cell, str) or not cell.strip():
                continue
            key = accepted.get(form.normalize(cell))
            if key is not None and key not in found:
                found[key] = j
        if all(k in found for k in required):
            return i, found
    return None


def _no_header(form: Form, path: Path) -> InputError:
    spec = form.workbook.ledger
    assert spec is not None
    names = "、".join(c.label for c in spec.columns)
    return InputError(f"找不到台账的列名：需要一行列名，至少包括“{spec.received.label}”“{spec.applicant.label}”"
                      f"“{spec.finished.label}”“{spec.outcome.label}”（全部列：{names}，顺序不限，可以有其他列）。",
                      place=str(path))


def _from_rows(path: Path, form: Form, rows: list[list[Any]], *, sheet: str | None,
               header: tuple[int, dict[str, int]] | None = None) -> LedgerFile:
    spec = form.workbook.ledger
    assert spec is not None
    header = header or _header(form, rows)
    if header is None:
        raise _no_header(form, path)
    at, positions = header
    printed = {k: str(rows[at][j]).strip() for k, j in positions.items()}
    entries = []
    counted = [c.key for c in spec.columns if c is not spec.remark]
    for i, row in enumerate(rows[at + 1:], start=at + 2):  # rows and lines are numbered from 1
        values = tuple(_cell(row, positions.get(c.key)) for c in spec.columns)
        if any(not blank(v) for c, v in zip(spec.columns, values, strict=True) if c.key in counted):
            entries.append(Entry(i, values))
    letters = {k: column_letters(j + 1) for k, j in positions.items()} if sheet is not None else {}
    return LedgerFile(path, Ledger(tuple(entries)), printed, letters, sheet)


def _cell(row: list[Any], position: int | None) -> Any:
    if position is None or position >= len(row):
        return None
    v = row[position]
    if isinstance(v, str):
        v = v.strip()
        return v or None
    return None if v == "" else v

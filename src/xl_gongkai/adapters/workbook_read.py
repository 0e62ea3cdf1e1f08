"""Reads a filled template (saved by Excel, WPS or LibreOffice) into a Report.

python-calamine reads the values (about a millisecond a file); nothing is taken on trust: the
template version and the layout are checked first — every label must be where the spec puts it —
so numbers are never read from the wrong cells. Values are taken as they stand (formulas' cached
values included) and judged by the rules; derived totals are recomputed by ``fill``, never believed.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..advice import CURRENT_TEMPLATE, NEW_TEMPLATE_MAY_MOVE, NEW_TEMPLATE_MOVE, NEW_TEMPLATE_REFILL
from ..core.ledger import Entry, Ledger, blank
from ..core.report import Report
from ..errors import InputError, OwnOutput
from ..fileio import regular_file
from ..spec import CellKey, Form, templated_forms
from ..spec.a1 import cell_address, column_index, split_cell
from .workbook_layout import has_register, layout, optional_sheets, read_extent, sheets_to_read

__all__ = ["MAX_FILE_BYTES", "Grid", "calamine_failure", "check_version", "layout_problems", "missing_sheets",
           "optional_sheets", "read_explanations", "read_extent", "read_grids", "read_ledger_grid", "read_workbook",
           "report_from_grids", "role", "sheet_names", "sheets_to_read"]

MAX_FILE_BYTES = 50 * 1024 * 1024  # a filled template is well under 1 MB


@dataclass(frozen=True)
class Grid:
    """One sheet's values from A1, as python-calamine returns them ('' for empty)."""

    name: str
    rows: list[list[Any]]

    def at(self, address: str) -> Any:
        return self.cell(*split_cell(address))

    def cell(self, row: int, col: int) -> Any:
        """The value at (row, column), both 1-based; None when blank."""
        if row - 1 < len(self.rows):
            values = self.rows[row - 1]
            if col - 1 < len(values):
                v = values[col - 1]
                return None if v == "" else v
        return None

    def values(self, places: Sequence[tuple[int, int]]) -> list[Any]:
        """The values at many (row, column) places at once, both 1-based (the reader takes hundreds from every
        file): in one comprehension when every place lies within the sheet's rows and cells (calamine's area is a
        rectangle), else place by place, a place beyond them being blank."""
        rows = self.rows
        try:
            return [None if (v := rows[r - 1][c - 1]) == "" else v for r, c in places]
        except IndexError:
            pass
        out = []
        for r, c in places:
            v = None
            if r <= len(rows):
                row = rows[r - 1]
                if c <= len(row):
                    v = row[c - 1]
            out.append(None if v == "" else v)
        return out


def _open(path: Path) -> Any:
    from python_calamine import CalamineWorkbook

    try:
        return CalamineWorkbook.from_path(os.fspath(path))
    except BaseException as exc:  # calamine raises its own error types for every kind of damage
        if not calamine_failure(exc):
            raise
        raise InputError(f"不是可读取的 Excel 工作簿（{type(exc).__name__}）。请确认文件是 .xlsx/.xlsm 且没有损坏。",
                         place=str(path)) from None


def read_grids(path: Path, areas: Mapping[str, tuple[int, int]], *, lenient: bool = False,
               only_if: Mapping[str, tuple[int, int]] | None = None) -> dict[str, Grid]:
    """The wanted area of each sheet, (rows, columns) from A1; the package is inspected first.

    A sheet the workbook lacks is refused, naming it — or, with ``lenient``, left out of the result, for a
    caller that first looks at what the file is (one of our audit results is no report).

    ``only_if`` maps a sheet to a (column, first row): the sheet is read only when the inspection finds
    something in that column from that row down, and is otherwise an empty grid — 校验结果 holds hundreds of
    findings in a clerk's file, and what the reader wants of it, the explanations, is usually not there.

    Only the rows of the area are turned into Python values; what calamine holds in memory is bounded by
    :mod:`.xlsx_guard`. Error values (which python-calamine returns as blanks) are put back as the text
    Excel shows, so the checks report them as text in a number cell instead of a blank.
    """
    from .xlsx_guard import inspect_package

    size = regular_file(path).st_size  # never a FIFO or a device: calamine would wait for ever
    if size > MAX_FILE_BYTES:
        raise InputError(_TOO_BIG.format(mb=size // (1024 * 1024)), place=str(path))
    if is_ole(path):
        return _xls_grids(path, areas, lenient)
    scans = inspect_package(path, areas, only_if)
    skip = {sheet for sheet in only_if or () if sheet in scans and not scans[sheet].watched}
    with _quiet_stderr():
        return _calamine_grids(path, areas, scans, lenient, skip)


_TOO_BIG = f"文件过大（{{mb}} MB，上限 {MAX_FILE_BYTES // (1024 * 1024)} MB），不是本模板的工作簿，未读取。"


def is_ole(path: Path) -> bool:
    """An Excel 97-2003 workbook (.xls, WPS's .et): a compound file, not a zip package."""
    from .ole import OLE_MAGIC

    try:
        with open(path, "rb") as fh:
            return fh.read(len(OLE_MAGIC)) == OLE_MAGIC
    except OSError:
        return False  # the package reader names what is wrong with the file


def _xls_grids(path: Path, areas: Mapping[str, tuple[int, int]], lenient: bool) -> dict[str, Grid]:
    """An .xls read as the .xlsx is: its bytes checked by ``xls_guard``, then calamine given those bytes."""
    import io

    from python_calamine import CalamineWorkbook

    from ..fileio import read_input
    from .xls_guard import inspect_xls

    data = read_input(path, cap=MAX_FILE_BYTES, too_big=_TOO_BIG)
    scans = inspect_xls(data, areas, str(path))
    with _quiet_stderr():
        try:
            book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        except BaseException as exc:
            if not calamine_failure(exc):
                raise
            raise InputError(f"不是可读取的 Excel 97-2003 工作簿（{type(exc).__name__}）。请在 Excel 或 WPS 中"
                             "另存为 .xlsx 后再试。", place=str(path)) from None
        return _calamine_grids(path, areas, scans, lenient, book=book)


def sheet_names(path: Path) -> list[str]:
    """The names of a workbook's sheets, in order (for a file that is not a report: a roster)."""
    size = regular_file(path).st_size
    if size > MAX_FILE_BYTES:
        raise InputError(f"文件过大（{size // (1024 * 1024)} MB，上限 {MAX_FILE_BYTES // (1024 * 1024)} MB），未读取。",
                         place=str(path))
    with _quiet_stderr():
        return list(_open(path).sheet_names)


class NotTemplate(InputError):
    """A workbook with none of a template's sheets: no template at all (an agency's own Excel of the tables, which
    ``load`` then reads as a published report), not a template with sheets lost."""


def missing_sheets(missing: list[str], path: Path) -> InputError:
    return InputError("缺少工作表" + "、".join(f"“{s}”" for s in missing) +
                      f"。这不是本模板的工作簿，或工作表被删除、改名；{NEW_TEMPLATE_REFILL.cli}。",
                      place=str(path))


def _calamine_grids(path: Path, areas: Mapping[str, tuple[int, int]], scans: Mapping[str, Any],
                    lenient: bool, skip: set[str] | frozenset[str] = frozenset(), book: Any = None
                    ) -> dict[str, Grid]:
    wb = book if book is not None else _open(path)
    present = set(wb.sheet_names)
    missing = [s for s in areas if s not in present]
    if missing and not lenient:
        raise missing_sheets(missing, path)
    grids = {}
    for name, (rows_wanted, _) in areas.items():
        if name not in present:
            continue
        if name not in scans:  # calamine lists it, but its part is not where the check found parts
            raise InputError(f"工作表“{name}”的位置无法确定（工作簿中的关系不一致），文件可能已损坏或被篡改，未读取。",
                             place=str(path))
        if name in skip:  # nothing there the caller wants: not converted at all
            grids[name] = Grid(name, [])
            continue
        sheet = None
        try:
            sheet = wb.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False, nrows=rows_wanted)
        except BaseException as exc:
            if not calamine_failure(exc):
                raise
            raise _sheet_error(name, path, scans[name].unknown_errors, exc, sheet, rows_wanted) from None
        grids[name] = Grid(name, _with_errors(rows, scans[name].errors))
    return grids


@contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Keep a Rust panic's English message (and backtrace) off the clerk's screen; it goes to the log.

    The panic hook writes to the process's standard error before Python sees the exception, which then
    becomes a Chinese message naming the sheet and row. Nothing else writes there while calamine runs.
    Where there is no standard error to borrow (Excel's RunPython on Windows), nothing is redirected.
    """
    try:
        fd = sys.stderr.fileno()
        sys.stderr.flush()
        sink = _sink()
        saved = os.dup(fd)
    except (AttributeError, OSError, ValueError):
        yield
        return
    try:
        os.dup2(sink.fileno(), fd)
        yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)
        if sink.tell():
            from ..logs import logger

            sink.seek(0)
            logger().warning("python-calamine wrote to standard error:\n%s",
                             sink.read(64 * 1024).decode("utf-8", "replace"))
            sink.seek(0)
            sink.truncate()


_SINKS: dict[int, IO[bytes]] = {}


def _sink() -> IO[bytes]:
    """An anonymous temporary file that takes what calamine writes to standard error, kept empty between reads.

    One per process (by process id: a worker forked after a read must not share its parent's file offset);
    making a temporary file costs more than reading a small workbook does.
    """
    pid = os.getpid()
    sink = _SINKS.get(pid)
    if sink is None:
        sink = _SINKS[pid] = tempfile.TemporaryFile()  # noqa: SIM115 (open for the life of the process)
    return sink


def calamine_failure(exc: BaseException) -> bool:
    """An exception of python-calamine's for a damaged file: its own types, and a Rust panic (a date-formatted
    cell holding -1e300), which pyo3 raises as PanicException — a BaseException that ``except Exception``
    would let through to the clerk as a traceback."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


def _sheet_error(name: str, path: Path, unknown: Mapping[tuple[int, int], str], exc: BaseException,
                 sheet: Any, rows_wanted: int) -> InputError:
    if unknown:
        (r, c), text = next(iter(unknown.items()))
        return InputError(f"工作表“{name}”单元格 {cell_address(r, c)} 是错误值“{text}”（较新版本 Excel 的错误类型），"
                          "本程序无法读取含有这种错误值的工作表。请修正或删除该单元格的公式后保存，再试。",
                          place=str(path))
    if type(exc).__name__ == "PanicException" and sheet is not None:
        row = _first_bad_row(sheet, rows_wanted)
        where = f"第 {row} 行" if row else ""
        return InputError(f"工作表“{name}”{where}有设置为日期或时间格式的单元格，其中的数值超出日期范围"
                          "（例如很大的负数），无法读取。请改正该单元格的内容后再试。", place=str(path))
    return InputError(f"工作表“{name}”无法读取（{type(exc).__name__}），文件可能已损坏。", place=str(path))


def _first_bad_row(sheet: Any, rows_wanted: int) -> int | None:
    """The first row whose conversion fails (bisection on how many rows are converted)."""
    good, bad = 0, rows_wanted
    while bad - good > 1:
        mid = (good + bad) // 2
        try:
            sheet.to_python(skip_empty_area=False, nrows=mid)
            good = mid
        except BaseException as exc:
            if not calamine_failure(exc):
                raise
            bad = mid
    return bad if bad >= 1 else None


def _with_errors(rows: list[list[Any]], errors: Mapping[tuple[int, int], str]) -> list[list[Any]]:
    for (r, c), text in errors.items():
        while len(rows) < r:
            rows.append([])
        row = rows[r - 1]
        row.extend([""] * (c - len(row)))
        row[c - 1] = text or "#错误值"
    return rows


def check_version(form: Form, cover: Grid, where: str) -> str:
    """Refuse a workbook made from another template version: its cells may mean something else.

    Returns the version found (the current one or one the spec still reads).
    """
    tpl = form.workbook
    places = layout(form)
    found = cover.cell(*places.version)
    label = cover.cell(places.version[0], places.label_col)
    if label != tpl.version_label or found is None:
        raise InputError(f"{form.metadata_sheet}!{tpl.version_cell} 没有模板版本号：这不是本程序生成的模板，"
                         f"或封面被改动。{NEW_TEMPLATE_MOVE.cli}。", place=where)
    if str(found) != tpl.version and str(found) not in tpl.reads_versions:
        readable = "、".join([tpl.version, *tpl.reads_versions])
        raise InputError(f"{form.metadata_sheet}!{tpl.version_cell}：此工作簿的模板版本为“{found}”，本程序只读取 "
                         f"{readable} 版。{CURRENT_TEMPLATE.cli}。", place=where)
    return str(found)


def layout_problems(form: Form, grids: Mapping[str, Grid], version: str | None = None) -> list[str]:
    """Every label that is not where the spec puts it, as ``sheet!cell 应为…，现为…``.

    ``version``: the workbook's template version; a part newer than it is not looked for.
    """
    return layout(form).label_problems(grids, version)


def _metadata_value(raw: Any) -> Any:
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, str):
        return raw.strip() or None
    return raw


def report_from_grids(form: Form, grids: dict[str, Grid], where: str) -> Report:
    """Check version and layout, then read metadata, values, narrative and explanations."""
    version = check_version(form, grids[form.metadata_sheet], where)
    places = layout(form)
    problems = places.label_problems(grids, version)
    if problems:
        shown = "；".join(problems[:4]) + (f"；另有{len(problems) - 4}处" if len(problems) > 4 else "")
        raise InputError(f"表格结构被改动，无法确定数字所在位置：{shown}。请不要插入、删除或移动行列，"
                         f"也不要修改标签；{NEW_TEMPLATE_MAY_MOVE.cli}。", place=where)
    values: dict[CellKey, Any] = {}
    for sheet, keys, spots in places.cells_by_sheet:
        values.update(zip(keys, grids[sheet].values(spots), strict=True))
    ledger = None
    if has_register(form, version):
        sheet = form.workbook.ledger.sheet if form.workbook.ledger else ""
        if sheet not in grids:
            raise missing_sheets([sheet], Path(where))
        ledger = read_ledger_grid(form, grids[sheet])
    cover, text = grids[form.metadata_sheet], grids[form.narrative_sheet]
    metadata = {key: _metadata_value(cover.cell(r, c)) for key, r, c in places.metadata}
    metadata = {k: v for k, v in metadata.items() if v is not None}
    narrative = {}
    for key, r, c in places.narrative:
        found = text.cell(r, c)
        if found is not None and str(found).strip():
            narrative[key] = str(found)
    return Report(form=form, metadata=metadata, values=values, narrative=narrative,
                  explanations=read_explanations(form, grids[form.workbook.results_sheet]),
                  origin="consolidation" if role(form, grids) == "consolidation" else None, ledger=ledger)


def read_ledger_grid(form: Form, grid: Grid) -> Ledger:
    """The register's rows that hold something besides a remark, as read (one row past its last is looked at).

    A row with only a remark is a note of the clerk's, not an application.
    """
    spec = form.workbook.ledger
    if spec is None:
        return Ledger()
    cols = [column_index(c.at) for c in spec.columns]
    counted = [i for i, c in enumerate(spec.columns) if c is not spec.remark]
    entries, used = [], 0
    for row in range(spec.first_row, min(spec.last_row, len(grid.rows)) + 1):
        values = tuple(grid.values([(row, c) for c in cols]))
        if any(not blank(values[i]) for i in counted):
            entries.append(Entry(row, values))
        if any(not blank(v) for v in values):
            used = row
    beyond = spec.last_row + 1
    after = grid.values([(beyond, c) for c in cols])
    return Ledger(tuple(entries), beyond if any(not blank(v) for v in after) else None, used)


def read_workbook(path: str | Path, form: Form | None = None) -> Report:
    """The report in a filled template, read in the form the workbook was made for (``workbook_form``) unless
    ``form`` is given; :class:`InputError` when it is not a readable, unaltered template.

    One read takes what every templated form's reader needs; the form is then found in what was read. One of our
    own audit results is recognised by its role field and refused as :class:`OwnOutput`.
    """
    p = Path(path)
    if form is None:
        from .workbook_form import form_in, union_areas

        wanted = union_areas(lambda f: layout(f).areas_with_sources)
        only_if = _common([layout(f).explanations for f in templated_forms()])
        grids = read_grids(p, wanted, lenient=True, only_if=only_if)
        form = form_in(grids, str(p))
    else:
        places = layout(form)
        grids = read_grids(p, places.areas_with_sources, lenient=True, only_if=places.explanations)
    areas = layout(form).areas
    if role(form, grids) == "audit":
        raise OwnOutput("这是本工具写出的审核结果，不是一份报告。", place=str(p))
    missing = [s for s in areas if s not in grids and s not in optional_sheets(form)]
    if missing and not any(s in grids for s in areas):
        raise NotTemplate(*missing_sheets(missing, p).args, place=str(p))
    if missing:
        raise missing_sheets(missing, p)
    return report_from_grids(form, grids, str(p))


def _common(wanted: Sequence[Mapping[str, tuple[int, int]]]) -> dict[str, tuple[int, int]]:
    """The ``only_if`` conditions every form states alike: a sheet whose forms look in different places is read."""
    first, *rest = wanted
    return {sheet: at for sheet, at in first.items() if all(w.get(sheet) == at for w in rest)}


def role(form: Form, grids: Mapping[str, Grid]) -> str | None:
    """What the template-info sheet says the file is (``consolidation``, ``audit``), or None.

    Files of template 1.0.0 have no role field: a consolidation of that time is known by its 汇总来源 sheet.
    """
    tpl = form.workbook
    info = grids.get(tpl.info_sheet)
    if info is None:
        return None
    found = tpl.role_of(info.cell(*layout(form).role))
    if found is None and tpl.sources.sheet in grids:
        return "consolidation"
    return None if found == "report" else found


def read_explanations(form: Form, grid: Grid) -> dict[str, str]:
    """The clerk's explanations typed next to 提示 findings on the results sheet, keyed by finding key."""
    places = layout(form)
    first, last = places.results_rows
    k, e = places.key_col - 1, places.explanation_col - 1
    out = {}
    for row in grid.rows[first - 1 : last]:
        if len(row) <= max(k, e):
            continue
        key, text = row[k], row[e]
        if isinstance(key, str) and key.strip() and text is not None and text != "" and str(text).strip():
            out[key.strip()] = str(text).strip()
    return out

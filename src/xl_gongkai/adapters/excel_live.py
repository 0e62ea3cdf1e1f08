"""A live workbook in Excel, through xlwings: read in a few bulk reads, write back in a few bulk writes.

Each round trip to Excel costs milliseconds, a cell-by-cell loop seconds. So the sheets a report
lives on are read once each (a fixed rectangle from A1, sized from the spec), everything is computed
in Python, and results go back as whole blocks. Only the subset of xlwings that its remote engine
also implements is used (values by address, alerts), so the same code is tested without Excel;
sheet protection, which only COM has, is handled behind an engine check.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from ..errors import InputError
from ..spec import Form
from ..spec.a1 import cell_address, split_cell
from .formula_guard import typed_in_excel
from .workbook_read import Grid, optional_sheets, read_extent, report_from_grids, sheets_to_read

# The options the template protects its sheets with, restored after each command's writes. UserInterfaceOnly
# is not saved with the file; nothing needs it at open: every command lifts protection around its own writes.
COM_PROTECT = {"UserInterfaceOnly": True, "AllowFormattingColumns": True, "AllowFormattingRows": True}


class LiveBook:
    """One command's view of ``xw.Book.caller()``; counts its reads and writes (the budget is asserted)."""

    def __init__(self, book: Any, form: Form | None = None) -> None:
        """``form``: the form to read the book in; by default the one the book was made for (:meth:`find_form`)."""
        self.book = book
        self.reads = 0
        self.writes = 0
        self._early: dict[str, Grid] = {}  # sheets read to find the form, taken by the first read of each
        self.form = form if form is not None else self.find_form()

    def find_form(self) -> Form:
        """The form the book was made for (``workbook_form``): its info sheet is read first — a read the report
        needs anyway, so the budget of reads stays as it was — and the cover only when that sheet names none."""
        from .workbook_form import form_in, named_form, union_areas

        info = union_areas(lambda f: {f.workbook.info_sheet: read_extent(f, f.workbook.info_sheet)})
        self._early = {name: self._read(name, area) for name, area in info.items() if self.has_sheet(name)}
        found = named_form(self._early, self.where)
        if found is not None:
            return found
        cover = union_areas(lambda f: {f.metadata_sheet: read_extent(f, f.metadata_sheet)})
        self._early |= {name: self._read(name, area) for name, area in cover.items()
                        if name not in self._early and self.has_sheet(name)}
        return form_in(self._early, self.where)

    @property
    def engine(self) -> str:
        try:
            return str(self.book.app.engine.name)
        except Exception:  # an engine without the attribute is not COM
            return "unknown"

    @property
    def where(self) -> str:
        return str(getattr(self.book, "name", "工作簿"))

    def sheet(self, name: str) -> Any:
        try:
            return self.book.sheets[name]
        except Exception:
            raise InputError(f"缺少工作表“{name}”。这不是本模板的工作簿，或工作表被删除、改名。",
                             place=self.where) from None

    def read_grid(self, name: str) -> Grid:
        early = self._early.pop(name, None)
        return early if early is not None else self._read(name, read_extent(self.form, name))

    def _read(self, name: str, extent: tuple[int, int]) -> Grid:
        rows, cols = extent
        # err_to_str: an error value (#REF!) reads as its text, which the checks report, not as a blank
        raw = self.sheet(name).range((1, 1), (rows, cols)).options(ndim=2, err_to_str=True).value
        self.reads += 1
        return Grid(name, [["" if v is None else v for v in row] for row in raw])

    def read_report(self) -> Any:
        optional = optional_sheets(self.form)
        self.grids = {name: self.read_grid(name) for name in sheets_to_read(self.form)
                      if name not in optional or self.has_sheet(name)}
        return report_from_grids(self.form, self.grids, self.where)

    def has_sheet(self, name: str) -> bool:
        """Whether the book has a sheet (a workbook of an earlier template lacks the register)."""
        try:
            self.book.sheets[name]
        except Exception:  # COM and the remote engine raise their own errors for a missing sheet
            return False
        return True

    def remembered(self, name: str, address: str | None) -> Any:
        """A cell of a sheet already read by :meth:`read_report` (no further round trip to Excel)."""
        grid = getattr(self, "grids", {}).get(name)
        return grid.at(address) if grid is not None and address else None

    def read_info(self) -> dict[str, Any]:
        tpl = self.form.workbook
        grid = self.read_grid(tpl.info_sheet)
        return {f.key: grid.at(f.cell) for f in tpl.info_fields}

    def write_block(self, sheet: str, origin: str, matrix: Sequence[Sequence[Any]]) -> None:
        self.sheet(sheet).range(origin).value = [[as_text(v) for v in row] for row in matrix]
        self.writes += 1

    def write_cells(self, edits: Mapping[str, Mapping[str, Any]]) -> None:
        """Write {sheet: {address: value}} as few rectangular blocks as the addresses allow."""
        for sheet, cells in edits.items():
            for origin, matrix in rectangles(cells):
                self.write_block(sheet, origin, matrix)

    @contextmanager
    def unprotected(self, sheets: Sequence[str]) -> Iterator[None]:
        """Lift sheet protection around our writes and put it back, also when a write fails (COM only)."""
        if self.engine != "excel":
            yield
            return
        lifted = []
        try:
            for name in sheets:
                api = self.sheet(name).api
                if api.ProtectContents:
                    try:
                        api.Unprotect()
                    except Exception:  # COM error 1004: the clerk protected the sheet with a password
                        raise InputError(
                            f"工作表“{name}”设置了密码保护，程序无法写入，操作没有执行。请在“审阅 → 撤销工作表保护”中"
                            "输入密码解除保护后再点击（模板自带的保护没有密码，不需要另设）。",
                            place=self.where) from None
                    lifted.append(api)
            yield
        finally:
            for api in lifted:
                api.Protect(**COM_PROTECT)

    def alert(self, text: str, title: str, *, critical: bool = False) -> None:
        self.book.app.alert(text, title=title, buttons="ok", mode="critical" if critical else "info")


def as_text(value: Any) -> Any:
    """A value as Excel must receive it so that text stays text (``formula_guard.typed_in_excel``)."""
    return typed_in_excel(value)


def rectangles(cells: Mapping[str, Any]) -> list[tuple[str, list[list[Any]]]]:
    """Group addresses into full rectangles: vertical runs per column, then equal runs side by side."""
    pos = {split_cell(a): v for a, v in cells.items()}
    runs: list[tuple[int, int, int]] = []  # (column, first row, last row)
    for col in sorted({c for _, c in pos}):
        rows = sorted(r for r, c in pos if c == col)
        start = prev = rows[0]
        for r in rows[1:]:
            if r != prev + 1:
                runs.append((col, start, prev))
                start = r
            prev = r
        runs.append((col, start, prev))
    blocks: list[tuple[int, int, int, int]] = []  # (first col, last col, first row, last row)
    for col, r1, r2 in runs:
        if blocks and blocks[-1][1] == col - 1 and blocks[-1][2:] == (r1, r2):
            blocks[-1] = (blocks[-1][0], col, r1, r2)
        else:
            blocks.append((col, col, r1, r2))
    out = []
    for c1, c2, r1, r2 in blocks:
        out.append((cell_address(r1, c1), [[pos[(r, c)] for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]))
    return out

"""fill: the derived totals recomputed from the inputs and written into the workbook; nothing else changes.

With ``write``, the results, the summary and the marks are written too (as the ribbon's 填充合计 does), so
that Excel and WPS show them. The report is checked once, with the new totals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.derive import derived_values
from ..core.report import Report
from ..errors import InputError
from ..fileio import Output, write_bytes_atomic
from ..spec import CellKey
from .check import Checked, run_check
from .load import Source
from .sheet_output import SheetWrites, derived_edits
from .workbook import edited, read_package, workbook_output

ACTION = "填充合计并校验"


@dataclass
class Filled:
    checked: Checked  # the report with the new totals, checked
    derived: dict[CellKey, Any]
    writes: SheetWrites  # the totals (and, with ``write``, the output blocks)
    outputs: list[Output] = field(default_factory=list)

    @property
    def blank(self) -> int:
        """Totals that cannot be computed (a term blank or not a number)."""
        return sum(1 for v in self.derived.values() if v is None)

    @property
    def written(self) -> int:
        return len(self.derived) - self.blank


def run_fill(src: Source, *, out: str | Path | None = None, write: bool = False, today: dt.date | None = None,
             previous: Report | None = None, links: bool = False) -> Filled:
    """Recompute the totals; for a workbook file, the new file for ``out`` (default: the file itself).

    The check it runs is the whole check, last year's report included (``previous``, or the one the workbook
    remembers): filling the totals must not make a cross-year 错误 disappear from the results it writes.
    """
    from ..adapters.xlsx_cells import check_values

    form = src.report.form
    derived = derived_values(src.report)
    totals = derived_edits(form, derived)
    try:
        check_values(totals)  # a total no workbook can hold is refused before anything is written, also in Excel
    except (ValueError, TypeError) as exc:
        raise InputError(f"合计无法写入：{exc}", place=str(src.path or "工作簿")) from None
    report: Report = src.report.with_values(derived)
    checked = run_check(src, report=report, previous=previous, today=today, write=write, links=links,
                        action=ACTION)
    writes = SheetWrites(totals, checked.writes.blocks if checked.writes else [])
    filled = Filled(checked, derived, writes)
    if src.is_file_workbook:
        assert src.path is not None
        target = Path(out) if out is not None else src.path
        package = edited(read_package(src.path), writes.cell_edits(form), src.path)
        if out is not None:
            package = workbook_output(package, target)
        filled.outputs = [Output(target, package, "工作簿")]
    return filled


def fill_package(path: str | Path, out: str | Path | None = None) -> tuple[bytes, Report]:
    """The workbook file with the totals filled (for ``out``), and the report with them."""
    from .load import open_source

    done = run_fill(open_source(path), out=out)
    return done.outputs[0].data, done.checked.report


def fill_file(path: str | Path, out: str | Path | None = None) -> tuple[Path, Report]:
    """:func:`fill_package`, written atomically to ``out`` or in place."""
    data, report = fill_package(path, out)
    return write_bytes_atomic(out or path, data), report

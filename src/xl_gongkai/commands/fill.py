"""fill: the derived totals recomputed from the inputs and written into the workbook; nothing else changes —
except table 三 when the workbook has a register of applications (依申请台账) with rows: then table 三 is counted
from the register, every cell of it, so that it balances by construction.

``ledger`` is a register kept elsewhere (``fill --ledger``), already checked: it replaces the workbook's register
rows, and table 三 is counted from it. With ``write``, the results, the summary and the marks are written too (as
the ribbon's 填充合计 does), so that Excel and WPS show them. The report is checked once, with the new totals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..core.derive import derived_values
from ..core.ledger import Ledger
from ..core.report import Report
from ..errors import InputError
from ..fileio import Output, write_bytes_atomic
from ..spec import CellKey
from .check import Checked, run_check
from .ledger import FromLedger, register_edits, with_ledger_table
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
    from_ledger: FromLedger | None = None  # table 三 as counted from the register, when it was
    replaced: int | None = None  # the rows of a register file that replaced the workbook's (``fill --ledger``)

    @property
    def ledger_note(self) -> str:
        """What 填充合计 did with the register, in the words every front end shows ("" without a register)."""
        head = f"依申请台账已换成台账文件中的 {self.replaced} 件申请；" if self.replaced is not None else ""
        if self.from_ledger is not None:
            d = self.from_ledger.derivation
            later = f"（另有 {len(d.later)} 件在报告年度之后收到，未计入）" if d.later else ""
            return f"{head}表三已按依申请台账填写：计入 {d.counted} 件申请{later}。"
        if self.ledger_blocked and self.checked.report.year is None:
            return f"{head}封面没有报告年度，表三没有按依申请台账填写；填写报告年度后再点“填充合计”。"
        if self.ledger_blocked:
            return (f"{head}依申请台账有无法计数的行（见校验结果中的 L 类问题），表三没有按台账填写，"
                    "仍是原来的数字；改正台账后再点“填充合计”。")
        return head

    @property
    def ledger_blocked(self) -> bool:
        """The register has rows, but table 三 was not counted from it (a row cannot be read with certainty)."""
        ledger = self.checked.report.ledger
        return self.from_ledger is None and ledger is not None and bool(ledger.entries)

    @property
    def blank(self) -> int:
        """Totals that cannot be computed (a term blank or not a number)."""
        return sum(1 for v in self.derived.values() if v is None)

    @property
    def written(self) -> int:
        return len(self.derived) - self.blank


def run_fill(src: Source, *, out: str | Path | None = None, write: bool = False, today: dt.date | None = None,
             previous: Report | None = None, links: bool = False, ledger: Ledger | None = None) -> Filled:
    """Recompute the totals (and table 三 from the register); for a workbook file, the new file for ``out``
    (default: the file itself).

    The check it runs is the whole check, last year's report included (``previous``, or the one the workbook
    remembers): filling the totals must not make a cross-year 错误 disappear from the results it writes.
    """
    from ..adapters.xlsx_cells import check_values

    form = src.report.form
    if ledger is not None and src.report.ledger is None:
        raise InputError("这个工作簿没有依申请台账表（模板 1.4.0 起才有），无法写入台账。请先用 xl-gongkai new --from "
                         "本文件 -o 新文件.xlsm 转到新模板，再对新文件使用 --ledger。", place=str(src.path or "工作簿"))
    base = src.report if ledger is None else replace(src.report, ledger=ledger)
    from_ledger = with_ledger_table(base, today=today)
    counted = from_ledger.report if from_ledger is not None else base
    derived = derived_values(counted)
    totals = derived_edits(form, derived)
    if from_ledger is not None:
        for key, v in from_ledger.changed.items():
            cell = form.cell(key)
            totals.setdefault(cell.sheet, {})[cell.address] = v
    if ledger is not None:
        for sheet, cells in register_edits(form, ledger, clear=src.report.ledger).items():
            totals.setdefault(sheet, {}).update(cells)
    try:
        check_values(totals)  # a total no workbook can hold is refused before anything is written, also in Excel
    except (ValueError, TypeError) as exc:
        raise InputError(f"合计无法写入：{exc}", place=str(src.path or "工作簿")) from None
    report: Report = counted.with_values(derived)
    checked = run_check(src, report=report, previous=previous, today=today, write=write, links=links,
                        action=ACTION)
    writes = SheetWrites(totals, checked.writes.blocks if checked.writes else [])
    filled = Filled(checked, derived, writes, from_ledger=from_ledger,
                    replaced=len(ledger) if ledger is not None else None)
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

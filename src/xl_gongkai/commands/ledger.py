"""The register of applications in the commands: an office's own register file read and checked, and the cells of
the register sheet written.

A register kept elsewhere (``new --ledger``, ``fill --ledger``) is refused — nothing is written — while any row of it
cannot be counted with certainty: the office fixes it where it keeps it, since the next import would bring the same
row back. The refusal names the file, the row and the column as the file has them, for every problem (up to
:data:`MAX_SHOWN`). What is accepted goes into the register sheet in the template's own words: the official labels,
real dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.derive import derived_values
from ..core.ledger import (
    Derivation,
    Entry,
    Ledger,
    as_day,
    choice_key,
    derivation,
    options,
    placed,
    read_ledger,
    roll_over,
)
from ..core.report import Report
from ..errors import InputError
from ..spec import CellKey, Form, LedgerSheet

MAX_SHOWN = 10  # problems of a register file listed in one refusal
EXCEL_EPOCH = dt.date(1899, 12, 30)  # day 0 of Excel's 1900 date system (as every reader counts it)


def load_ledger(path: str | Path, form: Form, *, today: dt.date | None = None) -> Ledger:
    """An office's register file, checked, in the template's words and placed on the register sheet."""
    from ..adapters.ledger_file import read_ledger_file

    spec = _spec(form)
    found = read_ledger_file(path, form)
    if len(found.ledger) > spec.max_rows:
        raise InputError(f"台账有 {len(found.ledger)} 件申请，模板的“{spec.sheet}”表最多 {spec.max_rows} 件，"
                         "未写出任何文件。", place=str(path))
    reading = read_ledger(form, found.ledger, today=today or dt.date.today())
    if reading.problems:
        lines = [f"  {found.where(p.row, p.column)}：{p.reason}" for p in reading.problems[:MAX_SHOWN]]
        more = len(reading.problems) - MAX_SHOWN
        if more > 0:
            lines.append(f"  ……另有 {more} 处。")
        raise InputError(f"台账有 {len(reading.problems)} 处无法计数，未写出任何文件。请在台账文件中改正后再试：\n"
                         + "\n".join(lines), place=str(path))
    return placed(form, [_canonical(form, spec, e) for e in found.ledger.entries])


def _spec(form: Form) -> LedgerSheet:
    ledger = form.template.ledger if form.template is not None else None
    if ledger is None:
        raise InputError(f"这份报告采用{form.title}，没有依申请台账。")
    return ledger


def _canonical(form: Form, spec: LedgerSheet, entry: Entry) -> Entry:
    """A row in the template's words: real dates, the official labels; the case number and remark as they are."""
    opts = options(form)
    out: list[Any] = []
    for column, raw in zip(spec.columns, entry.values, strict=True):
        if column in spec.dates:
            out.append(as_day(raw) if raw is not None else None)
        elif column is spec.applicant:
            out.append(opts.applicant_label[choice_key(form, raw, outcome=False) or ""])
        elif column is spec.outcome:
            key = choice_key(form, raw, outcome=True) if raw is not None else None
            out.append(opts.outcome_label[key] if key else None)
        else:
            out.append(raw)
    return Entry(entry.row, tuple(out))


def register_edits(form: Form, ledger: Ledger, *, clear: Ledger | None = None) -> dict[str, dict[str, Any]]:
    """The register sheet's cells for ``ledger``: its rows, and blanks over the rows ``clear`` used beyond them."""
    spec = _spec(form)
    cells: dict[str, Any] = {}
    for entry in ledger.entries:
        for column, raw in zip(spec.columns, entry.values, strict=True):
            cells[f"{column.at}{entry.row}"] = _cell_value(raw)
    if clear is not None:
        last = max([e.row for e in clear.entries] + [clear.used])
        for row in range(spec.first_row + len(ledger.entries), last + 1):
            for column in spec.columns:
                cells[f"{column.at}{row}"] = None
    return {spec.sheet: cells}


def _cell_value(raw: Any) -> Any:
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if isinstance(raw, dt.date):
        return (raw - EXCEL_EPOCH).days  # a date serial: the column's date format shows and reads it as a date
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    return raw


@dataclass(frozen=True)
class FromLedger:
    """Table 三 as the register gives it: the report with it (and its totals), and what was counted."""

    report: Report
    derivation: Derivation
    changed: Mapping[CellKey, Any]  # every table 三 cell, inputs and totals


def with_ledger_table(report: Report, *, today: dt.date | None = None) -> FromLedger | None:
    """The report with table 三 counted from its register, when the register has rows that all read with
    certainty and the year is known; None otherwise (table 三 stays as stated)."""
    done = derivation(report.form, report.ledger, report.year, today=today or dt.date.today())
    if done is None:
        return None
    counted = report.with_values(done.values)
    spec = _spec(report.form)
    totals = {k: v for k, v in derived_values(counted).items() if k.table == spec.table}
    return FromLedger(counted.with_values(totals), done, {**done.values, **totals})


def carried_register(previous: Report, year: int | None) -> Ledger | None:
    """Next year's register from last year's (``new --previous``): the rows not finished by the end of last year,
    so that next year's 上年结转 is counted from the same rows; None when last year's report has no register rows."""
    ledger = previous.ledger
    if ledger is None or not ledger.entries or year is None or previous.form.template is None:
        return None
    return roll_over(previous.form, ledger, year - 1)

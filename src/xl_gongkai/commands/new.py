"""new: a workbook to fill — blank for an agency and year, filled from a report (``--from``), or next year's
from last year's (``--previous``) — with an office's own register of applications (``--ledger``) when given.

The one path of ``new`` for the command line; the web page's blank workbook is the plain case. The workbook is
returned as an output, not written: the front end commits it (never over an input).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..core.ledger import Ledger
from ..core.report import Report
from ..fileio import Output
from ..spec import current_form
from .workbook import new_package


@dataclass
class Made:
    """A new workbook and what it was made from, for the sentence the front end says about it."""

    output: Output
    report: Report | None  # next year's report (``--previous``), or the report filled in (``--from``)
    previous: bool = False  # started from last year's report
    renamed: bool = False  # the agency was renamed at the rollover (``--agency`` with ``--previous``)
    narrative: bool = False  # last year's text was carried as a draft
    ledger: Ledger | None = None  # the register written into the workbook (given, or carried from last year)
    counted: bool = False  # table 三 was counted from ``ledger`` (there is a report year)


def run_new(out: str | Path, *, agency: str | None = None, year: int | None = None, source: str | Path | None = None,
            previous: str | Path | None = None, narrative: bool = False, ledger: str | Path | None = None,
            today: dt.date | None = None) -> Made:
    """The workbook for ``out``. ``previous`` excludes ``source`` and ``ledger`` (the front end says so)."""
    target = Path(out)
    if previous is not None:
        from .next_year import new_from_previous

        data, report = new_from_previous(previous, target, year=year, narrative=narrative, today=today,
                                         agency=agency)
        return Made(Output(target, data, "工作簿"), report, previous=True, renamed=agency is not None,
                    narrative=narrative, ledger=report.ledger, counted=True)
    filled = None
    if source is not None:
        from .load import open_source

        filled = open_source(source).report
    register = None
    if ledger is not None:
        from .ledger import load_ledger

        register = load_ledger(ledger, filled.form if filled else current_form(), today=today)
    data = new_package(target, agency=agency, year=year, source=filled, today=today, ledger=register)
    counted = bool(year or (filled.year if filled else None))
    return Made(Output(target, data, "工作簿"), filled, ledger=register, counted=counted)

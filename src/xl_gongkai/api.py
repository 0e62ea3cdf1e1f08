"""The Python API: what an analyst or a script calls, in one module (docs/api.md shows each function at work).

A front end like the command line: every function here calls the command that does the job and returns what
that command returns — the same typed results (:class:`Source`, :class:`Checked`, :class:`AuditResult`), the
same findings with their Chinese messages, the same refusals (:class:`InputError` and its kinds, whose text
names the place and says what to do). Nothing here is a second way of reading or checking a report.

``values_frame`` and ``findings_frame`` give pandas frames and need the ``analysis`` extra
(``pip install "xl-gongkai[analysis]"``). The clerk's install has no pandas or numpy — xlwings imports them on
every click in Excel when they are installed — so this module imports pandas only inside those two functions,
and without it they say in Chinese which extra to install.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from .commands.audit import AuditResult, write_outputs
from .commands.check import Checked, run_check
from .commands.load import Source, open_source
from .core.findings import Finding, Validation
from .core.payload import json_value
from .core.report import Report
from .errors import InputError, OutputError, Refused
from .spec import CellKey, Form, Severity, load_form

if TYPE_CHECKING:
    import pandas

__all__ = [
    "VALUE_COLUMNS", "AuditResult", "CellKey", "Checked", "Finding", "Form", "InputError", "OutputError",
    "Refused", "Report", "Severity", "Source", "Validation", "Value", "audit", "check", "findings_frame",
    "load_form", "read", "values", "values_frame", "write_audit",
]

Paths = str | Path | Iterable[str | Path]

# the columns of values_frame, one row per cell a report gives a value for (tidy long form)
VALUE_COLUMNS = ("source", "agency", "year", "form", "table", "row", "column", "key", "label", "value", "text")
# the columns of findings_frame: the audit's 问题清单, its file column named as in values_frame
FINDING_FRAME_COLUMNS = ("source", "agency", "year", "rule", "severity", "message", "sheet", "cell", "table", "row",
                         "column", "explanation")
EXTRA = "pip install \"xl-gongkai[analysis]\""


class Value(NamedTuple):
    """One value of a report: where it sits (keys), its heading (``表三 一、本年新收 自然人``), and what it holds —
    ``value`` the number, or ``text`` what a cell holds that is not one (a draft's “不详”)."""

    table: str
    row: str
    column: str
    key: str
    label: str
    value: int | float | None
    text: str | None


def read(path: str | Path) -> Source:
    """Read one file of any supported kind — a workbook, a payload or report document (JSON), a published report
    (text or HTML) — into a :class:`Source`: ``.report`` (a :class:`Report`), ``.kind``, and ``.findings``, what
    reading found (the import's findings of a published report). :class:`InputError` when it cannot be read."""
    return open_source(path)


def check(report: Report | Source | str | Path, *,
          previous: Report | Source | str | Path | None = None,
          today: dt.date | None = None) -> Checked:
    """Check a report (or a :class:`Source`, or the file at a path) against every rule: a :class:`Checked`, whose
    ``.validation.findings`` are the rules' findings and ``.shown`` what reading found as well. ``previous``:
    last year's report, for the cross-year rules (X…). ``today`` fixes the date the date rules compare with."""
    source = _source(report)
    prior = None if previous is None else _source(previous).report
    return run_check(source, previous=prior, today=today)


def audit(folder: str | Path, *, jobs: int | None = None, today: dt.date | None = None,
          only: Iterable[str | Path] | None = None) -> AuditResult:
    """Audit a folder, as ``xl-gongkai audit`` does: every file accounted for, in parallel (``jobs`` processes,
    default one per core). ``only``: these files and folders of it instead of all. The :class:`AuditResult` is
    kept on disk: ``.files`` / ``.findings`` read it all back, ``.rows()`` and ``.reports()`` stream it; close it
    (or use ``with``) to remove it."""
    from .commands.audit import run_audit

    return run_audit(folder, jobs=jobs, today=today, only=only)


def write_audit(result: AuditResult, xlsx: str | Path | None = None,
                csv: str | Path | None = None) -> list[Path]:
    """Write an audit's results workbook (审核结果.xlsx: 概览, 问题清单, 报告清单, 数据) and/or its CSV files, all or
    none; the paths written."""
    return write_outputs(result, Path(xlsx) if xlsx is not None else None, Path(csv) if csv is not None else None)


def values(report: Report) -> list[Value]:
    """Every cell of the report's form that holds something, in the form's order (a blank cell has no row)."""
    return list(_values(report.form, [json_value(report.values.get(c.key)) for c in report.form.cells]))


def _values(form: Form, held: list[Any]) -> Iterator[Value]:
    """The cells of ``form`` that hold something, from its values in cell order as a payload holds them."""
    for cell, v in zip(form.cells, held, strict=True):
        if v is None:
            continue
        number = v if isinstance(v, (int, float)) and not isinstance(v, bool) else None
        k = cell.key
        yield Value(k.table, k.row, k.column, str(k), cell.heading, number, None if number is not None else str(v))


def values_frame(paths: Paths | AuditResult, *, jobs: int | None = None,
                 today: dt.date | None = None) -> pandas.DataFrame:
    """Every value of every report of ``paths`` — a folder, a file, a list of them, or an :class:`AuditResult` —
    as one tidy table: a row per cell a report gives a value for, columns :data:`VALUE_COLUMNS` (``value`` the
    number, ``text`` what a cell holds that is not one). The files are read as ``audit`` reads them; what cannot
    be read has no rows (``findings_frame`` has its F1)."""
    pd = _pandas("values_frame")
    with _audited(paths, jobs, today) as result:
        records = [(row["file"], row["agency"], row["year"] if row["year"] != "" else None, form_id, *v)
                   for row, form_id, held in result.reports() for v in _values(load_form(form_id), held)]
    frame = pd.DataFrame.from_records(records, columns=list(VALUE_COLUMNS))
    return frame.astype({"year": "Int64", "value": "float64"})


def findings_frame(paths: Paths | AuditResult, *, jobs: int | None = None,
                   today: dt.date | None = None) -> pandas.DataFrame:
    """Every finding of an audit of ``paths`` (as :func:`values_frame`) as one table: the audit's 问题清单, one row
    per finding, columns ``FINDING_FRAME_COLUMNS`` (the files that cannot be read are there, as F1)."""
    pd = _pandas("findings_frame")
    keys = ("file", *FINDING_FRAME_COLUMNS[1:])
    with _audited(paths, jobs, today) as result:
        records = [tuple(f[k] if not (k == "year" and f[k] == "") else None for k in keys)
                   for _, found in result.rows() for f in found]
    frame = pd.DataFrame.from_records(records, columns=list(FINDING_FRAME_COLUMNS))
    return frame.astype({"year": "Int64"})


def _pandas(what: str) -> Any:
    try:
        import pandas
    except ImportError:
        raise ImportError(f"{what} 需要 pandas，它不在基本安装中（填报人员的安装不带 pandas）。"
                          f"请安装分析扩展：{EXTRA}") from None
    return pandas


class _audited:
    """An audit of ``paths`` closed after use, or a given :class:`AuditResult` left open for its owner."""

    def __init__(self, paths: Paths | AuditResult, jobs: int | None, today: dt.date | None) -> None:
        self.given = paths if isinstance(paths, AuditResult) else None
        self.paths = paths
        self.jobs, self.today = jobs, today
        self.result: AuditResult | None = None

    def __enter__(self) -> AuditResult:
        if self.given is not None:
            return self.given
        folder, only = _folder_of(self.paths)  # type: ignore[arg-type]
        self.result = audit(folder, jobs=self.jobs, today=self.today, only=only)
        return self.result

    def __exit__(self, *exc: object) -> None:
        if self.result is not None:
            self.result.close()


def _folder_of(paths: Paths) -> tuple[Path, list[Path] | None]:
    """The folder an audit of ``paths`` runs in, and the paths themselves (None: the whole folder)."""
    if isinstance(paths, (str, Path)):
        path = Path(paths)
        if path.is_dir():
            return path, None
        return path.absolute().parent, [path.absolute()]
    items = [Path(p).absolute() for p in paths]
    if not items:
        raise InputError("没有给出要读取的文件或文件夹。")
    common = Path(os.path.commonpath(items))
    return (common if common.is_dir() else common.parent), items


def _source(given: Report | Source | str | Path) -> Source:
    if isinstance(given, Source):
        return given
    if isinstance(given, Report):
        return Source.of(given)
    return open_source(given)

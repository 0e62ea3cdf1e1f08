"""Workbook files: a new filled copy of the template, and filling derived totals into a clerk's file.

Both edit the package surgically (``adapters.xlsx_cells``): the VBA project, the ribbon, protection,
validations and every cell we do not own stay byte for byte as they were.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Any

from ..core.derive import derived_values
from ..core.report import Report
from ..core.rules import check
from ..core.summary import summarize
from ..errors import InputError
from ..fileio import write_bytes_atomic
from ..spec import Form, load_form
from .sheet_output import outputs


def template_bytes(form: Form | None = None) -> bytes:
    """The template, built from the spec (identical to the committed ``workbook/template.xlsm``)."""
    return _template((form or load_form()).id)


@functools.cache
def _template(form_id: str) -> bytes:
    from ..build.template import build_template

    return build_template(load_form(form_id))


def _cell_value(raw: Any) -> Any:
    if isinstance(raw, dt.date):
        return raw.isoformat()
    if isinstance(raw, bool):
        return str(raw)
    return raw


def input_edits(report: Report) -> dict[str, dict[str, Any]]:
    """Metadata, narrative and every value of a report, as {sheet: {address: value}}."""
    form = report.form
    edits: dict[str, dict[str, Any]] = {}
    meta = edits.setdefault(form.metadata_sheet, {})
    for f in form.metadata_fields:
        value = report.metadata.get(f.key)
        if value is not None:
            meta[f.cell] = _cell_value(value)
    text = edits.setdefault(form.narrative_sheet, {})
    for s in form.text_parts:
        if s.text_cell and report.narrative.get(s.key):
            text[s.text_cell] = report.narrative[s.key]
    for cell in form.cells:
        value = report.values.get(cell.key)
        if value is not None:
            edits.setdefault(cell.sheet, {})[cell.address] = _cell_value(value)
    return edits


def new_workbook(out: str | Path, *, agency: str | None = None, year: int | None = None,
                 source: Report | None = None, today: dt.date | None = None) -> Path:
    """A copy of the template, with the metadata given, or filled from a report (``new --from``).

    When filled from a report, the derived totals are computed, and the report is checked so that the
    results sheet carries its findings and the clerk's explanations (keyed, so they survive a round trip).
    """
    from ..adapters.xlsx_cells import set_cells

    form = source.form if source else load_form()
    if form.template is None:  # gov-2019: read, checked and exported, but there is no workbook for it
        raise InputError(f"这份报告采用{form.title}，工作簿模板只适用于2021年格式，无法生成工作簿；"
                         "请改用 JSON 数据包。")
    report = source or Report(form=form, metadata={}, values={})
    metadata = dict(report.metadata)
    if agency:
        metadata["agency"] = agency
    if year:
        metadata["year"] = year
    report = Report(form, metadata, report.values, report.narrative, report.explanations)
    edits = input_edits(report)
    if source is not None:
        filled = report.with_values({k: v for k, v in derived_values(report).items() if v is not None})
        for cell in form.derived_cells():
            value = filled.values.get(cell.key)
            if value is not None:
                edits.setdefault(cell.sheet, {})[cell.address] = value
        v = check(filled, today=today)
        for sheet, cells in outputs(form, filled, v, summarize(filled), links=False).items():
            edits.setdefault(sheet, {}).update(cells)
    try:
        package = set_cells(template_bytes(form), edits)
    except (ValueError, TypeError) as exc:  # a value the workbook cannot hold (beyond ±2^53, over 32 767 characters)
        raise InputError(f"无法写入工作簿：{exc}", place=str(out)) from None
    return write_bytes_atomic(out, package)


def fill_file(path: str | Path, out: str | Path | None = None) -> tuple[Path, Report]:
    """Write the recomputed derived totals into a workbook file; every other cell stays as it was."""
    from ..adapters.workbook_read import read_workbook
    from ..adapters.xlsx_cells import WorkbookFormatError, set_cells

    src = Path(path)
    report = read_workbook(src)
    derived = derived_values(report)
    edits: dict[str, dict[str, Any]] = {}
    for cell in report.form.derived_cells():
        edits.setdefault(cell.sheet, {})[cell.address] = derived[cell.key]
    try:
        new_bytes = set_cells(src.read_bytes(), edits)
    except WorkbookFormatError as exc:
        raise InputError(str(exc), place=str(src)) from None
    except (ValueError, TypeError) as exc:  # a total beyond what Excel holds exactly (inputs of 10^16 and more)
        raise InputError(f"合计无法写入：{exc}", place=str(src)) from None
    target = write_bytes_atomic(out or src, new_bytes)
    return target, report.with_values(derived)

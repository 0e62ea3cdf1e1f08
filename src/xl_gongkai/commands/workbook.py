"""Workbook files: a new filled copy of the template, and filling derived totals into a clerk's file.

Both edit the package surgically (``adapters.xlsx_cells``): the VBA project, the ribbon, protection,
validations and every cell we do not own stay byte for byte as they were.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..core.derive import derived_values
from ..core.ledger import Ledger
from ..core.report import Report
from ..core.rules import check
from ..core.summary import summarize
from ..errors import InputError, OutputError
from ..fileio import read_input, write_bytes_atomic
from ..spec import Form, current_form, form_home, templated_forms
from .sheet_output import derived_edits, outputs

TEMPLATES = "templates"  # package data: the built templates, rebuilt only by `make template` (see build/)


def template_bytes(form: Form, *, consolidation: bool = False) -> bytes:
    """The built template of ``form`` shipped in the package (equal to a fresh build: a test compares them), or,
    for a form registered from a file (``spec.register_form``), the one built beside that file.

    ``consolidation``: the variant with the empty 汇总来源 sheet that ``consolidate`` fills.
    """
    home = form_home(form.id)
    if home is not None:
        return read_input(home / template_file(form.id, consolidation=consolidation), cap=MAX_WORKBOOK_BYTES,
                          too_big="模板文件有 {mb} MB，超过 50 MB 的上限，未读取。")
    return _template(form.id, consolidation)


@functools.cache
def _template(form_id: str, consolidation: bool) -> bytes:
    from importlib import resources

    name = template_file(form_id, consolidation=consolidation)
    return resources.files("xl_gongkai").joinpath(TEMPLATES).joinpath(name).read_bytes()


def templated_titles() -> str:
    """The formats that have a workbook template, as a clerk reads them (“2021年格式”)."""
    return "、".join(f.short_title for f in templated_forms())


def template_file(form_id: str, *, consolidation: bool = False) -> str:
    return f"{form_id}-consolidation.xlsm" if consolidation else f"{form_id}.xlsm"


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
    if report.ledger is not None and report.ledger.entries:
        from .ledger import register_edits

        for sheet, cells in register_edits(form, report.ledger).items():
            edits.setdefault(sheet, {}).update(cells)
    if report.origin is not None and form.template is not None:  # a consolidation stays known as one
        tpl = form.template
        edits.setdefault(tpl.info_sheet, {})[tpl.info("role").cell] = tpl.roles[report.origin]
    return edits


def workbook_output(package: bytes, target: str | Path, *, macros: bool | None = None) -> bytes:
    """The package as the target's name says: ``.xlsm`` with the macros, ``.xlsx`` without them.

    ``macros`` says whether the package carries a VBA project (looked at when not given). A macro-free
    source cannot become an ``.xlsm`` (its buttons would do nothing): that is refused, naming the suffix.
    """
    from ..adapters.formats import WORKBOOK_OUT, wants_macros
    from ..adapters.xlsx_cells import has_macros, strip_macros

    path = WORKBOOK_OUT.check(target)
    carries = has_macros(package) if macros is None else macros
    if wants_macros(path):
        if not carries:
            raise OutputError(f"源工作簿不含宏（.xlsx），另存为“{path.name}”（.xlsm）会得到按钮不能用的文件；"
                              f"请改用“{path.with_suffix('.xlsx').name}”。", place=str(path))
        return package
    return strip_macros(package) if carries else package


def new_package(out: str | Path, *, agency: str | None = None, year: int | None = None,
                source: Report | None = None, today: dt.date | None = None, ledger: Ledger | None = None) -> bytes:
    """A copy of the template, with the metadata given, or filled from a report (``new --from``).

    When filled from a report, the derived totals are computed, and the report is checked so that the
    results sheet carries its findings and the clerk's explanations (keyed, so they survive a round trip).
    A source's register is carried as it is. ``ledger`` (``new --ledger``, or next year's register from last
    year's) becomes the register, and table 三 is counted from it when every row reads with certainty.
    The bytes are for ``out``: with or without the macros, as its suffix says.
    """
    form = source.form if source else current_form()  # a blank workbook: the form new workbooks are made in
    if form.template is None:  # gov-2019: read, checked and exported, but there is no workbook for it
        raise InputError(f"这份报告采用{form.title}，工作簿模板只适用于{templated_titles()}，无法生成工作簿；"
                         "请改用 JSON 数据包。")
    report = source or Report(form=form, metadata={}, values={})
    metadata = dict(report.metadata)
    if agency:
        metadata["agency"] = agency
    if year:
        metadata["year"] = year
    report = replace(report, metadata=metadata)
    if ledger is not None:
        from .ledger import with_ledger_table

        report = replace(report, ledger=ledger)
        counted = with_ledger_table(report, today=today)
        report = counted.report if counted is not None else report
    edits = input_edits(report)
    if source is not None or ledger is not None:
        computed = {k: v for k, v in derived_values(report).items() if v is not None}
        filled = report.with_values(computed)
        for sheet, cells in derived_edits(form, computed, only_given=True).items():
            edits.setdefault(sheet, {}).update(cells)
        v = check(filled, today=today)
        for sheet, cells in outputs(form, filled, v, summarize(filled), links=False).items():
            edits.setdefault(sheet, {}).update(cells)
    # a 汇总 stays a 汇总 (``new --previous`` of last year's consolidation): its template has the 汇总来源 sheet
    template = template_bytes(form, consolidation=report.origin == "consolidation")
    return workbook_output(edited(template, edits, out), out, macros=True)


def new_workbook(out: str | Path, *, agency: str | None = None, year: int | None = None,
                 source: Report | None = None, today: dt.date | None = None, ledger: Ledger | None = None) -> Path:
    """:func:`new_package`, written to ``out`` atomically."""
    return write_bytes_atomic(out, new_package(out, agency=agency, year=year, source=source, today=today,
                                               ledger=ledger))


MAX_WORKBOOK_BYTES = 50 * 1024 * 1024  # as the reader's cap: a filled template is about 60 KB


def read_package(path: str | Path) -> bytes:
    """A workbook file's bytes, to be edited (bounded while read)."""
    return read_input(path, cap=MAX_WORKBOOK_BYTES,
                      too_big="文件有 {mb} MB，超过 50 MB 的上限，不是本模板的工作簿，未处理。")


def edited(package: bytes, edits: dict[str, dict[str, Any]], where: str | Path) -> bytes:
    """``set_cells`` with its refusals as the user's situation: a damaged file, a value no workbook can hold."""
    from ..adapters.xlsx_cells import WorkbookFormatError, set_cells

    try:
        return set_cells(package, edits)
    except WorkbookFormatError as exc:
        raise InputError(str(exc), place=str(where)) from None
    except (ValueError, TypeError) as exc:  # beyond ±2^53, over 32 767 characters
        raise InputError(f"无法写入工作簿：{exc}", place=str(where)) from None

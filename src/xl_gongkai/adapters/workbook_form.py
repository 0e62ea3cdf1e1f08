"""Which form a workbook was made for, read from the workbook itself.

Every template records its form on its template-info sheet (格式标识, from template 1.0.0 on) and its template
version on the cover. A workbook is read in the form it names: the day a revised national format becomes the
one new workbooks are made in, every workbook of the earlier format is still read, checked and filled in its
own. Where the info sheet does not say (deleted, or its cell emptied), the template version on the cover
decides, when exactly one form's template has that version. Where neither says, the workbook is taken as one
of the current form, whose reader then says what is wrong with it (no template version, a sheet missing).

A form id that names no form this program knows, or a form without a workbook template, is refused: its
cells cannot be found.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..advice import CURRENT_TEMPLATE
from ..errors import InputError
from ..spec import Form, known_forms, load_form, templated_forms
from ..spec.a1 import column_index, split_cell
from .workbook_layout import layout

__all__ = ["form_in", "form_of", "identifying_areas", "named_form", "union_areas"]

FORM_ID_FIELD = "form_id"  # the template-info field that names the form (spec: template.info.fields)


def form_of(path: str | Path) -> Form:
    """The form a workbook file was made for (one small read of its info sheet and cover)."""
    from .workbook_read import read_grids

    p = Path(path)
    return form_in(read_grids(p, identifying_areas(), lenient=True), str(p))


def identifying_areas() -> dict[str, tuple[int, int]]:
    """Where any templated form records its id and template version: (rows, columns) from A1 of each sheet."""
    areas: dict[str, tuple[int, int]] = {}
    for form in templated_forms():
        tpl = form.workbook
        row, col = split_cell(tpl.info(FORM_ID_FIELD).cell)
        _widen(areas, tpl.info_sheet, row, col)
        row, col = split_cell(tpl.version_cell)
        _widen(areas, form.metadata_sheet, row, max(col, column_index(tpl.cover_label_column)))
    return areas


def union_areas(areas: Callable[[Form], Mapping[str, tuple[int, int]]]) -> dict[str, tuple[int, int]]:
    """``areas(form)`` of every templated form in one (the widest of each sheet): what one read of a workbook
    must take before its form is known. With one templated form, that form's own areas."""
    out: dict[str, tuple[int, int]] = {}
    for form in templated_forms():
        for sheet, (rows, cols) in areas(form).items():
            _widen(out, sheet, rows, cols)
    return out


def _widen(areas: dict[str, tuple[int, int]], sheet: str, rows: int, cols: int) -> None:
    had = areas.get(sheet, (0, 0))
    areas[sheet] = (max(had[0], rows), max(had[1], cols))


def form_in(grids: Mapping[str, Any], where: str) -> Form:
    """``grids``: sheets read from a file or a live book (anything with ``cell(row, column)``).

    The form named by the info sheet among ``grids``, else by the cover's template version, else the current
    form (whose reader then refuses what is no workbook of a template, in its own words)."""
    named = named_form(grids, where)
    if named is not None:
        return named
    forms = templated_forms()
    by_version = _by_version(forms, grids)
    if len(by_version) > 1:
        shown = "、".join(f.short_title for f in by_version)
        raise InputError(f"模板信息表中没有格式标识，而封面的模板版本同时属于{shown}，无法确定按哪种格式读取。"
                         f"{CURRENT_TEMPLATE.cli}。", place=where)
    return by_version[0] if by_version else forms[0]


def named_form(grids: Mapping[str, Any], where: str) -> Form | None:
    """The form the info sheet names, or None when it names none (no info sheet, an empty cell); a name that is
    no form with a template is refused."""
    found = _named_id(templated_forms(), grids)
    return _known(found, where) if found is not None else None


def _named_id(forms: list[Form], grids: Mapping[str, Any]) -> str | None:
    """The form id the info sheet holds (the first templated form's place that holds text), or None."""
    for form in forms:
        tpl = form.workbook
        sheet = grids.get(tpl.info_sheet)
        if sheet is None:
            continue
        value = sheet.cell(*split_cell(tpl.info(FORM_ID_FIELD).cell))
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _known(form_id: str, where: str) -> Form:
    if form_id not in known_forms():
        raise InputError(f"此工作簿按“{form_id}”格式制作（见“模板信息”表），本程序不认识这种格式，"
                         "无法确定数字所在位置。请安装最新版本的 xl_gongkai 后再试。", place=where)
    form = load_form(form_id)
    if form.template is None:
        raise InputError(f"此工作簿的“模板信息”表写明采用{form.title}，这种格式没有工作簿模板，无法确定数字所在位置。"
                         f"{CURRENT_TEMPLATE.cli}。", place=where)
    return form


def _by_version(forms: list[Form], grids: Mapping[str, Any]) -> list[Form]:
    """The templated forms whose template has the version the cover states (next to its label)."""
    out = []
    for form in forms:
        tpl, places = form.workbook, layout(form)
        cover = grids.get(form.metadata_sheet)
        if cover is None or cover.cell(places.version[0], places.label_col) != tpl.version_label:
            continue
        found = cover.cell(*places.version)
        if found is not None and str(found) in (tpl.version, *tpl.reads_versions):
            out.append(form)
    return out

"""Where a report lies in a workbook of the template: every place the reader looks, worked out once per form.

The reader looks at a few hundred places in every file (the version, every printed label, the values, the
metadata, the narrative, the explanations). Turning their A1 addresses into row and column numbers, and
the official labels into their normalised forms, once per form instead of once per file keeps reading a
workbook close to the cost of python-calamine itself. Nothing here is new geometry: it is all the spec's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ..spec import CellKey, Form
from ..spec.a1 import column_index, split_cell

_MEMO_SIZE = 4096  # label texts remembered with their verdict: a folder of files repeats the same few hundred
_PASSED_SIZE = 16  # whole files' label texts remembered as right: one or two per template version in practice


class _Sheet(Protocol):
    def cell(self, row: int, col: int) -> Any: ...

    def values(self, places: Sequence[tuple[int, int]]) -> list[Any]: ...


@dataclass(frozen=True)
class LabelCheck:
    """One printed label: where it stands, the official text, and what a label there may read."""

    sheet: str
    address: str
    row: int
    col: int
    official: str
    accepted: frozenset[str]  # the official text and its known variants, normalised
    prefix: str | None  # for a longer label that must start with the official text (the cover's “（必填）”)
    since: tuple[int, ...] | None = None  # the first template version that prints it (older ones lack it)


class Layout:
    """Rows and columns (1-based) of everything the reader takes from a workbook of ``form``'s template."""

    def __init__(self, form: Form) -> None:
        tpl = form.template
        if tpl is None:
            raise KeyError(f"form {form.id} has no template")
        self.form = form
        self.version = split_cell(tpl.version_cell)
        self.label_col = column_index(tpl.cover_label_column)
        labels = []
        for t in form.tables:
            for lab in t.labels:
                labels.append(self._label(t.sheet, lab.anchor, lab.text, lab.synonyms, prefix=False))
        for f in form.metadata_fields:
            address = f"{tpl.cover_label_column}{split_cell(f.cell)[0]}"
            labels.append(self._label(form.metadata_sheet, address, f.label, (), prefix=True))
        for s in form.text_parts:
            if s.heading_cell:
                labels.append(self._label(form.narrative_sheet, s.heading_cell, s.heading, s.synonyms, prefix=False,
                                          since=s.since))
        self.labels = tuple(labels)
        by_sheet: dict[str, tuple[list[CellKey], list[tuple[int, int]]]] = {}
        for c in form.cells:  # in the form's order: its tables one after the other, each on its own sheet
            keys, spots = by_sheet.setdefault(c.sheet, ([], []))
            keys.append(c.key)
            spots.append(split_cell(c.address))
        self.cells_by_sheet = tuple((sheet, tuple(k), tuple(s)) for sheet, (k, s) in by_sheet.items())
        self.metadata = tuple((f.key, *split_cell(f.cell)) for f in form.metadata_fields)
        self.narrative = tuple((s.key, *split_cell(s.text_cell)) for s in form.text_parts if s.text_cell)
        self.results_rows = (tpl.results_first_row, tpl.results_first_row + tpl.results_max_rows - 1)
        self.key_col = column_index(tpl.results_column("key").at)
        self.explanation_col = column_index(tpl.results_column("explanation").at)
        # where the clerk's explanations would be: the results sheet is read only when something is there
        self.explanations = {tpl.results_sheet: (self.explanation_col, self.results_rows[0])}
        self.role = split_cell(tpl.info("role").cell)
        self.areas = {sheet: read_extent(form, sheet) for sheet in sheets_to_read(form)}
        # 汇总来源 too, when a file has it: only its presence matters (a consolidation of template 1.0.0)
        self.areas_with_sources = {**self.areas, tpl.sources.sheet: (1, 1)}
        self.label_sheets = tuple(dict.fromkeys(check.sheet for check in self.labels))
        self.label_spots = tuple(tuple((c.row, c.col) for c in self.labels if c.sheet == sheet)
                                 for sheet in self.label_sheets)
        self._passed: set[tuple[Any, ...]] = set()  # (version, label texts) of whole files found right
        self._norm = form.normalize
        self._memo: dict[tuple[int, str], bool] = {}

    def _label(self, sheet: str, address: str, official: str, synonyms: tuple[str, ...], *, prefix: bool,
               since: str | None = None) -> LabelCheck:
        norm = self.form.normalize
        row, col = split_cell(address)
        accepted = frozenset(norm(x) for x in (official, *synonyms))
        return LabelCheck(sheet, address, row, col, official, accepted, norm(official) if prefix else None,
                          _version(since) if since else None)

    def label_ok(self, index: int, text: str) -> bool:
        """Whether ``text`` may stand where label ``index`` is printed (remembered for repeated texts)."""
        key = (index, text)
        verdict = self._memo.get(key)
        if verdict is None:
            check = self.labels[index]
            found = self._norm(text)
            verdict = found in check.accepted or (check.prefix is not None and found.startswith(check.prefix))
            if len(self._memo) < _MEMO_SIZE:
                self._memo[key] = verdict
        return verdict

    def label_problems(self, sheets: Mapping[str, _Sheet], version: str | None = None) -> list[str]:
        """Every label that is not where the spec puts it, as ``sheet!cell 应为…，现为…``.

        ``version``: the workbook's template version; a label newer than it is not looked for. A file whose
        labels read exactly as those of a file of its version found right before is right too: a folder of
        workbooks made from one template repeats the same texts, so most files cost one comparison.
        """
        found = tuple(v for sheet, spots in zip(self.label_sheets, self.label_spots, strict=True)
                      for v in sheets[sheet].values(spots))
        if (version, found) in self._passed:
            return []
        have = _version(version) if version else None
        problems = []
        for i, (check, value) in enumerate(zip(self.labels, self._in_label_order(found), strict=True)):
            if have is not None and check.since is not None and have < check.since:
                continue
            text = "" if value is None else str(value)
            if not self.label_ok(i, text):
                problems.append(f"{check.sheet}!{check.address} 应为“{check.official}”，现为“{text or '空白'}”")
        if not problems and len(self._passed) < _PASSED_SIZE:
            self._passed.add((version, found))
        return problems

    def _in_label_order(self, found: tuple[Any, ...]) -> list[Any]:
        """The values read sheet by sheet, put back in the order of :attr:`labels`."""
        by_sheet = {}
        at = 0
        for sheet, spots in zip(self.label_sheets, self.label_spots, strict=True):
            by_sheet[sheet] = iter(found[at : at + len(spots)])
            at += len(spots)
        return [next(by_sheet[check.sheet]) for check in self.labels]


def read_extent(form: Form, sheet: str) -> tuple[int, int]:
    """(rows, columns) from A1 that hold everything the spec places on a sheet: a bounded read."""
    tpl = form.template
    if tpl is None:
        raise KeyError(f"form {form.id} has no template")
    if sheet == form.metadata_sheet:
        rows = [split_cell(f.cell)[0] for f in form.metadata_fields] + [split_cell(tpl.version_cell)[0]]
        return max(rows), column_index(tpl.cover_last_column)
    if sheet == form.narrative_sheet:
        last = max(split_cell(s.text_cell)[0] for s in form.text_parts if s.text_cell)
        return last, column_index(tpl.narrative_last_column)
    if sheet == tpl.results_sheet:
        cols = [column_index(c.at) for c in tpl.results_columns]
        return tpl.results_first_row + tpl.results_max_rows - 1, max(cols)
    if sheet == tpl.info_sheet:
        return max(split_cell(f.cell)[0] for f in tpl.info_fields), column_index(tpl.info_last_column)
    if tpl.ledger is not None and sheet == tpl.ledger.sheet:
        # one row past the register's last: content there is reported, never silently left out
        return tpl.ledger.last_row + 1, max(column_index(c.at) for c in tpl.ledger.columns)
    t = form.table_by_sheet(sheet)
    _, _, last_row, last_col = t.span()
    return last_row, last_col


def sheets_to_read(form: Form) -> list[str]:
    """The sheets a report is read from (eight: the commands' bulk-read budget in Excel).

    The template-info sheet is read for its role field: a consolidation must be known as one wherever it
    goes (a payload exported from it in Excel carries the marker too). The register (依申请台账) is read last;
    a workbook of a template before it lacks the sheet (:func:`optional_sheets`).
    """
    tpl = form.template
    if tpl is None:
        raise KeyError(f"form {form.id} has no template")
    return [*form.input_sheets(), tpl.results_sheet, tpl.info_sheet, *optional_sheets(form)]


def optional_sheets(form: Form) -> list[str]:
    """Sheets that a workbook of an earlier template version lacks: the register, since its version."""
    tpl = form.template
    return [tpl.ledger.sheet] if tpl is not None and tpl.ledger is not None else []


def has_register(form: Form, version: str) -> bool:
    """Whether a workbook of template ``version`` has the register sheet."""
    ledger = form.template.ledger if form.template is not None else None
    return ledger is not None and _version(version) >= _version(ledger.since)


def _version(text: str) -> tuple[int, ...]:
    return tuple(map(int, text.split(".")))


_LAYOUTS: dict[int, Layout] = {}


def layout(form: Form) -> Layout:
    """The layout of ``form``'s template, made once per form object (forms are loaded once per process)."""
    found = _LAYOUTS.get(id(form))
    if found is None or found.form is not form:
        found = _LAYOUTS[id(form)] = Layout(form)
    return found

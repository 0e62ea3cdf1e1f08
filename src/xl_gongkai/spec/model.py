"""The form spec as typed, immutable objects.

Everything that knows a label, a key, a unit or a template address asks these objects; nothing
else in the package spells them out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .a1 import cell_address, column_index, split_range
from .labels import LabelNormalizer


class CellKey(NamedTuple):
    """Stable identity of one value: table, row and column keys."""

    table: str
    row: str
    column: str

    def __str__(self) -> str:
        return f"{self.table}.{self.row}.{self.column}"

    @classmethod
    def parse(cls, text: str) -> CellKey:
        parts = text.split(".")
        if len(parts) != 3 or not all(parts):
            raise ValueError(f"not a cell key (table.row.column): {text!r}")
        return cls(*parts)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    at: str
    unit: str
    short: str | None = None
    synonyms: tuple[str, ...] = ()
    span: int = 1
    decimals: int = 0
    group: str | None = None
    sum_of: tuple[str, ...] = ()
    signed: bool = False  # a change that may be negative (2019 本年增/减)

    @property
    def name(self) -> str:
        return self.short or self.label


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    at: int
    short: str | None = None
    synonyms: tuple[str, ...] = ()
    offset: int = 0
    group: str | None = None
    sum_of: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.short or self.label


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    short: str | None = None
    synonyms: tuple[str, ...] = ()
    parent: str | None = None
    columns: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.short or self.label


@dataclass(frozen=True)
class Label:
    """A printed label of the template: its range, what it names, and the official text."""

    range: str
    kind: str  # "text", "row", "column", "row_group" or "column_group"
    ref: str | None
    text: str
    synonyms: tuple[str, ...] = ()

    @property
    def anchor(self) -> str:
        return self.range.split(":")[0]


@dataclass(frozen=True)
class Cell:
    """One of the report's values, with everything needed to place, name and check it."""

    key: CellKey
    table: Table = field(repr=False)
    row: Row = field(repr=False)
    column: Column = field(repr=False)
    address: str
    derived: bool

    @property
    def sheet(self) -> str:
        return self.table.sheet

    @property
    def unit(self) -> str:
        return self.column.unit

    @property
    def decimals(self) -> int:
        return self.column.decimals

    def describe(self) -> str:
        """Where the value sits, in the words a clerk uses: 表三“…”行、“自然人”列 (worded once per cell)."""
        text: str | None = self.__dict__.get("_described")
        if text is None:
            text = f"表{self.table.number}“{self.table.row_path(self.row)}”行、“{self.column.label}”列"
            object.__setattr__(self, "_described", text)  # a frozen dataclass: the memo is not one of its fields
        return text

    @property
    def heading(self) -> str:
        """The value as a column of a table of many reports names it (the audit's 数据 sheet, the analyst's
        frames): ``表三 一、本年新收 自然人`` — short, and unique within a form and across the forms for one key."""
        return f"表{self.table.number} {self.table.row_name(self.row)} {self.column.name}"


@dataclass(frozen=True)
class Table:
    key: str
    number: str
    title: str
    sheet: str
    title_range: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    row_groups: tuple[Group, ...]
    column_groups: tuple[Group, ...]
    labels: tuple[Label, ...]

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(f"table {self.key} has no column {key!r}")

    def row(self, key: str) -> Row:
        rows: dict[str, Row] | None = self.__dict__.get("_rows")
        if rows is None:
            rows = {}
            for r in self.rows:
                rows.setdefault(r.key, r)
            object.__setattr__(self, "_rows", rows)  # a frozen dataclass: the index is not one of its fields
        found = rows.get(key)
        if found is None:
            raise KeyError(f"table {self.key} has no row {key!r}")
        return found

    def row_group(self, key: str) -> Group:
        for g in self.row_groups:
            if g.key == key:
                return g
        raise KeyError(f"table {self.key} has no row group {key!r}")

    def columns_of(self, row: Row) -> tuple[Column, ...]:
        """The columns a row has: a row group may restrict them (table 二's sub-tables)."""
        if row.group:
            group = self.row_group(row.group)
            if group.columns:
                return tuple(self.column(k) for k in group.columns)
        return self.columns

    def address(self, row: Row, column: Column) -> str:
        return cell_address(row.at, column_index(column.at) + row.offset)

    def row_path(self, row: Row) -> str:
        """The row label with its sub-table label where the row label alone is ambiguous."""
        paths: dict[Row, str] | None = self.__dict__.get("_paths")
        if paths is None:
            paths = {}
            object.__setattr__(self, "_paths", paths)  # a frozen dataclass: the memo is not one of its fields
        found = paths.get(row)
        if found is None:
            found = paths[row] = self._row_path(row)
        return found

    def _row_path(self, row: Row) -> str:
        if row.group and not any(g.parent == row.group for g in self.row_groups):
            return f"{self.row_group(row.group).label} {row.label}"
        return row.label

    def row_name(self, row: Row) -> str:
        """A short unambiguous name of a row for messages that already name the table and column."""
        return row.short or self.row_path(row)

    def span(self) -> tuple[int, int, int, int]:
        """(first row, first column, last row, last column) of the table's area on its sheet."""
        (r1, c1), (r2, c2) = split_range(self.title_range)
        for lab in self.labels:
            _, (c, d) = split_range(lab.range)
            r2, c2 = max(r2, c), max(c2, d)
        for row in self.rows:
            for col in self.columns_of(row):
                last = column_index(col.at) + row.offset + col.span - 1
                r2, c2 = max(r2, row.at), max(c2, last)
        return r1, c1, r2, c2


@dataclass(frozen=True)
class MetadataField:
    key: str
    label: str
    type: str
    cell: str
    required: bool = False


@dataclass(frozen=True)
class Section:
    key: str
    number: str
    heading: str
    synonyms: tuple[str, ...] = ()
    openings: tuple[str, ...] = ()  # words of the part's first subheading, when its own heading is missing
    table: str | None = None
    heading_cell: str | None = None
    text_cell: str | None = None
    since: str | None = None  # the first template version with this cell (older workbooks lack it)


@dataclass(frozen=True)
class Units:
    """The unit vocabulary of a form (every unit a rule, the template or the importer speaks of)."""

    counts: tuple[str, ...]  # whole numbers: 件, 项
    amount: str  # decimals allowed: 万元
    in_text: tuple[str, ...]  # what a narrative counts with: 件, 条, 个, 宗, 项
    smaller_amount: str  # 元: typed into a 万元 cell, the value is ten thousand times too large

    def is_count(self, unit: str) -> bool:
        return unit in self.counts


@dataclass(frozen=True)
class SummaryPart:
    """One paragraph of the summary: the table it words, its writer, its names, and the cells of its roles.

    ``roles`` name rows and columns by what the writer does with them (``received``: the row of new
    applications), so the prose code never spells a table, row or column key.
    """

    table: str
    writer: str
    names: tuple[str, ...]
    overview: bool
    roles: Mapping[str, str | tuple[str, ...]]

    def role(self, name: str) -> str:
        value = self.roles[name]
        if not isinstance(value, str):
            raise KeyError(f"summary role {name!r} of {self.table} is a list")
        return value

    def roles_list(self, name: str) -> tuple[str, ...]:
        value = self.roles[name]
        return (value,) if isinstance(value, str) else value


@dataclass(frozen=True)
class InfoField:
    key: str
    label: str
    cell: str


@dataclass(frozen=True)
class ResultsColumn:
    key: str
    label: str
    at: str
    width: float
    hidden: bool = False


@dataclass(frozen=True)
class SourcesColumn:
    key: str
    label: str
    width: float


@dataclass(frozen=True)
class SourcesSheet:
    """The 汇总来源 sheet of a consolidation: one row per file of the folder, read back by header."""

    sheet: str
    title: str
    header_row: int
    columns: tuple[SourcesColumn, ...]
    included: str  # the status words: 已汇总 / 未汇总
    excluded: str


@dataclass(frozen=True)
class LedgerColumn:
    key: str
    label: str
    at: str
    width: float
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class LedgerSheet:
    """The register of applications (依申请台账): one row per application, from which table 三 is derived.

    The columns are reached by what they hold (``received``, ``outcome``…), the rows of the table the dates
    decide by their role, and the outcomes a case may have are the input rows of the ``outcome_group``.
    """

    sheet: str
    since: str  # the first template version with the register
    title: str
    title_range: str
    note_range: str
    header_row: int
    first_row: int
    max_rows: int
    earliest_date: dt.date  # the regulation took effect: no date of a register lies before it
    table: str
    received_row: str  # 一、本年新收
    carried_in_row: str  # 二、上年结转
    carried_out_row: str  # 四、结转下年度继续办理
    outcome_group: str  # 三、本年度办理结果
    applicant_list: str  # where the dropdown lists stand on the info sheet (from this cell down)
    outcome_list: str
    columns: tuple[LedgerColumn, ...]

    @property
    def last_row(self) -> int:
        return self.first_row + self.max_rows - 1

    def column(self, key: str) -> LedgerColumn:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(f"the register has no column {key!r}")

    @property
    def case_id(self) -> LedgerColumn:
        return self.column("case_id")

    @property
    def received(self) -> LedgerColumn:
        return self.column("received")

    @property
    def applicant(self) -> LedgerColumn:
        return self.column("applicant")

    @property
    def finished(self) -> LedgerColumn:
        return self.column("finished")

    @property
    def outcome(self) -> LedgerColumn:
        return self.column("outcome")

    @property
    def remark(self) -> LedgerColumn:
        return self.column("remark")

    @property
    def dates(self) -> tuple[LedgerColumn, ...]:
        return self.received, self.finished


@dataclass(frozen=True)
class Choice:
    """One entry of a register dropdown: the key it counts under, the label offered, the variants also read."""

    key: str
    label: str
    variants: tuple[str, ...] = ()


@dataclass(frozen=True)
class TemplateSpec:
    """The template's own sheets (versions, outputs, marks, configuration) and its naming scheme."""

    version: str
    version_label: str
    version_cell: str
    name_prefix: str
    metadata_title: str
    narrative_title: str
    info_sheet: str
    info_fields: tuple[InfoField, ...]
    # what the info sheet's role field says a file is: {"report": "填报", "consolidation": "汇总", "audit": …}
    roles: Mapping[str, str]
    results_sheet: str
    results_title_range: str
    results_status_cell: str
    results_header_row: int
    results_first_row: int
    results_max_rows: int
    results_columns: tuple[ResultsColumn, ...]
    summary_sheet: str
    summary_title_range: str
    summary_first_row: int
    summary_rows: int
    flags_sheet: str
    config_sheet: str
    summary_column: str  # where the summary's paragraphs go, one per row from summary_first_row
    flags_origin: str  # where the marks block starts on the marks sheet
    sources: SourcesSheet
    # how far the cover, the narrative and the info sheet reach from column A (tables span their cells),
    # and the cover's column of labels
    cover_last_column: str
    cover_label_column: str
    narrative_last_column: str
    info_last_column: str
    # earlier template versions still read: their workbooks hold the same cells with the same meaning
    reads_versions: tuple[str, ...] = ()
    # new --previous: last year's report remembered in a hidden cell of the results sheet (read with it),
    # and last year's in-force counts shown in a column next to 表二
    previous_cell: str | None = None
    previous_reference_column: str | None = None
    previous_reference_label: str | None = None
    # the register of applications (template 1.4.0 on); None for a template without one
    ledger: LedgerSheet | None = None

    @property
    def summary_origin(self) -> str:
        return f"{self.summary_column}{self.summary_first_row}"

    def info(self, key: str) -> InfoField:
        for f in self.info_fields:
            if f.key == key:
                return f
        raise KeyError(f"template has no info field {key!r}")

    def role_of(self, text: object) -> str | None:
        """The role key (``consolidation``, ``audit``) for what a role cell holds; None for anything else."""
        for key, label in self.roles.items():
            if isinstance(text, str) and text.strip() == label:
                return key
        return None

    def results_column(self, key: str) -> ResultsColumn:
        for c in self.results_columns:
            if c.key == key:
                return c
        raise KeyError(f"results sheet has no column {key!r}")

    def defined_name(self, kind: str, key: str) -> str:
        """The workbook-level name of a field: ``gk_cell__requests__new__total`` (ASCII, no dots)."""
        return f"{self.name_prefix}_{kind}__" + key.replace(".", "__")


@dataclass(frozen=True)
class Form:
    id: str
    version: str
    title: str
    short_title: str  # 2021年格式
    report_title: str  # 政府信息公开工作年度报告
    source: str
    short_source: str  # 国办公开办函〔2021〕30号
    first_year: int
    last_year: int | None
    normalize: LabelNormalizer
    metadata_sheet: str
    metadata_title_range: str
    metadata_fields: tuple[MetadataField, ...]
    narrative_sheet: str
    sections: tuple[Section, ...]
    tables: tuple[Table, ...]
    units: Units
    summary: tuple[SummaryPart, ...] = ()
    # the text before section 一 (编制依据, 统计期限, contact details): narrative key ``preamble``
    preamble: Section | None = None
    # None for a format that has no Excel template (gov-2019: read, checked and exported, never a workbook)
    template: TemplateSpec | None = field(repr=False, default=None)
    cells: tuple[Cell, ...] = field(default=(), repr=False)
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    # the forms this one is derived from, nearest first (``spec/derive.py``): empty for a form written out whole
    bases: tuple[str, ...] = ()
    # what a derived form does to its bases' rules: rules added for it (``forms`` set to it), and the ids of
    # rules it no longer has (a base's removals included)
    added_rules: tuple[Mapping[str, Any], ...] = field(default=(), repr=False, compare=False)
    removed_rules: frozenset[str] = frozenset()

    def is_a(self, form_id: str) -> bool:
        """Whether this form is ``form_id`` or derived from it: what a rule or a figure scoped to ``form_id``
        says of that form holds of its derivations too, unless a derivation removes the rule."""
        return form_id == self.id or form_id in self.bases

    @property
    def workbook(self) -> TemplateSpec:
        """The template of a format that has one (gov-2021); asking it of one without (gov-2019) is a defect:
        every caller that can meet such a report checks ``template is None`` first."""
        if self.template is None:
            raise ValueError(f"form {self.id} has no workbook template")
        return self.template

    def table(self, key: str) -> Table:
        for t in self.tables:
            if t.key == key:
                return t
        raise KeyError(f"form {self.id} has no table {key!r}")

    def table_by_sheet(self, sheet: str) -> Table:
        for t in self.tables:
            if t.sheet == sheet:
                return t
        raise KeyError(f"form {self.id} has no table on sheet {sheet!r}")

    def cell(self, key: CellKey | str) -> Cell:
        k = CellKey.parse(key) if isinstance(key, str) else key
        try:
            return self._cell_index[k]
        except KeyError:
            raise KeyError(f"form {self.id} has no cell {k}") from None

    @property
    def _cell_index(self) -> dict[CellKey, Cell]:
        index = self.__dict__.get("_index")
        if index is None:
            index = {c.key: c for c in self.cells}
            object.__setattr__(self, "_index", index)
        return index

    @property
    def positions(self) -> dict[CellKey, int]:
        """Each cell's position in :attr:`cells`: where its value is in a report's scan (``Report.scan``)."""
        found = self.__dict__.get("_positions")
        if found is None:
            found = {c.key: i for i, c in enumerate(self.cells)}
            object.__setattr__(self, "_positions", found)
        return found

    def has_cell(self, key: CellKey) -> bool:
        return key in self._cell_index

    def input_cells(self) -> Iterator[Cell]:
        return (c for c in self.cells if not c.derived)

    def derived_cells(self) -> Iterator[Cell]:
        return (c for c in self.cells if c.derived)

    def field(self, key: str) -> MetadataField:
        for f in self.metadata_fields:
            if f.key == key:
                return f
        raise KeyError(f"form {self.id} has no metadata field {key!r}")

    def section(self, key: str) -> Section:
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(f"form {self.id} has no section {key!r}")

    @property
    def text_parts(self) -> tuple[Section, ...]:
        """The narrative parts a clerk types, in the order of the report: the preamble, then 一、五、六."""
        parts = (self.preamble,) if self.preamble is not None else ()
        return (*parts, *(s for s in self.sections if s.text_cell))

    def input_sheets(self) -> tuple[str, ...]:
        """Sheets a clerk types into, in workbook order."""
        return (self.metadata_sheet, self.narrative_sheet, *(t.sheet for t in self.tables))

    def flag_offsets(self) -> dict[str, int]:
        """Column offset of each input sheet's block on the hidden marks sheet.

        A cell at (row, col) of sheet S is marked by the cell at (row, col + offset[S]) of the marks
        sheet, so one bulk write marks every sheet and conditional formatting reads the mark.
        """
        tpl = self.workbook
        widths = {self.metadata_sheet: column_index(tpl.cover_last_column),
                  self.narrative_sheet: column_index(tpl.narrative_last_column)}
        for t in self.tables:
            widths[t.sheet] = t.span()[3]
        out, at = {}, 0
        for sheet in self.input_sheets():
            out[sheet] = at
            at += widths[sheet] + 1
        return out

    def applicant_choices(self) -> tuple[Choice, ...]:
        """The register's applicant classes: the input columns of the table it derives, by their labels."""
        ledger = self.workbook.ledger
        if ledger is None:
            return ()
        table = self.table(ledger.table)
        return tuple(Choice(c.key, c.label, tuple(x for x in (c.short, *c.synonyms) if x))
                     for c in table.columns if not c.sum_of)

    def outcome_choices(self) -> tuple[Choice, ...]:
        """The register's outcomes, labelled as the official table prints them.

        A row directly in the outcome group is its own label (``（一）予以公开``); a row of a sub-group is the
        sub-group's label, a space and the row's label (``（三）不予公开 1.属于国家秘密``). Variants: the
        short and known forms of either part, and a row's own short form.
        """
        ledger = self.workbook.ledger
        if ledger is None:
            return ()
        table = self.table(ledger.table)
        out = []
        for row in table.rows:
            if row.sum_of or not row.group:
                continue
            group = table.row_group(row.group)
            if row.group == ledger.outcome_group:
                out.append(Choice(row.key, row.label, tuple(x for x in (row.short, *row.synonyms) if x)))
            elif group.parent == ledger.outcome_group:
                heads = [x for x in (group.label, group.short, *group.synonyms) if x]
                names = [row.label, *row.synonyms]
                variants = [f"{h} {n}" for h in heads for n in names][1:]
                out.append(Choice(row.key, f"{group.label} {row.label}",
                                  tuple(dict.fromkeys([*variants, *([row.short] if row.short else [])]))))
        return tuple(out)



@dataclass(frozen=True)
class Calendar:
    """Working days as the State Council's yearly notices set them, and the statutory time to answer.

    ``years`` are the years whose holidays are known; a span that reaches outside them cannot be counted.
    """

    answer_days: int  # 20 working days (条例 第三十三条第二款)
    answer_source: str
    years: frozenset[int]
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]  # weekend days worked instead (调休上班)
    sources: Mapping[int, str] = field(default_factory=dict)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

"""The report model: what a clerk fills in, independent of where it was read from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from ..spec import CellKey, Form
from .ledger import Ledger
from .numbers import Reading, Scan, read, scan

# A year the rules can work with: four digits, and the year after it a date too (a publication deadline, the
# register's next-year cases)
YEARS = range(1000, 9999)


# How ``Report.absent`` names a cover field (``metadata.agency``): no table or section has a dot in its key.
FIELD_PREFIX = "metadata."

@dataclass(frozen=True)
class Report:
    """Metadata, the values keyed by table/row/column, narrative texts and the clerk's explanations.

    Values are kept exactly as read (numbers, text, ``None`` for blank): the rules judge them, the
    model never repairs them, so nothing a clerk typed is lost or silently changed.

    """

    form: Form
    metadata: Mapping[str, Any] = field(default_factory=dict)
    values: Mapping[CellKey, Any] = field(default_factory=dict)
    narrative: Mapping[str, str] = field(default_factory=dict)
    explanations: Mapping[str, str] = field(default_factory=dict)
    # "consolidation" for a 汇总 this tool made (recognised by what the file holds, never by its name);
    # None for an agency's own report. A consolidation is never added into another one.
    origin: str | None = None
    # Parts of the form (a table, by its key, or a text section) that the source does not contain — a
    # published excerpt — with what the source shows instead. Rule I6 reports each once; their blank
    # cells and the rules over them are not findings. A workbook or a JSON document has no absent parts.
    # A required cover field the text does not state is here too, as ``metadata.<key>`` (FIELD_PREFIX):
    # I6 says it once, M1/M2 do not judge it.
    absent: Mapping[str, str] = field(default_factory=dict)
    # Cells a published report prints blank (an empty cell, ``/``): blank is not 0, but the agency's table can no
    # longer be filled in. Rule I7 says so once per table, V1 does not repeat it for each cell, and the
    # arithmetic counts a blank term as 0 (so the table's real errors still show) and leaves an equation whose
    # total is blank unchecked. Only the importer sets it.
    printed_blank: frozenset[CellKey] = frozenset()
    # Cells of a published report's present tables that the importer could not read with certainty (its I1/I2
    # say why, row by row): I8 says so once per table, and neither V1 nor the arithmetic judges them again.
    unread: frozenset[CellKey] = frozenset()
    # The register of applications (依申请台账) the source holds: empty when its register sheet has no rows,
    # None when it has no register (a payload, a published report, a workbook of a template before 1.4.0).
    ledger: Ledger | None = None

    @classmethod
    def empty(cls, form: Form, **metadata: Any) -> Report:
        """A report of ``form`` with every cell blank (the caller names the form: no form is assumed)."""
        return cls(form=form, metadata=dict(metadata), values={c.key: None for c in form.cells})

    @cached_property
    def _readings(self) -> dict[CellKey, Reading]:
        return {}

    def reading(self, key: CellKey) -> Reading:
        """What a value is (a number, a blank, text), read once per report and cell: the rules ask again."""
        found = self._readings.get(key)
        if found is None:
            found = self._readings[key] = read(self.values.get(key))
        return found

    @cached_property
    def scan(self) -> Scan:
        """Every value of the form's cells, in the form's order, read at once (see :class:`Scan`)."""
        return scan(list(map(self.values.get, self.form.positions)))  # the keys in the form's order

    def value(self, key: CellKey | str) -> Any:
        k = CellKey.parse(key) if isinstance(key, str) else key
        return self.values.get(k)

    def with_values(self, changes: Mapping[CellKey, Any]) -> Report:
        return replace(self, values={**self.values, **changes})

    def with_explanations(self, explanations: Mapping[str, str]) -> Report:
        return replace(self, explanations=dict(explanations))

    def present(self, key: CellKey | str) -> bool:
        """Whether a cell (or a section, by key) is part of what the source contains."""
        if isinstance(key, CellKey):
            return key.table not in self.absent
        return key not in self.absent

    def field_absent(self, key: str) -> bool:
        """Whether a cover field is one a published report's text does not state (the importer found it nowhere)."""
        return FIELD_PREFIX + key in self.absent

    def judged(self, key: CellKey) -> bool:
        """Whether the checks judge a cell: the source contains it and it was read (not left for I8)."""
        return key.table not in self.absent and key not in self.unread

    @property
    def year(self) -> int | None:
        """The report's year: four digits whose next year is a date too (``YEARS``), else None — 封面's year
        rule says what is wrong with it, and no other rule is handed a year it cannot make a date of (2147483648
        in the year cell made the register's rule fail with an OverflowError)."""
        y = self.metadata.get("year")
        if isinstance(y, bool):
            return None
        found: int | None = None
        if isinstance(y, int):
            found = y
        elif isinstance(y, float) and y.is_integer():
            found = int(y)
        elif isinstance(y, str) and y.strip().isdigit():
            found = int(y.strip())
        return found if found in YEARS else None

    @property
    def agency(self) -> str:
        a = self.metadata.get("agency")
        return a.strip() if isinstance(a, str) else ""

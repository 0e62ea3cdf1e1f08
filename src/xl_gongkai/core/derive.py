"""Derived totals: the 总计 column and （七）总计 row of table 三, and the table-四 总计 cells.

Which cells are derived, and from what, is read from the form spec (``sum_of`` on a row or a
column); nothing here names a row. A derived value is recomputed from the inputs every time, never
taken from a file; when a term is not a number the total is left blank (``None``) and the checks
say why.
"""

from __future__ import annotations

from typing import Any

from ..spec import Cell, CellKey
from .numbers import Number, exact_sum, read
from .report import Report


def terms(cell: Cell) -> list[CellKey]:
    """The cells a derived cell is the sum of (one level: the column sum wins over the row sum)."""
    t, r, c = cell.table, cell.row, cell.column
    if c.sum_of:
        return [CellKey(t.key, r.key, k) for k in c.sum_of]
    return [CellKey(t.key, k, c.key) for k in r.sum_of]


def derived_values(report: Report) -> dict[CellKey, Number | None]:
    """Every derived cell's value computed from the report's inputs."""
    form = report.form
    memo: dict[CellKey, Number | None] = {}

    def value(key: CellKey) -> Number | None:
        cell = form.cell(key)
        if not cell.derived:
            reading = read(report.values.get(key))
            return reading.number if reading.kind == "number" else None
        if key not in memo:
            parts = [value(k) for k in terms(cell)]
            memo[key] = None if any(p is None for p in parts) else exact_sum(p for p in parts if p is not None)
        return memo[key]

    return {c.key: value(c.key) for c in form.derived_cells()}


def fill(report: Report) -> Report:
    """The report with every derived cell recomputed; inputs are untouched."""
    changes: dict[CellKey, Any] = dict(derived_values(report))
    return report.with_values(changes)

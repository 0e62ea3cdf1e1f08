"""A table's arithmetic as equations over its cells: what the decoder may use to prove a reading.

Three kinds, all from the form spec and the rule catalogue (nothing is spelt out here): a column that is the
sum of others in its row (表三's 总计, 表四's 总计), a row that is the sum of others in its column (表三's
（七）总计), and the printed 勾稽关系 between rows, column by column (表三: 一 + 二 = （七）总计 + 四).

An equation is *evaluable* when every cell in it holds a number; a blank or a text leaves it open — the
decoder never reads a blank as 0 (the agency may have left it blank; the checks say so).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ...core.numbers import exact_sum, read
from ...spec import CellKey, Table


@dataclass(frozen=True)
class Equation:
    left: tuple[CellKey, ...]
    right: tuple[CellKey, ...]

    @property
    def cells(self) -> tuple[CellKey, ...]:
        return self.left + self.right


def equations(table: Table, balances: Sequence[tuple[Sequence[str], Sequence[str]]]) -> list[Equation]:
    """Every equation of the table: row totals, column totals and the printed balances."""
    t = table

    def key(r: str, c: str) -> CellKey:
        return CellKey(t.key, r, c)

    out: list[Equation] = []
    for row in t.rows:
        cols = {c.key for c in t.columns_of(row)}
        for col in t.columns_of(row):
            if col.sum_of and set(col.sum_of) <= cols:
                out.append(Equation((key(row.key, col.key),), tuple(key(row.key, k) for k in col.sum_of)))
            if row.sum_of:
                out.append(Equation((key(row.key, col.key),), tuple(key(k, col.key) for k in row.sum_of)))
    for left, right in balances:
        for col in t.columns:
            if all(col in t.columns_of(t.row(r)) for r in (*left, *right)):
                out.append(Equation(tuple(key(r, col.key) for r in left), tuple(key(r, col.key) for r in right)))
    return out


def holds(eq: Equation, value: Callable[[CellKey], Any]) -> bool | None:
    """Whether the equation holds for these values; ``None`` when a cell is blank or text (not evaluable)."""
    sides = []
    for keys in (eq.left, eq.right):
        nums = []
        for k in keys:
            got = read(value(k))
            if got.kind != "number" or got.number is None:
                return None
            nums.append(got.number)
        sides.append(exact_sum(nums))
    return sides[0] == sides[1]


def row_sums_hold(values: Sequence[Any], columns: Sequence[Any]) -> bool | None:
    """Whether every total printed in one row equals the sum of its terms; ``None`` when none can be evaluated."""
    at = {c.key: i for i, c in enumerate(columns)}
    verdict: bool | None = None
    for c in columns:
        if not c.sum_of or not set(c.sum_of) <= set(at):
            continue
        terms = [read(values[at[k]]) for k in c.sum_of]
        total = read(values[at[c.key]])
        if total.kind != "number" or any(t.kind != "number" for t in terms):
            continue
        ok = exact_sum([t.number for t in terms if t.number is not None]) == total.number
        if not ok:
            return False
        verdict = True
    return verdict

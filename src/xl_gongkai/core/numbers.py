"""How a raw cell value is read as a number, and exact arithmetic on the ones that are.

Workbook readers return floats for integers (python-calamine), text for numbers typed as text, and
``''`` for empty cells; published reports give ``/`` for nothing. The rules need one answer for
"is this a number, a blank, or something else", and sums that do not drift (万元 with up to six decimals).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

Number = int | float


@dataclass(frozen=True)
class Reading:
    kind: str  # "number", "blank" or "text"
    number: Number | None = None
    text: str | None = None


BLANK = Reading("blank")


def read(raw: Any) -> Reading:
    if raw is None:
        return BLANK
    if isinstance(raw, bool):
        return Reading("text", text="TRUE" if raw else "FALSE")
    if isinstance(raw, int):
        return Reading("number", number=raw)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            return Reading("text", text=str(raw))
        return Reading("number", number=int(raw) if raw.is_integer() and abs(raw) < 2**53 else raw)
    if isinstance(raw, Decimal):
        return read(float(raw)) if raw.is_finite() else Reading("text", text=str(raw))
    if isinstance(raw, str):
        return BLANK if not raw.strip() else Reading("text", text=raw)
    return Reading("text", text=str(raw))


def decimals_of(x: Number) -> int:
    """Decimal places of a number as typed (the shortest repr round-trips what a clerk typed)."""
    if isinstance(x, int):
        return 0
    exp = Decimal(repr(x)).normalize().as_tuple().exponent
    return max(0, -exp) if isinstance(exp, int) else 0


def exact_sum(values: Iterable[Number]) -> Number:
    """Sum without float drift: integers stay integers, decimals are added as written."""
    vals = list(values)
    if all(isinstance(v, int) for v in vals):
        return sum(vals)
    total = sum((Decimal(repr(v)) if isinstance(v, float) else Decimal(v) for v in vals), Decimal(0))
    return int(total) if total == total.to_integral_value() else float(total)


def show(x: Any) -> str:
    """A number as a clerk would write it (no ``.0``, no exponent)."""
    r = read(x)
    if r.kind == "number":
        n = r.number
        if isinstance(n, float):
            return format(Decimal(repr(n)).normalize(), "f")
        return str(n)
    if r.kind == "blank":
        return "空白"
    return str(r.text)

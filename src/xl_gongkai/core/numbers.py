"""How a raw cell value is read as a number, and exact arithmetic on the ones that are.

Workbook readers return floats for integers (python-calamine), text for numbers typed as text, and
``''`` for empty cells; published reports give ``/`` for nothing. The rules need one answer for
"is this a number, a blank, or something else", and sums that do not drift (万元 with up to six decimals).
"""

from __future__ import annotations

import itertools
import math
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
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


NUMBER, BLANK_KIND, TEXT = "n", "b", "t"  # a value's kind, one character each in Scan.kinds
_EXACT = 2**53  # a float below this that is a whole number is that integer exactly


@dataclass(frozen=True)
class Scan:
    """Many values read at once, as :func:`read` reads each: ``numbers[i]`` is the number (None when it is not
    one) and ``kinds[i]`` the kind, ``n`` / ``b`` / ``t`` (number, blank, text).

    What the rules ask of every cell of a report — is it a number, which — answered in one pass instead of one
    :class:`Reading` per cell: most values of most reports are plain numbers, and a rule that finds nothing
    should cost no more than looking.
    """

    numbers: list[Number | None]
    kinds: str
    whole: list[int | None]  # the whole numbers (None for anything else): what most sums are made of

    def where(self, kind: str) -> Iterator[int]:
        """The positions of the values of one kind, in order."""
        at = self.kinds.find(kind)
        while at >= 0:
            yield at
            at = self.kinds.find(kind, at + 1)


def scan(values: Iterable[Any]) -> Scan:
    """:class:`Scan` of ``values``: the same answers as :func:`read` for each, the common types without it.

    A report whose values are all plain numbers is answered in C for the most part (``_plain_numbers``); any other
    goes value by value."""
    values = values if isinstance(values, list) else list(values)
    plain = _plain_numbers(values)
    if plain is not None:
        return Scan(plain[0], NUMBER * len(values), plain[1])
    numbers: list[Number | None] = []
    kinds: list[str] = []
    for v in values:
        t = type(v)
        if t is int:
            numbers.append(v)
            kinds.append(NUMBER)
        elif t is float and v - v == 0:  # finite (inf - inf and nan are nan)
            numbers.append(int(v) if v.is_integer() and -_EXACT < v < _EXACT else v)
            kinds.append(NUMBER)
        elif v is None:
            numbers.append(None)
            kinds.append(BLANK_KIND)
        elif t is str:
            numbers.append(None)
            kinds.append(TEXT if v.strip() else BLANK_KIND)
        else:
            r = read(v)
            numbers.append(r.number if r.kind == "number" else None)
            kinds.append({"number": NUMBER, "blank": BLANK_KIND}.get(r.kind, TEXT))
    return Scan(numbers, "".join(kinds), [n if type(n) is int else None for n in numbers])


def gatherer(positions: Sequence[int]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """What takes the values at ``positions`` of a scan's list, as a tuple, in one call in C (``itemgetter``; of
    one position it gives the item itself, of none it refuses: those two are wrapped). A rule plan makes it once."""
    at = tuple(positions)
    if len(at) > 1:
        return operator.itemgetter(*at)
    return lambda values: tuple(values[i] for i in at)


_PLAIN_NUMBERS = frozenset({int, float})


def _plain_numbers(values: list[Any]) -> tuple[list[Number | None], list[int | None]] | None:
    """(numbers, whole numbers) as :func:`scan` gives them, when every value is a finite int or float below 2**53
    in size (a clean workbook: python-calamine gives floats); otherwise None. The checks run in C; a float that is a
    whole number equals its integer part, which it then becomes, as :func:`read` makes it."""
    if not _PLAIN_NUMBERS.issuperset(map(type, values)):
        return None
    try:
        if not all(map(math.isfinite, values)):
            return None
    except OverflowError:  # an int too large for a float
        return None
    whole = list(map(int, values))
    if whole and (min(whole) <= -_EXACT or max(whole) >= _EXACT):
        return None
    # the positions of the values that are not whole numbers (a few amounts in 万元), found in C; the rest are ints
    fractional = list(itertools.compress(itertools.count(), map(operator.ne, whole, values)))
    numbers: list[Number | None] = list(whole)
    wholes: list[int | None] = list(whole)
    for i in fractional:
        numbers[i], wholes[i] = values[i], None
    return numbers, wholes


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

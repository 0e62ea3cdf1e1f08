"""Label heuristics that need more than an exact comparison: a label printed with a slip of the pen.

``其他法律行政止公开`` for ``2.其他法律行政法规禁止公开``: the printed label differs from the official one
in one place. Such a label is accepted when it is *one edit* from exactly one label of the table and long
enough that the edit cannot make it another row: one contiguous run of at most ``MAX_EDIT`` characters
is missing, wrong or added, and at least ``MIN_KEPT`` characters on either side of it agree.
"""

from __future__ import annotations

from collections.abc import Iterable

from .heuristics import heuristic

MAX_EDIT = 3  # characters in the one place where the printed label differs
MIN_KEPT = 6  # characters of the official label the printed one must keep (and 2/3 of it)


def one_edit(printed: str, known: str, *, max_edit: int = MAX_EDIT) -> bool:
    """``printed`` equals ``known`` but for one contiguous run of at most ``max_edit`` characters."""
    if printed == known or abs(len(printed) - len(known)) > max_edit or len(known) < MIN_KEPT:
        return False
    n = min(len(printed), len(known))
    head = 0
    while head < n and printed[head] == known[head]:
        head += 1
    tail = 0
    while tail < n - head and printed[-1 - tail] == known[-1 - tail]:
        tail += 1
    kept = head + tail
    return (len(printed) - kept <= max_edit and len(known) - kept <= max_edit
            and kept >= MIN_KEPT and 3 * kept >= 2 * len(known))


@heuristic("label_one_edit", "label")
def nearest_label(printed: str, labels: Iterable[tuple[str, str]]) -> str | None:
    """A label with a character missing or wrong: the only label of the table one edit away, if long enough.

    Returns the key of that label (of ``(key, normalised label)`` pairs), else ``None``.

    Every label of the table takes part — rows, groups, columns — so a printed label close to two of them
    (or to a label that is not a row) is no row at all.
    """
    keys = {key for key, label in labels if one_edit(printed, label)}
    return keys.pop() if len(keys) == 1 else None

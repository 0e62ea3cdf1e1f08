"""What was read from one table: values by cell, and how certain each row is (the decoder's result)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...spec import CellKey


@dataclass
class TableRead:
    values: dict[CellKey, Any] = field(default_factory=dict)
    blank: set[CellKey] = field(default_factory=set)  # cells the table prints blank (read, not missing)
    read: set[str] = field(default_factory=set)  # rows whose numbers were placed (or that are printed blank)
    failed: dict[str, tuple[int, int]] = field(default_factory=dict)  # row → (numbers found, cells expected)
    seen: set[str] = field(default_factory=set)  # label printed, no numbers after it
    conflicts: set[str] = field(default_factory=set)  # printed twice with different numbers
    unordered: dict[str, str] = field(default_factory=dict)  # failed rows whose numbers are in no proven order: why
    added: list[tuple[str, str]] = field(default_factory=list)  # (label, numbers) of rows not in the form
    row_variants: dict[str, str] = field(default_factory=dict)  # row → non-official label printed
    column_variants: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)  # row → what was inferred, and from what
    grouped: dict[str, str] = field(default_factory=dict)  # row group printed as one row → its numbers
    doubtful: list[list[str]] = field(default_factory=list)  # stretches of rows whose numbers cannot be told apart
    # what the rows left unread print (numbers, ``None`` for an explicit blank), in the form's order: what any other
    # copy of the table must agree with (``displaced_table``)
    unread_numbers: list[Any] = field(default_factory=list)
    started: bool = False

    @property
    def absent(self) -> bool:
        """Nothing of the table was printed: no row read, failed, seen, grouped or added."""
        return not (self.read or self.failed or self.seen or self.conflicts or self.added or self.grouped
                    or self.doubtful)

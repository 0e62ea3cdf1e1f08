"""How much a finding weighs: the two severities of the catalogue, as an enum.

The Chinese words are the serialised form (in ``rules.json``, the payload, messages and the workbook);
code compares members, never the words. A member is a ``str`` equal to its word, so a payload read back
as plain JSON compares equal too, and ``str()``/f-strings give the word on every Python version.
"""

from __future__ import annotations

from enum import Enum


class Severity(str, Enum):
    ERROR = "错误"  # must be corrected: blocks export
    WARNING = "提示"  # may stand, but only with the clerk's explanation

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)

"""How much a finding weighs: the three severities of the catalogue, and the one the engine adds, as an enum.

The catalogue's rules are 错误, 提示 or 待核对. 待填写 is what the engine makes of a required text part that a 汇总
(a consolidation this tool made) does not have yet: the sums come from the units' reports, the words are the
office's own to write. It is not an error in what is there — a consolidation that wrote its sum is a success —
but, like an 错误, it blocks the export and the publishable report until the text is written, and no
explanation lifts it.

待核对 is what the importer says of a published report's cells it could not read with certainty (I1, I2, I8):
the text was damaged in extraction (numbers glued together, a row's numbers lost), so the cell is left blank
rather than guessed. It is no error of the agency — counting it as one would accuse the agency of a mistake the
importer made — but nothing built on those cells can be trusted until a person reads them from the original:
like an 错误 it makes the report not valid (exit 1, 未通过 in the audit, left out of a 汇总) and blocks the
export, and no explanation lifts it.

The Chinese words are the serialised form (in ``rules.json``, the payload, messages and the workbook);
code compares members, never the words. A member is a ``str`` equal to its word, so a payload read back
as plain JSON compares equal too, and ``str()``/f-strings give the word on every Python version.
"""

from __future__ import annotations

from enum import Enum


class Severity(str, Enum):
    ERROR = "错误"  # must be corrected: blocks export
    WARNING = "提示"  # may stand, but only with the clerk's explanation
    PENDING = "待填写"  # a part still to be written (a 汇总's own text): blocks export, is not an error
    UNREAD = "待核对"  # cells the importer could not read: not the agency's error, but the report is not valid

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)

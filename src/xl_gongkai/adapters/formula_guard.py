"""Text that a spreadsheet would run as a formula stays text: one guard, for every writer.

A cell whose text starts with ``=``, ``+``, ``-`` or ``@`` becomes a formula when Excel takes it as typed
(a clerk's explanation "-已核实", or a hostile ``=HYPERLINK(...)``). Two writers meet such text:

* Excel itself, through xlwings (the ribbon): a value is assigned as if typed, so the text gets Excel's
  text marker, the apostrophe, in front — and so does text that starts with an apostrophe, which Excel
  would otherwise eat as the marker;
* files that a spreadsheet will open (the audit's CSV and workbook): there a leading tab or carriage return
  is also taken as the start of a formula by some programs (the usual CSV-injection advice), and the
  apostrophe stays visible.

Formulas we mean to write (the HYPERLINK of a finding's place) are :class:`Formula` and pass unchanged.
"""

from __future__ import annotations

from typing import Any

FORMULA_START = ("=", "+", "-", "@")
_EXCEL_EXTRA = ("'",)  # Excel's own text marker: doubled, so the clerk's apostrophe stays
_FILE_EXTRA = ("\t", "\r")


class Formula(str):
    """A formula that we write on purpose; any other text is kept as text."""


def typed_in_excel(value: Any) -> Any:
    """A value as Excel must receive it (xlwings) so that text stays text."""
    if isinstance(value, str) and not isinstance(value, Formula) and value[:1] in (*FORMULA_START, *_EXCEL_EXTRA):
        return "'" + value
    return value


def in_file(value: Any) -> Any:
    """A value for a file a spreadsheet will open (CSV, the audit's workbook)."""
    if isinstance(value, str) and not isinstance(value, Formula) and value[:1] in (*FORMULA_START, *_FILE_EXTRA):
        return "'" + value
    return value

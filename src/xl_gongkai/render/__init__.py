"""Every sentence a front end shows from a command's result, written once.

The command line, the ribbon and the web page call the same commands and get the same results; what they
say about them — the findings as lines, the counts line, the note on a draft payload, the parts still to
write, why an export or a report was refused, the sentence for a defect of ours — is worded here, so that
the three differ only in how they show it (printed, an alert, the page) and in the advice each can give
(``advice``). A command's result carries its refusal as data (:class:`Refusal`); the front ends ask
:func:`refused` or :func:`raise_if_refused`, never the result's fields.

This layer sits below the commands (it knows findings, validations and reports, not the commands), so that
a command writing a status line into a workbook words it with the same functions.
"""

from .defect import defect_message
from .findings import (
    PASSED,
    counts_text,
    draft_note,
    finding_line,
    headline,
    json_report,
    pending_line,
    text_report,
    totals_line,
)
from .made import NewWorkbook, new_workbook_line
from .refusal import LIMIT, Refusable, Refusal, raise_if_refused, refused

__all__ = [
    "LIMIT", "PASSED", "NewWorkbook", "Refusable", "Refusal", "counts_text", "defect_message", "draft_note",
    "finding_line", "headline", "json_report", "new_workbook_line", "pending_line", "raise_if_refused", "refused",
    "text_report", "totals_line",
]

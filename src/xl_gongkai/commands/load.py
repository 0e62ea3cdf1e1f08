"""Opens whatever the user names — a payload, a report document, a workbook, a published report — as a Source.

A Source is what every command starts from, whichever front end read it: the command line and the web page
open files here; the ribbon makes one from the live book (``adapters.excel_live``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from ..adapters.formats import JSON_IN, PUBLISHED_IN, WORKBOOK_IN, input_format, unsupported
from ..core.findings import Finding
from ..core.report import Report
from ..errors import InputError
from ..fileio import regular_file

WORKBOOK_SUFFIXES = set(WORKBOOK_IN.suffixes)
PUBLISHED_SUFFIXES = set(PUBLISHED_IN.suffixes)


@dataclass(frozen=True)
class Source:
    """A report and where it came from.

    ``kind`` is "workbook", "payload", "report-json", "published", "live" (a book open in Excel) or "report"
    (a report given in memory). ``findings`` are what reading found (a published report's import findings, a
    workbook whose macros lost their code names): shown with the check, not part of the payload's validation.
    """

    path: Path | None
    report: Report
    kind: str
    notes: list[str] = field(default_factory=list)
    findings: tuple[Finding, ...] = ()
    remembered_text: object = None  # what a live book's memory cell holds (the ribbon reads it with the rest)

    @cached_property
    def remembered(self) -> Report | None:
        """Last year's report, when the workbook remembers it (made by ``new --previous``)."""
        from .next_year import recall, remembered_in_file

        if self.kind == "live":
            return recall(self.remembered_text)
        if self.kind == "workbook" and self.path is not None:
            return remembered_in_file(self.path)
        return None

    @property
    def is_file_workbook(self) -> bool:
        return self.kind == "workbook" and self.path is not None

    @classmethod
    def of(cls, report: Report) -> Source:
        """A report held in memory (a library caller's, or a test's)."""
        return cls(None, report, "report")


def open_source(path: str | Path) -> Source:
    """Read one file by its suffix; a FIFO, a device or a folder is refused before anything opens it, and
    what is no report at all is one refusal (``recognise``)."""
    from .recognise import refuse_non_report, refuse_unencodable

    src = _read(Path(path))
    refuse_non_report(src.kind, src.report, str(path))
    refuse_unencodable(src.report, str(path))
    return src


def _read(p: Path) -> Source:
    from .recognise import refuse_empty

    fmt = input_format(p)
    if fmt is None:
        regular_file(p)  # a missing file is named as missing first
        raise InputError(unsupported(p) + "。", place=str(p))
    refuse_empty(regular_file(p).st_size, str(p))
    if fmt is JSON_IN:
        from ..adapters.jsonfile import read_report

        loaded = read_report(p)
        return Source(p, loaded.report, "payload" if loaded.is_payload else "report-json", loaded.notes)
    if fmt is WORKBOOK_IN:
        from ..adapters.workbook_macros import macro_findings
        from ..adapters.workbook_read import read_workbook

        return Source(p, read_workbook(p), "workbook", findings=macro_findings(p))
    from ..adapters.published import import_report

    result = import_report(p)
    return Source(p, result.report, "published", findings=result.findings)

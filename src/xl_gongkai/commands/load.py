"""Opens whatever the user names — a payload, a report document, a workbook, a published report — as a Report."""

from __future__ import annotations

from dataclasses import dataclass, field
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
    path: Path
    report: Report
    kind: str  # "payload", "report-json", "workbook", "published"
    notes: list[str] = field(default_factory=list)
    findings: tuple[Finding, ...] = ()  # what reading found (a published report's import findings)


def open_source(path: str | Path) -> Source:
    """Read one file by its suffix; a FIFO, a device or a folder is refused before anything opens it."""
    p = Path(path)
    fmt = input_format(p)
    if fmt is None:
        regular_file(p)  # a missing file is named as missing first
        raise InputError(unsupported(p) + "。", place=str(p))
    regular_file(p)
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

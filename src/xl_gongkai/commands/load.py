"""Opens whatever the user names — a payload, a report document, a workbook, a published report — as a Source.

A Source is what every command starts from, whichever front end read it: the command line and the web page
open files here; the ribbon makes one from the live book (``adapters.excel_live``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from ..adapters.formats import InputFormat
from ..core.findings import Finding
from ..core.report import Report
from ..errors import InputError
from ..fileio import regular_file


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
    converted: bool = False  # read from a copy LibreOffice converted: the file itself is not one we can rewrite
    format: str = ""  # what the file's content is (``adapters.formats.InputFormat.name``: "xlsx", "xls", "pdf"…)
    embedded: bool = False  # a published report that carries data of its own (``core.embedded``), usable or not

    @cached_property
    def remembered(self) -> Report | None:
        """Last year's report, when the workbook remembers it (made by ``new --previous``)."""
        from .next_year import recall, remembered_in_file

        if self.kind == "live":
            return recall(self.remembered_text)
        if self.kind == "workbook" and self.path is not None:
            return remembered_in_file(self.path, self.report.form)
        return None

    @property
    def is_file_workbook(self) -> bool:
        """A workbook file the tool can rewrite (fill, check --write): an .xlsx/.xlsm, not an .xls or a conversion."""
        return self.kind == "workbook" and self.path is not None and not self.converted and self.format != "xls"

    @classmethod
    def of(cls, report: Report) -> Source:
        """A report held in memory (a library caller's, or a test's)."""
        return cls(None, report, "report")


def open_source(path: str | Path) -> Source:
    """Read one file by what its content is (``adapters.sniff``); a FIFO, a device or a folder is refused before
    anything opens it, and what is no report at all is one refusal (``recognise``). When the suffix says
    something else, a note says what the file was read as."""
    from .recognise import refuse_non_report, refuse_unencodable

    src = _open(Path(path))
    refuse_non_report(src.kind, src.report, str(path), src.findings)
    refuse_unencodable(src.report, str(path))
    return src


def _open(p: Path) -> Source:
    from ..adapters.sniff import sniff
    from .recognise import refuse_empty

    refuse_empty(regular_file(p).st_size, str(p))  # a missing file is named as missing first
    found = sniff(p)
    notes = [found.note] if found.note else []
    if found.format.key == "office":
        return _converted(p, found.format, notes)
    src = _read(p, found.format)
    return replace(src, notes=[*notes, *src.notes], format=found.format.name)


def _read(p: Path, fmt: InputFormat) -> Source:
    if fmt.key == "json":
        from ..adapters.jsonfile import read_report

        loaded = read_report(p)
        return Source(p, loaded.report, "payload" if loaded.is_payload else "report-json", loaded.notes)
    if fmt.key == "workbook":
        from ..adapters.workbook_macros import macro_findings
        from ..adapters.workbook_read import NotTemplate, read_workbook

        try:
            return Source(p, read_workbook(p), "workbook", findings=macro_findings(p))
        except NotTemplate:
            return _foreign_workbook(p)
    from ..adapters.published.files import import_file

    result = import_file(p, fmt)
    return Source(p, result.report, "published", list(result.notes), result.findings, embedded=result.embedded)


def _foreign_workbook(p: Path) -> Source:
    """A workbook that is no template (an agency's own Excel of the tables): its sheets read as a page's tables are,
    by their labels and identities (``workbook_tables``), and said so."""
    from ..adapters.published import import_document
    from ..adapters.published.workbook_tables import FOREIGN_NOTE, parse_foreign_workbook

    result = import_document(parse_foreign_workbook(p))
    return Source(p, result.report, "published", [FOREIGN_NOTE, *result.notes], result.findings)


def _converted(p: Path, fmt: InputFormat, notes: list[str]) -> Source:
    """A file only LibreOffice reads: converted in a private folder, read, and named by its own path again."""
    from ..adapters.formats import spaced
    from ..adapters.office import converted
    from ..adapters.sniff import sniff

    with converted(p, fmt) as copy:
        try:
            src = _read(copy, sniff(copy).format)
            remembered = src.remembered  # a workbook's memory of last year, read while the copy exists
        except InputError as exc:
            raise InputError(exc.args[0] if exc.args else str(exc), place=str(p)) from None
    said = f"已用 LibreOffice 把{spaced(fmt.what)}转换为 {fmt.converts_to} 后读取。"
    # the path the user gave, not the converted copy (gone with its folder), which nothing reads again
    done = replace(src, path=p, notes=[*notes, said, *src.notes], converted=True, format=fmt.name)
    vars(done)["remembered"] = remembered  # the cached property, filled from the copy
    return done

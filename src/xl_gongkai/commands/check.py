"""check: every rule on a report, with what reading found first; optionally the results written into the workbook.

The one path of the check for every front end: the command line (``check``, and inside ``fill``, ``export``,
``report``, ``import``), the ribbon and the web page call :func:`run_check` and render what it returns. A
workbook that remembers last year (made by ``new --previous``) is checked against it without ``--previous``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from ..core import rules
from ..core.findings import Finding, Validation
from ..core.kinds.quality import PUBLISHED
from ..core.packs import Pack, with_packs
from ..core.report import Report
from ..core.summary import summarize
from ..fileio import Output
from .load import Source
from .sheet_output import SheetWrites, output_blocks


@dataclass
class Checked:
    """A report and its findings.

    ``validation`` is what the rules found: what export and the publishable report judge and what a payload
    carries. ``shown`` adds, in front, what reading found (import findings of a published report, a workbook
    whose macros lost their code names): what the user sees and the exit code counts.
    """

    source: Source
    report: Report
    validation: Validation
    previous: Report | None = None
    writes: SheetWrites | None = None  # the results, summary and marks for the workbook's own sheets
    outputs: list[Output] = field(default_factory=list)

    @property
    def shown(self) -> Validation:
        return Validation((*self.source.findings, *self.validation.findings))

    @property
    def exit_code(self) -> int:
        """0 when no 错误 stands and nothing is 待核对, 1 otherwise (2 is for input that cannot be read)."""
        return 0 if self.shown.valid else 1

    @property
    def reading_findings(self) -> tuple[Finding, ...]:
        return self.source.findings


def run_check(src: Source, *, previous: Report | None = None, today: dt.date | None = None,
              report: Report | None = None, write: bool = False, links: bool = False,
              action: str = "校验", packs: Sequence[Pack] = (), published: dt.date | None = None) -> Checked:
    """Check ``report`` (default: the source's) once.

    ``write``: also the blocks for the workbook's own sheets (校验结果, 摘要, the marks), and — for a workbook
    file — that file with them written in (``check --write``, surgically, as ``fill``). ``links`` makes each
    finding's place a hyperlink (only Excel evaluates formulas we write). ``packs``: local rule packs
    (``core.packs``) checked with the catalogue; ``published``: the day the report was published, for a file
    that does not say (a page's 发布日期 is read by the importer).
    """
    report = report if report is not None else src.report
    if published is not None:
        report = replace(report, metadata={**report.metadata, PUBLISHED: published})
    prior = previous if previous is not None else src.remembered
    validation = rules.check(report, today=today, previous=prior, rules=with_packs(packs) if packs else None)
    checked = Checked(src, report, validation, prior)
    if write and report.form.template is not None:
        blocks = output_blocks(report.form, report, validation, summarize(report), links=links, action=action)
        checked.writes = SheetWrites({}, blocks)
        if src.is_file_workbook:
            assert src.path is not None
            checked.outputs = [Output(src.path, _package(src, checked.writes), "工作簿")]
    return checked


def _package(src: Source, writes: SheetWrites) -> bytes:
    from .workbook import edited, read_package

    assert src.path is not None
    return edited(read_package(src.path), writes.cell_edits(src.report.form), src.path)

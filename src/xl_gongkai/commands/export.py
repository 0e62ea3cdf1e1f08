"""export: the checked report as a JSON payload (and optionally the summary as Markdown).

Export refuses while any 错误 stands or a 提示 has no explanation, and names them; ``draft=True``
builds the payload anyway, marked ``valid: false`` / ``ready: false`` for the office that collects
drafts. The report is checked once; the front end writes the outputs (all or nothing).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..controls import safe_text
from ..core import payload
from ..core.report import Report
from ..core.summary import summarize
from ..fileio import Output, report_stem, write_all
from ..render import Refusal, raise_if_refused
from .check import Checked, run_check
from .load import Source

__all__ = ["Exported", "default_paths", "export_payload", "payload_outputs", "run_export", "summary_title"]


@dataclass
class Exported:
    checked: Checked
    doc: dict[str, Any] | None  # None when refused
    refusal: Refusal | None = None  # why nothing is exported (the blocking findings)
    outputs: list[Output] = field(default_factory=list)


def summary_title(report: Report) -> str:
    """The summary's heading; the agency's name made safe (``controls``), as in every formatted output."""
    return f"{safe_text(report.agency)}{report.year or ''}年{report.form.report_title}摘要"


def run_export(src: Source, *, out: str | Path, summary_path: str | Path | None = None, draft: bool = False,
               today: dt.date | None = None, previous: Report | None = None, write: bool = False,
               links: bool = False) -> Exported:
    """The payload (and summary) for ``out``; ``write`` also gives the results for the workbook's sheets."""
    checked = run_check(src, previous=previous, today=today, write=write, links=links)
    if not draft and (refusal := Refusal.of(checked.validation)) is not None:
        return Exported(checked, None, refusal)
    doc, outputs = payload_outputs(checked, out, summary_path)
    return Exported(checked, doc, None, outputs)


def payload_outputs(checked: Checked, out: str | Path,
                    summary_path: str | Path | None = None) -> tuple[dict[str, Any], list[Output]]:
    """The payload of a checked report (its validation is the payload's), and the summary."""
    summary = summarize(checked.report)
    doc = payload.build(checked.report, checked.validation, summary)
    outputs = [Output(Path(out), payload.dumps(doc), "数据包")]
    if summary_path is not None:
        outputs.append(Output(Path(summary_path), summary.markdown(summary_title(checked.report)).encode("utf-8"),
                              "摘要"))
    return doc, outputs


def export_payload(report: Report, out: str | Path, *, today: dt.date | None = None, draft: bool = False,
                   summary_path: str | Path | None = None) -> dict[str, Any]:
    """Export a report held in memory and write the files (both or neither); :class:`Refused` when not ready."""
    done = run_export(Source.of(report), out=out, summary_path=summary_path, draft=draft, today=today)
    raise_if_refused(done)
    assert done.doc is not None
    write_all(done.outputs)
    return done.doc


def default_paths(report: Report, folder: str | Path) -> tuple[Path, Path]:
    """Predictable names next to the source: ``<机关>_<年度>年_年报数据.json`` and ``…_摘要.md``."""
    stem = report_stem(report.agency, report.year)
    base = Path(folder)
    return base / f"{stem}_年报数据.json", base / f"{stem}_摘要.md"

"""report: the complete publishable report (Word and/or HTML) from a report that checks clean.

Refuses, exactly as export does, while any 错误 stands or a 提示 lacks an explanation: a published report
must not show a blank as 0 or a number a rule rejects. Checked once; the front end writes the outputs,
both or neither.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..core.findings import refusal
from ..core.report import Report
from ..errors import Refused
from ..fileio import Output, write_all
from ..publish import Rendered, render
from .check import Checked, run_check
from .load import Source


@dataclass
class Published:
    checked: Checked
    rendered: Rendered | None
    refused: str | None = None
    outputs: list[Output] = field(default_factory=list)


def run_report(src: Source, *, docx: str | Path | None = None, html: str | Path | None = None,
               today: dt.date | None = None, previous: Report | None = None, write: bool = False,
               links: bool = False, limit: int = 8) -> Published:
    checked = run_check(src, previous=previous, today=today, write=write, links=links)
    if not checked.validation.ready:
        return Published(checked, None, refusal(checked.validation, limit, verb="生成年报"))
    rendered = render(checked.report, checked.validation, docx=docx is not None, html=html is not None)
    outputs = []
    if docx is not None and rendered.docx is not None:
        outputs.append(Output(Path(docx), rendered.docx, "Word 年度报告"))
    if html is not None and rendered.html is not None:
        outputs.append(Output(Path(html), rendered.html, "网页版年度报告"))
    return Published(checked, rendered, None, outputs)


def render_report(report: Report, *, docx_path: str | Path | None = None, html_path: str | Path | None = None,
                  today: dt.date | None = None) -> Rendered:
    """Render a report held in memory and write the files (both or neither); :class:`Refused` when not ready."""
    done = run_report(Source.of(report), docx=docx_path, html=html_path, today=today)
    if done.refused is not None or done.rendered is None:
        raise Refused(done.refused or "")
    write_all(done.outputs)
    return done.rendered

"""report: the complete publishable report (Word and/or HTML) from a report that checks clean.

Refuses, exactly as export does, while any 错误 stands or a 提示 lacks an explanation: a published report
must not show a blank as 0 or a number a rule rejects. Checked once; the front end writes the outputs,
both or neither.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..core.report import Report
from ..fileio import Output, write_all
from ..publish import Rendered, render
from ..render import Refusal, raise_if_refused
from .check import Checked, run_check
from .load import Source


@dataclass
class Published:
    checked: Checked
    rendered: Rendered | None
    refusal: Refusal | None = None
    outputs: list[Output] = field(default_factory=list)


def run_report(src: Source, *, docx: str | Path | None = None, html: str | Path | None = None,
               today: dt.date | None = None, previous: Report | None = None, write: bool = False,
               links: bool = False) -> Published:
    checked = run_check(src, previous=previous, today=today, write=write, links=links)
    if (refusal := Refusal.of(checked.validation, verb="生成年报")) is not None:
        return Published(checked, None, refusal)
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
    raise_if_refused(done)
    assert done.rendered is not None
    write_all(done.outputs)
    return done.rendered

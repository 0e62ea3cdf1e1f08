"""Publishing: the annual report as a Word file and as HTML, from a report that checks clean.

Both files carry the payload they were made from (``core.embedded``), so a reader with the tool gets the
numbers without re-reading the tables, and can check that the tables still say what the data says.

A writer adapter: it turns a checked report into bytes and never checks or writes files itself (the
``report`` command does both, once). python-docx is imported only when a Word file is asked for.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from ..core import payload
from ..core.embedded import embedded_text
from ..core.findings import Validation
from ..core.report import Report
from ..core.summary import summarize
from ..fileio import report_stem
from .document import MARKER, ReportDocument, build_document

__all__ = ["MARKER", "Rendered", "ReportDocument", "build_document", "default_report_paths", "render",
           "review_notice"]


@dataclass(frozen=True)
class Rendered:
    document: ReportDocument
    validation: Validation
    docx: bytes | None = None
    html: bytes | None = None


def render(report: Report, validation: Validation, *, docx: bool = True, html: bool = True) -> Rendered:
    """The Word and/or HTML bytes of a report that checked clean, each carrying the report's payload.

    The payload is the one ``export`` writes for the same report and validation (``core.embedded``): the page
    and the command line both come here, so their reports carry the same data.
    Raises ``Refused`` when a 【自动生成】 marker in the text names nothing the summary has.
    """
    document = build_document(report, validation)
    document = replace(document, data=embedded_text(payload.build(report, validation, summarize(report))))
    docx_bytes = html_bytes = None
    if docx:
        from .docx import render_docx

        docx_bytes = render_docx(document)
    if html:
        from .html import render_html

        html_bytes = render_html(document).encode("utf-8")
    return Rendered(document, validation, docx_bytes, html_bytes)


def review_notice(rendered: Rendered) -> str:
    """What to tell the clerk when the Word file carries the reviewer's page (never published)."""
    n = len(rendered.document.review)
    return f"Word 文件最后一页列出了 {n} 项已说明的提示，供审核人参考，公开发布前请删除该页。" if n else ""


def default_report_paths(report: Report, folder: str | os.PathLike[str]) -> tuple[Path, Path]:
    """``<机关>_<年度>年_政府信息公开工作年度报告.docx`` and ``.html`` in ``folder``."""
    stem = f"{report_stem(report.agency, report.year)}_{report.form.report_title}"
    base = Path(folder)
    return base / f"{stem}.docx", base / f"{stem}.html"

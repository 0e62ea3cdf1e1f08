"""Publishing: the annual report as a Word file and as HTML, from a report that checks clean.

``render_report`` runs the checks first and refuses, exactly as export does, while any 错误 stands or
a 提示 lacks an explanation: a published report must not show a blank as 0 or a number a rule
rejects. python-docx is imported only when a Word file is asked for.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from ..commands.export import refusal
from ..core.findings import Validation
from ..core.report import Report
from ..core.rules import check
from ..errors import Refused
from ..fileio import Output, report_stem, write_all
from .document import MARKER, ReportDocument, build_document

__all__ = ["MARKER", "Rendered", "ReportDocument", "build_document", "default_report_paths", "render_report"]

REPORT_NAME = "政府信息公开工作年度报告"


@dataclass(frozen=True)
class Rendered:
    document: ReportDocument
    validation: Validation
    docx: Path | None = None
    html: Path | None = None


def render_report(
    report: Report,
    *,
    docx_path: str | os.PathLike[str] | None = None,
    html_path: str | os.PathLike[str] | None = None,
    today: dt.date | None = None,
) -> Rendered:
    """Check the report, then write the Word and/or HTML file (atomically).

    Raises ``Refused`` (with ``commands.export.refusal``'s message) when the report is not ready,
    or when a 【自动生成】 marker in the text names nothing the summary has.
    """
    validation = check(report, today=today)
    if not validation.ready:
        raise Refused(refusal(validation))
    document = build_document(report, validation)
    files: list[Output] = []
    if docx_path is not None:
        from .docx import render_docx

        files.append(Output(Path(docx_path), render_docx(document), "Word 年度报告"))
    if html_path is not None:
        from .html import render_html

        files.append(Output(Path(html_path), render_html(document).encode("utf-8"), "网页版年度报告"))
    write_all(files)  # both or neither: a failed HTML leaves no new Word file behind
    return Rendered(document, validation, Path(docx_path) if docx_path is not None else None,
                    Path(html_path) if html_path is not None else None)


def review_notice(rendered: Rendered) -> str:
    """What to tell the clerk when the Word file carries the reviewer's page (never published)."""
    n = len(rendered.document.review)
    return f"Word 文件最后一页列出了 {n} 项已说明的提示，供审核人参考，公开发布前请删除该页。" if n else ""


def default_report_paths(report: Report, folder: str | os.PathLike[str]) -> tuple[Path, Path]:
    """``<机关>_<年度>年_政府信息公开工作年度报告.docx`` and ``.html`` in ``folder``."""
    stem = f"{report_stem(report.agency, report.year)}_{REPORT_NAME}"
    base = Path(folder)
    return base / f"{stem}.docx", base / f"{stem}.html"

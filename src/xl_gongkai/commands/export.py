"""Export: the checked report as a JSON payload (and optionally the summary as Markdown).

Export refuses while any 错误 stands or a 提示 has no explanation, and names them; ``draft=True``
writes the payload anyway, marked ``valid: false`` / ``ready: false`` for the office that collects
drafts. Files are written atomically.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ..core import payload
from ..core.findings import Severity, Validation
from ..core.report import Report
from ..core.rules import check
from ..core.summary import summarize
from ..errors import Refused
from ..fileio import Output, report_stem, write_all


def refusal(v: Validation, limit: int = 8) -> str:
    blocking = [f for f in v.findings if f.blocking]
    errors = [f for f in blocking if f.severity is Severity.ERROR]
    open_hints = [f for f in blocking if f.severity is not Severity.ERROR]
    head = []
    if errors:
        head.append(f"{len(errors)} 项错误")
    if open_hints:
        head.append(f"{len(open_hints)} 项提示未填写说明")
    lines = [f"未导出：还有{'、'.join(head)}。请改正错误，并在“校验结果”中为提示填写说明后再导出。"]
    lines += [f"  {f.message}" for f in blocking[:limit]]
    if len(blocking) > limit:
        lines.append(f"  ……另有 {len(blocking) - limit} 项，请运行 check 查看全部。")
    return "\n".join(lines)


def export_payload(
    report: Report,
    out: str | Path,
    *,
    today: dt.date | None = None,
    draft: bool = False,
    summary_path: str | Path | None = None,
) -> dict[str, Any]:
    validation = check(report, today=today)
    if not validation.ready and not draft:
        raise Refused(refusal(validation))
    summary = summarize(report)
    doc = payload.build(report, validation, summary)
    files = [Output(Path(out), payload.dumps(doc), "数据包")]
    if summary_path is not None:
        title = f"{report.agency}{report.year or ''}年政府信息公开工作年度报告摘要"
        files.append(Output(Path(summary_path), summary.markdown(title).encode("utf-8"), "摘要"))
    write_all(files)  # both or neither
    return doc


def default_paths(report: Report, folder: str | Path) -> tuple[Path, Path]:
    """Predictable names next to the source: ``<机关>_<年度>年_年报数据.json`` and ``…_摘要.md``."""
    stem = report_stem(report.agency, report.year)
    base = Path(folder)
    return base / f"{stem}_年报数据.json", base / f"{stem}_摘要.md"

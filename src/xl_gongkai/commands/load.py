"""Opens whatever the user names — a payload, a report document, a workbook — as a Report."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..core.findings import Finding
from ..core.report import Report
from ..errors import InputError

WORKBOOK_SUFFIXES = {".xlsm", ".xlsx"}
PUBLISHED_SUFFIXES = {".txt", ".html", ".htm"}  # a published report, read by adapters.published


@dataclass(frozen=True)
class Source:
    path: Path
    report: Report
    kind: str  # "payload", "report-json", "workbook", "published"
    notes: list[str] = field(default_factory=list)
    findings: tuple[Finding, ...] = ()  # what reading found (a published report's import findings)


def open_source(path: str | Path) -> Source:
    p = Path(path)
    if not p.exists():
        raise InputError("文件不存在。", place=str(p))
    suffix = p.suffix.lower()
    if suffix == ".json":
        from ..adapters.jsonfile import read_report

        loaded = read_report(p)
        return Source(p, loaded.report, "payload" if loaded.is_payload else "report-json", loaded.notes)
    if suffix in WORKBOOK_SUFFIXES:
        from ..adapters.workbook_macros import macro_findings
        from ..adapters.workbook_read import read_workbook

        return Source(p, read_workbook(p), "workbook", findings=macro_findings(p))
    if suffix in PUBLISHED_SUFFIXES:
        from ..adapters.published import import_report

        result = import_report(p)
        return Source(p, result.report, "published", findings=result.findings)
    raise InputError(f"不支持的文件类型“{p.suffix or '（无扩展名）'}”：请提供 .xlsm/.xlsx 工作簿、.json 数据包，"
                     "或已公布报告的 .txt/.html 文件。", place=str(p))

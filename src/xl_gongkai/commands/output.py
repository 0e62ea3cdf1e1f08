"""How findings and results are shown: plain Chinese lines for people, JSON for machines."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ..core.findings import ERROR, Finding, Validation
from ..core.report import Report


def finding_line(f: Finding, cells: bool = True) -> str:
    """One finding; ``cells=False`` for a published report, whose places are not template cells."""
    where = f.place.a1() if cells else ""
    line = f"[{f.severity}] {f.message}"
    if where:
        line += f"（位置：{where}）"
    if f.explanation:
        line += f"\n        说明：{f.explanation}"
    return line


def headline(report: Report) -> str:
    agency = report.agency or "（未填写机关名称）"
    year = report.year
    return f"{agency} {year}年度" if year else agency


def totals_line(v: Validation) -> str:
    c = v.counts()
    if not v.findings:
        return "校验通过：未发现错误或提示。"
    text = f"共 {len(v.findings)} 项：错误 {c['errors']} 项，提示 {c['warnings']} 项"
    if c["warnings"]:
        text += f"（已说明 {c['explained']} 项）"
    if c.get("to_write"):
        text += f"，待填写 {c['to_write']} 处"
    return text + "。"


def text_report(report: Report, v: Validation, notes: Iterable[str] = (), *, cells: bool = True) -> str:
    lines = [headline(report), *notes]
    lines += [finding_line(f, cells) for f in v.findings]
    lines.append(totals_line(v))
    return "\n".join(lines)


def json_report(source: str, report: Report, v: Validation, notes: Iterable[str] = ()) -> str:
    doc: dict[str, Any] = {
        "file": source,
        "agency": report.agency,
        "year": report.year,
        "validation": {**v.as_dict(), "ready": v.ready},
        "notes": list(notes),
    }
    return json.dumps(doc, ensure_ascii=False, indent=2)


def exit_code(v: Validation) -> int:
    """0 when no 错误 stands, 1 otherwise (2 is for input that cannot be read)."""
    return 1 if any(f.severity == ERROR for f in v.findings) else 0

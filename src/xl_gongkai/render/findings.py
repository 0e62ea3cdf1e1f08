"""Findings and their counts as people read them (plain Chinese lines) and as machines do (JSON)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from ..core.findings import Finding, Validation
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


def _open_parts(c: Mapping[str, int]) -> str:
    """``，待填写 3 处`` when a part is still to write, ``，待核对 2 处`` when the importer left cells to read from the
    original: the counts that are there only when they are not 0."""
    return "".join(f"，{word} {c[key]} 处" for key, word in (("to_write", "待填写"), ("to_check", "待核对"))
                   if c.get(key))


def counts_text(v: Validation) -> str:
    """``错误 1 项，提示 2 项（已说明 1 项）``, then the open parts (待填写, 待核对): the counts as the ribbon's
    alerts and the workbook's 校验结果 status line give them."""
    c = v.counts()
    return f"错误 {c['errors']} 项，提示 {c['warnings']} 项（已说明 {c['explained']} 项）" + _open_parts(c)


def totals_line(v: Validation) -> str:
    """The last line under the findings (command line, page): how many, or that the check passed."""
    c = v.counts()
    if not v.findings:
        return PASSED
    text = f"共 {len(v.findings)} 项：错误 {c['errors']} 项，提示 {c['warnings']} 项"
    if c["warnings"]:
        text += f"（已说明 {c['explained']} 项）"
    return text + _open_parts(c) + "。"


PASSED = "校验通过：未发现错误或提示。"


def draft_note(counts: Mapping[str, int]) -> str:
    """What a draft payload still lacks, from its counts (``validation.counts`` of the payload)."""
    text = f"注意：这是草稿（错误 {counts['errors']} 项，未说明的提示 {counts['warnings'] - counts['explained']} 项"
    return text + _open_parts(counts) + "）。"


def pending_line(v: Validation) -> str:
    """``待填写：一、总体情况、五、…`` — the parts still to write, by their headings; ``''`` when none."""
    names = [str(f.values.get("section", "")) or f.message for f in v.pending]
    return f"待填写：{'、'.join(names)}（汇总报告的文字由汇总机关撰写，写好后才能导出和生成年报）。" if names else ""


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

"""What ``new`` says about the workbook it made."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from ..core.ledger import Ledger
from ..core.report import Report


class NewWorkbook(Protocol):
    """What ``commands.new.Made`` tells about a new workbook."""

    report: Report | None
    previous: bool
    renamed: bool
    narrative: bool
    ledger: Ledger | None
    counted: bool


def new_workbook_line(path: Path, made: NewWorkbook) -> str:
    """``已生成工作簿：…``, with what was carried from last year or counted from the register."""
    if made.previous and made.report is not None:
        report = made.report
        kept = (f"地区、信用代码、填报人和审核人已沿用，机关名称改为“{report.agency}”" if made.renamed
                else "机关、地区、信用代码、填报人和审核人已沿用")
        carried = len(made.ledger) if made.ledger is not None else 0
        what = "汇总" if report.origin == "consolidation" else ""
        return (f"已生成 {report.year} 年度的{what}工作簿：{path}（{kept}，"
                + (f"上年台账中年底尚未办结的 {carried} 件申请已转入依申请台账，表三按台账填写"
                   if carried else "表三“上年结转”已按上年“结转下年度继续办理”逐列填入")
                + "，表二旁列出上年现行有效件数供参考"
                + ("，正文为上年文字的草稿，请逐段修改" if made.narrative else "") + "）。")
    note = ""
    if made.ledger is not None:
        done = "，表三已按台账填写）" if made.counted else "；没有报告年度，表三未按台账填写）"
        note = f"（依申请台账 {len(made.ledger)} 件申请{done}"
    return f"已生成工作簿：{path}{note}"

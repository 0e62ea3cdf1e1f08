"""Why a command will not write what was asked, carried by its result and worded here.

``export`` and ``report`` refuse while an 错误 stands, a part is still to write (待填写), a cell the importer could
not read is still to check (待核对) or a 提示 lacks its explanation; ``import -o`` refuses a workbook for a report
of a form that has no template. The command puts a :class:`Refusal` on its result and writes nothing; every front
end then asks :func:`refused` (the ribbon, which alerts) or :func:`raise_if_refused` (the command line and the
page, where a refusal is :class:`Refused`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..advice import SEE_ALL
from ..core.findings import Finding, Validation
from ..errors import Refused
from ..spec import Severity

# how many blocking findings a refusal names (the rest: "另有 N 项，请运行 check 查看全部"); the ribbon's alert
# box is smaller and names fewer (excel.py)
LIMIT = 8


# What stands in the way, by severity, in the order a refusal names it: how it is counted, what to do about it (a
# blocking 提示 is one without its explanation)
_OPEN = ((Severity.ERROR, "{n} 项错误", "改正错误"),
         (Severity.PENDING, "{n} 处待填写", "写好待填写的正文"),
         (Severity.UNREAD, "{n} 处待核对", "对照原文填写导入时未能读取的单元格、核对找不到的表或部分"),
         (Severity.WARNING, "{n} 项提示未填写说明", "在“校验结果”中为提示填写说明"))


@dataclass(frozen=True)
class Refusal:
    """A refusal as data: the blocking findings and the verb of what was refused, or one sentence (``reason``)."""

    verb: str = "导出"
    blocking: tuple[Finding, ...] = ()
    reason: str = ""

    @classmethod
    def of(cls, validation: Validation, verb: str = "导出") -> Refusal | None:
        """The refusal of a validation that is not ready (``None`` when nothing blocks)."""
        blocking = tuple(f for f in validation.findings if f.blocking)
        return cls(verb, blocking) if blocking else None

    def text(self, limit: int = LIMIT) -> str:
        """What is refused and why, the first ``limit`` blocking findings named."""
        if self.reason:
            return self.reason
        head, todo = [], []
        for severity, count, what in _OPEN:
            if n := sum(1 for f in self.blocking if f.severity is severity):
                head.append(count.format(n=n))
                todo.append(what)
        verb = self.verb
        lines = [f"未{verb}：还有{'、'.join(head)}。请{'，并'.join(todo)}后再{verb}。"]
        lines += [f"  {f.message}" for f in self.blocking[:limit]]
        if len(self.blocking) > limit:
            lines.append(f"  ……另有 {len(self.blocking) - limit} 项，{SEE_ALL.cli}。")
        return "\n".join(lines)


class Refusable(Protocol):
    """A command's result that may carry a refusal (export, report, import)."""

    @property
    def refusal(self) -> Refusal | None: ...


def refused(result: Refusable, limit: int = LIMIT) -> str | None:
    """The refusal's words, or ``None`` when the command did what was asked."""
    return result.refusal.text(limit) if result.refusal is not None else None


def raise_if_refused(result: Refusable, limit: int = LIMIT) -> None:
    """:class:`Refused` (exit 1 on the command line, a refusal on the page) when the result carries one."""
    if (text := refused(result, limit)) is not None:
        raise Refused(text)

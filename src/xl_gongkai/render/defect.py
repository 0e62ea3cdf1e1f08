"""The one sentence for a defect of the tool itself (exit 3 on the command line)."""

from __future__ import annotations


def defect_message(exc: BaseException, *, unchanged: str, report: str) -> str:
    """``程序内部错误（KeyError），操作没有完成，<unchanged>没有被修改。这是程序缺陷，<report>。``

    ``unchanged`` is what the user can rely on (the input files; the workbook's contents; the file opened in the
    page); ``report`` how to reach the maintainers from that front end (the log file; the page's details).
    """
    return f"程序内部错误（{type(exc).__name__}），操作没有完成，{unchanged}没有被修改。这是程序缺陷，{report}。"

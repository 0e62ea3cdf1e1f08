"""argparse in Chinese: usage, help headings and every error a clerk can cause on the command line.

argparse builds its frame and its errors from English message ids passed through ``gettext``
(``argparse._``). While our parser is built and used, :func:`chinese` puts a translation in front of it,
so ``用法：``, ``位置参数``, ``缺少参数：`` reach the user instead of English fragments; message ids of
programming errors (a parser defined wrongly) stay English, since only a developer meets them. An error
ends as a :class:`~xl_gongkai.errors.UsageError` (exit 2) that says how to get help.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

from .errors import UsageError

MESSAGES = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "optional arguments": "选项",  # Python before 3.10
    "show this help message and exit": "显示本帮助并退出",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "one of the arguments %s is required": "参数 %s 必须给出其中之一",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ignored explicit argument %r": "此选项不接受值：%r",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多只能有一个值",
    "expected at least one argument": "至少需要一个值",
    "expected %s argument": "需要 %s 个值",
    "expected %s arguments": "需要 %s 个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是：%(matches)s",
    "unexpected option string: %s": "意外的选项：%s",
    "invalid %(type)s value: %(value)r": "不是有效的%(type)s：%(value)r",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择：%(value)r（可选：%(choices)s）",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "没有这个命令：%(parser_name)r（可用的命令：%(choices)s）",
    "can't open '%(filename)s': %(error)s": "无法打开“%(filename)s”：%(error)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s：%(message)s\n",
}


def _translate(message: str) -> str:
    return MESSAGES.get(message, message)


def integer(text: str) -> int:
    """``type=`` for whole numbers; argparse names the type by ``__name__`` in its error."""
    return int(text)


integer.__name__ = "整数"


def _ntranslate(singular: str, plural: str, n: int) -> str:
    return _translate(singular if n == 1 else plural)


@contextmanager
def chinese() -> Iterator[None]:
    """Let argparse speak Chinese for the duration (its messages are looked up at the moment they are made)."""
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = _translate, _ntranslate  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


class ChineseHelp(argparse.HelpFormatter):
    """Section headings end with a full-width colon (argparse appends an ASCII one)."""

    def format_help(self) -> str:
        lines = super().format_help().split("\n")
        return "\n".join(f"{line[:-1]}：" if line.endswith(":") and line[:1].strip() else line for line in lines)


class ChineseParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are a :class:`UsageError` (exit 2) instead of English on standard error."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("add_help", False)
        kwargs.setdefault("formatter_class", ChineseHelp)
        super().__init__(*args, **kwargs)
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="显示本帮助并退出")

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message}。请运行 {self.prog} -h 查看用法。")

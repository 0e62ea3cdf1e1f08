"""The errors that reach a user: a Chinese message that names the place and says what to do.

Three kinds of situation end a command without findings, each with its exit code:

* :class:`InputError` (exit 2) — an input cannot be read, or an output cannot be written, or the command
  line is wrong: the user's situation, not a defect. The message names the file (and, where known, the
  sheet and cell, or the JSON key) and says what to do.
* :class:`Refused` (exit 1) — the report's content does not allow the command (export while an 错误
  stands).
* anything else is a defect of the tool itself (exit 3), logged with its traceback.

:func:`os_error_text` turns an operating-system error into a Chinese sentence, so that "Is a directory"
or "No space left on device" never reaches a clerk in English.
"""

from __future__ import annotations

import errno


class InputError(Exception):
    """The user's situation, not the tool's defect: the command-line exit code is 2.

    The message is shown as is: it names the file and, where known, the sheet and cell or the
    table/row/column, and says what to do. ``lead`` is the word the command line puts in front.
    """

    lead = "无法读取"

    def __init__(self, message: str, *, place: str | None = None) -> None:
        super().__init__(message)
        self.place = place

    def __str__(self) -> str:
        text = super().__str__()
        return f"{self.place}：{text}" if self.place else text


class OutputError(InputError):
    """An output that cannot or must not be written (it would replace an input, disk full, no permission…)."""

    lead = "无法写出"


class OwnOutput(InputError):
    """A file this tool wrote as an audit result: recognised by its content, listed, never read as a report."""

    def __init__(self, message: str, *, place: str | None = None, role: str = "audit") -> None:
        super().__init__(message, place=place)
        self.role = role


class UsageError(InputError):
    """The command line itself is wrong (an unknown option, a missing argument)."""

    lead = "命令有误"


class Refused(Exception):
    """A command that will not proceed because of the report's content (exit code 1).

    Export refuses while any 错误 stands or a 提示 lacks an explanation; the message names them.
    """


# errno → what happened, in the words a clerk understands; the advice depends on reading or writing
_OS_ERRORS: dict[int, str] = {
    errno.ENOENT: "文件或文件夹不存在",
    errno.EACCES: "没有访问权限",
    errno.EPERM: "操作不被允许（没有权限）",
    errno.EROFS: "所在位置是只读的（只读磁盘、光盘或只读共享文件夹）",
    errno.ENOSPC: "磁盘空间已满",
    errno.EDQUOT: "磁盘配额已用完",
    errno.ENAMETOOLONG: "文件名或路径过长",
    errno.EISDIR: "这是一个文件夹，不是文件",
    errno.ENOTDIR: "路径中有一项不是文件夹",
    errno.EEXIST: "已有同名文件",
    errno.EBUSY: "文件正被占用",
    errno.ETXTBSY: "文件正被占用",
    errno.EMFILE: "同时打开的文件过多",
    errno.ENFILE: "同时打开的文件过多",
    errno.EIO: "读写磁盘时出错（磁盘或网络共享可能有故障）",
    errno.EINVAL: "文件名中有不允许的字符",
    errno.EPIPE: "输出管道已关闭",
    errno.EXDEV: "不能跨磁盘移动文件",
    errno.ELOOP: "路径中的链接形成了循环",
    errno.EFBIG: "文件过大",
}
# Windows error codes that Python maps to PermissionError/EACCES but that mean "another program has it open"
_WIN_SHARING = {32, 33}  # ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION
_WIN_ERRORS = {206: errno.ENAMETOOLONG, 112: errno.ENOSPC, 123: errno.EINVAL}

_WRITE_ADVICE: dict[int, str] = {
    errno.EACCES: "请换一个有写入权限的文件夹，或请管理员开放权限",
    errno.EPERM: "请换一个有写入权限的文件夹，或请管理员开放权限",
    errno.EROFS: "请换一个可以写入的文件夹（例如“文档”或桌面）",
    errno.ENOSPC: "请清理磁盘或换一个磁盘后重试",
    errno.EDQUOT: "请清理空间或换一个磁盘后重试",
    errno.ENAMETOOLONG: "请用较短的文件名，或换一个层级较浅的文件夹",
    errno.EISDIR: "请在文件夹名后写上文件名，例如 文件夹/结果.xlsx",
    errno.ENOTDIR: "请检查输出路径",
    errno.EINVAL: "请去掉文件名中的 \\ / : * ? \" < > | 等字符",
}
_READ_ADVICE: dict[int, str] = {
    errno.ENOENT: "请检查文件名和路径",
    errno.EACCES: "请确认有读取权限，或把文件复制到自己的文件夹后再试",
    errno.EPERM: "请确认有读取权限，或把文件复制到自己的文件夹后再试",
    errno.EISDIR: "请指定文件夹中的一个文件",
}


def os_error_text(exc: OSError, *, writing: bool = False) -> str:
    """A Chinese sentence for an OS error: what happened and what to do (without the path)."""
    winerror = getattr(exc, "winerror", None)
    if winerror in _WIN_SHARING:
        what = "文件正被其他程序打开（例如 Word、Excel 或 WPS）"
        return f"{what}，请关闭该文件后重试。"
    code = _WIN_ERRORS.get(winerror, exc.errno) if winerror is not None else exc.errno
    if code is None and isinstance(exc, TimeoutError):
        return "操作超时（网络共享文件夹可能无法访问），请稍后重试。"
    known = _OS_ERRORS.get(code or -1)
    if known is not None:
        what = known
    else:
        what = f"操作系统报告错误（代码 {code}）" if code is not None else "操作系统报告错误"
    advice = (_WRITE_ADVICE if writing else _READ_ADVICE).get(code or -1)
    if advice is None and code in (errno.EBUSY, errno.ETXTBSY):
        advice = "请关闭正在使用该文件的程序后重试"
    return f"{what}，{advice}。" if advice else f"{what}。"

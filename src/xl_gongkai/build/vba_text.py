"""The Chinese messages the template's VBA shows itself, and the ASCII VBA module that spells them.

Most messages come from Python (``xl_gongkai.excel``) once Python runs. These are the few the VBA must show
when Python cannot run at all: no interpreter configured, the configured one missing, the Python side
failed before it could show anything, WPS (which cannot run xlwings); and the status bar text while Python
works. VBA source is stored in the project's code page, which cannot hold Chinese on most machines, so the
module is generated: ASCII stays literal, every other character becomes ``ChrW(&Hxxxx)``. The texts exist
once, here; ``excel doctor`` prints the same texts for the same situations (:func:`message`).

Placeholders (``{path}``, ``{log}``, ``{detail}``) are filled in VBA with ``Replace``.
"""

from __future__ import annotations

from collections.abc import Mapping

MODULE_NAME = "GongkaiText"

WEB_AND_CLI = ("请改用“网页版”（xl_gongkai 网页版，在浏览器中打开，不需要 Python），或在命令行中运行："
               "xl-gongkai check 本文件（见《Excel 使用说明》）。")

MESSAGES: dict[str, str] = {
    "title": "政务公开年报",
    "not_configured": (
        "本机还没有为 Excel 配置 Python，按钮无法运行。\n"
        "请由信息化人员运行安装包中的 install.cmd，或在命令提示符中运行：xl-gongkai excel install\n"
        "安装后运行 xl-gongkai excel doctor 可检查配置。\n" + WEB_AND_CLI
    ),
    "not_found": (
        "找不到为 Excel 配置的 Python：\n{path}\n"
        "它可能已被移动或删除。请重新运行 install.cmd 或 xl-gongkai excel install，"
        "再用 xl-gongkai excel doctor 检查。\n" + WEB_AND_CLI
    ),
    "run_failed": (
        "Python 没有正常运行完（可能是 xl_gongkai 或 xlwings 没有安装在所配置的 Python 中，或安装已损坏）。"
        "工作簿中填写的内容没有被修改。\n"
        "请运行 xl-gongkai excel doctor 检查安装；详细情况已记入日志：\n{log}\n"
        "联系维护人员时请附上该文件。"
    ),
    "start_failed": (
        "无法启动 Python（{detail}）。\n"
        "如果已经安装，可能是安全软件阻止了 Excel 启动其他程序（“阻止 Office 应用程序创建子进程”），"
        "请联系信息化部门放行。\n" + WEB_AND_CLI
    ),
    "busy": (
        "政务公开年报：Python 正在运行，请稍候……第一次点击可能需要十几秒，其间 Excel 可能显示“未响应”，"
        "请不要关闭 Excel。"
    ),
    "wps_info": (
        "“WPS 用户”一组是写给用 WPS 表格打开本模板的人的：WPS 不能运行 Python，"
        "校验、填充合计、导出和生成年报，" + WEB_AND_CLI + "\n"
        "您现在使用的是 Microsoft Excel，直接点击左边的按钮即可。"
    ),
    "not_excel": (
        "当前程序（{detail}）不是 Microsoft Excel：本模板的按钮通过 xlwings 调用 Python，"
        "WPS 表格等其他程序不能运行。\n可以继续在这里填写和保存；校验、填充合计、导出和生成年报，" + WEB_AND_CLI
    ),
}
"""Every text the VBA can show by itself, by key (the VBA function is ``Gk_T_<key>``); the key of each message
shown is written to vba.log with it."""


def message(key: str, **values: str) -> str:
    """A message with its placeholders filled, as the VBA shows it."""
    text = MESSAGES[key]
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return text


def function_name(key: str) -> str:
    return "Gk_T_" + "".join(part.capitalize() for part in key.split("_"))


def _pieces(text: str) -> list[str]:
    """VBA expressions whose concatenation is ``text``: literal runs of printable ASCII, ChrW for the rest."""
    out: list[str] = []
    literal = ""
    for ch in text:
        code = ord(ch)
        if 0x20 <= code < 0x7F:
            literal += '""' if ch == '"' else ch
            continue
        if literal:
            out.append(f'"{literal}"')
            literal = ""
        if code > 0xFFFF:
            raise ValueError(f"U+{code:04X} is outside the Basic Multilingual Plane: ChrW cannot produce it")
        out.append("vbLf" if ch == "\n" else f"ChrW(&H{code:04X})")
    if literal:
        out.append(f'"{literal}"')
    return out or ['""']


def _function(key: str, text: str, per_line: int = 8) -> list[str]:
    name = function_name(key)
    pieces = _pieces(text)
    lines = [f"Public Function {name}() As String", "    Dim s As String"]
    for i in range(0, len(pieces), per_line):
        lines.append("    s = s & " + " & ".join(pieces[i : i + per_line]))
    lines += [f"    {name} = s", "End Function", ""]
    return lines


def vba_module(messages: Mapping[str, str] = MESSAGES) -> str:
    """The source of the ``GongkaiText`` standard module (ASCII only; CRLF line ends)."""
    lines = [
        f'Attribute VB_Name = "{MODULE_NAME}"',
        "Option Explicit",
        "",
        "' Generated from xl_gongkai/build/vba_text.py by `xl-gongkai template build`: do not edit.",
        "' Chinese text is spelled with ChrW so that the source stays ASCII in any code page.",
        "",
    ]
    for key, text in messages.items():
        lines += _function(key, text)
    source = "\r\n".join(lines) + "\r\n"
    source.encode("ascii")  # a non-ASCII character here is a defect of this generator
    return source

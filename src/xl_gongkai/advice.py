"""What to do next, where the answer depends on where the user is.

A message says what is wrong and what to do. Most of what to do is the same everywhere ("改正表三的合计");
some of it is a command or a program to install, and a clerk using the offline web page has no command
line and runs no programs: the page has its own buttons for the same jobs. Messages are composed with the
command line's wording (the command line, the audit and the logs show them as they are); the page shows
each message with every phrase below in its own words (:func:`for_page`). The findings and refusals stay
the same ones: only the advice differs.

``tests/test_webpage.py`` keeps this list whole: every phrase of the product that names a command is one
of these, word for word, and no page wording names one.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Advice:
    cli: str  # as the command line (and the audit, the ribbon, the logs) says it
    page: str  # as the web page says it: its buttons, never a command


# a workbook that is not (or no longer) the template: start from a new one
NEW_TEMPLATE_REFILL = Advice("请用 xl-gongkai new 重新生成模板后填写", "请在本页“下载空白工作簿”后填写")
NEW_TEMPLATE_MOVE = Advice("请用 xl-gongkai new 生成新模板后转填", "请在本页“下载空白工作簿”后转填")
NEW_TEMPLATE_MAY_MOVE = Advice("可用 xl-gongkai new 生成新模板后转填", "可在本页“下载空白工作簿”后转填")
CURRENT_TEMPLATE = Advice("请用当前版本的 xl-gongkai new 生成新模板，把数字转填过去",
                          "请在本页“下载空白工作簿”（当前版本的模板），把数字转填过去")
# a refusal names the first blocking findings; the page lists them all anyway
SEE_ALL = Advice("请运行 check 查看全部", "全部问题见本页下方的列表")
# F4 (rules.json): a workbook whose macros lost their code names; a page user has no use for the buttons
MACROS_LOST = Advice(
    "命令行照常读取和处理，但在 Excel 中“政务公开年报”选项卡的按钮将无法工作。需要按钮时，请用 xl-gongkai new "
    "--from 本文件 -o 新文件.xlsm 生成新的工作簿，填写的内容会全部转入",
    "网页版照常读取和处理，但在 Excel 中“政务公开年报”选项卡的按钮将无法工作。需要在 Excel 中使用按钮时，"
    "请装有本工具的同事由本文件生成新的工作簿，填写的内容会全部转入")

# L6 (rules.json): applications of next year in this year's register; the page makes no next year's workbook
NEXT_YEAR_CARRIES = Advice("用 xl-gongkai new --previous 生成下一年度的工作簿时会转入", "生成下一年度的工作簿时会转入")
# a file only LibreOffice reads (.doc, .wps, RTF, OpenDocument): the page runs no programs, installing one helps
# nothing there (adapters/office.py)
NO_LIBREOFFICE = Advice("本工具要用 LibreOffice 把它转换后才能读取，但本机没有找到 LibreOffice（命令 soffice）。"
                        "请安装 LibreOffice（免费，https://www.libreoffice.org）后重试；或",
                        "网页版不能转换这种文件：请")

ALL = (NEW_TEMPLATE_REFILL, NEW_TEMPLATE_MOVE, NEW_TEMPLATE_MAY_MOVE, CURRENT_TEMPLATE, SEE_ALL, MACROS_LOST,
       NEXT_YEAR_CARRIES, NO_LIBREOFFICE)


def for_page(text: str) -> str:
    """A message as the web page shows it: each command-line phrase in the page's words."""
    for advice in ALL:
        text = text.replace(advice.cli, advice.page)
    return text

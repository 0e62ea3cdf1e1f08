"""The agency, the report year and the statistics period, as the published text states them.

Sources, in order of preference: the title (``<机关><年度>年政府信息公开工作年度报告``: the collection's
header line, the title lines at the top of the body, the page's ``<title>``); then the sentence that
says who compiled which report (``由保康县农业农村局编制``, ``编制了2021年政府信息公开年度报告``);
then the statistics period (``本报告所列数据的统计期限自2025年1月1日至12月31日``); and last, for the
year only, the year that opens the narrative's paragraphs (``2020年全区各级行政机关共受理……``). A
value taken from anywhere but the title is said in an I5 finding that quotes the sentence.

Portal pages put their furniture around the report (``关怀版 无障碍``, ``登录 | 注册``, ``分享 字号``,
``来源：… 时间：…``): it is not the agency's name and not the preamble (``portal_chrome``).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from ...core.findings import Finding, Place
from .heuristics import heuristic
from .notes import import_finding
from .text import Line

_TITLE = re.compile(
    r"^(?P<agency>.*?)\s*(?P<year>(?:19|20)\d{2})\s*年度?\s*(?:的)?\s*政府信息公开(?:工作)?\s*年度?\s*报告"
)
_TITLE_YEAR_FIRST = re.compile(
    r"^(?P<year>(?:19|20)\d{2})\s*年度?\s*(?P<agency>.+?)\s*政府信息公开(?:工作)?\s*年度?\s*报告"
)
_TITLE_LINE = re.compile(r"^.{0,60}?政府信息公开(?:工作)?年度报告(?:[（(].*[)）])?$")
_PERIOD = re.compile(
    r"(?:统计|期限|期间|时间|范围|报告|数据)[^。；;]{0,24}?(\d{4})年(\d{1,2})月(\d{1,2})日(?:起)?"
    r"(?:至|到|—|-|~|－|～)(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日"
)
# “编制了2021年政府信息公开年度报告”, “现公布本机关2023年度政府信息公开工作年度报告”
_COMPILED_YEAR = re.compile(
    r"(?:编制|公布|发布|形成|制作)(?:了|完成)?[^。；]{0,12}?((?:19|20)\d{2})\s*年度?[^。；]{0,12}?"
    r"政府信息公开(?:工作)?\s*年度?\s*报告"
)
# “本报告由淮安市人民政府办公室根据……编制”, “由江苏省公安厅编制”; “……规定，某县水利局编制了……报告”
_COMPILED_BY = re.compile(r"由([^，,。；;：:\s（(《“”\"]{2,30}?)(?:根据|依据|按照|结合|汇总|负责|编制)")
_COMPILER = re.compile(
    r"(?:^|[，,。；;])([^，,。；;：:\s（(《“”\"]{2,30}?(?:局|委|办|厅|院|署|会|中心|办公室|政府|乡|镇|街道))"
    r"(?:编制|制作|编写)了?[^。；]{0,20}?报告"
)
# a year that opens a paragraph or sentence of the narrative: “2020年全区各级行政机关……”
_OPENING_YEAR = re.compile(
    r"(?:^|[。；！？\n])\s*((?:19|20)\d{2})\s*年(?!以来|来|起|底|末|初|前|上半年|下半年|度以来|\d)"
)
# A note the collection (or a portal) put after the agency's name: not part of any name.
_NAME_NOTE = re.compile(r"\s*[（(][^（）()]*(?:[A-Za-z_]|推断|未显示|未出现|不详)[^（）()]*[)）]\s*$")

# Portal furniture around the article on government sites. Words that never begin an agency's name;
# single characters count only as whole items (the 大 中 小 of a font-size switch).
CHROME_WORDS = (
    "关怀版", "无障碍", "长者模式", "适老化", "登录", "注册", "退出", "首页", "网站首页", "网站地图", "繁體", "繁体",
    "简体", "English", "字号", "字体", "默认", "分享", "分享到", "打印", "打印本页", "关闭", "关闭窗口", "收藏",
    "加入收藏", "微信", "微博", "QQ空间", "全真版", "文字版", "文件下载", "相关链接", "扫一扫", "手机版", "返回顶部",
    "当前位置", "您当前的位置", "您当前所在的位置", "您的位置", "您所在的位置", "我要纠错", "智能问答",
)
_CHROME_SINGLE = frozenset("大中小")
_FULL_WIDTH = str.maketrans(",;:()!?", "，；：（）！？")
_CHROME_FIELD = re.compile(
    r"^[-—·•\s]*(?:来源|信息来源|发布机构|发布日期|发布时间|时间|日期|作者|浏览次数|点击数|阅读次数|访问量|索引号|"
    r"文号|主题分类|发文机关|成文日期)\s*[:：]"
)
_CHROME_SPLIT = re.compile(r"[\s|｜/>»›：:，,、【】\[\]]+")


def _chrome_item(item: str) -> bool:
    return item in CHROME_WORDS or item in _CHROME_SINGLE


@heuristic("portal_chrome", "metadata")
def is_chrome_line(text: str) -> bool:
    """A line of portal furniture: only navigation words, or a short ``来源：… 时间：…`` field line."""
    stripped = text.strip()
    if not stripped:
        return False
    if _CHROME_FIELD.match(stripped) and len(stripped) <= 80 and "。" not in stripped:
        return True
    items = [x for x in _CHROME_SPLIT.split(stripped) if x]
    return bool(items) and all(_chrome_item(x) for x in items)


def strip_chrome(agency: str) -> str:
    """The agency's name without navigation text before it: ``登录 | 注册团结乡`` is ``团结乡``."""
    items = [x for x in _CHROME_SPLIT.split(agency.strip()) if x]
    if len(items) <= 1 and not any(agency.startswith(w) for w in CHROME_WORDS):
        return agency.strip()
    chrome = [_chrome_item(x) or any(x.startswith(w) for w in CHROME_WORDS) for x in items]
    if not any(chrome):
        return agency.strip()
    name = items[-1]
    for w in sorted(CHROME_WORDS, key=len, reverse=True):
        if name.startswith(w) and len(name) > len(w):
            name = name[len(w):]
            break
    return "" if _chrome_item(name) else name


@heuristic("agency_note", "metadata")
def strip_name_note(agency: str) -> str:
    """A bracketed note after the name that no name has (Latin letters, “推断”): ``耿马县司法局（据栏目路径…推断）``."""
    return _NAME_NOTE.sub("", agency).strip()


def parse_title(text: str) -> tuple[str | None, int | None] | None:
    """``(agency, year)`` of ``<机关><年度>年政府信息公开工作年度报告`` (or ``<年度>年<机关>…``)."""
    m = _TITLE.match(text.strip()) or _TITLE_YEAR_FIRST.match(text.strip())
    if not m:
        return None
    agency = re.sub(r"^关于|(?:关于|的)$", "", m.group("agency").strip(" 　\t:：-—")).strip()
    agency = strip_name_note(strip_chrome(agency))
    return agency or None, int(m.group("year"))


@heuristic("title_lines", "metadata")
def body_title(lines: Sequence[Line], first_heading: int) -> tuple[tuple[str | None, int | None] | None, int]:
    """The title printed at the top of the body, on up to three lines: ``(agency, year)`` and the lines it took."""
    top = [(i, ln.text.strip()) for i, ln in enumerate(lines[:first_heading]) if ln.text.strip()][:8]
    for j in range(len(top)):
        for width in (1, 2, 3):
            chunk = top[j:j + width]
            if len(chunk) < width:
                break
            joined = "".join(t for _, t in chunk)
            if _TITLE_LINE.match(re.sub(r"\s+", "", joined)):
                return parse_title(joined), chunk[-1][0] + 1
    return None, 0


@dataclass(frozen=True)
class Meta:
    agency: str | None
    year: int | None
    period: tuple[str, str] | None
    title_lines: int  # how many leading lines of the body the title occupies
    findings: tuple[Finding, ...] = field(default=())


def _said(field_key: str, label: str, what: str) -> Finding:
    return import_finding("I5", f"metadata.{field_key}", Place(field=field_key), where=f"封面“{label}”", what=what)


def _quote(text: str, start: int, end: int) -> str:
    left, right = max(0, start - 12), min(len(text), end + 12)
    return ("…" if left else "") + text[left:right] + ("…" if right < len(text) else "")


@heuristic("compiling_sentence", "metadata")
def compiling_sentence(text: str) -> tuple[tuple[str, str] | None, tuple[int, str] | None]:
    """Who compiled the report, and for which year: ``由…编制``, ``编制了2021年…年度报告``.

    Returns ``((agency, quote) | None, (year, quote) | None)``.
    """
    flat = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    by = _COMPILED_BY.search(flat) or _COMPILER.search(flat)
    year = _COMPILED_YEAR.search(flat)
    agency = (strip_chrome(by.group(1)), _quote(flat, by.start(), by.end())) if by else None
    return (agency if agency and agency[0] else None,
            (int(year.group(1)), _quote(flat, year.start(), year.end())) if year else None)


@heuristic("statistics_period", "metadata")
def find_period(text: str) -> tuple[str, str] | None:
    """The statistics period as the text states it (``统计期限自…至…``, ``本报告所列数据…至…``): ISO dates."""
    flat = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    m = _PERIOD.search(flat)
    if not m:
        return None
    y1, m1, d1, y2, m2, d2 = m.groups()
    try:
        start = dt.date(int(y1), int(m1), int(d1))
        end = dt.date(int(y2 or y1), int(m2), int(d2))
    except ValueError:
        return None
    return start.isoformat(), end.isoformat()


@heuristic("opening_year", "metadata")
def opening_year(text: str) -> tuple[int, str] | None:
    """The one year that opens the narrative's sentences (``2020年全区……``), when no other source has a year."""
    flat = unicodedata.normalize("NFKC", text)
    hits = list(_OPENING_YEAR.finditer(flat))
    years = {int(m.group(1)) for m in hits}
    if len(years) != 1:
        return None
    m = hits[0]
    start = m.start(1)
    return int(m.group(1)), flat[start:start + 30].split("\n")[0].translate(_FULL_WIDTH)


def read_metadata(lines: Sequence[Line], first_heading: int, first_table: int, given: str | None,
                  html_title: str | None) -> Meta:
    """Agency, year and period of a report, and an I5 finding for each taken from elsewhere than the title."""
    parsed_body, used = body_title(lines, first_heading)
    agency = year = None
    # the title as given (the collection's header or the caller) wins; then the body's; then <title>
    for parsed in (parse_title(given) if given else None, parsed_body,
                   parse_title(html_title) if html_title else None):
        if parsed:
            agency, year = agency or parsed[0], year or parsed[1]
            if agency and year:
                break
    text = "\n".join(ln.text for ln in lines)
    period = find_period(text)
    found: list[Finding] = []
    if agency is None or year is None:
        front = "\n".join(ln.text for ln in lines[used:first_table])
        by, compiled = compiling_sentence(front)
        if agency is None and by is not None:
            agency = by[0]
            found.append(_said("agency", "机关名称", f"原文标题中没有机关名称，取自正文“{by[1]}”"))
        if year is None and compiled is not None:
            year = compiled[0]
            found.append(_said("year", "报告年度", f"原文没有带年度的标题，取自正文“{compiled[1]}”"))
        if year is None and period is not None:
            year = int(period[1][:4])
            found.append(_said("year", "报告年度", f"原文没有带年度的标题，取自统计期限（{period[0]}至{period[1]}）"))
        if year is None:
            opened = opening_year(front)
            if opened is not None:
                year = opened[0]
                found.append(_said("year", "报告年度",
                                   f"原文没有标题和统计期限，按正文开头的“{opened[1]}……”推断为{year}年"))
    return Meta(agency, year, period, used, tuple(found))

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
import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from ...core.findings import Finding, Place
from .agency import (
    ATTACHMENT_MARK,
    FIELD_LABELS,
    LEVEL_FIRST,
    agency_name,
    body_kind_confirms,
    body_kind_differs,
    field_value,
    fields_inside,
)
from .chrome import strip_chrome
from .heuristics import heuristic
from .labels import one_edit
from .notes import import_finding
from .text import Line

# What a title calls the report: 政府信息公开工作年度报告, and as agencies word it — 政府信息公开年报 (a CMS's
# column), 政务公开工作年度报告, 信息公开工作年度报告, 政府信息公开工作报告 (the year before it says which:
# ``某县气象局2024年度政府信息公开工作报告``, ``现将2022年上海市人民政府参事室政府信息公开工作报告如下``)
# A title whose last words were typed out of order (``昌图县七家子镇2023年政府信息公开 工作告年度报``, a township's
# page as published) is still the title: four to six of the characters of 工作年度报告, 报 and 告 among them.
_JUMBLED = r"(?=[工作年度报告]*报)(?=[工作年度报告]*告)[工作年度报告]{4,6}(?![\u4e00-\u9fff])"
_DISCLOSURE = r"(?:政府信息公开|政务信息公开|政务公开|信息公开)"  # what the report is about, as titles word it
_REPORT = (rf"{_DISCLOSURE}"
           rf"(?:(?:工作)?\s*(?:开展)?\s*(?:情况)?\s*(?:的)?\s*(?:(?:年度?\s*)?报告|年报)|\s*{_JUMBLED})")
_TITLE = re.compile(
    rf"^(?P<agency>.*?)\s*(?P<year>(?:19|20)\d{{2}})\s*年度?\s*(?:的)?\s*{_REPORT}"
)
_TITLE_YEAR_FIRST = re.compile(
    rf"^(?P<year>(?:19|20)\d{{2}})\s*年度?\s*(?P<agency>.+?)\s*{_REPORT}"
)
# the year inside the words: 某区司法局政府信息公开工作2025年度报告, 盐城市行政审批局政府信息公开工作 ‖
# 2022年度情况的报告
_TITLE_YEAR_INSIDE = re.compile(
    rf"^(?P<agency>.+?)\s*{_DISCLOSURE}(?:工作)?\s*"
    r"(?P<year>(?:19|20)\d{2})\s*年度?\s*(?:情况的?)?\s*(?:报告|年报)$"
)
# no year at all (the page's statistics period gives it): 某某街道政府信息公开工作年度报告
_TITLE_NO_YEAR = re.compile(rf"^(?P<agency>[^\d\s，,。；]{{2,40}}?)\s*{_REPORT}$")
# the year after the words, in brackets: 某县水利局政府信息公开工作年度报告（2024年度）
_TITLE_YEAR_AFTER = re.compile(
    rf"^(?P<agency>.+?)\s*{_REPORT}\s*[（(]\s*(?P<year>(?:19|20)\d{{2}})\s*年度?\s*[)）]$"
)
# A title line: the report's words at its end, or before the words of a notice that publishes it (``关于公布……年度报告
# 的公告``, ``关于印发《……年度报告》的通知``) or a site's name after a separator (``……年度报告_某市人民政府门户网站``,
# a page's <title> as first line).
_NOTICE_END = r"(?:的(?:通知|公告|公示))?"
_SITE_AFTER = r"(?:\s*[_｜|\-—–]+\s*[^。，,；;]{2,40})?"
_TITLE_LINE = re.compile(rf"^.{{0,60}}?{_REPORT}》?(?:[（(].*[)）])?{_NOTICE_END}{_SITE_AFTER}$")
# The notice's words around the report's agency: ``某办公室关于印发某县人民政府`` names the report's agency after
# them, ``某镇人民政府关于公布`` before them.
_NOTICE = re.compile(r"^(?P<before>.*?)关于(?:印发|公布|发布|公开|转发)?(?P<after>.*)$")
# a year in Chinese numerals (二〇二四年): read as digits
_HAN_YEAR = re.compile(r"[〇零○一二三四五六七八九]{4}(?=\s*年)")
_HAN_DIGITS = str.maketrans("〇零○一二三四五六七八九", "00012345678" + "9")
# (the first date's 年 may be lost: ``统计期限为20231月1日至12月31日``, 易门县气象局 2023 — a year has four digits,
# so what follows them is the month)
_PERIOD = re.compile(
    r"(?:统计|期限|期间|时间|范围|报告|数据)[^。；;]{0,24}?((?:19|20)\d{2})年?(\d{1,2})月(\d{1,2})日(?:起)?"
    r"(?:至|到|—|-|~|－|～)(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日"
)
# “编制了2021年政府信息公开年度报告”, “现公布本机关2023年度政府信息公开工作年度报告”
# — or the sentence that reports the year's work itself: “汇报我镇2023年政府信息公开工作”, “现将2023年度政府信息公开
# 工作情况报告如下” (a town's page without title or statistics period)
_COMPILED_YEAR = re.compile(
    r"(?:编制|公布|发布|形成|制作)(?:了|完成)?[^。；]{0,12}?((?:19|20)\d{2})\s*年度?[^。；]{0,12}?"
    r"政府信息公开(?:工作)?\s*年度?\s*报告"
    r"|(?:汇报|现将)[^。；]{0,12}?((?:19|20)\d{2})\s*年度?[^。；\d]{0,12}?政府信息公开工作"
)
# “本报告由淮安市人民政府办公室根据……编制”, “由江苏省公安厅编制”; “……规定，某县水利局编制了……报告”
# (the sentence must say 编制: ``由党政办负责政府信息公开的日常工作`` in part 一 names who does the work, 金牛镇 2025;
# ``由徐水区人民政府综合全区各部门……编制而成``, 徐水区 2022, is the district's own)
_COMPILED_BY = re.compile(
    r"由([^，,。；;：:\s（(《“”\"]{2,30}?)(?:(?:根据|依据|按照|结合|汇总|综合|负责|组织)[^。；;]{0,200}?)?编制")
# The title inside the sentence that says the report was compiled or published, when the page has no title line:
# “特编制湛江市人民政府地方志办公室2023年政府信息公开工作年度报告。” (湛江市地方志办 2023, as a page's text)
# The title may also open the preamble's first sentence: “荆州市荆州区人民政府办公室2021年政府信息公开工作年度报告
# (以下简称年报)是根据……编制” (a page's text whose title line was lost).
# In title marks too, and with whatever a mirror glued before the name up to a colon (``现编制形成了《uedbet体育_
# uedbet官网@:西柳镇人民政府2023年……年度报告》``): the name is cleaned as any is (``agency_name``).
# The sentence may publish the year's 情况 rather than its 报告: ``特向社会公布广元市统计局2024年政府信息公开情况``
# (广元市统计局 2024), read as the title ``…政府信息公开情况报告``.
# Or the preamble names the report by its title in title marks and defines its short name: ``《双塔区人民政府2022年
# 政府信息公开工作年度报告》(以下简称《年报》)通过……向社会公开`` (双塔区 2022).
_TITLE_IN_SENTENCE = re.compile(
    rf"(?:^|编制|公布|公开|发布|形成|制作|现将|特将|(?=《[^《》\n]{{2,60}}》[（(]以下简称))(?:了|完成)?《?"
    rf"(?P<title>[^。；，,“”《》\n]{{2,60}}?(?:{_REPORT}|(?<=\d年|年度)政府信息公开(?:工作)?情况))"
)
_SITUATION = "情况"
# The office inside the agency that compiled it, after the agency's name: ``由三元区人力资源和社会保障局政府信息
# 公开工作机构-办公室编制`` is the 局's report; so is ``由南京市浦口区教育局办公室编制`` the 教育局's (浦口区教育局
# 2024). A government's office (``人民政府办公室``) is a body of its own and is kept.
_OFFICE_OF = re.compile(r"的?政府信息公开(?:工作)?(?:机构|领导小组|主管部门|工作专班).*$|(?<=[局厅委])办公室$")
_COMPILER = re.compile(
    r"(?:^|[，,。；;])([^，,。；;：:\s（(《“”\"]{2,30}?(?:局|委|办|厅|院|署|会|中心|办公室|政府|乡|镇|街道))"
    r"(?:特|现|已)?(?:编制|制作|编写)了?[^。；]{0,20}?报告"
)
# a year that opens a paragraph or sentence of the narrative: “2020年全区各级行政机关……”, or a clause of its own
# after a comma (``坚持依法公开,2022年,我局在某县人民政府网站主动公开信息416条``: 中江县某局 2022, a page with
# no title, no statistics period and no sentence that opens with its year); the marks as NFKC leaves them too)
_OPENING_YEAR = re.compile(
    r"(?:(?:^|[。；;！!？?\n])\s*((?:19|20)\d{2})\s*年(?!以来|来|起|底|末|初|前|上半年|下半年|度以来|\d)"
    r"|[，,]\s*((?:19|20)\d{2})\s*年度?\s*[，,])"
)
# the state of things at the year's end, which only the report of that year tells: ``截止2023年12月31日我局通过官方
# 网站发布政务类信息34条`` (长春市某局 2023 as a page stored it: no title, no statistics period, no dated opening)
_YEAR_END = re.compile(r"截[止至]\s*((?:19|20)\d{2})\s*年\s*(?:12\s*月\s*31\s*日|底|末)")
# Non-blank lines at the top of a page that can hold the title (only lines above the first part's heading are
# looked at): a portal's header runs long — 海南州 2022 prints 站群导航, the portal's name twice, its menus, 加入收藏 |
# 设为首页 | 手机版, 全文检索 and a CMS box of three lines, the title being the seventeenth line.
_TITLE_SCAN = 24
_SIGNATURE_SCAN = 12  # lines at the end that can hold the signature and its date (before footers)
_DATE_LINE = re.compile(r"^\s*(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*$")
_SIGNED = re.compile(r"([^\s，。；]{2,40}?)\s*(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日")
_FULL_WIDTH = str.maketrans(",;:()!?", "，；：（）！？")
# A note the collection (or a portal) put after the agency's name: not part of any name.
_NAME_NOTE = re.compile(r"\s*[（(][^（）()]*(?:[A-Za-z_]|推断|未显示|未出现|不详)[^（）()]*[)）]\s*$")

@heuristic("agency_note", "metadata")
def strip_name_note(agency: str) -> str:
    """A bracketed note after the name that no name has (Latin letters, “推断”): ``耿马县司法局（据栏目路径…推断）``."""
    return _NAME_NOTE.sub("", agency).strip()


def parse_title(text: str) -> tuple[str | None, int | None] | None:
    """``(agency, year)`` of ``<机关><年度>年政府信息公开工作年度报告`` (or ``<年度>年<机关>…``)."""
    text = han_year(unquoted(text))
    m = (_TITLE.match(text) or _TITLE_YEAR_FIRST.match(text) or _TITLE_YEAR_AFTER.match(text)
         or _TITLE_YEAR_INSIDE.match(text))
    if not m:
        return None
    agency = m.group("agency").strip(" 　\t:：-—")
    if (notice := _NOTICE.match(agency)) is not None:
        agency = notice.group("after").strip() or notice.group("before").strip()
    agency = agency.removesuffix("的").strip()
    agency = strip_name_note(strip_chrome(agency))
    if agency.endswith("人民") and text[m.end("agency"):].lstrip().startswith("政府"):
        agency += "政府"  # 合水镇人民政府信息公开工作年度报告: the government's own 政府 is the report's too
    return agency or None, int(m.group("year"))


def unquoted(text: str) -> str:
    """A title printed in title marks (``《某县水利局2024年政府信息公开工作年度报告》``) is the title
    (``title_words``)."""
    text = text.strip()
    return text[1:-1].strip() if text[:1] == "《" and text[-1:] == "》" and text.count("《") == 1 else text


@heuristic("title_words", "metadata")
def han_year(text: str) -> str:
    """A title's year in Chinese numerals (``二〇二四年``) is the year in digits (``2024年``)."""
    return _HAN_YEAR.sub(lambda m: m.group(0).translate(_HAN_DIGITS), text) if "年" in text else text


@heuristic("title_lines", "metadata")
def body_title(lines: Sequence[Line], first_heading: int) -> tuple[tuple[str | None, int | None] | None, int]:
    """The title printed at the top of the body, on up to three lines: ``(agency, year)`` and the lines it took.

    Lines that only look like a title's pieces (``正文`` above it, a menu) are skipped: the first window of lines
    that reads as a title with its year wins — unless what it names is no agency (a breadcrumb joined to the title:
    ``当前位置：首页>信息公开>年度报告`` ‖ ``淮安市人民政府2024年…``), when a later window that names one does.
    """
    top = [(i, ln.text.strip()) for i, ln in enumerate(lines[:first_heading]) if ln.text.strip()][:_TITLE_SCAN]
    fallback: tuple[tuple[str | None, int | None] | None, int] = (None, 0)
    dated: tuple[tuple[str | None, int | None] | None, int] | None = None  # the first with a year, naming no agency
    for j in range(len(top)):
        for width in (1, 2, 3):
            chunk = top[j:j + width]
            if len(chunk) < width:
                break
            joined = _unspaced(chunk)  # OCR spaces every character: 洪 泽 区 人 民政 府
            bare = han_year(unquoted(joined))
            if _TITLE_LINE.match(bare) or _TITLE_YEAR_INSIDE.match(bare):
                parsed = parse_title(joined)
                if parsed is not None and parsed[1] is not None:
                    below = _name_line(top[j + width][1]) if j + width < len(top) else None
                    refines = below is not None and parsed[0] is not None and below.startswith(parsed[0])
                    if below is not None and (parsed[0] is None or (refines and below != parsed[0])):
                        # the title's second line names the agency (``（某区发展和改革局）`` under ``某区2024年…``)
                        return (below, parsed[1]), top[j + width][0] + 1
                    if (last := _last_lines_title(chunk)) is not None:
                        return last, chunk[-1][0] + 1
                    if _named_above_by_no_name(chunk, parsed[1]):
                        return (None, parsed[1]), chunk[-1][0] + 1
                    if parsed[0] is None and (named := _name_below_byline(top, j + width)) is not None:
                        return (named[0], parsed[1]), named[1]
                    if parsed[0] is None or agency_name(parsed[0]) is not None:
                        if _NOTICE_TITLE.search(joined) and (own := _report_title_after(top, j + width, parsed[1])):
                            return own
                        return parsed, chunk[-1][0] + 1
                    dated = dated or (parsed, chunk[-1][0] + 1)
                if fallback[1] == 0:
                    fallback = (parsed, chunk[-1][0] + 1)
    return dated or fallback


# A page's byline under its title: the site, the date, the source (``www.panzhihua.gov.cn     发布时间:2022-01-25
# 来源:新九镇党政办``) — a line with a colon or a digit in it.
_BYLINE = re.compile(r"[:：\d]")


@heuristic("name_below_byline", "metadata")
def _name_below_byline(top: Sequence[tuple[int, str]], start: int) -> tuple[str, int] | None:
    """The agency's name on a line of its own under a title that names none, past the page's byline (盐边县新九镇
    2021 as a page stores it: ``关于2021年度政府信息公开工作的年度报告`` ‖ ``www…  发布时间:…  来源:…`` ‖
    ``盐边县新九镇人民政府`` ‖ the title again, which the reader drops as a running title): ``(name, lines used)``.
    Only byline lines may stand between; any other text ends the search."""
    for k in range(start, len(top)):
        named = _name_line(top[k][1])
        if named is not None:
            return named, top[k][0] + 1
        if not _BYLINE.search(top[k][1]):
            return None
    return None


@heuristic("title_without_year", "metadata")
def title_without_year(lines: Sequence[Line]) -> str | None:
    """The agency of a title printed without a year (``某某街道政府信息公开工作年度报告``; 市府东路街道 2025, whose
    year the statistics period gives), when no title with a year named one: a line of its own at the top, the name
    before the report's words."""
    for ln in [ln for ln in lines if ln.text.strip()][:_TITLE_SCAN]:
        m = _TITLE_NO_YEAR.match(re.sub(r"\s+", "", unicodedata.normalize("NFKC", ln.text)))
        if m is not None and (name := agency_name(m.group("agency"))) is not None and name == m.group("agency"):
            return name
    return None


def _unspaced(chunk: Sequence[tuple[int, str]]) -> str:
    """A window of title lines joined, without the spaces OCR puts between characters."""
    return re.sub(r"\s+", "", "".join(t for _, t in chunk))


def _last_lines_title(chunk: Sequence[tuple[int, str]]) -> tuple[str | None, int | None] | None:
    """The window's last lines alone, when they are a whole title that names an agency: the lines above were a
    menu or a breadcrumb joined to it (``长者版 无障碍阅读`` ‖ ``当前位置:首页 > … > 乡镇(街道)`` ‖
    ``东风路街道2025年…年度报告`` read ``乡镇(街道)东风路街道``), not the title's first line (``某县水利局`` ‖
    ``2024年……年度报告`` names no agency in its last line, and keeps the name above it)."""
    for k in range(len(chunk) - 1, 0, -1):
        parsed = parse_title(_unspaced(chunk[k:]))
        if parsed is not None and parsed[1] is not None and parsed[0] and agency_name(parsed[0]) is not None:
            return parsed
    return None


# A notice that publishes the report (``某区人民政府办公室关于公布2024年……年度报告的通知``): the report's own title,
# printed under it (``附件`` ‖ ``某区人民政府2024年……年度报告``), names the report's agency, the notice its issuer.
_NOTICE_TITLE = re.compile(r"关于.*(?:通知|公告|公示)(?:[_｜|\-—–].*)?$")


def _report_title_after(top: Sequence[tuple[int, str]], start: int, year: int | None
                        ) -> tuple[tuple[str | None, int | None], int] | None:
    """The report's own title (one line, the same year, an agency, no notice's words) below a notice's title."""
    for i, text in top[start:]:
        joined = re.sub(r"\s+", "", ATTACHMENT_MARK.sub("", text))
        if _NOTICE_TITLE.search(joined) or not _TITLE_LINE.match(han_year(unquoted(joined))):
            continue
        parsed = parse_title(joined)
        if parsed is not None and parsed[1] == year and parsed[0] and agency_name(parsed[0]) is not None:
            return parsed, i + 1
    return None


def _named_above_by_no_name(chunk: Sequence[tuple[int, str]], year: int | None) -> bool:
    """The window's last line is a title with this year and no agency, and the lines above it are not a name on
    their own: a menu joined to the title (``首页 政务公开 新闻中心 某区教育局`` ‖ ``2024年…年度报告`` read
    ``政务公开新闻中心某区教育局``). A name above the title (``洪 泽 区 人 民政 府`` ‖ ``2023 年…``) is a name."""
    if len(chunk) < 2:
        return False
    last = parse_title(_unspaced(chunk[-1:]))
    if last is None or last[1] != year or last[0]:
        return False
    return _name_line(" ".join(t for _, t in chunk[:-1])) is None


def _name_line(text: str) -> str | None:
    """A line under a title that names no agency, holding only a name (``某县水利局``, ``（某县水利局）``): the
    title's second line, the agency whose report it is (``title_lines``)."""
    bare = re.sub(r"^[（(](.*)[)）]$", r"\1", re.sub(r"\s+", "", text))
    name = agency_name(bare)
    return name if name is not None and name == bare else None


def cms_fields(lines: Sequence[Line]) -> dict[str, str]:
    """The fields a CMS prints above an article (``标题：…``, ``发布机构：…``): label → value, first one kept."""
    out: dict[str, str] = {}
    for ln in lines:
        if ln.cells is not None:  # a CMS box printed as a table: | 发布机构 | 市政府办 | 发文日期 | … |
            cells = [re.sub(r"\s+", "", c) for c in ln.cells]
            for label, value in itertools.pairwise(cells):
                if label.rstrip(":：") in FIELD_LABELS and value and label.rstrip(":：") not in out:
                    out[label.rstrip(":：")] = value
            continue
        got = field_value(ln.text)
        for label, value in [got] if got is not None else fields_inside(ln.text):
            if value and label not in out:
                out[label] = value
    return out


# How often the body must spell a name that differs from the title's by one character, the title's own spelling
# being absent from the body, for the body's to win: OCR of 洪泽区 2023 misread the title's 泽 as 译
# (“洪译区人民政府”) once, while the body spells 洪泽区人民政府 three times. Twice is a spelling, not a slip.
BODY_SPELLINGS_MIN = 2


@heuristic("title_misspelt", "metadata")
def body_spelling(agency: str, text: str) -> str | None:
    """The body's spelling of a title's name misread by one character, when the body never spells it as the title
    does and spells it one way at least ``BODY_SPELLINGS_MIN`` times; else ``None``.

    One substitution leaves the first or the second half of the name intact, so only the places where either
    half is printed are compared.
    """
    body = re.sub(r"\s+", "", text)
    n = len(agency)
    if n < 4 or body.count(agency) > 1:  # the title itself is in the text once
        return None
    half = n // 2
    starts: set[int] = set()
    for piece, offset in ((agency[:half], 0), (agency[half:], half)):
        at = body.find(piece)
        while at >= 0:
            if at - offset >= 0:
                starts.add(at - offset)
            at = body.find(piece, at + 1)
    seen: dict[str, int] = {}
    for at in starts:
        window = body[at:at + n]
        if len(window) == n and sum(a != b for a, b in zip(window, agency, strict=True)) == 1:
            seen[window] = seen.get(window, 0) + 1
    best = [w for w, k in seen.items() if k >= BODY_SPELLINGS_MIN]
    return best[0] if len(best) == 1 and agency_name(best[0]) == best[0] else None


@heuristic("title_signed_otherwise", "metadata")
def signed_otherwise(agency: str, lines: Sequence[Line], text: str) -> str | None:
    """The signature's spelling of a title's name that differs from it by one character — one left out, added or
    misread — when the text never spells it as the title does but there: the agency signs its report with its own
    name, while a page's running title is typed by whoever built the page (文登区政府办 2022's flip-book:
    ``Page 9 - 威海市文登人民政府办公室…`` above the signature ``威海市文登区人民政府办公室``)."""
    signed = signature(lines)
    if signed is None or re.sub(r"\s+", "", text).count(agency) > 1 or not one_edit(signed, agency, max_edit=1):
        return None  # (``one_edit`` keeps ``MIN_KEPT`` characters: one character is a slip, not another body's name)
    return signed


@heuristic("signature", "metadata")
def signature(lines: Sequence[Line]) -> str | None:
    """The agency that signs the report at its end (``某某局`` above ``2025年1月20日``), if a name."""
    tail = [ln.text.strip() for ln in lines[-_SIGNATURE_SCAN:] if ln.text.strip()]
    for k in range(len(tail) - 1, 0, -1):
        if _DATE_LINE.match(tail[k]):
            name = agency_name(tail[k - 1])
            if name is not None:
                return name
    for text in tail[::-1]:  # a signature printed on the date's own line (``某某局 2025年1月20日``)
        m = _SIGNED.search(text)
        if m:
            name = agency_name(m.group(1))
            if name is not None:
                return name
    return None


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
    agency = (strip_chrome(_OFFICE_OF.sub("", by.group(1))), _quote(flat, by.start(), by.end())) if by else None
    found_year = (int(year.group(1) or year.group(2)), _quote(flat, year.start(), year.end())) if year else None
    return (agency if agency and agency[0] else None, found_year)


@heuristic("title_in_sentence", "metadata")
def title_in_sentence(preamble: str) -> tuple[str | None, int | None, str] | None:
    """The title the preamble's first sentence names (``特编制湛江市人民政府地方志办公室2023年……年度报告``) when the
    page prints no title line: ``(agency, year, quote)``. Only the preamble, before the first part's heading: in
    the narrative the same words tell of other reports (``指导各部门编制发布2023年……年度报告``)."""
    flat = re.sub(r"[^\S\n]+", "", unicodedata.normalize("NFKC", preamble)).strip()
    for m in _TITLE_IN_SENTENCE.finditer(flat):  # the first that reads as a title (a column's name may come first:
        title = m.group("title")                     # ``部门信息公开年报 2022`` above ``现公布某局2022年……``)
        parsed = parse_title(title + "报告" if title.endswith(_SITUATION) else title)
        if parsed is not None:
            return agency_name(parsed[0]), parsed[1], _quote(flat, m.start(), m.end())
    return None


# The preamble's definition of the agency's short name names it in full: ``结合遂溪县建新镇人民政府(以下简称“镇政府”)
# 2025年度政府信息公开工作实际编制`` (建新镇 2025, whose part 一 opens ``2025年,建新镇政府坚持……``).
_DEFINED_NAME = re.compile(
    r"(?:^|[，,。；;：:]|结合|由|对|为|是|将|现将)(?!结合|由|对|为|是|将|根据|按照|依据)"
    r"(?P<name>[^，,。；;：:\s（(《》“”\"]{2,40}?)[（(]以下简称")


@heuristic("defined_name", "metadata")
def defined_name(preamble: str) -> tuple[str, str] | None:
    """The agency's name the preamble gives before ``(以下简称…)``, when nothing else names one: ``(name, quote)``.
    Not the level alone."""
    flat = re.sub(r"\s+", "", unicodedata.normalize("NFKC", preamble))
    for m in _DEFINED_NAME.finditer(flat):
        name = agency_name(m.group("name"))
        if name is not None and name == m.group("name") and name[:1] not in LEVEL_FIRST:
            return name, _quote(flat, m.start("name"), m.end())
    return None


# The sentence that opens part 一 names the agency as its subject: ``2023年,普宁市公安局以习近平…``,
# ``2022年宜城市教育局全面贯彻…``, ``2023年,在区委、区政府的坚强领导下,官洲街道办事处认真贯彻…``
# (page texts that lost the title: the name nowhere else). The subject is the words between the year
# (and a ``在……下,`` of whose leadership) and the verb that begins what it did; a name of one body only
# (no ``、``), which must look like an agency's and not begin with the level alone (``区政府办公室`` is
# how the text refers to a body, not its name).
_LEADERSHIP = r"在[^。；，,]{2,30}?(?:领导|指导|部署|要求)下\s*[,，]?\s*"
_OPENING_SUBJECT = re.compile(
    r"^(?:[（(][一二三四五六七八九十]{1,2}[)）][^。；\n]{0,20}?[。.:：]\s*)?"  # ``（一）主动公开情况。2022年…``
    rf"(?:(?:19|20)\d{{2}}\s*年度?|本年度?)\s*[,，]?\s*(?:{_LEADERSHIP})?"
    rf"(?P<name>[^，,。；;、\s（(《“”]{{2,30}}?)\s*(?:{_LEADERSHIP})?(?:认真|深入|全面|坚持|严格|始终|紧紧|持续|积极|进一步|继续|聚焦|"
    r"高度|紧扣|立足|扎实|不断|切实|以|按照|围绕|依据|根据|结合|牢固|通过|主动|依法|"
    r"共(?:完成|发布|公开|收到|受理|办理))")
_SELF_SUBJECT = re.compile(r"(?:我|本)(?:局|委|办|镇|乡|街|厅|院|中心|区|县|市|单位|机关)")
OPENING_LINES = 4  # lines under part 一's heading that may hold its opening sentence (a subheading may come first)


@heuristic("opening_subject", "metadata")
def opening_subject(lines: Sequence[Line], first_heading: int) -> tuple[str, str] | None:
    """The agency the opening sentence of part 一 names as its subject, when nothing else names it:
    ``(name, quote)``. (Called with the line before the body's first when the text opens with that sentence, its
    heading lost: 国家国际发展合作署 2023 as a mirror stored it.)"""
    seen = 0
    for ln in lines[first_heading + 1:]:
        text = unicodedata.normalize("NFKC", ln.text).strip()
        if not text:
            continue
        seen += 1
        if seen > OPENING_LINES:
            return None
        m = _OPENING_SUBJECT.match(text)
        if m is None:
            continue
        if _SELF_SUBJECT.match(m.group("name")):
            continue  # ``2023年,我局(政府信息公开工作)……``: the next opening sentence may name it (洋县自然资源局 2023)
        name = agency_name(m.group("name"))
        if name is None or name != m.group("name") or name[:1] in LEVEL_FIRST:
            return None
        return name, _quote(text, 0, m.end())
    return None


# The preamble's sentence that says whom to ask about the report names the agency, or an office inside it:
# ``请与平度市公安局(地址…)联系`` (平度市公安局 2023), ``请联系:杭州市滨江区人民政府长河街道办事处;`` (长河街道
# 2023), ``请与来宾市卫生健康委员会办公室联系`` (来宾市卫健委 2023) — pages with no title, whose preamble names the
# agency nowhere else.
_CONTACT = re.compile(r"请(?:与|联系|致电|咨询)[:：]?(?P<name>[^(（，,。;；:：\s]{2,40}?)(?:联系|[（(]|[,，。;；:：])")
# The office inside the agency, after the agency's name: ``…人民政府党政综合办公室``, ``…街道党政办``,
# ``…海关办公室政务公开和信访科``, ``…公安厅政府信息与政务公开工作领导小组办公室``.
_INNER_OFFICE = re.compile(
    r"^(?P<name>.+[局厅委会府处道镇乡院心署关木])(?:政府信息(?:与政务)?公开[\u4e00-\u9fff]*|"
    r"[\u4e00-\u9fff]{0,6}(?:办公室|办(?!事处))(?:[\u4e00-\u9fff]{0,12}[科股处室])?)$")
# A county's or a city's 政务公开办公室 answers for every body's report there: the contact, not the agency.
_COORDINATING_OFFICE = "政务公开"
# A government's own office is a body of its own (``某县人民政府办公室`` publishes its report).
_GOVERNMENT_OFFICE = re.compile(r"政府(?:办公室|办公厅|办)$")


def without_inner_office(name: str, *, keep_government_office: bool = False) -> str:
    """The agency an office inside it stands for (``新九镇党政办`` → ``新九镇``), else the name itself; with
    ``keep_government_office`` a government's office stays what it is."""
    if keep_government_office and _GOVERNMENT_OFFICE.search(name):
        return name
    inner = _INNER_OFFICE.match(name)
    return inner.group("name") if inner else name


@heuristic("contact_sentence", "metadata")
def contact_body(preamble: str) -> tuple[str, str] | None:
    """The agency the preamble's contact sentence names (the office inside it taken for the agency), when nothing
    else names one: ``(name, quote)``. Not the level alone, not a coordinating 政务公开 office."""
    flat = re.sub(r"\s+", "", unicodedata.normalize("NFKC", preamble))
    m = _CONTACT.search(flat)
    if m is None:
        return None
    name = agency_name(without_inner_office(m.group("name")))
    if name is None or name[:1] in LEVEL_FIRST or _COORDINATING_OFFICE in name:
        return None
    return name, _quote(flat, m.start(), m.end())


def _preamble_or_opening(lines: Sequence[Line], used: int, first_heading: int) -> str:
    """The preamble (before the first part's heading); when there is none, the first line under that heading — a
    page that opens with ``一、总体情况`` prints there what others print above it (``现向社会公布2025年宅梧镇政府信息
    公开工作报告``; 宅梧镇 2025 as a mirror serves it)."""
    preamble = "\n".join(ln.text for ln in lines[used:first_heading])
    if preamble.strip():
        return preamble
    first = next((ln.text for ln in lines[first_heading + 1:] if ln.text.strip()), "")
    # only a sentence that publishes this report now (``现向社会公布``, ``现将``, ``特编制``): part 一 tells of other
    # reports too (``我局指导各单位编制发布……年度报告``)
    return first if _PUBLISHED_NOW.search(first) else ""


_PUBLISHED_NOW = re.compile(r"(?:现|特)(?:向社会)?(?:将|公布|公开|发布|编制)")


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
    years = {int(m.group(1) or m.group(2)) for m in hits}
    if len(years) != 1:
        return None
    m = hits[0]
    start = m.start(1) if m.group(1) else m.start(2)
    return int(m.group(1) or m.group(2)), flat[start:start + 30].split("\n")[0].translate(_FULL_WIDTH)


@heuristic("year_end_state", "metadata")
def year_end_state(text: str) -> tuple[int, str] | None:
    """The one year whose end the narrative counts things at (``截止2023年12月31日``, ``截至2023年底``), when no
    other source has a year."""
    flat = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    hits = list(_YEAR_END.finditer(flat))
    if len({m.group(1) for m in hits}) != 1:
        return None
    return int(hits[0].group(1)), hits[0].group(0)


def read_metadata(lines: Sequence[Line], first_heading: int, first_table: int, given: str | None,
                  html_title: str | None, header_year: int | None = None) -> Meta:
    """Agency, year and period of a report, and an I5 finding for each taken from elsewhere than the title.

    Titles come from the collection's header (or the caller), a CMS field (``标题：``), the body's first lines
    and the page's ``<title>``, in that order; every name they give is cleaned and must look like an agency's
    (``agency_shape``). Then, for the name: the sentence that says who compiled the report, the CMS's
    ``发布机构``, the signature at the end; for the year: that sentence, the statistics period, the text's
    opening, and last the year a collection's header states (``header_year``).
    """
    parsed_body, used = body_title(lines, first_heading)
    fields = cms_fields(lines[:first_heading])
    titles = [given, *(fields.get(k) for k in ("标题", "名称", "信息名称", "文章标题", "文件名称", "题名", "公文标题"))]
    candidates = [parse_title(t) if t else None for t in titles] + [parsed_body]
    candidates.append(parse_title(html_title) if html_title else None)
    agency: str | None = None
    year: int | None = None
    for parsed in candidates:
        if parsed:
            agency = agency or agency_name(parsed[0])
            year = year or parsed[1]
            if agency and year:
                break
    if agency is None:
        agency = title_without_year(lines[:first_heading])
    text = "\n".join(ln.text for ln in lines)
    preamble = "\n".join(ln.text for ln in lines[used:first_heading])  # between the title and part 一's heading
    period = find_period(text)
    found: list[Finding] = []
    if agency is not None and agency[:1] in LEVEL_FIRST:
        fuller = title_in_sentence(preamble)
        if fuller is not None and fuller[0] is not None and fuller[0].endswith(agency) and len(fuller[0]) > len(agency):
            found.append(_said("agency", "机关名称", f"标题只写了“{agency}”，取前言中的全称“{fuller[2]}”"))
            agency = fuller[0]
    if agency is not None and (spelt := body_spelling(agency, text)) is not None:
        found.append(_said("agency", "机关名称", f"标题中的“{agency}”在正文中没有出现，正文多次写作只差一字的“{spelt}”"
                                                 "（识别或录入错字），按正文的写法读取"))
        agency = spelt
    elif agency is not None and (signed := signed_otherwise(agency, lines, text)) is not None:
        found.append(_said("agency", "机关名称", f"标题中的“{agency}”与文末落款“{signed}”只差一字，按落款的写法读取"))
        agency = signed
    front = "\n".join(ln.text for ln in lines[used:first_table])
    if agency is None or year is None:
        by, compiled = compiling_sentence(front)
        if by is not None and by[0][:1] in LEVEL_FIRST:
            by = None  # ``由区政府办公室汇总编制``: a reference, not a name (``agency_shape``)
        named = title_in_sentence(_preamble_or_opening(lines, used, first_heading))
        if named is not None and named[0] is not None and named[0][:1] not in LEVEL_FIRST \
                and (by is None or agency_name(by[0]) is None):  # ``现公布区政府国资局2022年……``: a reference too
            by = (named[0], named[2])
        if named is not None and named[1] is not None and compiled is None:
            compiled = (named[1], named[2])
        name = agency_name(by[0]) if by is not None else None
        if agency is None and by is not None and name is not None:
            agency = name
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
        if year is None:
            ended = year_end_state(front)
            if ended is not None:
                year = ended[0]
                found.append(_said("year", "报告年度", f"原文没有标题和统计期限，按正文的“{ended[1]}”推断为{year}年"))
        if year is None and header_year is not None:  # a page of a flip-book, a text of the tables only
            year = header_year
            found.append(_said("year", "报告年度", f"原文中没有年度，取自文件开头收集者写的“year: {year}”"))
    if agency is None:
        body = "\n".join(ln.text for ln in lines[used:])
        for label in ("发布机构", "发文机关", "发文单位", "发布单位", "编制单位", "来源", "信息来源", "文章来源"):
            value = fields.get(label)  # ``来源:新九镇党政办``: the town's office posted it
            name = agency_name(without_inner_office(value, keep_government_office=True) if value else None)
            if name is not None and body_kind_differs(name, body) is None:
                agency = name
                found.append(_said("agency", "机关名称", f"原文标题中没有机关名称，取自网页的“{label}”：{name}"))
                break
    if agency is None:
        name = signature(lines)
        if name is not None and body_kind_differs(name, body) is None:
            agency = name
            found.append(_said("agency", "机关名称", f"原文标题中没有机关名称，取自文末的落款：{name}"))
    defined = None if agency is not None else defined_name(preamble)
    if defined is not None and body_kind_differs(defined[0], body) is None:
        agency = defined[0]
        found.append(_said("agency", "机关名称", f"原文没有标题，取自前言中的“{defined[1]}”"))
    opened_by = None if agency is not None else (opening_subject(lines, first_heading)
                                                   or opening_subject(lines, used - 1))  # no heading above it
    if opened_by is not None and body_kind_differs(opened_by[0], body) is None:
        agency = opened_by[0]
        found.append(_said("agency", "机关名称", f"原文没有标题，取自第一部分开头的“{opened_by[1]}……”"))
    contact = None if agency is not None else contact_body(preamble)
    if contact is not None and body_kind_confirms(contact[0], body):
        agency = contact[0]
        found.append(_said("agency", "机关名称", f"原文没有标题，取自前言中的联系方式“{contact[1]}”"))
    return Meta(agency, year, period, used, tuple(found))


# The date a CMS prints above an article (发布日期：2024-01-29 09:09; 发布时间:2026-01-23; 公开日期 2020年1月31日)
_PUBLISHED = re.compile(r"(?:发布日期|发布时间|公开日期|公开时间)\s*[:：]?\s*"
                        r"(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")


def publication_date(lines: Sequence[Line]) -> dt.date | None:
    """The publication date a page prints above the report (the lines before its first section), for the deadline
    of 条例第四十九条; None when it prints none, or a day that does not exist."""
    for ln in lines:
        m = _PUBLISHED.search(ln.text)
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                return None
    return None

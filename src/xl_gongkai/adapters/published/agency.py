"""What an agency's name looks like, so that a page's menu, a CMS field's label or a sentence is never one.

Published pages put much around the report: a breadcrumb (``首页 > 政务公开 > 年度报告``), a CMS box
(``标题：…`` ``发布机构：…``), portal furniture (``关怀版 无障碍``), a site name after the title
(``…年度报告-沭阳县发改局``). Whatever source a name comes from — the title, a CMS field, the sentence that
says who compiled the report, the signature at the end — it is cleaned the same way and kept only if it
looks like an agency: no sentence punctuation, and an ending that agencies' names have.
"""

from __future__ import annotations

import re
import unicodedata

from .chrome import CHROME_WORDS, strip_chrome
from .heuristics import heuristic

# How the names of the bodies that publish these reports end: government departments and their offices
# (局, 委员会, 办公室/办公厅, and the offices named 室: 参事室, 政策研究室), governments (人民政府, 行政公署),
# townships and streets (镇, 乡, 街道办事处; 天津's streets are 街: 佳荣里街), zones (管委会, 管理委员会), vertical
# agencies (海关, 税务局, 分局), centres and institutes that hold public functions (中心, 院, 所, 站, 馆), the farms
# and regiments that govern their land (国有林场, 农场; 兵团的团场: 第一师十团), and a region named for its
# consolidated report (市, 县, 区, 旗, 州, 盟).
AGENCY_ENDINGS = (
    "局", "委员会", "委", "办公室", "办公厅", "办", "厅", "人民政府", "政府", "公署", "街道办事处", "办事处", "街道",
    "街", "室", "镇", "乡", "苏木", "管委会", "管理委员会", "海关", "中心", "院", "所", "站", "馆", "署", "处", "队",
    "会", "社", "部", "司", "农场", "林场", "牧场", "团", "市", "县", "区", "旗", "州", "盟", "片区",
)
# Words that say what kind of body, not which: what is left of a name a mirror's spam overwrote
# (``武汉市生态环境局环球国际(中国)官方网站 分局``), or the text's own short form (``(以下简称分局)``).
GENERIC_BODIES = ("分局", "支局", "总局", "分中心", "大队", "支队", "中队", "分所")  # besides AGENCY_ENDINGS
MAX_NAME_CHARS = 40  # the longest agency names (深圳市深汕特别合作区管理委员会…) are about 30 characters
# Labels of the fields a CMS prints above an article: the value after them may be a name, the label never is.
FIELD_LABELS = ("标题", "名称", "信息名称", "文章标题", "文件名称", "题名", "公文标题", "发布机构", "发文机关",
                "发文单位", "发布单位", "来源", "信息来源", "文章来源", "所属机构", "主办单位", "编制单位")
# A field's label as a CMS prints it: its characters may be spaced out to the width of a longer label (``名 称``,
# ``标   题``); a colon follows it, or — in a box printed without one — a space
# (``发布机构 县政府办公室 公文时效 有效``).
_LABELS_LONGEST_FIRST = sorted(FIELD_LABELS, key=len, reverse=True)
_LABEL = "|".join(r"\s*".join(label) for label in _LABELS_LONGEST_FIRST)
# A list's bullet may stand before the label (``- 发布机构:鲤城区人民政府常泰街道办事处``, ``• 信息来源:…``: the
# box as a page converted to text prints it, 常泰街道 2024, 竹泓镇 2025).
_FIELD = re.compile(rf"^\s*(?:[-•·●▪◆*]\s*)?(?P<label>{_LABEL})(?:\s*[:：]\s*|\s+(?=\S))")
# The next field printed on the same line after a value (``名 称: 某局2025年……年度报告 发布日期: 2026年01月21日``)
_NEXT_FIELD = re.compile(r"\s+[\u4e00-\u9fff](?:\s*[\u4e00-\u9fff]){1,5}\s*[:：]")
_SENTENCE = re.compile(r"[，。；！？,;!?：:]")
# (a colon or an at sign too: a label, or a mirror's spam before the title:
# ``《uedbet体育_uedbet官网@:西柳镇人民政府2023年…》``)
_BREADCRUMB = re.compile(r"\s*(?:>|»|›|＞|/|\||｜|-{1,2}|—|_|:|：|@|\s)\s*")
# (a site's name ends like a station's, 站: ``某市人民政府门户网站`` above a title is the site, not the agency)
_NOT_A_NAME = ("报告", "政府信息公开", "年度", "首页", "当前位置", "位置", "网站", "门户")
# How a report speaks of its own agency or region (``特编制我局2023年……``, ``本机关``, ``全区``, ``各镇``): a word
# that ends like a name but names nobody. (本溪市 begins with 本 too: only these whole words are refused.)
# The sentence that says who compiled a report names that body as the text refers to it: one that begins with the
# level alone (``由区政府办公室汇总编制``) is no name (a title may name its agency so: ``县人社局2021年…``, and is
# taken as it is).
LEVEL_FIRST = frozenset("省市区县镇乡")
_SELF_REFERENCE = re.compile(
    r"^(?:我|本|该|全|各)(?:单位|机关|部门|局|委|办|厅|院|署|中心|镇|乡|街道|街|区|县|市|省|政府)$")


# The kinds of body a report calls itself by (``我镇``, ``本局``), with the endings a name of that kind has: a 我市 or
# 我区 is as often the place as the body (a bureau's report says 我市), so only a body's own kinds are here.
_BODY_KINDS = {"镇": ("镇", "镇人民政府", "镇政府"), "乡": ("乡", "乡人民政府", "乡政府"),
               "街道": ("街道", "街道办事处", "街道办"), "局": ("局",), "委": ("委", "委员会", "管委会"),
               "厅": ("厅",), "院": ("院",), "中心": ("中心",)}
_SELF_KIND = re.compile(r"(?:我|本)(镇|乡|街道|局|委|厅|院|中心)(?![\u4e00-\u9fff]{0,1}(?:长|党委|书记))")
SELF_KIND_MIN = 2  # a body calls itself so throughout: once may be a quotation or another body's words


@heuristic("self_reference_kind", "metadata")
def body_kind_differs(name: str, text: str) -> str | None:
    """The kind the report calls itself by (``我镇`` ``SELF_KIND_MIN`` times or more, and no other kind as often),
    when ``name`` is not of that kind; else ``None``. A name taken from a page's fields or a signature, not from the
    report's own title, may be the portal's (``来源：昌图县人民政府办公室`` above a township's report that says 我镇
    throughout): then it is not the report's agency."""
    kind = _self_kind(text)
    return None if kind is None or name.endswith(_BODY_KINDS[kind]) else kind


def body_kind_confirms(name: str, text: str) -> bool:
    """The report calls itself by the kind ``name`` is of (``我局`` throughout, and ``name`` a 局): a name from a
    sentence that may name another body (a contact) is the report's own only then."""
    kind = _self_kind(text)
    return kind is not None and name.endswith(_BODY_KINDS[kind])


def _self_kind(text: str) -> str | None:
    """The kind the report calls itself by: ``SELF_KIND_MIN`` times or more, and no other kind as often."""
    counts: dict[str, int] = {}
    for m in _SELF_KIND.finditer(text):
        counts[m.group(1)] = counts.get(m.group(1), 0) + 1
    if not counts:
        return None
    kind, n = max(counts.items(), key=lambda kv: kv[1])
    if n < SELF_KIND_MIN or sum(1 for v in counts.values() if v == n) > 1:
        return None
    return kind


@heuristic("agency_shape", "metadata")
def agency_name(candidate: str | None) -> str | None:
    """The agency's name in a candidate text, cleaned of fields, menus and site names; ``None`` if there is none.

    The last piece of a breadcrumb or a menu that ends like an agency's name is the name; a piece with
    sentence punctuation, a year or the report's own words is not.
    """
    if not candidate:
        return None
    text = unicodedata.normalize("NFKC", candidate).strip()
    text = _FIELD.sub("", text)
    text = strip_chrome(text) or text
    pieces = [p for p in _BREADCRUMB.split(text) if p]
    for piece in reversed(pieces):
        name = _clean(piece)
        if name:
            return name
    joined = _clean("".join(pieces))
    return joined


# What a conversion to markdown prints around a title (a code fence ```, a heading's #, emphasis *), and the title
# marks of a notice that publishes the report (``关于印发《某局2024年……年度报告》的通知``): no name begins or
# ends with it.
_MARKUP = "`#*>~=《》"


# The mark of a report published as an attachment to a notice, printed above its title (``附件``, ``附件1：``): a
# line of its own that a title read over several lines joins to the name.
ATTACHMENT_MARK = re.compile(r"^附件\s*[0-9一二三四五六七八九十]{0,2}\s*[:：]?\s*")


# Square brackets a collector puts around words restored in a damaged copy (``[淮安市]自然资源和规划局``, where a
# mirror overwrote the city's name): the words are the name's, the brackets no agency prints.
_RESTORED = re.compile(r"\[([^\[\]]{1,12})\]")


# What a gambling site's mirror writes over a page's place or body names (``美高梅娛樂城办公厅``,
# ``英国威廉希尔公司市政务服务管理局``, ``365体育直播,365体育备用网址自然资源和规划局``): everything up to the last
# such word is the mirror's.
_SPAM = re.compile(r"^.*(?:娱乐城|娛樂城|娱乐场|娛樂場|赌场|賭場|博彩|彩票|威廉希尔|威廉希爾|新葡京|葡京|美高梅|太阳城|"
                   r"太陽城|百家乐|百家樂|棋牌|体育直播|體育直播|官网|官網|网址|網址)(?:有限公司|公司|平台)?")
# A customs house reports for its district (``广州海关关区2023年……年度报告``): the agency is the customs house.
_CUSTOMS_DISTRICT = re.compile(r"海关关区$")
# A sentence's words before the report's own way of naming itself (``现将我局编制的……``): no name.
_SELF_INSIDE = re.compile(r"我(?:单位|机关|部门|局|委|办|厅|院|署|中心|镇|乡|街道|街|区|县|市|省|政府)$")


def _clean(piece: str) -> str | None:
    piece = _SPAM.sub("", _RESTORED.sub(r"\1", piece))
    name = re.sub(r"^关于|(?:关于|的)$", "", ATTACHMENT_MARK.sub("", piece.strip(" \u3000\t:：-—·" + _MARKUP)))
    name = re.sub(r"[（(][^（）()]*[)）]$", "", name).strip()  # a note after the name
    for w in sorted(CHROME_WORDS, key=len, reverse=True):
        if name.startswith(w) and len(name) > len(w):
            name = name[len(w):]
    for label in _LABELS_LONGEST_FIRST:  # a field's label its value was joined to (``标      题 某区人民政府`` read
        if name.startswith(label) and len(name) > len(label) + 1:  # as one title line)
            name = name[len(label):]
            break
    if not (2 <= len(name) <= MAX_NAME_CHARS) or _SENTENCE.search(name) or re.search(r"\d", name):
        return None
    if any(w in name for w in _NOT_A_NAME) or not name.endswith(AGENCY_ENDINGS) or _SELF_REFERENCE.match(name) \
            or _SELF_INSIDE.search(name):
        return None
    if name in AGENCY_ENDINGS or name in GENERIC_BODIES:  # a bare ending names nobody: ``…工作机构-办公室`` split
        return None                                         # at its hyphen, ``分局`` left of a mirror's spam
    return _CUSTOMS_DISTRICT.sub("海关", name)


# A field printed after another on the same line, past a run of spaces (金牛镇 2025:
# ``发表日期:2026-01-27    文章来源:大冶市金牛镇``): its label must be followed by a colon there.
_FIELD_INSIDE = re.compile(rf"(?:\s{{2,}}|\t|\u3000)(?P<label>{_LABEL})\s*[:：]\s*")


def fields_inside(line: str) -> list[tuple[str, str]]:
    """``(label, value)`` of each CMS field printed after another on a line (not at its start)."""
    text = unicodedata.normalize("NFKC", line)
    out = []
    for m in _FIELD_INSIDE.finditer(text):
        value = _NEXT_FIELD.split(text[m.end():], maxsplit=1)[0].split("  ")[0].strip()
        out.append((re.sub(r"\s+", "", m.group("label")), value))
    return out


def field_value(line: str) -> tuple[str, str] | None:
    """``(label, value)`` of a CMS field line (``标题：平潭综合实验区公安局2022年…``), else ``None``."""
    text = unicodedata.normalize("NFKC", line)
    m = _FIELD.match(text)
    if m is None:
        return None
    label = re.sub(r"\s+", "", m.group("label"))
    value = text[m.end():].strip()
    if ":" not in m.group(0):  # a box without colons: the value is what stands before the next space
        return label, value.split()[0] if value else ""
    return label, _NEXT_FIELD.split(value, maxsplit=1)[0].strip()

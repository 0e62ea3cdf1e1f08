"""Portal furniture around a report on a government site: navigation, font switches, article fields.

Not the agency's name, not the preamble, not the last section's text (``portal_chrome``).
"""

from __future__ import annotations

import re

from .heuristics import heuristic

# Portal furniture around the article on government sites. Words that never begin an agency's name;
# single characters count only as whole items (the 大 中 小 of a font-size switch).
CHROME_WORDS = (
    "关怀版", "无障碍", "长者模式", "适老化", "登录", "注册", "退出", "首页", "网站首页", "网站地图", "繁體", "繁体",
    "简体", "English", "字号", "字体", "默认", "分享", "分享到", "打印", "打印本页", "关闭", "关闭窗口", "收藏",
    "加入收藏", "微信", "微博", "QQ空间", "全真版", "文字版", "文件下载", "相关链接", "扫一扫", "手机版", "返回顶部",
    "当前位置", "您当前的位置", "您当前所在的位置", "您的位置", "您所在的位置", "我要纠错", "智能问答",
    "长者版", "长者专版", "无障碍浏览", "无障碍阅读", "读屏", "您当前所在位置", "您现在所在的位置",
)
_CHROME_SINGLE = frozenset("大中小")
_CHROME_FIELD = re.compile(
    r"^[-—·•\s]*(?:来源|信息来源|发布机构|发布日期|发布时间|时间|日期|作者|浏览次数|点击数|阅读次数|访问量|索引号|"
    r"文号|主题分类|发文机关|成文日期|标题|名称|栏目|所属栏目|原文链接|链接|网址|本地目录|分类|有效性|发布人)\s*[:：]"
)
_CHROME_SPLIT = re.compile(r"[\s|｜/>»›：:，,、【】\[\]]+")


# a rule drawn with characters around a word (``==== 正文 ====``): a page's or a crawler's separator
_RULE_LINE = re.compile(r"^[=\-—_*~#·\s]{3,}(?:正文|全文|附件)?[=\-—_*~#·\s]*$")


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
    if _RULE_LINE.match(stripped):
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



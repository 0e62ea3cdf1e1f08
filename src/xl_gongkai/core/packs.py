"""Local rule packs: a locality's own requirements as data (``spec/packs/*.json``, or a file the user names).

Many localities ask more than the national format: an earlier deadline, a length cap on 总体情况, counts that must be
stated. A pack names its locality and source, adds rules made of the catalogue's existing kinds (with their
parameters) and may change the severity of catalogue rules. It is checked when it is loaded exactly as
``rules.json`` is (``catalogue._rule_problems``: the kind exists, its parameters are exactly the declared ones, the
keys exist in the form, the message fills only the kind's words) — but a pack is the user's input, not the
package's, so a bad one is an ``InputError`` (exit 2) in Chinese naming the pack and the rule, never a tool defect.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..spec import FORM_FILES, Severity, load_form
from ..spec.loader import pack_names, read_pack
from .catalogue import CATALOGUE_SEVERITIES, KINDS, Catalogue, Rule, _rule_problems, load_catalogue

PACK_FIELDS = {"$schema": False, "locality": True, "title": True, "source": True, "rules": True, "severities": False}
RULE_FIELDS = ("id", "kind", "severity", "title", "params", "message", "source", "unevaluable", "forms")
_ID = re.compile(r"^[A-Z][0-9]+$")
MAX_PACK_BYTES = 1 << 20  # a pack is a page of rules; anything larger is not one


@dataclass(frozen=True)
class Pack:
    """A checked pack: its name (the file's), locality, title, source, added rules and severity changes."""

    name: str
    locality: str
    title: str
    source: str
    rules: tuple[Rule, ...]
    severities: Mapping[str, Severity]

    def describe(self) -> str:
        return f"{self.locality}（{self.title}）"


def load_pack(given: str) -> Pack:
    """A pack by the name of a shipped one (``spec/packs``) or by the path of a JSON file; checked."""
    path = Path(given)
    if given in pack_names():
        name, data, place = given, read_pack(given), f"规则包 {given}"
    elif path.suffix.lower() == ".json" and path.is_file():
        try:
            with open(path, "rb") as fh:
                data = fh.read(MAX_PACK_BYTES + 1)
        except OSError as exc:
            from ..errors import os_error_text

            raise InputError(os_error_text(exc), place=given) from None
        if len(data) > MAX_PACK_BYTES:
            raise InputError("文件太大，不是规则包（规则包不超过 1 MB）。", place=given)
        name, place = path.stem, given
    else:
        shipped = "、".join(pack_names()) or "无"
        raise InputError(f"找不到规则包“{given}”。请给出随本工具提供的规则包名称（{shipped}），"
                         "或规则包 JSON 文件的路径。",
                         place=given)
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"规则包“{name}”不是有效的 UTF-8 JSON（{exc}），没有加载。", place=place) from None
    return build_pack(name, doc, place=place)


def build_pack(name: str, doc: Any, *, place: str | None = None, catalogue: Catalogue | None = None) -> Pack:
    """Check a pack document and build it; an ``InputError`` lists every problem, each naming its rule."""
    cat = catalogue if catalogue is not None else load_catalogue()
    problems = list(_pack_problems(doc, cat))
    if problems:
        raise InputError(f"规则包“{name}”有误，没有加载：" + "；".join(problems) + "。请改正规则包后再试。",
                         place=place or name)
    rules = tuple(Rule.from_dict(d) for d in doc["rules"])
    severities = {k: Severity(v) for k, v in doc.get("severities", {}).items()}
    return Pack(name, doc["locality"], doc["title"], doc["source"], rules, severities)


def _pack_problems(doc: Any, cat: Catalogue) -> Iterable[str]:
    if not isinstance(doc, dict):
        yield "内容应是一个 JSON 对象"
        return
    for key in doc:
        if key not in PACK_FIELDS:
            yield f"未知的键“{key}”（规则包的键：{'、'.join(k for k in PACK_FIELDS if k != '$schema')}）"
    for key, required in PACK_FIELDS.items():
        if required and key not in doc:
            yield f"缺少“{key}”"
    for key in ("locality", "title", "source"):
        if key in doc and (not isinstance(doc[key], str) or not doc[key].strip()):
            yield f"“{key}”应是非空的文字"
    rules = doc.get("rules", [])
    if not isinstance(rules, list):
        yield "“rules”应是规则的列表"
        rules = []
    forms = {fid: load_form(fid) for fid in FORM_FILES}
    seen: set[str] = set()
    for i, d in enumerate(rules):
        rid = d.get("id") if isinstance(d, dict) else None
        label = f"规则 {rid}" if isinstance(rid, str) and rid else f"第 {i + 1} 条规则"
        if not isinstance(d, dict):
            yield f"{label}：应是一个 JSON 对象"
            continue
        if not isinstance(rid, str) or not _ID.match(rid):
            yield f"{label}：编号应是一个大写字母加数字（如 P1）"
        elif rid in seen:
            yield f"{label}：编号重复"
        elif any(r.id == rid for r in cat):
            yield f"{label}：编号与全国规则目录中的规则重复，请换一个编号（如 P1）"
        if isinstance(rid, str):
            seen.add(rid)
        yield from (f"{label}：{p}" for p in _rule_problems_zh(d, forms))
    severities = doc.get("severities", {})
    if not isinstance(severities, dict):
        yield "“severities”应是“规则编号: 严重程度”的对象"
        return
    known = {r.id for r in cat}
    for rid, severity in severities.items():
        if rid not in known:
            yield f"severities：规则目录中没有规则 {rid}"
        elif severity not in CATALOGUE_SEVERITIES:
            yield f"severities：规则 {rid} 的严重程度“{severity}”应是{'或'.join(CATALOGUE_SEVERITIES)}"


_UNEXPECTED = re.compile(r"^(?P<path>\S+): unexpected parameter '(?P<name>[^']*)'")


def _rule_problems_zh(d: Mapping[str, Any], forms: Mapping[str, Any]) -> Iterable[str]:
    """The catalogue's own check of one rule, its usual problems said in Chinese (the rest quoted as they are)."""
    extra = [k for k in d if k not in RULE_FIELDS]
    if extra:
        yield f"未知的键{'、'.join(f'“{k}”' for k in extra)}（规则的键：{'、'.join(RULE_FIELDS)}）"
        return
    kind_name = d.get("kind")
    if isinstance(kind_name, str) and kind_name not in KINDS:
        yield f"未知的规则类型“{kind_name}”（可用的类型：{'、'.join(sorted(k for k in KINDS if k != 'external'))}）"
        return
    if kind_name == "external":
        yield "规则类型“external”只用于读取文件时的规则，规则包不能使用"
        return
    for problem in _rule_problems(d, forms):
        m = _UNEXPECTED.match(problem)
        if m:
            yield f"参数{m['path'].removeprefix('params').lstrip('.') or ''}中有未知的键“{m['name']}”"
        elif problem.startswith("missing field"):
            yield "缺少必需的键（" + problem.removeprefix("missing field(s) ") + "）"
        else:
            yield f"参数或消息有误（{problem}）"


def with_packs(packs: Sequence[Pack], catalogue: Catalogue | None = None) -> list[Rule]:
    """The catalogue with the packs' severity changes, then the packs' own rules. Rule ids must stay unique across
    packs given together."""
    cat = catalogue if catalogue is not None else load_catalogue()
    changed: dict[str, Severity] = {}
    for pack in packs:
        changed.update(pack.severities)
    rules = [replace(r, severity=changed[r.id]) if r.id in changed else r for r in cat]
    owner: dict[str, str] = {}
    for pack in packs:
        for rule in pack.rules:
            if rule.id in owner:
                raise InputError(f"规则包“{owner[rule.id]}”和“{pack.name}”都有规则 {rule.id}，不能一起使用；"
                                 "请改一个规则包中的编号。", place=pack.name)
            owner[rule.id] = pack.name
            rules.append(rule)
    return rules


def load_packs(given: Iterable[str]) -> tuple[Pack, ...]:
    """Each pack named, checked, and checked against the others (ids)."""
    packs = tuple(load_pack(g) for g in given)
    with_packs(packs)
    return packs

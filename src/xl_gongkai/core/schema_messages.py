"""JSON Schema errors as the Chinese sentences a person reads.

For example ``values.requests.new.natural_person 应为数字，实际为 true``. jsonschema's own messages are
English, and one bad value often fails several branches of the payload schema (the general ``values``
shape and the stricter one for a valid report), so the same place would be named two or three times.
Here each error becomes one sentence from its keyword and values, and a place is named once for each
kind of problem (the first, most general finding about it). Standard library only: the error objects
come from the caller, which imports jsonschema.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

TYPE_NAMES = {"number": "数字", "integer": "整数", "string": "文字", "null": "空值（null）", "object": "对象（{…}）",
              "array": "数组（[…]）", "boolean": "true/false"}
_SHOWN = 40


def shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def place(path: Iterable[Any]) -> str:
    parts = [str(p) for p in path]
    return ".".join(parts) if parts else "（顶层）"


def sentence(validator: str, expected: Any, instance: Any, schema: dict[str, Any]) -> str:
    """What is wrong, from the failing keyword (``type``, ``required``…), the keyword's value and the instance."""
    if validator == "type":
        kinds = expected if isinstance(expected, list) else [expected]
        return f"应为{'、'.join(TYPE_NAMES.get(str(k), str(k)) for k in kinds)}，实际为 {shown(instance)}"
    if validator == "required":
        missing = [k for k in expected if isinstance(instance, dict) and k not in instance]
        return "缺少必需的键：" + "、".join(missing or expected)
    if validator == "additionalProperties":
        known = set(schema.get("properties", {}))
        extra = [k for k in instance if k not in known] if isinstance(instance, dict) else []
        return "有不认识的键：" + "、".join(extra)
    if validator == "enum":
        return f"应为 {'、'.join(shown(v) for v in expected)} 之一，实际为 {shown(instance)}"
    if validator == "const":
        return f"应为 {shown(expected)}，实际为 {shown(instance)}"
    if validator in ("minimum", "exclusiveMinimum"):
        word = "不小于" if validator == "minimum" else "大于"
        return f"应{word} {shown(expected)}，实际为 {shown(instance)}"
    if validator in ("maximum", "exclusiveMaximum"):
        word = "不大于" if validator == "maximum" else "小于"
        return f"应{word} {shown(expected)}，实际为 {shown(instance)}"
    if validator == "minLength":
        return "不能为空" if expected == 1 else f"至少应有 {expected} 个字符"
    if validator == "maxLength":
        return f"最多 {expected} 个字符"
    if validator == "pattern":
        return f"格式不对，实际为 {shown(instance)}"
    if validator in ("minItems", "maxItems"):
        return f"项数不对（{'至少' if validator == 'minItems' else '最多'} {expected} 项）"
    if validator == "uniqueItems":
        return f"有重复的项，实际为 {shown(instance)}"
    return f"不符合数据包的格式要求（{validator}），实际为 {shown(instance)}"


def problems(errors: Iterable[Any]) -> list[str]:
    """One sentence per place and keyword, in document order, from jsonschema ``ValidationError`` objects."""
    seen: set[tuple[str, str]] = set()
    out = []
    for err in sorted(errors, key=lambda e: [str(p) for p in e.absolute_path]):
        where = place(err.absolute_path)
        if (where, err.validator) in seen:
            continue
        seen.add((where, err.validator))
        out.append(f"{where} {sentence(err.validator, err.validator_value, err.instance, err.schema)}")
    return out

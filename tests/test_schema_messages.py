"""Every JSON Schema keyword the payload schema uses becomes one Chinese sentence, worded as written here.

Each case is a small schema, a document that breaks exactly one keyword of it, and the sentence a person should
read — written out by hand, not computed by the code under test. The errors come from jsonschema itself, as in
``core.payload``.
"""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from xl_gongkai.core.schema_messages import TYPE_NAMES, problems

LONG = "很长的文字" * 20

CASES: list[tuple[str, dict[str, Any], Any, list[str]]] = [
    ("type", {"properties": {"a": {"type": "number"}}}, {"a": True}, ["a 应为数字，实际为 true"]),
    ("type, several", {"properties": {"a": {"type": ["integer", "null"]}}}, {"a": "三"},
     ["a 应为整数、空值（null），实际为 \"三\""]),
    ("required", {"required": ["agency", "year"]}, {"agency": "某局"}, ["（顶层） 缺少必需的键：year"]),
    ("additionalProperties", {"properties": {"a": {}}, "additionalProperties": False}, {"a": 1, "b": 2, "c": 3},
     ["（顶层） 有不认识的键：b、c"]),
    ("enum", {"properties": {"k": {"enum": ["workbook", "report"]}}}, {"k": "pdf"},
     ["k 应为 \"workbook\"、\"report\" 之一，实际为 \"pdf\""]),
    ("const", {"properties": {"v": {"const": "1.2.0"}}}, {"v": "1.0.0"}, ["v 应为 \"1.2.0\"，实际为 \"1.0.0\""]),
    ("minimum", {"properties": {"n": {"minimum": 0}}}, {"n": -1}, ["n 应不小于 0，实际为 -1"]),
    ("exclusiveMinimum", {"properties": {"n": {"exclusiveMinimum": 0}}}, {"n": 0}, ["n 应大于 0，实际为 0"]),
    ("maximum", {"properties": {"n": {"maximum": 9}}}, {"n": 10}, ["n 应不大于 9，实际为 10"]),
    ("exclusiveMaximum", {"properties": {"n": {"exclusiveMaximum": 9}}}, {"n": 9}, ["n 应小于 9，实际为 9"]),
    ("minLength 1", {"properties": {"s": {"minLength": 1}}}, {"s": ""}, ["s 不能为空"]),
    ("minLength 3", {"properties": {"s": {"minLength": 3}}}, {"s": "ab"}, ["s 至少应有 3 个字符"]),
    ("maxLength", {"properties": {"s": {"maxLength": 2}}}, {"s": "abc"}, ["s 最多 2 个字符"]),
    ("pattern", {"properties": {"d": {"pattern": "^[0-9]{4}$"}}}, {"d": "二〇二五"},
     ["d 格式不对，实际为 \"二〇二五\""]),
    ("minItems", {"properties": {"l": {"minItems": 2}}}, {"l": [1]}, ["l 项数不对（至少 2 项）"]),
    ("maxItems", {"properties": {"l": {"maxItems": 1}}}, {"l": [1, 2]}, ["l 项数不对（最多 1 项）"]),
    ("uniqueItems", {"properties": {"l": {"uniqueItems": True}}}, {"l": [1, 1]}, ["l 有重复的项，实际为 [1, 1]"]),
    ("another keyword", {"properties": {"o": {"minProperties": 1}}}, {"o": {}},
     ["o 不符合数据包的格式要求（minProperties），实际为 {}"]),
    ("a long value is cut", {"properties": {"s": {"type": "number"}}}, {"s": LONG},
     [f"s 应为数字，实际为 \"{LONG[:38]}…"]),
    ("nested place", {"properties": {"values": {"properties": {"requests": {"type": "object"}}}}},
     {"values": {"requests": [1]}}, ["values.requests 应为对象（{…}），实际为 [1]"]),
]


@pytest.mark.parametrize(("keyword", "schema", "document", "wanted"), CASES, ids=[c[0] for c in CASES])
def test_each_keyword_reads_as_one_sentence(keyword: str, schema: dict[str, Any], document: Any,
                                            wanted: list[str]) -> None:
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(document))
    assert errors, f"the document must break the schema's {keyword}"
    assert problems(errors) == wanted


def test_a_place_is_named_once_per_kind_of_problem() -> None:
    """One bad value failing two branches (the general shape and the stricter one) is one sentence, not two."""
    schema = {"allOf": [{"properties": {"n": {"type": "number"}}}, {"properties": {"n": {"type": "integer"}}}],
              "required": ["m"]}
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors({"n": "x"}))
    assert len(errors) == 3
    assert problems(errors) == ["（顶层） 缺少必需的键：m", "n 应为数字，实际为 \"x\""]


def test_every_json_type_has_a_chinese_name() -> None:
    """The seven JSON Schema types, each with its name (an unknown one would show in English)."""
    assert set(TYPE_NAMES) == {"number", "integer", "string", "null", "object", "array", "boolean"}
    assert all(not name.isascii() for kind, name in TYPE_NAMES.items() if kind != "boolean")


def test_the_payload_schemas_keywords_are_all_worded() -> None:
    """Every validation keyword the payload schema itself uses has its own sentence (not the fallback)."""
    from xl_gongkai.core.payload import schema

    worded = {"type", "required", "additionalProperties", "enum", "const", "minimum", "exclusiveMinimum", "maximum",
              "exclusiveMaximum", "minLength", "maxLength", "pattern", "minItems", "maxItems", "uniqueItems"}
    structural = {"$schema", "$id", "$ref", "$defs", "title", "description", "properties", "items", "allOf",
                  "anyOf", "oneOf", "if", "then", "else", "not", "default", "examples", "patternProperties",
                  "propertyNames", "definitions", "$comment", "contentMediaType", "format"}
    used: set[str] = set()

    keywords = worded | structural

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("properties", "patternProperties", "$defs", "definitions"):
                    for sub in value.values():
                        named(sub)
                else:
                    used.add(key)
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    def named(node: Any) -> None:
        """A subschema, or a group of named subschemas (``$defs`` keeps one group per form)."""
        if isinstance(node, dict) and node and not set(node) & keywords:
            for sub in node.values():
                named(sub)
        else:
            walk(node)

    walk(schema())
    assert used - worded - structural == set()

"""Reports and payloads as JSON files.

Two shapes are read: a full payload written by ``export`` (schema-checked, its sha256 verified) and a
plain report document (``metadata``, ``values`` keyed table → row → column, optional ``narrative``
and ``explanations``) such as typed-in test data. Missing cells read as blank, so the checks report
them; unknown keys and non-scalar values make the file unreadable, with the key named.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core import payload as payload_mod
from ..core.report import FIELD_PREFIX, Report
from ..errors import InputError
from ..fileio import read_input
from ..spec import DEFAULT_FORM, CellKey, SpecError, load_form
from ..spec.payload_schema import ORIGINS

MAX_JSON_BYTES = 5 * 1024 * 1024  # a payload is about 50 KB; six full narrative cells stay under 1 MB
PAYLOAD_URN = "urn:xl-gongkai:payload:"  # every version's schema id starts so (spec/payload_schema.ACCEPTED_IDS)
# A report document has at least one of these; any other JSON (a program's settings, another tool's export) is
# not a report with every cell blank — 247 错误 about a file that was never a report — but one refusal.
DOCUMENT_KEYS = ("metadata", "values", "narrative")
NOT_OURS = ("不是本工具的数据包或报告 JSON（{why}）。请提供 xl-gongkai 导出的数据包（.json）、填好的工作簿，"
            "或已公布的报告。")


@dataclass(frozen=True)
class LoadedReport:
    report: Report
    is_payload: bool
    notes: list[str] = field(default_factory=list)


def read_report(path: str | Path) -> LoadedReport:
    p = Path(path)
    raw = read_input(p, cap=MAX_JSON_BYTES, too_big=f"文件有 {{mb}} MB，超过 {MAX_JSON_BYTES // (1024 * 1024)} MB "
                     "的上限（一份报告的数据包不到 1 MB），未读取。")
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError("不是 UTF-8 编码的 JSON 文件。", place=str(p)) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"JSON 格式错误（第{exc.lineno}行第{exc.colno}列：{exc.msg}）。", place=str(p)) from None
    except RecursionError:
        raise InputError("JSON 嵌套层数过多，不是报告数据包或报告文档。", place=str(p)) from None
    except ValueError:  # an integer of more than 4300 digits (Python's guard against slow conversion)
        raise InputError("JSON 中有位数过多的数字，不是报告数据包或报告文档。", place=str(p)) from None
    return report_from_document(doc, str(p))


def report_from_document(doc: Any, where: str = "JSON") -> LoadedReport:
    if not isinstance(doc, dict):
        raise InputError(NOT_OURS.format(why="顶层不是对象（{…}）"), place=where)
    notes: list[str] = []
    is_payload = "schema" in doc and "sha256" in doc
    schema = doc.get("schema")
    if is_payload and not (isinstance(schema, str) and schema.startswith(PAYLOAD_URN)):
        shown = str(schema)[:60]
        raise InputError(NOT_OURS.format(why=f"它的 schema 是“{shown}”，不是 {PAYLOAD_URN}…"), place=where)
    if not is_payload and not any(key in doc for key in DOCUMENT_KEYS):
        keys = "、".join(list(doc)[:4]) or "（空对象）"
        raise InputError(NOT_OURS.format(why=f"既没有 schema 和 sha256，也没有 {'、'.join(DOCUMENT_KEYS)}，"
                                             f"而是 {keys}{'等' if len(doc) > 4 else ''}"), place=where)
    if is_payload:
        problems = payload_mod.schema_problems(doc)
        if problems:
            shown = "；".join(problems[:5]) + ("……" if len(problems) > 5 else "")
            raise InputError(f"不符合数据包 JSON Schema：{shown}", place=where)
        if payload_mod.content_hash(doc) != doc["sha256"]:
            notes.append("注意：sha256 与内容不符，此数据包在导出后被修改过；以下按现有内容重新校验。")
    form_id = doc.get("form", DEFAULT_FORM)
    if isinstance(form_id, dict):
        form_id = form_id.get("id", DEFAULT_FORM)
    try:
        form = load_form(str(form_id))
    except SpecError:
        raise InputError(f"未知的报告格式“{form_id}”。", place=where) from None
    values = _values(doc.get("values", {}), form, where)
    metadata = _strings_map(doc.get("metadata", {}), "metadata", where, scalar=True)
    unknown = sorted(set(metadata) - {f.key for f in form.metadata_fields})
    if unknown:
        raise InputError(f"metadata 中有未知字段：{', '.join(unknown)}。", place=where)
    narrative = _strings_map(doc.get("narrative", {}), "narrative", where)
    explanations = _strings_map(doc.get("explanations", {}), "explanations", where)
    origin = doc.get("origin")
    if origin is not None and origin not in ORIGINS:
        raise InputError(f"origin 的值“{origin}”无效（只能是 {'、'.join(ORIGINS)}）。", place=where)
    absent, printed_blank, unread = _source_parts(doc, form, where)
    report = Report(form=form, metadata=metadata, values=values, narrative=narrative, explanations=explanations,
                    origin=origin, absent=absent, printed_blank=printed_blank, unread=unread)
    return LoadedReport(report, is_payload, notes)


def _source_parts(doc: dict[str, Any], form: Any,
                  where: str) -> tuple[dict[str, str], frozenset[CellKey], frozenset[CellKey]]:
    """What a published report's text does not contain (``absent``), prints blank (``printed_blank``) and what
    the importer could not read (``unread``)."""
    absent = _strings_map(doc.get("absent", {}), "absent", where)
    parts = {t.key for t in form.tables} | {s.key for s in form.sections} | {p.key for p in form.text_parts}
    parts |= {FIELD_PREFIX + f.key for f in form.metadata_fields if f.required}  # a cover field the text lacks
    unknown = sorted(set(absent) - parts)
    if unknown:
        raise InputError(f"absent 中有未知的部分：{', '.join(unknown)}"
                         "（表、正文部分或封面必填项 metadata.… 的键见 docs/schema.md）。",
                         place=where)
    return absent, _cell_list(doc, "printed_blank", form, where), _cell_list(doc, "unread", form, where)


def _cell_list(doc: dict[str, Any], name: str, form: Any, where: str) -> frozenset[CellKey]:
    listed = doc.get(name, [])
    if not isinstance(listed, list) or not all(isinstance(x, str) for x in listed):
        raise InputError(f"{name} 应为单元格键（表.行.列）的列表。", place=where)
    cells: set[CellKey] = set()
    for text in listed:
        try:
            key = CellKey.parse(text)
        except ValueError:
            key = None
        if key is None or not form.has_cell(key):
            raise InputError(f"{name} 中有未知的单元格“{text}”（键见 docs/schema.md）。", place=where)
        cells.add(key)
    return frozenset(cells)


def _values(tree: Any, form: Any, where: str) -> dict[CellKey, Any]:
    if not isinstance(tree, dict):
        raise InputError("values 应为对象：表 → 行 → 列 → 数值。", place=where)
    values: dict[CellKey, Any] = {c.key: None for c in form.cells}
    for t, rows in tree.items():
        if not isinstance(rows, dict):
            raise InputError(f"values.{t} 应为对象。", place=where)
        for r, cols in rows.items():
            if not isinstance(cols, dict):
                raise InputError(f"values.{t}.{r} 应为对象。", place=where)
            for c, v in cols.items():
                key = CellKey(t, r, c)
                if not form.has_cell(key):
                    raise InputError(f"未知的单元格 values.{key}（表、行、列的键见 docs/schema.md）。", place=where)
                if (v is not None and not isinstance(v, (int, float, str))) or isinstance(v, bool):
                    raise InputError(f"values.{key} 应为数字、文字或 null。", place=where)
                if isinstance(v, float) and not math.isfinite(v):  # NaN, Infinity or 1e999: not a number to check
                    raise InputError(f"values.{key} 的数值“{v}”超出范围，不是有效的数字。", place=where)
                values[key] = v
    return values


def _strings_map(obj: Any, name: str, where: str, *, scalar: bool = False) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise InputError(f"{name} 应为对象。", place=where)
    for k, v in obj.items():
        ok = isinstance(v, (str, int, float)) and not isinstance(v, bool) if scalar else isinstance(v, str)
        if not ok and v is not None:
            raise InputError(f"{name}.{k} 的值类型不对。", place=where)
        if isinstance(v, float) and not math.isfinite(v):
            raise InputError(f"{name}.{k} 的数值“{v}”超出范围，不是有效的数字。", place=where)
    return {k: v for k, v in obj.items() if v is not None}

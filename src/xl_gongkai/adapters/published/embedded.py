"""The data a generated report carries (``core.embedded``): read, checked, and weighed against its printed tables.

A report this tool generated carries the payload it was made from. When a file carries one, its numbers,
texts and explanations are taken from there — exact, with nothing to decode — and said
(“读取了报告内嵌的数据”); the printed tables are still read as any report's are, and compared with it cell by
cell: a difference is an 错误 (I9) naming the cell, since the report no longer says what its data says. Data
that cannot be used as it is — two payloads, text that is not JSON, a document the payload schema refuses, a
sha256 that does not match — is an 错误 (I10); the first three leave the printed reading in place, the last
keeps the data (its tables are still compared) and says it was changed.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ...core.embedded import READ_NOTE, compare, damaged
from ...core.payload import content_hash
from ...errors import InputError
from ...spec import load_rules
from ..jsonfile import report_from_document

if TYPE_CHECKING:
    from . import ImportResult

_PRINTED = "已按表格读取"
_CHANGED = "与它的 sha256 不符：生成报告后被改动过（下面按改动后的数据校验，并与表格核对）"


def with_embedded(texts: tuple[str, ...], printed: ImportResult, where: str) -> ImportResult:
    """The import of a file that carries ``texts`` (its embedded payloads), given what its printed text gave."""
    if not texts:
        return printed
    if len(texts) > 1:
        return _unusable(printed, "count", f"有 {len(texts)} 份，无法确定哪一份属于这份报告，{_PRINTED}")
    doc, problem = _parsed(texts[0])
    if problem:
        return _unusable(printed, "json", problem)
    try:
        loaded = report_from_document(doc, where)
    except InputError as exc:
        return _unusable(printed, "schema", f"无法使用（{_bare(exc)}），{_PRINTED}")
    if not loaded.is_payload:
        return _unusable(printed, "schema", f"不是数据包（没有 schema 和 sha256），{_PRINTED}")
    findings = []
    if content_hash(doc) != doc["sha256"]:
        findings.append(damaged("sha256", _CHANGED))
    report = loaded.report
    differ = compare(report, printed.report)
    compared = sum(1 for c in report.form.cells if c.table.key not in printed.report.absent)
    said = f"{compared} 个数字全部一致" if not differ else f"有 {len(differ)} 处不一致（I9）"
    notes = [f"{READ_NOTE}（{_made_by(doc)}），并与表格逐格核对：{said}。"]
    rules = load_rules()["version"]
    if doc["rules_version"] != rules:
        notes.append(f"内嵌的数据是按规则目录 {doc['rules_version']} 版校验的，本工具的规则目录为 {rules} 版："
                     "下面按本工具的规则重新校验。")
    return replace(printed, report=report, findings=(*findings, *differ), format=report.form.id,
                   notes=tuple(notes), embedded=True)


def _parsed(text: str) -> tuple[Any, str]:
    """The embedded JSON, or what is wrong with it."""
    try:
        return json.loads(text), ""
    except json.JSONDecodeError as exc:
        return None, f"不是有效的 JSON（第{exc.lineno}行第{exc.colno}列：{exc.msg}），{_PRINTED}"
    except (RecursionError, ValueError):
        return None, f"不是有效的 JSON（嵌套过深或数字位数过多），{_PRINTED}"


def _made_by(doc: dict[str, Any]) -> str:
    generator = doc["generator"]
    schema = str(doc["schema"]).rsplit(":", 1)[-1]
    return f"由 {generator['name']} {generator['version']} 生成，数据包格式 {schema}，规则目录 {doc['rules_version']}"


def _unusable(printed: ImportResult, scope: str, what: str) -> ImportResult:
    """The printed reading, with the I10 that says why the data the file carries was not used."""
    return replace(printed, findings=(damaged(scope, what), *printed.findings), embedded=True)


def _bare(exc: InputError) -> str:
    return (exc.args[0] if exc.args else str(exc)).rstrip("。")

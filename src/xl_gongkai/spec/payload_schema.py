"""Generates the payload's JSON Schema from the form spec, so the schema names exactly the spec's cells.

The generated document is shipped as ``payload.schema.json`` and printed in ``docs/``; a test
regenerates it and compares, so the published schema can never drift from the spec.
"""

from __future__ import annotations

from typing import Any

from .loader import FORM_FILES, load_form
from .model import CellKey, Form
from .severity import Severity

SCHEMA_VERSION = "1.4.0"
SCHEMA_ID = f"urn:xl-gongkai:payload:{SCHEMA_VERSION}"
# Versions whose documents this schema also describes: 1.1.0 only added the optional ``origin``; 1.2.0 the
# severity 待填写 (a 汇总's text still to write), the optional count ``to_write``, and, for a published report,
# the optional ``absent`` (parts the text does not contain), ``printed_blank`` (cells it prints blank) and
# ``unread`` (cells the importer could not read); 1.3.0 the severity 待核对 (what the importer could not read is
# no 错误 of the agency) and the optional count ``to_check``; 1.4.0 a required cover field in ``absent``
# (``metadata.agency``, ``metadata.year``: the published text does not state it, I6 instead of M1/M2).
ACCEPTED_IDS = ("urn:xl-gongkai:payload:1.0.0", "urn:xl-gongkai:payload:1.1.0", "urn:xl-gongkai:payload:1.2.0",
                "urn:xl-gongkai:payload:1.3.0", SCHEMA_ID)
ORIGINS = ("consolidation",)

COUNTS = ("errors", "warnings", "explained")
OPTIONAL_COUNTS = ("to_write", "to_check")  # present when there is any: parts 待填写, findings 待核对
_VALUE: dict[str, Any] = {
    "description": "As read: a number; text when the cell held text (reported as an 错误); null when blank.",
    "type": ["number", "string", "null"],
}


def _values_schema(form: Form, *, numbers_only: bool) -> dict[str, Any]:
    tables: dict[str, Any] = {}
    for t in form.tables:
        rows: dict[str, Any] = {}
        for row in t.rows:
            cols: dict[str, Any] = {}
            for col in t.columns_of(row):
                cell = form.cell(CellKey(t.key, row.key, col.key))
                if numbers_only:
                    # a change (2019 本年增/减) may be negative; every other value is a count or an amount
                    cols[col.key] = {"type": "number"} if col.signed else {"type": "number", "minimum": 0}
                else:
                    kind = "derived" if cell.derived else "input"
                    unit = f"{col.unit}, up to {col.decimals} decimals" if col.decimals else col.unit
                    cols[col.key] = {
                        **_VALUE,
                        "title": f"{t.row_path(row)} / {col.label}",
                        "description": f"{kind}; {unit}; template cell '{t.sheet}'!{cell.address}",
                    }
            rows[row.key] = {"type": "object", "required": list(cols), "additionalProperties": False,
                             "properties": cols}
            if not numbers_only:
                rows[row.key]["title"] = t.row_path(row)
        tables[t.key] = {"type": "object", "required": list(rows), "additionalProperties": False, "properties": rows}
        if not numbers_only:
            tables[t.key]["title"] = f"表{t.number} {t.title}"
    return {"type": "object", "required": list(tables), "additionalProperties": False, "properties": tables}


def _metadata_schema(form: Form) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for f in form.metadata_fields:
        if f.type == "year":
            props[f.key] = {"title": f.label, "type": ["integer", "string", "null"]}
        elif f.type == "date":
            props[f.key] = {"title": f.label, "description": "ISO 8601 date (YYYY-MM-DD) when well-formed",
                            "type": ["string", "null"]}
        else:
            props[f.key] = {"title": f.label, "type": ["string", "null"]}
    return {"type": "object", "required": [f.key for f in form.metadata_fields if f.required],
            "additionalProperties": False, "properties": props}


def _narrative_schema(form: Form) -> dict[str, Any]:
    props = {s.key: {"title": s.heading, "type": "string"} for s in form.sections}
    props["preamble"] = {"title": "前言（报告说明、统计期限）", "type": "string"}
    return {"type": "object", "additionalProperties": False, "properties": props}


def _report_branch(form: Form) -> dict[str, Any]:
    return {
        "if": {"properties": {"form": {"properties": {"id": {"const": form.id}}}}},
        "then": {
            "properties": {
                "metadata": {"$ref": f"#/$defs/{form.id}/metadata"},
                "values": {"$ref": f"#/$defs/{form.id}/values"},
                "narrative": {"$ref": f"#/$defs/{form.id}/narrative"},
            },
            "if": {"properties": {"validation": {"properties": {"valid": {"const": True}}, "required": ["valid"]}},
                   "required": ["validation"], "not": {"required": ["printed_blank"]}},
            "then": {"properties": {"values": {"$ref": f"#/$defs/{form.id}/valid_values"}}},
        },
    }


def generate() -> dict[str, Any]:
    forms = [load_form(fid) for fid in FORM_FILES]
    finding = {
        "type": "object",
        "required": ["rule", "severity", "key", "message", "place", "cells", "values"],
        "additionalProperties": False,
        "properties": {
            "rule": {"type": "string", "pattern": "^[A-Z][0-9]+$"},
            "severity": {"enum": [s.value for s in Severity]},
            "key": {"type": "string", "description": "stable id of the finding, used to attach an explanation"},
            "message": {"type": "string", "description": "Chinese message starting with the rule id"},
            "place": {
                "type": "object",
                "additionalProperties": False,
                "properties": {k: {"type": "string"} for k in
                               ("sheet", "cell", "table", "row", "column", "field", "section")},
            },
            "cells": {"type": "array", "items": {"type": "string", "pattern": r"^[a-z0-9_]+\.[a-z0-9_]+\.[a-z0-9_]+$"}},
            "values": {"type": "object", "description": "evaluated values (left, right, diff, value)"},
            "explanation": {"type": "string", "minLength": 1},
        },
    }
    defs: dict[str, Any] = {"finding": finding}
    for form in forms:
        defs[form.id] = {
            "metadata": _metadata_schema(form),
            "values": _values_schema(form, numbers_only=False),
            "valid_values": _values_schema(form, numbers_only=True),
            "narrative": _narrative_schema(form),
        }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "政府信息公开工作年度报告 — xl_gongkai payload",
        "description": (
            "One annual report: metadata, every value of tables 二, 三 and 四 keyed by table/row/column, the narrative "
            "texts, a summary generated from the numbers, the validation result, the clerk's explanations of 提示 "
            "findings, generator and spec versions, and a sha256 of the content. When validation.valid is true every "
            "value is a non-negative number."
        ),
        "type": "object",
        "required": ["schema", "generator", "form", "rules_version", "metadata", "values", "narrative", "summary",
                     "validation", "explanations", "sha256"],
        "additionalProperties": False,
        "properties": {
            "schema": {"enum": list(ACCEPTED_IDS),
                       "description": "written as the newest id; older ids of the same major version are read"},
            "origin": {"enum": list(ORIGINS),
                       "description": "present when the report is a consolidation (汇总) this tool made: never added "
                                      "into another consolidation"},
            "absent": {
                "type": "object", "additionalProperties": {"type": "string"},
                "description": "a published report read by the importer: the tables (by key) and text sections that "
                               "its text does not contain (an excerpt), and the required cover fields it does not "
                               "state (metadata.agency, metadata.year), with what the text shows instead; the checks "
                               "report each once (I6) and do not judge their cells or the field (M1, M2)",
            },
            "unread": {
                "type": "array", "uniqueItems": True,
                "items": {"type": "string", "pattern": "^[a-z0-9_]+\\.[a-z0-9_]+\\.[a-z0-9_]+$"},
                "description": "a published report read by the importer: the cells of its tables it could not read "
                               "with certainty (left blank); said once per table (I8), 待核对",
            },
            "printed_blank": {
                "type": "array", "uniqueItems": True,
                "items": {"type": "string", "pattern": "^[a-z0-9_]+\\.[a-z0-9_]+\\.[a-z0-9_]+$"},
                "description": "a published report read by the importer: the cells (table.row.column) its tables "
                               "print blank; said once per table (I7), counted as 0 by the arithmetic, so a valid "
                               "document may hold null in exactly these cells",
            },
            "generator": {
                "type": "object", "required": ["name", "version"], "additionalProperties": False,
                "properties": {"name": {"const": "xl_gongkai"}, "version": {"type": "string"}},
            },
            "form": {
                "type": "object", "required": ["id", "version"], "additionalProperties": False,
                "properties": {"id": {"enum": [f.id for f in forms]}, "version": {"type": "string"}},
            },
            "rules_version": {"type": "string"},
            "metadata": {"type": "object"},
            "values": {"type": "object"},
            "narrative": {"type": "object"},
            "summary": {
                "type": "object", "required": ["paragraphs", "text"], "additionalProperties": False,
                "properties": {
                    "paragraphs": {"type": "object", "additionalProperties": {"type": "string"}},
                    "text": {"type": "string"},
                },
            },
            "validation": {
                "type": "object", "required": ["valid", "ready", "counts", "findings"], "additionalProperties": False,
                "properties": {
                    "valid": {"type": "boolean", "description": "no 错误 stands and nothing is 待核对"},
                    "ready": {"type": "boolean",
                              "description": "no 错误, nothing 待填写 or 待核对, and every 提示 carries an "
                                             "explanation"},
                    "counts": {
                        "type": "object", "required": list(COUNTS), "additionalProperties": False,
                        "properties": {k: {"type": "integer", "minimum": 0} for k in (*COUNTS, *OPTIONAL_COUNTS)},
                    },
                    "findings": {"type": "array", "items": {"$ref": "#/$defs/finding"}},
                },
            },
            "explanations": {
                "type": "object",
                "description": "the clerk's explanation of each 提示 finding, keyed by the finding's key",
                "additionalProperties": {"type": "string", "minLength": 1},
            },
            "sha256": {
                "type": "string", "pattern": "^[0-9a-f]{64}$",
                "description": "sha256 of the canonical JSON (sorted keys, no spaces, UTF-8) "
                               "of this object without sha256",
            },
        },
        "allOf": [_report_branch(f) for f in forms],
        "$defs": defs,
    }

"""The JSON payload: one report, its validation result and summary, in a versioned, checked shape.

The payload is validated against the shipped JSON Schema before it is written, carries a sha256 of
its own canonical content, and contains nothing that changes between runs (no timestamps), so the
same report always gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from functools import cache
from importlib import resources
from typing import Any

from .. import __version__
from ..spec import CellKey, load_rules
from ..spec.payload_schema import SCHEMA_ID
from . import schema_messages
from .findings import Validation
from .numbers import read
from .report import Report
from .summary import Summary


class PayloadError(Exception):
    """A payload does not conform to the schema (a defect when we built it, bad input when we read it)."""

    def __init__(self, message: str, problems: list[str]) -> None:
        super().__init__(message)
        self.problems = problems


def json_value(raw: Any) -> Any:
    """A cell value as JSON: numbers stay numbers, blanks are null, anything else becomes its text."""
    r = read(raw)
    if r.kind == "number":
        return r.number
    if r.kind == "blank":
        return None
    if isinstance(raw, (dt.date, dt.datetime)):
        return raw.isoformat()
    return r.text


def json_metadata(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool) or value is None:
        return None if value is None else str(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (int, str)):
        return value.strip() if isinstance(value, str) else value
    return str(value)


def values_in_order(report: Report) -> list[Any]:
    """The report's values as :func:`json_value` gives them, in the order of the form's cells (one scan of the
    report; only what is not a number or a blank is looked at again)."""
    scanned = report.scan
    if "t" not in scanned.kinds:
        return list(scanned.numbers)
    cells = report.form.cells
    return [json_value(report.values.get(cells[i].key)) if kind == "t" else scanned.numbers[i]
            for i, kind in enumerate(scanned.kinds)]


def nested_values(report: Report) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for cell in report.form.cells:
        k = cell.key
        out.setdefault(k.table, {}).setdefault(k.row, {})[k.column] = json_value(report.values.get(k))
    return out


def flat_values(values: dict[str, Any]) -> dict[CellKey, Any]:
    return {
        CellKey(t, r, c): v
        for t, rows in values.items()
        for r, cols in rows.items()
        for c, v in cols.items()
    }


def canonical(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def content_hash(doc: dict[str, Any]) -> str:
    return hashlib.sha256(canonical({k: v for k, v in doc.items() if k != "sha256"})).hexdigest()


def _typed(kind: str, value: Any) -> Any:
    """A metadata value in the type the schema gives its field: only the year may be a number.

    A report document may hold a number where text belongs (an agency of 0, a year of 2024.5); the checks
    report it (M1, M2), and the payload keeps what was given, as text.
    """
    if value is None or isinstance(value, str) or (kind == "year" and isinstance(value, int)):
        return value
    return str(value)


def build(report: Report, validation: Validation, summary: Summary) -> dict[str, Any]:
    form = report.form
    metadata = {f.key: _typed(f.type, json_metadata(report.metadata.get(f.key))) for f in form.metadata_fields}
    # a required field the clerk left empty stays, as null: the schema requires the key (a draft may lack
    # the agency or the year, and M1/M2 say so); optional empty fields are left out
    required = {f.key for f in form.metadata_fields if f.required}
    metadata = {k: (None if v == "" else v) for k, v in metadata.items() if v not in (None, "") or k in required}
    doc: dict[str, Any] = {
        "schema": SCHEMA_ID,
        "generator": {"name": "xl_gongkai", "version": __version__},
        "form": {"id": form.id, "version": form.version},
        "rules_version": load_rules()["version"],
        "metadata": metadata,
        "values": nested_values(report),
        "narrative": {k: v for k, v in report.narrative.items() if isinstance(v, str) and v.strip()},
        "summary": summary.as_dict(),
        "validation": {**validation.as_dict(), "ready": validation.ready},
        "explanations": {k: v for k, v in sorted(report.explanations.items()) if v and v.strip()},
    }
    if report.origin is not None:
        doc["origin"] = report.origin
    if report.absent:
        doc["absent"] = dict(report.absent)
    if report.printed_blank:
        doc["printed_blank"] = sorted(str(k) for k in report.printed_blank)
    if report.unread:
        doc["unread"] = sorted(str(k) for k in report.unread)
    doc["sha256"] = content_hash(doc)
    validate(doc)
    return doc


def dumps(doc: dict[str, Any]) -> bytes:
    """The bytes written to disk: stable key order, readable indentation, UTF-8, final newline."""
    return (json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode("utf-8")


@cache
def schema() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(resources.files("xl_gongkai.spec").joinpath("payload.schema.json").read_bytes())
    return doc


def schema_problems(doc: Any, ref: str | None = None) -> list[str]:
    """Schema violations of ``doc`` (of the whole payload, or of a ``$defs`` part named by ``ref``)."""
    import jsonschema  # deferred: costs a tenth of a second, and only export and import need it

    root = schema()
    target = root if ref is None else {"$ref": ref, "$defs": root["$defs"]}
    validator = jsonschema.Draft202012Validator(target)
    return schema_messages.problems(validator.iter_errors(doc))


def validate(doc: dict[str, Any]) -> None:
    problems = schema_problems(doc)
    if problems:
        raise PayloadError("生成的 JSON 不符合 JSON Schema（程序缺陷，请联系维护人员）", problems)

"""The JSON payload: schema-valid, deterministic, hashed, written atomically, and read back."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import jsonschema
import pytest

from conftest import TODAY, load
from xl_gongkai.adapters.jsonfile import read_report
from xl_gongkai.commands.export import export_payload
from xl_gongkai.core import payload
from xl_gongkai.core.report import Report
from xl_gongkai.errors import InputError, Refused
from xl_gongkai.spec import CellKey


def test_shipped_schema_is_a_valid_draft_2020_12_schema() -> None:
    shipped = (Path(payload.__file__).parent.parent / "spec" / "payload.schema.json").read_text("utf-8")
    schema = json.loads(shipped)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema" and schema["$id"].endswith("1.4.0")


def test_payload_of_a_real_report(complete_report: Report, tmp_path: Path) -> None:
    out = tmp_path / "p.json"
    doc = export_payload(complete_report, out, today=TODAY)
    assert out.read_bytes() == payload.dumps(doc)
    assert doc["validation"] == {"valid": True, "ready": True,
                                 "counts": {"errors": 0, "warnings": 0, "explained": 0}, "findings": []}
    # the sha256 is of the canonical content without itself, recomputed here by hand
    body = {k: v for k, v in doc.items() if k != "sha256"}
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    assert doc["sha256"] == hashlib.sha256(canonical).hexdigest()
    assert sum(len(cols) for rows in doc["values"].values() for cols in rows.values()) == 200
    assert doc["form"] == {"id": "gov-2021", "version": "1.1.0"} and doc["generator"]["name"] == "xl_gongkai"


def test_same_report_same_bytes(huaian: Report, tmp_path: Path) -> None:
    a = export_payload(huaian, tmp_path / "a.json", today=TODAY)
    b = export_payload(load("huaian-city-2024"), tmp_path / "b.json", today=TODAY)
    assert a == b and (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_payload_reads_back_to_the_same_report(huaian: Report, tmp_path: Path) -> None:
    export_payload(huaian, tmp_path / "p.json", today=TODAY)
    loaded = read_report(tmp_path / "p.json")
    assert loaded.is_payload and loaded.notes == []
    assert dict(loaded.report.values) == dict(huaian.values)
    assert loaded.report.metadata["agency"] == "淮安市人民政府"


def test_an_edited_payload_is_noticed(huaian: Report, tmp_path: Path) -> None:
    doc = export_payload(huaian, tmp_path / "p.json", today=TODAY)
    doc["values"]["requests"]["new"]["natural_person"] = 3000
    (tmp_path / "p.json").write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    loaded = read_report(tmp_path / "p.json")
    assert "sha256" in loaded.notes[0]


def test_invalid_report_payload_keeps_text_and_is_marked_invalid(huaian: Report, tmp_path: Path) -> None:
    bad = huaian.with_values({CellKey("requests", "new", "research"): "不详"})
    doc = export_payload(bad, tmp_path / "p.json", today=TODAY, draft=True)
    assert doc["validation"]["valid"] is False
    assert doc["values"]["requests"]["new"]["research"] == "不详"  # nothing a clerk typed is lost


def test_schema_refuses_text_in_a_payload_that_claims_to_be_valid(huaian: Report, tmp_path: Path) -> None:
    doc = export_payload(huaian, tmp_path / "p.json", today=TODAY)
    doc["values"]["requests"]["new"]["research"] = "不详"
    assert payload.schema_problems(doc) == ["values.requests.new.research 应为数字，实际为 \"不详\""]


def test_export_refuses_while_an_error_stands(huaian: Report, tmp_path: Path) -> None:
    bad = huaian.with_values({CellKey("appeals", "review", "total"): 350})
    with pytest.raises(Refused, match="R4"):
        export_payload(bad, tmp_path / "p.json", today=TODAY)
    assert not (tmp_path / "p.json").exists()


def test_unreadable_inputs_name_the_problem(tmp_path: Path) -> None:
    p = tmp_path / "x.json"
    p.write_text("{not json", "utf-8")
    with pytest.raises(InputError, match="第1行"):
        read_report(p)
    p.write_text(json.dumps({"values": {"requests": {"new": {"nobody": 1}}}}), "utf-8")
    with pytest.raises(InputError, match=r"requests\.new\.nobody"):
        read_report(p)

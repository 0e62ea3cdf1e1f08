"""The generator and the importer agree on the format: import(generated HTML) gives the payload back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import COMPLETE_REPORTS, TODAY, load
from support.embedded import without_data_html
from xl_gongkai.adapters.published import import_report
from xl_gongkai.commands.export import export_payload
from xl_gongkai.commands.report import render_report
from xl_gongkai.core.rules import check


@pytest.mark.parametrize("name", COMPLETE_REPORTS)
def test_import_of_the_generated_html_equals_the_payload(name: str, tmp_path: Path) -> None:
    report = load(name)
    payload = export_payload(report, tmp_path / "p.json", today=TODAY)
    render_report(report, docx_path=tmp_path / "r.docx", html_path=tmp_path / "r.html", today=TODAY)
    # the printed text alone: without the data the page carries (with it: tests/test_embedded.py)
    (tmp_path / "p.html").write_text(without_data_html((tmp_path / "r.html").read_text("utf-8")), "utf-8")
    result = import_report(tmp_path / "p.html")
    assert result.format == report.form.id and result.findings == () and not result.embedded
    again = export_payload(result.report, tmp_path / "q.json", today=TODAY)
    assert again["values"] == payload["values"]
    for key in ("agency", "year"):
        assert again["metadata"][key] == payload["metadata"][key]
    # and the generated narrative agrees with the tables: no narrative-vs-table finding, nothing at all
    assert check(result.report, today=TODAY).findings == ()
    assert json.loads((tmp_path / "q.json").read_text("utf-8"))["validation"]["valid"]

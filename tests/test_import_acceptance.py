"""Every real published report in tests/data/published, against what was typed in by hand from it.

For each report: every printed number is in its cell and no cell holds what the report did not print
(compared with tests/data/reports for the full reports and tests/data/expected for the excerpts, both
typed in by hand from the texts and pages, independently of the importer, and checked once); the year
and the agency are the report's; a report whose tables are consistent gets no 错误; an excerpt imports
what it holds, and each table or section it does not hold is one finding (I6), with none of its cells
or rules reported. The few printed numbers the text does not place (``unreadable``: cells dropped by a
conversion, a row cut off mid-way) are each an I1 finding, never a guess.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest

from conftest import DATA, PUBLISHED, TODAY, load
from xl_gongkai.adapters.jsonfile import report_from_document
from xl_gongkai.adapters.published import ImportResult, import_report
from xl_gongkai.core.findings import ERROR
from xl_gongkai.core.kinds.quality import PUBLISHED as PUBLISHED_ON
from xl_gongkai.core.report import Report
from xl_gongkai.core.rules import check
from xl_gongkai.spec import CellKey

EXPECTED = DATA / "expected"
# full reports: the typed-in report (tests/data/reports) and the metadata the report itself states
FULL: dict[str, tuple[str, dict[str, Any], set[str]]] = {
    "00_panzhihua-dongqu-kejiju-2025": ("panzhihua-dongqu-kejiju-2025", {
        "agency": "攀枝花市东区科学技术局", "year": 2025, "period_start": "2025-01-01",
        "period_end": "2025-12-31"}, set()),
    "19_huaian-city-2024": ("huaian-city-2024", {
        "agency": "淮安市人民政府", "year": 2024, "period_start": "2024-01-01", "period_end": "2024-12-31"}, set()),
    "04_pingtan-zone-2023": ("pingtan-zone-2023", {
        "agency": "平潭综合实验区", "year": 2023, "period_start": "2023-01-01", "period_end": "2023-12-31"}, set()),
    # 02 holds the tables (and one paragraph quoted in a comparison): its three text sections are absent
    "02_suqian-city-2023": ("suqian-city-2023", {"agency": "宿迁市", "year": 2023},
                            {"overview", "problems", "other"}),
}
REPORTS = sorted(p for p in PUBLISHED.iterdir() if p.suffix in (".txt", ".html"))
EXCERPTS = sorted(p.stem for p in EXPECTED.glob("*.json"))


def expected(stem: str) -> tuple[Report, dict[str, Any], dict[str, Any]]:
    """The typed-in report, the metadata it states, and the notes of the expected file."""
    if stem in FULL:
        name, meta, absent = FULL[stem]
        return load(name), meta, {"absent": sorted(absent)}
    doc = json.loads((EXPECTED / f"{stem}.json").read_text("utf-8"))
    report = report_from_document({k: doc[k] for k in ("form", "metadata", "values")}, stem).report
    return report, doc["metadata"], doc


def cells(got: Report, want: Report) -> dict[str, list[str]]:
    """Right, wrong, missing and extra cells of an import against the typed-in report."""
    out: dict[str, list[str]] = {"right": [], "wrong": [], "missing": [], "extra": []}
    for cell in want.form.cells:
        g, w = got.values.get(cell.key), want.values.get(cell.key)
        if w is None:
            out["right" if g is None else "extra"].append(str(cell.key))
        elif g is None:
            out["missing"].append(str(cell.key))
        elif g == w and type(g) is type(w):
            out["right"].append(str(cell.key))
        else:
            out["wrong"].append(f"{cell.key}: {g!r} ≠ {w!r}")
    return out


@functools.cache  # five tests ask for each report's import; they only read it
def imported(path: Path) -> tuple[ImportResult, list[Any]]:
    result = import_report(path)
    return result, list(check(result.report, today=TODAY).findings)


def test_every_real_report_is_covered() -> None:
    """No report in the folder without its typed-in expectation, and no expectation without its report."""
    assert sorted(p.stem for p in REPORTS) == sorted([*FULL, *EXCERPTS])
    assert len(REPORTS) == 13


@pytest.mark.parametrize("path", REPORTS, ids=lambda p: p.stem)
def test_every_printed_number_in_its_cell_and_nothing_else(path: Path) -> None:
    result, _ = imported(path)
    want, _, notes = expected(path.stem)
    assert result.report.form.id == want.form.id
    got = cells(result.report, want)
    assert got["wrong"] == [] and got["extra"] == [] and got["missing"] == []
    for key in notes.get("unreadable", {}):  # printed, but not placed: blank, with an I1 (next test)
        table, row = key.split(".")
        t = want.form.table(table)
        assert all(result.report.values[CellKey(table, row, c.key)] is None for c in t.columns_of(t.row(row)))


@pytest.mark.parametrize("path", REPORTS, ids=lambda p: p.stem)
def test_year_agency_and_period_are_the_reports(path: Path) -> None:
    result, _ = imported(path)
    _, meta, _ = expected(path.stem)
    # the page's publication date (发布日期, for rule Q3) is read besides; the hand-checked values do not list it
    assert {k: v for k, v in result.report.metadata.items() if k != PUBLISHED_ON} == meta


@pytest.mark.parametrize("path", REPORTS, ids=lambda p: p.stem)
def test_absent_parts_are_one_finding_each_and_nothing_else_about_them(path: Path) -> None:
    result, checked = imported(path)
    _, meta, notes = expected(path.stem)
    # the parts the text lacks, and the required cover fields it does not state (I6 instead of M1, M2)
    fields = {f"metadata.{k}" for k in ("agency", "year") if k not in meta}
    absent = set(notes.get("absent", []))
    assert set(result.report.absent) == absent | fields
    assert sorted(f.key.split(":")[1] for f in checked if f.rule == "I6") == sorted(
        [a if a in {t.key for t in result.report.form.tables} else f"section.{a}" for a in absent] + [*fields])
    assert not [f for f in checked if f.rule in ("M1", "M2") and f"metadata.{f.place.field}" in fields]
    tables = absent & {t.key for t in result.report.form.tables}
    about_absent = [f for f in checked if f.rule != "I6" and any(c.split(".")[0] in tables for c in f.cells)]
    assert about_absent == []
    assert not [f for f in checked if f.rule == "S1" and f.place.section in absent]


@pytest.mark.parametrize("path", REPORTS, ids=lambda p: p.stem)
def test_what_cannot_be_placed_is_an_I1_and_what_was_inferred_an_I5(path: Path) -> None:
    result, _ = imported(path)
    _, _, notes = expected(path.stem)
    i1_rows = {f"{f.place.table}.{f.place.row}" for f in result.findings if f.rule == "I1"}
    assert i1_rows == set(notes.get("unreadable", {}))
    i5 = [f for f in result.findings if f.rule == "I5"]
    for part in notes.get("inferred", []):  # each inference is said, with what it rests on
        table, row = part.split(".")
        assert any(f.place.field == row if table == "metadata" else
                   (f.place.table == table and (f.place.row in (row, None))) for f in i5), part
    assert sorted(label for f in result.findings if f.rule == "I3"
                  for label in [f.message.split("“")[1].split("”")[0]]) == sorted(notes.get("added", []))


@pytest.mark.parametrize("stem", list(FULL))
def test_full_reports_whose_tables_are_consistent_get_no_error(stem: str) -> None:
    result, checked = imported(PUBLISHED / f"{stem}{'.html' if 'pingtan' in stem else '.txt'}")
    assert [f.message for f in (*result.findings, *checked) if f.severity == ERROR and f.rule != "I6"] == []

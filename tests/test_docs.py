"""Generated documents stay in sync with the spec they are generated from."""

from __future__ import annotations

from pathlib import Path

from xl_gongkai.spec import load_rules
from xl_gongkai.spec.docs import rules_markdown, schema_markdown

DOCS = Path(__file__).parent.parent / "docs"


def test_rules_page_is_generated_from_the_catalogue() -> None:
    page = (DOCS / "rules.md").read_text("utf-8")
    assert page == rules_markdown(), "docs/rules.md is stale: run `make docs`"
    for rule in load_rules()["rules"]:
        assert f"| {rule['id']} | {rule['severity']} |" in page


def test_schema_page_lists_every_cell() -> None:
    page = (DOCS / "schema.md").read_text("utf-8")
    assert page == schema_markdown(), "docs/schema.md is stale: run `make docs`"
    assert page.count("| `requests.") == 175


def test_import_page_lists_every_heuristic_and_its_test() -> None:
    """docs/import.md names every registered heuristic of the importer (and nothing else), each with
    the test that holds it; every test it names exists."""
    import re

    from xl_gongkai.adapters.published.heuristics import inventory

    page = (DOCS / "import.md").read_text("utf-8")
    rows = re.findall(r"^\| `([a-z_]+)` \|.*\| ([^|]+) \|$", page, re.MULTILINE)
    assert sorted(name for name, _ in rows) == sorted(inventory()), "docs/import.md and the heuristics differ"
    tests = Path(__file__).parent
    for name, cited in rows:
        refs = re.findall(r"`(test_[a-z_]+\.py)::(test_\w+)`", cited)
        assert refs, f"{name}: no test named"
        for file, func in refs:
            assert f"def {func}(" in (tests / file).read_text("utf-8"), f"{name}: {file}::{func} does not exist"

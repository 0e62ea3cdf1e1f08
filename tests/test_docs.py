"""Generated documents stay in sync with the spec they are generated from."""

from __future__ import annotations

from pathlib import Path

from xl_gongkai.core.catalogue import KINDS
from xl_gongkai.spec import load_rules

DOCS = Path(__file__).parent.parent / "docs"


def test_rules_page_lists_every_rule_with_its_kinds_own_scope() -> None:
    """Whether the page is current is tests/test_generated.py's; here, that it says what each kind says of itself."""
    page = (DOCS / "rules.md").read_text("utf-8")
    for rule in load_rules()["rules"]:
        row = next(line for line in page.splitlines() if line.startswith(f"| {rule['id']} | {rule['severity']} |"))
        assert row.split(" | ")[3] not in ("", "—"), f"kind {rule['kind']} says nothing of its scope"
    assert all(spec.scope is not None for spec in KINDS.values())


def test_schema_page_lists_every_cell() -> None:
    page = (DOCS / "schema.md").read_text("utf-8")
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

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

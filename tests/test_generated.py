"""Every generated file is committed as ``make generate`` makes it, and the spec digests are a record, not a trust."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from xl_gongkai.build.generated import COMMAND, artefacts
from xl_gongkai.spec import SpecError, loader

ROOT = Path(__file__).resolve().parent.parent
MADE = artefacts()


@pytest.mark.parametrize("rel", sorted(MADE, key=str), ids=str)
def test_the_committed_file_is_what_make_generate_makes(rel: Path) -> None:
    path = ROOT / rel
    assert path.exists(), f"{rel} is missing: run {COMMAND}"
    assert path.read_bytes() == MADE[rel](), f"{rel} is stale: run {COMMAND}"


def test_each_artefact_is_committed_once() -> None:
    """No second copy of a generated file elsewhere in the tree (a copy goes stale without a test noticing)."""
    made = {ROOT / rel: (ROOT / rel).read_bytes() for rel in MADE}
    skip = {".git", ".venv", ".venv-clerk", ".venv-analysis", "node_modules", "dist", "build", ".mypy_cache",
            ".pytest_cache", ".ruff_cache", "data", "out"}  # out/: what make demo writes, never committed
    copies = []
    for path in ROOT.rglob("*"):
        if skip & set(path.relative_to(ROOT).parts) or not path.is_file() or path in made:
            continue
        if path.is_symlink() and path.resolve() in made:
            continue  # a link to the one copy (workbook/template.xlsm, where clerks have always found it)
        if path.suffix in {p.suffix for p in made} and path.read_bytes() in made.values():
            copies.append(str(path.relative_to(ROOT)))
    assert copies == []


def test_a_spec_whose_bytes_differ_from_the_record_is_validated_on_the_spot(monkeypatch: pytest.MonkeyPatch) -> None:
    """verified.json lets a click skip jsonschema only for the very bytes that passed; edited bytes are checked."""
    shipped = loader.read_bytes

    def edited(name: str) -> bytes:
        if name == "rules.json":
            doc = json.loads(shipped(name))
            doc["rules"][0]["severity"] = "严重"  # not one of the catalogue's severities
            return json.dumps(doc, ensure_ascii=False).encode("utf-8")
        return shipped(name)

    monkeypatch.setattr(loader, "read_bytes", edited)
    with pytest.raises(SpecError, match=r"rules\.json does not conform"):
        loader.load_document("rules.json", "rules")
    recorded = json.loads(shipped("verified.json"))
    assert recorded["rules.json"] == loader.digest(shipped("rules.meta.json"), shipped("rules.json"))

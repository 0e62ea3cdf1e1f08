"""Import findings, built from the catalogue's I1–I5 entries so ids, severities and wording have one source."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from ...core.findings import Finding, Place
from ...spec import load_rules

IMPORT_RULES = ("I1", "I2", "I3", "I4", "I5")


@cache
def _rules() -> dict[str, Mapping[str, Any]]:
    return {r["id"]: r for r in load_rules()["rules"] if r["id"] in IMPORT_RULES}


def import_finding(rule: str, scope: str, place: Place, values: Mapping[str, Any] | None = None,
                   **words: Any) -> Finding:
    """A finding of catalogue rule ``rule`` (I1–I5), its message the catalogue's template filled with ``words``."""
    entry = _rules()[rule]
    return Finding(
        rule=rule,
        severity=entry["severity"],
        message=entry["message"].format(id=rule, **words),
        key=f"{rule}:{scope}",
        place=place,
        values=dict(values or {}),
    )

"""Import findings, built from the catalogue's I1–I5 entries so ids, severities and wording have one source."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...core.catalogue import load_catalogue
from ...core.findings import Finding, Place

IMPORT_RULES = ("I1", "I2", "I3", "I4", "I5")


def import_finding(rule: str, scope: str, place: Place, values: Mapping[str, Any] | None = None,
                   **words: Any) -> Finding:
    """A finding of catalogue rule ``rule`` (I1–I6), its message the catalogue's template filled with ``words``."""
    return load_catalogue().rule(rule).finding(scope, place=place, values=values, **words)

"""Findings and the result of one validation run.

A finding carries the rule id (also at the start of its message), a severity, a Chinese message with
the evaluated values, its place (table/row/column keys and, since the form spec knows the template,
the sheet and A1 address) and the cells it involves. Its ``key`` is stable from run to run, so a
clerk's explanation of a 提示 finding can be matched to it next time. Findings of catalogue rules are
made by ``Rule.finding`` (``core.catalogue``), the one factory.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from ..spec import Severity

# shorthands for the members
ERROR: Final = Severity.ERROR
WARNING: Final = Severity.WARNING
PENDING: Final = Severity.PENDING
UNREAD: Final = Severity.UNREAD


@dataclass(frozen=True)
class Place:
    """Where a finding points: keys for machines, sheet and cell for the clerk."""

    sheet: str | None = None
    cell: str | None = None
    table: str | None = None
    row: str | None = None
    column: str | None = None
    field: str | None = None
    section: str | None = None

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    def a1(self) -> str:
        """``'表三 依申请公开'!J5`` style reference, or ``''`` when the place has no cell."""
        if not (self.sheet and self.cell):
            return ""
        return f"'{self.sheet}'!{self.cell}"


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    message: str
    key: str
    place: Place = field(default_factory=Place)
    cells: tuple[str, ...] = ()
    values: Mapping[str, Any] = field(default_factory=dict)
    explanation: str | None = None

    def __post_init__(self) -> None:
        if type(self.severity) is not Severity:
            object.__setattr__(self, "severity", Severity(self.severity))

    @property
    def blocking(self) -> bool:
        """An 错误, a part still to write (待填写) and a cell to read from the original (待核对) always block; a 提示
        blocks until the clerk explains it."""
        return self.severity is not Severity.WARNING or not self.explanation

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule": self.rule,
            "severity": self.severity.value,
            "key": self.key,
            "message": self.message,
            "place": self.place.as_dict(),
            "cells": list(self.cells),
            "values": dict(self.values),
        }
        if self.explanation:
            out["explanation"] = self.explanation
        return out


@dataclass(frozen=True)
class Validation:
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]

    @property
    def pending(self) -> list[Finding]:
        """Parts still to be written (a 汇总's own text): not errors, but nothing is exported before them."""
        return [f for f in self.findings if f.severity is Severity.PENDING]

    @property
    def unread(self) -> list[Finding]:
        """What the importer could not read (待核对): no error of the agency, but the report is not valid."""
        return [f for f in self.findings if f.severity is Severity.UNREAD]

    @property
    def valid(self) -> bool:
        """No 错误 stands and no cell is left 待核对 (提示 findings may stand)."""
        return not self.errors and not self.unread

    @property
    def unexplained(self) -> list[Finding]:
        return [f for f in self.warnings if not f.explanation]

    @property
    def exit_code(self) -> int:
        """0 when the report is valid, 1 otherwise (2 is for input that cannot be read)."""
        return 0 if self.valid else 1

    @property
    def ready(self) -> bool:
        """Nothing blocks an export: no 错误, and every 提示 carries an explanation."""
        return not any(f.blocking for f in self.findings)

    def counts(self) -> dict[str, int]:
        """Errors, warnings and explained warnings; ``to_write`` too when there is a part still to write, and
        ``to_check`` when the importer left cells to read from the original."""
        counts = {
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "explained": len(self.warnings) - len(self.unexplained),
        }
        if self.pending:
            counts["to_write"] = len(self.pending)
        if unread := self.unread:
            counts["to_check"] = len(unread)
        return counts

    def by_rule(self, rule: str) -> list[Finding]:
        return [f for f in self.findings if f.rule == rule]

    def as_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "counts": self.counts(),
            "findings": [f.as_dict() for f in self.findings],
        }


def sort_findings(findings: Sequence[Finding], order: Mapping[str, int]) -> tuple[Finding, ...]:
    """Errors first, then in the catalogue's rule order; within a rule, in the form's order (stable)."""
    return tuple(sorted(findings, key=lambda f: (f.severity is not Severity.ERROR, order.get(f.rule, 1 << 20))))

"""The importer's inventory of heuristics: every way it reads more than the text states in so many words.

A published report is text extracted from a page or a PDF, and real extraction damage is varied: cells
vanish, labels lose characters, numbers lose their spaces or gain a unit. Each way the importer copes
with one kind of damage is a *heuristic*: a named function registered here with
``@heuristic(name, family)``. ``docs/import.md`` lists every name with the real text that motivated it
and the test that holds it; a test keeps the two lists equal, so a heuristic cannot be added or
dropped silently.

The rule they all keep is "never guess": a heuristic places a number only where the layout proves the
place (a parsed table's cells, the positions of tab separators, a row's 总计 equal to the sum of what
was read, the 勾稽关系 closing one way only, a label one edit away from exactly one known label).
When a heuristic infers rather than reads, the import says so in an I5 finding that names what was
inferred and from what.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

FAMILIES = ("text", "narrative", "metadata", "label", "placement", "table")

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Heuristic:
    name: str
    family: str
    doc: str  # the first line of the function's docstring


HEURISTICS: dict[str, Heuristic] = {}


def heuristic(name: str, family: str) -> Callable[[F], F]:
    """Register a function as the heuristic ``name`` of ``family`` (one of ``FAMILIES``)."""
    if family not in FAMILIES:
        raise ValueError(f"unknown heuristic family {family!r}")

    def register(fn: F) -> F:
        if name in HEURISTICS:
            raise ValueError(f"heuristic {name!r} registered twice")
        doc = (fn.__doc__ or "").strip().split("\n")[0]
        HEURISTICS[name] = Heuristic(name, family, doc)
        return fn

    return register


def inventory() -> dict[str, Heuristic]:
    """Every heuristic of the importer: every module of this package is imported first, so a heuristic
    registered in a module that is only loaded for some files (PDF, Word) is listed too."""
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules(_package_path()):
        importlib.import_module(f"{__package__}.{module.name}")
    return dict(HEURISTICS)


def _package_path() -> list[str]:
    """The folder of this package (where its modules are found)."""
    from pathlib import Path

    return [str(Path(__file__).parent)]

"""The package's own modules, each parsed once per test process.

Several tests read the whole package's syntax (the layers, the spec's vocabulary, the severity words, the
form every path names); parsing 140 modules takes about a second, so they share one parse. The trees are
only read: a test that wanted to change one would parse its own.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "xl_gongkai"


@functools.cache
def modules() -> tuple[Path, ...]:
    """Every module of the package, in path order."""
    return tuple(sorted(SRC.rglob("*.py")))


@functools.cache
def nodes(path: Path) -> tuple[ast.AST, ...]:
    """Every node of the module's syntax tree, in :func:`ast.walk` order."""
    return tuple(ast.walk(ast.parse(path.read_text("utf-8"))))

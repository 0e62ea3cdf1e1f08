"""Which tests drive an external program or start processes, found from their code, not marked by hand.

``make check`` (the fast loop) deselects the tests marked ``libreoffice``, ``browser``, ``subprocess`` (and
``slow``, the one mark written by hand); ``make test`` runs everything. A mark written by hand is forgotten
the day a test starts rendering through LibreOffice, and a forgotten mark only makes the fast loop slow, never
a test pass: so the conftest marks each test from what it reaches — its own code, the fixtures it uses, and,
through them, every function of the test modules they call — when that reaches a helper module of an external
program (``support.libreoffice``, ``support.browser``) or the ``subprocess`` module, or names one of the
programs (``soffice``, ``pdftoppm``, …) as a string, as a command line does.

The walk reads the byte code's global names and constants, so it sees what a test calls by name, not what
the product does inside (the product's own processes, such as audit's pool, stay in the fast loop), nor
what a module loaded from outside tests/ does (such a test is marked by hand). tests/test_markers.py
checks the walk on real tests.
"""

from __future__ import annotations

import functools
import inspect
import sys
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parent.parent

# helper module -> mark; a test reaching any function or class of the module gets the mark
HELPER_MODULES = {
    "support.libreoffice": "libreoffice",
    "support.browser": "browser",
    "subprocess": "subprocess",
}
# a program named in a command line -> mark
PROGRAMS = {
    "soffice": "libreoffice",
    "libreoffice": "libreoffice",
    "pdftoppm": "libreoffice",
    "pdftotext": "libreoffice",
    "pdfinfo": "libreoffice",
    "chromium": "browser",
    "firefox": "browser",
}

_memo: dict[types.CodeType, frozenset[str]] = {}


def _codes(code: types.CodeType) -> Iterator[types.CodeType]:
    """A code object and those nested in it (lambdas, comprehensions, inner functions)."""
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _codes(const)


def _is_test_code(obj: Any) -> bool:
    code = getattr(obj, "__code__", None)
    return isinstance(code, types.CodeType) and _in_tests(code.co_filename)


@functools.cache
def _in_tests(filename: str) -> bool:
    return Path(filename).resolve().is_relative_to(TESTS)


def _is_test_class(obj: type) -> bool:
    module = sys.modules.get(obj.__module__)
    source = getattr(module, "__file__", None)
    return source is not None and _in_tests(source)


def _helper_mark(obj: Any) -> str | None:
    module = obj.__name__ if isinstance(obj, types.ModuleType) else getattr(obj, "__module__", None)
    return HELPER_MODULES.get(module) if isinstance(module, str) else None


def reaches(func: Callable[..., Any]) -> frozenset[str]:
    """The marks of the external programs that ``func`` reaches (see the module's docstring)."""
    func = inspect.unwrap(func)
    # a hypothesis test is a generated wrapper; the test's own code is its inner test
    func = getattr(getattr(func, "hypothesis", None), "inner_test", func)
    code = getattr(func, "__code__", None)
    if not isinstance(code, types.CodeType):
        return frozenset()
    if code in _memo:
        return _memo[code]
    _memo[code] = frozenset()  # a recursive helper reaches what it reaches: the walk ends here
    glb: dict[str, Any] = getattr(func, "__globals__", {})
    marks: set[str] = set()
    for c in _codes(code):
        marks.update(PROGRAMS[const] for const in c.co_consts if isinstance(const, str) and const in PROGRAMS)
        for name in c.co_names:
            obj = glb.get(name)
            if obj is None:
                continue
            mark = _helper_mark(obj)
            if mark:
                marks.add(mark)
            elif inspect.isfunction(obj) and _is_test_code(obj):
                marks |= reaches(obj)
            elif inspect.isclass(obj) and _is_test_class(obj):
                for member in vars(obj).values():
                    if inspect.isfunction(member):
                        marks |= reaches(member)
    _memo[code] = frozenset(marks)
    return _memo[code]


def item_marks(item: Any) -> frozenset[str]:
    """The marks a collected test gets: from its function and from every fixture in its closure."""
    marks = set(reaches(item.function)) if hasattr(item, "function") else set()
    info = getattr(item, "_fixtureinfo", None)
    for defs in getattr(info, "name2fixturedefs", {}).values():
        for fixture in defs:
            func = getattr(fixture, "func", None)
            if func is not None and _is_test_code(inspect.unwrap(func)):
                marks |= reaches(func)
    return frozenset(marks)

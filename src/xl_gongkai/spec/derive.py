"""A form written as another form plus its changes, as jsonschema derives one draft's validator from another's.

A revised national format keeps most of the one before it: the same sheets, sections and most rows. Copying
the whole spec would write every label twice; instead a derivation document names its ``base`` form and lists
``changes`` to the base's document as JSON Patch operations (RFC 6902: ``add``, ``remove``, ``replace`` and
``test``, whose paths are JSON Pointers, RFC 6901). A ``test`` operation states what a path must hold before
the next operation changes it (``/tables/0/key`` is ``active``), so an index into a list cannot silently
point at another table after the base is edited. ``rules`` says what the derived form does to its base's
rules: the rules it adds (they apply to it and to forms derived from it) and the ids of the base's rules it
no longer has.

The composed document is an ordinary form document: it is checked against the form meta-schema and the
loader's referential checks like any other, so a change that breaks the form is refused when it is loaded.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any


class PatchError(ValueError):
    """A change that cannot be applied to the base document (a path that is not there, a failed test)."""


def apply_changes(base: dict[str, Any], changes: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The base document with every change applied in order; ``base`` itself is not modified."""
    doc = copy.deepcopy(base)
    for i, change in enumerate(changes):
        try:
            doc = _apply(doc, change)
        except PatchError as exc:
            raise PatchError(f"change #{i + 1} ({change.get('op')} {change.get('path')}): {exc}") from None
    return doc


def _apply(doc: Any, change: dict[str, Any]) -> Any:
    op, tokens = change["op"], _pointer(change["path"])
    if not tokens:  # the whole document
        if op in ("add", "replace"):
            return copy.deepcopy(change["value"])
        if op == "test":
            _test(doc, change["value"])
            return doc
        raise PatchError("the whole document cannot be removed")
    parent = _resolve(doc, tokens[:-1])
    last = tokens[-1]
    if op == "test":
        _test(_child(parent, last), change["value"])
    elif op == "remove":
        _child(parent, last)
        del parent[_index(parent, last) if isinstance(parent, list) else last]
    elif op == "replace":
        _child(parent, last)
        parent[_index(parent, last) if isinstance(parent, list) else last] = copy.deepcopy(change["value"])
    elif op == "add":
        value = copy.deepcopy(change["value"])
        if isinstance(parent, list):
            parent.insert(len(parent) if last == "-" else _index(parent, last, end=True), value)
        elif isinstance(parent, dict):
            parent[last] = value
        else:
            raise PatchError("the parent is neither an object nor a list")
    else:
        raise PatchError(f"unknown operation {op!r}")
    return doc


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise PatchError("a JSON Pointer starts with '/'")
    return [t.replace("~1", "/").replace("~0", "~") for t in path[1:].split("/")]


def _resolve(doc: Any, tokens: Sequence[str]) -> Any:
    for token in tokens:
        doc = _child(doc, token)
    return doc


def _child(doc: Any, token: str) -> Any:
    if isinstance(doc, dict):
        if token not in doc:
            raise PatchError(f"no member {token!r}")
        return doc[token]
    if isinstance(doc, list):
        return doc[_index(doc, token)]
    raise PatchError(f"{token!r} is below a value that is neither an object nor a list")


def _index(items: list[Any], token: str, *, end: bool = False) -> int:
    if not token.isdigit() or (token != "0" and token.startswith("0")):
        raise PatchError(f"{token!r} is not a list index")
    at = int(token)
    if at > len(items) or (at == len(items) and not end):
        raise PatchError(f"index {at} is beyond the list's {len(items)} items")
    return at


def _test(found: Any, wanted: Any) -> None:
    if found != wanted or type(found) is not type(wanted):
        raise PatchError(f"test failed: found {found!r}, wanted {wanted!r}")

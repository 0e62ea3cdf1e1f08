"""Removing the calculation chain when a formula was overwritten (Excel rebuilds it silently)."""

from __future__ import annotations

import posixpath
from collections.abc import Callable

from .common import _CONTENT_TYPES
from .edit import _apply, _decode
from .markup import _TOKEN, _attrs, _bad_markup, _local
from .package import _Book, _Package, _resolve
from .verify import _parse_xml


def _remove_children(data: bytes, where: str, drop: Callable[[str, dict[str, str]], bool]) -> bytes:
    """Splice out the root's children for which ``drop(local_name, attrs)`` is true (flat parts only)."""
    text = _decode(data, where)
    splices: list[tuple[int, int, int, str]] = []
    depth = 0
    start = -1
    for m in _TOKEN.finditer(text):
        name = m.group("name")
        if name is not None:
            empty = bool(m.group("empty"))
            if depth == 1:
                attrs = {a.name: a.value for a in _attrs(m)}
                if drop(_local(name), attrs):
                    if empty:
                        splices.append((m.start(), m.end(), len(splices), ""))
                    else:
                        start = m.start()
            if not empty:
                depth += 1
        elif m.group("close") is not None:
            depth -= 1
            if depth == 1 and start >= 0:
                splices.append((start, m.end(), len(splices), ""))
                start = -1
        elif m.group("comment") is None and m.group("pi") is None and m.group("cdata") is None:
            raise _bad_markup(where, text, m.start())
    if not splices:
        return data
    out = _apply(text, splices, where).encode("utf-8")
    _parse_xml(out, where)
    return out


def _drop_calc_chain(pkg: _Package, book: _Book, changed: dict[str, bytes], removed: set[str]) -> None:
    chains = {pkg.find(r.target) for r in book.rels if r.type.endswith("/calcChain") and r.target}
    chains.add(pkg.find(posixpath.join(posixpath.dirname(book.part), "calcChain.xml")))
    chains.discard(None)
    if not chains:
        return
    names = {c.casefold() for c in chains if c}
    removed.update(c for c in chains if c)
    if book.rels_part is not None:
        rels_data = changed.get(book.rels_part, pkg.data[book.rels_part])
        changed[book.rels_part] = _remove_children(
            rels_data,
            book.rels_part,
            lambda local, a: local == "Relationship"
            and a.get("Type", "").endswith("/calcChain")
            and (a.get("TargetMode") or "").lower() != "external",
        )
    ct = pkg.find(_CONTENT_TYPES)
    if ct is not None:
        changed[ct] = _remove_children(
            changed.get(ct, pkg.data[ct]),
            ct,
            lambda local, a: local == "Override" and _resolve("", a.get("PartName", "")).casefold() in names,
        )

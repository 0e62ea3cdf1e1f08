"""Removing the calculation chain when a formula was overwritten (Excel rebuilds it silently)."""

from __future__ import annotations

import posixpath

from ._common import CONTENT_TYPES
from ._package import Book, Package, resolve
from ._splice import remove_children


def drop_calc_chain(pkg: Package, book: Book, changed: dict[str, bytes], removed: set[str]) -> None:
    """Remove the calcChain part, its relationship and its content-type override (into ``changed``/``removed``)."""
    chains = {pkg.find(r.target) for r in book.rels if r.type.endswith("/calcChain") and r.target}
    chains.add(pkg.find(posixpath.join(posixpath.dirname(book.part), "calcChain.xml")))
    found = {c for c in chains if c}
    if not found:
        return
    names = {c.casefold() for c in found}
    removed.update(found)
    if book.rels_part is not None:
        rels_data = changed.get(book.rels_part, pkg.data[book.rels_part])
        changed[book.rels_part] = remove_children(
            rels_data,
            book.rels_part,
            lambda local, a: local == "Relationship"
            and a.get("Type", "").endswith("/calcChain")
            and (a.get("TargetMode") or "").lower() != "external",
        )
    ct = pkg.find(CONTENT_TYPES)
    if ct is not None:
        changed[ct] = remove_children(
            changed.get(ct, pkg.data[ct]),
            ct,
            lambda local, a: local == "Override" and resolve("", a.get("PartName", "")).casefold() in names,
        )

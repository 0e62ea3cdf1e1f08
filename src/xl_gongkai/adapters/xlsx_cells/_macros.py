"""A macro-free copy of a macro workbook: what a file named ``.xlsx`` must hold.

Excel refuses to open an ``.xlsx`` whose workbook part has the macro-enabled content type, and an
``.xlsm`` without a VBA project has buttons that do nothing. So the name decides the content: for an
``.xlsx`` the VBA project (with its signature and data parts), the ribbon parts (2006 and 2010
customUI) and their relationships are removed and the workbook part gets the ordinary content type;
every other part — sheets, styles, names, validations, protection — stays byte for byte.
"""

from __future__ import annotations

from ._common import CONTENT_TYPES, WorkbookFormatError
from ._package import Package, read_book, read_package, read_rels, rels_part, resolve, write_package
from ._splice import remove_children

MACRO_MAIN = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"
PLAIN_MAIN = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_VBA_TYPES = ("/vbaProject", "/vbaProjectSignature", "/vbaProjectSignatureAgile", "/vbaProjectSignatureV3",
              "/wordVbaData", "/vbaData")
_RIBBON_TYPES = ("/ui/extensibility",)  # both the 2006 and the 2007 (customUI14) relationship types end so
_VBA_CONTENT = ("application/vnd.ms-office.vbaProject", "application/vnd.ms-office.vbaProjectSignature",
                "application/vnd.ms-office.vbaData+xml")


def has_macros(package: bytes) -> bool:
    """True when the package holds a VBA project (whatever its name says)."""
    pkg = read_package(package)
    book = read_book(pkg)
    return any(r.type.endswith("/vbaProject") for r in book.rels)


def strip_macros(package: bytes) -> bytes:
    """The package without its VBA project and ribbon, with the workbook's content type made macro-free."""
    pkg = read_package(package)
    book = read_book(pkg)
    changed: dict[str, bytes] = {}
    removed: set[str] = set()

    def drop_related(source: str, rels_name: str | None, types: tuple[str, ...]) -> None:
        _, rels = read_rels(pkg, source)
        targets = [r.target for r in rels if r.type.endswith(types) and r.target]
        if not targets or rels_name is None:
            return
        changed[rels_name] = remove_children(
            changed.get(rels_name, pkg.data[rels_name]), rels_name,
            lambda local, a: local == "Relationship" and a.get("Type", "").endswith(types)
            and (a.get("TargetMode") or "").lower() != "external")
        for target in targets:
            _remove_part(pkg, target, removed)

    drop_related(book.part, book.rels_part, _VBA_TYPES)
    drop_related("", pkg.find(rels_part("")), _RIBBON_TYPES)
    ct = pkg.find(CONTENT_TYPES)
    if ct is None:
        raise WorkbookFormatError("压缩包中缺少 [Content_Types].xml，不是有效的 Excel 工作簿。")
    names = {n.casefold() for n in removed}
    data = remove_children(
        pkg.data[ct], ct,
        lambda local, a: (local == "Override" and resolve("", a.get("PartName", "")).casefold() in names)
        or (local == "Default" and a.get("ContentType", "") in _VBA_CONTENT))
    changed[ct] = data.replace(MACRO_MAIN, PLAIN_MAIN)
    changed = {k: v for k, v in changed.items() if v != pkg.data[k]}
    if not changed and not removed:
        return package
    return write_package(pkg, changed, removed)


def _remove_part(pkg: Package, target: str, removed: set[str]) -> None:
    """A part and, with it, its own relationships part and what only it refers to (a ribbon's images)."""
    name = pkg.find(target)
    if name is None or name in removed:
        return
    removed.add(name)
    rels = pkg.find(rels_part(name))
    if rels is not None:
        _, children = read_rels(pkg, name)
        removed.add(rels)
        for child in children:
            if child.target:
                _remove_part(pkg, child.target, removed)

"""What a workbook file says about its macros: whether Excel's buttons can still work in it.

Excel's VBA finds the workbook and its sheets by their code names (``<workbookPr codeName>``,
``<sheetPr codeName>``). A file re-saved by LibreOffice keeps ``vbaProject.bin`` but writes no code names
(observed with LibreOffice 7.4), so in Excel the ribbon's callbacks no longer reach the document modules.
The command line reads such a file as well as any other; ``check`` says so as a 提示 (rule F4), because
a clerk would otherwise learn it only from a dead button.

The package guard has the file open and most of these parts in hand just before (``xlsx_guard``): it
works the answer out there and leaves it here, for the same file (``package_zip.file_identity``),
so that the remark does not open the package a second time.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Collection
from pathlib import Path
from typing import TYPE_CHECKING

from .package_zip import ZipPackage, file_identity

if TYPE_CHECKING:
    from ..core.findings import Finding

_CODE_NAME = re.compile(rb"<(?:\w+:)?(workbookPr|sheetPr)\b[^>]*\bcodeName=\"[^\"]+\"")
_WORKSHEET = re.compile(r"xl/worksheets/sheet\d+\.xml")
HEAD = 4096  # the properties element comes first in both parts
BOOK_PART = "xl/workbook.xml"
_VBA_PART = "xl/vbaProject.bin"

CODE_NAMES_LOST = "F4"

_SEEN: dict[str, tuple[tuple[int, ...], str | None]] = {}  # "last": the file the guard read last, and the answer


class _Unreadable(Exception):
    pass


def code_names_lost(names: Collection[str], head: Callable[[str], bytes]) -> str | None:
    """What lost its code name (Chinese, for the message), or None; ``head(name)`` gives a part's first bytes."""
    if _VBA_PART not in names:
        return None
    parts = []
    if not _CODE_NAME.search(head(BOOK_PART)):
        parts.append("工作簿")
    bare = [n for n in names if _WORKSHEET.fullmatch(n) and not _CODE_NAME.search(head(n))]
    if bare:
        parts.append(f" {len(bare)} 张工作表")
    return "和".join(parts).strip() + "的代码名" if parts else None


def remember(identity: tuple[int, ...] | None, verdict: str | None) -> None:
    """The answer for the file the guard has just read (see the module's docstring)."""
    if identity is not None:
        _SEEN["last"] = (identity, verdict)


def lost_code_names(path: Path) -> str | None:
    """What lost its code name (Chinese, for the message), or None when nothing did or there are no macros."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    seen = _SEEN.get("last")
    if seen is not None and seen[0] == file_identity(st):
        return seen[1]
    try:
        with ZipPackage.open(Path(path), _Unreadable) as pkg:
            return code_names_lost([i.filename for i in pkg.infos], lambda name: _head(pkg, name))
    except _Unreadable:
        return None  # the readers have already judged the package; this is only an extra remark


def _head(pkg: ZipPackage, name: str) -> bytes:
    info = pkg.find(name)
    if info is None:
        raise _Unreadable(name)
    return pkg.head(info, HEAD)


def macro_findings(path: Path) -> tuple[Finding, ...]:
    """Rule F4 for a workbook whose macros lost their sheets."""
    what = lost_code_names(path)
    if what is None:
        return ()
    from ..core.rules import catalogue

    return (catalogue().rule(CODE_NAMES_LOST).finding("workbook", what=what),)

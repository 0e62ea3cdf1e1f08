"""What a workbook file says about its macros: whether Excel's buttons can still work in it.

Excel's VBA finds the workbook and its sheets by their code names (``<workbookPr codeName>``,
``<sheetPr codeName>``). A file re-saved by LibreOffice keeps ``vbaProject.bin`` but writes no code names
(observed with LibreOffice 7.4), so in Excel the ribbon's callbacks no longer reach the document modules.
The command line reads such a file as well as any other; ``check`` says so as a 提示 (rule F4), because
a clerk would otherwise learn it only from a dead button.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from ..core.findings import Finding

_CODE_NAME = re.compile(rb"<(?:\w+:)?(workbookPr|sheetPr)\b[^>]*\bcodeName=\"[^\"]+\"")
_HEAD = 4096  # the properties element comes first in both parts


CODE_NAMES_LOST = "F4"


def lost_code_names(path: Path) -> str | None:
    """What lost its code name (Chinese, for the message), or None when nothing did or there are no macros."""
    try:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
            if "xl/vbaProject.bin" not in names:
                return None
            book = z.open("xl/workbook.xml").read(_HEAD)
            sheets = [n for n in names if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)]
            bare = [n for n in sheets if not _CODE_NAME.search(z.open(n).read(_HEAD))]
    except (OSError, zipfile.BadZipFile, KeyError):
        return None  # the readers have already judged the package; this is only an extra remark
    parts = []
    if not _CODE_NAME.search(book):
        parts.append("工作簿")
    if bare:
        parts.append(f" {len(bare)} 张工作表")
    return "和".join(parts).strip() + "的代码名" if parts else None


def macro_findings(path: Path) -> tuple[Finding, ...]:
    """Rule F4 for a workbook whose macros lost their sheets."""
    what = lost_code_names(path)
    if what is None:
        return ()
    from ..core.rules import catalogue

    return (catalogue().rule(CODE_NAMES_LOST).finding("workbook", what=what),)

"""Change a few cells of an .xlsx/.xlsm package and leave every other byte of it alone.

Why not openpyxl: a load/save round trip drops the ribbon (customUI) relationship and the x14
extensions (data validations referring to other sheets, sparklines, ...), renumbers styles and
rewrites every part. The template and the clerks' workbooks carry all of that, so the package is
edited surgically instead:

* the sheet's part is found through ``workbook.xml`` and its relationships (small parts, parsed with
  defusedxml; relationship targets may be relative or absolute);
* in that worksheet part only the target ``<c>`` elements are spliced as text, plus, where a cell has
  to be created, its ``<row>`` start tag (``spans``) and the ``<dimension ref>``; the edited part is
  then parsed again with defusedxml and every edited cell is checked, so a splice that went wrong is
  refused instead of written;
* every other zip entry keeps its name, order, timestamp, compression method, attributes, comment and
  uncompressed bytes.

Choices, each for the stated reason:

* New elements take the namespace prefix of the element they go into (``<x:c>`` inside ``<x:row>``,
  a new ``<x:row>`` inside ``<x:sheetData>``): that prefix is bound there for certain. Where ``r`` is
  left out, positions are counted as the spec says; a new cell or row always gets its ``r``.
* A new cell takes the style Excel gives a cell typed there: its row's when the row is formatted
  (``customFormat``), otherwise its column's (``<col style>``), otherwise none.
* A cell keeps its style (``s``) and ``ph``; ``t``, ``cm`` and ``vm`` are dropped with the old value
  (``cm``/``vm`` point at metadata describing that value: dynamic arrays, rich values), and so are
  ``<f>``, ``<v>``, ``<is>`` and ``extLst``.
* Text is written as an inline string: adding to ``sharedStrings.xml`` would rewrite a shared part
  (and its counts); Excel converts inline strings to shared ones on its next save. Text follows Excel's
  ``ST_Xstring`` escaping (control characters as ``_xHHHH_``, a literal ``_xHHHH_`` guarded by
  ``_x005F``), as Excel and XlsxWriter write it.
* ``""`` is written as a blank cell, the same as ``None``: a zero-length text constant looks blank but
  is counted by COUNTA and fails ISBLANK, which is never what a clerk means.
* A blank (``None``) for a cell that does not exist writes nothing: the cell is already blank.
* Numbers that a double cannot hold exactly (integers beyond 2**53), NaN and infinities are refused
  rather than silently changed.
* When a formula is overwritten, Excel's calculation chain would name a cell without a formula (Excel
  then reports the file as corrupt and "repairs" it). The whole ``calcChain`` part is removed, with
  its relationship and its ``[Content_Types].xml`` override: Excel rebuilds the chain silently, and a
  single path is easier to trust than editing entries (which inherit the sheet id ``i`` from the entry
  before them, and the part may not be left empty).
* Refused instead of guessed (``WorkbookFormatError``): the master cell of a shared formula (the other
  cells of the group would lose their formula), any cell of a multi-cell array formula or data table,
  rows or cells out of order, duplicates, unknown elements inside ``sheetData``.
* Zip entries are recompressed with deflate level 6 (stored ones stay stored), so the same input and
  edits always give the same bytes (``package_zip.write_zip``). The package is read within the limits
  every reader shares (``package_zip``): entry names that are absolute or contain ``..``, encrypted
  entries, too many entries, names equal but for case, and more than :data:`MAX_PART_SIZE` per part or
  :data:`MAX_TOTAL_SIZE` in all (uncompressed) are refused before anything is decompressed beyond the limit.

The modules of this package are private; what they share with each other is public inside it.
"""

from __future__ import annotations

from collections.abc import Mapping

from ._calcchain import drop_calc_chain
from ._common import MAX_PART_SIZE, MAX_TOTAL_SIZE, CellValue, WorkbookFormatError
from ._edit import edit_sheet
from ._macros import has_macros, strip_macros
from ._package import read_book, read_package, sheet_part, write_package
from ._values import Value, parse_address, prepare

__all__ = ["MAX_PART_SIZE", "MAX_TOTAL_SIZE", "CellValue", "WorkbookFormatError", "check_values", "has_macros",
           "set_cells", "strip_macros"]


def check_values(edits: Mapping[str, Mapping[str, CellValue]]) -> None:
    """Raise what :func:`set_cells` would raise for these values (ValueError/TypeError, naming sheet and cell).

    For writers that do not go through the package (Excel itself), so that the same values are refused.
    """
    for sheet, cells in edits.items():
        for address, value in cells.items():
            parse_address(sheet, address)
            prepare(sheet, address, value)


def set_cells(package: bytes, edits: Mapping[str, Mapping[str, CellValue]]) -> bytes:
    """Write ``edits`` (sheet name -> {A1 address -> value}) into the package; returns the new bytes.

    ``None`` (or ``""``) makes a cell blank and keeps its style. Values are checked before the
    package is touched (TypeError/ValueError for values the caller should never pass); problems with
    the workbook itself raise :class:`WorkbookFormatError`. When no edit changes anything, the input
    bytes are returned as they are.

    Formulas that depend on an edited cell keep their cached result until the workbook is recalculated;
    ``workbook.xml`` (and its ``calcPr``) is left alone on purpose. Excel recalculates on opening files
    whose ``calcId`` is older than its own or that set ``fullCalcOnLoad`` (XlsxWriter does both).
    """
    prepared: dict[str, dict[tuple[int, int], Value]] = {}
    for sheet, cells in edits.items():
        targets: dict[tuple[int, int], Value] = {}
        for address, value in cells.items():
            targets[parse_address(sheet, address)] = prepare(sheet, address, value)
        prepared[sheet] = targets

    pkg = read_package(package)
    book = read_book(pkg)
    parts = {sheet: sheet_part(pkg, book, sheet) for sheet in prepared}

    changed: dict[str, bytes] = {}
    removed: set[str] = set()
    formula_removed = False
    for sheet, targets in prepared.items():
        if not targets:
            continue
        part = parts[sheet]
        new, had_formula = edit_sheet(changed.get(part, pkg.data[part]), targets, sheet, part)
        if new is not pkg.data[part]:
            changed[part] = new
        formula_removed = formula_removed or had_formula
    if formula_removed:
        drop_calc_chain(pkg, book, changed, removed)
    changed = {k: v for k, v in changed.items() if v != pkg.data[k]}
    if not changed and not removed:
        return package
    return write_package(pkg, changed, removed)

"""Drive a private headless LibreOffice over UNO and print what it sees as JSON.

This file runs under Debian's ``/usr/bin/python3`` (the only interpreter that can ``import uno``),
never under the project's virtualenv, so it must stay standard-library only and importable on the
system Python. ``tests/support/libreoffice.py`` invokes it as::

    /usr/bin/python3 -I lo_uno_script.py COMMAND ARGS_JSON RESULT_JSON WORKDIR TIMEOUT

Each call starts its own ``soffice`` with a throw-away user profile under WORKDIR (so parallel test
runs never share a profile or a pipe name), writes the result or the error to RESULT_JSON, and always
shuts that ``soffice`` down again, also on error and on timeout.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import traceback
import uuid
from pathlib import Path
from typing import Any

import uno  # type: ignore[import-not-found]
from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]

# Why a profile of our own: the defaults already load VBA as executable Basic, but CI must not depend
# on defaults or on a developer's ~/.config/libreoffice. "Executable" keeps the imported VBA source
# verbatim (with "Option VBASupport 1" prepended) instead of commenting every line out with "Rem";
# the macro security level and MacroExecutionMode=NEVER_EXECUTE on load make sure nothing runs.
REGISTRY_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Filter/Import/VBA"><prop oor:name="Load" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Filter/Import/VBA"><prop oor:name="Executable" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Filter/Import/VBA"><prop oor:name="Save" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Writer/Filter/Import/VBA"><prop oor:name="Load" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Writer/Filter/Import/VBA"><prop oor:name="Executable" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="FirstRun" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="ShowTipOfTheDay" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Save/Document"><prop oor:name="CreateBackup" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""  # noqa: E501

# com.sun.star.document.MacroExecMode.NEVER_EXECUTE / ALWAYS_EXECUTE_NO_WARN / UpdateDocMode.NO_UPDATE
NEVER_EXECUTE = 0
ALWAYS_EXECUTE_NO_WARN = 4
NO_UPDATE = 0

# Upper bound on the cells reported per sheet, so a stray value in row 1048576 cannot flood the JSON.
MAX_SCAN_CELLS = 200_000
# Validation/unlock ranges that span whole columns or rows are clipped to the used area; smaller ones
# (an empty input cell below the last label) widen the scanned area so they are still reported.
MAX_EXTEND_ROW = 5_000
MAX_EXTEND_COL = 200
MAX_MERGE_CANDIDATES = 20_000

SOFFICE_CANDIDATES = (
    os.environ.get("XL_GONGKAI_SOFFICE", ""),
    "/usr/lib/libreoffice/program/soffice",
    "/usr/bin/soffice",
)


class HarnessError(Exception):
    """An expected failure (bad sheet name, failed load) reported without a Python traceback."""


# --------------------------------------------------------------------------------------------------
# soffice process handling
# --------------------------------------------------------------------------------------------------


class Office:
    """One private soffice process plus the UNO connection to it."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.profile = workdir / "profile"
        self.log_path = workdir / "soffice.log"
        self.pipe_name = f"xlgk_{os.getpid()}_{uuid.uuid4().hex}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.desktop: Any = None
        self.ctx: Any = None
        self._log: Any = None

    def start(self) -> None:
        soffice = next((c for c in SOFFICE_CANDIDATES if c and os.access(c, os.X_OK)), None)
        if soffice is None:
            raise HarnessError("soffice not found; install the packages listed in .ci/apt-packages.txt")
        (self.profile / "user").mkdir(parents=True, exist_ok=True)
        (self.profile / "user" / "registrymodifications.xcu").write_text(REGISTRY_XCU, encoding="utf-8")
        args = [
            soffice,
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--nodefault",
            "--nolockcheck",
            "--nofirststartwizard",
            f"-env:UserInstallation={self.profile.as_uri()}",
            f"--accept=pipe,name={self.pipe_name};urp;StarOffice.ComponentContext",
        ]
        env = dict(os.environ)
        env.setdefault("SAL_USE_VCLPLUGIN", "svp")
        env["HOME"] = str(self.workdir)  # keeps fontconfig/dconf caches out of the real home
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        # Same process group as this script (the caller made us a group leader), so a caller that has
        # to kill us after a hard timeout takes oosplash and soffice.bin down with us.
        self.proc = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT, env=env
        )
        self._connect()

    def _connect(self) -> None:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        url = f"uno:pipe,name={self.pipe_name};urp;StarOffice.ComponentContext"
        assert self.proc is not None
        while True:
            try:
                self.ctx = resolver.resolve(url)
                break
            except NoConnectException:
                # no deadline of its own: the watchdog in main() reports the timeout and ends the process
                if self.proc.poll() is not None:
                    code = self.proc.returncode
                    raise HarnessError(f"soffice exited with code {code} before accepting UNO") from None
                time.sleep(0.1)
        smgr = self.ctx.ServiceManager
        self.desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", self.ctx)

    def load(self, path: Path, *, read_only: bool = True, run_macros: bool = False) -> Any:
        props = _props(
            Hidden=True,
            ReadOnly=read_only,
            MacroExecutionMode=ALWAYS_EXECUTE_NO_WARN if run_macros else NEVER_EXECUTE,
            UpdateDocMode=NO_UPDATE,
            Silent=True,
        )
        try:
            doc = self.desktop.loadComponentFromURL(path.resolve().as_uri(), "_blank", 0, props)
        except Exception as exc:  # IllegalArgumentException / IOException carry the reason in Message
            raise HarnessError(f"LibreOffice could not load {path}: {getattr(exc, 'Message', exc)}") from None
        if doc is None:
            raise HarnessError(f"LibreOffice could not load {path} (no component returned)")
        return doc

    def stop(self) -> None:
        """Shut soffice down: politely first, then by pid, never leaving it behind."""
        if self.desktop is not None:
            # The bridge is disposed while soffice exits, so an exception here is the expected outcome.
            with contextlib.suppress(Exception):
                self.desktop.terminate()
        self.desktop = None
        if self.proc is not None:
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        _kill_group_members()
        if self._log is not None:
            self._log.close()

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-8000:]
        except OSError:
            return ""


def _kill_group_members() -> None:
    """Kill leftover processes of our own process group (soffice.bin outliving oosplash), by pid."""
    me = os.getpid()
    if os.getpgrp() != me:
        return  # not a group leader: the group is not ours to clean up
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # Field 5 is the pgid; split after the ")" that ends the (possibly spaced) command name.
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 2 and int(fields[2]) == me:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(entry.name), signal.SIGKILL)


def _props(**kwargs: Any) -> tuple[Any, ...]:
    out = []
    for key, value in kwargs.items():
        pv = uno.createUnoStruct("com.sun.star.beans.PropertyValue")
        pv.Name = key
        pv.Value = value
        out.append(pv)
    return tuple(out)


# --------------------------------------------------------------------------------------------------
# helpers for reading a spreadsheet
# --------------------------------------------------------------------------------------------------


def col_letters(col: int) -> str:
    """0-based column index -> Excel letters (0 -> A, 26 -> AA)."""
    out = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def a1(col: int, row: int) -> str:
    return f"{col_letters(col)}{row + 1}"


def range_a1(addr: Any) -> str:
    start = a1(addr.StartColumn, addr.StartRow)
    end = a1(addr.EndColumn, addr.EndRow)
    return start if start == end else f"{start}:{end}"


def _enum(value: Any) -> Any:
    """pyuno enums print as objects; JSON wants their value name."""
    return getattr(value, "value", value)


def _validation(val: Any) -> dict[str, Any] | None:
    vtype = _enum(val.Type)
    if vtype == "ANY" and not val.ShowInputMessage:
        return None
    return {
        "type": vtype,
        "operator": _enum(val.getOperator()),
        "formula1": val.getFormula1(),
        "formula2": val.getFormula2(),
        "ignore_blank": bool(val.IgnoreBlankCells),
        "show_error": bool(val.ShowErrorMessage),
        "error_style": _enum(val.ErrorAlertStyle),
        "error_title": val.ErrorTitle,
        "error_message": val.ErrorMessage,
        "show_input": bool(val.ShowInputMessage),
        "input_title": val.InputTitle,
        "input_message": val.InputMessage,
        "show_list": int(val.ShowList),
    }


def _used_area(sheet: Any) -> Any | None:
    cursor = sheet.createCursor()
    cursor.gotoStartOfUsedArea(False)
    cursor.gotoEndOfUsedArea(True)
    addr = cursor.getRangeAddress()
    # An empty sheet still reports A1:A1; tell it apart by asking whether A1 has content.
    if addr.EndRow == 0 and addr.EndColumn == 0 and sheet.getCellByPosition(0, 0).getType().value == "EMPTY":
        return None
    return addr


def _format_runs(rng: Any) -> list[tuple[Any, dict[str, Any]]]:
    """Split ``rng`` into blocks of uniform attributes and read protection and validation once each.

    Why: cell-by-cell UNO calls cost a round trip each; attribute blocks are few, so this stays fast
    even for a formatted template with thousands of cells.
    """
    runs = []
    formats = rng.getCellFormatRanges()
    for i in range(formats.getCount()):
        block = formats.getByIndex(i)
        prot = block.CellProtection
        runs.append(
            (
                block.getRangeAddress(),
                {
                    "locked": bool(prot.IsLocked),
                    "hidden_formula": bool(prot.IsFormulaHidden),
                    "validation": _validation(block.Validation),
                    "merged": bool(block.getIsMerged()),
                },
            )
        )
    return runs


class _Address:
    """A cell range's address as ``getRangeAddress`` gives it (the fields the scan reads)."""

    def __init__(self, c0: int, r0: int, c1: int, r1: int) -> None:
        self.StartColumn, self.StartRow, self.EndColumn, self.EndRow = c0, r0, c1, r1


def _clipped(runs: list[tuple[Any, dict[str, Any]]], scan: list[int]) -> list[tuple[Any, dict[str, Any]]] | None:
    """The sheet's attribute runs cut to the scanned area, in their order: asking LibreOffice for the runs of
    that area again cost as much as the whole sheet's (a round trip for each run and each of its attributes).
    None when the area reaches past the sheet's runs (then it is asked)."""
    c0, r0, c1, r1 = scan
    if c1 >= MAX_EXTEND_COL or r1 >= MAX_EXTEND_ROW:
        return None
    out = []
    for addr, attrs in runs:
        a = _Address(max(addr.StartColumn, c0), max(addr.StartRow, r0), min(addr.EndColumn, c1), min(addr.EndRow, r1))
        if a.StartColumn <= a.EndColumn and a.StartRow <= a.EndRow:
            out.append((a, attrs))
    return out


def _content(sheet: Any, c: int, r: int, datum: Any, formula: str) -> tuple[str, str]:
    """A cell's content type and its text as shown, from the range's data and formula arrays where they tell it:
    an empty cell and a text cell (its data is its text) need no call of their own. A number's text as shown
    (its number format) and anything whose formula text begins with ``=`` (a formula, or text that looks like
    one) are asked of the cell: each call is a round trip, which made reading the template's sheets take seconds.
    """
    if formula.startswith(("=", "{")) or isinstance(datum, float):
        cell = sheet.getCellByPosition(c, r)
        return cell.getType().value, cell.getString()
    if datum == "" and formula == "":
        return "EMPTY", ""
    return "TEXT", datum


def _inspect_sheet(doc: Any, sheet: Any) -> dict[str, Any]:
    used = _used_area(sheet)
    scan = None
    if used is not None:
        scan = [used.StartColumn, used.StartRow, used.EndColumn, used.EndRow]
        scan[0] = scan[1] = 0  # report from A1 so addresses of unlocked cells left of the data show too

    # Attribute runs over the whole sheet are cheap (they are rectangles, not cells); use them to widen
    # the scan to small unlocked/validated areas outside the content area.
    whole = sheet.getCellRangeByPosition(0, 0, MAX_EXTEND_COL - 1, MAX_EXTEND_ROW - 1)
    sheet_runs = _format_runs(whole)
    merge_candidates: list[tuple[int, int]] = []
    for addr, attrs in sheet_runs:
        if attrs["merged"]:
            # Only merge origins carry the merge attribute; they are few, so visiting each is cheap.
            merge_candidates.extend(
                (c, r)
                for r in range(addr.StartRow, addr.EndRow + 1)
                for c in range(addr.StartColumn, addr.EndColumn + 1)
            )
        if attrs["validation"] is None and attrs["locked"]:
            continue
        if addr.EndRow >= MAX_EXTEND_ROW - 1 or addr.EndColumn >= MAX_EXTEND_COL - 1:
            continue  # whole-column/row formatting: only what lies in the used area is reported
        if scan is None:
            scan = [0, 0, addr.EndColumn, addr.EndRow]
        else:
            scan[2] = max(scan[2], addr.EndColumn)
            scan[3] = max(scan[3], addr.EndRow)

    cells: dict[str, dict[str, Any]] = {}
    merged: list[str] = []
    validations: list[dict[str, Any]] = []
    if scan is not None:
        c0, r0, c1, r1 = scan
        if (c1 - c0 + 1) * (r1 - r0 + 1) > MAX_SCAN_CELLS:
            r1 = r0 + MAX_SCAN_CELLS // (c1 - c0 + 1) - 1
        rng = sheet.getCellRangeByPosition(c0, r0, c1, r1)
        data = rng.getDataArray()
        formulas = rng.getFormulaArray()
        attr_at: dict[tuple[int, int], dict[str, Any]] = {}
        for addr, attrs in _clipped(sheet_runs, [c0, r0, c1, r1]) or _format_runs(rng):
            interesting = not attrs["locked"] or attrs["validation"] is not None or attrs["hidden_formula"]
            if attrs["validation"] is not None:
                validations.append({"range": range_a1(addr), **attrs["validation"]})
            for r in range(addr.StartRow, addr.EndRow + 1):
                for c in range(addr.StartColumn, addr.EndColumn + 1):
                    if interesting or (data[r - r0][c - c0] != "" or formulas[r - r0][c - c0] != ""):
                        attr_at[(c, r)] = attrs
        for (c, r), attrs in sorted(attr_at.items(), key=lambda item: (item[0][1], item[0][0])):
            ctype, string = _content(sheet, c, r, data[r - r0][c - c0], formulas[r - r0][c - c0])
            entry: dict[str, Any] = {
                "type": ctype,
                "string": string,
                # getDataArray holds a float for numbers and numeric formula results, a str otherwise.
                "value": value if isinstance(value := data[r - r0][c - c0], float) else None,
                "locked": attrs["locked"],
                "hidden_formula": attrs["hidden_formula"],
                "validation": attrs["validation"],
            }
            if ctype == "FORMULA":
                entry["formula"] = formulas[r - r0][c - c0]
            cells[a1(c, r)] = entry
    seen: set[str] = set()
    for c, r in merge_candidates[:MAX_MERGE_CANDIDATES]:
        cur = sheet.createCursorByRange(sheet.getCellByPosition(c, r))
        cur.collapseToMergedArea()
        name = range_a1(cur.getRangeAddress())
        if ":" in name and name not in seen:
            seen.add(name)
            merged.append(name)

    return {
        "used_area": range_a1(used) if used is not None else None,
        "scanned_area": f"{a1(scan[0], scan[1])}:{a1(scan[2], scan[3])}" if scan is not None else None,
        "cells": cells,
        "merged": merged,
        "validations": validations,
        "conditional_formats": _conditional_formats(sheet),
        "print_areas": [range_a1(a) for a in sheet.getPrintAreas()],
        "page_setup": _page_setup(doc, sheet),
    }


# com.sun.star.sheet.ConditionEntryType
CF_ENTRY_TYPES = {0: "CONDITION", 1: "COLORSCALE", 2: "DATABAR", 3: "ICONSET", 4: "DATE"}
_CF_OPERATORS = [
    "EQUAL", "LESS", "GREATER", "LESS_EQUAL", "GREATER_EQUAL", "NOT_EQUAL", "BETWEEN", "NOT_BETWEEN",
    "DUPLICATE", "UNIQUE", "TOP_N_ELEMENTS", "BOTTOM_N_ELEMENTS", "TOP_N_PERCENT", "BOTTOM_N_PERCENT",
    "ABOVE_AVERAGE", "BELOW_AVERAGE", "ABOVE_EQUAL_AVERAGE", "BELOW_EQUAL_AVERAGE", "ERROR", "NO_ERROR",
    "BEGINS_WITH", "ENDS_WITH", "CONTAINS", "NOT_CONTAINS",
]  # fmt: skip


def _cf_operator_names() -> dict[int, str]:
    """Read the ConditionFormatOperator constants from LibreOffice itself rather than hard-coding values."""
    names = {}
    for name in _CF_OPERATORS:
        try:
            names[uno.getConstantByName(f"com.sun.star.sheet.ConditionFormatOperator.{name}")] = name
        except Exception:
            continue
    return names


def _conditional_formats(sheet: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    try:
        cfs = sheet.ConditionalFormats.getConditionalFormats()
    except Exception:
        return out
    for cf in cfs:
        ranges = [range_a1(a) for a in cf.Range.getRangeAddresses()]
        entries = []
        for i in range(cf.getCount()):
            entry = cf.getByIndex(i)
            # Entry kinds (condition, colour scale, data bar, icon set, date) have different property
            # sets; report every plain-valued property rather than guessing per kind.
            info: dict[str, Any] = {}
            with contextlib.suppress(Exception):
                info["entry_type"] = CF_ENTRY_TYPES.get(entry.getType(), entry.getType())
            for prop in entry.getPropertySetInfo().getProperties():
                try:
                    value = _enum(entry.getPropertyValue(prop.Name))
                except Exception:
                    continue
                if isinstance(value, (str, int, float, bool)):
                    info[prop.Name] = value
            if isinstance(info.get("Operator"), int) and info.get("entry_type") == "CONDITION":
                info["operator_name"] = _cf_operator_names().get(info["Operator"], str(info["Operator"]))
            entries.append(info)
        out.append({"ranges": ranges, "entries": entries})
    return out


def _page_setup(doc: Any, sheet: Any) -> dict[str, Any]:
    style_name = sheet.PageStyle
    style = doc.StyleFamilies.getByName("PageStyles").getByName(style_name)
    return {
        "style": style_name,
        "width_mm100": style.Width,
        "height_mm100": style.Height,
        "landscape": bool(style.IsLandscape),
        "scale": style.PageScale,
        "scale_to_pages_x": style.ScaleToPagesX,
        "scale_to_pages_y": style.ScaleToPagesY,
        "scale_to_pages": style.ScaleToPages,
    }


def _named_ranges(container: Any) -> dict[str, str]:
    return {name: container.getByName(name).getContent() for name in container.getElementNames()}


# com.sun.star.script.ModuleType
MODULE_TYPES = {0: "UNKNOWN", 1: "NORMAL", 2: "CLASS", 3: "FORM", 4: "DOCUMENT"}


def _basic(doc: Any) -> tuple[dict[str, dict[str, str]], dict[str, Any]]:
    libs = doc.BasicLibraries
    code: dict[str, dict[str, str]] = {}
    module_types: dict[str, dict[str, str]] = {}
    for lib_name in libs.getElementNames():
        libs.loadLibrary(lib_name)
        lib = libs.getByName(lib_name)
        code[lib_name] = {}
        module_types[lib_name] = {}
        for mod in lib.getElementNames():
            code[lib_name][mod] = lib.getByName(mod)
            try:
                mtype = lib.getModuleInfo(mod).ModuleType
                module_types[lib_name][mod] = MODULE_TYPES.get(mtype, str(mtype))
            except Exception:
                module_types[lib_name][mod] = "UNKNOWN"
    meta = {
        "vba_compatibility_mode": bool(libs.VBACompatibilityMode),
        "vba_project_name": getattr(libs, "ProjectName", None),
        "module_types": module_types,
    }
    return code, meta


def _filter_name(doc: Any) -> str | None:
    for arg in doc.getArgs():
        if arg.Name == "FilterName":
            return str(arg.Value)
    return None


def cmd_inspect(office: Office, args: dict[str, Any]) -> dict[str, Any]:
    doc = office.load(Path(args["path"]))
    try:
        sheets = []
        per_sheet: dict[str, Any] = {}
        local_names: dict[str, dict[str, str]] = {}
        sheet_objs = doc.Sheets
        for i in range(sheet_objs.getCount()):
            sheet = sheet_objs.getByIndex(i)
            name = sheet.getName()
            sheets.append(
                {
                    "name": name,
                    "visible": bool(sheet.IsVisible),
                    "protected": bool(sheet.isProtected()),
                    "code_name": sheet.CodeName or None,
                }
            )
            per_sheet[name] = _inspect_sheet(doc, sheet)
            try:
                local = _named_ranges(sheet.NamedRanges)
            except Exception:
                local = {}
            if local:
                local_names[name] = local
        basic, basic_meta = _basic(doc)
        return {
            "filter": _filter_name(doc),
            "workbook_protected": bool(doc.isProtected()),
            "workbook_code_name": doc.CodeName or None,
            "sheets": sheets,
            "named_ranges": _named_ranges(doc.NamedRanges),
            "sheet_named_ranges": local_names,
            "basic": basic,
            "basic_info": basic_meta,
            "cells": {name: data["cells"] for name, data in per_sheet.items()},
            "merged": {name: data["merged"] for name, data in per_sheet.items()},
            "conditional_formats": {name: data["conditional_formats"] for name, data in per_sheet.items()},
            "validations": {name: data["validations"] for name, data in per_sheet.items()},
            "used_area": {name: data["used_area"] for name, data in per_sheet.items()},
            "scanned_area": {name: data["scanned_area"] for name, data in per_sheet.items()},
            "print_areas": {name: data["print_areas"] for name, data in per_sheet.items()},
            "page_setup": {name: data["page_setup"] for name, data in per_sheet.items()},
        }
    finally:
        doc.close(True)


def cmd_export_sheet_pdf(office: Office, args: dict[str, Any]) -> dict[str, Any]:
    # Loaded editable: the caller hands us a private copy, and a hidden sheet must be shown to print.
    doc = office.load(Path(args["path"]), read_only=False)
    try:
        sheets = doc.Sheets
        name = args["sheet"]
        if not sheets.hasByName(name):
            raise HarnessError(f"no sheet named {name!r}; sheets are {list(sheets.getElementNames())}")
        sheet = sheets.getByName(name)
        was_visible = bool(sheet.IsVisible)
        if not was_visible:
            if doc.isProtected():
                try:
                    doc.unprotect("")
                except Exception:
                    raise HarnessError(
                        f"sheet {name!r} is hidden and the workbook structure is password-protected"
                    ) from None
            sheet.IsVisible = True
            if not sheet.IsVisible:
                raise HarnessError(f"LibreOffice refused to show hidden sheet {name!r}")
        # Passing the sheet object itself (not a cell range) as Selection makes Calc print that sheet
        # as a whole, honouring its page style and print ranges, and nothing else. Unlike hiding the
        # other sheets this needs no edit, so it also works on read-only loads and on workbooks whose
        # structure is protected.
        filter_data = uno.Any(
            "[]com.sun.star.beans.PropertyValue",
            _props(Selection=sheet),
        )
        out = Path(args["out_pdf"]).resolve()
        doc.storeToURL(
            out.as_uri(),
            _props(FilterName="calc_pdf_Export", FilterData=filter_data, Overwrite=True),
        )
        return {"pdf": str(out), "sheet_was_visible": was_visible}
    finally:
        doc.close(True)


PDF_FILTERS = (
    ("com.sun.star.sheet.SpreadsheetDocument", "calc_pdf_Export"),
    ("com.sun.star.text.TextDocument", "writer_pdf_Export"),
    ("com.sun.star.presentation.PresentationDocument", "impress_pdf_Export"),
    ("com.sun.star.drawing.DrawingDocument", "draw_pdf_Export"),
)


def cmd_convert_to_pdf(office: Office, args: dict[str, Any]) -> dict[str, Any]:
    doc = office.load(Path(args["path"]))
    try:
        filt = next((f for service, f in PDF_FILTERS if doc.supportsService(service)), None)
        if filt is None:
            raise HarnessError(f"do not know how to export {args['path']} to PDF")
        out = Path(args["out_pdf"]).resolve()
        doc.storeToURL(out.as_uri(), _props(FilterName=filt, Overwrite=True))
        return {"pdf": str(out), "filter": filt}
    finally:
        doc.close(True)


def cmd_edit_text_cell(office: Office, args: dict[str, Any]) -> dict[str, Any]:
    """A Writer document with the one table cell whose text is ``old`` set to ``new`` (none: nothing changed),
    saved as .docx to ``out``: what a clerk does who opens the report and types over a number."""
    doc = office.load(Path(args["path"]), read_only=False)
    try:
        hits = []
        tables = doc.getTextTables()
        for i in range(tables.getCount()):
            table = tables.getByIndex(i)
            for name in table.getCellNames():
                if args.get("old") is not None and table.getCellByName(name).getString() == args["old"]:
                    hits.append((table, name))
        if args.get("old") is not None:
            if len(hits) != 1:
                raise HarnessError(f"{args['old']!r} is in {len(hits)} table cells, not one")
            table, name = hits[0]
            table.getCellByName(name).setString(args["new"])
        out = Path(args["out"]).resolve()
        doc.storeToURL(out.as_uri(), _props(FilterName="MS Word 2007 XML", Overwrite=True))
        return {"cell": hits[0][1] if hits else None}
    finally:
        doc.close(True)


def _plain(value: Any) -> Any:
    """A Basic return value as JSON: strings, numbers, booleans and None pass; anything else as its text."""
    return value if value is None or isinstance(value, (str, int, float, bool)) else str(value)


def cmd_run_basic(office: Office, args: dict[str, Any]) -> dict[str, Any]:
    """Run macros of a workbook's VBA project in LibreOffice Basic (VBA support mode), in order.

    ``remove``: modules taken out of the loaded copy first (what LibreOffice cannot compile); ``add``:
    {module: source} put in (each gets ``Option VBASupport 1``, as LibreOffice gives imported VBA);
    ``calls``: [[module.procedure, arg, ...], ...]. Returns what each call returned. A Basic runtime error
    the macro does not handle itself is reported by LibreOffice as a dialog, which a headless office
    cancels: such a call returns nothing, and the test sees it in what the macros did (or did not) write.
    Message boxes are cancelled the same way, so a macro runs on past them.
    """
    doc = office.load(Path(args["path"]), read_only=False, run_macros=True)
    try:
        libs = doc.BasicLibraries
        name = args.get("library", "VBAProject")
        libs.loadLibrary(name)
        lib = libs.getByName(name)
        for module in args.get("remove", []):
            lib.removeByName(module)
        for module, source in args.get("add", {}).items():
            lib.insertByName(module, "Option VBASupport 1\n" + source)
        provider = doc.getScriptProvider()
        returned = []
        for i, (macro, *call_args) in enumerate(args["calls"]):
            print(f"call {i}: {macro}", file=sys.stderr, flush=True)  # where a crash happened, in its report
            script = provider.getScript(f"vnd.sun.star.script:{name}.{macro}?language=Basic&location=document")
            returned.append(_plain(script.invoke(tuple(call_args), (), ())[0]))
        return {"returned": returned}
    finally:
        doc.close(True)


COMMANDS = {
    "inspect": cmd_inspect,
    "export_sheet_pdf": cmd_export_sheet_pdf,
    "convert_to_pdf": cmd_convert_to_pdf,
    "edit_text_cell": cmd_edit_text_cell,
    "run_basic": cmd_run_basic,
}


def main(argv: list[str]) -> int:
    command, args_json, result_path, workdir, timeout = argv[1:6]
    args = json.loads(args_json)
    # variables the office's own processes see (for a macro's Environ); the caller's environment otherwise
    os.environ.update(args.pop("office_env", {}))
    deadline = time.monotonic() + float(timeout)
    office = Office(Path(workdir))
    result_file = Path(result_path)
    finished = threading.Event()
    # One verdict: the first to take it reports — the watchdog at the deadline, or the command when it ends
    # before. Without it, a command failing because the watchdog had just killed soffice ("soffice exited
    # ... before accepting UNO") would overwrite "timed out" in the moment before the process exits.
    verdict = threading.Lock()

    def watchdog() -> None:
        # Our own deadline, a little before the caller's hard kill, so we can still report why.
        if finished.wait(max(0.0, deadline - time.monotonic())) or not verdict.acquire(blocking=False):
            return
        payload = {"ok": False, "error": f"timed out after {timeout}s", "soffice_log": office.log_text()}
        result_file.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
        if office.proc is not None and office.proc.poll() is None:
            office.proc.kill()
        _kill_group_members()
        os._exit(3)

    threading.Thread(target=watchdog, daemon=True).start()
    try:
        try:
            office.start()
            result = COMMANDS[command](office, args)
            payload: dict[str, Any] = {"ok": True, "result": result}
            code = 0
        except HarnessError as exc:
            payload = {"ok": False, "error": str(exc)}
            code = 1
        except Exception as exc:
            payload = {"ok": False, "error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()}
            code = 1
        if not verdict.acquire(blocking=False):
            verdict.acquire()  # the watchdog has reported and is ending the process: wait for it
    finally:
        office.stop()
        finished.set()
    if not payload["ok"]:
        payload["soffice_log"] = office.log_text()
    result_file.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    return code


if __name__ == "__main__":
    if len(sys.argv) != 6 or sys.argv[1] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv))

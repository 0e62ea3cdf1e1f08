"""Audit a folder: every file in it accounted for, every report checked, in parallel.

For the 政务公开 office that collects many agencies' reports and for evaluators. Every file of the folder
(recursively) appears in the result: checked, or not read with the reason (an unsupported type with what
to do, an empty file, a file that cannot be opened), or skipped because it is not a submission at all
(Excel's lock files, hidden files, the leftovers of an interrupted write, this tool's own audit results —
recognised by what is inside them, never by their name). A file that could not be read is an 错误 of the
audit (F1): such a folder is never "all clear".

Across files: two reports of one agency and year are a finding on both (F2 when their contents differ,
F3 when they are the same report twice), and each report is checked against the same agency's report of
the year before (X rules), the pairing chosen by a stated rule and written into the result.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..adapters.formats import KIND_NAMES, input_format, unsupported
from ..core.findings import ERROR, WARNING

# the files sheet (one row per file of the folder) and the findings sheet, as (key, label)
FILE_COLUMNS = [("file", "文件"), ("status", "状态"), ("kind", "类型"), ("format", "格式"), ("agency", "机关"),
                ("year", "年度"), ("errors", "错误"), ("warnings", "提示"), ("explained", "已说明"),
                ("passed", "通过"), ("ready", "可导出"), ("previous", "上年报告"), ("note", "说明")]
FINDING_COLUMNS = [("file", "文件"), ("agency", "机关"), ("year", "年度"), ("rule", "规则"), ("severity", "类别"),
                   ("message", "问题"), ("sheet", "工作表"), ("cell", "单元格"), ("table", "表"), ("row", "行"),
                   ("column", "列"), ("explanation", "说明")]
FINDINGS_SHEET, FILES_SHEET = "问题清单", "报告清单"
READ, UNREADABLE, SKIPPED = "已审核", "无法读取", "已跳过"
YES, NO = "是", "否"
UNREADABLE_RULE, DIFFERENT_TWIN, SAME_TWIN = "F1", "F2", "F3"
SYSTEM_FILES = {"thumbs.db", "desktop.ini", ".ds_store"}


def survey(folder: Path) -> list[Path]:
    """Every entry of the folder that is not itself a folder, recursively, in a stable order."""
    return sorted(p for p in folder.rglob("*") if not p.is_dir())


def skip_reason(path: Path) -> str | None:
    """Why a file is no submission at all (listed, not counted as a failure), or None."""
    name = path.name
    if name.startswith(".") and name.endswith(".tmp"):
        return "写入被中断时留下的临时文件（可以删除）"
    if name.startswith("~$"):
        return "Excel/WPS 打开文件时生成的锁定文件"
    if name.lower() in SYSTEM_FILES:
        return "操作系统生成的文件"
    if name.startswith("."):
        return "隐藏文件"
    if path.suffix.lower() == ".csv" and _own_csv(path):
        return "本工具写出的审核结果（CSV）"
    return None


def _own_csv(path: Path) -> bool:
    """The header line of one of our CSV files (findings or files list)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096).decode("utf-8-sig", "replace").splitlines()[:1]
    except OSError:
        return False
    return bool(head) and head[0] in (",".join(label for _, label in cols) for cols in (FINDING_COLUMNS, FILE_COLUMNS))


def own_result(path: Path) -> bool:
    """True when the file is one of this tool's audit results (recognised by content, never by name)."""
    from ..errors import InputError, OwnOutput

    if path.suffix.lower() == ".csv":
        return _own_csv(path)
    if path.suffix.lower() != ".xlsx":
        return False
    from ..adapters.workbook_read import read_workbook

    try:
        read_workbook(path)
    except OwnOutput:
        return True
    except InputError:
        return False
    return False


def audit_one(path: str, today: str | None = None) -> dict[str, Any]:
    """Check one file; everything picklable, so it runs in a worker process."""
    from ..core.payload import nested_values
    from ..core.rules import check
    from ..errors import InputError, OwnOutput
    from ..fileio import regular_file
    from .load import open_source

    p = Path(path)
    skipped = skip_reason(p)
    if skipped:
        return {"file": path, "status": SKIPPED, "note": skipped}
    try:
        st = regular_file(p)
    except InputError as exc:
        return {"file": path, "status": UNREADABLE, "note": _bare(exc)}
    if input_format(p) is None:
        return {"file": path, "status": UNREADABLE, "note": unsupported(p)}
    if st.st_size == 0:
        return {"file": path, "status": UNREADABLE, "note": "空文件（0 字节）"}
    day = dt.date.fromisoformat(today) if today else None
    try:
        src = open_source(path)
    except OwnOutput:
        return {"file": path, "status": SKIPPED, "note": "本工具写出的审核结果"}
    except InputError as exc:
        return {"file": path, "status": UNREADABLE, "note": _bare(exc)}
    except Exception as exc:  # a damaged file must not end the run: it becomes a finding about the file
        return {"file": path, "status": UNREADABLE, "note": f"无法读取（{type(exc).__name__}）"}
    report = src.report
    v = check(report, today=day)
    form = report.form
    findings = [_finding_row(form, f.as_dict()) for f in (*src.findings, *v.findings)]
    return {
        "file": path, "status": READ, "kind": src.kind, "form": form.short_title, "origin": report.origin,
        "agency": report.agency, "year": report.year, "findings": findings,
        "doc": {"form": form.id, "metadata": _plain(report.metadata), "values": nested_values(report),
                "narrative": dict(report.narrative), "explanations": dict(report.explanations)},
    }


def _bare(exc: Exception) -> str:
    """An error's message without the path (the row names the file already)."""
    return exc.args[0] if exc.args else str(exc)


def _finding_row(form: Any, f: dict[str, Any]) -> dict[str, Any]:
    """A finding as the auditor reads it: the place in the form's words (表三, the row and column labels)."""
    place = f.get("place", {})
    table = row = column = ""
    if form is None:  # a finding about the file, not a place in a report
        pass
    elif place.get("table"):
        try:
            t = form.table(place["table"])
            table = f"表{t.number}"
            if place.get("row"):
                row = t.row_name(t.row(place["row"]))
            if place.get("column"):
                column = t.column(place["column"]).label
        except KeyError:
            table = place["table"]
    elif place.get("field"):
        table, row = form.metadata_sheet, form.field(place["field"]).label
    elif place.get("section"):
        try:
            table, row = form.narrative_sheet, form.section(place["section"]).heading
        except KeyError:
            table = form.narrative_sheet
    return {"rule": f["rule"], "severity": f["severity"], "message": f["message"], "sheet": place.get("sheet", ""),
            "cell": place.get("cell", ""), "table": table, "row": row, "column": column,
            "explanation": f.get("explanation", "")}


def _plain(metadata: Any) -> dict[str, Any]:
    from ..core.payload import json_metadata

    return {k: json_metadata(v) for k, v in metadata.items()}


@dataclass
class AuditResult:
    """One row per file of the folder (``files``) and one per finding (``findings``), keyed as the columns."""

    folder: Path
    files: list[dict[str, Any]]
    findings: list[dict[str, Any]]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def has_errors(self) -> bool:
        return any(f["severity"] == ERROR for f in self.findings)

    def totals_line(self) -> str:
        c = self.counts
        text = (f"共 {c['files']} 个文件：审核 {c['read']} 份报告"
                f"（{c['passed']} 份无错误，{c['read'] - c['passed']} 份有错误）")
        if c["unreadable"]:
            text += f"，{c['unreadable']} 个文件无法读取"
        if c["skipped"]:
            text += f"，跳过 {c['skipped']} 个（锁定文件、临时文件或本工具的审核结果）"
        return text + f"；问题共 {len(self.findings)} 项。"


def _ignore_interrupt() -> None:
    """Workers leave Ctrl-C to the parent, which stops the pool and says so once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def run_audit(folder: str | Path, *, jobs: int | None = None, today: dt.date | None = None,
              progress: Callable[[int, int], None] | None = None) -> AuditResult:
    from ..errors import InputError

    root = Path(folder)
    if not root.is_dir():
        raise InputError("不是文件夹，或文件夹不存在。", place=str(root))
    files = survey(root)
    if not files:
        raise InputError("文件夹是空的，没有可审核的文件。", place=str(root))
    day = today.isoformat() if today else None
    results: list[dict[str, Any]] = []
    workers = jobs or os.cpu_count() or 1
    if workers <= 1 or len(files) < 8:
        for i, f in enumerate(files, 1):
            results.append(audit_one(str(f), day))
            if progress:
                progress(i, len(files))
    else:
        chunk = max(1, min(32, len(files) // (workers * 4)))
        pool = ProcessPoolExecutor(max_workers=workers, initializer=_ignore_interrupt)
        try:
            for i, r in enumerate(pool.map(audit_one, [str(f) for f in files], [day] * len(files),
                                           chunksize=chunk), 1):
                results.append(r)
                if progress:
                    progress(i, len(files))
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown()
    if all(r["status"] == SKIPPED for r in results):
        raise InputError("文件夹中没有可审核的报告（只有锁定文件、临时文件或本工具的审核结果）。", place=str(root))
    _twins(results)
    _cross_year(results, today)
    return _tables(root, results)


def _agency_key(name: str) -> str:
    return "".join(name.split())


def _groups(results: list[dict[str, Any]]) -> dict[tuple[str, int], list[dict[str, Any]]]:
    by_key: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for r in results:
        if r["status"] == READ and r["agency"] and r["year"]:
            by_key.setdefault((_agency_key(r["agency"]), r["year"]), []).append(r)
    return by_key


def _same_content(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a["doc"]["values"] == b["doc"]["values"] and a["doc"]["metadata"] == b["doc"]["metadata"]


def _twins(results: list[dict[str, Any]]) -> None:
    """Two reports of one agency and year: a finding on each, naming the other file(s)."""
    from ..core.rules import catalogue

    rules = catalogue()
    for (_, year), group in _groups(results).items():
        if len(group) < 2:
            continue
        for r in group:
            for other in group:
                if other is r:
                    continue
                rule = rules.rule(SAME_TWIN if _same_content(r, other) else DIFFERENT_TWIN)
                f = rule.finding("file", other=Path(other["file"]).name, agency=r["agency"], year=year)
                r["findings"].append(_finding_row(None, f.as_dict()))


def _error_count(r: dict[str, Any]) -> int:
    return sum(1 for f in r["findings"] if f["severity"] == ERROR)


def _cross_year(results: list[dict[str, Any]], today: dt.date | None) -> None:
    """Check each report against the same agency's report of the year before, when the folder has one.

    When the folder holds several reports of that agency for the year before (which F2/F3 already report),
    the one with the fewest 错误 is used, then the first by file name; the result says which, and why.
    """
    from ..adapters.jsonfile import report_from_document
    from ..core.rules import catalogue, check

    rules = [r for r in catalogue() if r.id.startswith("X")]
    groups = _groups(results)
    for (agency, year), group in groups.items():
        before = groups.get((agency, year - 1))
        if not before:
            continue
        chosen = min(before, key=lambda r: (_error_count(r), r["file"]))
        name = Path(chosen["file"]).name
        why = name if len(before) == 1 else f"{name}（上年共有 {len(before)} 份，按错误最少、文件名在前选用）"
        prev_report = report_from_document(chosen["doc"]).report
        for r in group:
            r["previous"] = why
            this_report = report_from_document(r["doc"]).report
            v = check(this_report, today=today, rules=rules, previous=prev_report)
            for f in v.findings:
                row = _finding_row(this_report.form, f.as_dict())
                row["message"] += f"（上年报告：{name}）"
                r["findings"].append(row)


def _tables(root: Path, results: Iterable[dict[str, Any]]) -> AuditResult:
    from ..core.rules import catalogue

    f1 = catalogue().rule(UNREADABLE_RULE)
    files, findings = [], []
    counts = {"files": 0, "read": 0, "passed": 0, "unreadable": 0, "skipped": 0}
    for r in results:
        name = os.path.relpath(r["file"], root)
        counts["files"] += 1
        blank = {"kind": "", "format": "", "agency": "", "year": "", "errors": "", "warnings": "", "explained": "",
                 "passed": "", "ready": "", "previous": ""}
        if r["status"] == SKIPPED:
            counts["skipped"] += 1
            files.append({"file": name, "status": SKIPPED, **blank, "note": r["note"]})
            continue
        if r["status"] == UNREADABLE:
            counts["unreadable"] += 1
            row = _finding_row(None, f1.finding("file", reason=r["note"]).as_dict())
            findings.append({"file": name, "agency": "", "year": "", **row})
            files.append({"file": name, "status": UNREADABLE, **blank, "errors": 1, "passed": NO, "ready": NO,
                          "note": r["note"]})
            continue
        counts["read"] += 1
        errors = sum(f["severity"] == ERROR for f in r["findings"])
        warnings = sum(f["severity"] == WARNING for f in r["findings"])
        explained = sum(f["severity"] == WARNING and bool(f["explanation"]) for f in r["findings"])
        counts["passed"] += errors == 0
        for f in r["findings"]:
            findings.append({"file": name, "agency": r["agency"], "year": r["year"] or "", **f})
        kind = KIND_NAMES.get(r["kind"], r["kind"])
        if r.get("origin") == "consolidation":
            kind += "（汇总）"
        files.append({"file": name, "status": READ, "kind": kind, "format": r["form"], "agency": r["agency"],
                      "year": r["year"] or "", "errors": errors, "warnings": warnings, "explained": explained,
                      "passed": YES if errors == 0 else NO, "ready": YES if errors == 0 and warnings == explained
                      else NO, "previous": r.get("previous", ""), "note": ""})
    return AuditResult(root, files, findings, counts)


def safe_cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula is prefixed with an apostrophe (``formula_guard``)."""
    from ..adapters.formula_guard import in_file

    return in_file(value)


def planned_outputs(result: AuditResult, xlsx: Path | None, csv: Path | None) -> list[tuple[Path, bytes, str]]:
    """(path, bytes, what) of each output: the results workbook, and the two CSV files."""
    out = []
    if xlsx is not None:
        out.append((xlsx, results_workbook(result), "审核结果"))
    if csv is not None:
        out.append((csv, _csv(FINDING_COLUMNS, result.findings), "问题清单"))
        out.append((csv_files_path(csv), _csv(FILE_COLUMNS, result.files), "报告清单"))
    return out


def csv_files_path(csv: Path) -> Path:
    return csv.with_name(f"{csv.stem}_{FILES_SHEET}{csv.suffix}")


def write_outputs(result: AuditResult, xlsx: Path | None = None, csv: Path | None = None) -> list[Path]:
    from ..fileio import Output, write_all

    return write_all([Output(p, data, what) for p, data, what in planned_outputs(result, xlsx, csv)])


def _csv(columns: list[tuple[str, str]], rows: list[dict[str, Any]]) -> bytes:
    import csv
    import io

    buf = io.StringIO()
    # CRLF (RFC 4180): a field holding a bare CR is then quoted, so a spreadsheet reading the CSV does not
    # start a new row at the CR with whatever text followed ("=..." included) in its first cell
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([label for _, label in columns])
    for row in rows:
        w.writerow([safe_cell(row.get(key, "")) for key, _ in columns])
    return buf.getvalue().encode("utf-8-sig")


def results_workbook(result: AuditResult) -> bytes:
    """The results workbook: findings, files, and a hidden info sheet whose role field marks it as ours."""
    import io

    import xlsxwriter

    from ..spec import load_form

    tpl = load_form().template
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                   "strings_to_urls": False})
    bold = wb.add_format({"bold": True})
    for title, columns, rows in ((FINDINGS_SHEET, FINDING_COLUMNS, result.findings),
                                 (FILES_SHEET, FILE_COLUMNS, result.files)):
        ws = wb.add_worksheet(title)
        for c, (_, label) in enumerate(columns):
            ws.write_string(0, c, label, bold)
        for r, row in enumerate(rows, start=1):
            for c, (key, _) in enumerate(columns):
                value = safe_cell(row.get(key, ""))
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    ws.write_number(r, c, value)
                elif value not in ("", None):
                    ws.write_string(r, c, str(value))
        ws.freeze_panes(1, 0)
    info = wb.add_worksheet(tpl.info_sheet)
    info.hide()
    role = tpl.info("role")
    from ..spec.a1 import split_cell

    row, col = split_cell(role.cell)
    info.write_string(row - 1, col - 2, role.label)
    info.write_string(row - 1, col - 1, tpl.roles["audit"])
    wb.close()
    return buf.getvalue()


def progress_bar(done: int, total: int) -> None:
    """A one-line progress bar on standard error."""
    width = 30
    filled = width * done // max(total, 1)
    end = "\n" if done == total else ""
    sys.stderr.write(f"\r审核中 [{'#' * filled}{'.' * (width - filled)}] {done}/{total}{end}")
    sys.stderr.flush()

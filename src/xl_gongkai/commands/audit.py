"""Audit a folder: every workbook, payload and published report in it, checked in parallel.

For the 政务公开 office that collects many agencies' reports and for evaluators. One unreadable file
is a finding about that file, never the end of the run. Reports of the same agency for consecutive
years in the folder are also checked against each other (the cross-year rules). Results are tables
(pandas): one row per finding, one row per report.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SUFFIXES = {".xlsm", ".xlsx", ".json", ".txt", ".html", ".htm"}
FINDING_COLUMNS = ["文件", "机关", "年度", "规则", "类别", "问题", "工作表", "单元格", "表", "行", "列", "说明", "编号"]
REPORT_COLUMNS = ["文件", "类型", "格式", "机关", "年度", "错误", "提示", "已说明", "通过", "可导出", "读取问题"]
UNREADABLE_RULE = "F1"


def discover(folder: Path) -> list[Path]:
    """Files to audit, in a stable order; Excel's lock files (``~$…``) and hidden files are skipped."""
    out = []
    for p in sorted(folder.rglob("*")):
        if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith(("~$", ".")):
            out.append(p)
    return out


def audit_one(path: str, today: str | None = None) -> dict[str, Any]:
    """Check one file; everything picklable, so it runs in a worker process."""
    from ..core.payload import nested_values
    from ..core.rules import check
    from ..errors import InputError
    from .load import open_source

    day = dt.date.fromisoformat(today) if today else None
    try:
        src = open_source(path)
    except InputError as exc:
        return {"file": path, "error": exc.args[0] if exc.args else str(exc)}
    except Exception as exc:  # a damaged file must not end the run: it becomes a finding about the file
        return {"file": path, "error": f"无法读取（{type(exc).__name__}）"}
    report = src.report
    v = check(report, today=day)
    findings = [f.as_dict() for f in (*src.findings, *v.findings)]
    return {
        "file": path, "error": None, "kind": src.kind, "form": report.form.id,
        "agency": report.agency, "year": report.year, "findings": findings,
        "doc": {"form": report.form.id, "metadata": _plain(report.metadata), "values": nested_values(report),
                "narrative": dict(report.narrative), "explanations": dict(report.explanations)},
    }


def _plain(metadata: Any) -> dict[str, Any]:
    from ..core.payload import json_metadata

    return {k: json_metadata(v) for k, v in metadata.items()}


@dataclass
class AuditResult:
    findings: list[dict[str, Any]]
    reports: list[dict[str, Any]]

    @property
    def has_errors(self) -> bool:
        return any(f["类别"] == "错误" for f in self.findings)


def run_audit(folder: str | Path, *, jobs: int | None = None, today: dt.date | None = None,
              progress: Callable[[int, int], None] | None = None) -> AuditResult:
    root = Path(folder)
    if not root.is_dir():
        from ..errors import InputError

        raise InputError("不是文件夹。", place=str(root))
    files = discover(root)
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
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for i, r in enumerate(pool.map(audit_one, [str(f) for f in files], [day] * len(files),
                                           chunksize=chunk), 1):
                results.append(r)
                if progress:
                    progress(i, len(files))
    _cross_year(results, today)
    return _tables(root, results)


def _agency_key(name: str) -> str:
    return "".join(name.split())


def _cross_year(results: list[dict[str, Any]], today: dt.date | None) -> None:
    """Check each report against the same agency's report of the year before, when the folder has it."""
    from ..adapters.jsonfile import report_from_document
    from ..core.rules import catalogue, check

    rules = [r for r in catalogue() if r.id.startswith("X")]
    by_key: dict[tuple[str, int], dict[str, Any]] = {}
    for r in results:
        if not r.get("error") and r["agency"] and r["year"]:
            by_key.setdefault((_agency_key(r["agency"]), r["year"]), r)
    for (agency, year), r in by_key.items():
        prev = by_key.get((agency, year - 1))
        if prev is None:
            continue
        this_report = report_from_document(r["doc"]).report
        prev_report = report_from_document(prev["doc"]).report
        v = check(this_report, today=today, rules=rules, previous=prev_report)
        for f in v.findings:
            d = f.as_dict()
            d["message"] += f"（上年报告：{Path(prev['file']).name}）"
            r["findings"].append(d)


def _tables(root: Path, results: Iterable[dict[str, Any]]) -> AuditResult:
    findings, reports = [], []
    for r in results:
        name = os.path.relpath(r["file"], root)
        if r.get("error"):
            message = rule_message(UNREADABLE_RULE, reason=r["error"])
            findings.append(dict(zip(FINDING_COLUMNS, [name, "", "", UNREADABLE_RULE, "错误", message,
                                                       "", "", "", "", "", "", f"{UNREADABLE_RULE}:file"],
                                     strict=True)))
            reports.append(dict(zip(REPORT_COLUMNS, [name, "", "", "", "", 1, 0, 0, False, False, r["error"]],
                                    strict=True)))
            continue
        errors = warnings = explained = 0
        for f in r["findings"]:
            place = f.get("place", {})
            errors += f["severity"] == "错误"
            warnings += f["severity"] == "提示"
            explained += f["severity"] == "提示" and bool(f.get("explanation"))
            findings.append(dict(zip(FINDING_COLUMNS, [
                name, r["agency"], r["year"], f["rule"], f["severity"], f["message"], place.get("sheet", ""),
                place.get("cell", ""), place.get("table", ""), place.get("row", ""), place.get("column", ""),
                f.get("explanation", ""), f["key"]], strict=True)))
        reports.append(dict(zip(REPORT_COLUMNS, [
            name, r["kind"], r["form"], r["agency"], r["year"] or "", errors, warnings, explained, errors == 0,
            errors == 0 and warnings == explained, ""], strict=True)))
    return AuditResult(findings, reports)


def rule_message(rule_id: str, **words: str) -> str:
    """A catalogue message for a finding raised outside the rule engine."""
    from ..core.rules import catalogue

    rule = next(r for r in catalogue() if r.id == rule_id)
    return rule.message.format(id=rule.id, **words)


def safe_cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula (= + - @, tab, CR) is prefixed with an apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def write_outputs(result: AuditResult, xlsx: Path | None = None, csv: Path | None = None) -> list[Path]:
    import io

    try:
        import pandas as pd
    except ImportError:  # a clerk's install (pip install xl-gongkai) has no pandas: the tables are the office's
        from ..errors import Refused

        raise Refused("审核结果表格需要 pandas，本机安装的是填报用的精简版。请运行 pip install \"xl-gongkai[office]\" "
                      "后再审核。") from None

    from ..fileio import write_bytes_atomic

    findings = pd.DataFrame(result.findings, columns=FINDING_COLUMNS).map(safe_cell)
    reports = pd.DataFrame(result.reports, columns=REPORT_COLUMNS).map(safe_cell)
    written = []
    if xlsx is not None:
        buf = io.BytesIO()
        with pd.ExcelWriter(buf, engine="openpyxl") as xw:
            findings.to_excel(xw, sheet_name="问题清单", index=False)
            reports.to_excel(xw, sheet_name="报告清单", index=False)
            for ws in xw.book.worksheets:
                for row in ws.iter_rows():
                    for cell in row:
                        if cell.data_type == "f":  # never a formula in our output
                            cell.data_type = "s"
        written.append(write_bytes_atomic(xlsx, buf.getvalue()))
    if csv is not None:
        # CRLF (RFC 4180): a field holding a bare CR is then quoted; with pandas' default "\n" it was not,
        # and a spreadsheet reading the CSV started a new row at the CR — with whatever text followed,
        # "=..." included, in its first cell
        written.append(write_bytes_atomic(csv, findings.to_csv(index=False, lineterminator="\r\n")
                                          .encode("utf-8-sig")))
        other = csv.with_name(f"{csv.stem}_报告清单{csv.suffix}")
        written.append(write_bytes_atomic(other, reports.to_csv(index=False, lineterminator="\r\n")
                                          .encode("utf-8-sig")))
    return written


def progress_bar(done: int, total: int) -> None:
    """A one-line progress bar on standard error."""
    width = 30
    filled = width * done // max(total, 1)
    end = "\n" if done == total else ""
    sys.stderr.write(f"\r审核中 [{'#' * filled}{'.' * (width - filled)}] {done}/{total}{end}")
    sys.stderr.flush()

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
import hashlib
import json
import os
import shutil
import signal
import sys
import tempfile
import weakref
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, cast

from ..adapters.formats import KIND_NAMES
from ..controls import shown_path
from ..core.findings import ERROR, WARNING
from ..core.names import agency_key
from ..errors import os_error_text
from ..fileio import Output, undecodable, undecodable_note

if TYPE_CHECKING:
    from ..adapters.audit_files import ResultsWorkbook
    from .roster import Roster, Submission

# the files sheet (one row per file of the folder) and the findings sheet, as (key, label)
FILE_COLUMNS = [("file", "文件"), ("status", "状态"), ("kind", "类型"), ("format", "格式"), ("agency", "机关"),
                ("year", "年度"), ("errors", "错误"), ("warnings", "提示"), ("explained", "已说明"),
                ("passed", "通过"), ("ready", "可导出"), ("previous", "上年报告"), ("note", "说明")]
FINDING_COLUMNS = [("file", "文件"), ("agency", "机关"), ("year", "年度"), ("rule", "规则"), ("severity", "类别"),
                   ("message", "问题"), ("sheet", "工作表"), ("cell", "单元格"), ("table", "表"), ("row", "行"),
                   ("column", "列"), ("explanation", "说明")]
FRONT_SHEET, FINDINGS_SHEET, FILES_SHEET = "概览", "问题清单", "报告清单"
READ, UNREADABLE, SKIPPED = "已审核", "无法读取", "已跳过"
YES, NO = "是", "否"
UNREADABLE_RULE, DIFFERENT_TWIN, SAME_TWIN = "F1", "F2", "F3"
SYSTEM_FILES = {"thumbs.db", "desktop.ini", ".ds_store"}


def survey(folder: Path) -> list[Path]:
    """Every entry of the folder that is not itself a folder, recursively, in a stable order — and, so that
    nothing goes unaccounted for, every subfolder that cannot be opened and every link to a folder (never
    followed: it may lead outside the collection, or back into it). :func:`entry_problem` says what they are."""
    found: list[Path] = []
    stack = [folder]
    while stack:
        here = stack.pop()
        try:
            with os.scandir(here) as it:
                entries = list(it)
        except OSError:
            if here == folder:
                raise
            found.append(here)  # a folder that cannot be listed: a row of its own
            continue
        for e in entries:
            try:
                real_dir = e.is_dir(follow_symlinks=False)
            except OSError:
                real_dir = False
            if real_dir:
                stack.append(Path(e.path))
            else:
                found.append(Path(e.path))
    return sorted(found)


def entry_problem(path: Path) -> str | None:
    """Why an entry :func:`survey` listed is not a file to read: a link to a folder, a folder that cannot be
    opened; None for anything else (a file, or what ``regular_file`` names)."""
    if path.is_symlink() and path.is_dir():
        return ("指向文件夹的链接（快捷方式），没有进入，其中的文件未审核（链接可能指向收件文件夹以外或形成循环）；"
                "如需审核，请把其中的文件复制到本文件夹中")
    if path.is_dir():
        return "无法打开这个文件夹（没有读取权限），其中的文件未审核；请让管理员开放读取权限，或把文件复制出来"
    return None


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
    from .roster import COLUMNS

    ours = (FINDING_COLUMNS, FILE_COLUMNS, COLUMNS)
    return bool(head) and head[0] in (",".join(label for _, label in cols) for cols in ours)


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
    problem = entry_problem(p)
    if problem:
        return {"file": path, "status": UNREADABLE, "note": problem}
    try:
        st = regular_file(p)
    except InputError as exc:
        return {"file": path, "status": UNREADABLE, "note": _bare(exc)}
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
    doc = {"form": form.id, "metadata": _plain(report.metadata), "values": nested_values(report),
           "narrative": dict(report.narrative), "explanations": dict(report.explanations)}
    pending = [str(f.values.get("section", "")) for f in v.pending]
    return {
        "file": path, "status": READ, "kind": src.kind, "form": form.short_title, "origin": report.origin,
        "agency": report.agency, "year": report.year, "findings": findings, "doc": doc,
        "content": _digest(doc["values"], doc["metadata"]), "date": _iso(report.metadata.get("date")),
        "mtime": st.st_mtime,
        "note": " ".join([*src.notes, *([f"汇总报告，待填写：{'、'.join(pending)}"] if pending else [])]),
        "to_write": len(pending),
    }


def content_digest(report: Any) -> str:
    """What makes two files the same report: the same values and metadata (a workbook and its payload are one
    report; a report with one figure changed is another)."""
    from ..core.payload import nested_values

    return _digest(nested_values(report), _plain(report.metadata))


def _digest(values: Any, metadata: Any) -> str:
    same = json.dumps([values, metadata], ensure_ascii=False, sort_keys=True).encode("utf-8")
    return hashlib.sha256(same).hexdigest()


def _iso(value: Any) -> str | None:
    from ..core.dates import as_date

    day = as_date(value)
    return day.isoformat() if day else None


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
class _Entry:
    """What the parent keeps of a report between the passes: enough to pair it, never its content."""

    seq: int
    file: str
    agency: str  # as the report names itself
    errors: int
    content: str
    doc_at: int  # offset of its document in the document spool


class AuditResult:
    """Every file's row and every finding, kept on disk (a JSONL spool), so memory stays flat at any scale.

    ``files`` / ``findings`` read everything back (a small folder, the tests); :meth:`rows` streams; the
    writers stream too. The spool is removed when the result is closed or collected.
    """

    def __init__(self, folder: Path, spool: Path, counts: dict[str, int], findings: int, errors: bool) -> None:
        self.folder, self.spool, self.counts = folder, spool, counts
        self.finding_count, self.has_errors = findings, errors
        self.roster: RosterCheck | None = None
        self.submissions: list[Submission] = []  # with a roster: what the roster is checked against
        self._cleanup = weakref.finalize(self, shutil.rmtree, str(spool.parent), True)

    @property
    def incomplete(self) -> bool:
        """With a roster: a unit that has not reported (the collection is not complete)."""
        from .roster import NOT_SUBMITTED, counts

        return self.roster is not None and counts(self.roster.rows)[NOT_SUBMITTED] > 0

    def rows(self) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
        with _spool(self.spool) as fh:
            for line in fh:
                rec = json.loads(line)
                yield rec["row"], rec["findings"]

    @property
    def files(self) -> list[dict[str, Any]]:
        return [row for row, _ in self.rows()]

    @property
    def findings(self) -> list[dict[str, Any]]:
        return [f for _, found in self.rows() for f in found]

    def close(self) -> None:
        self._cleanup()

    def __enter__(self) -> AuditResult:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def totals(self) -> list[tuple[str, int]]:
        c = self.counts
        totals = [("文件", c["files"]), ("审核的报告", c["read"]), ("无错误的报告", c["passed"]),
                  ("有错误的报告", c["read"] - c["passed"]), ("无法读取的文件", c["unreadable"]),
                  ("跳过的文件", c["skipped"]), ("问题", self.finding_count)]
        if self.roster is not None:
            from .roster import NOT_LISTED, STATUSES, counts

            by = counts(self.roster.rows)
            totals.append(("应报送的单位", sum(1 for r in self.roster.rows if NOT_LISTED not in r["status"])))
            totals += [(f"报送情况：{status}", by[status]) for status in STATUSES]
        return totals

    def totals_line(self) -> str:
        c = self.counts
        text = (f"共 {c['files']} 个文件：审核 {c['read']} 份报告"
                f"（{c['passed']} 份无错误，{c['read'] - c['passed']} 份有错误）")
        if c["unreadable"]:
            text += f"，{c['unreadable']} 个文件无法读取"
        if c["skipped"]:
            text += f"，跳过 {c['skipped']} 个（锁定文件、临时文件或本工具的审核结果）"
        return text + f"；问题共 {self.finding_count} 项。"


def _ignore_interrupt() -> None:
    """Workers leave Ctrl-C to the parent, which stops the pool and says so once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _results(files: list[Path], day: str | None, jobs: int | None,
             progress: Callable[[int, int], None] | None,
             given: dict[Path, str] | None = None) -> Iterator[dict[str, Any]]:
    """Each file's result as it comes, in the folder's order; ``given``: files skipped for a stated reason (the
    roster, when it lies in the folder)."""
    if given:
        rest = iter(_results([f for f in files if f not in given], day, jobs, None))
        for i, f in enumerate(files, 1):
            yield {"file": str(f), "status": SKIPPED, "note": given[f]} if f in given else next(rest)
            if progress:
                progress(i, len(files))
        return
    workers = jobs or os.cpu_count() or 1
    if workers <= 1 or len(files) < 8:
        for i, f in enumerate(files, 1):
            yield audit_one(str(f), day)
            if progress:
                progress(i, len(files))
        return
    chunk = max(1, min(32, len(files) // (workers * 4)))
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_ignore_interrupt)
    try:
        for i, r in enumerate(pool.map(audit_one, [str(f) for f in files], [day] * len(files),
                                       chunksize=chunk), 1):
            yield r
            if progress:
                progress(i, len(files))
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


@dataclass(frozen=True)
class RosterCheck:
    """The 报送情况 of an audit with a roster: its rows (``roster.COLUMNS``) and the year, as chosen."""

    rows: list[dict[str, Any]]
    year: int | None
    how: str  # how the year was chosen

    def line(self) -> str:
        from .roster import counts_line

        return counts_line(self.rows, self.year, self.how)


def run_audit(folder: str | Path, *, jobs: int | None = None, today: dt.date | None = None,
              progress: Callable[[int, int], None] | None = None, roster: Roster | None = None,
              year: int | None = None, deadline: dt.date | None = None) -> AuditResult:
    """Audit every file of the folder; the result is on disk (see :class:`AuditResult`).

    ``roster``: the units expected to report; the result then has their 报送情况 for ``year`` (default: the
    latest year in the folder), with ``deadline`` for units without one of their own (``commands.roster``).
    """
    from ..errors import InputError

    root = Path(folder)
    if not root.is_dir():
        raise InputError("不是文件夹，或文件夹不存在。", place=str(root))
    try:
        files = survey(root)
    except OSError as exc:
        raise InputError(os_error_text(exc), place=str(root)) from None
    if not files:
        raise InputError("文件夹是空的，没有可审核的文件。", place=str(root))
    given = {f: "审核名单（--roster 指定的文件）" for f in files if roster is not None and _same(f, roster.path)}
    work = private_folder("audit")
    try:
        result = _audit(root, files, work, today, jobs, progress, given, collect=roster is not None)
        if roster is not None:
            from .roster import roster_rows, roster_year

            chosen, how = roster_year(result.submissions, year)
            rows = roster_rows(roster, result.submissions, year=chosen, deadline=deadline, today=today)
            result.roster = RosterCheck(rows, chosen, how)
        return result
    except OSError as exc:  # the working files, in the system's temporary folder
        raise working_files_error(exc, work) from None
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


FINAL = "final.jsonl"  # the one spool a result keeps; the folder goes with the result


def _spool(path: Path, mode: str = "r") -> TextIO:
    """A spool file: UTF-8, and a file name's undecodable bytes (lone surrogates) survive the round trip."""
    return cast(TextIO, open(path, mode, encoding="utf-8", errors="surrogatepass"))


def private_folder(what: str) -> Path:
    """A folder of the system's temporary folder for one command's working files: never in a folder the tool
    reads (a submissions folder), removed on every path by its owner."""
    from ..errors import OutputError

    try:
        return Path(tempfile.mkdtemp(prefix=f"xl_gongkai-{what}-"))
    except OSError as exc:
        raise OutputError(f"无法在临时文件夹中建立工作文件：{os_error_text(exc, writing=True)}"
                          "（临时文件夹由环境变量 TMPDIR 或 TEMP 指定）", place=tempfile.gettempdir()) from None


def working_files_error(exc: OSError, work: Path) -> Exception:
    """An OS error on the working files as the user's situation: what happened, where, what to do."""
    from ..errors import OutputError

    shutil.rmtree(work, ignore_errors=True)
    return OutputError(f"临时工作文件写不下去：{os_error_text(exc, writing=True)}审核没有完成，没有写出任何结果"
                       "（临时文件夹由环境变量 TMPDIR 或 TEMP 指定）。", place=str(work.parent))


def _same(a: Path, b: Path) -> bool:
    from ..fileio import same_file

    return same_file(a, b)


def _audit(root: Path, files: list[Path], work: Path, today: dt.date | None, jobs: int | None,
           progress: Callable[[int, int], None] | None, given: dict[Path, str] | None = None, *,
           collect: bool = False) -> AuditResult:
    from ..errors import InputError

    first, docs = work / "results.jsonl", work / "documents.jsonl"
    groups: dict[tuple[str, int], list[_Entry]] = {}
    skipped_all = True
    with _spool(first, "w") as out, _spool(docs, "w") as doc_out:
        for seq, r in enumerate(_results(files, today.isoformat() if today else None, jobs, progress, given)):
            doc = r.pop("doc", None)
            skipped_all = skipped_all and r["status"] == SKIPPED
            if r["status"] == READ and r["agency"] and r["year"]:
                entry = _Entry(seq, r["file"], r["agency"], _error_count(r["findings"]), r["content"], doc_out.tell())
                doc_out.write(json.dumps(doc, ensure_ascii=False) + "\n")
                groups.setdefault((agency_key(r["agency"]), r["year"]), []).append(entry)
            out.write(json.dumps(r, ensure_ascii=False) + "\n")
    if skipped_all:
        raise InputError("文件夹中没有可审核的报告（只有锁定文件、临时文件或本工具的审核结果）。", place=str(root))
    extra: dict[int, list[dict[str, Any]]] = {}
    previous: dict[int, str] = {}
    _twins(groups, extra)
    _cross_year(groups, docs, today, extra, previous)
    final = work / FINAL
    submissions: list[Submission] | None = [] if collect else None
    counts, found, errors = _finish(root, first, final, extra, previous, submissions)
    first.unlink()
    docs.unlink()
    result = AuditResult(root, final, counts, found, errors)
    result.submissions = submissions or []
    return result


def _error_count(findings: Iterable[dict[str, Any]]) -> int:
    return sum(1 for f in findings if f["severity"] == ERROR)


def _twins(groups: dict[tuple[str, int], list[_Entry]], extra: dict[int, list[dict[str, Any]]]) -> None:
    """Two reports of one agency and year: a finding on each, naming the other file(s)."""
    from ..core.rules import catalogue

    rules = catalogue()
    for (_, year), group in groups.items():
        if len(group) < 2:
            continue
        for e in group:
            for other in group:
                if other is e:
                    continue
                rule = rules.rule(SAME_TWIN if e.content == other.content else DIFFERENT_TWIN)
                f = rule.finding("file", other=Path(other.file).name, agency=e.agency, year=year)
                extra.setdefault(e.seq, []).append(_finding_row(None, f.as_dict()))


def _document(docs: Path, at: int) -> dict[str, Any]:
    with _spool(docs) as fh:
        fh.seek(at)
        doc: dict[str, Any] = json.loads(fh.readline())
        return doc


def _cross_year(groups: dict[tuple[str, int], list[_Entry]], docs: Path, today: dt.date | None,
                extra: dict[int, list[dict[str, Any]]], previous: dict[int, str]) -> None:
    """Check each report against the same agency's report of the year before, when the folder has one.

    When the folder holds several reports of that agency for the year before (which F2/F3 already report),
    the one with the fewest 错误 is used, then the first by file name; the result says which, and why.
    """
    from ..adapters.jsonfile import report_from_document
    from ..core.rules import catalogue, check

    rules = [r for r in catalogue() if r.id.startswith("X")]
    for (agency, year), group in groups.items():
        before = groups.get((agency, year - 1))
        if not before:
            continue
        chosen = min(before, key=lambda e: (e.errors + _error_count(extra.get(e.seq, [])), e.file))
        name = Path(chosen.file).name
        why = name if len(before) == 1 else f"{name}（上年共有 {len(before)} 份，按错误最少、文件名在前选用）"
        prev_report = report_from_document(_document(docs, chosen.doc_at)).report
        for e in group:
            previous[e.seq] = why
            this_report = report_from_document(_document(docs, e.doc_at)).report
            v = check(this_report, today=today, rules=rules, previous=prev_report)
            for f in v.findings:
                row = _finding_row(this_report.form, f.as_dict())
                row["message"] += f"（上年报告：{name}）"
                extra.setdefault(e.seq, []).append(row)


def _finish(root: Path, first: Path, final: Path, extra: dict[int, list[dict[str, Any]]],
            previous: dict[int, str], submissions: list[Submission] | None = None,
            ) -> tuple[dict[str, int], int, bool]:
    """The rows as the auditor reads them (one per file, one per finding), counted as they are written; with
    ``submissions``, what each report is for the roster is collected too."""
    from ..core.rules import catalogue
    from .roster import Submission

    f1 = catalogue().rule(UNREADABLE_RULE)
    counts = {"files": 0, "read": 0, "passed": 0, "unreadable": 0, "skipped": 0}
    found, errors = 0, False
    blank = {"kind": "", "format": "", "agency": "", "year": "", "errors": "", "warnings": "", "explained": "",
             "passed": "", "ready": "", "previous": ""}
    with _spool(first) as src, _spool(final, "w") as out:
        for seq, line in enumerate(src):
            r = json.loads(line)
            name = shown_path(os.path.relpath(r["file"], root))
            named = undecodable_note(r["file"]) if undecodable(r["file"]) else ""
            r["note"] = "；".join(x for x in (named, shown_path(r.get("note") or "")) if x)
            counts["files"] += 1
            findings: list[dict[str, Any]] = []
            if r["status"] == SKIPPED:
                counts["skipped"] += 1
                row = {"file": name, "status": SKIPPED, **blank, "note": r["note"]}
            elif r["status"] == UNREADABLE:
                counts["unreadable"] += 1
                findings = [{"file": name, "agency": "", "year": "",
                             **_finding_row(None, f1.finding("file", reason=r["note"]).as_dict())}]
                row = {"file": name, "status": UNREADABLE, **blank, "errors": 1, "passed": NO, "ready": NO,
                       "note": r["note"]}
            else:
                counts["read"] += 1
                mine = [*r["findings"], *extra.get(seq, [])]
                n_errors = _error_count(mine)
                warnings = sum(f["severity"] == WARNING for f in mine)
                explained = sum(f["severity"] == WARNING and bool(f["explanation"]) for f in mine)
                counts["passed"] += n_errors == 0
                findings = [{"file": name, "agency": r["agency"], "year": r["year"] or "", **f} for f in mine]
                kind = KIND_NAMES.get(r["kind"], r["kind"])
                if r.get("origin") == "consolidation":
                    kind += "（汇总）"
                row = {"file": name, "status": READ, "kind": kind, "format": r["form"], "agency": r["agency"],
                       "year": r["year"] or "", "errors": n_errors, "warnings": warnings, "explained": explained,
                       "passed": YES if n_errors == 0 else NO,
                       "ready": YES if n_errors == 0 and warnings == explained and not r.get("to_write") else NO,
                       "previous": previous.get(seq, ""), "note": r["note"]}
                if submissions is not None and r["agency"] and r["year"]:
                    submissions.append(Submission(r["agency"], r["year"], name, n_errors, r.get("date"),
                                                  r.get("mtime"), r["content"]))
            found += len(findings)
            errors = errors or any(f["severity"] == ERROR for f in findings)
            out.write(json.dumps({"row": row, "findings": findings}, ensure_ascii=False) + "\n")
    return counts, found, errors


def planned_outputs(result: AuditResult, xlsx: Path | None, csv: Path | None) -> list[Output]:
    """Each output, streamed into a hidden temporary file beside its target (see ``adapters.audit_files``)."""
    from ..adapters.audit_files import CsvSink, ResultsWorkbook
    from ..errors import OutputError
    from ..fileio import discard
    from ..spec import load_form

    outputs: list[Output] = []
    book: ResultsWorkbook | None = None
    try:
        sinks = None
        if xlsx is not None:
            tpl = load_form().workbook
            role = tpl.info("role")
            from ..core.rules import catalogue

            book = ResultsWorkbook(xlsx, files=FILE_COLUMNS, findings=FINDING_COLUMNS,
                                   names={"front": FRONT_SHEET, "findings": FINDINGS_SHEET, "files": FILES_SHEET},
                                   info=(tpl.info_sheet, role.cell, role.label, tpl.roles["audit"]),
                                   rule_titles={r.id: r.title for r in catalogue()}, tmpdir=result.spool.parent,
                                   roster=_roster_sheet(result))
            outputs.append(Output(xlsx, what="审核结果", staged=book.staged))
        if csv is not None:
            sinks = (CsvSink(csv, FINDING_COLUMNS), CsvSink(csv_files_path(csv), FILE_COLUMNS))
            outputs += [Output(csv, what="问题清单", staged=sinks[0].staged),
                        Output(csv_files_path(csv), what="报告清单", staged=sinks[1].staged)]
            if result.roster is not None:
                from .roster import COLUMNS, ROSTER_SHEET

                units = CsvSink(csv_files_path(csv, ROSTER_SHEET), COLUMNS)
                outputs.append(Output(csv_files_path(csv, ROSTER_SHEET), what=ROSTER_SHEET, staged=units.staged))
                for unit in result.roster.rows:
                    units.row(unit)
                units.close()
        for row, findings in result.rows():
            if book is not None:
                book.file(row)
            if sinks is not None:
                sinks[1].row(row)
            for f in findings:
                if book is not None:
                    book.finding(f)
                if sinks is not None:
                    sinks[0].row(f)
        if book is not None:
            book.close(result.totals(), title=f"审核结果：{result.folder.name}")
        for sink in sinks or ():
            sink.close()
    except BaseException as exc:
        discard(outputs)
        if book is not None:
            book.discard_working_files()
        if isinstance(exc, OSError):  # a full disk, a quota: the user's situation, named
            where = exc.filename if isinstance(exc.filename, str) else str(xlsx or csv)
            raise OutputError(f"{os_error_text(exc, writing=True)}没有写出任何结果文件。",
                              place=shown_path(where)) from None
        raise
    return outputs


def csv_files_path(csv: Path, sheet: str = FILES_SHEET) -> Path:
    """The CSV file written beside ``csv`` for a sheet other than the findings: ``问题_报告清单.csv``."""
    return csv.with_name(f"{csv.stem}_{sheet}{csv.suffix}")


def _roster_sheet(result: AuditResult) -> Any:
    from ..adapters.audit_files import Roster as RosterSheet
    from .roster import COLUMNS, ROSTER_SHEET

    if result.roster is None:
        return None
    title = f"{ROSTER_SHEET}：{result.roster.line()}"
    return RosterSheet(ROSTER_SHEET, title, COLUMNS, result.roster.rows)


def write_outputs(result: AuditResult, xlsx: Path | None = None, csv: Path | None = None) -> list[Path]:
    from ..fileio import write_all

    return write_all(planned_outputs(result, xlsx, csv))


def progress_bar(done: int, total: int) -> None:
    """A one-line progress bar on standard error."""
    width = 30
    filled = width * done // max(total, 1)
    end = "\n" if done == total else ""
    sys.stderr.write(f"\r审核中 [{'#' * filled}{'.' * (width - filled)}] {done}/{total}{end}")
    sys.stderr.flush()

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
import functools
import json
import os
import shutil
import struct
import sys
import tempfile
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..controls import shown_path
from ..errors import os_error_text
from ..fileio import Output
from .audit_ledger import Ledger
from .audit_quality import COPIED, QUALITY_COLUMNS, QUALITY_SHEET, flag_row
from .audit_quality import copies as find_copies_in
from .audit_worker import (
    DIFFERENT_TWIN,
    READ,
    SAME_TWIN,
    SEPARATOR,
    SKIPPED,
    UNREADABLE,
    RowsMade,
    check_files,
    configure,
    counted,
    cross_year,
    digest,
    finding_row,
    plain_metadata,
    render_rows,
    worker_setup,
)

if TYPE_CHECKING:
    from ..core.packs import Pack
    from .roster import Roster, Submission

# the files sheet (one row per file of the folder) and the findings sheet, as (key, label)
FILE_COLUMNS = [("file", "文件"), ("status", "状态"), ("kind", "类型"), ("format", "格式"), ("agency", "机关"),
                ("year", "年度"), ("errors", "错误"), ("warnings", "提示"), ("explained", "已说明"),
                ("passed", "通过"), ("ready", "可导出"), ("previous", "上年报告"), ("note", "说明")]
FINDING_COLUMNS = [("file", "文件"), ("agency", "机关"), ("year", "年度"), ("rule", "规则"), ("severity", "类别"),
                   ("message", "问题"), ("sheet", "工作表"), ("cell", "单元格"), ("table", "表"), ("row", "行"),
                   ("column", "列"), ("explanation", "说明")]
# the 数据 sheet: one row per report, these columns first, then one per cell of the forms in the folder
DATA_COLUMNS = [("file", "文件"), ("agency", "机关"), ("year", "年度"), ("kind", "类型"), ("format", "格式"),
                ("status", "审核结果")]
FRONT_SHEET, FINDINGS_SHEET, FILES_SHEET, DATA_SHEET = "概览", "问题清单", "报告清单", "数据"
# a report's verdict (the 数据 sheet): 待核对 when its only open points are cells the import could not read
NO_ERRORS, HAS_ERRORS, TO_CHECK = "无错误", "有错误", "待核对"
YES, NO = "是", "否"
SYSTEM_FILES = {"thumbs.db", "desktop.ini", ".ds_store"}


def survey(folder: Path) -> list[Path]:
    """Every entry of the folder that is not itself a folder, recursively, in a stable order — and, so that
    nothing goes unaccounted for, every subfolder that cannot be opened and every link to a folder (never
    followed: it may lead outside the collection, or back into it). :func:`entry_problem` says what they are."""
    return sorted(_entries(folder))


def _entries(folder: Path) -> Iterator[Path]:
    """The entries :func:`survey` lists, as the walk finds them."""
    for here, name in _walk(folder):
        yield here if name is None else here / name


def _walk(folder: Path) -> Iterator[tuple[Path, str | None]]:
    """The entries of :func:`_entries` as (folder, name), or (folder, None) for a folder that is a row of its
    own. Nothing per file is held (the audit writes the entries to its ledger one by one): not the listing of a
    folder, which in a flat collection is every file — the entries are taken from the listing as it is read,
    only the subfolders kept for later — and not a ``Path`` per file, whose making puts the file's name into the
    interpreter's table of interned strings (a megabyte more at 10 000 files than at 4 000)."""
    stack = [folder]
    while stack:
        here = stack.pop()
        try:
            it = os.scandir(here)
        except OSError:
            if here == folder:
                raise
            yield here, None  # a folder that cannot be listed: a row of its own
            continue
        with it:
            while True:
                try:
                    e = next(it, None)
                except OSError:
                    if here == folder:
                        raise
                    yield here, None  # the listing broke off: the folder has a row of its own, as one not listed
                    break
                if e is None:
                    break
                try:
                    real_dir = e.is_dir(follow_symlinks=False)
                except OSError:
                    real_dir = False
                if real_dir:
                    stack.append(Path(e.path))
                else:
                    yield here, e.name


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



def content_digest(report: Any) -> str:
    """What makes two files the same report: the same form, values and metadata (``audit_worker.digest``)."""
    from ..core.payload import values_in_order

    values = json.dumps(values_in_order(report), ensure_ascii=False)
    return digest(report.form.id, values, plain_metadata(report.metadata))


FIRST, FINAL, INDEX = "first.jsonl", "final.jsonl", "final.index"  # the spools; the folder goes with the result
FLAGGED = "flagged.jsonl"  # the 质量 rows of the ``audit_flag`` rules, as the reports go by
_ENTRY = struct.Struct("<QQIB")  # a file's line in FINAL: where, how long, its findings, flags (below)
_HAS_DATA, _LINKED = 1, 2


class QualityRows:
    """The 质量 sheet's rows: the copies found (a list: pairs are few) and then the reports an ``audit_flag`` rule
    lists — one or two per report of a folder, so kept on disk as they go by (a JSONL file of the working folder)
    and read back as the sheet is written."""

    def __init__(self, copies: list[dict[str, Any]] | None = None, flagged: Path | None = None,
                 flagged_count: int = 0) -> None:
        self.copies = copies or []
        self.flagged, self.flagged_count = flagged, flagged_count

    def __len__(self) -> int:
        return len(self.copies) + self.flagged_count

    def __iter__(self) -> Iterator[dict[str, Any]]:
        yield from self.copies
        if self.flagged is not None and self.flagged_count:
            with open(self.flagged, "rb") as fh:
                for line in fh:
                    yield json.loads(line.decode("utf-8", "surrogatepass"))

    def __contains__(self, row: object) -> bool:
        return any(r == row for r in self)


class AuditResult:
    """Every file's row and every finding, kept on disk (a JSONL spool), so memory stays flat at any scale.

    ``files`` / ``findings`` read everything back (a small folder, the tests); :meth:`rows` streams; the
    writers stream too. The spool is removed when the result is closed or collected.
    """

    def __init__(self, folder: Path, work: Path, counts: dict[str, int], findings: int, errors: bool,
                 forms: Iterable[str] = (), rules: Iterable[tuple[str, int]] = (),
                 blamed: Iterable[tuple[str, int]] = ()) -> None:
        self.folder, self.spool, self.index, self.counts = folder, work / FINAL, work / INDEX, counts
        self.finding_count, self.has_errors = findings, errors
        self.forms = tuple(forms)  # the forms of the reports read (ids, in the spec's order): the 数据 sheet's columns
        self.rule_counts = tuple(rules)  # findings per rule, in the order the rules first came
        self.blamed = tuple(blamed)  # the agencies with the most 错误 (the front sheet's list)
        self.roster: RosterCheck | None = None
        self.submissions: list[Submission] = []  # with a roster: what the roster is checked against
        self.quality = QualityRows()  # the 质量 sheet's rows (``audit_quality``)
        self.flag_counts: dict[str, int] = {}  # reports flagged by each ``audit_flag`` rule
        self.packs: tuple[Pack, ...] = ()
        self._cleanup = weakref.finalize(self, shutil.rmtree, str(work), True)

    @property
    def exit_code(self) -> int:
        """1 when a report has an 错误 or cells to check (待核对) or, with a roster, a unit has not reported; 0
        otherwise."""
        return 1 if self.has_errors or self.incomplete else 0

    @property
    def incomplete(self) -> bool:
        """With a roster: a unit that has not reported (the collection is not complete)."""
        from .roster import NOT_SUBMITTED, counts

        return self.roster is not None and counts(self.roster.rows)[NOT_SUBMITTED] > 0

    def rows(self) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
        with open(self.spool, "rb") as fh:
            for line in fh:
                rec = json.loads(line.decode("utf-8", "surrogatepass"))
                yield rec["row"], rec["findings"]

    def reports(self) -> Iterator[tuple[dict[str, Any], str, list[Any]]]:
        """Each report read: its row (as :meth:`rows`), its form's id and its values in the form's cell order
        (as its payload holds them: numbers, text, None for blank)."""
        with open(self.spool, "rb") as fh:
            for line in fh:
                rec = json.loads(line.decode("utf-8", "surrogatepass"))
                if "data" in rec:
                    yield rec["row"], rec["data"]["form"], rec["data"]["values"]

    def entries(self) -> Iterator[tuple[int, int, int, int]]:
        """Where each file's line is in the spool: (offset, length, findings, flags)."""
        with open(self.index, "rb") as fh:
            while chunk := fh.read(_ENTRY.size * 4096):
                yield from _ENTRY.iter_unpack(chunk)

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
                  ("有错误的报告", c["read"] - c["passed"] - c["to_check"]),
                  ("待核对的报告（导入时有未能读取的单元格或找不到的表、部分）", c["to_check"]),
                  ("无法读取的文件", c["unreadable"]),
                  ("跳过的文件", c["skipped"]), ("问题", self.finding_count)]
        totals += self.quality_totals()
        if self.roster is not None:
            from .roster import NOT_LISTED, STATUSES, counts

            by = counts(self.roster.rows)
            totals.append(("应报送的单位", sum(1 for r in self.roster.rows if NOT_LISTED not in r["status"])))
            totals += [(f"报送情况：{status}", by[status]) for status in STATUSES]
        return totals

    def quality_totals(self) -> list[tuple[str, int]]:
        """The overview's quality lines: the pairs of agencies with copied text, and the reports each
        ``audit_flag`` rule lists (提示: 复议纠错, 诉讼败诉)."""
        from ..core.rules import catalogue

        pairs = len(self.quality.copies)
        lines = [(f"提示：{COPIED}的报告（两两成对）", pairs)]
        lines += [(f"提示：{r.title}的报告", self.flag_counts.get(r.id, 0))
                  for r in catalogue() if r.kind == "audit_flag"]
        return lines

    def totals_line(self) -> str:
        c = self.counts
        text = (f"共 {c['files']} 个文件：审核 {c['read']} 份报告"
                f"（{c['passed']} 份无错误，{c['read'] - c['passed'] - c['to_check']} 份有错误"
                + (f"，{c['to_check']} 份待核对" if c["to_check"] else "") + "）")
        if c["unreadable"]:
            text += f"，{c['unreadable']} 个文件无法读取"
        if c["skipped"]:
            text += f"，跳过 {c['skipped']} 个（锁定文件、临时文件或本工具的审核结果）"
        return text + f"；问题共 {self.finding_count} 项。"


class _Workers:
    """The worker processes of one pass (or none: the tasks then run here), fed a bounded number of tasks at a
    time and answering in the order the tasks were given — so the parent holds a few tasks' answers, never the
    folder's."""

    def __init__(self, count: int, initargs: tuple[Any, ...]) -> None:
        self.count = count
        self.pool = (ProcessPoolExecutor(max_workers=count, initializer=worker_setup, initargs=initargs)
                     if count > 1 else None)
        if self.pool is None:
            configure(*initargs)

    def ordered(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]:
        if self.pool is None:
            for task in tasks:
                yield fn(task)
            return
        waiting: deque[Future[Any]] = deque()
        for task in tasks:
            waiting.append(self.pool.submit(fn, task))
            if len(waiting) >= IN_FLIGHT * self.count:
                yield waiting.popleft().result()
        while waiting:
            yield waiting.popleft().result()

    def submit(self, fn: Callable[[Any], Any], task: Any) -> Future[Any]:
        if self.pool is None:
            done: Future[Any] = Future()
            done.set_result(fn(task))
            return done
        return self.pool.submit(fn, task)

    def __enter__(self) -> _Workers:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if self.pool is not None:
            if kind is None:
                self.pool.shutdown()
            else:
                self.pool.shutdown(wait=False, cancel_futures=True)


IN_FLIGHT = 4  # tasks given to each worker at a time: enough to keep it busy, few enough to hold


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
              year: int | None = None, deadline: dt.date | None = None,
              only: Iterable[str | Path] | None = None, packs: Sequence[Pack] = (),
              copies: bool = True) -> AuditResult:
    """Audit every file of the folder; the result is on disk (see :class:`AuditResult`).

    ``roster``: the units expected to report; the result then has their 报送情况 for ``year`` (default: the
    latest year in the folder), with ``deadline`` for units without one of their own (``commands.roster``).
    ``only``: these files and folders of ``folder`` instead of all of it (a library caller's list of paths).
    ``packs``: local rule packs checked with the catalogue (``core.packs``). ``copies``: look for text copied
    across agencies (the 质量 sheet; off only to measure what it costs, ``make bench-scale``).
    """
    from ..errors import InputError

    root = Path(folder)
    if not root.is_dir():
        raise InputError("不是文件夹，或文件夹不存在。", place=str(root))
    work = private_folder("audit")
    try:
        ledger = Ledger(work)
        try:
            try:
                listed = _survey_into(ledger, root) if only is None else _listed_into(ledger, root, only)
            except OSError as exc:
                if not work.is_dir():
                    raise
                raise InputError(os_error_text(exc), place=str(root)) from None
            if not listed:
                raise InputError("文件夹是空的，没有可审核的文件。", place=str(root))
            result = _audit(root, ledger, listed, work, today, jobs, progress,
                            roster.path if roster is not None else None, tuple(packs), copies)
        finally:
            ledger.close()
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


def _survey_into(ledger: Ledger, folder: Path) -> int:
    """:func:`survey`, each entry written to the ledger as it is found (a folder of 100 000 files is not held)."""
    count = 0
    for here, name in _walk(folder):
        if name is None:
            ledger.add_file(str(here), here.parts)
        else:  # str(here / name) and its parts, without the Path
            at = str(here)
            ledger.add_file(name if at == "." else os.path.join(at, name), (*here.parts, name))
        count += 1
    ledger.commit()
    return count


def _listed_into(ledger: Ledger, root: Path, only: Iterable[str | Path]) -> int:
    """The files of ``only`` (each folder surveyed), inside ``root``."""
    from ..errors import InputError

    found: set[Path] = set()
    for item in only:
        path = Path(item)
        if not _inside(path, root):
            raise InputError(f"“{path}”不在文件夹“{root}”之中。", place=str(path))
        found.update(survey(path) if path.is_dir() and not path.is_symlink() else [path])
    for path in found:
        ledger.add_file(str(path), path.parts)
    ledger.commit()
    return len(found)


def _inside(path: Path, root: Path) -> bool:
    try:
        return os.path.commonpath([os.path.abspath(path), os.path.abspath(root)]) == os.path.abspath(root)
    except ValueError:  # another drive
        return False


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


def _workers(jobs: int | None, files: int) -> int:
    workers = jobs or os.cpu_count() or 1
    return workers if workers > 1 and files >= 8 else 1


def _audit(root: Path, ledger: Ledger, listed: int, work: Path, today: dt.date | None, jobs: int | None,
           progress: Callable[[int, int], None] | None, roster_path: Path | None, packs: tuple[Pack, ...] = (),
           find_copies: bool = True) -> AuditResult:
    from ..errors import InputError

    first = work / FIRST
    day = today.isoformat() if today else None
    counts = {"files": 0, "read": 0, "passed": 0, "to_check": 0, "unreadable": 0, "skipped": 0}
    forms: set[str] = set()
    skipped_all = True
    workers = _workers(jobs, listed)
    chunk = max(1, min(32, listed // (workers * 4)))
    flagged = 0
    flag_counts: dict[str, int] = {}
    with _Workers(workers, (str(root), day, None, packs, find_copies)) as pool:
        with open(first, "wb") as out, open(work / FLAGGED, "wb") as flags:
            at = 0
            tasks = _chunks(((seq, path, _given(path, roster_path)) for seq, path in enumerate(ledger.files())),
                            chunk)
            for lines in pool.ordered(check_files, tasks):
                for line in lines:
                    data = line.encode("utf-8", "surrogatepass")
                    out.write(data)
                    head = json.loads(line[: line.index(SEPARATOR)])
                    status = head["status"]
                    counts["files"] += 1
                    skipped_all = skipped_all and status == SKIPPED
                    if status == SKIPPED:
                        counts["skipped"] += 1
                    elif status == UNREADABLE:
                        counts["unreadable"] += 1
                    else:
                        counts["read"] += 1
                        forms.add(head["form"])
                        if head["agency"] and head["year"]:
                            ledger.add_report(head["seq"], head["akey"], head["year"], head["path"], head["name"],
                                              head["agency"], head["errors"], head["content"], at)
                            if find_copies and head.get("prints"):
                                ledger.add_prints(head["seq"], head["akey"], head["year"], head["prints"])
                        for rule_id, count in head.get("flags", ()):
                            flag_counts[rule_id] = flag_counts.get(rule_id, 0) + 1
                            flagged += 1
                            flags.write((json.dumps(flag_row(rule_id, count, head), ensure_ascii=False)
                                         + "\n").encode("utf-8", "surrogatepass"))
                    at += len(data)
                    if progress:
                        progress(counts["files"], listed)
        if skipped_all:
            raise InputError("文件夹中没有可审核的报告（只有锁定文件、临时文件或本工具的审核结果）。", place=str(root))
        ledger.index()
        ledger.commit()
        _twins(ledger)
        _cross_year(ledger, pool, first, chunk)
        ledger.commit()
        quality = QualityRows(find_copies_in(ledger, str(first)) if find_copies else [], work / FLAGGED, flagged)
    result = _finish(root, ledger, work, counts, forms, roster_path is not None)
    result.quality, result.flag_counts, result.packs = quality, flag_counts, packs
    return result


def _given(path: str, roster_path: Path | None) -> str | None:
    """Why a file is skipped before it is read: it is the roster given with ``--roster``."""
    if roster_path is not None and _same(Path(path), roster_path):
        return "审核名单（--roster 指定的文件）"
    return None


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _twins(ledger: Ledger) -> None:
    """Two reports of one agency and year: a finding on each, naming the other file(s)."""
    from ..core.rules import catalogue

    rules = catalogue()
    for akey, year in ledger.groups(twins=True):
        group = ledger.members(akey, year)
        for e in group:
            rows = []
            for other in group:
                if other is e:
                    continue
                rule = rules.rule(SAME_TWIN if e["content"] == other["content"] else DIFFERENT_TWIN)
                f = rule.finding("file", other=Path(other["path"]).name, agency=e["agency"], year=year)
                rows.append({"file": e["name"], "agency": e["agency"], "year": year, **finding_row(None, f)})
            ledger.add_extra(e["seq"], 0, json.dumps(rows, ensure_ascii=False), json.dumps(counted(rows)))


def _cross_year(ledger: Ledger, pool: _Workers, spool: Path, chunk: int) -> None:
    """Check each report against the same agency's report of the year before, when the folder has one.

    When the folder holds several reports of that agency for the year before (which F2/F3 already report),
    the one with the fewest 错误 is used, then the first by file name; the result says which, and why. The
    错误 counted are those found so far: its own, F2, and the cross-year ones of a report whose own year
    before came earlier in the folder. The checks run in the workers, a few reports a task.
    """
    waiting: deque[tuple[list[int], Future[Any]]] = deque()
    pending: dict[int, tuple[Future[Any], int]] = {}  # a report's cross-year check not stored yet

    def store(seqs: list[int], answers: list[str]) -> None:
        for seq, answer in zip(seqs, answers, strict=True):
            findings, counts_text = answer.rstrip("\n").split(SEPARATOR)
            ledger.add_extra(seq, 1, findings, counts_text)
            pending.pop(seq, None)

    def cross_errors(seq: int) -> int:
        found = pending.get(seq)
        if found is not None:
            answer = found[0].result()[found[1]]
            return int(json.loads(answer.rstrip("\n").split(SEPARATOR)[1])["errors"])
        return ledger.cross_errors(seq)

    batch: list[tuple[str, int, int, str]] = []
    seqs: list[int] = []

    def send() -> None:
        future = pool.submit(cross_year, list(batch))
        for i, seq in enumerate(seqs):
            pending[seq] = (future, i)
        waiting.append((list(seqs), future))
        batch.clear()
        seqs.clear()
        while len(waiting) > IN_FLIGHT * max(pool.count, 1):
            done_seqs, done = waiting.popleft()
            store(done_seqs, done.result())

    def weight(e: dict[str, Any], group: list[dict[str, Any]]) -> tuple[int, str]:
        twins = sum(1 for o in group if o is not e and o["content"] != e["content"])  # F2: an 错误 each
        return e["errors"] + twins + cross_errors(e["seq"]), e["path"]

    for akey, year in ledger.groups(twins=False):
        before = ledger.members(akey, year - 1)
        chosen = before[0] if len(before) == 1 else min(before, key=functools.partial(weight, group=before))
        name = Path(chosen["path"]).name
        why = name if len(before) == 1 else f"{name}（上年共有 {len(before)} 份，按错误最少、文件名在前选用）"
        for e in ledger.members(akey, year):
            ledger.set_previous(e["seq"], why)
            batch.append((str(spool), e["at"], chosen["at"], name))
            seqs.append(e["seq"])
            if len(batch) >= chunk:
                send()
    if batch:
        send()
    while waiting:
        done_seqs, done = waiting.popleft()
        store(done_seqs, done.result())


def _finish(root: Path, ledger: Ledger, work: Path, counts: dict[str, int], forms: set[str],
            collect: bool) -> AuditResult:
    """The rows as the auditor reads them (one per file, one per finding), with what pairing added, counted as
    they are written; with a roster, what each report is for it is collected too."""
    from ..adapters.audit_files import TOP, safe_cell
    from ..spec import known_forms
    from .roster import Submission

    found, errors = 0, False
    rules: dict[str, int] = {}
    submissions: list[Submission] = []
    blank = {"kind": "", "format": "", "agency": "", "year": "", "errors": "", "warnings": "", "explained": "",
             "passed": "", "ready": "", "previous": ""}
    extras = _Merged(ledger.extras())
    previous = _Merged(ledger.previous())
    with open(work / FIRST, "rb") as src, open(work / FINAL, "wb") as out, open(work / INDEX, "wb") as index:
        at = 0
        for raw in src:
            head_text, findings_text, data_text, _ = raw.decode("utf-8", "surrogatepass").rstrip("\n").split(SEPARATOR)
            head = json.loads(head_text)
            seq, name, status = head["seq"], head["name"], head["status"]
            texts, n_errors, n_unread = [findings_text], head.get("errors", 0), head.get("unread", 0)
            warnings, explained, nfind = head.get("warnings", 0), head.get("explained", 0), head["nfind"]
            own_rules = list(head.get("by_rule", ()))
            for added, added_counts in extras.take(seq):
                c = json.loads(added_counts)
                texts.append(added)
                n_errors += c["errors"]
                n_unread += c.get("unread", 0)
                warnings += c["warnings"]
                explained += c["explained"]
                nfind += sum(n for _, n in c["by_rule"])
                own_rules += c["by_rule"]
            for rule, n in own_rules:
                rules[rule] = rules.get(rule, 0) + n
            if status == SKIPPED:
                row = {"file": name, "status": SKIPPED, **blank, "note": head["note"]}
            elif status == UNREADABLE:
                row = {"file": name, "status": UNREADABLE, **blank, "errors": 1, "passed": NO, "ready": NO,
                       "note": head["note"]}
            else:
                passed = n_errors == 0 and n_unread == 0  # cells the import could not read: not passed, no error
                counts["passed"] += passed
                counts["to_check"] += n_errors == 0 and n_unread > 0
                why = next(iter(previous.take(seq)), "")
                note = head["note"]
                if n_unread:
                    said = f"待核对 {n_unread} 处：导入时未能读取的单元格或找不到的表、部分，请对照原文"
                    note = f"{note}；{said}" if note else said
                row = {"file": name, "status": READ, "kind": head["kind"], "format": head["format"],
                       "agency": head["agency"], "year": head["year"] or "", "errors": n_errors, "warnings": warnings,
                       "explained": explained, "passed": YES if passed else NO,
                       "ready": YES if passed and warnings == explained and not head["to_write"] else NO,
                       "previous": why, "note": note}
                if head["agency"] and n_errors:
                    ledger.blame(head["agency"], n_errors, seq)
                if collect and head["agency"] and head["year"]:
                    submissions.append(Submission(head["agency"], head["year"], name, n_errors, head["date"],
                                                  head["mtime"], head["content"]))
            found += nfind
            errors = errors or n_errors > 0 or n_unread > 0
            line = ('{"row": ' + json.dumps(row, ensure_ascii=False) + ', "findings": ' + _joined(texts)
                    + (', "data": ' + data_text if status == READ else "") + "}\n").encode("utf-8", "surrogatepass")
            out.write(line)
            flags = (_HAS_DATA if status == READ else 0) | (_LINKED if safe_cell(name) == name else 0)
            index.write(_ENTRY.pack(at, len(line), nfind, flags))
            at += len(line)
    ledger.commit()
    result = AuditResult(root, work, counts, found, errors, [f for f in known_forms() if f in forms], rules.items(),
                         ledger.most_blamed(TOP))
    result.submissions = submissions
    return result


class _Merged:
    """A stream of (seq, …) in order of seq, taken file by file while the files go by in the same order."""

    def __init__(self, items: Iterator[tuple[Any, ...]]) -> None:
        self.items = items
        self.next: tuple[Any, ...] | None = next(items, None)

    def take(self, seq: int) -> list[Any]:
        out = []
        while self.next is not None and self.next[0] == seq:
            rest = self.next[1:]
            out.append(rest[0] if len(rest) == 1 else rest)
            self.next = next(self.items, None)
        return out


def _joined(arrays: list[str]) -> str:
    """JSON arrays (as text) joined into one."""
    if len(arrays) == 1:
        return arrays[0]
    inner = [a.strip()[1:-1].strip() for a in arrays]
    return "[" + ", ".join(x for x in inner if x) + "]"


def planned_outputs(result: AuditResult, xlsx: Path | None, csv: Path | None, *,
                    jobs: int | None = None) -> list[Output]:
    """Each output, streamed into a hidden temporary file beside its target (see ``adapters.audit_files``); the
    rows are made by the worker processes (``jobs``, as the audit's), the files here only concatenate them."""
    from ..adapters.audit_files import CsvSink, ResultsWorkbook, Shape
    from ..errors import OutputError
    from ..fileio import discard
    from ..spec import current_form

    outputs: list[Output] = []
    book: ResultsWorkbook | None = None
    sinks: tuple[CsvSink, CsvSink] | None = None
    try:
        data_columns, data_at = data_sheet(result.forms)
        if xlsx is not None:
            tpl = current_form().workbook  # a new workbook: its info sheet as the current template's says
            role = tpl.info("role")
            from ..core.rules import catalogue

            book = ResultsWorkbook(xlsx, files=FILE_COLUMNS, findings=FINDING_COLUMNS,
                                   names={"front": FRONT_SHEET, "findings": FINDINGS_SHEET, "files": FILES_SHEET},
                                   info=(tpl.info_sheet, role.cell, role.label, tpl.roles["audit"]),
                                   counts=(result.finding_count, result.counts["files"], result.counts["read"]),
                                   rule_titles={r.id: r.title for r in (*catalogue(), *(r for p in result.packs
                                                                                          for r in p.rules))},
                                   tmpdir=result.spool.parent, roster=_roster_sheet(result),
                                   data=(DATA_SHEET, data_columns), quality=_quality_sheet(result))
            outputs.append(Output(xlsx, what="审核结果", staged=book.staged))
            book.frame(result.totals(), title=f"审核结果：{result.folder.name}", rules=result.rule_counts,
                       agencies=result.blamed)
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
        if book is not None or sinks is not None:
            shape = book.shape(csv is not None) if book is not None else Shape(
                tuple(k for k, _ in FILE_COLUMNS), tuple(k for k, _ in FINDING_COLUMNS), FILES_SHEET, csv=True)
            made = RowsMade(shape, len(data_columns), {k: tuple(v) for k, v in data_at.items()})
            for rendered in _rendered(result, made, jobs):
                if book is not None:
                    book.add(rendered)
                if sinks is not None:
                    sinks[0].lines(rendered.findings_csv)
                    sinks[1].lines(rendered.files_csv)
        if book is not None:
            book.close()
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


RUN_FILES, RUN_FINDINGS = 64, 4096  # a rendering task: this many files, or files with about this many findings


def _rendered(result: AuditResult, made: RowsMade, jobs: int | None) -> Iterator[Any]:
    """The rows of every file, in order, made in the workers a run of files at a time."""
    from ..adapters.audit_files import Start, advance

    def tasks() -> Iterator[tuple[str, list[tuple[int, int]], Start]]:
        start = Start()
        run: list[tuple[int, int]] = []
        first = start
        findings = 0
        for at, length, count, flags in result.entries():
            if not run:
                first = start
            run.append((at, length))
            findings += count
            done, links = advance(start, count, bool(flags & _LINKED), made.shape.sheet_rows)
            start = Start(start.file_row + 1, start.data_row + (1 if flags & _HAS_DATA else 0), done, links)
            if len(run) >= RUN_FILES or findings >= RUN_FINDINGS:
                yield str(result.spool), run, first
                run, findings = [], 0
        if run:
            yield str(result.spool), run, first

    with _Workers(_workers(jobs, result.counts["files"]), (str(result.folder), None, made)) as pool:
        yield from pool.ordered(render_rows, tasks())


def data_sheet(forms: Iterable[str]) -> tuple[list[tuple[str, str]], dict[str, list[int]]]:
    """The 数据 sheet's columns as (key, heading): :data:`DATA_COLUMNS`, then one per cell of the forms read — the
    first form's cells in its order, then those only a later form has (a key is one figure in every form) — and,
    for each form, the column of each of its cells."""
    from ..spec import load_form

    columns = list(DATA_COLUMNS)
    at: dict[str, int] = {}
    where: dict[str, list[int]] = {}
    for form_id in forms:
        form = load_form(form_id)
        for cell in form.cells:
            key = str(cell.key)
            if key not in at:
                at[key] = len(columns)
                columns.append((key, cell.heading))
        where[form_id] = [at[str(cell.key)] for cell in form.cells]
    return columns, where


DEFAULT_RESULTS = "审核结果.xlsx"  # in the audited folder, when neither -o nor --csv names an output


def audit_targets(folder: Path, xlsx: Path | None, csv: Path | None, *,
                  roster: str | Path | None = None) -> tuple[Path | None, Path | None]:
    """The results workbook and CSV to write (without either, the workbook goes into the folder), every file the
    audit will write checked before the folder is read: none may be an input (the roster), and a file of the
    folder is replaced only if it is one of this tool's own results. The suffixes are the front end's to check."""
    from ..errors import OutputError
    from ..fileio import folder_contains, guard_outputs
    from .roster import ROSTER_SHEET

    if xlsx is None and csv is None:
        xlsx = folder / DEFAULT_RESULTS
    outs = [p for p in (xlsx, csv) if p is not None]
    if csv is not None:
        outs += [csv_files_path(csv), *([csv_files_path(csv, ROSTER_SHEET)] if roster else [])]
    guard_outputs(outs, [roster] if roster else [])
    for p in outs:
        if folder.is_dir() and folder_contains(folder, p) and p.exists() and not own_result(p):
            raise OutputError(f"输出文件“{p}”是文件夹中待审核的文件，写出会覆盖它。请换一个输出文件名，"
                              "或把结果写到文件夹外。")
    return xlsx, csv


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


def _quality_sheet(result: AuditResult) -> Any:
    from ..adapters.audit_files import Roster as TableSheet

    pairs = len(result.quality.copies)
    title = (f"{QUALITY_SHEET}：{COPIED} {pairs} 对（不同机关、同一年度的报告有几乎相同的段落）；"
             f"表四结果纠正 {len(result.quality) - pairs} 份")
    return TableSheet(QUALITY_SHEET, title, QUALITY_COLUMNS, result.quality)


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

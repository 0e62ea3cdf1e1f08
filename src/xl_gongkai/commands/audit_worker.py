"""What a worker process of an audit does: read and check files, check reports against the year before, and turn
the results into the rows of the results workbook and CSV files.

Each function takes and returns only what pickles cheaply — paths, offsets, text — and writes nothing but its
answer: the parent process (``commands.audit``) keeps the spools, counts and pairs, and only concatenates what
comes back. One file's result is one line of text, four JSON values separated by tabs (JSON text never holds
a raw tab): the head (what the parent counts and pairs by), the findings as the auditor reads them, the
report's values in its form's order, and the little the cross-year rules need besides (metadata and the
clerk's explanations).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import signal
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..adapters.formats import KIND_NAMES
from ..controls import shown_path
from ..core.findings import ERROR, UNREAD, WARNING
from ..fileio import undecodable, undecodable_note

READ, UNREADABLE, SKIPPED = "已审核", "无法读取", "已跳过"
UNREADABLE_RULE, DIFFERENT_TWIN, SAME_TWIN = "F1", "F2", "F3"
SEPARATOR = "\t"

_SETUP: dict[str, Any] = {}  # what every task of a run shares, set once per process (``setup``)


def worker_setup(root: str, today: str | None, made: RowsMade | None = None, packs: Sequence[Any] = (),
                 prints: bool = True) -> None:
    """A worker process's start: Ctrl-C is left to the parent, which stops the pool and says so once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    configure(root, today, made, packs, prints)


def configure(root: str, today: str | None, made: RowsMade | None = None, packs: Sequence[Any] = (),
              prints: bool = True) -> None:
    """What every task of a run shares: the folder (file names are shown relative to it), the day the date rules
    compare with, what rows are made of (for rendering), the rules (the catalogue with the local packs), and
    whether the text's fingerprints are wanted (copying across agencies; off, the audit does not pay for them)."""
    from ..core.packs import with_packs

    _SETUP.update(root=root, today=dt.date.fromisoformat(today) if today else None, rows_made=made,
                  checked_rules=with_packs(packs) if packs else None, prints=prints)


def _rules() -> list[Any]:
    """The rules of this run: the catalogue, with the packs given to the audit."""
    from ..core.rules import catalogue

    rules: list[Any] | None = _SETUP.get("checked_rules")
    if rules is None:
        rules = _SETUP["checked_rules"] = list(catalogue())
    return rules


def check_files(tasks: Sequence[tuple[int, str, str | None]]) -> list[str]:
    """Each file of ``tasks`` (sequence number, path, why it is skipped unread or None) read and checked: its line
    of the first spool."""
    return [check_file(seq, path, skipped=skipped) for seq, path, skipped in tasks]


def check_file(seq: int, path: str, root: str | None = None, today: dt.date | None = None, *,
               skipped: str | None = None) -> str:
    """One file read and checked, as an audit does: its line of the first spool (see the module's docstring)."""
    from ..core.rules import catalogue

    root = root if root is not None else _SETUP["root"]
    today = today if today is not None else _SETUP.get("today")
    name = shown_path(os.path.relpath(path, root))
    named = undecodable_note(path) if undecodable(path) else ""
    found: dict[str, Any] = {"status": SKIPPED, "note": skipped} if skipped else _read(path, today)
    status, note = str(found["status"]), str(found.get("note") or "")
    note = "；".join(x for x in (named, shown_path(note)) if x)
    head: dict[str, Any] = {"seq": seq, "path": path, "name": name, "status": status, "note": note}
    if status == SKIPPED:
        return _line(head, [], None, None)
    if status == UNREADABLE:
        f1 = catalogue().rule(UNREADABLE_RULE)
        findings = [{"file": name, "agency": "", "year": "", **finding_row(None, f1.finding("file", reason=note))}]
        head.update(counted(findings))
        return _line(head, findings, None, None)
    report: Any = found["report"]
    src: Any = found["source"]
    validation: Any = found["validation"]
    st: Any = found["stat"]
    from ..core.names import agency_key
    from ..core.payload import values_in_order

    form = report.form
    agency, year = report.agency, report.year
    rows = [_row_text(form, f) for f in (*src.findings, *validation.findings)]
    prefix = json.dumps({"file": name, "agency": agency, "year": year or ""}, ensure_ascii=False)[:-1] + ", "
    listed = "[" + ", ".join([prefix + row[0] for row in rows]) + "]"
    values = values_in_order(report)
    metadata = plain_metadata(report.metadata)
    data = json.dumps({"form": form.id, "values": values}, ensure_ascii=False)
    kind = KIND_NAMES.get(src.kind, src.kind)
    if report.origin == "consolidation":
        kind += "（汇总）"
    pending = [str(f.values.get("section", "")) for f in validation.pending]
    said = [named, *src.notes, *([f"汇总报告，待填写：{'、'.join(pending)}"] if pending else [])]
    head["note"] = "；".join(x for x in said if x)
    head.update(kind=kind, form=form.id, format=form.short_title, agency=agency, year=year, akey=agency_key(agency),
                to_write=len(pending), date=_iso(report.metadata.get("date")), mtime=st.st_mtime,
                content=digest(form.id, data, metadata), **_counts(row[1:] for row in rows), **_quality(report),
                nfind=len(rows))
    doc = {"metadata": metadata, "explanations": dict(report.explanations),
           "narrative": {k: v for k, v in report.narrative.items() if isinstance(v, str)}}
    return _line(head, listed, data, json.dumps(doc, ensure_ascii=False))


def _quality(report: Any) -> dict[str, Any]:
    """What the audit's 质量 sheet needs of a report: the fingerprints of each paragraph of each text part (copying
    across agencies)
    and the sums of the ``audit_flag`` rules that are more than 0 (复议纠错, 诉讼败诉)."""
    from ..core.kinds.quality import flagged
    from ..core.numbers import show
    from ..core.quality import paragraph_prints

    prints = ({k: fps for k, v in report.narrative.items() if isinstance(v, str) and (fps := paragraph_prints(v))}
              if _SETUP.get("prints", True) else {})
    flags = [[r.id, show(n)] for r in _rules() if r.kind == "audit_flag" and r.applies_to(report.form)
             and (n := flagged(report, r)) is not None]
    return {"prints": prints, "flags": flags}


def _read(path: str, today: dt.date | None) -> dict[str, Any]:
    """What became of one file: skipped or unreadable with the reason, or read and checked."""
    from ..core.rules import check
    from ..errors import InputError, OwnOutput
    from ..fileio import regular_file
    from .audit import entry_problem, skip_reason
    from .load import open_source

    p = Path(path)
    skipped = skip_reason(p)
    if skipped:
        return {"status": SKIPPED, "note": skipped}
    problem = entry_problem(p)
    if problem:
        return {"status": UNREADABLE, "note": problem}
    try:
        st = regular_file(p)
    except InputError as exc:
        return {"status": UNREADABLE, "note": _bare(exc)}
    if st.st_size == 0:
        return {"status": UNREADABLE, "note": "空文件（0 字节）"}
    try:
        src = open_source(path)
    except OwnOutput:
        return {"status": SKIPPED, "note": "本工具写出的审核结果"}
    except InputError as exc:
        return {"status": UNREADABLE, "note": _bare(exc)}
    except Exception as exc:  # a damaged file must not end the run: it becomes a finding about the file
        return {"status": UNREADABLE, "note": f"无法读取（{type(exc).__name__}）"}
    return {"status": READ, "report": src.report, "source": src,
            "validation": check(src.report, today=today, rules=_rules()), "stat": st}


def _bare(exc: Exception) -> str:
    """An error's message without the path (the row names the file already)."""
    return exc.args[0] if exc.args else str(exc)


def _iso(value: Any) -> str | None:
    from ..core.dates import as_date

    day = as_date(value)
    return day.isoformat() if day else None


def _line(head: dict[str, Any], findings: list[dict[str, Any]] | str, data: str | None, doc: str | None) -> str:
    """The file's line; ``findings`` as their rows, or as the JSON text of them (then ``head`` has ``nfind``)."""
    if not isinstance(findings, str):
        head.setdefault("nfind", len(findings))
        findings = json.dumps(findings, ensure_ascii=False)
    parts = (json.dumps(head, ensure_ascii=False), findings, data or "null", doc or "null")
    return SEPARATOR.join(parts) + "\n"


MAX_ROW_TEXTS = 4096  # finding rows a worker keeps as text (see ``_row_text``)
_ROW_TEXTS: dict[int, tuple[Any, str, str, str, str]] = {}


def _row_text(form: Any, finding: Any) -> tuple[str, str, str, str]:
    """A finding's row (``finding_row``) as JSON text without its opening brace — a file's rows are the file's own
    three fields followed by it — and the row's rule, severity and explanation (what ``counted`` counts).

    A finding that depends only on its cell and values is one object shared by every report of the process
    (``rules.made_once``): its text is remembered by the object, which the memo keeps alive so that its id cannot
    stand for another; a folder of reports full of blanks turns each such finding into text once."""
    known = _ROW_TEXTS.get(id(finding))
    if known is not None and known[0] is finding:
        return known[1:]
    row = finding_row(form, finding)
    text = (json.dumps(row, ensure_ascii=False)[1:], row["rule"], row["severity"], row["explanation"])
    if not isinstance(finding, dict):
        if len(_ROW_TEXTS) >= MAX_ROW_TEXTS:
            _ROW_TEXTS.clear()
        _ROW_TEXTS[id(finding)] = (finding, *text)
    return text


def counted(findings: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The counts the files sheet and the front sheet need of a file's findings."""
    return _counts((f["rule"], f["severity"], f["explanation"]) for f in findings)


def _counts(findings: Iterable[tuple[str, str, str]]) -> dict[str, Any]:
    """``counted`` of (rule, severity, explanation) of each finding."""
    errors = warnings = explained = unread = 0
    rules: Counter[str] = Counter()
    for rule, severity, explanation in findings:
        errors += severity == ERROR
        unread += severity == UNREAD
        if severity == WARNING:
            warnings += 1
            explained += bool(explanation)
        rules[rule] += 1
    counts = {"errors": errors, "warnings": warnings, "explained": explained, "by_rule": list(rules.items())}
    if unread:
        counts["unread"] = unread  # only when there are any: the lines of the other files stay as they were
    return counts


def digest(form_id: str, values_json: str, metadata: dict[str, Any]) -> str:
    """What makes two files the same report: the same form, values and metadata (a workbook and its payload are
    one report; a report with one figure changed is another)."""
    same = json.dumps([form_id, metadata], ensure_ascii=False, sort_keys=True) + values_json
    return hashlib.sha256(same.encode("utf-8")).hexdigest()


def plain_metadata(metadata: Any) -> dict[str, Any]:
    from ..core.payload import json_metadata

    return {k: json_metadata(v) for k, v in metadata.items()}


_PLACES: dict[tuple[int, tuple[Any, ...]], tuple[str, str, str]] = {}  # a place in the form's words, by form


def finding_row(form: Any, finding: Any) -> dict[str, Any]:
    """A finding (a ``Finding`` or its dict) as the auditor reads it: the place in the form's words (表三, the row
    and column labels). A ``Finding``'s fields are read as they are: a dozen per finding in a dense report, no
    dictionary of it is made first."""
    if isinstance(finding, dict):
        f, place = finding, finding.get("place", {})
        rule, severity, message, explanation = f["rule"], f["severity"], f["message"], f.get("explanation", "")
        sheet, cell = place.get("sheet", ""), place.get("cell", "")
        key = (place.get("table"), place.get("row"), place.get("column"), place.get("field"), place.get("section"))
    else:
        at = finding.place
        rule, severity, message, explanation = (finding.rule, finding.severity.value, finding.message,
                                                finding.explanation or "")
        sheet, cell = at.sheet if at.sheet is not None else "", at.cell if at.cell is not None else ""
        key = (at.table, at.row, at.column, at.field, at.section)
        place = None
    words = _PLACES.get((id(form), key))
    if words is None:
        words = _place_words(form, place if place is not None else finding.place.as_dict())
        if form is not None and len(_PLACES) < 8192:
            _PLACES[(id(form), key)] = words  # forms are loaded once per process and live as long
    table, row, column = words
    return {"rule": rule, "severity": severity, "message": message, "sheet": sheet, "cell": cell, "table": table,
            "row": row, "column": column, "explanation": explanation}


def _place_words(form: Any, place: dict[str, str]) -> tuple[str, str, str]:
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
    return table, row, column


# -- the year before ---------------------------------------------------------------------------------------

def cross_year(tasks: Sequence[tuple[str, int, int, str]]) -> list[str]:
    """Each report (the spool, where its line is, where the line of last year's chosen report is, that report's
    file name) checked against last year's: its findings (JSON) and their counts (JSON), tab-separated."""
    return [check_years(*task) for task in tasks]


def check_years(spool: str, at: int, at_previous: int, name: str, today: dt.date | None = None) -> str:
    from ..core.rules import check

    today = today if today is not None else _SETUP.get("today")
    head, this = _report_at(spool, at)
    _, before = _report_at(spool, at_previous)
    rules = [r for r in _rules() if "previous" in r.needs]  # as ``catalogue().needing``, with the packs' rules
    v = check(this, today=today, rules=rules, previous=before)
    findings = []
    for f in v.findings:
        row = finding_row(this.form, f)
        row["message"] += f"（上年报告：{name}）"
        findings.append({"file": head["name"], "agency": head["agency"], "year": head["year"] or "", **row})
    return json.dumps(findings, ensure_ascii=False) + SEPARATOR + json.dumps(counted(findings)) + "\n"


def _report_at(spool: str, at: int) -> tuple[dict[str, Any], Any]:
    """A report again from its line of the first spool: its form, metadata, values, explanations and text — what the
    cross-year rules look at (X5 compares the text)."""
    from ..core.report import Report
    from ..spec import load_form

    with open(spool, encoding="utf-8", errors="surrogatepass") as fh:
        fh.seek(at)
        head_text, _, data_text, doc_text = fh.readline().rstrip("\n").split(SEPARATOR)
    head, data, doc = json.loads(head_text), json.loads(data_text), json.loads(doc_text)
    form = load_form(data["form"])
    values = dict(zip((c.key for c in form.cells), data["values"], strict=True))
    metadata = {k: v for k, v in doc["metadata"].items() if v is not None}
    explanations = {k: v for k, v in doc["explanations"].items() if v is not None}
    narrative = {k: v for k, v in (doc.get("narrative") or {}).items() if isinstance(v, str)}
    return head, Report(form=form, metadata=metadata, values=values, explanations=explanations, narrative=narrative)


# -- the rows of the results ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class RowsMade:
    """What the results' rows are made of: the workbook's shape, and the 数据 sheet's width and, for each form,
    the column of each of its cells (``audit.data_sheet``)."""

    shape: Any  # adapters.audit_files.Shape
    data_width: int
    data_at: dict[str, tuple[int, ...]]


def render_rows(task: tuple[str, list[tuple[int, int]], Any]) -> Any:
    """A run of files' rows (the final spool, where each file's line is, where the run starts), made for the
    results workbook and the CSV files (``adapters.audit_files.render``)."""
    from ..adapters.audit_files import FileRows, render, safe_cell

    spool, entries, start = task
    made: RowsMade = _SETUP["rows_made"]
    shape = made.shape
    files = []
    with open(spool, "rb") as fh:
        for at, length in entries:
            fh.seek(at)
            rec = json.loads(fh.read(length).decode("utf-8", "surrogatepass"))
            row = rec["row"]
            data = rec.get("data")
            files.append(FileRows([row.get(k, "") for k in shape.files],
                                  [[f.get(k, "") for k in shape.findings] for f in rec["findings"]],
                                  data_row(row, data["values"], made.data_at[data["form"]], made.data_width)
                                  if data is not None else None,
                                  safe_cell(row["file"]) == row["file"]))
    return render(shape, start, files)


def data_row(row: dict[str, Any], values: list[Any], at: Sequence[int], width: int) -> list[Any]:
    """A report's row of the 数据 sheet: who and what it is (from its row of the files sheet), then its values."""
    from .audit import DATA_COLUMNS, HAS_ERRORS, NO_ERRORS, TO_CHECK, YES

    out: list[Any] = [None] * width
    lead = {**row, "status": NO_ERRORS if row["passed"] == YES else HAS_ERRORS if row["errors"] else TO_CHECK}
    for i, (key, _) in enumerate(DATA_COLUMNS):
        out[i] = lead.get(key)
    for i, value in zip(at, values, strict=True):
        out[i] = value
    return out

"""The offline web page's front end (``make web``, docs/web.md): what its JavaScript calls through Pyodide.

Like ``cli.py`` and ``excel.py`` this module only calls the project's commands and renders their results,
here as JSON-able dicts: the page's script shows them and moves files in and out of Pyodide's in-memory
file system, and writes no rule, label or message of its own. Every result says ``ok``; a file that cannot
be read, a refused export and a defect of ours are results too, with the same Chinese messages the command
line gives, so nothing raises into JavaScript.

The page runs this module in a Web Worker (``web/engine.js``): nothing here may assume a window.

Explanations a clerk types in the page attach to findings by their ``key`` (``Report.explanations``), as
they do from the workbook's results sheet. Last year's report (``previous``) takes part in every command,
as ``--previous`` does on the command line: the page refuses 导出 and 生成年报 on the same findings, and
填充合计 keeps the cross-year findings in what it writes. Messages name the page's buttons where the
command line would name a command (``advice.for_page``). "Today" can be fixed (the page's ``?today=YYYY-MM-DD``, the
command line's hidden ``--today``) so that a test compares the page's outputs with the CLI's byte for byte.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .advice import for_page
from .core.findings import WARNING, Finding
from .core.report import Report
from .errors import InputError, Refused
from .render import defect_message, draft_note, headline, json_report, raise_if_refused, totals_line
from .spec import Form

if TYPE_CHECKING:
    from .commands.check import Checked
    from .commands.load import Source

# Where the page keeps its files, inside Pyodide's in-memory file system (a native caller passes its own).
HOME = Path.home() / "xl-gongkai"

# python-docx needs lxml, which has no WebAssembly build: the page makes the HTML report only
WORD_NOTE = ("本页生成网页版（HTML）年度报告，内容与 Word 版相同：生成 Word 文件的组件不能在浏览器中运行。"
             "需要 Word 文件时，可以用 WPS 文字或 Word 打开下载的 .html 年报，“另存为” .docx 文件；"
             "或者请使用 Excel 模板的同事用“生成年报”按钮生成。")
FILL_ONLY_WORKBOOKS = ("填充合计只适用于工作簿（.xlsm/.xlsx）：数据包和已公布的报告没有合计单元格可写。"
                       "需要工作簿时，请在本页“下载空白工作簿”，填写后再打开它。")
BAD_YEAR = "报告年度应为 {first} 至 {last} 之间的年份（四位数字），现为“{year}”：请改正后再下载。"
# there is no log file in the page: the details are shown below the message, to be copied
DEFECT_REPORT = "请把下面的“详细信息”复制下来发给维护人员"

MIME = {".json": "application/json", ".md": "text/markdown;charset=utf-8", ".html": "text/html;charset=utf-8",
        ".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12",
        ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def call(command: str, args_json: str = "{}") -> str:
    """The page's one entry point: a command name and JSON arguments in, a JSON result out; never raises."""
    try:
        result = COMMANDS[command](**json.loads(args_json or "{}"))
        result = {"ok": True, **result}
    except InputError as exc:
        if exc.place and Path(exc.place).is_relative_to(HOME):  # the page's own folders mean nothing to a clerk
            exc.place = Path(exc.place).name
        result = {"ok": False, "kind": "input", "message": for_page(f"{exc.lead}：{exc}")}
    except Refused as exc:
        result = {"ok": False, "kind": "refused", "message": for_page(str(exc))}
    except Exception as exc:  # a defect: the clerk gets a sentence, the maintainer the traceback (no log file here)
        result = {"ok": False, "kind": "defect", "message": defect_message(exc, unchanged="您的文件",
                                                                          report=DEFECT_REPORT),
                  "details": f"xl_gongkai {__version__}\n{traceback.format_exc()}"}
    return json.dumps(result, ensure_ascii=False)


def receive(name: str, data: Any, home: str | None = None) -> str:
    """Keep an opened file's bytes under the page's folder; returns the path the commands are given.

    ``data`` is the file's bytes (from JavaScript a ``Uint8Array``, which Pyodide passes as a proxy).
    Each file gets a folder of its own, so two files of the same name never mix; the name is kept,
    because the commands' messages name the file.
    """
    raw = bytes(data.to_py() if hasattr(data, "to_py") else data)
    folder = _fresh(Path(home) if home else HOME, "in")
    safe = Path(str(name).replace("\\", "/")).name or "未命名"
    target = folder / safe
    target.write_bytes(raw)
    return str(target)


def digest(path: str) -> str:
    """The sha256 of a file the page holds: the key under which the page keeps the explanations typed for it."""
    return _digest(path)


def warm() -> None:
    """Import what the first check needs while the page is still starting, so that the first file opened
    is answered as fast as the next."""
    from .commands import check, export, fill, report, sheet_output, workbook  # noqa: F401
    from .core import summary  # noqa: F401
    from .publish import default_report_paths  # noqa: F401


# --- the commands the page offers -------------------------------------------------------------------------

def start(today: str | None = None) -> dict[str, Any]:
    """What the page shows before any file: versions, the results table's columns, what it opens, the notes,
    and the blank workbook's fields (labels from the spec, the year of the report due next)."""
    from .adapters.formats import INPUTS
    from .spec import current_form

    day = _today(today) or dt.date.today()  # a bad ?today= is said at once, not at the first check
    form = current_form()  # the blank workbook's form; a file opened is read in its own
    fields = {m.key: m.label for m in form.metadata_fields}
    # what the page reads itself: not the formats only LibreOffice converts (the browser runs no programs)
    accepts = "、".join(f"{f.what}（{'、'.join(f.suffixes)}）" for f in INPUTS if f.key != "office")
    return {"version": __version__, "form": form.title, "columns": _columns(), "word_note": WORD_NOTE,
            "today": today or None, "accepts": f"可以打开：{accepts}。",
            "blank": {"agency": fields["agency"], "year": fields["year"], "default_year": due_year(day),
                      "first_year": form.first_year, "last_year": day.year}}


def due_year(today: dt.date) -> int:
    """The year of the report due next: each year's report is published by 31 January of the year after,
    so in January it is last year's, from February on this year's (docs/web.md)."""
    return today.year - 1 if today.month == 1 else today.year


def check(path: str, today: str | None = None, explanations: Mapping[str, str] | None = None,
          previous: str | None = None) -> dict[str, Any]:
    """Every finding of a workbook, payload or published report, as the command line's ``check`` gives them."""
    from .commands.check import run_check

    done = run_check(_source(path, explanations), previous=_previous(previous), today=_today(today))
    return _checked(done, _name(done.source))


def _checked(done: Checked, name: str) -> dict[str, Any]:
    """What the page shows of a checked report (``name``: the file's, as the page calls it)."""
    from .core.summary import summarize

    src, report, validation = done.source, done.report, done.shown
    imported = {f.key for f in src.findings}
    cells = src.kind != "published"
    return {
        "file": name,
        "kind": src.kind,
        "headline": headline(report),
        "notes": [for_page(n) for n in src.notes],
        "findings": [_finding(i, f, report.form, cells, explainable=f.key not in imported and f.severity == WARNING)
                     for i, f in enumerate(validation.findings, start=1)],
        "counts": validation.counts(),
        "totals": totals_line(validation),
        "valid": validation.valid,
        "ready": validation.ready,
        "summary": summarize(report).as_dict(),
        "can_fill": src.is_file_workbook,
        "json": json_report(name, report, validation, src.notes),
        "json_name": f"{Path(name).stem}_校验结果.json",
    }


def fill(path: str, today: str | None = None, explanations: Mapping[str, str] | None = None,
         previous: str | None = None, home: str | None = None) -> dict[str, Any]:
    """填充合计: the totals written as ``fill --write`` writes them, then the results, summary and explanations;
    last year's report takes part in the check it writes, as in every command.

    The filled copy becomes the page's current file (``source``), as the book in Excel carries the totals
    after the button. Its results are those of the check the fill ran (the report with the new totals), shown
    under the filled copy's name: the page does not check again.
    """
    from .commands.fill import run_fill
    from .fileio import commit

    src = _source(path, explanations)
    if not src.is_file_workbook or src.path is None:
        raise Refused(FILL_ONLY_WORKBOOKS)
    out = _fresh(Path(home) if home else HOME, "out") / f"{src.path.stem}_已填充合计{src.path.suffix}"
    done = run_fill(src, out=out, write=True, today=_today(today), previous=_previous(previous))
    (target,) = commit(done.outputs, [src.path])
    note = f"{done.ledger_note}" if done.ledger_note else ""
    return {"message": f"已填充合计：{target.name}（校验结果、摘要和说明已写入工作簿）。{note}",
            "files": [_file(target)], "source": str(target), "sha256": _digest(str(target)),
            "check": {"ok": True, **_checked(done.checked, target.name)}}


def export(path: str, today: str | None = None, explanations: Mapping[str, str] | None = None,
           draft: bool = False, previous: str | None = None, home: str | None = None) -> dict[str, Any]:
    """导出: the payload JSON and the summary, refused while an 错误 stands or a 提示 lacks an explanation."""
    from .commands.export import default_paths, run_export
    from .fileio import commit

    src = _source(path, explanations)
    payload_path, summary_path = default_paths(src.report, _fresh(Path(home) if home else HOME, "out"))
    done = run_export(src, out=payload_path, summary_path=summary_path, draft=draft, today=_today(today),
                      previous=_previous(previous))
    raise_if_refused(done)
    commit(done.outputs, [path])
    message = f"已导出：数据包 {payload_path.name}；摘要 {summary_path.name}。"
    if not done.checked.validation.ready:
        message += draft_note(done.checked.validation.counts())
    return {"message": message, "files": [_file(payload_path), _file(summary_path)]}


def report(path: str, today: str | None = None, explanations: Mapping[str, str] | None = None,
           previous: str | None = None, home: str | None = None) -> dict[str, Any]:
    """生成年报: the publishable report as HTML (the Word file needs lxml, which the browser cannot run)."""
    from .commands.report import run_report
    from .fileio import commit
    from .publish import default_report_paths

    src = _source(path, explanations)
    _, html_path = default_report_paths(src.report, _fresh(Path(home) if home else HOME, "out"))
    done = run_report(src, html=html_path, today=_today(today), previous=_previous(previous))
    raise_if_refused(done)
    commit(done.outputs, [path])
    return {"message": f"已生成年度报告网页版：{html_path.name}。", "files": [_file(html_path)]}


def blank(agency: str | None = None, year: Any = None, today: str | None = None,
          home: str | None = None) -> dict[str, Any]:
    """下载空白工作簿: the template for a year, with the agency when typed (``new --agency --year``), for a clerk
    with no Excel to fill in WPS and open here again. A year the form's M2 would reject is refused first."""
    from .commands.workbook import new_package
    from .fileio import Output, commit, report_stem
    from .spec import current_form

    day = _today(today) or dt.date.today()
    form = current_form()
    text = str(year if year is not None else "").strip()
    if not text.isdigit() or not form.first_year <= int(text) <= day.year:
        raise Refused(BAD_YEAR.format(year=text, first=form.first_year, last=day.year))
    name = (agency or "").strip() or None
    stem = report_stem(name, int(text)) if name else f"{int(text)}年"
    target = _fresh(Path(home) if home else HOME, "out") / f"{stem}_年报工作簿.xlsm"
    commit([Output(target, new_package(target, agency=name, year=int(text)), "工作簿")])
    return {"message": f"已生成空白工作簿：{target.name}。请用 WPS 或 Excel 填写并保存，再在本页选择它。",
            "files": [_file(target)]}


def selftest(example: str, workbook: str, expected: str, home: str | None = None) -> dict[str, Any]:
    """``#selftest``: the bundled example through check, export and fill, compared with the results of
    native Python recorded when the page was built (``expectations``). ``text`` is what the page shows."""
    want = json.loads(Path(expected).read_text("utf-8"))
    got = expectations(example, workbook, home=home)
    counts = got["counts"]
    differ = [k for k in SELFTEST_STEPS if got.get(k) != want.get(k)]
    head = f"错误 {counts['errors']} 项，提示 {counts['warnings']} 项"
    if differ:
        names = "、".join(SELFTEST_STEPS[k] for k in differ)
        return {"passed": False, "got": got, "expected": want,
                "text": f"未通过：{head}；{names}的结果与原生 Python 不同，请把本页截图发给维护人员。"}
    return {"passed": True, "text": f"通过：{head}",
            "detail": "校验、导出与工作簿的读取和填充，结果与原生 Python 完全相同。"}


SELFTEST_STEPS = {"check": "校验", "payload": "导出数据包", "fill": "工作簿的读取和填充"}


def expectations(example: str, workbook: str, home: str | None = None) -> dict[str, Any]:
    """What the self-test computes; the build records it natively, the page computes it again.

    "Today" is 31 January after the report's year, the publishing deadline, so the outcome does not depend
    on the day the page is opened.
    """
    from .commands.load import open_source

    year = open_source(example).report.year or dt.date.today().year - 1
    today = dt.date(year + 1, 1, 31).isoformat()
    checked = check(example, today)
    exported = export(example, today, draft=True, home=home)
    filled = fill(workbook, today, home=home)
    return {
        "counts": checked["counts"],
        "check": hashlib.sha256(checked["json"].encode("utf-8")).hexdigest(),
        "payload": _digest(exported["files"][0]["path"]),
        "fill": _digest(filled["files"][0]["path"]),
    }


COMMANDS: dict[str, Callable[..., dict[str, Any]]] = {
    "start": start, "check": check, "fill": fill, "export": export, "report": report, "blank": blank,
    "selftest": selftest,
}


# --- helpers ----------------------------------------------------------------------------------------------

def _source(path: str, explanations: Mapping[str, str] | None) -> Source:
    """The opened file, with the explanations typed in the page over the file's own."""
    from dataclasses import replace

    from .commands.load import open_source

    src = open_source(path)
    if not explanations:
        return src
    merged = _merged(src.report.explanations, explanations)
    return replace(src, report=src.report.with_explanations(merged))


def _previous(path: str | None) -> Report | None:
    from .commands.load import open_source

    return open_source(path).report if path else None


def _name(src: Source) -> str:
    return src.path.name if src.path is not None else ""


def _merged(stated: Mapping[str, str], typed: Mapping[str, str] | None) -> dict[str, str]:
    """The workbook's explanations, overridden by what was typed in the page (an emptied field removes one)."""
    out = {**stated, **(typed or {})}
    return {k: v for k, v in out.items() if isinstance(v, str) and v.strip()}


def _today(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"网址中的 today={text} 不是日期：请写成 today=YYYY-MM-DD，或去掉这个参数。") from None


def _columns() -> list[dict[str, str]]:
    """The results table's columns as the template's 校验结果 sheet has them (visible ones only).

    A label's note in brackets speaks of the sheet (“点击跳转”), so the page shows the label before it.
    """
    from .spec import current_form
    from .spec.a1 import column_index

    tpl = current_form().workbook
    cols = sorted(tpl.results_columns, key=lambda c: column_index(c.at))
    return [{"key": c.key, "label": c.label.split("（")[0]} for c in cols if not c.hidden]


def _finding(no: int, f: Finding, form: Form, cells: bool, *, explainable: bool) -> dict[str, Any]:
    return {"no": no, "rule": f.rule, "severity": f.severity, "message": for_page(f.message), "key": f.key,
            "place": _place(f, form, cells), "explanation": f.explanation or "", "explainable": explainable}


def _place(f: Finding, form: Form, cells: bool) -> str:
    """Sheet and cell for a workbook; otherwise the table, row and column in the form's words."""
    from .commands.sheet_output import place_text
    from .spec import CellKey

    if cells and (text := place_text(f)):
        return text
    p = f.place
    if p.table and p.row and p.column:
        key = CellKey(p.table, p.row, p.column)
        if form.has_cell(key):
            return form.cell(key).describe()
    if p.section:
        for s in form.sections:
            if s.key == p.section:
                return f"正文“{s.heading}”"
    if p.field:
        for m in form.metadata_fields:
            if m.key == p.field:
                return f"封面“{m.label}”"
    return ""


def _fresh(home: Path, kind: str) -> Path:
    """A new numbered folder under ``home/kind`` (the in-memory file system outlives no page)."""
    base = home / kind
    base.mkdir(parents=True, exist_ok=True)
    n = 1 + max((int(p.name) for p in base.iterdir() if p.name.isdigit()), default=0)
    folder = base / str(n)
    folder.mkdir()
    return folder


def _file(path: Path) -> dict[str, str]:
    return {"name": path.name, "path": str(path), "mime": MIME.get(path.suffix.lower(), "application/octet-stream")}


def _digest(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()

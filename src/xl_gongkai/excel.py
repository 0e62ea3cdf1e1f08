"""Entry points of the Excel ribbon (RunPython): 校验, 填充合计, 导出, 生成年报, 诊断.

Every click starts a fresh Python, so this module imports nothing heavy at import time: the core is
standard library only, and jsonschema is loaded only by an export. Every exception at this boundary
becomes a Chinese alert that says what to do, with the details in a log file; a clerk never sees a
traceback. The commands themselves are the ones the command line uses.
"""

from __future__ import annotations

import datetime as dt
import platform
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .errors import InputError, Refused
from .logs import LOG_NAME, log_dir, log_place, logger

TITLE = "政务公开年报"


@dataclass
class Outcome:
    """What a command did, for the alert, the log and the tests."""

    command: str
    message: str
    reads: int = 0
    writes: int = 0
    critical: bool = False
    files: list[Path] = field(default_factory=list)


def run(book: Any, command: str, *, out_dir: Path | None = None, today: dt.date | None = None) -> Outcome:
    """Run one ribbon command on a book; every failure becomes an alert on that book."""
    log = logger()
    log.info("command %s on %s (python %s, xl_gongkai %s)", command, getattr(book, "name", "?"),
             platform.python_version(), __version__)
    try:
        outcome = COMMANDS[command](book, out_dir=out_dir, today=today)
    except (InputError, Refused) as exc:
        outcome = Outcome(command, str(exc), critical=True)
        log.info("refused: %s", exc)
    except Exception as exc:
        log.exception("command %s failed", command)
        outcome = Outcome(command, f"出现意外错误（{type(exc).__name__}），操作没有完成，工作簿中填写的内容没有被修改。"
                                   f"{log_place()}。", critical=True)
    try:
        book.app.alert(outcome.message, title=TITLE, buttons="ok", mode="critical" if outcome.critical else "info")
    except Exception:
        log.exception("alert failed")
    log.info("done %s: reads=%s writes=%s critical=%s", command, outcome.reads, outcome.writes, outcome.critical)
    return outcome


def _live(book: Any) -> Any:
    from .adapters.excel_live import LiveBook
    from .spec import load_form

    return LiveBook(book, load_form())


def _outputs(live: Any, report: Any, validation: Any, action: str) -> None:
    from .commands.sheet_output import output_blocks
    from .core.summary import summarize

    blocks = output_blocks(live.form, report, validation, summarize(report), links=live.engine == "excel",
                           action=action)
    with live.unprotected([sheet for sheet, _, _ in blocks]):
        for sheet, origin, matrix in blocks:
            live.write_block(sheet, origin, matrix)


def _counts_text(validation: Any) -> str:
    c = validation.counts()
    return f"错误 {c['errors']} 项，提示 {c['warnings']} 项（已说明 {c['explained']} 项）"


def cmd_check(book: Any, *, out_dir: Path | None = None, today: dt.date | None = None) -> Outcome:
    from .core.rules import check

    live = _live(book)
    report = live.read_report()
    validation = check(report, today=today)
    _outputs(live, report, validation, "校验")
    if not validation.findings:
        text = "校验通过：未发现错误或提示。可以点击“导出 JSON 和摘要”。"
    else:
        sheet = live.form.template.results_sheet
        text = f"校验完成：{_counts_text(validation)}。\n请查看“{sheet}”表，有问题的单元格已标红。"
    return Outcome("check", text, live.reads, live.writes)


def cmd_fill(book: Any, *, out_dir: Path | None = None, today: dt.date | None = None) -> Outcome:
    from .core.derive import derived_values
    from .core.rules import check

    live = _live(book)
    report = live.read_report()
    derived = derived_values(report)
    edits: dict[str, dict[str, Any]] = {}
    for cell in live.form.derived_cells():
        edits.setdefault(cell.sheet, {})[cell.address] = derived[cell.key]
    from .adapters.xlsx_cells import check_values

    try:
        check_values(edits)  # the totals a file could not hold are refused in Excel too, before anything is written
    except (ValueError, TypeError) as exc:
        raise InputError(f"合计无法写入：{exc}", place=live.where) from None
    with live.unprotected(list(edits)):
        live.write_cells(edits)
    report = report.with_values(derived)
    validation = check(report, today=today)
    _outputs(live, report, validation, "填充合计并校验")
    blank = sum(1 for v in derived.values() if v is None)
    text = f"已填充 {len(derived) - blank} 个合计单元格。校验结果：{_counts_text(validation)}。"
    if blank:
        text += f"\n另有 {blank} 个合计因所需单元格为空或不是数字而无法计算，请先补齐。"
    return Outcome("fill", text, live.reads, live.writes)


def cmd_export(book: Any, *, out_dir: Path | None = None, today: dt.date | None = None) -> Outcome:
    from .commands.export import default_paths, export_payload, refusal
    from .core.rules import check

    live = _live(book)
    report = live.read_report()
    validation = check(report, today=today)
    _outputs(live, report, validation, "校验")
    if not validation.ready:
        return Outcome("export", refusal(validation, limit=5), live.reads, live.writes, critical=True)
    folder = out_dir or book_folder(book)
    payload_path, summary_path = default_paths(report, folder)
    export_payload(report, payload_path, today=today, summary_path=summary_path)
    text = f"已导出到文件夹：{folder}\n数据包：{payload_path.name}\n摘要：{summary_path.name}"
    return Outcome("export", text, live.reads, live.writes, files=[payload_path, summary_path])


def cmd_report(book: Any, *, out_dir: Path | None = None, today: dt.date | None = None) -> Outcome:
    from .core.rules import check
    from .publish import default_report_paths, render_report, review_notice

    live = _live(book)
    report = live.read_report()
    validation = check(report, today=today)
    _outputs(live, report, validation, "校验")
    folder = out_dir or book_folder(book)
    docx_path, html_path = default_report_paths(report, folder)
    done = render_report(report, docx_path=docx_path, html_path=html_path, today=today)
    text = f"已生成年度报告，保存在文件夹：{folder}\nWord：{docx_path.name}\n网页版：{html_path.name}"
    if notice := review_notice(done):
        text += "\n" + notice
    return Outcome("report", text, live.reads, live.writes, files=[docx_path, html_path])


def cmd_diagnose(book: Any, *, out_dir: Path | None = None, today: dt.date | None = None) -> Outcome:
    import xlwings

    live = _live(book)
    lines = [
        f"Python：{platform.python_version()}（{sys.executable}）",
        f"xlwings：{xlwings.__version__}",
        f"xl_gongkai：{__version__}",
    ]
    try:
        info = live.read_info()
        form = f"{info.get('form_id')} {info.get('form_version')}"
        lines.append(f"模板版本：{info.get('template_version')}（格式 {form}）")
        built = info.get("xlwings_version")
        if built and str(built) != xlwings.__version__:
            lines.append(f"注意：模板按 xlwings {built} 生成，本机安装的是 {xlwings.__version__}，按钮可能无法工作；"
                         f"请安装 xlwings=={built}。")
    except InputError as exc:
        lines.append(f"模板版本：无法读取（{exc}）")
    lines += [f"连接方式：{live.engine}", f"日志文件：{log_dir() / LOG_NAME}"]
    return Outcome("diagnose", "\n".join(lines), live.reads, live.writes)


COMMANDS = {"check": cmd_check, "fill": cmd_fill, "export": cmd_export, "report": cmd_report,
            "diagnose": cmd_diagnose}


def book_folder(book: Any) -> Path:
    """The workbook's folder; for a workbook without a local folder (unsaved, online) the Documents folder."""
    full = Path(str(getattr(book, "fullname", "")))
    if full.is_absolute() and full.parent.is_dir():
        return full.parent
    return Path.home() / "Documents"


NO_EXCEL = (
    "未能连接到 Excel，操作没有执行。\n"
    "如果您使用的是 WPS 表格：本模板的按钮依赖 xlwings，而 xlwings 不支持 WPS；"
    "WPS 保存的文件可以直接用命令行处理：xl-gongkai check / fill / export 文件名。\n"
    "如果您使用的是 Excel：请点击“诊断”按钮。"
)


def _caller_and_run(command: str) -> None:
    log = logger()
    try:
        import xlwings as xw

        book = xw.Book.caller()
        if _is_wps(book):
            raise RuntimeError("WPS")
    except Exception:
        log.exception("no Excel caller for %s", command)
        _system_alert(NO_EXCEL + log_place())
        return
    run(book, command)


def _is_wps(book: Any) -> bool:
    try:
        name = str(book.app.api.Name)
    except Exception:
        return False
    return "WPS" in name.upper() or name.upper() in {"ET", "KET"}


def _system_alert(text: str) -> None:
    """An alert without Excel: the Windows message box, or standard error elsewhere."""
    if sys.platform == "win32":
        import ctypes

        ctypes.windll.user32.MessageBoxW(None, text, TITLE, 0x30)  # type: ignore[attr-defined]
    else:
        print(text, file=sys.stderr)


def check() -> None:
    _caller_and_run("check")


def fill() -> None:
    _caller_and_run("fill")


def export() -> None:
    _caller_and_run("export")


def report() -> None:
    _caller_and_run("report")


def diagnose() -> None:
    _caller_and_run("diagnose")

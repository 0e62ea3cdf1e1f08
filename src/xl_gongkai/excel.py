"""Entry points of the Excel ribbon (RunPython): 校验, 填充合计, 导出, 生成年报, 诊断.

Every click starts a fresh Python, so this module imports nothing heavy at import time: the core is
standard library only, and jsonschema is loaded only by an export. Every exception at this boundary
becomes a Chinese alert that says what to do, with the details in a log file; a clerk never sees a
traceback. The commands themselves are the ones the command line uses.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .errors import InputError, Refused
from .logs import log_place, logger

TITLE = "政务公开年报"
# the alert box is small: a refusal names this many blocking findings (the 校验结果 sheet lists them all)
ALERT_LIMIT = 5


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
        from .render import defect_message

        log.exception("command %s failed", command)
        outcome = Outcome(command, defect_message(exc, unchanged="工作簿中填写的内容", report=log_place()),
                          critical=True)
    try:
        book.app.alert(outcome.message, title=TITLE, buttons="ok", mode="critical" if outcome.critical else "info")
    except Exception:
        log.exception("alert failed")
    log.info("done %s: reads=%s writes=%s critical=%s", command, outcome.reads, outcome.writes, outcome.critical)
    return outcome


def _live(book: Any) -> Any:
    from .adapters.excel_live import LiveBook

    return LiveBook(book)  # in the form the book was made for


def _source(live: Any) -> Any:
    """The live book as the commands' Source: read once (seven bulk reads), last year's memory included."""
    from .commands.load import Source

    report = live.read_report()
    tpl = live.form.template
    path = _local_path(live.book)
    return Source(path, report, "live", remembered_text=live.remembered(tpl.results_sheet, tpl.previous_cell))


def _local_path(book: Any) -> Path | None:
    try:
        full = str(book.fullname)
    except Exception:
        return None
    return Path(full) if full and "://" not in full and Path(full).is_absolute() else None


def _write(live: Any, writes: Any) -> None:
    """What the command writes into the book: the totals, then one bulk write per output block."""
    if writes is None:
        return
    with live.unprotected(writes.sheets):
        live.write_cells(writes.cells)
        for sheet, origin, matrix in writes.blocks:
            live.write_block(sheet, origin, matrix)


def _commit(outputs: list[Any], src: Any) -> list[Path]:
    from .fileio import commit

    return commit(outputs, [src.path] if src.path is not None else [])


def cmd_check(book: Any, *, out_dir: Path | None = None, today: dt.date | None = None) -> Outcome:  # noqa: ARG001 (one signature for every button)
    from .commands.check import run_check
    from .render import PASSED, counts_text

    live = _live(book)
    done = run_check(_source(live), today=today, write=True, links=live.engine == "excel")
    _write(live, done.writes)
    if not done.validation.findings:
        text = PASSED + "可以点击“导出 JSON 和摘要”。"
    else:
        sheet = live.form.template.results_sheet
        text = f"校验完成：{counts_text(done.validation)}。\n请查看“{sheet}”表，有问题的单元格已标红。"
    return Outcome("check", text, live.reads, live.writes)


def cmd_fill(book: Any, *, out_dir: Path | None = None, today: dt.date | None = None) -> Outcome:  # noqa: ARG001 (one signature for every button)
    from .commands.fill import run_fill
    from .render import counts_text

    live = _live(book)
    done = run_fill(_source(live), write=True, today=today, links=live.engine == "excel")
    _write(live, done.writes)
    text = f"已填充 {done.written} 个合计单元格。校验结果：{counts_text(done.checked.validation)}。"
    if done.ledger_note:
        text += "\n" + done.ledger_note
    if done.blank:
        text += f"\n另有 {done.blank} 个合计因所需单元格为空或不是数字而无法计算，请先补齐。"
    return Outcome("fill", text, live.reads, live.writes)


def cmd_export(book: Any, *, out_dir: Path | None = None, today: dt.date | None = None) -> Outcome:
    from .commands.export import default_paths, run_export
    from .render import refused

    live = _live(book)
    src = _source(live)
    folder, note = (out_dir, None) if out_dir else book_folder(book)
    payload_path, summary_path = default_paths(src.report, folder)
    done = run_export(src, out=payload_path, summary_path=summary_path, today=today, write=True,
                      links=live.engine == "excel")
    _write(live, done.checked.writes)  # the findings reach the book, refused or not
    if (why := refused(done, ALERT_LIMIT)) is not None:
        return Outcome("export", why, live.reads, live.writes, critical=True)
    files = _commit(done.outputs, src)
    text = f"已导出到文件夹：{folder}\n数据包：{payload_path.name}\n摘要：{summary_path.name}"
    if note:
        text += "\n" + note
    return Outcome("export", text, live.reads, live.writes, files=files)


def cmd_report(book: Any, *, out_dir: Path | None = None, today: dt.date | None = None) -> Outcome:
    from .commands.report import run_report
    from .publish import default_report_paths, review_notice
    from .render import refused

    live = _live(book)
    src = _source(live)
    folder, note = (out_dir, None) if out_dir else book_folder(book)
    docx_path, html_path = default_report_paths(src.report, folder)
    done = run_report(src, docx=docx_path, html=html_path, today=today, write=True, links=live.engine == "excel")
    _write(live, done.checked.writes)  # the findings reach the book, refused or not
    if (why := refused(done, ALERT_LIMIT)) is not None or done.rendered is None:
        return Outcome("report", why or "", live.reads, live.writes, critical=True)
    files = _commit(done.outputs, src)
    text = f"已生成年度报告，保存在文件夹：{folder}\nWord：{docx_path.name}\n网页版：{html_path.name}"
    if note:
        text += "\n" + note
    if notice := review_notice(done.rendered):
        text += "\n" + notice
    return Outcome("report", text, live.reads, live.writes, files=files)


def cmd_diagnose(book: Any, *, out_dir: Path | None = None, today: dt.date | None = None) -> Outcome:  # noqa: ARG001 (one signature for every button)
    """The template's versions, then what ``xl-gongkai excel doctor`` checks (without starting another Python)."""
    import xlwings

    from .excel_setup import doctor

    lines = []
    live = None
    try:
        live = _live(book)
        info = live.read_info()
        form = f"{info.get('form_id')} {info.get('form_version')}"
        lines.append(f"模板版本：{info.get('template_version')}（格式 {form}）")
        built = info.get("xlwings_version")
        if built and str(built) != xlwings.__version__:
            lines.append(f"注意：模板按 xlwings {built} 生成，本机安装的是 {xlwings.__version__}，按钮可能无法工作；"
                         f"请安装 xlwings=={built}。")
    except InputError as exc:
        lines.append(f"模板版本：无法读取（{exc}）")
    if live is not None:
        lines.append(f"连接方式：{live.engine}")
    diagnosis = doctor(probe=False)
    lines += [*diagnosis.lines(), diagnosis.verdict]
    return Outcome("diagnose", "\n".join(lines), live.reads if live else 0, live.writes if live else 0)


COMMANDS = {"check": cmd_check, "fill": cmd_fill, "export": cmd_export, "report": cmd_report,
            "diagnose": cmd_diagnose}


def book_folder(book: Any) -> tuple[Path, str | None]:
    """Where a command's files go: next to the workbook, or — with a note saying so — the Documents folder.

    Not next to the workbook when it has no local folder (unsaved; on OneDrive/SharePoint, where ``FullName``
    is a web address and xlwings raises when it cannot map it to a synced folder), or when it was opened
    straight from an e-mail attachment or a zip, which Windows unpacks into a hidden temporary folder
    that is emptied later.
    """
    try:
        full = str(book.fullname)
    except Exception:  # xlwings' own error for an online workbook it cannot map to a local file
        logger().info("no local path for %s", getattr(book, "name", "?"), exc_info=True)
        full = ""
    if "://" in full or not full:
        folder = documents_folder()
        return folder, (f"工作簿保存在网络位置（OneDrive、SharePoint 等）或尚未保存，文件无法放在它旁边，"
                        f"已保存到“文档”文件夹：{folder}")
    path = Path(full)
    if path.is_absolute() and is_temporary(path.parent):
        folder = documents_folder()
        return folder, (f"工作簿是从邮件附件或压缩包中直接打开的（位于临时文件夹，关闭后可能被清除），文件已保存到"
                        f"“文档”文件夹：{folder}。建议先把工作簿另存到自己的文件夹再继续填写。")
    if path.is_absolute() and path.parent.is_dir():
        return path.parent, None
    folder = documents_folder()
    return folder, f"找不到工作簿所在的文件夹，文件已保存到“文档”文件夹：{folder}"


TEMPORARY_MARKERS = ("content.outlook", "inetcache", "temporary internet files", "content.mso")


def is_temporary(folder: Path) -> bool:
    """A folder Windows empties by itself: under %TEMP%, or Outlook's and Internet Explorer's caches."""
    import tempfile

    text = str(folder).lower()
    if any(marker in text for marker in TEMPORARY_MARKERS):
        return True
    temp = os.path.normcase(os.path.abspath(tempfile.gettempdir()))
    here = os.path.normcase(os.path.abspath(folder))
    return sys.platform == "win32" and (here == temp or here.startswith(temp + os.sep))


def documents_folder() -> Path:
    """The user's Documents folder, where Windows really keeps it (redirected into OneDrive on many PCs)."""
    if sys.platform == "win32":
        found = _known_documents_folder()
        if found is not None and found.is_dir():
            return found
    for candidate in (os.environ.get("OneDrive"), os.environ.get("USERPROFILE"), str(Path.home())):  # noqa: SIM112
        if candidate and (Path(candidate) / "Documents").is_dir():
            return Path(candidate) / "Documents"
    return Path.home()


def _known_documents_folder() -> Path | None:
    """SHGetKnownFolderPath(FOLDERID_Documents): follows OneDrive's and Group Policy's folder redirection."""
    import ctypes
    from ctypes import wintypes

    class GUID(ctypes.Structure):
        _fields_ = [("Data1", wintypes.DWORD), ("Data2", wintypes.WORD), ("Data3", wintypes.WORD),
                    ("Data4", ctypes.c_ubyte * 8)]

    documents = GUID(0xFDD39AD0, 0x238F, 0x46AF, (ctypes.c_ubyte * 8)(0xAD, 0xB4, 0x6C, 0x85, 0x48, 0x03, 0x69, 0xC7))
    out = ctypes.c_wchar_p()
    try:
        shell32 = ctypes.windll.shell32  # type: ignore[attr-defined]
        if shell32.SHGetKnownFolderPath(ctypes.byref(documents), 0, None, ctypes.byref(out)) != 0:
            return None
        return Path(out.value) if out.value else None
    except (AttributeError, OSError):
        return None
    finally:
        if out.value:
            ctypes.windll.ole32.CoTaskMemFree(out)  # type: ignore[attr-defined]


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

"""Formats only an office suite reads (Word 97-2003 .doc, WPS 文字 .wps, RTF, OpenDocument), converted with
LibreOffice headless into the .docx or .xlsx the tool reads.

Nothing in Python reads a .doc's text reliably; LibreOffice does, and offices that receive such files
usually have it (or WPS, which saves .docx). So when ``soffice`` is on PATH the file is converted, and the
conversion is said in a note; when it is not, one message names LibreOffice and the other way out (save as
.docx in Word or WPS). The page in the browser has no LibreOffice and says the same.

The conversion runs in a private temporary folder that is always removed: the file is copied in first
(LibreOffice leaves lock files beside the file it opens, and must never write into a folder the tool reads —
an audited folder above all), LibreOffice gets a profile of its own in that folder (two conversions at once,
as the audit's workers run them, would otherwise share one and fail), and its process group is killed if it
outlives :data:`TIMEOUT`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..advice import NO_LIBREOFFICE
from ..errors import InputError
from ..fileio import read_input
from .formats import InputFormat, spaced

PROGRAMS = ("soffice", "libreoffice")
TIMEOUT = 180.0  # seconds: LibreOffice starts in 2-5 s and converts a report in about 1 s; a cold start on a
# loaded machine (the audit's workers start several at once) takes longer, and a hang must still end
MAX_BYTES = 50 * 1024 * 1024  # a report's .doc is well under 5 MB; images make some larger
MAX_OUTPUT_BYTES = 100 * 1024 * 1024

NEEDS_LIBREOFFICE = ("这是{what}：" + NO_LIBREOFFICE.cli +
                     "在 Word 或 WPS 中打开它，“另存为” {target} 格式后再读取。")


def program() -> str | None:
    """LibreOffice's command on PATH, or None (also in the browser, which runs no programs)."""
    for name in PROGRAMS:
        found = shutil.which(name)
        if found:
            return found
    return None


def _environment(home: Path) -> dict[str, str]:
    """LibreOffice's environment: ours without Python's variables (its own Python must not load our packages)."""
    drop = {"VIRTUAL_ENV", "PYTHONHOME", "PYTHONPATH", "PYTHONSTARTUP", "PYTHONUSERBASE"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["HOME"] = str(home)  # nothing of the user's configuration is read or written
    return env


@contextmanager
def converted(path: Path, fmt: InputFormat) -> Iterator[Path]:
    """The file converted by LibreOffice into ``fmt.converts_to``, inside a private folder removed afterwards."""
    soffice = program()
    target = fmt.converts_to
    if soffice is None:
        raise InputError(NEEDS_LIBREOFFICE.format(what=spaced(fmt.what, tail=False), target=target), place=str(path))
    data = read_input(path, cap=MAX_BYTES, too_big=f"文件有 {{mb}} MB，超过 {MAX_BYTES // (1024 * 1024)} MB 的上限"
                      "（一份年度报告通常不到 5 MB），未读取。")
    with tempfile.TemporaryDirectory(prefix="xl_gongkai-convert-") as tmp:
        work = Path(tmp)
        (work / "in").mkdir()
        source = work / "in" / f"report{fmt.suffixes[0]}"  # the suffix of what the content is, whatever its name
        source.write_bytes(data)
        out = work / "out"
        _run([soffice, "--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
              f"-env:UserInstallation={(work / 'profile').as_uri()}", "--convert-to", target.lstrip("."),
              "--outdir", str(out), str(source)], work, path, fmt)
        result = out / f"report{target}"
        if not result.is_file() or result.stat().st_size == 0:
            raise InputError(f"LibreOffice 没能转换这份{spaced(fmt.what)}（文件可能已损坏）。"
                             f"请在 Word 或 WPS 中打开它，“另存为” {target} 格式后再读取。", place=str(path))
        if result.stat().st_size > MAX_OUTPUT_BYTES:
            raise InputError(f"LibreOffice 转换出的文件超过 {MAX_OUTPUT_BYTES // (1024 * 1024)} MB，"
                             "不像是一份年度报告，未读取。", place=str(path))
        yield result


def _run(command: list[str], work: Path, path: Path, fmt: InputFormat) -> None:
    """Run LibreOffice in a process group of its own; the whole group is killed past the timeout."""
    try:
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=_environment(work), cwd=work, start_new_session=True)
    except OSError as exc:
        raise InputError(f"无法启动 LibreOffice（{exc.strerror or exc}），{spaced(fmt.what)}未能转换。"
                         f"请检查 LibreOffice 的安装，或在 Word 或 WPS 中“另存为” {fmt.converts_to} 格式后再读取。",
                         place=str(path)) from None
    try:
        proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise InputError(f"LibreOffice 转换超过 {TIMEOUT:.0f} 秒仍未完成，已停止。请在 Word 或 WPS 中把它"
                         f"“另存为” {fmt.converts_to} 格式后再读取。", place=str(path)) from None
    finally:
        _kill(proc)  # on a timeout or Ctrl-C, and anything it left running after it ended (its process group)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    killpg = getattr(os, "killpg", None)  # POSIX; on Windows the process itself
    with contextlib.suppress(OSError):
        if killpg is not None:
            killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    with contextlib.suppress(subprocess.TimeoutExpired, OSError):
        proc.wait(timeout=10)

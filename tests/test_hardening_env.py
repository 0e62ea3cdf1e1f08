"""Environment failures and special files: the user's situation, never a defect (exit 2, a Chinese sentence).

Part of the hardening set (``make fuzz`` runs this file with tests/test_hardening.py and reports it as the
category "environment"). Where the machine allows, each situation is real: a small or read-only tmpfs in a
private mount namespace (``unshare -rm``), a closed pipe, ``/dev/full``, a FIFO, ``/dev/zero``; where it does
not, the atomic writer's documented fault-injection seam (``fileio.FAULT_HOOK``) stands in, and the test
says so in its name of the case.
"""

from __future__ import annotations

import errno
import functools
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import REPORTS, TODAY
from support.cli_run import doc, run, write_json
from support.fuzzing import case
from xl_gongkai import fileio
from xl_gongkai.errors import OutputError, os_error_text

DAY = ["--today", TODAY.isoformat()]








def child(*args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xl_gongkai", *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=120, **kw)


def recorded(what: str) -> Any:
    """Report the test to ``make fuzz`` as one case of the category "environment"."""

    def wrap(fn: Any) -> Any:
        @functools.wraps(fn)
        def inner(*args: Any, **kwargs: Any) -> Any:
            with case("environment", what):
                return fn(*args, **kwargs)

        return inner

    return wrap


@pytest.fixture
def book(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    src = write_json(tmp_path / "淮安.json", doc("huaian-city-2024"))
    assert run(capsys, "new", "--from", src, "-o", tmp_path / "a.xlsm", *DAY)[0] == 0
    src.unlink()
    return tmp_path / "a.xlsm"


# ------------------------------------------------------------------------------------- environment


def _unshare_ok() -> bool:
    r = subprocess.run(["unshare", "-rm", "true"], capture_output=True)
    return r.returncode == 0


def _in_small_fs(tmp_path: Path, args: list[str], *, size: str = "8k", readonly: bool = False,
                 prepare: str = "") -> tuple[subprocess.CompletedProcess[str], Path]:
    """Run the command with a small (or read-only) tmpfs mounted on ``tmp_path/fs`` in a private namespace."""
    fs = tmp_path / "fs"
    fs.mkdir(exist_ok=True)
    opts = f"size={size}" + (",ro" if readonly else "")
    cmd = " ".join(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(fs), "&&", prepare or "true", "&&",
                    "exec", sys.executable, "-m", "xl_gongkai", *[f"'{a}'" for a in args]])
    r = subprocess.run(["unshare", "-rm", "sh", "-c", cmd], capture_output=True, text=True, encoding="utf-8",
                       timeout=120)
    return r, fs


@recorded("full disk (a 8 KB tmpfs) during export")
def test_a_full_disk_is_exit_2_and_leaves_the_old_file(tmp_path: Path) -> None:
    payload_src = write_json(tmp_path / "p.json", doc("huaian-city-2024"))
    if _unshare_ok():  # a real small file system
        target = tmp_path / "fs" / "out.json"
        r, _ = _in_small_fs(tmp_path, ["export", str(payload_src), "-o", str(target), *DAY],
                            prepare=f"printf OLD > {target}")
        assert r.returncode == 2, r.stderr
        assert "磁盘空间已满" in r.stderr and str(target) in r.stderr and "Traceback" not in r.stderr
        return
    # FAULT INJECTION (no mount namespace here): the atomic writer's documented seam raises ENOSPC at write
    target = tmp_path / "out.json"
    target.write_bytes(b"OLD")

    def full(stage: str, _path: Path) -> None:
        if stage == "write":
            raise OSError(errno.ENOSPC, "No space left on device")

    fileio.FAULT_HOOK = full
    try:
        with pytest.raises(OutputError, match="磁盘空间已满"):
            fileio.write_bytes_atomic(target, b"NEW")
    finally:
        fileio.FAULT_HOOK = None
    assert target.read_bytes() == b"OLD" and fileio.temp_files(target) == []


@recorded("read-only folder as the output folder")
def test_a_read_only_folder_is_exit_2(tmp_path: Path) -> None:
    payload_src = write_json(tmp_path / "p.json", doc("huaian-city-2024"))
    if os.geteuid() != 0:  # permissions bind an ordinary user
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o555)
        r = child("export", str(payload_src), "-o", str(ro / "out.json"), *DAY)
        ro.chmod(0o755)
        assert r.returncode == 2 and "没有访问权限" in r.stderr
        return
    assert _unshare_ok(), "needs a mount namespace (unshare -rm) to make a read-only folder as root"
    r, _ = _in_small_fs(tmp_path, ["export", str(payload_src), "-o", str(tmp_path / "fs" / "out.json"), *DAY],
                         readonly=True)
    assert r.returncode == 2, r.stderr
    assert "只读" in r.stderr and "out.json" in r.stderr and "Traceback" not in r.stderr


@recorded("output path is a folder; a name too long")
def test_output_folder_and_too_long_names_are_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    payload_src = write_json(tmp_path / "p.json", doc("huaian-city-2024"))
    (tmp_path / "结果.json").mkdir()
    code, _, err = run(capsys, "export", payload_src, "-o", tmp_path / "结果.json", *DAY)
    assert code == 2 and "是一个文件夹" in err and "Is a directory" not in err
    code, _, err = run(capsys, "export", payload_src, "-o", tmp_path / ("很长" * 60 + ".json"), *DAY)
    assert code == 2 and "文件名或路径过长" in err
    code, _, err = run(capsys, "export", payload_src, "-o", tmp_path / "没有" / "这个" / "x.json", "--summary",
                       payload_src.with_name("s.md"), *DAY)
    assert code == 0  # a missing folder is made


@recorded("a target locked by another program (Windows sharing violation)")
def test_a_file_locked_by_another_program_is_named_so() -> None:
    """Windows reports a target open in Word or Excel as a sharing violation (winerror 32)."""
    exc = PermissionError(errno.EACCES, "The process cannot access the file")
    exc.winerror = 32  # type: ignore[attr-defined]
    assert os_error_text(exc, writing=True) == "文件正被其他程序打开（例如 Word、Excel 或 WPS），请关闭该文件后重试。"
    assert os_error_text(PermissionError(errno.EACCES, "x"), writing=True).startswith("没有访问权限")


@recorded("closed pipe (| head) and stdout to /dev/full")
def test_a_closed_pipe_and_a_full_stdout_are_exit_2() -> None:
    src = str(REPORTS / "huaian-city-2024.json")
    proc = subprocess.Popen([sys.executable, "-m", "xl_gongkai", "check", src, "--format", "json", *DAY],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # `| head -0`: the reader is gone before the command writes
    err = proc.stderr.read().decode("utf-8")
    assert proc.wait(timeout=120) == 2
    assert err.strip() == "输出被提前关闭（例如输出接到了 head 或关闭的窗口），结果没有完整显示；写出的文件不受影响。"
    with open("/dev/full", "w") as full:
        r = subprocess.run([sys.executable, "-m", "xl_gongkai", "check", src, *DAY], stdout=full,
                           stderr=subprocess.PIPE, text=True, encoding="utf-8", timeout=120)
    assert r.returncode == 2 and r.stderr.startswith("无法显示结果：磁盘空间已满") and "Traceback" not in r.stderr


@recorded("a defect when the log folder cannot be written")
def test_a_defect_with_an_unwritable_log_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """A FAKE defect (a command replaced by one that raises) shows what exit 3 says when no log can be written."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("XL_GONGKAI_LOG_DIR", str(blocker / "logs"))

    def broken(_args: Any) -> int:
        raise RuntimeError("defect")

    monkeypatch.setattr("xl_gongkai.cli.cmd_summary", broken)
    code, _, err = run(capsys, "summary", REPORTS / "huaian-city-2024.json")
    assert code == 3 and "程序内部错误（RuntimeError）" in err
    assert "详细信息无法写入日志" in err and "xl_gongkai.log" not in err
    monkeypatch.setenv("XL_GONGKAI_LOG_DIR", str(tmp_path / "logs"))
    code, _, err = run(capsys, "summary", REPORTS / "huaian-city-2024.json")
    assert code == 3 and f"请把日志文件发给维护人员：{tmp_path / 'logs' / 'xl_gongkai.log'}" in err
    assert "RuntimeError: defect" in (tmp_path / "logs" / "xl_gongkai.log").read_text("utf-8")


@recorded("report: HTML target unwritable, no Word file left")
def test_report_writes_word_and_html_or_neither(book: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    docx, html = tmp_path / "r.docx", tmp_path / "sub" / "r.html"
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "r.html").mkdir()  # the HTML cannot be written: the Word file must not appear
    code, _, err = run(capsys, "report", book, "-o", docx, "--html", html, *DAY)
    assert code == 2 and "是一个文件夹" in err and not docx.exists()
    assert list(tmp_path.glob(".*.tmp")) == []


@recorded("a rename failing after another output was placed")
def test_a_failed_rename_puts_back_the_files_already_renamed(tmp_path: Path) -> None:
    """FAULT INJECTION through the atomic writer's seam: the second rename fails (a target locked on Windows)."""
    first, second = tmp_path / "p.json", tmp_path / "s.md"
    first.write_bytes(b"OLD payload")

    def locked(stage: str, path: Path) -> None:
        if stage == "replace" and path == second:
            exc = PermissionError(errno.EACCES, "locked")
            exc.winerror = 32  # type: ignore[attr-defined]
            raise exc

    fileio.FAULT_HOOK = locked
    try:
        with pytest.raises(OutputError, match=r"文件正被其他程序打开.*已写出的其他文件已恢复原样"):
            fileio.write_all([fileio.Output(first, b"NEW payload"), fileio.Output(second, b"NEW summary")])
    finally:
        fileio.FAULT_HOOK = None
    assert first.read_bytes() == b"OLD payload" and not second.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.json"]


# ------------------------------------------------------------------------------------- special files


@pytest.mark.parametrize("name", ["管道.xlsm", "管道.json", "管道.txt", "管道.html"])
@recorded("a FIFO named as a report")
def test_a_fifo_is_refused_before_it_is_opened(tmp_path: Path, name: str) -> None:
    fifo = tmp_path / name
    os.mkfifo(fifo)
    r = child("check", str(fifo), *DAY)  # the child's timeout is the guard against a hang
    assert r.returncode == 2 and "命名管道（FIFO），不是普通文件" in r.stderr and str(fifo) in r.stderr


@recorded("/dev/zero named .json; a file longer than its size says")
def test_a_device_is_refused_and_a_file_is_capped_while_read(tmp_path: Path) -> None:
    (tmp_path / "zero.json").symlink_to("/dev/zero")
    r = child("check", str(tmp_path / "zero.json"), *DAY)
    assert r.returncode == 2 and "设备文件" in r.stderr
    # a regular file whose size says 0 but which holds more: the cap applies to what is read
    proc_file = Path("/proc/self/status")
    assert proc_file.stat().st_size == 0
    with pytest.raises(Exception, match="超过"):
        fileio.read_input(proc_file, cap=16, too_big="文件有 {mb} MB，超过上限")



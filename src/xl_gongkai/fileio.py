"""Files in and out: bounded reads of regular files only, atomic all-or-nothing writes that never replace an input.

Reading. Only regular files are opened: a FIFO would block for ever, a device such as ``/dev/zero``
never ends. Every read is bounded while it reads (a file that grows past its cap is refused, whatever
its size said).

Writing. Each output goes to a temporary file in the target folder, written, flushed and fsynced, then
renamed over the target, and the folder fsynced (POSIX). A write killed half-way leaves the previous file
intact; readers never see a half-written file. A command that writes several files (``report``: Word and
HTML; ``export``: payload and summary) stages all of them first and renames them only when every one was
written; if a rename fails (a target open in Word on Windows), the files already renamed are put back —
either every output is in place or none changed.

What a killed write leaves behind is its temporary file, ``.<name>.<random>.tmp``: hidden, and with a
suffix no command reads (``audit`` lists it as skipped). The next write of the same file removes such
leftovers once they are older than :data:`STALE_AFTER` — never younger ones, which may belong to a write
still in progress in another process (two clerks saving into one shared folder).

Outputs never replace inputs: :func:`guard_outputs` refuses an output that is the same file as an input
(the same path after resolving links, or the same file by ``samefile``), or two outputs that are one file.
``fill`` without ``-o`` is the one deliberate exception, and it stays atomic.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError, OutputError, os_error_text

STALE_AFTER = 3600.0  # seconds: far longer than any write of ours takes

# A seam for the tests of environment failures where no small file system can be made (named as a fault
# injection, used by nothing else): called with (stage, path) before each step of a write.
FAULT_HOOK: Callable[[str, Path], None] | None = None


def _fault(stage: str, path: Path) -> None:
    if FAULT_HOOK is not None:
        FAULT_HOOK(stage, path)


# -- reading ---------------------------------------------------------------------------------------------

_KINDS = (
    (stat.S_ISDIR, "这是一个文件夹，不是文件"),
    (stat.S_ISFIFO, "这是一个命名管道（FIFO），不是普通文件"),
    (stat.S_ISCHR, "这是一个设备文件，不是普通文件"),
    (stat.S_ISBLK, "这是一个设备文件，不是普通文件"),
    (stat.S_ISSOCK, "这是一个套接字，不是普通文件"),
)


def regular_file(path: str | os.PathLike[str]) -> os.stat_result:
    """The file's status, or an :class:`InputError` when it is missing or not a regular file (never opened)."""
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise InputError("文件不存在，请检查文件名和路径。", place=str(p)) from None
    except OSError as exc:
        raise InputError(os_error_text(exc), place=str(p)) from None
    if not stat.S_ISREG(st.st_mode):
        why = next((text for test, text in _KINDS if test(st.st_mode)), "这不是普通文件")
        raise InputError(f"{why}，未读取。请指定一份报告文件。", place=str(p))
    return st


def read_input(path: str | os.PathLike[str], *, cap: int, too_big: str) -> bytes:
    """The bytes of a regular file, at most ``cap`` of them; ``too_big`` (with ``{mb}``) when there are more.

    The cap applies while reading: a file that grows after its size was taken is still refused.
    """
    p = Path(path)
    st = regular_file(p)
    if st.st_size > cap:
        raise InputError(too_big.format(mb=f"{st.st_size / 1024 / 1024:.1f}"), place=str(p))
    data = _read_regular(p, cap + 1)
    if len(data) > cap:
        raise InputError(too_big.format(mb=f"超过 {cap / 1024 / 1024:.0f}"), place=str(p))
    return data


def read_head(path: str | os.PathLike[str], size: int) -> bytes:
    """The first ``size`` bytes of a regular file (all of a shorter one): what its content starts with."""
    p = Path(path)
    regular_file(p)
    return _read_regular(p, size)


def _read_regular(p: Path, most: int) -> bytes:
    try:
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):  # replaced between stat and open
                raise InputError("这不是普通文件，未读取。", place=str(p))
            return fh.read(most)
    except OSError as exc:
        raise InputError(os_error_text(exc), place=str(p)) from None


# -- the same file -----------------------------------------------------------------------------------------


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """True when two paths name one file: equal after resolving links (and case, where the system ignores it),
    or the same file on disk (a hard link, another mount of the same share)."""
    ra, rb = _resolved(a), _resolved(b)
    if ra == rb:
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _resolved(path: str | os.PathLike[str]) -> str:
    return os.path.normcase(os.path.realpath(os.path.abspath(path)))


def guard_outputs(outputs: Sequence[str | os.PathLike[str]], inputs: Sequence[str | os.PathLike[str]] = ()) -> None:
    """Refuse (exit 2) an output that is an input, or two outputs that are one file; names both paths."""
    outs = [Path(o) for o in outputs]
    for out in outs:
        for src in inputs:
            if same_file(out, src):
                raise OutputError(f"输出文件“{out}”就是输入文件“{src}”，写出会覆盖输入，已停止，"
                                  "输入文件没有被修改。请换一个输出文件名。")
    for i, a in enumerate(outs):
        for b in outs[i + 1:]:
            if same_file(a, b):
                raise OutputError(f"两个输出文件是同一个文件：“{a}”和“{b}”。请为它们指定不同的文件名。")


def folder_contains(folder: str | os.PathLike[str], path: str | os.PathLike[str]) -> bool:
    """True when ``path`` lies inside ``folder`` (at any depth), after resolving links."""
    f, p = _resolved(folder), _resolved(path)
    return p.startswith(f.rstrip(os.sep) + os.sep)


# -- writing -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Output:
    """One file a command writes: where, what, and the noun that names it in messages (数据包, Word 文件…).

    ``staged``: the content is already in a hidden temporary file beside the target (a large output written
    as a stream, such as a national audit's results), which is then put in place like any other.
    """

    path: Path
    data: bytes = b""
    what: str = "文件"
    staged: Path | None = None


def commit(outputs: Sequence[Output], inputs: Sequence[str | os.PathLike[str]] = ()) -> list[Path]:
    """What every front end does with a command's outputs: refuse any that would replace an input, then write
    all of them or none."""
    try:
        guard_outputs([o.path for o in outputs], inputs)
    except BaseException:
        discard(outputs)
        raise
    return write_all(outputs)


def discard(outputs: Sequence[Output]) -> None:
    """Remove the temporary files of streamed outputs that will not be written."""
    for out in outputs:
        if out.staged is not None:
            _unlink(str(out.staged))


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write one file atomically (see the module docstring); an :class:`OutputError` names the path."""
    return write_all([Output(Path(path), data)])[0]


def write_text_atomic(path: str | os.PathLike[str], text: str) -> Path:
    return write_bytes_atomic(path, text.encode("utf-8"))


def write_all(outputs: Sequence[Output]) -> list[Path]:
    """Write every output, all or nothing: each staged to a temporary file first, then renamed into place."""
    staged: list[tuple[Output, str]] = []
    try:
        for out in outputs:
            staged.append((out, _stage(out)))
    except BaseException:
        for _, tmp in staged:
            _unlink(tmp)
        for out in outputs:  # streamed outputs not reached yet
            if out.staged is not None:
                _unlink(str(out.staged))
        raise
    placed: list[tuple[Path, str | None]] = []  # (target, backup of what it held)
    try:
        for i, (out, tmp) in enumerate(staged):
            backup = _backup(out.path) if len(staged) > 1 else None
            try:
                _fault("replace", out.path)
                os.replace(tmp, out.path)
            except BaseException:
                if backup is not None:
                    _unlink(backup)
                raise
            placed.append((out.path, backup))
            staged[i] = (out, "")
    except BaseException as exc:
        for _, tmp in staged:
            if tmp:
                _unlink(tmp)
        for target, backup in reversed(placed):
            _restore(target, backup)
        if isinstance(exc, OSError):
            raise _write_error(exc, out.path, rolled_back=bool(placed)) from None
        raise
    for target, backup in placed:
        if backup is not None:
            _unlink(backup)
        _sync_folder(target.parent)
        remove_stale(target)
    return [out.path for out in outputs]


def _stage(out: Output) -> str:
    """Write ``out.data`` to a temporary file beside the target; returns its path."""
    target = out.path
    if out.staged is not None:
        if target.is_dir():
            _unlink(str(out.staged))
            raise OutputError(f"“{target}”是一个文件夹。请在后面写上文件名。")
        try:
            _fault("fsync", target)
            with open(out.staged, "rb+") as fh:
                os.fsync(fh.fileno())
            os.chmod(out.staged, _mode_for(target))
        except OSError as exc:
            _unlink(str(out.staged))
            raise _write_error(exc, target) from None
        return str(out.staged)
    if target.is_dir():
        raise OutputError(f"“{target}”是一个文件夹。请在后面写上文件名，例如 {target / ('结果' + _suffix(out))}。")
    try:
        _fault("mkdir", target)
        target.parent.mkdir(parents=True, exist_ok=True)
        _fault("create", target)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise _write_error(exc, target) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            _fault("write", target)
            fh.write(out.data)
            fh.flush()
            _fault("fsync", target)
            os.fsync(fh.fileno())
        with contextlib.suppress(OSError):  # mkstemp makes it private; the file keeps the mode it had
            os.chmod(tmp, _mode_for(target))
    except BaseException as exc:
        _unlink(tmp)
        if isinstance(exc, OSError):
            raise _write_error(exc, target) from None
        raise
    return tmp


def _suffix(out: Output) -> str:
    return out.path.suffix or ".xlsx"


def _write_error(exc: OSError, target: Path, *, rolled_back: bool = False) -> OutputError:
    text = os_error_text(exc, writing=True)
    if rolled_back:
        text += "已写出的其他文件已恢复原样，本次没有写出任何文件。"
    return OutputError(text, place=str(target))


def _backup(target: Path) -> str | None:
    """A hidden copy of what ``target`` holds (a hard link where the file system has them), for rolling back."""
    if not target.exists():
        return None
    fd, backup = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        os.unlink(backup)
        os.link(target, backup)
    except OSError:  # FAT32 on a USB stick, some network shares: no hard links
        shutil.copy2(target, backup)
    return backup


def _restore(target: Path, backup: str | None) -> None:
    with contextlib.suppress(OSError):
        if backup is None:
            os.unlink(target)  # it did not exist before this write
        else:
            os.replace(backup, target)


def _unlink(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def temp_files(target: Path) -> list[Path]:
    """The temporary files of writes of ``target`` (in progress, or left by a killed one)."""
    return sorted(target.parent.glob(f".{glob.escape(target.name)}.*.tmp"))


def remove_stale(target: Path, *, older_than: float = STALE_AFTER) -> list[Path]:
    """Remove the temporary files of killed writes of ``target``; returns what was removed."""
    cutoff = time.time() - older_than
    removed = []
    for p in temp_files(target):
        with contextlib.suppress(OSError):
            if p.stat().st_mtime < cutoff:
                p.unlink()
                removed.append(p)
    return removed


def _mode_for(target: Path) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        mask = os.umask(0o022)
        os.umask(mask)
        return 0o666 & ~mask


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); Windows cannot open a folder, and NTFS journals the rename."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def report_stem(agency: str, year: int | None) -> str:
    """``<机关>_<年度>年``: the predictable start of every file written for a report — no path characters, no
    control characters, no bidirectional overrides (which can make a name read backwards)."""
    from .controls import safe_name

    name = "".join(ch for ch in safe_name(agency) if ch not in '\\/:*?"<>|').strip() or "未命名机关"
    return f"{name}_{year}年" if year else name


# -- names a person cannot read ------------------------------------------------------------------------------


def undecodable(path: str | os.PathLike[str]) -> bool:
    """A name whose bytes are not UTF-8 (Python keeps each such byte as a lone surrogate)."""
    return any("\udc80" <= ch <= "\udcff" for ch in os.fspath(path))


def undecodable_note(path: str | os.PathLike[str]) -> str:
    """What to tell about such a name: how it reads as GBK (a zip made on Chinese Windows and unpacked on
    Linux), and how to fix it."""
    raw = os.fsencode(os.path.basename(os.fspath(path)))
    try:
        reading = f"按 GBK 读作“{raw.decode('gbk')}”"
    except UnicodeDecodeError:
        reading = "编码无法识别"
    return (f"文件名不是 UTF-8 编码（{reading}），多半是中文 Windows 上压缩的 zip 在 Linux 上解压所致；"
            "请用 unzip -O GBK 重新解压，或把文件改名")

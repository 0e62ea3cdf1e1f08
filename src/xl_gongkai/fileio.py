"""Atomic file writes: a temporary file in the target folder, flushed, then renamed into place.

A write killed half-way leaves the previous file intact; readers never see a half-written file. What a
killed write leaves behind is its temporary file, ``.<name>.<random>.tmp``: hidden, and with a suffix
no command reads (``audit`` skips hidden files). The next write of the same file removes such leftovers
once they are older than :data:`STALE_AFTER` — never younger ones, which may belong to a write still in
progress in another process (two clerks saving into one shared folder).
"""

from __future__ import annotations

import contextlib
import glob
import os
import stat
import tempfile
import time
from pathlib import Path

STALE_AFTER = 3600.0  # seconds: far longer than any write of ours takes


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(OSError):  # mkstemp makes it private; the file keeps the mode it had
            os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _sync_folder(target.parent)
    remove_stale(target)
    return target


def write_text_atomic(path: str | os.PathLike[str], text: str) -> Path:
    return write_bytes_atomic(path, text.encode("utf-8"))


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
    """``<机关>_<年度>年``: the predictable start of every file written for a report (no path characters)."""
    name = "".join(ch for ch in agency if ch not in '\\/:*?"<>|').strip() or "未命名机关"
    return f"{name}_{year}年" if year else name

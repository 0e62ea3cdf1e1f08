"""Atomic file writes: a temporary file in the target folder, flushed, then renamed into place.

A write killed half-way leaves the previous file intact; readers never see a half-written file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return target


def write_text_atomic(path: str | os.PathLike[str], text: str) -> Path:
    return write_bytes_atomic(path, text.encode("utf-8"))


def report_stem(agency: str, year: int | None) -> str:
    """``<机关>_<年度>年``: the predictable start of every file written for a report (no path characters)."""
    name = "".join(ch for ch in agency if ch not in '\\/:*?"<>|').strip() or "未命名机关"
    return f"{name}_{year}年" if year else name

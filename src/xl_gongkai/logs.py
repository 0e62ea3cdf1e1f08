"""The log file: where the details of a failure go, so that a clerk sees a Chinese message instead.

``%LOCALAPPDATA%\\xl_gongkai\\logs\\xl_gongkai.log`` on Windows, ``~/.cache/xl_gongkai/xl_gongkai.log``
elsewhere; ``XL_GONGKAI_LOG_DIR`` overrides both. Standard library only: the Excel entry imports it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path

LOG_NAME = "xl_gongkai.log"


def log_dir() -> Path:
    """Where the log goes: ``%LOCALAPPDATA%\\xl_gongkai\\logs`` on Windows, ``~/.cache/xl_gongkai`` elsewhere."""
    override = os.environ.get("XL_GONGKAI_LOG_DIR")
    if override:
        return Path(override)
    local = os.environ.get("LOCALAPPDATA")
    if local:
        return Path(local) / "xl_gongkai" / "logs"
    return Path.home() / ".cache" / "xl_gongkai"


def logger() -> logging.Logger:
    """The command log, in :func:`log_dir` (reopened when that folder changes, e.g. between tests).

    When the folder cannot be written (a locked-down profile), records go nowhere and :func:`log_place`
    says so, so that no message names a log file that does not exist.
    """
    log = logging.getLogger("xl_gongkai")
    target = log_dir() / LOG_NAME
    if any(getattr(h, "baseFilename", None) == str(target) for h in log.handlers):
        return log
    for h in list(log.handlers):
        log.removeHandler(h)
        h.close()
    from logging.handlers import RotatingFileHandler

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = RotatingFileHandler(target, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    except OSError:
        handler = logging.NullHandler()  # a locked-down PC without a writable profile still works
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    logging.raiseExceptions = False  # a log that fills the disk must not print an English traceback
    log.propagate = False
    return log


def log_place() -> str:
    """Where the details went, for a message: the log file, or why there is none."""
    log = logger()
    target = log_dir() / LOG_NAME
    if any(getattr(h, "baseFilename", None) == str(target) for h in log.handlers) and target.is_file():
        return f"请把日志文件发给维护人员：{target}"
    return (f"详细信息无法写入日志（日志文件夹“{target.parent}”不可写入）；请把本条消息和所做的操作告诉维护人员，"
            "或设置环境变量 XL_GONGKAI_LOG_DIR 指向一个可写入的文件夹后重试")


def log_unraisable(info: object) -> None:
    """``sys.unraisablehook``: an error Python cannot raise (a file object that fails to close while it is
    collected, after a full disk) goes to the log instead of an English "Exception ignored in …" on the
    clerk's screen; the operation that failed has already said what happened in Chinese."""
    exc = getattr(info, "exc_value", None)
    with contextlib.suppress(Exception):
        logger().warning("ignored while cleaning up (%s): %r", getattr(info, "object", None), exc)


@contextlib.contextmanager
def quiet_unraisable() -> Iterator[None]:
    """Within the block, :func:`log_unraisable` handles what Python cannot raise (restored afterwards)."""
    previous = sys.unraisablehook
    sys.unraisablehook = log_unraisable
    try:
        yield
    finally:
        sys.unraisablehook = previous

"""The log file: where the details of a failure go, so that a clerk sees a Chinese message instead.

``%LOCALAPPDATA%\\xl_gongkai\\logs\\xl_gongkai.log`` on Windows, ``~/.cache/xl_gongkai/xl_gongkai.log``
elsewhere; ``XL_GONGKAI_LOG_DIR`` overrides both. Standard library only: the Excel entry imports it.
"""

from __future__ import annotations

import logging
import os
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
    """The command log, in :func:`log_dir` (reopened when that folder changes, e.g. between tests)."""
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
    log.propagate = False
    return log

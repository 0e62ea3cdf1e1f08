"""Dates as clerks and files hold them: a workbook's date cell, a payload's ISO text, a typed ``2025年1月1日``.

One reader for every place that needs a date from a report (the period rule, the publishable report).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any


def as_date(value: Any) -> dt.date | None:
    """A date from a workbook cell (datetime), a payload (ISO text) or a typed ``2025年1月1日``."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*", value)
        if m:
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                return None
    return None

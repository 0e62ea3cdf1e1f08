"""When two names are one agency: one definition for the audit, the consolidation, the roster and the rules.

Reports and rosters spell one agency's name differently in ways that mean nothing: spaces (a name split
across a line in a PDF), full-width and half-width forms (``（`` and ``(``, ``Ａ`` and ``A``), invisible
characters. :func:`agency_key` removes exactly those differences (Unicode NFKC, then every whitespace,
control and format character) and nothing else: ``某市财政局`` and ``某市财政局（汇总）`` stay two agencies.
"""

from __future__ import annotations

import unicodedata

# The metadata key under which a remembered last-year report (``new --previous --agency NEW``) records the
# name the agency was renamed to, so the cross-year check knows the rename was deliberate (rule X4).
SUCCESSOR = "successor"


def agency_key(name: str) -> str:
    """The name as compared: NFKC, without whitespace, control or format characters."""
    text = unicodedata.normalize("NFKC", name)
    return "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))

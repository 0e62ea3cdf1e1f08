"""Implementations of the rule kinds named in the catalogue; importing this package registers them."""

from ..rules import RuleContext, kind
from . import arithmetic, crossyear, metadata, narrative, values  # noqa: F401


@kind("external")
def _raised_while_reading(ctx: RuleContext) -> list:
    """Findings of these rules are raised while reading a file (import, audit), not by checking a Report."""
    return []

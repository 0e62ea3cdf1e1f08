"""Implementations of the rule kinds named in the catalogue; importing this package registers them."""

from ..rules import RuleContext, kind
from . import arithmetic, metadata, values  # noqa: F401


@kind("import")
def _produced_by_the_importer(ctx: RuleContext) -> list:
    """Import findings are raised while reading a published report, not by checking a Report."""
    return []

"""Implementations of the rule kinds named in the catalogue; importing this package registers them."""

from ..findings import Finding
from ..params import ListOf, Text
from ..rules import RuleContext, kind
from . import arithmetic, crossyear, ledger, metadata, narrative, values  # noqa: F401


@kind("external", params={"words": ListOf(Text(identifier=True), unique=True)}, words_from="words",
      scope="读取文件时（导入已公布的报告、审核文件夹）")
def _raised_while_reading(_ctx: RuleContext) -> list[Finding]:
    """Findings of these rules are raised while reading a file (import, audit), not by checking a Report.

    The code that raises them fills the words the rule's ``words`` parameter lists (``Rule.finding``
    holds it to exactly those).
    """
    return []

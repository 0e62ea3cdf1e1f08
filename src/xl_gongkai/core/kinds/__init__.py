"""Implementations of the rule kinds named in the catalogue; importing this package registers them."""

from . import arithmetic, metadata, values  # noqa: F401

"""``python -m xl_gongkai`` runs the command line."""

from .cli import entry

entry()

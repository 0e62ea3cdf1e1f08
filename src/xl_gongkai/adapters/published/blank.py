"""A table printed with its rows and columns but without a single number in it (the blank format a department
sends down, a table left unfilled): one finding for the table, not a blank-cell finding on each of its cells.

Judged on the document as the importer laid it out (its lines, headings, regions and tokens, computed once)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ...spec import CellKey, Form
from .heuristics import heuristic
from .sections import Heading, section_tokens
from .text import NUMBER, UNSURE, DocumentTokens, Line

BLANK_TABLE = "原文的这张表是空白的（印出了表格，但没有填写任何数字）"


@heuristic("blank_table", "table")
def blank_tables(form: Form, lines: Sequence[Line], headings: Mapping[str, Heading],
                 spans: Mapping[str, tuple[int, int]], toks: DocumentTokens, values: Mapping[CellKey, Any],
                 absent: dict[str, str]) -> set[str]:
    """The tables printed without a single number, each recorded in ``absent`` with that reason.

    Its heading is found and its region prints no number at all (a label such as ``1.属于国家秘密`` is text),
    and nothing was read into it: then the table is recorded as absent — the check reports it once (I6) and
    does not judge its cells — and the caller drops the import's own findings about its rows, and its cells
    printed blank (I7) or not read (I8).
    """
    blank: set[str] = set()
    for section in form.sections:
        table = section.table
        if not table or table in absent or section.key not in headings:
            continue
        if any(values.get(c.key) is not None for c in form.cells if c.table.key == table):
            continue
        if any(t.kind in (NUMBER, UNSURE) for t in section_tokens(lines, toks, headings[section.key],
                                                                  spans[section.key][1])):
            continue
        absent[table] = BLANK_TABLE
        blank.add(table)
    return blank

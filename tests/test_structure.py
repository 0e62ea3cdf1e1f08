"""The package's shape, checked on its source: imports point down the layers, and no code outside the spec and the
builder spells a table/row/column key, a sheet name or a cell address (docs/design.md names the exceptions).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from support.source import SRC, modules, nodes
from xl_gongkai.core.rules import catalogue
from xl_gongkai.spec import FORM_FILES, load_form

# layer of each top-level part of the package; a module may import its own layer and the ones below
LAYERS = {"spec": 1, "core": 2, "errors": 0, "advice": 0, "logs": 0, "fileio": 0, "controls": 0, "adapters": 3,
          "publish": 3, "render": 3, "commands": 4, "build": 5, "api": 6, "cli": 6, "excel": 6, "excel_setup": 6,
          "webpage": 6, "argparse_zh": 6, "__init__": 0, "__main__": 6}


def _part(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0].removesuffix(".py")


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, top-level part of xl_gongkai) of every import of the package in a module (relative or absolute)."""
    here = path.relative_to(SRC).parts[:-1]
    out = []
    for node in nodes(path):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(here[: len(here) - node.level + 1])
                target = [*base, *(node.module.split(".") if node.module else [])]
                if not target:  # `from . import x`
                    target = [alias.name for alias in node.names][:1]
            elif node.module and node.module.startswith("xl_gongkai"):
                target = node.module.split(".")[1:]
            else:
                continue
            if target:
                out.append((node.lineno, target[0]))
    return out


def test_imports_point_down_the_layers() -> None:
    wrong = []
    for path in modules():
        mine = LAYERS[_part(path)]
        for line, part in _imports(path):
            if part in LAYERS and LAYERS[part] > mine:
                wrong.append(f"{path.relative_to(SRC)}:{line} imports {part} (layer {LAYERS[part]} > {mine})")
    assert wrong == []


def test_the_commands_never_build_a_template() -> None:
    """The built templates ship in the package; only `make template` and `template build` run the builder."""
    users = [f"{p.relative_to(SRC)}:{line}" for p in modules() if _part(p) not in ("build", "cli")
             for line, part in _imports(p) if part == "build"]
    assert users == []


# Strings outside spec/ and build/ that equal a key, a sheet name or an address, each for a stated reason.
ALLOWED = {
    ("adapters/formats.py", "published"): "a Source kind (what a file is), not the 2019 column 'published'",
    ("commands/load.py", "published"): "the same Source kind",
    ("commands/recognise.py", "published"): "the same Source kind",
    ("cli.py", "published"): "the same Source kind",
    ("webpage.py", "published"): "the same Source kind",
    ("cli.py", "new"): "the name of the `new` command",
    ("adapters/formats.py", "摘要"): "the word for the summary file in messages",
    ("commands/export.py", "摘要"): "the word for the summary file in messages",
    ("core/catalogue.py", "rules"): "the key of the catalogue document's list of rules",
    ("core/packs.py", "rules"): "the key of a rule pack's list of rules",
    ("commands/next_year.py", "in_force"): "a parameter name of rule X2's kind",
    ("core/kinds/crossyear.py", "in_force"): "parameter names of rule X2's kind",
    ("core/kinds/crossyear.py", "issued"): "parameter names of rule X2's kind",
    ("core/kinds/crossyear.py", "repealed"): "parameter names of rule X2's kind",
    ("core/kinds/narrative.py", "outcomes"): "a parameter name of rule N1's kind",
    ("core/kinds/values.py", "amount"): "the name of a rule kind",
    ("publish/docx.py", "review"): "the id of the reviewer's page table in the Word file",
    ("excel_setup.py", "xlwings.conf"): "xlwings' own configuration file name",
}


def _vocabulary() -> tuple[set[str], set[str]]:
    keys, sheets = set(), set()
    for form_id in FORM_FILES:
        form = load_form(form_id)
        sheets |= {form.metadata_sheet, form.narrative_sheet}
        for t in form.tables:
            keys |= {t.key} | {r.key for r in t.rows} | {c.key for c in t.columns}
            keys |= {g.key for g in t.row_groups} | {g.key for g in t.column_groups}
            sheets.add(t.sheet)
        if form.template is not None:
            tpl = form.template
            sheets |= {tpl.info_sheet, tpl.results_sheet, tpl.summary_sheet, tpl.flags_sheet, tpl.config_sheet,
                       tpl.sources.sheet}
            if tpl.ledger is not None:
                sheets.add(tpl.ledger.sheet)
                keys |= {c.key for c in tpl.ledger.columns}
    return keys, sheets


ADDRESS = re.compile(r"^\$?[A-Z]{1,3}\$?[0-9]{1,7}(:\$?[A-Z]{1,3}\$?[0-9]{1,7})?$")
CELL_KEY = re.compile(r"^[a-z_]+\.[a-z_]+\.[a-z_]+$")


def test_no_key_sheet_or_address_outside_the_spec() -> None:
    keys, sheets = _vocabulary()
    rule_ids = {r.id for r in catalogue()}
    found = []
    for path in modules():
        rel = str(path.relative_to(SRC))
        if _part(path) in ("spec", "build"):
            continue
        for node in nodes(path):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                continue
            v = node.value
            hit = v in keys or v in sheets or (ADDRESS.match(v) and v not in rule_ids) or (
                CELL_KEY.match(v) and v.split(".")[0] in keys)
            if hit and (rel, v) not in ALLOWED:
                found.append(f"{rel}:{node.lineno}: {v!r}")
    assert found == []


def test_the_allowances_are_all_still_needed() -> None:
    """An allowance nothing needs any more is removed, so the list stays the list of real exceptions."""
    used = set()
    for path in modules():
        rel = str(path.relative_to(SRC))
        for node in nodes(path):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and (rel, node.value) in ALLOWED:
                used.add((rel, node.value))
    assert set(ALLOWED) - used == set()

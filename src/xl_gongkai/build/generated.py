"""Every file the repository holds that is made from the spec, and the one way to make them: ``make generate``.

Each artefact is committed once, where it is used: the package's payload schema (``xl-gongkai schema`` prints it,
export validates against it), the package's built templates (``new``, ``import -o`` and ``consolidate`` copy them:
no command runs the builder), the spec digests (``verified.json``, below) and the two generated pages of
``docs/``. ``tests/test_generated.py`` builds each afresh and names any that differs: "run make generate".

``verified.json`` is a record, not a trust: the sha256 of each (meta-schema, spec document) pair that passed its
meta-schema when it was generated. At load the spec's bytes are hashed (cheap) and compared; matching bytes skip
importing jsonschema (a quarter of an Excel click), any other bytes are validated on the spot. A stale record can
cost time, never correctness.

``python -m xl_gongkai.build.generated [root]`` writes what differs and lists it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

from ..spec import FORM_FILES, load_form
from ..spec.loader import refresh_verified

PACKAGE = Path("src") / "xl_gongkai"
COMMAND = "make generate"


def _verified() -> bytes:
    return (json.dumps(refresh_verified(), indent=2, sort_keys=True) + "\n").encode("utf-8")


def _text(make: Callable[[], str]) -> Callable[[], bytes]:
    return lambda: make().encode("utf-8")


def _template(form_id: str, consolidation: bool) -> Callable[[], bytes]:
    def build() -> bytes:
        from .template import build_template

        return build_template(load_form(form_id), sources=[] if consolidation else None)

    return build


def artefacts() -> dict[Path, Callable[[], bytes]]:
    """Each generated file (relative to the repository's root) and how to make its bytes."""
    from ..commands.workbook import TEMPLATES, template_file
    from .docs import rules_markdown, schema_markdown, schema_text

    templates = PACKAGE / TEMPLATES
    made: dict[Path, Callable[[], bytes]] = {
        PACKAGE / "spec" / "payload.schema.json": _text(schema_text),
        PACKAGE / "spec" / "verified.json": _verified,
    }
    for form_id in FORM_FILES:  # every form that has a template: the plain one and the consolidation's
        if load_form(form_id).template is not None:
            for both in (False, True):
                made[templates / template_file(form_id, consolidation=both)] = _template(form_id, both)
    made[Path("docs") / "rules.md"] = _text(rules_markdown)
    made[Path("docs") / "schema.md"] = _text(schema_markdown)
    return made


def write_all(root: Path) -> list[Path]:
    """Write every artefact whose committed bytes differ from a fresh build (atomically); the paths written."""
    from ..fileio import write_bytes_atomic

    written = []
    for rel, make in artefacts().items():
        path = root / rel
        data = make()
        if not path.exists() or path.read_bytes() != data:
            written.append(write_bytes_atomic(path, data))
    return written


if __name__ == "__main__":
    done = write_all(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("."))
    print("\n".join(str(p) for p in done) or "up to date")

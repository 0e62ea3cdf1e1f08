"""Turns XlsxWriter's output into the macro-enabled template: VBA project, ribbon, reproducible zip.

XlsxWriter writes the sheets and embeds ``vbaProject.bin`` (content type, relationship); it cannot
add a ribbon, so the ``customUI/customUI14.xml`` part and its package relationship are added here.
The zip is then rewritten deterministically: fixed entry order, timestamps and attributes, so two
builds are byte-identical.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path

from .vbaproject import VbaModule, build_vba_project, module_from_file

RIBBON_PART = "customUI/customUI14.xml"
RIBBON_REL_TYPE = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
RIBBON_REL_ID = "rIdGkRibbon"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def ribbon_xml() -> bytes:
    return resources.files(__package__).joinpath("ribbon/customUI14.xml").read_bytes()


def project_sources() -> list[tuple[str, str]]:
    """(file name, kind) of the project's own VBA sources."""
    return [("ThisWorkbook.cls", "document"), ("GongkaiRibbon.bas", "standard")]


def xlwings_sources() -> list[Path]:
    """``xlwings.bas`` and ``Dictionary.cls`` of the installed (exactly pinned) xlwings."""
    import xlwings

    base = Path(xlwings.__file__).parent
    return [base / "xlwings.bas", base / "addin" / "Dictionary.cls"]


def vba_modules(sheet_code_names: Sequence[str]) -> list[VbaModule]:
    """Every module of the template's VBA project: ours, xlwings', and one empty module per sheet."""
    modules: list[VbaModule] = []
    vba_dir = resources.files(__package__).joinpath("vba")
    for name, kind in project_sources():
        text = vba_dir.joinpath(name).read_bytes().decode("ascii")
        stem = name.rsplit(".", 1)[0]
        if kind == "document":
            modules.append(VbaModule(stem, "document", text))
        else:
            modules.append(VbaModule(stem, kind, text))
    modules += [VbaModule(code, "document", "") for code in sheet_code_names]
    modules += [module_from_file(p) for p in xlwings_sources()]
    return modules


def vba_project(sheet_code_names: Sequence[str]) -> bytes:
    return build_vba_project(vba_modules(sheet_code_names))


def _add_relationship(rels: bytes) -> bytes:
    text = rels.decode("utf-8")
    if RIBBON_REL_TYPE in text:
        return rels
    rel = f'<Relationship Id="{RIBBON_REL_ID}" Type="{RIBBON_REL_TYPE}" Target="{RIBBON_PART}"/>'
    return text.replace("</Relationships>", rel + "</Relationships>").encode("utf-8")


def finish(xlsx: bytes, extra_parts: Iterable[tuple[str, bytes]] = ()) -> bytes:
    """Add the ribbon and rewrite the zip deterministically."""
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    parts = [(info.filename, src.read(info)) for info in src.infolist()]
    parts = [(name, _add_relationship(data) if name == "_rels/.rels" else data) for name, data in parts]
    parts.append((RIBBON_PART, ribbon_xml()))
    parts.extend(extra_parts)
    return deterministic_zip(parts)


def deterministic_zip(parts: Iterable[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in parts:
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            info.create_system = 0
            z.writestr(info, data, compresslevel=6)
    return out.getvalue()

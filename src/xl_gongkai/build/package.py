"""Turns XlsxWriter's output into the macro-enabled template: VBA project, ribbon, reproducible zip.

XlsxWriter writes the sheets and embeds ``vbaProject.bin`` (content type, relationship); it cannot
add a ribbon, so the ribbon parts and their package relationships are added here: ``customUI14.xml``
(2009 namespace, what Excel 2010 and later apply) and ``customUI.xml`` (2006 namespace, the only one
Excel 2007 and WPS read; a host that understands both applies only the 2009 part, [MS-OI29500]
§3.4.1.3). The 2006 part is derived from the 2009 one, so the buttons are written once, with the same
Excel texts (Excel 2007 reads this part too); it adds a group of its own, "WPS 用户", whose one button and
tooltip say that WPS cannot run Python and what to use instead (in Excel the button says the group is for WPS).
The zip is then rewritten deterministically: fixed entry order, timestamps and attributes, so two
builds are byte-identical.
"""

from __future__ import annotations

import importlib.util
import io
import zipfile
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from ..adapters.package_zip import FIXED, write_zip
from . import vba_text
from .vbaproject import VbaModule, build_vba_project, module_from_file

RIBBON_PART = "customUI/customUI14.xml"
RIBBON_REL_TYPE = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
RIBBON_REL_ID = "rIdGkRibbon"
RIBBON_NS = "http://schemas.microsoft.com/office/2009/07/customui"
LEGACY_RIBBON_PART = "customUI/customUI.xml"
LEGACY_RIBBON_REL_TYPE = "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility"
LEGACY_RIBBON_REL_ID = "rIdGkRibbon2006"
LEGACY_RIBBON_NS = "http://schemas.microsoft.com/office/2006/01/customui"
LEGACY_NOTE = "（WPS 表格不能运行 Python：请用网页版，或命令行 xl-gongkai check 本文件。）"
FIXED_TIME = FIXED.date_time  # every entry's timestamp


def ribbon_xml() -> bytes:
    return resources.files(__package__).joinpath("ribbon/customUI14.xml").read_bytes()


def legacy_ribbon_xml() -> bytes:
    """The 2006-namespace ribbon: the 2009 one (it uses nothing the 2006 schema lacks) plus the WPS group.

    Why the buttons keep their Excel tooltips: Excel 2007 and WPS both read only this part, and nothing in a
    static part can tell them apart. Tooltips that spoke to WPS users showed Excel 2007's clerks that their
    buttons could not work; a group labelled for WPS users misleads nobody in either.
    """
    text = ribbon_xml().decode("utf-8")
    if text.count(RIBBON_NS) != 1:
        raise ValueError("customUI14.xml must name its namespace exactly once")
    text = text.replace(RIBBON_NS, LEGACY_RIBBON_NS)
    group = ('        <group id="gkGroupHost" label="WPS 用户">\n'
             '          <button id="gkHostInfo" label="WPS 中如何使用" size="large" imageMso="Help"'
             ' onAction="Gk_HostInfo"\n'
             f'                  screentip="WPS 中如何使用" supertip="{LEGACY_NOTE.strip("（）")}"/>\n'
             '        </group>\n')
    if text.count("      </tab>") != 1:
        raise ValueError("customUI14.xml must hold exactly one tab")
    return text.replace("      </tab>", group + "      </tab>").encode("utf-8")


def project_sources() -> list[tuple[str, str]]:
    """(file name, kind) of the project's own VBA sources (the generated text module comes after them)."""
    return [("ThisWorkbook.cls", "document"), ("GongkaiRibbon.bas", "standard")]


def xlwings_sources() -> list[Path]:
    """``xlwings.bas`` and ``Dictionary.cls`` of the installed (exactly pinned) xlwings.

    Found without importing xlwings (which costs about 0.4 s, and on Windows starts its COM machinery):
    only where the package lies is needed.
    """
    spec = importlib.util.find_spec("xlwings")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("xlwings is not installed: the template's VBA project needs its xlwings.bas")
    base = Path(next(iter(spec.submodule_search_locations)))
    return [base / "xlwings.bas", base / "addin" / "Dictionary.cls"]


def vba_modules(sheet_code_names: Sequence[str]) -> list[VbaModule]:
    """Every module of the template's VBA project: ours, xlwings', and one empty module per sheet."""
    modules: list[VbaModule] = []
    vba_dir = resources.files(__package__).joinpath("vba")
    for name, kind in project_sources():
        text = vba_dir.joinpath(name).read_bytes().decode("ascii")
        stem = name.rsplit(".", 1)[0]
        modules.append(VbaModule(stem, "document" if kind == "document" else "standard", text))
    modules.append(VbaModule(vba_text.MODULE_NAME, "standard", vba_text.vba_module()))
    modules += [VbaModule(code, "document", "") for code in sheet_code_names]
    modules += [module_from_file(p) for p in xlwings_sources()]
    return modules


def vba_project(sheet_code_names: Sequence[str]) -> bytes:
    return build_vba_project(vba_modules(sheet_code_names))


def _add_relationships(rels: bytes) -> bytes:
    text = rels.decode("utf-8")
    for rel_id, rel_type, target in ((RIBBON_REL_ID, RIBBON_REL_TYPE, RIBBON_PART),
                                     (LEGACY_RIBBON_REL_ID, LEGACY_RIBBON_REL_TYPE, LEGACY_RIBBON_PART)):
        if f'Type="{rel_type}"' in text:
            continue
        rel = f'<Relationship Id="{rel_id}" Type="{rel_type}" Target="{target}"/>'
        text = text.replace("</Relationships>", rel + "</Relationships>")
    return text.encode("utf-8")


def finish(xlsx: bytes) -> bytes:
    """Add both ribbon parts and rewrite the zip deterministically (fixed timestamps and attributes)."""
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src:
        parts = [(info.filename, src.read(info)) for info in src.infolist()]
    parts = [(name, _add_relationships(data) if name == "_rels/.rels" else data) for name, data in parts]
    parts.append((RIBBON_PART, ribbon_xml()))
    parts.append((LEGACY_RIBBON_PART, legacy_ribbon_xml()))
    return write_zip((name, data, FIXED) for name, data in parts)

"""The VBA project writer, checked with independent readers: oletools (olevba) and olefile.

Real inputs only: the installed xlwings' ``xlwings.bas`` and ``addin/Dictionary.cls``, and, where a
reference from real Excel helps, the ``quickstart*.xlsm`` files shipped inside the xlwings package.
"""

from __future__ import annotations

import hashlib
import io
import random
import re
import sys
import zipfile
from pathlib import Path

import olefile
import pytest
import xlwings
from oletools.olevba import VBA_Parser, decompress_stream

try:
    from xl_gongkai.build import ovba_compress, vbaproject
except ModuleNotFoundError:  # package not installed: run from the source tree
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from xl_gongkai.build import ovba_compress, vbaproject

from test_cfb import check_sibling_tree

VbaModule = vbaproject.VbaModule
XLWINGS_DIR = Path(xlwings.__file__).parent
XLWINGS_BAS = XLWINGS_DIR / "xlwings.bas"
DICTIONARY_CLS = XLWINGS_DIR / "addin" / "Dictionary.cls"

RIBBON_SOURCE = """Option Explicit

Public Sub Gk_Check(control As IRibbonControl)
    RunPython "import xl_gongkai.excel as e; e.check()"
End Sub
"""

DOCUMENT_HEADER = (
    'Attribute VB_Base = "0{{{guid}}}"\r\n'
    "Attribute VB_GlobalNameSpace = False\r\n"
    "Attribute VB_Creatable = False\r\n"
    "Attribute VB_PredeclaredId = True\r\n"
    "Attribute VB_Exposed = True\r\n"
    "Attribute VB_TemplateDerived = False\r\n"
    "Attribute VB_Customizable = True\r\n"
)


def full_project() -> list[vbaproject.VbaModule]:
    return [
        VbaModule("ThisWorkbook", "document", ""),
        VbaModule("Sheet1", "document", "Option Explicit\n"),
        VbaModule("Sheet2", "document", ""),
        VbaModule("GongkaiRibbon", "standard", RIBBON_SOURCE),
        vbaproject.module_from_file(XLWINGS_BAS),
        vbaproject.module_from_file(DICTIONARY_CLS),
    ]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[vbaproject.VbaModule], bytes, Path]:
    modules = full_project()
    data = vbaproject.build_vba_project(modules)
    path = tmp_path_factory.mktemp("vba") / "vbaProject.bin"
    path.write_bytes(data)
    return modules, data, path


# --- compression -------------------------------------------------------------------------------

BOUNDARY_SIZES = [0, 1, 3, 4095, 4096, 4097, 10000, 50000]


def sample(kind: str, size: int) -> bytes:
    if kind == "random":
        return random.Random(size).randbytes(size)
    if kind == "repetitive":
        return (b"Attribute VB_Name = " * (size // 20 + 1))[:size]
    return (XLWINGS_BAS.read_bytes() * 2)[:size]


@pytest.mark.parametrize("size", BOUNDARY_SIZES)
@pytest.mark.parametrize("kind", ["random", "repetitive", "text"])
def test_compression_round_trips_through_oletools(kind: str, size: int) -> None:
    data = sample(kind, size)
    packed = ovba_compress.compress(data)
    theirs = decompress_stream(packed)
    assert ovba_compress.decompress(packed) == theirs
    if kind == "random" and size == 4095:
        # 4095 random bytes cannot be compressed into one chunk, and a raw chunk always holds 4096
        # bytes (MS-OVBA 2.4.1.3.10), so the spec's zero padding shows up after the data.
        assert theirs == data + b"\x00"
    else:
        assert theirs == data
    if kind != "random" and size > 64:
        assert len(packed) < len(data) / 2


@pytest.mark.parametrize("path", [XLWINGS_BAS, DICTIONARY_CLS], ids=lambda p: p.name)
def test_compression_of_real_vba_files(path: Path) -> None:
    data = path.read_bytes()
    packed = ovba_compress.compress(data)
    assert decompress_stream(packed) == data
    assert ovba_compress.decompress(packed) == data
    assert len(packed) < 0.45 * len(data)


def test_our_decompressor_reads_streams_written_by_excel() -> None:
    with zipfile.ZipFile(XLWINGS_DIR / "quickstart.xlsm") as z:
        ole = olefile.OleFileIO(io.BytesIO(z.read("xl/vbaProject.bin")))
    packed = ole.openstream("VBA/dir").read()
    assert ovba_compress.decompress(packed) == decompress_stream(packed)


@pytest.mark.parametrize("bad", [b"", b"\x02", b"\x01\xff\x0f", b"\x01\x02\xb0\x01\x00\x00"])
def test_decompressor_rejects_malformed_containers(bad: bytes) -> None:
    with pytest.raises(ValueError):
        ovba_compress.decompress(bad)


# --- module text -------------------------------------------------------------------------------


def test_stored_source_of_each_module_kind() -> None:
    modules = {m.name: m for m in full_project()}
    for name, guid in [("ThisWorkbook", "00020819"), ("Sheet2", "00020820")]:
        header = DOCUMENT_HEADER.format(guid=f"{guid}-0000-0000-C000-000000000046")
        assert vbaproject.stored_source(modules[name]) == f'Attribute VB_Name = "{name}"\r\n{header}'
    assert vbaproject.stored_source(modules["GongkaiRibbon"]) == (
        'Attribute VB_Name = "GongkaiRibbon"\r\n' + RIBBON_SOURCE.replace("\n", "\r\n")
    )
    # xlwings.bas already starts with Attribute VB_Name and uses CRLF: stored unchanged, no duplicate.
    xlwings_text = vbaproject.stored_source(modules["xlwings"])
    assert xlwings_text == XLWINGS_BAS.read_bytes().decode("ascii")
    assert len(re.findall(r"^Attribute VB_Name", xlwings_text, re.MULTILINE)) == 1
    # Dictionary.cls: export header gone, Excel's header in Excel's order, VB_Exposed kept from the
    # export, the module-level VB_Description after the standard attributes, then the body unchanged.
    dictionary = vbaproject.stored_source(modules["Dictionary"])
    header_lines = dictionary.split("\r\n")[:9]
    assert [line.split(" = ")[0] for line in header_lines] == [
        "Attribute VB_Name",
        "Attribute VB_Base",
        "Attribute VB_GlobalNameSpace",
        "Attribute VB_Creatable",
        "Attribute VB_PredeclaredId",
        "Attribute VB_Exposed",
        "Attribute VB_TemplateDerived",
        "Attribute VB_Customizable",
        "Attribute VB_Description",
    ]
    assert header_lines[1] == 'Attribute VB_Base = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"'
    assert header_lines[5] == "Attribute VB_Exposed = True"
    original = DICTIONARY_CLS.read_bytes().decode("ascii")
    assert dictionary.endswith(original.split("\r\n", 10)[10])
    assert "VERSION 1.0 CLASS" not in dictionary and "MultiUse" not in dictionary


def test_empty_document_modules_match_what_excel_stores() -> None:
    """xlwings' quickstart.xlsm was saved by Excel: its untouched sheet modules are our reference."""
    with zipfile.ZipFile(XLWINGS_DIR / "quickstart.xlsm") as z:
        parser = VBA_Parser("quickstart.xlsm", data=z.read("xl/vbaProject.bin"))
    excel = {stream.split("/")[-1]: code for _, stream, _, code in parser.extract_macros()}
    for name in ("ThisWorkbook", "Sheet1", "Sheet2"):
        assert vbaproject.stored_source(VbaModule(name, "document", "")) == excel[name]


def test_module_from_file_detects_kind_and_name(tmp_path: Path) -> None:
    dictionary = vbaproject.module_from_file(DICTIONARY_CLS)
    assert (dictionary.name, dictionary.kind) == ("Dictionary", "class")
    assert dictionary.source.startswith('Attribute VB_Name = "Dictionary"\r\n')
    assert vbaproject.module_from_file(XLWINGS_BAS).kind == "standard"
    plain = tmp_path / "Helpers.bas"
    plain.write_text("Sub A()\nEnd Sub\n")
    assert vbaproject.module_from_file(plain) == VbaModule("Helpers", "standard", "Sub A()\r\nEnd Sub\r\n")
    (tmp_path / "x.txt").write_text("")
    with pytest.raises(ValueError, match="kind"):
        vbaproject.module_from_file(tmp_path / "x.txt")


# --- the whole project -------------------------------------------------------------------------


def test_olevba_extracts_every_module_exactly(built: tuple) -> None:
    """olevba finds the six modules, names them, types them, and returns our stored text.

    Compared: olevba's decoded code string against ``stored_source(module)`` (the header
    ``Attribute`` lines plus the body), after turning CRLF into LF on both sides and nothing else.
    """
    modules, _, path = built
    parser = VBA_Parser(str(path))
    assert parser.detect_vba_macros()
    found = {stream: (filename, code) for _, stream, filename, code in parser.extract_macros()}
    assert sorted(found) == sorted(f"VBA/{m.name}" for m in modules)
    assert len(found) == 6
    for module in modules:
        filename, code = found[f"VBA/{module.name}"]
        assert filename == module.name + (".bas" if module.kind == "standard" else ".cls")
        expected = vbaproject.stored_source(module)
        assert code.replace("\r\n", "\n") == expected.replace("\r\n", "\n")
    assert 'RunPython "import xl_gongkai.excel as e; e.check()"' in found["VBA/GongkaiRibbon"][1]


def test_compound_file_structure(built: tuple) -> None:
    modules, data, _ = built
    ole = olefile.OleFileIO(data)
    assert ole.parsing_issues == []
    streams = sorted("/".join(p) for p in ole.listdir())
    assert streams == sorted(
        ["PROJECT", "PROJECTwm", "VBA/_VBA_PROJECT", "VBA/dir", *(f"VBA/{m.name}" for m in modules)]
    )
    assert ole.openstream("VBA/_VBA_PROJECT").read() == bytes.fromhex("CC61FFFF000100")
    # Both sides of the 4096-byte mini-stream cutoff are exercised.
    sizes = {m.name: ole.get_size(f"VBA/{m.name}") for m in modules}
    assert sizes["xlwings"] > 4096 and sizes["Dictionary"] > 4096 and sizes["ThisWorkbook"] < 4096
    for storage_sid in [0, *(i for i, e in enumerate(ole.direntries) if e is not None and e.name == "VBA")]:
        check_sibling_tree(ole, storage_sid)


def test_project_and_name_map_streams(built: tuple) -> None:
    modules, data, _ = built
    ole = olefile.OleFileIO(data)
    text = ole.openstream("PROJECT").read().decode("cp1252")
    lines = text.split("\r\n")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    assert lines[0] == f'ID="{vbaproject.PROJECT_ID}"'
    assert lines[1:7] == [
        "Document=ThisWorkbook/&H00000000",
        "Document=Sheet1/&H00000000",
        "Document=Sheet2/&H00000000",
        "Module=GongkaiRibbon",
        "Module=xlwings",
        "Class=Dictionary",
    ]
    assert lines[7:10] == ['Name="VBAProject"', 'HelpContextID="0"', 'VersionCompatible32="393222000"']
    values = dict(re.findall(r'^(CMG|DPB|GC)="([0-9A-F]+)"\r$', text, re.MULTILINE))
    assert vbaproject.decrypt_project_data(values["CMG"]) == b"\x00\x00\x00\x00"  # nothing locked
    assert vbaproject.decrypt_project_data(values["DPB"]) == b"\x00"  # no password
    assert vbaproject.decrypt_project_data(values["GC"]) == b"\xff"  # visible
    assert (
        "\r\n[Host Extender Info]\r\n&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000\r\n"
        in text
    )
    assert lines[-len(modules) - 2 :] == ["[Workspace]", *(f"{m.name}=0, 0, 0, 0, C" for m in modules), ""]
    name_map = b"".join(m.name.encode() + b"\x00" + m.name.encode("utf-16-le") + b"\x00\x00" for m in modules)
    assert ole.openstream("PROJECTwm").read() == name_map + b"\x00\x00"


def dir_records(data: bytes) -> list[tuple[int, bytes]]:
    """Walk the decompressed dir stream; PROJECTVERSION's size field is a constant 4 (6 bytes follow)."""
    records, pos = [], 0
    while pos < len(data):
        rid = int.from_bytes(data[pos : pos + 2], "little")
        size = 6 if rid == 0x0009 else int.from_bytes(data[pos + 2 : pos + 6], "little")
        records.append((rid, data[pos + 6 : pos + 6 + size]))
        pos += 6 + size
    assert pos == len(data)
    return records


def test_dir_stream_records(built: tuple) -> None:
    modules, data, _ = built
    packed = olefile.OleFileIO(data).openstream("VBA/dir").read()
    records = dir_records(decompress_stream(packed))
    assert ovba_compress.decompress(packed) == decompress_stream(packed)
    first = dict(records[:4])
    assert first[0x0001] == (3).to_bytes(4, "little")  # SYSKIND Win64
    assert first[0x0002] == first[0x0014] == (0x409).to_bytes(4, "little")  # LCID, LCIDINVOKE
    assert first[0x0003] == (1252).to_bytes(2, "little")
    ids = [rid for rid, _ in records]
    assert ids[:14] == [0x01, 0x02, 0x14, 0x03, 0x04, 0x05, 0x40, 0x06, 0x3D, 0x07, 0x08, 0x09, 0x0C, 0x3C]
    assert dict(records)[0x0004] == b"VBAProject"
    refs = [(records[i][1], records[i + 2][1]) for i, rid in enumerate(ids) if rid == 0x16]
    assert [name for name, _ in refs] == [b"stdole", b"Office"]
    libids = [body[4 : 4 + int.from_bytes(body[:4], "little")] for _, body in refs]
    assert libids[0].startswith(rb"*\G{00020430-0000-0000-C000-000000000046}#2.0#0#")
    assert libids[1].endswith(rb"OFFICE16\MSO.DLL#Microsoft Office 16.0 Object Library")
    assert dict(records)[0x000F] == len(modules).to_bytes(2, "little")
    assert dict(records)[0x0013] == b"\xff\xff"
    types = [rid for rid in ids if rid in (0x21, 0x22)]
    assert types == [0x21 if m.kind == "standard" else 0x22 for m in modules]
    assert [body for rid, body in records if rid == 0x0019] == [m.name.encode() for m in modules]
    assert all(body == b"\x00\x00\x00\x00" for rid, body in records if rid == 0x0031)  # OFFSET 0
    assert ids.count(0x002B) == len(modules) and ids[-1] == 0x0010


def test_builds_are_byte_identical() -> None:
    first = vbaproject.build_vba_project(full_project())
    second = vbaproject.build_vba_project(full_project())
    assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest()


def test_encryption_matches_excel_and_aspose_output() -> None:
    """CMG/DPB/GC values from xlwings' Excel-saved and Aspose-saved files decrypt and re-encrypt exactly."""
    for book in ("quickstart.xlsm", "quickstart_standalone.xlsm"):
        with zipfile.ZipFile(XLWINGS_DIR / book) as z:
            text = olefile.OleFileIO(io.BytesIO(z.read("xl/vbaProject.bin"))).openstream("PROJECT").read()
        text = text.decode("cp1252")
        project_id = re.search(r'^ID="(\{[0-9A-F-]+\})"', text, re.MULTILINE).group(1)
        for key, plain in [("CMG", bytes(4)), ("DPB", b"\x00"), ("GC", b"\xff")]:
            value = re.search(rf'^{key}="([0-9A-F]+)"', text, re.MULTILINE).group(1)
            filler, data = vbaproject._decrypt_with_filler(value)
            assert data == plain
            again = vbaproject.encrypt_project_data(data, project_id, int(value[:2], 16), filler=filler)
            assert again == value


def test_non_encodable_text_names_module_and_line() -> None:
    module = VbaModule("Msgs", "standard", 'Sub A()\n    MsgBox "校验通过"\nEnd Sub\n')
    with pytest.raises(ValueError, match=r"'Msgs', line 2: '校'"):
        vbaproject.build_vba_project([module])
    data = vbaproject.build_vba_project([module], codepage=936)
    codes = {s: c for _, s, _, c in VBA_Parser("x.bin", data=data).extract_macros()}
    assert '"校验通过"' in codes["VBA/Msgs"]


@pytest.mark.parametrize(
    ("modules", "message"),
    [
        ([VbaModule("A", "standard", ""), VbaModule("a", "class", "")], "clashes"),
        ([VbaModule("Dir", "standard", "")], "clashes"),
        ([VbaModule("VBAProject", "standard", "")], "clashes"),
        ([VbaModule("1st", "standard", "")], "identifier"),
        ([VbaModule("X" * 32, "standard", "")], "identifier"),
        ([VbaModule("A", "standard", 'Attribute VB_Name = "B"\n')], "VB_Name"),
        ([VbaModule("A", "form", "")], "kind"),  # type: ignore[arg-type]
    ],
)
def test_invalid_projects_are_rejected(modules: list[vbaproject.VbaModule], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        vbaproject.build_vba_project(modules)


# --- MODULEPRIVATE -----------------------------------------------------------------------------


def _module_records(data: bytes) -> dict[str, list[int]]:
    """Record ids of each module's block in the dir stream, by module name."""
    records = dir_records(decompress_stream(olefile.OleFileIO(data).openstream("VBA/dir").read()))
    out: dict[str, list[int]] = {}
    current: list[int] | None = None
    for rid, body in records:
        if rid == 0x0019:
            current = out.setdefault(body.decode("ascii"), [])
        if current is not None:
            current.append(rid)
        if rid == 0x002B:
            current = None
    return out


def test_a_module_that_is_not_exposed_gets_a_moduleprivate_record() -> None:
    """MS-OVBA 2.3.4.2.3.2.10: Excel writes MODULEPRIVATE (0x0028, size 0) for every VB_Exposed = False module."""
    hidden = VbaModule("Helper", "class", "Option Explicit\nPublic Value As Long\n")  # class default: not exposed
    exposed = VbaModule("Shared", "class", "Attribute VB_Exposed = True\nOption Explicit\n")
    plain = VbaModule("Tools", "standard", "Option Explicit\n")
    assert "Attribute VB_Exposed = False" in vbaproject.stored_source(hidden)
    assert [vbaproject.is_private(m) for m in (hidden, exposed, plain)] == [True, False, False]
    data = vbaproject.build_vba_project([VbaModule("ThisWorkbook", "document", ""), hidden, exposed, plain])
    blocks = _module_records(data)
    assert blocks["Helper"][-3:] == [0x0022, 0x0028, 0x002B]  # after MODULETYPE, before the terminator
    for name in ("Shared", "Tools", "ThisWorkbook"):
        assert 0x0028 not in blocks[name], name
    raw = decompress_stream(olefile.OleFileIO(data).openstream("VBA/dir").read())
    assert bytes.fromhex("2800" "00000000" "2b00" "00000000") in raw
    # olevba still reads every module exactly
    codes = {s: c for _, s, _, c in VBA_Parser("x.bin", data=data).extract_macros()}
    assert codes["VBA/Helper"].replace("\r\n", "\n") == vbaproject.stored_source(hidden).replace("\r\n", "\n")


def test_the_template_project_marks_exactly_its_private_modules() -> None:
    from xl_gongkai.build import package

    modules = package.vba_modules(["SheetA"])
    blocks = _module_records(package.vba_project(["SheetA"]))
    for m in modules:
        assert (0x0028 in blocks[m.name]) == ("Attribute VB_Exposed = False" in vbaproject.stored_source(m)), m.name

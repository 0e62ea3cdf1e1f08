"""Build an Excel ``vbaProject.bin`` from plain module source text (MS-OVBA), without Excel.

The project is written "version independent": ``_VBA_PROJECT`` holds only its 7-byte header and
module streams hold source only (no compiled p-code). MS-OVBA requires that form on write
(2.3.4.1) and Office then compiles from source on open. Everything is deterministic (fixed project
GUID, fixed encryption seed, no timestamps), so the template can be rebuilt byte for byte.

What gets stored per module is what Excel itself stores: ``Attribute`` header lines first, then the
code, CRLF line endings. ``stored_source`` returns that text, so tests can compare against it.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .cfb import write_cfb
from .ovba_compress import compress, decompress

ModuleKind = Literal["standard", "class", "document"]

PROJECT_ID = "{4A1C7E52-9B3D-4F6A-8E21-6D0B5C93F7A8}"
"""Fixed project CLSID: a random GUID would make every build differ."""

ENCRYPTION_SEED = 0x8D
"""Fixed seed for the CMG/DPB/GC obfuscation (MS-OVBA 2.4.3); any byte is valid, fixed = reproducible."""

SYSKIND_WIN64 = 3
"""PROJECTSYSKIND. 64-bit Office has been the default install since Office 2019 / Microsoft 365,
and Excel-saved files from it carry 3. With no p-code stored, a 32-bit Excel simply compiles
from source, so the value only records the platform the project claims to come from."""

LCID_EN_US = 0x0409
"""PROJECTLCID and PROJECTLCIDINVOKE: MS-OVBA says both MUST be 0x409."""

_VBA_PROJECT_STREAM = bytes([0xCC, 0x61, 0xFF, 0xFF, 0x00, 0x01, 0x00])

_REFERENCES = (
    (
        "stdole",
        r"*\G{00020430-0000-0000-C000-000000000046}#2.0#0#C:\Windows\System32\stdole2.tlb#OLE Automation",
    ),
    (
        # Needed because ribbon callbacks are typed ``control As IRibbonControl``.
        "Office",
        r"*\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#C:\Program Files\Common Files"
        r"\Microsoft Shared\OFFICE16\MSO.DLL#Microsoft Office 16.0 Object Library",
    ),
)

_BASE_WORKBOOK = '"0{00020819-0000-0000-C000-000000000046}"'
_BASE_WORKSHEET = '"0{00020820-0000-0000-C000-000000000046}"'
_BASE_CLASS = '"0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"'

# Header attributes in the order Excel writes them, with Excel's values for a new module.
_DOCUMENT_DEFAULTS = {
    "VB_GlobalNameSpace": "False",
    "VB_Creatable": "False",
    "VB_PredeclaredId": "True",
    "VB_Exposed": "True",
    "VB_TemplateDerived": "False",
    "VB_Customizable": "True",
}
_CLASS_DEFAULTS = {
    "VB_GlobalNameSpace": "False",
    "VB_Creatable": "False",
    "VB_PredeclaredId": "False",
    "VB_Exposed": "False",
    "VB_TemplateDerived": "False",
    "VB_Customizable": "False",
}

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_ATTRIBUTE = re.compile(r"^Attribute\s+(VB_\w+)\s*=\s*(.*?)\s*$", re.IGNORECASE)
_EXPORT_VERSION = re.compile(r"^VERSION\s+\d+\.\d+\s+CLASS\s*$", re.IGNORECASE)
_MAX_NAME = 31


@dataclass(frozen=True)
class VbaModule:
    """One VBA module as a developer sees it in the VBE.

    ``source`` needs no ``Attribute`` lines; any that are present (e.g. from a VBE export) are kept,
    and a ``VERSION 1.0 CLASS`` / ``BEGIN`` ... ``END`` export header is dropped.
    """

    name: str
    kind: ModuleKind
    source: str


def _split_lines(text: str) -> list[str]:
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()  # text ending in a line break has no extra empty line
    return lines


def _strip_export_header(lines: list[str]) -> list[str]:
    """Drop the ``VERSION ... CLASS`` / ``BEGIN`` ... ``END`` block that VBE puts in .cls exports.

    Excel never stores it: it is export-file metadata (for VBA classes, ``MultiUse = -1``).
    """
    if not lines or not _EXPORT_VERSION.match(lines[0].strip()):
        return lines
    depth = 0
    for i, line in enumerate(lines[1:], start=1):
        word = line.strip().split(" ", 1)[0].upper()
        if word == "BEGIN":
            depth += 1
        elif word == "END" and line.strip().upper() == "END":
            depth -= 1
            if depth == 0:
                return lines[i + 1 :]
        elif depth == 0:
            break
    raise ValueError("VBE export header 'VERSION ... CLASS' without a matching BEGIN ... END block")


def _default_base(module: VbaModule) -> str | None:
    if module.kind == "class":
        return _BASE_CLASS
    if module.kind == "document":
        return _BASE_WORKBOOK if module.name == "ThisWorkbook" else _BASE_WORKSHEET
    return None


def stored_source(module: VbaModule) -> str:
    """The exact module text stored in the project (before encoding), with CRLF line endings.

    Header ``Attribute VB_*`` lines come first in Excel's order: ``VB_Name``, then for document and
    class modules ``VB_Base`` and the six flags (values from the input win over Excel's defaults),
    then any other header attributes (e.g. ``VB_Description``) in input order. Every line,
    including the last, ends with CRLF, as in files Excel saves.
    """
    lines = _strip_export_header(_split_lines(module.source))
    given: dict[str, str] = {}
    body_at = 0
    while body_at < len(lines) and (match := _ATTRIBUTE.match(lines[body_at])):
        given[match.group(1)] = match.group(2)
        body_at += 1
    keys = {k.lower(): k for k in given}
    name_key = keys.get("vb_name")
    if name_key is not None and given[name_key] != f'"{module.name}"':
        raise ValueError(f"VBA module {module.name!r}: source says Attribute VB_Name = {given[name_key]}")

    def take(key: str, default: str) -> str:
        found = keys.pop(key.lower(), None)
        return given[found] if found is not None else default

    header = {"VB_Name": take("VB_Name", f'"{module.name}"')}
    base = _default_base(module)
    if base is not None:
        header["VB_Base"] = take("VB_Base", base)
        defaults = _DOCUMENT_DEFAULTS if module.kind == "document" else _CLASS_DEFAULTS
        header.update({key: take(key, value) for key, value in defaults.items()})
    header.update({original: given[original] for original in keys.values()})
    text_lines = [f"Attribute {key} = {value}" for key, value in header.items()] + lines[body_at:]
    return "".join(line + "\r\n" for line in text_lines)


def is_private(module: VbaModule) -> bool:
    """Whether the module is private to its project: its stored header says ``VB_Exposed = False``.

    Excel writes a MODULEPRIVATE record (MS-OVBA 2.3.4.2.3.2.10) for exactly those modules; class
    modules are not exposed unless their source says so (``_CLASS_DEFAULTS``).
    """
    for line in _split_lines(stored_source(module)):
        match = _ATTRIBUTE.match(line)
        if not match:
            break
        if match.group(1).lower() == "vb_exposed":
            return match.group(2).strip().lower() == "false"
    return False


def _codec(codepage: int) -> str:
    name = f"cp{codepage}"
    try:
        codecs.lookup(name)
    except LookupError:
        raise ValueError(f"code page {codepage} has no Python codec ({name})") from None
    return name


def _encode_source(module: VbaModule, text: str, codec: str, codepage: int) -> bytes:
    """Encode in the project code page, naming module and source line on failure.

    Line numbers count lines of ``module.source`` as given, starting at 1.
    """
    for lineno, line in enumerate(_split_lines(module.source), start=1):
        try:
            line.encode(codec)
        except UnicodeEncodeError as exc:
            char = line[exc.start]
            raise ValueError(
                f"VBA module {module.name!r}, line {lineno}: {char!r} (U+{ord(char):04X}) cannot be "
                f"encoded in code page {codepage}; keep VBA source ASCII (ChrW() builds other text)"
            ) from None
    return text.encode(codec)


def _check_identifier(what: str, name: str, codec: str, codepage: int) -> None:
    if not (
        name and len(name) <= _MAX_NAME and name[0].isalpha() and all(c.isalnum() or c == "_" for c in name)
    ):
        raise ValueError(f"{what} {name!r} is not a VBA identifier (letter first, then letters, digits, _)")
    try:
        name.encode(codec)
    except UnicodeEncodeError:
        raise ValueError(f"{what} {name!r} cannot be encoded in code page {codepage}") from None


def _record(record_id: int, payload: bytes) -> bytes:
    return record_id.to_bytes(2, "little") + len(payload).to_bytes(4, "little") + payload


def _u16(value: int) -> bytes:
    return value.to_bytes(2, "little")


def _u32(value: int) -> bytes:
    return value.to_bytes(4, "little")


def _text_pair(id_mbcs: int, id_unicode: int, text: str, codec: str) -> bytes:
    """An MBCS record followed by its UTF-16 twin, the layout several dir records share."""
    return _record(id_mbcs, text.encode(codec)) + _record(id_unicode, text.encode("utf-16-le"))


def _dir_stream(modules: Sequence[VbaModule], project_name: str, codepage: int, codec: str) -> bytes:
    """The decompressed ``dir`` stream (MS-OVBA 2.3.4.2)."""
    out = bytearray()
    out += _record(0x0001, _u32(SYSKIND_WIN64))  # PROJECTSYSKIND
    out += _record(0x0002, _u32(LCID_EN_US))  # PROJECTLCID
    out += _record(0x0014, _u32(LCID_EN_US))  # PROJECTLCIDINVOKE
    out += _record(0x0003, _u16(codepage))  # PROJECTCODEPAGE
    out += _record(0x0004, project_name.encode(codec))  # PROJECTNAME
    out += _text_pair(0x0005, 0x0040, "", codec)  # PROJECTDOCSTRING
    out += _text_pair(0x0006, 0x003D, "", codec)  # PROJECTHELPFILEPATH (HelpFile1, HelpFile2)
    out += _record(0x0007, _u32(0))  # PROJECTHELPCONTEXT
    out += _record(0x0008, _u32(0))  # PROJECTLIBFLAGS
    # PROJECTVERSION: its "size" field is a fixed Reserved = 4 although 6 bytes follow.
    out += _u16(0x0009) + _u32(4) + _u32(1) + _u16(0)
    out += _text_pair(0x000C, 0x003C, "", codec)  # PROJECTCONSTANTS
    for ref_name, libid in _REFERENCES:
        out += _text_pair(0x0016, 0x003E, ref_name, codec)  # REFERENCENAME
        libid_bytes = libid.encode(codec)
        body = _u32(len(libid_bytes)) + libid_bytes + _u32(0) + _u16(0)
        out += _record(0x000D, body)  # REFERENCEREGISTERED
    out += _record(0x000F, _u16(len(modules)))  # PROJECTMODULES
    out += _record(0x0013, _u16(0xFFFF))  # PROJECTCOOKIE: MUST be 0xFFFF on write
    for module in modules:
        out += _record(0x0019, module.name.encode(codec))  # MODULENAME
        out += _record(0x0047, module.name.encode("utf-16-le"))  # MODULENAMEUNICODE
        out += _text_pair(0x001A, 0x0032, module.name, codec)  # MODULESTREAMNAME
        out += _text_pair(0x001C, 0x0048, "", codec)  # MODULEDOCSTRING
        out += _record(0x0031, _u32(0))  # MODULEOFFSET: source starts at 0, there is no p-code
        out += _record(0x001E, _u32(0))  # MODULEHELPCONTEXT
        out += _record(0x002C, _u16(0xFFFF))  # MODULECOOKIE: MUST be 0xFFFF on write
        out += _record(0x0021 if module.kind == "standard" else 0x0022, b"")  # MODULETYPE
        if is_private(module):
            out += _record(0x0028, b"")  # MODULEPRIVATE: Reserved MUST be 0, so the size field is 0
        out += _record(0x002B, b"")  # module terminator
    out += _record(0x0010, b"")  # dir terminator
    return bytes(out)


def encrypt_project_data(
    data: bytes, project_id: str = PROJECT_ID, seed: int = ENCRYPTION_SEED, *, filler: bytes | None = None
) -> str:
    """MS-OVBA 2.4.3.2 data "encryption" (obfuscation) as the upper-case hex used in ``PROJECT``.

    The spec lets the ``(seed & 6) // 2`` ignored bytes be anything; Excel uses random ones. We use
    zeros unless ``filler`` is given (tests pass Excel's to reproduce its output exactly).
    """
    proj_key = sum(project_id.encode("ascii")) & 0xFF
    version_enc = seed ^ 2
    proj_key_enc = seed ^ proj_key
    out = bytearray([seed, version_enc, proj_key_enc])
    unencrypted_1, encrypted_1, encrypted_2 = proj_key, proj_key_enc, version_enc
    ignored = bytes((seed & 6) // 2) if filler is None else filler
    if len(ignored) != (seed & 6) // 2:
        raise ValueError(f"seed {seed:#04x} needs {(seed & 6) // 2} filler bytes, got {len(ignored)}")
    for byte in ignored + len(data).to_bytes(4, "little") + data:
        byte_enc = byte ^ ((encrypted_2 + unencrypted_1) & 0xFF)
        out.append(byte_enc)
        encrypted_2, encrypted_1, unencrypted_1 = encrypted_1, byte_enc, byte
    return out.hex().upper()


def decrypt_project_data(hex_text: str) -> bytes:
    """Inverse of ``encrypt_project_data`` (MS-OVBA 2.4.3.3); used by self-checks and tests."""
    return _decrypt_with_filler(hex_text)[1]


def _decrypt_with_filler(hex_text: str) -> tuple[bytes, bytes]:
    """Decrypt to ``(ignored filler bytes, data)``."""
    raw = bytes.fromhex(hex_text)
    seed, version_enc, proj_key_enc = raw[0], raw[1], raw[2]
    if seed ^ version_enc != 2:
        raise ValueError("encrypted project data: version is not 2")
    unencrypted_1, encrypted_1, encrypted_2 = seed ^ proj_key_enc, proj_key_enc, version_enc
    plain = bytearray()
    for byte_enc in raw[3:]:
        byte = byte_enc ^ ((encrypted_2 + unencrypted_1) & 0xFF)
        plain.append(byte)
        encrypted_2, encrypted_1, unencrypted_1 = encrypted_1, byte_enc, byte
    ignored = (seed & 6) // 2
    length = int.from_bytes(plain[ignored : ignored + 4], "little")
    data = bytes(plain[ignored + 4 :])
    if len(data) != length:
        raise ValueError(f"encrypted project data: length says {length}, found {len(data)} bytes")
    return bytes(plain[:ignored]), data


def _project_stream(modules: Sequence[VbaModule], project_name: str, codec: str) -> bytes:
    """The ``PROJECT`` stream text (MS-OVBA 2.3.1), lines and order as Excel writes them."""
    lines = [f'ID="{PROJECT_ID}"']
    for module in modules:
        lines.append(
            {
                "document": f"Document={module.name}/&H00000000",
                "standard": f"Module={module.name}",
                "class": f"Class={module.name}",
            }[module.kind]
        )
    lines += [
        f'Name="{project_name}"',
        'HelpContextID="0"',
        'VersionCompatible32="393222000"',
        f'CMG="{encrypt_project_data(bytes(4))}"',  # protection state: nothing locked
        f'DPB="{encrypt_project_data(bytes(1))}"',  # password: none
        f'GC="{encrypt_project_data(bytes([0xFF]))}"',  # visibility: visible
        "",
        "[Host Extender Info]",
        "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000",
        "",
        "[Workspace]",
    ]
    lines += [f"{module.name}=0, 0, 0, 0, C" for module in modules]
    return "".join(line + "\r\n" for line in lines).encode(codec)


def _project_wm(modules: Sequence[VbaModule], codec: str) -> bytes:
    """``PROJECTwm`` (MS-OVBA 2.3.3): each name as MBCS and UTF-16, both NUL-terminated."""
    out = bytearray()
    for module in modules:
        out += module.name.encode(codec) + b"\x00" + module.name.encode("utf-16-le") + b"\x00\x00"
    return bytes(out + b"\x00\x00")


def _check_modules(modules: Sequence[VbaModule], project_name: str, codec: str, codepage: int) -> None:
    _check_identifier("VBA project name", project_name, codec, codepage)
    seen = {project_name.lower(): f"project {project_name!r}", "dir": "the 'dir' stream"}
    for module in modules:
        if module.kind not in ("standard", "class", "document"):
            raise ValueError(f"VBA module {module.name!r}: unknown kind {module.kind!r}")
        _check_identifier("VBA module name", module.name, codec, codepage)
        clash = seen.get(module.name.lower())
        if clash is not None:
            raise ValueError(f"VBA module name {module.name!r} clashes with {clash}")
        seen[module.name.lower()] = f"module {module.name!r}"


def build_vba_project(
    modules: Sequence[VbaModule], *, project_name: str = "VBAProject", codepage: int = 1252
) -> bytes:
    """Return the bytes of a ``vbaProject.bin`` holding ``modules`` (in the given order)."""
    codec = _codec(codepage)
    _check_modules(modules, project_name, codec, codepage)
    vba: dict[str, bytes] = {"_VBA_PROJECT": _VBA_PROJECT_STREAM}
    vba["dir"] = compress(_dir_stream(modules, project_name, codepage, codec))
    for module in modules:
        raw = _encode_source(module, stored_source(module), codec, codepage)
        packed = compress(raw)
        if decompress(packed) != raw:  # only possible for incompressible data; text never is
            raise ValueError(f"VBA module {module.name!r} does not round-trip through compression")
        vba[module.name] = packed
    return write_cfb(
        {
            "PROJECT": _project_stream(modules, project_name, codec),
            "PROJECTwm": _project_wm(modules, codec),
            "VBA": vba,
        }
    )


def module_from_file(
    path: str | Path, kind: ModuleKind | None = None, *, encoding: str = "utf-8"
) -> VbaModule:
    """Read a VBE export (``.bas`` standard, ``.cls`` class) into a ``VbaModule``.

    The module name comes from ``Attribute VB_Name`` when present, else from the file stem. Pass
    ``kind="document"`` for an exported sheet or workbook module (also a ``.cls`` file). The export
    header is stripped; other ``Attribute`` lines stay so non-default ones (e.g. ``VB_Exposed =
    True``) survive. ``encoding`` defaults to UTF-8 because the project keeps VBA ASCII-only.
    """
    path = Path(path)
    if kind is None:
        kinds: dict[str, ModuleKind] = {".bas": "standard", ".cls": "class"}
        try:
            kind = kinds[path.suffix.lower()]
        except KeyError:
            raise ValueError(f"cannot tell the VBA module kind of {path.name}; pass kind=") from None
    text = path.read_bytes().decode(encoding)
    lines = _strip_export_header(_split_lines(text))
    name = path.stem
    for line in lines:
        match = _ATTRIBUTE.match(line)
        if not match:
            break
        if match.group(1).lower() == "vb_name":
            name = match.group(2).strip('"')
    return VbaModule(name=name, kind=kind, source="".join(line + "\r\n" for line in lines))

"""The package: zip in and out within limits, relationships, the part of a sheet."""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from urllib.parse import unquote

from .common import (
    _CHUNK,
    _DEFAULT_WORKBOOK,
    DEFLATE_LEVEL,
    MAX_ENTRIES,
    MAX_PART_SIZE,
    MAX_TOTAL_SIZE,
    WorkbookFormatError,
)
from .verify import _parse_xml


@dataclass
class _Package:
    infos: list[zipfile.ZipInfo]
    data: dict[str, bytes]
    comment: bytes
    folded: dict[str, str]  # case-folded name -> name (OPC part names are case-insensitive)

    def find(self, name: str) -> str | None:
        if name in self.data:
            return name
        return self.folded.get(name.casefold())


def _unsafe_name(name: str) -> bool:
    n = name.replace("\\", "/")
    return (
        not n
        or "\x00" in n
        or n.startswith("/")
        or re.match(r"^[A-Za-z]:", n) is not None
        or ".." in n.split("/")
    )


def _read_package(package: bytes) -> _Package:
    try:
        zf = zipfile.ZipFile(io.BytesIO(package))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise WorkbookFormatError(
            "文件不是有效的 Excel 工作簿（.xlsx/.xlsm 应为 zip 压缩包；若设置了打开密码，请先取消密码）。"
        ) from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ENTRIES:
            raise WorkbookFormatError(f"压缩包中的文件过多（{len(infos)} 个），拒绝处理。")
        seen: set[str] = set()
        total = 0
        for info in infos:
            name = info.filename
            if _unsafe_name(name):
                raise WorkbookFormatError(f"压缩包中含有不安全的路径“{name}”，拒绝处理。")
            if name in seen:
                raise WorkbookFormatError(f"压缩包中“{name}”出现了两次，拒绝处理。")
            seen.add(name)
            if info.flag_bits & 0x1:
                raise WorkbookFormatError(f"压缩包中的“{name}”已加密，无法处理。")
            if info.file_size > MAX_PART_SIZE:
                raise WorkbookFormatError(
                    f"压缩包中的“{name}”解压后有 {info.file_size} 字节，超过上限 {MAX_PART_SIZE} 字节，拒绝处理。"
                )
            total += info.file_size
            if total > MAX_TOTAL_SIZE:
                raise WorkbookFormatError(f"压缩包解压后超过 {MAX_TOTAL_SIZE} 字节，拒绝处理。")
        data: dict[str, bytes] = {}
        total = 0
        for info in infos:
            data[info.filename] = _read_entry(zf, info, MAX_TOTAL_SIZE - total)
            total += len(data[info.filename])
        comment = zf.comment
    folded = {}
    for name in data:
        folded.setdefault(name.casefold(), name)
    return _Package(infos, data, comment, folded)


def _read_entry(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> bytes:
    """An entry's bytes, counted as they come (a lying size header cannot make us read more)."""
    limit = min(MAX_PART_SIZE, budget)
    buf = bytearray()
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(_CHUNK):
                buf += chunk
                if len(buf) > limit:
                    raise WorkbookFormatError(f"压缩包中的“{info.filename}”解压后超过大小上限，拒绝处理。")
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError, OSError, RuntimeError) as exc:
        raise WorkbookFormatError(f"压缩包中的“{info.filename}”无法解压（{exc}），文件可能已损坏。") from None
    return bytes(buf)


def _strip_zip64(extra: bytes) -> bytes:
    """The entry's extra fields minus zip64 (zipfile writes its own when needed; a stale one corrupts)."""
    out = bytearray()
    i = 0
    while i + 4 <= len(extra):
        kind, size = struct.unpack("<HH", extra[i : i + 4])
        if i + 4 + size > len(extra):
            return bytes(out)
        if kind != 0x0001:
            out += extra[i : i + 4 + size]
        i += 4 + size
    return bytes(out)


def _write_package(pkg: _Package, changed: dict[str, bytes], removed: set[str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", allowZip64=True) as zo:
        for info in pkg.infos:
            name = info.filename
            if name in removed:
                continue
            zi = zipfile.ZipInfo(name, info.date_time)
            zi.compress_type = info.compress_type
            zi.external_attr = info.external_attr
            zi.internal_attr = info.internal_attr
            zi.create_system = info.create_system
            zi.comment = info.comment
            zi.extra = _strip_zip64(info.extra)
            level = DEFLATE_LEVEL if info.compress_type == zipfile.ZIP_DEFLATED else None
            zo.writestr(zi, changed.get(name, pkg.data[name]), compresslevel=level)
            # zipfile turns external attributes of 0 into 0o600 << 16 while writing; the central
            # directory is written from this object at close, so put the original back.
            zi.external_attr = info.external_attr
        zo.comment = pkg.comment
    return out.getvalue()


@dataclass(frozen=True)
class _Rel:
    id: str
    type: str
    target: str  # resolved part name, "" for external targets


def _rels_part(part: str) -> str:
    folder, _, base = part.rpartition("/")
    return f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"


def _resolve(source: str, target: str) -> str:
    target = unquote(target.strip())
    if target.startswith("/"):
        path = posixpath.normpath(target.lstrip("/"))
    else:
        path = posixpath.normpath(posixpath.join(posixpath.dirname(source), target))
    return "" if path.startswith("..") else path


def _read_rels(pkg: _Package, source: str) -> tuple[str | None, list[_Rel]]:
    part = pkg.find(_rels_part(source))
    if part is None:
        return None, []
    root = _parse_xml(pkg.data[part], part)
    rels = []
    for el in root:
        if _local_tag(el.tag) != "Relationship":
            continue
        external = (el.get("TargetMode") or "").lower() == "external"
        target = "" if external else _resolve(source, el.get("Target") or "")
        rels.append(_Rel(el.get("Id") or "", el.get("Type") or "", target))
    return part, rels


def _local_tag(tag: str) -> str:
    return tag.rpartition("}")[2]


@dataclass(frozen=True)
class _Book:
    part: str
    rels_part: str | None
    rels: list[_Rel]
    sheets: dict[str, str]  # name -> relationship id


def _read_book(pkg: _Package) -> _Book:
    book = None
    _, root_rels = _read_rels(pkg, "")
    for rel in root_rels:
        if rel.type.endswith("/officeDocument") and rel.target:
            book = pkg.find(rel.target)
            break
    book = book or pkg.find(_DEFAULT_WORKBOOK)
    if book is None:
        raise WorkbookFormatError("压缩包中找不到工作簿部件（xl/workbook.xml），不是有效的 Excel 工作簿。")
    root = _parse_xml(pkg.data[book], book)
    sheets: dict[str, str] = {}
    listed = [el for group in root if _local_tag(group.tag) == "sheets" for el in group]
    for el in listed:
        if _local_tag(el.tag) != "sheet":
            continue
        rid = next((v for k, v in el.attrib.items() if k.endswith("}id") and "relationships" in k), None)
        name = el.get("name")
        if name is None or rid is None:
            raise WorkbookFormatError(f"{book}：<sheet> 缺少 name 或 r:id 属性。")
        if name in sheets:
            raise WorkbookFormatError(f"{book}：工作表名称“{name}”重复。")
        sheets[name] = rid
    rels_part, rels = _read_rels(pkg, book)
    return _Book(book, rels_part, rels, sheets)


def _sheet_part(pkg: _Package, book: _Book, sheet: str) -> str:
    rid = book.sheets.get(sheet)
    if rid is None:
        names = "、".join(f"“{n}”" for n in book.sheets) or "（无）"
        raise WorkbookFormatError(f"工作簿中没有名为“{sheet}”的工作表（现有：{names}）。")
    rel = next((r for r in book.rels if r.id == rid), None)
    if rel is None or not rel.target:
        raise WorkbookFormatError(f"工作表“{sheet}”：{book.rels_part or book.part} 中找不到关系 {rid}。")
    if not rel.type.endswith("/worksheet"):
        kind = rel.type.rpartition("/")[2]
        raise WorkbookFormatError(f"“{sheet}”不是普通工作表（{kind}），不能写入单元格。")
    part = pkg.find(rel.target)
    if part is None:
        raise WorkbookFormatError(f"工作表“{sheet}”：压缩包中缺少部件 {rel.target}。")
    return part

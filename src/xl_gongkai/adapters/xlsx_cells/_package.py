"""The package: every part in memory (read within the shared limits), relationships, the part of a sheet."""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from urllib.parse import unquote

from ..package_zip import EntryMeta, ZipPackage, ascii_lower, write_zip
from ._common import DEFAULT_WORKBOOK, MAX_PART_SIZE, MAX_TOTAL_SIZE, WorkbookFormatError
from ._verify import parse_xml


@dataclass
class Package:
    infos: list[zipfile.ZipInfo]
    data: dict[str, bytes]
    comment: bytes
    _by_name: dict[str, str] = field(init=False, repr=False)  # OPC part names compare ignoring ASCII case

    def __post_init__(self) -> None:
        self._by_name = {ascii_lower(name): name for name in self.data}

    def find(self, name: str) -> str | None:
        return name if name in self.data else self._by_name.get(ascii_lower(name))


def _unsafe_name(name: str) -> bool:
    n = name.replace("\\", "/")
    return (
        not n
        or "\x00" in n
        or n.startswith("/")
        or re.match(r"^[A-Za-z]:", n) is not None
        or ".." in n.split("/")
    )


def read_package(package: bytes) -> Package:
    """Every part, within :data:`MAX_PART_SIZE` each and :data:`MAX_TOTAL_SIZE` in all.

    Names that would leave the folder of whoever unpacks the result (absolute, ``..``) are refused: the
    editor writes every name back out.
    """
    with ZipPackage.open(package, WorkbookFormatError) as zp:
        for info in zp.infos:
            if _unsafe_name(info.filename):
                raise WorkbookFormatError(f"压缩包中含有不安全的路径“{info.filename}”，拒绝处理。")
        return Package(zp.infos, zp.read_all(MAX_PART_SIZE, MAX_TOTAL_SIZE), zp.comment)


def write_package(pkg: Package, changed: dict[str, bytes], removed: set[str]) -> bytes:
    """The package with ``changed`` parts and without ``removed`` ones; every entry keeps its metadata."""
    return write_zip(((info.filename, changed.get(info.filename, pkg.data[info.filename]), EntryMeta.of(info))
                      for info in pkg.infos if info.filename not in removed), pkg.comment)


@dataclass(frozen=True)
class Rel:
    id: str
    type: str
    target: str  # resolved part name, "" for external targets


def rels_part(part: str) -> str:
    folder, _, base = part.rpartition("/")
    return f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"


def resolve(source: str, target: str) -> str:
    """The part name a relationship's target points at, from the part ``source`` ("" for the package)."""
    target = unquote(target.strip())
    if target.startswith("/"):
        path = posixpath.normpath(target.lstrip("/"))
    else:
        path = posixpath.normpath(posixpath.join(posixpath.dirname(source), target))
    return "" if path.startswith("..") else path


def read_rels(pkg: Package, source: str) -> tuple[str | None, list[Rel]]:
    """The relationships part of ``source`` and its relationships (none when it has no such part)."""
    part = pkg.find(rels_part(source))
    if part is None:
        return None, []
    root = parse_xml(pkg.data[part], part)
    rels = []
    for el in root:
        if local_tag(el.tag) != "Relationship":
            continue
        external = (el.get("TargetMode") or "").lower() == "external"
        target = "" if external else resolve(source, el.get("Target") or "")
        rels.append(Rel(el.get("Id") or "", el.get("Type") or "", target))
    return part, rels


def local_tag(tag: str) -> str:
    return tag.rpartition("}")[2]


@dataclass(frozen=True)
class Book:
    part: str
    rels_part: str | None
    rels: list[Rel]
    sheets: dict[str, str]  # name -> relationship id


def read_book(pkg: Package) -> Book:
    """The workbook part (through the package's relationships), its sheets and its relationships."""
    book = None
    _, root_rels = read_rels(pkg, "")
    for rel in root_rels:
        if rel.type.endswith("/officeDocument") and rel.target:
            book = pkg.find(rel.target)
            break
    book = book or pkg.find(DEFAULT_WORKBOOK)
    if book is None:
        raise WorkbookFormatError("压缩包中找不到工作簿部件（xl/workbook.xml），不是有效的 Excel 工作簿。")
    root = parse_xml(pkg.data[book], book)
    sheets: dict[str, str] = {}
    listed = [el for group in root if local_tag(group.tag) == "sheets" for el in group]
    for el in listed:
        if local_tag(el.tag) != "sheet":
            continue
        rid = next((v for k, v in el.attrib.items() if k.endswith("}id") and "relationships" in k), None)
        name = el.get("name")
        if name is None or rid is None:
            raise WorkbookFormatError(f"{book}：<sheet> 缺少 name 或 r:id 属性。")
        if name in sheets:
            raise WorkbookFormatError(f"{book}：工作表名称“{name}”重复。")
        sheets[name] = rid
    book_rels_part, rels = read_rels(pkg, book)
    return Book(book, book_rels_part, rels, sheets)


def sheet_part(pkg: Package, book: Book, sheet: str) -> str:
    """The worksheet part of a sheet named ``sheet``; a chart sheet or a missing part is refused."""
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

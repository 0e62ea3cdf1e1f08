"""The zip of a workbook package: read within limits and written deterministically, in one place each.

Every reader of a package goes through :class:`ZipPackage` — the guard before python-calamine opens a
clerk's file (``xlsx_guard``), and the package editor before it rewrites one (``xlsx_cells``) — so a file
meets the same limits, and gets the same answer in Chinese, wherever it is opened:

* an OLE file (``.xls``, or a workbook with an opening password) is named as such, anything else that is
  not a zip as not a workbook;
* at most :data:`MAX_ENTRIES` entries, and no two names equal but for ASCII case: OPC part names compare
  that way, python-calamine finds parts that way, and which of two twins a reader takes is not defined;
* a part is decompressed as a stream and counted as it comes, so a size header that lies does not help a
  zip bomb: :data:`MAX_PARSED_PART` for a part that is parsed, :data:`MAX_CARRIED_PART` for one that a
  rewrite only carries (an image, the VBA project), :data:`MAX_TOTAL` for everything a rewrite holds;
  a rewrite also refuses on the size headers before decompressing anything;
* encrypted entries and entries that do not decompress are refused, naming the part.

Writing (:func:`write_zip`) gives the same bytes for the same entries: each entry's metadata is stated
(:class:`EntryMeta`) — the builder's fixed timestamp and attributes for the template, or, for an edited
file, what every entry had — and deflate runs at one fixed level.
"""

from __future__ import annotations

import io
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

MAX_ENTRIES = 10_000  # the template has 22
MAX_PARSED_PART = 16 * 1024 * 1024  # the template's largest part is 80 KB; a clerk's file stays far below
MAX_CARRIED_PART = 100 * 1024 * 1024  # a part carried through a rewrite without being parsed
MAX_TOTAL = 200 * 1024 * 1024  # everything a rewrite holds in memory
IN_MEMORY_BYTES = 32 * 1024 * 1024  # a package file up to this size is read whole before its parts are found
DEFLATE_LEVEL = 6
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip can hold: the template's entries carry it

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and Office's encrypted (password) packages
_CHUNK = 1 << 20
_HEAD_INPUT = 64 * 1024  # compressed bytes read for a part's head: far more than a few KB of XML needs
_ASCII_LOWER = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"abcdefghijklmnopqrstuvwxyz")
_LAST_ROW = re.compile(rb"<(?:[^\s<>/=!?:]+:)?row\s[^>]*?\br\s*=\s*[\"']([0-9]+)")
_OPEN_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, NotImplementedError)
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError, OSError, RuntimeError, ValueError)

Refuse = Callable[[str], Exception]
"""How a caller's refusals are raised: the message (Chinese) in, the caller's exception out."""


def ascii_lower(name: str) -> str:
    """A part name as OPC compares it: ASCII letters folded, everything else as it is."""
    if name.isascii():
        return name.lower()
    return name.encode("utf-8", "surrogateescape").translate(_ASCII_LOWER).decode("utf-8", "surrogateescape")


def _mb(n: int) -> int:
    return n // (1024 * 1024)


def too_big(label: str, limit: int, tail: bytes = b"") -> str:
    """The refusal of a part beyond its limit; the last row number seen in ``tail`` says how far it went."""
    rows = _LAST_ROW.findall(tail)
    reach = f"（已到第 {int(rows[-1])} 行仍未结束）" if rows else ""
    return (f"{label}：解压后超过 {_mb(limit)} MB{reach}，超过上限，而本模板的每个部件都不到 1 MB。"
            "可能在表格以外填写或粘贴了大量内容，或这是构造的文件（“压缩炸弹”）。请删除表格以外的内容后再试。")


def file_identity(st: os.stat_result) -> tuple[int, ...]:
    """What makes a file the same file as a moment ago: device, inode, size, and the times of its last change of
    content and of anything (a copy over it with its time set back still changes the second)."""
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


def _identity_of(fh: IO[bytes]) -> tuple[int, ...] | None:
    try:
        return file_identity(os.fstat(fh.fileno()))
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return None  # bytes in memory


_LAST_DIRECTORY: list[tuple[tuple[int, ...], list[zipfile.ZipInfo], bytes]] = []  # at most one: see ``directory``


def directory(fh: IO[bytes], identity: tuple[int, ...] | None = None) -> tuple[list[zipfile.ZipInfo], bytes]:
    """The entries and the comment of the zip in an open file (zipfile's errors pass through).

    A file is read for what it is (``sniff``) and then read (the package guard) in a row: the same file
    (``file_identity``) is not parsed a second time — a zip's directory costs more than the rest of the sniff.
    Nothing is trusted on that account: every part the guard reads is found through its local header, which
    must name the same entry, and checked against the directory's size and CRC as it is inflated."""
    found = identity if identity is not None else _identity_of(fh)
    if found is not None and _LAST_DIRECTORY and _LAST_DIRECTORY[0][0] == found:
        return _LAST_DIRECTORY[0][1], _LAST_DIRECTORY[0][2]
    zf = zipfile.ZipFile(fh)  # a file object given: closing it leaves the file open
    infos, comment = zf.infolist(), zf.comment
    zf.close()
    if found is not None:
        _LAST_DIRECTORY[:] = [(found, infos, comment)]
    return infos, comment


class ZipPackage:
    """A zip opened for bounded reading: its entry list checked once, parts decompressed on demand."""

    def __init__(self, fp: IO[bytes], listing: tuple[list[zipfile.ZipInfo], bytes], refuse: Refuse,
                 identity: tuple[int, ...] | None = None) -> None:
        self.fp = fp
        self.refuse = refuse
        self._identity = identity
        self.infos, self._comment = listing
        self._zf: zipfile.ZipFile | None = None
        if len(self.infos) > MAX_ENTRIES:
            raise refuse(f"压缩包中的文件过多（{len(self.infos)} 个，上限 {MAX_ENTRIES}），不是本模板的工作簿。")
        self.by_name: dict[str, zipfile.ZipInfo] = {}
        for info in self.infos:
            key = ascii_lower(info.filename)
            if key in self.by_name:
                raise refuse(f"压缩包中“{info.filename}”出现了两次（或仅大小写不同），文件可能被篡改。")
            self.by_name[key] = info

    @classmethod
    @contextmanager
    def open(cls, source: Path | bytes, refuse: Refuse) -> Iterator[ZipPackage]:
        """The package of a file or of bytes in memory, closed when the block ends."""
        if isinstance(source, bytes):
            fp = io.BytesIO(source)
            pkg = cls(fp, cls._listing(fp, refuse), refuse)
            try:
                yield pkg
            finally:
                pkg.close()
            return
        try:
            fh = source.open("rb")
        except OSError as exc:
            raise refuse(f"无法读取文件：{exc.strerror or exc}") from None
        with fh:
            try:
                st = os.fstat(fh.fileno())
                # a workbook read whole, in one call: its parts are then found and read in memory, not by a seek
                # and a read of the file each (a dozen parts, four reads each, cost more than the file's bytes)
                whole = io.BytesIO(fh.read(st.st_size)) if st.st_size <= IN_MEMORY_BYTES else None
            except OSError as exc:
                raise refuse(f"无法读取文件：{exc.strerror or exc}") from None
            read_from: IO[bytes] = whole if whole is not None else fh
            identity = file_identity(st)
            pkg = cls(read_from, cls._listing(read_from, refuse, identity), refuse, identity)
            try:
                yield pkg
            finally:
                pkg.close()

    def close(self) -> None:
        if self._zf is not None:
            self._zf.close()

    @property
    def zf(self) -> zipfile.ZipFile:
        """zipfile's own reader of the package, for an entry compressed otherwise than deflate (made when needed)."""
        if self._zf is None:
            self._zf = zipfile.ZipFile(self.fp)
        return self._zf

    @staticmethod
    def _listing(fh: IO[bytes], refuse: Refuse, identity: tuple[int, ...] | None = None
                 ) -> tuple[list[zipfile.ZipInfo], bytes]:
        try:
            head = fh.read(len(OLE_MAGIC))
            fh.seek(0)
        except OSError as exc:
            raise refuse(f"无法读取文件：{exc.strerror or exc}") from None
        if head == OLE_MAGIC:
            raise refuse("这是旧版 .xls 工作簿，或设置了打开密码的工作簿：本程序只改写 .xlsx/.xlsm（.xls 可以校验）。"
                         "请在 Excel 或 WPS 中取消打开密码，或另存为 .xlsm 后再试。")
        try:
            return directory(fh, identity)
        except _OPEN_ERRORS:
            raise refuse("不是可读取的 Excel 工作簿（.xlsx/.xlsm 应为 zip 压缩包，此文件不是或已损坏）。"
                         "请确认文件是 .xlsx/.xlsm 且没有损坏。") from None

    @property
    def comment(self) -> bytes:
        return self._comment

    def find(self, name: str) -> zipfile.ZipInfo | None:
        return self.by_name.get(ascii_lower(name))

    def read(self, info: zipfile.ZipInfo, limit: int, what: str | None = None, stored: bytes | None = None) -> bytes:
        """A part's bytes, at most ``limit``, counted as they are decompressed (from ``stored``, its bytes as
        :meth:`stored` gave them, when the caller has them already)."""
        label = f"{what}（{info.filename}）" if what and what != info.filename else info.filename
        data, over = self._decompress(info, limit, label, stored)
        if over:
            raise self.refuse(too_big(label, limit, data[-(1 << 16):]))
        return data

    def stored(self, info: zipfile.ZipInfo) -> bytes | None:
        """A part's bytes as they are stored in the zip, compressed (None unless deflated or stored): the same
        stored bytes are the same part, which lets a reader that met them before skip its checks."""
        if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED):
            return None
        return self._compressed(info, info.filename)

    def _decompress(self, info: zipfile.ZipInfo, limit: int, label: str, stored: bytes | None = None
                    ) -> tuple[bytes, bool]:
        """(the bytes, whether there were more than ``limit``): decompression stops just past the limit."""
        if info.flag_bits & 0x1:
            raise self.refuse(f"{label}：已加密，无法读取。请在 Excel 中取消密码后另存再试。")
        if info.compress_type in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED):
            return self._inflate(info, limit, label, stored)
        buf = bytearray()
        try:
            with self.zf.open(info) as fh:
                while chunk := read_chunk(fh):
                    buf += chunk
                    if len(buf) > limit:
                        return bytes(buf), True
        except _READ_ERRORS:
            raise self.refuse(self._damaged(label)) from None
        return bytes(buf), False

    def head(self, info: zipfile.ZipInfo, size: int) -> bytes:
        """The first ``size`` bytes of a part (or all of a shorter one): nothing beyond is decompressed."""
        label = info.filename
        if info.flag_bits & 0x1:
            raise self.refuse(f"{label}：已加密，无法读取。请在 Excel 中取消密码后另存再试。")
        if info.compress_type == zipfile.ZIP_STORED:
            return self._compressed(info, label, size)
        if info.compress_type == zipfile.ZIP_DEFLATED:
            try:
                return zlib.decompressobj(-15).decompress(self._compressed(info, label, _HEAD_INPUT), size)
            except zlib.error:
                raise self.refuse(self._damaged(label)) from None
        try:
            with self.zf.open(info) as fh:
                return fh.read(size)
        except _READ_ERRORS:
            raise self.refuse(self._damaged(label)) from None

    def identity(self) -> tuple[int, ...] | None:
        """The ``file_identity`` of the file opened (None for bytes in memory)."""
        return self._identity if self._identity is not None else _identity_of(self.fp)

    def _inflate(self, info: zipfile.ZipInfo, limit: int, label: str, stored: bytes | None = None
                 ) -> tuple[bytes, bool]:
        """A deflated or stored part in one call into zlib, checked as zipfile checks it (its local header,
        its size and CRC). Why not ``ZipFile.open``: its stream machinery costs more than inflating a
        template's sheet does, and a workbook file is read part by part many times over in an audit."""
        raw = self._compressed(info, label) if stored is None else stored
        if info.compress_type == zipfile.ZIP_STORED:
            data, complete = raw[: limit + 1], True
        else:
            inflater = zlib.decompressobj(-15)
            try:
                data = inflater.decompress(raw, limit + 1)
            except zlib.error:
                raise self.refuse(self._damaged(label)) from None
            complete = inflater.eof
        if len(data) > limit:
            return data, True
        if not complete or len(data) != info.file_size or zlib.crc32(data) != info.CRC:
            raise self.refuse(self._damaged(label))
        return data, False

    def _compressed(self, info: zipfile.ZipInfo, label: str, most: int | None = None) -> bytes:
        """An entry's bytes as stored (at most ``most`` of them), found through its local header (which must
        name the same entry)."""
        fp = self.fp
        try:
            fp.seek(info.header_offset)
            head = fp.read(30)
            if len(head) != 30 or head[:4] != b"PK\x03\x04":
                raise self.refuse(self._damaged(label))
            name_len, extra_len = struct.unpack("<HH", head[26:30])
            name = fp.read(name_len)
            flags = struct.unpack("<H", head[6:8])[0]
            if name.decode("utf-8" if flags & 0x800 else "cp437", "replace") != info.orig_filename:
                raise self.refuse(self._damaged(label))
            fp.seek(extra_len, os.SEEK_CUR)
            wanted = info.compress_size if most is None else min(most, info.compress_size)
            raw = fp.read(wanted)
        except (OSError, ValueError, struct.error):
            raise self.refuse(self._damaged(label)) from None
        if len(raw) != wanted:
            raise self.refuse(self._damaged(label))
        return raw

    @staticmethod
    def _damaged(label: str) -> str:
        return f"{label}：无法解压，文件已损坏（可能没有完整保存或传输中断）。"

    def read_all(self, part_limit: int, total_limit: int) -> dict[str, bytes]:
        """Every entry's bytes (a rewrite carries them all), refused on the size headers before any is read."""
        total = 0
        for info in self.infos:
            if info.file_size > part_limit:
                raise self.refuse(too_big(info.filename, part_limit))
            total += info.file_size
            if total > total_limit:
                raise self.refuse(self._too_much(total_limit))
        data: dict[str, bytes] = {}
        total = 0
        for info in self.infos:
            limit = min(part_limit, total_limit - total)
            part, over = self._decompress(info, limit, info.filename)
            if over:
                raise self.refuse(too_big(info.filename, limit) if limit == part_limit else self._too_much(total_limit))
            data[info.filename] = part
            total += len(part)
        return data

    @staticmethod
    def _too_much(limit: int) -> str:
        return f"压缩包解压后合计超过 {_mb(limit)} MB，超过上限，不是本模板的工作簿。"


def read_chunk(fh: IO[bytes]) -> bytes:
    return fh.read(_CHUNK)


@dataclass(frozen=True)
class EntryMeta:
    """What a zip entry carries besides its name and bytes; the same metadata gives the same entry bytes."""

    date_time: tuple[int, int, int, int, int, int] = FIXED_TIME
    compress_type: int = zipfile.ZIP_DEFLATED
    external_attr: int = 0o600 << 16
    internal_attr: int = 0
    create_system: int = 0
    comment: bytes = b""
    extra: bytes = b""

    @classmethod
    def of(cls, info: zipfile.ZipInfo) -> EntryMeta:
        """An existing entry's metadata, minus zip64 fields (the writer adds its own where needed)."""
        return cls(info.date_time, info.compress_type, info.external_attr, info.internal_attr,
                   info.create_system, info.comment, _strip_zip64(info.extra))


FIXED = EntryMeta()


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


def write_zip(entries: Iterable[tuple[str, bytes, EntryMeta]], comment: bytes = b"") -> bytes:
    """The zip of ``entries`` in their order; deflated entries at :data:`DEFLATE_LEVEL`, stored ones stored."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", allowZip64=True) as zo:
        for name, data, meta in entries:
            zi = zipfile.ZipInfo(name, meta.date_time)
            zi.compress_type = meta.compress_type
            zi.external_attr = meta.external_attr
            zi.internal_attr = meta.internal_attr
            zi.create_system = meta.create_system
            zi.comment = meta.comment
            zi.extra = meta.extra
            level = DEFLATE_LEVEL if meta.compress_type == zipfile.ZIP_DEFLATED else None
            zo.writestr(zi, data, compresslevel=level)
            # zipfile turns external attributes of 0 into 0o600 << 16 while writing; the central
            # directory is written from this object at close, so put the stated value back.
            zi.external_attr = meta.external_attr
        zo.comment = comment
    return out.getvalue()


# -- a zip written as a stream, entries whose deflated bytes are made elsewhere --------------------------------

_ZIP64_LIMIT = 0xFFFFFFFF  # a size or offset this large or larger is written in the zip64 fields
_IN_ZIP64 = 0xFFFFFFFF  # what the 32-bit field says then
# Bytes read, deflated and copied at a time by ZipStream.add_streamed (and by the results workbook's copy of its
# spools): below the C library's threshold for giving a block its own mapping, so that pieces come and go in the
# heap it reuses; with pieces of 1 MB, writing the results workbook raised the audit parent's peak memory by
# 1.6 MB at 10 000 files (0.7 MB at 2 000), with these not at all.
STREAM_PIECE = 1 << 16
_ZEROS = bytes(1 << 16)


def _crc_of_zeros(crc: int, n: int) -> int:
    while n > 0:
        step = min(n, len(_ZEROS))
        crc = zlib.crc32(memoryview(_ZEROS)[:step], crc)
        n -= step
    return crc


def crc32_combine(first: int, second: int, second_size: int) -> int:
    """The CRC-32 of two runs of bytes end to end, from the CRC-32 of each and the length of the second.

    CRC-32 is affine in its input: crc(A‖B) = crc(A‖0ⁿ) ⊕ crc(0ᵐ‖B) ⊕ crc(0ᵐ⁺ⁿ), and leading zeros change only
    its constant part, so crc(A‖B) = crc32(0ⁿ, from crc(A)) ⊕ crc(B) ⊕ crc32(0ⁿ): two passes of zlib over zeros,
    as fast as zlib runs, instead of the bytes themselves (which the pieces' makers had, and the joiner has not).
    """
    return _crc_of_zeros(first, second_size) ^ second ^ _crc_of_zeros(0, second_size)


@dataclass
class _Written:
    name: bytes
    crc: int
    size: int
    csize: int
    offset: int
    method: int


class ZipStream:
    """A zip written entry by entry to an open file: deflated entries whose compressed bytes are given in pieces
    (with their CRC-32 and sizes, known before the first byte is written), or whole bytes deflated here. Sizes
    and offsets past 4 GiB take the zip64 fields (a results workbook of a national audit can be that large)."""

    def __init__(self, fh: IO[bytes]) -> None:
        self.fh = fh
        self.entries: list[_Written] = []
        self.at = 0
        dos_date = (FIXED_TIME[0] - 1980) << 9 | FIXED_TIME[1] << 5 | FIXED_TIME[2]
        dos_time = FIXED_TIME[3] << 11 | FIXED_TIME[4] << 5 | FIXED_TIME[5] // 2
        self.stamp = (dos_time, dos_date)

    def _write(self, data: bytes) -> None:
        self.fh.write(data)
        self.at += len(data)

    def add(self, name: str, data: bytes) -> None:
        """An entry deflated here, at :data:`DEFLATE_LEVEL`."""
        packer = zlib.compressobj(DEFLATE_LEVEL, zlib.DEFLATED, -15)
        packed = packer.compress(data) + packer.flush()
        self.add_deflated(name, [packed], zlib.crc32(data), len(data), len(packed))

    def add_streamed(self, name: str, source: IO[bytes], spill: IO[bytes]) -> None:
        """An entry deflated here from ``source``, read a piece at a time, the deflated bytes going first to
        ``spill`` (an empty working file: the header needs their length before them). The same bytes as
        :meth:`add` of the whole content — deflate does not depend on how its input is cut — without holding
        it: a part that grows with the folder (the audit's 质量 sheet) is never read whole."""
        packer = zlib.compressobj(DEFLATE_LEVEL, zlib.DEFLATED, -15)
        crc = size = 0
        while chunk := source.read(STREAM_PIECE):
            crc = zlib.crc32(chunk, crc)
            size += len(chunk)
            spill.write(packer.compress(chunk))
        spill.write(packer.flush())
        csize = spill.tell()
        spill.seek(0)
        self.add_deflated(name, iter(lambda: spill.read(STREAM_PIECE), b""), crc, size, csize)

    def add_deflated(self, name: str, pieces: Iterable[bytes], crc: int, size: int, csize: int) -> None:
        """An entry from its raw deflate stream in ``pieces`` (``csize`` bytes in all), whose content has
        ``size`` bytes and CRC-32 ``crc``."""
        encoded = name.encode("utf-8")
        big = size >= _ZIP64_LIMIT or csize >= _ZIP64_LIMIT
        extra = struct.pack("<HHQQ", 1, 16, size, csize) if big else b""
        flags = 0x800 if not name.isascii() else 0  # the name is UTF-8
        self.entries.append(_Written(encoded, crc, size, csize, self.at, zipfile.ZIP_DEFLATED))
        self._write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 45 if big else 20, flags, zipfile.ZIP_DEFLATED,
                                *self.stamp, crc, _IN_ZIP64 if big else csize,
                                _IN_ZIP64 if big else size, len(encoded), len(extra)) + encoded + extra)
        written = 0
        for piece in pieces:
            self._write(piece)
            written += len(piece)
        if written != csize:
            raise ValueError(f"{name}: {written} deflated bytes written, {csize} announced")

    def close(self) -> None:
        """The central directory, with the zip64 end records when anything needs them."""
        start = self.at
        for e in self.entries:
            fields: list[int] = []
            size = csize = offset = 0
            for value, slot in ((e.size, "size"), (e.csize, "csize"), (e.offset, "offset")):
                if value >= _ZIP64_LIMIT:
                    fields.append(value)
                    value = _IN_ZIP64
                if slot == "size":
                    size = value
                elif slot == "csize":
                    csize = value
                else:
                    offset = value
            extra = struct.pack(f"<HH{len(fields)}Q", 1, 8 * len(fields), *fields) if fields else b""
            flags = 0 if e.name.isascii() else 0x800
            self._write(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 45, 45 if fields else 20, flags, e.method,
                                    *self.stamp, e.crc, csize, size, len(e.name), len(extra), 0, 0, 0,
                                    0o600 << 16, offset) + e.name + extra)
        size, count = self.at - start, len(self.entries)
        if count >= 0xFFFF or size >= _ZIP64_LIMIT or start >= _ZIP64_LIMIT:
            end64 = self.at
            self._write(struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, size, start))
            self._write(struct.pack("<4sLQL", b"PK\x06\x07", 0, end64, 1))
            self._write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, _IN_ZIP64, _IN_ZIP64, 0))
        else:
            self._write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, size, start, 0))

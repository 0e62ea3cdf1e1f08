"""Compound files (OLE2, MS-CFB) read within limits: the container of .xls, .doc, WPS's .wps/.et, and of any
Office file with an opening password.

Two readers look inside such a file: the sniffer, which needs the names of its streams to say what the file
is (``WordDocument``: a Word 97-2003 or WPS document; ``Workbook``: an Excel 97-2003 or WPS workbook;
``EncryptedPackage``: a password), and the .xls guard, which needs the workbook stream's bytes before
python-calamine reads the file (``xls_guard``).

python-calamine's own reader of the container trusts it: a sector chain that loops back on itself keeps it
reading for ever (the DIFAT loop carries a "TODO: check if in infinite loop"), the directory chain is read
"until its end" however long, and a stream's length is taken from the file. So the container is walked here
first, the way calamine walks it — the same header fields, the DIFAT the same way, the first directory entry
of a name — and refused when any chain calamine will follow loops, leaves the file, or is longer than the
file could hold. A file this reader accepts is one calamine reads in time and memory bounded by its size.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HEADER_SIZE = 512
ENDOFCHAIN = 0xFFFFFFFE
DIFSECT = 0xFFFFFFFC
RESERVED = 0xFFFFFFFA  # ids at or above this are markers, not sectors (calamine's RESERVED_SECTORS)
MINI_SECTOR = 64
MINI_CUTOFF = 4096  # streams shorter than this live in the mini stream (MS-CFB 2.6.1; calamine tests `< 4096`)
ENTRY_SIZE = 128
# A report's .xls or .doc has a few dozen directory entries; Office files with embedded objects a few hundred.
MAX_ENTRIES = 10_000

# the names calamine looks for, in its order (xls.rs ``parse_workbook``)
WORKBOOK_STREAMS = ("Workbook", "Book", "WORKBOOK", "BOOK")
WORD_STREAM = "WordDocument"
ENCRYPTED_STREAM = "EncryptedPackage"  # an .xlsx/.docx with an opening password (MS-OFFCRYPTO)
SLIDES_STREAM = "PowerPoint Document"

Refuse = Callable[[str], Exception]

_DAMAGED = ("复合文档（OLE）结构已损坏：{why}。文件可能没有完整保存或被篡改，未读取。"
            "请重新保存或向报送单位索取完好的文件。")


@dataclass(frozen=True)
class Entry:
    name: str
    kind: int  # 1 storage, 2 stream, 5 root; 0 unused
    start: int
    size: int


class CompoundFile:
    """A compound file held in memory, its sector chains checked as they are walked."""

    def __init__(self, data: bytes, refuse: Refuse) -> None:
        self.data, self.refuse = data, refuse
        if len(data) < HEADER_SIZE or data[:8] != OLE_MAGIC:
            raise self._damaged("文件头不完整")
        shift, mini_shift = struct.unpack_from("<HH", data, 30)
        if shift not in (9, 12) or mini_shift != 6:
            raise self._damaged("扇区大小无效")
        self.version = struct.unpack_from("<H", data, 26)[0]
        self.size = 1 << shift
        self.maxid = len(data) // self.size  # calamine's bound on a sector id (a partial last sector reads short)
        fat_sectors, dir_start = struct.unpack_from("<II", data, 44)
        mini_fat_start, mini_fat_sectors, difat_start = struct.unpack_from("<III", data, 60)
        del fat_sectors  # calamine sizes nothing by it; the DIFAT says where the FAT is
        self.fat = self._fat(difat_start)
        self.entries = self._directory(dir_start)
        root = self.entries[0]
        if self.version != 3 and root.start == ENDOFCHAIN:
            raise self._damaged("根目录为空")
        self.mini_fat: tuple[int, ...] = ()
        self.mini_stream = b""
        if mini_fat_sectors:
            self.mini_stream = self._chain(root.start, root.size, "迷你流")
            table = self._chain(mini_fat_start, mini_fat_sectors * self.size, "迷你分配表")
            self.mini_fat = struct.unpack(f"<{len(table) // 4}I", table[: len(table) // 4 * 4])

    # -- structure ------------------------------------------------------------------------------------
    def _damaged(self, why: str) -> Exception:
        return self.refuse(_DAMAGED.format(why=why))

    def _sector(self, sid: int) -> bytes:
        if sid > self.maxid:
            raise self._damaged(f"扇区 {sid} 超出文件末尾")
        start = (sid + 1) * self.size
        return self.data[start : start + self.size]

    def _fat(self, difat_start: int) -> tuple[int, ...]:
        """The FAT, gathered through the DIFAT as calamine gathers it: the header's 109 ids, then each DIFAT
        sector's ids, whose last one names the next DIFAT sector."""
        difat = list(struct.unpack_from("<109I", self.data, 76))
        seen: set[int] = set()
        sid = difat_start
        while sid < RESERVED:
            if sid in seen:
                raise self._damaged("DIFAT 扇区链出现循环")
            seen.add(sid)
            sector = self._sector(sid)
            difat.extend(struct.unpack(f"<{len(sector) // 4}I", sector[: len(sector) // 4 * 4]))
            sid = difat.pop()
        ids = [i for i in difat if i < DIFSECT]
        # each FAT sector maps size/4 sectors: a file of maxid sectors needs no more FAT sectors than this
        if len(ids) > (self.maxid + 1) // (self.size // 4) + 1:
            raise self._damaged(f"分配表有 {len(ids)} 个扇区，多于文件的大小所能需要的")
        fat: list[int] = []
        for i in ids:
            sector = self._sector(i)
            fat.extend(struct.unpack(f"<{len(sector) // 4}I", sector[: len(sector) // 4 * 4]))
        return tuple(fat)

    def _chain(self, sid: int, length: int | None, what: str) -> bytes:
        """The bytes of a chain of sectors, at most ``length`` (None: up to its end), as calamine reads them:
        it stops at ENDOFCHAIN or once it holds ``length`` bytes. A chain that loops, or names a sector past
        the file or the FAT, is refused."""
        out = bytearray()
        seen: set[int] = set()
        while sid != ENDOFCHAIN:
            if sid in seen:
                raise self._damaged(f"{what}的扇区链出现循环")
            if sid >= len(self.fat):
                raise self._damaged(f"{what}的扇区链指向分配表以外")
            seen.add(sid)
            sector = self._sector(sid)
            out += sector if length is None else sector[: length - len(out)]
            if length is not None and len(out) >= length:
                break
            sid = self.fat[sid]
        return bytes(out)

    def _directory(self, start: int) -> list[Entry]:
        raw = self._chain(start, None, "目录")
        count = len(raw) // ENTRY_SIZE
        if count == 0:
            raise self._damaged("没有目录")
        if count > MAX_ENTRIES:
            raise self._damaged(f"目录有 {count} 项，超过 {MAX_ENTRIES} 项的上限")
        entries = []
        wide = self.size != 512  # calamine reads a 64-bit stream size with 4096-byte sectors
        for i in range(count):
            e = raw[i * ENTRY_SIZE : (i + 1) * ENTRY_SIZE]
            name = e[:64].decode("utf-16-le", "replace").split("\x00", 1)[0]
            size = struct.unpack_from("<Q" if wide else "<I", e, 120)[0]
            entries.append(Entry(name, e[66], struct.unpack_from("<I", e, 116)[0], size))
        return entries

    # -- streams --------------------------------------------------------------------------------------
    def find(self, *names: str) -> Entry | None:
        """The first directory entry with the first of ``names`` that the file has (calamine's choice)."""
        for name in names:
            for entry in self.entries:
                if entry.name == name:
                    return entry
        return None

    def has(self, name: str) -> bool:
        return any(e.name == name for e in self.entries)

    def stream(self, entry: Entry, limit: int, what: str) -> bytes:
        """A stream's bytes, refused beyond ``limit`` (its size says how many it holds)."""
        if entry.size > limit:
            raise self.refuse(f"{what}有 {entry.size / 1024 / 1024:.1f} MB，超过 {limit // (1024 * 1024)} MB 的上限，"
                              "不是本模板的工作簿，未读取。")
        if entry.size >= MINI_CUTOFF:
            return self._chain(entry.start, entry.size, what)
        out = bytearray()
        seen: set[int] = set()
        sid = entry.start
        while sid != ENDOFCHAIN and len(out) < entry.size:
            if sid in seen:
                raise self._damaged(f"{what}的迷你扇区链出现循环")
            if sid >= len(self.mini_fat) or (sid + 1) * MINI_SECTOR > len(self.mini_stream):
                raise self._damaged(f"{what}的迷你扇区链指向迷你流以外")
            seen.add(sid)
            out += self.mini_stream[sid * MINI_SECTOR : (sid + 1) * MINI_SECTOR][: entry.size - len(out)]
            sid = self.mini_fat[sid]
        return bytes(out)

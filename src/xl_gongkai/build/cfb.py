"""A deterministic MS-CFB (Compound File Binary, "OLE2") version 3 writer.

``vbaProject.bin`` is a compound file. We only ever write small files from scratch, so this writer
is simple: everything is laid out in one pass, in a fixed order, with zero timestamps and zero CLSIDs,
so that the same tree always gives the same bytes.

Layout: header, FAT sectors, DIFAT sectors (only above 109 FAT sectors), directory, mini FAT,
mini stream, then each regular stream. Streams shorter than 4096 bytes live in the mini stream
(64-byte mini sectors), as MS-CFB 2.6.1 requires.

Siblings in a storage form a binary search tree under the MS-CFB name order (2.6.4: shorter names
first, then code unit by code unit after simple upper-casing). We build it perfectly balanced from
the sorted names and colour it as a red-black tree; see ``_colour``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Union

SECTOR_SIZE = 512
MINI_SECTOR_SIZE = 64
MINI_STREAM_CUTOFF = 4096

FREESECT = 0xFFFFFFFF
ENDOFCHAIN = 0xFFFFFFFE
FATSECT = 0xFFFFFFFD
DIFSECT = 0xFFFFFFFC
NOSTREAM = 0xFFFFFFFF

_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
_HEADER_DIFAT_SLOTS = 109
_IDS_PER_SECTOR = SECTOR_SIZE // 4
_ENTRY_SIZE = 128
_TYPE_STORAGE, _TYPE_STREAM, _TYPE_ROOT = 1, 2, 5
_RED, _BLACK = 0, 1
_FORBIDDEN_NAME_CHARS = set("/\\:!")

Tree = Mapping[str, Union[bytes, "Tree"]]
"""A storage: names mapped to stream contents (``bytes``) or to nested storages."""


def _simple_upper(name: str) -> str:
    """Upper-case per character, keeping characters whose upper case is longer (e.g. ``ß``).

    MS-CFB compares with a simple (1:1) case mapping; Python's full mapping could change lengths.
    """
    return "".join(u if len(u := c.upper()) == 1 else c for c in name)


def name_key(name: str) -> tuple[int, bytes]:
    """Sort key implementing the MS-CFB 2.6.4 directory name comparison.

    Names are compared by length in UTF-16 code units first, then code unit by code unit after
    upper-casing. Big-endian UTF-16 makes byte order equal code-unit order.
    """
    encoded = _simple_upper(name).encode("utf-16-be")
    return (len(encoded) // 2, encoded)


@dataclass
class _Entry:
    name: str
    kind: int
    data: bytes = b""
    children: list[_Entry] = field(default_factory=list)
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    colour: int = _BLACK
    start: int = 0
    size: int = 0
    index: int = 0


def _check_name(name: str) -> None:
    units = len(name.encode("utf-16-le")) // 2
    if not name or units > 31:
        raise ValueError(f"CFB entry name must be 1..31 UTF-16 code units: {name!r}")
    if set(name) & _FORBIDDEN_NAME_CHARS or any(ord(c) < 0x20 for c in name):
        raise ValueError(f"CFB entry name contains a forbidden character: {name!r}")


def _collect(tree: Tree, parent: _Entry, entries: list[_Entry]) -> None:
    """Add ``tree``'s children to ``parent`` in MS-CFB order, numbering entries depth first."""
    seen: dict[tuple[int, bytes], str] = {}
    for name in sorted(tree, key=name_key):
        _check_name(name)
        key = name_key(name)
        if key in seen:
            raise ValueError(f"CFB sibling names compare equal: {seen[key]!r} and {name!r}")
        seen[key] = name
        value = tree[name]
        if isinstance(value, Mapping):
            entry = _Entry(name, _TYPE_STORAGE)
        elif isinstance(value, (bytes, bytearray)):
            entry = _Entry(name, _TYPE_STREAM, data=bytes(value))
        else:
            raise TypeError(
                f"CFB tree values must be bytes or mappings, got {type(value).__name__} for {name!r}"
            )
        entry.index = len(entries)
        entries.append(entry)
        parent.children.append(entry)
        if isinstance(value, Mapping):
            _collect(value, entry, entries)


def _link(siblings: list[_Entry]) -> int:
    """Link sorted ``siblings`` into a balanced search tree; return the root's index.

    Every split puts the middle element at the root, so sibling subtree sizes differ by at most
    one. That makes all levels full except possibly the deepest one, which ``_colour`` relies on.
    """
    depth: dict[int, int] = {}

    def build(lo: int, hi: int, level: int) -> int:
        if lo >= hi:
            return NOSTREAM
        mid = (lo + hi) // 2
        node = siblings[mid]
        depth[node.index] = level
        node.left = build(lo, mid, level + 1)
        node.right = build(mid + 1, hi, level + 1)
        return node.index

    root = build(0, len(siblings), 0)
    _colour(siblings, depth)
    return root


def _colour(siblings: list[_Entry], depth: dict[int, int]) -> None:
    """Colour a balanced tree (all levels full but the last) as a valid red-black tree.

    If the deepest level is full, all nodes are black and every root-to-leaf path has the same
    number of black nodes. Otherwise the deepest level is coloured red: a path that ends below a
    deepest-level node and a path that ends below a node one level up both count one black node per
    level above the deepest, and no red node has a red child since only one level is red. The root
    is black because a single-level tree is always full.
    """
    if not siblings:
        return
    height = max(depth.values()) + 1
    full = len(siblings) == (1 << height) - 1
    for node in siblings:
        node.colour = _RED if not full and depth[node.index] == height - 1 else _BLACK


def _sectors(size: int, unit: int) -> int:
    return -(-size // unit)


def _chain(fat: list[int], first: int, count: int) -> None:
    """Record a contiguous chain of ``count`` sectors starting at ``first``."""
    for i in range(first, first + count - 1):
        fat[i] = i + 1
    if count:
        fat[first + count - 1] = ENDOFCHAIN


def _pad(data: bytes | bytearray, unit: int) -> bytes:
    return bytes(data) + b"\x00" * (-len(data) % unit)


def _dir_entry(entry: _Entry | None) -> bytes:
    if entry is None:  # unused slot: all zero except the three links (MS-CFB 2.6.3)
        return b"\x00" * 68 + NOSTREAM.to_bytes(4, "little") * 3 + b"\x00" * 48
    name = (entry.name + "\x00").encode("utf-16-le")
    return b"".join(
        [
            name.ljust(64, b"\x00"),
            len(name).to_bytes(2, "little"),
            bytes([entry.kind, entry.colour]),
            entry.left.to_bytes(4, "little"),
            entry.right.to_bytes(4, "little"),
            entry.child.to_bytes(4, "little"),
            b"\x00" * 16,  # CLSID
            b"\x00" * 4,  # state bits
            b"\x00" * 16,  # creation and modification FILETIMEs: zero keeps output deterministic
            entry.start.to_bytes(4, "little"),
            entry.size.to_bytes(8, "little"),
        ]
    )


def write_cfb(tree: Tree) -> bytes:
    """Serialise ``tree`` (``{name: bytes | nested dict}``) as a version 3 compound file."""
    root = _Entry("Root Entry", _TYPE_ROOT)
    entries = [root]
    _collect(tree, root, entries)
    for entry in entries:
        if entry.kind != _TYPE_STREAM:
            entry.child = _link(entry.children)

    small = [e for e in entries if e.kind == _TYPE_STREAM and len(e.data) < MINI_STREAM_CUTOFF]
    large = [e for e in entries if e.kind == _TYPE_STREAM and len(e.data) >= MINI_STREAM_CUTOFF]

    mini_stream = bytearray()
    mini_fat: list[int] = []
    for entry in small:
        entry.size = len(entry.data)
        if not entry.data:
            entry.start = ENDOFCHAIN
            continue
        entry.start = len(mini_stream) // MINI_SECTOR_SIZE
        count = _sectors(entry.size, MINI_SECTOR_SIZE)
        mini_fat.extend([0] * count)
        _chain(mini_fat, entry.start, count)
        mini_stream += _pad(entry.data, MINI_SECTOR_SIZE)

    n_dir = _sectors(len(entries) * _ENTRY_SIZE, SECTOR_SIZE)
    n_minifat = _sectors(len(mini_fat) * 4, SECTOR_SIZE)
    n_ministream = _sectors(len(mini_stream), SECTOR_SIZE)
    n_data = n_dir + n_minifat + n_ministream + sum(_sectors(len(e.data), SECTOR_SIZE) for e in large)

    # The FAT must also describe its own sectors and the DIFAT sectors: iterate to a fixed point.
    n_fat, n_difat = 0, 0
    while True:
        need_fat = _sectors(n_data + n_fat + n_difat, _IDS_PER_SECTOR)
        need_difat = _sectors(max(need_fat - _HEADER_DIFAT_SLOTS, 0), _IDS_PER_SECTOR - 1)
        if (need_fat, need_difat) == (n_fat, n_difat):
            break
        n_fat, n_difat = need_fat, need_difat

    fat = [FREESECT] * (n_fat * _IDS_PER_SECTOR)
    next_free = 0

    def allocate(count: int) -> int:
        nonlocal next_free
        first = next_free
        next_free += count
        return first

    fat_first = allocate(n_fat)
    for i in range(fat_first, fat_first + n_fat):
        fat[i] = FATSECT
    difat_first = allocate(n_difat)
    for i in range(difat_first, difat_first + n_difat):
        fat[i] = DIFSECT
    dir_first = allocate(n_dir)
    _chain(fat, dir_first, n_dir)
    minifat_first = allocate(n_minifat) if n_minifat else ENDOFCHAIN
    if n_minifat:
        _chain(fat, minifat_first, n_minifat)
    root.start = allocate(n_ministream) if n_ministream else ENDOFCHAIN
    root.size = len(mini_stream)
    if n_ministream:
        _chain(fat, root.start, n_ministream)
    for entry in large:
        count = _sectors(len(entry.data), SECTOR_SIZE)
        entry.start = allocate(count)
        entry.size = len(entry.data)
        _chain(fat, entry.start, count)

    fat_ids = list(range(fat_first, fat_first + n_fat))
    header_difat = fat_ids[:_HEADER_DIFAT_SLOTS] + [FREESECT] * (
        _HEADER_DIFAT_SLOTS - min(n_fat, _HEADER_DIFAT_SLOTS)
    )
    header = b"".join(
        [
            _SIGNATURE,
            b"\x00" * 16,  # header CLSID
            (0x003E).to_bytes(2, "little"),  # minor version
            (0x0003).to_bytes(2, "little"),  # major version 3: 512-byte sectors
            (0xFFFE).to_bytes(2, "little"),  # byte order mark: little endian
            (9).to_bytes(2, "little"),  # sector shift: 2**9 = 512
            (6).to_bytes(2, "little"),  # mini sector shift: 2**6 = 64
            b"\x00" * 6,
            (0).to_bytes(4, "little"),  # number of directory sectors: MUST be 0 in version 3
            n_fat.to_bytes(4, "little"),
            dir_first.to_bytes(4, "little"),
            (0).to_bytes(4, "little"),  # transaction signature
            MINI_STREAM_CUTOFF.to_bytes(4, "little"),
            minifat_first.to_bytes(4, "little"),
            n_minifat.to_bytes(4, "little"),
            (difat_first if n_difat else ENDOFCHAIN).to_bytes(4, "little"),
            n_difat.to_bytes(4, "little"),
            b"".join(i.to_bytes(4, "little") for i in header_difat),
        ]
    )

    difat = bytearray()
    rest = fat_ids[_HEADER_DIFAT_SLOTS:]
    for k in range(n_difat):
        ids = rest[k * 127 : (k + 1) * 127]
        ids += [FREESECT] * (127 - len(ids))
        ids.append(difat_first + k + 1 if k + 1 < n_difat else ENDOFCHAIN)
        difat += b"".join(i.to_bytes(4, "little") for i in ids)

    slots: list[_Entry | None] = [*entries, *[None] * (n_dir * 4 - len(entries))]
    directory = b"".join(_dir_entry(e) for e in slots)
    mini_fat_bytes = b"".join(i.to_bytes(4, "little") for i in mini_fat)
    mini_fat_bytes += FREESECT.to_bytes(4, "little") * (n_minifat * _IDS_PER_SECTOR - len(mini_fat))

    parts = [
        header,
        b"".join(i.to_bytes(4, "little") for i in fat),
        bytes(difat),
        directory,
        mini_fat_bytes,
        _pad(mini_stream, SECTOR_SIZE),
        *(_pad(e.data, SECTOR_SIZE) for e in large),
    ]
    out = b"".join(parts)
    assert len(out) == SECTOR_SIZE * (1 + next_free), "CFB layout arithmetic is inconsistent"
    return out

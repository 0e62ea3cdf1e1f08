"""The compound-file writer, checked by reading its output back with olefile (an independent reader)."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import olefile
import pytest

try:
    from xl_gongkai.build import cfb
except ModuleNotFoundError:  # package not installed: run from the source tree
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from xl_gongkai.build import cfb

NOSTREAM = 0xFFFFFFFF
RED, BLACK = 0, 1


def check_sibling_tree(ole: olefile.OleFileIO, storage_sid: int) -> list[str]:
    """Assert the storage's sibling tree is a red-black tree in MS-CFB order; return names in order.

    Checks: the root is black, no red node has a red child, every path from the root to a missing
    child has the same number of black nodes, and the in-order walk is strictly increasing under the
    MS-CFB comparison (length first, then upper-cased code units).
    """
    entries = ole.direntries
    root = entries[storage_sid].sid_child
    if root == NOSTREAM:
        return []
    assert entries[root].color == BLACK, "sibling tree root must be black"
    black_heights: set[int] = set()
    in_order: list[str] = []

    def walk(sid: int, blacks: int, parent_red: bool) -> None:
        if sid == NOSTREAM:
            black_heights.add(blacks)
            return
        node = entries[sid]
        red = node.color == RED
        assert not (red and parent_red), f"red node {node.name!r} has a red parent"
        blacks += 0 if red else 1
        walk(node.sid_left, blacks, red)
        in_order.append(node.name)
        walk(node.sid_right, blacks, red)

    walk(root, 0, False)
    assert len(black_heights) == 1, f"unequal black heights {black_heights}"
    keys = [cfb.name_key(name) for name in in_order]
    assert keys == sorted(keys) and len(set(keys)) == len(keys), f"not in MS-CFB order: {in_order}"
    return in_order


def read_tree(ole: olefile.OleFileIO) -> dict:
    out: dict = {}
    for path in ole.listdir(streams=True, storages=False):
        node = out
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = ole.openstream("/".join(path)).read()
    return out


def test_name_order_is_length_first_then_case_insensitive() -> None:
    names = ["dir", "VBA", "PROJECT", "PROJECTwm", "_VBA_PROJECT", "abc", "ABD", "Module1", "zz"]
    ordered = sorted(names, key=cfb.name_key)
    assert ordered == ["zz", "abc", "ABD", "dir", "VBA", "Module1", "PROJECT", "PROJECTwm", "_VBA_PROJECT"]


@pytest.mark.parametrize("count", [*range(1, 20), 31, 32, 33, 63, 64, 65, 100])
def test_sibling_trees_are_valid_red_black_trees(count: int) -> None:
    rnd = random.Random(count)
    names = [f"S{rnd.randrange(10**6)}_{i}" for i in range(count)]
    tree = {"Store": {name: name.encode() for name in names}, "x": b"1"}
    ole = olefile.OleFileIO(cfb.write_cfb(tree))
    assert ole.parsing_issues == []
    store_sid = next(i for i, e in enumerate(ole.direntries) if e is not None and e.name == "Store")
    assert sorted(check_sibling_tree(ole, store_sid)) == sorted(names)
    check_sibling_tree(ole, 0)
    assert read_tree(ole) == tree


def test_mini_and_regular_streams_and_nested_storages_round_trip() -> None:
    rnd = random.Random(7)
    sizes = [0, 1, 63, 64, 65, 4095, 4096, 4097, 20000]
    tree = {
        "A": {f"s{n}": rnd.randbytes(n) for n in sizes},
        "B": {"C": {"deep": b"deep"}, "empty": {}},
        "top": rnd.randbytes(5000),
    }
    data = cfb.write_cfb(tree)
    ole = olefile.OleFileIO(data)
    assert ole.parsing_issues == []
    expected = {"A": tree["A"], "B": {"C": {"deep": b"deep"}}, "top": tree["top"]}
    assert read_tree(ole) == expected  # empty storages are present but hold no streams
    assert ole.get_type("B/empty") == olefile.STGTY_STORAGE
    assert len(data) % 512 == 0
    for entry in ole.direntries:
        if entry is not None:
            assert entry.createTime == 0 and entry.modifyTime == 0 and entry.clsid == ""


def test_difat_sectors_when_more_than_109_fat_sectors() -> None:
    tree = {f"S{i}": bytes([i]) * 1_000_000 for i in range(8)}  # ~15 600 sectors -> 123 FAT sectors
    data = cfb.write_cfb(tree)
    ole = olefile.OleFileIO(data)
    assert ole.parsing_issues == []
    assert int.from_bytes(data[0x48:0x4C], "little") == 1  # one DIFAT sector
    assert read_tree(ole) == tree


def test_output_is_deterministic() -> None:
    tree = {"b": b"2" * 5000, "a": {"c": b"3"}}
    assert cfb.write_cfb(tree) == cfb.write_cfb(dict(reversed(tree.items())))


@pytest.mark.parametrize(
    "tree",
    [{"a/b": b""}, {"x" * 32: b""}, {"": b""}, {"Ab": b"", "aB": b""}, {"a": "text"}],
    ids=["slash", "too-long", "empty", "case-duplicate", "not-bytes"],
)
def test_invalid_trees_are_rejected(tree: dict) -> None:
    with pytest.raises((ValueError, TypeError)):
        cfb.write_cfb(tree)

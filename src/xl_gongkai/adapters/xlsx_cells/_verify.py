"""The edited part parsed again with a real (safe) parser: a splice that went wrong is never written."""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError
from defusedxml.ElementTree import fromstring as _safe_fromstring

from ...spec.a1 import cell_address, column_index
from ._common import WorkbookFormatError
from ._values import CELL_REF, Value


@dataclass(frozen=True)
class Expect:
    """What the edited part must show for one target, checked after a real XML parse."""

    value: Value
    style: str | None
    present: bool


def parse_xml(data: bytes, where: str) -> Element:
    try:
        root: Element = _safe_fromstring(data, forbid_dtd=True)
        return root
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise WorkbookFormatError(f"{where}：XML 无法解析（{exc}），文件可能已损坏。") from None


def _ns(tag: str) -> str:
    return tag[: tag.index("}") + 1] if tag.startswith("{") else ""


def verify(data: bytes, expect: dict[tuple[int, int], Expect], rows: int, cells: int, where: str) -> None:
    """Parse the edited part for real and check the result is what the splices meant.

    Why: the splicing relies on a tokenizer; a parser's independent view (well-formed, counts of rows and
    cells, the edited cells' positions, style, type and value) turns any disagreement into a refusal.
    """
    root = parse_xml(data, where)
    ns = _ns(root.tag)
    sheet_data = root.find(f"{ns}sheetData")
    if sheet_data is None:
        raise WorkbookFormatError(f"{where}：改写后找不到 <sheetData>。")
    n_rows, n_cells, found = _census(sheet_data, ns, expect)
    if (n_rows, n_cells) != (rows, cells):
        raise WorkbookFormatError(
            f"{where}：内部校验失败（行数 {n_rows}/{rows}，单元格数 {n_cells}/{cells}），未写入。"
        )
    for (r, c), exp in expect.items():
        el = found.get((r, c))
        address = cell_address(r, c)
        if el is None:
            if exp.present:
                raise WorkbookFormatError(f"{where}：内部校验失败，单元格 {address} 未写入。")
            continue
        if not exp.present or el.get("s") != exp.style or not _shows(el, exp.value, ns):
            raise WorkbookFormatError(f"{where}：内部校验失败，单元格 {address} 的内容与预期不符。")


def _census(sheet_data: Element, ns: str, expect: dict[tuple[int, int], Expect]
            ) -> tuple[int, int, dict[tuple[int, int], Element]]:
    """(rows, cells, the element of every expected position found), positions counted as the spec says."""
    target_rows = {r for r, _ in expect}
    row_tag, cell_tag = f"{ns}row", f"{ns}c"
    found: dict[tuple[int, int], Element] = {}
    n_rows = n_cells = 0
    prev_row = 0
    for row in sheet_data:
        if row.tag != row_tag:
            continue
        n_rows += 1
        r = row.get("r")
        prev_row = int(r) if r is not None else prev_row + 1
        cells = [c for c in row if c.tag == cell_tag]
        n_cells += len(cells)
        if prev_row in target_rows:
            for col, c in _columns(cells):
                if (prev_row, col) in expect:
                    found[(prev_row, col)] = c
    return n_rows, n_cells, found


def _columns(cells: list[Element]) -> list[tuple[int, Element]]:
    """Each cell of a row with its column: its ``r``, or the one after the previous cell (-1: unreadable)."""
    out = []
    col = 0
    for c in cells:
        ref = c.get("r")
        if ref is None:
            col += 1
        else:
            m = CELL_REF.match(ref)
            col = column_index(m.group(1)) if m else -1
        out.append((col, c))
    return out


def _shows(el: Element, value: Value, ns: str) -> bool:
    kinds = [child.tag for child in el]
    if value.kind == "blank":
        return el.get("t") is None and not kinds
    if value.kind == "n":
        return el.get("t") is None and kinds == [f"{ns}v"] and el.findtext(f"{ns}v") == value.text
    t = el.find(f"{ns}is/{ns}t")
    return el.get("t") == "inlineStr" and kinds == [f"{ns}is"] and t is not None and (t.text or "") == value.text

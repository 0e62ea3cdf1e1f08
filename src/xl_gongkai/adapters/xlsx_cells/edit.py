"""The splices that rewrite the target cells (and a new row, spans, dimension) of one worksheet part."""

from __future__ import annotations

import bisect
import re

from ...spec.a1 import cell_address
from .common import WorkbookFormatError
from .markup import _SPANS
from .scan import _range_bounds, _scan_sheet
from .values import _cell_xml, _Value
from .verify import _Expect, _verify

_DROPPED_CELL_ATTRS = frozenset({"r", "t", "cm", "vm"})


def _edit_sheet(
    data: bytes, targets: dict[tuple[int, int], _Value], sheet: str, part: str
) -> tuple[bytes, bool]:
    """The worksheet part with the targets written; and whether a formula was overwritten."""
    where = f"工作表“{sheet}”（{part}）"
    text = _decode(data, where)
    scan = _scan_sheet(text, {r for r, _ in targets}, where)

    for (r, c), _ in targets.items():
        for r1, c1, r2, c2, ref in scan.blocked:
            if r1 <= r <= r2 and c1 <= c <= c2:
                raise WorkbookFormatError(
                    f"{where}：单元格 {cell_address(r, c)} 属于数组公式或模拟运算表区域 {ref}，不能单独改写。"
                )

    splices: list[tuple[int, int, int, str]] = []
    expect: dict[tuple[int, int], _Expect] = {}
    seq = 0
    inserted = 0
    new_rows = 0
    formula_removed = False
    written: list[tuple[int, int]] = []
    new_row_texts: list[str] = []  # only for an empty <sheetData/>

    by_row: dict[int, list[tuple[int, _Value]]] = {}
    for (r, c), v in sorted(targets.items()):
        by_row.setdefault(r, []).append((c, v))

    for r, cells in by_row.items():
        row = scan.rows.get(r)
        if row is None:
            texts = []
            for c, v in cells:
                expect[(r, c)] = _Expect(v, None, v.kind != "blank")
                if v.kind != "blank":
                    texts.append(_cell_xml(scan.sd_prefix, cell_address(r, c), [], v))
                    written.append((r, c))
            if not texts:
                continue
            p = scan.sd_prefix
            row_text = f'<{p}row r="{r}">{"".join(texts)}</{p}row>'
            inserted += len(texts)
            new_rows += 1
            if scan.sd_self_closing:
                new_row_texts.append(row_text)
            else:
                i = bisect.bisect_right(scan.row_nums, r)
                pos = scan.row_starts[i] if i < len(scan.row_starts) else scan.sd_close
                splices.append((pos, pos, seq, row_text))
                seq += 1
            continue

        existing = {cell.col: cell for cell in row.cells}
        cols = [cell.col for cell in row.cells]
        row_inserts: list[tuple[int, str]] = []
        new_cols: list[int] = []
        for c, v in cells:
            address = cell_address(r, c)
            cell = existing.get(c)
            if cell is None:
                expect[(r, c)] = _Expect(v, None, v.kind != "blank")
                if v.kind == "blank":
                    continue
                i = bisect.bisect_right(cols, c)
                pos = row.cells[i].start if i < len(row.cells) else row.append_pos
                row_inserts.append((pos, _cell_xml(row.prefix, address, [], v)))
                new_cols.append(c)
                written.append((r, c))
                continue
            if cell.shared_master:
                raise WorkbookFormatError(
                    f"{where}：单元格 {address} 是共享公式的主单元格，改写它会破坏同组其他单元格的公式；"
                    "请在 Excel 中先取消共享（例如重新填充公式）后再试。"
                )
            formula_removed = formula_removed or cell.has_formula
            kept = [a.raw for a in cell.attrs if a.name not in _DROPPED_CELL_ATTRS]
            style = next((a.value for a in cell.attrs if a.name == "s"), None)
            expect[(r, c)] = _Expect(v, style, True)
            splices.append((cell.start, cell.end, seq, _cell_xml(cell.prefix, address, kept, v)))
            seq += 1
            if v.kind != "blank":
                written.append((r, c))
        if not row_inserts:
            continue
        inserted += len(row_inserts)
        tag = _widen_spans(row.tag, new_cols)
        if row.self_closing:
            open_tag = re.sub(r"\s*/>$", ">", tag)
            body = "".join(t for _, t in row_inserts)
            splices.append((row.start, row.end, seq, f"{open_tag}{body}</{row.prefix}row>"))
            seq += 1
            continue
        if tag != row.tag:
            splices.append((row.start, row.tag_end, seq, tag))
            seq += 1
        for pos, t in row_inserts:
            splices.append((pos, pos, seq, t))
            seq += 1

    if new_row_texts:
        open_tag = re.sub(r"\s*/>$", ">", scan.sd_tag)
        close = f"</{scan.sd_prefix}sheetData>"
        splices.append((scan.sd_start, scan.sd_end, seq, f"{open_tag}{''.join(new_row_texts)}{close}"))

    if scan.dimension is not None and written:
        dim = scan.dimension
        new_ref = _widen_ref(dim.value, written)
        if new_ref is not None and new_ref != dim.value:
            splices.append((dim.value_start, dim.value_end, -1, new_ref))

    if not splices:
        return data, False
    out = _apply(text, splices, where)
    encoded = out.encode("utf-8")
    _verify(encoded, expect, scan.row_count + new_rows, scan.cell_count + inserted, where)
    return encoded, formula_removed


def _decode(data: bytes, where: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise WorkbookFormatError(f"{where}：不支持 UTF-16 编码的 XML 部件。")
    head = data[:200]
    m = re.match(rb"(?:\xef\xbb\xbf)?<\?xml[^>]*encoding\s*=\s*[\"']([^\"']+)[\"']", head)
    if m and m.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
        raise WorkbookFormatError(f"{where}：不支持 {m.group(1).decode('ascii', 'replace')} 编码的 XML 部件。")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise WorkbookFormatError(f"{where}：XML 不是有效的 UTF-8 编码。") from None


def _widen_spans(tag: str, new_cols: list[int]) -> str:
    """Keep the row's ``spans`` hint true when a cell lands outside it (a single ``a:b`` range only)."""
    if not new_cols:
        return tag
    m = _SPANS.search(tag)
    if not m:
        return tag
    quoted = m.group(2)
    sm = re.fullmatch(r"\s*(\d+):(\d+)\s*", quoted[1:-1])
    if not sm:
        return tag
    lo, hi = int(sm.group(1)), int(sm.group(2))
    new_lo, new_hi = min(lo, *new_cols), max(hi, *new_cols)
    if (new_lo, new_hi) == (lo, hi):
        return tag
    q = quoted[0]
    return f"{tag[: m.start(2)]}{q}{new_lo}:{new_hi}{q}{tag[m.end(2) :]}"


def _widen_ref(ref: str, written: list[tuple[int, int]]) -> str | None:
    bounds = _range_bounds(ref)
    if bounds is None:
        return None
    r1, c1, r2, c2 = bounds
    for r, c in written:
        r1, c1, r2, c2 = min(r1, r), min(c1, c), max(r2, r), max(c2, c)
    first, last = cell_address(r1, c1), cell_address(r2, c2)
    return first if first == last else f"{first}:{last}"


def _apply(text: str, splices: list[tuple[int, int, int, str]], where: str) -> str:
    parts: list[str] = []
    last = 0
    for start, end, _, new in sorted(splices):
        if start < last:
            raise WorkbookFormatError(f"{where}：内部错误，改写位置重叠（{start}）。")
        parts.append(text[last:start])
        parts.append(new)
        last = end
    parts.append(text[last:])
    return "".join(parts)

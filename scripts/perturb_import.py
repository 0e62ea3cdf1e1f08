"""What a page break and a copy leave in a report's text, put into real reports: does any cell come out wrong?

Usage: ``python scripts/perturb_import.py FILE_OR_FOLDER ...`` (text, markdown and HTML reports; default: the real
reports of ``tests/data/published``). Each report is imported as it is, then again with one perturbation at a time,
and the cells of each perturbed import are compared with those of the report as it is — so a folder of reports
needs no expected values. A cell read differently is **wrong** (the importer's worst outcome: the test suite holds
it at zero for 淮安 2024, ``tests/test_import_damage.py``); a cell read only in the perturbed text is **new**; a
cell no longer read is **lost** (left blank with its reason, which is allowed).

Perturbations, each inserted as a line of its own (between blank lines) after every ninth and every thirteenth
line from the eleventh on — far more often than real page breaks, to reach the tables' every part: a bare page
number, ``- N -``, ``第 N 页 共 99 页``, ``N/99``, the report's title and the agency's name as running headers,
``续表`` and table 三's column header printed again (in text and markdown reports; a page's source gets only the
next); and, over the whole text, full-width digits, NBSP or ideographic spaces between numbers, CRLF line ends,
thousands separators, tabs between a row's cells, a space between every two Chinese characters (a scan's OCR),
each row's numbers moved onto the line above its label (a converter that puts labels under their numbers) or
broken after their first half, each long row label wrapped in its cell (its first half on a line of its own), one
character of each row label taken for a look-alike and a zero lost in every third row (a scan's OCR).
Written to a temporary folder and removed; nothing is written beside the reports.
"""

from __future__ import annotations

import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from xl_gongkai.adapters.published.files import import_file  # noqa: E402

SUFFIXES = (".txt", ".md", ".html", ".htm")
EVERY = (9, 13)  # insert after each line k with k % step == offset
OFFSET = {9: 3, 13: 7}
FIRST_LINE = 10  # the collection's header and the title stay as they are
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")

LINES = {  # the line inserted: a format of the page's number, the report's title, the agency's name
    "bare page number": "{n}",
    "page marker": "- {n} -",
    "page of count": "第 {n} 页 共 99 页",
    "n/count": "{n}/99",
    "running title": "{title}",
    "agency header": "{agency}",
    "table continued": "续表",
    "column header repeated": "自然人 商业企业 科研机构 社会公益组织 法律服务机构 其他 总计",
}
# A row printed as its label and then its numbers on one line (PDF or page text): ``二、上年结转… 0 0 0 0 0 0 0``.
_ROW_LINE = re.compile(
    r"^(?P<label>(?:[^\d|\t\n]*\d{1,2}[.、．])?[^\d|\t\n]*[\u4e00-\u9fff）)”])"  # an enumerator, then no digit
    r"[ \u3000]+(?P<numbers>\d[\d. \u3000]*\d|\d)\s*$",
    re.MULTILINE)


def _each_row(text: str, change: Callable[[str, str], str | None]) -> str:
    """Each row line (``label n n n``) rewritten as ``change(label, numbers)`` says; ``None`` leaves it as it is."""
    return _ROW_LINE.sub(lambda m: change(m["label"], m["numbers"]) or m[0], text)


def _numbers_above(text: str) -> str:
    """Each row's numbers on the line above its label (a converter that puts labels under their numbers)."""
    return _each_row(text, lambda label, numbers: f"{numbers}\n{label}")


def _label_wrapped(text: str) -> str:
    """Each long row label wrapped in its cell: its first half on a line of its own, the rest before the numbers."""
    def wrap(label: str, numbers: str) -> str | None:
        label = label.strip()
        k = len(label) // 2
        return f"{label[:k]}\n{label[k:]} {numbers}" if len(label) >= 8 else None
    return _each_row(text, wrap)


def _numbers_wrapped(text: str) -> str:
    """Each row of several numbers broken after its first half (a row too wide for the page)."""
    def wrap(label: str, numbers: str) -> str | None:
        items = numbers.split()
        k = len(items) // 2
        return f"{label} {' '.join(items[:k])}\n{' '.join(items[k:])}" if len(items) >= 4 else None
    return _each_row(text, wrap)


def _thousands(text: str) -> str:
    """Whole numbers of four digits and more printed with thousands separators (``1,573,179``)."""
    return re.sub(r"(?<![\d.,])\d{4,}(?![\d.])", lambda m: f"{int(m[0]):,}", text)


def _tabs(text: str) -> str:
    """A row's label and numbers separated by tabs (a table copied from a page)."""
    return _each_row(text, lambda label, numbers: "\t".join([label, *numbers.split()]))


def _ocr_spaced(text: str) -> str:
    """A space between every two Chinese characters (text recognised from a scan: ``一 、 本 年 新 收``)."""
    return re.sub(r"(?<=[\u4e00-\u9fff])(?=[\u4e00-\u9fff])", " ", text)


# Characters an OCR engine takes for others (a scan's text: ``中请`` for 申请, ``公幵`` for 公开, ``本全`` for 本年)
_LOOKALIKE = {"申": "中", "开": "幵", "年": "全", "政": "玫", "信": "倍", "息": "自", "数": "效", "量": "暈",
              "理": "埋", "办": "力", "处": "外", "予": "了", "不": "下", "公": "仑", "务": "各", "结": "给"}


def _label_misread(text: str) -> str:
    """One character of each row label recognised as a look-alike (OCR of a scan), the first that has one."""
    def misread(label: str, numbers: str) -> str | None:
        at = next((i for i, ch in enumerate(label) if ch in _LOOKALIKE), None)
        return None if at is None else f"{label[:at]}{_LOOKALIKE[label[at]]}{label[at + 1:]} {numbers}"
    return _each_row(text, misread)


def _zero_lost(text: str) -> str:
    """In every third row of three numbers or more, one of its zeros lost (OCR that drops a cell's lone ``0``)."""
    seen = [0]

    def lose(label: str, numbers: str) -> str | None:
        items = numbers.split()
        seen[0] += 1
        if len(items) < 3 or seen[0] % 3 or "0" not in items[1:]:
            return None
        at = items.index("0", 1)
        return f"{label} {' '.join(items[:at] + items[at + 1:])}"
    return _each_row(text, lose)


WHOLE: dict[str, Callable[[str], str]] = {
    "a character of each label misread": _label_misread,
    "a zero lost in every third row": _zero_lost,
    "spaces between Chinese characters": _ocr_spaced,
    "numbers wrapped to the next line": _numbers_wrapped,
    "thousands separators": _thousands,
    "tabs between cells": _tabs,
    "numbers above their labels": _numbers_above,
    "labels wrapped in their cells": _label_wrapped,
    "full-width digits": lambda t: t.translate(_FULLWIDTH),
    "NBSP between numbers": lambda t: re.sub(r"(?<=\d) (?=\d)", "\u00a0", t),
    "ideographic space between numbers": lambda t: re.sub(r"(?<=\d) (?=\d)", "\u3000", t),
    "CRLF": lambda t: t.replace("\n", "\r\n"),
}


def cells(path: Path) -> tuple[dict[str, object], str]:
    result = import_file(path)
    agency = str(result.report.metadata.get("agency") or "某局")
    return {str(k): v for k, v in result.report.values.items() if v is not None}, agency


def variants(text: str, agency: str, markup: bool) -> dict[str, str]:
    """Every perturbed text; a page's markup gets the changes of the whole text only (a line put into its source
    could land inside a cell's markup, which no page break does)."""
    out = {kind: change(text) for kind, change in WHOLE.items()}
    if markup:
        return out
    lines = text.split("\n")
    title = next((ln.strip() for ln in lines if "年度报告" in ln and len(ln.strip()) < 60), "年度报告")
    for kind, make in LINES.items():
        for step in EVERY:
            made, n = [], 2
            for k, line in enumerate(lines):
                made.append(line)
                if k > FIRST_LINE and k % step == OFFSET[step]:
                    made += ["", make.format(n=n, title=title, agency=agency), ""]
                    n += 1
            out[f"{kind} (every {step} lines)"] = "\n".join(made)
    return out


def main(args: list[str]) -> int:
    paths = [Path(a) for a in args] or [ROOT / "tests" / "data" / "published"]
    files = sorted(p for a in paths for p in ([a] if a.is_file() else a.iterdir()) if p.suffix in SUFFIXES)
    totals: dict[str, list[int]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for path in files:
            base, agency = cells(path)
            text = path.read_text("utf-8")
            for kind, changed in variants(text, agency, path.suffix in (".html", ".htm")).items():
                copy = Path(tmp) / f"copy{path.suffix}"
                copy.write_text(changed, "utf-8", newline="")
                got, _ = cells(copy)
                wrong = [k for k, v in got.items() if k in base and base[k] != v]
                new = [k for k in got if k not in base]
                lost = [k for k in base if k not in got]
                t = totals.setdefault(kind.split(" (")[0], [0, 0, 0, 0])
                t[0] += len(wrong)
                t[1] += len(new)
                t[2] += len(lost)
                t[3] += len(base)
                if wrong:
                    print(f"{path.name}: {kind}: wrong {wrong[:5]}")
    print(f"{len(files)} reports")
    print(f"{'perturbation':<36} {'wrong':>6} {'new':>6} {'lost':>7} {'cells':>7}")
    for kind, (wrong_n, new_n, lost_n, n) in totals.items():
        print(f"{kind:<36} {wrong_n:>6} {new_n:>6} {lost_n:>7} {n:>7}")
    return 1 if any(t[0] for t in totals.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

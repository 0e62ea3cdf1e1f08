"""What an audit of a folder gives, as bytes to compare: every row and finding of the result, the CSV files, and
the values and links of the results workbook's sheets.

``python tests/support/audit_capture.py`` writes them for the corpus of ``audit_corpus`` into
``tests/data/audit-before/`` — run once, with the audit as it was before a change of its machinery, and
committed; tests/test_audit_same.py compares the audit of today with them.
"""

from __future__ import annotations

import gzip
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
BEFORE = ROOT / "tests" / "data" / "audit-before"
SHEETS = ("概览", "问题清单", "报告清单")  # the sheets that were there before (others may be added)


def _canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def capture(folder: Path, work: Path, *, jobs: int, today: Any) -> dict[str, bytes]:
    """The artefacts of ``audit`` on ``folder`` (outputs written into ``work``), by name."""
    import openpyxl

    from xl_gongkai.commands.audit import csv_files_path, run_audit, write_outputs

    xlsx, csv = work / "审核结果.xlsx", work / "问题.csv"
    with run_audit(folder, jobs=jobs, today=today) as result:
        rows = "".join(_canonical({"row": row, "findings": found}) + "\n" for row, found in result.rows())
        write_outputs(result, xlsx, csv)
    wb = openpyxl.load_workbook(xlsx)
    sheets = {}
    for name in SHEETS:
        ws = wb[name]
        sheets[name] = [[[c.value, c.hyperlink.location if c.hyperlink else None] for c in row]
                        for row in ws.iter_rows()]
    wb.close()
    return {"rows.jsonl": rows.encode("utf-8"), "findings.csv": csv.read_bytes(),
            "files.csv": csv_files_path(csv).read_bytes(),
            "sheets.jsonl": "".join(_canonical([name, row]) + "\n" for name, rows in sheets.items()
                                    for row in rows).encode("utf-8")}


def expected() -> dict[str, bytes]:
    return {p.name[: -len(".gz")]: gzip.decompress(p.read_bytes()) for p in sorted(BEFORE.glob("*.gz"))}


def main() -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import TODAY
    from support.audit_corpus import build_corpus

    with tempfile.TemporaryDirectory() as tmp:
        folder = build_corpus(Path(tmp) / "收件", today=TODAY)
        found = capture(folder, Path(tmp), jobs=1, today=TODAY)
    BEFORE.mkdir(parents=True, exist_ok=True)
    for name, data in found.items():
        (BEFORE / f"{name}.gz").write_bytes(gzip.compress(data, mtime=0))
        print(f"{name}: {len(data)} bytes")


if __name__ == "__main__":
    main()

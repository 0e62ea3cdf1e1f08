"""A province's folder of report documents, the same every time: the folder docs/api.md's examples run on
(tests/test_api.py), and what their results are checked against.

``收件/<year>/<agency>.json`` for five agencies and the years 2023–2025: consistent figures (totals filled), each
agency's 新收 growing or shrinking by a known step; one report of 2025 has an 错误 (a total that does not add up),
and one of 2024 was sent twice (the same report under two names).
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Any

AGENCIES = ("甲市教育局", "甲市公安局", "乙县人民政府", "乙县自然资源局", "丙区卫生健康委员会")
YEARS = (2023, 2024, 2025)
FOLDER = "收件"


def build_province(where: Path) -> Path:
    """Write the folder under ``where``; return ``where / 收件``."""
    from xl_gongkai.core.derive import fill
    from xl_gongkai.core.payload import nested_values
    from xl_gongkai.core.report import Report
    from xl_gongkai.spec import CellKey, load_form

    form = load_form()
    rng = random.Random(2025)
    root = where / FOLDER
    requests = form.table("requests")
    last: dict[str, Any] = {}
    for year in YEARS:
        (root / str(year)).mkdir(parents=True)
        for n, agency in enumerate(AGENCIES):
            values: dict[Any, Any] = {}
            for cell in form.input_cells():
                values[cell.key] = round(rng.uniform(0, 50), 2) if cell.unit == form.units.amount else rng.randint(0, 9)
            before = last.get(agency)
            # the requests table balances: what came in (new + carried in) is what was done and carried out;
            # what is carried in is what last year's report carried out (X1)
            for col in (c for c in requests.columns if not c.sum_of):
                done = sum(values[CellKey("requests", r, col.key)] for r in requests.row("total").sum_of)
                out = CellKey("requests", "carried_out", col.key)
                carried = before.values[out] if before is not None else rng.randint(0, 3)
                values[CellKey("requests", "carried_in", col.key)] = carried
                values[CellKey("requests", "new", col.key)] = done + values[out] - carried
            if before is not None:  # documents in force: last year's, plus issued, less repealed (X2)
                for row in ("rules", "normative_docs"):
                    was = before.values[CellKey("active", row, "in_force")]
                    issued = values[CellKey("active", row, "issued")]
                    repealed = values[CellKey("active", row, "repealed")] = min(values[CellKey("active", row,
                                                                                               "repealed")],
                                                                                 was + issued)
                    values[CellKey("active", row, "in_force")] = was + issued - repealed
            report = fill(Report(form, {"agency": agency, "year": year, "period_start": f"{year}-01-01",
                                        "period_end": f"{year}-12-31"}, values,
                                 {p.key: f"{agency}{year}年的情况。" for p in form.text_parts}))
            last[agency] = report
            doc = {"form": form.id, "metadata": dict(report.metadata), "values": nested_values(report),
                   "narrative": dict(report.narrative)}
            if year == 2025 and n == 0:  # a total that does not add up: an 错误 (R2)
                doc["values"]["requests"]["total"]["natural_person"] += 1
            path = root / str(year) / f"{agency}.json"
            path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), "utf-8")
    shutil.copyfile(root / "2024" / f"{AGENCIES[1]}.json", root / "2024" / f"{AGENCIES[1]}（重发）.json")
    return root


def new_total(root: Path) -> dict[tuple[str, int], int]:
    """表三 本年新收 总计 of every report, read straight from the JSON (one per agency and year)."""
    found: dict[tuple[str, int], int] = {}
    for path in sorted(root.rglob("*.json")):
        doc = json.loads(path.read_text("utf-8"))
        meta = doc["metadata"]
        found.setdefault((meta["agency"], meta["year"]), doc["values"]["requests"]["new"]["total"])
    return found

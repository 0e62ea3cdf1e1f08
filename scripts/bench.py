"""`make bench`: speed, measured against a baseline taken in the same run (ratios, not limits).

1. Cost of an Excel click. Every click starts a fresh Python (RunPython), so the Python-side cost of
   校验 is measured as a fresh interpreter that imports the entry module, reads the book, computes and
   writes back — against a fresh ``python -c "import xlwings"``, the floor any RunPython click pays.
   The book is served by xlwings' remote engine from the JSON its VBA client would send (built from a
   real filled template); the key for that engine is set for the benchmark processes only.
   Also printed: the bulk reads and writes of each command.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"
RUNS = int(os.environ.get("BENCH_RUNS", "9"))

CLICK = """
import json, sys
from pathlib import Path
import xlwings as xw
import xl_gongkai.excel as gk
book = xw.Book(json=json.load(open(sys.argv[1], encoding="utf-8")))
outcome = gk.run(book, sys.argv[2], out_dir=Path(sys.argv[3]))
print(json.dumps({"reads": outcome.reads, "writes": outcome.writes}))
"""


def timed(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    t = time.perf_counter()
    out = subprocess.run(args, capture_output=True, text=True, env=env, check=True).stdout
    return time.perf_counter() - t, out


def click_cost(tmp: Path) -> None:
    from support.remote_book import book_json
    from xl_gongkai.adapters.jsonfile import read_report
    from xl_gongkai.commands.workbook import new_workbook

    report = read_report(ROOT / "tests" / "data" / "reports" / "huaian-city-2024.json").report
    path = new_workbook(tmp / "huaian.xlsm", source=report)
    book = tmp / "book.json"
    book.write_text(json.dumps(book_json(path), ensure_ascii=False), "utf-8")
    env = {**os.environ, "XL_GONGKAI_LOG_DIR": str(tmp / "logs")}
    base_cmd = [sys.executable, "-c", "import xlwings"]
    click_cmd = [sys.executable, "-c", CLICK, str(book), "check", str(tmp / "out")]
    timed(base_cmd, env), timed(click_cmd, env)  # warm the disk cache
    base, click = [], []
    for _ in range(RUNS):  # interleaved, so load on the machine affects both alike
        base.append(timed(base_cmd, env)[0])
        click.append(timed(click_cmd, env)[0])
    b, c = statistics.median(base), statistics.median(click)
    print(f"== Excel click cost (fresh interpreter each time, median of {RUNS})")
    print(f"baseline  python -c 'import xlwings'        {b * 1000:7.0f} ms")
    print(f"check     import + read + compute + write   {c * 1000:7.0f} ms")
    print(f"ratio     check / baseline                 {c / b:7.2f}   (target <= 1.25)")
    print("bulk reads / writes per command (limits: reads <= 6, writes <= 4; fill: 5 derived blocks + 3):")
    for command in ("check", "fill", "export", "diagnose"):
        _, out = timed([sys.executable, "-c", CLICK, str(book), command, str(tmp / "out")], env)
        counts = json.loads(out.strip().splitlines()[-1])
        print(f"  {command:<9} reads {counts['reads']}  writes {counts['writes']}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        click_cost(Path(tmp))


if __name__ == "__main__":
    main()

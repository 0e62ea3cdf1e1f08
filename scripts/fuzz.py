"""`make fuzz`: the hardening tests at full size, and a report of what was tried.

Runs tests/test_hardening.py, tests/test_hardening_env.py and tests/test_hardening_office.py (the fast slice that
``make test`` runs) in this process through pytest, with ``XL_GONGKAI_FUZZ_EXAMPLES`` raised (default 300 examples
for an ordinary fuzz test; ``--examples`` or the environment variable change it) and hypothesis exploring instead
of replaying its fixed slice. Every case records its category, what it was and how long it took
(``XL_GONGKAI_FUZZ_STATS``); the report prints the cases per category, the failures, the slowest case, and peak
memory: this process's (every in-process case) and the largest command-line child's (each child measured by
itself).

Time bounds live here, not in the tests (a loaded machine must not fail a test): every hostile file and every
largest accepted input is one ``xl-gongkai check`` process, and its wall time is compared with the baseline
measured in the same run — ``xl-gongkai check`` of the plain filled workbook, the median of
``BASELINE_RUNS`` runs before and as many after the tests, so that load during the run weighs on both. Each
may take at most ``TIME_BOUND`` times the baseline (on the development machine the baseline is about 0.1 s,
so the bound is about the 10 s the tests once asserted; the slowest accepted input takes about 25 times).
Exit status 1 when any test failed or any bound was exceeded.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_EXAMPLES = 300
BASELINE_RUNS = 5
TIME_BOUND = 100  # times the baseline: catches a hang or a blow-up (minutes), not a slow machine
BOUNDED = ("hostile files", "largest accepted")  # the categories whose cases are timed against the baseline
# the hardening set: what a file holds, the environment, and what an office's folder holds
HARDENING = ("test_hardening.py", "test_hardening_env.py", "test_hardening_office.py")


class Outcomes:
    """A pytest plugin that keeps the failed tests and times the baseline at the start and the end."""

    def __init__(self, work: Path) -> None:
        self.failed: list[str] = []
        self.passed = 0
        self.work = work
        self.baseline: list[float] = []

    def pytest_sessionstart(self) -> None:
        self.baseline += baseline_runs(self.work)

    def pytest_sessionfinish(self) -> None:
        self.baseline += baseline_runs(self.work)

    def pytest_runtest_logreport(self, report: Any) -> None:
        if report.failed:
            self.failed.append(report.nodeid)
        elif report.when == "call" and report.passed:
            self.passed += 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int,
                        default=int(os.environ.get("XL_GONGKAI_FUZZ_EXAMPLES", DEFAULT_EXAMPLES)))
    parser.add_argument("-k", dest="keyword", help="only the tests matching this pytest expression")
    args = parser.parse_args(argv)

    import pytest

    stats = Path(tempfile.mkdtemp(prefix="xl_gongkai_fuzz_")) / "cases.jsonl"
    os.environ["XL_GONGKAI_FUZZ_EXAMPLES"] = str(args.examples)
    os.environ["XL_GONGKAI_FUZZ_STATS"] = str(stats)
    os.environ["XL_GONGKAI_LOG_DIR"] = str(stats.parent / "logs")
    outcomes = Outcomes(stats.parent)
    pytest_args = ["-q", "-p", "no:cacheprovider", *(str(ROOT / "tests" / name) for name in HARDENING)]
    if args.keyword:
        pytest_args += ["-k", args.keyword]
    start = time.perf_counter()
    pytest.main(pytest_args, plugins=[outcomes])
    elapsed = time.perf_counter() - start

    cases = read_cases(stats)
    report(cases, outcomes, elapsed, args.examples)
    over = time_bounds(cases, statistics.median(outcomes.baseline))
    return 1 if outcomes.failed or over else 0


def read_cases(stats: Path) -> list[dict[str, Any]]:
    """The recorded cases, one JSON document a line. Lines end at "\n" only: a case's name may hold U+0085,
    U+2028 or a form feed (the control-character probes), which ``str.splitlines`` would take for line ends."""
    if not stats.exists():
        return []
    return [json.loads(line) for line in stats.read_text("utf-8").split("\n") if line.strip()]


def baseline_runs(work: Path) -> list[float]:
    """Wall times of ``xl-gongkai check`` on the plain filled workbook, each a fresh process like the cases.

    Run from inside the pytest session (see :class:`Outcomes`): importing the test support earlier would load
    hypothesis before pytest can rewrite its assertions.
    """
    from conftest import TODAY
    from support.fuzzing import cli, filled

    path = work / "plain.xlsm"
    path.write_bytes(filled())
    runs = [cli("check", path, "--today", TODAY.isoformat()) for _ in range(BASELINE_RUNS)]
    bad = [r for r in runs if r.code != 0]
    if bad:
        raise SystemExit(f"make fuzz: the baseline (check of the plain filled workbook) failed:\n{bad[0].stderr}")
    return [r.seconds for r in runs]


def time_bounds(cases: list[dict[str, Any]], baseline: float) -> list[dict[str, Any]]:
    """Print every bounded case as a ratio to the baseline; return those over ``TIME_BOUND``."""
    timed = sorted((c for c in cases if c["category"] in BOUNDED and "child_seconds" in c),
                   key=lambda c: -c["child_seconds"])
    print(f"time bounds: each case at most {TIME_BOUND}× the baseline (check of the plain filled workbook, "
          f"median of {2 * BASELINE_RUNS} runs in this run: {baseline:.3f} s)")
    over = []
    for c in timed:
        ratio = c["child_seconds"] / baseline
        flag = "" if ratio <= TIME_BOUND else "  OVER THE BOUND"
        if flag:
            over.append(c)
        print(f"  {ratio:>6.1f}×  {c['child_seconds']:>6.2f} s  {c['child_rss_mb']:>4.0f} MB  "
              f"[{c['category']}] {c['case']}{flag}")
    if not timed:
        print("  (no bounded case ran)")
    return over


def report(cases: list[dict[str, Any]], outcomes: Outcomes, elapsed: float, examples: int) -> None:
    by_category: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for c in cases:
        by_category[c["category"]].append(c)
    print()
    print(f"make fuzz: {len(cases)} cases in {elapsed / 60:.1f} min ({examples} examples per ordinary fuzz test), "
          f"{len(outcomes.failed)} failed tests")
    print(f"{'category':<20} {'cases':>6} {'failed':>7} {'slowest':>9} {'median':>8}")
    for category, items in sorted(by_category.items()):
        secs = sorted(c["seconds"] for c in items)
        failed = sum(1 for c in items if not c["ok"])
        print(f"{category:<20} {len(items):>6} {failed:>7} {secs[-1]:>8.2f}s {secs[len(secs) // 2]:>7.3f}s")
    if cases:
        slow = max(cases, key=lambda c: c["seconds"])
        print(f"slowest case: [{slow['category']}] {slow['case']} — {slow['seconds']:.2f} s")
    children = [c for c in cases if c.get("child_rss_mb", -1) > 0]
    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    line = f"peak memory: this process {self_mb:.0f} MB (ru_maxrss)"
    if children:
        top = max(children, key=lambda c: c["child_rss_mb"])
        line += f"; largest command-line child {top['child_rss_mb']:.0f} MB ([{top['category']}] {top['case']})"
    print(line)
    for nodeid in outcomes.failed:
        print(f"FAILED {nodeid}")


if __name__ == "__main__":
    sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]
    sys.exit(main())

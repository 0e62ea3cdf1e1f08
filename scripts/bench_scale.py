"""`make bench-scale`: an audit at a province's scale — time, files per second, and the peak memory of the parent
and of the largest worker, at two folder sizes in one run, so that "flat parent memory" is a measured ratio.

The folders hold generated workbooks (every agency its own, consistent random figures, as ``make bench``'s
audit section makes them; one in twenty with a planted error) written in parallel. The audit runs as a user
runs it, ``xl-gongkai audit DIR -o 审核结果.xlsx`` in a child process, whose own and whose workers' peak
resident memory are read from ``getrusage`` after it ends. Sizes: ``--files`` (default 20 000) and a tenth
of it; ``BENCH_SCALE_FILES`` sets the default.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))


def _make(args: tuple[str, int, int]) -> int:
    """Workbooks ``start`` .. ``start + count`` of a folder (one batch of the parallel generation)."""
    from bench import generate

    from xl_gongkai.adapters.xlsx_cells import set_cells
    from xl_gongkai.spec import load_form

    folder, start, count = Path(args[0]), args[1], args[2]
    form = load_form()
    staging = folder / f".batch-{start}"
    staging.mkdir()
    for i, path in enumerate(generate(staging, count)):
        n = start + i
        data = path.read_bytes()
        agency = form.field("agency")
        edits: dict[str, dict[str, object]] = {form.metadata_sheet: {agency.cell: f"测试机关{n:06d}"}}
        if n % 20 == 0:  # a stale total: an 错误 on that report
            cell = next(form.derived_cells())
            edits[cell.sheet] = {cell.address: 1}
        (folder / f"{n:06d}.xlsm").write_bytes(set_cells(data, edits))
        path.unlink()
    staging.rmdir()
    return count


def make_folder(folder: Path, files: int, jobs: int) -> float:
    started = time.perf_counter()
    batch = 250
    work = [(str(folder), s, min(batch, files - s)) for s in range(0, files, batch)]
    with ProcessPoolExecutor(jobs) as pool:
        list(pool.map(_make, work))
    return time.perf_counter() - started


def audit(folder: Path, out: Path, jobs: int) -> dict[str, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    code = """
import resource, sys
from xl_gongkai.cli import main
code = main(sys.argv[1:])
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"RSS {me.ru_maxrss} {kids.ru_maxrss} {me.ru_utime + me.ru_stime}", file=sys.stderr)
sys.exit(code)
"""
    proc = subprocess.run([sys.executable, "-c", code, "audit", str(folder), "-o", str(out), "--quiet",
                           "--jobs", str(jobs)], capture_output=True, text=True, encoding="utf-8")
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"audit failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    fields = proc.stderr.strip().splitlines()[-1].split()
    parent_kb, worker_kb, parent_cpu = int(fields[1]), int(fields[2]), float(fields[3])
    return {"seconds": seconds, "cpu": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
            "parent_mb": parent_kb / 1024, "worker_mb": worker_kb / 1024, "parent_cpu": parent_cpu,
            "line": proc.stdout.strip().splitlines()[-1]}


def _report(n: int, r: dict[str, float]) -> None:
    print(f"audit of {n:>6} files: {r['seconds']:7.1f} s wall, {n / r['seconds']:6.0f} files/s, "
          f"{1000 * r['cpu'] / n:5.1f} ms CPU per file; peak memory: parent {r['parent_mb']:5.1f} MB, "
          f"largest worker {r['worker_mb']:4.0f} MB; parent busy {r['parent_cpu'] / r['seconds']:4.0%} "
          "of the wall time", flush=True)
    print(f"  {r['line']}")


def scale_run(files: int, jobs: int) -> None:
    """The audit of ``files`` generated workbooks and of a tenth of them, in one run: files per second, CPU per
    file, and the parent's peak memory at both sizes (flat memory: their ratio close to 1)."""
    sizes = [max(1, files // 10), files]
    results = {}
    with tempfile.TemporaryDirectory(prefix="xl_gongkai-scale-") as tmp:
        for n in sizes:
            folder = Path(tmp) / f"n{n}"
            folder.mkdir()
            made = make_folder(folder, n, jobs)
            print(f"generated {n} workbooks in {made:.0f} s", flush=True)
            results[n] = audit(folder, Path(tmp) / f"审核结果-{n}.xlsx", jobs)
            _report(n, results[n])
            shutil.rmtree(folder)
    small, big = (results[n] for n in sizes)
    print(f"ratio  parent peak memory, {sizes[1]} files / {sizes[0]} files  "
          f"{big['parent_mb'] / small['parent_mb']:5.2f}   (flat: close to 1; 10 would be linear; goal <= 1.05)")
    print(f"ratio  CPU per file,       {sizes[1]} files / {sizes[0]} files  "
          f"{(big['cpu'] / sizes[1]) / (small['cpu'] / sizes[0]):5.2f}")
    print(f"files per second on {jobs} cores, {sizes[1]} files                 {sizes[1] / big['seconds']:5.0f}"
          "   (goal >= 800 on 2 cores)")


DENSE_DISTINCT = 200  # findings-heavy workbooks generated; the folder repeats them, each copy another agency's


def _dense_copies(args: tuple[str, str, int, int]) -> int:
    """Copies ``start`` .. ``start + count`` of the dense folder: a generated workbook each, its agency renamed
    (two files of one agency and year would be F2/F3 findings on each other)."""
    from xl_gongkai.adapters.xlsx_cells import set_cells
    from xl_gongkai.spec import load_form

    source, folder, start, count = Path(args[0]), Path(args[1]), args[2], args[3]
    form = load_form()
    agency = form.field("agency")
    models = sorted(source.iterdir())
    for n in range(start, start + count):
        data = models[n % len(models)].read_bytes()
        edits: dict[str, dict[str, object]] = {form.metadata_sheet: {agency.cell: f"重复机关{n:06d}"}}
        (folder / f"{n:06d}.xlsm").write_bytes(set_cells(data, edits))
    return count


def dense_run(files: int, jobs: int) -> None:
    """An audit of ``files`` findings-heavy workbooks (about 190 findings each, with their 校验结果 filled), made
    by repeating a few hundred generated ones under other agencies' names: wall time, and the share of it the
    parent process is busy (it only concatenates what the workers made)."""
    from bench import checked_workbooks

    with tempfile.TemporaryDirectory(prefix="xl_gongkai-dense-") as tmp:
        models, folder = Path(tmp) / "models", Path(tmp) / "dense"
        models.mkdir()
        folder.mkdir()
        started = time.perf_counter()
        checked_workbooks(models, min(DENSE_DISTINCT, files), 4242, messy=True)
        batch = 500
        with ProcessPoolExecutor(jobs) as pool:
            list(pool.map(_dense_copies, [(str(models), str(folder), s, min(batch, files - s))
                                          for s in range(0, files, batch)]))
        print(f"\ngenerated {files} findings-heavy workbooks in {time.perf_counter() - started:.0f} s", flush=True)
        r = audit(folder, Path(tmp) / "审核结果.xlsx", jobs)
        _report(files, r)
        print(f"dense run: {r['seconds']:.0f} s wall for {files} reports; parent busy "
              f"{r['parent_cpu']:.0f} s = {r['parent_cpu'] / r['seconds']:.1%} of the wall time   (goal <= 20 %)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=int(os.environ.get("BENCH_SCALE_FILES", "20000")))
    parser.add_argument("--dense", type=int, default=int(os.environ.get("BENCH_DENSE_FILES", "0")),
                        help="also a dense run of this many findings-heavy reports")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    scale_run(args.files, args.jobs)
    if args.dense:
        dense_run(args.dense, args.jobs)


if __name__ == "__main__":
    main()

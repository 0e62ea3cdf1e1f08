"""`make bench-scale`: an audit at a province's scale — time, files per second, and the peak memory of the parent
and of the largest worker, at two folder sizes in one run, so that "flat parent memory" is a measured ratio; and
what the detection of text copied across agencies adds to the audit's own time, at both sizes.

The folders hold generated workbooks (every agency its own, consistent random figures, as ``make bench``'s
audit section makes them; one in twenty with a planted error) written in parallel, each with a narrative of
about 1 300 characters (:func:`narrative`): the set wording every report shares, sentences of the agency's own,
and in groups of three agencies a 存在的主要问题 paragraph copied with its figures changed — so the fingerprint
index holds what a province's folder gives it, and the pairs found can be counted against the pairs planted.
The audit runs as a user runs it, ``xl-gongkai audit DIR -o 审核结果.xlsx`` in a child process, whose own and
whose workers' peak resident memory are read from ``getrusage`` after it ends; then once more without the copy
detection (``run_audit(copies=False)``: no fingerprints in the workers, no index in the ledger). Sizes:
``--files`` (default 20 000) and a tenth of it; ``BENCH_SCALE_FILES`` sets the default.
"""

from __future__ import annotations

import argparse
import os
import random
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

# -- the generated narrative ---------------------------------------------------------------------------------------

# Wording every report shares (a province's units start from one model): its fingerprints are held by every agency,
# which the index must set aside as common wording, not list as 20 000 x 20 000 copies.
SET_WORDING = ("本机关坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻党的二十大精神，认真落实《中华人民共和国"
               "政府信息公开条例》和上级关于政务公开工作的部署要求，以公开为常态、不公开为例外，持续推进决策、执行、"
               "管理、服务、结果公开。")
# The vocabulary of an agency's own sentences: what it did, about what, where (with its own figures).
_DID = ("修订完善", "集中发布", "及时更新", "专项清理", "全面梳理", "主动解读", "规范办理", "统筹推进", "分类整理",
        "按期答复", "动态调整", "逐项核对", "定期通报", "组织培训", "深入排查", "优化升级", "集中整治", "联合审查")
_WHAT = ("行政规范性文件", "重大建设项目", "财政预决算信息", "政策问答", "办事指南", "公共资源配置", "社会救助",
         "依申请公开答复书", "政府网站栏目", "政务新媒体账号", "基层政务公开标准目录", "公共企事业单位信息",
         "行政许可事项", "行政处罚结果", "重点领域信息", "人大代表建议", "政协委员提案", "征地拆迁信息",
         "教育医疗信息", "生态环境信息", "民生实事项目", "政策文件库", "政务服务事项", "统计数据")
_WHERE = ("城关", "东城", "西城", "南湖", "北岭", "河口", "新区", "开发区", "高新区", "经开区", "临港", "山南",
          "江北", "桥东", "滨海", "湖西", "龙泉", "青山", "白沙", "石桥")
_HOW = ("确保信息准确完整", "做到应公开尽公开", "切实回应群众关切", "提升公开质量", "方便群众查阅", "形成长效机制",
        "压实工作责任", "规范公开流程", "防止泄露个人信息", "提高答复时效")
# Words of an agency's own: every pair of these characters (a province's reports name their own units, places,
# projects and systems, so their sentences rarely meet another's for ten characters).
_CHARS = "安保备编标部财采策查城处措达代单党档导地点电订督队法范防房服府负岗港工公管规国海行合河湖户环"
_WORDS = tuple(a + b for a in _CHARS for b in _CHARS)
# Stock sentences: each report uses STOCK_USED of STOCK_COUNT, so each is held by many agencies (common wording).
STOCK_COUNT = 30
STOCK_USED = 2
# One report in COPY_EVERY starts a group of COPY_GROUP agencies whose 存在的主要问题 share a paragraph.
COPY_EVERY = 200
COPY_GROUP = 3


def _sentence(rng: random.Random) -> str:
    own = rng.choices(_WORDS, k=6)
    return (f"{rng.choice(_WHERE)}{own[0]}{own[1]}{rng.choice(_DID)}{rng.choice(_WHAT)}{rng.randint(2, 400)}件，"
            f"{own[2]}{own[3]}{rng.choice(_DID)}{rng.choice(_WHAT)}和{own[4]}{own[5]}，{rng.choice(_HOW)}。")


def _stock(k: int) -> str:
    return _paragraph(random.Random(f"stock-{k}"), 1)


def _paragraph(rng: random.Random, sentences: int) -> str:
    return "".join(_sentence(rng) for _ in range(sentences))


def copied_problem(group: int, n: int) -> str:
    """The 存在的主要问题 paragraph a group of agencies shares: the group's own wording, each copy's figures its own."""
    words = random.Random(f"copy-{group}")
    mine = random.Random(n)
    return "".join(f"{words.choice(_WHERE)}{''.join(words.choices(_WORDS, k=2))}{words.choice(_WHAT)}仍有"
                   f"{mine.randint(2, 90)}项不够及时，{words.choice(_HOW)}的要求落实不到位。" for _ in range(4))


def planted_pairs(files: int) -> int:
    """The pairs of agencies :func:`narrative` gives a shared paragraph among the first ``files`` reports."""
    sizes = [min(COPY_GROUP, files - start) for start in range(0, files, COPY_EVERY)]
    return sum(k * (k - 1) // 2 for k in sizes)


def narrative(n: int) -> dict[str, str]:
    """The text parts of report ``n``: about 1 300 characters, as a report's own are long."""
    rng = random.Random(n)
    stock = "".join(_stock(k) for k in rng.sample(range(STOCK_COUNT), STOCK_USED))
    overview = [SET_WORDING] + [_paragraph(rng, 4) for _ in range(4)] + [stock + _paragraph(rng, 1)]
    problems = [_paragraph(rng, 3)]
    if n % COPY_EVERY < COPY_GROUP:
        problems.append(copied_problem(n // COPY_EVERY, n))
    return {"preamble": _paragraph(rng, 2), "overview": "\n".join(overview), "problems": "\n".join(problems),
            "other": _paragraph(rng, 1)}



FIGURES_PER_BATCH = 25  # distinct sets of figures in each batch of 250 (the text and the agency are each file's own)


def _make(args: tuple[str, int, int]) -> int:
    """Workbooks ``start`` .. ``start + count`` of a folder (one batch of the parallel generation)."""
    from bench import generate

    from xl_gongkai.adapters.xlsx_cells import set_cells
    from xl_gongkai.spec import load_form

    folder, start, count = Path(args[0]), args[1], args[2]
    form = load_form()
    staging = folder / f".batch-{start}"
    staging.mkdir()
    models = [p.read_bytes() for p in generate(staging, min(count, FIGURES_PER_BATCH))]
    for p in staging.iterdir():
        p.unlink()
    for i in range(count):
        n = start + i
        data = models[i % len(models)]
        agency = form.field("agency")
        edits: dict[str, dict[str, object]] = {form.metadata_sheet: {agency.cell: f"测试机关{n:06d}"}}
        text = narrative(n)
        edits.setdefault(form.narrative_sheet, {}).update(
            {part.text_cell: text[part.key] for part in form.text_parts if part.text_cell and part.key in text})
        if n % 20 == 0:  # a stale total: an 错误 on that report
            cell = next(form.derived_cells())
            edits[cell.sheet] = {cell.address: 1}
        (folder / f"{n:06d}.xlsm").write_bytes(set_cells(data, edits))
    staging.rmdir()
    return count


def make_folder(folder: Path, files: int, jobs: int) -> float:
    started = time.perf_counter()
    batch = 250
    work = [(str(folder), s, min(batch, files - s)) for s in range(0, files, batch)]
    with ProcessPoolExecutor(jobs) as pool:
        list(pool.map(_make, work))
    return time.perf_counter() - started


def audit(folder: Path, out: Path, jobs: int, copies: bool = True) -> dict[str, float]:
    """The audit of ``folder`` as the command line runs it; ``copies=False``: the same, with ``run_audit`` told not
    to look for copied text (what that detection costs is the difference)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    code = """
import functools, resource, sys
from xl_gongkai.cli import main
if sys.argv[1] == "--no-copies":
    import xl_gongkai.commands.audit as audit
    audit.run_audit = functools.partial(audit.run_audit, copies=False)
code = main(sys.argv[2:])
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"RSS {me.ru_maxrss} {kids.ru_maxrss} {me.ru_utime + me.ru_stime}", file=sys.stderr)
sys.exit(code)
"""
    proc = subprocess.run([sys.executable, "-c", code, "--copies" if copies else "--no-copies", "audit", str(folder),
                           "-o", str(out), "--quiet",
                           "--jobs", str(jobs)], capture_output=True, text=True, encoding="utf-8")
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"audit failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    fields = proc.stderr.strip().splitlines()[-1].split()
    parent_kb, worker_kb, parent_cpu = int(fields[1]), int(fields[2]), float(fields[3])
    return {"seconds": seconds, "cpu": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
            "parent_mb": parent_kb / 1024, "worker_mb": worker_kb / 1024, "parent_cpu": parent_cpu,
            "line": proc.stdout.strip().splitlines()[-1], "pairs": _copied_pairs(out)}


def _copied_pairs(out: Path) -> int:
    """The pairs of agencies the results workbook lists as 跨机关雷同 (its 质量 sheet)."""
    from python_calamine import CalamineWorkbook

    from xl_gongkai.commands.audit_quality import COPIED, QUALITY_SHEET

    book = CalamineWorkbook.from_path(str(out))
    if QUALITY_SHEET not in book.sheet_names:
        return 0
    rows = book.get_sheet_by_name(QUALITY_SHEET).to_python()
    return len({(r[1], r[3]) for r in rows if r and r[0] == COPIED})


def _report(n: int, r: dict[str, float]) -> None:
    print(f"audit of {n:>6} files: {r['seconds']:7.1f} s wall, {n / r['seconds']:6.0f} files/s, "
          f"{1000 * r['cpu'] / n:5.1f} ms CPU per file; peak memory: parent {r['parent_mb']:5.1f} MB, "
          f"largest worker {r['worker_mb']:4.0f} MB; parent busy {r['parent_cpu'] / r['seconds']:4.0%} "
          "of the wall time", flush=True)
    print(f"  {r['line']}")


def _copies_report(n: int, with_: dict[str, float], without: dict[str, float]) -> None:
    added, cpu = with_["seconds"] - without["seconds"], with_["cpu"] - without["cpu"]
    print(f"  without the copy detection: {without['seconds']:7.1f} s wall, {1000 * without['cpu'] / n:5.1f} ms CPU "
          f"per file; the detection adds {added:6.1f} s wall = {added / without['seconds']:5.1%} of the audit's "
          f"own time, CPU {cpu / without['cpu']:5.1%}   (goal < 100 %); pairs listed {with_['pairs']:.0f}, "
          f"planted {planted_pairs(n)}", flush=True)


def scale_run(files: int, jobs: int) -> None:
    """The audit of ``files`` generated workbooks and of a tenth of them, in one run: files per second, CPU per
    file, and the parent's peak memory at both sizes (flat memory: their ratio close to 1); at each size the audit
    again without the copy detection, and what the detection adds."""
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
            _copies_report(n, results[n], audit(folder, Path(tmp) / f"审核结果-{n}-无雷同.xlsx", jobs, copies=False))
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

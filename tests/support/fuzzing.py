"""Real workbooks, damaged and hostile files: the material of tests/test_hardening.py and scripts/fuzz.py.

Everything starts from the real template (the package's ``templates/gov-2021.xlsm``) filled by the real ``new`` command.
Damage is done the way other programs and people do it: cells rewritten with ``set_cells``, or — for what
it cannot write (formulas, error values, dates, booleans) — by replacing the cell's XML in the sheet part;
sheets deleted, renamed, hidden or reordered in ``workbook.xml``; zip entries dropped, truncated or
garbled; the file itself truncated or flipped.

Sizes: ``XL_GONGKAI_FUZZ_EXAMPLES`` is the number of hypothesis examples of an ordinary fuzz test (20
for ``make test``, derandomized so the fast slice is the same on every run; ``make fuzz`` raises it and
lets hypothesis explore). ``XL_GONGKAI_FUZZ_STATS`` names a file where every case tried is appended as a
JSON line (category, case, seconds, and for a command-line run its own wall time and peak memory):
scripts/fuzz.py reads it for its report, and measures there the time bounds of the hostile files.
"""

from __future__ import annotations

import functools
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as ET
from hypothesis import HealthCheck, Phase, settings

from xl_gongkai.adapters.jsonfile import read_report
from xl_gongkai.commands.workbook import new_workbook
from xl_gongkai.spec import load_form

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "src" / "xl_gongkai" / "templates" / "gov-2021.xlsm"
REPORTS = ROOT / "tests" / "data" / "reports"
PUBLISHED = ROOT / "tests" / "data" / "published"
FORM = load_form()
TPL = FORM.template
MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
CJK = re.compile(r"[\u4e00-\u9fff]")

DEFAULT_EXAMPLES = 20
FUZZING = "XL_GONGKAI_FUZZ_EXAMPLES" in os.environ
EXAMPLES = int(os.environ.get("XL_GONGKAI_FUZZ_EXAMPLES", DEFAULT_EXAMPLES))


def fuzz_settings(weight: float = 1.0) -> settings:
    """Hypothesis settings: ``weight`` scales the example count (below 1 for costly examples)."""
    # make test reports a failure as found (shrinking an expensive case can take minutes); make fuzz shrinks
    phases = list(Phase) if FUZZING else [p for p in Phase if p is not Phase.shrink]
    return settings(max_examples=max(3, round(EXAMPLES * weight)), deadline=None, derandomize=not FUZZING,
                    database=None, print_blob=FUZZING, phases=phases,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture])


# ---------------------------------------------------------------------------------------------- the record

@contextmanager
def case(category: str, what: str) -> Iterator[dict[str, Any]]:
    """Time one case; with XL_GONGKAI_FUZZ_STATS set, append it (and whether it failed) to that file.

    The yielded dict takes extra figures of the case: :func:`measured` adds a command-line run's.
    """
    start = time.perf_counter()
    extra: dict[str, Any] = {}
    ok = False
    try:
        yield extra
        ok = True
    finally:
        stats = os.environ.get("XL_GONGKAI_FUZZ_STATS")
        if stats:
            line = {"category": category, "case": what[:160], "seconds": time.perf_counter() - start, "ok": ok,
                    **extra}
            with open(stats, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(line, ensure_ascii=False) + "\n")


# ---------------------------------------------------------------------------------------------- packages

@functools.cache
def filled(name: str = "huaian-city-2024") -> bytes:
    """A real filled workbook: ``new --from`` one of the typed-in real reports."""
    report = read_report(REPORTS / f"{name}.json").report
    with tempfile.TemporaryDirectory() as d:
        import datetime as dt

        return new_workbook(Path(d) / "r.xlsm", source=report, today=dt.date(2026, 11, 26)).read_bytes()


def parts(package: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(package)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def rebuild(package: bytes, changes: dict[str, bytes | None]) -> bytes:
    """The package with parts replaced (bytes), dropped (None) or added, order and compression kept."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zo:
        for info in zin.infolist():
            if info.filename in changes:
                data = changes[info.filename]
                if data is not None:
                    zo.writestr(info.filename, data)
            else:
                zo.writestr(info, zin.read(info.filename))
        for name, data in changes.items():
            if data is not None and name not in zin.namelist():
                zo.writestr(name, data)
    return out.getvalue()


def sheet_parts(package: bytes) -> dict[str, str]:
    """Sheet name -> part name, through workbook.xml and its relationships."""
    p = parts(package)
    rels = {r.get("Id"): r.get("Target") for r in ET.fromstring(p["xl/_rels/workbook.xml.rels"])}
    out = {}
    for s in ET.fromstring(p["xl/workbook.xml"]).iter(f"{MAIN_NS}sheet"):
        out[str(s.get("name"))] = "xl/" + str(rels[s.get(f"{REL_NS}id")]).removeprefix("/xl/")
    return out


def _cell_pattern(address: str) -> re.Pattern[str]:
    return re.compile(rf'<c r="{address}"(?P<attrs>(?:\s+[^\s=/>]+="[^"]*")*)\s*(?:/>|>.*?</c>)', re.S)


def put_raw(package: bytes, sheet: str, address: str, t: str | None, inner: str) -> bytes:
    """Replace one cell's XML: type ``t`` and children ``inner`` (a formula, a cached value); style kept."""
    part = sheet_parts(package)[sheet]
    xml = parts(package)[part].decode("utf-8")
    m = _cell_pattern(address).search(xml)
    assert m, f"{sheet}!{address} is not in the template"
    style = re.search(r'\ss="[^"]*"', m.group("attrs"))
    attrs = (style.group(0) if style else "") + (f' t="{t}"' if t else "")
    new = f'<c r="{address}"{attrs}>{inner}</c>' if inner else f'<c r="{address}"{attrs}/>'
    return rebuild(package, {part: (xml[: m.start()] + new + xml[m.end():]).encode("utf-8")})


def raw_cells(package: bytes, sheet: str) -> dict[str, str]:
    """Every cell element of a sheet as written, by address."""
    xml = parts(package)[sheet_parts(package)[sheet]].decode("utf-8")
    pattern = re.compile(r'<c r="([A-Z]+[0-9]+)"(?:\s+[^\s=/>]+="[^"]*")*\s*(?:/>|>.*?</c>)', re.S)
    return {m.group(1): m.group(0) for m in pattern.finditer(xml)}


def edit_book(package: bytes, edit: Callable[[str], str]) -> bytes:
    """workbook.xml rewritten as text (sheets deleted, renamed, hidden, reordered)."""
    xml = parts(package)["xl/workbook.xml"].decode("utf-8")
    return rebuild(package, {"xl/workbook.xml": edit(xml).encode("utf-8")})


def sheet_elements(xml: str) -> list[str]:
    return re.findall(r"<sheet [^>]*/>", xml)


# ---------------------------------------------------------------------------------------------- cells

@dataclass(frozen=True)
class Raw:
    """A cell value that set_cells cannot write, as Excel stores it, and how the checks must read it."""

    label: str
    t: str | None
    inner: str
    reads_as: str  # "blank", "text", "number", or "refused" (the workbook is refused, naming the cell)


RAW_VALUES = [
    Raw("#DIV/0! from a formula", "e", "<f>1/0</f><v>#DIV/0!</v>", "text"),
    Raw("#REF!", "e", "<v>#REF!</v>", "text"),
    Raw("#N/A", "e", "<f>NA()</f><v>#N/A</v>", "text"),
    Raw("#VALUE!", "e", "<v>#VALUE!</v>", "text"),
    Raw("#NAME?", "e", "<f>FOO()</f><v>#NAME?</v>", "text"),
    Raw("#NUM!", "e", "<v>#NUM!</v>", "text"),
    Raw("#NULL!", "e", "<v>#NULL!</v>", "text"),
    Raw("#SPILL! (newer Excel)", "e", "<f>SEQUENCE(3)</f><v>#SPILL!</v>", "refused"),
    Raw("formula with its number", None, "<f>SUM(1,2)</f><v>3</v>", "number"),
    Raw("formula with text", "str", "<f>\"a\"&amp;\"b\"</f><v>ab</v>", "text"),
    Raw("formula giving =1+1 as text", "str", "<f>\"=1+1\"</f><v>=1+1</v>", "text"),
    Raw("formula never calculated", None, "<f>A1+1</f>", "blank"),
    Raw("ISO date", "d", "<v>2024-01-01T00:00:00</v>", "text"),
    Raw("TRUE", "b", "<v>1</v>", "text"),
    Raw("FALSE", "b", "<v>0</v>", "text"),
    Raw("minus zero", "n", "<v>-0</v>", "number"),
    Raw("1E+308", None, "<v>1E+308</v>", "number"),
    Raw("shared string", "s", "<v>0</v>", "text"),
]


def reads_as(value: Any) -> str:
    """What the checks must make of a plain value written with set_cells."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "blank"
    return "text" if isinstance(value, str) else "number"


# ---------------------------------------------------------------------------------------------- the CLI

@dataclass(frozen=True)
class Run:
    args: tuple[str, ...]
    code: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss_mb: float


# The process's own peak: VmHWM (Linux) starts afresh at exec, while ru_maxrss keeps the high-water mark
# of the process that forked it (here pytest, holding the hostile file it just built).
_DRIVER = """
import re, resource, sys
from xl_gongkai.cli import main
def peak_kb():
    try:
        with open("/proc/self/status") as fh:
            return int(re.search(r"VmHWM:\\s*(\\d+)", fh.read()).group(1))
    except (OSError, AttributeError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    code = main(sys.argv[1:])
finally:
    sys.stderr.write(f"\\n@@peak_rss_kb={peak_kb()}\\n")
sys.exit(code)
"""


def cli(*args: str | Path, timeout: float = 120, cwd: Path | None = None) -> Run:
    """``xl-gongkai ARGS`` in a fresh process: exit code, output, wall time and the process's peak RSS."""
    env = dict(os.environ)
    env.setdefault("XL_GONGKAI_LOG_DIR", tempfile.gettempdir())
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    start = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", _DRIVER, *map(str, args)], capture_output=True, text=True,
                       encoding="utf-8", errors="replace", timeout=timeout, env=env, cwd=cwd)
    seconds = time.perf_counter() - start
    m = re.search(r"\n@@peak_rss_kb=(\d+)\n", r.stderr)
    stderr = r.stderr[: m.start()] if m else r.stderr
    return Run(tuple(map(str, args)), r.returncode, r.stdout, stderr, seconds, int(m.group(1)) / 1024 if m else -1)


def measured(rec: dict[str, Any], run: Run) -> Run:
    """Note a command-line run's own time and peak memory in its case's record (see :func:`case`)."""
    rec["child_seconds"] = run.seconds
    rec["child_rss_mb"] = run.peak_rss_mb
    return run


def assert_clear(run: Run, where: str | Path | None = None) -> None:
    """Findings (exit 0/1) or one clear Chinese error naming the place (exit 2); never a traceback or a defect."""
    assert run.code in (0, 1, 2), (run.args, run.code, run.stderr[-2000:])
    assert "Traceback" not in run.stderr and "Traceback" not in run.stdout, run.stderr[-2000:]
    if run.code == 2:
        assert CJK.search(run.stderr), run.stderr
        if where is not None:
            assert str(where) in run.stderr, (where, run.stderr)


def assert_clear_message(message: str, where: str | Path) -> None:
    """An InputError's text: Chinese, and it names the file."""
    assert CJK.search(message), message
    assert str(where) in message, (where, message)

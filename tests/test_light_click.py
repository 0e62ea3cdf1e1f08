"""A clerk's install is light: no numpy or pandas, and the ribbon's click works without them.

``.venv-clerk`` is the plain install (``pip install xl-gongkai``, no extras), made by ``make test`` (target
``clerk-venv``). xlwings imports numpy and pandas on every click when they are installed — most of a click's
cost — so the clerk's environment must not have them, and nothing the ribbon runs may need them. The click
runs there for real: the entry module, on a book served by xlwings' remote engine from the JSON its VBA
client sends (built from a real filled workbook).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import TODAY, load
from support.remote_book import book_json
from xl_gongkai.commands.workbook import new_workbook

ROOT = Path(__file__).resolve().parent.parent
CLERK_PYTHON = ROOT / ".venv-clerk" / "bin" / "python"
HEAVY = ("numpy", "pandas")

CLICK = """
import json, sys
from pathlib import Path
import xlwings as xw
import xl_gongkai.excel as gk
book = xw.Book(json=json.load(open(sys.argv[1], encoding="utf-8")))
outcome = gk.run(book, sys.argv[2], out_dir=Path(sys.argv[3]))
heavy = sorted(m for m in sys.modules if m.split(".")[0] in {"numpy", "pandas", "openpyxl"})
print(json.dumps({"reads": outcome.reads, "writes": outcome.writes, "critical": outcome.critical,
                  "message": outcome.message, "heavy": heavy}, ensure_ascii=False))
"""


@pytest.fixture(scope="module")
def clerk_python() -> Path:
    if not CLERK_PYTHON.exists():
        subprocess.run(["make", "-s", "clerk-venv"], cwd=ROOT, check=True, timeout=900)
    assert CLERK_PYTHON.exists(), "the clerk's environment is missing: run `make clerk-venv`"
    return CLERK_PYTHON


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["XL_GONGKAI_LOG_DIR"] = str(tmp_path / "logs")
    env["XLWINGS_LICENSE_KEY"] = "noncommercial"  # the remote engine stands in for Excel (docs/licensing.md)
    return env


def test_the_plain_install_has_no_numpy_or_pandas(clerk_python: Path, tmp_path: Path) -> None:
    probe = ("import importlib.util, json; "
             f"print(json.dumps({{n: importlib.util.find_spec(n) is not None for n in {list(HEAVY)!r} + "
             "['xlwings', 'xl_gongkai', 'jsonschema', 'python_calamine']}))")
    found = json.loads(subprocess.run([str(clerk_python), "-c", probe], capture_output=True, text=True, check=True,
                                      env=_env(tmp_path), timeout=120).stdout)
    assert found == {"numpy": False, "pandas": False, "xlwings": True, "xl_gongkai": True, "jsonschema": True,
                     "python_calamine": True}


@pytest.mark.parametrize("command", ["check", "fill", "export", "report", "diagnose"])
def test_every_ribbon_command_runs_in_the_plain_install(clerk_python: Path, tmp_path: Path, command: str) -> None:
    path = new_workbook(tmp_path / "huaian.xlsm", source=load("huaian-city-2024"), today=TODAY)
    book = tmp_path / "book.json"
    book.write_text(json.dumps(book_json(path), ensure_ascii=False), "utf-8")
    r = subprocess.run([str(clerk_python), "-c", CLICK, str(book), command, str(tmp_path / "out")],
                       capture_output=True, text=True, encoding="utf-8", env=_env(tmp_path), timeout=300)
    assert r.returncode == 0, r.stderr
    done = json.loads(r.stdout.strip().splitlines()[-1])
    assert done["heavy"] == [] and not done["critical"], done
    if command == "check":
        assert (done["reads"], done["writes"]) == (8, 3)


def test_audit_runs_in_the_plain_install(clerk_python: Path, tmp_path: Path) -> None:
    """The results workbook is written with XlsxWriter and csv: an office needs nothing more than a clerk."""
    folder = tmp_path / "reports"
    folder.mkdir()
    new_workbook(folder / "a.xlsm", source=load("huaian-city-2024"), today=TODAY)
    r = subprocess.run([str(clerk_python), "-m", "xl_gongkai", "audit", str(folder), "--quiet",
                        "--today", TODAY.isoformat()],
                       capture_output=True, text=True, encoding="utf-8", env=_env(tmp_path), timeout=300)
    assert r.returncode == 0, r.stderr
    assert (folder / "审核结果.xlsx").is_file() and "审核 1 份报告（1 份无错误" in r.stdout

"""Importing and running the core must not load xlwings, openpyxl or pandas (every Excel click pays for it)."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import REPORTS

PROBE = """
import json, sys
from xl_gongkai.adapters.jsonfile import read_report
from xl_gongkai.core.derive import fill
from xl_gongkai.core.rules import check
from xl_gongkai.core.summary import summarize
r = read_report(sys.argv[1]).report
check(fill(r)); summarize(r)
heavy = {"xlwings", "openpyxl", "pandas", "numpy", "jsonschema"}
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in heavy)))
"""


def test_core_loads_no_heavy_library() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE, str(REPORTS / "huaian-city-2024.json")],
                         capture_output=True, text=True, check=True, timeout=60)
    assert json.loads(out.stdout) == []


def test_the_probe_would_see_a_heavy_import() -> None:
    """The probe itself works: importing pandas after the core is reported."""
    probe = PROBE.replace("check(fill(r)); summarize(r)", "check(fill(r)); summarize(r); import pandas")
    out = subprocess.run([sys.executable, "-c", probe, str(REPORTS / "huaian-city-2024.json")],
                         capture_output=True, text=True, check=True, timeout=60)
    assert "pandas" in json.loads(out.stdout)

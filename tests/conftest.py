"""Shared test fixtures: the real reports typed in from published texts (tests/data/reports); the marks of the
tests that drive LibreOffice or a browser, set from what they call (support/markers.py)."""

from __future__ import annotations

import datetime as dt
import gc
import os
from pathlib import Path
from typing import Any

# xlwings' remote engine (xlwings PRO, PolyForm Noncommercial 1.0.0) drives the Excel entry points in the
# tests. The key is set here, for the test process only, before anything imports xlwings; the product's
# Excel path uses only the BSD-licensed part of xlwings (docs/licensing.md).
os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"

import pytest

from support.markers import item_marks
from xl_gongkai.adapters.jsonfile import read_report
from xl_gongkai.core.report import Report

DATA = Path(__file__).parent / "data"
REPORTS = DATA / "reports"
PUBLISHED = DATA / "published"
REAL_REPORTS = ["panzhihua-dongqu-kejiju-2025", "huaian-city-2024", "suqian-city-2023"]
# with their narrative as published (宿迁's collected text holds its tables only)
COMPLETE_REPORTS = ["panzhihua-dongqu-kejiju-2025", "huaian-city-2024"]
# A fixed "today" so year plausibility never depends on when the suite runs.
TODAY = dt.date(2026, 11, 26)


def load(name: str) -> Report:
    return read_report(REPORTS / f"{name}.json").report


@pytest.fixture(params=REAL_REPORTS)
def real_report(request: pytest.FixtureRequest) -> Report:
    return load(request.param)


@pytest.fixture(params=COMPLETE_REPORTS)
def complete_report(request: pytest.FixtureRequest) -> Report:
    return load(request.param)


@pytest.fixture
def huaian() -> Report:
    return load("huaian-city-2024")


@pytest.fixture
def reference() -> Report:
    return load("panzhihua-dongqu-kejiju-2025")


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The agency of every report the rules check while the test runs (``core.rules.check`` still does the work):
    how many times a command checks."""
    from xl_gongkai.core import rules

    calls: list[str] = []
    real = rules.check

    def counted(report: Report, **kw: Any) -> Any:
        calls.append(report.agency)
        return real(report, **kw)

    monkeypatch.setattr(rules, "check", counted)
    return calls


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that reaches LibreOffice or a browser (``make check`` leaves them to ``make test``).

    First among the hooks: pytest-xdist's worker names a test by its ``xdist_group`` in its own hook, and a group
    added after that one ran is no group (each worker then started both browsers and built the release)."""
    for item in items:
        for mark in sorted(item_marks(item)):
            item.add_marker(mark)
        group = SHARED_SESSION.get(item.path.name)
        if group:
            item.add_marker(pytest.mark.xdist_group(group))


def pytest_collection_finish() -> None:
    """Move everything collection made (the modules, the test items, the specs they load) out of the garbage
    collector's sight: it would otherwise walk that whole heap again at every full collection, in every test.
    What a test allocates is collected as before."""
    gc.collect()
    gc.freeze()


# Test files whose tests share one costly session or module fixture: under pytest-xdist (``--dist loadgroup``)
# each file's tests run in one worker, so the browsers start once, the release is built once, and what
# LibreOffice makes of the template (``lo_view``), of the edited workbooks (``sources``, ``libreoffice_csv``) and
# of the harness's own workbooks is made once — not once in every worker that runs one of those tests.
SHARED_SESSION = {"test_web.py": "browsers", "test_release.py": "release", "test_windows_bundle.py": "release",
                  "test_template.py": "template", "test_xlsx_cells.py": "xlsx_cells",
                  "test_libreoffice_harness.py": "libreoffice_harness"}


@pytest.fixture(scope="session")
def built_template() -> bytes:
    """The current form's template as ``make generate`` builds it, built once for the tests that read it (the
    build takes a quarter of a second; tests/test_template.py builds it a second time to compare)."""
    from xl_gongkai.build.template import build_template

    return build_template()


@pytest.fixture(scope="session")
def release(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """``make release`` (scripts/release.py) into a folder of the session, once: its files, SHA256SUMS last.
    Builds the wheel and the Windows bundle (pip, the registry) and the web page (reused while unchanged)."""
    import importlib.util
    import sys

    script = Path(__file__).resolve().parent.parent / "scripts" / "release.py"
    spec = importlib.util.spec_from_file_location("release", script)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["release"] = module
    spec.loader.exec_module(module)
    return list(module.build_release(tmp_path_factory.mktemp("release")))

"""The command line run in the test process (``cli.main``, the code the console script runs), and the real
reports as JSON documents to edit: shared by the tests of what the commands refuse and write."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import REPORTS
from xl_gongkai.cli import main


def doc(name: str) -> dict[str, Any]:
    """A typed-in real report (tests/data/reports) as a JSON document."""
    return json.loads((REPORTS / f"{name}.json").read_text("utf-8"))


def write_json(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False), "utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *args: Any) -> tuple[int, str, str]:
    """(exit code, standard output, standard error) of one command."""
    code = main([str(a) for a in args])
    cap = capsys.readouterr()
    return code, cap.out, cap.err

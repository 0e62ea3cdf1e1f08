"""The findings of an audit do not change when its machinery does: every row and finding, the CSV files and the
results workbook's sheets, byte for byte, against what the audit gave before (tests/data/audit-before, written
by tests/support/audit_capture.py with the audit as it was), on the generated corpus and the real reports of
tests/data — in one process and in several.

The capture is re-taken only when what the findings say changes on purpose, and then compared with the one
before: for catalogue 1.5.0 (I1, I2, I8 became 待核对) the only differences were those findings' severity, the
files' 错误 counts and notes, and the overview's new 待核对 line and its list of the agencies with most 错误; for
catalogue 1.6.0 (I6 became 待核对) the same: I6's severity (38 findings), the 错误 counts and notes of the eight
real reports that had no 错误 but I6 (excerpts and tables-only texts), the overview's two counts and its list;
for payload schema 1.4.0 (a cover field the published text does not state is I6, not M1) the two real excerpts
that name no agency: their M1 错误 became an I6 待核对, their counts and notes, the overview's three counts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import TODAY
from support.audit_capture import capture, expected
from support.audit_corpus import build_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_corpus(tmp_path_factory.mktemp("corpus") / "收件", today=TODAY)


def _first_difference(name: str, found: bytes, wanted: bytes) -> str:
    a, b = found.decode("utf-8").splitlines(), wanted.decode("utf-8").splitlines()
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return f"{name}, line {i + 1}:\n  now:    {x[:400]}\n  before: {y[:400]}"
    return f"{name}: {len(a)} lines now, {len(b)} before"


@pytest.mark.slow  # seconds of CPU: in `make test`, not in the fast loop
@pytest.mark.parametrize("jobs", [1, 2])
def test_the_audit_gives_what_it_gave_before(corpus: Path, tmp_path: Path, jobs: int) -> None:
    before = expected()
    assert set(before) == {"rows.jsonl", "findings.csv", "files.csv", "sheets.jsonl"}
    now = capture(corpus, tmp_path, jobs=jobs, today=TODAY)
    assert set(now) == set(before)
    for name, data in now.items():
        assert data == before[name], _first_difference(name, data, before[name])

"""`make test` on a fresh machine: the system packages are installed, or named in one line before anything runs.

scripts/system_packages.sh reads .ci/apt-packages.txt, whatever it lists. The system is never touched here:
FAKE ``dpkg-query``, ``apt-get``, ``sudo`` and ``id`` (named as such) come first on PATH — a fake package
database reporting one listed package missing, and an apt-get and sudo that only record how they were called.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "system_packages.sh"
LIST = ROOT / ".ci" / "apt-packages.txt"
CJK = re.compile(r"[\u4e00-\u9fff]")


def listed() -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in LIST.read_text("utf-8").splitlines())
    return [line for line in lines if line]


def fake_bin(tmp_path: Path, *, missing: set[str], uid: int, sudo_ok: bool) -> Path:
    """FAKE system tools; each call is appended to ``calls`` as one line."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls"
    tools = {
        # dpkg-query -W -f='${Status}' PACKAGE
        "dpkg-query": f"""pkg="${{@: -1}}"
case " {' '.join(sorted(missing))} " in
  *" $pkg "*) echo "dpkg-query: no packages found matching $pkg" >&2; exit 1;;
esac
printf 'install ok installed'""",
        "apt-get": f'echo "apt-get $*" >> "{calls}"',
        "id": f'[ "$1" = -u ] && echo {uid}',
        "sudo": (f'echo "sudo $*" >> "{calls}"; [ "$1" = -n ] && shift; [ "$1" = true ] && exit 0; exec "$@"'
                 if sudo_ok else f'echo "sudo $*" >> "{calls}"; echo "sudo: a password is required" >&2; exit 1'),
    }
    for name, body in tools.items():
        tool = bin_dir / name
        tool.write_text(f"#!/bin/bash\n{body}\n", "utf-8")
        tool.chmod(0o755)
    return bin_dir


def env(bin_dir: Path, **extra: str) -> dict[str, str]:
    """The test's environment with the FAKE tools first; nothing of an outer make (this runs under make test)."""
    drop = {"XL_GONGKAI_SYSTEM_PACKAGES", "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"}
    base = {k: v for k, v in os.environ.items() if k not in drop}
    return {**base, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", **extra}


def run_script(bin_dir: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(SCRIPT), str(LIST)], cwd=ROOT, capture_output=True, text=True,
                          encoding="utf-8", env=env(bin_dir, **extra), timeout=60)


def calls(tmp_path: Path) -> list[str]:
    path = tmp_path / "calls"
    return path.read_text("utf-8").splitlines() if path.exists() else []


def test_make_test_names_what_is_missing_in_one_line_and_runs_nothing(tmp_path: Path) -> None:
    """Without the right to install: one Chinese-and-English line with the packages and the command, exit 2
    from make (the script's 1), and neither ruff nor pytest started — ``PY`` is a recorder here."""
    absent = listed()[-1]
    bin_dir = fake_bin(tmp_path, missing={absent}, uid=1000, sudo_ok=False)
    ran = tmp_path / "ran"
    recorder = tmp_path / "python"
    recorder.write_text(f'#!/bin/bash\necho "$*" >> "{ran}"\n', "utf-8")
    recorder.chmod(0o755)
    stamps = [tmp_path / "stamp", tmp_path / "clerk-stamp"]
    for stamp in stamps:
        stamp.touch()  # newer than pyproject.toml: make has no environment to build
    r = subprocess.run(["make", "--no-print-directory", "test", f"PY={recorder}", f"PYTHON={recorder}",
                        f"STAMP={stamps[0]}", f"CLERK_STAMP={stamps[1]}"], cwd=ROOT, capture_output=True, text=True,
                       encoding="utf-8", env=env(bin_dir, XL_GONGKAI_SYSTEM_PACKAGES="check"), timeout=120)
    assert r.returncode != 0, r.stdout + r.stderr
    assert not ran.exists(), ran.read_text("utf-8")
    ours = [line for line in r.stderr.splitlines() if not re.match(r"make(\[\d+\])?: \*\*\*", line)]
    assert len(ours) == 1, r.stderr
    (line,) = ours
    assert CJK.search(line) and "missing system packages" in line, line
    assert f"sudo apt-get install -y --no-install-recommends {absent}" in line, line
    assert r.stdout == "", r.stdout
    assert calls(tmp_path) == []  # nothing installed, nothing asked of sudo


def test_without_root_or_passwordless_sudo_nothing_is_installed(tmp_path: Path) -> None:
    """The same line without the switch: a user whose sudo asks for a password."""
    absent = listed()[0]
    bin_dir = fake_bin(tmp_path, missing={absent}, uid=1000, sudo_ok=False)
    r = run_script(bin_dir)
    assert r.returncode == 1 and len(r.stderr.splitlines()) == 1, r.stderr
    assert f"--no-install-recommends {absent}" in r.stderr and CJK.search(r.stderr)
    assert calls(tmp_path) == ["sudo -n true"]


@pytest.mark.parametrize(("uid", "prefix"), [(0, ""), (1000, "sudo -n ")])
def test_root_or_passwordless_sudo_installs_what_is_missing(tmp_path: Path, uid: int, prefix: str) -> None:
    missing = set(listed()[:2])
    bin_dir = fake_bin(tmp_path, missing=missing, uid=uid, sudo_ok=True)
    r = run_script(bin_dir)
    assert r.returncode == 0, r.stderr
    assert "installing missing system packages" in r.stderr
    recorded = [c for c in calls(tmp_path) if c != "sudo -n true"]
    in_order = [p for p in listed() if p in missing]
    install = f"apt-get install -y --no-install-recommends {' '.join(in_order)} -qq"
    expected = ["apt-get update -qq", install]
    if prefix:
        expected = ["sudo -n apt-get update -qq", "apt-get update -qq",
                    f"sudo -n env DEBIAN_FRONTEND=noninteractive {install}", install]
    assert recorded == expected, recorded


def test_nothing_to_do_when_everything_is_installed(tmp_path: Path) -> None:
    bin_dir = fake_bin(tmp_path, missing=set(), uid=1000, sudo_ok=False)
    r = run_script(bin_dir)
    assert (r.returncode, r.stderr, calls(tmp_path)) == (0, "", [])

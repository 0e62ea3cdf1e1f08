"""`make windows-bundle`: every requirement has its Windows wheel, pinned by hash; install.cmd does what the docs say.

The bundle is built for real (pip downloads the locked Windows wheels from the package index), then checked
independently of how it was resolved: starting from the project wheel's own metadata, every requirement is
evaluated with the markers of 64-bit Windows and CPython 3.13 and must be met by a wheel in the bundle whose
tags that platform accepts — so a dependency pip would silently drop on Linux (pywin32) shows up missing.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.tags import compatible_tags, cpython_tags
from packaging.utils import canonicalize_name, parse_wheel_filename

# pip builds the wheel and downloads the locked wheels, through scripts/windows_bundle.py (which the
# automatic marks of support/markers.py do not see into)
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("windows_bundle", ROOT / "scripts" / "windows_bundle.py")
assert _spec and _spec.loader
wb = importlib.util.module_from_spec(_spec)
sys.modules["windows_bundle"] = wb
_spec.loader.exec_module(wb)

PY = tuple(int(p) for p in wb.PYTHON_VERSION.split("."))
TAGS = {*cpython_tags(PY, [wb.ABI, "abi3", "none"], [wb.PLATFORM]), *compatible_tags(PY, "cp313", [wb.PLATFORM])}
WINDOWS = {"os_name": "nt", "sys_platform": "win32", "platform_system": "Windows", "platform_machine": "AMD64",
           "python_version": wb.PYTHON_VERSION, "python_full_version": wb.PYTHON_VERSION + ".0",
           "implementation_name": "cpython", "platform_python_implementation": "CPython", "platform_release": "",
           "platform_version": "", "implementation_version": wb.PYTHON_VERSION + ".0"}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    return zipfile.ZipFile(wb.build_bundle(tmp_path_factory.mktemp("bundle")))


def _wheels(bundle: zipfile.ZipFile) -> dict[str, tuple[str, str]]:
    """{canonical name: (version, member)} of every wheel in the bundle."""
    out = {}
    for member in bundle.namelist():
        if member.endswith(".whl"):
            name, version, _, tags = parse_wheel_filename(member.rsplit("/", 1)[1])
            assert tags & TAGS, f"{member} does not install on CPython {wb.PYTHON_VERSION} {wb.PLATFORM}"
            assert name not in out, f"two wheels for {name}"
            out[name] = (str(version), member)
    return out


def _requires(bundle: zipfile.ZipFile, member: str, extras: tuple[str, ...] = ("",)) -> list[Requirement]:
    with zipfile.ZipFile(bundle.open(member)) as whl:
        meta_name = next(n for n in whl.namelist() if n.endswith(".dist-info/METADATA"))
        meta = Parser().parsestr(whl.read(meta_name).decode("utf-8"))
    reqs = [Requirement(r) for r in meta.get_all("Requires-Dist") or []]
    return [r for r in reqs if r.marker is None or any(r.marker.evaluate({**WINDOWS, "extra": e}) for e in extras)]


def test_every_requirement_on_windows_has_a_wheel_in_the_bundle(bundle: zipfile.ZipFile) -> None:
    wheels = _wheels(bundle)
    seen, todo = set(), [canonicalize_name("xl-gongkai")]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        _, member = wheels[name]
        for req in _requires(bundle, member):
            dep = canonicalize_name(req.name)
            assert dep in wheels, f"{name} needs {req} on Windows: no wheel in the bundle"
            have = wheels[dep][0]
            assert req.specifier.contains(have, prereleases=True), f"{name} needs {req}, bundle has {have}"
            todo.append(dep)
    assert "pywin32" in seen  # the one pip would have dropped
    assert seen == set(wheels), f"wheels nobody needs: {set(wheels) - seen}"
    assert not {"numpy", "pandas"} & seen  # a clerk's install


def test_every_wheel_is_pinned_by_hash(bundle: zipfile.ZipFile) -> None:
    text = bundle.read(f"{wb.TOP}/requirements.txt").decode("utf-8")
    entry = r"^([A-Za-z0-9_.-]+)==\S+ \\\r?\n((?:\s+--hash=sha256:[0-9a-f]{64}(?: \\)?\r?\n?)+)"
    pins = dict(re.findall(entry, text, re.M))
    wheels = _wheels(bundle)
    assert {canonicalize_name(n) for n in pins} == set(wheels)
    for name, hashes in pins.items():
        digest = hashlib.sha256(bundle.read(wheels[canonicalize_name(name)][1])).hexdigest()
        assert digest in hashes, f"{name}: the wheel's hash is not in requirements.txt"


def test_the_lock_pins_what_pyproject_asks_for() -> None:
    from importlib.metadata import requires

    locked = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+) \\", wb.LOCK.read_text("utf-8"), re.M))
    locked = {canonicalize_name(n): v for n, v in locked.items()}
    for line in requires("xl_gongkai") or []:
        req = Requirement(line)
        if req.marker is None or req.marker.evaluate({**WINDOWS, "extra": ""}):
            pinned = locked[canonicalize_name(req.name)]
            assert req.specifier.contains(pinned), f"lock is stale for {req}: make windows-lock"


def test_the_bundle_has_the_script_and_the_template_and_says_what_is_inside(bundle: zipfile.ZipFile) -> None:
    names = set(bundle.namelist())
    assert {f"{wb.TOP}/install.cmd", f"{wb.TOP}/template.xlsm", f"{wb.TOP}/说明.txt"} <= names
    assert bundle.read(f"{wb.TOP}/template.xlsm") == (ROOT / "workbook" / "template.xlsm").read_bytes()
    manifest = bundle.read(f"{wb.TOP}/说明.txt").decode("utf-8")
    assert f"Python {wb.PYTHON_VERSION}" in manifest and "python.org" in manifest
    for member in names - {f"{wb.TOP}/说明.txt"}:
        assert f"{hashlib.sha256(bundle.read(member)).hexdigest()}  {member.removeprefix(wb.TOP + '/')}" in manifest


def _commands(lines: list[str]) -> list[str]:
    """The lines that run a program: the interpreter or the environment's executables."""
    return [line.strip() for line in lines if re.match(r'\s*(%PY%|"%VENV%\\Scripts\\)', line)]


def test_install_cmd_runs_exactly_the_documented_commands() -> None:
    raw = wb.INSTALL_CMD.read_bytes()
    assert b"\n" not in raw.replace(b"\r\n", b"")  # CRLF only: cmd.exe misreads labels in LF files
    script = raw.decode("cp936").split("\r\n")  # the console code page of Chinese Windows
    doc = (ROOT / "docs" / "excel.md").read_text("utf-8")
    block = re.search(r"<!-- install.cmd -->\n```\n(.*?)```", doc, re.S)
    assert block, "docs/excel.md must show install.cmd's commands in the marked block"
    documented = block.group(1).strip().splitlines()
    assert _commands(script) == documented
    assert len(documented) == 3 and "--no-index" in documented[1] and "--require-hashes" in documented[1]
    assert documented[2].endswith("excel install")
    assert 'set "VENV=%LOCALAPPDATA%\\xl_gongkai\\venv"' in script  # per user, no admin
    assert Marker('sys_platform == "win32"').evaluate(WINDOWS)  # the marker environment above is Windows'

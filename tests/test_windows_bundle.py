"""`make windows-bundle`: every requirement has its Windows wheel, pinned by hash; install.cmd does what the docs say.

The bundle is built for real, as part of the release (pip downloads the locked Windows wheels from the package
index; the ``release`` fixture of conftest.py), then checked
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

# the tests of the built bundle are marked slow by hand: pip builds the wheel and downloads the locked wheels
# through scripts/ (the release fixture), which the automatic marks of support/markers.py do not see into

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "src" / "xl_gongkai" / "templates" / "gov-2021.xlsm"  # the built template the package ships
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
def bundle(release: list[Path]) -> zipfile.ZipFile:
    """The bundle of the release (conftest.py), as users download it: built once for both test modules."""
    (zipped,) = [p for p in release if p.name.endswith(f"-windows-{wb.ABI}-{wb.PLATFORM}.zip")]
    return zipfile.ZipFile(zipped)


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


@pytest.mark.slow
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


@pytest.mark.slow
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


def _text(bundle: zipfile.ZipFile, name: str) -> str:
    """A text of the bundle as Notepad reads it: UTF-8 behind a byte order mark, CRLF line ends."""
    raw = bundle.read(f"{wb.TOP}/{name}")
    assert raw.startswith(b"\xef\xbb\xbf") and b"\n" not in raw.replace(b"\r\n", b""), name
    return raw.decode("utf-8-sig").replace("\r\n", "\n")


@pytest.mark.slow
def test_the_bundle_has_the_script_and_the_template_and_says_what_is_inside(bundle: zipfile.ZipFile) -> None:
    names = set(bundle.namelist())
    assert {f"{wb.TOP}/{n}" for n in ("install.cmd", "template.xlsm", "说明.txt", wb.NOTES)} <= names
    assert bundle.read(f"{wb.TOP}/template.xlsm") == TEMPLATE.read_bytes()
    manifest = _text(bundle, "说明.txt")
    assert f"Python {wb.PYTHON_VERSION}" in manifest and "python.org" in manifest and wb.NOTES in manifest
    for member in names - {f"{wb.TOP}/说明.txt"}:
        assert f"{hashlib.sha256(bundle.read(member)).hexdigest()}  {member.removeprefix(wb.TOP + '/')}" in manifest


@pytest.mark.slow
def test_the_bundle_explains_the_install_with_nothing_it_does_not_carry(bundle: zipfile.ZipFile) -> None:
    """安装说明.txt is the marked part of docs/excel.md: Python first, unblocking the zip, install.cmd, 启用内容,
    trusted locations; neither text sends the reader to a document that is not in the bundle."""
    from xl_gongkai import __version__

    notes = _text(bundle, wb.NOTES)
    assert notes == wb.install_notes(__version__)
    for needed in ("python.org", f"Python {wb.PYTHON_VERSION}", "解除锁定", "install.cmd", "启用内容", "受信任位置",
                   "十几秒", "install.log"):
        assert needed in notes, needed
    assert notes.index("解除锁定") < notes.index("双击 install.cmd") < notes.index("启用内容")
    for text in (notes, _text(bundle, "说明.txt")):
        assert "docs/" not in text and ".md" not in text and "`" not in text and "**" not in text


def _script() -> list[str]:
    raw = wb.INSTALL_CMD.read_bytes()
    assert b"\n" not in raw.replace(b"\r\n", b"")  # CRLF only: cmd.exe misreads labels in LF files
    return raw.decode("cp936").split("\r\n")  # the console code page of Chinese Windows


LOGGED = ' >>"%LOG%" 2>&1'


def _commands(lines: list[str]) -> list[str]:
    """The lines that run a program: the interpreter or the environment's executables (without the log)."""
    return [line.strip().removesuffix(LOGGED) for line in lines if re.match(r'\s*(%PY%|"%VENV%\\Scripts\\)', line)]


def test_install_cmd_runs_exactly_the_documented_commands() -> None:
    script = _script()
    doc = (ROOT / "docs" / "excel.md").read_text("utf-8")
    block = re.search(r"<!-- install.cmd -->\n```\n(.*?)```", doc, re.S)
    assert block, "docs/excel.md must show install.cmd's commands in the marked block"
    documented = block.group(1).strip().splitlines()
    assert _commands(script) == documented
    assert len(documented) == 4 and "sys.version_info[:2] == (3, 13)" in documented[0]
    assert documented[1] == '%PY% -m venv "%VENV%"'
    assert "--no-index" in documented[2] and "--require-hashes" in documented[2]
    assert documented[3].endswith("excel install")
    assert 'set "VENV=%LOCALAPPDATA%\\xl_gongkai\\venv"' in script  # per user, no admin
    assert Marker('sys_platform == "win32"').evaluate(WINDOWS)  # the marker environment above is Windows'


def _labels(script: list[str]) -> dict[str, list[str]]:
    """Each label's lines, up to the next label."""
    blocks: dict[str, list[str]] = {}
    current = None
    for line in script:
        if re.fullmatch(r":\w+", line):
            current = line[1:]
            blocks[current] = []
        elif current:
            blocks[current].append(line)
    return blocks


def test_install_cmd_stops_before_closing_only_when_double_clicked() -> None:
    """Started from Explorer, cmd.exe's command line names the script and the window closes at the end: pause
    there; in an open console (or a script that calls it) do not wait for a key."""
    script = _script()
    assert any('"!CMDCMDLINE:%~nx0=!"=="!CMDCMDLINE!"' in line and 'set "PAUSE_AT_END=1"' in line for line in script)
    exits = [i for i, line in enumerate(script) if line.lower().startswith("exit")]
    assert [script[i] for i in exits] == ["exit /b %RC%"]  # one way out
    assert script[exits[0] - 1] == "if defined PAUSE_AT_END pause" and script[exits[0] - 2] == ":end"
    labels = _labels(script)
    for target in re.findall(r"goto (\w+)", "\n".join(script)):
        assert target in labels, target
    for label, lines in labels.items():
        if label not in ("checkpython", "end"):
            assert [x for x in lines if x.strip()][-1] == "goto end", label  # every message ends at the pause


def test_install_cmd_says_which_step_failed_and_keeps_the_output() -> None:
    script = _script()
    check, venv, pip = (next(i for i, line in enumerate(script) if line.startswith(p))
                        for p in ('%PY% -c "', "%PY% -m venv", '"%VENV%\\Scripts\\python.exe" -m pip'))
    assert check < venv < pip
    for i in (check, venv, pip):
        assert script[i].endswith(LOGGED), script[i]  # their output is in the log, not lost with the window
    assert script[check + 1:check + 4] == ['set "RC=%ERRORLEVEL%"', 'if "%RC%"=="13" goto wrongpython',
                                          'if not "%RC%"=="0" goto nopython']
    assert script[venv + 1] == "if errorlevel 1 goto venvfailed"
    assert script[pip + 1] == "if errorlevel 1 goto pipfailed"
    labels = _labels(script)
    for label in ("nopython", "wrongpython", "venvfailed", "pipfailed"):
        assert 'set "RC=1"' in labels[label] and any('"%LOG%"' in x for x in labels[label]), label
    assert "没有找到 Python 3.13" in "\n".join(labels["nopython"])
    assert "找到了 Python 3.13，但没能" in "\n".join(labels["venvfailed"])
    assert script.index('if not exist "%HERE%wheels\\" goto notextracted') < check  # opened inside the zip


def test_install_cmd_asks_before_installing_for_an_elevated_account() -> None:
    """Run as administrator, %LOCALAPPDATA% is the administrator's: say so and install only on Y."""
    script = _script()
    fltmc = script.index("fltmc >nul 2>&1")
    choice = next(i for i, line in enumerate(script) if line.startswith("choice /c YN"))
    assert script[fltmc + 1] == "if errorlevel 1 goto checkpython"  # not elevated: straight on
    assert fltmc < choice < script.index(":checkpython")
    # only Y (1) goes on: N (2), a failed choice (255) or no answer (0) install nothing
    assert script[choice + 1:choice + 3] == ["if errorlevel 2 goto elevated", "if not errorlevel 1 goto elevated"]
    assert any('"%LOCALAPPDATA%"' in line for line in script[fltmc:choice])
    assert [x for x in _labels(script)["elevated"] if x.strip()][-1] == "goto end"


PATHS = ("HERE", "VENV", "LOG", "LOGDIR", "LOCALAPPDATA", "TEMP", "USERNAME")


def test_install_cmd_quotes_every_path_it_shows() -> None:
    """A folder may be called “张三 (财务)” or “A&B”: unquoted, cmd.exe would end a block at the bracket or run
    what follows the &. Every variable that holds a path or a name is shown inside quotes."""
    script = _script()
    shown = [line for line in script if line.lower().startswith(("echo ", "choice "))]
    for line in shown:
        outside = re.sub(r'"[^"]*"', "", line)
        for var in PATHS:
            assert f"%{var}%" not in outside and f"%{var}\\" not in outside, line
    for line in script:
        if re.search(r"\(\s*endlocal|\)\s*else", line):  # the one bracketed command
            assert not any(f"%{var}" in line for var in PATHS), line

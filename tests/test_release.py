"""`make release`: the folder each kind of user downloads from, and the README's install commands run as written.

The release is built for real (``release`` fixture, conftest.py): the project's wheel, the template, the web
page, the Windows bundle and SHA256SUMS. The sums are recomputed here; the README's commands run, line by line
and unchanged, in that folder with a fresh home, so the virtual environment they make is a new one.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import zipfile
from pathlib import Path

import pytest

from xl_gongkai import __version__

# the release fixture runs scripts/release.py, which the automatic marks of support/markers.py do not see into:
# the tests that use it are marked by hand

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "src" / "xl_gongkai" / "templates" / "gov-2021.xlsm"  # the built template the package ships
NAMES = [f"xl_gongkai-{__version__}-py3-none-any.whl", "template.xlsm", "政务公开年报-网页版.html",
         f"xl_gongkai-{__version__}-windows-cp313-win_amd64.zip", "SHA256SUMS"]


@pytest.mark.slow
def test_the_release_holds_what_each_user_downloads_with_its_sums(release: list[Path]) -> None:
    folder = release[0].parent
    assert [p.name for p in release] == NAMES
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == sorted(NAMES)
    sums = dict(re.findall(r"^([0-9a-f]{64})  (\S+)$", (folder / "SHA256SUMS").read_text("utf-8"), re.M))
    assert sorted(sums.values()) == sorted(NAMES[:-1])
    for digest, name in sums.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name
    assert (folder / "template.xlsm").read_bytes() == TEMPLATE.read_bytes()
    wheel = (folder / NAMES[0]).read_bytes()
    with zipfile.ZipFile(folder / NAMES[3]) as bundle:  # the bundle carries this very wheel
        assert bundle.read(f"xl_gongkai-windows/wheels/{NAMES[0]}") == wheel
    with zipfile.ZipFile(folder / NAMES[0]) as whl:  # the package ships its built templates
        assert any(n.endswith("templates/gov-2021.xlsm") for n in whl.namelist())


def test_the_files_tests_run_in_one_worker(request: pytest.FixtureRequest) -> None:
    """Under ``make test`` (pytest-xdist, ``--dist loadgroup``) this file's tests are one group, so the release is
    built once: pytest 9.2 with pytest-xdist 3.8.0, or conftest's marks given after pytest-xdist named the tests,
    had left every test ungrouped without a word (each worker built the release and started both browsers)."""
    if getattr(request.config.option, "loadgroup", False):
        assert request.node.nodeid.endswith("@release")


def test_readme_and_docs_name_every_file_of_the_release() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    excel = (ROOT / "docs" / "excel.md").read_text("utf-8")
    for text in (readme, excel):
        for name in ("xl_gongkai-<version>-windows-cp313-win_amd64.zip", "template.xlsm", "政务公开年报-网页版.html",
                     "xl_gongkai-<version>-py3-none-any.whl", "SHA256SUMS"):
            assert name.replace("<version>", "<版本>" if text is excel else "<version>") in text, name
    assert "make release" in readme and "make release" in excel


def _readme_commands() -> list[str]:
    block = re.search(r"<!-- install-wheel -->\n```sh\n(.*?)```", (ROOT / "README.md").read_text("utf-8"), re.S)
    assert block, "README.md must show the install commands in the marked block"
    return block.group(1).strip().splitlines()


@pytest.mark.slow
def test_the_readme_install_commands_work_as_written_on_a_fresh_machine(release: list[Path], tmp_path: Path) -> None:
    commands = _readme_commands()
    assert commands[-1].endswith("xl-gongkai --version")
    home = tmp_path / "home"
    home.mkdir()
    drop = {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE"}
    env = {**{k: v for k, v in os.environ.items() if k not in drop}, "HOME": str(home)}
    done = None
    for line in commands:
        done = subprocess.run(["bash", "-c", line], cwd=release[0].parent, env=env, capture_output=True, text=True)
        assert done.returncode == 0, f"{line}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    assert done is not None and done.stdout.strip() == f"xl_gongkai {__version__}"
    venv = home / ".local" / "share" / "xl-gongkai"
    assert (venv / "pyvenv.cfg").is_file()  # the commands made a new environment in the fresh home
    heavy = subprocess.run([str(venv / "bin" / "python"), "-c", "import importlib.util as u; "
                            "print([m for m in ('numpy', 'pandas') if u.find_spec(m)])"],
                           capture_output=True, text=True, check=True)
    assert heavy.stdout.strip() == "[]"  # the plain install: nothing that slows a click


def test_a_release_removes_only_the_files_of_other_releases(tmp_path: Path) -> None:
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("release_module", ROOT / "scripts" / "release.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["release_module"] = module
    spec.loader.exec_module(module)
    for name in ("xl_gongkai-0.0.9-py3-none-any.whl", "xl_gongkai-0.0.9-windows-cp313-win_amd64.zip", *NAMES,
                 "notes.txt", ".政务公开年报-网页版.html.inputs"):
        (tmp_path / name).write_bytes(b"x")
    removed = module.remove_stale(tmp_path, set(NAMES[:-1]))
    assert removed == ["xl_gongkai-0.0.9-py3-none-any.whl", "xl_gongkai-0.0.9-windows-cp313-win_amd64.zip"]
    kept = [*NAMES, "notes.txt", ".政务公开年报-网页版.html.inputs"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(kept)

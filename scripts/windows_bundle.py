"""`make windows-bundle`: an offline, per-user install for Windows, built on Linux.

The zip holds, under ``xl_gongkai-windows/``:

- ``wheels/``: the project's wheel and every dependency as a wheel for 64-bit Windows and CPython
  ``PYTHON_VERSION`` — exactly the versions and hashes of the committed lock
  (``packaging/windows/requirements-cp313-win_amd64.txt``, resolved for Windows by uv: pip alone would drop
  pywin32, whose marker it evaluates against this machine);
- ``requirements.txt``: the lock plus the project's wheel with its hash (``pip --require-hashes`` checks all);
- ``install.cmd``: a per-user environment in ``%LOCALAPPDATA%\\xl_gongkai\\venv`` from a Python IT provides
  (python.org's installer; not in the bundle), an offline install (``--no-index``), then
  ``xl-gongkai excel install``;
- ``template.xlsm``;
- ``安装说明.txt``: what to install first, unblocking the zip, install.cmd, 启用内容 and trusted locations — the
  marked part of docs/excel.md, as text, so that what the bundle says and what the docs say cannot drift;
- ``说明.txt``: what is inside, with SHA-256 of every file.

Both texts are UTF-8 with a byte order mark and CRLF line ends: Notepad before Windows 10 (1903) reads a file
without the mark in the ANSI code page and shows the Chinese garbled.

Usage: ``python scripts/windows_bundle.py [OUT_DIR]`` (default ``dist/``).
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON_VERSION = "3.13"
ABI = "cp" + PYTHON_VERSION.replace(".", "")
PLATFORM = "win_amd64"
PACKAGING = ROOT / "packaging" / "windows"
LOCK = PACKAGING / f"requirements-{ABI}-{PLATFORM}.txt"
INSTALL_CMD = PACKAGING / "install.cmd"
TOP = "xl_gongkai-windows"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
EXCEL_DOC = ROOT / "docs" / "excel.md"
NOTES = "安装说明.txt"
NOTES_MARK = "安装说明"  # <!-- 安装说明 --> … <!-- /安装说明 --> in docs/excel.md


def _run(args: list[str]) -> None:
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(args)}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")


def install_notes(version: str) -> str:
    """The bundle's 安装说明.txt: the marked part of docs/excel.md with the Markdown marks taken out."""
    doc = EXCEL_DOC.read_text("utf-8")
    found = re.search(rf"<!-- {NOTES_MARK} -->\n(.*?)<!-- /{NOTES_MARK} -->", doc, re.S)
    if not found:
        raise SystemExit(f"docs/excel.md 中没有 <!-- {NOTES_MARK} --> 标出的一段")
    lines = [f"xl_gongkai {version} 安装说明（Windows）", ""]
    fenced = False
    for line in found.group(1).splitlines():
        if line.startswith("<!--"):
            continue
        if line.startswith("```"):
            fenced = not fenced
            continue
        if fenced:
            lines.append("    " + line)
            continue
        line = re.sub(r"^#+\s*", "", line).replace("**", "").replace("`", "")
        lines.append(line)
    return "\n".join(lines).rstrip("\n") + "\n"


def write_text(path: Path, text: str) -> None:
    """UTF-8 with a byte order mark, CRLF: readable in every Notepad."""
    path.write_text(text, "utf-8-sig", newline="\r\n")


def project_wheel(out: Path) -> Path:
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(ROOT)])
    (wheel,) = out.glob("xl_gongkai-*.whl")
    return wheel


def download(wheels: Path) -> None:
    """Exactly the locked files for Windows; ``--no-deps`` because the lock is already the whole closure."""
    _run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--require-hashes", "--only-binary=:all:",
          "--platform", PLATFORM, "--python-version", PYTHON_VERSION, "--implementation", "cp", "--abi", ABI,
          "-r", str(LOCK), "-d", str(wheels)])


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_bundle(out_dir: Path, wheel: Path | None = None) -> Path:
    """The zip in ``out_dir``; with ``wheel``, that build of the project (``make release`` ships the same one)."""
    from xl_gongkai import __version__

    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        stage = Path(tmp) / TOP
        wheels = stage / "wheels"
        wheels.mkdir(parents=True)
        ours = Path(shutil.copy(wheel, wheels)) if wheel else project_wheel(wheels)
        download(wheels)
        requirements = LOCK.read_text("utf-8").rstrip("\n") + (
            f"\n# this project's wheel (wheels/{ours.name})\n"
            f"xl-gongkai=={__version__} \\\n    --hash=sha256:{sha256(ours)}\n")
        (stage / "requirements.txt").write_text(requirements, "utf-8", newline="\r\n")
        shutil.copyfile(INSTALL_CMD, stage / "install.cmd")
        shutil.copyfile(ROOT / "src" / "xl_gongkai" / "templates" / "gov-2021.xlsm", stage / "template.xlsm")
        write_text(stage / NOTES, install_notes(__version__))
        files = sorted(p for p in stage.rglob("*") if p.is_file())
        manifest = [
            f"xl_gongkai {__version__}：Windows 离线安装包（64 位 Windows，CPython {PYTHON_VERSION}）",
            "",
            f"安装：先读 {NOTES}。简单地说：先安装 python.org 的 Python {PYTHON_VERSION} Windows 安装包（64 位，"
            "“为当前用户安装”即可，Python 不在本安装包中）；解压前先在压缩包的属性中勾选“解除锁定”；"
            "再由要使用 Excel 的账户双击 install.cmd（不需要管理员权限，不需要联网）。",
            "",
            "文件和 SHA-256：",
            *(f"{sha256(p)}  {p.relative_to(stage).as_posix()}" for p in files),
        ]
        write_text(stage / "说明.txt", "\n".join(manifest) + "\n")
        target = out_dir / f"xl_gongkai-{__version__}-windows-{ABI}-{PLATFORM}.zip"
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
            for p in sorted(p for p in stage.rglob("*") if p.is_file()):
                info = zipfile.ZipInfo(f"{TOP}/{p.relative_to(stage).as_posix()}", FIXED_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                z.writestr(info, p.read_bytes())
    return target


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "dist"
    target = build_bundle(out)
    print(f"已生成：{target}（{target.stat().st_size // 1024} KB）")


if __name__ == "__main__":
    main()

"""`make release`: everything a user downloads, in one folder (``dist/``), with its SHA-256 sums.

Until the package is published on an index, ``pip install xl-gongkai`` finds nothing; the release folder is
where each kind of user gets the tool (README, docs/excel.md “下载什么”):

- ``xl_gongkai-<version>-py3-none-any.whl``: the package, for the offices that audit and consolidate and for
  anyone who installs with pip (``pip install ./xl_gongkai-…whl``, dependencies from the index); the very file
  the web page embeds (built from a clean copy of the tree, fixed timestamps) and the Windows bundle carries;
- ``template.xlsm``: the committed template, checked first to equal a fresh build (a stale one is refused);
- ``政务公开年报-网页版.html``: the offline page (``make web``; reused while its inputs are unchanged);
- ``xl_gongkai-<version>-windows-cp313-win_amd64.zip``: the offline Windows bundle (``make windows-bundle``);
- ``SHA256SUMS``: ``sha256sum -c SHA256SUMS`` checks them all.

Files of earlier releases in the folder (another version's wheel or bundle) are removed, so the folder holds
one release; nothing else in it is touched.

Usage: ``python scripts/release.py [OUT_DIR]`` (default ``dist/``).
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent
ROOT = SCRIPTS.parent
sys.path.insert(0, str(SCRIPTS))

import build_web  # noqa: E402 (a sibling script)
import windows_bundle  # noqa: E402

SUMS = "SHA256SUMS"
TEMPLATE = "template.xlsm"
# what a release folder holds, by name pattern: files of these shapes that are not this release's are stale
OURS = ("xl_gongkai-*.whl", "xl_gongkai-*-windows-*.zip", TEMPLATE, build_web.OUT.name, SUMS)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def release_template(out_dir: Path) -> Path:
    from xl_gongkai.build.template import build_template

    committed = ROOT / "src" / "xl_gongkai" / "templates" / "gov-2021.xlsm"
    if committed.read_bytes() != build_template():
        raise SystemExit(f"{committed.relative_to(ROOT)} 与重新生成的模板不一致：请先运行 make generate")
    target = out_dir / TEMPLATE
    shutil.copyfile(committed, target)
    return target


def release_wheel(out_dir: Path, page: Path) -> Path:
    """The wheel the page carries (built by ``build_web.project_wheel``; building it a second time took ten
    seconds for the same bytes)."""
    name, data = build_web.embedded_wheel(page)
    target = out_dir / name
    target.write_bytes(data)
    return target


def release_page(out_dir: Path) -> Path:
    page = build_web.build()
    target = out_dir / page.name
    if target.resolve() != page.resolve():
        shutil.copyfile(page, target)
    return target


def write_sums(out_dir: Path, files: list[Path]) -> Path:
    """``sha256sum``'s own format (two spaces, the name), so ``sha256sum -c`` checks the folder."""
    target = out_dir / SUMS
    target.write_text("".join(f"{sha256(p)}  {p.name}\n" for p in sorted(files, key=lambda p: p.name)), "utf-8")
    return target


def build_release(out_dir: Path = ROOT / "dist") -> list[Path]:
    """Every file of the release in ``out_dir``, ``SHA256SUMS`` last."""
    out_dir.mkdir(parents=True, exist_ok=True)
    template = release_template(out_dir)  # first: a stale template stops the release before anything is built
    page = release_page(out_dir)
    wheel = release_wheel(out_dir, page)
    files = [wheel, template, page, windows_bundle.build_bundle(out_dir, wheel=wheel)]
    for stale in remove_stale(out_dir, {p.name for p in files}):
        print(f"已删除上一次发布的文件：{stale}")
    return [*files, write_sums(out_dir, files)]


def remove_stale(out_dir: Path, keep: set[str]) -> list[str]:
    """Delete the files of other releases (names of the release's shapes not in ``keep``); nothing else."""
    removed = []
    for pattern in OURS:
        for stale in sorted(out_dir.glob(pattern)):
            if stale.is_file() and stale.name not in keep | {SUMS}:
                stale.unlink()
                removed.append(stale.name)
    return removed


def main() -> None:
    out = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else ROOT / "dist"
    files = build_release(out)
    print(f"发布文件夹：{out}")
    for p in files:
        print(f"  {p.name}（{p.stat().st_size // 1024} KB）")
    print("每类用户下载什么、怎样安装：README.md 与 docs/excel.md“下载什么”。")


if __name__ == "__main__":
    main()

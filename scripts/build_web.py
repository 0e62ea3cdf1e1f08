"""`make web`: the offline web page, one self-contained HTML file (docs/web.md).

The file carries everything it runs: the Pyodide runtime from npm (``web/package-lock.json``: exact version
and integrity hash, checked by ``npm ci``), the wheels in ``web/requirements.txt`` (pinned by sha256, checked
by pip), the project's own wheel built from this tree, the page's sources in ``web/``, and the bundled example
with the results native Python gives for it (the page's ``#selftest`` compares against them). Building needs
the registries; running needs nothing.

A digest of every input is kept beside the output; when it matches, the file is reused (``make test`` calls
this, so an unchanged tree costs nothing). ``--force`` rebuilds.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "web"
OUT = ROOT / "dist" / "政务公开年报-网页版.html"
CACHE = ROOT / "build" / "web"
PLATFORM = "pyemscripten_2026_0_wasm32"  # must match the runtime's ABI (checked against pyodide-lock.json)
PYTHON = "3.14"
RUNTIME = ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip"]
SOURCES = ["page.html", "page.css", "boot.js", "floor.js", "bridge.js", "engine.js", "page.js"]
ENGINE = "engine.js"  # runs in the Web Worker; embedded like the runtime's files and checked the same way
# the length of the whole page, written into its manifest after the page is assembled (fixed width)
LENGTH_FIELD = '"length": ' + " " * 12
CHUNK = 1 << 20  # characters of base64 per embedded piece (a multiple of 4: each piece decodes on its own)
# 10 MB until the page read PDFs: PDFium (pypdfium2's wasm build) adds 2.6 MB zipped (docs/web.md)
LIMIT_ZIPPED = 12 * 1024 * 1024
SELFTEST_WORKBOOK = "示例工作簿.xlsm"
SELFTEST_EXPECTED = "自检预期结果.json"
# not copied into the wheel's build tree: at the top (outputs, caches, the virtual environment) and anywhere
TOP_IGNORED = {".git", ".venv", ".venv-clerk", "build", "dist", "out", ".pytest_cache", ".ruff_cache", ".hypothesis",
               ".mypy_cache"}
IGNORED = {"__pycache__", "node_modules"}


@dataclass(frozen=True)
class Embedded:
    name: str
    kind: str  # "runtime", "wheel" or "data"
    data: bytes


def stamp_path(out: Path) -> Path:
    return out.with_name(f".{out.name}.inputs")


def example() -> Path:
    found = sorted((ROOT / "examples").glob("*.txt"))
    if len(found) != 1:
        raise SystemExit(f"examples/ 中应恰有一份示例报告（.txt），现有 {len(found)} 份")
    return found[0]


def inputs_digest() -> str:
    """Every file the page is made of, by path and content."""
    files = [WEB / n for n in ("package.json", "package-lock.json", "requirements.txt", *SOURCES)]
    files += [Path(__file__), ROOT / "pyproject.toml", ROOT / "README.md", example()]
    files += sorted(p for p in (ROOT / "src").rglob("*") if p.is_file() and not IGNORED & set(p.parts))
    h = hashlib.sha256()
    for p in files:
        h.update(str(p.relative_to(ROOT)).encode("utf-8") + b"\0" + hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


def npm_install() -> Path:
    """``npm ci`` in web/ when node_modules does not match the lock file; returns the pyodide package folder."""
    lock = (WEB / "package-lock.json").read_bytes()
    marker = WEB / "node_modules" / ".xl-gongkai-lock.sha256"
    digest = hashlib.sha256(lock).hexdigest()
    if not marker.is_file() or marker.read_text().strip() != digest:
        npm = shutil.which("npm")
        if npm is None:
            raise SystemExit("构建网页版需要 npm（Debian/Ubuntu：apt-get install nodejs npm）。"
                             " / Building the page needs npm (apt-get install nodejs npm).")
        subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
                       cwd=WEB, check=True)
        marker.write_text(digest + "\n")
    pkg = WEB / "node_modules" / "pyodide"
    want = json.loads(lock)["packages"]["node_modules/pyodide"]["version"]
    have = json.loads((pkg / "package.json").read_text("utf-8"))["version"]
    if have != want:
        raise SystemExit(f"node_modules 中的 pyodide 是 {have}，锁定文件要求 {want}：请删除 web/node_modules 后重试")
    return pkg


def pinned_wheels() -> list[tuple[str, str]]:
    """(requirement, sha256) of every line of web/requirements.txt."""
    out = []
    for line in (WEB / "requirements.txt").read_text("utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            m = re.fullmatch(r"(\S+==\S+)\s+--hash=sha256:([0-9a-f]{64})", line)
            if not m:
                raise SystemExit(f"web/requirements.txt：每行应为 名称==版本 --hash=sha256:…，而不是：{line}")
            out.append((m.group(1), m.group(2)))
    return out


def download_wheels() -> list[Path]:
    """The pinned wasm and pure-Python wheels, from the cache or from PyPI (pip checks every hash)."""
    folder = CACHE / "wheels"
    folder.mkdir(parents=True, exist_ok=True)
    pins = pinned_wheels()

    def by_hash() -> dict[str, Path]:
        return {hashlib.sha256(p.read_bytes()).hexdigest(): p for p in folder.glob("*.whl")}

    have = by_hash()
    if any(h not in have for _, h in pins):
        _quiet([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--require-hashes",
                "--only-binary=:all:", "--platform", PLATFORM, "--python-version", PYTHON,
                "-d", str(folder), "-r", str(WEB / "requirements.txt")])
        have = by_hash()
    missing = [req for req, h in pins if h not in have]
    if missing:
        raise SystemExit(f"下载的文件与 web/requirements.txt 中的哈希不符：{', '.join(missing)}")
    return [have[h] for _, h in pins]


def _quiet(cmd: list[str], env: dict[str, str] | None = None) -> None:
    """Run a build step; its chatter (pip's and setuptools' warnings) is shown only when it fails."""
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"构建步骤失败（退出码 {done.returncode}）：{' '.join(cmd[:4])} …")


def project_wheel(tmp: Path) -> Path:
    """The project's own wheel, built from a clean copy of this tree (no stale build/ folder can leak in)."""
    tree = tmp / "tree"
    def ignored(folder: str, names: list[str]) -> list[str]:
        top = Path(folder) == ROOT
        return [n for n in names if n in IGNORED or (top and n in TOP_IGNORED)]

    shutil.copytree(ROOT, tree, ignore=ignored)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "315532800"}  # reproducible zip timestamps
    _quiet([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp / "wheel"), str(tree)], env)
    (wheel,) = (tmp / "wheel").glob("xl_gongkai-*.whl")
    return wheel


def embedded_wheel(page: Path) -> tuple[str, bytes]:
    """The project's wheel as the page carries it (name, bytes), checked against the manifest's sha256: the
    release takes its wheel from here, so the page and the release carry the very same file, built once."""
    html = page.read_text("ascii")
    found = re.search(r'<script type="application/json" id="xg-manifest">(.*?)</script>', html, re.S)
    if found is None:
        raise SystemExit(f"{page.name} 中没有清单：请重新运行 make web")
    manifest = json.loads(found.group(1).replace("<\\/", "</"))
    (entry,) = [f for f in manifest["files"] if f["kind"] == "wheel" and f["name"].startswith("xl_gongkai-")]
    text = "".join(re.search(f'id="{i}">([^<]*)<', html).group(1) for i in entry["ids"])  # type: ignore[union-attr]
    data = base64.b64decode(text)
    data = gzip.decompress(data) if entry["gzip"] else data
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise SystemExit(f"{page.name} 中的 {entry['name']} 已损坏：请运行 make web 重新生成")
    return entry["name"], data


def selftest_data(tmp: Path) -> list[Embedded]:
    """The example report, a workbook filled from it, and what native Python computes for both."""
    from xl_gongkai import webpage
    from xl_gongkai.commands.load import open_source
    from xl_gongkai.commands.workbook import new_workbook

    text = example()
    book = new_workbook(tmp / SELFTEST_WORKBOOK, source=open_source(text).report)
    expected = webpage.expectations(str(text), str(book), home=str(tmp / "home"))
    return [Embedded(text.name, "data", text.read_bytes()), Embedded(book.name, "data", book.read_bytes()),
            Embedded(SELFTEST_EXPECTED, "data", json.dumps(expected, ensure_ascii=False, indent=1).encode())]


def script_ascii(text: str) -> str:
    """JavaScript with every non-ASCII character as a ``\\uXXXX`` escape (the page's scripts hold them only
    in strings and comments, where the escape means the same character)."""
    return "".join(c if ord(c) < 128 else "".join(f"\\u{u:04x}" for u in _utf16(c)) for c in text)


def html_ascii(text: str) -> str:
    """HTML text and attributes with every non-ASCII character as a character reference."""
    return "".join(c if ord(c) < 128 else f"&#x{ord(c):x};" for c in text)


def css_ascii(text: str) -> str:
    """A style sheet with every non-ASCII character as a CSS escape."""
    return "".join(c if ord(c) < 128 else f"\\{ord(c):06x}" for c in text)


def _utf16(c: str) -> tuple[int, ...]:
    raw = c.encode("utf-16-be")
    return tuple(int.from_bytes(raw[i:i + 2], "big") for i in range(0, len(raw), 2))


def render(files: list[Embedded], lock_info: dict[str, str], pyodide_version: str) -> bytes:
    """The page (docs/web.md, "web page" in docs/design.md).

    All ASCII: a browser decodes a page of one-byte characters on its fast path, and it decodes the page on
    the page's own thread before anything can run. The embedded files are gzip-compressed (the engine
    inflates them with the browser's DecompressionStream), which halves what the browser must read and
    decode, and cut into pieces of at most ``CHUNK`` characters, each handed to the engine in a task of its
    own. The manifest says, for each file, its pieces, its length as embedded, and its length and sha256 as
    built; for the page, its whole length.
    """
    from xl_gongkai import __version__

    blocks: list[str] = []

    def embed(f: Embedded, *, compress: bool) -> dict[str, object]:
        data = gzip.compress(f.data, compresslevel=9, mtime=0) if compress else f.data
        text = base64.b64encode(data).decode("ascii")
        ids = []
        for k in range(0, len(text), CHUNK):
            ids.append(f"xg-{len(blocks)}")
            blocks.append(f'<script type="application/octet-stream" id="{ids[-1]}">{text[k:k + CHUNK]}</script>')
        return {"name": f.name, "kind": f.kind, "size": len(f.data), "sha256": hashlib.sha256(f.data).hexdigest(),
                "gzip": compress, "encoded": len(text), "ids": ids}

    entries = [embed(f, compress=True) for f in files]
    engine = embed(Embedded(ENGINE, "engine", (WEB / ENGINE).read_bytes()), compress=False)
    manifest = {
        "version": __version__,
        "pyodide": pyodide_version,
        "lock": {"info": lock_info, "packages": {}},  # nothing is loaded by name: every wheel is embedded
        "files": entries,
        "engine": engine,
        "selftest": {"example": example().name, "workbook": SELFTEST_WORKBOOK, "expected": SELFTEST_EXPECTED},
        "length": 0,
    }
    text = json.dumps(manifest, ensure_ascii=True).replace("</", "<\\/").replace('"length": 0', LENGTH_FIELD)
    parts = {
        "version": __version__,
        "style": css_ascii((WEB / "page.css").read_text("utf-8")),
        "boot": script_ascii((WEB / "boot.js").read_text("utf-8")),
        "floor": script_ascii((WEB / "floor.js").read_text("utf-8")),
        "bridge": script_ascii((WEB / "bridge.js").read_text("utf-8")),
        "page": script_ascii((WEB / "page.js").read_text("utf-8")),
        "embedded": "\n".join(blocks),
        "manifest": text,
    }
    html = html_ascii((WEB / "page.html").read_text("utf-8"))
    for key, value in parts.items():
        html = html.replace("{{" + key + "}}", value)
    if "{{" in html:
        raise SystemExit("web/page.html 中有未替换的占位符")
    length = f'"length": {len(html):12d}'
    if len(length) != len(LENGTH_FIELD) or html.count(LENGTH_FIELD) != 1:
        raise SystemExit("网页版的长度字段无法写入")
    return html.replace(LENGTH_FIELD, length).encode("ascii")


def zipped_size(data: bytes, name: str) -> int:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr(name, data)
    return len(buf.getvalue())


def build(out: Path = OUT, *, force: bool = False) -> Path:
    digest = inputs_digest()
    stamp = stamp_path(out)
    if not force and out.is_file() and stamp.is_file() and stamp.read_text().strip() == digest:
        print(f"网页版已是最新：{out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
        return out
    pkg = npm_install()
    lock = json.loads((pkg / "pyodide-lock.json").read_text("utf-8"))
    info = lock["info"]
    if f"pyemscripten_{info['abi_version']}_{info['arch']}" != PLATFORM or not info["python"].startswith(PYTHON):
        raise SystemExit(f"Pyodide 的 ABI（{info}）与 build_web.py 中的 {PLATFORM} / Python {PYTHON} 不一致")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        files = [Embedded(n, "runtime", (pkg / n).read_bytes()) for n in RUNTIME]
        files += [Embedded(p.name, "wheel", p.read_bytes()) for p in [*download_wheels(), project_wheel(tmp)]]
        files += selftest_data(tmp)
        page = render(files, info, json.loads((pkg / "package.json").read_text("utf-8"))["version"])
    zipped = zipped_size(page, out.name)
    if zipped > LIMIT_ZIPPED:
        raise SystemExit(f"网页版压缩后 {zipped / 2**20:.1f} MB，超过 {LIMIT_ZIPPED // 2**20} MB 的上限")
    from xl_gongkai.fileio import write_bytes_atomic, write_text_atomic

    write_bytes_atomic(out, page)
    write_text_atomic(stamp, digest + "\n")
    print(f"已生成网页版：{out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}"
          f"（{len(page) / 2**20:.1f} MB，zip 压缩后 {zipped / 2**20:.1f} MB）")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description="生成离线网页版（单个 HTML 文件）")
    parser.add_argument("-o", "--output", type=Path, default=OUT, help=f"输出路径（默认 {OUT.relative_to(ROOT)}）")
    parser.add_argument("--force", action="store_true", help="即使输入未变也重新生成")
    args = parser.parse_args()
    build(args.output.resolve(), force=args.force)


if __name__ == "__main__":
    main()

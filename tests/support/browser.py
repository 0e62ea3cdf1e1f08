"""Real headless browsers for the web page's tests: Debian's Chromium and Firefox ESR, driven by puppeteer-core.

``browser.mjs`` (Node, puppeteer-core from web/node_modules) holds the browser; this class sends it one JSON
request per line. The browsers and Node come from Debian (.ci/apt-packages.txt); when one is missing the
tests stop with a message naming it, never skip.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("browser.mjs")
EXECUTABLES = {"chromium": ["chromium", "chromium-browser"], "firefox": ["firefox-esr", "firefox"]}
PACKAGES = {"chromium": "chromium", "firefox": "firefox-esr", "node": "nodejs npm", "soffice": "libreoffice-calc-nogui"}
HANG_GUARD = 600.0  # seconds: only against a hung browser, far beyond any real step; not a timing bound


def require(kind: str) -> str:
    """The executable of a browser (or of Node, LibreOffice); a missing one fails the test with its package."""
    for name in EXECUTABLES.get(kind, [kind]):
        if found := shutil.which(name):
            return found
    pytest.fail(f"网页版的浏览器测试需要 {kind}：请安装 Debian 软件包 {PACKAGES[kind]}（bash .ci/run 会自动安装）。"
                f" / The browser tests need {kind}: apt-get install {PACKAGES[kind]}.", pytrace=False)


class Browser:
    """One browser process with its own fresh profile and download folder."""

    def __init__(self, kind: str, workdir: Path) -> None:
        self.kind = kind
        self.profile = workdir / "profile"
        self.downloads = workdir / "downloads"
        self.downloads.mkdir(parents=True)
        self.log = (workdir / "browser.log").open("w", encoding="utf-8")
        self.proc = subprocess.Popen([require("node"), str(DRIVER), str(ROOT / "web")], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.log, text=True, encoding="utf-8")
        self.version = self.request("launch", browser=kind, executable=require(kind), profile=str(self.profile),
                                    downloads=str(self.downloads))["version"]

    def request(self, op: str, **args: Any) -> dict[str, Any]:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps({"op": op, **args}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.kind} driver ended; see its log {self.log.name}")
        answer = json.loads(line)
        if not answer.pop("ok"):
            raise RuntimeError(f"{self.kind}: {op} failed: {answer['error']}")
        return answer

    def eval(self, expr: str, page: str = "main") -> Any:
        return self.request("eval", expr=expr, page=page).get("value")  # undefined comes back as no value

    def call(self, command: str, **args: Any) -> dict[str, Any]:
        """A command of xl_gongkai.webpage through the page's own bridge (window.xlGongkai.call)."""
        result: dict[str, Any] = self.eval(f"window.xlGongkai.call({json.dumps(command)}, {json.dumps(args)})")
        return result

    def put(self, path: Path) -> str:
        """A file's bytes into the page's engine (window.xlGongkai.receive); returns its path there."""
        data = json.dumps(base64.b64encode(path.read_bytes()).decode("ascii"))
        name = json.dumps(path.name)
        return str(self.eval(f"window.xlGongkai.receive({name}, "
                             f"Uint8Array.from(atob({data}), (c) => c.charCodeAt(0))).then((r) => r.path)"))

    def get(self, page_path: str) -> bytes:
        """A file's bytes out of the engine's in-memory file system."""
        text = self.eval("window.xlGongkai.read(" + json.dumps(page_path) + ").then((b) => {"
                         " let s = ''; for (let i = 0; i < b.length; i += 32768)"
                         " s += String.fromCharCode.apply(null, b.subarray(i, i + 32768)); return btoa(s); })")
        return base64.b64decode(text)

    def clear_downloads(self) -> None:
        """Forget earlier downloads, so that a file downloaded again keeps its own name (no "(1)")."""
        for p in self.downloads.iterdir():
            p.unlink()

    def downloaded(self, name: str) -> bytes:
        """A file the page downloaded, once the browser has finished writing it."""
        target = self.downloads / name
        deadline = time.monotonic() + HANG_GUARD
        while time.monotonic() < deadline:
            partial = [p for p in self.downloads.iterdir() if p.suffix in (".crdownload", ".part")]
            if target.is_file() and not partial and target.stat().st_size > 0:
                return target.read_bytes()
            time.sleep(0.05)
        raise RuntimeError(f"{self.kind}: {name} was never downloaded (have: {sorted(self.downloads.iterdir())})")

    def close(self) -> None:
        try:
            self.request("quit")
        finally:
            if self.proc.stdin:
                self.proc.stdin.close()
            self.proc.wait()
            self.log.close()

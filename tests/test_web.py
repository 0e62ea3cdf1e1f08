"""The offline web page (docs/web.md) in real headless browsers: Debian's Chromium and Firefox ESR.

The page is the built single file (``scripts/build_web.py``; reused while its inputs are unchanged), opened
from file:// with each browser's own file-origin policy. Each browser starts once for the whole session. The
expected values come from the native command line (``cli.main``), run on the same files with the same "today":
a clerk's workbook goes through the page's real file input, its findings are read from the DOM and every file
the page downloads is compared byte for byte; then every workbook, payload and published report of the test
data goes through the page's commands and the CLI's.

What the page promises a clerk (docs/web.md) is tested as a clerk meets it: last year's report refuses 导出
and stays in 填充合计's results; 重新校验 reads the file again or says it must be chosen again; a cut or
damaged copy says so; the keyboard reaches every control and opens the file chooser; axe-core finds nothing
critical or serious; the blank workbook is the CLI's; typed explanations survive a reload, and leaving with
unsaved ones asks first. Timings are not asserted here (``make bench`` measures the longest main-thread
task and how long a cut copy takes to say so); what makes them small is: the engine runs in a Web Worker,
and the page is ASCII.

``XG_WEB_SCREENSHOTS=folder`` keeps the pictures the clerk's tests take in Chromium (``make docs-images``
puts them in docs/img for docs/web.md).
"""

from __future__ import annotations

import base64
import contextlib
import functools
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import PUBLISHED, REPORTS, TODAY
from support.browser import Browser, require
from xl_gongkai.adapters.workbook_read import read_workbook
from xl_gongkai.adapters.xlsx_cells import set_cells
from xl_gongkai.advice import for_page
from xl_gongkai.cli import main as cli_main
from xl_gongkai.spec import CellKey, load_form

ROOT = Path(__file__).resolve().parent.parent
T = TODAY.isoformat()
BOOKS = {".xlsm", ".xlsx"}
EXPLANATION = "本年度收费25亿元属实，已与财政部门核对（测试用说明）。"
FEE = "V5:active.fees.amount"
IDLE = ("Number(document.body.dataset.done || 0) > {n}"
        " && document.getElementById('app').getAttribute('aria-busy') !== 'true'")
# what a message must not say to someone with only a browser: a command or an option ("xl-gongkai 导出的数据包"
# names the tool, which the page is too)
COMMAND = re.compile(r"xl-gongkai [a-z]|(?<![\w-])--[a-z]|"
                     r"(?<![A-Za-z.])(check|fill|export|report|new|import|audit)(?![A-Za-z.])")


def cli(cwd: Path, *args: str) -> tuple[int, str, str]:
    """The command line, in this process, run from ``cwd`` on file names (as a clerk types them)."""
    out, err = io.StringIO(), io.StringIO()
    here = Path.cwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli_main(list(args))
    finally:
        os.chdir(here)
    return code, out.getvalue(), err.getvalue()


# --- the page, the browsers and the inputs ------------------------------------------------------------------

@pytest.fixture(scope="session")
def page_file() -> Path:
    require("node")
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_web.py")], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return ROOT / "dist" / "政务公开年报-网页版.html"


def page_url(page: Path, fragment: str = "") -> str:
    return f"{page.as_uri()}?today={T}{fragment}"


@pytest.fixture(scope="session", params=["chromium", "firefox"])
def browser(request: pytest.FixtureRequest, page_file: Path,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """One browser for the session, with the page open at ``#selftest`` (one cold start per browser)."""
    b = Browser(request.param, tmp_path_factory.mktemp(request.param))
    try:
        b.request("open", url=page_url(page_file, "#selftest"), until="document.body.dataset.state")
        yield b
    finally:
        b.close()


def settled(b: Browser) -> int:
    return int(b.eval("Number(document.body.dataset.done || 0)"))


def after(b: Browser, op: str, **args: Any) -> None:
    """Do one thing in the page and wait until the page says it has finished it (and nothing else runs)."""
    n = settled(b)
    b.request(op, **args)
    b.request("wait", expr=IDLE.format(n=n))


def text_of(b: Browser, ident: str) -> str:
    return str(b.eval(f"document.getElementById({json.dumps(ident)}).textContent"))


def shot(b: Browser, name: str, tmp_path: Path, page: str = "main") -> None:
    """A picture of the page as the clerk sees it (docs/web.md shows Chromium's)."""
    keep = os.environ.get("XG_WEB_SCREENSHOTS")
    folder = Path(keep) if keep and b.kind == "chromium" else tmp_path
    b.request("screenshot", page=page, file=str(folder / f"web-{name}.png"))


@pytest.fixture(scope="session")
def clerk_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clerk's workbook: a fee typed in 元 (V5, a 提示) and two inputs changed after the totals were filled."""
    folder = tmp_path_factory.mktemp("clerk")
    doc = json.loads((REPORTS / "huaian-city-2024.json").read_text("utf-8"))
    doc["values"]["active"]["fees"]["amount"] = 250000
    # a narrative that states none of the changed figures (the published one does: N1 would speak)
    doc["narrative"] = {k: "本年度无需要说明的事项。" for k in doc.get("narrative", {})}
    (folder / "clerk.json").write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    assert cli(folder, "new", "--from", "clerk.json", "-o", "年报填报.xlsm", "--today", T)[0] == 0
    book = folder / "年报填报.xlsm"
    form, report = load_form(), read_workbook(book)
    edits: dict[str, dict[str, Any]] = {}
    for row in ("new", "carried_out"):
        cell = form.cell(CellKey("requests", row, "natural_person"))
        edits.setdefault(cell.sheet, {})[cell.address] = report.value(cell.key) + 10
    book.write_bytes(set_cells(book.read_bytes(), edits))
    return book


@pytest.fixture(scope="session")
def cross_year(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """淮安's 2024 workbook, clean on its own, and a 2023 report whose 结转下年度 disagrees with its 上年结转
    (宿迁's): X1 错误, X2 and X4 (another agency) 提示, only when last year's report is given."""
    folder = tmp_path_factory.mktemp("crossyear")
    for name in ("huaian-city-2024.json", "suqian-city-2023.json"):
        shutil.copy(REPORTS / name, folder / name)
    assert cli(folder, "new", "--from", "huaian-city-2024.json", "-o", "淮安2024.xlsm", "--today", T)[0] == 0
    return folder / "淮安2024.xlsm", folder / "suqian-city-2023.json"


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Every report JSON and published report of the test data, workbooks made from them by the CLI
    (``new --from``, ``import -o``), payloads exported by the CLI, and payloads broken against the schema."""
    folder = tmp_path_factory.mktemp("corpus")
    files = []
    for src in [*sorted(REPORTS.glob("*.json")), *sorted(PUBLISHED.glob("*.txt"))]:
        (folder / src.name).write_bytes(src.read_bytes())
        files.append(folder / src.name)
    for src in sorted(REPORTS.glob("*.json")):
        name = f"{src.stem}.xlsm"
        assert cli(folder, "new", "--from", src.name, "-o", name, "--today", T)[0] == 0
        files.append(folder / name)
        assert cli(folder, "export", src.name, "-o", f"{src.stem}_payload.json", "--draft", "--today", T)[0] == 0
        files.append(folder / f"{src.stem}_payload.json")
    files.append(libreoffice_saved(folder / "huaian-city-2024.xlsm", folder / "huaian-city-2024-libreoffice.xlsx"))
    files += ledger_books(folder)
    for src in sorted(PUBLISHED.glob("*.txt")):
        cli(folder, "import", src.name, "-o", f"{src.stem}.xlsm", "--today", T)  # exit 1 when it found 错误
        if (folder / f"{src.stem}.xlsm").is_file():  # the 2019 format has no workbook
            files.append(folder / f"{src.stem}.xlsm")
    files += broken_payloads(folder, folder / "huaian-city-2024_payload.json")
    files += other_kinds(folder)
    return files


OTHER_KINDS = ["19_huaian-city-2024.pdf", "淮安_扩展名不符.txt", "扫描件.pdf", "淮安_年报.docx", "空白格式.docx",
               "package.json", "huaian-city-2024.xls", "繁体.html"]


def other_kinds(folder: Path) -> list[Path]:
    """Every other kind of file the tool reads, and some it refuses (tests/test_formats.py has the details): the
    real PDF, also under a lying name; the Word report ``report`` writes and the blank format; the workbook saved
    as .xls by LibreOffice; a scanned PDF and a JSON that is not a payload; a page in traditional characters."""
    from support.documents import blank_format_docx, scanned_pdf

    pdf = PUBLISHED / OTHER_KINDS[0]
    (folder / pdf.name).write_bytes(pdf.read_bytes())
    (folder / "淮安_扩展名不符.txt").write_bytes(pdf.read_bytes())
    (folder / "扫描件.pdf").write_bytes(scanned_pdf(pdf.read_bytes()))
    assert cli(folder, "report", "huaian-city-2024.json", "-o", "淮安_年报.docx", "--today", T)[0] == 0
    (folder / "空白格式.docx").write_bytes(blank_format_docx(load_form()))
    (folder / "package.json").write_text(json.dumps({"name": "某系统", "version": "1.0"}), "utf-8")
    traditional = PUBLISHED.parent / "causes" / "35_traditional_characters_with_pinyin.html"
    (folder / "繁体.html").write_bytes(traditional.read_bytes())
    profile = folder / "xls-profile"
    subprocess.run([require("soffice"), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to",
                    "xls", "--outdir", str(folder), str(folder / "huaian-city-2024.xlsm")], check=True,
                   capture_output=True)
    return [folder / n for n in OTHER_KINDS]


def ledger_books(folder: Path) -> list[Path]:
    """A workbook made with new --ledger, and a copy whose 表三 was then typed over (the page's 填充合计 counts it
    from the register again, as the CLI's fill does)."""
    (folder / "台账.csv").write_text("编号,收到日期,申请人类别,办结日期,办理结果\n"
                                      "1,2024-12-20,自然人,2025-01-10,（一）予以公开\n"
                                      "2,2025-03-02,商业企业,2025-03-20,（三）不予公开 4.保护第三方合法权益\n"
                                      "3,2025-12-29,其他,,\n4,2026-01-04,自然人,,\n", "utf-8")
    assert cli(folder, "new", "--agency", "某局", "--year", "2025", "--ledger", "台账.csv", "-o", "台账.xlsm",
               "--today", T)[0] == 0
    typed = folder / "台账-表三手填.xlsm"
    cell = load_form().cell(CellKey("requests", "new", "natural_person"))
    typed.write_bytes(set_cells((folder / "台账.xlsm").read_bytes(), {cell.sheet: {cell.address: 7}}))
    return [folder / "台账.xlsm", typed]


def libreoffice_saved(book: Path, out: Path) -> Path:
    """The workbook as LibreOffice Calc saves it (.xlsx): another writer's shared strings, styles and zip."""
    profile = out.parent / "lo-profile"
    subprocess.run([require("soffice"), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to",
                    "xlsx:Calc MS Excel 2007 XML", "--outdir", str(profile / "out"), str(book)],
                   check=True, capture_output=True)
    (profile / "out" / f"{book.stem}.xlsx").rename(out)
    return out


def broken_payloads(folder: Path, good: Path) -> list[Path]:
    """Payloads that break the schema's keywords one by one, and one that breaks many at once."""
    doc = json.loads(good.read_text("utf-8"))

    def variant(name: str, change: Any) -> Path:
        d = json.loads(json.dumps(doc))
        change(d)
        (folder / name).write_text(json.dumps(d, ensure_ascii=False, indent=1), "utf-8")
        return folder / name

    def many(d: dict[str, Any]) -> None:
        d["extra"] = 1
        d["schema"] = "urn:other"
        d["form"]["id"] = "gov-1999"
        d["sha256"] = "xyz"
        d["explanations"] = {"V5:active.fees.amount": ""}
        d["values"]["requests"]["new"]["total"] = -1
        d["metadata"]["year"] = [2024]
        del d["generator"]

    return [
        variant("broken_additional.json", lambda d: d.update(extra=1)),
        variant("broken_required.json", lambda d: d.pop("generator")),
        variant("broken_const.json", lambda d: d.update(schema="urn:other")),
        variant("broken_enum.json", lambda d: d["form"].update(id="gov-1999")),
        variant("broken_pattern.json", lambda d: d.update(sha256="xyz")),
        variant("broken_minlength.json", lambda d: d.update(explanations={"V5:active.fees.amount": ""})),
        variant("broken_minimum.json", lambda d: d["values"]["requests"]["new"].update(total=-1)),
        variant("broken_type.json", lambda d: d["metadata"].update(year=[2024])),
        variant("broken_many.json", many),
    ]


def serious(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [v for v in violations if v["impact"] in ("critical", "serious")]


def manifest_of(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="xg-manifest">(.*?)</script>', html, re.S)
    assert found
    manifest: dict[str, Any] = json.loads(found.group(1).replace("<\\/", "</"))
    return manifest


# --- the page itself -------------------------------------------------------------------------------------------

def test_page_is_one_offline_ascii_file_within_the_size_limit(page_file: Path) -> None:
    data = page_file.read_bytes()
    html = data.decode("ascii")  # all ASCII: the browser decodes the page on its fast path
    assert not re.search(r"<(script|link|img|iframe)\b[^>]*\b(src|href)=", html), "the page loads nothing from outside"
    assert manifest_of(html)["length"] == len(data)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(page_file, page_file.name)
    assert len(buf.getvalue()) <= 12 * 1024 * 1024  # scripts/build_web.py LIMIT_ZIPPED (docs/web.md)


def test_the_engine_runs_in_a_worker(browser: Browser, page_file: Path) -> None:
    """Python starts and every command runs in a Web Worker; the page's own thread has no runtime."""
    assert browser.eval("window.xlGongkai.worker instanceof Worker")
    assert browser.eval("typeof window.loadPyodide === 'undefined' && typeof window.pyodide === 'undefined'")
    html = page_file.read_text("ascii")
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)  # what the page's own thread runs
    assert scripts and not any("loadPyodide" in s or "pyimport" in s for s in scripts)
    engine = manifest_of(html)["engine"]
    source = base64.b64decode("".join(re.search(f'id="{i}">([^<]*)<', html).group(1) for i in engine["ids"]))
    assert b"loadPyodide" in source and b"webpage.call" in source


def test_each_stage_of_the_start_is_drawn(browser: Browser) -> None:
    """The progress the clerk sees: every stage the engine goes through is on screen for a frame, in order."""
    engine = (ROOT / "web" / "engine.js").read_text("utf-8")
    stages = re.findall(r'\[(\d+), (\d+), "([^"]+)"\]', engine[engine.index("const STAGES"):])
    drawn = browser.eval("window.xgStages")
    assert [d["text"] for d in drawn] == [text for _, _, text in stages]
    assert [d["value"] for d in drawn] == [int(start) for start, _, _ in stages]


def test_selftest_in_each_browser(browser: Browser) -> None:
    example = next((ROOT / "examples").glob("*.txt"))
    year = json.loads(cli(example.parent, "check", example.name, "--format", "json")[1])["year"]
    _, out, _ = cli(example.parent, "check", example.name, "--format", "json", "--today", f"{year + 1}-01-31")
    counts = json.loads(out)["validation"]["counts"]
    assert text_of(browser, "selftest") == f"通过：错误 {counts['errors']} 项，提示 {counts['warnings']} 项"


def test_axe_at_start(browser: Browser, tmp_path: Path) -> None:
    """axe-core on the page as it opens, before any file (the session's page is still in that state here)."""
    assert browser.eval("document.getElementById('result').hidden && !document.getElementById('app').hidden")
    found = browser.request("axe")
    assert found["version"] and serious(found["violations"]) == []
    shot(browser, "start", tmp_path)


def test_selftest_shows_in_dump_dom(page_file: Path, tmp_path: Path) -> None:
    """What docs/web.md tells IT to run: headless Chromium prints the page after the self-test."""
    flags = ["--headless", "--disable-gpu", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}"]
    if os.geteuid() == 0:
        flags.append("--no-sandbox")
    done = subprocess.run([require("chromium"), *flags, "--dump-dom", "--virtual-time-budget=120000",
                           page_url(page_file, "#selftest")], capture_output=True, text=True)
    found = re.search(r'<span id="selftest"[^>]*>([^<]*)</span>', done.stdout)
    assert found, done.stderr[-2000:]
    assert found.group(1).startswith("通过：错误 0 项"), found.group(1)


def test_file_origin_policy_is_the_browsers_own(browser: Browser, tmp_path: Path) -> None:
    """A page opened from disk cannot read its neighbours, so the page cannot depend on doing so."""
    if browser.kind == "firefox":
        prefs = (browser.profile / "user.js").read_text("utf-8")
        assert 'user_pref("security.fileuri.strict_origin_policy", true);' in prefs
        assert 'strict_origin_policy", false' not in prefs
    (tmp_path / "neighbour.txt").write_text("secret", "utf-8")
    (tmp_path / "probe.html").write_text(
        "<!DOCTYPE html><title>probe</title><script>fetch('neighbour.txt').then(r => r.text())"
        ".then(t => document.title = 'read:' + t, () => document.title = 'blocked');</script>", "utf-8")
    browser.request("open", page="probe", url=(tmp_path / "probe.html").as_uri(), until="document.title !== 'probe'")
    try:
        assert browser.eval("document.title", page="probe") == "blocked"
    finally:
        browser.request("close", page="probe")


def test_too_old_browser_is_told_so(browser: Browser, page_file: Path) -> None:
    """A browser without WebAssembly exception handling gets the Chinese message, and #selftest says 未通过."""
    browser.request("open", page="old", url=page_url(page_file, "#selftest"),
                    preload="delete WebAssembly.Exception;", until="!document.getElementById('fatal').hidden")
    try:
        text = browser.eval("document.getElementById('fatal').textContent", page="old")
        assert "浏览器版本太旧" in text and "Firefox 114" in text
        assert browser.eval("document.getElementById('selftest').textContent", page="old").startswith("未通过：")
        assert browser.eval("document.getElementById('app').hidden", page="old")
    finally:
        browser.request("close", page="old")


def test_damaged_copy_is_told_so(browser: Browser, page_file: Path, tmp_path: Path) -> None:
    """One character changed in an embedded file (a bad copy from a USB stick): the page says so."""
    html = page_file.read_text("ascii")
    (stdlib,) = [f["ids"][1] for f in manifest_of(html)["files"] if f["name"] == "python_stdlib.zip"]
    start = html.index(f'id="{stdlib}">') + len(f'id="{stdlib}">') + 100_000
    damaged = html[:start] + ("B" if html[start] != "B" else "C") + html[start + 1:]
    copy = tmp_path / page_file.name
    copy.write_text(damaged, "ascii")
    browser.request("open", page="damaged", url=page_url(copy, "#selftest"), until="document.body.dataset.state")
    try:
        assert browser.eval("document.body.dataset.state", page="damaged") == "failed"
        fatal = browser.eval("document.getElementById('fatal').textContent", page="damaged")
        assert fatal.startswith("本文件已损坏（内置文件 python_stdlib.zip") and "重新复制" in fatal
        assert browser.eval("document.getElementById('selftest').textContent", page="damaged").startswith("未通过：")
    finally:
        browser.request("close", page="damaged")


CUTS = {
    # an interrupted copy stops anywhere: inside the runtime, inside the page's own script, just before the end
    "runtime": lambda html: len(html) // 2,
    "script": lambda html: html.index("window.xgStarted = true"),
    "end": lambda html: html.index('<div id="xg-end"'),
}


@pytest.mark.parametrize("cut", CUTS)
def test_truncated_copy_is_told_so(browser: Browser, page_file: Path, tmp_path: Path, cut: str) -> None:
    """A copy cut short says it is incomplete, with the full size and what to do, instead of hanging."""
    html = page_file.read_text("ascii")
    copy = tmp_path / page_file.name
    copy.write_text(html[:CUTS[cut](html)], "ascii")
    browser.request("open", page="cut", url=page_url(copy, "#selftest"), until="document.body.dataset.state")
    try:
        assert browser.eval("document.body.dataset.state", page="cut") == "failed"
        fatal = browser.eval("document.getElementById('fatal').textContent", page="cut")
        assert fatal.startswith("本文件不完整") and f"完整的文件有 {len(html)} 字节" in fatal, fatal
        assert browser.eval("document.getElementById('selftest').textContent", page="cut").startswith("未通过：")
        assert browser.eval("document.getElementById('loading').hidden", page="cut")
        assert serious(browser.request("axe", page="cut")["violations"]) == []
        if cut == "runtime":
            shot(browser, "truncated", tmp_path, page="cut")
    finally:
        browser.request("close", page="cut")


def test_nothing_is_fetched_from_anywhere(browser: Browser) -> None:
    urls = browser.eval("performance.getEntriesByType('resource').map((e) => e.name)")
    assert all(u.split(":", 1)[0] in ("data", "blob", "file") for u in urls), urls


# --- a clerk's workbook through the real file input ----------------------------------------------------------

def dom_findings(b: Browser) -> list[dict[str, str]]:
    return b.eval("[...document.querySelectorAll('#findings tbody tr')].map((tr) => Object.fromEntries("
                  "[...tr.cells].map((td) => [td.dataset.col, td.textContent])))")


def rules(b: Browser) -> list[str]:
    return [r["rule"] for r in dom_findings(b)]


def cli_findings(folder: Path, name: str, *extra: str) -> list[tuple[str, str]]:
    """(rule, message as the page words it) of the CLI's check."""
    _, out, _ = cli(folder, "check", name, "--format", "json", "--today", T, *extra)
    return [(f["rule"], for_page(f["message"])) for f in json.loads(out)["validation"]["findings"]]


def page_findings(b: Browser) -> list[tuple[str, str]]:
    return [(r["rule"], r["message"]) for r in dom_findings(b)]


def sheet_parts(data: bytes) -> dict[str, str]:
    """Sheet name → its part in the package."""
    z = zipfile.ZipFile(io.BytesIO(data))
    book = z.read("xl/workbook.xml").decode("utf-8")
    rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    targets = dict(re.findall(r'<Relationship[^>]*Id="([^"]+)"[^>]*Target="([^"]+)"', rels))
    targets |= {i: t for t, i in re.findall(r'<Relationship[^>]*Target="([^"]+)"[^>]*Id="([^"]+)"', rels)}
    sheets = re.findall(r'<sheet [^>]*name="([^"]+)"[^>]*r:id="([^"]+)"', book)
    return {name: "xl/" + targets[rid].lstrip("/").removeprefix("xl/") for name, rid in sheets}


def parts(data: bytes) -> dict[str, bytes]:
    z = zipfile.ZipFile(io.BytesIO(data))
    return {n: z.read(n) for n in z.namelist()}


def output_parts(data: bytes) -> set[str]:
    tpl = load_form().template
    names = sheet_parts(data)
    return {names[s] for s in (tpl.results_sheet, tpl.summary_sheet, tpl.flags_sheet)}


def test_clerk_uploads_fills_explains_and_exports(browser: Browser, clerk_book: Path, tmp_path: Path) -> None:
    folder = clerk_book.parent
    browser.clear_downloads()
    browser.eval("localStorage.clear()")
    after(browser, "upload", selector="#file", file=str(clerk_book))
    assert browser.eval("document.getElementById('file').value") == "", "reset: the same file can be chosen again"
    code, out, _ = cli(folder, "check", clerk_book.name, "--format", "json", "--today", T)
    expected = json.loads(out)["validation"]["findings"]
    shown = dom_findings(browser)
    assert [(f["rule"], f["severity"], for_page(f["message"])) for f in expected] == \
        [(r["rule"], r["severity"], r["message"]) for r in shown]
    assert [f"{f['place']['sheet']}!{f['place']['cell']}" for f in expected] == [r["place"] for r in shown]
    assert code == 1 and {f["rule"] for f in expected} == {"R2", "V5"}

    after(browser, "type", selector=f"#findings tr[data-key='{FEE}'] textarea", text=EXPLANATION)
    assert "已说明 1 项" in text_of(browser, "totals")
    shot(browser, "findings", tmp_path)

    after(browser, "click", selector="#do-fill")
    filled = browser.downloaded(f"{clerk_book.stem}_已填充合计.xlsm")
    assert cli(folder, "fill", clerk_book.name, "-o", "cli_filled.xlsm", "--write", "--today", T)[0] == 0
    ours, theirs = parts(filled), parts((folder / "cli_filled.xlsm").read_bytes())
    assert ours.keys() == theirs.keys()
    differ = {n for n in ours if ours[n] != theirs[n]}
    # the explanation typed in the page is in the results sheet; the command line took the file as it was
    assert differ and differ <= output_parts(filled)
    (tmp_path / "page_filled.xlsm").write_bytes(filled)
    code, out, _ = cli(tmp_path, "check", "page_filled.xlsm", "--format", "json", "--today", T)
    after_fill = json.loads(out)["validation"]
    assert code == 0 and [f["explanation"] for f in after_fill["findings"]] == [EXPLANATION]
    assert rules(browser) == ["V5"]

    after(browser, "click", selector="#do-export")
    assert cli(tmp_path, "export", "page_filled.xlsm", "-o", "cli.json", "--summary", "cli.md", "--today", T)[0] == 0
    stem = "淮安市人民政府_2024年"
    assert browser.downloaded(f"{stem}_年报数据.json") == (tmp_path / "cli.json").read_bytes()
    assert browser.downloaded(f"{stem}_摘要.md") == (tmp_path / "cli.md").read_bytes()

    after(browser, "click", selector="#do-report")
    assert cli(tmp_path, "report", "page_filled.xlsm", "-o", "cli.docx", "--html", "cli.html", "--today", T)[0] == 0
    page_report = browser.downloaded(f"{stem}_政府信息公开工作年度报告.html")
    assert page_report == (tmp_path / "cli.html").read_bytes()
    assert "另存为" in text_of(browser, "word-note") and not COMMAND.search(text_of(browser, "word-note"))
    # the page's report carries the same data as the command line's, and anyone can verify it
    (tmp_path / "page_report.html").write_bytes(page_report)
    code, out, _ = cli(tmp_path, "verify", "page_report.html", "--today", T)
    assert code == 0 and "读取了报告内嵌的数据" in out and out.splitlines()[-1].startswith("核对通过")


def test_the_reports_data_changes_nothing_a_reader_sees(browser: Browser, tmp_path: Path) -> None:
    """The generated page with the data it carries and without it: the same text, the same pixels; the data block
    is there for the page's own script to read as JSON, and nothing runs."""
    from support.embedded import html_data, without_data_html
    from support.libreoffice import read_png
    from xl_gongkai.core.embedded import HTML_ELEMENT_ID

    code, _, err = cli(tmp_path, "report", str(REPORTS / "huaian-city-2024.json"), "-o", "r.docx", "--html",
                       "full.html", "--today", T)
    assert code == 0, err
    page = (tmp_path / "full.html").read_text("utf-8")
    (tmp_path / "bare.html").write_text(without_data_html(page), "utf-8")
    seen = {}
    for name in ("full", "bare"):
        browser.request("open", page=name, url=(tmp_path / f"{name}.html").as_uri(),
                        until="document.readyState === 'complete'")
        try:
            shot = tmp_path / f"{name}.png"
            browser.request("screenshot", page=name, file=str(shot))
            image = read_png(shot)
            seen[name] = (browser.eval("document.body.innerText", page=name), image.width, image.height, image.rows)
            if name == "full":
                sha = browser.eval(f"JSON.parse(document.getElementById('{HTML_ELEMENT_ID}').textContent).sha256",
                                   page=name)
                assert sha == json.loads(html_data(page))["sha256"]
        finally:
            browser.request("close", page=name)
    text = seen["full"][0]
    assert "淮安市人民政府" in text and "sha256" not in text and "schema" not in text  # the data is not shown
    assert seen["full"] == seen["bare"]


def test_bad_file_gets_the_clis_message(browser: Browser, tmp_path: Path) -> None:
    """Any file can be chosen (the page filters nothing); what the importer cannot read is said as the CLI says it."""
    assert browser.eval("document.getElementById('file').hasAttribute('accept')") is False
    for name, data in (("损坏的工作簿.xlsx", b"PK\x03\x04 this is not a workbook"), ("通知.docm", b"PK\x03\x04")):
        bad = tmp_path / name
        bad.write_bytes(data)
        after(browser, "upload", selector="#file", file=str(bad))
        code, _, err = cli(tmp_path, "check", bad.name, "--today", T)
        assert code == 2
        assert text_of(browser, "message") == for_page(err.strip())
    # a Word 97-2003 file: the command line has LibreOffice convert it, the page runs no programs and says
    # how to save it so that it can be read
    from support.documents import compound

    doc = tmp_path / "年报.doc"
    doc.write_bytes(compound({"WordDocument": b"\0" * 1024}))
    after(browser, "upload", selector="#file", file=str(doc))
    said = text_of(browser, "message")
    assert said.startswith(f"无法读取：{doc.name}：这是 Word 97-2003 文档：网页版不能转换这种文件："
                           "请在 Word 或 WPS 中"), said
    assert "soffice" not in said and not COMMAND.search(said)


def test_buttons_are_disabled_while_a_command_runs(browser: Browser, clerk_book: Path) -> None:
    """A click on a busy page lands nowhere: while a command runs every button is disabled (aria-disabled, so
    that the keyboard focus stays where it is) and a second click does nothing."""
    browser.clear_downloads()
    after(browser, "upload", selector="#file", file=str(clerk_book))
    n = settled(browser)
    during = browser.eval("""(() => {
      document.getElementById('do-check').click();
      const state = [document.getElementById('app').getAttribute('aria-busy'),
                     ...[...document.querySelectorAll('#app button')].map((e) => e.getAttribute('aria-disabled'))];
      document.getElementById('do-fill').click();  // queued by an impatient clerk
      return state; })()""")
    assert during[0] == "true" and set(during[1:]) == {"true"}
    assert len(during) - 1 == browser.eval("document.querySelectorAll('#app button').length") >= 9
    browser.request("wait", expr=IDLE.format(n=n))
    assert settled(browser) == n + 1, "one command ran, the second click did nothing"
    assert not list(browser.downloads.iterdir())
    assert browser.eval("[...document.querySelectorAll('#app button[aria-disabled]')].length") == 0


def test_dropped_file_and_last_years_report(browser: Browser) -> None:
    """A report dropped on the page, then last year's through its own input: the cross-year rules run."""
    this, last = REPORTS / "huaian-city-2024.json", REPORTS / "suqian-city-2023.json"
    data = json.dumps(base64.b64encode(this.read_bytes()).decode("ascii"))
    n = settled(browser)
    browser.eval(f"""(() => {{
      const file = new File([Uint8Array.from(atob({data}), (c) => c.charCodeAt(0))], {json.dumps(this.name)});
      const dt = new DataTransfer();
      dt.items.add(file);
      document.getElementById("drop").dispatchEvent(
        new DragEvent("drop", {{ dataTransfer: dt, bubbles: true, cancelable: true }}));
    }})()""")
    browser.request("wait", expr=IDLE.format(n=n))
    assert text_of(browser, "current").endswith(this.name)
    assert dom_findings(browser) == []
    browser.eval("document.getElementById('previous-box').open = true")  # the clerk opens the box
    after(browser, "upload", selector="#previous", file=str(last))
    assert page_findings(browser) == cli_findings(REPORTS, this.name, "--previous", last.name)
    # 宿迁's report stands in for 淮安's last year: the cross-year rules run, and X4 says it is another agency's
    assert set(rules(browser)) == {"X1", "X2", "X4"}
    after(browser, "click", selector="#previous-clear")
    assert dom_findings(browser) == []


def test_last_years_report_is_enforced(browser: Browser, cross_year: tuple[Path, Path], tmp_path: Path) -> None:
    """With last year's report chosen, the page refuses 导出 and 生成年报 on the same findings as the CLI, and
    填充合计 keeps every cross-year finding in the workbook it writes and on screen."""
    book, last = cross_year
    folder = book.parent
    browser.clear_downloads()
    after(browser, "upload", selector="#file", file=str(book))
    assert dom_findings(browser) == []  # on its own the workbook is clean
    browser.eval("document.getElementById('previous-box').open = true")
    after(browser, "upload", selector="#previous", file=str(last))
    assert page_findings(browser) == cli_findings(folder, book.name, "--previous", last.name)
    assert set(rules(browser)) == {"X1", "X2", "X4"}

    after(browser, "click", selector="#do-export")
    code, _, err = cli(folder, "export", book.name, "--previous", last.name, "-o", str(tmp_path / "p.json"),
                       "--today", T)
    assert code == 1 and text_of(browser, "message") == for_page(err.strip())
    shot(browser, "crossyear-refused", tmp_path)
    after(browser, "click", selector="#do-report")
    code, _, err = cli(folder, "report", book.name, "--previous", last.name, "-o", str(tmp_path / "r.docx"),
                       "--html", str(tmp_path / "r.html"), "--today", T)
    assert code == 1 and text_of(browser, "message") == for_page(err.strip())
    assert not list(browser.downloads.iterdir()), "nothing was written"

    after(browser, "click", selector="#do-fill")
    filled = browser.downloaded(f"{book.stem}_已填充合计.xlsm")
    assert cli(folder, "fill", book.name, "-o", str(tmp_path / "cli.xlsm"), "--write", "--previous", last.name,
               "--today", T)[0] == 1
    assert filled == (tmp_path / "cli.xlsm").read_bytes()
    (tmp_path / "page.xlsm").write_bytes(filled)
    shutil.copy(last, tmp_path / last.name)
    assert page_findings(browser) == cli_findings(tmp_path, "page.xlsm", "--previous", last.name)
    assert "校验通过" not in text_of(browser, "totals") and "错误 3 项" in text_of(browser, "totals")
    after(browser, "click", selector="#previous-clear")


# A department's published report as a page prints it (发布日期 above the title's section), this year's and last year's:
# 总体情况 mostly as last year's with the figures changed and without its 监督保障 part; a 五 of stock phrases only.
_OVERVIEW = ("{y}年，某市交通运输局坚持以公开为常态、不公开为例外，围绕交通运输重点工作推进政务公开。"
             "主动公开方面，全年在门户网站发布各类政府信息{a}条，其中政策文件{b}件，对涉及群众切身利益的重要政策逐件开展解读，解读材料与政策文件同步"
             "发布。依申请公开方面，全年受理政府信息公开申请{c}件，均在法定期限内答复，答复文书载明法律依据和救济途径。"
             "政府信息管理方面，动态调整主动公开基本目录，开展行政规范性文件清理，对公开属性逐件审查。平台建设方面，优化门户"
             "网站政务公开专栏，规范政务新媒体账号的信息发布，及时更新办事指南和政策问答，道路运输、水路运输、工程建设等"
             "领域的行政许可和行政处罚结果在作出决定后七个工作日内公开，重大建设项目的批准和实施信息按项目逐一公开。")
_GUARANTEE = "监督保障方面，将政务公开纳入年度绩效考核，组织专题培训{d}次。"
_OWN_PROBLEMS = ("{y}年本局政务公开工作存在的主要问题：一是政策解读形式较为单一，图解和视频解读偏少；二是依申请公开答复"
                 "文书格式不够统一。改进措施：制定解读工作清单，每项重要政策同步制作图解；编印答复文书示范文本并组织培训。")
_STOCK_PROBLEMS = ("政务公开工作有待进一步加强，信息发布的及时性还需加强，与群众期盼还存在一定差距。"
                   "下一步将进一步完善工作机制，持续推进政务公开工作。")


def _department_page(year: int, published: str, overview: str, problems: str) -> str:
    return (f"某市交通运输局{year}年政府信息公开工作年度报告\n发布日期：{published}\n一、总体情况\n{overview}\n"
            f"五、存在的主要问题及改进情况\n{problems}\n")


def test_quality_findings_show_as_the_cli_gives_them(browser: Browser, tmp_path: Path) -> None:
    """The text checks (X5 text repeated from last year, Q1 parts of 总体情况, Q2 stock phrases in 五) and the
    lateness read from the page's 发布日期 (Q3) are the CLI's, in the page as on the command line."""
    this, last = tmp_path / "本年.txt", tmp_path / "上年.txt"
    this.write_text(_department_page(2024, "2025-03-05", _OVERVIEW.format(y=2024, a=312, b=17, c=45),
                                     _STOCK_PROBLEMS), "utf-8")
    last.write_text(_department_page(2023, "2024-01-25", _OVERVIEW.format(y=2023, a=280, b=12, c=38)
                                     + _GUARANTEE.format(d=2), _OWN_PROBLEMS.format(y=2023)), "utf-8")
    after(browser, "upload", selector="#file", file=str(this))
    assert page_findings(browser) == cli_findings(tmp_path, this.name)
    assert {"Q1", "Q2", "Q3"} <= set(rules(browser))
    browser.eval("document.getElementById('previous-box').open = true")
    after(browser, "upload", selector="#previous", file=str(last))
    assert page_findings(browser) == cli_findings(tmp_path, this.name, "--previous", last.name)
    assert {"Q1", "Q2", "Q3", "X5"} <= set(rules(browser))
    after(browser, "click", selector="#previous-clear")


def test_recheck_reads_the_file_again(browser: Browser, clerk_book: Path, tmp_path: Path) -> None:
    """The clerk corrects the file in WPS and saves it: 重新校验 shows the new findings, or — where the browser
    will not read a changed file again (Chromium's file input) — says the file must be chosen again and runs
    nothing on the old copy; choosing the same file again checks it as it is now."""
    book = tmp_path / "在WPS中修改.xlsm"
    shutil.copy(clerk_book, book)
    after(browser, "upload", selector="#file", file=str(book))
    before = page_findings(browser)
    assert {r for r, _ in before} == {"R2", "V5"}

    assert cli(tmp_path, "fill", book.name, "--today", T)[0] == 0  # the totals corrected, the file saved
    after(browser, "click", selector="#do-check")
    message = text_of(browser, "message")
    if browser.kind == "chromium":  # a File from the input is a snapshot: Chromium refuses to read it changed
        assert message.startswith(f"浏览器不允许再次读取“{book.name}”") and "重新选择" in message
        assert page_findings(browser) == before, "the old results stay, said to be the old ones"
        assert browser.eval("document.activeElement.id") == "choose"
        shot(browser, "recheck-choose-again", tmp_path)
        after(browser, "click", selector="#do-export")  # no command runs on the old copy
        assert text_of(browser, "message").startswith(f"浏览器不允许再次读取“{book.name}”")
        after(browser, "upload", selector="#file", file=str(book))
    else:  # Firefox reads the file again
        assert message == f"已重新读取“{book.name}”：文件已改动，以上是新的校验结果。"
    assert page_findings(browser) == cli_findings(tmp_path, book.name)
    assert {r for r, _ in page_findings(browser)} == {"V5"}

    shutil.copy(clerk_book, book)  # changed again; the same file chosen again is checked again
    after(browser, "upload", selector="#file", file=str(book))
    assert page_findings(browser) == before


@pytest.mark.parametrize("browser", ["chromium"], indirect=True)
def test_a_file_with_a_handle_is_read_again(browser: Browser, clerk_book: Path, tmp_path: Path) -> None:
    """Where the browser gives a file handle (File System Access: Chromium's picker or a file dropped from
    the file manager), 重新校验 reads the saved file itself. Firefox has no file handles (the test above)."""
    book = tmp_path / "拖进来的.xlsm"
    shutil.copy(clerk_book, book)
    after(browser, "drop", selector="#drop", file=str(book))
    assert {r for r, _ in page_findings(browser)} == {"R2", "V5"}
    assert cli(tmp_path, "fill", book.name, "--today", T)[0] == 0
    after(browser, "click", selector="#do-check")
    assert text_of(browser, "message") == f"已重新读取“{book.name}”：文件已改动，以上是新的校验结果。"
    assert page_findings(browser) == cli_findings(tmp_path, book.name)
    after(browser, "click", selector="#do-check")
    assert text_of(browser, "message") == f"已重新读取“{book.name}”：文件没有改动。"


# --- keyboard, screen reader, the clerk with no Excel --------------------------------------------------------

OPEN_ALL = "for (const id of ['previous-box', 'blank-box']) document.getElementById(id).open = true"
CONTROLS = ("[...document.querySelectorAll('#app button, #app input, #app textarea, #app summary, #app a[href]')]"
            ".filter((e) => e.offsetParent !== null && !e.disabled)")
FOCUSED = ("(() => { const e = document.activeElement;"
           " return e.id || e.dataset.key || (e.tagName + ':' + e.textContent.slice(0, 20)); })()")


def test_every_control_is_reached_by_keyboard_and_the_file_chooser_opens(browser: Browser, clerk_book: Path) -> None:
    after(browser, "upload", selector="#file", file=str(clerk_book))
    browser.eval(OPEN_ALL)
    wanted = set(browser.eval(CONTROLS + ".map((e) => e.id || e.dataset.key || (e.tagName + ':' + "
                                         "e.textContent.slice(0, 20)))"))
    assert {"choose", "choose-previous", "do-blank", "do-check", "do-fill", "do-export", "do-report", FEE} <= wanted
    assert browser.request("tabTo", selector="#choose")["presses"] >= 0  # the first control of the page
    reached = {"choose"}
    for _ in range(len(wanted) + 10):  # Tab on until every control has had the focus
        browser.request("press", key="Tab")
        reached.add(browser.eval(FOCUSED))
        if wanted <= reached:
            break
    assert wanted <= reached, wanted - reached

    assert browser.request("tabTo", selector="#choose")["presses"] > 0  # back up with Shift+Tab
    n = settled(browser)
    opened = browser.request("chooser", key="Enter", file=str(clerk_book))
    assert opened["opened"]
    if browser.kind == "firefox":  # the file input's chooser, answered with the file: the page opens it
        browser.request("wait", expr=IDLE.format(n=n))
        assert text_of(browser, "current") == f"当前文件：{clerk_book.name}"
    else:  # Chromium's File System Access picker (the DevTools protocol can only see it open)
        assert opened["mode"] == "selectSingle"


def test_axe_finds_nothing_critical_or_serious(browser: Browser, clerk_book: Path) -> None:
    """axe-core (pinned in web/package-lock.json, injected here, not shipped) on the page as a clerk has it:
    with findings and explanation fields, with a refusal shown (at start: the test just below the self-test)."""
    after(browser, "upload", selector="#file", file=str(clerk_book))
    browser.eval(OPEN_ALL)
    assert serious(browser.request("axe")["violations"]) == []
    after(browser, "click", selector="#do-export")
    assert text_of(browser, "message").startswith("未导出")
    assert serious(browser.request("axe")["violations"]) == []


def test_blank_workbook_downloads_and_check_reads_it(browser: Browser, tmp_path: Path) -> None:
    """For the clerk with no Excel: the template for the year of the report due next, with the agency typed;
    the same file the CLI's ``new`` makes, and ``check`` reads it."""
    due = TODAY.year - 1 if TODAY.month == 1 else TODAY.year  # each report is due by 31 January of the next year
    assert browser.eval("document.getElementById('blank-year').value") == str(due)
    browser.clear_downloads()
    browser.eval("document.getElementById('blank-box').open = true")
    agency, year = "某县人民政府办公室", "2025"
    browser.request("type", selector="#blank-agency", text=agency)
    browser.request("type", selector="#blank-year", text=year)
    after(browser, "click", selector="#do-blank")
    name = f"{agency}_{year}年_年报工作簿.xlsm"
    data = browser.downloaded(name)
    assert cli(tmp_path, "new", "--agency", agency, "--year", year, "-o", "cli.xlsm")[0] == 0
    assert data == (tmp_path / "cli.xlsm").read_bytes()
    (tmp_path / name).write_bytes(data)
    code, out, _ = cli(tmp_path, "check", name, "--format", "json", "--today", T)
    assert code == 1 and json.loads(out)["agency"] == agency and json.loads(out)["year"] == int(year)
    browser.eval("document.getElementById('blank-year').value = '1999'")
    after(browser, "click", selector="#do-blank")
    assert text_of(browser, "message").startswith("报告年度应为")


def test_explanations_survive_a_reload_and_leaving_asks_first(browser: Browser, page_file: Path,
                                                              clerk_book: Path) -> None:
    """Explanations typed in the page are kept in the browser under the file's content hash; leaving the page
    with explanations in no file yet asks first; once 填充合计 has written them, leaving does not ask.
    (The page opens again without #selftest, which has been tested: the same file, the same storage.)"""
    browser.eval("localStorage.clear()")
    after(browser, "upload", selector="#file", file=str(clerk_book))
    assert "已说明 0 项" in text_of(browser, "totals")
    after(browser, "type", selector=f"#findings tr[data-key='{FEE}'] textarea", text=EXPLANATION)
    again = browser.request("reload", url=page_url(page_file), until="document.body.dataset.state")
    assert again["asked"] == "beforeunload"
    after(browser, "upload", selector="#file", file=str(clerk_book))
    assert browser.eval(f"document.querySelector(\"#findings tr[data-key='{FEE}'] textarea\").value") == EXPLANATION
    assert "已说明 1 项" in text_of(browser, "totals")
    assert text_of(browser, "message").startswith("已恢复上次在本页为这份文件填写的 1 条说明")
    browser.clear_downloads()
    after(browser, "click", selector="#do-fill")  # the explanation is in the workbook now: leaving asks nothing
    assert browser.eval("(() => { const e = new Event('beforeunload', { cancelable: true });"
                        " window.dispatchEvent(e); return e.defaultPrevented; })()") is False


# --- equivalence over the test data --------------------------------------------------------------------------

PAGE_RUN = """(async () => {
  const gk = window.xlGongkai;
  const bytes = Uint8Array.from(atob(%(data)s), (c) => c.charCodeAt(0));
  const { path } = await gk.receive(%(name)s, bytes);
  const b64 = async (p) => { const b = await gk.read(p); let s = "";
    for (let i = 0; i < b.length; i += 32768) s += String.fromCharCode.apply(null, b.subarray(i, i + 32768));
    return btoa(s); };
  const run = async (command, extra) => {
    const r = await gk.call(command, Object.assign({ path, today: %(today)s }, extra || {}));
    delete r.check;
    if (r.ok && r.files) for (const f of r.files) f.data = await b64(f.path);
    return r;
  };
  const out = { check: await run("check") };
  if (!%(full)s || !out.check.ok) return out;
  Object.assign(out, { export: await run("export"), draft: await run("export", { draft: true }),
                       report: await run("report") });
  if (%(workbook)s) out.fill = await run("fill");
  return out;
})()"""


def page_run(b: Browser, path: Path, full: bool) -> dict[str, Any]:
    """The page's 校验 of one file; with ``full``, its 导出, 草稿, 生成年报 and (a workbook) 填充合计 too."""
    expr = PAGE_RUN % {"data": json.dumps(base64.b64encode(path.read_bytes()).decode("ascii")),
                       "name": json.dumps(path.name), "today": json.dumps(T),
                       "workbook": json.dumps(path.suffix in BOOKS), "full": json.dumps(full)}
    result: dict[str, Any] = b.eval(expr)
    return result


def files_of(result: dict[str, Any]) -> list[bytes]:
    return [base64.b64decode(f["data"]) for f in result["files"]]


@functools.cache
def cli_outputs(path: Path, full: bool) -> dict[str, Any]:
    """What the command line gives for one input (once per session, for both browsers): ``check`` and
    ``summary``; with ``full``, the outputs of export, export --draft, report and fill --write too."""

    folder, name = path.parent, path.name
    out: dict[str, Any] = {"check": cli(folder, "check", name, "--format", "json", "--today", T)}
    if out["check"][0] == 2:
        return out
    out["summary"] = cli(folder, "summary", name, "--format", "json")[1]
    if not full:
        return out
    scratch = folder / f"cli-{path.name}"
    scratch.mkdir(exist_ok=True)
    for key, draft in (("export", []), ("draft", ["--draft"])):
        code, _, err = cli(folder, "export", name, "-o", str(scratch / f"{key}.json"), "--summary",
                           str(scratch / f"{key}.md"), "--today", T, *draft)
        out[key] = (code, err, [(scratch / f"{key}{s}").read_bytes() for s in (".json", ".md")] if code == 0 else [])
    code, _, err = cli(folder, "report", name, "-o", str(scratch / "r.docx"), "--html", str(scratch / "r.html"),
                       "--today", T)
    out["report"] = (code, err, [(scratch / "r.html").read_bytes()] if code == 0 else [])
    if path.suffix in BOOKS:
        # `fill --write`: the totals, and the results, summary and marks written into the sheets, as the page does
        filled = scratch / f"f{path.suffix}"  # a macro-free .xlsx stays one (the page's copy keeps its suffix too)
        assert cli(folder, "fill", name, "-o", str(filled), "--write", "--today", T)[0] in (0, 1)
        out["fill"] = filled.read_bytes()
    return out


def page_messages(result: dict[str, Any]) -> list[str]:
    """Every text of a page result a person reads (not the check's JSON, which is the CLI's, for machines)."""
    texts = [result.get("message", "")]
    if "findings" in result:
        texts += [f["message"] for f in result["findings"]] + result["notes"]
    return [t for t in texts if t]


def one_of_each_kind(corpus: list[Path]) -> list[Path]:
    """The first file of each suffix, and every file of another kind (``other_kinds``: the PDFs, the scan, the
    lying name, the Word files, the foreign JSON, the .xls, the traditional page) and the payload broken in many
    ways at once."""
    firsts = {p.suffix: p for p in reversed(corpus)}
    others = {*OTHER_KINDS, "broken_many.json"}
    return [p for p in corpus if firsts[p.suffix] == p or p.name in others]


def test_page_equals_cli_on_all_test_data(browser: Browser, corpus: list[Path]) -> None:
    """Chromium checks every file of the test data; Firefox one file of each kind. The engine is the same
    WebAssembly in both: what a browser does its own way is how a file's bytes reach it and how the results are
    given back, which one file of each kind exercises (the whole set in the second browser as well took half a
    minute of every run). What the engine makes of a file's content is its reading and its findings (校验, and the
    summary with it), compared on every file; the files it writes (导出, 草稿, 生成年报, 填充合计) come from the
    same few writers whatever the input, and are compared byte for byte on one file of each kind in both browsers
    (on every file they took another half minute of every run)."""
    kinds: dict[str, int] = {}
    files = corpus if browser.kind == "chromium" else one_of_each_kind(corpus)
    written = set(one_of_each_kind(corpus))
    for path in files:
        full = path in written
        got, want = page_run(browser, path, full), cli_outputs(path, full)
        where = f"{browser.kind}: {path.name}"
        said = [t for r in got.values() for t in page_messages(r)]
        assert not [t for t in said if COMMAND.search(t)], where
        code, out, err = want["check"]
        if code == 2:
            assert got["check"] == {"ok": False, "kind": "input", "message": for_page(err.strip())}, where
            kinds["unreadable"] = kinds.get("unreadable", 0) + 1
            continue
        assert got["check"]["ok"] and got["check"]["json"] == out.rstrip("\n"), where
        assert json.dumps(got["check"]["summary"], ensure_ascii=False, indent=2) == want["summary"].rstrip("\n"), where
        if not full:
            assert set(got) == {"check"}, where
            kinds[path.suffix] = kinds.get(path.suffix, 0) + 1
            continue
        kinds["written"] = kinds.get("written", 0) + 1
        for key in ("export", "draft", "report"):
            code, err, files = want[key]
            if code == 0:
                assert files_of(got[key]) == files, f"{where} {key}"
            else:
                assert (got[key]["ok"], got[key]["message"]) == (False, for_page(err.strip())), f"{where} {key}"
        if path.suffix in BOOKS:
            (filled,) = files_of(got["fill"])
            assert filled == want["fill"], where  # byte for byte
        kinds[path.suffix] = kinds.get(path.suffix, 0) + 1
    assert kinds.get("written") == len(written) - 3, "every file of one_of_each_kind but the three refused"
    if browser.kind != "chromium":
        assert {".xlsm", ".xlsx", ".json", ".txt", ".pdf", ".docx", ".xls", ".html"} <= set(kinds), kinds
        assert kinds.get("unreadable") == 3, "the many-ways broken payload, the scan and the foreign JSON"
        return
    assert kinds.get(".xlsm", 0) >= 8 and kinds.get(".xlsx") == 1 and kinds.get(".json", 0) >= 8
    assert kinds.get(".txt") == 12 and kinds.get(".pdf") == 1 and kinds.get(".docx") == 2 and kinds.get(".xls") == 1
    assert kinds.get("unreadable", 0) == 11, "every broken payload, the scan and the foreign JSON are refused alike"

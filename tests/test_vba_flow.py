"""The ribbon's VBA: its error handlers, its wait feedback, and its flow as far as LibreOffice Basic runs it.

No Excel here. Two independent looks instead:

- the source as stored in the built template (read back with oletools' olevba), checked for the rules the
  module's header states: an error handler copies ``Err.Number``/``Err.Description`` into locals before it
  does anything else; after ``On Error Resume Next`` no procedure is called between a statement and the
  reading of ``Err``; Python runs only between ``Gk_BeginWait`` and ``Gk_EndWait``, which restores the cursor
  and the status bar on every way out, before any message; every message goes through ``Gk_Say`` (logged);
- the macros run in LibreOffice Basic (VBA support mode), from a click on each button to the message and the
  log line. LibreOffice cannot compile xlwings' modules, so they are replaced by a FAKE of GetConfig and
  RunPython (``support/vba/FakeXlwings.bas``); ``FileExists``, the message boxes (cancelled by a headless
  office, so the macro runs on) and ``Application.Cursor`` are LibreOffice's own. The ribbon itself is
  stood in for by one procedure per ``onAction`` of the ribbon parts, each calling its callback as a click
  does. LibreOffice reports the status bar only as shown or not, so its text is checked on the source.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import defusedxml.ElementTree as ET
import pytest
from oletools.olevba import VBA_Parser

from support.libreoffice import run_basic
from xl_gongkai.build import package

SUPPORT = Path(__file__).parent / "support" / "vba"
XL_WAIT, XL_DEFAULT = 2, -4143  # Excel's XlMousePointer values
PROCEDURE = re.compile(r"^(?:Public |Private )?(?:Sub|Function) (\w+)\(", re.M)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, built_template: bytes) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "template.xlsm"
    path.write_bytes(built_template)
    return path


@pytest.fixture(scope="module")
def modules(template: Path) -> dict[str, str]:
    """Every module's source as stored in the template, read back by olevba."""
    parser = VBA_Parser(str(template))
    try:
        return {Path(name).stem: code.replace("\r\n", "\n") for _, _, name, code in parser.extract_all_macros()}
    finally:
        parser.close()


def statements(body: str) -> list[str]:
    """The statements of a procedure body: continuation lines joined, comments and blank lines left out."""
    out: list[str] = []
    pending = ""
    for raw in body.split("\n"):
        line = raw.strip()
        if not pending and (not line or line.startswith("'")):
            continue
        if line.endswith(" _"):
            pending += line[:-2] + " "
            continue
        out.append(pending + line)
        pending = ""
    return out


def procedures(source: str) -> dict[str, list[str]]:
    found = {}
    for m in PROCEDURE.finditer(source):
        end = re.compile(r"^End (?:Sub|Function)$", re.M).search(source, m.end())
        assert end, m.group(1)
        found[m.group(1)] = statements(source[source.index("\n", m.end()) + 1:end.start()])
    return found


@pytest.fixture(scope="module")
def ribbon(modules: dict[str, str]) -> dict[str, list[str]]:
    return procedures(modules["GongkaiRibbon"])


def test_every_error_handler_keeps_err_in_locals_before_anything_else(ribbon: dict[str, list[str]]) -> None:
    handlers = 0
    for name, body in ribbon.items():
        for i, st in enumerate(body):
            m = re.fullmatch(r"On Error GoTo (\w+)", st)
            if not m or m.group(1) == "0":
                continue
            handlers += 1
            start = body.index(f"{m.group(1)}:")
            first, second = body[start + 1:start + 3]
            number = re.fullmatch(r"(\w+) = Err\.Number", first)
            text = re.fullmatch(r"(\w+) = Err\.Description", second)
            assert number and text, f"{name}: the handler must begin by copying Err: {first!r}, {second!r}"
            declared = " ".join(s for s in body if s.startswith("Dim "))
            assert re.search(rf"\b{number.group(1)} As Long\b", declared), name
            assert re.search(rf"\b{text.group(1)} As String\b", declared), name
            rest = body[start + 3:]
            assert not [s for s in rest if "Err." in s], f"{name}: Err read again after the handler began"
            assert i < start
    assert handlers >= 1  # Gk_Run's


def _calls_a_procedure(statement: str, names: set[str]) -> bool:
    words = set(re.findall(r"\b\w+\b", re.sub(r'"[^"]*"', '""', statement)))
    return bool(words & (names | {"MsgBox"})) or statement.startswith("On Error")


def test_after_resume_next_err_is_read_before_any_procedure_is_called(
        modules: dict[str, str], ribbon: dict[str, list[str]]) -> None:
    names = {n for source in modules.values() for n in PROCEDURE.findall(source)}
    reads = 0
    for name, body in ribbon.items():
        resuming = False
        for before, st in zip(["", *body[:-1]], body, strict=True):
            if st == "On Error Resume Next":
                resuming = True
            elif st.startswith("On Error GoTo"):
                resuming = False
            if resuming and re.search(r"\bErr\.(Number|Description)\b", st):
                reads += 1
                assert not _calls_a_procedure(before, names), f"{name}: {before!r} may reset Err before {st!r}"
    assert reads >= 1  # Gk_RunFailed reads whether the Error sheet was there


def test_python_runs_only_while_the_wait_is_shown_and_every_way_out_ends_it(ribbon: dict[str, list[str]]) -> None:
    runs = {name for name, body in ribbon.items() if any("RunPython(" in s for s in body)}
    assert runs == {"Gk_Run"}
    body = ribbon["Gk_Run"]
    begin, run = body.index("Gk_BeginWait"), body.index("outcome = RunPython(code)")
    end = body.index("Gk_EndWait", run)
    assert begin < run < end == run + 1
    assert "Exit Sub" not in body[:begin] or body.index("On Error GoTo Failed") < begin
    handler = body[body.index("Failed:"):]
    assert handler.index("Gk_EndWait") < min(i for i, s in enumerate(handler) if s.startswith(("Gk_Say", "Gk_Log")))
    # after a normal return: the wait is over before a failure's message
    assert body[end + 1] == "If outcome <> 0 Then Gk_RunFailed code"
    start = ribbon["Gk_BeginWait"]
    assert start[:2] == ["savedStatus = Application.StatusBar", "waiting = True"]
    assert "Application.Cursor = xlWait" in start and "Application.StatusBar = GongkaiText.Gk_T_Busy()" in start
    stop = ribbon["Gk_EndWait"]
    assert stop[:3] == ["If Not waiting Then Exit Sub", "waiting = False", "On Error Resume Next"]
    assert {"Application.Cursor = xlDefault", "Application.StatusBar = savedStatus"} <= set(stop)


def test_every_message_is_logged_with_its_key(ribbon: dict[str, list[str]]) -> None:
    boxes = {name for name, body in ribbon.items() if any(s.startswith("MsgBox") for s in body)}
    assert boxes == {"Gk_Say"}
    say = ribbon["Gk_Say"]
    assert say.index('Gk_Log "message " & key') < say.index("MsgBox text, style, GongkaiText.Gk_T_Title()")


# -- the flow in LibreOffice Basic -------------------------------------------------------------------------


def fake_ribbon() -> tuple[str, dict[str, str]]:
    """A module with one procedure per onAction of both ribbon parts, each clicking as the ribbon does."""
    actions: list[str] = []
    for xml in (package.ribbon_xml(), package.legacy_ribbon_xml()):
        actions += [e.get("onAction") for e in ET.fromstring(xml).iter() if e.get("onAction")]
    unique = list(dict.fromkeys(actions))
    source = "Option Explicit\n" + "".join(
        f"Public Sub Click_{a}()\n    GongkaiRibbon.{a} Nothing\nEnd Sub\n" for a in unique)
    return source, {a: f"FakeRibbon.Click_{a}" for a in unique}


def log_lines(folder: Path) -> list[str]:
    """The log's lines without their time stamp and workbook name."""
    text = (folder / "vba.log").read_text("utf-8", errors="replace")
    return [re.sub(r"^\S+ \S+ template\.xlsm: ", "", line) for line in text.splitlines()]


def test_each_button_ends_in_its_message_its_log_line_and_a_restored_cursor(template: Path, tmp_path: Path) -> None:
    source, click = fake_ribbon()
    logs, present, missing = tmp_path / "logs", tmp_path / "pythonw.exe", tmp_path / "gone" / "pythonw.exe"
    present.write_bytes(b"")
    setup, state = "FakeXlwings.FakeSetUp", "FakeXlwings.FakeState"
    calls = [
        [setup, "", "ok"], [click["Gk_Check"]], [state],
        [setup, str(missing), "ok"], [click["Gk_Fill"]], [state],
        [setup, str(present), "raise"], [click["Gk_Export"]], [state],
        [setup, str(present), "shell"], [click["Gk_Export"]], [state],
        [setup, "pythonw", "fail"], [click["Gk_Report"]], [state],
        [setup, str(present), "ok"], [click["Gk_Diagnose"]], [state],
        [click["Gk_HostInfo"]],
    ]
    returned = run_basic(template, calls, remove=("xlwings", "Dictionary"),
                         add={"FakeXlwings": (SUPPORT / "FakeXlwings.bas").read_text("ascii"), "FakeRibbon": source},
                         env={"XL_GONGKAI_LOG_DIR": str(logs)}, undo=lambda: shutil.rmtree(logs, ignore_errors=True))
    states = [r for r, c in zip(returned, calls, strict=True) if c[0] == state]
    # FakeState: runs | cursor while RunPython ran | cursor after the click | an "Error" sheet left over
    not_configured, not_found, refused, shell, failed, ran = (s.split("|") for s in states)
    assert not_configured == ["0", "0", not_configured[2], ""] and not_found[:2] == ["0", "0"]
    for after in (refused, shell, failed, ran):
        assert after == ["1", str(XL_WAIT), str(XL_DEFAULT), ""]  # waited while running; restored; sheet moved
    lines = log_lines(logs)
    assert lines[0] == "message not_configured"
    assert lines[1] == f"message not_found: {missing}"
    assert lines[2] == "could not start Python for [import xl_gongkai.excel as gk; gk.export()]"
    assert lines[3] == "message start_failed: 70: Permission denied"  # not "0: ": Err was kept
    assert lines[4] == "could not start Python for [import xl_gongkai.excel as gk; gk.export()]"
    number, text = re.fullmatch(r"message start_failed: (\d+): (.+)", lines[5]).groups()  # LibreOffice's error
    assert int(number) != 0 and text.strip()
    report = lines.index("Python failed for [import xl_gongkai.excel as gk; gk.report()]:")
    assert lines[report + 1] == "Traceback: ModuleNotFoundError: No module named 'xl_gongkai'"
    assert lines[report + 2:] == ["message run_failed", "message wps_info"]  # the successful run said nothing

"""What a security scanner says about every workbook the project writes, and why each indicator is there.

oletools' mraptor (the rating mail gateways and antivirus front ends use: AutoExec together with Write or
Execute is SUSPICIOUS) runs, as its own command line does, on every kind of workbook the tool writes: the
templates, ``new`` (empty, from a report, next year's), ``fill`` (to a new file and in place, with and
without ``--write``), ``check --write``, ``import -o``, ``consolidate``, the ``.xlsx`` variants, the audit's
results workbook and the web page's filled copy. A workbook with the buttons must be "Macro OK", one without
them "No Macro". Then olevba's full list of indicators, module by module, must be exactly the table in
docs/excel.md that says why each is there (a new indicator, or one gone, makes the table stale).
"""

from __future__ import annotations

import re
import shutil
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from oletools import mraptor
from oletools.olevba import VBA_Parser, VBA_Scanner

from conftest import PUBLISHED, REPORTS, TODAY
from support.cli_run import run
from xl_gongkai import webpage
from xl_gongkai.build.template import build_template

ROOT = Path(__file__).resolve().parent.parent
EXCEL_DOC = ROOT / "docs" / "excel.md"


def written_workbooks(folder: Path, capsys: pytest.CaptureFixture[str]) -> list[Path]:
    """One of every kind of workbook the tool writes, made the way a user makes it, in ``folder``."""
    today = TODAY.isoformat()
    made: list[Path] = []

    def cli(*args: object, out: Path) -> None:
        code, _, err = run(capsys, *args)
        assert code in (0, 1) and out.is_file(), (args, code, err)
        made.append(out)

    (folder / "template.xlsm").write_bytes(build_template())
    (folder / "consolidation-template.xlsm").write_bytes(build_template(sources=[]))
    made += [folder / "template.xlsm", folder / "consolidation-template.xlsm"]
    shipped = (ROOT / "src" / "xl_gongkai" / "templates").glob("*.xlsm")
    made += [Path(shutil.copy(p, folder / f"shipped-{p.name}")) for p in shipped]
    cli("new", "--agency", "某县科学技术局", "--year", "2025", "-o", folder / "empty.xlsm", out=folder / "empty.xlsm")
    cli("new", "--agency", "某县科学技术局", "--year", "2025", "-o", folder / "empty.xlsx", out=folder / "empty.xlsx")
    huaian = REPORTS / "huaian-city-2024.json"
    cli("new", "--from", huaian, "-o", folder / "from-report.xlsm", out=folder / "from-report.xlsm")
    cli("new", "--from", huaian, "-o", folder / "from-report.xlsx", out=folder / "from-report.xlsx")
    cli("new", "--previous", folder / "from-report.xlsm", "--narrative", "-o", folder / "next-year.xlsm",
        out=folder / "next-year.xlsm")
    cli("fill", folder / "from-report.xlsm", "-o", folder / "filled.xlsm", out=folder / "filled.xlsm")
    shutil.copy(folder / "from-report.xlsm", folder / "filled-in-place.xlsm")
    cli("fill", folder / "filled-in-place.xlsm", "--write", "--today", today, out=folder / "filled-in-place.xlsm")
    shutil.copy(folder / "from-report.xlsm", folder / "checked.xlsm")
    cli("check", folder / "checked.xlsm", "--write", "--today", today, out=folder / "checked.xlsm")
    published = PUBLISHED / "00_panzhihua-dongqu-kejiju-2025.txt"
    cli("import", published, "-o", folder / "imported.xlsm", out=folder / "imported.xlsm")
    agencies = folder / "agencies"
    agencies.mkdir()
    for name in ("huaian-city-2024", "suqian-city-2023"):
        shutil.copy(REPORTS / f"{name}.json", agencies / f"{name}.json")
    cli("consolidate", agencies, "--agency", "某市人民政府", "--year", "2024", "-o", folder / "consolidated.xlsm",
        out=folder / "consolidated.xlsm")
    cli("audit", agencies, "-o", folder / "审核结果.xlsx", out=folder / "审核结果.xlsx")
    page = webpage.fill(webpage.receive("page.xlsm", (folder / "from-report.xlsm").read_bytes(), home=str(folder)),
                        today=today, home=str(folder))
    made.append(Path(shutil.copy(page["source"], folder / "page-filled.xlsm")))
    return made


RESULTS = {r.exit_code: r.name for r in (mraptor.Result_NoMacro, mraptor.Result_NotMSOffice, mraptor.Result_MacroOK,
                                          mraptor.Result_Error, mraptor.Result_Suspicious)}


def mraptor_says(path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The result mraptor's own command line (``mraptor FILE``, in this process) gives a file: its exit code,
    which the command documents as 0 No Macro, 1 Not MS Office, 2 Macro OK, 10 ERROR, 20 SUSPICIOUS."""
    monkeypatch.setattr(sys, "argv", ["mraptor", str(path)])
    with pytest.raises(SystemExit) as done:
        mraptor.main()
    return RESULTS[int(done.value.code)]


@pytest.mark.slow  # seconds of CPU: in `make test`, not in the fast loop
def test_every_workbook_the_tool_writes_is_not_suspicious(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    made = written_workbooks(tmp_path, capsys)
    assert len({p.name for p in made}) == len(made) == 16  # 4 templates, 12 written by commands
    said = {p.name: mraptor_says(p, monkeypatch) for p in made}
    expected = {p.name: "Macro OK" if p.suffix == ".xlsm" else "No Macro" for p in made}
    assert said == expected


def test_mraptor_still_finds_an_open_event(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rating above is not a scanner that cannot see: a workbook of template 1.2.0, which ran a procedure
    when it opened, is SUSPICIOUS to the same command line."""
    old = ROOT / "tests" / "data" / "workbooks" / "huaian-2024-template-1.2.0.xlsm"
    assert mraptor_says(old, monkeypatch) == "SUSPICIOUS"


def indicators(path: Path) -> dict[tuple[str, str], set[str]]:
    """olevba's indicators of each module: {(type, keyword): modules}; keywords of type Suspicious lower-cased
    (olevba reports the spelling it met first)."""
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    parser = VBA_Parser(str(path))
    try:
        whole = {(kind, word.lower() if kind == "Suspicious" else word) for kind, word, _ in parser.analyze_macros()}
        for _, _, name, code in parser.extract_all_macros():
            for kind, word, _ in VBA_Scanner(code).scan(include_decoded_strings=False):
                found[(kind, word.lower() if kind == "Suspicious" else word)].add(Path(name).stem)
    finally:
        parser.close()
    assert whole == set(found), "olevba's whole-file analysis and the per-module one disagree"
    return found


def documented_indicators() -> dict[tuple[str, str], set[str]]:
    """The table between the olevba markers of docs/excel.md: type | keywords | modules | why."""
    text = EXCEL_DOC.read_text("utf-8")
    block = re.search(r"<!-- olevba -->\n(.*?)<!-- /olevba -->", text, re.S)
    assert block, "docs/excel.md must list olevba's indicators between <!-- olevba --> and <!-- /olevba -->"
    table: dict[tuple[str, str], set[str]] = defaultdict(set)
    for line in block.group(1).splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or cells[0] in ("类型", "") or set(cells[0]) <= {"-"}:
            continue
        kind, words, modules, why = cells
        assert why, line
        for word in re.findall(r"`([^`]+)`", words):
            key = (kind, word.lower() if kind == "Suspicious" else word)
            table[key] |= {m.strip() for m in modules.split("、")}
    return table


@pytest.mark.slow  # seconds of CPU: in `make test`, not in the fast loop
def test_docs_say_why_each_olevba_indicator_is_there(tmp_path: Path) -> None:
    path = tmp_path / "template.xlsm"
    path.write_bytes(build_template())
    found = indicators(path)
    assert not [k for k in found if k[0] == "AutoExec"]
    documented = documented_indicators()
    sheet_modules = {m for ms in found.values() for m in ms if m.startswith("Sheet")}
    expanded = {k: {x for m in ms for x in (sheet_modules if m == "Sheet*" else {m})} for k, ms in documented.items()}
    assert set(expanded) == set(found), (
        f"not in docs/excel.md: {sorted(set(found) - set(expanded))}; no longer found: "
        f"{sorted(set(expanded) - set(found))}")
    for key, modules in found.items():
        assert expanded[key] == modules, (key, sorted(modules))

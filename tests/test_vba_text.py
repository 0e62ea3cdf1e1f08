"""The VBA's own Chinese messages: ASCII source, and what it spells is exactly the Python text.

The decoding here is independent of the generator: it evaluates the generated concatenations of string
literals, ``ChrW(&Hxxxx)`` and ``vbLf`` as VBA would, and compares with the messages in Python.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import xlwings

from xl_gongkai.build import package, vba_text
from xl_gongkai.build.template import XLWINGS_CONF

XLWINGS_BAS = (Path(xlwings.__file__).parent / "xlwings.bas").read_text("ascii")
RIBBON_BAS = (Path(package.__file__).parent / "vba" / "GongkaiRibbon.bas").read_text("ascii")
TOKEN = re.compile(r'\s*(?:"((?:[^"]|"")*)"|ChrW\(&H([0-9A-F]{4})\)|(vbLf))\s*(?:&|$)')


def evaluate(expression: str) -> str:
    out, pos = "", 0
    while pos < len(expression):
        m = TOKEN.match(expression, pos)
        assert m, f"not a VBA string expression at {expression[pos:pos + 30]!r}"
        literal, code, _lf = m.groups()
        out += literal.replace('""', '"') if literal is not None else chr(int(code, 16)) if code else "\n"
        pos = m.end()
    return out


def functions(source: str) -> dict[str, str]:
    found = {}
    for name, body in re.findall(r"Public Function (\w+)\(\) As String\r\n(.*?)End Function", source, re.S):
        text = ""
        for line in body.split("\r\n"):
            line = line.strip()
            if line.startswith("s = s & "):
                text += evaluate(line[len("s = s & "):])
        assert f"{name} = s" in body
        found[name] = text
    return found


def test_the_module_is_ascii_and_spells_every_message_exactly() -> None:
    source = vba_text.vba_module()
    source.encode("ascii")
    assert all(len(line) < 1024 for line in source.split("\r\n"))  # VBA's physical line limit
    decoded = functions(source)
    assert decoded == {vba_text.function_name(k): v for k, v in vba_text.MESSAGES.items()}
    assert decoded["Gk_T_Title"] == "政务公开年报"


def test_the_template_carries_the_generated_module() -> None:
    modules = {m.name: m for m in package.vba_modules(["SheetA"])}
    assert modules[vba_text.MODULE_NAME].source == vba_text.vba_module()
    assert modules[vba_text.MODULE_NAME].kind == "standard"


def test_every_message_the_ribbon_uses_exists_and_every_message_is_used() -> None:
    used = set(re.findall(r"GongkaiText\.(Gk_T_\w+)\(\)", RIBBON_BAS))
    assert used == {vba_text.function_name(k) for k in vba_text.MESSAGES}


def test_placeholders_are_filled_with_replace_in_vba() -> None:
    for key, text in vba_text.MESSAGES.items():
        for placeholder in re.findall(r"\{(\w+)\}", text):
            fn = vba_text.function_name(key)
            assert re.search(rf'Replace\(GongkaiText\.{fn}\(\), "\{{{placeholder}\}}"', RIBBON_BAS), (key, placeholder)
    assert vba_text.message("not_found", path=r"C:\x\pythonw.exe").startswith("找不到为 Excel 配置的 Python：\nC:\\x")


def test_characters_outside_the_bmp_are_refused() -> None:
    with pytest.raises(ValueError, match="Basic Multilingual Plane"):
        vba_text.vba_module({"x": "𠀀"})


def test_the_precheck_follows_xlwings_own_lookup() -> None:
    """The pre-check must find the interpreter exactly as xlwings' RunPython does, or the two could disagree."""
    run_python = XLWINGS_BAS[XLWINGS_BAS.index("Public Function RunPython"):XLWINGS_BAS.index("Sub ExecuteMac")]
    theirs = re.findall(r'GetConfig\("(INTERPRETER[A-Z_]*)"', run_python)
    ours = re.findall(r'GetConfig\("(INTERPRETER[A-Z_]*)"', RIBBON_BAS)
    assert theirs == ours == ["INTERPRETER_MAC", "INTERPRETER_WIN", "INTERPRETER"]
    # xlwings refuses a missing full path with an English box; we check the same condition with its FileExists
    assert 'If FileExists(PYTHON_WIN) Then' in XLWINGS_BAS and "If Not FileExists(interpreter) Then" in RIBBON_BAS
    assert 'PYTHON_WIN <> "python" And PYTHON_WIN <> "pythonw"' in XLWINGS_BAS


def test_a_failed_run_lands_on_a_sheet_we_can_read_instead_of_an_english_box() -> None:
    """xlwings' ShowError writes the log to a sheet "Error" when SHOW_ERROR_POPUPS is False (our conf sheet)."""
    show_error = XLWINGS_BAS[XLWINGS_BAS.index("Sub ShowError"):]
    assert 'If GetConfig("SHOW_ERROR_POPUPS", "True") = "False" Then' in show_error
    assert 'ErrorSheet.Name = "Error"' in show_error and 'ErrorSheet.Range("A1").Value = Content' in show_error
    assert 'Private Const ERROR_SHEET As String = "Error"' in RIBBON_BAS
    assert "outcome = RunPython(code)" in RIBBON_BAS and "If outcome <> 0 Then Gk_RunFailed code" in RIBBON_BAS
    assert 'RunPython = ExecuteWindows(False, PythonCommand, interpreter, PYTHONPATH)' in XLWINGS_BAS
    assert "ExecuteWindows = -1" in XLWINGS_BAS
    conf = {k.upper(): v for k, v in XLWINGS_CONF}
    assert conf["SHOW_ERROR_POPUPS"] == "False"
    assert not any(k.startswith("INTERPRETER") for k in conf), "no interpreter may be baked into a workbook"


def test_the_conf_sheet_pins_what_a_users_global_config_could_break() -> None:
    """xlwings takes a key from the workbook's sheet before the user's file; CONDA PATH and CONDA ENV (a conda
    activation before every click) and PYTHONPATH (another project's modules first) are pinned to empty."""
    get_config = XLWINGS_BAS[XLWINGS_BAS.index("Function GetConfig("):XLWINGS_BAS.index("Function SaveConfigToFile")]
    assert get_config.index("' Sheet") < get_config.index("' User Config")
    assert 'GetConfig = GetConfigFromSheet(ThisWorkbook).Item(configKey)' in get_config
    execute = XLWINGS_BAS[XLWINGS_BAS.index("Function ExecuteWindows"):]
    assert 'CondaPath = GetConfig("CONDA PATH")' in execute and 'CondaEnv = GetConfig("CONDA ENV")' in execute
    assert 'If CondaPath <> "" And CondaEnv <> "" Then' in execute
    assert '& GetConfig("PYTHONPATH")' in XLWINGS_BAS
    # keys are read from A1 down to the first blank one (End(xlDown)), upper-cased
    assert 'Set lastCell = sht.Range("A1").End(xlDown)' in XLWINGS_BAS and "d.Add UCase(cell.Value)" in XLWINGS_BAS
    conf = {k.upper(): v for k, v in XLWINGS_CONF}
    assert conf["CONDA PATH"] == conf["CONDA ENV"] == conf["PYTHONPATH"] == ""


def test_the_built_conf_sheet_holds_every_setting_in_one_run_of_rows(built_template: bytes) -> None:
    from python_calamine import CalamineWorkbook

    from xl_gongkai.spec import load_form

    book = CalamineWorkbook.from_filelike(io.BytesIO(built_template))
    rows = book.get_sheet_by_name(load_form().template.config_sheet).to_python()
    assert [(str(r[0]), str(r[1])) for r in rows] == XLWINGS_CONF

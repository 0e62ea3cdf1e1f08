"""``xl-gongkai excel install`` / ``doctor`` on real configuration files, and the Windows risks of the ribbon
commands (OneDrive/SharePoint, temporary folders, password-protected sheets) through xlwings' remote engine."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import xlwings
import xlwings.utils

from conftest import TODAY
from support.remote_book import book_json
from test_excel import FakeComSheetApi, alerts, workbook
from xl_gongkai import cli, excel, excel_setup
from xl_gongkai.adapters.excel_live import LiveBook
from xl_gongkai.errors import InputError
from xl_gongkai.spec import load_form

FORM = load_form()


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("USERPROFILE", raising=False)
    monkeypatch.delenv("OneDrive", raising=False)
    monkeypatch.setenv("XL_GONGKAI_LOG_DIR", str(tmp_path / "logs"))
    return home


def test_install_writes_the_user_config_that_xlwings_reads(_home: Path, capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    conf = _home / ".xlwings" / "xlwings.conf"
    conf.parent.mkdir()
    conf.write_text('"LICENSE_KEY","abc"\n"INTERPRETER_WIN","C:\\old\\pythonw.exe"\n"CONDA PATH",""\n', "utf-8")
    assert cli.main(["excel", "install"]) == 0
    out = capsys.readouterr().out
    assert f"Excel 的按钮将使用 {sys.executable}" in out and "C:\\old\\pythonw.exe，已替换" in out
    assert "[正常] Excel 使用的 Python" in out and "[正常] 该 Python 能否运行按钮" in out
    # no Excel here: the verdict says what only Windows can show, and never that the buttons work
    assert out.rstrip().endswith("只能在装有 Excel 的 Windows 电脑上运行 xl-gongkai excel doctor 检查。")
    assert "可以使用" not in out and "[提示] Excel 的按钮：本机不是 Windows" in out
    # xlwings' own reader sees our interpreter and the user's other settings, unchanged
    monkeypatch.setattr(xlwings, "USER_CONFIG_FILE", str(conf))
    assert xlwings.utils.read_user_config() == {"license_key": "abc", "conda path": "",
                                               "interpreter_win": sys.executable}
    assert conf.read_bytes().endswith(f'"INTERPRETER_WIN","{sys.executable}"\r\n'.encode())


def test_doctor_names_the_missing_configuration_and_exits_1(_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["excel", "doctor"]) == 1
    out = capsys.readouterr().out
    assert "[问题] Excel 使用的 Python" in out and "请运行 xl-gongkai excel install" in out
    assert "有 1 项问题" in out


def test_doctor_finds_a_configured_interpreter_that_is_gone(_home: Path) -> None:
    excel_setup.install(executable=_home / "gone" / "python")
    d = excel_setup.doctor()
    (problem,) = d.problems
    assert problem.label == "Excel 使用的 Python" and "该文件不存在" in problem.detail


def test_doctor_probes_the_configured_interpreter(_home: Path, tmp_path: Path) -> None:
    """A Python that exists but lacks xl_gongkai is what a click would fail on: the doctor runs it and says so."""
    bare = tmp_path / "bare-python"
    bare.symlink_to("/usr/bin/python3" if Path("/usr/bin/python3").exists() else sys.base_prefix + "/bin/python3")
    excel_setup.install(executable=bare)
    (problem,) = excel_setup.doctor().problems
    assert problem.label == "该 Python 能否运行按钮" and "无法导入 xl_gongkai 或 xlwings" in problem.detail


def test_windows_details_pythonw_and_the_ansi_code_page(tmp_path: Path) -> None:
    """On Windows a click starts pythonw.exe (no console), and VBA reads the file in the ANSI code page."""
    scripts = tmp_path / "用户" / "venv" / "Scripts"
    scripts.mkdir(parents=True)
    for name in ("python.exe", "pythonw.exe"):
        (scripts / name).write_bytes(b"")
    conf = tmp_path / "xlwings.conf"
    done = excel_setup.install(executable=scripts / "python.exe", system="win32", config=conf, encoding="cp936")
    assert done.interpreter == scripts / "pythonw.exe" and done.key == "INTERPRETER_WIN"
    assert conf.read_bytes() == f'"INTERPRETER_WIN","{scripts / "pythonw.exe"}"\r\n'.encode("cp936")
    odd = tmp_path / "😀" / "python"
    with pytest.raises(InputError, match="代码页无法表示"):
        excel_setup.install(executable=odd, system="win32", config=conf, encoding="cp936")
    assert conf.read_bytes().decode("cp936").count("INTERPRETER_WIN") == 1  # the refused install changed nothing


def test_doctor_shows_what_the_vba_logged(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / excel_setup.VBA_LOG).write_text("2026-01-05 09:00:00 年报.xlsm: message start_failed: 70: Permission"
                                            " denied\n", "utf-8")
    lines = excel_setup.doctor(probe=False).lines()
    assert any("[提示] 宏的最近记录" in line and "start_failed: 70: Permission denied" in line for line in lines)


def _fake_pywin32(folder: Path, pythoncom_source: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A FAKE pywin32 (named as such; pywin32 exists only for Windows): ``pythoncom`` and ``win32com.client``
    as source files on sys.path, the first one written as the case needs."""
    (folder / "win32com").mkdir(parents=True)
    (folder / "pythoncom.py").write_text("# FAKE pythoncom\n" + pythoncom_source, "utf-8")
    (folder / "win32com" / "__init__.py").write_text("# FAKE win32com\n", "utf-8")
    (folder / "win32com" / "client.py").write_text("# FAKE win32com.client\nimport pythoncom\n", "utf-8")
    monkeypatch.syspath_prepend(str(folder))
    for name in ("pythoncom", "win32com", "win32com.client"):
        monkeypatch.delitem(sys.modules, name, raising=False)


def test_doctor_on_windows_imports_pythoncom_and_win32com(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Installed is not enough: a pywin32 whose DLL does not load fails at import, and so would every click."""
    broken = "raise ImportError('DLL load failed while importing pythoncom: 找不到指定的模块。')\n"
    _fake_pywin32(tmp_path / "broken", broken, monkeypatch)
    d = excel_setup.doctor(system="win32", config=tmp_path / "xlwings.conf", encoding="utf-8", probe=False)
    check = next(c for c in d.checks if c.label.startswith("pywin32"))
    assert check.ok is False and "DLL load failed while importing pythoncom" in check.detail
    assert "win32com.client" in check.detail and "install.cmd" in check.detail


def test_doctor_on_windows_passes_a_pywin32_that_imports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_pywin32(tmp_path / "fine", "", monkeypatch)
    d = excel_setup.doctor(system="win32", config=tmp_path / "xlwings.conf", encoding="utf-8", probe=False)
    assert next(c for c in d.checks if c.label.startswith("pywin32")).ok is True


def test_the_probe_on_windows_imports_what_a_click_imports(_home: Path, tmp_path: Path) -> None:
    """The configured interpreter is started and must import pywin32's modules too; this one has none."""
    assert excel_setup.probe_code("win32").startswith("import xlwings, xl_gongkai, xl_gongkai.excel, pythoncom, "
                                                      "win32com.client;")
    assert "pythoncom" not in excel_setup.probe_code("linux")
    conf = tmp_path / "xlwings.conf"
    excel_setup.install(executable=sys.executable, system="win32", config=conf, encoding="utf-8")
    d = excel_setup.doctor(system="win32", config=conf, encoding="utf-8")
    probe = next(c for c in d.checks if c.label == "该 Python 能否运行按钮")
    assert probe.ok is False and "No module named 'pythoncom'" in probe.detail
    assert d.verdict.startswith("有 ") and "可以使用" not in d.verdict


def test_the_verdict_speaks_of_the_buttons_only_on_windows() -> None:
    assert excel_setup.Diagnosis("win32").verdict == "Excel 的按钮可以使用。"
    for system in ("linux", "darwin"):
        assert excel_setup.Diagnosis(system).verdict.startswith("本机不是 Windows")


def _export_alert(path: Path, name: str) -> str:
    payload = book_json(path)
    payload["book"]["name"] = name
    book = xlwings.Book(json=payload)
    outcome = excel.run(book, "export", today=TODAY)
    assert not outcome.critical, outcome.message
    return alerts(book.json()["actions"])[0][0]


def test_an_online_workbook_exports_to_documents_and_says_so(tmp_path: Path, _home: Path) -> None:
    (_home / "Documents").mkdir()
    path = workbook(tmp_path, "huaian-city-2024")
    text = _export_alert(path, "https://contoso-my.sharepoint.com/personal/x/Documents/年报.xlsm")
    assert "OneDrive、SharePoint" in text and str(_home / "Documents") in text
    assert (_home / "Documents" / "淮安市人民政府_2024年_年报数据.json").is_file()


def test_a_workbook_opened_from_an_attachment_exports_to_documents(tmp_path: Path, _home: Path) -> None:
    (_home / "Documents").mkdir()
    cache = tmp_path / "INetCache" / "Content.Outlook" / "A1B2C3"
    cache.mkdir(parents=True)
    path = workbook(tmp_path, "huaian-city-2024")
    text = _export_alert(path, str(cache / "年报.xlsm"))
    assert "邮件附件或压缩包" in text and not list(cache.iterdir())
    assert (_home / "Documents" / "淮安市人民政府_2024年_摘要.md").is_file()


def test_xlwings_own_error_for_an_unmapped_onedrive_file_is_not_an_unexpected_error(
        tmp_path: Path, _home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Under COM, Book.fullname raises XlwingsError when it cannot map a OneDrive URL to a synced folder."""
    def unmapped(_self: Any) -> str:
        raise xlwings.XlwingsError("Couldn't find your local OneDrive file, see: xlwings.org/error")

    from xlwings.pro import _xlremote

    monkeypatch.setattr(_xlremote.Book, "fullname", property(unmapped))
    path = workbook(tmp_path, "huaian-city-2024")
    text = _export_alert(path, "年报.xlsm")
    assert "网络位置" in text and "程序内部错误" not in text


class PasswordSheetApi(FakeComSheetApi):
    """A FAKE (named as such): a sheet the clerk protected with a password; COM's Unprotect() then fails."""

    def Unprotect(self) -> None:
        self.calls.append("Unprotect")
        raise OSError(-2147352567, "Exception occurred.", (0, "Microsoft Excel", "密码不正确。", None, 0, -2146827284))


def test_a_password_protected_sheet_gets_a_chinese_message_and_others_are_protected_again() -> None:
    calls: list[str] = []

    class Book:
        name = "x.xlsm"
        sheets: dict[str, Any] = {"表三 依申请公开": type("S", (), {"api": FakeComSheetApi(calls)})(),  # noqa: RUF012
                                  "表四 复议诉讼": type("S", (), {"api": PasswordSheetApi(calls)})()}

        class app:
            class engine:
                name = "excel"

    live = LiveBook(Book(), FORM)
    with pytest.raises(InputError, match="工作表“表四 复议诉讼”设置了密码保护") as caught, \
            live.unprotected(["表三 依申请公开", "表四 复议诉讼"]):
        calls.append("write")  # never reached
    assert "撤销工作表保护" in str(caught.value)
    assert calls[0] == "Unprotect" and calls[1] == "Unprotect" and calls[2].startswith("Protect")
    assert "write" not in calls

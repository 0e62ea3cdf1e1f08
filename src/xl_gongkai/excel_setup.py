"""Connecting Excel to this Python, per user and without admin rights: ``xl-gongkai excel install`` / ``doctor``.

The template names no interpreter (template 1.1.0 on). xlwings' RunPython looks each setting up in the
workbook's ``xlwings.conf`` sheet, then in an ``xlwings.conf`` next to the workbook, then in the user's own
``%USERPROFILE%\\.xlwings\\xlwings.conf``. ``install`` writes ``INTERPRETER_WIN`` there, pointing at the
interpreter it runs under (``pythonw.exe`` beside it on Windows: no console window per click), keeping every
other line of the file. One install then serves every workbook, wherever they are and wherever Python is.

``doctor`` checks what a click needs, in the order a click needs it, and says in Chinese what to do about
each problem; the ribbon's 诊断 button shows the same facts from inside Excel. On Windows that includes
importing pythoncom and win32com (pywin32), through which xlwings reaches Excel: a pywin32 whose DLLs do not
load is installed as far as pip can tell and breaks every click. Elsewhere there is no Excel to check, and
the verdict says so instead of calling the buttons usable.

Standard library only: ``doctor`` must run where the install is broken.
"""

from __future__ import annotations

import importlib
import os
import platform
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .errors import InputError

KEY_WIN = "INTERPRETER_WIN"
KEY_MAC = "INTERPRETER_MAC"
# what template 1.0.0 wrote into every workbook's xlwings.conf sheet (it takes precedence over the user's file)
LEGACY_INTERPRETER = r"%LOCALAPPDATA%\xl_gongkai\venv\Scripts\pythonw.exe"
VBA_LOG = "vba.log"  # the ribbon's own log lines (build/vba/GongkaiRibbon.bas), next to the Python log
# what xlwings imports on Windows to reach Excel (pywin32); a doctor on Windows imports them, the probe too
WINDOWS_COM_MODULES = ("pythoncom", "win32com.client")
REINSTALL = "请重新运行安装包中的 install.cmd，或在本环境中重新安装 xl-gongkai（见《Excel 使用说明》“安装”一节）。"
_LINE = re.compile(r'^\s*"([^"]*)"\s*,\s*"([^"]*)"\s*$')


def config_key(system: str = sys.platform) -> str:
    return KEY_MAC if system == "darwin" else KEY_WIN


def user_config_path(system: str = sys.platform) -> Path:
    """Where xlwings (VBA and Python alike) reads the user's configuration."""
    if system == "darwin":
        return Path.home() / "Library" / "Containers" / "com.microsoft.Excel" / "Data" / "xlwings.conf"
    profile = os.environ.get("USERPROFILE") if system == "win32" else None
    return Path(profile or Path.home()) / ".xlwings" / "xlwings.conf"


def config_encoding(system: str = sys.platform) -> str:
    """VBA's ``Input #`` reads the file in the ANSI code page (cp936 on Chinese Windows), not UTF-8."""
    return "mbcs" if system == "win32" else "utf-8"


def click_interpreter(executable: str | Path = sys.executable, system: str = sys.platform) -> Path:
    """The interpreter a click should start: ``pythonw.exe`` next to ``python.exe`` when there is one."""
    exe = Path(executable)
    if system == "win32" and exe.name.lower() == "python.exe" and exe.with_name("pythonw.exe").is_file():
        return exe.with_name("pythonw.exe")
    return exe


def read_config(path: Path, encoding: str) -> list[tuple[str, str]]:
    """The (key, value) lines of an xlwings configuration file, in order; other lines are dropped as xlwings does."""
    if not path.is_file():
        return []
    try:
        text = path.read_bytes().decode(encoding, errors="replace")
    except OSError as exc:
        raise InputError(f"无法读取 xlwings 配置文件：{exc.strerror or exc}", place=str(path)) from None
    return [(m.group(1), m.group(2)) for m in map(_LINE.match, text.splitlines()) if m]


def config_value(entries: list[tuple[str, str]], key: str) -> str | None:
    """The value xlwings takes for ``key``: the first line whose key matches without regard to case."""
    return next((v for k, v in entries if k.lower() == key.lower()), None)


@dataclass(frozen=True)
class Installed:
    config: Path
    key: str
    interpreter: Path
    previous: str | None  # the value the file held before, when it was another


def install(*, executable: str | Path = sys.executable, system: str = sys.platform,
            config: Path | None = None, encoding: str | None = None) -> Installed:
    """Point the user's xlwings configuration at this interpreter; every other line stays as it was."""
    from .fileio import write_bytes_atomic

    path = config or user_config_path(system)
    key, encoding = config_key(system), encoding or config_encoding(system)
    interpreter = click_interpreter(executable, system)
    if '"' in str(interpreter):
        raise InputError("Python 的路径中含有英文引号，xlwings 的配置文件无法记录。"
                         "请把 Python 装到不含引号的文件夹。", place=str(interpreter))
    entries = read_config(path, encoding)
    previous = config_value(entries, key)
    kept = [(k, v) for k, v in entries if k.lower() != key.lower()]
    lines = [f'"{k}","{v}"' for k, v in [*kept, (key, str(interpreter))]]
    try:
        data = ("\r\n".join(lines) + "\r\n").encode(encoding)
    except UnicodeEncodeError:
        raise InputError("Python 的路径中有本机代码页无法表示的字符，Excel 的宏读不到它。请把 Python 环境装到只含"
                         "英文字母和数字的文件夹（例如 C:\\xl_gongkai\\venv）后再运行。",
                         place=str(interpreter)) from None
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(path, data)
    return Installed(path, key, interpreter, previous if previous != str(interpreter) else None)


@dataclass(frozen=True)
class Check:
    """One line of the doctor's report: ``ok`` True (正常), False (问题: must be fixed), None (提示)."""

    label: str
    ok: bool | None
    detail: str


@dataclass
class Diagnosis:
    system: str = sys.platform
    checks: list[Check] = field(default_factory=list)

    def add(self, label: str, ok: bool | None, detail: str) -> None:
        self.checks.append(Check(label, ok, detail))

    @property
    def problems(self) -> list[Check]:
        return [c for c in self.checks if c.ok is False]

    def lines(self) -> list[str]:
        mark = {True: "正常", False: "问题", None: "提示"}
        return [f"[{mark[c.ok]}] {c.label}：{c.detail}" for c in self.checks]

    @property
    def verdict(self) -> str:
        """The last line: only Windows, where Excel is, can show that the buttons work."""
        if self.problems:
            return f"有 {len(self.problems)} 项问题，按上面的说明处理后再运行 xl-gongkai excel doctor。"
        if self.system == "win32":
            return "Excel 的按钮可以使用。"
        return ("本机不是 Windows：以上只检查了 Python 这一侧；按钮能否使用，只能在装有 Excel 的 Windows 电脑上"
                "运行 xl-gongkai excel doctor 检查。")


def _pinned_xlwings() -> str | None:
    from importlib.metadata import PackageNotFoundError, requires

    try:
        reqs = requires("xl_gongkai") or []
    except PackageNotFoundError:
        return None
    for r in reqs:
        m = re.match(r"xlwings\s*==\s*([\w.]+)", r)
        if m:
            return m.group(1)
    return None


def _installed(name: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


def import_failures(names: tuple[str, ...]) -> list[str]:
    """Each module of ``names`` that does not import here, with why (a DLL that does not load raises ImportError)."""
    failed = []
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as exc:  # ImportError, or whatever a broken extension raises while loading
            failed.append(f"{name}（{type(exc).__name__}: {exc}）")
    return failed


def probe_code(system: str = sys.platform) -> str:
    """What the probe runs in the configured interpreter: the imports of a click, then the versions."""
    modules = ["xlwings", "xl_gongkai", "xl_gongkai.excel", *(WINDOWS_COM_MODULES if system == "win32" else ())]
    return f"import {', '.join(modules)}; print(xl_gongkai.__version__, xlwings.__version__)"


def _probe(interpreter: Path, system: str = sys.platform) -> tuple[bool, str]:
    """Whether ``interpreter`` imports what a click imports, and the versions it reports."""
    code = probe_code(system)
    try:
        r = subprocess.run([str(interpreter), "-c", code], capture_output=True, text=True, timeout=120,
                           encoding="utf-8", errors="replace")
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"无法启动（{type(exc).__name__}）"
    if r.returncode != 0:
        last = (r.stderr.strip().splitlines() or ["?"])[-1]
        what = "xl_gongkai、xlwings 或 pywin32" if system == "win32" else "xl_gongkai 或 xlwings"
        return False, f"无法导入 {what}（{last}）"
    ours, theirs = [*r.stdout.split(), "?", "?"][:2]
    return True, f"xl_gongkai {ours}，xlwings {theirs}"


def vba_log_tail(log_folder: Path, lines: int = 5) -> list[str]:
    """The last lines the ribbon's VBA logged: each message it showed (with its key) and why Python failed."""
    path = log_folder / VBA_LOG
    try:
        text = path.read_bytes().decode("mbcs" if sys.platform == "win32" else "utf-8", errors="replace")
    except OSError:
        return []
    return [line for line in text.splitlines() if line.strip()][-lines:]


def doctor(*, executable: str | Path = sys.executable, system: str = sys.platform, config: Path | None = None,
           probe: bool = True, encoding: str | None = None) -> Diagnosis:
    """Everything a click needs, checked in the order a click needs it."""
    from .logs import LOG_NAME, log_dir

    d = Diagnosis(system)
    py_ok = sys.version_info >= (3, 10)
    d.add("Python", py_ok, f"{platform.python_version()}（{executable}）" + ("" if py_ok else "，需要 3.10 或更新"))
    d.add("xl_gongkai", True, __version__)
    pinned, have = _pinned_xlwings(), _installed("xlwings")
    if have is None:
        d.add("xlwings", False, "没有安装。" + REINSTALL)
    elif pinned and have != pinned:
        d.add("xlwings", False, f"安装的是 {have}，模板需要 {pinned}（模板中的宏带有版本号）。" + REINSTALL)
    else:
        d.add("xlwings", True, have)
    if system == "win32":
        failed = import_failures(WINDOWS_COM_MODULES)
        d.add("pywin32（pythoncom、win32com）", not failed,
              "可以导入" if not failed else f"无法导入 {'；'.join(failed)}：xlwings 在 Windows 上通过它们连接 Excel，"
                                           "每次点击都会失败。" + REINSTALL)
    heavy = [n for n in ("numpy", "pandas") if _installed(n)]
    if heavy:
        d.add("点击速度", None, f"本环境装有 {'、'.join(heavy)}：xlwings 每次点击都会加载它们，按钮会慢约一倍。"
                              "本工具不需要它们：请为本工具单独建一个只装 xl-gongkai 的环境。")
    path = config or user_config_path(system)
    key = config_key(system)
    value = config_value(read_config(path, encoding or config_encoding(system)), key)
    here = click_interpreter(executable, system)
    if value is None:
        d.add("Excel 使用的 Python", False, f"{path} 中没有 {key}：按钮会提示“还没有为 Excel 配置 Python”。"
                                          "请运行 xl-gongkai excel install。")
    else:
        target = Path(os.path.expandvars(value))
        if not target.is_file():
            d.add("Excel 使用的 Python", False, f"{path} 中的 {key} = {value}，该文件不存在。"
                                              "请在要使用的 Python 环境中运行 xl-gongkai excel install。")
        else:
            same = os.path.normcase(str(target.resolve())) == os.path.normcase(str(here.resolve()))
            other = f"（不是本次运行的 {here}；若要改用本环境，请运行 xl-gongkai excel install）"
            d.add("Excel 使用的 Python", True if same else None, value + ("" if same else other))
            if probe:
                ok, detail = _probe(target, system)
                d.add("该 Python 能否运行按钮", ok, detail if ok else detail + "。" + REINSTALL)
    if system == "win32":
        legacy = Path(os.path.expandvars(LEGACY_INTERPRETER))
        d.add("1.0.0 版模板的工作簿", True if legacy.is_file() else None,
              f"这些工作簿自带解释器设置 {LEGACY_INTERPRETER}" +
              ("，该文件存在，可以继续使用。" if legacy.is_file() else
               "，该文件不存在，这些工作簿的按钮不能用；"
               "请用 xl-gongkai new --from 旧文件.xlsm -o 新文件.xlsm 转到新模板。"))
    if system != "win32":
        d.add("Excel 的按钮", None, f"本机不是 Windows（{platform.system() or system}），没有可检查的 Excel。")
    folder = log_dir()
    d.add("日志文件", None, str(folder / LOG_NAME))
    for line in vba_log_tail(folder):
        d.add("宏的最近记录", None, line)
    return d

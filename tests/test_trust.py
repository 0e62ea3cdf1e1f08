"""Nothing lost, nothing miscounted: every way the tool once gave a wrong answer or destroyed a file while exiting 0.

Each test reproduces one of the situations a new user met (an output named like an input, a 汇总 run twice in
the same folder, a folder of mixed submissions, an environment that refuses a write…) and asserts the new
behaviour: a Chinese refusal with exit 2 and every input byte for byte unchanged, or a complete answer.
Most commands run in this process through ``cli.main`` (the same code the console script runs); pipes,
signals and file systems run the real command in a child process.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from conftest import PUBLISHED, REPORTS, TODAY
from support.cli_run import doc, run, write_json
from xl_gongkai.adapters.workbook_read import read_workbook
from xl_gongkai.cli import main
from xl_gongkai.spec import CellKey, load_form

FORM = load_form()
DAY = ["--today", TODAY.isoformat()]
NEW_TOTAL = CellKey("requests", "new", "total")






def digests(folder: Path) -> dict[str, str]:
    """sha256 of every regular file under ``folder`` (links and special files by what they are)."""
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = str(p.relative_to(folder))
        if p.is_symlink():
            out[rel] = "link->" + os.readlink(p)
        elif p.is_file():
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
        elif not p.is_dir():
            out[rel] = "special"
    return out




def child(*args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xl_gongkai", *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=120, **kw)


@pytest.fixture
def book(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A clerk's workbook, filled from a real report with the real ``new`` command."""
    src = write_json(tmp_path / "淮安.json", doc("huaian-city-2024"))
    assert run(capsys, "new", "--from", src, "-o", tmp_path / "a.xlsm", *DAY)[0] == 0
    src.unlink()
    return tmp_path / "a.xlsm"


# ============================================================ 1 outputs never replace inputs


def _refusals(d: Path, a: Path) -> list[list[Any]]:
    payload = write_json(d / "p.json", doc("huaian-city-2024"))
    stem = "淮安市人民政府_2024年_年报数据.json"  # what export names its output next to the source
    write_json(d / stem, doc("huaian-city-2024"))
    (d / "link.xlsm").symlink_to(a)
    os.link(a, d / "hard.xlsm")
    (d / "s.md").symlink_to(d / "out.json")
    shutil.copy(PUBLISHED / "00_panzhihua-dongqu-kejiju-2025.txt", d / "r.txt")
    return [
        ["export", a, "-o", a],
        ["export", payload, "-o", payload],
        ["export", d / stem],  # the default output is the input itself
        ["export", a, "-o", d / "out.json", "--summary", a],
        ["export", a, "-o", d / "out.json", "--summary", d / "s.md"],  # two outputs, one file
        ["report", a, "-o", a],
        ["report", a, "--html", a],
        ["report", payload, "-o", d / "r.docx", "--html", payload],
        ["new", "--from", a, "-o", a],
        ["new", "--from", a, "-o", d / "link.xlsm"],
        ["fill", a, "-o", a],
        ["fill", a, "-o", d / "link.xlsm"],
        ["fill", a, "-o", d / "hard.xlsm"],
        ["import", d / "r.txt", "-o", d / "r.txt"],
        ["summary", a],  # no output at all: a control that changes nothing either
    ]


def test_no_command_replaces_its_input(book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for args in _refusals(tmp_path, book):
        before = digests(tmp_path)
        code, _, err = run(capsys, *args, *(DAY if args[0] != "summary" else []))
        assert digests(tmp_path) == before, args
        if args[0] == "summary":
            assert code == 0
            continue
        assert code == 2, (args, err)
        assert err.startswith("无法写出："), (args, err)
        assert "Traceback" not in err


def test_a_refusal_names_both_paths(book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    payload = write_json(tmp_path / "p.json", doc("huaian-city-2024"))
    code, _, err = run(capsys, "export", payload, "-o", payload, *DAY)
    assert code == 2
    assert err.count(str(payload)) == 2 and "就是输入文件" in err and "输入文件没有被修改" in err
    (tmp_path / "s.md").symlink_to(tmp_path / "out.json")
    code, _, err = run(capsys, "export", book, "-o", tmp_path / "out.json", "--summary", tmp_path / "s.md", *DAY)
    assert code == 2 and "两个输出文件是同一个文件" in err and str(tmp_path / "s.md") in err


def test_fill_in_place_stays_the_one_exception(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = book.read_bytes()
    code, out, _ = run(capsys, "fill", book, *DAY)
    assert code == 0 and "已填充合计" in out
    assert read_workbook(book).values[NEW_TOTAL] == 3119
    assert zipfile.ZipFile(book).namelist() == zipfile.ZipFile(io.BytesIO(before)).namelist()


# ============================================================ 2 an output's name matches its content

MACRO_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def _macro_parts(path: Path) -> dict[str, Any]:
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        types = z.read("[Content_Types].xml").decode()
        rels = z.read("_rels/.rels").decode() + z.read("xl/_rels/workbook.xml.rels").decode()
    return {"vba": any(n.lower().endswith("vbaproject.bin") for n in names),
            "ribbon": any(n.lower().startswith("customui/") for n in names) or "ui/extensibility" in rels,
            "macro_type": MACRO_MAIN in types, "vba_rel": "vbaProject" in rels}


def test_xlsx_outputs_carry_no_macros_and_read_the_same(book: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert _macro_parts(book) == {"vba": True, "ribbon": True, "macro_type": True, "vba_rel": True}
    fresh = tmp_path / "x.xlsx"
    assert run(capsys, "new", "--agency", "某局", "--year", "2025", "-o", fresh)[0] == 0
    filled = tmp_path / "b.xlsx"
    assert run(capsys, "fill", book, "-o", filled, *DAY)[0] == 0
    for p in (fresh, filled):
        assert _macro_parts(p) == {"vba": False, "ribbon": False, "macro_type": False, "vba_rel": False}, p
        openpyxl.load_workbook(p)  # an independent reader opens it
    assert read_workbook(filled).values == read_workbook(book).values
    assert read_workbook(fresh).agency == "某局"
    # every part that is not about macros is carried over byte for byte
    with zipfile.ZipFile(filled) as z, zipfile.ZipFile(tmp_path / "a.xlsm") as m:
        for name in z.namelist():
            if name not in ("[Content_Types].xml", "_rels/.rels", "xl/_rels/workbook.xml.rels") \
                    and not name.startswith("xl/worksheets/"):
                assert z.read(name) == m.read(name), name


def test_a_macro_free_file_is_not_saved_as_xlsm(book: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    plain = tmp_path / "b.xlsx"
    assert run(capsys, "fill", book, "-o", plain, *DAY)[0] == 0
    before = digests(tmp_path)
    code, _, err = run(capsys, "fill", plain, "-o", tmp_path / "c.xlsm", *DAY)
    assert code == 2 and "不含宏" in err and "c.xlsx" in err
    for args in (["new", "--agency", "某局", "--year", "2025", "-o", tmp_path / "x.xls"],
                 ["consolidate", tmp_path, "--agency", "某区", "-o", tmp_path / "汇总.ods"],
                 ["audit", tmp_path, "-o", tmp_path / "审核.xlsm"], ["export", book, "-o", tmp_path / "p.xlsm"],
                 ["report", book, "-o", tmp_path / "r.doc"], ["template", "build", "-o", tmp_path / "t.xlsx"]):
        code, _, err = run(capsys, *args)
        assert code == 2 and "扩展名与内容不符" in err, (args, err)
    assert digests(tmp_path) == before


# ============================================================ 3 consolidation is idempotent


@pytest.fixture
def region(tmp_path: Path) -> Path:
    d = tmp_path / "某区"
    d.mkdir()
    write_json(d / "a.json", doc("huaian-city-2024"))
    b = doc("huaian-city-2024")
    b["metadata"]["agency"] = "淮安市某局"
    write_json(d / "b.json", b)
    return d


def _new_total(path: Path) -> Any:
    return read_workbook(path).values[NEW_TOTAL]


def consolidated(code: int, stdout: str) -> bool:
    """A consolidation is a success (exit 0, no 错误); its own narrative is still to write: 待填写 (S1), not 错误."""
    pending = re.findall(r"\[待填写\] (\w+)", stdout)
    return code == 0 and "[错误]" not in stdout and pending == ["S1"] * 3


def test_consolidating_twice_in_place_adds_nothing_twice(region: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expected = 2 * doc("huaian-city-2024")["values"]["requests"]["new"]["total"]  # from the inputs, not the tool
    out = region / "汇总.xlsm"
    made = []
    for _ in range(3):
        code, stdout, err = run(capsys, "consolidate", region, "--agency", "某区", "-o", out, *DAY)
        assert consolidated(code, stdout), err
        assert _new_total(out) == expected
        made.append(out.read_bytes())
    assert made[0] == made[1] == made[2]  # the output being replaced is no source: a rerun writes the same file
    assert "已汇总 2 份报告" in stdout and "待填写：一、总体情况、五、" in stdout
    ws = openpyxl.load_workbook(out)[FORM.template.sources.sheet]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=FORM.template.sources.header_row + 1)]
    assert [r[1:5] for r in rows] == [["a.json", "淮安市人民政府", 2024, "已汇总"],
                                      ["b.json", "淮安市某局", 2024, "已汇总"]]


def test_a_consolidation_is_known_by_content_not_name(region: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    expected = 2 * 3119
    out = tmp_path / "汇总.xlsm"
    assert consolidated(*run(capsys, "consolidate", region, "--agency", "某区", "-o", out, *DAY)[:2])
    shutil.copy(out, region / "某局的报告.xlsm")  # any name
    assert consolidated(*run(capsys, "fill", region / "某局的报告.xlsm", "-o", region / "又一份.xlsx", *DAY)[:2])
    assert run(capsys, "export", out, "-o", region / "数据.json", "--draft", *DAY)[0] == 0  # carries the marker
    assert json.loads((region / "数据.json").read_text("utf-8"))["origin"] == "consolidation"
    code, stdout, _ = run(capsys, "consolidate", region, "--agency", "某区", "-o", tmp_path / "again.xlsm", *DAY)
    assert consolidated(code, stdout) and _new_total(tmp_path / "again.xlsm") == expected
    for name in ("某局的报告.xlsm", "又一份.xlsx", "数据.json"):
        assert f"{name}：本工具此前生成的本地区汇总报告，不再计入" in stdout
    # the region's own (published) 汇总 is not added either: same agency as the consolidation
    own = doc("huaian-city-2024")
    own["metadata"]["agency"] = "某区"
    write_json(region / "某区2024年报.json", own)
    code, stdout, _ = run(capsys, "consolidate", region, "--agency", "某 区", "-o", tmp_path / "third.xlsm", *DAY)
    assert consolidated(code, stdout) and _new_total(tmp_path / "third.xlsm") == expected
    assert "某区2024年报.json：本地区自己的汇总报告（与汇总机关同名）" in stdout


def test_consolidate_never_replaces_a_report_of_the_folder(region: Path, book: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    agency_book = region / "某局.xlsm"
    shutil.copy(book, agency_book)
    b = read_workbook(agency_book)
    assert b.agency == "淮安市人民政府"
    before = digests(region)
    code, _, err = run(capsys, "consolidate", region, "--agency", "某区", "-o", agency_book, *DAY)
    assert code == 2 and "就是输入文件" in err and digests(region) == before


# ============================================================ 4 audit accounts for every file


@pytest.fixture
def mixed(tmp_path: Path, book: Path) -> Path:
    d = tmp_path / "收件"
    d.mkdir()
    shutil.move(book, d / "淮安.xlsm")
    write_json(d / "宿迁.json", doc("suqian-city-2023"))
    shutil.copy(PUBLISHED / "00_panzhihua-dongqu-kejiju-2025.txt", d / "攀枝花.txt")
    # damaged files of the kinds the tool reads (each said as what its name claims), and one it does not read
    for name, content in (("某局.docx", b"PK\x03\x04 not ours"), ("某局.pdf", b"%PDF-1.4 not ours"),
                          ("某局.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)), ("某局.et", b"not ours"),
                          ("某局.xlsb", b"not ours")):
        (d / name).write_bytes(content)
    (d / "空.json").write_bytes(b"")
    (d / "~$淮安.xlsm").write_bytes(b"lock")
    os.mkfifo(d / "管道.json")
    return d


def _files_sheet(path: Path) -> dict[str, dict[str, Any]]:
    ws = openpyxl.load_workbook(path)["报告清单"]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    head = rows[0]
    return {r[0]: dict(zip(head, r, strict=True)) for r in rows[1:]}


def test_audit_lists_every_file_with_its_reason(mixed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "audit", mixed, "--quiet", *DAY)
    assert code == 1, err
    files = _files_sheet(mixed / "审核结果.xlsx")
    assert set(files) == {p.name for p in mixed.iterdir()} - {"审核结果.xlsx"}
    assert {k for k, v in files.items() if v["状态"] == "已审核"} == {"淮安.xlsm", "宿迁.json", "攀枝花.txt"}
    assert files["某局.docx"]["说明"].startswith("不是可读取的 Word 文档（.docx）：文件已损坏")
    assert files["某局.pdf"]["说明"].startswith("不是可读取的 PDF 文件：文件已损坏")
    assert files["某局.xls"]["说明"].startswith("复合文档（OLE）结构已损坏")
    assert files["某局.et"]["说明"].startswith("不是可读取的 Excel 97-2003 工作簿：文件的内容是纯文本")
    xlsb = files["某局.xlsb"]["说明"]
    assert xlsb.startswith("不支持的文件类型 .xlsb（") and "另存为 .xlsm" in xlsb
    assert files["空.json"]["说明"] == "空文件（0 字节）" and "命名管道" in files["管道.json"]["说明"]
    assert files["~$淮安.xlsm"]["状态"] == "已跳过"
    unreadable = {k for k, v in files.items() if v["状态"] == "无法读取"}
    assert len(unreadable) == 7 and all(files[k]["通过"] == "否" for k in unreadable)
    assert "共 11 个文件：审核 3 份报告" in out and "7 个文件无法读取" in out and "跳过 1 个" in out
    # the second audit of the same folder reads its own result as what it is, not as a broken report
    code2, out2, _ = run(capsys, "audit", mixed, "--quiet", *DAY)
    assert code2 == code
    again = _files_sheet(mixed / "审核结果.xlsx")
    assert again["审核结果.xlsx"]["状态"] == "已跳过" and again["审核结果.xlsx"]["说明"] == "本工具写出的审核结果"
    assert "共 12 个文件：审核 3 份报告" in out2 and "7 个文件无法读取" in out2


def test_audit_of_an_empty_folder_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "空").mkdir()
    code, _, err = run(capsys, "audit", tmp_path / "空", *DAY)
    assert code == 2 and "文件夹是空的" in err
    (tmp_path / "空" / "~$x.xlsm").write_bytes(b"lock")
    code, _, err = run(capsys, "audit", tmp_path / "空", *DAY)
    assert code == 2 and "没有可审核的报告" in err


def test_audit_names_two_reports_of_one_agency_and_year(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "d"
    d.mkdir()
    write_json(d / "a.json", doc("huaian-city-2024"))
    write_json(d / "a-副本.json", doc("huaian-city-2024"))
    changed = doc("huaian-city-2024")
    changed["values"]["active"]["rules"]["issued"] += 1
    write_json(d / "a-改.json", changed)
    code, _, _ = run(capsys, "audit", d, "--quiet", "--csv", tmp_path / "f.csv", *DAY)
    assert code == 1
    import csv

    rows = list(csv.DictReader(io.StringIO((tmp_path / "f.csv").read_bytes().decode("utf-8-sig"))))
    twins = {(r["文件"], r["规则"], re.search(r"与“(.+?)”", r["问题"]).group(1)) for r in rows  # type: ignore[union-attr]
             if r["规则"] in ("F2", "F3")}
    assert twins == {("a.json", "F3", "a-副本.json"), ("a-副本.json", "F3", "a.json"),
                     ("a.json", "F2", "a-改.json"), ("a-改.json", "F2", "a.json"),
                     ("a-副本.json", "F2", "a-改.json"), ("a-改.json", "F2", "a-副本.json")}


def test_cross_year_pairing_is_chosen_by_a_stated_rule(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Two reports of the year before: the one with fewer 错误 is used whatever the names; the result says so."""
    this = doc("suqian-city-2023")
    this["metadata"]["year"] = 2024
    this["metadata"]["period_start"], this["metadata"]["period_end"] = "2024-01-01", "2024-12-31"
    for clean_name, broken_name in (("b.json", "a.json"), ("a.json", "b.json")):
        d = tmp_path / clean_name
        d.mkdir()
        write_json(d / "this.json", this)
        write_json(d / clean_name, doc("suqian-city-2023"))
        broken = doc("suqian-city-2023")
        broken["values"]["appeals"]["review"]["total"] = 10 ** 6
        write_json(d / broken_name, broken)
        result_path = tmp_path / f"{clean_name}.xlsx"
        assert run(capsys, "audit", d, "--quiet", "-o", result_path, *DAY)[0] == 1
        files = _files_sheet(result_path)
        assert files["this.json"]["上年报告"] == f"{clean_name}（上年共有 2 份，按错误最少、文件名在前选用）"
        ws = openpyxl.load_workbook(result_path)["问题清单"]
        x1 = [r[5].value for r in ws.iter_rows(min_row=2) if r[0].value == "this.json" and r[3].value == "X1"]
        assert x1 and all(f"（上年报告：{clean_name}）" in m for m in x1)


def test_audit_files_speak_chinese(mixed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "audit", mixed, "--quiet", "-o", mixed / "审核结果.xlsx", "--csv", mixed.parent / "问题.csv", *DAY)
    values = []
    for ws in openpyxl.load_workbook(mixed / "审核结果.xlsx").worksheets:
        values += [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    values += (mixed.parent / "问题.csv").read_bytes().decode("utf-8-sig").split(",")
    values += (mixed.parent / "问题_报告清单.csv").read_bytes().decode("utf-8-sig").split(",")
    internal = {"True", "False", "workbook", "payload", "published", "report-json", "gov-2021", "gov-2019"}
    assert not internal & set(values)
    keys = [v for v in values if re.fullmatch(r"[a-z_]+(\.[a-z_]+)+", v)]
    assert keys == []
    assert {"是", "否", "工作簿", "报告文档（JSON）", "已公布的报告", "2021年格式"} <= set(values)


# ============================================================ 7 Chinese wherever a person reads

ENGLISH = re.compile(r"\b(usage|error|argument|arguments|invalid|required|unrecognized|expected|choose|options|"
                     r"show this help|Traceback|Errno|Is a directory|No such file)\b", re.I)


@pytest.mark.parametrize("args", [[], ["check"], ["chek", "x"], ["new", "--year", "abc", "-o", "x.xlsm"],
                                  ["audit", "--jobs"], ["check", "a.json", "--format", "yaml"],
                                  ["check", "a.json", "--bogus"], ["new", "-o", "x.xlsm"],
                                  ["export", "a.json", "--today", "昨天"], ["fill", "a.xlsm", "-o"]])
def test_command_line_errors_are_chinese(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert err.startswith("命令有误：") and not ENGLISH.search(err), err


def test_help_is_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["-h"], ["check", "-h"], ["audit", "--help"], ["template", "-h"]):
        with pytest.raises(SystemExit) as done:
            main(args)
        assert done.value.code == 0
        text = capsys.readouterr().out
        assert text.startswith("用法：") and "选项：" in text and not ENGLISH.search(text), text


def test_schema_errors_are_chinese_and_said_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "p.json"
    assert run(capsys, "export", REPORTS / "huaian-city-2024.json", "-o", out, *DAY)[0] == 0
    d = json.loads(out.read_text("utf-8"))
    d["values"]["requests"]["new"]["natural_person"] = True
    write_json(out, d)
    code, _, err = run(capsys, "check", out)
    assert code == 2
    assert err.count("values.requests.new.natural_person") == 1
    assert "values.requests.new.natural_person 应为数字、文字、空值（null），实际为 true" in err
    assert not ENGLISH.search(err) and "is not of type" not in err


def test_os_errors_are_chinese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "目录.json").mkdir()
    code, _, err = run(capsys, "check", tmp_path / "目录.json")
    assert code == 2 and "这是一个文件夹，不是文件" in err and not ENGLISH.search(err)
    code, _, err = run(capsys, "audit", tmp_path / "没有这个文件夹")
    assert code == 2 and "不是文件夹，或文件夹不存在" in err


_PAUSE_AT_IMPORT = """
import sys, time
sys.path.insert(0, {src!r})
def hook(frame, event, arg):
    if event == "call" and frame.f_code.co_name == "<module>" and frame.f_code.co_filename.endswith("errors.py"):
        sys.setprofile(None)
        print("paused", flush=True)
        time.sleep(600)
sys.setprofile(hook)
from xl_gongkai.cli import entry
entry()
"""


def test_ctrl_c_while_starting_up_is_one_chinese_line() -> None:
    src = str(Path(__file__).resolve().parent.parent / "src")
    proc = subprocess.Popen([sys.executable, "-c", _PAUSE_AT_IMPORT.format(src=src), "schema"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    assert proc.stdout is not None and proc.stdout.readline() == "paused\n"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and err == "已中断。\n"


def test_ctrl_c_during_an_audit_is_one_chinese_line(tmp_path: Path) -> None:
    d = tmp_path / "many"
    d.mkdir()
    for i in range(400):
        write_json(d / f"{i:03}.json", doc("huaian-city-2024"))
    # its own process group, as a terminal's foreground job: Ctrl-C reaches the parent and every worker
    proc = subprocess.Popen([sys.executable, "-m", "xl_gongkai", "audit", str(d), "--jobs", "2", *DAY],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    assert proc.stderr is not None
    seen = b""
    while b"/400" not in seen:  # the progress bar has started: the workers are busy
        chunk = proc.stderr.read1(4096)  # type: ignore[attr-defined]
        assert chunk, seen
        seen += chunk
    time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGINT)
    _, rest = proc.communicate(timeout=120)
    err = (seen + rest).decode("utf-8")
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert err.rstrip().endswith("已中断，操作没有完成；已写出的文件保持完整，未写完的没有留下。")
    assert not (d / "审核结果.xlsx").exists()

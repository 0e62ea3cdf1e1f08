"""What an office's folder and its users throw at the tool: the hardening set's third part (``make fuzz``).

The probes of an office at work, each a family of cases for ``make fuzz`` (category in brackets): text with
control characters pasted from Word [control characters], JSON with half a surrogate pair [surrogates], file
names in GBK from a zip made on Chinese Windows [GBK names], empty files [empty files], and the folder itself
[office folders]: a full disk while the results are written, unreadable subfolders and links to folders, a
closed standard output, a tool-made 汇总 and files that are no report. Every case ends in findings (exit 0 or
1) or one Chinese refusal (exit 2) — never exit 3, never a traceback — and leaves the folder as it was.

Real parts throughout: a real small file system (a tmpfs in a private mount namespace, ``unshare -rm``; as
root without one, a tmpfs mounted for the test), real permissions (as root, in a user namespace where the
folder's owner is not privileged: ``unshare -U``), real closed file descriptors.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from conftest import TODAY
from support.cli_run import doc
from support.fuzzing import case, fuzz_settings
from xl_gongkai.cli import main
from xl_gongkai.controls import controls

DAY = ["--today", TODAY.isoformat()]
SETTINGS = fuzz_settings(0.2)
# the control characters a paste or a damaged file brings: C0 (but tab, line feed, carriage return), DEL, C1,
# the two non-characters XML refuses
CONTROLS = [chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0))] + [
    "\ufffe", "\uffff"]
# characters every GBK table has: names made of them encode in GBK
HANZI = "甲乙丙丁戊己庚辛市县区局委办公室政府财政农业教育卫生健康人力资源社会保障信息公开年度报告"


def cli(*args: Any) -> tuple[int, str, str]:
    """(exit code, standard output, standard error) of one command in this process."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


def clear(code: int, out: str, err: str) -> None:
    assert code in (0, 1, 2), (code, err[-2000:])
    assert "Traceback" not in err + out and "程序内部错误" not in err + out, err[-2000:]


def unit(agency: str) -> dict[str, Any]:
    d = doc("huaian-city-2024")
    d["metadata"]["agency"] = agency
    return d


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def fresh(tmp_path: Path, name: str) -> Path:
    d = tmp_path / name
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    return d


# ================================================================================ control characters


@pytest.mark.slow  # five commands a case: the fast loop has the soft line break (tests/test_office.py)
@SETTINGS
@given(data=st.data())
def test_control_characters_are_named_and_every_output_is_written(tmp_path_factory: pytest.TempPathFactory,
                                                                  data: st.DataObject) -> None:
    chars = data.draw(st.lists(st.sampled_from(CONTROLS), min_size=1, max_size=4), label="controls")
    where = data.draw(st.sampled_from(["overview", "problems", "agency", "preamble"]), label="where")
    tmp = tmp_path_factory.mktemp("controls")
    d = doc("panzhihua-dongqu-kejiju-2025")
    holder = d["metadata"] if where == "agency" else d["narrative"]
    text = holder.get(where, "本年度无。")
    at = data.draw(st.integers(0, len(text)), label="at")
    holder[where] = text[:at] + "".join(chars) + text[at:]
    with case("control characters", f"{[hex(ord(c)) for c in chars]} in {where}") as _:
        folder = fresh(tmp, "收件")
        (folder / "报告.json").write_text(json.dumps(d, ensure_ascii=False), "utf-8")
        code, out, err = cli("check", folder / "报告.json", *DAY)
        clear(code, out, err)
        assert "[提示] T1" in out and controls(holder[where])
        d["explanations"] = {f"T1:{'field' if where == 'agency' else 'section'}.{where}": "已核实"}
        (folder / "报告.json").write_text(json.dumps(d, ensure_ascii=False), "utf-8")
        code, out, err = cli("report", folder / "报告.json", "-o", tmp / "r.docx", "--html", tmp / "r.html", *DAY)
        clear(code, out, err)
        assert code == 0, err
        code, out, err = cli("export", folder / "报告.json", "-o", tmp / "p.json", "--summary", tmp / "s.md", *DAY)
        clear(code, out, err)
        # the payload keeps the text (JSON escapes it); as ever, a name's leading and trailing blanks are trimmed
        assert json.loads((tmp / "p.json").read_text("utf-8"))["metadata"]["agency"] == d["metadata"]["agency"].strip()
        code, out, err = cli("new", "--from", folder / "报告.json", "-o", tmp / "w.xlsm", *DAY)
        clear(code, out, err)
        assert code == 0, err
        code, out, err = cli("audit", folder, "-o", tmp / "审核.xlsx", "--csv", tmp / "问题.csv", "--quiet", *DAY)
        clear(code, out, err)
        assert (tmp / "审核.xlsx").exists() and (tmp / "问题.csv").exists()


# ================================================================================ surrogates


@SETTINGS
@given(data=st.data())
def test_half_a_surrogate_pair_is_one_refusal_naming_the_key(tmp_path_factory: pytest.TempPathFactory,
                                                             data: st.DataObject) -> None:
    code_point = data.draw(st.integers(0xD800, 0xDFFF), label="surrogate")
    where = data.draw(st.sampled_from(["metadata.agency", "metadata.region", "narrative.overview",
                                       "explanations.V5:active.fees.amount"]), label="where")
    tmp = tmp_path_factory.mktemp("surrogates")
    d = unit("甲局")
    group, key = where.split(".", 1)
    d.setdefault(group, {})[key] = f"前\\u{code_point:04x}后"
    raw = json.dumps(d, ensure_ascii=False).replace("\\\\u", "\\u")  # a real JSON escape of a lone surrogate
    with case("surrogates", f"U+{code_point:04X} in {where}"):
        folder = fresh(tmp, "收件")
        (folder / "坏.json").write_text(raw, "utf-8")
        (folder / "好.json").write_text(json.dumps(unit("乙局"), ensure_ascii=False), "utf-8")
        code, out, err = cli("check", folder / "坏.json", *DAY)
        clear(code, out, err)
        assert code == 2 and f"{where} 含有无法编码的字符（U+{code_point:04X}" in err
        code, out, err = cli("audit", folder, "--quiet", *DAY)
        clear(code, out, err)
        assert code == 1 and "1 个文件无法读取" in out


# ================================================================================ GBK names


@SETTINGS
@given(name=st.text(alphabet=HANZI, min_size=1, max_size=12),
       suffix=st.sampled_from([".json", ".xlsm", ".txt", ".docx"]))
def test_a_gbk_file_name_is_listed_with_how_to_fix_it(tmp_path_factory: pytest.TempPathFactory, name: str,
                                                      suffix: str) -> None:
    encoded = (name + suffix).encode("gbk")
    # a few short names happen to be valid UTF-8 in their GBK bytes (业: D2 B5 reads as U+04B5): then the name
    # is a readable, if wrong, name, and nothing marks it as GBK — not this case
    assume(_not_utf8(encoded))
    tmp = tmp_path_factory.mktemp("gbk")
    with case("GBK names", f"{name}{suffix}"):
        folder = fresh(tmp, "收件")
        (folder / "乙局.json").write_text(json.dumps(unit("乙局"), ensure_ascii=False), "utf-8")
        raw = os.path.join(os.fsencode(folder), encoded)  # as unzip leaves it on Linux
        with open(raw, "wb") as fh:
            fh.write(json.dumps(unit(name), ensure_ascii=False).encode() if suffix == ".json" else b"not ours")
        code, out, err = cli("audit", folder, "-o", tmp / "审核.xlsx", "--csv", tmp / "问题.csv", "--quiet", *DAY)
        clear(code, out, err)
        rows = list(openpyxl.load_workbook(tmp / "审核.xlsx")["报告清单"].iter_rows(values_only=True))
        odd = [r for r in rows if r[0] and "\ufffd" in r[0]]
        assert len(odd) == 1 and "unzip -O GBK" in odd[0][-1] and f"按 GBK 读作“{name}{suffix}”" in odd[0][-1]
        if suffix == ".json":
            assert odd[0][1] == "已审核" and odd[0][4] == name  # read, not lost
        code, out, err = cli("consolidate", folder, "--agency", "某区", "-o", tmp / "汇总.xlsm", *DAY)
        clear(code, out, err)
        assert code == 0, err


def _not_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


# ================================================================================ empty files


@pytest.mark.parametrize("suffix", [".json", ".txt", ".htm", ".html", ".xlsm", ".xlsx"])
def test_an_empty_file_is_no_workbook_and_no_payload(tmp_path: Path, suffix: str) -> None:
    with case("empty files", f"an empty {suffix} through check, import, new --from and audit"):
        empty = tmp_path / f"空{suffix}"
        empty.write_bytes(b"")
        for args in (["check", empty], ["new", "--from", empty, "-o", tmp_path / "w.xlsm"],
                     *([["import", empty, "-o", tmp_path / "p.json"]] if suffix in (".txt", ".htm", ".html") else [])):
            code, out, err = cli(*args, *DAY)
            clear(code, out, err)
            assert code == 2 and "空文件" in err, (args, err)
        assert not (tmp_path / "w.xlsm").exists() and not (tmp_path / "p.json").exists()
        code, out, err = cli("audit", tmp_path, "-o", tmp_path / "审核.xlsx", "--quiet", *DAY)
        clear(code, out, err)
        assert code == 1 and "1 个文件无法读取" in out


# ================================================================================ office folders


def _small_fs(tmp_path: Path, script: str, *, size: str) -> subprocess.CompletedProcess[str]:
    """Run a shell ``script`` with a ``size`` tmpfs mounted on ``tmp_path/fs`` ($FS), where the machine allows:
    in a private mount namespace (``unshare -rm``), or as root on the test's own mount point."""
    fs = tmp_path / "fs"
    fs.mkdir(exist_ok=True)
    env = {**os.environ, "FS": str(fs), "PY": sys.executable, "TMPDIR": str(fresh(tmp_path, "tmp"))}
    mount = f"mount -t tmpfs -o size={size} tmpfs \"$FS\""
    if subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode == 0:
        return subprocess.run(["unshare", "-rm", "sh", "-c", f"{mount} && {script}"], capture_output=True,
                              text=True, encoding="utf-8", errors="replace", timeout=300, env=env)
    if os.geteuid() != 0:
        pytest.skip("a small file system needs a mount namespace (unshare -rm) or root, and this machine has neither")
    try:
        return subprocess.run(["sh", "-c", f"{mount} && {script}"], capture_output=True, text=True, encoding="utf-8",
                              errors="replace", timeout=300, env=env)
    finally:
        subprocess.run(["umount", str(fs)], capture_output=True)


def _sections(stdout: str) -> dict[str, str]:
    out, name = {}, ""
    for line in stdout.splitlines(keepends=True):
        if line.startswith("@@"):
            name = line.strip("@\n")
            out[name] = ""
        elif name:
            out[name] += line
    return out


def test_a_full_disk_while_the_results_are_written(tmp_path: Path) -> None:
    with case("office folders", "a full disk while audit and consolidate write into the folder"):
        src = fresh(tmp_path, "src")
        for name in ("甲局", "乙局", "丙局"):
            (src / f"{name}.json").write_text(json.dumps(unit(name), ensure_ascii=False), "utf-8")
        script = """
        cp -r "$SRC" "$FS/收件" && (dd if=/dev/zero of="$FS/.filler" bs=4096 2>/dev/null; true)
        echo @@before; ls -A "$FS/收件"
        echo @@audit; "$PY" -m xl_gongkai audit "$FS/收件" --quiet --today "$DAY" 2>&1; echo "rc=$?"
        echo @@consolidate; "$PY" -m xl_gongkai consolidate "$FS/收件" --agency 某区 -o "$FS/收件/汇总.xlsm" \
            --today "$DAY" 2>&1; echo "rc=$?"
        echo @@after; ls -A "$FS/收件"
        echo @@tmp; ls -A "$TMPDIR"
        rm "$FS/.filler"
        echo @@again; "$PY" -m xl_gongkai audit "$FS/收件" --quiet --today "$DAY" 2>&1; echo "rc=$?"
        """
        os.environ["SRC"], os.environ["DAY"] = str(src), TODAY.isoformat()
        try:
            r = _small_fs(tmp_path, script, size="512k")
        finally:
            del os.environ["SRC"], os.environ["DAY"]
        part = _sections(r.stdout)
        assert r.returncode == 0, r.stderr
        for step in ("audit", "consolidate"):
            text = part[step]
            assert "rc=2" in text and "磁盘空间已满" in text, text
            assert "Traceback" not in text and "Exception ignored" not in text and "程序内部错误" not in text, text
        assert part["after"] == part["before"]  # nothing left in the folder: no tmpXXXXXXXX, no hidden copy
        assert part["tmp"] == ""  # the private working folder is gone too
        assert "rc=0" in part["again"] and "共 3 个文件：审核 3 份报告" in part["again"], part["again"]


def _in_user_namespace_if_root(args: list[str]) -> list[str]:
    """As root, run in a user namespace without a mapping: the files' owner (root) is not privileged there, so
    a folder's permissions bind as they bind an ordinary user."""
    return ["unshare", "-U", *args] if os.geteuid() == 0 else args


def test_unreadable_subfolders_and_links_to_folders_are_listed(tmp_path: Path) -> None:
    with case("office folders", "an unreadable subfolder and a link to a folder in the submissions"):
        folder = fresh(tmp_path, "收件")
        (folder / "甲局.json").write_text(json.dumps(unit("甲局"), ensure_ascii=False), "utf-8")
        (folder / "私").mkdir()
        (folder / "私" / "乙局.json").write_text(json.dumps(unit("乙局"), ensure_ascii=False), "utf-8")
        elsewhere = fresh(tmp_path, "别处")
        (elsewhere / "丙局.json").write_text(json.dumps(unit("丙局"), ensure_ascii=False), "utf-8")
        (folder / "链接").symlink_to(elsewhere, target_is_directory=True)
        (folder / "私").chmod(0)
        try:
            r = subprocess.run(_in_user_namespace_if_root(
                [sys.executable, "-m", "xl_gongkai", "audit", str(folder), "-o", str(tmp_path / "审核.xlsx"),
                 "--quiet", *DAY]), capture_output=True, text=True, encoding="utf-8", timeout=120,
                env={**os.environ, "XL_GONGKAI_LOG_DIR": str(tmp_path)})
        finally:
            (folder / "私").chmod(0o755)
        assert r.returncode == 1, r.stderr
        assert "Traceback" not in r.stderr
        sheet = openpyxl.load_workbook(tmp_path / "审核.xlsx")["报告清单"]
        rows = {row[0]: row for row in sheet.iter_rows(values_only=True)}
        assert rows["私"][1] == "无法读取" and "没有读取权限" in rows["私"][-1]
        assert rows["链接"][1] == "无法读取" and "指向文件夹的链接" in rows["链接"][-1]
        assert rows["甲局.json"][1] == "已审核" and "链接/丙局.json" not in rows  # never followed


@pytest.mark.parametrize("closed", ["stdout", "stdout and stderr"])
def test_a_closed_standard_output_is_no_defect(tmp_path: Path, closed: str) -> None:
    with case("office folders", f"closed {closed} (>&-, pythonw)"):
        good = tmp_path / "好.json"
        good.write_text(json.dumps(unit("甲局"), ensure_ascii=False), "utf-8")
        bad = unit("乙局")
        bad["values"]["appeals"]["review"]["total"] = 1
        (tmp_path / "坏.json").write_text(json.dumps(bad, ensure_ascii=False), "utf-8")
        fds = (1,) if closed == "stdout" else (1, 2)

        def close() -> None:
            for fd in fds:
                os.close(fd)

        env = {**os.environ, "XL_GONGKAI_LOG_DIR": str(tmp_path)}
        for path, expected in ((good, 0), (tmp_path / "坏.json", 1)):
            r = subprocess.run([sys.executable, "-m", "xl_gongkai", "check", str(path), *DAY], preexec_fn=close,
                               timeout=120, env=env)
            assert r.returncode == expected
        r = subprocess.run([sys.executable, "-m", "xl_gongkai", "export", str(good), "-o", str(tmp_path / "p.json"),
                            *DAY], preexec_fn=close, timeout=120, env=env)
        assert r.returncode == 0 and (tmp_path / "p.json").exists()  # the file is what a script wanted
        assert not (tmp_path / "xl_gongkai.log").exists()  # nothing went wrong enough to log

"""Renders the pictures in docs/ with LibreOffice (dev tool; needs the Debian packages of .ci/apt-packages.txt).

- 表三 of the empty template, as LibreOffice lays it out for printing;
- the 校验结果 and 摘要 sheets after a check click, run through xlwings' remote engine on a copy of the
  淮安 2024 workbook with three planted problems (text in a number cell, a broken 勾稽关系, and a fee that
  looks typed in 元);
- the 概览 sheet of an audit's results workbook (a folder of the test data's reports, one with planted errors,
  one unsupported file), with its charts;
- the 依申请台账 sheet of a workbook made with ``new --ledger`` from a small register, and its 表三 after the
  填充合计 click.
Run: ``make docs-images``.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"  # the remote engine, for this dev script only

from support.libreoffice import render_sheet_png  # noqa: E402
from support.remote_book import apply_actions, open_book  # noqa: E402
from xl_gongkai import excel  # noqa: E402
from xl_gongkai.adapters.jsonfile import read_report  # noqa: E402
from xl_gongkai.adapters.xlsx_cells import set_cells  # noqa: E402
from xl_gongkai.commands.workbook import new_workbook  # noqa: E402
from xl_gongkai.spec import load_form  # noqa: E402

IMG = ROOT / "docs" / "img"


def audit_results(tmp: Path) -> Path:
    """An audit of a small folder: the three typed-in reports, two agencies with planted errors, a .docx."""
    import json
    import shutil

    from xl_gongkai.commands.audit import planned_outputs, run_audit
    from xl_gongkai.fileio import write_all

    folder = tmp / "收件"
    folder.mkdir()
    reports = ROOT / "tests" / "data" / "reports"
    for name in ("huaian-city-2024", "suqian-city-2023", "panzhihua-dongqu-kejiju-2025"):
        shutil.copy(reports / f"{name}.json", folder / f"{name}.json")
    for i, (cell, value) in enumerate([("natural_person", 3000), ("research", "不详")]):
        doc = json.loads((reports / "huaian-city-2024.json").read_text("utf-8"))
        doc["metadata"]["agency"] = f"淮安市某局{i + 1}"
        doc["values"]["requests"]["new"][cell] = value
        (folder / f"某局{i + 1}.json").write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    (folder / "某局3.docx").write_bytes(b"a Word file")
    out = tmp / "审核结果.xlsx"
    with run_audit(folder, jobs=1) as result:
        write_all(planned_outputs(result, out, None))
    return out


# A small register of the year 2025 as an office exports it: a case carried in from 2024, answered the same day,
# still open at the year's end, and one received in January 2026 (not counted); an outcome in a short form the
# register reads too, written in its official form.
LEDGER_CSV = """编号,收到日期,申请人类别,办结日期,办理结果,备注
2024-118,2024-12-23,自然人,2025-01-15,（一）予以公开,
2025-001,2025-01-06,自然人,2025-01-06,（四）无法提供 1.本机关不掌握相关政府信息,当场答复
2025-002,2025-02-10,商业企业,2025-03-04,（二）部分公开（区分处理的，只计这一情形，不计其他情形）,
2025-003,2025-03-17,自然人,2025-04-08,（三）不予公开 4.保护第三方合法权益,
2025-004,2025-04-02,法律服务机构,2025-04-21,（一）予以公开,
2025-005,2025-05-12,自然人,2025-06-13,（六）其他处理 1.逾期不补正,已告知补正
2025-006,2025-07-01,科研机构,2025-07-18,（一）予以公开,
2025-007,2025-09-08,自然人,2025-09-30,（五）不予处理 2.重复申请,
2025-008,2025-11-24,社会公益组织,2025-12-12,（四）无法提供 2.没有现成信息需要另行制作,
2025-009,2025-12-22,自然人,,,尚在办理
2026-001,2026-01-05,其他,,,
"""


def ledger_pictures(tmp: Path) -> None:
    """The register sheet of a workbook made with new --ledger, and its 表三 once 填充合计 has counted it."""
    from xl_gongkai.commands.ledger import load_ledger, register_edits
    from xl_gongkai.core.report import Report

    form = load_form()
    spec = form.workbook.ledger
    assert spec is not None
    register = tmp / "台账.csv"
    register.write_text(LEDGER_CSV, "utf-8")
    ledger = load_ledger(register, form)
    report = read_report(ROOT / "tests" / "data" / "reports" / "panzhihua-dongqu-kejiju-2025.json").report
    empty = Report.empty(form, **report.metadata).with_values(
        {k: v for k, v in report.values.items() if k.table != spec.table})
    path = new_workbook(tmp / "ledger.xlsm", source=empty)  # 表三 blank: the click counts it from the register
    path.write_bytes(set_cells(path.read_bytes(), register_edits(form, ledger)))
    book = open_book(path)
    excel.run(book, "fill", out_dir=tmp)
    apply_actions(path, book)
    render_sheet_png(path, spec.sheet, IMG / "ledger-依申请台账.png", dpi=90)
    render_sheet_png(path, form.table(spec.table).sheet, IMG / "ledger-表三.png", dpi=90)


def main() -> None:
    form = load_form()
    tpl = form.template
    IMG.mkdir(parents=True, exist_ok=True)
    template = ROOT / "src" / "xl_gongkai" / "templates" / "gov-2021.xlsm"  # the built template the package ships
    render_sheet_png(template, "表三 依申请公开", IMG / "template-表三.png", dpi=90)
    with tempfile.TemporaryDirectory() as tmp:
        report = read_report(ROOT / "tests" / "data" / "reports" / "huaian-city-2024.json").report
        path = new_workbook(Path(tmp) / "huaian.xlsm", source=report)
        path.write_bytes(set_cells(path.read_bytes(), {
            "表三 依申请公开": {"E5": "五十三", "D29": 104},
            "表二 主动公开": {"B15": 961716000},
        }))
        book = open_book(path)
        excel.run(book, "check", out_dir=Path(tmp))
        apply_actions(path, book)
        render_sheet_png(path, tpl.results_sheet, IMG / "check-校验结果.png", dpi=90)
        render_sheet_png(path, "表三 依申请公开", IMG / "check-表三.png", dpi=90)
        clean = new_workbook(Path(tmp) / "clean.xlsm", source=report)
        book = open_book(clean)
        excel.run(book, "check", out_dir=Path(tmp))
        apply_actions(clean, book)
        render_sheet_png(clean, tpl.summary_sheet, IMG / "check-摘要.png", dpi=90)
        render_sheet_png(audit_results(Path(tmp)), "概览", IMG / "audit-概览.png", dpi=90)
        ledger_pictures(Path(tmp))
    for p in sorted(IMG.glob("*.png")):
        print(p.relative_to(ROOT))


if __name__ == "__main__":
    main()

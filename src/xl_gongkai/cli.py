"""The ``xl-gongkai`` command line. Messages are Chinese; exit codes: 0 clean, 1 any 错误 (or a refused export),
2 the user's situation (input that cannot be read, an output that cannot or must not be written, a wrong
command line, a closed pipe), 3 a defect of the tool itself, 130 interrupted.

Every command resolves its outputs first: each output's name must say what it holds (``formats``), no output
may be an input or another output (``fileio.guard_outputs``), and outputs of one command are written all or
nothing (``fileio.write_all``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys


def _interrupted_at_start(_signum: int, _frame: object) -> None:
    """Ctrl-C while the command is still being loaded: nothing is being written yet, so end at once."""
    os.write(2, "已中断。\n".encode())
    os._exit(130)


# until main() takes over (only the main thread may set a handler; a library import elsewhere may not)
with contextlib.suppress(ValueError):
    signal.signal(signal.SIGINT, _interrupted_at_start)

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import TYPE_CHECKING  # noqa: E402

from . import __version__  # noqa: E402
from .argparse_zh import ChineseParser, chinese, integer  # noqa: E402
from .errors import InputError, Refused, UsageError, os_error_text  # noqa: E402


def iso_date(text: str) -> dt.date:
    """``type=`` for --today (YYYY-MM-DD); argparse names the type by ``__name__`` in its error."""
    return dt.date.fromisoformat(text)


iso_date.__name__ = "日期（YYYY-MM-DD）"


def say(text: str) -> None:
    print(text, flush=True)


# what to do with a workbook the tool reads but cannot rewrite
if TYPE_CHECKING:
    from .commands.load import Source

_RESAVE = {"xls": "这是 Excel 97-2003 工作簿（.xls），可以校验，不能写入；请在 Excel 或 WPS 中另存为 .xlsm 后再试。",
           "ods": "这是 OpenDocument 电子表格，可以校验，不能写入；请在 LibreOffice 或 WPS 中另存为 .xlsx 后再试。"}
_OWN_LAYOUT = ("这是按自己的版式做的 Excel 表格，不是本工具的模板：可以导入、校验，不能写入；要得到可以填写的模板，"
               "请用“xl-gongkai import 该文件 -o 新文件.xlsm”把它导入一份新模板。")


def _not_writable(src: Source) -> str:
    """What to do with a file that is read but cannot be written: resave it, or import it into a template."""
    if src.kind == "published" and src.format in ("xlsx", "xls"):
        return _OWN_LAYOUT
    return _RESAVE.get(src.format, "")


def cmd_check(args: argparse.Namespace) -> int:
    from .commands.check import run_check
    from .commands.load import open_source
    from .core.packs import load_packs
    from .fileio import commit
    from .render import json_report, text_report

    src = open_source(args.path)
    if args.write and not src.is_file_workbook:
        raise UsageError("--write 只用于工作簿（.xlsm/.xlsx）：把校验结果、摘要和标记写进该工作簿。"
                         + _not_writable(src))
    previous = open_source(args.previous).report if args.previous else None
    packs = load_packs(args.pack or ())
    done = run_check(src, previous=previous, today=args.today, write=args.write, packs=packs,
                     published=args.published)
    if args.format == "json":
        say(json_report(str(src.path), src.report, done.shown, src.notes))
    else:
        say(text_report(src.report, done.shown, src.notes, cells=src.kind != "published"))
    for path in commit(done.outputs):  # --write: the workbook itself, the second deliberate in-place write
        say(f"已写入校验结果、摘要和标记：{path}")
    return done.exit_code


def cmd_import(args: argparse.Namespace) -> int:
    """Import a published report, list the import findings then the check findings, optionally write it out."""
    from .commands.importing import run_import
    from .fileio import commit, guard_outputs
    from .render import json_report, raise_if_refused, text_report

    if args.output:
        guard_outputs([args.output], [args.path])
    done = run_import(args.path, out=args.output, today=args.today)
    report, shown = done.checked.report, done.checked.shown
    if args.format != "json":
        # before writing: a refused output still shows the findings; places are the report's, not template cells
        say(text_report(report, shown, done.notes, cells=False))
    raise_if_refused(done)
    commit(done.outputs, [args.path])
    if args.format == "json":
        say(json_report(str(args.path), report, shown, [*done.notes, *done.written]))
    else:
        for line in done.written:
            say(line)
    return done.checked.exit_code


def cmd_verify(args: argparse.Namespace) -> int:
    """Verify a generated report against the data it carries: the findings, then the verdict."""
    from .commands.verify import run_verify
    from .render import json_report, text_report

    done = run_verify(args.path, today=args.today)
    src, shown = done.checked.source, done.checked.shown
    if args.format == "json":
        say(json_report(str(args.path), src.report, shown, [*src.notes, done.verdict]))
    else:
        say(text_report(src.report, shown, src.notes, cells=False))
        say(done.verdict)
    return done.exit_code


def cmd_summary(args: argparse.Namespace) -> int:
    import json

    from .commands.export import summary_title
    from .commands.load import open_source
    from .core.summary import summarize

    src = open_source(args.path)
    summary = summarize(src.report)
    if args.format == "json":
        say(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
    elif args.format == "markdown":
        say(summary.markdown(summary_title(src.report)))
    else:
        say(summary.text())
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from .adapters.formats import PAYLOAD_OUT, SUMMARY_OUT
    from .commands.export import default_paths, run_export
    from .commands.load import open_source
    from .fileio import commit, guard_outputs
    from .render import draft_note, raise_if_refused

    if args.output:
        PAYLOAD_OUT.check(args.output)
    if args.summary:
        SUMMARY_OUT.check(args.summary)
    src = open_source(args.path)
    out, summary = default_paths(src.report, src.path.parent if src.path else Path.cwd())
    out = Path(args.output) if args.output else out
    summary_path = Path(args.summary) if args.summary is not None else (None if args.output else summary)
    inputs = [args.path, *([args.previous] if args.previous else [])]
    guard_outputs([out, *([summary_path] if summary_path else [])], inputs)
    previous = open_source(args.previous).report if args.previous else None
    done = run_export(src, out=out, summary_path=summary_path, draft=args.draft, today=args.today,
                      previous=previous)
    raise_if_refused(done)
    commit(done.outputs, inputs)
    say(f"已导出：{out}" + (f"；摘要：{summary_path}" if summary_path else ""))
    if not done.checked.validation.ready:
        say(draft_note(done.checked.validation.counts()))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .adapters.formats import HTML_OUT, WORD_OUT
    from .commands.load import open_source
    from .commands.report import run_report
    from .fileio import commit, guard_outputs
    from .publish import default_report_paths, review_notice
    from .render import raise_if_refused

    if args.output:
        WORD_OUT.check(args.output)
    if args.html:
        HTML_OUT.check(args.html)
    src = open_source(args.path)
    folder = src.path.parent if src.path else Path.cwd()
    docx_path = Path(args.output) if args.output else default_report_paths(src.report, folder)[0]
    html = Path(args.html or docx_path.with_suffix(".html")) if args.html is not None else None
    inputs = [args.path, *([args.previous] if args.previous else [])]
    guard_outputs([docx_path, *([html] if html else [])], inputs)
    previous = open_source(args.previous).report if args.previous else None
    done = run_report(src, docx=docx_path, html=html, today=args.today, previous=previous)
    raise_if_refused(done)
    assert done.rendered is not None
    commit(done.outputs, inputs)
    say(f"已生成年度报告：{docx_path}" + (f"；网页版：{html}" if html else ""))
    if notice := review_notice(done.rendered):
        say(notice)
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from .adapters.formats import TEMPLATE_OUT
    from .build.template import build_template
    from .fileio import write_bytes_atomic

    out = write_bytes_atomic(TEMPLATE_OUT.check(args.output), build_template())
    say(f"已生成模板：{out}")
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from .adapters.formats import WORKBOOK_OUT
    from .commands.new import run_new
    from .fileio import commit, guard_outputs
    from .render import new_workbook_line

    out = WORKBOOK_OUT.check(args.output)
    if args.previous and args.ledger:
        raise UsageError("--ledger 不能与 --previous 一起使用：新一年度的台账由上年台账中未办结的申请转入；"
                         "之后可用 fill 新文件 --ledger 台账文件 换成本单位自己的台账。")
    if args.narrative and not args.previous:
        raise UsageError("--narrative 只能与 --previous 一起使用。")
    if not (args.previous or args.source or (args.agency and args.year)):
        raise UsageError("请用 --agency 和 --year 指定机关名称和报告年度，或用 --from 指定数据包。")
    inputs = [p for p in (args.previous, args.source, args.ledger) if p]
    guard_outputs([out], inputs)  # before any input is read
    made = run_new(out, agency=args.agency, year=args.year, source=None if args.previous else args.source,
                   previous=args.previous, narrative=args.narrative, ledger=args.ledger, today=args.today)
    (path,) = commit([made.output], inputs)
    say(new_workbook_line(path, made))
    return 0


def cmd_fill(args: argparse.Namespace) -> int:
    from .adapters.formats import WORKBOOK_OUT
    from .commands.fill import run_fill
    from .commands.load import open_source
    from .fileio import commit, guard_outputs
    from .render import text_report

    out = WORKBOOK_OUT.check(args.output) if args.output else None
    # in place without -o: the one deliberate exception to "no output replaces an input" (never the register file,
    # nor last year's report)
    inputs = [*([args.path] if out is not None else []), *([args.ledger] if args.ledger else []),
              *([args.previous] if args.previous else [])]
    guard_outputs([out or Path(args.path)], inputs)
    src = open_source(args.path)
    if not src.is_file_workbook:
        raise UsageError("fill 只用于工作簿（.xlsm/.xlsx）。" + _not_writable(src))
    ledger = None
    if args.ledger:
        from .commands.ledger import load_ledger

        ledger = load_ledger(args.ledger, src.report.form, today=args.today)
    previous = open_source(args.previous).report if args.previous else None
    done = run_fill(src, out=out, write=args.write, today=args.today, ledger=ledger, previous=previous)
    (target,) = commit(done.outputs, inputs)
    say(f"已填充合计：{target}" + ("（并写入了校验结果、摘要和标记）" if args.write else ""))
    if done.ledger_note:
        say(done.ledger_note)
    say(text_report(done.checked.report, done.checked.shown))
    return done.checked.exit_code


def cmd_audit(args: argparse.Namespace) -> int:
    from .adapters.formats import AUDIT_OUT, CSV_OUT
    from .commands.audit import FILES_SHEET, audit_targets, planned_outputs, progress_bar, run_audit
    from .commands.roster import read_roster
    from .core.packs import load_packs
    from .fileio import write_all

    folder = Path(args.folder)
    if (args.year or args.deadline) and not args.roster:
        raise UsageError("--year 和 --deadline 用于报送情况，请与 --roster 一起使用。")
    xlsx, csv = audit_targets(folder, AUDIT_OUT.check(args.output) if args.output else None,
                              CSV_OUT.check(args.csv) if args.csv else None, roster=args.roster)
    roster = read_roster(args.roster, files_sheet=FILES_SHEET) if args.roster else None
    packs = load_packs(args.pack or ())
    with run_audit(folder, jobs=args.jobs, today=args.today, progress=None if args.quiet else progress_bar,
                   roster=roster, year=args.year, deadline=args.deadline, packs=packs) as result:
        for path in write_all(planned_outputs(result, xlsx, csv)):
            say(f"已写出：{path}")
        say(result.totals_line())
        if result.roster is not None:
            say(result.roster.line())
        return result.exit_code


def cmd_consolidate(args: argparse.Namespace) -> int:
    from .adapters.formats import WORKBOOK_OUT
    from .commands.consolidate import INCLUDE_FLAG, consolidate, reconcile
    from .commands.load import open_source
    from .fileio import guard_outputs, write_bytes_atomic
    from .render import pending_line, text_report

    if args.output is None and args.check_against is None:
        raise UsageError("请用 -o 指定汇总报告的输出文件（或用 --check-against 只核对公布的报告）。")
    out = WORKBOOK_OUT.check(args.output) if args.output is not None else None
    published = open_source(args.check_against) if args.check_against else None
    result = consolidate(args.folder, agency=args.agency, out=out, year=args.year, today=args.today,
                         include_summaries=args.include_summaries)
    if out is not None:
        guard_outputs([out], [*result.inputs, *([args.check_against] if args.check_against else [])])
        write_bytes_atomic(out, result.output)
    left_out = result.left_out()
    done = f"已汇总 {result.included} 份报告" + (f"到：{out}" if out is not None else "（未写出汇总文件）")
    say(done + (f"；未汇总 {len(left_out)} 个文件：" if left_out else "。"))
    for row in left_out:
        say(f"  {row['file']}：{row['reason']}")
    if result.other_summaries:
        say(f"其他地区的汇总报告 {len(result.other_summaries)} 份没有计入；"
            f"市汇总各县（区）的汇总时，请加 {INCLUDE_FLAG}。")
    say(text_report(result.report, result.validation))
    if line := pending_line(result.validation):
        say(line)
    code = result.validation.exit_code
    if published is not None:
        check = reconcile(published.report, result.report, result.parts)
        for line in check.lines(str(args.check_against)):
            say(line)
        code = max(code, 1 if check.gaps else 0)
    return code


def cmd_excel(args: argparse.Namespace) -> int:
    """``excel install`` / ``excel doctor``: rendering only; the work is in ``excel_setup``."""
    from . import excel_setup

    if args.excel_command == "install":
        done = excel_setup.install()
        say(f"已配置：Excel 的按钮将使用 {done.interpreter}（写入 {done.config} 的 {done.key}）。")
        if done.previous:
            say(f"原来的设置是 {done.previous}，已替换；如需恢复，可再在那个环境中运行 xl-gongkai excel install。")
        if sys.platform not in ("win32", "darwin"):
            say("注意：本机不是 Windows，这里没有 Excel；配置文件已写出，只供检查。")
        say("检查结果：")
    diagnosis = excel_setup.doctor()
    for line in diagnosis.lines():
        say("  " + line)
    say(diagnosis.verdict)
    return 1 if diagnosis.problems else 0


def cmd_schema(_args: argparse.Namespace) -> int:
    from importlib import resources

    sys.stdout.write(resources.files("xl_gongkai.spec").joinpath("payload.schema.json").read_text("utf-8"))
    sys.stdout.flush()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseParser(
        prog="xl-gongkai",
        description="政府信息公开工作年度报告：校验、合计、导出与摘要（国办公开办函〔2021〕30号格式）。",
    )
    parser.add_argument("--version", action="version", version=f"xl_gongkai {__version__}", help="显示版本号并退出")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令", title="命令",
                                help="下列命令之一；“xl-gongkai 命令 -h”显示该命令的用法")

    p = sub.add_parser("check", help="校验一份报告（工作簿、JSON 数据包或已公布的报告），列出全部错误和提示")
    p.add_argument("path", metavar="文件", help="工作簿（.xlsm/.xlsx/.xls）、JSON 数据包，或已公布的报告"
                                            "（文本、网页、PDF、Word）；按内容识别，不看扩展名")
    p.add_argument("--format", metavar="格式", choices=["text", "json"], default="text",
                   help="输出格式：text 或 json（默认 text）")
    p.add_argument("--previous", metavar="上年报告",
                   help="上一年度的报告（工作簿、数据包或已公布的报告），用于跨年度校验")
    p.add_argument("--write", action="store_true",
                   help="把校验结果、摘要和标记写进这个工作簿（与 Excel 的“校验”按钮相同；只改这三处）")
    p.add_argument("--pack", metavar="规则包", action="append",
                   help="同时按本地规则包校验：随本工具提供的规则包名称，或规则包 JSON 文件"
                        "（可给多个；见 docs/rules.md）")
    p.add_argument("--published", metavar="公布日期", type=iso_date,
                   help="报告的公布日期（YYYY-MM-DD），用于按期公布的校验；网页的“发布日期”会自动读取")
    p.add_argument("--today", type=iso_date, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("import", help="导入已公布的年度报告（文本、网页、PDF、Word），列出导入和校验结果")
    p.add_argument("path", metavar="文件", help="已公布的报告：文本（UTF-8 或 GB18030）、网页、PDF、Word"
                                            "（.docx；.doc 和 .wps 需要 LibreOffice）；按内容识别，不看扩展名")
    p.add_argument("-o", "--output", metavar="输出文件", help="写出数据包（.json，有错误时标记为草稿）或填好的工作簿"
                                          "（.xlsm 带按钮，.xlsx 不带宏；仅限有工作簿模板的格式）")
    p.add_argument("--format", metavar="格式", choices=["text", "json"], default="text",
                   help="输出格式：text 或 json（默认 text）")
    p.add_argument("--today", type=iso_date, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("verify", help="核对本工具生成的年报（网页版或 Word）：表格中的数字与报告内嵌的数据是否一致，"
                                      "内嵌的数据是否完好、能否通过校验")
    p.add_argument("path", metavar="文件", help="xl-gongkai report 生成的年报：网页版（.html）或 Word（.docx）；"
                                            "按内容识别，不看扩展名")
    p.add_argument("--format", metavar="格式", choices=["text", "json"], default="text",
                   help="输出格式：text 或 json（默认 text）")
    p.add_argument("--today", type=iso_date, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("summary", help="根据表格数字生成中文摘要")
    p.add_argument("path", metavar="文件", help=".xlsm/.xlsx 工作簿或 JSON 数据包")
    p.add_argument("--format", metavar="格式", choices=["text", "markdown", "json"], default="text",
                   help="输出格式：text、markdown 或 json（默认 text）")
    p.set_defaults(func=cmd_summary)

    p = sub.add_parser("export", help="校验通过后导出 JSON 数据包和摘要")
    p.add_argument("path", metavar="文件", help=".xlsm/.xlsx 工作簿或 JSON 数据包")
    p.add_argument("-o", "--output", metavar="输出文件",
                   help="数据包输出路径，.json（默认：源文件旁 <机关>_<年度>年_年报数据.json）")
    p.add_argument("--summary", metavar="摘要文件", help="摘要输出路径，.md")
    p.add_argument("--draft", action="store_true", help="有错误或未说明的提示时仍导出，并标记为草稿")
    p.add_argument("--previous", metavar="上年报告",
                   help="上一年度的报告，用于跨年度校验（工作簿记住的上年报告不必再给）")
    p.add_argument("--today", type=iso_date, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("report", help="校验通过后生成年度报告正文（Word，可另出网页版 HTML）")
    p.add_argument("path", metavar="文件", help=".xlsm/.xlsx 工作簿或 JSON 数据包")
    p.add_argument("-o", "--output", metavar="输出文件",
                   help="Word 输出路径，.docx（默认：源文件旁 <机关>_<年度>年_政府信息公开工作年度报告.docx）")
    p.add_argument("--html", nargs="?", const="", default=None, metavar="网页文件",
                   help="同时生成网页版 HTML；不写路径时与 Word 文件同名、同文件夹")
    p.add_argument("--previous", metavar="上年报告",
                   help="上一年度的报告，用于跨年度校验（工作簿记住的上年报告不必再给）")
    p.add_argument("--today", type=iso_date, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("template", help="模板：build 从格式规格生成 Excel 模板")
    tsub = p.add_subparsers(dest="template_command", required=True, metavar="子命令", title="子命令",
                            help="下列子命令之一")
    b = tsub.add_parser("build", help="从格式规格生成空白模板（与安装包中的模板相同）")
    b.add_argument("-o", "--output", metavar="输出文件", default="template.xlsm",
                   help="输出路径（默认：当前文件夹中的 template.xlsm）")
    b.set_defaults(func=cmd_template)

    p = sub.add_parser("new", help="生成一份新的填报工作簿（可从数据包填入）")
    p.add_argument("--agency", metavar="机关名称",
                   help="机关名称；与 --previous 同用时是更名后的名称（机构改革），上年数字照常沿用")
    p.add_argument("--year", metavar="年度", type=integer,
                   help="报告年度；与 --previous 同用时只能是上年报告的下一年（默认即是）")
    p.add_argument("--from", dest="source", metavar="来源文件", help="从数据包或报告 JSON、工作簿填入全部内容")
    p.add_argument("--previous", metavar="上年报告",
                   help="从上年的报告（工作簿、数据包或已公布的报告）开始新一年度："
                        "沿用机关信息，年度加一，填入上年结转，并记住上年数字供跨年度校验")
    p.add_argument("--narrative", action="store_true", help="与 --previous 同用：把上年正文作为草稿填入")
    p.add_argument("--ledger", metavar="台账文件",
                   help="本单位自己的依申请台账（.csv 或 .xlsx，按中文列名读取）：写入“依申请台账”表，表三按台账填写")
    p.add_argument("-o", "--output", metavar="输出文件", required=True,
                   help="输出路径：.xlsm（带按钮）或 .xlsx（不带宏）")
    p.add_argument("--today", type=iso_date, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("fill", help="重新计算并填入工作簿的合计（只改合计单元格；有依申请台账时表三按台账填写）")
    p.add_argument("path", metavar="文件", help=".xlsm/.xlsx 工作簿")
    p.add_argument("-o", "--output", metavar="输出文件", help="另存为（默认覆盖原文件）：.xlsm 或 .xlsx（不带宏）")
    p.add_argument("--write", action="store_true",
                   help="同时写入校验结果、摘要和标记（与 Excel 的“填充合计”按钮相同）")
    p.add_argument("--previous", metavar="上年报告",
                   help="上一年度的报告，用于跨年度校验（工作簿记住的上年报告不必再给）")
    p.add_argument("--ledger", metavar="台账文件",
                   help="本单位自己的依申请台账（.csv 或 .xlsx）：替换工作簿“依申请台账”表中的内容，表三按台账重新填写")
    p.add_argument("--today", type=iso_date, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_fill)

    p = sub.add_parser("audit", help="审核文件夹中的全部文件：工作簿、数据包和已公布的报告")
    p.add_argument("folder", metavar="文件夹", help="文件夹")
    p.add_argument("-o", "--output", metavar="输出文件",
                   help="结果 Excel 文件，.xlsx（默认：文件夹中的 审核结果.xlsx）")
    p.add_argument("--csv", metavar="CSV文件", help="另存问题清单为 CSV（同时写出 <名称>_报告清单.csv）")
    p.add_argument("--roster", metavar="名单",
                   help="应报送单位的名单（.csv 或 .xlsx，一列“机关”，可另有“截止日期”“上级”；上年的审核结果也可以）："
                        "结果中增加“报送情况”表，逐个列出已报送、未报送、逾期、有错误、重复报送")
    p.add_argument("--year", metavar="年度", type=integer, help="报送情况按哪个年度（默认：文件夹中最近的年度）")
    p.add_argument("--deadline", metavar="截止日期", type=iso_date,
                   help="名单中没有写截止日期的单位的截止日期，YYYY-MM-DD（默认：次年1月31日）")
    p.add_argument("--pack", metavar="规则包", action="append",
                   help="同时按本地规则包审核：随本工具提供的规则包名称，或规则包 JSON 文件（可给多个）")
    p.add_argument("--jobs", metavar="进程数", type=integer, help="并行进程数（默认：CPU 核数）")
    p.add_argument("--quiet", action="store_true", help="不显示进度条")
    p.add_argument("--today", type=iso_date, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_audit)

    p = sub.add_parser("consolidate", help="把同一年度各机关的报告汇总为一份地区报告（填好的模板）")
    p.add_argument("folder", metavar="文件夹", help="存放各机关报告的文件夹")
    p.add_argument("--agency", metavar="机关名称", required=True,
                   help="汇总报告的机关名称，例如 某市人民政府（全市汇总）")
    p.add_argument("--year", metavar="年度", type=integer,
                   help="汇总年度（文件夹中只有一个年度的报告时可以不写；有多个年度时必须指定）")
    p.add_argument("-o", "--output", metavar="输出文件",
                   help="输出路径，例如 汇总.xlsm（.xlsx 为不带宏的工作簿）")
    p.add_argument("--include-summaries", action="store_true",
                   help="把其他地区的汇总报告也计入（例如市汇总各县的汇总）；本地区自己的汇总从不计入")
    p.add_argument("--check-against", metavar="公布的报告",
                   help="逐格核对一份已公布的本地区报告（.txt/.html、数据包或工作簿）与各单位之和，列出每处差额和相关单位")
    p.add_argument("--today", type=iso_date, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_consolidate)

    p = sub.add_parser("excel", help="Excel：install 让本机 Excel 的按钮使用本 Python（每个用户一次，无需管理员）；"
                                     "doctor 检查")
    esub = p.add_subparsers(dest="excel_command", required=True, metavar="子命令", title="子命令",
                            help="下列子命令之一")
    esub.add_parser("install", help="把本 Python 写入当前用户的 xlwings 配置，然后检查").set_defaults(func=cmd_excel)
    esub.add_parser("doctor", help="检查按钮运行所需的一切（与“诊断”按钮相同），说明怎么处理").set_defaults(
        func=cmd_excel)

    p = sub.add_parser("schema", help="输出数据包的 JSON Schema")
    p.set_defaults(func=cmd_schema)
    return parser


def _place(exc: OSError) -> str:
    name = exc.filename
    return f"{name}：" if name else ""


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; every way it can end is one of the exit codes above, with one Chinese message."""
    _streams_or_nothing()
    from .logs import log_unraisable

    sys.unraisablehook = log_unraisable
    try:
        if signal.getsignal(signal.SIGINT) is _interrupted_at_start:
            signal.signal(signal.SIGINT, signal.default_int_handler)  # from here on, Ctrl-C unwinds cleanly
        try:
            with chinese():
                args = build_parser().parse_args(argv)
            code = int(args.func(args))
            sys.stdout.flush()
            return code
        except InputError as exc:
            _err(f"{exc.lead}：{exc}")
            return 2
        except Refused as exc:
            _err(str(exc))
            return 1
        except (BrokenPipeError, ConnectionResetError):
            _quiet_stdout()
            _err("输出被提前关闭（例如输出接到了 head 或关闭的窗口），结果没有完整显示；写出的文件不受影响。")
            return 2
        except OSError as exc:
            if _stdout_failed(exc):
                _quiet_stdout()
                _err(f"无法显示结果：{os_error_text(exc, writing=True)}写出的文件不受影响。")
                return 2
            _err(f"{_place(exc)}{os_error_text(exc)}")
            return 2
        except Exception as exc:  # a defect: the clerk gets a sentence, the maintainer the traceback in the log
            from .logs import log_place, logger
            from .render import defect_message

            logger().exception("xl-gongkai %s failed", " ".join(sys.argv[1:]))
            _err(defect_message(exc, unchanged="输入文件", report=log_place()))
            return 3
    except KeyboardInterrupt:
        _err("已中断，操作没有完成；已写出的文件保持完整，未写完的没有留下。")
        return 130


def _streams_or_nothing() -> None:
    """No standard output or error at all (``>&-``, ``2>&-``, pythonw, a scheduled task): Python then sets the
    stream to None. The command still runs — its files and exit code are what a script wants — and what it
    would have printed goes nowhere, as it would to a closed window."""
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 (for the process's life)


def _stdout_failed(exc: OSError) -> bool:
    """True when the error came from writing our own standard output (``> /dev/full``, a closed terminal)."""
    return exc.filename is None and not getattr(exc, "filename2", None)


def _quiet_stdout() -> None:
    """Point standard output at nothing, so Python's own flush at exit cannot print an English traceback."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _err(text: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        print(text, file=sys.stderr, flush=True)


def entry() -> None:
    """The console script: Ctrl-C while Python is still starting up ends the same way as later."""
    try:
        code = main()
    except KeyboardInterrupt:
        _err("已中断。")
        code = 130
    sys.exit(code)


if __name__ == "__main__":
    entry()

"""The ``xl-gongkai`` command line. Messages are Chinese; exit codes: 0 clean, 1 any 错误, 2 unreadable input."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from . import __version__
from .errors import InputError, Refused


def _today(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def cmd_check(args: argparse.Namespace) -> int:
    from .commands.load import open_source
    from .commands.output import exit_code, json_report, text_report
    from .core.rules import check

    src = open_source(args.path)
    if args.previous:
        previous = open_source(args.previous).report
    else:  # a workbook made by `new --previous` remembers last year
        from .commands.next_year import remembered_in_file

        previous = remembered_in_file(src.path) if src.kind == "workbook" else None
    validation = check(src.report, today=_today(args.today), previous=previous)
    if src.findings:  # a published report: what its import found comes first
        from .core.findings import Validation

        validation = Validation((*src.findings, *validation.findings))
    if args.format == "json":
        print(json_report(str(src.path), src.report, validation, src.notes))
    else:
        print(text_report(src.report, validation, src.notes, cells=src.kind != "published"))
    return exit_code(validation)


def cmd_import(args: argparse.Namespace) -> int:
    """Import a published report, list the import findings then the check findings, optionally write it out."""
    from .adapters.published import import_report
    from .commands.output import exit_code, json_report, text_report
    from .core.findings import Validation
    from .core.rules import check

    out = Path(args.output) if args.output else None
    if out is not None and out.suffix.lower() not in (".json", ".xlsm"):
        raise InputError(f"不支持的输出文件类型“{out.suffix or '（无扩展名）'}”："
                         "请用 .json（数据包）或 .xlsm（工作簿）。", place=str(out))
    result = import_report(args.path)
    report = result.report
    checked = check(report, today=_today(args.today))
    merged = Validation((*result.findings, *checked.findings))
    form = report.form
    notes = [f"按{form.title}（{form.source.split('《')[0]}）读取。"]
    if args.format != "json":
        # before writing: a refused output still shows the findings; places are the report's, not template cells
        print(text_report(report, merged, notes, cells=False))
    written: list[str] = []
    if out is not None:
        if out.suffix.lower() == ".json":
            from .commands.export import export_payload

            export_payload(report, out, today=_today(args.today), draft=not checked.ready)
            line = f"已写出数据包：{out}"
            if not checked.ready:
                line += "（草稿：校验仍有错误或未说明的提示，数据包标记为未就绪）"
            if result.errors:
                line += "；注意：导入时有未能读取的内容（见上面的 I 类错误），数据包只含读到的部分"
            written.append(line)
        else:
            if form.template is None:
                raise Refused(f"这份报告采用{form.title}（{form.source.split('《')[0]}），工作簿模板只适用于"
                              "2021年格式，无法写入工作簿；请改用 -o 输出 .json 数据包。")
            from .commands.workbook import new_workbook

            new_workbook(out, source=report, today=_today(args.today))
            written.append(f"已生成工作簿：{out}（导入的全部内容已填入，请对照原文核对后再校验）")
    if args.format == "json":
        print(json_report(str(args.path), report, merged, [*notes, *written]))
    for line in written if args.format != "json" else ():
        print(line)
    return exit_code(merged)


def cmd_summary(args: argparse.Namespace) -> int:
    import json

    from .commands.load import open_source
    from .core.summary import summarize

    src = open_source(args.path)
    summary = summarize(src.report)
    if args.format == "json":
        print(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
    elif args.format == "markdown":
        print(summary.markdown(f"{src.report.agency}{src.report.year or ''}年政府信息公开工作摘要"))
    else:
        print(summary.text())
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from .commands.export import default_paths, export_payload
    from .commands.load import open_source

    src = open_source(args.path)
    out, summary = default_paths(src.report, src.path.parent)
    out = args.output or out
    summary_path = args.summary if args.summary is not None else (None if args.output else summary)
    doc = export_payload(src.report, out, today=_today(args.today), draft=args.draft, summary_path=summary_path)
    print(f"已导出：{out}" + (f"；摘要：{summary_path}" if summary_path else ""))
    c = doc["validation"]["counts"]
    if args.draft and not doc["validation"]["ready"]:
        print(f"注意：这是草稿（错误 {c['errors']} 项，未说明的提示 {c['warnings'] - c['explained']} 项）。")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .commands.load import open_source
    from .publish import default_report_paths, render_report, review_notice

    src = open_source(args.path)
    docx_path = Path(args.output) if args.output else default_report_paths(src.report, src.path.parent)[0]
    html = (args.html or docx_path.with_suffix(".html")) if args.html is not None else None
    done = render_report(src.report, docx_path=docx_path, html_path=html, today=_today(args.today))
    print(f"已生成年度报告：{done.docx}" + (f"；网页版：{done.html}" if done.html else ""))
    if notice := review_notice(done):
        print(notice)
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from .build.template import build_template
    from .fileio import write_bytes_atomic

    out = write_bytes_atomic(args.output, build_template())
    print(f"已生成模板：{out}")
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from .commands.workbook import new_workbook

    if args.previous:
        from .commands.next_year import new_from_previous

        out, report = new_from_previous(args.previous, args.output, year=args.year, narrative=args.narrative,
                                        today=_today(args.today))
        print(f"已生成 {report.year} 年度的工作簿：{out}（机关、地区、信用代码、填报人和审核人已沿用，"
              "表三“上年结转”已按上年“结转下年度继续办理”逐列填入，表二旁列出上年现行有效件数供参考"
              + ("，正文为上年文字的草稿，请逐段修改" if args.narrative else "") + "）。")
        return 0
    source = None
    if args.narrative:
        raise InputError("--narrative 只能与 --previous 一起使用。")
    if args.source:
        from .commands.load import open_source

        source = open_source(args.source).report
    elif not args.agency or not args.year:
        raise InputError("请用 --agency 和 --year 指定机关名称和报告年度，或用 --from 指定数据包。")
    out = new_workbook(args.output, agency=args.agency, year=args.year, source=source, today=_today(args.today))
    print(f"已生成工作簿：{out}")
    return 0


def cmd_fill(args: argparse.Namespace) -> int:
    from .commands.output import exit_code, text_report
    from .commands.workbook import fill_file
    from .core.rules import check

    out, report = fill_file(args.path, args.output)
    print(f"已填充合计：{out}")
    validation = check(report, today=_today(args.today))
    print(text_report(report, validation))
    return exit_code(validation)


def cmd_audit(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .commands.audit import progress_bar, run_audit, write_outputs

    result = run_audit(args.folder, jobs=args.jobs, today=_today(args.today),
                       progress=None if args.quiet else progress_bar)
    xlsx = Path(args.output) if args.output else (None if args.csv else Path(args.folder) / "审核结果.xlsx")
    for path in write_outputs(result, xlsx, Path(args.csv) if args.csv else None):
        print(f"已写出：{path}")
    bad = sum(1 for r in result.reports if not r["通过"])
    print(f"共审核 {len(result.reports)} 份报告：{len(result.reports) - bad} 份无错误，{bad} 份有错误或无法读取；"
          f"问题共 {len(result.findings)} 项。")
    return 1 if result.has_errors else 0


def cmd_consolidate(args: argparse.Namespace) -> int:
    from .commands.consolidate import consolidate
    from .commands.output import exit_code, text_report

    result = consolidate(args.folder, agency=args.agency, out=args.output, year=args.year, today=_today(args.today))
    left_out = [r for r in result.sources if r[4] != "已汇总"]
    print(f"已汇总 {result.included} 份报告到：{args.output}" + (f"；未汇总 {len(left_out)} 份：" if left_out else ""))
    for row in left_out:
        print(f"  {row[1]}：{row[5]}")
    print(text_report(result.report, result.validation))
    return exit_code(result.validation)


def cmd_excel(args: argparse.Namespace) -> int:
    """``excel install`` / ``excel doctor``: rendering only; the work is in ``excel_setup``."""
    from . import excel_setup

    if args.excel_command == "install":
        done = excel_setup.install()
        print(f"已配置：Excel 的按钮将使用 {done.interpreter}（写入 {done.config} 的 {done.key}）。")
        if done.previous:
            print(f"原来的设置是 {done.previous}，已替换；如需恢复，可再在那个环境中运行 xl-gongkai excel install。")
        if sys.platform not in ("win32", "darwin"):
            print("注意：本机不是 Windows，这里没有 Excel；配置文件已写出，只供检查。")
        print("检查结果：")
    diagnosis = excel_setup.doctor()
    for line in diagnosis.lines():
        print("  " + line)
    if diagnosis.problems:
        print(f"有 {len(diagnosis.problems)} 项问题，按上面的说明处理后再运行 xl-gongkai excel doctor。")
        return 1
    print("Excel 的按钮可以使用。")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    sys.stdout.write(resources.files("xl_gongkai.spec").joinpath("payload.schema.json").read_text("utf-8"))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xl-gongkai",
        description="政府信息公开工作年度报告：校验、合计、导出与摘要（国办公开办函〔2021〕30号格式）。",
    )
    parser.add_argument("--version", action="version", version=f"xl_gongkai {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")

    p = sub.add_parser("check", help="校验一份报告（工作簿或 JSON 数据包），列出全部错误和提示")
    p.add_argument("path", help=".xlsm/.xlsx 工作簿或 JSON 数据包")
    p.add_argument("--format", choices=["text", "json"], default="text", help="输出格式（默认 text）")
    p.add_argument("--previous", help="上一年度的报告（工作簿、数据包或已公布的报告），用于跨年度校验")
    p.add_argument("--today", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("import", help="导入已公布的年度报告（.txt/.html/.htm），列出导入和校验结果")
    p.add_argument("path", help="已公布报告的文本（.txt，UTF-8 或 GB18030）或网页（.html/.htm）")
    p.add_argument("-o", "--output",
                   help="写出数据包（.json，有错误时标记为草稿）或填好的工作簿（.xlsm，仅2021年格式）")
    p.add_argument("--format", choices=["text", "json"], default="text", help="输出格式（默认 text）")
    p.add_argument("--today", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("summary", help="根据表格数字生成中文摘要")
    p.add_argument("path", help=".xlsm/.xlsx 工作簿或 JSON 数据包")
    p.add_argument("--format", choices=["text", "markdown", "json"], default="text", help="输出格式（默认 text）")
    p.set_defaults(func=cmd_summary)

    p = sub.add_parser("export", help="校验通过后导出 JSON 数据包和摘要")
    p.add_argument("path", help=".xlsm/.xlsx 工作簿或 JSON 数据包")
    p.add_argument("-o", "--output", help="数据包输出路径（默认：源文件旁 <机关>_<年度>年_年报数据.json）")
    p.add_argument("--summary", help="摘要 Markdown 输出路径")
    p.add_argument("--draft", action="store_true", help="有错误或未说明的提示时仍导出，并标记为草稿")
    p.add_argument("--today", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("report", help="校验通过后生成年度报告正文（Word，可另出网页版 HTML）")
    p.add_argument("path", help=".xlsm/.xlsx 工作簿或 JSON 数据包")
    p.add_argument("-o", "--output",
                   help="Word 输出路径（默认：源文件旁 <机关>_<年度>年_政府信息公开工作年度报告.docx）")
    p.add_argument("--html", nargs="?", const="", default=None, metavar="HTML",
                   help="同时生成网页版 HTML；不写路径时与 Word 文件同名、同文件夹")
    p.add_argument("--today", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("template", help="模板：build 从格式规格生成 Excel 模板")
    tsub = p.add_subparsers(dest="template_command", required=True, metavar="子命令")
    b = tsub.add_parser("build", help="生成 workbook/template.xlsm")
    b.add_argument("-o", "--output", default="workbook/template.xlsm", help="输出路径（默认 workbook/template.xlsm）")
    b.set_defaults(func=cmd_template)

    p = sub.add_parser("new", help="生成一份新的填报工作簿（可从数据包填入）")
    p.add_argument("--agency", help="机关名称")
    p.add_argument("--year", type=int, help="报告年度")
    p.add_argument("--from", dest="source", help="从数据包或报告 JSON、工作簿填入全部内容")
    p.add_argument("--previous", help="从上年的报告（工作簿、数据包或已公布的报告）开始新一年度："
                                      "沿用机关信息，年度加一，填入上年结转，并记住上年数字供跨年度校验")
    p.add_argument("--narrative", action="store_true", help="与 --previous 同用：把上年正文作为草稿填入")
    p.add_argument("-o", "--output", required=True, help="输出 .xlsm 路径")
    p.add_argument("--today", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("fill", help="重新计算并填入工作簿的合计（只改合计单元格）")
    p.add_argument("path", help=".xlsm/.xlsx 工作簿")
    p.add_argument("-o", "--output", help="另存为（默认覆盖原文件）")
    p.add_argument("--today", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_fill)

    p = sub.add_parser("audit", help="审核文件夹中的全部工作簿、数据包和已公布的报告")
    p.add_argument("folder", help="文件夹")
    p.add_argument("-o", "--output", help="结果 Excel 文件（默认：文件夹中的 审核结果.xlsx）")
    p.add_argument("--csv", help="另存问题清单为 CSV（同时写出 <名称>_报告清单.csv）")
    p.add_argument("--jobs", type=int, help="并行进程数（默认：CPU 核数）")
    p.add_argument("--quiet", action="store_true", help="不显示进度条")
    p.add_argument("--today", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_audit)

    p = sub.add_parser("consolidate", help="把同一年度各机关的报告汇总为一份地区报告（填好的模板）")
    p.add_argument("folder", help="存放各机关报告的文件夹")
    p.add_argument("--agency", required=True, help="汇总报告的机关名称，例如 某市人民政府（全市汇总）")
    p.add_argument("--year", type=int, help="汇总年度（默认：文件夹中最多的年度）")
    p.add_argument("-o", "--output", required=True, help="输出 .xlsm 路径，例如 汇总.xlsm")
    p.add_argument("--today", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_consolidate)

    p = sub.add_parser("excel", help="Excel：install 让本机 Excel 的按钮使用本 Python（每个用户一次，无需管理员）；"
                                     "doctor 检查")
    esub = p.add_subparsers(dest="excel_command", required=True, metavar="子命令")
    esub.add_parser("install", help="把本 Python 写入当前用户的 xlwings 配置，然后检查").set_defaults(func=cmd_excel)
    esub.add_parser("doctor", help="检查按钮运行所需的一切（与“诊断”按钮相同），说明怎么处理").set_defaults(
        func=cmd_excel)

    p = sub.add_parser("schema", help="输出数据包的 JSON Schema")
    p.set_defaults(func=cmd_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except InputError as exc:
        print(f"无法读取：{exc}", file=sys.stderr)
        return 2
    except Refused as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except Exception as exc:  # a defect: the clerk gets a sentence, the maintainer the traceback in the log
        from .logs import LOG_NAME, log_dir, logger

        logger().exception("xl-gongkai %s failed", " ".join(sys.argv[1:]))
        print(f"程序内部错误（{type(exc).__name__}），操作没有完成，输入文件没有被修改。这是程序缺陷，"
              f"请把日志文件发给维护人员：{log_dir() / LOG_NAME}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())

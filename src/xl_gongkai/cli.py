"""The ``xl-gongkai`` command line. Messages are Chinese; exit codes: 0 clean, 1 any 错误, 2 unreadable input."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from importlib import resources

from . import __version__
from .errors import InputError, Refused


def _today(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def cmd_check(args: argparse.Namespace) -> int:
    from .commands.load import open_source
    from .commands.output import exit_code, json_report, text_report
    from .core.rules import check

    src = open_source(args.path)
    validation = check(src.report, today=_today(args.today))
    if args.format == "json":
        print(json_report(str(src.path), src.report, validation, src.notes))
    else:
        print(text_report(src.report, validation, src.notes))
    return exit_code(validation)


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


def cmd_template(args: argparse.Namespace) -> int:
    from .build.template import build_template
    from .fileio import write_bytes_atomic

    out = write_bytes_atomic(args.output, build_template())
    print(f"已生成模板：{out}")
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from .commands.workbook import new_workbook

    source = None
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
    p.add_argument("--today", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_check)

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

    p = sub.add_parser("template", help="模板：build 从格式规格生成 Excel 模板")
    tsub = p.add_subparsers(dest="template_command", required=True, metavar="子命令")
    b = tsub.add_parser("build", help="生成 workbook/template.xlsm")
    b.add_argument("-o", "--output", default="workbook/template.xlsm", help="输出路径（默认 workbook/template.xlsm）")
    b.set_defaults(func=cmd_template)

    p = sub.add_parser("new", help="生成一份新的填报工作簿（可从数据包填入）")
    p.add_argument("--agency", help="机关名称")
    p.add_argument("--year", type=int, help="报告年度")
    p.add_argument("--from", dest="source", help="从数据包或报告 JSON、工作簿填入全部内容")
    p.add_argument("-o", "--output", required=True, help="输出 .xlsm 路径")
    p.add_argument("--today", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("fill", help="重新计算并填入工作簿的合计（只改合计单元格）")
    p.add_argument("path", help=".xlsm/.xlsx 工作簿")
    p.add_argument("-o", "--output", help="另存为（默认覆盖原文件）")
    p.add_argument("--today", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_fill)

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


if __name__ == "__main__":
    sys.exit(main())

"""Documents generated from the spec: the rule catalogue page, the printed payload schema and the
meta-schema digests. ``python -m xl_gongkai.spec.docs`` (``make docs``) rewrites them; tests keep
them in sync.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .loader import load_form, load_rules, pack_names, read_pack, refresh_verified
from .payload_schema import SCHEMA_ID, generate

SPEC_DIR = Path(__file__).resolve().parent


def _kind_scope(kind: str, params: dict[str, Any]) -> str:
    form = load_form()
    if kind == "balance":
        t = form.table(params["table"])
        left = " + ".join(t.row(k).name for k in params["left"])
        right = " + ".join(t.row(k).name for k in params["right"])
        return f"表{t.number}每一列（{len(t.columns)}列）：{left} = {right}"
    if kind == "sum":
        t = form.table(params["table"])
        if params["axis"] == "column":
            c = t.column(params["key"])
            n = sum(1 for r in t.rows if c in t.columns_of(r))
            return f"表{t.number}每一行（{n}行）：{c.label} = " + " + ".join(t.column(k).label for k in c.sum_of)
        r = t.row(params["key"])
        return f"表{t.number}每一列（{len(t.columns_of(r))}列）：{r.label} = {len(r.sum_of)}个办理结果行之和"
    if kind in ("blank", "text_in_number"):
        return f"全部{len(form.cells)}个单元格"
    if kind == "count":
        return f"单位为“件”的{sum(1 for c in form.cells if c.unit in ('件', '项'))}个单元格"
    if kind in ("amount", "amount_magnitude"):
        return "单位为“万元”的单元格：" + "、".join(c.describe() for c in form.cells if c.unit == "万元")
    if "field" in params:
        return f"封面“{form.field(params['field']).label}”"
    if kind == "external":
        return "读取文件时（导入已公布的报告、审核文件夹）"
    if kind.startswith("narrative"):
        return "正文各部分（模板“正文”表中填写的文字，或已公布报告的正文）"
    if kind in ("previous_year", "carried_over", "in_force_continuity", "year_over_year"):
        return "与上一年度的报告对比（--previous，或审核文件夹中同一机关相邻年度的报告）"
    if kind.startswith("ledger"):
        ledger = form.workbook.ledger
        where = f"“{ledger.sheet}”表（模板{ledger.since}起）的每一行" if ledger else "依申请台账"
        return where + ("与表三" if kind == "ledger_table" else "")
    if kind in ("text_repeated",):
        return "正文各部分与上一年度报告的同一部分对比（--previous，或审核文件夹中同一机关相邻年度的报告）"
    if kind in ("overview_parts", "stock_phrases", "text_length", "counts_near"):
        return f"正文“{form.section(params['section']).heading}”"
    if kind == "published_by":
        return "报告的公布日期（网页的发布日期，或 --published）"
    if kind == "audit_flag":
        return "审核文件夹时列入“概览”和“质量”表（校验单份报告时不提示）"
    if kind == "metadata_period":
        return f"封面“{form.field(params['start']).label}”“{form.field(params['end']).label}”"
    return "—"


def rules_markdown() -> str:
    cat = load_rules()
    lines = [
        "# 校验规则目录（rule catalogue）",
        "",
        "<!-- Generated from src/xl_gongkai/spec/rules.json by `make docs`; a test keeps it in sync. -->",
        "",
        f"规则目录版本 {cat['version']}。每条规则有固定编号，编号出现在每一条提示信息的开头。",
        "严重程度：**错误** 必须改正，改正前不能导出；**提示** 可以保留，但须在“校验结果”表中写明说明。",
        "规则无法执行（例如单元格为空或不是数字）时，本身就是一条错误，不会被当作通过。",
        "",
        "| 编号 | 严重程度 | 规则 | 适用范围 | 依据 |",
        "|---|---|---|---|---|",
    ]
    for r in cat["rules"]:
        scope = _kind_scope(r["kind"], r["params"])
        lines.append(f"| {r['id']} | {r['severity']} | {r['title']} | {scope} | {r['source']} |")
    lines += ["", "## 提示信息模板", ""]
    for r in cat["rules"]:
        lines.append(f"- **{r['id']}**（`{r['kind']}`）：{r['message']}")
        if r.get("unevaluable"):
            lines.append(f"  - 无法校验时：{r['unevaluable']}")
    lines += ["", "## 本地规则包（--pack）", "",
              "随本工具提供的规则包（`src/xl_gongkai/spec/packs/`），用 `check --pack 名称` 或 "
              "`audit --pack 名称` 使用；也可给出自己的规则包 JSON 文件。加载时与本目录同样检查，"
              "规则类型或键不对的规则包不加载，并指出是哪个规则包的哪条规则。", ""]
    for name in pack_names():
        doc = json.loads(read_pack(name))
        lines.append(f"### {name}：{doc['locality']}（{doc['title']}）")
        lines += ["", f"依据：{doc['source']}", ""]
        for r in doc["rules"]:
            lines.append(f"- **{r['id']}**（`{r['kind']}`，{r['severity']}）{r['title']}：{r['message']}")
        for rid, severity in doc.get("severities", {}).items():
            lines.append(f"- 规则 {rid} 改为{severity}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def schema_markdown() -> str:
    form = load_form()
    lines = [
        "# 数据包（payload）与 JSON Schema",
        "",
        "<!-- Generated from the form spec by `make docs`; a test keeps it in sync. -->",
        "",
        f"Schema: `{SCHEMA_ID}` (JSON Schema draft 2020-12), printed in full in `payload.schema.json`",
        "next to this page and shipped in the package (`xl-gongkai schema`).",
        "Keys are English; texts a clerk reads are Chinese.",
        "",
        "| field | content |",
        "|---|---|",
        "| `schema` | the schema id above; a new schema version gets a new id |",
        "| `generator` | `{name, version}` of the xl_gongkai that wrote the payload |",
        f"| `form` | `{{id, version}}` of the form spec (`{form.id}` {form.version}: {form.source}) |",
        "| `rules_version` | version of the rule catalogue (`docs/rules.md`) |",
        "| `metadata` | " + "、".join(f"`{f.key}` {f.label}" for f in form.metadata_fields) + " |",
        "| `values` | all 200 values, `values[table][row][column]`: a number, text when the cell held text "
        "(always an 错误), `null` when blank; when `validation.valid` is true every value is a number ≥ 0 |",
        "| `narrative` | " + "、".join(f"`{s.key}` {s.heading}" for s in form.sections) + "、`preamble` 前言 |",
        "| `summary` | the Chinese summary generated from the numbers: `paragraphs` (active, requests, appeals) "
        "and the joined `text` |",
        "| `validation` | `valid` (no 错误), `ready` (no 错误, nothing 待填写, every 提示 explained), `counts` "
        "(`errors`, `warnings`, `explained`, and `to_write` when a 汇总's text is still to write) and every "
        "finding: rule, severity (错误, 提示, or 待填写 — an empty text part of a 汇总, which only the office can "
        "write), key, message, place "
        "(sheet, cell, table, row, column, field), the cells involved and the evaluated values |",
        "| `explanations` | the clerk's explanation of each 提示 finding, keyed by the finding's `key` |",
        "| `sha256` | sha256 of the canonical JSON (keys sorted, no spaces, UTF-8) of the payload without `sha256` |",
        "",
        "Nothing in a payload depends on the time it was written: the same report gives the same bytes.",
        "A plain *report document* (what `check` and `export` also read) has just `metadata`, `values`",
        "(cells left out read as blank), and optionally `narrative` and `explanations`.",
        "",
        "## Cell keys",
        "",
        "| key | 表 | 行 | 列 | 类别 | 单位 | 模板单元格 |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in form.cells:
        kind = "合计（自动计算）" if c.derived else "填报"
        unit = f"{c.unit}（≤{c.decimals}位小数）" if c.decimals else c.unit
        lines.append(f"| `{c.key}` | 表{c.table.number} | {c.table.row_path(c.row)} | {c.column.label} | {kind} | "
                     f"{unit} | {c.sheet}!{c.address} |")
    return "\n".join(lines) + "\n"


def schema_text() -> str:
    return json.dumps(generate(), ensure_ascii=False, indent=2) + "\n"


def write_all(docs_dir: Path) -> list[Path]:
    written = []
    targets = {
        SPEC_DIR / "payload.schema.json": schema_text(),
        docs_dir / "payload.schema.json": schema_text(),
        docs_dir / "rules.md": rules_markdown(),
        docs_dir / "schema.md": schema_markdown(),
    }
    for path, text in targets.items():
        if not path.exists() or path.read_text("utf-8") != text:
            path.write_text(text, "utf-8")
            written.append(path)
    verified = json.dumps(refresh_verified(), indent=2, sort_keys=True) + "\n"
    vpath = SPEC_DIR / "verified.json"
    if vpath.read_text("utf-8") != verified:
        vpath.write_text(verified, "utf-8")
        written.append(vpath)
    return written


if __name__ == "__main__":
    out = write_all(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs"))
    print("\n".join(str(p) for p in out) or f"up to date ({SCHEMA_ID})")

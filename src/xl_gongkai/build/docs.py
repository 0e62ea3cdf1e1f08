"""The pages generated from the spec: the rule catalogue (``docs/rules.md``) and the payload (``docs/schema.md``),
and the payload schema's text. ``make generate`` writes them (``build.generated``); a test says when one is stale.

Each rule's scope on the rules page is what its kind says of it (``@kind(..., scope=...)``), so a new kind brings
its own words and nothing here changes.
"""

from __future__ import annotations

import json

from ..core.catalogue import KINDS, load_catalogue
from ..spec import DEFAULT_FORM, load_form
from ..spec.loader import pack_names, read_pack
from ..spec.payload_schema import SCHEMA_ID, generate

# the pages describe the form a new report is made in
PAGE_FORM = DEFAULT_FORM


def rules_markdown() -> str:
    cat = load_catalogue()
    form = load_form(PAGE_FORM)
    lines = [
        "# 校验规则目录（rule catalogue）",
        "",
        "<!-- Generated from src/xl_gongkai/spec/rules.json by `make generate`; a test keeps it in sync. -->",
        "",
        f"规则目录版本 {cat.version}。每条规则有固定编号，编号出现在每一条提示信息的开头。",
        "严重程度：**错误** 必须改正，改正前不能导出；**提示** 可以保留，但须在“校验结果”表中写明说明。",
        "规则无法执行（例如单元格为空或不是数字）时，本身就是一条错误，不会被当作通过。",
        "",
        "| 编号 | 严重程度 | 规则 | 适用范围 | 依据 |",
        "|---|---|---|---|---|",
    ]
    for r in cat:
        scope = KINDS[r.kind].scope
        where = scope(r.params, form) if scope is not None else "—"
        lines.append(f"| {r.id} | {r.severity.value} | {r.title} | {where} | {r.source} |")
    lines += ["", "## 提示信息模板", ""]
    for r in cat:
        lines.append(f"- **{r.id}**（`{r.kind}`）：{r.message}")
        if r.unevaluable:
            lines.append(f"  - 无法校验时：{r.unevaluable}")
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


_OPTIONAL_FIELDS = ("origin", "absent", "printed_blank", "unread")  # described by the schema itself


def schema_markdown() -> str:
    form = load_form(PAGE_FORM)
    schema = generate()["properties"]
    lines = [
        "# 数据包（payload）与 JSON Schema",
        "",
        "<!-- Generated from the form spec by `make generate`; a test keeps it in sync. -->",
        "",
        f"Schema: `{SCHEMA_ID}` (JSON Schema draft 2020-12), shipped in the package as",
        "`src/xl_gongkai/spec/payload.schema.json` and printed in full by `xl-gongkai schema`.",
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
        "(`errors`, `warnings`, `explained`, `to_write` when a 汇总's text is still to write, `to_check` when an "
        "imported report has findings 待核对) and every finding: rule, severity (错误, 提示, 待填写 — an empty "
        "text part of a 汇总, which only the office can write — or 待核对, what the importer could not read), key, "
        "message, place "
        "(sheet, cell, table, row, column, field), the cells involved and the evaluated values |",
        "| `explanations` | the clerk's explanation of each 提示 finding, keyed by the finding's `key` |",
        "| `sha256` | sha256 of the canonical JSON (keys sorted, no spaces, UTF-8) of the payload without `sha256` |",
        *(f"| `{key}` (optional) | {schema[key]['description']} |" for key in _OPTIONAL_FIELDS),
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

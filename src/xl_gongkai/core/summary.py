"""The Chinese narrative summary, written from the numbers so it cannot contradict the tables.

One paragraph each for 主动公开, 依申请公开 and 行政复议/行政诉讼. Zero cases are worded as a person
would write them ("本年度未收到政府信息公开申请"), items that are zero are named as not having
happened instead of being listed as "0件", and the only percentage is taken on the base it belongs
to (办结 for the share of applications answered with disclosure).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..spec import CellKey, SummaryPart, Table
from .derive import derived_values
from .ledger import derivation, differences, timeliness
from .numbers import Number, exact_sum, read, show
from .report import Report

INCOMPLETE = "（表格尚有空白或非数字的单元格，本段无法生成。）"


class _Missing(Exception):
    """A figure the paragraph needs is not a number."""


class _NotInForm(Exception):
    """The report's format has no such cell (a 2019 试行 format report read for cross-year checks)."""


OTHER_FORMAT = "（本报告采用{title}（{source}），本段摘要从略。）"


@dataclass(frozen=True)
class Summary:
    paragraphs: dict[str, str]
    titles: dict[str, str]

    def text(self) -> str:
        return "\n".join(self.paragraphs.values())

    def markdown(self, heading: str | None = None) -> str:
        out = [f"# {heading}", ""] if heading else []
        for key, para in self.paragraphs.items():
            out += [f"## {self.titles[key]}", "", para, ""]
        return "\n".join(out)

    def as_dict(self) -> dict[str, Any]:
        return {"paragraphs": dict(self.paragraphs), "text": self.text()}


class _Figures:
    """Reads figures from a report: stated values, with blank totals recomputed from the inputs."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.derived = derived_values(report)
        self.era = f"{report.year}年" if report.year else "本年度"

    def get(self, table: str, row: str, column: str) -> Number:
        key = CellKey(table, row, column)
        if not self.report.form.has_cell(key):
            raise _NotInForm(str(key))
        r = read(self.report.values.get(key))
        if r.kind == "number" and r.number is not None:
            return r.number
        if r.kind == "blank" and self.derived.get(key) is not None:
            return self.derived[key]  # type: ignore[return-value]
        raise _Missing(str(key))

    def total(self, table: str, rows: Iterable[str], column: str) -> Number:
        return exact_sum(self.get(table, r, column) for r in rows)


def _items(pairs: Iterable[tuple[str, Number]], unit: str = "件") -> list[str]:
    return [f"{label}{show(n)}{unit}" for label, n in pairs if n]


def _listing(verb: str, pairs: list[tuple[str, Number]], unit: str = "件") -> str:
    """``制发规章1件、行政规范性文件8件`` or, when nothing happened, ``未制发规章和行政规范性文件``."""
    shown = _items(pairs, unit)
    if not shown:
        return f"未{verb}" + _and([label for label, _ in pairs])
    zeros = [label for label, n in pairs if not n]
    text = f"{verb}" + "、".join(shown)
    if zeros:
        text += f"（未{verb}" + _and(zeros) + "）"
    return text


def _and(words: list[str]) -> str:
    """``甲、乙和丙``."""
    return words[0] if len(words) == 1 else "、".join(words[:-1]) + "和" + words[-1]


def _active(fig: _Figures, table: Table, part: SummaryPart) -> str:
    """主动公开: documents issued, repealed and in force, decisions, fees; every label from the spec."""
    t = table.key
    issued_col, repealed_col = part.role("issued_column"), part.role("repealed_column")
    in_force_col = part.role("in_force_column")
    docs = [r for r in table.rows if table.column(issued_col) in table.columns_of(r)]
    issued = [(r.label, fig.get(t, r.key, issued_col)) for r in docs]
    repealed = [(r.label, fig.get(t, r.key, repealed_col)) for r in docs]
    in_force = [(r.label, fig.get(t, r.key, in_force_col)) for r in docs]
    first = fig.era + _listing("制发", issued) + "，" + _listing("废止", repealed) + "；"
    if any(n for _, n in in_force):
        first += "现行有效" + "、".join(f"{label}{show(n)}件" for label, n in in_force) + "。"
    else:
        first += "没有现行有效的" + _and([label for label, _ in in_force]) + "。"
    decisions_col = part.role("decisions_column")
    decision_rows = [r for r in table.rows if table.column(decisions_col) in table.columns_of(r)]
    second = _listing("作出", [(f"{r.label}决定", fig.get(t, r.key, decisions_col)) for r in decision_rows])
    fees, amount = table.row(part.role("fee_row")), table.column(part.role("fee_column"))
    fee = fig.get(t, fees.key, amount.key)
    third = f"收取{fees.label}{show(fee)}{amount.unit}" if fee else f"未收取{fees.label}"
    return f"{first}{second}，{third}。"


_ENUMERATOR = re.compile(r"^（[一二三四五六七八九十]+）")


def _outcome_groups(fig: _Figures, table: Table, total: str) -> list[tuple[str, str, Number]]:
    """(first row key, name, 总计) of each outcome category: a leaf row of its own, or a group's rows added up."""
    out: list[tuple[str, str, Number]] = []
    seen: set[str] = set()
    for r in table.rows:
        if not r.group or r.sum_of:
            continue
        group = table.row_group(r.group)
        if group.parent is None:
            out.append((r.key, _ENUMERATOR.sub("", r.short or r.label), fig.get(table.key, r.key, total)))
        elif group.key not in seen:
            seen.add(group.key)
            rows = [x.key for x in table.rows if x.group == group.key]
            out.append((r.key, group.name, fig.total(table.key, rows, total)))
    return out


def _requests(fig: _Figures, table: Table, part: SummaryPart) -> str:
    t, total = table.key, part.role("total_column")
    applicant_cols = [c for c in table.columns if not c.sum_of]
    persons_col = part.role("persons_column")
    new = fig.get(t, part.role("received_row"), total)
    carried_in = fig.get(t, part.role("carried_in_row"), total)
    answered = fig.get(t, part.role("answered_row"), total)
    carried_out = fig.get(t, part.role("carried_out_row"), total)
    if not any((new, carried_in, answered, carried_out)):
        return f"{fig.era}未收到政府信息公开申请，也没有上年结转的申请。"
    if new:
        received = part.role("received_row")
        persons = fig.get(t, received, persons_col)
        orgs = exact_sum(fig.get(t, received, c.key) for c in applicant_cols if c.key != persons_col)
        head = f"{fig.era}共收到政府信息公开申请{show(new)}件"
        if persons and orgs:
            head += f"（其中自然人申请{show(persons)}件，法人或其他组织申请{show(orgs)}件）"
        else:
            head += "，均为自然人申请" if persons else "，均为法人或其他组织申请"
    else:
        head = f"{fig.era}未收到新的政府信息公开申请"
    head += f"，上年结转{show(carried_in)}件；" if carried_in else "，无上年结转申请；"
    groups = _outcome_groups(fig, table, total)
    if answered:
        body = f"办结{show(answered)}件"
        listed = _items((name, n) for _, name, n in groups)
        if listed:
            body += "，其中" + "，".join(listed)
        disclosed_rows = set(part.roles_list("disclosed_rows"))
        disclosed = exact_sum(n for key, _, n in groups if key in disclosed_rows)
        if disclosed:
            share = round(100 * float(disclosed) / float(answered), 1)
            body += f"；予以公开和部分公开共{show(disclosed)}件，占办结总数的{show(share)}%"
    else:
        body = "没有办结的申请"
    tail = f"；结转下年度继续办理{show(carried_out)}件。" if carried_out else "；无结转下年度继续办理的申请。"
    return head + body + tail + _timeliness(fig.report)


def _timeliness(report: Report) -> str:
    """How many of the year's answered applications were answered within the statutory time, from the register's
    dates — said only when table 三 is the register's count (so the sentence cannot contradict the table) and
    every span lies within the years whose holidays are known."""
    done = derivation(report.form, report.ledger, report.year)
    if done is None or report.year is None or any(True for _ in differences(report.form, report.values, done.values)):
        return ""
    found = timeliness(done.cases, report.year)
    if found is None:
        return ""
    text = (f"按依申请台账的收到和办结日期计算，办结的{found.answered}件申请中，{found.within}件在收到申请之日起"
            f"{found.limit}个工作日内答复")
    return text + (f"，{found.late}件超过{found.limit}个工作日。" if found.late else "。")


def _appeals(fig: _Figures, table: Table, part: SummaryPart) -> str:
    t, total, review_row = table.key, part.role("total_column"), part.role("review_row")
    outcomes = [c for c in table.columns if not c.sum_of]
    review = fig.get(t, review_row, total)
    litigation_rows = [r for r in table.rows if r.key != review_row]
    litigation = exact_sum(fig.get(t, r.key, total) for r in litigation_rows)
    if not review and not litigation:
        return f"{fig.era}未发生因政府信息公开工作引起的行政复议和行政诉讼。"
    parts = []
    if review:
        listed = _items((c.label, fig.get(t, review_row, c.key)) for c in outcomes)
        parts.append(f"因政府信息公开工作被申请行政复议{show(review)}件，其中" + "，".join(listed))
    else:
        parts.append("未发生因政府信息公开工作引起的行政复议")
    if litigation:
        split = "，".join(f"{r.label}{show(fig.get(t, r.key, total))}件" for r in litigation_rows)
        listed = _items((c.label, fig.total(t, (r.key for r in litigation_rows), c.key)) for c in outcomes)
        parts.append(f"被提起行政诉讼{show(litigation)}件（{split}），其中" + "，".join(listed))
    else:
        parts.append("未发生因政府信息公开工作引起的行政诉讼")
    return fig.era + "；".join(parts) + "。"


def _not_summarized(_fig: _Figures, table: Table, _part: SummaryPart) -> str:
    """A table of an old format that has no summary: said so."""
    raise _NotInForm(table.key)


# the writers by the names the spec's summary parts use
WRITERS: dict[str, Callable[[_Figures, Table, SummaryPart], str]] = {
    "documents_and_decisions": _active, "applications": _requests, "reviews_and_lawsuits": _appeals,
    "not_summarized": _not_summarized,
}


def summarize(report: Report) -> Summary:
    paragraphs, titles = {}, {}
    form = report.form
    for part in form.summary:
        table = form.table(part.table)
        titles[table.key] = table.title
        try:
            paragraphs[table.key] = WRITERS[part.writer](_Figures(report), table, part)
        except _Missing:
            paragraphs[table.key] = INCOMPLETE
        except _NotInForm:
            paragraphs[table.key] = OTHER_FORMAT.format(title=form.title, source=form.short_source)
    return Summary(paragraphs, titles)

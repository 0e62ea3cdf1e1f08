"""The roster: who had to report, who did, and when (``audit DIR --roster UNITS``).

The office collects its units' reports by 31 January — or by an earlier local date — and needs to know, unit
by unit: 已报送, 未报送, 逾期, 有错误 (the report has an 错误), 重复报送 (two different reports of the unit for the
year: which one counts is for the unit to say); and which reports came from units that are not on the list.

A roster is a CSV file or a workbook with a column 机关 (also 机关名称, 单位, 单位名称) and, optionally, 截止日期 (a
unit's own deadline) and 上级 (the unit it reports through). Last year's audit results serve as well: their
报送情况 sheet (or, without one, the agencies of 报告清单); their deadlines were last year's and are not used.

Decisions, where the practice leaves a choice:

* **Which year.** ``--year``, else the latest year among the folder's reports: a collection folder often holds
  last year's reports for the cross-year checks, and the collection is of the newest. The sheet says which.
* **The deadline.** A unit's 截止日期, else ``--deadline``, else 31 January of the following year (《政府信息
  公开条例》第五十条: 每年1月31日前公布).
* **The date of a submission.** The report's own 填报日期 when it has one — the date the unit states, which a
  copy, an e-mail attachment or a download does not change; else the file's modification time. The sheet
  says which (日期依据).
* **Several statuses.** A report late and with 错误 is ``逾期、有错误``: every problem is said, in the order
  未报送, 重复报送, 有错误, 逾期. Identical copies (a workbook and its payload) are one submission.
* **Names.** Compared as ``core.names.agency_key`` does everywhere (spaces, full-width forms).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.dates import as_date
from ..core.names import agency_key
from ..errors import InputError

ROSTER_SHEET = "报送情况"
COLUMNS = [("agency", "机关"), ("parent", "上级"), ("status", "状态"), ("file", "报送文件"), ("date", "报送日期"),
           ("basis", "日期依据"), ("deadline", "截止日期"), ("late", "逾期天数"), ("errors", "错误"), ("note", "说明")]
NAME_HEADERS = ("机关", "机关名称", "单位", "单位名称")
DEADLINE_HEADERS = ("截止日期", "报送截止日期")
PARENT_HEADERS = ("上级", "上级机关", "上级单位")
HEADER_SEARCH_ROWS = 20  # a title and a few notes may stand above the header

NOT_SUBMITTED, DUPLICATE, WITH_ERRORS, LATE, SUBMITTED, NOT_LISTED = (
    "未报送", "重复报送", "有错误", "逾期", "已报送", "不在名单中")
STATUSES = (SUBMITTED, NOT_SUBMITTED, LATE, WITH_ERRORS, DUPLICATE, NOT_LISTED)
BY_REPORT_DATE, BY_FILE_TIME = "填报日期", "文件修改时间"
NATIONAL_DEADLINE = (1, 31)  # month, day of the year after the report's: 条例第五十条


@dataclass(frozen=True)
class Unit:
    name: str
    deadline: dt.date | None
    parent: str


@dataclass(frozen=True)
class Roster:
    path: Path
    units: tuple[Unit, ...]
    from_audit: bool  # last year's audit results: their deadlines are not this year's


@dataclass(frozen=True)
class Submission:
    """What the audit knows of one report, for the roster."""

    agency: str
    year: int
    file: str
    errors: int
    date: str | None  # the report's 填报日期 (ISO)
    mtime: float | None  # the file's modification time
    content: str  # digest of values and metadata: identical copies are one submission


def read_roster(path: str | Path, *, files_sheet: str) -> Roster:
    """The units of a roster file; ``files_sheet``: the audit results' sheet of files (a roster too)."""
    from ..adapters.roster_file import read_rows

    p = Path(path)
    sheet, rows = read_rows(p, prefer=(ROSTER_SHEET, files_sheet))
    from_audit = sheet in (ROSTER_SHEET, files_sheet)
    at, head = _header(rows, p)
    name_col = _column(head, NAME_HEADERS)
    assert name_col is not None
    deadline_col = None if from_audit else _column(head, DEADLINE_HEADERS)
    parent_col = _column(head, PARENT_HEADERS)
    units: dict[str, Unit] = {}
    for n, row in enumerate(rows[at + 1:], start=at + 2):
        name = _text(_get(row, name_col))
        if not name or agency_key(name) in units:
            continue
        deadline = None
        if deadline_col is not None:
            raw = _get(row, deadline_col)
            deadline = as_date(raw)
            if deadline is None and _text(raw):
                raise InputError(f"第 {n} 行“{name}”的截止日期“{_text(raw)}”不是日期；请写成 2025-01-20 或"
                                 "2025年1月20日，或留空（默认为次年1月31日）。", place=_where(p, sheet))
        units[agency_key(name)] = Unit(name, deadline, _text(_get(row, parent_col)) if parent_col is not None else "")
    if not units:
        raise InputError("名单中没有任何单位（“机关”列是空的）。", place=_where(p, sheet))
    return Roster(p, tuple(units.values()), from_audit)


def _where(path: Path, sheet: str) -> str:
    return f"{path}（工作表“{sheet}”）" if sheet else str(path)


def _header(rows: Sequence[Sequence[Any]], path: Path) -> tuple[int, list[str]]:
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        head = [_text(v) for v in row]
        if _column(head, NAME_HEADERS) is not None:
            return i, head
    raise InputError(f"名单中找不到“机关”列：前 {HEADER_SEARCH_ROWS} 行中应有一行表头，其中一列是"
                     + "、".join(f"“{h}”" for h in NAME_HEADERS) + "之一（可另有“截止日期”“上级”列）。",
                     place=str(path))


def _column(head: Sequence[str], names: Sequence[str]) -> int | None:
    return next((i for i, h in enumerate(head) if h in names), None)


def _get(row: Sequence[Any], col: int | None) -> Any:
    return row[col] if col is not None and col < len(row) else None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def default_deadline(year: int | None) -> dt.date | None:
    return dt.date(year + 1, *NATIONAL_DEADLINE) if year else None


def roster_year(submissions: Iterable[Submission], year: int | None) -> tuple[int | None, str]:
    """The year the roster is checked for, and how it was chosen (said on the sheet)."""
    if year is not None:
        return year, "按 --year 指定"
    years = {s.year for s in submissions}
    if not years:
        return None, "文件夹中没有可读取年度的报告"
    chosen = max(years)
    return chosen, "文件夹中最近的年度" + (f"（另有 {'、'.join(str(y) for y in sorted(years - {chosen}))} 年度的报告，"
                                     "不计入报送情况；可用 --year 指定）" if len(years) > 1 else "")


def submitted_on(s: Submission) -> tuple[dt.date | None, str]:
    if s.date:
        return dt.date.fromisoformat(s.date), BY_REPORT_DATE
    if s.mtime is not None:
        return dt.datetime.fromtimestamp(s.mtime).date(), BY_FILE_TIME
    return None, ""


def roster_rows(roster: Roster, submissions: Sequence[Submission], *, year: int | None,
                deadline: dt.date | None = None, today: dt.date | None = None) -> list[dict[str, Any]]:
    """One row per unit of the roster, then one per unit that reported but is not on it (COLUMNS' keys)."""
    today = today or dt.date.today()
    fallback = deadline or default_deadline(year)
    mine: dict[str, list[Submission]] = {}
    for s in submissions:
        if s.year == year:
            mine.setdefault(agency_key(s.agency), []).append(s)
    rows = []
    listed = set()
    for unit in roster.units:
        key = agency_key(unit.name)
        listed.add(key)
        rows.append(_row(unit.name, unit.parent, mine.get(key, []), unit.deadline or fallback, today, listed=True))
    for key in sorted(set(mine) - listed):
        subs = mine[key]
        rows.append(_row(subs[0].agency, "", subs, fallback, today, listed=False))
    return rows


def _row(name: str, parent: str, subs: Sequence[Submission], deadline: dt.date | None, today: dt.date, *,
         listed: bool) -> dict[str, Any]:
    row: dict[str, Any] = {"agency": name, "parent": parent, "deadline": deadline.isoformat() if deadline else "",
                           "file": "", "date": "", "basis": "", "late": "", "errors": "", "note": ""}
    problems: list[str] = [] if listed else [NOT_LISTED]
    if not subs:
        problems.append(NOT_SUBMITTED)
        if deadline is not None:
            row["note"] = (f"已过截止日期 {(today - deadline).days} 天" if today > deadline
                           else f"截止日期未到（还有 {(deadline - today).days} 天）")
        row["status"] = "、".join(problems)
        return row
    versions: dict[str, list[Submission]] = {}
    for s in sorted(subs, key=lambda s: s.file):
        versions.setdefault(s.content, []).append(s)
    row["file"] = "；".join(s.file for s in sorted(subs, key=lambda s: s.file))
    if len(versions) > 1:
        problems.append(DUPLICATE)
        row["note"] = f"{len(versions)} 份内容不同的报告，请与该单位核实以哪一份为准，并把其余的移出文件夹"
        row["status"] = "、".join(problems)
        return row
    copies = next(iter(versions.values()))
    first = copies[0]
    if len(copies) > 1:
        row["note"] = f"同一份报告的 {len(copies)} 个副本，只计一次"
    if first.errors:
        problems.append(WITH_ERRORS)
        row["errors"] = first.errors
    day, basis = submitted_on(first)
    if day is not None:
        row["date"], row["basis"] = day.isoformat(), basis
        if deadline is not None and day > deadline:
            problems.append(LATE)
            row["late"] = (day - deadline).days
    row["status"] = "、".join(problems) or SUBMITTED
    return row


def counts(rows: Iterable[dict[str, Any]]) -> dict[str, int]:
    """How many units have each status (a unit late and with 错误 counts under both)."""
    out = dict.fromkeys(STATUSES, 0)
    for r in rows:
        for status in str(r["status"]).split("、"):
            out[status] = out.get(status, 0) + 1
    return out


def counts_line(rows: Sequence[dict[str, Any]], year: int | None, how: str) -> str:
    c = counts(rows)
    expected = sum(1 for r in rows if NOT_LISTED not in str(r["status"]))
    parts = [f"应报送 {expected} 个单位", f"已报送 {expected - c[NOT_SUBMITTED]} 个", f"未报送 {c[NOT_SUBMITTED]} 个",
             f"逾期 {c[LATE]} 个", f"有错误 {c[WITH_ERRORS]} 个", f"重复报送 {c[DUPLICATE]} 个"]
    if c[NOT_LISTED]:
        parts.append(f"不在名单中 {c[NOT_LISTED]} 个")
    return f"报送情况（{year or '年度未知'}年度，{how}）：" + "，".join(parts) + "。"

"""The register of applications (依申请台账) and table 三 derived from it, so that it balances by construction.

Every office that handles applications keeps a register, one row per application; the whole of table 三 follows
from its dates, its applicant classes and its outcomes. For report year Y:

- 一、本年新收: received within Y, by applicant class;
- 二、上年结转: received before Y-01-01 and not finished before it;
- each outcome row: finished within Y with that outcome; （七）总计 is their sum (the spec's ``sum_of``);
- 四、结转下年度继续办理: received by Y-12-31 and not finished by it;
- the 总计 column: the six classes (again the spec's ``sum_of``).

So 一 + 二 = （七）总计 + 四 holds in every column by construction: a case received by Y-12-31 and not finished
before Y is either finished within Y or still open at its end. Cases received after Y-12-31 belong to the next
year and are not counted (the rules say so); cases finished before Y belong to earlier years.

A register is derived only when every row can be read with certainty: a date that is not a date or not
plausible, a finish date before the receipt, an outcome without a finish date (or the reverse), a class or an
outcome that is not one of the options, or a case number used twice make the derivation stop — the rules name
each row, and table 三 is left as it stands rather than counted from a guess.

Which columns, rows and labels take part is the spec's (``template.ledger``); nothing here names one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..spec import CellKey, Choice, Form, LedgerColumn, LedgerSheet, load_calendar
from .dates import as_date
from .numbers import read

# The kinds of problem a register row can have; each is one rule of the catalogue (kind ``ledger_rows``).
DATES, ORDER, PAIRING, CHOICES, DUPLICATES, BEYOND = "dates", "order", "pairing", "choices", "duplicates", "beyond"
PROBLEM_KINDS = (DATES, ORDER, PAIRING, CHOICES, DUPLICATES, BEYOND)

_TIME_OF_DAY = re.compile(r"(?:\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*$")  # an export's "2025-03-05 10:20:33"
MAX_SHOWN = 40  # characters of a value quoted in a message
MAX_REMEMBERED = 4096  # label texts remembered with their verdict (a register repeats a few dozen)


@dataclass(frozen=True)
class Entry:
    """One row of a register as read: its row (on the register sheet, or the line of a register file) and its
    values in the order of the spec's register columns (numbers, text, dates or ``None``, never repaired)."""

    row: int
    values: tuple[Any, ...]


@dataclass(frozen=True)
class Ledger:
    """The rows of a register that hold an application, the first row past its last row that holds something (if
    any), and the last row that holds anything, a remark alone included (0: none)."""

    entries: tuple[Entry, ...] = ()
    beyond: int | None = None
    used: int = 0

    def __len__(self) -> int:
        return len(self.entries)


@dataclass(frozen=True)
class Case:
    """A register row read with certainty: the keys it counts under (a column and, once finished, a row)."""

    row: int
    case_id: str | None
    received: dt.date
    applicant: str
    finished: dt.date | None
    outcome: str | None


@dataclass(frozen=True)
class Problem:
    """Why a register row cannot be counted: its kind (one rule each), the row and column, and the reason."""

    kind: str
    row: int
    column: LedgerColumn | None
    reason: str


@dataclass(frozen=True)
class Reading:
    """A register read: the cases, the problems (each stops the derivation), the cases after the year."""

    cases: tuple[Case, ...]
    problems: tuple[Problem, ...]

    @property
    def complete(self) -> bool:
        return not self.problems

    def later(self, year: int) -> tuple[Case, ...]:
        """Cases received after the report year: the next year's, not counted."""
        end = dt.date(year, 12, 31)
        return tuple(c for c in self.cases if c.received > end)


def spec_of(form: Form) -> LedgerSheet | None:
    """The register of a form's template, or None (a format without a template, a template without one)."""
    return form.template.ledger if form.template is not None else None


def value(spec: LedgerSheet, entry: Entry, column: LedgerColumn) -> Any:
    """A row's value in one column of the register."""
    return entry.values[_positions(spec)[column.key]]


_POSITIONS: dict[int, tuple[LedgerSheet, dict[str, int]]] = {}


def _positions(spec: LedgerSheet) -> dict[str, int]:
    """Where each column's value stands in an entry, worked out once per spec (forms are loaded once)."""
    found = _POSITIONS.get(id(spec))
    if found is None or found[0] is not spec:
        found = _POSITIONS[id(spec)] = (spec, {c.key: i for i, c in enumerate(spec.columns)})
    return found[1]


def blank(raw: Any) -> bool:
    """Nothing in the cell: ``None``, or text of spaces only (as ``numbers.read`` has it, without its cost)."""
    return raw is None or (isinstance(raw, str) and not raw.strip())


def shown(raw: Any) -> str:
    text = raw.isoformat() if isinstance(raw, (dt.date, dt.datetime)) else str(raw).strip()
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "…"


class _Options:
    """The register's dropdown options of one form, normalised once: label or variant → key."""

    def __init__(self, form: Form) -> None:
        self.form = form
        self.applicants = form.applicant_choices()
        self.outcomes = form.outcome_choices()
        self.applicant_index = _index(form, self.applicants)
        self.outcome_index = _index(form, self.outcomes)
        self.applicant_label = {c.key: c.label for c in self.applicants}
        self.outcome_label = {c.key: c.label for c in self.outcomes}
        # a register repeats a few dozen texts thousands of times: each is normalised once
        self.seen: dict[tuple[bool, str], str | None] = {}


def _index(form: Form, choices: Sequence[Choice]) -> dict[str, str]:
    return {form.normalize(text): c.key for c in choices for text in (c.label, *c.variants)}


_OPTIONS: dict[int, _Options] = {}


def options(form: Form) -> _Options:
    found = _OPTIONS.get(id(form))
    if found is None or found.form is not form:
        found = _OPTIONS[id(form)] = _Options(form)
    return found


def as_day(raw: Any) -> dt.date | None:
    """A register date: a date cell, or text such as ``2025-03-05``, ``2025/3/5``, ``2025年3月5日`` (a time of
    day after it, as exports write it, is left aside). Numbers are not dates: a date cell without a date
    format reads as a serial number, which the clerk would not recognise either."""
    if isinstance(raw, str):
        raw = _TIME_OF_DAY.sub("", raw.strip())
    return as_date(raw)


def choice_key(form: Form, raw: Any, *, outcome: bool) -> str | None:
    """The key an applicant class or an outcome label counts under, or None when it is not one of the options."""
    if not isinstance(raw, str):
        return None
    opts = options(form)
    key = (outcome, raw)
    if key not in opts.seen:
        if len(opts.seen) >= MAX_REMEMBERED:
            opts.seen.clear()
        opts.seen[key] = (opts.outcome_index if outcome else opts.applicant_index).get(form.normalize(raw))
    return opts.seen[key]


def read_ledger(form: Form, ledger: Ledger, *, today: dt.date | None = None) -> Reading:
    """Every row of the register read, or the problems that keep it from being counted.

    ``today`` bounds the dates from above (a date that has not come yet); None leaves that bound out.
    """
    spec = spec_of(form)
    if spec is None:
        return Reading((), ())
    cases: list[Case] = []
    problems: list[Problem] = []
    first_of: dict[str, int] = {}
    for entry in ledger.entries:
        found: list[Problem] = []
        case_id = _case_id(value(spec, entry, spec.case_id))
        if case_id is not None:
            first = first_of.setdefault(case_id, entry.row)
            if first != entry.row:
                found.append(Problem(DUPLICATES, entry.row, spec.case_id, f"编号“{shown(case_id)}”与第{first}行重复。"))
        received = _date(spec, entry, spec.received, today, found, required=True)
        finished = _date(spec, entry, spec.finished, today, found, required=False)
        applicant = _choice(form, spec, entry, spec.applicant, found, outcome=False)
        outcome = _choice(form, spec, entry, spec.outcome, found, outcome=True)
        raw_finished, raw_outcome = value(spec, entry, spec.finished), value(spec, entry, spec.outcome)
        if received is not None and finished is not None and finished < received:
            found.append(Problem(ORDER, entry.row, spec.finished,
                                 f"办结日期 {finished.isoformat()} 早于收到日期 {received.isoformat()}。"))
        if blank(raw_finished) and not blank(raw_outcome):
            found.append(Problem(PAIRING, entry.row, spec.finished,
                                 "填写了办理结果，但没有办结日期：已办结的请填写办结日期，尚未办结的请清空办理结果。"))
        elif not blank(raw_finished) and blank(raw_outcome):
            found.append(Problem(PAIRING, entry.row, spec.outcome,
                                 "填写了办结日期，但没有办理结果：请选择办理结果；尚未办结的请清空办结日期。"))
        if found:
            problems += found
        elif received is not None and applicant is not None:
            cases.append(Case(entry.row, case_id, received, applicant, finished, outcome))
    if ledger.beyond is not None:
        problems.append(Problem(BEYOND, ledger.beyond, None,
                                f"台账最多{spec.max_rows}行（第{spec.first_row}至{spec.last_row}行），第{ledger.beyond}行"
                                "及以下的内容没有读取，也没有计入表三。请把这些申请移到台账的范围内。"))
    return Reading(tuple(cases), tuple(problems))


def _case_id(raw: Any) -> str | None:
    if blank(raw):
        return None
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def _date(spec: LedgerSheet, entry: Entry, column: LedgerColumn, today: dt.date | None, found: list[Problem],
          *, required: bool) -> dt.date | None:
    raw = value(spec, entry, column)
    if blank(raw):
        if required:
            found.append(Problem(DATES, entry.row, column, f"未填写{column.label}：每件申请都要有{column.label}。"))
        return None
    day = as_day(raw)
    if day is None:
        what = "是数字" if read(raw).kind == "number" else "不是日期"
        found.append(Problem(DATES, entry.row, column,
                             f"“{shown(raw)}”{what}，请填写日期，例如 2025-03-05（单元格应为日期格式）。"))
    elif day < spec.earliest_date:
        found.append(Problem(DATES, entry.row, column,
                             f"{day.isoformat()} 早于《政府信息公开条例》施行之日（{spec.earliest_date.isoformat()}），"
                             "不是合理的日期，请核对。"))
    elif today is not None and day > today:
        found.append(Problem(DATES, entry.row, column,
                             f"{day.isoformat()} 晚于今天（{today.isoformat()}），还没有到来，请核对。"))
    else:
        return day
    return None


def _choice(form: Form, spec: LedgerSheet, entry: Entry, column: LedgerColumn, found: list[Problem], *,
            outcome: bool) -> str | None:
    raw = value(spec, entry, column)
    if blank(raw):
        if not outcome:
            found.append(Problem(CHOICES, entry.row, column, f"未填写{column.label}。"))
        return None
    key = choice_key(form, raw, outcome=outcome)
    if key is None:
        opts = options(form)
        if outcome:
            hint = ("请从下拉列表中选择，写法与表三的行名相同，例如“" + opts.outcomes[0].label + "”“"
                    + opts.outcomes[2].label + "”")
        else:
            hint = "应为" + "、".join(f"“{c.label}”" for c in opts.applicants) + "之一"
        found.append(Problem(CHOICES, entry.row, column, f"“{shown(raw)}”不是{column.label}的选项：{hint}。"))
    return key


def table_values(form: Form, cases: Iterable[Case], year: int) -> dict[CellKey, int]:
    """Table 三's input cells counted from the cases for ``year`` (every input cell, zeros included)."""
    spec = spec_of(form)
    if spec is None:
        return {}
    table = form.table(spec.table)
    out = {c.key: 0 for c in form.input_cells() if c.key.table == table.key}
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    for case in cases:
        if case.received > end:
            continue  # the next year's
        def count(row: str, case: Case = case) -> None:
            key = CellKey(table.key, row, case.applicant)
            out[key] += 1
        if case.received >= start:
            count(spec.received_row)
        elif case.finished is None or case.finished >= start:
            count(spec.carried_in_row)
        if case.finished is not None and start <= case.finished <= end and case.outcome is not None:
            count(case.outcome)
        if case.finished is None or case.finished > end:
            count(spec.carried_out_row)
    return out


@dataclass(frozen=True)
class Derivation:
    """Table 三's input cells from the register, and how many cases it counted (received by the year's end)."""

    values: Mapping[CellKey, int]
    cases: tuple[Case, ...]  # the cases counted (received by the end of the year)
    later: tuple[Case, ...]

    @property
    def counted(self) -> int:
        return len(self.cases)


def derivation(form: Form, ledger: Ledger | None, year: int | None, *, today: dt.date | None = None,
               reading: Reading | None = None) -> Derivation | None:
    """Table 三 from the register, when it has rows, the year is known and every row reads with certainty.

    ``reading``: the register already read (with the same ``today``), so that it is read once per check.
    """
    if ledger is None or not ledger.entries or year is None or spec_of(form) is None:
        return None
    reading = reading or read_ledger(form, ledger, today=today)
    if not reading.complete:
        return None
    end = dt.date(year, 12, 31)
    counted = tuple(c for c in reading.cases if c.received <= end)
    return Derivation(table_values(form, counted, year), counted, reading.later(year))


def differences(form: Form, stated: Mapping[CellKey, Any], derived: Mapping[CellKey, int]
                ) -> Iterator[tuple[str, list[tuple[CellKey, Any, int]]]]:
    """(row key, [(cell, stated, derived)…]) for each row of the table whose stated inputs differ from the
    register's counts, in the table's order."""
    by_row: dict[str, list[tuple[CellKey, Any, int]]] = {}
    for key, count in derived.items():
        r = read(stated.get(key))
        if r.kind != "number" or r.number != count:
            by_row.setdefault(key.row, []).append((key, stated.get(key), count))
    spec = spec_of(form)
    if spec is None:
        return
    for row in form.table(spec.table).rows:
        if row.key in by_row:
            yield row.key, by_row[row.key]


def roll_over(form: Form, ledger: Ledger, year: int) -> Ledger:
    """Next year's register: every row not finished by the end of ``year`` — the cases still open then, those
    received after it, and rows whose finish date cannot be read (kept, so that nothing is lost) — in order,
    from the register's first row."""
    spec = spec_of(form)
    if spec is None:
        return Ledger()
    end = dt.date(year, 12, 31)
    kept = []
    for entry in ledger.entries:
        finished = as_day(value(spec, entry, spec.finished))
        if finished is None or finished > end:
            kept.append(entry)
    return placed(form, kept)


def placed(form: Form, entries: Sequence[Entry]) -> Ledger:
    """The entries renumbered onto the register sheet, from its first row (``beyond`` past its last)."""
    spec = spec_of(form)
    if spec is None:
        return Ledger()
    rows = [replace(e, row=spec.first_row + i) for i, e in enumerate(entries)]
    inside = tuple(e for e in rows if e.row <= spec.last_row)
    return Ledger(inside, spec.last_row + 1 if len(inside) < len(rows) else None)


@dataclass(frozen=True)
class Timeliness:
    """How many of the year's finished cases were answered within the statutory working days."""

    answered: int
    within: int
    limit: int  # the statutory working days

    @property
    def late(self) -> int:
        return self.answered - self.within


def working_days(received: dt.date, finished: dt.date) -> int | None:
    """Working days from the day after receipt to the finish date, inclusive (the day of receipt is not counted:
    a period counted in days starts on the next day); None when the calendar does not know a year of the span."""
    cal = load_calendar()
    if any(y not in cal.years for y in range(received.year, finished.year + 1)):
        return None
    days, day = 0, received + dt.timedelta(days=1)
    while day <= finished:
        days += cal.is_working_day(day)
        day += dt.timedelta(days=1)
    return days


def timeliness(cases: Iterable[Case], year: int) -> Timeliness | None:
    """Cases finished within ``year``, and how many of them within the statutory time; None when there are none
    or when a span reaches a year whose holidays are not known (the figure would not be proven)."""
    limit = load_calendar().answer_days
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    answered = within = 0
    for c in cases:
        if c.finished is None or not start <= c.finished <= end:
            continue
        days = working_days(c.received, c.finished)
        if days is None:
            return None
        answered += 1
        within += days <= limit
    return Timeliness(answered, within, limit) if answered else None

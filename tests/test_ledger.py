"""The register of applications in the core: table 三 counted from hand-made registers, each problem of a row named,
the time taken to answer in working days, next year's register, and R1's diagnosis of a misplaced application."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest

from conftest import TODAY, load
from xl_gongkai.core.derive import fill
from xl_gongkai.core.findings import ERROR, WARNING
from xl_gongkai.core.ledger import Entry, Ledger, derivation, read_ledger, roll_over, timeliness, working_days
from xl_gongkai.core.report import Report
from xl_gongkai.core.rules import check
from xl_gongkai.core.summary import summarize
from xl_gongkai.spec import CellKey, load_form

FORM = load_form()
SPEC = FORM.workbook.ledger
assert SPEC is not None
APPLICANT = {c.key: c.label for c in FORM.applicant_choices()}
OUTCOME = {c.key: c.label for c in FORM.outcome_choices()}
T = "requests"


def entry(row: int, received: Any, applicant: Any = "自然人", finished: Any = None, outcome: Any = None,
          case_id: Any = None, remark: Any = None) -> Entry:
    """A register row by what it holds, whatever order the spec's columns have."""
    given = {SPEC.case_id.key: case_id, SPEC.received.key: received, SPEC.applicant.key: applicant,
             SPEC.finished.key: finished, SPEC.outcome.key: outcome, SPEC.remark.key: remark}
    return Entry(row, tuple(given[c.key] for c in SPEC.columns))


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def report(*entries: Entry, year: int = 2025, values: dict[CellKey, Any] | None = None) -> Report:
    base = Report.empty(FORM, agency="某局", year=year)
    return replace(base, ledger=Ledger(tuple(entries)), values={**base.values, **(values or {})})


def test_each_row_is_counted_where_its_dates_put_it() -> None:
    """新收: received in the year; 上年结转: before it and still open on 1 January; an outcome row: finished in the
    year; 结转下年度: still open on 31 December; received after the year: not counted at all."""
    ledger = Ledger((
        entry(4, d("2025-03-05"), "自然人", d("2025-03-20"), OUTCOME["disclosed"]),  # new, disclosed
        entry(5, d("2024-12-20"), "商业企业", d("2025-01-10"), OUTCOME["withheld_state_secret"]),  # carried in
        entry(6, d("2024-12-28"), "商业企业"),  # carried in, still open: carried out
        entry(7, d("2025-12-30"), "其他"),  # new, open at the end of the year
        entry(8, d("2025-12-30"), "其他", d("2026-01-05"), OUTCOME["other_other"]),  # new, finished next year
        entry(9, d("2024-05-01"), "自然人", d("2024-05-10"), OUTCOME["disclosed"]),  # an earlier year's
        entry(10, d("2026-01-04"), "自然人"),  # the next year's
    ))
    done = derivation(FORM, ledger, 2025, today=TODAY)
    assert done is not None and done.counted == 6 and [c.row for c in done.later] == [10]
    nonzero = {str(k): v for k, v in done.values.items() if v}
    assert nonzero == {
        f"{T}.new.natural_person": 1, f"{T}.new.other_org": 2,
        f"{T}.carried_in.commercial": 2,
        f"{T}.disclosed.natural_person": 1, f"{T}.withheld_state_secret.commercial": 1,
        f"{T}.carried_out.commercial": 1, f"{T}.carried_out.other_org": 2,
    }
    assert len(done.values) == 144  # every input cell of table 三, zeros included


def test_the_counted_table_balances_and_adds_up_by_construction() -> None:
    ledger = Ledger((entry(4, d("2024-11-02"), "科研机构"), entry(5, d("2025-02-02"), "科研机构", d("2025-02-03"),
                                                                   OUTCOME["partial"]),
                     entry(6, d("2025-06-01"), "法律服务机构", d("2025-06-30"), OUTCOME["rejected_repeat"])))
    r = report(*ledger.entries)
    done = derivation(FORM, r.ledger, 2025, today=TODAY)
    assert done is not None
    counted = fill(r.with_values({**{c.key: 0 for c in FORM.input_cells()}, **done.values}))  # totals as 填充合计
    assert {f.rule for f in check(counted, today=TODAY).findings} == {"S1"}  # the narrative is not written


@pytest.mark.parametrize(("row", "rule", "column", "words"), [
    (entry(4, None), "L1", "received", "未填写收到日期"),
    (entry(4, "2025-13-01"), "L1", "received", "“2025-13-01”不是日期"),
    (entry(4, 45658), "L1", "received", "“45658”是数字"),
    (entry(4, d("2007-12-31")), "L1", "received", "早于《政府信息公开条例》施行之日（2008-05-01）"),
    (entry(4, d("2026-11-27")), "L1", "received", "晚于今天（2026-11-26）"),
    (entry(4, d("2025-03-05"), finished="三月", outcome=OUTCOME["disclosed"]), "L1", "finished", "“三月”不是日期"),
    (entry(4, d("2025-03-05"), finished=d("2025-03-04"), outcome=OUTCOME["disclosed"]), "L2", "finished",
     "办结日期 2025-03-04 早于收到日期 2025-03-05"),
    (entry(4, d("2025-03-05"), outcome=OUTCOME["disclosed"]), "L3", "finished", "填写了办理结果，但没有办结日期"),
    (entry(4, d("2025-03-05"), finished=d("2025-03-06")), "L3", "outcome", "填写了办结日期，但没有办理结果"),
    (entry(4, d("2025-03-05"), None), "L4", "applicant", "未填写申请人类别"),
    (entry(4, d("2025-03-05"), "个人"), "L4", "applicant", "“个人”不是申请人类别的选项"),
    (entry(4, d("2025-03-05"), finished=d("2025-03-06"), outcome="予以公开了"), "L4", "outcome",
     "“予以公开了”不是办理结果的选项"),
])
def test_each_problem_of_a_row_is_named_with_its_row_and_column(row: Entry, rule: str, column: str,
                                                                 words: str) -> None:
    r = report(entry(5, d("2025-01-06"), "自然人", d("2025-01-07"), OUTCOME["disclosed"]), row)
    findings = [f for f in check(r, today=TODAY).findings if f.rule.startswith("L")]
    assert [f.rule for f in findings] == [rule], [f.message for f in findings]
    f = findings[0]
    label = SPEC.column(column).label
    assert f.severity is ERROR and f.message.startswith(f"{rule} {SPEC.sheet}第4行“{label}”：") and words in f.message
    assert f.place.sheet == SPEC.sheet and f.place.cell == f"{SPEC.column(column).at}4"
    assert f.key == f"{rule}:ledger.4.{column}"
    # a row that cannot be counted stops the derivation: table 三 is left as stated, and L7 says nothing
    assert derivation(FORM, r.ledger, 2025, today=TODAY) is None


def test_a_case_number_used_twice_is_named_at_its_second_row() -> None:
    r = report(entry(4, d("2025-01-06"), case_id="2025-001"), entry(5, d("2025-01-07"), case_id=" 2025-001"),
               entry(6, d("2025-01-08"), case_id="2025-002"), entry(7, d("2025-01-09")), entry(8, d("2025-01-10")))
    (f,) = check(r, today=TODAY).by_rule("L5")
    assert f.message == f"L5 {SPEC.sheet}第5行“{SPEC.case_id.label}”：编号“2025-001”与第4行重复。"


def test_labels_are_read_as_the_official_table_prints_them_or_a_known_form_of_it() -> None:
    """Half-width brackets, spaces left out, the group's short name: still the same outcome; the label that the
    dropdown offers is the group label, a space and the item label."""
    assert OUTCOME["withheld_state_secret"] == "（三）不予公开 1.属于国家秘密"
    assert OUTCOME["other_other"] == "（六）其他处理 3.其他"
    assert OUTCOME["disclosed"] == "（一）予以公开"
    written = ["(三)不予公开1.属于国家秘密", "不予公开 1.属于国家秘密", "（二）部分公开", "（六）1.逾期不补正",
               "（六）其他处理 1.逾期不补正"]
    rows = [entry(4 + i, d("2025-02-01"), "自然人", d("2025-02-02"), text) for i, text in enumerate(written)]
    done = derivation(FORM, Ledger(tuple(rows)), 2025, today=TODAY)
    assert done is not None
    got = {k.row: v for k, v in done.values.items() if v and k.row not in ("new",)}
    assert got == {"withheld_state_secret": 2, "partial": 1, "other_no_correction": 2}


def test_cases_after_the_year_are_said_once_and_not_counted() -> None:
    later = [entry(5 + i, d("2026-01-05")) for i in range(10)]
    r = report(entry(4, d("2025-01-06")), *later)
    (f,) = check(r, today=TODAY).by_rule("L6")
    assert f.severity is WARNING and f.place.cell == f"{SPEC.received.at}5"
    assert f.message.startswith(f"L6 {SPEC.sheet}第5、6、7、8、9、10、11、12等行共10件申请的收到日期"
                                "在2025年12月31日之后")
    done = derivation(FORM, r.ledger, 2025, today=TODAY)
    assert done is not None and done.counted == 1


def test_content_past_the_registers_last_row_is_an_error() -> None:
    r = replace(report(entry(4, d("2025-01-06"))), ledger=Ledger((entry(4, d("2025-01-06")),), SPEC.last_row + 1))
    (f,) = check(r, today=TODAY).by_rule("L8")
    assert f"第{SPEC.last_row + 1}行及以下的内容没有读取" in f.message and f.severity is ERROR


def test_a_hand_typed_table_that_differs_from_the_register_is_an_error_naming_the_cells() -> None:
    rows = [entry(4, d("2025-01-06"), "自然人", d("2025-01-07"), OUTCOME["disclosed"]),
            entry(5, d("2025-01-06"), "自然人", d("2025-01-09"), OUTCOME["disclosed"]),
            entry(6, d("2025-02-06"), "其他")]
    counted = derivation(FORM, Ledger(tuple(rows)), 2025, today=TODAY)
    assert counted is not None
    typed = dict(counted.values)
    typed[CellKey(T, "new", "natural_person")] = 1  # one application counted under 其他 instead
    typed[CellKey(T, "new", "other_org")] = 2
    typed[CellKey(T, "carried_out", "commercial")] = None  # and a blank
    found = check(report(*rows, values=typed), today=TODAY).by_rule("L7")
    assert [f.key for f in found] == [f"L7:{T}.new", f"L7:{T}.carried_out"]
    assert found[0].message == (f"L7 表三“一、本年新收”行与{SPEC.sheet}不一致：“自然人”表中为1、台账为2；"
                                "“其他”表中为2、台账为1。可点击“填充合计”按台账重新填写表三。")
    assert set(found[0].cells) == {f"{T}.new.natural_person", f"{T}.new.other_org"}
    assert found[0].place.cell == "D5" and found[0].severity is ERROR
    assert "“商业企业”表中为空白、台账为0" in found[1].message


def test_without_a_register_nothing_is_derived_or_said() -> None:
    huaian = load("huaian-city-2024")
    assert huaian.ledger is None
    empty = replace(huaian, ledger=Ledger())
    assert check(huaian, today=TODAY).findings == check(empty, today=TODAY).findings == ()
    assert derivation(FORM, empty.ledger, empty.year, today=TODAY) is None


def test_r1_says_that_an_application_was_probably_put_in_the_wrong_applicant_column() -> None:
    """The shape of a real 2025 report: 自然人 60+0 ≠ 61+0 and 其他 1+0 ≠ 0+0 while 总计 balances."""
    huaian = load("huaian-city-2024")
    moved = huaian.with_values({CellKey(T, "new", "natural_person"): huaian.value(f"{T}.new.natural_person") - 1,
                                CellKey(T, "new", "other_org"): huaian.value(f"{T}.new.other_org") + 1})
    found = check(moved, today=TODAY).by_rule("R1")
    assert [f.key for f in found] == [f"R1:{T}.*.natural_person", f"R1:{T}.*.other_org"]
    for f in found:
        assert "“自然人”列与“其他”列的差额正好相反，而“总计”列平衡：很可能有 1 件申请" in f.message
    assert [f.values["diff"] for f in found] == [-1, 1]


@pytest.mark.parametrize("change", [
    {"natural_person": -2, "other_org": 1, "commercial": 1},  # three columns
    {"natural_person": -1, "other_org": 2},  # not opposite
])
def test_r1_says_nothing_more_when_the_differences_do_not_cancel_in_two_columns(change: dict[str, int]) -> None:
    huaian = load("huaian-city-2024")
    moved = huaian.with_values({CellKey(T, "new", k): huaian.value(f"{T}.new.{k}") + v for k, v in change.items()})
    found = check(moved, today=TODAY).by_rule("R1")
    assert found and not any("差额正好相反" in f.message for f in found)


# Working days: counted from the day after receipt to the finish date, with the State Council's holidays and the
# weekend days worked instead (2025: 春节 1月28日–2月4日, 1月26日（周日）和2月8日（周六）上班).
@pytest.mark.parametrize(("received", "finished", "days"), [
    ("2025-03-03", "2025-03-03", 0),  # answered on the day (当场答复)
    ("2025-03-03", "2025-03-31", 20),  # Monday to the fourth Monday after: 4 weeks = 20 working days
    ("2025-03-03", "2025-04-01", 21),
    # 1-25 Sat; 1-26 Sun worked (1); 1-27 (2); 1-28..2-4 holiday; 2-5, 2-6, 2-7 (5); 2-8 Sat worked (6); 2-10 (7)
    ("2025-01-24", "2025-02-10", 7),
    # 9-28 Sun worked (1); 9-29, 9-30 (3); 10-1..10-8 holiday; 10-9, 10-10 (5); 10-11 Sat worked (6); 10-13 (7)
    ("2025-09-26", "2025-10-13", 7),
    # 12-31 (1); 2026-01-01..03 holiday; 01-04 Sun worked (2); 01-05 (3)
    ("2025-12-30", "2026-01-05", 3),
])
def test_working_days_follow_the_official_calendar(received: str, finished: str, days: int) -> None:
    assert working_days(d(received), d(finished)) == days


def test_a_span_reaching_a_year_the_calendar_does_not_know_is_not_counted() -> None:
    assert working_days(d("2019-12-20"), d("2020-01-10")) is None
    cases = read_ledger(FORM, Ledger((entry(4, d("2019-12-20"), "自然人", d("2020-01-10"), OUTCOME["disclosed"]),)))
    assert timeliness(cases.cases, 2020) is None


def test_the_summary_says_how_many_were_answered_in_time_only_when_the_table_is_the_registers() -> None:
    rows = [entry(4, d("2025-03-03"), "自然人", d("2025-03-31"), OUTCOME["disclosed"]),  # 20 working days
            entry(5, d("2025-03-03"), "自然人", d("2025-04-01"), OUTCOME["disclosed"]),  # 21
            entry(6, d("2025-03-03"), "商业企业", d("2025-03-03"), OUTCOME["partial"])]  # 0
    counted = derivation(FORM, Ledger(tuple(rows)), 2025, today=TODAY)
    assert counted is not None
    zero = {c.key: 0 for c in FORM.input_cells() if c.key.table != T}
    r = report(*rows, values={**zero, **counted.values})
    text = summarize(r).paragraphs[T]
    assert text.endswith("按依申请台账的收到和办结日期计算，办结的3件申请中，2件在收到申请之日起20个工作日内答复，"
                         "1件超过20个工作日。")
    typed = {**zero, **counted.values, CellKey(T, "disclosed", "natural_person"): 1}
    assert "工作日" not in summarize(report(*rows, values=typed)).paragraphs[T]  # the table is not the register's
    assert "工作日" not in summarize(replace(r, ledger=None)).paragraphs[T]  # no register, no dates


def test_next_years_register_keeps_every_row_not_finished_by_the_end_of_the_year() -> None:
    rows = (entry(4, d("2025-01-06"), finished=d("2025-01-07"), outcome=OUTCOME["disclosed"], case_id="a"),
            entry(9, d("2025-12-20"), case_id="b"),  # open at the end of the year
            entry(11, d("2025-12-29"), finished=d("2026-01-06"), outcome=OUTCOME["disclosed"], case_id="c"),
            entry(12, d("2026-01-03"), case_id="d"),  # received after the year
            entry(15, d("2025-05-05"), finished="不详", outcome=OUTCOME["disclosed"], case_id="e"))  # unreadable
    rolled = roll_over(FORM, Ledger(rows), 2025)
    ids = [e.values[SPEC.columns.index(SPEC.case_id)] for e in rolled.entries]
    assert ids == ["b", "c", "d", "e"] and [e.row for e in rolled.entries] == [4, 5, 6, 7]
    nxt = derivation(FORM, Ledger(rolled.entries[:3]), 2026, today=TODAY)
    assert nxt is not None
    nonzero = {str(k): v for k, v in nxt.values.items() if v}
    assert nonzero == {f"{T}.carried_in.natural_person": 2, f"{T}.new.natural_person": 1,
                       f"{T}.disclosed.natural_person": 1, f"{T}.carried_out.natural_person": 2}

"""Property tests: deriving then checking is clean; any single change after deriving is caught there."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from conftest import TODAY
from xl_gongkai.core.derive import fill
from xl_gongkai.core.report import Report
from xl_gongkai.core.rules import check
from xl_gongkai.spec import CellKey, load_form

FORM = load_form()
REQ = FORM.table("requests")
ARITH = {"R1", "R2", "R3", "R4"}
counts = st.integers(min_value=0, max_value=10**6)


@st.composite
def consistent_inputs(draw: st.DrawFn) -> Report:
    """Random non-negative inputs that satisfy the printed 勾稽关系 (一+二 = （七）+四), column by column."""
    values: dict[CellKey, object] = {}
    for cell in FORM.input_cells():
        if cell.unit == "万元":
            values[cell.key] = draw(st.decimals(min_value=0, max_value=10**5, places=4)).__float__()
        else:
            values[cell.key] = draw(counts)
    outcome_rows = REQ.row("total").sum_of
    for col in REQ.columns:
        if col.sum_of:
            continue
        answered = sum(values[CellKey("requests", r, col.key)] for r in outcome_rows)  # type: ignore[misc]
        demand = answered + values[CellKey("requests", "carried_out", col.key)]  # type: ignore[operator]
        carried_in = draw(st.integers(min_value=0, max_value=demand))
        values[CellKey("requests", "carried_in", col.key)] = carried_in
        values[CellKey("requests", "new", col.key)] = demand - carried_in
    return Report(FORM, {"agency": "测试机关", "year": 2024}, values)


@pytest.mark.slow  # seconds of CPU: in `make test`, not in the fast loop
@settings(max_examples=150, deadline=None)
@given(consistent_inputs())
def test_deriving_then_checking_has_no_arithmetic_finding(report: Report) -> None:
    v = check(fill(report), today=TODAY)
    assert [f.key for f in v.findings if f.rule in ARITH] == []


def expected_rules(cell: CellKey) -> set[str]:
    """Which arithmetic rules must fire when this input changes alone (read from the spec, not hard-coded)."""
    if cell.table == "appeals":
        return {"R4"}
    if cell.table == "requests":
        if cell.row in REQ.row("total").sum_of:
            return {"R2", "R3"}
        return {"R1", "R2"}
    return set()


@pytest.mark.slow  # seconds of CPU: in `make test`, not in the fast loop
@settings(max_examples=200, deadline=None)
@given(consistent_inputs(), st.sampled_from([c.key for c in FORM.input_cells()]),
       st.integers(min_value=1, max_value=1000))
def test_a_single_change_after_deriving_is_caught_at_that_cell(report: Report, key: CellKey, delta: int) -> None:
    derived = fill(report)
    value = derived.values[key]
    broken = derived.with_values({key: value + delta})  # type: ignore[operator]
    found = [f for f in check(broken, today=TODAY).findings if f.rule in ARITH]
    assert {f.rule for f in found} == expected_rules(key)
    for f in found:
        assert str(key) in f.cells, f.message


_EDGE = 2.0**53
_WHOLE = st.one_of(st.integers(-(2**60), 2**60), st.integers(-1000, 1000).map(float),
                   st.sampled_from([_EDGE, -_EDGE, _EDGE - 1, -(_EDGE - 1), -0.0, 0.0]))
_FRACTION = st.one_of(st.floats(-1e20, 1e20), st.floats(-1e6, 1e6).map(lambda x: round(x, 4)),
                      st.sampled_from([_EDGE - 0.5 * 2, 2.0**52 + 0.5, -(2.0**52) - 0.5]))
_ANY = st.one_of(_WHOLE, st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.none(),
                 st.sampled_from(["", "  ", "12", "无", "1.5"]))


@settings(max_examples=300, deadline=None)
@given(values=st.one_of(st.lists(_WHOLE, max_size=30), st.lists(st.one_of(_WHOLE, _FRACTION), max_size=30),
                        st.lists(_ANY, max_size=30)))
@example(values=[_EDGE, 1.0])
@example(values=[-_EDGE, 2])
@example(values=[_EDGE - 1, 2.5, 3.0, -0.0])
def test_the_scan_of_many_values_reads_each_as_read_does(values: list[object]) -> None:
    """``numbers.scan`` answers a report's values at once — mostly in C when all are plain numbers — exactly as ``read``
    answers each: the kind, the number and its type (a whole float below 2**53 becomes that integer)."""
    from xl_gongkai.core.numbers import BLANK_KIND, NUMBER, TEXT, read, scan

    found = scan(values)
    readings = [read(v) for v in values]
    assert found.kinds == "".join({"number": NUMBER, "blank": BLANK_KIND}.get(r.kind, TEXT) for r in readings)
    wanted = [r.number if r.kind == "number" else None for r in readings]
    assert [(type(n), n) for n in found.numbers] == [(type(n), n) for n in wanted]
    assert found.whole == [n if type(n) is int else None for n in wanted]

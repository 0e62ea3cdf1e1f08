"""The rule catalogue is checked when it is loaded: a broken copy is refused, naming the rule and the bad reference.

Each test edits a copy of the shipped ``rules.json`` in one way and builds it; the shipped catalogue itself
loads (every other test uses it). The kinds' declared words are held at run time too (``Rule.finding``).
"""

from __future__ import annotations

import ast
import copy
import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from conftest import TODAY, load
from support.source import SRC, modules, nodes
from xl_gongkai.core.catalogue import CATALOGUE_SEVERITIES, KINDS, Catalogue, build_catalogue, kind, load_catalogue
from xl_gongkai.core.findings import Place
from xl_gongkai.core.report import Report
from xl_gongkai.core.rules import check
from xl_gongkai.spec import CellKey, Severity, SpecError, load_form, load_rules
from xl_gongkai.spec.loader import META_OF, read_bytes
from xl_gongkai.spec.payload_schema import generate

Doc = dict[str, Any]


def rule(doc: Doc, rule_id: str) -> dict[str, Any]:
    return next(r for r in doc["rules"] if r["id"] == rule_id)


def edited(change: Callable[[Doc], object]) -> Doc:
    doc = copy.deepcopy(load_rules())
    change(doc)
    return doc


def refused(change: Callable[[Doc], object]) -> str:
    with pytest.raises(SpecError) as info:
        build_catalogue(edited(change))
    return str(info.value)


def test_the_shipped_catalogue_loads_once() -> None:
    cat = load_catalogue()
    assert isinstance(cat, Catalogue) and cat is load_catalogue()
    assert [r.id for r in cat] == [r["id"] for r in load_rules()["rules"]]
    assert cat.rule("R1").severity is Severity.ERROR and cat.rule("V5").severity is Severity.WARNING
    with pytest.raises(KeyError, match="Z9"):
        cat.rule("Z9")


def test_building_does_not_change_the_document() -> None:
    doc = copy.deepcopy(load_rules())
    build_catalogue(doc)
    assert doc == load_rules()


# -- the acceptance cases of the catalogue check ------------------------------------------------------------


def test_an_unknown_cell_key_is_refused_instead_of_silencing_the_rule() -> None:
    # N1 used to report nothing with this typo: the narrative kind skipped a cell the form lacks
    first_term = ["params", "figures", 0, "accept", 0]

    def typo(d: Doc) -> None:
        target: Any = rule(d, "N1")
        for step in first_term:
            target = target[step]
        target[0] = "requests.new.totl"

    message = refused(typo)
    assert "rule N1" in message and "requests.new.totl" in message
    assert "params.figures[0].accept[0][0]" in message


def test_an_unknown_kind_is_refused() -> None:
    message = refused(lambda d: rule(d, "R1").__setitem__("kind", "balanse"))
    assert "rule R1" in message and "unknown kind 'balanse'" in message


def test_a_missing_parameter_is_refused() -> None:
    message = refused(lambda d: rule(d, "R1")["params"].pop("left"))
    assert "rule R1: params: missing parameter 'left'" in message


def test_an_extra_parameter_is_refused() -> None:
    message = refused(lambda d: rule(d, "V3")["params"].__setitem__("min", 0))
    assert "rule V3: params: unexpected parameter 'min'" in message


def test_a_duplicate_id_is_refused() -> None:
    message = refused(lambda d: rule(d, "R2").__setitem__("id", "R1"))
    assert "rule R1: id is used twice (rules #1 and #2)" in message


def test_a_placeholder_the_kind_does_not_fill_is_refused() -> None:
    message = refused(lambda d: rule(d, "R1").__setitem__("message", "{id} 表三“{colum}”列不平衡。"))
    assert "rule R1: message: placeholder {colum} is not filled by kind balance" in message
    assert "column" in message  # what it does fill is listed


def test_a_kind_registered_twice_is_refused() -> None:
    load_catalogue()  # the kinds are registered
    before = KINDS["balance"]
    with pytest.raises(SpecError, match="kind 'balance' is registered twice"):
        kind("balance", params={}, words=(), scope="")(lambda _ctx: [])
    assert KINDS["balance"] is before


# -- what a rule needs besides the report ----------------------------------------------------------------------


def test_a_rule_that_leaves_out_what_its_kind_needs_is_refused() -> None:
    """X1 without ``needs`` would run without last year's report and silently find nothing."""
    message = refused(lambda d: rule(d, "X1").pop("needs"))
    assert "rule X1: needs: [], but kind carried_over needs previous" in message


def test_a_rule_that_needs_what_its_kind_does_not_is_refused() -> None:
    """R1 needing last year's report would not run in a plain check."""
    message = refused(lambda d: rule(d, "R1").__setitem__("needs", ["previous"]))
    assert "rule R1: needs: [previous], but kind balance needs nothing" in message


def test_an_unknown_need_is_refused() -> None:
    message = refused(lambda d: rule(d, "X1").__setitem__("needs", ["last_week"]))
    assert "rule X1: needs: unknown last_week (known: previous)" in message


def test_a_kind_that_needs_something_unknown_cannot_register() -> None:
    with pytest.raises(SpecError, match="kind 'tomorrow' needs future; known: previous"):
        kind("tomorrow", params={}, needs=("future",), scope="")(lambda _ctx: [])
    assert "tomorrow" not in KINDS


def test_the_catalogue_selects_by_what_rules_need() -> None:
    """The rules a comparison with last year runs are those that declare they need it, each of a kind that does."""
    cat = load_catalogue()
    needing = cat.needing("previous")
    assert needing and all(KINDS[r.kind].needs == {"previous"} for r in needing)
    assert {r.id for r in cat if KINDS[r.kind].needs} == {r.id for r in needing}
    with pytest.raises(KeyError, match="last_week"):
        cat.needing("last_week")


def test_a_rule_that_needs_last_years_report_runs_only_with_it() -> None:
    """Without ``previous`` the engine does not run such a rule; with it, the kind finds it on its context."""
    report = load("huaian-city-2024")
    cat = load_catalogue()
    seen: list[Any] = []
    original = KINDS["previous_year"]
    KINDS["previous_year"] = replace(original, run=lambda ctx: seen.append(ctx.previous) or [])
    try:
        check(report, today=TODAY, rules=[cat.rule("X0")])
        assert seen == []
        check(report, today=TODAY, rules=[cat.rule("X0")], previous=report)
        assert seen == [report]
    finally:
        KINDS["previous_year"] = original


# -- more ways to break it -----------------------------------------------------------------------------------


def _drop_forms(d: Doc) -> None:
    del rule(d, "N1")["params"]["figures"][-1]["forms"]


@pytest.mark.parametrize(("change", "expected"), [
    (lambda d: rule(d, "R1")["params"].__setitem__("table", "request"),
     "rule R1: params.table: form gov-2021 has no table 'request'"),
    (lambda d: rule(d, "R1")["params"]["left"].__setitem__(0, "neww"),
     "rule R1: params.left[0]: table requests of form gov-2021 has no row 'neww'"),
    (lambda d: rule(d, "R2")["params"].__setitem__("key", "natural_person"),
     "rule R2: params.key: column requests.natural_person of form gov-2021 is not a total"),
    (lambda d: rule(d, "R3")["params"].__setitem__("axis", "diagonal"),
     "rule R3: params.axis: 'diagonal' is not one of row, column"),
    (lambda d: rule(d, "X2")["params"].__setitem__("in_force", "in_forc"),
     "rule X2: params.in_force: table active of form gov-2021 has no column 'in_forc'"),
    (lambda d: rule(d, "X2")["params"]["rows"].append("licensing"),
     "rule X2: params.rows[2]: row active.licensing of form gov-2021 has no cell in column(s) in_force, issued"),
    (lambda d: rule(d, "M1")["params"].__setitem__("field", "agncy"),
     "rule M1: params.field: form gov-2021 has no metadata field 'agncy'"),
    (lambda d: rule(d, "V4")["params"].__setitem__("decimals", 2.5),
     "rule V4: params.decimals: expected an integer, not 2.5"),
    (lambda d: rule(d, "N3")["params"].__setitem__("pattern", "统计(期限"),
     "rule N3: params.pattern: regular expression does not compile"),
    (lambda d: rule(d, "N3")["params"].__setitem__("pattern", r"统计(\d{4})年"),
     "rule N3: params.pattern: the kind reads group 2, the expression has 1"),
    (lambda d: rule(d, "N1")["params"]["figures"][11].__setitem__("subject", "revieww"),
     "rule N1: params: figures[11].subject: 'revieww' is not in outcomes.subjects"),
    (lambda d: rule(d, "N1")["params"]["outcomes"]["terms"].__setitem__("维持", "kept"),
     "rule N1: params.outcomes.terms.维持: table appeals of form gov-2021 has no column 'kept'"),
    # a rule that applies to both formats may name only what both have, unless the item says which format
    (_drop_forms, "rule N1: params.figures[13].accept[0][0]: form gov-2019 has no cell active.fees.amount"),
    (lambda d: rule(d, "X3")["params"]["figures"][-1].__setitem__("forms", ["gov-2020"]),
     "rule X3: params.figures[8].forms: gov-2020 is not a form the rule applies to"),
    (lambda d: rule(d, "X2").__setitem__("forms", ["gov-2022"]), "rule X2: forms: unknown form(s) gov-2022"),
    (lambda d: rule(d, "X2").pop("forms"),
     "rule X2: params.in_force: table active of form gov-2019 has no column 'in_force'"),
    (lambda d: rule(d, "R1").__setitem__("unevaluable", "{id} {bad}、{row}"),
     "rule R1: unevaluable: placeholder {row} is not filled by kind balance"),
    (lambda d: rule(d, "R1").pop("unevaluable"), "rule R1: lacks the unevaluable message kind balance uses"),
    (lambda d: rule(d, "V1").__setitem__("unevaluable", "{id} x"),
     "rule V1: has an unevaluable message, but kind blank never uses one"),
    (lambda d: rule(d, "V1").__setitem__("message", "{id} {where"), "rule V1: message: "),
    (lambda d: rule(d, "V1").__setitem__("message", "{id} {0}"),
     "rule V1: message: placeholder {0} is not a plain name"),
    (lambda d: rule(d, "V1").__setitem__("severity", "警告"), "rule V1: severity '警告' is not one of 错误, 提示"),
    (lambda d: rule(d, "I1").__setitem__("message", "{id} {wher}"),
     "rule I1: message: placeholder {wher} is not filled by kind external"),
    (lambda d: rule(d, "I1")["params"].pop("words"), "rule I1: params: missing parameter 'words'"),
])
def test_a_broken_reference_is_refused_naming_the_rule(change: Callable[[Doc], object], expected: str) -> None:
    assert expected in refused(change)


def test_every_problem_is_listed_at_once() -> None:
    def two(d: Doc) -> None:
        rule(d, "R1")["kind"] = "nope"
        rule(d, "M4")["params"]["end"] = "period_ende"

    message = refused(two)
    assert "rule R1: unknown kind 'nope'" in message and "rule M4: params.end:" in message


# -- the factory holds the kinds to the words they declare ------------------------------------------------------


def test_a_finding_must_fill_exactly_the_declared_words() -> None:
    v1 = load_catalogue().rule("V1")
    f = v1.finding("x", place=Place(sheet="表", cell="A1"), where="表三某处", hint="")
    assert f.message.startswith("V1 表三某处为空") and f.key == "V1:x" and f.severity is Severity.ERROR
    with pytest.raises(ValueError, match="rule V1: kind blank fills"):
        v1.finding("x", where="表三某处")
    with pytest.raises(ValueError, match="rule V1"):
        v1.finding("x", where="表三某处", hint="", other="?")
    i2 = load_catalogue().rule("I2")
    assert i2.finding("t", where="表三", what="未找到").message == "I2 表三：未找到。相应单元格按空白处理。"
    with pytest.raises(ValueError, match="rule I2"):
        i2.finding("t", where="表三")


def test_a_rule_that_cannot_run_is_reported_by_the_same_factory() -> None:
    broken = load_catalogue().rule("R1")
    f = broken.broken("KeyError: x")
    assert (f.rule, f.severity, f.key) == ("R1", Severity.ERROR, "R1:rule") and "无法执行" in f.message


# -- the per-format items are used where they belong ---------------------------------------------------------


def test_a_figure_scoped_to_the_2021_format_is_still_read_there() -> None:
    huaian = load("huaian-city-2024")
    fee = huaian.values[load_form().cell("active.fees.amount").key]
    text = f"本年度行政事业性收费{fee + 1}万元。"
    rest = {"problems": "无。", "other": "无。"}  # 五、六 written, so that only the figure can speak
    report = Report(huaian.form, huaian.metadata, huaian.values, narrative={"overview": text, **rest})
    assert [f.rule for f in check(report, today=TODAY).findings] == ["N1"]
    same = f"本年度行政事业性收费{fee}万元。"
    assert check(Report(huaian.form, huaian.metadata, huaian.values, narrative={"overview": same, **rest}),
                 today=TODAY).findings == ()


# -- severity: an enum, one spelling ---------------------------------------------------------------------------


def test_severity_words_are_spelt_once() -> None:
    words = [s.value for s in Severity]
    assert words == ["错误", "提示", "待填写", "待核对"]
    meta = json.loads(read_bytes(META_OF["rules"]))
    # a rule of the catalogue is an 错误, a 提示 or (an importer's) 待核对; 待填写 is made by the engine (a 汇总's
    # empty text), never listed
    listed = [words[0], words[1], words[3]]
    assert meta["properties"]["rules"]["items"]["properties"]["severity"]["enum"] == listed
    assert list(CATALOGUE_SEVERITIES) == listed
    assert generate()["$defs"]["finding"]["properties"]["severity"]["enum"] == words
    assert f"[{Severity.ERROR}]" == "[错误]" and str(Severity.WARNING) == "提示"


def test_findings_serialise_severity_as_the_plain_word(huaian: Report) -> None:
    r = huaian.with_values({CellKey.parse("requests.new.research"): None})
    d = check(r, today=TODAY).findings[0].as_dict()
    assert type(d["severity"]) is str and d["severity"] == "错误"


def comparisons_with_a_word(source: str) -> list[int]:
    """Lines of ``source`` that compare something with the literal 错误 or 提示."""
    return _comparisons_with_a_word(tuple(ast.walk(ast.parse(source))))


def _comparisons_with_a_word(walked: tuple[ast.AST, ...]) -> list[int]:
    lines = []
    for node in walked:
        if isinstance(node, ast.Compare):
            for sub in (node.left, *node.comparators):
                if any(isinstance(c, ast.Constant) and c.value in ("错误", "提示") for c in ast.walk(sub)):
                    lines.append(node.lineno)
    return lines


def test_no_module_compares_with_a_severity_word() -> None:
    """Code compares Severity members; the words are spelt in spec/severity.py (and the data files) only."""
    offenders = [f"{p.relative_to(SRC)}:{n}" for p in modules() for n in _comparisons_with_a_word(nodes(p))]
    assert offenders == []


def test_the_scan_sees_a_comparison_with_a_word() -> None:
    source = 'x = "错误"\nif f.severity in ("错误",):\n    pass\nok = f.severity == Severity.ERROR\n'
    assert comparisons_with_a_word(source) == [2]

"""The form spec: shape, counts, labels and synonyms, and its self-checks."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from xl_gongkai.spec import CellKey, SpecError, load_form, load_rules
from xl_gongkai.spec.loader import META_OF, build_form, read_bytes


def test_every_shipped_document_conforms_to_its_meta_schema() -> None:
    for name, kind in [("form-2021.json", "form"), ("rules.json", "rules")]:
        meta = json.loads(read_bytes(META_OF[kind]))
        jsonschema.Draft202012Validator.check_schema(meta)
        errors = list(jsonschema.Draft202012Validator(meta).iter_errors(json.loads(read_bytes(name))))
        assert errors == [], name


def test_cell_counts_match_the_official_tables() -> None:
    form = load_form()
    by_table = {t.key: [c for c in form.cells if c.table is t] for t in form.tables}
    assert len(by_table["active"]) == 10
    assert len(by_table["requests"]) == 25 * 7
    assert len(by_table["appeals"]) == 15
    assert len(form.cells) == 200
    derived = {str(c.key) for c in form.derived_cells()}
    # 25 总计-column cells + 7 （七）总计-row cells sharing one + 3 table-四 totals
    assert len(derived) == 25 + 7 - 1 + 3
    assert "requests.total.total" in derived and "appeals.after_review.total" in derived
    assert not any(k.startswith("active.") for k in derived)
    assert "requests.carried_out.natural_person" not in derived  # 四 is an input; R1 checks it


def test_units_and_addresses() -> None:
    form = load_form()
    fee = form.cell("active.fees.amount")
    assert (fee.unit, fee.decimals) == ("万元", 6)
    assert all(c.unit == "件" for c in form.cells if c is not fee)
    assert form.cell("requests.new.natural_person").address == "D5"
    assert form.cell("requests.carried_out.total").address == "J29"
    assert [form.cell(f"appeals.{r}.total").address for r in ("review", "direct", "after_review")] == ["E5", "J5", "O5"]


def test_exact_official_labels() -> None:
    form = load_form()
    t3 = form.table("requests")
    assert t3.row("partial").label == "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"
    assert t3.row("withheld_security").label == "3.危及“三安全一稳定”"
    assert [c.label for c in t3.columns] == [
        "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计",
    ]
    note = next(lab for lab in t3.labels if lab.kind == "text" and "勾稽" in lab.text)
    assert note.text == "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    assert [s.heading for s in form.sections] == [
        "一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项",
    ]


HUAIAN = Path(__file__).parent / "data" / "published" / "19_huaian-city-2024.txt"


@pytest.fixture(scope="module")
def huaian() -> tuple[str, Any]:
    """The real 淮安 2024 text and what the importer reads from it as printed."""
    from xl_gongkai.commands.load import open_source

    return HUAIAN.read_text("utf-8"), open_source(str(HUAIAN))


# A label as real reports print it, put in place of the line 淮安 2024 prints: the importer must read the same
# numbers into the same cells (the variants come from the spec's synonyms and its normalisation: PDF radicals,
# spaces, a line break inside the label, the 2019 format's names).
@pytest.mark.parametrize(("printed", "variant"), [
    ("规章 1 0 11", "规章(县级无此项) 1 0 11"),
    ("行政规范性文件 8 26 66", "规范性文件 8 26 66"),
    ("2.其他法律行政法规禁止公开 30", "2. 其他法律⾏政法规禁⽌公\n开 30"),  # PDF radicals and a line break
    ("3.危及“三安全一稳定” 5", "3. 危及 “ 三安全⼀稳定 ” 5"),
    ("五、存在的主要问题及改进情况", "五、政府信息公开工作存在的主要问题及改进情况"),
])
def test_printed_variants_are_read_into_their_row(huaian: tuple[str, Any], tmp_path: Path, printed: str,
                                                  variant: str) -> None:
    from xl_gongkai.commands.load import open_source

    text, as_printed = huaian
    assert text.count(printed) == 1
    changed = tmp_path / "淮安.txt"
    changed.write_text(text.replace(printed, variant), "utf-8")
    read = open_source(str(changed))
    assert read.report.values == as_printed.report.values
    assert read.report.narrative == as_printed.report.narrative
    assert {f.rule for f in read.findings} - {f.rule for f in as_printed.findings} <= {"I4"}  # an old label: I4


def test_broken_references_are_refused() -> None:
    doc = copy.deepcopy(load_form().raw)
    doc["tables"][1]["columns"][-1]["sum_of"].append("nobody")
    with pytest.raises(SpecError, match="nobody"):
        build_form(doc)
    doc = copy.deepcopy(load_form().raw)
    doc["tables"][2]["rows"][1]["offset"] = 0  # two rows on the same cells
    with pytest.raises(SpecError, match="share"):
        build_form(doc)


def test_rule_catalogue_ids_unique_and_kinds_implemented() -> None:
    from xl_gongkai.core import kinds  # noqa: F401
    from xl_gongkai.core.rules import KINDS, check  # noqa: F401  (importing check registers the kinds)

    rules = load_rules()["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids))
    assert {r["kind"] for r in rules} <= set(KINDS)
    assert all(r["message"].startswith("{id} ") for r in rules)


def test_cell_keys_round_trip() -> None:
    k = CellKey.parse("requests.new.natural_person")
    assert str(k) == "requests.new.natural_person"
    with pytest.raises(ValueError):
        CellKey.parse("requests.new")

"""Quality checks (质量体检): text repeated from last year, copying across agencies, lateness, local rule packs.

Each test is a hand-made excerpt in the shape of what evaluators deduct for.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from conftest import TODAY
from xl_gongkai.cli import main
from xl_gongkai.commands import audit_quality
from xl_gongkai.commands.audit import run_audit, write_outputs
from xl_gongkai.commands.audit_quality import COPIED, MAX_SHARED_BY, QUALITY_SHEET
from xl_gongkai.core.packs import build_pack, load_pack, with_packs
from xl_gongkai.core.quality import repeated
from xl_gongkai.core.report import Report
from xl_gongkai.core.rules import catalogue, check
from xl_gongkai.errors import InputError
from xl_gongkai.spec import load_form

LAST_YEAR = (
    "2023年，我局认真贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外，"
    "全年主动公开政府信息1523条，其中政策解读36篇。\n"
    "我局依申请公开工作规范有序，2023年共收到政府信息公开申请12件，均在法定期限内答复。\n"
    "加强政府信息管理，对2023年制发的规范性文件逐件明确公开属性，开展历史文件清理。\n"
    "持续优化政府网站信息公开专栏，及时更新机构职能、法定主动公开内容等栏目。\n"
    "强化监督保障，将政务公开纳入年度绩效考核，组织业务培训2次。"
)
# this year's: last year's with every figure and date changed, and one sentence of new work (about a fifth)
THIS_YEAR = (
    "2024年，我局认真贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外，"
    "全年主动公开政府信息1688条，其中政策解读41篇。\n"
    "我局依申请公开工作规范有序，2024年共收到政府信息公开申请15件，均在法定期限内答复。\n"
    "加强政府信息管理，对2024年制发的规范性文件逐件明确公开属性，开展历史文件清理。\n"
    "持续优化政府网站信息公开专栏，及时更新机构职能、法定主动公开内容等栏目。\n"
    "强化监督保障，将政务公开纳入年度绩效考核，组织业务培训3次。\n"
    "今年新建政策问答库，面向企业群众开展政策宣讲，覆盖全区各个街道社区和重点园区。"
)
FRESH = (
    "本年度我局围绕优化营商环境，集中发布涉企政策清单，新建企业诉求直通车专栏，按月汇总企业反映的问题并公开办理结果；"
    "依申请办理实行首问负责，答复文书统一模板；清理失效文件并在网站标注；门户网站改版后增加无障碍浏览；"
    "聘请社会监督员对公开质量打分，结果通报到科室。"
)


def _report(agency: str, year: int, **narrative: str) -> Report:
    return Report(load_form(), {"agency": agency, "year": year}, {}, narrative)


def _rules(*ids: str) -> list:
    return [r for r in catalogue() if r.id in ids]


# -- year over year --------------------------------------------------------------------------------------------

def test_a_report_repeating_last_years_overview_is_told_with_the_share_and_the_section() -> None:
    share = repeated(THIS_YEAR, LAST_YEAR)
    assert share is not None and 0.75 <= share.share <= 0.9  # about 80 %: only the new sentence differs
    found = check(_report("某市某局", 2024, overview=THIS_YEAR), rules=_rules("X5"), today=TODAY,
                  previous=_report("某市某局", 2023, overview=LAST_YEAR)).findings
    assert [f.rule for f in found] == ["X5"]
    assert "一、总体情况" in found[0].message and f"{round(share.share * 100)}%" in found[0].message
    assert "坚持以公开为常态" in found[0].message  # the repeated passage is shown


def test_changed_numbers_dates_and_punctuation_do_not_hide_a_copy() -> None:
    changed = LAST_YEAR.replace("2023", "2024").replace("1523", "9").replace("，", ",").replace("\n", "  ")
    found = repeated(changed, LAST_YEAR)
    assert found is not None and found.share == 1.0


def test_a_newly_written_overview_is_not_told() -> None:
    assert check(_report("某市某局", 2024, overview=FRESH), rules=_rules("X5"), today=TODAY,
                 previous=_report("某市某局", 2023, overview=LAST_YEAR)).findings == ()


# -- copying across agencies in an audit ----------------------------------------------------------------------

SHARED = ("部分单位对政府信息公开工作重视程度不够，信息发布不够及时，政策解读形式较为单一，与群众的期待还有差距。"
          "下一步将加强业务培训，完善信息发布审核机制，丰富政策解读形式。")
OWN = {
    "甲市交通运输局": "本局公路养护信息更新滞后，个别路段施工公告晚于开工日期发布，已要求养护中心提前五日报送。",
    "甲市教育局": "招生政策解读集中在报名前一周发布，家长咨询量大，明年提前一个月分批发布并增加问答。",
    "甲市民政局": "养老机构评估结果未按季度公开，已与第三方评估机构约定在评估完成后十日内提交公开稿。",
    "甲市财政局": "预决算公开表格口径说明不够清楚，部分项目支出未细化到款级，将按新的公开模板补充说明。",
    "甲市水务局": "河道整治项目进度信息只在年底集中发布，明年改为每月在专栏更新一次并附现场照片。",
}


def _doc(folder: Path, name: str, agency: str, problems: str) -> None:
    doc = {"metadata": {"agency": agency, "year": 2024}, "values": {},
           "narrative": {"overview": f"{agency}本年度政府信息公开工作总体情况。", "problems": problems,
                         "other": "无。"}}
    (folder / name).write_text(json.dumps(doc, ensure_ascii=False), "utf-8")


@pytest.mark.parametrize("memo", [None, 1])
def test_an_audit_lists_the_pairs_of_agencies_sharing_a_paragraph_and_no_other(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, memo: int | None) -> None:
    """The same pairs whether every report's text stays at hand while pairs are compared or only one does (each
    read back from the spool again when it is needed again)."""
    if memo is not None:
        monkeypatch.setattr(audit_quality, "MEMO_REPORTS", memo)
    folder = tmp_path / "收件"
    folder.mkdir()
    for i, (agency, own) in enumerate(OWN.items()):
        text = f"{own}\n{SHARED}" if i < 3 else own  # three share the paragraph, two are unrelated
        _doc(folder, f"{i}.json", agency, text)
    with run_audit(folder, jobs=1, today=TODAY) as result:
        pairs = {frozenset((r["agency"], r["other_agency"])) for r in result.quality if r["what"] == COPIED}
        assert pairs == {frozenset(p) for p in (("甲市交通运输局", "甲市教育局"), ("甲市交通运输局", "甲市民政局"),
                                                ("甲市教育局", "甲市民政局"))}
        assert all(r["section"] == "五、存在的主要问题及改进情况" and r["share"].endswith("%") for r in result.quality)
        assert ("提示：跨机关雷同的报告（两两成对）", 3) in result.totals()
        out = tmp_path / "审核结果.xlsx"
        write_outputs(result, out)
    import openpyxl

    book = openpyxl.load_workbook(out, read_only=True)
    rows = list(book[QUALITY_SHEET].iter_rows(values_only=True))
    assert sum(1 for r in rows if r and r[0] == COPIED) == 3
    front = [r for r in book["概览"].iter_rows(values_only=True)]
    assert any(r and r[0] == "提示：跨机关雷同的报告（两两成对）" and r[1] == 3 for r in front)


def test_a_template_paragraph_is_no_copy_even_in_two_reports_that_share_a_clause(tmp_path: Path) -> None:
    """More agencies than MAX_SHARED_BY start 五 from one template paragraph; two of them also happen to write
    one clause alike in otherwise different paragraphs. The clause makes them a candidate pair, the template
    paragraph is a near-duplicate — but common wording, so no copy is listed."""
    folder = tmp_path / "收件"
    folder.mkdir()
    template = ("对照上级政务公开工作要点和考核指标，本单位政府信息公开工作仍存在一些不足，"
                "需要在新的一年认真加以改进和完善。")
    clause = "依申请公开答复书的法律救济途径告知表述不够规范，答复期限的计算口径也不统一"
    for i in range(MAX_SHARED_BY + 2):
        own = {0: f"一是门户网站栏目更新较慢，{clause}，今后将逐件复核答复文书并开展业务培训。",
               1: f"二是财政预决算公开时间偏晚，{clause}，下一步要求承办科室对照示范文本修改格式。"}
        _doc(folder, f"{i:03d}.json", f"乙县第{i}局", f"{template}\n{own.get(i, '')}")
    with run_audit(folder, jobs=1, today=TODAY) as result:
        assert [r for r in result.quality if r["what"] == COPIED] == []


def test_one_agencys_two_years_are_no_copy_across_agencies(tmp_path: Path) -> None:
    folder = tmp_path / "收件"
    folder.mkdir()
    _doc(folder, "a.json", "甲市教育局", SHARED)
    _doc(folder, "b.json", "甲市教育局（副本）", OWN["甲市财政局"])
    with run_audit(folder, jobs=1, today=TODAY) as result:
        assert [r for r in result.quality if r["what"] == COPIED] == []


def test_corrected_reviews_and_lost_lawsuits_are_listed_in_the_overview(tmp_path: Path) -> None:
    folder = tmp_path / "收件"
    folder.mkdir()
    doc = {"metadata": {"agency": "甲市公安局", "year": 2024},
           "values": {"appeals": {"review": {"corrected": 2}, "direct": {"corrected": 1}}}}
    (folder / "a.json").write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    with run_audit(folder, jobs=1, today=TODAY) as result:
        totals = dict(result.totals())
        assert totals["提示：行政复议结果纠正（复议纠错）的报告"] == 1
        assert totals["提示：行政诉讼败诉（结果纠正）的报告"] == 1
        assert {r["what"] for r in result.quality} == {"行政复议结果纠正（复议纠错）", "行政诉讼败诉（结果纠正）"}
    # never a finding of check: nothing for the clerk to correct or explain
    assert not [f for f in check(_report("甲市公安局", 2024), today=TODAY).findings if f.rule in ("Q4", "Q5")]


# -- timeliness -----------------------------------------------------------------------------------------------

def _published(agency: str, day: dt.date) -> Report:
    return Report(load_form(), {"agency": agency, "year": 2024, "published_on": day}, {}, {})


def test_a_department_report_published_on_5_march_is_late() -> None:
    found = check(_published("某市交通运输局", dt.date(2025, 3, 5)), rules=_rules("Q3"), today=TODAY).findings
    assert [f.rule for f in found] == ["Q3"]
    assert "2025年1月31日" in found[0].message and "33天" in found[0].message


def test_a_governments_report_is_due_by_31_march() -> None:
    assert check(_published("某市人民政府", dt.date(2025, 3, 5)), rules=_rules("Q3"), today=TODAY).findings == ()
    late = check(_published("某市人民政府", dt.date(2025, 4, 1)), rules=_rules("Q3"), today=TODAY).findings
    assert [f.rule for f in late] == ["Q3"]


def test_check_published_option_gives_the_lateness(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps({"metadata": {"agency": "某市交通运输局", "year": 2024}, "values": {}},
                               ensure_ascii=False), "utf-8")
    main(["check", str(path), "--published", "2025-03-05"])
    assert "Q3" in capsys.readouterr().out


# -- packs ----------------------------------------------------------------------------------------------------

def test_the_example_pack_caps_the_overview_at_1000_characters() -> None:
    pack = load_pack("example-city-2025")
    rules = [r for r in with_packs([pack]) if r.id == "P1"]
    long = _report("某市某局", 2024, overview="主动公开政府信息。" * 120)  # 1 080 characters
    short = _report("某市某局", 2024, overview="主动公开政府信息。" * 100)  # 900
    found = check(long, rules=rules, today=TODAY).findings
    assert [f.rule for f in found] == ["P1"] and "1080字" in found[0].message and "1000字" in found[0].message
    assert check(short, rules=rules, today=TODAY).findings == ()


def _pack_doc(**change: object) -> dict:
    doc = json.loads(Path(__file__).resolve().parent.parent.joinpath(
        "src/xl_gongkai/spec/packs/example-city-2025.json").read_text("utf-8"))
    doc["rules"] = [doc["rules"][0]]
    doc["rules"][0].update(change)
    return doc


def test_a_pack_with_an_unknown_kind_is_refused_naming_the_pack_and_rule() -> None:
    with pytest.raises(InputError) as err:
        build_pack("本地包", _pack_doc(kind="length_cap"))
    assert "规则包“本地包”" in str(err.value) and "规则 P1" in str(err.value) and "length_cap" in str(err.value)


def test_a_pack_with_an_unknown_key_is_refused_naming_the_pack_and_rule() -> None:
    with pytest.raises(InputError) as err:
        build_pack("本地包", _pack_doc(params={"section": "overview", "max": 1000, "maximum": 3}))
    assert "规则包“本地包”" in str(err.value) and "规则 P1" in str(err.value) and "“maximum”" in str(err.value)
    with pytest.raises(InputError) as err:
        build_pack("本地包", _pack_doc(colour="红"))
    assert "规则 P1" in str(err.value) and "“colour”" in str(err.value)


def test_a_bad_pack_is_exit_2_in_chinese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pack = tmp_path / "本地.json"
    pack.write_text(json.dumps(_pack_doc(kind="length_cap"), ensure_ascii=False), "utf-8")
    report = tmp_path / "r.json"
    report.write_text(json.dumps({"metadata": {"agency": "某市某局", "year": 2024}, "values": {}},
                                 ensure_ascii=False), "utf-8")
    assert main(["check", str(report), "--pack", str(pack)]) == 2
    err = capsys.readouterr().err
    assert "规则包“本地”" in err and "规则 P1" in err and "length_cap" in err


def test_a_pack_may_not_reuse_a_catalogue_id_or_an_unknown_severity_target() -> None:
    with pytest.raises(InputError, match="X5"):
        build_pack("本地包", _pack_doc(id="X5"))
    doc = _pack_doc()
    doc["severities"] = {"Z9": "错误"}
    with pytest.raises(InputError, match="Z9"):
        build_pack("本地包", doc)


def test_a_pack_changes_a_severity() -> None:
    doc = _pack_doc()
    doc["severities"] = {"X5": "错误"}
    rules = with_packs([build_pack("本地包", doc)])
    assert next(r for r in rules if r.id == "X5").severity.value == "错误"


def test_every_shipped_pack_loads() -> None:
    from xl_gongkai.spec.loader import pack_names

    assert pack_names()
    for name in pack_names():
        assert load_pack(name).rules

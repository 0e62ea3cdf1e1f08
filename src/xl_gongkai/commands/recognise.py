"""Is what was read a report at all? One clear answer instead of a report's worth of findings.

A collection folder holds more than reports: an empty file from a failed download, a 说明.txt, a
``package.json``. Read as reports, they gave a page of findings each (a text without any table: eight 错误;
any JSON object: 247) — or, with a stray undecodable character, a traceback. Here, once a file is read,
whatever the reader: an empty file, a text with none of a report's tables or sections, a JSON with nothing of
a report, and text no output could encode are each one refusal that names the file and says what to do
(exit 2 in the command line, one F1 finding in the audit).

These look at the :class:`~xl_gongkai.core.report.Report` a reader returned, not at how the reader works, so
they hold for every reader of a format.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ..core.findings import Finding
from ..core.report import Report
from ..errors import InputError

_SURROGATE = re.compile("[\ud800-\udfff]")


def refuse_empty(size: int, place: str) -> None:
    """An empty file is no report, whatever its suffix says."""
    if size == 0:
        raise InputError("空文件（0 字节），没有任何内容。请向报送单位要一份完整的文件。", place=place)


def refuse_non_report(kind: str, report: Report, place: str, findings: Sequence[Finding] = ()) -> None:
    """A published text in which neither a table nor a section of the form was found, or a JSON document with
    nothing of a report (no metadata, no value, no text): one refusal instead of a finding per cell.

    A text that states its statistics period (``本报告中所列数据的统计期限自2022年1月1日起至2022年12月20日止``) is a
    report's opening, whatever its parts are called (淮北市人民医院 2022: ``一、主动公开情况``; a traditional-script
    mirror's ``一、總結概述``): read as an excerpt, each absent part one finding. So is a text whose own title
    gives the year, and that names its agency (``findings`` say where the year was read from): a flip-book's page
    from the middle of a report, ``Page 3 - 某局2022年政府信息公开工作年度报告`` above part 一's fourth
    subsection. A notice about the reports (``关于做好……年度报告编制工作的通知``) has no such title."""
    if kind == "published" and _nothing_found(report) and not report.metadata.get("period_start") \
            and not _titled(report, findings):
        raise InputError("不像一份政府信息公开工作年度报告：没有找到任何一张表格（表二、表三、表四），也没有找到"
                         "正文的任何一部分（一、总体情况……六、其他需要报告的事项）。请确认这是年度报告的全文；"
                         "如果是说明、通知等其他文件，不必放在报送文件夹中。", place=place)
    if kind in ("payload", "report-json") and _empty(report):
        raise InputError("不是本工具的数据包或报告 JSON：其中没有机关名称、年度、表格数字或正文"
                         "（metadata、values、narrative 都没有内容）。请提供“导出 JSON”得到的数据包，"
                         "或改用工作簿（.xlsm/.xlsx）。", place=place)


def refuse_unencodable(report: Report, place: str) -> None:
    """Text holding half of a surrogate pair (a JSON ``"\\ud800"``) cannot be written to any file or screen:
    refused with the key named, before anything tries."""
    for where, text in _texts(report):
        m = _SURROGATE.search(text)
        if m:
            raise InputError(f"{where} 含有无法编码的字符（U+{ord(m.group()):04X}，不完整的 Unicode 代理项，第"
                             f"{m.start() + 1}个字处），无法显示或写入任何文件。请在原文件中删除这个字符后重试。",
                             place=place)


def _nothing_found(report: Report) -> bool:
    """No table and no section of the form (text before the first heading — any text at all — is no section).

    A table printed without a number in it (the blank format) was found: it is absent only from the values."""
    from ..adapters.published.blank import BLANK_TABLE

    tables = {t.key for t in report.form.tables}
    sections = {s.key for s in report.form.sections}
    missing = {key for key, why in report.absent.items() if why != BLANK_TABLE}
    return tables <= missing and not any(
        isinstance(text, str) and text.strip() for key, text in report.narrative.items() if key in sections)


def _titled(report: Report, findings: Sequence[Finding]) -> bool:
    """The text's title gave the year (it was not inferred from elsewhere: no I5 on it), and an agency was read."""
    inferred = {f.place.field for f in findings if f.rule == "I5"}
    return bool(report.metadata.get("agency")) and bool(report.metadata.get("year")) and "year" not in inferred


def _empty(report: Report) -> bool:
    return (not any(v not in (None, "") for v in report.metadata.values())
            and all(v is None for v in report.values.values())
            and not any(isinstance(t, str) and t.strip() for t in report.narrative.values()))


def _texts(report: Report) -> Iterator[tuple[str, str]]:
    groups: tuple[tuple[str, Mapping[Any, Any]], ...] = (
        ("metadata", report.metadata), ("narrative", report.narrative), ("explanations", report.explanations),
        ("values", report.values))
    for name, group in groups:
        for key, value in group.items():
            if isinstance(value, str):
                yield f"{name}.{key}", value


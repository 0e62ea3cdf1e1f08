"""import: a published report read into a Report, checked, and optionally written out as a payload or workbook.

What the importer could not read with certainty is among the findings (I rules), never guessed. A payload of
an import with findings is a draft (``ready: false``); a workbook carries everything read, for the clerk to
compare with the published text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..adapters.formats import IMPORT_OUT
from ..fileio import Output
from ..render import Refusal
from .check import Checked, run_check
from .export import payload_outputs
from .load import open_source
from .workbook import new_package, templated_titles


@dataclass
class Imported:
    checked: Checked
    notes: list[str]  # how it was read (the format found)
    outputs: list[Output] = field(default_factory=list)
    written: list[str] = field(default_factory=list)  # what to say once the outputs are in place
    refusal: Refusal | None = None  # why the asked-for output cannot be made (the findings are still shown)


def run_import(path: str | Path, *, out: str | Path | None = None, today: dt.date | None = None) -> Imported:
    """Read and check a published report; for ``out`` (.json or a workbook) the file to write."""
    target = IMPORT_OUT.check(out) if out is not None else None
    src = open_source(path)
    checked = run_check(src, today=today)
    form = checked.report.form
    done = Imported(checked, [*src.notes, f"按{form.title}（{form.short_source}）读取。"])
    if target is None:
        return done
    if target.suffix.lower() == ".json":
        _, done.outputs = payload_outputs(checked, target)
        line = f"已写出数据包：{target}"
        if not checked.validation.ready:
            line += "（草稿：校验仍有错误或未说明的提示，数据包标记为未就绪）"
        if checked.shown.unread:
            line += "；注意：导入时有未能读取的单元格或找不到的表、部分（见上面的待核对项），数据包只含读到的部分"
        done.written.append(line)
        return done
    if form.template is None:
        done.refusal = Refusal(reason=f"这份报告采用{form.title}（{form.short_source}），工作簿模板只适用于"
                                       f"{templated_titles()}，无法写入工作簿；请改用 -o 输出 .json 数据包。")
        return done
    done.outputs = [Output(target, new_package(target, source=checked.report, today=today), "工作簿")]
    done.written.append(f"已生成工作簿：{target}（导入的全部内容已填入，请对照原文核对后再校验）")
    return done

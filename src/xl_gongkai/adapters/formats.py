"""Which files the tool reads and writes, by suffix: one registry, so every command says the same.

Readers are looked up here and imported only when used (as tablib registers its formats), so a command
that reads a payload never imports the workbook reader. Outputs are checked here too: a file's name must
say what it holds — ``.xlsm`` a workbook with the macros, ``.xlsx`` one without, ``.json`` a payload, and
so on — or the command refuses before it computes anything and says which suffix to use.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import OutputError


@dataclass(frozen=True)
class InputFormat:
    key: str  # "workbook", "json", "published"
    what: str  # the noun a clerk reads
    suffixes: tuple[str, ...]


WORKBOOK_IN = InputFormat("workbook", "工作簿", (".xlsm", ".xlsx"))
JSON_IN = InputFormat("json", "数据包或报告 JSON", (".json",))
PUBLISHED_IN = InputFormat("published", "已公布的报告", (".txt", ".md", ".html", ".htm"))
INPUTS = (WORKBOOK_IN, JSON_IN, PUBLISHED_IN)

# what a Source's kind is called where people read it (the audit's reports sheet)
KIND_NAMES = {"workbook": "工作簿", "payload": "数据包", "report-json": "报告文档（JSON）", "published": "已公布的报告"}

# files people put into a collection folder that the tool cannot read, and what to do with each
_ADVICE = (
    ((".docx", ".doc", ".wps", ".rtf", ".odt", ".docm", ".dotx"),
     "Word/WPS 文字文件，请在 Word 或 WPS 中“另存为”网页（.html）或纯文本（.txt）后再审核"),
    ((".pdf", ".ofd"), "PDF/OFD 文件，请把全文复制保存为 .txt，或改用发布报告的网页（.html）"),
    ((".xls", ".et", ".ett", ".xlsb", ".ods", ".xlt", ".xltx", ".xltm", ".csv"),
     "不是本模板的工作簿格式，请在 Excel 或 WPS 中打开，另存为 .xlsm 或 .xlsx 后再审核"),
    ((".zip", ".rar", ".7z", ".gz", ".tar"), "压缩包，请先解压"),
)


def input_format(path: str | Path) -> InputFormat | None:
    suffix = Path(path).suffix.lower()
    return next((f for f in INPUTS if suffix in f.suffixes), None)


def unsupported(path: str | Path) -> str:
    """Why a file cannot be read, and what to do: ``不支持的文件类型 .docx（Word/WPS 文字文件，请…）``."""
    suffix = Path(path).suffix.lower()
    shown = suffix or "（无扩展名）"
    advice = next((text for suffixes, text in _ADVICE if suffix in suffixes), None)
    if advice is None:
        accepted = "、".join(s for f in INPUTS for s in f.suffixes)
        advice = f"本工具读取 {accepted} 文件"
    return f"不支持的文件类型 {shown}（{advice}）"


@dataclass(frozen=True)
class OutputFormat:
    key: str
    what: str
    suffixes: tuple[str, ...]

    def check(self, path: str | Path) -> Path:
        """The path, when its suffix says this kind of file; otherwise an :class:`OutputError` saying which."""
        p = Path(path)
        if p.suffix.lower() in self.suffixes:
            return p
        wanted = "、".join(self.suffixes)
        better = p.with_suffix(self.suffixes[0]).name if p.name and p.suffix else f"{p.name}{self.suffixes[0]}"
        raise OutputError(f"{self.what}应保存为 {wanted} 文件，“{p.name}”的扩展名与内容不符；请改为“{better}”。",
                          place=str(p))


PAYLOAD_OUT = OutputFormat("payload", "数据包", (".json",))
SUMMARY_OUT = OutputFormat("summary", "摘要", (".md", ".txt"))
WORD_OUT = OutputFormat("docx", "Word 年度报告", (".docx",))
HTML_OUT = OutputFormat("html", "网页版年度报告", (".html", ".htm"))
WORKBOOK_OUT = OutputFormat("workbook", "工作簿", (".xlsm", ".xlsx"))
TEMPLATE_OUT = OutputFormat("template", "模板", (".xlsm",))
AUDIT_OUT = OutputFormat("audit", "审核结果", (".xlsx",))
CSV_OUT = OutputFormat("csv", "问题清单", (".csv",))
IMPORT_OUT = OutputFormat("import", "导入结果", (".json", ".xlsm", ".xlsx"))


def wants_macros(path: str | Path) -> bool:
    """An ``.xlsm`` carries the VBA project and ribbon; an ``.xlsx`` must not (Excel refuses to open it)."""
    return Path(path).suffix.lower() == ".xlsm"

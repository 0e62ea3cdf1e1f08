"""Which files the tool reads and writes: one registry, so every command says the same.

What a file is, is read from its content (``sniff``), never from its name: each kind of content the tool
reads is an :class:`InputFormat` here, with the family of readers it goes to and the suffixes that say it.
A suffix that says something else than the content is noted ("文件扩展名为 .txt，内容是 PDF，按 PDF 读取"),
not obeyed. Readers are looked up here and imported only when used (as tablib registers its formats), so a
command that reads a payload never imports the workbook reader.

Outputs are checked here too: a file's name must say what it holds — ``.xlsm`` a workbook with the macros,
``.xlsx`` one without, ``.json`` a payload, and so on — or the command refuses before it computes anything and
says which suffix to use.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import OutputError


@dataclass(frozen=True)
class InputFormat:
    """A kind of content the tool reads.

    ``key`` is the family of readers: ``workbook`` (python-calamine behind a guard), ``json``, ``published``
    (a published report: text, a page, a PDF, a Word file — read into lines, then imported), ``office``
    (a format only LibreOffice reads, converted first into ``converts_to``). ``name`` tells the kinds of a
    family apart; ``what`` is the noun a person reads.
    """

    key: str
    name: str
    what: str
    suffixes: tuple[str, ...]
    converts_to: str = ""  # for the ``office`` family: the suffix LibreOffice writes (.docx or .xlsx)


WORKBOOK_IN = InputFormat("workbook", "xlsx", "Excel 工作簿", (".xlsm", ".xlsx"))
# Excel 97-2003 and WPS 表格 (.et) both keep a BIFF8 workbook stream in a compound file: python-calamine reads it
XLS_IN = InputFormat("workbook", "xls", "Excel 97-2003 工作簿", (".xls", ".et", ".xlt", ".ett"))
JSON_IN = InputFormat("json", "json", "JSON 文件", (".json",))
# .md: the text of a report transcribed as markdown (tables as | rows)
TEXT_IN = InputFormat("published", "text", "纯文本", (".txt", ".md"))
HTML_IN = InputFormat("published", "html", "网页（HTML）", (".html", ".htm"))
# a page saved as one file (Chrome's “网页，单个文件”, Internet Explorer's and Word's .mht): MIME parts, the page
# among them
MHTML_IN = InputFormat("published", "mhtml", "单个文件网页（MHTML）", (".mht", ".mhtml"))
PDF_IN = InputFormat("published", "pdf", "PDF", (".pdf",))
DOCX_IN = InputFormat("published", "docx", "Word 文档（.docx）", (".docx", ".docm", ".dotx", ".dotm"))
# Word 97-2003 and WPS 文字 (.wps) keep a WordDocument stream in a compound file; only LibreOffice reads it
DOC_IN = InputFormat("office", "doc", "Word 97-2003 文档", (".doc", ".dot", ".wps", ".wpt"), ".docx")
RTF_IN = InputFormat("office", "rtf", "RTF 文档", (".rtf",), ".docx")
ODT_IN = InputFormat("office", "odt", "OpenDocument 文字文档", (".odt",), ".docx")
ODS_IN = InputFormat("office", "ods", "OpenDocument 电子表格", (".ods",), ".xlsx")
INPUTS = (WORKBOOK_IN, XLS_IN, JSON_IN, TEXT_IN, HTML_IN, MHTML_IN, PDF_IN, DOCX_IN, DOC_IN, RTF_IN, ODT_IN, ODS_IN)

# what a Source's kind is called where people read it (the audit's reports sheet)
KIND_NAMES = {"workbook": "工作簿", "payload": "数据包", "report-json": "报告文档（JSON）", "published": "已公布的报告"}

# files people put into a collection folder that the tool cannot read, and what to do with each
_ADVICE = (
    ((".ofd",), "OFD 版式文件，请在数科阅读器等软件中另存为 PDF，或改用发布报告的网页（.html）"),
    ((".xlsb", ".csv"), "不是本模板的工作簿格式，请在 Excel 或 WPS 中打开，另存为 .xlsm 或 .xlsx 后再审核"),
    ((".zip", ".rar", ".7z", ".gz", ".tar"), "压缩包，请先解压"),
    ((".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff"),
     "图片文件，无法读取文字；请提供可复制文字的 PDF、Word 文件或网页"),
)


def spaced(what: str, *, tail: bool = True) -> str:
    """A noun set in a Chinese sentence, with a space where it meets Chinese (“按 PDF 读取”, “把 Word 文档”).

    ``tail=False`` before full-width punctuation, which takes no space (“内容是 PDF，”).
    """
    lead = " " if what[:1].isascii() and what[:1].isalnum() else ""
    end = " " if tail and what[-1:].isascii() and what[-1:].isalnum() else ""
    return f"{lead}{what}{end}"


def input_format(path: str | Path) -> InputFormat | None:
    """What the file's suffix says it is (the content decides: see ``sniff``)."""
    suffix = Path(path).suffix.lower()
    return next((f for f in INPUTS if suffix in f.suffixes), None)


def accepted() -> str:
    """The suffixes the tool reads, for messages."""
    return "、".join(s for f in INPUTS for s in f.suffixes)


def advised(path: str | Path) -> bool:
    """True when the suffix names a kind of file the tool knows and does not read (``.csv``, ``.ofd``, …)."""
    suffix = Path(path).suffix.lower()
    return any(suffix in suffixes for suffixes, _ in _ADVICE)


def unsupported(path: str | Path) -> str:
    """Why a file cannot be read, and what to do: ``不支持的文件类型 .ofd（OFD 版式文件，请…）``."""
    suffix = Path(path).suffix.lower()
    shown = suffix or "（无扩展名）"
    advice = next((text for suffixes, text in _ADVICE if suffix in suffixes), None)
    if advice is None:
        advice = f"本工具读取 {accepted()} 文件"
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

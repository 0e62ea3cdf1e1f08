"""Any file in, read for what it is: PDF, Word (.docx, and .doc through LibreOffice), Excel 97-2003 (.xls),
text, pages, JSON — sniffed by content, not by suffix, with the same answer from ``import``, ``check`` and
``audit`` (the page: tests/test_web.py).

The PDF is the real one 淮安市人民政府办公室 published for 2024 (``tests/data/published/19_huaian-city-2024.pdf``,
from the public collection the text ``19_…txt`` was extracted from with pypdf; see that file's header). The Word
files are what ``report`` writes and the blank format laid out by the same writer; the .xls and .doc are what
LibreOffice saves from them, as Excel and Word users' files are saved.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from conftest import COMPLETE_REPORTS, PUBLISHED, TODAY, load
from support.cli_run import run
from support.documents import blank_format_docx, compound, looped, saved_as_one_file, scanned_pdf, workbook_stream
from support.embedded import without_data_docx, without_data_html
from support.fuzzing import filled
from xl_gongkai.adapters.formats import (
    DOC_IN,
    DOCX_IN,
    HTML_IN,
    JSON_IN,
    MHTML_IN,
    PDF_IN,
    TEXT_IN,
    WORKBOOK_IN,
    XLS_IN,
)
from xl_gongkai.adapters.published import import_report
from xl_gongkai.adapters.published.blank import BLANK_TABLE
from xl_gongkai.adapters.published.docx import parse_document_xml
from xl_gongkai.adapters.published.html import parse_html
from xl_gongkai.adapters.sniff import sniff
from xl_gongkai.commands.audit import run_audit
from xl_gongkai.commands.load import open_source
from xl_gongkai.commands.report import render_report
from xl_gongkai.core.embedded import READ_NOTE
from xl_gongkai.core.rules import check
from xl_gongkai.errors import InputError
from xl_gongkai.spec import load_form

PDF = PUBLISHED / "19_huaian-city-2024.pdf"
TEXT = PUBLISHED / "19_huaian-city-2024.txt"
PAGE = PUBLISHED / "04_pingtan-zone-2023.html"
DAY = ("--today", TODAY.isoformat())
FORM = load_form()


def cells(report: Any) -> dict[Any, Any]:
    return {k: v for k, v in report.values.items() if v is not None}


@pytest.fixture(scope="module")
def report_docx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Word report ``report`` writes for the real 淮安 2024 report."""
    folder = tmp_path_factory.mktemp("docx")
    render_report(load("huaian-city-2024"), docx_path=folder / "淮安.docx", today=TODAY)
    return folder / "淮安.docx"


# ============================================================================================== PDF

def test_the_published_pdf_gives_the_cells_of_its_text() -> None:
    pdf, text = import_report(PDF), import_report(TEXT)
    want = cells(text.report)
    assert len(want) == 200  # every number the report prints (shared/reports/INDEX.md)
    assert cells(pdf.report) == want
    assert pdf.report.metadata == text.report.metadata and pdf.format == text.format
    assert pdf.findings == text.findings


def test_import_check_and_audit_read_the_pdf_as_its_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    payloads = {}
    for src in (PDF, TEXT):
        out = tmp_path / f"{src.suffix[1:]}.json"
        code, _, err = run(capsys, "import", src, "-o", out, *DAY)
        assert code == 0, err
        payloads[src.suffix] = json.loads(out.read_text("utf-8"))
    assert payloads[".pdf"]["values"] == payloads[".txt"]["values"]
    assert payloads[".pdf"]["metadata"] == payloads[".txt"]["metadata"]
    checked = [json.loads(run(capsys, "check", src, "--format", "json", *DAY)[1])["validation"] for src in (PDF, TEXT)]
    assert checked[0] == checked[1]
    folder = tmp_path / "收件"
    folder.mkdir()
    shutil.copy(PDF, folder / "淮安.pdf")
    shutil.copy(TEXT, folder / "淮安.txt")
    with run_audit(folder, jobs=1, today=TODAY) as result:
        files = {r["file"]: r for r in result.files}
        rules = Counter(f["rule"] for f in result.findings)
    assert files["淮安.pdf"]["status"] == files["淮安.txt"]["status"] == "已审核"
    assert files["淮安.pdf"]["agency"] == "淮安市人民政府" and files["淮安.pdf"]["errors"] == 0
    # the same report twice: the audit compares the two files' values and metadata, and finds them equal
    assert rules == Counter({"F3": 2})


def test_a_scanned_pdf_is_one_clear_refusal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scan = tmp_path / "扫描件.pdf"
    scan.write_bytes(scanned_pdf(PDF.read_bytes()))
    with pytest.raises(InputError, match="图片版 PDF，无法读取文字") as exc:
        open_source(scan)
    assert str(scan) in str(exc.value) and "OCR" in str(exc.value)
    code, out, err = run(capsys, "check", scan, *DAY)
    assert code == 2 and out == "" and err.count("\n") == 1 and "图片版 PDF" in err
    with run_audit(tmp_path, jobs=1, today=TODAY) as result:
        assert [(f["rule"], f["message"].count("图片版 PDF")) for f in result.findings] == [("F1", 1)]


def test_a_damaged_pdf_is_named(tmp_path: Path) -> None:
    cut = tmp_path / "不完整.pdf"
    cut.write_bytes(PDF.read_bytes()[:5000])
    with pytest.raises(InputError, match="不是可读取的 PDF 文件") as exc:
        open_source(cut)
    assert str(cut) in str(exc.value)


# ============================================================================================== Word

def test_the_docx_report_writes_imports_back_to_the_same_values(tmp_path: Path) -> None:
    """The Word reader on the generated report's printed text: the report without the data it carries (with it,
    the printed tables are compared with the data: tests/test_embedded.py)."""
    for name in COMPLETE_REPORTS:
        report = load(name)
        render_report(report, docx_path=tmp_path / f"{name}.docx", html_path=tmp_path / f"{name}.html", today=TODAY)
        word, html = tmp_path / f"{name}.printed.docx", tmp_path / f"{name}.printed.html"
        word.write_bytes(without_data_docx((tmp_path / f"{name}.docx").read_bytes()))
        html.write_text(without_data_html((tmp_path / f"{name}.html").read_text("utf-8")), "utf-8")
        got, page = import_report(word), import_report(html)
        assert not got.embedded and not page.embedded
        assert got.findings == () and got.format == report.form.id
        assert got.report.values == report.values
        assert (got.report.agency, got.report.year) == (report.agency, report.year)
        # the Word file and the page of the same report read alike, narrative included
        assert got.report.narrative == page.report.narrative and got.report.metadata == page.report.metadata
        assert check(got.report, today=TODAY).findings == ()


def test_a_blank_format_docx_reads_as_an_empty_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blank = tmp_path / "空白格式.docx"
    blank.write_bytes(blank_format_docx(FORM))
    result = import_report(blank)
    assert cells(result.report) == {} and result.findings == ()
    assert {k: v for k, v in result.report.absent.items() if not k.startswith("metadata.")} == {
        t.key: BLANK_TABLE for t in FORM.tables}
    found = Counter(f.rule for f in check(result.report, today=TODAY).findings)
    # one finding per blank table, per empty section, and the agency and year the document does not state (I6,
    # 待核对: not M1 and M2's 错误 of an agency that left them out): not one per cell
    assert found == Counter({"I6": len(FORM.tables) + 2, "S1": 3})
    code, out, _ = run(capsys, "check", blank, *DAY)
    assert code == 1 and out.count("\n") < 12 and "原文的这张表是空白的" in out


# The same table as a page and as a Word document: a header cell across two columns, a label down two rows
# (the second row carries it), an empty cell between numbers, a row that starts one grid column in.
_HTML_TABLE = """<table>
<tr><td colspan="2">信息内容</td><td>本年新收</td><td>上年结转</td></tr>
<tr><td rowspan="2">（三）不予公开</td><td>1.属于国家秘密</td><td>2</td><td></td></tr>
<tr><td>2.其他法律行政法规禁止公开</td><td>30</td><td>1</td></tr>
</table>"""
_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _tc(text: str, props: str = "") -> str:
    run_ = f"<w:r><w:t>{text}</w:t></w:r>" if text else ""
    return f"<w:tc><w:tcPr>{props}</w:tcPr><w:p>{run_}</w:p></w:tc>"


_SPAN2, _RESTART, _CONTINUE = '<w:gridSpan w:val="2"/>', '<w:vMerge w:val="restart"/>', "<w:vMerge/>"
_DOCX_TABLE = (f"<w:document {_W}><w:body><w:p><w:r><w:t>二、主动公开政府信息情况</w:t></w:r></w:p><w:tbl>"
               f"<w:tr>{_tc('信息内容', _SPAN2)}{_tc('本年新收')}{_tc('上年结转')}</w:tr>"
               f"<w:tr>{_tc('（三）不予公开', _RESTART)}{_tc('1.属于国家秘密')}{_tc('2')}{_tc('')}</w:tr>"
               f"<w:tr>{_tc('', _CONTINUE)}{_tc('2.其他法律行政法规禁止公开')}{_tc('30')}{_tc('1')}</w:tr>"
               "</w:tbl></w:body></w:document>")


def test_word_tables_become_the_grid_rows_a_page_gives() -> None:
    page = parse_html(f"<p>二、主动公开政府信息情况</p>{_HTML_TABLE}").lines
    word = parse_document_xml(_DOCX_TABLE.encode()).lines
    assert word == page
    assert word[3].carried == frozenset({0}) and word[2].cells == ("（三）不予公开", "1.属于国家秘密", "2", "")


def test_word_layout_tables_and_text_boxes_read_as_paragraphs() -> None:
    # a one-column table framing the text, a table inside a table, an alternative shown twice for old readers
    xml = (f'<w:document {_W} xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>'
           f'<w:tbl><w:tr>{_tc("一、总体情况")}</w:tr><w:tr>{_tc("本机关认真贯彻落实。")}</w:tr></w:tbl>'
           f"<w:tbl><w:tr><w:tc><w:tbl><w:tr>{_tc('规章')}{_tc('1')}</w:tr></w:tbl></w:tc>{_tc('说明')}</w:tr></w:tbl>"
           "<w:p><mc:AlternateContent><mc:Choice><w:r><w:t>正文</w:t></w:r></mc:Choice>"
           "<mc:Fallback><w:r><w:t>正文</w:t></w:r></mc:Fallback></mc:AlternateContent>"
           "<w:r><w:tab/><w:t>第二段</w:t></w:r></w:p></w:body></w:document>")
    lines = parse_document_xml(xml.encode()).lines
    assert [(ln.text, ln.grid) for ln in lines] == [("一、总体情况", False), ("本机关认真贯彻落实。", False),
                                                   ("规章\t1", True), ("说明", False), ("正文 第二段", False)]


def test_hostile_word_documents_are_refused_in_chinese() -> None:
    laughs = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]>'
              b'<w:document ' + _W.encode() + b"><w:body><w:p><w:r><w:t>&a;</w:t></w:r></w:p></w:body></w:document>")
    with pytest.raises(InputError, match="DTD"):
        parse_document_xml(laughs)
    with pytest.raises(InputError, match="不是有效的 XML"):
        parse_document_xml(b"<w:document " + _W.encode() + b"><w:body><w:p>")
    deep = f"<w:document {_W}><w:body>" + "<w:sdt>" * 50_000 + "<w:p><w:r><w:t>一、总体情况</w:t></w:r></w:p>"
    deep += "</w:sdt>" * 50_000 + "</w:body></w:document>"
    assert [ln.text for ln in parse_document_xml(deep.encode()).lines] == ["一、总体情况"]


# ============================================================================================== suffixes

@pytest.mark.parametrize(("name", "source", "fmt"), [
    ("报告.txt", PDF, PDF_IN), ("报告.html", PDF, PDF_IN), ("报告", PDF, PDF_IN),
    ("报告.txt", PAGE, HTML_IN), ("报告.xlsx", None, DOCX_IN), ("报告.doc", None, DOCX_IN),
    ("报告.html", TEXT, TEXT_IN), ("报告.txt", PUBLISHED.parent / "reports" / "huaian-city-2024.json", JSON_IN),
])
def test_a_suffix_that_lies_is_read_for_what_the_content_is(name: str, source: Path | None, fmt: Any,
                                                             tmp_path: Path, report_docx: Path) -> None:
    source = source or report_docx
    lying = tmp_path / name
    lying.write_bytes(source.read_bytes())
    found = sniff(lying)
    assert found.format is fmt
    what = fmt.what if not fmt.what[:1].isascii() else f" {fmt.what}"
    said = f"文件扩展名为 {lying.suffix}" if lying.suffix else "文件没有扩展名"
    assert found.note == f"{said}，内容是{what}，按{what}{' ' if fmt.what[-1].isascii() else ''}读取。"
    src, honest = open_source(lying), open_source(source)
    assert src.notes[0] == found.note and src.report.values == honest.report.values


@pytest.mark.parametrize("by", ["chrome", "word"])
@pytest.mark.parametrize("name", ["报告.mhtml", "报告.mht", "报告.html", "报告.txt"])
def test_a_page_saved_as_one_file_reads_as_the_page(by: str, name: str, tmp_path: Path) -> None:
    """A report's page saved as one file — Chrome's MHTML (quoted-printable UTF-8), Word's .mht (base64, the page
    in GB2312) — reads as the page itself; under another suffix the note says what it was read as."""
    path = tmp_path / name
    path.write_bytes(saved_as_one_file(PAGE.read_text("utf-8"), by=by))
    found = sniff(path)
    assert found.format is MHTML_IN
    assert (found.note == "") == (path.suffix in MHTML_IN.suffixes)
    assert open_source(path).report.values == open_source(PAGE).report.values


def test_a_page_saved_as_one_file_without_its_page_is_one_message(tmp_path: Path) -> None:
    path = tmp_path / "报告.mht"
    path.write_bytes(b"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=b\r\n\r\n--b\r\n"
                     b"Content-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--b--\r\n")
    with pytest.raises(InputError, match="没有网页或文字部分") as exc:
        open_source(path)
    assert str(path) in str(exc.value)


def test_the_right_suffix_says_nothing(report_docx: Path) -> None:
    for path, fmt in ((PDF, PDF_IN), (TEXT, TEXT_IN), (PAGE, HTML_IN), (report_docx, DOCX_IN)):
        assert sniff(path).format is fmt and sniff(path).note == ""
        # the generated Word file says only that it carries its data (tests/test_embedded.py)
        assert [n for n in open_source(path).notes if not n.startswith(READ_NOTE)] == []


def test_import_says_what_the_file_was_read_as(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lying = tmp_path / "报告.txt"
    lying.write_bytes(PDF.read_bytes())
    code, out, _ = run(capsys, "import", lying, *DAY)
    assert code == 0 and "文件扩展名为 .txt，内容是 PDF，按 PDF 读取。" in out.splitlines()[:3]
    with run_audit(tmp_path, jobs=1, today=TODAY) as result:
        assert result.files[0]["note"] == "文件扩展名为 .txt，内容是 PDF，按 PDF 读取。"


@pytest.mark.parametrize(("name", "content", "message"), [
    ("图.png", b"\x89PNG\r\n\x1a\n" + bytes(100), "图片文件"),
    ("报告.pdf", b"\xff\xd8\xff\xe0" + bytes(100), "图片文件"),
    ("资料.zip", None, "压缩包，请先解压"),
    ("坏.xlsx", b"not a workbook", "不是可读取的 Excel 工作簿：文件的内容是纯文本"),
    ("坏.docx", b"PK\x03\x04 not a zip", "不是可读取的 Word 文档（.docx）：文件已损坏"),
    ("名单.csv", "机关,年度\n某局,2024\n".encode(), "不支持的文件类型 .csv"),
    ("加密.docx", "encrypted", "设置了打开密码"),
    ("演示.ppt", "slides", "PowerPoint"),
    ("空.txt", b"", "空文件"),
    ("环.xls", "loop", "扇区链出现循环"),
])
def test_what_is_no_report_is_one_message_naming_the_file(name: str, content: Any, message: str,
                                                          tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / name
    if content is None:
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("报告/说明.txt", "见附件")
    elif content == "encrypted":
        path.write_bytes(compound({"EncryptionInfo": bytes(200), "EncryptedPackage": bytes(5000)}))
    elif content == "slides":
        path.write_bytes(compound({"PowerPoint Document": bytes(200)}))
    elif content == "loop":
        path.write_bytes(looped(compound({"Workbook": workbook_stream([(0, 0, 1.0)])})))
    else:
        path.write_bytes(content)
    with pytest.raises(InputError) as exc:
        open_source(path)
    assert message in str(exc.value) and str(path) in str(exc.value)


# ============================================================================================== JSON

def test_a_json_that_is_no_payload_is_one_refusal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "package.json"
    other.write_text(json.dumps({"name": "某系统", "version": "1.0", "dependencies": {}}), "utf-8")
    foreign = tmp_path / "导出.json"
    foreign.write_text(json.dumps({"schema": "urn:other:1", "sha256": "0" * 64, "values": {}}), "utf-8")
    for path, why in ((other, "而是 name、version、dependencies"), (foreign, "它的 schema 是“urn:other:1”")):
        code, out, err = run(capsys, "check", path, *DAY)
        assert code == 2 and out == "" and err.count("\n") == 1
        assert "：不是本工具的数据包或报告 JSON（" in err and why in err and str(path) in err
    with run_audit(tmp_path, jobs=1, today=TODAY) as result:
        assert Counter(f["rule"] for f in result.findings) == Counter({"F1": 2})


# ============================================================================================== workbooks of one's own

def test_a_workbook_of_an_agencys_own_layout_reads_as_its_tables(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                                                  ) -> None:
    """The real page opened in LibreOffice Calc and saved as .xlsx and .xls (the report's text and tables in cells,
    merged cells as Calc makes them): no template, so read as a page's tables are — the page's cells, the note
    saying how; a template with a sheet lost is still refused by name (tests/test_workbook_files.py)."""
    from xl_gongkai.adapters.published.workbook_tables import FOREIGN_NOTE

    page = tmp_path / "page.html"
    page.write_bytes(PAGE.read_bytes())
    profile = tmp_path / "profile"
    for suffix in ("xlsx", "xls"):
        subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
                        "--infilter=HTML (StarCalc)", "--convert-to", suffix, "--outdir", str(tmp_path / "calc"),
                        str(page)], check=True, capture_output=True, timeout=180)
        book = tmp_path / "calc" / f"page.{suffix}"
        src = open_source(book)
        assert src.kind == "published" and src.notes[0] == FOREIGN_NOTE
        assert src.report.values == open_source(PAGE).report.values
    book = tmp_path / "calc" / "page.xlsx"
    code, out, _ = run(capsys, "import", book, "-o", tmp_path / "page.json", *DAY)
    assert code in (0, 1) and FOREIGN_NOTE in out
    before = book.read_bytes()  # fill cannot write it, and says how to get a template from it
    code, out, err = run(capsys, "fill", book, *DAY)
    assert code == 2 and "不是本工具的模板" in err and "-o 新文件.xlsm" in err and book.read_bytes() == before


def test_a_workbook_with_nothing_of_a_report_is_one_refusal(tmp_path: Path) -> None:
    """A workbook of something else (a list of names) is no template and no report's tables: one refusal."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "电话"])
    wb.active.append(["张三", "12345"])
    book = tmp_path / "名单.xlsx"
    wb.save(book)
    with pytest.raises(InputError) as exc:
        open_source(book)
    assert "不像一份政府信息公开工作年度报告" in str(exc.value) and str(book) in str(exc.value)


# ============================================================================================== .xls

def test_an_xls_template_checks_like_the_xlsx(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = tmp_path / "淮安.xlsx"
    book.write_bytes(filled())
    profile = tmp_path / "profile"
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "xls",
                    "--outdir", str(tmp_path / "xls"), str(book)], check=True, capture_output=True, timeout=180)
    xls = tmp_path / "xls" / "淮安.xls"
    assert sniff(xls).format is XLS_IN and sniff(book).format is WORKBOOK_IN
    old, new = open_source(xls), open_source(book)
    assert old.kind == "workbook" and old.report.values == new.report.values
    assert (old.report.metadata, old.report.narrative) == (new.report.metadata, new.report.narrative)
    outputs = [run(capsys, "check", p, "--format", "json", *DAY) for p in (xls, book)]
    assert outputs[0][0] == outputs[1][0] == 0
    assert json.loads(outputs[0][1])["validation"] == json.loads(outputs[1][1])["validation"]
    # an .xls can be read and checked, not rewritten: fill says what to do
    code, _, err = run(capsys, "fill", xls, "-o", tmp_path / "f.xlsx", *DAY)
    assert code == 2 and "另存为 .xlsm" in err


def test_hostile_xls_files_are_refused_before_calamine_reads_them(tmp_path: Path) -> None:
    cases = {
        # calamine would hold 65 536 × 256 cells (1 GB); a DIMENSIONS record of 2^32 rows makes it abort
        "far.xls": (compound({"Workbook": workbook_stream([(0, 0, 1.0), (65535, 255, 2.0)])}), "IV65536"),
        "dimensions.xls": (compound({"Workbook": workbook_stream([(0, 0, 1.0)], dimensions=(0, 2**32 - 1, 0, 255))}),
                           "4,294,967,296 行"),
        # calamine follows a directory chain that loops back on itself for ever
        "loop.xls": (looped(compound({"Workbook": workbook_stream([(0, 0, 1.0)])})), "目录的扇区链出现循环"),
        "no-workbook.xls": (compound({"Workbook": b"\x00" * 10}), "不是以 BOF 记录开头"),
    }
    for name, (data, message) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(InputError, match=message) as exc:
            open_source(path)
        assert str(path) in str(exc.value)


# ============================================================================================== .doc

def test_a_doc_is_converted_with_libreoffice(tmp_path: Path, report_docx: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # the conversion's private folders go in this test's own temporary folder: tests running beside it
    # (in other processes) cannot make them seem left over
    own_tmp = tmp_path / "tmp"
    own_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(own_tmp))
    profile = tmp_path / "profile"
    folder = tmp_path / "收件"
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "doc",
                    "--outdir", str(folder), str(report_docx)], check=True, capture_output=True, timeout=180)
    doc = folder / "淮安.doc"
    assert sniff(doc).format is DOC_IN
    before = set(Path(tempfile.gettempdir()).glob("xl_gongkai-convert-*"))
    src = open_source(doc)
    assert src.path == doc and src.kind == "published" and src.converted
    assert src.notes == ["已用 LibreOffice 把 Word 97-2003 文档转换为 .docx 后读取。"]
    assert src.report.values == open_source(report_docx).report.values and src.findings == ()
    code, out, _ = run(capsys, "check", doc, *DAY)
    assert code == 0 and "已用 LibreOffice" in out
    # the conversion ran in a private folder that is gone, and left nothing beside the file
    assert set(Path(tempfile.gettempdir()).glob("xl_gongkai-convert-*")) == before
    assert [p.name for p in folder.iterdir()] == ["淮安.doc"]


def test_without_libreoffice_a_doc_is_one_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))  # a PATH without soffice, as on a clerk's PC
    for name in ("报告.doc", "报告.wps"):
        path = tmp_path / name
        path.write_bytes(compound({"WordDocument": bytes(600), "1Table": bytes(600)}))
        assert sniff(path).format is DOC_IN and sniff(path).note == ""
        code, out, err = run(capsys, "check", path, *DAY)
        assert code == 2 and out == "" and err.count("\n") == 1
        assert "LibreOffice" in err and "另存为” .docx" in err and str(path) in err
    with run_audit(tmp_path, jobs=1, today=TODAY) as result:
        assert [f["rule"] for f in result.findings] == ["F1", "F1"]
        assert all("LibreOffice" in r["note"] for r in result.files)


def test_converted_workbooks_are_read_but_never_rewritten(tmp_path: Path) -> None:
    book = tmp_path / "淮安.xlsx"
    book.write_bytes(filled())
    profile = tmp_path / "profile"
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "ods",
                    "--outdir", str(tmp_path), str(book)], check=True, capture_output=True, timeout=180)
    src = open_source(tmp_path / "淮安.ods")
    assert src.report.values == open_source(book).report.values and src.converted and not src.is_file_workbook
    assert src.notes == ["已用 LibreOffice 把 OpenDocument 电子表格转换为 .xlsx 后读取。"]

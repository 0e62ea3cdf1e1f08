"""Renders the first two pages of the 淮安 2024 annual report (Word output) for docs/report.md.

Dev tool; needs the Debian packages of .ci/apt-packages.txt (LibreOffice, poppler). The report is the
typed-in 淮安市人民政府 2024 data of the tests, with the 信息处理费 sentence of its section 六 as
published; section 一 is left empty, so it shows the generated summary paragraphs. LibreOffice has
none of the official fonts here and substitutes its own, so the pictures show the layout, not the
type faces. Run: ``python scripts/render_report_images.py``.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "src"))

from support.libreoffice import convert_to_pdf, pdf_to_pngs  # noqa: E402
from xl_gongkai.adapters.jsonfile import read_report  # noqa: E402
from xl_gongkai.commands.report import render_report  # noqa: E402

IMG = ROOT / "docs" / "img"
SOURCE = ROOT / "tests" / "data" / "reports" / "huaian-city-2024.json"


def main() -> None:
    report = read_report(SOURCE).report
    report = replace(report, narrative={"other": "全年收取政府信息公开信息处理费3940元。"})
    with tempfile.TemporaryDirectory() as tmp:
        docx_path = Path(tmp) / "report.docx"
        render_report(report, docx_path=docx_path)
        pdf = convert_to_pdf(docx_path, tmp)
        pages = pdf_to_pngs(pdf, Path(tmp) / "report-page", first=1, last=2, dpi=80)
        IMG.mkdir(parents=True, exist_ok=True)
        for page in pages:
            target = IMG / page.name
            target.write_bytes(page.read_bytes())
            print(target.relative_to(ROOT))


if __name__ == "__main__":
    main()

"""`make demo`: the main job on the bundled example (the reference report), end to end.

The reference report — 攀枝花市东区科学技术局's published 2025 report, as extracted text — is imported
into a copy of the template built from the spec; then what a clerk runs: check, fill, export, the
publishable report; what anyone receiving the report can run: verify (the Word file against the data it
carries); and the summary is printed. Everything is written under ``out/``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = "examples/攀枝花市东区科学技术局2025年政府信息公开工作年度报告.txt"


def step(title: str, *args: str) -> None:
    print(f"\n== {title}: xl-gongkai {' '.join(args)}", flush=True)
    rc = subprocess.run([sys.executable, "-m", "xl_gongkai", *args], cwd=ROOT).returncode
    if rc != 0:
        sys.exit(rc)


def main() -> None:
    (ROOT / "out").mkdir(exist_ok=True)
    step("生成模板", "template", "build", "-o", "out/template.xlsm")
    step("导入已公布的年报并填入模板", "import", EXAMPLE, "-o", "out/示例.xlsm")
    step("校验", "check", "out/示例.xlsm")
    step("填充合计", "fill", "out/示例.xlsm")
    step("导出", "export", "out/示例.xlsm", "-o", "out/payload.json", "--summary", "out/summary.md")
    step("生成年报", "report", "out/示例.xlsm", "-o", "out/年报.docx", "--html", "out/年报.html")
    step("核对年报与其内嵌的数据", "verify", "out/年报.docx")
    step("摘要", "summary", "out/payload.json")


if __name__ == "__main__":
    main()

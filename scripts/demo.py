"""`make demo`: the main job on the bundled example (the reference report), end to end.

Builds the template from the spec, fills a copy with the reference report's data, then runs what a
clerk runs: check, fill, export; and prints the summary. Everything is written under ``out/``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = "examples/panzhihua-dongqu-kejiju-2025.json"


def step(title: str, *args: str) -> None:
    print(f"\n== {title}: xl-gongkai {' '.join(args)}", flush=True)
    rc = subprocess.run([sys.executable, "-m", "xl_gongkai", *args], cwd=ROOT).returncode
    if rc != 0:
        sys.exit(rc)


def main() -> None:
    (ROOT / "out").mkdir(exist_ok=True)
    step("生成模板", "template", "build", "-o", "out/template.xlsm")
    step("填入示例（参考报告）", "new", "--from", EXAMPLE, "-o", "out/示例.xlsm")
    step("校验", "check", "out/示例.xlsm")
    step("填充合计", "fill", "out/示例.xlsm")
    step("导出", "export", "out/示例.xlsm", "-o", "out/payload.json", "--summary", "out/summary.md")
    step("摘要", "summary", "out/payload.json")


if __name__ == "__main__":
    main()

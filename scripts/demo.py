"""`make demo`: the main job on the bundled example (the reference report), end to end.

Checks the example, exports the JSON payload and the summary into ``out/``, and prints the summary.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "panzhihua-dongqu-kejiju-2025.json"
OUT = ROOT / "out"


def step(title: str, *args: str) -> None:
    print(f"\n== {title}: xl-gongkai {' '.join(args)}", flush=True)
    rc = subprocess.run([sys.executable, "-m", "xl_gongkai", *args], cwd=ROOT).returncode
    if rc != 0:
        sys.exit(rc)


def main() -> None:
    OUT.mkdir(exist_ok=True)
    rel = str(EXAMPLE.relative_to(ROOT))
    step("校验", "check", rel)
    step("导出", "export", rel, "-o", "out/payload.json", "--summary", "out/summary.md")
    step("摘要", "summary", "out/payload.json")


if __name__ == "__main__":
    main()

"""Start-up cost of the Swedish catalogue: the compiled .mo against compiling the .po with Babel
on first use (a fresh clone before any build), and `rollout --help` in both languages.

    .venv/bin/python scripts/bench_i18n.py        # re-run on a quiet machine
"""

from __future__ import annotations

import gettext
import io
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from optimizer import i18n  # noqa: E402


def best_of(fn, n: int = 20) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    po = i18n.LOCALE_DIR / "sv" / "LC_MESSAGES" / "rollout.po"
    mo_bytes = i18n.compile_po(po)
    print(f"compile the .po with Babel (first use without a .mo): {1000 * best_of(lambda: i18n.compile_po(po)):.1f} ms")
    print(f"load the compiled .mo:                                 "
          f"{1000 * best_of(lambda: gettext.GNUTranslations(io.BytesIO(mo_bytes))):.2f} ms")
    exe = ROOT / ".venv" / "bin" / "rollout"
    for lang in ("en", "sv"):
        runs = []
        for _ in range(5):
            t0 = time.perf_counter()
            subprocess.run([str(exe), "--lang", lang, "--help"], check=True, capture_output=True,
                           env={**os.environ, "COLUMNS": "80"})
            runs.append(time.perf_counter() - t0)
        print(f"rollout --lang {lang} --help: median {statistics.median(runs):.3f} s, best {min(runs):.3f} s")


if __name__ == "__main__":
    main()

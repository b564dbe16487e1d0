#!/usr/bin/env python3
"""Benchmark: is --time-limit honest? (issue 17.11)

Runs ``rollout solve`` as a whole process, from its start to its exit (start-up, loading,
solving, the terminal tables and writing CSV + XLSX included), on generated instances
(scripts/generate.py) for each time limit, and reports wall seconds against the limit. The
promise: wall <= limit x 1.05 + 1 s. It also reports whether the run was reproducible (no
level cut by the wall clock) and the objective, from the JSON the command writes.

    python scripts/benchmark_time_limit.py                                   # 200x12, 2000x24; limits 5, 30, 60
    python scripts/benchmark_time_limit.py --sizes 200x12 --limits 5 --runs 3
    python scripts/benchmark_time_limit.py --farm-bench                      # time with farm-bench (median of --runs)

Wall times depend on the machine and its load: the output records the load average. On a
loaded machine more runs end by the wall clock (and say they are not reproducible).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from optimizer.samples import generate, write_csv  # noqa: E402


def command(gpath: Path, cpath: Path, limit: float, seed: int, out: Path) -> list[str]:
    return [sys.executable, "-m", "optimizer.cli", "solve", str(gpath), str(cpath), "--time-limit", f"{limit:g}",
            "--seed", str(seed), "-q", "--out", str(out / "plan.json"), "--out", str(out / "plan.csv"),
            "--out", str(out / "plan.xlsx")]


def run_once(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - t0


def farm_bench(cmd: list[str], runs: int, limit: float) -> float | None:
    """Median wall seconds from farm-bench, or None if it is not there or said nothing we read."""
    if not shutil.which("farm-bench"):
        return None
    timeout = int(min(3600, (runs + 1) * (2 * limit + 30)))
    p = subprocess.run(["farm-bench", "-n", str(runs), "--warmup", "0", "--timeout", str(timeout), "--", *cmd],
                       cwd=ROOT, capture_output=True, text=True, check=False)
    print("    " + p.stdout.strip().replace("\n", "\n    "))
    m = re.search(r"wall[^\n]*?([0-9.]+)\s*s?\s*/\s*([0-9.]+)", p.stdout)  # min / median / max
    return float(m.group(2)) if m else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="200x12,2000x24", help="groups x months, comma-separated")
    ap.add_argument("--limits", default="5,30,60", help="time limits in seconds, comma-separated")
    ap.add_argument("--seed", type=int, default=1, help="instance and solver seed")
    ap.add_argument("--runs", type=int, default=1, help="runs per case (the median is reported)")
    ap.add_argument("--farm-bench", action="store_true", help="time with farm-bench instead of a plain clock")
    a = ap.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("size       limit    wall   wall/limit  within  reproducible  objective")
    for size in a.sizes.split(","):
        groups, months = (int(x) for x in size.lower().split("x"))
        with tempfile.TemporaryDirectory() as d:
            folder = Path(d)
            gpath, cpath = write_csv(generate(groups, months, a.seed), folder)
            for limit in (float(x) for x in a.limits.split(",")):
                cmd = command(gpath, cpath, limit, a.seed, folder)
                wall = farm_bench(cmd, a.runs, limit) if a.farm_bench else None
                if wall is None:
                    walls = sorted(run_once(cmd) for _ in range(a.runs))
                    wall = walls[len(walls) // 2]
                try:
                    data = json.loads((folder / "plan.json").read_text())
                    repro, obj = data["reproducible"], {o["level"]: o["value"] for o in data["objective"]}
                except (OSError, ValueError, KeyError):
                    repro, obj = None, None
                ok = wall <= 1.05 * limit + 1
                print(f"{size:<10} {limit:>5g} {wall:>7.2f}   {wall / limit:>8.2f}   {'yes' if ok else 'NO':>5}  "
                      f"{str(repro):>12}  {obj}", flush=True)


if __name__ == "__main__":
    main()

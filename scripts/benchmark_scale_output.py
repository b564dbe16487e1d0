#!/usr/bin/env python3
"""Benchmark: load, solve and write at scale (issue 23.3).

For each size (groups x months, from scripts/generate.py; ``--one-user`` makes every group one
user, as in the issue's 20,000 one-user groups) it times, in one process, each stage of what
``rollout solve`` does: load the CSVs, solve with the CLI's time limit, render the terminal
tables (to a buffer, 200 columns), and write CSV, Markdown, JSON and XLSX. With ``--cli`` it
also runs the whole command as a process (``rollout solve ... --out`` all four formats) and
reports its wall time against the limit.

    python scripts/benchmark_scale_output.py                       # 20,000 and 100,000 groups x 24 months
    python scripts/benchmark_scale_output.py --sizes 20000x24 --one-user --cli
    python scripts/benchmark_scale_output.py --profile /tmp/scale.prof --sizes 20000x24

Timings depend on the machine and its load; the output records the load average.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from optimizer.samples import generate, write_csv  # noqa: E402
from rich.console import Console  # noqa: E402

from optimizer.render.console import print_result  # noqa: E402
from optimizer.render.export import WRITERS  # noqa: E402
from optimizer.inputs.loaders import load_instance  # noqa: E402
from optimizer.solving.solver import solve  # noqa: E402
from optimizer.solving.timelimit import solve_options  # noqa: E402


def make_inputs(groups: int, months: int, seed: int, one_user: bool, folder: Path) -> tuple[Path, Path]:
    gpath, cpath = write_csv(generate(groups, months, seed), folder)
    if one_user:
        with open(gpath, newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        size = rows[0].index("size")
        for r in rows[1:]:
            r[size] = "1"
        with open(gpath, "w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows(rows)
    return gpath, cpath


def run_stages(gpath: Path, cpath: Path, time_limit: float, out: Path) -> dict[str, float]:
    t: dict[str, float] = {}
    t0 = time.perf_counter()
    inst = load_instance(gpath, cpath, None)
    t["load"] = time.perf_counter() - t0
    s = time.perf_counter()
    outs = [str(out / f"plan{suffix}") for suffix in WRITERS]
    res = solve(inst, solve_options(time_limit, len(inst.groups), outs, started=t0))
    t["solve"] = time.perf_counter() - s
    s = time.perf_counter()
    print_result(Console(file=io.StringIO(), width=200), inst, res)
    t["terminal"] = time.perf_counter() - s
    for p in outs:
        s = time.perf_counter()
        WRITERS[Path(p).suffix](inst, res, Path(p))
        t["write" + Path(p).suffix] = time.perf_counter() - s
    t["total"] = time.perf_counter() - t0
    t["status"] = res.status  # type: ignore[assignment]
    return t


def run_cli(gpath: Path, cpath: Path, time_limit: float, out: Path) -> float:
    cmd = [sys.executable, "-m", "optimizer.cli", "solve", str(gpath), str(cpath), "--time-limit", str(time_limit),
           "-q"] + [a for suffix in WRITERS for a in ("--out", str(out / f"cli{suffix}"))]
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="20000x24,100000x24", help="groups x months, comma-separated")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--time-limit", type=float, default=5.0)
    ap.add_argument("--one-user", action="store_true", help="every group one user")
    ap.add_argument("--cli", action="store_true", help="also time the whole command as a process")
    ap.add_argument("--profile", help="write a cProfile of the stages to this file")
    a = ap.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; time limit {a.time_limit:g} s")
    for size in a.sizes.split(","):
        groups, months = (int(x) for x in size.lower().split("x"))
        with tempfile.TemporaryDirectory() as d:
            folder = Path(d)
            gpath, cpath = make_inputs(groups, months, a.seed, a.one_user, folder)
            prof = cProfile.Profile() if a.profile else None
            if prof:
                prof.enable()
            t = run_stages(gpath, cpath, a.time_limit, folder)
            if prof:
                prof.disable()
                prof.dump_stats(a.profile)
            line = ", ".join(f"{k} {v:.2f} s" if isinstance(v, float) else f"{k} {v}" for k, v in t.items())
            print(f"{groups} x {months}{' one-user' if a.one_user else ''}: {line}")
            if a.cli:
                wall = run_cli(gpath, cpath, a.time_limit, folder)
                print(f"  whole command: {wall:.2f} s wall for a {a.time_limit:g} s limit ({wall / a.time_limit:.2f}x)")


if __name__ == "__main__":
    main()

"""One split solve with a short limit, printing each level (value, bound, status, seconds) and
the time of the first plan: the quick probe behind docs/benchmarks.md's split section
(``python scripts/split_levels.py FOLDER --time-limit 10``; FOLDER from scripts/generate_split.py)."""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from optimizer.checker import check_plan
from optimizer.inputs.loaders import load_instance
from optimizer.solving.solver import SolveOptions, solve


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("folder", type=Path)
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    inst = load_instance(a.folder / "groups.csv", a.folder / "capacity.csv", a.folder / "rules.toml")
    t0 = time.perf_counter()
    first: list[float] = []

    def progress(level, value, bound, seconds):
        if not first:
            first.append(time.perf_counter() - t0)
    r = solve(inst, SolveOptions(time_limit=a.time_limit, workers=a.workers), progress=progress)
    secs = time.perf_counter() - t0
    print(f"{a.folder.name}: {len(inst.groups)}x{inst.horizon} split={inst.may_split} load={os.getloadavg()[0]:.1f}"
          f" total {secs:.1f}s first plan {first[0] if first else float('nan'):.2f}s status {r.status}")
    for lv in r.levels:
        print(f"  {lv.name:9} {lv.value} bound {lv.bound} {lv.status} {lv.seconds:.1f}s {lv.stopped_by}")
    print(f"  checker: {check_plan(r.plan) if r.plan else 'no plan'}; split groups "
          f"{r.plan.split_groups() if r.plan else '-'}; stats {r.model_stats.get('build_seconds')}")


if __name__ == "__main__":
    main()

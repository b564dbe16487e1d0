#!/usr/bin/env python3
"""Benchmark for split groups (issue 15): generated instances (scripts/generate.py) where about a
third of the groups may split over 2-3 months, solved by the model of parts, side by side with the
same instances with splitting off (every group in one month: v1's solver), to show what splitting
buys (months and user-months) and what the model of parts costs.

Each run is a child process of its own (peak memory is its own). Per run: the first plan's time,
each level's value, bound, gap and what ended it, the seconds, peak memory, the checker's verdict.

    python scripts/benchmark_split.py                          # 200x12 (30 s), 2000x24 (60 s), 5000x36 (180 s)
    python scripts/benchmark_split.py --sizes 50x12,200x12 --limit 20 --out /tmp/split.csv

Figures depend on the machine and its load; the Markdown table printed at the end says which.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import os
import platform
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

DEFAULT_LIMITS = {"200x12": 30.0, "2000x24": 60.0, "5000x36": 180.0}
SPLIT_SHARE = 1 / 3


def split_instance(n_groups: int, n_months: int, seed: int, split: bool):
    """The generated instance; with ``split`` about a third of the groups (drawn with ``seed``)
    get max_months 2 or 3."""
    from generate import generate
    inst = generate(n_groups, n_months, seed)
    if not split:
        return inst
    rnd = random.Random(seed + 7919)
    groups = tuple(dataclasses.replace(g, max_months=rnd.choice((2, 3))) if rnd.random() < SPLIT_SHARE else g
                   for g in inst.groups)
    # the generated rules had "splits" dropped (nothing could split): the default objective again
    from optimizer.domain import DEFAULT_OBJECTIVE
    return dataclasses.replace(inst, groups=groups, rules=dataclasses.replace(inst.rules, objective=DEFAULT_OBJECTIVE))


def run_one(size: str, split: bool, seed: int, limit: float, workers: int) -> dict:
    """One solve in this process: a JSON-able record."""
    from optimizer.checker import check_plan
    from optimizer.solver import SolveOptions, solve
    g, t = (int(x) for x in size.split("x"))
    inst = split_instance(g, t, seed, split)
    first: list[float] = []
    t0 = time.perf_counter()
    res = solve(inst, SolveOptions(time_limit=limit, workers=workers, seed=seed),
                progress=lambda *_a: first.append(time.perf_counter() - t0) if not first else None)
    rec = {"size": size, "split": split, "seed": seed, "limit": limit, "status": res.status,
           "seconds": round(res.seconds, 2), "first_plan_s": round(first[0], 2) if first else None,
           "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
           "valid": res.plan is not None and not check_plan(res.plan),
           "split_groups": res.plan.split_groups() if res.plan else None,
           "user_months": res.plan.waiting() if res.plan else None,
           "variables": res.model_stats.get("variables")}
    for lv in res.levels:
        rec[lv.name] = lv.value
        rec[f"{lv.name}_bound"] = lv.bound
        rec[f"{lv.name}_gap"] = None if lv.gap is None else round(lv.gap, 5)
        rec[f"{lv.name}_by"] = lv.stopped_by
        rec[f"{lv.name}_s"] = round(lv.seconds, 2)
    return rec


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default=",".join(DEFAULT_LIMITS))
    ap.add_argument("--limit", type=float, default=None, help="seconds per run (default: per size, as in the issue)")
    ap.add_argument("--seeds", default="0")
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--out", default="benchmark-split.csv")
    ap.add_argument("--one", nargs=4, metavar=("SIZE", "SPLIT", "SEED", "LIMIT"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        size, split, seed, limit = a.one
        print(json.dumps(run_one(size, split == "1", int(seed), float(limit), a.workers)))
        return
    rows = []
    for size in a.sizes.split(","):
        for seed in (int(s) for s in a.seeds.split(",")):
            for split in (True, False):
                limit = a.limit or DEFAULT_LIMITS.get(size, 30.0)
                out = subprocess.run([sys.executable, __file__, "--workers", str(a.workers), "--one", size,
                                      "1" if split else "0", str(seed), str(limit)],
                                     capture_output=True, text=True, check=True)
                rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
                print(json.dumps(rows[-1]), file=sys.stderr)
    keys = sorted({k for r in rows for k in r})
    with open(a.out, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=keys)
        w.writeheader()
        w.writerows(rows)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    print("| groups x months | splitting | first plan | finish (by) | waiting (gap) | split groups | peak MiB |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['size']} | {'on' if r['split'] else 'off'} | {r['first_plan_s']} s | {r.get('finish')} "
              f"({r.get('finish_by')}, {r.get('finish_s')} s) | {r.get('waiting')} ({r.get('waiting_gap')}) | "
              f"{r['split_groups']} | {r['peak_mib']} |")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Benchmark `rollout sweep`: a 48-solve sweep on the local engine and on Ray (a local instance,
or a cluster with --address), with the same workers per solve, seeds and time limit.

Builds one random instance (default 200 groups x 12 months, scripts/generate.py) as the base
scenario and a sweep of 4 helpdesk scales x 2 capacity additions x 2 platform rules x 3 seeds
(48 solves; --seeds 1 makes it 16). For each engine it reports the wall time, the solve time
per scenario, the overhead (wall x jobs / sum of solve times), the load average of the machine
before and after, and how many KPI rows equal those of the first engine: every row whose solve
was reproducible on both (deterministic mode, no level cut by its wall-clock backstop) must; the
solve time aside. On a busy machine solves that run to their time limit hit the backstop. From the per-solve time it prints what a cluster
of N nodes would take.

    python scripts/benchmark_sweep.py                                  # 200 x 12, 48 solves, 10 s each
    python scripts/benchmark_sweep.py --groups 30 --months 6 --time-limit 3 --workers 1   # small
    python scripts/benchmark_sweep.py --engines ray --address ray://HEAD:10001 --jobs 32

Timings on a shared machine are only indicative; run it on an idle one for figures to quote.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from optimizer.samples import generate, write_csv  # noqa: E402

from optimizer.sweep import run as S  # noqa: E402
from optimizer.sweep.file import load_sweep  # noqa: E402


def write_sweep(outdir: Path, n_groups: int, n_months: int, seeds: int, seed: int, time_limit: float,
                workers: int) -> Path:
    inst = generate(n_groups, n_months, seed)
    groups, capacity = (p.name for p in write_csv(inst, outdir))
    (outdir / "base.toml").write_text(f'name = "base"\ngroups = "{groups}"\ncapacity = "{capacity}"\n',
                                      encoding="utf-8")
    third = inst.months[min(2, len(inst.months) - 1)].label
    add = max(1, max(m.assisted for m in inst.months) // 2)
    p = outdir / "sweep.toml"
    p.write_text(
        f'name = "benchmark"\nbase = "base.toml"\ntime_limit = {time_limit}\nworkers = {workers}\n'
        f'[axes]\nseed = {list(range(seeds))}\n'
        f'capacity_add = [{{}}, {{ from = "{third}", assisted = {add} }}]\n'
        '[axes.capacity_scale]\nhelpdesk = [0.9, 1.0, 1.1, 1.25]\n'
        '[axes.rules]\nmax_platforms_per_month = [0, 2]\n', encoding="utf-8")
    print(f"instance: {len(inst.groups)} groups x {len(inst.months)} months (scripts/generate.py, seed {seed}); "
          f"sweep in {p}")
    return p


def kpi_rows(res: S.SweepResult) -> dict[str, tuple]:
    return {r["key"]: (r["status"], tuple(sorted((k, v) for k, v in r["kpis"].items() if k != "solve_seconds")),
                       bool(r.get("reproducible"))) for r in res.rows}


def same(rows: dict[str, tuple], ref: dict[str, tuple]) -> tuple[int, int]:
    """(rows compared, rows equal): rows reproducible on both engines (no level cut by the wall
    clock: a busy machine) must be equal; the others may differ."""
    keys = [k for k in ref if k in rows and ref[k][2] and rows[k][2]]
    return len(keys), sum(rows[k][:2] == ref[k][:2] for k in keys)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--groups", type=int, default=200)
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--seeds", type=int, default=3, help="solver seeds per scenario (3: 48 solves)")
    ap.add_argument("--time-limit", type=float, default=10.0, help="seconds per solve (default 10)")
    ap.add_argument("--workers", type=int, default=2, help="CP-SAT workers per solve, on every engine (default 2)")
    ap.add_argument("--jobs", type=int, default=None, help="solves at a time (default: cores / workers, at least 1)")
    ap.add_argument("--engines", default="local,ray", help="comma-separated, the first is the reference")
    ap.add_argument("--address", default=None, help="a Ray cluster for the ray engine (default: a local instance)")
    ap.add_argument("--seed", type=int, default=0, help="instance seed")
    ap.add_argument("--csv", type=Path, help="also write the results here")
    a = ap.parse_args(argv)
    jobs = a.jobs or max(1, (os.cpu_count() or 1) // a.workers)

    out = []
    with tempfile.TemporaryDirectory() as tmp:
        sweep = load_sweep(write_sweep(Path(tmp), a.groups, a.months, a.seeds, a.seed, a.time_limit, a.workers))
        ref = None
        for engine in a.engines.split(","):
            load0 = os.getloadavg()[0]
            t0 = time.perf_counter()
            res = S.run_sweep(sweep, engine=engine, jobs=None if (engine == "ray" and a.address) else jobs,
                              address=a.address if engine == "ray" else None)
            wall = time.perf_counter() - t0
            load1 = os.getloadavg()[0]
            secs = [r["kpis"]["solve_seconds"] for r in res.rows if r["kpis"].get("solve_seconds") is not None]
            rows = kpi_rows(res)
            ref = ref or rows
            compared, equal = same(rows, ref)
            statuses: dict[str, int] = {}
            for r in res.rows:
                statuses[r["status"]] = statuses.get(r["status"], 0) + 1
            out.append({
                "engine": engine, "solves": len(res.rows), "jobs": res.jobs, "workers": a.workers,
                "wall_s": round(wall, 1), "mean_solve_s": round(statistics.mean(secs), 2) if secs else None,
                "sum_solve_s": round(sum(secs), 1),
                "overhead": round(wall * res.jobs / sum(secs), 2) if secs else None,
                "reproducible": sum(r[2] for r in rows.values()), "compared": compared, "equal": equal,
                "front": len(res.front_rows),
                "statuses": " ".join(f"{k}:{v}" for k, v in sorted(statuses.items())),
                "load_before": round(load0, 1), "load_after": round(load1, 1), "cpus": os.cpu_count(),
            })
            print("  " + ", ".join(f"{k}={v}" for k, v in out[-1].items()), flush=True)
    first = out[0]
    if first["mean_solve_s"]:
        per = first["mean_solve_s"]
        print(f"\nper solve {per:.1f} s with {a.workers} workers: {first['solves']} solves take about "
              f"{first['solves'] * per:.0f} s of one solve slot; on N nodes of C CPUs "
              f"(C / {a.workers} slots each) about {first['solves']} x {per:.1f} s / (N x C / {a.workers}) "
              "plus Ray's start-up.")
    if a.csv:
        with open(a.csv, "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(out[0]))
            w.writeheader()
            w.writerows(out)
    return 0 if all(r["compared"] == r["equal"] for r in out) else 1


if __name__ == "__main__":
    sys.exit(main())

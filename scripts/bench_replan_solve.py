"""Time the re-plan's solve (optimizer.replan.solve) on files written by scripts/generate_replan.py.

    python scripts/generate_replan.py --groups 2000 --months 24 --history 6 --slipped 0.1 --out /tmp/r2000
    python scripts/bench_replan_solve.py /tmp/r2000 --as-of 2027-07 --time-limit 60

Prints the start plan's time (v1's whole-group solve of the coming months), each level's value,
bound, status and seconds, and the model's build time. Measure on a quiet machine: the figures
scale with the load (docs/replan.md).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from optimizer.inputs.loaders import load_instance
from optimizer.replan.verify import check_replan
from optimizer.replan.inputs import load_replan_inputs
from optimizer.replan.solve import solve_replan
from optimizer.replan.start import future_start
from optimizer.solving.solver import SolveOptions


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("--as-of", required=True)
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--observed-rates", action="store_true")
    a = ap.parse_args()
    d = Path(a.folder)
    inst = load_instance(d / "groups.csv", d / "capacity.csv")
    rin = load_replan_inputs(inst, d / "plan.csv", d / "actuals.csv", a.as_of, use_observed_rates=a.observed_rates)
    opts = SolveOptions(time_limit=a.time_limit, deadline=time.perf_counter() + 1.5 * a.time_limit)
    t = time.perf_counter()
    start, proven, _ = future_start(inst, rin, opts)
    print(f"start plan: {time.perf_counter() - t:.1f} s, finish {start.finish() if start else None}, "
          f"proven {proven}")
    t = time.perf_counter()
    res = solve_replan(inst, rin, SolveOptions(time_limit=a.time_limit))
    print(f"re-plan: {time.perf_counter() - t:.1f} s, status {res.status}, model {res.model_stats}")
    for lv in res.levels:
        print(f"  {lv.name:9} {lv.status:9} value {lv.value} bound {lv.bound} {lv.seconds:.1f} s ({lv.stopped_by})")
    if res.plan is not None:
        print("checker:", check_replan(res.plan, rin)[:3] or "ok")


if __name__ == "__main__":
    main()

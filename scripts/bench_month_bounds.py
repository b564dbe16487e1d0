#!/usr/bin/env python3
"""Time the solver-side paths that ask month_bounds: greedy plans, window sub-instances, LP rounding.

    python scripts/bench_month_bounds.py [--groups 5000] [--months 36] [--seed 1] [--repeat 3]

Prints the best of ``--repeat`` wall times (seconds) of: the three greedy variants; building the
window sub-instance of every 3-month window of the greedy plan; and stage_ends + round_lp on
seeded pseudo-LP values. Run it from another checkout (the script puts its own tree first on
sys.path) to compare two versions; the machine's load distorts the times.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import numpy as np  # noqa: E402

from generate import generate  # noqa: E402
from optimizer.solving import greedy
from optimizer.solving import window_moves as lns
from optimizer.solving.lp import rounding as repair  # noqa: E402
from optimizer.model import RolloutModel  # noqa: E402


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--groups", type=int, default=5000)
    ap.add_argument("--months", type=int, default=36)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    inst = generate(a.groups, a.months, a.seed)
    variants = [("readiness", greedy.EFFORT_ORDER), ("readiness", greedy.TICKET_ORDER), ("size", greedy.TICKET_ORDER)]
    print(f"{a.groups} groups x {a.months} months, seed {a.seed}: best of {a.repeat}")
    print(f"  greedy (3 variants)    {best(lambda: [greedy.greedy_plan(inst, o, m) for o, m in variants], a.repeat):8.3f} s")
    plan = greedy.best_greedy(inst)
    if plan is None:
        print("  no greedy plan: no window or rounding timings")
        return
    T = max(t for t, _ in plan.values()) + 1
    windows = [list(range(s, min(T, s + 3))) for s in range(T)]
    print(f"  window instances ({len(windows)})  "
          f"{best(lambda: [lns.window_instance(inst, plan, w, ('finish',)) for w in windows], a.repeat):8.3f} s")
    rm = RolloutModel(inst, max_month=T - 1)
    x = np.random.default_rng(0).random(rm.n_x)

    def rounding():
        for end in repair.stage_ends(inst, rm, x):
            repair.round_lp(inst, rm, x, end)

    print(f"  LP rounding            {best(rounding, a.repeat):8.3f} s")


if __name__ == "__main__":
    main()

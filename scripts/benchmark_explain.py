#!/usr/bin/env python3
"""Benchmark: time to explain an infeasible 1000-group instance (target: under 30 s on 2 cores).

Instances from scripts/generate.py made infeasible in ways real inputs are:

- ``deadline``: every production group must be done by the fourth month;
- ``vip``: no assisted-enrollment team at all, so VIP groups can't be enrolled in person;
- ``helpdesk``: the helpdesk is cut to 40 %.

For each it reports: seconds to prove infeasibility (the solve), seconds to explain,
the size of the conflict, whether it was shrunk to a minimal set, and the repairs found.

    python scripts/benchmark_explain.py [--groups 1000] [--months 12] [--seed 1]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate  # noqa: E402

from optimizer.explain import explain  # noqa: E402
from optimizer.solver import SolveOptions, solve  # noqa: E402


def variants(inst):
    labels = inst.month_labels
    deadline = labels[3]
    yield "deadline", dataclasses.replace(inst, groups=tuple(
        dataclasses.replace(g, latest=deadline) if g.wave == "production" and not g.latest and not g.earliest
        else g for g in inst.groups))
    yield "vip", dataclasses.replace(inst, months=tuple(
        dataclasses.replace(m, assisted=0) for m in inst.months))
    yield "helpdesk", dataclasses.replace(inst, months=tuple(
        dataclasses.replace(m, helpdesk=int(m.helpdesk * 0.4)) for m in inst.months))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--groups", type=int, default=1000)
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--time-limit", type=float, default=30.0)
    a = ap.parse_args()
    base = generate(a.groups, a.months, a.seed)
    print(f"{len(base.groups)} groups x {base.horizon} months, explanation time limit {a.time_limit:g} s")
    for name, inst in variants(base):
        t = time.perf_counter()
        res = solve(inst, SolveOptions(time_limit=a.time_limit))
        solve_s = time.perf_counter() - t
        if res.status != "infeasible":
            print(f"{name}: {res.status} (not infeasible) in {solve_s:.1f} s; skipped")
            continue
        t = time.perf_counter()
        exp = explain(inst, time_limit=a.time_limit)
        secs = time.perf_counter() - t
        print(f"{name}: infeasible proven in {solve_s:.1f} s; explained in {secs:.1f} s: "
              f"{len(exp.conflicts)} conflicting rules ({'minimal' if exp.minimal else 'not shrunk to minimal'}), "
              f"{len(exp.repairs)} verified repairs")
        print(f"    {exp.headline()}")
        for r in exp.repairs[:3]:
            print(f"    + {r.description[:160]}")


if __name__ == "__main__":
    main()

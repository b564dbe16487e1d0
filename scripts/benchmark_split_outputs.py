#!/usr/bin/env python3
"""Benchmark: the checker, KPIs and plan outputs on plans with parts (issue 15, model v2), no solver.

For each size (groups x months) it builds an instance in code and two plans: every group whole
(v1) and the same with about a third of the groups split over 2-3 months (v2). It times
check_plan, objective_values, loads, the plan CSV and the plan table for each, in one process.
Run it on a quiet machine to compare with v1 (e.g. against the commit before split groups):

    python scripts/benchmark_split_outputs.py                    # 20,000 and 100,000 groups x 24 months
    python scripts/benchmark_split_outputs.py --sizes 2000x24

Timings depend on the machine and its load; the output records the load average.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from optimizer.checker import check_plan  # noqa: E402
from optimizer.domain import Group, Instance, Month, Rules  # noqa: E402
from optimizer.render.export import plan_csv  # noqa: E402
from optimizer.plan import Assignment, Plan  # noqa: E402
from optimizer.solving.solver import LevelResult, Result, SolveOptions  # noqa: E402


def build(n: int, months: int, seed: int = 0, v1: bool = False) -> tuple[Instance, Plan, Plan]:
    rnd = random.Random(seed)
    extra = (lambda i: {}) if v1 else (lambda i: {"max_months": rnd.choice([2, 3]) if i % 3 == 0 else None})
    groups = tuple(Group(f"G{i}", rnd.randint(50, 400), readiness=rnd.randint(1, 5), **extra(i)) for i in range(n))
    ms = tuple(Month(f"m{t}", helpdesk=10**8, assisted=10**8, tech_fair=10**8) for t in range(months))
    inst = Instance(groups, ms, Rules(**({} if v1 else {"min_part_users": 10})))
    whole, parts = {}, {}
    for g in groups:
        t = rnd.randrange(months - 2)
        whole[g.name] = Assignment(g.name, t, "self-service")
        if getattr(g, "max_months", None):
            k = g.max_months
            us = [g.size // k] * (k - 1) + [g.size - (k - 1) * (g.size // k)]
            parts[g.name] = Assignment.from_parts(g.name, "self-service", [(t + i, u) for i, u in enumerate(us)])
        else:
            parts[g.name] = whole[g.name]
    return inst, Plan(inst, whole), Plan(inst, parts)


def timed(what: str, fn) -> float:
    t = time.perf_counter()
    fn()
    s = time.perf_counter() - t
    print(f"  {what:<22} {s:8.3f} s")
    return s


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="+", default=["20000x24", "100000x24"])
    ap.add_argument("--v1", action="store_true", help="no max_months at all (also runs on the code before v2)")
    args = ap.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for size in args.sizes:
        n, months = (int(x) for x in size.split("x"))
        inst, whole, parts = build(n, months, v1=args.v1)
        for name, plan in (("whole groups", whole), ("a third split", parts))[:1 if args.v1 else 2]:
            print(f"{n} groups x {months} months, {name}")
            res = Result("feasible", [LevelResult(k, "feasible", v, None, 0.0, "time")
                                      for k, v in plan.objective_values().items()], plan, 0.0, SolveOptions())
            timed("check_plan", lambda: check_plan(plan))
            timed("objective_values", plan.objective_values)
            timed("loads", plan.loads)
            timed("plan CSV", lambda: plan_csv(res))
            timed("plan table", plan.table)
            assert check_plan(plan) == [], check_plan(plan)[:3]


if __name__ == "__main__":
    main()

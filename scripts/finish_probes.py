#!/usr/bin/env python3
"""Finish probes of the LP relaxation (optimizer.solving.lp.relaxation) on generated instances.

For each month T asks GLOP whether a fractional plan finishes by T, and prints the answer,
the wall seconds (model build included), GLOP's iterations and the deterministic seconds the
solver charges for it. "infeasible" at T proves every plan finishes after T.

    python scripts/finish_probes.py --size 2000x24 --seed 1 --months 15,16,17

With ``--cpsat SECONDS`` each month is also given to CP-SAT alone (the model built for months
0..T, no objective, 8 workers): does any plan finish by T? (feasible / infeasible / unknown)
``--highs SECONDS`` does the same with HiGHS on the independent MIP (``highs_mip``, months
0..T, minimising the finish; a bench extra).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from optimizer.samples import generate  # noqa: E402

from optimizer.model import RolloutModel  # noqa: E402
from optimizer.solving.lp.relaxation import finish_probe  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="2000x24", help="GROUPSxMONTHS")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--months", required=True, help="month indexes to probe, comma-separated")
    ap.add_argument("--cpsat", type=float, default=0.0, metavar="SECONDS",
                    help="also ask CP-SAT (8 workers) for a plan by each month, with this time limit")
    ap.add_argument("--highs", type=float, default=0.0, metavar="SECONDS",
                    help="also ask HiGHS (the independent MIP) for a plan by each month")
    a = ap.parse_args()
    n, months = (int(x) for x in a.size.split("x"))
    inst = generate(n, months, a.seed)
    print(f"{inst.name}: capacity floor of the finish {RolloutModel(inst).finish_floor}")
    print("| month | relaxation | seconds | iterations | charged (det. s) |")
    print("|---|---|---|---|---|")
    for t in (int(x) for x in a.months.split(",")):
        p = finish_probe(inst, t)
        print(f"| {t} | {p.status} | {p.seconds:.2f} | {p.iterations:,} | {p.work:.2f} |", flush=True)
    if a.cpsat:
        from ortools.sat.python import cp_model

        for t in (int(x) for x in a.months.split(",")):
            solver = cp_model.CpSolver()
            solver.parameters.num_workers = 8
            solver.parameters.max_time_in_seconds = a.cpsat
            t0 = time.perf_counter()
            status = solver.solve(RolloutModel(inst, max_month=t).model)
            name = {cp_model.OPTIMAL: "feasible", cp_model.FEASIBLE: "feasible",
                    cp_model.INFEASIBLE: "infeasible"}.get(status, "unknown")
            print(f"CP-SAT, a plan by month {t}: {name} ({time.perf_counter() - t0:.1f} s, "
                  f"limit {a.cpsat:.0f} s)", flush=True)

    if a.highs:
        import dataclasses

        from highs_mip import solve_highs

        only = dataclasses.replace(inst, rules=dataclasses.replace(inst.rules, objective=("finish",)))
        for t in (int(x) for x in a.months.split(",")):
            levels, _, _ = solve_highs(only, time_limit=a.highs, max_month=t)
            lv = levels[0]
            name = "feasible" if lv.value is not None else lv.status
            print(f"HiGHS, a plan by month {t}: {name} (finish {lv.value}, bound {lv.bound}, "
                  f"{lv.seconds:.1f} s, limit {a.highs:.0f} s)", flush=True)


if __name__ == "__main__":
    main()

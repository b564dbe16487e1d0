#!/usr/bin/env python3
"""How hard is proving the waiting level? HiGHS and CP-SAT on that level alone (benchmarks only).

The finish is fixed at ``--finish`` (months after it left out, as the solver does after the
finish level); then either

- ``--solver highs``: the independent MIP (``highs_mip``) minimises waiting until it proves the
  optimum or ``--limit`` runs out; or
- ``--solver cpsat``: CP-SAT minimises waiting on our model with ``--workers`` workers; with
  ``--upper U`` it also gets ``waiting <= U`` (e.g. the optimum HiGHS proved), so only the
  proof is left to do, and the bound it reaches shows how far that proof is.

    python scripts/waiting_proof.py --size 200x12 --seed 1 --finish 9 --solver highs --limit 400
    python scripts/waiting_proof.py --size 200x12 --seed 1 --finish 9 --solver cpsat --upper 94222 --limit 120
    python scripts/waiting_proof.py --size 200x12 --seed 1 --finish 9 --solver cpsat --upper 94222 --limit 30 \
        --workers 4 --subsolvers reduced_costs,max_lp_sym,objective_lb_search,objective_shaving

``highspy`` is a bench extra (``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from optimizer.samples import generate  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="200x12", help="GROUPSxMONTHS")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--finish", type=int, required=True, help="the (proven) finish month index")
    ap.add_argument("--solver", choices=["highs", "cpsat"], default="cpsat")
    ap.add_argument("--limit", type=float, default=60.0, help="seconds")
    ap.add_argument("--upper", type=int, default=None, help="CP-SAT: add waiting <= UPPER")
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--subsolvers", default="", help="CP-SAT: only these subsolvers, comma-separated "
                    "(e.g. reduced_costs,max_lp_sym,objective_lb_search)")
    a = ap.parse_args()
    n, months = (int(x) for x in a.size.split("x"))
    inst = generate(n, months, a.seed)
    t0 = time.perf_counter()
    if a.solver == "highs":
        from highs_mip import solve_highs

        only = dataclasses.replace(inst, rules=dataclasses.replace(inst.rules, objective=("waiting",)))
        levels, _, trace = solve_highs(only, time_limit=a.limit, max_month=a.finish)
        lv = levels[0]
        print(f"{inst.name}, finish {a.finish}, HiGHS: {lv.status} waiting {lv.value} bound {lv.bound} "
              f"in {lv.seconds:.1f} s")
        return
    from ortools.sat.python import cp_model

    from optimizer.model import RolloutModel

    rm = RolloutModel(inst, max_month=a.finish)
    rm.set_objective("waiting")
    if a.upper is not None:
        rm.fix_level("waiting", 0, a.upper)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = a.workers
    solver.parameters.max_time_in_seconds = a.limit
    if a.subsolvers:
        solver.parameters.subsolvers.extend(a.subsolvers.split(","))
    status = solver.solve(rm.model)
    value = solver.objective_value if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None
    print(f"{inst.name}, finish {a.finish}, CP-SAT ({a.workers} workers"
          f"{f' [{a.subsolvers}]' if a.subsolvers else ''}"
          f"{'' if a.upper is None else f', waiting <= {a.upper}'}): {solver.status_name(status)} "
          f"waiting {value} bound {solver.best_objective_bound:.0f} in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Plans from the LP relaxation (optimizer.solving.lp.rounding) on generated instances, measured.

For one instance and month T: the LP probe the solver uses (``finish_probe(plan=True)``:
fewest helpdesk tickets, then waiting), then the repair (rounding + local search on capacity
overflow) with several seeds. Prints the probe's seconds and iterations, and per seed the
overflow after rounding, the steps and restarts, the seconds, whether a plan was found (checked
by optimizer.checker) and its waiting.

    python scripts/lp_repair.py --size 2000x24 --seed 2 --month 17 --seeds 0,1,2
    python scripts/lp_repair.py --size 2000x24 --seed 2 --month 17 --seeds 0 --prices 1000,100,30,10

``--cpsat SECONDS`` also runs the alternative that was measured first and not kept: CP-SAT
(8 workers, parallel, not reproducible) on the capped model with an overflow variable on every
capacity row, minimising the total overflow, the groups the LP puts whole into one option fixed
except a random 30 % of them.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from optimizer.samples import generate  # noqa: E402
from ortools.sat.python import cp_model  # noqa: E402

from optimizer.checker import check_plan  # noqa: E402
from optimizer.model import RolloutModel  # noqa: E402
from optimizer.plan import Plan  # noqa: E402
from optimizer.solving.lp.relaxation import finish_probe  # noqa: E402
from optimizer.solving.lp.rounding import repair_to_month  # noqa: E402


def cpsat_overflow(inst, month: int, x: np.ndarray, seconds: float, seed: int) -> tuple[float | None, int]:
    """The CP-SAT alternative: (seconds to overflow 0 or None, final overflow)."""
    rm = RolloutModel(inst, max_month=month)
    G = len(inst.groups)
    largest = np.zeros(G, dtype=np.int64)
    weight = np.full(G, -1.0)
    for i in range(rm.n_x):
        if x[i] > weight[rm.gx[i]]:
            weight[rm.gx[i]], largest[rm.gx[i]] = x[i], i
    free = (weight < 1 - 1e-6) | (np.random.default_rng(seed).random(G) < 0.3)
    fixed = [int(largest[g]) for g in range(G) if not free[g]]
    rm._linear(fixed, [1] * len(fixed), len(fixed), len(fixed))
    overflow = []
    for row in rm.capacity_rows.values():
        v = rm._new_vars(1, 0, 1 << 30)
        rm.proto.constraints[row].linear.vars.extend([v])
        rm.proto.constraints[row].linear.coeffs.extend([-1])
        overflow.append(v)
    rm.proto.clear_objective()
    rm.proto.objective.vars.extend(overflow)
    rm.proto.objective.coeffs.extend([1] * len(overflow))
    hint = np.zeros(rm.n_x, dtype=np.int64)
    hint[largest] = 1
    rm.proto.solution_hint.vars.extend(range(rm.n_x))
    rm.proto.solution_hint.values.extend(hint.tolist())
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 8
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = seconds
    t0 = time.perf_counter()
    found: list[float] = []

    class AtZero(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self) -> None:
            if self.objective_value == 0 and not found:
                found.append(time.perf_counter() - t0)

    status = solver.solve(rm.model, AtZero())
    over = int(solver.objective_value) if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else -1
    return (found[0] if found else None), over


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="2000x24", help="GROUPSxMONTHS")
    ap.add_argument("--seed", type=int, default=2, help="instance seed")
    ap.add_argument("--month", type=int, required=True, help="finish month to reach")
    ap.add_argument("--seeds", default="0,1,2", help="repair seeds, comma-separated")
    ap.add_argument("--work", type=float, default=30.0, help="work limit of each repair (det. s)")
    ap.add_argument("--prices", default="1000",
                    help="ticket prices of the probe, comma-separated (1000: the finish probes'; the solver's "
                         "starts for the next level use 100 and 30)")
    ap.add_argument("--cpsat", type=float, default=0.0, metavar="SECONDS",
                    help="also run the CP-SAT overflow alternative with this time limit per seed")
    a = ap.parse_args()
    n, months = (int(v) for v in a.size.split("x"))
    inst = generate(n, months, a.seed)
    for price in (float(v) for v in a.prices.split(",")):
        probe = finish_probe(inst, a.month, plan=True, ticket_price=price)
        print(f"{inst.name}, month {a.month}, ticket price {price:g}: LP probe {probe.status} in "
              f"{probe.seconds:.2f} s ({probe.iterations:,} iterations, charged {probe.work:.2f} det. s)")
        if probe.status != "feasible":
            return
        print("| repair seed | overflow after rounding | steps | starts | seconds | plan | waiting |")
        print("|---|---|---|---|---|---|---|")
        for s in (int(v) for v in a.seeds.split(",")):
            rep = repair_to_month(inst, a.month, probe.x, work=a.work, seed=s)
            plan = Plan.from_indices(inst, rep.plan) if rep.plan else None
            ok = plan is not None and not check_plan(plan)
            waiting = f"{plan.objective_values()['waiting']:,}" if ok else "-"
            print(f"| {s} | {rep.start_overflow:,} | {rep.steps:,} | {rep.starts} | {rep.seconds:.2f} | "
                  f"{'valid' if ok else 'none (overflow %d)' % rep.overflow} | {waiting} |", flush=True)
    if a.cpsat:
        print(f"CP-SAT overflow alternative ({a.cpsat:.0f} s per seed):")
        for s in (int(v) for v in a.seeds.split(",")):
            at, over = cpsat_overflow(inst, a.month, probe.x, a.cpsat, s)
            print(f"| {s} | {'-' if at is None else f'plan at {at:.1f} s'} | final overflow {over} |", flush=True)


if __name__ == "__main__":
    main()

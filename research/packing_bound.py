#!/usr/bin/env python3
"""How strong is a bound from whole month packings? Column generation on one level (benchmarks only).

The idea measured here (issue 6, the 200 x 12 waiting proof): give each month its own knapsack
and let an LP mix *whole month packings* instead of fractions of groups (a Dantzig-Wolfe
decomposition by month, as for generalised assignment problems). Its LP is at least as strong
as the plain relaxation and could, in principle, close the gap that keeps the waiting level
unproven.

- Master LP (GLOP): one column per month packing (a set of (group, method) that fits the month's
  helpdesk, assisted and tech-fair capacity, and its platform / location limits), every group in
  exactly one packing, at most one packing per month, and the rules that link months
  (pilot-first, production-opens, risk-delay, after, departments-together) on the groups' months
  as the packings place them. Months after ``--finish`` are left out, as the solver does after
  the finish level.
- Pricing (CP-SAT, one worker): per month, the packing with the least reduced cost.
- First columns: the month packings of a plan from ``rollout``'s own solver (``--plan-limit``).

Every master LP value is an *upper* bound on the packing bound (the master only has some of the
packings), and every round gives a *lower* bound too: the master value plus each month's least
reduced cost (from the pricing's proven bound, so it stays valid when a pricing is cut short).
If the master value stays below a known optimum (``--optimum``), this bound cannot prove it.

    python research/packing_bound.py --size 200x12 --seed 1 --finish 9 --optimum 94222 --limit 120
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a file: the repository root

from optimizer.domain import METHODS, Instance  # noqa: E402
from optimizer.model import RolloutModel  # noqa: E402
from optimizer.samples import generate  # noqa: E402
from optimizer.solving.solver import SolveOptions, solve  # noqa: E402

#: reduced costs are scaled to integers for CP-SAT's pricing
SCALE = 1000
KAS, KTF = METHODS.index("assisted"), METHODS.index("tech-fair")


def linking_rows(inst: Instance, floor: int) -> tuple[list[tuple[dict, dict, float, float]], dict]:
    """Rows over the groups' months: (month coefficients {group: a}, helper coefficients
    {name: b}, lo, hi), read from docs/model.md; and the helpers' bounds {name: (lo, hi)}."""
    rows: list[tuple[dict, dict, float, float]] = []
    inf = math.inf
    groups, r = inst.groups, inst.rules
    pilots = [i for i, g in enumerate(groups) if g.wave == "pilot"]
    expanded = [i for i, g in enumerate(groups) if g.wave == "expanded-pilot"]
    stage = pilots + expanded
    prod = [i for i, g in enumerate(groups) if g.wave == "production"]
    if pilots and expanded:  # pilot-first: pilot <= split <= expanded
        rows += [({i: 1}, {"split": -1}, -inf, 0) for i in pilots]
        rows += [({i: 1}, {"split": -1}, 0, inf) for i in expanded]
    if prod and stage:  # production-opens, risk-delay
        rows += [({i: 1}, {"last": -1}, -inf, 0) for i in stage]
        for i in prod:
            delay = r.stage_gap + (r.risk_delay if groups[i].risk == "high" else 0)
            rows.append(({i: 1}, {"last": -1}, delay, inf))
    elif prod:
        rows += [({i: 1}, {}, r.risk_delay, inf) for i in prod if groups[i].risk == "high" and r.risk_delay]
    index = {g.name: i for i, g in enumerate(groups)}
    for gi, g in enumerate(groups):  # after: month[g] >= month[h] + 1
        rows += [({gi: 1, index[h]: -1}, {}, 1, inf) for h in g.after]
    if r.keep_departments_together:
        first: dict[tuple[str, str], int] = {}
        for gi, g in enumerate(groups):
            if g.department:
                key = (g.department, g.wave)
                if key in first:
                    rows.append(({gi: 1, first[key]: -1}, {}, 0, 0))
                else:
                    first[key] = gi
    return rows, {"split": (0, inst.horizon - 1), "last": (floor, inst.horizon - 1)}


class PackingBound:
    """Master LP over month packings and its pricing, for one objective level."""

    def __init__(self, inst: Instance, finish: int, level: str) -> None:
        self.inst = inst
        self.rm = rm = RolloutModel(inst, max_month=finish)
        self.T = finish + 1
        G = len(inst.groups)
        terms = rm.objectives[level]
        self.cost = np.zeros(rm.n_x)
        self.cost[terms.vars] = terms.coeffs
        self.rows, helpers = linking_rows(inst, min(rm.stage_floor, finish))
        lp = self.lp = pywraplp.Solver.CreateSolver("GLOP")
        inf = lp.infinity()
        self.helper = {k: lp.NumVar(lo, min(hi, finish), k) for k, (lo, hi) in helpers.items()}
        self.assign = [lp.Constraint(1, 1) for _ in range(G)]
        self.convex = [lp.Constraint(-inf, 1) for _ in range(self.T)]
        self.link = []
        self.rows_of = [[] for _ in range(G)]
        for ri, (a, b, lo, hi) in enumerate(self.rows):
            c = lp.Constraint(-inf if lo == -math.inf else lo, inf if hi == math.inf else hi)
            for k, v in b.items():
                c.SetCoefficient(self.helper[k], v)
            self.link.append(c)
            for g, v in a.items():
                self.rows_of[g].append((ri, v))
        self.objective = lp.Objective()
        self.objective.SetMinimization()
        self.columns: list[tuple[int, tuple[int, ...]]] = []  # (month, x indices)

    def add_column(self, t: int, xs: list[int]) -> None:
        rm, lp = self.rm, self.lp
        v = lp.NumVar(0, lp.infinity(), "")
        self.objective.SetCoefficient(v, float(self.cost[xs].sum()))
        self.convex[t].SetCoefficient(v, 1)
        coef: dict[int, float] = {}
        for i in xs:
            g = int(rm.gx[i])
            self.assign[g].SetCoefficient(v, 1)
            for ri, a in self.rows_of[g]:
                coef[ri] = coef.get(ri, 0) + a * t
        for ri, c in coef.items():
            if c:
                self.link[ri].SetCoefficient(v, c)
        self.columns.append((t, tuple(xs)))

    def solve_master(self) -> tuple[float, np.ndarray, np.ndarray]:
        """Master LP value, each group's assignment dual plus its month's linking duals
        (per unit of month), and each month's convexity dual."""
        status = self.lp.Solve()
        if status != pywraplp.Solver.OPTIMAL:
            raise SystemExit(f"master LP: status {status}")
        G = len(self.inst.groups)
        pi = np.array([c.dual_value() for c in self.assign])
        alpha = np.zeros(G)
        for ri, c in enumerate(self.link):
            mu = c.dual_value()
            for g, a in self.rows[ri][0].items():
                alpha[g] += mu * a
        nu = np.array([c.dual_value() for c in self.convex])
        return self.objective.Value(), np.stack([pi, alpha]), nu

    def reduced_cost(self, t: int, xs: list[int], duals: np.ndarray, nu: float) -> float:
        """Reduced cost of the packing ``xs`` (x indices) in month t under the master's duals."""
        g = self.rm.gx[xs]
        return float(self.cost[xs].sum() - duals[0][g].sum() - t * duals[1][g].sum() - nu)

    def price(self, t: int, duals: np.ndarray, nu: float, limit: float) -> tuple[float, list[int]]:
        """(a lower bound on month t's least reduced cost, the best packing found)."""
        rm, inst = self.rm, self.inst
        pi, alpha = duals
        xs = np.nonzero(rm.tx == t)[0]
        d = self.cost[xs] - pi[rm.gx[xs]] - t * alpha[rm.gx[xs]]
        keep = d < -1e-9
        xs, d = xs[keep], d[keep]
        if len(xs) == 0:
            return -nu, []
        m = cp_model.CpModel()
        y = [m.new_bool_var("") for _ in xs]
        by_group: dict[int, list] = {}
        for i, v in zip(xs, y):
            by_group.setdefault(int(rm.gx[i]), []).append(v)
        for vs in by_group.values():
            m.add_at_most_one(vs)
        month = inst.months[t]
        sizes = rm.sizes[rm.gx[xs]]
        m.add(sum(int(c) * v for c, v in zip(rm.tickets[xs], y)) <= month.helpdesk)
        m.add(sum(int(s) * v for s, v, k in zip(sizes, y, rm.kx[xs]) if k == KAS) <= month.assisted)
        m.add(sum(int(s) * v for s, v, k in zip(sizes, y, rm.kx[xs]) if k == KTF) <= month.tech_fair)
        for attr, limit_n in (("platform", inst.rules.max_platforms_per_month),
                              ("location", inst.rules.max_locations_per_month)):
            if limit_n <= 0:
                continue
            used: dict[str, object] = {}
            for i, v in zip(xs, y):
                val = getattr(inst.groups[int(rm.gx[i])], attr)
                if val:
                    u = used.setdefault(val, m.new_bool_var(""))
                    m.add_implication(v, u)
            m.add(sum(used.values()) <= limit_n)
        # floor keeps every scaled cost at or below the true one, so the scaled bound is valid
        m.minimize(sum(int(math.floor(c * SCALE)) * v for c, v in zip(d, y)))
        s = cp_model.CpSolver()
        s.parameters.num_workers = 1
        s.parameters.max_time_in_seconds = limit
        status = s.solve(m)
        if status == cp_model.MODEL_INVALID:
            raise SystemExit(f"pricing month {t}: invalid model")
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            # no packing found in time: taking every item at once is the safe bound
            return float(d.sum()) - nu, []
        best = [int(i) for i, v in zip(xs, y) if s.value(v)]
        return s.best_objective_bound / SCALE - nu, best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="200x12", help="GROUPSxMONTHS")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--finish", type=int, required=True, help="the (proven) finish month index")
    ap.add_argument("--level", default="waiting", choices=["waiting", "assisted"])
    ap.add_argument("--optimum", type=int, default=None, help="a known optimum, to compare with")
    ap.add_argument("--plan-limit", type=float, default=30.0, help="seconds for the first plan")
    ap.add_argument("--limit", type=float, default=120.0, help="seconds of column generation")
    ap.add_argument("--pricing-limit", type=float, default=2.0, help="seconds per month's pricing")
    a = ap.parse_args()
    n, months = (int(x) for x in a.size.split("x"))
    inst = generate(n, months, a.seed)
    res = solve(inst, SolveOptions(time_limit=a.plan_limit))
    plan = res.plan.to_indices() if res.plan else None
    if plan is None or max(t for t, _ in plan.values()) > a.finish:
        raise SystemExit("no plan within the finish month to start from")
    pb = PackingBound(inst, a.finish, a.level)
    rm = pb.rm
    want = {g: (t, METHODS.index(k)) for g, (t, k) in plan.items()}
    chosen = [i for i in range(rm.n_x) if want[int(rm.gx[i])] == (int(rm.tx[i]), int(rm.kx[i]))]
    for t in range(pb.T):
        pb.add_column(t, [i for i in chosen if rm.tx[i] == t])
    start = float(pb.cost[chosen].sum())
    print(f"{inst.name}, finish {a.finish}, {a.level}: first plan {start:,.0f}"
          + ("" if a.optimum is None else f", optimum {a.optimum:,}"))
    t0, best_lb, rounds, z = time.perf_counter(), -math.inf, 0, start
    while time.perf_counter() - t0 < a.limit:
        z, duals, nu = pb.solve_master()
        added, lb = 0, z
        for t in range(pb.T):
            rc_bound, xs = pb.price(t, duals, nu[t], a.pricing_limit)
            lb += min(0.0, rc_bound)
            if xs and pb.reduced_cost(t, xs, duals, nu[t]) < -1e-6:
                pb.add_column(t, xs)
                added += 1
        best_lb = max(best_lb, lb)
        rounds += 1
        print(f"round {rounds}: {time.perf_counter() - t0:6.1f} s  master {z:,.1f}  lower bound "
              f"{lb:,.1f} (best {best_lb:,.1f})  columns {len(pb.columns)} (+{added})", flush=True)
        if added == 0:
            break
    print(f"packing bound between {best_lb:,.1f} and {z:,.1f} after {rounds} rounds, "
          f"{time.perf_counter() - t0:.1f} s" + ("" if a.optimum is None else
          f"; {'cannot' if z < a.optimum - 1 else 'might'} prove the optimum {a.optimum:,}"))


if __name__ == "__main__":
    main()

"""The month-packing bound of ``research/packing_bound.py`` (a benchmark, not the solver) is sound.

docs/benchmarks.md concludes from its master LP that this bound cannot prove the 200 x 12
waiting level. That conclusion holds only if the master states every rule: a missing rule would
make the master too weak, and the true packing bound could then be higher. So, on tiny random
instances with *every* valid month packing as a column:

- the master with whole (0/1) packings has the same optimum as brute force over all plans;
- its LP value lies between the plain LP relaxation and that optimum;
- the pricing finds each month's least reduced cost among all packings.
"""

from __future__ import annotations

import itertools

import pytest
from ortools.sat.python import cp_model

from optimizer.checker import check_plan
from optimizer.domain import METHODS, Group
from optimizer.plan import Assignment, Plan
from optimizer.solving.lp.relaxation import level_bound
from research.packing_bound import KAS, KTF, SCALE, PackingBound

from conftest import instance, months
from randinst import random_instance


SEEDS = 100


def best_waiting(inst) -> int | None:
    """Least waiting over all valid plans (no lexicographic order), or None."""
    names = [g.name for g in inst.groups]
    choices = [(t, k) for t in range(inst.horizon) for k in METHODS]
    best = None
    for combo in itertools.product(choices, repeat=len(names)):
        plan = Plan(inst, {n: Assignment(n, t, k) for n, (t, k) in zip(names, combo)})
        if not check_plan(plan):
            w = plan.waiting()
            best = w if best is None else min(best, w)
    return best


def packings(pb: PackingBound, t: int) -> list[list[int]]:
    """Every set of month-t x indices (at most one per group) that fits month t."""
    rm, inst = pb.rm, pb.inst
    month = inst.months[t]
    options: dict[int, list[int]] = {}
    for i in range(rm.n_x):
        if rm.tx[i] == t:
            options.setdefault(int(rm.gx[i]), []).append(i)
    out = []
    for pick in itertools.product(*[[None] + xs for xs in options.values()]):
        xs = [i for i in pick if i is not None]
        size = lambda i: int(rm.sizes[rm.gx[i]])  # noqa: E731
        if sum(int(rm.tickets[i]) for i in xs) > month.helpdesk:
            continue
        if sum(size(i) for i in xs if rm.kx[i] == KAS) > month.assisted:
            continue
        if sum(size(i) for i in xs if rm.kx[i] == KTF) > month.tech_fair:
            continue
        fits = True
        for attr, limit in (("platform", inst.rules.max_platforms_per_month),
                            ("location", inst.rules.max_locations_per_month)):
            values = {getattr(inst.groups[int(rm.gx[i])], attr) for i in xs} - {""}
            fits = fits and (limit <= 0 or len(values) <= limit)
        if fits:
            out.append(xs)
    return out


def integer_master(pb: PackingBound) -> int | None:
    """The master with 0/1 packings and whole helper months, by CP-SAT."""
    rm = pb.rm
    m = cp_model.CpModel()
    lam = [m.new_bool_var("") for _ in pb.columns]
    helper = {k: m.new_int_var(int(v.lb()), int(v.ub()), k) for k, v in pb.helper.items()}
    G = len(pb.inst.groups)
    month_of = [0] * G
    cover = [[] for _ in range(G)]
    for (t, xs), v in zip(pb.columns, lam):
        for i in xs:
            g = int(rm.gx[i])
            cover[g].append(v)
            month_of[g] += t * v
    for g in range(G):
        m.add_exactly_one(cover[g])
    for t in range(pb.T):
        m.add_at_most_one([v for (u, _), v in zip(pb.columns, lam) if u == t])
    for a, b, lo, hi in pb.rows:
        expr = sum(c * month_of[g] for g, c in a.items()) + sum(c * helper[k] for k, c in b.items())
        if lo > -float("inf"):
            m.add(expr >= int(lo))
        if hi < float("inf"):
            m.add(expr <= int(hi))
    m.minimize(sum(int(pb.cost[list(xs)].sum()) * v for (_, xs), v in zip(pb.columns, lam)))
    s = cp_model.CpSolver()
    s.parameters.num_workers = 1
    status = s.solve(m)
    assert status in (cp_model.OPTIMAL, cp_model.INFEASIBLE)
    return round(s.objective_value) if status == cp_model.OPTIMAL else None


def plain_lp(inst) -> float:
    """The model's own LP relaxation (waiting, every month), by GLOP."""
    return level_bound(inst, inst.horizon - 1, "waiting", {}).lp_value


def together(on: bool):
    """Two production groups of one department; each month's helpdesk takes one of them
    (15 tickets each) in month 0, both in month 1. Apart: A (readiness 5) in month 0, B in
    month 1, waiting 100 x 1 x 1 = 100. Together: both in month 1, 100 x 5 + 100 x 1 = 600."""
    groups = [Group("A", 100, department="D", readiness=5, methods=("self-service",)),
              Group("B", 100, department="D", readiness=1, methods=("self-service",))]
    return instance(groups, months(15, 30), keep_departments_together=on)


CASES = [(f"random {seed}", lambda seed=seed: random_instance(seed)) for seed in range(SEEDS)] + [
    ("departments apart", lambda: together(False)), ("departments together", lambda: together(True))]


@pytest.mark.parametrize("name,make", CASES, ids=[c[0] for c in CASES])
def test_packing_master_is_the_model(name, make):
    inst = make()
    expected = best_waiting(inst)
    if name.startswith("departments"):
        assert expected == (600 if name.endswith("together") else 100)
    pb = PackingBound(inst, inst.horizon - 1, "waiting")
    for t in range(pb.T):
        for xs in packings(pb, t):
            if xs:
                pb.add_column(t, xs)
    # every rule of the model is in the master: with whole packings it has the same optimum
    assert integer_master(pb) == expected, name
    if expected is None:
        return
    # the LP over all packings: between the plain relaxation and the optimum
    z, duals, nu = pb.solve_master()
    assert plain_lp(inst) - 1e-6 <= z <= expected + 1e-6, name
    # the pricing finds each month's least reduced cost among all packings (the empty one: -nu)
    for t in range(pb.T):
        bound, best = pb.price(t, duals, nu[t], limit=10.0)
        rcs = [pb.reduced_cost(t, xs, duals, nu[t]) for xs in packings(pb, t)]
        least = min(rcs)
        assert bound <= least + 1e-6, (name, t)
        assert not best or sorted(best) in [sorted(xs) for xs in packings(pb, t)], (name, t)  # it fits
        if best:  # the packing it returns is the least (up to the 1/SCALE rounding per group)
            assert pb.reduced_cost(t, best, duals, nu[t]) <= least + len(best) / SCALE, (name, t)
        assert least >= -1e-6, (name, t)  # every packing is in the master: none improves it


def test_the_instances_have_linking_rules_and_plans():
    # Guard: the random instances exercise the rules the master links months with.
    kinds = set()
    for seed in range(SEEDS):
        inst = random_instance(seed)
        if best_waiting(inst) is not None:
            kinds.add("plan")
        if any(g.after for g in inst.groups):
            kinds.add("after")
        if {g.wave for g in inst.groups} >= {"pilot", "expanded-pilot"}:
            kinds.add("pilot-first")
        if any(g.pilot_stage for g in inst.groups) and any(not g.pilot_stage for g in inst.groups):
            kinds.add("production-opens")
        if inst.rules.keep_departments_together:
            kinds.add("departments")
        if inst.rules.max_platforms_per_month or inst.rules.max_locations_per_month:
            kinds.add("distinct")
    assert kinds == {"plan", "after", "pilot-first", "production-opens", "departments", "distinct"}

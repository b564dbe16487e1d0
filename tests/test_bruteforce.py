"""Brute force agrees with the solver on tiny random instances.

Every (month, method) combination of every group is enumerated, filtered by the
independent checker, and the lexicographic optimum of the instance's own objective
order is taken. The solver must report the same status and the same level values.
"""

from __future__ import annotations

import itertools

import pytest

from optimizer.checker import check_plan
from optimizer.domain import METHODS
from optimizer.plan import Assignment, Plan

from conftest import solved
from randinst import random_instance


def brute_force(inst) -> tuple[int, ...] | None:
    """Lexicographic optimum over all valid plans, or None when there is none."""
    choices = [(t, k) for t in range(inst.horizon) for k in METHODS]
    best = None
    names = [g.name for g in inst.groups]
    for combo in itertools.product(choices, repeat=len(names)):
        plan = Plan(inst, {n: Assignment(n, t, k) for n, (t, k) in zip(names, combo)})
        if check_plan(plan):
            continue
        vals = plan.objective_values()
        key = tuple(vals[lv] for lv in inst.rules.objective)
        if best is None or key < best:
            best = key
    return best


@pytest.mark.parametrize("seed", range(40))
def test_solver_matches_brute_force(seed):
    inst = random_instance(seed)
    expected = brute_force(inst)
    res = solved(inst)
    if expected is None:
        assert res.status == "infeasible", (seed, res.objective)
    else:
        assert res.status == "optimal", (seed, res.status)
        assert tuple(res.objective[lv] for lv in inst.rules.objective) == expected, seed


def test_the_random_instances_cover_both_outcomes():
    # Guard against a generator that makes every instance trivially feasible or infeasible.
    outcomes = {brute_force(random_instance(s)) is None for s in range(40)}
    assert outcomes == {True, False}

"""Property tests on random instances (hypothesis draws the seeds and sizes)."""

from __future__ import annotations

import dataclasses

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer.checker import check_plan
from optimizer.solving.greedy import best_greedy, greedy_plan
from optimizer.plan import Plan
from optimizer.solving.solver import SolveOptions, solve

from conftest import solved
from randinst import random_instance

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
instances = st.builds(random_instance, st.integers(0, 10**6), st.integers(2, 8), st.integers(2, 6))


def _key(inst, values: dict) -> tuple:
    return tuple(values[lv] for lv in inst.rules.objective)


@SETTINGS
@given(instances)
def test_solver_plan_is_valid_and_never_worse_than_greedy(inst):
    res = solved(inst)  # asserts the checker accepts any plan found
    greedy = best_greedy(inst)
    if greedy is not None:
        gplan = Plan.from_indices(inst, greedy)
        assert check_plan(gplan) == []
        # A valid greedy plan exists, so the solver can't call the instance infeasible,
        # and its optimum is lexicographically no worse.
        assert res.status == "optimal"
        assert _key(inst, res.objective) <= _key(inst, gplan.objective_values())
    if res.status == "infeasible":
        assert greedy_plan(inst) is None


@SETTINGS
@given(instances, st.integers(0, 1000))
def test_same_seed_same_plan(inst, seed):
    opts = SolveOptions(time_limit=5, seed=seed, workers=2)
    a, b = solve(inst, opts), solve(inst, opts)
    assert a.status == b.status
    if a.plan:
        assert a.plan.rows() == b.plan.rows()


@SETTINGS
@given(instances)
def test_more_capacity_never_finishes_later(inst):
    base = solved(inst)
    bigger = dataclasses.replace(inst, months=tuple(
        dataclasses.replace(m, helpdesk=2 * m.helpdesk, assisted=2 * m.assisted, tech_fair=2 * m.tech_fair)
        for m in inst.months))
    more = solved(bigger)
    if base.status == "optimal":
        # Every plan of the base instance is valid with more capacity.
        assert more.status == "optimal"
        assert _key(bigger, more.objective) <= _key(inst, base.objective)

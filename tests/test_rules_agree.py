"""The model and the independent checker agree on every rule, on random plans.

For random small instances (tests/randinst.py) and random plans (greedy plans, moved a little,
or drawn at random), the guarded model (:class:`optimizer.model.RolloutModel` with
``guards=True``) with the plan fixed and only one rule enforced (its guard literals assumed)
is feasible exactly when the checker finds no violation of that rule. Two rules are checked
together with the rule the checker reports first (``elif``): vip-assisted with method (a VIP
group on a method it may not use breaks both, the checker names only method) and risk-delay
with production-opens. The plain model (no guards, with its implied rows and left-out
variables) with the plan fixed is feasible exactly when the checker finds nothing at all.

Plus :mod:`optimizer.solving.month_bounds` on tiny cases.
"""

from __future__ import annotations

import random

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from optimizer import rules as R
from optimizer.checker import check_plan
from optimizer.domain import METHODS, Group, Instance, Month, Rules
from optimizer.solving.greedy import greedy_plan
from optimizer.model import RolloutModel
from optimizer.solving.month_bounds import MonthBounds, production_start, risk_delay, stage_end
from optimizer.plan import Plan

from randinst import random_instance

#: Each checked set of rules (one rule, or a rule with the one the checker reports before it).
RULE_SETS = [
    {R.METHOD}, {R.METHOD, R.VIP_ASSISTED}, {R.WINDOW}, {R.BLACKOUT},
    {R.HELPDESK}, {R.ASSISTED_CAP}, {R.TECH_FAIR_CAP}, {R.PILOT_FIRST},
    {R.PRODUCTION_OPENS}, {R.PRODUCTION_OPENS, R.RISK_DELAY}, {R.AFTER},
    {R.MAX_PLATFORMS}, {R.MAX_LOCATIONS}, {R.DEPARTMENTS_TOGETHER},
]


def _feasible(rm: RolloutModel) -> bool:
    s = cp_model.CpSolver()
    s.parameters.num_workers = 1
    s.parameters.max_time_in_seconds = 10.0
    status = s.solve(rm.model)
    assert status in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.INFEASIBLE), s.status_name(status)
    return status != cp_model.INFEASIBLE


def _plan(inst: Instance, rnd: random.Random, how: int) -> dict[int, tuple[int, str]]:
    """0: a greedy plan (when greedy finds one) with up to two groups moved; 1: at random."""
    T = inst.horizon
    base = greedy_plan(inst) if how == 0 else None
    plan = dict(base) if base else {i: (rnd.randrange(T), rnd.choice(METHODS)) for i in range(len(inst.groups))}
    if base:
        for _ in range(rnd.randint(0, 2)):
            i = rnd.randrange(len(inst.groups))
            plan[i] = (rnd.randrange(T), rnd.choice(METHODS)) if rnd.random() < 0.5 else (
                min(T - 1, max(0, plan[i][0] + rnd.choice((-1, 1)))), plan[i][1])
    return plan


def _broken(inst: Instance, plan: dict[int, tuple[int, str]]) -> set[str]:
    return {v.rule for v in check_plan(Plan.from_indices(inst, plan))}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), plan_seed=st.integers(0, 10**6), how=st.integers(0, 1))
def test_model_and_checker_agree_rule_by_rule(seed, plan_seed, how):
    inst = random_instance(seed, max_groups=6, max_months=4)
    plan = _plan(inst, random.Random(plan_seed), how)
    broken = _broken(inst, plan)
    for rules in RULE_SETS:
        rm = RolloutModel(inst, guards=True, redundant=False)
        rm.add_assumptions([lit for (rule, _), lit in rm.guards.items() if rule in rules])
        rm.fix_choices(plan)
        assert _feasible(rm) == (not broken & rules), (sorted(rules), sorted(broken), plan)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), plan_seed=st.integers(0, 10**6), how=st.integers(0, 1))
def test_plain_model_accepts_exactly_the_valid_plans(seed, plan_seed, how):
    inst = random_instance(seed, max_groups=6, max_months=4)
    plan = _plan(inst, random.Random(plan_seed), how)
    rm = RolloutModel(inst)
    rm.fix_choices(plan)
    assert _feasible(rm) == (not _broken(inst, plan)), (sorted(_broken(inst, plan)), plan)


def test_the_agreement_test_can_fail():
    # A guarded model with no rule enforced accepts a plan that breaks the after rule: the
    # comparison above would then fail (the property is not true by construction).
    g = [Group("A", 10, methods=("self-service",)), Group("B", 10, methods=("self-service",), after=("A",))]
    inst = Instance(tuple(g), (Month("2027-01", 100), Month("2027-02", 100)), Rules())
    plan = {0: (1, "self-service"), 1: (0, "self-service")}
    assert _broken(inst, plan) == {R.AFTER}
    rm = RolloutModel(inst, guards=True, redundant=False)
    rm.fix_choices(plan)
    assert _feasible(rm)
    rm.add_assumptions([lit for (rule, _), lit in rm.guards.items() if rule == R.AFTER])
    assert not _feasible(rm)


# ------------------------------------------------------------------ month_bounds
def _months(n: int) -> tuple[Month, ...]:
    return tuple(Month(f"2027-{t + 1:02d}", 100) for t in range(n))


def test_stage_order_and_risk_delay():
    g = [Group("P", 5, wave="pilot"), Group("E", 5, wave="expanded-pilot"),
         Group("L", 5, risk="low"), Group("H", 5, risk="high")]
    inst = Instance(tuple(g), _months(8), Rules(stage_gap=2, risk_delay=1))
    b = MonthBounds(inst)
    # the stage ends in month 1: production opens in month 3, high risk in month 4
    assert [b.stage_lower(i, 1) for i in range(4)] == [0, 0, 3, 4]
    # no pilot stage: production opens at once, high risk waits risk_delay
    assert [b.stage_lower(i, -1) for i in range(4)] == [0, 0, 0, 1]
    assert risk_delay(inst, g[3]) == 1 and risk_delay(inst, g[2]) == 0
    # expanded pilots not before the last limited pilot
    assert b.pilot_lower(1, 2) == 2 and b.pilot_lower(0, 2) == 0 and b.pilot_lower(1, -1) == 0
    lo, hi = b.stage_bounds(1, 7)
    assert lo.tolist() == [0, 0, 3, 4] and hi.tolist() == [1, 1, 7, 7]
    plan = {0: (0, "assisted"), 1: (1, "assisted"), 2: (3, "assisted"), 3: (4, "assisted")}
    assert stage_end(inst, plan) == 1 and production_start(inst, plan) == 3
    assert production_start(inst, {2: (0, "assisted")}) == 0


def test_after_bounds_both_ways_and_windows():
    g = [Group("A", 5), Group("B", 5, after=("A",)), Group("C", 5, after=("B",), earliest="2027-03",
                                                           latest="2027-06", blackout=("2027-05",))]
    inst = Instance(tuple(g), _months(8), Rules())
    b = MonthBounds(inst)
    assert b.pred == [[], [0], [1]] and b.succ == [[1], [2], []]
    assert b.topological() == [0, 1, 2]
    # B after A (in month 2), before C (in month 5): months 3..4
    assert b.after_lower(1, {0: 2}) == 3 and b.after_upper(1, {2: 5}, 7) == 4
    assert b.after_lower(1, {}) == 0 and b.after_upper(1, {}, 7) == 7  # nothing placed: no bound
    assert b.after_lower(2, np.array([0, 4, 0])) == 5  # every group's month as an array
    # C's window 2027-03..06 without 2027-05, within [3, 7]: months 3 and 5
    assert b.allowed(2, 3, 7) == [3, 5] and b.allowed(2, 0, 7, within={2, 3}) == [2, 3]
    assert b.lower(2, {1: 4}) == 5
    plan = {0: (0, "assisted"), 1: (1, "assisted"), 2: (5, "assisted")}
    assert b.after_holds(plan, {0: (1, "assisted")}) is False
    assert b.after_holds(plan, {1: (2, "assisted")}) is True
    assert b.after_holds(plan, {1: (5, "assisted")}) is False
    later, earlier = b.after_pairs()
    assert later.tolist() == [1, 2] and earlier.tolist() == [0, 1]


def test_greedy_without_pilot_stage_and_a_long_stage_gap():
    # No pilot-stage group: production opens in the first month whatever stage_gap says (the
    # model and the checker agree). The greedy used to compare against "last stage month +
    # stage_gap" with no stage at all (-1 + 2 = month 1) and gave up.
    g = [Group("A", 10, methods=("self-service",))]
    inst = Instance(tuple(g), _months(3), Rules(stage_gap=2))
    plan = greedy_plan(inst)
    assert plan == {0: (0, "self-service")}
    assert check_plan(Plan.from_indices(inst, plan)) == []


def test_bounds_are_built_once_per_instance():
    from optimizer.solving.month_bounds import bounds_of

    a = Instance((Group("A", 5),), _months(2), Rules())
    b = Instance((Group("A", 5, after=()), Group("B", 5, after=("A",))), _months(2), Rules())
    assert bounds_of(a) is bounds_of(a) and bounds_of(a).inst is a
    assert bounds_of(b) is not bounds_of(a) and bounds_of(b).pred == [[], [0]]

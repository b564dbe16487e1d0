"""Properties of the re-plan checker against the plain checker (optimizer/checker.py), on random
small instances (tests/randinst.py) and random plans, with parts (max_months 2) or without:

- as of the first month with no actuals, a re-plan breaks exactly the rules the plain checker
  says the plan breaks (the re-plan checker's own order, capacity and least-part code agrees);
- a valid plan, with the actuals exactly as planned before some month, is a valid re-plan of
  itself as of that month (history rows shown or left out), and moves no users.
"""

from __future__ import annotations

import dataclasses
import random

import pytest
from randinst import random_instance

from optimizer.replan.actuals import ActualRow, Actuals
from optimizer.checker import check_plan
from optimizer.replan.history import build_history
from optimizer.plan import Assignment, Plan
from optimizer.replan.check import check_replan, previous_of, replan_levels
from optimizer.solving.solver import SolveOptions, solve


def _random_plan(inst, rnd: random.Random) -> Plan:
    out = {}
    for g in inst.groups:
        k = rnd.choice(g.methods)
        t = rnd.randrange(inst.horizon)
        if inst.max_months(g) > 1 and t + 1 < inst.horizon and g.size > 1 and rnd.random() < 0.4:
            u = rnd.randint(1, g.size - 1)
            out[g.name] = Assignment(g.name, t, k, ((t, u), (t + 1, g.size - u)))
        else:
            out[g.name] = Assignment(g.name, t, k)
    return Plan(inst, out)


def _instance(seed: int):
    inst = random_instance(seed, max_groups=4, max_months=4)
    if seed % 2:  # parts: every group may span 2 months, parts of at least 5 users
        inst = dataclasses.replace(inst, rules=dataclasses.replace(inst.rules, max_months=2, min_part_users=5))
    return inst


@pytest.mark.parametrize("seed", range(60))
def test_without_history_the_rules_broken_are_the_plain_checkers(seed):
    inst, rnd = _instance(seed), random.Random(seed)
    empty = build_history(inst, Actuals("", 0, ()))
    for _ in range(20):
        plan = _random_plan(inst, rnd)
        assert sorted(v.rule for v in check_replan(plan, empty)) == sorted(v.rule for v in check_plan(plan))


def test_a_valid_plan_done_as_planned_is_its_own_replan():
    judged = 0
    for seed in range(150):
        inst = _instance(seed)
        plan = solve(inst, SolveOptions(time_limit=5, workers=1, seed=0)).plan  # any valid plan will do
        if plan is None:
            continue  # no plan keeps every rule of this random instance
        assert check_plan(plan) == []
        judged += 1
        _own_replan(inst, plan)
    assert judged >= 30


def _own_replan(inst, plan) -> None:
    for as_of in range(inst.horizon):  # --as-of is a month of the capacity file
        rows = tuple(ActualRow(g.name, t, u, k, None, 2) for g, k, t, u in plan.all_parts() if t < as_of)
        history = build_history(inst, Actuals("act.csv", as_of, rows))
        future = Plan(inst, {g.name: Assignment.from_parts(g.name, plan.assignments[g.name].method,
                                                           [(t, u) for t, u in plan.parts_of(g) if t >= as_of])
                             for g in inst.groups if any(t >= as_of for t, _u in plan.parts_of(g))})
        prev = previous_of(plan)
        for p in (plan, future):
            assert check_replan(p, history, prev) == [], (inst.name, as_of, check_replan(p, history, prev))
            vals = replan_levels(p, history, prev)
            assert vals["changes"] == 0
            assert {k: vals[k] for k in ("finish", "waiting", "assisted")} == \
                {k: plan.objective_values()[k] for k in ("finish", "waiting", "assisted")}

"""The greedy start that may split groups (optimizer/solving/greedy_split.py): every plan it
returns passes the checker; it splits a group that does not fit a month whole; it finds a start
where only parts have a plan; and on inputs without split groups it is the v1 greedy."""

from __future__ import annotations

import dataclasses

import pytest
from test_split_properties import tiny, whole

from optimizer.checker import check_plan
from optimizer.domain import Group, Instance, Month, Rules
from optimizer.plan import Assignment, Plan
from optimizer.solving.greedy import greedy_plan, greedy_state
from optimizer.solving.greedy_split import VARIANTS, _as_plan, _SplitState, best_split_greedy, greedy_split_plan


@pytest.mark.parametrize("seed", range(200))
def test_every_greedy_plan_with_parts_passes_the_checker(seed):
    inst = tiny(seed)
    for order, methods in VARIANTS:
        # the raw state, before greedy_split_plan's own check: the rule itself must keep the rules
        state = greedy_state(inst, order, _SplitState(inst, methods))
        if state is None:
            continue
        out = {}
        for i, (t, k) in state.plan.items():
            name = inst.groups[i].name
            out[name] = Assignment.from_parts(name, k, state.parts[i]) if i in state.parts \
                else Assignment(name, t, k)
        assert check_plan(Plan(inst, out)) == [], (seed, order, methods)
        assert _as_plan(inst, state) is not None


def test_the_tiny_instances_give_split_greedy_plans():
    plans = [greedy_split_plan(tiny(s)) for s in range(200)]
    assert sum(p is not None for p in plans) >= 60
    assert sum(p is not None and p.split_groups() > 0 for p in plans) >= 10


def _sales(max_months) -> Instance:
    months = tuple(Month(f"2027-{t + 1:02d}", helpdesk=100, assisted=200, tech_fair=0) for t in range(3))
    groups = (Group("Sales", 300, methods=("assisted",), max_months=max_months),)
    return Instance(groups, months, Rules(min_part_users=50), name="sales")


def test_a_group_too_big_for_any_month_gets_parts():
    # 300 assisted users, 200 seats a month: no plan of whole groups, one with parts.
    assert greedy_plan(_sales(1)) is None
    plan = greedy_split_plan(_sales(2))
    assert plan is not None and check_plan(plan) == []
    assert plan.parts("Sales") == ((0, 200), (1, 100))


def test_the_least_part_is_kept_for_the_last_part():
    inst = _sales(2)
    inst = dataclasses.replace(inst, rules=dataclasses.replace(inst.rules, min_part_users=150))
    plan = greedy_split_plan(inst)
    assert plan.parts("Sales") == ((0, 150), (1, 150))


def test_a_span_of_one_month_too_few_gives_no_plan():
    inst = dataclasses.replace(_sales(2), months=tuple(
        dataclasses.replace(m, assisted=100) for m in _sales(2).months))
    assert greedy_split_plan(inst) is None  # 300 users, 100 seats a month, 2 months


@pytest.mark.parametrize("seed", range(40))
def test_without_split_groups_it_is_the_v1_greedy(seed):
    inst = whole(tiny(seed))
    for order, methods in VARIANTS:
        p = greedy_split_plan(inst, order, methods)
        v1 = greedy_plan(inst, order, methods)
        assert (p is None) == (v1 is None)
        if p is not None:
            assert p.to_indices() == v1 and p.split_groups() == 0


def test_best_split_greedy_is_best_by_the_objective():
    inst = tiny(3)
    best = best_split_greedy(inst)
    plans = [p for o, m in VARIANTS if (p := greedy_split_plan(inst, o, m)) is not None]
    key = lambda p: tuple(p.objective_values()[lv] for lv in inst.rules.objective)  # noqa: E731
    assert (best is None) == (not plans)
    if best is not None:
        assert key(best) == min(key(p) for p in plans)


@pytest.mark.parametrize("seed", range(30))
def test_the_room_of_a_month_is_the_most_users_that_fit(seed):
    from optimizer.domain import method_load
    inst = tiny(seed)
    state = _SplitState(inst, VARIANTS[0][1])
    g = inst.groups[0]
    for t in range(inst.horizon):
        for k in state.allowed_k[0]:
            room = state._room(0, t, k, g.size)

            def fits(u):
                return all(state.load[t][r] + v <= state.caps[t][r] for r, v in method_load(inst.rules, u, k).items())
            assert fits(room) and (room == g.size or not fits(room + 1))

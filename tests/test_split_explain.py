"""The explanation of infeasibility on split inputs (issues 15 and 19): conflicts searched on
the model of parts, the rules of parts under their names, a split as a verified repair."""

from __future__ import annotations

from optimizer import rules as R
from optimizer.checker import check_plan
from optimizer.domain import Group, Instance, Month, Rules
from optimizer.explain import apply_repair, describe, explain, find_conflicts
from optimizer.solver import SolveOptions, solve

ASSISTED = ("assisted",)
SELF = ("self-service",)
OPTS = SolveOptions(time_limit=10, workers=2)


def inst(groups, caps, **rules) -> Instance:
    """caps: per month (helpdesk, assisted, tech_fair)."""
    ms = tuple(Month(f"2027-{t + 1:02d}", helpdesk=h, assisted=a, tech_fair=f) for t, (h, a, f) in enumerate(caps))
    return Instance(tuple(groups), ms, Rules(**{"min_part_users": 50, **rules}))


def solved(i: Instance):
    r = solve(i, OPTS)
    if r.plan is not None:
        assert check_plan(r.plan) == []
    return r


def all_keys(i: Instance, limit: float = 20.0):
    import time
    found, complete, _ = find_conflicts(i, deadline=time.perf_counter() + limit, workers=2)
    assert complete
    return [keys for keys, _ in found]


def test_a_group_that_only_fits_in_parts_is_no_conflict():
    # A (300 assisted users, may split over 2 months) fits only in parts: 200 seats a month.
    # B is blacked out in every month: that alone is the conflict (on whole groups A was one too).
    base = [Group("A", 300, methods=ASSISTED, max_months=2)]
    i = inst(base + [Group("B", 10, methods=SELF, blackout=("2027-01", "2027-02"))], [(100, 200, 0)] * 2)
    conflicts = all_keys(i)
    assert conflicts == [[(R.BLACKOUT, ("B",))]]
    # its twin: without B's blackout there is a plan (A in two parts)
    twin = inst(base + [Group("B", 10, methods=SELF)], [(100, 200, 0)] * 2)
    r = solved(twin)
    assert r.status == "optimal" and len(r.plan.parts("A")) == 2


def _cannot_split(max_months: int) -> Instance:
    # Sales: 310 assisted users, 200 seats a month; C may split (a split input)
    return inst([Group("Sales", 310, methods=ASSISTED, max_months=max_months),
                 Group("C", 100, methods=SELF, max_months=2)], [(100, 200, 0)] * 3)


def test_conflict_names_months_per_group_and_proposes_the_split():
    i = _cannot_split(1)
    assert solved(i).status == "infeasible"
    conflicts = all_keys(i)
    assert len(conflicts) == 1 and (R.MONTHS_PER_GROUP, ("Sales",)) in conflicts[0]
    words = describe(i, (R.MONTHS_PER_GROUP, ("Sales",)), conflicts[0])
    assert words == "Sales (310 users) must enroll in one month (max_months = 1)"
    ex = explain(i, time_limit=20, workers=2)
    assert ex.sets[0].groups == ["Sales"]
    split = [r for r in ex.repairs if r.kind == "split"]
    assert [r.changes for r in split] == [(("max_months", ("Sales", 2)),)]
    assert "let Sales enroll over 2 months" in split[0].description
    assert ex.combined_verified
    r = solved(apply_repair(i, split[0]))
    assert r.status == "optimal" and len(r.plan.parts("Sales")) == 2


def test_its_feasible_twin_has_a_plan_and_nothing_to_explain():
    i = _cannot_split(2)
    assert solved(i).status == "optimal"
    assert all_keys(i) == []


def test_v1_input_gets_the_split_repair_too():
    # nothing may split (a v1 input): the 310-user group fits in no month whole
    i = inst([Group("Sales", 310, methods=ASSISTED), Group("IT", 40, methods=SELF)], [(100, 200, 0)] * 3)
    assert not i.may_split and solved(i).status == "infeasible"
    ex = explain(i, time_limit=20, workers=2)
    split = [r for r in ex.repairs if r.kind == "split"]
    assert [r.changes for r in split] == [(("max_months", ("Sales", 2)),)]
    r = solved(apply_repair(i, split[0]))
    assert r.status == "optimal" and len(r.plan.parts("Sales")) == 2


def test_least_part_is_named_and_lowering_it_is_a_verified_repair():
    # 120 assisted users over 2 months of 100 seats, but a part needs 50 and month 1 has 10 seats:
    # parts 110 + 10 would fit; min_part_users = 50 forbids the 10-user part.
    i = inst([Group("A", 120, methods=ASSISTED, max_months=2)], [(100, 10, 0), (100, 110, 0)])
    assert solved(i).status == "infeasible"
    conflicts = all_keys(i)
    assert len(conflicts) == 1 and (R.LEAST_PART, ("A",)) in conflicts[0]
    assert describe(i, (R.LEAST_PART, ("A",)), conflicts[0]) == \
        "each month's part of A must have at least 50 users (min_part_users)"
    ex = explain(i, time_limit=20, workers=2)
    lower = [r for r in ex.repairs if r.changes[0][0] == "rule" and r.changes[0][1][0] == "min_part_users"]
    assert [r.changes for r in lower] == [(("rule", ("min_part_users", 1)),)]  # 25 and 12 are too many
    assert "min_part_users from 50 to 1" in lower[0].description
    assert solved(apply_repair(i, lower[0])).status == "optimal"
    twin = inst([Group("A", 120, methods=ASSISTED, max_months=2)], [(100, 10, 0), (100, 110, 0)], min_part_users=10)
    assert solved(twin).status == "optimal"


def test_capacity_repair_asks_for_the_room_of_a_part_not_of_the_whole_group():
    # Sales (310, may split over 2 months), 150 seats in each of 2 months: 10 seats short in all;
    # whole, it would need +160 in one month.
    from optimizer.explain import capacity_repair
    i = inst([Group("Sales", 310, methods=ASSISTED, max_months=2)], [(100, 150, 0)] * 2)
    assert solved(i).status == "infeasible"
    rep = capacity_repair(i, 10, workers=2)
    assert rep is not None and len(rep.changes) == 1
    label, res, extra = rep.changes[0][1]
    assert res == "assisted" and extra == 10
    r = solved(apply_repair(i, rep))
    assert r.status == "optimal" and len(r.plan.parts("Sales")) == 2
    ex = explain(i, time_limit=20, workers=2)
    assert any(r.kind == "capacity" and r.changes[0][1][2] == 10 for r in ex.repairs)

"""The explanation of infeasibility on split inputs (issues 15 and 19): conflicts searched on
the model of parts, the rules of parts under their names, a split as a verified repair."""

from __future__ import annotations

from optimizer import rules as R
from optimizer.checker import check_plan
from optimizer.domain import Group, Instance, Month, Rules
from optimizer.explain import apply_repair, describe, explain, find_conflicts
from optimizer.solving.solver import SolveOptions, solve

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


def test_one_method_is_named_when_the_parts_would_need_two_methods():
    # 200 users: 100 assisted seats in January, 100 tech-fair seats in February; one method only.
    both = ("assisted", "tech-fair")
    i = inst([Group("A", 200, methods=both, max_months=2)], [(100, 100, 0), (100, 0, 100)])
    assert solved(i).status == "infeasible"
    conflicts = all_keys(i)
    assert len(conflicts) == 1 and (R.ONE_METHOD, ("A",)) in conflicts[0]
    assert describe(i, (R.ONE_METHOD, ("A",)), conflicts[0]) == "all parts of A must use the same enrollment method"
    twin = inst([Group("A", 200, methods=both, max_months=2)], [(100, 100, 0), (100, 100, 100)])
    assert solved(twin).status == "optimal"


def test_after_is_judged_by_the_last_part():
    # A (300, may split) needs both months of 150 seats, so B, after A, has no month left: the conflict
    # names the dependency; on whole groups A alone would be the conflict.
    i = inst([Group("A", 300, methods=ASSISTED, max_months=2), Group("B", 10, methods=SELF, after=("A",))],
             [(100, 150, 0)] * 2)
    conflicts = all_keys(i)
    assert len(conflicts) == 1 and (R.AFTER, ("B", "A")) in conflicts[0]
    ex = explain(i, time_limit=20, workers=2)
    assert ex.combined_verified and ex.sets[0].minimal


# ------------------------------------------------------------ the guarded model against brute force
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from optimizer.domain import METHODS  # noqa: E402


@st.composite
def tiny(draw):
    labels = [f"2027-{t + 1:02d}" for t in range(draw(st.integers(2, 3)))]
    groups = []
    for n in range(draw(st.integers(1, 3))):
        groups.append(Group(
            f"G{n}", draw(st.integers(1, 4)), wave=draw(st.sampled_from(["pilot", "production", "production"])),
            methods=tuple(k for k in METHODS if draw(st.booleans())) or SELF,
            max_months=draw(st.sampled_from([None, 1, 2])), earliest=draw(st.sampled_from([None] + labels)),
            blackout=(draw(st.sampled_from(labels)),) if draw(st.booleans()) else (),
            risk=draw(st.sampled_from(["low", "high"])), department=draw(st.sampled_from(["", "D"])),
            after=(f"G{n - 1}",) if n and draw(st.integers(0, 2)) == 0 else ()))
    caps = [(draw(st.integers(0, 2)), draw(st.integers(0, 4)), draw(st.integers(0, 3))) for _ in labels]
    return inst(groups, caps, max_months=2, min_part_users=draw(st.integers(1, 3)),
                keep_departments_together=draw(st.booleans()))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny(), st.integers(0, 10 ** 6))
def test_guarded_model_of_parts_matches_brute_force(i, pick):
    # every rule enforced: a plan exactly when brute force finds one; one rule set aside (where the
    # input can say so: relax): a plan exactly when the relaxed input has one
    from bruteforce_split import split_optimum
    from optimizer.explain.checks import _Guarded, relax
    from ortools.sat.python import cp_model

    g = _Guarded(i, 0, 1, parts=True)
    ok = (cp_model.OPTIMAL, cp_model.FEASIBLE)
    st_all, _ = g.check(g.keys, 10, core_needed=False)
    assert (st_all in ok) == (split_optimum(i) is not None)
    if g.keys:
        key = g.keys[pick % len(g.keys)]
        relaxed = relax(i, [key])
        if relaxed is not None:
            st_one, _ = g.check([k for k in g.keys if k != key], 10, core_needed=False)
            assert (st_one in ok) == (split_optimum(relaxed) is not None), key

"""Bounds from prefix sums of month capacities (the finish row, the stage floor): valid, and
tight where they bind."""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from optimizer.checker import check_plan
from optimizer.domain import METHODS, Group, Instance, Month
from optimizer.model import RolloutModel, month_user_capacity, stage_floor
from optimizer.model_cuts import _first_prefix
from optimizer.plan import Assignment, Plan

from conftest import instance, months, solved, where
from randinst import random_instance
from test_bruteforce import brute_force


def _finish_floor(rm: RolloutModel) -> int:
    """Largest lower bound on the finish variable among single-variable rows."""
    lo = 0
    for ct in rm.proto.constraints:
        if list(ct.linear.vars) == [rm.finish] and list(ct.linear.coeffs) == [1] and not ct.enforcement_literal:
            lo = max(lo, ct.linear.domain[0])
    return lo


def test_first_prefix():
    assert _first_prefix([5, 5, 5], 10) == 1
    assert _first_prefix([5, 5, 5], 16) is None
    assert _first_prefix([5], 0) == 0


def test_finish_bound_binds_and_equals_the_optimum():
    # Three self-service groups of 100 users: 15 tickets each; 30 tickets a month hold 200 users,
    # so 300 users need months 0 and 1: the row says finish >= 1, and 1 is the optimum.
    inst = instance([Group("A", 100), Group("B", 100), Group("C", 100)], months(30, 30, 30))
    assert _finish_floor(RolloutModel(inst)) == 1
    assert solved(inst).objective["finish"] == 1


def test_finish_bound_twin_with_room():
    # Twin: 45 tickets a month hold all three groups in month 0: the row says finish >= 0.
    inst = instance([Group("A", 100), Group("B", 100), Group("C", 100)], months(45, 45, 45))
    assert _finish_floor(RolloutModel(inst)) == 0
    assert solved(inst).objective["finish"] == 0


def test_finish_bound_counts_production_from_the_stage_gap():
    # A pilot takes month 0; the 300 production users need two months from month 1 (stage gap 1):
    # finish >= 2, and 2 is the optimum.
    inst = instance([Group("P", 10, wave="pilot"), Group("A", 100), Group("B", 100), Group("C", 100)],
                    months(30, 30, 30, 30), stage_gap=1)
    assert _finish_floor(RolloutModel(inst)) == 2
    assert solved(inst).objective["finish"] == 2


# --------------------------------------------------------------- the stage floor


def _months_of(rm: RolloutModel, name: str) -> set[int]:
    gi = rm.index[name]
    return set(rm.tx[rm.starts[gi]:rm.starts[gi + 1]].tolist())


def _two_pilots(helpdesk: int):
    """Two pilots of 100 self-service users (15 tickets each), production group A of 100 users,
    four months of ``helpdesk`` tickets, stage_gap 1."""
    return instance([Group("P1", 100, wave="pilot"), Group("P2", 100, wave="pilot"), Group("A", 100)],
                    months(*(helpdesk,) * 4), stage_gap=1)


def test_stage_floor_binds_and_production_starts_after_it():
    # Two pilots of 100 self-service users (15 tickets each) and 20 tickets a month: month 0 holds
    # one pilot, so the stage ends in month 1 at the earliest, and with stage_gap 1 production (A)
    # cannot start before month 2. The model has no month 0 or 1 for A; the optimum finishes in 2.
    inst = _two_pilots(20)
    assert stage_floor(inst, 4) == 1
    rm = RolloutModel(inst)
    assert rm.stage_floor == 1
    assert _months_of(rm, "A") == {2, 3}
    assert _finish_floor(rm) == 2
    res = solved(inst)
    assert res.status == "optimal" and res.objective["finish"] == 2


def test_stage_floor_twin_with_room():
    # Twin: 30 tickets a month hold both pilots in month 0: floor 0, A may go in month 1 (finish 1).
    inst = _two_pilots(30)
    assert stage_floor(inst, 4) == 0
    assert _months_of(RolloutModel(inst), "A") == {1, 2, 3}
    res = solved(inst)
    assert res.status == "optimal" and res.objective["finish"] == 1


def test_stage_floor_from_fewest_tickets_plus_risk_delay():
    # The pilots may only self-enroll: 15 tickets each, 30 in all, against 20 tickets a month, so
    # the stage needs months 0 and 1 (the ticket prefix binds). The users prefix alone would allow
    # month 0: the tech fair makes room for 400 users there, but the pilots cannot use it. With
    # stage_gap 1 and risk_delay 1 the high-risk production group H starts in month 3 at the
    # earliest (1 + 1 + 1); the model has no earlier month for it, and the optimum puts it there.
    pilots = [Group(f"P{i}", 100, wave="pilot", methods=("self-service",)) for i in (1, 2)]
    inst = instance(pilots + [Group("H", 50, risk="high")], months(20, 20, 20, 20, 20, tech_fair=500),
                    stage_gap=1, risk_delay=1)
    assert month_user_capacity(inst, 0) >= 200  # the users prefix does not bind
    assert stage_floor(inst, 5) == 1
    assert min(_months_of(RolloutModel(inst), "H")) == 3
    res = solved(inst)
    assert res.status == "optimal" and where(res)["H"][0] == "2027-04"


def test_month_capacity_counts_every_method_without_tickets():
    # Review regression: with two methods at 0 tickets per 100 users and a month without helpdesk
    # tickets, the month still holds both methods' users (50 assisted + 50 tech fair). A capacity
    # of 50 made the stage floor 1 and cut month 1 for A, and the solver said "infeasible" for
    # this instance, whose optimum (P1 assisted and P2 tech fair in month 0, A in month 1) ends in 1.
    rates = {"self-service": 15, "assisted": 0, "tech-fair": 0}
    ms = (Month("2027-01", helpdesk=0, assisted=50, tech_fair=50),) + tuple(
        Month(f"2027-0{i}", helpdesk=30, assisted=50, tech_fair=50) for i in (2, 3, 4))
    inst = instance([Group("P1", 50, wave="pilot"), Group("P2", 50, wave="pilot"), Group("A", 200)], ms,
                    tickets_per_100_users=rates)
    assert month_user_capacity(inst, 0) == 100
    assert stage_floor(inst, 4) == 0
    res = solved(inst)
    assert res.status == "optimal" and res.objective["finish"] == 1


def test_a_valid_warm_start_is_never_reported_infeasible(monkeypatch, caplog):
    # Safety net: if a bound ever cut every plan (simulated by a stage floor that is too late),
    # CP-SAT says infeasible, but the greedy warm start passes the checker, so the solver keeps it
    # (status feasible, level unproven) and logs an error instead of reporting no plan.
    import optimizer.model as model

    inst = _two_pilots(30)
    monkeypatch.setattr(model, "stage_floor", lambda inst, months: 3)
    res = solved(inst)
    assert res.status == "feasible" and res.plan is not None
    assert res.levels[0].status == "feasible" and res.levels[0].bound is None
    assert "warm start passes the checker" in caplog.text


def test_stage_floor_is_off_with_guards_and_relaxed_capacities():
    # Explanations relax capacity rules, so a floor derived from capacity must not be built in.
    inst = _two_pilots(20)
    assert RolloutModel(inst, guards=True).stage_floor == 0
    assert RolloutModel(inst, redundant=False).stage_floor == 0


def _stage_heavy(seed: int) -> Instance:
    """A tiny random instance whose month 0 is too small for its pilot stage (so the floor is
    at least 1 when there is a stage): month 0 keeps fewer helpdesk tickets than the stage's
    fewest, and no assisted or tech-fair seats."""
    inst = random_instance(10_000 + seed, max_groups=4, max_months=4)
    stage = [g for g in inst.groups if g.pilot_stage]
    fewest = sum(min(inst.rules.tickets(g.size, k) for k in inst.allowed_methods(g)) for g in stage)
    first = dataclasses.replace(inst.months[0], helpdesk=max(fewest - 1, 0), assisted=0,
                                tech_fair=0)
    return dataclasses.replace(inst, months=(first,) + inst.months[1:])


@pytest.mark.parametrize("seed", range(120))
def test_stage_floor_never_cuts_a_valid_plan(seed):
    # Every valid plan of a tiny random instance (enumerated, checked without the solver) ends its
    # pilot stage no earlier than the floor; the solver, which leaves out earlier production
    # months, still matches the brute-force optimum (tests/test_bruteforce.py's enumerator).
    inst = _stage_heavy(seed)
    floor = stage_floor(inst, inst.horizon) or 0
    stage = [g.name for g in inst.groups if g.pilot_stage]
    names = [g.name for g in inst.groups]
    choices = [(t, k) for t in range(inst.horizon) for k in METHODS]
    for combo in itertools.product(choices, repeat=len(names)):
        plan = Plan(inst, {n: Assignment(n, t, k) for n, (t, k) in zip(names, combo)})
        if stage and not check_plan(plan):
            assert max(plan.assignments[n].month for n in stage) >= floor, (seed, combo)
    expected = brute_force(inst)
    res = solved(inst)
    assert (res.status == "infeasible") if expected is None else \
        tuple(res.objective[lv] for lv in inst.rules.objective) == expected


def test_random_instances_make_the_stage_floor_bind():
    # Coverage of the test above: enough of its 120 instances have a floor above 0 and a valid plan.
    insts = [_stage_heavy(s) for s in range(120)]
    binding = [i for i in insts if (stage_floor(i, i.horizon) or 0) > 0 and brute_force(i) is not None]
    assert len(binding) >= 8, len(binding)


def test_a_zero_ticket_method_does_not_make_the_capacity_rows_overflow(caplog):
    # Self-service costs no tickets: a month's users are unbounded by tickets, which once made
    # the implied capacity row's coefficients 2^50 and allowed only one open month. B after A
    # needs two months: the optimum finishes in month 1, without the warm-start safety net.
    inst = instance([Group("A", 10), Group("B", 10, after=("A",))], months(10, 10),
                    tickets_per_100_users={"self-service": 0, "assisted": 2, "tech-fair": 5})
    res = solved(inst)
    assert (res.status, res.objective["finish"]) == ("optimal", 1)
    assert "infeasible" not in caplog.text

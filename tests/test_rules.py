"""Every rule family binds in a tiny twin pair: a feasible case where the rule changes the
optimum (the comment says why the expected optimum is what it is) and an infeasible twin.

Tickets per 100 users (defaults): self-service 15, assisted 2, tech fair 5, rounded up per
group. Every plan found is run through the independent checker (see conftest.solved).
"""

from __future__ import annotations

import pytest

from optimizer import rules as R
from optimizer.checker import check_plan
from optimizer.domain import Group
from optimizer.plan import Assignment, Plan

from conftest import instance, months, solved, where

SS = ("self-service",)


# ----------------------------------------------------------------- capacities
def test_helpdesk_capacity_binds():
    # A and B each need 15 tickets (100 users x 15 %); 15 per month fits one group a month.
    # A is eager (readiness 5), so A goes first: finish 2027-02, waiting = 100 x 1 x 1 = 100.
    g = [Group("A", 100, readiness=5, methods=SS), Group("B", 100, readiness=1, methods=SS)]
    res = solved(instance(g, months(15, 15)))
    assert res.status == "optimal"
    assert where(res) == {"A": ("2027-01", "self-service"), "B": ("2027-02", "self-service")}
    assert res.objective == {"finish": 1, "waiting": 100, "assisted": 0}
    # Twin: 14 tickets a month cannot take either group.
    assert solved(instance(g, months(14, 14))).status == "infeasible"


def test_tickets_are_rounded_up_per_group():
    # 101 users x 15 % = 15.15 -> 16 tickets: 16 fits, 15 does not.
    g = [Group("A", 101, methods=SS)]
    assert solved(instance(g, months(16))).status == "optimal"
    assert solved(instance(g, months(15))).status == "infeasible"


def test_assisted_capacity_binds():
    # E (30 users, assisted only) cannot go in January (20 assisted slots): February.
    g = [Group("E", 30, methods=("assisted",))]
    res = solved(instance(g, months(10, 10, assisted=(20, 30))))
    assert where(res) == {"E": ("2027-02", "assisted")}
    assert res.objective == {"finish": 1, "waiting": 30 * 3 * 1, "assisted": 30}
    assert solved(instance(g, months(10, 10, assisted=(20, 29)))).status == "infeasible"


def test_tech_fair_capacity_binds():
    # 50 users, tech fair only: 40 seats in January, 50 in February -> February.
    g = [Group("F", 50, methods=("tech-fair",))]
    res = solved(instance(g, months(10, 10, tech_fair=(40, 50))))
    assert where(res) == {"F": ("2027-02", "tech-fair")}
    assert solved(instance(g, months(10, 10, tech_fair=(40, 40)))).status == "infeasible"


# ----------------------------------------------------------------- eligibility
def test_methods_list_binds():
    # Tech fair would be free of helpdesk load, but the group may only self-enroll; 15 tickets.
    g = [Group("A", 100, methods=SS)]
    res = solved(instance(g, months(15, tech_fair=100)))
    assert where(res) == {"A": ("2027-01", "self-service")}
    # Twin: assisted only, no assisted capacity anywhere.
    g2 = [Group("A", 100, methods=("assisted",))]
    assert solved(instance(g2, months(100, 100))).status == "infeasible"


def test_vip_assisted_binds():
    # A VIP may use only assisted enrollment: 10 slots in January, 30 in February -> February.
    g = [Group("Executives", 30, vip=True)]
    res = solved(instance(g, months(100, 100, assisted=(10, 30))))
    assert where(res) == {"Executives": ("2027-02", "assisted")}
    # Twin: no month has 30 assisted slots -> infeasible; without the rule, self-service in January.
    ms = months(100, 100, assisted=(10, 10))
    assert solved(instance(g, ms)).status == "infeasible"
    off = solved(instance(g, ms, vip_assisted=False))
    assert where(off) == {"Executives": ("2027-01", "self-service")}


def test_window_binds():
    # Earliest February: February although January is free.
    g = [Group("A", 10, earliest="2027-02")]
    res = solved(instance(g, months(100, 100)))
    assert where(res)["A"][0] == "2027-02"
    # Twin: both must be done by January, but January takes only one of them (15 tickets each).
    g2 = [Group("A", 100, methods=SS, latest="2027-01"), Group("B", 100, methods=SS, latest="2027-01")]
    assert solved(instance(g2, months(15, 30))).status == "infeasible"


def test_blackout_binds():
    # January blacked out -> February.
    g = [Group("A", 10, blackout=("2027-01",))]
    res = solved(instance(g, months(100, 100)))
    assert where(res)["A"][0] == "2027-02"
    # Twin: February is too small for A (15 tickets, capacity 10) and January is blacked out.
    g2 = [Group("A", 100, methods=SS, blackout=("2027-01",))]
    assert solved(instance(g2, months(100, 10))).status == "infeasible"


# ----------------------------------------------------------------- stages
def test_pilot_first_binds():
    # The pilot can't start before February, so the expanded pilot waits for it:
    # both in February (<= allows the same month).
    g = [Group("P", 10, wave="pilot", earliest="2027-02"), Group("E", 10, wave="expanded-pilot")]
    res = solved(instance(g, months(100, 100)))
    assert where(res)["P"][0] == "2027-02" and where(res)["E"][0] == "2027-02"
    # Twin: the expanded pilot must be done in January -> infeasible.
    g2 = [Group("P", 10, wave="pilot", earliest="2027-02"), Group("E", 10, wave="expanded-pilot", latest="2027-01")]
    assert solved(instance(g2, months(100, 100))).status == "infeasible"


@pytest.mark.parametrize("gap, expected", [(1, "2027-02"), (2, "2027-03")])
def test_production_opens_after_stage_gap(gap, expected):
    # Pilot in January; production opens stage_gap months after the last pilot-stage month.
    g = [Group("P", 10, wave="pilot"), Group("Q", 10)]
    res = solved(instance(g, months(100, 100, 100), stage_gap=gap))
    assert where(res) == {"P": ("2027-01", "self-service"), "Q": (expected, "self-service")}
    assert res.objective["finish"] == gap


def test_production_opens_infeasible_twin():
    g = [Group("P", 10, wave="pilot"), Group("Q", 10)]
    assert solved(instance(g, months(100, 100, 100), stage_gap=3)).status == "infeasible"


def test_no_pilot_stage_means_production_opens_at_once():
    g = [Group("Q", 10)]
    assert where(solved(instance(g, months(100, 100), stage_gap=5)))["Q"][0] == "2027-01"


def test_risk_delay_binds():
    # Pilot January, production opens February, high-risk H one month later: March.
    g = [Group("P", 10, wave="pilot"), Group("L", 10, risk="low"), Group("H", 10, risk="high")]
    res = solved(instance(g, months(100, 100, 100)))
    assert where(res)["L"][0] == "2027-02" and where(res)["H"][0] == "2027-03"
    # Twin: two months are not enough for the high-risk group; risk_delay 0 makes them enough.
    assert solved(instance(g, months(100, 100))).status == "infeasible"
    assert where(solved(instance(g, months(100, 100), risk_delay=0)))["H"][0] == "2027-02"


def test_after_binds():
    # A is eager (readiness 5) but must come after B: B January, A February.
    g = [Group("A", 10, readiness=5, after=("B",)), Group("B", 10, readiness=1)]
    res = solved(instance(g, months(100, 100)))
    assert where(res)["B"][0] == "2027-01" and where(res)["A"][0] == "2027-02"
    # Twin: one month cannot hold a strict order.
    assert solved(instance(g, months(100))).status == "infeasible"


# ----------------------------------------------------------------- optional rules
def test_max_platforms_binds():
    g = [Group("W", 10, platform="windows"), Group("I", 10, platform="ios")]
    free = solved(instance(g, months(100, 100)))
    assert free.objective["finish"] == 0  # both in January without the rule
    one = solved(instance(g, months(100, 100), max_platforms_per_month=1))
    assert one.objective["finish"] == 1 and where(one)["W"][0] != where(one)["I"][0]
    assert solved(instance(g, months(100), max_platforms_per_month=1)).status == "infeasible"


def test_max_locations_binds_and_ignores_empty_locations():
    g = [Group("A", 10, location="Malmö"), Group("B", 10, location="Umeå"), Group("C", 10)]
    one = solved(instance(g, months(100, 100), max_locations_per_month=1))
    # Malmö and Umeå in different months; C (no location) doesn't count and goes in January.
    assert one.objective["finish"] == 1 and where(one)["A"][0] != where(one)["B"][0]
    assert where(one)["C"][0] == "2027-01"
    assert solved(instance(g, months(100), max_locations_per_month=1)).status == "infeasible"


def test_departments_together_binds():
    # S1 can't start before February, so S2 (same department and wave) waits with it.
    g = [Group("S1", 10, department="Sales", earliest="2027-02"), Group("S2", 10, department="Sales", readiness=5)]
    res = solved(instance(g, months(100, 100), keep_departments_together=True))
    assert where(res)["S1"][0] == where(res)["S2"][0] == "2027-02"
    assert where(solved(instance(g, months(100, 100))))["S2"][0] == "2027-01"
    # Twin: together they need 30 tickets, no month has more than 20.
    g2 = [Group("S1", 100, department="Sales", methods=SS), Group("S2", 100, department="Sales", methods=SS)]
    assert solved(instance(g2, months(20, 20), keep_departments_together=True)).status == "infeasible"
    assert solved(instance(g2, months(20, 20))).status == "optimal"


# ----------------------------------------------------------------- objectives
def _tradeoff():
    # A (eager) and B, 100 users each; 17 tickets a month; 100 assisted slots a month.
    # Both self-service: 30 tickets -> two months. One assisted: 15 + 2 = 17 -> one month.
    g = [Group("A", 100, readiness=5, methods=("self-service", "assisted")),
         Group("B", 100, readiness=1, methods=("self-service", "assisted"))]
    return g, months(17, 17, assisted=100)


def test_finish_first_uses_assisted_to_finish_in_one_month():
    g, ms = _tradeoff()
    res = solved(instance(g, ms))
    # finish 0 and waiting 0 need one group assisted: 100 assisted users.
    assert res.objective == {"finish": 0, "waiting": 0, "assisted": 100}
    assert res.status == "optimal"


def test_assisted_first_trades_months_for_it_effort():
    g, ms = _tradeoff()
    res = solved(instance(g, ms, objective=("assisted", "finish", "waiting")))
    # No assisted users -> two months; the eager group first: waiting = 100 x 1 x 1 = 100.
    assert res.objective == {"assisted": 0, "finish": 1, "waiting": 100}
    assert where(res) == {"A": ("2027-01", "self-service"), "B": ("2027-02", "self-service")}


def test_waiting_prefers_eager_and_big_groups_first():
    # One group a month (15 tickets); readiness x size decides the order: C (5x100), A (3x100), B (1x100).
    g = [Group("A", 100, readiness=3, methods=SS), Group("B", 100, readiness=1, methods=SS),
         Group("C", 100, readiness=5, methods=SS)]
    res = solved(instance(g, months(15, 15, 15)))
    assert [where(res)[n][0] for n in "CAB"] == ["2027-01", "2027-02", "2027-03"]
    assert res.objective["waiting"] == 300 * 1 + 100 * 2


# ----------------------------------------------------------------- the checker itself
def _plan(inst, **assign) -> Plan:
    idx = inst.month_labels
    return Plan(inst, {n: Assignment(n, idx.index(m), k) for n, (m, k) in assign.items()})


@pytest.mark.parametrize("rule, groups, ms, kw, plan", [
    (R.HELPDESK, [Group("A", 100, methods=SS), Group("B", 100, methods=SS)], months(20, 20), {},
     {"A": ("2027-01", "self-service"), "B": ("2027-01", "self-service")}),
    (R.ASSISTED_CAP, [Group("A", 30)], months(100, assisted=10), {}, {"A": ("2027-01", "assisted")}),
    (R.TECH_FAIR_CAP, [Group("A", 30)], months(100, tech_fair=10), {}, {"A": ("2027-01", "tech-fair")}),
    (R.METHOD, [Group("A", 10, methods=SS)], months(100, tech_fair=100), {}, {"A": ("2027-01", "tech-fair")}),
    (R.VIP_ASSISTED, [Group("A", 10, vip=True)], months(100), {}, {"A": ("2027-01", "self-service")}),
    (R.WINDOW, [Group("A", 10, earliest="2027-02")], months(100, 100), {}, {"A": ("2027-01", "self-service")}),
    (R.BLACKOUT, [Group("A", 10, blackout=("2027-01",))], months(100, 100), {}, {"A": ("2027-01", "self-service")}),
    (R.PILOT_FIRST, [Group("P", 10, wave="pilot"), Group("E", 10, wave="expanded-pilot")], months(100, 100), {},
     {"P": ("2027-02", "self-service"), "E": ("2027-01", "self-service")}),
    (R.PRODUCTION_OPENS, [Group("P", 10, wave="pilot"), Group("Q", 10)], months(100, 100), {},
     {"P": ("2027-01", "self-service"), "Q": ("2027-01", "self-service")}),
    (R.RISK_DELAY, [Group("P", 10, wave="pilot"), Group("H", 10, risk="high")], months(100, 100, 100), {},
     {"P": ("2027-01", "self-service"), "H": ("2027-02", "self-service")}),
    (R.AFTER, [Group("A", 10, after=("B",)), Group("B", 10)], months(100, 100), {},
     {"A": ("2027-01", "self-service"), "B": ("2027-01", "self-service")}),
    (R.MAX_PLATFORMS, [Group("W", 10, platform="windows"), Group("I", 10, platform="ios")], months(100),
     {"max_platforms_per_month": 1}, {"W": ("2027-01", "self-service"), "I": ("2027-01", "self-service")}),
    (R.MAX_LOCATIONS, [Group("A", 10, location="X"), Group("B", 10, location="Y")], months(100),
     {"max_locations_per_month": 1}, {"A": ("2027-01", "self-service"), "B": ("2027-01", "self-service")}),
    (R.DEPARTMENTS_TOGETHER, [Group("A", 10, department="D"), Group("B", 10, department="D")], months(100, 100),
     {"keep_departments_together": True}, {"A": ("2027-01", "self-service"), "B": ("2027-02", "self-service")}),
    (R.ONE_ASSIGNMENT, [Group("A", 10), Group("B", 10)], months(100), {}, {"A": ("2027-01", "self-service")}),
])
def test_checker_names_the_broken_rule(rule, groups, ms, kw, plan):
    inst = instance(groups, ms, **kw)
    found = check_plan(_plan(inst, **plan))
    assert rule in {v.rule for v in found}, found
    assert all(v.message for v in found)


def test_checker_accepts_a_valid_hand_plan():
    inst = instance([Group("P", 10, wave="pilot"), Group("Q", 10)], months(100, 100))
    # The same plan with a tech fair that has no seats is flagged.
    bad = check_plan(_plan(inst, P=("2027-01", "self-service"), Q=("2027-02", "tech-fair")))
    assert [v.rule for v in bad] == [R.TECH_FAIR_CAP]
    ok = _plan(inst, P=("2027-01", "self-service"), Q=("2027-02", "self-service"))
    assert check_plan(ok) == []

"""The re-plan model (optimizer.model_replan, optimizer.replan.solve): the spec's history rules,
each with a twin where the actual part is not there, the changes level and observed rates. Every
plan is judged by the checker on the coming months and its history rows are the actuals
(tests/replan_helpers.py)."""

from __future__ import annotations

import pytest

from optimizer.domain import DEFAULT_REPLAN_OBJECTIVE
from optimizer.errors import InputError
from optimizer.inputs.loaders import parse_rules
from optimizer.replan.solve import replan_levels

from replan_helpers import capacity, first_new, parts, replan

PREV = "group,month,method\n"


def test_default_objective_order_and_rules_key(tmp_path):
    assert DEFAULT_REPLAN_OBJECTIVE == ("finish", "changes", "waiting", "assisted", "splits")
    groups = "A,100,production,,low,3,,,\n"
    inst, _rin, res = replan(tmp_path, groups, PREV + "A,2027-02,self-service\n", "", "2027-02")
    assert replan_levels(inst) == list(DEFAULT_REPLAN_OBJECTIVE)
    assert [lv.name for lv in res.levels] == list(DEFAULT_REPLAN_OBJECTIVE)
    inst, _rin, res = replan(tmp_path, groups, PREV + "A,2027-04,self-service\n", "", "2027-02",
                             rules='replan_objective = ["changes", "finish"]\n')
    assert [lv.name for lv in res.levels] == ["changes", "finish"]
    assert parts(res, "A") == [("2027-04", 100)]  # changes first: A stays in its month
    with pytest.raises(InputError, match="replan_objective"):
        parse_rules({"replan_objective": ["finish", "moves"]})
    with pytest.raises(InputError, match="'objective'"):
        parse_rules({"objective": ["finish", "changes"]})  # changes is a re-plan's level only


# ---------------------------------------------------------------- history rules, with twins
STAGE = "P,50,pilot,,low,3,,,\nX,100,production,,low,3,,,\n"


@pytest.mark.parametrize("pilot_month,expected", [("2027-02", "2027-04"), ("2027-01", "2027-03")])
def test_production_opens_after_the_actual_pilot(tmp_path, pilot_month, expected):
    """stage_gap 2: O = the pilot's actual month + 2 (binds only because of the actual part: as_of
    is 2027-03, the twin with the pilot done a month earlier lets production start at as_of)."""
    _inst, _rin, res = replan(tmp_path, STAGE, PREV + "P,2027-01,self-service\nX,2027-03,self-service\n",
                              f"P,{pilot_month},50,self-service,\n", "2027-03", rules="stage_gap = 2\n")
    assert parts(res, "X") == [(expected, 100)]
    assert parts(res, "P") == [(pilot_month, 50)]


@pytest.mark.parametrize("risk,expected", [("high", "2027-04"), ("low", "2027-03")])
def test_risk_delay_counts_from_the_actual_pilot(tmp_path, risk, expected):
    groups = f"P,50,pilot,,low,3,,,\nX,100,production,,{risk},3,,,\n"
    _inst, _rin, res = replan(tmp_path, groups, PREV + "P,2027-01,self-service\nX,2027-03,self-service\n",
                              "P,2027-02,50,self-service,\n", "2027-03")
    assert first_new(res, "X", 2) == expected


@pytest.mark.parametrize("left", [20, 0])
def test_after_a_group_with_users_left_waits_for_its_last_part(tmp_path, left):
    """A after H: H started with users left -> its last (planned) part + 1; H done -> A may start
    at as_of (H's actual month + 1 is in the past)."""
    groups = "H,100,production,,low,3,,2,\nA,100,production,,low,3,,,H\n"
    _inst, _rin, res = replan(tmp_path, groups, PREV + "H,2027-01,self-service\nA,2027-02,self-service\n",
                              f"H,2027-01,{100 - left},self-service,\n", "2027-02", rules="min_part_users = 10\n")
    assert first_new(res, "A", 1) == ("2027-03" if left else "2027-02")
    if left:
        assert parts(res, "H") == [("2027-01", 80), ("2027-02", 20)]


@pytest.mark.parametrize("started", [True, False])
def test_departments_together_only_for_groups_not_started(tmp_path, started):
    """keep_departments_together: D1 started (an actual part) is not held to D2's first month; its
    twin without actual users is."""
    groups = "D1,100,production,Sales,low,3,,2,\nD2,100,production,Sales,low,1,,,\n"
    cap = capacity(helpdesk=30)  # 200 self-service users a month
    actuals = "D1,2027-01,50,self-service,\n" if started else ""
    _inst, _rin, res = replan(tmp_path, groups, PREV + "D1,2027-02,self-service\nD2,2027-03,self-service\n",
                              actuals, "2027-02", cap=cap, rules='keep_departments_together = true\n'
                              'min_part_users = 10\nreplan_objective = ["changes"]\n')
    f1, f2 = first_new(res, "D1", 1), first_new(res, "D2", 1)
    if started:
        assert f1 != f2
    else:
        assert f1 == f2


def test_history_is_not_judged(tmp_path):
    """Actual parts above the past months' capacity, with a method the group may not use now and
    out of order (A after H, but A enrolled before H): kept as they happened; the plan exists."""
    groups = "H,100,production,,low,3,self-service,,\nA,100,production,,low,3,self-service,2,H\n"
    cap = capacity(helpdesk=20)
    actuals = "A,2027-01,60,tech-fair,\nH,2027-02,100,self-service,\n"
    _inst, rin, res = replan(tmp_path, groups, PREV + "H,2027-01,self-service\nA,2027-02,self-service\n",
                             actuals, "2027-03", cap=cap, rules="min_part_users = 10\n")
    assert res.status == "optimal"
    assert parts(res, "A") == [("2027-01", 60), ("2027-03", 40)]
    assert res.plan.assignments["A"].method == "self-service"


@pytest.mark.parametrize("actual", [80, 0])
def test_least_part_is_of_the_remaining_users(tmp_path, actual):
    """min_part_users 50: a group with 20 users left finishes with one part of 20; the twin without
    actual users may not make a part of 20."""
    groups = "G,100,production,,low,3,self-service,3,\n"
    cap = capacity(helpdesk=6)  # 40 self-service users a month
    _inst, _rin, res = replan(tmp_path, groups, PREV + "G,2027-01,self-service\n",
                              f"G,2027-01,{actual},self-service,\n" if actual else "", "2027-02", cap=cap,
                              rules='replan_objective = ["finish"]\n')
    if actual:
        assert parts(res, "G") == [("2027-01", 80), ("2027-02", 20)]
    else:
        assert res.status == "infeasible"  # parts of 40 at most, but at least 50 each


@pytest.mark.parametrize("actual", [True, False])
def test_max_months_counts_future_months(tmp_path, actual):
    """max_months 2: after two actual months the rest may still take two months; the twin without
    history has only two months in all."""
    groups = "G,200,production,,low,3,self-service,2,\n"
    cap = capacity(helpdesk=9)  # 60 self-service users a month
    if actual:
        acts, as_of, want = "G,2027-01,40,self-service,\nG,2027-02,40,self-service,\n", "2027-03", "optimal"
    else:
        acts, as_of, want = "", "2027-01", "infeasible"
    _inst, _rin, res = replan(tmp_path, groups, PREV + "G,2027-01,self-service\n", acts, as_of, cap=cap,
                              rules='min_part_users = 10\nreplan_objective = ["finish"]\n')
    assert res.status == want
    if actual:
        assert len(parts(res, "G")) == 4


# ---------------------------------------------------------------- changes
def test_no_changes_when_the_actuals_follow_the_plan(tmp_path):
    groups = "A,100,production,,low,3,,,\nB,100,production,,low,3,,,\nC,100,production,,low,3,,,\n"
    prev = PREV + "A,2027-01,self-service\nB,2027-02,self-service\nC,2027-03,self-service\n"
    _inst, _rin, res = replan(tmp_path, groups, prev, "A,2027-01,100,self-service,\n", "2027-02",
                              cap=capacity(helpdesk=15))
    assert res.plan.objective_values()["changes"] == 0
    assert parts(res, "B") == [("2027-02", 100)] and parts(res, "C") == [("2027-03", 100)]


def test_a_slipped_group_keeps_the_others_in_place(tmp_path):
    """B slipped (planned in 2027-02, nothing enrolled): fewest changes moves B alone; its users
    count as slipped, C and D keep their months."""
    groups = "".join(f"{n},100,production,,low,3,,,\n" for n in "ABCD")
    prev = PREV + "A,2027-01,self-service\nB,2027-02,self-service\nC,2027-03,self-service\nD,2027-04,self-service\n"
    _inst, _rin, res = replan(tmp_path, groups, prev, "A,2027-01,100,self-service,\n", "2027-03",
                              cap=capacity(helpdesk=30))
    assert parts(res, "C") == [("2027-03", 100)] and parts(res, "D") == [("2027-04", 100)]
    assert res.plan.objective_values()["changes"] == 100
    assert first_new(res, "B", 2) in ("2027-03", "2027-04")


def test_observed_rates_change_the_tickets(tmp_path):
    """Self-service observed at 30 per 100 users (planned 15): with --observed-rates two groups of
    100 no longer fit one month of 45 tickets."""
    groups = "P,200,production,,low,3,,,\nA,100,production,,low,3,self-service,,\nB,100,production,,low,3,self-service,,\n"
    prev = PREV + "P,2027-01,self-service\nA,2027-02,self-service\nB,2027-02,self-service\n"
    acts = "P,2027-01,200,self-service,60\n"
    cap = capacity(helpdesk=45)
    for observed, finish in ((False, "2027-02"), (True, "2027-03")):
        inst, rin, res = replan(tmp_path, groups, prev, acts, "2027-02", cap=cap, observed=observed)
        assert inst.month_labels[res.plan.finish()] == finish
        assert rin.rates.rate("self-service").used is observed
    assert res.plan.loads()[1]["helpdesk"] == 30  # ceil(100 * 60 / 200)


def test_previous_start_keeps_the_previous_plan_where_it_fits(tmp_path):
    """The changes level's start: C and D keep their months, the slipped B goes whole into the
    earliest month with room; the checker accepts it; with the finish held to 2027-03 there is no room."""
    from optimizer.replan.verify import check_replan
    from optimizer.replan.start import previous_start

    groups = "".join(f"{n},100,production,,low,3,self-service,,\n" for n in "ABCD")
    prev = PREV + "A,2027-01,self-service\nB,2027-02,self-service\nC,2027-03,self-service\nD,2027-04,self-service\n"
    inst, rin, _res = replan(tmp_path, groups, prev, "A,2027-01,100,self-service,\n", "2027-03",
                             cap=capacity(helpdesk=30))
    plan = previous_start(inst, rin)
    assert check_replan(plan, rin) == [] and plan.objective_values()["changes"] == 100
    assert [(t, u) for t, u in plan.parts("B")] == [(2, 100)]
    assert plan.parts("C") == ((2, 100),) and plan.parts("D") == ((3, 100),)
    assert previous_start(inst, rin, max_month=2) is None


def test_the_first_plan_comes_before_any_solver_work(tmp_path, monkeypatch):
    """The planner sees a plan at once: the previous plan kept where it fits is reported before the
    model is built or the whole-group solve starts (at 2,000 x 24 those took 15 s before the first
    plan). Here it is already best: B whole beside C in 2027-03, D in 2027-04 (two groups of 15
    tickets fill a month of 30, so three groups left need two months)."""
    import optimizer.replan.solve as rs
    from optimizer.solving.solver import SolveOptions
    from replan_helpers import write
    from optimizer.inputs.loaders import load_instance
    from optimizer.replan.inputs import load_replan_inputs

    groups = "".join(f"{n},100,production,,low,3,self-service,,\n" for n in "ABCD")
    prev = PREV + "A,2027-01,self-service\nB,2027-02,self-service\nC,2027-03,self-service\nD,2027-04,self-service\n"
    f = write(tmp_path, groups, prev, "A,2027-01,100,self-service,\n", cap=capacity(helpdesk=30))
    inst = load_instance(f["groups"], f["capacity"], f["rules"])
    rin = load_replan_inputs(inst, f["previous"], f["actuals"], "2027-03")
    events = []
    real_model = rs.ReplanModel
    monkeypatch.setattr(rs, "ReplanModel", lambda *a: events.append("model") or real_model(*a))
    res = rs.solve_replan(inst, rin, SolveOptions(time_limit=10, workers=2, seed=1),
                          progress=lambda lv, value, bound, secs: events.append((lv, value)))
    assert events[0] == ("finish", 3.0) and events[1] == "model"  # finish month index 3: 2027-04
    assert res.plan.finish() == 3 and res.status == "optimal"


def test_the_first_plan_is_kept_when_ctrl_c_stops_the_whole_group_solve(tmp_path, monkeypatch):
    """Ctrl-C while the whole-group plan of the coming months is searched (no plan from it yet):
    the planner keeps the first plan (the previous plan kept where it fits), checked, not nothing."""
    import optimizer.replan.solve as rs

    monkeypatch.setattr(rs, "future_start", lambda *a, **k: (None, False, True))
    groups = "".join(f"{n},100,production,,low,3,self-service,,\n" for n in "ABCD")
    prev = PREV + "A,2027-01,self-service\nB,2027-02,self-service\nC,2027-03,self-service\nD,2027-04,self-service\n"
    _inst, _rin, res = replan(tmp_path, groups, prev, "A,2027-01,100,self-service,\n", "2027-03",
                              cap=capacity(helpdesk=30))
    assert res.interrupted and res.status == "feasible"
    assert res.plan is not None and res.plan.objective_values()["changes"] == 100


def test_explanation_counts_tickets_at_the_observed_rates(tmp_path):
    """Only the observed rate leaves no plan: A and B (100 users each, self-service only) must both
    enroll in 2027-02 with 45 helpdesk tickets. Planned 15 per 100 -> 30 tickets, a plan; observed
    30 per 100 (60 tickets for P's 200 users) -> 60 tickets, none. The explanation must find the
    helpdesk conflict (at the planned rates it would find none) and say how it counted."""
    from optimizer.replan.explain import explain_replan

    groups = "P,200,production,,low,3,,,\nA,100,production,,low,3,self-service,,\nB,100,production,,low,3,self-service,,\n"
    prev = PREV + "P,2027-01,self-service\nA,2027-02,self-service\nB,2027-02,self-service\n"
    cap = capacity(helpdesk=45, months=["2027-01", "2027-02"])
    inst, rin, res = replan(tmp_path, groups, prev, "P,2027-01,200,self-service,60\n", "2027-02", cap=cap,
                            observed=True)
    assert res.status == "infeasible"
    exp = explain_replan(inst, rin, time_limit=10, workers=2)
    assert exp.sets and any(c.rule == "helpdesk-capacity" for s in exp.sets for c in s.rules)
    assert "rounded up" in exp.note and "30 instead of 30.0" in exp.note
    assert exp.combined_verified

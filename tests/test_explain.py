"""Infeasibility explanations: the rules named truly conflict (dropping any one gives a plan),
the repairs truly work (applying one gives a plan the checker accepts), and the words carry
the numbers that make the rules bind."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from ortools.sat.python import cp_model

from optimizer import rules as R
from optimizer.cli import main
from optimizer.domain import Group
from optimizer.explain import apply_combined, apply_repair, explain
from optimizer.explain.checks import _Guarded
from optimizer.inputs.scenario import load_scenario

from conftest import instance, months, solved

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "data" / "scenarios").glob("*.toml"))
SS = ("self-service",)


def assert_truly_conflicting(inst, exp) -> None:
    """Every conflict set: its rules alone admit no plan, and without any one of them they
    do (minimal); the sets share no rule; with all of them set aside the rest admit a plan."""
    assert exp.sets, "an infeasible instance gets at least one conflict"
    assert exp.minimal, "small instances are shrunk to a minimal set well within the limit"
    assert exp.complete, "small instances get every conflict within the limit"
    g = _Guarded(inst, seed=0)
    seen = set()
    for st in exp.sets:
        keys = [(c.rule, c.key) for c in st.rules]
        assert not seen.intersection(keys), "conflicts are disjoint"
        seen.update(keys)
        status, _ = g.check(keys, 10)
        assert status == cp_model.INFEASIBLE, "the named rules alone must admit no plan"
        for i, k in enumerate(keys):
            status, _ = g.check(keys[:i] + keys[i + 1:], 10)
            assert status in (cp_model.OPTIMAL, cp_model.FEASIBLE), f"dropping {k} must give a plan"
    status, _ = g.check([k for k in g.keys if k not in seen], 10)
    assert status in (cp_model.OPTIMAL, cp_model.FEASIBLE), "no conflict is left out"
    assert [(c.rule, c.key) for c in exp.conflicts] == [(c.rule, c.key) for st in exp.sets for c in st.rules]


def assert_combined_repair_works(inst, exp) -> None:
    """The combined repair (one change per conflict) gives a plan the checker accepts."""
    assert exp.combined_verified and len(exp.combined) == len(exp.sets)
    res = solved(apply_combined(inst, exp.combined))  # solved() runs the checker on the plan
    assert res.plan is not None, [r.description for r in exp.combined]


def assert_repairs_work(inst, exp) -> None:
    for rep in exp.repairs:
        res = solved(apply_repair(inst, rep))  # solved() runs the checker on the plan
        assert res.plan is not None, rep.description


def _infeasible_scenarios():
    out = []
    for p in SCENARIOS:
        inst = load_scenario(p)
        if solved(inst).status == "infeasible":
            out.append(p)
    return out


def test_shipped_infeasible_scenarios_are_explained():
    paths = _infeasible_scenarios()
    assert [p.name for p in paths] == ["tight-deadline.toml"]
    for p in paths:
        inst = load_scenario(p)
        exp = explain(inst, time_limit=30)
        assert exp.minimal
        assert_truly_conflicting(inst, exp)
        assert_combined_repair_works(inst, exp)
        # Sales and marketing: 2000 users, 300 tickets by self-service, 200 a month from September.
        first = exp.sets[0]
        assert first.groups == ["Sales and marketing"]
        assert first.summary.startswith("Sales and marketing (2000 users) fits in no month from 2027-09 to 2027-10")
        assert "needs 300 helpdesk tickets but no month has more than 200" in first.summary
        # and, separately, the assisted-only IT managers against the high-risk Executives
        assert len(exp.sets) == 2 and exp.sets[1].groups == ["IT managers", "Executives"]


def test_group_too_big_for_every_month():
    # 100 users self-service only = 15 tickets; no month has more than 12.
    inst = instance([Group("Sales", 100, methods=SS), Group("HR", 10)], months(12, 10))
    exp = explain(inst, time_limit=20)
    assert_truly_conflicting(inst, exp)
    assert exp.summary == ("Sales (100 users) fits in no month from 2027-01 to 2027-02: by self-service it "
                           "needs 15 helpdesk tickets but no month has more than 12")
    # The smallest capacity repair: +3 tickets in one month (HR then fits too: 2 tickets).
    best = exp.repairs[0]
    assert best.kind == "capacity" and "+3 helpdesk tickets" in best.description
    assert_repairs_work(inst, exp)


def test_after_against_windows():
    # Retail must come after Finance, but Finance can't start before 2027-03 and Retail ends by 2027-03.
    g = [Group("Finance", 10, earliest="2027-03"), Group("Retail", 10, latest="2027-03", after=("Finance",))]
    inst = instance(g, months(100, 100, 100))
    exp = explain(inst, time_limit=20)
    assert_truly_conflicting(inst, exp)
    assert {c.rule for c in exp.conflicts} == {R.AFTER, R.WINDOW}
    assert exp.summary == ("Retail must come after Finance, but Finance can't start before 2027-03 and "
                           "Retail's latest possible month is 2027-03")
    descriptions = [r.description for r in exp.repairs]
    assert "drop the dependency: Retail after Finance" in descriptions
    assert any("Finance's earliest month from 2027-03 to 2027-02" in d for d in descriptions)
    assert_repairs_work(inst, exp)


def test_vip_without_assisted_capacity():
    inst = instance([Group("Executives", 30, vip=True)], months(100, 100, assisted=(10, 20)))
    exp = explain(inst, time_limit=20)
    assert_truly_conflicting(inst, exp)
    rules = {c.rule for c in exp.conflicts}
    assert R.VIP_ASSISTED in rules and R.ASSISTED_CAP in rules
    assert any("must be enrolled in person: 30 users" in c.message for c in exp.conflicts)
    descriptions = [r.description for r in exp.repairs]
    assert any(d.startswith("+10 assisted users in 2027-02") for d in descriptions)
    assert any("not as a VIP group" in d for d in descriptions)
    assert_repairs_work(inst, exp)


def test_pilot_first_against_windows():
    g = [Group("P", 10, wave="pilot", earliest="2027-02"), Group("E", 10, wave="expanded-pilot", latest="2027-01")]
    inst = instance(g, months(100, 100))
    exp = explain(inst, time_limit=20)
    assert_truly_conflicting(inst, exp)
    assert R.PILOT_FIRST in {c.rule for c in exp.conflicts}
    assert_repairs_work(inst, exp)
    assert exp.repairs


def test_one_platform_per_month_too_strict():
    g = [Group("W", 10, platform="windows"), Group("I", 10, platform="ios"), Group("A", 10, platform="android")]
    inst = instance(g, months(100, 100), max_platforms_per_month=1)
    exp = explain(inst, time_limit=20)
    assert_truly_conflicting(inst, exp)
    assert R.MAX_PLATFORMS in {c.rule for c in exp.conflicts}
    descriptions = [r.description for r in exp.repairs]
    assert "allow 2 instead of 1 per month (max_platforms_per_month = 2)" in descriptions
    assert_repairs_work(inst, exp)


def test_cli_prints_and_writes_the_explanation(tmp_path: Path):
    out_json, out_md = tmp_path / "x.json", tmp_path / "x.md"
    r = CliRunner().invoke(main, ["solve", str(ROOT / "data" / "scenarios" / "tight-deadline.toml"),
                                  "--out", str(out_json), "--out", str(out_md)], catch_exceptions=False)
    assert r.exit_code == 1
    assert "Why there is no plan" in r.output and "Sales and marketing (2000 users)" in r.output
    data = json.loads(out_json.read_text())
    assert data["status"] == "infeasible"
    assert data["explanation"]["minimal"] is True
    assert {c["rule"] for c in data["explanation"]["conflicts"]} >= {"helpdesk-capacity", "production-opens"}
    sets = data["explanation"]["conflict_sets"]
    assert [s["groups"] for s in sets] == [["Sales and marketing"], ["IT managers", "Executives"]]
    assert all(s["minimal"] and s["repairs"] for s in sets) and data["explanation"]["all_conflicts_found"]
    combined = data["explanation"]["combined_repair"]
    assert combined["verified"] and len(combined["changes"]) == 2 and combined["changes"][0]["changes"]
    assert "Do these 2 things to get a plan" in r.output and "Conflict 2 of 2 (IT managers, Executives)" in r.output
    md = out_md.read_text()
    assert "## Why there is no plan" in md and "### Conflict 1 of 2 (Sales and marketing)" in md


def test_compare_reason_is_the_explanation():
    from optimizer import compare as C
    from optimizer.solving.solver import SolveOptions

    runs = C.load_runs([ROOT / "data" / "scenarios" / "baseline.toml", ROOT / "data" / "scenarios" / "tight-deadline.toml"])
    C.solve_runs(runs, SolveOptions(time_limit=10, workers=2), jobs=1)
    C.explain_runs(runs)  # the explicit step that names the conflicts
    comp = C.compare(runs)
    tight = next(r for r in comp.runs if r.name == "Tight deadline")
    assert tight.reason.startswith("infeasible: 2 separate conflicts: Sales and marketing (2000 users) fits in no month")
    data = json.loads(C.comparison_json(comp))
    exp = next(s for s in data["scenarios"] if s["name"] == "Tight deadline")["explanation"]
    assert exp["minimal"] is True and exp["combined_repair"]["verified"]
    assert {c["rule"] for c in exp["conflicts"]} >= {"helpdesk-capacity", "production-opens"}
    assert next(s for s in data["scenarios"] if s["name"] != "Tight deadline")["explanation"] is None


def test_blackout_collides_with_dependency():
    # Finance is blacked out in January, so it can't start before February; Retail is due by February.
    g = [Group("Finance", 10, latest="2027-02", blackout=("2027-01",)),
         Group("Retail", 10, latest="2027-02", after=("Finance",))]
    inst = instance(g, months(100, 100, 100))
    exp = explain(inst, time_limit=20)
    assert_truly_conflicting(inst, exp)
    assert {c.rule for c in exp.conflicts} == {R.BLACKOUT, R.WINDOW, R.AFTER}
    assert exp.summary == ("Retail must come after Finance, but Finance can't start before 2027-02 and "
                           "Retail's latest possible month is 2027-02")
    descriptions = [r.description for r in exp.repairs]
    assert "let Finance enroll in 2027-01 (remove it from its blackout months)" in descriptions
    assert "move Retail's latest month from 2027-02 to 2027-03" in descriptions
    assert_repairs_work(inst, exp)


def test_high_risk_group_due_before_it_may_start():
    # Pilot in January at the earliest, production opens one month later, high risk one more: March.
    g = [Group("P", 10, wave="pilot"), Group("R", 10, risk="high", latest="2027-02")]
    inst = instance(g, months(100, 100, 100), stage_gap=1, risk_delay=1)
    exp = explain(inst, time_limit=20)
    assert_truly_conflicting(inst, exp)
    assert {c.rule for c in exp.conflicts} == {R.WINDOW, R.RISK_DELAY}
    msg = next(c.message for c in exp.conflicts if c.rule == R.RISK_DELAY)
    assert msg == ("R is high-risk: it waits 1 month more after production opens (risk_delay), 2 months after "
                   "the last pilot-stage month, so not before 2027-03")
    descriptions = [r.description for r in exp.repairs]
    assert "shorten risk_delay from 1 to 0" in descriptions
    assert "move R's latest month from 2027-02 to 2027-03" in descriptions
    assert_repairs_work(inst, exp)


def test_tech_fair_only_group_without_a_tech_fair():
    inst = instance([Group("Lab", 10, methods=("tech-fair",))], months(100, 100))
    exp = explain(inst, time_limit=20)
    assert_truly_conflicting(inst, exp)
    assert exp.summary == ("Lab (10 users) fits in no month from 2027-01 to 2027-02: the tech fair needs "
                           "10 tech-fair seats (at most 0)")
    descriptions = [r.description for r in exp.repairs]
    assert "let Lab use self-service as well" in descriptions
    assert "+10 tech-fair users in 2027-01 (0 -> 10)" in descriptions
    assert_repairs_work(inst, exp)


def test_department_too_big_for_one_month():
    g = [Group(n, 100, department="Sales", methods=SS) for n in ("A", "B")]  # 15 tickets each
    inst = instance(g, months(20, 20), keep_departments_together=True)
    exp = explain(inst, time_limit=20)
    assert_truly_conflicting(inst, exp)
    msg = next(c.message for c in exp.conflicts if c.rule == R.DEPARTMENTS_TOGETHER)
    assert msg.startswith("all production groups of Sales (A, B: 200 users) must enroll in the same month")
    descriptions = [r.description for r in exp.repairs]
    assert "drop keep_departments_together" in descriptions
    assert any(d.startswith("+10 helpdesk tickets in") for d in descriptions)
    assert_repairs_work(inst, exp)


def test_more_locations_than_months_allow():
    g = [Group("A", 10, location="Oslo"), Group("B", 10, location="Bergen"), Group("C", 10, location="Umeå")]
    inst = instance(g, months(100, 100), max_locations_per_month=1)
    exp = explain(inst, time_limit=20)
    assert_truly_conflicting(inst, exp)
    assert exp.summary == ("the groups span 3 locations (Bergen, Oslo, Umeå) but 2027-01, 2027-02 may hold "
                           "at most 1 location each (max_locations_per_month)")
    assert exp.repairs[0].description == "allow 2 instead of 1 per month (max_locations_per_month = 2)"
    assert_repairs_work(inst, exp)


def test_many_groups_due_too_early_get_a_common_deadline_repair():
    # 8 groups of 100 users due by February; 200 users a month (30 tickets, self-service only).
    g = [Group(f"G{i}", 100, methods=SS, latest="2027-02") for i in range(8)]
    inst = instance(g, months(30, 30, 30, 30, 30))
    exp = explain(inst, time_limit=20)
    assert_truly_conflicting(inst, exp)
    # Minimal: any 5 of the 8 windows already conflict (500 users > 400).
    assert exp.summary == ("5 groups (500 users) must enroll by 2027-02 (their latest months), but the months "
                           "up to 2027-02 can enroll at most 400 users")
    descriptions = [r.description for r in exp.repairs]
    # Two groups a month: with these 5 due later and 3 still due by February, the plan ends in April.
    assert "let the 5 groups due by 2027-02 enroll until 2027-04 (move their latest month)" in descriptions
    assert_repairs_work(inst, exp)


def test_uniform_capacity_repair_is_the_least_share_that_works():
    from optimizer.explain import uniform_capacity_repair

    g = [Group(f"G{i}", 100, methods=SS) for i in range(4)]  # 15 tickets each, 60 in all
    inst = instance(g, months(25, 25))  # two groups a month need 30 tickets: +10 % (28) is too little
    keys = [(R.HELPDESK, ("2027-01",)), (R.HELPDESK, ("2027-02",))]
    import time

    rep = uniform_capacity_repair(inst, keys, deadline=time.perf_counter() + 20)
    assert rep.description == "+20 % helpdesk tickets in 2027-01, 2027-02 (+10 in all)"
    assert solved(apply_repair(inst, rep)).plan is not None


# ------------------------------------------------------------------ several conflicts at once
def _independent_conflicts(n: int):
    """An input with n conflicts that share no group and no month (n <= 5), and groups
    without any trouble around them; returns (instance, the groups of each conflict)."""
    ok = [Group("HR", 10), Group("Support", 40)]
    parts = [
        # 100 users by self-service only = 15 tickets, due in January, which has 12
        ([Group("Sales", 100, methods=SS, earliest="2027-01", latest="2027-01")], {"Sales"}),
        # Retail after Finance, but Finance can't start before March and Retail is due by March
        ([Group("Finance", 10, earliest="2027-03"), Group("Retail", 10, latest="2027-03", after=("Finance",))],
         {"Finance", "Retail"}),
        # a VIP group due in February, when there is no assisted enrollment
        ([Group("Executives", 30, vip=True, earliest="2027-02", latest="2027-02")], {"Executives"}),
        # tech fair only, in May, and there is no tech fair
        ([Group("Lab", 10, methods=("tech-fair",), earliest="2027-05", latest="2027-05")], {"Lab"}),
        # three locations in June and July, one location a month
        ([Group(c, 10, location=c, earliest="2027-06", latest="2027-07") for c in ("Oslo", "Bergen", "Umeå")],
         {"Oslo", "Bergen", "Umeå"}),
    ][:n]
    groups = ok + [g for gs, _ in parts for g in gs]
    ms = months(12, 100, 100, 100, 100, 100, 100, 100, assisted=(100, 0, 100, 100, 100, 100, 100, 100))
    rules = {"max_locations_per_month": 1} if n >= 5 else {}
    return instance(groups, ms, **rules), [names for _, names in parts]


def _assert_all_conflicts(n: int):
    inst, expected = _independent_conflicts(n)
    assert solved(inst, time_limit=5).status == "infeasible"
    exp = explain(inst, time_limit=20)
    assert len(exp.sets) == n, [s.headline() for s in exp.sets]
    assert sorted(map(sorted, (s.groups for s in exp.sets))) == sorted(map(sorted, expected))
    assert_truly_conflicting(inst, exp)  # each minimal (re-solved without each rule), disjoint, none left
    for st in exp.sets:
        assert st.repairs, f"a verified repair for {st.groups}"
    assert_combined_repair_works(inst, exp)
    return exp


def test_two_independent_conflicts_are_both_found():
    exp = _assert_all_conflicts(2)
    assert exp.headline().startswith("2 separate conflicts: ")
    # no single change fixes a two-conflict input, so none is offered as one
    assert exp.repairs == []


def test_three_independent_conflicts_are_all_found():
    _assert_all_conflicts(3)


def test_five_independent_conflicts_are_all_found():
    exp = _assert_all_conflicts(5)
    lines = [text for _, text, _ in exp.lines()]
    assert "5 separate conflicts; each needs a change of its own." in lines
    assert any(t.startswith("Do these 5 things to get a plan") for t in lines)
    locations = next(s for s in exp.sets if "Oslo" in s.groups)
    assert {c.rule for c in locations.rules} == {R.MAX_LOCATIONS, R.WINDOW}


def _pilot_slip():
    """The pilot slips: every pilot-stage group can start only in 2027-04 of six months, so
    production opens in 2027-05: the offices don't fit in two months, and two high-risk groups
    (2027-06 at the earliest) are blacked out then. Each pilot-stage window alone causes it."""
    late = "2027-04"
    pilots = [Group("IT pilot", 10, wave="pilot", earliest=late)] + [
        Group(f"Champions {c}", 10, wave="expanded-pilot", earliest=late) for c in ("HR", "Sales", "Legal", "Retail")]
    offices = [Group(f"Office {i}", 100) for i in range(6)]
    risky = [Group(n, 10, risk="high", blackout=("2027-06",)) for n in ("Finance", "Payroll")]
    return instance(pilots + offices + risky, months(30, 30, 30, 30, 30, 30, assisted=50)), [g.name for g in pilots]


def test_a_pilot_slip_is_one_conflict_with_one_combined_repair():
    """Every pilot-stage group's window keeps the stage from ending before 2027-04: one cause,
    so one conflict naming every pilot-stage group (not one conflict per pilot group), with
    the pilot's months or more months as its repairs, and a combined repair that works."""
    inst, pilots = _pilot_slip()
    assert solved(inst, time_limit=5).status == "infeasible"
    exp = explain(inst, time_limit=20, workers=2)
    assert len(exp.sets) == 1, [s.headline() for s in exp.sets]
    st = exp.sets[0]
    assert set(pilots) <= set(st.groups)
    assert len(st.same_cause) == len(pilots) - 1 and {c.rule for c in st.same_cause} == {R.WINDOW}
    assert "and 4 more pilot-stage groups can't start earlier" in st.headline()
    kinds = {r.kind for r in st.repairs}
    assert {"window", "horizon"} <= kinds, [r.description for r in st.repairs]
    pilot_move = next(r for r in st.repairs if r.kind == "window")
    assert pilot_move.description.startswith("let the 5 pilot-stage groups start from ")
    for rep in st.repairs:  # each works on its own: one cause, so one change for the whole input
        assert solved(apply_repair(inst, rep)).plan is not None, rep.description
    assert exp.complete and exp.combined_verified and len(exp.combined) == 1
    assert solved(apply_combined(inst, exp.combined)).plan is not None
    text = [t for _, t, _ in exp.lines()]
    assert any(t.startswith("The same holds for the windows of 4 more pilot-stage groups") for t in text)
    assert exp.to_dict()["conflict_sets"][0]["same_cause"][0]["rule"] == R.WINDOW


def test_a_pilot_slip_and_a_vip_group_get_one_change_each_that_together_give_a_plan():
    """Two causes: the late pilot (one conflict for its five groups) and a VIP group with no
    assisted enrollment at all. The VIP group gets the least extra assisted slots in one month
    (a bisection on the amount), the pilot its months, and the two together give a plan
    (checked with the extra slots made)."""
    import dataclasses

    inst, pilots = _pilot_slip()
    inst = dataclasses.replace(
        inst, groups=inst.groups + (Group("Executives", 20, vip=True, methods=("assisted",), blackout=("2027-02",)),),
        months=tuple(dataclasses.replace(m, assisted=0) for m in inst.months))
    assert solved(inst, time_limit=5).status == "infeasible"
    exp = explain(inst, time_limit=20, workers=2)
    assert len(exp.sets) == 2, [s.headline() for s in exp.sets]
    vip = next(s for s in exp.sets if s.groups == ["Executives"])
    assert vip.repairs[0].description.startswith("+20 assisted users in 2027-0"), vip.repairs[0].description
    pilot = next(s for s in exp.sets if "IT pilot" in s.groups)
    assert set(pilots) <= set(pilot.groups)
    assert "Payroll can't enroll in any month from then on (its risk delay" in pilot.headline()
    assert exp.complete and exp.combined_verified and len(exp.combined) == 2
    assert solved(apply_combined(inst, exp.combined)).plan is not None


def test_extra_capacity_is_weighed_in_users_a_month_can_enroll():
    """+20 assisted slots in a month without any weigh what 20 users are of a tenth of what the
    month can enroll (not 20 times the month's assisted capacity), so a few slots rank before
    moving a month; extra helpdesk tickets weigh what they add to the month's tickets."""
    from optimizer.explain.repair_search import _capacity_text

    inst = instance([Group("A", 10)], months(300, 300, assisted=0))  # 2,000 self-service users a month
    rep = _capacity_text(inst, cp_model.OPTIMAL, [("assisted", "2027-01", 20)])
    assert rep.description == "+20 assisted users in 2027-01 (0 -> 20)"
    assert rep.cost == 0.1
    assert _capacity_text(inst, cp_model.OPTIMAL, [("helpdesk", "2027-02", 600)]).cost == 2.0


def test_more_months_start_from_what_counting_needs():
    from optimizer.explain.causes import _months_by_count

    ms = months(15, 15, 15)  # 100 self-service users a month (15 tickets per 100)
    assert _months_by_count(instance([Group("A", 250, methods=SS)], ms)) == 1
    assert _months_by_count(instance([Group(f"G{i}", 100, methods=SS) for i in range(6)], ms)) == 3


def test_a_repair_of_one_conflict_is_verified_with_the_others_set_aside():
    """A conflict's repairs do not fix the whole input (the other conflicts remain), but
    each gives a plan once the other conflicts' rules are set aside."""
    from optimizer.explain import Verify

    inst, _ = _independent_conflicts(3)
    exp = explain(inst, time_limit=20)
    for i, st in enumerate(exp.sets):
        others = frozenset((c.rule, c.key) for j, o in enumerate(exp.sets) if j != i for c in o.rules)
        for rep in st.repairs:
            changed = apply_repair(inst, rep)
            assert solved(changed, time_limit=5).status == "infeasible", rep.description
            assert Verify(others, workers=2)(changed, 10) is True, rep.description
            assert Verify(frozenset(), workers=2)(changed, 10) is False


def test_terminal_prints_group_names_as_text_and_wraps_under_the_bullet():
    import io

    from rich.console import Console

    from optimizer.render.console import print_explanation

    name = "[bold]Sales[/bold] [/x]"
    inst = instance([Group(name, 100, methods=SS, latest="2027-01"), Group("HR", 10)], months(12, 100))
    buf = io.StringIO()
    print_explanation(Console(file=buf, width=60, force_terminal=False), explain(inst, time_limit=10))
    out = buf.getvalue()
    assert f"{name} (100 users) does not fit in" in out
    assert all(len(row) <= 60 and row == row.rstrip() for row in out.splitlines())
    # a wrapped rule continues under its text, not under the bullet
    rows = out.splitlines()
    i = next(i for i, row in enumerate(rows) if row.startswith(f"   - {name} (100 users) must enroll"))
    assert rows[i + 1].startswith("     ") and "[window]" in rows[i + 1]


# ------------------------------------------------------------------ the shortcuts are exact
def _full_status(g, keys):
    """The guarded model of the whole input, no shortcut."""
    from optimizer.explain.checks import _solver

    proto = g.rm.proto
    proto.assumptions.clear()
    proto.assumptions.extend(g.rm.guards[k] for k in keys)
    st = _solver(10, 2, 0).solve(g.rm.model)
    return "plan" if st in (cp_model.OPTIMAL, cp_model.FEASIBLE) else st


def test_checks_on_the_named_groups_and_relaxed_inputs_agree_with_the_full_guarded_model():
    """A check cut down to the groups the rules name (_named_only) and a plain solve of the
    input with rules set aside (relax) answer exactly as the guarded model of the whole input."""
    import random

    from optimizer.explain import feasible, relax
    from optimizer.explain.checks import _named_only

    from randinst import random_instance

    compared = relaxed = cut = 0
    for seed in range(60):
        inst = random_instance(seed, max_groups=6, max_months=4)
        g = _Guarded(inst, seed=0, workers=2)
        rnd = random.Random(seed)
        for i in range(4):
            keys = [k for k in g.keys if rnd.random() < (0.15, 0.4)[i % 2]]
            cut += _named_only(inst, keys) is not None
            st, _ = g.check(keys, 10, core_needed=False)
            want = _full_status(g, keys)
            assert ("plan" if st in (cp_model.OPTIMAL, cp_model.FEASIBLE) else st) == want, (seed, keys)
            compared += 1
            aside = [k for k in g.keys if k not in keys]
            r = relax(inst, aside)
            if r is not None:
                assert (feasible(r, 10, workers=2) is True) == (want == "plan"), (seed, aside)
                relaxed += 1
    assert compared == 240 and relaxed > 40 and cut > 60


def test_the_cut_to_named_groups_keeps_what_other_groups_bring():
    # Production opens a month after the pilot, which is in no rule of the check: the pilot
    # group still sets when the stage ends, so it must stay in the cut-down input.
    inst = instance([Group("P", 10, wave="pilot"), Group("Prod", 10, latest="2027-01")], months(100, 100))
    g = _Guarded(inst, seed=0, workers=2)
    keys = [(R.WINDOW, ("Prod",)), (R.PRODUCTION_OPENS, ("Prod",))]
    assert g.check(keys, 10)[0] == cp_model.INFEASIBLE == _full_status(g, keys)
    # Two groups of 800 users need 16 tickets each even by assisted enrollment, and the only
    # months have 16 tickets each, one taken by Sales (15, self-service only): they can't go
    # anywhere without touching an enforced capacity, so the check can't leave them out.
    big = [Group("Sales", 100, methods=SS), Group("A", 800), Group("B", 800)]
    inst = instance(big, months(16, 16, assisted=2000, tech_fair=2000))
    g = _Guarded(inst, seed=0, workers=2)
    keys = [(R.METHOD, ("Sales",)), (R.HELPDESK, ("2027-01",)), (R.HELPDESK, ("2027-02",))]
    assert g.check(keys, 10)[0] == cp_model.INFEASIBLE == _full_status(g, keys)


def test_pilot_slip_leaves_too_few_months_for_production():
    # The pilot can't start before April; production opens in May and its 6 groups (90 tickets
    # by self-service) don't fit in May and June (30 tickets each).
    g = [Group("Pilot", 10, wave="pilot", earliest="2027-04")] + [Group(f"P{i}", 100, methods=SS) for i in range(6)]
    inst = instance(g, months(30, 30, 30, 30, 30, 30))
    exp = explain(inst, time_limit=20)
    assert_truly_conflicting(inst, exp)
    assert len(exp.sets) == 1
    rules = {c.rule for c in exp.conflicts}
    assert {R.PRODUCTION_OPENS, R.WINDOW, R.HELPDESK} <= rules
    assert exp.summary.startswith("the pilot stage can't end before 2027-04 (Pilot can't start earlier), so "
                                  "production opens in 2027-05 at the earliest, but 5 of the 6 production groups "
                                  "(500 users) don't fit in the months from then on: at most 400 users")
    descriptions = [r.description for r in exp.repairs]
    assert "extend the plan by 1 month (capacities as in the last month)" in descriptions
    assert "move Pilot's earliest month from 2027-04 to 2027-03" in descriptions
    assert_repairs_work(inst, exp)
    assert_combined_repair_works(inst, exp)


def test_a_late_pilot_conflict_is_cut_down_by_counting():
    """The model's stage cut holds every capacity and every production group; counting keeps
    only production's months and the largest production groups that exceed them, and that
    smaller set still has no plan (the guarded model, with only those rules)."""
    from optimizer.explain.causes import stage_cut_core

    g = [Group("Pilot", 10, wave="pilot", earliest="2027-04")] + [Group(f"P{i}", 100 + i, methods=SS) for i in range(6)]
    inst = instance(g, months(30, 30, 30, 30, 30, 30))
    guarded = _Guarded(inst, seed=0)
    cut = [k for k in guarded.keys if k[0] in (R.HELPDESK, R.ASSISTED_CAP, R.TECH_FAIR_CAP, R.PRODUCTION_OPENS)
           or k == (R.WINDOW, ("Pilot",))]
    core = stage_cut_core(inst, cut)
    assert sorted(k[1][0] for k in core if k[0] == R.PRODUCTION_OPENS) == ["P2", "P3", "P4", "P5"]  # 414 users > 400
    assert {k[1][0] for k in core if k[0] == R.HELPDESK} == {"2027-05", "2027-06"} and len(core) == 11
    assert guarded.check(core, 10)[0] == cp_model.INFEASIBLE
    assert stage_cut_core(inst, cut[1:]) is None  # not that shape: a month without its helpdesk limit


def test_long_conflicts_list_a_dozen_rules_and_count_the_rest():
    from optimizer.explain.findings import MAX_RULES_SHOWN, Conflict, ConflictSet, Explanation

    rules = [Conflict(R.WINDOW, (f"G{i}",), f"G{i} must enroll by 2027-02") for i in range(20)]
    rules += [Conflict(R.HELPDESK, ("2027-01",), "2027-01 has room for at most 30 helpdesk tickets")]
    st = ConflictSet(rules=rules, groups=[f"G{i}" for i in range(20)], minimal=False)
    exp = Explanation(conflicts=rules, sets=[st], minimal=False)
    lines = exp.lines()
    assert sum(k == "rule" for k, _, _ in lines) == MAX_RULES_SHOWN == 12
    more = next(t for k, t, _ in lines if k == "more")
    assert more == "... and 9 more rules of the same kinds (8 window, 1 helpdesk-capacity); all in the JSON output"
    assert len(exp.to_dict()["conflict_sets"][0]["rules"]) == 21
    assert lines[-1] == ("note", "The time ran out before this conflict was made minimal: it may contain rules "
                                 "that are not needed.", "")


def test_a_conflict_hidden_behind_another_shows_in_a_second_round():
    # Executives (VIP) are due by February and there is no assisted enrollment at all; they
    # must also come after Finance, which can't start before February. The conflicts share
    # the Executives' window, so the second is hidden while the first's rules are set aside,
    # and no change of the first alone gives a plan: the next round searches the input with
    # the first's smallest change made, and the combined repair holds both rounds' changes.
    g = [Group("Executives", 10, vip=True, latest="2027-02", after=("Finance",)),
         Group("Finance", 10, earliest="2027-02"), Group("HR", 10)]
    inst = instance(g, months(20, 20, 20))
    exp = explain(inst, time_limit=20)
    assert [s.round for s in exp.sets] == [1, 2]
    assert exp.sets[0].groups == ["Executives"] and {c.rule for c in exp.sets[0].rules} >= {R.VIP_ASSISTED}
    assert "Executives" in exp.sets[1].groups
    assert exp.complete and exp.minimal and exp.repairs == [] and len(exp.combined) == 2
    assert_combined_repair_works(inst, exp)
    heading = [t for k, t, _ in exp.lines() if k == "heading"][1]
    assert heading.endswith("which shows once the changes for the conflicts before it are made")


def test_plain_forms_of_rule_subsets_agree_with_the_full_guarded_model():
    """plain_form (the input with exactly some rule instances enforced, as a plain input) has a
    plan exactly when the guarded model with just those rules does; the deletion filter's
    checks run on it."""
    import random

    from optimizer.explain import feasible, plain_form
    from optimizer.explain.checks import _PLAIN_FAMILIES

    from randinst import random_instance

    compared = 0
    for seed in range(60):
        inst = random_instance(seed, max_groups=6, max_months=4)
        g = _Guarded(inst, seed=0, workers=2)
        rnd = random.Random(seed)
        for i in range(4):
            share = (0.5, 0.8, 0.95, 1.0)[i]
            keys = [k for k in g.keys if k[0] in _PLAIN_FAMILIES and rnd.random() < share]
            p = plain_form(inst, g.keys, keys)
            if p is None:
                assert any(k[0] in (R.PRODUCTION_OPENS, R.PILOT_FIRST) for k in g.keys if k not in keys)
                continue
            want = _full_status(g, keys)
            assert (feasible(p, 10, workers=2) is True) == (want == "plan"), (seed, keys)
            compared += 1
    assert compared > 150


def test_the_deletion_filter_tries_again_a_rule_whose_first_check_ran_out_of_time():
    """A rule whose short first check is inconclusive is checked again at the end with the
    time left: the set is then proven minimal, not reported as unfinished."""
    from optimizer.explain import shrink

    a, b, c = (R.WINDOW, ("A",)), (R.WINDOW, ("B",)), (R.WINDOW, ("C",))

    class Slow:
        """Rules a, b conflict; c is not needed. The check without b needs more than a first short check (1 s) or the old fixed 3 s."""

        def plain(self, keys):
            return None

        def check(self, keys, limit, core_needed=True):
            if b not in keys and a in keys and limit < 4:
                return cp_model.UNKNOWN, []
            if a in keys and b in keys:
                return cp_model.INFEASIBLE, []
            return cp_model.FEASIBLE, []

    import time
    keys, minimal = shrink(Slow(), [a, b, c], time.perf_counter() + 10)
    assert sorted(keys) == sorted([a, b]) and minimal


def test_the_plain_model_of_groups_due_too_early_has_a_row_no_plan_can_meet():
    """Groups due by a month that the months up to it can't hold: the plain model gets the
    implied row on the open months (unmeetable on its face, so presolve proves it at once);
    an input that fits gets none. The answer stays exact: the checked solve agrees."""
    from optimizer.model import RolloutModel

    g = [Group(f"G{i}", 100, methods=SS, latest="2027-02") for i in range(5)]
    inst = instance(g + [Group("Late", 100, methods=SS)], months(30, 30, 30, 30, 30))
    rm = RolloutModel(inst)

    def unmeetable(model: RolloutModel) -> list:
        out = []
        opens = set(range(model.open0, model.open0 + model.inst.horizon))
        for ct in model.proto.constraints:
            lin = ct.linear
            if len(lin.vars) and set(lin.vars) <= opens and \
                    sum(c for c in lin.coeffs if c > 0) < lin.domain[0]:
                out.append(ct)
        return out

    assert len(unmeetable(rm)) == 1
    assert solved(inst).status == "infeasible"
    fits = instance(g[:4] + [Group("Late", 100, methods=SS)], months(30, 30, 30, 30, 30))
    assert unmeetable(RolloutModel(fits)) == [] and solved(fits).plan is not None


def test_a_conflict_from_an_implied_cut_is_verified():
    """The guarded model's deadline cut is offered as a conflict only when its plain form is
    proven to have no plan (the explanation then shrinks it)."""
    import time

    from optimizer.explain.conflicts import _cut_conflict

    g = [Group(f"G{i}", 100, methods=SS, latest="2027-02") for i in range(8)]
    inst = instance(g, months(30, 30, 30, 30, 30))
    guarded = _Guarded(inst, seed=0, workers=2)
    cut = _cut_conflict(guarded, guarded.keys, time.perf_counter() + 10, 2, 0)
    assert {k[0] for k in cut} <= {R.WINDOW, R.HELPDESK, R.ASSISTED_CAP, R.TECH_FAIR_CAP}
    assert len([k for k in cut if k[0] == R.WINDOW]) == 8
    assert _full_status(guarded, cut) == cp_model.INFEASIBLE
    fits = instance(g[:3], months(30, 30, 30, 30, 30))
    guarded = _Guarded(fits, seed=0, workers=2)
    assert guarded.rm.cuts == [] and _cut_conflict(guarded, guarded.keys, time.perf_counter() + 10, 2, 0) == []

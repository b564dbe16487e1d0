"""The CP-SAT model of parts (optimizer/model_parts.py) and its solve path (optimizer/solve_parts.py):
optimum == brute force (tests/bruteforce_split.py) on a binding twin of every split rule and on random
tiny instances, every plan through the checker; v1 instances keep v1's model; the CLI plans split
inputs into v2 plan files that `rollout check` accepts."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from bruteforce_split import split_optimum
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer.checker import check_plan
from optimizer.cli import main
from optimizer.domain import METHODS, Group, Instance, Month, Rules
from optimizer.model_parts import PartsModel
from optimizer.inputs.planfile import read_plan
from optimizer.solving.solver import SolveOptions, solve
from optimizer.solving.tuning import Tuning

ASSISTED = ("assisted",)
SELF = ("self-service",)
BOTH = ("assisted", "tech-fair")
OPTS = SolveOptions(time_limit=10, workers=2)


def inst(groups, caps, **rules) -> Instance:
    """caps: per month (helpdesk, assisted, tech_fair)."""
    ms = tuple(Month(f"2027-{t + 1:02d}", helpdesk=h, assisted=a, tech_fair=f) for t, (h, a, f) in enumerate(caps))
    return Instance(tuple(groups), ms, Rules(**{"min_part_users": 1, **rules}))


def solved_key(i: Instance, opts: SolveOptions = OPTS):
    """The CP-SAT optimum as (value per level), None when it proves there is no plan; its plan
    passes the checker."""
    r = solve(i, opts)
    if r.status == "infeasible":
        assert r.plan is None
        return None
    assert r.status == "optimal", r.levels
    assert check_plan(r.plan) == []
    vals = r.plan.objective_values()
    assert [lv.value for lv in r.levels] == [vals[lv] for lv in i.rules.objective]
    return tuple(lv.value for lv in r.levels)


def brute_key(i: Instance):
    found = split_optimum(i)
    return None if found is None else found[0]


# One pair per rule of split groups: (rule, feasible-or-better twin, the other twin). The values are
# worked out by hand in tests/test_bruteforce_split.py; here CP-SAT must find the same optimum.
TWINS = {
    "span with a hole": [
        inst([Group("A", 4, methods=ASSISTED, max_months=3, blackout=("2027-02",))], [(100, 2, 0)] * 3),
        inst([Group("A", 4, methods=ASSISTED, max_months=2, blackout=("2027-02",))], [(100, 2, 0)] * 3)],
    "least part": [
        inst([Group("A", 4, methods=ASSISTED, max_months=2)], [(100, 3, 0)] * 2, min_part_users=2),
        inst([Group("A", 4, methods=ASSISTED, max_months=2)], [(100, 3, 0)] * 2, min_part_users=3)],
    "one method": [
        inst([Group("A", 4, methods=BOTH, max_months=2)], [(100, 2, 0), (100, 2, 2)]),
        inst([Group("A", 4, methods=BOTH, max_months=2)], [(100, 2, 0), (100, 0, 2)])],
    "ticket rounding per part": [
        inst([Group("A", 20, methods=SELF, max_months=2)], [(2, 0, 0), (2, 0, 0)]),
        inst([Group("A", 20, methods=SELF, max_months=2)], [(2, 0, 0), (1, 0, 0)])],
    "stage order by the pilot's last month": [
        inst([Group("P", 4, wave="pilot", methods=ASSISTED, max_months=2), Group("E", 1, wave="expanded-pilot",
              methods=SELF), Group("X", 1, methods=SELF)], [(100, 2, 0)] * 3),
        inst([Group("P", 4, wave="pilot", methods=ASSISTED, max_months=2), Group("E", 1, wave="expanded-pilot",
              methods=SELF), Group("X", 1, methods=SELF)], [(100, 2, 0)] * 2)],
    "production opens after the last pilot part (+ risk delay)": [
        inst([Group("P", 4, wave="pilot", methods=ASSISTED, max_months=2), Group("X", 1, methods=SELF,
              risk="high")], [(100, 2, 0)] * 4),
        inst([Group("P", 4, wave="pilot", methods=ASSISTED, max_months=2), Group("X", 1, methods=SELF,
              risk="high")], [(100, 2, 0)] * 3)],
    "after by last and first month": [
        inst([Group("H", 4, methods=ASSISTED, max_months=2), Group("G", 1, methods=SELF, after=("H",))],
             [(100, 2, 0)] * 3),
        inst([Group("H", 4, methods=ASSISTED, max_months=2), Group("G", 1, methods=SELF, after=("H",))],
             [(100, 2, 0)] * 2)],
    "departments together by first month": [
        inst([Group("A", 4, department="D", methods=ASSISTED, max_months=2),
              Group("B", 1, department="D", methods=SELF)], [(100, 2, 0)] * 2, keep_departments_together=True),
        inst([Group("A", 4, department="D", methods=ASSISTED, max_months=2),
              Group("B", 1, department="D", methods=SELF, earliest="2027-02")], [(100, 2, 0)] * 2,
             keep_departments_together=True)],
    "a group counts in every month with a part (max platforms)": [
        inst([Group("A", 4, platform="ios", methods=ASSISTED, max_months=2),
              Group("B", 1, platform="windows", methods=SELF)], [(100, 2, 0)] * 3, max_platforms_per_month=1),
        inst([Group("A", 4, platform="ios", methods=ASSISTED, max_months=2),
              Group("B", 1, platform="windows", methods=SELF)], [(100, 2, 0)] * 2, max_platforms_per_month=1)],
    "a group counts in every month with a part (max locations)": [
        inst([Group("A", 4, location="X", methods=ASSISTED, max_months=2),
              Group("B", 1, location="Y", methods=SELF)], [(100, 2, 0)] * 3, max_locations_per_month=1),
        inst([Group("A", 4, location="X", methods=ASSISTED, max_months=2),
              Group("B", 1, location="Y", methods=SELF)], [(100, 2, 0)] * 2, max_locations_per_month=1)],
    "splits against waiting": [
        inst([Group("A", 10, methods=SELF, max_months=2)], [(1, 0, 0), (100, 0, 0)],
             objective=("finish", "waiting", "splits")),
        inst([Group("A", 10, methods=SELF, max_months=2)], [(1, 0, 0), (100, 0, 0)],
             objective=("finish", "splits", "waiting"))],
    "VIP assisted per part": [
        inst([Group("A", 4, vip=True, max_months=2)], [(100, 2, 4)] * 2),
        inst([Group("A", 4, vip=True, max_months=2)], [(100, 1, 4)] * 2)],
}


@pytest.mark.parametrize("rule", sorted(TWINS))
def test_binding_twin_optimum_is_the_brute_force_optimum(rule):
    first, second = TWINS[rule]
    a, b = brute_key(first), brute_key(second)
    assert a != b, "not a binding twin"
    assert solved_key(first) == a
    assert solved_key(second) == b


@st.composite
def tiny_split_instances(draw):
    n_months = draw(st.integers(2, 3))
    n_groups = draw(st.integers(2, 3))
    labels = [f"2027-{t + 1:02d}" for t in range(n_months)]
    groups = []
    for i in range(n_groups):
        methods = tuple(k for k in METHODS if draw(st.booleans())) or SELF
        earliest = draw(st.sampled_from([None] + labels))
        groups.append(Group(
            f"G{i}", draw(st.integers(1, 4)), wave=draw(st.sampled_from(["pilot", "production", "production"])),
            methods=methods, max_months=draw(st.sampled_from([None, 1, 2, 3])), earliest=earliest,
            risk=draw(st.sampled_from(["low", "high"])), readiness=draw(st.integers(1, 3)),
            department=draw(st.sampled_from(["", "D"])), platform=draw(st.sampled_from(["ios", "windows"])),
            after=(f"G{i - 1}",) if i and draw(st.integers(0, 3)) == 0 else ()))
    caps = [(draw(st.integers(0, 2)), draw(st.integers(0, 4)), draw(st.integers(0, 3))) for _ in labels]
    return inst(groups, caps, max_months=2, min_part_users=draw(st.integers(1, 3)),
                keep_departments_together=draw(st.booleans()),
                max_platforms_per_month=draw(st.sampled_from([0, 1])))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_split_instances())
def test_random_tiny_split_instances_match_brute_force(i):
    assert solved_key(i) == brute_key(i)


def test_four_groups_four_months_match_brute_force():
    i = inst([Group("P", 2, wave="pilot", methods=ASSISTED, max_months=2),
              Group("A", 3, methods=SELF, max_months=3, readiness=2),
              Group("B", 2, methods=("self-service", "tech-fair"), max_months=2, after=("P",)),
              Group("C", 1, methods=SELF)],
             [(1, 1, 1), (1, 1, 1), (1, 2, 1), (2, 2, 2)])
    assert solved_key(i) == brute_key(i)


def test_v1_groups_keep_one_literal_per_month_and_method():
    # A group that may not split is v1's encoding (no user counts); a split group gets parts.
    i = inst([Group("A", 40, max_months=2), Group("B", 40)], [(100, 50, 50)] * 3)
    pm = PartsModel(i)
    a, b = pm.gs
    assert a.split and len(a.u) == 3 and not a.x
    assert not b.split and len(b.x) == 3 * 3 and not b.u


def test_v1_instance_is_not_solved_by_the_parts_path():
    i = inst([Group("A", 40), Group("B", 40)], [(100, 50, 50)] * 3)
    assert not i.may_split
    r = solve(i, OPTS)
    assert "split_groups" not in r.model_stats and r.status == "optimal"


def test_greedy_plan_is_a_valid_hint_and_plan_has_parts():
    # 300 assisted users, 200 seats a month: the greedy plan (one part per group) cannot place it
    # without splitting; with a second group it still must hint a valid one-part plan for B.
    i = inst([Group("A", 300, methods=ASSISTED, max_months=2), Group("B", 50, methods=SELF)],
             [(100, 200, 0)] * 3, min_part_users=50)
    r = solve(i, OPTS)
    assert r.status == "optimal" and check_plan(r.plan) == []
    assert r.plan.parts("A") == ((0, 200), (1, 100))
    assert r.objective["finish"] == 1 and r.objective["splits"] == 1


def test_cli_solve_writes_a_v2_plan_that_check_accepts(tmp_path: Path):
    g = tmp_path / "g.csv"
    g.write_text("group,size,methods,max_months\nSales,300,assisted,2\nIT,40,self-service,\n", encoding="utf-8")
    c = tmp_path / "c.csv"
    c.write_text("month,helpdesk,assisted,tech_fair\n2027-01,100,200,0\n2027-02,100,200,0\n", encoding="utf-8")
    out = tmp_path / "plan.csv"
    runner = CliRunner()
    res = runner.invoke(main, ["solve", str(g), str(c), "--out", str(out), "--time-limit", "5", "--workers", "2",
                               "-q"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    header = out.read_text(encoding="utf-8").splitlines()[0]
    assert "users" in header
    inst_, plan = read_plan_of(g, c, out)
    assert plan.parts("Sales") == ((0, 200), (1, 100))
    chk = runner.invoke(main, ["check", str(g), str(c), str(out)], catch_exceptions=False)
    assert chk.exit_code == 0, chk.output


def read_plan_of(g: Path, c: Path, out: Path):
    from optimizer.inputs.loaders import load_instance
    i = load_instance(str(g), str(c))
    return i, read_plan(i, str(out))


# ------------------------------------------------------------------ explanation of infeasibility
def test_feasible_asks_the_model_of_parts():
    # 300 assisted users, 200 seats a month: no plan of whole groups, one with parts.
    from optimizer.explain import feasible
    i = inst([Group("A", 300, methods=ASSISTED, max_months=2), Group("B", 1, methods=ASSISTED)],
             [(100, 200, 0)] * 2, min_part_users=50)
    assert feasible(i, 5.0, workers=2) is True
    i1 = inst([Group("A", 300, methods=ASSISTED), Group("B", 1, methods=ASSISTED, max_months=2)],
              [(100, 200, 0)] * 2, min_part_users=50)
    assert feasible(i1, 5.0, workers=2) is False


def test_explanation_proposes_a_split_that_gives_a_plan():
    from optimizer.explain import apply_repair, explain
    i = inst([Group("Sales", 500, methods=ASSISTED, max_months=2), Group("IT", 40, methods=SELF)],
             [(100, 200, 0)] * 3, min_part_users=50)
    assert solve(i, OPTS).status == "infeasible"
    ex = explain(i, time_limit=20, workers=2)
    splits = [r for r in ex.repairs if r.kind == "split"]
    assert [r.changes for r in splits] == [(("max_months", ("Sales", 3)),)]
    assert "let Sales enroll over 3 months" in splits[0].description
    assert "fits in no month" not in ex.headline()  # said of whole groups only (Sales may split)
    fixed = apply_repair(i, splits[0])
    r = solve(fixed, OPTS)
    assert r.status == "optimal" and check_plan(r.plan) == [] and len(r.plan.parts("Sales")) == 3


# ------------------------------------------------------------------ the solve path
def test_whole_groups_is_the_v1_input():
    from optimizer.solving.parts import whole_groups
    i = inst([Group("A", 4, max_months=3), Group("B", 2)], [(100, 2, 0)] * 2, max_months=2,
             objective=("splits", "finish"))
    w = whole_groups(i)
    assert not w.may_split and w.rules.objective == ("finish",)
    assert whole_groups(inst([Group("A", 4, max_months=2)], [(100, 2, 0)] * 2,
                             objective=("splits",))).rules.objective == ("finish",)


@pytest.mark.parametrize("share", [0.0, 0.4])
def test_with_and_without_the_whole_group_start(share):
    opts = dataclasses.replace(OPTS, tuning=Tuning(whole_share=share))
    for rule in ("stage order by the pilot's last month", "splits against waiting", "ticket rounding per part"):
        for twin in TWINS[rule]:
            assert solved_key(twin, opts) == brute_key(twin)


def test_progress_announces_each_better_plan_once():
    from optimizer.solving.parts import _improving
    seen = []
    report = _improving(lambda lv, v, b, s: seen.append((lv, v)), ["finish", "waiting"])
    for lv, v in [("finish", 9), ("waiting", 100), ("finish", 9), ("waiting", 100), ("waiting", 90),
                  ("finish", 8), ("waiting", 95)]:
        report(lv, v, 0, 0)
    assert seen == [("finish", 9), ("waiting", 100), ("waiting", 90), ("finish", 8), ("waiting", 95)]


# ------------------------------------------------------------------ larger random inputs
@pytest.mark.parametrize("seed", range(12))
def test_splitting_never_plans_worse_than_whole_groups(seed):
    # The random inputs of tests/randinst.py (sizes 5-150, 2-4 months) with some groups allowed to
    # split: every plan passes the checker, and the lexicographic optimum is no worse than with
    # every group whole (a whole-group plan is a plan of parts).
    import dataclasses
    import random

    from randinst import random_instance
    base = random_instance(seed, max_groups=6, max_months=4)
    rnd = random.Random(seed)
    groups = tuple(dataclasses.replace(g, max_months=2 if i == 0 else rnd.choice((None, 2, 3)))
                   for i, g in enumerate(base.groups))
    split = Instance(groups, base.months, dataclasses.replace(base.rules, min_part_users=rnd.choice((1, 20, 50)),
                                                             objective=base.rules.objective + ("splits",)))
    whole = Instance(tuple(dataclasses.replace(g, max_months=1) for g in groups), base.months, base.rules)
    assert split.may_split and not whole.may_split
    rs, rw = solve(split, OPTS), solve(whole, OPTS)
    if rs.plan is not None:
        assert check_plan(rs.plan) == []
    if rw.status == "optimal":
        assert rs.status == "optimal"
        got = tuple(lv.value for lv in rs.levels[:-1])
        assert got <= tuple(lv.value for lv in rw.levels)
    if rs.status == "infeasible":
        assert rw.status == "infeasible"


def test_no_time_to_build_the_parts_model_answers_with_the_whole_group_plan():
    opts = dataclasses.replace(OPTS, tuning=Tuning(parts_build_seconds_per_group_month=1e6))
    i = inst([Group("A", 4, methods=ASSISTED, max_months=2), Group("B", 1, methods=SELF)], [(100, 4, 0)] * 3)
    r = solve(i, opts)
    assert r.status == "feasible" and check_plan(r.plan) == []
    assert [lv.stopped_by for lv in r.levels] == ["wall clock"] * 4 and all(lv.bound is None for lv in r.levels)
    assert r.model_stats["model"].startswith("none")


def test_short_on_time_the_model_of_parts_gets_the_time_not_the_whole_group_pass():
    # building the parts model "takes" 1.2 s per group and month (2 groups, 2 months to the
    # greedy's finish: 2 x 4.8 s with its load): 60 % of the 15 s deadline cannot hold that, so no
    # whole-group pass; the 15 s can, so the model of parts is built and searched
    opts = dataclasses.replace(OPTS, tuning=Tuning(parts_build_seconds_per_group_month=1.2))
    i = inst([Group("A", 4, methods=ASSISTED, max_months=2), Group("B", 1, methods=SELF)], [(100, 3, 0)] * 3)
    r = solve(i, opts)
    assert r.model_stats["whole_groups_share"] == 0.0 and r.status == "optimal"
    assert check_plan(r.plan) == [] and r.model_stats["model"].startswith("parts")
    assert solve(i, OPTS).model_stats["whole_groups_share"] == 0.4


def test_compare_counts_the_users_of_each_part():
    # Sales 300 assisted users over February (200) and March (100): enrolled by February 270, not 370.
    from optimizer.compare import ScenarioRun, compare
    i = inst([Group("Pilot", 30, wave="pilot", methods=SELF), Group("Sales", 300, methods=ASSISTED, max_months=2),
              Group("IT", 40, methods=SELF)], [(100, 200, 0)] * 3, min_part_users=50)
    r = solve(i, OPTS)
    assert r.plan.parts("Sales") == ((1, 200), (2, 100))
    comp = compare([ScenarioRun("a", "a", i, r), ScenarioRun("b", "b", i, r)])
    kpi = {k.key: k.values[0] for k in comp.kpis}
    assert [kpi[f"enrolled_by:2027-0{m}"] for m in (1, 2, 3)] == [30, 270, 370]
    assert kpi["waiting"] == r.plan.waiting()


def test_same_input_and_seed_give_the_same_split_plan():
    i = inst([Group("P", 4, wave="pilot", methods=ASSISTED, max_months=2), Group("A", 7, max_months=3),
              Group("B", 5, methods=("self-service", "tech-fair"), max_months=2, after=("P",))],
             [(1, 2, 3), (1, 2, 3), (2, 2, 3), (2, 4, 4)])
    a, b = solve(i, OPTS), solve(i, OPTS)
    assert a.reproducible and a.plan.assignments == b.plan.assignments


CAPACITY = "month,helpdesk,assisted,tech_fair\n2027-01,1000,500,0\n2027-02,1000,500,0\n2027-03,1000,500,0\n"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_solve_plans_split_inputs(tmp_path: Path):
    # Issue 15: the inputs the foundation refused (exit 2) are now planned, in parts where needed.
    c = _write(tmp_path / "c.csv", CAPACITY)
    g = _write(tmp_path / "g.csv", "group,size,max_months\nIT,40,\nSales,2000,2\n")
    res = _run("solve", str(g), str(c), "-q", "--time-limit", "5", "--workers", "2")
    assert res.exit_code == 0 and "Traceback" not in res.output, res.output
    r = _write(tmp_path / "r.toml", "max_months = 3\n")
    one = _write(tmp_path / "one.csv", "group,size\nIT,40\n")
    res = _run("solve", str(one), str(c), "--rules", str(r), "-q", "--time-limit", "5", "--workers", "2")
    assert res.exit_code == 0, res.output

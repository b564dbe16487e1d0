"""Finish lower bounds from the LP relaxation (optimizer.solving.lp.relaxation): sound on brute-forced
random instances, binding where the capacity rows see nothing, and used by the solver."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import optimizer.solving.lp.finish as lp_finish
import optimizer.solving.level_moves as level_moves_mod  # the window moves of a level (patched here)
import optimizer.solving.steps as steps_mod  # the solve strategy's steps (patched here)
from optimizer.checker import check_plan
from optimizer.domain import Group
from optimizer.model import RolloutModel
from optimizer.solving.lp.relaxation import finish_probe
from optimizer.solving.tuning import DEFAULT_TUNING
from optimizer.solving.solver import SolveOptions, solve

from conftest import instance, months, solved
from randinst import finish_first_instance
from test_bruteforce import brute_force


def _fairgoers(seats: int):
    """Three groups of 100 users who can only enroll at a tech fair (5 tickets each), two
    months with 100 tickets and ``seats`` tech-fair seats. The capacity rows see 800 users a
    month (200 at the fair + 600 by self-service) and 15 tickets against 100: finish >= 0."""
    groups = [Group(n, 100, methods=("tech-fair",)) for n in "ABC"]
    return instance(groups, months(100, 100, tech_fair=seats))


def test_relaxation_proves_what_the_capacity_rows_miss():
    # 200 seats a month hold two of the three groups: the relaxation at month 0 is infeasible
    # (300 fair users > 200 seats even split fractionally), so finish >= 1; 1 is the optimum.
    inst = _fairgoers(200)
    assert RolloutModel(inst).finish_floor == 0
    assert finish_probe(inst, 0).status == "infeasible"
    assert finish_probe(inst, 1).status == "feasible"
    assert solved(inst).objective["finish"] == 1


def test_relaxation_twin_with_room():
    # Twin: 300 seats hold all three in month 0; the relaxation agrees and 0 is the optimum.
    inst = _fairgoers(300)
    assert finish_probe(inst, 0).status == "feasible"
    assert solved(inst).objective["finish"] == 0


def test_half_a_seat_of_margin_keeps_proofs_exact():
    # 299 seats: one user too many for month 0. The margin of 1/2 per capacity row must not
    # hide that (a whole user over), and 300 must stay feasible.
    assert finish_probe(_fairgoers(299), 0).status == "infeasible"
    assert finish_probe(_fairgoers(300), 0).status == "feasible"


def test_probes_are_deterministic():
    inst = _fairgoers(200)
    a, b = finish_probe(inst, 0), finish_probe(inst, 0)
    assert (a.status, a.iterations, a.work) == (b.status, b.iterations, b.work)


@pytest.mark.parametrize("plan", [False, True])
@pytest.mark.parametrize("seed", range(60))
def test_relaxation_agrees_with_brute_force(seed, plan):
    # "infeasible" at month T must mean no valid plan finishes by T (never cut a plan), and
    # a month some valid plan finishes by must be "feasible" for the relaxation; with or
    # without the objective the solver's probes use (plan=True).
    inst = finish_first_instance(seed)
    best = brute_force(inst)
    for t in range(inst.horizon):
        status = finish_probe(inst, t, plan=plan).status
        if best is not None and t >= best[0]:
            assert status == "feasible", (seed, t, best)
        if status == "infeasible" and best is not None:
            assert t < best[0]


def test_solver_proves_finish_with_the_relaxation_before_searching(monkeypatch):
    # As a "large" instance (window moves, then the LP probe) the greedy plan's finish of 1
    # is proven by the relaxation before CP-SAT searches; the later levels still run.
    tuning = replace(DEFAULT_TUNING, large_groups=1)
    inst = _fairgoers(200)
    res = solve(inst, SolveOptions(tuning=tuning, time_limit=5, workers=2))
    fin = res.levels[0]
    assert (fin.name, fin.status, fin.value, fin.bound, fin.bound_by) == ("finish", "optimal", 1, 1,
                                                                         "lp relaxation")
    assert [lv.name for lv in res.levels] == ["finish", "waiting", "assisted"]
    assert check_plan(res.plan) == []
    # the waiting level still puts the most eager users first: two groups in month 0
    assert res.objective["waiting"] == 100 * 3 * 1


def test_solver_proves_finish_with_the_relaxation_after_searching():
    # CP-SAT stops at its first plan (the greedy hint, finish 1) without a proof (no presolve,
    # which would solve this tiny model outright); the relaxation then shows no plan
    # finishes in month 0.
    inst = _fairgoers(200)
    res = solve(inst, SolveOptions(time_limit=5, workers=1, extra={"stop_after_first_solution": True,
                                                                    "cp_model_presolve": False}))
    fin = res.levels[0]
    # the search ended before its deterministic budget, which the solver can only put down to
    # the wall clock; the proof does not hide that (the plan came from a cut search)
    assert (fin.status, fin.value, fin.bound, fin.stopped_by, fin.bound_by) == (
        "optimal", 1, 1, "wall clock", "lp relaxation")
    assert check_plan(res.plan) == []


def test_the_proof_is_in_the_report_and_on_the_terminal(monkeypatch):
    from rich.console import Console

    from optimizer.render.console import print_levels
    from optimizer.render.report import level_rows

    tuning = replace(DEFAULT_TUNING, large_groups=1)
    inst = _fairgoers(200)
    res = solve(inst, SolveOptions(tuning=tuning, time_limit=5, workers=2))
    assert level_rows(res)[0]["bound_by"] == "lp relaxation"
    console = Console(record=True, width=120)
    print_levels(console, inst, res)
    assert "finish: proven by the LP relaxation" in console.export_text()


def test_large_finish_search_is_skipped_when_the_probe_used_its_budget(monkeypatch):
    # A probe that answers "feasible" (no proof) and uses all the budget it is given: the
    # finish search would be cut by the wall clock while loading, so it is skipped; the plan
    # is kept with the capacity floor as its bound, and the later levels still run.
    from optimizer.solving.lp.relaxation import Probe

    tuning = replace(DEFAULT_TUNING, large_groups=1)
    monkeypatch.setattr(lp_finish, "finish_probe",
                        lambda inst, month, work, wall_limit, plan, ticket_price=1000:
                        Probe(month, "feasible", 0.0, 1, work=work))
    inst = _fairgoers(200)
    res = solve(inst, SolveOptions(tuning=tuning, time_limit=5, workers=2))
    fin = res.levels[0]
    assert (fin.status, fin.value, fin.bound, fin.bound_by, fin.stopped_by) == (
        "feasible", 1, 0, "capacity", "deterministic time")
    assert [lv.name for lv in res.levels] == ["finish", "waiting", "assisted"]
    assert check_plan(res.plan) == [] and res.plan.finish() == 1


def test_a_probe_never_charges_more_than_its_budget():
    # The iteration cap comes from the budget: a probe given almost nothing answers "unknown"
    # and is charged at most that; with enough budget the same probe answers.
    from optimizer.samples import generate

    from optimizer.solving.lp.relaxation import _lp_of

    inst = generate(200, 12, 1)
    assert finish_probe(inst, 8, work=1e-9).status == "unknown"
    columns = len(_lp_of(RolloutModel(inst, max_month=8)).variable)
    small = finish_probe(inst, 8, work=0.001)
    assert small.status == "unknown" and small.work <= 0.001
    assert 0 < small.iterations <= int(0.001 / (columns * DEFAULT_TUNING.work_per_iteration_column))
    full = finish_probe(inst, 8)
    assert full.status == "infeasible" and 0 < full.work < 1


def test_an_invalid_start_plan_is_never_proven_optimal(monkeypatch):
    # Five tech-fair-only groups of 100 users, 200 seats a month: the optimum finishes in
    # month 2. A start plan with all five in month 1 breaks the seat limit; it must not cap the
    # months, start the window moves or be "proven" by the relaxation (no plan finishes by 0).
    tuning = replace(DEFAULT_TUNING, large_groups=1)
    groups = [Group(n, 100, methods=("tech-fair",)) for n in "ABCDE"]
    inst = instance(groups, months(100, 100, 100, 100, tech_fair=200))
    bad = {i: (1, "tech-fair") for i in range(5)}
    res = solve(inst, SolveOptions(tuning=tuning, time_limit=5, workers=2), hint=bad)
    assert check_plan(res.plan) == []
    assert (res.levels[0].status, res.levels[0].value) == ("optimal", 2)


def test_probes_are_recorded_in_the_model_statistics(monkeypatch):
    tuning = replace(DEFAULT_TUNING, large_groups=1)
    res = solve(_fairgoers(200), SolveOptions(tuning=tuning, time_limit=5, workers=2))
    # the finish probe (at the finish probes' ticket price; the others are starts for waiting)
    (rec,) = [p for p in res.model_stats["lp_probes"] if p["ticket_price"] == DEFAULT_TUNING.ticket_price]
    assert (rec["month"], rec["status"]) == (0, "infeasible") and rec["iterations"] >= 0


def test_a_hint_naming_months_that_do_not_exist_is_only_a_hint():
    inst = _fairgoers(300)
    res = solve(inst, SolveOptions(time_limit=5, workers=2), hint={0: (9, "tech-fair")})
    assert res.status == "optimal" and check_plan(res.plan) == []


def test_a_probe_stopped_by_the_wall_clock_makes_the_run_not_reproducible(monkeypatch):
    # The probe's charge then depends on the machine's speed, and so do the later levels'
    # budgets: even when CP-SAT proves the level, the run must not claim to be reproducible.
    from optimizer.solving.lp.relaxation import Probe

    tuning = replace(DEFAULT_TUNING, large_groups=1)
    monkeypatch.setattr(lp_finish, "finish_probe",
                        lambda inst, month, work, wall_limit, plan, ticket_price=1000: Probe(
                            month, "unknown", 0.0, 1, work=0.01, wall_clock=True))
    res = solve(_fairgoers(200), SolveOptions(tuning=tuning, time_limit=5, workers=2))
    assert res.levels[0].stopped_by == "wall clock" and not res.reproducible


@pytest.mark.parametrize("seed", range(60))
def test_level_bound_never_passes_the_brute_force_optimum(seed):
    # The waiting level's LP bound, with the finish at its optimum, is at most the waiting
    # optimum among plans of that finish (brute force); likewise assisted with both fixed.
    from optimizer.solving.lp.relaxation import level_bound

    inst = finish_first_instance(seed)
    best = brute_force(inst)
    if best is None:
        return
    f, w, a = best
    lb = level_bound(inst, f, "waiting", {"finish": f})
    assert lb.bound is not None and lb.bound <= w, (seed, lb, best)
    # the bound recomputed from GLOP's duals agrees with its optimum (so it loses nothing)
    assert abs(lb.dual_value - lb.lp_value) <= 1e-6 * max(1.0, abs(lb.lp_value)), lb
    lb = level_bound(inst, f, "assisted", {"finish": f, "waiting": w})
    assert lb.bound is not None and lb.bound <= a, (seed, lb, best)
    assert abs(lb.dual_value - lb.lp_value) <= 1e-6 * max(1.0, abs(lb.lp_value)), lb


def test_dual_bound_is_valid_for_any_multipliers():
    # min x + y with x + y >= 1, 0 <= x, y <= 1: the optimum is 1. The optimal multiplier (1)
    # gives 1; half of it gives a weaker but valid 0.5; a wrong-signed one (its row side is
    # infinite) counts as 0 and gives 0; one that is too large (3) gives 3 - 2 x 2 = -1.
    from ortools.linear_solver import linear_solver_pb2

    from optimizer.solving.lp.relaxation import dual_bound

    lp = linear_solver_pb2.MPModelProto()
    for _ in range(2):
        lp.variable.add(lower_bound=0, upper_bound=1, objective_coefficient=1)
    lp.constraint.add(lower_bound=1, upper_bound=float("inf"), var_index=[0, 1], coefficient=[1, 1])
    assert [dual_bound(lp, np.array([y])) for y in (1.0, 0.5, -1.0, 3.0)] == [1.0, 0.5, 0.0, -1.0]


def test_level_bound_binds_and_proves_the_waiting_level(monkeypatch):
    # Three tech-fair-only groups of 100 users (readiness 3), 200 seats a month: two go in
    # month 0, one in month 1, waiting 100 x 3 x 1 = 300, and the relaxation cannot do better
    # (the seats hold 200 users in month 0 even split fractionally). As a large instance the
    # waiting level takes that bound instead of a CP-SAT search: proven optimal.
    from optimizer.solving.lp.relaxation import level_bound

    inst = _fairgoers(200)
    assert level_bound(inst, 1, "waiting", {"finish": 1}).bound == 300
    tuning = replace(DEFAULT_TUNING, large_groups=1, lp_only_groups=1)
    # window moves that ran and found nothing better (three groups are one window: they would
    # leave everything to CP-SAT)
    monkeypatch.setattr(level_moves_mod, "level_moves", lambda *a, **k: (None, 0.1, False, False))
    res = solve(inst, SolveOptions(tuning=tuning, time_limit=5, workers=2))
    wait = res.levels[1]
    assert (wait.status, wait.value, wait.bound, wait.bound_by) == ("optimal", 300, 300, "lp relaxation")
    (rec,) = res.model_stats["lp_bounds"]
    assert (rec["level"], rec["bound"]) == ("waiting", 300)
    assert check_plan(res.plan) == []
    from rich.console import Console

    from optimizer.render.console import print_levels
    console = Console(record=True, width=200)
    print_levels(console, inst, res)
    assert "waiting: proven optimal by the LP relaxation" in console.export_text()


def test_level_bound_twin_with_room():
    # Twin: 300 seats hold all three in month 0: waiting 0, and the bound says 0.
    from optimizer.solving.lp.relaxation import level_bound

    assert level_bound(_fairgoers(300), 1, "waiting", {"finish": 1}).bound == 0


def test_level_bound_charges_at_most_its_work():
    from optimizer.solving.lp.relaxation import level_bound

    lb = level_bound(_fairgoers(200), 1, "waiting", {"finish": 1}, work=1e-12)
    assert lb.bound is None and lb.work <= 1e-12


def test_without_window_moves_the_level_after_the_finish_is_still_searched(monkeypatch):
    # Review finding: with the LP bound in hand the level kept the finish level's plan when no
    # window move ran (--no-window-moves), unoptimised. CP-SAT searches then; the LP bound
    # still counts where it is the stronger one, and the plan is at least as good.
    from optimizer.samples import generate

    tuning = replace(DEFAULT_TUNING, large_groups=50)
    inst = generate(60, 8, 0)
    with_lp = solve(inst, SolveOptions(tuning=tuning, time_limit=6, workers=2, lns=False))
    tuning = replace(tuning, lp_level_bound=False)
    without = solve(inst, SolveOptions(tuning=tuning, time_limit=6, workers=2, lns=False))
    assert check_plan(with_lp.plan) == []
    assert with_lp.levels[1].value <= without.levels[1].value
    assert with_lp.levels[1].bound >= without.levels[1].bound


def test_a_level_bound_or_moves_cut_by_the_wall_clock_make_the_run_not_reproducible(monkeypatch):
    # Review finding: (a) an LP bound stopped by its wall-clock backstop, then CP-SAT proves the
    # level; (b) window moves cut by the wall clock whose plan meets the LP bound. Both used to
    # say "proof" and a reproducible run, though the charge or the plan depended on speed.
    from optimizer.solving.lp.relaxation import LevelBound

    tuning = replace(DEFAULT_TUNING, large_groups=1, lp_only_groups=1)
    inst = _fairgoers(200)
    with monkeypatch.context() as m:
        m.setattr(steps_mod, "level_bound", lambda inst, mm, name, fixed, work, wall_limit: LevelBound(
            name, None, 0.0, 7, work=0.01, wall_clock=True))
        res = solve(inst, SolveOptions(tuning=tuning, time_limit=5, workers=2))
        assert res.levels[1].stopped_by == "wall clock" and not res.reproducible
    moves = level_moves_mod.level_moves

    def cut(*a, **k):
        plan, work, stopped, wall = moves(*a, **k)
        return plan, 0.3, stopped, True  # as if the wall-clock backstop ended the moves

    monkeypatch.setattr(level_moves_mod, "level_moves", cut)
    res = solve(inst, SolveOptions(tuning=tuning, time_limit=5, workers=2))
    assert res.levels[1].stopped_by == "wall clock" and not res.reproducible


def test_the_lower_of_glop_and_its_dual_check_is_the_bound(monkeypatch):
    # The dual check counts: were it 5 below GLOP's optimum (duals GLOP got wrong), the bound
    # drops by 5 (the _fairgoers(200) bound is 300).
    import optimizer.solving.lp.relaxation as relaxation

    real = relaxation.dual_bound
    monkeypatch.setattr(relaxation, "dual_bound", lambda lp, y: real(lp, y) - 5)
    lb = relaxation.level_bound(_fairgoers(200), 1, "waiting", {"finish": 1})
    assert lb.bound == 295 and lb.lp_value == pytest.approx(300) and lb.dual_value == pytest.approx(295)

"""Window moves on the model of parts (optimizer/solving/parts_moves.py): a window's re-solve is the
brute-force optimum of its neighbourhood (the other groups held, the window's groups inside its
months, the earlier level kept), a move never worsens the plan, every plan passes the checker, and
the split path with the moves still finds the brute-force optimum."""

from __future__ import annotations

import dataclasses

import pytest
from bruteforce_split import split_optimum, valid_plans
from test_split_properties import tiny

from optimizer.checker import check_plan
from optimizer.domain import Group, Instance, Month, Rules
from optimizer.model import UNBOUNDED
from optimizer.model_parts import PartsModel
from optimizer.plan import Plan
from optimizer.solving.parts_moves import improve_parts, solve_window, window_groups
from optimizer.solving.parts_steps import parts_steps
from optimizer.solving.solver import SolveOptions, solve
from optimizer.solving.tuning import Tuning

SEEDS = [s for s in range(40) if split_optimum(tiny(s)) is not None][:14]


def _setup(inst: Instance):
    """The finish fixed at its optimum: (model of parts with it fixed, every valid plan keeping it,
    the worst of them on waiting as the start)."""
    (fin, *_), _ = split_optimum(inst)
    plans = [p for p in valid_plans(inst) if p.finish() <= fin]
    pm = PartsModel(inst, max_month=fin)
    pm.fix_level("finish", -UNBOUNDED, fin)
    start = max(plans, key=lambda p: (p.waiting(), p.splits()))
    pm.set_objective("waiting")
    pm.hint(start)
    return pm, plans, start


def _neighbours(pm: PartsModel, plans: list[Plan], start: Plan, months: set[int]) -> list[Plan]:
    """The plans a window of ``months`` may reach from ``start`` (by brute force)."""
    free = {pm.gs[i].g.name for i in window_groups(pm, start, months)}
    out = []
    for p in plans:
        held = all(p.assignments[n] == start.assignments[n] or n in free for n in p.assignments)
        inside = all(t in months for n in free for t, _u in p.parts(n))
        if held and inside:
            out.append(p)
    return out


@pytest.mark.parametrize("seed", SEEDS)
def test_a_window_is_the_optimum_of_its_neighbourhood(seed):
    inst = tiny(seed)
    pm, plans, start = _setup(inst)
    months = list(range(pm.max_month + 1))
    windows = [months] + [months[a:a + 2] for a in range(len(months) - 1)]
    for w in windows:
        best = min(p.waiting() for p in _neighbours(pm, plans, start, set(w)))
        new, work, cut = solve_window(pm, start, w, "waiting", 10.0, 0, 30.0)
        assert not cut
        if best < start.waiting():
            assert new is not None and new.waiting() == best and check_plan(new) == []
            assert new.finish() <= start.finish()
        else:
            assert new is None


@pytest.mark.parametrize("seed", SEEDS)
def test_moves_never_worsen_and_keep_every_rule(seed):
    inst = tiny(seed)
    pm, plans, start = _setup(inst)
    reported = []
    plan, used = improve_parts(pm, start, "waiting", budget=20.0, window_months=2, window_work=2.0,
                               report=reported.append)
    assert check_plan(plan) == [] and plan.waiting() <= start.waiting() and plan.finish() <= start.finish()
    values = [start.waiting()] + [p.waiting() for p in reported]
    assert values == sorted(values, reverse=True) and len(set(values)) == len(values)  # strictly better
    assert all(check_plan(p) == [] for p in reported)
    if reported:
        assert reported[-1] is plan


def test_a_move_splits_a_group_to_fill_a_month():
    """January has 3 assisted seats, February 6: whole, eager B (readiness 5, 4 users) waits for
    February; the window splits it, 3 users in January and 1 with A in February (waiting 7)."""
    ms = (Month("2027-01", helpdesk=10, assisted=3, tech_fair=0), Month("2027-02", helpdesk=10, assisted=6, tech_fair=0),
          Month("2027-03", helpdesk=10, assisted=6, tech_fair=0))
    inst = Instance((Group("A", 2, methods=("assisted",), readiness=1),
                     Group("B", 4, methods=("assisted",), readiness=5, max_months=2)), ms,
                    Rules(min_part_users=1), name="fill")
    pm, plans, start = _setup(inst)
    new, _work, _cut = solve_window(pm, start, [0, 1], "waiting", 10.0, 0, 30.0)
    assert min(p.waiting() for p in plans) == 7
    assert new.waiting() == 7 and new.parts("B") == ((0, 3), (1, 1)) and check_plan(new) == []


@pytest.mark.parametrize("seed", SEEDS[:8])
def test_split_path_with_moves_is_the_brute_force_optimum(seed):
    inst = tiny(seed)
    opts = SolveOptions(time_limit=10, workers=2, tuning=Tuning(parts_moves_share=0.9, whole_share=0.2))
    res = solve(inst, opts)
    assert res.status == "optimal" and check_plan(res.plan) == []
    assert tuple(lv.value for lv in res.levels) == split_optimum(inst)[0]


def test_the_moves_are_a_step_of_the_split_path():
    assert parts_steps(Tuning())["window moves on the model of parts (later levels, before the search)"]
    assert not parts_steps(Tuning(parts_moves_share=0.0))[
        "window moves on the model of parts (later levels, before the search)"]


def test_no_window_when_the_plan_spans_too_few_months():
    inst = dataclasses.replace(tiny(SEEDS[0]))
    pm, _plans, start = _setup(inst)
    stats: dict = {}
    plan, used = improve_parts(pm, start, "waiting", budget=5.0, window_months=50, window_work=1.0, stats=stats)
    assert plan is start and used == 0.0 and stats["windows"] == 0


def test_no_moves_above_the_size_limit():
    from optimizer.solving.budget import Budget
    from optimizer.solving.parts_steps import parts_moves
    pm, _plans, start = _setup(tiny(12))  # 3 months: windows of 2 improve its worst plan, 74 -> 66

    def step(**tuning):
        opts = SolveOptions(time_limit=5, tuning=Tuning(parts_window_months=2, **tuning))
        return parts_moves(pm, "waiting", start, 5.0, opts, Budget.for_step(5.0, 30.0), None)

    better, _cost, stopped, wall_cut = step()
    assert better is not None and better.waiting() < start.waiting() and not stopped and not wall_cut
    assert step(parts_moves_max_group_months=1) == (None, 0.0, False, False)


def test_moves_the_wall_clock_ended_say_so():
    from optimizer.solving.budget import Budget
    from optimizer.solving.parts_steps import parts_moves
    pm, _plans, start = _setup(tiny(12))
    opts = SolveOptions(time_limit=5, tuning=Tuning(parts_window_months=2))
    better, _cost, stopped, wall_cut = parts_moves(pm, "waiting", start, 5.0, opts, Budget.for_step(5.0, 0.0), None)
    assert better is None and not stopped and wall_cut


@pytest.mark.parametrize("seed", SEEDS)
def test_two_windows_at_a_time_merge_only_what_keeps_every_rule_and_level(seed):
    from optimizer.solving.parts_moves import _merged
    pm, plans, start = _setup(tiny(seed))
    split_at = max(1, pm.max_month)
    wa, wb = set(range(split_at)), set(range(split_at, pm.max_month + 1))
    for level, limits in (("waiting", {"finish": start.finish()}),
                          ("assisted", {"finish": start.finish(), "waiting": start.waiting()})):
        def best(months):
            ok = [p for p in _neighbours(pm, plans, start, months)
                  if all(p.objective_values()[lv] <= v for lv, v in limits.items())]
            p = min(ok, key=lambda p: p.objective_values()[level])
            return p if p.objective_values()[level] < start.objective_values()[level] else None
        na, nb = best(wa), best(wb)
        got = _merged(pm, start, [(na, window_groups(pm, start, wa)), (nb, window_groups(pm, start, wb))],
                      level, limits)
        singles = [p.objective_values()[level] for p in (na, nb) if p is not None]
        if not singles:
            assert got is None
            continue
        vals = got.objective_values()
        assert check_plan(got) == [] and vals[level] <= min(singles)
        assert all(vals[lv] <= v for lv, v in limits.items())


def test_ctrl_c_during_the_moves_keeps_the_best_plan_they_reported():
    from optimizer.solving.budget import Budget
    from optimizer.solving.parts_steps import parts_moves
    pm, _plans, start = _setup(tiny(12))
    seen = []

    def progress(level, value, bound, seconds):
        seen.append(value)
        raise KeyboardInterrupt

    opts = SolveOptions(time_limit=5, tuning=Tuning(parts_window_months=2))
    plan, _cost, stopped, _wall = parts_moves(pm, "waiting", start, 5.0, opts, Budget.for_step(5.0, 30.0), progress)
    assert stopped and plan is not None and check_plan(plan) == [] and plan.waiting() == seen[0] < start.waiting()

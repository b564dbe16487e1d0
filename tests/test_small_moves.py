"""Window moves after a later level's CP-SAT search below 500 groups (solver.SMALL_MOVES_*):
they improve the search's plan, a second search gives back proofs the shorter first search
missed, the budget is shared out exactly, wall-clock flags survive, and nothing changes below
SMALL_MOVES_FROM groups."""

from __future__ import annotations

from dataclasses import replace

import pytest

import optimizer.solving.level_moves as level_moves_mod  # the window moves of a level (patched here)
import optimizer.solving.search_steps as search_steps_mod  # the search steps (patched here)
from optimizer.checker import check_plan
from optimizer.plan import Plan
from optimizer.samples import generate
from optimizer.solving.tuning import DEFAULT_TUNING
from optimizer.solving.solver import SolveOptions, solve



def _no_moves(*a, **k):
    return None, 0.0, False, False


def test_second_search_keeps_the_proof(monkeypatch):
    # 40 x 8 seed 1 (6 s): one search proves waiting 10,528. Here the first search gets only 5 %
    # of the level's budget and the moves find nothing: the second search, with what is left,
    # still proves it.
    # (a wall-clock cap of 10x the limit, not 1.5x: the work is fixed, so a busy machine (load 5-8
    # on 2 cores) takes longer for the same result instead of cutting the level before its proof)
    tuning = replace(DEFAULT_TUNING, small_moves_from=1, small_moves_share=0.95, wall_factor=10.0)
    monkeypatch.setattr(level_moves_mod, "level_moves", _no_moves)
    res = solve(generate(40, 8, 1), SolveOptions(tuning=tuning, time_limit=6, workers=2))
    wait = res.levels[1]
    # Proven: optimal with value = bound. On a busy machine the 1.5x wall-clock cap may end the
    # level right after its proof, and it is then labelled by the clock; the proof is what counts.
    assert (wait.status, wait.value, wait.bound) == ("optimal", 10528, 10528)
    assert wait.stopped_by in ("proof", "wall clock")
    assert check_plan(res.plan) == []


def test_without_the_second_search_the_proof_is_lost(monkeypatch):
    # The twin: no second search (it needs at least MIN_SEARCH_SHARE of the budget left), and the
    # 5 % search alone leaves a gap.
    tuning = replace(DEFAULT_TUNING, small_moves_from=1, small_moves_share=0.95, min_search_share=2.0,
                     wall_factor=10.0)
    monkeypatch.setattr(level_moves_mod, "level_moves", _no_moves)
    wait = solve(generate(40, 8, 1), SolveOptions(tuning=tuning, time_limit=6, workers=2)).levels[1]
    assert wait.status == "feasible" and wait.bound < wait.value


def test_moves_improve_the_search_plan(monkeypatch):
    # 150 x 8 seed 1 (4 s): the moves start from the search's plan and improve its waiting; the
    # level ends at or below what they reached, the plan passes the checker, and the JSON says
    # how much work they did.
    seen = []
    real = level_moves_mod.level_moves

    def moves(inst, start, name, *a, **k):
        out = real(inst, start, name, *a, **k)
        after = Plan.from_indices(inst, out[0]).objective_values()[name] if out[0] else None
        seen.append((name, Plan.from_indices(inst, start).objective_values()[name], after))
        return out

    monkeypatch.setattr(level_moves_mod, "level_moves", moves)
    res = solve(generate(150, 8, 1), SolveOptions(time_limit=4, workers=2))
    (wait_moves,) = [s for s in seen if s[0] == "waiting"]
    assert wait_moves[2] is not None and wait_moves[2] < wait_moves[1]
    assert res.levels[1].value <= wait_moves[2]
    assert check_plan(res.plan) == []
    assert res.model_stats["window_moves"]["deterministic_seconds"]["waiting"] > 0
    # the windows' width in months is on record (at most 4 below 300 groups)
    assert 2 <= res.model_stats["window_moves"]["windows_used"]["waiting"]["months"] <= 4


def test_window_width_by_size():
    # Below small_window_months_below groups the windows start sized by groups and widen to 4
    # months; from there on, or when off, they never widen. A fixed width, when set, applies
    # below the same size.
    t = DEFAULT_TUNING
    assert t.small_window_months_for(150) is None
    assert t.small_widen_months_for(150) == 4 and t.small_widen_months_for(299) == 4
    assert t.small_widen_months_for(300) is None
    t = replace(t, small_widen_months=0)
    assert t.small_widen_months_for(150) is None
    t = replace(t, small_window_months=4)
    assert t.small_window_months_for(299) == 4 and t.small_window_months_for(300) is None


def test_a_fixed_window_width_reaches_the_moves(monkeypatch):
    # small_window_months set: the moves after the search get windows that many months wide
    # (and no widening once it is off); unset, they are sized by groups.
    seen = []

    def moves(*a, **k):
        seen.append((k.get("window_months"), k.get("widen_months")))
        return _no_moves()

    monkeypatch.setattr(level_moves_mod, "level_moves", moves)
    tuning = replace(DEFAULT_TUNING, small_moves_from=1, small_moves_share=0.95, small_window_months=3,
                     small_widen_months=0)
    solve(generate(40, 8, 1), SolveOptions(tuning=tuning, time_limit=4, workers=2))
    assert seen and all(s == (3, None) for s in seen)
    seen.clear()
    solve(generate(40, 8, 1), SolveOptions(tuning=replace(tuning, small_window_months=0), time_limit=4, workers=2))
    assert seen and all(s == (None, None) for s in seen)


def test_no_moves_below_the_threshold(monkeypatch):
    called = []
    monkeypatch.setattr(level_moves_mod, "level_moves", lambda *a, **k: called.append(1) or _no_moves())
    res = solve(generate(40, 8, 1), SolveOptions(time_limit=6, workers=2))
    assert not called and "window_moves" not in res.model_stats
    assert res.levels[1].status == "optimal"


def test_ctrl_c_in_the_moves_keeps_a_valid_plan(monkeypatch):
    # The moves report an interruption (no plan of their own): the search's plan stands, the run
    # is marked interrupted, no second search runs.
    tuning = replace(DEFAULT_TUNING, small_moves_from=1, small_moves_share=0.95)
    monkeypatch.setattr(level_moves_mod, "level_moves", lambda *a, **k: (None, 0.0, True, False))
    res = solve(generate(50, 8, 1), SolveOptions(tuning=tuning, time_limit=6, workers=2))
    assert res.interrupted and res.levels[1].stopped_by == "interrupted"
    assert check_plan(res.plan) == []


def test_moves_cut_by_the_wall_clock_keep_the_level_marked(monkeypatch):
    # Review finding: the second search's own ending ("proof") replaced the moves' wall-clock
    # flag, so a run whose budgets depended on the machine's speed claimed to be reproducible.
    tuning = replace(DEFAULT_TUNING, small_moves_from=1, small_moves_share=0.95)
    monkeypatch.setattr(level_moves_mod, "level_moves", lambda *a, **k: (None, 0.0, False, True))
    res = solve(generate(40, 8, 1), SolveOptions(tuning=tuning, time_limit=6, workers=2))
    wait = res.levels[1]
    assert wait.status == "optimal" and wait.stopped_by == "wall clock" and not res.reproducible


def test_the_level_budget_is_shared_out_exactly(monkeypatch):
    # First search (1 - SMALL_MOVES_SHARE) of the level's budget, the moves what it left, the
    # second search what the moves left: no deterministic second counted twice or lost.
    tuning = replace(DEFAULT_TUNING, small_moves_from=1, small_moves_share=0.95)
    searches, moves = [], []
    real = search_steps_mod._search

    def search(rm, name, budget, *a):
        out = real(rm, name, budget, *a)
        searches.append((name, budget, min(out[0].deterministic_time, budget)))
        return out

    def fake_moves(inst, start, name, fixed, budget, *a, **k):
        moves.append((name, budget))
        return None, 1.0, False, False

    monkeypatch.setattr(search_steps_mod, "_search", search)
    monkeypatch.setattr(level_moves_mod, "level_moves", fake_moves)
    solve(generate(40, 8, 1), SolveOptions(tuning=tuning, time_limit=6, workers=2))
    (first, second) = [s for s in searches if s[0] == "waiting"]
    ((_, moves_budget),) = [m for m in moves if m[0] == "waiting"]
    level = first[1] / (1 - 0.95)
    assert moves_budget == pytest.approx(level - first[2])
    assert second[1] == pytest.approx(level - first[2] - 1.0)

"""Window moves after a later level's CP-SAT search below 500 groups (solver.SMALL_MOVES_*):
they improve the search's plan, a second search keeps the proofs a single search finds, and
nothing changes below SMALL_MOVES_FROM groups."""

from __future__ import annotations

import sys
from pathlib import Path

import optimizer.solver as solver_mod
from optimizer.checker import check_plan
from optimizer.plan import Plan
from optimizer.solver import SolveOptions, solve

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from generate import generate  # noqa: E402


def _no_moves(*a, **k):
    return None, 0.0, False, False


def test_second_search_keeps_the_proof(monkeypatch):
    # 40 x 8 seed 1 (6 s): one search proves waiting 10,528. Here the first search gets only 5 %
    # of the level's budget and the moves find nothing: the second search, with what is left,
    # still proves it.
    monkeypatch.setattr(solver_mod, "SMALL_MOVES_FROM", 1)
    monkeypatch.setattr(solver_mod, "SMALL_MOVES_SHARE", 0.95)
    monkeypatch.setattr(solver_mod, "_window_moves", _no_moves)
    res = solve(generate(40, 8, 1), SolveOptions(time_limit=6, workers=2))
    wait = res.levels[1]
    assert (wait.status, wait.value, wait.bound, wait.stopped_by) == ("optimal", 10528, 10528, "proof")
    assert check_plan(res.plan) == []


def test_without_the_second_search_the_proof_is_lost(monkeypatch):
    # The twin: no second search (it needs at least MIN_SEARCH_SHARE of the budget left), and the
    # 5 % search alone leaves a gap.
    monkeypatch.setattr(solver_mod, "SMALL_MOVES_FROM", 1)
    monkeypatch.setattr(solver_mod, "SMALL_MOVES_SHARE", 0.95)
    monkeypatch.setattr(solver_mod, "MIN_SEARCH_SHARE", 2.0)
    monkeypatch.setattr(solver_mod, "_window_moves", _no_moves)
    wait = solve(generate(40, 8, 1), SolveOptions(time_limit=6, workers=2)).levels[1]
    assert wait.status == "feasible" and wait.bound < wait.value


def test_moves_improve_the_search_plan(monkeypatch):
    # 150 x 8 seed 1 (4 s): the moves start from the search's plan and improve its waiting; the
    # level ends at or below what they reached, the plan passes the checker, and the JSON says
    # how much work they did.
    seen = []
    real = solver_mod._window_moves

    def moves(inst, start, name, *a, **k):
        out = real(inst, start, name, *a, **k)
        after = Plan.from_indices(inst, out[0]).objective_values()[name] if out[0] else None
        seen.append((name, Plan.from_indices(inst, start).objective_values()[name], after))
        return out

    monkeypatch.setattr(solver_mod, "_window_moves", moves)
    res = solve(generate(150, 8, 1), SolveOptions(time_limit=4, workers=2))
    (wait_moves,) = [s for s in seen if s[0] == "waiting"]
    assert wait_moves[2] is not None and wait_moves[2] < wait_moves[1]
    assert res.levels[1].value <= wait_moves[2]
    assert check_plan(res.plan) == []
    assert res.model_stats["window_moves"]["deterministic_seconds"]["waiting"] > 0


def test_no_moves_below_the_threshold(monkeypatch):
    called = []
    monkeypatch.setattr(solver_mod, "_window_moves", lambda *a, **k: called.append(1) or _no_moves())
    res = solve(generate(40, 8, 1), SolveOptions(time_limit=6, workers=2))
    assert not called and "window_moves" not in res.model_stats
    assert res.levels[1].status == "optimal"


def test_ctrl_c_in_the_moves_keeps_a_valid_plan(monkeypatch):
    # The moves report an interruption (no plan of their own): the search's plan stands, the run
    # is marked interrupted, no second search runs.
    monkeypatch.setattr(solver_mod, "SMALL_MOVES_FROM", 1)
    monkeypatch.setattr(solver_mod, "SMALL_MOVES_SHARE", 0.95)
    monkeypatch.setattr(solver_mod, "_window_moves", lambda *a, **k: (None, 0.0, True, False))
    res = solve(generate(50, 8, 1), SolveOptions(time_limit=6, workers=2))
    assert res.interrupted and res.levels[1].stopped_by == "interrupted"
    assert check_plan(res.plan) == []

""""reproducible: true" holds (issue 23.2): whatever the wall clock does to the window moves,
the run either gives the plan it gives on a quiet machine or says it is not reproducible."""

from __future__ import annotations


import optimizer.solving.window_moves as lns
from optimizer.checker import check_plan
from optimizer.samples import generate
from optimizer.solving.solver import SolveOptions, solve



def test_window_cut_by_the_wall_clock_marks_the_run(monkeypatch):
    # 150 x 8 seed 1, 4 s: the window moves after the waiting search improve its plan. On a
    # machine so loaded that every window solve hits its wall-clock backstop (simulated: a
    # backstop of a millisecond), the windows find nothing, and the plan differs from the quiet
    # machine's; before, such a window just counted as "no move" and the run still said
    # reproducible.
    inst = generate(150, 8, 1)
    opts = SolveOptions(time_limit=4, workers=2, seed=3)
    quiet = solve(inst, opts)
    monkeypatch.setattr(lns, "window_wall", lambda work: 1e-3)
    slow = solve(inst, opts)
    assert check_plan(slow.plan) == []
    assert slow.model_stats["window_moves"]["deterministic_seconds"]["waiting"] >= 0
    same = slow.plan.to_indices() == quiet.plan.to_indices()
    assert same or not slow.reproducible, (quiet.objective, slow.objective,
                                           [lv.stopped_by for lv in slow.levels])
    assert slow.levels[1].stopped_by in ("wall clock", "interrupted")


def test_window_solve_reports_its_cut():
    # One window solve with a wall-clock backstop of zero seconds: not proven, stopped before its
    # work limit, and says so; with its full backstop the same window is not cut.
    inst = generate(150, 8, 1)
    from optimizer.solving.greedy import best_greedy

    plan = best_greedy(inst)
    opens = lns.production_start(inst, plan)
    months = list(range(opens, opens + 3))
    cut = lns._solve_window(inst, plan, months, "waiting", ("finish",), 1.0, 0, wall_left=0.0)
    assert cut is not None and cut[2] is True and cut[0] == {}
    full = lns._solve_window(inst, plan, months, "waiting", ("finish",), 0.05, 0)
    assert full is not None and full[2] is False

"""What ended a level's CP-SAT search (optimizer.solving.cpsat._stopped_by): a level is marked
"deterministic time" (reproducible) only when its work limit, and not the wall clock, stopped it."""

from types import SimpleNamespace

from ortools.sat.python import cp_model

from optimizer.solving.cpsat import _stopped_by
from optimizer.solving.status import StoppedBy


def _solver(det: float, det_limit: float, wall: float, wall_limit: float):
    return SimpleNamespace(deterministic_time=det, wall_time=wall,
                           parameters=SimpleNamespace(max_deterministic_time=det_limit, max_time_in_seconds=wall_limit))


def test_work_limit_overshot_while_the_wall_clock_ran_out_is_the_wall_clock():
    # CP-SAT went past its work limit (it overshoots in big units) and its wall-clock backstop
    # ran out too: the wall clock may have stopped it, so the result depends on speed.
    solver = _solver(det=5.3, det_limit=5.0, wall=7.5, wall_limit=7.5)
    assert _stopped_by(solver, cp_model.FEASIBLE, False, True) == StoppedBy.WALL_CLOCK


def test_work_limit_reached_with_wall_time_to_spare_is_the_work_limit():
    solver = _solver(det=5.3, det_limit=5.0, wall=3.0, wall_limit=7.5)
    assert _stopped_by(solver, cp_model.FEASIBLE, False, True) == StoppedBy.WORK


def test_other_endings_are_unchanged():
    short = _solver(det=2.0, det_limit=5.0, wall=7.5, wall_limit=7.5)
    assert _stopped_by(short, cp_model.FEASIBLE, False, True) == StoppedBy.WALL_CLOCK
    assert _stopped_by(short, cp_model.FEASIBLE, False, False) == StoppedBy.WALL_CLOCK
    assert _stopped_by(short, cp_model.OPTIMAL, False, True) == StoppedBy.PROOF
    assert _stopped_by(short, cp_model.FEASIBLE, True, True) == StoppedBy.INTERRUPTED


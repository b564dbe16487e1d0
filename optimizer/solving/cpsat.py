"""One CP-SAT search of a level: parameters, limits, a stop that never aborts, what ended it."""

from __future__ import annotations

import ctypes
import gc
import logging
import sys
import threading
import time
from typing import Callable

from ortools.sat.python import cp_model

from optimizer import interruptible
from optimizer.model import RolloutModel
from optimizer.solving.budget import Budget
from optimizer.solving.result import SolveOptions
from optimizer.solving.status import StoppedBy

log = logging.getLogger("optimizer.solving.solver")


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(self, level: str, report: Callable[[str, float, float, float], None] | None) -> None:
        super().__init__()
        self.level, self.report, self.t0 = level, report, time.perf_counter()

    def on_solution_callback(self) -> None:
        if self.report:
            self.report(self.level, self.ObjectiveValue(), self.BestObjectiveBound(),
                        time.perf_counter() - self.t0)


class _SafeStop:
    """Stops a running CP-SAT search without hitting an OR-Tools 9.15 abort.

    With ``interleave_search`` and a complete hint, a stop request that lands
    between CP-SAT accepting the hint as its first solution ("complete_hint" in
    the log) and the start of the search ("#Model") aborts the whole process
    (``Check failed: solution->size() == postsolve_mapping.size()``). We follow
    the solver's log and defer a stop requested inside that window until the
    search has started; everywhere else the stop is immediate.
    """

    def __init__(self, solver: cp_model.CpSolver, forward: Callable[[str], None] | None) -> None:
        self.solver, self.forward = solver, forward
        self.lock = threading.Lock()
        self.unsafe = False
        self.pending = False
        solver.parameters.log_search_progress = True
        solver.parameters.log_to_stdout = False
        solver.log_callback = self.on_log

    def on_log(self, line: str) -> None:
        if self.forward:
            self.forward(line)
        stop = False
        with self.lock:
            if "complete_hint" in line:
                self.unsafe = True
            elif self.unsafe and (line.startswith("#Model") or line.startswith("Starting")):
                self.unsafe = False
                stop, self.pending = self.pending, False
        if stop:
            self.solver.stop_search()

    def request(self) -> None:
        with self.lock:
            if self.unsafe:
                self.pending = True
                return
        self.solver.stop_search()


def _run(
    solver: cp_model.CpSolver, model: cp_model.CpModel, cb, forward_log: Callable[[str], None] | None = None
) -> tuple[int, bool]:
    """Solve in a thread; Ctrl-C stops the search and marks the run interrupted."""
    stopper = _SafeStop(solver, forward_log)
    return interruptible.run(lambda: solver.solve(model, cb), stopper.request, "cp-sat")


def _search(rm: RolloutModel, name: str, budget: float, opts: SolveOptions, bud: Budget,
            progress: Callable[[str, float, float, float], None] | None) -> tuple[cp_model.CpSolver, int, bool]:
    """CP-SAT on ``rm`` minimising level ``name`` within ``budget``: (solver, status, interrupted)."""
    rm.set_objective(name)
    solver = cp_model.CpSolver()
    for k, v in opts.parameters().items():
        if isinstance(v, (list, tuple)):  # repeated field ([] = CP-SAT's default)
            getattr(solver.parameters, k).extend(v)
        else:
            setattr(solver.parameters, k, v)
    if opts.deterministic:
        # The budget counts CP-SAT's deterministic time (work, the same on every
        # run), so a level cut by it gives the same plan on every run. Deterministic
        # seconds run slower than wall seconds on large models (about 1.4x at 200
        # groups, more at thousands; docs/benchmarks.md), so the wall clock is
        # capped at Tuning.wall_factor x the budget; a level that hits that cap is marked
        # (stopped_by "wall clock") and the result is then not reproducible.
        solver.parameters.max_deterministic_time = budget
    solver.parameters.max_time_in_seconds = max(bud.backstop(budget), 0.01)
    status, stopped = _run(solver, rm.model, _Progress(name, progress), log.info if opts.log_search else None)
    return solver, status, stopped



def _stopped_by(solver: cp_model.CpSolver, status: int, interrupted: bool, deterministic: bool) -> str:
    """Which limit ended a level (see LevelResult.stopped_by)."""
    if status in (cp_model.OPTIMAL, cp_model.INFEASIBLE):
        return StoppedBy.PROOF
    if interrupted:
        return StoppedBy.INTERRUPTED
    if not deterministic:
        return StoppedBy.WALL_CLOCK
    if solver.deterministic_time < 0.99 * solver.parameters.max_deterministic_time:
        return StoppedBy.WALL_CLOCK  # the work limit was not reached: the wall clock stopped it
    if solver.wall_time >= 0.99 * solver.parameters.max_time_in_seconds:
        # The work limit was reached (CP-SAT overshoots it in big units on large models), but so
        # was the wall-clock backstop: either may have stopped the search, so the result may
        # depend on the machine's speed and is not marked reproducible.
        return StoppedBy.WALL_CLOCK
    return StoppedBy.WORK


def _release_memory() -> None:
    """Hand memory freed by the previous level back to the operating system. glibc keeps
    what CP-SAT's worker threads freed in per-thread arenas: at 5,000 groups that was about
    1 GB held through the next level, on top of which that level's search peaked above
    4 GiB (docs/benchmarks.md). A no-op where ``malloc_trim`` does not exist."""
    gc.collect()
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError, TypeError):
        pass

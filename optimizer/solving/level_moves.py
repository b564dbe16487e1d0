"""The window moves (window_moves.improve) as one step of a level: a share of its budget, the
run's wall-clock backstop, progress reports, Ctrl-C, and the checker's last word on the plan."""

from __future__ import annotations

import logging
import time
from typing import Callable

from optimizer.checker import check_plan
from optimizer.domain import Instance
from optimizer.plan import Plan
from optimizer.solving.budget import Budget
from optimizer.solving.result import SolveOptions
from optimizer.solving.window_moves import improve

log = logging.getLogger("optimizer.solving.solver")

Assignment = dict[int, tuple[int, str]]


def level_moves(inst: Instance, start: Assignment, name: str, fixed: tuple[str, ...],
                  budget: float, opts: SolveOptions,
                  progress: Callable[[str, float, float, float], None] | None, stats: dict,
                  window: tuple[int, float] | None = None, window_months: int | None = None,
                  widen_months: int | None = None, *, bud: Budget):
    """window_moves.improve for one level: (better plan or None, work used, interrupted, ended by
    the wall clock); ``stats`` gets the window size and work limit used."""
    t0 = time.perf_counter()
    before = Plan.from_indices(inst, start).objective_values()[name]
    last = {"plan": None}

    def report(plan: Assignment) -> None:
        last["plan"] = dict(plan)
        if progress:
            progress(name, float(Plan.from_indices(inst, plan).objective_values()[name]), float("nan"),
                     time.perf_counter() - t0)

    wall = bud.backstop(budget, opts.tuning.moves_deadline_margin)
    try:
        plan, work = improve(inst, start, name, fixed, budget=budget, seed=opts.seed, wall_limit=wall,
                             report=report, stats=stats, window=window, window_months=window_months,
                             widen_months=widen_months, tuning=opts.tuning)
    except KeyboardInterrupt:
        plan = last["plan"]
        return (plan if plan and not check_plan(Plan.from_indices(inst, plan)) else None), 0.0, True, False
    result = Plan.from_indices(inst, plan)
    value = result.objective_values()[name]
    log.debug("level %s: window moves %s -> %s (%.2f deterministic s)", name, before, value, work)
    if value < before and check_plan(result):  # a safety net: never pass on a plan that breaks a rule
        log.warning("level %s: window moves gave a plan that breaks a rule; ignored", name)
        return None, work, False, False
    return (plan if value < before else None), work, False, bool(stats.get("wall_clock"))

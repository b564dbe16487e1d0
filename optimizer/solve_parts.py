"""The solve path for instances where groups may split (model v2, ``Instance.may_split``).

The lexicographic levels as in :func:`optimizer.solver.solve`, with plain CP-SAT search on
:class:`optimizer.model_parts.PartsModel`: the first level hinted by the greedy plan (a v1
plan, one part per group, is a valid v2 plan) when it finds one, each later level by the
previous level's plan. The LP shortening of the finish, the LP level bounds, the LP repair
and the window moves do not know parts yet and are not used here (docs/model.md).
"""

from __future__ import annotations

import logging
import time
from typing import Callable

from ortools.sat.python import cp_model

from .checker import check_plan
from .domain import Instance
from .greedy import best_greedy_by
from .model_parts import PartsModel
from .plan import Plan

log = logging.getLogger(__name__)


def _start_plan(inst: Instance, hint, deadline: float, warm: bool) -> Plan | None:
    """The greedy plan (or the caller's hint) when the checker accepts it."""
    if hint is None and warm:
        hint, _cut = best_greedy_by(inst, deadline)
    if not hint:
        return None
    try:
        plan = hint if isinstance(hint, Plan) else Plan.from_indices(inst, hint)
        return plan if not check_plan(plan) else None
    except (IndexError, KeyError, ValueError, TypeError):
        return None


def _level_budget(total: float, used: float, i: int, n: int) -> float:
    """As solver.solve: what is left minus 10 % of the limit per later level, at least 10 %;
    the first level at most FIRST_LEVEL_SHARE when later levels follow."""
    from .solver import FIRST_LEVEL_SHARE
    budget = max(total - used - 0.1 * total * (n - i - 1), 0.1 * total)
    return min(budget, FIRST_LEVEL_SHARE * total) if i == 0 and n > 1 else budget


def solve_parts(inst: Instance, opts, *, progress: Callable | None = None, hint=None):
    """Solve a split instance lexicographically by ``inst.rules.objective`` (a solver.Result).
    ``opts`` has its deadline set (solver.solve does that before calling here)."""
    from .solver import STATUS_NAMES, LevelResult, Result, _run_left, _search, _stopped_by

    t_start = time.perf_counter()
    total = (opts.work_limit if opts.work_limit is not None else opts.time_limit) if opts.deterministic \
        else min(opts.time_limit, opts.deadline - t_start)
    names = list(inst.rules.objective)
    start = _start_plan(inst, hint, opts.deadline, opts.warm_start)
    cap = start.finish() if start is not None and names[0] == "finish" else None
    pm = PartsModel(inst, max_month=cap)
    build_s = time.perf_counter() - t_start
    if start is not None:
        pm.hint(start)
    best, levels, overall, interrupted, used = start, [], "optimal", False, 0.0
    for i, name in enumerate(names):
        if interrupted or (best is not None and _run_left(opts) <= 0):
            value = best.objective_values()[name] if best is not None else None
            levels.append(LevelResult(name, "feasible" if best else "unknown", value, None, 0.0,
                                      "interrupted" if interrupted else "wall clock"))
            overall = "feasible" if best else "unknown"
            continue
        budget = _level_budget(total, used if opts.deterministic else time.perf_counter() - t_start, i, len(names))
        t_level = time.perf_counter()
        solver, status, stopped = _search(pm, name, budget, opts, t_start, progress)
        used += min(solver.deterministic_time, budget)
        interrupted = interrupted or stopped
        secs = time.perf_counter() - t_level
        by = _stopped_by(solver, status, stopped, opts.deterministic)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            best = pm.read_plan(solver)
            value, bound = int(round(solver.objective_value)), int(round(solver.best_objective_bound))
            levels.append(LevelResult(name, STATUS_NAMES[status], value, bound, secs, by, "cp-sat"))
        elif best is not None:
            # nothing found within the budget (or an "infeasible" against a plan the checker
            # accepts: a modelling error, logged): the plan so far stands, unproven
            if status == cp_model.INFEASIBLE:
                log.error("CP-SAT reports %s infeasible but the plan so far passes the checker; keeping "
                          "it (please report this instance)", name)
            levels.append(LevelResult(name, "feasible", best.objective_values()[name], None, secs, by))
        else:
            levels.append(LevelResult(name, STATUS_NAMES.get(status, "unknown"), None, None, secs, by))
            overall = "infeasible" if status == cp_model.INFEASIBLE else "unknown"
            break
        if levels[-1].status != "optimal":
            overall = "feasible"
        pm.fix_level(name, -(1 << 50), levels[-1].value)  # later levels keep this level's value or better
        pm.hint(best)
    return Result(status=overall, levels=levels, plan=best, seconds=time.perf_counter() - t_start,
                  options=opts, interrupted=interrupted,
                  model_stats={**pm.stats, "build_seconds": round(build_s, 3),
                               "model": "parts (split groups): CP-SAT per level, no LP or window moves"})

"""Solve a re-plan: the levels of ``replan_objective`` (default finish, changes, waiting, assisted,
splits) one after the other on :class:`optimizer.model_replan.ReplanModel`, CP-SAT per level, each
level hinted by the previous level's plan (as :mod:`optimizer.solve_parts`)."""

from __future__ import annotations

import dataclasses
import time
from typing import Callable

from .domain import DEFAULT_REPLAN_OBJECTIVE, Instance
from .model_replan import ReplanModel
from .replan_inputs import ReplanInputs


def replan_levels(inst: Instance) -> list[str]:
    """The re-plan's order of levels: the rules' ``replan_objective``, else the default."""
    return list(inst.rules.replan_objective or DEFAULT_REPLAN_OBJECTIVE)


def replan_instance(inst: Instance) -> Instance:
    """``inst`` with the re-plan's order of levels as its objective (what the renderers list)."""
    return dataclasses.replace(inst, rules=dataclasses.replace(inst.rules, objective=tuple(replan_levels(inst))))


def solve_replan(inst: Instance, rin: ReplanInputs, opts, *, progress: Callable | None = None):
    """The re-plan of ``inst`` with the history, previous plan and rates of ``rin`` (a
    solver.Result whose plan is a :class:`~optimizer.replan_plan.ReplanPlan`, levels of the whole
    plan). Infeasible: no plan keeps the history and the rules of the coming months."""
    from .solve_parts import _level, _level_budget
    from .solver import WALL_FACTOR, LevelResult, Result

    t_start = time.perf_counter()
    if opts.deadline is None:
        opts = dataclasses.replace(opts, deadline=t_start + WALL_FACTOR * opts.time_limit)
    total = (opts.work_limit if opts.work_limit is not None else opts.time_limit) if opts.deterministic \
        else min(opts.time_limit, opts.deadline - t_start)
    names = replan_levels(inst)
    t_build = time.perf_counter()
    pm = ReplanModel(inst, rin.history, rin.previous, rin.rates)
    build_s = time.perf_counter() - t_build
    levels: list = []
    overall, used, interrupted, plan = "optimal", 0.0, False, None
    for i, name in enumerate(names):
        if interrupted:
            value = plan.objective_values()[name] if plan is not None else None
            levels.append(LevelResult(name, "feasible" if plan else "unknown", value, None, 0.0, "interrupted"))
            overall = "feasible" if plan else "unknown"
            continue
        budget = _level_budget(total, used if opts.deterministic else time.perf_counter() - t_start, i, len(names))
        level, found, work, stopped = _level(pm, name, plan, budget, opts, t_start, progress)
        used += work
        interrupted = interrupted or stopped
        levels.append(level)
        if found is None:
            overall = level.status if level.status == "infeasible" else "unknown"
            plan = None
            break
        plan = found
        overall = overall if level.status == "optimal" else "feasible"
        pm.fix_level(name, -(1 << 50), level.value)
    return Result(status=overall, levels=levels, plan=plan, seconds=time.perf_counter() - t_start, options=opts,
                  interrupted=interrupted,
                  model_stats={**pm.stats, "build_seconds": round(build_s, 3),
                               "model": "re-plan: parts with fixed history, CP-SAT per level"})

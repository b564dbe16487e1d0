"""Lexicographic solving with CP-SAT.

Each objective level is solved in turn; its optimum (or, if the time runs out,
its best value) is then fixed as a constraint and the next level is
warm-started from the previous plan with a complete hint.

Solving runs in a worker thread so that Ctrl-C (KeyboardInterrupt in the
main thread) can stop the search and still return the best plan so far.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from typing import Callable

from optimizer.domain import Instance
from optimizer.model import RolloutModel
from optimizer.plan import Plan
from optimizer.solving.budget import Budget
from optimizer.solving.cpsat import _Progress, _release_memory, _run, _SafeStop
from optimizer.solving.greedy import best_greedy_by
from optimizer.solving.level import Level, Run, build_seconds, finish_of, is_valid, rm_value
from optimizer.solving.result import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_SEED,
    DEFAULT_TIME_LIMIT,
    DEFAULT_WORKERS,
    LevelResult,
    Result,
    SolveOptions,
)
from optimizer.solving.status import Status, StoppedBy
from optimizer.solving.steps import steps_for
from optimizer.solving.tuning import Tuning

# the names other modules, scripts and tests import from here
__all__ = ["DEFAULT_BATCH_SIZE", "DEFAULT_SEED", "DEFAULT_TIME_LIMIT", "DEFAULT_WORKERS", "LevelResult", "Result",
           "SolveOptions", "Tuning", "solve", "rm_value", "_Progress", "_SafeStop", "_run"]

log = logging.getLogger(__name__)

def solve(
    inst: Instance,
    options: SolveOptions | None = None,
    *,
    progress: Callable[[str, float, float, float], None] | None = None,
    hint: dict[int, tuple[int, str]] | None = None,
) -> Result:
    """Solve ``inst`` lexicographically by ``inst.rules.objective``: each level takes the steps
    of :func:`optimizer.solving.steps.steps_for` in turn until one settles it."""
    opts = _with_tuning(inst, options or SolveOptions())
    t = opts.tuning
    t_start = time.perf_counter()
    deadline = opts.deadline if opts.deadline is not None else t_start + t.wall_factor * opts.time_limit
    opts = dataclasses.replace(opts, deadline=deadline)
    if inst.may_split:  # issue 15: groups may split -> the model of parts (no LP / window moves yet)
        from optimizer.solving.parts import solve_parts
        return solve_parts(inst, opts, progress=progress, hint=hint)
    bud = Budget.for_run(opts, t_start)  # all levels' budget: deterministic seconds, or wall seconds
    greedy_cut = False
    if hint is None and opts.warm_start:
        hint, greedy_cut = best_greedy_by(inst, deadline)
    names = list(inst.rules.objective)
    # Only a hint the checker accepts is used as a plan (to cap the months, to start window
    # moves from, to be proven optimal); any other hint only guides CP-SAT's search.
    valid_hint = hint if hint and is_valid(inst, hint) else None
    if hint and not valid_hint:
        log.warning("the start plan breaks a rule or misses a group: used as a search hint only")
    runs: list[Run] = []
    try:
        if valid_hint and progress:  # the first plan is in hand (greedy or the caller's): say so
            first = Plan.from_indices(inst, valid_hint).objective_values()[names[0]]
            progress(names[0], float(first), float("nan"), time.perf_counter() - t_start)
        no_search = _no_time_for_search(inst, t, deadline, greedy_cut)
        if no_search:
            return _greedy_answer(inst, valid_hint, opts, t_start, no_search)
        return _search(inst, opts, bud, hint, valid_hint, progress, t_start, runs)
    except KeyboardInterrupt:  # Ctrl-C between solver calls (printing, building, LP, moves): the best plan so far
        best = (runs[0].best if runs else None) or valid_hint
        if not best:
            raise
        return _greedy_answer(inst, best, opts, t_start, StoppedBy.INTERRUPTED)


def _search(inst: Instance, opts: SolveOptions, bud: Budget, hint, valid_hint, progress, t_start: float,
            runs: list) -> Result:
    """Build the model and settle each level by its steps; the run goes into ``runs`` as soon as
    it exists, so that Ctrl-C anywhere in here leaves the caller the best plan so far."""
    t, names = opts.tuning, list(inst.rules.objective)
    # A valid plan bounds the optimal finish: months after it need no variables.
    rm = RolloutModel(inst, max_month=finish_of(valid_hint) if valid_hint and names[0] == "finish" else None)
    build_s = time.perf_counter() - t_start
    if hint:
        rm.hint(hint)
    run = Run(inst, opts, bud, rm, valid_hint, progress)
    runs.append(run)
    for i, name in enumerate(names):
        if t.large(len(inst.groups)) and i:
            _release_memory()
        budget = bud.level(i, len(names), t.first_level_share)  # later levels always get a real try
        if run.interrupted:
            value = run.value(name, run.best) if run.best else None
            run.settle(LevelResult(name, Status.UNKNOWN, value, None, 0.0, StoppedBy.NOT_RUN), run.best,
                       next_model=False)
            continue
        if run.best is not None and bud.wall_left() <= 0:
            # the deadline has passed: the plan stands, this level unproven
            run.settle(LevelResult(name, Status.FEASIBLE, run.value(name, run.best), None, 0.0,
                                   StoppedBy.WALL_CLOCK), run.best, next_model=False)
            continue
        t_level = time.perf_counter()  # the level's time includes its window moves
        # progress times from the level's start (its search, moves and second search in turn)
        lprog = (lambda lv, obj, bd, _t, t0=t_level: progress(lv, obj, bd, time.perf_counter() - t0)) \
            if progress else None
        level = Level(i, name, budget, budget, t_level, run.best or valid_hint, t.lp_only(len(inst.groups)), lprog)
        for step in steps_for(inst, i, t):
            if step.run(run, level):
                break
        if run.ended:
            break
    return _result(run, t_start, build_s)


def _with_tuning(inst: Instance, opts: SolveOptions) -> SolveOptions:
    """``opts`` with the tuning for the instance's size (unless it has one); a large instance's
    lighter presolve, subsolvers and fewer workers, recorded with the other parameters."""
    if opts.tuning is None:
        opts = dataclasses.replace(opts, tuning=Tuning.for_size(len(inst.groups), inst.horizon))
    t = opts.tuning
    if t.large(len(inst.groups)):
        opts = dataclasses.replace(opts, extra={**t.light_presolve, "subsolvers": list(t.large_subsolvers),
                                                **opts.extra},
                                   workers=min(opts.workers, t.large_workers),
                                   batch_size=min(opts.batch_size, t.large_workers))
    return opts


def _result(run: Run, t_start: float, build_s: float) -> Result:
    """The run's result: its plan, levels, and the records every output carries."""
    t, rm = run.opts.tuning, run.rm
    return Result(
        status=run.overall,
        levels=run.levels,
        plan=Plan.from_indices(run.inst, run.best) if run.best else None,
        seconds=time.perf_counter() - t_start,
        options=run.opts,
        interrupted=run.interrupted,
        model_stats={
            "variables": len(rm.proto.variables),
            "constraints": len(rm.proto.constraints),
            "build_seconds": round(build_s, 3),
            "rule_constraints": dict(rm.constraint_counts),
            **({"lp_probes": [p.record() for p in run.probes]} if run.probes else {}),
            **({"lp_repairs": [r.record() for r in run.repairs]} if run.repairs else {}),
            **({"lp_bounds": [b.record() for b in run.bounds]} if run.bounds else {}),
            **({"window_moves": {"deterministic_seconds": run.lns_work, "window_groups": t.window_groups,
                                 "later_window_groups": t.later_window_groups,
                                 "window_work": t.window_work, "windows_used": run.lns_windows}}
               if run.lns_work else {}),
        },
    )


def _no_time_for_search(inst: Instance, t: Tuning, deadline: float, greedy_cut: bool) -> str:
    """Why no model is built and searched (what ended the run: "wall clock"), or "" when there is
    time: the greedy variants were cut by the deadline, or building the model and loading it
    into CP-SAT would take longer than the wall time left."""
    if greedy_cut:
        return StoppedBy.WALL_CLOCK
    late = deadline - time.perf_counter() < build_seconds(inst, t)
    return StoppedBy.WALL_CLOCK if late else StoppedBy.NOTHING


def _greedy_answer(inst: Instance, plan: dict[int, tuple[int, str]] | None, opts: SolveOptions, t_start: float,
                   stopped_by: StoppedBy) -> Result:
    """The warm start as the answer when there was no time to search (or, on Ctrl-C between
    solver calls, the best plan so far): every level feasible, unproven, no bound (no plan at all
    when the greedy rule got stuck)."""
    vals = Plan.from_indices(inst, plan).objective_values() if plan else {}
    levels = [LevelResult(name, Status.FEASIBLE if plan else Status.UNKNOWN, vals.get(name), None, 0.0, stopped_by)
              for name in inst.rules.objective]
    stopped = stopped_by == StoppedBy.INTERRUPTED
    why = "Ctrl-C between solver calls" if stopped else "the time limit left no time to build the model"
    log.info("%s: the best plan so far is the answer", why)
    return Result(status=Status.FEASIBLE if plan else Status.UNKNOWN, levels=levels,
                  plan=Plan.from_indices(inst, plan) if plan else None,
                  seconds=time.perf_counter() - t_start, options=opts, interrupted=stopped,
                  model_stats={"search": f"none: {why}; the plan is the "
                                         f"{'best so far' if stopped else 'greedy warm start'}"})



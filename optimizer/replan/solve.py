"""Solve a re-plan: the levels of ``replan_objective`` (default finish, changes, waiting, assisted,
splits) one after the other on :class:`optimizer.model_replan.ReplanModel`, CP-SAT per level, each
level hinted by the previous level's plan (as :mod:`optimizer.solving.parts`), the first by the previous
plan (:func:`previous_hint`) and started from the whole-group plan of the coming months
(:mod:`optimizer.replan.start`) when the checker accepts it."""

from __future__ import annotations

import dataclasses
import time
from typing import Callable

from optimizer.domain import DEFAULT_REPLAN_OBJECTIVE, Instance
from optimizer.model import UNBOUNDED
from optimizer.model_replan import ReplanModel
from optimizer.solving.budget import Budget
from optimizer.solving.tuning import Tuning
from optimizer.replan.inputs import ReplanInputs
from optimizer.replan.start import START_SHARE, future_start, previous_start


def replan_levels(inst: Instance) -> list[str]:
    """The re-plan's order of levels: the rules' ``replan_objective``, else the default."""
    return list(inst.rules.replan_objective or DEFAULT_REPLAN_OBJECTIVE)


def replan_instance(inst: Instance) -> Instance:
    """``inst`` with the re-plan's order of levels as its objective (what the renderers list)."""
    return dataclasses.replace(inst, rules=dataclasses.replace(inst.rules, objective=tuple(replan_levels(inst))))


def solve_replan(inst: Instance, rin: ReplanInputs, opts, *, progress: Callable | None = None):
    """The re-plan of ``inst`` with the history, previous plan and rates of ``rin`` (a
    solver.Result whose plan is a :class:`~optimizer.replan.plan.ReplanPlan`, levels of the whole
    plan). Infeasible: no plan keeps the history and the rules of the coming months. Ctrl-C
    between solver calls (building, starts) gives the best plan so far."""
    seen: list = []
    t_start = time.perf_counter()
    try:
        return _solve_replan(inst, rin, opts, progress, seen)
    except KeyboardInterrupt:
        if not seen:
            raise
        return _interrupted_answer(inst, seen[-1], replan_levels(inst), opts, t_start)


def _solve_replan(inst: Instance, rin: ReplanInputs, opts, progress: Callable | None, seen: list):
    """:func:`solve_replan`, each plan that is the best so far appended to ``seen``."""
    from optimizer.solving.parts import _improving, _level
    from optimizer.solving.solver import LevelResult, Result

    t_start = time.perf_counter()
    if opts.tuning is None:
        opts = dataclasses.replace(opts, tuning=Tuning.for_size(len(inst.groups), inst.horizon))
    if opts.deadline is None:
        opts = dataclasses.replace(opts, deadline=t_start + opts.tuning.wall_factor * opts.time_limit)
    bud = Budget.for_run(opts, t_start)  # all levels' budget: deterministic seconds, or wall seconds
    names = replan_levels(inst)
    progress = _improving(progress, names)  # the start and the levels report each better plan once
    early = _first_plan(inst, rin, names, progress, t_start, seen)
    t_build = time.perf_counter()
    pm = ReplanModel(inst, rin.history, rin.previous, rin.rates)
    pm.hint(previous_hint(pm))  # a guide for the first level's search only (it may break rules)
    build_s = time.perf_counter() - t_build
    t_future = time.perf_counter()
    plan, proven, interrupted = future_start(inst, rin, opts, progress=progress)
    future_s = time.perf_counter() - t_future
    bud.charge(START_SHARE * bud.total)
    if plan is None or _better(early, plan, names):  # a proof of the first level's value still holds
        first = names[0]
        proven = proven and plan is not None and early.objective_values()[first] == plan.objective_values()[first]
        plan = early if early is not None else plan
    seen += [plan] if plan is not None else []
    levels: list = []
    overall = "optimal"
    for i, name in enumerate(names):
        if i == 0 and name == "finish" and proven and plan is not None:  # the whole-group solve's proof
            value = plan.objective_values()[name]
            levels.append(LevelResult(name, "optimal", value, value, round(future_s, 3), "proof", "whole-group solve"))
            if progress is not None:  # a better plan than the first one: with its proof as the bound
                progress(name, float(value), float(value), time.perf_counter() - t_start)
            pm.fix_level(name, -UNBOUNDED, value)
            continue
        if interrupted:
            value = plan.objective_values()[name] if plan is not None else None
            levels.append(LevelResult(name, "feasible" if plan else "unknown", value, None, 0.0, "interrupted"))
            overall = "feasible" if plan else "unknown"
            continue
        guide = None
        if name == "changes":
            plan, guide = _fewer_changes(inst, rin, plan, {lv.name: lv.value for lv in levels})
        budget = bud.level(i, len(names), opts.tuning.first_level_share)
        if guide is not None:
            pm.hint(guide)
        level, found, work, stopped = _level(pm, name, plan if guide is None else None, budget, opts, bud,
                                             progress)
        if guide is not None and plan is not None:
            level, found = _kept(level, found, plan)
        bud.charge(work)
        interrupted = interrupted or stopped
        levels.append(level)
        if found is None:
            overall = level.status if level.status == "infeasible" else "unknown"
            plan = None
            break
        plan = found
        seen.append(found)
        overall = overall if level.status == "optimal" else "feasible"
        pm.fix_level(name, -UNBOUNDED, level.value)
    return Result(status=overall, levels=levels, plan=plan, seconds=time.perf_counter() - t_start, options=opts,
                  interrupted=interrupted,
                  model_stats={**pm.stats, "build_seconds": round(build_s, 3),
                               "model": "re-plan: parts with fixed history, CP-SAT per level"})


def _first_plan(inst: Instance, rin: ReplanInputs, names: list[str], progress, t_start: float, seen: list):
    """The plan in hand at once: the previous plan kept where it still fits, the rest placed whole
    in the earliest month with room (:func:`previous_start`, no solver; None when that breaks a
    rule). Reported as the first plan, so a planner sees one within seconds at any size; the
    levels then start from it whenever the whole-group plan of the coming months is not better."""
    early = previous_start(inst, rin)
    seen += [early] if early is not None else []  # before it is announced: Ctrl-C may come as it prints
    if early is not None and progress is not None:
        progress(names[0], float(early.objective_values()[names[0]]), float("nan"), time.perf_counter() - t_start)
    return early


def _interrupted_answer(inst: Instance, plan, names: list[str], opts, t_start: float):
    """The result on Ctrl-C between solver calls: ``plan`` (the best so far) on every level, unproven."""
    from optimizer.solving.solver import LevelResult, Result
    vals = plan.objective_values()
    levels = [LevelResult(name, "feasible", vals[name], None, 0.0, "interrupted") for name in names]
    return Result(status="feasible", levels=levels, plan=plan, seconds=time.perf_counter() - t_start, options=opts,
                  interrupted=True, model_stats={"model": "none: Ctrl-C between solver calls; the plan is "
                                                          "the best so far"})


def _better(a, b, names: list[str]) -> bool:
    """Is plan ``a`` (or None) lexicographically better than plan ``b`` by the levels ``names``?"""
    if a is None:
        return False
    va, vb = a.objective_values(), b.objective_values()
    return [va[n] for n in names] < [vb[n] for n in names]


def previous_hint(pm: ReplanModel):
    """The previous plan carried into the model's months, as a hint: each group with users left
    keeps its previous months from as_of on when they hold exactly its remaining users, else all
    of them go to its first previous month still possible (or its first possible month); the
    previous method when it is allowed."""
    from optimizer.replan.plan import ReplanPlan
    prev = pm.previous
    future, by_group = {}, {}
    for (g, t), u in (prev.users.items() if prev else ()):
        by_group.setdefault(g, {})[t] = u
    for gv in pm.gs:
        if not gv.months:
            continue
        name, left = gv.g.name, gv.g.size
        mine = {t: u for t, u in by_group.get(name, {}).items() if t in gv.months}
        if gv.split and sum(mine.values()) == left:
            parts = sorted(mine.items())
        else:
            parts = [(min(mine) if mine else gv.months[0], left)]
        k = prev.methods.get(name) if prev else None
        future[name] = (k if k in gv.methods else gv.methods[0], parts)
    return ReplanPlan.build(pm.inst, pm.history, future, prev, pm.observed)


def _fewer_changes(inst: Instance, rin: ReplanInputs, plan, fixed: dict[str, int]):
    """(start, guide) of the ``changes`` level: :func:`previous_start` (the previous plan kept where
    it fits) as the start when it keeps the levels fixed so far and moves fewer users than
    ``plan``; else, when it exists without the finish fixed so far, as the search's hint (guide)."""
    other = previous_start(inst, rin, fixed.get("finish"))
    if other is None:
        loose = previous_start(inst, rin)
        return plan, (loose if loose is not None and plan is not None else None)
    vals = other.objective_values()
    if any(vals[lv] > v for lv, v in fixed.items() if v is not None):
        return plan, None
    if plan is None or vals["changes"] < plan.objective_values()["changes"]:
        return other, None
    return plan, None


def _kept(level, found, start):
    """The level's result, with ``start`` kept when the search found nothing better."""
    kept = start.objective_values()[level.name]
    if found is not None and level.value is not None and level.value <= kept:
        return level, found
    proven = level.bound is not None and kept <= level.bound
    return dataclasses.replace(level, status="optimal" if proven else "feasible", value=kept), start

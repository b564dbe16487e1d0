"""The solve path for instances where groups may split (model v2, ``Instance.may_split``).

The lexicographic levels as in :func:`optimizer.solving.solver.solve`, with plain CP-SAT search on
:class:`optimizer.model_parts.PartsModel`: the first level hinted by the greedy plan (a v1
plan, one part per group, is a valid v2 plan) when it finds one, each later level by the
previous level's plan; first, v1's solver plans the input with every group whole for a share
of the time (Tuning.whole_share), and the best plan known that keeps the levels fixed so far is each
level's hint (a one-part plan is a v2 plan). Before each level's search the LP relaxation of the model of parts may prove the start optimal or
give the level's bound (optimizer.solving.parts_steps, which also says which of v1's steps do not
run here: the LP shortening, the LP repair and the window moves move whole groups).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from typing import Callable

from ortools.sat.python import cp_model

from optimizer.checker import check_plan
from optimizer.domain import Instance
from optimizer.solving.greedy import best_greedy_by
from optimizer.solving.greedy_split import best_split_greedy
from optimizer.model_parts import PartsModel
from optimizer.model_parts_cuts import add_implied_rows
from optimizer.model import UNBOUNDED
from optimizer.plan import Plan
from optimizer.solving.budget import Budget, after
from optimizer.solving.parts_steps import lp_settle, parts_moves
from optimizer.solving.cpsat import _search, _stopped_by
from optimizer.solving.status import Status, StoppedBy

log = logging.getLogger(__name__)


def _start_plan(inst: Instance, hint, deadline: float, warm: bool) -> Plan | None:
    """The caller's hint when the checker accepts it; else (warm start) the best of the v1 greedy
    plan (every group whole) and the greedy plan with parts (optimizer.solving.greedy_split)."""
    if hint is None and not warm:
        return None
    if hint is not None:
        try:
            plan = hint if isinstance(hint, Plan) else Plan.from_indices(inst, hint)
            return plan if not check_plan(plan) else None
        except (IndexError, KeyError, ValueError, TypeError):
            return None
    t0 = time.perf_counter()
    whole, _cut = best_greedy_by(inst, deadline)
    # with a plan of whole groups in hand, the variants with parts get as long as it took (one at
    # least): the first plan comes fast at scale (5,000 x 36: 6 s each under load)
    until = min(deadline, 2 * time.perf_counter() - t0) if whole else deadline
    plans = [p for p in (Plan.from_indices(inst, whole) if whole else None, best_split_greedy(inst, until))
             if p is not None and not check_plan(p)]
    levels = inst.rules.objective
    return min(plans, key=lambda p: tuple(p.objective_values()[lv] for lv in levels), default=None)


def whole_groups(inst: Instance) -> Instance:
    """``inst`` with every group in one month (v1): the same rules but max_months 1."""
    objective = tuple(lv for lv in inst.rules.objective if lv != "splits") or ("finish",)
    return dataclasses.replace(inst, groups=tuple(dataclasses.replace(g, max_months=1) for g in inst.groups),
                               rules=dataclasses.replace(inst.rules, max_months=1, objective=objective))


def _improving(progress: Callable | None, names: list[str]) -> Callable | None:
    """``progress`` called only for a plan better on its level than every one reported before (the
    whole-group phase and the parts' levels report the same levels: no plan is announced twice);
    a better value of a level starts the later levels' records afresh (lexicographic order)."""
    if progress is None:
        return None
    best: dict[str, float] = {}

    def report(level: str, value: float, bound: float, seconds: float) -> None:
        if level not in best or value < best[level]:
            best[level] = value
            for later in names[names.index(level) + 1:] if level in names else []:
                best.pop(later, None)
            progress(level, value, bound, seconds)
    return report


def _whole_plan(inst: Instance, opts, hint, share: float, progress: Callable | None = None
                ) -> tuple[Plan | None, bool, bool]:
    """v1's solve of :func:`whole_groups` within ``share`` of the budget: (its plan as a plan of
    ``inst`` when the checker accepts it, interrupted?, proven that whole groups have no plan?)."""
    from optimizer.solving.solver import solve
    now = time.perf_counter()
    sub = dataclasses.replace(opts, time_limit=share * opts.time_limit,
                              work_limit=None if opts.work_limit is None else share * opts.work_limit,
                              deadline=now + share * max(opts.deadline - now, 0.0))
    res = solve(whole_groups(inst), sub, hint=hint if not isinstance(hint, Plan) else None, progress=progress)
    if res.plan is None:
        return None, res.interrupted, res.status == "infeasible"
    plan = Plan(inst, dict(res.plan.assignments))
    return (plan if not check_plan(plan) else None), res.interrupted, False


def _best_for(plans: list[Plan], fixed: dict[str, int], name: str) -> Plan | None:
    """The plan keeping every fixed level's value that is best on level ``name``."""
    ok = [p for p in plans if all(p.objective_values()[lv] <= v for lv, v in fixed.items())]
    return min(ok, key=lambda p: p.objective_values()[name], default=None)


def solve_parts(inst: Instance, opts, *, progress: Callable | None = None, hint=None):
    """Solve a split instance lexicographically by ``inst.rules.objective`` (a solver.Result).
    ``opts`` has its deadline set (solver.solve does that before calling here). Ctrl-C between
    solver calls (building, LP) gives the best plan found so far."""
    plans: list[Plan] = []
    t_start = time.perf_counter()
    try:
        return _solve_parts(inst, opts, progress, hint, plans)
    except KeyboardInterrupt:
        if not plans:
            raise
        return _no_time_for_parts(inst, plans, opts, t_start, True, opts.tuning.whole_share)


def _solve_parts(inst: Instance, opts, progress: Callable | None, hint, plans: list[Plan]):
    """:func:`solve_parts`, every plan found appended to ``plans`` as it comes."""
    from optimizer.solving.solver import LevelResult, Result

    t_start = time.perf_counter()
    bud = Budget.for_run(opts, t_start)  # all levels' budget: deterministic seconds, or wall seconds
    names = list(inst.rules.objective)
    progress = _improving(progress, names)
    plans += [p for p in [_start_plan(inst, hint, opts.deadline, opts.warm_start)] if p is not None]
    if plans and progress is not None:  # the first plan is in hand: say so
        progress(names[0], float(plans[0].objective_values()[names[0]]), float("nan"), time.perf_counter() - t_start)
    interrupted = False
    share = opts.tuning.whole_share
    start = _best_for(plans, {}, names[0])
    need = 2 * opts.tuning.parts_build_seconds_per_group_month * len(inst.groups) * \
        (start.finish() + 1 if start is not None and names[0] == "finish" else inst.horizon)
    if share > 0 and (1 - share) * bud.wall_left() < need:
        # short on time: the whole-group pass (v1's fast proofs) keeps what the model of parts does
        # not need to build and load, and all of it when that model cannot be built in time anyway
        left = bud.wall_left()
        share = 1.0 if left < need else max(0.0, 1 - need / left)
        log.info("short on time: %.0f %% of it for the whole-group pass before the model of parts", 100 * share)
    if share > 0:
        whole_hint = (plans[0].to_indices() if plans[0].split_groups() == 0 else None) if plans else hint
        whole, interrupted, none = _whole_plan(inst, opts, whole_hint, share, progress)
        plans += [whole] if whole is not None else []
        # deterministic mode charges the whole share (v1's result does not say how much of it CP-SAT
        # used), except when it proved that whole groups have no plan (in presolve, as a rule)
        bud.charge(0.0 if none else share * bud.total)
    start = _best_for(plans, {}, names[0])
    cap = start.finish() if start is not None and names[0] == "finish" else None
    months = inst.horizon if cap is None else cap + 1
    if start is not None and bud.wall_left() < 2 * opts.tuning.parts_build_seconds_per_group_month * len(inst.groups) * months:
        return _no_time_for_parts(inst, plans, opts, t_start, interrupted, share)
    t_build = time.perf_counter()
    pm = PartsModel(inst, max_month=cap)
    if len(inst.groups) * months <= opts.tuning.parts_lp_max_group_months:
        # implied rows for the LP steps (parts_steps.lp_settle runs up to the same size; their first
        # row proves the finish 17 at 2,000 x 24); larger models skip them, having no LP step
        add_implied_rows(pm)
    build_s = time.perf_counter() - t_build
    levels, overall = [], "optimal"
    for i, name in enumerate(names):
        start = _best_for(plans, {lv.name: lv.value for lv in levels}, name)
        # CP-SAT loads the model in about its build time: with less wall time left, no search
        if interrupted or (start is not None and bud.wall_left() <= min(build_s, 0.5 * bud.total)):
            value = start.objective_values()[name] if start is not None else None
            levels.append(LevelResult(name, "feasible" if start else "unknown", value, None, 0.0,
                                      "interrupted" if interrupted else "wall clock"))
            overall = "feasible" if start else "unknown"
            continue
        budget = bud.level(i, len(names), opts.tuning.first_level_share)
        fixed = {lv.name: lv.value for lv in levels}
        settled, lp_bound = lp_settle(pm, name, i == 0, start, fixed, budget, opts, bud, build_s)
        if settled is not None:
            level, plan, stopped = settled, start, False
        else:
            level, plan, stopped = _moves_and_search(pm, name, i, start, budget, opts, bud, progress, plans, fixed)
            level = _with_bound(level, lp_bound)
        interrupted = interrupted or stopped
        levels.append(level)
        if plan is None:
            overall = level.status if level.status == "infeasible" else "unknown"
            break
        plans.append(plan)
        overall = overall if level.status == "optimal" else "feasible"
        pm.fix_level(name, -UNBOUNDED, level.value)  # later levels keep this level's value or better
    best = _best_for(plans, {lv.name: lv.value for lv in levels}, names[-1]) if levels and \
        levels[-1].value is not None else None
    return Result(status=overall, levels=levels, plan=best, seconds=time.perf_counter() - t_start,
                  options=opts, interrupted=interrupted,
                  model_stats={**pm.stats, "build_seconds": round(build_s, 3), "whole_groups_share": share,
                               "model": "parts (split groups): CP-SAT per level after window moves on parts, LP bounds of the parts model"})


def _moves_and_search(pm: PartsModel, name: str, i: int, start: Plan | None, budget: float, opts, bud: Budget,
                      progress, plans: list[Plan], fixed: dict[str, int]):
    """A level's window moves on the model of parts (levels after the first) and then its CP-SAT
    search from their plan on what they left: (LevelResult, plan or None, interrupted?)."""
    from optimizer.solving.solver import LevelResult
    t0, wall_cut = time.perf_counter(), False
    if i > 0:
        moved, cost, stopped, wall_cut = parts_moves(pm, name, start, budget, opts, bud, progress, fixed)
        if moved is not None:
            plans.append(moved)
            start = moved
        if stopped:
            return LevelResult(name, "feasible" if start else "unknown",
                               start.objective_values()[name] if start else None, None,
                               time.perf_counter() - t0, "interrupted"), start, True
        budget = after(budget, cost)
    level, plan, work, stopped = _level(pm, name, start, budget, opts, bud, progress)
    bud.charge(work)
    level = dataclasses.replace(level, seconds=time.perf_counter() - t0)
    if wall_cut and level.status != "optimal" and level.stopped_by not in (StoppedBy.INTERRUPTED,):
        level = dataclasses.replace(level, stopped_by=StoppedBy.WALL_CLOCK)  # the moves' plan: the machine's speed
    return level, plan, stopped


def _with_bound(level, lp_bound: int | None):
    """``level`` with the LP's bound where it is higher than the search's (optimal when met)."""
    if lp_bound is None or level.value is None or (level.bound is not None and level.bound >= lp_bound):
        return level
    status = "optimal" if level.value <= lp_bound else level.status
    return dataclasses.replace(level, bound=lp_bound, status=status, bound_by="lp relaxation")


def _no_time_for_parts(inst: Instance, plans: list[Plan], opts, t_start: float, interrupted: bool, share: float):
    """The best plan so far as the answer when the wall time left cannot build and load the model
    of parts: every level unproven ("wall clock"), no bound."""
    from optimizer.solving.solver import LevelResult, Result
    levels: list = []
    best = None
    for name in inst.rules.objective:
        best = _best_for(plans, {lv.name: lv.value for lv in levels}, name)
        levels.append(LevelResult(name, "feasible", best.objective_values()[name], None, 0.0,
                                  "interrupted" if interrupted else "wall clock"))
    why = "Ctrl-C between solver calls" if interrupted else \
        "no time was left to build the model of parts"
    log.info("%s: the best plan so far is the answer", why)
    return Result(status="feasible", levels=levels, plan=best, seconds=time.perf_counter() - t_start, options=opts,
                  interrupted=interrupted,
                  model_stats={"model": f"none: {why}; the plan is the best start",
                               "whole_groups_share": share})


def _level(pm: PartsModel, name: str, start: Plan | None, budget: float, opts, bud: Budget, progress):
    """One level's CP-SAT search hinted by ``start``: (LevelResult, its plan or None when there is
    none, deterministic seconds used, interrupted?). A start better than what the search found
    stands (unproven unless the search's bound meets it)."""
    from optimizer.solving.solver import LevelResult
    t_level = time.perf_counter()
    if start is not None:
        pm.hint(start)
    solver, status, stopped = _search(pm, name, budget, opts, bud, progress)
    secs = time.perf_counter() - t_level
    by = _stopped_by(solver, status, stopped, opts.deterministic)
    work = min(solver.deterministic_time, budget)
    kept = start.objective_values()[name] if start is not None else None
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        plan = pm.read_plan(solver)
        # every level is at least 0: a search stopped early reported -323,804 for assisted at 200 x 12
        value, bound = int(round(solver.objective_value)), max(int(round(solver.best_objective_bound)), 0)
        sname = Status.of_cp_sat(status)
        if kept is not None and kept < value:
            plan, value, sname = start, kept, "optimal" if kept <= bound else "feasible"
        return LevelResult(name, sname, value, bound, secs, by, "cp-sat"), plan, work, stopped
    if start is not None:
        # nothing found within the budget (or an "infeasible" against a plan the checker
        # accepts: a modelling error, logged): the start stands, unproven
        if status == cp_model.INFEASIBLE:
            log.error("CP-SAT reports %s infeasible but the plan so far passes the checker; keeping "
                      "it (please report this instance)", name)
        return LevelResult(name, "feasible", kept, None, secs, by), start, work, stopped
    return LevelResult(name, Status.of_cp_sat(status), None, None, secs, by), None, work, stopped

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

from ortools.sat.python import cp_model

from optimizer.checker import check_plan
from optimizer.domain import Instance
from optimizer.solving.greedy import best_greedy_by
from optimizer.solving.window_moves import improve
from optimizer.solving.lp.finish import Shortened, next_level_start, ruled_out_bound, shorten
from optimizer.model import UNBOUNDED, RolloutModel
from optimizer.plan import Plan
from optimizer.solving.lp.relaxation import LevelBound, Probe, level_bound
from optimizer.solving.lp.rounding import Rounding
from optimizer.solving.lp.rounding import applies as repair_applies
from optimizer.solving.budget import Budget, after
from optimizer.solving.cpsat import _Progress, _release_memory, _run, _SafeStop, _search, _stopped_by
from optimizer.solving.result import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_SEED,
    DEFAULT_TIME_LIMIT,
    DEFAULT_WORKERS,
    LevelResult,
    Result,
    SolveOptions,
)
from optimizer.solving.status import BoundBy, Status, StoppedBy
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
    """Solve ``inst`` lexicographically by ``inst.rules.objective``."""
    opts = options or SolveOptions()
    if opts.tuning is None:
        opts = dataclasses.replace(opts, tuning=Tuning.for_size(len(inst.groups), inst.horizon))
    t = opts.tuning
    large = t.large(len(inst.groups))
    if large:  # recorded with the other parameters in every output
        opts = dataclasses.replace(opts, extra={**t.light_presolve, "subsolvers": list(t.large_subsolvers),
                                                **opts.extra},
                                   workers=min(opts.workers, t.large_workers),
                                   batch_size=min(opts.batch_size, t.large_workers))
    t_start = time.perf_counter()
    deadline = opts.deadline if opts.deadline is not None else t_start + t.wall_factor * opts.time_limit
    opts = dataclasses.replace(opts, deadline=deadline)
    if inst.may_split:  # issue 15: groups may split -> the model of parts (no LP / window moves yet)
        from optimizer.solving.parts import solve_parts
        return solve_parts(inst, opts, progress=progress, hint=hint)
    # all levels' budget: deterministic seconds, or wall seconds in the plain mode
    total = (opts.work_limit if opts.work_limit is not None else opts.time_limit) if opts.deterministic \
        else min(opts.time_limit, deadline - t_start)
    bud = Budget(total, opts.deterministic, t_start, deadline, t.wall_factor)
    lns_work: dict[str, float] = {}
    lns_windows: dict[str, dict] = {}  # per level: window size (groups) and work limit used
    probes: list[Probe] = []  # questions to the LP relaxation (optimizer.solving.lp.relaxation)
    repairs: list[Rounding] = []  # fractional plans turned into plans (optimizer.solving.lp.rounding)
    bounds: list[LevelBound] = []  # later levels' LP bounds (optimizer.solving.lp.relaxation.level_bound)
    known: dict[int, str] = {}  # finish months asked about (optimizer.solving.lp.finish.shorten)
    greedy_cut = False
    if hint is None and opts.warm_start:
        hint, greedy_cut = best_greedy_by(inst, deadline)
    names = list(inst.rules.objective)
    # Only a hint the checker accepts is used as a plan (to cap the months, to start window
    # moves from, to be proven optimal); any other hint only guides CP-SAT's search.
    valid_hint = hint if hint and _is_valid(inst, hint) else None
    if hint and not valid_hint:
        log.warning("the start plan breaks a rule or misses a group: used as a search hint only")
    # A valid plan bounds the optimal finish: months after it need no variables.
    cap = _finish_of(valid_hint) if valid_hint and names[0] == "finish" else None
    no_search = _no_time_for_search(inst, t, deadline, greedy_cut)
    if no_search:
        return _greedy_answer(inst, valid_hint, opts, t_start, no_search)
    rm = RolloutModel(inst, max_month=cap)
    build_s = time.perf_counter() - t_start
    if hint:
        rm.hint(hint)
    levels: list[LevelResult] = []
    best: dict[int, tuple[int, str]] | None = None
    interrupted = False
    overall = Status.OPTIMAL

    for i, name in enumerate(names):
        if large and i:
            _release_memory()
        budget = bud.level(i, len(names), t.first_level_share)  # later levels always get a real try
        if interrupted:
            value = rm_value(rm, name, best) if best else None
            levels.append(LevelResult(name, Status.UNKNOWN, value, None, 0.0, StoppedBy.NOT_RUN))
            overall = Status.FEASIBLE if best else Status.UNKNOWN
            continue
        if best is not None and bud.wall_left() <= 0:
            # the deadline has passed: the plan stands, this level unproven
            levels.append(LevelResult(name, Status.FEASIBLE, rm_value(rm, name, best), None, 0.0, StoppedBy.WALL_CLOCK))
            overall = Status.FEASIBLE
            continue
        level_budget = budget
        lns_plan = None
        start = best or valid_hint
        t_lns = time.perf_counter()  # the level's time includes its window moves
        # progress times from the level's start (its search, moves and second search in turn)
        lprog = (lambda lv, obj, bd, _t, t0=t_lns: progress(lv, obj, bd, time.perf_counter() - t0)) \
            if progress else None
        lp_work = 0.0  # deterministic seconds this level's LP probes and repairs were charged
        lp_wall = False  # one of them was stopped by the wall clock
        finish_first = name == "finish" and i == 0  # the LP and the repair know no earlier level
        if finish_first and large and start:
            # LP first (optimizer.solving.lp.finish): on large instances it proves the finish where the
            # window moves and CP-SAT do not find the shortest plan (docs/benchmarks.md).
            lf = _shorten(inst, start, rm.finish_floor, known, budget, opts, bud, probes, repairs)
            if lf is not None:
                bud.charge(lf.work)
                lp_work += lf.work
                lp_wall = lf.wall_clock
                budget = after(budget, bud.cost(lf.work, t_lns))
                if lf.plan is not start:
                    start = lf.plan
                    rm = _adopt(inst, rm, levels, start)
                done = _finish_settled(lf, time.perf_counter() - t_lns, lp_wall)
                if done is not None:
                    best, interrupted = start, interrupted or lf.interrupted
                    levels.append(done)
                    overall = overall if done.status == Status.OPTIMAL else Status.FEASIBLE
                    rm = _next_model(inst, rm, name, done.value, levels, best, opts, bud)
                    continue
        lb: LevelBound | None = None
        # Only right after the finish: a fixed later level is a dense row that makes the LP slow.
        if large and i == 1 and names[0] == "finish" and start and t.lp_level_bound and bud.wall_left() > 0:
            lb = level_bound(inst, rm.max_month, name, {lv.name: lv.value for lv in levels}, work=budget,
                             wall_limit=bud.backstop(budget))
            bounds.append(lb)
            log.debug("level %s: LP bound %s (%.2f s, %d iterations)", name, lb.bound, lb.seconds, lb.iterations)
            bud.charge(lb.work)
            budget = after(budget, lb.work if bud.deterministic else lb.seconds)
            lp_wall = lp_wall or lb.wall_clock  # its charge, and so later budgets, depend on speed
            if lb.interrupted:
                interrupted, best, overall = True, start, Status.FEASIBLE
                levels.append(_interrupted_after_lp(name, rm_value(rm, name, start), lb, t_lns))
                continue
        if large and i == 1 and names[0] == "finish" and name == "waiting" and start and t.lp_starts \
                and repair_applies(inst) and bud.wall_left() > 0:
            # Plans from LP probes with cheaper tickets than the finish probes': a start for this
            # level that the window moves alone do not reach (optimizer.solving.lp.finish.next_level_start;
            # its prices are in units of waiting, and it needs the repair).
            t_st = time.perf_counter()
            st = next_level_start(inst, _finish_of(start), start, name, work=t.start_share * budget,
                                  wall_limit=bud.backstop(t.start_share * budget), seed=opts.seed,
                                  prices=t.start_prices)
            probes.extend(st.probes)
            repairs.extend(st.repairs)
            bud.charge(st.work)
            budget = after(budget, bud.cost(st.work, t_st))
            lp_wall = lp_wall or st.wall_clock
            log.debug("level %s: start %d -> %d from %d LP probes (%.2f deterministic s)", name,
                      rm_value(rm, name, start), st.value, len(st.probes), st.work)
            if st.plan is not start:
                start = st.plan
                rm.hint(start)
            if st.interrupted:
                interrupted, best, overall = True, start, Status.FEASIBLE
                levels.append(_interrupted_after_lp(name, st.value, lb, t_lns))
                continue
        lp_bound = lb.bound if lb is not None else None
        lp_only = lp_bound is not None and t.lp_only(len(inst.groups))
        share = 1.0 if lp_only else t.lns_share
        lns_wall = False
        moves_ran = False  # the window moves did some work (none: one window is the whole problem)
        if opts.lns and start and large:
            lns_stats: dict = {}
            lns_plan, work, stopped, moves_wall = _window_moves(inst, start, name, tuple(names[:i]),
                                                                share * budget, opts, lprog, lns_stats, bud=bud)
            lns_wall = moves_wall
            moves_ran = work > 0
            if "window_groups" in lns_stats:
                lns_windows[name] = {"groups": lns_stats["window_groups"],
                                     "work": round(lns_stats["window_work"], 3), "months": lns_stats["window_months"]}
            # Deterministic mode counts the windows' work, the plain mode wall seconds.
            spent = bud.cost(work, t_lns)
            lns_work[name] = round(work, 2)
            bud.charge(work)
            # the search gets its own share; what the moves leave goes to later levels
            # (no moves at all, e.g. one window would be the whole problem: the search gets it all)
            budget = budget if work == 0 else max(min(budget - spent, (1 - t.lns_share) * budget), 0.05 * budget)
            interrupted = interrupted or stopped
            if lns_plan is not None and name == "finish":
                rm = _adopt(inst, rm, levels, lns_plan)
            elif lns_plan is not None:
                rm.hint(lns_plan)
            if stopped:
                best = lns_plan or start  # the level's start (the LP start, if one won)
                value = rm_value(rm, name, best) if best else None
                levels.append(LevelResult(name, Status.FEASIBLE if best else Status.UNKNOWN, value, None,
                                          time.perf_counter() - t_lns, StoppedBy.INTERRUPTED))
                overall = Status.FEASIBLE if best else Status.UNKNOWN
                continue
        if lp_only and moves_ran:
            # The LP gave the bound and the window moves the plan: no CP-SAT search. (Without
            # moves, e.g. --no-window-moves or one window covering everything, CP-SAT searches.)
            best = lns_plan or start
            value = rm_value(rm, name, best)
            proven = value <= lp_bound
            # a plan or a charge that depended on speed is marked even when it is proven
            by = StoppedBy.WALL_CLOCK if lns_wall or lp_wall or not opts.deterministic else \
                StoppedBy.PROOF if proven else StoppedBy.WORK
            levels.append(LevelResult(name, Status.OPTIMAL if proven else Status.FEASIBLE, value, lp_bound,
                                      time.perf_counter() - t_lns, by, BoundBy.LP))
            overall = overall if proven else Status.FEASIBLE
            if progress:
                progress(name, float(value), float(lp_bound), time.perf_counter() - t_lns)
            rm = _next_model(inst, rm, name, value, levels, best, opts, bud)
            continue
        if finish_first and large and lns_plan is not None:
            # The window moves shortened the plan: can the LP relaxation prove it, or shorten it
            # further? It may use what the moves left of the level's budget.
            spent_so_far = bud.cost(lns_work.get(name, 0.0) + lp_work, t_lns)
            allowance = max(level_budget - spent_so_far, 0.0)
            t_lf = time.perf_counter()
            lf = _shorten(inst, lns_plan, rm.finish_floor, known, allowance, opts, bud, probes, repairs)
            if lf is not None:
                # paid from the search's share (it may run into what the moves left, which
                # would otherwise go to the later levels)
                bud.charge(lf.work)
                lp_work += lf.work
                budget = after(budget, bud.cost(lf.work, t_lf))
                lp_wall = lp_wall or lf.wall_clock
                if lf.plan is not lns_plan:
                    lns_plan = lf.plan
                    rm = _adopt(inst, rm, levels, lns_plan)
                # proven, but a plan from moves cut by the wall clock depends on speed
                done = _finish_settled(lf, time.perf_counter() - t_lns, lns_wall or lp_wall)
                if done is not None:
                    best, interrupted = lns_plan, interrupted or lf.interrupted
                    levels.append(done)
                    overall = overall if done.status == Status.OPTIMAL else Status.FEASIBLE
                    rm = _next_model(inst, rm, name, done.value, levels, best, opts, bud)
                    continue
        if name == "finish" and large and start and lp_work and budget < t.min_search_share * level_budget:
            # Too little left for CP-SAT to even load the model (it would be cut by the
            # wall clock, and the plan would depend on the machine's speed): keep the
            # plan, with the bound the probes or the capacity floor give.
            best = lns_plan or start
            value = _finish_of(best)
            bound, bound_by = ruled_out_bound(rm.finish_floor, known)
            levels.append(LevelResult(name, Status.FEASIBLE, value, bound, time.perf_counter() - t_lns,
                                      StoppedBy.WALL_CLOCK if lns_wall or lp_wall else StoppedBy.WORK, bound_by))
            overall = Status.FEASIBLE
            rm = _next_model(inst, rm, name, value, levels, best, opts, bud)
            continue
        kept = lns_plan or start
        no_wall = kept is not None and bud.wall_left() < _build_seconds(inst, t)
        if kept and (no_wall or large and i and budget < t.search_load_per_group * len(inst.groups)):
            # Too little left for CP-SAT to load the model (of the budget, or of the wall-clock time
            # before the deadline): keep the plan of the window moves.
            best = kept
            bound, bound_by = (lp_bound, BoundBy.LP) if lp_bound is not None else \
                ruled_out_bound(rm.finish_floor, known) if name == "finish" else (None, BoundBy.NONE)
            levels.append(LevelResult(name, Status.FEASIBLE, rm_value(rm, name, best), bound, time.perf_counter() - t_lns,
                                      StoppedBy.WALL_CLOCK if no_wall or lns_wall or lp_wall or not opts.deterministic
                                      else StoppedBy.WORK, bound_by))
            overall = Status.FEASIBLE
            rm = _next_model(inst, rm, name, levels[-1].value, levels, best, opts, bud)
            continue
        # Mid-sized instances: a later level's search leaves a share of its budget to window moves
        # after it, and what they leave to a second search (docs/model.md, "Below 500 groups").
        moves_after = not large and len(inst.groups) >= t.small_moves_from and i > 0 and opts.lns \
            and t.small_moves_share > 0 \
            and (1 - t.small_moves_share) * budget >= t.search_load_per_group * len(inst.groups)
        level_budget_all = budget
        if moves_after:
            budget = (1 - t.small_moves_share) * budget
        solver, status, stopped = _search(rm, name, budget, opts, bud, lprog)
        secs = time.perf_counter() - t_lns
        # CP-SAT can overshoot a deterministic limit on large models (presolve and LP
        # work come in big units); later levels still get their share.
        bud.charge(min(solver.deterministic_time, budget))
        log.debug("level %s used %.2f deterministic s of budget %.2f", name, solver.deterministic_time, budget)
        interrupted = interrupted or stopped
        sname = Status.of_cp_sat(status)
        by = _stopped_by(solver, status, stopped, opts.deterministic)
        if lns_wall and by != StoppedBy.PROOF and by != StoppedBy.INTERRUPTED:
            by = StoppedBy.WALL_CLOCK  # the window moves were cut by the wall clock: the plan depends on speed
        # kept: the best plan this level had before its search (valid)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) or (kept and status == cp_model.UNKNOWN):
            if status == cp_model.UNKNOWN:  # the search found nothing within its budget: keep the plan
                best, value, bound, sname = kept, rm_value(rm, name, kept), None, Status.FEASIBLE
            else:
                best = rm.read_assignment(solver)
                value = int(round(solver.objective_value))
                bound = int(round(solver.best_objective_bound))
                lns_value = rm_value(rm, name, lns_plan) if lns_plan else None
                if lns_value is not None and lns_value < value:
                    best, value, sname = lns_plan, lns_value, Status.FEASIBLE
            bound_by = BoundBy.CP_SAT if bound is not None else BoundBy.NONE
            if name == "finish" and (bound is None or bound < rm.finish_floor):
                # the search was cut before it had a bound: the capacity rows still give one
                bound, bound_by = rm.finish_floor, BoundBy.CAPACITY
            if name == "finish":
                probe_bound, probe_by = ruled_out_bound(rm.finish_floor, known)
                if probe_bound > bound:  # an earlier probe ruled out more than the search
                    bound, bound_by = probe_bound, probe_by
            if lp_bound is not None and (bound is None or lp_bound > bound):
                bound, bound_by = lp_bound, BoundBy.LP  # the level's LP bound is stronger
                if value <= bound and sname != Status.OPTIMAL:
                    sname = Status.OPTIMAL
                    by = StoppedBy.PROOF if by == StoppedBy.WORK else by
            if finish_first and bound < value and not interrupted:
                # CP-SAT left a gap: the LP relaxation may show that no plan finishes earlier,
                # or give the fractional plan a repair turns into a shorter one. It may use what
                # the search left of the level's budget, at least a tenth of it.
                spent_so_far = lns_work.get(name, 0.0) + lp_work + min(solver.deterministic_time, budget) \
                    if bud.deterministic else secs
                allowance = max(level_budget - spent_so_far, 0.1 * level_budget)
                lf = _shorten(inst, best, bound, known, allowance, opts, bud, probes, repairs, bound_by)
                if lf is not None:
                    bud.charge(lf.work)
                    interrupted = interrupted or lf.interrupted
                    by = StoppedBy.INTERRUPTED if lf.interrupted else by
                    lp_wall = lp_wall or lf.wall_clock
                    if lf.plan is not best:
                        best, value, sname = lf.plan, _finish_of(lf.plan), Status.FEASIBLE
                    bound, bound_by = lf.bound, lf.bound_by
                    if lf.proven:
                        # proven; what ended the search stays on record unless it was its budget
                        bound, sname = value, Status.OPTIMAL
                        by = StoppedBy.PROOF if by == StoppedBy.WORK else by
                    secs = time.perf_counter() - t_lns
            if moves_after and sname != Status.OPTIMAL and not interrupted and status != cp_model.UNKNOWN:
                spent = min(solver.deterministic_time, budget) if bud.deterministic else secs
                stats: dict = {}
                moved, work, stopped, moves_wall = _window_moves(
                    inst, best, name, tuple(names[:i]), max(level_budget_all - spent, 0.0), opts, lprog,
                    stats, window=t.small_window(len(inst.groups)), window_months=t.small_window_months_for(len(inst.groups)),
                    widen_months=t.small_widen_months_for(len(inst.groups)), bud=bud)
                bud.charge(work)
                lns_work[name] = round(work, 2)
                if "window_groups" in stats:
                    lns_windows[name] = {"groups": stats["window_groups"], "work": round(stats["window_work"], 3),
                                         "months": stats["window_months"],
                                         **({"widened_at": stats["widened_at"]} if "widened_at" in stats else {})}
                if moved is not None:
                    best, value = moved, rm_value(rm, name, moved)
                    if bound is not None and value <= bound:
                        sname = Status.OPTIMAL
                        by = StoppedBy.PROOF if by == StoppedBy.WORK else by
                interrupted = interrupted or stopped
                # a plan from moves cut by the wall clock depends on speed, even at the bound
                by = StoppedBy.INTERRUPTED if stopped else StoppedBy.WALL_CLOCK if moves_wall else by
                speed = by == StoppedBy.WALL_CLOCK  # the first search or the moves depended on speed
                left = level_budget_all - bud.cost(spent + work, t_lns)
                if sname != Status.OPTIMAL and not interrupted and left >= t.min_search_share * level_budget_all:
                    # What the moves left: CP-SAT again, from the improved plan, for the proof the
                    # shorter first search may have missed.
                    rm.hint(best)
                    again, st2, stopped2 = _search(rm, name, left, opts, bud, lprog)
                    bud.charge(min(again.deterministic_time, left))
                    interrupted = interrupted or stopped2
                    if st2 in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                        if int(round(again.objective_value)) < value:
                            best, value = rm.read_assignment(again), int(round(again.objective_value))
                        if int(round(again.best_objective_bound)) > bound:
                            bound, bound_by = int(round(again.best_objective_bound)), BoundBy.CP_SAT
                        if st2 == cp_model.OPTIMAL or value <= bound:
                            sname, bound = Status.OPTIMAL, value
                    by = StoppedBy.INTERRUPTED if stopped2 else StoppedBy.PROOF if sname == Status.OPTIMAL else \
                        _stopped_by(again, st2, stopped2, opts.deterministic)
                    if speed and by != StoppedBy.INTERRUPTED:
                        by = StoppedBy.WALL_CLOCK  # what came before depended on the machine's speed
                secs = time.perf_counter() - t_lns
            if lp_wall and by != StoppedBy.INTERRUPTED:
                by = StoppedBy.WALL_CLOCK  # a probe's charge depended on speed: later budgets do too
            levels.append(LevelResult(name, sname, value, bound, secs, by, bound_by))
            if sname != Status.OPTIMAL:
                overall = Status.FEASIBLE
            # Fix this level and warm-start the next from this plan.
            rm = _next_model(inst, rm, name, value, levels, best, opts, bud)
            log.debug("level %s: %s value=%s bound=%s in %.2fs", name, sname, value, bound, secs)
        elif best is None and status == cp_model.INFEASIBLE and valid_hint:
            # The warm start is a plan the independent checker accepts, so "infeasible" is a
            # modelling error: keep the plan (unproven) and say so, never report no plan.
            log.error("CP-SAT reports %s infeasible but the warm start passes the checker; "
                      "keeping the warm start (please report this instance)", name)
            best = valid_hint
            levels.append(LevelResult(name, Status.FEASIBLE, rm_value(rm, name, best), None, secs, by))
            overall = Status.FEASIBLE
        elif best is None:
            levels.append(LevelResult(name, sname, None, None, secs, by))
            overall = Status.INFEASIBLE if status == cp_model.INFEASIBLE else Status.UNKNOWN
            break
        else:  # time ran out on a later level: keep the previous plan, level unproven
            levels.append(LevelResult(name, Status.UNKNOWN, rm_value(rm, name, best), None, secs, by))
            overall = Status.FEASIBLE
    plan = Plan.from_indices(inst, best) if best else None
    return Result(
        status=overall,
        levels=levels,
        plan=plan,
        seconds=time.perf_counter() - t_start,
        options=opts,
        interrupted=interrupted,
        model_stats={
            "variables": len(rm.proto.variables),
            "constraints": len(rm.proto.constraints),
            "build_seconds": round(build_s, 3),
            "rule_constraints": dict(rm.constraint_counts),
            **({"lp_probes": [p.record() for p in probes]} if probes else {}),
            **({"lp_repairs": [r.record() for r in repairs]} if repairs else {}),
            **({"lp_bounds": [b.record() for b in bounds]} if bounds else {}),
            **({"window_moves": {"deterministic_seconds": lns_work, "window_groups": t.window_groups,
                                 "later_window_groups": t.later_window_groups,
                                 "window_work": t.window_work, "windows_used": lns_windows}} if lns_work else {}),
        },
    )


def _no_time_for_search(inst: Instance, t: Tuning, deadline: float, greedy_cut: bool) -> str:
    """Why no model is built and searched (what ended the run: "wall clock"), or "" when there is
    time: the greedy variants were cut by the deadline, or building the model and loading it
    into CP-SAT would take longer than the wall time left."""
    if greedy_cut:
        return StoppedBy.WALL_CLOCK
    late = deadline - time.perf_counter() < _build_seconds(inst, t)
    return StoppedBy.WALL_CLOCK if late else StoppedBy.NOTHING


def _build_seconds(inst: Instance, t: Tuning) -> float:
    """Wall seconds expected to build the model and for CP-SAT to take it in."""
    return 2 * t.build_seconds_per_group_month * len(inst.groups) * inst.horizon


def _greedy_answer(inst: Instance, plan: dict[int, tuple[int, str]] | None, opts: SolveOptions, t_start: float,
                   stopped_by: StoppedBy) -> Result:
    """The warm start as the answer when there was no time to search: every level feasible,
    unproven, no bound (no plan at all when the greedy rule got stuck)."""
    vals = Plan.from_indices(inst, plan).objective_values() if plan else {}
    levels = [LevelResult(name, Status.FEASIBLE if plan else Status.UNKNOWN, vals.get(name), None, 0.0, stopped_by)
              for name in inst.rules.objective]
    log.info("no time to build and search the model: the greedy plan is the answer")
    return Result(status=Status.FEASIBLE if plan else Status.UNKNOWN, levels=levels,
                  plan=Plan.from_indices(inst, plan) if plan else None,
                  seconds=time.perf_counter() - t_start, options=opts,
                  model_stats={"search": "none: the time limit left no time to build the model; "
                                         "the plan is the greedy warm start"})


def _rebuild(inst: Instance, max_month: int, levels: list[LevelResult]) -> RolloutModel:
    """The model up to ``max_month`` (a known finish) with the solved levels fixed."""
    rm = RolloutModel(inst, max_month=max_month)
    for lv in levels:
        rm.fix_level(lv.name, -UNBOUNDED, lv.value)
    return rm


def _adopt(inst: Instance, rm: RolloutModel, levels: list[LevelResult],
           plan: dict[int, tuple[int, str]]) -> RolloutModel:
    """The finish level's model for a new best ``plan``: rebuilt without the months after
    its finish when it is shorter, hinted with it."""
    if _finish_of(plan) < rm.max_month:
        rm = _rebuild(inst, _finish_of(plan), levels)
    rm.hint(plan)
    return rm


def _interrupted_after_lp(name: str, value: int, lb: LevelBound | None, t_level: float) -> LevelResult:
    """Level ``name`` stopped by Ctrl-C during its LP steps: the plan in hand (``value``),
    unproven, with the LP bound if it has one."""
    bound = lb.bound if lb is not None else None
    return LevelResult(name, Status.FEASIBLE, value, bound, time.perf_counter() - t_level, StoppedBy.INTERRUPTED,
                       BoundBy.LP if bound is not None else BoundBy.NONE)


def _finish_settled(lf: Shortened, seconds: float, wall: bool) -> LevelResult | None:
    """The finish level's result when a call of :func:`_shorten` ended it: interrupted (its
    plan kept, unproven) or proven (``wall``: something before depended on the wall clock);
    None when the level goes on."""
    if lf.interrupted:
        return LevelResult("finish", Status.FEASIBLE, lf.finish, lf.bound, seconds, StoppedBy.INTERRUPTED, lf.bound_by)
    if lf.proven:
        log.debug("level finish: %d proven (%s)", lf.finish, lf.bound_by)
        return LevelResult("finish", Status.OPTIMAL, lf.finish, lf.finish, seconds, StoppedBy.WALL_CLOCK if wall else StoppedBy.PROOF,
                           lf.bound_by)
    return None


def _next_model(inst: Instance, rm: RolloutModel, name: str, value: int, levels: list[LevelResult],
                best: dict[int, tuple[int, str]], opts: SolveOptions, bud: Budget) -> RolloutModel:
    """The model for the next level: level ``name`` fixed at ``value`` (after the finish level,
    rebuilt without the months past the finish: a smaller presolve, unless the deadline leaves
    no time to build it), hinted with ``best``."""
    if name == "finish" and value < rm.max_month and bud.wall_left() >= _build_seconds(inst, opts.tuning):
        rm = _rebuild(inst, value, levels)
    else:
        rm.fix_level(name, -UNBOUNDED, value)
    rm.hint(best)
    return rm


def _window_moves(inst: Instance, start: dict[int, tuple[int, str]], name: str, fixed: tuple[str, ...],
                  budget: float, opts: SolveOptions,
                  progress: Callable[[str, float, float, float], None] | None, stats: dict,
                  window: tuple[int, float] | None = None, window_months: int | None = None,
                  widen_months: int | None = None, *, bud: Budget):
    """optimizer.solving.window_moves.improve for one level: (better plan or None, work used, interrupted,
    ended by the wall clock); ``stats`` gets the window size and work limit used."""
    t0 = time.perf_counter()
    before = Plan.from_indices(inst, start).objective_values()[name]
    last = {"plan": None}

    def report(plan: dict[int, tuple[int, str]]) -> None:
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
    after = result.objective_values()[name]
    log.debug("level %s: window moves %s -> %s (%.2f deterministic s)", name, before, after, work)
    if after < before and check_plan(result):  # a safety net: never pass on a plan that breaks a rule
        log.warning("level %s: window moves gave a plan that breaks a rule; ignored", name)
        return None, work, False, False
    return (plan if after < before else None), work, False, bool(stats.get("wall_clock"))


def _is_valid(inst: Instance, plan: dict[int, tuple[int, str]]) -> bool:
    """The checker accepts ``plan`` (a caller's hint may even name months or groups that
    do not exist: not valid)."""
    try:
        return not check_plan(Plan.from_indices(inst, plan))
    except (IndexError, KeyError, ValueError, TypeError):
        return False


def _shorten(inst: Instance, plan: dict[int, tuple[int, str]], floor: int, known: dict[int, str],
             allowance: float, opts: SolveOptions, bud: Budget, probes: list[Probe],
             repairs: list[Rounding], floor_by: str = BoundBy.CAPACITY) -> Shortened | None:
    """optimizer.solving.lp.finish.shorten within ``allowance`` (deterministic seconds, or wall seconds
    in the plain mode) and the run's wall-clock backstop; its probes and repairs are added
    to ``probes`` and ``repairs``. None when LP finish proofs are off."""
    if not opts.tuning.lp_finish_proof:
        return None
    out = shorten(inst, plan, floor, known, work=allowance, wall_limit=bud.backstop(allowance),
                  seed=opts.seed, floor_by=floor_by, tuning=opts.tuning)
    probes.extend(out.probes)
    repairs.extend(out.repairs)
    return out


def _finish_of(plan: dict[int, tuple[int, str]]) -> int:
    return max(t for t, _ in plan.values())


def rm_value(rm: RolloutModel, name: str, best: dict[int, tuple[int, str]]) -> int:
    """Objective level ``name`` of an assignment, without the solver."""
    return Plan.from_indices(rm.inst, best).objective_values()[name]

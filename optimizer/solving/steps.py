"""The solve strategy as a table: :func:`steps_for` lists, for an instance and a level, the steps
that level takes in turn (LP shortening, LP bound, window moves, CP-SAT search, ...).

Each step is a small object whose ``run(run, level)`` either passes the level on (False) or
settles it (True: the level's result is on record). The table holds the conditions that depend
only on the instance's size, the level and the tuning; a step checks at run time what depends on
the run (a starting plan, the time left). docs/architecture.md prints the table
(:func:`strategy_table`), and a test keeps the two the same.
"""

from __future__ import annotations

import logging
import time

from optimizer.domain import Instance
from optimizer.solving import level_moves
from optimizer.solving.budget import after
from optimizer.solving.level import (Assignment, Level, Run, adopt, build_seconds, finish_of, finish_settled,
                                     interrupted_after_lp, shorten_finish)
from optimizer.solving.lp.finish import Shortened, next_level_start, ruled_out_bound
from optimizer.solving.lp.relaxation import level_bound
from optimizer.solving.lp.rounding import applies as repair_applies
from optimizer.solving.result import LevelResult
from optimizer.solving.search_steps import LpShortenSearch, MovesAfterSearch, Record, Search
from optimizer.solving.status import BoundBy, Status, StoppedBy
from optimizer.solving.step import Step
from optimizer.solving.tuning import Tuning

log = logging.getLogger("optimizer.solving.solver")


def steps_for(inst: Instance, level: int, tuning: Tuning) -> list[Step]:
    """The steps level ``level`` (its index in the objective) of ``inst`` takes, in order."""
    names = list(inst.rules.objective)
    name, n, t = names[level], len(inst.groups), tuning
    large = t.large(n)
    finish_first = name == "finish" and level == 0
    after_finish = large and level == 1 and names[0] == "finish"
    applies = {  # the table: each step and when it is in a level's list (STEPS gives the order)
        LpShorten: finish_first and large and t.lp_finish_proof,
        LpLevelBound: after_finish and t.lp_level_bound,
        LpStart: after_finish and name == "waiting" and t.lp_starts and repair_applies(inst),
        WindowMoves: large,
        LpAndMovesAnswer: after_finish and t.lp_level_bound and t.lp_only(n),
        LpShortenMoves: finish_first and large and t.lp_finish_proof,
        NoTimeAfterLp: name == "finish" and large,
        KeepWhenNoTime: True,
        Search: True,
        LpShortenSearch: finish_first and t.lp_finish_proof,
        MovesAfterSearch: not large and n >= t.small_moves_from and level > 0 and t.small_moves_share > 0,
        Record: True,
    }
    return [cls() for cls in STEPS if applies[cls]]


def strategy_table() -> str:
    """The steps in text, one line each, in their order (docs/architecture.md)."""
    return "\n".join(f"{k + 1:2}. {cls.__name__}: {cls.why}" for k, cls in enumerate(STEPS))


class LpShorten(Step):
    why = "large, finish first, a start plan: LP bisection on the finish month (lp/finish.py) first"

    def run(self, run: Run, lv: Level) -> bool:
        if not lv.start:
            return False
        lf = shorten_finish(run, lv.start, run.rm.finish_floor, lv.budget)
        if lf is None:
            return False
        run.bud.charge(lf.work)
        lv.lp_work += lf.work
        lv.lp_wall = lf.wall_clock
        lv.budget = after(lv.budget, run.bud.cost(lf.work, lv.t0))
        if lf.plan is not lv.start:
            lv.start = lf.plan
            run.rm = adopt(run.inst, run.rm, run.levels, lv.start)
        return _settled_by_lp(run, lv, lf, lv.start, lv.lp_wall)


class LpLevelBound(Step):
    why = "large, the level right after the finish: the LP bound of the level (lp/relaxation.py)"

    def run(self, run: Run, lv: Level) -> bool:
        if not lv.start or run.bud.wall_left() <= 0:
            return False
        bud = run.bud
        lb = level_bound(run.inst, run.rm.max_month, lv.name, {r.name: r.value for r in run.levels},
                         work=lv.budget, wall_limit=bud.backstop(lv.budget))
        lv.lb = lb
        run.bounds.append(lb)
        log.debug("level %s: LP bound %s (%.2f s, %d iterations)", lv.name, lb.bound, lb.seconds, lb.iterations)
        bud.charge(lb.work)
        lv.budget = after(lv.budget, lb.work if bud.deterministic else lb.seconds)
        lv.lp_wall = lv.lp_wall or lb.wall_clock  # its charge, and so later budgets, depend on speed
        if lb.interrupted:
            run.interrupted = True
            run.settle(interrupted_after_lp(lv.name, run.value(lv.name, lv.start), lb, lv.t0), lv.start,
                       next_model=False)
            return True
        return False


class LpStart(Step):
    why = ("large, waiting right after the finish: plans from LP probes with cheaper tickets as the start "
           "(lp/finish.next_level_start)")

    def run(self, run: Run, lv: Level) -> bool:
        if not lv.start or run.bud.wall_left() <= 0:
            return False
        t, bud = run.opts.tuning, run.bud
        t_st = time.perf_counter()
        st = next_level_start(run.inst, finish_of(lv.start), lv.start, lv.name, work=t.start_share * lv.budget,
                              wall_limit=bud.backstop(t.start_share * lv.budget), seed=run.opts.seed,
                              prices=t.start_prices)
        run.probes.extend(st.probes)
        run.repairs.extend(st.repairs)
        bud.charge(st.work)
        lv.budget = after(lv.budget, bud.cost(st.work, t_st))
        lv.lp_wall = lv.lp_wall or st.wall_clock
        log.debug("level %s: start %d -> %d from %d LP probes (%.2f deterministic s)", lv.name,
                  run.value(lv.name, lv.start), st.value, len(st.probes), st.work)
        if st.plan is not lv.start:
            lv.start = st.plan
            run.rm.hint(lv.start)
        if st.interrupted:
            run.interrupted = True
            run.settle(interrupted_after_lp(lv.name, st.value, lv.lb, lv.t0), lv.start, next_model=False)
            return True
        return False


class WindowMoves(Step):
    why = "large: window moves (window_moves.py) from the start plan, on a share of the level's budget"

    def run(self, run: Run, lv: Level) -> bool:
        if not (run.opts.lns and lv.start):
            return False
        t, bud, name = run.opts.tuning, run.bud, lv.name
        share = 1.0 if lv.lp_only else t.lns_share
        stats: dict = {}
        plan, work, stopped, moves_wall = level_moves.level_moves(run.inst, lv.start, name, tuple(run.names[:lv.i]),
                                                        share * lv.budget, run.opts, lv.lprog, stats, bud=bud)
        lv.lns_plan, lv.lns_wall, lv.moves_ran = plan, moves_wall, work > 0
        if "window_groups" in stats:
            run.lns_windows[name] = {"groups": stats["window_groups"], "work": round(stats["window_work"], 3),
                                     "months": stats["window_months"]}
        spent = bud.cost(work, lv.t0)  # deterministic mode counts the windows' work, the plain mode wall seconds
        run.lns_work[name] = round(work, 2)
        bud.charge(work)
        # the search gets its own share; what the moves leave goes to later levels
        # (no moves at all, e.g. one window would be the whole problem: the search gets it all)
        if work != 0:
            lv.budget = max(min(lv.budget - spent, (1 - t.lns_share) * lv.budget), 0.05 * lv.budget)
        run.interrupted = run.interrupted or stopped
        if plan is not None and name == "finish":
            run.rm = adopt(run.inst, run.rm, run.levels, plan)
        elif plan is not None:
            run.rm.hint(plan)
        if stopped:
            best = plan or lv.start  # the level's start (the LP start, if one won)
            value = run.value(name, best) if best else None
            run.settle(LevelResult(name, Status.FEASIBLE if best else Status.UNKNOWN, value, None, lv.elapsed(),
                                   StoppedBy.INTERRUPTED), best, next_model=False)
            return True
        return False


class LpAndMovesAnswer(Step):
    why = ("largest sizes, after an LP bound and window moves that ran: the LP gives the bound and the "
           "moves the plan, no CP-SAT search")

    def run(self, run: Run, lv: Level) -> bool:
        if not (lv.lp_only and lv.moves_ran):
            return False
        best = lv.kept
        value = run.value(lv.name, best)
        proven = value <= lv.lp_bound
        # a plan or a charge that depended on speed is marked even when it is proven
        by = StoppedBy.WALL_CLOCK if lv.lns_wall or lv.lp_wall or not run.opts.deterministic else \
            StoppedBy.PROOF if proven else StoppedBy.WORK
        run.settle(LevelResult(lv.name, Status.OPTIMAL if proven else Status.FEASIBLE, value, lv.lp_bound,
                               lv.elapsed(), by, BoundBy.LP), best)
        if run.progress:
            run.progress(lv.name, float(value), float(lv.lp_bound), lv.elapsed())
        return True


class LpShortenMoves(Step):
    why = "large, finish first, the window moves shortened the plan: the LP proves it or shortens it further"

    def run(self, run: Run, lv: Level) -> bool:
        if lv.lns_plan is None:
            return False
        bud = run.bud
        spent_so_far = bud.cost(run.lns_work.get(lv.name, 0.0) + lv.lp_work, lv.t0)
        t_lf = time.perf_counter()
        lf = shorten_finish(run, lv.lns_plan, run.rm.finish_floor, max(lv.level_budget - spent_so_far, 0.0))
        if lf is None:
            return False
        # paid from the search's share (it may run into what the moves left)
        bud.charge(lf.work)
        lv.lp_work += lf.work
        lv.budget = after(lv.budget, bud.cost(lf.work, t_lf))
        lv.lp_wall = lv.lp_wall or lf.wall_clock
        if lf.plan is not lv.lns_plan:
            lv.lns_plan = lf.plan
            run.rm = adopt(run.inst, run.rm, run.levels, lv.lns_plan)
        # proven, but a plan from moves cut by the wall clock depends on speed
        return _settled_by_lp(run, lv, lf, lv.lns_plan, lv.lns_wall or lv.lp_wall)


class NoTimeAfterLp(Step):
    why = "large finish: too little left after the LP steps for CP-SAT to load the model: keep the plan"

    def run(self, run: Run, lv: Level) -> bool:
        if not (lv.start and lv.lp_work and lv.budget < run.opts.tuning.min_search_share * lv.level_budget):
            return False
        best = lv.kept
        bound, bound_by = ruled_out_bound(run.rm.finish_floor, run.known)
        run.settle(LevelResult(lv.name, Status.FEASIBLE, finish_of(best), bound, lv.elapsed(),
                               StoppedBy.WALL_CLOCK if lv.lns_wall or lv.lp_wall else StoppedBy.WORK, bound_by), best)
        return True


class KeepWhenNoTime(Step):
    why = ("every level: too little budget (a later level, large) or wall time left for CP-SAT to load "
           "the model: keep the plan in hand")

    def run(self, run: Run, lv: Level) -> bool:
        inst, t, kept = run.inst, run.opts.tuning, lv.kept
        no_wall = kept is not None and run.bud.wall_left() < build_seconds(inst, t)
        short = t.large(len(inst.groups)) and lv.i and lv.budget < t.search_load_per_group * len(inst.groups)
        if not (kept and (no_wall or short)):
            return False
        bound, bound_by = (lv.lp_bound, BoundBy.LP) if lv.lp_bound is not None else \
            ruled_out_bound(run.rm.finish_floor, run.known) if lv.name == "finish" else (None, BoundBy.NONE)
        by = StoppedBy.WALL_CLOCK if no_wall or lv.lns_wall or lv.lp_wall or not run.opts.deterministic \
            else StoppedBy.WORK
        run.settle(LevelResult(lv.name, Status.FEASIBLE, run.value(lv.name, kept), bound, lv.elapsed(), by,
                               bound_by), kept)
        return True


def _settled_by_lp(run: Run, lv: Level, lf: Shortened, plan: Assignment, wall: bool) -> bool:
    """Settle the finish level when an LP shortening ended it (interrupted or proven)."""
    done = finish_settled(lf, lv.elapsed(), wall)
    if done is None:
        return False
    run.interrupted = run.interrupted or lf.interrupted
    run.settle(done, plan)
    return True


#: Every step, in the order a level takes them.
STEPS: tuple[type[Step], ...] = (LpShorten, LpLevelBound, LpStart, WindowMoves, LpAndMovesAnswer, LpShortenMoves,
                                 NoTimeAfterLp, KeepWhenNoTime, Search, LpShortenSearch, MovesAfterSearch, Record)

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
from typing import Callable

from ortools.sat.python import cp_model

from optimizer.checker import check_plan
from optimizer.domain import Instance
from optimizer.plan import Plan
from optimizer.solving.budget import Budget, after
from optimizer.solving.cpsat import _search, _stopped_by
from optimizer.solving.level import (Assignment, Level, Run, adopt, build_seconds, finish_of, finish_settled,
                                     interrupted_after_lp)
from optimizer.solving.lp.finish import Shortened, next_level_start, ruled_out_bound, shorten
from optimizer.solving.lp.relaxation import level_bound
from optimizer.solving.lp.rounding import applies as repair_applies
from optimizer.solving.result import LevelResult, SolveOptions
from optimizer.solving.status import BoundBy, Status, StoppedBy
from optimizer.solving.tuning import Tuning
from optimizer.solving.window_moves import improve

log = logging.getLogger("optimizer.solving.solver")


class Step:
    """One step of a level; ``why`` is its line in docs/architecture.md."""

    why = ""

    def run(self, run: Run, lv: Level) -> bool:
        raise NotImplementedError


def steps_for(inst: Instance, level: int, tuning: Tuning) -> list[Step]:
    """The steps level ``level`` (its index in the objective) of ``inst`` takes, in order."""
    names = list(inst.rules.objective)
    name, n, t = names[level], len(inst.groups), tuning
    large = t.large(n)
    finish_first = name == "finish" and level == 0
    after_finish = large and level == 1 and names[0] == "finish"
    table = [
        (LpShorten(), finish_first and large and t.lp_finish_proof),
        (LpLevelBound(), after_finish and t.lp_level_bound),
        (LpStart(), after_finish and name == "waiting" and t.lp_starts and repair_applies(inst)),
        (WindowMoves(), large),
        (LpAndMovesAnswer(), after_finish and t.lp_level_bound and t.lp_only(n)),
        (LpShortenMoves(), finish_first and large and t.lp_finish_proof),
        (NoTimeAfterLp(), name == "finish" and large),
        (KeepWhenNoTime(), True),
        (Search(), True),
        (LpShortenSearch(), finish_first and t.lp_finish_proof),
        (MovesAfterSearch(), not large and n >= t.small_moves_from and level > 0 and t.small_moves_share > 0),
        (Record(), True),
    ]
    return [step for step, applies in table if applies]


def strategy_table() -> str:
    """The steps in text, one line each (docs/architecture.md)."""
    every = [LpShorten, LpLevelBound, LpStart, WindowMoves, LpAndMovesAnswer, LpShortenMoves, NoTimeAfterLp,
             KeepWhenNoTime, Search, LpShortenSearch, MovesAfterSearch, Record]
    return "\n".join(f"{k + 1:2}. {cls.__name__}: {cls.why}" for k, cls in enumerate(every))


class LpShorten(Step):
    why = "large, finish first, a start plan: LP bisection on the finish month (lp/finish.py) first"

    def run(self, run: Run, lv: Level) -> bool:
        if not lv.start:
            return False
        lf = _shorten(run, lv.start, run.rm.finish_floor, lv.budget)
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
        plan, work, stopped, moves_wall = _window_moves(run.inst, lv.start, name, tuple(run.names[:lv.i]),
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
        lf = _shorten(run, lv.lns_plan, run.rm.finish_floor, max(lv.level_budget - spent_so_far, 0.0))
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


class Search(Step):
    why = "every level: CP-SAT (cpsat.py) from the plan in hand, on what the steps before left"

    def run(self, run: Run, lv: Level) -> bool:
        inst, t, opts, bud, name = run.inst, run.opts.tuning, run.opts, run.bud, lv.name
        n = len(inst.groups)
        # Mid-sized instances: a later level's search leaves a share of its budget to window moves
        # after it, and what they leave to a second search (docs/model.md, "Below 500 groups").
        lv.moves_after = not t.large(n) and n >= t.small_moves_from and lv.i > 0 and opts.lns \
            and t.small_moves_share > 0 and (1 - t.small_moves_share) * lv.budget >= t.search_load_per_group * n
        lv.level_budget_all = lv.budget
        if lv.moves_after:
            lv.budget = (1 - t.small_moves_share) * lv.budget
        solver, status, stopped = _search(run.rm, name, lv.budget, opts, bud, lv.lprog)
        lv.solver, lv.status, lv.secs = solver, status, lv.elapsed()
        # CP-SAT can overshoot a deterministic limit on large models (presolve and LP
        # work come in big units); later levels still get their share.
        bud.charge(min(solver.deterministic_time, lv.budget))
        log.debug("level %s used %.2f deterministic s of budget %.2f", name, solver.deterministic_time, lv.budget)
        run.interrupted = run.interrupted or stopped
        lv.sname = Status.of_cp_sat(status)
        lv.by = _stopped_by(solver, status, stopped, opts.deterministic)
        if lv.lns_wall and lv.by not in (StoppedBy.PROOF, StoppedBy.INTERRUPTED):
            lv.by = StoppedBy.WALL_CLOCK  # the window moves were cut by the wall clock: the plan depends on speed
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) or (lv.kept and status == cp_model.UNKNOWN):
            self._found(run, lv)
            return False
        return self._nothing(run, lv)

    @staticmethod
    def _found(run: Run, lv: Level) -> None:
        """The level's plan, value and bound from the search (or the plan in hand)."""
        rm, name = run.rm, lv.name
        if lv.status == cp_model.UNKNOWN:  # the search found nothing within its budget: keep the plan
            lv.plan, lv.value, lv.bound, lv.sname = lv.kept, run.value(name, lv.kept), None, Status.FEASIBLE
        else:
            lv.plan = rm.read_assignment(lv.solver)
            lv.value = int(round(lv.solver.objective_value))
            lv.bound = int(round(lv.solver.best_objective_bound))
            lns_value = run.value(name, lv.lns_plan) if lv.lns_plan else None
            if lns_value is not None and lns_value < lv.value:
                lv.plan, lv.value, lv.sname = lv.lns_plan, lns_value, Status.FEASIBLE
        lv.bound_by = BoundBy.CP_SAT if lv.bound is not None else BoundBy.NONE
        if name == "finish" and (lv.bound is None or lv.bound < rm.finish_floor):
            # the search was cut before it had a bound: the capacity rows still give one
            lv.bound, lv.bound_by = rm.finish_floor, BoundBy.CAPACITY
        if name == "finish":
            probe_bound, probe_by = ruled_out_bound(rm.finish_floor, run.known)
            if probe_bound > lv.bound:  # an earlier probe ruled out more than the search
                lv.bound, lv.bound_by = probe_bound, probe_by
        if lv.lp_bound is not None and (lv.bound is None or lv.lp_bound > lv.bound):
            lv.bound, lv.bound_by = lv.lp_bound, BoundBy.LP  # the level's LP bound is stronger
            if lv.value <= lv.bound and lv.sname != Status.OPTIMAL:
                lv.sname = Status.OPTIMAL
                lv.by = StoppedBy.PROOF if lv.by == StoppedBy.WORK else lv.by

    @staticmethod
    def _nothing(run: Run, lv: Level) -> bool:
        """No plan from the search and none in hand for this level."""
        name = lv.name
        if run.best is None and lv.status == cp_model.INFEASIBLE and run.valid_hint:
            # The warm start is a plan the independent checker accepts, so "infeasible" is a
            # modelling error: keep the plan (unproven) and say so, never report no plan.
            log.error("CP-SAT reports %s infeasible but the warm start passes the checker; "
                      "keeping the warm start (please report this instance)", name)
            plan = run.valid_hint
            run.settle(LevelResult(name, Status.FEASIBLE, run.value(name, plan), None, lv.secs, lv.by), plan,
                       next_model=False)
        elif run.best is None:
            run.levels.append(LevelResult(name, lv.sname, None, None, lv.secs, lv.by))
            run.overall = Status.INFEASIBLE if lv.status == cp_model.INFEASIBLE else Status.UNKNOWN
            run.ended = True
        else:  # time ran out on a later level: keep the previous plan, level unproven
            run.settle(LevelResult(name, Status.UNKNOWN, run.value(name, run.best), None, lv.secs, lv.by), run.best,
                       next_model=False)
        return True


class LpShortenSearch(Step):
    why = "finish first, CP-SAT left a gap: the LP proves the finish or gives a shorter plan"

    def run(self, run: Run, lv: Level) -> bool:
        if not (lv.bound < lv.value and not run.interrupted):
            return False
        bud = run.bud
        # It may use what the search left of the level's budget, at least a tenth of it.
        spent_so_far = run.lns_work.get(lv.name, 0.0) + lv.lp_work + min(lv.solver.deterministic_time, lv.budget) \
            if bud.deterministic else lv.secs
        allowance = max(lv.level_budget - spent_so_far, 0.1 * lv.level_budget)
        lf = _shorten(run, lv.plan, lv.bound, allowance, lv.bound_by)
        if lf is None:
            return False
        bud.charge(lf.work)
        run.interrupted = run.interrupted or lf.interrupted
        lv.by = StoppedBy.INTERRUPTED if lf.interrupted else lv.by
        lv.lp_wall = lv.lp_wall or lf.wall_clock
        if lf.plan is not lv.plan:
            lv.plan, lv.value, lv.sname = lf.plan, finish_of(lf.plan), Status.FEASIBLE
        lv.bound, lv.bound_by = lf.bound, lf.bound_by
        if lf.proven:
            # proven; what ended the search stays on record unless it was its budget
            lv.bound, lv.sname = lv.value, Status.OPTIMAL
            lv.by = StoppedBy.PROOF if lv.by == StoppedBy.WORK else lv.by
        lv.secs = lv.elapsed()
        return False


class MovesAfterSearch(Step):
    why = ("mid-sized, later levels: window moves after the search, then CP-SAT again on what they "
           "leave (docs/model.md)")

    def run(self, run: Run, lv: Level) -> bool:
        if not (lv.moves_after and lv.sname != Status.OPTIMAL and not run.interrupted
                and lv.status != cp_model.UNKNOWN):
            return False
        t, bud, n = run.opts.tuning, run.bud, len(run.inst.groups)
        spent = min(lv.solver.deterministic_time, lv.budget) if bud.deterministic else lv.secs
        stats: dict = {}
        moved, work, stopped, moves_wall = _window_moves(
            run.inst, lv.plan, lv.name, tuple(run.names[:lv.i]), max(lv.level_budget_all - spent, 0.0), run.opts,
            lv.lprog, stats, window=t.small_window(n), window_months=t.small_window_months_for(n),
            widen_months=t.small_widen_months_for(n), bud=bud)
        bud.charge(work)
        run.lns_work[lv.name] = round(work, 2)
        if "window_groups" in stats:
            run.lns_windows[lv.name] = {"groups": stats["window_groups"], "work": round(stats["window_work"], 3),
                                        "months": stats["window_months"],
                                        **({"widened_at": stats["widened_at"]} if "widened_at" in stats else {})}
        if moved is not None:
            lv.plan, lv.value = moved, run.value(lv.name, moved)
            if lv.bound is not None and lv.value <= lv.bound:
                lv.sname = Status.OPTIMAL
                lv.by = StoppedBy.PROOF if lv.by == StoppedBy.WORK else lv.by
        run.interrupted = run.interrupted or stopped
        # a plan from moves cut by the wall clock depends on speed, even at the bound
        lv.by = StoppedBy.INTERRUPTED if stopped else StoppedBy.WALL_CLOCK if moves_wall else lv.by
        speed = lv.by == StoppedBy.WALL_CLOCK  # the first search or the moves depended on speed
        left = lv.level_budget_all - bud.cost(spent + work, lv.t0)
        if lv.sname != Status.OPTIMAL and not run.interrupted and left >= t.min_search_share * lv.level_budget_all:
            self._again(run, lv, left, speed)
        lv.secs = lv.elapsed()
        return False

    @staticmethod
    def _again(run: Run, lv: Level, left: float, speed: bool) -> None:
        """What the moves left: CP-SAT again, from the improved plan, for the proof the shorter
        first search may have missed."""
        run.rm.hint(lv.plan)
        again, st2, stopped2 = _search(run.rm, lv.name, left, run.opts, run.bud, lv.lprog)
        run.bud.charge(min(again.deterministic_time, left))
        run.interrupted = run.interrupted or stopped2
        if st2 in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if int(round(again.objective_value)) < lv.value:
                lv.plan, lv.value = run.rm.read_assignment(again), int(round(again.objective_value))
            if int(round(again.best_objective_bound)) > lv.bound:
                lv.bound, lv.bound_by = int(round(again.best_objective_bound)), BoundBy.CP_SAT
            if st2 == cp_model.OPTIMAL or lv.value <= lv.bound:
                lv.sname, lv.bound = Status.OPTIMAL, lv.value
        lv.by = StoppedBy.INTERRUPTED if stopped2 else StoppedBy.PROOF if lv.sname == Status.OPTIMAL else \
            _stopped_by(again, st2, stopped2, run.opts.deterministic)
        if speed and lv.by != StoppedBy.INTERRUPTED:
            lv.by = StoppedBy.WALL_CLOCK  # what came before depended on the machine's speed


class Record(Step):
    why = "every level: its result on record, the level fixed, the next level warm-started from the plan"

    def run(self, run: Run, lv: Level) -> bool:
        if lv.lp_wall and lv.by != StoppedBy.INTERRUPTED:
            lv.by = StoppedBy.WALL_CLOCK  # a probe's charge depended on speed: later budgets do too
        run.settle(LevelResult(lv.name, lv.sname, lv.value, lv.bound, lv.secs, lv.by, lv.bound_by), lv.plan)
        log.debug("level %s: %s value=%s bound=%s in %.2fs", lv.name, lv.sname, lv.value, lv.bound, lv.secs)
        return True


def _settled_by_lp(run: Run, lv: Level, lf: Shortened, plan: Assignment, wall: bool) -> bool:
    """Settle the finish level when an LP shortening ended it (interrupted or proven)."""
    done = finish_settled(lf, lv.elapsed(), wall)
    if done is None:
        return False
    run.interrupted = run.interrupted or lf.interrupted
    run.settle(done, plan)
    return True


def _shorten(run: Run, plan: Assignment, floor: int, allowance: float,
             floor_by: str = BoundBy.CAPACITY) -> Shortened | None:
    """lp.finish.shorten within ``allowance`` (deterministic seconds, or wall seconds in the plain
    mode) and the run's wall-clock backstop; its probes and repairs go on the run's record. None
    when LP finish proofs are off."""
    opts = run.opts
    if not opts.tuning.lp_finish_proof:
        return None
    out = shorten(run.inst, plan, floor, run.known, work=allowance, wall_limit=run.bud.backstop(allowance),
                  seed=opts.seed, floor_by=floor_by, tuning=opts.tuning)
    run.probes.extend(out.probes)
    run.repairs.extend(out.repairs)
    return out


def _window_moves(inst: Instance, start: Assignment, name: str, fixed: tuple[str, ...],
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

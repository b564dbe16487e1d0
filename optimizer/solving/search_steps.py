"""The steps of a level from its CP-SAT search on: the search, the LP shortening of the finish
after it, the window moves and second search of mid-sized instances after it, and the record
(optimizer.solving.steps lists them in its table)."""

from __future__ import annotations

import logging

from ortools.sat.python import cp_model

from optimizer.solving import level_moves
from optimizer.solving.cpsat import _search, _stopped_by
from optimizer.solving.level import Level, Run, finish_of, shorten_finish
from optimizer.solving.lp.finish import ruled_out_bound
from optimizer.solving.result import LevelResult
from optimizer.solving.status import BoundBy, Status, StoppedBy
from optimizer.solving.step import Step

log = logging.getLogger("optimizer.solving.solver")


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
        lf = shorten_finish(run, lv.plan, lv.bound, allowance, lv.bound_by)
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
        moved, work, stopped, moves_wall = level_moves.level_moves(
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

"""Large-neighbourhood search over windows of months (window moves).

On thousands of groups CP-SAT spends much of a short time limit presolving
and loading the whole model, and on two cores its own neighbourhood workers
get little time. The moves that improve a rollout plan are local in time,
though: pull the groups of the last months into the room left in earlier
months (finish), or swap eager and reluctant groups between neighbouring
months (waiting, assisted). :func:`improve` does that: it frees every group of
a window of months, builds the window as an instance of its own
(:func:`window_instance`: those groups, those months with their full capacity,
each group's months narrowed by the fixed rest of the plan: window, blackout,
production-opens, risk-delay and its `after` partners outside the window) and
solves it with the normal model (:mod:`optimizer.model`) on one CP-SAT worker,
two windows at a time on disjoint months. A window holds either only
production months or only the pilot-stage months (the stage window, tried
first: a pilot stage packed into fewer months lets production open earlier).

- finish: windows on the last months, the last month with the months that
  have the most room, and sweeps over all months; inside a window the
  objective is the finish, then the users' months (size x month), so every
  move that brings users forward counts and room gathers at the end. Windows
  grow twice as wide whenever a round finds nothing.
- waiting, assisted: sweeps of consecutive-month windows, shifted by half a
  window every other pass. For consecutive months the window's waiting is the
  plan's waiting minus a constant (month t is t - first in the window), so a
  better window is a better plan, and levels already fixed stay fixed inside
  the window.

Every accepted move gives a plan that keeps every rule (the merged plan is
checked against the `after` pairs between windows solved at the same time).
Deterministic: windows come in a fixed order, each solve has a fixed seed and
a deterministic work limit, so the same input gives the same plan.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import numpy as np
from ortools.sat.python import cp_model

from optimizer.domain import Choices, Instance
from optimizer.model import UNBOUNDED, RolloutModel, month_user_capacity
from optimizer.solving.month_bounds import bounds_of, production_start, stage_end
from optimizer.plan import Plan
from optimizer.solving.tuning import DEFAULT_TUNING, Tuning

log = logging.getLogger(__name__)



def window_instance(inst: Instance, plan: Choices, months: list[int],
                    levels: tuple[str, ...]) -> tuple[Instance, list[int]] | None:
    """The sub-instance of the given months (ascending): their groups, those months
    with full capacity, each group's months narrowed by the fixed rest of the plan
    (:mod:`optimizer.solving.month_bounds`). Either all its groups are production
    (the stage rules become each group's first month) or all are pilot-stage (the stage
    window, months 0..last stage month, keeps pilot-first). Returns (window instance, plan
    indices of its groups in order), or None when the months mix the two."""
    G, r = inst.groups, inst.rules
    inside = set(months)
    free = [i for i in sorted(plan) if plan[i][0] in inside]
    stage = bool(free) and all(G[i].pilot_stage for i in free)
    if not free or not stage and any(G[i].pilot_stage for i in free):
        return None  # pilot stage and production are never moved together
    end = stage_end(inst, plan)
    if stage and months[-1] > end:
        return None  # pilot-stage groups only move within the stage's months (never later)
    free_set = set(free)
    bounds = bounds_of(inst)
    fixed = {i: t for i, (t, _) in plan.items() if i not in free_set}
    groups = []
    for i in free:
        g = G[i]
        # the stage window keeps the stage rules inside; production windows get them as months
        lo = bounds.lower(i, fixed, stage_end=-1 if stage else end)
        ok = bounds.allowed(i, lo, bounds.after_upper(i, fixed, months[-1]), inside)
        if not ok:  # cannot happen for a valid plan (its own month is allowed)
            return None
        allowed = set(ok)
        groups.append(dataclasses.replace(
            g,
            earliest=inst.months[ok[0]].label,
            latest=inst.months[ok[-1]].label,
            blackout=tuple(inst.months[t].label for t in months if ok[0] < t < ok[-1] and t not in allowed),
            after=tuple(G[h].name for h in bounds.pred[i] if h in free_set),
        ))
    # Production windows: opening and risk delay are already in each group's months.
    rules = dataclasses.replace(r, objective=levels) if stage else \
        dataclasses.replace(r, stage_gap=0, risk_delay=0, objective=levels)
    sub = Instance(tuple(groups), tuple(inst.months[t] for t in months), rules,
                   name=f"{inst.name}[{inst.months[months[0]].label}..{inst.months[months[-1]].label}]")
    return sub, free


def window_wall(work: float) -> float:
    """Wall-clock backstop (seconds) of a window solve with this work limit."""
    return DEFAULT_TUNING.window_wall_per_work * work + 1


def _solve_window(inst: Instance, plan: Choices, months: list[int], level: str,
                  fixed: tuple[str, ...], work: float, seed: int,
                  wall_left: float | None = None) -> tuple[Choices, float, bool] | None:
    """Re-optimise ``level`` inside the window, earlier levels kept. Returns the
    window's new assignments (plan indices, plan months), the work used and whether the
    wall clock (its backstop, or ``wall_left`` seconds when less) ended the solve before
    its work limit, or None when the window holds pilot-stage groups."""
    built = window_instance(inst, plan, months, fixed + (level,))
    if built is None:
        return None
    sub, free = built
    pos = {t: j for j, t in enumerate(months)}
    local = {j: (pos[plan[i][0]], plan[i][1]) for j, i in enumerate(free)}
    rm = RolloutModel(sub)
    current = _values(rm, local)
    for name in fixed:
        if name != "finish":  # the window's months already keep the finish
            rm.fix_level(name, -UNBOUNDED, current[name])
    real = np.array(months, dtype=np.int64)
    if level == "finish":
        # finish first, then the users' months (sum of size x plan month): every move
        # that brings users forward is progress, and frees the last months step by step.
        user_months = rm.sizes[rm.gx] * real[rm.tx]
        weight = int(rm.sizes.sum()) * (months[-1] + 1) + 1
        rm.set_objective_terms([rm.finish] + list(range(rm.n_x)), [weight] + user_months.tolist())
    else:
        rm.set_objective(level)
    rm.hint(local)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.catch_sigint_signal = False  # Ctrl-C belongs to the caller
    solver.parameters.max_deterministic_time = work
    cap = window_wall(work) if wall_left is None else max(min(window_wall(work), wall_left), 0.0)
    solver.parameters.max_time_in_seconds = cap  # a backstop only
    status = solver.solve(rm.model)
    # Not proven and stopped short of its work limit (or at the backstop): the wall clock ended
    # it, and what it found depends on the machine's speed.
    cut = status not in (cp_model.OPTIMAL, cp_model.INFEASIBLE) and (
        solver.deterministic_time < work or solver.wall_time >= 0.99 * cap)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return {}, solver.deterministic_time, cut  # nothing within the work limit: no move
    new = rm.read_assignment(solver)

    def score(a: Choices) -> tuple[int, ...]:
        forward = sum(int(sub.groups[j].size) * months[t] for j, (t, _) in a.items())
        return (_values(rm, a)[level], forward if level == "finish" else 0)

    if score(new) >= score(local):
        return {}, solver.deterministic_time, cut
    return {free[j]: (months[t], k) for j, (t, k) in new.items()}, solver.deterministic_time, cut


def _finish_windows(inst: Instance, plan: Choices, opens: int, width: int, contiguous: bool):
    """Month sets for the finish level at this ``width``: the last months, then (unless
    the waiting level is already fixed, which needs consecutive months) the last month
    with the months that have the most unused capacity, where its groups can go. Wider
    windows come in later rounds, after a sweep (:func:`improve`)."""
    finish = max(t for t, _ in plan.values())
    users = [0] * (finish + 1)
    for i, (t, _) in plan.items():
        users[t] += inst.groups[i].size
    slack = sorted(range(opens, finish), key=lambda t: (-(month_user_capacity(inst, t) - users[t]), t))
    yield list(range(max(opens, finish - width + 1), finish + 1))
    if not contiguous and width - 1 < len(slack):
        yield sorted(slack[:width - 1]) + [finish]


def _values(rm: RolloutModel, assignment: Choices) -> dict[str, int]:
    return Plan.from_indices(rm.inst, assignment).objective_values()


def _after_ok(inst: Instance, plan: Choices, moved: Choices) -> bool:
    """The `after` pairs touching moved groups still hold in plan + moved."""
    return bounds_of(inst).after_holds(plan, moved)


def improve(inst: Instance, plan: Choices, level: str, fixed: tuple[str, ...], *,
            budget: float, seed: int = 0, wall_limit: float | None = None,
            report: Callable[[Choices], None] | None = None,
            stats: dict | None = None, window: tuple[int, float] | None = None,
            window_months: int | None = None, widen_months: int | None = None,
            tuning: Tuning = DEFAULT_TUNING) -> tuple[Choices, float]:
    """Improve ``level`` of a valid ``plan`` (earlier ``fixed`` levels kept) with window
    moves for ``budget`` deterministic seconds. Returns (plan, work used); ``stats``, when
    given, gets ``wall_clock = True`` if the wall-clock limit ended the moves (the plan
    then depends on the machine's speed). ``window`` = (groups, work limit) sets the window
    size and each window's work (default: ``tuning.window_groups`` / ``tuning.later_window_groups``
    and work scaled with them; small instances use windows sized to the instance);
    ``window_months`` instead sets the windows' width in months (``stats`` gets the width used
    as ``window_months`` either way). ``widen_months``: on the waiting and assisted levels, once
    two sweeps in a row find nothing, sweep on with windows that many months wide (when there
    is time left and they are wider than before and not the whole plan); ``stats`` gets
    ``widened_at`` (work used by then). On the finish level ``window_months`` is the starting
    width (its windows double when they stall)."""
    plan = dict(plan)
    opens = production_start(inst, plan)
    months = max(t for t, _ in plan.values()) - opens + 1
    if months < 2:
        return plan, 0.0
    per_month = max(1.0, sum(1 for t, _ in plan.values() if t >= opens) / months)

    def width_for(groups: int) -> int:
        return int(min(months, max(2, round(groups / per_month))))

    if window is not None:
        groups, window_work = window
    else:
        groups = tuning.window_groups if level == "finish" else tuning.later_window_groups
        if width_for(groups) >= months:
            groups = tuning.window_groups  # larger windows would be the whole problem: the smaller ones
        window_work = tuning.window_work * groups / tuning.window_groups  # one window's work limit
    width = min(months, window_months) if window_months else width_for(groups)
    if stats is not None:
        stats["window_groups"], stats["window_work"], stats["window_months"] = groups, window_work, width
    if width >= months and level != "finish":
        return plan, 0.0  # one window would be the whole problem: leave it to CP-SAT
    moves = _Moves(inst, plan, level, fixed, budget, seed, wall_limit, report, stats, tuning, opens, width,
                   window_work)
    try:
        moves.stage_window()
        if level == "finish":
            moves.finish_rounds()
        else:
            moves.later_rounds(widen_months)
        return moves.plan, moves.used
    finally:
        moves.pool.shutdown(wait=True)


class _Moves:
    """The state of one call of :func:`improve`: the plan, the work used, the windows' width,
    and the two worker threads that solve two disjoint windows at a time."""

    def __init__(self, inst: Instance, plan: Choices, level: str, fixed: tuple[str, ...], budget: float,
                 seed: int, wall_limit: float | None, report: Callable[[Choices], None] | None,
                 stats: dict | None, tuning: Tuning, opens: int, width: int, window_work: float) -> None:
        self.inst, self.plan, self.level, self.fixed, self.budget = inst, plan, level, fixed, budget
        self.seed, self.wall_limit, self.report, self.stats, self.tuning = seed, wall_limit, report, stats, tuning
        self.opens, self.width, self.window_work = opens, width, window_work
        self.t0 = time.perf_counter()
        self.used = 0.0
        self.pool = ThreadPoolExecutor(max_workers=2)

    def finish(self) -> int:
        return max(t for t, _ in self.plan.values())

    def months_total(self) -> int:
        return self.finish() - self.opens + 1

    def wall_cut(self) -> None:
        if self.stats is not None:
            self.stats["wall_clock"] = True

    def out_of_time(self) -> bool:
        if self.used >= self.budget:
            return True
        if self.wall_limit is not None and time.perf_counter() - self.t0 >= self.wall_limit:
            self.wall_cut()
            return True
        return False

    def wall_left(self) -> float | None:
        return None if self.wall_limit is None else self.wall_limit - (time.perf_counter() - self.t0)

    def solve(self, months: list[int], work: float):
        """One window's result (moved groups, work, wall-clock cut), its wall-clock cut on record."""
        res = _solve_window(self.inst, self.plan, months, self.level, self.fixed, work, self.seed, self.wall_left())
        return self._solved(res)

    def _solved(self, res):
        if res is not None and res[2]:
            self.wall_cut()
        return res

    def stage_window(self) -> None:
        """The stage window first: a pilot stage packed into fewer months lets production open
        earlier (finish), eager pilots go first (waiting)."""
        inst, plan = self.inst, self.plan
        last_stage = stage_end(inst, plan)
        if not (any(g.pilot_stage for g in inst.groups) and last_stage >= 0 and not self.out_of_time()):
            return
        res = self.solve(list(range(last_stage + 1)), min(self.tuning.window_work, self.budget - self.used))
        if res is not None:
            self.used += res[1]
        if res is not None and res[0]:
            plan.update(res[0])
            self.opens = production_start(inst, plan)
            if self.report:
                self.report(plan)

    def sweep(self, shift: int, work: float) -> bool:
        """One pass of windows tiling the production months (shifted by ``shift``),
        two disjoint windows at a time. True if any window improved."""
        finish, width, plan = self.finish(), self.width, self.plan
        starts = list(range(self.opens - shift, finish + 1, width))
        windows = [list(range(max(self.opens, a), min(finish, a + width - 1) + 1)) for a in starts]
        windows = [w for w in windows if len(w) > 1]
        improved = False
        for n in range(0, len(windows), 2):
            if self.out_of_time():
                break
            share = min(work, self.budget - self.used)
            futs = [self.pool.submit(_solve_window, self.inst, plan, w, self.level, self.fixed, share, self.seed,
                                     self.wall_left()) for w in windows[n:n + 2]]
            results = [self._solved(f.result()) for f in futs]
            self.used += max((res[1] for res in results if res), default=0.0)
            for res in results:
                if res and res[0] and _after_ok(self.inst, plan, res[0]):
                    plan.update(res[0])
                    improved = True
            if improved and self.report:
                self.report(plan)
        return improved

    def finish_rounds(self) -> None:
        """The finish level: windows on the last months (and the months with room) shorten the
        plan; sweeps over all months pull users forward, which moves the room to the end."""
        shift = 0
        self.effort = 1.0  # doubles after a round in which no window improved
        self.since = 0.0  # work used when the finish last went down
        while not self._stalled():
            finish = self.finish()
            improved = self._last_months(finish)
            if self.finish() < finish:
                continue
            if self._stalled():
                break
            improved = self.sweep(shift, self.effort * self.window_work) or improved
            shift = self.width // 2 if shift == 0 else 0
            if self.finish() < finish:
                self.since = self.used  # the sweep emptied the last month: progress, new windows
                continue
            if not improved:
                # a local optimum for these windows: try windows twice as wide
                if self.width >= self.months_total():
                    break
                self.width = min(self.months_total(), 2 * self.width)
                self.effort *= 2

    def _stalled(self) -> bool:
        return self.out_of_time() or self.used - self.since >= self.tuning.stall * self.budget

    def _last_months(self, finish: int) -> bool:
        """The windows of :func:`_finish_windows`, until one empties the last month. True if
        any window improved."""
        improved = False
        for months_ in _finish_windows(self.inst, self.plan, self.opens, self.width,
                                       contiguous="waiting" in self.fixed):
            if self._stalled():
                break
            res = self.solve(months_, min(self.window_work * len(months_) / self.width * self.effort,
                                          self.budget - self.used,
                                          self.since + self.tuning.stall * self.budget - self.used))
            if res is None:
                continue
            moved, work, _ = res
            self.used += work
            if moved:
                self.plan.update(moved)
                improved = True
                if self.report:
                    self.report(self.plan)
                if self.finish() < finish:
                    log.debug("lns finish: months %s -> finish %d", months_, finish - 1)
                    self.since = self.used
                    break  # a new last month: new windows
        return improved

    def later_rounds(self, widen_months: int | None) -> None:
        """Waiting / assisted: sweeps, shifted by half a window every other pass; when two in a
        row find nothing, once more with wider windows if asked to."""
        idle, shift = 0, 0
        while not self.out_of_time():
            idle = 0 if self.sweep(shift, self.window_work) else idle + 1
            shift = self.width // 2 if shift == 0 else 0
            if idle >= 2:
                if self.out_of_time() or not widen_months or widen_months <= self.width \
                        or widen_months >= self.months_total():
                    break
                self.width, idle, shift = widen_months, 0, 0
                if self.stats is not None:
                    self.stats["window_months"], self.stats["widened_at"] = self.width, round(self.used, 3)


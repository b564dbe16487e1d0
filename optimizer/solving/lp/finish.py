"""The finish level from the LP relaxation: bisection on the month, a plan at each step.

Two tools answer the finish level between them on large instances, where CP-SAT often
neither finds the shortest plan nor proves it (docs/benchmarks.md):

- :func:`optimizer.solving.lp.relaxation.finish_probe` asks GLOP whether a fractional plan finishes by
  month T. "No" rules out T and every earlier month;
- :func:`optimizer.solving.lp.rounding.repair_to_month` turns the fractional plan of a "yes" into a real
  plan by month T, most of the time.

:func:`shorten` bisects between what is ruled out and the finish of the plan in hand: it
asks about the middle month; a "no" moves the lower bound up, a "yes" is handed to the
repair, and a repaired plan moves the upper end down. It ends when the two meet (the plan
is then optimal), when the budget is spent, or when a probe has no answer. Every month it
asked about is remembered in ``known``, so later calls (after the window moves or the
CP-SAT search) never ask twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from optimizer.checker import check_plan
from optimizer.domain import Choices, Instance
from optimizer.plan import Plan
from optimizer.solving.lp.relaxation import Probe, finish_probe
from optimizer.solving.lp.rounding import Rounding, repair_to_month
from optimizer.solving.budget import Budget
from optimizer.solving.status import BoundBy
from optimizer.solving.tuning import DEFAULT_TUNING, Tuning

log = logging.getLogger(__name__)


@dataclass(kw_only=True)
class _LpSteps:
    """The LP probes and repairs one call made, their charge and how they ended; :meth:`probe`
    and :meth:`repair` make one, record it and charge it to the call's :class:`Budget`."""

    probes: list[Probe] = field(default_factory=list)
    repairs: list[Rounding] = field(default_factory=list)
    #: the call's work allowance (deterministic seconds) and wall-clock limit, and what it charged
    budget: Budget = field(default_factory=lambda: Budget.for_step(float("inf"), float("inf")))
    interrupted: bool = False
    #: a probe was stopped by its wall-clock backstop, or the steps by theirs (the result then
    #: depends on speed)
    wall_clock: bool = False

    def probe(self, inst: Instance, month: int, work: float, wall_limit: float, **price) -> Probe:
        """A probe with its fractional plan (``finish_probe(plan=True)``), recorded."""
        probe = finish_probe(inst, month, work=work, wall_limit=wall_limit, plan=True, **price)
        self.probes.append(probe)
        self.budget.charge(probe.work)
        self.wall_clock = self.wall_clock or probe.wall_clock
        self.interrupted = self.interrupted or probe.interrupted
        return probe

    def repair(self, inst: Instance, month: int, x, work: float, seed: int) -> Choices | None:
        """A repair of ``x``, recorded: its plan if the independent checker accepts it (it has the
        last word on every plan passed on), else None."""
        rep = repair_to_month(inst, month, x, work=work, seed=seed)
        self.repairs.append(rep)
        self.budget.charge(rep.work)
        log.debug("repair to month %d: %s (overflow %d -> %d, %d steps, %.2f s)", month,
                  "plan" if rep.plan else "no plan", rep.start_overflow, rep.overflow, rep.steps, rep.seconds)
        if rep.plan is None or check_plan(Plan.from_indices(inst, rep.plan)):
            return None
        return rep.plan

    @property
    def work(self) -> float:
        """Deterministic seconds charged."""
        return self.budget.work

    def wall_left(self) -> float:
        """Wall seconds left of the budget's; none left marks the steps as ended by the wall
        clock (a faster machine would have gone on: the result depends on speed)."""
        left = self.budget.wall_left()
        if left <= 0:
            self.wall_clock = True
        return left


@dataclass
class Shortened(_LpSteps):
    """What :func:`shorten` found."""

    plan: Choices
    #: every month below this is ruled out (by the capacity floor or an LP probe)
    bound: int
    #: "lp relaxation" when a probe gave the bound, "capacity" when the floor did
    bound_by: str

    @property
    def finish(self) -> int:
        return max(t for t, _ in self.plan.values())

    @property
    def proven(self) -> bool:
        return self.bound >= self.finish


def ruled_out_bound(floor: int, known: dict[int, str], floor_by: str = BoundBy.CAPACITY) -> tuple[int, str]:
    """The finish bound from ``floor`` (where it comes from: ``floor_by``) and the months in
    ``known`` the LP ruled out: (bound, "lp relaxation" or ``floor_by``)."""
    ruled_out = [m + 1 for m, status in known.items() if status == "infeasible"]
    if ruled_out and max(ruled_out) > floor:
        return max(ruled_out), BoundBy.LP
    return floor, floor_by


def shorten(inst: Instance, plan: Choices, floor: int, known: dict[int, str], *, work: float,
            wall_limit: float, seed: int = 0, floor_by: str = BoundBy.CAPACITY,
            tuning: Tuning = DEFAULT_TUNING) -> Shortened:
    """Bisect for the shortest plan between ``floor`` (no plan finishes earlier) and the
    finish of ``plan`` (a valid plan), within ``work`` deterministic and ``wall_limit`` wall
    seconds. ``known`` maps months already asked about to "infeasible" (ruled out) or
    "tried" (the relaxation allows it; no plan was found) and is updated. ``floor_by`` names
    where the floor comes from (the capacity rows, or a CP-SAT bound)."""
    out = Shortened(plan, *ruled_out_bound(floor, known, floor_by), budget=Budget.for_step(work, wall_limit))
    lo, hi = out.bound, out.finish - 1
    while lo <= hi:
        left = out.budget.left()
        if left <= 0:
            break
        wall_left = out.wall_left()
        if wall_left <= 0:
            break
        mid = (lo + hi) // 2
        if known.get(mid) == "tried":  # asked before and no plan found: look later
            lo = mid + 1
            continue
        probe = out.probe(inst, mid, left, wall_left)
        log.debug("LP relaxation, finish by month %d: %s (%.2f s, %d iterations)", mid, probe.status,
                  probe.seconds, probe.iterations)
        if probe.interrupted:
            break
        if probe.status == "infeasible":
            known[mid] = "infeasible"
            out.bound, out.bound_by = mid + 1, BoundBy.LP
            lo = mid + 1
            continue
        if probe.status != "feasible" or probe.x is None or out.budget.left() <= 0:
            break  # no answer, or no budget left to repair the fractional plan
        try:
            plan = out.repair(inst, mid, probe.x, tuning.repair_share * out.budget.left(), seed)
        except KeyboardInterrupt:
            out.interrupted = True
            break
        if plan is not None:
            out.plan = plan
            hi = out.finish - 1
        else:
            known[mid] = "tried"
            lo = mid + 1
    return out


@dataclass
class Started(_LpSteps):
    """What :func:`next_level_start` found: the best plan by the next level (the one given
    when no repair beat it), with the probes and repairs made and their charge."""

    plan: Choices
    value: int


def next_level_start(inst: Instance, month: int, plan: Choices, level: str, *, work: float,
                     wall_limit: float, seed: int = 0,
                     prices: tuple[float, ...] = DEFAULT_TUNING.start_prices) -> Started:
    """With the finish settled at ``month``: plans by ``month`` from LP probes that price
    tickets lower (``prices``) than the finish probes do, repaired; the best by objective
    ``level`` (the level after the finish) against ``plan``, within ``work`` deterministic and
    ``wall_limit`` wall seconds (shared evenly by the prices)."""
    out = Started(plan, Plan.from_indices(inst, plan).objective_values()[level],
                  budget=Budget.for_step(work, wall_limit))
    for n, price in enumerate(prices):
        share = out.budget.left() / (len(prices) - n)
        if share <= 0:
            break
        wall_left = out.wall_left()
        if wall_left <= 0:
            break
        try:
            probe = out.probe(inst, month, share, wall_left, ticket_price=price)
            if probe.interrupted:
                break
            if probe.x is None or share - probe.work <= 0:
                continue
            repaired = out.repair(inst, month, probe.x, share - probe.work, seed)
            if repaired is None:
                continue
            value = Plan.from_indices(inst, repaired).objective_values()[level]
        except KeyboardInterrupt:  # Ctrl-C: the best plan so far stands
            out.interrupted = True
            break
        log.debug("start for %s at ticket price %g: %d (had %d)", level, price, value, out.value)
        if value < out.value:
            out.plan, out.value = repaired, value
    return out

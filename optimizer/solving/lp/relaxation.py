"""Finish lower bounds from the model's LP relaxation, solved with GLOP.

The finish level is a packing problem: can every group fit in months 0..T? CP-SAT's
bound on it comes from the capacity rows (``model.add_redundant_capacity``) and its LP
workers; on thousands of groups those workers see the relaxation piece by piece and
rarely finish it within a time limit (2,000 x 24: CP-SAT's bound stayed at 16 for a
plan of 17 that HiGHS proved optimal). The relaxation itself is small work for a
simplex: OR-Tools' own GLOP (no extra dependency) answers "is there a fractional plan
that finishes by month T?" in about 2 s at 2,000 groups.

:func:`finish_probe` asks that question of the model built for months 0..T
(:class:`optimizer.model.RolloutModel` with ``max_month=T``: every rule, every group
split freely over its months and methods). If even that relaxation has no solution, no
plan finishes by month T. Two things keep that proof safe from floating-point noise:
each capacity row gets half a ticket (or seat) of room, which changes nothing for real
plans (their loads are whole numbers) but means GLOP's tolerances (about 1e-6) cannot
turn a barely feasible relaxation into "infeasible"; and rows that hold only under an
enforcement literal are left out (a relaxation stays a relaxation). No plan by T means none
by an earlier month either.

GLOP runs with a deterministic work limit (an iteration cap derived from the budget the
caller gives it), so a probe gives the same answer on every run; a probe cut by that limit
proves nothing (status ``unknown``). Its cost in the solver's deterministic budget is
:attr:`Probe.work`, computed from GLOP's iteration count (not the wall clock), so it never
exceeds the budget given and later levels get the same budget from run to run. A wall-clock
limit is a backstop only (a probe it stops is marked ``wall_clock``).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from ortools.linear_solver import linear_solver_pb2, pywraplp

from optimizer import interruptible
from optimizer.domain import Instance
from optimizer.model import UNBOUNDED, RolloutModel
from optimizer.solving.tuning import DEFAULT_TUNING

#: Room added to every capacity row of the relaxation (tickets or seats): loads are whole
#: numbers, so ``load <= cap + 1/2`` holds exactly when ``load <= cap`` does.
MARGIN = 0.5


@dataclass
class Probe:
    """One question to the LP relaxation: is there a fractional plan finishing by ``month``?"""

    month: int
    #: "infeasible" (no plan finishes by ``month``), "feasible" (the relaxation has one:
    #: no proof either way) or "unknown" (GLOP stopped without an answer)
    status: str
    seconds: float
    iterations: int
    #: the probe's cost in deterministic seconds (iterations x LP columns)
    work: float = 0.0
    #: Ctrl-C stopped it
    interrupted: bool = False
    #: the wall-clock backstop stopped it (the answer then depends on the machine's speed)
    wall_clock: bool = False
    #: with ``plan=True`` and a "feasible" answer: the value of every x variable of the model
    #: capped at ``month`` (the fractional plan the LP found; not recorded)
    x: np.ndarray | None = field(default=None, repr=False)
    #: the LP's price of a helpdesk ticket (in units of the level after the finish)
    ticket_price: float = DEFAULT_TUNING.ticket_price

    def record(self) -> dict:
        """JSON-ready summary (the solver's model statistics)."""
        return {"month": self.month, "status": self.status, "seconds": round(self.seconds, 3),
                "iterations": self.iterations, "work": round(self.work, 3),
                "interrupted": self.interrupted, "wall_clock": self.wall_clock,
                "ticket_price": self.ticket_price}


def _real(bound: int) -> float:
    """A model bound for the LP: the model's "unbounded" (+-2^50) becomes a real infinity."""
    return float(bound) if abs(bound) < 1 << 49 else float("inf") if bound > 0 else -float("inf")


def _lp_of(rm: RolloutModel, margin: float = MARGIN) -> linear_solver_pb2.MPModelProto:
    """The LP relaxation of ``rm``'s model (no objective), capacity rows with ``margin``."""
    p = rm.proto
    lp = linear_solver_pb2.MPModelProto()
    for v in p.variables:
        dom = list(v.domain)
        lp.variable.add(lower_bound=_real(dom[0]), upper_bound=_real(dom[-1]))
    capacity = set(rm.capacity_rows.values())
    for i, c in enumerate(p.constraints):
        if len(c.enforcement_literal):
            continue  # holds only under a literal: left out (still a relaxation)
        if c.has_exactly_one():
            lits = list(c.exactly_one.literals)
            lp.constraint.add(lower_bound=1, upper_bound=1, var_index=lits, coefficient=[1.0] * len(lits))
        elif c.has_linear():
            dom = list(c.linear.domain)
            # capacity rows, load - cap * open <= 0: whole numbers, so <= 1/2 is the same
            room = margin if i in capacity else 0.0
            lp.constraint.add(lower_bound=_real(dom[0]), upper_bound=_real(dom[-1]) + room,
                              var_index=list(c.linear.vars), coefficient=list(c.linear.coeffs))
        # other constraint kinds (only in guard mode) are left out
    return lp


@dataclass
class _Glop:
    """One GLOP run (:func:`_run_glop`)."""

    solver: pywraplp.Solver | None
    status: int
    seconds: float
    iterations: int
    work: float
    interrupted: bool = False
    wall_clock: bool = False


def _run_glop(build: Callable[[], linear_solver_pb2.MPModelProto | None], work: float,
              wall_limit: float | None) -> _Glop:
    """Build an LP with ``build`` (None: nothing to solve) and solve it with GLOP's dual
    simplex, within an iteration cap derived from ``work`` (deterministic seconds, charged
    iterations x columns x ``Tuning.work_per_iteration_column``, never more than ``work``) and
    ``wall_limit`` wall seconds (a backstop: a run it stops is marked ``wall_clock``). Ctrl-C,
    while building or solving, ends it ``interrupted``. The status is GLOP's
    (``pywraplp.Solver.NOT_SOLVED`` when nothing was solved)."""
    t0 = time.perf_counter()
    not_solved = pywraplp.Solver.NOT_SOLVED
    try:
        lp = build()
        if lp is None:
            return _Glop(None, not_solved, time.perf_counter() - t0, 0, 0.0)
        per_iteration = len(lp.variable) * DEFAULT_TUNING.work_per_iteration_column
        cap = int(work / per_iteration)
        if cap < 1:  # not even one iteration fits the budget
            return _Glop(None, not_solved, time.perf_counter() - t0, 0, 0.0)
        solver = pywraplp.Solver.CreateSolver("GLOP")
        solver.SetSolverSpecificParametersAsString(f"use_dual_simplex: true max_number_of_iterations: {cap}")
        if wall_limit is not None:
            solver.SetTimeLimit(max(1, int(1000 * wall_limit)))
        solver.LoadModelFromProto(lp)
        del lp
    except KeyboardInterrupt:  # Ctrl-C while building: no answer, the caller keeps its plan
        return _Glop(None, not_solved, time.perf_counter() - t0, 0, 0.0, interrupted=True)
    status, interrupted = interruptible.run(solver.Solve, solver.InterruptSolve, "glop")
    its = solver.iterations()
    # a limit stopped it (NOT_SOLVED) before its iteration cap: the wall-clock backstop did it
    wall = not interrupted and wall_limit is not None and status == not_solved and its < cap
    return _Glop(solver, status, time.perf_counter() - t0, its, min(its * per_iteration, work), interrupted, wall)


def finish_probe(inst: Instance, month: int, *, work: float = DEFAULT_TUNING.probe_work,
                 wall_limit: float | None = None, plan: bool = False,
                 ticket_price: float = DEFAULT_TUNING.ticket_price) -> Probe:
    """Is there a fractional plan (every rule, groups split over months and methods)
    that finishes by ``month``? ``infeasible`` proves no plan does. ``work`` caps the
    probe's charge (deterministic seconds, :attr:`Probe.work`), ``wall_limit`` its wall
    seconds (a backstop). Ctrl-C stops it (status ``unknown``, ``interrupted``).

    The LP minimises the helpdesk tickets, then the next objective level
    (``ticket_price`` per ticket, ``Tuning.ticket_price`` unless given); with ``plan=True`` a
    "feasible" answer carries that fractional plan (:attr:`Probe.x`, the start of
    :mod:`optimizer.solving.lp.rounding`)."""
    n_x = 0

    def build() -> linear_solver_pb2.MPModelProto | None:
        nonlocal n_x
        rm = RolloutModel(inst, max_month=month)
        if rm.max_month < month:  # the horizon ends first: nothing to prove here
            return None
        lp = _lp_of(rm)
        n_x = rm.n_x
        # Always with an objective: GLOP's dual simplex on the bare feasibility question is
        # degenerate and slow (2,000 x 24: 20-31 s instead of about 1 s; docs/benchmarks.md).
        cost = ticket_price * rm.tickets.astype(float)
        later = [lv for lv in inst.rules.objective if lv != "finish"]
        if later:
            terms = rm.objectives[later[0]]
            np.add.at(cost, np.asarray(terms.vars, dtype=np.int64), np.asarray(terms.coeffs, dtype=float))
        for i, c in enumerate(cost.tolist()):
            lp.variable[i].objective_coefficient = c
        return lp

    run = _run_glop(build, work, wall_limit)
    name = {pywraplp.Solver.INFEASIBLE: "infeasible", pywraplp.Solver.OPTIMAL: "feasible"}
    answer = "unknown" if run.interrupted else name.get(run.status, "unknown")
    x = None
    if plan and answer == "feasible":
        x = np.array([run.solver.variable(i).solution_value() for i in range(n_x)])
    return Probe(month, answer, run.seconds, run.iterations, run.work, run.interrupted, run.wall_clock, x,
                 ticket_price)


@dataclass
class LevelBound:
    """A lower bound on one objective level from the LP relaxation (GLOP)."""

    level: str
    #: the bound (None when GLOP gave no optimum within its budget)
    bound: int | None
    seconds: float
    iterations: int
    work: float = 0.0
    interrupted: bool = False
    wall_clock: bool = False
    #: GLOP's optimum, and the bound recomputed from its duals (:func:`dual_bound`)
    lp_value: float | None = None
    dual_value: float | None = None

    def record(self) -> dict:
        return {"level": self.level, "bound": self.bound, "seconds": round(self.seconds, 3),
                "iterations": self.iterations, "work": round(self.work, 3),
                "interrupted": self.interrupted, "wall_clock": self.wall_clock,
                "lp_value": self.lp_value, "dual_check": self.dual_value}


#: Relative tolerance taken off an LP optimum before it is used as a bound (GLOP's own
#: tolerances are about 1e-6 per row; the objectives here are sums of whole numbers).
BOUND_TOLERANCE = 1e-6


def level_bound(inst: Instance, max_month: int, level: str, fixed: dict[str, int], *,
                work: float = DEFAULT_TUNING.probe_work, wall_limit: float | None = None) -> LevelBound:
    """The least value of objective ``level`` over fractional plans that finish by
    ``max_month`` and keep every level in ``fixed`` (name -> value reached) at or below its
    value: a lower bound on the level for every such plan. The capacity rows get no extra room
    here (half a seat of room let the LP reach 298.5 where the optimum is 300); instead the LP
    optimum is rounded down by :data:`BOUND_TOLERANCE` (far more than GLOP's tolerances can
    move it) before it is rounded up to a whole number (the level's values are whole numbers).
    ``work`` and ``wall_limit`` as in :func:`finish_probe`."""

    def build() -> linear_solver_pb2.MPModelProto:
        rm = RolloutModel(inst, max_month=max_month)
        for name, value in fixed.items():
            if name != "finish":  # the finish is the months the model has
                rm.fix_level(name, -UNBOUNDED, value)
        lp = _lp_of(rm, margin=0.0)
        terms = rm.objectives[level]
        for v, c in zip(terms.vars, terms.coeffs):
            lp.variable[v].objective_coefficient += float(c)
        kept["lp"] = lp  # for the dual check below
        return lp

    kept: dict = {}
    run = _run_glop(build, work, wall_limit)
    bound = lp_value = dual = None
    if run.status == pywraplp.Solver.OPTIMAL and not run.interrupted:
        lp_value = run.solver.Objective().Value()
        dual = dual_bound(kept.pop("lp"), _duals(run.solver))
        # the dual check is the bound (never above GLOP's optimum, whatever its rounding)
        value = min(lp_value, dual)
        if math.isfinite(value):
            bound = max(0, math.ceil(value - BOUND_TOLERANCE * max(1.0, abs(value))))
    return LevelBound(level, bound, run.seconds, run.iterations, run.work, run.interrupted, run.wall_clock,
                      lp_value, dual)


def _duals(solver: pywraplp.Solver) -> np.ndarray:
    """GLOP's row duals; any finite multipliers give a valid :func:`dual_bound`, so one GLOP
    could not give (NaN or infinite) counts as 0."""
    y = np.array([c.dual_value() for c in solver.constraints()], dtype=float)
    return np.nan_to_num(y, nan=0.0, posinf=0.0, neginf=0.0)


def dual_bound(lp: linear_solver_pb2.MPModelProto, y: np.ndarray) -> float:
    """A lower bound on the minimum of ``lp`` from any row multipliers ``y`` (weak duality,
    checked without the LP solver): with d = c - A'y, every x within its bounds and rows has
    c'x = y'Ax + d'x >= sum_i y_i * (row i's lower bound if y_i > 0, upper if < 0) +
    sum_j min(d_j l_j, d_j u_j). A multiplier whose row side is infinite is taken as 0, so the
    bound is valid for whatever GLOP returns; with GLOP's optimal duals it equals the LP optimum
    up to rounding. -inf when a variable without a finite bound has a reduced cost pushing it
    there (not the case in our models: every variable is bounded)."""
    d = np.array([v.objective_coefficient for v in lp.variable], dtype=float)
    lo = np.array([v.lower_bound for v in lp.variable], dtype=float)
    hi = np.array([v.upper_bound for v in lp.variable], dtype=float)
    rows = 0.0
    for yi, row in zip(y.tolist(), lp.constraint):
        side = row.lower_bound if yi > 0 else row.upper_bound
        if yi == 0 or not math.isfinite(side):
            continue
        rows += yi * side
        np.subtract.at(d, np.asarray(row.var_index, dtype=np.int64), yi * np.asarray(row.coefficient, dtype=float))
    with np.errstate(invalid="ignore"):
        part = np.where(d > 0, d * lo, np.where(d < 0, d * hi, 0.0))
    if np.isnan(part).any():
        return -math.inf
    return rows + float(part.sum())

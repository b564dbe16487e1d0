"""Bounds for split instances from the LP relaxation of the model of parts (issue 15).

v1's probes (:mod:`optimizer.solving.lp.relaxation`) relax :class:`optimizer.model.RolloutModel`,
whose ticket rows charge a group's whole-group tickets in proportion to its users in a month.
With parts that is not a relaxation: tickets are rounded up per part, and a part can cost less
than its share of the whole group's rounded tickets (150 users at 1 ticket per 100: 2 tickets
whole, 1 for a part of 100). So those probes could cut a split optimum, and here the relaxation is
that of :class:`optimizer.model_parts.PartsModel` itself (users and tickets per part and method
as continuous values, the span and order rows that hold without an enforcement literal), with
the same safety as v1's: rows under an enforcement literal left out, GLOP's work capped by
iterations (a cut run proves nothing), half a ticket or seat of room on each capacity row for the
finish probe and, for the level bounds, no room but the weak-duality check of GLOP's duals
(``relaxation.dual_bound``). The implied ticket rows of :mod:`optimizer.model_parts_cuts` are in the
model (and so in its relaxation): the rounding up of a part's tickets that the plain relaxation loses.

The first implied row (a split group's tickets over its parts, each rounded up, at least its
whole-group tickets: ``sum_t tix[t,k] >= ceil(rate_k * size / 100) * z[k]``) is what proves the
finish 17 at 2,000 x 24: without it the LP charges a split group its fractional tickets, up to a
ticket less than any plan, and finds a fractional plan of parts by month 16 (docs/benchmarks.md,
"Split groups at scale: the fast build"). The LP is converted from a copy of the model's proto in
the protobuf library's own form (the CP-SAT proto's Python wrapper costs microseconds per field:
5 s against 0.7 s at 2,000 x 24).

* :func:`parts_finish_probe`: "infeasible" proves that no plan with parts finishes by a month.
* :func:`parts_level_bound`: a lower bound on a later level with the earlier levels fixed.
"""

from __future__ import annotations

import math
import os
import tempfile

from ortools.linear_solver import linear_solver_pb2, pywraplp
from ortools.sat import cp_model_pb2

from optimizer.domain import Instance
from optimizer.model_parts import PartsModel
from optimizer.model_parts_cuts import add_implied_rows
from optimizer.solving.lp.relaxation import BOUND_TOLERANCE, MARGIN, _duals, _real, _run_glop, dual_bound
from optimizer.solving.tuning import DEFAULT_TUNING


def _proto_copy(pm: PartsModel) -> cp_model_pb2.CpModelProto:
    """The model's proto as the protobuf library's message (through a temporary file: the
    CP-SAT wrapper has no bytes of its own)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.pb")
        pm.model.export_to_file(path)
        with open(path, "rb") as fh:
            return cp_model_pb2.CpModelProto.FromString(fh.read())


def _lp_of(pm: PartsModel, margin: float = MARGIN) -> linear_solver_pb2.MPModelProto:
    """The LP relaxation of ``pm``'s model (as optimizer.solving.lp.relaxation._lp_of: rows under
    an enforcement literal left out, capacity rows with ``margin`` of room: half a unit for the
    finish probe, none for the level bounds); the model carries the implied rows of
    :mod:`optimizer.model_parts_cuts` (see the module's doc)."""
    p = _proto_copy(pm)
    lp = linear_solver_pb2.MPModelProto()
    add_var, add_row = lp.variable.add, lp.constraint.add
    for v in p.variables:
        add_var(lower_bound=_real(v.domain[0]), upper_bound=_real(v.domain[-1]))
    capacity = set(pm.capacity_rows.values())
    for i, c in enumerate(p.constraints):
        if c.enforcement_literal:
            continue  # holds only under a literal: left out (still a relaxation)
        kind = c.WhichOneof("constraint")
        if kind == "exactly_one":
            lits = c.exactly_one.literals
            add_row(lower_bound=1, upper_bound=1, var_index=lits, coefficient=[1.0] * len(lits))
        elif kind == "linear":
            dom = c.linear.domain
            room = margin if i in capacity else 0.0
            add_row(lower_bound=_real(dom[0]), upper_bound=_real(dom[-1]) + room, var_index=c.linear.vars,
                    coefficient=c.linear.coeffs)
    return lp


def _with_objective(lp: linear_solver_pb2.MPModelProto, pm: PartsModel, level: str) -> float:
    """Put ``level``'s objective of ``pm`` on ``lp``; returns its constant offset."""
    pm.set_objective(level)
    obj = pm.proto.objective
    offset = float(obj.offset)
    for v, c in zip(obj.vars, obj.coeffs):
        if v < 0:  # a negated literal: c * (1 - x)
            offset += c
            lp.variable[-v - 1].objective_coefficient -= c
        else:
            lp.variable[v].objective_coefficient += c
    return offset


def _tickets_objective(lp: linear_solver_pb2.MPModelProto, pm: PartsModel) -> None:
    """Minimise the helpdesk tickets: per part for split groups, whole-group for the others."""
    tickets = pm.inst.rules.tickets
    for gv in pm.gs:
        for i in gv.ti.values():
            lp.variable[i].objective_coefficient = 1.0
        for (_t, k), i in gv.xi.items():
            lp.variable[i].objective_coefficient = float(tickets(gv.g.size, k))


def _model(inst: Instance, month: int, fixed: dict[str, int] | None = None) -> PartsModel | None:
    pm = PartsModel(inst, max_month=month)
    if pm.max_month < month:
        return None
    add_implied_rows(pm)
    for name, value in (fixed or {}).items():
        pm.fix_level(name, 0, value)
    return pm


def _months_after(lp: linear_solver_pb2.MPModelProto, pm: PartsModel, month: int) -> None:
    """No users, tickets or parts after ``month`` in ``pm``'s LP (a model built for more months:
    the same question as a model built up to ``month``, without building one)."""
    idx = []
    for gv in pm.gs:
        for d in (gv.xi, gv.ui, gv.ti):
            idx += [i for (t, _k), i in d.items() if t > month]
        for d in (gv.yi, gv.bfi, gv.bli):
            idx += [i for t, i in d.items() if t > month]
    for i in idx:
        lp.variable[i].upper_bound = 0.0
    lp.variable[pm.finish.index].upper_bound = float(month)


def parts_finish_probe(inst: Instance, month: int, *, work: float = DEFAULT_TUNING.probe_work,
                       wall_limit: float | None = None, pm: PartsModel | None = None) -> tuple[str, float, float]:
    """Is there a fractional plan of parts that finishes by ``month``? ("infeasible": no plan
    does, "feasible" or "unknown"; deterministic work charged; wall seconds). ``pm``: a model of
    parts built for at least ``month`` and no level fixed yet, reused instead of a new build."""

    def build():
        nonlocal pm
        if pm is not None and pm.max_month >= month:
            lp = _lp_of(pm)
            _months_after(lp, pm, month)
        else:
            pm = _model(inst, month)
            if pm is None:
                return None
            lp = _lp_of(pm)
        # an objective: the bare feasibility question is degenerate for the dual simplex; the
        # helpdesk tickets (2,000 x 24: 22,700 iterations against 43,000 with waiting, the
        # objective before; docs/benchmarks.md, "Split groups at scale: the fast build")
        _tickets_objective(lp, pm)
        return lp

    run = _run_glop(build, work, wall_limit)
    names = {pywraplp.Solver.INFEASIBLE: "infeasible", pywraplp.Solver.OPTIMAL: "feasible"}
    return ("unknown" if run.interrupted else names.get(run.status, "unknown")), run.work, run.seconds


def parts_level_bound(inst: Instance, max_month: int, level: str, fixed: dict[str, int], *,
                      work: float = DEFAULT_TUNING.probe_work, wall_limit: float | None = None,
                      pm: PartsModel | None = None) -> tuple[int | None, float, float]:
    """(a lower bound on ``level`` for plans of parts finishing by ``max_month`` that keep each
    level in ``fixed`` at most its value, or None; deterministic work charged; wall seconds).
    ``pm``: the solve's model of parts (built for ``max_month``, ``fixed`` already fixed in it),
    reused instead of a new build."""
    offset = 0.0
    kept: dict = {}

    def build():
        nonlocal offset, pm
        if pm is None:
            pm = _model(inst, max_month, fixed)
            if pm is None:
                return None
        lp = _lp_of(pm, margin=0.0)
        offset = _with_objective(lp, pm, level)
        kept["lp"] = lp  # for the dual check below
        return lp

    run = _run_glop(build, work, wall_limit)
    if run.interrupted or run.status != pywraplp.Solver.OPTIMAL:
        return None, run.work, run.seconds
    # no room on the capacity rows (as v1's level_bound): the bound is the weak-duality check of
    # GLOP's duals, never above its optimum whatever its rounding; every level is a whole number
    value = min(run.solver.Objective().Value(), dual_bound(kept.pop("lp"), _duals(run.solver))) + offset
    if not math.isfinite(value):
        return None, run.work, run.seconds
    return int(math.ceil(value - BOUND_TOLERANCE * max(1.0, abs(value)))), run.work, run.seconds

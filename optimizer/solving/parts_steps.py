"""Which steps of the solve strategy run on split instances, decided in one place (issue 15), and
the LP steps of the split path (:mod:`optimizer.solving.lp.parts_bounds`).

v1's steps assume whole groups: the LP shortening of the finish and its repair
(optimizer.solving.lp.rounding) move whole groups, the window moves re-solve sub-instances of
:class:`optimizer.model.RolloutModel`, and v1's LP probes charge whole-group tickets in
proportion (not a relaxation with tickets rounded per part). :func:`parts_steps` says what the
split path (optimizer.solving.parts) does instead; docs/architecture.md has it as a table.
"""

from __future__ import annotations

import logging
import time

from optimizer.model_parts import PartsModel
from optimizer.plan import Plan
from optimizer.solving.budget import Budget
from optimizer.solving.lp.parts_bounds import parts_finish_probe, parts_level_bound
from optimizer.solving.parts_moves import improve_parts
from optimizer.solving.tuning import Tuning

log = logging.getLogger(__name__)


def parts_steps(tuning: Tuning) -> dict[str, bool]:
    """The steps of the split path and whether each runs (in their order)."""
    return {
        "greedy start with parts": True,
        "whole-group pass (v1's solver, every group whole)": tuning.whole_share > 0,
        "LP finish probe (relaxation of the model of parts)": tuning.lp_finish_proof,
        "LP level bound (relaxation of the model of parts)": tuning.lp_level_bound,
        # both only up to Tuning.parts_lp_max_group_months groups x months
        "CP-SAT search per level on the model of parts": True,
        "LP shortening / LP repair of the finish (whole groups only)": False,
        "LP starts of the level after the finish (whole groups only)": False,
        # only up to Tuning.parts_moves_max_group_months groups x months
        "window moves on the model of parts (later levels, before the search)": tuning.parts_moves_share > 0,
        "window moves (sub-instances of the v1 model)": False,
    }


def lp_settle(pm: PartsModel, name: str, first: bool, start: Plan | None, fixed: dict[str, int],
              budget: float, opts, bud: Budget, build_seconds: float):
    """The LP step before a level's search: (a LevelResult when the LP proves ``start`` optimal
    so no search is needed, else None; the LP's lower bound or None). The LP is that of ``pm``
    (the solve's model: no second build); skipped when the wall time left is less than twice the
    model's build (the LP's own build and GLOP take about as long), and above
    ``Tuning.parts_lp_max_group_months`` groups x months (too slow there to pay off). The finish
    probe may use the level's whole budget, a later level's bound the share ``Tuning.start_share``
    of it; the LP's work is charged to ``bud``."""
    from optimizer.solving.solver import LevelResult
    t, inst = opts.tuning, pm.inst
    if start is None or bud.wall_left() < 2 * build_seconds or \
            len(inst.groups) * (pm.max_month + 1) > t.parts_lp_max_group_months:
        return None, None
    value = start.objective_values()[name]
    work_cap = min(t.probe_work, max(t.start_share * budget, 0.0))
    t0 = time.perf_counter()
    if first and name == "finish":
        if not t.lp_finish_proof or value == 0:
            return None, None
        # the probe may use the level's whole budget: at 2,000 x 24 it proves the finish (about 6
        # deterministic seconds) where CP-SAT's search did not in 60 s (docs/benchmarks.md)
        answer, work, secs = parts_finish_probe(inst, value - 1, work=min(t.probe_work, max(budget, 0.0)),
                                                wall_limit=bud.wall_left(), pm=pm)
        log.info("LP finish probe of the model of parts at month %d: %s (%.1f s, work %.2f)",
                 value - 1, answer, secs, work)
        bud.charge(work)
        if answer == "infeasible":  # no plan of parts finishes a month earlier
            return LevelResult(name, "optimal", value, value, time.perf_counter() - t0, "proof",
                               "lp relaxation"), value
        return None, None
    if not t.lp_level_bound:
        return None, None
    bound, work, secs = parts_level_bound(inst, pm.max_month, name, fixed, work=work_cap, wall_limit=bud.wall_left(),
                                          pm=pm)
    log.info("LP bound of %s on the model of parts: %s (%.1f s, work %.2f)", name, bound, secs, work)
    bud.charge(work)
    if bound is not None and value <= bound:
        return LevelResult(name, "optimal", value, bound, time.perf_counter() - t0, "proof", "lp relaxation"), bound
    return None, bound


def parts_moves(pm: PartsModel, name: str, start: Plan | None, budget: float, opts, bud: Budget,
                progress, fixed: dict[str, int] | None = None) -> tuple[Plan | None, float, bool, bool]:
    """Window moves on the model of parts (optimizer.solving.parts_moves) for a level after the
    first (``fixed``: the earlier levels' values), on ``Tuning.parts_moves_share`` of its ``budget``: (a better plan or None, their cost in
    the budget's unit, charged to ``bud``; interrupted by Ctrl-C?; ended by the wall clock, so
    the plan depends on the machine's speed?). Skipped without a start plan
    or a share, and above ``Tuning.parts_moves_max_group_months`` groups x months."""
    t = opts.tuning
    if start is None or t.parts_moves_share <= 0 or \
            len(pm.inst.groups) * (pm.max_month + 1) > t.parts_moves_max_group_months:
        return None, 0.0, False, False
    t0 = time.perf_counter()
    before = start.objective_values()[name]

    last: list[Plan] = []

    def report(plan: Plan) -> None:
        last[:] = [plan]
        if progress:
            progress(name, float(plan.objective_values()[name]), float("nan"), time.perf_counter() - t0)

    stats: dict = {}
    share = t.parts_moves_share * budget
    wall = bud.backstop(share, t.moves_deadline_margin)
    if bud.deterministic:
        # a window's deterministic second takes 2-4 wall seconds (small models, one worker: more
        # than a search's): the moves get the share of the wall time left that their work is of
        # the work left, not wall_factor x their work, which cut them after a few windows
        wall = max(min(bud.wall_left() - t.moves_deadline_margin, bud.wall_left() * share / max(bud.left(), share)), 0.0)
    try:
        plan, work = improve_parts(pm, start, name, budget=share, window_months=t.parts_window_months,
                                   window_work=t.parts_window_work, seed=opts.seed,
                                   wall_limit=wall, report=report,
                                   stats=stats, limits=fixed)
    except KeyboardInterrupt:  # Ctrl-C: the best plan the moves reported (each one checked)
        return (last[0] if last else None), bud.cost(0.0, t0), True, False
    bud.charge(work)
    log.debug("level %s: window moves on parts %s -> %s (%.2f deterministic s, %s)", name, before,
              plan.objective_values()[name], work, stats)
    return (plan if plan.objective_values()[name] < before else None), bud.cost(work, t0), False, \
        bool(stats.get("wall_clock"))

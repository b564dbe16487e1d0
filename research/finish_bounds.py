"""Research on the finish level's LP bounds, not used by the product (the solver probes with
:func:`optimizer.solving.lp.relaxation.finish_probe` inside its own budget).

- :func:`least_violation` checks a probe's "infeasible" without taking GLOP's word for it
  (``scripts/certify_finish.py``; docs/model.md, "LP bounds").
- :func:`finish_lower_bound` probes month after month from a known bound.
"""

from __future__ import annotations

import math
import time

import numpy as np
from ortools.linear_solver import pywraplp

from optimizer.domain import Instance
from optimizer.model import RolloutModel
from optimizer.solving.tuning import DEFAULT_TUNING
from optimizer.solving.lp.relaxation import Probe, _duals, _lp_of, _run_glop, dual_bound, finish_probe


def least_violation(inst: Instance, month: int) -> tuple[float, float] | None:
    """A check of a finish probe's "infeasible" that does not take GLOP's word for it: the
    probe's LP (months 0..``month``, capacity rows with :data:`MARGIN`) with every row made
    elastic (two free slacks per row) and the total slack minimised. Returns (GLOP's least total
    violation, the bound on it recomputed from its duals by :func:`dual_bound`), or None when
    the horizon ends first or GLOP gives no optimum. A recomputed bound above 0 proves that no
    fractional plan, and so no plan, finishes by ``month``. Far slower than the probe (2,000 x 24:
    seconds; 5,000 x 36: minutes), so the solver does not run it; ``scripts/certify_finish.py``
    does."""
    rm = RolloutModel(inst, max_month=month)
    if rm.max_month < month:
        return None
    lp = _lp_of(rm)
    for v in lp.variable:
        v.objective_coefficient = 0.0
    for row in lp.constraint:
        j = len(lp.variable)
        lp.variable.add(lower_bound=0.0, upper_bound=math.inf, objective_coefficient=1.0)
        lp.variable.add(lower_bound=0.0, upper_bound=math.inf, objective_coefficient=1.0)
        row.var_index.extend([j, j + 1])
        row.coefficient.extend([1.0, -1.0])
    run = _run_glop(lambda: lp, 1e6, None)  # no practical work limit: it runs as long as it takes
    if run.status != pywraplp.Solver.OPTIMAL or run.interrupted:
        return None
    # a slack's reduced cost is 1 -+ y: multipliers beyond +-1 would make the bound -inf, and
    # any multipliers give a valid bound, so they are clipped
    return run.solver.Objective().Value(), dual_bound(lp, np.clip(_duals(run.solver), -1.0, 1.0))


def finish_lower_bound(inst: Instance, lo: int, hi: int, *, work: float = DEFAULT_TUNING.probe_work,
                       deadline: float | None = None) -> tuple[int, list[Probe]]:
    """The first month in ``lo..hi`` the relaxation cannot rule out (``hi + 1`` when it
    rules out all of them), given that no plan finishes before ``lo``; probes T = lo,
    lo + 1, ... and stops at the first that is not infeasible, or at ``deadline``
    (``time.perf_counter()``). Returns (bound, probes)."""
    probes: list[Probe] = []
    t = lo
    while t <= hi:
        if deadline is not None and time.perf_counter() >= deadline:
            break
        pr = finish_probe(inst, t, work=work)
        probes.append(pr)
        if pr.status != "infeasible":
            break
        t += 1
    return t, probes

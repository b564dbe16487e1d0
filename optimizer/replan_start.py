"""A re-plan's first plan: v1's solver (greedy start, LP, window moves) on the input the coming
months pose (:func:`optimizer.replan_explain.future_instance`) with every group whole, its plan
carried back into the whole plan and kept only when :func:`optimizer.replan_check.check_replan`
accepts it. The future input is exact for the re-plan (the history's order floor as earliest
months, remaining users as sizes), so when no group of it may split and the planned rates are
the ones in use, its proven finish is the re-plan's proven finish."""

from __future__ import annotations

import dataclasses
import logging
import time

from .domain import Instance
from .replan_check import check_replan
from .replan_explain import future_instance
from .replan_inputs import ReplanInputs
from .replan_plan import ReplanPlan

log = logging.getLogger(__name__)

#: Share of the re-plan's time for this first plan.
START_SHARE = 0.3


def future_start(inst: Instance, rin: ReplanInputs, opts, share: float = START_SHARE
                 ) -> tuple[ReplanPlan | None, bool, bool]:
    """(A whole plan that keeps every rule, or None; its finish proven best?; interrupted?)."""
    from .solve_parts import whole_groups
    from .solver import solve

    fut, _fixed = future_instance(inst, rin.history)
    if not fut.groups:
        return None, False, False
    whole = whole_groups(fut)
    whole = dataclasses.replace(whole, rules=dataclasses.replace(whole.rules, objective=("finish",)))
    now = time.perf_counter()
    sub = dataclasses.replace(opts, time_limit=share * opts.time_limit,
                              work_limit=None if opts.work_limit is None else share * opts.work_limit,
                              deadline=now + share * max(opts.deadline - now, 0.0))
    res = solve(whole, sub)  # its greedy start: guiding it by the previous plan's months lost the proof

    if res.plan is None:
        return None, False, res.interrupted
    as_of = rin.as_of
    future = {a.group: (a.method, [(t + as_of, u) for t, u in res.plan.parts(a.group)])
              for a in res.plan.assignments.values()}
    plan = ReplanPlan.build(inst, rin.history, future, rin.previous, rin.rates)
    bad = check_replan(plan, rin)
    if bad:
        log.info("the whole-group plan of the coming months breaks %s; not used", bad[0])
        return None, False, res.interrupted
    proven = (res.levels[0].status == "optimal" and not fut.may_split
              and not any(m.used for m in rin.rates.methods))
    return plan, proven, res.interrupted


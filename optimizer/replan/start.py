"""A re-plan's first plan: v1's solver (greedy start, LP, window moves) on the input the coming
months pose (:func:`optimizer.replan.explain.future_instance`) with every group whole, its plan
carried back into the whole plan and kept only when :func:`optimizer.replan.verify.check_replan`
accepts it. The future input is exact for the re-plan (the history's order floor as earliest
months, remaining users as sizes), so when no group of it may split and the planned rates are
the ones in use, its proven finish is the re-plan's proven finish."""

from __future__ import annotations

import dataclasses
import logging
import time

from optimizer.domain import Instance
from optimizer.replan.verify import check_replan
from optimizer.replan.explain import future_instance
from optimizer.replan.inputs import ReplanInputs
from optimizer.replan.plan import ReplanPlan

log = logging.getLogger(__name__)

#: Share of the re-plan's time for this first plan.
START_SHARE = 0.3


def future_start(inst: Instance, rin: ReplanInputs, opts, share: float = START_SHARE, progress=None
                 ) -> tuple[ReplanPlan | None, bool, bool]:
    """(A whole plan that keeps every rule, or None; its finish proven best?; interrupted?).
    ``progress(level, value, bound, seconds)`` hears of each better finish (in the whole plan's months)."""
    from optimizer.solving.parts import whole_groups
    from optimizer.solving.solver import solve

    fut, _fixed = future_instance(inst, rin.history)
    if not fut.groups:
        return None, False, False
    whole = whole_groups(fut)
    whole = dataclasses.replace(whole, rules=dataclasses.replace(whole.rules, objective=("finish",)))
    now = time.perf_counter()
    sub = dataclasses.replace(opts, time_limit=share * opts.time_limit,
                              work_limit=None if opts.work_limit is None else share * opts.work_limit,
                              deadline=now + share * max(opts.deadline - now, 0.0))
    as_of = rin.as_of
    shifted = None if progress is None else \
        (lambda level, value, bound, secs: progress(level, value + as_of, bound + as_of, secs))
    res = solve(whole, sub, progress=shifted)  # its greedy start: guiding it by the previous plan's months lost the proof

    if res.plan is None:
        return None, False, res.interrupted
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



def previous_start(inst: Instance, rin: ReplanInputs, max_month: int | None = None) -> ReplanPlan | None:
    """The previous plan kept where it still fits: every group whose previous parts from as_of on
    hold exactly its remaining users keeps them; each other group with users left (slipped, ahead,
    new) goes whole into the earliest month from its order floor on with room for it (helpdesk by
    the rates in use, seats by method; after its ``after`` groups and, in production, after the
    pilot stage), in months up to ``max_month`` (a finish already fixed). Kept only when :func:`check_replan` accepts it (None otherwise): a start with
    few changes for the ``changes`` level."""
    from optimizer.replan.history import order_floor

    hist, prev, as_of = rin.history, rin.previous, rin.as_of
    last = inst.horizon - 1 if max_month is None else max_month
    by_group: dict[str, dict[int, int]] = {}
    for (g, t), u in prev.users.items():
        if t >= as_of:
            by_group.setdefault(g, {})[t] = u
    future: dict[str, tuple[str, list[tuple[int, int]]]] = {}
    loose = []
    floors = order_floor(inst, hist)
    for g in inst.groups:
        left, mine, k = hist.remaining[g.name], by_group.get(g.name, {}), prev.methods.get(g.name)
        if left <= 0:
            continue
        if sum(mine.values()) == left and k in inst.allowed_methods(g) and min(mine) >= floors[g.name] \
                and max(mine) <= last:
            future[g.name] = (k, sorted(mine.items()))
        else:
            loose.append(g)
    plan = ReplanPlan.build(inst, hist, future, prev, rin.rates)
    loads = plan.loads()
    stage = max((t for g, _k, t, _u in plan.all_parts() if g.pilot_stage), default=None)
    for g in sorted(loose, key=lambda g: ("pilot", "expanded-pilot", "production").index(g.wave)):
        placed = _place(inst, rin, g, future, loads, floors[g.name], stage, last)
        if placed is None:
            return None
        future[g.name] = placed
        if g.pilot_stage:
            stage = max(placed[1][0][0], stage if stage is not None else 0)
    plan = ReplanPlan.build(inst, hist, future, prev, rin.rates)
    bad = check_replan(plan, rin)
    if bad:
        log.info("the previous plan kept where it fits breaks %s (%d findings); not used", bad[0], len(bad))
    return plan if not bad else None


def _place(inst: Instance, rin: ReplanInputs, g, future, loads, floor: int, stage: int | None, last: int):
    """(method, [(month, users)]) of ``g``'s remaining users whole in the earliest month with room."""
    r, left = inst.rules, rin.history.remaining[g.name]
    lo = floor
    for h in g.after:
        if h in future:
            lo = max(lo, max(t for t, _u in future[h][1]) + 1)
    if g.wave == "production" and stage is not None:  # the last pilot-stage month so far
        lo = max(lo, stage + r.stage_gap + (r.risk_delay if g.risk == "high" else 0))
    prefer = rin.previous.methods.get(g.name)
    methods = sorted(inst.allowed_methods(g), key=lambda k: k != prefer)
    for t in inst.allowed_months(g):
        if t < lo or t > last:
            continue
        m, load = inst.months[t], loads[t]
        for k in methods:
            tickets = rin.rates.tickets(left, k)
            seats = {"assisted": ("assisted", m.assisted), "tech-fair": ("tech_fair", m.tech_fair)}.get(k)
            if load["helpdesk"] + tickets > m.helpdesk or (seats and load[seats[0]] + left > seats[1]):
                continue
            load["helpdesk"] += tickets
            if seats:
                load[seats[0]] += left
            return k, [(t, left)]
    return None

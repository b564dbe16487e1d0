"""Why a re-plan has no plan: the explanation machinery (:mod:`optimizer.explain`) on the
re-plan's future, with the history a fixed fact.

:func:`future_instance` is the input the coming months pose: the months from ``as_of`` on, each
group with users left as a group of its remaining users, the done groups gone. What the history
imposes on the future is built in, never a rule of the input: a group's earliest month from
:func:`optimizer.replan.history.order_floor` (production after the actual pilot stage, ``after`` a group
done or started), ``after`` links to done groups dropped (the floor holds them), started groups
out of ``keep_departments_together``; with no pilot-stage group left, high risk is in the floor
(production opened in the past), not again from the first future month. The explanation then names the conflict among the rules of
the coming months (capacities, windows, methods, order among the groups left); a repair that
moves such an earliest month is a change of the history, which cannot happen, and is dropped.
Observed ticket rates are not in it: the planned rates are the rules' (an explanation names rules).
"""

from __future__ import annotations

import dataclasses

from optimizer.domain import Instance
from optimizer.replan.history import History, order_floor
from optimizer.replan.inputs import ReplanInputs


def future_instance(inst: Instance, history: History) -> tuple[Instance, set[str]]:
    """(The input of the coming months, the groups whose earliest month the history set)."""
    as_of = history.as_of
    labels = inst.month_labels
    future = set(labels[as_of:])
    floors = order_floor(inst, history)
    fixed: set[str] = set()
    groups = []
    # with no pilot-stage group left, production opens by the history alone: the floor holds
    # O + risk_delay, so the future input must not add risk_delay again from its first month
    stage_left = any(g.pilot_stage and history.remaining[g.name] > 0 for g in inst.groups)
    for g in inst.groups:
        left = history.remaining[g.name]
        if left <= 0:
            continue
        earliest = g.earliest if g.earliest in future else None
        lo = labels.index(earliest) if earliest else as_of
        if floors[g.name] > lo and floors[g.name] < len(labels):
            earliest = labels[floors[g.name]]
            fixed.add(g.name)
        latest, blackout = g.latest, tuple(b for b in g.blackout if b in future)
        if latest is not None and latest not in future:  # its window closed before as_of
            latest, blackout = labels[as_of], tuple({*blackout, labels[as_of]})
        groups.append(dataclasses.replace(
            g, size=left, earliest=earliest, latest=latest, blackout=blackout,
            after=tuple(h for h in g.after if history.remaining.get(h, 0) > 0),
            department="" if history.started(g.name) else g.department,
            risk=g.risk if stage_left or g.risk != "high" else "medium"))
    return dataclasses.replace(inst, groups=tuple(groups), months=inst.months[as_of:]), fixed


def explain_replan(inst: Instance, rin: ReplanInputs, *, time_limit: float, seed: int = 0, workers: int = 8):
    """The explanation of an infeasible re-plan (an :class:`~optimizer.explain.Explanation`), over
    the rules of the coming months; repairs that would move a month the history fixed are dropped."""
    from optimizer.explain import explain

    fut, fixed = future_instance(inst, rin.history)
    if not fut.groups:
        return None
    exp = explain(fut, time_limit=time_limit, seed=seed, workers=workers)
    return _without_history_repairs(exp, fixed)


def _without_history_repairs(exp, fixed: set[str]):
    """``exp`` with the repairs dropped that move the earliest month of a group in ``fixed`` (in
    every conflict set, the explanation's own list and the combined repair)."""
    if exp is None or not fixed:
        return exp
    keep = lambda repairs: [r for r in repairs if not _moves_floor(r, fixed)]  # noqa: E731
    for s in exp.sets:
        s.repairs = keep(s.repairs)
    exp.repairs = keep(exp.repairs)
    exp.combined = keep(exp.combined)
    return exp


def _moves_floor(repair, fixed: set[str]) -> bool:
    """The repair moves the earliest month of a group whose earliest month the history set."""
    return any(what == "earliest" and isinstance(val, tuple) and val and val[0] in fixed
               for what, val in repair.changes)

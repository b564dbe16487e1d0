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
With ``--observed-rates`` the explanation counts tickets at each observed rate rounded up to whole
tickets per 100 users (:func:`rounded_up_rates`): never fewer tickets than the re-plan's exact
rate, so an input without a plan keeps none, and a change that gives a plan there gives one at
the exact rates too; the explanation says so.
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
    rates, note = rounded_up_rates(rin)
    if rates:
        tickets = {**fut.rules.tickets_per_100_users, **rates}
        fut = dataclasses.replace(fut, rules=dataclasses.replace(fut.rules, tickets_per_100_users=tickets))
    exp = explain(fut, time_limit=time_limit, seed=seed, workers=workers)
    if exp is not None and note:
        exp.note = f"{exp.note} {note}".strip()
    return _without_history_repairs(exp, fixed)


def rounded_up_rates(rin: ReplanInputs) -> tuple[dict[str, int], str]:
    """(The observed rates in use, each rounded up to whole tickets per 100 users; the note that
    says so, in the current language, or "" when no observed rate is used.)"""
    from optimizer import i18n
    from optimizer.i18n import _

    used = [m for m in rin.rates.methods if m.used and m.observed is not None]
    rates = {m.method: -(-m.observed.numerator // m.observed.denominator) for m in used}
    if not rates:
        return {}, ""
    shown = ", ".join(_("{method} {rate} instead of {exact}").format(
        method=i18n.method(m.method), rate=rates[m.method], exact=i18n.decimal(float(m.observed), 1)) for m in used)
    return rates, _("Tickets are counted at the observed rates rounded up to whole tickets per 100 users "
                    "({rates}): a change that gives a plan here gives one at the exact rates too.").format(rates=shown)


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

"""``rollout why`` for a group enrolled in parts (split groups, issue 15): the parts in the
heading, and why it is split: the inputs re-solved with the group in one month (its
max_months = 1), and what that plan would cost against this one, or that no plan has it whole.
"""

from __future__ import annotations

import dataclasses

from . import i18n
from .domain import Instance
from .i18n import _
from .plan import Plan

_mon = i18n.month


def parts_text(inst: Instance, plan: Plan, group: str) -> str:
    """'2027-01: 200 of 310 users, 2027-02: 110 of 310 users'."""
    size = inst.group(group).size
    return ", ".join(_("{month}: {n} of {size} users").format(month=_mon(inst.months[t].label), n=i18n.number(u),
                                                              size=i18n.number(size))
                     for t, u in plan.parts(group))


def head(inst: Instance, plan: Plan, group: str, method: str) -> str:
    n = len(plan.parts(group))
    return _("{group} enrolls over {n} months ({method}): {parts}.").format(
        group=group, n=n, method=i18n.method_in_text(method), parts=parts_text(inst, plan, group))


def whole_month(inst: Instance, plan: Plan, group: str, *, time_limit: float = 10.0, seed: int = 0,
                workers: int = 8):
    """Re-solve with ``group`` in one month (None when the plan has it in one month already):
    a :class:`optimizer.why.Forced` with where it lands and what that plan costs."""
    from .solver import SolveOptions, solve
    from .why import Forced

    if len(plan.parts(group)) <= 1:
        return None
    whole = dataclasses.replace(inst, groups=tuple(
        dataclasses.replace(h, max_months=1) if h.name == group else h for h in inst.groups))
    res = solve(whole, SolveOptions(time_limit=time_limit, seed=seed, workers=workers))
    if res.plan is None:
        return Forced(res.status, seconds=res.seconds)
    p = Plan(inst, res.plan.assignments)
    labels = inst.month_labels
    b = p.assignments[group]
    later = [(h.name, labels[plan.assignments[h.name].month], labels[p.assignments[h.name].month])
             for h in inst.groups if p.assignments[h.name].month > plan.assignments[h.name].month]
    later.sort(key=lambda x: -inst.group(x[0]).size)
    return Forced(res.status, labels[b.month], b.method, p.objective_values(), later, res.seconds)


def whole_text(w) -> str:
    """Why the group is split, in words (``w``: a :class:`optimizer.why.Why` with ``whole``)."""
    f = w.whole
    if f.status == "infeasible":
        return _("Why in parts: no plan that keeps every rule has all of {group} in one month "
                 "(the solver proved it).").format(group=w.group)
    if f.month is None:
        return _("Why in parts: not checked: no plan with all of {group} in one month was found within the "
                 "time limit ({seconds} s); try a longer --time-limit.").format(
            group=w.group, seconds=f"{f.seconds:.0f}")
    return (_("Why in parts: with all of {group} in one month it would enroll in {month} ({method}){proven}: ")
            .format(group=w.group, month=_mon(f.month), method=i18n.method_in_text(f.method),
                    proven="" if f.status == "optimal" else _(" (the best plan found within the time limit)"))
            + w.cost_text(f) + ".")

"""``rollout why`` for a group enrolled in parts (split groups, issue 15): the parts in the
heading, and why it is split: the inputs re-solved with the group in one month (its
max_months = 1), and what that plan would cost against this one, or that no plan has it whole.
"""

from __future__ import annotations

import dataclasses

from optimizer import i18n
from optimizer.domain import Instance
from optimizer.i18n import _
from optimizer.plan import Plan

_mon = i18n.month


def last_month(plan: Plan, name: str) -> int:
    """The month of a group's last part."""
    return plan.parts(name)[-1][0]


def smallest_part(inst: Instance, g) -> int:
    """The fewest users g can enroll in one month: its least part when it may split, else all."""
    return inst.least_part(g) if inst.max_months(g) > 1 and g.size > 1 else g.size


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
    a :class:`optimizer.explain.why.Forced` with where it lands and what that plan costs."""
    from optimizer.solving.solver import SolveOptions, solve
    from optimizer.explain.why import Forced

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


def first_part_earlier(inst: Instance, plan: Plan, group: str, *, time_limit: float = 10.0, seed: int = 0,
                       workers: int = 8):
    """Re-solve (the model of parts, level by level) with ``group``'s first part before its first
    month in ``plan``: a :class:`optimizer.explain.why.Forced` (None when it is in the first month)."""
    import time

    from ortools.sat.python import cp_model

    from optimizer.model_parts import PartsModel
    from optimizer.explain.why import Forced

    t = plan.assignments[group].month
    if t == 0:
        return None
    t0 = time.perf_counter()
    pm = PartsModel(inst)
    gv = next(gv for gv in pm.gs if gv.g.name == group)
    if not any(m < t for m in gv.months):
        return Forced("infeasible")  # its own window, blackout or the pilot stage: nothing to solve
    pm.model.add(cp_model.LinearExpr.sum([gv.first]) <= t - 1)
    status, solver = "optimal", None
    levels = list(inst.rules.objective)
    for i, level in enumerate(levels):
        s = cp_model.CpSolver()
        left = time_limit - (time.perf_counter() - t0)
        s.parameters.max_time_in_seconds = max(0.1, left / (len(levels) - i))
        s.parameters.num_workers, s.parameters.random_seed = workers, seed
        s.parameters.catch_sigint_signal = False
        pm.set_objective(level)
        st = s.solve(pm.model)
        if st == cp_model.INFEASIBLE:
            return Forced("infeasible", seconds=time.perf_counter() - t0)
        if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            break  # keep the plan of the levels so far
        solver = s
        if st != cp_model.OPTIMAL:
            status = "feasible"
        value = int(round(s.objective_value))
        pm.fix_level(level, value if st == cp_model.OPTIMAL else 0, value)
        pm.hint(pm.read_plan(s))
    if solver is None:
        return Forced("unknown", seconds=time.perf_counter() - t0)
    p = pm.read_plan(solver)
    labels = inst.month_labels
    later = [(h.name, labels[plan.assignments[h.name].month], labels[p.assignments[h.name].month])
             for h in inst.groups if p.assignments[h.name].month > plan.assignments[h.name].month]
    later.sort(key=lambda x: -inst.group(x[0]).size)
    b = p.assignments[group]
    return Forced(status, labels[b.month], b.method, p.objective_values(), later, time.perf_counter() - t0)


def whole_text(w) -> str:
    """Why the group is split, in words (``w``: a :class:`optimizer.explain.why.Why` with ``whole``)."""
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

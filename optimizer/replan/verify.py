"""Judge a re-plan's plan with the independent checker (:func:`optimizer.checker.check_plan`):
its rows before ``as_of`` must be exactly the actuals (:func:`optimizer.replan.history.history_mismatches`),
and its parts from ``as_of`` on must keep every rule of the coming months, judged on the input
those months pose (:func:`optimizer.replan.explain.future_instance`: remaining users, months from
``as_of`` on, what the history imposes on the order as each group's earliest month). The actual
parts are never judged (spec). With observed rates used, the helpdesk capacity is judged by those
rates (:meth:`ObservedRates.tickets`), not the rules'.
"""

from __future__ import annotations

from optimizer.checker import Violation, check_plan
from optimizer.replan.history import history_mismatches
from optimizer.plan import Assignment, Plan
from optimizer.replan.explain import future_instance
from optimizer.replan.inputs import ReplanInputs


def future_plan(plan: Plan, rin: ReplanInputs) -> tuple[Plan, object]:
    """(The parts from as_of on as a plan of the future input, that input)."""
    fut, _fixed = future_instance(plan.inst, rin.history)
    as_of = rin.as_of
    out = {}
    for g in fut.groups:
        a = plan.assignments.get(g.name)
        if a is None:
            continue
        parts = [(t - as_of, u) for t, u in plan.parts(g.name) if t >= as_of]
        if parts:
            out[g.name] = Assignment.from_parts(g.name, a.method, parts)
    return Plan(fut, out), fut


def check_replan(plan: Plan, rin: ReplanInputs) -> list[Violation]:
    """Every rule the re-plan breaks (empty: valid): history rows that are not the actuals, then the
    checker's findings on the coming months."""
    out = [Violation("history", f"{m.group} in {plan.inst.month_labels[m.month]}: the plan has "
                                f"{m.found} where the actuals have {m.expected}")
           for m in history_mismatches(rin.history, {(g.name, t): (u, k) for g, k, t, u in plan.all_parts()})]
    fp, fut = future_plan(plan, rin)
    found = check_plan(fp)
    if any(r.used for r in rin.rates.methods):
        found = [v for v in found if v.rule != "helpdesk-capacity"] + _helpdesk(plan, rin)
    return out + found


def _helpdesk(plan: Plan, rin: ReplanInputs) -> list[Violation]:
    """Helpdesk capacity of the coming months under the rates the re-plan used."""
    load = [0] * plan.inst.horizon
    for _g, k, t, u in plan.all_parts():
        if t >= rin.as_of:
            load[t] += rin.rates.tickets(u, k)
    return [Violation("helpdesk-capacity", f"{m.label} needs {load[t]} tickets but the capacity is {m.helpdesk}")
            for t, m in enumerate(plan.inst.months) if t >= rin.as_of and load[t] > m.helpdesk]

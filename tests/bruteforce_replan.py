"""A brute-force reference for re-plans of tiny instances (model v2 spec, "Re-planning with
actuals"): every part plan of the FUTURE months (each group with users left: one method and
users per month from ``as_of`` on summing to its remaining users) is enumerated, judged by the
independent re-plan checker (optimizer/replan_check.py), and the lexicographic optimum of the
whole-plan levels taken, by default over ["finish", "changes", "waiting", "assisted", "splits"].

The re-plan model is tested against it: ``best_replan(inst, history, as_of, previous)``.
"""

from __future__ import annotations

import itertools
from typing import Iterator

from bruteforce_split import compositions

from optimizer import rules as R
from optimizer.domain import METHODS, Instance
from optimizer.replan.history import History
from optimizer.plan import Plan
from optimizer.replan.previous_plan import PreviousPlan
from optimizer.replan.check import check_replan, future_plan, replan_levels, whole_plan

DEFAULT_REPLAN_OBJECTIVE = ("finish", "changes", "waiting", "assisted", "splits")
#: Rules a group's new parts alone already break (capacities: loads only grow with more groups);
#: they prune the enumeration. The other groups, left out, break only one-assignment.
PER_GROUP = {R.WHOLE_USERS, R.PARTS_SUM, R.MONTHS_PER_GROUP, R.LEAST_PART, R.ONE_METHOD, R.METHOD,
             R.VIP_ASSISTED, R.WINDOW, R.BLACKOUT, R.HELPDESK, R.ASSISTED_CAP, R.TECH_FAIR_CAP}
MAX_PLANS = 2_000_000


def _plan(inst: Instance, parts: dict[str, list[tuple[int, int, str]]]) -> Plan:
    """A plan of the new parts only (no rows before as_of: the checker allows them absent)."""
    from optimizer.plan import Assignment

    out = {}
    for g, ps in parts.items():
        out[g] = Assignment.from_parts(g, ps[0][2], [(t, u) for t, u, _k in ps])
    return Plan(inst, out)


def group_options(inst: Instance, history: History, name: str, tickets=None) -> list[list[tuple[int, int, str]]]:
    """Every (method, users per future month) of group ``name`` that keeps the rules of its new
    parts alone (judged by the re-plan checker on a plan of that group, the others left out)."""
    left, as_of = history.remaining[name], history.as_of
    future = range(as_of, inst.horizon)
    out = []
    for k in METHODS:
        for us in compositions(left, len(future)):
            ps = [(t, u, k) for t, u in zip(future, us) if u > 0]
            broken = {v.rule for v in check_replan(_plan(inst, {name: ps}), history, tickets=tickets)}
            if not broken & PER_GROUP:
                out.append(ps)
    return out


def valid_replans(inst: Instance, history: History, tickets=None) -> Iterator[Plan]:
    """Every re-plan (new parts only) the checker accepts."""
    names = [g.name for g in inst.groups if history.remaining[g.name] > 0]
    options = [group_options(inst, history, n, tickets) for n in names]
    total = 1
    for o in options:
        total *= len(o)
    assert total <= MAX_PLANS, f"{total} plans: too many for brute force"
    for combo in itertools.product(*options):
        plan = _plan(inst, dict(zip(names, combo)))
        if not check_replan(plan, history, tickets=tickets):
            yield plan


def best_replan(inst: Instance, history: History, as_of: int, previous: PreviousPlan,
                objective=None, tickets=None) -> tuple[tuple[int, ...], Plan] | None:
    """(the lexicographic optimum of the whole-plan levels in ``objective``, a whole plan that
    reaches it: actual parts then new parts), or None when no re-plan keeps every rule.
    The first plan found at the optimum is returned (ties: any is as good).
    ``objective``: default the rules' ``replan_objective`` when they have one, else finish,
    changes, waiting, assisted, splits. ``tickets(users, method)``: a new part's helpdesk tickets
    (``ObservedRates.tickets`` for a re-plan with observed rates; default the rules' rates)."""
    assert as_of == history.as_of, "as_of is the history's"
    objective = objective or getattr(inst.rules, "replan_objective", None) or DEFAULT_REPLAN_OBJECTIVE
    best = at = None
    for plan in valid_replans(inst, history, tickets):
        vals = replan_levels(plan, history, previous)
        key = tuple(vals[lv] for lv in objective)
        if best is None or key < best:
            best, at = key, plan
    if best is None:
        return None
    s = {g: [(t, u, k) for _g, k, t, u in at.all_parts() if _g.name == g] for g in at.assignments}
    return best, whole_plan(inst, history, future_plan(inst, history, s))

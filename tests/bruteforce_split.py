"""A brute-force reference for tiny split instances (model v2): every part plan is enumerated,
judged by the independent checker, and the lexicographic optimum of the instance's objective
taken. The CP-SAT model is tested against it once it plans parts (the second wave of issue 15).

A part plan gives each group one method and users u[t] >= 0 per month summing to its size.
The rules that concern one group alone (whole users, parts sum, span, least part, methods,
VIP, window, blackout) are judged per group first, by the checker on a plan of that group alone,
which only prunes: every combination left is judged whole by the checker again.
"""

from __future__ import annotations

import itertools
from typing import Iterator

from optimizer import rules as R
from optimizer.checker import check_plan
from optimizer.domain import METHODS, Group, Instance
from optimizer.plan import Assignment, Plan

#: Rules the checker judges from one group's own parts.
PER_GROUP = {R.WHOLE_USERS, R.PARTS_SUM, R.MONTHS_PER_GROUP, R.LEAST_PART, R.ONE_METHOD, R.METHOD,
             R.VIP_ASSISTED, R.WINDOW, R.BLACKOUT}
MAX_PLANS = 2_000_000


def compositions(n: int, k: int) -> Iterator[tuple[int, ...]]:
    """Every way to write n as k whole numbers >= 0, in order."""
    if k == 1:
        yield (n,)
        return
    for first in range(n + 1):
        for rest in compositions(n - first, k - 1):
            yield (first,) + rest


def group_options(inst: Instance, g: Group) -> list[Assignment]:
    """Every (method, users per month) of ``g`` that keeps the rules of the group alone."""
    out = []
    for k in METHODS:
        for us in compositions(g.size, inst.horizon):
            a = Assignment.from_parts(g.name, k, [(t, u) for t, u in enumerate(us)])
            if not {v.rule for v in check_plan(Plan(inst, {g.name: a}))} & PER_GROUP:
                out.append(a)
    return out


def valid_plans(inst: Instance) -> Iterator[Plan]:
    options = [group_options(inst, g) for g in inst.groups]
    total = 1
    for o in options:
        total *= len(o)
    assert total <= MAX_PLANS, f"{total} plans: too many for brute force"
    for combo in itertools.product(*options):
        plan = Plan(inst, {a.group: a for a in combo})
        if not check_plan(plan):
            yield plan


def split_optimum(inst: Instance) -> tuple[tuple[int, ...], list[Plan]] | None:
    """(lexicographic optimum by inst.rules.objective, every plan reaching it), or None when no
    plan keeps every rule."""
    best, at = None, []
    for plan in valid_plans(inst):
        vals = plan.objective_values()
        vals.setdefault("splits", plan.splits())
        key = tuple(vals[lv] for lv in inst.rules.objective)
        if best is None or key < best:
            best, at = key, [plan]
        elif key == best:
            at.append(plan)
    return None if best is None else (best, at)

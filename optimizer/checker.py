"""Independent plan checker: validates any plan against the inputs, no solver.

Written separately from :mod:`optimizer.model` on purpose: every solved plan
in the tests goes through here, so a modelling bug shows up as a violation.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from . import rules as R
from .domain import RESOURCE_LABELS, RESOURCES, Instance
from .plan import Plan


@dataclass(frozen=True)
class Violation:
    rule: str  # a name from optimizer.rules
    message: str  # plain words, naming groups, months and resources

    def __str__(self) -> str:
        return f"[{self.rule}] {self.message}"


def check_plan(plan: Plan) -> list[Violation]:
    """Every rule the plan breaks, in words (empty list = valid plan)."""
    inst: Instance = plan.inst
    r = inst.rules
    labels = inst.month_labels
    A = plan.assignments
    out: list[Violation] = []

    def add(rule: str, msg: str) -> None:
        out.append(Violation(rule, msg))

    for g in inst.groups:
        if g.name not in A:
            add(R.ONE_ASSIGNMENT, f"{g.name} has no month and method in the plan")
    placed = [g for g in inst.groups if g.name in A]
    month = {g.name: A[g.name].month for g in placed}

    # eligibility
    for g in placed:
        a = A[g.name]
        lab = labels[a.month]
        if a.method not in g.methods:
            add(R.METHOD, f"{g.name} uses {a.method}, but its allowed methods are {', '.join(g.methods)}")
        elif g.vip and r.vip_assisted and a.method != "assisted":
            add(R.VIP_ASSISTED, f"{g.name} is a VIP group and must use assisted enrollment, not {a.method}")
        lo = labels.index(g.earliest) if g.earliest else 0
        hi = labels.index(g.latest) if g.latest else len(labels) - 1
        if a.month < lo:
            add(R.WINDOW, f"{g.name} enrolls in {lab}, before its earliest month {labels[lo]}")
        if a.month > hi:
            add(R.WINDOW, f"{g.name} enrolls in {lab}, after its latest month {labels[hi]}")
        if lab in g.blackout:
            add(R.BLACKOUT, f"{g.name} enrolls in {lab}, one of its blackout months")

    # capacity
    for t, (m, load) in enumerate(zip(inst.months, plan.loads())):
        for res in RESOURCES:
            if load[res] > m.capacity(res):
                who = ", ".join(
                    g.name for g in placed if month[g.name] == t and (
                        res == "helpdesk" or A[g.name].method == res.replace("_", "-"))
                )
                add(R.CAPACITY_RULE[res],
                    f"{m.label} needs {load[res]} {RESOURCE_LABELS[res]} but the capacity is "
                    f"{m.capacity(res)} ({who})")

    # pilot first
    pilots = [g for g in placed if g.wave == "pilot"]
    expanded = [g for g in placed if g.wave == "expanded-pilot"]
    for p in pilots:
        for e in expanded:
            if month[p.name] > month[e.name]:
                add(R.PILOT_FIRST,
                    f"limited-pilot group {p.name} ({labels[month[p.name]]}) enrolls after "
                    f"expanded-pilot group {e.name} ({labels[month[e.name]]})")

    # production opens / risk delay
    stage = [g for g in placed if g.pilot_stage]
    if stage:
        last = max(month[g.name] for g in stage)
        opens = last + r.stage_gap
        why = f"the last pilot-stage month is {labels[last]} and stage_gap is {r.stage_gap}"
    else:
        opens, why = 0, "there is no pilot stage"
    for g in placed:
        if g.wave != "production":
            continue
        t = month[g.name]
        if t < opens:
            add(R.PRODUCTION_OPENS,
                f"production group {g.name} enrolls in {labels[t]}, before production opens ({why})")
        elif g.risk == "high" and t < opens + r.risk_delay:
            add(R.RISK_DELAY,
                f"high-risk group {g.name} enrolls in {labels[t]}, less than risk_delay={r.risk_delay} "
                f"month(s) after production opens ({why})")

    # after
    for g in placed:
        for h in g.after:
            if h in month and month[g.name] <= month[h]:
                add(R.AFTER,
                    f"{g.name} ({labels[month[g.name]]}) must enroll after {h} ({labels[month[h]]})")

    # platforms / locations per month
    for rule, attr, limit in (
        (R.MAX_PLATFORMS, "platform", r.max_platforms_per_month),
        (R.MAX_LOCATIONS, "location", r.max_locations_per_month),
    ):
        if limit <= 0:
            continue
        per_month: dict[int, set[str]] = defaultdict(set)
        for g in placed:
            if getattr(g, attr):
                per_month[month[g.name]].add(getattr(g, attr))
        for t in sorted(per_month):
            if len(per_month[t]) > limit:
                add(rule, f"{labels[t]} has {len(per_month[t])} {attr}s "
                          f"({', '.join(sorted(per_month[t]))}) but at most {limit} are allowed")

    # departments together
    if r.keep_departments_together:
        teams: dict[tuple[str, str], list] = defaultdict(list)
        for g in placed:
            if g.department:
                teams[(g.department, g.wave)].append(g)
        for (dept, wave), gs in teams.items():
            ms = {month[g.name] for g in gs}
            if len(ms) > 1:
                spread = ", ".join(f"{g.name} ({labels[month[g.name]]})" for g in gs)
                add(R.DEPARTMENTS_TOGETHER,
                    f"department {dept} ({wave}) is split over {len(ms)} months: {spread}")
    return out

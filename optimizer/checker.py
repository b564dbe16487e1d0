"""Independent plan checker: validates any plan against the inputs, no solver.

Written separately from :mod:`optimizer.model` on purpose: every solved plan
in the tests goes through here, so a modelling bug shows up as a violation.

Plans have parts (model v2, docs/model.md "Split groups"): a group enrolls by one method in
one or more months, each with some of its users. A v1 plan is the case of one part per group
with all its users; every message for such a plan reads as it always did.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from optimizer import rules as R
from optimizer.domain import RESOURCE_LABELS, RESOURCES, Group, Instance
from optimizer.plan import Plan


@dataclass(frozen=True)
class Violation:
    rule: str  # a name from optimizer.rules
    message: str  # plain words, naming groups, months and resources

    def __str__(self) -> str:
        return f"[{self.rule}] {self.message}"


class _Ctx:
    """What every rule family needs: the plan's groups, their parts and months."""

    def __init__(self, plan: Plan) -> None:
        self.plan, self.inst = plan, plan.inst
        self.labels = self.inst.month_labels
        A = plan.assignments
        self.placed: list[Group] = [g for g in self.inst.groups if g.name in A]
        self.parts = {g.name: ps if len(ps := plan.parts_of(g)) == 1 else sorted(ps) for g in self.placed}
        self.first = {n: ps[0][0] for n, ps in self.parts.items()}
        self.last = {n: ps[-1][0] for n, ps in self.parts.items()}
        self.splits = {n for n, ps in self.parts.items() if len(ps) > 1}
        self.out: list[Violation] = []

    def add(self, rule: str, msg: str) -> None:
        self.out.append(Violation(rule, msg))

    def split(self, name: str) -> bool:
        return name in self.splits

    def when(self, name: str, first: bool) -> str:
        """A group's month in a message: its month, or for a split group its first/last month."""
        t = self.first[name] if first else self.last[name]
        if not self.split(name):
            return self.labels[t]
        return f"{'first' if first else 'last'} month {self.labels[t]}"


def check_plan(plan: Plan) -> list[Violation]:
    """Every rule the plan breaks, in words (empty list = valid plan)."""
    c = _Ctx(plan)
    for g in c.inst.groups:
        if g.name not in plan.assignments:
            c.add(R.ONE_ASSIGNMENT, f"{g.name} has no month and method in the plan")
    for family in (_parts, _eligibility, _capacity, _stage_order, _after, _per_month_limits, _departments):
        family(c)
    return c.out


def _parts(c: _Ctx) -> None:
    """Split groups: whole users, parts summing to the size, span, least part, one method."""
    for g in c.placed:
        ps, a = c.parts[g.name], c.plan.assignments[g.name]
        if not a.parts and not a.part_methods:
            continue  # one part of the whole group by one method keeps every rule here
        if any(not isinstance(u, int) or isinstance(u, bool) or u <= 0 for _, u in ps):
            c.add(R.WHOLE_USERS, f"{g.name} has a part that is not a whole number of users above 0 "
                                 f"({', '.join(f'{c.labels[t]}: {u}' for t, u in ps)})")
        total = sum(u for _, u in ps)
        if total != g.size:
            c.add(R.PARTS_SUM, f"the parts of {g.name} add up to {total} users, but the group has {g.size}")
        span, most = c.last[g.name] - c.first[g.name] + 1, c.inst.max_months(g)
        if span > most:
            c.add(R.MONTHS_PER_GROUP,
                  f"{g.name} enrolls from {c.labels[c.first[g.name]]} to {c.labels[c.last[g.name]]}, "
                  f"{span} months, but max_months is {most}")
        least = c.inst.least_part(g)
        for t, u in ps:
            if u < least:
                c.add(R.LEAST_PART, f"{g.name} enrolls {u} users in {c.labels[t]}, fewer than the least part "
                                    f"of {least} users (min_part_users = {c.inst.rules.min_part_users})")
        methods = sorted(set(a.part_methods) | {a.method}) if a.part_methods else [a.method]
        if len(methods) > 1:
            c.add(R.ONE_METHOD, f"{g.name} uses {' and '.join(methods)}; all parts of a group use one method")


def _eligibility(c: _Ctx) -> None:
    """Methods, VIP, window and blackout (every part)."""
    r, labels = c.inst.rules, c.labels
    for g in c.placed:
        a = c.plan.assignments[g.name]
        for k in sorted(set(a.part_methods) | {a.method}) if a.part_methods else (a.method,):
            if k not in g.methods:
                c.add(R.METHOD, f"{g.name} uses {k}, but its allowed methods are {', '.join(g.methods)}")
            elif g.vip and r.vip_assisted and k != "assisted":
                c.add(R.VIP_ASSISTED, f"{g.name} is a VIP group and must use assisted enrollment, not {k}")
        lo = labels.index(g.earliest) if g.earliest else 0
        hi = labels.index(g.latest) if g.latest else len(labels) - 1
        for t, u in c.parts[g.name]:
            lab = labels[t]
            if lo <= t <= hi and lab not in g.blackout:
                continue
            who = f"{g.name} ({u} users)" if c.split(g.name) else g.name
            if t < lo:
                c.add(R.WINDOW, f"{who} enrolls in {lab}, before its earliest month {labels[lo]}")
            if t > hi:
                c.add(R.WINDOW, f"{who} enrolls in {lab}, after its latest month {labels[hi]}")
            if lab in g.blackout:
                c.add(R.BLACKOUT, f"{who} enrolls in {lab}, one of its blackout months")


def _capacity(c: _Ctx) -> None:
    """Helpdesk tickets (rounded up per part), assisted and tech-fair users per month."""
    for t, (m, load) in enumerate(zip(c.inst.months, c.plan.loads())):
        for res in RESOURCES:
            if load[res] > m.capacity(res):
                who = ", ".join(dict.fromkeys(
                    g.name for g, k, tp, _u in c.plan.all_parts()
                    if tp == t and (res == "helpdesk" or k == res.replace("_", "-"))))
                c.add(R.CAPACITY_RULE[res],
                      f"{m.label} needs {load[res]} {RESOURCE_LABELS[res]} but the capacity is "
                      f"{m.capacity(res)} ({who})")


def _stage_order(c: _Ctx) -> None:
    """Pilot before expanded pilot (last before first); production parts from month O on."""
    r, labels = c.inst.rules, c.labels
    pilots = [g for g in c.placed if g.wave == "pilot"]
    expanded = [g for g in c.placed if g.wave == "expanded-pilot"]
    for p in pilots:
        for e in expanded:
            if c.last[p.name] > c.first[e.name]:
                c.add(R.PILOT_FIRST,
                      f"limited-pilot group {p.name} ({c.when(p.name, False)}) enrolls after "
                      f"expanded-pilot group {e.name} ({c.when(e.name, True)})")
    stage = [g for g in c.placed if g.pilot_stage]
    if stage:
        last = max(c.last[g.name] for g in stage)
        opens = last + r.stage_gap
        why = f"the last pilot-stage month is {labels[last]} and stage_gap is {r.stage_gap}"
    else:
        opens, why = 0, "there is no pilot stage"
    for g in c.placed:
        if g.wave != "production":
            continue
        t = c.first[g.name]  # the earliest part judges the group
        what = f"production group {g.name}" + (" starts" if c.split(g.name) else " enrolls")
        if t < opens:
            c.add(R.PRODUCTION_OPENS, f"{what} in {labels[t]}, before production opens ({why})")
        elif g.risk == "high" and t < opens + r.risk_delay:
            c.add(R.RISK_DELAY,
                  f"high-risk group {g.name} {'starts' if c.split(g.name) else 'enrolls'} in {labels[t]}, less than "
                  f"risk_delay={r.risk_delay} month(s) after production opens ({why})")


def _after(c: _Ctx) -> None:
    """h in after_g: the last month of h comes before the first month of g."""
    for g in c.placed:
        for h in g.after:
            if h in c.first and c.first[g.name] <= c.last[h]:
                c.add(R.AFTER, f"{g.name} ({c.when(g.name, True)}) must enroll after {h} ({c.when(h, False)})")


def _per_month_limits(c: _Ctx) -> None:
    """max_platforms / max_locations: a group counts in every month it has a part."""
    r = c.inst.rules
    for rule, attr, limit in (
        (R.MAX_PLATFORMS, "platform", r.max_platforms_per_month),
        (R.MAX_LOCATIONS, "location", r.max_locations_per_month),
    ):
        if limit <= 0:
            continue
        per_month: dict[int, set[str]] = defaultdict(set)
        for g in c.placed:
            if getattr(g, attr):
                for t, _ in c.parts[g.name]:
                    per_month[t].add(getattr(g, attr))
        for t in sorted(per_month):
            if len(per_month[t]) > limit:
                c.add(rule, f"{c.labels[t]} has {len(per_month[t])} {attr}s "
                            f"({', '.join(sorted(per_month[t]))}) but at most {limit} are allowed")


def _departments(c: _Ctx) -> None:
    """keep_departments_together: one department and wave start in one month (first months only)."""
    if not c.inst.rules.keep_departments_together:
        return
    teams: dict[tuple[str, str], list] = defaultdict(list)
    for g in c.placed:
        if g.department:
            teams[(g.department, g.wave)].append(g)
    for (dept, wave), gs in teams.items():
        ms = {c.first[g.name] for g in gs}
        if len(ms) > 1:
            spread = ", ".join(f"{g.name} ({c.when(g.name, True)})" for g in gs)
            c.add(R.DEPARTMENTS_TOGETHER, f"department {dept} ({wave}) is split over {len(ms)} months: {spread}")

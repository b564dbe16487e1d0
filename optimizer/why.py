"""Why a group is in its month and not earlier, for a plan that keeps every rule.

For each earlier month, what keeps the group out of it in this plan: its own window
and blackout months, the pilot stage (production opens ``stage_gap`` months after the
last pilot-stage month; high-risk groups wait ``risk_delay`` more; the expanded pilot
comes after the limited pilot), its ``after`` groups, its department (with
``keep_departments_together``), the platforms or locations already in that month,
and the capacity: which resource is full, by how much, and with which groups (the
largest users of it), and why those come first. Then a check: the inputs re-solved
with the group's latest month moved before its month, and what that plan costs
against this one (finish, waiting, assisted users), or that no such plan exists.

Everything here reads the plan and the inputs; only :func:`forced_earlier` solves.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from .domain import Group, Instance
from .plan import Plan

#: what the loads call each resource, and how the planner names it
_RES = (("helpdesk", "helpdesk", "tickets"), ("assisted", "assisted enrollment", "users"),
        ("tech_fair", "tech fair", "users"))


@dataclass
class MonthReasons:
    """What keeps the group out of one or more earlier months (consecutive months with the
    same reasons are merged into one range)."""

    months: list[str]
    reasons: list[str]

    @property
    def label(self) -> str:
        return self.months[0] if len(self.months) == 1 else f"{self.months[0]} to {self.months[-1]}"


@dataclass
class Forced:
    """The re-solve with the group forced before its month."""

    status: str  # a solver status: optimal / feasible / infeasible / unknown
    month: str | None = None  # where the group lands (None without a plan)
    method: str | None = None
    values: dict[str, int] = field(default_factory=dict)  # finish, waiting, assisted of that plan
    later: list[tuple[str, str, str]] = field(default_factory=list)  # (group, month now, month then)
    seconds: float = 0.0


@dataclass
class Why:
    group: str
    month: str
    method: str
    earlier: list[MonthReasons]
    values: dict[str, int]  # this plan's finish (month index), waiting, assisted
    finish_label: str
    forced: Forced | None = None
    labels: list[str] = field(default_factory=list)  # the plan's month labels (for the finish)

    def lines(self) -> list[tuple[str, str]]:
        """(kind, text) in reading order: "head", "month" (a month or range, then its "reason"s), "check"."""
        out = [("head", f"{self.group} enrolls in {self.month} ({self.method}).")]
        if not self.earlier:
            out.append(("check", f"{self.month} is the first month of the plan: nothing is earlier."))
            return out
        out.append(("head", "What keeps it out of each earlier month in this plan:"))
        for mr in self.earlier:
            out.append(("month", f"{mr.label}:"))
            out += [("reason", r) for r in mr.reasons]
        if self.forced is not None:
            out.append(("check", self.forced_text()))
        return out

    def forced_text(self) -> str:
        f = self.forced
        before = self.earlier[-1].months[-1]
        if f.status == "infeasible":
            return (f"Checked: no plan that keeps every rule has {self.group} in {before} or earlier "
                    f"(the solver proved it).")
        if f.month is None:
            return (f"Not checked: no plan with {self.group} in {before} or earlier was found within the "
                    f"time limit ({f.seconds:.0f} s); try a longer --time-limit.")
        v, w = self.values, f.values
        parts = []
        if w["finish"] != v["finish"]:
            parts.append(f"the plan would finish in {self.labels[w['finish']]} instead of {self.finish_label}")
        else:
            parts.append(f"the plan would still finish in {self.finish_label}")
        dw = w["waiting"] - v["waiting"]
        if dw:
            pct = f", {100 * dw / v['waiting']:+.1f} %" if v["waiting"] else ""
            parts.append(f"waiting {'up' if dw > 0 else 'down'} by {abs(dw):,} ({w['waiting']:,} instead of "
                         f"{v['waiting']:,}{pct})")
        else:
            parts.append("waiting unchanged")
        da = w["assisted"] - v["assisted"]
        if da:
            parts.append(f"{abs(da):,} {'more' if da > 0 else 'fewer'} assisted users")
        moved = ""
        if f.later:
            shown = ", ".join(f"{n} {a} -> {b}" for n, a, b in f.later[:4])
            more = len(f.later) - 4
            moved = f"; later then: {shown}" + (f" and {more} more" if more > 0 else "")
        worse = (w["finish"], w["waiting"], w["assisted"]) > (v["finish"], v["waiting"], v["assisted"])
        verdict = "" if worse else (" This is no worse than the plan: the plan is not the best possible"
                                    " for this group's month.")
        proven = "" if f.status == "optimal" else " (the best plan found within the time limit)"
        return (f"Checked: with {self.group} forced earlier it would enroll in {f.month} ({f.method}){proven}: "
                + ", ".join(parts) + moved + "." + verdict)


# ------------------------------------------------------------------ reasons
def _names(gs: list[Group], n: int = 3) -> str:
    shown = [g.name for g in gs[:n]]
    rest = len(gs) - len(shown)
    if rest > 0:
        return ", ".join(shown) + f" and {rest} more"
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def _stage_reasons(inst: Instance, plan: Plan, unit: list[Group], s: int) -> list[str]:
    """Pilot stage: production opens, risk delay, expanded pilot after the limited pilot."""
    r, A, labels = inst.rules, plan.assignments, inst.month_labels
    out = []
    stage = [g for g in inst.groups if g.pilot_stage]
    pilots = [g for g in inst.groups if g.wave == "pilot"]
    for g in unit:
        if g.wave == "production" and stage:
            last = max(A[h.name].month for h in stage)
            opens = last + r.stage_gap
            if s < opens:
                out.append(f"production opens in {_label(labels, opens)} (the pilot stage ends in {labels[last]}, "
                           f"+{r.stage_gap} month{'s' if r.stage_gap != 1 else ''}, stage_gap)")
            elif g.risk == "high" and s < opens + r.risk_delay:
                out.append(f"{g.name} is high-risk: it starts {r.risk_delay} month{'s' if r.risk_delay != 1 else ''} "
                           f"after production opens ({labels[opens]}), so not before "
                           f"{_label(labels, opens + r.risk_delay)} (risk_delay)")
        if g.wave == "expanded-pilot" and pilots:
            last = max(A[h.name].month for h in pilots)
            if s < last:
                out.append(f"the limited pilot runs until {labels[last]} ({_names([h for h in pilots if A[h.name].month == last])}); "
                           f"the expanded pilot comes after it")
    return out


def _label(labels: list[str], t: int) -> str:
    return labels[t] if t < len(labels) else f"month {t + 1} (after the plan's last month)"


def _own_reasons(inst: Instance, plan: Plan, unit: list[Group], s: int) -> list[str]:
    """The group's (and its department's) window, blackout and after-list."""
    labels, A, out = inst.month_labels, plan.assignments, []
    for g in unit:
        lo = labels.index(g.earliest) if g.earliest else 0
        if s < lo:
            out.append(f"{g.name}'s earliest month is {g.earliest}")
        if labels[s] in g.blackout:
            out.append(f"a blackout month for {g.name}")
        for h in g.after:
            if A[h].month >= s:
                out.append(f"{g.name} must come after {h}, which enrolls in {labels[A[h].month]}")
    return out


def _limit_reasons(inst: Instance, plan: Plan, unit: list[Group], s: int) -> list[str]:
    """max_platforms_per_month / max_locations_per_month: the month already holds its limit."""
    out, r = [], inst.rules
    inside = [g for g in inst.groups if plan.assignments[g.name].month == s and g not in unit]
    for attr, limit, what in (("platform", r.max_platforms_per_month, "platform"),
                              ("location", r.max_locations_per_month, "location")):
        if limit <= 0:
            continue
        have = sorted({getattr(g, attr) for g in inside if getattr(g, attr)})
        new = sorted({getattr(g, attr) for g in unit if getattr(g, attr)} - set(have))
        if new and len(have) + len(new) > limit:
            out.append(f"it already has {len(have)} {what}{'s' if len(have) != 1 else ''} ({', '.join(have)}) and "
                       f"{getattr(r, f'max_{what}s_per_month')} a month are allowed (max_{what}s_per_month); "
                       f"{', '.join(new)} would be one more")
    return out


def _capacity_reasons(inst: Instance, plan: Plan, unit: list[Group], s: int) -> list[str]:
    """No allowed method fits the month's remaining capacity: which resource is full, with
    which groups (the largest users of it), and why those come first."""
    m, load = inst.months[s], plan.loads()[s]
    lead = unit[0]
    blocked: dict[str, list[str]] = {}
    for k in inst.allowed_methods(lead):
        need = {"helpdesk": sum(inst.rules.tickets(g.size, k) for g in unit),
                "assisted": sum(g.size for g in unit) if k == "assisted" else 0,
                "tech_fair": sum(g.size for g in unit) if k == "tech-fair" else 0}
        short = sorted((res for res, _, _ in _RES if need[res] and load[res] + need[res] > m.capacity(res)),
                       key=lambda res: m.capacity(res) > 0)  # a resource the month lacks entirely first
        if not short:
            return []  # this method fits: capacity is not what keeps it out
        res = short[0]
        blocked.setdefault(res, []).append((need[res], k))
    out = []
    who = lead.name if len(unit) == 1 else f"{lead.name}'s department"
    for res, what, unit_name in _RES:
        if res not in blocked:
            continue
        needs = f"{who} needs " + " or ".join(
            f"{n:,} {unit_name} by {k}" if i == 0 else f"{n:,} by {k}" for i, (n, k) in enumerate(blocked[res]))
        cap = m.capacity(res)
        if cap == 0:
            out.append(f"no {what} that month ({needs})")
            continue
        users = sorted((g for g in inst.groups if plan.assignments[g.name].month == s and g not in unit),
                       key=lambda g: -_use(inst, plan, g, res))
        users = [g for g in users if _use(inst, plan, g, res) > 0]
        left = max(0, cap - load[res])
        by = ""
        if users and not lead.pilot_stage and all(g.pilot_stage for g in users):
            by = f" by the pilot stage: {_names(users)}"
        elif users:
            by = f" by {_names(users)}" + _why_first(lead, users[:3], s, inst.month_labels)
        text = (f"{what} {'full' if left == 0 else f'has {left:,} {unit_name} left'} "
                f"({load[res]:,} / {cap:,} used{by}), {needs}")
        out.append(text)
    return out


def _use(inst: Instance, plan: Plan, g: Group, res: str) -> int:
    k = plan.assignments[g.name].method
    if res == "helpdesk":
        return inst.rules.tickets(g.size, k)
    return g.size if (res == "assisted" and k == "assisted") or (res == "tech_fair" and k == "tech-fair") else 0


def _why_first(lead: Group, users: list[Group], s: int, labels: list[str]) -> str:
    """', which must enroll by then' / ', which come first as they are readier' when it holds
    for every group shown ('' otherwise)."""
    one = len(users) == 1
    if all(g.latest and labels.index(g.latest) <= s for g in users):
        return (f", which must enroll by then (latest month{'' if one else 's'} "
                f"{', '.join(g.latest for g in users)})")
    if all(g.readiness > lead.readiness for g in users):
        return (f", which {'comes' if one else 'come'} first as {'it is' if one else 'they are'} readier: "
                f"readiness {', '.join(str(g.readiness) for g in users)} against {lead.readiness}")
    return ""


def reasons(inst: Instance, plan: Plan, group: str, s: int) -> list[str]:
    """Everything that keeps ``group`` (with its department, when it must enroll with it)
    out of month index ``s`` in ``plan``; empty when it could move there."""
    g = inst.group(group)
    unit = [g]
    if inst.rules.keep_departments_together and g.department:
        unit += [h for h in inst.groups if h.department == g.department and h.wave == g.wave and h is not g]
    out = []
    if len(unit) > 1:
        out.append(f"{g.name} enrolls together with the rest of {g.department} ({_names(unit[1:])}; "
                   f"keep_departments_together), so all {len(unit)} groups would move")
    found = _own_reasons(inst, plan, unit, s) + _stage_reasons(inst, plan, unit, s)
    found += _limit_reasons(inst, plan, unit, s) + _capacity_reasons(inst, plan, unit, s)
    if not found:
        return []
    return out + found


def why(inst: Instance, plan: Plan, group: str) -> Why:
    """Why ``group`` is in its month in ``plan`` (a plan the checker accepts), not earlier."""
    a = plan.assignments[group]
    labels = inst.month_labels
    earlier: list[MonthReasons] = []
    for s in range(a.month):
        rs = reasons(inst, plan, group, s) or ["nothing in this plan keeps it out: every rule allows it here"]
        if earlier and earlier[-1].reasons == rs:
            earlier[-1].months.append(labels[s])
        else:
            earlier.append(MonthReasons([labels[s]], rs))
    vals = plan.objective_values()
    return Why(group, labels[a.month], a.method, earlier, vals, labels[vals["finish"]], labels=labels)


def forced_earlier(inst: Instance, plan: Plan, group: str, *, time_limit: float = 10.0, seed: int = 0,
                   workers: int = 8) -> Forced | None:
    """Re-solve with ``group``'s latest month just before its month in ``plan`` (None when it
    is in the first month): where it lands, what the plan costs then, who moves later."""
    from .solver import SolveOptions, solve

    t = plan.assignments[group].month
    if t == 0:
        return None
    labels = inst.month_labels
    g = inst.group(group)
    lo = labels.index(g.earliest) if g.earliest else 0
    if lo >= t:
        return Forced("infeasible")  # its own window: nothing to solve
    forced = dataclasses.replace(inst, groups=tuple(
        dataclasses.replace(h, latest=labels[t - 1]) if h.name == group else h for h in inst.groups))
    res = solve(forced, SolveOptions(time_limit=time_limit, seed=seed, workers=workers))
    if res.plan is None:
        return Forced(res.status, seconds=res.seconds)
    p = Plan(inst, res.plan.assignments)
    b = p.assignments[group]
    later = [(h.name, labels[plan.assignments[h.name].month], labels[p.assignments[h.name].month])
             for h in inst.groups if p.assignments[h.name].month > plan.assignments[h.name].month]
    later.sort(key=lambda x: -inst.group(x[0]).size)
    return Forced(res.status, labels[b.month], b.method, p.objective_values(), later, res.seconds)


def explain_month(inst: Instance, plan: Plan, group: str, *, time_limit: float = 10.0, seed: int = 0,
                  workers: int = 8) -> Why:
    """:func:`why` with the :func:`forced_earlier` check."""
    w = why(inst, plan, group)
    w.forced = forced_earlier(inst, plan, group, time_limit=time_limit, seed=seed, workers=workers)
    return w

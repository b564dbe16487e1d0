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

from optimizer import i18n
from optimizer.domain import Group, Instance
from optimizer.i18n import N_, _, ngettext
from optimizer.plan import Plan
from optimizer.explain.why_parts import last_month, smallest_part

#: what the loads call each resource, and how the planner names it (translated where shown)
_RES = (("helpdesk", N_("helpdesk"), N_("tickets")), ("assisted", N_("assisted enrollment"), N_("users")),
        ("tech_fair", N_("tech fair"), N_("users")))

_mon = i18n.month


def _n(x: int) -> str:
    """1,234 (1 234 in Swedish)."""
    return i18n.number(x)


def _months(n: int) -> str:
    return ngettext("{n} month", "{n} months", n).format(n=n)


@dataclass
class MonthReasons:
    """What keeps the group out of one or more earlier months (consecutive months with the
    same reasons are merged into one range)."""

    months: list[str]
    reasons: list[str]

    @property
    def label(self) -> str:
        if len(self.months) == 1:
            return _mon(self.months[0])
        return _("{first} to {last}").format(first=_mon(self.months[0]), last=_mon(self.months[-1]))


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
    parts_head: str = ""  # a group in parts: its parts (:mod:`optimizer.explain.why_parts`)
    whole: Forced | None = None  # a group in parts: the re-solve with it in one month
    split: bool = False  # the group may split: the check forces its first part earlier

    def lines(self) -> list[tuple[str, str]]:
        """(kind, text) in reading order: "head", "month" (a month or range, then its "reason"s), "check"."""
        out = [("head", self.parts_head or _("{group} enrolls in {month} ({method}).").format(
            group=self.group, month=_mon(self.month), method=i18n.method_in_text(self.method)))]
        if self.whole is not None:
            from optimizer.explain.why_parts import whole_text
            out.append(("check", whole_text(self)))
        if not self.earlier:
            out.append(("check", _("{month} is the first month of the plan: nothing is earlier.").format(
                month=_mon(self.month))))
            return out
        out.append(("head", _("What keeps its first part out of each earlier month in this plan:") if self.parts_head
                    else _("What keeps it out of each earlier month in this plan:")))
        for mr in self.earlier:
            out.append(("month", f"{mr.label}:"))
            out += [("reason", r) for r in mr.reasons]
        if self.forced is not None:
            out.append(("check", self.forced_text()))
        return out

    def forced_text(self) -> str:
        f = self.forced
        before = _mon(self.earlier[-1].months[-1])
        if f.status == "infeasible":
            return (_("Checked: no plan that keeps every rule has a part of {group} in {month} or earlier "
                      "(the solver proved it).") if self.split else
                    _("Checked: no plan that keeps every rule has {group} in {month} or earlier "
                      "(the solver proved it).")).format(group=self.group, month=before)
        if f.month is None:
            return (_("Not checked: no plan with a part of {group} in {month} or earlier was found within the "
                      "time limit ({seconds} s); try a longer --time-limit.") if self.split else
                    _("Not checked: no plan with {group} in {month} or earlier was found within the "
                      "time limit ({seconds} s); try a longer --time-limit.")).format(
                group=self.group, month=before, seconds=f"{f.seconds:.0f}")
        proven = "" if f.status == "optimal" else _(" (the best plan found within the time limit)")
        say = (_("Checked: with the first part of {group} forced earlier it would enroll from {month} "
                 "({method}){proven}: ") if self.split else
               _("Checked: with {group} forced earlier it would enroll in {month} ({method}){proven}: "))
        return (say.format(
            group=self.group, month=_mon(f.month), method=i18n.method_in_text(f.method), proven=proven)
                + self.cost_text(f) + "." + self._verdict(f))

    def _verdict(self, f: Forced) -> str:
        v, w = self.values, f.values
        worse = (w["finish"], w["waiting"], w["assisted"]) > (v["finish"], v["waiting"], v["assisted"])
        return "" if worse else _(" This is no worse than the plan: the plan is not the best possible"
                                  " for this group's month.")

    def cost_text(self, f: Forced) -> str:
        """What the other plan ``f`` costs against this one: finish, waiting, assisted, who moves later."""
        v, w = self.values, f.values
        parts = []
        if w["finish"] != v["finish"]:
            parts.append(_("the plan would finish in {month} instead of {finish}").format(
                month=_mon(self.labels[w["finish"]]), finish=_mon(self.finish_label)))
        else:
            parts.append(_("the plan would still finish in {finish}").format(finish=_mon(self.finish_label)))
        dw = w["waiting"] - v["waiting"]
        if dw:
            pct = f", {i18n.decimal(100 * dw / v['waiting'], 1)} %" if v["waiting"] else ""
            if pct and dw > 0:
                pct = pct.replace(", ", ", +", 1)
            say = (_("waiting up by {n} ({now} instead of {before}{percent})") if dw > 0
                   else _("waiting down by {n} ({now} instead of {before}{percent})"))
            parts.append(say.format(n=_n(abs(dw)), now=_n(w["waiting"]), before=_n(v["waiting"]), percent=pct))
        else:
            parts.append(_("waiting unchanged"))
        da = w["assisted"] - v["assisted"]
        if da:
            say = _("{n} more assisted users") if da > 0 else _("{n} fewer assisted users")
            parts.append(say.format(n=_n(abs(da))))
        moved = ""
        if f.later:
            shown = ", ".join(f"{n} {_mon(a)} -> {_mon(b)}" for n, a, b in f.later[:4])
            more = len(f.later) - 4
            moved = _("; later then: {groups}").format(groups=shown) + (
                _(" and {n} more").format(n=more) if more > 0 else "")
        return ", ".join(parts) + moved


# ------------------------------------------------------------------ reasons
def _names(gs: list[Group], n: int = 3) -> str:
    shown = [g.name for g in gs[:n]]
    rest = len(gs) - len(shown)
    if rest > 0:
        return ", ".join(shown) + _(" and {n} more").format(n=rest)
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + _(" and ") + shown[-1]


def _stage_reasons(inst: Instance, plan: Plan, unit: list[Group], s: int) -> list[str]:
    """Pilot stage: production opens, risk delay, expanded pilot after the limited pilot."""
    r, labels = inst.rules, inst.month_labels
    out = []
    stage = [g for g in inst.groups if g.pilot_stage]
    pilots = [g for g in inst.groups if g.wave == "pilot"]
    for g in unit:
        if g.wave == "production" and stage:
            last = max(last_month(plan, h.name) for h in stage)
            opens = last + r.stage_gap
            if s < opens:
                out.append(_("production opens in {month} (the pilot stage ends in {end}, +{months}, stage_gap)")
                           .format(month=_label(labels, opens), end=_mon(labels[last]), months=_months(r.stage_gap)))
            elif g.risk == "high" and s < opens + r.risk_delay:
                out.append(_("{group} is high-risk: it starts {months} after production opens ({opens}), "
                             "so not before {month} (risk_delay)").format(
                    group=g.name, months=_months(r.risk_delay), opens=_mon(labels[opens]),
                    month=_label(labels, opens + r.risk_delay)))
        if g.wave == "expanded-pilot" and pilots:
            last = max(last_month(plan, h.name) for h in pilots)
            if s < last:
                out.append(_("the limited pilot runs until {month} ({groups}); the expanded pilot comes after it")
                           .format(month=_mon(labels[last]),
                                   groups=_names([h for h in pilots if last_month(plan, h.name) == last])))
    return out


def _label(labels: list[str], t: int) -> str:
    return _mon(labels[t]) if t < len(labels) else _("month {n} (after the plan's last month)").format(n=t + 1)


def _own_reasons(inst: Instance, plan: Plan, unit: list[Group], s: int) -> list[str]:
    """The group's (and its department's) window, blackout and after-list."""
    labels, out = inst.month_labels, []
    for g in unit:
        lo = labels.index(g.earliest) if g.earliest else 0
        if s < lo:
            out.append(_("{group}'s earliest month is {month}").format(group=g.name, month=_mon(g.earliest)))
        if labels[s] in g.blackout:
            out.append(_("a blackout month for {group}").format(group=g.name))
        for h in g.after:
            if last_month(plan, h) >= s:
                say = (_("{group} must come after {other}, which enrolls in {month}") if len(plan.parts(h)) == 1
                       else _("{group} must come after {other}, whose last part enrolls in {month}"))
                out.append(say.format(group=g.name, other=h, month=_mon(labels[last_month(plan, h)])))
    return out


def _limit_reasons(inst: Instance, plan: Plan, unit: list[Group], s: int) -> list[str]:
    """max_platforms_per_month / max_locations_per_month: the month already holds its limit."""
    out, r = [], inst.rules
    inside = [g for g in inst.groups if _use(inst, plan, g, "users", s) and g not in unit]
    for attr, limit, what in (("platform", r.max_platforms_per_month, "platform"),
                              ("location", r.max_locations_per_month, "location")):
        if limit <= 0:
            continue
        have = sorted({getattr(g, attr) for g in inside if getattr(g, attr)})
        new = sorted({getattr(g, attr) for g in unit if getattr(g, attr)} - set(have))
        if new and len(have) + len(new) > limit:
            n = len(have)
            things = (ngettext("{n} platform", "{n} platforms", n) if what == "platform"
                      else ngettext("{n} location", "{n} locations", n)).format(n=n)
            out.append(_("it already has {things} ({names}) and {limit} a month are allowed ({rule}); "
                         "{new} would be one more").format(
                things=things, names=", ".join(have), limit=getattr(r, f"max_{what}s_per_month"),
                rule=f"max_{what}s_per_month", new=", ".join(new)))
    return out


def _capacity_reasons(inst: Instance, plan: Plan, unit: list[Group], s: int) -> list[str]:
    """No allowed method fits the month's remaining capacity: which resource is full, with
    which groups (the largest users of it), and why those come first."""
    m, load = inst.months[s], plan.loads()[s]
    lead = unit[0]
    blocked: dict[str, list[str]] = {}
    sizes = [smallest_part(inst, g) for g in unit]  # a group that may split needs room for a part
    for k in inst.allowed_methods(lead):
        need = {"helpdesk": sum(inst.rules.tickets(n, k) for n in sizes),
                "assisted": sum(sizes) if k == "assisted" else 0,
                "tech_fair": sum(sizes) if k == "tech-fair" else 0}
        short = sorted((res for res, _what, _unit in _RES if need[res] and load[res] + need[res] > m.capacity(res)),
                       key=lambda res: m.capacity(res) > 0)  # a resource the month lacks entirely first
        if not short:
            return []  # this method fits: capacity is not what keeps it out
        res = short[0]
        blocked.setdefault(res, []).append((need[res], k))
    out = []
    who = lead.name if len(unit) == 1 else _("{group}'s department").format(group=lead.name)
    if len(unit) == 1 and sizes[0] < lead.size:
        who = _("a part of {group} (at least {n} users, min_part_users)").format(group=lead.name, n=_n(sizes[0]))
    for res, what, unit_name in _RES:
        if res not in blocked:
            continue
        what, unit_name = _(what), _(unit_name)
        needs = _("{who} needs {amounts}").format(who=who, amounts=_(" or ").join(
            _("{n} {unit} by {method}").format(n=_n(n), unit=unit_name, method=i18n.method_in_text(k)) if i == 0
            else _("{n} by {method}").format(n=_n(n), method=i18n.method_in_text(k))
            for i, (n, k) in enumerate(blocked[res])))
        cap = m.capacity(res)
        if cap == 0:
            out.append(_("no {resource} that month ({needs})").format(resource=what, needs=needs))
            continue
        users = sorted((g for g in inst.groups if g not in unit), key=lambda g: -_use(inst, plan, g, res, s))
        users = [g for g in users if _use(inst, plan, g, res, s) > 0]
        left = max(0, cap - load[res])
        by = ""
        if users and not lead.pilot_stage and all(g.pilot_stage for g in users):
            by = _(" by the pilot stage: {groups}").format(groups=_names(users))
        elif users:
            by = _(" by {groups}").format(groups=_names(users)) + _why_first(lead, users[:3], s, inst.month_labels)
        state = (_("{resource} full") if left == 0 else _("{resource} has {n} {unit} left")).format(
            resource=what, n=_n(left), unit=unit_name)
        text = _("{state} ({load} / {capacity} used{by}), {needs}").format(
            state=state, load=_n(load[res]), capacity=_n(cap), by=by, needs=needs)
        out.append(text)
    return out


def _use(inst: Instance, plan: Plan, g: Group, res: str, s: int) -> int:
    """What g's part in month s uses of ``res`` (0 without a part then; "users": its users)."""
    k = plan.assignments[g.name].method
    u = dict(plan.parts_of(g)).get(s, 0)
    if res == "helpdesk":
        return inst.rules.tickets(u, k)
    if res == "users":
        return u
    return u if (res == "assisted" and k == "assisted") or (res == "tech_fair" and k == "tech-fair") else 0


def _why_first(lead: Group, users: list[Group], s: int, labels: list[str]) -> str:
    """', which must enroll by then' / ', which come first as they are readier' when it holds
    for every group shown ('' otherwise)."""
    one = len(users) == 1
    if all(g.latest and labels.index(g.latest) <= s for g in users):
        latest = ", ".join(_mon(g.latest) for g in users)
        return (_(", which must enroll by then (latest month {months})") if one
                else _(", which must enroll by then (latest months {months})")).format(months=latest)
    if all(g.readiness > lead.readiness for g in users):
        return (_(", which comes first as it is readier: readiness {values} against {own}") if one
                else _(", which come first as they are readier: readiness {values} against {own}")).format(
            values=", ".join(str(g.readiness) for g in users), own=lead.readiness)
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
        out.append(_("{group} enrolls together with the rest of {department} ({groups}; "
                     "keep_departments_together), so all {n} groups would move").format(
            group=g.name, department=g.department, groups=_names(unit[1:]), n=len(unit)))
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
        rs = reasons(inst, plan, group, s) or [_("nothing in this plan keeps it out: every rule allows it here")]
        if earlier and earlier[-1].reasons == rs:
            earlier[-1].months.append(labels[s])
        else:
            earlier.append(MonthReasons([labels[s]], rs))
    vals = plan.objective_values()
    w = Why(group, labels[a.month], a.method, earlier, vals, labels[vals["finish"]], labels=labels)
    g = inst.group(group)
    w.split = inst.max_months(g) > 1 and g.size > 1
    if len(plan.parts(group)) > 1:
        from optimizer.explain.why_parts import head
        w.parts_head = head(inst, plan, group, a.method)
    return w


def forced_earlier(inst: Instance, plan: Plan, group: str, *, time_limit: float = 10.0, seed: int = 0,
                   workers: int = 8) -> Forced | None:
    """Re-solve with ``group``'s latest month just before its month in ``plan`` (None when it
    is in the first month): where it lands, what the plan costs then, who moves later."""
    from optimizer.solving.solver import SolveOptions, solve

    t = plan.assignments[group].month
    if t == 0:
        return None
    labels = inst.month_labels
    g = inst.group(group)
    if inst.max_months(g) > 1 and g.size > 1:  # a group that may split: its first part earlier
        from optimizer.explain.why_parts import first_part_earlier
        return first_part_earlier(inst, plan, group, time_limit=time_limit, seed=seed, workers=workers)
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
    from optimizer.explain.why_parts import whole_month

    w = why(inst, plan, group)
    w.forced = forced_earlier(inst, plan, group, time_limit=time_limit, seed=seed, workers=workers)
    w.whole = whole_month(inst, plan, group, time_limit=time_limit, seed=seed, workers=workers)
    return w

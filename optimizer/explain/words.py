"""A conflict in planner's words: each rule instance with the numbers that make it bind, and a
one-sentence headline for the common shapes."""

from __future__ import annotations

from optimizer import rules as R
from optimizer.domain import RESOURCE_LABELS, Group, Instance
from optimizer.model import month_user_capacity
from optimizer.explain.rulekeys import _CAP_RULES, _GROUP_RULES, _RESOURCE_OF


def _label(inst: Instance, t: int) -> str:
    return inst.months[t].label


def _window(inst: Instance, g: Group) -> tuple[int, int]:
    labels = inst.month_labels
    return (labels.index(g.earliest) if g.earliest else 0,
            labels.index(g.latest) if g.latest else len(labels) - 1)


def _users(n: int) -> str:
    return f"{n} user{'s' if n != 1 else ''}"


def _months(n: int) -> str:
    return f"{n} month{'s' if n != 1 else ''}"


def _not_before(inst: Instance, gap: int) -> str:
    """', so not before 2027-03': the earliest month the last pilot-stage month allows,
    from the pilot-stage groups' own earliest possible months ('' without pilots)."""
    starts = [min(inst.allowed_months(g), default=0) for g in inst.groups if g.pilot_stage]
    if not starts:
        return ""
    t = max(starts) + gap
    return f", so not before {_label(inst, t)}" if t < inst.horizon else ", so not within the plan's months"


def _kinds(inst: Instance, rule: str, t: int | None = None) -> list[str]:
    """The platforms (or non-empty locations) of the groups that may enroll in month t
    (any month when t is None), sorted."""
    attr = "platform" if rule == R.MAX_PLATFORMS else "location"
    return sorted({getattr(g, attr) for g in inst.groups
                   if getattr(g, attr) and (t is None or t in inst.allowed_months(g))})


def describe(inst: Instance, key: tuple[str, tuple], conflict: list[tuple[str, tuple]]) -> str:
    """One rule instance of a conflict, in words, with the numbers that make it bind."""
    rule, k = key
    r = inst.rules
    if rule in _CAP_RULES:
        res = _RESOURCE_OF[rule]
        m = next(x for x in inst.months if x.label == k[0])
        return f"{m.label} has room for at most {m.capacity(res)} {RESOURCE_LABELS[res]}"
    if rule in (R.MAX_PLATFORMS, R.MAX_LOCATIONS):
        n = r.max_platforms_per_month if rule == R.MAX_PLATFORMS else r.max_locations_per_month
        what = "platform" if rule == R.MAX_PLATFORMS else "location"
        vals = _kinds(inst, rule, inst.month_index(k[0]))
        return (f"{k[0]} may hold at most {n} {what}{'s' if n != 1 else ''} (max_{what}s_per_month); "
                f"the groups that may enroll then have {len(vals)}: {', '.join(vals)}")
    if rule == R.DEPARTMENTS_TOGETHER:
        gs = [g for g in inst.groups if g.department == k[0] and g.wave == k[1]]
        return (f"all {k[1]} groups of {k[0]} ({', '.join(g.name for g in gs)}: "
                f"{_users(sum(g.size for g in gs))}) must enroll in the same month (keep_departments_together)")
    g = inst.group(k[0])
    lo, hi = _window(inst, g)
    if rule == R.AFTER:
        h = inst.group(k[1])
        hlo = min(inst.allowed_months(h), default=0)
        ghi = max(inst.allowed_months(g), default=inst.horizon - 1)
        return (f"{g.name} must come after {h.name}, but {h.name} can't start before {_label(inst, hlo)} "
                f"and {g.name}'s latest possible month is {_label(inst, ghi)}")
    if rule == R.WINDOW:
        return f"{g.name} ({_users(g.size)}) must enroll between {_label(inst, lo)} and {_label(inst, hi)}"
    if rule == R.BLACKOUT:
        return f"{g.name} must not enroll in {', '.join(g.blackout)} (blackout)"
    if rule == R.METHOD:
        return f"{g.name} may only use {', '.join(g.methods)}"
    if rule == R.VIP_ASSISTED:
        return f"{g.name} is a VIP group and must be enrolled in person: {_users(g.size)} of assisted capacity"
    if rule == R.MONTHS_PER_GROUP:
        n = inst.max_months(g)
        return (f"{g.name} ({_users(g.size)}) must enroll within {_months(n)} (max_months = {n})"
                if n > 1 else f"{g.name} ({_users(g.size)}) must enroll in one month (max_months = 1)")
    if rule == R.LEAST_PART:
        return (f"each month's part of {g.name} must have at least {_users(inst.least_part(g))} "
                f"(min_part_users)")
    if rule == R.ONE_METHOD:
        return f"all parts of {g.name} must use the same enrollment method"
    if rule == R.PILOT_FIRST:
        return (f"{g.name} is a{'n' if g.wave == 'expanded-pilot' else ''} {g.wave.replace('-', ' ')} group: "
                "every limited-pilot group must enroll no later than every expanded-pilot group")
    if rule == R.PRODUCTION_OPENS:
        return (f"{g.name} is a production group: it can start only {_months(r.stage_gap)} after "
                f"the last pilot-stage month (stage_gap){_not_before(inst, r.stage_gap)}")
    if rule == R.RISK_DELAY:
        return (f"{g.name} is high-risk: it waits {_months(r.risk_delay)} more after production opens "
                f"(risk_delay), {_months(r.stage_gap + r.risk_delay)} after the last pilot-stage month"
                f"{_not_before(inst, r.stage_gap + r.risk_delay)}")
    return f"{rule} {k}"


def _splits(inst: Instance, name: str) -> bool:
    g = inst.group(name)
    return inst.max_months(g) > 1 and g.size > 1


def _group_fits_nowhere(inst: Instance, g: Group, labels: list[str]) -> str:
    """'G (N users) fits in no month from A to B: by self-service it needs ...'."""
    ms = [m for m in inst.months if m.label in labels]
    why = []
    for k in inst.allowed_methods(g):
        tickets = inst.rules.tickets(g.size, k)
        most_hd = max(m.helpdesk for m in ms)
        if k == "self-service":
            why.append(f"by self-service it needs {tickets} helpdesk tickets but no month has more than {most_hd}")
        else:
            res, what = ("assisted", "assisted slots") if k == "assisted" else ("tech_fair", "tech-fair seats")
            most = max(m.capacity(res) for m in ms)
            if g.size > most:
                why.append(f"{'assisted' if k == 'assisted' else 'the tech fair'} needs {g.size} {what} "
                           f"(at most {most})")
            else:
                why.append(f"{'assisted' if k == 'assisted' else 'the tech fair'} needs {tickets} helpdesk "
                           f"tickets too (at most {most_hd})")
    if len(labels) == 1:
        return f"{g.name} ({_users(g.size)}) does not fit in {labels[0]}, its only possible month: " + "; ".join(why)
    return f"{g.name} ({_users(g.size)}) fits in no month from {labels[0]} to {labels[-1]}: " + "; ".join(why)


def headline(inst: Instance, conflict: list[tuple[str, tuple]], alike: list[tuple[str, tuple]] = ()) -> str | None:
    """A one-sentence summary for the common shapes; None for others. ``alike``: rules of the
    same cause (the windows of other pilot-stage groups that start as late)."""
    rules = [k[0] for k in conflict]
    caps = [k for k in conflict if k[0] in _CAP_RULES]
    group_keys = [k for k in conflict if k[0] in _GROUP_RULES]
    groups = {k[1][0] for k in group_keys}
    if caps and len(groups) == 1 and len(caps) + len(group_keys) == len(conflict) and \
            not _splits(inst, next(iter(groups))):  # "fits in no month" is about a whole group
        g = inst.group(next(iter(groups)))
        order = inst.month_labels
        labels = sorted({c[1][0] for c in caps}, key=order.index)
        return _group_fits_nowhere(inst, g, labels)
    windows = [k for k in conflict if k[0] == R.WINDOW]
    if caps and len(windows) > 1 and len(caps) + len(windows) == len(conflict):
        order = inst.month_labels
        gs = [inst.group(k[1][0]) for k in windows]
        last = max(_window(inst, g)[1] for g in gs)
        room = sum(month_user_capacity(inst, t) for t in range(last + 1))
        return (f"{len(gs)} groups ({sum(g.size for g in gs):,} users) must enroll by {order[last]} "
                f"(their latest months), but the months up to {order[last]} can enroll at most {room:,} users")
    stage = _stage_headline(inst, conflict, alike)
    if stage:
        return stage
    limits = [k for k in conflict if k[0] in (R.MAX_PLATFORMS, R.MAX_LOCATIONS)]
    if limits and len(limits) == len(conflict) and len({k[0] for k in limits}) == 1:
        rule = limits[0][0]
        what = "platform" if rule == R.MAX_PLATFORMS else "location"
        n = inst.rules.max_platforms_per_month if rule == R.MAX_PLATFORMS else inst.rules.max_locations_per_month
        vals = _kinds(inst, rule)
        labels = sorted({k[1][0] for k in limits}, key=inst.month_labels.index)
        return (f"the groups span {len(vals)} {what}s ({', '.join(vals)}) but {_span(inst, labels)} may hold "
                f"at most {n} {what}{'s' if n != 1 else ''} each (max_{what}s_per_month)")
    if caps and len(caps) == len(conflict):
        order = inst.month_labels
        labels = sorted({c[1][0] for c in caps}, key=order.index)
        room = sum(month_user_capacity(inst, order.index(lab)) for lab in labels)
        users = sum(g.size for g in inst.groups)
        span = labels[0] if len(labels) == 1 else f"{labels[0]} to {labels[-1]}"
        if room < users:
            return (f"all {len(inst.groups):,} groups ({users:,} users) must enroll from {span}, but with their "
                    f"helpdesk, assisted and tech-fair capacity these months can enroll at most {room:,} users")
        return f"the groups don't fit in the capacities of {', '.join(labels)}"
    if R.AFTER in rules:
        return describe(inst, next(x for x in conflict if x[0] == R.AFTER), conflict)
    if len(conflict) == 1:
        return describe(inst, conflict[0], conflict)
    return None


def _stage_headline(inst: Instance, conflict: list[tuple[str, tuple]], alike) -> str | None:
    """The pilot stage starts too late: production (or some production groups) no longer fits."""
    caps = [k for k in conflict if k[0] in _CAP_RULES]
    stage_rules = [k for k in conflict if k[0] in (R.PRODUCTION_OPENS, R.RISK_DELAY)]
    late = [inst.group(k[1][0]) for k in conflict
            if k[0] == R.WINDOW and inst.group(k[1][0]).pilot_stage and inst.group(k[1][0]).earliest]
    if not stage_rules or not late:
        return None
    start = max(inst.month_index(g.earliest) for g in late)
    first = start + inst.rules.stage_gap
    lead = next(g for g in late if inst.month_index(g.earliest) == start)
    others = len(late) - 1 + len(alike)
    who = lead.name + (f" and {others:,} more pilot-stage group{'s' if others > 1 else ''}" if others else "")
    opens = _label(inst, first) if first < inst.horizon else "no month of the plan"
    lead_in = (f"the pilot stage can't end before {inst.months[start].label} ({who} can't start earlier), "
               f"so production opens in {opens} at the earliest, but ")
    prod = [inst.group(n) for n in dict.fromkeys(k[1][0] for k in stage_rules)]
    total = sum(g.wave == "production" for g in inst.groups)
    names = (", ".join(g.name for g in prod) if len(prod) <= 3 else f"the {len(prod):,} production groups"
             if len(prod) == total else f"{len(prod):,} of the {total:,} production groups")
    if caps:
        room = sum(month_user_capacity(inst, t) for t in range(first, inst.horizon))
        return lead_in + (f"{names} ({sum(g.size for g in prod):,} users) don't fit in the months from then on: "
                          f"at most {room:,} users")
    risky = any(k[0] == R.RISK_DELAY for k in stage_rules)
    whose = "their" if len(prod) > 1 else "its"
    return lead_in + (f"{names} can't enroll in any month from then on ({whose} "
                      f"{'risk delay, ' if risky else ''}window and blackout months)")


def _span(inst: Instance, labels: list[str]) -> str:
    """'every month from A to B' for consecutive months, else the list."""
    idx = [inst.month_index(lb) for lb in labels]
    if len(idx) > 2 and idx == list(range(idx[0], idx[-1] + 1)):
        return f"every month from {labels[0]} to {labels[-1]}"
    return ", ".join(labels)

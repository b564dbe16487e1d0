"""Independent checker of a re-plan (model v2 spec, "Re-planning with actuals"): no solver.

A re-plan is judged as the spec's contract says, apart from the model on purpose:

- its rows before ``as_of`` are absent or exactly the actuals (``history-kept``), and it has no
  other part before ``as_of`` (``no-past-parts``);
- each group's new parts (from ``as_of`` on) add up to its remaining users r_g;
- per-part and per-month rules (methods, VIP, window, blackout, one method, span, least part,
  capacities, max_platforms / max_locations) judge the new parts only, the least part being
  min(min_part_users, r_g) and the span counted over the future months;
- order rules (pilot first, production opens + risk_delay, after) judge each new part against
  every part it must follow, actual or planned; the actual parts themselves are never judged;
- keep_departments_together holds only the groups without actual users.

Levels (:func:`replan_levels`) are those of the whole plan: the actual parts (their actual
method) and the new parts, with ``changes`` recomputed by :mod:`optimizer.replan.changes`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import Callable

from optimizer import rules as R
from optimizer.replan.changes import changes_level
from optimizer.checker import Violation, check_plan
from optimizer.domain import RESOURCE_LABELS, RESOURCES, Instance
from optimizer.replan.history import History, history_mismatches
from optimizer.plan import Assignment, Plan
from optimizer.replan.previous_plan import PreviousPlan, previous_from_parts

#: Rules the future-only check (:func:`check_plan` on the remaining users) judges as they are.
_PER_PART = {R.WHOLE_USERS, R.MONTHS_PER_GROUP, R.ONE_METHOD, R.METHOD, R.VIP_ASSISTED, R.WINDOW,
             R.BLACKOUT, R.MAX_PLATFORMS, R.MAX_LOCATIONS}

Tickets = Callable[[int, str], int]


class _Split:
    """A re-plan's parts: the rows before ``as_of`` and, per group, its new parts (month, users, method)."""

    def __init__(self, plan: Plan, as_of: int) -> None:
        self.past: dict[tuple[str, int], tuple[int, str]] = {}
        self.future: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
        for g, k, t, u in plan.all_parts():
            if t < as_of:
                self.past[g.name, t] = (u, k)
            else:
                self.future[g.name].append((t, u, k))


def future_plan(inst: Instance, history: History, parts: dict[str, list[tuple[int, int, str]]]) -> Plan:
    """The new parts as a plan of an instance whose groups have their remaining users as size
    (groups with nothing left are left out): the per-part rules judge it as any plan."""
    groups = tuple(replace(g, size=history.remaining[g.name]) for g in inst.groups
                   if history.remaining[g.name] > 0)
    sub = Instance(groups, inst.months, inst.rules, inst.name)
    out = {}
    for g in groups:
        ps = sorted(parts.get(g.name, ()))
        if ps:
            ks = tuple(k for _t, _u, k in ps)
            out[g.name] = Assignment(g.name, ps[0][0], ks[-1], tuple((t, u) for t, u, _k in ps),
                                     ks if len(set(ks)) > 1 else ())
    return Plan(sub, out)


def whole_plan(inst: Instance, history: History, future: Plan) -> Plan:
    """The whole re-plan: each group's actual parts (actual methods) then its new parts."""
    out = {}
    for g in inst.groups:
        ps = [(p.month, p.users, p.method) for p in history.parts.get(g.name, ())]
        a = future.assignments.get(g.name)
        if a is not None:
            ks = a.part_methods or (a.method,) * len(a.parts)
            ps += [(t, u, k) for (t, u), k in zip(a.parts, ks)]
        if ps:
            ks = tuple(k for _t, _u, k in ps)
            out[g.name] = Assignment(g.name, ps[0][0], ks[-1], tuple((t, u) for t, u, _k in ps), ks)
    return Plan(inst, out)


def check_replan(plan: Plan, history: History, previous: PreviousPlan | None = None,
                 tickets: Tickets | None = None) -> list[Violation]:
    """Every rule the re-plan ``plan`` breaks, in words (empty list = a valid re-plan).
    ``tickets(users, method)``: a new part's helpdesk tickets (default: the rules' rates; pass
    ``ObservedRates.tickets`` when the re-plan uses observed rates). ``previous`` is not judged
    (any plan may move from it); it is taken for symmetry with :func:`replan_levels`."""
    inst, as_of = plan.inst, history.as_of
    s = _Split(plan, as_of)
    out = _history_kept(inst, history, s.past)
    out += _remaining(inst, history, s.future)
    fut = future_plan(inst, history, s.future)
    out += [v for v in check_plan(fut) if v.rule in _PER_PART]
    out += _least_part(inst, history, fut)
    out += _capacity(inst, fut, tickets or inst.rules.tickets)
    out += _order(inst, history, fut)
    out += _departments(inst, history, fut)
    return out


def _history_kept(inst: Instance, history: History, past) -> list[Violation]:
    labels, when = inst.month_labels, inst.month_labels[history.as_of]
    out = []
    for m in history_mismatches(history, past):
        if m.expected is None:
            out.append(Violation(R.NO_PAST_PARTS, f"{m.group} enrolls {m.found.users} users in {labels[m.month]}, "
                                                  f"before {when}, with no actual users there: months before "
                                                  f"{when} are history"))
        elif m.found is None:
            out.append(Violation(R.HISTORY_KEPT, f"the plan shows the history but leaves out {m.group}'s "
                                                 f"{m.expected.users} actual users in {labels[m.month]}"))
        else:
            out.append(Violation(R.HISTORY_KEPT, f"{m.group} enrolls {m.found.users} users by {m.found.method} in "
                                                 f"{labels[m.month]}, but the actuals say {m.expected.users} "
                                                 f"users by {m.expected.method}"))
    return out


def _remaining(inst: Instance, history: History, future) -> list[Violation]:
    """Each group's new parts add up to its remaining users (none for a group that is done)."""
    when = inst.month_labels[history.as_of]
    out = []
    for g in inst.groups:
        left, new = history.remaining[g.name], sum(u for _t, u, _k in future.get(g.name, ()))
        done = g.size - left
        if left > 0 and new == 0:
            out.append(Violation(R.ONE_ASSIGNMENT, f"{g.name} has {left} users left but no month from {when} on "
                                                   "in the plan"))
        elif left == 0 and new > 0:
            out.append(Violation(R.PARTS_SUM, f"{g.name} is done (all {g.size} users enrolled before {when}), "
                                              f"but the plan enrolls {new} more"))
        elif new != left:
            out.append(Violation(R.PARTS_SUM, f"the new parts of {g.name} add up to {new} users, but it has "
                                              f"{left} users left ({g.size} minus {done} enrolled before {when})"))
    return out


def _least_part(inst: Instance, history: History, fut: Plan) -> list[Violation]:
    """Each new part has at least min(min_part_users, r_g) users (r_g, not the group's size)."""
    out = []
    for g, _k, t, u in fut.all_parts():
        least = history.least_part[g.name]
        if u < least:
            out.append(Violation(R.LEAST_PART, f"{g.name} enrolls {u} users in {inst.month_labels[t]}, fewer than "
                                               f"the least part of {least} users (min_part_users = "
                                               f"{inst.rules.min_part_users}, {g.size} users left)"))
    return out


def _capacity(inst: Instance, fut: Plan, tickets: Tickets) -> list[Violation]:
    """Capacities of the months from ``as_of`` on, by the new parts (past months are not checked)."""
    load: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(RESOURCES, 0))
    who: dict[tuple[int, str], list[str]] = defaultdict(list)
    for g, k, t, u in fut.all_parts():
        load[t]["helpdesk"] += tickets(u, k)
        who[t, "helpdesk"].append(g.name)
        if k in ("assisted", "tech-fair"):
            res = k.replace("-", "_")
            load[t][res] += u
            who[t, res].append(g.name)
    out = []
    for t in sorted(load):
        m = inst.months[t]
        for res in RESOURCES:
            if load[t][res] > m.capacity(res):
                out.append(Violation(R.CAPACITY_RULE[res],
                                     f"{m.label} needs {load[t][res]} {RESOURCE_LABELS[res]} but the capacity is "
                                     f"{m.capacity(res)} ({', '.join(dict.fromkeys(who[t, res]))})"))
    return out


def _order(inst: Instance, history: History, fut: Plan) -> list[Violation]:
    """Order rules: each group's first new part against every part it follows, actual or planned."""
    r, labels = inst.rules, inst.month_labels
    last = {g: p[-1].month for g, p in history.parts.items()}
    for g, _k, t, _u in fut.all_parts():
        last[g.name] = max(last.get(g.name, t), t)
    first_new = {a.group: a.month for a in fut.assignments.values()}
    out = []
    pilots = [g.name for g in inst.groups if g.wave == "pilot" and g.name in last]
    stage = [g.name for g in inst.groups if g.pilot_stage and g.name in last]
    opens = max(last[n] for n in stage) + r.stage_gap if stage else 0
    why = (f"the last pilot-stage month, actual or planned, is {labels[opens - r.stage_gap]} and stage_gap is "
           f"{r.stage_gap}" if stage else "there is no pilot stage")
    for g in inst.groups:
        t = first_new.get(g.name)
        if t is None:
            continue
        if g.wave == "expanded-pilot":
            for p in pilots:
                if t < last[p]:
                    out.append(Violation(R.PILOT_FIRST, f"expanded-pilot group {g.name} enrolls in {labels[t]}, "
                                                        f"before limited-pilot group {p} ({labels[last[p]]})"))
        if g.wave == "production":
            if t < opens:
                out.append(Violation(R.PRODUCTION_OPENS, f"production group {g.name} enrolls in {labels[t]}, "
                                                         f"before production opens ({why})"))
            elif g.risk == "high" and t < opens + r.risk_delay:
                out.append(Violation(R.RISK_DELAY, f"high-risk group {g.name} enrolls in {labels[t]}, less than "
                                                   f"risk_delay={r.risk_delay} month(s) after production opens "
                                                   f"({why})"))
        for h in g.after:
            if h in last and t <= last[h]:
                out.append(Violation(R.AFTER, f"{g.name} ({labels[t]}) must enroll after {h} "
                                              f"({labels[last[h]]}, actual or planned)"))
    return out


def _departments(inst: Instance, history: History, fut: Plan) -> list[Violation]:
    """keep_departments_together, for the groups without actual users only."""
    if not inst.rules.keep_departments_together:
        return []
    first = {a.group: a.month for a in fut.assignments.values()}
    teams: dict[tuple[str, str], list[str]] = defaultdict(list)
    for g in inst.groups:
        if g.department and g.name in first and not history.started(g.name):
            teams[(g.department, g.wave)].append(g.name)
    out = []
    for (dept, wave), names in teams.items():
        if len({first[n] for n in names}) > 1:
            spread = ", ".join(f"{n} ({inst.month_labels[first[n]]})" for n in names)
            out.append(Violation(R.DEPARTMENTS_TOGETHER, f"department {dept} ({wave}) is split over "
                                                         f"{len({first[n] for n in names})} months: {spread} "
                                                         "(groups not started yet)"))
    return out


def replan_levels(plan: Plan, history: History, previous: PreviousPlan | None = None) -> dict[str, int]:
    """The levels of the whole re-plan (actual parts with their actual method, then the new parts):
    finish, waiting, assisted, splits (months with a part beyond a group's first) and, with a
    previous plan, changes (users moved from the previous plan's months, slipped users counted)."""
    s = _Split(plan, history.as_of)
    whole = whole_plan(plan.inst, history, future_plan(plan.inst, history, s.future))
    vals = {"finish": 0, "waiting": 0, "assisted": 0}
    months: dict[str, set[int]] = defaultdict(set)
    for g, k, t, u in whole.all_parts():
        vals["finish"] = max(vals["finish"], t)
        vals["waiting"] += u * g.readiness * t
        vals["assisted"] += u if k == "assisted" else 0
        months[g.name].add(t)
    vals["splits"] = sum(len(ms) - 1 for ms in months.values())
    if previous is not None:
        new = {(g, t): u for g, ps in s.future.items() for t, u, _k in ps}
        actual = {g: history.actual_users(g) for g in history.parts}
        vals["changes"] = changes_level(previous.users, new, actual, history.as_of)
    return vals


def previous_of(plan: Plan) -> PreviousPlan:
    """A plan (v1 or v2, parts with their methods) as the previous plan of a re-plan."""
    return previous_from_parts((g.name, t, u, k) for g, k, t, u in plan.all_parts())

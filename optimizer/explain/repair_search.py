"""The smallest verified changes that resolve a conflict: single changes, the nearest common
deadline, the least extra capacity (a CP-SAT model with slack), or a uniform extra share."""

from __future__ import annotations

import dataclasses
import logging
import time

from ortools.sat.python import cp_model

from optimizer import rules as R
from optimizer.domain import METHODS, RESOURCE_LABELS, Instance
from optimizer.model import RolloutModel, month_user_capacity
from optimizer.explain.cell_repair import least_cell
from optimizer.explain.causes import horizon_repair, pilot_repair, stage_blocks_horizon, stage_windows
from optimizer.explain.changes import _candidates, apply_repair
from optimizer.explain.checks import Verify, _solver, relax
from optimizer.explain.findings import Repair
from optimizer.explain.rulekeys import _CAP_RULES, _RESOURCE_OF, conflict_groups
from optimizer.explain.split_repair import least_capacity, split_repairs
from optimizer.explain.words import _label, _span, _window


log = logging.getLogger(__name__)


#: Objective weight of one unit of extra capacity: a helpdesk ticket stands for about
#: seven self-service users, so it weighs as much as seven assisted or tech-fair seats.
_SLACK_WEIGHT = {"helpdesk": 7, "assisted": 1, "tech_fair": 1}


def _hint_slack(inst: Instance, rm: RolloutModel, slack: dict[tuple[str, str], int]) -> None:
    """Warm start: a greedy plan with unlimited capacity, and the slack it needs."""
    from optimizer.solving.greedy import best_greedy
    from optimizer.plan import Plan

    big = dataclasses.replace(inst, months=tuple(
        dataclasses.replace(m, helpdesk=m.helpdesk + 10**7, assisted=m.assisted + 10**7, tech_fair=m.tech_fair + 10**7)
        for m in inst.months))
    plan = best_greedy(big)
    if plan is None:
        return
    rm.hint(plan)
    loads = Plan.from_indices(inst, plan).loads()
    index = {m.label: t for t, m in enumerate(inst.months)}
    for (res, label), v in slack.items():
        t = index[label]
        rm.hint_value(v, max(0, loads[t][res] - inst.months[t].capacity(res)))


def capacity_repair(inst: Instance, limit: float, *, workers: int = 8, seed: int = 0,
                    verify: Verify | None = None) -> Repair | None:
    """The least extra capacity (over all months and resources together) that gives a
    plan: the plain model with a slack on every capacity row, minimising weighted slack.
    With a ``verify`` that sets rules aside (``ignore``, ``only``): the guarded model with
    only the rules it enforces."""
    partial = verify is not None and (verify.ignore or verify.only is not None)
    relaxed = relax(inst, verify.ignore) if partial and verify.only is None else None
    if relaxed is not None:  # the other conflicts set aside in the data: the plain model, much faster
        return capacity_repair(relaxed, limit, workers=workers, seed=seed)
    if inst.may_split:  # room for parts, not for whole groups
        st, extra = least_capacity(inst, limit, verify.enforced if partial else (lambda k: True), _SLACK_WEIGHT,
                                   workers=workers, seed=seed)
        return _capacity_text(inst, st, extra)
    rm = RolloutModel(inst, redundant=False, guards=partial)
    if partial:
        rm.add_assumptions([lit for k, lit in rm.guards.items() if verify.enforced(k)])
    slack: dict[tuple[str, str], int] = {}
    for (res, label), ci in rm.capacity_rows.items():
        demand = sum(g.size for g in inst.groups) if res != "helpdesk" else sum(
            max(inst.rules.tickets(g.size, k) for k in METHODS) for g in inst.groups)
        slack[(res, label)] = rm.add_slack(ci, max(1, demand))
    if not slack:
        return None
    rm.add_objective_terms(list(slack.values()), [_SLACK_WEIGHT[res] for res, _ in slack])
    _hint_slack(inst, rm, slack)
    s = _solver(limit, workers, seed)
    st = s.solve(rm.model)
    if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    sol = s.response_proto.solution
    extra = [(res, label, int(sol[v])) for (res, label), v in slack.items() if sol[v] > 0]
    return _capacity_text(inst, st, extra)


def _capacity_text(inst: Instance, st: int, extra: list[tuple[str, str, int]]) -> Repair | None:
    """The repair '+50 helpdesk tickets in 2027-09 (200 -> 250) and ...' (None: no extra)."""
    if not extra:
        return None
    order = {m.label: i for i, m in enumerate(inst.months)}
    extra.sort(key=lambda e: (order[e[1]], e[0]))
    caps = {m.label: m for m in inst.months}
    parts = [f"+{d} {RESOURCE_LABELS[res]} in {label} ({caps[label].capacity(res)} -> "
             f"{caps[label].capacity(res) + d})" for res, label, d in extra]
    cost = sum(_month_share(inst, res, label, d) for res, label, d in extra)
    proven = "" if st == cp_model.OPTIMAL else " (the least found within the time limit)"
    return Repair(" and ".join(parts) + proven, "capacity", round(cost, 4),
                  tuple(("capacity", (label, res, d)) for res, label, d in extra))


def _month_share(inst: Instance, res: str, label: str, extra: int) -> float:
    """How big extra capacity is: the users it lets enroll (a seat one user, a ticket the
    self-service users it serves) over the users that resource of the month enrolls now, but at
    least a tenth of what the month can enroll. So +1,680 helpdesk tickets on 659 weigh 2.5 (as a
    window moved by two and a half months), and +106 assisted slots in a month without any but
    6,000 users of room weigh 0.2, not 106."""
    t = inst.month_index(label)
    per_ticket = 100 / max(1, inst.rules.tickets_per_100_users["self-service"])
    now = inst.months[t].capacity(res) * (per_ticket if res == "helpdesk" else 1)
    users = extra * (per_ticket if res == "helpdesk" else 1)
    return users / max(1.0, now, month_user_capacity(inst, t) / 10)


def _left(deadline: float) -> float:
    """Seconds for one feasibility check: what is left, at most 10."""
    return min(10.0, max(0.5, deadline - time.perf_counter()))


def _bisect(lo: int, hi: int, ok, deadline: float) -> int | None:
    """The smallest value in [lo, hi] for which ``ok`` (monotone: once True, True for
    every larger value) is proven True; None when there is none or the time runs out
    first. An unknown verdict (None) counts as "not proven": the search goes on upwards,
    so the value returned is always verified, but may not be the least when a check of
    a smaller one ran out of time."""
    best = None
    while lo <= hi and time.perf_counter() < deadline:
        mid = (lo + hi) // 2
        verdict = ok(mid)
        if verdict:
            best, hi = mid, mid - 1
        else:
            lo = mid + 1
    return best


def deadline_repair(inst: Instance, conflict: list[tuple[str, tuple]], *, deadline: float,
                    workers: int = 8, verify: Verify | None = None) -> Repair | None:
    """Many groups due too early (several windows in the conflict): the nearest common
    latest month that gives a plan, for every one of them whose latest month is earlier.
    A later latest month only adds plans, so the search bisects."""
    names = [k[1][0] for k in conflict if k[0] == R.WINDOW]
    if len(names) < 2:
        return None
    his = {n: _window(inst, inst.group(n))[1] for n in names}
    last = max(his.values())

    def changes(t: int) -> tuple:
        return tuple(("latest", (n, _label(inst, t))) for n, h in his.items() if h < t)

    verify = verify or Verify(workers=workers)

    def ok(t: int) -> bool | None:
        return verify(apply_repair(inst, Repair("", "window", 0.0, changes(t))), _left(deadline))

    best = _bisect(last + 1, inst.horizon - 1, ok, deadline)
    if best is None:
        return None
    return Repair(f"let the {len(names)} groups due by {_label(inst, last)} enroll until {_label(inst, best)} "
                  f"(move their latest month)", "window", float(best - last) + 0.5, changes(best))


#: Shares tried by the uniform capacity repair, in percent.
_PERCENTS = (5, 10, 20, 30, 50, 75, 100, 150, 200, 300, 500)


def uniform_capacity_repair(inst: Instance, conflict: list[tuple[str, tuple]], *, deadline: float,
                            workers: int = 8, verify: Verify | None = None) -> Repair | None:
    """The same extra share of every conflicting capacity (e.g. +30 % helpdesk tickets in
    every month from 2027-01 to 2027-12): the smallest share on a ladder that gives a plan.
    A fallback for when the least-extra-capacity model does not finish (large instances)."""
    caps = {m.label: m for m in inst.months}
    cells = [(k[1][0], _RESOURCE_OF[k[0]]) for k in conflict if k[0] in _CAP_RULES]
    cells = [(label, res) for label, res in cells if caps[label].capacity(res) > 0]
    if not cells:
        return None

    def changes(i: int) -> tuple:
        pct = _PERCENTS[i]
        return tuple(("capacity", (label, res, -(-caps[label].capacity(res) * pct // 100))) for label, res in cells)

    verify = verify or Verify(workers=workers)

    def ok(i: int) -> bool | None:
        return verify(apply_repair(inst, Repair("", "capacity", 0.0, changes(i))), _left(deadline))

    best = _bisect(0, len(_PERCENTS) - 1, ok, deadline)
    if best is None:
        return None
    pct, order = _PERCENTS[best], inst.month_labels
    parts = []
    for res in ("helpdesk", "assisted", "tech_fair"):
        labels = sorted({lb for lb, r in cells if r == res}, key=order.index)
        if labels:
            extra = sum(d for what, (lb, r, d) in changes(best) if r == res)
            parts.append(f"+{pct} % {RESOURCE_LABELS[res]} in {_span(inst, labels)} (+{extra:,} in all)")
    return Repair(" and ".join(parts), "capacity", round(pct / 100 * len(cells), 4), changes(best))


def repairs(inst: Instance, conflict: list[tuple[str, tuple]], *, deadline: float, workers: int = 8,
            limit: int = 8, verify: Verify | None = None) -> list[Repair]:
    """Single changes that each resolve the conflict, cheapest first: with the change the
    instance is feasible (with ``verify.ignore``: feasible once those rules, the other
    conflicts', are set aside)."""
    verify = verify or Verify(workers=workers)
    found: list[Repair] = []
    seen: set[tuple] = set()
    windows = sum(1 for k in conflict if k[0] == R.WINDOW)
    # not when some window closes before production opens, or the conflict's capacities are 0 in
    # the last month (the months added are copies of it)
    caps = [k for k in conflict if k[0] in _CAP_RULES]
    more_months = not stage_blocks_horizon(inst, conflict) and (
        not caps or any(inst.months[-1].capacity(_RESOURCE_OF[k[0]]) > 0 for k in caps))
    if stage_windows(inst, conflict):  # the pilot stage starts too late: its months first, then more months
        for rep in (pilot_repair(inst, conflict, verify, time.perf_counter() + 0.6 * (deadline - time.perf_counter())),
                    horizon_repair(inst, verify, time.perf_counter() + 0.3 * (deadline - time.perf_counter()))
                    if more_months else None):
            if rep is not None:
                found.append(rep)
                seen.add(rep.changes)
        more_months = False  # tried
    if windows >= 2:
        rep = deadline_repair(inst, conflict, deadline=time.perf_counter() + 0.4 * (deadline - time.perf_counter()),
                              workers=workers, verify=verify)
        if rep is not None:
            found.append(rep)
            seen.add(rep.changes)
    # single changes first, in at most half the time left (the capacity model can use the rest)
    singles_end = time.perf_counter() + 0.5 * (deadline - time.perf_counter())
    for key in conflict:
        if time.perf_counter() >= singles_end:
            break
        if key[0] == R.WINDOW and windows > 3:
            continue  # one group's window alone rarely helps when many are due: deadline_repair
        for rep in _candidates(inst, key):
            if rep.changes in seen or time.perf_counter() >= singles_end:
                continue
            seen.add(rep.changes)
            try:
                verdict = verify(apply_repair(inst, rep), _left(singles_end))
            except (ValueError, KeyError):
                continue
            if verdict:
                found.append(rep)
                if rep.kind == "window":
                    break  # the nearest window change for this group is enough
    if any(k[0] in _CAP_RULES or k[0] == R.MONTHS_PER_GROUP for k in conflict):  # "let Sales enroll over 2 months"
        found += split_repairs(inst, conflict_groups(inst, conflict), verify,
                               time.perf_counter() + 0.25 * (deadline - time.perf_counter()))
    if more_months and any(k[0] in _CAP_RULES or k[0] == R.WINDOW for k in conflict):
        rep = horizon_repair(inst, verify, time.perf_counter() + 0.3 * (deadline - time.perf_counter()))
        if rep is not None and rep.changes not in seen:
            found.append(rep)
            seen.add(rep.changes)
    if any(k[0] in _CAP_RULES for k in conflict):
        found += [rep for rep in _capacity_repairs(inst, conflict, verify, deadline, workers) if rep.changes not in seen]
    found.sort(key=lambda rp: (rp.cost, rp.description))
    return found[:limit]


def _capacity_repairs(inst: Instance, conflict: list[tuple[str, tuple]], verify: Verify, deadline: float,
                      workers: int) -> list[Repair]:
    """Extra capacity: the least in one month (a bisection on the amount: quick, and only where
    it binds), the least over every month (the model with slack), or else a uniform share."""
    out = []
    cell = least_cell(inst, conflict, verify, time.perf_counter() + 0.7 * (deadline - time.perf_counter()))
    if cell is not None:
        res, label, extra, least = cell
        out.append(_capacity_text(inst, cp_model.OPTIMAL if least else cp_model.FEASIBLE, [(res, label, extra)]))
    # with a month's extra found, the model over every month only has a few seconds to beat it
    rep = capacity_repair(inst, min(20.0 if cell is None else 5.0, max(0.5, 0.7 * (deadline - time.perf_counter()))),
                          workers=workers, verify=verify)
    if rep is not None and rep.changes not in {r.changes for r in out} and \
            verify(apply_repair(inst, rep), _left(deadline)):
        out.append(rep)
    elif not out and time.perf_counter() < deadline:
        rep = uniform_capacity_repair(inst, conflict, deadline=deadline, workers=workers, verify=verify)
        if rep is not None:
            out.append(rep)
    return out

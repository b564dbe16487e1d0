"""Greedy plans without a solver — the spreadsheet baseline and a warm start.

``greedy_plan(inst)`` is the rule a spreadsheet user would follow: pilots
first, then expanded pilots, then production; within a wave the most eager
groups (readiness) first; each group to the first month that fits, with the
least IT effort (self-service, then tech fair, then assisted).

``best_greedy(inst)`` also tries a capacity-minded variant (largest groups
first, methods that generate the fewest helpdesk tickets first) and returns
the better plan by the instance's own objective; the solver uses it as a
warm start. Either returns None when the simple rule gets stuck, which does
not mean that no plan exists.
"""

from __future__ import annotations

import heapq
import time
from collections import defaultdict

from .domain import Instance

#: Method preference orders.
EFFORT_ORDER = ("self-service", "tech-fair", "assisted")  # least IT effort first
TICKET_ORDER = ("assisted", "tech-fair", "self-service")  # fewest helpdesk tickets first
_WAVE_RANK = {"pilot": 0, "expanded-pilot": 1, "production": 2}


def _units(inst: Instance) -> list[list[int]]:
    """Groups that must share a month (departments-together) form one unit."""
    if not inst.rules.keep_departments_together:
        return [[i] for i in range(len(inst.groups))]
    blocks: dict[tuple[str, str], list[int]] = {}
    units: list[list[int]] = []
    for i, g in enumerate(inst.groups):
        if g.department:
            key = (g.department, g.wave)
            if key not in blocks:
                blocks[key] = []
                units.append(blocks[key])
            blocks[key].append(i)
        else:
            units.append([i])
    return units


def greedy_plan(
    inst: Instance, order: str = "readiness", methods: tuple[str, ...] = EFFORT_ORDER
) -> dict[int, tuple[int, str]] | None:
    """{group index: (month index, method)} or None if greedy gets stuck.

    ``order``: "readiness" (eager first, then larger) or "size" (larger first).
    """
    r = inst.rules
    T = inst.horizon
    G = inst.groups
    idx = {g.name: i for i, g in enumerate(G)}
    allowed = [set(inst.allowed_months(g)) for g in G]
    allowed_k = [[k for k in methods if k in inst.allowed_methods(g)] for g in G]
    load = [{"helpdesk": 0, "assisted": 0, "tech_fair": 0} for _ in range(T)]
    caps = [{"helpdesk": m.helpdesk, "assisted": m.assisted, "tech_fair": m.tech_fair} for m in inst.months]
    platforms: list[set[str]] = [set() for _ in range(T)]
    locations: list[set[str]] = [set() for _ in range(T)]
    plan: dict[int, tuple[int, str]] = {}
    has_stage = any(g.pilot_stage for g in G)
    last_pilot = -1  # latest month holding a limited-pilot group
    last_stage = -1  # latest month holding any pilot-stage group

    units = _units(inst)
    unit_of = {i: u for u, members in enumerate(units) for i in members}

    def priority(u: int) -> tuple:
        members = units[u]
        return (
            min(_WAVE_RANK[G[i].wave] for i in members),
            -max(G[i].readiness for i in members) if order == "readiness" else 0,
            -sum(G[i].size for i in members),
            u,
        )

    # Units become ready when all their `after` predecessors (outside the unit) are placed.
    waiting_on: dict[int, int] = defaultdict(int)
    successors: dict[int, set[int]] = defaultdict(set)
    for u, members in enumerate(units):
        for i in members:
            for h in G[i].after:
                pu = unit_of[idx[h]]
                if pu == u:
                    return None  # must share a month with a group it must come after: no plan
                if u not in successors[pu]:
                    successors[pu].add(u)
                    waiting_on[u] += 1
    heap = [(priority(u), u) for u in range(len(units)) if waiting_on[u] == 0]
    heapq.heapify(heap)

    def need(i: int, k: str) -> dict[str, int]:
        size = G[i].size
        return {"helpdesk": r.tickets(size, k), "assisted": size if k == "assisted" else 0,
                "tech_fair": size if k == "tech-fair" else 0}

    def lower_bound(i: int) -> int:
        g = G[i]
        lo = 0
        if g.wave == "expanded-pilot":
            lo = max(last_pilot, 0)
        elif g.wave == "production":
            if has_stage:
                lo = max(last_stage, 0) + r.stage_gap
            if g.risk == "high":
                lo += r.risk_delay
        for h in g.after:
            lo = max(lo, plan[idx[h]][0] + 1)
        return lo

    placed_units = 0
    while heap:
        _, u = heapq.heappop(heap)
        members = units[u]
        lo = max(lower_bound(i) for i in members)
        for t in range(lo, T):
            extra = {"helpdesk": 0, "assisted": 0, "tech_fair": 0}
            chosen: dict[int, str] = {}
            for i in members:
                if t not in allowed[i]:
                    break
                for k in allowed_k[i]:
                    nd = need(i, k)
                    if all(load[t][res] + extra[res] + nd[res] <= caps[t][res] for res in nd):
                        chosen[i] = k
                        for res in nd:
                            extra[res] += nd[res]
                        break
                else:
                    break
            if len(chosen) < len(members):
                continue
            new_p = platforms[t] | {G[i].platform for i in members if G[i].platform}
            new_l = locations[t] | {G[i].location for i in members if G[i].location}
            if 0 < r.max_platforms_per_month < len(new_p) or 0 < r.max_locations_per_month < len(new_l):
                continue
            for i, k in chosen.items():
                plan[i] = (t, k)
                if G[i].wave == "pilot":
                    last_pilot = max(last_pilot, t)
                if G[i].pilot_stage:
                    last_stage = max(last_stage, t)
            for res in extra:
                load[t][res] += extra[res]
            platforms[t], locations[t] = new_p, new_l
            break
        else:
            return None
        placed_units += 1
        for v in successors[u]:
            waiting_on[v] -= 1
            if waiting_on[v] == 0:
                heapq.heappush(heap, (priority(v), v))
    if placed_units < len(units):
        return None
    # An expanded pilot pushed late (after a production group was placed) breaks the rules.
    for i, g in enumerate(G):
        if g.wave == "production" and plan[i][0] < last_stage + r.stage_gap:
            return None
        if g.wave == "expanded-pilot" and plan[i][0] < last_pilot:
            return None
    return plan


def best_greedy(inst: Instance) -> dict[int, tuple[int, str]] | None:
    """The best of the greedy variants, by the instance's lexicographic objective."""
    return best_greedy_by(inst)[0]


def best_greedy_by(inst: Instance, deadline: float | None = None) -> tuple[dict[int, tuple[int, str]] | None, bool]:
    """:func:`best_greedy`, trying no further variant once ``time.perf_counter()`` passed
    ``deadline`` when one plan is in hand (100,000 groups: seconds per variant). Returns
    (plan, whether the deadline left a variant untried)."""
    from .plan import Plan

    variants = [("readiness", EFFORT_ORDER), ("readiness", TICKET_ORDER), ("size", TICKET_ORDER)]
    plans = []
    cut = False
    for o, m in variants:
        if plans and deadline is not None and time.perf_counter() >= deadline:
            cut = True
            break
        p = greedy_plan(inst, o, m)
        if p is not None:
            plans.append(p)
    if not plans:
        return None, cut
    levels = inst.rules.objective

    def key(p: dict[int, tuple[int, str]]) -> tuple[int, ...]:
        vals = Plan.from_indices(inst, p).objective_values()
        return tuple(vals[lv] for lv in levels)

    return min(plans, key=key), cut

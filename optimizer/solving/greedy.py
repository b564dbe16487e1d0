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

from optimizer.domain import RESOURCES, Choices, Instance, method_load
from optimizer.solving.month_bounds import MonthBounds

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


class _State:
    """A greedy plan under construction: what is placed, each month's load and mix."""

    def __init__(self, inst: Instance, methods: tuple[str, ...]) -> None:
        self.inst = inst
        self.bounds = MonthBounds(inst)
        G = inst.groups
        self.allowed = [set(inst.allowed_months(g)) for g in G]
        self.allowed_k = [[k for k in methods if k in inst.allowed_methods(g)] for g in G]
        T = inst.horizon
        self.load = [{res: 0 for res in RESOURCES} for _ in range(T)]
        self.caps = [{res: m.capacity(res) for res in RESOURCES} for m in inst.months]
        self.platforms: list[set[str]] = [set() for _ in range(T)]
        self.locations: list[set[str]] = [set() for _ in range(T)]
        self.plan: Choices = {}
        self.months: dict[int, int] = {}
        self.last_pilot = -1  # latest month holding a limited-pilot group
        self.last_stage = -1  # latest month holding any pilot-stage group

    def lower(self, i: int) -> int:
        """First month group i may take with the groups placed so far."""
        end = max(self.last_stage, 0) if self.bounds.has_stage else -1
        return self.bounds.lower(i, self.months, stage_end=end, last_pilot=self.last_pilot)

    def fit(self, members: list[int], t: int) -> tuple[dict[int, str], dict[str, int]] | None:
        """Each member's first method that fits month t with the others (and their extra
        load), or None when a member cannot go in month t."""
        r, load, caps = self.inst.rules, self.load[t], self.caps[t]
        extra = {res: 0 for res in RESOURCES}
        chosen: dict[int, str] = {}
        for i in members:
            if t not in self.allowed[i]:
                return None
            for k in self.allowed_k[i]:
                nd = method_load(r, self.inst.groups[i].size, k)
                if all(load[res] + extra[res] + nd[res] <= caps[res] for res in nd):
                    chosen[i] = k
                    for res in nd:
                        extra[res] += nd[res]
                    break
            else:
                return None
        return chosen, extra

    def place(self, members: list[int], lo: int) -> bool:
        """Put a unit in its first month from ``lo`` that fits; False when none does."""
        G, r = self.inst.groups, self.inst.rules
        for t in range(lo, self.inst.horizon):
            fitted = self.fit(members, t)
            if fitted is None:
                continue
            chosen, extra = fitted
            new_p = self.platforms[t] | {G[i].platform for i in members if G[i].platform}
            new_l = self.locations[t] | {G[i].location for i in members if G[i].location}
            if 0 < r.max_platforms_per_month < len(new_p) or 0 < r.max_locations_per_month < len(new_l):
                continue
            for i, k in chosen.items():
                self.plan[i] = (t, k)
                self.months[i] = t
                if G[i].wave == "pilot":
                    self.last_pilot = max(self.last_pilot, t)
                if G[i].pilot_stage:
                    self.last_stage = max(self.last_stage, t)
            for res in extra:
                self.load[t][res] += extra[res]
            self.platforms[t], self.locations[t] = new_p, new_l
            return True
        return False

    def keeps_stage_order(self) -> bool:
        """Stage order, risk delay and pilot first hold for the whole plan: a pilot-stage
        group pushed late (after a production group was placed) can break them."""
        for i in range(len(self.inst.groups)):
            lo = max(self.bounds.stage_lower(i, self.last_stage), self.bounds.pilot_lower(i, self.last_pilot))
            if self.plan[i][0] < lo:
                return False
        return True


def _ready_order(inst: Instance, units: list[list[int]], bounds: MonthBounds):
    """The `after` graph between units: (units waiting on n others, successors), or None
    when a unit must come after one of its own members (no plan)."""
    unit_of = {i: u for u, members in enumerate(units) for i in members}
    waiting_on: dict[int, int] = defaultdict(int)
    successors: dict[int, set[int]] = defaultdict(set)
    for u, members in enumerate(units):
        for i in members:
            for h in bounds.pred[i]:
                pu = unit_of[h]
                if pu == u:
                    return None  # must share a month with a group it must come after: no plan
                if u not in successors[pu]:
                    successors[pu].add(u)
                    waiting_on[u] += 1
    return waiting_on, successors


def greedy_plan(
    inst: Instance, order: str = "readiness", methods: tuple[str, ...] = EFFORT_ORDER
) -> Choices | None:
    """{group index: (month index, method)} or None if greedy gets stuck.

    ``order``: "readiness" (eager first, then larger) or "size" (larger first).
    """
    state = greedy_state(inst, order, _State(inst, methods))
    return None if state is None else state.plan


def greedy_state(inst: Instance, order: str, state: _State) -> _State | None:
    """Run the greedy rule on ``state`` (a :class:`_State` or a subclass that places units its
    own way, optimizer.solving.greedy_split): the state with every group placed, or None."""
    G = inst.groups
    units = _units(inst)

    def priority(u: int) -> tuple:
        members = units[u]
        return (
            min(_WAVE_RANK[G[i].wave] for i in members),
            -max(G[i].readiness for i in members) if order == "readiness" else 0,
            -sum(G[i].size for i in members),
            u,
        )

    # Units become ready when all their `after` predecessors (outside the unit) are placed.
    graph = _ready_order(inst, units, state.bounds)
    if graph is None:
        return None
    waiting_on, successors = graph
    heap = [(priority(u), u) for u in range(len(units)) if waiting_on[u] == 0]
    heapq.heapify(heap)
    placed_units = 0
    while heap:
        _, u = heapq.heappop(heap)
        members = units[u]
        if not state.place(members, max(state.lower(i) for i in members)):
            return None
        placed_units += 1
        for v in successors[u]:
            waiting_on[v] -= 1
            if waiting_on[v] == 0:
                heapq.heappush(heap, (priority(v), v))
    if placed_units < len(units) or not state.keeps_stage_order():
        return None
    return state


def best_greedy(inst: Instance) -> Choices | None:
    """The best of the greedy variants, by the instance's lexicographic objective."""
    return best_greedy_by(inst)[0]


def best_greedy_by(inst: Instance, deadline: float | None = None) -> tuple[Choices | None, bool]:
    """:func:`best_greedy`, trying no further variant once ``time.perf_counter()`` passed
    ``deadline`` when one plan is in hand (100,000 groups: seconds per variant). Returns
    (plan, whether the deadline left a variant untried)."""
    from optimizer.plan import Plan

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

    def key(p: Choices) -> tuple[int, ...]:
        vals = Plan.from_indices(inst, p).objective_values()
        return tuple(vals[lv] for lv in levels)

    return min(plans, key=key), cut

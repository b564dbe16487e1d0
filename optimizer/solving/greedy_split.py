"""A greedy plan that may split groups (model v2; issue 15) — the split solve path's fast start.

The rule of :mod:`optimizer.solving.greedy` (waves in order, eager groups first, each unit in the
first month that fits) with one addition: when a group that may split does not fit whole in a
month, it fills that month's remaining capacity with a part of at least its least part and
continues in the following months of its span (at most ``max_months`` months from the first
part, holes allowed), one method for all its parts. So an input that has a plan only with parts
gets a start, and a group too big for one month does not push the finish months later.

Groups that must share a first month with their department stay whole (as in the v1 greedy).
Every plan returned is checked by :func:`optimizer.checker.check_plan`; None when the rule gets
stuck, which does not mean that no plan exists.
"""

from __future__ import annotations

import time

from optimizer.checker import check_plan
from optimizer.domain import SEAT_RESOURCE, Instance, method_load
from optimizer.plan import Assignment, Plan
from optimizer.solving.greedy import EFFORT_ORDER, TICKET_ORDER, _State, greedy_state

#: The variants tried, as (order, method preference) of :func:`optimizer.solving.greedy.greedy_plan`.
VARIANTS = (("readiness", EFFORT_ORDER), ("readiness", TICKET_ORDER), ("size", TICKET_ORDER))


class _SplitState(_State):
    """A greedy plan under construction whose split groups may have several parts."""

    def __init__(self, inst: Instance, methods: tuple[str, ...]) -> None:
        super().__init__(inst, methods)
        self.parts: dict[int, list[tuple[int, int]]] = {}

    def place(self, members: list[int], lo: int) -> bool:
        """The unit whole in its first month from ``lo`` that fits; a single group that may
        split, in parts from the first month where it does not fit whole but a part does."""
        i = members[0]
        g = self.inst.groups[i]
        if len(members) > 1 or self.inst.max_months(g) <= 1 or g.size <= 1:
            return super().place(members, lo)
        for t in range(lo, self.inst.horizon):
            if self._fits_whole(i, t):
                return super().place(members, t)
            parts = self._parts_from(i, t)
            if parts is not None:
                self._commit(i, *parts)
                return True
        return False

    def _fits_whole(self, i: int, t: int) -> bool:
        if self.fit([i], t) is None:
            return False
        return self._mix_ok(i, t)

    def _mix_ok(self, i: int, t: int) -> bool:
        """The group in month t keeps the platforms and locations per month."""
        g, r = self.inst.groups[i], self.inst.rules
        p = self.platforms[t] | ({g.platform} if g.platform else set())
        loc = self.locations[t] | ({g.location} if g.location else set())
        return not (0 < r.max_platforms_per_month < len(p) or 0 < r.max_locations_per_month < len(loc))

    def _room(self, i: int, t: int, k: str, most: int) -> int:
        """The most users (<= ``most``) of group i that fit month t's remaining capacity by k:
        ceil(rate * u / 100) <= tickets left, i.e. u <= 100 * tickets left // rate, and u <= the
        method's seats left (the loads of optimizer.domain.method_load)."""
        load, caps = self.load[t], self.caps[t]
        room = most
        rate = self.inst.rules.tickets_per_100_users[k]
        if rate > 0:
            room = min(room, 100 * (caps["helpdesk"] - load["helpdesk"]) // rate)
        seat = SEAT_RESOURCE.get(k)
        if seat is not None:
            room = min(room, caps[seat] - load[seat])
        return max(room, 0)

    def _parts_from(self, i: int, first: int) -> tuple[str, list[tuple[int, int]]] | None:
        """(method, [(month, users)]) with the first part in month ``first`` and every part at
        least the least part, within the span; None when no method gets all users placed."""
        g, inst = self.inst.groups[i], self.inst
        least, span = inst.least_part(g), inst.max_months(g)
        if first not in self.allowed[i] or not self._mix_ok(i, first):
            return None
        months = [t for t in range(first, min(first + span, inst.horizon))
                  if t in self.allowed[i] and self._mix_ok(i, t)]
        for k in self.allowed_k[i]:
            left, parts = g.size, []
            for t in months:
                room = self._room(i, t, k, left)
                take = left if room >= left else min(room, left - least)
                if take < least:
                    if t == first:
                        break
                    continue
                parts.append((t, take))
                left -= take
                if left == 0:
                    return k, parts
        return None

    def _commit(self, i: int, k: str, parts: list[tuple[int, int]]) -> None:
        g, r = self.inst.groups[i], self.inst.rules
        for t, u in parts:
            for res, v in method_load(r, u, k).items():
                self.load[t][res] += v
            if g.platform:
                self.platforms[t] = self.platforms[t] | {g.platform}
            if g.location:
                self.locations[t] = self.locations[t] | {g.location}
        first, last = parts[0][0], parts[-1][0]
        self.plan[i] = (first, k)
        self.months[i] = last  # `after`: successors start after the last part
        if len(parts) > 1:
            self.parts[i] = parts
        if g.wave == "pilot":
            self.last_pilot = max(self.last_pilot, last)
        if g.pilot_stage:
            self.last_stage = max(self.last_stage, last)


def greedy_split_plan(inst: Instance, order: str = "readiness",
                      methods: tuple[str, ...] = EFFORT_ORDER) -> Plan | None:
    """The greedy plan with parts (see the module), or None when the rule gets stuck or the
    checker rejects the plan."""
    state = greedy_state(inst, order, _SplitState(inst, methods))
    return None if state is None else _as_plan(inst, state)


def _as_plan(inst: Instance, state: _SplitState) -> Plan | None:
    out = {}
    for i, (t, k) in sorted(state.plan.items()):
        name = inst.groups[i].name
        out[name] = Assignment.from_parts(name, k, state.parts[i]) if i in state.parts else Assignment(name, t, k)
    plan = Plan(inst, out)
    return plan if not check_plan(plan) else None


def best_split_greedy(inst: Instance, deadline: float | None = None) -> Plan | None:
    """The best greedy plan with parts over :data:`VARIANTS` by the instance's objective
    (no further variant once ``deadline`` passed with a plan in hand)."""
    plans: list[Plan] = []
    for order, methods in VARIANTS:
        if plans and deadline is not None and time.perf_counter() >= deadline:
            break
        p = greedy_split_plan(inst, order, methods)
        if p is not None:
            plans.append(p)
    levels = inst.rules.objective
    return min(plans, key=lambda p: tuple(p.objective_values()[lv] for lv in levels), default=None)

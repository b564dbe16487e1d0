"""Which months a group may take, given the rest of the plan: every rule, once, for the solver side.

The greedy plans (:mod:`optimizer.solving.greedy`), the window moves (:func:`optimizer.solving.window_moves.window_instance`)
and the LP rounding (:mod:`optimizer.solving.lp.rounding`) all ask this: with the other groups where they
are, which months are left for this one? The rules that answer it (docs/model.md):

- **stage order**: pilot-stage groups (pilot, expanded pilot) come first; production opens
  ``stage_gap`` months after the last pilot-stage month (month 0 without a pilot stage);
- **risk delay**: high-risk production groups wait ``risk_delay`` more months;
- **pilot first**: no expanded pilot before the last limited pilot;
- **after**: a group comes at least a month after every group in its ``after`` list;
- **window and blackout**: its earliest/latest months, not its blackout months
  (:meth:`optimizer.domain.Instance.allowed_months`).

Capacity and the per-month limits (platforms, locations, departments together) depend on
the whole month, not on one group's bounds; the callers keep those.

The CP-SAT model (:mod:`optimizer.model`) states the same rules as constraints, and the
checker (:mod:`optimizer.checker`) checks them on its own, on purpose: it must not share
code with what it checks. tests/test_rules_agree.py checks that model and checker agree.
"""

from __future__ import annotations

import weakref
from typing import Mapping, Sequence

import numpy as np

from optimizer.domain import Choices, Group, Instance

#: Months of other groups: a {group index: month} mapping (only the groups placed so
#: far) or a sequence/array with every group's month.
Months = Mapping[int, int] | Sequence[int] | np.ndarray


def risk_delay(inst: Instance, g: Group) -> int:
    """The extra months a production group waits after production opens (high risk only)."""
    return inst.rules.risk_delay if g.wave == "production" and g.risk == "high" else 0


def stage_end(inst: Instance, plan: Choices) -> int:
    """The last pilot-stage month of ``plan`` (-1: no pilot-stage group in it)."""
    stage = [plan[i][0] for i, g in enumerate(inst.groups) if g.pilot_stage and i in plan]
    return max(stage) if stage else -1


def production_start(inst: Instance, plan: Choices) -> int:
    """First month production may use in ``plan`` (last pilot-stage month + stage_gap; 0
    without a pilot stage)."""
    end = stage_end(inst, plan)
    return end + inst.rules.stage_gap if end >= 0 else 0


def _lookup(months: Months):
    """``months`` as a function: a group's month, or None when it is not placed."""
    if isinstance(months, Mapping):
        return months.get
    return lambda h: months[h]


class MonthBounds:
    """The rules above for one instance (its `after` graph built once)."""

    def __init__(self, inst: Instance) -> None:
        self.inst = inst
        groups = inst.groups
        self.index = {g.name: i for i, g in enumerate(groups)}
        #: each group's `after` list as indices, and the groups that must follow it
        self.pred: list[list[int]] = [[self.index[h] for h in g.after] for g in groups]
        self.succ: list[list[int]] = [[] for _ in groups]
        for i, ps in enumerate(self.pred):
            for h in ps:
                self.succ[h].append(i)
        self.has_stage = any(g.pilot_stage for g in groups)
        self.production = np.array([g.wave == "production" for g in groups], dtype=bool)
        #: each group's risk delay (0 but for high-risk production groups)
        self.delay = np.array([risk_delay(inst, g) for g in groups], dtype=np.int64)

    # ------------------------------------------------------------ one rule each
    def stage_lower(self, i: int, end: int) -> int:
        """First month group i may take with the pilot stage ending in month ``end`` (-1:
        no stage): 0 for pilot-stage groups; production opens at ``end`` + stage_gap (0
        without a stage), high-risk groups ``risk_delay`` later."""
        if self.inst.groups[i].wave != "production":
            return 0
        opens = end + self.inst.rules.stage_gap if end >= 0 else 0
        return opens + int(self.delay[i])

    def pilot_lower(self, i: int, last_pilot: int) -> int:
        """First month group i may take with the last limited pilot in month ``last_pilot``
        (-1: none placed): expanded pilots not before it."""
        return max(last_pilot, 0) if self.inst.groups[i].wave == "expanded-pilot" else 0

    def after_lower(self, i: int, months: Months) -> int:
        """First month group i may take after the placed groups it must follow (0: none)."""
        get = _lookup(months)
        lo = 0
        for h in self.pred[i]:
            m = get(h)
            if m is not None:
                lo = max(lo, int(m) + 1)
        return lo

    def after_upper(self, i: int, months: Months, hi: int) -> int:
        """Last month (at most ``hi``) group i may take before the placed groups that must
        follow it."""
        get = _lookup(months)
        for s in self.succ[i]:
            m = get(s)
            if m is not None:
                hi = min(hi, int(m) - 1)
        return hi

    # ------------------------------------------------------------ together
    def lower(self, i: int, months: Months, *, stage_end: int = -1, last_pilot: int = -1) -> int:
        """First month group i may take: stage order (the stage ending in ``stage_end``),
        risk delay, pilot first (the last pilot in ``last_pilot``) and `after` (``months``:
        the placed groups)."""
        return max(self.stage_lower(i, stage_end), self.pilot_lower(i, last_pilot), self.after_lower(i, months))

    def allowed(self, i: int, lo: int, hi: int, within: set[int] | None = None) -> list[int]:
        """Group i's months in [lo, hi] that its window and blackout allow (and in ``within``
        when given), ascending."""
        ok = (t for t in self.inst.allowed_months(self.inst.groups[i]) if lo <= t <= hi)
        return [t for t in ok if t in within] if within is not None else list(ok)

    def stage_lowers(self, end: int) -> np.ndarray:
        """:meth:`stage_lower` of every group at once, as an array."""
        opens = end + self.inst.rules.stage_gap if end >= 0 else 0
        return np.where(self.production, opens + self.delay, 0)

    def stage_bounds(self, end: int, max_month: int) -> tuple[np.ndarray, np.ndarray]:
        """Every group's months from its stage alone, the pilot stage ending in month ``end``
        (-1: no stage): pilot-stage groups up to ``end``, production from its
        :meth:`stage_lower`; as (lo, hi) arrays."""
        hi = np.where(self.production, max_month, end).astype(np.int64)
        return self.stage_lowers(end).astype(np.int64), hi

    def after_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """The `after` pairs as arrays (later, earlier): group later[j] comes after earlier[j]."""
        pairs = [(i, h) for i, ps in enumerate(self.pred) for h in ps]
        return (np.array([p[0] for p in pairs], dtype=np.int64), np.array([p[1] for p in pairs], dtype=np.int64))

    def after_holds(self, plan: Choices, moved: Choices) -> bool:
        """The `after` pairs touching ``moved`` groups still hold in ``plan`` with ``moved``."""
        new = {**plan, **moved}
        for i, ps in enumerate(self.pred):
            for j in ps:
                if (i in moved or j in moved) and new[i][0] <= new[j][0]:
                    return False
        return True

    def topological(self) -> list[int]:
        """Group indices with every group after the groups it must follow (the `after` graph
        is acyclic: validated)."""
        order: list[int] = []
        seen: set[int] = set()

        def visit(g: int) -> None:
            if g in seen:
                return
            seen.add(g)
            for h in self.pred[g]:
                visit(h)
            order.append(g)

        for g in range(len(self.inst.groups)):
            visit(g)
        return order


_CACHE: dict[int, tuple[weakref.ref, MonthBounds]] = {}


def bounds_of(inst: Instance) -> MonthBounds:
    """The :class:`MonthBounds` of ``inst``, built once per instance (the window moves ask for
    every window; it is dropped with the instance)."""
    key = id(inst)
    hit = _CACHE.get(key)
    if hit is not None and hit[0]() is inst:
        return hit[1]
    bounds = MonthBounds(inst)
    _CACHE[key] = (weakref.ref(inst, lambda _ref, key=key, cache=_CACHE: cache.pop(key, None)), bounds)
    return bounds

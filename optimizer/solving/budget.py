"""The run's budget: what the levels may spend, what they spent, what is left.

Deterministic mode counts work (CP-SAT deterministic seconds, and the charges of the LP probes,
repairs and window moves), the same on every run; the plain mode counts wall seconds. Either way
the wall clock has the last word: every step stops by the run's deadline, and a deterministic
step gets ``wall_factor`` x its allowance as a wall-clock backstop.
"""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass
class Budget:
    #: All levels' budget: deterministic seconds, or wall seconds in the plain mode.
    total: float
    deterministic: bool
    #: ``time.perf_counter()`` values: the run's start and the time by which it returns.
    start: float
    deadline: float
    #: Deterministic mode: wall-clock backstop of a step as a multiple of its allowance.
    wall_factor: float
    #: Work charged so far (deterministic mode only).
    work: float = 0.0

    @classmethod
    def for_step(cls, work: float, wall_limit: float) -> "Budget":
        """A step's own budget: ``work`` deterministic seconds within ``wall_limit`` wall seconds
        from now (the LP steps of optimizer.solving.lp.finish keep their account in one)."""
        now = time.perf_counter()
        return cls(work, True, now, now + wall_limit, 1.0)

    def left(self) -> float:
        """What is left of the budget, in its unit."""
        return self.total - self.used()

    @classmethod
    def for_run(cls, opts, start: float) -> "Budget":
        """The budget of a whole solve with ``opts`` (its deadline and tuning set) from ``start``:
        its work limit (or time limit) in deterministic mode, else the wall seconds to the deadline."""
        total = (opts.work_limit if opts.work_limit is not None else opts.time_limit) if opts.deterministic \
            else min(opts.time_limit, opts.deadline - start)
        return cls(total, opts.deterministic, start, opts.deadline, opts.tuning.wall_factor)

    def charge(self, work: float) -> None:
        """Count ``work`` deterministic seconds as spent (nothing in the plain mode: the clock counts)."""
        if self.deterministic:
            self.work += work

    def used(self) -> float:
        """What the run has spent, in the budget's unit."""
        return self.work if self.deterministic else time.perf_counter() - self.start

    def cost(self, work: float, since: float) -> float:
        """What a step that started at ``since`` and was charged ``work`` cost, in the budget's unit."""
        return work if self.deterministic else time.perf_counter() - since

    def level(self, i: int, levels: int, first_share: float) -> float:
        """Level ``i``'s budget (of ``levels``): what is left minus a tenth of the total for every
        later level, never less than a tenth itself; the first level at most ``first_share``
        of the total when others follow."""
        reserve = 0.1 * self.total * (levels - i - 1)
        budget = max(self.total - self.used() - reserve, 0.1 * self.total)
        if i == 0 and levels > 1:
            budget = min(budget, first_share * self.total)
        return budget

    def wall_left(self) -> float:
        """Wall seconds left until the deadline."""
        return max(self.deadline - time.perf_counter(), 0.0)

    def backstop(self, allowance: float, margin: float = 0.0) -> float:
        """Wall-clock limit of a step given ``allowance``: ``wall_factor`` x it in deterministic
        mode (the allowance itself otherwise), ending ``margin`` seconds before the deadline."""
        own = self.wall_factor * allowance if self.deterministic else allowance
        return max(min(own, self.wall_left() - margin), 0.0)


def after(budget: float, cost: float) -> float:
    """What a level's search keeps of ``budget`` once a step before it cost ``cost``: never less
    than 5 % (a search that cannot start gives nothing back)."""
    return max(budget - cost, 0.05 * budget)

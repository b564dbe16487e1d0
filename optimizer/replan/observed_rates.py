"""Observed helpdesk ticket rates from the actuals, beside the rules' planned rates (model v2 spec,
"Re-planning with actuals").

Per method, over the actual rows that give a ``tickets`` value (a row with 0 users too), by the
row's method: rate = 100 * sum tickets / sum users, an exact fraction. A method whose rate rests
on at least :data:`MIN_USERS` users may replace the planned rate for the future months
(``rollout replan --observed-rates``); a part of u users then needs
ceil(u * sum tickets / sum users) tickets, in integer arithmetic (the rate is never rounded).
A method below :data:`MIN_USERS` users keeps the rules' rate.

"Enrolled users" of a method, for the threshold, are the users behind its rate: those of the rows
that give a tickets value (rows without one say nothing about tickets).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from optimizer.replan.actuals import Actuals
from optimizer.domain import METHODS, Rules

#: The users a method's observed rate must rest on to replace the planned rate.
MIN_USERS = 100


def part_tickets(users: int, tickets: int, enrolled: int) -> int:
    """Tickets of a part of ``users`` at the observed rate ``tickets`` per ``enrolled`` users:
    ceil(users * tickets / enrolled), in integer arithmetic."""
    if enrolled <= 0:
        raise ValueError("an observed rate needs enrolled users")
    return -(-users * tickets // enrolled)


@dataclass(frozen=True)
class MethodRate:
    """One method's line of the rate report.

    - ``planned``: the rules' tickets per 100 users.
    - ``users``, ``tickets``: the sums over the actual rows of this method that give tickets.
    - ``observed``: 100 * tickets / users as an exact fraction (None without such users).
    - ``enough_users``: ``users`` >= :data:`MIN_USERS`, so the observed rate may be used.
    - ``used``: the observed rate replaces the planned one for the future months
      (``--observed-rates`` and enough users).
    """

    method: str
    planned: int
    users: int
    tickets: int
    observed: Fraction | None
    enough_users: bool
    used: bool


@dataclass(frozen=True)
class ObservedRates:
    """The rate report (one :class:`MethodRate` per method, in :data:`~optimizer.domain.METHODS`
    order) and the tickets of a future part under it."""

    methods: tuple[MethodRate, ...]
    #: ``--observed-rates`` was given.
    apply: bool

    def rate(self, method: str) -> MethodRate:
        return next(m for m in self.methods if m.method == method)

    def tickets(self, users: int, method: str) -> int:
        """Helpdesk tickets of a future part of ``users`` with ``method``: the observed rate where it
        is used, else the planned rate (ceil(users * rate / 100), as :meth:`Rules.tickets`)."""
        m = self.rate(method)
        if m.used:
            return part_tickets(users, m.tickets, m.users)
        return -(-users * m.planned // 100)

    def rates_per_100(self) -> dict[str, Fraction]:
        """The tickets per 100 users each method plans with (exact; observed where used)."""
        return {m.method: m.observed if m.used and m.observed is not None else Fraction(m.planned)
                for m in self.methods}


def observed_rates(actuals: Actuals, rules: Rules, apply: bool = False) -> ObservedRates:
    """The observed rates of ``actuals`` beside ``rules``' planned ones; ``apply``: ``--observed-rates``."""
    users = dict.fromkeys(METHODS, 0)
    tickets = dict.fromkeys(METHODS, 0)
    for r in actuals.rows:
        if r.tickets is not None:
            users[r.method] += r.users
            tickets[r.method] += r.tickets
    out = []
    for k in METHODS:
        enough = users[k] >= MIN_USERS
        out.append(MethodRate(
            method=k, planned=rules.tickets_per_100_users[k], users=users[k], tickets=tickets[k],
            observed=Fraction(100 * tickets[k], users[k]) if users[k] else None,
            enough_users=enough, used=apply and enough,
        ))
    return ObservedRates(tuple(out), apply)

"""Observed ticket rates (optimizer.replan.observed_rates) on hand-computed examples."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from optimizer.replan.actuals import ActualRow, Actuals
from optimizer.domain import Rules
from optimizer.replan.observed_rates import MIN_USERS, observed_rates, part_tickets


def _actuals(*rows: tuple[str, int, int, str, int | None]) -> Actuals:
    return Actuals("act.csv", 3, tuple(ActualRow(g, t, u, k, tk, i + 2) for i, (g, t, u, k, tk) in enumerate(rows)))


def test_rates_from_rows_with_tickets_only_and_the_100_user_threshold():
    a = _actuals(
        ("A", 0, 60, "self-service", 12),    # self-service: 60 + 70 users, 12 + 9 + 4 tickets
        ("B", 1, 70, "self-service", 9),
        ("B", 2, 0, "self-service", 4),      # no part, but its tickets count
        ("C", 1, 500, "self-service", None),  # no tickets value: says nothing about the rate
        ("D", 2, 99, "assisted", 7),          # assisted: 99 users, below the threshold
        ("E", 2, 10, "tech-fair", None),
    )
    r = observed_rates(a, Rules(), apply=True)
    ss, asst, tf = r.rate("self-service"), r.rate("assisted"), r.rate("tech-fair")
    assert (ss.users, ss.tickets, ss.observed) == (130, 25, Fraction(2500, 130)) and ss.observed == Fraction(250, 13)
    assert ss.enough_users and ss.used and ss.planned == 15
    assert (asst.users, asst.tickets, asst.observed, asst.enough_users, asst.used) == (99, 7, Fraction(700, 99), False, False)
    assert (tf.users, tf.observed, tf.used) == (0, None, False)
    # self-service: ceil(u * 25 / 130); assisted keeps the planned 2 per 100: ceil(u * 2 / 100)
    assert [r.tickets(u, "self-service") for u in (1, 13, 26, 52, 100)] == [1, 3, 5, 10, 20]
    assert [r.tickets(u, "assisted") for u in (1, 50, 51, 100)] == [1, 1, 2, 2]
    assert r.rates_per_100() == {"self-service": Fraction(250, 13), "assisted": Fraction(2), "tech-fair": Fraction(5)}


def test_without_observed_rates_flag_the_planned_rates_stay():
    a = _actuals(("A", 0, 200, "assisted", 30))
    r = observed_rates(a, Rules(tickets_per_100_users={"self-service": 15, "assisted": 4, "tech-fair": 5}))
    m = r.rate("assisted")
    assert m.observed == 15 and m.enough_users and not m.used and m.planned == 4
    assert r.tickets(100, "assisted") == 4


def test_exactly_100_users_is_enough():
    a = _actuals(("A", 0, MIN_USERS, "tech-fair", 3), ("B", 0, MIN_USERS - 1, "assisted", 3))
    r = observed_rates(a, Rules(), apply=True)
    assert r.rate("tech-fair").used and not r.rate("assisted").used


def test_no_rounding_of_the_rate():
    # 1 ticket per 3 users: 33.33... per 100; 300 users need exactly 100 tickets, not 99 or 100.0x
    a = _actuals(("A", 0, 150, "self-service", 50))
    r = observed_rates(a, Rules(), apply=True)
    assert r.rate("self-service").observed == Fraction(100, 3)
    assert r.tickets(300, "self-service") == 100
    assert r.tickets(301, "self-service") == 101
    assert r.tickets(0, "self-service") == 0


@given(st.integers(0, 10**6), st.integers(0, 10**6), st.integers(1, 10**6))
def test_part_tickets_is_the_exact_ceiling(u, tickets, enrolled):
    n = part_tickets(u, tickets, enrolled)
    assert n == -(-Fraction(u * tickets, enrolled) // 1)
    assert n * enrolled >= u * tickets > (n - 1) * enrolled or (u * tickets == 0 and n == 0)


def test_part_tickets_needs_users():
    with pytest.raises(ValueError):
        part_tickets(10, 1, 0)

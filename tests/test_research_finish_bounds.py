"""Research code on the finish level's LP bounds (research/finish_bounds.py, not used by the
product): the elastic check of a probe's "infeasible", and probing month after month."""

from __future__ import annotations

import pytest

from optimizer.solving.lp.relaxation import finish_probe
from research.finish_bounds import finish_lower_bound, least_violation

from randinst import finish_first_instance
from test_bruteforce import brute_force
from test_relaxation import _fairgoers


def test_finish_lower_bound_stops_at_the_first_month_not_ruled_out():
    # 200 seats hold two of the three fair-only groups a month: month 0 is ruled out, 1 is not;
    # with 300 seats month 0 is not ruled out.
    assert finish_lower_bound(_fairgoers(200), 0, 1)[0] == 1
    assert finish_lower_bound(_fairgoers(300), 0, 1)[0] == 0


@pytest.mark.parametrize("seed", range(40))
def test_least_violation_certifies_every_infeasible_probe(seed):
    # The elastic check (scripts/certify_finish.py) against the probes and brute force: every
    # month a probe rules out gets a certified violation above 0, and every month some plan
    # finishes by has a least violation of 0 (the recomputed bound can only be lower).
    inst = finish_first_instance(seed)
    best = brute_force(inst)
    for t in range(inst.horizon):
        value, certified = least_violation(inst, t)
        assert certified <= value + 1e-6
        if finish_probe(inst, t).status == "infeasible":
            assert certified > 0, (seed, t, value, certified)
        if best is not None and t >= best[0]:
            assert value == pytest.approx(0, abs=1e-9) and certified <= 1e-9


def test_least_violation_of_three_fairgoers():
    # 300 fair users against 200 seats (+ half a seat of margin) in month 0: the cheapest
    # violation leaves 99.5 of one group's 100 users unassigned (0.995 on its one-assignment
    # row, cheaper than 99.5 seats on the seat row), and the dual bound proves it; with 300
    # seats it is 0.
    value, certified = least_violation(_fairgoers(200), 0)
    assert value == pytest.approx(0.995) and certified == pytest.approx(0.995)
    value, certified = least_violation(_fairgoers(300), 0)
    assert value == pytest.approx(0, abs=1e-9) and certified <= 1e-9

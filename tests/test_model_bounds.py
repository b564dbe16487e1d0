"""The finish lower bound row (prefix sums of month capacities): valid and tight where it binds."""

from __future__ import annotations

from optimizer.domain import Group
from optimizer.model import RolloutModel, _first_prefix

from conftest import instance, months, solved


def _finish_floor(rm: RolloutModel) -> int:
    """Largest lower bound on the finish variable among single-variable rows."""
    lo = 0
    for ct in rm.proto.constraints:
        if list(ct.linear.vars) == [rm.finish] and list(ct.linear.coeffs) == [1] and not ct.enforcement_literal:
            lo = max(lo, ct.linear.domain[0])
    return lo


def test_first_prefix():
    assert _first_prefix([5, 5, 5], 10) == 1
    assert _first_prefix([5, 5, 5], 16) is None
    assert _first_prefix([5], 0) == 0


def test_finish_bound_binds_and_equals_the_optimum():
    # Three self-service groups of 100 users: 15 tickets each; 30 tickets a month hold 200 users,
    # so 300 users need months 0 and 1: the row says finish >= 1, and 1 is the optimum.
    inst = instance([Group("A", 100), Group("B", 100), Group("C", 100)], months(30, 30, 30))
    assert _finish_floor(RolloutModel(inst)) == 1
    assert solved(inst).objective["finish"] == 1


def test_finish_bound_twin_with_room():
    # Twin: 45 tickets a month hold all three groups in month 0: the row says finish >= 0.
    inst = instance([Group("A", 100), Group("B", 100), Group("C", 100)], months(45, 45, 45))
    assert _finish_floor(RolloutModel(inst)) == 0
    assert solved(inst).objective["finish"] == 0


def test_finish_bound_counts_production_from_the_stage_gap():
    # A pilot takes month 0; the 300 production users need two months from month 1 (stage gap 1):
    # finish >= 2, and 2 is the optimum.
    inst = instance([Group("P", 10, wave="pilot"), Group("A", 100), Group("B", 100), Group("C", 100)],
                    months(30, 30, 30, 30), stage_gap=1)
    assert _finish_floor(RolloutModel(inst)) == 2
    assert solved(inst).objective["finish"] == 2

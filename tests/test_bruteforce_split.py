"""Binding twins for every rule of split groups (model v2), judged by brute force
(tests/bruteforce_split.py: all part plans, the checker, the lexicographic optimum).

Each twin pair differs in one number and the optimum (or whether there is a plan) changes as
worked out by hand in the comments; the default objective is (finish, waiting, assisted, splits),
readiness 3 everywhere, so waiting = 3 x sum of users x month index.
"""

from __future__ import annotations

from bruteforce_split import compositions, split_optimum

from optimizer.domain import Group, Instance, Month, Rules

ASSISTED = ("assisted",)
SELF = ("self-service",)


def inst(groups, caps, **rules) -> Instance:
    """caps: per month (helpdesk, assisted, tech_fair)."""
    ms = tuple(Month(f"2027-{t + 1:02d}", helpdesk=h, assisted=a, tech_fair=f) for t, (h, a, f) in enumerate(caps))
    return Instance(tuple(groups), ms, Rules(**{"min_part_users": 1, **rules}))


def key(i: Instance):
    found = split_optimum(i)
    return None if found is None else found[0]


def test_compositions_are_all_and_only_the_splits():
    assert sorted(compositions(3, 2)) == [(0, 3), (1, 2), (2, 1), (3, 0)]
    assert len(list(compositions(4, 3))) == 15


def test_span_with_a_hole():
    # 4 assisted users, 2 per month, February blacked out: January and March, a span of 3 months.
    def case(max_months):
        return inst([Group("A", 4, methods=ASSISTED, max_months=max_months, blackout=("2027-02",))],
                    [(100, 2, 0)] * 3)
    assert key(case(3)) == (2, 2 * 3 * 2, 4, 1)
    assert key(case(2)) is None


def test_least_part():
    # 4 assisted users, at most 3 a month: 3 + 1 (waiting 3), with a least part of 2: 2 + 2 (waiting 6),
    # with a least part of 3: no plan.
    def case(least):
        return inst([Group("A", 4, methods=ASSISTED, max_months=2)], [(100, 3, 0)] * 2, min_part_users=least)
    assert key(case(1)) == (1, 3, 4, 1)
    assert key(case(2)) == (1, 6, 4, 1)
    assert key(case(3)) is None


def test_least_part_is_the_whole_group_when_smaller():
    # min_part_users 50 but the group has 4 users: its one part of 4 is allowed.
    assert key(inst([Group("A", 4, methods=SELF, max_months=2)], [(100, 0, 0)] * 2, min_part_users=50)) \
        == (0, 0, 0, 0)


def test_one_method():
    # January has only assisted room, February only tech-fair room: two methods would be needed.
    both = ("assisted", "tech-fair")
    apart = inst([Group("A", 4, methods=both, max_months=2)], [(100, 2, 0), (100, 0, 2)])
    assert key(apart) is None
    same = inst([Group("A", 4, methods=both, max_months=2)], [(100, 2, 0), (100, 2, 2)])
    assert key(same) == (1, 6, 4, 1)


def test_ticket_rounding_per_part():
    # 20 self-service users (15 per 100). Whole: 3 tickets, more than 2. Parts: ceil(13 x 0.15) = 2 in
    # January and ceil(7 x 0.15) = 2 in February (14 in January would be 3). With 1 ticket in February
    # at most 6 users fit there (ceil(6 x 0.15) = 1): 13 + 6 < 20, no plan -- though the users' fractional
    # tickets (3.0) would fit the 3 tickets of the two months together.
    def case(february):
        return inst([Group("A", 20, methods=SELF, max_months=2)], [(2, 0, 0), (february, 0, 0)])
    assert key(case(2)) == (1, 7 * 3, 0, 1)
    assert key(case(1)) is None


def test_stage_order_by_the_pilots_last_month():
    # The pilot needs 2 months (2 assisted users a month); the expanded pilot may start in the pilot's
    # last month, production opens stage_gap = 1 after it: March.
    def case(n_months, assisted):
        return inst([Group("P", 4, wave="pilot", methods=ASSISTED, max_months=2),
                     Group("E", 1, wave="expanded-pilot", methods=SELF),
                     Group("X", 1, methods=SELF)], [(100, assisted, 0)] * n_months)
    assert key(case(3, 2)) == (2, 3 * (2 * 1 + 1 * 1 + 1 * 2), 4, 1)
    assert key(case(2, 2)) is None
    assert key(case(2, 4)) == (1, 3 * 1, 4, 0)  # room for the whole pilot in January: no split


def test_production_opens_after_the_last_pilot_part():
    # No expanded pilot: O = the pilot's last month (February) + stage_gap, so X enrolls in March.
    def case(n_months):
        return inst([Group("P", 4, wave="pilot", methods=ASSISTED, max_months=2), Group("X", 1, methods=SELF)],
                    [(100, 2, 0)] * n_months)
    assert key(case(3)) == (2, 3 * (2 * 1 + 1 * 2), 4, 1)
    assert key(case(2)) is None


def test_after_by_last_and_first_month():
    # G follows H; H needs 2 months, so G starts after H's last month.
    def case(n_months):
        return inst([Group("H", 4, methods=ASSISTED, max_months=2), Group("G", 1, methods=SELF, after=("H",))],
                    [(100, 2, 0)] * n_months)
    assert key(case(3)) == (2, 3 * (2 * 1 + 1 * 2), 4, 1)
    assert key(case(2)) is None


def test_departments_together_by_first_month_only():
    # A (split over January and February) and B start together in January; A's second part differs.
    def case(b_earliest):
        return inst([Group("A", 4, department="D", methods=ASSISTED, max_months=2),
                     Group("B", 1, department="D", methods=SELF, earliest=b_earliest)],
                    [(100, 2, 0)] * 2, keep_departments_together=True)
    assert key(case(None)) == (1, 3 * 2 * 1, 4, 1)
    assert key(case("2027-02")) is None


def test_no_split_without_a_reason():
    # Room for the whole group in January: the optimum has no split (and splits is the last level).
    found = split_optimum(inst([Group("A", 4, max_months=3)], [(100, 10, 10)] * 3))
    assert found is not None and found[0] == (0, 0, 0, 0)
    assert {len(p.parts("A")) for p in found[1]} == {1} and len(found[1]) == 2  # self-service or tech-fair


def test_splits_level_against_waiting():
    # 10 self-service users; January has 1 ticket, room for a part of at most 6 (ceil(6 x 0.15) = 1).
    # Whole in February: waiting 30, no split; 6 + 4: waiting 12, one split. The objective decides.
    groups = [Group("A", 10, methods=SELF, max_months=2)]
    caps = [(1, 0, 0), (100, 0, 0)]
    assert key(inst(groups, caps, objective=("finish", "waiting", "splits"))) == (1, 4 * 3, 1)
    assert key(inst(groups, caps, objective=("finish", "splits", "waiting"))) == (1, 0, 10 * 3)

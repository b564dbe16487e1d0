"""The independent HiGHS MIP of split groups (scripts/highs_split_mip.py) against the brute force
(tests/bruteforce_split.py): the same optimum on every level, on the binding twins of each rule and
on random tiny instances; every plan it returns passes the checker. Skipped without highspy (the
``bench`` extra)."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

pytest.importorskip("highspy")

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

from bruteforce_split import split_optimum  # noqa: E402
from highs_split_mip import SplitMip, solve_highs  # noqa: E402

from optimizer.checker import check_plan  # noqa: E402
from optimizer.domain import METHODS, Group, Instance, Month, Rules  # noqa: E402

ASSISTED = ("assisted",)
SELF = ("self-service",)
BOTH = ("assisted", "tech-fair")


def inst(groups, caps, **rules) -> Instance:
    """caps: per month (helpdesk, assisted, tech_fair)."""
    ms = tuple(Month(f"2027-{t + 1:02d}", helpdesk=h, assisted=a, tech_fair=f) for t, (h, a, f) in enumerate(caps))
    return Instance(tuple(groups), ms, Rules(**{"min_part_users": 1, **rules}))


def highs_key(i: Instance):
    """The MIP's optimum as a tuple over the objective, or None when it proves there is no plan;
    every level must be proven and the plan must pass the checker and reach the values."""
    levels, plan, _ = solve_highs(i, time_limit=20)
    if plan is None:
        assert [lv.status for lv in levels] == ["infeasible"], levels
        return None
    assert all(lv.status == "optimal" for lv in levels), levels
    assert check_plan(plan) == [], check_plan(plan)
    vals = plan.objective_values()
    vals.setdefault("splits", plan.splits())
    key = tuple(vals[lv] for lv in i.rules.objective)
    assert key == tuple(lv.value for lv in levels)
    return key


def brute_key(i: Instance):
    found = split_optimum(i)
    return None if found is None else found[0]


TWINS = {
    # span with a hole (February blacked out): January + March needs max_months 3
    "span-3": inst([Group("A", 4, methods=ASSISTED, max_months=3, blackout=("2027-02",))], [(100, 2, 0)] * 3),
    "span-2": inst([Group("A", 4, methods=ASSISTED, max_months=2, blackout=("2027-02",))], [(100, 2, 0)] * 3),
    # least part 1 / 2 / 3 with 3 assisted users a month
    "least-1": inst([Group("A", 4, methods=ASSISTED, max_months=2)], [(100, 3, 0)] * 2, min_part_users=1),
    "least-2": inst([Group("A", 4, methods=ASSISTED, max_months=2)], [(100, 3, 0)] * 2, min_part_users=2),
    "least-3": inst([Group("A", 4, methods=ASSISTED, max_months=2)], [(100, 3, 0)] * 2, min_part_users=3),
    "least-is-size": inst([Group("A", 4, methods=SELF, max_months=2)], [(100, 0, 0)] * 2, min_part_users=50),
    # one method: assisted room in January, tech-fair room in February
    "one-method-apart": inst([Group("A", 4, methods=BOTH, max_months=2)], [(100, 2, 0), (100, 0, 2)]),
    "one-method-same": inst([Group("A", 4, methods=BOTH, max_months=2)], [(100, 2, 0), (100, 2, 2)]),
    # tickets rounded up per part: 13 + 7 self-service users fit 2 + 2 tickets, 13 + 6 < 20 does not
    "tickets-2": inst([Group("A", 20, methods=SELF, max_months=2)], [(2, 0, 0), (2, 0, 0)]),
    "tickets-1": inst([Group("A", 20, methods=SELF, max_months=2)], [(2, 0, 0), (1, 0, 0)]),
    # stage order by the pilot's last month; production opens after it
    "stage-3": inst([Group("P", 4, wave="pilot", methods=ASSISTED, max_months=2),
                     Group("E", 1, wave="expanded-pilot", methods=SELF), Group("X", 1, methods=SELF)],
                    [(100, 2, 0)] * 3),
    "stage-2": inst([Group("P", 4, wave="pilot", methods=ASSISTED, max_months=2),
                     Group("E", 1, wave="expanded-pilot", methods=SELF), Group("X", 1, methods=SELF)],
                    [(100, 2, 0)] * 2),
    "opens-risk": inst([Group("P", 4, wave="pilot", methods=ASSISTED, max_months=2),
                        Group("X", 1, methods=SELF, risk="high")], [(100, 2, 0)] * 4, risk_delay=1),
    "opens-risk-short": inst([Group("P", 4, wave="pilot", methods=ASSISTED, max_months=2),
                              Group("X", 1, methods=SELF, risk="high")], [(100, 2, 0)] * 3, risk_delay=1),
    # after: G starts after H's last month
    "after-3": inst([Group("H", 4, methods=ASSISTED, max_months=2), Group("G", 1, methods=SELF, after=("H",))],
                    [(100, 2, 0)] * 3),
    "after-2": inst([Group("H", 4, methods=ASSISTED, max_months=2), Group("G", 1, methods=SELF, after=("H",))],
                    [(100, 2, 0)] * 2),
    # departments together by the first month only
    "dept": inst([Group("A", 4, department="D", methods=ASSISTED, max_months=2),
                  Group("B", 1, department="D", methods=SELF)], [(100, 2, 0)] * 2, keep_departments_together=True),
    "dept-late": inst([Group("A", 4, department="D", methods=ASSISTED, max_months=2),
                       Group("B", 1, department="D", methods=SELF, earliest="2027-02")], [(100, 2, 0)] * 2,
                      keep_departments_together=True),
    # a group counts in every month it has a part: two platforms, one allowed a month
    "platforms": inst([Group("A", 4, platform="windows", methods=ASSISTED, max_months=2),
                       Group("B", 1, platform="ios", methods=SELF)], [(100, 2, 0)] * 3, max_platforms_per_month=1),
    # splits against waiting, in either order
    "splits-last": inst([Group("A", 10, methods=SELF, max_months=2)], [(1, 0, 0), (100, 0, 0)],
                        objective=("finish", "waiting", "splits")),
    "splits-first": inst([Group("A", 10, methods=SELF, max_months=2)], [(1, 0, 0), (100, 0, 0)],
                         objective=("finish", "splits", "waiting")),
    # VIP: assisted only, over two months
    "vip": inst([Group("V", 4, vip=True, methods=("self-service", "assisted"), max_months=2)], [(100, 2, 0)] * 2),
}


@pytest.mark.parametrize("name", sorted(TWINS))
def test_twins_same_optimum_as_brute_force(name):
    i = TWINS[name]
    assert highs_key(i) == brute_key(i)


def test_twins_are_binding():
    """Each pair differs in one number and the optimum changes (so the comparison can fail)."""
    pairs = [("span-3", "span-2"), ("least-1", "least-2"), ("least-2", "least-3"), ("one-method-apart",
             "one-method-same"), ("tickets-2", "tickets-1"), ("stage-3", "stage-2"), ("opens-risk",
             "opens-risk-short"), ("after-3", "after-2"), ("dept", "dept-late"), ("splits-last", "splits-first")]
    for a, b in pairs:
        assert brute_key(TWINS[a]) != brute_key(TWINS[b]), (a, b)


def tiny_split_instance(seed: int) -> Instance:
    """A random tiny instance small enough for brute force to enumerate every part plan: 2-3
    groups of 1-5 users (max_months 1-3), 3 months of a few users and tickets (high ticket rates,
    so that a month holds only part of a group), and sometimes a pilot, a window, a blackout, an
    after, a VIP, one platform a month or departments together."""
    rnd = random.Random(seed)
    labels = ["2027-01", "2027-02", "2027-03"]
    n = rnd.randint(2, 3)
    groups = []
    for i in range(n):
        wave = "pilot" if i == 0 and rnd.random() < 0.3 else "production"
        vip = wave == "production" and rnd.random() < 0.15
        methods = tuple(k for k in METHODS if rnd.random() < 0.7) or ("self-service",)
        if vip and "assisted" not in methods:
            methods += ("assisted",)
        groups.append(Group(
            f"G{i}", rnd.randint(1, 5), wave=wave, vip=vip, methods=methods, readiness=rnd.randint(1, 5),
            max_months=rnd.choice([None, 2, 3, 3]), risk=rnd.choice(["low", "high"]),
            platform=rnd.choice(["windows", "ios"]), department=rnd.choice(["", "D"]),
            earliest=labels[1] if rnd.random() < 0.1 else None, latest=labels[1] if rnd.random() < 0.1 else None,
            blackout=(rnd.choice(labels),) if rnd.random() < 0.15 else (),
            after=(f"G{i - 1}",) if i and wave == "production" and rnd.random() < 0.15 else ()))
    caps = [(rnd.choice([1, 2, 3]), rnd.choice([1, 2, 3]), rnd.choice([0, 2])) for _ in labels]
    objective = rnd.choice([("finish", "waiting", "assisted", "splits"), ("waiting", "assisted", "splits"),
                            ("finish", "splits", "waiting"), ("assisted", "finish", "waiting", "splits")])
    return inst(groups, caps, min_part_users=rnd.choice([1, 2]), objective=objective,
                stage_gap=rnd.choice([0, 1]), risk_delay=rnd.choice([0, 1]),
                max_platforms_per_month=rnd.choice([0, 0, 1]), keep_departments_together=rnd.random() < 0.2,
                tickets_per_100_users={"self-service": 50, "assisted": 0, "tech-fair": 25})


@pytest.mark.parametrize("seed", range(32))
def test_random_tiny_same_optimum_as_brute_force(seed):
    i = tiny_split_instance(seed)
    assert highs_key(i) == brute_key(i)


def test_random_tiny_instances_do_split():
    """The random set is not all trivial: some optima split a group, some have no plan."""
    keys = {s: brute_key(tiny_split_instance(s)) for s in range(32)}
    found = [split_optimum(tiny_split_instance(s)) for s in keys if keys[s] is not None]
    assert any(k is None for k in keys.values())
    assert any(p.splits() > 0 for _, plans in found for p in plans[:1])


def test_one_month_groups_get_no_first_last_columns():
    """Groups that may not split use first = last = sum t y (no f/l binaries), split groups do."""
    i = TWINS["after-3"]
    mip = SplitMip(i)
    h, g = mip.cols
    assert h.first[0] != h.y and g.first[0] == g.y


def rows_hold(mip: SplitMip, x) -> bool:
    """Every row and column bound of the MIP holds at ``x`` (and integers are integers)."""
    import numpy as np

    R = mip.rows
    for idx, val, lo, hi in zip(R.idx, R.val, R.lo, R.hi):
        v = float(np.dot(val, x[idx]))
        if v < lo - 1e-6 or v > hi + 1e-6:
            return False
    lo, hi = np.array(mip.col_lo), np.array(mip.col_hi)
    ints = np.array(mip.col_int)
    return bool(np.all(x >= lo - 1e-9) and np.all(x <= hi + 1e-9) and np.all(np.abs(x[ints] - np.round(x[ints])) < 1e-9))


@pytest.mark.parametrize("name", ["span-3", "tickets-2", "stage-3", "after-3", "dept", "platforms", "vip"])
def test_warm_start_of_every_optimal_plan_keeps_every_row(name):
    """column_values (the warm start) of each plan the brute force finds optimal is a solution of
    the MIP: the MIP forbids no valid plan (on these instances), and the warm start is complete."""
    i = TWINS[name]
    mip = SplitMip(i)
    _, plans = split_optimum(i)
    for plan in plans:
        assert rows_hold(mip, mip.column_values(plan)), plan.assignments


def test_warm_start_from_a_one_part_plan():
    """A hint of whole groups (the greedy's kind) is kept when nothing better is proven."""
    i = TWINS["splits-first"]
    _, plans = split_optimum(i)
    levels, plan, _ = solve_highs(i, time_limit=10, hint=plans[0], max_month=plans[0].finish())
    assert [lv.value for lv in levels] == [1, 0, 30] and check_plan(plan) == []

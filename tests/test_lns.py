"""Window moves (optimizer.solving.window_moves): tiny cases where a move binds, the window's
narrowed months, and properties on random instances (every result passes the
checker, is never worse than its start, and is reproducible)."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import optimizer.solving.window_moves as lns
from optimizer.checker import check_plan
from optimizer.domain import Group
from optimizer.solving.greedy import best_greedy
from optimizer.plan import Plan
from optimizer.solving.tuning import DEFAULT_TUNING
from optimizer.solving.solver import SolveOptions, solve

from conftest import instance, months
from randinst import random_instance

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _values(inst, plan) -> dict[str, int]:
    return Plan.from_indices(inst, plan).objective_values()


def test_finish_window_pulls_the_last_group_into_free_capacity():
    # Three groups of 100 self-service users (15 tickets each), 30 tickets a month:
    # two fit per month, so the optimum finishes in month 1 (index). The start plan
    # puts one group alone in month 2; the tail window moves it to month 1.
    inst = instance([Group("A", 100), Group("B", 100), Group("C", 100)], months(30, 30, 30))
    start = {0: (0, "self-service"), 1: (0, "self-service"), 2: (2, "self-service")}
    plan, _ = lns.improve(inst, start, "finish", (), budget=5.0)
    assert check_plan(Plan.from_indices(inst, plan)) == []
    assert _values(inst, plan)["finish"] == 1


def test_finish_window_cannot_beat_capacity():
    # Twin: 40 tickets of work, 30 a month -> two months are needed; the start plan
    # (finish 1) is optimal and must come back unchanged.
    inst = instance([Group("A", 200), Group("B", 67)], months(30, 30, 30))
    start = {0: (0, "self-service"), 1: (1, "self-service")}
    plan, _ = lns.improve(inst, start, "finish", (), budget=5.0)
    assert plan == start


def _eager_late():
    """A pilot in month 0, then one 100-user group a month: eager E (readiness 5) in month 2,
    reluctant R (readiness 1) in month 1, X (readiness 3) in month 3. Returns (instance, plan)."""
    inst = instance([
        Group("P", 10, wave="pilot"), Group("E", 100, readiness=5), Group("R", 100, readiness=1),
        Group("X", 100, readiness=3),
    ], months(15, 15, 15, 15), stage_gap=1)
    return inst, {0: (0, "self-service"), 1: (2, "self-service"), 2: (1, "self-service"), 3: (3, "self-service")}


def test_waiting_window_puts_the_eager_group_first():
    # One 100-user group fits per month. Eager E (readiness 5) starts in month 2,
    # reluctant R (readiness 1) in month 1: waiting 100*1*1 + 100*5*2 = 1100. Swapping
    # them gives 100*5*1 + 100*1*2 = 700, the optimum (month 0 holds the pilot).
    inst, start = _eager_late()
    plan, _ = lns.improve(inst, start, "waiting", ("finish",), budget=5.0,
                          tuning=replace(DEFAULT_TUNING, later_window_groups=1))
    assert check_plan(Plan.from_indices(inst, plan)) == []
    assert plan[1][0] == 1 and plan[2][0] in (2, 3)
    assert _values(inst, plan)["finish"] == 3
    assert _values(inst, plan)["waiting"] == 100 * 5 * 1 + 100 * 3 * 2 + 100 * 1 * 3


def test_window_instance_narrows_months_by_fixed_neighbours():
    # B must come after A (fixed in month 1 outside the window 2..3) and C after B
    # (fixed in month 3... outside a window 1..2): the window keeps both orders.
    inst = instance([
        Group("A", 10), Group("B", 10, after=("A",)), Group("C", 10, after=("B",), risk="high"),
    ], months(100, 100, 100, 100, 100), risk_delay=2)
    plan = {0: (1, "self-service"), 1: (2, "self-service"), 2: (4, "self-service")}
    sub, free = lns.window_instance(inst, plan, [2, 3], ("finish",))
    assert free == [1]
    b = sub.groups[0]
    assert (b.earliest, b.latest, b.after) == ("2027-03", "2027-04", ())  # > A's month 1
    sub, free = lns.window_instance(inst, plan, [0, 1, 2, 3], ("finish",))
    assert free == [0, 1]
    a, b = sub.groups
    assert b.after == ("A",)  # both free: the dependency stays inside the window
    assert b.latest == "2027-04"  # < C's month 4
    sub, free = lns.window_instance(inst, plan, [2, 3, 4], ("finish",))
    c = sub.groups[1]
    assert c.earliest == "2027-03" and sub.rules.risk_delay == 0  # risk delay as months: >= 0 + 2


def test_window_instance_skips_pilot_stage_months():
    inst = instance([Group("P", 10, wave="pilot"), Group("A", 10)], months(100, 100, 100), stage_gap=0)
    plan = {0: (1, "self-service"), 1: (1, "self-service")}
    assert lns.window_instance(inst, plan, [1, 2], ("finish",)) is None


@SETTINGS
@given(st.integers(0, 10**6), st.integers(4, 10), st.integers(3, 7))
def test_moves_keep_every_rule_and_never_make_a_level_worse(seed, n, t):
    inst = random_instance(seed, n, t)
    start = best_greedy(inst)
    if start is None:
        return
    tuning = replace(DEFAULT_TUNING, window_groups=2, later_window_groups=2)
    levels = inst.rules.objective
    plan = start
    for i, level in enumerate(levels):
        before = _values(inst, plan)
        plan, _ = lns.improve(inst, plan, level, tuple(levels[:i]), budget=2.0, tuning=tuning)
        after = _values(inst, plan)
        assert check_plan(Plan.from_indices(inst, plan)) == []
        assert len(plan) == len(inst.groups)
        # earlier levels kept, this one never worse
        assert all(after[lv] <= before[lv] for lv in levels[:i])
        assert after[level] <= before[level]
        again, _ = lns.improve(inst, start if i == 0 else plan, level, tuple(levels[:i]), budget=2.0,
                                tuning=tuning)
        if i == 0:
            assert again == plan  # reproducible


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10**6))
def test_solver_with_window_moves_reaches_the_same_optimum(seed):
    inst = random_instance(seed, 8, 5)
    tuning = replace(DEFAULT_TUNING, large_groups=0, window_groups=2, later_window_groups=2)
    with_moves = solve(inst, SolveOptions(time_limit=10, workers=2, tuning=tuning))
    plain = solve(inst, SolveOptions(time_limit=10, workers=2, lns=False))
    assert with_moves.status == plain.status
    if with_moves.plan is not None:
        assert check_plan(with_moves.plan) == []
    if plain.status == "optimal":
        assert with_moves.objective == plain.objective


def test_solver_with_window_moves_is_reproducible():
    tuning = replace(DEFAULT_TUNING, large_groups=0, window_groups=2, later_window_groups=2)
    groups = [Group("Pilot", 20, wave="pilot")] + [
        Group(f"G{i}", 30 + 17 * i % 90, readiness=1 + i % 5, risk="high" if i % 4 == 0 else "low",
              methods=("self-service", "tech-fair") if i % 3 else ("self-service", "assisted"))
        for i in range(14)]
    inst = instance(groups, months(40, 40, 40, 40, 40, 40, 40, assisted=60, tech_fair=(0, 150) * 3 + (0,)))
    runs = [solve(inst, SolveOptions(time_limit=5, workers=8, tuning=tuning)) for _ in range(2)]
    assert runs[0].plan is not None
    assert runs[0].plan.rows() == runs[1].plan.rows()
    assert "window_moves" in runs[0].model_stats
    used = runs[0].model_stats["window_moves"]["windows_used"]
    assert used and all(w["groups"] == 2 for w in used.values())  # recorded per level
    assert runs[0].options.extra["cp_model_probing_level"] == 0  # light presolve on large instances
    assert runs[0].options.workers == tuning.large_workers


def test_pilot_stage_groups_never_move_past_the_stage():
    # Found by review: with stage_gap 0 a production sweep window (months 0..1) held only the
    # pilot and moved it to month 1, so H (high risk, risk_delay 2, month 2) broke risk-delay.
    # Pilot-stage groups may only move within months 0..last stage month.
    inst = instance([Group("P", 100, wave="pilot", methods=("self-service", "assisted")),
                     Group("H", 10, risk="high")],
                    months(5, 100, 100, assisted=100), stage_gap=0, risk_delay=2,
                    objective=("assisted", "finish", "waiting"))
    start = {0: (0, "assisted"), 1: (2, "self-service")}
    assert lns.window_instance(inst, start, [0, 1], ("assisted",)) is None
    plan, _ = lns.improve(inst, start, "assisted", (), budget=1.0,
                          tuning=replace(DEFAULT_TUNING, later_window_groups=1))
    assert check_plan(Plan.from_indices(inst, plan)) == []


def _chain(n: int):
    """n production groups of 100 self-service users, 15 tickets a month: one group a month."""
    return instance([Group(f"G{i}", 100) for i in range(n)], months(*(15,) * n))


def test_finish_sweeps_before_wider_windows(monkeypatch):
    # Measured at 2,000 x 24: the sweep is what empties the last month, so each round is the
    # windows at the current width and then a sweep; wider windows only after a round without
    # progress. A stub records the windows tried (and moves nothing): the sweep's first window
    # (months 0-1; the roomiest-months window is [0, 7] here) comes before any window wider than 2.
    calls = []

    def stub(inst, plan, months_, level, fixed, work, seed, wall_left=None):
        calls.append(list(months_))
        return {}, work, False

    monkeypatch.setattr(lns, "_solve_window", stub)
    inst = _chain(8)
    start = {i: (i, "self-service") for i in range(8)}
    # 1 group a month -> windows of 2 months
    lns.improve(inst, start, "finish", (), budget=100.0, tuning=replace(DEFAULT_TUNING, window_groups=2))
    first_wide = next(n for n, m in enumerate(calls) if len(m) > 2)
    first_sweep = next(n for n, m in enumerate(calls) if m == [0, 1])  # the sweep's first window
    assert first_sweep < first_wide, calls


def test_a_shorter_plan_from_a_sweep_restarts_the_stall_clock(monkeypatch):
    # A stub sweep (its first window, months 0-1) moves the last group into month 0 once. Each
    # window costs 1 s of work: the two finish windows and the sweep's two pairs use 4 s, more than
    # the stall allowance of 3.5 s (0.0875 x 40), so the moves would stop after the sweep if only
    # the windows on the last months counted as progress. They go on: the new last months (5-6)
    # get a window.
    calls, done = [], []

    def stub(inst, plan, months_, level, fixed, work, seed, wall_left=None):
        calls.append(list(months_))
        last = max(t for t, _ in plan.values())
        if months_ == [0, 1] and not done:
            done.append(len(calls))
            return {g: (0, k) for g, (t, k) in plan.items() if t == last}, 1.0, False
        return {}, 1.0, False

    monkeypatch.setattr(lns, "_solve_window", stub)
    inst = _chain(8)
    start = {i: (i, "self-service") for i in range(8)}
    plan, _ = lns.improve(inst, start, "finish", (), budget=40.0,
                          tuning=replace(DEFAULT_TUNING, window_groups=2, stall=0.0875))
    assert done and max(t for t, _ in plan.values()) == 6
    assert [5, 6] in calls[done[0]:], calls  # a window on the new last months


def test_waiting_moves_fall_back_to_finish_size_windows():
    # When the waiting level's larger windows would cover every production month (here 1,000
    # groups against a few per month), the moves use the finish level's window size instead of
    # doing nothing (about 500 to 1,000 groups on real instances): E and R still swap.
    inst, start = _eager_late()
    plan, used = lns.improve(inst, start, "waiting", ("finish",), budget=5.0,
                             tuning=replace(DEFAULT_TUNING, window_groups=1, later_window_groups=1000))
    assert used > 0 and check_plan(Plan.from_indices(inst, plan)) == []
    assert _values(inst, plan)["waiting"] == 100 * 5 * 1 + 100 * 3 * 2 + 100 * 1 * 3


def test_later_levels_scale_the_window_work_with_the_window():
    # Waiting windows twice the finish size get twice the work limit, and the size and work
    # actually used are reported (they go into the JSON output).
    tuning = replace(DEFAULT_TUNING, window_groups=1, later_window_groups=2)
    inst, start = _eager_late()
    stats: dict = {}
    lns.improve(inst, start, "waiting", ("finish",), budget=5.0, stats=stats, tuning=tuning)
    assert stats["window_groups"] == 2 and stats["window_work"] == 2 * tuning.window_work
    stats = {}
    lns.improve(inst, start, "finish", (), budget=5.0, stats=stats, tuning=tuning)
    assert stats["window_groups"] == 1 and stats["window_work"] == tuning.window_work


def test_window_months_sets_the_width():
    # _eager_late's production months are 1..3. Windows 2 months wide (whatever the group
    # size says) can swap E and R (months 1-2) and are reported; 3 months would be the whole
    # problem, so the plan comes back unchanged (left to CP-SAT).
    tuning = replace(DEFAULT_TUNING, later_window_groups=100)
    inst, start = _eager_late()
    stats: dict = {}
    plan, _ = lns.improve(inst, start, "waiting", ("finish",), budget=5.0, stats=stats, window_months=2,
                          tuning=tuning)
    assert stats["window_months"] == 2
    assert check_plan(Plan.from_indices(inst, plan)) == []
    assert _values(inst, plan)["waiting"] < _values(inst, start)["waiting"]
    stats = {}
    plan, used = lns.improve(inst, start, "waiting", ("finish",), budget=5.0, stats=stats, window_months=3,
                             tuning=tuning)
    assert stats["window_months"] == 3 and plan == start and used == 0.0


def test_stalled_windows_widen():
    # Five months of 30 tickets, no pilot stage, self-service only (100 users = 15 tickets).
    # Month 0: A, B; month 1: C, D; month 2: eager E (200 users, readiness 5); months 3, 4:
    # F, H and I, J (all readiness 1). E and A, B are blacked out in month 1, so E reaches
    # month 0 only if A and B go to month 2 at the same time: a window over months 0-2.
    # Windows 2 months wide ({0,1}, {2,3}, {4}; shifted {1,2}, {3,4}) never hold months 0 and 2
    # together and find nothing: waiting stays 100*1*(2*1 + 2*3 + 2*4) + 200*5*2 = 3,600. Widened
    # to 3 months ({0,1,2}) they swap: 100*1*(2*2 + 2*1 + 2*3 + 2*4) = 2,000.
    def g(name, size=100, readiness=1, blackout=()):
        return Group(name, size, readiness=readiness, methods=("self-service",), blackout=blackout)

    inst = instance([g("A", blackout=("2027-02",)), g("B", blackout=("2027-02",)), g("C"), g("D"),
                     g("E", 200, 5, ("2027-02",)), g("F"), g("H"), g("I"), g("J")], months(30, 30, 30, 30, 30))
    start = {0: (0, "self-service"), 1: (0, "self-service"), 2: (1, "self-service"), 3: (1, "self-service"),
             4: (2, "self-service"), 5: (3, "self-service"), 6: (3, "self-service"), 7: (4, "self-service"),
             8: (4, "self-service")}
    assert check_plan(Plan.from_indices(inst, start)) == [] and _values(inst, start)["waiting"] == 3600
    stats: dict = {}
    narrow, _ = lns.improve(inst, start, "waiting", ("finish",), budget=20.0, window_months=2, stats=stats)
    assert narrow == start and stats["window_months"] == 2 and "widened_at" not in stats
    stats = {}
    wide, _ = lns.improve(inst, start, "waiting", ("finish",), budget=20.0, window_months=2, widen_months=3,
                          stats=stats)
    assert stats["window_months"] == 3 and stats["widened_at"] >= 0.0
    assert check_plan(Plan.from_indices(inst, wide)) == []
    assert _values(inst, wide)["waiting"] == 2000 and wide[4][0] == 0
    # never as wide as the plan (5 production months): no widening to 5
    stats = {}
    same, _ = lns.improve(inst, start, "waiting", ("finish",), budget=20.0, window_months=2, widen_months=5,
                          stats=stats)
    assert same == start and stats["window_months"] == 2 and "widened_at" not in stats

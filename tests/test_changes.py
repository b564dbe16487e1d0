"""The ``changes`` level and the "what changed" list of a re-plan (optimizer.replan.changes), and the
previous plan read as users per group and month (optimizer.replan.previous_plan)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer.replan.actuals import ActualRow, Actuals
from optimizer.replan.changes import (
    changes_frame,
    changes_level,
    moved_users,
    slipped_users,
    what_changed,
)
from optimizer.domain import Group
from optimizer.replan.history import build_history
from optimizer.replan.previous_plan import previous_from_parts, read_previous_plan

from conftest import instance, months

AS_OF = 3  # 2027-04: months 0, 1, 2 are history


def test_users_done_in_another_past_month_are_not_slipped():
    prev = {("A", 1): 100}
    assert slipped_users(prev, {"A": 100}, AS_OF) == {}
    assert changes_level(prev, {}, {"A": 100}, AS_OF) == 0


def test_slipped_users_are_counted_whatever_the_new_plan_does():
    prev = {("B", 2): 100}
    assert slipped_users(prev, {"B": 40}, AS_OF) == {"B": 60}
    # the 60 left are planned in month 3: they slipped; the new part moves nobody of the future
    assert changes_level(prev, {("B", 3): 60}, {"B": 40}, AS_OF) == 60
    assert changes_level(prev, {("B", 5): 60}, {"B": 40}, AS_OF) == 60
    # not started at all: all 100 slipped
    assert changes_level(prev, {("B", 3): 100}, {}, AS_OF) == 100


def test_users_ahead_of_plan_make_no_negative_slip():
    prev = {("C", 1): 50, ("C", 4): 50}
    assert slipped_users(prev, {"C": 80}, AS_OF) == {}
    # 30 of the 50 planned in month 4 were done early: they left month 4 (the future term counts them)
    assert moved_users(prev, {("C", 4): 20}, AS_OF) == {"C": 30}
    assert changes_level(prev, {("C", 4): 20}, {"C": 80}, AS_OF) == 30


def test_future_moves_count_users_that_left_their_month():
    prev = {("D", 4): 100, ("E", 3): 40, ("E", 4): 60}
    new = {("D", 4): 50, ("D", 5): 50, ("E", 3): 60, ("E", 4): 40}
    assert moved_users(prev, new, AS_OF) == {"D": 50, "E": 20}
    assert changes_level(prev, new, {}, AS_OF) == 70
    # parts of the new plan before as_of are history, never compared month by month
    assert changes_level(prev, new | {("D", 0): 999}, {}, AS_OF) == 70


def test_new_plan_equal_to_the_previous_one_changes_nothing():
    prev = {("A", 0): 10, ("A", 1): 20, ("A", 4): 30, ("B", 5): 7}
    new = {("A", 4): 30, ("B", 5): 7}
    assert changes_level(prev, new, {"A": 30}, AS_OF) == 0


# -------------------------------------------------------------------- properties
_part = st.tuples(st.sampled_from("ABCD"), st.integers(0, 6))
_parts = st.dictionaries(_part, st.integers(1, 500), max_size=12)


@settings(max_examples=300, deadline=None)
@given(_parts, _parts, st.dictionaries(st.sampled_from("ABCD"), st.integers(0, 2000)), st.integers(0, 7))
def test_changes_are_never_negative_and_at_most_the_previous_users(prev, new, actual, as_of):
    level = changes_level(prev, new, actual, as_of)
    assert 0 <= level <= sum(prev.values())
    assert level == sum(moved_users(prev, new, as_of).values()) + sum(slipped_users(prev, actual, as_of).values())


@settings(max_examples=300, deadline=None)
@given(_parts, _parts, st.integers(0, 7))
def test_no_changes_when_the_plan_is_kept_and_the_actuals_match_it(prev, history, as_of):
    actual: dict[str, int] = {}
    for (g, t), u in prev.items():
        if t < as_of:
            actual[g] = actual.get(g, 0) + u
    future = {(g, t): u for (g, t), u in prev.items() if t >= as_of}
    # whatever the new plan holds before as_of (the history) does not matter
    new = future | {(g, t): u for (g, t), u in history.items() if t < as_of}
    assert changes_level(prev, new, actual, as_of) == 0
    # and one user moved to another month counts once
    if future:
        (g, t), u = next(iter(future.items()))
        moved = dict(future)
        moved[g, t] = u - 1
        assert changes_level(prev, moved, actual, as_of) == 1


# -------------------------------------------------------------------- what changed
def _inst():
    return instance([Group("A", 100), Group("B", 100), Group("C", 100), Group("D", 100), Group("E", 100)],
                    months(100, 100, 100, 100, 100, 100, assisted=100))


def _actuals(*rows):
    return Actuals("act.csv", AS_OF, tuple(ActualRow(g, t, u, k, None, i + 2) for i, (g, t, u, k) in enumerate(rows)))


def test_what_changed_lists_each_group_that_moved():
    inst = _inst()
    prev = previous_from_parts([("A", 1, 100, "self-service"), ("B", 2, 100, "self-service"),
                                ("C", 4, 100, "assisted"), ("D", 4, 100, "self-service"), ("E", 1, 100, "assisted")])
    history = build_history(inst, _actuals(("A", 0, 100, "self-service"), ("B", 2, 40, "self-service"),
                                           ("E", 1, 100, "assisted")))
    new = {("B", 3): 60, ("C", 4): 100, ("D", 4): 50, ("D", 5): 50}
    methods = {"B": "assisted", "C": "assisted", "D": "self-service"}
    rows = what_changed(inst, prev, new, methods, history)
    by = {c.group: c for c in rows}
    assert list(by) == ["A", "B", "D"]  # C and E are as planned
    a, b, d = by["A"], by["B"], by["D"]
    assert [(p.month, p.users) for p in a.before] == [(1, 100)] and [(p.month, p.users) for p in a.after] == [(0, 100)]
    assert a.users_moved == 0  # done in another past month: not slipped
    assert (b.slipped, b.moved, b.users_moved, b.method_before, b.method_after) == (60, 0, 60, "self-service", "assisted")
    assert [(p.month, p.users, p.method) for p in b.after] == [(2, 40, "self-service"), (3, 60, "assisted")]
    assert (d.moved, d.slipped) == (50, 0)
    assert sum(c.users_moved for c in rows) == changes_level(prev.users, new, {"A": 100, "B": 40, "E": 100}, AS_OF)
    frame = changes_frame(inst, rows)
    assert list(frame.columns) == ["group", "months_before", "months_after", "method_before", "method_after",
                                   "users_moved", "slipped"]
    assert frame.to_dict("records")[1] == {
        "group": "B", "months_before": "2027-03", "months_after": "2027-03 (40), 2027-04 (60)",
        "method_before": "self-service", "method_after": "assisted", "users_moved": 60, "slipped": 60}
    assert frame.loc[2, "months_after"] == "2027-05 (50), 2027-06 (50)"


def test_a_method_change_alone_is_a_change_of_no_users():
    inst = _inst()
    prev = previous_from_parts([("C", 4, 100, "assisted")])
    rows = what_changed(inst, prev, {("C", 4): 100}, {"C": "self-service"}, build_history(inst, _actuals()))
    assert [(c.group, c.users_moved, c.method_before, c.method_after) for c in rows] == [
        ("C", 0, "assisted", "self-service")]


def test_previous_v1_plan_gives_each_group_its_size_in_its_month(tmp_path):
    inst = _inst()
    plan = tmp_path / "plan.csv"
    # as rollout writes it (Swedish Excel re-saved: semicolons), one group missing (added since)
    plan.write_text("group;month;method;size;wave;phase\nA;2027-02;Self-service;100;production;Production phase 1\n"
                    "B;2027-05;assisted;100;production;Production phase 2\nC;2027-05;tech-fair;100;production;x\n"
                    "D;2027-06;assisted;100;production;x\n", encoding="utf-8")
    prev = read_previous_plan(inst, plan)
    assert dict(prev.users) == {("A", 1): 100, ("B", 4): 100, ("C", 4): 100, ("D", 5): 100}
    assert dict(prev.methods) == {"A": "self-service", "B": "assisted", "C": "tech-fair", "D": "assisted"}
    assert prev.groups() == {"A", "B", "C", "D"}


def test_previous_v2_parts_seam():
    prev = previous_from_parts([("A", 1, 30, "assisted"), ("A", 2, 70, "assisted"), ("B", 3, 0, "self-service")])
    assert dict(prev.users) == {("A", 1): 30, ("A", 2): 70}
    assert dict(prev.methods) == {"A": "assisted", "B": "self-service"}


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(_part, st.tuples(st.integers(1, 200), st.sampled_from(["assisted", "self-service"])), max_size=10),
       _parts, st.dictionaries(st.tuples(st.sampled_from("ABCDE"), st.integers(0, 2)), st.integers(0, 20), max_size=6))
def test_what_changed_adds_up_to_the_changes_level(prev_parts, new, actual_parts):
    inst = _inst()
    prev = previous_from_parts((g, t, u, k) for (g, t), (u, k) in prev_parts.items())
    acts = _actuals(*((g, t, u, "assisted") for (g, t), u in actual_parts.items()))
    history = build_history(inst, acts)
    methods = dict.fromkeys("ABCDE", "assisted")
    rows = what_changed(inst, prev, new, methods, history)
    level = changes_level(prev.users, new, acts.users_by_group(), AS_OF)
    assert sum(c.users_moved for c in rows) == level
    assert all(c.users_moved >= 0 for c in rows)
    listed = {c.group for c in rows}
    # a group not listed has the same parts, users and method in both plans
    for g in "ABCDE":
        if g not in listed:
            before = {(t, u, prev.methods[g]) for (h, t), u in prev.users.items() if h == g}
            after = {(p.month, p.users, p.method) for p in history.parts.get(g, ())}
            after |= {(t, u, "assisted") for (h, t), u in new.items() if h == g and t >= AS_OF}
            assert before == after

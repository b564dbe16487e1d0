"""Twins for each history rule of a re-plan (model v2 spec, "Re-planning with actuals"), judged by
brute force (tests/bruteforce_replan.py: every part plan of the future months, the independent
re-plan checker, the lexicographic optimum of the whole-plan levels).

Each twin pair differs in the history alone and the optimum (or whether there is a plan) changes
as worked out by hand in the comments. Objective (finish, changes, waiting, assisted, splits);
readiness 3 everywhere, so waiting = 3 x sum of users x month index; min_part_users 1 unless set.
"""

from __future__ import annotations

from bruteforce_replan import best_replan
from bruteforce_split import split_optimum

from optimizer import rules as R
from optimizer.replan.actuals import ActualRow, Actuals
from optimizer.checker import check_plan
from optimizer.domain import Group, Instance, Month, Rules
from optimizer.replan.history import build_history
from optimizer.plan import Assignment, Plan
from optimizer.replan.previous_plan import previous_from_parts
from optimizer.replan.check import check_replan, replan_levels

SELF = ("self-service",)
ASSISTED = ("assisted",)
BIG = (100, 100, 100)


def inst(groups, caps, **rules) -> Instance:
    """caps: per month (helpdesk, assisted, tech_fair)."""
    ms = tuple(Month(f"2027-{t + 1:02d}", helpdesk=h, assisted=a, tech_fair=f) for t, (h, a, f) in enumerate(caps))
    return Instance(tuple(groups), ms, Rules(**{"min_part_users": 1, **rules}))


def history(i: Instance, as_of: int, rows):
    """rows: (group, month index, users, method)."""
    return build_history(i, Actuals("actuals.csv", as_of, tuple(
        ActualRow(g, t, u, k, None, n + 2) for n, (g, t, u, k) in enumerate(rows))))


def prev(i: Instance, months: dict[str, int]):
    """A v1 previous plan: each group whole in its month, self-service."""
    return previous_from_parts((g.name, months[g.name], g.size, g.methods[0]) for g in i.groups)


def key(i, h, p):
    found = best_replan(i, h, h.as_of, p)
    if found is None:
        return None
    levels, plan = found
    assert check_replan(plan, h) == []  # the whole plan (actual rows included) is a valid re-plan
    vals = replan_levels(plan, h, p)
    assert tuple(vals[lv] for lv in ("finish", "changes", "waiting", "assisted", "splits")) == levels
    return levels


def test_pilot_done_in_month_2_moves_production_opens():
    # stage_gap 2, as of March: a pilot done in January opens production in March, done in
    # February it opens in April and A moves (2 users changed).
    i = inst([Group("P", 2, wave="pilot", methods=SELF), Group("A", 2, methods=SELF)], [BIG] * 4, stage_gap=2)
    p = prev(i, {"P": 0, "A": 2})
    assert key(i, history(i, 2, [("P", 0, 2, "self-service")]), p) == (2, 0, 12, 0, 0)
    assert key(i, history(i, 2, [("P", 1, 2, "self-service")]), p) == (3, 2, 6 + 18, 0, 0)


def test_risk_delay_counts_from_the_actual_pilot_month():
    # The pilot was done in February: production opens in March (stage_gap 1), as of March.
    # A medium-risk group keeps March; a high-risk one waits for April (risk_delay 1).
    def case(risk):
        i = inst([Group("P", 2, wave="pilot", methods=SELF), Group("A", 2, methods=SELF, risk=risk)], [BIG] * 4)
        return key(i, history(i, 2, [("P", 1, 2, "self-service")]), prev(i, {"P": 0, "A": 2}))
    assert case("medium") == (2, 0, 6 + 12, 0, 0)
    assert case("high") == (3, 2, 6 + 18, 0, 0)


def test_slipped_pilot_holds_production_back():
    # The pilot done in January opens production in February; with 2 of its 4 users slipped,
    # they enroll in February and production opens in March (2 slipped + 2 of A moved).
    i = inst([Group("P", 4, wave="pilot", methods=SELF), Group("A", 2, methods=SELF)], [BIG] * 4)
    p = prev(i, {"P": 0, "A": 1})
    assert key(i, history(i, 1, [("P", 0, 4, "self-service")]), p) == (1, 0, 6, 0, 0)
    assert key(i, history(i, 1, [("P", 0, 2, "self-service")]), p) == (2, 4, 6 + 12, 0, 1)


def test_part_of_h_left_holds_back_g_via_after():
    # G after H: H done in January lets G keep February; H with 1 user left enrolls it in
    # February and G waits for March.
    i = inst([Group("H", 2, methods=SELF), Group("G", 2, methods=SELF, after=("H",))], [BIG] * 3)
    p = prev(i, {"H": 0, "G": 1})
    assert key(i, history(i, 1, [("H", 0, 2, "self-service")]), p) == (1, 0, 6, 0, 0)
    assert key(i, history(i, 1, [("H", 0, 1, "self-service")]), p) == (2, 3, 3 + 12, 0, 1)


def test_history_against_the_order_is_not_judged():
    # G (after H) was done in January, before H's first part in February: history, not judged;
    # H's last user enrolls in March.
    i = inst([Group("H", 2, methods=SELF), Group("G", 2, methods=SELF, after=("H",))], [BIG] * 3)
    h = history(i, 2, [("G", 0, 2, "self-service"), ("H", 1, 1, "self-service")])
    levels, plan = best_replan(i, h, 2, prev(i, {"H": 0, "G": 1}))
    assert levels == (2, 1, 3 + 6, 0, 1)
    assert R.AFTER in {v.rule for v in check_plan(plan)}  # the plain checker would refuse the history


def test_started_group_is_not_held_to_its_department():
    # One ticket a month: D1 and D2 cannot start together. D1 started in January: only D2 is held
    # to the department's first month, so each takes its own month; D1 not started: no plan.
    i = inst([Group("D1", 2, department="x", methods=SELF), Group("D2", 2, department="x", methods=SELF)],
             [(1, 0, 0)] * 3, keep_departments_together=True)
    p = prev(i, {"D1": 0, "D2": 1})
    assert key(i, history(i, 1, [("D1", 0, 1, "self-service")]), p) is not None
    assert key(i, history(i, 1, []), p) is None


def test_least_part_uses_remaining_users_not_size():
    # min_part_users 3, 2 assisted seats a month, A has 5 users. With 3 done its 2 left make one
    # part of 2 (least part min(3, 2) = 2; by its size it would need 3): slipped 2, waiting 6.
    # With 1 done, 4 left need 2 + 2 (each below 3): no plan.
    i = inst([Group("A", 5, methods=ASSISTED, max_months=2)], [(100, 2, 0)] * 3, min_part_users=3)
    p = prev(i, {"A": 0})
    assert key(i, history(i, 1, [("A", 0, 3, "assisted")]), p) == (1, 2, 6, 5, 1)
    assert key(i, history(i, 1, [("A", 0, 1, "assisted")]), p) is None


def test_past_capacity_is_not_checked():
    # January has no assisted seats. A enrolled there is history (valid, nothing left to plan);
    # planned from January on, A must wait for February.
    i = inst([Group("A", 4, methods=ASSISTED)], [(100, 0, 0), (100, 4, 0)])
    p = prev(i, {"A": 0})
    assert key(i, history(i, 1, [("A", 0, 4, "assisted")]), p) == (0, 0, 0, 4, 0)
    assert key(i, history(i, 0, []), p) == (1, 4, 12, 4, 0)


def test_past_method_is_not_imposed():
    # A may now use assisted only; its January users came by self-service. The new part is
    # assisted: two methods over the whole plan, no one-method rule broken.
    i = inst([Group("A", 4, methods=ASSISTED, max_months=1)], [BIG] * 2)
    h = history(i, 1, [("A", 0, 2, "self-service")])
    levels, plan = best_replan(i, h, 1, prev(i, {"A": 0}))
    assert levels == (1, 2, 6, 2, 1)
    assert [k for _g, k, _t, _u in plan.all_parts()] == ["self-service", "assisted"]


def test_without_history_the_optimum_is_the_plain_split_optimum():
    # as_of = January, no actuals: the re-plan's levels other than changes are those of a plain
    # solve (tests/bruteforce_split.py), for the objective without changes.
    i = inst([Group("P", 3, wave="pilot", max_months=2), Group("A", 4, methods=ASSISTED, max_months=2),
              Group("B", 2, after=("A",))], [(100, 2, 0), (100, 3, 0), (100, 3, 0), (100, 0, 0)])
    h = history(i, 0, [])
    objective = ("finish", "waiting", "assisted", "splits")
    levels, _plan = best_replan(i, h, 0, prev(i, {"P": 0, "A": 1, "B": 2}), objective=objective)
    assert levels == split_optimum(i)[0]
    assert levels[0] == 3  # P in January, A in February and March, B in April


def _plan(i, rows):
    """A plan from rows (group, month, users, method)."""
    parts: dict = {}
    for g, t, u, k in rows:
        parts.setdefault(g, []).append((t, u, k))
    return Plan(i, {g: Assignment(g, ps[0][0], ps[-1][2], tuple((t, u) for t, u, _ in ps), tuple(k for *_, k in ps))
                    for g, ps in parts.items()})


def test_history_rules_of_the_checker():
    i = inst([Group("A", 4, methods=SELF, max_months=2), Group("B", 2, methods=SELF)], [BIG] * 3)
    h = history(i, 1, [("A", 0, 2, "self-service")])
    kept = [("A", 0, 2, "self-service"), ("A", 1, 2, "self-service"), ("B", 1, 2, "self-service")]
    assert check_replan(_plan(i, kept), h) == []
    assert check_replan(_plan(i, kept[1:]), h) == []  # the history left out
    rules = lambda rows: sorted(v.rule for v in check_replan(_plan(i, rows), h))  # noqa: E731
    assert rules([("A", 0, 3, "self-service")] + kept[1:]) == [R.HISTORY_KEPT]
    assert rules([("A", 0, 2, "assisted")] + kept[1:]) == [R.HISTORY_KEPT]
    assert rules([("B", 0, 1, "self-service")] + kept) == [R.NO_PAST_PARTS]  # B still enrolls its 2 users left
    assert rules([("A", 1, 2, "self-service")]) == [R.ONE_ASSIGNMENT]
    assert rules([("A", 1, 4, "self-service"), ("B", 1, 2, "self-service")]) == [R.PARTS_SUM]


def test_observed_rates_judge_the_future_months():
    # 100 self-service users logged 20 tickets: 20 per 100 against the planned 15. Helpdesk 6 a
    # month: A's 40 users left take 6 tickets at the planned rate (all in February), 8 at the
    # observed one (30 in February, 10 in March).
    from optimizer.replan.observed_rates import observed_rates

    i = inst([Group("A", 140, methods=SELF, max_months=2)], [(6, 0, 0)] * 3)
    acts = Actuals("act.csv", 1, (ActualRow("A", 0, 100, "self-service", 20, 2),))
    h, p = build_history(i, acts), prev(i, {"A": 0})
    planned, observed = observed_rates(acts, i.rules, False), observed_rates(acts, i.rules, True)
    assert best_replan(i, h, 1, p, tickets=planned.tickets)[0] == (1, 40, 120, 0, 1)
    levels, plan = best_replan(i, h, 1, p, tickets=observed.tickets)
    assert levels == (2, 40, 90 + 60, 0, 2)
    assert check_replan(plan, h, tickets=observed.tickets) == []
    assert [v.rule for v in check_replan(plan, h)] == []  # also within the planned rate

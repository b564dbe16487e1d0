"""The re-plan solver (rollout replan's model, optimizer.replan.solve) against the brute-force
re-plan reference (tests/bruteforce_replan.py, judged by the independent re-plan checker) on
random tiny instances: the same lexicographic optimum of the whole-plan levels (finish, changes,
waiting, assisted, splits), the same verdict when no re-plan exists, and every plan the solver
returns valid for the independent checker."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bruteforce_replan import best_replan
from optimizer.domain import Group, Instance, Month, Rules
from optimizer.replan.actuals import ActualRow, Actuals
from optimizer.replan.check import check_replan, replan_levels
from optimizer.replan.history import build_history
from optimizer.replan.inputs import ReplanInputs
from optimizer.replan.observed_rates import observed_rates
from optimizer.replan.previous_plan import previous_from_parts
from optimizer.replan.solve import replan_instance, solve_replan
from optimizer.solving.solver import SolveOptions

LEVELS = ("finish", "changes", "waiting", "assisted", "splits")
WAVES = ("pilot", "production", "production")


@st.composite
def cases(draw):
    months = draw(st.integers(3, 4))
    n = draw(st.integers(2, 3))
    groups = []
    for i in range(n):
        groups.append(Group(
            f"G{i}", draw(st.integers(2, 6)), wave=draw(st.sampled_from(WAVES)),
            readiness=draw(st.integers(1, 5)),
            methods=draw(st.sampled_from([("self-service",), ("self-service", "assisted")])),
            max_months=draw(st.integers(1, 2))))
    caps = tuple(Month(f"2027-{t + 1:02d}", helpdesk=draw(st.integers(0, 2)), assisted=draw(st.integers(0, 4)))
                 for t in range(months))
    rules = Rules(min_part_users=draw(st.integers(1, 3)), stage_gap=draw(st.integers(0, 1)),
                  tickets_per_100_users={"self-service": 20, "assisted": 10, "tech-fair": 5})
    inst = Instance(tuple(groups), caps, rules)
    as_of = draw(st.integers(1, 2))
    rows = []
    for g in groups:  # some groups started before as_of (whole or in part), some slipped
        if draw(st.booleans()):
            t = draw(st.integers(0, as_of - 1))
            rows.append(ActualRow(g.name, t, draw(st.integers(1, g.size)), draw(st.sampled_from(g.methods)),
                                  None, len(rows) + 2))
    prev_months = {g.name: draw(st.integers(0, months - 1)) for g in groups}
    return inst, as_of, tuple(rows), prev_months


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_replan_solver_finds_the_brute_force_optimum(case):
    inst, as_of, rows, prev_months = case
    acts = Actuals("actuals.csv", as_of, rows)
    history = build_history(inst, acts)
    previous = previous_from_parts((g.name, prev_months[g.name], g.size, g.methods[0]) for g in inst.groups)
    expected = best_replan(inst, history, as_of, previous)
    rin = ReplanInputs(acts, history, previous, observed_rates(acts, inst.rules))
    res = solve_replan(replan_instance(inst), rin, SolveOptions(time_limit=20, workers=1, seed=0))
    if expected is None:
        assert res.plan is None and res.status == "infeasible", res.status
        return
    assert res.status == "optimal", res.status
    assert check_replan(res.plan, history) == []
    values = replan_levels(res.plan, history, previous)
    assert tuple(values[lv] for lv in LEVELS) == expected[0]
    assert [lv.value for lv in res.levels] == list(expected[0])

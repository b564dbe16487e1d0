"""LP bounds of the model of parts (optimizer/solving/lp/parts_bounds.py) against brute force on
tiny split instances (tests/bruteforce_split.py): no bound is ever above the optimum of plans
with parts, and the finish probe never calls the optimal month impossible."""

from __future__ import annotations

import pytest
from bruteforce_split import split_optimum
from test_split_properties import tiny

from optimizer.domain import Group, Instance, Month, Rules
from optimizer.solving.lp.parts_bounds import parts_finish_probe, parts_level_bound

SEEDS = range(40)


@pytest.mark.parametrize("seed", SEEDS)
def test_bounds_never_cut_the_split_optimum(seed):
    inst = tiny(seed)
    found = split_optimum(inst)
    if found is None:
        return
    key = dict(zip(inst.rules.objective, found[0]))
    finish = key["finish"]
    assert parts_finish_probe(inst, finish)[0] != "infeasible"
    fixed: dict[str, int] = {}
    for level in inst.rules.objective:
        bound, _work, _secs = parts_level_bound(inst, finish, level, fixed)
        assert bound is None or bound <= key[level], (seed, level, bound, key)
        fixed[level] = key[level]


def test_the_probes_prove_something_on_the_tiny_instances():
    proofs = bounds = 0
    for seed in SEEDS:
        inst = tiny(seed)
        found = split_optimum(inst)
        if found is None or found[0][0] == 0:
            continue
        key = dict(zip(inst.rules.objective, found[0]))
        proofs += parts_finish_probe(inst, key["finish"] - 1)[0] == "infeasible"
        b = parts_level_bound(inst, key["finish"], "waiting", {"finish": key["finish"]})[0]
        bounds += b is not None and b > 0
    assert proofs >= 3 and bounds >= 3


def test_a_group_too_big_for_one_month_is_not_called_impossible_by_two():
    # 300 assisted users, 200 seats a month, 2 months allowed: finish month 1 (February).
    months = tuple(Month(f"2027-{t + 1:02d}", helpdesk=100, assisted=200, tech_fair=0) for t in range(3))
    inst = Instance((Group("Sales", 300, methods=("assisted",), max_months=2),), months,
                    Rules(min_part_users=50), name="sales")
    assert parts_finish_probe(inst, 0)[0] == "infeasible"
    assert parts_finish_probe(inst, 1)[0] == "feasible"
    # 100 users wait a month: the optimum is 100 x readiness; the bound is at most that
    assert 0 < parts_level_bound(inst, 1, "waiting", {"finish": 1})[0] <= 100 * inst.groups[0].readiness


def _sales3() -> Instance:
    months = tuple(Month(f"2027-{t + 1:02d}", helpdesk=100, assisted=200, tech_fair=0) for t in range(4))
    groups = (Group("Sales", 300, methods=("assisted",), max_months=2), Group("HR", 40, methods=("self-service",)))
    return Instance(groups, months, Rules(min_part_users=50), name="sales3")


def test_the_split_path_proves_the_finish_with_the_lp_and_the_plan_passes_the_checker():
    import dataclasses

    from optimizer.checker import check_plan
    from optimizer.solving.solver import SolveOptions, solve
    from optimizer.solving.tuning import Tuning
    opts = SolveOptions(time_limit=10, workers=2)
    r = solve(_sales3(), opts)
    assert check_plan(r.plan) == [] and r.levels[0].value == 1
    assert r.levels[0].status == "optimal" and r.levels[0].bound_by == "lp relaxation"
    off = solve(_sales3(), dataclasses.replace(opts, tuning=Tuning(lp_finish_proof=False, lp_level_bound=False)))
    assert check_plan(off.plan) == [] and [lv.value for lv in off.levels] == [lv.value for lv in r.levels]
    assert all(lv.bound_by != "lp relaxation" for lv in off.levels)


def test_the_steps_of_the_split_path_are_in_the_architecture_doc():
    from pathlib import Path

    from optimizer.solving.parts_steps import parts_steps
    from optimizer.solving.tuning import Tuning
    doc = (Path(__file__).parent.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    for step in parts_steps(Tuning()):
        assert step in doc, step


@pytest.mark.parametrize("seed", range(25))
def test_the_probe_on_the_solves_model_answers_as_a_model_built_for_the_month(seed):
    from optimizer.model_parts import PartsModel
    inst = tiny(seed)
    big = PartsModel(inst)
    for month in range(inst.horizon - 1):
        alone = parts_finish_probe(inst, month)[0]
        reused = parts_finish_probe(inst, month, pm=big)[0]
        # the reused model's LP may only be weaker (rows of later months stay): never "infeasible"
        # where a model built for the month has a fractional plan
        assert not (reused == "infeasible" and alone != "infeasible"), (seed, month)
        found = split_optimum(inst)
        if found is not None and month >= found[0][0]:
            assert reused != "infeasible"


def test_a_split_groups_tickets_are_at_least_its_whole_group_tickets():
    # A (150 users, 15 tickets per 100: 22.5, rounded 23 whether whole or in parts) can only enroll
    # in month 0, whose helpdesk takes 22: no plan. The LP without the ticket row per split group
    # charged A 22.5 tickets, within the capacity row's half ticket of room, and found month 1 possible.
    months = (Month("2027-01", helpdesk=22, assisted=0, tech_fair=0),
              Month("2027-02", helpdesk=5, assisted=0, tech_fair=0))
    inst = Instance((Group("A", 150, methods=("self-service",), max_months=2, latest="2027-01"),
                     Group("B", 1, methods=("self-service",), earliest="2027-02")),
                    months, Rules(min_part_users=1))
    assert split_optimum(inst) is None
    assert parts_finish_probe(inst, 1)[0] == "infeasible"


def test_the_finish_probe_may_use_the_levels_whole_budget():
    # the probe that proves the finish needs more work than Tuning.start_share of the level's
    # budget (2,000 x 24: about 6 of 9 deterministic seconds): it gets the whole budget
    from optimizer.model_parts import PartsModel
    from optimizer.plan import Assignment, Plan
    from optimizer.solving.budget import Budget
    from optimizer.solving.parts_steps import lp_settle
    from optimizer.solving.solver import SolveOptions
    from optimizer.solving.tuning import DEFAULT_TUNING
    inst = _sales3()
    start = Plan(inst, {"Sales": Assignment.from_parts("Sales", "assisted", [(0, 200), (1, 100)]),
                        "HR": Assignment("HR", 1, "self-service")})
    pm = PartsModel(inst, max_month=1)
    assert parts_finish_probe(inst, 0, pm=pm)[0] == "infeasible"
    opts = SolveOptions(time_limit=10, workers=2, tuning=DEFAULT_TUNING)
    # two simplex iterations' work: its start_share (0.25) is not even one
    budget = 2 * len(pm.proto.variables) * DEFAULT_TUNING.work_per_iteration_column
    settled, bound = lp_settle(pm, "finish", True, start, {}, budget, opts, Budget.for_step(10.0, 10.0), 0.0)
    assert settled is not None and settled.status == "optimal" and settled.value == bound == 1
def test_the_rounding_of_a_parts_tickets_lifts_the_waiting_bound_to_the_optimum():
    """January has one ticket: one group of 4 self-service users (0.6 tickets, rounded up to 1).
    The relaxation without the implied ticket rows (optimizer/model_parts_cuts.py) put eager A in
    January for 0.6 tickets and 0.4 of B (whole: 1 ticket) in the 0.4 left (bound 3); with them A's
    parts pay at least A's whole ticket, B waits whole: the bound is the optimum, 4."""
    months = (Month("2027-01", helpdesk=1, assisted=0, tech_fair=0), Month("2027-02", helpdesk=5, assisted=0, tech_fair=0))
    inst = Instance((Group("A", 4, methods=("self-service",), readiness=5, max_months=2),
                     Group("B", 4, methods=("self-service",), readiness=1)), months, Rules(min_part_users=1), name="r")
    assert split_optimum(inst)[0][:2] == (1, 4)
    assert parts_level_bound(inst, 1, "waiting", {"finish": 1})[0] == 4


@pytest.mark.parametrize("n", [1, 2, 40, 49, 50, 51, 120, 333])
def test_the_cheapest_part_is_the_fewest_tickets_per_user(n):
    from optimizer.model_parts_cuts import cheapest_part
    for rate in (2, 5, 15, 100, 150):
        for least in (1, 15, n):
            c, u = cheapest_part(rate, least, n)
            assert least <= u <= n or (least > n and u == n)
            assert all(c * v <= -(-rate * v // 100) * u for v in range(max(1, least), n + 1))


def test_a_split_groups_users_wait_for_its_first_month_in_the_bound():
    """The pilot P may start in February only, so production S (4 users over up to 2 months) starts
    in March at the earliest. The model ties S's first month to its users only under a part literal
    (left out of the relaxation): without the first/last rows of optimizer/model_parts_cuts.py the
    LP kept 3 of S's users in February with its first month in March (bound 7); with them the
    optimum, 11 (P waits a month at readiness 3, S two months)."""
    months = tuple(Month(f"2027-{t + 1:02d}", helpdesk=10, assisted=10, tech_fair=0) for t in range(3))
    inst = Instance((Group("P", 1, wave="pilot", methods=("self-service",), earliest="2027-02"),
                     Group("S", 4, methods=("self-service",), readiness=1, max_months=2)), months,
                    Rules(min_part_users=1, stage_gap=1), name="first")
    (finish, waiting, *_), _plans = split_optimum(inst)
    assert (finish, waiting) == (2, 1 * inst.groups[0].readiness + 8)
    assert parts_level_bound(inst, 2, "waiting", {"finish": 2})[0] == waiting

"""Plans from the LP relaxation (optimizer.solving.lp.rounding) and the finish bisection that uses them
(optimizer.solving.lp.finish): every plan they give keeps every rule, they reach the brute-force
optimum on tiny instances, a case where only an exact packing fits, and determinism."""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import replace

import numpy as np
import pytest

import optimizer.solving.level_moves as level_moves_mod  # the window moves of a level (patched here)
import optimizer.solving.steps as steps_mod  # the solve strategy's steps (patched here)
from optimizer import rules as R
from optimizer.checker import check_plan
from optimizer.domain import METHODS, Group
from optimizer.solving.greedy import best_greedy
from optimizer.solving.lp.finish import next_level_start, shorten
from optimizer.model import RolloutModel
from optimizer.plan import Plan
from optimizer.solving.lp.relaxation import finish_probe
from optimizer.solving.lp.rounding import _Search, repair_to_month, round_lp, stage_ends
from optimizer.samples import generate
from optimizer.solving import cpsat
from optimizer.solving.tuning import DEFAULT_TUNING
from optimizer.solving.solver import SolveOptions, solve

from conftest import instance, months
from randinst import finish_first_instance
from test_bruteforce import brute_force


CAPACITY = set(R.CAPACITY_RULE.values())


def _exact_packing(helpdesk: int):
    """Four self-service groups with 6, 4, 5 and 5 tickets (40, 26, 33 and 33 users at 15 per
    100, rounded up), two months of ``helpdesk`` tickets. With 10 a month only {6, 4} + {5, 5}
    fits (20 tickets in 20): finish 1, and the rounding of any fractional plan that splits a
    group has to be repaired into exactly that packing. With 9 a month the relaxation itself
    has no plan by month 1 (20 tickets > 18)."""
    groups = [Group(n, s, methods=("self-service",)) for n, s in (("A", 40), ("B", 26), ("C", 33), ("D", 33))]
    return instance(groups, months(helpdesk, helpdesk))


def test_repair_finds_the_only_packing_that_fits():
    inst = _exact_packing(10)
    probe = finish_probe(inst, 1, plan=True)
    assert probe.status == "feasible"
    rep = repair_to_month(inst, 1, probe.x, work=1.0)
    assert rep.plan is not None and rep.overflow == 0
    plan = Plan.from_indices(inst, rep.plan)
    assert check_plan(plan) == []
    by_month = sorted(sorted(a.group for a in plan.assignments.values() if a.month == t) for t in (0, 1))
    assert by_month == [["A", "B"], ["C", "D"]]


def test_exact_packing_twin_without_room_is_ruled_out():
    # 9 tickets a month: no plan by month 1, and the relaxation already says so
    assert finish_probe(_exact_packing(9), 1, plan=True).status == "infeasible"


def test_repair_gives_up_where_no_plan_exists():
    # Tickets 6, 6, 4, 4 (40, 40, 26, 26 users) in months of 11 and 9: 20 tickets fit the
    # 20 fractionally, but month 1 would have to take exactly 9 and no subset sums to 9.
    groups = [Group(n, s, methods=("self-service",)) for n, s in (("A", 40), ("B", 40), ("C", 26), ("D", 26))]
    inst = instance(groups, months(11, 9))
    assert brute_force(inst) is None
    probe = finish_probe(inst, 1, plan=True)
    assert probe.status == "feasible"  # the relaxation cannot tell
    rep = repair_to_month(inst, 1, probe.x, work=0.05)
    assert rep.plan is None and rep.overflow > 0


@pytest.mark.parametrize("seed", range(80))
def test_repair_against_brute_force(seed):
    # On tiny random instances, at every month the relaxation allows: a repaired plan keeps
    # every rule and finishes by that month, so never before the brute-force optimum; at the
    # optimum's month itself the repair finds a plan (tiny instances leave it no excuse),
    # unless a rule it does not search is on (then it gives up: no plan, never a wrong one).
    inst = finish_first_instance(seed)
    r = inst.rules
    searched = not (r.max_platforms_per_month or r.max_locations_per_month or r.keep_departments_together)
    best = brute_force(inst)
    for t in range(inst.horizon):
        probe = finish_probe(inst, t, plan=True)
        if probe.status != "feasible":
            continue
        rep = repair_to_month(inst, t, probe.x, work=0.2, seed=seed)
        if rep.plan is not None:
            plan = Plan.from_indices(inst, rep.plan)
            assert check_plan(plan) == [], (seed, t, check_plan(plan))
            assert best is not None and best[0] <= plan.finish() <= t
        elif searched and best is not None and t == best[0]:
            pytest.fail(f"seed {seed}: no plan by month {t}, the optimum")


@pytest.mark.parametrize("seed", range(3))
def test_rounding_keeps_every_rule_but_capacity(seed):
    # Generated instances (pilots, expanded pilots, risk delays, after pairs, windows): the
    # rounding alone may overload months but breaks no other rule, for every stage end tried.
    inst = generate(200, 12, seed)
    for t in (7, 9, 11):
        probe = finish_probe(inst, t, plan=True)
        if probe.status != "feasible":
            continue
        rm = RolloutModel(inst, max_month=t)
        for end in stage_ends(inst, rm, probe.x):
            choice = round_lp(inst, rm, probe.x, end)
            assert choice is not None
            plan = {g: (int(rm.tx[o]), ("self-service", "assisted", "tech-fair")[int(rm.kx[o])])
                    for g, o in enumerate(choice)}
            broken = {v.rule for v in check_plan(Plan.from_indices(inst, plan))}
            assert broken <= CAPACITY, (seed, t, end, broken)


def test_local_search_steps_keep_every_rule_but_capacity():
    # Every single step of the search, not only its end: after each one the plan may break
    # capacity only, and the loads it keeps equal the loads recomputed from the plan.
    inst = generate(200, 12, 3)
    t = 8
    probe = finish_probe(inst, t, plan=True)
    assert probe.status == "feasible"
    rm = RolloutModel(inst, max_month=t)
    search = _Search(inst, rm, round_lp(inst, rm, probe.x, stage_ends(inst, rm, probe.x)[0]), seed=1)
    over = search.overflow()
    for _ in range(60):
        if over == 0:
            break
        over += search.step()
        assert over == search.overflow()
        plan = {g: (int(rm.tx[o]), ("self-service", "assisted", "tech-fair")[int(rm.kx[o])])
                for g, o in enumerate(search.choice)}
        broken = {v.rule for v in check_plan(Plan.from_indices(inst, plan))}
        assert broken <= CAPACITY, broken


def test_repair_is_deterministic():
    inst = generate(200, 12, 1)
    probe = finish_probe(inst, 9, plan=True)  # 9 is this instance's optimum (8 is ruled out)
    a = repair_to_month(inst, 9, probe.x, work=2.0, seed=3)
    b = repair_to_month(inst, 9, probe.x, work=2.0, seed=3)
    assert a.plan is not None
    assert a.plan == b.plan and (a.steps, a.moves, a.work) == (b.steps, b.moves, b.work)


def test_repair_charges_at_most_its_work():
    inst = _exact_packing(10)
    probe = finish_probe(inst, 1, plan=True)
    rep = repair_to_month(inst, 1, probe.x, work=1e-9)
    assert rep.work <= 1e-9


def test_repair_leaves_rules_it_does_not_search_alone():
    # A limit on platforms a month is not in the local search: no plan rather than a wrong one.
    groups = [Group(n, s, methods=("self-service",)) for n, s in (("A", 40), ("B", 26), ("C", 33), ("D", 33))]
    inst = instance(groups, months(10, 10), max_platforms_per_month=1)
    probe = finish_probe(inst, 1, plan=True)
    assert repair_to_month(inst, 1, probe.x, work=1.0).plan is None


@pytest.mark.parametrize("seed", range(40))
def test_bisection_against_brute_force(seed):
    # From the greedy plan: the bound never passes the optimum, the plan always keeps every
    # rule, and a proof is only claimed at the optimum.
    inst = finish_first_instance(seed)
    best = brute_force(inst)
    start = best_greedy(inst)
    if best is None or start is None:
        return
    known: dict[int, str] = {}
    out = shorten(inst, start, RolloutModel(inst).finish_floor, known, work=5.0, wall_limit=30.0, seed=0)
    assert check_plan(Plan.from_indices(inst, out.plan)) == []
    assert out.bound <= best[0] <= out.finish
    if out.proven:
        assert out.finish == best[0]
    for m, status in known.items():
        if status == "infeasible":
            assert m < best[0]


def test_bisection_remembers_what_it_asked():
    # Asked again with what it learnt, it asks nothing: the proof comes from `known`.
    inst = generate(200, 12, 1)
    start = best_greedy(inst)
    known: dict[int, str] = {}
    first = shorten(inst, start, RolloutModel(inst).finish_floor, known, work=20.0, wall_limit=60.0)
    assert first.proven and first.probes
    again = shorten(inst, first.plan, RolloutModel(inst).finish_floor, known, work=20.0, wall_limit=60.0)
    assert again.proven and not again.probes and again.bound == first.bound


def test_solver_takes_the_repaired_plan_as_proven_optimal(monkeypatch):
    # As a "large" instance, started from a valid plan that finishes in month 2: the bisection
    # asks about month 1 (the capacity floor: 20 tickets need two months of 10), the repair
    # turns the fractional plan into the exact packing, and the floor proves it.
    tuning = replace(DEFAULT_TUNING, large_groups=1)
    groups = [Group(n, s, methods=("self-service",)) for n, s in (("A", 40), ("B", 26), ("C", 33), ("D", 33))]
    inst = instance(groups, months(10, 10, 10))
    start = {0: (0, "self-service"), 1: (0, "self-service"), 2: (1, "self-service"), 3: (2, "self-service")}
    res = solve(inst, SolveOptions(tuning=tuning, time_limit=5, workers=2), hint=start)
    fin = res.levels[0]
    assert (fin.status, fin.value, fin.bound, fin.bound_by) == ("optimal", 1, 1, "capacity")
    assert check_plan(res.plan) == []
    rep = res.model_stats["lp_repairs"][0]  # the finish's (later ones are starts for waiting)
    assert rep["month"] == 1 and rep["found"]


def test_generated_plan_from_the_lp_is_optimal_at_200_groups(monkeypatch):
    # The whole path on a generated instance treated as large: the finish is proven, the plan
    # passes the checker, and every repair and probe is on record.
    tuning = replace(DEFAULT_TUNING, large_groups=1)
    inst = generate(200, 12, 1)
    res = solve(inst, SolveOptions(tuning=tuning, time_limit=10, workers=2))
    fin = res.levels[0]
    assert fin.status == "optimal" and fin.value == fin.bound
    assert check_plan(res.plan) == []
    assert res.model_stats["lp_probes"]
    assert np.all([p["status"] in ("feasible", "infeasible") for p in res.model_stats["lp_probes"]])


def test_rounding_moves_expanded_pilots_after_a_pilot_it_moved():
    # Review finding: pilots P1 and P2 (P2 after P1) and an expanded pilot E, with the LP's
    # favourite months P1 = 1, P2 = 0, E = 1. Placing E against the pilots first and then moving
    # P2 after P1 (to month 2) used to leave E (month 1) before a pilot. The rounding repeats
    # its passes until no rule other than capacity breaks.
    from optimizer.domain import Instance, Month, Rules

    ms = tuple(Month(f"2027-{t + 1:02d}", helpdesk=1000, assisted=1000, tech_fair=1000) for t in range(5))
    gs = (Group("P1", 10, wave="pilot"), Group("P2", 10, wave="pilot", after=("P1",)),
          Group("E", 10, wave="expanded-pilot"), Group("X", 10, wave="production"))
    inst = Instance(gs, ms, Rules())
    rm = RolloutModel(inst, max_month=4)
    x = np.zeros(rm.n_x)
    for g, t in {0: 1, 1: 0, 2: 1, 3: 4}.items():
        x[[i for i in range(rm.starts[g], rm.starts[g + 1]) if rm.tx[i] == t and rm.kx[i] == 0][0]] = 1.0
    choice = round_lp(inst, rm, x, end=3)
    plan = {g: (int(rm.tx[o]), ("self-service", "assisted", "tech-fair")[int(rm.kx[o])]) for g, o in enumerate(choice)}
    assert check_plan(Plan.from_indices(inst, plan)) == []
    rep = repair_to_month(inst, 4, x, work=0.01, rm=rm)
    assert rep.plan is not None and check_plan(Plan.from_indices(inst, rep.plan)) == []


def test_no_lp_shortening_when_a_level_comes_before_the_finish(monkeypatch):
    # Review finding: with the objective (assisted, finish, waiting) the LP and the repair know
    # nothing of the assisted level already fixed, so a "shorter" plan from them broke it. They
    # only run when the finish is the first level; the plan keeps every level it reports.
    import dataclasses as dc

    tuning = replace(DEFAULT_TUNING, large_groups=50)
    inst = generate(60, 8, 6, tightness=0.95)
    inst = dc.replace(inst, rules=dc.replace(inst.rules, objective=("assisted", "finish", "waiting")))
    res = solve(inst, SolveOptions(tuning=tuning, time_limit=15, workers=1, batch_size=1))
    assert check_plan(res.plan) == []
    values = res.plan.objective_values()
    assert {lv.name: lv.value for lv in res.levels} == {k: values[k] for k in ("assisted", "finish", "waiting")}
    assert "lp_repairs" not in res.model_stats and "lp_probes" not in res.model_stats


def test_a_search_that_finds_nothing_keeps_the_plan_in_hand(monkeypatch):
    # Review finding: a finish search cut before its first solution (UNKNOWN) used to drop
    # every plan unless the window moves had found one, even with a valid start plan.
    tuning = replace(DEFAULT_TUNING, large_groups=50)
    run = cpsat._run

    def cut(solver, model, callback, forward=None):
        solver.parameters.max_time_in_seconds = 0.0
        solver.parameters.max_deterministic_time = 0.0
        return run(solver, model, callback, forward)

    monkeypatch.setattr(cpsat, "_run", cut)
    inst = generate(60, 8, 2, tightness=0.9)
    res = solve(inst, SolveOptions(tuning=tuning, time_limit=10, workers=1, batch_size=1))
    assert res.plan is not None and check_plan(res.plan) == []
    assert [lv.name for lv in res.levels] == ["finish", "waiting", "assisted"]
    assert all(lv.value is not None for lv in res.levels)


def _price_matters():
    """Two groups of 100 users, 15 helpdesk tickets a month, tech-fair seats in month 1 only. Self-
    service costs 15 tickets, so one self-service group a month; the eager A (readiness 5) may
    also go to the tech fair in month 1 (5 tickets), the reluctant B (readiness 1) only self-serve.
    Both months are needed (finish 1). A first, B second: waiting 100, 30 tickets; B first, A
    at the fair: waiting 500, 20 tickets. At the finish probes' ticket price (1000) the LP's
    cost is 30,100 against 20,500, so it takes B first; at 30 it is 1,000 against 1,100, so A
    first (mixing the two only interpolates: 1,100 - 100 x share of A first)."""
    groups = [Group("A", 100, readiness=5, methods=("self-service", "tech-fair")),
              Group("B", 100, readiness=1, methods=("self-service",))]
    return instance(groups, months(15, 15, tech_fair=(0, 100)))


def test_cheaper_tickets_give_the_next_level_a_better_start():
    inst = _price_matters()
    fewest_tickets = {0: (1, "tech-fair"), 1: (0, "self-service")}
    assert check_plan(Plan.from_indices(inst, fewest_tickets)) == []
    st = next_level_start(inst, 1, fewest_tickets, "waiting", work=5.0, wall_limit=60.0)
    assert st.value == 100 and st.plan == {0: (0, "self-service"), 1: (1, "self-service")}
    assert check_plan(Plan.from_indices(inst, st.plan)) == []
    assert [p.month for p in st.probes] == [1, 1] and len(st.repairs) == 2


def test_at_the_finish_probes_price_the_plan_in_hand_stays():
    # the twin: priced as the finish probes are, the LP picks the same plan: nothing better
    inst = _price_matters()
    fewest_tickets = {0: (1, "tech-fair"), 1: (0, "self-service")}
    st = next_level_start(inst, 1, fewest_tickets, "waiting", work=5.0, wall_limit=60.0, prices=(1000.0,))
    assert st.value == 500 and st.plan is fewest_tickets


def _worst_at(inst, month: int):
    """The valid plan with the most waiting among those finishing in ``month`` (by enumeration,
    tiny instances only), as group index -> (month, method)."""
    worst, value = None, -1
    for combo in itertools.product([(t, k) for t in range(month + 1) for k in METHODS], repeat=len(inst.groups)):
        plan = dict(enumerate(combo))
        if max(t for t, _ in combo) != month:
            continue
        p = Plan.from_indices(inst, plan)
        if check_plan(p):
            continue
        if p.objective_values()["waiting"] > value:
            worst, value = plan, p.objective_values()["waiting"]
    return worst


def _start_case(seed: int):
    """(instance, optimum, worst plan at the optimal finish, its waiting, the start from it) for
    a random instance with a plan, else None."""
    inst = finish_first_instance(seed)
    best = brute_force(inst)
    if best is None:
        return None
    plan = _worst_at(inst, best[0])
    given = Plan.from_indices(inst, plan).objective_values()["waiting"]
    return inst, best, plan, given, next_level_start(inst, best[0], plan, "waiting", work=5.0, wall_limit=60.0)


@pytest.mark.parametrize("seed", range(30))
def test_next_level_start_never_worse_and_always_valid(seed):
    # From the worst plan at the optimal finish: the start keeps every rule, finishes by the
    # same month, is never worse on waiting than the plan given nor better than the brute-force
    # optimum, and is the same on a rerun.
    case = _start_case(seed)
    if case is None:
        return
    inst, best, plan, given, st = case
    assert check_plan(Plan.from_indices(inst, st.plan)) == []
    assert max(t for t, _ in st.plan.values()) <= best[0]
    assert best[1] <= st.value == Plan.from_indices(inst, st.plan).objective_values()["waiting"] <= given
    again = next_level_start(inst, best[0], plan, "waiting", work=5.0, wall_limit=60.0)
    assert again.plan == st.plan


def test_next_level_start_improves_on_some_worst_plans():
    # Not vacuous: on the same 30 seeds the start beats the worst plan several times, and
    # reaches the brute-force optimum on some.
    cases = [c for c in map(_start_case, range(30)) if c is not None]
    better = [c for c in cases if c[4].value < c[3]]
    optimal = [c for c in cases if c[4].value == c[1][1] < c[3]]
    assert len(cases) >= 10 and len(better) >= 2 and optimal, (len(cases), len(better), len(optimal))


def test_solver_starts_the_level_after_the_finish_from_the_cheaper_ticket_plan(monkeypatch):
    # As a large instance whose later searches are skipped (too little budget to load the
    # model), hinted with the fewest-tickets plan (B first): the finish (1) is proven by the
    # capacity floor, and the level after it keeps the plan of the probes with cheaper tickets
    # (A first, waiting 100, the LP bound); without those probes it keeps the hint (500).
    tuning = replace(DEFAULT_TUNING, large_groups=1, search_load_per_group=1e9)
    inst = _price_matters()
    hint = {0: (1, "tech-fair"), 1: (0, "self-service")}
    res = solve(inst, SolveOptions(tuning=tuning, time_limit=5, workers=2), hint=hint)
    fin, wait = res.levels[0], res.levels[1]
    assert (fin.status, fin.value) == ("optimal", 1)
    assert (wait.value, wait.bound, wait.bound_by) == (100, 100, "lp relaxation")
    assert check_plan(res.plan) == []
    assert [p["ticket_price"] for p in res.model_stats["lp_probes"]] == [100.0, 30.0]
    tuning = replace(tuning, lp_starts=False)
    res = solve(inst, SolveOptions(tuning=tuning, time_limit=5, workers=2), hint=hint)
    assert res.levels[1].value == 500 and "lp_probes" not in res.model_stats


def test_next_level_start_cut_by_the_wall_clock_says_so():
    # Review finding: a start that skipped its probes for want of wall time claimed nothing
    # about it, so a run could say "reproducible" when a faster machine would have done more.
    inst = _price_matters()
    plan = {0: (1, "tech-fair"), 1: (0, "self-service")}
    st = next_level_start(inst, 1, plan, "waiting", work=5.0, wall_limit=0.0)
    assert st.wall_clock and not st.probes and st.plan is plan


def test_ctrl_c_in_the_window_moves_keeps_the_lp_start(monkeypatch):
    # Review finding: interrupted window moves fell back to the finish level's plan (waiting
    # 500) instead of the better start the LP probes had just given (100).
    tuning = replace(DEFAULT_TUNING, large_groups=1)
    monkeypatch.setattr(level_moves_mod, "level_moves", lambda *a, **k: (None, 0.0, True, False))
    res = solve(_price_matters(), SolveOptions(tuning=tuning, time_limit=5, workers=2),
                hint={0: (1, "tech-fair"), 1: (0, "self-service")})
    assert res.interrupted and res.levels[1].value == 100 and check_plan(res.plan) == []


def test_no_lp_starts_where_the_repair_gives_up(monkeypatch):
    # With a limit on platforms a month the repair gives up at once: no probes are spent.
    tuning = replace(DEFAULT_TUNING, large_groups=1)
    inst = _price_matters()
    inst = dataclasses.replace(inst, rules=dataclasses.replace(inst.rules, max_platforms_per_month=2))
    res = solve(inst, SolveOptions(tuning=tuning, time_limit=5, workers=2), hint={0: (1, "tech-fair"), 1: (0, "self-service")})
    assert [p for p in res.model_stats.get("lp_probes", []) if p["ticket_price"] != 1000] == []
    assert check_plan(res.plan) == []


def test_the_lp_start_is_charged_and_handed_to_the_window_moves(monkeypatch):
    # The start's work comes off the level's budget (deterministic seconds, so later levels get
    # the same budget on every run), and its plan is where the window moves start.
    from optimizer.solving.budget import Budget
    from optimizer.solving.lp.finish import Started

    tuning = replace(DEFAULT_TUNING, large_groups=1, lp_only_groups=1)
    better = {0: (0, "self-service"), 1: (1, "self-service")}
    monkeypatch.setattr(steps_mod, "next_level_start",
                        lambda inst, month, plan, level, **k: Started(better, 100, budget=Budget(3.0, True, 0.0, 0.0, 1.0, work=3.0)))
    seen = []

    def moves(inst, start, name, fixed, budget, *a, **k):
        seen.append((name, dict(start), budget))
        return None, 0.1, False, False

    monkeypatch.setattr(level_moves_mod, "level_moves", moves)
    hint = {0: (1, "tech-fair"), 1: (0, "self-service")}

    def waiting_moves():
        seen.clear()
        solve(_price_matters(), SolveOptions(tuning=tuning, time_limit=20, workers=2), hint=hint)
        return [x for x in seen if x[0] == "waiting"]

    (with_start,) = waiting_moves()
    tuning = replace(tuning, lp_starts=False)
    (without,) = waiting_moves()
    assert with_start[1] == better and without[1] == hint
    assert without[2] - with_start[2] == pytest.approx(3.0)

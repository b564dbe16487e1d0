"""Ctrl-C between solver calls (while a model is built, while the first plan is printed), after
the first plan was announced: the planner gets the best plan so far
(checked, marked interrupted), not an exit without one. Each solve path announces its start plan
(greedy, greedy with parts, the previous plan kept where it fits) before building its model, so
Ctrl-C in the seconds a large model takes to build must not lose it."""

from __future__ import annotations

import dataclasses

from optimizer.checker import check_plan
from optimizer.samples import generate
from optimizer.solving.solver import SolveOptions, solve


def _stopped(*_a, **_k):
    raise KeyboardInterrupt


def test_v1_returns_the_announced_greedy_plan(monkeypatch):
    import optimizer.solving.solver as sv
    heard = []
    monkeypatch.setattr(sv, "RolloutModel", _stopped)
    inst = generate(30, 8, seed=2)
    res = solve(inst, SolveOptions(time_limit=20, workers=2, seed=0), progress=lambda *a: heard.append(a))
    assert heard and res.interrupted and res.status == "feasible" and res.plan is not None
    assert check_plan(res.plan) == []
    assert heard[0][1] == res.plan.objective_values()[inst.rules.objective[0]]


def test_split_path_returns_its_best_start(monkeypatch):
    import optimizer.solving.parts as sp
    monkeypatch.setattr(sp, "PartsModel", _stopped)
    inst = generate(30, 8, seed=2)
    groups = tuple(dataclasses.replace(g, max_months=2) if i % 3 == 0 else g for i, g in enumerate(inst.groups))
    inst = dataclasses.replace(inst, groups=groups)
    assert inst.may_split
    res = solve(inst, SolveOptions(time_limit=20, workers=2, seed=0))
    assert res.interrupted and res.status == "feasible" and res.plan is not None
    assert check_plan(res.plan) == []
    assert "Ctrl-C" in res.model_stats["model"]


def test_replan_returns_the_previous_plan_kept_where_it_fits(tmp_path, monkeypatch):
    import optimizer.replan.solve as rs
    from replan_helpers import capacity, replan

    monkeypatch.setattr(rs, "ReplanModel", _stopped)
    groups = "".join(f"{n},100,production,,low,3,self-service,,\n" for n in "ABCD")
    prev = "group,month,method\nA,2027-01,self-service\nB,2027-02,self-service\nC,2027-03,self-service\n" \
           "D,2027-04,self-service\n"
    _inst, _rin, res = replan(tmp_path, groups, prev, "A,2027-01,100,self-service,\n", "2027-03",
                              cap=capacity(helpdesk=30))  # the helper checks the plan with the re-plan checker
    assert res.interrupted and res.status == "feasible"
    assert res.plan.objective_values()["changes"] == 100 and [lv.stopped_by for lv in res.levels] == \
        ["interrupted"] * len(res.levels)


def _ctrl_c_on_first_line():
    """A progress printer that Ctrl-C hits while it prints the first plan (as in a terminal: the
    planner reads the line and presses Ctrl-C before the print has returned)."""
    calls = []

    def printer(*args):
        calls.append(args)
        if len(calls) == 1:
            raise KeyboardInterrupt
    return printer, calls


def test_ctrl_c_while_the_first_plan_is_printed_keeps_it_v1():
    inst = generate(30, 8, seed=2)
    printer, calls = _ctrl_c_on_first_line()
    res = solve(inst, SolveOptions(time_limit=20, workers=2, seed=0), progress=printer)
    assert len(calls) == 1 and res.interrupted and res.plan is not None and check_plan(res.plan) == []
    assert res.plan.objective_values()[inst.rules.objective[0]] == calls[0][1]


def test_ctrl_c_while_the_first_plan_is_printed_keeps_it_split():
    inst = generate(30, 8, seed=2)
    groups = tuple(dataclasses.replace(g, max_months=2) if i % 3 == 0 else g for i, g in enumerate(inst.groups))
    inst = dataclasses.replace(inst, groups=groups)
    printer, calls = _ctrl_c_on_first_line()
    res = solve(inst, SolveOptions(time_limit=20, workers=2, seed=0), progress=printer)
    assert len(calls) == 1 and res.interrupted and res.plan is not None and check_plan(res.plan) == []


def test_ctrl_c_while_the_first_plan_is_printed_keeps_it_replan(tmp_path):
    from optimizer.inputs.loaders import load_instance
    from optimizer.replan.inputs import load_replan_inputs
    from optimizer.replan.solve import solve_replan
    from optimizer.replan.verify import check_replan
    from replan_helpers import capacity, write

    groups = "".join(f"{n},100,production,,low,3,self-service,,\n" for n in "ABCD")
    prev = "group,month,method\nA,2027-01,self-service\nB,2027-02,self-service\nC,2027-03,self-service\n" \
           "D,2027-04,self-service\n"
    f = write(tmp_path, groups, prev, "A,2027-01,100,self-service,\n", cap=capacity(helpdesk=30))
    inst = load_instance(f["groups"], f["capacity"], f["rules"])
    rin = load_replan_inputs(inst, f["previous"], f["actuals"], "2027-03")
    printer, calls = _ctrl_c_on_first_line()
    res = solve_replan(inst, rin, SolveOptions(time_limit=10, workers=2, seed=1), progress=printer)
    assert len(calls) == 1 and res.interrupted and res.plan is not None and check_replan(res.plan, rin) == []

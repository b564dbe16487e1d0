"""An honest time limit (issue 17.11): the CLI's --time-limit is wall-clock seconds for the whole
command. The solver's deterministic budget is a function of the limit and the sizes only (so the
same input and seed still give the same plan), and a wall-clock deadline ends it, marked, with
time left to write."""

from __future__ import annotations

import json
import sys
import time

from click.testing import CliRunner

from optimizer.solving import timelimit
from optimizer.checker import check_plan
from optimizer.cli import main
from optimizer.samples import generate, write_csv
from optimizer.solving.solver import SolveOptions, solve



def test_budget_depends_on_the_limit_and_sizes_only():
    a = timelimit.work_limit(60, 2000, ["p.csv", "p.xlsx"])
    assert a == timelimit.work_limit(60, 2000, ["p.csv", "p.xlsx"])
    assert 0 < a < 60 * timelimit.DET_PER_WALL
    assert timelimit.work_limit(30, 2000, []) < timelimit.work_limit(60, 2000, [])
    assert timelimit.work_limit(60, 20000, ["p.xlsx"]) < timelimit.work_limit(60, 2000, ["p.xlsx"])
    # never nothing: at least MIN_SOLVE_SHARE of the limit
    assert timelimit.work_limit(5, 100000, ["p.xlsx"]) == timelimit.DET_PER_WALL * timelimit.MIN_SOLVE_SHARE * 5
    # the deadline leaves the writing time, counted from the command's start
    assert timelimit.deadline(10, 2000, ["p.xlsx"], started=100.0) == 100.0 + 10 - timelimit.write_reserve(2000, ["p.xlsx"])
    assert timelimit.write_reserve(20000, ["p.xlsx"]) > timelimit.write_reserve(2000, ["p.xlsx"])


def test_process_started_is_before_now():
    assert timelimit.process_started() <= time.perf_counter()


def test_no_time_left_gives_the_greedy_plan_marked():
    # The deadline has passed when the solve starts (loading took the whole limit): the greedy
    # plan is the answer, nothing proven, and the run says it is not reproducible.
    inst = generate(60, 8, 1)
    res = solve(inst, SolveOptions(time_limit=5, deadline=time.perf_counter()))
    assert res.plan is not None and check_plan(res.plan) == []
    assert res.status == "feasible" and not res.reproducible
    assert all(lv.stopped_by == "wall clock" and lv.bound is None for lv in res.levels)
    assert "greedy" in res.model_stats["search"]


def test_deadline_ends_the_solve():
    # A 60 s limit with a deadline 1.5 s away: the solve returns near the deadline (a generous
    # margin for a loaded machine), marked, with a valid plan.
    inst = generate(200, 12, 1)
    t0 = time.perf_counter()
    res = solve(inst, SolveOptions(time_limit=60, workers=2, deadline=t0 + 1.5))
    assert time.perf_counter() - t0 < 1.5 + 4.0
    assert res.plan is not None and check_plan(res.plan) == []
    assert not res.reproducible and any(lv.stopped_by == "wall clock" for lv in res.levels)


def test_cli_records_the_limit_and_the_budget(tmp_path):
    g, c = write_csv(generate(40, 8, 1), tmp_path)
    out = tmp_path / "plan.json"
    r = CliRunner().invoke(main, ["solve", str(g), str(c), "--time-limit", "8", "--workers", "2", "-q",
                                  "--out", str(out)])
    assert r.exit_code == 0, r.output
    data = json.loads(out.read_text())
    assert data["solver"]["time_limit"] == 8
    # the deterministic budget is on record: the limit and the sizes give it, not a clock
    assert data["solver"]["work_limit"] == round(timelimit.work_limit(8, 40, [str(out)]), 3)
    assert data["assignments"]


def test_large_workbooks_reserve_less_per_group():
    # from xlsx_rows.FAST_ROWS_FROM groups the workbook's data rows go the fast way
    from optimizer.render.xlsx_rows import FAST_ROWS_FROM

    below = timelimit.write_reserve(FAST_ROWS_FROM - 1, ["p.xlsx"]) / (FAST_ROWS_FROM - 1)
    above = timelimit.write_reserve(FAST_ROWS_FROM, ["p.xlsx"]) / FAST_ROWS_FROM
    assert above < below


def test_the_clock_starts_with_the_command(monkeypatch):
    # run as `rollout` (or python -m optimizer.cli) the process's start-up counts; inside a
    # longer-lived process (this test run, click's runner) the command starts now, not when
    # the host process did (the baseline scenario then got the greedy plan: no time left)
    now = time.perf_counter()
    assert timelimit.command_started() >= now
    monkeypatch.setattr(sys, "argv", ["/usr/local/bin/rollout", "solve"])
    assert timelimit.command_started() == timelimit.process_started()
    monkeypatch.setattr(sys, "argv", ["/x/optimizer/cli.py", "solve"])
    assert timelimit.command_started() == timelimit.process_started()

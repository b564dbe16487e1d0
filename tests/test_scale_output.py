"""Output is linear in the number of groups (issue 23.3): every renderer (terminal, Markdown,
CSV, JSON, XLSX), the plan's tables and the checker do the same work per group at n and 2n
groups. Counted in lines executed and calls (sys.settrace), never timed: a step that looks up
each group's phase by scanning all groups (Plan.phase, 20,000 groups in 256 s) does four times
the steps at twice the groups."""

from __future__ import annotations

import io
import sys

import pytest
from rich.console import Console

from optimizer.checker import check_plan
from optimizer.render.console import print_result
from optimizer.domain import Group, Instance, Month
from optimizer.render.export import plan_csv, plan_json, plan_markdown
from optimizer.plan import Plan
from optimizer.render.report import count_grid
from optimizer.solving.solver import LevelResult, Result, SolveOptions
from optimizer.render.workbook import plan_workbook

MONTHS = 12


def _case(n: int) -> tuple[Instance, Result]:
    """n one-user groups (a limited pilot, an expanded pilot, production spread over the
    months after them, each production month its own phase) and a valid plan."""
    groups = [Group("pilot", 1, wave="pilot"), Group("expanded", 1, wave="expanded-pilot")]
    groups += [Group(f"g{i}", 1, department=f"d{i % 7}", location=f"site {i % 13}") for i in range(n - 2)]
    months = tuple(Month(f"2027-{t + 1:02d}", helpdesk=n, assisted=n, tech_fair=n) for t in range(MONTHS))
    inst = Instance(tuple(groups), months, name="scale")
    plan = {0: (0, "self-service"), 1: (1, "self-service")}
    plan |= {i: (2 + (i % (MONTHS - 2)), "self-service") for i in range(2, n)}
    p = Plan.from_indices(inst, plan)
    vals = p.objective_values()
    levels = [LevelResult(k, "feasible", v, None, 0.0, "deterministic time") for k, v in vals.items()]
    return inst, Result("feasible", levels, p, 0.0, SolveOptions())


def _steps(fn) -> int:
    """Python lines executed (loop iterations included) plus calls of C functions."""
    count = 0

    def line(frame, event, arg):
        nonlocal count
        count += 1
        return line

    def prof(frame, event, arg):
        nonlocal count
        if event == "c_call":
            count += 1

    sys.settrace(line)
    sys.setprofile(prof)
    try:
        fn()
    finally:
        sys.settrace(None)
        sys.setprofile(None)
    return count


def _terminal(inst, result):
    print_result(Console(file=io.StringIO(), width=200), inst, result)


RENDERERS = {
    "rows": lambda inst, res: res.plan.rows(),
    "table": lambda inst, res: res.plan.table(),
    "method_table": lambda inst, res: res.plan.method_table(),
    "phase_by_group": lambda inst, res: res.plan.phase_by_group(),
    "checker": lambda inst, res: check_plan(res.plan),
    "csv": lambda inst, res: plan_csv(res),
    "markdown": lambda inst, res: plan_markdown(inst, res),
    "json": lambda inst, res: plan_json(inst, res),
    "xlsx": lambda inst, res: plan_workbook(inst, res),
    "terminal": _terminal,
    "count_grid": lambda inst, res: count_grid(res.plan),
}
#: Sizes compared (n, 2n): the terminal lists names up to console.TERMINAL_NAMES_MAX groups and
#: counts above it; both are measured.
SIZES = {"terminal": (400, 800), "terminal_names": (100, 200)}
RENDERERS["terminal_names"] = _terminal


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_renderer_is_linear(name):
    fn = RENDERERS[name]
    n = SIZES.get(name, (300, 600))
    small, large = _case(n[0]), _case(n[1])
    assert check_plan(small[1].plan) == [] and check_plan(large[1].plan) == []
    fn(*small)  # imports and caches out of the count
    a, b = _steps(lambda: fn(*small)), _steps(lambda: fn(*large))
    # linear: about 2x the steps (fixed costs make it less); quadratic would be near 4x
    assert b <= 2.3 * a, f"{name}: {a} steps at {n[0]} groups, {b} at {n[1]} ({b / a:.2f}x)"


def test_phase_by_group_matches_phase():
    inst, res = _case(40)
    by = res.plan.phase_by_group()
    assert by == {g.name: res.plan.phase(g.name) for g in inst.groups}
    assert by["pilot"] == "Limited pilot" and by["expanded"] == "Expanded pilot"
    assert {by[f"g{i}"] for i in range(38)} == {f"Production phase {k}" for k in range(1, MONTHS - 1)}


def test_large_plans_show_counts_in_the_terminal():
    inst, res = _case(400)
    buf = io.StringIO()
    print_result(Console(file=buf, width=200), inst, res)
    out = buf.getvalue()
    assert "g17 " not in out and "400 groups are too many to list here" in out
    header, rows = count_grid(res.plan)
    by_phase = {r[0]: r[1:] for r in rows}
    assert by_phase["Limited pilot"][0] == "1 group (1 user)"
    # every group counted once
    total = sum(int(c.split()[0].replace(",", "")) for r in rows for c in r[1:] if c)
    assert total == 400
    small, res_small = _case(40)
    buf = io.StringIO()
    print_result(Console(file=buf, width=200), small, res_small)
    assert "g17" in buf.getvalue() and "too many to list" not in buf.getvalue()

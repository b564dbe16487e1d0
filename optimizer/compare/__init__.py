"""Compare what-if scenarios side by side.

Every scenario (a TOML file, see :mod:`optimizer.inputs.scenario`) is loaded and solved
with the same options — in parallel processes when ``jobs > 1`` — and the plans
are reduced to a KPI table (one column per scenario, deltas against the first,
the baseline) and the list of groups that moved month or method.

One scenario failing (a bad file, no plan, even a crashed solver process) never
loses the others' results: it gets a one-line reason instead of a plan.

The flow, one module each: :mod:`.runs` (load, and why a scenario has no plan) ->
:mod:`.pool` (solve, in worker processes) -> ``explain_runs`` (name the rules in conflict
of an infeasible scenario: an explicit step, it runs CP-SAT) -> :mod:`.kpis` (the numbers)
(``--stable``: :mod:`.stable` re-plans each scenario against the first one's plan and adds
the users moved) -> :mod:`.words`, :mod:`.render`, :mod:`.workbook` (the outputs) -> :mod:`.write`.
"""

from __future__ import annotations

from optimizer.compare.kpis import (
    HIGH_LOAD,
    Comparison,
    Kpi,
    Move,
    calendar,
    compare,
    exit_code,
    high_load_months,
)
from optimizer.compare.pool import run_scenarios, solve_runs
from optimizer.compare.render import (
    comparison_csv,
    comparison_dict,
    comparison_json,
    comparison_markdown,
    print_comparison,
)
from optimizer.compare.runs import (
    SMALL_GROUPS,
    ScenarioRun,
    default_jobs,
    explain_reason,
    explain_runs,
    fair_workers,
    input_files,
    load_runs,
    no_plan_reason,
)
from optimizer.compare.stable import MISSING as STABLE_MISSING
from optimizer.compare.stable import (
    add_changes_kpi,
    previous_for,
    replan_entry,
    solve_stable,
    users_moved,
)
from optimizer.compare.words import (
    describe_move,
    fmt_cell,
    fmt_delta,
    fmt_value,
    kpi_label,
    kpi_rows,
    status_text,
)
from optimizer.compare.write import check_out_paths, write_comparison, write_comparison_xlsx, writers

__all__ = [
    "HIGH_LOAD", "SMALL_GROUPS", "Comparison", "Kpi", "Move", "ScenarioRun", "calendar", "check_out_paths",
    "compare", "comparison_csv", "comparison_dict", "comparison_json", "comparison_markdown", "default_jobs",
    "describe_move", "exit_code", "explain_reason", "explain_runs", "fair_workers", "fmt_cell", "fmt_delta",
    "fmt_value", "high_load_months", "input_files", "kpi_label", "kpi_rows", "load_runs", "no_plan_reason",
    "print_comparison", "run_scenarios", "solve_runs", "status_text", "write_comparison",
    "write_comparison_xlsx", "writers", "STABLE_MISSING", "add_changes_kpi", "previous_for", "replan_entry",
    "solve_stable", "users_moved",
]

"""Terminal rendering with rich: plan tables, summary, live progress."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table as RichTable

from .checker import Violation
from .domain import RESOURCE_LABELS, RESOURCES, Instance
from .plan import Plan
from .report import count_grid, level_rows, load_rows, method_grid, plan_grid
from .solver import Result


def _grid(title: str, header: list[str], rows: list[list[str]]) -> RichTable:
    t = RichTable(title=title, box=box.SIMPLE_HEAVY, show_lines=False, title_justify="left")
    for i, h in enumerate(header):
        t.add_column(h, style="bold" if i == 0 else None, overflow="fold", no_wrap=i == 0)
    for r in rows:
        sub = r[0].startswith("  ")
        t.add_row(*r, style="dim" if sub else None)
    return t


#: Plans with more groups show counts per phase and month instead of every group's name (the
#: terminal needs seconds per hundred names; 100,000 groups would take hours): the names are in
#: the --out files.
TERMINAL_NAMES_MAX = 300


def print_plan(console: Console, plan: Plan) -> None:
    if len(plan.assignments) > TERMINAL_NAMES_MAX:
        console.print(_grid("Rollout plan (groups and users per phase and month)", *count_grid(plan)))
        console.print(f"{len(plan.assignments):,} groups are too many to list here; every group's month "
                      "and method are in the files --out writes (CSV, XLSX, Markdown, JSON).", highlight=False)
        return
    console.print(_grid("Rollout plan", *plan_grid(plan)))
    console.print(_grid("Rollout plan with enrollment methods", *method_grid(plan)))


def print_levels(console: Console, inst: Instance, result: Result) -> None:
    t = RichTable(title=f"Status: {result.status}" + (" (interrupted)" if result.interrupted else ""),
                  box=box.SIMPLE, title_justify="left")
    for h in ("Objective level", "Status", "Value", "Bound", "Gap", "Seconds"):
        t.add_column(h, justify="left" if h in ("Objective level", "Status") else "right")
    for r in level_rows(result):
        t.add_row(r["level"], r["status"], _s(r["value"]), _s(r["bound"]),
                  "" if r["gap"] is None else f"{100 * r['gap']:.2f} %", f"{r['seconds']:.2f}")
    console.print(t)
    for r in level_rows(result):
        if r["bound_by"] != "lp relaxation":
            continue
        if r["level"] == "finish" and r["status"] == "optimal":
            console.print("finish: proven by the LP relaxation (even with groups split across "
                          "months, no plan finishes a month earlier).")
        elif r["level"] == "finish":
            console.print(f"finish: the LP relaxation rules out every month before "
                          f"{inst.months[r['bound']].label}.")
        else:
            verdict = "proven optimal" if r["status"] == "optimal" else f"bound {_s(r['bound'])}"
            console.print(f"{r['level']}: {verdict} by the LP relaxation (no plan of this finish "
                          f"does better, even with groups split across months).")
    if result.plan:
        console.print(f"Finish month: [bold]{inst.months[result.plan.finish()].label}[/bold]")


def print_loads(console: Console, plan: Plan) -> None:
    t = RichTable(title="Load per month (used / capacity)", box=box.SIMPLE, title_justify="left")
    t.add_column("Month")
    t.add_column("Users", justify="right")
    t.add_column("Cumulative", justify="right")
    for r in RESOURCES:
        t.add_column(RESOURCE_LABELS[r].capitalize(), justify="right")
    for row in load_rows(plan):
        cells = []
        for r in RESOURCES:
            used, cap = row[r], row[f"{r}_capacity"]
            pct = f" ({100 * used / cap:.0f} %)" if cap else ""
            cells.append(f"{used} / {cap}{pct}")
        t.add_row(row["month"], str(row["users"]), str(row["cumulative_users"]), *cells)
    console.print(t)


def print_result(console: Console, inst: Instance, result: Result) -> None:
    if result.plan:
        print_plan(console, result.plan)
    print_levels(console, inst, result)
    if result.plan:
        print_loads(console, result.plan)
    o = result.options
    console.print(
        f"Solved in {result.seconds:.2f} s with OR-Tools CP-SAT {result.ortools_version} "
        f"(seed {o.seed}, {o.workers} workers, time limit {o.time_limit:g} s, "
        f"{'deterministic' if o.deterministic else 'non-deterministic'})."
    )
    if result.model_stats.get("search"):
        console.print("No time was left to search for a better plan: this is the quick (greedy) plan, "
                      "and nothing about it is proven.", highlight=False)
    if o.deterministic and not result.reproducible and not result.interrupted:
        console.print("The time limit ran out on the clock before the planned work was done: "
                      "another run may give another plan.", highlight=False)


def print_violations(console: Console, violations: list[Violation]) -> None:
    if not violations:
        console.print("[green]The plan is valid: it keeps every rule.[/green]")
        return
    console.print(f"[red]The plan breaks {len(violations)} rule(s):[/red]")
    for v in violations:
        console.print(f"  - {v.message} [dim]({v.rule})[/dim]", highlight=False)


def _s(v) -> str:
    return "" if v is None else str(v)


class ProgressPrinter:
    """Prints each improving solution: level, objective, bound, time."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def __call__(self, level: str, value: float, bound: float, seconds: float) -> None:
        # bound is NaN for plans from window moves (they prove nothing)
        b = "–" if bound != bound else f"{bound:.0f}"
        self.console.print(
            f"  [dim]{level}: objective {value:.0f}, bound {b} ({seconds:.2f} s)[/dim]",
            highlight=False,
        )


def print_explanation(console: Console, explanation) -> None:
    """Why there is no plan: the conflicting rules and the verified repairs."""
    from rich.markup import escape

    console.print("[bold red]Why there is no plan[/bold red]")
    if explanation.summary:
        console.print("  " + escape(explanation.summary), highlight=False)
    if explanation.conflicts:
        console.print("  " + explanation.intro)
        for c in explanation.conflicts:
            console.print(f"   - {escape(c.message)}  [dim]\\[{c.rule}][/dim]", highlight=False)
    if explanation.repairs:
        console.print("  Each of these changes gives a plan (smallest first):")
        for r in explanation.repairs:
            console.print(f"   + {escape(r.description)}", highlight=False)
    elif explanation.conflicts:
        console.print("  No single change of one input was found that gives a plan; change several.")
    if explanation.note:
        console.print(f"  [dim]{escape(explanation.note)}[/dim]", highlight=False)

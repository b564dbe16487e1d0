"""Terminal rendering with rich: plan tables, summary, live progress."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table as RichTable

from .checker import Violation
from .domain import RESOURCE_LABELS, RESOURCES, Instance
from .plan import Plan
from .report import level_rows, load_rows, method_grid, plan_grid
from .solver import Result


def _grid(title: str, header: list[str], rows: list[list[str]]) -> RichTable:
    t = RichTable(title=title, box=box.SIMPLE_HEAVY, show_lines=False, title_justify="left")
    for i, h in enumerate(header):
        t.add_column(h, style="bold" if i == 0 else None, overflow="fold", no_wrap=i == 0)
    for r in rows:
        sub = r[0].startswith("  ")
        t.add_row(*r, style="dim" if sub else None)
    return t


def print_plan(console: Console, plan: Plan) -> None:
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


#: control characters (newlines, tabs, escapes) shown as spaces in wrapped user text
_CONTROL_TO_SPACE = {c: " " for c in [*range(32), 127]}


def print_wrapped(console: Console, prefix: str, text) -> None:
    """One paragraph (a str or rich Text, always shown as text, never markup) wrapped to the
    console's width, continuation lines indented under the text; control characters as spaces."""
    import textwrap

    from rich.text import Text

    text = Text(text) if isinstance(text, str) else text.copy()
    text.plain = text.plain.translate(_CONTROL_TO_SPACE)  # same length: the styles stay in place
    width = max(20, console.width - len(prefix))
    pos = 0
    for i, part in enumerate(textwrap.wrap(text.plain, width, break_on_hyphens=False) or [""]):
        start = text.plain.index(part, pos)
        pos = start + len(part)
        console.print(Text(prefix if i == 0 else " " * len(prefix)) + text[start:pos], highlight=False)


def print_explanation(console: Console, explanation) -> None:
    """Why there is no plan: every conflict with its rules and verified repairs, and the
    combined repair (``Explanation.lines``), through :func:`print_wrapped`."""
    from rich.text import Text

    def line(prefix: str, text: Text) -> None:
        print_wrapped(console, prefix, text)

    console.print("[bold red]Why there is no plan[/bold red]")
    indent = "    " if len(explanation.sets) > 1 else "  "
    for kind, text, rule in explanation.lines():
        if kind == "heading":
            line("  ", Text(text, style="bold"))
        elif kind in ("summary", "intro", "repairs"):
            line(indent, Text(text))
        elif kind == "rule":
            line(indent + " - ", Text(text + "  ").append(f"[{rule}]", style="dim"))
        elif kind == "more":
            line(indent + "   ", Text(text, style="dim"))
        elif kind == "repair":
            line(indent + " + ", Text(text))
        elif kind == "step":
            number, _, rest = text.partition(" ")
            line(f"    {number} ", Text(rest))
        elif kind == "note":
            line("  ", Text(text, style="dim"))
        else:  # the count of conflicts, the combined repair's sentence
            line("  ", Text(text))

"""Terminal rendering with rich: plan tables, summary, live progress."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable

from .checker import Violation
from . import i18n
from .answer import key_figures, one_line, quality
from .domain import METHODS, RESOURCES, Instance
from .i18n import _
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


#: Width a month column needs to stay readable; narrower consoles get one line per month.
MONTH_COLUMN = 16
PHASE_COLUMN = 24


def fits_across(console: Console, months: int) -> bool:
    """Whether the phases x months table fits the console (else: shown transposed)."""
    return console.width >= PHASE_COLUMN + MONTH_COLUMN * months


def month_rows(plan: Plan) -> list[list[str]]:
    """The plan transposed: per month its phases, each with its groups (users) and method
    sub-rows (the guide's second table, turned a quarter) -- for narrow terminals."""
    inst = plan.inst
    rows: list[list[str]] = []
    for t, m in enumerate(inst.months):
        first = True
        for phase, by_method in plan.method_table().items():
            names = [n for k in METHODS for n in by_method[k][t]]
            if not names:
                continue
            cells = plan.table()[phase][t]
            rows.append([i18n.month(m.label) if first else "", i18n.phase(phase), escape(", ".join(cells))])
            first = False
            for k in METHODS:
                if by_method[k][t]:
                    rows.append(["", "  " + i18n.method(k), escape(", ".join(by_method[k][t]))])
        if first:
            rows.append([i18n.month(m.label), "", ""])
    return rows


def print_plan(console: Console, plan: Plan) -> None:
    if fits_across(console, plan.inst.horizon):
        console.print(_grid(_("Rollout plan"), *plan_grid(plan)))
        console.print(_grid(_("Rollout plan with enrollment methods"), *method_grid(plan)))
        return
    t = RichTable(title=_("Rollout plan"), box=box.SIMPLE_HEAVY, title_justify="left")
    t.add_column(_("Month"), style="bold", no_wrap=True)
    t.add_column(_("Phase / method"), no_wrap=True)
    t.add_column(_("Groups"), overflow="fold")
    for r in month_rows(plan):
        t.add_row(*r, style="dim" if r[1].startswith("  ") else None)
    console.print(t)


def print_levels(console: Console, inst: Instance, result: Result) -> None:
    """The solver's view (shown with -v): each objective level with its bound and gap."""
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


def print_key_figures(console: Console, inst: Instance, result: Result) -> None:
    t = RichTable(title=_("Key figures"), box=box.SIMPLE, title_justify="left", show_header=False)
    t.add_column(overflow="fold")
    t.add_column(justify="right", no_wrap=True)
    for name, value in key_figures(inst, result):
        t.add_row(name, value)
    console.print(t)


def print_loads(console: Console, plan: Plan) -> None:
    rows = load_rows(plan)
    # a resource without capacity or load in any month (no tech fairs planned) is left out
    shown = [r for r in RESOURCES if any(row[r] or row[f"{r}_capacity"] for row in rows)]
    body = []
    for row in rows:
        cells = [i18n.month(row["month"]), i18n.number(row["users"]), i18n.number(row["cumulative_users"])]
        for r in shown:
            used, cap = row[r], row[f"{r}_capacity"]
            pct = f" ({i18n.percent(used / cap)})" if cap else ""
            cells.append(f"{i18n.number(used)} / {i18n.number(cap)}{pct}")
        body.append(cells)
    t = RichTable(title=_("Load per month (used / capacity)"), box=box.SIMPLE, title_justify="left", pad_edge=False)
    header = [_("Month"), _("Users"), _("Cumulative")] + [i18n.resource(r) for r in shown]
    # a cell is never broken (a header may wrap between words): each column as wide as its widest
    # cell or header word; on a narrow console the cumulative column goes first
    widths = [max([len(c[i]) for c in body] + [len(w) for w in h.split()]) for i, h in enumerate(header)]
    if sum(widths) + 2 * len(widths) > console.width:
        del header[2], widths[2]
        body = [c[:2] + c[3:] for c in body]
    for i, h in enumerate(header):
        t.add_column(h, justify="left" if i == 0 else "right", width=widths[i])
    for cells in body:
        t.add_row(*cells)
    console.print(t)


def print_answer(console: Console, inst: Instance, result: Result, *, wrap: bool = False) -> None:
    """The one-line answer: all that ``-q`` prints besides errors (one line, for scripts), or the
    first lines of the full output (``wrap``: between words, to the console's width)."""
    console.print(one_line(inst, result), highlight=False, markup=False, soft_wrap=not wrap)


def print_result(console: Console, inst: Instance, result: Result, *, verbose: int = 0) -> None:
    print_answer(console, inst, result, wrap=True)
    if result.plan:
        console.print(quality(result), highlight=False, markup=False)
        print_plan(console, result.plan)
        print_key_figures(console, inst, result)
    if verbose:
        print_levels(console, inst, result)
    if result.plan:
        print_loads(console, result.plan)
    o = result.options
    if verbose:
        console.print(
            f"Solved in {result.seconds:.2f} s with OR-Tools CP-SAT {result.ortools_version} "
            f"(seed {o.seed}, {o.workers} workers, time limit {o.time_limit:g} s, "
            f"{'deterministic' if o.deterministic else 'non-deterministic'})."
        )
    else:
        console.print(_("Planned in {seconds} s.").format(seconds=i18n.decimal(result.seconds)), highlight=False)


def print_violations(console: Console, violations: list[Violation]) -> None:
    if not violations:
        console.print("[green]" + _("The plan is valid: it keeps every rule.") + "[/green]")
        return
    console.print("[red]" + i18n.ngettext("The plan breaks {n} rule:", "The plan breaks {n} rules:",
                                          len(violations)).format(n=len(violations)) + "[/red]")
    for v in violations:
        console.print(f"  - {escape(i18n.translate_error(v.message))} [dim]({v.rule})[/dim]", highlight=False)


def _s(v) -> str:
    return "" if v is None else str(v)


class ProgressPrinter:
    """Prints each better plan as it is found: in plain words, or (``verbose``) the level's
    objective, bound and time."""

    def __init__(self, console: Console, verbose: int = 0, months: list[str] | None = None) -> None:
        self.console = console
        self.verbose = verbose
        self.months = months or []

    def __call__(self, level: str, value: float, bound: float, seconds: float) -> None:
        if self.verbose:
            # bound is NaN for plans from window moves (they prove nothing)
            b = "–" if bound != bound else f"{bound:.0f}"
            self.console.print(f"  [dim]{level}: objective {value:.0f}, bound {b} ({seconds:.2f} s)[/dim]",
                               highlight=False)
            return
        v = int(round(value))
        shown = i18n.month(self.months[v]) if level == "finish" and 0 <= v < len(self.months) else i18n.number(v)
        self.console.print("  [dim]" + escape(_("better plan: {kpi} {value}").format(
            kpi=i18n.level(level), value=shown)) + "[/dim]", highlight=False, soft_wrap=True)


def print_explanation(console: Console, explanation) -> None:
    """Why there is no plan: the conflicting rules and the verified repairs."""
    console.print("[bold red]" + _("Why there is no plan") + "[/bold red]")
    if explanation.summary:
        console.print("  " + escape(i18n.translate_error(explanation.summary)), highlight=False)
    if explanation.conflicts:
        console.print("  " + escape(i18n.translate_error(explanation.intro)), highlight=False)
        for c in explanation.conflicts:
            console.print(f"   - {escape(i18n.translate_error(c.message))}  [dim]\\[{c.rule}][/dim]",
                          highlight=False)
    if explanation.repairs:
        console.print("  " + _("Each of these changes gives a plan (smallest first):"), highlight=False)
        for r in explanation.repairs:
            console.print(f"   + {escape(i18n.translate_error(r.description))}", highlight=False)
    elif explanation.conflicts:
        console.print("  " + _("No single change of one input was found that gives a plan; change several."),
                      highlight=False)
    if explanation.note:
        console.print(f"  [dim]{escape(i18n.translate_error(explanation.note))}[/dim]", highlight=False)

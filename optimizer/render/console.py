"""Terminal rendering with rich: plan tables, summary, live progress.

User text (group names, departments, file names, scenario names, messages that quote
them) is only ever text on the terminal, by one rule: it reaches rich as a ``Text``
built by :func:`text` — never parsed as markup (``[/x]``, ``Retail [north]``) or emoji
codes (``:fire:``), with control characters made visible (``\\x1b``, see
:mod:`optimizer.render.safetext`). Styles are given as ``style=``, never as markup. The
command line prints on a :class:`SafeConsole`, which holds to the same rule for any
plain string and ends quietly when its reader goes away (``rollout solve | head``).
"""

from __future__ import annotations

import contextlib
import os

from rich import box
from rich.console import Console
from rich.style import Style
from rich.table import Table as RichTable
from rich.text import Text

from optimizer import i18n
from optimizer.render.answer import key_figures, one_line, quality
from optimizer.checker import Violation
from optimizer.domain import METHODS, RESOURCES, Instance
from optimizer.i18n import _
from optimizer.plan import Plan
from optimizer.render.report import count_grid, level_rows, load_rows, method_grid, plan_grid
from optimizer.render.safetext import visible
from optimizer.solving.solver import Result


def text(*parts: str | tuple[str, str | Style], style: str | Style = "") -> Text:
    """User text as a rich ``Text``: never markup or emoji, control characters visible.

    ``parts`` are strings or ``(string, style)`` pairs, joined: ``text(("Error:", "red"), " ", msg)``."""
    out = Text(style=style)
    for p in parts:
        if isinstance(p, tuple):
            out.append(visible(p[0]), style=p[1])
        else:
            out.append(visible(p))
    return out


class SafeConsole(Console):
    """A rich console on which every string is plain text.

    No markup, emoji or highlighting; control characters in any string are made visible
    before layout. When the reader of its stream goes away (a closed pipe: ``| head``),
    printing stops quietly: the stream is pointed at the null device so that Python's
    final flush raises nothing, and the command goes on to its exit code."""

    def __init__(self, **kwargs) -> None:
        kwargs.update(markup=False, emoji=False, highlight=False)
        super().__init__(**kwargs)
        self.closed = False

    def render_str(self, text: str, **kwargs) -> Text:  # type: ignore[override]
        kwargs.update(markup=False, emoji=False)
        return super().render_str(visible(text), **kwargs)

    def print(self, *objects, **kwargs) -> None:  # type: ignore[override]
        if self.closed:
            return
        try:
            super().print(*objects, **kwargs)
        except BrokenPipeError:  # rich before 13.8 lets it through
            self.on_broken_pipe()

    def on_broken_pipe(self) -> None:
        """The reader has gone: stop printing (rich's own handler would exit 1)."""
        self.closed = self.quiet = True
        to_null(self.file)


def to_null(stream) -> None:
    """Point ``stream``'s file descriptor at the null device (its reader has gone)."""
    with contextlib.suppress(Exception):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, stream.fileno())
        os.close(null)


def make_console(*, stderr: bool = False) -> SafeConsole:
    """The command line's console, standard output or standard error: the terminal's width;
    piped, $COLUMNS or 80 (the tables fit it: the plan turns to one line per month, see
    :func:`print_plan`)."""
    return SafeConsole(stderr=stderr)


def print_error(err: object) -> None:
    """A bad-input error on standard error, in one paragraph: ``Error: <message>``."""
    make_console(stderr=True).print(text((_("Error:"), "red"), f" {err}"), soft_wrap=True)


def _grid(title: str, header: list[str], rows: list[list[str]]) -> RichTable:
    t = RichTable(title=title, box=box.SIMPLE_HEAVY, show_lines=False, title_justify="left")
    for i, h in enumerate(header):
        t.add_column(text(h), style="bold" if i == 0 else None, overflow="fold", no_wrap=i == 0)
    for r in rows:
        sub = r[0].startswith("  ")
        t.add_row(*(text(c) for c in r), style="dim" if sub else None)
    return t


#: Plans with more groups show counts per phase and month instead of every group's name (the
#: terminal needs seconds per hundred names; 100,000 groups would take hours): the names are in
#: the --out files.
TERMINAL_NAMES_MAX = 300


#: Width a month column needs to stay readable; narrower consoles get one line per month.
MONTH_COLUMN = 16
PHASE_COLUMN = 24


def fits_across(console: Console, months: int) -> bool:
    """Whether the phases x months table fits the console (else: shown transposed)."""
    return console.width >= PHASE_COLUMN + MONTH_COLUMN * months


def month_cell(plan: Plan, t: int) -> str:
    """Month t as a row label; marked done in a re-plan's history (before its as-of month)."""
    label = i18n.month(plan.inst.months[t].label)
    return label + " " + _("(done)") if t < getattr(plan, "as_of", 0) else label


def month_rows(plan: Plan) -> list[list[str]]:
    """The plan transposed: per month its phases, each with its groups (users) and method
    sub-rows (the guide's second table, turned a quarter) -- for narrow terminals."""
    inst = plan.inst
    table, by_phase = plan.table(), plan.method_table()
    rows: list[list[str]] = []
    for t, m in enumerate(inst.months):
        first = True
        for phase, by_method in by_phase.items():
            if not any(by_method[k][t] for k in METHODS):
                continue
            rows.append([month_cell(plan, t) if first else "", i18n.phase(phase), ", ".join(table[phase][t])])
            first = False
            for k in METHODS:
                if by_method[k][t]:
                    rows.append(["", "  " + i18n.method(k), ", ".join(by_method[k][t])])
        if first:
            rows.append([month_cell(plan, t), "", ""])
    return rows


def print_plan(console: Console, plan: Plan) -> None:
    """The guide's two tables (phases x months) when the months fit across the console;
    else one table with a line per month (month, phase and method, groups). Over
    TERMINAL_NAMES_MAX groups: the number of groups and users per phase and month."""
    if len(plan.assignments) > TERMINAL_NAMES_MAX:
        console.print(_grid(_("Rollout plan (groups and users per phase and month)"), *count_grid(plan)))
        console.print(text(_("{n} groups are too many to list here; every group's month and method are in the "
                             "files --out writes (CSV, XLSX, Markdown, JSON).").format(n=i18n.number(len(plan.assignments)))))
        return
    if fits_across(console, plan.inst.horizon):
        console.print(_grid(_("Rollout plan"), *plan_grid(plan)))
        console.print(_grid(_("Rollout plan with enrollment methods"), *method_grid(plan)))
        return
    t = RichTable(title=_("Rollout plan"), box=box.SIMPLE_HEAVY, title_justify="left")
    t.add_column(_("Month"), style="bold", no_wrap=True)
    t.add_column(_("Phase / method"), no_wrap=True)
    t.add_column(_("Groups"), overflow="fold")
    for r in month_rows(plan):
        t.add_row(*(text(c) for c in r), style="dim" if r[1].startswith("  ") else None)
    console.print(t)


def print_levels(console: Console, inst: Instance, result: Result) -> None:
    """The solver's view (shown with -v): each objective level with its bound and gap."""
    t = RichTable(title=text(f"Status: {result.status}" + (" (interrupted)" if result.interrupted else "")),
                  box=box.SIMPLE, title_justify="left")
    for h in ("Objective level", "Status", "Value", "Bound", "Gap", "Seconds"):
        t.add_column(h, justify="left" if h in ("Objective level", "Status") else "right")
    for r in level_rows(result):
        t.add_row(text(r["level"]), text(r["status"]), _s(r["value"]), _s(r["bound"]),
                  "" if r["gap"] is None else f"{100 * r['gap']:.2f} %", f"{r['seconds']:.2f}")
    console.print(t)
    for r in level_rows(result):
        if r["bound_by"] != "lp relaxation":
            continue
        if r["level"] == "finish" and r["status"] == "optimal":
            console.print(text("finish: proven by the LP relaxation (even with groups split across "
                               "months, no plan finishes a month earlier)."))
        elif r["level"] == "finish":
            console.print(text(f"finish: the LP relaxation rules out every month before "
                               f"{inst.months[r['bound']].label}."))
        else:
            verdict = "proven optimal" if r["status"] == "optimal" else f"bound {_s(r['bound'])}"
            console.print(text(f"{r['level']}: {verdict} by the LP relaxation (no plan of this finish "
                               f"does better, even with groups split across months)."))


def print_key_figures(console: Console, inst: Instance, result: Result) -> None:
    t = RichTable(title=_("Key figures"), box=box.SIMPLE, title_justify="left", show_header=False)
    t.add_column(overflow="fold")
    t.add_column(justify="right", no_wrap=True)
    for name, value in key_figures(inst, result):
        t.add_row(text(name), text(value))
    console.print(t)


def print_loads(console: Console, plan: Plan) -> None:
    rows = load_rows(plan)
    # a resource without capacity or load in any month (no tech fairs planned) is left out
    shown = [r for r in RESOURCES if any(row[r] or row[f"{r}_capacity"] for row in rows)]
    body = []
    for row in rows:
        cells = [visible(i18n.month(row["month"])), i18n.number(row["users"]), i18n.number(row["cumulative_users"])]
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
        t.add_row(*(text(c) for c in cells))
    console.print(t)


def print_answer(console: Console, inst: Instance, result: Result, *, wrap: bool = False) -> None:
    """The one-line answer: all that ``-q`` prints besides errors (one line, for scripts), or the
    first lines of the full output (``wrap``: between words, to the console's width)."""
    console.print(text(one_line(inst, result)), soft_wrap=not wrap)


def print_result(console: Console, inst: Instance, result: Result, *, verbose: int = 0) -> None:
    """The one-line answer, how good the plan is, the plan, the key figures and the load per
    month; with ``verbose`` the solver's levels (bounds, gaps) and settings too."""
    print_answer(console, inst, result, wrap=True)
    if result.plan:
        console.print(text(quality(result)))
        print_plan(console, result.plan)
        print_key_figures(console, inst, result)
    if verbose:
        print_levels(console, inst, result)
    if result.plan:
        print_loads(console, result.plan)
    o = result.options
    if verbose:
        console.print(text(
            f"Solved in {result.seconds:.2f} s with OR-Tools CP-SAT {result.ortools_version} "
            f"(seed {o.seed}, {o.workers} workers, time limit {o.time_limit:g} s, "
            f"{'deterministic' if o.deterministic else 'non-deterministic'})."
        ))
    else:
        console.print(text(_("Planned in {seconds} s.").format(seconds=i18n.decimal(result.seconds))))
    if result.model_stats.get("search"):
        console.print(text(_("No time was left to search for a better plan: this is the quick (greedy) plan, "
                             "and nothing about it is proven.")))
    if o.deterministic and not result.reproducible and not result.interrupted:
        console.print(text(_("The time limit ran out on the clock before the planned work was done: "
                             "another run may give another plan.")))


def print_violations(console: Console, violations: list[Violation]) -> None:
    if not violations:
        console.print(text((_("The plan is valid: it keeps every rule."), "green")))
        return
    console.print(text((i18n.ngettext("The plan breaks {n} rule:", "The plan breaks {n} rules:",
                                      len(violations)).format(n=len(violations)), "red")))
    for v in violations:
        console.print(text(f"  - {i18n.translate_error(v.message)} ", (f"({v.rule})", "dim")))


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
            self.console.print(text(f"  {level}: objective {value:.0f}, bound {b} ({seconds:.2f} s)", style="dim"))
            return
        v = int(round(value))
        shown = i18n.month(self.months[v]) if level == "finish" and 0 <= v < len(self.months) else i18n.number(v)
        self.console.print(text("  " + _("better plan: {kpi} {value}").format(kpi=i18n.level(level), value=shown),
                                style="dim"), soft_wrap=True)


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

    def line(prefix: str, words: Text) -> None:
        print_wrapped(console, prefix, words)

    console.print(text((_("Why there is no plan"), "bold red")))
    indent = "    " if len(explanation.sets) > 1 else "  "
    for kind, words, rule in explanation.lines():
        words = i18n.translate_error(words)
        if kind == "heading":
            line("  ", Text(words, style="bold"))
        elif kind in ("summary", "intro", "repairs"):
            line(indent, Text(words))
        elif kind == "rule":
            line(indent + " - ", Text(words + "  ").append(f"[{rule}]", style="dim"))
        elif kind == "more":
            line(indent + "   ", Text(words, style="dim"))
        elif kind == "repair":
            line(indent + " + ", Text(words))
        elif kind == "step":
            number, _sep, rest = words.partition(" ")
            line(f"    {number} ", Text(rest))
        elif kind == "note":
            line("  ", Text(words, style="dim"))
        else:  # the count of conflicts, the combined repair's sentence
            line("  ", Text(words))

"""Terminal rendering with rich: plan tables, summary, live progress.

User text (group names, departments, file names, scenario names, messages that quote
them) is only ever text on the terminal, by one rule: it reaches rich as a ``Text``
built by :func:`text` — never parsed as markup (``[/x]``, ``Retail [north]``) or emoji
codes (``:fire:``), with control characters made visible (``\\x1b``, see
:mod:`optimizer.safetext`). Styles are given as ``style=``, never as markup. The
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

from .checker import Violation
from .domain import RESOURCE_LABELS, RESOURCES, Instance
from .plan import Plan
from .report import count_grid, level_rows, load_rows, method_grid, plan_grid
from .safetext import visible
from .solver import Result


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
    """The command line's console: standard output (wide when not a terminal, so piped
    tables do not wrap) or standard error."""
    c = SafeConsole(stderr=stderr)
    if not stderr and not c.is_terminal:
        c = SafeConsole(width=200)
    return c


def print_error(err: object) -> None:
    """A bad-input error on standard error, in one paragraph: ``Error: <message>``."""
    make_console(stderr=True).print(text(("Error:", "red"), f" {err}"), soft_wrap=True)


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


def print_plan(console: Console, plan: Plan) -> None:
    if len(plan.assignments) > TERMINAL_NAMES_MAX:
        console.print(_grid("Rollout plan (groups and users per phase and month)", *count_grid(plan)))
        console.print(f"{len(plan.assignments):,} groups are too many to list here; every group's month "
                      "and method are in the files --out writes (CSV, XLSX, Markdown, JSON).", highlight=False)
        return
    console.print(_grid("Rollout plan", *plan_grid(plan)))
    console.print(_grid("Rollout plan with enrollment methods", *method_grid(plan)))


def print_levels(console: Console, inst: Instance, result: Result) -> None:
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
    if result.plan:
        console.print(text("Finish month: ", (inst.months[result.plan.finish()].label, "bold")))


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
        t.add_row(text(row["month"]), str(row["users"]), str(row["cumulative_users"]), *cells)
    console.print(t)


def print_result(console: Console, inst: Instance, result: Result) -> None:
    if result.plan:
        print_plan(console, result.plan)
    print_levels(console, inst, result)
    if result.plan:
        print_loads(console, result.plan)
    o = result.options
    console.print(text(
        f"Solved in {result.seconds:.2f} s with OR-Tools CP-SAT {result.ortools_version} "
        f"(seed {o.seed}, {o.workers} workers, time limit {o.time_limit:g} s, "
        f"{'deterministic' if o.deterministic else 'non-deterministic'})."
    ))
    if result.model_stats.get("search"):
        console.print(text("No time was left to search for a better plan: this is the quick (greedy) plan, "
                           "and nothing about it is proven."))
    if o.deterministic and not result.reproducible and not result.interrupted:
        console.print(text("The time limit ran out on the clock before the planned work was done: "
                           "another run may give another plan."))


def print_violations(console: Console, violations: list[Violation]) -> None:
    if not violations:
        console.print(text(("The plan is valid: it keeps every rule.", "green")))
        return
    console.print(text((f"The plan breaks {len(violations)} rule(s):", "red")))
    for v in violations:
        console.print(text(f"  - {v.message} ", (f"({v.rule})", "dim")))


def _s(v) -> str:
    return "" if v is None else str(v)


class ProgressPrinter:
    """Prints each improving solution: level, objective, bound, time."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def __call__(self, level: str, value: float, bound: float, seconds: float) -> None:
        # bound is NaN for plans from window moves (they prove nothing)
        b = "–" if bound != bound else f"{bound:.0f}"
        self.console.print(text(f"  {level}: objective {value:.0f}, bound {b} ({seconds:.2f} s)", style="dim"))


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

    console.print(text(("Why there is no plan", "bold red")))
    indent = "    " if len(explanation.sets) > 1 else "  "
    for kind, words, rule in explanation.lines():
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
            number, _, rest = words.partition(" ")
            line(f"    {number} ", Text(rest))
        elif kind == "note":
            line("  ", Text(words, style="dim"))
        else:  # the count of conflicts, the combined repair's sentence
            line("  ", Text(words))

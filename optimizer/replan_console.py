"""A re-plan's own sections in the terminal: "What changed" and the ticket rates (plain text
cells: group names are the planner's text, never markup)."""

from __future__ import annotations

from rich.console import Console

from .changes import GroupChange  # noqa: F401  (the rows' source, for readers)
from .console import _grid, text
from .domain import Instance
from .i18n import _
from .replan_text import change_rows, rate_rows


def print_replan(console: Console, inst: Instance, rep) -> None:
    """The "What changed" table (or that nothing changed) and the ticket-rate table."""
    if rep.changes_level is not None:
        if rep.changes:
            console.print(_grid(_("What changed"), *change_rows(inst, rep.changes, rep.inputs.as_of)))
        else:
            console.print(text(_("Nothing changed: every group keeps the month and method of the previous plan.")))
    console.print(_grid(_("Ticket rates"), *rate_rows(rep.inputs.rates)))

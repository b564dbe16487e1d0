"""A re-plan's own sections in the terminal: "What changed" and the ticket rates (plain text
cells: group names are the planner's text, never markup)."""

from __future__ import annotations

from rich.console import Console

from optimizer.render.console import _grid, text
from optimizer.domain import Instance
from optimizer.i18n import _
from optimizer.replan.text import change_rows, rate_rows


def print_replan(console: Console, inst: Instance, rep) -> None:
    """The "What changed" table (or that nothing changed) and the ticket-rate table."""
    if rep.changes_level is not None:
        if rep.changes:
            console.print(_grid(_("What changed"), *narrow_rows(*change_rows(inst, rep.changes, rep.inputs.as_of))))
        else:
            console.print(text(_("Nothing changed: every group keeps the month and method of the previous plan.")))
    console.print(_grid(_("Ticket rates"), *rate_rows(rep.inputs.rates)))


def narrow_rows(header: list[str], rows: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    """The "what changed" table in four columns for an 80-column terminal: each method beside its
    months ("2027-10 (self-service)"), not in columns of its own."""
    def cell(months: str, method: str) -> str:
        return f"{months} ({method})" if method and method != "-" else months
    return ([header[0], header[1], header[2], header[5]],
            [[r[0], cell(r[1], r[3]), cell(r[2], r[4]), r[5]] for r in rows])

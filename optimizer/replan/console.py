"""A re-plan's own sections in the terminal: "What changed" and the ticket rates (plain text
cells: group names are the planner's text, never markup)."""

from __future__ import annotations

from rich.console import Console

from optimizer import i18n
from optimizer.render.console import _grid, print_wrapped, text
from optimizer.domain import Instance
from optimizer.i18n import _
from optimizer.replan.observed_rates import MIN_USERS, ObservedRates
from optimizer.replan.text import change_rows


def print_replan(console: Console, inst: Instance, rep) -> None:
    """The "What changed" table (or that nothing changed) and the ticket-rate table."""
    if rep.changes_level is not None:
        if rep.changes:
            console.print(_grid(_("What changed"), *narrow_rows(*change_rows(inst, rep.changes, rep.inputs.as_of))))
        else:
            console.print(text(_("Nothing changed: every group keeps the month and method of the previous plan.")))
    console.print(_grid(_("Ticket rates"), *narrow_rate_rows(rep.inputs.rates)))
    for note in rate_notes(rep.inputs.rates):
        print_wrapped(console, "  ", note)


def narrow_rows(header: list[str], rows: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    """The "what changed" table in four columns for an 80-column terminal: each method beside its
    months ("2027-10 (self-service)"), not in columns of its own."""
    def cell(months: str, method: str) -> str:
        return f"{months} ({method})" if method and method != "-" else months
    return ([header[0], header[1], header[2], header[5]],
            [[r[0], cell(r[1], r[3]), cell(r[2], r[4]), r[5]] for r in rows])


def narrow_rate_rows(rates: ObservedRates) -> tuple[list[str], list[list[str]]]:
    """The ticket-rate table with short cells for an 80-column terminal: numbers, and "yes" / "no"
    for the use of the observed rate, the reasons in :func:`rate_notes` below the table (the
    Markdown and the workbook have the reasons in the table)."""
    header = [_("Method"), _("Planned per 100 users"), _("Observed per 100 users"), _("Enrolled users"),
              _("Used from now")]
    rows = [[i18n.method(m.method), i18n.number(m.planned),
             "-" if m.observed is None else i18n.decimal(float(m.observed), 1), i18n.number(m.users),
             _("yes") if m.used else _("no")] for m in rates.methods]
    return header, rows


def rate_notes(rates: ObservedRates) -> list[str]:
    """Why an observed rate is not used, once per reason, in the words of the full table."""
    notes = []
    few = [i18n.method(m.method) for m in rates.methods if not m.used and not m.enough_users]
    idle = [i18n.method(m.method) for m in rates.methods if not m.used and m.enough_users]
    if idle:
        notes.append(_("{methods}: the planned rate stays; give --observed-rates to plan the coming months "
                       "with the observed rate.").format(methods=", ".join(idle)))
    if few:
        notes.append(_("{methods}: fewer than {n} enrolled users, too few for an observed rate: the planned "
                       "rate stays.").format(methods=", ".join(few), n=MIN_USERS))
    return notes

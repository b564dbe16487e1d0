"""The re-plan's "what changed" list and ticket-rate report as text a planner reads, in the
current language (:mod:`optimizer.i18n`), and as language-neutral data for JSON.

No I/O and no markup: the cells are plain text, for the terminal table, the Markdown table and
the workbook's Changes sheet alike (each renderer escapes them its own way: group names are the
planner's text and are never markup).
"""

from __future__ import annotations

from typing import Any

from optimizer import i18n
from optimizer.replan.changes import GroupChange
from optimizer.domain import Instance
from optimizer.replan.history import Part
from optimizer.i18n import _, ngettext
from optimizer.replan.observed_rates import MIN_USERS, ObservedRates


def parts_text(inst: Instance, parts: tuple[Part, ...], size: int, done_before: int = 0) -> str:
    """A group's parts: its month alone when one planned part holds the whole group, else each
    month with its users ("2027-08: 40 users enrolled, 2027-09: 60 users"); "-" for none. Parts in
    months before ``done_before`` (``as_of`` for the new plan, 0 for the previous one) are actual."""
    as_of = done_before
    if not parts:
        return "-"
    labels = inst.month_labels
    if len(parts) == 1 and parts[0].users == size and parts[0].month >= as_of:
        return i18n.month(labels[parts[0].month])
    out = []
    for p in parts:
        month = i18n.month(labels[p.month])
        if p.month < as_of:
            out.append(_("{month}: {users} enrolled").format(month=month, users=i18n.users(p.users)))
        else:
            out.append(_("{month}: {users}").format(month=month, users=i18n.users(p.users)))
    return ", ".join(out)


def _methods(parts: tuple[Part, ...]) -> str:
    seen: list[str] = []
    for p in parts:
        if p.method not in seen:
            seen.append(p.method)
    return ", ".join(i18n.method_in_text(k) or k for k in seen) or "-"


def moved_text(c: GroupChange) -> str:
    """'60 users moved (40 of them slipped)', or 'none' when only the method or past months moved."""
    if not c.users_moved:
        return _("none")
    text = ngettext("{n} user moved", "{n} users moved", c.users_moved).format(n=i18n.number(c.users_moved))
    if c.slipped:
        text += " " + _("({n} of them slipped)").format(n=i18n.number(c.slipped))
    return text


def change_rows(inst: Instance, changes: list[GroupChange], as_of: int) -> tuple[list[str], list[list[str]]]:
    """The "what changed" table: one row per group, months and method from -> to, users moved."""
    sizes = {g.name: g.size for g in inst.groups}
    header = [_("Group"), _("Previous months"), _("New months"), _("Previous method"), _("New method"),
              _("Users moved")]
    rows = [[c.group, parts_text(inst, c.before, sizes[c.group]),
             parts_text(inst, c.after, sizes[c.group], as_of), _methods(c.before), _methods(c.after),
             moved_text(c)] for c in changes]
    return header, rows


def rate_rows(rates: ObservedRates) -> tuple[list[str], list[list[str]]]:
    """The ticket-rate report: per method the planned and observed tickets per 100 users, the users
    the observed rate rests on and whether the plan uses it."""
    header = [_("Method"), _("Planned tickets per 100 users"), _("Observed tickets per 100 users"),
              _("Users behind the observed rate"), _("Used for the coming months")]
    rows = []
    for m in rates.methods:
        if m.used:
            used = _("yes")
        elif not m.enough_users:
            used = _("no (fewer than {n} users)").format(n=MIN_USERS)
        else:
            used = _("no (give --observed-rates)")
        rows.append([i18n.method(m.method), i18n.number(m.planned),
                     i18n.decimal(float(m.observed), 1) if m.observed is not None else "-",
                     i18n.number(m.users), used])
    return header, rows


def _part(inst: Instance, p: Part, as_of: int) -> dict[str, Any]:
    return {"month": inst.month_labels[p.month], "users": p.users, "method": p.method, "done": p.month < as_of}


def replan_dict(inst: Instance, changes: list[GroupChange], changes_level: int, rates: ObservedRates,
                as_of: int) -> dict[str, Any]:
    """The re-plan's own part of the JSON output (language-neutral: month labels, method keys; an
    observed rate rounded to 4 decimals beside the tickets and users it is exactly computed from)."""
    return {
        "as_of": inst.month_labels[as_of],
        "changes": changes_level,
        "what_changed": [{"group": c.group, "before": [_part(inst, p, as_of) for p in c.before],
                          "after": [_part(inst, p, as_of) for p in c.after], "users_moved": c.users_moved,
                          "slipped": c.slipped} for c in changes],
        "ticket_rates": [{"method": m.method, "planned_per_100": m.planned, "users": m.users, "tickets": m.tickets,
                          "observed_per_100": round(float(m.observed), 4) if m.observed is not None else None,
                          "enough_users": m.enough_users, "used": m.used} for m in rates.methods],
    }

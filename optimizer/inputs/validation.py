"""Cross-row checks of an instance: names, months, cycles, pilot rules.

These are *input errors* (exit 2): the data contradicts itself in a way no
plan could fix. Inputs that are well formed but admit no plan (capacity too
small, deadlines against dependencies) are left to the solver (exit 1).
"""

from __future__ import annotations

from optimizer.domain import Instance
from optimizer.errors import InputError


def _cycle(after: dict[str, tuple[str, ...]]) -> list[str] | None:
    """Return one cycle of the ``after`` graph as a list of names, or None."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour = {n: WHITE for n in after}
    for start in after:
        if colour[start] != WHITE:
            continue
        stack = [(start, iter(after[start]))]
        path = [start]
        colour[start] = GREY
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                colour[node] = BLACK
                stack.pop()
                path.pop()
            elif colour[nxt] == GREY:
                return path[path.index(nxt):] + [nxt]
            elif colour[nxt] == WHITE:
                colour[nxt] = GREY
                stack.append((nxt, iter(after[nxt])))
                path.append(nxt)
    return None


def validate_instance(inst: Instance, *, groups_file: str = "groups", capacity_file: str = "capacity") -> None:
    """Raise :class:`InputError` for the first contradiction found."""
    months = inst.month_labels
    seen_m: dict[str, int] = {}
    for m in inst.months:
        if m.label in seen_m:
            raise InputError(
                f"the month '{m.label}' appears twice (also on row {seen_m[m.label]}); months must be unique",
                file=capacity_file, row=m.row, column="month",
            )
        seen_m[m.label] = m.row

    seen: dict[str, int] = {}
    for g in inst.groups:
        if g.name in seen:
            raise InputError(
                f"the group '{g.name}' appears twice (also on row {seen[g.name]}); group names must be unique",
                file=groups_file, row=g.row, column="group",
            )
        seen[g.name] = g.row

    def month_err(g, col, label):
        return InputError(
            f"'{label}' is not a month of {capacity_file} (months: {months[0]} .. {months[-1]})",
            file=groups_file, row=g.row, column=col,
        )

    for g in inst.groups:
        for col, label in (("earliest", g.earliest), ("latest", g.latest)):
            if label is not None and label not in seen_m:
                raise month_err(g, col, label)
        for b in g.blackout:
            if b not in seen_m:
                raise month_err(g, "blackout", b)
        if g.earliest and g.latest and months.index(g.earliest) > months.index(g.latest):
            raise InputError(
                f"earliest month {g.earliest} is after latest month {g.latest}",
                file=groups_file, row=g.row, column="earliest",
            )
        if not inst.allowed_months(g):
            raise InputError(
                f"every month from {g.earliest or months[0]} to {g.latest or months[-1]} is blacked out "
                f"for '{g.name}', so it can never be enrolled",
                file=groups_file, row=g.row, column="blackout",
            )
        for a in g.after:
            if a not in seen:
                hint = next((f" (the group '{n}' contains ';', which separates the names in 'after': rename it "
                             "to use it there)" for n in seen if ";" in n and a in n.split(";")), "")
                raise InputError(f"'after' names an unknown group '{a}'{hint}", file=groups_file, row=g.row,
                                 column="after")
            if a == g.name:
                raise InputError(f"'{g.name}' cannot come after itself", file=groups_file, row=g.row, column="after")
        if g.vip and g.pilot_stage:
            raise InputError(
                f"'{g.name}' is a VIP group in the {g.wave} wave; the guide says pilot users must not be "
                "executives or VIPs (set wave to production or vip to no)",
                file=groups_file, row=g.row, column="vip",
            )
        if not inst.allowed_methods(g):
            raise InputError(
                f"'{g.name}' is a VIP group, and VIPs may only use assisted enrollment (vip_assisted = true), "
                f"but its methods are {';'.join(g.methods)}",
                file=groups_file, row=g.row, column="methods",
            )

    cyc = _cycle({g.name: g.after for g in inst.groups})
    if cyc:
        first = inst.group(cyc[0])
        raise InputError(
            "the 'after' dependencies form a cycle, so no order can satisfy them: "
            + " -> ".join(f"'{n}'" for n in cyc) + " (each must come after the next)",
            file=groups_file, row=first.row, column="after",
        )

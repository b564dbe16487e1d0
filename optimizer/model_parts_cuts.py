"""Implied rows of the model of parts: the tickets of a split group's parts (issue 15).

:class:`optimizer.model_parts.PartsModel` writes a part's tickets per method as the linear ceil
``r*u <= 100*tix <= r*u + 99``. In its LP relaxation (the bounds of the split path,
:mod:`optimizer.solving.lp.parts_bounds`, and CP-SAT's own LP) that lets every part cost exactly
``r*u/100`` tickets: the rounding up, which real plans pay per part, is lost (at 200 x 12 about 15
tickets, in months where the helpdesk is the binding capacity). None of the rows below cuts off a
plan of parts; each holds for every whole-number solution:

* the parts' tickets of a group together are at least its whole-group tickets when the method is
  its method: ``sum_t tix[t,k] >= ceil(r*size/100) * z[k]`` (a sum of ceilings is at least the
  ceiling of the sum);
* the rounding rides with users: ``100*tix[t,k] <= r*u[t,k] + 99*y[t]`` and ``... + 99*z[k]`` (no
  part in month t, or another method: no users and no tickets), so in the relaxation the tickets
  above ``r*u/100`` need users of the group in that month (``u[t] >= least*y[t]``);
* the cheapest tickets per user a part can have: ``tix[t,k] >= (c/u*) * u[t,k]`` where ``u*`` in
  [least part, size] minimises ``c = ceil(r*u*/100)`` per user (above ``r/100`` when no part size in
  range is a multiple of ``100/gcd(r, 100)``, e.g. 40 assisted users: a ticket for any part).

And the first and last months with the users (:func:`add_first_last_cuts`): the model ties them
by rows that hold under a part literal (``first <= t`` only if ``y[t]``), which the relaxation
leaves out, so there a split group could keep its users early and its first month late (after the
pilot stage, after a group it follows). For each month t: the users before t are at most
``size * sum_{s<t} bf[s]`` (users before t: the first month is before t), and the users after t at
most ``size * sum_{s>t} bl[s]``.

With them the LP bound of waiting at 200 x 12 rose from 91,996 to 92,753 (tickets), 92,767 (the
cheapest part) and 92,920 (first and last months) (docs/benchmarks.md, "Split groups: window
moves with parts").
"""

from __future__ import annotations

from ortools.sat.python import cp_model

_sum = cp_model.LinearExpr.sum


def cheapest_part(rate: int, least: int, size: int) -> tuple[int, int]:
    """(tickets c, users u*) of the part size in [least, size] with the fewest tickets per user,
    ties to the smaller part."""
    best = (-(-rate * size // 100), size)
    for u in range(max(1, least), size + 1):
        c = -(-rate * u // 100)
        if c * best[1] < best[0] * u:
            best = (c, u)
    return best


def add_ticket_cuts(pm) -> int:
    """Add the rows above to ``pm`` (a PartsModel): valid for every plan of parts, so the model
    stays exact; returns how many rows were added (``pm.constraint_counts["part-tickets"]``)."""
    m, rules, n = pm.model, pm.inst.rules, 0
    for gv in pm.gs:
        if not gv.split:
            continue
        least = pm.inst.least_part(gv.g)
        for k in gv.methods:
            r = rules.tickets_per_100_users[k]
            months = [t for (t, kk) in gv.tix_k if kk == k]
            if r == 0 or not months:
                continue
            m.add(_sum([gv.tix_k[t, k] for t in months]) >= rules.tickets(gv.g.size, k) * gv.z[k])
            c, u_star = cheapest_part(r, least, gv.g.size)
            for t in months:
                tix, u = gv.tix_k[t, k], gv.by_method[t, k]
                m.add(100 * tix <= r * u + 99 * gv.y[t])
                m.add(100 * tix <= r * u + 99 * gv.z[k])
                n += 2
                if c * 100 > r * u_star:  # stronger than r*u <= 100*tix
                    m.add(u_star * tix >= c * u)
                    n += 1
            n += 1
    pm.constraint_counts["part-tickets"] += n
    return n


def add_first_last_cuts(pm) -> int:
    """The rows tying a split group's first and last months to its users (module docstring);
    returns how many (``pm.constraint_counts["first-last-users"]``)."""
    m, n = pm.model, 0
    for gv in pm.gs:
        if not gv.split or len(gv.months) < 2:
            continue
        size, ms = gv.g.size, gv.months
        for j in range(1, len(ms)):
            m.add(_sum([gv.u[s] for s in ms[:j]]) <= size * _sum([gv.bf[s] for s in ms[:j]]))
            m.add(_sum([gv.u[s] for s in ms[j:]]) <= size * _sum([gv.bl[s] for s in ms[j:]]))
            n += 2
    pm.constraint_counts["first-last-users"] += n
    return n


def add_implied_rows(pm) -> None:
    """Every implied row of this module on ``pm``."""
    add_ticket_cuts(pm)
    add_first_last_cuts(pm)

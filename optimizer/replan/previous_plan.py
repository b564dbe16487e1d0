"""The previous plan of a re-plan, as the users it gave each group in each month.

``rollout replan`` reads the previous plan with :func:`optimizer.inputs.planfile.read_plan` (a plan CSV
or plan workbook written by ``rollout``, hand-edited or not) and turns it into a
:class:`PreviousPlan`: prev_u[g, t], the users the plan put in month t for group g, and each
group's method. A v1 plan (one month per group, no ``users`` column) gives a group its whole size
in its month. A v2 plan (parts with users) goes through :func:`previous_from_parts`: the seam for
the v2 reader, which hands over its rows (group, month, users, method).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Iterable, Mapping

from optimizer.domain import Instance
from optimizer.plan import Plan


@dataclass(frozen=True)
class PreviousPlan:
    """``users[(group, t)]``: users the previous plan enrolls in month index t (only parts, u > 0);
    ``methods[group]``: its method. A group of the instance the previous plan does not hold (a
    group added since) has no entry."""

    users: Mapping[tuple[str, int], int]
    methods: Mapping[str, str]

    def groups(self) -> set[str]:
        return set(self.methods)


def previous_from_parts(parts: Iterable[tuple[str, int, int, str]]) -> PreviousPlan:
    """A previous plan from its parts (group, month index, users, method); rows with 0 users are
    no part. For a v2 plan file; a group's parts share one method (the last row's is kept)."""
    users: dict[tuple[str, int], int] = {}
    methods: dict[str, str] = {}
    for group, t, u, method in parts:
        methods[group] = method
        if u > 0:
            users[group, t] = users.get((group, t), 0) + u
    return PreviousPlan(MappingProxyType(users), MappingProxyType(methods))


def previous_from_plan(plan: Plan) -> PreviousPlan:
    """A plan's parts: a v1 plan (one month and method per group) gives prev_u = the group's size in
    its month; a v2 plan (parts) its users per month."""
    return previous_from_parts((g.name, t, u, k) for g, k, t, u in plan.all_parts())


def read_previous_plan(inst: Instance, path: str | Path) -> PreviousPlan:
    """The previous plan file ``path`` (plan CSV or plan workbook) read with ``planfile``."""
    from optimizer.inputs.planfile import read_plan

    return previous_from_plan(read_plan(inst, path))

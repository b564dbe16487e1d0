"""How far a re-plan moves from the previous plan: the ``changes`` level and the "what changed"
list (model v2 spec, "Re-planning with actuals"). No solver: plain sums over the parts.

changes = sum_g sum_{t >= as_of} max(0, prev_u[g,t] - new_u[g,t]) + slipped users, with
slipped users = sum_g max(0, prev users of g before as_of - actual users of g): users the
previous plan put before ``as_of`` that were not enrolled. Users done in another past month than
planned are not slipped; users done ahead of plan make no negative count. Parts of the new plan
before ``as_of`` are the actuals (history), not compared month by month.

Part mappings are ``{(group, month index): users}``; a missing key is 0 users.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from optimizer.domain import Instance
from optimizer.replan.history import History, Part
from optimizer.replan.previous_plan import PreviousPlan

Parts = Mapping[tuple[str, int], int]


def slipped_users(prev: Parts, actual: Mapping[str, int], as_of: int) -> dict[str, int]:
    """Per group with slipped users: max(0, users prev put before ``as_of`` - actual users)."""
    planned: dict[str, int] = {}
    for (g, t), u in prev.items():
        if t < as_of:
            planned[g] = planned.get(g, 0) + u
    out = {g: u - actual.get(g, 0) for g, u in planned.items()}
    return {g: s for g, s in out.items() if s > 0}


def moved_users(prev: Parts, new: Parts, as_of: int) -> dict[str, int]:
    """Per group with moved users: sum over months t >= ``as_of`` of max(0, prev_u - new_u)."""
    out: dict[str, int] = {}
    for (g, t), u in prev.items():
        if t >= as_of:
            d = u - new.get((g, t), 0)
            if d > 0:
                out[g] = out.get(g, 0) + d
    return out


def changes_level(prev: Parts, new: Parts, actual: Mapping[str, int], as_of: int) -> int:
    """The ``changes`` objective level of a re-plan (``actual``: actual users per group)."""
    return sum(moved_users(prev, new, as_of).values()) + sum(slipped_users(prev, actual, as_of).values())


@dataclass(frozen=True)
class GroupChange:
    """One group whose months, users per month or method differ from the previous plan.

    - ``before``: the previous plan's parts of the group (its method on each).
    - ``after``: the group's actual parts (their actual method) and then its new parts.
    - ``moved``: users of months from ``as_of`` on that the new plan moved away from their month.
    - ``slipped``: users the previous plan put before ``as_of`` that were not enrolled.
    """

    group: str
    before: tuple[Part, ...]
    after: tuple[Part, ...]
    moved: int
    slipped: int

    @property
    def users_moved(self) -> int:
        """The group's share of the ``changes`` level."""
        return self.moved + self.slipped

    @property
    def method_before(self) -> str | None:
        return self.before[-1].method if self.before else None

    @property
    def method_after(self) -> str | None:
        """The method of the group's last part in the new plan (a new part's, else an actual one's)."""
        return self.after[-1].method if self.after else None


def _key(parts: tuple[Part, ...]) -> frozenset[tuple[int, int, str]]:
    return frozenset((p.month, p.users, p.method) for p in parts)


def what_changed(inst: Instance, prev: PreviousPlan, new: Parts, new_methods: Mapping[str, str],
                 history: History) -> list[GroupChange]:
    """The groups (in the instance's order) whose parts or method in the whole new plan (actual
    parts + the new parts from ``history.as_of`` on) differ from the previous plan's."""
    as_of = history.as_of
    actual = {g: history.actual_users(g) for g in history.parts}
    moved = moved_users(prev.users, new, as_of)
    slipped = slipped_users(prev.users, actual, as_of)
    before: dict[str, list[Part]] = {}
    for (g, t), u in sorted(prev.users.items(), key=lambda kv: kv[0][1]):
        before.setdefault(g, []).append(Part(t, u, prev.methods[g]))
    after: dict[str, list[Part]] = {g: list(ps) for g, ps in history.parts.items()}
    for (g, t), u in sorted(new.items(), key=lambda kv: kv[0][1]):
        if t >= as_of and u > 0:
            after.setdefault(g, []).append(Part(t, u, new_methods[g]))
    out = []
    for g in inst.groups:
        b, a = tuple(before.get(g.name, ())), tuple(after.get(g.name, ()))
        if _key(b) != _key(a) or moved.get(g.name) or slipped.get(g.name):
            out.append(GroupChange(g.name, b, a, moved.get(g.name, 0), slipped.get(g.name, 0)))
    return out


def _parts_text(inst: Instance, parts: tuple[Part, ...], whole: int) -> str:
    labels = inst.month_labels
    if len(parts) == 1 and parts[0].users == whole:
        return labels[parts[0].month]
    return ", ".join(f"{labels[p.month]} ({p.users})" for p in parts)


def changes_frame(inst: Instance, changes: list[GroupChange]):
    """The "what changed" list as a table for the renderers: group, months before and after (a
    month alone when it holds the whole group, else "month (users)" per part), method before and
    after, users moved (moved + slipped) and slipped users. Language-neutral: month labels and
    method keys, as in the plan CSV."""
    import pandas as pd

    sizes = {g.name: g.size for g in inst.groups}
    return pd.DataFrame(
        [{"group": c.group,
          "months_before": _parts_text(inst, c.before, sizes[c.group]),
          "months_after": _parts_text(inst, c.after, sizes[c.group]),
          "method_before": c.method_before or "",
          "method_after": c.method_after or "",
          "users_moved": c.users_moved,
          "slipped": c.slipped} for c in changes],
        columns=["group", "months_before", "months_after", "method_before", "method_after", "users_moved",
                 "slipped"])

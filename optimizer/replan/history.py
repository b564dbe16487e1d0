"""The history of a re-plan as plain facts: what each group has done before ``--as-of`` and what
is left to plan (model v2 spec, "Re-planning with actuals").

Nothing here judges the history: the actual parts are kept as they happened (no capacity,
window, method or order rule applies to them). The model and the checker read these facts:
the remaining users r_g to plan from ``as_of`` on, the least part min(min_part_users, r_g), which
groups are done and which have started (``keep_departments_together`` holds only the groups that
have not).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from optimizer.replan.actuals import Actuals
from optimizer.domain import Instance

#: The rules' default least part when the rules do not set ``min_part_users`` (spec: 50).
DEFAULT_MIN_PART_USERS = 50


@dataclass(frozen=True)
class Part:
    """Users of one group enrolled in one month (index into the instance's months) with one method."""

    month: int
    users: int
    method: str


@dataclass(frozen=True)
class History:
    """What happened before ``as_of``, per group.

    - ``as_of``: index of the first month not yet done; months before it are history.
    - ``parts``: each group's actual parts (users > 0), in month order; a group without actual
      users is absent. Rows with 0 users are no part.
    - ``remaining``: r_g = size_g - actual users, for every group of the instance.
    - ``done``: the groups with r_g = 0 (nothing left to plan).
    - ``least_part``: for every group with r_g > 0, the least number of users of a new part:
      min(min_part_users, r_g), and at least 1 (a part has users). A pilot with 20 users left and
      min_part_users = 50 may finish with one part of 20.
    """

    as_of: int
    parts: Mapping[str, tuple[Part, ...]]
    remaining: Mapping[str, int]
    done: frozenset[str]
    least_part: Mapping[str, int]

    def actual_users(self, group: str) -> int:
        return sum(p.users for p in self.parts.get(group, ()))

    def started(self, group: str) -> bool:
        """The group has actual users (its first month is in the past)."""
        return group in self.parts

    def last_month(self, group: str) -> int | None:
        """The last month with an actual part of ``group`` (None without one): order rules
        (stage order, O, ``after``) count it as the group's month as it happened."""
        parts = self.parts.get(group)
        return parts[-1].month if parts else None

    def first_month(self, group: str) -> int | None:
        parts = self.parts.get(group)
        return parts[0].month if parts else None


def build_history(inst: Instance, actuals: Actuals, min_part_users: int | None = None) -> History:
    """The facts of ``actuals`` for ``inst``. ``min_part_users``: the rules' least part (None: the
    rules' ``min_part_users`` when the instance's rules have it, else the spec's default 50)."""
    if min_part_users is None:
        min_part_users = getattr(inst.rules, "min_part_users", DEFAULT_MIN_PART_USERS)
    by_group: dict[str, list[Part]] = {}
    for r in actuals.rows:
        if r.users > 0:
            by_group.setdefault(r.group, []).append(Part(r.month, r.users, r.method))
    parts = {g: tuple(sorted(ps, key=lambda p: p.month)) for g, ps in by_group.items()}
    remaining = {g.name: g.size - sum(p.users for p in parts.get(g.name, ())) for g in inst.groups}
    if any(r < 0 for r in remaining.values()):
        raise ValueError("actual users above a group's size (parse_actuals refuses them)")
    return History(
        as_of=actuals.as_of,
        parts=MappingProxyType(parts),
        remaining=MappingProxyType(remaining),
        done=frozenset(g for g, r in remaining.items() if r == 0),
        least_part=MappingProxyType({g: max(1, min(min_part_users, r)) for g, r in remaining.items() if r > 0}),
    )


def order_floor(inst: Instance, history: History) -> dict[str, int]:
    """For each group with users left, the earliest month index its new parts may take by the
    order rules, from the history alone (spec: order rules judge each part from ``as_of`` on
    against all the parts it must follow, actual or planned):

    - ``as_of`` (no new part in the past);
    - an expanded-pilot group: every actual pilot part's month;
    - a production group: O = the last pilot-stage month + stage_gap (+ risk_delay when high risk),
      the last pilot-stage month taken over the actual parts, and at least ``as_of`` when a
      pilot-stage group still has users left (its parts are planned from ``as_of`` on); O = 0
      without pilot-stage groups;
    - each h in ``after``: h's last actual month + 1, and ``as_of`` + 1 when h has users left.

    A bound, not the model: it is not propagated along chains of ``after`` and knows nothing of the
    new plan's months beyond ``as_of``. The actual parts themselves are never judged.
    """
    r = inst.rules
    as_of = history.as_of
    left = {g for g, n in history.remaining.items() if n > 0}

    def last(names) -> int | None:
        months = [m for h in names if (m := history.last_month(h)) is not None]
        months += [as_of for h in names if h in left]
        return max(months) if months else None

    pilots = [g.name for g in inst.groups if g.wave == "pilot"]
    stage = [g.name for g in inst.groups if g.pilot_stage]
    stage_last = last(stage)
    opens = stage_last + r.stage_gap if stage_last is not None else 0
    pilot_actual = [m for h in pilots if (m := history.last_month(h)) is not None]
    out = {}
    for g in inst.groups:
        if g.name not in left:
            continue
        floor = as_of
        if g.wave == "expanded-pilot" and pilot_actual:
            floor = max(floor, max(pilot_actual))
        if g.wave == "production":
            floor = max(floor, opens + (r.risk_delay if g.risk == "high" else 0))
        for h in g.after:
            if (m := history.last_month(h)) is not None:
                floor = max(floor, m + 1)
            if h in left:
                floor = max(floor, as_of + 1)
        out[g.name] = floor
    return out


@dataclass(frozen=True)
class HistoryMismatch:
    """A month before ``as_of`` where a re-plan's rows differ from the actuals: ``expected`` is the
    actual part (None: the actuals have none there), ``found`` the plan's (None: the plan has none)."""

    group: str
    month: int
    expected: Part | None
    found: Part | None


def history_mismatches(history: History, parts: Mapping[tuple[str, int], tuple[int, str]]) -> list[HistoryMismatch]:
    """The spec's rule for a re-plan's output: its rows before ``as_of`` are either absent or exactly
    the actuals (same users and method for each group and month). ``parts``: the plan's
    ``{(group, month index): (users, method)}``; rows with 0 users are no part. Empty when the plan
    keeps the rule; else each differing (group, month), in group and month order."""
    found = {k: Part(k[1], u, m) for k, (u, m) in parts.items() if k[1] < history.as_of and u > 0}
    if not found:
        return []
    expected = {(g, p.month): p for g, ps in history.parts.items() for p in ps}
    return [HistoryMismatch(g, t, expected.get((g, t)), found.get((g, t)))
            for g, t in sorted(set(found) | set(expected)) if expected.get((g, t)) != found.get((g, t))]

"""One cause behind many conflicts: a pilot stage that can't end early enough.

When the pilot-stage groups can't start before some month, production opens late and every
production group that no longer fits (the capacities of the months left, a blackout at the
end, high risk) conflicts with *each* pilot-stage group's window, one at a time: setting one
window aside leaves the next. Those windows share one cause (the pilot stage's start), so an
explanation shows one conflict for them, names every group, sets the whole cause aside before it
searches further, and tries the changes a planner makes first: the pilot's months earlier, or
more months at the end of the plan (each the least that works, found by bisection)."""

from __future__ import annotations

import logging
import time

from optimizer import rules as R
from optimizer.domain import Instance
from optimizer.explain.changes import apply_repair
from optimizer.explain.checks import Verify
from optimizer.explain.findings import Repair
from optimizer.explain.rulekeys import _CAP_RULES
from optimizer.explain.words import _label


log = logging.getLogger(__name__)


def _first(inst: Instance, name: str) -> int:
    """The first month the group may enroll in (its window and blackouts)."""
    return min(inst.allowed_months(inst.group(name)), default=inst.horizon)


def stage_windows(inst: Instance, keys: list[tuple[str, tuple]]) -> list[tuple[str, tuple]]:
    """The windows of pilot-stage groups in a conflict that holds a pilot-stage rule of the
    production side (production-opens, risk-delay): the windows that keep the stage from
    ending earlier. Empty for other conflicts."""
    if not any(k[0] in (R.PRODUCTION_OPENS, R.RISK_DELAY) for k in keys):
        return []
    return [k for k in keys if k[0] == R.WINDOW and inst.group(k[1][0]).pilot_stage
            and inst.group(k[1][0]).earliest]


def shared_cause(inst: Instance, keys: list[tuple[str, tuple]]) -> list[tuple[str, tuple]]:
    """The windows of the other pilot-stage groups that start no earlier than the conflict's
    own pilot-stage window: each keeps the pilot stage from ending earlier just as well, so
    the conflict stays when only the conflict's window changes. Empty when the conflict is not
    about the pilot stage's end."""
    own = stage_windows(inst, keys)
    if not own:
        return []
    start = min(_first(inst, k[1][0]) for k in own)
    mine = set(own)
    return [(R.WINDOW, (g.name,)) for g in inst.groups
            if g.pilot_stage and g.earliest and (R.WINDOW, (g.name,)) not in mine and _first(inst, g.name) >= start]


def stage_cut_core(inst: Instance, keys: list[tuple[str, tuple]]) -> list[tuple[str, tuple]] | None:
    """A smaller conflict inside a late-pilot capacity conflict (capacities, production-opens,
    one pilot-stage window), proven by counting: the largest production groups whose users
    exceed what the months from production's first month on can enroll (each month's
    capacities bound its users, ``month_user_capacity``), with the capacities of only those
    months. None when ``keys`` is not of that shape or the count does not prove it."""
    from optimizer.model import month_user_capacity

    own = stage_windows(inst, keys)
    if len(own) != 1 or any(k[0] not in _CAP_RULES and k[0] != R.PRODUCTION_OPENS and k not in own for k in keys):
        return None
    first = _first(inst, own[0][1][0]) + inst.rules.stage_gap
    labels = set(inst.month_labels[first:])
    caps = [k for k in keys if k[0] in _CAP_RULES and k[1][0] in labels]
    if len(caps) != 3 * len(labels):  # a month without all its capacities enroll anyone
        return None
    room = sum(month_user_capacity(inst, t) for t in range(first, inst.horizon))
    opens = sorted((k for k in keys if k[0] == R.PRODUCTION_OPENS), key=lambda k: -inst.group(k[1][0]).size)
    users, kept = 0, []
    for k in opens:
        if users > room:
            break
        users += inst.group(k[1][0]).size
        kept.append(k)
    return own + caps + kept if users > room else None


def _left(deadline: float) -> float:
    return min(10.0, max(0.5, deadline - time.perf_counter()))


def _least(lo: int, hi: int, ok, deadline: float) -> int | None:
    """The least value in [lo, hi] proven ``ok`` (monotone); None when none or out of time.
    The least first (one more month is the common fix), then the most (when even that does
    not work, no other check is spent), then a bisection between them."""
    if lo > hi or time.perf_counter() >= deadline:
        return None
    ok = _logged(ok)
    if ok(lo):
        return lo
    if hi == lo or time.perf_counter() >= deadline or not ok(hi):
        return None
    best, lo = hi, lo + 1
    hi -= 1
    while lo <= hi and time.perf_counter() < deadline:
        mid = (lo + hi) // 2
        if ok(mid):
            best, hi = mid, mid - 1
        else:
            lo = mid + 1
    return best


def _logged(ok):
    def check(v: int) -> bool | None:
        t = time.perf_counter()
        verdict = ok(v)
        log.info("%d: %s in %.2f s", v, verdict, time.perf_counter() - t)
        return verdict
    return check


def pilot_repair(inst: Instance, keys: list[tuple[str, tuple]], verify: Verify, deadline: float) -> Repair | None:
    """'let the 27 pilot-stage groups start from 2027-06 instead of 2027-09': the latest common
    earliest month for the pilot-stage groups of the cause (two or more) that gives a plan (an
    earlier start only adds plans)."""
    names = [k[1][0] for k in stage_windows(inst, keys) + shared_cause(inst, keys)]
    if len(names) < 2:  # one group's window: a single change (changes._candidates)
        return None
    start = min(_first(inst, n) for n in names)
    need = _stage_must_end(inst)
    if need is not None and need < 0:
        return None  # some production group's window closes before any stage could end

    def changes(d: int) -> tuple:
        t = _label(inst, start - d)
        return tuple(("earliest", (n, t)) for n in names if inst.month_index(inst.group(n).earliest) > start - d)

    def ok(d: int) -> bool | None:  # short checks: one near the least can run long (unknown: "no")
        return verify(apply_repair(inst, Repair("", "window", 0.0, changes(d))), min(_left(deadline), 3.0))

    # the pilot must at least start by the month the production groups' windows need, and early
    # enough for the months from production's first on to hold every production user (by counting)
    lo = max(1, start - need if need is not None else 1, _least_by_count(inst, start))
    best = _least(lo, start, ok, deadline)
    if best is None:
        return None
    # the count's month again with the time left, when its short check did not prove "no"
    if best > lo and deadline - time.perf_counter() > 3.0 and \
            verify(apply_repair(inst, Repair("", "window", 0.0, changes(lo))), _left(deadline)):
        best = lo
    return Repair(f"let the {len(names)} pilot-stage groups start from {_label(inst, start - best)} instead of {_label(inst, start)} "
                  f"(move their earliest month)", "window", float(best) + 0.5, changes(best))


def _stage_must_end(inst: Instance, due_only: bool = False) -> int | None:
    """The last month the pilot stage may end in for every production group to keep a month of
    its own (its last possible month less stage_gap, and risk_delay for a high-risk group);
    None without pilot-stage or production groups. ``due_only``: only the groups with a latest
    month (more months at the end give the others more)."""
    r = inst.rules
    ends = [max(inst.allowed_months(g), default=-1) - r.stage_gap - (r.risk_delay if g.risk == "high" else 0)
            for g in inst.groups if g.wave == "production" and (g.latest or not due_only)]
    return min(ends) if ends and any(g.pilot_stage for g in inst.groups) else None


def _least_by_count(inst: Instance, start: int) -> int:
    """The fewest months earlier the pilot stage must start for the months from production's first
    month on to be able to enroll every production user (``month_user_capacity``: an upper bound)."""
    from optimizer.model import month_user_capacity

    prod = sum(g.size for g in inst.groups if g.wave == "production")
    users = [month_user_capacity(inst, t) for t in range(inst.horizon)]
    gap = inst.rules.stage_gap
    return next((d for d in range(1, start + 1) if sum(users[start - d + gap:]) >= prod), start)


def stage_blocks_horizon(inst: Instance, keys: list[tuple[str, tuple]]) -> bool:
    """A late pilot stage that more months at the end can't help: some production group's
    window closes before the stage can end."""
    own = stage_windows(inst, keys)
    need = _stage_must_end(inst, due_only=True)
    return bool(own) and need is not None and min(_first(inst, k[1][0]) for k in own) > need


#: the most months a plan is extended by
MAX_EXTRA_MONTHS = 12


def horizon_repair(inst: Instance, verify: Verify, deadline: float) -> Repair | None:
    """'extend the plan by 2 months': the fewest months at the end (capacities as in the last
    month) that give a plan; more months only add plans for groups without a latest month."""
    if all(g.latest for g in inst.groups):
        return None

    def rep(n: int) -> Repair:
        return Repair(f"extend the plan by {n} month{'s' if n > 1 else ''} (capacities as in the last month)",
                      "horizon", 2.0 + n, (("add_months", n),))

    lo = _months_by_count(inst)
    if lo > MAX_EXTRA_MONTHS:
        return None

    def ok(n: int) -> bool | None:
        return verify(apply_repair(inst, rep(n)), min(_left(deadline), 4.0))

    # from the count up, a month at a time (a check with a plan is quick, one without may not be),
    # then the most; a bisection between when those ran out
    for n in range(lo, min(lo + 3, MAX_EXTRA_MONTHS + 1)):
        if time.perf_counter() >= deadline:
            return None
        if _logged(ok)(n):
            return rep(n)
    best = _least(min(lo + 3, MAX_EXTRA_MONTHS), MAX_EXTRA_MONTHS, ok, deadline)
    return None if best is None else rep(best)


def _months_by_count(inst: Instance) -> int:
    """The fewest months at the end (as the last month) for the months to be able to enroll
    everyone (``month_user_capacity``, an upper bound): at least 1."""
    from optimizer.model import month_user_capacity

    users = sum(g.size for g in inst.groups)
    room = sum(month_user_capacity(inst, t) for t in range(inst.horizon))
    last = month_user_capacity(inst, inst.horizon - 1)
    if room >= users:
        return 1
    return MAX_EXTRA_MONTHS + 1 if last <= 0 else max(1, -(-(users - room) // last))

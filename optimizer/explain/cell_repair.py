"""The least extra capacity in one month: a bisection on the amount of one resource of one month
of a conflict (e.g. "+106 assisted users in 2027-10"). Each step is one feasibility check (the
greedy first), so at 1,000 groups it answers in seconds where the least-extra-capacity model over
every month and resource may not finish; and it adds capacity only where it binds."""

from __future__ import annotations

import logging
import time

from optimizer.domain import METHODS, Instance
from optimizer.explain.changes import apply_repair
from optimizer.explain.checks import Verify
from optimizer.explain.findings import Repair
from optimizer.explain.rulekeys import _CAP_RULES, _RESOURCE_OF


log = logging.getLogger(__name__)


#: seconds for one check (a plan, when there is one, is found in about a second at 1,000 groups;
#: a check near the least amount can run long: unknown counts as "no", the search goes on above)
_CHECK = 3.0


#: months of a conflict tried, each with a first check at the most that could be needed
MAX_CELLS = 6


def _most(inst: Instance, res: str) -> int:
    """More than any month could need of ``res``: every user (or every group's most tickets)."""
    if res == "helpdesk":
        return sum(max(inst.rules.tickets(g.size, k) for k in METHODS) for g in inst.groups)
    return sum(g.size for g in inst.groups)


def least_cell(inst: Instance, conflict: list[tuple[str, tuple]], verify: Verify, deadline: float
               ) -> tuple[str, str, int, bool] | None:
    """(resource, month, extra, least?): the least extra amount (within 5 %: least? True; else
    the least found when the time ran out) of one capacity of the conflict that gives a plan
    (``verify``), for the first of its months (latest first: production's months) where some
    amount does; None when none does in the time, or only the most that could be needed did. A
    larger amount only adds plans, so the amount is searched by doubling, then bisected; an
    unknown check counts as "no", so the amount returned is verified."""
    cells = [(_RESOURCE_OF[k[0]], k[1][0]) for k in conflict if k[0] in _CAP_RULES]
    order = {lb: t for t, lb in enumerate(inst.month_labels)}
    cells.sort(key=lambda c: (-order[c[1]], c[0]))

    def ok(res: str, label: str, d: int) -> bool:
        left = min(_CHECK, max(0.5, deadline - time.perf_counter()))
        t = time.perf_counter()
        verdict = verify(apply_repair(inst, Repair("", "capacity", 0.0, (("capacity", (label, res, d)),))), left)
        log.debug("+%d %s in %s: %s in %.2f s", d, res, label, verdict, time.perf_counter() - t)
        return bool(verdict)

    for res, label in cells[:MAX_CELLS]:
        if time.perf_counter() >= deadline:
            return None
        most = _most(inst, res)
        if not ok(res, label, most):
            continue
        # from below, doubling (checks far below the need fail fast), then a bisection to 5 %
        lo, hi = 0, most
        d = max(8, most // 512)  # a 500th of everyone: a few checks fewer at 1,000 groups
        while d < most and time.perf_counter() < deadline:
            if ok(res, label, d):
                hi = d
                break
            lo, d = d, 2 * d
        while hi - lo > max(1, hi // 20) and time.perf_counter() < deadline:
            mid = (lo + hi) // 2
            if ok(res, label, mid):
                hi = mid
            else:
                lo = mid
        log.info("least extra %s in %s: %d (more than %d)", res, label, hi, lo)
        # not narrowed down in the time: the most that could be needed is no answer a planner can use
        return None if hi == most else (res, label, hi, hi - lo <= max(1, hi // 20))
    return None

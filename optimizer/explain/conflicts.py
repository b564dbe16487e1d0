"""Finding the conflicts: a conflicting set of rule instances (CP-SAT's core under assumptions,
narrow rule families first), shrunk to a minimal one by a deletion filter; repeated until the rest
admit a plan."""

from __future__ import annotations

import dataclasses
import logging
import time

from ortools.sat.python import cp_model

from optimizer import rules as R
from optimizer.domain import Group, Instance
from optimizer.explain.checks import (
    _PARTS_RULES,
    DEFAULT_TIME_LIMIT,
    RELAXABLE,
    _Guarded,
    family_instance,
    feasible,
    relax,
)
from optimizer.explain.causes import shared_cause, stage_cut_core, stage_windows
from optimizer.explain.rulekeys import _CAP_RULES


log = logging.getLogger(__name__)


def _order(keys: list[tuple[str, tuple]]) -> list[tuple[str, tuple]]:
    """Try dropping global rules first and group rules last: the filter keeps what is
    tried last, so the explanation prefers what a planner can change per group."""
    rank = {R.MAX_PLATFORMS: 0, R.MAX_LOCATIONS: 0, R.DEPARTMENTS_TOGETHER: 0, R.HELPDESK: 1,
            R.ASSISTED_CAP: 1, R.TECH_FAIR_CAP: 1,
            # the rules of parts (one per group of a split input): months-per-group first (a capacity
            # conflict keeps few of them; a chunk set aside keeps a plain form), least-part and
            # one-method last (set aside they have no plain form: every check of them is slow)
            R.MONTHS_PER_GROUP: 0, R.LEAST_PART: 3, R.ONE_METHOD: 3}
    return sorted(keys, key=lambda k: rank.get(k[0], 2))


def _fits_alone(inst: Instance, g: Group) -> bool:
    """Some allowed (month, method) holds g with nobody else enrolling."""
    if inst.max_months(g) > 1 and g.size > 1:  # a split group may fit in parts; no shortcut
        return True
    for t in inst.allowed_months(g):
        m = inst.months[t]
        for k in inst.allowed_methods(g):
            seats = m.assisted if k == "assisted" else m.tech_fair if k == "tech-fair" else g.size
            if inst.rules.tickets(g.size, k) <= m.helpdesk and g.size <= seats:
                return True
    return False


def fits_nowhere(inst: Instance) -> Group | None:
    """A group that no allowed (month, method) can hold even with nobody else enrolling."""
    return next((g for g in inst.groups if not _fits_alone(inst, g)), None)


def shrink(g: _Guarded, core: list[tuple[str, tuple]], deadline: float, *, step: float = 3.0
           ) -> tuple[list[tuple[str, tuple]], bool]:
    """Deletion filter: (keys, minimal?). A rule is dropped for good when the rest,
    alone, still admit no plan; when the filter ends every rule left is needed
    (without it the rest admit a plan, verified by a solve). Large sets first lose
    whole chunks (halves, quarters, ...: a deadline conflict of hundreds of windows
    needs only some of them). ``minimal`` is False when ``deadline`` (perf_counter)
    came first or a check was inconclusive."""
    keep = _order(core)
    minimal = True
    quick = min(step, 1.0)  # a first check of one rule; longer ones are retried at the end

    def drop(lo: int, hi: int, limit: float = step) -> bool | None:
        """Try without keep[lo:hi]: True (dropped for good), False (needed), None (unknown)."""
        nonlocal keep
        left = deadline - time.perf_counter()
        trial = keep[:lo] + keep[hi:]
        # a plain form answers fastest (no core then); otherwise the guarded model's core
        plain = g.plain(trial) is not None
        t = time.perf_counter()
        st, sub = g.check(trial, min(left, limit), core_needed=not plain and len(trial) <= 60)
        log.debug("without %d of %d rules: %s in %.2f s (%s)", hi - lo, len(keep), st, time.perf_counter() - t,
                  "plain" if plain else "guarded")
        if st == cp_model.INFEASIBLE:
            # Shrink to the new core at once (it contains every rule already found
            # necessary, so the position stays valid).
            core_set = set(sub)
            keep = [k for k in trial if k in core_set] if sub else trial
            return True
        return False if st in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None

    # Chunks: short checks only, and given up after three inconclusive ones in a row
    # (near the threshold of a capacity conflict they rarely finish)
    chunk = len(keep) // 2 if len(keep) > 16 else 1
    misses = 0
    while chunk > 1 and misses < 3:
        i = 0
        while i < len(keep) and misses < 3:
            if time.perf_counter() >= deadline:
                return keep, False
            verdict = drop(i, min(len(keep), i + chunk), quick / 3)
            misses = misses + 1 if verdict is None else 0
            if not verdict:
                i += chunk
        chunk //= 2
    # One rule at a time, a short check each; the rules whose check ran out of time are
    # tried again at the end with the time left shared among them (a rule found needed
    # stays needed as others are dropped: fewer rules only add plans).
    unknown: list[tuple[str, tuple]] = []
    i = 0
    while i < len(keep):
        if time.perf_counter() >= deadline:
            return keep, False
        key = keep[i]
        verdict = drop(i, i + 1, quick)
        if verdict is None:
            unknown.append(key)
        if not verdict:
            i += 1
    for n, key in enumerate(unknown):
        left = deadline - time.perf_counter()
        if left <= 0:
            return keep, False
        if key not in keep:
            continue
        i = keep.index(key)
        if drop(i, i + 1, left / (len(unknown) - n)) is None:
            minimal = False
    return keep, minimal


def _lonely_core(inst: Instance, g: Group, seed: int, limit: float) -> list[tuple[str, tuple]]:
    """The rules that keep group g out of every month on its own (the one-group
    instance's core: the capacities of its months, its window, methods, ...)."""
    sub = dataclasses.replace(inst, groups=(dataclasses.replace(g, after=()),))
    one = _Guarded(sub, seed, parts=inst.may_split)  # on a split input it may be let split
    st, core = one.check(one.keys, limit)
    return core if st == cp_model.INFEASIBLE else []


def find_conflicts(inst: Instance, *, deadline: float, seed: int = 0, workers: int = 8
                   ) -> tuple[list[tuple[list[tuple[str, tuple]], bool]], bool, str]:
    """Every conflict, disjoint: ([(rule keys, minimal?)], complete?, note).

    Repeat: find a conflicting set of rules (CP-SAT's core under assumptions), shrink it
    (:func:`shrink`), set its rules aside, search again; until the rules left admit a plan
    (``complete``) or ``deadline`` (perf_counter) comes. Groups that fit in no month even
    alone start from their one-group core (milliseconds, where the whole input's core can
    take seconds)."""
    found: list[tuple[list[tuple[str, tuple]], bool]] = []
    used: set[tuple[str, tuple]] = set()
    planned: set = set()
    g = _Guarded(inst, seed, workers)
    known = set(g.keys)

    def add(core: list[tuple[str, tuple]]) -> None:
        budget = max(0.0, deadline - time.perf_counter())
        t = time.perf_counter()
        # a late pilot's conflict (proven by counting) has no plain form: each check of the filter is
        # a slow guarded one, and the repairs of the pilot's months need the time more
        share = 0.2 if stage_windows(inst, core) and len(core) > 30 else 0.6
        keys, minimal = shrink(g, core, time.perf_counter() + share * budget)
        log.info("conflict %d: %d rules shrunk to %d (%s) in %.2f s", len(found) + 1, len(core), len(keys),
                 "minimal" if minimal else "not minimal", time.perf_counter() - t)
        found.append((keys, minimal))
        used.update(keys)
        # the same cause behind other groups' rules (the pilot stage's late start): set aside as well,
        # so the search goes on to other causes instead of one conflict per pilot-stage group
        used.update(k for k in shared_cause(inst, keys) if k in known)

    if len(inst.groups) > 1:
        for lonely in inst.groups:
            if time.perf_counter() >= deadline:
                break
            if _fits_alone(inst, lonely):
                continue
            core = [k for k in _lonely_core(inst, lonely, seed, max(0.5, deadline - time.perf_counter()))
                    if k in known]
            if core and not used.intersection(core):
                add(core)
    while True:
        left = deadline - time.perf_counter()
        if left <= 0:
            return found, False, "the time ran out before every conflict was found"
        active = [k for k in g.keys if k not in used]
        if used and _rest_has_plan(inst, used, left, workers, seed):
            return found, True, ""  # the rules left admit a plan (found by a plain solve)
        st, core, searched = _search(g, active, deadline, planned, used, workers, seed)
        if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return found, True, ""
        if st != cp_model.INFEASIBLE:
            return found, False, ("the time limit ran out before the conflict was found" if not found else
                                  "the time ran out before every conflict was found")
        add(core or searched)  # no core: CP-SAT proved it in presolve; start from all


def _rest_has_plan(inst: Instance, used: set, left: float, workers: int, seed: int) -> bool:
    """The rules not in ``used`` admit a plan, found by a plain solve: of the input with ``used``
    set aside, or, when some of them have no plain form (production-opens), with only the others
    set aside (a plan with more rules is one with fewer; a short check, it proves nothing else)."""
    relaxed = relax(inst, used)
    if relaxed is not None:
        return bool(feasible(relaxed, min(left, 10.0), workers=workers, seed=seed))
    relaxed = relax(inst, [k for k in used if k[0] in RELAXABLE])
    return bool(feasible(relaxed, min(0.2 * left, 3.0), workers=workers, seed=seed))


#: Rule families searched first, widening: capacities alone (the whole input does not fit),
#: with the groups' own months and methods (deadlines, VIPs, ...), with the pilot stage;
#: then every rule. A narrow search that proves a conflict is much faster than the full one
#: (fewer assumptions; the implied capacity rows and deadline cuts then apply at once).
_STAGES = (
    frozenset(_CAP_RULES),
    frozenset(_CAP_RULES) | {R.WINDOW, R.BLACKOUT, R.METHOD, R.VIP_ASSISTED},
    frozenset(_CAP_RULES) | {R.WINDOW, R.BLACKOUT, R.METHOD, R.VIP_ASSISTED, R.PRODUCTION_OPENS, R.RISK_DELAY,
                             R.PILOT_FIRST},
)


def _search(g: _Guarded, active: list[tuple[str, tuple]], deadline: float, planned: set | None = None,
            aside=(), workers: int = 8, seed: int = 0
            ) -> tuple[int, list[tuple[str, tuple]], list[tuple[str, tuple]]]:
    """A conflict among ``active`` (every rule but those ``aside``): (status, core, the
    rules searched). The narrow rule families of ``_STAGES`` first: each asked of the
    plain input with only those rules (:func:`family_instance`: greedy, presolve, the
    implied rows: about a second at 1,000 groups) where it has that form, and only when
    that has no plan, the guarded model for the core; a plan for a family only means the
    conflict, if any, needs more rules. ``planned`` (updated): the families that had a
    plan in an earlier search; fewer rules of them still do."""
    planned = set() if planned is None else planned
    tried: list[tuple[str, tuple]] | None = None
    for families in _STAGES:
        if g.parts:  # the rules of parts are in every stage (the plain form keeps them)
            families = families | _PARTS_RULES
        keys = [k for k in active if k[0] in families]
        if not keys or keys == tried or len(keys) == len(active) or families in planned:
            continue
        tried = keys
        left = deadline - time.perf_counter()
        if left <= 0:
            break
        t = time.perf_counter()
        plain = family_instance(g.rm.inst, families, aside)
        if plain is not None:
            verdict = feasible(plain, min(10.0, 0.3 * left), workers=workers, seed=seed)
            log.info("rules %s alone: %s in %.2f s (plain)", sorted(families),
                     {True: "a plan", False: "no plan", None: "unknown"}[verdict], time.perf_counter() - t)
            if verdict:
                planned.add(families)
                continue
            if verdict is None:
                continue
            cut = _cut_conflict(g, keys, deadline, workers, seed)
            if cut:
                log.info("an implied cut of %d rules has no plan: %.2f s", len(cut), time.perf_counter() - t)
                return cp_model.INFEASIBLE, cut, keys
            # on parts the guarded core search is slow: a share of the time, then these rules
            # themselves (proven to have no plan by the plain check) go to the deletion filter
            share = 0.3 if g.parts else 1.0
            st, core = g.check(keys, max(0.5, share * (deadline - time.perf_counter())))
            log.info("core among %d rules: %s in %.2f s", len(keys), st, time.perf_counter() - t)
            if st == cp_model.INFEASIBLE:
                return st, core, keys
            if g.parts:
                return cp_model.INFEASIBLE, keys, keys
            continue
        st, core = g.check(keys, 0.2 * left)
        log.info("search for a conflict among %d rules: %s in %.2f s", len(keys), st, time.perf_counter() - t)
        if st == cp_model.INFEASIBLE:
            return st, core, keys
        if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            planned.add(families)
    t = time.perf_counter()
    st, core = g.check(active, max(0.05, deadline - time.perf_counter()))
    log.info("search for a conflict among all %d rules: %s in %.2f s", len(active), st, time.perf_counter() - t)
    return st, core, active


def _cut_conflict(g: _Guarded, keys: list[tuple[str, tuple]], deadline: float, workers: int, seed: int
                  ) -> list[tuple[str, tuple]]:
    """The rules of the model's smallest implied cut (groups due by a month that don't fit
    in the months up to it; production that doesn't fit after a late pilot) among ``keys``
    whose plain form is proven to have no plan: a conflict without the guarded model's
    core search (seconds at 1,000 groups). Empty when there is none."""
    by_lit = {lit: k for k, lit in g.rm.guards.items()}
    among = set(keys)
    for lits in sorted(g.rm.cuts, key=len):
        cut = [by_lit[x] for x in lits]
        left = deadline - time.perf_counter()
        if left <= 0:
            break
        if not among.issuperset(cut):
            continue
        plain = g.plain(cut)
        if plain is None:  # a cut is a proof by counting: no solve needed (the plain solve only confirms)
            return stage_cut_core(g.rm.inst, cut) or cut
        if feasible(plain, min(left, 5.0), workers=workers, seed=seed) is False:
            return cut
    return []


def minimal_conflict(inst: Instance, *, time_limit: float = DEFAULT_TIME_LIMIT, seed: int = 0
                     ) -> tuple[list[tuple[str, tuple]], bool, str]:
    """The first conflict only: (keys, minimal?, note) (see :func:`find_conflicts`)."""
    t0 = time.perf_counter()
    found, complete, note = find_conflicts(inst, deadline=t0 + time_limit, seed=seed)
    if not found:
        return [], complete, "a plan exists: nothing to explain" if complete else note
    keys, minimal = found[0]
    return keys, minimal, "" if minimal else \
        "the time limit ran out: these rules conflict, but the set may not be minimal"

"""Why no plan exists, in planner's words, and the smallest changes that would fix it.

1. Conflict: the model is built with one guard literal per rule instance
   (``RolloutModel(guards=True)``: per month and resource, per group and rule, per
   dependency, per month for the optional rules). All guards are solved as assumptions;
   CP-SAT's ``sufficient_assumptions_for_infeasibility`` gives a conflicting subset,
   which a deletion filter shrinks to a minimal one: a rule instance is dropped for
   good when the rest stays infeasible without it. Every rule left is needed: dropping
   any one of them makes a plan possible (up to the time limit: ``minimal`` says so).
2. Repairs: for each rule instance in the conflict, the smallest change of that input
   that gives a plan (bisection on the extra capacity, the nearest window or blackout
   change, dropping a dependency or an optional rule), each verified by a solve, ranked
   by how little they change. ``apply_repair`` turns one into a new Instance.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from typing import Any

from ortools.sat.python import cp_model

from . import rules as R
from .domain import METHODS, RESOURCE_LABELS, Group, Instance, Month
from .explanation import Conflict, ConflictSet, Explanation, Repair
from .model import RolloutModel, month_user_capacity
from . import split_repair
from .model_parts import PartsModel
from .split_repair import split_repairs

DEFAULT_TIME_LIMIT = 30.0
log = logging.getLogger(__name__)
#: capacity rule name -> resource (the inverse of rules.CAPACITY_RULE)
_RESOURCE_OF = {rule: res for res, rule in R.CAPACITY_RULE.items()}
_CAP_RULES = tuple(_RESOURCE_OF)


# ------------------------------------------------------------------ solving helpers
def _solver(limit: float, workers: int, seed: int) -> cp_model.CpSolver:
    s = cp_model.CpSolver()
    s.parameters.max_time_in_seconds = max(0.05, limit)
    s.parameters.num_workers = workers
    s.parameters.random_seed = seed
    s.parameters.catch_sigint_signal = False
    return s


def feasible(inst: Instance, limit: float, *, workers: int = 8, seed: int = 0) -> bool | None:
    """True: a plan exists; False: proven none; None: unknown within ``limit`` seconds.

    The spreadsheet greedy goes first (milliseconds even at thousands of groups): a plan
    it finds that the independent checker accepts settles the question without CP-SAT."""
    if _greedy_plan_exists(inst):
        return True
    rm = PartsModel(inst) if inst.may_split else RolloutModel(inst)  # issue 15: split groups need parts
    s = _solver(limit, workers, seed)
    s.parameters.stop_after_first_solution = True
    st = s.solve(rm.model)
    if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return True
    return False if st == cp_model.INFEASIBLE else None


def _greedy_plan_exists(inst: Instance) -> bool:
    """True when the greedy finds a plan that the checker accepts."""
    from .checker import check_plan
    from .greedy import best_greedy
    from .plan import Plan

    try:
        plan = best_greedy(inst)
    except (ValueError, KeyError):
        return False
    return plan is not None and check_plan(Plan.from_indices(inst, plan)) == []


class _Guarded:
    """The guarded model and infeasibility checks under a subset of its guards."""

    def __init__(self, inst: Instance, seed: int, workers: int = 8) -> None:
        self.rm = RolloutModel(inst, guards=True)
        self.keys = list(self.rm.guards)
        self.seed = seed
        self.workers = workers

    def check(self, keys: list[tuple[str, tuple]], limit: float, *, core_needed: bool = True
              ) -> tuple[int, list[tuple[str, tuple]]]:
        """Solve with ``keys`` enforced; returns (status, sufficient conflicting keys).

        Cores need CP-SAT's single-worker search; without ``core_needed`` the full
        portfolio runs (much faster to find a plan when one exists). A few rules are
        checked on the groups they name alone when that is exact (:func:`_named_only`)."""
        sub = _named_only(self.rm.inst, keys)
        if sub is not None and not sub.groups:
            return cp_model.OPTIMAL, []  # no group needs to touch the enforced rules
        if sub is not None:
            small = _Guarded(sub, self.seed, self.workers)
            return small.check([k for k in keys if k in small.rm.guards], limit, core_needed=core_needed)
        if not core_needed:
            plain = self.plain(keys)
            if plain is not None:  # no second try on the guarded model: it is rarely faster
                verdict = feasible(plain, limit, workers=self.workers, seed=self.seed)
                return {True: cp_model.FEASIBLE, False: cp_model.INFEASIBLE, None: cp_model.UNKNOWN}[verdict], []
        proto = self.rm.proto
        proto.assumptions.clear()
        lits = [self.rm.guards[k] for k in keys]
        proto.assumptions.extend(lits)
        s = _solver(limit, 1 if core_needed else self.workers, self.seed)
        # With assumptions CP-SAT searches on one worker and its presolve cannot use them:
        # at 1,000 groups it probes for 15 s where the search without it needs 3 s.
        s.parameters.cp_model_presolve = False
        st = s.solve(self.rm.model)
        core: list[tuple[str, tuple]] = []
        if st == cp_model.INFEASIBLE and core_needed:
            by_lit = {self.rm.guards[k]: k for k in keys}
            core = [by_lit[i] for i in s.sufficient_assumptions_for_infeasibility() if i in by_lit]
        return st, core

    def plain(self, keys: list[tuple[str, tuple]]) -> Instance | None:
        """The input with exactly the rule instances ``keys`` enforced, as a plain input
        (:func:`plain_form`), or None when some rule left out has no plain form."""
        return plain_form(self.rm.inst, self.keys, keys)


def plain_form(inst: Instance, all_keys: list[tuple[str, tuple]], keys: list[tuple[str, tuple]]
               ) -> Instance | None:
    """The input with only the rule instances ``keys`` (of the guarded model's ``all_keys``)
    enforced, as a plain input: exact (its plans are the guarded model's with just ``keys``),
    so a check runs on the plain model (the greedy first, CP-SAT's presolve and the implied
    rows), much faster than the guarded one. None when that form does not exist: a
    dependency, per-month limit or department rule among ``keys``, or a pilot-stage rule
    (production-opens, pilot-first) left out while others are in."""
    fams = {k[0] for k in keys}
    if not fams <= _PLAIN_FAMILIES:
        return None
    families = frozenset(_CAP_RULES) | fams
    if fams & _STAGE_FAMILIES:
        families |= _STAGE_FAMILIES
    enforced = set(keys)
    return family_instance(inst, families, [k for k in all_keys if k[0] in families and k not in enforced])


_STAGE_FAMILIES = frozenset({R.PRODUCTION_OPENS, R.RISK_DELAY, R.PILOT_FIRST})
_PLAIN_FAMILIES = frozenset(_CAP_RULES) | {R.WINDOW, R.BLACKOUT, R.METHOD, R.VIP_ASSISTED} | _STAGE_FAMILIES


_STAGE_RULES = (R.PRODUCTION_OPENS, R.RISK_DELAY)


def _named_only(inst: Instance, keys: list[tuple[str, tuple]]) -> Instance | None:
    """The input cut down to the groups the rules ``keys`` name (and every pilot-stage
    group when a production-opens or risk-delay rule is among them: the stage's last
    month is theirs), when that has exactly the plans' answer of the whole input with
    only ``keys`` enforced: every other group then has a month and method that touches
    none of the enforced capacities and per-month limits, so it can always go there.
    None when that does not hold or the cut saves little."""
    names = set(conflict_groups(inst, keys))
    if any(k[0] in _STAGE_RULES for k in keys):
        names.update(g.name for g in inst.groups if g.pilot_stage)
    if len(names) * 2 > len(inst.groups):
        return None
    enforced = set(keys)
    labels = inst.month_labels
    free_months = [t for t, lb in enumerate(labels)
                   if (R.MAX_PLATFORMS, (lb,)) not in enforced and (R.MAX_LOCATIONS, (lb,)) not in enforced]

    def free(g: Group) -> bool:
        for t in free_months:
            lb = labels[t]
            for k in METHODS:
                used = (["helpdesk"] if inst.rules.tickets(g.size, k) > 0 else []) + (
                    ["assisted"] if k == "assisted" else ["tech_fair"] if k == "tech-fair" else [])
                if all((R.CAPACITY_RULE[res], (lb,)) not in enforced for res in used):
                    return True
        return False

    if not all(free(g) for g in inst.groups if g.name not in names):
        return None
    kept = tuple(dataclasses.replace(g, after=tuple(h for h in g.after if h in names))
                 for g in inst.groups if g.name in names)
    return None if len(kept) == len(inst.groups) else dataclasses.replace(inst, groups=kept)


class Verify:
    """Does a changed input admit a plan? With ``ignore`` (the rules of the other
    conflicts, set aside) the question is whether every other rule of the changed input
    admits one: a guarded model with those rules off. Without, the whole input (the
    greedy first, then CP-SAT). True: a plan exists; False: proven none; None: unknown."""

    def __init__(self, ignore: frozenset = frozenset(), *, workers: int = 8, seed: int = 0,
                 only: frozenset | None = None) -> None:
        self.ignore = frozenset(ignore)
        self.only = None if only is None else frozenset(only)  # check these rules alone instead
        self.workers = workers
        self.seed = seed

    def enforced(self, key: tuple[str, tuple]) -> bool:
        return key in self.only if self.only is not None else key not in self.ignore

    def __call__(self, inst: Instance, limit: float) -> bool | None:
        if self.only is not None:  # the conflict's own rules (that the change left) alone
            g = _Guarded(inst, self.seed, self.workers)
            st, _ = g.check([k for k in g.keys if k in self.only], limit, core_needed=False)
            if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                return True
            return False if st == cp_model.INFEASIBLE else None
        if not self.ignore:
            return feasible(inst, limit, workers=self.workers, seed=self.seed)
        relaxed = relax(inst, self.ignore)
        if relaxed is not None:  # the same question as a plain input: greedy first, no guards
            return feasible(relaxed, limit, workers=self.workers, seed=self.seed)
        if _greedy_plan_exists(inst):  # a plan for every rule is a plan for fewer
            return True
        g = _Guarded(inst, self.seed, self.workers)
        st, _ = g.check([k for k in g.keys if k not in self.ignore], limit, core_needed=False)
        if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return True
        return False if st == cp_model.INFEASIBLE else None


#: capacity that never binds (a relaxed capacity rule)
_UNLIMITED = 10 ** 7


def relax(inst: Instance, keys) -> Instance | None:
    """The input with the rule instances ``keys`` set aside, as a plain input (the rest
    unchanged), or None when one of them has no such form (pilot-first, production-opens
    of one group, a per-month platform or location limit): then only the guarded model
    can set it aside. Exact: the plain model of the result has the same plans as the
    guarded model with every other rule enforced."""
    groups = {g.name: g for g in inst.groups}
    months = {m.label: m for m in inst.months}
    for rule, k in keys:
        if rule in _CAP_RULES:
            m = months[k[0]]
            months[k[0]] = dataclasses.replace(m, **{_RESOURCE_OF[rule]: _UNLIMITED})
        elif rule == R.WINDOW:
            groups[k[0]] = dataclasses.replace(groups[k[0]], earliest=None, latest=None)
        elif rule == R.BLACKOUT:
            groups[k[0]] = dataclasses.replace(groups[k[0]], blackout=())
        elif rule == R.METHOD:
            groups[k[0]] = dataclasses.replace(groups[k[0]], methods=METHODS)
        elif rule == R.VIP_ASSISTED:
            groups[k[0]] = dataclasses.replace(groups[k[0]], vip=False)
        elif rule == R.RISK_DELAY:
            groups[k[0]] = dataclasses.replace(groups[k[0]], risk="medium")
        elif rule == R.AFTER:
            g = groups[k[0]]
            groups[k[0]] = dataclasses.replace(g, after=tuple(h for h in g.after if h != k[1]))
        elif rule == R.DEPARTMENTS_TOGETHER:
            for name, g in groups.items():
                if g.department == k[0] and g.wave == k[1]:
                    groups[name] = dataclasses.replace(g, department="")
        else:
            # no plain form: production-opens (stage_gap = 0 still keeps production after the
            # stage's last month), pilot-first, a per-month platform or location limit
            return None
    return dataclasses.replace(inst, groups=tuple(groups[g.name] for g in inst.groups),
                               months=tuple(months[m.label] for m in inst.months))


# ------------------------------------------------------------------ conflict
def _order(keys: list[tuple[str, tuple]]) -> list[tuple[str, tuple]]:
    """Try dropping global rules first and group rules last: the filter keeps what is
    tried last, so the explanation prefers what a planner can change per group."""
    rank = {R.MAX_PLATFORMS: 0, R.MAX_LOCATIONS: 0, R.DEPARTMENTS_TOGETHER: 0, R.HELPDESK: 1,
            R.ASSISTED_CAP: 1, R.TECH_FAIR_CAP: 1}
    return sorted(keys, key=lambda k: rank.get(k[0], 2))


def _fits_alone(inst: Instance, g: Group) -> bool:
    """Some allowed (month, method) holds g with nobody else enrolling."""
    if inst.max_months(g) > 1 and g.size > 1:  # issue 15: a split group may fit in parts; no shortcut
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
    one = _Guarded(sub, seed)
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
        keys, minimal = shrink(g, core, time.perf_counter() + 0.6 * budget)
        log.info("conflict %d: %d rules shrunk to %d (%s) in %.2f s", len(found) + 1, len(core), len(keys),
                 "minimal" if minimal else "not minimal", time.perf_counter() - t)
        found.append((keys, minimal))
        used.update(keys)

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
        relaxed = relax(inst, used) if used else None
        if relaxed is not None and feasible(relaxed, min(left, 10.0), workers=workers, seed=seed):
            return found, True, ""  # the rules left admit a plan (found by a plain solve)
        st, core, searched = _search(g, active, deadline, planned, used, workers, seed)
        if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return found, True, ""
        if st != cp_model.INFEASIBLE:
            return found, False, ("the time limit ran out before the conflict was found" if not found else
                                  "the time ran out before every conflict was found")
        add(core or searched)  # no core: CP-SAT proved it in presolve; start from all


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


def family_instance(inst: Instance, families: frozenset, aside=()) -> Instance | None:
    """The input with only the rule families ``families`` (a ``_STAGES`` entry), less the
    rule instances ``aside``, as a plain input (None when ``aside`` has no plain form,
    see :func:`relax`). Exact: its plans are the guarded model's with those rules enforced.
    Groups keep their windows, blackouts, methods and VIP flag only when the family is in;
    without the pilot-stage rules every group is a low-risk production group with no stage
    (production-opens then has no rows); dependencies, per-month limits and departments
    are never in a stage."""
    stage = R.PRODUCTION_OPENS in families
    groups = []
    for g in inst.groups:
        kw: dict[str, Any] = {"after": (), "department": ""}
        if R.WINDOW not in families:
            kw.update(earliest=None, latest=None)
        if R.BLACKOUT not in families:
            kw["blackout"] = ()
        if R.METHOD not in families:
            kw["methods"] = METHODS
        if R.VIP_ASSISTED not in families:
            kw["vip"] = False
        if not stage:
            kw.update(wave="production", risk="low")
        groups.append(dataclasses.replace(g, **kw))
    rules = dataclasses.replace(inst.rules, max_platforms_per_month=0, max_locations_per_month=0,
                                keep_departments_together=False)
    out = dataclasses.replace(inst, groups=tuple(groups), rules=rules)
    return relax(out, [k for k in aside if k[0] in families])


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
            st, core = g.check(keys, max(0.5, deadline - time.perf_counter()))
            log.info("core among %d rules: %s in %.2f s", len(keys), st, time.perf_counter() - t)
            if st == cp_model.INFEASIBLE:
                return st, core, keys
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
        if plain is not None and feasible(plain, min(left, 5.0), workers=workers, seed=seed) is False:
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


def conflict_groups(inst: Instance, keys: list[tuple[str, tuple]]) -> list[str]:
    """The groups a conflict's rules name, in input order (empty: it is about all groups)."""
    names: set[str] = set()
    for rule, k in keys:
        if rule in _GROUP_RULES:
            names.add(k[0])
        elif rule == R.AFTER:
            names.update(k)
        elif rule == R.DEPARTMENTS_TOGETHER:
            names.update(g.name for g in inst.groups if g.department == k[0] and g.wave == k[1])
    return [g.name for g in inst.groups if g.name in names]


# ------------------------------------------------------------------ words
def _label(inst: Instance, t: int) -> str:
    return inst.months[t].label


def _window(inst: Instance, g: Group) -> tuple[int, int]:
    labels = inst.month_labels
    return (labels.index(g.earliest) if g.earliest else 0,
            labels.index(g.latest) if g.latest else len(labels) - 1)


def _users(n: int) -> str:
    return f"{n} user{'s' if n != 1 else ''}"


def _months(n: int) -> str:
    return f"{n} month{'s' if n != 1 else ''}"


def _not_before(inst: Instance, gap: int) -> str:
    """', so not before 2027-03': the earliest month the last pilot-stage month allows,
    from the pilot-stage groups' own earliest possible months ('' without pilots)."""
    starts = [min(inst.allowed_months(g), default=0) for g in inst.groups if g.pilot_stage]
    if not starts:
        return ""
    t = max(starts) + gap
    return f", so not before {_label(inst, t)}" if t < inst.horizon else ", so not within the plan's months"


def _kinds(inst: Instance, rule: str, t: int | None = None) -> list[str]:
    """The platforms (or non-empty locations) of the groups that may enroll in month t
    (any month when t is None), sorted."""
    attr = "platform" if rule == R.MAX_PLATFORMS else "location"
    return sorted({getattr(g, attr) for g in inst.groups
                   if getattr(g, attr) and (t is None or t in inst.allowed_months(g))})


def describe(inst: Instance, key: tuple[str, tuple], conflict: list[tuple[str, tuple]]) -> str:
    """One rule instance of a conflict, in words, with the numbers that make it bind."""
    rule, k = key
    r = inst.rules
    if rule in _CAP_RULES:
        res = _RESOURCE_OF[rule]
        m = next(x for x in inst.months if x.label == k[0])
        return f"{m.label} has room for at most {m.capacity(res)} {RESOURCE_LABELS[res]}"
    if rule in (R.MAX_PLATFORMS, R.MAX_LOCATIONS):
        n = r.max_platforms_per_month if rule == R.MAX_PLATFORMS else r.max_locations_per_month
        what = "platform" if rule == R.MAX_PLATFORMS else "location"
        vals = _kinds(inst, rule, inst.month_index(k[0]))
        return (f"{k[0]} may hold at most {n} {what}{'s' if n != 1 else ''} (max_{what}s_per_month); "
                f"the groups that may enroll then have {len(vals)}: {', '.join(vals)}")
    if rule == R.DEPARTMENTS_TOGETHER:
        gs = [g for g in inst.groups if g.department == k[0] and g.wave == k[1]]
        return (f"all {k[1]} groups of {k[0]} ({', '.join(g.name for g in gs)}: "
                f"{_users(sum(g.size for g in gs))}) must enroll in the same month (keep_departments_together)")
    g = inst.group(k[0])
    lo, hi = _window(inst, g)
    if rule == R.AFTER:
        h = inst.group(k[1])
        hlo = min(inst.allowed_months(h), default=0)
        ghi = max(inst.allowed_months(g), default=inst.horizon - 1)
        return (f"{g.name} must come after {h.name}, but {h.name} can't start before {_label(inst, hlo)} "
                f"and {g.name}'s latest possible month is {_label(inst, ghi)}")
    if rule == R.WINDOW:
        return f"{g.name} ({_users(g.size)}) must enroll between {_label(inst, lo)} and {_label(inst, hi)}"
    if rule == R.BLACKOUT:
        return f"{g.name} must not enroll in {', '.join(g.blackout)} (blackout)"
    if rule == R.METHOD:
        return f"{g.name} may only use {', '.join(g.methods)}"
    if rule == R.VIP_ASSISTED:
        return f"{g.name} is a VIP group and must be enrolled in person: {_users(g.size)} of assisted capacity"
    if rule == R.PILOT_FIRST:
        return (f"{g.name} is a{'n' if g.wave == 'expanded-pilot' else ''} {g.wave.replace('-', ' ')} group: "
                "every limited-pilot group must enroll no later than every expanded-pilot group")
    if rule == R.PRODUCTION_OPENS:
        return (f"{g.name} is a production group: it can start only {_months(r.stage_gap)} after "
                f"the last pilot-stage month (stage_gap){_not_before(inst, r.stage_gap)}")
    if rule == R.RISK_DELAY:
        return (f"{g.name} is high-risk: it waits {_months(r.risk_delay)} more after production opens "
                f"(risk_delay), {_months(r.stage_gap + r.risk_delay)} after the last pilot-stage month"
                f"{_not_before(inst, r.stage_gap + r.risk_delay)}")
    return f"{rule} {k}"


_GROUP_RULES = (R.WINDOW, R.BLACKOUT, R.METHOD, R.VIP_ASSISTED, R.PRODUCTION_OPENS, R.RISK_DELAY, R.PILOT_FIRST)


def _splits(inst: Instance, name: str) -> bool:
    g = inst.group(name)
    return inst.max_months(g) > 1 and g.size > 1


def _group_fits_nowhere(inst: Instance, g: Group, labels: list[str]) -> str:
    """'G (N users) fits in no month from A to B: by self-service it needs ...'."""
    ms = [m for m in inst.months if m.label in labels]
    why = []
    for k in inst.allowed_methods(g):
        tickets = inst.rules.tickets(g.size, k)
        most_hd = max(m.helpdesk for m in ms)
        if k == "self-service":
            why.append(f"by self-service it needs {tickets} helpdesk tickets but no month has more than {most_hd}")
        else:
            res, what = ("assisted", "assisted slots") if k == "assisted" else ("tech_fair", "tech-fair seats")
            most = max(m.capacity(res) for m in ms)
            if g.size > most:
                why.append(f"{'assisted' if k == 'assisted' else 'the tech fair'} needs {g.size} {what} "
                           f"(at most {most})")
            else:
                why.append(f"{'assisted' if k == 'assisted' else 'the tech fair'} needs {tickets} helpdesk "
                           f"tickets too (at most {most_hd})")
    if len(labels) == 1:
        return f"{g.name} ({_users(g.size)}) does not fit in {labels[0]}, its only possible month: " + "; ".join(why)
    return f"{g.name} ({_users(g.size)}) fits in no month from {labels[0]} to {labels[-1]}: " + "; ".join(why)


def headline(inst: Instance, conflict: list[tuple[str, tuple]]) -> str | None:
    """A one-sentence summary for the common shapes; None for others."""
    rules = [k[0] for k in conflict]
    caps = [k for k in conflict if k[0] in _CAP_RULES]
    group_keys = [k for k in conflict if k[0] in _GROUP_RULES]
    groups = {k[1][0] for k in group_keys}
    if caps and len(groups) == 1 and len(caps) + len(group_keys) == len(conflict) and \
            not _splits(inst, next(iter(groups))):  # issue 15: "fits in no month" is about a whole group
        g = inst.group(next(iter(groups)))
        order = inst.month_labels
        labels = sorted({c[1][0] for c in caps}, key=order.index)
        return _group_fits_nowhere(inst, g, labels)
    windows = [k for k in conflict if k[0] == R.WINDOW]
    if caps and len(windows) > 1 and len(caps) + len(windows) == len(conflict):
        order = inst.month_labels
        gs = [inst.group(k[1][0]) for k in windows]
        last = max(_window(inst, g)[1] for g in gs)
        room = sum(month_user_capacity(inst, t) for t in range(last + 1))
        return (f"{len(gs)} groups ({sum(g.size for g in gs):,} users) must enroll by {order[last]} "
                f"(their latest months), but the months up to {order[last]} can enroll at most {room:,} users")
    opens = [k for k in conflict if k[0] == R.PRODUCTION_OPENS]
    late = [inst.group(k[1][0]) for k in windows if inst.group(k[1][0]).pilot_stage and inst.group(k[1][0]).earliest]
    if caps and opens and late:
        start = max(inst.month_index(g.earliest) for g in late)
        first = start + inst.rules.stage_gap
        prod = [inst.group(k[1][0]) for k in opens]
        room = sum(month_user_capacity(inst, t) for t in range(first, inst.horizon))
        lead = next(g for g in late if inst.month_index(g.earliest) == start)
        return (f"the pilot stage can't end before {inst.months[start].label} ({lead.name} can't start "
                f"earlier), so production opens in {_label(inst, first) if first < inst.horizon else 'no month of the plan'}"
                f" at the earliest, but " + (f"the {len(prod):,} production groups" if len(prod) > 3 else
                                             ", ".join(g.name for g in prod))
                + f" ({sum(g.size for g in prod):,} users) don't fit in the months from then on: at most "
                f"{room:,} users")
    limits = [k for k in conflict if k[0] in (R.MAX_PLATFORMS, R.MAX_LOCATIONS)]
    if limits and len(limits) == len(conflict) and len({k[0] for k in limits}) == 1:
        rule = limits[0][0]
        what = "platform" if rule == R.MAX_PLATFORMS else "location"
        n = inst.rules.max_platforms_per_month if rule == R.MAX_PLATFORMS else inst.rules.max_locations_per_month
        vals = _kinds(inst, rule)
        labels = sorted({k[1][0] for k in limits}, key=inst.month_labels.index)
        return (f"the groups span {len(vals)} {what}s ({', '.join(vals)}) but {_span(inst, labels)} may hold "
                f"at most {n} {what}{'s' if n != 1 else ''} each (max_{what}s_per_month)")
    if caps and len(caps) == len(conflict):
        order = inst.month_labels
        labels = sorted({c[1][0] for c in caps}, key=order.index)
        room = sum(month_user_capacity(inst, order.index(lab)) for lab in labels)
        users = sum(g.size for g in inst.groups)
        span = labels[0] if len(labels) == 1 else f"{labels[0]} to {labels[-1]}"
        if room < users:
            return (f"all {len(inst.groups):,} groups ({users:,} users) must enroll from {span}, but with their "
                    f"helpdesk, assisted and tech-fair capacity these months can enroll at most {room:,} users")
        return f"the groups don't fit in the capacities of {', '.join(labels)}"
    if R.AFTER in rules:
        return describe(inst, next(x for x in conflict if x[0] == R.AFTER), conflict)
    if len(conflict) == 1:
        return describe(inst, conflict[0], conflict)
    return None


# ------------------------------------------------------------------ repairs
def apply_repair(inst: Instance, repair: Repair) -> Instance:
    """The instance with a repair's changes applied."""
    out = inst
    for what, val in repair.changes:
        out = _apply(out, what, val)
    return out


def _replace_group(inst: Instance, name: str, **kw) -> Instance:
    return dataclasses.replace(inst, groups=tuple(dataclasses.replace(g, **kw) if g.name == name else g
                                                  for g in inst.groups))


def _apply(inst: Instance, what: str, val: Any) -> Instance:
    if what == "capacity":
        label, res, delta = val
        return dataclasses.replace(inst, months=tuple(
            dataclasses.replace(m, **{res: m.capacity(res) + delta}) if m.label == label else m for m in inst.months))
    if what in ("earliest", "latest"):
        name, label = val
        return _replace_group(inst, name, **{what: label})
    if what == "unblackout":
        name, label = val
        g = inst.group(name)
        return _replace_group(inst, name, blackout=tuple(b for b in g.blackout if b != label))
    if what == "drop_after":
        name, pred = val
        g = inst.group(name)
        return _replace_group(inst, name, after=tuple(h for h in g.after if h != pred))
    if what == "methods":
        name, methods = val
        return _replace_group(inst, name, methods=tuple(methods))
    if what == "vip":
        name, flag = val
        return _replace_group(inst, name, vip=flag)
    if what == "rule":
        key, value = val
        return dataclasses.replace(inst, rules=dataclasses.replace(inst.rules, **{key: value}))
    if what == split_repair.CHANGE:  # issue 15: let a group enroll over more months
        return split_repair.apply(inst, val)
    if what == "add_months":
        n = int(val)
        months = list(inst.months)
        for _ in range(n):
            y, m = (int(x) for x in months[-1].label.split("-")[:2]) if _is_ym(months[-1].label) else (None, None)
            label = f"{y + (m // 12)}-{m % 12 + 1:02d}" if y is not None else f"{months[-1].label}+1"
            last = months[-1]
            months.append(Month(label, helpdesk=last.helpdesk, assisted=last.assisted, tech_fair=last.tech_fair))
        return dataclasses.replace(inst, months=tuple(months))
    raise ValueError(what)


def _is_ym(label: str) -> bool:
    parts = label.split("-")
    return len(parts) == 2 and all(p.isdigit() for p in parts) and 1 <= int(parts[1]) <= 12


def _candidates(inst: Instance, key: tuple[str, tuple]) -> list[Repair]:
    """Possible single changes for one rule instance, cheapest first (verified later)."""
    rule, k = key
    r = inst.rules
    out: list[Repair] = []
    if rule in (R.MAX_PLATFORMS, R.MAX_LOCATIONS):
        attr = "max_platforms_per_month" if rule == R.MAX_PLATFORMS else "max_locations_per_month"
        cur = getattr(r, attr)
        out.append(Repair(f"allow {cur + 1} instead of {cur} per month ({attr} = {cur + 1})", "rule", 1.0,
                          (("rule", (attr, cur + 1)),)))
        out.append(Repair(f"drop the rule {attr} (set it to 0)", "drop-rule", 3.0, (("rule", (attr, 0)),)))
    elif rule == R.DEPARTMENTS_TOGETHER:
        out.append(Repair("drop keep_departments_together", "drop-rule", 3.0,
                          (("rule", ("keep_departments_together", False)),)))
    elif rule == R.PRODUCTION_OPENS and r.stage_gap > 0:
        out.append(Repair(f"shorten stage_gap from {r.stage_gap} to {r.stage_gap - 1}", "rule", 2.0,
                          (("rule", ("stage_gap", r.stage_gap - 1)),)))
    elif rule == R.RISK_DELAY and r.risk_delay > 0:
        out.append(Repair(f"shorten risk_delay from {r.risk_delay} to {r.risk_delay - 1}", "rule", 2.0,
                          (("rule", ("risk_delay", r.risk_delay - 1)),)))
    elif rule == R.AFTER:
        out.append(Repair(f"drop the dependency: {k[0]} after {k[1]}", "drop-rule", 2.0,
                          (("drop_after", (k[0], k[1])),)))
    elif rule == R.WINDOW:
        g = inst.group(k[0])
        lo, hi = _window(inst, g)
        for d in range(1, inst.horizon):
            if hi + d < inst.horizon:
                out.append(Repair(f"move {g.name}'s latest month from {_label(inst, hi)} to {_label(inst, hi + d)}",
                                  "window", float(d), (("latest", (g.name, _label(inst, hi + d))),)))
            if lo - d >= 0:
                out.append(Repair(f"move {g.name}'s earliest month from {_label(inst, lo)} to {_label(inst, lo - d)}",
                                  "window", float(d), (("earliest", (g.name, _label(inst, lo - d))),)))
    elif rule == R.BLACKOUT:
        g = inst.group(k[0])
        for b in g.blackout:
            out.append(Repair(f"let {g.name} enroll in {b} (remove it from its blackout months)", "blackout", 1.0,
                              (("unblackout", (g.name, b)),)))
    elif rule == R.METHOD:
        g = inst.group(k[0])
        for m in METHODS:
            if m not in g.methods:
                out.append(Repair(f"let {g.name} use {m} as well", "method", 1.5,
                                  (("methods", (g.name, tuple(g.methods) + (m,))),)))
    elif rule == R.VIP_ASSISTED:
        g = inst.group(k[0])
        n = sum(1 for h in inst.groups if h.vip)
        if r.vip_assisted and n > 1:  # first: when other VIP groups need in-person help too, the
            # one-group change fails, and proving that can take the time at 1,000 groups
            out.append(Repair(f"let all {n} VIP groups enroll without in-person help (vip_assisted = false)",
                              "rule", 3.0, (("rule", ("vip_assisted", False)),)))
        out.append(Repair(f"let {g.name} enroll without in-person help (not as a VIP group)", "vip", 2.0,
                          (("vip", (g.name, False)),)))
    return out


#: Objective weight of one unit of extra capacity: a helpdesk ticket stands for about
#: seven self-service users, so it weighs as much as seven assisted or tech-fair seats.
_SLACK_WEIGHT = {"helpdesk": 7, "assisted": 1, "tech_fair": 1}


def _hint_slack(inst: Instance, rm: RolloutModel, slack: dict[tuple[str, str], int]) -> None:
    """Warm start: a greedy plan with unlimited capacity, and the slack it needs."""
    from .greedy import best_greedy
    from .plan import Plan

    big = dataclasses.replace(inst, months=tuple(
        dataclasses.replace(m, helpdesk=m.helpdesk + 10**7, assisted=m.assisted + 10**7, tech_fair=m.tech_fair + 10**7)
        for m in inst.months))
    plan = best_greedy(big)
    if plan is None:
        return
    rm.hint(plan)
    loads = Plan.from_indices(inst, plan).loads()
    index = {m.label: t for t, m in enumerate(inst.months)}
    for (res, label), v in slack.items():
        t = index[label]
        rm.proto.solution_hint.vars.append(v)
        rm.proto.solution_hint.values.append(max(0, loads[t][res] - inst.months[t].capacity(res)))


def capacity_repair(inst: Instance, limit: float, *, workers: int = 8, seed: int = 0,
                    verify: Verify | None = None) -> Repair | None:
    """The least extra capacity (over all months and resources together) that gives a
    plan: the plain model with a slack on every capacity row, minimising weighted slack.
    With a ``verify`` that sets rules aside (``ignore``, ``only``): the guarded model with
    only the rules it enforces."""
    partial = verify is not None and (verify.ignore or verify.only is not None)
    rm = RolloutModel(inst, redundant=False, guards=partial)
    if partial:
        rm.proto.assumptions.extend(lit for k, lit in rm.guards.items() if verify.enforced(k))
    slack: dict[tuple[str, str], int] = {}
    for (res, label), ci in rm.capacity_rows.items():
        demand = sum(g.size for g in inst.groups) if res != "helpdesk" else sum(
            max(inst.rules.tickets(g.size, k) for k in METHODS) for g in inst.groups)
        v = rm._new_vars(1, 0, max(1, demand))
        ct = rm.proto.constraints[ci]
        ct.linear.vars.append(v)
        ct.linear.coeffs.append(-1)
        slack[(res, label)] = v
    if not slack:
        return None
    rm.proto.objective.vars.extend(slack.values())
    rm.proto.objective.coeffs.extend(_SLACK_WEIGHT[res] for res, _ in slack)
    _hint_slack(inst, rm, slack)
    s = _solver(limit, workers, seed)
    st = s.solve(rm.model)
    if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    sol = s.response_proto.solution
    extra = [(res, label, int(sol[v])) for (res, label), v in slack.items() if sol[v] > 0]
    if not extra:
        return None
    order = {m.label: i for i, m in enumerate(inst.months)}
    extra.sort(key=lambda e: (order[e[1]], e[0]))
    caps = {m.label: m for m in inst.months}
    parts = [f"+{d} {RESOURCE_LABELS[res]} in {label} ({caps[label].capacity(res)} -> "
             f"{caps[label].capacity(res) + d})" for res, label, d in extra]
    cost = sum(d / max(1, caps[label].capacity(res)) for res, label, d in extra)
    proven = "" if st == cp_model.OPTIMAL else " (the least found within the time limit)"
    return Repair(" and ".join(parts) + proven, "capacity", round(cost, 4),
                  tuple(("capacity", (label, res, d)) for res, label, d in extra))


def _left(deadline: float) -> float:
    """Seconds for one feasibility check: what is left, at most 10."""
    return min(10.0, max(0.5, deadline - time.perf_counter()))


def _bisect(lo: int, hi: int, ok, deadline: float) -> int | None:
    """The smallest value in [lo, hi] for which ``ok`` (monotone: once True, True for
    every larger value) is proven True; None when there is none or the time runs out
    first. An unknown verdict (None) counts as "not proven": the search goes on upwards,
    so the value returned is always verified, but may not be the least when a check of
    a smaller one ran out of time."""
    best = None
    while lo <= hi and time.perf_counter() < deadline:
        mid = (lo + hi) // 2
        verdict = ok(mid)
        if verdict:
            best, hi = mid, mid - 1
        else:
            lo = mid + 1
    return best


def deadline_repair(inst: Instance, conflict: list[tuple[str, tuple]], *, deadline: float,
                    workers: int = 8, verify: Verify | None = None) -> Repair | None:
    """Many groups due too early (several windows in the conflict): the nearest common
    latest month that gives a plan, for every one of them whose latest month is earlier.
    A later latest month only adds plans, so the search bisects."""
    names = [k[1][0] for k in conflict if k[0] == R.WINDOW]
    if len(names) < 2:
        return None
    his = {n: _window(inst, inst.group(n))[1] for n in names}
    last = max(his.values())

    def changes(t: int) -> tuple:
        return tuple(("latest", (n, _label(inst, t))) for n, h in his.items() if h < t)

    verify = verify or Verify(workers=workers)

    def ok(t: int) -> bool | None:
        return verify(apply_repair(inst, Repair("", "window", 0.0, changes(t))), _left(deadline))

    best = _bisect(last + 1, inst.horizon - 1, ok, deadline)
    if best is None:
        return None
    return Repair(f"let the {len(names)} groups due by {_label(inst, last)} enroll until {_label(inst, best)} "
                  f"(move their latest month)", "window", float(best - last) + 0.5, changes(best))


#: Shares tried by the uniform capacity repair, in percent.
_PERCENTS = (5, 10, 20, 30, 50, 75, 100, 150, 200, 300, 500)


def uniform_capacity_repair(inst: Instance, conflict: list[tuple[str, tuple]], *, deadline: float,
                            workers: int = 8, verify: Verify | None = None) -> Repair | None:
    """The same extra share of every conflicting capacity (e.g. +30 % helpdesk tickets in
    every month from 2027-01 to 2027-12): the smallest share on a ladder that gives a plan.
    A fallback for when the least-extra-capacity model does not finish (large instances)."""
    caps = {m.label: m for m in inst.months}
    cells = [(k[1][0], _RESOURCE_OF[k[0]]) for k in conflict if k[0] in _CAP_RULES]
    cells = [(label, res) for label, res in cells if caps[label].capacity(res) > 0]
    if not cells:
        return None

    def changes(i: int) -> tuple:
        pct = _PERCENTS[i]
        return tuple(("capacity", (label, res, -(-caps[label].capacity(res) * pct // 100))) for label, res in cells)

    verify = verify or Verify(workers=workers)

    def ok(i: int) -> bool | None:
        return verify(apply_repair(inst, Repair("", "capacity", 0.0, changes(i))), _left(deadline))

    best = _bisect(0, len(_PERCENTS) - 1, ok, deadline)
    if best is None:
        return None
    pct, order = _PERCENTS[best], inst.month_labels
    parts = []
    for res in ("helpdesk", "assisted", "tech_fair"):
        labels = sorted({lb for lb, r in cells if r == res}, key=order.index)
        if labels:
            extra = sum(d for what, (lb, r, d) in changes(best) if r == res)
            parts.append(f"+{pct} % {RESOURCE_LABELS[res]} in {_span(inst, labels)} (+{extra:,} in all)")
    return Repair(" and ".join(parts), "capacity", round(pct / 100 * len(cells), 4), changes(best))


def _span(inst: Instance, labels: list[str]) -> str:
    """'every month from A to B' for consecutive months, else the list."""
    idx = [inst.month_index(lb) for lb in labels]
    if len(idx) > 2 and idx == list(range(idx[0], idx[-1] + 1)):
        return f"every month from {labels[0]} to {labels[-1]}"
    return ", ".join(labels)


def repairs(inst: Instance, conflict: list[tuple[str, tuple]], *, deadline: float, workers: int = 8,
            limit: int = 8, verify: Verify | None = None) -> list[Repair]:
    """Single changes that each resolve the conflict, cheapest first: with the change the
    instance is feasible (with ``verify.ignore``: feasible once those rules, the other
    conflicts', are set aside)."""
    verify = verify or Verify(workers=workers)
    found: list[Repair] = []
    seen: set[tuple] = set()
    windows = sum(1 for k in conflict if k[0] == R.WINDOW)
    if windows >= 2:
        rep = deadline_repair(inst, conflict, deadline=time.perf_counter() + 0.4 * (deadline - time.perf_counter()),
                              workers=workers, verify=verify)
        if rep is not None:
            found.append(rep)
            seen.add(rep.changes)
    # single changes first, in at most half the time left (the capacity model can use the rest)
    singles_end = time.perf_counter() + 0.5 * (deadline - time.perf_counter())
    for key in conflict:
        if time.perf_counter() >= singles_end:
            break
        if key[0] == R.WINDOW and windows > 3:
            continue  # one group's window alone rarely helps when many are due: deadline_repair
        for rep in _candidates(inst, key):
            if rep.changes in seen or time.perf_counter() >= singles_end:
                continue
            seen.add(rep.changes)
            try:
                verdict = verify(apply_repair(inst, rep), _left(singles_end))
            except (ValueError, KeyError):
                continue
            if verdict:
                found.append(rep)
                if rep.kind == "window":
                    break  # the nearest window change for this group is enough
    if any(k[0] in _CAP_RULES for k in conflict):  # issue 15: "let Sales enroll over 2 months"
        found += split_repairs(inst, conflict_groups(inst, conflict), verify,
                               time.perf_counter() + 0.25 * (deadline - time.perf_counter()))
    if any(k[0] in _CAP_RULES or k[0] == R.WINDOW for k in conflict) and time.perf_counter() < deadline:
        for n in (1, 2, 3):
            rep = Repair(f"extend the plan by {n} month{'s' if n > 1 else ''} (capacities as in the last month)",
                         "horizon", 2.0 + n, (("add_months", n),))
            if any(g.latest is None for g in inst.groups) and time.perf_counter() < deadline and \
                    verify(apply_repair(inst, rep), _left(deadline)):
                if rep.changes not in seen:
                    found.append(rep)
                break
    if any(k[0] in _CAP_RULES for k in conflict):
        rep = capacity_repair(inst, min(20.0, max(0.5, 0.7 * (deadline - time.perf_counter()))), workers=workers,
                              verify=verify)
        if rep is not None and verify(apply_repair(inst, rep), _left(deadline)):
            found.append(rep)
            seen.add(rep.changes)
        elif time.perf_counter() < deadline:
            rep = uniform_capacity_repair(inst, conflict, deadline=deadline, workers=workers, verify=verify)
            if rep is not None:
                found.append(rep)
                seen.add(rep.changes)
    found.sort(key=lambda rp: (rp.cost, rp.description))
    return found[:limit]


# ------------------------------------------------------------------ entry point
def combine(inst: Instance, per_conflict: list[list[Repair]], *, deadline: float, workers: int = 8,
            seed: int = 0) -> tuple[list[Repair], bool]:
    """One change per conflict that together give a plan for the whole input:
    (changes, verified?). The smallest change of each conflict first; when the whole
    input still has no plan with them, the next smallest of one conflict at a time
    (the conflicts are disjoint, but a change of one can touch another's months)."""
    if not per_conflict or any(not reps for reps in per_conflict):
        return [], False
    verify = Verify(workers=workers, seed=seed)
    choice = [reps[0] for reps in per_conflict]
    tries = [list(choice)] + [choice[:i] + [alt] + choice[i + 1:]
                              for i, reps in enumerate(per_conflict) for alt in reps[1:3]]
    for steps in tries:
        if time.perf_counter() >= deadline:
            break
        if verify(apply_repair(inst, Repair("", "combined", 0.0, _merged(steps))), _left(deadline)):
            return steps, True
    return choice, False


def _merged(steps: list[Repair]) -> tuple:
    """The changes of several repairs; horizon extensions are not added up (the longest counts)."""
    months = [int(v) for rep in steps for what, v in rep.changes if what == "add_months"]
    out = tuple(ch for rep in steps for ch in rep.changes if ch[0] != "add_months")
    return out + ((("add_months", max(months)),) if months else ())


def apply_combined(inst: Instance, steps: list[Repair]) -> Instance:
    """The instance with every change of a combined repair applied."""
    return apply_repair(inst, Repair("", "combined", 0.0, _merged(steps)))


def _conflict_repairs(inst: Instance, keysets: list[list[tuple[str, tuple]]], *, deadline: float,
                      workers: int, seed: int) -> tuple[list[list[Repair]], list[bool]]:
    """For each conflict its smallest changes verified with the other conflicts set aside
    (strong); for one with none in its share of the time, changes that resolve the conflict
    itself (its rules alone admit a plan: weak, marked False)."""
    per: list[list[Repair]] = []
    strong: list[bool] = []
    for i, keys in enumerate(keysets):
        others = frozenset(k for j, ks in enumerate(keysets) if j != i for k in ks)
        end = time.perf_counter() + (deadline - time.perf_counter()) / (len(keysets) - i)
        t = time.perf_counter()
        # a lone conflict's changes need every second at scale; with several, keep some for the weak ones
        strong_end = end if len(keysets) == 1 else end - 0.3 * (end - time.perf_counter())
        reps = repairs(inst, keys, deadline=strong_end, workers=workers,
                       verify=Verify(others, workers=workers, seed=seed))
        strong.append(bool(reps))
        if not reps and time.perf_counter() < end:
            reps = repairs(inst, keys, deadline=end, workers=workers,
                           verify=Verify(workers=workers, seed=seed, only=frozenset(keys)))
        per.append(reps)
        log.info("conflict %d: %d %s repairs in %.2f s", i + 1, len(reps), "verified" if strong[-1] else "own-rule",
                 time.perf_counter() - t)
    return per, strong


#: rounds of conflicts: the next round searches the input with the round's combined repair
#: applied (a conflict can hide behind another that shares its months: at first the rules set
#: aside leave a plan, but the repairs do not)
_ROUNDS = 3


def explain(inst: Instance, *, time_limit: float = DEFAULT_TIME_LIMIT, seed: int = 0, workers: int = 8) -> Explanation:
    """Every conflict (disjoint, each shrunk to minimal), for each the smallest verified
    changes that resolve it, and one change per conflict that together give a plan,
    verified by a solve of the whole input; within ``time_limit`` seconds."""
    t0 = time.perf_counter()
    end = t0 + 0.97 * time_limit  # the last feasibility check may start just before the deadline
    cur, sets, steps = inst, [], []
    verified = complete = False
    note = ""
    only_strong = True
    for rnd in range(_ROUNDS):
        left = end - time.perf_counter()
        if rnd and left < 0.15 * time_limit:
            break
        found, complete, note = find_conflicts(cur, deadline=time.perf_counter() + 0.6 * left, seed=seed,
                                               workers=workers)
        log.info("round %d: %d conflicts (%s) in %.2f s", rnd + 1, len(found), "all" if complete else "maybe more",
                 time.perf_counter() - t0)
        if not found:
            break
        keysets = [keys for keys, _ in found]
        per, strong = _conflict_repairs(cur, keysets, deadline=end - (0.15 if len(found) > 1 else 0.0) *
                                        (end - time.perf_counter()), workers=workers, seed=seed)
        only_strong = only_strong and all(strong)
        sets += [ConflictSet(rules=[Conflict(rule, key, describe(cur, (rule, key), keys)) for rule, key in keys],
                             groups=conflict_groups(cur, keys), summary=headline(cur, keys) or "",
                             repairs=reps, minimal=minimal, round=rnd + 1)
                 for (keys, minimal), reps in zip(found, per)]
        if len(found) == 1 and strong[0]:
            comb, ok = per[0][:1], True  # verified on the whole input already
        else:
            comb, ok = combine(cur, per, deadline=end, workers=workers, seed=seed)
        steps += comb
        if ok or not comb or len(comb) < len(found) or not complete:
            verified = ok
            break
        cur = apply_combined(cur, comb)
    if verified and rnd > 0:  # each round's changes were checked on the input changed before it
        verified = bool(feasible(apply_combined(inst, steps), max(0.5, t0 + time_limit - time.perf_counter()),
                                 workers=workers, seed=seed))
    minimal = bool(sets) and all(s.minimal for s in sets)
    if not sets:
        note = note or "no conflict was found"
    elif not complete and not note:
        note = "the time ran out before every conflict was found"
    elif not verified:
        # The rules left admit a plan with these conflicts' rules set aside, but not with their
        # repairs: a conflict can hide behind another whose months or groups it shares.
        complete = False
        note = ("no set of changes was found that gives a plan for the whole input in the time: other "
                "conflicts that share months or groups with these may show once they are fixed; run again "
                "after the changes")
    single = len(sets) == 1 and only_strong
    return Explanation(conflicts=[c for st in sets for c in st.rules], repairs=sets[0].repairs if single else [],
                       minimal=minimal, seconds=time.perf_counter() - t0, note=note,
                       summary=sets[0].summary if len(sets) == 1 else "", sets=sets, combined=steps,
                       combined_verified=verified, complete=complete and verified)

"""Feasibility questions an explanation asks: does the input, with some rule instances
enforced or set aside, admit a plan? (the guarded model, and the exact plain forms that answer faster)"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from ortools.sat.python import cp_model

from optimizer import rules as R
from optimizer.domain import METHODS, Group, Instance
from optimizer.model import RolloutModel
from optimizer.model_parts import PartsModel
from optimizer.parts_guarded import GuardedPartsModel
from optimizer.explain.rulekeys import _CAP_RULES, _RESOURCE_OF, conflict_groups


log = logging.getLogger(__name__)


DEFAULT_TIME_LIMIT = 30.0


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
    rm = PartsModel(inst) if inst.may_split else RolloutModel(inst)  # split groups need parts
    s = _solver(limit, workers, seed)
    s.parameters.stop_after_first_solution = True
    st = s.solve(rm.model)
    if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return True
    return False if st == cp_model.INFEASIBLE else None


def _greedy_plan_exists(inst: Instance) -> bool:
    """True when the greedy finds a plan that the checker accepts."""
    from optimizer.checker import check_plan
    from optimizer.solving.greedy import best_greedy
    from optimizer.plan import Plan

    try:
        plan = best_greedy(inst)
    except (ValueError, KeyError):
        return False
    return plan is not None and check_plan(Plan.from_indices(inst, plan)) == []


class _Guarded:
    """The guarded model and infeasibility checks under a subset of its guards."""

    def __init__(self, inst: Instance, seed: int, workers: int = 8, parts: bool | None = None) -> None:
        #: split inputs: the model of parts (a conflict found on whole groups may vanish by splitting)
        self.parts = inst.may_split if parts is None else parts
        self.rm = GuardedPartsModel(inst) if self.parts else RolloutModel(inst, guards=True)
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
            small = _Guarded(sub, self.seed, self.workers, self.parts)
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
        # Presolve cannot use assumptions and only costs time here (docs/benchmarks.md, "Explaining infeasibility").
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
    (production-opens, pilot-first) left out while others are in. The rules of parts (split
    inputs) are in every plain form: one left out has a plain form only for months-per-group
    (max_months = the horizon)."""
    fams = {k[0] for k in keys}
    if not fams <= _PLAIN_FAMILIES | _PARTS_RULES:
        return None
    families = frozenset(_CAP_RULES) | fams | _PARTS_RULES
    if fams & _STAGE_FAMILIES:
        families |= _STAGE_FAMILIES
    enforced = set(keys)
    return family_instance(inst, families, [k for k in all_keys if k[0] in families and k not in enforced])


#: the rules of parts: how a group may split
_PARTS_RULES = frozenset({R.MONTHS_PER_GROUP, R.LEAST_PART, R.ONE_METHOD})


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
        """With ``only``: those rules, and a group's rules of parts (how far it may split) unless
        set aside: a changed input that lets a group split is judged by its new max_months."""
        if self.only is not None:
            return key in self.only or (key[0] in _PARTS_RULES and key not in self.ignore)
        return key not in self.ignore

    def __call__(self, inst: Instance, limit: float) -> bool | None:
        if self.only is not None:  # the conflict's own rules (that the change left) alone
            g = _Guarded(inst, self.seed, self.workers)
            st, _ = g.check([k for k in g.keys if self.enforced(k)], limit, core_needed=False)
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


#: the rule families :func:`relax` can set aside in a plain input
RELAXABLE = frozenset(_CAP_RULES) | {R.WINDOW, R.BLACKOUT, R.METHOD, R.VIP_ASSISTED, R.RISK_DELAY, R.AFTER,
                                     R.MONTHS_PER_GROUP, R.DEPARTMENTS_TOGETHER}


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
        elif rule == R.MONTHS_PER_GROUP:  # the group may span every month
            groups[k[0]] = dataclasses.replace(groups[k[0]], max_months=inst.horizon)
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


def family_instance(inst: Instance, families: frozenset, aside=()) -> Instance | None:
    """The input with only the rule families ``families`` (a ``_STAGES`` entry), less the
    rule instances ``aside``, as a plain input (None when ``aside`` has no plain form,
    see :func:`relax`). Exact: its plans are the guarded model's with those rules enforced.
    Groups keep their windows, blackouts, methods and VIP flag only when the family is in;
    without the pilot-stage rules every group is a low-risk production group with no stage
    (production-opens then has no rows); dependencies, per-month limits and departments
    are never in a stage. The rules of parts (months-per-group, least-part, one-method) are
    always in: the plain input keeps max_months and min_part_users (``_search`` puts them into
    every stage of a split input), less those ``aside``."""
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
    return relax(out, [k for k in aside if k[0] in families or k[0] in _PARTS_RULES])

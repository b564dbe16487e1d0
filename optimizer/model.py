"""The CP-SAT model: variables, one method per rule family, objectives.

Math (docs/model.md): binary ``x[g,t,k]`` = group g enrolls in month t with
method k, created only for eligible (t, k); a group's month is the linear
expression ``sum t*x``; monotone ``open[t]`` literals with
``finish = sum open - 1`` switch capacity off after the finish (the strong
makespan formulation).

The model is written straight into the CpModelProto from numpy arrays (no
per-term Python expression objects), so a 5,000-group x 36-month model builds
in about a second. Every constraint goes through :meth:`RolloutModel._linear`
and is tagged with its rule family; with ``guards=True`` each rule instance
is enforced by its own literal (for infeasibility explanations).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from optimizer import rules as R
from optimizer.domain import METHODS, SEAT_RESOURCE, Instance
from optimizer.model_cuts import UNBOUNDED, ImpliedCuts, month_user_capacity, stage_floor
from optimizer.model_solutions import Solutions
from optimizer.solving.month_bounds import MonthBounds

__all__ = ["UNBOUNDED", "RolloutModel", "Terms", "month_user_capacity", "stage_floor"]

_K = {k: i for i, k in enumerate(METHODS)}


@dataclass
class Terms:
    """A linear expression as proto variable indices and coefficients."""

    vars: list[int]
    coeffs: list[int]


class RolloutModel(ImpliedCuts, Solutions):
    """Builds the CP-SAT model of an :class:`Instance`.

    Parameters
    ----------
    guards:
        Enforce every rule instance with its own literal, listed in
        ``self.guards`` as ``{(rule, key): literal index}``; eligibility is then
        modelled with explicit (guarded) exclusions instead of missing variables.
    redundant:
        Add the implied capacity rows (off for models whose capacities are relaxed,
        e.g. with slack for capacity repairs; with guards they are guarded too).
    max_month:
        Create no variables after this month (a known upper bound on the finish,
        e.g. from a greedy plan, when finish is the first objective level).
    """

    def __init__(self, inst: Instance, *, guards: bool = False, max_month: int | None = None,
                 redundant: bool = True) -> None:
        self.inst = inst
        self.guards_on = guards
        self.redundant = redundant
        self.max_month = inst.horizon - 1 if max_month is None else min(max_month, inst.horizon - 1)
        self.model = cp_model.CpModel()
        self.proto = self.model.proto
        self.constraint_counts: dict[str, int] = defaultdict(int)
        self.guards: dict[tuple[str, tuple], int] = {}
        #: (resource, month label) -> index of its capacity row in proto.constraints
        self.capacity_rows: dict[tuple[str, str], int] = {}
        #: guard mode: the guard literals of each implied cut ('not all of these rules'),
        #: smallest first: ready-made conflicts for the explanation to verify
        self.cuts: list[list[int]] = []
        #: helper variables and how to compute their value from a plan (for complete hints):
        #: (variable index, function(month per group, method index per group) -> int)
        self._aux: list[tuple[int, object]] = []
        self.index = {g.name: i for i, g in enumerate(inst.groups)}
        #: the earliest month the pilot stage can end (capacity prefix sums, ``stage_floor``);
        #: 0 when guards or relaxed capacities make it unsafe to use
        floor = stage_floor(inst, self.max_month + 1) if redundant and not guards else 0
        self.stage_floor = floor or 0
        #: the first month production can use by that floor (+ stage_gap; 0 without pilot stage)
        has_stage = any(g.pilot_stage for g in inst.groups)
        self.production_floor = self.stage_floor + inst.rules.stage_gap if has_stage else 0
        #: the earliest finish the capacity rows allow (set by add_redundant_capacity; 0 without)
        self.finish_floor = 0
        self.add_variables()
        self.add_constraints()
        self.objectives = self.objective_terms()

    # ------------------------------------------------------------- helpers
    def _new_vars(self, n: int, lo: int, hi: int) -> int:
        """Append n variables with domain [lo, hi]; return the first index."""
        first = len(self.proto.variables)
        vs = self.proto.variables
        for _ in range(n):
            vs.add().domain.extend((lo, hi))
        return first

    def _guard(self, rule: str, key: tuple) -> list[int]:
        if not self.guards_on or rule is None:
            return []
        lit = self.guards.get((rule, key))
        if lit is None:
            lit = self._new_vars(1, 0, 1)
            self.guards[(rule, key)] = lit
        return [lit]

    def _linear(self, vars_, coeffs, lo: int, hi: int, rule: str | None = None, key: tuple = ()) -> None:
        """Add lo <= sum coeffs*vars <= hi, tagged with its rule family."""
        ct = self.proto.constraints.add()
        ct.enforcement_literal.extend(self._guard(rule, key))
        ct.linear.vars.extend(vars_)
        ct.linear.coeffs.extend(coeffs)
        ct.linear.domain.extend((max(lo, -UNBOUNDED), min(hi, UNBOUNDED)))
        if rule:
            self.constraint_counts[rule] += 1

    def month_terms(self, gi: int) -> Terms:
        """Group gi's month as sum t * x[g,t,k]."""
        a, b = self.starts[gi], self.starts[gi + 1]
        return Terms(list(range(a, b)), self.tx[a:b].tolist())

    # ----------------------------------------------------------------- vars
    def add_variables(self) -> None:
        """x[g,t,k] for eligible (month, method) pairs only (in guard mode: all
        pairs, exclusions added by :meth:`add_eligibility`), then open[t] and finish."""
        inst = self.inst
        G, T = len(inst.groups), self.max_month + 1
        elig = np.zeros((G, T, len(METHODS)), dtype=bool)
        # production months before the stage can possibly end (+ gap, + risk delay) are
        # never used by a valid plan: leave them out (``stage_floor``)
        has_stage = any(g.pilot_stage for g in inst.groups)
        firsts = MonthBounds(inst).stage_lowers(self.stage_floor if has_stage else -1)
        for gi, g in enumerate(inst.groups):
            if self.guards_on:
                elig[gi] = True
                continue
            first = int(firsts[gi])
            months = [t for t in inst.allowed_months(g) if first <= t < T]
            ks = [_K[k] for k in inst.allowed_methods(g)]
            elig[gi][np.ix_(months, ks)] = True
        self.gx, self.tx, self.kx = (a.astype(np.int64) for a in np.nonzero(elig))
        self.n_x = len(self.gx)
        self.starts = np.searchsorted(self.gx, np.arange(G + 1))
        self._new_vars(self.n_x, 0, 1)
        self.open0 = self._new_vars(T, 0, 1)
        self.finish = self._new_vars(1, 0, T - 1)
        self.sizes = np.array([g.size for g in inst.groups], dtype=np.int64)
        rates = np.array([inst.rules.tickets_per_100_users[k] for k in METHODS], dtype=np.int64)
        self.tickets = -(-self.sizes[self.gx] * rates[self.kx] // 100)  # ceil, integer

    # ---------------------------------------------------------- constraints
    def add_constraints(self) -> None:
        """All rule families, in a fixed order (the order is part of determinism)."""
        self.add_one_assignment()
        self.add_eligibility()
        self.add_finish_link()
        self.add_capacity()
        self.add_redundant_capacity()
        self.add_pilot_first()
        self.add_production_opens()
        self.add_after()
        self.add_max_platforms()
        self.add_max_locations()
        self.add_departments_together()
        if self.guards_on and self.redundant:
            self._stage_cut()

    def add_one_assignment(self) -> None:
        """one-assignment: exactly one (month, method) per group."""
        for gi in range(len(self.inst.groups)):
            ct = self.proto.constraints.add()
            ct.exactly_one.literals.extend(range(self.starts[gi], self.starts[gi + 1]))
            self.constraint_counts[R.ONE_ASSIGNMENT] += 1

    def add_eligibility(self) -> None:
        """method, vip-assisted, window, blackout. Without guards these are the
        missing variables; with guards, one guarded 'sum of excluded x = 0' per
        group and rule."""
        if not self.guards_on:
            return
        inst = self.inst
        labels = inst.month_labels
        for gi, g in enumerate(inst.groups):
            a, b = self.starts[gi], self.starts[gi + 1]
            t, k = self.tx[a:b], self.kx[a:b]
            lo = labels.index(g.earliest) if g.earliest else 0
            hi = labels.index(g.latest) if g.latest else len(labels) - 1
            black = np.array([labels.index(m) for m in g.blackout], dtype=np.int64)
            own = np.array([_K[m] for m in g.methods], dtype=np.int64)
            vip_only = g.vip and inst.rules.vip_assisted
            masks = {
                R.METHOD: ~np.isin(k, own),
                R.VIP_ASSISTED: (k != _K["assisted"]) if vip_only else np.zeros_like(k, dtype=bool),
                R.WINDOW: (t < lo) | (t > hi),
                R.BLACKOUT: np.isin(t, black),
            }
            for rule, mask in masks.items():
                ids = (a + np.nonzero(mask)[0]).tolist()
                if ids:
                    self._linear(ids, [1] * len(ids), 0, 0, rule, (g.name,))

    def add_finish_link(self) -> None:
        """open[t] monotone, finish = sum(open) - 1, every group's month <= finish."""
        T = self.max_month + 1
        o = self.open0
        self._linear([o], [1], 1, 1)
        for t in range(1, T):
            self._linear([o + t, o + t - 1], [1, -1], -1, 0)
        self._linear([self.finish] + list(range(o, o + T)), [1] + [-1] * T, -1, -1)
        for gi in range(len(self.inst.groups)):
            m = self.month_terms(gi)
            self._linear(m.vars + [self.finish], m.coeffs + [-1], -UNBOUNDED, 0)

    def _capacity_terms(self, t: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        sel = np.nonzero(self.tx == t)[0]
        k = self.kx[sel]
        size = self.sizes[self.gx[sel]]
        out = {"helpdesk": (sel, self.tickets[sel])}
        for method, res in SEAT_RESOURCE.items():
            mask = k == _K[method]
            out[res] = (sel[mask], size[mask])
        return out

    def add_capacity(self) -> None:
        """helpdesk-, assisted-, tech-fair-capacity: per month, load <= capacity * open[t]."""
        for t in range(self.max_month + 1):
            month = self.inst.months[t]
            for res, (ids, coef) in self._capacity_terms(t).items():
                nz = coef > 0
                ids, coef = ids[nz], coef[nz]
                cap = month.capacity(res)
                if len(ids) == 0 or (int(coef.sum()) <= cap and not self.guards_on):
                    continue  # can never bind
                self.capacity_rows[(res, month.label)] = len(self.proto.constraints)
                self._linear(ids.tolist() + [self.open0 + t], coef.tolist() + [-cap], -UNBOUNDED, 0,
                             R.CAPACITY_RULE[res], (month.label,))

    def add_pilot_first(self) -> None:
        """pilot-first: every pilot month <= s <= every expanded-pilot month."""
        inst = self.inst
        pilots = [i for i, g in enumerate(inst.groups) if g.wave == "pilot"]
        expanded = [i for i, g in enumerate(inst.groups) if g.wave == "expanded-pilot"]
        if not pilots or not expanded:
            return
        s = self._new_vars(1, 0, self.max_month)
        self._aux.append((s, lambda mt, mk: int(max(mt[pilots]))))
        for i in pilots:
            m = self.month_terms(i)
            self._linear(m.vars + [s], m.coeffs + [-1], -UNBOUNDED, 0, R.PILOT_FIRST, (inst.groups[i].name,))
        for i in expanded:
            m = self.month_terms(i)
            self._linear(m.vars + [s], m.coeffs + [-1], 0, UNBOUNDED, R.PILOT_FIRST, (inst.groups[i].name,))

    def add_production_opens(self) -> None:
        """production-opens and risk-delay.

        open_at = max(pilot-stage months) + stage_gap (0 without pilot stage);
        production months >= open_at, high-risk ones >= open_at + risk_delay.
        """
        inst, r = self.inst, self.inst.rules
        stage = [i for i, g in enumerate(inst.groups) if g.pilot_stage]
        prod = [i for i, g in enumerate(inst.groups) if g.wave == "production"]
        if not prod:
            return
        last = None
        if stage:
            last = self._new_vars(1, min(self.stage_floor, self.max_month), self.max_month)
            self._aux.append((last, lambda mt, mk: int(max(mt[stage]))))
            for i in stage:
                m = self.month_terms(i)
                self._linear(m.vars + [last], m.coeffs + [-1], -UNBOUNDED, 0)
        for i in prod:
            g = inst.groups[i]
            m = self.month_terms(i)
            rows = [(R.PRODUCTION_OPENS, r.stage_gap if stage else 0)]
            if g.risk == "high" and r.risk_delay:
                # Without guards only the stronger row is needed.
                rows = rows + [(R.RISK_DELAY, rows[0][1] + r.risk_delay)] if self.guards_on else \
                    [(R.RISK_DELAY, rows[0][1] + r.risk_delay)]
            for rule, delay in rows:
                if last is not None:
                    self._linear(m.vars + [last], m.coeffs + [-1], delay, UNBOUNDED, rule, (g.name,))
                elif delay > 0:
                    self._linear(m.vars, m.coeffs, delay, UNBOUNDED, rule, (g.name,))

    def add_after(self) -> None:
        """after: month[g] >= month[h] + 1 for every h in g's after-list."""
        for gi, g in enumerate(self.inst.groups):
            for h in g.after:
                a, b = self.month_terms(gi), self.month_terms(self.index[h])
                self._linear(a.vars + b.vars, a.coeffs + [-c for c in b.coeffs], 1, UNBOUNDED,
                             R.AFTER, (g.name, h))

    def _max_distinct(self, rule: str, attr: str, limit: int) -> None:
        """At most ``limit`` distinct non-empty ``attr`` values enroll per month:
        used[v,t] >= every x of a group with value v in month t (aggregated:
        sum x <= n * used), sum_v used[v,t] <= limit."""
        inst = self.inst
        values = sorted({getattr(g, attr) for g in inst.groups if getattr(g, attr)})
        if limit <= 0 or len(values) <= limit:
            return
        val_of = np.array([values.index(getattr(g, attr)) if getattr(g, attr) else -1 for g in inst.groups])
        vx = val_of[self.gx]
        for t in range(self.max_month + 1):
            in_t = self.tx == t
            used = []
            for v in range(len(values)):
                ids = np.nonzero(in_t & (vx == v))[0]
                if len(ids) == 0:
                    continue
                y = self._new_vars(1, 0, 1)
                members = np.unique(self.gx[ids])
                self._aux.append((y, lambda mt, mk, members=members, t=t: int(bool((mt[members] == t).any()))))
                # at most one x per group is 1, so n = number of groups bounds the sum
                self._linear(ids.tolist() + [y], [1] * len(ids) + [-len(members)], -UNBOUNDED, 0)
                used.append(y)
            if len(used) > limit:
                self._linear(used, [1] * len(used), 0, limit, rule, (inst.months[t].label,))

    def add_max_platforms(self) -> None:
        """max-platforms: at most max_platforms_per_month platforms per month
        (``mixed`` counts as a platform of its own)."""
        self._max_distinct(R.MAX_PLATFORMS, "platform", self.inst.rules.max_platforms_per_month)

    def add_max_locations(self) -> None:
        """max-locations: at most max_locations_per_month non-empty locations per month."""
        self._max_distinct(R.MAX_LOCATIONS, "location", self.inst.rules.max_locations_per_month)

    def add_departments_together(self) -> None:
        """departments-together: same non-empty department and same wave -> same month."""
        if not self.inst.rules.keep_departments_together:
            return
        first: dict[tuple[str, str], int] = {}
        for gi, g in enumerate(self.inst.groups):
            if not g.department:
                continue
            key = (g.department, g.wave)
            if key in first:
                a, b = self.month_terms(gi), self.month_terms(first[key])
                self._linear(a.vars + b.vars, a.coeffs + [-c for c in b.coeffs], 0, 0,
                             R.DEPARTMENTS_TOGETHER, key)
            else:
                first[key] = gi

    # ------------------------------------------------------------ objective
    def objective_terms(self) -> dict[str, Terms]:
        """finish, waiting and assisted as linear terms over proto variables."""
        readiness = np.array([g.readiness for g in self.inst.groups], dtype=np.int64)
        waiting = self.sizes[self.gx] * readiness[self.gx] * self.tx
        nz = np.nonzero(waiting)[0]
        assisted = np.nonzero(self.kx == _K["assisted"])[0]
        return {
            "finish": Terms([self.finish], [1]),
            "waiting": Terms(nz.tolist(), waiting[nz].tolist()),
            "assisted": Terms(assisted.tolist(), self.sizes[self.gx[assisted]].tolist()),
        }

    def set_objective(self, level: str) -> None:
        """Minimise one objective level (replacing any objective)."""
        terms = self.objectives[level]
        self.set_objective_terms(terms.vars, terms.coeffs)

    def set_objective_terms(self, vars_: list[int], coeffs: list[int]) -> None:
        """Minimise sum coeffs * vars (replacing any objective)."""
        self.proto.clear_objective()
        self.add_objective_terms(vars_, coeffs)

    def add_objective_terms(self, vars_: list[int], coeffs: list[int]) -> None:
        """Add coeffs * vars to the objective being minimised."""
        self.proto.objective.vars.extend(vars_)
        self.proto.objective.coeffs.extend(coeffs)

    def add_slack(self, row: int, most: int) -> int:
        """A new variable s in [0, ``most``] that relaxes the capacity row ``row`` (an index
        from :attr:`capacity_rows`) to load <= capacity + s; returns s."""
        s = self._new_vars(1, 0, most)
        ct = self.proto.constraints[row]
        ct.linear.vars.append(s)
        ct.linear.coeffs.append(-1)
        return s

    def fix_level(self, level: str, lo: int, hi: int) -> None:
        """Keep level's value within [lo, hi] from now on (lexicographic step)."""
        terms = self.objectives[level]
        self._linear(terms.vars, terms.coeffs, lo, hi)

    def add_assumptions(self, lits: list[int]) -> None:
        """Solve with these literals assumed true (guard mode: the rules they enforce)."""
        self.proto.assumptions.extend(lits)

"""The model of parts with one guard literal per rule instance, for the explanation of
infeasibility on split inputs (issues 15 and 19): the counterpart of
``RolloutModel(guards=True)`` for ``Instance.may_split``.

Every group is enrolled in parts (users per month and method, whole numbers, summing to its
size), over every month and method; each rule of the spec ("Split groups" in
docs/model.md) holds only while its guard is true, under the same ``(rule, key)`` names as
the v1 guarded model plus ``months-per-group``, ``least-part`` and ``one-method`` per group.
So a conflict found here is true for the split input: setting a group's ``months-per-group``
aside is letting it split. Only feasibility is asked: first and last months are bounds
(``first <= every part's month <= last``), exact only where a rule needs equality
(keep_departments_together), which keeps the model small and its answer exact.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from optimizer import rules as R
from optimizer.domain import METHODS, Group, Instance

_sum = cp_model.LinearExpr.sum


class GuardedPartsModel:
    """``model``, ``proto``, ``inst``, ``guards`` ({(rule, key): literal index}) and ``cuts``
    (the implied deadline cuts), as :class:`optimizer.model.RolloutModel` in guard mode."""

    def __init__(self, inst: Instance, *, slack: bool = False) -> None:
        self.inst = inst
        #: with ``slack``: {(resource, month label): extra capacity variable} on every capacity row
        self.slack: dict[tuple[str, str], cp_model.IntVar] = {}
        self._with_slack = slack
        self.model = cp_model.CpModel()
        self.proto = self.model.proto
        self.guards: dict[tuple[str, tuple], int] = {}
        self.cuts: list[list[int]] = []
        #: the guard literals as variables (``guards`` holds their indices)
        self.guard_vars: dict[tuple[str, tuple], cp_model.IntVar] = {}
        self.T = inst.horizon
        self.rates = inst.rules.tickets_per_100_users
        self.u: dict[str, dict[tuple[int, str], cp_model.IntVar]] = {}
        self.y: dict[str, list[cp_model.IntVar]] = {}
        self.first: dict[str, cp_model.IntVar] = {}
        self.last: dict[str, cp_model.IntVar] = {}
        for g in inst.groups:
            self._group(g)
        self._capacity()
        self._stage_order()
        self._after()
        self._max_distinct(R.MAX_PLATFORMS, "platform", inst.rules.max_platforms_per_month)
        self._max_distinct(R.MAX_LOCATIONS, "location", inst.rules.max_locations_per_month)
        self._departments()
        self._deadline_cuts()

    def guard(self, rule: str, key: tuple) -> cp_model.IntVar:
        """The guard literal of one rule instance (created on first use)."""
        lit = self.guard_vars.get((rule, key))
        if lit is None:
            lit = self.model.new_bool_var(f"{rule}{key}")
            self.guard_vars[(rule, key)] = lit
            self.guards[(rule, key)] = lit.index
        return lit

    # ------------------------------------------------------------ groups
    def _group(self, g: Group) -> None:
        m, inst, T, size = self.model, self.inst, self.T, g.size
        u = {(t, k): m.new_int_var(0, size, "") for t in range(T) for k in METHODS}
        z = {k: m.new_bool_var("") for k in METHODS}
        y = [m.new_bool_var("") for _ in range(T)]
        m.add(_sum(list(u.values())) == size)
        m.add_bool_or(list(z.values()))
        for (t, k), v in u.items():
            m.add(v <= size * z[k])
        m.add(_sum(list(z.values())) <= 1).only_enforce_if(self.guard(R.ONE_METHOD, (g.name,)))
        first, last = m.new_int_var(0, T - 1, ""), m.new_int_var(0, T - 1, "")
        least = inst.least_part(g)
        for t in range(T):
            ut = _sum([u[t, k] for k in METHODS])
            m.add(ut <= size * y[t])
            m.add(ut >= y[t])
            if least > 1:
                m.add(ut >= least * y[t]).only_enforce_if(self.guard(R.LEAST_PART, (g.name,)))
            m.add(first <= t).only_enforce_if(y[t])
            m.add(last >= t).only_enforce_if(y[t])
        if size > 1 and inst.max_months(g) < T:
            m.add(last - first <= inst.max_months(g) - 1).only_enforce_if(
                self.guard(R.MONTHS_PER_GROUP, (g.name,)))
        self.u[g.name], self.y[g.name], self.first[g.name], self.last[g.name] = u, y, first, last
        self._eligibility(g, u, z)

    def _eligibility(self, g: Group, u: dict, z: dict) -> None:
        """window, blackout, method, vip-assisted: one guarded 'excluded = 0' per group and rule."""
        labels = self.inst.month_labels
        lo = labels.index(g.earliest) if g.earliest else 0
        hi = labels.index(g.latest) if g.latest else len(labels) - 1
        months = {R.WINDOW: [t for t in range(self.T) if t < lo or t > hi],
                  R.BLACKOUT: [labels.index(b) for b in g.blackout if b in labels]}
        for rule, ts in months.items():
            if ts:
                self.model.add(_sum([u[t, k] for t in ts for k in METHODS]) == 0).only_enforce_if(
                    self.guard(rule, (g.name,)))
        methods = {R.METHOD: [k for k in METHODS if k not in g.methods]}
        if g.vip and self.inst.rules.vip_assisted:
            methods[R.VIP_ASSISTED] = [k for k in METHODS if k != "assisted"]
        for rule, ks in methods.items():
            if ks:
                self.model.add(_sum([z[k] for k in ks]) == 0).only_enforce_if(self.guard(rule, (g.name,)))

    # ------------------------------------------------------------ rules
    def _capacity(self) -> None:
        """helpdesk tickets (rounded up per part), assisted and tech-fair seats, per month."""
        m = self.model
        for t, month in enumerate(self.inst.months):
            tickets, seats = [], {"assisted": [], "tech-fair": []}
            for g in self.inst.groups:
                for k in METHODS:
                    v = self.u[g.name][t, k]
                    if self.rates[k]:
                        tix = m.new_int_var(0, -(-g.size * self.rates[k] // 100), "")
                        m.add(100 * tix >= self.rates[k] * v)
                        tickets.append(tix)
                    if k in seats:
                        seats[k].append(v)
            for res, terms in (("helpdesk", tickets), ("assisted", seats["assisted"]),
                               ("tech_fair", seats["tech-fair"])):
                if terms and self._with_slack:
                    self.slack[res, month.label] = extra = m.new_int_var(0, sum(
                        g.size for g in self.inst.groups), "")
                    terms = terms + [-extra]
                if terms:
                    m.add(_sum(terms) <= month.capacity(res)).only_enforce_if(
                        self.guard(R.CAPACITY_RULE[res], (month.label,)))

    def _stage_order(self) -> None:
        """pilot-first (per group), production-opens and risk-delay (per production group)."""
        m, r, T, gs = self.model, self.inst.rules, self.T, self.inst.groups
        pilots = [g for g in gs if g.wave == "pilot"]
        expanded = [g for g in gs if g.wave == "expanded-pilot"]
        if pilots and expanded:
            s = m.new_int_var(0, T - 1, "pilot_end")
            for g in pilots:
                m.add(self.last[g.name] <= s).only_enforce_if(self.guard(R.PILOT_FIRST, (g.name,)))
            for g in expanded:
                m.add(self.first[g.name] >= s).only_enforce_if(self.guard(R.PILOT_FIRST, (g.name,)))
        stage = [g for g in gs if g.pilot_stage]
        end = None
        if stage:
            end = m.new_int_var(0, T - 1, "stage_end")
            for g in stage:
                m.add(self.last[g.name] <= end)
        for g in gs:
            if g.wave != "production":
                continue
            rows = [(R.PRODUCTION_OPENS, r.stage_gap if stage else 0)]
            if g.risk == "high" and r.risk_delay:
                rows.append((R.RISK_DELAY, rows[0][1] + r.risk_delay))
            for rule, delay in rows:
                if end is not None:
                    m.add(self.first[g.name] >= end + delay).only_enforce_if(self.guard(rule, (g.name,)))
                elif delay > 0:
                    m.add(self.first[g.name] >= delay).only_enforce_if(self.guard(rule, (g.name,)))

    def _after(self) -> None:
        for g in self.inst.groups:
            for h in g.after:
                self.model.add(self.last[h] + 1 <= self.first[g.name]).only_enforce_if(
                    self.guard(R.AFTER, (g.name, h)))

    def _max_distinct(self, rule: str, attr: str, limit: int) -> None:
        """A group counts in every month with a part."""
        gs = self.inst.groups
        values = sorted({getattr(g, attr) for g in gs if getattr(g, attr)})
        if limit <= 0 or len(values) <= limit:
            return
        m = self.model
        for t, month in enumerate(self.inst.months):
            used = []
            for v in values:
                members = [self.y[g.name][t] for g in gs if getattr(g, attr) == v]
                lit = m.new_bool_var("")
                m.add(_sum(members) <= len(members) * lit)
                used.append(lit)
            m.add(_sum(used) <= limit).only_enforce_if(self.guard(rule, (month.label,)))

    def _departments(self) -> None:
        """Same non-empty department and wave -> same first month (exact first months here)."""
        if not self.inst.rules.keep_departments_together:
            return
        seen: dict[tuple[str, str], str] = {}
        for g in self.inst.groups:
            if not g.department:
                continue
            self._exact_first(g.name)
            key = (g.department, g.wave)
            if key in seen:
                self.model.add(self.first[g.name] == self.first[seen[key]]).only_enforce_if(
                    self.guard(R.DEPARTMENTS_TOGETHER, key))
            else:
                seen[key] = g.name

    def _exact_first(self, name: str) -> None:
        """first = the month of some part (with first <= every part's month: the first part)."""
        m, y = self.model, self.y[name]
        bf = [m.new_bool_var("") for _ in range(self.T)]
        m.add_exactly_one(bf)
        for t, b in enumerate(bf):
            m.add_implication(b, y[t])
            m.add(self.first[name] == t).only_enforce_if(b)

    def _deadline_cuts(self) -> None:
        """The groups due by month t must fit in the months up to t (users, by any method mix: an
        upper bound that holds for parts too, a part's tickets being rounded up). Each violated
        cut is a clause 'not all of these rules' (every capacity rule and those groups' windows)
        and is kept in ``cuts`` (as RolloutModel's: the explanation tries them first)."""
        from optimizer.model import month_user_capacity

        inst, labels = self.inst, self.inst.month_labels
        caps = [lit for (rule, _), lit in self.guard_vars.items() if rule in R.CAPACITY_RULE.values()]
        users = [month_user_capacity(inst, t) for t in range(self.T)]
        due, wins = 0, []
        for t in range(self.T):
            for g in inst.groups:
                if g.latest and labels.index(g.latest) == t:
                    due += g.size
                    if (R.WINDOW, (g.name,)) in self.guard_vars:
                        wins.append(self.guard_vars[R.WINDOW, (g.name,)])
            if wins and due > sum(users[: t + 1]):
                lits = caps + wins
                self.model.add_bool_or([x.Not() for x in lits])
                self.cuts.append([x.index for x in lits])

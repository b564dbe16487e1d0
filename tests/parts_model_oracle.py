"""Test oracle: the model of parts as it was written with the cp_model API (before issue 15's fast
build, optimizer/model_parts.py), kept only to check that the fast build has the same optimum.

The CP-SAT model of parts (model v2: split groups; docs/model.md, "Split groups").

Used for instances where some group may split (``Instance.may_split``); v1 instances keep
:class:`optimizer.model.RolloutModel` untouched. Here every group gets one of two encodings:

* a group that may not split (max_months 1, or one user) keeps v1's encoding: a literal
  ``x[t,k]`` per eligible (month, method), exactly one true;
* a split group g gets a method literal ``z[k]`` (exactly one), and per eligible month t a
  part literal ``y[t]`` and users per method ``u[t,k]`` (whole; ``sum_t u[t,k] = size*z[k]``, so
  one method and sum = size; ``u[t] = sum_k u[t,k]`` with ``least*y <= u[t] <= size*y``) and
  tickets ``tix[t,k]`` with ``rate_k*u[t,k] <= 100*tix <= rate_k*u[t,k] + 99`` (the per-part
  ceil, linear: no method literal needed, which keeps the LP relaxation tight); exact first and
  last months (one-hot ``bf[t]``/``bl[t]`` on part months, every part inside them) with
  ``last - first <= max_months - 1`` (holes allowed).

Written with the cp_model API on one CpModel (not as numpy straight into the proto as
RolloutModel): split instances are today the small ones, the rules are clearer this way, and
the enforcement literals of the per-method ticket rows are what cp_model writes well.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from optimizer.domain import Group, Instance
from optimizer.model import month_user_capacity, stage_floor
from optimizer.plan import Assignment, Plan

_sum = cp_model.LinearExpr.sum


@dataclass
class _G:
    """One group's variables (either encoding) and its linear pieces per month."""

    g: Group
    months: list[int]
    methods: tuple[str, ...]
    split: bool
    x: dict = field(default_factory=dict)  # (t, k) -> literal (unsplit)
    z: dict = field(default_factory=dict)  # k -> literal (split)
    y: dict = field(default_factory=dict)  # t -> part literal (split)
    u: dict = field(default_factory=dict)  # t -> users (split; an expression: sum over methods)
    tix: dict = field(default_factory=dict)  # t -> tickets (split; an expression)
    tix_k: dict = field(default_factory=dict)  # (t, k) -> tickets of the users by method k (split)
    by_method: dict = field(default_factory=dict)  # (t, k) -> users enrolled with k in t (split)
    bf: dict = field(default_factory=dict)  # t -> "first month is t" (split)
    bl: dict = field(default_factory=dict)  # t -> "last month is t" (split)
    first: object = 0
    last: object = 0

    def part(self, t: int):
        """1 when the group has a part in month t."""
        if self.split:
            return self.y.get(t, 0)
        return _sum([self.x[t, k] for k in self.methods if (t, k) in self.x])

    def users(self, t: int, k: str | None = None):
        """Users enrolled in month t (with method k)."""
        if self.split:
            if k is None:
                return self.u.get(t, 0)
            return self.by_method.get((t, k), 0)
        ks = self.methods if k is None else [k]
        return _sum([self.g.size * self.x[t, m] for m in ks if (t, m) in self.x])


class OraclePartsModel:
    """The model of an instance whose groups may split; same interface as RolloutModel where the
    solve path needs it (``model``, ``set_objective``, ``fix_level``, ``hint``) plus
    :meth:`read_plan`."""

    def __init__(self, inst: Instance, *, max_month: int | None = None) -> None:
        self.inst = inst
        self.max_month = inst.horizon - 1 if max_month is None else min(max_month, inst.horizon - 1)
        self.model = cp_model.CpModel()
        self.proto = self.model.proto
        self.constraint_counts: dict[str, int] = defaultdict(int)
        #: (month, resource) -> index of its capacity row (optimizer.solving.lp.parts_bounds)
        self.capacity_rows: dict[tuple[int, str], int] = {}
        self.rates = inst.rules.tickets_per_100_users
        self._hintable: list[tuple[object, object]] = []  # (variable, fn(ctx) -> value)
        floor = stage_floor(inst, self.max_month + 1)
        self.stage_floor = floor or 0
        has_stage = any(g.pilot_stage for g in inst.groups)
        #: production's first possible month by capacity alone (as RolloutModel.production_floor;
        #: valid with parts: a part's tickets are rounded up, so the pilot stage needs as much room)
        self.production_floor = self.stage_floor + inst.rules.stage_gap if has_stage else 0
        self.gs = [self._group_vars(g) for g in inst.groups]
        self.finish = self.model.new_int_var(0, self.max_month, "finish")
        self._add_rules()

    def _add_rules(self) -> None:
        """Every rule family on the group variables, then the objective terms (in this order)."""
        r = self.inst.rules
        self._add_finish()
        self._add_capacity()
        self._add_stage_order()
        self._add_after()
        for rule, attr, limit in (("max-platforms", "platform", r.max_platforms_per_month),
                                  ("max-locations", "location", r.max_locations_per_month)):
            self._add_max_distinct(rule, attr, limit)
        self._add_departments()
        self.objectives = self._objective_terms()

    # ------------------------------------------------------------ variables
    def _group_vars(self, g: Group) -> _G:
        inst = self.inst
        opens = 0 if g.pilot_stage else \
            self.production_floor + (inst.rules.risk_delay if g.risk == "high" else 0)
        months = [t for t in inst.allowed_months(g) if opens <= t <= self.max_month]
        split = inst.max_months(g) > 1 and g.size > 1
        gv = _G(g, months, inst.allowed_methods(g), split)
        if split:
            self._split_vars(gv)
        else:
            self._unsplit_vars(gv)
        return gv

    def _unsplit_vars(self, gv: _G) -> None:
        """v1's encoding: one literal per eligible (month, method), exactly one true."""
        m = self.model
        for t in gv.months:
            for k in gv.methods:
                gv.x[t, k] = m.new_bool_var("")
        m.add_exactly_one(gv.x.values())
        gv.first = gv.last = _sum([t * v for (t, _), v in gv.x.items()])
        self.constraint_counts["one-assignment"] += 1

    def _split_vars(self, gv: _G) -> None:
        """Parts: method, part literals, users per month and method, span."""
        m, g, inst = self.model, gv.g, self.inst
        least, size = inst.least_part(g), g.size
        gv.z = {k: m.new_bool_var("") for k in gv.methods}
        m.add_exactly_one(gv.z.values())
        for t in gv.months:
            y = m.new_bool_var("")
            for k in gv.methods:
                gv.by_method[t, k] = m.new_int_var(0, size, "")
            u = _sum([gv.by_method[t, k] for k in gv.methods])
            m.add(u >= least * y)
            m.add(u <= size * y)
            gv.y[t], gv.u[t] = y, u
        m.add_bool_or(list(gv.y.values()))  # at least one part (none: no month to enroll in, no plan)
        for k in gv.methods:  # all users by the group's one method (and sum u = size)
            m.add(_sum([gv.by_method[t, k] for t in gv.months]) == size * gv.z[k])
        lo, hi = (min(gv.months), max(gv.months)) if gv.months else (0, 0)
        gv.first, gv.last = m.new_int_var(lo, hi, ""), m.new_int_var(lo, hi, "")
        gv.bf = {t: m.new_bool_var("") for t in gv.months}
        gv.bl = {t: m.new_bool_var("") for t in gv.months}
        if gv.months:
            m.add_exactly_one(gv.bf.values())
            m.add_exactly_one(gv.bl.values())
            m.add(gv.first == _sum([t * b for t, b in gv.bf.items()]))
            m.add(gv.last == _sum([t * b for t, b in gv.bl.items()]))
        for t in gv.months:
            m.add_implication(gv.bf[t], gv.y[t])
            m.add_implication(gv.bl[t], gv.y[t])
            m.add(gv.first <= t).only_enforce_if(gv.y[t])
            m.add(gv.last >= t).only_enforce_if(gv.y[t])
        m.add(gv.last - gv.first <= inst.max_months(g) - 1)
        self.constraint_counts["months-per-group"] += 1
        self._split_tickets(gv)

    def _split_tickets(self, gv: _G) -> None:
        """Per part and method: tix = ceil(rate * users / 100), as rate*u <= 100*tix <= rate*u + 99
        (linear: users of a method the group does not use are 0, and so are their tickets)."""
        m, size = self.model, gv.g.size
        for t in gv.months:
            parts = []
            for k in gv.methods:
                r, u = self.rates[k], gv.by_method[t, k]
                if r == 0:
                    continue
                tix = m.new_int_var(0, -(-size * r // 100), "")
                m.add(100 * tix >= r * u)
                m.add(100 * tix <= r * u + 99)
                gv.tix_k[t, k] = tix
                parts.append(tix)
            gv.tix[t] = _sum(parts)

    # ---------------------------------------------------------- constraints
    def _add_finish(self) -> None:
        """finish >= every group's last month; monotone open[t] with finish = sum open - 1 carry
        the implied capacity rows (valid with parts: a part's tickets are rounded up, so a
        month holds no more users than the fractional knapsack month_user_capacity, and a group
        needs at least its fewest whole-group tickets)."""
        m, inst, T = self.model, self.inst, self.max_month + 1
        for gv in self.gs:
            m.add(self.finish >= gv.last)
        self.open = [m.new_bool_var("") for _ in range(T)]
        m.add(self.open[0] == 1)
        for t in range(1, T):
            m.add_implication(self.open[t], self.open[t - 1])
        m.add(self.finish == _sum(self.open) - 1)
        total = sum(g.size for g in inst.groups)
        users = [min(month_user_capacity(inst, t), total) for t in range(T)]
        m.add(_sum([c * o for c, o in zip(users, self.open)]) >= total)
        fewest = sum(min((inst.rules.tickets(g.size, k) for k in inst.allowed_methods(g)), default=0)
                     for g in inst.groups)
        m.add(_sum([inst.months[t].helpdesk * self.open[t] for t in range(T)]) >= fewest)

    def _add_capacity(self) -> None:
        """helpdesk (tickets per part), assisted and tech-fair seats (users) per month: the
        terms are gathered per month in one pass over the groups' variables."""
        m, rules = self.model, self.inst.rules
        T = self.max_month + 1
        terms = {res: [[] for _ in range(T)] for res in ("helpdesk", "assisted", "tech-fair")}
        for gv in self.gs:
            if gv.split:
                for t, tix in gv.tix.items():
                    terms["helpdesk"][t].append(tix)
                for (t, k), u in gv.by_method.items():
                    if k in ("assisted", "tech-fair"):
                        terms[k][t].append(u)
                continue
            for (t, k), x in gv.x.items():
                terms["helpdesk"][t].append(rules.tickets(gv.g.size, k) * x)
                if k in ("assisted", "tech-fair"):
                    terms[k][t].append(gv.g.size * x)
        for t in range(T):
            month = self.inst.months[t]
            for res, cap in (("helpdesk", month.helpdesk), ("assisted", month.assisted),
                             ("tech-fair", month.tech_fair)):
                self.capacity_rows[t, res] = len(self.proto.constraints)  # for the LP's room
                m.add(_sum(terms[res][t]) <= cap)
            self.constraint_counts["capacity"] += 3

    def _add_stage_order(self) -> None:
        """pilot last <= expanded-pilot first; production parts >= the last pilot-stage part's
        month + stage_gap (+ risk_delay for high risk); 0 + risk_delay without a pilot stage."""
        m, r, T = self.model, self.inst.rules, self.max_month + 1
        pilots = [gv for gv in self.gs if gv.g.wave == "pilot"]
        expanded = [gv for gv in self.gs if gv.g.wave == "expanded-pilot"]
        if pilots and expanded:
            s = m.new_int_var(0, T - 1, "pilot_end")
            self._hintable.append((s, lambda c: max(c["last"][gv.g.name] for gv in pilots)))
            for gv in pilots:
                m.add(gv.last <= s)
            for gv in expanded:
                m.add(gv.first >= s)
        stage = pilots + expanded
        prod = [gv for gv in self.gs if gv.g.wave == "production"]
        if not prod:
            return
        end = None
        if stage:
            end = m.new_int_var(min(self.stage_floor, T - 1), T - 1, "stage_end")
            self._hintable.append((end, lambda c: max(c["last"][gv.g.name] for gv in stage)))
            for gv in stage:
                m.add(gv.last <= end)
        for gv in prod:
            delay = (r.stage_gap if stage else 0) + (r.risk_delay if gv.g.risk == "high" else 0)
            m.add(_sum([gv.first]) >= (end if end is not None else 0) + delay)

    def _add_after(self) -> None:
        """after: last_h + 1 <= first_g."""
        by_name = {gv.g.name: gv for gv in self.gs}
        for gv in self.gs:
            for h in gv.g.after:
                self.model.add(_sum([by_name[h].last]) + 1 <= gv.first)

    def _add_max_distinct(self, rule: str, attr: str, limit: int) -> None:
        """At most ``limit`` distinct non-empty values per month; a group counts in every month
        with a part."""
        values = sorted({getattr(g, attr) for g in self.inst.groups if getattr(g, attr)})
        if limit <= 0 or len(values) <= limit:
            return
        m = self.model
        for t in range(self.max_month + 1):
            used = []
            for v in values:
                members = [gv for gv in self.gs if getattr(gv.g, attr) == v and t in gv.months]
                if not members:
                    continue
                lit = m.new_bool_var("")
                names = [gv.g.name for gv in members]
                self._hintable.append((lit, lambda c, names=names, t=t: int(any(
                    t in c["parts"][n] for n in names))))
                m.add(_sum([gv.part(t) for gv in members]) <= len(members) * lit)
                used.append(lit)
            if len(used) > limit:
                m.add(_sum(used) <= limit)
                self.constraint_counts[rule] += 1

    def _add_departments(self) -> None:
        """Same non-empty department and wave -> same first month."""
        if not self.inst.rules.keep_departments_together:
            return
        seen: dict[tuple[str, str], _G] = {}
        for gv in self.gs:
            if not gv.g.department:
                continue
            key = (gv.g.department, gv.g.wave)
            if key in seen:
                self.model.add(gv.first == seen[key].first)
            else:
                seen[key] = gv

    # ------------------------------------------------------------ objective
    def _objective_terms(self) -> dict:
        waiting, assisted, parts, n_split = [], [], [], 0
        for gv in self.gs:
            rd = gv.g.readiness
            waiting.extend(rd * t * gv.users(t) for t in gv.months if t)
            if gv.split:
                n_split += 1
                parts.extend(gv.y.values())
                if "assisted" in gv.z:
                    assisted.append(gv.g.size * gv.z["assisted"])
            else:
                assisted.extend(gv.users(t, "assisted") for t in gv.months)
        return {"finish": _sum([self.finish]), "waiting": _sum(waiting), "assisted": _sum(assisted),
                "splits": _sum(parts) - n_split}

    def set_objective(self, level: str) -> None:
        self.model.minimize(self.objectives[level])

    def fix_level(self, level: str, lo: int, hi: int) -> None:
        """Keep level's value within [lo, hi] from now on (lexicographic step)."""
        expr = self.objectives[level]
        self.model.add(expr >= lo)
        self.model.add(expr <= hi)

    # ------------------------------------------------------------ solutions
    def hint(self, plan: Plan) -> None:
        """A complete hint from ``plan`` (a v1 plan is a one-part v2 plan)."""
        m = self.model
        m.clear_hints()
        ctx = {"parts": {}, "last": {}}
        for gv in self.gs:
            a = plan.assignments.get(gv.g.name)
            if a is None:
                continue
            parts = dict(plan.parts(gv.g.name))
            ctx["parts"][gv.g.name], ctx["last"][gv.g.name] = parts, max(parts)
            if not gv.split:
                for (t, k), v in gv.x.items():
                    m.add_hint(v, t in parts and k == a.method)
                continue
            self._hint_split(gv, a.method, parts)
        lasts = ctx["last"].values()
        finish = min(max(lasts, default=0), self.max_month)
        m.add_hint(self.finish, finish)
        for t, o in enumerate(self.open):
            m.add_hint(o, t <= finish)
        if len(ctx["parts"]) == len(self.gs):
            for var, fn in self._hintable:
                m.add_hint(var, fn(ctx))

    def _hint_split(self, gv: _G, method: str, parts: dict[int, int]) -> None:
        m = self.model
        for k, v in gv.z.items():
            m.add_hint(v, k == method)
        first, last = min(parts), max(parts)
        for t in gv.months:
            u = parts.get(t, 0)
            m.add_hint(gv.y[t], u > 0)
            m.add_hint(gv.bf[t], t == first)
            m.add_hint(gv.bl[t], t == last)
            for k in gv.methods:
                uk = u if k == method else 0
                m.add_hint(gv.by_method[t, k], uk)
                if (t, k) in gv.tix_k:
                    m.add_hint(gv.tix_k[t, k], self.inst.rules.tickets(uk, k))
        if gv.months:
            m.add_hint(gv.first, first)
            m.add_hint(gv.last, last)

    def read_plan(self, solver: cp_model.CpSolver) -> Plan:
        """The solution as a plan: split groups with their parts, others as in v1."""
        out: dict[str, Assignment] = {}
        for gv in self.gs:
            name = gv.g.name
            if gv.split:
                k = next(k for k, v in gv.z.items() if solver.boolean_value(v))
                parts = [(t, solver.value(u)) for t, u in gv.u.items()]
                out[name] = Assignment.from_parts(name, k, parts)
            else:
                t, k = next(tk for tk, v in gv.x.items() if solver.boolean_value(v))
                out[name] = Assignment(name, t, k)
        return Plan(self.inst, out)

    @property
    def stats(self) -> dict:
        return {"variables": len(self.proto.variables), "constraints": len(self.proto.constraints),
                "rule_constraints": dict(self.constraint_counts),
                "split_groups": sum(gv.split for gv in self.gs)}

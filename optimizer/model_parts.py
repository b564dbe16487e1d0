"""The CP-SAT model of parts (model v2: split groups; docs/model.md, "Split groups").

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

Written straight into the CpModelProto as variable indices and rows (as RolloutModel is; the
variables of a group are :class:`optimizer.model_parts_vars._G`): no cp_model object per variable
or row, about a fifth of the cp_model API's build time (docs/benchmarks.md, "Split groups at
scale: the fast build"). Rules written with the cp_model API on the same model (the re-plan
model, optimizer.model_replan) use the cp_model views of ``_G``.
"""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from optimizer.domain import Group, Instance
from optimizer.model import UNBOUNDED, month_user_capacity, stage_floor
from optimizer.model_parts_solutions import PartsSolutions
from optimizer.model_parts_vars import Lin, _G

__all__ = ["Lin", "PartsModel", "_G"]


class PartsModel(PartsSolutions):
    """The model of an instance whose groups may split; same interface as RolloutModel where the
    solve path needs it (``model``, ``set_objective``, ``fix_level``, ``hint``) plus
    :meth:`read_plan` (:class:`optimizer.model_parts_solutions.PartsSolutions`)."""

    def __init__(self, inst: Instance, *, max_month: int | None = None) -> None:
        self.inst = inst
        self.max_month = inst.horizon - 1 if max_month is None else min(max_month, inst.horizon - 1)
        self.model = cp_model.CpModel()
        self.proto = self.model.proto
        self.constraint_counts: dict[str, int] = defaultdict(int)
        #: (month, resource) -> index of its capacity row (optimizer.solving.lp.parts_bounds)
        self.capacity_rows: dict[tuple[int, str], int] = {}
        self.rates = inst.rules.tickets_per_100_users
        self._hintable: list[tuple[int, object]] = []  # (variable index, fn(ctx) -> value)
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

    # ------------------------------------------------------------- writing
    def _vars(self, n: int, lo: int, hi: int) -> int:
        """Append n variables with domain [lo, hi]; return the first index."""
        vs = self.proto.variables
        first = len(vs)
        for _ in range(n):
            vs.add().domain.extend((lo, hi))
        return first

    def _row(self, vars_, coeffs, lo: int, hi: int, enforce: int | None = None) -> None:
        """lo <= sum coeffs*vars <= hi (only if ``enforce``)."""
        ct = self.proto.constraints.add()
        if enforce is not None:
            ct.enforcement_literal.append(enforce)
        lin = ct.linear
        lin.vars.extend(vars_)
        lin.coeffs.extend(coeffs)
        lin.domain.extend((max(lo, -UNBOUNDED), min(hi, UNBOUNDED)))

    def _exactly_one(self, lits) -> None:
        self.proto.constraints.add().exactly_one.literals.extend(lits)

    def _implies(self, a: int, b: int) -> None:
        """a => b (as cp_model's add_implication)."""
        ct = self.proto.constraints.add()
        ct.enforcement_literal.append(a)
        ct.bool_and.literals.append(b)

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
        gv.model = self.model
        keys = [(t, k) for t in gv.months for k in gv.methods]
        x0 = self._vars(len(keys), 0, 1)
        gv.xi = {key: x0 + i for i, key in enumerate(keys)}
        self._exactly_one(range(x0, x0 + len(keys)))
        self.constraint_counts["one-assignment"] += 1

    def _split_vars(self, gv: _G) -> None:
        """Parts: method, part literals, users per month and method, span."""
        gv.model = self.model
        g, inst, months, ks = gv.g, self.inst, gv.months, gv.methods
        least, size, K = inst.least_part(g), g.size, len(gv.methods)
        z0 = self._vars(K, 0, 1)
        gv.zi = {k: z0 + i for i, k in enumerate(ks)}
        self._exactly_one(range(z0, z0 + K))
        y0 = self._vars(len(months), 0, 1)
        u0 = self._vars(len(months) * K, 0, size)
        for j, t in enumerate(months):
            y, us = y0 + j, list(range(u0 + j * K, u0 + (j + 1) * K))
            gv.yi[t] = y
            gv.ui.update({(t, k): us[i] for i, k in enumerate(ks)})
            self._row(us + [y], [1] * K + [-least], 0, UNBOUNDED)
            self._row(us + [y], [1] * K + [-size], -UNBOUNDED, 0)
        # at least one part (none: no month to enroll in, no plan)
        self.proto.constraints.add().bool_or.literals.extend(range(y0, y0 + len(months)))
        for i, k in enumerate(ks):  # all users by the group's one method (and sum u = size)
            us = [u0 + j * K + i for j in range(len(months))]
            self._row(us + [z0 + i], [1] * len(us) + [-size], 0, 0)
        lo, hi = (min(months), max(months)) if months else (0, 0)
        gv.first_i = self._vars(1, lo, hi)
        gv.last_i = self._vars(1, lo, hi)
        b0 = self._vars(2 * len(months), 0, 1)
        gv.bfi = {t: b0 + j for j, t in enumerate(months)}
        gv.bli = {t: b0 + len(months) + j for j, t in enumerate(months)}
        if months:
            for end, b in ((gv.first_i, gv.bfi), (gv.last_i, gv.bli)):
                self._exactly_one(b.values())
                self._row([end] + list(b.values()), [1] + [-t for t in b], 0, 0)
        for t in months:
            self._implies(gv.bfi[t], gv.yi[t])
            self._implies(gv.bli[t], gv.yi[t])
            self._row([gv.first_i], [1], -UNBOUNDED, t, enforce=gv.yi[t])
            self._row([gv.last_i], [1], t, UNBOUNDED, enforce=gv.yi[t])
        self._row([gv.last_i, gv.first_i], [1, -1], -UNBOUNDED, inst.max_months(g) - 1)
        self.constraint_counts["months-per-group"] += 1
        self._split_tickets(gv)

    def _fraction(self, k: str) -> tuple[int, int]:
        """Tickets of u users with method k: ceil(u * num / den)."""
        return self.rates[k], 100

    def _split_tickets(self, gv: _G) -> None:
        """Per part and method: tix = ceil(num * users / den), as num*u <= den*tix <= num*u + den-1
        (linear: users of a method the group does not use are 0, and so are their tickets)."""
        size = gv.g.size
        for k in gv.methods:
            num, den = self._fraction(k)
            if num == 0:
                continue
            t0 = self._vars(len(gv.months), 0, -(-size * num // den))
            for j, t in enumerate(gv.months):
                tix, u = t0 + j, gv.ui[t, k]
                gv.ti[t, k] = tix
                self._row([tix, u], [den, -num], 0, UNBOUNDED)
                self._row([tix, u], [den, -num], -UNBOUNDED, den - 1)

    # ---------------------------------------------------------- constraints
    def _add_finish(self) -> None:
        """finish >= every group's last month; monotone open[t] with finish = sum open - 1 carry
        the implied capacity rows (valid with parts: a part's tickets are rounded up, so a
        month holds no more users than the fractional knapsack month_user_capacity, and a group
        needs at least its fewest whole-group tickets)."""
        inst, T, f = self.inst, self.max_month + 1, self.finish.index
        for gv in self.gs:
            ids, cs = gv.month_terms("last")
            self._row(ids + [f], cs + [-1], -UNBOUNDED, 0)
        o = self._vars(T, 0, 1)
        self.open = list(range(o, o + T))
        self._row([o], [1], 1, 1)
        for t in range(1, T):
            self._implies(o + t, o + t - 1)
        self._row([f] + self.open, [1] + [-1] * T, -1, -1)
        total = sum(g.size for g in inst.groups)
        users = [min(month_user_capacity(inst, t), total) for t in range(T)]
        self._row(self.open, users, total, UNBOUNDED)
        fewest = sum(min((inst.rules.tickets(g.size, k) for k in inst.allowed_methods(g)), default=0)
                     for g in inst.groups)
        self._row(self.open, [inst.months[t].helpdesk for t in range(T)], fewest, UNBOUNDED)

    def _add_capacity(self) -> None:
        """helpdesk (tickets per part), assisted and tech-fair seats (users) per month: the
        terms are gathered per month in one pass over the groups' variables."""
        rules, T = self.inst.rules, self.max_month + 1
        seats = ("assisted", "tech-fair")
        terms = {res: [([], []) for _ in range(T)] for res in ("helpdesk", "assisted", "tech-fair")}
        for gv in self.gs:
            size = gv.g.size
            if gv.split:
                for (t, _k), i in gv.ti.items():
                    terms["helpdesk"][t][0].append(i)
                    terms["helpdesk"][t][1].append(1)
                for (t, k), i in gv.ui.items():
                    if k in seats:
                        terms[k][t][0].append(i)
                        terms[k][t][1].append(1)
                continue
            tickets = {k: rules.tickets(size, k) for k in gv.methods}
            for (t, k), i in gv.xi.items():
                terms["helpdesk"][t][0].append(i)
                terms["helpdesk"][t][1].append(tickets[k])
                if k in seats:
                    terms[k][t][0].append(i)
                    terms[k][t][1].append(size)
        for t in range(T):
            month = self.inst.months[t]
            for res, cap in (("helpdesk", month.helpdesk), ("assisted", month.assisted),
                             ("tech-fair", month.tech_fair)):
                self.capacity_rows[t, res] = len(self.proto.constraints)  # for the LP's room
                self._row(*terms[res][t], -UNBOUNDED, cap)
            self.constraint_counts["capacity"] += 3

    def _add_stage_order(self) -> None:
        """pilot last <= expanded-pilot first; production parts >= the last pilot-stage part's
        month + stage_gap (+ risk_delay for high risk); 0 + risk_delay without a pilot stage."""
        r, T = self.inst.rules, self.max_month + 1
        pilots = [gv for gv in self.gs if gv.g.wave == "pilot"]
        expanded = [gv for gv in self.gs if gv.g.wave == "expanded-pilot"]
        if pilots and expanded:
            s = self._vars(1, 0, T - 1)
            self._hintable.append((s, lambda c: max(c["last"][gv.g.name] for gv in pilots)))
            for gv in pilots:
                ids, cs = gv.month_terms("last")
                self._row(ids + [s], cs + [-1], -UNBOUNDED, 0)
            for gv in expanded:
                ids, cs = gv.month_terms("first")
                self._row(ids + [s], cs + [-1], 0, UNBOUNDED)
        stage = pilots + expanded
        prod = [gv for gv in self.gs if gv.g.wave == "production"]
        if not prod:
            return
        end = None
        if stage:
            end = self._vars(1, min(self.stage_floor, T - 1), T - 1)
            self._hintable.append((end, lambda c: max(c["last"][gv.g.name] for gv in stage)))
            for gv in stage:
                ids, cs = gv.month_terms("last")
                self._row(ids + [end], cs + [-1], -UNBOUNDED, 0)
        for gv in prod:
            delay = (r.stage_gap if stage else 0) + (r.risk_delay if gv.g.risk == "high" else 0)
            ids, cs = gv.month_terms("first")
            if end is not None:
                self._row(ids + [end], cs + [-1], delay, UNBOUNDED)
            else:
                self._row(ids, cs, delay, UNBOUNDED)

    def _add_after(self) -> None:
        """after: last_h + 1 <= first_g."""
        by_name = {gv.g.name: gv for gv in self.gs}
        for gv in self.gs:
            for h in gv.g.after:
                ids, cs = gv.month_terms("first")
                hids, hcs = by_name[h].month_terms("last")
                self._row(ids + hids, cs + [-c for c in hcs], 1, UNBOUNDED)

    def _add_max_distinct(self, rule: str, attr: str, limit: int) -> None:
        """At most ``limit`` distinct non-empty values per month; a group counts in every month
        with a part."""
        values = sorted({getattr(g, attr) for g in self.inst.groups if getattr(g, attr)})
        if limit <= 0 or len(values) <= limit:
            return
        by_value = {v: [gv for gv in self.gs if getattr(gv.g, attr) == v] for v in values}
        for t in range(self.max_month + 1):
            used = []
            for v in values:
                members = [gv for gv in by_value[v] if t in gv.months]
                if not members:
                    continue
                lit = self._vars(1, 0, 1)
                names = [gv.g.name for gv in members]
                self._hintable.append((lit, lambda c, names=names, t=t: int(any(
                    t in c["parts"][n] for n in names))))
                ids, cs = [], []
                for gv in members:
                    i, c = gv.part_terms(t)
                    ids += i
                    cs += c
                self._row(ids + [lit], cs + [-len(members)], -UNBOUNDED, 0)
                used.append(lit)
            if len(used) > limit:
                self._row(used, [1] * len(used), -UNBOUNDED, limit)
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
                ids, cs = gv.month_terms("first")
                sids, scs = seen[key].month_terms("first")
                self._row(ids + sids, cs + [-c for c in scs], 0, 0)
            else:
                seen[key] = gv

    # ------------------------------------------------------------ objective
    def _objective_terms(self) -> dict:
        wv, wc, av, ac, pv, n_split = [], [], [], [], [], 0
        for gv in self.gs:
            rd, size = gv.g.readiness, gv.g.size
            if gv.split:
                n_split += 1
                for (t, _k), i in gv.ui.items():
                    if t and rd:
                        wv.append(i)
                        wc.append(rd * t)
                pv.extend(gv.yi.values())
                if "assisted" in gv.zi:
                    av.append(gv.zi["assisted"])
                    ac.append(size)
                continue
            for (t, k), i in gv.xi.items():
                if t and rd:
                    wv.append(i)
                    wc.append(rd * t * size)
                if k == "assisted":
                    av.append(i)
                    ac.append(size)
        return {"finish": Lin([self.finish.index], [1]), "waiting": Lin(wv, wc), "assisted": Lin(av, ac),
                "splits": Lin(pv, [1] * len(pv), -n_split)}

    def set_objective(self, level: str) -> None:
        expr = self.objectives[level]
        if not isinstance(expr, Lin):
            self.model.minimize(expr)
            return
        self.model.clear_objective()
        obj = self.proto.objective
        obj.vars.extend(expr.vars)
        obj.coeffs.extend(expr.coeffs)
        obj.offset = expr.offset
        obj.scaling_factor = 1.0

    def fix_level(self, level: str, lo: int, hi: int) -> None:
        """Keep level's value within [lo, hi] from now on (lexicographic step)."""
        expr = self.objectives[level]
        if not isinstance(expr, Lin):
            self.model.add(expr >= lo)
            self.model.add(expr <= hi)
            return
        self._row(expr.vars, expr.coeffs, lo - expr.offset if lo > -UNBOUNDED else -UNBOUNDED,
                  hi - expr.offset if hi < UNBOUNDED else UNBOUNDED)

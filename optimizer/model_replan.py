"""The CP-SAT model of a re-plan (model v2 spec, "Re-planning with actuals"): the model of parts
(:class:`optimizer.model_parts.PartsModel`) with the history as fixed facts.

- Each group with users left gets the parts encoding of its remaining users r_g (a copy of the
  group with size r_g: the least part is min(min_part_users, r_g), max_months counts the future
  months only), in months >= ``as_of`` (and >= :func:`optimizer.replan.history.order_floor`, a bound from
  the history alone); done groups get no variables. The method is free among the allowed ones.
- Per-month rules (capacities, max_platforms/max_locations) are kept from ``as_of`` on only.
- Order rules judge each future part against all parts it must follow, actual (constants) or
  planned (variables): stage order, O (+ risk_delay), ``after``.
- keep_departments_together holds only the groups that have not started.
- Levels are those of the whole plan: each level's expression plus the history's constant, so a
  level's value is the one :class:`optimizer.replan.plan.ReplanPlan` reports; ``changes`` is
  sum over (g, t >= as_of) of max(0, prev_u - new_u) plus the slipped users.
- With observed rates used (``--observed-rates``), a future part's tickets are
  ceil(u * tickets / users) of the method's observed sums (integer arithmetic).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict

from ortools.sat.python import cp_model

from optimizer.replan.changes import slipped_users
from optimizer.domain import Group, Instance
from optimizer.replan.history import History, order_floor
from optimizer.model_parts import PartsModel, _G
from optimizer.replan.observed_rates import ObservedRates
from optimizer.plan import Assignment
from optimizer.replan.previous_plan import PreviousPlan

_sum = cp_model.LinearExpr.sum


class ReplanModel(PartsModel):
    """The re-plan's model; the interface of :class:`PartsModel` (``model``, ``set_objective``,
    ``fix_level``, ``hint``, ``read_plan``) with levels of the whole plan and the level ``changes``."""

    def __init__(self, inst: Instance, history: History, previous: PreviousPlan | None = None,
                 rates: ObservedRates | None = None, *, max_month: int | None = None) -> None:
        self.inst, self.history, self.previous, self.observed = inst, history, previous, rates
        self.as_of = history.as_of
        self.max_month = inst.horizon - 1 if max_month is None else min(max_month, inst.horizon - 1)
        self.model = cp_model.CpModel()
        self.proto = self.model.proto
        self.constraint_counts: dict[str, int] = defaultdict(int)
        self.rates = inst.rules.tickets_per_100_users
        self._hintable: list = []
        self.open: list = []
        self.floors = order_floor(inst, history)
        self.gs = [gv for g in inst.groups if (gv := self._group_vars(g)) is not None]
        self.by_name = {gv.g.name: gv for gv in self.gs}
        self.history_last = max((p.month for ps in history.parts.values() for p in ps), default=0)
        self.finish = self.model.new_int_var(min(self.history_last, self.max_month), self.max_month, "finish")
        self._add_rules()

    # ------------------------------------------------------------ variables
    def _group_vars(self, g: Group) -> _G | None:
        left = self.history.remaining[g.name]
        if left <= 0:
            return None
        rest = dataclasses.replace(g, size=left)
        lo = self.floors[g.name]
        months = [t for t in self.inst.allowed_months(g) if lo <= t <= self.max_month]
        gv = _G(rest, months, self.inst.allowed_methods(g), self.inst.max_months(g) > 1 and left > 1)
        if gv.split:
            self._split_vars(gv)
        else:
            self._unsplit_vars(gv)
        return gv

    def _fraction(self, k: str) -> tuple[int, int]:
        """Tickets of u users with method k: ceil(u * num / den)."""
        if self.observed is not None:
            rate = self.observed.rate(k)
            if rate.used:
                return rate.tickets, rate.users
        return self.rates[k], 100

    def _tickets(self, users: int, k: str) -> int:
        num, den = self._fraction(k)
        return -(-users * num // den)

    # ---------------------------------------------------------- constraints
    def _add_finish(self) -> None:
        """finish >= every future part's month and every actual part's month."""
        for gv in self.gs:
            self.model.add(self.finish >= gv.last)

    def _add_capacity(self) -> None:
        """helpdesk, assisted and tech-fair capacity of the months from as_of on."""
        m = self.model
        for t in range(self.as_of, self.max_month + 1):
            month = self.inst.months[t]
            tickets, seats = [], {"assisted": [], "tech-fair": []}
            for gv in self.gs:
                if gv.split:
                    if t in gv.tix:
                        tickets.append(gv.tix[t])
                else:
                    tickets.extend(self._tickets(gv.g.size, k) * gv.x[t, k]
                                   for k in gv.methods if (t, k) in gv.x)
                for k in seats:
                    seats[k].append(gv.users(t, k))
            m.add(_sum(tickets) <= month.helpdesk)
            m.add(_sum(seats["assisted"]) <= month.assisted)
            m.add(_sum(seats["tech-fair"]) <= month.tech_fair)
            self.constraint_counts["capacity"] += 3

    def _actual_last(self, names) -> int | None:
        months = [m for h in names if (m := self.history.last_month(h)) is not None]
        return max(months) if months else None

    def _add_stage_order(self) -> None:
        """Expanded-pilot future parts >= every pilot part's month; production future parts >=
        O (+ risk_delay) with O over all pilot-stage parts, actual and planned, + stage_gap."""
        m, r, T = self.model, self.inst.rules, self.max_month + 1
        groups = self.inst.groups
        pilot_names = [g.name for g in groups if g.wave == "pilot"]
        stage_names = [g.name for g in groups if g.pilot_stage]
        pilots = [self.by_name[n] for n in pilot_names if n in self.by_name]
        expanded = [gv for gv in self.gs if gv.g.wave == "expanded-pilot"]
        if pilot_names and expanded:
            s = m.new_int_var(0, T - 1, "pilot_end")
            s_actual = self._actual_last(pilot_names)
            if s_actual is not None:
                m.add(s >= s_actual)
            for gv in pilots:
                m.add(gv.last <= s)
            for gv in expanded:
                m.add(gv.first >= s)
        prod = [gv for gv in self.gs if gv.g.wave == "production"]
        if not prod:
            return
        end = None
        if stage_names:
            end = m.new_int_var(0, T - 1, "stage_end")
            actual = self._actual_last(stage_names)
            if actual is not None:
                m.add(end >= actual)
            for gv in (self.by_name[n] for n in stage_names if n in self.by_name):
                m.add(gv.last <= end)
        for gv in prod:
            delay = (r.stage_gap if stage_names else 0) + (r.risk_delay if gv.g.risk == "high" else 0)
            m.add(_sum([gv.first]) >= (end if end is not None else 0) + delay)

    def _add_after(self) -> None:
        """h in after_g: g's future parts >= last_h + 1, last_h over h's actual and planned parts."""
        for gv in self.gs:
            for h in gv.g.after:
                if h in self.by_name:
                    self.model.add(_sum([self.by_name[h].last]) + 1 <= gv.first)
                actual = self.history.last_month(h)
                if actual is not None:
                    self.model.add(gv.first >= actual + 1)

    def _add_departments(self) -> None:
        """Same non-empty department and wave -> same first month, for groups not yet started."""
        if not self.inst.rules.keep_departments_together:
            return
        seen: dict[tuple[str, str], _G] = {}
        for gv in self.gs:
            if not gv.g.department or self.history.started(gv.g.name):
                continue
            key = (gv.g.department, gv.g.wave)
            if key in seen:
                self.model.add(gv.first == seen[key].first)
            else:
                seen[key] = gv

    # ------------------------------------------------------------ objective
    def _objective_terms(self) -> dict:
        """PartsModel's levels over the future parts plus the history's constant, and ``changes``."""
        terms = super()._objective_terms()
        hist = self.history
        readiness = {g.name: g.readiness for g in self.inst.groups}
        actual = [(g, p) for g, ps in hist.parts.items() for p in ps]
        terms["waiting"] = terms["waiting"] + sum(p.users * readiness[g] * p.month for g, p in actual)
        terms["assisted"] = terms["assisted"] + sum(p.users for _g, p in actual if p.method == "assisted")
        terms["splits"] = terms["splits"] + len(actual) - len(hist.done)
        if self.previous is not None:
            terms["changes"] = self._changes_term()
        return terms

    def _changes_term(self):
        """sum over (g, t >= as_of) of max(0, prev_u - new_u) (one variable per previous part) plus
        the slipped users (a constant)."""
        m, hist = self.model, self.history
        actual = {g: hist.actual_users(g) for g in hist.parts}
        const = sum(slipped_users(self.previous.users, actual, self.as_of).values())
        gaps = []
        for (g, t), u in sorted(self.previous.users.items()):
            if t < self.as_of:
                continue
            gv = self.by_name.get(g)
            if gv is None or t not in gv.months:
                const += u  # the group has no users left or cannot be in t: all of u moved
                continue
            d = m.new_int_var(0, u, "")
            m.add(d >= u - gv.users(t))
            gaps.append(d)
        self._gaps = gaps
        return _sum(gaps) + const

    # ------------------------------------------------------------ solutions
    def hint(self, plan) -> None:
        """A hint from a whole plan (actual parts and new parts): its parts from as_of on."""
        m = self.model
        m.clear_hints()
        for gv in self.gs:
            a = plan.assignments.get(gv.g.name)
            if a is None:
                continue
            parts = {t: u for t, u in plan.parts(gv.g.name) if t >= self.as_of}
            if not parts:
                continue
            if gv.split:
                self._hint_split(gv, a.method, parts)
            else:
                for (t, k), v in gv.x.items():
                    m.add_hint(v, t in parts and k == a.method)

    def read_plan(self, solver: cp_model.CpSolver):
        """The whole plan: each group's actual parts (their methods), then its new parts."""
        from optimizer.replan.plan import ReplanPlan
        future: dict[str, tuple[str, list[tuple[int, int]]]] = {}
        for gv in self.gs:
            if gv.split:
                k = next(k for k, v in gv.z.items() if solver.boolean_value(v))
                future[gv.g.name] = (k, [(t, solver.value(u)) for t, u in gv.u.items()])
            else:
                t, k = next(tk for tk, v in gv.x.items() if solver.boolean_value(v))
                future[gv.g.name] = (k, [(t, gv.g.size)])
        return ReplanPlan.build(self.inst, self.history, future, self.previous, self.observed)


def whole_assignment(name: str, actual, method: str | None, new: list[tuple[int, int]]) -> Assignment:
    """A group's assignment in a re-plan: actual parts (with their methods), then the new parts of
    ``method``; its method is the new parts' (a done group: its last actual part's)."""
    parts = [(p.month, p.users, p.method) for p in actual]
    parts += [(t, u, method) for t, u in sorted(new) if u > 0]
    k = method if method is not None and new else parts[-1][2]
    return Assignment(name, parts[0][0], k, tuple((t, u) for t, u, _ in parts), tuple(m for _, _, m in parts))

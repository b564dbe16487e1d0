"""The CP-SAT model: variables, one method per constraint family, objectives.

Math (see docs/model.md): binary ``x[g,t,k]`` = group g enrolls in month t
with method k, created only for eligible (t, k); ``month[g] = sum t*x``;
monotone ``open[t]`` literals with ``finish = sum open - 1`` (capacity is
switched off in months after the finish, the strong makespan formulation).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from . import rules as R
from .domain import METHODS, Instance


@dataclass
class Variables:
    x: dict[tuple[int, int, str], cp_model.IntVar] = field(default_factory=dict)
    month: list[cp_model.IntVar] = field(default_factory=list)
    open: list[cp_model.IntVar] = field(default_factory=list)
    finish: cp_model.IntVar | None = None
    #: x keys per group, per (month), per (month, method) — built once.
    by_group: dict[int, list[tuple[int, int, str]]] = field(default_factory=lambda: defaultdict(list))
    by_month: dict[int, list[tuple[int, int, str]]] = field(default_factory=lambda: defaultdict(list))


class RolloutModel:
    """Builds the CP-SAT model of an :class:`Instance`.

    ``constraint_counts`` records how many constraints each rule family
    added, so reports can show which rules are active.
    """

    def __init__(self, inst: Instance) -> None:
        self.inst = inst
        self.model = cp_model.CpModel()
        self.vars = Variables()
        self.constraint_counts: dict[str, int] = defaultdict(int)
        self.index = {g.name: i for i, g in enumerate(inst.groups)}
        self.add_variables()
        self.add_constraints()
        self.objectives = self.objective_expressions()

    # ------------------------------------------------------------------ vars
    def add_variables(self) -> None:
        """x[g,t,k] for eligible (month, method) pairs only: this *is* the
        eligibility rule family (methods, VIP-assisted, window, blackout)."""
        m, v, inst = self.model, self.vars, self.inst
        T = inst.horizon
        for gi, g in enumerate(inst.groups):
            months = inst.allowed_months(g)
            methods = inst.allowed_methods(g)
            for t in months:
                for k in methods:
                    key = (gi, t, k)
                    v.x[key] = m.new_bool_var(f"x[{gi},{t},{k}]")
                    v.by_group[gi].append(key)
                    v.by_month[t].append(key)
            v.month.append(m.new_int_var_from_domain(
                cp_model.Domain.from_values(months), f"month[{gi}]"))
        v.open = [m.new_bool_var(f"open[{t}]") for t in range(T)]
        v.finish = m.new_int_var(0, T - 1, "finish")

    # ----------------------------------------------------------- constraints
    def add_constraints(self) -> None:
        """All rule families, in a fixed order (the order is part of determinism)."""
        self.add_one_assignment()
        self.add_finish_link()
        self.add_capacity()
        self.add_pilot_first()
        self.add_production_opens()
        self.add_after()
        self.add_max_platforms()
        self.add_max_locations()
        self.add_departments_together()

    def _count(self, rule: str, n: int = 1) -> None:
        self.constraint_counts[rule] += n

    def add_one_assignment(self) -> None:
        """one-assignment: exactly one (month, method) per group; month[g] = sum t*x."""
        m, v = self.model, self.vars
        for gi in range(len(self.inst.groups)):
            keys = v.by_group[gi]
            m.add_exactly_one(v.x[k] for k in keys)
            m.add(v.month[gi] == sum(t * v.x[(gi, t, kk)] for (_, t, kk) in keys))
            self._count(R.ONE_ASSIGNMENT)

    def add_finish_link(self) -> None:
        """open[t] monotone, finish = sum(open) - 1, every month[g] <= finish."""
        m, v = self.model, self.vars
        m.add(v.open[0] == 1)
        for t in range(1, len(v.open)):
            m.add_implication(v.open[t], v.open[t - 1])
        m.add(v.finish == sum(v.open) - 1)
        for mv in v.month:
            m.add(mv <= v.finish)

    def add_capacity(self) -> None:
        """helpdesk-, assisted-, tech-fair-capacity: per month, load <= capacity * open[t]."""
        m, v, inst = self.model, self.vars, self.inst
        rules = inst.rules
        for t, month in enumerate(inst.months):
            keys = v.by_month[t]
            helpdesk = [(rules.tickets(inst.groups[gi].size, k), v.x[(gi, t, k)]) for gi, _, k in keys]
            loads = {
                "helpdesk": [(c, x) for c, x in helpdesk if c > 0],
                "assisted": [(inst.groups[gi].size, v.x[(gi, t, k)]) for gi, _, k in keys if k == "assisted"],
                "tech_fair": [(inst.groups[gi].size, v.x[(gi, t, k)]) for gi, _, k in keys if k == "tech-fair"],
            }
            for res, terms in loads.items():
                if not terms:
                    continue
                cap = month.capacity(res)
                if sum(c for c, _ in terms) <= cap:
                    continue  # can never bind
                m.add(sum(c * x for c, x in terms) <= cap * v.open[t])
                self._count(R.CAPACITY_RULE[res])

    def add_pilot_first(self) -> None:
        """pilot-first: max(pilot months) <= s <= min(expanded-pilot months)."""
        m, v, inst = self.model, self.vars, self.inst
        pilots = [i for i, g in enumerate(inst.groups) if g.wave == "pilot"]
        expanded = [i for i, g in enumerate(inst.groups) if g.wave == "expanded-pilot"]
        if not pilots or not expanded:
            return
        s = m.new_int_var(0, inst.horizon - 1, "pilot_split")
        for i in pilots:
            m.add(v.month[i] <= s)
        for i in expanded:
            m.add(v.month[i] >= s)
        self._count(R.PILOT_FIRST, len(pilots) + len(expanded))

    def add_production_opens(self) -> None:
        """production-opens and risk-delay.

        open_at = max(pilot-stage months) + stage_gap (0 without pilot stage);
        production months >= open_at, high-risk ones >= open_at + risk_delay.
        """
        m, v, inst = self.model, self.vars, self.inst
        r = inst.rules
        stage = [i for i, g in enumerate(inst.groups) if g.pilot_stage]
        prod = [i for i, g in enumerate(inst.groups) if g.wave == "production"]
        if not prod:
            return
        if stage:
            last = m.new_int_var(0, inst.horizon - 1, "last_pilot_month")
            for i in stage:
                m.add(last >= v.month[i])
            base = last + r.stage_gap
        else:
            base = 0
        for i in prod:
            high = inst.groups[i].risk == "high"
            delay = r.risk_delay if high else 0
            if not stage and not delay:
                continue  # month >= 0 always holds
            m.add(v.month[i] >= base + delay)
            self._count(R.RISK_DELAY if high and delay else R.PRODUCTION_OPENS)

    def add_after(self) -> None:
        """after: month[g] >= month[h] + 1 for every h in g's after-list."""
        m, v = self.model, self.vars
        for gi, g in enumerate(self.inst.groups):
            for h in g.after:
                m.add(v.month[gi] >= v.month[self.index[h]] + 1)
                self._count(R.AFTER)

    def _max_distinct(self, rule: str, attr: str, limit: int) -> None:
        """At most ``limit`` distinct non-empty ``attr`` values enroll per month."""
        m, v, inst = self.model, self.vars, self.inst
        values = sorted({getattr(g, attr) for g in inst.groups if getattr(g, attr)})
        if limit <= 0 or len(values) <= limit:
            return
        for t in range(inst.horizon):
            groups_by_value: dict[str, set[int]] = defaultdict(set)
            for gi, _, _k in v.by_month[t]:
                val = getattr(inst.groups[gi], attr)
                if val:
                    groups_by_value[val].add(gi)
            if len(groups_by_value) <= limit:
                continue
            used = []
            for val in values:
                gis = groups_by_value.get(val)
                if not gis:
                    continue
                y = m.new_bool_var(f"{attr}[{val},{t}]")
                for gi in sorted(gis):
                    for k in METHODS:
                        key = (gi, t, k)
                        if key in v.x:
                            m.add_implication(v.x[key], y)
                used.append(y)
            m.add(sum(used) <= limit)
            self._count(rule)

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
        m, v = self.model, self.vars
        first: dict[tuple[str, str], int] = {}
        for gi, g in enumerate(self.inst.groups):
            if not g.department:
                continue
            key = (g.department, g.wave)
            if key in first:
                m.add(v.month[gi] == v.month[first[key]])
                self._count(R.DEPARTMENTS_TOGETHER)
            else:
                first[key] = gi

    # -------------------------------------------------------------- objective
    def objective_expressions(self) -> dict[str, cp_model.LinearExprT]:
        """finish, waiting and assisted as linear expressions."""
        v, inst = self.vars, self.inst
        waiting = sum(g.size * g.readiness * v.month[gi] for gi, g in enumerate(inst.groups))
        assisted = sum(
            inst.groups[gi].size * x for (gi, _t, k), x in v.x.items() if k == "assisted"
        )
        return {"finish": v.finish, "waiting": waiting, "assisted": assisted}

    # ------------------------------------------------------------ solutions
    def hint(self, assignment: dict[int, tuple[int, str]]) -> None:
        """Complete hint (every x, month, open, finish) from {group index: (month, method)}."""
        m, v = self.model, self.vars
        m.clear_hints()
        for key, x in v.x.items():
            gi, t, k = key
            m.add_hint(x, assignment.get(gi) == (t, k))
        for gi, mv in enumerate(v.month):
            if gi in assignment:
                m.add_hint(mv, assignment[gi][0])
        fin = max((t for t, _ in assignment.values()), default=0)
        for t, o in enumerate(v.open):
            m.add_hint(o, t <= fin)
        m.add_hint(v.finish, fin)

    def read_assignment(self, solver: cp_model.CpSolver | cp_model.CpSolverSolutionCallback) -> dict[int, tuple[int, str]]:
        out = {}
        for (gi, t, k), x in self.vars.x.items():
            if solver.boolean_value(x) if isinstance(solver, cp_model.CpSolver) else solver.BooleanValue(x):
                out[gi] = (t, k)
        return out

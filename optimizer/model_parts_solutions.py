"""Hints and plans of the model of parts (:class:`optimizer.model_parts.PartsModel`): a plan as a
complete solution hint, a solver's solution as a plan, the model's statistics."""

from __future__ import annotations

import numpy as np
from ortools.sat.python import cp_model

from optimizer.model_parts_vars import _G
from optimizer.plan import Assignment, Plan


class PartsSolutions:
    """Mixin of PartsModel (needs ``model``, ``proto``, ``inst``, ``gs``, ``finish``, ``open``,
    ``_hintable``, ``max_month``, ``constraint_counts``)."""

    def hint(self, plan: Plan) -> None:
        """A complete hint from ``plan`` (a v1 plan is a one-part v2 plan)."""
        self.proto.clear_solution_hint()
        ctx = {"parts": {}, "last": {}}
        hv, hval = [], []
        for gv in self.gs:
            a = plan.assignments.get(gv.g.name)
            if a is None:
                continue
            parts = dict(plan.parts(gv.g.name))
            ctx["parts"][gv.g.name], ctx["last"][gv.g.name] = parts, max(parts)
            if not gv.split:
                hv += gv.xi.values()
                hval += [int(t in parts and k == a.method) for t, k in gv.xi]
                continue
            self._hint_split(gv, a.method, parts)
        lasts = ctx["last"].values()
        finish = min(max(lasts, default=0), self.max_month)
        hv.append(self.finish.index)
        hval.append(finish)
        hv += self.open
        hval += [int(t <= finish) for t in range(len(self.open))]
        if len(ctx["parts"]) == len(self.gs):
            for var, fn in self._hintable:
                hv.append(var)
                hval.append(int(fn(ctx)))
        self._add_hints(hv, hval)

    def _add_hints(self, vars_, values) -> None:
        h = self.proto.solution_hint
        h.vars.extend(vars_)
        h.values.extend(values)

    def _hint_split(self, gv: _G, method: str, parts: dict[int, int]) -> None:
        hv, hval = [], []
        for k, v in gv.zi.items():
            hv.append(v)
            hval.append(int(k == method))
        first, last = min(parts), max(parts)
        for t in gv.months:
            u = parts.get(t, 0)
            hv += [gv.yi[t], gv.bfi[t], gv.bli[t]]
            hval += [int(u > 0), int(t == first), int(t == last)]
            for k in gv.methods:
                uk = u if k == method else 0
                hv.append(gv.ui[t, k])
                hval.append(uk)
                if (t, k) in gv.ti:
                    num, den = self._fraction(k)
                    hv.append(gv.ti[t, k])
                    hval.append(-(-uk * num // den))
        if gv.months:
            hv += [gv.first_i, gv.last_i]
            hval += [first, last]
        self._add_hints(hv, hval)

    def read_plan(self, solver: cp_model.CpSolver) -> Plan:
        """The solution as a plan: split groups with their parts, others as in v1."""
        sol = np.asarray(solver.response_proto.solution, dtype=np.int64)
        out: dict[str, Assignment] = {}
        for gv in self.gs:
            name = gv.g.name
            if gv.split:
                k = next(k for k, v in gv.zi.items() if sol[v])
                parts = [(t, int(sum(sol[gv.ui[t, m]] for m in gv.methods))) for t in gv.months]
                out[name] = Assignment.from_parts(name, k, parts)
            else:
                t, k = next(tk for tk, v in gv.xi.items() if sol[v])
                out[name] = Assignment(name, t, k)
        return Plan(self.inst, out)

    @property
    def stats(self) -> dict:
        return {"variables": len(self.proto.variables), "constraints": len(self.proto.constraints),
                "rule_constraints": dict(self.constraint_counts),
                "split_groups": sum(gv.split for gv in self.gs)}

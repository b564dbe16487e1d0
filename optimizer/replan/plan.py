"""A re-plan's plan: the whole plan (each group's actual parts before ``as_of``, then its new
parts), always a v2 plan, with the ``changes`` level beside the others and the tickets of the
coming months under the rates the re-plan used (model v2 spec, "Re-planning with actuals")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from optimizer.replan.changes import changes_level
from optimizer.domain import Instance
from optimizer.replan.history import History
from optimizer.replan.observed_rates import ObservedRates
from optimizer.plan import Plan
from optimizer.replan.previous_plan import PreviousPlan


@dataclass
class ReplanPlan(Plan):
    history: History | None = None
    previous: PreviousPlan | None = None
    observed: ObservedRates | None = None

    @classmethod
    def build(cls, inst: Instance, history: History, future: Mapping[str, tuple[str, list[tuple[int, int]]]],
              previous: PreviousPlan | None = None, observed: ObservedRates | None = None) -> "ReplanPlan":
        """``future``: per group with users left, (method, [(month, users), ...]) from as_of on."""
        from optimizer.model_replan import whole_assignment
        out = {}
        for g in inst.groups:
            method, new = future.get(g.name, (None, []))
            actual = history.parts.get(g.name, ())
            if actual or any(u > 0 for _t, u in new):
                out[g.name] = whole_assignment(g.name, actual, method, new)
        return cls(inst, out, history, previous, observed)

    @property
    def as_of(self) -> int:
        return self.history.as_of if self.history is not None else 0

    @property
    def v2(self) -> bool:
        return True

    def is_done(self, month: int) -> bool:
        """Parts in ``month`` are history (enrolled before ``as_of``)."""
        return month < self.as_of

    def new_parts(self) -> dict[tuple[str, int], int]:
        """{(group, month): users} of the parts from as_of on."""
        return {(g.name, t): u for g, _k, t, u in self.all_parts() if t >= self.as_of}

    def new_methods(self) -> dict[str, str]:
        return {a.group: a.method for a in self.assignments.values()}

    def changes(self) -> int:
        if self.previous is None or self.history is None:
            return 0
        actual = {g: self.history.actual_users(g) for g in self.history.parts}
        return changes_level(self.previous.users, self.new_parts(), actual, self.as_of)

    def objective_values(self) -> dict[str, int]:
        vals = super().objective_values()
        if self.previous is not None:
            vals["changes"] = self.changes()
        return vals

    def loads(self) -> list[dict[str, int]]:
        """Per month as Plan.loads, the coming months' tickets by the rates the re-plan used."""
        out = super().loads()
        if self.observed is None or not any(m.used for m in self.observed.methods):
            return out
        for row in out[self.as_of:]:
            row["helpdesk"] = 0
        for _g, k, t, u in self.all_parts():
            if t >= self.as_of:
                out[t]["helpdesk"] += self.observed.tickets(u, k)
        return out

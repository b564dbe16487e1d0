"""A plan: one (month, method) per group, and everything computed from it.

Nothing here uses the solver: objective levels, phases and per-month loads
are recomputed from the assignments and the instance, so a plan typed in by
hand gets exactly the same figures as a solved one.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import i18n
from .domain import METHODS, RESOURCES, Instance


@dataclass(frozen=True)
class Assignment:
    group: str
    month: int  # index into instance.months
    method: str


@dataclass
class Plan:
    inst: Instance
    assignments: dict[str, Assignment]

    @classmethod
    def from_indices(cls, inst: Instance, by_index: dict[int, tuple[int, str]]) -> "Plan":
        return cls(inst, {
            inst.groups[gi].name: Assignment(inst.groups[gi].name, t, k)
            for gi, (t, k) in sorted(by_index.items())
        })

    def to_indices(self) -> dict[int, tuple[int, str]]:
        idx = {g.name: i for i, g in enumerate(self.inst.groups)}
        return {idx[a.group]: (a.month, a.method) for a in self.assignments.values() if a.group in idx}

    def month_label(self, group: str) -> str:
        return self.inst.months[self.assignments[group].month].label

    # ------------------------------------------------------------- objectives
    def finish(self) -> int:
        return max(a.month for a in self.assignments.values())

    def waiting(self) -> int:
        return sum(
            g.size * g.readiness * self.assignments[g.name].month
            for g in self.inst.groups if g.name in self.assignments
        )

    def assisted_users(self) -> int:
        return sum(
            g.size for g in self.inst.groups
            if g.name in self.assignments and self.assignments[g.name].method == "assisted"
        )

    def objective_values(self) -> dict[str, int]:
        return {"finish": self.finish(), "waiting": self.waiting(), "assisted": self.assisted_users()}

    # ----------------------------------------------------------------- loads
    def loads(self) -> list[dict[str, int]]:
        """Per month: helpdesk tickets, assisted users, tech-fair users, users."""
        inst = self.inst
        out = [{"helpdesk": 0, "assisted": 0, "tech_fair": 0, "users": 0} for _ in inst.months]
        for g in inst.groups:
            a = self.assignments.get(g.name)
            if a is None:
                continue
            row = out[a.month]
            row["helpdesk"] += inst.rules.tickets(g.size, a.method)
            row["users"] += g.size
            if a.method == "assisted":
                row["assisted"] += g.size
            elif a.method == "tech-fair":
                row["tech_fair"] += g.size
        return out

    def utilisation(self) -> list[dict[str, float | None]]:
        """Load / capacity per month and resource (None where capacity is 0 and load is 0)."""
        res = []
        for m, load in zip(self.inst.months, self.loads()):
            row: dict[str, float | None] = {}
            for r in RESOURCES:
                cap = m.capacity(r)
                row[r] = (load[r] / cap) if cap else (None if load[r] == 0 else float("inf"))
            res.append(row)
        return res

    # ---------------------------------------------------------------- phases
    def production_months(self) -> list[int]:
        return sorted({
            self.assignments[g.name].month for g in self.inst.groups
            if g.wave == "production" and g.name in self.assignments
        })

    def phase(self, group: str) -> str:
        """The phase of one group (for many groups use :meth:`phase_by_group`: one pass)."""
        g = self.inst.group(group)
        return _phase(g.wave, self.assignments[group].month, _ranks(self.production_months()))

    def phase_by_group(self) -> dict[str, str]:
        """{group name: phase} for every planned group, in one pass over the groups."""
        ranks = _ranks(self.production_months())
        A = self.assignments
        return {g.name: _phase(g.wave, A[g.name].month, ranks) for g in self.inst.groups if g.name in A}

    def phases(self) -> list[str]:
        """Phase names in display order (only those holding groups)."""
        out = []
        waves = {g.wave for g in self.inst.groups if g.name in self.assignments}
        if "pilot" in waves:
            out.append("Limited pilot")
        if "expanded-pilot" in waves:
            out.append("Expanded pilot")
        out += [f"Production phase {i + 1}" for i in range(len(self.production_months()))]
        return out

    def rows(self) -> list[dict]:
        """One record per group, in input order: the CSV export's rows."""
        out = []
        phase = self.phase_by_group()
        for g in self.inst.groups:
            a = self.assignments.get(g.name)
            if a is None:
                continue
            out.append({
                "group": g.name,
                "month": self.inst.months[a.month].label,
                "method": a.method,
                "size": g.size,
                "wave": g.wave,
                "phase": phase[g.name],
            })
        return out

    def to_frame(self):
        """The assignments as a pandas DataFrame (see :func:`optimizer.frames.plan_frame`)."""
        from .frames import plan_frame

        return plan_frame(self)

    def loads_frame(self):
        """Per-month loads and capacities as a DataFrame (:func:`optimizer.frames.loads_frame`)."""
        from .frames import loads_frame

        return loads_frame(self)

    def table(self) -> dict[str, list[list[str]]]:
        """The guide's plan table: {phase: [groups per month]} with cells 'Name (N users)'
        (the user count in the current language, :mod:`optimizer.i18n`; phases stay keys)."""
        T = self.inst.horizon
        tab: dict[str, list[list[str]]] = {p: [[] for _ in range(T)] for p in self.phases()}
        phase = self.phase_by_group()
        for g in self.inst.groups:
            a = self.assignments.get(g.name)
            if a is not None:
                tab[phase[g.name]][a.month].append(f"{g.name} ({i18n.users(g.size)})")
        return tab

    def method_table(self) -> dict[str, dict[str, list[list[str]]]]:
        """The guide's second table: {phase: {method: [group names per month]}}."""
        T = self.inst.horizon
        tab: dict[str, dict[str, list[list[str]]]] = {
            p: {k: [[] for _ in range(T)] for k in METHODS} for p in self.phases()
        }
        phase = self.phase_by_group()
        for g in self.inst.groups:
            a = self.assignments.get(g.name)
            if a is not None:
                tab[phase[g.name]][a.method][a.month].append(g.name)
        return tab


def _ranks(production_months: list[int]) -> dict[int, int]:
    """{production month: its phase number (1, 2, ...)}."""
    return {t: n + 1 for n, t in enumerate(production_months)}


def _phase(wave: str, month: int, ranks: dict[int, int]) -> str:
    if wave == "pilot":
        return "Limited pilot"
    if wave == "expanded-pilot":
        return "Expanded pilot"
    return f"Production phase {ranks[month]}"

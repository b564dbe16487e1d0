"""A plan: per group one method and its parts (month, users), and everything computed from it.

A v1 plan gives each group one month: one part with all its users (``Assignment.parts`` empty).
A split group (model v2, docs/model.md) has several parts; ``Assignment.month`` is its first month.

Nothing here uses the solver: objective levels, phases and per-month loads
are recomputed from the assignments and the instance, so a plan typed in by
hand gets exactly the same figures as a solved one.
"""

from __future__ import annotations

from dataclasses import dataclass

from optimizer import i18n
from optimizer.domain import METHODS, RESOURCES, Instance


@dataclass(frozen=True)
class Assignment:
    group: str
    month: int  # index into instance.months (a split group: its first month with users)
    method: str
    #: (month, users) per part, months increasing, users > 0; empty = one part of the whole group
    #: in ``month`` (v1). Users need not sum to the size: the checker judges that.
    parts: tuple[tuple[int, int], ...] = ()
    #: The method of each part as a plan file gives it (to judge "one method"); empty = ``method``.
    part_methods: tuple[str, ...] = ()

    @classmethod
    def from_parts(cls, group: str, method: str, parts) -> "Assignment":
        """An assignment of the parts with users > 0 (at least one)."""
        ps = tuple(sorted((int(t), u) for t, u in parts if u > 0))
        return cls(group, ps[0][0], method, ps)


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

    # ----------------------------------------------------------------- parts
    def parts(self, group: str) -> tuple[tuple[int, int], ...]:
        """((month, users), ...) of one planned group, months increasing."""
        a = self.assignments[group]
        return a.parts or ((a.month, self.inst.group(group).size),)

    def parts_of(self, g) -> tuple[tuple[int, int], ...]:
        """:meth:`parts` of a planned :class:`~optimizer.domain.Group` (no lookup by name)."""
        a = self.assignments[g.name]
        return a.parts or ((a.month, g.size),)

    def all_parts(self):
        """(group, method, month, users) for every part, groups in input order (the method is
        the part's own as a plan file gives it: the checker's "one method" judges that)."""
        A = self.assignments
        for g in self.inst.groups:
            a = A.get(g.name)
            if a is None:
                continue
            if not a.parts:  # a whole group (v1): the common case, kept fast
                yield g, a.method, a.month, g.size
                continue
            ks = a.part_methods if len(a.part_methods) == len(a.parts) else ()
            for i, (t, u) in enumerate(a.parts):
                yield g, ks[i] if ks else a.method, t, u

    def phased_parts(self):
        """(group, method, month, users, phase) for every part; a production part's phase is
        by its own month's rank among the months holding production parts."""
        ranks = _ranks(self.production_months())
        for g, k, t, u in self.all_parts():
            yield g, k, t, u, _phase(g.wave, t, ranks)

    def split_groups(self) -> int:
        """Groups enrolled in more than one month."""
        return sum(1 for a in self.assignments.values() if len(a.parts) > 1)

    @property
    def v2(self) -> bool:
        """Shown as a v2 plan (a users column, parts): the inputs let a group split, or one did."""
        return self.inst.may_split or self.split_groups() > 0

    # ------------------------------------------------------------- objectives
    def finish(self) -> int:
        return max(t for _, _, t, _ in self.all_parts())

    def waiting(self) -> int:
        return sum(u * g.readiness * t for g, _, t, u in self.all_parts())

    def assisted_users(self) -> int:
        return sum(u for _, k, _, u in self.all_parts() if k == "assisted")

    def splits(self) -> int:
        """Months with a part beyond the first, over all groups."""
        return sum(max(len(a.parts) - 1, 0) for a in self.assignments.values())

    def objective_values(self) -> dict[str, int]:
        """The objective levels' values (``splits`` only for v2 plans: v1 figures stay as they were)."""
        finish = waiting = assisted = 0
        for g, k, t, u in self.all_parts():  # one pass: the solver asks this often
            finish = max(finish, t)
            waiting += u * g.readiness * t
            if k == "assisted":
                assisted += u
        vals = {"finish": finish, "waiting": waiting, "assisted": assisted}
        if self.v2:
            vals["splits"] = self.splits()
        return vals

    # ----------------------------------------------------------------- loads
    def loads(self) -> list[dict[str, int]]:
        """Per month: helpdesk tickets, assisted users, tech-fair users, users."""
        inst = self.inst
        out = [{"helpdesk": 0, "assisted": 0, "tech_fair": 0, "users": 0} for _ in inst.months]
        for _g, k, t, u in self.all_parts():
            row = out[t]
            row["helpdesk"] += inst.rules.tickets(u, k)  # rounded up per part
            row["users"] += u
            if k == "assisted":
                row["assisted"] += u
            elif k == "tech-fair":
                row["tech_fair"] += u
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
        """Months holding production parts, increasing."""
        return sorted({t for g, _, t, _ in self.all_parts() if g.wave == "production"})

    def phase(self, group: str) -> str:
        """The phase of one group, by its first part (for many groups use :meth:`phase_by_group`)."""
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

    def columns(self) -> tuple[str, ...]:
        """The plan CSV's columns: v1's, or v2's with ``users`` (see :attr:`v2`)."""
        return PLAN_COLUMNS_V2 if self.v2 else PLAN_COLUMNS

    def rows(self) -> list[dict]:
        """One record per part (one per group when nothing splits), groups in input order: the
        CSV export's rows; ``users`` only in v2 plans. The phase of a part is by its own month."""
        out = []
        ranks = _ranks(self.production_months())
        labels = self.inst.month_labels
        v2 = self.v2
        for g, k, t, u in self.all_parts():
            row = {"group": g.name, "month": labels[t], "method": k}
            if v2:
                row["users"] = u
            row.update({"size": g.size, "wave": g.wave, "phase": _phase(g.wave, t, ranks)})
            out.append(row)
        return out

    def group_rows(self) -> list[dict]:
        """One record per group (JSON): v1's fields (month = first month); in v2 plans also
        ``parts``: [{month, users, phase}] per part."""
        if not self.v2:
            return self.rows()
        out: dict[str, dict] = {}
        for row in self.rows():
            rec = out.setdefault(row["group"], {k: v for k, v in row.items() if k != "users"} | {"parts": []})
            rec["parts"].append({"month": row["month"], "users": row["users"], "phase": row["phase"]})
        return list(out.values())

    def to_frame(self):
        """The assignments as a pandas DataFrame (see :func:`optimizer.render.frames.plan_frame`)."""
        from optimizer.render.frames import plan_frame

        return plan_frame(self)

    def loads_frame(self):
        """Per-month loads and capacities as a DataFrame (:func:`optimizer.render.frames.loads_frame`)."""
        from optimizer.render.frames import loads_frame

        return loads_frame(self)

    def table(self) -> dict[str, list[list[str]]]:
        """The guide's plan table: {phase: [groups per month]} with cells 'Name (N users)'
        (the user count in the current language, :mod:`optimizer.i18n`; phases stay keys)."""
        T = self.inst.horizon
        tab: dict[str, list[list[str]]] = {p: [[] for _ in range(T)] for p in self.phases()}
        ranks = _ranks(self.production_months())
        for g, _k, t, u in self.all_parts():
            whole = u == g.size and len(self.assignments[g.name].parts) <= 1
            count = i18n.users(g.size) if whole else i18n.users_of(u, g.size)
            tab[_phase(g.wave, t, ranks)][t].append(f"{g.name} ({count})")
        return tab

    def method_table(self) -> dict[str, dict[str, list[list[str]]]]:
        """The guide's second table: {phase: {method: [group names per month]}}."""
        T = self.inst.horizon
        tab: dict[str, dict[str, list[list[str]]]] = {
            p: {k: [[] for _ in range(T)] for k in METHODS} for p in self.phases()
        }
        ranks = _ranks(self.production_months())
        for g, k, t, _u in self.all_parts():
            tab[_phase(g.wave, t, ranks)][k][t].append(g.name)
        return tab


PLAN_COLUMNS = ("group", "month", "method", "size", "wave", "phase")
PLAN_COLUMNS_V2 = ("group", "month", "method", "users", "size", "wave", "phase")


def _ranks(production_months: list[int]) -> dict[int, int]:
    """{production month: its phase number (1, 2, ...)}."""
    return {t: n + 1 for n, t in enumerate(production_months)}


def _phase(wave: str, month: int, ranks: dict[int, int]) -> str:
    if wave == "pilot":
        return "Limited pilot"
    if wave == "expanded-pilot":
        return "Expanded pilot"
    return f"Production phase {ranks[month]}"

"""Choosing the pilot (``rollout pilot``): a set cover solved exactly with CP-SAT.

A *combination* is a platform x location (x department, when asked) that some
group has; the pilot stage should test every one of them before production.
The pilot stage is chosen, lexicographically:

1. (only with a user limit) as many combinations covered as fit in the limit;
2. the fewest users;
3. the most eager users: the largest sum of users x readiness.

Then, within the chosen pilot stage, the *limited pilot* (the first, small
wave): the smallest part of it that still has a group of every platform the
pilot stage has (fewest users, then the most eager); the rest is the
*expanded pilot*. The two are solved one after the other: the pilot stage is
the main objective, the limited pilot is cut from it. VIP groups are never
chosen. Each level is solved to a proven optimum (or, when the time limit cuts
it, the best found is kept and reported as not proven). One search worker, so
the same file gives the same pilot.

Every group has one platform and one location, so it tests one combination,
and the fewest users are also the fewest groups (one per combination); the
exact model matters for the user limit (which combinations to leave out),
for ties (readiness) and for the limited pilot.

The comparison with Windows Autopatch's fixed rings (1/9/90 and 5/15/80 % of
devices, drawn at random) counts, for the first ring and the first two rings,
the expected number of combinations none of whose users is in the ring:
sum over combinations c of (1 - p) ** users(c), p the ring's share.
"""

from __future__ import annotations

import csv
import io
import time
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from optimizer.domain import Group
from optimizer.errors import InputError
from optimizer.inputs.loaders import parse_groups
from optimizer.inputs.tables import Table, escape_cell, read_table

AUTOPATCH_SPLITS = ((1, 9, 90), (5, 15, 80))
WAVE_COLUMN = "wave"


def combination(g: Group, department: bool = False) -> tuple[str, ...]:
    """The combination a group tests: (platform, location[, department]), compared case-insensitively."""
    key = (g.platform, " ".join(g.location.split()).casefold())
    return key + (" ".join(g.department.split()).casefold(),) if department else key


@dataclass
class PilotOptions:
    users: int | None = None  # at most this many users in the pilot stage
    department: bool = False  # combinations include the department
    time_limit: float = 30.0
    workers: int = 1  # one worker: the same input gives the same pilot
    seed: int = 0


@dataclass
class Level:
    name: str
    value: int
    proven: bool


@dataclass
class Pilot:
    groups: list[Group]
    limited: list[str]  # group names, in input order
    expanded: list[str]
    combinations: list[tuple[str, ...]]  # every combination present, sorted
    coverable: set[tuple[str, ...]]  # those a non-VIP group has
    levels: list[Level] = field(default_factory=list)
    options: PilotOptions = field(default_factory=PilotOptions)
    seconds: float = 0.0

    @property
    def proven(self) -> bool:
        return all(lv.proven for lv in self.levels)

    def users(self, names: list[str]) -> int:
        size = {g.name: g.size for g in self.groups}
        return sum(size[n] for n in names)

    def covered(self, names: list[str]) -> set[tuple[str, ...]]:
        chosen = set(names)
        return {combination(g, self.options.department) for g in self.groups if g.name in chosen}

    @property
    def total_users(self) -> int:
        return sum(g.size for g in self.groups)

    def waves(self) -> dict[str, str]:
        w = {g.name: "production" for g in self.groups}
        w.update({n: "expanded-pilot" for n in self.expanded})
        w.update({n: "pilot" for n in self.limited})
        return w


def _lexicographic(model: cp_model.CpModel, levels: list[tuple[str, object, bool]], variables: list,
                   opts: PilotOptions, deadline: float) -> tuple[cp_model.CpSolver, list[Level]]:
    """Optimise ``levels`` (name, linear expression, maximise?) one after the other."""
    solver = cp_model.CpSolver()
    solver.parameters.num_search_workers = opts.workers
    solver.parameters.random_seed = opts.seed
    solver.parameters.linearization_level = 2  # clauses into the LP: set-cover bounds are then immediate
    done: list[Level] = []
    for name, expr, maximise in levels:
        if isinstance(expr, int):  # nothing to choose from
            done.append(Level(name, expr, True))
            continue
        (model.maximize if maximise else model.minimize)(expr)
        solver.parameters.max_time_in_seconds = max(0.1, deadline - time.monotonic())
        status = solver.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            raise RuntimeError(f"the pilot model has no solution at level {name} (status {solver.status_name(status)})")
        value = int(round(solver.objective_value))
        done.append(Level(name, value, status == cp_model.OPTIMAL))
        if status == cp_model.OPTIMAL:
            model.add(expr == value)
        else:  # keep what was found; the next levels cannot make it worse
            model.add(expr >= value if maximise else expr <= value)
        model.clear_hints()
        for v in variables:  # the next level starts from this level's answer
            model.add_hint(v, solver.value(v))
    return solver, done


def _stage_levels(cand: list[Group], v: list, label: str) -> list[tuple[str, object, bool]]:
    return [(f"{label} users", sum(g.size * vi for g, vi in zip(cand, v)), False),
            (f"{label} readiness", sum(g.size * g.readiness * vi for g, vi in zip(cand, v)), True)]


def choose_pilot(groups: list[Group], opts: PilotOptions | None = None) -> Pilot:
    """The limited and expanded pilot of ``groups`` (see the module docstring)."""
    opts = opts or PilotOptions()
    t0 = time.monotonic()
    deadline = t0 + opts.time_limit
    combos = sorted({combination(g, opts.department) for g in groups})
    cand = [g for g in groups if not g.vip]
    coverable = {combination(g, opts.department) for g in cand}

    # The pilot stage: a set cover of the combinations.
    m = cp_model.CpModel()
    x = [m.new_bool_var(f"x{i}") for i in range(len(cand))]
    by_combo: dict[tuple[str, ...], list[int]] = {}
    for i, g in enumerate(cand):
        by_combo.setdefault(combination(g, opts.department), []).append(i)
    cov = []
    for c in sorted(coverable):
        if opts.users is None:
            m.add(sum(x[i] for i in by_combo[c]) >= 1)
        else:
            cov.append(m.new_bool_var(f"cov{len(cov)}"))
            m.add(sum(x[i] for i in by_combo[c]) >= cov[-1])
    levels: list[tuple[str, object, bool]] = []
    if opts.users is not None:
        m.add(sum(g.size * xi for g, xi in zip(cand, x)) <= opts.users)
        levels.append(("combinations covered", sum(cov), True))
    levels += _stage_levels(cand, x, "pilot stage")
    for xi in x:  # a first answer: every group (no limit) or none (a limit)
        m.add_hint(xi, opts.users is None)
    solver, done = _lexicographic(m, levels, x, opts, deadline)
    stage = [g for g, v in zip(cand, x) if solver.value(v)]

    # The limited pilot: within the pilot stage, a cover of its platforms.
    m = cp_model.CpModel()
    y = [m.new_bool_var(f"y{i}") for i in range(len(stage))]
    by_platform: dict[str, list[int]] = {}
    for i, g in enumerate(stage):
        by_platform.setdefault(g.platform, []).append(i)
    for idx in by_platform.values():
        m.add(sum(y[i] for i in idx) >= 1)
    for yi in y:
        m.add_hint(yi, True)
    solver, more = _lexicographic(m, _stage_levels(stage, y, "limited pilot"), y, opts, deadline)
    limited = {g.name for g, v in zip(stage, y) if solver.value(v)}
    chosen = {g.name for g in stage}
    return Pilot(list(groups), [g.name for g in groups if g.name in limited],
                 [g.name for g in groups if g.name in chosen - limited], combos, coverable, done + more, opts,
                 time.monotonic() - t0)


@dataclass
class RingRow:
    label: str
    users: float
    untested: float  # expected combinations untested
    expected: bool  # a random draw (Autopatch) rather than this pilot


def comparison(p: Pilot) -> list[RingRow]:
    """This pilot's waves next to Autopatch's random rings: users and combinations left untested."""
    total = p.total_users
    users_in: dict[tuple[str, ...], int] = {}
    for g in p.groups:
        c = combination(g, p.options.department)
        users_in[c] = users_in.get(c, 0) + g.size
    n = len(p.combinations)
    rows = [
        RingRow("Limited pilot (this plan)", p.users(p.limited), n - len(p.covered(p.limited)), False),
        RingRow("Whole pilot (this plan)", p.users(p.limited + p.expanded),
                n - len(p.covered(p.limited + p.expanded)), False),
    ]
    for split in AUTOPATCH_SPLITS:
        name = "/".join(str(s) for s in split)
        for rings, share in ((1, split[0]), (2, split[0] + split[1])):
            q = 1 - share / 100
            rows.append(RingRow(f"Autopatch {name}, {'ring 1' if rings == 1 else 'rings 1-2'} ({share} %)",
                                total * share / 100, sum(q ** k for k in users_in.values()), True))
    return rows


def read_pilot_groups(path: str) -> tuple[Table, list[Group]]:
    table = read_table(path)
    groups = parse_groups(table)
    seen: dict[str, int] = {}
    for g in groups:
        if g.name in seen:
            raise InputError(f"the group '{g.name}' appears twice (also on row {seen[g.name]}); group names "
                             "must be unique", file=table.file, row=g.row, column="group")
        seen[g.name] = g.row
    return table, groups


def groups_with_waves(table: Table, p: Pilot) -> str:
    """The groups file as read, every column kept, with the wave column set from the pilot."""
    header = list(table.header)
    if WAVE_COLUMN not in header:
        header.insert(min(2, len(header)), WAVE_COLUMN)
    waves = p.waves()
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    for _, rec in table.records():
        rec = dict(rec)
        rec[WAVE_COLUMN] = waves[rec["group"]]
        w.writerow([escape_cell(rec.get(h, "")) for h in header])
    return buf.getvalue()

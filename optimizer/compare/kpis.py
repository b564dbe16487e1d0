"""A comparison's numbers: the KPIs per scenario, their differences from the baseline, the moved groups."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable

from optimizer.domain import Instance
from optimizer.i18n import N_
from optimizer.solving.solver import SolveOptions

if TYPE_CHECKING:
    from optimizer.compare.runs import ScenarioRun

#: A month counts as "over 90 %" when any resource's load exceeds this share of its capacity.
HIGH_LOAD = 0.9


@dataclass
class Kpi:
    key: str
    label: str
    kind: str  # text | month | int | pct | count | seconds
    values: list[Any]
    #: Against the baseline (first scenario); None for the baseline itself and where not comparable.
    deltas: list[Any]


@dataclass
class Move:
    """A group whose month or method differs from the baseline's plan."""

    scenario: str
    group: str
    size: int
    baseline_month: str | None
    month: str | None
    months: int | None  # later (+) or earlier (-) than in the baseline
    baseline_method: str | None
    method: str | None
    #: (month, users) per part in each plan (split groups, issue 15; one part for a whole group)
    baseline_parts: tuple[tuple[str, int], ...] = ()
    parts: tuple[tuple[str, int], ...] = ()
    #: users enrolled in another month than in the baseline, counted per part month (0: same months)
    users_moved: int = 0


@dataclass
class Comparison:
    runs: list[ScenarioRun]
    calendar: list[str]
    kpis: list[Kpi]
    moves: list[Move]
    options: SolveOptions | None = None
    jobs: int = 1
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [r.name for r in self.runs]

    @property
    def baseline(self) -> ScenarioRun:
        return self.runs[0]

    def kpi(self, key: str) -> Kpi:
        return next(k for k in self.kpis if k.key == key)

    def value(self, key: str, scenario: str) -> Any:
        return self.kpi(key).values[self.names.index(scenario)]

    def delta(self, key: str, scenario: str) -> Any:
        return self.kpi(key).deltas[self.names.index(scenario)]

    def moves_of(self, scenario: str) -> list[Move]:
        return [m for m in self.moves if m.scenario == scenario]


def calendar(insts: Iterable[Instance]) -> list[str]:
    """All month labels of all scenarios in time order (a scenario with ``start`` has a suffix)."""
    cal: list[str] = []
    for inst in insts:
        prev = -1
        for lab in inst.month_labels:
            if lab in cal:
                prev = cal.index(lab)
            else:
                cal.insert(prev + 1, lab)
                prev += 1
    if all(len(x) == 7 and x[4] == "-" and (x[:4] + x[5:]).isdigit() for x in cal):
        cal.sort()  # YYYY-MM labels: calendar order even when files disagree
    return cal


def high_load_months(run: ScenarioRun) -> list[str]:
    """The months where any resource's load exceeds :data:`HIGH_LOAD` of its capacity."""
    out = []
    for m, util in zip(run.inst.months, run.result.plan.utilisation()):
        if any(u is not None and u > HIGH_LOAD for u in util.values()):
            out.append(m.label)
    return out


def _peak_helpdesk(run: ScenarioRun) -> float | None:
    vals = [u["helpdesk"] for u in run.result.plan.utilisation() if u["helpdesk"] is not None]
    return max(vals) if vals else None


def compare(runs: list[ScenarioRun], *, options: SolveOptions | None = None, jobs: int = 1) -> Comparison:
    """KPI table and moved groups; the first run is the baseline."""
    cal = calendar(r.inst for r in runs if r.inst is not None)
    pos = {lab: i for i, lab in enumerate(cal)}
    kpis = _kpis(runs, cal, pos)
    _set_deltas(kpis, runs, pos)
    return Comparison(runs, cal, kpis, _moves(runs, pos), options=options, jobs=jobs)


def _kpis(runs: list[ScenarioRun], cal: list[str], pos: dict[str, int]) -> list[Kpi]:
    """Every KPI's value per scenario (None where a scenario has no plan)."""
    def per_plan(fn: Callable[[ScenarioRun], Any]) -> list[Any]:
        return [fn(r) if r.found else None for r in runs]

    kpis: list[Kpi] = [Kpi("status", N_("Status"), "text", [r.status for r in runs], [None] * len(runs))]
    kpis.append(Kpi("finish_month", N_("Finish month"), "month",
                    per_plan(lambda r: r.inst.months[r.result.plan.finish()].label), []))
    for lab in cal:
        def by(r: ScenarioRun, lab: str = lab) -> int:
            p = r.result.plan  # by part: a split group's users count in each part's month (issue 15)
            return sum(u for _g, _k, t, u in p.all_parts() if pos[r.inst.months[t].label] <= pos[lab])
        kpis.append(Kpi(f"enrolled_by:{lab}", f"Users enrolled by {lab}", "int", per_plan(by), []))
    kpis.append(Kpi("waiting", N_("Users waiting (user-months, weighted by readiness)"), "int", per_plan(
        lambda r: sum(u * g.readiness * pos[r.inst.months[t].label]
                      for g, _k, t, u in r.result.plan.all_parts())), []))
    kpis.append(Kpi("assisted_users", N_("Assisted users"), "int", per_plan(lambda r: r.result.plan.assisted_users()), []))
    kpis.append(Kpi("peak_helpdesk", N_("Peak helpdesk utilisation"), "pct", per_plan(_peak_helpdesk), []))
    kpis.append(Kpi("months_over_90", f"Months over {HIGH_LOAD:.0%} of any capacity".replace("%", " %"), "count",
                    per_plan(lambda r: len(high_load_months(r))), []))
    kpis.append(Kpi("solve_seconds", N_("Solve time (s)"), "seconds",
                    [r.result.seconds if r.result is not None else None for r in runs], []))
    return kpis


def _set_deltas(kpis: list[Kpi], runs: list[ScenarioRun], pos: dict[str, int]) -> None:
    """Each KPI's difference from the baseline (only where both have a plan, but solve time)."""
    ok = [r.found for r in runs]
    for k in kpis[1:]:
        base = k.values[0] if runs else None
        deltas: list[Any] = [None]
        for i in range(1, len(runs)):
            v = k.values[i]
            if v is None or base is None or (k.key != "solve_seconds" and not (ok[0] and ok[i])):
                deltas.append(None)
            elif k.kind == "month":
                deltas.append(pos[v] - pos[base])
            else:
                deltas.append(v - base)
        k.deltas = deltas


def _moves(runs: list[ScenarioRun], pos: dict[str, int]) -> list[Move]:
    """The groups whose month or method differs from the baseline's plan, per scenario."""
    moves: list[Move] = []
    if runs and runs[0].found:
        bp = runs[0].result.plan
        for r in runs[1:]:
            if not r.found:
                continue
            p = r.result.plan
            sizes = {g.name: g.size for g in r.inst.groups} | {g.name: g.size for g in runs[0].inst.groups}
            names = [g.name for g in runs[0].inst.groups] + [g.name for g in r.inst.groups
                                                              if g.name not in bp.assignments]
            for name in names:
                a, b = bp.assignments.get(name), p.assignments.get(name)
                bm = bp.month_label(name) if a else None
                m = p.month_label(name) if b else None
                bparts, nparts = _parts(bp, name) if a else (), _parts(p, name) if b else ()
                same = bm == m if len(bparts) == len(nparts) == 1 else bparts == nparts  # whole: the month
                if a and b and same and a.method == b.method:
                    continue
                moves.append(Move(
                    scenario=r.name, group=name, size=sizes[name], baseline_month=bm, month=m,
                    months=pos[m] - pos[bm] if a and b else None,
                    baseline_method=a.method if a else None, method=b.method if b else None,
                    baseline_parts=bparts, parts=nparts, users_moved=users_moved(bparts, nparts),
                ))
    return moves


def _parts(plan, name: str) -> tuple[tuple[str, int], ...]:
    return tuple((plan.inst.months[t].label, u) for t, u in plan.parts(name))


def users_moved(before: tuple[tuple[str, int], ...], after: tuple[tuple[str, int], ...]) -> int:
    """Users of one group in another month than before, counted per part month: the users a
    month lost (a part of 200 that becomes 150 in the same month moves 50). A group only in one
    plan: 0 (it is not a move of users between months)."""
    if not before or not after:
        return 0
    now = dict(after)
    return sum(max(0, u - now.get(lab, 0)) for lab, u in before)


def exit_code(comp: Comparison) -> int:
    """0 every scenario has a plan; 2 a scenario had bad input; else 1 (some scenario has no plan)."""
    if any(r.error_kind == "input" for r in comp.runs):
        return 2
    return 0 if all(r.found for r in comp.runs) else 1

"""Window moves on the model of parts (issue 15): v1's window moves (window_moves.py) for split
instances.

A window is a run of consecutive months. Its groups (every group whose parts all lie in those
months) are freed, each within the window's months; every other group is held to its plan (the
variables of its parts fixed in a copy of the solve's :class:`optimizer.model_parts.PartsModel`,
which keeps every rule and the levels already fixed), and CP-SAT re-solves the level on that copy
from the plan as its hint, on one worker within a deterministic work limit. A freed group may split
or join its parts again, change method or month: the window is the model of parts itself, not a
sub-instance, so no rule is written twice. A move is taken only when it makes the level strictly
better (values of the whole plan), so a move never worsens the plan, and the result is checked.

Sweeps tile the months from the first to the last one with a part, shifted by half a window every
other pass, two disjoint windows at a time (their plans merged when the merge keeps every rule and
the earlier levels, else the better one is taken); two sweeps in a row without a better window widen the windows by half (up to every
month: then the window is the whole problem, left to the level's search). Deterministic: windows
in a fixed order, a fixed seed, work limits.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

from ortools.sat.python import cp_model

from optimizer.checker import check_plan
from optimizer.model_parts import PartsModel
from optimizer.plan import Plan

log = logging.getLogger(__name__)


def _fix(proto, var, value: int) -> None:
    v = proto.variables[var.index]
    v.domain.clear()
    v.domain.extend([int(value), int(value)])


def _hold(proto, pm: PartsModel, plan: Plan, i: int) -> None:
    """Fix group ``i``'s decisions in ``proto`` (a copy of ``pm.proto``) to its plan: its literal
    per (month, method), or its method, parts and users per part and method."""
    gv = pm.gs[i]
    a = plan.assignments[gv.g.name]
    parts = dict(plan.parts(gv.g.name))
    if not gv.split:
        for (t, k), x in gv.x.items():
            _fix(proto, x, int(t in parts and k == a.method))
        return
    for k, z in gv.z.items():
        _fix(proto, z, int(k == a.method))
    for (t, k), u in gv.by_method.items():
        _fix(proto, u, parts.get(t, 0) if k == a.method else 0)
    for t, y in gv.y.items():
        _fix(proto, y, int(parts.get(t, 0) > 0))


def _confine(proto, pm: PartsModel, i: int, months: set[int]) -> None:
    """Group ``i`` (freed) has no part outside ``months``."""
    gv = pm.gs[i]
    for (t, _k), x in gv.x.items():
        if t not in months:
            _fix(proto, x, 0)
    for t, y in gv.y.items():
        if t not in months:
            _fix(proto, y, 0)
    for (t, _k), u in gv.by_method.items():
        if t not in months:
            _fix(proto, u, 0)


def window_groups(pm: PartsModel, plan: Plan, months: set[int]) -> list[int]:
    """The groups a window of ``months`` frees: every part of theirs lies in ``months``."""
    return [i for i, gv in enumerate(pm.gs) if all(t in months for t, _u in plan.parts(gv.g.name))]


def solve_window(pm: PartsModel, plan: Plan, months: list[int], level: str, work: float, seed: int,
                 wall: float, running: list | None = None) -> tuple[Plan | None, float, bool]:
    """Re-solve ``level`` with the groups of ``months`` free and every other group held: (a
    strictly better plan or None, the work used, whether the wall clock cut the solve). ``pm``
    has the earlier levels fixed and ``level`` as its objective; its hint is ``plan``. ``running``
    gets the CP-SAT solver while it runs (so that Ctrl-C can stop it)."""
    inside = set(months)
    free = set(window_groups(pm, plan, inside))
    if not free:
        return None, 0.0, False
    model = pm.model.clone()
    proto = model.proto
    for i in range(len(pm.gs)):
        if i in free:
            _confine(proto, pm, i, inside)
        else:
            _hold(proto, pm, plan, i)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.catch_sigint_signal = False
    solver.parameters.max_deterministic_time = work
    solver.parameters.max_time_in_seconds = max(wall, 0.01)
    if running is not None:
        running.append(solver)
    status = solver.solve(model)
    cut = status not in (cp_model.OPTIMAL, cp_model.INFEASIBLE) and (
        solver.deterministic_time < 0.99 * work or solver.wall_time >= 0.99 * wall)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, solver.deterministic_time, cut
    new = pm.read_plan(solver)
    better = new.objective_values()[level] < plan.objective_values()[level]
    return (new if better else None), solver.deterministic_time, cut


def _merged(pm: PartsModel, plan: Plan, moved: list[tuple[Plan, list[int]]], level: str,
            limits: dict[str, int]) -> Plan | None:
    """``plan`` with the freed groups of each window solved at the same time taken from its new
    plan, when that keeps every rule (the `after` and stage rules between the windows, by the
    checker) and every earlier level within ``limits`` (each window kept them alone, not their
    sum); else the best of the windows' plans alone (None when none is better)."""
    moved = [(new, free) for new, free in moved if new is not None and not check_plan(new)]
    best = min((new for new, _ in moved), key=lambda p: p.objective_values()[level], default=None)
    if len(moved) < 2:
        return best
    out = dict(plan.assignments)
    for new, free in moved:
        out.update({pm.gs[i].g.name: new.assignments[pm.gs[i].g.name] for i in free})
    both = Plan(plan.inst, out)
    vals = both.objective_values()
    if check_plan(both) or any(vals.get(lv, 0) > v for lv, v in limits.items() if lv != level) or \
            vals[level] >= best.objective_values()[level]:
        return best
    return both


def improve_parts(pm: PartsModel, plan: Plan, level: str, *, budget: float, window_months: int,
                  window_work: float, seed: int = 0, wall_limit: float | None = None,
                  report: Callable[[Plan], None] | None = None, stats: dict | None = None,
                  limits: dict[str, int] | None = None) -> tuple[Plan, float]:
    """Improve ``level`` of a valid ``plan`` (``pm``: the solve's model of parts, its earlier
    levels fixed at ``limits``, their values) by window moves for ``budget`` deterministic
    seconds (``wall_limit`` wall seconds at most): (the plan, work used). Two disjoint windows
    are solved at a time (two threads, one CP-SAT worker each; their work counted once, as v1's
    window moves do). ``stats`` gets the windows' widths, the windows solved and taken, and
    ``wall_clock`` when the wall clock ended them."""
    t0, used = time.perf_counter(), 0.0
    last = max(t for a in plan.assignments.values() for t, _u in plan.parts(a.group))
    first = min(t for a in plan.assignments.values() for t, _u in plan.parts(a.group))
    months = last - first + 1
    width, idle, shift = min(max(2, window_months), months), 0, 0
    st = stats if stats is not None else {}
    st.update(windows=0, taken=0, widths=[width])
    pm.set_objective(level)
    pm.hint(plan)
    pool, running = ThreadPoolExecutor(max_workers=2), []
    try:
        while width < months:
            windows = [list(range(max(first, a), min(last, a + width - 1) + 1))
                       for a in range(first - shift, last + 1, width)]
            windows = [w for w in windows if len(w) > 1]
            improved = False
            for n in range(0, len(windows), 2):
                left = None if wall_limit is None else wall_limit - (time.perf_counter() - t0)
                if left is not None and left <= 0:
                    st["wall_clock"] = True
                    return plan, used
                if used >= budget:
                    return plan, used
                wall = 10 * window_work + 1 if left is None else min(left, 10 * window_work + 1)
                pair = windows[n:n + 2]
                futs = [pool.submit(solve_window, pm, plan, w, level, min(window_work, budget - used), seed, wall,
                                    running) for w in pair]
                results = [f.result() for f in futs]
                running.clear()
                used += max(r[1] for r in results)
                st["windows"] += len(pair)
                st["wall_clock"] = st.get("wall_clock", False) or any(r[2] for r in results)
                new = _merged(pm, plan, [(r[0], window_groups(pm, plan, set(w))) for r, w in zip(results, pair)],
                              level, limits or {})
                if new is not None:
                    plan, improved = new, True
                    st["taken"] += 1
                    pm.hint(plan)
                    if report:
                        report(plan)
            shift = width // 2 if shift == 0 else 0
            idle = 0 if improved else idle + 1
            if idle >= 2:  # a local optimum for these windows: half as wide again
                width, idle, shift = min(months, width + max(1, width // 2)), 0, 0
                st["widths"].append(width)
        return plan, used
    except KeyboardInterrupt:  # Ctrl-C: stop the windows still running, then let the caller know
        for solver in running:
            solver.stop_search()
        raise
    finally:
        pool.shutdown(wait=True)

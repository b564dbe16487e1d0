"""A repair the explanation of infeasibility can propose (issue 15): let a group enroll over more
months ("let Sales enroll over 2 months"), i.e. raise its max_months, so that it may split where
a month's capacity cannot take it whole. Each proposal is verified like every other repair: the
changed input has a plan (checked on the model of parts, optimizer.model_parts)."""

from __future__ import annotations

import dataclasses
import time
from typing import Callable

from optimizer.domain import Instance
from optimizer.explain.findings import Repair

#: The change's name in Repair.changes: ("max_months", (group, months)).
CHANGE = "max_months"
#: Groups tried when a conflict names none (a capacity conflict is about every group): the largest.
LARGEST = 3
#: Try at most this many more months than the group may span today.
MORE_MONTHS = 2


def apply(inst: Instance, val: tuple[str, int]) -> Instance:
    """The input with group ``val[0]`` allowed ``val[1]`` months."""
    name, n = val
    return dataclasses.replace(inst, groups=tuple(dataclasses.replace(g, max_months=int(n)) if g.name == name
                                                  else g for g in inst.groups))


def candidates(inst: Instance, names: list[str]) -> list[Repair]:
    """For each group named (else the largest few), one more month, then two more, cheapest first."""
    groups = [inst.group(n) for n in names] or sorted(inst.groups, key=lambda g: -g.size)[:LARGEST]
    out = []
    for g in groups:
        now = inst.max_months(g)
        for extra in range(1, MORE_MONTHS + 1):
            n = now + extra
            if g.size < 2 or n > inst.horizon:
                break
            out.append(Repair(f"let {g.name} enroll over {n} months (max_months = {n}; parts of at least "
                              f"{inst.least_part(g)} users)", "split", 1.0 + extra, ((CHANGE, (g.name, n)),)))
    return sorted(out, key=lambda r: r.cost)


def least_capacity(inst: Instance, limit: float, enforced: Callable[[tuple], bool], weight: dict[str, int], *,
                   workers: int = 8, seed: int = 0) -> tuple[int, list[tuple[str, str, int]]]:
    """The least extra capacity (weighted) that gives a plan of parts with the rules ``enforced``
    keeps: (CP-SAT status, [(resource, month label, extra)]). On the model of parts, so a group
    that may split asks only for the room of a part (whole groups would ask for all of it)."""
    from ortools.sat.python import cp_model

    from optimizer.parts_guarded import GuardedPartsModel

    gm = GuardedPartsModel(inst, slack=True)
    for k, lit in gm.guard_vars.items():  # a rule set aside: its guard is free (the solver may drop it)
        if enforced(k):
            gm.model.add(lit == 1)
    gm.model.minimize(cp_model.LinearExpr.weighted_sum(list(gm.slack.values()),
                                                       [weight[res] for res, _ in gm.slack]))
    s = cp_model.CpSolver()
    s.parameters.max_time_in_seconds = max(0.05, limit)
    s.parameters.num_workers = workers
    s.parameters.random_seed = seed
    s.parameters.catch_sigint_signal = False
    st = s.solve(gm.model)
    if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return st, []
    return st, [(res, label, s.value(v)) for (res, label), v in gm.slack.items() if s.value(v) > 0]


def split_repairs(inst: Instance, names: list[str], verify: Callable[[Instance, float], bool | None],
                  deadline: float) -> list[Repair]:
    """The verified candidates: for each group the fewest months that give a plan."""
    found, done = [], set()
    for rep in candidates(inst, names):
        group = rep.changes[0][1][0]
        left = deadline - time.perf_counter()
        if group in done or left <= 0:
            continue
        if verify(apply(inst, rep.changes[0][1]), left):
            found.append(rep)
            done.add(group)
    return found

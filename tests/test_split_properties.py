"""Properties of split plans on random tiny instances, by brute force (tests/bruteforce_split.py):
with max_months = 1 everywhere the part plans are exactly v1's plans (same optimum as v1's brute
force); allowing more months or smaller parts never makes the optimum worse; every optimal plan
passes the checker and reads back from its own plan CSV."""

from __future__ import annotations

import csv
import dataclasses
import io
import random

import pytest
from bruteforce_split import split_optimum
from test_bruteforce import brute_force

from optimizer.checker import check_plan
from optimizer.domain import METHODS, Group, Instance, Month, Rules
from optimizer.render.export import plan_csv
from optimizer.inputs.planfile import plan_from_table
from optimizer.solving.solver import LevelResult, Result, SolveOptions
from optimizer.inputs.tables import Table


def tiny(seed: int) -> Instance:
    rnd = random.Random(seed)
    n_months, n_groups = rnd.choice([2, 3]), rnd.choice([2, 3])
    labels = [f"2027-{t + 1:02d}" for t in range(n_months)]
    groups = []
    for i in range(n_groups):
        wave = rnd.choice(["pilot", "production", "production"]) if i == 0 else "production"
        methods = tuple(k for k in METHODS if rnd.random() < (0.3 if k == "self-service" else 0.7)) or ("assisted",)
        groups.append(Group(
            f"G{i}", rnd.randint(2, 6), wave=wave, readiness=rnd.randint(1, 5), methods=methods,
            department=rnd.choice(["", "D"]), platform=rnd.choice(["windows", "ios"]),
            blackout=(rnd.choice(labels),) if rnd.random() < 0.2 else (),
            after=("G0",) if i == 2 and rnd.random() < 0.4 and wave == "production" else (),
            max_months=rnd.choice([None, 2, 3])))
    months = tuple(Month(lab, helpdesk=rnd.randint(2, 5), assisted=rnd.randint(1, 5), tech_fair=rnd.randint(0, 4))
                   for lab in labels)
    rules = Rules(stage_gap=rnd.choice([0, 1]), min_part_users=rnd.randint(1, 2),
                  keep_departments_together=rnd.random() < 0.3,
                  max_platforms_per_month=rnd.choice([0, 0, 1]))
    groups = [g if g.after or g.blackout != tuple(labels) else dataclasses.replace(g, blackout=()) for g in groups]
    return Instance(tuple(groups), months, rules, name=f"tiny{seed}")


def whole(inst: Instance) -> Instance:
    return dataclasses.replace(inst, groups=tuple(dataclasses.replace(g, max_months=1) for g in inst.groups))


SEEDS = range(30)


@pytest.mark.parametrize("seed", SEEDS)
def test_one_month_each_is_v1(seed):
    inst = whole(tiny(seed))
    found = split_optimum(inst)
    assert (None if found is None else found[0]) == brute_force(inst)


@pytest.mark.parametrize("seed", SEEDS)
def test_more_room_never_hurts_and_optima_are_valid_plans(seed):
    inst = tiny(seed)
    found = split_optimum(inst)
    base = split_optimum(whole(inst))
    if base is not None:  # a v1 plan is a split plan too
        assert found is not None
        levels = inst.rules.objective
        v1 = base[1][0].objective_values()
        assert found[0] <= tuple(v1.get(lv, 0) for lv in levels)
    smaller = split_optimum(dataclasses.replace(inst, rules=dataclasses.replace(inst.rules, min_part_users=1)))
    if found is not None:
        assert smaller is not None and smaller[0] <= found[0]
        for plan in found[1][:3]:
            assert check_plan(plan) == []
            res = Result("feasible", [], plan, 0.0, SolveOptions())
            rows = list(csv.reader(io.StringIO(plan_csv(res))))
            back = plan_from_table(inst, Table(file="plan.csv", header=rows[0], rows=rows[1:],
                                               line_numbers=list(range(2, len(rows) + 1))))
            assert back.rows() == plan.rows() and check_plan(back) == []


def test_the_tiny_instances_cover_both_outcomes_and_splits():
    found = [split_optimum(tiny(s)) for s in SEEDS]
    assert any(f is None for f in found) and any(f is not None for f in found)
    assert any(f is not None and any(p.splits() for p in f[1]) for f in found)

"""Small random instances for brute-force and property tests (valid by construction)."""

from __future__ import annotations

import dataclasses
import random

from optimizer.domain import METHODS, Group, Instance, Month, Rules
from optimizer.errors import InputError
from optimizer.inputs.validation import validate_instance

WAVES = ("pilot", "expanded-pilot", "production", "production", "production")


def random_instance(seed: int, max_groups: int = 4, max_months: int = 3) -> Instance:
    """A random valid instance; retries until validation accepts it."""
    rnd = random.Random(seed)
    while True:
        inst = _draw(rnd, max_groups, max_months)
        try:
            validate_instance(inst)
            return inst
        except InputError:
            continue


def finish_first_instance(seed: int) -> Instance:
    """:func:`random_instance` with the objective order finish, waiting, assisted (the order
    the LP relaxation's finish probes and level bounds are used with)."""
    inst = random_instance(seed)
    return dataclasses.replace(inst, rules=dataclasses.replace(inst.rules, objective=("finish", "waiting",
                                                                                      "assisted")))


def _draw(rnd: random.Random, max_groups: int, max_months: int) -> Instance:
    T = rnd.randint(2, max_months)
    labels = [f"2027-{t + 1:02d}" for t in range(T)]
    n = rnd.randint(2, max_groups)
    names = [f"G{i}" for i in range(n)]
    groups = []
    for i, name in enumerate(names):
        wave = rnd.choice(WAVES)
        vip = wave == "production" and rnd.random() < 0.15
        methods = tuple(k for k in METHODS if rnd.random() < 0.7) or ("self-service",)
        if vip and "assisted" not in methods:
            methods = methods + ("assisted",)
        lo = rnd.randint(0, T - 1) if rnd.random() < 0.3 else None
        hi = rnd.randint(lo or 0, T - 1) if rnd.random() < 0.3 else None
        black = tuple(sorted({labels[rnd.randrange(T)]})) if rnd.random() < 0.2 else ()
        after = (names[rnd.randrange(i)],) if i and rnd.random() < 0.25 else ()
        groups.append(Group(
            name=name, size=rnd.choice([5, 20, 50, 100, 150]), wave=wave, vip=vip, methods=methods,
            platform=rnd.choice(["windows", "ios"]), location=rnd.choice(["", "X", "Y"]),
            department=rnd.choice(["", "D"]), risk=rnd.choice(["low", "medium", "high"]),
            readiness=rnd.randint(1, 5), earliest=labels[lo] if lo is not None else None,
            latest=labels[hi] if hi is not None else None, blackout=black, after=after,
        ))
    ms = tuple(Month(lab, helpdesk=rnd.choice([5, 10, 20, 40]), assisted=rnd.choice([0, 50, 150]),
                     tech_fair=rnd.choice([0, 100])) for lab in labels)
    objective = rnd.choice([("finish", "waiting", "assisted"), ("waiting", "assisted", "finish"),
                            ("assisted", "finish", "waiting")])
    rules = Rules(
        stage_gap=rnd.choice([0, 1]), risk_delay=rnd.choice([0, 1]), vip_assisted=rnd.random() < 0.8,
        max_platforms_per_month=rnd.choice([0, 0, 1]), max_locations_per_month=rnd.choice([0, 0, 1]),
        keep_departments_together=rnd.random() < 0.2, objective=objective,
    )
    return Instance(tuple(groups), ms, rules, name=f"random-{n}x{T}")

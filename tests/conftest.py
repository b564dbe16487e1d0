"""Shared helpers: tiny instances built in code, and a solve that is always checked."""

from __future__ import annotations

import pytest

from optimizer.checker import check_plan
from optimizer.domain import Group, Instance, Month, Rules
from optimizer.solving.solver import Result, SolveOptions, solve
from optimizer.inputs.validation import validate_instance


def months(*helpdesk: int, assisted: int | tuple[int, ...] = 0, tech_fair: int | tuple[int, ...] = 0) -> tuple[Month, ...]:
    """Months 2027-01, 2027-02, ... with the given capacities (a number = the same every month)."""
    n = len(helpdesk)
    a = assisted if isinstance(assisted, tuple) else (assisted,) * n
    f = tech_fair if isinstance(tech_fair, tuple) else (tech_fair,) * n
    return tuple(Month(f"2027-{t + 1:02d}", helpdesk=helpdesk[t], assisted=a[t], tech_fair=f[t]) for t in range(n))


def instance(groups: list[Group], ms: tuple[Month, ...], **rules) -> Instance:
    inst = Instance(tuple(groups), ms, Rules(**rules), name="test")
    validate_instance(inst)
    return inst


def solved(inst: Instance, time_limit: float = 10.0, seed: int = 0) -> Result:
    """Solve and assert that any plan found passes the independent checker."""
    res = solve(inst, SolveOptions(time_limit=time_limit, seed=seed, workers=2))
    if res.plan is not None:
        assert check_plan(res.plan) == [], check_plan(res.plan)
        assert len(res.plan.assignments) == len(inst.groups)
    return res


def where(res: Result) -> dict[str, tuple[str, str]]:
    """{group: (month label, method)} of a solved plan."""
    labels = res.plan.inst.month_labels
    return {name: (labels[a.month], a.method) for name, a in res.plan.assignments.items()}


@pytest.fixture
def solve_checked():
    return solved


@pytest.fixture(autouse=True)
def _english(monkeypatch):
    """Every test starts in English whatever the machine's locale (optimizer.i18n reads
    LC_ALL / LC_MESSAGES / LANG); a test that wants Swedish says so (--lang sv)."""
    from optimizer import i18n

    for var in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    i18n.set_language("en")
    yield
    i18n.set_language("en")

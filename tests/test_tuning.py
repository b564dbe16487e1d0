"""The solve strategy's thresholds as one value (optimizer.solving.tuning): frozen, chosen by size
when not given, carried on the options, recorded in the JSON output when changed."""

from __future__ import annotations

import dataclasses
from dataclasses import replace

import pytest

from optimizer.checker import check_plan
from optimizer.domain import Group
from optimizer.render.report import summary
from optimizer.solving.tuning import DEFAULT_TUNING, Tuning
from optimizer.solving.solver import SolveOptions, solve

from conftest import instance, months


def _tiny():
    return instance([Group("A", 100), Group("B", 100, readiness=5)], months(20, 20))


def test_tuning_is_frozen_and_changed_by_replace():
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_TUNING.large_groups = 1  # type: ignore[misc]
    t = replace(DEFAULT_TUNING, large_groups=1)
    assert t.large(1) and not DEFAULT_TUNING.large(1) and DEFAULT_TUNING.large(500)
    assert Tuning.for_size(200, 12) == DEFAULT_TUNING
    assert t.changes() == {"large_groups": 1} and DEFAULT_TUNING.changes() == {}


def test_the_solve_carries_the_tuning_and_a_default_run_records_none():
    inst = _tiny()
    res = solve(inst, SolveOptions(time_limit=5, workers=2))
    assert res.options.tuning == Tuning.for_size(2, 2)  # chosen by size
    assert "tuning" not in summary(inst, res)["solver"]  # a default run's output is as before


def test_a_changed_tuning_is_used_and_recorded():
    # As a "large" instance (from 1 group on) the options get the large instances' CP-SAT
    # parameters, and the JSON output names the threshold that was changed.
    inst = _tiny()
    tuning = replace(DEFAULT_TUNING, large_groups=1)
    res = solve(inst, SolveOptions(time_limit=5, workers=2, tuning=tuning))
    assert check_plan(res.plan) == []
    assert res.options.extra["cp_model_probing_level"] == 0  # the light presolve of large instances
    assert summary(inst, res)["solver"]["tuning"] == {"large_groups": 1}

"""Every figure describes the plan the planner gets: a later level holds each earlier one at its
value or better, so its plan may beat an earlier level's value; the levels then carry the plan's
value (a re-plan at 2,000 x 24 said waiting 2,070,353 where its plan, recounted by the
independent checker, had 2,067,873)."""

from __future__ import annotations

from optimizer.solving.result import LevelResult, with_plan_values
from optimizer.solving.status import Status


class _Plan:
    def __init__(self, values):
        self.values = values

    def objective_values(self):
        return dict(self.values)


def test_a_later_levels_plan_that_beats_an_earlier_level_is_what_the_level_says():
    levels = [LevelResult("finish", Status.OPTIMAL, 9, 9, 1.0), LevelResult("waiting", Status.FEASIBLE, 105, 90, 2.0),
              LevelResult("assisted", Status.FEASIBLE, 40, 30, 1.0)]
    out = with_plan_values(levels, _Plan({"finish": 9, "waiting": 101, "assisted": 40}))
    assert [lv.value for lv in out] == [9, 101, 40]
    assert out[1].status == Status.FEASIBLE and out[1].bound == 90 and out[0] is levels[0]


def test_no_plan_or_a_worse_value_changes_nothing():
    levels = [LevelResult("waiting", Status.FEASIBLE, 100, 90, 2.0), LevelResult("assisted", Status.UNKNOWN, None, None, 0)]
    assert with_plan_values(levels, None) == levels
    assert with_plan_values(levels, _Plan({"waiting": 120, "assisted": 5})) == levels


def test_every_result_carries_its_plans_values():
    """The mechanism is the Result itself, so every solve path (v1, split, re-plan, the answers
    when Ctrl-C or the time limit cut the search) reports what its plan achieves."""
    from optimizer.solving.result import Result, SolveOptions
    levels = [LevelResult("waiting", Status.FEASIBLE, 105, 90, 2.0)]
    res = Result(Status.FEASIBLE, levels, _Plan({"waiting": 101}), 1.0, SolveOptions())
    assert res.objective == {"waiting": 101}

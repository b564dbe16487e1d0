"""What a solve is asked (SolveOptions) and what it produced (Result, LevelResult)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import ortools

from optimizer.plan import Plan
from optimizer.solving.status import BoundBy, Status, StoppedBy
from optimizer.solving.tuning import Tuning

#: Defaults the CLI uses (see docs/benchmarks.md for why).
DEFAULT_TIME_LIMIT = 60.0
DEFAULT_WORKERS = 8
DEFAULT_SEED = 0
DEFAULT_BATCH_SIZE = 8

@dataclass
class SolveOptions:
    time_limit: float = DEFAULT_TIME_LIMIT  # seconds, for all levels together
    seed: int = DEFAULT_SEED
    workers: int = DEFAULT_WORKERS
    #: Same input + same seed -> same plan, even when a time limit cuts the search:
    #: interleaved search and a deterministic-time limit instead of wall time.
    deterministic: bool = True
    log_search: bool = False
    #: Hint the first level with the greedy plan (a valid plan in milliseconds).
    warm_start: bool = True
    #: Tasks per batch of the deterministic (interleaved) search; 0 = CP-SAT's
    #: default (3 x workers). Small batches stop sooner once a level is proven.
    batch_size: int = DEFAULT_BATCH_SIZE
    #: Window moves (optimizer.solving.window_moves) before each level's search on large instances.
    lns: bool = True
    #: Further CP-SAT parameters by name (benchmark variants; recorded in outputs).
    extra: dict = field(default_factory=dict)
    #: Deterministic mode: CP-SAT deterministic seconds for all levels together (None: the
    #: time limit). The CLI sizes it to end before its wall-clock deadline (optimizer.solving.timelimit).
    work_limit: float | None = None
    #: ``time.perf_counter()`` value by which solve() returns, whatever the mode (None: the
    #: start plus Tuning.wall_factor x the time limit). A level it cuts is marked "wall clock".
    deadline: float | None = None
    #: The strategy's thresholds (None: chosen by the instance's size, Tuning.for_size).
    tuning: Tuning | None = None

    def parameters(self) -> dict:
        """The CP-SAT parameters we set, as recorded in outputs."""
        p = {
            "num_workers": self.workers,
            "random_seed": self.seed,
            "catch_sigint_signal": False,
        }
        if self.deterministic:
            p["interleave_search"] = True
            p["interleave_batch_size"] = self.batch_size
        p.update(self.extra)
        return p


@dataclass
class LevelResult:
    name: str
    status: Status
    value: int | None
    bound: int | None
    seconds: float
    #: What ended the level (StoppedBy: "proof", "deterministic time", "wall clock", ...).
    stopped_by: StoppedBy | str = StoppedBy.NOTHING
    #: Where the bound comes from: "cp-sat"; "lp relaxation" when GLOP gave it (the finish: no
    #: plan finishes a month earlier; a later level: the LP optimum; optimizer.solving.lp.relaxation);
    #: "capacity" when the capacity rows' floor (model.finish_floor) is the finish bound;
    #: "" without one.
    bound_by: BoundBy | str = BoundBy.NONE

    @property
    def gap(self) -> float | None:
        if self.value is None or self.bound is None:
            return None
        if self.value == self.bound:
            return 0.0
        return abs(self.value - self.bound) / max(1, abs(self.value))


def with_plan_values(levels: list[LevelResult], plan) -> list[LevelResult]:
    """``levels`` with the final plan's value where it is better than the level's own: a later
    level holds each earlier one at its value *or better*, so its plan may beat an earlier level
    too, and every figure must describe the plan the planner gets (a re-plan at 2,000 x 24 said
    waiting 2,070,353 where its plan had 2,067,873). Statuses and bounds stay as they were."""
    if plan is None:
        return levels
    vals = plan.objective_values()
    return [dataclasses.replace(lv, value=vals[lv.name])
            if lv.value is not None and vals.get(lv.name) is not None and vals[lv.name] < lv.value else lv
            for lv in levels]


@dataclass
class Result:
    """What a solve produced: status, levels with bounds, the plan, provenance."""

    status: Status
    levels: list[LevelResult]
    plan: Plan | None
    seconds: float
    options: SolveOptions
    interrupted: bool = False
    ortools_version: str = ortools.__version__
    model_stats: dict = field(default_factory=dict)
    #: Why there is no plan (an optimizer.explanation.Explanation), set by
    #: optimizer.explain when a caller asks for it; None otherwise.
    explanation: Any = None

    def __post_init__(self) -> None:
        # every figure describes the plan the planner gets (see with_plan_values)
        self.levels = with_plan_values(self.levels, self.plan)

    @property
    def reproducible(self) -> bool:
        """Same input and seed give this same plan: deterministic mode, and no level
        was ended by the wall clock or Ctrl-C."""
        return self.options.deterministic and not self.interrupted and all(
            lv.stopped_by not in (StoppedBy.WALL_CLOCK, StoppedBy.INTERRUPTED) for lv in self.levels)

    @property
    def found(self) -> bool:
        return self.plan is not None

    @property
    def objective(self) -> dict[str, int | None]:
        return {lv.name: lv.value for lv in self.levels}

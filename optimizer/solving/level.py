"""What a solve carries from level to level (:class:`Run`) and through one level (:class:`Level`),
and the model chores between levels: rebuild without the months past the finish, fix a level,
adopt a shorter plan."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Callable

from optimizer.checker import check_plan
from optimizer.domain import Instance
from optimizer.model import UNBOUNDED, RolloutModel
from optimizer.plan import Plan
from optimizer.solving.budget import Budget
from optimizer.solving.lp.finish import Shortened, shorten
from optimizer.solving.lp.relaxation import LevelBound, Probe
from optimizer.solving.lp.rounding import Rounding
from optimizer.solving.result import LevelResult, SolveOptions
from optimizer.solving.status import BoundBy, Status, StoppedBy
from optimizer.solving.tuning import Tuning

log = logging.getLogger("optimizer.solving.solver")

Assignment = dict[int, tuple[int, str]]


@dataclass
class Run:
    """The solve across its levels: the model, the best plan so far, the levels settled, and
    the records every output carries (LP probes, repairs, bounds, window moves)."""

    inst: Instance
    opts: SolveOptions
    bud: Budget
    rm: RolloutModel
    valid_hint: Assignment | None
    progress: Callable[[str, float, float, float], None] | None
    levels: list[LevelResult] = field(default_factory=list)
    best: Assignment | None = None
    interrupted: bool = False
    overall: Status = Status.OPTIMAL
    ended: bool = False  # no plan at all: the later levels are not tried
    lns_work: dict[str, float] = field(default_factory=dict)
    lns_windows: dict[str, dict] = field(default_factory=dict)  # per level: window size and work limit used
    probes: list[Probe] = field(default_factory=list)  # questions to the LP relaxation
    repairs: list[Rounding] = field(default_factory=list)  # fractional plans turned into plans
    bounds: list[LevelBound] = field(default_factory=list)  # later levels' LP bounds
    known: dict[int, str] = field(default_factory=dict)  # finish months asked about (lp.finish.shorten)

    @property
    def names(self) -> list[str]:
        return list(self.inst.rules.objective)

    def settle(self, result: LevelResult, plan: Assignment | None, *, next_model: bool = True) -> None:
        """Level ``result`` is decided with ``plan`` as the best plan; the model moves on to
        the next level (``next_model``) unless the run stops here."""
        self.best = plan
        self.levels.append(result)
        if result.status != Status.OPTIMAL:
            self.overall = Status.FEASIBLE if plan else Status.UNKNOWN
        if next_model:
            self.rm = next_model_for(self.inst, self.rm, result.name, result.value, self.levels, plan,
                                     self.opts, self.bud)

    def value(self, name: str, plan: Assignment) -> int:
        return rm_value(self.rm, name, plan)


@dataclass
class Level:
    """One level's state as its steps pass it on."""

    i: int
    name: str
    budget: float  # what the next step may spend (steps before it take theirs out)
    level_budget: float  # the level's budget before any step
    t0: float
    start: Assignment | None  # the level's starting plan (valid)
    lp_only_size: bool  # Tuning.lp_only at this size
    lprog: Callable | None = None
    lns_plan: Assignment | None = None
    lp_work: float = 0.0  # deterministic seconds this level's LP probes and repairs were charged
    lp_wall: bool = False  # one of them was stopped by the wall clock
    lns_wall: bool = False
    moves_ran: bool = False  # the window moves did some work (none: one window is the whole problem)
    lb: LevelBound | None = None
    # the CP-SAT search and what follows it
    solver: object = None
    status: int | None = None
    sname: Status = Status.UNKNOWN
    by: StoppedBy = StoppedBy.NOTHING
    plan: Assignment | None = None
    value: int | None = None
    bound: int | None = None
    bound_by: BoundBy = BoundBy.NONE
    secs: float = 0.0
    moves_after: bool = False
    level_budget_all: float = 0.0

    @property
    def finish_first(self) -> bool:
        """The finish as the first level: the LP and the repair know no earlier level."""
        return self.name == "finish" and self.i == 0

    @property
    def lp_bound(self) -> int | None:
        return self.lb.bound if self.lb is not None else None

    @property
    def lp_only(self) -> bool:
        return self.lp_bound is not None and self.lp_only_size

    @property
    def kept(self) -> Assignment | None:
        """The best plan this level had before its search (valid)."""
        return self.lns_plan or self.start

    def elapsed(self) -> float:
        return time.perf_counter() - self.t0


def build_seconds(inst: Instance, t: Tuning) -> float:
    """Wall seconds expected to build the model and for CP-SAT to take it in."""
    return 2 * t.build_seconds_per_group_month * len(inst.groups) * inst.horizon


def rebuild(inst: Instance, max_month: int, levels: list[LevelResult]) -> RolloutModel:
    """The model up to ``max_month`` (a known finish) with the solved levels fixed."""
    rm = RolloutModel(inst, max_month=max_month)
    for lv in levels:
        rm.fix_level(lv.name, -UNBOUNDED, lv.value)
    return rm


def adopt(inst: Instance, rm: RolloutModel, levels: list[LevelResult], plan: Assignment) -> RolloutModel:
    """The finish level's model for a new best ``plan``: rebuilt without the months after
    its finish when it is shorter, hinted with it."""
    if finish_of(plan) < rm.max_month:
        rm = rebuild(inst, finish_of(plan), levels)
    rm.hint(plan)
    return rm


def next_model_for(inst: Instance, rm: RolloutModel, name: str, value: int, levels: list[LevelResult],
                   best: Assignment, opts: SolveOptions, bud: Budget) -> RolloutModel:
    """The model for the next level: level ``name`` fixed at ``value`` (after the finish level,
    rebuilt without the months past the finish: a smaller presolve, unless the deadline leaves
    no time to build it), hinted with ``best``."""
    if name == "finish" and value < rm.max_month and bud.wall_left() >= build_seconds(inst, opts.tuning):
        rm = rebuild(inst, value, levels)
    else:
        rm.fix_level(name, -UNBOUNDED, value)
    rm.hint(best)
    return rm


def interrupted_after_lp(name: str, value: int, lb: LevelBound | None, t_level: float) -> LevelResult:
    """Level ``name`` stopped by Ctrl-C during its LP steps: the plan in hand (``value``),
    unproven, with the LP bound if it has one."""
    bound = lb.bound if lb is not None else None
    return LevelResult(name, Status.FEASIBLE, value, bound, time.perf_counter() - t_level, StoppedBy.INTERRUPTED,
                       BoundBy.LP if bound is not None else BoundBy.NONE)


def finish_settled(lf: Shortened, seconds: float, wall: bool) -> LevelResult | None:
    """The finish level's result when a call of ``shorten`` ended it: interrupted (its
    plan kept, unproven) or proven (``wall``: something before depended on the wall clock);
    None when the level goes on."""
    if lf.interrupted:
        return LevelResult("finish", Status.FEASIBLE, lf.finish, lf.bound, seconds, StoppedBy.INTERRUPTED, lf.bound_by)
    if lf.proven:
        log.debug("level finish: %d proven (%s)", lf.finish, lf.bound_by)
        return LevelResult("finish", Status.OPTIMAL, lf.finish, lf.finish, seconds,
                           StoppedBy.WALL_CLOCK if wall else StoppedBy.PROOF, lf.bound_by)
    return None


def is_valid(inst: Instance, plan: Assignment) -> bool:
    """The checker accepts ``plan`` (a caller's hint may even name months or groups that
    do not exist: not valid)."""
    try:
        return not check_plan(Plan.from_indices(inst, plan))
    except (IndexError, KeyError, ValueError, TypeError):
        return False


def finish_of(plan: Assignment) -> int:
    return max(t for t, _ in plan.values())


def rm_value(rm: RolloutModel, name: str, best: Assignment) -> int:
    """Objective level ``name`` of an assignment, without the solver."""
    return Plan.from_indices(rm.inst, best).objective_values()[name]


def shorten_finish(run: Run, plan: Assignment, floor: int, allowance: float,
             floor_by: str = BoundBy.CAPACITY) -> Shortened | None:
    """lp.finish.shorten within ``allowance`` (deterministic seconds, or wall seconds in the plain
    mode) and the run's wall-clock backstop; its probes and repairs go on the run's record. None
    when LP finish proofs are off."""
    opts = run.opts
    if not opts.tuning.lp_finish_proof:
        return None
    out = shorten(run.inst, plan, floor, run.known, work=allowance, wall_limit=run.bud.backstop(allowance),
                  seed=opts.seed, floor_by=floor_by, tuning=opts.tuning)
    run.probes.extend(out.probes)
    run.repairs.extend(out.repairs)
    return out

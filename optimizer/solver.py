"""Lexicographic solving with CP-SAT.

Each objective level is solved in turn; its optimum (or, if the time runs out,
its best value) is then fixed as a constraint and the next level is
warm-started from the previous plan with a complete hint.

Solving runs in a worker thread so that Ctrl-C (KeyboardInterrupt in the
main thread) can stop the search and still return the best plan so far.
"""

from __future__ import annotations

import ctypes
import dataclasses
import gc
import logging
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import ortools
from ortools.sat.python import cp_model

from .domain import Instance
from . import interruptible
from .checker import check_plan
from .greedy import best_greedy_by
from .lns import LATER_WINDOW_GROUPS, WINDOW_GROUPS, WINDOW_WORK, improve
from .model import UNBOUNDED, RolloutModel
from .plan import Plan
from .lp_finish import Shortened, next_level_start, ruled_out_bound, shorten
from .relaxation import LevelBound, Probe, level_bound
from .repair import Rounding
from .repair import applies as repair_applies

log = logging.getLogger(__name__)

#: Defaults the CLI uses (see docs/benchmarks.md for why).
DEFAULT_TIME_LIMIT = 60.0
DEFAULT_WORKERS = 8
DEFAULT_SEED = 0
DEFAULT_BATCH_SIZE = 8
#: A lighter presolve (one pass, no probing, no symmetry detection, no search for
#: overlapping linear rows): measured in docs/benchmarks.md.
LIGHT_PRESOLVE = {"max_presolve_iterations": 1, "cp_model_probing_level": 0, "symmetry_level": 0,
                  "find_big_linear_overlap": False}
#: Large instances (at least this many groups) get window moves (optimizer.lns)
#: before CP-SAT searches each level, and CP-SAT a light presolve; smaller ones
#: CP-SAT proves directly with its full presolve (docs/benchmarks.md).
LARGE_GROUPS = 500
#: Share of each level's budget given to window moves on such instances.
LNS_SHARE = 0.75
#: At most this many CP-SAT workers on large instances: each worker holds its own copy of
#: the model (5,000 x 36: 5.1 GB with 8 workers, 4.2 GB with 4), and with the plans coming
#: from window moves 4 workers give the same or better bounds (2 or 3 lose them).
LARGE_WORKERS = 4
#: The full-model subsolvers CP-SAT runs on large instances (interleaved search builds every
#: one of them, each with its own copy of the model: the default 8 peaked at 4.2 GB at
#: 5,000 x 36). ``max_lp`` (the full LP) gives the bound, ``default_lp`` and
#: ``quick_restart_no_lp`` search; the plans come mostly from window moves.
LARGE_SUBSOLVERS = ("default_lp", "max_lp", "quick_restart_no_lp")
#: Answer the finish level with LP probes and repairs (optimizer.lp_finish) when it is the
#: first level (2,000 x 24 and 5,000 x 36: proven in 3 and 16 s; docs/benchmarks.md).
LP_FINISH_PROOF = True
#: A later level's CP-SAT search on a large instance needs about this many deterministic
#: seconds per group just to load the model; with less left after the window moves it is
#: skipped (measured: the search of the last level at 2,000 x 24 with 1.5 s and at 5,000 x 36
#: with 4.4 s was cut by the wall clock before it had done 0.2 s of work, which made every
#: large run irreproducible and end past its limit).
SEARCH_LOAD_PER_GROUP = 2e-3
#: Large instances: a later level's bound comes from the LP relaxation (GLOP, seconds) instead
#: of a CP-SAT search (whose LP worker needed 30-40 s and 4.4 GB to give the same bound at
#: 5,000 x 36; its plans improved the window moves' by 0.001 %), and the window moves get
#: the level's whole budget (docs/benchmarks.md).
LP_LEVEL_BOUND = True
#: Large instances: the level after the finish starts from the best of the plans that LP probes
#: with cheaper tickets give (optimizer.lp_finish.next_level_start), when it beats the
#: finish's plan; they may use this share of the level's budget.
LP_STARTS = True
START_SHARE = 0.25
#: ... and from this many groups on that level gets no CP-SAT search at all (below it the
#: search runs after the window moves as for other levels, and proves small instances; the LP
#: bound counts where it is the stronger one).
LP_ONLY_GROUPS = 2000
#: Instances from SMALL_MOVES_FROM to LARGE_GROUPS groups: share of a later level's budget left to
#: window moves after its CP-SAT search (when the search does not prove the level; what they
#: leave goes to a second search), their window size as a share of the groups (at least
#: SMALL_WINDOW_MIN) and each window's work limit. Measured at 30 s (docs/benchmarks.md, section
#: "Window moves below 500 groups"): better waiting at 150, 200 and 300 groups, equal at 120,
#: worse at 100.
SMALL_MOVES_FROM = 150
SMALL_MOVES_SHARE = 0.7
SMALL_WINDOW_SHARE = 0.4
SMALL_WINDOW_MIN = 20
SMALL_WINDOW_WORK = 2.0
#: Below SMALL_WINDOW_MONTHS_BELOW groups the windows widen to SMALL_WIDEN_MONTHS months once two
#: sweeps in a row find nothing (0: never; nor when they are that wide already), or, when
#: SMALL_WINDOW_MONTHS is set, are that many months wide from the start (0: sized by
#: SMALL_WINDOW_SHARE, which gave 3 months from 150 to 450 groups over 12 months; with more
#: months per plan, fewer groups per month and wider windows). Measured at 30 s on 12-month
#: instances (docs/benchmarks.md, "Window width below 500 groups"): widening
#: 3 to 4 months gave better waiting on 6 of 7 cases from 150 to 250 groups and equal on one,
#: and keeps the early plans of 3-month windows (4 months from the start was better still at the
#: end on 4 of them but reached 200 x 12's HiGHS value later); 4 months were worse on 3 of 4
#: cases from 300 to 450 groups.
SMALL_WINDOW_MONTHS = 0
SMALL_WIDEN_MONTHS = 4
SMALL_WINDOW_MONTHS_BELOW = 300
#: A large instance's finish search is skipped when the LP question left it less than this
#: share of the level's budget (5,000 x 36: CP-SAT was cut by the wall clock while loading).
MIN_SEARCH_SHARE = 0.1
#: Wall seconds to build the model, per group and month (measured at 20,000 x 24: 3.5e-4 per
#: group on a loaded machine, about half that on a quiet one), and as many again for CP-SAT to
#: take it in: with less wall time left before the deadline, the warm start is the answer
#: (100,000 groups with --time-limit 5).
BUILD_SECONDS_PER_GROUP_MONTH = 3e-5
#: The window moves stop this many wall seconds before the deadline: the two windows running when
#: they stop may still take that long to return (measured at 2,000 x 24: 0.6 s past it).
MOVES_DEADLINE_MARGIN = 0.5
#: Deterministic mode: wall-clock cap as a multiple of each level's budget.
WALL_FACTOR = 1.5
#: The first level's share of the time limit when later levels follow (a level that is
#: not proven by then rarely improves, and the next level needs time to improve at all).
FIRST_LEVEL_SHARE = 0.5

STATUS_NAMES = {
    cp_model.OPTIMAL: "optimal",
    cp_model.FEASIBLE: "feasible",
    cp_model.INFEASIBLE: "infeasible",
    cp_model.MODEL_INVALID: "model-invalid",
    cp_model.UNKNOWN: "unknown",
}


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
    #: Window moves (optimizer.lns) before each level's search on large instances.
    lns: bool = True
    #: Further CP-SAT parameters by name (benchmark variants; recorded in outputs).
    extra: dict = field(default_factory=dict)
    #: Deterministic mode: CP-SAT deterministic seconds for all levels together (None: the
    #: time limit). The CLI sizes it to end before its wall-clock deadline (optimizer.timelimit).
    work_limit: float | None = None
    #: ``time.perf_counter()`` value by which solve() returns, whatever the mode (None: the
    #: start plus WALL_FACTOR x the time limit). A level it cuts is marked "wall clock".
    deadline: float | None = None

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
    status: str  # optimal / feasible / infeasible / unknown
    value: int | None
    bound: int | None
    seconds: float
    #: What ended the level: "proof" (optimal or infeasible), "deterministic time",
    #: "wall clock", "interrupted" or "not run".
    stopped_by: str = ""
    #: Where the bound comes from: "cp-sat"; "lp relaxation" when GLOP gave it (the finish: no
    #: plan finishes a month earlier; a later level: the LP optimum; optimizer.relaxation);
    #: "capacity" when the capacity rows' floor (model.finish_floor) is the finish bound;
    #: "" without one.
    bound_by: str = ""

    @property
    def gap(self) -> float | None:
        if self.value is None or self.bound is None:
            return None
        if self.value == self.bound:
            return 0.0
        return abs(self.value - self.bound) / max(1, abs(self.value))


@dataclass
class Result:
    """What a solve produced: status, levels with bounds, the plan, provenance."""

    status: str  # optimal / feasible / infeasible / unknown
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

    @property
    def reproducible(self) -> bool:
        """Same input and seed give this same plan: deterministic mode, and no level
        was ended by the wall clock or Ctrl-C."""
        return self.options.deterministic and not self.interrupted and all(
            lv.stopped_by not in ("wall clock", "interrupted") for lv in self.levels)

    @property
    def found(self) -> bool:
        return self.plan is not None

    @property
    def objective(self) -> dict[str, int | None]:
        return {lv.name: lv.value for lv in self.levels}


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(self, level: str, report: Callable[[str, float, float, float], None] | None) -> None:
        super().__init__()
        self.level, self.report, self.t0 = level, report, time.perf_counter()

    def on_solution_callback(self) -> None:
        if self.report:
            self.report(self.level, self.ObjectiveValue(), self.BestObjectiveBound(),
                        time.perf_counter() - self.t0)


class _SafeStop:
    """Stops a running CP-SAT search without hitting an OR-Tools 9.15 abort.

    With ``interleave_search`` and a complete hint, a stop request that lands
    between CP-SAT accepting the hint as its first solution ("complete_hint" in
    the log) and the start of the search ("#Model") aborts the whole process
    (``Check failed: solution->size() == postsolve_mapping.size()``). We follow
    the solver's log and defer a stop requested inside that window until the
    search has started; everywhere else the stop is immediate.
    """

    def __init__(self, solver: cp_model.CpSolver, forward: Callable[[str], None] | None) -> None:
        self.solver, self.forward = solver, forward
        self.lock = threading.Lock()
        self.unsafe = False
        self.pending = False
        solver.parameters.log_search_progress = True
        solver.parameters.log_to_stdout = False
        solver.log_callback = self.on_log

    def on_log(self, line: str) -> None:
        if self.forward:
            self.forward(line)
        stop = False
        with self.lock:
            if "complete_hint" in line:
                self.unsafe = True
            elif self.unsafe and (line.startswith("#Model") or line.startswith("Starting")):
                self.unsafe = False
                stop, self.pending = self.pending, False
        if stop:
            self.solver.stop_search()

    def request(self) -> None:
        with self.lock:
            if self.unsafe:
                self.pending = True
                return
        self.solver.stop_search()


def _run(
    solver: cp_model.CpSolver, model: cp_model.CpModel, cb, forward_log: Callable[[str], None] | None = None
) -> tuple[int, bool]:
    """Solve in a thread; Ctrl-C stops the search and marks the run interrupted."""
    stopper = _SafeStop(solver, forward_log)
    return interruptible.run(lambda: solver.solve(model, cb), stopper.request, "cp-sat")


def solve(
    inst: Instance,
    options: SolveOptions | None = None,
    *,
    progress: Callable[[str, float, float, float], None] | None = None,
    hint: dict[int, tuple[int, str]] | None = None,
) -> Result:
    """Solve ``inst`` lexicographically by ``inst.rules.objective``."""
    opts = options or SolveOptions()
    large = len(inst.groups) >= LARGE_GROUPS
    if large:  # recorded with the other parameters in every output
        opts = dataclasses.replace(opts, extra={**LIGHT_PRESOLVE, "subsolvers": list(LARGE_SUBSOLVERS),
                                                **opts.extra},
                                   workers=min(opts.workers, LARGE_WORKERS),
                                   batch_size=min(opts.batch_size, LARGE_WORKERS))
    t_start = time.perf_counter()
    deadline = opts.deadline if opts.deadline is not None else t_start + WALL_FACTOR * opts.time_limit
    opts = dataclasses.replace(opts, deadline=deadline)
    if inst.may_split:  # issue 15: groups may split -> the model of parts (no LP / window moves yet)
        from .solve_parts import solve_parts
        return solve_parts(inst, opts, progress=progress, hint=hint)
    # all levels' budget: deterministic seconds, or wall seconds in the plain mode
    total = (opts.work_limit if opts.work_limit is not None else opts.time_limit) if opts.deterministic \
        else min(opts.time_limit, deadline - t_start)
    lns_work: dict[str, float] = {}
    lns_windows: dict[str, dict] = {}  # per level: window size (groups) and work limit used
    probes: list[Probe] = []  # questions to the LP relaxation (optimizer.relaxation)
    repairs: list[Rounding] = []  # fractional plans turned into plans (optimizer.repair)
    bounds: list[LevelBound] = []  # later levels' LP bounds (optimizer.relaxation.level_bound)
    known: dict[int, str] = {}  # finish months asked about (optimizer.lp_finish.shorten)
    greedy_cut = False
    if hint is None and opts.warm_start:
        hint, greedy_cut = best_greedy_by(inst, deadline)
    names = list(inst.rules.objective)
    # Only a hint the checker accepts is used as a plan (to cap the months, to start window
    # moves from, to be proven optimal); any other hint only guides CP-SAT's search.
    valid_hint = hint if hint and _is_valid(inst, hint) else None
    if hint and not valid_hint:
        log.warning("the start plan breaks a rule or misses a group: used as a search hint only")
    # A valid plan bounds the optimal finish: months after it need no variables.
    cap = _finish_of(valid_hint) if valid_hint and names[0] == "finish" else None
    no_search = _no_time_for_search(inst, total, deadline, greedy_cut)
    if no_search:
        return _greedy_answer(inst, valid_hint, opts, t_start, no_search)
    rm = RolloutModel(inst, max_month=cap)
    build_s = time.perf_counter() - t_start
    if hint:
        rm.hint(hint)
    levels: list[LevelResult] = []
    best: dict[int, tuple[int, str]] | None = None
    interrupted = False
    overall = "optimal"

    det_used = 0.0
    for i, name in enumerate(names):
        if large and i:
            _release_memory()
        # Each level gets what is left minus 10 % of the limit reserved for every later
        # level, and never less than 10 % itself: later levels always get a real try.
        # Deterministic mode counts CP-SAT's deterministic time (the same on every run).
        used = det_used if opts.deterministic else time.perf_counter() - t_start
        reserve = 0.1 * total * (len(names) - i - 1)
        budget = max(total - used - reserve, 0.1 * total)
        if i == 0 and len(names) > 1:
            budget = min(budget, FIRST_LEVEL_SHARE * total)
        if interrupted:
            value = rm_value(rm, name, best) if best else None
            levels.append(LevelResult(name, "unknown", value, None, 0.0, "not run"))
            overall = "feasible" if best else "unknown"
            continue
        if best is not None and _run_left(opts) <= 0:
            # the deadline has passed: the plan stands, this level unproven
            levels.append(LevelResult(name, "feasible", rm_value(rm, name, best), None, 0.0, "wall clock"))
            overall = "feasible"
            continue
        level_budget = budget
        lns_plan = None
        start = best or valid_hint
        t_lns = time.perf_counter()  # the level's time includes its window moves
        # progress times from the level's start (its search, moves and second search in turn)
        lprog = (lambda lv, obj, bd, _t, t0=t_lns: progress(lv, obj, bd, time.perf_counter() - t0)) \
            if progress else None
        lp_work = 0.0  # deterministic seconds this level's LP probes and repairs were charged
        lp_wall = False  # one of them was stopped by the wall clock
        finish_first = name == "finish" and i == 0  # the LP and the repair know no earlier level
        if finish_first and large and start:
            # LP first: bisect between the capacity floor and the start plan with LP probes,
            # repairing each fractional plan into a real one (optimizer.lp_finish). At 2,000
            # and 5,000 groups this proves the finish in seconds where neither the window moves
            # nor CP-SAT find the shortest plan (docs/benchmarks.md).
            lf = _shorten(inst, start, rm.finish_floor, known, budget, opts, t_start, probes, repairs)
            if lf is not None:
                cost = lf.work if opts.deterministic else time.perf_counter() - t_lns
                det_used += lf.work if opts.deterministic else 0.0
                lp_work += lf.work
                lp_wall = lf.wall_clock
                budget = max(budget - cost, 0.05 * budget)
                if lf.plan is not start:
                    start = lf.plan
                    rm = _adopt(inst, rm, levels, start)
                done = _finish_settled(lf, time.perf_counter() - t_lns, lp_wall)
                if done is not None:
                    best, interrupted = start, interrupted or lf.interrupted
                    levels.append(done)
                    overall = overall if done.status == "optimal" else "feasible"
                    rm = _next_model(inst, rm, name, done.value, levels, best, opts)
                    continue
        lb: LevelBound | None = None
        # Only right after the finish: a fixed later level is a dense row that makes the LP slow
        # (2,000 x 24: the assisted level's LP with waiting fixed ran 9.7 s without an optimum).
        if large and i == 1 and names[0] == "finish" and start and LP_LEVEL_BOUND and _run_left(opts) > 0:
            lb = level_bound(inst, rm.max_month, name, {lv.name: lv.value for lv in levels}, work=budget,
                             wall_limit=_wall_left(opts, t_start, budget))
            bounds.append(lb)
            log.debug("level %s: LP bound %s (%.2f s, %d iterations)", name, lb.bound, lb.seconds, lb.iterations)
            cost = lb.work if opts.deterministic else lb.seconds
            det_used += lb.work if opts.deterministic else 0.0
            budget = max(budget - cost, 0.05 * budget)
            lp_wall = lp_wall or lb.wall_clock  # its charge, and so later budgets, depend on speed
            if lb.interrupted:
                interrupted, best, overall = True, start, "feasible"
                levels.append(_interrupted_after_lp(name, rm_value(rm, name, start), lb, t_lns))
                continue
        if large and i == 1 and names[0] == "finish" and name == "waiting" and start and LP_STARTS \
                and repair_applies(inst) and _run_left(opts) > 0:
            # Plans from LP probes with cheaper tickets than the finish probes': a start for this
            # level that the window moves alone do not reach (optimizer.lp_finish.next_level_start;
            # its prices are in units of waiting, and it needs the repair).
            t_st = time.perf_counter()
            st = next_level_start(inst, _finish_of(start), start, name, work=START_SHARE * budget,
                                  wall_limit=_wall_left(opts, t_start, START_SHARE * budget), seed=opts.seed)
            probes.extend(st.probes)
            repairs.extend(st.repairs)
            det_used += st.work if opts.deterministic else 0.0
            budget = max(budget - (st.work if opts.deterministic else time.perf_counter() - t_st), 0.05 * budget)
            lp_wall = lp_wall or st.wall_clock
            log.debug("level %s: start %d -> %d from %d LP probes (%.2f deterministic s)", name,
                      rm_value(rm, name, start), st.value, len(st.probes), st.work)
            if st.plan is not start:
                start = st.plan
                rm.hint(start)
            if st.interrupted:
                interrupted, best, overall = True, start, "feasible"
                levels.append(_interrupted_after_lp(name, st.value, lb, t_lns))
                continue
        lp_bound = lb.bound if lb is not None else None
        lp_only = lp_bound is not None and len(inst.groups) >= LP_ONLY_GROUPS
        share = 1.0 if lp_only else LNS_SHARE
        lns_wall = False
        moves_ran = False  # the window moves did some work (none: one window is the whole problem)
        if opts.lns and start and large:
            lns_stats: dict = {}
            lns_plan, work, stopped, moves_wall = _window_moves(inst, start, name, tuple(names[:i]),
                                                                share * budget, opts, lprog, lns_stats)
            lns_wall = moves_wall
            moves_ran = work > 0
            if "window_groups" in lns_stats:
                lns_windows[name] = {"groups": lns_stats["window_groups"],
                                     "work": round(lns_stats["window_work"], 3), "months": lns_stats["window_months"]}
            # Deterministic mode counts the windows' work, the plain mode wall seconds.
            spent = work if opts.deterministic else time.perf_counter() - t_lns
            lns_work[name] = round(work, 2)
            det_used += work if opts.deterministic else 0.0
            # the search gets its own share; what the moves leave goes to later levels
            # (no moves at all, e.g. one window would be the whole problem: the search gets it all)
            budget = budget if work == 0 else max(min(budget - spent, (1 - LNS_SHARE) * budget), 0.05 * budget)
            interrupted = interrupted or stopped
            if lns_plan is not None and name == "finish":
                rm = _adopt(inst, rm, levels, lns_plan)
            elif lns_plan is not None:
                rm.hint(lns_plan)
            if stopped:
                best = lns_plan or start  # the level's start (the LP start, if one won)
                value = rm_value(rm, name, best) if best else None
                levels.append(LevelResult(name, "feasible" if best else "unknown", value, None,
                                          time.perf_counter() - t_lns, "interrupted"))
                overall = "feasible" if best else "unknown"
                continue
        if lp_only and moves_ran:
            # The LP gave the bound and the window moves the plan: no CP-SAT search. (Without
            # moves, e.g. --no-window-moves or one window covering everything, CP-SAT searches.)
            best = lns_plan or start
            value = rm_value(rm, name, best)
            proven = value <= lp_bound
            # a plan or a charge that depended on speed is marked even when it is proven
            by = "wall clock" if lns_wall or lp_wall or not opts.deterministic else \
                "proof" if proven else "deterministic time"
            levels.append(LevelResult(name, "optimal" if proven else "feasible", value, lp_bound,
                                      time.perf_counter() - t_lns, by, "lp relaxation"))
            overall = overall if proven else "feasible"
            if progress:
                progress(name, float(value), float(lp_bound), time.perf_counter() - t_lns)
            rm = _next_model(inst, rm, name, value, levels, best, opts)
            continue
        if finish_first and large and lns_plan is not None:
            # The window moves shortened the plan: can the LP relaxation prove it, or shorten it
            # further? It may use what the moves left of the level's budget.
            spent_so_far = lns_work.get(name, 0.0) + lp_work if opts.deterministic else time.perf_counter() - t_lns
            allowance = max(level_budget - spent_so_far, 0.0)
            t_lf = time.perf_counter()
            lf = _shorten(inst, lns_plan, rm.finish_floor, known, allowance, opts, t_start, probes, repairs)
            if lf is not None:
                # paid from the search's share (it may run into what the moves left, which
                # would otherwise go to the later levels)
                cost = lf.work if opts.deterministic else time.perf_counter() - t_lf
                det_used += lf.work if opts.deterministic else 0.0
                lp_work += lf.work
                budget = max(budget - cost, 0.05 * budget)
                lp_wall = lp_wall or lf.wall_clock
                if lf.plan is not lns_plan:
                    lns_plan = lf.plan
                    rm = _adopt(inst, rm, levels, lns_plan)
                # proven, but a plan from moves cut by the wall clock depends on speed
                done = _finish_settled(lf, time.perf_counter() - t_lns, lns_wall or lp_wall)
                if done is not None:
                    best, interrupted = lns_plan, interrupted or lf.interrupted
                    levels.append(done)
                    overall = overall if done.status == "optimal" else "feasible"
                    rm = _next_model(inst, rm, name, done.value, levels, best, opts)
                    continue
        if name == "finish" and large and start and lp_work and budget < MIN_SEARCH_SHARE * level_budget:
            # Too little left for CP-SAT to even load the model (it would be cut by the
            # wall clock, and the plan would depend on the machine's speed): keep the
            # plan, with the bound the probes or the capacity floor give.
            best = lns_plan or start
            value = _finish_of(best)
            bound, bound_by = ruled_out_bound(rm.finish_floor, known)
            levels.append(LevelResult(name, "feasible", value, bound, time.perf_counter() - t_lns,
                                      "wall clock" if lns_wall or lp_wall else "deterministic time", bound_by))
            overall = "feasible"
            rm = _next_model(inst, rm, name, value, levels, best, opts)
            continue
        kept = lns_plan or start
        no_wall = kept is not None and _run_left(opts) < _build_seconds(inst)
        if kept and (no_wall or large and i and budget < SEARCH_LOAD_PER_GROUP * len(inst.groups)):
            # Too little left for CP-SAT to load the model (of the budget, or of the wall-clock time
            # before the deadline): keep the plan of the window moves.
            best = kept
            bound, bound_by = (lp_bound, "lp relaxation") if lp_bound is not None else \
                ruled_out_bound(rm.finish_floor, known) if name == "finish" else (None, "")
            levels.append(LevelResult(name, "feasible", rm_value(rm, name, best), bound, time.perf_counter() - t_lns,
                                      "wall clock" if no_wall or lns_wall or lp_wall or not opts.deterministic
                                      else "deterministic time", bound_by))
            overall = "feasible"
            rm = _next_model(inst, rm, name, levels[-1].value, levels, best, opts)
            continue
        # From SMALL_MOVES_FROM to LARGE_GROUPS groups a later level's search leaves a share of its
        # budget to window moves after it, with windows sized to the instance (200 x 12: CP-SAT's
        # plan 94,545 -> 94,231 in about 5 s, then 94,229 with wider windows; docs/benchmarks.md);
        # what the moves leave goes to a second
        # search. A search that proves the level leaves the rest to later levels.
        moves_after = not large and len(inst.groups) >= SMALL_MOVES_FROM and i > 0 and opts.lns \
            and SMALL_MOVES_SHARE > 0 \
            and (1 - SMALL_MOVES_SHARE) * budget >= SEARCH_LOAD_PER_GROUP * len(inst.groups)
        level_budget_all = budget
        if moves_after:
            budget = (1 - SMALL_MOVES_SHARE) * budget
        solver, status, stopped = _search(rm, name, budget, opts, t_start, lprog)
        secs = time.perf_counter() - t_lns
        # CP-SAT can overshoot a deterministic limit on large models (presolve and LP
        # work come in big units); later levels still get their share.
        det_used += min(solver.deterministic_time, budget)
        log.debug("level %s used %.2f deterministic s of budget %.2f", name, solver.deterministic_time, budget)
        interrupted = interrupted or stopped
        sname = STATUS_NAMES.get(status, "unknown")
        by = _stopped_by(solver, status, stopped, opts.deterministic)
        if lns_wall and by != "proof" and by != "interrupted":
            by = "wall clock"  # the window moves were cut by the wall clock: the plan depends on speed
        # kept: the best plan this level had before its search (valid)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) or (kept and status == cp_model.UNKNOWN):
            if status == cp_model.UNKNOWN:  # the search found nothing within its budget: keep the plan
                best, value, bound, sname = kept, rm_value(rm, name, kept), None, "feasible"
            else:
                best = rm.read_assignment(solver)
                value = int(round(solver.objective_value))
                bound = int(round(solver.best_objective_bound))
                lns_value = rm_value(rm, name, lns_plan) if lns_plan else None
                if lns_value is not None and lns_value < value:
                    best, value, sname = lns_plan, lns_value, "feasible"
            bound_by = "cp-sat" if bound is not None else ""
            if name == "finish" and (bound is None or bound < rm.finish_floor):
                # the search was cut before it had a bound: the capacity rows still give one
                bound, bound_by = rm.finish_floor, "capacity"
            if name == "finish":
                probe_bound, probe_by = ruled_out_bound(rm.finish_floor, known)
                if probe_bound > bound:  # an earlier probe ruled out more than the search
                    bound, bound_by = probe_bound, probe_by
            if lp_bound is not None and (bound is None or lp_bound > bound):
                bound, bound_by = lp_bound, "lp relaxation"  # the level's LP bound is stronger
                if value <= bound and sname != "optimal":
                    sname = "optimal"
                    by = "proof" if by == "deterministic time" else by
            if finish_first and bound < value and not interrupted:
                # CP-SAT left a gap: the LP relaxation may show that no plan finishes earlier,
                # or give the fractional plan a repair turns into a shorter one. It may use what
                # the search left of the level's budget, at least a tenth of it.
                spent_so_far = (lns_work.get(name, 0.0) + lp_work + min(solver.deterministic_time, budget)
                                if opts.deterministic else secs)
                allowance = max(level_budget - spent_so_far, 0.1 * level_budget)
                lf = _shorten(inst, best, bound, known, allowance, opts, t_start, probes, repairs, bound_by)
                if lf is not None:
                    det_used += lf.work if opts.deterministic else 0.0
                    interrupted = interrupted or lf.interrupted
                    by = "interrupted" if lf.interrupted else by
                    lp_wall = lp_wall or lf.wall_clock
                    if lf.plan is not best:
                        best, value, sname = lf.plan, _finish_of(lf.plan), "feasible"
                    bound, bound_by = lf.bound, lf.bound_by
                    if lf.proven:
                        # proven; what ended the search stays on record unless it was its budget
                        bound, sname = value, "optimal"
                        by = "proof" if by == "deterministic time" else by
                    secs = time.perf_counter() - t_lns
            if moves_after and sname != "optimal" and not interrupted and status != cp_model.UNKNOWN:
                spent = min(solver.deterministic_time, budget) if opts.deterministic else secs
                stats: dict = {}
                moved, work, stopped, moves_wall = _window_moves(
                    inst, best, name, tuple(names[:i]), max(level_budget_all - spent, 0.0), opts, lprog,
                    stats, window=_small_window(len(inst.groups)), window_months=_small_window_months(len(inst.groups)),
                    widen_months=_small_widen_months(len(inst.groups)))
                det_used += work if opts.deterministic else 0.0
                lns_work[name] = round(work, 2)
                if "window_groups" in stats:
                    lns_windows[name] = {"groups": stats["window_groups"], "work": round(stats["window_work"], 3),
                                         "months": stats["window_months"],
                                         **({"widened_at": stats["widened_at"]} if "widened_at" in stats else {})}
                if moved is not None:
                    best, value = moved, rm_value(rm, name, moved)
                    if bound is not None and value <= bound:
                        sname = "optimal"
                        by = "proof" if by == "deterministic time" else by
                interrupted = interrupted or stopped
                # a plan from moves cut by the wall clock depends on speed, even at the bound
                by = "interrupted" if stopped else "wall clock" if moves_wall else by
                speed = by == "wall clock"  # the first search or the moves depended on speed
                left = level_budget_all - (spent + work if opts.deterministic else time.perf_counter() - t_lns)
                if sname != "optimal" and not interrupted and left >= MIN_SEARCH_SHARE * level_budget_all:
                    # What the moves left (they stop when two sweeps in a row find nothing, after
                    # widening where they widen): CP-SAT again,
                    # from the improved plan, for the proof the shorter first search may have
                    # missed (50 x 12 would lose its waiting proof otherwise).
                    rm.hint(best)
                    again, st2, stopped2 = _search(rm, name, left, opts, t_start, lprog)
                    det_used += min(again.deterministic_time, left) if opts.deterministic else 0.0
                    interrupted = interrupted or stopped2
                    if st2 in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                        if int(round(again.objective_value)) < value:
                            best, value = rm.read_assignment(again), int(round(again.objective_value))
                        if int(round(again.best_objective_bound)) > bound:
                            bound, bound_by = int(round(again.best_objective_bound)), "cp-sat"
                        if st2 == cp_model.OPTIMAL or value <= bound:
                            sname, bound = "optimal", value
                    by = "interrupted" if stopped2 else "proof" if sname == "optimal" else \
                        _stopped_by(again, st2, stopped2, opts.deterministic)
                    if speed and by != "interrupted":
                        by = "wall clock"  # what came before depended on the machine's speed
                secs = time.perf_counter() - t_lns
            if lp_wall and by != "interrupted":
                by = "wall clock"  # a probe's charge depended on speed: later budgets do too
            levels.append(LevelResult(name, sname, value, bound, secs, by, bound_by))
            if sname != "optimal":
                overall = "feasible"
            # Fix this level and warm-start the next from this plan.
            rm = _next_model(inst, rm, name, value, levels, best, opts)
            log.debug("level %s: %s value=%s bound=%s in %.2fs", name, sname, value, bound, secs)
        elif best is None and status == cp_model.INFEASIBLE and valid_hint:
            # The warm start is a plan the independent checker accepts, so "infeasible" is a
            # modelling error: keep the plan (unproven) and say so, never report no plan.
            log.error("CP-SAT reports %s infeasible but the warm start passes the checker; "
                      "keeping the warm start (please report this instance)", name)
            best = valid_hint
            levels.append(LevelResult(name, "feasible", rm_value(rm, name, best), None, secs, by))
            overall = "feasible"
        elif best is None:
            levels.append(LevelResult(name, sname, None, None, secs, by))
            overall = "infeasible" if status == cp_model.INFEASIBLE else "unknown"
            break
        else:  # time ran out on a later level: keep the previous plan, level unproven
            levels.append(LevelResult(name, "unknown", rm_value(rm, name, best), None, secs, by))
            overall = "feasible"
    plan = Plan.from_indices(inst, best) if best else None
    return Result(
        status=overall,
        levels=levels,
        plan=plan,
        seconds=time.perf_counter() - t_start,
        options=opts,
        interrupted=interrupted,
        model_stats={
            "variables": len(rm.proto.variables),
            "constraints": len(rm.proto.constraints),
            "build_seconds": round(build_s, 3),
            "rule_constraints": dict(rm.constraint_counts),
            **({"lp_probes": [p.record() for p in probes]} if probes else {}),
            **({"lp_repairs": [r.record() for r in repairs]} if repairs else {}),
            **({"lp_bounds": [b.record() for b in bounds]} if bounds else {}),
            **({"window_moves": {"deterministic_seconds": lns_work, "window_groups": WINDOW_GROUPS,
                                 "later_window_groups": LATER_WINDOW_GROUPS,
                                 "window_work": WINDOW_WORK, "windows_used": lns_windows}} if lns_work else {}),
        },
    )


def _no_time_for_search(inst: Instance, total: float, deadline: float, greedy_cut: bool) -> str:
    """Why no model is built and searched (what ended the run: "wall clock"), or "" when there is
    time: the greedy variants were cut by the deadline, or building the model and loading it
    into CP-SAT would take longer than the wall time left."""
    if greedy_cut:
        return "wall clock"
    return "wall clock" if deadline - time.perf_counter() < _build_seconds(inst) else ""


def _build_seconds(inst: Instance) -> float:
    """Wall seconds expected to build the model and for CP-SAT to take it in."""
    return 2 * BUILD_SECONDS_PER_GROUP_MONTH * len(inst.groups) * inst.horizon


def _greedy_answer(inst: Instance, plan: dict[int, tuple[int, str]] | None, opts: SolveOptions, t_start: float,
                   stopped_by: str) -> Result:
    """The warm start as the answer when there was no time to search: every level feasible,
    unproven, no bound (no plan at all when the greedy rule got stuck)."""
    vals = Plan.from_indices(inst, plan).objective_values() if plan else {}
    levels = [LevelResult(name, "feasible" if plan else "unknown", vals.get(name), None, 0.0, stopped_by)
              for name in inst.rules.objective]
    log.info("no time to build and search the model: the greedy plan is the answer")
    return Result(status="feasible" if plan else "unknown", levels=levels,
                  plan=Plan.from_indices(inst, plan) if plan else None,
                  seconds=time.perf_counter() - t_start, options=opts,
                  model_stats={"search": "none: the time limit left no time to build the model; "
                                         "the plan is the greedy warm start"})


def _release_memory() -> None:
    """Hand memory freed by the previous level back to the operating system. glibc keeps
    what CP-SAT's worker threads freed in per-thread arenas: at 5,000 groups that was about
    1 GB held through the next level, on top of which that level's search peaked above
    4 GiB (docs/benchmarks.md). A no-op where ``malloc_trim`` does not exist."""
    gc.collect()
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError, TypeError):
        pass


def _rebuild(inst: Instance, max_month: int, levels: list[LevelResult]) -> RolloutModel:
    """The model up to ``max_month`` (a known finish) with the solved levels fixed."""
    rm = RolloutModel(inst, max_month=max_month)
    for lv in levels:
        rm.fix_level(lv.name, -UNBOUNDED, lv.value)
    return rm


def _adopt(inst: Instance, rm: RolloutModel, levels: list[LevelResult],
           plan: dict[int, tuple[int, str]]) -> RolloutModel:
    """The finish level's model for a new best ``plan``: rebuilt without the months after
    its finish when it is shorter, hinted with it."""
    if _finish_of(plan) < rm.max_month:
        rm = _rebuild(inst, _finish_of(plan), levels)
    rm.hint(plan)
    return rm


def _interrupted_after_lp(name: str, value: int, lb: LevelBound | None, t_level: float) -> LevelResult:
    """Level ``name`` stopped by Ctrl-C during its LP steps: the plan in hand (``value``),
    unproven, with the LP bound if it has one."""
    bound = lb.bound if lb is not None else None
    return LevelResult(name, "feasible", value, bound, time.perf_counter() - t_level, "interrupted",
                       "lp relaxation" if bound is not None else "")


def _finish_settled(lf: Shortened, seconds: float, wall: bool) -> LevelResult | None:
    """The finish level's result when a call of :func:`_shorten` ended it: interrupted (its
    plan kept, unproven) or proven (``wall``: something before depended on the wall clock);
    None when the level goes on."""
    if lf.interrupted:
        return LevelResult("finish", "feasible", lf.finish, lf.bound, seconds, "interrupted", lf.bound_by)
    if lf.proven:
        log.debug("level finish: %d proven (%s)", lf.finish, lf.bound_by)
        return LevelResult("finish", "optimal", lf.finish, lf.finish, seconds, "wall clock" if wall else "proof",
                           lf.bound_by)
    return None


def _next_model(inst: Instance, rm: RolloutModel, name: str, value: int, levels: list[LevelResult],
                best: dict[int, tuple[int, str]], opts: SolveOptions | None = None) -> RolloutModel:
    """The model for the next level: level ``name`` fixed at ``value`` (after the finish level,
    rebuilt without the months past the finish: a smaller presolve, unless the deadline leaves
    no time to build it), hinted with ``best``."""
    if name == "finish" and value < rm.max_month and (opts is None or _run_left(opts) >= _build_seconds(inst)):
        rm = _rebuild(inst, value, levels)
    else:
        rm.fix_level(name, -UNBOUNDED, value)
    rm.hint(best)
    return rm


def _window_moves(inst: Instance, start: dict[int, tuple[int, str]], name: str, fixed: tuple[str, ...],
                  budget: float, opts: SolveOptions,
                  progress: Callable[[str, float, float, float], None] | None, stats: dict,
                  window: tuple[int, float] | None = None, window_months: int | None = None,
                  widen_months: int | None = None):
    """optimizer.lns.improve for one level: (better plan or None, work used, interrupted,
    ended by the wall clock); ``stats`` gets the window size and work limit used."""
    t0 = time.perf_counter()
    before = Plan.from_indices(inst, start).objective_values()[name]
    last = {"plan": None}

    def report(plan: dict[int, tuple[int, str]]) -> None:
        last["plan"] = dict(plan)
        if progress:
            progress(name, float(Plan.from_indices(inst, plan).objective_values()[name]), float("nan"),
                     time.perf_counter() - t0)

    wall = min(WALL_FACTOR * budget if opts.deterministic else budget, _run_left(opts) - MOVES_DEADLINE_MARGIN)
    try:
        plan, work = improve(inst, start, name, fixed, budget=budget, seed=opts.seed, wall_limit=wall,
                             report=report, stats=stats, window=window, window_months=window_months,
                             widen_months=widen_months)
    except KeyboardInterrupt:
        plan = last["plan"]
        return (plan if plan and not check_plan(Plan.from_indices(inst, plan)) else None), 0.0, True, False
    result = Plan.from_indices(inst, plan)
    after = result.objective_values()[name]
    log.debug("level %s: window moves %s -> %s (%.2f deterministic s)", name, before, after, work)
    if after < before and check_plan(result):  # a safety net: never pass on a plan that breaks a rule
        log.warning("level %s: window moves gave a plan that breaks a rule; ignored", name)
        return None, work, False, False
    return (plan if after < before else None), work, False, bool(stats.get("wall_clock"))


def _search(rm: RolloutModel, name: str, budget: float, opts: SolveOptions, t_start: float,
            progress: Callable[[str, float, float, float], None] | None) -> tuple[cp_model.CpSolver, int, bool]:
    """CP-SAT on ``rm`` minimising level ``name`` within ``budget``: (solver, status, interrupted)."""
    rm.set_objective(name)
    solver = cp_model.CpSolver()
    for k, v in opts.parameters().items():
        if isinstance(v, (list, tuple)):  # repeated field ([] = CP-SAT's default)
            getattr(solver.parameters, k).extend(v)
        else:
            setattr(solver.parameters, k, v)
    if opts.deterministic:
        # The budget counts CP-SAT's deterministic time (work, the same on every
        # run), so a level cut by it gives the same plan on every run. Deterministic
        # seconds run slower than wall seconds on large models (about 1.4x at 200
        # groups, more at thousands; docs/benchmarks.md), so the wall clock is
        # capped at WALL_FACTOR x the budget; a level that hits that cap is marked
        # (stopped_by "wall clock") and the result is then not reproducible.
        solver.parameters.max_deterministic_time = budget
        solver.parameters.max_time_in_seconds = max(min(WALL_FACTOR * budget, _run_left(opts)), 0.01)
    else:
        solver.parameters.max_time_in_seconds = max(min(budget, _run_left(opts)), 0.01)
    status, stopped = _run(solver, rm.model, _Progress(name, progress), log.info if opts.log_search else None)
    return solver, status, stopped


def _small_window(groups: int) -> tuple[int, float]:
    """Window size (groups) and work limit of the window moves after a later level's search on
    an instance below LARGE_GROUPS."""
    return max(SMALL_WINDOW_MIN, round(SMALL_WINDOW_SHARE * groups)), SMALL_WINDOW_WORK


def _small_window_months(groups: int) -> int | None:
    """The width in months of those windows, or None to size them by groups."""
    return SMALL_WINDOW_MONTHS if SMALL_WINDOW_MONTHS and groups < SMALL_WINDOW_MONTHS_BELOW else None


def _small_widen_months(groups: int) -> int | None:
    """The width in months those windows widen to once they stall, or None."""
    return SMALL_WIDEN_MONTHS if SMALL_WIDEN_MONTHS and groups < SMALL_WINDOW_MONTHS_BELOW else None


def _stopped_by(solver: cp_model.CpSolver, status: int, interrupted: bool, deterministic: bool) -> str:
    """Which limit ended a level (see LevelResult.stopped_by)."""
    if status in (cp_model.OPTIMAL, cp_model.INFEASIBLE):
        return "proof"
    if interrupted:
        return "interrupted"
    if deterministic and solver.deterministic_time < 0.99 * solver.parameters.max_deterministic_time:
        return "wall clock"
    return "deterministic time" if deterministic else "wall clock"


def _is_valid(inst: Instance, plan: dict[int, tuple[int, str]]) -> bool:
    """The checker accepts ``plan`` (a caller's hint may even name months or groups that
    do not exist: not valid)."""
    try:
        return not check_plan(Plan.from_indices(inst, plan))
    except (IndexError, KeyError, ValueError, TypeError):
        return False


def _wall_left(opts: SolveOptions, t_start: float, allowance: float) -> float:
    """Wall-clock backstop for a probe: its allowance x WALL_FACTOR in deterministic mode
    (the allowance itself otherwise), never past the run's own wall-clock cap."""
    own = WALL_FACTOR * allowance if opts.deterministic else allowance
    return max(min(own, _run_left(opts)), 0.0)


def _run_left(opts: SolveOptions) -> float:
    """Wall seconds left until the run's deadline (set by solve())."""
    return max(opts.deadline - time.perf_counter(), 0.0)


def _shorten(inst: Instance, plan: dict[int, tuple[int, str]], floor: int, known: dict[int, str],
             allowance: float, opts: SolveOptions, t_start: float, probes: list[Probe],
             repairs: list[Rounding], floor_by: str = "capacity") -> Shortened | None:
    """optimizer.lp_finish.shorten within ``allowance`` (deterministic seconds, or wall seconds
    in the plain mode) and the run's wall-clock backstop; its probes and repairs are added
    to ``probes`` and ``repairs``. None when LP finish proofs are off."""
    if not LP_FINISH_PROOF:
        return None
    out = shorten(inst, plan, floor, known, work=allowance, wall_limit=_wall_left(opts, t_start, allowance),
                  seed=opts.seed, floor_by=floor_by)
    probes.extend(out.probes)
    repairs.extend(out.repairs)
    return out


def _finish_of(plan: dict[int, tuple[int, str]]) -> int:
    return max(t for t, _ in plan.values())


def rm_value(rm: RolloutModel, name: str, best: dict[int, tuple[int, str]]) -> int:
    """Objective level ``name`` of an assignment, without the solver."""
    return Plan.from_indices(rm.inst, best).objective_values()[name]

"""Every threshold of the solve strategy in one frozen value (measurements: docs/benchmarks.md).

A :class:`Tuning` travels on ``SolveOptions.tuning``; tests and benchmarks change a field
with ``dataclasses.replace`` instead of overwriting module globals. Each field says in one line
why it has its value and names the docs/benchmarks.md section ("§ ...") that measured it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field


def _light_presolve() -> dict:
    return {"max_presolve_iterations": 1, "cp_model_probing_level": 0, "symmetry_level": 0,
            "find_big_linear_overlap": False}


@dataclass(frozen=True)
class Tuning:
    # --- which strategy: sizes (optimizer.solving.solver) ---
    #: From this many groups on: window moves before each search, light presolve, LP steps
    #: (§ "Window moves on large instances").
    large_groups: int = 500
    #: From this many groups on, the level after the finish gets no CP-SAT search when the LP
    #: gave its bound (§ "Starts for the level after the finish").
    lp_only_groups: int = 2000
    #: From this many groups (below large_groups) window moves follow a later level's search
    #: (§ "Window moves below 500 groups": better from 150, worse at 100).
    small_moves_from: int = 150
    # --- CP-SAT on large instances ---
    #: A lighter presolve for large models (§ "Scale").
    light_presolve: dict = field(default_factory=_light_presolve)
    #: At most this many CP-SAT workers on large instances: each holds a copy of the model
    #: (5,000 x 36: 5.1 GB with 8; § "Window moves on large instances").
    large_workers: int = 4
    #: The full-model subsolvers on large instances: max_lp gives the bound, the others search.
    large_subsolvers: tuple[str, ...] = ("default_lp", "max_lp", "quick_restart_no_lp")
    # --- budget shares ---
    #: The first level's share of the limit when later levels follow (§ "Per level").
    first_level_share: float = 0.5
    #: Share of a large level's budget given to window moves (§ "Window moves on large instances").
    lns_share: float = 0.75
    #: Share of the level's budget for the LP starts of the level after the finish
    #: (§ "Starts for the level after the finish").
    start_share: float = 0.25
    #: A large finish search is skipped when the LP steps left less than this share of its budget;
    #: so is a second small-instance search (§ "The finish level from the LP relaxation").
    min_search_share: float = 0.1
    #: Deterministic mode: wall-clock cap as a multiple of each budget (§ "Choosing the CLI defaults").
    wall_factor: float = 1.5
    # --- LP steps on large instances (on/off) ---
    #: Answer a first finish level with LP probes and repairs (§ "Finish proofs from the LP relaxation").
    lp_finish_proof: bool = True
    #: A later level's bound from the LP relaxation rather than CP-SAT's LP worker (§ "Scale").
    lp_level_bound: bool = True
    #: Start the level after the finish from LP probes with cheaper tickets
    #: (§ "Starts for the level after the finish").
    lp_starts: bool = True
    # --- what a search costs ---
    #: Deterministic seconds per group CP-SAT needs to load a large model; with less the
    #: search is skipped (§ "An honest time limit").
    search_load_per_group: float = 2e-3
    #: Wall seconds to build the model per group and month (as many again to load it)
    #: (§ "An honest time limit").
    build_seconds_per_group_month: float = 3e-5
    #: Window moves stop this many wall seconds before the deadline (two running windows return late).
    moves_deadline_margin: float = 0.5
    # --- window moves after a search, below large_groups (§ "Window moves below 500 groups") ---
    #: Share of a later level's budget left to the moves after its search.
    small_moves_share: float = 0.7
    #: Their window size as a share of the groups ...
    small_window_share: float = 0.4
    #: ... at least this many groups ...
    small_window_min: int = 20
    #: ... and each window's work limit (deterministic seconds).
    small_window_work: float = 2.0
    #: Windows this many months wide from the start (0: sized by groups; § "Window width below
    #: 500 groups": 4 months from the start was not better overall).
    small_window_months: int = 0
    #: Stalled windows widen to this many months (0: never; § "Window width below 500 groups").
    small_widen_months: int = 4
    #: ... only below this many groups (4 months were worse from 300 to 450 groups).
    small_window_months_below: int = 300
    # --- window moves (optimizer.solving.window_moves; § "Window size by level") ---
    #: Groups per window of the finish level.
    window_groups: int = 500
    #: Work limit of one such window (deterministic seconds, one worker).
    window_work: float = 2.0
    #: Groups per window of the later levels (5,000 x 36: waiting gap 0.86 % -> 0.26 %).
    later_window_groups: int = 1000
    #: A window's wall-clock backstop per deterministic second of its work, plus one.
    window_wall_per_work: float = 10.0
    #: The finish moves stop when this share of their budget went by without a shorter plan
    #: (§ "Finish budget and the order of the finish windows").
    stall: float = 1 / 3
    # --- LP probes and repairs (optimizer.solving.lp.relaxation, optimizer.solving.lp.rounding, optimizer.solving.lp.finish) ---
    #: Default work limit of an LP probe (deterministic seconds).
    probe_work: float = 60.0
    #: Deterministic seconds charged per simplex iteration and LP column (§ "Finish proofs ...").
    work_per_iteration_column: float = 1.5e-9
    #: Price of a helpdesk ticket in the finish probes' LP (§ "The finish level from the LP relaxation").
    ticket_price: float = 1000
    #: Ticket prices of the LP starts, in order (§ "Starts for the level after the finish").
    start_prices: tuple[float, ...] = (100.0, 30.0)
    #: Share of what is left of the budget one repair may use.
    repair_share: float = 0.5
    #: Deterministic seconds charged per move the repair evaluates (§ "The finish level ...").
    work_per_move: float = 5e-7
    #: Probability the repair takes a move that leaves the overflow unchanged.
    plateau: float = 0.3
    #: The repair restarts after this many steps without a lower overflow.
    stall_steps: int = 400

    # --- the split solve path (optimizer.solving.parts; § "Split groups") ---
    #: Share of the time given first to v1's solver on the input with every group whole: its plan
    #: (a valid one-part plan) starts the parts model (without it waiting stayed at the greedy's).
    #: With the window moves on parts, 0.25-0.5 measured (200 x 12, 30 s of work: waiting 94,089 at
    #: 0.25, 93,813 at 0.4, 93,798 at 0.5; § "Split groups: window moves with parts").
    whole_share: float = 0.4
    #: Wall seconds to build the model of parts per group and month (counted twice with CP-SAT's
    #: loading): with less wall time left, the best plan so far is the answer (honest time limit).
    #: (the fast build, issue 15: 3.2e-5-4.9e-5 at 2,000 x 24 and 4.9e-5-6.1e-5 at 5,000 x 36 at load 3-6; 2.3e-4
    #: with the cp_model API before)
    parts_build_seconds_per_group_month: float = 8e-5
    #: The LP steps of the split path (parts_steps.lp_settle) only up to this many groups x months:
    #: 2,000 x 24 (2,000 x 18 months built) proves the finish 17 with the split groups' ticket rows,
    #: LP and GLOP in about 25 s at load 5 (47 s and no proof before them); 5,000 x 36 not measured.
    parts_lp_max_group_months: int = 40_000
    #: Share of each later level's budget for window moves on the model of parts before its search
    #: (optimizer.solving.parts_moves; § "Split groups: window moves with parts"); 0: none.
    parts_moves_share: float = 0.7
    #: ... only up to this many groups x months (each window copies and presolves the whole model:
    #: 2,000 x 24 took 13-20 wall s per window of 0.5 deterministic s under load, 200 x 12 about 1-2 s).
    parts_moves_max_group_months: int = 12_000
    #: Their first width in months (they widen by half when two sweeps find nothing) ...
    parts_window_months: int = 3
    #: ... and each window's work limit (deterministic seconds, one CP-SAT worker).
    parts_window_work: float = 0.5

    @classmethod
    def for_size(cls, groups: int, months: int) -> "Tuning":
        """The tuning for an instance of this size. Today one set of thresholds serves every
        size: the size decides through :meth:`large` and the other predicates below."""
        return cls()

    # --- what the thresholds decide ---
    def large(self, groups: int) -> bool:
        """Window moves first, light presolve, few workers, LP steps."""
        return groups >= self.large_groups

    def lp_only(self, groups: int) -> bool:
        """The level after the finish: LP bound and window moves, no CP-SAT search."""
        return groups >= self.lp_only_groups

    def small_window(self, groups: int) -> tuple[int, float]:
        """Window size (groups) and work limit of the moves after a small instance's search."""
        return max(self.small_window_min, round(self.small_window_share * groups)), self.small_window_work

    def small_window_months_for(self, groups: int) -> int | None:
        """The width in months of those windows, or None to size them by groups."""
        below = groups < self.small_window_months_below
        return self.small_window_months if self.small_window_months and below else None

    def small_widen_months_for(self, groups: int) -> int | None:
        """The width in months those windows widen to once they stall, or None."""
        below = groups < self.small_window_months_below
        return self.small_widen_months if self.small_widen_months and below else None

    def changes(self) -> dict:
        """The fields that differ from the defaults, JSON-ready (what outputs record: nothing
        for a default run, so its outputs stay as they were)."""
        default = Tuning()
        return {f.name: list(v) if isinstance(v, tuple) else v for f in dataclasses.fields(self)
                if (v := getattr(self, f.name)) != getattr(default, f.name)}


#: The tuning of every solve that is not given one.
DEFAULT_TUNING = Tuning()

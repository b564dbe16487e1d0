"""A plan by month T from the LP relaxation: rounding, then local search on overflow.

When the LP relaxation (:mod:`optimizer.solving.lp.relaxation`) has a fractional plan that finishes by
month T but no integer plan is known, the finish level is open: CP-SAT and the window moves
often cannot find the integer plan, because it has to fill almost every month to the last
helpdesk ticket (at 2,000 x 24 seed 2 a plan of 17 months leaves 26 of 10,140 production
tickets unused; docs/benchmarks.md). The relaxation already knows where almost every group
goes. :func:`repair_to_month` starts from it:

1. **Rounding** (:func:`round_lp`). The pilot stage gets a last month (:func:`stage_ends`);
   each group takes the month and method the LP gives most of it (the LP with the fewest
   helpdesk tickets as objective, so room is left where it can be) among the months its stage
   allows. The rules other than capacity are then restored, moving groups to their earliest
   month that keeps them, pass after pass until none breaks: expanded pilots not before the
   last pilot, production not before the pilot stage ends (+ stage gap, + risk delay), every
   group after the groups it must follow.
2. **Local search on overflow.** Capacity may now be exceeded by a few tickets or seats here
   and there (the sum over every month and resource is the *overflow*). Each step takes one
   month and resource that is over, one group that loads it, and the best of: moving the
   group to any month and method it may use, or swapping it with any group of another month
   (or of the same month, both changing method); after 400 steps without progress it starts
   again from the rounding.
   Moves keep every rule except capacity (each group's months are bounded by its stage, its
   `after` partners and its window); a move is taken when it lowers the overflow, and a move
   that keeps it equal now and then, to walk across plateaus. Overflow 0 is a plan.

Deterministic: the random choices come from a seeded generator, and the search stops after a
work limit counted in evaluated moves, not seconds. The plan it returns is checked by the
independent checker (:func:`optimizer.checker.check_plan`) before anyone uses it.

Only the default rule set is searched: with a limit on platforms or locations per month, or
departments kept together, :func:`repair_to_month` gives up (returns no plan).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.domain import METHODS, SEAT_RESOURCE, Choices, Instance
from optimizer.model import RolloutModel
from optimizer.solving.month_bounds import MonthBounds
from optimizer.solving.tuning import DEFAULT_TUNING

_K = {k: i for i, k in enumerate(METHODS)}
_ROWS = ("helpdesk", "assisted", "tech_fair")  # the capacity rows of the search, in order
_SEAT = {_K[k]: _ROWS.index(res) for k, res in SEAT_RESOURCE.items()}  # method -> its seats' row


@dataclass
class Rounding:
    """The outcome of :func:`repair_to_month` (an LP rounding and its local search)."""

    month: int
    #: the plan (group index -> (month, method)) when the overflow reached 0, else None
    plan: Choices | None
    #: overflow after rounding and at the end (tickets + seats over capacity)
    start_overflow: int
    overflow: int
    steps: int
    #: moves evaluated, and their charge in deterministic seconds
    moves: int
    work: float
    seconds: float = 0.0
    #: starts from the rounding (a new one after every stall)
    starts: int = 1

    def record(self) -> dict:
        """JSON-ready summary (the solver's model statistics)."""
        return {"month": self.month, "found": self.plan is not None, "start_overflow": self.start_overflow,
                "overflow": self.overflow, "steps": self.steps, "moves": self.moves,
                "work": round(self.work, 3), "seconds": round(self.seconds, 3), "starts": self.starts}


class _Search:
    """State of the local search: each group's option (an x variable of ``rm``), loads."""

    def __init__(self, inst: Instance, rm: RolloutModel, choice: np.ndarray, seed: int) -> None:
        self.inst, self.rm = inst, rm
        T = rm.max_month + 1
        self.T = T
        self.rng = np.random.default_rng(seed)
        G = len(inst.groups)
        sizes = rm.sizes
        # per option: month, capacity row of its seats (-1 none), tickets, seats
        self.otx, self.otk = rm.tx, rm.tickets
        self.ores = np.array([_SEAT.get(int(k), -1) for k in range(len(METHODS))])[rm.kx]
        self.osz = sizes[rm.gx]
        self.cap = np.array([[m.capacity(res) for m in inst.months[:T]] for res in _ROWS], dtype=np.int64)
        self.choice = choice.copy()
        self.load = np.zeros((3, T), dtype=np.int64)
        np.add.at(self.load[0], self.otx[choice], self.otk[choice])
        seat = self.ores[choice] >= 0
        np.add.at(self.load, (self.ores[choice][seat], self.otx[choice][seat]), self.osz[choice][seat])
        self.month = self.otx[choice].copy()
        bounds = MonthBounds(inst)
        waves = [g.wave for g in inst.groups]
        self.pilots = [g for g in range(G) if waves[g] == "pilot"]
        self.expanded = [g for g in range(G) if waves[g] == "expanded-pilot"]
        stage = self.pilots + self.expanded
        # the pilot stage keeps its last month (production's opening depends on it)
        self.base_lo, self.base_hi = bounds.stage_bounds(int(self.month[stage].max()) if stage else -1, T - 1)
        self.is_pilot = np.zeros(G, dtype=bool)
        self.is_pilot[self.pilots] = True
        self.is_expanded = np.zeros(G, dtype=bool)
        self.is_expanded[self.expanded] = True
        self.by_month = [set(np.nonzero(self.month == t)[0].tolist()) for t in range(T)]
        #: every option of month t (x variable indices)
        self.by_option_month = [np.nonzero(rm.tx == t)[0] for t in range(T)]
        #: after-pairs as arrays: group edge_after[i] comes after edge_before[i]
        self.edge_after, self.edge_before = bounds.after_pairs()
        self.moves = 0

    # --------------------------------------------------------------- rules
    def all_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """The months each group may move to with every other group where it is: its stage,
        pilot-first, its `after` partners."""
        lo, hi = self.base_lo.copy(), self.base_hi.copy()
        if self.pilots and self.expanded:
            hi[self.pilots] = np.minimum(hi[self.pilots], self.month[self.expanded].min())
            lo[self.expanded] = np.maximum(lo[self.expanded], self.month[self.pilots].max())
        if len(self.edge_after):
            np.maximum.at(lo, self.edge_after, self.month[self.edge_before] + 1)
            np.minimum.at(hi, self.edge_before, self.month[self.edge_after] - 1)
        return lo, hi

    def options_of(self, g: int) -> np.ndarray:
        """g's options as a (month, method) table of option indices (-1: none)."""
        table = np.full((self.T, len(METHODS)), -1, dtype=np.int64)
        opts = np.arange(self.rm.starts[g], self.rm.starts[g + 1])
        table[self.otx[opts], self.rm.kx[opts]] = opts
        return table

    def overflow(self) -> int:
        return int(np.maximum(self.load - self.cap, 0).sum())

    # --------------------------------------------------------------- moves
    def _cells(self, opt: np.ndarray, sign: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Load changes of taking (sign +1) or leaving (-1) each option: helpdesk months and
        tickets, seat rows and seats (row -1: none)."""
        return self.otx[opt], sign * self.otk[opt], self.ores[opt], sign * self.osz[opt]

    def _delta(self, changes: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]) -> np.ndarray:
        """Overflow change of each candidate move, given per-move load changes as
        (month, tickets, seat row, seats) arrays of equal length (broadcast)."""
        n = max(len(np.atleast_1d(c[0])) for c in changes)
        rows, months, amounts = [], [], []
        for t, tk, res, sz in changes:
            t = np.broadcast_to(t, (n,))
            rows += [np.zeros(n, dtype=np.int64), np.broadcast_to(np.maximum(res, 0), (n,))]
            months += [t, t]
            amounts += [np.broadcast_to(tk, (n,)), np.where(np.broadcast_to(res, (n,)) >= 0,
                                                           np.broadcast_to(sz, (n,)), 0)]
        R = np.stack(rows, axis=1)  # (n, cells)
        M = np.stack(months, axis=1)
        A = np.stack(amounts, axis=1)
        # combine changes that hit the same cell: sum over equal (row, month) per move
        key = R * self.T + M
        same = key[:, :, None] == key[:, None, :]
        total = (A[:, None, :] * same).sum(axis=2)  # each cell's combined change
        first = ~np.triu(same, k=1).any(axis=1)  # count each cell once
        before = np.maximum(self.load[R, M] - self.cap[R, M], 0)
        after = np.maximum(self.load[R, M] + total - self.cap[R, M], 0)
        return ((after - before) * first).sum(axis=1)

    def _apply(self, g: int, opt: int) -> None:
        old = int(self.choice[g])
        for o, s in ((old, -1), (opt, 1)):
            self.load[0, self.otx[o]] += s * self.otk[o]
            if self.ores[o] >= 0:
                self.load[self.ores[o], self.otx[o]] += s * self.osz[o]
        self.by_month[self.month[g]].discard(g)
        self.choice[g], self.month[g] = opt, self.otx[opt]
        self.by_month[self.month[g]].add(g)

    def step(self) -> int:
        """One step; returns the overflow change it made (0 when nothing was taken)."""
        over = np.argwhere(self.load > self.cap)
        res, t = (int(v) for v in over[self.rng.integers(len(over))])
        members = sorted(self.by_month[t])
        if res:
            members = [g for g in members if self.ores[self.choice[g]] == res]
        if not members:
            return 0
        g = members[int(self.rng.integers(len(members)))]
        cur = int(self.choice[g])
        los, his = self.all_bounds()
        lo, hi = int(los[g]), int(his[g])
        a, b = self.rm.starts[g], self.rm.starts[g + 1]
        own = np.arange(a, b)
        own = own[(self.otx[own] >= lo) & (self.otx[own] <= hi) & (own != cur)]
        leave_g = self._cells(np.array([cur]), -1)
        best_d, moves = None, []
        if len(own):  # relocate (or change method)
            d = self._delta([leave_g, self._cells(own, 1)])
            best_d = int(d.min())
            moves = [(int(own[i]),) for i in np.nonzero(d == best_d)[0]]
            self.moves += len(own)
        # swaps: g -> an option in month u, h (in month u) -> an option in month t; with u = t,
        # both change method (two method changes that only fit together)
        may = (self.month >= lo) & (self.month <= hi) & (los <= t) & (t <= his)
        may[g] = False
        if self.is_pilot[g]:
            may &= ~self.is_expanded  # a pilot and an expanded pilot bound each other
        elif self.is_expanded[g]:
            may &= ~self.is_pilot
        J = self.by_option_month[t]
        J = J[may[self.rm.gx[J]]]  # h's options in month t
        if len(J):
            H = self.rm.gx[J]
            I = self.options_of(g)[self.month[H]]  # g's options in h's month, (len(J), methods)
            keep = I >= 0
            rows = np.nonzero(keep)
            H, J, I = H[rows[0]], J[rows[0]], I[rows]
            if len(H):
                d = self._delta([leave_g, self._cells(I, 1), self._cells(self.choice[H], -1), self._cells(J, 1)])
                self.moves += len(H)
                m = int(d.min())
                if best_d is None or m < best_d:
                    best_d, moves = m, []
                if m == best_d:
                    moves += [(int(I[i]), int(H[i]), int(J[i])) for i in np.nonzero(d == m)[0]]
        if best_d is None or best_d > 0 or (best_d == 0 and self.rng.random() >= DEFAULT_TUNING.plateau):
            return 0
        move = moves[int(self.rng.integers(len(moves)))]
        self._apply(g, move[0])
        if len(move) == 3:
            self._apply(move[1], move[2])
        return best_d


def stage_ends(inst: Instance, rm: RolloutModel, x: np.ndarray, n: int = 2) -> list[int]:
    """Candidate last months of the pilot stage for the rounding, best first: those that
    move the least LP weight (users) out of place: pilot-stage users after it, production
    users before it opens (+ stage gap, + risk delay). The LP keeps the stage only on
    average (a pilot mostly in month 0 and a little in month 1 lets production start in
    month 1), so the largest value of each pilot-stage group alone can end the stage a month
    late and push a month of production into the next; and the best end by the LP may be a
    few tickets too small for the stage itself, so the next best is a candidate too.
    [-1] without a pilot stage."""
    groups = inst.groups
    stage = np.array([g.pilot_stage for g in groups])
    if not stage.any():
        return [-1]
    bounds = MonthBounds(inst)
    production = bounds.production
    weight = x * rm.sizes[rm.gx]
    on_stage = stage[rm.gx]
    on_production = production[rm.gx]
    first_stage_month = np.full(len(groups), rm.max_month + 1)
    np.minimum.at(first_stage_month, rm.gx, rm.tx)
    scored = []
    for end in range(int(first_stage_month[stage].max()), rm.max_month + 1):
        displaced = weight[on_stage & (rm.tx > end)].sum()
        displaced += weight[on_production & (rm.tx < bounds.stage_lowers(end)[rm.gx])].sum()
        scored.append((round(float(displaced), 6), end))
    return [end for _, end in sorted(scored)[:n]]


def round_lp(inst: Instance, rm: RolloutModel, x: np.ndarray, end: int) -> np.ndarray | None:
    """Each group's option (x variable) from the LP values ``x``, keeping every rule but
    capacity: the pilot stage ends in month ``end`` (-1: no stage); each group takes
    its largest value (earliest month on ties) among the months its stage allows that leave
    room for the groups that must come after it; expanded pilots and groups that come too
    early for a pilot or a group they must follow then move to their earliest option that
    keeps the rule. None when some group has no option left by ``rm.max_month``."""
    G = len(inst.groups)
    groups = inst.groups
    bounds = MonthBounds(inst)
    succ = bounds.succ
    order = bounds.topological()  # predecessors first
    base_lo, base_hi = bounds.stage_bounds(end, rm.max_month)
    opts = [np.arange(rm.starts[g], rm.starts[g + 1]) for g in range(G)]
    # the latest month each group may take so that every group after it still has one
    latest = np.zeros(G, dtype=np.int64)
    for g in reversed(order):
        cap = min([int(base_hi[g])] + [int(latest[s]) - 1 for s in succ[g]])
        months = rm.tx[opts[g]]
        months = months[months >= base_lo[g]]
        if not len(months) or months.min() > cap:
            return None
        latest[g] = months[months <= cap].max()
    choice = np.zeros(G, dtype=np.int64)
    for g in range(G):
        o = opts[g][(rm.tx[opts[g]] >= base_lo[g]) & (rm.tx[opts[g]] <= latest[g])]
        choice[g] = o[np.lexsort((rm.tx[o], -x[o]))[0]]  # largest value, then earliest month
    month = rm.tx[choice]

    def earliest_from(g: int, lo: int) -> bool:
        o = opts[g][(rm.tx[opts[g]] >= lo) & (rm.tx[opts[g]] <= latest[g])]
        if not len(o):
            return False
        o = o[rm.tx[o] == rm.tx[o].min()]
        choice[g] = o[np.argmax(x[o])]
        month[g] = rm.tx[choice[g]]
        return True

    pilots = [g for g in range(G) if groups[g].wave == "pilot"]
    expanded = [g for g in range(G) if groups[g].wave == "expanded-pilot"]
    # Moving a group later can break a rule it was already placed for (a pilot that must
    # follow another pilot moves past an expanded pilot): repeat until nothing moves. Groups
    # only ever move later, each at most through its months, so this ends.
    for _ in range(G + 1):
        moved = False
        if pilots and expanded:
            s = int(month[pilots].max())
            for g in expanded:
                if month[g] < s:
                    if not earliest_from(g, s):
                        return None
                    moved = True
        for g in order:
            lo = max(int(base_lo[g]), bounds.after_lower(g, month))
            if month[g] < lo:
                if not earliest_from(g, lo):
                    return None
                moved = True
        if not moved:
            break
    else:
        return None
    return choice


def applies(inst: Instance) -> bool:
    """Whether the repair searches under ``inst``'s rules: not with limits on platforms or
    locations a month, nor with departments kept together (it gives up at once there)."""
    r = inst.rules
    return not (r.max_platforms_per_month or r.max_locations_per_month or r.keep_departments_together)


def repair_to_month(inst: Instance, month: int, x: np.ndarray, *, work: float, seed: int = 0,
                    rm: RolloutModel | None = None) -> Rounding:
    """Look for a plan that finishes by ``month``, starting from the LP values ``x`` of the
    model capped at ``month`` (``rm``, built when not given); ``work`` caps the search
    (deterministic seconds, ``Tuning.work_per_move`` per evaluated move)."""
    import time

    t0 = time.perf_counter()
    if not applies(inst):
        return Rounding(month, None, -1, -1, 0, 0, 0.0, time.perf_counter() - t0)
    rm = rm or RolloutModel(inst, max_month=month)
    roundings = [c for c in (round_lp(inst, rm, x, end) for end in stage_ends(inst, rm, x)) if c is not None]
    if not roundings:
        return Rounding(month, None, -1, -1, 0, 0, 0.0, time.perf_counter() - t0)
    limit = int(work / DEFAULT_TUNING.work_per_move)
    moves = steps = 0
    start = over = -1
    attempt = 0
    while moves < limit:
        # a fresh start whenever the search stalls on a plateau, from the roundings in turn
        search = _Search(inst, rm, roundings[attempt % len(roundings)], seed + attempt)
        search.moves = moves
        over = search.overflow()
        start = over if attempt == 0 else start
        best, since = over, 0
        while over > 0 and search.moves < limit and since < DEFAULT_TUNING.stall_steps:
            over += search.step()
            steps += 1
            since = 0 if over < best else since + 1
            best = min(best, over)
        moves = search.moves
        if over == 0 or moves >= limit:
            break
        attempt += 1
    plan = None
    if over == 0:
        plan = {g: (int(rm.tx[o]), METHODS[int(rm.kx[o])]) for g, o in enumerate(search.choice)}
    return Rounding(month, plan, start, over, steps, moves, min(moves * DEFAULT_TUNING.work_per_move, work),
                  time.perf_counter() - t0, attempt + 1)

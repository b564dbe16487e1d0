#!/usr/bin/env python3
"""An independent MIP of the rollout model, solved by HiGHS (benchmarks only).

Written from docs/model.md, not from optimizer/model.py, so that the
benchmark compares two solvers on the same mathematics rather than one code
path twice, and so that levels both solvers prove optimal cross-check each
other. Same formulation choices as the CP-SAT model, so the comparison is
about the solvers: binaries x[g,t,k] for eligible (month, method) pairs,
monotone open[t] with finish = sum(open) - 1 and capacity rows
``load <= capacity * open[t]`` (the strong makespan formulation), the same
implied rows (open months must absorb all users / all production users /
the fewest possible tickets), continuous helper variables for the pilot
stage, and lexicographic levels fixed with ``level <= value``.

    from highs_mip import solve_highs
    levels, assignment, trace = solve_highs(inst, time_limit=60)

``highspy`` is a bench extra (``pip install -e '.[bench]'``), never a runtime
dependency.
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from optimizer.domain import METHODS, Instance  # noqa: E402

INF = math.inf


@dataclass
class MipLevel:
    name: str
    status: str  # optimal / feasible / unknown / infeasible
    value: float | None
    bound: float | None
    seconds: float


@dataclass
class _Rows:
    """Rows collected as (start offsets, column indices, values, lower, upper)."""

    idx: list[np.ndarray] = field(default_factory=list)
    val: list[np.ndarray] = field(default_factory=list)
    lo: list[float] = field(default_factory=list)
    hi: list[float] = field(default_factory=list)

    def add(self, idx, val, lo: float, hi: float) -> None:
        self.idx.append(np.asarray(idx, dtype=np.int32))
        self.val.append(np.asarray(val, dtype=np.float64))
        self.lo.append(lo)
        self.hi.append(hi)


class RolloutMip:
    """The MIP: columns x (eligible pairs), open[t], and helper columns."""

    def __init__(self, inst: Instance, max_month: int | None = None) -> None:
        self.inst = inst
        self.T = inst.horizon if max_month is None else min(inst.horizon, max_month + 1)
        self.rows = _Rows()
        self.col_lo: list[float] = []
        self.col_hi: list[float] = []
        self.col_int: list[bool] = []
        self._columns()
        self._rows()

    # ----------------------------------------------------------- columns
    def _new(self, n: int, lo: float, hi: float, integer: bool) -> int:
        first = len(self.col_lo)
        self.col_lo += [lo] * n
        self.col_hi += [hi] * n
        self.col_int += [integer] * n
        return first

    def _columns(self) -> None:
        inst, T = self.inst, self.T
        g_, t_, k_ = [], [], []
        for gi, g in enumerate(inst.groups):
            ks = [METHODS.index(k) for k in inst.allowed_methods(g)]
            for t in inst.allowed_months(g):
                if t < T:
                    for k in ks:
                        g_.append(gi), t_.append(t), k_.append(k)
        self.g, self.t, self.k = (np.array(a, dtype=np.int64) for a in (g_, t_, k_))
        self.n_x = len(self.g)
        self._new(self.n_x, 0, 1, True)
        self.open0 = self._new(T, 0, 1, True)
        G = len(inst.groups)
        order = np.argsort(self.g, kind="stable")
        self.by_group = np.split(order, np.searchsorted(self.g[order], np.arange(1, G)))
        self.size = np.array([g.size for g in inst.groups], dtype=np.int64)
        rates = np.array([inst.rules.tickets_per_100_users[k] for k in METHODS], dtype=np.int64)
        self.tickets = -(-self.size[self.g] * rates[self.k] // 100)

    def month(self, gi: int) -> tuple[np.ndarray, np.ndarray]:
        ids = self.by_group[gi]
        return ids, self.t[ids].astype(np.float64)

    # -------------------------------------------------------------- rows
    def _rows(self) -> None:
        inst, T, R, o = self.inst, self.T, self.rows, self.open0
        rules = inst.rules
        opens = np.arange(o, o + T)
        # one (month, method) per group; month <= finish = sum(open) - 1
        for gi in range(len(inst.groups)):
            ids, mt = self.month(gi)
            R.add(ids, np.ones(len(ids)), 1, 1)
            R.add(np.concatenate([ids, opens]), np.concatenate([mt, -np.ones(T)]), -INF, -1)
        R.add([o], [1], 1, 1)
        for t in range(1, T):
            R.add([o + t, o + t - 1], [1, -1], -INF, 0)
        # capacities, switched off after the finish
        for t in range(T):
            m = inst.months[t]
            sel = np.nonzero(self.t == t)[0]
            loads = {
                "helpdesk": (sel, self.tickets[sel]),
                "assisted": (sel[self.k[sel] == 1], self.size[self.g[sel[self.k[sel] == 1]]]),
                "tech_fair": (sel[self.k[sel] == 2], self.size[self.g[sel[self.k[sel] == 2]]]),
            }
            for res, (ids, coef) in loads.items():
                if len(ids) and coef.sum() > m.capacity(res):
                    R.add(np.append(ids, o + t), np.append(coef, -m.capacity(res)).astype(float), -INF, 0)
        self._implied_rows(opens)
        self._stage_rows()
        for gi, g in enumerate(inst.groups):  # after
            for h in g.after:
                a, am = self.month(gi)
                b, bm = self.month(inst.groups.index(inst.group(h)))
                R.add(np.concatenate([a, b]), np.concatenate([am, -bm]), 1, INF)
        self._distinct("platform", rules.max_platforms_per_month)
        self._distinct("location", rules.max_locations_per_month)
        if rules.keep_departments_together:
            first: dict[tuple[str, str], int] = {}
            for gi, g in enumerate(inst.groups):
                if g.department:
                    key = (g.department, g.wave)
                    if key in first:
                        a, am = self.month(gi)
                        b, bm = self.month(first[key])
                        R.add(np.concatenate([a, b]), np.concatenate([am, -bm]), 0, 0)
                    else:
                        first[key] = gi

    def _users_per_month(self, t: int) -> float:
        """Most users month t can take by any method mix (fractional knapsack)."""
        m, rates = self.inst.months[t], self.inst.rules.tickets_per_100_users
        budget, users = 100.0 * m.helpdesk, 0.0
        for k, cap in sorted((("assisted", m.assisted), ("tech-fair", m.tech_fair), ("self-service", INF)),
                             key=lambda kc: rates[kc[0]]):
            n = cap if rates[k] == 0 else min(cap, max(budget, 0.0) / rates[k])
            users += n
            budget -= n * rates[k]
        return min(users, 1e12)

    def _implied_rows(self, opens: np.ndarray) -> None:
        inst, T, R = self.inst, self.T, self.rows
        cap = np.array([self._users_per_month(t) for t in range(T)])
        R.add(opens, cap, float(self.size.sum()), INF)
        stage = any(g.wave != "production" for g in inst.groups)
        gap = inst.rules.stage_gap if stage else 0
        prod = sum(g.size for g in inst.groups if g.wave == "production")
        if prod and gap < T:
            R.add(opens[gap:], cap[gap:], float(prod), INF)
        fewest = sum(min(inst.rules.tickets(g.size, k) for k in inst.allowed_methods(g)) for g in inst.groups)
        R.add(opens, [float(m.helpdesk) for m in inst.months[:T]], float(fewest), INF)

    def _stage_rows(self) -> None:
        inst, R, rules = self.inst, self.rows, self.inst.rules
        pil = [i for i, g in enumerate(inst.groups) if g.wave == "pilot"]
        exp = [i for i, g in enumerate(inst.groups) if g.wave == "expanded-pilot"]
        prod = [i for i, g in enumerate(inst.groups) if g.wave == "production"]
        if pil and exp:
            s = self._new(1, 0, self.T - 1, False)
            for i in pil:
                ids, mt = self.month(i)
                R.add(np.append(ids, s), np.append(mt, -1), -INF, 0)
            for i in exp:
                ids, mt = self.month(i)
                R.add(np.append(ids, s), np.append(mt, -1), 0, INF)
        if not prod:
            return
        last = None
        if pil or exp:
            last = self._new(1, 0, self.T - 1, False)
            for i in pil + exp:
                ids, mt = self.month(i)
                R.add(np.append(ids, last), np.append(mt, -1), -INF, 0)
        gap = rules.stage_gap if last is not None else 0
        for i in prod:
            delay = gap + (rules.risk_delay if inst.groups[i].risk == "high" else 0)
            ids, mt = self.month(i)
            if last is not None:
                R.add(np.append(ids, last), np.append(mt, -1), delay, INF)
            elif delay:
                R.add(ids, mt, delay, INF)

    def _distinct(self, attr: str, limit: int) -> None:
        inst, R = self.inst, self.rows
        values = sorted({getattr(g, attr) for g in inst.groups if getattr(g, attr)})
        if limit <= 0 or len(values) <= limit:
            return
        of = np.array([values.index(getattr(g, attr)) if getattr(g, attr) else -1 for g in inst.groups])
        vx = of[self.g]
        for t in range(self.T):
            used = []
            for v in range(len(values)):
                ids = np.nonzero((self.t == t) & (vx == v))[0]
                if len(ids):
                    y = self._new(1, 0, 1, True)
                    R.add(np.append(ids, y), np.append(np.ones(len(ids)), -len(np.unique(self.g[ids]))), -INF, 0)
                    used.append(y)
            if len(used) > limit:
                R.add(used, np.ones(len(used)), 0, limit)

    # --------------------------------------------------------- objectives
    def objective(self, level: str) -> tuple[np.ndarray, float]:
        """Cost vector over all columns and constant offset."""
        c = np.zeros(len(self.col_lo))
        if level == "finish":
            c[self.open0:self.open0 + self.T] = 1
            return c, -1.0
        if level == "waiting":
            ready = np.array([g.readiness for g in self.inst.groups])
            c[: self.n_x] = self.size[self.g] * ready[self.g] * self.t
            return c, 0.0
        if level == "assisted":
            c[: self.n_x] = np.where(self.k == 1, self.size[self.g], 0)
            return c, 0.0
        raise ValueError(level)

    def assignment(self, x: np.ndarray) -> dict[int, tuple[int, str]]:
        on = np.nonzero(x[: self.n_x] > 0.5)[0]
        return {int(self.g[i]): (int(self.t[i]), METHODS[int(self.k[i])]) for i in on}

    def column_values(self, plan: dict[int, tuple[int, str]]) -> np.ndarray:
        """A full solution vector for a plan (warm start)."""
        x = np.zeros(len(self.col_lo))
        want = {gi: (t, METHODS.index(k)) for gi, (t, k) in plan.items()}
        for i in range(self.n_x):
            if want.get(int(self.g[i])) == (int(self.t[i]), int(self.k[i])):
                x[i] = 1
        fin = max(t for t, _ in plan.values())
        x[self.open0:self.open0 + self.T] = [1 if t <= fin else 0 for t in range(self.T)]
        return x


def _highs_model(mip: RolloutMip):
    import highspy

    lp = highspy.HighsLp()
    n = len(mip.col_lo)
    R = mip.rows
    lp.num_col_, lp.num_row_ = n, len(R.lo)
    lp.col_cost_ = np.zeros(n)
    lp.col_lower_ = np.array(mip.col_lo, dtype=float)
    lp.col_upper_ = np.array(mip.col_hi, dtype=float)
    lp.row_lower_ = np.array(R.lo, dtype=float)
    lp.row_upper_ = np.array(R.hi, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lens = np.array([len(i) for i in R.idx])
    lp.a_matrix_.start_ = np.concatenate([[0], np.cumsum(lens)]).astype(np.int32)
    lp.a_matrix_.index_ = np.concatenate(R.idx).astype(np.int32)
    lp.a_matrix_.value_ = np.concatenate(R.val)
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n, len(R.lo)
    lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
                       for i in mip.col_int]
    return lp


def solve_highs(
    inst: Instance,
    *,
    time_limit: float = 60.0,
    hint: dict[int, tuple[int, str]] | None = None,
    max_month: int | None = None,
    threads: int = 2,
) -> tuple[list[MipLevel], dict[int, tuple[int, str]] | None, list[tuple[str, float, float, float]]]:
    """Lexicographic levels with HiGHS, level budgets as in optimizer.solving.solver.

    Returns (levels, best assignment, trace of (level, seconds since start, primal, dual)).
    """
    import highspy

    t0 = time.perf_counter()
    mip = RolloutMip(inst, max_month)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 0.99)  # integer objectives: a gap below 1 is a proof
    h.setOptionValue("threads", threads)
    h.setOptionValue("random_seed", 0)
    h.passModel(_highs_model(mip))
    trace: list[tuple[str, float, float, float]] = []
    state = {"level": "", "last": 0.0, "offset": 0.0}

    def on_event(e) -> None:
        now = time.perf_counter() - t0
        d = e.data_out
        if e.callback_type == highspy.cb.HighsCallbackType.kCallbackMipInterrupt and now - state["last"] < 0.25:
            return
        state["last"] = now
        trace.append((state["level"], now, d.mip_primal_bound + state["offset"], d.mip_dual_bound + state["offset"]))

    h.cbMipImprovingSolution.subscribe(on_event)
    h.cbMipInterrupt.subscribe(on_event)
    names = list(inst.rules.objective)
    levels: list[MipLevel] = []
    best = hint
    n = len(mip.col_lo)
    for i, name in enumerate(names):
        used = time.perf_counter() - t0
        reserve = 0.1 * time_limit * (len(names) - i - 1)
        budget = max(time_limit - used - reserve, 0.1 * time_limit)
        c, off = mip.objective(name)
        state["level"], state["offset"] = name, off
        h.changeColsCost(n, np.arange(n, dtype=np.int32), c)
        h.setOptionValue("time_limit", float(budget))
        if best:
            sol = highspy.HighsSolution()
            sol.col_value = mip.column_values(best).tolist()
            sol.value_valid = True
            h.setSolution(sol)
        ts = time.perf_counter()
        h.run()
        secs = time.perf_counter() - ts
        ms = h.getModelStatus()
        info = h.getInfo()
        has_sol = info.primal_solution_status == 2
        if ms == highspy.HighsModelStatus.kInfeasible:
            levels.append(MipLevel(name, "infeasible", None, None, secs))
            return levels, None, trace
        if not has_sol:
            levels.append(MipLevel(name, "unknown", None, None, secs))
            if best is None:
                return levels, None, trace
            continue
        x = np.array(h.getSolution().col_value)
        best = mip.assignment(x)
        value = round(info.objective_function_value + off)
        bound = info.mip_dual_bound + off
        status = "optimal" if ms == highspy.HighsModelStatus.kOptimal else "feasible"
        levels.append(MipLevel(name, status, value, math.ceil(bound - 1e-6), secs))
        trace.append((name, time.perf_counter() - t0, value, bound))
        h.addRow(-INF, value - off + 1e-6, int(np.count_nonzero(c)), np.nonzero(c)[0].astype(np.int32),
                 c[np.nonzero(c)[0]])
    return levels, best, trace

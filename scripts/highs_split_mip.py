#!/usr/bin/env python3
"""An independent MIP of the split-group model (model v2), solved by HiGHS (benchmarks only).

Written from the spec (shared spec model-v2.md, section "Split groups"; docs/model.md), not
from optimizer/model.py, so that levels both solvers prove optimal cross-check each other.
Conventions as in scripts/highs_mip.py (the v1 MIP): rows collected as sparse arrays, monotone
open[t] with finish = sum(open) - 1 and capacity rows ``load <= capacity * open[t]``, the same
implied rows, and lexicographic levels fixed with ``level <= value``.

Columns, per group g and each month t it may use (window, blackout, within the horizon):

- ``u[g,t]`` integer users in month t, ``y[g,t]`` binary "g has a part in t";
- ``m[g,k]`` binary per allowed method (one method for all parts), and when g has more than one
  method ``w[g,t,k]`` users of month t by method k (= u[g,t] for the chosen k, else 0);
- ``n[g,t]`` integer tickets of the part: 100 n >= rate_k * u (the ceiling per part);
- groups that may split (max_months > 1): ``f[g,t]`` / ``l[g,t]`` binary "t is the first / last
  month", first_g = sum t f, last_g = sum t l, exact (f, l only on months with a part, every part
  between them); for the others first = last = sum t y;
- helpers: the pilots' last month S (last_p <= S <= first_e), the pilot stage's last month L
  (O = L + stage_gap), and per month and platform / location a binary "used".

Rows: sum_t u = size; least_g y <= u <= size y (least = min(min_part_users, size), >= 1);
last - first <= max_months - 1; capacities per month (tickets, assisted users, tech-fair users);
stage order by last/first month; production first month >= O (+ risk_delay when high risk);
after: last_h + 1 <= first_g; max_platforms / max_locations over months with a part;
keep_departments_together on first months. Levels: finish, waiting = sum readiness t u,
assisted = sum of sizes of assisted groups, splits = sum y - groups.

    from highs_split_mip import solve_highs
    levels, plan, trace = solve_highs(inst, time_limit=60)   # plan: optimizer.plan.Plan or None

``highspy`` is a bench extra (``pip install -e '.[bench]'``), never a runtime dependency.
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

from optimizer.domain import Instance  # noqa: E402
from optimizer.plan import Assignment, Plan  # noqa: E402

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
    idx: list[np.ndarray] = field(default_factory=list)
    val: list[np.ndarray] = field(default_factory=list)
    lo: list[float] = field(default_factory=list)
    hi: list[float] = field(default_factory=list)

    def add(self, idx, val, lo: float, hi: float) -> None:
        self.idx.append(np.asarray(idx, dtype=np.int32))
        self.val.append(np.asarray(val, dtype=np.float64))
        self.lo.append(lo)
        self.hi.append(hi)


@dataclass
class _GroupCols:
    months: list[int]
    u: list[int]
    y: list[int]
    m: dict[str, int]  # method -> column
    #: method -> per month (column, users per unit): the users of the month by that method
    w: dict[str, list[tuple[int, float]]]
    first: tuple[list[int], list[float]]  # linear expression (columns, coefficients)
    last: tuple[list[int], list[float]]
    whole: bool  # enrolled in one month (no split allowed or possible)


class SplitMip:
    """The MIP of one instance; ``max_month`` caps the horizon (months after it unused)."""

    def __init__(self, inst: Instance, max_month: int | None = None) -> None:
        self.inst = inst
        self.T = inst.horizon if max_month is None else min(inst.horizon, max_month + 1)
        self.rows = _Rows()
        self.col_lo: list[float] = []
        self.col_hi: list[float] = []
        self.col_int: list[bool] = []
        self.ticket_cols: list[tuple[int, int, int]] = []  # (column, group index, month position)
        self.used_cols: list[tuple[int, list[int]]] = []  # (column, y columns it covers)
        self.stage_cols: dict[str, tuple[int, list[int]]] = {}  # "S"/"L": (column, groups it follows)
        self.open0 = self._new(self.T, 0, 1, True)
        self.cols = [self._group(g) for g in inst.groups]
        self._month_rows()
        self._order_rows()
        self._distinct("platform", inst.rules.max_platforms_per_month)
        self._distinct("location", inst.rules.max_locations_per_month)
        self._department_rows()
        self._implied_rows()

    def _new(self, n: int, lo: float, hi: float, integer: bool) -> int:
        first = len(self.col_lo)
        self.col_lo += [lo] * n
        self.col_hi += [hi] * n
        self.col_int += [integer] * n
        return first

    # ------------------------------------------------------------ per group
    def _group(self, g) -> _GroupCols:
        inst, R, T = self.inst, self.rows, self.T
        months = [t for t in inst.allowed_months(g) if t < T]
        n = len(months)
        size, least, most = g.size, inst.least_part(g), inst.max_months(g)
        u0 = self._new(n, 0, size, True)
        y0 = self._new(n, 0, 1, True)
        u, y = list(range(u0, u0 + n)), list(range(y0, y0 + n))
        R.add(u, np.ones(n), size, size)  # every user enrolled
        for i, t in enumerate(months):
            R.add([u[i], y[i]], [1, -size], -INF, 0)  # a part only in a month with y = 1
            R.add([u[i], y[i]], [1, -least], 0, INF)  # ... of at least the least part
            R.add([y[i], self.open0 + t], [1, -1], -INF, 0)  # months after the finish are closed
        tm = [float(t) for t in months]
        ks = list(inst.allowed_methods(g))
        m0 = self._new(len(ks), 0, 1, True)
        m = {k: m0 + i for i, k in enumerate(ks)}
        R.add(list(m.values()), np.ones(len(ks)), 1, 1)  # one method
        whole = most <= 1 or n <= 1 or size < 2
        if whole:
            # one month: as in the v1 MIP, a binary per (month, method), so that its loads are
            # exact in the relaxation: y = sum_k x, u = size y, m_k = sum_t x; first = last
            x0 = self._new(n * len(ks), 0, 1, True)
            x = {k: [x0 + i * len(ks) + j for i in range(n)] for j, k in enumerate(ks)}
            R.add(y, np.ones(n), 1, 1)
            for i in range(n):
                R.add([y[i]] + [x[k][i] for k in ks], [1.0] + [-1.0] * len(ks), 0, 0)
                R.add([u[i], y[i]], [1, -size], 0, 0)
            for k in ks:
                R.add([m[k]] + x[k], [1.0] + [-1.0] * n, 0, 0)
            w = {k: [(col, float(size)) for col in x[k]] for k in ks}
            first = last = (y, tm)
        else:
            f0, l0 = self._new(n, 0, 1, True), self._new(n, 0, 1, True)
            f, ell = list(range(f0, f0 + n)), list(range(l0, l0 + n))
            R.add(f, np.ones(n), 1, 1)
            R.add(ell, np.ones(n), 1, 1)
            R.add(y, np.ones(n), 1, min(most, n))
            for i, t in enumerate(months):
                R.add([f[i], y[i]], [1, -1], -INF, 0)  # the first month has a part
                R.add([ell[i], y[i]], [1, -1], -INF, 0)  # the last month has a part
                R.add(f + [y[i]], tm + [float(T)], -INF, t + T)  # first <= t when y[t]
                R.add(ell + [y[i]], tm + [-float(t)], 0, INF)  # last >= t when y[t]
            R.add(ell + f, tm + [-x for x in tm], -INF, most - 1)  # span
            first, last = (f, tm), (ell, tm)
            if len(ks) == 1:
                w = {ks[0]: [(col, 1.0) for col in u]}
            else:  # users of each month by method k: u for the chosen method, 0 for the others
                w = {}
                for k in ks:
                    w0 = self._new(n, 0, size, False)
                    w[k] = [(w0 + i, 1.0) for i in range(n)]
                    for i in range(n):
                        R.add([w0 + i, m[k]], [1, -size], -INF, 0)
                for i in range(n):
                    R.add([w[k][i][0] for k in ks] + [u[i]], [1.0] * len(ks) + [-1.0], 0, 0)
        return _GroupCols(months, u, y, m, w, first, last, whole)

    # ------------------------------------------------------------ per month
    def _month_rows(self) -> None:
        inst, R, T, o = self.inst, self.rows, self.T, self.open0
        rates = inst.rules.tickets_per_100_users
        R.add([o], [1], 1, 1)
        for t in range(1, T):
            R.add([o + t, o + t - 1], [1, -1], -INF, 0)
        load = {t: {"helpdesk": ([], []), "assisted": ([], []), "tech-fair": ([], [])} for t in range(T)}
        for gi, (g, c) in enumerate(zip(inst.groups, self.cols)):
            top = max(rates[k] for k in c.m)
            for i, t in enumerate(c.months):
                if c.whole:  # whole group: its tickets are a constant per method
                    for k in c.w:
                        if rates[k]:
                            load[t]["helpdesk"][0].append(c.w[k][i][0])
                            load[t]["helpdesk"][1].append(float(inst.rules.tickets(g.size, k)))
                elif top > 0:  # tickets of the part, rounded up: 100 n >= rate_k w_k
                    n = self._new(1, 0, -(-g.size * top // 100), True)
                    ks = [k for k in c.w if rates[k]]
                    R.add([n] + [c.w[k][i][0] for k in ks], [100.0] + [-float(rates[k]) for k in ks], 0, INF)
                    self.ticket_cols.append((n, gi, i))
                    load[t]["helpdesk"][0].append(n)
                    load[t]["helpdesk"][1].append(1.0)
                for k in ("assisted", "tech-fair"):
                    if k in c.w:
                        load[t][k][0].append(c.w[k][i][0])
                        load[t][k][1].append(c.w[k][i][1])
        for t in range(T):
            month = inst.months[t]
            for res, (ids, coef) in load[t].items():
                if ids:
                    cap = month.capacity(res.replace("-", "_"))
                    R.add(ids + [o + t], coef + [-float(cap)], -INF, 0)

    # ------------------------------------------------------------ order
    def _order_rows(self) -> None:
        inst, R, rules = self.inst, self.rows, self.inst.rules
        idx = {g.name: i for i, g in enumerate(inst.groups)}
        pil = [i for i, g in enumerate(inst.groups) if g.wave == "pilot"]
        exp = [i for i, g in enumerate(inst.groups) if g.wave == "expanded-pilot"]
        prod = [i for i, g in enumerate(inst.groups) if g.wave == "production"]
        top = float(self.T - 1)
        if pil and exp:  # last_p <= S <= first_e
            s = self._new(1, 0, top, False)
            self.stage_cols["S"] = (s, pil)
            for i in pil:
                c, v = self.cols[i].last
                R.add(c + [s], v + [-1.0], -INF, 0)
            for i in exp:
                c, v = self.cols[i].first
                R.add(c + [s], v + [-1.0], 0, INF)
        if prod:
            stage = pil + exp
            if stage:  # L >= last of every pilot-stage group; O = L + stage_gap
                L = self._new(1, 0, top, False)
                self.stage_cols["L"] = (L, stage)
                for i in stage:
                    c, v = self.cols[i].last
                    R.add(c + [L], v + [-1.0], -INF, 0)
            for i in prod:
                delay = rules.risk_delay if inst.groups[i].risk == "high" else 0
                c, v = self.cols[i].first
                if stage:
                    R.add(c + [L], v + [-1.0], rules.stage_gap + delay, INF)
                elif delay:
                    R.add(c, v, delay, INF)
        for gi, g in enumerate(inst.groups):  # after: last_h + 1 <= first_g
            for h in g.after:
                c1, v1 = self.cols[gi].first
                c2, v2 = self.cols[idx[h]].last
                R.add(c1 + c2, v1 + [-x for x in v2], 1, INF)

    def _distinct(self, attr: str, limit: int) -> None:
        inst, R = self.inst, self.rows
        values = sorted({getattr(g, attr) for g in inst.groups if getattr(g, attr)})
        if limit <= 0 or len(values) <= limit:
            return
        for t in range(self.T):
            used = []
            for v in values:
                ys = [c.y[c.months.index(t)] for g, c in zip(inst.groups, self.cols)
                      if getattr(g, attr) == v and t in c.months]
                if ys:  # z = 1 when a group of this value has a part in t
                    z = self._new(1, 0, 1, True)
                    R.add(ys + [z], [1.0] * len(ys) + [-float(len(ys))], -INF, 0)
                    used.append(z)
                    self.used_cols.append((z, ys))
            if len(used) > limit:
                R.add(used, np.ones(len(used)), 0, limit)

    def _department_rows(self) -> None:
        if not self.inst.rules.keep_departments_together:
            return
        first: dict[tuple[str, str], int] = {}
        for gi, g in enumerate(self.inst.groups):
            if not g.department:
                continue
            key = (g.department, g.wave)
            if key not in first:
                first[key] = gi
                continue
            c1, v1 = self.cols[gi].first
            c2, v2 = self.cols[first[key]].first
            self.rows.add(c1 + c2, v1 + [-x for x in v2], 0, 0)

    # ------------------------------------------------------------ implied rows
    def _users_per_month(self, t: int) -> float:
        """Most users month t can take by any method mix (fractional knapsack, tickets unrounded)."""
        m, rates = self.inst.months[t], self.inst.rules.tickets_per_100_users
        budget, users = 100.0 * m.helpdesk, 0.0
        for k, cap in sorted((("assisted", m.assisted), ("tech-fair", m.tech_fair), ("self-service", INF)),
                             key=lambda kc: rates[kc[0]]):
            n = cap if rates[k] == 0 else min(cap, max(budget, 0.0) / rates[k])
            users += n
            budget -= n * rates[k]
        return min(users, 1e12)

    def _implied_rows(self) -> None:
        """Valid for parts too: a month holds at most its knapsack of users, and the tickets of
        parts rounded up are at least those of the whole group with its cheapest method."""
        inst, T, R = self.inst, self.T, self.rows
        opens = list(range(self.open0, self.open0 + T))
        cap = [self._users_per_month(t) for t in range(T)]
        R.add(opens, cap, float(sum(g.size for g in inst.groups)), INF)
        stage = any(g.wave != "production" for g in inst.groups)
        gap = inst.rules.stage_gap if stage else 0
        prod = sum(g.size for g in inst.groups if g.wave == "production")
        if prod and gap < T:
            R.add(opens[gap:], cap[gap:], float(prod), INF)
        fewest = sum(min(inst.rules.tickets(g.size, k) for k in inst.allowed_methods(g)) for g in inst.groups)
        R.add(opens, [float(m.helpdesk) for m in inst.months[:T]], float(fewest), INF)

    # ------------------------------------------------------------ objectives and plans
    def objective(self, level: str) -> tuple[np.ndarray, float]:
        """Cost vector over all columns and constant offset."""
        c = np.zeros(len(self.col_lo))
        if level == "finish":
            c[self.open0:self.open0 + self.T] = 1
            return c, -1.0
        if level == "waiting":
            for g, gc in zip(self.inst.groups, self.cols):
                for i, t in enumerate(gc.months):
                    c[gc.u[i]] = g.readiness * t
            return c, 0.0
        if level == "assisted":
            for g, gc in zip(self.inst.groups, self.cols):
                if "assisted" in gc.m:
                    c[gc.m["assisted"]] = g.size
            return c, 0.0
        if level == "splits":
            for gc in self.cols:
                c[gc.y] = 1
            return c, -float(len(self.cols))
        raise ValueError(level)

    def column_values(self, plan: Plan) -> np.ndarray:
        """A full solution vector for a plan (warm start), e.g. a greedy plan of one part per group."""
        inst, x = self.inst, np.zeros(len(self.col_lo))
        last = []
        for g, gc in zip(inst.groups, self.cols):
            a = plan.assignments[g.name]
            users = dict(plan.parts(g.name))
            pos = [i for i, t in enumerate(gc.months) if users.get(t)]
            for i in pos:
                x[gc.u[i]] = users[gc.months[i]]
                x[gc.y[i]] = 1
                col, per = gc.w[a.method][i]
                x[col] = users[gc.months[i]] / per
            x[gc.m[a.method]] = 1
            fc, lc = gc.first[0], gc.last[0]
            if fc is not gc.y:
                x[fc[pos[0]]] = x[lc[pos[-1]]] = 1
            last.append(max(users))
        for col, gi, i in self.ticket_cols:
            g, gc = inst.groups[gi], self.cols[gi]
            x[col] = inst.rules.tickets(int(round(x[gc.u[i]])), plan.assignments[g.name].method)
        for col, ys in self.used_cols:
            x[col] = max(x[y] for y in ys)
        for col, of in self.stage_cols.values():
            x[col] = max(last[i] for i in of)
        x[self.open0:self.open0 + self.T] = [1 if t <= plan.finish() else 0 for t in range(self.T)]
        return x

    def plan(self, x: np.ndarray) -> Plan:
        out = {}
        for g, gc in zip(self.inst.groups, self.cols):
            k = max(gc.m, key=lambda k: x[gc.m[k]])
            parts = [(t, int(round(x[gc.u[i]]))) for i, t in enumerate(gc.months)]
            out[g.name] = Assignment.from_parts(g.name, k, parts)
        return Plan(self.inst, out)


def _highs_model(mip: SplitMip):
    import highspy

    lp = highspy.HighsLp()
    n, R = len(mip.col_lo), mip.rows
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
    hint: Plan | None = None,
    max_month: int | None = None,
    threads: int = 2,
) -> tuple[list[MipLevel], Plan | None, list[tuple[str, float, float, float]]]:
    """Lexicographic levels of ``inst.rules.objective`` with HiGHS, level budgets as in
    scripts/highs_mip.py; ``hint`` a valid plan to start from (e.g. the greedy one), ``max_month``
    the last month to use (e.g. the hint's finish). Returns (levels, best plan with parts or
    None, trace of (level, seconds since start, primal, dual))."""
    import highspy

    t0 = time.perf_counter()
    mip = SplitMip(inst, max_month)
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
    best: Plan | None = hint
    x_best = None if hint is None else mip.column_values(hint)
    n = len(mip.col_lo)
    for i, name in enumerate(names):
        used = time.perf_counter() - t0
        reserve = 0.1 * time_limit * (len(names) - i - 1)
        budget = max(time_limit - used - reserve, 0.1 * time_limit)
        c, off = mip.objective(name)
        state["level"], state["offset"] = name, off
        h.changeColsCost(n, np.arange(n, dtype=np.int32), c)
        h.setOptionValue("time_limit", float(budget))
        if x_best is not None:  # the previous level's plan keeps every row added so far
            sol = highspy.HighsSolution()
            sol.col_value = x_best.tolist()
            sol.value_valid = True
            h.setSolution(sol)
        ts = time.perf_counter()
        h.run()
        secs = time.perf_counter() - ts
        ms = h.getModelStatus()
        info = h.getInfo()
        if ms == highspy.HighsModelStatus.kInfeasible:
            levels.append(MipLevel(name, "infeasible", None, None, secs))
            return levels, None, trace
        if info.primal_solution_status != 2:
            levels.append(MipLevel(name, "unknown", None, None, secs))
            if best is None:
                return levels, None, trace
            continue
        x_best = np.array(h.getSolution().col_value)
        best = mip.plan(x_best)
        value = round(info.objective_function_value + off)
        bound = info.mip_dual_bound + off
        status = "optimal" if ms == highspy.HighsModelStatus.kOptimal else "feasible"
        # no bound when the time ran out before the root relaxation was solved
        levels.append(MipLevel(name, status, value, math.ceil(bound - 1e-6) if math.isfinite(bound) else None, secs))
        trace.append((name, time.perf_counter() - t0, value, bound))
        nz = np.nonzero(c)[0]
        h.addRow(-INF, value - off + 1e-6, len(nz), nz.astype(np.int32), c[nz])
    return levels, best, trace


def main() -> None:
    import argparse

    from optimizer.checker import check_plan
    from optimizer.inputs.loaders import load_instance

    ap = argparse.ArgumentParser(description="Solve a split-group instance with the HiGHS MIP.")
    ap.add_argument("groups")
    ap.add_argument("capacity")
    ap.add_argument("--rules")
    ap.add_argument("--time-limit", type=float, default=60.0)
    a = ap.parse_args()
    inst = load_instance(a.groups, a.capacity, a.rules)
    levels, plan, _ = solve_highs(inst, time_limit=a.time_limit)
    for lv in levels:
        print(f"{lv.name}: {lv.value} (bound {lv.bound}, {lv.status}, {lv.seconds:.2f} s)")
    if plan is not None:
        bad = check_plan(plan)
        print(f"checker: {'valid' if not bad else f'{len(bad)} violations'}; "
              f"{plan.split_groups()} groups split, {plan.splits()} extra months")
        for v in bad[:10]:
            print(f"  {v}")


if __name__ == "__main__":
    main()

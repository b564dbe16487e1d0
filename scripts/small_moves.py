#!/usr/bin/env python3
"""Window moves after the search below 500 groups (Tuning.small_moves_*), measured.

Solves generated instances twice with the CLI defaults, once as the solver does (window moves
after each later level's search from Tuning.small_moves_from groups on) and once without them
(``small_moves_share = 0``: the search gets the whole budget), and prints the waiting level of
each (value / bound, status) and the run's seconds.

    python scripts/small_moves.py --cases 100x12-2,120x12-3,150x12-1,200x12-1,200x12-2,200x12-3,300x12-1

With ``--window-shares 0.4,0.5`` and/or ``--window-months 4`` it compares window sizes instead
(Tuning.small_window_share, or windows that many months wide: Tuning.small_window_months, at
every size), the moves on in every run: one column per setting, each with the width in months
the windows had.

    python scripts/small_moves.py --cases 150x12-1,200x12-1,300x12-1 --window-shares 0.4,0.5 --window-months 4
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from optimizer.samples import generate  # noqa: E402

import optimizer.solving.solver as solver_mod  # noqa: E402
from optimizer.checker import check_plan  # noqa: E402
from optimizer.solving.tuning import DEFAULT_TUNING  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", default="150x12-1,200x12-1", help="GROUPSxMONTHS-SEED, comma-separated")
    ap.add_argument("--limit", type=float, default=30.0, help="time limit per run (s)")
    ap.add_argument("--window-shares", default="", help="compare these small_window_share values, e.g. 0.4,0.5")
    ap.add_argument("--window-months", default="", help="compare these small_window_months values "
                    "(0 = windows sized by small_window_share; +4 = those, widened to 4 months when they stall "
                    "(small_widen_months)), e.g. 0,4,+4")
    a = ap.parse_args()
    share = DEFAULT_TUNING.small_moves_share
    floor = DEFAULT_TUNING.small_moves_from
    base = replace(DEFAULT_TUNING, small_moves_from=1)  # measure every case both ways
    shares = [float(v) for v in a.window_shares.split(",")] if a.window_shares else []
    widths = a.window_months.split(",") if a.window_months else []
    w0, m0, d0 = base.small_window_share, base.small_window_months, base.small_widen_months
    if shares or widths:
        base = replace(base, small_window_months_below=1 << 30)  # each column's setting at every size
        runs = [(share, w, 0, 0) for w in shares] + \
            [(share, w0, 0, int(m[1:])) if m.startswith("+") else (share, w0, int(m), 0) for m in widths]
        heads = [f"windows of {w:.0%} of the groups" for w in shares] + \
            [f"windows of {w0:.0%} of the groups, widened to {m[1:]} months" if m.startswith("+") else
             f"windows of {m} months" if int(m) else f"windows of {w0:.0%} of the groups" for m in widths]
        print("| instance | " + " | ".join(f"{h}: waiting value / bound, assisted, months wide (s)" for h in heads)
              + " |")
        print("|---" * (len(runs) + 1) + "|")
    else:
        runs = [(0.0, w0, m0, d0), (share, w0, m0, d0)]
        print("| instance | without moves: waiting value / bound, assisted (s) | with moves (s) |")
        print("|---|---|---|")
    for case in a.cases.split(","):
        size, seed = case.split("-")
        n, m = (int(v) for v in size.split("x"))
        inst = generate(n, m, int(seed))
        cells = []
        for s, w, m, d in runs:
            tuning = replace(base, small_moves_share=s, small_window_share=w, small_window_months=m,
                             small_widen_months=d)
            t0 = time.perf_counter()
            res = solver_mod.solve(inst, solver_mod.SolveOptions(time_limit=a.limit, tuning=tuning))
            secs = time.perf_counter() - t0
            wait = next(lv for lv in res.levels if lv.name == "waiting")
            ok = "" if not check_plan(res.plan) else " INVALID"
            mark = " ✓" if wait.status == "optimal" else ""
            assisted = next((lv.value for lv in res.levels if lv.name == "assisted"), None)
            used = res.model_stats.get("window_moves", {}).get("windows_used", {}).get("waiting", {})
            wide = f", {used['months']} months" if "months" in used else ", no moves"
            cells.append(f"{wait.value:,} / {wait.bound:,}{mark}, assisted {assisted:,}{wide} ({secs:.1f}){ok}")
        print(f"| {size} seed {seed} | " + " | ".join(cells) + " |", flush=True)
    print(f"(the solver applies the moves from {floor} groups on)")


if __name__ == "__main__":
    main()

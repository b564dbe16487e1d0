#!/usr/bin/env python3
"""Window moves after the search below 500 groups (solver.SMALL_MOVES_*), measured.

Solves generated instances twice with the CLI defaults, once as the solver does (window moves
after each later level's search from solver.SMALL_MOVES_FROM groups on) and once without them
(``SMALL_MOVES_SHARE = 0``: the search gets the whole budget), and prints the waiting level of
each (value / bound, status) and the run's seconds.

    python scripts/small_moves.py --cases 100x12-2,120x12-3,150x12-1,200x12-1,200x12-2,200x12-3,300x12-1
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

import optimizer.solver as solver_mod  # noqa: E402
from optimizer.checker import check_plan  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", default="150x12-1,200x12-1", help="GROUPSxMONTHS-SEED, comma-separated")
    ap.add_argument("--limit", type=float, default=30.0, help="time limit per run (s)")
    a = ap.parse_args()
    share = solver_mod.SMALL_MOVES_SHARE
    floor = solver_mod.SMALL_MOVES_FROM
    solver_mod.SMALL_MOVES_FROM = 1  # measure every case both ways
    print("| instance | without moves: waiting value / bound (s) | with moves (s) |")
    print("|---|---|---|")
    for case in a.cases.split(","):
        size, seed = case.split("-")
        n, m = (int(v) for v in size.split("x"))
        inst = generate(n, m, int(seed))
        cells = []
        for s in (0.0, share):
            solver_mod.SMALL_MOVES_SHARE = s
            t0 = time.perf_counter()
            res = solver_mod.solve(inst, solver_mod.SolveOptions(time_limit=a.limit))
            secs = time.perf_counter() - t0
            wait = next(lv for lv in res.levels if lv.name == "waiting")
            ok = "" if not check_plan(res.plan) else " INVALID"
            mark = " ✓" if wait.status == "optimal" else ""
            cells.append(f"{wait.value:,} / {wait.bound:,}{mark} ({secs:.1f}){ok}")
        print(f"| {size} seed {seed} | {cells[0]} | {cells[1]} |", flush=True)
    print(f"(the solver applies the moves from {floor} groups on)")


if __name__ == "__main__":
    main()

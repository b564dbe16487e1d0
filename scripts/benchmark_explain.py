#!/usr/bin/env python3
"""Benchmark: time to explain an infeasible 1000-group instance: every conflict, each
shrunk to minimal, and a combined repair verified by a solve (target: 30 s on 2 cores).

Instances from scripts/generate.py made infeasible in ways real inputs are:

- ``deadline``: every production group must be done by the fourth month;
- ``vip``: no assisted-enrollment team at all, so VIP groups can't be enrolled in person;
- ``helpdesk``: the helpdesk is cut to 40 %;
- ``slip``: the pilot slips: every pilot-stage group can start only in the fourth month
  from the end;
- ``vip+deadline``, ``vip+slip``: two of them at once (two or more separate conflicts).

For each it reports: seconds to prove infeasibility (the solve), seconds to explain, the
conflicts (rules each, minimal or not), whether all were found, and the combined repair.
The machine's load average is printed first: timings on a shared machine are distorted.

    python scripts/benchmark_explain.py [--groups 1000] [--months 12] [--seed 1]
                                        [--only vip,slip] [--time-limit 30] [--workers 8] [-v]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from optimizer.samples import generate  # noqa: E402

from optimizer.explain import explain  # noqa: E402
from optimizer.solving.solver import SolveOptions, solve  # noqa: E402


def _deadline(inst):
    deadline = inst.month_labels[3]
    return dataclasses.replace(inst, groups=tuple(
        dataclasses.replace(g, latest=deadline) if g.wave == "production" and not g.latest and not g.earliest
        else g for g in inst.groups))


def _vip(inst):
    return dataclasses.replace(inst, months=tuple(dataclasses.replace(m, assisted=0) for m in inst.months))


def _helpdesk(inst):
    return dataclasses.replace(inst, months=tuple(
        dataclasses.replace(m, helpdesk=int(m.helpdesk * 0.4)) for m in inst.months))


def _slip(inst):
    start = inst.month_labels[-4]
    return dataclasses.replace(inst, groups=tuple(
        dataclasses.replace(g, earliest=start, latest=None, blackout=tuple(b for b in g.blackout if b >= start))
        if g.pilot_stage else g for g in inst.groups))


VARIANTS = {
    "deadline": _deadline,
    "vip": _vip,
    "helpdesk": _helpdesk,
    "slip": _slip,
    "vip+deadline": lambda inst: _deadline(_vip(inst)),
    "vip+slip": lambda inst: _slip(_vip(inst)),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--groups", type=int, default=1000)
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--only", default="", help="comma-separated variants (default: all)")
    ap.add_argument("--no-solve", action="store_true", help="skip the solve that proves infeasibility first")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="print where the time goes (each search, shrink and repair phase, to standard error)")
    a = ap.parse_args()
    if a.verbose:
        import logging

        logging.basicConfig(level=logging.INFO, format="%(relativeCreated)8.0f ms  %(message)s")
        logging.getLogger("optimizer.explain").setLevel(logging.INFO)
    base = generate(a.groups, a.months, a.seed)
    names = [n for n in a.only.split(",") if n] or list(VARIANTS)
    print(f"{len(base.groups)} groups x {base.horizon} months, explanation time limit {a.time_limit:g} s, "
          f"{a.workers} workers; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} cores")
    for name in names:
        explain_variant(name, VARIANTS[name](base), a)


def explain_variant(name: str, inst, a, rules_line: bool = False) -> None:
    """Prove ``inst`` infeasible (unless ``a.no_solve``), explain it, and print what the planner
    would read: the conflicts, their groups and the combined repair (``rules_line``: each
    conflict's rule names instead of its headline). Shared with benchmark_explain_split.py."""
    solve_s = float("nan")
    if not a.no_solve:
        t = time.perf_counter()
        res = solve(inst, SolveOptions(time_limit=a.time_limit, workers=a.workers))
        solve_s = time.perf_counter() - t
        if res.status != "infeasible":
            print(f"{name}: {res.status} (not infeasible) in {solve_s:.1f} s; skipped")
            return
    t = time.perf_counter()
    exp = explain(inst, time_limit=a.time_limit, workers=a.workers)
    secs = time.perf_counter() - t
    sizes = ", ".join(f"{len(s.rules)}{'' if s.minimal else ' (not minimal)'}" for s in exp.sets)
    print(f"{name}: infeasible proven in {solve_s:.1f} s; explained in {secs:.1f} s: {len(exp.sets)} conflict(s) "
          f"of {sizes or '-'} rules; {'all found' if exp.complete else 'NOT all found'}; combined repair "
          f"{'verified' if exp.combined_verified else 'not verified'} ({len(exp.combined)} change(s))")
    for st in exp.sets:
        groups = f"{', '.join(st.groups[:6]) or 'all'}{' ...' if len(st.groups) > 6 else ''}"
        if rules_line:
            print(f"    conflict: {len(st.rules)} rules ({', '.join(sorted({c.rule for c in st.rules}))}); "
                  f"groups: {groups}; {len(st.repairs)} verified repair(s)")
            continue
        print(f"    conflict: {st.headline()[:150]}")
        print(f"        groups: {groups}; {len(st.repairs)} verified repair(s)"
              + (f"; {len(st.same_cause)} more rule(s) of the same cause" if st.same_cause else ""))
    for r in exp.combined:
        print(f"    do: {r.description[:150]}")
    if exp.note:
        print(f"    note: {exp.note}")

if __name__ == "__main__":
    main()

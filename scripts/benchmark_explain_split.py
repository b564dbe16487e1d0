#!/usr/bin/env python3
"""Benchmark: explaining infeasible inputs with split groups (issues 15 and 19): every conflict
searched on the guarded model of parts (optimizer/parts_guarded.py), each shrunk, and a combined
repair verified by a solve.

The instances of scripts/generate_split.py (about a third of the groups may split over 2-3
months) made infeasible as scripts/benchmark_explain.py does (``deadline``, ``vip``,
``helpdesk``, ``slip``, and two at once), plus ``nosplit``: the same split input with the
helpdesk cut to 60 % and splitting off for the largest groups (max_months 1), where letting a
group split is a natural repair. The machine's load average is printed first: timings on a
shared machine are distorted.

    python scripts/benchmark_explain_split.py [--groups 200] [--months 12] [--seed 1]
                                              [--only vip,slip] [--time-limit 30] [--workers 8] [-v]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from benchmark_explain import VARIANTS, _helpdesk, explain_variant  # noqa: E402
from generate_split import generate_split  # noqa: E402



def _nosplit(inst):
    """The helpdesk at 60 %, and the largest tenth of the groups may not split."""
    inst = dataclasses.replace(inst, months=tuple(
        dataclasses.replace(m, helpdesk=int(m.helpdesk * 0.6)) for m in inst.months))
    big = {g.name for g in sorted(inst.groups, key=lambda g: -g.size)[:max(1, len(inst.groups) // 10)]}
    return dataclasses.replace(inst, groups=tuple(dataclasses.replace(g, max_months=1) if g.name in big else g
                                                  for g in inst.groups))


SPLIT_VARIANTS = {**VARIANTS, "nosplit": _nosplit, "helpdesk": _helpdesk}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--groups", type=int, default=200)
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--only", default="", help="comma-separated variants (default: all)")
    ap.add_argument("--no-solve", action="store_true", help="skip the solve that proves infeasibility first")
    ap.add_argument("-v", "--verbose", action="store_true", help="where the time goes (to standard error)")
    a = ap.parse_args()
    if a.verbose:
        import logging

        logging.basicConfig(level=logging.INFO, format="%(relativeCreated)8.0f ms  %(message)s")
        logging.getLogger("optimizer.explain").setLevel(logging.INFO)
    base = generate_split(a.groups, a.months, a.seed)
    names = [n for n in a.only.split(",") if n] or list(SPLIT_VARIANTS)
    print(f"{len(base.groups)} groups x {base.horizon} months, {sum(base.max_months(g) > 1 for g in base.groups)} "
          f"may split; explanation time limit {a.time_limit:g} s, {a.workers} workers; load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    for name in names:
        explain_variant(name, SPLIT_VARIANTS[name](base), a, rules_line=True)

if __name__ == "__main__":
    main()

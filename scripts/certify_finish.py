#!/usr/bin/env python3
"""Check, without taking GLOP's word for it, that no plan finishes by a month a probe ruled out.

The solver's finish proofs on large instances rest on LP probes that GLOP answers "infeasible"
(optimizer.solving.lp.relaxation.finish_probe). This script re-asks the question as an optimisation with a
certificate: the same LP with every row elastic, total violation minimised, and the least
violation bounded from below by weak duality from GLOP's duals (research.finish_bounds.least_violation,
relaxation.dual_bound). A bound above 0 proves no plan finishes by that month.

    python scripts/certify_finish.py --size 2000x24 --seed 1 --month 16
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from optimizer.solving.lp.relaxation import finish_probe  # noqa: E402
from optimizer.samples import generate  # noqa: E402
from research.finish_bounds import least_violation  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="2000x24", help="GROUPSxMONTHS")
    ap.add_argument("--seed", type=int, default=1, help="instance seed")
    ap.add_argument("--month", type=int, required=True, help="the month index to check")
    a = ap.parse_args()
    n, months = (int(v) for v in a.size.split("x"))
    inst = generate(n, months, a.seed)
    probe = finish_probe(inst, a.month)
    print(f"{inst.name}, finish by month {a.month}: probe says {probe.status} ({probe.seconds:.2f} s)")
    t0 = time.perf_counter()
    out = least_violation(inst, a.month)
    secs = time.perf_counter() - t0
    if out is None:
        print("no answer from the elastic LP")
        return
    value, certified = out
    verdict = "no plan finishes by this month (certified)" if certified > 0 else "not certified"
    print(f"least total violation {value:.4f}, bound from the duals {certified:.4f} ({secs:.1f} s): {verdict}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Finish probes of the LP relaxation (optimizer.relaxation) on generated instances.

For each month T asks GLOP whether a fractional plan finishes by T, and prints the answer,
the wall seconds (model build included), GLOP's iterations and the deterministic seconds the
solver charges for it. "infeasible" at T proves every plan finishes after T.

    python scripts/finish_probes.py --size 2000x24 --seed 1 --months 15,16,17
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

from optimizer.model import RolloutModel  # noqa: E402
from optimizer.relaxation import finish_probe  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="2000x24", help="GROUPSxMONTHS")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--months", required=True, help="month indexes to probe, comma-separated")
    a = ap.parse_args()
    n, months = (int(x) for x in a.size.split("x"))
    inst = generate(n, months, a.seed)
    print(f"{inst.name}: capacity floor of the finish {RolloutModel(inst).finish_floor}")
    print("| month | relaxation | seconds | iterations | charged (det. s) |")
    print("|---|---|---|---|---|")
    for t in (int(x) for x in a.months.split(",")):
        p = finish_probe(inst, t)
        print(f"| {t} | {p.status} | {p.seconds:.2f} | {p.iterations:,} | {p.work:.2f} |", flush=True)


if __name__ == "__main__":
    main()

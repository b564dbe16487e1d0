#!/usr/bin/env python3
"""Realistic random rollout instances as CSV files (the generator is optimizer.samples).

    python scripts/generate.py --groups 200 --months 12 --seed 1 --out /tmp/inst200
    # -> /tmp/inst200/groups.csv, /tmp/inst200/capacity.csv
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from optimizer.samples import generate, write_csv  # noqa: E402,F401  (re-exported for scripts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--groups", type=int, default=200)
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--tightness", type=float, default=0.7)
    ap.add_argument("--out", required=True, help="folder for groups.csv and capacity.csv")
    a = ap.parse_args()
    inst = generate(a.groups, a.months, a.seed, tightness=a.tightness)
    g, c = write_csv(inst, a.out)
    users = sum(x.size for x in inst.groups)
    print(f"{len(inst.groups)} groups, {users} users, {inst.horizon} months -> {g}, {c}")


if __name__ == "__main__":
    main()

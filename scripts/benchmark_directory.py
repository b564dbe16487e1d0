#!/usr/bin/env python3
"""Time `rollout groups` on generated exports: read both files, aggregate, write groups.csv.

    python scripts/benchmark_directory.py --users 10000,100000 --repeat 3

For each size it generates users.csv and devices.csv (optimizer.directory.sample, seed 1) in a
temporary folder, then times read + aggregate (--by department,city,platform, --max-size 500,
VIP titles) + CSV text of groups and members, and prints the best and median of the repeats and
the load average, since the machine may be shared. The issue's target: 100,000 users < 10 s.
Then it times `rollout pilot` (the CP-SAT set cover) on the resulting groups.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from optimizer.directory.grouping import GroupingOptions, build_groups, groups_csv, members_csv  # noqa: E402
from optimizer.directory.exports import read_devices, read_users  # noqa: E402
from optimizer.directory.sample import write_sample  # noqa: E402
from optimizer.directory.pilot import PilotOptions, choose_pilot  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--users", default="10000,100000", help="comma list of user counts")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    opts = GroupingOptions(by=("department", "city", "platform"), max_size=500, vip_titles="VD;Chef;Director;Head of")
    print(f"{'users':>8} {'groups':>7} {'best s':>7} {'median s':>9} {'pilot s':>8}  load average (1 min)")
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(x) for x in a.users.split(",")):
            u, d = write_sample(Path(tmp) / str(n), n, seed=1)
            times = []
            for _ in range(a.repeat):
                t = time.perf_counter()
                g = build_groups(read_users(u), read_devices(d), opts)
                groups_csv(g.groups), members_csv(g.members)
                times.append(time.perf_counter() - t)
            t = time.perf_counter()
            p = choose_pilot(g.groups, PilotOptions(time_limit=60))
            pilot = time.perf_counter() - t
            print(f"{n:>8} {len(g.groups):>7} {min(times):>7.2f} {statistics.median(times):>9.2f} "
                  f"{pilot:>8.2f}  {os.getloadavg()[0]:.1f}{'' if p.proven else ' (pilot not proven)'}")


if __name__ == "__main__":
    main()

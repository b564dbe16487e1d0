"""The split path's steps one by one, per size (issue 15): the greedy starts (whole groups, with
parts), the build of the model of parts, and the LP steps of optimizer.solving.parts_steps (the
finish probe a month before the greedy's finish, the waiting bound). The seconds behind the
thresholds ``Tuning.parts_build_seconds_per_group_month`` and ``Tuning.parts_lp_max_group_months``.

    python scripts/benchmark_split_steps.py --sizes 200x12,2000x24 [--lp-up-to 50000] [--finish 17]

``--finish``: the finish to build the model for and prove (a probe a month before it), instead
of the greedy plans' (2,000 x 24 seed 1: the greedy finishes in 20, the optimum is 17).

Instances from scripts/generate_split.py (seed 1). Prints one line per size and step with the
load average: re-run on a quiet machine for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from optimizer.inputs.loaders import load_instance  # noqa: E402
from optimizer.model_parts import PartsModel  # noqa: E402
from optimizer.plan import Plan  # noqa: E402
from optimizer.solving.greedy import best_greedy_by  # noqa: E402
from optimizer.solving.greedy_split import best_split_greedy  # noqa: E402
from optimizer.solving.lp.parts_bounds import parts_finish_probe, parts_level_bound  # noqa: E402


def timed(fn, *a, **k):
    t = time.perf_counter()
    out = fn(*a, **k)
    return out, time.perf_counter() - t


def one(size: str, lp_up_to: int, finish_at: int | None = None) -> None:
    groups, months = (int(x) for x in size.split("x"))
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, str(ROOT / "scripts" / "generate_split.py"), "--groups", str(groups),
                        "--months", str(months), "--seed", "1", "--out", tmp], check=True, capture_output=True)
        inst = load_instance(Path(tmp) / "groups.csv", Path(tmp) / "capacity.csv", Path(tmp) / "rules.toml")
    load = f"load {os.getloadavg()[0]:.1f}"
    (whole, _c), s = timed(best_greedy_by, inst)
    finish = Plan.from_indices(inst, whole).finish() if whole else None
    print(f"{size} greedy, whole groups: {s:.2f} s, finish {finish} ({load})", flush=True)
    split, s = timed(best_split_greedy, inst)
    print(f"{size} greedy with parts: {s:.2f} s, finish {split.finish() if split else None}, "
          f"{split.split_groups() if split else 0} groups split", flush=True)
    start = min(x for x in (finish, split.finish() if split else None) if x is not None)
    start = start if finish_at is None else finish_at
    pm, s = timed(PartsModel, inst, max_month=start)
    print(f"{size} build of the model of parts (to month {start}): {s:.2f} s, "
          f"{s / (groups * (start + 1)):.2e} s per group and month", flush=True)
    if groups * (start + 1) > lp_up_to:
        print(f"{size} LP steps skipped (more than {lp_up_to} groups x months)")
        return
    (answer, work, _w), s = timed(parts_finish_probe, inst, start - 1, pm=pm)
    print(f"{size} LP finish probe at month {start - 1}: {answer} in {s:.2f} s (work {work:.2f})", flush=True)
    (bound, work, _w), s = timed(parts_level_bound, inst, start, "waiting", {"finish": start}, pm=pm)
    print(f"{size} LP waiting bound (finish <= {start}): {bound} in {s:.2f} s (work {work:.2f}) ({load})", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="200x12,2000x24")
    ap.add_argument("--lp-up-to", type=int, default=50_000, help="groups x months up to which the LP steps run")
    ap.add_argument("--finish", type=int, default=None, help="the finish month index to prove (default: the greedy's)")
    a = ap.parse_args()
    for size in a.sizes.split(","):
        one(size, a.lp_up_to, a.finish)


if __name__ == "__main__":
    main()

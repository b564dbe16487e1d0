"""Build time of the model of parts (issue 15): the fast build (optimizer/model_parts.py, written
straight into the proto) against the cp_model API build it replaced (tests/parts_model_oracle.py,
kept as the tests' oracle), on the instances of scripts/generate_split.py, each built ``--repeat``
times alternately; prints the best of each and the load average.

    python scripts/benchmark_parts_build.py --sizes 2000x24,5000x36 [--months 17,28] [--repeat 3]

``--months``: the last month built per size (the split path builds up to the greedy plan's
finish: 17 at 2,000 x 24 and 28 at 5,000 x 36 with seed 1); default the whole horizon.
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
sys.path.insert(0, str(ROOT / "tests"))

from parts_model_oracle import OraclePartsModel  # noqa: E402

from optimizer.inputs.loaders import load_instance  # noqa: E402
from optimizer.model_parts import PartsModel  # noqa: E402


def instance(size: str, seed: int):
    groups, months = (int(x) for x in size.split("x"))
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, str(ROOT / "scripts" / "generate_split.py"), "--groups", str(groups),
                        "--months", str(months), "--seed", str(seed), "--out", tmp], check=True, capture_output=True)
        return load_instance(Path(tmp) / "groups.csv", Path(tmp) / "capacity.csv", Path(tmp) / "rules.toml")


def best_of(cls, inst, month, repeat: int) -> tuple[float, float, dict]:
    """(best wall seconds, best CPU seconds of this process, the model's statistics)."""
    times, cpu, stats = [], [], {}
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        pm = cls(inst, max_month=month)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        stats = pm.stats
        del pm
    return min(times), min(cpu), stats


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="2000x24")
    ap.add_argument("--months", default="", help="last month built per size, comma-separated")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-oracle", action="store_true", help="time the fast build only")
    a = ap.parse_args()
    months = [int(m) for m in a.months.split(",")] if a.months else []
    for n, size in enumerate(a.sizes.split(",")):
        inst = instance(size, a.seed)
        month = months[n] if n < len(months) else None
        fast, fast_cpu, st = best_of(PartsModel, inst, month, a.repeat)
        line = f"{size} to month {month if month is not None else inst.horizon - 1}: fast build {fast:.2f} s " \
               f"(CPU {fast_cpu:.2f} s)"
        if not a.no_oracle:
            old, old_cpu, _ = best_of(OraclePartsModel, inst, month, a.repeat)
            line += f", cp_model API build {old:.2f} s (CPU {old_cpu:.2f} s; {old_cpu / fast_cpu:.1f}x in CPU)"
        print(f"{line}; {st['variables']:,} variables, {st['constraints']:,} constraints "
              f"(load {os.getloadavg()[0]:.1f})", flush=True)


if __name__ == "__main__":
    main()

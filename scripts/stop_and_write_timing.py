"""How fast rollout stops and writes: SIGTERM to exit (solve and compare), and the time to
write all four outputs (staged, all or none) for N groups.

    python scripts/stop_and_write_timing.py --groups 300 --wait 10
    python scripts/stop_and_write_timing.py --groups 300 --wait 10 --compare

Each run solves a generated production-only instance with a long time limit, waits
``--wait`` seconds, sends SIGTERM and measures the seconds until the process exits, its
exit code and whether every output was written (the best plan so far). Then it times
``write_outputs`` for .csv, .md, .json and .xlsx on that plan. Timings depend on the load
of the machine: run it on a quiet one.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def instance(folder: Path, n: int) -> tuple[Path, Path]:
    rows = ["group,size,readiness,platform"]
    rows += [f"G{i},{20 + (i * 37) % 400},{1 + i % 5},{['windows', 'ios', 'android'][i % 3]}" for i in range(n)]
    (folder / "g.csv").write_text("\n".join(rows) + "\n")
    total = sum(20 + (i * 37) % 400 for i in range(n))
    months = ["month,helpdesk,assisted,tech_fair"] + [
        f"2027-{m:02d},{total * 15 // 100 // 5},{total // 20},{total // 10}" for m in range(1, 13)]
    (folder / "c.csv").write_text("\n".join(months) + "\n")
    return folder / "g.csv", folder / "c.csv"


def stop_after(cmd: list[str], wait: float, cwd: Path) -> tuple[float, int]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(wait)
    t0 = time.perf_counter()
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(timeout=600)
    return time.perf_counter() - t0, code


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--groups", type=int, default=300)
    ap.add_argument("--wait", type=float, default=10.0, help="seconds of solving before SIGTERM")
    ap.add_argument("--compare", action="store_true", help="two scenarios with compare --jobs 2")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        g, c = instance(folder, args.groups)
        outs = ["p.csv", "p.md", "p.json", "p.xlsx"]
        if args.compare:
            for name, extra in (("a", ""), ("b", '[capacity_add."2027-03"]\nhelpdesk = 50\n')):
                (folder / f"{name}.toml").write_text(f'name = "{name}"\ngroups = "g.csv"\ncapacity = "c.csv"\n{extra}')
            cmd = [sys.executable, "-m", "optimizer.cli", "compare", "a.toml", "b.toml", "--jobs", "2",
                   "--time-limit", "300", *[x for o in outs for x in ("--out", "cmp" + o[1:])]]
            outs = ["cmp" + o[1:] for o in outs]
        else:
            cmd = [sys.executable, "-m", "optimizer.cli", "solve", str(g), str(c), "--time-limit", "300",
                   *[x for o in outs for x in ("--out", o)]]
        seconds, code = stop_after(cmd, args.wait, folder)
        written = [o for o in outs if (folder / o).is_file()]
        print(f"SIGTERM after {args.wait:g} s: exit {code} in {seconds:.2f} s; written: {', '.join(written) or 'none'}")
        if not args.compare and (folder / "p.json").is_file():
            data = json.loads((folder / "p.json").read_text())
            print(f"  status {data['status']}, interrupted {data['interrupted']}, {len(data['assignments'])} groups")
            sys.path.insert(0, str(ROOT))
            from optimizer.render.export import write_outputs
            from optimizer.inputs.loaders import load_instance
            from optimizer.inputs.planfile import read_plan
            from optimizer.solving.solver import Result, SolveOptions

            inst = load_instance(g, c)
            res = Result("feasible", [], read_plan(inst, folder / "p.csv"), 0.0, SolveOptions())
            t0 = time.perf_counter()
            write_outputs(inst, res, [str(folder / f"w{o[1:]}") for o in outs])
            print(f"  write_outputs (.csv .md .json .xlsx, {len(inst.groups)} groups): {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main()

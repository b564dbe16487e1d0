#!/usr/bin/env python3
"""Benchmark: the window moves on the model of parts (issue 15) and the waiting bound of split inputs.

For an instance folder (groups.csv, capacity.csv, rules.toml; e.g. scripts/generate_split.py's
200x12-s1-on) it solves once per variant of the tuning, each in a process of its own, with the
CLI's defaults (deterministic, 8 workers, seed 0) and the time limit given as the command sets it
(its work limit and its deadline from the process's start, optimizer.solving.timelimit), and prints one row per
run: the finish, waiting value / bound / gap, where the bound came from, groups split, wall
seconds, the 1-minute load average at the end, and the checker's verdict. With ``--lp`` it also
prints the LP bounds of waiting (the finish fixed at the plan's) without and with the implied ticket
rows (optimizer/model_parts_cuts.py).

    python scripts/benchmark_parts_moves.py /path/to/200x12-s1-on --limit 30
    python scripts/benchmark_parts_moves.py DIR --limit 30 --variants "default;parts_moves_share=0;whole_share=0.25"
    python scripts/benchmark_parts_moves.py DIR --limit 30 --reproducible   # work limit only (a loaded machine)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, sys, time
started = time.perf_counter()  # the limit counts from the process's start, as the command's does
sys.path.insert(0, {root!r})
from optimizer.checker import check_plan
from optimizer.inputs.loaders import load_instance
from optimizer.solving.solver import solve
from optimizer.solving.timelimit import solve_options
from optimizer.solving.tuning import Tuning
d = {folder!r}
inst = load_instance(d + "/groups.csv", d + "/capacity.csv", d + "/rules.toml")
t0 = time.perf_counter()
opts = solve_options({limit}, len(inst.groups), ["plan.csv"], started=started, tuning=Tuning(**{kw!r}))
if {reproducible!r}:  # the work limit only: no wall-clock cut, the same plan on a loaded machine
    import dataclasses
    opts = dataclasses.replace(opts, deadline=started + 50 * {limit})
res = solve(inst, opts)
secs = time.perf_counter() - started
lv = {{x.name: x for x in res.levels}}
w = lv.get("waiting")
print(json.dumps({{"finish": lv["finish"].value, "waiting": w.value if w else None, "bound": w.bound if w else None,
                  "bound_by": str(w.bound_by) if w else "", "split": res.plan.split_groups() if res.plan else None,
                  "seconds": round(secs, 1), "violations": len(check_plan(res.plan)) if res.plan else None}}))
"""


def parse_variants(text: str) -> list[tuple[str, dict]]:
    out = []
    for v in text.split(";"):
        v = v.strip()
        kw = {}
        if v and v != "default":
            for item in v.split(","):
                k, val = item.split("=")
                kw[k.strip()] = float(val) if "." in val else int(val)
        out.append((v or "default", kw))
    return out


def run(folder: str, limit: float, kw: dict, reproducible: bool = False) -> dict:
    code = CHILD.format(root=str(ROOT), folder=folder, limit=limit, kw=kw, reproducible=reproducible)
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    rec = json.loads(p.stdout.strip().splitlines()[-1]) if p.returncode == 0 else {"error": p.stderr[-500:]}
    rec["load"] = round(os.getloadavg()[0], 2)
    return rec


def lp_bounds(folder: str) -> tuple[int | None, int | None]:
    sys.path.insert(0, str(ROOT))
    from optimizer.inputs.loaders import load_instance
    from optimizer.model_parts import PartsModel
    from optimizer.solving.lp import parts_bounds
    from optimizer.solving.parts import _start_plan
    inst = load_instance(folder + "/groups.csv", folder + "/capacity.csv", folder + "/rules.toml")
    start = _start_plan(inst, None, time.perf_counter() + 60, True)
    fin = start.finish()
    with_cuts = parts_bounds.parts_level_bound(inst, fin, "waiting", {}, work=1e9)[0]
    plain = parts_bounds.parts_level_bound(inst, fin, "waiting", {}, work=1e9, pm=PartsModel(inst, max_month=fin))[0]
    return plain, with_cuts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder")
    ap.add_argument("--limit", type=float, default=30.0)
    ap.add_argument("--variants", default="default;parts_moves_share=0")
    ap.add_argument("--lp", action="store_true")
    ap.add_argument("--reproducible", action="store_true",
                    help="the command's work limit but no wall-clock deadline: plans that do not depend on the load")
    a = ap.parse_args()
    if a.lp:
        plain, cuts = lp_bounds(a.folder)
        print(f"LP bound of waiting (finish of the greedy start): {plain} without, {cuts} with the ticket rows")
    print("| variant | finish | waiting | bound (by) | gap | groups split | s | load | checker |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, kw in parse_variants(a.variants):
        r = run(a.folder, a.limit, kw, a.reproducible)
        if "error" in r:
            print(f"| {name} | error: {r['error']!r} |")
            continue
        gap = "" if not r["bound"] or r["waiting"] is None else f"{(r['waiting'] - r['bound']) / r['waiting']:.2%}"
        print(f"| {name} | {r['finish']} | {r['waiting']:,} | {r['bound'] or '-'} ({r['bound_by']}) | {gap} | "
              f"{r['split']} | {r['seconds']} | {r['load']} | {'valid' if r['violations'] == 0 else r['violations']} |",
              flush=True)


if __name__ == "__main__":
    main()

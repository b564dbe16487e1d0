#!/usr/bin/env python3
"""Benchmark: `rollout replan` (issue 16) on a 2,000 x 24 re-plan with a history of 6 months and
10 % of the past groups slipped (scripts/generate_replan.py), through the command a planner runs:

    rollout -v replan groups.csv capacity.csv plan.csv actuals.csv --as-of MONTH \\
        --time-limit 60 --seed 0 --out plan.json --out plan.csv

It records, against the issue's targets:

- first plan: seconds from the "Planning" line to the first better-plan line of ``-v`` (or, when
  the start is the answer, to the first line after planning) -- target < 5 s;
- finish proven: the first finish line with objective = bound, else the end of the finish level
  when the JSON says it is optimal -- target < 30 s;
- changes at the time limit: value, bound and gap from the JSON -- target: within 1 % of its bound
  at 60 s (value <= 1.01 x bound; a bound of 0 needs 0);
- the independent re-plan checker's verdict on plan.csv (optimizer/replan_check.py: history kept,
  every rule from --as-of on) and its own recount of the levels, changes included;
- wall time, peak memory (``os.wait4``) and the exit code.

    python scripts/benchmark_replan.py                          # 2000x24, 60 s (about 2 minutes)
    python scripts/benchmark_replan.py --size 200x12 --limit 10 # a quick look
    python scripts/benchmark_replan.py --json out.json          # the record, for docs/benchmarks.md

When this build has no `rollout replan` command the script says so and exits 3 (nothing is
measured). Figures depend on the machine and its load (printed with the results): run it on a
quiet machine.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from benchmark_split import first_plan, run_timed  # noqa: E402

TARGETS = {"first_plan": 5.0, "finish_proven": 30.0, "changes_gap": 0.01}
PROGRESS = re.compile(r"^\s*(finish|changes|waiting|assisted|splits): objective (-?[\d.]+), bound (\S+) \(")
PLANNING = re.compile(r"^Planning\b")
EXIT_MISSING = 3


def replan_missing() -> str | None:
    """Why `rollout replan` cannot be run (None: it is there)."""
    p = subprocess.run([sys.executable, "-m", "optimizer.cli", "replan", "--help"], cwd=ROOT,
                       capture_output=True, text=True)
    if p.returncode == 0:
        return None
    return ("this build of rollout has no `rollout replan` command (issue 16's re-plan solver is not merged): "
            + (p.stderr.strip().splitlines() or ["no output"])[-1])


def generate(size: str, history: int, slipped: float, seed: int, folder: Path) -> str:
    """Write the re-plan instance into ``folder``; the --as-of month."""
    n, months = (int(x) for x in size.split("x"))
    p = subprocess.run([sys.executable, str(HERE / "generate_replan.py"), "--groups", str(n), "--months",
                        str(months), "--history", str(history), "--slipped", str(slipped), "--seed", str(seed),
                        "--out", str(folder)], cwd=ROOT, capture_output=True, text=True, check=True)
    return re.search(r"--as-of (\S+)", p.stdout).group(1)


def parse_progress(lines):
    start = next((t for t, s in lines if PLANNING.match(s)), None)
    trace = []
    for t, s in lines:
        if m := PROGRESS.match(s):
            bound = float("nan") if m.group(3) in ("–", "-") else float(m.group(3))
            trace.append((m.group(1), t - (start or 0.0), float(m.group(2)), bound))
    return start, trace


def judge(folder: Path, as_of: str, plan_csv: Path) -> dict:
    """The independent re-plan checker's verdict and its recount of the levels."""
    from optimizer.replan.actuals import load_actuals
    from optimizer.replan.history import build_history
    from optimizer.inputs.loaders import load_instance
    from optimizer.inputs.planfile import read_plan
    from optimizer.replan.check import check_replan, previous_of, replan_levels

    inst = load_instance(folder / "groups.csv", folder / "capacity.csv")
    history = build_history(inst, load_actuals(inst, folder / "actuals.csv", as_of))
    previous = previous_of(read_plan(inst, folder / "plan.csv"))
    plan = read_plan(inst, plan_csv)
    bad = check_replan(plan, history, previous)
    return {"violations": len(bad), "first_violations": [str(v) for v in bad[:3]],
            "checker_levels": replan_levels(plan, history, previous)}


def run(folder: Path, as_of: str, limit: float, seed: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="replan-bench-") as tmp:
        out = Path(tmp)
        cmd = [sys.executable, "-m", "optimizer.cli", "-v", "replan", str(folder / "groups.csv"),
               str(folder / "capacity.csv"), str(folder / "plan.csv"), str(folder / "actuals.csv"),
               "--as-of", as_of, "--time-limit", f"{limit:g}", "--seed", str(seed), "--lang", "en",
               "--out", str(out / "plan.json"), "--out", str(out / "plan.csv")]
        rc, lines, wall, peak = run_timed(cmd)
        start, trace = parse_progress(lines)
        first, by = first_plan(lines, start, trace)
        rec: dict = {"exit_code": rc, "wall": wall, "startup": start, "peak_mb": peak, "first_plan": first,
                     "first_plan_by": by, "trace": trace}
        if not (out / "plan.json").exists():
            rec["error"] = " ".join(s for _, s in lines if s.strip())[-600:] or f"exit code {rc}"
            return rec
        data = json.loads((out / "plan.json").read_text(encoding="utf-8"))
        levels, acc = {}, 0.0
        for x in data.get("objective", []):
            acc += x.get("seconds") or 0.0
            levels[x.get("level")] = {k: x.get(k) for k in ("status", "value", "bound", "gap", "seconds")} | {
                "until": acc}
        rec["levels"] = levels
        fin = levels.get("finish", {})
        proof = [t for name, t, v, b in trace if name == "finish" and b == b and v <= b + 1e-9]
        rec["finish_proven"] = min(proof) if proof else (fin.get("until") if fin.get("status") == "optimal" else None)
        ch = levels.get("changes", {})
        if ch.get("value") is not None and ch.get("bound") is not None:
            v, b = ch["value"], ch["bound"]
            rec["changes_gap"] = (v - b) / b if b else (0.0 if v == 0 else float("inf"))
        if (out / "plan.csv").exists():
            rec.update(judge(folder, as_of, out / "plan.csv"))
    return rec


def verdict(rec: dict) -> list[str]:
    """One line per target: the figure and whether it meets the issue's target."""
    def line(name, value, target, unit=""):
        ok = value is not None and value <= target
        shown = "-" if value is None else f"{value:.3g}{unit}"
        return f"  {name:16} {shown:>10}  (target <= {target:g}{unit}) {'ok' if ok else 'MISSED'}"

    return [line("first plan", rec.get("first_plan"), TARGETS["first_plan"], " s"),
            line("finish proven", rec.get("finish_proven"), TARGETS["finish_proven"], " s"),
            line("changes gap", rec.get("changes_gap"), TARGETS["changes_gap"])]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", default="2000x24", help="GROUPSxMONTHS [2000x24]")
    ap.add_argument("--history", type=int, default=6, help="months before --as-of [6]")
    ap.add_argument("--slipped", type=float, default=0.1, help="share of the past groups behind plan [0.1]")
    ap.add_argument("--limit", type=float, default=60.0, help="--time-limit of the re-plan [60]")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--work", help="folder for the instance [a temporary folder]")
    ap.add_argument("--json", help="write the record here")
    a = ap.parse_args(argv)
    if why := replan_missing():
        print(f"benchmark_replan: not measured: {why}", file=sys.stderr)
        return EXIT_MISSING
    with tempfile.TemporaryDirectory(prefix="replan-inst-") as tmp:
        folder = Path(a.work or tmp) / f"{a.size}-h{a.history}-s{a.seed}"
        as_of = generate(a.size, a.history, a.slipped, a.seed, folder)
        load = os.getloadavg()[0]
        rec = {"size": a.size, "history": a.history, "slipped": a.slipped, "limit": a.limit, "seed": a.seed,
               "as_of": as_of, "load_before": load, "cpus": os.cpu_count()} | run(folder, as_of, a.limit, a.seed)
    rec["load_after"] = os.getloadavg()[0]
    print(f"rollout replan {a.size}, history {a.history} months, {a.slipped:.0%} slipped, --as-of {as_of}, "
          f"--time-limit {a.limit:g} (load average {rec['load_before']:.1f} -> {rec['load_after']:.1f} "
          f"on {rec['cpus']} cores)")
    if "error" in rec:
        print(f"  no plan written (exit code {rec['exit_code']}): {rec['error']}")
    else:
        print("\n".join(verdict(rec)))
        print(f"  checker: {rec.get('violations', '-')} broken rules; levels {rec.get('checker_levels')}")
        print(f"  wall {rec['wall']:.1f} s, peak {rec['peak_mb']:.0f} MiB, exit code {rec['exit_code']}")
    if a.json:
        Path(a.json).write_text(json.dumps(rec, indent=1, default=str), encoding="utf-8")
    return 0 if "error" not in rec and not rec.get("violations") else 1


if __name__ == "__main__":
    sys.exit(main())

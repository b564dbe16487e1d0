#!/usr/bin/env python3
"""Benchmark: CP-SAT (rollout's solver) vs HiGHS on the same MIP vs the greedy planner.

For each instance size (groups x months, from scripts/generate.py) and seed it
runs, one after another and each in a fresh process (so peak memory is its own):

- ``cpsat``: ``optimizer.solving.solver.solve`` with the CLI defaults (or a variant,
  see --variants), recording every improving plan's objective and bound;
- ``highs``: the independent MIP of scripts/highs_mip.py with the same time
  limit, level budgets, greedy warm start and month cap;
- ``greedy``: the spreadsheet rule (pilots first, then by readiness, first
  month that fits, least IT effort).

Every final plan goes through the plan checker. Results go to a CSV (one row
per instance, solver and level: value, bound, gap, seconds, first-plan time,
peak memory, checker verdict), a CSV trace of (seconds, objective, bound), and
a Markdown report with the table, the greedy comparison (months and
user-months saved), the CP-SAT vs HiGHS time-to-target ratios and a plot of
the gap over time per solver.

    python scripts/benchmark.py                                 # the scale table (200x12, 2000x24, 5000x36)
    python scripts/benchmark.py --sizes 50x12,200x12 --limits 30,60 --solvers cpsat
    python scripts/benchmark.py --sizes 200x12 --solvers cpsat --variants w8-b8,w2-b8,w8-b0,w8-nodet

Figures depend on the machine; the report records which one.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

DEFAULT_SIZES = "200x12,2000x24,5000x36"
DEFAULT_LIMITS = {"200x12": 30.0, "2000x24": 60.0, "5000x36": 180.0}
LEVELS = ("finish", "waiting", "assisted")


# ------------------------------------------------------------------ one run (child process)
def _variant_options(variant: str, limit: float, seed: int):
    """'w8-b8' -> 8 workers, batch 8, deterministic; 'nodet' -> not deterministic;
    'light' -> light presolve; 'st67' -> Tuning.stall = 0.67; 'fl60' -> Tuning.first_level_share = 0.6
    (set on the options' Tuning)."""
    from dataclasses import replace

    from optimizer.solving.tuning import DEFAULT_TUNING
    from optimizer.solving.solver import SolveOptions

    opts = SolveOptions(time_limit=limit, seed=seed)
    t = DEFAULT_TUNING
    for part in filter(None, variant.split("-")):
        if part.startswith("w") and part[1:].isdigit():
            opts.workers = int(part[1:])
        elif part.startswith("b"):
            opts.batch_size = int(part[1:])
        elif part == "nodet":
            opts.deterministic = False
        elif part == "nows":
            opts.warm_start = False
        elif part == "nolns":  # no window moves on large instances
            opts.lns = False
        elif part == "light":  # light presolve: one pass, no probing, no symmetry, no overlap search
            opts.extra.update(t.light_presolve)
        elif part == "allsubs":  # large instances: CP-SAT's whole default portfolio of subsolvers
            opts.extra["subsolvers"] = []
        elif part.startswith("wg"):  # 'wg1000': windows of about 1,000 groups, work scaled with them
            t = replace(t, window_work=t.window_work * int(part[2:]) / t.window_groups, window_groups=int(part[2:]))
        elif part.startswith("lw"):  # 'lw500': waiting/assisted windows of about 500 groups
            t = replace(t, later_window_groups=int(part[2:]))
        elif part.startswith("st"):  # 'st67': the finish moves stop after 67 % of their budget without progress
            t = replace(t, stall=int(part[2:]) / 100)
        elif part.startswith("fl"):  # 'fl60': the first level gets at most 60 % of the limit
            t = replace(t, first_level_share=int(part[2:]) / 100)
        elif part.startswith("lin") and part[3:].isdigit():  # 'lin2': CP-SAT linearization_level 2
            opts.extra["linearization_level"] = int(part[3:])
        elif part == "nolp":  # no finish proofs from the LP relaxation (optimizer.solving.lp.relaxation)
            t = replace(t, lp_finish_proof=False)
        elif part != "default":
            raise SystemExit(f"unknown variant part {part!r}")
    if t != DEFAULT_TUNING:
        opts.tuning = t
    return opts


def _extend(inst):
    """The instance with its horizon doubled, later months repeating the capacities of
    the same calendar month (how a spreadsheet planner continues when the plan does not fit)."""
    import dataclasses

    from optimizer.domain import Month

    months = list(inst.months)
    y, m = (int(x) for x in months[-1].label.split("-"))
    for t in range(len(inst.months)):
        m += 1
        if m > 12:
            y, m = y + 1, 1
        src = inst.months[t]
        months.append(Month(f"{y}-{m:02d}", helpdesk=src.helpdesk, assisted=src.assisted,
                            tech_fair=src.tech_fair))
    return dataclasses.replace(inst, months=tuple(months))


def run_one(size: str, seed: int, solver: str, limit: float) -> dict:
    """Solve one instance with one solver; returns a JSON-able record."""
    from generate import generate

    from optimizer.checker import check_plan
    from optimizer.solving.greedy import best_greedy, greedy_plan
    from optimizer.plan import Plan

    n, months = (int(x) for x in size.split("x"))
    inst = generate(n, months, seed)
    t0 = time.perf_counter()
    trace: list[tuple[str, float, float, float]] = []
    levels: list[dict] = []
    plan_idx = None
    first_plan = None
    extended = False
    greedy_note = ""
    if solver == "greedy":
        plan_idx = greedy_plan(inst)
        if plan_idx is None:  # stuck within the horizon: a planner would add months
            longer = _extend(inst)
            plan_idx = greedy_plan(longer)
            if plan_idx is not None:
                inst, extended = longer, True
                greedy_note = "the spreadsheet rule got stuck; continued on a doubled horizon"
        if plan_idx is None:  # stuck even then (deadlines): the best of the greedy variants
            plan_idx = best_greedy(inst)
            greedy_note = "the spreadsheet rule got stuck even on a doubled horizon; best greedy variant"
        first_plan = time.perf_counter() - t0
        if plan_idx:
            vals = Plan.from_indices(inst, plan_idx).objective_values()
            levels = [{"level": lv, "status": "heuristic", "value": vals[lv], "bound": None,
                       "seconds": first_plan} for lv in inst.rules.objective]
    elif solver.startswith("highs"):
        from highs_mip import solve_highs

        hint = best_greedy(inst)
        first_plan = time.perf_counter() - t0 if hint else None
        cap = max(t for t, _ in hint.values()) if hint else None
        lv, plan_idx, trace = solve_highs(inst, time_limit=limit, hint=hint, max_month=cap)
        acc = time.perf_counter() - t0 - sum(x.seconds for x in lv)
        for x in lv:
            acc += x.seconds
            levels.append({"level": x.name, "status": x.status, "value": x.value, "bound": x.bound,
                           "seconds": acc})
        if first_plan is None and trace:
            first_plan = next((t for _, t, p, _ in trace if p < 1e30), None)
    else:
        from optimizer.solving.solver import solve

        variant = solver.partition("[")[2].rstrip("]") or "default"
        opts = _variant_options(variant, limit, 0)

        def progress(level: str, obj: float, bound: float, _t: float) -> None:
            trace.append((level, time.perf_counter() - t0, obj, bound))

        hint_t = time.perf_counter()
        hint = best_greedy(inst) if opts.warm_start else None
        hint_s = time.perf_counter() - hint_t
        if hint:  # the warm start is the first plan: record it like an improving solution
            hv = Plan.from_indices(inst, hint).objective_values()
            trace.append((inst.rules.objective[0], hint_s, hv[inst.rules.objective[0]], float("nan")))
        res = solve(inst, opts, progress=progress, hint=hint)
        index = {g.name: i for i, g in enumerate(inst.groups)}
        plan_idx = res.plan and {index[a.group]: (a.month, a.method) for a in res.plan.assignments.values()}
        first_plan = hint_s if hint else (trace[0][1] if trace else None)
        acc = res.seconds - sum(x.seconds for x in res.levels)
        for x in res.levels:
            acc += x.seconds
            levels.append({"level": x.name, "status": x.status, "value": x.value, "bound": x.bound,
                           "seconds": acc, "bound_by": x.bound_by})
            if x.value is not None:
                trace.append((x.name, acc, x.value, x.bound if x.bound is not None else float("nan")))
    violations = None
    user_months = None
    if plan_idx:
        plan = Plan.from_indices(inst, plan_idx)
        violations = len(check_plan(plan))
        users_of = {g.name: g.size for g in inst.groups}
        user_months = sum(users_of[a.group] * a.month for a in plan.assignments.values())
    return {
        "instance": f"{size}-s{seed}", "size": size, "seed": seed, "solver": solver, "limit": limit,
        "groups": len(inst.groups), "users": sum(g.size for g in inst.groups),
        "first_plan": first_plan, "levels": levels, "trace": trace, "violations": violations,
        "user_months": user_months, "total_seconds": time.perf_counter() - t0, "extended": extended,
        "note": greedy_note,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


# ------------------------------------------------------------------ driver
def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(next(x for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal")).split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration):
        pass
    import ortools

    try:
        import highspy  # noqa: F401
        from importlib.metadata import version

        hv = version("highspy")
    except Exception:  # noqa: BLE001 - optional
        hv = "not installed"
    return (f"{cpu}, {os.cpu_count()} cores{mem}; Python {platform.python_version()}, "
            f"OR-Tools {ortools.__version__}, highspy {hv}")


def _child(size: str, seed: int, solver: str, limit: float) -> dict:
    cmd = [sys.executable, __file__, "--one", size, str(seed), solver, str(limit)]
    out = subprocess.run(cmd, capture_output=True, text=True)
    lines = [x for x in out.stdout.splitlines() if x.startswith("{")]
    if out.returncode != 0 or not lines:
        return {"instance": f"{size}-s{seed}", "size": size, "seed": seed, "solver": solver, "limit": limit,
                "error": (out.stderr or out.stdout)[-800:], "levels": [], "trace": []}
    return json.loads(lines[-1])


def _gap(value, bound) -> float | None:
    if value is None or bound is None or bound != bound:
        return None
    return 0.0 if value == bound else abs(value - bound) / max(1.0, abs(value))


def write_csv(records: list[dict], path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["instance", "solver", "level", "status", "value", "bound", "gap", "seconds",
                    "first_plan_seconds", "peak_mb", "violations", "time_limit"])
        for r in records:
            if r.get("error"):
                w.writerow([r["instance"], r["solver"], "", "error", "", "", "", "", "", "", "", r["limit"]])
            for lv in r["levels"]:
                g = _gap(lv["value"], lv["bound"])
                w.writerow([r["instance"], r["solver"], lv["level"], lv["status"], lv["value"], lv["bound"],
                            "" if g is None else f"{g:.6f}", f"{lv['seconds']:.3f}",
                            "" if r.get("first_plan") is None else f"{r['first_plan']:.3f}",
                            f"{r.get('peak_mb', 0):.0f}", r.get("violations"), r["limit"]])
    trace_path = path.with_name(path.stem + "-trace.csv")
    with open(trace_path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["instance", "solver", "level", "seconds", "objective", "bound"])
        for r in records:
            for level, t, p, d in r["trace"]:
                w.writerow([r["instance"], r["solver"], level, f"{t:.3f}", p, d])


def time_to_reach(rec: dict, level: str, target: float) -> float | None:
    """First time the solver's incumbent on ``level`` was <= target."""
    ts = [t for lv, t, p, _ in rec["trace"] if lv == level and p is not None and p <= target + 1e-6]
    return min(ts) if ts else None


def _fmt(v, nd=2) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.{nd}f}"
    return str(v)


def render_markdown(records: list[dict], path: Path, plot: Path | None, machine: str) -> None:
    out = ["# Benchmarks", "",
           f"Generated by `scripts/benchmark.py` on {dt.date.today().isoformat()}. Machine: {machine}.",
           "Instances from `scripts/generate.py` (departments x sites x platforms, pilots, VIPs, "
           "blackouts, dependencies). Times are wall-clock seconds from the start of the run "
           "(cumulative over the lexicographic levels); gap = (value - bound) / value.", ""]
    by_inst: dict[str, list[dict]] = {}
    for r in records:
        by_inst.setdefault(r["instance"], []).append(r)
    for inst, recs in by_inst.items():
        r0 = recs[0]
        out += [f"## {inst}: {r0.get('groups', '?')} groups, {r0.get('users', '?')} users, "
                f"time limit {r0['limit']:g} s", ""]
        out += ["| solver | first plan (s) | finish (value / bound, s) | waiting (value / bound, gap, s) "
                "| assisted (value / bound, s) | peak MB | checker |", "|---|---|---|---|---|---|---|"]
        for r in recs:
            if r.get("error"):
                out.append(f"| {r['solver']} | error: {r['error'].splitlines()[-1][:80]} | | | | | |")
                continue
            lv = {x["level"]: x for x in r["levels"]}

            def cell(name: str, gap: bool = False) -> str:
                x = lv.get(name)
                if not x or x["value"] is None:
                    return "–"
                s = f"{x['value']} / {_fmt(x['bound'])}"
                if gap:
                    g = _gap(x["value"], x["bound"])
                    s += f", {100 * g:.2f} %" if g is not None else ""
                s += f", {x['seconds']:.1f}" + (" ✓" if x["status"] == "optimal" else "")
                s += " (LP)" if x.get("bound_by") == "lp relaxation" else ""
                return s

            chk = "–" if r.get("violations") is None else ("valid" if r["violations"] == 0 else
                                                           f"{r['violations']} violations")
            out.append(f"| {r['solver']} | {_fmt(r.get('first_plan'), 3)} | {cell('finish')} | "
                       f"{cell('waiting', True)} | {cell('assisted')} | {_fmt(r.get('peak_mb'), 0)} | {chk} |")
        out += ["", "✓ = proven optimal; (LP) = the bound comes from the LP relaxation (`optimizer/relaxation.py`, `optimizer/lp_finish.py`).", ""]
        out += _versus(recs)
    if plot:
        out += ["## Gap over time", "", f"![gap over time]({plot.name})", ""]
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def _versus(recs: list[dict]) -> list[str]:
    """CP-SAT vs HiGHS time to HiGHS's final objective; optimum vs greedy."""
    lines: list[str] = []
    cp = [r for r in recs if r["solver"].startswith("cpsat") and not r.get("error")]
    hi = next((r for r in recs if r["solver"].startswith("highs") and not r.get("error")), None)
    gr = next((r for r in recs if r["solver"] == "greedy" and not r.get("error")), None)
    for c in cp:
        clv = {x["level"]: x for x in c["levels"]}
        if hi:
            hlv = {x["level"]: x for x in hi["levels"]}
            for level in LEVELS:
                h, x = hlv.get(level), clv.get(level)
                if not h or not x or h["value"] is None or x["value"] is None:
                    continue
                same_prefix = all(clv.get(p, {}).get("value") == hlv.get(p, {}).get("value")
                                  for p in LEVELS[:LEVELS.index(level)])
                h_t = time_to_reach(hi, level, h["value"])
                c_t = time_to_reach(c, level, h["value"]) if same_prefix else None
                if c_t is not None and h_t:
                    verdict = f"{c_t:.2f} s vs {h_t:.2f} s (ratio {c_t / h_t:.2f})"
                elif not same_prefix:
                    verdict = "earlier levels differ (" + ", ".join(
                        f"{p}: {clv.get(p, {}).get('value')} vs {hlv.get(p, {}).get('value')}"
                        for p in LEVELS[:LEVELS.index(level)]) + ")"
                else:
                    verdict = f"CP-SAT did not reach {h['value']} (best {x['value']})"
                both = h["status"] == "optimal" and x["status"] == "optimal"
                agree = "" if not both else (" Both proven optimal: " +
                                             ("equal." if h["value"] == x["value"] else "**DIFFERENT**."))
                lines.append(f"- {c['solver']} vs {hi['solver']}, {level}: HiGHS final {h['value']}; "
                             f"time to reach it {verdict}.{agree}")
        if gr and gr["levels"] and c["levels"]:
            g_f = next(x["value"] for x in gr["levels"] if x["level"] == "finish")
            c_f = clv.get("finish", {}).get("value")
            if c_f is not None and c.get("user_months") is not None:
                if gr.get("note"):
                    lines.append(f"- greedy: {gr['note']}.")
                lines.append(f"- {c['solver']} vs greedy: finishes {g_f - c_f} month(s) earlier "
                             f"(month index {c_f} vs {g_f}) and saves {gr['user_months'] - c['user_months']:,} "
                             f"user-months of waiting ({c['user_months']:,} vs {gr['user_months']:,}).")
    return lines + [""] if lines else []


def render_plot(records: list[dict], path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed (pip install -e '.[docs]'): no plot", file=sys.stderr)
        return False
    insts = list(dict.fromkeys(r["instance"] for r in records))
    fig, axes = plt.subplots(1, len(insts), figsize=(5 * len(insts), 3.8), squeeze=False)
    for ax, inst in zip(axes[0], insts):
        for r in records:
            if r["instance"] != inst or not r["trace"]:
                continue
            for level, style in (("finish", "--"), ("waiting", "-")):
                pts = [(t, _gap(p, d)) for lv, t, p, d in r["trace"] if lv == level]
                pts = [(t, 100 * g) for t, g in pts if g is not None]
                if len(pts) >= 1:
                    ax.step([t for t, _ in pts], [g for _, g in pts], where="post", linestyle=style,
                            marker=".", label=f"{r['solver']} {level}")
        ax.set_title(f"{inst}: gap of the finish and waiting levels")
        ax.set_xlabel("seconds since start")
        ax.set_ylabel("gap %")
        ax.set_yscale("symlog", linthresh=0.1)
        ax.grid(alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return True


def main() -> None:
    ap = argparse.ArgumentParser(description="CP-SAT vs HiGHS vs greedy on generated instances.")
    ap.add_argument("--sizes", default=DEFAULT_SIZES, help="comma-separated GROUPSxMONTHS")
    ap.add_argument("--limits", default="", help="comma-separated time limits per size (default: the issue's)")
    ap.add_argument("--seeds", default="1")
    ap.add_argument("--solvers", default="cpsat,highs,greedy")
    ap.add_argument("--variants", default="", help="CP-SAT variants instead of the default, e.g. w8-b8,w2-b8,w8-nodet")
    ap.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.csv"))
    ap.add_argument("--md", default=str(ROOT / "docs" / "benchmarks.md"))
    ap.add_argument("--render", metavar="RECORDS_JSON", help="only re-render --md and the plot from saved records")
    ap.add_argument("--one", nargs=4, metavar=("SIZE", "SEED", "SOLVER", "LIMIT"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        size, seed, solver, limit = a.one
        print(json.dumps(run_one(size, int(seed), solver, float(limit))))
        return
    if a.render:
        records = json.loads(Path(a.render).read_text(encoding="utf-8"))
        plot = Path(a.out).with_name(Path(a.out).stem + "-gap.png")
        render_markdown(records, Path(a.md), plot if render_plot(records, plot) else None, _machine())
        print(f"wrote {a.md}")
        return
    sizes = a.sizes.split(",")
    limits = [float(x) for x in a.limits.split(",")] if a.limits else [DEFAULT_LIMITS.get(s, 60.0) for s in sizes]
    solvers = []
    for s in a.solvers.split(","):
        if s == "cpsat" and a.variants:
            solvers += [f"cpsat[{v}]" for v in a.variants.split(",")]
        else:
            solvers.append(s)
    records = []
    for size, limit in zip(sizes, limits):
        for seed in (int(x) for x in a.seeds.split(",")):
            for solver in solvers:
                t = time.perf_counter()
                rec = _child(size, seed, solver, limit)
                records.append(rec)
                summary = ", ".join(f"{x['level']} {x['value']}/{x['bound']} {x['status']}" for x in rec["levels"])
                print(f"{size} seed {seed} {solver}: {rec.get('error', summary)[:300]} "
                      f"({time.perf_counter() - t:.1f} s, peak {rec.get('peak_mb', 0):.0f} MB, "
                      f"violations {rec.get('violations')})", flush=True)
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_csv(records, out)
    out.with_name(out.stem + "-records.json").write_text(json.dumps(records), encoding="utf-8")
    plot = out.with_name(out.stem + "-gap.png")
    md = Path(a.md)
    render_markdown(records, md, plot if render_plot(records, plot) else None, _machine())
    print(f"wrote {out}, {md}")


if __name__ == "__main__":
    main()

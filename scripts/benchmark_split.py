#!/usr/bin/env python3
"""Benchmark: split groups (model v2, issue 15) with `rollout solve`, splitting on vs off, and
HiGHS on the independent split MIP.

For each size (groups x months) and seed it writes the instance of scripts/generate_split.py twice
(about a third of the groups may split over 2-3 months, and the same instance with splitting off),
then runs the command a planner runs, ``rollout -v solve ... --out plan.json --out plan.csv``,
each run a process of its own, at each time limit (the issue's 5/30/60 s at 200 x 12 and
2,000 x 24, 15/90/180 s at 5,000 x 36), or with ``--trace`` once at the largest limit, reading
the figures at the smaller ones from the trace of levels. It records:

- first plan: seconds from the start of planning (the "Planning ..." line, after the inputs are
  loaded) to the first better-plan line of ``-v`` (each progress line is timestamped as it
  arrives, as scripts/benchmark.py timestamps the solver's progress callback), or when the greedy
  start is the answer (no such line) to the first line after planning; start-up (process start
  to the "Planning" line) separately;
- finish: the value and when it was proven (the first finish line with objective = bound, else the
  end of the finish level from the JSON's per-level seconds);
- waiting at the time limit: value, bound and gap from the JSON the command writes;
- peak memory of the process (``os.wait4``'s max RSS), the exit code, and the checker's verdict
  on plan.csv (optimizer/checker.py, read back as a planner's file);
- side by side, splitting off vs on: the finish month and user-months (sum of users x month index)
  each saves, and the groups split;
- HiGHS on scripts/highs_split_mip.py at 200 x 12 (``--highs-sizes``), its plan checked too.

    python scripts/benchmark_split.py                                 # 200x12, 5/30/60 s, on and off, HiGHS
    python scripts/benchmark_split.py --sizes 200x12,2000x24,5000x36  # the issue's table (about 30 min)
    python scripts/benchmark_split.py --sizes 5000x36 --trace         # one 180 s run per mode, figures from the trace
    python scripts/benchmark_split.py --render docs/benchmarks-split-records.json --update-doc

Writes docs/benchmarks-split.csv (one row per run), docs/benchmarks-split-records.json (everything,
re-renderable) and the Markdown section; ``--update-doc`` puts it into docs/benchmarks.md between
the split-benchmark markers. Figures depend on the machine and its load: the section records both.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

DEFAULT_SIZES = "200x12"
LIMITS = {"200x12": (5.0, 30.0, 60.0), "2000x24": (5.0, 30.0, 60.0), "5000x36": (15.0, 90.0, 180.0)}
#: The issue's targets per size (split instances): first plan, finish proven (s), waiting gap at
#: the time limit (s, share), peak memory (MiB or None).
TARGETS = {
    "200x12": (1.0, 5.0, (30.0, 0.001), None),
    "2000x24": (5.0, 30.0, (60.0, 0.01), None),
    "5000x36": (15.0, 90.0, (180.0, 0.03), 4096.0),
}
LEVELS = ("finish", "waiting", "assisted", "splits")
MARK_START = "<!-- split-benchmark:start -->"
MARK_END = "<!-- split-benchmark:end -->"
PROGRESS = re.compile(r"^\s*(finish|waiting|assisted|splits): objective (-?[\d.]+), bound (\S+) \(")
PLANNING = re.compile(r"^Planning\b")


# ------------------------------------------------------------------ instances
def prepare(size: str, seed: int, work: Path) -> dict[str, Path]:
    """{"on": folder, "off": folder}: the split instance and the same with splitting off."""
    from generate_split import generate_split, write_split_csv

    n, months = (int(x) for x in size.split("x"))
    out = {}
    for mode in ("on", "off"):
        folder = work / f"{size}-s{seed}-{mode}"
        if not (folder / "rules.toml").exists():
            write_split_csv(generate_split(n, months, seed, split=mode == "on"), folder)
        out[mode] = folder
    return out


# ------------------------------------------------------------------ one CLI run
def solve_command(folder: Path, limit: float, seed: int, out: Path) -> list[str]:
    return [sys.executable, "-m", "optimizer.cli", "-v", "solve", str(folder / "groups.csv"),
            str(folder / "capacity.csv"), "--rules", str(folder / "rules.toml"), "--time-limit", f"{limit:g}",
            "--seed", str(seed), "--lang", "en", "--out", str(out / "plan.json"), "--out", str(out / "plan.csv")]


def run_timed(cmd: list[str]) -> tuple[int, list[tuple[float, str]], float, float]:
    """Run ``cmd``; (exit code, output lines (stdout and stderr) with seconds since start as they
    arrive, wall seconds, peak MiB of the process)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200", "NO_COLOR": "1", "LC_ALL": "C.UTF-8"}
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    assert p.stdout is not None
    for line in p.stdout:
        lines.append((time.perf_counter() - t0, line.rstrip("\n")))
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return p.returncode, lines, time.perf_counter() - t0, usage.ru_maxrss / 1024


def parse_progress(lines: list[tuple[float, str]]) -> tuple[float | None, list[tuple[str, float, float, float]]]:
    """(seconds to the "Planning" line or None, trace of (level, seconds since then, value, bound))."""
    start = next((t for t, s in lines if PLANNING.match(s)), None)
    t0 = start or 0.0
    trace = []
    for t, s in lines:
        m = PROGRESS.match(s)
        if m:
            bound = float("nan") if m.group(3) in ("–", "-") else float(m.group(3))
            trace.append((m.group(1), t - t0, float(m.group(2)), bound))
    return start, trace


def first_plan(lines, start: float | None, trace) -> tuple[float | None, str]:
    """(seconds from the start of planning to the first plan, "solver" or "greedy"): the first
    progress line; without one (the greedy start is the answer) the first line after planning."""
    if trace:
        return trace[0][1], "solver"
    if start is None:
        return None, ""
    return next((t - start for t, _s in lines if t > start), None), "greedy"


def judge_plan(folder: Path, plan_csv: Path) -> dict:
    """The checker's verdict on a written plan CSV, and what a planner compares: the finish month,
    user-months and groups split."""
    from optimizer.checker import check_plan
    from optimizer.inputs.loaders import load_instance
    from optimizer.inputs.planfile import read_plan

    inst = load_instance(folder / "groups.csv", folder / "capacity.csv", folder / "rules.toml")
    plan = read_plan(inst, plan_csv)
    bad = check_plan(plan)
    return {"violations": len(bad), "first_violations": [str(v) for v in bad[:3]],
            "finish": plan.finish(), "finish_month": inst.month_labels[plan.finish()],
            "user_months": sum(u * t for _g, _k, t, u in plan.all_parts()),
            "split_groups": plan.split_groups(), "splits": plan.splits(),
            "groups": len(inst.groups), "users": sum(g.size for g in inst.groups)}


def run_cli(folder: Path, limit: float, seed: int = 0) -> dict:
    with tempfile.TemporaryDirectory(prefix="split-bench-") as tmp:
        out = Path(tmp)
        rc, lines, wall, peak = run_timed(solve_command(folder, limit, seed, out))
        start, trace = parse_progress(lines)
        first, by = first_plan(lines, start, trace)
        rec: dict = {"exit_code": rc, "wall": wall, "startup": start, "peak_mb": peak, "trace": trace,
                     "first_plan": first, "first_plan_by": by}
        if not (out / "plan.json").exists():
            rec["error"] = " ".join(s for _, s in lines if s.strip())[-600:] or f"exit code {rc}"
            return rec
        data = json.loads((out / "plan.json").read_text(encoding="utf-8"))
        levels, acc = [], 0.0
        for x in data["objective"]:
            acc += x.get("seconds") or 0.0
            levels.append({k: x.get(k) for k in ("level", "status", "value", "bound", "gap", "seconds",
                                                  "stopped_by", "bound_by")} | {"until": acc})
        rec.update({"status": data.get("status"), "levels": levels, "solve_seconds": data.get("seconds")})
        rec["finish_proven"] = finish_proven(levels, trace)
        if (out / "plan.csv").exists():
            rec.update(judge_plan(folder, out / "plan.csv"))
    return rec


def finish_proven(levels: list[dict], trace) -> float | None:
    """Seconds from the start of planning to the proof of the finish: the first finish line with
    objective = bound, else the end of the finish level (JSON seconds), if the JSON says optimal."""
    lv = next((x for x in levels if x["level"] == "finish"), None)
    if not lv or lv["status"] != "optimal":
        return None
    proof = [t for name, t, v, b in trace if name == "finish" and b == b and v <= b + 1e-9]
    return min(proof) if proof else lv["until"]


def at_time(rec: dict, level: str, when: float) -> tuple[float | None, float | None]:
    """(best value, best bound) of ``level`` in the trace up to ``when`` seconds (``--trace``)."""
    vals = [(v, b) for name, t, v, b in rec.get("trace", []) if name == level and t <= when]
    if not vals:
        return None, None
    bounds = [b for _, b in vals if b == b]
    return min(v for v, _ in vals), (max(bounds) if bounds else None)


# ------------------------------------------------------------------ HiGHS (child process)
def run_highs_child(folder: Path, limit: float) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--one-highs", str(folder), str(limit)]
    rc, lines, wall, peak = run_timed(cmd)
    rows = [s for _, s in lines if s.startswith("{")]
    if rc != 0 or not rows:
        return {"error": " ".join(s for _, s in lines)[-600:] or f"exit code {rc}", "peak_mb": peak, "wall": wall}
    return json.loads(rows[-1]) | {"peak_mb": peak, "wall": wall}


def one_highs(folder: Path, limit: float) -> dict:
    import dataclasses

    from highs_split_mip import solve_highs

    from optimizer.checker import check_plan
    from optimizer.solving.greedy import best_greedy
    from optimizer.inputs.loaders import load_instance
    from optimizer.plan import Plan

    inst = load_instance(folder / "groups.csv", folder / "capacity.csv", folder / "rules.toml")
    t0 = time.perf_counter()
    # as scripts/benchmark.py: the greedy plan (one part per group) is the warm start and its finish
    # the last month the MIP may use
    greedy = best_greedy(inst)
    hint = Plan.from_indices(inst, greedy) if greedy else None
    if hint is not None and check_plan(hint):
        hint = None
    first = time.perf_counter() - t0 if hint else None
    levels, plan, trace = solve_highs(inst, time_limit=limit, hint=hint,
                                      max_month=hint.finish() if hint else None)
    rec: dict = {"levels": [dataclasses.asdict(x) for x in levels],
                 "first_plan": first if first is not None else next((t for _, t, p, _ in trace if p < 1e30), None),
                 "seconds": time.perf_counter() - t0,
                 "trace": [(lv, t, p if p < 1e30 else None, d if abs(d) < 1e30 else None) for lv, t, p, d in trace]}
    acc = 0.0
    for x in rec["levels"]:
        acc += x["seconds"]
        x["until"] = acc
    fin = next((x for x in rec["levels"] if x["name"] == "finish"), None)
    rec["finish_proven"] = fin["until"] if fin and fin["status"] == "optimal" else None
    if plan is not None:
        bad = check_plan(plan)
        rec.update({"violations": len(bad), "first_violations": [str(v) for v in bad[:3]],
                    "finish": plan.finish(), "finish_month": inst.month_labels[plan.finish()], "user_months": sum(u * t for _g, _k, t, u in plan.all_parts()),
                    "split_groups": plan.split_groups(), "splits": plan.splits()})
    return rec


# ------------------------------------------------------------------ records, CSV, Markdown
def write_csv(records: list[dict], path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["instance", "splitting", "solver", "time_limit", "exit_code", "first_plan_s", "finish",
                    "finish_month", "finish_proven_s", "waiting", "waiting_bound", "waiting_gap", "assisted",
                    "splits", "user_months", "split_groups", "peak_mb", "wall_s", "violations"])
        for r in records:
            lv = {x.get("level") or x.get("name"): x for x in r.get("levels", [])}
            wv = lv.get("waiting", {})
            w.writerow([r["instance"], r["mode"], r["solver"], r["limit"], r.get("exit_code", ""),
                        _num(r.get("first_plan")), lv.get("finish", {}).get("value", ""), r.get("finish_month", ""),
                        _num(r.get("finish_proven")), wv.get("value", ""), wv.get("bound", ""),
                        _num(_gap(wv.get("value"), wv.get("bound")), 6), lv.get("assisted", {}).get("value", ""),
                        r.get("splits", ""), r.get("user_months", ""), r.get("split_groups", ""),
                        _num(r.get("peak_mb"), 0), _num(r.get("wall")), r.get("violations", "")])


def _num(v, nd: int = 3) -> str:
    return "" if v is None else f"{v:.{nd}f}"


def _gap(value, bound) -> float | None:
    if value is None or bound is None or bound != bound:
        return None
    return 0.0 if value == bound else abs(value - bound) / max(1.0, abs(value))


def _s(v, nd: int = 1) -> str:
    return "–" if v is None else f"{v:.{nd}f}"


def _check(r: dict) -> str:
    if r.get("error"):
        return "–"
    if r.get("violations") is None:
        return "no plan"
    return "valid" if r["violations"] == 0 else f"**{r['violations']} violations**"


def render_markdown(records: list[dict], machine: str, load: str = "") -> str:
    loads = [r["load"] for r in records if r.get("load") is not None]
    if loads:
        load = f"{min(loads):.1f}-{max(loads):.1f} (1 minute, at the end of each run)"
    out = [MARK_START, "### Figures", "",
           f"Generated by `scripts/benchmark_split.py` on {dt.date.today().isoformat()}. Machine: {machine}. "
           f"Load average while it ran: {load}.",
           "Instances from `scripts/generate_split.py`: the generator's instance where the largest third of the "
           "groups may enroll over 2-3 months (split on), and the same instance with `max_months` 1 everywhere "
           "(split off). Each run is `rollout -v solve` as a process of its own; times are seconds from the start "
           "of planning (after loading the inputs; start-up is the column before it); the figures at the time "
           "limit are the JSON's; every plan CSV is read back and judged by the checker.", ""]
    runs = [r for r in records if r["solver"] == "rollout"]
    out += ["| instance | splitting | limit (s) | start-up (s) | first plan (s) | finish (month, proven at s) "
            "| waiting (value / bound, gap) | groups split | peak MiB | checker |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for r in runs:
        if r.get("error"):
            out.append(f"| {r['instance']} | {r['mode']} | {r['limit']:g} | {_s(r.get('startup'))} | "
                       f"exit {r.get('exit_code')}: {_cell(r['error'])} | | | | {_s(r.get('peak_mb'), 0)} | – |")
            continue
        lv = {x["level"]: x for x in r["levels"]}
        fin, wt = lv.get("finish", {}), lv.get("waiting", {})
        proven = f", ✓ {r['finish_proven']:.1f}" if r.get("finish_proven") is not None else ", not proven"
        g = _gap(wt.get("value"), wt.get("bound"))
        wcell = "–" if wt.get("value") is None else \
            f"{wt['value']:,} / {_int(wt.get('bound'))}" + \
            ("" if g is None else f", {100 * g:.2f} %") + (" ✓" if wt.get("status") == "optimal" else "")
        out.append(f"| {r['instance']} | {r['mode']} | {r['limit']:g} | {_s(r.get('startup'))} | "
                   f"{_s(r.get('first_plan'), 2)}{' (greedy)' if r.get('first_plan_by') == 'greedy' else ''} | "
                   f"{r.get('finish_month', fin.get('value'))}{proven} | {wcell} | "
                   f"{r.get('split_groups', '–')} | {_s(r.get('peak_mb'), 0)} | {_check(r)} |")
    out += ["", "✓ = proven optimal.", ""]
    out += _targets(runs) + _side_by_side(runs) + _highs(records, runs)
    out.append(MARK_END)
    return "\n".join(out) + "\n"


def _cell(text: str) -> str:
    text = text.replace("|", "/").replace("\n", " ").removeprefix("Error: ")
    return text if len(text) <= 120 else text[:119] + "…"


def _int(v) -> str:
    return "–" if v is None else f"{int(v):,}"


def _targets(runs: list[dict]) -> list[str]:
    """The issue's targets against the split-on runs (or their traces)."""
    lines = ["#### Against the issue's targets (splitting on)", "",
             "| instance | first plan | finish proven | waiting gap at its time | peak memory |", "|---|---|---|---|---|"]
    seen = False
    for r in runs:
        size = r["instance"].split("-s")[0]
        if r["mode"] != "on" or size not in TARGETS or r.get("error"):
            continue
        first_t, proven_t, (gap_at, gap_max), mem = TARGETS[size]
        if r["limit"] != gap_at and not r.get("traced"):
            continue
        seen = True
        lv = {x["level"]: x for x in r["levels"]}
        if r.get("traced") and r["limit"] > gap_at:
            v, b = at_time(r, "waiting", gap_at)
        else:
            v, b = lv.get("waiting", {}).get("value"), lv.get("waiting", {}).get("bound")
        g = _gap(v, b)

        def mark(ok: bool | None) -> str:
            return "" if ok is None else (" ✓" if ok else " ✗")

        fp, pr = r.get("first_plan"), r.get("finish_proven")
        lines.append(
            f"| {r['instance']} ({r['limit']:g} s{' trace' if r.get('traced') else ''}) "
            f"| {_s(fp, 2)} (< {first_t:g}){mark(fp is not None and fp < first_t)} "
            f"| {_s(pr)} (< {proven_t:g}){mark(pr is not None and pr < proven_t)} "
            f"| {'–' if g is None else f'{100 * g:.2f} %'} at {gap_at:g} s (<= {100 * gap_max:g} %)"
            f"{mark(g is not None and g <= gap_max)} "
            f"| {_s(r.get('peak_mb'), 0)} MiB{'' if mem is None else f' (< {mem:g})'}"
            f"{mark(None if mem is None else r.get('peak_mb', math.inf) < mem)} |")
    return lines + [""] if seen else []


def _side_by_side(runs: list[dict]) -> list[str]:
    lines = ["#### What splitting buys (same instance, same time limit)", "",
             "| instance | limit (s) | finish off → on | months saved | user-months off → on | saved | groups split |",
             "|---|---|---|---|---|---|---|"]
    seen = False
    for r in runs:
        if r["mode"] != "off":
            continue
        on = next((x for x in runs if x["mode"] == "on" and x["instance"] == r["instance"]
                   and x["limit"] == r["limit"]), None)
        if on is None or "finish" not in r or "finish" not in on:
            continue
        seen = True
        um_off, um_on = r["user_months"], on["user_months"]
        lines.append(f"| {r['instance']} | {r['limit']:g} | {r['finish_month']} → {on['finish_month']} | "
                     f"{r['finish'] - on['finish']} | {um_off:,} → {um_on:,} | {um_off - um_on:,} "
                     f"({100 * (um_off - um_on) / max(um_off, 1):.1f} %) | {on['split_groups']} |")
    return lines + [""] if seen else []


def _highs(records: list[dict], runs: list[dict]) -> list[str]:
    hs = [r for r in records if r["solver"] == "highs"]
    if not hs:
        return []
    lines = ["#### HiGHS on the independent split MIP (`scripts/highs_split_mip.py`)", "",
             "| instance | limit (s) | first plan (s) | finish (month, proven at s) | waiting (value / bound) | assisted "
             "| splits | peak MiB | checker |", "|---|---|---|---|---|---|---|---|---|"]
    notes = []
    for h in hs:
        if h.get("error"):
            lines.append(f"| {h['instance']} | {h['limit']:g} | error: {_cell(h['error'])} | | | | | | |")
            continue
        lv = {x["name"]: x for x in h["levels"]}

        def val(name: str) -> str:
            x = lv.get(name)
            if not x or x["value"] is None:
                return "–"
            return f"{x['value']:,}" + (" ✓" if x["status"] == "optimal" else f" / {_int(x['bound'])}")

        fin = lv.get("finish", {})
        proven = "" if h.get("finish_proven") is None else f" ✓ {h['finish_proven']:.1f}"
        lines.append(f"| {h['instance']} | {h['limit']:g} | {_s(h.get('first_plan'), 2)} | "
                     f"{h.get('finish_month', fin.get('value', '–'))}{proven} | "
                     f"{val('waiting')} | {val('assisted')} | {val('splits')} | {_s(h.get('peak_mb'), 0)} | {_check(h)} |")
        cp = next((r for r in runs if r["mode"] == "on" and r["instance"] == h["instance"]
                   and r["limit"] == h["limit"] and not r.get("error")), None)
        if cp:
            clv = {x["level"]: x for x in cp["levels"]}
            for name in LEVELS:
                a, b = clv.get(name), lv.get(name)
                if a and b and a["status"] == "optimal" and b["status"] == "optimal":
                    same = a["value"] == b["value"]
                    notes.append(f"- {h['instance']}, {name}: both proven optimal, rollout {a['value']} vs HiGHS "
                                 f"{b['value']}: {'equal' if same else '**DIFFERENT**'}.")
                    if not same:
                        break
    return lines + [""] + notes + ([""] if notes else [])


def update_doc(section: str, doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    if MARK_START in text and MARK_END in text:
        a, b = text.index(MARK_START), text.index(MARK_END) + len(MARK_END)
        text = text[:a] + section.rstrip("\n") + text[b:]
    else:
        text = text.rstrip("\n") + "\n\n## Split groups (issue 15)\n\n" + section
    from optimizer.render.atomic import write_text

    write_text(doc, text)


def _machine() -> str:
    import platform

    cpu = platform.machine()
    try:
        cpu = next(x.split(":", 1)[1].strip() for x in Path("/proc/cpuinfo").read_text().splitlines()
                   if x.startswith("model name"))
    except (OSError, StopIteration):
        pass
    import ortools

    return f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, OR-Tools {ortools.__version__}"


# ------------------------------------------------------------------ driver
def run(sizes: list[str], seeds: list[int], limits: dict[str, tuple[float, ...]], modes: list[str],
        highs_sizes: list[str], work: Path, trace: bool = False, log=print) -> list[dict]:
    records = []
    for size in sizes:
        for seed in seeds:
            folders = prepare(size, seed, work)
            lims = limits[size][-1:] if trace else limits[size]
            for limit in lims:
                for mode in modes:
                    rec = run_cli(folders[mode], limit)
                    rec.update({"instance": f"{size}-s{seed}", "mode": mode, "solver": "rollout", "limit": limit,
                                "traced": trace, "load": os.getloadavg()[0]})
                    records.append(rec)
                    log(_summary(rec))
            if size in highs_sizes:
                limit = limits[size][-1]
                rec = run_highs_child(folders["on"], limit)
                rec.update({"instance": f"{size}-s{seed}", "mode": "on", "solver": "highs", "limit": limit,
                            "load": os.getloadavg()[0]})
                records.append(rec)
                log(_summary(rec))
    return records


def _summary(r: dict) -> str:
    head = f"{r['instance']} {r['solver']} split {r['mode']} {r['limit']:g} s:"
    if r.get("error"):
        return f"{head} {r['error'][:200]}"
    lv = ", ".join(f"{x.get('level') or x.get('name')} {x['value']} ({x['status']})" for x in r.get("levels", []))
    return (f"{head} {lv}; first plan {_s(r.get('first_plan'), 2)} s, finish proven {_s(r.get('finish_proven'))} s, "
            f"peak {_s(r.get('peak_mb'), 0)} MiB, checker {_check(r)}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Split groups: rollout solve with splitting on vs off, and HiGHS.")
    ap.add_argument("--sizes", default=DEFAULT_SIZES, help="comma-separated GROUPSxMONTHS (200x12,2000x24,5000x36)")
    ap.add_argument("--limits", default="", help="comma-separated time limits for every size (default: the issue's)")
    ap.add_argument("--seeds", default="1")
    ap.add_argument("--modes", default="on,off", help="splitting on, off or both")
    ap.add_argument("--highs-sizes", default="200x12", help="sizes to run HiGHS on ('' for none)")
    ap.add_argument("--trace", action="store_true", help="one run per instance at the largest limit")
    ap.add_argument("--work", help="folder for the generated instances (default: a temporary folder)")
    ap.add_argument("--out", default=str(ROOT / "docs" / "benchmarks-split.csv"))
    ap.add_argument("--md", help="write the Markdown section here (default: standard output)")
    ap.add_argument("--update-doc", action="store_true", help="put the section into docs/benchmarks.md")
    ap.add_argument("--render", metavar="RECORDS_JSON", help="only render the section from saved records")
    ap.add_argument("--one-highs", nargs=2, metavar=("FOLDER", "LIMIT"), help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.one_highs:
        print(json.dumps(one_highs(Path(a.one_highs[0]), float(a.one_highs[1]))))
        return
    if a.render:
        records = json.loads(Path(a.render).read_text(encoding="utf-8"))
    else:
        sizes = [s for s in a.sizes.split(",") if s]
        limits = {s: tuple(float(x) for x in a.limits.split(",")) if a.limits else LIMITS.get(s, (60.0,))
                  for s in sizes}
        with tempfile.TemporaryDirectory(prefix="split-bench-") as tmp:
            records = run(sizes, [int(x) for x in a.seeds.split(",")], limits, a.modes.split(","),
                          [s for s in a.highs_sizes.split(",") if s], Path(a.work or tmp), a.trace,
                          log=lambda s: print(s, file=sys.stderr, flush=True))
        out = Path(a.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        write_csv(records, out)
        out.with_name(out.stem + "-records.json").write_text(json.dumps(records), encoding="utf-8")
    section = render_markdown(records, _machine())
    if a.md:
        Path(a.md).write_text(section, encoding="utf-8")
    if a.update_doc:
        update_doc(section, ROOT / "docs" / "benchmarks.md")
    if not a.md and not a.update_doc:
        print(section)


if __name__ == "__main__":
    main()

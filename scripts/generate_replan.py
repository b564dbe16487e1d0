#!/usr/bin/env python3
"""A re-plan instance (issue 16): groups, capacity, a previous plan and the actuals of its first
months, with a share of the groups slipped; and, with ``--bench``, the time the re-plan's
foundation takes to read and digest them (no solver).

    python scripts/generate_replan.py --groups 2000 --months 24 --history 6 --slipped 0.1 \\
        --out /tmp/replan2000 --bench
    # -> groups.csv capacity.csv plan.csv actuals.csv; the re-plan is as of the printed month

The previous plan is ``--plan PLAN.csv`` when given (e.g. what ``rollout solve`` wrote for the
same groups.csv and capacity.csv), else the greedy plan of the instance (the spreadsheet
baseline; random allowed months when greedy gets stuck). Of the groups the plan puts before the
as-of month, ``--slipped`` are behind: half of them not started, half partly done in their planned
month; the others are done as planned. Tickets are the planned rate times a random factor 0.7-1.5.
The same arguments always give the same files.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from generate import generate, write_csv  # noqa: E402

from optimizer.inputs.tables import escape_cell  # noqa: E402


def _previous(inst, plan_csv: str | None, rnd: random.Random) -> dict[str, tuple[int, str]]:
    if plan_csv:
        from optimizer.inputs.planfile import read_plan

        return {g: (a.month, a.method) for g, a in read_plan(inst, plan_csv).assignments.items()}
    from optimizer.solving.greedy import best_greedy

    by_index = best_greedy(inst)
    if by_index is None:
        by_index = {i: (rnd.choice(inst.allowed_months(g)), inst.allowed_methods(g)[0])
                    for i, g in enumerate(inst.groups)}
    return {inst.groups[i].name: tm for i, tm in by_index.items()}


def make(inst, previous: dict[str, tuple[int, str]], history: int, slipped: float, rnd: random.Random):
    """Actuals rows (group, month label, users, method, tickets) for the months before ``history``."""
    labels = inst.month_labels
    past = [g for g in inst.groups if g.name in previous and previous[g.name][0] < history]
    behind = set(rnd.sample([g.name for g in past], round(slipped * len(past))))
    rows = []
    for g in past:
        t, k = previous[g.name]
        users = g.size
        if g.name in behind:
            if rnd.random() < 0.5 or g.size == 1:
                continue  # not started
            users = rnd.randint(1, g.size - 1)
        rate = inst.rules.tickets_per_100_users[k]
        rows.append((g.name, labels[t], users, k, -(-users * rate * rnd.randint(70, 150) // 10_000)))
    return rows, len(behind)


def _write(path: Path, header, rows) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows([escape_cell(c) if isinstance(c, str) else c for c in r] for r in rows)


def bench(folder: Path, as_of: str) -> None:
    """Times of each step of the re-plan's foundation on the files in ``folder``."""
    from optimizer.replan.changes import changes_level, what_changed
    from optimizer.replan.history import order_floor
    from optimizer.inputs.loaders import load_instance
    from optimizer.replan.inputs import load_replan_inputs

    t0 = time.perf_counter()
    inst = load_instance(folder / "groups.csv", folder / "capacity.csv")
    t1 = time.perf_counter()
    r = load_replan_inputs(inst, folder / "plan.csv", folder / "actuals.csv", as_of, use_observed_rates=True)
    t2 = time.perf_counter()
    floor = order_floor(inst, r.history)
    t3 = time.perf_counter()
    # a new plan that keeps the previous one from as-of on and puts what is left in its floor month
    new = {k: u for k, u in r.previous.users.items() if k[1] >= r.as_of}
    planned_ahead = {g for g, _ in new}
    for g, left in r.history.remaining.items():
        if left and g not in planned_ahead:
            new[g, floor[g]] = left
    level = changes_level(r.previous.users, new, r.actuals.users_by_group(), r.as_of)
    rows = what_changed(inst, r.previous, new, dict(r.previous.methods), r.history)
    t4 = time.perf_counter()
    print(f"load groups+capacity {t1 - t0:.3f} s; previous plan + actuals + history + rates {t2 - t1:.3f} s; "
          f"order floor {t3 - t2:.3f} s; changes + what changed {t4 - t3:.3f} s")
    print(f"{len(r.actuals.rows)} actual rows, {len(r.history.done)} groups done, changes {level} users, "
          f"{len(rows)} groups changed")
    for m in r.rates.methods:
        obs = f"{float(m.observed):.2f}" if m.observed is not None else "-"
        print(f"  {m.method:13} planned {m.planned:3} observed {obs:>6} per 100 ({m.users} users){' used' if m.used else ''}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--groups", type=int, default=2000)
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--history", type=int, default=6, help="months before --as-of")
    ap.add_argument("--slipped", type=float, default=0.1, help="share of the past groups behind plan")
    ap.add_argument("--plan", help="the previous plan (a plan CSV for the generated groups); default: greedy")
    ap.add_argument("--out", required=True, help="folder for the files")
    ap.add_argument("--bench", action="store_true", help="time the re-plan foundation on the files")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    inst = generate(a.groups, a.months, a.seed)
    out = Path(a.out)
    write_csv(inst, out)
    previous = _previous(inst, a.plan, rnd)
    labels = inst.month_labels
    _write(out / "plan.csv", ["group", "month", "method"],
           [(g, labels[t], k) for g, (t, k) in previous.items()])
    rows, behind = make(inst, previous, a.history, a.slipped, rnd)
    _write(out / "actuals.csv", ["group", "month", "users", "method", "tickets"], rows)
    as_of = labels[a.history]
    print(f"{len(inst.groups)} groups, {inst.horizon} months, {len(rows)} actual rows, {behind} groups behind; "
          f"re-plan --as-of {as_of} -> {out}")
    if a.bench:
        bench(out, as_of)


if __name__ == "__main__":
    main()

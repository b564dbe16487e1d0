#!/usr/bin/env python3
"""Fingerprint of the solver side's rule handling, to show a refactoring changed nothing.

Prints (or writes with --out) a JSON document of: the greedy plans (every variant) on
generated and small random instances; the window sub-instances the window moves build on
every window of a greedy plan; the LP rounding (stage ends and rounded options) from seeded
pseudo-LP values; window moves on a greedy plan; a hash of the CP-SAT models as built; and a
few deterministic solves. Run it
before and after a change and compare the two files (``cmp`` or ``diff``):

    python scripts/rules_unchanged.py --out /tmp/before.json     # on the old commit
    python scripts/rules_unchanged.py --out /tmp/after.json      # on the new one
    cmp /tmp/before.json /tmp/after.json

Every part is deterministic (work limits, fixed seeds); the solves use a deterministic
time and a generous wall-clock limit, so a very loaded machine could in principle cut one
(the document records whether any was cut: ``reproducible``; compare those only when it is true
on both sides — the model hashes are the load-independent check).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests"))

import numpy as np  # noqa: E402

from generate import generate  # noqa: E402
from optimizer.solving import greedy
from optimizer.solving import window_moves as lns
from optimizer.solving.lp import rounding as repair  # noqa: E402
from optimizer.model import RolloutModel  # noqa: E402
from randinst import random_instance  # noqa: E402

VARIANTS = [("readiness", greedy.EFFORT_ORDER), ("readiness", greedy.TICKET_ORDER), ("size", greedy.TICKET_ORDER)]


def _plan(p):
    return None if p is None else sorted([i, t, k] for i, (t, k) in p.items())


def _sub(built):
    if built is None:
        return None
    sub, free = built
    return {"free": free, "rules": [sub.rules.stage_gap, sub.rules.risk_delay],
            "groups": [[g.name, g.earliest, g.latest, list(g.blackout), list(g.after)] for g in sub.groups]}


def greedy_part(insts):
    return {name: [_plan(greedy.greedy_plan(inst, o, m)) for o, m in VARIANTS] for name, inst in insts}


def windows_part(insts):
    out = {}
    for name, inst in insts:
        plan = greedy.best_greedy(inst)
        if plan is None:
            continue
        T = max(t for t, _ in plan.values()) + 1
        out[name] = [_sub(lns.window_instance(inst, plan, list(range(a, min(T, a + w))), ("finish",)))
                     for w in (1, 2, 3, 5) for a in range(T)]
    return out


def rounding_part(insts):
    out = {}
    for name, inst in insts:
        plan = greedy.best_greedy(inst)
        if plan is None:
            continue
        month = max(t for t, _ in plan.values())
        rm = RolloutModel(inst, max_month=month)
        rows = []
        for seed in range(3):
            x = np.random.default_rng(seed).random(rm.n_x)
            ends = repair.stage_ends(inst, rm, x)
            rounded = [repair.round_lp(inst, rm, x, e) for e in ends]
            rows.append([ends, [None if c is None else c.tolist() for c in rounded]])
            res = repair.repair_to_month(inst, month, x, work=0.05, seed=seed, rm=rm)
            rows.append([res.overflow, res.steps, res.moves, _plan(res.plan)])
        out[name] = rows
    return out


def moves_part(insts):
    out = {}
    for name, inst in insts:
        plan = greedy.best_greedy(inst)
        if plan is None:
            continue
        stats: dict = {}
        better, used = lns.improve(inst, plan, "finish", (), budget=1.0, stats=stats)
        out[name] = [_plan(better), round(used, 6), bool(stats.get("wall_clock"))]
    return out


def models_part(insts):
    """A hash of each CP-SAT model as built (plain, capped at a month, guarded, without the
    implied rows, one level fixed): the same model and parameters give the same solve."""
    import hashlib

    out = {}
    for name, inst in insts:
        rows = []
        for kw in ({}, {"max_month": inst.horizon // 2}, {"guards": True}, {"redundant": False}):
            rm = RolloutModel(inst, **kw)
            rm.set_objective(inst.rules.objective[0])
            if len(inst.rules.objective) > 1:
                rm.fix_level(inst.rules.objective[1], -(1 << 50), 10**6)
            rows.append(hashlib.sha256(str(rm.proto).encode()).hexdigest()[:16])
        out[name] = rows
    return out


def solves_part(insts):
    from optimizer.solving.solver import SolveOptions, solve

    out = {}
    for name, inst in insts:
        res = solve(inst, SolveOptions(time_limit=120, seed=1, workers=2, deterministic=True,
                                       work_limit=4.0))
        out[name] = {"status": res.status, "plan": None if res.plan is None else _plan(res.plan.to_indices()),
                     "objective": res.objective, "reproducible": res.reproducible}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", help="write the JSON here (default: stdout)")
    ap.add_argument("--no-solves", action="store_true", help="skip the (slower) CP-SAT solves")
    ap.add_argument("--only", help="comma-separated parts: greedy,windows,rounding,moves,models,solves")
    a = ap.parse_args()
    gen = [(f"gen{n}x{t}s{s}", generate(n, t, s)) for n, t, s in
           ((60, 8, 1), (200, 12, 1), (200, 12, 2), (1000, 24, 1), (3000, 36, 3))]
    small = [(f"rand{s}", random_instance(s, 6, 5)) for s in range(300)]
    parts = {
        "greedy": lambda: greedy_part(gen + small),
        "windows": lambda: windows_part(gen[:3] + small[:100]),
        "rounding": lambda: rounding_part([x for x in gen[:3] + small[:100] if repair.applies(x[1])]),
        "moves": lambda: moves_part(gen[:2]),
        "models": lambda: models_part(gen[:4] + small[:100]),
        "solves": lambda: solves_part([gen[0], small[3], small[7], ("gen120x10s4", generate(120, 10, 4))]),
    }
    if a.no_solves:
        del parts["solves"]
    doc = {name: run() for name, run in parts.items() if not a.only or name in a.only.split(",")}
    text = json.dumps(doc, sort_keys=True)
    if a.out:
        Path(a.out).write_text(text)
    else:
        print(text)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Pin the plans of a set of deterministic solves, to show a refactoring changes none of them.

    python scripts/pin_solves.py --out /tmp/pins.json            # record
    python scripts/pin_solves.py --check docs/pins/solves.json   # compare (exit 1 on a difference)

Each case is a short deterministic solve (a work limit, a generous wall clock) of the example,
the what-if scenarios or a generated instance; some lower the size thresholds of the solver's
tuning so that the paths of large instances (LP finish proof, LP level bound, LP starts,
window moves) run at a size that solves in seconds. A case that the wall clock cut
(``Result.reproducible`` false: a loaded machine) is reported, not compared.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from generate import generate  # noqa: E402

from optimizer.solving import solver as solver_mod  # noqa: E402
from optimizer.inputs.loaders import load_instance  # noqa: E402
from optimizer.inputs.scenario import load_scenario  # noqa: E402
from optimizer.solving.solver import SolveOptions, solve  # noqa: E402

#: name -> (instance maker, work limit, tuning overrides by field name)
LARGE_AT_50 = {"large_groups": 50}
CASES = {
    "example": (lambda: load_instance(ROOT / "data/example/groups.csv", ROOT / "data/example/capacity.csv",
                                      ROOT / "data/example/rules.toml"), 5.0, {}),
    **{f"scenario-{p.stem}": ((lambda p=p: load_scenario(p)), 5.0, {})
       for p in sorted((ROOT / "data/scenarios").glob("*.toml"))},
    "gen-60x6": (lambda: generate(60, 6, 1), 3.0, {}),
    "gen-200x12": (lambda: generate(200, 12, 1), 4.0, {}),
    "gen-160x12-moves": (lambda: generate(160, 12, 3), 3.0, {"small_moves_from": 100}),
    "gen-120x12-large": (lambda: generate(120, 12, 1), 4.0, {"large_groups": 100}),
    "gen-120x12-lp-only": (lambda: generate(120, 12, 1), 4.0, {"large_groups": 100, "lp_only_groups": 100}),
    "gen-60x8-large-no-lp": (lambda: generate(80, 8, 1), 3.0, {**LARGE_AT_50, "lp_finish_proof": False,
                                                             "lp_level_bound": False, "lp_starts": False}),
}

#: Old module-global name of each tuning field (for recording on code without optimizer.solving.tuning).
GLOBALS = {"wall_factor": "WALL_FACTOR", "large_groups": "LARGE_GROUPS", "lp_only_groups": "LP_ONLY_GROUPS", "small_moves_from": "SMALL_MOVES_FROM",
           "lp_finish_proof": "LP_FINISH_PROOF", "lp_level_bound": "LP_LEVEL_BOUND", "lp_starts": "LP_STARTS"}


def _options(inst, work: float, overrides: dict) -> SolveOptions:
    opts = SolveOptions(time_limit=60.0, work_limit=work, workers=2, seed=1)
    try:
        from optimizer.solving.tuning import Tuning
    except ImportError:  # before the Tuning: module globals
        for k, v in overrides.items():
            setattr(solver_mod, GLOBALS[k], v)
        return opts
    base = Tuning.for_size(len(inst.groups), inst.horizon)
    return dataclasses.replace(opts, tuning=dataclasses.replace(base, **overrides))


def run_case(name: str) -> dict:
    make, work, overrides = CASES[name]
    overrides = {"wall_factor": 200.0, **overrides}  # a loaded machine must not cut a level
    saved = {g: getattr(solver_mod, g) for g in GLOBALS.values() if hasattr(solver_mod, g)}
    try:
        inst = make()
        res = solve(inst, _options(inst, work, overrides))
    finally:
        for g, v in saved.items():
            setattr(solver_mod, g, v)
    plan = sorted(res.plan.to_indices().items()) if res.plan else []
    return {
        "status": res.status,
        "levels": [[lv.name, lv.status, lv.value, lv.bound, lv.stopped_by, lv.bound_by] for lv in res.levels],
        "plan": hashlib.sha256(json.dumps(plan).encode()).hexdigest()[:16],
        "reproducible": res.reproducible,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out")
    ap.add_argument("--check")
    ap.add_argument("cases", nargs="*", help="case names (default: all)")
    a = ap.parse_args()
    names = a.cases or list(CASES)
    got = {}
    for n in names:
        got[n] = run_case(n)
        print(n, json.dumps(got[n]), flush=True)
    if a.out:
        Path(a.out).write_text(json.dumps(got, indent=1) + "\n")
    if a.check:
        want = json.loads(Path(a.check).read_text())
        bad = 0
        for n in names:
            w, g = want.get(n), got[n]
            if w is None or not (w["reproducible"] and g["reproducible"]):
                print(f"{n}: not compared (a wall clock cut it now or then)")
                continue
            if w != g:
                bad += 1
                print(f"{n}: DIFFERENT\n  was {w}\n  now {g}")
        print("same" if not bad else f"{bad} case(s) differ")
        return 1 if bad else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

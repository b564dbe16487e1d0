#!/usr/bin/env python3
"""LP relaxation bounds of one level, with and without the stage floor (benchmarks only).

Solves the LP relaxation of the independent MIP (``highs_mip.RolloutMip``, integrality
dropped) with HiGHS for one objective level, the months cut at ``--max-month`` (e.g. the
finish the finish level reached), three ways:

- plain: the relaxation as the MIP states it (``last >= month`` on fractional months);
- floor: production months before ``stage_floor + stage_gap`` (+ ``risk_delay`` for
  high-risk groups) removed, as ``optimizer.model`` does;
- last = L: the last pilot-stage month fixed to L (pilot-stage groups in months <= L,
  production from L + stage_gap), for each L; the smallest of these over the feasible L is
  a valid bound too, and shows how much the fractional stage gives away.

    python scripts/lp_relaxation.py --size 5000x36 --seed 1 --max-month 27 --level waiting

``highspy`` is a bench extra (``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from optimizer.samples import generate  # noqa: E402
from highs_mip import RolloutMip, _highs_model  # noqa: E402

from optimizer.model import stage_floor  # noqa: E402


def lp_value(mip: RolloutMip, level: str, drop: np.ndarray | None) -> tuple[str, float | None, float]:
    """(status, LP optimum or None, seconds) with the x columns in ``drop`` fixed to 0."""
    import highspy

    lp = _highs_model(mip)
    lp.integrality_ = []
    if drop is not None:
        hi = np.array(lp.col_upper_)
        hi[: mip.n_x][drop] = 0
        lp.col_upper_ = hi
    cost, offset = mip.objective(level)
    lp.col_cost_ = cost
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 2)
    t0 = time.perf_counter()
    h.passModel(lp)
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    value = h.getInfo().objective_function_value + offset if status == "Optimal" else None
    return status, value, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="5000x36", help="GROUPSxMONTHS")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-month", type=int, required=True, help="last month index kept (the finish)")
    ap.add_argument("--level", default="waiting", choices=["finish", "waiting", "assisted"])
    ap.add_argument("--last", default="0,1,2,3", help="last pilot-stage months to fix, comma-separated")
    a = ap.parse_args()
    n, months = (int(x) for x in a.size.split("x"))
    inst = generate(n, months, a.seed)
    mip = RolloutMip(inst, a.max_month)
    r = inst.rules
    stage = np.array([g.pilot_stage for g in inst.groups])
    high = np.array([g.risk == "high" for g in inst.groups])
    gx, tx = mip.g, mip.t
    delay = np.where(high[gx], r.risk_delay, 0)
    floor = stage_floor(inst, mip.T) or 0
    print(f"{inst.name}, months 0..{mip.T - 1}, level {a.level}: stage floor {floor}, "
          f"stage_gap {r.stage_gap}, risk_delay {r.risk_delay}")
    rows = [("plain", None),
            (f"floor ({floor})", ~stage[gx] & (tx < floor + r.stage_gap + delay))]
    for last in (int(x) for x in a.last.split(",")):
        rows.append((f"last = {last}", (stage[gx] & (tx > last)) | (~stage[gx] & (tx < last + r.stage_gap + delay))))
    for name, drop in rows:
        status, value, secs = lp_value(mip, a.level, drop)
        shown = f"{value:,.1f}" if value is not None else "-"
        print(f"  {name:<12} {status:<12} {shown:>16}  ({secs:.1f} s)", flush=True)


if __name__ == "__main__":
    main()

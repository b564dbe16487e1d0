"""Stopping CP-SAT at the worst moment must not abort the process.

OR-Tools 9.15 aborts (``Check failed: solution->size() == postsolve_mapping.size()``)
when a search with ``interleave_search`` and a complete hint is stopped right after
it accepted the hint as its first solution. ``solver._SafeStop`` defers such a stop
until the search has started. The check runs in a subprocess because the failure
mode is SIGABRT, which would take pytest down with it.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = textwrap.dedent(
    """
    import sys, threading
    from ortools.sat.python import cp_model
    from optimizer.domain import Group, Instance, Month, Rules
    from optimizer.solving.greedy import best_greedy
    from optimizer.model import RolloutModel
    from optimizer.solving.solver import _SafeStop

    groups = tuple(Group(name=f"G{i}", size=20 + (i * 37) % 400, readiness=1 + i % 5)
                   for i in range(300))
    months = tuple(Month(label=f"2027-{m:02d}", helpdesk=4000, assisted=300, tech_fair=600)
                   for m in range(1, 13))
    inst = Instance(groups=groups, months=months, rules=Rules())
    rm = RolloutModel(inst)
    rm.hint(best_greedy(inst))
    rm.set_objective("waiting")
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 8
    solver.parameters.interleave_search = True
    solver.parameters.max_deterministic_time = 60
    stopper = _SafeStop(solver, None)

    class StopAtFirst(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self):
            stopper.request()   # the hint has just become the first solution

    status = solver.solve(rm.model, StopAtFirst())
    print(solver.status_name(status))
    """
)


def test_stop_right_after_hint_solution_does_not_abort():
    for _ in range(3):
        r = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                           cwd=ROOT, timeout=120)
        assert r.returncode == 0, r.stderr[-2000:]
        # Stopped early: the hinted plan (feasible) or, if the stop came late, optimal.
        assert r.stdout.split()[-1] in ("FEASIBLE", "OPTIMAL")

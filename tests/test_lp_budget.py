"""The LP steps of optimizer.solving.lp.finish keep their account in a Budget, the same kind as
the run's: every probe and repair is charged to it, and it says what is left."""

from optimizer.samples import generate
from optimizer.solving.budget import Budget
from optimizer.solving.greedy import best_greedy_by
from optimizer.solving.lp.finish import shorten


def test_a_step_budget_counts_work_and_what_is_left():
    bud = Budget.for_step(2.0, 60.0)
    assert bud.deterministic and bud.left() == 2.0 and 0 < bud.wall_left() <= 60.0
    bud.charge(0.75)
    assert bud.work == 0.75 and bud.left() == 1.25


def test_shorten_charges_every_probe_and_repair_to_its_budget():
    inst = generate(40, 8, 1)
    plan, _ = best_greedy_by(inst, float("inf"))
    out = shorten(inst, plan, 0, {}, work=5.0, wall_limit=60.0, seed=1)  # floor 0: the LP is asked
    assert out.probes, "no LP probe was made"
    assert out.budget.total == 5.0
    charged = sum(p.work for p in out.probes) + sum(r.work for r in out.repairs)
    assert abs(out.work - charged) < 1e-9 and out.budget.work == out.work

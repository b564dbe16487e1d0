"""Small re-plan inputs written to files, solved with short limits, and judged (tests/test_replan*.py)."""

from __future__ import annotations

from pathlib import Path

from optimizer.inputs.loaders import load_instance
from optimizer.replan.verify import check_replan
from optimizer.replan.inputs import load_replan_inputs
from optimizer.replan.solve import solve_replan
from optimizer.solving.solver import SolveOptions

HEAD = "group,size,wave,department,risk,readiness,methods,max_months,after\n"
MONTHS = ["2027-01", "2027-02", "2027-03", "2027-04", "2027-05", "2027-06"]


def capacity(helpdesk=1000, assisted=0, tech_fair=0, months=MONTHS) -> str:
    return "month,helpdesk,assisted,tech_fair\n" + "".join(f"{m},{helpdesk},{assisted},{tech_fair}\n" for m in months)


def write(tmp: Path, groups: str, prev: str, actuals: str, *, cap: str | None = None, rules: str = "") -> dict:
    files = {"groups": tmp / "groups.csv", "capacity": tmp / "capacity.csv", "rules": tmp / "rules.toml",
             "previous": tmp / "previous.csv", "actuals": tmp / "actuals.csv"}
    files["groups"].write_text(HEAD + groups)
    files["capacity"].write_text(cap or capacity())
    files["rules"].write_text(rules)
    files["previous"].write_text(prev)
    files["actuals"].write_text("group,month,users,method,tickets\n" + actuals)
    return files


def replan(tmp: Path, groups: str, prev: str, actuals: str, as_of: str, *, cap: str | None = None,
           rules: str = "", observed: bool = False, time_limit: float = 10.0):
    """(inst, re-plan inputs, result) of a re-plan; every plan found is judged by the checker."""
    f = write(tmp, groups, prev, actuals, cap=cap, rules=rules)
    inst = load_instance(f["groups"], f["capacity"], f["rules"])
    rin = load_replan_inputs(inst, f["previous"], f["actuals"], as_of, use_observed_rates=observed)
    res = solve_replan(inst, rin, SolveOptions(time_limit=time_limit, workers=2, seed=1))
    if res.plan is not None:
        assert check_replan(res.plan, rin) == []
        vals = res.plan.objective_values()
        assert all(vals[lv.name] == lv.value for lv in res.levels if lv.status == "optimal")
    return inst, rin, res


def parts(res, group: str) -> list[tuple[str, int]]:
    """(month label, users) of a group's parts in the re-plan."""
    labels = res.plan.inst.month_labels
    return [(labels[t], u) for t, u in res.plan.parts(group)]


def first_new(res, group: str, as_of: int) -> str:
    labels = res.plan.inst.month_labels
    return labels[min(t for t, _u in res.plan.parts(group) if t >= as_of)]

"""``rollout check --actuals FILE --as-of MONTH [--previous PLAN]``: judge a re-plan (the CLI's
side of :mod:`optimizer.replan.check`; registered in cli.py's ``check`` command).

The plan is judged as a re-plan of the history in the actuals: rows before ``--as-of`` absent
or exactly the actuals, the rest of every group from ``--as-of`` on by the rules (see
docs/replan.md). With ``--previous`` the users moved from the previous plan are reported too.
"""

from __future__ import annotations

from rich.console import Console

from optimizer import i18n
from optimizer.replan.actuals import load_actuals
from optimizer.render.console import print_violations, text
from optimizer.domain import Instance
from optimizer.replan.history import build_history
from optimizer.i18n import _
from optimizer.replan.observed_rates import observed_rates
from optimizer.plan import Plan
from optimizer.inputs.planfile import read_plan
from optimizer.replan.check import check_replan, previous_of, replan_levels


def usage_problem(actuals: str | None, as_of: str | None, previous: str | None, observed: bool) -> str | None:
    """What is wrong with the re-plan options together (None: nothing)."""
    if (actuals is None) != (as_of is None):
        return "--actuals and --as-of go together: give both to check a re-plan"
    if actuals is None and (previous is not None or observed):
        return "--previous and --observed-rates need --actuals and --as-of"
    return None


def check_replan_file(console: Console, inst: Instance, plan: Plan, actuals: str, as_of: str,
                      previous: str | None, observed: bool) -> bool:
    """Judge ``plan`` as a re-plan; print the broken rules (or that it keeps them) and the plan's
    levels. True when the re-plan is valid. Bad actuals or previous plan: ``InputError``."""
    acts = load_actuals(inst, actuals, as_of)
    history = build_history(inst, acts)
    rates = observed_rates(acts, inst.rules, observed)
    prev = previous_of(read_plan(inst, previous)) if previous else None
    violations = check_replan(plan, history, prev, rates.tickets)
    print_violations(console, violations)
    if not any(v.rule == "one-assignment" for v in violations):
        vals = replan_levels(plan, history, prev)
        line = _("Finish month {month}; users waiting {waiting} (user-months, weighted by readiness); "
                 "assisted users {assisted}.").format(
            month=i18n.month(inst.months[vals["finish"]].label), waiting=i18n.number(vals["waiting"]),
            assisted=i18n.number(vals["assisted"]))
        if "changes" in vals:
            line += " " + _("Users moved from the previous plan: {n}.").format(n=i18n.number(vals["changes"]))
        console.print(text(line))
    return not violations


"""``rollout compare --stable``: every scenario after the first is re-planned with the first one's
plan as the previous plan (no actuals, as of the first month), so the comparison shows what a
change costs in disruption, not an unrelated optimum: a ``changes`` KPI, the users each scenario
moves away from the month the baseline's plan gave them.

The re-plan itself is the re-plan solver's (``rollout replan``, issue 16):
:func:`replan_entry` is the one place that finds it. Its contract:
``solve_replan(inst, previous, history=None, as_of=0, options=None) -> Result``, with
``previous`` an :class:`~optimizer.replan.previous_plan.PreviousPlan` (users per group and month index
of ``inst``), ``history`` an :class:`~optimizer.replan.history.History` or None (no actuals) and the
objective the re-plan's (``replan_objective``, default finish, changes, waiting, assisted, splits).
"""

from __future__ import annotations

from typing import Callable

from optimizer.replan.actuals import Actuals
from optimizer.domain import Instance
from optimizer.replan.history import History, build_history
from optimizer.i18n import N_
from optimizer.plan import Plan
from optimizer.replan.previous_plan import PreviousPlan, previous_from_parts
from optimizer.solving.solver import SolveOptions
from optimizer.compare.kpis import Comparison, Kpi
from optimizer.compare.runs import ScenarioRun

#: Said when the re-plan solver is not there (exit 2 from the CLI).
MISSING = ("--stable needs the re-plan solver (rollout replan), which this version of rollout does not have; "
           "compare without --stable")


def replan_entry() -> Callable | None:
    """The re-plan solver entry (see the module's docstring), None when missing."""
    try:
        from optimizer.replan.solve import solve_replan  # the re-plan solver's module (issue 16)
    except ImportError:
        return None
    return _stable_replan(solve_replan)


def _stable_replan(solve_replan: Callable) -> Callable:
    """``solve_replan(inst, rin, opts)`` called as this module's contract says: no actuals, the
    rules' ticket rates, the scenario's levels in the re-plan's order."""
    from optimizer.replan.inputs import ReplanInputs
    from optimizer.replan.observed_rates import observed_rates
    from optimizer.replan.solve import replan_instance

    def entry(inst: Instance, previous: PreviousPlan, history: History | None = None, as_of: int = 0,
              options: SolveOptions | None = None):
        hist = history if history is not None else no_history(inst)
        acts = Actuals("", as_of, ())
        rin = ReplanInputs(acts, hist, previous, observed_rates(acts, inst.rules))
        return solve_replan(replan_instance(inst), rin, options or SolveOptions())

    return entry


def no_history(inst: Instance) -> History:
    """The history of a re-plan as of the first month: nothing done yet."""
    return build_history(inst, Actuals("", 0, ()))


def previous_for(baseline: Plan, inst: Instance) -> PreviousPlan:
    """The baseline's plan as the previous plan of scenario ``inst``: parts matched by group name
    and month label (a month or group the scenario lacks has no entry)."""
    index = {lab: t for t, lab in enumerate(inst.month_labels)}
    names = {g.name for g in inst.groups}
    labels = baseline.inst.month_labels
    return previous_from_parts((g.name, index[labels[t]], u, k) for g, k, t, u in baseline.all_parts()
                               if g.name in names and labels[t] in index)


def users_moved(baseline: Plan, plan: Plan) -> int:
    """Users of the groups both plans hold that ``plan`` puts in another month than ``baseline``:
    sum over groups and months (by label) of max(0, baseline users - plan users). The ``changes``
    level of a re-plan as of the first month, also across scenarios whose months differ."""
    def users(p: Plan) -> dict[tuple[str, str], int]:
        labels = p.inst.month_labels
        return {(g.name, labels[t]): u for g, _k, t, u in p.all_parts()}

    base, new = users(baseline), users(plan)
    held = set(plan.assignments)
    return sum(max(0, u - new.get(key, 0)) for key, u in base.items() if key[0] in held)


def solve_stable(runs: list[ScenarioRun], options: SolveOptions, solve_first: Callable,
                 on_done: Callable[[ScenarioRun], None] | None = None) -> list[ScenarioRun]:
    """Solve the first scenario with ``solve_first(runs, options)`` (the comparison's usual
    solve, which reports each solved run itself), then re-plan each other one against its plan, one after another in this process.
    Without a baseline plan the others are solved as usual. Raises ``LookupError`` (the text
    :data:`MISSING`) when the re-plan solver is not there."""
    entry = replan_entry()
    if entry is None:
        raise LookupError(MISSING)
    done = on_done or (lambda run: None)
    solve_first(runs[:1], options)
    base = runs[0]
    if not base.found:
        return solve_first(runs, options)
    todo = [r for r in runs[1:] if r.inst is not None and r.result is None and r.error_kind is None]
    for i, run in enumerate(todo):
        try:
            prev = previous_for(base.result.plan, run.inst)
            run.result = entry(run.inst, prev, history=no_history(run.inst), as_of=0, options=options)
        except Exception as exc:  # one scenario failing never loses the others
            run.error_kind, run.error = "crash", f"the solver failed: {type(exc).__name__}: {exc}"
        done(run)
        if run.result is not None and run.result.interrupted:
            for rest in todo[i + 1:]:
                rest.error_kind, rest.error = "skipped", "not solved: interrupted (Ctrl-C)"
            break
    return runs


def add_changes_kpi(comp: Comparison) -> None:
    """The ``changes`` KPI after the finish month: users moved from the baseline's plan (0 for the
    baseline; None where a scenario has no plan); no delta: the value is already one."""
    runs = comp.runs
    base = runs[0].result.plan if runs and runs[0].found else None
    values = [None if base is None or not r.found else users_moved(base, r.result.plan) for r in runs]
    deltas = [None] * len(runs)  # the value is already the difference from the baseline
    at = next((i + 1 for i, k in enumerate(comp.kpis) if k.key == "finish_month"), len(comp.kpis))
    comp.kpis.insert(at, Kpi("changes", N_("Users moved from the baseline's plan"), "int", values, deltas))
    comp.extra["stable"] = True

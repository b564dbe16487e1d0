"""Why no plan exists, in planner's words, and the smallest changes that would fix it.

1. Conflict: the model is built with one guard literal per rule instance
   (``RolloutModel(guards=True)``: per month and resource, per group and rule, per
   dependency, per month for the optional rules; for a split input the guarded model of
   parts, :class:`optimizer.parts_guarded.GuardedPartsModel`, with months-per-group,
   least-part and one-method per group as well). All guards are solved as assumptions;
   CP-SAT's ``sufficient_assumptions_for_infeasibility`` gives a conflicting subset,
   which a deletion filter shrinks to a minimal one: a rule instance is dropped for
   good when the rest stays infeasible without it. Every rule left is needed: dropping
   any one of them makes a plan possible (up to the time limit: ``minimal`` says so).
2. Repairs: for each rule instance in the conflict, the smallest change of that input
   that gives a plan (bisection on the extra capacity, the nearest window or blackout
   change, dropping a dependency or an optional rule), each verified by a solve, ranked
   by how little they change. ``apply_repair`` turns one into a new Instance.

One module each: :mod:`.rulekeys` (the rule instances), :mod:`.checks` (does an input with
some rules enforced admit a plan?), :mod:`.conflicts` (finding and shrinking the conflicts),
:mod:`.changes`, :mod:`.repair_search` and :mod:`.cell_repair` (the smallest changes),
:mod:`.causes` (one cause behind many groups' conflicts: a late pilot stage), :mod:`.words` (in planner's
words), :mod:`.rounds` (the whole explanation, :func:`explain`) and :mod:`.findings` (what an
explanation holds, and its JSON and text; importable without the solver).
"""

from __future__ import annotations

from optimizer.explain.changes import apply_repair
from optimizer.explain.checks import (
    DEFAULT_TIME_LIMIT,
    Verify,
    family_instance,
    feasible,
    plain_form,
    relax,
)
from optimizer.explain.conflicts import find_conflicts, fits_nowhere, minimal_conflict, shrink
from optimizer.explain.findings import MAX_RULES_SHOWN, Conflict, ConflictSet, Explanation, Repair
from optimizer.explain.repair_search import (
    capacity_repair,
    deadline_repair,
    repairs,
    uniform_capacity_repair,
)
from optimizer.explain.rounds import apply_combined, combine, explain
from optimizer.explain.rulekeys import conflict_groups
from optimizer.explain.words import describe, headline

__all__ = [
    "DEFAULT_TIME_LIMIT", "MAX_RULES_SHOWN", "Conflict", "ConflictSet", "Explanation", "Repair", "Verify",
    "apply_combined", "apply_repair", "capacity_repair", "combine", "conflict_groups", "deadline_repair",
    "describe", "explain", "family_instance", "feasible", "find_conflicts", "fits_nowhere", "headline",
    "minimal_conflict", "plain_form", "relax", "repairs", "shrink", "uniform_capacity_repair",
]

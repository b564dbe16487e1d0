"""Everything ``rollout replan`` reads besides groups, capacity and rules, in one step: the
actuals, the history built from them, the previous plan and the observed ticket rates.

Data flows load -> validate -> model: the CLI loads the instance as for ``solve``, then calls
:func:`load_replan_inputs`; the model, the checker and the renderers read the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from optimizer.replan.actuals import Actuals, load_actuals
from optimizer.domain import Instance
from optimizer.replan.history import History, build_history
from optimizer.replan.observed_rates import ObservedRates, observed_rates
from optimizer.replan.previous_plan import PreviousPlan, read_previous_plan


@dataclass(frozen=True)
class ReplanInputs:
    """The facts of a re-plan: ``actuals`` as read (every row), ``history`` (parts, remaining
    users, done groups, least parts, ``as_of``), ``previous`` (users per group and month of the
    previous plan, and its methods) and ``rates`` (observed beside planned, and which are used)."""

    actuals: Actuals
    history: History
    previous: PreviousPlan
    rates: ObservedRates

    @property
    def as_of(self) -> int:
        return self.history.as_of


def load_replan_inputs(inst: Instance, previous_plan: str | Path, actuals: str | Path, as_of: str, *,
                       use_observed_rates: bool = False, min_part_users: int | None = None) -> ReplanInputs:
    """Read the previous plan and the actuals for ``inst`` as of the month text ``as_of``.
    Any mistake in them is an :class:`~optimizer.errors.InputError` naming file, row and column."""
    acts = load_actuals(inst, actuals, as_of)
    return ReplanInputs(
        actuals=acts,
        history=build_history(inst, acts, min_part_users),
        previous=read_previous_plan(inst, previous_plan),
        rates=observed_rates(acts, inst.rules, use_observed_rates),
    )

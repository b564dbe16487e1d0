"""Until the solver plans parts (issue 15, second wave), inputs that let a group split are refused
by the planning commands with a clear message, instead of a plan that ignores the splits.

``rollout check`` judges split plans already (optimizer.checker); only planning waits.
"""

from __future__ import annotations

from .domain import Instance
from .errors import InputError


def refuse_split_inputs(inst: Instance) -> None:
    """InputError naming where a group is allowed to split (groups file row, or the rules)."""
    for g in inst.groups:
        if inst.max_months(g) > 1 and g.size > 1:
            message = (f"'{g.name}' may enroll over {inst.max_months(g)} months, but this version plans every "
                       "group in one month (split groups can be checked with rollout check, not yet planned); "
                       "set max_months to 1")
            if g.max_months is not None:
                raise InputError(message, file=str(inst.sources.get("groups") or "groups"), row=g.row,
                                 column="max_months")
            raise InputError(message, file=str(inst.sources.get("rules") or "rules"), column="max_months")

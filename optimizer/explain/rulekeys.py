"""Rule instances as an explanation names them: ``(rule, key)`` pairs, and the groups they name."""

from __future__ import annotations

from optimizer import rules as R
from optimizer.domain import Instance


#: capacity rule name -> resource (the inverse of rules.CAPACITY_RULE)
_RESOURCE_OF = {rule: res for res, rule in R.CAPACITY_RULE.items()}


_CAP_RULES = tuple(_RESOURCE_OF)


_GROUP_RULES = (R.WINDOW, R.BLACKOUT, R.METHOD, R.VIP_ASSISTED, R.PRODUCTION_OPENS, R.RISK_DELAY, R.PILOT_FIRST,
                R.MONTHS_PER_GROUP, R.LEAST_PART, R.ONE_METHOD)


def conflict_groups(inst: Instance, keys: list[tuple[str, tuple]]) -> list[str]:
    """The groups a conflict's rules name, in input order (empty: it is about all groups)."""
    names: set[str] = set()
    for rule, k in keys:
        if rule in _GROUP_RULES:
            names.add(k[0])
        elif rule == R.AFTER:
            names.update(k)
        elif rule == R.DEPARTMENTS_TOGETHER:
            names.update(g.name for g in inst.groups if g.department == k[0] and g.wave == k[1])
    return [g.name for g in inst.groups if g.name in names]

"""What an infeasibility explanation holds (built by :mod:`optimizer.explain`).

Kept separate from the code that builds it so writers (JSON, Markdown, XLSX,
compare) can render an explanation without importing the solver machinery.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Conflict:
    """One rule instance in a minimal conflicting set, in planner's words."""

    rule: str  # stable rule name from optimizer.rules, e.g. "helpdesk-capacity"
    key: tuple  # which instance: e.g. ("2027-09",) or ("Retail", "Finance")
    message: str  # e.g. "Retail must come after Finance, but ..."


@dataclass(frozen=True)
class Repair:
    """A change that makes the plan feasible, ranked by how little it changes."""

    description: str  # e.g. "+50 helpdesk tickets in 2027-09"
    kind: str  # e.g. "capacity", "window", "drop-rule"
    cost: float  # smaller = less change; used for ranking
    changes: tuple[tuple[str, Any], ...] = ()  # machine-readable (what, value) pairs


@dataclass
class Explanation:
    conflicts: list[Conflict] = field(default_factory=list)
    repairs: list[Repair] = field(default_factory=list)
    minimal: bool = False  # True when the deletion filter finished (no rule can be dropped)
    seconds: float = 0.0
    note: str = ""  # e.g. "time limit reached; the set may not be minimal"
    summary: str = ""  # one sentence for the common shapes (a group too big for its months, ...)

    @property
    def intro(self) -> str:
        """The sentence before the list of conflicting rules."""
        return "These rules cannot all hold" + (
            " (a minimal set: drop any one and a plan exists):" if self.minimal else ":")

    def headline(self) -> str:
        """One line (compare's reason column)."""
        if self.summary:
            return self.summary
        if not self.conflicts:
            return self.note or "infeasible: no plan satisfies all rules"
        first = self.conflicts[0].message
        more = len(self.conflicts) - 1
        return first if more == 0 else f"{first} (+{more} more rule{'s' if more > 1 else ''})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "conflicts": [{"rule": c.rule, "key": list(c.key), "message": c.message} for c in self.conflicts],
            "repairs": [{"description": r.description, "kind": r.kind, "cost": r.cost,
                         "changes": [list(ch) for ch in r.changes]} for r in self.repairs],
            "minimal": self.minimal,
            "seconds": round(self.seconds, 3),
            "note": self.note,
            "summary": self.headline(),
        }

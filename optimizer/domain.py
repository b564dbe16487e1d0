"""Problem data: validated, immutable dataclasses.

Everything downstream (model, checker, exports) reads these and nothing else.
Loaders (:mod:`optimizer.inputs.loaders`) turn files into an :class:`Instance`;
cross-field validation lives in :mod:`optimizer.inputs.validation`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Mapping

WAVES = ("pilot", "expanded-pilot", "production")
PILOT_STAGE = ("pilot", "expanded-pilot")
PLATFORMS = ("windows", "ios", "android", "macos", "mixed")
RISKS = ("low", "medium", "high")
METHODS = ("self-service", "assisted", "tech-fair")
#: Objective level names ``objective`` in rules.toml may list (model v2 adds ``splits``).
OBJECTIVE_LEVELS = ("finish", "waiting", "assisted", "splits")
#: The default lexicographic objective. ``splits`` is always 0 when no group may split, and is
#: then left out of an instance's objective (:func:`effective_rules`): outputs stay as in v1.
DEFAULT_OBJECTIVE = OBJECTIVE_LEVELS
#: Levels ``replan_objective`` may list: ``changes`` (users moved from the previous plan) besides
#: the others (model v2 spec, "Re-planning with actuals").
REPLAN_OBJECTIVE_LEVELS = ("finish", "changes", "waiting", "assisted", "splits")
#: ``rollout replan``'s default order when the rules give no ``replan_objective``.
DEFAULT_REPLAN_OBJECTIVE = REPLAN_OBJECTIVE_LEVELS

#: Display names used in plan tables (the guide's method sub-rows).
METHOD_LABELS = {
    "self-service": "Self-service",
    "assisted": "Assisted",
    "tech-fair": "IT tech fair",
}
WAVE_PHASES = {"pilot": "Limited pilot", "expanded-pilot": "Expanded pilot"}

DEFAULT_TICKETS_PER_100 = {"self-service": 15, "assisted": 2, "tech-fair": 5}


@dataclass(frozen=True)
class Group:
    """One target group: users enrolled by one method, in one month or (model v2, ``max_months``
    > 1) in parts over up to ``max_months`` months."""

    name: str
    size: int
    wave: str = "production"
    department: str = ""
    platform: str = "mixed"
    location: str = ""
    risk: str = "medium"
    readiness: int = 3
    vip: bool = False
    methods: tuple[str, ...] = METHODS
    earliest: str | None = None
    latest: str | None = None
    blackout: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    #: At most this many months with a part (split group, model v2); None = the rules' max_months.
    max_months: int | None = None
    #: 1-based data row in the source file (for messages); 0 when built in code.
    row: int = 0

    @property
    def pilot_stage(self) -> bool:
        return self.wave in PILOT_STAGE


@dataclass(frozen=True)
class Month:
    """One month of the planning horizon with its capacities."""

    label: str
    helpdesk: int
    assisted: int = 0
    tech_fair: int = 0
    row: int = 0

    def capacity(self, resource: str) -> int:
        return {"helpdesk": self.helpdesk, "assisted": self.assisted, "tech_fair": self.tech_fair}[
            resource
        ]


RESOURCES = ("helpdesk", "assisted", "tech_fair")
RESOURCE_LABELS = {"helpdesk": "helpdesk tickets", "assisted": "assisted users", "tech_fair": "tech-fair users"}


@dataclass(frozen=True)
class Rules:
    """Planning rules (``rules.toml``); defaults are the issue's contract."""

    stage_gap: int = 1
    risk_delay: int = 1
    vip_assisted: bool = True
    max_platforms_per_month: int = 0
    max_locations_per_month: int = 0
    keep_departments_together: bool = False
    objective: tuple[str, ...] = DEFAULT_OBJECTIVE
    #: ``rollout replan``'s order of levels (None: DEFAULT_REPLAN_OBJECTIVE).
    replan_objective: tuple[str, ...] | None = None
    #: Split groups (model v2): default months a group may span, and the least part (users).
    max_months: int = 1
    min_part_users: int = 50
    tickets_per_100_users: Mapping[str, int] = field(
        default_factory=lambda: dict(DEFAULT_TICKETS_PER_100)
    )

    def tickets(self, size: int, method: str) -> int:
        """Helpdesk tickets a group of ``size`` users generates with ``method``.

        ceil(size * rate / 100) in integer arithmetic.
        """
        rate = self.tickets_per_100_users[method]
        return -(-size * rate // 100)


@dataclass(frozen=True)
class Instance:
    """A complete, validated planning problem."""

    groups: tuple[Group, ...]
    months: tuple[Month, ...]
    rules: Rules = field(default_factory=Rules)
    name: str = "rollout"
    #: Where the data came from: {"groups": path, "capacity": path, "rules": path|None}.
    sources: Mapping[str, str | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "rules", effective_rules(self.rules, self.groups))

    # --- derived lookups (cheap, computed on demand) ---------------------
    def max_months(self, g: Group) -> int:
        """Months ``g`` may span (its own ``max_months``, else the rules')."""
        return g.max_months if g.max_months is not None else self.rules.max_months

    def least_part(self, g: Group) -> int:
        """The fewest users a part of ``g`` may have: min(min_part_users, size), at least 1."""
        return max(1, min(self.rules.min_part_users, g.size))

    @cached_property
    def may_split(self) -> bool:
        """True when some group may enroll over more than one month."""
        return any(self.max_months(g) > 1 and g.size > 1 for g in self.groups)

    @property
    def month_labels(self) -> list[str]:
        return [m.label for m in self.months]

    def month_index(self, label: str) -> int:
        return self.month_labels.index(label)

    @property
    def horizon(self) -> int:
        return len(self.months)

    def group(self, name: str) -> Group:
        for g in self.groups:
            if g.name == name:
                return g
        raise KeyError(name)

    def allowed_methods(self, g: Group) -> tuple[str, ...]:
        """Methods ``g`` may use: its own list, narrowed to assisted for VIPs."""
        if g.vip and self.rules.vip_assisted:
            return tuple(k for k in g.methods if k == "assisted")
        return g.methods

    def allowed_months(self, g: Group) -> list[int]:
        """Month indices inside [earliest, latest] that are not blacked out."""
        labels = self.month_labels
        lo = labels.index(g.earliest) if g.earliest else 0
        hi = labels.index(g.latest) if g.latest else len(labels) - 1
        black = {labels.index(b) for b in g.blackout}
        return [t for t in range(lo, hi + 1) if t not in black]


def effective_rules(rules: Rules, groups: tuple[Group, ...] | list[Group]) -> Rules:
    """``rules`` as an instance of ``groups`` uses them: the ``splits`` level is dropped from the
    objective when no group may split (it is 0 in every plan then), so v1 inputs keep v1's
    objective levels, outputs and solver."""
    if "splits" not in rules.objective:
        return rules
    may = any((g.max_months if g.max_months is not None else rules.max_months) > 1 and g.size > 1
              for g in groups)
    if may or len(rules.objective) == 1:
        return rules
    return replace(rules, objective=tuple(lv for lv in rules.objective if lv != "splits"))


# --- shared names of the solver side (issue 22) ---------------------------
#: A plan as the solver side handles it: group index -> (month index, method).
#: (:class:`optimizer.plan.Assignment` is one group's row of a finished plan.)
Choices = dict[int, tuple[int, str]]

#: The capacity (resource) each in-person method takes seats from; self-service takes none.
SEAT_RESOURCE = {"assisted": "assisted", "tech-fair": "tech_fair"}
#: The method that takes seats from each seat resource.
SEAT_METHOD = {res: k for k, res in SEAT_RESOURCE.items()}


def method_load(rules: Rules, size: int, method: str) -> dict[str, int]:
    """What a group of ``size`` users enrolling by ``method`` takes from each resource."""
    load = {res: 0 for res in RESOURCES}
    load["helpdesk"] = rules.tickets(size, method)
    if method in SEAT_RESOURCE:
        load[SEAT_RESOURCE[method]] = size
    return load

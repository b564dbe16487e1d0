"""Stable names of the planning rules.

The model, the checker and every report use these names, so a message can say
which rule binds or breaks. Names are part of the public contract (JSON output,
`rollout check`): add new ones, never rename.
"""

from __future__ import annotations

ONE_ASSIGNMENT = "one-assignment"
METHOD = "method"
VIP_ASSISTED = "vip-assisted"
WINDOW = "window"
BLACKOUT = "blackout"
HELPDESK = "helpdesk-capacity"
ASSISTED_CAP = "assisted-capacity"
TECH_FAIR_CAP = "tech-fair-capacity"
PILOT_FIRST = "pilot-first"
PRODUCTION_OPENS = "production-opens"
RISK_DELAY = "risk-delay"
AFTER = "after"
MAX_PLATFORMS = "max-platforms"
MAX_LOCATIONS = "max-locations"
DEPARTMENTS_TOGETHER = "departments-together"
# model v2: split groups (docs/model.md "Split groups")
PARTS_SUM = "parts-sum"
WHOLE_USERS = "whole-users"
MONTHS_PER_GROUP = "months-per-group"
LEAST_PART = "least-part"
ONE_METHOD = "one-method"
# re-planning with actuals (docs/replan.md)
HISTORY_KEPT = "history-kept"
NO_PAST_PARTS = "no-past-parts"

CAPACITY_RULE = {"helpdesk": HELPDESK, "assisted": ASSISTED_CAP, "tech_fair": TECH_FAIR_CAP}

DESCRIPTIONS = {
    ONE_ASSIGNMENT: "every group gets exactly one month and one method",
    METHOD: "a group uses only one of its allowed methods",
    VIP_ASSISTED: "VIP groups use assisted enrollment only",
    WINDOW: "a group enrolls between its earliest and latest month",
    BLACKOUT: "a group does not enroll in its blackout months",
    HELPDESK: "helpdesk tickets in a month stay within the helpdesk capacity",
    ASSISTED_CAP: "assisted-enrollment users in a month stay within the assisted capacity",
    TECH_FAIR_CAP: "tech-fair users in a month stay within the tech-fair capacity",
    PILOT_FIRST: "every limited-pilot group enrolls no later than every expanded-pilot group",
    PRODUCTION_OPENS: "production groups start stage_gap months after the last pilot-stage month",
    RISK_DELAY: "high-risk production groups wait risk_delay more months",
    AFTER: "a group enrolls in a strictly later month than the groups in its 'after' list",
    MAX_PLATFORMS: "at most max_platforms_per_month platforms enroll in one month",
    MAX_LOCATIONS: "at most max_locations_per_month locations enroll in one month",
    DEPARTMENTS_TOGETHER: "groups of one department and wave start in the same month",
    PARTS_SUM: "the parts of a group add up to its size",
    WHOLE_USERS: "every part is a whole number of users",
    MONTHS_PER_GROUP: "a group's parts lie within max_months months from its first to its last",
    LEAST_PART: "every part has at least min_part_users users (or the whole group, if smaller)",
    ONE_METHOD: "all parts of a group use the same method",
    HISTORY_KEPT: "a re-plan's months before --as-of are left out or are exactly the actuals",
    NO_PAST_PARTS: "a re-plan adds no users in the months before --as-of",
}

"""A plan as pandas DataFrames, for library users (``plan.to_frame()``, ``plan.loads_frame()``).

Built from the same records as every other output (:meth:`Plan.rows`,
:func:`optimizer.render.report.load_rows`), so the frames show the CSV's and the workbook's figures.
"""

from __future__ import annotations

import pandas as pd

from optimizer.plan import Plan

#: Columns of :func:`plan_frame`, in order.
PLAN_COLUMNS = ["group", "month", "method", "size", "wave", "phase", "department", "platform", "location",
                "risk", "readiness", "vip", "month_index", "tickets"]


def plan_frame(plan: Plan) -> pd.DataFrame:
    """One row per group (v2 plans: per part, with ``users``), in input order: the CSV's columns,
    the group's attributes, the month's position in the horizon (0 = first month) and its helpdesk tickets."""
    groups = {g.name: g for g in plan.inst.groups}
    index = {label: t for t, label in enumerate(plan.inst.month_labels)}
    records = []
    for row in plan.rows():
        g = groups[row["group"]]
        records.append({**row, "department": g.department, "platform": g.platform, "location": g.location,
                        "risk": g.risk, "readiness": g.readiness, "vip": g.vip, "month_index": index[row["month"]],
                        "tickets": plan.inst.rules.tickets(row.get("users", g.size), row["method"])})
    columns = PLAN_COLUMNS[:3] + ["users"] + PLAN_COLUMNS[3:] if plan.v2 else PLAN_COLUMNS
    return pd.DataFrame.from_records(records, columns=columns)


def loads_frame(plan: Plan) -> pd.DataFrame:
    """One row per month: users, cumulative users and per resource the load and the capacity
    (columns ``helpdesk``, ``helpdesk_capacity``, ...), indexed by the month label."""
    from optimizer.render.report import load_rows

    return pd.DataFrame.from_records(load_rows(plan)).set_index("month")

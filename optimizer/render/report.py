"""Plan and result as data: tables and a JSON-ready summary.

Renderers (terminal, Markdown, CSV, JSON, XLSX) all start from these, so
every format shows the same figures.
"""

from __future__ import annotations

import datetime as _dt
import platform as _platform
from typing import Any

from optimizer import i18n
from optimizer.domain import METHODS, RESOURCES, Instance
from optimizer.i18n import _
from optimizer.plan import Plan
from optimizer.solving.solver import Result

CSV_COLUMNS = ("group", "month", "method", "size", "wave", "phase")


def plan_grid(plan: Plan, sep: str = ", ") -> tuple[list[str], list[list[str]]]:
    """The guide's first table: header + one row per phase, cells 'Name (N users)'
    (several groups in one cell joined by ``sep``)."""
    header = [_("Phase")] + month_header(plan.inst, getattr(plan, "as_of", 0))
    rows = [[i18n.phase(phase)] + [sep.join(cell) for cell in cells] for phase, cells in plan.table().items()]
    return header, rows


def method_grid(plan: Plan, sep: str = ", ") -> tuple[list[str], list[list[str]]]:
    """The guide's second table: each phase row followed by its method sub-rows."""
    header = [_("Phase / method")] + month_header(plan.inst, getattr(plan, "as_of", 0))
    T = plan.inst.horizon
    rows = []
    for phase, by_method in plan.method_table().items():
        names_per_month = [[n for k in METHODS for n in by_method[k][t]] for t in range(T)]
        rows.append([i18n.phase(phase)] + [sep.join(n) for n in names_per_month])
        for k in METHODS:
            if any(by_method[k][t] for t in range(T)):
                rows.append(["  " + i18n.method(k)] + [sep.join(by_method[k][t]) for t in range(T)])
    return header, rows


def month_header(inst: Instance, done_before: int = 0) -> list[str]:
    """The months as the guide's table header writes them ('Juli 2027' in Swedish); a re-plan's
    months before ``done_before`` (its as-of month) are marked done: what they hold is history."""
    return [i18n.month(label, title=True) + (" " + _("(done)") if t < done_before else "")
            for t, label in enumerate(inst.month_labels)]


def count_grid(plan: Plan) -> tuple[list[str], list[list[str]]]:
    """The first table for plans too large to list every group: each cell 'N groups (M users)'."""
    inst = plan.inst
    names = plan.phases()
    cells = {p: [[0, 0] for _ in inst.months] for p in names}
    for _g, _a, t, u, phase in plan.phased_parts():  # a split group counts in each month it has a part
        c = cells[phase][t]
        c[0] += 1
        c[1] += u
    rows = [[i18n.phase(p)] + [(i18n.ngettext("{n} group", "{n} groups", n).format(n=i18n.number(n)) + f" ({i18n.ngettext('{n} user', '{n} users', u).format(n=i18n.number(u))})")
                               if n else "" for n, u in cells[p]] for p in names]
    return [_("Phase")] + month_header(inst, getattr(plan, "as_of", 0)), rows


def load_rows(plan: Plan) -> list[dict[str, Any]]:
    """Per month: load and capacity of each resource, users and cumulative users."""
    out, cum = [], 0
    for m, load in zip(plan.inst.months, plan.loads()):
        cum += load["users"]
        row: dict[str, Any] = {"month": m.label, "users": load["users"], "cumulative_users": cum}
        for r in RESOURCES:
            row[r] = load[r]
            row[f"{r}_capacity"] = m.capacity(r)
        out.append(row)
    return out


def level_rows(result: Result) -> list[dict[str, Any]]:
    return [
        {
            "level": lv.name,
            "status": lv.status,
            "value": lv.value,
            "bound": lv.bound,
            "gap": None if lv.gap is None else round(lv.gap, 6),
            "seconds": round(lv.seconds, 3),
            "stopped_by": lv.stopped_by,
            "bound_by": lv.bound_by,
        }
        for lv in result.levels
    ]


def finish_label(inst: Instance, result: Result) -> str | None:
    return inst.months[result.plan.finish()].label if result.plan else None


def summary(inst: Instance, result: Result, *, include_time: bool = True) -> dict[str, Any]:
    """Everything a run produced, JSON-ready (the ``.json`` export)."""
    plan = result.plan
    opts = result.options
    data: dict[str, Any] = {
        "scenario": inst.name,
        "status": result.status,
        "interrupted": result.interrupted,
        "reproducible": result.reproducible,
        "objective": [lv for lv in level_rows(result)],
        "finish_month": finish_label(inst, result),
        "solver": {
            "name": "OR-Tools CP-SAT",
            "ortools_version": result.ortools_version,
            "python": _platform.python_version(),
            "seed": opts.seed,
            "workers": opts.workers,
            "time_limit": opts.time_limit,
            # deterministic seconds the levels shared (the CLI sizes them to the wall-clock limit)
            "work_limit": round(opts.work_limit if opts.work_limit is not None else opts.time_limit, 3)
            if opts.deterministic else None,
            "deterministic": opts.deterministic,
            "parameters": opts.parameters(),
            "window_moves": opts.lns,
            # thresholds of the solve strategy changed from their defaults (optimizer.solving.tuning)
            **({"tuning": opts.tuning.changes()} if opts.tuning is not None and opts.tuning.changes() else {}),
        },
        "model": result.model_stats,
        "seconds": round(result.seconds, 3),
        "inputs": dict(inst.sources),
        "rules": {
            "stage_gap": inst.rules.stage_gap,
            "risk_delay": inst.rules.risk_delay,
            "vip_assisted": inst.rules.vip_assisted,
            "max_platforms_per_month": inst.rules.max_platforms_per_month,
            "max_locations_per_month": inst.rules.max_locations_per_month,
            "keep_departments_together": inst.rules.keep_departments_together,
            "objective": list(inst.rules.objective),
            **({"max_months": inst.rules.max_months, "min_part_users": inst.rules.min_part_users}
               if inst.may_split else {}),
            "tickets_per_100_users": dict(inst.rules.tickets_per_100_users),
        },
        "assignments": plan.group_rows() if plan else [],  # v2 plans: parts per group
        "loads": load_rows(plan) if plan else [],
    }
    if result.explanation is not None:
        data["explanation"] = result.explanation.to_dict()
    if include_time:
        data["created"] = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    return data

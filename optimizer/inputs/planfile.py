"""Read a plan back (e.g. one a planner edited by hand) for ``rollout check``.

Only the columns ``group``, ``month`` and ``method`` are needed; any others
(size, wave, phase, notes...) are ignored. Unknown names are input errors;
a group missing from the plan is a rule violation the checker reports.

A v2 plan (model v2, split groups) has a ``users`` column and one row per part: a group may
have several rows, at most one per month; a row with users 0 is no part. Without a ``users``
column each group has one row holding all its users (v1). Read errors (exit 2): an unknown
group or month, users that are not a whole number >= 0, a group and month twice. Parts whose
users do not add up to the group's size, two methods for one group, a span too long: these are
rule violations the checker names (the planner's plan is shown to them, not refused).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from optimizer.domain import METHOD_LABELS, METHODS, Instance, Rules, effective_rules
from optimizer.errors import InputError
from optimizer.inputs.input_words import METHOD_WORDS
from optimizer.months import normalise as normalise_month
from optimizer.plan import Assignment, Plan
from optimizer.inputs.tables import Table, read_table
from optimizer.inputs.validation import validate_instance

_METHOD_ALIASES = {k: k for k in METHODS} | {v.lower(): k for k, v in METHOD_LABELS.items()} | METHOD_WORDS


def plan_from_table(inst: Instance, table: Table) -> Plan:
    for col in ("group", "month", "method"):
        if col not in table.header:
            raise InputError(
                f"the required column '{col}' is missing (a plan needs group, month and method)",
                file=table.file, row=1,
            )
    # Input tables read a tab inside a cell as a space (optimizer.inputs.cell_text); a group named in
    # code with a tab still matches its row in a plan file.
    names = {g.name.replace("\t", " "): g.name for g in inst.groups}
    if "users" in table.header:
        return _plan_v2(inst, table, names)
    labels = inst.month_labels
    seen: dict[str, int] = {}
    out: dict[str, Assignment] = {}
    for line, rec in table.records():
        name = _group(rec, names, table, line)
        if name in seen:
            raise InputError(
                f"'{name}' appears twice (also on row {seen[name]}); a plan gives each group one month",
                file=table.file, row=line, column="group",
            )
        seen[name] = line
        out[name] = Assignment(name, _month(rec, labels, table, line), _method(rec, table, line))
    return Plan(inst, out)


def _group(rec: dict, names: dict[str, str], table: Table, line: int) -> str:
    name = rec.get("group", "")
    if not name:
        raise InputError("the group name is empty", file=table.file, row=line, column="group")
    if name not in names:
        raise InputError(f"'{name}' is not a group of the groups file", file=table.file, row=line, column="group")
    return names[name]


def _month(rec: dict, labels: list[str], table: Table, line: int) -> int:
    month = normalise_month(rec.get("month", ""))
    if month not in labels:
        raise InputError(
            f"'{month}' is not a month of the capacity file (months: {labels[0]} .. {labels[-1]})",
            file=table.file, row=line, column="month",
        )
    return labels.index(month)


def _method(rec: dict, table: Table, line: int) -> str:
    method = _METHOD_ALIASES.get(rec.get("method", "").lower())
    if method is None:
        raise InputError(
            f"'{rec.get('method', '')}' is not a method; use one of: {', '.join(METHODS)}",
            file=table.file, row=line, column="method",
        )
    return method


def _users(rec: dict, table: Table, line: int) -> int:
    text = rec.get("users", "").replace("\u00a0", "").replace(" ", "")
    if not _WHOLE.match(text):
        raise InputError(f"users must be a whole number of 0 or more, got '{rec.get('users', '')}'",
                         file=table.file, row=line, column="users")
    return int(text)


_WHOLE = re.compile(r"^[+]?\d{1,9}$")


def _plan_v2(inst: Instance, table: Table, names: dict[str, str]) -> Plan:
    """One row per part (a ``users`` column): parts per group; methods as given, per part."""
    labels = inst.month_labels
    seen: dict[tuple[str, int], int] = {}
    parts: dict[str, list[tuple[int, int, str]]] = {}
    for line, rec in table.records():
        name = _group(rec, names, table, line)
        t = _month(rec, labels, table, line)
        if (name, t) in seen:
            raise InputError(
                f"'{name}' has two rows for {labels[t]} (also row {seen[(name, t)]}); a plan gives a group "
                "at most one row per month", file=table.file, row=line, column="month")
        seen[(name, t)] = line
        method, users = _method(rec, table, line), _users(rec, table, line)
        if users > 0:
            parts.setdefault(name, []).append((t, users, method))
    out: dict[str, Assignment] = {}
    for g in inst.groups:
        if g.name in parts:
            ps = sorted(parts[g.name])
            a = Assignment.from_parts(g.name, ps[0][2], [(t, u) for t, u, _k in ps])
            out[g.name] = dataclasses.replace(a, part_methods=tuple(k for _t, _u, k in ps))
    return Plan(inst, out)


WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".ods")


def rules_for_check(inst: Instance, plan_path: str | Path) -> tuple[Instance, str | None]:
    """``rollout check`` without ``--rules``: the rules a plan workbook records (sheet Inputs) are
    the rules it was made under, so they are checked, unless the inputs set rules of their own
    (a scenario, a Rules sheet). Returns the instance to check and a note for the planner."""
    if not str(plan_path).lower().endswith(WORKBOOK_SUFFIXES):
        return inst, None
    from optimizer.inputs.xlsx_input import recorded_rules

    recorded = recorded_rules(plan_path)
    if recorded is None or recorded == inst.rules:
        return inst, None
    name = Path(plan_path).name
    if inst.rules != effective_rules(Rules(), inst.groups):  # the defaults as this instance uses them
        return inst, (f"{name} was made under other rules than the inputs set; checking against the inputs' "
                      "rules (give --rules to choose)")
    checked = dataclasses.replace(inst, rules=recorded)
    validate_instance(checked, groups_file=str(inst.sources.get("groups") or "groups"),
                      capacity_file=str(inst.sources.get("capacity") or "capacity"))
    return checked, f"Rules: as recorded in {name} (sheet Inputs); give --rules to check against others"


def read_plan(inst: Instance, path: str | Path) -> Plan:
    """A plan CSV, or a plan workbook's Assignments sheet (.xlsx, .ods)."""
    if str(path).lower().endswith(WORKBOOK_SUFFIXES):
        from optimizer.inputs.xlsx_input import read_sheet_table

        return plan_from_table(inst, read_sheet_table(path, "Assignments"))
    return plan_from_table(inst, read_table(path))

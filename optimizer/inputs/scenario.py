"""What-if scenarios: a small TOML file of overrides on top of the CSV inputs.

A scenario names its data and says what is different about it::

    name = "More helpdesk"
    extends = "baseline.toml"          # inherit everything, then override (chains, cycle-safe)
    groups = "../example/groups.csv"   # paths are relative to the TOML that writes them
    capacity = "../example/capacity.csv"
    rules = "../example/rules.toml"    # optional rules file
    start = "2027-08"                  # drop the months before this one
    max_platforms_per_month = 1        # any key of rules.toml overrides the rules

    [capacity_scale]                   # multiply a resource in every month, rounded down
    helpdesk = 1.25

    [capacity_add."2027-09"]           # add (or, negative, remove) capacity in one month
    tech_fair = 500

    [groups."Retail"]                  # any column of groups.csv except the name
    earliest = "2027-09"
    methods = ["self-service", "tech-fair"]

A file that sets both the groups path and group overrides writes the path as
``[groups] file = "groups.csv"`` (TOML cannot hold ``groups = "..."`` and
``[groups."Retail"]`` in one file).

Merging along ``extends``: the child's value wins, key by key — per rule
(``tickets_per_100_users`` per method), per resource in ``[capacity_scale]``,
per month and resource in ``[capacity_add]``, per group and column in
``[groups."..."]``. ``name`` and ``description`` are not inherited.

Capacity in a month = floor(file value x scale) + add; it must stay >= 0.
Every error is an :class:`InputError` naming the scenario file and key.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from optimizer.domain import RESOURCES, Group, Instance, Month
from optimizer.errors import InputError
from optimizer.months import normalise as normalise_month
from optimizer.inputs.loaders import (
    MAX_CAPACITY,
    build_instance,
    parse_groups,
    parse_rules,
    read_toml,
)
from optimizer.inputs.scenario_file import (
    MAX_SCALE,
    OVERRIDE_COLUMNS,
    RULE_KEYS,
    SCENARIO_KEYS,
    _cell_text,
    _chain,
    _fail,
    _key,
    _Layer,
    _path_value,
)
from optimizer.inputs.tables import Table, read_table
from optimizer.inputs.validation import validate_instance

__all__ = ["MAX_SCALE", "OVERRIDE_COLUMNS", "RULE_KEYS", "SCENARIO_KEYS", "load_scenario", "scenario_description"]


@dataclass
class _Merged:
    """All layers merged; every value remembers the file that set it (for messages)."""

    groups: tuple[Path, Path] | None = None  # (csv path, scenario that set it)
    capacity: tuple[Path, Path] | None = None
    start: tuple[str, Path] | None = None
    rules: dict[str, Any] = field(default_factory=dict)
    rules_files: list[str] = field(default_factory=list)
    scale: dict[str, tuple[Decimal, Path]] = field(default_factory=dict)
    add: dict[str, dict[str, tuple[int, Path]]] = field(default_factory=dict)
    overrides: dict[str, dict[str, tuple[Any, Path]]] = field(default_factory=dict)


def _merge(layers: list[_Layer], extra_rules: str | Path | None) -> _Merged:
    m = _Merged()

    def rules_update(data: dict[str, Any]) -> None:
        for k, v in data.items():
            if k == "tickets_per_100_users":
                m.rules.setdefault(k, {}).update(v)
            else:
                m.rules[k] = v

    for layer in layers:
        d, p = layer.data, layer.path
        if "groups" in d:
            g = d["groups"]
            if isinstance(g, dict):
                if isinstance(g.get("file"), str):
                    m.groups = (_path_value(p, "groups.file", g["file"]), p)
                for name, cols in g.items():
                    if isinstance(cols, dict):
                        for col, v in cols.items():
                            m.overrides.setdefault(name, {})[col] = (v, p)
            else:
                m.groups = (_path_value(p, "groups", g), p)
        if "capacity" in d:
            m.capacity = (_path_value(p, "capacity", d["capacity"]), p)
        if "start" in d:
            m.start = (normalise_month(d["start"].strip()), p)
        if layer.rules_file is not None:
            rules_update(layer.rules_file_data)
            m.rules_files.append(str(layer.rules_file))
        rules_update({k: d[k] for k in RULE_KEYS if k in d})
        for res, v in d.get("capacity_scale", {}).items():
            m.scale[res] = (Decimal(str(v)), p)
        for month, row in d.get("capacity_add", {}).items():
            for res, v in row.items():
                m.add.setdefault(normalise_month(month), {})[res] = (v, p)
    if extra_rules is not None:
        data = read_toml(extra_rules)
        parse_rules(data, str(extra_rules))
        rules_update(data)
        m.rules_files.append(str(extra_rules))
    return m


def _apply_capacity(months: list[Month], m: _Merged) -> list[Month]:
    labels = [x.label for x in months]
    for month, row in m.add.items():
        if month not in labels:
            (_, p) = next(iter(row.values()))
            raise _fail(p, _key("capacity_add", month),
                        f"'{month}' is not a month of the capacity file (months: {labels[0]} .. {labels[-1]})")
    if m.start is not None:
        start, p = m.start
        if start not in labels:
            raise _fail(p, "start", f"'{start}' is not a month of the capacity file "
                                    f"(months: {labels[0]} .. {labels[-1]})")
        months = months[labels.index(start):]
    out = []
    for mo in months:
        kw = {}
        for res in RESOURCES:
            value = mo.capacity(res)
            where = None
            if res in m.scale:
                factor, where = m.scale[res]
                value = int(math.floor(Decimal(value) * factor))
            if res in m.add.get(mo.label, {}):
                delta, where = m.add[mo.label][res]
                value += delta
            if not 0 <= value <= MAX_CAPACITY:
                raise _fail(where, _key("capacity_add", mo.label, res),
                            f"{res} capacity in {mo.label} becomes {value}; it must stay between 0 and {MAX_CAPACITY}")
            kw[res] = value
        out.append(dataclasses.replace(mo, **kw))
    return out


def _apply_group_overrides(groups: list[Group], m: _Merged, groups_file: str) -> list[Group]:
    by_name = {g.name: i for i, g in enumerate(groups)}
    out = list(groups)
    for name, cols in m.overrides.items():
        if name not in by_name:
            (_, p) = next(iter(cols.values()))
            raise _fail(p, _key("groups", name), f"'{name}' is not a group of {groups_file}")
        g = groups[by_name[name]]
        changes: dict[str, Any] = {}
        for col, (value, p) in cols.items():
            key = _key("groups", name, col)
            text = _cell_text(p, key, col, value)
            base = {"group": name, "size": str(g.size)}
            base[col] = text
            table = Table(file=str(p), header=list(base), rows=[list(base.values())], line_numbers=[0])
            try:
                parsed = parse_groups(table)[0]
            except InputError as err:
                raise _fail(p, key, err.message) from None
            changes[col] = getattr(parsed, col)  # an empty value means the column's default
        out[by_name[name]] = dataclasses.replace(g, **changes)
    return out


def _check_names(groups: list[Group], all_labels: list[str], m: _Merged, start: str | None) -> list[Group]:
    """Override values naming months/groups are checked here, located in the scenario;
    then months before ``start`` are dropped from every group."""
    names = {g.name for g in groups}
    for name, cols in m.overrides.items():
        for col, (value, p) in cols.items():
            key = _key("groups", name, col)
            g = next(x for x in groups if x.name == name)
            if col in ("earliest", "latest", "blackout"):
                vals = [getattr(g, col)] if col != "blackout" else list(g.blackout)
                for v in vals:
                    if v is not None and v not in all_labels:
                        raise _fail(p, key, f"'{v}' is not a month of the capacity file "
                                            f"(months: {all_labels[0]} .. {all_labels[-1]})")
            if col == "after":
                for a in g.after:
                    if a not in names:
                        raise _fail(p, key, f"'after' names an unknown group '{a}'")
    if start is None:
        return groups
    first = all_labels.index(start)
    dropped = set(all_labels[:first])
    out = []
    for g in groups:
        if g.latest in dropped:
            raise _fail(m.start[1], "start",
                        f"starting in {start} leaves no month for '{g.name}', whose latest month is {g.latest}")
        out.append(dataclasses.replace(
            g,
            earliest=None if g.earliest in dropped else g.earliest,
            blackout=tuple(b for b in g.blackout if b not in dropped),
        ))
    return out


def load_scenario(path: str | Path, *, rules: str | Path | None = None) -> Instance:
    """Load a scenario TOML into a validated :class:`Instance` named after the scenario.

    ``rules`` (the CLI's ``--rules``) is applied on top of everything the scenario sets.
    """
    path = Path(path)
    layers = _chain(path)
    leaf = layers[-1]
    m = _merge(layers, rules)
    for what in ("groups", "capacity"):
        if getattr(m, what) is None:
            raise _fail(path, what, f"the scenario does not say where its {what} file is: set "
                                    f"{what} = \"{what}.csv\" (relative to the scenario file)"
                                    + (" here or in a scenario it extends" if len(layers) > 1 else ""))
    groups_path, _ = m.groups
    capacity_path, _ = m.capacity
    rule_obj = parse_rules(m.rules, str(leaf.path))
    # Parse and validate the files as they are (errors name the CSV row and column) ...
    base = build_instance(read_table(groups_path), read_table(capacity_path), rule_obj)
    # ... then apply the overrides; errors in them name the scenario file and key.
    all_labels = base.month_labels
    months = _apply_capacity(list(base.months), m)
    groups = _apply_group_overrides(list(base.groups), m, str(groups_path))
    groups = _check_names(groups, all_labels, m, m.start[0] if m.start else None)
    name = leaf.data.get("name", "").strip() or path.stem
    inst = Instance(
        groups=tuple(groups),
        months=tuple(months),
        rules=rule_obj,
        name=name,
        sources={
            "scenario": str(path),
            "extends": " -> ".join(str(x.path) for x in layers[:-1]) or None,
            "groups": str(groups_path),
            "capacity": str(capacity_path),
            "rules": ", ".join(m.rules_files) or None,
        },
    )
    try:
        validate_instance(inst, groups_file=str(groups_path), capacity_file=str(capacity_path))
    except InputError as err:
        raise _relocate(err, inst, m) from None
    return inst


def _relocate(err: InputError, inst: Instance, m: _Merged) -> InputError:
    """A validation error on an overridden group is the scenario's doing: say so."""
    g = next((g for g in inst.groups if err.row and g.row == err.row and g.name in m.overrides), None)
    if g is None:  # e.g. a cycle through a group the scenario changed: point at the change
        touched = [(n, cols[err.column][1]) for n, cols in m.overrides.items() if err.column in cols]
        if not touched:
            return err
        names = ", ".join(f"'{n}'" for n, _ in touched)
        return InputError(f"{err.message} (the scenario {touched[0][1]} overrides {err.column} of {names})",
                          file=err.file, row=err.row, column=err.column)
    cols = m.overrides[g.name]
    if err.column in cols:
        _, p = cols[err.column]
        return _fail(p, _key("groups", g.name, err.column), err.message)
    _, p = next(iter(cols.values()))
    return InputError(
        f"{err.message} (the scenario {p} overrides {', '.join(cols)} of '{g.name}')",
        file=err.file, row=err.row, column=err.column,
    )


def scenario_description(path: str | Path) -> str:
    """The scenario's ``description`` (not inherited), or empty text."""
    data = read_toml(path)
    d = data.get("description", "")
    return d.strip() if isinstance(d, str) else ""

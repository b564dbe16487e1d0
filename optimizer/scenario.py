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
import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from .domain import RESOURCES, Group, Instance, Month, Rules
from .cell_text import clean_text_value
from .errors import InputError, shown
from .months import normalise as normalise_month
from .loaders import GROUP_COLUMNS, GROUP_V2_COLUMNS, MAX_CAPACITY, build_instance, parse_groups, parse_rules, read_toml
from .tables import Table, read_table
from .validation import validate_instance

RULE_KEYS = tuple(f.name for f in dataclasses.fields(Rules))
SCENARIO_KEYS = (
    "name", "description", "extends", "groups", "capacity", "rules", "start",
    "capacity_scale", "capacity_add",
) + RULE_KEYS
#: Columns a per-group override may set (everything but the group's name).
OVERRIDE_COLUMNS = tuple(c for c in GROUP_COLUMNS + GROUP_V2_COLUMNS if c != "group")
_LIST_COLUMNS = ("methods", "blackout", "after")
MAX_SCALE = 1000
MAX_CHAIN = 32


def _key(*parts: str) -> str:
    """A TOML key path for messages: groups."Retail".earliest."""
    out = []
    for p in parts:
        out.append(p if p.replace("_", "").replace("-", "").isalnum() else f'"{p}"')
    return ".".join(out)


@dataclass
class _Layer:
    """One scenario file, checked for shape (types and known keys) but not yet applied."""

    path: Path
    data: dict[str, Any]
    rules_file: Path | None = None
    rules_file_data: dict[str, Any] = field(default_factory=dict)


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


# ---------------------------------------------------------------- reading
def _fail(file: Path | str, key: str | None, message: str) -> InputError:
    return InputError(message, file=str(file), column=key)


def _path_value(file: Path, key: str, value: Any) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise _fail(file, key, f"'{key}' must be a file path (text), got {shown(value)}")
    p = Path(value.strip())
    return p if p.is_absolute() else Path(os.path.normpath(file.parent / p))


def _check_layer(path: Path) -> _Layer:
    """Read one scenario file and check every key's shape, naming file and key."""
    try:
        data = read_toml(path)
    except InputError as err:
        if "Cannot overwrite" in err.message:
            raise InputError(
                err.message + ". If the file sets both groups = \"...\" and [groups.\"Name\"] overrides, "
                "write the path as [groups] file = \"groups.csv\" instead", file=err.file) from None
        raise
    for key in data:
        if key not in SCENARIO_KEYS:
            raise _fail(path, key, f"unknown key '{key}'; valid keys are: {', '.join(SCENARIO_KEYS)}")
    for key in ("name", "description", "start"):
        if key in data and (not isinstance(data[key], str) or (key != "description" and not data[key].strip())):
            raise _fail(path, key, f"'{key}' must be non-empty text, got {shown(data[key])}")
        if key in data:  # shown in every output: plain text (a description may span lines)
            text = data[key].replace("\n", " ") if key == "description" else data[key]
            clean_text_value(text, file=str(path), key=key)
    layer = _Layer(path, data)
    for key in ("extends", "capacity"):
        if key in data:
            _path_value(path, key, data[key])
    if "rules" in data:
        layer.rules_file = _path_value(path, "rules", data["rules"])
        layer.rules_file_data = read_toml(layer.rules_file)
        parse_rules(layer.rules_file_data, str(layer.rules_file))
    inline = {k: data[k] for k in RULE_KEYS if k in data}
    parse_rules(inline, str(path))  # types, ranges, unknown methods: located in this file

    if "groups" in data:
        g = data["groups"]
        if isinstance(g, dict):
            for name, cols in g.items():
                if name == "file" and not isinstance(cols, dict):
                    _path_value(path, "groups.file", cols)
                    continue
                if not isinstance(cols, dict):
                    raise _fail(path, _key("groups", name),
                                f"'{_key('groups', name)}' must be a table of column overrides, e.g. "
                                f"[groups.\"{name}\"] earliest = \"2027-09\" (or use [groups] file = \"groups.csv\" "
                                "for the path)")
                for col, value in cols.items():
                    k = _key("groups", name, col)
                    if col not in OVERRIDE_COLUMNS:
                        raise _fail(path, k, f"unknown group column '{col}'; valid columns are: "
                                             f"{', '.join(OVERRIDE_COLUMNS)}")
                    _cell_text(path, k, col, value)
        else:
            _path_value(path, "groups", g)

    if "capacity_scale" in data:
        sc = data["capacity_scale"]
        if not isinstance(sc, dict):
            raise _fail(path, "capacity_scale", "[capacity_scale] must be a table like: helpdesk = 1.25")
        for res, v in sc.items():
            k = _key("capacity_scale", res)
            if res not in RESOURCES:
                raise _fail(path, k, f"unknown resource '{res}'; valid resources are: {', '.join(RESOURCES)}")
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) \
                    or not 0 <= v <= MAX_SCALE:
                raise _fail(path, k, f"a capacity scale must be a number from 0 to {MAX_SCALE}, got {shown(v)}")

    if "capacity_add" in data:
        ca = data["capacity_add"]
        if not isinstance(ca, dict):
            raise _fail(path, "capacity_add", "[capacity_add] must be a table like: "
                                              "[capacity_add.\"2027-09\"] helpdesk = 50")
        for month, row in ca.items():
            if not isinstance(row, dict):
                raise _fail(path, _key("capacity_add", month),
                            f"'{_key('capacity_add', month)}' must be a table of resources for one month, like "
                            f"[capacity_add.\"2027-09\"] helpdesk = 50 (resources: {', '.join(RESOURCES)})")
            for res, v in row.items():
                k = _key("capacity_add", month, res)
                if res not in RESOURCES:
                    raise _fail(path, k, f"unknown resource '{res}'; valid resources are: {', '.join(RESOURCES)}")
                if isinstance(v, bool) or not isinstance(v, int) or abs(v) > MAX_CAPACITY:
                    raise _fail(path, k, f"a capacity change must be a whole number (negative removes), got {shown(v)}")
    return layer


def _cell_text(file: Path, key: str, col: str, value: Any) -> str:
    """A TOML value as the text a groups.csv cell would hold (parsed by the CSV parser)."""
    if isinstance(value, bool):
        if col != "vip":
            raise _fail(file, key, f"'{col}' cannot be true/false (got {shown(value)})")
        return "yes" if value else "no"
    for text in value if isinstance(value, list) else [value]:
        if isinstance(text, str):
            clean_text_value(text, file=str(file), key=key)
    if isinstance(value, list):
        if col not in _LIST_COLUMNS:
            raise _fail(file, key, f"'{col}' takes one value, not a list (lists are for {', '.join(_LIST_COLUMNS)})")
        if not all(isinstance(v, str) for v in value):
            raise _fail(file, key, f"'{col}' must be a list of text values, got {shown(value)}")
        if any(";" in v for v in value):
            raise _fail(file, key, f"an item of '{col}' contains ';' (got {shown(value)})")
        return ";".join(v.strip() for v in value)
    if isinstance(value, (str, int, float)):
        return str(value).strip()
    raise _fail(file, key, f"'{col}' must be text, a number or a list, got {shown(value)}")


def _chain(path: Path) -> list[_Layer]:
    """The ``extends`` chain, root first; a cycle is an error naming it."""
    layers: list[_Layer] = []
    seen: list[Path] = []
    cur: Path | None = path
    while cur is not None:
        real = cur.resolve()
        if real in seen:
            loop = " -> ".join(str(p) for p in seen[seen.index(real):] + [real])
            raise _fail(layers[-1].path, "extends", f"'extends' forms a cycle: {loop}")
        if len(seen) >= MAX_CHAIN:
            raise _fail(cur, "extends", f"'extends' chains more than {MAX_CHAIN} files")
        seen.append(real)
        try:
            layer = _check_layer(cur)
        except InputError as err:
            if layers and err.message == "no such file" and err.file == str(cur):
                raise _fail(layers[-1].path, "extends", f"the scenario it extends, '{cur}', does not exist") from None
            raise
        layers.append(layer)
        ext = layer.data.get("extends")
        cur = _path_value(layer.path, "extends", ext) if ext is not None else None
    return layers[::-1]


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


# --------------------------------------------------------------- applying
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

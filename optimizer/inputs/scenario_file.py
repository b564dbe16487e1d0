"""One scenario file read and checked for shape (known keys, types, ranges), naming the file and
the key of every mistake; and the chain of files it ``extends``. The format: :mod:`optimizer.inputs.scenario`."""

from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from optimizer.domain import RESOURCES, Rules
from optimizer.inputs.cell_text import clean_text_value
from optimizer.errors import InputError, shown
from optimizer.inputs.loaders import (
    GROUP_COLUMNS,
    GROUP_V2_COLUMNS,
    MAX_CAPACITY,
    parse_rules,
    read_toml,
)

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
    _check_groups(path, data)
    _check_capacity_scale(path, data)
    _check_capacity_add(path, data)
    return layer


def _check_groups(path: Path, data: dict[str, Any]) -> None:
    """``groups``: a path, or a table of per-group column overrides (and its ``file``)."""
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


def _check_capacity_scale(path: Path, data: dict[str, Any]) -> None:
    """``[capacity_scale]``: a factor per resource."""
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


def _check_capacity_add(path: Path, data: dict[str, Any]) -> None:
    """``[capacity_add]``: whole extra (or fewer) units per month and resource."""
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

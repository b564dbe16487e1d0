"""Sweep files: a base scenario and axes whose product is solved (``rollout sweep``).

::

    name = "Steering committee, March"
    base = "../scenarios/baseline.toml"   # a scenario file (optimizer.inputs.scenario), relative to this file
    time_limit = 60                        # seconds per solve (the CLI's --time-limit wins)
    workers = 4                            # CP-SAT workers per solve (the CLI's --workers wins)

    [axes]
    seed = [0, 1, 2]                       # solver seeds
    deadline = ["", "2027-09"]             # every group's latest month at most this; "" = as in the base
    capacity_add = [{}, { from = "2027-09", helpdesk = 50 }]   # added in that month and every later one

    [axes.capacity_scale]                  # multiply the base's capacity, rounded down
    helpdesk = [1.0, 1.25]

    [axes.rules]                           # any key of rules.toml, a list of values
    max_platforms_per_month = [0, 1]

Every axis is a list of alternatives; a sweep solves every combination (a *point*).
Axes the file leaves out keep the base scenario's value (and the seed 0).
Every mistake is an :class:`InputError` naming the sweep file and the key.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import math
import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from optimizer.domain import RESOURCES, Instance
from optimizer.errors import InputError
from optimizer.inputs.loaders import MAX_CAPACITY, parse_rules, read_toml
from optimizer.inputs.scenario import MAX_SCALE, RULE_KEYS, load_scenario
from optimizer.inputs.validation import validate_instance

SWEEP_KEYS = ("name", "description", "base", "time_limit", "workers", "axes")
AXIS_KEYS = ("seed", "deadline", "capacity_add", "capacity_scale", "rules")
#: More points than this is almost certainly a mistake (and days of solving).
MAX_POINTS = 10_000


def _fail(file: Path | str, key: str | None, message: str) -> InputError:
    return InputError(message, file=str(file), column=key)


@dataclass(frozen=True)
class Point:
    """One combination of axis values: a scenario of the sweep and a seed."""

    #: Capacity scales per resource (only the swept ones), e.g. {"helpdesk": 1.25}.
    scale: tuple[tuple[str, float], ...] = ()
    #: Capacity added from a month on: {"from": "2027-09", "helpdesk": 50} or None.
    add: tuple[tuple[str, Any], ...] = ()
    deadline: str = ""
    rules: tuple[tuple[str, Any], ...] = ()
    seed: int = 0

    @property
    def key(self) -> str:
        """A stable identity (what ``--resume`` matches on)."""
        return json.dumps({"scale": dict(self.scale), "add": dict(self.add), "deadline": self.deadline,
                           "rules": dict(self.rules), "seed": self.seed}, sort_keys=True)

    def axis_values(self) -> dict[str, Any]:
        """Column -> value, as the outputs show them."""
        out: dict[str, Any] = {f"{res} scale": v for res, v in self.scale}
        out["capacity added"] = describe_add(dict(self.add))
        out["deadline"] = self.deadline
        out.update({k: (json.dumps(v, sort_keys=True) if isinstance(v, (dict, list)) else v) for k, v in self.rules})
        out["seed"] = self.seed
        return out


def describe_add(add: dict[str, Any]) -> str:
    """'+50 helpdesk, +10 assisted from 2027-09' ('' when nothing is added)."""
    parts = [f"{v:+d} {res}" for res, v in add.items() if res != "from" and v]
    return f"{', '.join(parts)} from {add['from']}" if parts else ""


@dataclass
class Sweep:
    path: Path
    base_path: Path
    base: Instance
    name: str
    description: str = ""
    time_limit: float | None = None
    workers: int | None = None
    #: The axes as read (axis name -> list of alternatives), for outputs.
    axes: dict[str, Any] = field(default_factory=dict)
    #: Axes with more than one alternative: what tells the points apart in their names.
    varying: tuple[str, ...] = ()
    points: list[Point] = field(default_factory=list)

    def point_name(self, p: Point) -> str:
        """A short, readable name from the axes that vary ('helpdesk x1.25, deadline 2027-09, seed 1')."""
        parts = []
        for res, v in p.scale:
            if f"capacity_scale.{res}" in self.varying:
                parts.append(f"{res} x{v:g}")
        if "capacity_add" in self.varying:
            parts.append(describe_add(dict(p.add)) or "nothing added")
        if "deadline" in self.varying:
            parts.append(f"deadline {p.deadline}" if p.deadline else "base deadlines")
        for k, v in p.rules:
            if f"rules.{k}" in self.varying:
                parts.append(f"{k} {json.dumps(v) if not isinstance(v, (int, str)) or isinstance(v, bool) else v}")
        if "seed" in self.varying:
            parts.append(f"seed {p.seed}")
        return ", ".join(parts) or self.base.name

    def instance(self, p: Point) -> Instance:
        """The point's problem. Raises InputError naming the sweep file for capacity that
        leaves its range, and :class:`PointConflict` for a combination that contradicts the
        groups' own months (e.g. a deadline before a group's earliest month)."""
        return apply_point(self.base, p, self.path, self.point_name(p))


class PointConflict(Exception):
    """A combination of axis values that no plan can meet, found before solving."""


def fingerprint(inst: Instance, settings: dict[str, Any]) -> str:
    """Same problem and solve settings -> same text (``--resume`` trusts a row only then)."""
    h = hashlib.sha256(repr((inst.groups, inst.months, inst.rules)).encode())
    h.update(json.dumps(settings, sort_keys=True).encode())
    return h.hexdigest()[:16]


# ---------------------------------------------------------------- reading
def _list(path: Path, key: str, value: Any) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise _fail(path, key, f"'{key}' must be a non-empty list of alternatives, like [1.0, 1.25]; got {value!r}")
    seen: list[Any] = []
    for v in value:
        if v in seen and not isinstance(v, bool):
            raise _fail(path, key, f"'{key}' lists {v!r} twice")
        seen.append(v)
    return value


def _scale_values(path: Path, key: str, values: list[Any]) -> list[float]:
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or not 0 <= v <= MAX_SCALE:
            raise _fail(path, key, f"a capacity scale must be a number from 0 to {MAX_SCALE}, got {v!r}")
    return [float(v) for v in values]


def _add_values(path: Path, labels: list[str], values: list[Any]) -> list[dict[str, Any]]:
    out = []
    for i, v in enumerate(values):
        key = f"axes.capacity_add[{i}]"
        if not isinstance(v, dict):
            raise _fail(path, key, "each alternative of capacity_add is a table like "
                                   "{ from = \"2027-09\", helpdesk = 50 } (or {} for nothing added)")
        for k, x in v.items():
            if k == "from":
                if not isinstance(x, str) or x.strip() not in labels:
                    raise _fail(path, f"{key}.from", f"'from' must be a month of the base scenario "
                                                     f"({labels[0]} .. {labels[-1]}), got {x!r}")
            elif k in RESOURCES:
                if isinstance(x, bool) or not isinstance(x, int) or abs(x) > MAX_CAPACITY:
                    raise _fail(path, f"{key}.{k}", f"a capacity change must be a whole number "
                                                    f"(negative removes), got {x!r}")
            else:
                raise _fail(path, f"{key}.{k}", f"unknown key '{k}'; valid keys are: from, {', '.join(RESOURCES)}")
        if any(k in RESOURCES for k in v) and "from" not in v:
            raise _fail(path, key, "say from which month the capacity is added: from = \"2027-09\"")
        clean = {"from": v["from"].strip()} if "from" in v else {}
        clean.update({res: v[res] for res in RESOURCES if res in v})
        out.append(clean)
    if len({json.dumps(x, sort_keys=True) for x in out}) != len(out):
        raise _fail(path, "axes.capacity_add", "'axes.capacity_add' lists the same alternative twice")
    return out


def load_sweep(path: str | Path) -> Sweep:
    """Read and check a sweep file, load its base scenario and check every point's capacity."""
    path = Path(path)
    data = read_toml(path)
    base_path, time_limit, workers = _check_top(path, data)
    base = load_scenario(base_path)
    axes = data.get("axes", {})
    if not isinstance(axes, dict):
        raise _fail(path, "axes", "[axes] must be a table of lists, like: seed = [0, 1]")
    for key in axes:
        if key not in AXIS_KEYS:
            raise _fail(path, f"axes.{key}", f"unknown axis '{key}'; valid axes are: {', '.join(AXIS_KEYS)}")
    seeds, deadlines, adds = _point_axes(path, axes, base.month_labels)
    scale_axes, rule_axes = _scale_axes(path, axes), _rule_axes(path, axes)

    varying: list[str] = []
    for name, vals in [(f"capacity_scale.{r}", v) for r, v in scale_axes] + [("capacity_add", adds)] + \
            [("deadline", deadlines)] + [(f"rules.{k}", v) for k, v in rule_axes] + [("seed", seeds)]:
        if len(vals) > 1:
            varying.append(name)

    combos = [len(v) for _, v in scale_axes] + [len(adds), len(deadlines)] + [len(v) for _, v in rule_axes] + [len(seeds)]
    if math.prod(combos) > MAX_POINTS:
        raise _fail(path, "axes", f"the axes make {math.prod(combos):,} solves; at most {MAX_POINTS:,} are allowed")
    points = []
    for combo in itertools.product(*[v for _, v in scale_axes], adds, deadlines, *[v for _, v in rule_axes], seeds):
        n = len(scale_axes)
        scale = tuple((res, combo[i]) for i, (res, _) in enumerate(scale_axes))
        add, deadline = combo[n], combo[n + 1]
        rules = tuple((k, combo[n + 2 + i]) for i, (k, _) in enumerate(rule_axes))
        points.append(Point(scale=scale, add=tuple(add.items()), deadline=deadline, rules=rules, seed=combo[-1]))

    sweep = Sweep(path=path, base_path=base_path, base=base, name=(data.get("name") or "").strip() or path.stem,
                  description=(data.get("description") or "").strip(),
                  time_limit=float(time_limit) if time_limit is not None else None, workers=workers,
                  axes={k: axes[k] for k in axes}, varying=tuple(varying), points=points)
    for p in points:  # capacity out of range is the file's mistake: say so now, not after hours
        try:
            sweep.instance(p)
        except PointConflict:
            pass
    return sweep


def _check_top(path: Path, data: dict[str, Any]) -> tuple[Path, Any, Any]:
    """The sweep file's own keys checked: (base scenario path, time_limit, workers)."""
    for key in data:
        if key not in SWEEP_KEYS:
            raise _fail(path, key, f"unknown key '{key}'; valid keys are: {', '.join(SWEEP_KEYS)}")
    for key in ("name", "description"):
        if key in data and not isinstance(data[key], str):
            raise _fail(path, key, f"'{key}' must be text, got {data[key]!r}")
    base_value = data.get("base")
    if not isinstance(base_value, str) or not base_value.strip():
        raise _fail(path, "base", "say which scenario the sweep varies: base = \"../scenarios/baseline.toml\" "
                                  f"(relative to the sweep file){'' if base_value is None else f'; got {base_value!r}'}")
    base_path = Path(base_value.strip())
    if not base_path.is_absolute():
        base_path = Path(os.path.normpath(path.parent / base_path))
    if not base_path.is_file():
        raise _fail(path, "base", f"the base scenario '{base_path}' does not exist")
    time_limit = data.get("time_limit")
    if time_limit is not None and (isinstance(time_limit, bool) or not isinstance(time_limit, (int, float))
                                   or not 0.01 <= time_limit <= 1e6):
        raise _fail(path, "time_limit", f"'time_limit' must be seconds per solve (at least 0.01), got {time_limit!r}")
    workers = data.get("workers")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= 64):
        raise _fail(path, "workers", f"'workers' must be a whole number from 1 to 64, got {workers!r}")
    return base_path, time_limit, workers


def _point_axes(path: Path, axes: dict[str, Any], labels: list[str]) -> tuple[list[int], list[str], list[dict]]:
    """The seed, deadline and capacity_add axes, checked: (seeds, deadlines, additions)."""
    seeds = _list(path, "axes.seed", axes.get("seed", [0]))
    for s in seeds:
        if isinstance(s, bool) or not isinstance(s, int) or not 0 <= s < 2**31:
            raise _fail(path, "axes.seed", f"a seed must be a whole number from 0, got {s!r}")
    deadlines = _list(path, "axes.deadline", axes.get("deadline", [""]))
    for d in deadlines:
        if not isinstance(d, str) or (d.strip() and d.strip() not in labels):
            raise _fail(path, "axes.deadline", f"a deadline must be a month of the base scenario "
                                               f"({labels[0]} .. {labels[-1]}) or \"\" for the base's own; got {d!r}")
    deadlines = [d.strip() for d in deadlines]
    adds = _add_values(path, labels, _list(path, "axes.capacity_add", axes.get("capacity_add", [{}])))
    return seeds, deadlines, adds


def _scale_axes(path: Path, axes: dict[str, Any]) -> list[tuple[str, list[float]]]:
    """[axes.capacity_scale], checked: (resource, factors) per resource."""
    scale_axes: list[tuple[str, list[float]]] = []
    sc = axes.get("capacity_scale", {})
    if not isinstance(sc, dict):
        raise _fail(path, "axes.capacity_scale", "[axes.capacity_scale] must be a table like: helpdesk = [1.0, 1.25]")
    for res, vals in sc.items():
        key = f"axes.capacity_scale.{res}"
        if res not in RESOURCES:
            raise _fail(path, key, f"unknown resource '{res}'; valid resources are: {', '.join(RESOURCES)}")
        scale_axes.append((res, _scale_values(path, key, _list(path, key, vals))))
    return scale_axes


def _rule_axes(path: Path, axes: dict[str, Any]) -> list[tuple[str, list[Any]]]:
    """[axes.rules], checked: (rule, values) per rule."""
    rule_axes: list[tuple[str, list[Any]]] = []
    ru = axes.get("rules", {})
    if not isinstance(ru, dict):
        raise _fail(path, "axes.rules", "[axes.rules] must be a table like: max_platforms_per_month = [0, 1]")
    for k, vals in ru.items():
        key = f"axes.rules.{k}"
        if k not in RULE_KEYS:
            raise _fail(path, key, f"unknown rule '{k}'; valid rules are: {', '.join(RULE_KEYS)}")
        for v in _list(path, key, vals):
            try:
                parse_rules({k: v}, str(path))
            except InputError as err:
                raise _fail(path, key, err.message) from None
        rule_axes.append((k, vals))
    return rule_axes


# --------------------------------------------------------------- applying
def apply_point(base: Instance, p: Point, sweep_path: Path | str, name: str) -> Instance:
    labels = base.month_labels
    add = dict(p.add)
    first_add = labels.index(add["from"]) if "from" in add else len(labels)
    months = []
    for t, mo in enumerate(base.months):
        kw = {}
        for res in RESOURCES:
            value = mo.capacity(res)
            scale = dict(p.scale).get(res)
            if scale is not None:
                value = int(math.floor(Decimal(value) * Decimal(str(scale))))
            if t >= first_add:
                value += add.get(res, 0)
            if not 0 <= value <= MAX_CAPACITY:
                key = "axes.capacity_add" if t >= first_add and res in add else f"axes.capacity_scale.{res}"
                raise _fail(sweep_path, key, f"{res} capacity in {mo.label} becomes {value} in the point "
                                             f"'{name}'; it must stay between 0 and {MAX_CAPACITY}")
            kw[res] = value
        months.append(dataclasses.replace(mo, **kw))
    groups = list(base.groups)
    if p.deadline:
        last = labels.index(p.deadline)
        groups = [g if g.latest is not None and labels.index(g.latest) <= last
                  else dataclasses.replace(g, latest=p.deadline) for g in groups]
    rules = base.rules
    if p.rules:
        d: dict[str, Any] = {f.name: getattr(rules, f.name) for f in dataclasses.fields(rules)}
        d["objective"] = list(d["objective"])
        if d.get("replan_objective") is None:  # not set: rollout replan's default
            d.pop("replan_objective", None)
        else:
            d["replan_objective"] = list(d["replan_objective"])
        d["tickets_per_100_users"] = dict(d["tickets_per_100_users"])
        for k, v in p.rules:
            if k == "tickets_per_100_users":
                d[k].update(v)
            else:
                d[k] = v
        rules = parse_rules(d, str(sweep_path))
    inst = dataclasses.replace(base, groups=tuple(groups), months=tuple(months), rules=rules, name=name,
                               sources={**base.sources, "sweep": str(sweep_path)})
    try:
        validate_instance(inst, groups_file=str(base.sources.get("groups") or "groups"),
                          capacity_file=str(base.sources.get("capacity") or "capacity"))
    except InputError as err:
        g = next((g for g in groups if err.row and g.row == err.row), None)
        raise PointConflict((f"{g.name}: " if g is not None else "") + err.message
                            + (f" (with the deadline {p.deadline})" if p.deadline else "")) from None
    return inst

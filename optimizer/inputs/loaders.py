"""Files -> validated :class:`~optimizer.domain.Instance`.

Per-cell parsing lives here (types, enums, defaults); rules that relate rows
to each other (unknown names, cycles, VIP in a pilot) live in
:mod:`optimizer.inputs.validation`. Every error names file, row and column.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import tomllib
from pathlib import Path
from typing import Any, Callable

from optimizer.domain import (
    DEFAULT_TICKETS_PER_100,
    METHODS,
    OBJECTIVE_LEVELS,
    REPLAN_OBJECTIVE_LEVELS,
    PLATFORMS,
    RISKS,
    WAVES,
    Group,
    Instance,
    Month,
    Rules,
)
from optimizer.errors import InputError, shown
from optimizer.inputs.input_files import read_input_bytes
from optimizer.inputs.input_words import (
    METHOD_WORDS,
    PLATFORM_WORDS,
    RISK_WORDS,
    WAVE_WORDS,
    canonical,
)
from optimizer.months import check_order as check_month_order
from optimizer.months import month_key
from optimizer.months import normalise as normalise_month
from optimizer.inputs.tables import Table, read_table
from optimizer.inputs.validation import validate_instance

log = logging.getLogger(__name__)

GROUP_COLUMNS = (
    "group", "size", "wave", "department", "platform", "location", "risk", "readiness",
    "vip", "methods", "earliest", "latest", "blackout", "after",
)
GROUP_REQUIRED = ("group", "size")
#: Optional columns of model v2 (split groups), read but not written by group_cells (v1 layout).
GROUP_V2_COLUMNS = ("max_months",)


def group_cells(g: Group, v2: bool = False) -> list[Any]:
    """A group as the cells of a groups.csv row, in GROUP_COLUMNS order (what parse_groups reads);
    ``v2``: with the max_months cell too (:func:`group_header`)."""
    cells = [g.name, g.size, g.wave, g.department, g.platform, g.location, g.risk, g.readiness,
             "yes" if g.vip else "no", ";".join(g.methods), g.earliest or "", g.latest or "",
             ";".join(g.blackout), ";".join(g.after)]
    return cells + ["" if g.max_months is None else g.max_months] if v2 else cells


def group_header(v2: bool = False) -> tuple[str, ...]:
    """The columns :func:`group_cells` writes (v2: inputs where a group may split)."""
    return GROUP_COLUMNS + GROUP_V2_COLUMNS if v2 else GROUP_COLUMNS


CAPACITY_COLUMNS = ("month", "helpdesk", "assisted", "tech_fair")
CAPACITY_REQUIRED = ("month", "helpdesk")
MAX_SIZE = 1_000_000
MAX_CAPACITY = 100_000_000
MAX_MONTHS = 1000
_INT_RE = re.compile(r"^[+]?\d+$")
_YEAR_MONTH_RE = re.compile(r"^\d{4}[-/.]\d{1,2}$")
_TRUE = {"yes", "true", "1", "y", "ja"}
_FALSE = {"no", "false", "0", "n", "nej", ""}


class _Cell:
    """Context for one cell, so every parser can raise a located error."""

    def __init__(self, file: str, row: int, column: str, text: str) -> None:
        self.file, self.row, self.column, self.text = file, row, column, text

    def fail(self, message: str) -> InputError:
        return InputError(message, file=self.file, row=self.row, column=self.column)

    def integer(self, lo: int, hi: int, what: str) -> int:
        t = self.text.replace("\u00a0", "").replace(" ", "")
        if not _INT_RE.match(t):
            raise self.fail(f"{what} must be a whole number, got '{self.text}'")
        v = int(t)
        if not lo <= v <= hi:
            raise self.fail(f"{what} must be between {lo} and {hi}, got {v}")
        return v

    def choice(self, options: tuple[str, ...], words: dict[str, str] | None = None) -> str:
        v = canonical(self.text, words) if words else self.text.lower()
        if v not in options:
            raise self.fail(f"'{self.text}' is not one of: {', '.join(options)}")
        return v

    def boolean(self) -> bool:
        v = self.text.lower()
        if v in _TRUE:
            return True
        if v in _FALSE:
            return False
        raise self.fail(f"'{self.text}' is not yes/no, true/false or 1/0")

    def items(self) -> tuple[str, ...]:
        return tuple(s.strip() for s in self.text.split(";") if s.strip())


def _check_columns(table: Table, known: tuple[str, ...], required: tuple[str, ...]) -> None:
    for col in required:
        if col not in table.header:
            if not any(h in known for h in table.header):
                # Not a file of ours (e.g. a scenario pointing at /etc/shadow): never echo its content.
                raise InputError(
                    f"the first row has none of the expected columns ({', '.join(known)}); is this the right "
                    "file? (a CSV file saved from the sheet, with the column names in its first row)",
                    file=table.file, row=1,
                )
            raise InputError(
                f"the required column '{col}' is missing (found: {', '.join(h for h in table.header if h) or 'none'}; "
                f"expected columns: {', '.join(known)})",
                file=table.file,
                row=1,
            )
    unknown = [h for h in table.header if h and h not in known]
    if unknown:
        log.warning(
            "%s: ignoring unknown column(s) %s (known columns: %s)",
            table.file, ", ".join(repr(u) for u in unknown), ", ".join(known),
        )
    table.check_required(required)


def parse_groups(table: Table) -> list[Group]:
    """Parse ``groups.csv`` rows into :class:`Group` objects (per-cell checks only)."""
    _check_columns(table, GROUP_COLUMNS + GROUP_V2_COLUMNS, GROUP_REQUIRED)
    groups = []
    for line, rec in table.records():
        def cell(col: str) -> _Cell:
            return _Cell(table.file, line, col, rec.get(col, ""))

        name = rec.get("group", "")
        if not name:
            raise cell("group").fail("the group name is empty")
        kw: dict[str, Any] = {"name": name, "row": line}
        kw["size"] = cell("size").integer(1, MAX_SIZE, "size (users)")
        opt: dict[str, Callable[[_Cell], Any]] = {
            "wave": lambda c: c.choice(WAVES, WAVE_WORDS),
            "department": lambda c: c.text,
            "platform": lambda c: c.choice(PLATFORMS, PLATFORM_WORDS),
            "location": lambda c: c.text,
            "risk": lambda c: c.choice(RISKS, RISK_WORDS),
            "readiness": lambda c: c.integer(1, 5, "readiness"),
            "vip": lambda c: c.boolean(),
            "earliest": lambda c: normalise_month(c.text),
            "latest": lambda c: normalise_month(c.text),
            "blackout": lambda c: tuple(normalise_month(b) for b in c.items()),
            "after": lambda c: c.items(),
            "max_months": lambda c: c.integer(1, MAX_MONTHS, "max_months (months a group may span)"),
        }
        for col, parse in opt.items():
            if rec.get(col, ""):
                kw[col] = parse(cell(col))
        if rec.get("methods", ""):
            c = cell("methods")
            methods = []
            for m in c.items():
                k = canonical(m, METHOD_WORDS)
                if k not in METHODS:
                    raise c.fail(f"'{m}' is not a method; use a ;-list of: {', '.join(METHODS)}")
                if k not in methods:
                    methods.append(k)
            if not methods:
                raise c.fail("the list of methods is empty")
            kw["methods"] = tuple(k for k in METHODS if k in methods)
        groups.append(Group(**kw))
    return groups


def parse_capacity(table: Table) -> list[Month]:
    """Parse ``capacity.csv`` rows (one per month, in time order)."""
    _check_columns(table, CAPACITY_COLUMNS, CAPACITY_REQUIRED)
    months = []
    for line, rec in table.records():
        label = rec.get("month", "")
        if not label:
            raise InputError("the month label is empty", file=table.file, row=line, column="month")
        if month_key(label) is None and _YEAR_MONTH_RE.match(label):
            raise InputError(f"'{label}' is not a month (months are 1 to 12)", file=table.file, row=line,
                             column="month")
        kw: dict[str, Any] = {"label": normalise_month(label), "row": line}
        for col in ("helpdesk", "assisted", "tech_fair"):
            text = rec.get(col, "")
            if col == "helpdesk" or text:
                kw[col] = _Cell(table.file, line, col, text).integer(0, MAX_CAPACITY, col)
        months.append(Month(**kw))
    check_month_order([m.label for m in months], [m.row for m in months], table.file)
    return months


_RULE_TYPES: dict[str, type] = {
    "stage_gap": int,
    "risk_delay": int,
    "vip_assisted": bool,
    "max_platforms_per_month": int,
    "max_locations_per_month": int,
    "keep_departments_together": bool,
    "objective": list,
    "replan_objective": list,
    "max_months": int,
    "min_part_users": int,
    "tickets_per_100_users": dict,
}

_RULE_RANGES = {"max_months": (1, MAX_MONTHS), "min_part_users": (0, MAX_SIZE)}


def parse_rules(data: dict[str, Any], file: str = "rules") -> Rules:
    """Build :class:`Rules` from a TOML-like mapping, rejecting unknown keys and wrong types."""
    kw: dict[str, Any] = {}
    for key, value in data.items():
        if key not in _RULE_TYPES:
            raise InputError(
                f"unknown key '{key}'; valid keys are: {', '.join(_RULE_TYPES)}", file=file, column=key
            )
        want = _RULE_TYPES[key]
        ok = isinstance(value, want) and not (want is int and isinstance(value, bool))
        if not ok:
            raise InputError(
                f"'{key}' must be {'an integer' if want is int else 'true or false' if want is bool else 'a ' + want.__name__}, "
                f"got {shown(value)}",
                file=file, column=key,
            )
        lo, hi = _RULE_RANGES.get(key, (0, 1000))
        if want is int and not lo <= value <= hi:
            raise InputError(f"'{key}' must be between {lo} and {hi}, got {value}", file=file, column=key)
        kw[key] = value
    for key, allowed in (("objective", OBJECTIVE_LEVELS), ("replan_objective", REPLAN_OBJECTIVE_LEVELS)):
        if key in kw:
            levels = kw[key]
            bad = [lv for lv in levels if lv not in allowed]
            if bad or not levels or len(set(levels)) != len(levels):
                raise InputError(
                    f"'{key}' must list distinct levels from {list(allowed)}, got {shown(levels)}",
                    file=file, column=key,
                )
            kw[key] = tuple(levels)
    if "tickets_per_100_users" in kw:
        rates = dict(DEFAULT_TICKETS_PER_100)
        for k, v in kw["tickets_per_100_users"].items():
            if k not in METHODS:
                raise InputError(
                    f"unknown method '{k}' in [tickets_per_100_users]; valid keys are: {', '.join(METHODS)}",
                    file=file, column=f"tickets_per_100_users.{k}",
                )
            if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= 10_000:
                raise InputError(
                    f"tickets per 100 users for '{k}' must be a whole number from 0 to 10000, got {shown(v)}",
                    file=file, column=f"tickets_per_100_users.{k}",
                )
            rates[k] = v
        kw["tickets_per_100_users"] = rates
    return Rules(**kw)


def read_toml(path: str | Path) -> dict[str, Any]:
    """A TOML file as a mapping: at most MAX_BYTES, a regular file, nesting the parser can take."""
    name = str(path)
    data = read_input_bytes(path)
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")  # Notepad's "UTF-8 with BOM"
    except UnicodeDecodeError:
        raise InputError("the file is not UTF-8 text; save it as UTF-8", file=name) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", file=name) from None
    except RecursionError:
        raise InputError("the file nests tables or lists too deeply to be a rules or scenario file", file=name) from None


def load_rules(path: str | Path | None) -> Rules:
    if path is None:
        return Rules()
    return parse_rules(read_toml(path), str(path))


def drop_blackouts_outside(groups: list[Group], months: tuple[Month, ...], file: str) -> tuple[Group, ...]:
    """Blackout months outside the planning horizon cannot matter: they are dropped with a note
    (a blackout that names no month at all, e.g. a typo, stays an error in validation)."""
    labels = {m.label for m in months}
    out = []
    for g in groups:
        outside = [b for b in g.blackout if b not in labels and month_key(b) == b]
        if outside:
            log.warning("%s: row %d: blackout month(s) %s of '%s' are outside the planning months (%s .. %s) "
                        "and are ignored", file, g.row, ", ".join(outside), g.name, months[0].label,
                        months[-1].label)
            g = dataclasses.replace(g, blackout=tuple(b for b in g.blackout if b not in outside))
        out.append(g)
    return tuple(out)


def build_instance(
    groups: Table,
    capacity: Table,
    rules: Rules,
    *,
    name: str = "rollout",
    sources: dict[str, str | None] | None = None,
) -> Instance:
    """Parse both tables and validate them together."""
    months = tuple(parse_capacity(capacity))
    inst = Instance(
        groups=drop_blackouts_outside(parse_groups(groups), months, groups.file),
        months=months,
        rules=rules,
        name=name,
        sources=sources or {"groups": groups.file, "capacity": capacity.file},
    )
    validate_instance(inst, groups_file=groups.file, capacity_file=capacity.file)
    return inst


def load_instance(
    groups_csv: str | Path,
    capacity_csv: str | Path,
    rules_toml: str | Path | None = None,
    *,
    name: str | None = None,
) -> Instance:
    """Load and validate a planning problem from CSV files (and optional rules TOML)."""
    rules = load_rules(rules_toml)
    return build_instance(
        read_table(groups_csv),
        read_table(capacity_csv),
        rules,
        name=name or Path(groups_csv).resolve().parent.name or "rollout",
        sources={
            "groups": str(groups_csv),
            "capacity": str(capacity_csv),
            "rules": str(rules_toml) if rules_toml else None,
        },
    )

"""Changes of the input that may resolve a conflict: the candidates per rule instance, and applying them."""

from __future__ import annotations

import dataclasses
from typing import Any

from optimizer import rules as R
from optimizer.domain import METHODS, Instance, Month
from optimizer.explain import split_repair
from optimizer.explain.findings import Repair
from optimizer.explain.words import _label, _window


def apply_repair(inst: Instance, repair: Repair) -> Instance:
    """The instance with a repair's changes applied."""
    out = inst
    for what, val in repair.changes:
        out = _apply(out, what, val)
    return out


def _replace_group(inst: Instance, name: str, **kw) -> Instance:
    return dataclasses.replace(inst, groups=tuple(dataclasses.replace(g, **kw) if g.name == name else g
                                                  for g in inst.groups))


def _apply(inst: Instance, what: str, val: Any) -> Instance:
    if what == "capacity":
        label, res, delta = val
        return dataclasses.replace(inst, months=tuple(
            dataclasses.replace(m, **{res: m.capacity(res) + delta}) if m.label == label else m for m in inst.months))
    if what in ("earliest", "latest"):
        name, label = val
        return _replace_group(inst, name, **{what: label})
    if what == "unblackout":
        name, label = val
        g = inst.group(name)
        return _replace_group(inst, name, blackout=tuple(b for b in g.blackout if b != label))
    if what == "drop_after":
        name, pred = val
        g = inst.group(name)
        return _replace_group(inst, name, after=tuple(h for h in g.after if h != pred))
    if what == "methods":
        name, methods = val
        return _replace_group(inst, name, methods=tuple(methods))
    if what == "vip":
        name, flag = val
        return _replace_group(inst, name, vip=flag)
    if what == "rule":
        key, value = val
        return dataclasses.replace(inst, rules=dataclasses.replace(inst.rules, **{key: value}))
    if what == split_repair.CHANGE:  # let a group enroll over more months (split groups)
        return split_repair.apply(inst, val)
    if what == "add_months":
        n = int(val)
        months = list(inst.months)
        for _ in range(n):
            y, m = (int(x) for x in months[-1].label.split("-")[:2]) if _is_ym(months[-1].label) else (None, None)
            label = f"{y + (m // 12)}-{m % 12 + 1:02d}" if y is not None else f"{months[-1].label}+1"
            last = months[-1]
            months.append(Month(label, helpdesk=last.helpdesk, assisted=last.assisted, tech_fair=last.tech_fair))
        return dataclasses.replace(inst, months=tuple(months))
    raise ValueError(what)


def _is_ym(label: str) -> bool:
    parts = label.split("-")
    return len(parts) == 2 and all(p.isdigit() for p in parts) and 1 <= int(parts[1]) <= 12


def _candidates(inst: Instance, key: tuple[str, tuple]) -> list[Repair]:
    """Possible single changes for one rule instance, cheapest first (verified later)."""
    rule, k = key
    r = inst.rules
    out: list[Repair] = []
    if rule in (R.MAX_PLATFORMS, R.MAX_LOCATIONS):
        attr = "max_platforms_per_month" if rule == R.MAX_PLATFORMS else "max_locations_per_month"
        cur = getattr(r, attr)
        out.append(Repair(f"allow {cur + 1} instead of {cur} per month ({attr} = {cur + 1})", "rule", 1.0,
                          (("rule", (attr, cur + 1)),)))
        out.append(Repair(f"drop the rule {attr} (set it to 0)", "drop-rule", 3.0, (("rule", (attr, 0)),)))
    elif rule == R.LEAST_PART and r.min_part_users > 1:
        cur = r.min_part_users
        for i, v in enumerate(sorted({cur // 2, cur // 4, 1}, reverse=True)):
            out.append(Repair(f"allow smaller parts: min_part_users from {cur} to {v}", "rule", 1.5 + 0.5 * i,
                              (("rule", ("min_part_users", v)),)))
    elif rule == R.DEPARTMENTS_TOGETHER:
        out.append(Repair("drop keep_departments_together", "drop-rule", 3.0,
                          (("rule", ("keep_departments_together", False)),)))
    elif rule == R.PRODUCTION_OPENS and r.stage_gap > 0:
        out.append(Repair(f"shorten stage_gap from {r.stage_gap} to {r.stage_gap - 1}", "rule", 2.0,
                          (("rule", ("stage_gap", r.stage_gap - 1)),)))
    elif rule == R.RISK_DELAY and r.risk_delay > 0:
        out.append(Repair(f"shorten risk_delay from {r.risk_delay} to {r.risk_delay - 1}", "rule", 2.0,
                          (("rule", ("risk_delay", r.risk_delay - 1)),)))
    elif rule == R.AFTER:
        out.append(Repair(f"drop the dependency: {k[0]} after {k[1]}", "drop-rule", 2.0,
                          (("drop_after", (k[0], k[1])),)))
    elif rule == R.WINDOW:
        g = inst.group(k[0])
        lo, hi = _window(inst, g)
        for d in range(1, inst.horizon):
            if hi + d < inst.horizon:
                out.append(Repair(f"move {g.name}'s latest month from {_label(inst, hi)} to {_label(inst, hi + d)}",
                                  "window", float(d), (("latest", (g.name, _label(inst, hi + d))),)))
            if lo - d >= 0:
                out.append(Repair(f"move {g.name}'s earliest month from {_label(inst, lo)} to {_label(inst, lo - d)}",
                                  "window", float(d), (("earliest", (g.name, _label(inst, lo - d))),)))
    elif rule == R.BLACKOUT:
        g = inst.group(k[0])
        for b in g.blackout:
            out.append(Repair(f"let {g.name} enroll in {b} (remove it from its blackout months)", "blackout", 1.0,
                              (("unblackout", (g.name, b)),)))
    elif rule == R.METHOD:
        g = inst.group(k[0])
        for m in METHODS:
            if m not in g.methods:
                out.append(Repair(f"let {g.name} use {m} as well", "method", 1.5,
                                  (("methods", (g.name, tuple(g.methods) + (m,))),)))
    elif rule == R.VIP_ASSISTED:
        g = inst.group(k[0])
        n = sum(1 for h in inst.groups if h.vip)
        if r.vip_assisted and n > 1:  # first: when other VIP groups need in-person help too, the
            # one-group change fails, and proving that can take the time at 1,000 groups
            out.append(Repair(f"let all {n} VIP groups enroll without in-person help (vip_assisted = false)",
                              "rule", 3.0, (("rule", ("vip_assisted", False)),)))
        out.append(Repair(f"let {g.name} enroll without in-person help (not as a VIP group)", "vip", 2.0,
                          (("vip", (g.name, False)),)))
    return out

"""The greedy plan a spreadsheet user would make — a baseline and a warm start.

Pilots first, then expanded pilots, then production; within a wave, groups
whose ``after`` predecessors are placed, most eager (readiness) first, larger
first on ties; each goes to the first month (and the least IT-effort method)
that keeps every rule. No solver. Returns None when this simple rule gets
stuck, which does not mean no plan exists.
"""

from __future__ import annotations

from collections import defaultdict

from .domain import Group, Instance

#: Method preference: least IT effort first.
_METHOD_ORDER = ("self-service", "tech-fair", "assisted")


def _units(inst: Instance) -> list[list[int]]:
    """Groups that must share a month (departments-together) form one unit."""
    if not inst.rules.keep_departments_together:
        return [[i] for i in range(len(inst.groups))]
    blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
    units: list[list[int]] = []
    for i, g in enumerate(inst.groups):
        if g.department:
            key = (g.department, g.wave)
            if key not in blocks:
                units.append(blocks[key])
            blocks[key].append(i)
        else:
            units.append([i])
    return units


def greedy_plan(inst: Instance) -> dict[int, tuple[int, str]] | None:
    """{group index: (month index, method)} or None if greedy gets stuck."""
    r = inst.rules
    T = inst.horizon
    idx = {g.name: i for i, g in enumerate(inst.groups)}
    allowed = [set(inst.allowed_months(g)) for g in inst.groups]
    load = [{"helpdesk": 0, "assisted": 0, "tech_fair": 0} for _ in range(T)]
    platforms: list[set[str]] = [set() for _ in range(T)]
    locations: list[set[str]] = [set() for _ in range(T)]
    plan: dict[int, tuple[int, str]] = {}
    wave_rank = {"pilot": 0, "expanded-pilot": 1, "production": 2}

    units = _units(inst)
    pending = sorted(
        range(len(units)),
        key=lambda u: (
            min(wave_rank[inst.groups[i].wave] for i in units[u]),
            -max(inst.groups[i].readiness for i in units[u]),
            -sum(inst.groups[i].size for i in units[u]),
            u,
        ),
    )

    def fits(g: Group, gi: int, t: int, k: str, extra: dict[str, int]) -> bool:
        if t not in allowed[gi] or k not in inst.allowed_methods(g):
            return False
        m = inst.months[t]
        need = {"helpdesk": r.tickets(g.size, k), "assisted": g.size if k == "assisted" else 0,
                "tech_fair": g.size if k == "tech-fair" else 0}
        return all(load[t][res] + extra[res] + need[res] <= m.capacity(res) for res in need)

    def lower_bound(gi: int) -> int:
        g = inst.groups[gi]
        lo = 0
        placed_stage = [plan[j][0] for j in plan if inst.groups[j].pilot_stage]
        if g.wave == "expanded-pilot":
            lo = max([plan[j][0] for j in plan if inst.groups[j].wave == "pilot"], default=0)
        if g.wave == "production" and (placed_stage or any(x.pilot_stage for x in inst.groups)):
            lo = max(placed_stage, default=0) + r.stage_gap
        if g.wave == "production" and g.risk == "high":
            lo += r.risk_delay
        for h in g.after:
            lo = max(lo, plan[idx[h]][0] + 1)
        return lo

    while pending:
        # the first unit (in priority order) whose predecessors are all placed
        ready = next(
            (u for u in pending if all(
                idx[h] in plan or idx[h] in units[u]
                for i in units[u] for h in inst.groups[i].after)),
            None,
        )
        if ready is None:
            return None
        pending.remove(ready)
        members = units[ready]
        lo = max(lower_bound(i) for i in members)
        for t in range(lo, T):
            extra = {"helpdesk": 0, "assisted": 0, "tech_fair": 0}
            chosen: dict[int, str] = {}
            new_p, new_l = set(platforms[t]), set(locations[t])
            for gi in members:
                g = inst.groups[gi]
                k = next((k for k in _METHOD_ORDER if fits(g, gi, t, k, extra)), None)
                if k is None:
                    break
                chosen[gi] = k
                extra["helpdesk"] += r.tickets(g.size, k)
                extra["assisted"] += g.size if k == "assisted" else 0
                extra["tech_fair"] += g.size if k == "tech-fair" else 0
                if g.platform:
                    new_p.add(g.platform)
                if g.location:
                    new_l.add(g.location)
            if len(chosen) < len(members):
                continue
            if 0 < r.max_platforms_per_month < len(new_p) or 0 < r.max_locations_per_month < len(new_l):
                continue
            for gi, k in chosen.items():
                plan[gi] = (t, k)
            for res in extra:
                load[t][res] += extra[res]
            platforms[t], locations[t] = new_p, new_l
            break
        else:
            return None
    # Pilot-stage groups placed after production would break production-opens; the wave
    # order above prevents it, but an expanded pilot forced late can still break it.
    last_stage = max((plan[i][0] for i, g in enumerate(inst.groups) if g.pilot_stage), default=None)
    if last_stage is not None:
        for i, g in enumerate(inst.groups):
            if g.wave == "production" and plan[i][0] < last_stage + r.stage_gap:
                return None
    return plan

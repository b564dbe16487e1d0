"""Realistic random rollout instances, for benchmarks and tests.

An organisation is departments x sites x platforms. Each combination that
exists becomes a target group, with sizes drawn per department (Sales and
Retail are big, Legal small), so a 100,000-user enterprise gives a few
thousand groups. On top of that, what real plans have:

- a limited pilot (IT at the head office) and an expanded pilot (the rest of
  IT plus a few volunteer "champion" groups);
- VIP groups (executive assistants, board) that must be enrolled in person;
- risk (finance, legal and shop-floor groups are high-risk) and readiness
  (IT and R&D eager, retail reluctant);
- groups that can't use the tech fair (small remote sites) and mobile-only
  groups that self-enroll;
- windows (retail not before the fourth month), blackouts (finance at
  quarter ends, retail in November-December, everyone in July), and
  dependencies (a site's groups after the head-office group of the same
  department and platform);
- monthly capacities with the summer dip, an assisted-enrollment team, and
  tech-fair events in some months only, sized so the rollout takes roughly
  60-75 % of the horizon when planned well.

``generate(n_groups, n_months, seed) -> Instance`` and ``write_csv(inst, folder)``; the
same arguments always give the same instance. From the shell: ``scripts/generate.py``.
"""

from __future__ import annotations

import csv
import math
import random
from pathlib import Path

from optimizer.domain import METHODS, Group, Instance, Month, Rules
from optimizer.inputs.loaders import CAPACITY_COLUMNS, GROUP_COLUMNS, group_cells
from optimizer.inputs.validation import validate_instance

#: department -> (median users per site and platform, readiness bias, high-risk share)
DEPARTMENTS = {
    "IT": (40, 2, 0.0),
    "Sales": (120, 0, 0.1),
    "Retail": (150, -1, 0.5),
    "Marketing": (50, 1, 0.0),
    "Finance": (35, -1, 0.8),
    "HR": (25, 0, 0.2),
    "Legal": (12, -1, 0.9),
    "R&D": (80, 2, 0.1),
    "Operations": (110, -1, 0.3),
    "Logistics": (90, -1, 0.3),
    "Customer service": (100, 0, 0.2),
    "Procurement": (20, 0, 0.3),
    "Facilities": (30, -1, 0.1),
    "Communications": (15, 1, 0.0),
    "Quality": (25, 0, 0.4),
    "Security": (15, 0, 0.6),
}
SITE_NAMES = [
    "HQ Stockholm", "Göteborg", "Malmö", "Uppsala", "Linköping", "Örebro", "Västerås", "Umeå",
    "Luleå", "Sundsvall", "Jönköping", "Karlstad", "Gävle", "Växjö", "Oslo", "Köpenhamn",
    "Helsingfors", "Tallinn", "Hamburg", "Warszawa", "Amsterdam", "London", "Dublin", "Paris",
]
#: platform -> share of a department's users
PLATFORM_MIX = {"windows": 0.55, "ios": 0.2, "android": 0.15, "macos": 0.1}


def _site_names(n: int) -> list[str]:
    names = list(SITE_NAMES)
    i = 2
    while len(names) < n:
        names += [f"{s} {i}" for s in SITE_NAMES]
        i += 1
    return names[:n]


def _months(n_months: int, start_year: int = 2027, start_month: int = 1) -> list[str]:
    out = []
    for t in range(n_months):
        y, m = divmod(start_month - 1 + t, 12)
        out.append(f"{start_year + y}-{m + 1:02d}")
    return out


def _combinations(n_groups: int, rnd: random.Random) -> list[tuple[str, str, str]]:
    """(department, site, platform) combinations: every department at the head
    office, then sites until there are enough, randomly thinned so that not
    every site has every department and platform."""
    depts = list(DEPARTMENTS)
    n_sites = max(1, math.ceil(n_groups / (len(depts) * len(PLATFORM_MIX) * 0.6)))
    sites = _site_names(n_sites)
    combos = []
    for si, site in enumerate(sites):
        for d in depts:
            for p in PLATFORM_MIX:
                keep = 1.0 if si == 0 else 0.6
                if rnd.random() < keep:
                    combos.append((d, site, p))
    rnd.shuffle(combos)
    # Keep the head-office IT combos (pilots) and fill up to n_groups.
    combos.sort(key=lambda c: (c[1] != sites[0] or c[0] != "IT"))
    while len(combos) < n_groups:  # tiny sites fallback: split combos by floor
        d, s, p = combos[len(combos) % max(1, len(combos))]
        combos.append((d, f"{s} floor {len(combos)}", p))
    return combos[:n_groups]


def generate(n_groups: int, n_months: int, seed: int = 0, *, tightness: float = 0.7) -> Instance:
    """A validated random instance; ``tightness`` ~ share of the horizon a good plan needs."""
    if n_groups < 4 or n_months < 4:
        raise ValueError("need at least 4 groups and 4 months")
    rnd = random.Random(seed)
    labels = _months(n_months)
    combos = _combinations(n_groups, rnd)
    hq = combos[0][1]
    groups: list[Group] = []
    n_pilot = 1 if n_groups < 100 else 2
    n_expanded = max(2, n_groups // 40)
    n_vip = max(1, n_groups // 100)
    names: set[str] = set()
    first_of: dict[tuple[str, str], str] = {}  # (department, platform) -> first group's name
    for i, (dept, site, plat) in enumerate(combos):
        median, ready_bias, high_share = DEPARTMENTS[dept]
        size = max(3, int(rnd.lognormvariate(math.log(median * PLATFORM_MIX[plat] * 2.5), 0.6)))
        if i < n_pilot:
            wave, name = "pilot", f"IT pilot {plat}" if i else "IT pilot"
            size = min(size, 50)
        elif i < n_pilot + n_expanded:
            wave, name = "expanded-pilot", f"Champions {dept} {site} {plat}"
        else:
            wave, name = "production", f"{dept} {site} {plat}"
        while name in names:
            name += "'"
        names.add(name)
        vip = wave == "production" and n_vip > 0 and dept in ("Finance", "Legal", "Communications", "HR") \
            and site == hq
        if vip:
            n_vip -= 1
            name_vip = f"Executives {dept} {plat}"
            names.add(name_vip)
            name, size = name_vip, min(size, 30)
        risk = "high" if wave == "production" and rnd.random() < high_share else rnd.choice(["low", "medium"])
        readiness = min(5, max(1, 3 + ready_bias + rnd.choice([-1, 0, 0, 1])))
        if vip:
            methods = ("assisted",)
        elif plat in ("ios", "android") and rnd.random() < 0.3:
            methods = ("self-service", "tech-fair")
        elif site != hq and rnd.random() < 0.25:
            methods = ("self-service", "assisted")  # small remote site: no tech fair
        else:
            methods = METHODS
        earliest = latest = None
        blackout: list[str] = []
        if wave == "production":
            if dept == "Retail" and n_months >= 8:
                earliest = labels[3]
            if rnd.random() < 0.05:
                latest = labels[max(4, int(n_months * 0.8))]
            for t, lab in enumerate(labels):
                mon = int(lab[5:])
                if mon == 7 and rnd.random() < 0.5:
                    blackout.append(lab)
                if dept == "Finance" and mon in (3, 12):
                    blackout.append(lab)
                if dept == "Retail" and mon in (11, 12):
                    blackout.append(lab)
            lo = labels.index(earliest) if earliest else 0
            hi = labels.index(latest) if latest else n_months - 1
            if hi - lo + 1 - len(set(blackout)) < 3:
                blackout = []  # keep at least three possible months
        after: list[str] = []
        key = (dept, plat)
        if wave == "production" and not vip:
            if key in first_of and rnd.random() < 0.15 and earliest is None and latest is None:
                after = [first_of[key]]
            elif key not in first_of and earliest is None and latest is None and not blackout:
                first_of[key] = name
        groups.append(Group(
            name=name, size=size, wave=wave, department=dept, platform=plat, location=site, risk=risk,
            readiness=readiness, vip=vip, methods=methods, earliest=earliest, latest=latest,
            blackout=tuple(sorted(set(blackout))), after=tuple(after),
        ))
    months = _capacities(groups, labels, rnd, tightness)
    inst = Instance(tuple(groups), tuple(months), Rules(), name=f"generated-{n_groups}x{n_months}-s{seed}")
    validate_instance(inst)
    return inst


def _capacities(groups: list[Group], labels: list[str], rnd: random.Random, tightness: float) -> list[Month]:
    """Capacities that make the rollout take about ``tightness`` of the horizon."""
    rules = Rules()
    users = sum(g.size for g in groups)
    # Tickets if everyone self-enrolls, spread over the months a good plan would use.
    tickets = sum(rules.tickets(g.size, "self-service") for g in groups)
    busy = max(2.0, tightness * len(labels))
    helpdesk = int(tickets / busy * 0.8) + 20
    vip_users = sum(g.size for g in groups if g.vip)
    assisted = max(vip_users, int(users * 0.03 / busy * 4))
    months = []
    for t, lab in enumerate(labels):
        mon = int(lab[5:])
        dip = 0.5 if mon in (7, 12) else 1.0
        fair = int(users * 0.25 / busy * 2) if t % 2 == 1 else 0  # a tech fair every other month
        months.append(Month(lab, helpdesk=int(helpdesk * dip) if t else helpdesk // 3,
                            assisted=int(assisted * dip), tech_fair=fair if mon not in (7, 12) else 0,
                            row=t + 2))
    return months


def write_csv(inst: Instance, folder: str | Path) -> tuple[Path, Path]:
    """groups.csv and capacity.csv in ``folder`` (created); returns their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    g, c = folder / "groups.csv", folder / "capacity.csv"
    with open(g, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(GROUP_COLUMNS)
        w.writerows(group_cells(x) for x in inst.groups)
    with open(c, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(CAPACITY_COLUMNS)
        for m in inst.months:
            w.writerow([m.label, m.helpdesk, m.assisted, m.tech_fair])
    return g, c

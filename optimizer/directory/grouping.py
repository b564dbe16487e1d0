"""Directory exports -> target groups (``rollout groups``).

Reads the Entra ID "Download users" CSV (both header generations) and,
optionally, the Intune "All devices" CSV, leaves out disabled accounts and
guests, gives every user a platform from their primary devices, and
aggregates users into groups by the chosen keys (pandas, so 100,000 users take
seconds). Larger groups are split into even parts of at most ``max_size`` users
(users sorted by user name, so the same input gives the same parts), VIPs (by
job title) get groups of their own, and readiness and risk come from optional
department mapping files. The result is a list of :class:`~optimizer.domain.Group`
that :func:`groups_csv` writes as a groups.csv that ``rollout solve`` reads.

Reading the files is :mod:`optimizer.directory.exports`. Values (departments,
cities, ...) are compared case-insensitively after trimming and collapsing
spaces, and shown in their most common spelling.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field

import pandas as pd

from optimizer.domain import RISKS, Group
from optimizer.errors import InputError
from optimizer.directory.exports import (
    USER_COLUMNS,
    DepartmentMap,
    Export,
    boolean_column,
    fold_text,
    norm_header,
    os_platform,
    per_unique,
)
from optimizer.inputs.loaders import GROUP_COLUMNS, group_cells
from optimizer.inputs.tables import escape_cell

#: --by keys -> the user field they group by
KEYS = ("department", "city", "office", "country", "platform", "company")
#: keys that make up the groups.csv location column, outermost first
LOCATION_KEYS = ("country", "city", "office")
EMPTY_LABEL = {"department": "no department", "city": "no city", "office": "no office",
               "country": "no country", "platform": "mixed", "company": "no company"}
DEFAULT_READINESS, DEFAULT_RISK = 3, "medium"


def _fold(s: pd.Series) -> pd.Series:
    return per_unique(s, fold_text)


def vip_pattern(titles: str) -> re.Pattern[str] | None:
    """``"VD;Chef;Head of"`` -> a case-insensitive whole-word regex (None when empty)."""
    parts = [t.strip() for t in titles.split(";") if t.strip()]
    if not parts:
        return None
    alts = "|".join(r"\s+".join(re.escape(w) for w in p.split()) for p in parts)
    return re.compile(rf"(?<!\w)(?:{alts})(?!\w)", re.IGNORECASE)


@dataclass
class GroupingOptions:
    by: tuple[str, ...] = ("department", "city", "platform")
    max_size: int = 0  # 0: no split
    vip_titles: str = ""
    default_platform: str = "mixed"
    readiness: DepartmentMap | None = None
    risk: DepartmentMap | None = None


@dataclass
class Grouping:
    """The groups and what a planner needs to trust them."""

    groups: list[Group]
    members: pd.DataFrame  # upn, name, group: who is in which group
    read: int = 0  # user rows read
    left_out: dict[str, int] = field(default_factory=dict)  # reason -> users
    platforms: dict[str, int] = field(default_factory=dict)  # platform -> users
    no_device: int = 0  # users without a primary device (given the default platform)
    default_platform: str = "mixed"
    devices: int = 0  # device rows read
    devices_unused: dict[str, int] = field(default_factory=dict)  # reason -> devices
    split: int = 0  # groups split into parts
    unmapped: dict[str, list[str]] = field(default_factory=dict)  # readiness/risk -> departments not in the file
    mapping_files: dict[str, str] = field(default_factory=dict)  # readiness/risk -> its file
    by: tuple[str, ...] = ()
    generation: str = ""  # which Entra ID header generation the users file has


def _platforms(users: pd.DataFrame, devices: Export | None, default: str, g: Grouping) -> pd.Series:
    """Each user's platform: that of their primary devices, ``mixed`` when several."""
    if devices is None:
        g.no_device = len(users)
        return pd.Series(default, index=users.index)
    d = devices.frame
    g.devices = len(d)
    plat = per_unique(d["os"], os_platform)
    user = d["user"].str.casefold()
    g.devices_unused = {
        "without a primary user (shared devices)": int((user == "").sum()),
        "with an OS that is not planned for (not Windows, iOS, Android or macOS)": int(((plat == "") & (user != "")).sum()),
    }
    ok = (user != "") & (plat != "")
    g.devices_unused["of users left out or not in the users file"] = int((ok & ~user.isin(set(users["key"]))).sum())
    pairs = pd.DataFrame({"user": user[ok], "platform": plat[ok]}).drop_duplicates()
    count = pairs.groupby("user")["platform"].agg(["nunique", "first"])
    per_user = count["first"].where(count["nunique"] == 1, "mixed")
    out = users["key"].map(per_user)
    g.no_device = int(out.isna().sum())
    return out.fillna(default)


def _common(df: pd.DataFrame, gid: str, col: str, empty: str) -> pd.Series:
    """Per group: the value when all its users share it, else ``empty``."""
    agg = df.groupby(gid, sort=False)[col].agg(["nunique", "first"])
    return agg["first"].where(agg["nunique"] == 1, empty)


def _display(df: pd.DataFrame, raw: str, fold: str) -> pd.Series:
    """Per folded value, its most common spelling (ties: the first in sort order)."""
    spell = per_unique(df[raw], lambda t: " ".join(t.split()))
    counts = pd.DataFrame({"fold": df[fold], "spell": spell}).value_counts().reset_index(name="n")
    counts = counts.sort_values(["n", "spell"], ascending=[False, True], kind="stable")
    return counts.drop_duplicates("fold").set_index("fold")["spell"]


def _kept_users(users: Export, g: Grouping) -> pd.DataFrame:
    """The users to plan for: without disabled accounts, guests, empty and repeated user names."""
    df = users.frame.copy()
    g.read = len(df)
    df["key"] = df["upn"].str.casefold()
    keep = df["key"] != ""
    g.left_out["without a user name"] = int((~keep).sum())
    if "enabled" in df:
        enabled = boolean_column(users, "enabled")
        g.left_out["disabled accounts"] = int((keep & ~enabled).sum())
        keep &= enabled
    if "type" in df:
        guest = df["type"].str.casefold() == "guest"
        g.left_out["guests"] = int((keep & guest).sum())
        keep &= ~guest
    df = df[keep]
    dup = df["key"].duplicated()
    g.left_out["listed twice (same user name)"] = int(dup.sum())
    df = df[~dup].copy()
    if df.empty:
        raise InputError("no users are left after leaving out disabled accounts and guests", file=users.file)
    return df


def _split(df: pd.DataFrame, keys: list[str], max_size: int, g: Grouping) -> pd.DataFrame:
    """Sort users by group and user name and number the parts: ``gid`` (group), ``part``, ``pid``."""
    df = df.sort_values(["vip", *keys, "key"], kind="stable")
    df["gid"] = df.groupby(["vip", *keys], sort=False).ngroup()
    sizes = df.groupby("gid")["key"].transform("size")
    parts = sizes.map(lambda n: max(1, math.ceil(n / max_size))) if max_size else sizes * 0 + 1
    rank = df.groupby("gid").cumcount()
    df["part"] = (rank * parts) // sizes  # contiguous runs, sizes differ by at most one
    df["parts"] = parts
    g.split = int(df.loc[df["parts"] > 1, "gid"].nunique())
    df["pid"] = df.groupby(["gid", "part"], sort=False).ngroup()
    return df


def build_groups(users: Export, devices: Export | None, opts: GroupingOptions) -> Grouping:
    """Aggregate a users export (and a devices export) into target groups."""
    for k in opts.by:
        if k not in KEYS:
            raise InputError(f"'{k}' is not a grouping key; use a comma list of: {', '.join(KEYS)}", column="--by")
    if not opts.by:
        raise InputError(f"give at least one grouping key ({', '.join(KEYS)})", column="--by")
    for k in opts.by:
        if k != "platform" and k not in users.found:
            raise InputError(f"--by {k} needs the column {' or '.join(repr(n) for n in USER_COLUMNS[k])}, "
                             "which this file does not have", file=users.file, row=1)
    g = Grouping(groups=[], members=pd.DataFrame(), by=tuple(opts.by), default_platform=opts.default_platform)
    g.generation = ("older Entra ID (Azure AD) export" if "physicaldeliveryofficename" in
                    {norm_header(h) for h in users.found.values()} else "Entra ID export")
    df = _kept_users(users, g)

    df["platform"] = _platforms(df, devices, opts.default_platform, g)
    g.platforms = {k: int(v) for k, v in df["platform"].value_counts().sort_index().items()}
    for k in KEYS:
        if k in df:
            df[f"{k}_f"] = _fold(df[k]) if k != "platform" else df[k]
    pat = vip_pattern(opts.vip_titles)
    df["vip"] = df["title"].str.contains(pat, regex=True) if pat is not None and "title" in df else False

    df = _split(df, [f"{k}_f" for k in opts.by], opts.max_size, g)

    labels = {k: _display(df, k, f"{k}_f") for k in KEYS if k in df and k != "platform"}
    first = df.groupby("pid", sort=True).first()
    size = df.groupby("pid").size()
    dep = _common(df, "pid", "department_f", "") if "department_f" in df else None
    plat = _common(df, "pid", "platform", "mixed")
    loc_keys = [k for k in LOCATION_KEYS if f"{k}_f" in df]
    loc_common = {k: _common(df, "pid", f"{k}_f", "\0") for k in loc_keys if k in opts.by}
    dep_labels = labels.get("department", pd.Series(dtype=object))
    readiness, risk = _readiness(df, opts, g, dep_labels), _risk(df, opts, g, dep_labels)

    names: dict[int, str] = {}
    used: set[str] = set()
    groups = []
    for pid, row in first.iterrows():
        words = []
        for k in opts.by:
            v = row[f"{k}_f"]
            words.append(labels[k].get(v, v) if k != "platform" else v)
            if not v:
                words[-1] = f"({EMPTY_LABEL[k]})"
        name = ("VIP " if row["vip"] else "") + " / ".join(words)
        if row["parts"] > 1:
            name += f" (part {row['part'] + 1} of {row['parts']})"
        base, n = name, 2
        while name.casefold() in used:
            name, n = f"{base} #{n}", n + 1
        used.add(name.casefold())
        names[pid] = name
        location = " / ".join(labels[k].get(loc_common[k][pid], "") for k in loc_keys
                              if k in loc_common and loc_common[k][pid] not in ("\0", ""))
        groups.append(Group(
            name=name, size=int(size[pid]), wave="production",
            department=labels["department"].get(dep[pid], "") if dep is not None and dep[pid] else "",
            platform=plat[pid], location=location, risk=risk[pid], readiness=int(readiness[pid]),
            vip=bool(row["vip"]),
        ))
    g.groups = groups
    g.members = pd.DataFrame({"userPrincipalName": df["upn"], "displayName": df.get("name", ""),
                              "group": df["pid"].map(names)})
    return g


def _names(folded: pd.Series, labels: pd.Series) -> list[str]:
    """Departments (folded) in their most common spelling, sorted, without the empty one."""
    return sorted(labels.get(f, f) for f in set(folded) - {""})


def _readiness(df: pd.DataFrame, opts: GroupingOptions, g: Grouping, labels: pd.Series) -> pd.Series:
    """Per part: the users' mean readiness (unmapped departments count as 3), rounded half up."""
    if opts.readiness is None or "department_f" not in df:
        return pd.Series(DEFAULT_READINESS, index=sorted(df["pid"].unique()))
    vals = df["department_f"].map(opts.readiness.values)
    g.mapping_files["readiness"] = opts.readiness.file
    g.unmapped["readiness"] = _names(df.loc[vals.isna(), "department_f"], labels)
    mean = vals.fillna(DEFAULT_READINESS).astype(float).groupby(df["pid"]).mean()
    return (mean + 0.5).apply(math.floor).clip(1, 5)


def _risk(df: pd.DataFrame, opts: GroupingOptions, g: Grouping, labels: pd.Series) -> pd.Series:
    """Per part: the highest risk among its users' departments (unmapped: medium)."""
    if opts.risk is None or "department_f" not in df:
        return pd.Series(DEFAULT_RISK, index=sorted(df["pid"].unique()))
    vals = df["department_f"].map(opts.risk.values)
    g.mapping_files["risk"] = opts.risk.file
    g.unmapped["risk"] = _names(df.loc[vals.isna(), "department_f"], labels)
    level = vals.fillna(DEFAULT_RISK).map(RISKS.index)
    return level.groupby(df["pid"]).max().map(lambda i: RISKS[i])


def groups_csv(groups: list[Group]) -> str:
    """A groups.csv (every column ``rollout solve`` reads; empty cells are its defaults)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(GROUP_COLUMNS)
    for gr in groups:
        cells = group_cells(gr)
        cells[GROUP_COLUMNS.index("methods")] = ""  # default: every method (VIPs: assisted by the rules)
        w.writerow([escape_cell(str(c)) for c in cells])
    return buf.getvalue()


def members_csv(members: pd.DataFrame) -> str:
    """Who is in which group: userPrincipalName, displayName, group."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(list(members.columns))
    for row in members.itertuples(index=False):
        w.writerow([escape_cell(str(c)) for c in row])
    return buf.getvalue()

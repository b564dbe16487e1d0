"""Directory exports -> target groups (``rollout groups``).

Reads the Entra ID "Download users" CSV (both header generations) and,
optionally, the Intune "All devices" CSV, leaves out disabled accounts and
guests, gives every user a platform from their primary devices, and
aggregates users into groups by the chosen keys (pandas, so 100,000 users take
seconds). Larger groups are split into parts of about ``max_size`` users
(users sorted by user name, so the same input gives the same parts), VIPs (by
job title) get groups of their own, and readiness and risk come from optional
department mapping files. The result is a list of :class:`~optimizer.domain.Group`
that :func:`groups_csv` writes as a groups.csv that ``rollout solve`` reads.

Headers are matched case-insensitively and without spaces, ``_`` or ``-``;
values (departments, cities, ...) case-insensitively after trimming and
collapsing spaces, shown in their most common spelling. Control characters
(terminal escapes) in cells are dropped.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .domain import Group, RISKS
from .errors import InputError
from .loaders import GROUP_COLUMNS, group_cells
from .tables import decode_bytes, escape_cell, read_table, sniff_delimiter

#: Directory exports are larger than group lists; refuse only absurd files.
MAX_EXPORT_BYTES = 500 * 1024 * 1024

#: logical field -> header names it is read from (first found wins), as the exports spell them.
USER_COLUMNS: dict[str, tuple[str, ...]] = {
    "upn": ("userPrincipalName", "User principal name", "UPN"),
    "name": ("displayName", "Display name"),
    "title": ("jobTitle", "Job title", "title"),
    "department": ("department",),
    "office": ("officeLocation", "physicalDeliveryOfficeName", "Office location", "Office"),
    "city": ("city",),
    "country": ("country", "Country/Region", "usageLocation"),
    "company": ("companyName", "Company name", "company"),
    "enabled": ("accountEnabled", "Account enabled"),
    "type": ("userType", "User type"),
}
DEVICE_COLUMNS: dict[str, tuple[str, ...]] = {
    "user": ("Primary user UPN", "userPrincipalName", "User principal name", "UPN", "user"),
    "os": ("OS", "Operating system", "operatingSystem", "platform"),
}
#: --by keys -> the user field they group by
KEYS = ("department", "city", "office", "country", "platform", "company")
#: keys that make up the groups.csv location column, outermost first
LOCATION_KEYS = ("country", "city", "office")
EMPTY_LABEL = {"department": "no department", "city": "no city", "office": "no office",
               "country": "no country", "platform": "mixed", "company": "no company"}
_TRUE = {"true", "yes", "1", "ja"}
_FALSE = {"false", "no", "0", "nej"}
DEFAULT_READINESS, DEFAULT_RISK = 3, "medium"


def _norm_header(h: str) -> str:
    return re.sub(r"[\s_\-]", "", str(h).lstrip("\ufeff").strip().casefold())


def os_platform(os_name: str) -> str:
    """The planning platform of an OS as exports write it ('' for one we do not plan for)."""
    o = os_name.casefold()
    if "windows" in o:
        return "windows"
    if "ios" in o or "ipad" in o or "iphone" in o:
        return "ios" if "macos" not in o else "macos"
    if "android" in o:
        return "android"
    if "mac" in o or "os x" in o:
        return "macos"
    return ""


@dataclass
class Export:
    """One export read into a DataFrame of the logical fields it has (cells trimmed)."""

    file: str
    frame: pd.DataFrame  # one column per found logical field, plus "row" (spreadsheet row)
    found: dict[str, str]  # logical field -> header as written in the file


def read_export(path: str | Path, fields: dict[str, tuple[str, ...]], what: str,
                required: tuple[str, ...]) -> Export:
    """Read a CSV export (UTF-8 with or without BOM, or Windows-1252; ``,`` or ``;``)."""
    p, name = Path(path), str(path)
    try:
        if not p.is_file():
            raise InputError("no such file", file=name)
        if p.stat().st_size > MAX_EXPORT_BYTES:
            raise InputError(f"the file is {p.stat().st_size // 2**20} MB; exports larger than "
                             f"{MAX_EXPORT_BYTES // 2**20} MB are refused (is this the right file?)", file=name)
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", file=name) from None
    text = decode_bytes(data, name)
    sep = sniff_delimiter(text[:65536])  # the header decides; do not split 30 MB into lines
    first = text.split("\n", 1)[0]
    header = next(csv.reader([first], delimiter=sep), [])
    if not any(h.strip() for h in header):
        raise InputError(f"the first row is empty; it must be the header row of {what}", file=name, row=1)
    by_norm: dict[str, int] = {}
    for i, h in enumerate(header):
        by_norm.setdefault(_norm_header(h), i)
    found: dict[str, str] = {}
    columns: dict[str, int] = {}
    for key, names in fields.items():
        for n in names:
            i = by_norm.get(_norm_header(n))
            if i is not None:
                found[key], columns[key] = header[i].lstrip("\ufeff").strip(), i
                break
    for key in required:
        if key not in found:
            raise InputError(
                f"this does not look like {what}: no column {' or '.join(repr(n) for n in fields[key])} "
                f"(column names are matched ignoring case and spaces; found: "
                f"{', '.join(h.strip() for h in header[:12])}{', ...' if len(header) > 12 else ''})",
                file=name, row=1)
    used = sorted(set(columns.values()))
    try:  # only the columns we use: exports have 30 and more
        raw = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, skip_blank_lines=False,
                          header=0, usecols=used, engine="c")
    except pd.errors.EmptyDataError:
        raise InputError(f"the file is empty; it needs the header row of {what}", file=name) from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(f"the file is not valid CSV: {str(exc).strip()}", file=name) from None
    position = {i: c for i, c in zip(used, raw.columns)}
    frame = {key: per_unique(raw[position[i]].astype(str), clean_cell) for key, i in columns.items()}
    df = pd.DataFrame(frame, index=raw.index)
    df["row"] = raw.index + 2  # the header is row 1; blank lines are kept, so rows are exact
    blank = (raw == "").all(axis=1) if len(raw.columns) else pd.Series(False, index=raw.index)
    df = df[~blank.to_numpy()]
    if df.empty:
        raise InputError("the file has a header but no data rows", file=name)
    return Export(name, df.reset_index(drop=True), found)


def _bools(ex: Export, col: str) -> pd.Series:
    """accountEnabled-style cells -> True/False; empty counts as True; anything else is an error."""
    v = ex.frame[col].str.casefold()
    bad = ~(v.isin(_TRUE) | v.isin(_FALSE) | (v == ""))
    if bad.any():
        i = int(bad.to_numpy().argmax())
        raise InputError(f"'{ex.frame[col].iloc[i]}' is not true or false",
                         file=ex.file, row=int(ex.frame["row"].iloc[i]), column=ex.found[col])
    return ~v.isin(_FALSE)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_cell(text: str) -> str:
    """A cell as text: control characters (terminal escapes and the like) dropped, trimmed."""
    return _CONTROL.sub("", text).strip()


def per_unique(s: pd.Series, fn) -> pd.Series:
    """``s.map(fn)``, calling ``fn`` once per distinct value (exports repeat values a lot)."""
    codes, uniques = pd.factorize(s.to_numpy(dtype=object))
    mapped = np.array([fn(u) for u in uniques.tolist()] + [""], dtype=object)
    return pd.Series(mapped[codes], index=s.index, dtype=object)  # code -1 (missing) -> ""


def fold_text(text: str) -> str:
    """How values are compared: spaces collapsed, trimmed, case folded."""
    return " ".join(text.split()).casefold()


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
class DepartmentMap:
    """department (folded) -> value, from a mapping CSV (columns department and ``column``)."""

    file: str
    values: dict[str, object]


def read_mapping(path: str | Path, column: str) -> DepartmentMap:
    """A department -> readiness (1..5) or risk (low/medium/high) file."""
    table = read_table(path)
    for col in ("department", column):
        if col not in table.header:
            raise InputError(f"the column '{col}' is missing (found: {', '.join(h for h in table.header if h)}); "
                             f"a {column} file has the columns department,{column}", file=table.file, row=1)
    values: dict[str, object] = {}
    rows: dict[str, int] = {}
    for line, rec in table.records():
        dep = re.sub(r"\s+", " ", rec.get("department", "")).strip().casefold()
        text = rec.get(column, "")
        if column == "readiness":
            if not re.fullmatch(r"[1-5]", text):
                raise InputError(f"readiness must be a whole number from 1 to 5, got '{text}'",
                                 file=table.file, row=line, column=column)
            value: object = int(text)
        else:
            value = text.casefold()
            if value not in RISKS:
                raise InputError(f"'{text}' is not one of: {', '.join(RISKS)}", file=table.file, row=line,
                                 column=column)
        if dep in values and values[dep] != value:
            raise InputError(f"the department '{rec.get('department', '')}' is also on row {rows[dep]} "
                             f"with another {column}", file=table.file, row=line, column="department")
        values[dep], rows[dep] = value, line
    return DepartmentMap(table.file, values)


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
        enabled = _bools(users, "enabled")
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
                    {_norm_header(h) for h in users.found.values()} else "Entra ID export")
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


def read_users(path: str | Path) -> Export:
    return read_export(path, USER_COLUMNS, 'an Entra ID users export ("Download users")', ("upn",))


def read_devices(path: str | Path) -> Export:
    return read_export(path, DEVICE_COLUMNS, 'an Intune devices export ("All devices")', ("user", "os"))


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

"""Reading directory exports: Entra ID "Download users" and Intune "All devices" CSVs.

UTF-8 with or without BOM or Windows-1252, ``,`` or ``;`` (as :mod:`optimizer.inputs.tables`), read
with pandas, only the columns used. Headers are matched ignoring case, spaces, ``_`` and ``-``
against the names both Entra ID header generations and the Intune export use; a missing one is
an :class:`~optimizer.errors.InputError` naming the names looked for. Cells are trimmed and
control characters (terminal escapes) dropped. Also the department mapping files (readiness,
risk) that :mod:`optimizer.directory.grouping` applies.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.domain import RISKS
from optimizer.errors import InputError
from optimizer.inputs.tables import decode_bytes, read_table, sniff_delimiter

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
_TRUE = {"true", "yes", "1", "ja"}
_FALSE = {"false", "no", "0", "nej"}
def norm_header(h: str) -> str:
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
        by_norm.setdefault(norm_header(h), i)
    found: dict[str, str] = {}
    columns: dict[str, int] = {}
    for key, names in fields.items():
        for n in names:
            i = by_norm.get(norm_header(n))
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


def boolean_column(ex: Export, col: str) -> pd.Series:
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


def read_users(path: str | Path) -> Export:
    return read_export(path, USER_COLUMNS, 'an Entra ID users export ("Download users")', ("upn",))


def read_devices(path: str | Path) -> Export:
    return read_export(path, DEVICE_COLUMNS, 'an Intune devices export ("All devices")', ("user", "os"))

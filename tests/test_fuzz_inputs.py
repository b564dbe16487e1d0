"""Fuzzing the TOML (rules, scenario) and workbook (.xlsx, .ods) readers: whatever the file holds,
the readers end in a result or an InputError (which the CLI turns into exit 2), never another
exception (issue 23 'Done when')."""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from optimizer.errors import InputError
from optimizer.inputs.loaders import load_rules, parse_rules
from optimizer.inputs.scenario import SCENARIO_KEYS, load_scenario
from optimizer.inputs.xlsx_input import load_workbook_instance

from test_input_workbooks import write_ods

FUZZ = settings(max_examples=80, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
GROUPS = "group,size,wave,platform,department\nA,10,pilot,windows,IT\nB,20,production,ios,IT\nC,5,production,windows,HR\n"
CAPACITY = "month,helpdesk,assisted,tech_fair\n2027-01,100,50,10\n2027-02,100,50,10\n2027-03,100,50,10\n"

# ------------------------------------------------------------------ TOML values and text
TEXT = st.text(alphabet=st.sampled_from(list("abAB12 -_.;,/'\"\\ÅäöŁ") + ["\x07", "\t", "\n", "\u2028", "é"]),
               max_size=12)
WORDS = st.sampled_from(["finish", "waiting", "assisted", "self-service", "tech-fair", "2027-01", "2027-02",
                         "maj 2027", "A", "B", "C", "g.csv", "c.csv", "../c.csv", "/dev/zero", "", "windows",
                         "pilot", "production", "yes", "no", "s.toml", "x.toml", "/etc/hostname"])
SCALARS = st.one_of(st.integers(-2**70, 2**70), st.sampled_from([0, 1, 2, 1000, 1001, -1]),
                    st.floats(allow_nan=True, allow_infinity=True), st.booleans(), TEXT, WORDS,
                    st.just(dt.date(2027, 1, 1)))
KEYS = st.one_of(st.sampled_from(list(SCENARIO_KEYS) + ["tickets_per_100_users", "file", "helpdesk", "assisted",
                                                        "tech_fair", "A", "B", "earliest", "blackout", "after",
                                                        "methods", "vip", "size", "2027-01"]), TEXT)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(KEYS, inner, max_size=4)), max_leaves=12)
DOCS = st.dictionaries(KEYS, VALUES, max_size=8)


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=True).replace("\\ud", "\\uD")  # BMP only in TEXT/WORDS
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(x)}" for k, x in v.items()) + "}"


def toml_text(doc: dict) -> str:
    return "".join(f"{json.dumps(k)} = {toml_value(v)}\n" for k, v in doc.items())


@FUZZ
@given(DOCS)
def test_parse_rules_takes_any_toml_data(doc):
    try:
        parse_rules(doc, "rules.toml")
    except InputError as err:
        assert str(err).startswith("rules.toml")


@FUZZ
@given(DOCS)
def test_rules_files_load_or_fail_cleanly(tmp_path_factory, doc):
    p = tmp_path_factory.mktemp("r") / "rules.toml"
    p.write_text(toml_text(doc), encoding="utf-8")
    try:
        load_rules(p)
    except InputError:
        pass


@FUZZ
@given(DOCS, st.sampled_from(["plain", "with files", "extends"]))
def test_scenarios_load_or_fail_cleanly(tmp_path_factory, doc, shape):
    d = tmp_path_factory.mktemp("s")
    (d / "g.csv").write_text(GROUPS)
    (d / "c.csv").write_text(CAPACITY)
    if shape == "with files":
        doc = {"capacity": "c.csv", **doc}
        if not isinstance(doc.get("groups"), dict):
            doc["groups"] = "g.csv"
        else:
            doc["groups"] = {"file": "g.csv", **doc["groups"]}
    if shape == "extends":
        (d / "base.toml").write_text('groups = "g.csv"\ncapacity = "c.csv"\n')
        doc = {"extends": "base.toml", **{k: v for k, v in doc.items() if k not in ("groups", "capacity")}}
    (d / "s.toml").write_text(toml_text(doc), encoding="utf-8")
    try:
        inst = load_scenario(d / "s.toml")
    except InputError as err:
        assert str(err) and "\n" not in str(err).strip()
    else:
        assert inst.groups and inst.months


@FUZZ
@given(st.lists(st.sampled_from(["a = ", "[", "]", "{", "}", "x", "=", "\"", "'''", "1", ",", "\n", "[[t]]",
                                 "[t]", "stage_gap", " ", "#", "\x00", "\\u0000", "é", "\xff"]), max_size=60))
def test_mutated_toml_text(tmp_path_factory, parts):
    p = tmp_path_factory.mktemp("t") / "rules.toml"
    p.write_bytes("".join(parts).encode("utf-8", "surrogateescape"))
    try:
        load_rules(p)
    except InputError:
        pass


# ------------------------------------------------------------------ workbooks
CELL = st.one_of(st.none(), st.integers(-5, 3000), st.floats(allow_nan=False, allow_infinity=False, width=32),
                 st.booleans(), st.sampled_from(["group", "size", "month", "helpdesk", "assisted", "tech_fair",
                                                 "wave", "vip", "methods", "blackout", "after", "key", "value",
                                                 "stage_gap", "vip_assisted", "objective", "A", "B", "2027-01",
                                                 "maj 2027", "Sep-27", "pilot", "yes", "TRUE", "=1+1",
                                                 "tickets_per_100_users.assisted", "finish;waiting", ""]),
                 st.just(dt.datetime(2027, 2, 1)), st.text(max_size=6))
SHEET = st.lists(st.lists(CELL, max_size=6), max_size=8)
SHEETS = st.dictionaries(st.sampled_from(["Groups", "Capacity", "Rules", "groups", "Other"]), SHEET, min_size=1,
                         max_size=4)
HEADERS = {"Groups": [["group", "size", "vip", "wave"]], "Capacity": [["month", "helpdesk", "assisted"]]}


def _xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        if name.lower() in [s.lower() for s in wb.sheetnames]:
            continue
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append([v if not isinstance(v, str) else "".join(ch for ch in v if ch.isprintable()) for v in row])
    wb.save(path)
    return path


@FUZZ
@given(SHEETS, st.booleans())
def test_xlsx_inputs_load_or_fail_cleanly(tmp_path_factory, sheets, with_headers):
    if with_headers:
        sheets = {k: HEADERS.get(k, []) + v for k, v in sheets.items()}
    p = _xlsx(tmp_path_factory.mktemp("x") / "in.xlsx", sheets)
    try:
        load_workbook_instance(p)
    except InputError:
        pass


@FUZZ
@given(SHEETS, st.booleans())
def test_ods_inputs_load_or_fail_cleanly(tmp_path_factory, sheets, with_headers):
    if with_headers:
        sheets = {k: HEADERS.get(k, []) + v for k, v in sheets.items()}
    sheets = {k: [[v.isoformat() if isinstance(v, dt.datetime) else v for v in row] or None for row in rows]
              for k, rows in sheets.items()}
    p = write_ods(tmp_path_factory.mktemp("o") / "in.ods", sheets, tail_rows=1000)
    try:
        load_workbook_instance(p)
    except InputError:
        pass


def _mutate(data: bytes, edits: list[tuple[int, int]]) -> bytes:
    b = bytearray(data)
    for pos, val in edits:
        if b:
            b[pos % len(b)] = val
    return bytes(b)


EDITS = st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=8)


@FUZZ
@given(EDITS, st.sampled_from(["xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/sharedStrings.xml",
                               "[Content_Types].xml", "xl/styles.xml"]))
def test_damaged_xlsx_parts(tmp_path_factory, edits, part):
    d = tmp_path_factory.mktemp("m")
    src = _xlsx(d / "good.xlsx", {"Groups": [["group", "size"], ["A", 10], ["B", "x y"]],
                                  "Capacity": [["month", "helpdesk"], ["2027-01", 100]]})
    out = io.BytesIO()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            zout.writestr(item, _mutate(data, edits) if item.filename == part else data)
    (d / "bad.xlsx").write_bytes(out.getvalue())
    try:
        load_workbook_instance(d / "bad.xlsx")
    except InputError:
        pass


@FUZZ
@given(EDITS)
def test_damaged_ods_content(tmp_path_factory, edits):
    d = tmp_path_factory.mktemp("n")
    src = write_ods(d / "good.ods", {"Groups": [["group", "size"], ["A", 10.0]],
                                     "Capacity": [["month", "helpdesk"], ["2027-01", 100.0]]}, tail_rows=5)
    with zipfile.ZipFile(src) as z:
        content = z.read("content.xml")
    with zipfile.ZipFile(d / "bad.ods", "w") as z:
        z.writestr("content.xml", _mutate(content, edits))
    try:
        load_workbook_instance(d / "bad.ods")
    except InputError:
        pass


@FUZZ
@given(st.binary(max_size=3000), st.sampled_from(["in.xlsx", "in.ods"]))
def test_any_bytes_as_a_workbook(tmp_path_factory, data, name):
    p = tmp_path_factory.mktemp("b") / name
    p.write_bytes(data)
    try:
        load_workbook_instance(p)
    except InputError:
        pass

"""Fuzzing the loaders: any bytes end in an Instance or an InputError, never another exception;
an instance that loads can be solved (or is reported infeasible) without exceptions."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer.errors import InputError
from optimizer.inputs.loaders import load_instance
from optimizer.solving.solver import SolveOptions, solve

CAPACITY = "month,helpdesk,assisted,tech_fair\n2027-01,100,50,100\n2027-02,100,50,100\n"
HEADERS = ["group", "size", "wave", "department", "platform", "location", "risk", "readiness", "vip",
           "methods", "earliest", "latest", "blackout", "after", "GROUP", " Size ", "extra", ""]
CELLS = ["A", "B", "C", "10", "0", "-1", "1e9", "2.5", "", " ", "pilot", "expanded-pilot", "production",
         "windows", "ios", "high", "low", "5", "7", "yes", "no", "self-service;assisted", "tech-fair",
         "2027-01", "2027-02", "2030-01", "A;B", "=1+1", "'=x", "\"quoted, cell\"", "Försäljning", "\x00", ";", ","]
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                         HealthCheck.function_scoped_fixture])


def _load(tmp: Path, groups: bytes, capacity: bytes = CAPACITY.encode()):
    (tmp / "g.csv").write_bytes(groups)
    (tmp / "c.csv").write_bytes(capacity)
    try:
        return load_instance(tmp / "g.csv", tmp / "c.csv")
    except InputError as err:
        assert str(err) and "\n" not in str(err).strip()
        return None


@FUZZ
@given(st.binary(max_size=2000))
def test_any_bytes_load_or_fail_cleanly(tmp_path_factory, data):
    _load(tmp_path_factory.mktemp("f"), data)


@FUZZ
@given(st.binary(max_size=500))
def test_any_capacity_bytes_load_or_fail_cleanly(tmp_path_factory, data):
    _load(tmp_path_factory.mktemp("f"), b"group,size\nA,10\n", data)


csv_text = st.builds(
    lambda header, rows, sep: "\n".join(sep.join(r) for r in [header] + rows) + "\n",
    st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8),
    st.lists(st.lists(st.sampled_from(CELLS), max_size=8), max_size=6),
    st.sampled_from([",", ";"]),
)


@FUZZ
@given(csv_text, st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
def test_mutated_csv_loads_and_solves_or_fails_cleanly(tmp_path_factory, text, encoding):
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    inst = _load(tmp_path_factory.mktemp("f"), data)
    if inst is not None:
        res = solve(inst, SolveOptions(time_limit=2, workers=1))
        assert res.status in ("optimal", "feasible", "infeasible", "unknown")

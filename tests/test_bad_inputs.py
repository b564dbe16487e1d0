"""A corpus of bad inputs: each gets one clear paragraph naming file (row, column), exit 2,
and never a traceback. Malformed input is exit 2; well-formed input without a plan is exit 1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from optimizer.cli import main

ROOT = Path(__file__).resolve().parent.parent
GOOD_CAPACITY = "month,helpdesk,assisted,tech_fair\n2027-01,100,50,0\n2027-02,100,50,0\n"
GOOD_GROUPS = "group,size\nA,10\nB,20\n"

# (name, groups.csv, capacity.csv, expected fragments of the message)
CASES = [
    ("empty groups", "", GOOD_CAPACITY, ["g.csv", "empty"]),
    ("header only", "group,size\n", GOOD_CAPACITY, ["g.csv", "no data rows"]),
    ("missing required column", "group,wave\nA,pilot\n", GOOD_CAPACITY, ["g.csv", "size"]),
    ("duplicate group", "group,size\nA,10\nA,20\n", GOOD_CAPACITY, ["g.csv", "row 3", "'group'", "A"]),
    ("size zero", "group,size\nA,0\n", GOOD_CAPACITY, ["row 2", "'size'", "got 0"]),
    ("size negative", "group,size\nA,-5\n", GOOD_CAPACITY, ["row 2", "'size'", "-5"]),
    ("size text", "group,size\nA,many\n", GOOD_CAPACITY, ["row 2", "'size'", "many"]),
    ("size 1e9", "group,size\nA,1e9\n", GOOD_CAPACITY, ["row 2", "'size'", "1e9"]),
    ("readiness 7", "group,size,readiness\nA,10,7\n", GOOD_CAPACITY, ["row 2", "'readiness'", "7"]),
    ("unknown platform", "group,size,platform\nA,10,blackberry\n", GOOD_CAPACITY, ["'platform'", "blackberry", "windows"]),
    ("unknown wave", "group,size,wave\nA,10,beta\n", GOOD_CAPACITY, ["'wave'", "beta", "pilot"]),
    ("unknown method", "group,size,methods\nA,10,carrier pigeon\n", GOOD_CAPACITY, ["'methods'", "carrier pigeon"]),
    ("unknown month earliest", "group,size,earliest\nA,10,2030-01\n", GOOD_CAPACITY, ["'earliest'", "2030-01"]),
    ("unknown month latest", "group,size,latest\nA,10,2030-01\n", GOOD_CAPACITY, ["'latest'", "2030-01"]),
    ("unknown month blackout", "group,size,blackout\nA,10,Jully 2027\n", GOOD_CAPACITY, ["'blackout'", "Jully 2027"]),
    ("unknown group in after", "group,size,after\nA,10,Nobody\n", GOOD_CAPACITY, ["'after'", "Nobody"]),
    ("earliest after latest", "group,size,earliest,latest\nA,10,2027-02,2027-01\n", GOOD_CAPACITY,
     ["row 2", "2027-02", "2027-01"]),
    ("cycle in after", "group,size,after\nA,10,C\nB,10,A\nC,10,B\n", GOOD_CAPACITY, ["cycle", "A", "B", "C"]),
    ("VIP in the pilot", "group,size,wave,vip\nA,10,pilot,yes\n", GOOD_CAPACITY, ["row 2", "VIP", "pilot"]),
    ("every month blacked out", "group,size,blackout\nA,10,2027-01;2027-02\n", GOOD_CAPACITY, ["row 2", "A", "month"]),
    ("capacity duplicate month", GOOD_GROUPS, "month,helpdesk\n2027-01,10\n2027-01,20\n", ["c.csv", "row 3", "2027-01"]),
    ("capacity negative", GOOD_GROUPS, "month,helpdesk\n2027-01,-10\n", ["c.csv", "row 2", "'helpdesk'", "-10"]),
    ("capacity missing column", GOOD_GROUPS, "month\n2027-01\n", ["c.csv", "helpdesk"]),
    ("capacity empty", GOOD_GROUPS, "", ["c.csv", "empty"]),
]


def _write(tmp: Path, groups: str | bytes, capacity: str | bytes) -> tuple[Path, Path]:
    g, c = tmp / "g.csv", tmp / "c.csv"
    for p, data in ((g, groups), (c, capacity)):
        p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return g, c


def _run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _assert_clear(r, fragments: list[str]) -> None:
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    text = " ".join(r.output.split())  # one paragraph, however the terminal wrapped it
    assert text.startswith("Error:"), text
    for f in fragments:
        assert f in text, (f, text)


@pytest.mark.parametrize("name, groups, capacity, fragments", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_a_clear_error(tmp_path: Path, name, groups, capacity, fragments):
    g, c = _write(tmp_path, groups, capacity)
    _assert_clear(_run("solve", str(g), str(c), "-q"), fragments)


def test_unknown_column_warns_but_solves(tmp_path: Path):
    g, c = _write(tmp_path, "group,size,colour\nA,10,red\n", GOOD_CAPACITY)
    r = _run("solve", str(g), str(c), "-q")
    assert r.exit_code == 0
    text = " ".join(r.output.split())
    assert "colour" in text and "ignoring unknown column" in text and "known columns" in text


def test_non_utf8_bytes_are_read_as_windows_1252(tmp_path: Path):
    g, c = _write(tmp_path, "group,size\nF\xf6rs\xe4ljning,10\n".encode("latin-1"), GOOD_CAPACITY)
    r = _run("solve", str(g), str(c))
    assert r.exit_code == 0 and "Försäljning" in r.output


def test_binary_file(tmp_path: Path):
    g, c = _write(tmp_path, bytes(range(256)) * 8, GOOD_CAPACITY)
    _assert_clear(_run("solve", str(g), str(c), "-q"), ["g.csv", "binary"])


def test_fifty_megabyte_file(tmp_path: Path):
    g, c = _write(tmp_path, GOOD_GROUPS, GOOD_CAPACITY)
    with open(g, "ab") as fh:
        line = b"X,1\n" * (1 << 16)
        for _ in range(50 * (1 << 20) // len(line) + 1):
            fh.write(line)
    _assert_clear(_run("solve", str(g), str(c), "-q"), ["g.csv", "MB"])


def test_missing_file(tmp_path: Path):
    _assert_clear(_run("solve", str(tmp_path / "nope.csv"), str(tmp_path / "c.csv"), "-q"), ["nope.csv", "no such file"])


@pytest.mark.parametrize("toml, fragments", [
    ("stage_gap = \"one\"\n", ["stage_gap", "integer", "one"]),
    ("vip_assisted = 3\n", ["vip_assisted", "true or false"]),
    ("colour = 1\n", ["unknown key 'colour'", "stage_gap", "risk_delay"]),
    ("objective = [\"finish\", \"speed\"]\n", ["objective", "speed"]),
    ("[tickets_per_100_users]\nfax = 3\n", ["fax", "self-service"]),
    ("stage_gap = \n", ["rules.toml", "TOML"]),
])
def test_bad_rules_toml(tmp_path: Path, toml, fragments):
    g, c = _write(tmp_path, GOOD_GROUPS, GOOD_CAPACITY)
    rules = tmp_path / "rules.toml"
    rules.write_text(toml)
    _assert_clear(_run("solve", str(g), str(c), "--rules", str(rules), "-q"), fragments)


def test_scenario_with_unknown_key(tmp_path: Path):
    _write(tmp_path, GOOD_GROUPS, GOOD_CAPACITY)
    sc = tmp_path / "s.toml"
    sc.write_text('name = "x"\ngroups = "g.csv"\ncapacity = "c.csv"\nbudget = 3\n')
    r = _run("solve", str(sc), "-q")
    _assert_clear(r, ["s.toml", "budget"])


def test_well_formed_but_impossible_is_exit_1_not_2(tmp_path: Path):
    # A VIP group with no assisted capacity in its months: infeasible, explained.
    g, c = _write(tmp_path, "group,size,vip\nBoard,10,yes\n", "month,helpdesk,assisted\n2027-01,100,0\n")
    r = _run("solve", str(g), str(c))
    assert r.exit_code == 1 and "Why there is no plan" in r.output and "Board" in r.output


def test_no_traceback_in_a_real_process(tmp_path: Path):
    g, c = _write(tmp_path, "group,size\nA,abc\n", GOOD_CAPACITY)
    p = subprocess.run([sys.executable, "-m", "optimizer.cli", "solve", str(g), str(c), "-q"],
                       capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert p.returncode == 2
    assert "Traceback" not in p.stderr + p.stdout
    assert "row 2, column 'size'" in " ".join(p.stderr.split())

"""Bad-input corpus, options: numbers the solver cannot take are usage errors (exit 2) naming the
option and what it allows, for every command that has the option (issue 23.9)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from optimizer.cli import main

GROUPS = "group,size\nA,10\n"
CAPACITY = "month,helpdesk\n2027-01,100\n"


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "g.csv").write_text(GROUPS)
    (tmp_path / "c.csv").write_text(CAPACITY)
    sc = tmp_path / "s.toml"
    sc.write_text('groups = "g.csv"\ncapacity = "c.csv"\n')
    return {"solve": [str(tmp_path / "g.csv"), str(tmp_path / "c.csv")], "compare": [str(sc)]}


@pytest.mark.parametrize("command", ["solve", "compare"])
@pytest.mark.parametrize("option, value, fragment", [
    ("--seed", "2147483648", "2147483647"),
    ("--seed", "-1", "2147483647"),
    ("--seed", "1e3", "whole number"),
    ("--time-limit", "nan", "seconds"),
    ("--time-limit", "inf", "seconds"),
    ("--time-limit", "-inf", "seconds"),
    ("--time-limit", "-5", "seconds"),
    ("--time-limit", "0", "seconds"),
    ("--time-limit", "1e300", "seconds"),
    ("--time-limit", "soon", "seconds"),
])
def test_out_of_range_numbers_are_usage_errors(files, command, option, value, fragment):
    r = CliRunner().invoke(main, [command, *files[command], option, value, "-q"], catch_exceptions=False)
    assert r.exit_code == 2, r.output
    text = " ".join(r.output.split())
    assert option in text and fragment in text, text
    assert "Traceback" not in text and "No plan" not in text


@pytest.mark.parametrize("command", ["solve", "compare"])
def test_largest_seed_is_taken(files, command):
    r = CliRunner().invoke(main, [command, *files[command], "--seed", "2147483647", "--time-limit", "2", "-q"],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output

"""The terminal as the planner sees it: the example solved, at 80 and 200 columns, piped and on
a terminal, in English and Swedish (and -q). Snapshots in tests/snapshots/; the seconds are
masked. Regenerate after an intended change, then read the diff:

    UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/test_snapshots.py
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from optimizer.cli import main

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
SECONDS = re.compile(r"\d+[.,]\d+ s\b")


def _terminal(lang: str, width: int, tty: bool, *extra: str) -> tuple[str, str]:
    env = {"COLUMNS": str(width), "LINES": "50", "TTY_COMPATIBLE": "1" if tty else "0", "TERM": "xterm-256color",
           "COLORTERM": None, "NO_COLOR": None, "FORCE_COLOR": None, "TTY_INTERACTIVE": "0"}
    r = CliRunner().invoke(main, ["--lang", lang, "solve", "--seed", "0", "--workers", "2", "--time-limit", "30",
                                  *extra], env=env, catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return SECONDS.sub("#.## s", r.stdout), r.stderr


CASES = [(lang, width, tty) for lang in ("en", "sv") for width in (80, 200) for tty in (False, True)]


@pytest.mark.parametrize("lang,width,tty", CASES)
def test_terminal_snapshot(lang: str, width: int, tty: bool):
    out, err = _terminal(lang, width, tty)
    path = SNAPSHOTS / f"solve-{lang}-{width}-{'tty' if tty else 'piped'}.txt"
    if os.environ.get("UPDATE_SNAPSHOTS"):
        path.write_text(out, encoding="utf-8")
    assert out == path.read_text(encoding="utf-8"), f"{path.name} differs (UPDATE_SNAPSHOTS=1 to accept)"
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out)
    assert max(len(line) for line in plain.splitlines()) <= width
    assert ("\x1b[" in out) == tty  # styles only on a terminal
    # the one-line answer first; the progress on stderr starts with what is planned
    first = plain.splitlines()[0]
    assert first.startswith("All 3,380 users" if lang == "en" else "Alla 3\u00a0380 användare")
    assert err.startswith("Planning example" if lang == "en" else "Planerar example")


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_quiet_snapshot(lang: str):
    out, err = _terminal(lang, 80, False, "-q")
    path = SNAPSHOTS / f"solve-{lang}-quiet.txt"
    if os.environ.get("UPDATE_SNAPSHOTS"):
        path.write_text(out, encoding="utf-8")
    assert out == path.read_text(encoding="utf-8")
    assert len(out.splitlines()) == 1 and err == ""


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_transposed_at_80_columns(lang: str):
    """At 80 columns the plan is one line per month; at 200 the guide's phases x months."""
    narrow = SNAPSHOTS / f"solve-{lang}-80-piped.txt"
    wide = SNAPSHOTS / f"solve-{lang}-200-piped.txt"
    month_first = {"en": "  2027-07 ", "sv": "  juli 2027 "}[lang]
    assert any(line.startswith(month_first) for line in narrow.read_text(encoding="utf-8").splitlines())
    header = {"en": "Phase ", "sv": "Distributionsfas "}[lang]
    assert any(line.strip().startswith(header) and ("2027-10" in line or "Oktober 2027" in line)
               for line in wide.read_text(encoding="utf-8").splitlines())


def test_ten_months_at_80_columns_one_line_per_month():
    """A 10-month plan: at 80 columns one line per month (no 3-character month columns, no word
    split), at 200 the guide's phases x months table."""
    import io

    from rich.console import Console

    from conftest import instance, months, solved
    from optimizer.render.console import print_plan
    from optimizer.domain import Group

    groups = [Group(f"Department {i}", 100, wave="pilot" if i == 0 else "production", readiness=1 + i % 5)
              for i in range(10)]
    res = solved(instance(groups, months(*[15] * 10), stage_gap=0))
    assert res.plan is not None and res.plan.finish() == 9
    for width in (80, 200):
        buf = io.StringIO()
        print_plan(Console(file=buf, width=width, color_system=None), res.plan)
        lines = buf.getvalue().splitlines()
        assert max(len(line) for line in lines) <= width
        if width == 80:
            assert sum(line.startswith(f"  2027-{m:02d} ") for m in range(1, 11) for line in lines) == 10
            assert all(f"Department {i} (100 users)" in buf.getvalue() for i in range(10))  # names whole
        else:
            assert any(line.strip().startswith("Phase") and "2027-10" in line for line in lines)

"""The time limit as the planner reads it: wall-clock seconds for the whole command.

``rollout solve --time-limit 60`` ends, files written, within 60 s of wall clock (plus 5 % and
a second) from the moment the command started, loading and writing included. Inside that:

- the solver's deterministic budget (CP-SAT's deterministic seconds, the same on every run, so
  the same input and seed give the same plan) is sized from the limit and the instance's size
  alone, never from a clock: ``DET_PER_WALL`` deterministic seconds per wall second of what is
  left after the expected start-up, loading and writing, a conservative ratio so that on this
  kind of machine the budget ends before the wall limit;
- the wall clock is a backstop: the solver gets a deadline that leaves time to write every
  requested output (in proportion to the number of groups); a level it cuts is marked
  "wall clock" and the run is then not reproducible (the output says so).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

#: CP-SAT deterministic seconds per wall second of the budget. Measured: about 0.6-0.8 on a
#: quiet 2-core machine (window moves, one worker each, two at a time), 0.2 with the machine
#: loaded three times over (docs/benchmarks.md, "An honest time limit"). Deterministic runs stop
#: at the same work on every machine; a slower one is cut by the wall clock and says so.
DET_PER_WALL = 0.5
#: Expected wall seconds before solving starts: the interpreter and imports ...
START_SECONDS = 1.0
#: ... and loading, validating and checking the warm start, per group.
LOAD_SECONDS_PER_GROUP = 1e-4
#: Wall seconds reserved for writing, per group: the terminal tables and each output file
#: (measured on a loaded machine: the workbook 0.75e-3 to 1.5e-3 s per group at 2,000 groups, 1.2e-3 at 100,000;
#: openpyxl at about 35 µs a cell; docs/benchmarks.md) ...
WRITE_SECONDS_PER_GROUP = {"terminal": 2e-5, ".csv": 2e-5, ".md": 3e-5, ".json": 4e-5, ".xlsx": 1e-3}
#: ... the workbook from optimizer.render.xlsx_rows.FAST_ROWS_FROM groups on (data rows as XML directly:
#: 2.8e-4 s per group at 20,000 groups, 2e-4 at 100,000) ...
XLSX_FAST_SECONDS_PER_GROUP = 3e-4
#: ... and per group the terminal lists by name (up to console.TERMINAL_NAMES_MAX): rich needs
#: about a second for 200 names in 24 month columns.
TERMINAL_SECONDS_PER_NAME = 5e-3
#: Wall seconds kept for the summary lines and the interpreter's exit (OR-Tools' threads, the
#: modules' teardown): 200 x 12 with --time-limit 5 ended 6.4 s after its start with 0.1 s.
EXIT_SECONDS = 0.4
#: At least this share of the limit goes to the solver's budget, whatever the estimates say.
MIN_SOLVE_SHARE = 0.1


def process_started() -> float:
    """``time.perf_counter()`` value at which this process started (Linux: from /proc; elsewhere
    the time of the first call)."""
    global _STARTED
    if _STARTED is None:
        now = time.perf_counter()
        age = 0.0
        try:
            fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
            start_ticks = int(fields[19])  # field 22, starttime, counted from field 3
            uptime = float(Path("/proc/uptime").read_text().split()[0])
            age = max(uptime - start_ticks / os.sysconf("SC_CLK_TCK"), 0.0)
        except (OSError, ValueError, IndexError):
            pass
        _STARTED = now - age
    return _STARTED


_STARTED: float | None = None


def command_started() -> float:
    """When the command started: the process's start when this process is the ``rollout``
    command (``rollout ...`` or ``python -m optimizer.cli``: its start-up counts), else now (a
    command run inside a longer-lived process, e.g. click's test runner or a notebook)."""
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    if Path(name).stem == "rollout" or name == "cli.py":
        return process_started()
    return time.perf_counter()


def write_reserve(groups: int, outs: list[str]) -> float:
    """Wall seconds kept for the terminal tables and writing ``outs`` after the solve."""
    from optimizer.render.console import TERMINAL_NAMES_MAX

    from optimizer.render.xlsx_rows import FAST_ROWS_FROM

    def each(suffix: str) -> float:
        if suffix == ".xlsx" and groups >= FAST_ROWS_FROM:
            return XLSX_FAST_SECONDS_PER_GROUP
        return WRITE_SECONDS_PER_GROUP.get(suffix, 1e-4)

    per = WRITE_SECONDS_PER_GROUP["terminal"] + sum(each(Path(p).suffix.lower()) for p in outs)
    names = groups if groups <= TERMINAL_NAMES_MAX else 0
    return EXIT_SECONDS + per * groups + TERMINAL_SECONDS_PER_NAME * names


def work_limit(time_limit: float, groups: int, outs: list[str]) -> float:
    """The solver's deterministic budget for a command limited to ``time_limit`` wall seconds:
    a function of the limit and the sizes only (reproducible)."""
    overhead = START_SECONDS + LOAD_SECONDS_PER_GROUP * groups + write_reserve(groups, outs)
    return DET_PER_WALL * max(time_limit - overhead, MIN_SOLVE_SHARE * time_limit)


def deadline(time_limit: float, groups: int, outs: list[str], started: float | None = None) -> float:
    """``time.perf_counter()`` value by which the solver returns: the command's start plus the
    limit, minus the time kept for writing."""
    start = command_started() if started is None else started
    return start + time_limit - write_reserve(groups, outs)


def solve_options(time_limit: float, groups: int, outs: list[str], *, started: float | None = None, **kw):
    """SolveOptions for a command limited to ``time_limit`` wall seconds from ``started``."""
    from optimizer.solving.solver import SolveOptions

    return SolveOptions(time_limit=time_limit, work_limit=work_limit(time_limit, groups, outs),
                        deadline=deadline(time_limit, groups, outs, started), **kw)

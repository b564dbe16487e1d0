"""``rollout sweep``: the command, wired to optimizer.sweep.file / sweep / sweep_report.

Registered in optimizer.cli. Exit codes as ``compare``: 0 every scenario has a plan, 1 some
has none (infeasible, out of time, failed twice), 2 bad input or usage.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from optimizer.render.console import make_console, print_error
from optimizer.cli_types import SECONDS
from optimizer.errors import InputError
from optimizer.solving.solver import DEFAULT_TIME_LIMIT

EXIT_INPUT = 2


def _fail(err: InputError) -> None:
    print_error(err)
    sys.exit(EXIT_INPUT)


@click.command("sweep")
@click.argument("sweep_file", type=click.Path(dir_okay=False))
@click.option("--out", "outs", multiple=True,
              help="Write the results; suffix .xlsx, .csv, .md, .json or .png (the plot). Repeatable.")
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="local: processes on this computer; ray: a Ray cluster (pip install 'rollout[cluster]').")
@click.option("--address", default=None, help="Ray cluster to use, e.g. ray://HOST:10001 [default: a local Ray].")
@click.option("--jobs", type=click.IntRange(min=1, max=4096), default=None,
              help="Scenarios solved at a time [default: one per core; on Ray: the cluster's CPUs / --workers].")
@click.option("--workers", type=click.IntRange(min=1, max=64), default=None,
              help="CP-SAT workers per scenario, the same on every engine [default: the sweep file's, else 4].")
@click.option("--time-limit", type=SECONDS, default=None,
              help=f"Seconds per scenario [default: the sweep file's, else {DEFAULT_TIME_LIMIT:g}].")
@click.option("--deterministic/--no-deterministic", default=True, show_default=True)
@click.option("--resume", is_flag=True, help="Skip the scenarios already solved into the first --out (its .sweep.jsonl).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def sweep_cmd(sweep_file, outs, engine, address, jobs, workers, time_limit, deterministic, resume, quiet) -> None:
    """Solve every combination of a sweep file's axes (SWEEP.toml, see data/sweeps/) and mark
    the best trade-offs between finish month, helpdesk load and assisted users."""
    from optimizer.sweep import run as S
    from optimizer.sweep import report as R
    from optimizer.sweep.engines import import_ray
    from optimizer.sweep.file import load_sweep

    console = make_console()
    err_console = make_console(stderr=True)
    if resume and not outs:
        raise click.UsageError("--resume needs --out: the results of the earlier run are kept beside it")
    if address and engine != "ray":
        raise click.UsageError("--address is for --engine ray")
    try:
        sweep = load_sweep(sweep_file)
        journal = S.journal_path(outs[0]) if outs else None
        R.check_out_paths(list(outs), [sweep.path, sweep.base_path] + [Path(v) for k, v in sweep.base.sources.items()
                                                           if v and k not in ("extends", "rules", "sweep")])
        if engine == "ray":
            import_ray()
    except InputError as err:
        _fail(err)
    if journal is not None and journal.exists() and not resume and not quiet:
        err_console.print(f"Starting afresh: the results in {journal} are replaced (--resume would keep them).",
                          highlight=False)
    monitor = None if quiet else R.ProgressMonitor(err_console)
    try:
        res = S.run_sweep(sweep, time_limit=time_limit, workers=workers, deterministic=deterministic,
                          engine=engine, jobs=jobs, address=address, journal=journal, resume=resume,
                          monitor=monitor)
    except InputError as err:
        _fail(err)
    finally:
        if monitor is not None:
            monitor.stop()
    R.print_sweep(console, res)
    try:
        R.write_sweep(res, list(outs))
    except OSError as exc:
        _fail(InputError(f"cannot write the output: {exc}"))
    for p in outs:
        err_console.print(f"Wrote {p}", highlight=False)
    sys.exit(S.exit_code(res))

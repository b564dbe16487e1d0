"""The ``rollout`` command: a thin layer over the library.

Exit codes (public contract): 0 plan found / plan valid, 1 infeasible / plan
invalid, 2 bad input or usage.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

import click
from rich.console import Console

from .checker import check_plan
from .console import ProgressPrinter, print_explanation, print_result, print_violations
from .domain import Instance
from .errors import InputError
from .export import check_out_paths, write_outputs
from .loaders import load_instance
from .planfile import read_plan
from .solver import DEFAULT_SEED, DEFAULT_TIME_LIMIT, DEFAULT_WORKERS, SolveOptions, solve
from .timelimit import command_started, solve_options

EXIT_OK, EXIT_NO_PLAN, EXIT_INPUT = 0, 1, 2


def example_dir() -> Path:
    """The embedded example: data/example beside the package, else in the current folder."""
    for base in (Path(__file__).resolve().parent.parent, Path.cwd()):
        d = base / "data" / "example"
        if (d / "groups.csv").is_file():
            return d
    raise InputError("the embedded example (data/example/groups.csv) was not found; pass GROUPS.csv CAPACITY.csv")


def load_inputs(files: tuple[str, ...], rules: str | None) -> Instance:
    if not files:
        d = example_dir()
        rules_path = rules or (str(d / "rules.toml") if (d / "rules.toml").is_file() else None)
        return load_instance(d / "groups.csv", d / "capacity.csv", rules_path, name="example")
    if len(files) == 2:
        return load_instance(files[0], files[1], rules)
    elif len(files) == 1 and files[0].lower().endswith(".toml"):  # a scenario (see optimizer.scenario)
        from .scenario import load_scenario
        return load_scenario(files[0], rules=rules)
    elif len(files) == 1 and files[0].lower().endswith(".xlsx"):  # sheets Groups, Capacity (, Rules)
        from .xlsx_input import load_workbook_instance
        return load_workbook_instance(files[0], rules)
    raise click.UsageError("give GROUPS.csv and CAPACITY.csv, one INPUTS.xlsx or SCENARIO.toml, "
                           "or no files for the embedded example")


def _console() -> Console:
    """Stdout console; wide when not a terminal so piped tables don't wrap."""
    c = Console()
    return c if c.is_terminal else Console(width=200)


def _fail(err: InputError) -> None:
    Console(stderr=True).print(f"[red]Error:[/red] {err}", highlight=False, soft_wrap=True)
    sys.exit(EXIT_INPUT)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="rollout")
@click.option("-v", "--verbose", count=True, help="Log solver progress (-v) or debug details (-vv).")
def main(verbose: int) -> None:
    """Plan the phased rollout of a device-management system, optimally."""
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr, force=True)


@main.command("solve")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--rules", "rules", type=click.Path(dir_okay=False), help="rules.toml with planning rules.")
@click.option("--out", "outs", multiple=True, help="Write the plan; suffix .csv, .md, .json or .xlsx. Repeatable.")
@click.option("--time-limit", type=click.FloatRange(min=0.01), default=DEFAULT_TIME_LIMIT, show_default=True,
              help="Wall-clock seconds for the whole command, from start to files written. "
                   "With --deterministic the search gets a fixed amount of work, so the same input "
                   "and seed give the same plan; if the clock runs out first, the output says the "
                   "run is not reproducible.")
@click.option("--seed", type=click.IntRange(min=0), default=DEFAULT_SEED, show_default=True)
@click.option("--workers", type=click.IntRange(min=1, max=64), default=DEFAULT_WORKERS, show_default=True,
              help="CP-SAT search workers (8 keeps the full portfolio even on 2 cores).")
@click.option("--deterministic/--no-deterministic", default=True, show_default=True,
              help="Same input and seed give the same plan, even when the time limit cuts the search.")
@click.option("--window-moves/--no-window-moves", default=True, show_default=True,
              help="On large inputs (500+ groups) improve each level by re-solving windows of "
                   "months before the whole-model search.")
@click.option("--quiet", "-q", is_flag=True, help="No progress lines.")
def solve_cmd(files, rules, outs, time_limit, seed, workers, deterministic, window_moves, quiet) -> None:
    """Solve GROUPS.csv CAPACITY.csv, INPUTS.xlsx or SCENARIO.toml (no files: the
    embedded example) to an optimal plan."""
    started = command_started()  # the time limit counts from the command's start
    console = _console()
    err_console = Console(stderr=True)
    try:
        inst = load_inputs(files, rules)
        check_out_paths(list(outs))
    except InputError as err:
        _fail(err)
    opts = solve_options(time_limit, len(inst.groups), list(outs), started=started, seed=seed, workers=workers,
                         deterministic=deterministic, lns=window_moves)
    if not quiet:
        err_console.print(
            f"Solving {inst.name}: {len(inst.groups)} groups, {inst.horizon} months "
            f"(Ctrl-C returns the best plan so far)", highlight=False)
    result = solve(inst, opts, progress=None if quiet else ProgressPrinter(err_console))
    if result.status == "infeasible":
        from .explain import explain

        if not quiet:
            err_console.print("No plan exists; looking for the rules that conflict...", highlight=False)
        result.explanation = explain(inst, time_limit=min(30.0, max(1.0, opts.deadline - time.perf_counter())),
                                     seed=seed, workers=workers)
    print_result(console, inst, result)
    if result.explanation is not None:
        print_explanation(console, result.explanation)
    try:
        write_outputs(inst, result, list(outs))
    except OSError as exc:
        _fail(InputError(f"cannot write the output: {exc}"))
    for p in outs:
        err_console.print(f"Wrote {p}", highlight=False)
    if not result.found:
        if result.status == "infeasible":
            console.print("[red]No plan satisfies all rules (infeasible).[/red]")
        else:
            console.print("[red]No plan found within the time limit; try a longer --time-limit.[/red]")
        sys.exit(EXIT_NO_PLAN)
    sys.exit(EXIT_OK)


@main.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--rules", "rules", type=click.Path(dir_okay=False), help="rules.toml with planning rules.")
def check_cmd(files, rules) -> None:
    """Check a plan against the inputs, without the solver.

    FILES: GROUPS.csv CAPACITY.csv PLAN.csv, or INPUTS.xlsx (or SCENARIO.toml) PLAN.csv.
    The plan needs the columns group, month and method (CSV, or the Assignments sheet
    of a plan workbook written by rollout).
    """
    console = _console()
    if len(files) not in (2, 3):
        raise click.UsageError("give GROUPS.csv CAPACITY.csv PLAN.csv, or INPUTS.xlsx PLAN.csv")
    *inputs, plan = files
    try:
        inst = load_inputs(tuple(inputs), rules)
        p = read_plan(inst, plan)
    except InputError as err:
        _fail(err)
    violations = check_plan(p)
    print_violations(console, violations)
    if len(p.assignments) == len(inst.groups):
        vals = p.objective_values()
        console.print(
            f"Objective levels: finish {inst.months[vals['finish']].label} (index {vals['finish']}), "
            f"waiting {vals['waiting']}, assisted {vals['assisted']} users", highlight=False)
    sys.exit(EXIT_NO_PLAN if violations else EXIT_OK)


@main.command("compare")
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--out", "outs", multiple=True, help="Write the comparison; suffix .md, .csv, .json or .xlsx. Repeatable.")
@click.option("--time-limit", type=click.FloatRange(min=0.01), default=DEFAULT_TIME_LIMIT, show_default=True,
              help="Seconds per scenario, for all its objective levels together.")
@click.option("--seed", type=click.IntRange(min=0), default=DEFAULT_SEED, show_default=True)
@click.option("--workers", type=click.IntRange(min=1, max=64), default=None,
              help=f"CP-SAT workers per scenario [default: {DEFAULT_WORKERS} shared fairly by the parallel solves].")
@click.option("--jobs", type=click.IntRange(min=1, max=64), default=None,
              help="Scenarios solved in parallel processes [default: one per core; 1 when all are small].")
@click.option("--deterministic/--no-deterministic", default=True, show_default=True)
@click.option("--quiet", "-q", is_flag=True, help="No progress lines.")
def compare_cmd(scenarios, outs, time_limit, seed, workers, jobs, deterministic, quiet) -> None:
    """Solve scenario TOML files and compare them; the first is the baseline."""
    from . import compare as C

    console, err_console = _console(), Console(stderr=True)
    try:
        C.check_out_paths(list(outs))
    except InputError as err:
        _fail(err)
    runs = C.load_runs(scenarios)
    jobs = jobs or C.default_jobs(runs)
    opts = SolveOptions(time_limit=time_limit, seed=seed, workers=workers or C.fair_workers(jobs),
                        deterministic=deterministic)
    for r in runs:
        if r.error_kind == "input":
            err_console.print(f"[red]Error:[/red] {r.error}", highlight=False, soft_wrap=True)
    if not quiet:
        err_console.print(f"Solving {sum(r.inst is not None for r in runs)} scenario(s), {jobs} in parallel, "
                          f"{opts.workers} workers each (Ctrl-C keeps the best plans so far)", highlight=False)
    C.solve_runs(runs, opts, jobs=jobs, on_done=None if quiet else lambda r: err_console.print(
        f"  {r.name}: {r.status}" + (f" in {r.result.seconds:.2f} s" if r.result else ""), highlight=False))
    comp = C.compare(runs, options=opts, jobs=jobs)
    C.print_comparison(console, comp)
    try:
        C.write_comparison(comp, list(outs))
    except OSError as exc:
        _fail(InputError(f"cannot write the output: {exc}"))
    for p in outs:
        err_console.print(f"Wrote {p}", highlight=False)
    sys.exit(C.exit_code(comp))


if __name__ == "__main__":  # pragma: no cover
    main()

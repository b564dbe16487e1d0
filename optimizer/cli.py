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

from optimizer import i18n, process
from optimizer.checker import check_plan
from optimizer.cli_lang import add_lang_options
from optimizer.cli_types import SECONDS, SEED
from optimizer.render.console import (
    ProgressPrinter,
    make_console,
    print_answer,
    print_error,
    print_explanation,
    print_result,
    print_violations,
    text,
    to_null,
)
from optimizer.directory.commands import groups_cmd, pilot_cmd
from optimizer.domain import Instance
from optimizer.errors import InputError
from optimizer.i18n import _
from optimizer.render.export import CSV_SEPARATORS, check_out_paths, write_outputs
from optimizer.inputs.loaders import load_instance
from optimizer.render.outputs import source_files
from optimizer.plan import Plan
from optimizer.inputs.planfile import read_plan, rules_for_check
from optimizer.solving.solver import (
    DEFAULT_SEED,
    DEFAULT_TIME_LIMIT,
    DEFAULT_WORKERS,
    SolveOptions,
    solve,
)
from optimizer.solving.timelimit import command_started, solve_options

EXIT_OK, EXIT_NO_PLAN, EXIT_INPUT = 0, 1, 2
EXIT_INTERRUPTED = process.EXIT_INTERRUPTED  # 130: a second Ctrl-C / SIGTERM ended the command


def example_dir() -> Path:
    """The folder of the embedded example (see :mod:`optimizer.inputs.embedded`)."""
    from optimizer.inputs.embedded import example_files

    with example_files() as (groups, _, _):
        return groups.parent


def load_inputs(files: tuple[str, ...], rules: str | None) -> Instance:
    if not files:
        from optimizer.inputs.embedded import load_example

        return load_example(rules)
    if len(files) == 2:
        return load_instance(files[0], files[1], rules)
    elif len(files) == 1 and files[0].lower().endswith(".toml"):  # a scenario (see optimizer.inputs.scenario)
        from optimizer.inputs.scenario import load_scenario
        return load_scenario(files[0], rules=rules)
    elif len(files) == 1 and files[0].lower().endswith((".xlsx", ".xlsm", ".ods")):  # Groups, Capacity (, Rules)
        from optimizer.inputs.xlsx_input import load_workbook_instance
        return load_workbook_instance(files[0], rules)
    raise click.UsageError("give GROUPS.csv and CAPACITY.csv, one INPUTS.xlsx (or .ods) or SCENARIO.toml, "
                           "or no files for the embedded example")


def load_plan(inputs: tuple[str, ...], rules: str | None, plan_file: str) -> tuple[Instance, Plan, str | None]:
    """The inputs and a plan file (as ``rollout check`` and ``rollout why`` take them). Without
    ``rules``, a plan workbook's recorded rules apply; the note says so when they do."""
    inst = load_inputs(inputs, rules)
    inst, note = (inst, None) if rules else rules_for_check(inst, plan_file)
    return inst, read_plan(inst, plan_file), note


def _console():
    """Stdout console: the terminal's width; piped, $COLUMNS or 80 (tables fit it, see console.py)."""
    return make_console()


def _verbose() -> int:
    ctx = click.get_current_context(silent=True)
    return (ctx.find_root().params.get("verbose") or 0) if ctx else 0


def _fail(err: InputError) -> None:
    print_error(err)
    sys.exit(EXIT_INPUT)


class _Group(click.Group):
    """Ctrl-C or SIGTERM that ends a command before its result is written: exit 130, said
    in words (click would say 'Aborted!' and exit 1, the code for 'no plan')."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            make_console(stderr=True).print(text((process.INTERRUPTED_MESSAGE, "red")), soft_wrap=True)
            sys.exit(EXIT_INTERRUPTED)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="rollout")
@click.option("-v", "--verbose", count=True, help="Log solver progress (-v) or debug details (-vv).")
def main(verbose: int) -> None:
    """Plan the phased rollout of a device-management system, optimally."""
    process.setup_streams()
    process.handle_sigterm()
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    process.setup_logging(level)


@main.command("solve")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--rules", "rules", type=click.Path(dir_okay=False), help="rules.toml with planning rules.")
@click.option("--out", "outs", multiple=True, help="Write the plan; suffix .csv, .md, .json or .xlsx. Repeatable. "
              "'-' writes CSV to standard output ('-.md', '-.json' other formats).")
@click.option("--csv-sep", type=click.Choice(CSV_SEPARATORS), default=None,
              help="Separator in CSV outputs [default: the groups file's; ',' for workbooks].")
@click.option("--time-limit", type=SECONDS, default=DEFAULT_TIME_LIMIT, show_default=True,
              help="Wall-clock seconds for the whole command, from start to files written. "
                   "With --deterministic the search gets a fixed amount of work, so the same input "
                   "and seed give the same plan; if the clock runs out first, the output says the "
                   "run is not reproducible.")
@click.option("--seed", type=SEED, default=DEFAULT_SEED, show_default=True)
@click.option("--workers", type=click.IntRange(min=1, max=64), default=DEFAULT_WORKERS, show_default=True,
              help="CP-SAT search workers (8 keeps the full portfolio even on 2 cores).")
@click.option("--deterministic/--no-deterministic", default=True, show_default=True,
              help="Same input and seed give the same plan, even when the time limit cuts the search.")
@click.option("--window-moves/--no-window-moves", default=True, show_default=True,
              help="On large inputs (500+ groups) improve each level by re-solving windows of "
                   "months before the whole-model search.")
@click.option("--why", "why_groups", multiple=True, metavar="GROUP",
              help="Then say why GROUP is in its month and not earlier (as `rollout why`). Repeatable.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors and the one-line answer.")
def solve_cmd(files, rules, outs, csv_sep, time_limit, seed, workers, deterministic, window_moves, why_groups,
              quiet) -> None:
    """Solve GROUPS.csv CAPACITY.csv, INPUTS.xlsx (or .ods) or SCENARIO.toml (no
    files: the embedded example) to an optimal plan."""
    started = command_started()  # the time limit counts from the command's start
    err_console = make_console(stderr=True)
    try:
        inst = load_inputs(files, rules)
        targets = check_out_paths(list(outs), [*files, *([rules] if rules else []), *source_files(inst.sources)])
        for g in why_groups:
            if g not in {h.name for h in inst.groups}:
                from optimizer.explain.why_command import unknown_group
                raise unknown_group(inst, g, "--why")
    except InputError as err:
        _fail(err)
    # With '-' the plan goes to standard output: the tables stay off it, messages go to stderr.
    console = err_console if any(t.to_stdout for t in targets) else _console()
    opts = solve_options(time_limit, len(inst.groups), list(outs), started=started, seed=seed, workers=workers,
                         deterministic=deterministic, lns=window_moves)
    if not quiet:
        err_console.print(text(_("Planning {name}: {groups} groups, {months} months (Ctrl-C returns the best "
                                 "plan so far)").format(name=inst.name, groups=len(inst.groups), months=inst.horizon)))
    result = solve(inst, opts, progress=None if quiet else ProgressPrinter(err_console, _verbose(), inst.month_labels))
    if result.status == "infeasible":
        from optimizer.explain import explain

        if not quiet:
            err_console.print(text(_("No plan exists; looking for the rules that conflict...")))
        result.explanation = explain(inst, time_limit=min(30.0, max(1.0, opts.deadline - time.perf_counter())),
                                     seed=seed, workers=workers)
    _write(lambda: write_outputs(inst, result, targets, csv_sep=csv_sep), targets, None if quiet else err_console)
    # Files first, then the tables: a Ctrl-C or a closed pipe while printing loses nothing.
    # -q: the one-line answer alone (the first line of the full output, which says whether there is a plan).
    if quiet:
        print_answer(console, inst, result)
    elif console is not err_console:
        print_result(console, inst, result, verbose=_verbose())
    if result.explanation is not None and not quiet:
        print_explanation(console, result.explanation)
    if why_groups and result.found:
        from optimizer.explain.why_command import explain_groups
        console.print()
        explain_groups(console, inst, result.plan, why_groups, time_limit=min(10.0, time_limit), seed=seed,
                       workers=workers)
    elif why_groups:
        err_console.print(text("--why: there is no plan, so no month to explain."))
    if not result.found:
        sys.exit(EXIT_NO_PLAN)
    sys.exit(EXIT_OK)


def _write(write, targets, err_console) -> None:
    """Run ``write()`` (all outputs or none); a failure is exit 2 with the reason."""
    try:
        write()
    except BrokenPipeError:  # standard output's reader left after the files were written
        to_null(sys.stdout)
    except OSError as exc:
        _fail(InputError(f"cannot write the output: {exc}; no output was written"))
    except Exception as exc:  # a writer's bug must not leave half the outputs
        _fail(InputError(f"cannot write the output ({type(exc).__name__}: {exc}); no output was written"))
    for t in targets:
        if not t.to_stdout and err_console is not None:
            err_console.print(text(_("Wrote {path}").format(path=t.spec)))


@main.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--rules", "rules", type=click.Path(dir_okay=False), help="rules.toml with planning rules.")
@click.option("--actuals", type=click.Path(dir_okay=False), help="Check a re-plan: what was enrolled before --as-of.")
@click.option("--as-of", "as_of", help="The re-plan's first month not yet done (with --actuals).")
@click.option("--previous", type=click.Path(dir_okay=False), help="The previous plan: report the users moved.")
@click.option("--observed-rates", is_flag=True, help="The re-plan uses the observed ticket rates.")
def check_cmd(files, rules, actuals, as_of, previous, observed_rates) -> None:
    """Check a plan against the inputs, without the solver.

    FILES: GROUPS.csv CAPACITY.csv PLAN.csv, or INPUTS.xlsx/.ods (or SCENARIO.toml) PLAN.csv.
    The plan needs the columns group, month and method (CSV, or the Assignments sheet
    of a plan workbook written by rollout, .xlsx or .ods). Without --rules, a plan
    workbook is checked against the rules it records.
    """
    console = _console()
    if len(files) not in (2, 3):
        raise click.UsageError("give GROUPS.csv CAPACITY.csv PLAN.csv, or INPUTS.xlsx PLAN.csv")
    *inputs, plan = files
    from optimizer.replan.check_cli import check_replan_file, usage_problem
    if problem := usage_problem(actuals, as_of, previous, observed_rates):
        raise click.UsageError(problem)
    try:
        inst, p, note = load_plan(tuple(inputs), rules, plan)
        if note:
            make_console(stderr=True).print(text(note))
        if actuals:  # a re-plan (docs/replan.md)
            sys.exit(EXIT_OK if check_replan_file(console, inst, p, actuals, as_of, previous, observed_rates)
                     else EXIT_NO_PLAN)
    except InputError as err:
        _fail(err)
    violations = check_plan(p)
    print_violations(console, violations)
    if len(p.assignments) == len(inst.groups):
        vals = p.objective_values()
        console.print(text(_("Finish month {month}; users waiting {waiting} (user-months, weighted by readiness); "
                             "assisted users {assisted}.").format(
            month=i18n.month(inst.months[vals["finish"]].label), waiting=i18n.number(vals["waiting"]),
            assisted=i18n.number(vals["assisted"]))))
    sys.exit(EXIT_NO_PLAN if violations else EXIT_OK)


@main.command("compare")
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--out", "outs", multiple=True, help="Write the comparison; suffix .md, .csv, .json or .xlsx. "
              "Repeatable. '-' writes CSV to standard output ('-.md', '-.json' other formats).")
@click.option("--csv-sep", type=click.Choice(CSV_SEPARATORS), default=None,
              help="Separator in CSV outputs [default: the first scenario's groups file's].")
@click.option("--time-limit", type=SECONDS, default=DEFAULT_TIME_LIMIT, show_default=True,
              help="Seconds per scenario, for all its objective levels together.")
@click.option("--seed", type=SEED, default=DEFAULT_SEED, show_default=True)
@click.option("--workers", type=click.IntRange(min=1, max=64), default=None,
              help=f"CP-SAT workers per scenario [default: {DEFAULT_WORKERS} shared fairly by the parallel solves].")
@click.option("--jobs", type=click.IntRange(min=1, max=64), default=None,
              help="Scenarios solved in parallel processes [default: one per core; 1 when all are small].")
@click.option("--deterministic/--no-deterministic", default=True, show_default=True)
@click.option("--quiet", "-q", is_flag=True, help="No progress lines.")
@click.option("--stable", is_flag=True, help="Re-plan each scenario against the first one's plan: shows the "
              "users each change moves.")
def compare_cmd(scenarios, outs, csv_sep, time_limit, seed, workers, jobs, deterministic, quiet, stable) -> None:
    """Solve scenario TOML files and compare them; the first is the baseline."""
    from optimizer import compare as C

    if stable and C.replan_entry() is None:
        raise click.UsageError(C.STABLE_MISSING)
    err_console = make_console(stderr=True)
    try:
        C.check_out_paths(list(outs), scenarios)
    except InputError as err:
        _fail(err)
    runs = C.load_runs(scenarios)
    try:
        targets = C.check_out_paths(list(outs), C.input_files(runs))
    except InputError as err:
        _fail(err)
    console = err_console if any(t.to_stdout for t in targets) else _console()
    jobs = jobs or C.default_jobs(runs)
    opts = SolveOptions(time_limit=time_limit, seed=seed, workers=workers or C.fair_workers(jobs),
                        deterministic=deterministic)
    for r in runs:
        if r.error_kind == "input":
            err_console.print(text((_("Error:"), "red"), f" {r.error}"), soft_wrap=True)
    if not quiet:
        err_console.print(text(f"Solving {sum(r.inst is not None for r in runs)} scenario(s), {jobs} in parallel, "
                               f"{opts.workers} workers each (Ctrl-C keeps the best plans so far)"))
    progress = None if quiet else lambda r: err_console.print(text(
        f"  {r.name}: {r.status}" + (f" in {r.result.seconds:.2f} s" if r.result else "")))
    if stable:  # optimizer/compare/stable.py
        C.solve_stable(runs, opts, lambda some, o: C.solve_runs(some, o, jobs=jobs, on_done=progress), progress)
    else:
        C.solve_runs(runs, opts, jobs=jobs, on_done=progress)
    C.explain_runs(runs)
    comp = C.compare(runs, options=opts, jobs=jobs)
    if stable:
        C.add_changes_kpi(comp)
    _write(lambda: C.write_comparison(comp, targets, csv_sep=csv_sep), targets, err_console)
    if console is not err_console:  # with '--out -' standard output holds the comparison alone
        C.print_comparison(console, comp)
    sys.exit(C.exit_code(comp))


main.add_command(groups_cmd)
main.add_command(pilot_cmd)

from optimizer.sweep.cli import sweep_cmd  # noqa: E402  (rollout sweep: its own module)

main.add_command(sweep_cmd)

from optimizer.explain.why_command import why_cmd  # noqa: E402  (its own module; registered here)

main.add_command(why_cmd)

from optimizer.replan.command import replan_cmd  # noqa: E402  (issue 16: its own module; registered here)

main.add_command(replan_cmd)
add_lang_options(main)  # --lang on the group and on every command (optimizer/cli_lang.py); keep it last


if __name__ == "__main__":  # pragma: no cover
    main()

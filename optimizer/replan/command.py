"""``rollout replan``: re-plan a started rollout from its actuals (issue 16; model v2 spec,
"Re-planning with actuals"). Thin: load -> re-plan inputs -> solve -> outputs; the logic is in
:mod:`optimizer.replan.inputs`, :mod:`optimizer.replan.solve` and :mod:`optimizer.replan.output`."""

from __future__ import annotations

import sys
import time

import click

from optimizer.cli_types import SECONDS, SEED
from optimizer.render.console import (
    ProgressPrinter,
    make_console,
    print_explanation,
    print_result,
    text,
)
from optimizer.errors import InputError
from optimizer.render.export import CSV_SEPARATORS, check_out_paths
from optimizer.i18n import _
from optimizer.render.outputs import source_files
from optimizer.solving.solver import DEFAULT_SEED, DEFAULT_WORKERS
from optimizer.solving.timelimit import command_started, solve_options

#: The re-plan's default time limit (seconds, the whole command).
DEFAULT_TIME_LIMIT = 60.0
_WORKBOOKS = (".xlsx", ".xlsm", ".ods")


def split_args(args: tuple[str, ...]) -> tuple[tuple[str, ...], str, str]:
    """(input files, previous plan, actuals) of the command's arguments: GROUPS CAPACITY PREVIOUS
    ACTUALS, INPUTS PREVIOUS ACTUALS (a workbook or scenario), or INPUTS.xlsx PREVIOUS (the
    workbook's ``Actuals`` sheet)."""
    if len(args) == 4:
        return args[:2], args[2], args[3]
    if len(args) == 3 and args[0].lower().endswith((*_WORKBOOKS, ".toml")):
        return args[:1], args[1], args[2]
    if len(args) == 2 and args[0].lower().endswith(_WORKBOOKS):
        return args[:1], args[1], args[0]
    raise click.UsageError("give GROUPS.csv CAPACITY.csv PREVIOUS_PLAN ACTUALS, or INPUTS.xlsx (or .ods, "
                           "SCENARIO.toml) PREVIOUS_PLAN ACTUALS, or INPUTS.xlsx PREVIOUS_PLAN with an Actuals sheet")


def _fail(err: InputError):
    from optimizer.cli import EXIT_INPUT
    from optimizer.render.console import print_error
    print_error(err)
    sys.exit(EXIT_INPUT)


@click.command("replan")
@click.argument("args", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--as-of", "as_of", required=True, metavar="MONTH",
              help="The first month not yet done: months before it are history (the actuals).")
@click.option("--rules", "rules", type=click.Path(dir_okay=False), help="rules.toml with planning rules.")
@click.option("--observed-rates", is_flag=True,
              help="Plan the coming months' helpdesk tickets with the observed rates (methods with 100+ users).")
@click.option("--out", "outs", multiple=True, help="Write the plan; suffix .csv, .md, .json or .xlsx. Repeatable. "
              "'-' writes CSV to standard output ('-.md', '-.json' other formats).")
@click.option("--csv-sep", type=click.Choice(CSV_SEPARATORS), default=None,
              help="Separator in CSV outputs [default: the groups file's; ',' for workbooks].")
@click.option("--time-limit", type=SECONDS, default=DEFAULT_TIME_LIMIT, show_default=True,
              help="Wall-clock seconds for the whole command, from start to files written.")
@click.option("--seed", type=SEED, default=DEFAULT_SEED, show_default=True)
@click.option("--workers", type=click.IntRange(min=1, max=64), default=DEFAULT_WORKERS, show_default=True,
              help="CP-SAT search workers.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors and the one-line answer.")
def replan_cmd(args, as_of, rules, observed_rates, outs, csv_sep, time_limit, seed, workers, quiet) -> None:
    """Re-plan a started rollout: GROUPS.csv CAPACITY.csv (or INPUTS.xlsx / SCENARIO.toml),
    PREVIOUS_PLAN (a plan CSV or workbook) and ACTUALS (CSV, or the input workbook's Actuals
    sheet). Months before --as-of stay as they happened; the rest is planned from --as-of on,
    as close to the previous plan as the rules allow."""
    from optimizer.cli import EXIT_NO_PLAN, EXIT_OK, _console, _verbose, _write, load_inputs
    from optimizer.replan.inputs import load_replan_inputs
    from optimizer.replan.output import replan_report, write_replan_outputs
    from optimizer.replan.solve import replan_instance, solve_replan

    started = command_started()
    err_console = make_console(stderr=True)
    files, previous, actuals = split_args(tuple(args))
    try:
        inst = load_inputs(files, rules)
        targets = check_out_paths(list(outs), [*files, previous, actuals, *([rules] if rules else []),
                                               *source_files(inst.sources)])
        rin = load_replan_inputs(inst, previous, actuals, as_of, use_observed_rates=observed_rates)
    except InputError as err:
        _fail(err)
    shown = replan_instance(inst)
    console = err_console if any(t.to_stdout for t in targets) else _console()
    opts = solve_options(time_limit, len(inst.groups), list(outs), started=started, seed=seed, workers=workers,
                         deterministic=True, lns=False)
    if not quiet:
        err_console.print(text(_("Re-planning {name} from {month}: {groups} groups, {left} with users left").format(
            name=inst.name, month=inst.month_labels[rin.as_of], groups=len(inst.groups),
            left=len(rin.history.least_part))))
    result = solve_replan(inst, rin, opts,
                          progress=None if quiet else ProgressPrinter(err_console, _verbose(), inst.month_labels))
    if result.status == "infeasible":
        from optimizer.replan.explain import explain_replan
        if not quiet:
            err_console.print(text(_("No plan exists; looking for the rules that conflict...")))
        result.explanation = explain_replan(inst, rin, time_limit=min(30.0, max(1.0, opts.deadline - time.perf_counter())),
                                            seed=seed, workers=workers)
    rep = replan_report(inst, rin, result.plan)
    _write(lambda: write_replan_outputs(shown, result, rep, targets, csv_sep=csv_sep), targets,
           None if quiet else err_console)
    if quiet:
        from optimizer.render.console import print_answer
        print_answer(console, shown, result)
    elif console is not err_console:
        print_result(console, shown, result, verbose=_verbose())
        from optimizer.replan.console import print_replan
        print_replan(console, shown, rep)
    if result.explanation is not None and not quiet:
        print_explanation(console, result.explanation)
    sys.exit(EXIT_OK if result.found else EXIT_NO_PLAN)

"""``rollout why``: why a group of a plan is in its month and not earlier.

The files as for ``rollout check`` (GROUPS.csv CAPACITY.csv PLAN, or INPUTS.xlsx /
SCENARIO.toml PLAN), then the group. Exit codes as everywhere: 0 explained, 1 the
plan breaks a rule (then there is nothing to explain: the violations are printed),
2 bad input or usage. The reasons come from :mod:`optimizer.explain.why`.
"""

from __future__ import annotations

import sys

import click
from rich.console import Console

from optimizer.cli_types import SECONDS, SEED
from optimizer.render.console import print_violations, print_wrapped
from optimizer.errors import InputError
from optimizer.solving.solver import DEFAULT_SEED, DEFAULT_WORKERS

#: seconds for the re-solve with the group forced earlier
DEFAULT_CHECK_SECONDS = 10.0


def print_why(console: Console, w) -> None:
    """A :class:`optimizer.explain.why.Why` in the terminal (user text as text, wrapped)."""
    from rich.text import Text

    for kind, text in w.lines():
        if kind == "month":
            print_wrapped(console, "  ", text)
        elif kind == "reason":
            print_wrapped(console, "   - ", text)
        elif kind == "check":
            print_wrapped(console, "", Text(text, style="bold"))
        else:
            print_wrapped(console, "", text)


def explain_groups(console: Console, inst, plan, groups, *, time_limit: float, seed: int, workers: int) -> None:
    """Print why for each group (names already checked to exist)."""
    from optimizer.explain.why import explain_month

    for i, name in enumerate(groups):
        if i:
            console.print()
        print_why(console, explain_month(inst, plan, name, time_limit=time_limit, seed=seed, workers=workers))


def unknown_group(inst, name: str, where: str) -> InputError:
    names = [g.name for g in inst.groups]
    shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
    return InputError(f"'{name}' is not a group of the groups file (groups: {shown})", file=where)


@click.command("why")
@click.argument("files", nargs=-1, required=True)
@click.option("--rules", "rules", type=click.Path(dir_okay=False), help="rules.toml with planning rules.")
@click.option("--time-limit", type=SECONDS, default=DEFAULT_CHECK_SECONDS, show_default=True,
              help="Seconds for the check: a solve with the group forced into an earlier month.")
@click.option("--seed", type=SEED, default=DEFAULT_SEED, show_default=True)
@click.option("--workers", type=click.IntRange(min=1, max=64), default=DEFAULT_WORKERS, show_default=True)
def why_cmd(files, rules, time_limit, seed, workers) -> None:
    """Why GROUP is in its month in a plan, and not earlier.

    FILES: GROUPS.csv CAPACITY.csv PLAN.csv GROUP, or INPUTS.xlsx (or SCENARIO.toml)
    PLAN.csv GROUP. The plan as for `rollout check` (CSV, or a plan workbook). For each
    earlier month: the rules and capacities that keep the group out of it in this plan;
    then a check by solving with the group forced earlier, and what that would cost.
    """
    from optimizer.checker import check_plan
    from optimizer.cli import _console, _fail, load_plan

    console = _console()
    if len(files) not in (3, 4):
        raise click.UsageError("give GROUPS.csv CAPACITY.csv PLAN.csv GROUP, or INPUTS.xlsx PLAN.csv GROUP")
    *inputs, plan_path, group = files
    try:
        inst, plan, _note = load_plan(tuple(inputs), rules, plan_path)
        if group not in {g.name for g in inst.groups}:
            raise unknown_group(inst, group, "the GROUP argument")
    except InputError as err:
        _fail(err)
    violations = check_plan(plan)
    if violations:
        print_violations(console, violations)
        from optimizer.i18n import _

        console.print(_("Fix the plan first: `rollout why` explains plans that keep every rule."))
        sys.exit(1)
    explain_groups(console, inst, plan, [group], time_limit=time_limit, seed=seed, workers=workers)
    sys.exit(0)

"""``rollout groups`` and ``rollout pilot``: click commands over :mod:`optimizer.directory.grouping`
and :mod:`optimizer.directory.pilot` (registered in :mod:`optimizer.cli`)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from optimizer.render.atomic import write_text
from optimizer.render.console import SafeConsole, print_error
from optimizer.directory.grouping import KEYS, GroupingOptions, build_groups, groups_csv, members_csv
from optimizer.domain import PLATFORMS
from optimizer.cli_types import SECONDS
from optimizer.errors import InputError
from optimizer.directory.exports import read_devices, read_mapping, read_users
from optimizer.render.outputs import parse_targets
from optimizer.directory.pilot import PilotOptions, choose_pilot, groups_with_waves, read_pilot_groups

EXIT_OK, EXIT_NO_PLAN, EXIT_INPUT = 0, 1, 2


def _fail(err: InputError) -> None:
    print_error(err)
    sys.exit(EXIT_INPUT)


def check_outputs(outs: dict[str, str | None], inputs: list[str | None]) -> None:
    """Each output a .csv file in an existing folder, never one of the inputs nor another output
    (optimizer.render.outputs.parse_targets, as for ``rollout solve``)."""
    seen: list[str] = []
    for option, out in outs.items():
        if not out:
            continue
        (target,) = parse_targets([out], [".csv"], [i for i in inputs if i] + seen, option=option)
        if target.to_stdout:
            raise InputError(f"{option}: give a file name ending in .csv", column=option)
        seen.append(out)


def _write(path: str, text: str) -> None:
    try:
        write_text(path, "\ufeff" + text)  # BOM: Excel then reads the UTF-8 (å, ä, ö) right
    except OSError as exc:
        _fail(InputError(f"cannot write the output: {exc.strerror}", file=path))


@click.command("groups")
@click.argument("users", type=click.Path(dir_okay=False))
@click.argument("devices", required=False, type=click.Path(dir_okay=False))
@click.option("--by", default="department,city,platform", show_default=True,
              help=f"Comma list of the keys that form groups: {', '.join(KEYS)}.")
@click.option("--max-size", type=click.IntRange(min=0), default=0,
              help="Split larger groups into even parts of at most this many users (0: no split).")
@click.option("--vip-titles", default="", help='Job titles of VIPs, ;-separated whole words, any case, '
                                              'e.g. "VD;Chef;Director;Head of". VIPs get groups of their own.')
@click.option("--readiness", "readiness_file", type=click.Path(dir_okay=False),
              help="CSV with the columns department,readiness (1-5).")
@click.option("--risk", "risk_file", type=click.Path(dir_okay=False),
              help="CSV with the columns department,risk (low, medium, high).")
@click.option("--default-platform", type=click.Choice(PLATFORMS), default="mixed", show_default=True,
              help="Platform of users without a primary device.")
@click.option("--out", default="groups.csv", show_default=True, help="The groups file to write.")
@click.option("--members", help="Also write who is in which group (userPrincipalName, displayName, group).")
def groups_cmd(users, devices, by, max_size, vip_titles, readiness_file, risk_file, default_platform, out,
               members) -> None:
    """Target groups from the Entra ID users export (USERS.csv, "Download users") and the
    Intune devices export (DEVICES.csv, "All devices"), as a groups.csv for rollout solve."""
    console = SafeConsole()  # the terminal's width (COLUMNS when piped): the summary wraps to it
    try:
        check_outputs({"--out": out, "--members": members}, [users, devices, readiness_file, risk_file])
        opts = GroupingOptions(
            by=tuple(k.strip().lower() for k in by.split(",") if k.strip()), max_size=max_size,
            vip_titles=vip_titles, default_platform=default_platform,
            readiness=read_mapping(readiness_file, "readiness") if readiness_file else None,
            risk=read_mapping(risk_file, "risk") if risk_file else None)
        grouping = build_groups(read_users(users), read_devices(devices) if devices else None, opts)
    except InputError as err:
        _fail(err)
    from optimizer.directory.report import print_grouping

    print_grouping(console, grouping, users, devices)
    _write(out, groups_csv(grouping.groups))
    if members:
        _write(members, members_csv(grouping.members))
    console.print(f"Wrote {out}" + (f" and {members}" if members else "") + ".", markup=False, highlight=False)
    sys.exit(EXIT_OK)


@click.command("pilot")
@click.argument("groups", type=click.Path(dir_okay=False))
@click.option("--users", "max_users", type=click.IntRange(min=1), help="At most this many users in the pilots.")
@click.option("--by-department", is_flag=True, help="Test every platform x location x department, "
                                                   "not only platform x location.")
@click.option("--out", help="Write the groups file with the wave column filled in.")
@click.option("--time-limit", type=SECONDS, default=30.0, show_default=True,
              help="Seconds at most (the pilot is usually proven best in well under a second).")
def pilot_cmd(groups, max_users, by_department, out, time_limit) -> None:
    """Choose the limited and the expanded pilot from GROUPS.csv: the fewest users that test
    every platform x location, no VIPs, eager users first."""
    console = SafeConsole()  # the terminal's width (COLUMNS when piped): the summary wraps to it
    try:
        check_outputs({"--out": out}, [groups])
        table, gs = read_pilot_groups(groups)
    except InputError as err:
        _fail(err)
    p = choose_pilot(gs, PilotOptions(users=max_users, department=by_department,
                                      time_limit=time_limit))
    from optimizer.directory.report import print_pilot

    print_pilot(console, p, groups)
    if not p.limited:
        console.print("No pilot: no group without VIPs fits"
                      + (f" within {max_users} users." if max_users else "."), markup=False, highlight=False)
        sys.exit(EXIT_NO_PLAN)
    if out:
        _write(out, groups_with_waves(table, p))
        waves = list(p.waves().values())
        console.print(f"Wrote {out} (wave: {waves.count('pilot')} pilot, {waves.count('expanded-pilot')} "
                      f"expanded-pilot, {waves.count('production')} production).", markup=False, highlight=False)
    sys.exit(EXIT_OK)

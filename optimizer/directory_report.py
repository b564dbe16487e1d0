"""What ``rollout groups`` and ``rollout pilot`` print: plain words, 80 columns.

Every name that came from a file is printed as text (``rich.text.Text`` or
``markup=False``): a department called ``[red]x[/red]`` stays exactly that.
"""

from __future__ import annotations

import re

from rich import box
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from .directory import Grouping
from .pilot import Pilot, comparison

SHOW_GROUPS = 15
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _t(text: str) -> Text:
    """User text as plain text: no markup, control characters shown as \\xNN."""
    return Text(_CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text))


def _n(v: float) -> str:
    return f"{v:,.0f}"


def _say(console: Console, text: str) -> None:
    console.print(_t(text), highlight=False)


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{_n(n)} {one if n == 1 else many or one + 's'}"


def _reasons(counts: dict[str, int]) -> str:
    return ", ".join(f"{_n(v)} {k}" for k, v in counts.items() if v)


def print_grouping(console: Console, g: Grouping, users_file: str, devices_file: str | None) -> None:
    kept = sum(gr.size for gr in g.groups)
    _say(console, f"Read {_plural(g.read, 'user row')} from {users_file} ({g.generation}).")
    left = sum(g.left_out.values())
    _say(console, f"Left out {_plural(left, 'user')}" + (f": {_reasons(g.left_out)}." if left else "."))
    plats = ", ".join(f"{k} {_n(v)}" for k, v in sorted(g.platforms.items(), key=lambda kv: (-kv[1], kv[0])))
    if devices_file:
        _say(console, f"Platforms from {_plural(g.devices, 'device')} in {devices_file}: {plats} "
                      "(mixed: primary devices of several platforms).")
        _say(console, f"{_plural(g.no_device, 'user has', 'users have')} no primary device in the devices file "
                      f"(counted as {g.default_platform}).")
        unused = sum(g.devices_unused.values())
        if unused:
            _say(console, f"Devices not used: {_reasons(g.devices_unused)}.")
    else:
        only = next(iter(g.platforms), "mixed")
        _say(console, f"No devices file: every user's platform is '{only}'.")
    vips = [gr for gr in g.groups if gr.vip]
    extra = []
    if vips:
        extra.append(f"{_plural(len(vips), 'VIP group')} with {_plural(sum(v.size for v in vips), 'user')}")
    if g.split:
        extra.append(f"{_plural(g.split, 'group')} split into parts")
    _say(console, f"Grouped {_plural(kept, 'user')} into {_plural(len(g.groups), 'group')} by "
                  f"{', '.join(g.by)}" + (f" ({'; '.join(extra)})." if extra else "."))
    for what, deps in g.unmapped.items():
        if deps:
            default = "3" if what == "readiness" else "medium"
            shown = ", ".join(deps[:8]) + (f" and {len(deps) - 8} more" if len(deps) > 8 else "")
            _say(console, f"Departments not in {g.mapping_files[what]} ({what} {default}): {shown}.")
    t = RichTable(title=Text(f"Largest groups ({min(SHOW_GROUPS, len(g.groups))} of {len(g.groups)})"),
                  box=box.SIMPLE, title_justify="left")
    t.add_column("Group", overflow="fold")
    t.add_column("Users", justify="right")
    t.add_column("Platform")
    t.add_column("Readiness", justify="right")
    t.add_column("Risk")
    for gr in sorted(g.groups, key=lambda x: (-x.size, x.name))[:SHOW_GROUPS]:
        t.add_row(_t(gr.name), _n(gr.size), gr.platform, str(gr.readiness), gr.risk)
    console.print(t)


def _combo(c: tuple[str, ...]) -> str:
    return " x ".join(v or "(none)" for v in c)


def print_pilot(console: Console, p: Pilot, groups_file: str) -> None:
    what = "platform, location and department" if p.options.department else "platform and location"
    _say(console, f"{groups_file}: {_plural(len(p.groups), 'group')}, {_plural(p.total_users, 'user')}, "
                  f"{_plural(len(p.combinations), 'combination')} of {what}.")
    vip_only = [c for c in p.combinations if c not in p.coverable]
    if vip_only:
        _say(console, f"{_plural(len(vip_only), 'combination')} only VIP groups have, and VIPs never "
                      f"pilot: {', '.join(_combo(c) for c in vip_only[:5])}"
                      + (" ..." if len(vip_only) > 5 else "") + ".")
    by_name = {g.name: g for g in p.groups}
    for label, names in (("Limited pilot", p.limited), ("Expanded pilot", p.expanded)):
        t = RichTable(title=Text(f"{label}: {_plural(len(names), 'group')}, {_plural(p.users(names), 'user')}"),
                      box=box.SIMPLE, title_justify="left")
        t.add_column("Group", overflow="fold")
        t.add_column("Users", justify="right")
        t.add_column("Platform")
        t.add_column("Location", overflow="fold")
        t.add_column("Readiness", justify="right")
        for n in names[:SHOW_GROUPS]:
            g = by_name[n]
            t.add_row(_t(g.name), _n(g.size), g.platform, _t(g.location), str(g.readiness))
        if len(names) > SHOW_GROUPS:
            t.add_row(Text(f"... and {len(names) - SHOW_GROUPS} more (see the written file)"), "", "", "", "")
        console.print(t)
    untested = sorted(p.coverable - p.covered(p.limited + p.expanded))
    limit = f" within {_plural(p.options.users, 'user')}" if p.options.users is not None else ""
    if untested:
        _say(console, f"{_plural(len(untested), 'combination')} cannot be tested{limit}: "
                      f"{', '.join(_combo(c) for c in untested[:5])}" + (" ..." if len(untested) > 5 else "")
                      + ". The pilot tests as many as fit.")
    verdict = "Proven best possible" if p.proven else "Best found in the time limit (not proven best)"
    _say(console, f"{verdict}: the pilot tests every combination it can{limit} with the fewest users, "
                  "and among those the most eager users (readiness); the limited pilot is the smallest "
                  "part of it with every platform.")
    t = RichTable(title="Compared with Windows Autopatch's fixed rings", box=box.SIMPLE, title_justify="left")
    t.add_column("Pilot or ring")
    t.add_column("Users", justify="right")
    t.add_column("Share", justify="right")
    t.add_column("Untested", justify="right")
    n = len(p.combinations)
    for r in comparison(p):
        share = f"{100 * r.users / p.total_users:.1f} %" if p.total_users else ""
        untested_text = f"{r.untested:.1f}" if r.expected else str(r.untested)
        t.add_row(r.label, _n(r.users), share, f"{untested_text} of {n}")
    console.print(t)
    _say(console, "Untested: combinations none of whose users is in the pilot or ring; for Autopatch's "
                  "rings (a random share of all users) the average over random draws.")

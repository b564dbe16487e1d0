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

from optimizer import i18n
from optimizer.directory.grouping import Grouping
from optimizer.i18n import N_, _, ngettext
from optimizer.directory.pilot import Pilot, comparison

SHOW_GROUPS = 15
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _t(text: str) -> Text:
    """User text as plain text: no markup, control characters shown as \\xNN."""
    return Text(_CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text))


def _n(v: float) -> str:
    """1,234 (1 234 in Swedish)."""
    return i18n.number(int(round(v)))


def _say(console: Console, text: str) -> None:
    console.print(_t(text), highlight=False)


#: How many of what, in the current language ('3 user rows', '1 group').
_COUNTED = {
    "user row": lambda n: ngettext("{n} user row", "{n} user rows", n),
    "user": lambda n: ngettext("{n} user", "{n} users", n),
    "device": lambda n: ngettext("{n} device", "{n} devices", n),
    "user has": lambda n: ngettext("{n} user has", "{n} users have", n),
    "VIP group": lambda n: ngettext("{n} VIP group", "{n} VIP groups", n),
    "group": lambda n: ngettext("{n} group", "{n} groups", n),
    "combination": lambda n: ngettext("{n} combination", "{n} combinations", n),
}

#: Why users or devices were left out (the keys of Grouping.left_out / devices_unused).
_REASONS = (N_("without a user name"), N_("disabled accounts"), N_("guests"), N_("listed twice (same user name)"),
            N_("without a primary user (shared devices)"),
            N_("with an OS that is not planned for (not Windows, iOS, Android or macOS)"),
            N_("of users left out or not in the users file"),
            N_("older Entra ID (Azure AD) export"), N_("Entra ID export"))


def _plural(n: int, what: str) -> str:
    return _COUNTED[what](n).format(n=_n(n))


def _reasons(counts: dict[str, int]) -> str:
    return ", ".join(f"{_n(v)} {_(k)}" for k, v in counts.items() if v)


def print_grouping(console: Console, g: Grouping, users_file: str, devices_file: str | None) -> None:
    kept = sum(gr.size for gr in g.groups)
    _say(console, _("Read {rows} from {file} ({generation}).").format(
        rows=_plural(g.read, "user row"), file=users_file, generation=_(g.generation)))
    left = sum(g.left_out.values())
    _say(console, _("Left out {users}").format(users=_plural(left, "user"))
         + (f": {_reasons(g.left_out)}." if left else "."))
    plats = ", ".join(f"{k} {_n(v)}" for k, v in sorted(g.platforms.items(), key=lambda kv: (-kv[1], kv[0])))
    if devices_file:
        _say(console, _("Platforms from {devices} in {file}: {platforms} "
                        "(mixed: primary devices of several platforms).").format(
            devices=_plural(g.devices, "device"), file=devices_file, platforms=plats))
        _say(console, _("{users} no primary device in the devices file (counted as {platform}).").format(
            users=_plural(g.no_device, "user has"), platform=g.default_platform))
        unused = sum(g.devices_unused.values())
        if unused:
            _say(console, _("Devices not used: {reasons}.").format(reasons=_reasons(g.devices_unused)))
    else:
        only = next(iter(g.platforms), "mixed")
        _say(console, _("No devices file: every user's platform is '{platform}'.").format(platform=only))
    vips = [gr for gr in g.groups if gr.vip]
    extra = []
    if vips:
        extra.append(_("{groups} with {users}").format(groups=_plural(len(vips), "VIP group"),
                                                         users=_plural(sum(v.size for v in vips), "user")))
    if g.split:
        extra.append(_("{groups} split into parts").format(groups=_plural(g.split, "group")))
    _say(console, _("Grouped {users} into {groups} by {keys}").format(
        users=_plural(kept, "user"), groups=_plural(len(g.groups), "group"), keys=", ".join(g.by))
         + (f" ({'; '.join(extra)})." if extra else "."))
    for what, deps in g.unmapped.items():
        if deps:
            default = "3" if what == "readiness" else "medium"
            shown = ", ".join(deps[:8]) + (_(" and {n} more").format(n=len(deps) - 8) if len(deps) > 8 else "")
            _say(console, _("Departments not in {file} ({what} {default}): {departments}.").format(
                file=g.mapping_files[what], what=what, default=default, departments=shown))
    t = RichTable(title=Text(_("Largest groups ({shown} of {n})").format(
        shown=min(SHOW_GROUPS, len(g.groups)), n=len(g.groups))), box=box.SIMPLE, title_justify="left")
    t.add_column(_("Group"), overflow="fold")
    t.add_column(_("Users"), justify="right")
    t.add_column(_("Platform"))
    t.add_column(_("Readiness"), justify="right")
    t.add_column(_("Risk"))
    for gr in sorted(g.groups, key=lambda x: (-x.size, x.name))[:SHOW_GROUPS]:
        t.add_row(_t(gr.name), _n(gr.size), gr.platform, str(gr.readiness), gr.risk)
    console.print(t)


def _combo(c: tuple[str, ...]) -> str:
    return " x ".join(v or "(none)" for v in c)


def print_pilot(console: Console, p: Pilot, groups_file: str) -> None:
    what = _("platform, location and department") if p.options.department else _("platform and location")
    _say(console, _("{file}: {groups}, {users}, {combinations} of {what}.").format(
        file=groups_file, groups=_plural(len(p.groups), "group"), users=_plural(p.total_users, "user"),
        combinations=_plural(len(p.combinations), "combination"), what=what))
    vip_only = [c for c in p.combinations if c not in p.coverable]
    if vip_only:
        _say(console, _("{combinations} only VIP groups have, and VIPs never pilot: {shown}").format(
            combinations=_plural(len(vip_only), "combination"), shown=", ".join(_combo(c) for c in vip_only[:5]))
             + (" ..." if len(vip_only) > 5 else "") + ".")
    by_name = {g.name: g for g in p.groups}
    for label, names in ((i18n.phase("Limited pilot"), p.limited), (i18n.phase("Expanded pilot"), p.expanded)):
        t = RichTable(title=Text(f"{label}: {_plural(len(names), 'group')}, {_plural(p.users(names), 'user')}"),
                      box=box.SIMPLE, title_justify="left")
        t.add_column(_("Group"), overflow="fold")
        t.add_column(_("Users"), justify="right")
        t.add_column(_("Platform"))
        t.add_column(_("Location"), overflow="fold")
        t.add_column(_("Readiness"), justify="right")
        for n in names[:SHOW_GROUPS]:
            g = by_name[n]
            t.add_row(_t(g.name), _n(g.size), g.platform, _t(g.location), str(g.readiness))
        if len(names) > SHOW_GROUPS:
            t.add_row(Text(_("... and {n} more (see the written file)").format(n=len(names) - SHOW_GROUPS)),
                      "", "", "", "")
        console.print(t)
    untested = sorted(p.coverable - p.covered(p.limited + p.expanded))
    limit = (_(" within {users}").format(users=_plural(p.options.users, "user"))
             if p.options.users is not None else "")
    if untested:
        _say(console, _("{combinations} cannot be tested{limit}: {shown}").format(
            combinations=_plural(len(untested), "combination"), limit=limit,
            shown=", ".join(_combo(c) for c in untested[:5])) + (" ..." if len(untested) > 5 else "")
             + _(". The pilot tests as many as fit."))
    verdict = _("Proven best possible") if p.proven else _("Best found in the time limit (not proven best)")
    _say(console, _("{verdict}: the pilot tests every combination it can{limit} with the fewest users, "
                    "and among those the most eager users (readiness); the limited pilot is the smallest "
                    "part of it with every platform.").format(verdict=verdict, limit=limit))
    t = RichTable(title=_("Compared with Windows Autopatch's fixed rings"), box=box.SIMPLE, title_justify="left")
    t.add_column(_("Pilot or ring"))
    t.add_column(_("Users"), justify="right")
    t.add_column(_("Share"), justify="right")
    t.add_column(_("Untested"), justify="right")
    n = len(p.combinations)
    for r in comparison(p):
        share = i18n.percent(r.users / p.total_users, 1) if p.total_users else ""
        untested_text = i18n.decimal(r.untested, 1) if r.expected else str(r.untested)
        t.add_row(_ring(r.label), _n(r.users), share, _("{n} of {total}").format(n=untested_text, total=n))
    console.print(t)
    _say(console, _("Untested: combinations none of whose users is in the pilot or ring; for Autopatch's "
                    "rings (a random share of all users) the average over random draws."))


def _ring(label: str) -> str:
    """A row label of :func:`optimizer.directory.pilot.comparison` in the current language."""
    fixed = {"Limited pilot (this plan)": _("Limited pilot (this plan)"),
             "Whole pilot (this plan)": _("Whole pilot (this plan)")}
    if label in fixed:
        return fixed[label]
    return label.replace("rings 1-2", _("rings 1-2")).replace("ring 1", _("ring 1"))

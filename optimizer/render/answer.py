"""The plan in plain words: the one-line answer, how good the plan is, the key figures.

What a planner reads first (terminal, Markdown, workbook); the solver's vocabulary (objective,
bound, gap) stays in the per-level table shown with ``-v`` and in the JSON.
"""

from __future__ import annotations

from optimizer import i18n
from optimizer.domain import Instance
from optimizer.i18n import _
from optimizer.solving.solver import Result


def peak(inst: Instance, result: Result) -> tuple[float, str] | None:
    """The helpdesk's highest month: (load / capacity, month label), or None without tickets."""
    if result.plan is None:
        return None
    best: tuple[float, str] | None = None
    for m, load in zip(inst.months, result.plan.loads()):
        if m.helpdesk and (best is None or load["helpdesk"] / m.helpdesk > best[0]):
            best = (load["helpdesk"] / m.helpdesk, m.label)
    return best


def one_line(inst: Instance, result: Result) -> str:
    """'All 3,380 users enrolled by 2027-10 (4 months); helpdesk peaks at 94 % in 2027-08.'"""
    if result.plan is None:
        if result.status == "infeasible":
            return _("No plan keeps all the rules.")
        return _("No plan found in the time given; try a longer --time-limit.")
    finish = result.plan.finish()
    text = _("All {users} users enrolled by {month} ({months}).").format(
        users=i18n.number(sum(g.size for g in inst.groups)), month=i18n.month(inst.months[finish].label),
        months=i18n.ngettext("{n} month", "{n} months", finish + 1).format(n=finish + 1))
    p = peak(inst, result)
    if p is not None:
        text = text[:-1] + _("; helpdesk peaks at {percent} in {month}.").format(
            percent=i18n.percent(p[0]), month=i18n.month(p[1]))
    return text


def quality(result: Result) -> str:
    """'Plan proven best.' / 'Plan within 0.5 % of the best possible (users waiting).'"""
    if result.plan is None:
        return ""
    stopped = _(" (stopped early with Ctrl-C)") if result.interrupted else ""
    for lv in result.levels:
        if lv.status == "optimal" or lv.value is None:
            continue
        if lv.name == "finish":
            return _("Plan found; an earlier finish month may exist.") + stopped
        gap = lv.gap
        if gap is None:
            return _("Plan found; it may not be the best possible ({kpi}).").format(
                kpi=i18n.level(lv.name)) + stopped
        return _("Plan within {percent} of the best possible ({kpi}).").format(
            percent=i18n.percent(gap, 1), kpi=i18n.level(lv.name)) + stopped
    return _("Plan proven best.") + stopped


def key_figures(inst: Instance, result: Result) -> list[tuple[str, str]]:
    """(KPI, value) rows: finish month, users waiting, assisted users (and, where a group may
    split, the extra months of split groups)."""
    if result.plan is None:
        return []
    vals = result.plan.objective_values()
    return [
        (i18n.level("finish"), i18n.month(inst.months[vals["finish"]].label)),
        (i18n.level("waiting"), i18n.number(vals["waiting"])),
        (i18n.level("assisted"), i18n.number(vals["assisted"])),
    ] + ([(i18n.level("splits"), i18n.number(vals["splits"]))] if "splits" in vals else []) + (  # split groups
        [(i18n.level("changes"), i18n.number(vals["changes"]))] if "changes" in vals else [])  # a re-plan

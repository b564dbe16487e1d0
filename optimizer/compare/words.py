"""A comparison in words: statuses, KPI names, values, differences and moves in the current language."""

from __future__ import annotations

from typing import Any

from optimizer import i18n
from optimizer.i18n import _, ngettext, pgettext
from optimizer.compare.kpis import HIGH_LOAD, Comparison, Kpi, Move


def status_text(status: str) -> str:
    """A scenario's status (``optimal``, ``infeasible (interrupted)``, ``input error``) in the
    current language; English keeps the status words of the CSV/JSON."""
    base, sep, rest = status.partition(" (")
    words = {"optimal": pgettext("status", "optimal"), "feasible": pgettext("status", "feasible"),
             "infeasible": pgettext("status", "infeasible"), "unknown": pgettext("status", "unknown"),
             "input error": pgettext("status", "input error"), "error": pgettext("status", "error"),
             "not solved": pgettext("status", "not solved")}
    if base not in words:
        return status
    return words[base] + (" " + _("(interrupted)") if rest.startswith("interrupted") else "")


def kpi_label(k: Kpi) -> str:
    """A KPI's name in the current language (``k.label`` is the language-neutral English)."""
    if k.key.startswith("enrolled_by:"):
        return _("Users enrolled by {month}").format(month=i18n.month(k.key.split(":", 1)[1]))
    if k.key == "months_over_90":
        return _("Months over {percent} of any capacity").format(percent=i18n.percent(HIGH_LOAD))
    return _(k.label)


def _months(d: int) -> str:
    """'+1 month', '-2 months'."""
    return ngettext("{n} month", "{n} months", abs(d)).format(n=f"{d:+d}")


def fmt_value(kind: str, v: Any) -> str:
    if v is None:
        return "-"
    if kind == "pct":
        return i18n.percent(v)
    if kind == "seconds":
        return i18n.decimal(v)
    if kind == "month":
        return i18n.month(v)
    if kind == "text":
        return status_text(str(v))
    if isinstance(v, int) and i18n.language() != "en":
        return i18n.number(v)
    return str(v)


def fmt_delta(kind: str, d: Any) -> str:
    if d is None:
        return ""
    if kind == "month":
        return "±0" if d == 0 else _months(d)
    if kind == "pct":
        return "±0" if round(100 * d) == 0 else _("{n} pp").format(n=f"{100 * d:+.0f}")
    if kind == "seconds":
        return f"{d:+.2f}" if i18n.language() == "en" else f"{d:+.2f}".replace(".", ",")
    return "±0" if d == 0 else f"{d:+d}"


def fmt_cell(kpi: Kpi, i: int) -> str:
    v, d = fmt_value(kpi.kind, kpi.values[i]), fmt_delta(kpi.kind, kpi.deltas[i])
    return f"{v} ({d})" if d else v


def describe_move(m: Move, *, translate: bool = True) -> str:
    """'2027-08 -> 2027-09 (+1 month), tech-fair -> self-service' (in the current language;
    ``translate=False``: always English with method keys, as the CSV holds it)."""
    if not translate:
        lang = i18n.language()
        i18n.set_language("en")
        try:
            return describe_move(m)
        finally:
            i18n.set_language(lang)
    mon, meth = i18n.month, i18n.method_in_text
    if m.baseline_month is None:
        return _("only in this scenario: {month}, {method}").format(month=mon(m.month), method=meth(m.method))
    if m.month is None:
        return _("not in this scenario (baseline: {month}, {method})").format(
            month=mon(m.baseline_month), method=meth(m.baseline_method))
    parts = []
    if len(m.parts) > 1 or len(m.baseline_parts) > 1:  # split groups: the parts and the users moved
        if m.parts != m.baseline_parts:
            parts.append(f"{_parts_text(m.baseline_parts)} -> {_parts_text(m.parts)} " + ngettext(
                "({n} user in another month)", "({n} users in another month)", m.users_moved).format(
                n=i18n.number(m.users_moved)))
    elif m.month != m.baseline_month:
        parts.append(f"{mon(m.baseline_month)} -> {mon(m.month)} ({_months(m.months)})")
    if m.method != m.baseline_method:
        parts.append(f"{meth(m.baseline_method)} -> {meth(m.method)}")
    return ", ".join(parts)


def _parts_text(parts: tuple[tuple[str, int], ...]) -> str:
    """'2027-02 (200), 2027-03 (110)'; a whole group: its month alone."""
    if len(parts) == 1:
        return i18n.month(parts[0][0])
    return ", ".join(f"{i18n.month(lab)} ({i18n.number(u)})" for lab, u in parts)


def _groups_changed(n: int) -> str:
    return ngettext("{n} group changed", "{n} groups changed", n).format(n=n)


def kpi_rows(comp: Comparison) -> tuple[list[str], list[list[str]]]:
    """The KPI table as text cells: 'value (delta)'."""
    header = [_("KPI")] + comp.names
    rows = [[kpi_label(k)] + [fmt_cell(k, i) for i in range(len(comp.runs))] for k in comp.kpis]
    return header, rows

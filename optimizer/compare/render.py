"""A comparison rendered: JSON, Markdown, CSV and the terminal table."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from typing import Any

from optimizer import i18n
from optimizer.render.export import _md_cell, md_table
from optimizer.i18n import _
from optimizer.inputs.tables import escape_cell
from optimizer.compare.kpis import Comparison, high_load_months
from optimizer.compare.words import _groups_changed, describe_move, kpi_rows


def comparison_dict(comp: Comparison) -> dict[str, Any]:
    """Everything, JSON-ready (the ``.json`` output)."""
    import datetime as _dt

    import ortools

    o = comp.options
    return {
        "baseline": comp.baseline.name if comp.runs else None,
        "calendar": comp.calendar,
        "solver": None if o is None else {
            "name": "OR-Tools CP-SAT", "ortools_version": ortools.__version__, "seed": o.seed,
            "workers_per_scenario": o.workers, "jobs": comp.jobs, "time_limit": o.time_limit,
            "deterministic": o.deterministic, "parameters": o.parameters(), "window_moves": o.lns,
        },
        "scenarios": [
            {
                "name": r.name,
                "file": r.path,
                "status": r.result.status if r.result is not None else r.error_kind,
                "found": r.found,
                "reason": r.reason,
                "explanation": (r.result.explanation.to_dict()
                                if r.result is not None and r.result.explanation is not None else None),
                "objective": r.result.objective if r.result is not None else None,
                "finish_month": comp.value("finish_month", r.name),
                "months_over_90": high_load_months(r) if r.found else None,
                "inputs": dict(r.inst.sources) if r.inst is not None else None,
                "assignments": r.result.plan.rows() if r.found else [],
            }
            for r in comp.runs
        ],
        "kpis": [
            {"key": k.key, "label": k.label,
             "values": dict(zip(comp.names, k.values)), "deltas": dict(zip(comp.names[1:], k.deltas[1:]))}
            for k in comp.kpis
        ],
        "moved": [dataclasses.asdict(m) for m in comp.moves],
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }


def comparison_json(comp: Comparison) -> str:
    return json.dumps(comparison_dict(comp), indent=2, ensure_ascii=False) + "\n"


def comparison_markdown(comp: Comparison) -> str:
    base = _md_cell(comp.baseline.name) if comp.runs else ""
    out = ["# " + _("Scenario comparison"), "",
           _("Baseline: **{name}**; every other column shows its difference from it in brackets.").format(name=base),
           "", md_table(*kpi_rows(comp))]
    out += ["", "## " + _("Changes against {name}").format(name=base), ""]
    if not comp.baseline.found:
        out.append(_("None: the baseline has no plan ({reason}).").format(reason=_md_cell(comp.baseline.reason)))
    for r in comp.runs[1:]:
        ms = comp.moves_of(r.name)
        name = _md_cell(r.name)
        if not r.found:
            out.append(f"- **{name}**: " + _("no plan ({reason})").format(reason=_md_cell(r.reason)))
        elif not comp.baseline.found:
            out.append(f"- **{name}**: " + _("a plan; the baseline has none"))
        elif not ms:
            out.append(f"- **{name}**: " + _("the same plan as the baseline"))
        else:
            out.append(f"- **{name}**: {_groups_changed(len(ms))}")
            out += [f"  - {_md_cell(m.group)} ({i18n.users(m.size)}): {_md_cell(describe_move(m))}" for m in ms]
    failed = [r for r in comp.runs if not r.found]
    if failed:
        out += ["", "## " + _("Scenarios without a plan"), ""]
        out += [f"- **{_md_cell(r.name)}** ({_md_cell(r.path)}): {_md_cell(r.reason)}" for r in failed]
    o = comp.options
    if o is not None:
        out += ["", _("Each scenario solved with seed {seed}, {workers} CP-SAT workers, time limit "
                      "{seconds} s, deterministic={deterministic}; {jobs} in parallel.").format(
            seed=o.seed, workers=o.workers, seconds=f"{o.time_limit:g}", deterministic=o.deterministic,
            jobs=comp.jobs)]
    return "\n".join(out) + "\n"


def _csv_cell(v: Any, sep: str = ",") -> str:
    """Numbers as numbers (a delta of -60 stays -60; with ``;`` between cells a decimal
    comma, as Swedish Excel reads it); text escaped against formula injection."""
    if v is None:
        return ""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        text = str(round(v, 4) if isinstance(v, float) else v)
        return text.replace(".", ",") if sep == ";" else text
    return escape_cell(str(v))


def comparison_csv(comp: Comparison, sep: str = ",") -> str:
    """One row per KPI (then per moved group); per scenario a value column and, after the
    baseline, a 'vs <baseline>' delta column."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator="\r\n")
    base = comp.baseline.name if comp.runs else ""
    header = ["kpi"]
    for i, n in enumerate(comp.names):
        header += [n] if i == 0 else [n, f"{n} vs {base}"]
    w.writerow([_csv_cell(h, sep) for h in header])
    for k in comp.kpis:
        row: list[Any] = [k.label]
        for i in range(len(comp.runs)):
            row.append(k.values[i])
            if i:
                row.append(k.deltas[i])
        w.writerow([_csv_cell(c, sep) for c in row])
    moved = {}
    for m in comp.moves:
        moved.setdefault(m.group, {})[m.scenario] = m
    for group, by in moved.items():
        row = [f"moved: {group}"]
        for i, r in enumerate(comp.runs):
            a = r.result.plan.assignments.get(group) if r.found else None
            cell = f"{_plan_parts(r.result.plan, group)} {a.method}" if a else ""
            row.append(cell)
            if i:
                row.append(describe_move(by[r.name], translate=False) if r.name in by else "unchanged" if cell else "")
        w.writerow([_csv_cell(c, sep) for c in row])
    return buf.getvalue()


def _plan_parts(plan, group: str) -> str:
    """A group's month, or its parts: '2027-02 (200) 2027-03 (110)' (English, as the CSV holds it)."""
    parts = plan.parts(group)
    if len(parts) == 1:
        return plan.month_label(group)
    return " ".join(f"{plan.inst.months[t].label} ({u})" for t, u in parts)


def print_comparison(console: Any, comp: Comparison) -> None:
    """The KPI table, the moved groups and the reasons, on a rich console (user text is
    only ever text: see :func:`optimizer.render.console.text`)."""
    from rich import box
    from rich.table import Table as RichTable

    from optimizer.render.console import text

    header, rows = kpi_rows(comp)
    t = RichTable(title=text(_("Scenario comparison (baseline: {name})").format(name=comp.baseline.name)),
                  box=box.SIMPLE, title_justify="left")
    for i, h in enumerate(header):
        t.add_column(text(h), justify="left" if i == 0 else "right", overflow="fold")
    for row in rows:
        t.add_row(*(text(c) for c in row))
    console.print(t)
    for r in comp.runs[1:]:
        ms = comp.moves_of(r.name)
        if not r.found:
            continue
        if not comp.baseline.found:
            continue  # nothing to compare with: the baseline's reason is printed below
        if not ms:
            console.print(text(_("{name}: the same plan as {baseline}").format(name=r.name, baseline=comp.baseline.name)))
            continue
        console.print(text((r.name, "bold"), ": " + _("{changed} against {baseline}").format(
            changed=_groups_changed(len(ms)), baseline=comp.baseline.name)))
        for m in ms:
            console.print(text(f"  {m.group} ({i18n.users(m.size)}): {describe_move(m)}"))
    for r in comp.runs:
        if not r.found:
            console.print(text((r.name, "red"), f" ({r.path}): " + _("no plan: {reason}").format(reason=r.reason or "")))

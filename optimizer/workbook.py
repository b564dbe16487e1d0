"""The plan as an Excel workbook (openpyxl): Plan, Assignments, Capacity, Summary, Inputs.

Every sheet is built from the same data as the other formats (``optimizer.report``),
so the workbook, the terminal and the Markdown never disagree. User text is written
with ``put`` which forces the string type, so a group called ``=1+1`` stays text and
never becomes a formula. Writes are atomic (temp file + rename).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Iterable

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from .atomic import write_with
from .domain import RESOURCE_LABELS, RESOURCES, Instance
from .loaders import GROUP_COLUMNS, group_cells
from .report import level_rows, load_rows, method_grid, plan_grid, summary
from .solver import Result
from .xlsx_rows import FAST_ROWS_FROM, Deferred, inject

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
PHASE_FILL = PatternFill("solid", fgColor="F2F2F2")
WRAP = Alignment(wrap_text=True, vertical="top")
GREEN, AMBER, RED = (PatternFill("solid", fgColor=c) for c in ("C6EFCE", "FFEB9C", "FFC7CE"))
_BAD_SHEET_CHARS = set('[]:*?/\\')


def put(ws: Worksheet, row: int, col: int, value: Any, **style) -> Any:
    """Write one cell; strings are always text (never formulas), whatever they start with."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"
    else:
        cell.value = value
    for k, v in style.items():
        setattr(cell, k, v)
    return cell


def put_row(ws: Worksheet, row: int, values: Iterable[Any], **style) -> None:
    for c, v in enumerate(values, start=1):
        put(ws, row, c, v, **style)


def sheet_title(name: str, taken: Iterable[str] = ()) -> str:
    """A valid, unique sheet name (<= 31 characters, none of []:*?/\\)."""
    clean = "".join("_" if ch in _BAD_SHEET_CHARS else ch for ch in name).strip("'") or "Sheet"
    base, n, title = clean[:31], 2, clean[:31]
    taken_l = {t.lower() for t in taken}
    while title.lower() in taken_l:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    return title


def _widths(ws: Worksheet, widths: dict[int, float]) -> None:
    for col, w in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = w


# ------------------------------------------------------------------ Plan
def add_plan_sheet(wb: Workbook, inst: Instance, result: Result, title: str = "Plan") -> Worksheet:
    """The guide's table (phases x months, cells 'Group (N users)') and, below it, the
    same plan with method sub-rows (Self-service / Assisted / IT tech fair)."""
    ws = wb.create_sheet(sheet_title(title, wb.sheetnames))
    put(ws, 1, 1, f"Rollout plan: {inst.name} ({result.status})", font=TITLE)
    if result.plan is None:
        put(ws, 3, 1, "No plan: " + ("no plan satisfies all rules (infeasible)." if result.status == "infeasible"
                                      else "none found within the time limit."))
        if result.explanation is not None:
            put(ws, 4, 1, "Why: " + result.explanation.headline() + " (see the Explanation sheet)")
        _widths(ws, {1: 100})
        return ws
    vals = result.plan.objective_values()
    put(ws, 2, 1, f"Finish {inst.months[vals['finish']].label}; waiting {vals['waiting']:,} "
                  f"(users x readiness x months); assisted users {vals['assisted']:,}; "
                  f"{sum(g.size for g in inst.groups):,} users in {len(inst.groups)} groups.")
    header, rows = plan_grid(result.plan, sep="\n")
    top = 4
    put_row(ws, top, header, font=BOLD, fill=HEADER_FILL)
    for i, row in enumerate(rows, start=top + 1):
        put(ws, i, 1, row[0], font=BOLD, fill=PHASE_FILL, alignment=WRAP)
        for c, v in enumerate(row[1:], start=2):
            put(ws, i, c, v, alignment=WRAP)
    r0 = top + len(rows) + 3
    put(ws, r0 - 1, 1, "Plan with enrollment methods", font=BOLD)
    mheader, mrows = method_grid(result.plan, sep="\n")
    put_row(ws, r0, mheader, font=BOLD, fill=HEADER_FILL)
    for i, row in enumerate(mrows, start=r0 + 1):
        sub = row[0].startswith("  ")
        put(ws, i, 1, row[0].strip() if not sub else "    " + row[0].strip(),
            font=Font(bold=not sub, italic=sub), fill=PHASE_FILL if not sub else PatternFill(), alignment=WRAP)
        for c, v in enumerate(row[1:], start=2):
            put(ws, i, c, v, alignment=WRAP)
    ws.freeze_panes = ws.cell(row=top + 1, column=2)
    longest = max((len(x) for r in rows for cell in r[1:] for x in cell.split("\n")), default=10)
    _widths(ws, {1: 24, **{c: min(max(14, longest + 2), 45) for c in range(2, len(header) + 1)}})
    return ws


# ------------------------------------------------------------------ Assignments
ASSIGNMENT_COLUMNS = [*GROUP_COLUMNS, "month", "method", "phase", "tickets"]



def add_assignments_sheet(wb: Workbook, inst: Instance, result: Result,
                          deferred: Deferred | None = None) -> Worksheet:
    """One row per group; with ``deferred``, the data rows are left to optimizer.xlsx_rows."""
    ws = wb.create_sheet("Assignments")
    put_row(ws, 1, ASSIGNMENT_COLUMNS, font=BOLD)
    plan = result.plan
    phase = plan.phase_by_group() if plan else {}
    rows = []
    for g in inst.groups:
        a = plan.assignments.get(g.name) if plan else None
        rows.append([
            *group_cells(g),
            inst.months[a.month].label if a else "", a.method if a else "", phase[g.name] if a else "",
            inst.rules.tickets(g.size, a.method) if a else None,
        ])
    _data_rows(ws, 2, rows, deferred)
    r = 1 + len(rows)
    ref = f"A1:{get_column_letter(len(ASSIGNMENT_COLUMNS))}{max(r, 2)}"
    table = Table(displayName="Assignments", ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)
    ws.freeze_panes = "B2"
    _widths(ws, {1: 30, **{c: 13 for c in range(2, len(ASSIGNMENT_COLUMNS) + 1)}})
    return ws


# ------------------------------------------------------------------ Capacity
def add_capacity_sheet(wb: Workbook, inst: Instance, result: Result) -> Worksheet:
    """Per month: users, cumulative users, and per resource load / capacity / utilisation,
    with green (< 75 %), amber (75-90 %) and red (> 90 %) utilisation, and a chart."""
    ws = wb.create_sheet("Capacity")
    header = ["Month", "Users", "Cumulative users"]
    for res in RESOURCES:
        lab = RESOURCE_LABELS[res]
        header += [f"{lab.capitalize()} load", f"{lab.capitalize()} capacity", f"{lab.capitalize()} utilisation"]
    put_row(ws, 1, header, font=BOLD, fill=HEADER_FILL, alignment=WRAP)
    rows = load_rows(result.plan) if result.plan else [
        {"month": m.label, "users": 0, "cumulative_users": 0,
         **{r: 0 for r in RESOURCES}, **{f"{r}_capacity": m.capacity(r) for r in RESOURCES}} for m in inst.months]
    for i, row in enumerate(rows, start=2):
        vals: list[Any] = [row["month"], row["users"], row["cumulative_users"]]
        for res in RESOURCES:
            cap = row[f"{res}_capacity"]
            vals += [row[res], cap, (row[res] / cap) if cap else None]
        put_row(ws, i, vals)
        for j in range(len(RESOURCES)):
            ws.cell(row=i, column=6 + 3 * j).number_format = "0%"
    last = len(rows) + 1
    for j in range(len(RESOURCES)):
        col = get_column_letter(6 + 3 * j)
        rng = f"{col}2:{col}{last}"
        ws.conditional_formatting.add(rng, CellIsRule(operator="greaterThan", formula=["0.9"], fill=RED))
        ws.conditional_formatting.add(rng, CellIsRule(operator="between", formula=["0.75", "0.9"], fill=AMBER))
        ws.conditional_formatting.add(rng, CellIsRule(operator="lessThan", formula=["0.75"], fill=GREEN))
    ws.freeze_panes = "B2"
    _widths(ws, {1: 10, 2: 9, 3: 12, **{c: 13 for c in range(4, len(header) + 1)}})
    chart = BarChart()
    chart.title = "Helpdesk tickets: load against capacity"
    chart.y_axis.title = "tickets"
    chart.add_data(Reference(ws, min_col=4, min_row=1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=last))
    cap_line = LineChart()
    cap_line.add_data(Reference(ws, min_col=5, min_row=1, max_row=last), titles_from_data=True)
    chart += cap_line
    chart.width, chart.height = 22, 9
    ws.add_chart(chart, f"A{last + 3}")
    return ws


# ------------------------------------------------------------------ Summary
def _sha256(path: str | None) -> str:
    if not path or not Path(path).is_file():
        return ""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def add_summary_sheet(wb: Workbook, inst: Instance, result: Result) -> Worksheet:
    ws = wb.create_sheet("Summary")
    data = summary(inst, result)
    r = 1
    put(ws, r, 1, f"Summary: {inst.name}", font=TITLE)
    for key, val in [("Status", result.status), ("Reproducible", "yes" if result.reproducible else "no"),
                     ("Interrupted", "yes" if result.interrupted else "no"),
                     ("Finish month", data["finish_month"] or ""), ("Solve time (s)", round(result.seconds, 3)),
                     ("Created (UTC)", data.get("created", ""))]:
        r += 1
        put_row(ws, r, [key, val])
        ws.cell(row=r, column=1).font = BOLD
    r += 2
    put_row(ws, r, ["Objective level", "Status", "Value", "Bound", "Gap", "Seconds", "Stopped by", "Bound by"],
            font=BOLD, fill=HEADER_FILL)
    for lv in level_rows(result):
        r += 1
        put_row(ws, r, [lv["level"], lv["status"], lv["value"], lv["bound"], lv["gap"], lv["seconds"],
                        lv["stopped_by"], lv["bound_by"]])
        ws.cell(row=r, column=5).number_format = "0.00%"
    if result.plan:
        r += 2
        put_row(ws, r, ["Month", "Users", "Cumulative users", "Cumulative %"], font=BOLD, fill=HEADER_FILL)
        total = sum(g.size for g in inst.groups)
        for row in load_rows(result.plan):
            r += 1
            put_row(ws, r, [row["month"], row["users"], row["cumulative_users"], row["cumulative_users"] / total])
            ws.cell(row=r, column=4).number_format = "0%"
    r += 2
    put(ws, r, 1, "Solver", font=BOLD)
    for key, val in data["solver"].items():
        r += 1
        put_row(ws, r, [key, json.dumps(val, sort_keys=True) if isinstance(val, dict) else val])
    r += 2
    put_row(ws, r, ["Input", "File", "SHA-256"], font=BOLD, fill=HEADER_FILL)
    for kind, path in inst.sources.items():
        r += 1
        put_row(ws, r, [kind, path or "", _sha256(path)])
    _widths(ws, {1: 24, 2: 40, 3: 66, 4: 12, 5: 10, 6: 10, 7: 20, 8: 16})
    return ws


# ------------------------------------------------------------------ Inputs
def add_inputs_sheet(wb: Workbook, inst: Instance, deferred: Deferred | None = None) -> Worksheet:
    """Groups, capacity and rules exactly as used (after defaults and scenario overrides); with
    ``deferred``, the group rows are left to optimizer.xlsx_rows."""
    ws = wb.create_sheet("Inputs")
    put(ws, 1, 1, "Groups", font=BOLD)
    put_row(ws, 2, list(GROUP_COLUMNS), font=BOLD, fill=HEADER_FILL)
    _data_rows(ws, 3, [group_cells(g) for g in inst.groups], deferred)
    r = 2 + len(inst.groups)
    r += 2
    put(ws, r, 1, "Capacity", font=BOLD)
    r += 1
    put_row(ws, r, ["month", "helpdesk", "assisted", "tech_fair"], font=BOLD, fill=HEADER_FILL)
    for m in inst.months:
        r += 1
        put_row(ws, r, [m.label, m.helpdesk, m.assisted, m.tech_fair])
    r += 2
    put(ws, r, 1, "Rules", font=BOLD)
    r += 1
    put_row(ws, r, ["key", "value"], font=BOLD, fill=HEADER_FILL)
    for key, val in rules_rows(inst):
        r += 1
        put_row(ws, r, [key, val])
    _widths(ws, {1: 30, **{c: 13 for c in range(2, 15)}})
    return ws


def rules_rows(inst: Instance) -> list[tuple[str, Any]]:
    """Rules as key/value rows (the format the Rules sheet of an input workbook uses)."""
    r = inst.rules
    rows: list[tuple[str, Any]] = [
        ("stage_gap", r.stage_gap), ("risk_delay", r.risk_delay), ("vip_assisted", str(r.vip_assisted).lower()),
        ("max_platforms_per_month", r.max_platforms_per_month),
        ("max_locations_per_month", r.max_locations_per_month),
        ("keep_departments_together", str(r.keep_departments_together).lower()),
        ("objective", ";".join(r.objective)),
    ]
    rows += [(f"tickets_per_100_users.{k}", v) for k, v in r.tickets_per_100_users.items()]
    return rows


# ------------------------------------------------------------------ Explanation
def add_explanation_sheet(wb: Workbook, result: Result) -> Worksheet | None:
    exp = result.explanation
    if exp is None:
        return None
    ws = wb.create_sheet("Explanation")
    put(ws, 1, 1, "Why there is no plan", font=TITLE)
    r = 3
    put_row(ws, r, ["Rule", "Conflict"], font=BOLD, fill=HEADER_FILL)
    for c in exp.conflicts:
        r += 1
        put_row(ws, r, [c.rule, c.message], alignment=WRAP)
    r += 2
    put_row(ws, r, ["Repair", "Kind", "Change size"], font=BOLD, fill=HEADER_FILL)
    for rep in exp.repairs:
        r += 1
        put_row(ws, r, [rep.description, rep.kind, rep.cost], alignment=WRAP)
    if exp.note:
        put(ws, r + 2, 1, exp.note)
    _widths(ws, {1: 60, 2: 90, 3: 12})
    return ws


def _data_rows(ws: Worksheet, first: int, rows: list[list[Any]], deferred: Deferred | None) -> None:
    """Unstyled data rows from spreadsheet row ``first``: through openpyxl, or deferred."""
    if deferred is not None:
        deferred.rows[ws.title] = (first, rows)
        return
    for r, row in enumerate(rows, start=first):
        put_row(ws, r, row)


# ------------------------------------------------------------------ workbook
def plan_workbook(inst: Instance, result: Result, deferred: Deferred | None = None) -> Workbook:
    """The workbook; with ``deferred``, the data rows of Assignments and Inputs are not in it but
    in ``deferred`` (for optimizer.xlsx_rows.inject after saving)."""
    wb = Workbook()
    wb.remove(wb.active)
    add_plan_sheet(wb, inst, result)
    if result.plan is not None:
        add_assignments_sheet(wb, inst, result, deferred)
    add_capacity_sheet(wb, inst, result)
    add_summary_sheet(wb, inst, result)
    add_inputs_sheet(wb, inst, deferred)
    add_explanation_sheet(wb, result)
    return wb


def write_plan_workbook(inst: Instance, result: Result, path: str | Path) -> None:
    """Write the plan workbook atomically (large ones with their data rows as XML directly)."""
    deferred = Deferred() if len(inst.groups) >= FAST_ROWS_FROM else None
    wb = plan_workbook(inst, result, deferred)
    parts = {ws.title: f"xl/worksheets/sheet{i}.xml" for i, ws in enumerate(wb.worksheets, start=1)}

    def save(tmp: Path) -> None:
        wb.save(tmp)
        if deferred is not None:
            inject(tmp, parts, deferred)

    write_with(path, save)

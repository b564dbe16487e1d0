"""The sheets around the plan in the workbook: Capacity (with its chart), Summary, Inputs and
the explanation of a missing plan."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import FormulaRule
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from optimizer import i18n
from optimizer.domain import RESOURCES, Instance
from optimizer.i18n import _, translate_error
from optimizer.inputs.loaders import group_cells, group_header
from optimizer.render.report import level_rows, load_rows, summary
from optimizer.render.sheet_layout import fit_columns
from optimizer.solving.solver import Result
from optimizer.render.xlsx_rows import Deferred
from optimizer.render.workbook_cells import (
    AMBER,
    BOLD,
    GREEN,
    HEADER_FILL,
    RED,
    STATUS_WORDS,
    TITLE,
    WRAP,
    _data_rows,
    _widths,
    _wrap,
    finish_sheet,
    put,
    put_row,
    sheet_title,
)


# ------------------------------------------------------------------ Capacity
def add_capacity_sheet(wb: Workbook, inst: Instance, result: Result) -> Worksheet:
    """Per month: users, cumulative users, and per resource load / capacity / utilisation,
    with green (< 75 %), amber (75-90 %) and red (> 90 %) utilisation, and a chart."""
    ws = wb.create_sheet(_("Capacity"))
    header = [_("Month"), _("Users"), _("Cumulative users")]
    for res in RESOURCES:
        lab = i18n.resource(res)
        header += [_("{resource} load").format(resource=lab), _("{resource} capacity").format(resource=lab),
                   _("{resource} utilisation").format(resource=lab)]
    put_row(ws, 1, header, font=BOLD, fill=HEADER_FILL, alignment=WRAP)
    rows = load_rows(result.plan) if result.plan else [
        {"month": m.label, "users": 0, "cumulative_users": 0,
         **{r: 0 for r in RESOURCES}, **{f"{r}_capacity": m.capacity(r) for r in RESOURCES}} for m in inst.months]
    for i, row in enumerate(rows, start=2):
        vals: list[Any] = [i18n.month(row["month"]), row["users"], row["cumulative_users"]]
        for res in RESOURCES:
            cap = row[f"{res}_capacity"]
            vals += [row[res], cap, (row[res] / cap) if cap else None]
        put_row(ws, i, vals)
        for c in range(2, len(vals) + 1):
            ws.cell(row=i, column=c).number_format = "#,##0"
        for j in range(len(RESOURCES)):
            ws.cell(row=i, column=6 + 3 * j).number_format = "0%"
    last = len(rows) + 1
    for j in range(len(RESOURCES)):
        col = get_column_letter(6 + 3 * j)
        rng = f"{col}2:{col}{last}"
        # Only cells with a number: a month without capacity has no utilisation (blank, no colour).
        first = f"{col}2"
        for test, fill in ((f"{first}>0.9", RED), (f"AND({first}>=0.75,{first}<=0.9)", AMBER),
                           (f"{first}<0.75", GREEN)):
            ws.conditional_formatting.add(rng, FormulaRule(formula=[f"AND(ISNUMBER({first}),{test})"], fill=fill))
    ws.freeze_panes = "B2"
    _widths(ws, {1: 10, 2: 9, 3: 12, **{c: 14 for c in range(4, len(header) + 1)}})
    ws.add_chart(capacity_chart(ws, last), f"A{last + 3}")
    return finish_sheet(ws, inst, result, title_rows="1:1")


LOAD_COLOUR, CAPACITY_COLOUR = "4472C4", "C00000"


def capacity_chart(ws: Worksheet, last: int) -> BarChart:
    """Helpdesk load (filled bars) against capacity (an outlined bar per month, drawn over
    the load): capacity is a level that holds for a whole month, so it is drawn as a step
    per month, never as a line between months (LibreOffice smooths such lines into curves
    that overshoot)."""
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "clustered"
    chart.overlap = 100  # capacity's outline stands around the load's bar
    chart.gapWidth = 40
    chart.title = _("Helpdesk tickets: load against capacity")
    chart.y_axis.title = _("tickets")
    chart.y_axis.delete = False
    chart.x_axis.delete = False
    chart.add_data(Reference(ws, min_col=4, max_col=5, min_row=1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=last))
    load, cap = chart.series
    load.graphicalProperties.solidFill = LOAD_COLOUR
    load.graphicalProperties.line.solidFill = LOAD_COLOUR
    cap.graphicalProperties.noFill = True
    cap.graphicalProperties.line.solidFill = CAPACITY_COLOUR
    cap.graphicalProperties.line.width = 28575  # 2.25 pt, in EMU
    chart.legend.position = "b"
    chart.width, chart.height = 22, 9
    return chart


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
    ws = wb.create_sheet(_("Summary"))
    data = summary(inst, result)
    r = 1
    put(ws, r, 1, _("Summary: {name}").format(name=inst.name), font=TITLE)
    yes, no = _("yes"), _("no")
    for key, val in [(_("Status"), _(STATUS_WORDS.get(result.status, result.status))),
                     (_("Reproducible"), yes if result.reproducible else no),
                     (_("Interrupted"), yes if result.interrupted else no),
                     (_("Finish month"), i18n.month(data["finish_month"] or "")),
                     (_("Solve time (s)"), round(result.seconds, 3)),
                     (_("Created (UTC)"), data.get("created", ""))]:
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
    # Long values (paths, solver parameters, hashes) wrap in capped columns instead of
    # widening the sheet (a SHA-256 takes two lines).
    for row in ws.iter_rows(min_row=2, max_row=r):
        for cell in row:
            if cell.value is not None and cell.fill.fill_type is None:
                cell.alignment = WRAP
    _widths(ws, {1: 18, 2: 40, 3: 36, 4: 12, 5: 10, 6: 10, 7: 14, 8: 12})
    return finish_sheet(ws, inst, result)


# ------------------------------------------------------------------ Inputs
def add_inputs_sheet(wb: Workbook, inst: Instance, result: Result | None = None,
                     deferred: Deferred | None = None) -> Worksheet:
    """Groups, capacity and rules exactly as used (after defaults and scenario overrides); with
    ``deferred``, the group rows are left to optimizer.render.xlsx_rows."""
    ws = wb.create_sheet("Inputs")
    put(ws, 1, 1, "Groups", font=BOLD)
    v2 = inst.may_split
    put_row(ws, 2, list(group_header(v2)), font=BOLD, fill=HEADER_FILL)
    _data_rows(ws, 3, [group_cells(g, v2) for g in inst.groups], deferred)
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
    _wrap(ws, 2, 2)
    _wrap(ws, 3 if deferred is None else 3 + len(inst.groups), r)  # deferred rows: see add_assignments_sheet
    fit_columns(ws, [1], min_row=2, lo=12, hi=34)
    fit_columns(ws, range(2, len(group_header(v2)) + 1), min_row=2, lo=8, hi=32)
    return finish_sheet(ws, inst, result)


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
    if inst.may_split:  # model v2 keys, recorded where a group may split
        rows += [("max_months", r.max_months), ("min_part_users", r.min_part_users)]
    rows += [(f"tickets_per_100_users.{k}", v) for k, v in r.tickets_per_100_users.items()]
    return rows


# ------------------------------------------------------------------ Explanation
def add_explanation_sheet(wb: Workbook, result: Result, inst: Instance | None = None,
                          title: str | None = None) -> Worksheet | None:
    """Every conflict (a bold heading each when there are several), its rules and repairs
    (the words in column A, wrapped; the rule name or kind of change in B, the change's
    size in C) and the combined repair: one column to read, fitting a page's width."""
    exp = result.explanation
    if exp is None:
        return None
    ws = wb.create_sheet(sheet_title(title or _("Explanation"), wb.sheetnames))
    put(ws, 1, 1, _("Why there is no plan"), font=TITLE)
    sizes = {r.description: r.cost for st in exp.sets for r in st.repairs}
    sizes.update((r.description, r.cost) for r in exp.repairs)
    r = 2
    for kind, text, rule in exp.lines():
        size = sizes.get(text, "")
        text = translate_error(text)
        r += 1
        if kind in ("heading", "intro", "repairs", "combined"):
            r += kind in ("heading", "repairs", "combined")  # a blank row before a new part
            put(ws, r, 1, text, font=BOLD, alignment=WRAP)
        elif kind == "rule":
            put_row(ws, r, ["   " + text, rule], alignment=WRAP)
        elif kind == "repair":
            put_row(ws, r, ["   " + text, f"change: {rule}", size], alignment=WRAP)
        else:
            put(ws, r, 1, text, alignment=WRAP)
    _widths(ws, {1: 95, 2: 22, 3: 8})
    return finish_sheet(ws, inst, result, title_rows=None)

"""The plan as an Excel workbook (openpyxl): Plan, Assignments, Capacity, Summary, Inputs.

Every sheet is built from the same data as the other formats (``optimizer.report``),
so the workbook, the terminal and the Markdown never disagree. User text is written
with ``put`` which forces the string type, so a group called ``=1+1`` stays text and
never becomes a formula. Writes are atomic (temp file + rename). Column widths, row
heights and the print layout (one page wide, titles repeated) come from
:mod:`optimizer.sheet_layout`, so every group shows on screen and on paper.
"""

from __future__ import annotations

from copy import copy

import hashlib
import json
from pathlib import Path
from typing import Any, Iterable

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from .atomic import write_with
from . import i18n
from .answer import one_line, quality
from .domain import RESOURCES, Instance
from .i18n import N_, _, translate_error
from .loaders import GROUP_COLUMNS, group_cells, group_header
from .report import count_grid, level_rows, load_rows, method_grid, plan_grid, summary
from .sheet_layout import (column_width, fit_columns, fit_row_heights, print_setup, set_widths, text_width,
                           wrapped_lines)
from .safetext import cell_text, has_unsafe, visible
from .solver import Result
from .xlsx_rows import FAST_ROWS_FROM, Deferred, inject

# Fonts name Calibri (the workbook's default font): a font without a name is drawn in a
# serif fallback by LibreOffice.
FONT = "Calibri"
BOLD = Font(name=FONT, bold=True)
ITALIC = Font(name=FONT, italic=True)
TITLE = Font(name=FONT, bold=True, size=14)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
PHASE_FILL = PatternFill("solid", fgColor="F2F2F2")
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
_LINE = Side(style="thin", color="BFBFBF")
GRID = Border(left=_LINE, right=_LINE, top=_LINE, bottom=_LINE)
GREEN, AMBER, RED = (PatternFill("solid", fgColor=c) for c in ("C6EFCE", "FFEB9C", "FFC7CE"))
_BAD_SHEET_CHARS = set('[]:*?/\\')


def put(ws: Worksheet, row: int, col: int, value: Any, **style) -> Any:
    """Write one cell; strings are always text (never formulas), whatever they start with,
    and always cells Excel can hold (:func:`cell_text`)."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        cell.value = cell_text(value)
        cell.data_type = "s"
    else:
        cell.value = value
    if style:
        _apply_style(ws, cell, style)
    return cell


def _apply_style(ws: Worksheet, cell: Any, style: dict[str, Any]) -> None:
    """Set a cell's font, fill, border, alignment, number format... Setting a style object
    through openpyxl hashes it into the workbook's style lists (about 0.1 ms a cell, minutes
    for a 100,000-group plan); the same combination of objects is set once per workbook and
    then copied as openpyxl's own per-cell style record. The cache holds the style objects
    themselves, so the ids in its keys stay theirs."""
    cache = ws.parent.__dict__.setdefault("_rollout_styles", {})
    key = tuple((k, id(v)) for k, v in style.items())
    hit = cache.get(key)
    if hit is None:
        for k, v in style.items():
            setattr(cell, k, v)
        cache[key] = (copy(cell._style), tuple(style.values()))
    else:
        cell._style = copy(hit[0])


def put_row(ws: Worksheet, row: int, values: Iterable[Any], **style) -> None:
    for c, v in enumerate(values, start=1):
        put(ws, row, c, v, **style)


def sheet_title(name: str, taken: Iterable[str] = ()) -> str:
    """A valid, unique sheet name (<= 31 characters, none of []:*?/\\)."""
    clean = "".join("_" if ch in _BAD_SHEET_CHARS or has_unsafe(ch) else ch for ch in name).strip("'") or "Sheet"
    base, n, title = clean[:31], 2, clean[:31]
    taken_l = {t.lower() for t in taken}
    while title.lower() in taken_l:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    return title


_widths = set_widths


#: The plan's status in the planner's words (the print header).
STATUS_WORDS = {"optimal": N_("best possible plan"), "feasible": N_("a plan, not proven the best possible"),
                "infeasible": N_("no plan possible"), "unknown": N_("no plan found in the time given")}


def finish_sheet(ws: Worksheet, inst: Instance | None, result: Result | None, *, title_rows: str | None = None,
                 title_cols: str | None = "A:A") -> Worksheet:
    """Rows as tall as their cells' lines, and the print layout (see optimizer.sheet_layout)."""
    fit_row_heights(ws)
    print_setup(ws, title=_("Rollout plan") + (f": {inst.name}" if inst is not None else ""),
                status=_(STATUS_WORDS.get(result.status, result.status)) if result is not None else "",
                title_rows=title_rows, title_cols=title_cols)
    return ws


# ------------------------------------------------------------------ Plan
#: Plan-sheet month columns: wide enough for the month and at most this wide (longer names
#: wrap); a plan of few months may use up to PLAN_WIDTH characters across its months.
PLAN_COLUMN_MAX, PLAN_COLUMN_WIDEST, PLAN_WIDTH = 26, 40, 130


def add_plan_sheet(wb: Workbook, inst: Instance, result: Result, title: str | None = None,
                   explanation_sheet: str | None = None) -> Worksheet:
    """The guide's table (phases x months, cells 'Group (N users)') and, below it, the
    same plan with method sub-rows (Self-service / Assisted / IT tech fair). Without a
    plan, the reason and a pointer to the sheet ``explanation_sheet`` that explains it."""
    title = title or _("Plan")
    explanation_sheet = explanation_sheet or _("Explanation")
    ws = wb.create_sheet(sheet_title(title, wb.sheetnames))
    put(ws, 1, 1, _("Rollout plan: {name}").format(name=inst.name) + f" ({_(STATUS_WORDS.get(result.status, result.status))})",
        font=TITLE)
    if result.plan is None:
        put(ws, 3, 1, one_line(inst, result), alignment=WRAP)
        if result.explanation is not None:
            put(ws, 4, 1, _("Why: {reason}").format(reason=translate_error(result.explanation.headline())),
                alignment=WRAP)
            # The link in a cell of its own: LibreOffice does not wrap a cell with a link.
            link = put(ws, 5, 1, _("Details and the changes that give a plan: the sheet '{sheet}'").format(
                sheet=explanation_sheet))
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"{quote_sheetname(explanation_sheet)}!A1")
            link.font = Font(name=FONT, color="0563C1", underline="single")
        _widths(ws, {1: 100})
        return finish_sheet(ws, inst, result, title_cols=None)
    put(ws, 2, 1, one_line(inst, result) + " " + quality(result))
    if len(inst.groups) >= SHEET_NAMES_MAX:
        return _count_plan_sheet(ws, inst, result)
    header, rows = plan_grid(result.plan, sep="\n")
    mheader, mrows = method_grid(result.plan, sep="\n")
    widths = plan_widths(header, rows + mrows, inst.horizon)
    rows = [part for row in rows for part in split_tall_row(row, widths)]
    mrows = [part for row in mrows for part in split_tall_row(row, widths)]
    top = 4
    put_row(ws, top, header, font=BOLD, fill=HEADER_FILL, border=GRID, alignment=TOP)
    for i, row in enumerate(rows, start=top + 1):
        put(ws, i, 1, row[0], font=BOLD, fill=PHASE_FILL, alignment=WRAP, border=GRID)
        for c, v in enumerate(row[1:], start=2):
            put(ws, i, c, v, alignment=WRAP, border=GRID)
    r0 = top + len(rows) + 3
    put(ws, r0 - 1, 1, _("Plan with enrollment methods"), font=BOLD)
    put_row(ws, r0, mheader, font=BOLD, fill=HEADER_FILL, border=GRID, alignment=TOP)
    for i, row in enumerate(mrows, start=r0 + 1):
        sub = row[0].startswith("  ")
        put(ws, i, 1, row[0].strip() if not sub else "    " + row[0].strip(),
            font=ITALIC if sub else BOLD, fill=PHASE_FILL if not sub else PatternFill(), alignment=WRAP,
            border=GRID)
        for c, v in enumerate(row[1:], start=2):
            put(ws, i, c, v, alignment=WRAP, border=GRID)
    ws.freeze_panes = ws.cell(row=top + 1, column=2)
    _widths(ws, widths)
    return finish_sheet(ws, inst, result, title_rows=f"{top}:{top}")


#: From this many groups the Plan sheet counts groups and users per phase and month instead of
#: naming every group (as the terminal does from TERMINAL_NAMES_MAX): thousands of names per
#: cell help no reader, and the bordered continuation rows took minutes to write.
SHEET_NAMES_MAX = FAST_ROWS_FROM


def _count_plan_sheet(ws: Worksheet, inst: Instance, result: Result) -> Worksheet:
    """The Plan sheet of a large plan: 'N groups (M users)' per phase and month."""
    header, rows = count_grid(result.plan)
    top = 4
    put(ws, 3, 1, _("Every group with its month and method is on the Assignments sheet."))
    put_row(ws, top, header, font=BOLD, fill=HEADER_FILL, border=GRID, alignment=TOP)
    for i, row in enumerate(rows, start=top + 1):
        put(ws, i, 1, row[0], font=BOLD, fill=PHASE_FILL, alignment=WRAP, border=GRID)
        for c, v in enumerate(row[1:], start=2):
            put(ws, i, c, v, alignment=WRAP, border=GRID)
    ws.freeze_panes = ws.cell(row=top + 1, column=2)
    _widths(ws, plan_widths(header, rows, inst.horizon))
    return finish_sheet(ws, inst, result, title_rows=f"{top}:{top}")


def plan_widths(header: list[str], rows: list[list[str]], months: int) -> dict[int, float]:
    """Column widths of the Plan sheet: the phase column fits its labels (16-32 characters: the
    Swedish "Produktionsdistributionsfas 10" on one line),
    each month its longest line (10 to PLAN_COLUMN_MAX characters, more when few months)."""
    hi = min(PLAN_COLUMN_WIDEST, max(PLAN_COLUMN_MAX, PLAN_WIDTH // max(1, months)))
    out = {}
    for c in range(len(header)):
        lo, top = (16, 32) if c == 0 else (10, hi)
        need = max([text_width(header[c], bold=True)]
                   + [text_width(r[c].strip(), bold=c == 0) for r in rows if r[c]])
        out[c + 1] = min(top, max(lo, need))
    return out


#: A row holds at most this many lines of groups (Excel's rows are at most 409 points, 27 lines).
MAX_ROW_LINES = 26


def split_tall_row(row: list[str], widths: dict[int, float], max_lines: int = MAX_ROW_LINES) -> list[list[str]]:
    """A plan row whose cells need more than ``max_lines`` lines, as that row and its
    continuation rows ('<phase> (continued)'): Excel cannot make a row taller than 409
    points, so a taller cell would hide its last groups."""
    columns = []
    for c, cell in enumerate(row[1:], start=2):
        chunks: list[list[str]] = []
        used = 0
        for item in cell.split("\n") if cell else []:
            n = wrapped_lines(item, widths[c])
            if not chunks or (chunks[-1] and used + n > max_lines):
                chunks.append([])
                used = 0
            chunks[-1].append(item)
            used += n
        columns.append(chunks)
    parts = max([1] + [len(ch) for ch in columns])
    if parts == 1:
        return [row]
    indent = row[0][: len(row[0]) - len(row[0].lstrip())]
    return [[row[0] if i == 0 else f"{indent}{row[0].strip()} (continued)"]
            + ["\n".join(ch[i]) if i < len(ch) else "" for ch in columns] for i in range(parts)]


# ------------------------------------------------------------------ Assignments
ASSIGNMENT_COLUMNS = [*GROUP_COLUMNS, "month", "method", "phase", "tickets"]
#: v2 plans (a group may split): one row per part, with the group's max_months and the part's users.
ASSIGNMENT_COLUMNS_V2 = [*group_header(True), "month", "method", "users", "phase", "tickets"]


def _group_rows(inst: Instance, plan) -> list[list[Any]]:
    """One row per group (v1 plans; no plan: the groups with empty plan cells)."""
    phase = plan.phase_by_group() if plan else {}
    rows = []
    for g in inst.groups:
        a = plan.assignments.get(g.name) if plan else None
        rows.append([
            *group_cells(g),
            inst.months[a.month].label if a else "", a.method if a else "", phase[g.name] if a else "",
            inst.rules.tickets(g.size, a.method) if a else None,
        ])
    return rows


def _part_rows(inst: Instance, plan) -> list[list[Any]]:
    """One row per part (v2 plans), tickets rounded up per part."""
    groups = {g.name: g for g in inst.groups}
    return [[*group_cells(groups[row["group"]], True), row["month"], row["method"], row["users"], row["phase"],
             inst.rules.tickets(row["users"], row["method"])] for row in plan.rows()]



def add_assignments_sheet(wb: Workbook, inst: Instance, result: Result,
                          deferred: Deferred | None = None) -> Worksheet:
    """One row per group; with ``deferred``, the data rows are left to optimizer.xlsx_rows."""
    ws = wb.create_sheet("Assignments")
    plan = result.plan
    columns = ASSIGNMENT_COLUMNS_V2 if plan and plan.v2 else ASSIGNMENT_COLUMNS
    put_row(ws, 1, columns, font=BOLD)
    rows = _part_rows(inst, plan) if plan and plan.v2 else _group_rows(inst, plan)
    _data_rows(ws, 2, rows, deferred)
    r = 1 + len(rows)
    ref = f"A1:{get_column_letter(len(columns))}{max(r, 2)}"
    table = Table(displayName="Assignments", ref=ref)
    # The columns named here: left empty, openpyxl reads the header row by walking the whole
    # table range, which creates a cell at every position (1.8 million for 100,000 groups).
    table.tableColumns = [TableColumn(id=i, name=h) for i, h in enumerate(columns, start=1)]
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)
    ws.freeze_panes = "B2"
    if deferred is None:  # deferred rows (large plans) are written unstyled by optimizer.xlsx_rows
        _wrap(ws, 2, r)
    fit_columns(ws, [1], lo=12, hi=34)
    fit_columns(ws, range(2, len(columns) + 1), lo=7, hi=32)
    # Room for the table's filter button beside each header.
    _widths(ws, {c: column_width(ws, c) + 2 for c in range(1, len(columns) + 1)})
    return finish_sheet(ws, inst, result, title_rows="1:1")


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
    ``deferred``, the group rows are left to optimizer.xlsx_rows."""
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


def _wrap(ws: Worksheet, first: int, last: int) -> None:
    """Wrapped, top-aligned cells in rows ``first``..``last``."""
    for row in ws.iter_rows(min_row=first, max_row=last):
        for cell in row:
            cell.alignment = WRAP


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
    add_inputs_sheet(wb, inst, result, deferred)
    add_explanation_sheet(wb, result, inst)
    return wb


def save_plan_workbook(inst: Instance, result: Result, path: str | Path) -> None:
    """Save the plan workbook to ``path`` as it is (a staged temp file: optimizer.outputs);
    large ones with their data rows as XML directly (optimizer.xlsx_rows)."""
    deferred = Deferred() if len(inst.groups) >= FAST_ROWS_FROM else None
    wb = plan_workbook(inst, result, deferred)
    parts = {ws.title: f"xl/worksheets/sheet{i}.xml" for i, ws in enumerate(wb.worksheets, start=1)}
    wb.save(path)
    if deferred is not None:
        inject(Path(path), parts, deferred)


def write_plan_workbook(inst: Instance, result: Result, path: str | Path) -> None:
    """Write the plan workbook atomically (:func:`save_plan_workbook` to a temp file, renamed)."""
    write_with(path, lambda tmp: save_plan_workbook(inst, result, tmp))

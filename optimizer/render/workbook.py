"""The plan as an Excel workbook (openpyxl): Plan, Assignments, Capacity, Summary, Inputs.

Every sheet is built from the same data as the other formats (``optimizer.render.report``),
so the workbook, the terminal and the Markdown never disagree. User text is written
with ``put`` which forces the string type, so a group called ``=1+1`` stays text and
never becomes a formula. Writes are atomic (temp file + rename). Column widths, row
heights and the print layout (one page wide, titles repeated) come from
:mod:`optimizer.render.sheet_layout`, so every group shows on screen and on paper.
"""

from __future__ import annotations

from typing import Any

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from optimizer.render.atomic import write_with
from optimizer.render.answer import one_line, quality
from optimizer.domain import Instance
from optimizer.i18n import _, translate_error
from optimizer.inputs.loaders import GROUP_COLUMNS, group_cells, group_header
from optimizer.render.report import count_grid, method_grid, plan_grid
from optimizer.render.sheet_layout import column_width, fit_columns, text_width, wrapped_lines
from optimizer.solving.solver import Result
from optimizer.render.xlsx_rows import FAST_ROWS_FROM, Deferred, inject
from optimizer.render.workbook_cells import (
    BOLD,
    FONT,
    GRID,
    HEADER_FILL,
    ITALIC,
    PHASE_FILL,
    STATUS_WORDS,
    TITLE,
    TOP,
    WRAP,
    _data_rows,
    _widths,
    _wrap,
    finish_sheet,
    put,
    put_row,
    sheet_title,
)
from optimizer.render.workbook_context import (
    add_capacity_sheet,
    add_explanation_sheet,
    add_inputs_sheet,
    add_summary_sheet,
)


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
    """One row per group (per part of a v2 plan); with ``deferred``, the data rows are left to
    optimizer.render.xlsx_rows."""
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
    if deferred is None:  # deferred rows (large plans) are written unstyled by optimizer.render.xlsx_rows
        _wrap(ws, 2, r)
    fit_columns(ws, [1], lo=12, hi=34)
    fit_columns(ws, range(2, len(columns) + 1), lo=7, hi=32)
    # Room for the table's filter button beside each header.
    _widths(ws, {c: column_width(ws, c) + 2 for c in range(1, len(columns) + 1)})
    return finish_sheet(ws, inst, result, title_rows="1:1")


# ------------------------------------------------------------------ workbook
def plan_workbook(inst: Instance, result: Result, deferred: Deferred | None = None) -> Workbook:
    """The workbook; with ``deferred``, the data rows of Assignments and Inputs are not in it but
    in ``deferred`` (for optimizer.render.xlsx_rows.inject after saving)."""
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
    """Save the plan workbook to ``path`` as it is (a staged temp file: optimizer.render.outputs);
    large ones with their data rows as XML directly (optimizer.render.xlsx_rows)."""
    deferred = Deferred() if len(inst.groups) >= FAST_ROWS_FROM else None
    wb = plan_workbook(inst, result, deferred)
    parts = {ws.title: f"xl/worksheets/sheet{i}.xml" for i, ws in enumerate(wb.worksheets, start=1)}
    wb.save(path)
    if deferred is not None:
        inject(Path(path), parts, deferred)


def write_plan_workbook(inst: Instance, result: Result, path: str | Path) -> None:
    """Write the plan workbook atomically (:func:`save_plan_workbook` to a temp file, renamed)."""
    write_with(path, lambda tmp: save_plan_workbook(inst, result, tmp))

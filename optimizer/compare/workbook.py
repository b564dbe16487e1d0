"""The comparison workbook (``rollout compare --out comparison.xlsx``).

A Comparison sheet — the KPI table with, after the baseline, a "vs <baseline>" column per
scenario (the same columns as the ``.csv``), the groups that moved, and why a scenario has
no plan — then per scenario its plan sheet as in ``rollout solve --out plan.xlsx``, and for a
scenario without a plan the sheet that explains why. KPI values and differences are numbers
with number formats (they sort and chart); user text is only ever text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from optimizer import i18n
from optimizer.render.atomic import write_with
from optimizer.i18n import _
from optimizer.render.sheet_layout import (
    column_width,
    fit_columns,
    fit_row_heights,
    print_setup,
    set_widths,
)
from optimizer.render.workbook import (
    BOLD,
    GRID,
    HEADER_FILL,
    TITLE,
    WRAP,
    add_explanation_sheet,
    add_plan_sheet,
    put,
    put_row,
    sheet_title,
)
from optimizer.compare.kpis import Comparison, Kpi
from optimizer.compare.words import describe_move, kpi_label, status_text

#: Number formats per KPI kind: (value, difference against the baseline). A month is its label
#: (text); its difference is a number of months. Percentage-point differences are stored as
#: points (5 for +5 pp), percentages as fractions (0.94 for 94 %).
FORMATS = {
    "month": (None, '+0" mo";-0" mo";"±0"'),
    "int": ("#,##0", '+#,##0;-#,##0;"±0"'),
    "count": ("0", '+0;-0;"±0"'),
    "pct": ("0%", '+0" pp";-0" pp";"±0"'),
    "seconds": ("0.00", '+0.00;-0.00;"±0"'),
    "text": (None, None),
}
RIGHT = Alignment(horizontal="right", vertical="top", wrap_text=True)
#: Text after a number column starts a little in, not touching the number.
INDENTED = Alignment(horizontal="left", vertical="top", wrap_text=True, indent=1)
#: Width at least this wide for a merged text cell ("Change", "Why"), in characters.
MIN_TEXT_WIDTH = 48


def _cell_values(kpi: Kpi, i: int) -> tuple[Any, Any]:
    v, d = kpi.values[i], kpi.deltas[i] if i < len(kpi.deltas) else None
    if kpi.kind == "pct" and d is not None:
        d = round(100 * d, 6)
    if kpi.kind == "seconds":  # as shown: a difference under 0.005 s is none
        v, d = (None if x is None else round(x, 2) + 0.0 for x in (v, d))
    return v, d


def _merge_to(ws: Worksheet, row: int, first: int, last: int) -> None:
    if last > first:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)


def add_comparison_sheet(wb: Workbook, comp: Comparison) -> Worksheet:
    ws = wb.create_sheet("Comparison")
    base = comp.baseline.name if comp.runs else ""
    put(ws, 1, 1, _("Scenario comparison"), font=TITLE)
    put(ws, 2, 1, _("Baseline: {name}; each 'vs {name}' column shows a scenario's difference from it.").format(name=base))
    header = [_("KPI")]
    for i, n in enumerate(comp.names):
        header += [n] if i == 0 else [n, _("vs {name}").format(name=base)]
    last = len(header)
    put_row(ws, 4, header, font=BOLD, fill=HEADER_FILL, alignment=WRAP, border=GRID)
    r = 4
    for k in comp.kpis:
        r += 1
        put(ws, r, 1, kpi_label(k), font=BOLD, border=GRID, alignment=WRAP)
        vfmt, dfmt = FORMATS.get(k.kind, (None, None))
        if dfmt:  # the units in the difference's number format, in the current language
            mo, pp = _("mo"), _("pp")
            dfmt = dfmt.replace('" mo"', '" ' + mo + '"').replace('" pp"', '" ' + pp + '"')
        col = 1
        for i in range(len(comp.runs)):
            v, d = _cell_values(k, i)
            if k.kind == "month" and v is not None:
                v = i18n.month(v)
            elif k.kind == "text" and v is not None:
                v = status_text(str(v))
            col += 1
            cell = put(ws, r, col, v, border=GRID, alignment=RIGHT)
            if vfmt and v is not None:
                cell.number_format = vfmt
            if i:
                col += 1
                cell = put(ws, r, col, d, border=GRID, alignment=RIGHT)
                if dfmt and d is not None:
                    cell.number_format = dfmt
    r += 2
    put_row(ws, r, [_("Scenario"), _("Group"), _("Users"), _("Change against {name}").format(name=base)], font=BOLD, fill=HEADER_FILL,
            alignment=WRAP)
    ws.cell(row=r, column=4).alignment = INDENTED
    _merge_to(ws, r, 4, last)
    for m in comp.moves:
        r += 1
        put_row(ws, r, [m.scenario, m.group, m.size, describe_move(m)], alignment=WRAP)
        ws.cell(row=r, column=3).number_format = "#,##0"
        ws.cell(row=r, column=4).alignment = INDENTED
        _merge_to(ws, r, 4, last)
    if not comp.moves:
        r += 1
        put(ws, r, 1, _("No group moved.") if comp.baseline.found
            else _("None: {name} has no plan.").format(name=base))
    failed = [x for x in comp.runs if not x.found]
    if failed:
        r += 2
        put_row(ws, r, [_("Scenario without a plan"), _("Why")], font=BOLD, fill=HEADER_FILL, alignment=WRAP)
        _merge_to(ws, r, 2, last)
        for x in failed:
            r += 1
            put_row(ws, r, [x.name, x.reason or status_text(x.status)], alignment=WRAP)
            _merge_to(ws, r, 2, last)
    ws.freeze_panes = "B5"
    fit_columns(ws, [1], min_row=4, lo=16, hi=40)
    # Scenario names in the header may wrap; values, group names and differences set the width.
    fit_columns(ws, range(2, last + 1), min_row=5, lo=11, hi=28)
    # The merged "Change" and "Why" cells get at least MIN_TEXT_WIDTH characters.
    for first in (2, 4):
        span = sum(column_width(ws, c) for c in range(first, last + 1))
        if span < MIN_TEXT_WIDTH:
            extra = (MIN_TEXT_WIDTH - span) / (last - first + 1)
            set_widths(ws, {c: column_width(ws, c) + extra for c in range(first, last + 1)})
    fit_row_heights(ws)
    print_setup(ws, title=_("Scenario comparison"), status=_("baseline: {name}").format(name=base), title_rows="4:4")
    return ws


def comparison_workbook(comp: Comparison) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    add_comparison_sheet(wb, comp)
    for x in comp.runs:
        if x.inst is None or x.result is None:
            continue
        plan_title = sheet_title(f"Plan {x.name}", wb.sheetnames)
        why_title = sheet_title(f"Why {x.name}", [*wb.sheetnames, plan_title])
        add_plan_sheet(wb, x.inst, x.result, title=plan_title, explanation_sheet=why_title)
        add_explanation_sheet(wb, x.result, x.inst, title=why_title)
    return wb


def write_comparison_xlsx(comp: Comparison, path: Path) -> None:
    """Comparison sheet and, per scenario, its plan sheet (and why it has none). Atomic."""
    wb = comparison_workbook(comp)
    write_with(path, lambda tmp: wb.save(tmp))

"""Cells of the plan workbook: fonts and fills, text that stays text (``put``), sheet titles,
and the frame every sheet shares (title rows, print layout)."""

from __future__ import annotations

from copy import copy

from typing import Any, Iterable

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

from optimizer.domain import Instance
from optimizer.i18n import N_, _
from optimizer.render.sheet_layout import fit_row_heights, print_setup, set_widths
from optimizer.render.safetext import cell_text, has_unsafe
from optimizer.solving.solver import Result
from optimizer.render.xlsx_rows import Deferred


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
    """Rows as tall as their cells' lines, and the print layout (see optimizer.render.sheet_layout)."""
    fit_row_heights(ws)
    print_setup(ws, title=_("Rollout plan") + (f": {inst.name}" if inst is not None else ""),
                status=_(STATUS_WORDS.get(result.status, result.status)) if result is not None else "",
                title_rows=title_rows, title_cols=title_cols)
    return ws


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

"""How a written sheet looks on screen and on paper: column widths, row heights, print setup.

Excel and LibreOffice do not grow a row for its wrapped or multi-line cells when they open
a file written by openpyxl: a row keeps the default height and shows the first line or two.
So every row's height is set here from what its cells hold: the number of lines after word
wrapping at the column's width (the sum of the widths for a merged range). The estimate is
deliberately generous: a character is taken as wide as the digit 0 (column widths are
measured in those), bold text 10 % wider, and a line 1.36 times the font size — a row that
is a little tall wastes paper, one that is short hides a group.

Every sheet gets the same print setup: landscape A4, fitted to one page wide (as many pages
tall as it needs), header rows and the first column repeated on every page, and a header
and footer naming the scenario, its status, the sheet and "Page x of y".
"""

from __future__ import annotations

import math
import re
from typing import Any, Iterable

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from optimizer.i18n import _
from optimizer.render.safetext import visible

#: Excel's and LibreOffice's width of a column that has none set, in characters.
DEFAULT_WIDTH = 8.43
#: Points per line of 11-point text (the default row height is 15 points).
LINE_POINTS = 15.0
BASE_SIZE = 11.0
BOLD_FACTOR = 1.1
#: Excel's tallest row, in points.
MAX_ROW_POINTS = 409
#: Excel refuses a header or footer longer than 255 characters (codes included).
MAX_HEADER_TEXT = 70


# ------------------------------------------------------------------ sizes
def _font(cell: Any) -> tuple[float, bool]:
    f = cell.font
    return float(f.sz or BASE_SIZE) if f is not None else BASE_SIZE, bool(f is not None and f.b)


def line_capacity(width: float, *, size: float = BASE_SIZE, bold: bool = False) -> int:
    """How many characters surely fit on one line of a column ``width`` characters wide."""
    usable = max(1.0, width - 1.0)  # the cell's padding
    return max(1, int(usable / (size / BASE_SIZE) / (BOLD_FACTOR if bold else 1.0)))


def wrapped_lines(text: str, width: float, *, size: float = BASE_SIZE, bold: bool = False) -> int:
    """Lines ``text`` takes in a wrapping cell ``width`` characters wide: its own lines, each
    wrapped at spaces (greedy, as Excel and LibreOffice do); a word longer than a line is
    broken."""
    cap = line_capacity(width, size=size, bold=bold)
    total = 0
    for line in str(text).split("\n"):
        n, used = 1, 0
        for word in line.split(" "):
            w = len(word)
            if used and used + 1 + w > cap:
                n, used = n + 1, 0
            if used:
                used += 1 + w
            else:
                n += (w - 1) // cap if w > cap else 0
                used = w - (w - 1) // cap * cap if w > cap else w
        total += n
    return total


def text_width(value: Any, *, bold: bool = False, size: float = BASE_SIZE) -> float:
    """The width (in characters) that shows ``value``'s longest line without wrapping."""
    if value is None:
        return 0.0
    longest = max((len(x) for x in str(value).split("\n")), default=0)
    return (longest * (BOLD_FACTOR if bold else 1.0) * size / BASE_SIZE) + 2.0


def column_width(ws: Worksheet, col: int) -> float:
    dim = ws.column_dimensions.get(get_column_letter(col))
    return float(dim.width) if dim is not None and dim.customWidth and dim.width else DEFAULT_WIDTH


def set_widths(ws: Worksheet, widths: dict[int, float]) -> None:
    for col, w in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = round(w, 2)


def fit_columns(ws: Worksheet, cols: Iterable[int], *, min_row: int = 1, lo: float = 8.0, hi: float = 40.0,
                skip_rows: Iterable[int] = ()) -> None:
    """Widen each column to its longest line (rows from ``min_row``, except ``skip_rows``,
    e.g. titles that may run over into the next cells), between ``lo`` and ``hi``
    characters. Text longer than ``hi`` wraps when its cell wraps (and rows grow to it)."""
    skip = set(skip_rows)
    merged = {(r.min_row, r.min_col) for r in ws.merged_cells.ranges}
    need = {col: lo for col in cols}
    for (r, c), cell in _cells(ws):  # the cells that exist: iter_rows would create the empty ones
        if c not in need or r < min_row or r in skip or cell.value is None or (r, c) in merged:
            continue
        size, bold = _font(cell)
        need[c] = max(need[c], text_width(_display(cell), bold=bold, size=size))
    set_widths(ws, {col: min(hi, n) for col, n in need.items()})


def _cells(ws: Worksheet) -> Iterable[tuple[tuple[int, int], Any]]:
    """((row, column), cell) of every cell the sheet holds, in no particular order. Walking the
    used range instead (iter_rows) creates a cell at every empty position: a sheet whose data
    rows are written later (optimizer.render.xlsx_rows) would get millions of empty cells."""
    return list(ws._cells.items())


def _display(cell: Any) -> str:
    """Roughly the text a cell shows: numbers with their format's sign, decimals,
    thousands separators, percent sign and quoted suffix (e.g. " pp")."""
    v = cell.value
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return str(v)
    fmt = (cell.number_format or "General").split(";")[0]
    if fmt == "General":
        return str(v)[:11]
    sign = "+" if fmt.startswith("+") else ""
    suffix = "".join(re.findall(r'"([^"]*)"', fmt))
    if "%" in fmt:
        return f"{sign}{100 * v:.0f} %{suffix}"
    decimals = len(fmt.split(".")[1].split('"')[0].rstrip(" %")) if "." in fmt else 0
    return f"{sign}{v:,.{decimals}f}{suffix}"


def fit_row_heights(ws: Worksheet) -> None:
    """Set every row that needs more than one line (or a font above 11 points) to the
    height of its tallest cell. Text in a wrapping cell wraps at its column's width (the
    merged range's width); text in other cells only breaks at its own newlines."""
    spans: dict[tuple[int, int], float] = {}
    for rng in ws.merged_cells.ranges:
        spans[(rng.min_row, rng.min_col)] = sum(column_width(ws, c) for c in range(rng.min_col, rng.max_col + 1))
    widths: dict[int, float] = {}
    need: dict[int, float] = {}
    for (r, c), cell in _cells(ws):
        if cell.value is None or not hasattr(cell, "column"):
            continue
        size, bold = _font(cell)
        text = _display(cell) if not isinstance(cell.value, str) else cell.value
        if cell.alignment is not None and cell.alignment.wrap_text:
            if (r, c) in spans:
                width = spans[(r, c)]
            else:
                width = widths.setdefault(c, column_width(ws, c))
            width -= 2 * (cell.alignment.indent or 0)  # an indent level: about a character
            lines = wrapped_lines(text, width, size=size, bold=bold)
        else:
            lines = text.count("\n") + 1
        if lines > 1 or size > BASE_SIZE:
            need[r] = max(need.get(r, 0.0), lines * LINE_POINTS * size / BASE_SIZE + 2)
    for r, points in need.items():
        ws.row_dimensions[r].height = min(MAX_ROW_POINTS, math.ceil(points))


# ------------------------------------------------------------------ print
def header_text(text: str, limit: int = MAX_HEADER_TEXT) -> str:
    """User text made safe for a print header or footer: control characters and what XML
    cannot hold made visible (:func:`optimizer.render.safetext.visible`, as in cells), ``&`` (the
    field code character) doubled, at most ``limit`` characters."""
    clean = visible(str(text), newlines=False).strip()
    if len(clean) > limit:
        clean = clean[: limit - 1].rstrip() + "…"
    return clean.replace("&", "&&")


def print_setup(ws: Worksheet, *, title: str, status: str = "", title_rows: str | None = None,
                title_cols: str | None = "A:A") -> None:
    """Landscape A4, one page wide and as many tall as needed, ``title_rows`` (e.g. "4:4")
    and ``title_cols`` repeated on every page; a header with ``title`` and ``status`` on the
    left and the sheet's name on the right, a footer "Page x of y"."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    if ws.sheet_properties.pageSetUpPr is None:
        ws.sheet_properties.pageSetUpPr = PageSetupProperties()
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.page_margins.header = ws.page_margins.footer = 0.25
    if title_rows:
        ws.print_title_rows = title_rows
    if title_cols:
        ws.print_title_cols = title_cols
    left = header_text(title) + (f" — {header_text(status, 50)}" if status else "")
    ws.oddHeader.left.text = left
    ws.oddHeader.left.size = 9
    ws.oddHeader.right.text = "&A"
    ws.oddHeader.right.size = 9
    ws.oddFooter.center.text = _("Page &P of &N")  # &P, &N: the page number and count (Excel codes)
    ws.oddFooter.center.size = 9

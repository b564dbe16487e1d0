"""Plain data rows of large workbook sheets, written as sheet XML directly.

openpyxl needs about 35 µs per cell (a cell object, then its XML element): the Assignments
and Inputs sheets of 100,000 groups are 3.2 million cells, two minutes. Their data rows carry
no style, so :func:`inject` writes them straight into the saved workbook's sheet XML instead
(about 1 µs per cell): openpyxl writes everything else (headers, styles, the Excel table, the
capacity and rules rows, the other sheets), with the data rows left out and handed here as
:class:`Deferred` rows. Strings are inline strings (always text, never formulas, as ``put``
writes them), made safe by :func:`optimizer.render.safetext.cell_text` as ``put`` makes them.
"""

from __future__ import annotations

import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import IllegalCharacterError

from optimizer.render.safetext import cell_text

#: From this many groups the data rows of Assignments and Inputs are written as XML directly.
FAST_ROWS_FROM = 5000


@dataclass
class Deferred:
    """Rows to write into sheets after openpyxl saved the workbook: {sheet title: (first row,
    rows of cell values)}."""

    rows: dict[str, tuple[int, list[list[Any]]]] = field(default_factory=dict)


def _cell(ref: str, value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    text = cell_text(str(value))  # as workbook.put writes it: control characters visible, Excel's length
    if ILLEGAL_CHARACTERS_RE.search(text):  # cannot happen after cell_text; kept as the XML's guard
        raise IllegalCharacterError(f"{text!r} cannot be used in worksheets.")
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}" t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'


def rows_xml(first: int, rows: list[list[Any]]) -> str:
    """``<row>`` elements for ``rows`` starting at spreadsheet row ``first``."""
    letters = [get_column_letter(c) for c in range(1, max((len(r) for r in rows), default=0) + 1)]
    out = []
    for n, row in enumerate(rows, start=first):
        cells = "".join(_cell(f"{letters[c]}{n}", v) for c, v in enumerate(row))
        out.append(f'<row r="{n}">{cells}</row>')
    return "".join(out)


_ROW = re.compile(r'<row r="(\d+)"')


def _insert(sheet: str, first: int, rows: list[list[Any]]) -> str:
    """The sheet XML with the rows inserted in row order (before the first row past ``first``)."""
    start = sheet.index("<sheetData")
    end = sheet.index("</sheetData>")
    if sheet[start:end].endswith("/>") or sheet.find("<sheetData/>") == start:  # empty sheetData
        sheet = sheet.replace("<sheetData/>", "<sheetData></sheetData>", 1)
        end = sheet.index("</sheetData>")
    at = end
    for m in _ROW.finditer(sheet, start, end):
        if int(m.group(1)) >= first:
            at = m.start()
            break
    sheet = sheet[:at] + rows_xml(first, rows) + sheet[at:]
    last = first + len(rows) - 1
    width = max((len(r) for r in rows), default=1)
    # the used range covers the new rows
    return re.sub(r'<dimension ref="([A-Z]+)1(?::([A-Z]+)(\d+))?"\s*/>',
                  lambda m: f'<dimension ref="A1:{_max_col(m.group(2) or m.group(1), width)}'
                            f'{max(last, int(m.group(3) or 1))}"/>', sheet, count=1)


def _max_col(col: str, width: int) -> str:
    from openpyxl.utils import column_index_from_string

    return get_column_letter(max(column_index_from_string(col), width))


def inject(path: Path, titles: dict[str, str], deferred: Deferred) -> None:
    """Write the deferred rows into the workbook at ``path`` (rewritten in place through a temp
    file beside it). ``titles`` maps each sheet title to its part name in the zip."""
    if not deferred.rows:
        return
    tmp = path.with_name(path.name + ".rows")
    try:
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
            parts = {titles[t]: v for t, v in deferred.rows.items()}
            for item in src.infolist():
                data = src.read(item.filename)
                if item.filename in parts:
                    first, rows = parts[item.filename]
                    data = _insert(data.decode("utf-8"), first, rows).encode("utf-8")
                dst.writestr(item, data)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()

"""Inputs from one Excel workbook: sheets ``Groups``, ``Capacity`` and optional ``Rules``.

The sheets become the same :class:`~optimizer.inputs.tables.Table` objects a CSV file gives
(file = "inputs.xlsx, sheet Groups", row = the Excel row), so validation and error
messages are identical to CSV input. Excel's types are turned back into the text a
planner typed: 50.0 -> "50", a date in the month column -> "2027-07", TRUE -> "yes".
The ``Rules`` sheet holds key/value rows (``stage_gap | 1``,
``tickets_per_100_users.self-service | 15``, ``objective | finish;waiting;assisted``).
"""

from __future__ import annotations

import datetime as dt
import io
import warnings
from pathlib import Path
from typing import Any

from optimizer.domain import Instance, Rules
from optimizer.errors import InputError
from optimizer.inputs.loaders import (
    _FALSE,
    _RULE_TYPES,
    _TRUE,
    build_instance,
    load_rules,
    parse_rules,
)
from optimizer.inputs.input_files import read_input_bytes
from optimizer.inputs.tables import Table, checked_header, clean_rows, unescape_cell

#: More cells than this in one sheet is refused (100,000 groups x 14 columns is 1.4 million).
MAX_CELLS = 5_000_000


def cell_text(value: Any) -> str:
    """An Excel cell value as the text a CSV cell would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return f"{value.year}-{value.month:02d}"
    return unescape_cell(str(value).strip())


def _open(path: str | Path):
    """An openpyxl workbook (.xlsx, .xlsm) or an :class:`~optimizer.inputs.ods_input.OdsBook` (.ods)."""
    name = str(path)
    data = read_input_bytes(path)
    if name.lower().endswith(".ods"):
        from optimizer.inputs.ods_input import OdsBook

        return OdsBook(data, name, max_cells=MAX_CELLS)
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():  # "no default style", "invalid specification": noise to a planner
            warnings.simplefilter("ignore")
            return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file; all mean the same to a planner
        raise InputError(f"not a readable .xlsx workbook ({type(exc).__name__}); is it an Excel workbook, "
                         "saved as .xlsx and not encrypted?", file=name) from None


class _OdsSheet:
    def __init__(self, book, name: str) -> None:
        self.book, self.name = book, name

    def numbered_rows(self):
        return self.book.rows(self.name)


def _numbered_rows(ws):
    """(row number, values) of a sheet: an .ods sheet gives them numbered; openpyxl row by row,
    reading only the cells the sheet holds (its recorded dimension ignored)."""
    if hasattr(ws, "numbered_rows"):  # an .ods sheet, or rows already read
        return ws.numbered_rows()
    try:
        ws.reset_dimensions()
    except AttributeError:
        pass
    return enumerate(ws.iter_rows(values_only=True), start=1)


def _sheet(wb, path: str | Path, name: str, required: bool = True):
    by_lower = {s.lower(): s for s in wb.sheetnames}
    if name.lower() in by_lower:
        if not hasattr(wb, "worksheets"):  # an .ods book
            return _OdsSheet(wb, by_lower[name.lower()])
        return wb[by_lower[name.lower()]]
    if required:
        raise InputError(f"the workbook has no sheet '{name}'; its sheets are: {', '.join(wb.sheetnames)} "
                         f"(it needs 'Groups' and 'Capacity', and may have 'Rules')", file=str(path))
    return None


def sheet_rows(ws, file: str):
    """(row number, cell values) of the rows that hold something, trailing empty cells dropped.

    Only the cells the sheet really holds are read: the sheet's recorded size (its "dimension",
    which one stray cell at XFD1048576 makes 17 billion cells) is ignored, and more than
    :data:`MAX_CELLS` cells is an error instead of a hang.
    """
    seen = 0
    try:
        for r, values in _numbered_rows(ws):
            if not values:
                continue
            seen += len(values)
            if seen > MAX_CELLS:
                raise InputError(f"the sheet holds more than {MAX_CELLS:,} cells; the inputs need a few per group "
                                 f"(is this the right sheet? delete what is not groups or months)", file=file)
            values = list(values)
            while values and (values[-1] is None or values[-1] == ""):
                values.pop()
            if values:
                yield r, values
    except InputError:
        raise
    except Exception as exc:  # damaged sheet XML
        raise InputError(f"the sheet cannot be read ({type(exc).__name__}); is the workbook damaged?",
                         file=file) from None


def sheet_table(ws, file: str) -> Table:
    """A worksheet as a Table: first non-empty row = header, blank rows skipped."""
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    header_line = 1
    for r, values in sheet_rows(ws, file):
        cells = [cell_text(v) for v in values]
        if not any(cells):
            continue
        if header is None:
            header = [c.lower().strip() for c in cells]
            while header and not header[-1]:
                header.pop()
            header_line = r
            continue
        if len(cells) > len(header):
            from openpyxl.utils import get_column_letter

            col = next(i for i in range(len(header), len(cells)) if cells[i])
            raise InputError(
                f"a value in column {get_column_letter(col + 1)}, right of the header's last column "
                f"({get_column_letter(max(len(header), 1))}); delete it, or give its column a header",
                file=file, row=r)
        rows.append(cells)
        lines.append(r)
    header = checked_header(header, header_line, rows, file, "sheet")
    return Table(file=file, header=header, rows=clean_rows(rows, lines, header, file), line_numbers=lines)


def _rule_value(key: str, text: str, raw: Any) -> Any:
    if key in ("objective", "replan_objective"):
        return [x.strip() for x in text.replace(",", ";").split(";") if x.strip()]
    if _RULE_TYPES.get(key) is bool:
        # Whatever a vip cell accepts: TRUE, a 1 (LibreOffice re-saves TRUE as 1), yes/no, ja/nej, ...
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, (int, float)) and raw in (0, 1):
            return bool(raw)
        if text.lower() in _TRUE or (text and text.lower() in _FALSE):
            return text.lower() in _TRUE
        return text
    if isinstance(raw, bool):
        return raw
    if text.lower() in ("true", "yes", "false", "no"):
        return text.lower() in ("true", "yes")
    if isinstance(raw, (int, float)) and float(raw).is_integer():
        return int(raw)
    if text.lstrip("+-").isdigit():
        return int(text)
    return text


def sheet_rules(ws, file: str) -> Rules:
    """Key/value rows -> Rules, with the same checks (unknown keys, types) as rules.toml;
    an error names the row of the Rules sheet."""
    data: dict[str, Any] = {}
    for r, values in sheet_rows(ws, file):
        values = list(values) + [None, None]
        key, raw = cell_text(values[0]).lower(), values[1]
        if not key or (r == 1 and key == "key"):
            continue
        text = cell_text(raw)
        if "." in key:
            table, sub = key.split(".", 1)
            data.setdefault(table, {})
            if not isinstance(data[table], dict):
                raise InputError(f"'{table}' is given both as a value and as a table", file=file, row=r)
            value = _rule_value(sub, text, raw)
            data[table][sub] = value
            one: dict[str, Any] = {table: {sub: value}}
        else:
            value = _rule_value(key, text, raw)
            data[key] = value
            one = {key: value}
        try:
            parse_rules(one, file)
        except InputError as err:
            raise InputError(err.message, file=file, row=r, column=err.column) from None
    return parse_rules(data, file)


def read_sheet_table(path: str | Path, sheet: str) -> Table:
    """One sheet of a workbook as a Table (e.g. the Assignments sheet of a plan workbook)."""
    wb = _open(path)
    try:
        return sheet_table(_sheet(wb, path, sheet), f"{Path(path).name}, sheet {sheet}")
    finally:
        wb.close()


def recorded_rules(path: str | Path) -> Rules | None:
    """The rules a plan workbook written by rollout records (its Inputs sheet: a "Rules" title,
    a "key | value" header, then one row per rule), or None when it records none."""
    wb = _open(path)
    try:
        ws = _sheet(wb, path, "Inputs", required=False)
        if ws is None:
            return None
        file = f"{Path(path).name}, sheet Inputs"
        rows = list(sheet_rows(ws, file))
    finally:
        wb.close()
    for i, (r, values) in enumerate(rows[:-1]):
        nxt = [cell_text(v).lower() for v in rows[i + 1][1][:2]]
        if cell_text(values[0]) == "Rules" and nxt == ["key", "value"] and rows[i + 1][0] == r + 1:
            body, expect = [], r + 2
            for rr, vals in rows[i + 2:]:
                if rr != expect:
                    break
                body.append((rr, vals))
                expect += 1
            return sheet_rules(_Rows(body), file)
    return None


class _Rows:
    """Rows already read, as a sheet for :func:`sheet_rows`."""

    def __init__(self, rows: list[tuple[int, list[Any]]]) -> None:
        self.rows = rows

    def numbered_rows(self):
        return iter(self.rows)


def load_workbook_instance(path: str | Path, rules: str | Path | None = None, *, name: str | None = None) -> Instance:
    """Groups, Capacity (and Rules, unless ``rules`` names a rules.toml) from one workbook."""
    wb = _open(path)
    try:
        base = Path(path).name
        groups = sheet_table(_sheet(wb, path, "Groups"), f"{base}, sheet Groups")
        capacity = sheet_table(_sheet(wb, path, "Capacity"), f"{base}, sheet Capacity")
        rules_ws = _sheet(wb, path, "Rules", required=False)
        if rules is not None:
            parsed = load_rules(rules)
        elif rules_ws is not None:
            parsed = sheet_rules(rules_ws, f"{base}, sheet Rules")
        else:
            parsed = Rules()
    finally:
        wb.close()
    return build_instance(
        groups, capacity, parsed, name=name or Path(path).stem,
        sources={"groups": str(path), "capacity": str(path), "rules": str(rules) if rules else None},
    )

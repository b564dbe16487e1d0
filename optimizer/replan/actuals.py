"""What really happened before ``--as-of``: the actuals of ``rollout replan``.

An actuals file is a CSV (or the sheet ``Actuals`` of an input workbook) with the columns
``group, month, users, method`` and an optional ``tickets``: the users of each group enrolled in
each month before ``--as-of`` and the helpdesk tickets logged for them (docs: the model v2 spec,
"Re-planning with actuals"). Encoding, separator and apostrophe escapes are read as for every
other input table (:mod:`optimizer.inputs.tables`).

Every mistake is an :class:`~optimizer.errors.InputError` naming the file, row and column (exit
2): an unknown group, more actual users than the group's size (summed over its rows), a month
that is not in the capacity file or not before ``--as-of``, users or tickets that are not whole
numbers of 0 or more, an unknown method (any of the three methods is accepted, even one the group
may not use now: what happened is not judged), the same group and month twice. ``--as-of`` must
be a month of the capacity file. A row with 0 users is no part of the plan; its tickets still
count for the observed ticket rates (:mod:`optimizer.replan.observed_rates`).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from optimizer.domain import METHOD_LABELS, METHODS, Instance
from optimizer.error_texts import E_
from optimizer.errors import InputError
from optimizer.inputs.input_words import METHOD_WORDS
from optimizer.inputs.loaders import MAX_CAPACITY, MAX_SIZE, _check_columns
from optimizer.months import normalise as normalise_month
from optimizer.inputs.cell_text import clean_cell
from optimizer.inputs.input_files import read_input_bytes
from optimizer.inputs.tables import Table, decode_bytes, parse_table, sniff_delimiter, unescape_cell

ACTUALS_COLUMNS = ("group", "month", "users", "method", "tickets")
ACTUALS_REQUIRED = ("group", "month", "users", "method")
#: The sheet of an input workbook that holds the actuals.
ACTUALS_SHEET = "Actuals"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".ods")

_METHOD_ALIASES = {k: k for k in METHODS} | {v.lower(): k for k, v in METHOD_LABELS.items()} | METHOD_WORDS
_SIGNED_INT = re.compile(r"^[+-]?\d+$")

# The messages of this module, for the Swedish catalogue (see optimizer.error_texts).
MESSAGES = (
    E_("error", "'{value}' is not a month of the capacity file, so it cannot be the first month not yet done "
                "(months: {first} .. {last})"),
    E_("error", "'{month}' is not before --as-of {as_of}; the actuals are what was enrolled before it "
                "(the months from --as-of on are planned)"),
    E_("error", "'{group}' in {month} appears twice (also on row {row}); give one row per group and month"),
    E_("error", "the actual users of '{group}' add up to {total} (rows {rows}), more than its size {size}"),
    E_("error", "{users} actual users of '{group}' are more than its size {size}"),
    E_("error", "the workbook has no sheet 'Actuals'; its sheets are: {sheets} (the actuals are a sheet "
                "'Actuals' with the columns group, month, users, method and tickets)"),
    E_("word", "users"),
    E_("word", "tickets"),
)


@dataclass(frozen=True)
class ActualRow:
    """One row of the actuals: ``users`` of ``group`` enrolled in month index ``month`` with
    ``method``; ``tickets`` logged for them (None: the cell was empty); ``row``: the row in the
    file (for messages)."""

    group: str
    month: int
    users: int
    method: str
    tickets: int | None
    row: int


@dataclass(frozen=True)
class Actuals:
    """The actuals of a re-plan: every row (those with 0 users too, for the ticket rates), in file
    order, and ``as_of``: the index of the first month not yet done."""

    file: str
    as_of: int
    rows: tuple[ActualRow, ...]

    def users_by_group(self) -> dict[str, int]:
        """Actual users per group (groups without actuals are absent)."""
        out: dict[str, int] = {}
        for r in self.rows:
            out[r.group] = out.get(r.group, 0) + r.users
        return out


def as_of_index(inst: Instance, text: str) -> int:
    """The month index of ``--as-of`` (any month text the capacity file accepts), or an error."""
    label = normalise_month(str(text).strip())
    labels = inst.month_labels
    if label not in labels:
        raise InputError(
            f"'{text}' is not a month of the capacity file, so it cannot be the first month not yet done "
            f"(months: {labels[0]} .. {labels[-1]})", column="--as-of")
    return labels.index(label)


def _whole(table: Table, line: int, column: str, text: str, hi: int) -> int:
    t = text.replace("\u00a0", "").replace(" ", "")
    if not _SIGNED_INT.match(t):
        raise InputError(f"{column} must be a whole number, got '{text}'", file=table.file, row=line, column=column)
    v = int(t)
    if not 0 <= v <= hi:
        raise InputError(f"{column} must be between 0 and {hi}, got {v}", file=table.file, row=line, column=column)
    return v


def parse_actuals(inst: Instance, table: Table, as_of: int) -> Actuals:
    """The rows of an actuals table, checked against the instance and ``as_of`` (a month index)."""
    _check_columns(table, ACTUALS_COLUMNS, ACTUALS_REQUIRED)
    # Input tables read a tab inside a cell as a space (optimizer.inputs.cell_text): a group named in code
    # with a tab still matches its row (as in optimizer.inputs.planfile).
    names = {g.name.replace("\t", " "): g for g in inst.groups}
    labels = inst.month_labels
    seen: dict[tuple[str, int], int] = {}
    total: dict[str, int] = {}
    lines: dict[str, list[int]] = {}
    rows = []
    for line, rec in table.records():
        def fail(message: str, column: str) -> InputError:
            return InputError(message, file=table.file, row=line, column=column)

        name = rec.get("group", "")
        if not name:
            raise fail("the group name is empty", "group")
        if name not in names:
            raise fail(f"'{name}' is not a group of the groups file", "group")
        group = names[name]
        text = rec.get("month", "")
        if not text:
            raise fail("the month label is empty", "month")
        month = normalise_month(text)
        if month not in labels:
            raise fail(f"'{month}' is not a month of the capacity file (months: {labels[0]} .. {labels[-1]})",
                       "month")
        t = labels.index(month)
        if t >= as_of:
            raise fail(f"'{month}' is not before --as-of {labels[as_of]}; the actuals are what was enrolled before it "
                       "(the months from --as-of on are planned)", "month")
        if (group.name, t) in seen:
            raise fail(f"'{name}' in {month} appears twice (also on row {seen[group.name, t]}); give one row per "
                       "group and month", "month")
        seen[group.name, t] = line
        users = _whole(table, line, "users", rec.get("users", ""), MAX_SIZE)
        method_text = rec.get("method", "")
        method = _METHOD_ALIASES.get(" ".join(method_text.lower().split()))
        if method is None:
            raise fail(f"'{method_text}' is not a method; use one of: {', '.join(METHODS)}", "method")
        tickets_text = rec.get("tickets", "")
        tickets = _whole(table, line, "tickets", tickets_text, MAX_CAPACITY) if tickets_text else None
        total[group.name] = total.get(group.name, 0) + users
        if users:
            lines.setdefault(group.name, []).append(line)
        if total[group.name] > group.size:
            if len(lines[group.name]) == 1:
                raise fail(f"{users} actual users of '{name}' are more than its size {group.size}", "users")
            raise fail(f"the actual users of '{name}' add up to {total[group.name]} (rows "
                       f"{', '.join(str(n) for n in lines[group.name])}), more than its size {group.size}", "users")
        rows.append(ActualRow(group.name, t, users, method, tickets, line))
    return Actuals(table.file, as_of, tuple(rows))


_NO_ROWS = ("the file has a header but no data rows", "the sheet has a header but no data rows")


def _header_only(header: list[str], file: str) -> Table:
    """A table with ``header`` and no rows: actuals with nothing enrolled yet (a re-plan as of the
    first month, or before anything started) are a header alone, which is no mistake here."""
    cells = [clean_cell(unescape_cell(h.strip()), file=file, row=1, column=None).lower().lstrip("\ufeff")
             for h in header]
    return Table(file=file, header=cells, rows=[], line_numbers=[])


def read_actuals_table(path: str | Path) -> Table:
    """The actuals as a table: a CSV file, or the sheet ``Actuals`` of a workbook (.xlsx, .ods).
    A header without rows is an empty table (nothing enrolled yet)."""
    if not str(path).lower().endswith(WORKBOOK_SUFFIXES):
        text = decode_bytes(read_input_bytes(path), str(path))
        try:
            return parse_table(text, str(path))
        except InputError as err:
            if err.message not in _NO_ROWS:
                raise
            first = next(line for line in text.splitlines() if line.strip())
            return _header_only(next(csv.reader([first], delimiter=sniff_delimiter(text))), str(path))
    from optimizer.inputs.xlsx_input import _open, _sheet, cell_text, sheet_rows, sheet_table

    wb = _open(path)
    try:
        ws = _sheet(wb, path, ACTUALS_SHEET, required=False)
        if ws is None:
            raise InputError(
                f"the workbook has no sheet 'Actuals'; its sheets are: {', '.join(wb.sheetnames)} (the actuals are "
                "a sheet 'Actuals' with the columns group, month, users, method and tickets)",
                file=str(path))
        file = f"{Path(path).name}, sheet {ACTUALS_SHEET}"
        try:
            return sheet_table(ws, file)
        except InputError as err:
            if err.message not in _NO_ROWS:
                raise
            _, values = next(iter(sheet_rows(ws, file)))
            return _header_only([cell_text(v) for v in values], file)
    finally:
        wb.close()


def load_actuals(inst: Instance, path: str | Path, as_of: str) -> Actuals:
    """Read and check the actuals file (or workbook sheet) ``path`` for a re-plan as of the month
    text ``as_of``."""
    t = as_of_index(inst, as_of)
    return parse_actuals(inst, read_actuals_table(path), t)

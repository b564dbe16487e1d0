"""Reading tabular text the way Excel writes it.

UTF-8 with or without BOM, Windows-1252 as a fallback, and ``,`` or ``;`` as
the separator (Swedish/European Excel) — detected, not configured. Cells that
we escaped against CSV injection (a leading apostrophe before ``= + - @`` or
tab/CR) are read back as the original text.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from pathlib import Path

from optimizer.inputs.cell_text import MAX_CELL_CHARS, clean_cell
from optimizer.errors import InputError
from optimizer.inputs.input_files import MAX_BYTES, read_input_bytes  # noqa: F401 (MAX_BYTES: re-exported)

log = logging.getLogger(__name__)

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Table:
    """A header (lower-cased, trimmed) and rows of trimmed cells.

    ``line_numbers[i]`` is the spreadsheet row of ``rows[i]`` (header = row 1).
    """

    file: str
    header: list[str]
    rows: list[list[str]]
    line_numbers: list[int]
    #: False for CSV: a row shorter than the header must still reach every required column.
    short_rows_ok: bool = True

    def check_required(self, required: tuple[str, ...]) -> None:
        """A row that ends before a required column is an error naming its line (CSV only)."""
        if self.short_rows_ok:
            return
        last = max(self.header.index(c) for c in required)
        for line, row in zip(self.line_numbers, self.rows):
            if len(row) <= last:
                missing = [c for c in required if self.header.index(c) >= len(row)]
                raise InputError(
                    f"this row has {len(row)} cell(s) but the header has {len(self.header)} columns, so the "
                    f"required column '{missing[0]}' is missing; is a separator missing or a cell in quotes "
                    "that should not be?", file=self.file, row=line)

    def records(self) -> list[tuple[int, dict[str, str]]]:
        out = []
        for line, row in zip(self.line_numbers, self.rows):
            cells = row + [""] * (len(self.header) - len(row))
            out.append((line, {h: c for h, c in zip(self.header, cells) if h}))
        return out


def _after_apostrophes(text: str) -> str:
    return text[len(text) - len(text.lstrip("'")):][:1]


def unescape_cell(text: str) -> str:
    """Undo our CSV-injection escape: ``'=SUM(A1)`` -> ``=SUM(A1)``, ``''=x`` -> ``'=x``."""
    if text.startswith("'") and _after_apostrophes(text) in FORMULA_TRIGGERS and _after_apostrophes(text):
        return text[1:]
    return text


def escape_cell(text: str) -> str:
    """Make a user string safe to put in a CSV cell a spreadsheet will open: a leading
    apostrophe before a formula trigger (``=``, ``+``, ``-``, ``@``, tab, CR). A text that
    already starts with apostrophes before a trigger gets one more, so that
    :func:`unescape_cell` gives back exactly the original."""
    if text and _after_apostrophes(text) in FORMULA_TRIGGERS and _after_apostrophes(text):
        return "'" + text
    return text


def decode_bytes(data: bytes, file: str) -> str:
    """Text of a CSV file: UTF-8 (with or without BOM), else Windows-1252.

    A file that mixes the two (one row edited in an old editor) is decoded line by line, each
    line as what it is, with a warning naming the lines of the rarer encoding, so "Åsa" in the
    UTF-8 rows stays "Åsa" (decoding the whole file as Windows-1252 turned it into "Ã…sa"
    silently).
    """
    if b"\x00" in data[:4096]:
        raise InputError(
            "this looks like a binary file, not a CSV text file; save the sheet as "
            "'CSV UTF-8' or 'CSV (semicolon separated)' and try again",
            file=file,
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    mixed = _decode_mixed(data, file)
    if mixed is not None:
        return mixed
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"the file is neither UTF-8 nor Windows-1252 text (undecodable byte at offset {exc.start}); "
            "save it as 'CSV UTF-8' and try again",
            file=file,
        ) from None


def _decode_mixed(data: bytes, file: str) -> str | None:
    """Line-by-line decoding of a file that mixes UTF-8 and Windows-1252 lines: each line as what
    it is (a line that decodes as UTF-8 with non-ASCII bytes is UTF-8: Windows-1252 text almost
    never does), with a warning naming the lines of the rarer encoding. None when no line with
    non-ASCII bytes is UTF-8 (a plain Windows-1252 file)."""
    lines = data.split(b"\n")
    out: list[str] = []
    utf8: list[int] = []
    other: list[int] = []
    for i, line in enumerate(lines, start=1):
        try:
            out.append(line.decode("utf-8"))
            if not line.isascii():
                utf8.append(i)
        except UnicodeDecodeError:
            other.append(i)
            try:
                out.append(line.decode("cp1252"))
            except UnicodeDecodeError:
                raise InputError(
                    f"line {i} is neither UTF-8 nor Windows-1252 text; save the file as 'CSV UTF-8' and try again",
                    file=file, row=i) from None
    if not utf8:
        return None
    few, kind, rest = (other, "Windows-1252", "UTF-8") if len(other) <= len(utf8) else (utf8, "UTF-8", "Windows-1252")
    shown = ", ".join(str(i) for i in few[:10]) + (f" and {len(few) - 10} more" if len(few) > 10 else "")
    log.warning("%s: the file is %s text except line(s) %s, which were read as %s; check the names there "
                "and save the file as 'CSV UTF-8'", file, rest, shown, kind)
    return "\n".join(out)


def sniff_delimiter(text: str) -> str:
    """``;`` when the header line has more semicolons than commas, else ``,``."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    return ";" if first.count(";") > first.count(",") else ","


def parse_table(text: str, file: str) -> Table:
    """CSV text -> Table. A row with more (non-empty) cells than the header is an error naming
    its line: in a ``;``-separated file an unquoted ``;``-list spills into extra cells that would
    otherwise be lost. An unterminated quote is reported on the row where it opens."""
    delim = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    header: list[str] | None = None
    header_line = 0
    rows: list[list[str]] = []
    lines: list[int] = []
    start = 1  # the line the current record starts on
    try:
        for raw in reader:
            line = reader.line_num
            row_start, start = start, line + 1
            cells = [unescape_cell(c.strip()) for c in raw]
            if not any(cells):
                continue  # blank lines (Excel adds trailing ones)
            if header is None:
                header = [c.lower().lstrip("\ufeff").strip() for c in cells]
                header_line = line
                continue
            if line > row_start and _runs_to_end(text, raw):
                raise InputError(
                    "a quote (\") opens a cell on this row and is never closed, so the rest of the file "
                    "was read as one cell; close the quote or remove it", file=file, row=row_start)
            while len(cells) > len(header) and not cells[-1]:
                cells.pop()  # trailing empty cells (a separator at the end of the line)
            if len(cells) > len(header):
                raise InputError(
                    f"this row has {len(cells)} cells but the header has {len(header)} columns, so "
                    f"{len(cells) - len(header)} cell(s) would be lost; "
                    + (f"a ';'-list (methods, blackout, after) in a ';'-separated file must be in quotes, "
                       f"e.g. \"2027-06;2027-07\"" if delim == ";" else
                       "a cell that contains ',' in a ','-separated file must be in quotes, e.g. \"Sales, North\""),
                    file=file, row=row_start)
            rows.append(cells)
            lines.append(row_start)  # a cell with line breaks: the row is named by the line it starts on
    except csv.Error as exc:
        raise InputError(f"the file is not valid CSV: {exc}", file=file, row=reader.line_num) from None
    header = checked_header(header, header_line, rows, file, "file")
    return Table(file=file, header=header, rows=clean_rows(rows, lines, header, file), line_numbers=lines,
                 short_rows_ok=False)


def _runs_to_end(text: str, raw: list[str]) -> bool:
    """The record ``raw`` is the file's last and one of its cells swallowed line breaks: an
    opening quote that was never closed (the csv module reads it to the end of the file)."""
    last = raw[-1] if raw else ""
    return ("\n" in last or "\r" in last) and text.rstrip("\r\n").endswith(last.rstrip("\r\n"))


def clean_rows(rows: list[list[str]], lines: list[int], header: list[str], file: str) -> list[list[str]]:
    """Every cell through :func:`~optimizer.inputs.cell_text.clean_cell` (control characters, length)."""
    out = []
    for line, row in zip(lines, rows):
        joined = "".join(row)
        if joined.isprintable() and len(joined) <= MAX_CELL_CHARS:  # the common case: one check per row
            out.append(row)
            continue
        out.append([c if c.isprintable() and len(c) < 1000 else
                    clean_cell(c, file=file, row=line, column=header[i] if i < len(header) and header[i] else None)
                    for i, c in enumerate(row)])
    return out


def read_table(path: str | Path) -> Table:
    """Read a CSV file into a :class:`Table`, with clear errors for anything odd."""
    name = str(path)
    return parse_table(decode_bytes(read_input_bytes(path), name), name)


def checked_header(header: list[str] | None, header_line: int, rows: list, file: str, what: str) -> list[str]:
    """The header row's cleaned names; refuses an empty ``what`` (file or sheet), a column named
    twice and a header without data rows."""
    if header is None:
        raise InputError(f"the {what} is empty; it needs a header row and at least one data row", file=file)
    header = [clean_cell(h, file=file, row=header_line, column=None) for h in header]
    seen: set[str] = set()
    for col in header:
        if col and col in seen:
            raise InputError(f"the column '{col}' appears twice in the header", file=file, row=header_line)
        seen.add(col)
    if not rows:
        raise InputError(f"the {what} has a header but no data rows", file=file)
    return header

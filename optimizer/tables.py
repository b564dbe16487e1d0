"""Reading tabular text the way Excel writes it.

UTF-8 with or without BOM, Windows-1252 as a fallback, and ``,`` or ``;`` as
the separator (Swedish/European Excel) — detected, not configured. Cells that
we escaped against CSV injection (a leading apostrophe before ``= + - @`` or
tab/CR) are read back as the original text.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError

#: Larger inputs are refused before parsing (a real group list is a few MB at most).
MAX_BYTES = 20 * 1024 * 1024
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
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"the file is neither UTF-8 nor Windows-1252 text (undecodable byte at offset {exc.start}); "
            "save it as 'CSV UTF-8' and try again",
            file=file,
        ) from None


def sniff_delimiter(text: str) -> str:
    """``;`` when the header line has more semicolons than commas, else ``,``."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    return ";" if first.count(";") > first.count(",") else ","


def parse_table(text: str, file: str) -> Table:
    delim = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        for raw in reader:
            line = reader.line_num
            cells = [unescape_cell(c.strip()) for c in raw]
            if not any(cells):
                continue  # blank lines (Excel adds trailing ones)
            if header is None:
                header = [c.lower().lstrip("\ufeff").strip() for c in cells]
                header_line = line
                continue
            rows.append(cells)
            lines.append(line)
    except csv.Error as exc:
        raise InputError(f"the file is not valid CSV: {exc}", file=file, row=reader.line_num) from None
    if header is None:
        raise InputError("the file is empty; it needs a header row and at least one data row", file=file)
    seen: set[str] = set()
    for col in header:
        if col and col in seen:
            raise InputError(f"the column '{col}' appears twice in the header", file=file, row=header_line)
        seen.add(col)
    if not rows:
        raise InputError("the file has a header but no data rows", file=file)
    return Table(file=file, header=header, rows=rows, line_numbers=lines)


def read_table(path: str | Path) -> Table:
    """Read a CSV file into a :class:`Table`, with clear errors for anything odd."""
    p = Path(path)
    name = str(path)
    try:
        if not p.is_file():
            raise InputError("no such file", file=name)
        if p.stat().st_size > MAX_BYTES:
            raise InputError(
                f"the file is {p.stat().st_size // (1024 * 1024)} MB; inputs larger than "
                f"{MAX_BYTES // (1024 * 1024)} MB are refused (is this the right file?)",
                file=name,
            )
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", file=name) from None
    return parse_table(decode_bytes(data, name), name)

"""What a cell of an input table may hold: text a planner can read and every output can carry.

Control characters (NUL, ESC, bell, CR/LF line breaks inside a cell, the C1 range, Unicode line
and paragraph separators) are refused with the file, row and column: they break terminals,
Markdown tables and workbook writers, and a planner never means them. A tab inside a cell (what
pasting from another sheet leaves) is read as a space. A cell longer than Excel's limit of
32,767 characters is refused too, since no workbook could hold it.
"""

from __future__ import annotations

import unicodedata

from optimizer.errors import InputError

#: Excel's (and LibreOffice's) limit for the text of one cell.
MAX_CELL_CHARS = 32_767
_SEPARATORS = {"\u2028": "a line separator (U+2028)", "\u2029": "a paragraph separator (U+2029)"}


def bad_char(text: str) -> str | None:
    """A description of the first character ``text`` may not hold (after tabs became spaces), or None."""
    for ch in text:
        if ch in _SEPARATORS:
            return _SEPARATORS[ch]
        if unicodedata.category(ch) == "Cc" and ch != "\t":
            if ch in "\r\n":
                return "a line break"
            return f"the control character U+{ord(ch):04X}"
    return None


def clean_cell(text: str, *, file: str, row: int | None, column: str | None) -> str:
    """``text`` with tabs as spaces, or a located InputError for control characters or excess length."""
    if len(text) > MAX_CELL_CHARS:
        raise InputError(f"the cell holds {len(text):,} characters; Excel cells hold at most {MAX_CELL_CHARS:,}, "
                         "so no workbook could carry it (is this the right column?)",
                         file=file, row=row, column=column)
    if text.isprintable():
        return text
    what = bad_char(text)
    if what:
        raise InputError(f"the cell contains {what}; names and other text must be plain text on one line "
                         "(remove it, or retype the cell)", file=file, row=row, column=column)
    return text.replace("\t", " ")


def clean_text_value(value: str, *, file: str, key: str) -> str:
    """The same check for a text value of a TOML file (a scenario's name, ...), located by key."""
    return clean_cell(value, file=file, row=None, column=key)

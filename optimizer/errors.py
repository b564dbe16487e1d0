"""Errors a planner can read: where (file, row, column) and what."""

from __future__ import annotations

import re
import unicodedata

from optimizer.i18n import _, translate_error

_LONG_RUN = re.compile(r"\S{81,}")
MAX_MESSAGE = 1200


def _short_quotes(text: str) -> str:
    """Text from a file echoed in a message, kept readable: a run of more than 80 characters without
    a space is cut to 77 and '...', and a message over MAX_MESSAGE characters loses its middle."""
    if len(text) <= 160:
        return text
    text = _LONG_RUN.sub(lambda m: m[0][:77] + "...", text)
    if len(text) > MAX_MESSAGE:
        text = text[: MAX_MESSAGE - 400] + " ... " + text[-395:]
    return text


def visible(text: str) -> str:
    """``text`` with control characters shown as escapes (``\\n``, ``\\x1b``): an error message
    stays one paragraph and never sends a control sequence to the terminal."""
    if text.isprintable():
        return text
    return "".join(ch.encode("unicode_escape").decode("ascii")
                   if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in text)


def shown(value: object, limit: int = 80) -> str:
    """``repr(value)`` for a message, cut to ``limit`` characters (a value from a file may be huge
    or nested thousands deep)."""
    try:
        text = repr(value)
    except RecursionError:
        text = f"<a {type(value).__name__} nested too deeply>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


class InputError(Exception):
    """Bad input. The CLI prints ``str(err)`` as one paragraph and exits 2.

    ``str(err)`` is in the current language (:mod:`optimizer.i18n`): the frame (row, column) and,
    when the catalogue has its template, the message; ``err.message`` stays the English text."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.row = row
        self.column = column
        super().__init__(str(self))

    def where(self) -> str:
        parts = []
        if self.file:
            parts.append(visible(str(self.file)))
        if self.row is not None:
            parts.append(_("row {row}").format(row=self.row))
        if self.column:
            parts.append(_short_quotes(_("column '{column}'").format(column=visible(str(self.column)))))
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        message = _short_quotes(visible(translate_error(self.message)))
        return f"{where}: {message}" if where else message

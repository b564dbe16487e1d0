"""Errors a planner can read: where (file, row, column) and what."""

from __future__ import annotations

import unicodedata


def visible(text: str) -> str:
    """``text`` with control characters shown as escapes (``\\n``, ``\\x1b``): an error message
    stays one paragraph and never sends a control sequence to the terminal."""
    if text.isprintable():
        return text
    return "".join(ch.encode("unicode_escape").decode("ascii")
                   if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in text)


class InputError(Exception):
    """Bad input. The CLI prints ``str(err)`` as one paragraph and exits 2."""

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
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column '{visible(str(self.column))}'")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        message = visible(self.message)
        return f"{where}: {message}" if where else message

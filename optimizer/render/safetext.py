"""User text made safe to show: control characters become visible escapes.

Group names, departments, file names and scenario names come from the user's files.
Shown raw, an ESC or OSC sequence in a name would drive the terminal (colours, titles,
hyperlinks, cursor moves), a CR would overwrite what was printed, and an Excel cell
cannot hold most C0 characters at all. :func:`visible` replaces every such character
by its Python escape, so ``"A\\x1b[31mB"`` shows as ``A\\x1b[31mB`` — the planner sees
exactly which byte is in the name, and nothing is interpreted.

Replaced: C0 controls except tab and newline, DEL, C1 controls (0x80-0x9f; 0x9b is a
CSI on some terminals), the bidirectional overrides and isolates (U+202A-U+202E,
U+2066-U+2069, which can reorder what a line appears to say), lone surrogates (which
no file encoding can hold) and the noncharacters U+FFFE and U+FFFF (which XML, and so a
workbook, cannot hold).
"""

from __future__ import annotations

import re

_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")
_UNSAFE_WITH_NEWLINES = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")


def _escape(m: re.Match) -> str:
    c = ord(m.group())
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"


def visible(text: str, *, newlines: bool = True) -> str:
    """``text`` with every control character replaced by its escape (``\\x1b``, ``\\u202e``).

    Tab and newline are kept unless ``newlines=False`` (then they are escaped too)."""
    return (_UNSAFE if newlines else _UNSAFE_WITH_NEWLINES).sub(_escape, text)


def has_unsafe(text: str) -> bool:
    return _UNSAFE.search(text) is not None


#: Excel's limit on the characters in one cell (UTF-16 code units).
MAX_CELL_CHARS = 32767


def cell_text(text: str) -> str:
    """Text an Excel cell can hold: control characters visible (:func:`visible`), cut to
    Excel's 32,767 characters with a closing ``…``."""
    text = visible(text)
    if len(text) <= MAX_CELL_CHARS // 2 or len(text.encode("utf-16-le")) // 2 <= MAX_CELL_CHARS:
        return text
    out, units = [], 0
    for ch in text:
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > MAX_CELL_CHARS - 1:
            break
        out.append(ch)
    return "".join(out) + "…"

"""Month labels: text that looks like a month is read as that month, written ``YYYY-MM``.

Capacity files name their months as planners type them or as a spreadsheet saved them:
``2026-05``, ``2026-5``, ``2026/05``, ``05/2026``, ``2026-05-01``, ``maj 2026``, ``May 2026``,
``september 2027``, ``Sep-27`` (LibreOffice's MMM-YY date format) or a date cell in a workbook.
All of these become the label ``2026-05`` (…), in the capacity file and wherever a group names a
month (earliest, latest, blackout), a scenario names one (start, capacity_add) or a plan file
does — so ``maj 2026`` in a group's blackout matches ``2026-05`` in the capacity file.
Any other text (``M1``, ``Q3 wave``) stays a free label, as before, and matches only itself.
"""

from __future__ import annotations

import functools
import re

from optimizer.errors import InputError

_NAMES = {
    # English and Swedish month names and their usual abbreviations
    "january": 1, "januari": 1, "jan": 1,
    "february": 2, "februari": 2, "feb": 2,
    "march": 3, "mars": 3, "mar": 3,
    "april": 4, "apr": 4,
    "may": 5, "maj": 5,
    "june": 6, "juni": 6, "jun": 6,
    "july": 7, "juli": 7, "jul": 7,
    "august": 8, "augusti": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9,
    "october": 10, "oktober": 10, "oct": 10, "okt": 10,
    "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}
_YEAR_FIRST = re.compile(r"^(\d{4})[-/.](\d{1,2})(?:[-/.](\d{1,2}))?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_MONTH_FIRST = re.compile(r"^(\d{1,2})[-/.](\d{4})$")
_NAMED = re.compile(r"^([^\W\d_]+)\.?[\s\-/.]*(\d{4}|\d{2})$")
_NAMED_YEAR_FIRST = re.compile(r"^(\d{4})[\s\-/.]*([^\W\d_]+)\.?$")
#: Years a rollout plan can be about; outside them a text is not read as a month.
YEARS = range(1990, 2200)


@functools.lru_cache(maxsize=4096)
def month_key(text: str) -> str | None:
    """``YYYY-MM`` when ``text`` names a month, else None (a free label)."""
    t = text.strip().lower()
    if not t or len(t) > 40:
        return None
    year = month = None
    if m := _YEAR_FIRST.match(t):
        year, month = int(m[1]), int(m[2])
        if m[3] is not None and not 1 <= int(m[3]) <= 31:
            return None
    elif m := _MONTH_FIRST.match(t):
        month, year = int(m[1]), int(m[2])
    elif m := _NAMED.match(t):
        month = _NAMES.get(m[1])
        year = int(m[2]) + (2000 if len(m[2]) == 2 else 0)
    elif m := _NAMED_YEAR_FIRST.match(t):
        year, month = int(m[1]), _NAMES.get(m[2])
    if month is None or year is None or not 1 <= month <= 12 or year not in YEARS:
        return None
    return f"{year:04d}-{month:02d}"


def normalise(text: str) -> str:
    """The ``YYYY-MM`` label of a month-like text, or the text itself."""
    return month_key(text) or text


def check_order(labels: list[str], rows: list[int], file: str) -> None:
    """Month labels must run forward in time: a month not after the month before it is an
    error naming both (free labels are taken in file order, as they stand)."""
    prev: tuple[str, int] | None = None
    for label, row in zip(labels, rows):
        if month_key(label) != label:
            prev = None
            continue
        if prev is not None and label < prev[0]:
            raise InputError(
                f"the month {label} is listed after {prev[0]} (row {prev[1]}), which is later; months must be "
                "in time order, one row per month (sort the rows by month)", file=file, row=row, column="month")
        prev = (label, row)

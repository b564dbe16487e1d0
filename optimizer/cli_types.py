"""Option types for the command line that refuse what the solver cannot take.

CP-SAT's ``random_seed`` is a 32-bit signed integer (0 .. 2**31 - 1 here) and a time limit must
be a finite, positive number of seconds; anything else is a usage error (exit 2) with a message
that says what is allowed, never a solver traceback or a "no plan found".
"""

from __future__ import annotations

import math

import click

#: The largest seed CP-SAT accepts (its random_seed is an int32).
MAX_SEED = 2**31 - 1
#: Time limits are seconds; a week is far beyond any real plan and keeps the arithmetic finite.
MAX_SECONDS = 7 * 24 * 3600.0
MIN_SECONDS = 0.01


class Seconds(click.ParamType):
    """A finite number of seconds from MIN_SECONDS to MAX_SECONDS (no nan, inf or negatives)."""

    name = "seconds"

    def convert(self, value, param, ctx):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            v = float(value)
        else:
            text = str(value).strip()
            try:
                v = float(text)
            except ValueError:
                self.fail(f"'{text}' is not a number of seconds (e.g. 30 or 2.5)", param, ctx)
        if not math.isfinite(v) or not MIN_SECONDS <= v <= MAX_SECONDS:
            self.fail(f"{value!s} is not a time limit: give a number of seconds from {MIN_SECONDS:g} "
                      f"to {MAX_SECONDS:g} (one week)", param, ctx)
        return v


class Seed(click.ParamType):
    """A whole number from 0 to MAX_SEED."""

    name = "integer"

    def convert(self, value, param, ctx):
        if isinstance(value, int) and not isinstance(value, bool):
            v = value
        else:
            text = str(value).strip()
            try:
                v = int(text)
            except ValueError:
                self.fail(f"'{text}' is not a whole number", param, ctx)
        if not 0 <= v <= MAX_SEED:
            self.fail(f"{v} is not a seed: give a whole number from 0 to {MAX_SEED}", param, ctx)
        return v


SECONDS = Seconds()
SEED = Seed()

"""A step of a level in the solve strategy (optimizer.solving.steps)."""

from __future__ import annotations

from optimizer.solving.level import Level, Run


class Step:
    """One step of a level; ``why`` is its line in docs/architecture.md."""

    why = ""

    def run(self, run: Run, lv: Level) -> bool:
        raise NotImplementedError

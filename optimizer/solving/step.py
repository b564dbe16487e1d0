"""A step of a level in the solve strategy (optimizer.solving.steps)."""

from __future__ import annotations

from abc import ABC, abstractmethod

from optimizer.solving.level import Level, Run


class Step(ABC):
    """One step of a level; ``why`` is its line in docs/architecture.md."""

    why = ""

    @abstractmethod
    def run(self, run: Run, lv: Level) -> bool:
        """Settle the level (True) or pass it on to the next step (False)."""

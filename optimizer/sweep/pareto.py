"""Pareto fronts: the points no other point beats on every criterion (all minimised)."""

from __future__ import annotations

from typing import Sequence


def dominates(a: Sequence[float], b: Sequence[float]) -> bool:
    """``a`` is at least as good as ``b`` everywhere and better somewhere (smaller is better)."""
    return all(x <= y for x, y in zip(a, b)) and any(x < y for x, y in zip(a, b))


def front(vectors: Sequence[Sequence[float] | None]) -> list[bool]:
    """For each vector, whether it is on the Pareto front of all of them. ``None`` (no value,
    e.g. a scenario without a plan) is never on it and never dominates. Equal vectors are all on
    the front when one is."""
    vs = [tuple(v) if v is not None else None for v in vectors]
    out = []
    for i, v in enumerate(vs):
        out.append(v is not None and not any(w is not None and j != i and dominates(w, v) for j, w in enumerate(vs)))
    return out

"""The optimizer modules a module imports at load time, directly or through others (module-level
imports only: lazy imports inside functions run only when called). For tests that keep parts of
the package independent of others, e.g. the checker of the solver."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _file(dotted: str) -> Path | None:
    base = ROOT / Path(*dotted.split("."))
    for p in (base.with_suffix(".py"), base / "__init__.py"):
        if p.exists():
            return p
    return None


def direct_imports(dotted: str) -> set[str]:
    """Optimizer modules ``dotted`` imports at module level (``from pkg import mod`` counts mod)."""
    path = _file(dotted)
    assert path is not None, dotted
    package = dotted if path.name == "__init__.py" else dotted.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("optimizer"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                mod = f"{base}.{node.module}" if node.module else base
            else:
                mod = node.module or ""
            if not mod.startswith("optimizer"):
                continue
            out.add(mod)
            out.update(f"{mod}.{a.name}" for a in node.names if _file(f"{mod}.{a.name}"))
    return {m for m in out if _file(m) and m != "optimizer"}


def load_time_imports(*roots: str) -> set[str]:
    """Every optimizer module the ``roots`` pull in at load time (the roots included)."""
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        mod = todo.pop()
        if mod not in seen:
            seen.add(mod)
            todo.extend(direct_imports(mod))
    return seen


def is_solver_code(dotted: str) -> bool:
    """The model, the solve strategy and the explanation (which solves)."""
    return dotted == "optimizer.model" or dotted.startswith(
        ("optimizer.model_parts", "optimizer.solving", "optimizer.explain"))

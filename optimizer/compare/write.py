"""Writing a comparison's outputs (all or none) and checking the ``--out`` paths before solving."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

from optimizer.render.atomic import save_text
from optimizer.render.export import input_separator, save_csv
from optimizer.render.outputs import Target, parse_targets, write_all
from optimizer.compare.kpis import Comparison
from optimizer.compare.render import comparison_csv, comparison_json, comparison_markdown
from optimizer.compare.runs import input_files


def write_comparison_xlsx(comp: Comparison, path: Path) -> None:
    """Comparison sheet (KPIs as numbers with differences, moved groups, reasons) and, per
    scenario, its plan sheet as in ``rollout solve --out plan.xlsx``, and the sheet that
    explains a missing plan (optimizer.compare.workbook). Atomic."""
    from optimizer.compare.workbook import write_comparison_xlsx as write

    write(comp, path)


def writers() -> dict[str, Callable[..., None]]:
    """suffix -> writer(comparison, path): writes one format to ``path`` (a staged temp file)."""
    return {
        ".md": lambda c, p: save_text(p, comparison_markdown(c)),
        ".csv": lambda c, p, sep=",": save_csv(p, comparison_csv(c, sep)),
        ".json": lambda c, p: save_text(p, comparison_json(c)),
        ".xlsx": write_comparison_xlsx,
    }


def check_out_paths(paths: list[str], inputs: Iterable[str | Path] = ()) -> list[Target]:
    """Fail before solving on an output we cannot or must not write (never an input)."""
    return parse_targets(paths, writers(), inputs)


def write_comparison(comp: Comparison, paths: Iterable[str | Target], *, csv_sep: str | None = None) -> list[Target]:
    """Write every output (all or none). ``csv_sep`` None follows the baseline's groups file."""
    known = writers()
    targets = [p for p in paths if isinstance(p, Target)]
    targets += check_out_paths([str(p) for p in paths if not isinstance(p, Target)], input_files(comp.runs))
    base = next((r.inst for r in comp.runs if r.inst is not None), None)
    sep = csv_sep or (input_separator(base) if base is not None else ",")

    def render(t: Target, tmp: Path) -> None:
        if t.suffix == ".csv":
            known[".csv"](comp, tmp, sep=sep)
        else:
            known[t.suffix](comp, tmp)

    return write_all(targets, render)

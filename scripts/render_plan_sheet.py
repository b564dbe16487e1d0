#!/usr/bin/env python3
"""Render the example's workbook as it prints, for the README: docs/plan-sheet.png (the Plan
sheet's first page) and docs/capacity-sheet.png (the Capacity sheet with its chart).

Solves the embedded example, writes the workbook exactly as ``rollout solve --out
plan.xlsx`` does, prints it to PDF with headless LibreOffice and turns the pages into PNGs
(scripts/lo_render.py), so the pictures show what the planner gets on paper.

    python scripts/render_plan_sheet.py            # needs LibreOffice and poppler-utils

Fonts: LibreOffice draws Calibri with Carlito when it is installed (Debian:
fonts-crosextra-carlito, metrically the same), else with a wider fallback font.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import lo_render  # noqa: E402

from optimizer.render.export import write_outputs  # noqa: E402
from optimizer.inputs.loaders import load_instance  # noqa: E402
from optimizer.solving.solver import SolveOptions, solve  # noqa: E402

PAGES = {"Plan": "plan-sheet.png", "Capacity": "capacity-sheet.png"}


def main(out_dir: Path = ROOT / "docs", dpi: int = 100) -> None:
    if lo_render.missing_tools():
        raise SystemExit("missing: " + ", ".join(lo_render.missing_tools()))
    ex = ROOT / "data" / "example"
    inst = load_instance(ex / "groups.csv", ex / "capacity.csv", ex / "rules.toml", name="example")
    res = solve(inst, SolveOptions(time_limit=10))
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "plan.xlsx"
        write_outputs(inst, res, [str(book)])
        (pdf,) = lo_render.to_pdf([book], Path(tmp))
        pages = lo_render.page_texts(pdf)
        for sheet, name in PAGES.items():
            page = next(i for i, text in enumerate(pages, start=1) if lo_render.shows_sheet(text, sheet))
            png = lo_render.to_png(pdf, page, out_dir / name, dpi=dpi)
            print(f"wrote {png} (page {page} of {len(pages)}: {sheet})")


if __name__ == "__main__":
    main()

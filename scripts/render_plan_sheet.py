#!/usr/bin/env python3
"""Render the Plan sheet of the example's workbook to docs/plan-sheet.png (for the README).

Solves the embedded example, writes the workbook exactly as ``rollout solve --out
plan.xlsx`` does, reads the Plan sheet back with openpyxl and draws its cells (with
their fills and bold text) with matplotlib, so the picture shows what the planner gets.

    pip install -e '.[docs]' && python scripts/render_plan_sheet.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openpyxl import load_workbook  # noqa: E402

from optimizer.export import write_outputs  # noqa: E402
from optimizer.loaders import load_instance  # noqa: E402
from optimizer.solver import SolveOptions, solve  # noqa: E402


def main(out: Path = ROOT / "docs" / "plan-sheet.png") -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    ex = ROOT / "data" / "example"
    inst = load_instance(ex / "groups.csv", ex / "capacity.csv", ex / "rules.toml", name="example")
    res = solve(inst, SolveOptions(time_limit=10))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "plan.xlsx"
        write_outputs(inst, res, [str(path)])
        wb = load_workbook(path)
        ws = wb["Plan"]
        cells = [[ws.cell(row=r, column=c) for c in range(1, ws.max_column + 1)] for r in range(1, ws.max_row + 1)]
        widths = [ws.column_dimensions[chr(64 + c)].width or 10 for c in range(1, ws.max_column + 1)]
    heights = [max(1, max(str(c.value or "").count("\n") + 1 for c in row)) for row in cells]
    W, H = sum(widths), sum(heights)
    fig, ax = plt.subplots(figsize=(W / 9, H / 3.2))
    ax.set_xlim(0, W)
    ax.set_ylim(H, 0)
    ax.axis("off")
    y = 0.0
    for row, h in zip(cells, heights):
        x = 0.0
        for cell, w in zip(row, widths):
            fill = cell.fill.fgColor.rgb if cell.fill and cell.fill.fill_type == "solid" else None
            boxed = cell.value is not None or fill
            if fill and isinstance(fill, str):
                ax.add_patch(Rectangle((x, y), w, h, facecolor="#" + fill[-6:], edgecolor="#bbbbbb", lw=0.5))
            elif boxed and row[0].value not in (None,) and not str(row[0].value).startswith("Rollout plan") \
                    and not str(row[0].value).startswith("Finish"):
                ax.add_patch(Rectangle((x, y), w, h, facecolor="white", edgecolor="#dddddd", lw=0.5))
            if cell.value is not None:
                weight = "bold" if cell.font and cell.font.b else "normal"
                size = 12 if cell.font and cell.font.sz and cell.font.sz > 12 else 8.5
                style = "italic" if cell.font and cell.font.i else "normal"
                ax.text(x + 0.6, y + 0.25, str(cell.value), va="top", ha="left", fontsize=size,
                        fontweight=weight, fontstyle=style, family="DejaVu Sans")
            x += w
        y += h
    fig.tight_layout(pad=0.2)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()

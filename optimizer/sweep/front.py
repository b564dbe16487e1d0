"""A sweep's best trade-offs drawn: the PNG plot and the workbook with its chart sheet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from optimizer.render.atomic import write_with
from optimizer.sweep.run import SweepResult
from optimizer.sweep.report import FRONT_NOTE, FRONT_TITLE, table


def _front_points(res: SweepResult) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    found = [r for r in res.rows if r["found"]]
    return [r for r in found if not r.get("front")], [r for r in found if r.get("front")]


def write_png(res: SweepResult, path: Path) -> None:
    """Finish month (x) against peak helpdesk utilisation (y), assisted users as the colour;
    the best trade-offs ringed and named."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = res.sweep.base.month_labels
    rest, best = _front_points(res)
    fig, ax = plt.subplots(figsize=(9, 5.5), dpi=110)
    allr = rest + best
    if allr:
        from matplotlib.ticker import MaxNLocator

        vals = [r["kpis"]["assisted_users"] for r in allr]
        vmin, vmax = min(vals), max(max(vals), min(vals) + 1)
        sc = None
        for rows, kw in ((rest, dict(s=40, alpha=0.6, label="other scenarios")),
                         (best, dict(s=110, edgecolors="black", linewidths=1.8, label="best trade-offs"))):
            if rows:
                sc = ax.scatter([r["finish_index"] for r in rows], [100 * (r["kpis"]["peak_helpdesk"] or 0) for r in rows],
                                c=[r["kpis"]["assisted_users"] for r in rows], cmap="viridis", vmin=vmin, vmax=vmax,
                                **kw)
        if len(set(vals)) > 1:
            fig.colorbar(sc, ax=ax, label="assisted users", ticks=MaxNLocator(integer=True))
        else:
            ax.text(0.99, 0.01, f"assisted users: {vals[0]} in every scenario", transform=ax.transAxes,
                    ha="right", va="bottom", fontsize=8)
        ax.legend(loc="upper left", fontsize=8)
        spots: dict[tuple, list[str]] = {}
        for r in best:  # one label per spot: scenarios with equal KPIs share it
            spots.setdefault((r["finish_index"], 100 * (r["kpis"]["peak_helpdesk"] or 0)), []).append(r["scenario"])
        for (x, y), names in list(spots.items())[:12]:
            text = names[0] if len(names[0]) <= 50 else names[0][:49] + "\u2026"
            if len(names) > 1:
                text += f" (+{len(names) - 1} with the same values)"
            ax.annotate(text, (x, y), textcoords="offset points", xytext=(8, 6), fontsize=7)
    ax.set_xticks(range(len(labels)), labels, rotation=45 if len(labels) > 8 else 0)
    ax.set_xlim(-0.5, len(labels) - 0.5)
    ax.set_xlabel("finish month")
    ax.set_ylabel("peak helpdesk utilisation (%)")
    ax.set_title(f"{res.sweep.name}: best trade-offs ringed ({len(best)} of {len(res.rows)} scenarios)")
    ax.grid(alpha=0.3)
    fig.tight_layout()

    def save(tmp: Path) -> None:
        fig.savefig(tmp, format="png")

    try:
        write_with(path, save)
    finally:
        plt.close(fig)


def write_xlsx(res: SweepResult, path: Path) -> None:
    """Sheet 'Sweep' (one row per scenario, the best trade-offs marked) and a chart sheet
    'Front' (finish month number against peak helpdesk utilisation)."""
    from openpyxl import Workbook

    wb = Workbook()
    _sweep_sheet(wb.active, res)
    data = wb.create_sheet("Front data")
    spans = _front_data(data, res)
    labels = res.sweep.base.month_labels
    cs = wb.create_chartsheet("Front")
    cs.add_chart(_front_chart(data, spans, labels))
    data.add_chart(_front_chart(data, spans, labels), "H2")  # also beside its data (some viewers do not show chart sheets)
    wb.move_sheet("Front", offset=-1)
    write_with(path, lambda tmp: wb.save(tmp))


def _sweep_sheet(ws: Any, res: SweepResult) -> None:
    """One row per scenario under the title and the note on best trade-offs; filter and frozen panes."""
    from openpyxl.styles import Alignment, Font

    from optimizer.render.workbook import HEADER_FILL, TITLE, put, put_row

    ws.title = "Sweep"
    put(ws, 1, 1, f"Sweep: {res.sweep.name}", font=TITLE)
    put(ws, 2, 1, FRONT_NOTE[0].upper() + FRONT_NOTE[1:] + ".")
    header, rows = table(res)
    put_row(ws, 4, header, font=Font(bold=True), fill=HEADER_FILL,
            alignment=Alignment(wrap_text=True, vertical="top"))
    pct_col = header.index("peak helpdesk utilisation") + 1
    for i, row in enumerate(rows, start=5):
        put_row(ws, i, row)
        ws.cell(row=i, column=pct_col).number_format = "0%"
    ws.column_dimensions["A"].width = 48
    ws.freeze_panes = "B5"
    ws.auto_filter.ref = f"A4:{ws.cell(row=4, column=len(header)).column_letter}{4 + len(rows)}"


def _front_data(data: Any, res: SweepResult) -> list[tuple[int, int]]:
    """The chart's data: month number (1 = the first month) and peak helpdesk %, the other
    scenarios then the best trade-offs; returns their row spans."""
    from openpyxl.styles import Font

    from optimizer.render.workbook import HEADER_FILL, put_row

    put_row(data, 1, ["scenario", "finish month number", "finish month", "peak helpdesk utilisation",
                      "assisted users", FRONT_TITLE], font=Font(bold=True), fill=HEADER_FILL)
    rest, best = _front_points(res)
    labels = res.sweep.base.month_labels
    r0 = 2
    spans = []
    for rows_ in (rest, best):
        start = r0
        for r in rows_:
            put_row(data, r0, [r["scenario"], r["finish_index"] + 1, labels[r["finish_index"]],
                               r["kpis"]["peak_helpdesk"] or 0, r["kpis"]["assisted_users"], "yes" if r.get("front") else ""])
            data.cell(row=r0, column=4).number_format = "0%"
            r0 += 1
        spans.append((start, r0 - 1))
    data.column_dimensions["A"].width = 48
    for col in "BCDEF":
        data.column_dimensions[col].width = 16
    return spans


def _front_chart(data: Any, spans: list[tuple[int, int]], labels: list[str]) -> Any:
    """Finish month number against peak helpdesk utilisation, the best trade-offs larger and red."""
    from openpyxl.chart import Reference, ScatterChart, Series

    chart = ScatterChart()
    chart.title = "Finish month against peak helpdesk utilisation"
    chart.style = 13
    chart.x_axis.title = f"finish month (1 = {labels[0]})"
    chart.y_axis.title = "peak helpdesk utilisation"
    chart.y_axis.number_format = "0%"
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.x_axis.scaling.min, chart.x_axis.scaling.max = 1, len(labels)
    chart.x_axis.majorUnit = 1
    chart.y_axis.scaling.min = 0
    for (a, b), title, size, colour in ((spans[0], "other scenarios", 6, "9DC3E6"),
                                        (spans[1], "best trade-offs", 10, "C00000")):
        if b < a:
            continue
        s = Series(Reference(data, min_col=4, min_row=a, max_row=b), Reference(data, min_col=2, min_row=a, max_row=b),
                   title=title)
        s.marker.symbol = "circle"
        s.marker.size = size
        s.marker.graphicalProperties.solidFill = colour
        s.marker.graphicalProperties.line.solidFill = colour
        s.graphicalProperties.line.noFill = True
        chart.series.append(s)
    return chart

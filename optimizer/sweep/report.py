"""A sweep's results as the planner reads them: terminal table, progress bar, CSV, Markdown,
JSON, workbook (rows and a chart sheet of the front) and a PNG plot of the front.

The suffix of ``--out`` picks the format; every write is atomic (optimizer.render.atomic). User text
(scenario names, reasons) is only ever text: escaped for rich markup, for CSV formulas, for
Markdown pipes, and forced to text cells in the workbook.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any, Callable

from optimizer import i18n
from optimizer.render.atomic import write_text
from optimizer.errors import InputError
from optimizer.render.export import md_table
from optimizer.i18n import _, ngettext
from optimizer.render.outputs import Target, parse_targets, write_all
from optimizer.sweep.run import Monitor, SweepResult
from optimizer.inputs.tables import escape_cell

#: (KPI key, column title, kind) of every row, after the axes; enrolled-by columns follow.
KPI_COLUMNS = (
    ("finish_month", "finish month", "month"),
    ("peak_helpdesk", "peak helpdesk utilisation", "pct"),
    ("assisted_users", "assisted users", "int"),
    ("waiting", "waiting (users x readiness x months)", "int"),
    ("months_over_90", "months over 90 % of any capacity", "int"),
)
FRONT_TITLE = "best trade-off"
FRONT_NOTE = ("best trade-off = no other scenario finishes no later, loads the helpdesk no more and needs "
              "no more assisted users while being better in one of them (the Pareto front)")


def axis_columns(res: SweepResult) -> list[str]:
    cols: list[str] = []
    for r in res.rows:
        for c in r.get("axes", {}):
            if c not in cols:
                cols.append(c)
    return cols


def enrolled_columns(res: SweepResult) -> list[str]:
    return [f"enrolled_by:{lab}" for lab in res.sweep.base.month_labels]


def table(res: SweepResult) -> tuple[list[str], list[list[Any]]]:
    """Every row as values (numbers stay numbers): scenario, axes, status, KPIs, front, reason."""
    axes, enrolled = axis_columns(res), enrolled_columns(res)
    header = (["scenario"] + axes + ["status"] + [t for _, t, _ in KPI_COLUMNS]
              + [f"users enrolled by {c.split(':', 1)[1]}" for c in enrolled]
              + ["solve seconds", FRONT_TITLE, "attempts", "reproducible", "why no plan"])
    rows = []
    for r in res.rows:
        k = r.get("kpis", {})
        rows.append([r["scenario"]] + [r.get("axes", {}).get(a) for a in axes] + [r["status"]]
                    + [k.get(key) for key, _, _ in KPI_COLUMNS] + [k.get(c) for c in enrolled]
                    + [k.get("solve_seconds"), "yes" if r.get("front") else "", r.get("attempts"),
                       ("yes" if r.get("reproducible") else "no") if r["found"] else "", r.get("reason") or ""])
    return header, rows


def _fmt(v: Any, kind: str = "") -> str:
    if v is None or v == "":
        return "-" if kind else ""
    if kind == "pct":
        return f"{100 * v:.0f} %"
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


# ---------------------------------------------------------------- terminal
def _show(v: Any, kind: str) -> str:
    """A KPI in the terminal, as the current language writes it ('oktober 2027', '78 %')."""
    if v is None or v == "":
        return "-"
    if kind == "month":
        return i18n.month(str(v))
    if kind == "pct":
        return i18n.percent(v)
    return i18n.number(v) if isinstance(v, int) and i18n.language() != "en" else _fmt(v, kind)


def _status(status: str) -> str:
    from optimizer.compare import status_text

    return status_text(status)


def print_sweep(console: Any, res: SweepResult) -> None:
    """The rows (fits 80 columns: axes in the scenario name), the front, the failures."""
    from rich import box
    from rich.table import Table as RichTable

    from optimizer.render.console import text as esc

    t = RichTable(title=esc(_("Sweep: {name} ({n} scenarios)").format(name=res.sweep.name, n=len(res.rows))),
                  box=box.SIMPLE, title_justify="left")
    t.add_column(_("Scenario"), overflow="fold")
    t.add_column(_("Finish"), justify="right", no_wrap=True)
    t.add_column(_("Peak help-\ndesk"), justify="right", no_wrap=True)
    t.add_column(_("Assisted\nusers"), justify="right", no_wrap=True)
    t.add_column(_("Best\ntrade-off"), justify="center", no_wrap=True)
    yes = _("yes")
    for r in res.rows:
        k = r.get("kpis", {})
        t.add_row(esc(r["scenario"]), esc(_show(k.get("finish_month"), "month")) if r["found"]
                  else esc(_status(r["status"])),
                  _show(k.get("peak_helpdesk"), "pct") if r["found"] else "", _show(k.get("assisted_users"), "int")
                  if r["found"] else "", yes if r.get("front") else "")
    console.print(t)
    n_front = len(res.front_rows)
    if n_front:
        console.print(_("{n} of {total} scenarios are best trade-offs: no other scenario finishes "
                        "no later, loads the helpdesk no more and needs no more assisted users while being "
                        "better in one of them.").format(n=n_front, total=len(res.rows)), highlight=False)
    for r in res.rows:
        if not r["found"] and r.get("reason"):
            console.print(esc((r["scenario"], "red"), ": " + _("no plan: {reason}").format(reason=r["reason"])),
                          highlight=False)
    cut = [r for r in res.rows if r["found"] and not r.get("reproducible")]
    if cut:
        console.print(_("{n} scenario(s) were stopped by the clock before their search was done (a busy "
                        "computer, or Ctrl-C): a re-run may give them other values (column 'reproducible'; a longer "
                        "--time-limit helps).").format(n=len(cut)), highlight=False)
    if res.resumed:
        console.print(_("{n} result(s) reused from the earlier run (--resume).").format(n=res.resumed),
                      highlight=False)


class ProgressMonitor(Monitor):
    """A rich progress bar on stderr (done / running / failed, ETA), one line per result above it."""

    def __init__(self, console: Any) -> None:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

        self.console = console
        self.progress = Progress(
            TextColumn(_("Solving")), BarColumn(),
            TextColumn("{task.completed:.0f}/{task.total:.0f} " + _("done")),
            TextColumn("{task.fields[running]} " + _("running")), TextColumn("{task.fields[failed]} " + _("failed")),
            TimeElapsedColumn(), TextColumn(_("ETA")), TimeRemainingColumn(), console=console, transient=False)
        self.task = None

    def start(self, total: int, resumed: int, engine: str, jobs: int, workers: int) -> None:
        if total == 0:
            self.console.print(_("Nothing left to solve: {n} result(s) reused from the earlier run.").format(
                n=resumed), highlight=False)
            return
        where = _("this computer") if engine == "local" else "Ray"
        self.console.print(_("Solving {n} scenario(s) on {where}, {jobs} at a time, {workers} each").format(
            n=total, where=where, jobs=jobs, workers=ngettext("{n} worker", "{n} workers", workers).format(n=workers))
                           + (_("; {n} reused from the earlier run").format(n=resumed) if resumed else "")
                           + _(" (Ctrl-C keeps the results so far)"), highlight=False)
        self.progress.start()
        self.task = self.progress.add_task("sweep", total=max(total, 0), running=0, failed=0)

    def update(self, done: int, running: int, failed: int) -> None:
        if self.task is not None:
            self.progress.update(self.task, completed=done, running=running, failed=failed)

    def row(self, row: dict[str, Any]) -> None:
        from optimizer.render.console import text as esc

        k = row.get("kpis", {})
        what = (_("{status}, finish {month}, peak helpdesk {percent}").format(
            status=_status(row["status"]), month=i18n.month(str(k.get("finish_month"))),
            percent=_show(k.get("peak_helpdesk"), "pct")) if row["found"] else row.get("reason") or row["status"])
        secs = k.get("solve_seconds")
        self.progress.console.print(esc(f"  {row['scenario']}: {what}"
                                        + (f" ({i18n.decimal(secs, 1)} s)" if secs is not None else "")),
                                    highlight=False)

    def retry(self, name: str, why: str) -> None:
        from optimizer.render.console import text

        self.progress.console.print(text("  ", (name, "yellow"), ": " + _("{why}; trying once more").format(why=why)),
                                    highlight=False)

    def stop(self) -> None:
        self.progress.stop()


# ------------------------------------------------------------------- files
def _csv_cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (int, float)):
        return str(round(v, 4) if isinstance(v, float) else v)
    return escape_cell(str(v))


def sweep_csv(res: SweepResult) -> str:
    """One row per scenario; numbers as numbers, text escaped against formula injection."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    header, rows = table(res)
    w.writerow([_csv_cell(h) for h in header])
    for row in rows:
        w.writerow([_csv_cell(c) for c in row])
    return buf.getvalue()


def sweep_dict(res: SweepResult) -> dict[str, Any]:
    import datetime as _dt

    import ortools

    s = res.sweep
    return {
        "sweep": {"name": s.name, "file": str(s.path), "base": str(s.base_path), "axes": s.axes},
        "solver": {"name": "OR-Tools CP-SAT", "ortools_version": ortools.__version__, **res.settings,
                   "engine": res.engine, "jobs": res.jobs},
        "front_kpis": ["finish_month", "peak_helpdesk", "assisted_users"],
        "rows": [{k: v for k, v in r.items() if k not in ("fingerprint",)} for r in res.rows],
        "front": [r["scenario"] for r in res.front_rows],
        "interrupted": res.interrupted,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }


def sweep_json(res: SweepResult) -> str:
    return json.dumps(sweep_dict(res), indent=2, ensure_ascii=False) + "\n"


def sweep_markdown(res: SweepResult) -> str:
    out = [f"# Sweep: {res.sweep.name}", ""]
    if res.sweep.description:
        out += [res.sweep.description, ""]
    out += [f"Base scenario: `{res.sweep.base_path}`; {len(res.rows)} scenarios, "
            f"{len(res.front_rows)} best trade-offs (marked **yes**).", "", md_table(
                ["Scenario", "Status", "Finish", "Peak helpdesk", "Assisted users", "Waiting", "Best trade-off"],
                [[r["scenario"], r["status"], _fmt(r["kpis"].get("finish_month"), "month") if r["found"] else "",
                  _fmt(r["kpis"].get("peak_helpdesk"), "pct") if r["found"] else "",
                  _fmt(r["kpis"].get("assisted_users"), "int") if r["found"] else "",
                  _fmt(r["kpis"].get("waiting"), "int") if r["found"] else "",
                  "**yes**" if r.get("front") else ""] for r in res.rows]),
            "", FRONT_NOTE[0].upper() + FRONT_NOTE[1:] + "."]
    failed = [r for r in res.rows if not r["found"]]
    if failed:
        out += ["", "## Scenarios without a plan", ""]
        out += [f"- **{r['scenario']}**: {r.get('reason') or r['status']}" for r in failed]
    st = res.settings
    out += ["", f"Each scenario solved with {st['workers']} CP-SAT workers, time limit {st['time_limit']:g} s, "
                f"deterministic={st['deterministic']}."]
    return "\n".join(out) + "\n"


def writers() -> dict[str, Callable[[SweepResult, Path], None]]:
    from optimizer.sweep.front import write_png, write_xlsx  # the drawing libraries only when asked for

    return {
        ".csv": lambda r, p: write_text(p, sweep_csv(r)),
        ".json": lambda r, p: write_text(p, sweep_json(r)),
        ".md": lambda r, p: write_text(p, sweep_markdown(r)),
        ".xlsx": write_xlsx,
        ".png": write_png,
    }


def check_out_paths(paths: list[str], inputs: list[Path]) -> list[Target]:
    """Fail before solving on an output we cannot write, or one that would overwrite an input
    (optimizer.render.outputs.parse_targets, as for ``rollout solve``)."""
    targets = parse_targets(paths, writers(), inputs)
    for t in targets:
        if t.to_stdout:
            raise InputError(f"cannot write '{t.spec}' to standard output: give a file name", column="--out")
        if t.suffix == ".png":
            try:
                import matplotlib  # noqa: F401
            except ImportError:
                raise InputError(f"cannot write '{t.spec}': a PNG plot needs matplotlib: pip install 'rollout[plot]'",
                                 column="--out") from None
    return targets


def write_sweep(res: SweepResult, paths: list[str]) -> None:
    """Every output or none (optimizer.render.outputs.write_all)."""
    known = writers()
    write_all(parse_targets(paths, known), lambda t, tmp: known[t.suffix](res, tmp))

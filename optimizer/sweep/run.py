"""Scenario sweeps: every point of a sweep file solved as a task, locally or on Ray.

Data flow: :func:`optimizer.sweep.file.load_sweep` -> :func:`run_sweep` (one task per point:
load the point's problem, solve, reduce the plan to ``compare``'s KPIs in the worker) -> rows ->
:func:`mark_front` -> :mod:`optimizer.sweep.report` (tables, files, plot).

Engines (:mod:`optimizer.sweep.engines`): ``local`` solves each task in a process of its own, ``jobs`` at a time (a process that
dies takes nothing else with it); ``ray`` submits the same tasks to a Ray cluster, each asking
for as many CPUs as it has CP-SAT workers. Workers per solve come from the sweep / CLI, never
from the engine, and solves are deterministic: the same sweep and seed give the same KPI rows
on both engines (the solve time aside).

A task that fails or whose process is killed is retried once, then reported as an error row;
the other rows are kept. With a journal (``<out>.sweep.jsonl``, rewritten atomically after
every result) ``resume=True`` reuses the rows solved before with the same problem and settings.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from optimizer.render.atomic import write_text
from optimizer.domain import Instance
from optimizer.errors import InputError
from optimizer.sweep.pareto import front
from optimizer.solving.solver import DEFAULT_TIME_LIMIT, SolveOptions
from optimizer.sweep.engines import ENGINES, LocalEngine, RayEngine, TaskFailed
from optimizer.sweep.file import PointConflict, Sweep, fingerprint

#: CP-SAT workers per solve when neither the sweep file nor the CLI says (compare's fair share
#: of its 8 workers over two parallel solves).
DEFAULT_SWEEP_WORKERS = 4
#: Attempts per task: the first and one retry.
ATTEMPTS = 2
#: KPIs on the Pareto front, all minimised.
FRONT_KPIS = ("finish_index", "peak_helpdesk", "assisted_users")


# -------------------------------------------------------------- progress
class Monitor:
    """What :func:`run_sweep` tells as it goes; the CLI's shows a progress bar."""

    def start(self, total: int, resumed: int, engine: str, jobs: int, workers: int) -> None: ...

    def update(self, done: int, running: int, failed: int) -> None: ...

    def row(self, row: dict[str, Any]) -> None: ...

    def retry(self, name: str, why: str) -> None: ...


# ------------------------------------------------------------------- run
@dataclass
class SweepResult:
    sweep: Sweep
    settings: dict[str, Any]
    rows: list[dict[str, Any]]
    engine: str
    jobs: int
    resumed: int = 0
    interrupted: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def front_rows(self) -> list[dict[str, Any]]:
        return [r for r in self.rows if r.get("front")]


def journal_path(out: str | Path) -> Path:
    """The journal beside an output: front.xlsx -> front.sweep.jsonl."""
    p = Path(out)
    return p.with_name(p.stem + ".sweep.jsonl")


def read_journal(path: Path) -> list[dict[str, Any]]:
    """Rows of a journal; a damaged line (a write cut off) is skipped, never fatal."""
    rows = []
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, UnicodeDecodeError):
        return []
    for line in text.splitlines()[1:]:
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if isinstance(row, dict) and "key" in row:
            rows.append(row)
    return rows


def _write_journal(path: Path, sweep: Sweep, settings: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    head = json.dumps({"sweep": str(sweep.path), "settings": settings}, ensure_ascii=False)
    write_text(path, "\n".join([head] + [json.dumps(r, ensure_ascii=False) for r in rows]) + "\n")


def _conflict_row(key: str, name: str, fp: str, why: str) -> dict[str, Any]:
    return {"key": key, "scenario": name, "fingerprint": fp, "status": "infeasible", "found": False,
            "reason": f"infeasible: {why}", "finish_index": None, "kpis": {}, "complete": True,
            "reproducible": True}


Task = tuple[str, Instance, SolveOptions, dict[str, Any]]


def run_sweep(
    sweep: Sweep,
    *,
    time_limit: float | None = None,
    workers: int | None = None,
    deterministic: bool = True,
    engine: str = "local",
    jobs: int | None = None,
    address: str | None = None,
    journal: Path | None = None,
    resume: bool = False,
    monitor: Monitor | None = None,
    crash_markers: dict[str, str] | None = None,
) -> SweepResult:
    """Solve every point of ``sweep``; one row per point, in the sweep's order, whatever fails.

    ``crash_markers`` (tests only): point key -> marker file; see :func:`solve_point`."""
    mon = monitor or Monitor()
    workers = workers or sweep.workers or DEFAULT_SWEEP_WORKERS
    time_limit = time_limit or sweep.time_limit or DEFAULT_TIME_LIMIT
    settings = {"time_limit": time_limit, "workers": workers, "deterministic": deterministic}
    old = {r["key"]: r for r in read_journal(journal)} if (journal is not None and resume) else {}
    rows, todo, names = _tasks(sweep, settings, old, crash_markers, deterministic)
    resumed = sum(1 for r in rows.values() if r.get("resumed"))

    def ordered() -> list[dict[str, Any]]:
        return [rows[p.key] for p in sweep.points if p.key in rows]

    def save() -> None:
        if journal is not None:
            _write_journal(journal, sweep, settings, ordered())

    if engine not in ENGINES:
        raise InputError(f"unknown engine '{engine}'; valid engines are: {', '.join(ENGINES)}", column="--engine")
    if not todo:  # everything reused (or no point solvable): no processes, no Ray
        mon.start(0, resumed, engine, 0, workers)
        save()
        return SweepResult(sweep, settings, mark_front(ordered()), engine, 0, resumed=resumed)
    eng: LocalEngine | RayEngine = RayEngine(workers, jobs, address) if engine == "ray" \
        else LocalEngine(min(jobs or os.cpu_count() or 1, len(todo)))
    mon.start(len(todo), resumed, eng.name, eng.jobs, workers)
    save()
    run = _Run(eng, mon, names, rows, save)
    try:
        run.drain(todo)
    finally:
        eng.close()
    for key, *_ in run.queue:  # never started (Ctrl-C)
        rows.setdefault(key, {"key": key, "scenario": names[key], "fingerprint": "", "status": "not solved",
                              "found": False, "reason": "not solved: interrupted (Ctrl-C)", "finish_index": None,
                              "kpis": {}, "complete": False, "reproducible": False, "attempts": 0,
                              "axes": next(t[3]["axes"] for t in todo if t[0] == key)})
    mon.update(run.done, 0, run.failed)
    out = mark_front(ordered())
    save()
    return SweepResult(sweep, settings, out, eng.name, eng.jobs, resumed=resumed, interrupted=run.interrupted)


def _tasks(sweep: Sweep, settings: dict[str, Any], old: dict[str, dict[str, Any]],
           crash_markers: dict[str, str] | None, deterministic: bool
           ) -> tuple[dict[str, dict[str, Any]], list[Task], dict[str, str]]:
    """(rows known without solving: rule conflicts and journal rows to reuse, the tasks to
    solve, point key -> scenario name)."""
    rows: dict[str, dict[str, Any]] = {}
    todo: list[Task] = []
    names: dict[str, str] = {}
    for p in sweep.points:
        name = names[p.key] = sweep.point_name(p)
        axes = p.axis_values()
        try:
            inst = sweep.instance(p)
        except PointConflict as why:
            rows[p.key] = {**_conflict_row(p.key, name, "", str(why)), "axes": axes, "attempts": 0}
            continue
        fp = fingerprint(inst, settings | {"seed": p.seed})
        prev = old.get(p.key)
        if prev is not None and prev.get("fingerprint") == fp and prev.get("complete") \
                and prev.get("status") not in ("error", "not solved"):
            rows[p.key] = {**prev, "axes": axes, "resumed": True}
            continue
        opts = SolveOptions(time_limit=settings["time_limit"], seed=p.seed, workers=settings["workers"],
                            deterministic=deterministic)
        meta = {"key": p.key, "fingerprint": fp}
        if crash_markers and p.key in crash_markers:
            meta["crash_marker"] = crash_markers[p.key]
        todo.append((p.key, inst, opts, {**meta, "axes": axes}))
    return rows, todo, names


class _Run:
    """The tasks on an engine: up to ``jobs`` under way, a failed one retried once, every
    result saved to the journal as it comes; Ctrl-C cancels the tasks under way."""

    def __init__(self, eng: LocalEngine | RayEngine, mon: Monitor, names: dict[str, str],
                 rows: dict[str, dict[str, Any]], save: Callable[[], None]) -> None:
        self.eng, self.mon, self.names, self.rows, self.save = eng, mon, names, rows, save
        self.attempts: dict[str, int] = {}
        self.queue: list[Task] = []
        self.inflight: dict[Any, Task] = {}
        self.failed = self.done = 0
        self.interrupted = False

    def drain(self, todo: list[Task]) -> None:
        eng = self.eng
        self.queue = list(todo)
        while self.queue or self.inflight:
            while self.queue and len(self.inflight) < eng.jobs and not self.interrupted:
                task = self.queue.pop(0)
                self.attempts[task[0]] = self.attempts.get(task[0], 0) + 1
                self.inflight[eng.submit(task[1], task[2], {k: v for k, v in task[3].items() if k != "axes"})] = task
            if self.interrupted and not self.inflight:
                break
            self.mon.update(self.done, len(self.inflight), self.failed)
            try:
                ready = eng.wait(list(self.inflight), 0.5)
            except KeyboardInterrupt:
                if self.interrupted:
                    raise
                self.interrupted = True
                for h in list(self.inflight):
                    eng.cancel(h)
                continue
            for h in ready:
                self._collect(h)

    def _collect(self, h: Any) -> None:
        key, inst, opts, meta = self.inflight.pop(h)
        try:
            row = self.eng.result(h)
        except TaskFailed as why:
            if self.attempts[key] < ATTEMPTS and not self.interrupted:
                self.mon.retry(self.names[key], str(why))
                self.queue.insert(0, (key, inst, opts, meta))
                return
            stopped = self.interrupted or "interrupted" in str(why)
            row = {"key": key, "scenario": self.names[key], "fingerprint": meta["fingerprint"],
                   "status": "not solved" if stopped else "error", "found": False,
                   "reason": "not solved: interrupted (Ctrl-C)" if stopped else
                   f"{why} (tried {self.attempts[key]} times)",
                   "finish_index": None, "kpis": {}, "complete": False, "reproducible": False}
            self.failed += not stopped
        row["axes"], row["attempts"] = meta["axes"], self.attempts[key]
        self.rows[key] = row
        self.done += 1
        self.save()
        self.mon.row(row)


def front_vector(row: dict[str, Any]) -> tuple[float, float, float] | None:
    """(finish month, peak helpdesk utilisation, assisted users) of a row with a plan."""
    if not row.get("found"):
        return None
    k = row["kpis"]
    return (row["finish_index"], k.get("peak_helpdesk") or 0.0, k.get("assisted_users") or 0)


def mark_front(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Set ``row["front"]``: on the Pareto front of finish month, peak helpdesk utilisation and
    assisted users (all minimised) among the rows with a plan."""
    for row, on in zip(rows, front([front_vector(r) for r in rows])):
        row["front"] = on
    return rows


def exit_code(result: SweepResult) -> int:
    """0 every point has a plan; 1 some point has none (infeasible, out of time, failed)."""
    return 0 if all(r["found"] for r in result.rows) else 1

"""Scenario sweeps: every point of a sweep file solved as a task, locally or on Ray.

Data flow: :func:`optimizer.sweepfile.load_sweep` -> :func:`run_sweep` (one task per point:
load the point's problem, solve, reduce the plan to ``compare``'s KPIs in the worker) -> rows ->
:func:`mark_front` -> :mod:`optimizer.sweep_report` (tables, files, plot).

Engines (:mod:`optimizer.sweep_engines`): ``local`` solves each task in a process of its own, ``jobs`` at a time (a process that
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
from typing import Any

from .atomic import write_text
from .domain import Instance
from .errors import InputError
from .pareto import front
from .solver import DEFAULT_TIME_LIMIT, SolveOptions
from .sweep_engines import ENGINES, LocalEngine, RayEngine, TaskFailed
from .sweepfile import PointConflict, Sweep, fingerprint

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

    rows: dict[str, dict[str, Any]] = {}
    todo: list[tuple[str, Instance, SolveOptions, dict[str, Any]]] = []
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
        opts = SolveOptions(time_limit=time_limit, seed=p.seed, workers=workers, deterministic=deterministic)
        meta = {"key": p.key, "fingerprint": fp}
        if crash_markers and p.key in crash_markers:
            meta["crash_marker"] = crash_markers[p.key]
        todo.append((p.key, inst, opts, {**meta, "axes": axes}))
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
    attempts: dict[str, int] = {}
    queue = list(todo)
    inflight: dict[Any, tuple[str, Instance, SolveOptions, dict[str, Any]]] = {}
    failed = done = 0
    interrupted = False
    try:
        while queue or inflight:
            while queue and len(inflight) < eng.jobs and not interrupted:
                task = queue.pop(0)
                attempts[task[0]] = attempts.get(task[0], 0) + 1
                inflight[eng.submit(task[1], task[2], {k: v for k, v in task[3].items() if k != "axes"})] = task
            if interrupted and not inflight:
                break
            mon.update(done, len(inflight), failed)
            try:
                ready = eng.wait(list(inflight), 0.5)
            except KeyboardInterrupt:
                if interrupted:
                    raise
                interrupted = True
                for h in list(inflight):
                    eng.cancel(h)
                continue
            for h in ready:
                key, inst, opts, meta = inflight.pop(h)
                try:
                    row = eng.result(h)
                except TaskFailed as why:
                    if attempts[key] < ATTEMPTS and not interrupted:
                        mon.retry(names[key], str(why))
                        queue.insert(0, (key, inst, opts, meta))
                        continue
                    stopped = interrupted or "interrupted" in str(why)
                    row = {"key": key, "scenario": names[key], "fingerprint": meta["fingerprint"],
                           "status": "not solved" if stopped else "error", "found": False,
                           "reason": "not solved: interrupted (Ctrl-C)" if stopped else
                           f"{why} (tried {attempts[key]} times)",
                           "finish_index": None, "kpis": {}, "complete": False, "reproducible": False}
                    failed += not stopped
                row["axes"], row["attempts"] = meta["axes"], attempts[key]
                rows[key] = row
                done += 1
                save()
                mon.row(row)
    finally:
        eng.close()
    for key, *_ in queue:  # never started (Ctrl-C)
        rows.setdefault(key, {"key": key, "scenario": names[key], "fingerprint": "", "status": "not solved",
                              "found": False, "reason": "not solved: interrupted (Ctrl-C)", "finish_index": None,
                              "kpis": {}, "complete": False, "reproducible": False, "attempts": 0,
                              "axes": next(t[3]["axes"] for t in todo if t[0] == key)})
    mon.update(done, 0, failed)
    out = mark_front(ordered())
    save()
    return SweepResult(sweep, settings, out, eng.name, eng.jobs, resumed=resumed, interrupted=interrupted)


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

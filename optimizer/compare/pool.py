"""Solving the scenarios of a comparison, in this process or in a pool of worker processes."""

from __future__ import annotations

import concurrent.futures as cf
import os
import signal
import threading
from pathlib import Path
from typing import Callable, Iterable

from optimizer.domain import Instance
from optimizer.procpool import init_worker as _init_worker
from optimizer.procpool import mp_context as _mp_context
from optimizer.procpool import run_alone
from optimizer.solving.solver import Result, SolveOptions, solve
from optimizer.compare.runs import ScenarioRun, explain_runs, load_runs

_Done = Callable[[ScenarioRun], None]
_SKIPPED = "not solved: interrupted (Ctrl-C)"


def _solve_in_worker(inst: Instance, options: SolveOptions) -> Result:
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return solve(inst, options)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _interrupt_workers(pool: cf.ProcessPoolExecutor) -> None:
    """Pass a Ctrl-C on to the solver processes: a terminal's Ctrl-C reaches them by itself,
    a SIGTERM sent to this process alone (a scheduler stopping the job) does not."""
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            os.kill(proc.pid, signal.SIGINT)
        except (OSError, AttributeError):
            pass


def solve_runs(
    runs: list[ScenarioRun],
    options: SolveOptions,
    *,
    jobs: int = 1,
    on_done: _Done | None = None,
) -> list[ScenarioRun]:
    """Solve every loaded run with the same ``options`` (seed, workers, time limit).

    ``jobs > 1`` solves in that many processes. Ctrl-C stops the solves under way (each
    keeps its best plan so far) and skips the ones not started.
    """
    todo = [r for r in runs if r.inst is not None and r.result is None and r.error_kind is None]
    jobs = max(1, min(jobs, len(todo)))
    done = on_done or (lambda run: None)
    if jobs == 1:
        _solve_here(todo, options, done)
        return runs
    retry, interrupted = _solve_in_pool(todo, options, jobs, done)
    if retry:
        _solve_each_alone(retry, options, jobs, done, interrupted)
    return runs


def _solve_here(todo: list[ScenarioRun], options: SolveOptions, done: _Done) -> None:
    """One after another in this process; after a Ctrl-C the rest are skipped."""
    for i, run in enumerate(todo):
        try:
            run.result = solve(run.inst, options)
        except Exception as exc:
            run.error_kind, run.error = "crash", f"the solver failed: {type(exc).__name__}: {exc}"
        done(run)
        if run.result is not None and run.result.interrupted:
            for rest in todo[i + 1:]:
                rest.error_kind, rest.error = "skipped", _SKIPPED
            break


def _solve_in_pool(todo: list[ScenarioRun], options: SolveOptions, jobs: int, done: _Done
                   ) -> tuple[list[ScenarioRun], bool]:
    """``jobs`` worker processes; returns the runs lost to a dead process (to solve again) and
    whether Ctrl-C came."""
    retry: list[ScenarioRun] = []
    interrupted = False
    with cf.ProcessPoolExecutor(max_workers=jobs, mp_context=_mp_context(), initializer=_init_worker) as pool:
        futures = {pool.submit(_solve_in_worker, r.inst, options): r for r in todo}
        pending = set(futures)
        while pending:
            try:
                finished, pending = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            except KeyboardInterrupt:
                if interrupted:
                    raise
                interrupted = True  # running solves return their best plan; drop the rest
                _interrupt_workers(pool)
                for f in pending:
                    if f.cancel():
                        futures[f].error_kind, futures[f].error = "skipped", _SKIPPED
                pending = {f for f in pending if not f.cancelled()}
                continue
            for f in finished:
                run = futures[f]
                try:
                    run.result = f.result()
                except cf.process.BrokenProcessPool:
                    retry.append(run)  # some process died: find out which scenario did it, below
                    continue
                except Exception as exc:
                    run.error_kind, run.error = "crash", f"the solver failed: {type(exc).__name__}: {exc}"
                done(run)
    return retry, interrupted


def _solve_each_alone(retry: list[ScenarioRun], options: SolveOptions, jobs: int, done: _Done,
                      interrupted: bool) -> None:
    """A process died and took the pool down: solve the affected scenarios again, each in a
    process of its own (still ``jobs`` at a time), so a crash now is that scenario's own."""
    stopped = threading.Event()
    if interrupted:
        stopped.set()

    def alone(run: ScenarioRun) -> None:
        if stopped.is_set():
            run.error_kind, run.error = "skipped", "not solved: its solver process stopped after Ctrl-C"
            return
        try:
            run.result = run_alone(_solve_in_worker, run.inst, options)
        except cf.process.BrokenProcessPool:
            run.error_kind, run.error = "crash", "the solver process died (out of memory?)"
        except Exception as exc:
            run.error_kind, run.error = "crash", f"the solver failed: {type(exc).__name__}: {exc}"

    with cf.ThreadPoolExecutor(max_workers=jobs) as threads:
        pending = {threads.submit(alone, r): r for r in retry}
        while pending:
            try:
                for f in cf.as_completed(list(pending)):
                    done(pending.pop(f))
            except KeyboardInterrupt:  # the solves under way stop and keep their best plans
                stopped.set()


def run_scenarios(
    paths: Iterable[str | Path],
    options: SolveOptions | None = None,
    *,
    jobs: int = 1,
    on_done: _Done | None = None,
) -> list[ScenarioRun]:
    """Load, solve and explain scenarios; one result per path, in order, whatever fails."""
    runs = load_runs(paths)
    solve_runs(runs, options or SolveOptions(), jobs=jobs, on_done=on_done)
    explain_runs(runs)
    return runs

"""Where a sweep's tasks run: one task = one point of a sweep, solved and reduced to a row.

``local`` solves each task in a process of its own, ``jobs`` at a time (a process that dies
takes nothing else with it); ``ray`` submits the same task to a Ray cluster (or a local Ray),
each asking for as many CPUs as it has CP-SAT workers. Both give the same row for the same
problem, seed and workers (deterministic mode). Used by :func:`optimizer.sweep.run.run_sweep`.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import signal
import warnings
from pathlib import Path
from typing import Any

from optimizer.domain import Instance
from optimizer.errors import InputError
from optimizer.procpool import run_alone
from optimizer.solving.solver import SolveOptions, solve

ENGINES = ("local", "ray")


# ------------------------------------------------------------------ tasks
def solve_point(inst: Instance, options: SolveOptions, meta: dict[str, Any]) -> dict[str, Any]:
    """One task, run in a worker process: solve, then reduce the plan to ``compare``'s KPIs.

    ``meta["crash_marker"]`` is a test hook: when set and the file does not exist yet, the
    worker creates it and dies at once (as if killed), so the retry then succeeds; "always"
    dies on every attempt."""
    marker = meta.get("crash_marker")
    if marker and (marker == "always" or not os.path.exists(marker)):
        if marker != "always":
            Path(marker).touch()
        os._exit(17)
    from optimizer.checker import check_plan
    from optimizer.compare import ScenarioRun, compare, explain_runs

    try:  # a local worker: Ctrl-C stops the solve with its best plan (not possible off the main thread)
        signal.signal(signal.SIGINT, signal.default_int_handler)
    except ValueError:
        pass
    result = solve(inst, options)
    run = ScenarioRun(path=inst.sources.get("sweep") or "", name=inst.name, inst=inst, result=result)
    explain_runs([run])
    kpis = {k.key: k.values[0] for k in compare([run], options=options).kpis}
    status = kpis.pop("status")
    finish = kpis.get("finish_month")
    return {
        "key": meta["key"], "scenario": inst.name, "fingerprint": meta["fingerprint"],
        "status": status, "found": run.found, "reason": run.reason,
        "finish_index": inst.month_index(finish) if finish is not None else None,
        "kpis": kpis, "complete": not result.interrupted, "reproducible": result.reproducible,
        #: Rules the plan breaks by the independent checker (always 0; a bug otherwise).
        "checker_violations": len(check_plan(result.plan)) if result.plan is not None else None,
    }


class TaskFailed(Exception):
    """A task's process died or its code raised: one line for the planner."""


# ---------------------------------------------------------------- engines
class LocalEngine:
    """Each task in a fresh process of its own (optimizer.procpool), ``jobs`` at a time."""

    name = "local"

    def __init__(self, jobs: int) -> None:
        self.jobs = max(1, jobs)
        self._threads = cf.ThreadPoolExecutor(max_workers=self.jobs, thread_name_prefix="sweep")

    def submit(self, inst: Instance, options: SolveOptions, meta: dict[str, Any]) -> Any:
        return self._threads.submit(run_alone, solve_point, inst, options, meta, preload="optimizer.sweep.engines")

    def wait(self, handles: list[Any], timeout: float) -> list[Any]:
        done, _ = cf.wait(handles, timeout=timeout, return_when=cf.FIRST_COMPLETED)
        return list(done)

    def result(self, handle: Any) -> dict[str, Any]:
        try:
            return handle.result()
        except cf.process.BrokenProcessPool:
            raise TaskFailed("the solver process died (killed, or out of memory?)") from None
        except Exception as exc:
            raise TaskFailed(f"the solver failed: {type(exc).__name__}: {exc}") from None

    def cancel(self, handle: Any) -> None:
        handle.cancel()  # only a task not started; running ones stop on Ctrl-C with their best plan

    def close(self) -> None:
        self._threads.shutdown(wait=True, cancel_futures=True)


def import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise InputError("--engine ray needs Ray, which is not installed: pip install 'rollout[cluster]' "
                         "(or use the default --engine local)") from None
    return ray


class RayEngine:
    """Tasks on a Ray cluster (``address``), or on a local Ray instance when there is none.

    Each task reserves ``workers`` CPUs, so Ray's placement follows the CP-SAT workers (not
    the other way round); at most ``jobs`` tasks are in flight (default: the cluster's CPUs
    divided by ``workers``)."""

    name = "ray"

    def __init__(self, workers: int, jobs: int | None = None, address: str | None = None) -> None:
        ray = self.ray = import_ray()
        self.owner = not ray.is_initialized()
        if self.owner:
            kw: dict[str, Any] = dict(include_dashboard=False, log_to_driver=False, configure_logging=False)
            if address:
                kw["address"] = address
            else:  # a local instance: `jobs` solves at a time, as the local engine does
                kw["num_cpus"] = max(1, jobs or os.cpu_count() or 1) * workers
            try:
                with warnings.catch_warnings():  # Ray Client warns, then raises: the error says it
                    warnings.simplefilter("ignore")
                    ray.init(**kw)
            except Exception as exc:
                raise InputError(f"--engine ray cannot start or reach Ray{f' at {address}' if address else ''}: "
                                 f"{type(exc).__name__}: {exc}") from None
        biggest = max((n.get("Resources", {}).get("CPU", 0) for n in ray.nodes() if n.get("Alive", True)), default=0)
        if biggest < workers:
            self.close()
            raise InputError(f"no Ray node has {workers} CPUs for a solve with {workers} workers (the largest has "
                             f"{biggest:g}); lower --workers")
        total = ray.cluster_resources().get("CPU", workers)
        self.jobs = jobs or max(1, int(total // workers))
        self.workers = workers
        self._fn = ray.remote(max_retries=0)(solve_point).options(num_cpus=workers)

    def submit(self, inst: Instance, options: SolveOptions, meta: dict[str, Any]) -> Any:
        return self._fn.remote(inst, options, meta)

    def wait(self, handles: list[Any], timeout: float) -> list[Any]:
        ready, rest = self.ray.wait(handles, num_returns=1, timeout=timeout)
        if ready and rest:
            more, _ = self.ray.wait(rest, num_returns=len(rest), timeout=0)
            ready += more
        return ready

    def result(self, handle: Any) -> dict[str, Any]:
        from ray import exceptions as rx

        try:
            return self.ray.get(handle)
        except (rx.WorkerCrashedError, rx.NodeDiedError, rx.LocalRayletDiedError):
            raise TaskFailed("the solver process died (killed, out of memory, or its node left?)") from None
        except rx.OutOfMemoryError:
            raise TaskFailed("Ray stopped the solve: its node ran out of memory") from None
        except rx.TaskCancelledError:
            raise TaskFailed("not solved: interrupted (Ctrl-C)") from None
        except rx.RayTaskError as exc:
            cause = exc.cause if getattr(exc, "cause", None) is not None else exc
            raise TaskFailed(f"the solver failed: {type(cause).__name__}: {cause}") from None
        except rx.RayError as exc:
            raise TaskFailed(f"Ray lost the task: {type(exc).__name__}: {exc}") from None

    def cancel(self, handle: Any) -> None:
        self.ray.cancel(handle, force=True)  # workers are not in the terminal's group: no Ctrl-C there

    def close(self) -> None:
        if self.owner and self.ray.is_initialized():
            self.ray.shutdown()

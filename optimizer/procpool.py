"""Worker processes for parallel solves (``rollout compare``, ``rollout sweep``).

A fresh, thread-free interpreter per worker (forkserver with the solver preloaded, else
spawn; never plain fork: the parent may hold solver threads), and workers that leave
Ctrl-C to the solve under way.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import signal
from typing import Any, Callable


def init_worker() -> None:
    """Idle workers ignore Ctrl-C (dying would break the pool and lose the others' results);
    a worker that is solving turns it into "stop and return the best plan so far"."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def mp_context(preload: str = "optimizer.compare") -> multiprocessing.context.BaseContext:
    """forkserver (``preload`` imported once, so workers start fast) where it exists, else spawn."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload([preload])
        return ctx
    return multiprocessing.get_context("spawn")


def run_alone(fn: Callable[..., Any], *args: Any, preload: str = "optimizer.compare") -> Any:
    """``fn(*args)`` in a process of its own; a process that dies raises
    ``concurrent.futures.process.BrokenProcessPool`` here and harms nothing else."""
    with cf.ProcessPoolExecutor(max_workers=1, mp_context=mp_context(preload), initializer=init_worker) as one:
        return one.submit(fn, *args).result()

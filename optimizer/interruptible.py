"""Run a long solver call in a worker thread so that Ctrl-C can stop it cleanly.

``KeyboardInterrupt`` only reaches the main thread, and not while it sits inside a C++
call. The call runs in a daemon thread; the main thread waits on an event (``Event.wait``
stays reliable when Ctrl-C interrupts it, ``Thread.join`` does not) and on Ctrl-C asks the
solver to stop, then waits for the call to return with what it has.
"""

from __future__ import annotations

import threading
from typing import Callable, TypeVar

T = TypeVar("T")


def run(call: Callable[[], T], stop: Callable[[], None], name: str) -> tuple[T, bool]:
    """``call()`` in a thread named ``name``; Ctrl-C calls ``stop()``. Returns (what
    ``call`` returned, whether Ctrl-C was pressed); an exception in ``call`` is raised here."""
    box: dict = {}
    done = threading.Event()

    def target() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:  # surfaced in the main thread below
            box["error"] = exc
        finally:
            done.set()

    th = threading.Thread(target=target, name=name, daemon=True)
    th.start()
    interrupted = False
    while True:
        try:
            if done.wait(0.1):
                break
        except KeyboardInterrupt:
            interrupted = True
            stop()
    th.join()
    if "error" in box:
        raise box["error"]
    return box["value"], interrupted

"""The command as a process: its streams, signals and the exit code of an interruption.

- Standard output and error replace what their encoding cannot show (a Windows console
  or redirect in cp1252 and a group "Łódź" print "?ódź") instead of crashing.
- Log lines (``-v``; warnings such as an unknown column) show control characters in file
  names and other user text visibly, as the terminal tables do.
- SIGTERM is handled like Ctrl-C: the solver stops and the best plan so far is written.
- An interruption that leaves no result to write (a second Ctrl-C, Ctrl-C while the
  files are being written) ends with :data:`EXIT_INTERRUPTED` (130, the shell's code for
  Ctrl-C) and says so — never 1, which means "no plan exists".
"""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
import threading

from optimizer.render.safetext import visible

#: Exit code of a command stopped by Ctrl-C or SIGTERM before it could finish (128 + SIGINT).
EXIT_INTERRUPTED = 130


def setup_streams() -> None:
    """Make stdout and stderr replace characters their encoding cannot represent."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.reconfigure(errors="replace")


class VisibleFormatter(logging.Formatter):
    """Log lines with control characters made visible (:func:`optimizer.render.safetext.visible`)."""

    def format(self, record: logging.LogRecord) -> str:
        return visible(super().format(record))


def setup_logging(level: int) -> None:
    """Log to stderr at ``level``, user text only ever text."""
    logging.basicConfig(level=level, stream=sys.stderr, force=True)
    for handler in logging.getLogger().handlers:
        handler.setFormatter(VisibleFormatter("%(levelname)s %(name)s: %(message)s"))


def handle_sigterm() -> None:
    """Turn SIGTERM into Ctrl-C (``KeyboardInterrupt``) in this process, unless someone
    else already handles it."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGTERM"):
        return
    with contextlib.suppress(ValueError, OSError):
        if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
            signal.signal(signal.SIGTERM, _sigterm)


def _sigterm(signum, frame) -> None:
    raise KeyboardInterrupt


INTERRUPTED_MESSAGE = ("Interrupted: stopped before the end. Every output file is complete or absent "
                       "(none is half written).")

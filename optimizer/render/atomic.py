"""Atomic file writes: a temp file in the target folder, then rename.

A failed export leaves no partial file and never clobbers the previous good one.
Temp files are named ``.<target name>.rollout-<pid>-<random>.tmp``; one whose writer
process is gone (killed by SIGKILL, a power cut) is *stale* and :func:`clear_stale`
removes it the next time rollout writes to that folder. Files get the mode a plain
``open()`` would give them (the user's umask), not ``mkstemp``'s 0600; a file that is
replaced keeps its mode.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterator

#: Marks our temp files; only files with it are ever cleared.
TAG = "rollout"
_TEMP_RE = re.compile(r"^\..+\." + TAG + r"-(\d+)-[A-Za-z0-9_]+\.tmp$")
#: A temp file this old is stale even if a process with its pid runs (the pid was reused).
STALE_SECONDS = 24 * 3600


def new_temp(target: str | Path) -> Path:
    """An empty temp file beside ``target`` (same folder, so the rename is atomic)."""
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{TAG}-{os.getpid()}-", suffix=".tmp", dir=folder)
    os.close(fd)
    return Path(tmp)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def file_mode(target: str | Path) -> int:
    """The mode ``target`` should get: the replaced file's, else 0666 minus the umask."""
    try:
        st = os.stat(target)
        if stat.S_ISREG(st.st_mode):
            return stat.S_IMODE(st.st_mode)
    except OSError:
        pass
    return 0o666 & ~_umask()


def commit(tmp: Path, target: str | Path) -> None:
    """Give ``tmp`` its final mode and rename it over ``target``."""
    os.chmod(tmp, file_mode(target))
    os.replace(tmp, target)


def discard(tmp: Path) -> None:
    with contextlib.suppress(OSError):
        tmp.unlink()


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temp path beside ``target``; on success rename it over ``target``."""
    tmp_path = new_temp(target)
    try:
        yield tmp_path
        commit(tmp_path, target)
    finally:
        if tmp_path.exists():
            discard(tmp_path)


def save_text(path: str | Path, text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` (not atomic: for staged temp files). A character the
    encoding cannot hold (a lone surrogate) is written as its escape, never a crash."""
    Path(path).write_bytes(text.encode(encoding, errors="backslashreplace"))


def write_text(target: str | Path, text: str, encoding: str = "utf-8") -> None:
    with atomic_path(target) as tmp:
        save_text(tmp, text, encoding)


def write_with(target: str | Path, writer: Callable[[Path], None]) -> None:
    """Call ``writer(tmp_path)`` and move the result into place atomically."""
    with atomic_path(target) as tmp:
        writer(tmp)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. PermissionError: it exists, under another user
        return True
    return True


def clear_stale(folder: str | Path) -> list[Path]:
    """Remove our stale temp files in ``folder`` (see the module docstring); returns them.

    Only regular files of this user, named by :func:`new_temp`, whose process is gone
    (or that are older than a day) are removed; anything else is left alone."""
    removed: list[Path] = []
    folder = Path(folder) if str(folder) else Path(".")
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    now = time.time()
    uid = os.getuid() if hasattr(os, "getuid") else None
    for e in entries:
        m = _TEMP_RE.match(e.name)
        if not m:
            continue
        try:
            st = e.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(st.st_mode) or (uid is not None and st.st_uid != uid):
            continue
        if _alive(int(m.group(1))) and now - st.st_mtime < STALE_SECONDS:
            continue
        with contextlib.suppress(OSError):
            os.unlink(e.path)
            removed.append(Path(e.path))
    return removed

"""Where outputs go (``--out``), checked before any work, and written all or none.

Shared by ``rollout solve``, ``compare``, ``sweep``, ``groups`` and ``pilot``:

- :func:`parse_targets` checks every ``--out`` before solving: a known suffix, an existing
  folder, not a folder itself, not given twice and never one of the inputs (the same file,
  also through a symlink, a hard link or another spelling of its path). ``-`` is standard
  output: ``-`` writes CSV, ``-.md``, ``-.json`` and ``-.csv`` pick the format (a workbook
  cannot go to standard output).
- :func:`write_all` renders every output to a temp file and renames them into place only
  when all succeeded; on any failure (or Ctrl-C) the temp files are removed and no output
  changes. Our stale temp files in those folders (from a killed run) are cleared first.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping

from optimizer.render import atomic
from optimizer.errors import InputError

STDOUT = "-"
#: Formats that can go to standard output (a workbook is binary).
STDOUT_SUFFIXES = (".csv", ".md", ".json")


@dataclass(frozen=True)
class Target:
    """One requested output: ``spec`` as the user wrote it, ``path`` (None = standard output)."""

    spec: str
    path: Path | None
    suffix: str

    @property
    def to_stdout(self) -> bool:
        return self.path is None


def _stdout_suffix(spec: str) -> str | None:
    if spec == STDOUT:
        return ".csv"
    if spec.startswith(STDOUT + ".") and "/" not in spec and os.sep not in spec:
        return spec[1:].lower()
    return None


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def parse_targets(specs: Iterable[str], suffixes: Iterable[str], inputs: Iterable[str | Path] = (),
                  option: str = "--out") -> list[Target]:
    """Check every ``--out`` (see the module docstring); an :class:`InputError` names the first bad one
    (``option``: the option the specs came from, for the message)."""
    known = sorted(suffixes)
    ins = [Path(p) for p in inputs if p]
    targets: list[Target] = []
    for spec in specs:
        spec = str(spec)
        std = _stdout_suffix(spec)
        if std is not None:
            if std not in known or std not in STDOUT_SUFFIXES:
                raise InputError(f"{option}: cannot write '{spec}' to standard output: use '-' (CSV), "
                                 f"{', '.join(repr('-' + s) for s in STDOUT_SUFFIXES if s in known)}; "
                                 "a workbook needs a file name")
            if any(t.to_stdout for t in targets):
                raise InputError(f"{option}: only one output can go to standard output ('-')")
            targets.append(Target(spec, None, std))
            continue
        path = Path(spec)
        suffix = path.suffix.lower()
        if suffix not in known:
            raise InputError(f"{option}: cannot write '{spec}': the suffix must be one of {', '.join(known)}")
        parent = path.parent
        if str(parent) and not parent.is_dir():
            raise InputError(f"{option}: cannot write '{spec}': the folder '{parent}' does not exist")
        if path.is_dir():
            raise InputError(f"{option}: cannot write '{spec}': it is a folder")
        clash = next((p for p in ins if _same_file(path, p)), None)
        if clash is not None:
            how = "it is one of the inputs" if str(clash) == spec else f"it is the same file as the input '{clash}'"
            raise InputError(f"{option}: cannot write '{spec}': {how} and would be overwritten; choose another "
                             "output file name")
        dup = next((t for t in targets if t.path is not None and (t.path == path or _same_file(t.path, path)
                                                                  or t.path.resolve() == path.resolve())), None)
        if dup is not None:
            raise InputError(f"{option}: cannot write '{spec}': the same file is given twice ('{dup.spec}')")
        targets.append(Target(spec, path, suffix))
    return targets


def source_files(sources: Mapping[str, str | None]) -> list[str]:
    """The files an :class:`~optimizer.domain.Instance`'s ``sources`` names (a scenario's
    chain of ``extends`` and its rules files are joined in one value)."""
    out: list[str] = []
    for value in sources.values():
        if not value:
            continue
        for part in [value, *value.split(" -> "), *value.split(", ")]:
            part = part.strip()
            if part and part not in out:
                out.append(part)
    return out


def write_all(targets: Iterable[Target], render: Callable[[Target, Path], None], *,
              stdout: Callable[[], object] | None = None) -> list[Target]:
    """Render every target to a temp file, then rename them all into place (all or none).

    ``render(target, tmp_path)`` writes one output to ``tmp_path``. Standard output gets
    its bytes after the files are in place. Returns the targets written. The renames come
    last, with Ctrl-C and SIGTERM held back; a rename that fails midway (rare: each temp
    file sits in its target's folder) leaves the outputs renamed before it in place."""
    targets = list(targets)
    for folder in {(t.path.parent if str(t.path.parent) else Path(".")) for t in targets if t.path is not None}:
        atomic.clear_stale(folder)
    staged: list[tuple[Target, Path]] = []
    try:
        for t in targets:
            if t.path is None:
                fd, name = tempfile.mkstemp(prefix=f".{atomic.TAG}-stdout-", suffix=t.suffix)
                os.close(fd)
                tmp = Path(name)
            else:
                tmp = atomic.new_temp(t.path)
            staged.append((t, tmp))
            render(t, tmp)
        with _signals_held():  # Ctrl-C or SIGTERM waits until every file is in place
            for t, tmp in staged:
                if t.path is not None:
                    atomic.commit(tmp, t.path)
        for t, tmp in staged:
            if t.path is None:
                out = (stdout or _stdout_bytes)()
                out.write(tmp.read_bytes())
                out.flush()
    finally:
        for _, tmp in staged:
            atomic.discard(tmp)
    return targets


@contextlib.contextmanager
def _signals_held():
    """Hold SIGINT and SIGTERM back (POSIX, main thread) while the block runs."""
    held = {signal.SIGINT, signal.SIGTERM}
    try:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    except (AttributeError, ValueError, OSError):
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _stdout_bytes():
    sys.stdout.flush()  # anything printed before goes first
    return getattr(sys.stdout, "buffer", None) or _TextAsBytes(sys.stdout)


class _TextAsBytes:
    """A byte sink over a text stream without ``.buffer`` (test runners' captures)."""

    def __init__(self, stream) -> None:
        self.stream = stream

    def write(self, data: bytes) -> None:
        self.stream.write(data.decode("utf-8", errors="replace"))

    def flush(self) -> None:
        with contextlib.suppress(Exception):
            self.stream.flush()

"""Opening an input file: say what a path is when it is not a readable file, and read at most
:data:`MAX_BYTES` (a device like /dev/zero or a FIFO is never read, so nothing hangs)."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from optimizer.errors import InputError

#: Larger inputs are refused before parsing (a real group list is a few MB at most).
MAX_BYTES = 20 * 1024 * 1024


def _kind(mode: int) -> str | None:
    if stat.S_ISDIR(mode):
        return "a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO), not a file; save the data to a file and give that"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device, not a file"
    if stat.S_ISSOCK(mode):
        return "a socket, not a file"
    if not stat.S_ISREG(mode):
        return "not a regular file"
    return None


def check_input_path(path: str | Path) -> os.stat_result:
    """The stat of ``path`` if it is a regular file of at most MAX_BYTES, else a located InputError."""
    name = str(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise InputError("a symbolic link to a file that does not exist", file=name) from None
        raise InputError("no such file", file=name) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError("a loop of symbolic links (it points back to itself), not a file", file=name) from None
        if exc.errno == errno.ENAMETOOLONG:
            raise InputError("the file name is too long", file=name) from None
        raise InputError(f"cannot read the file: {exc.strerror}", file=name) from None
    except ValueError:  # e.g. a NUL byte in the path
        raise InputError("not a valid file name", file=name) from None
    kind = _kind(st.st_mode)
    if kind:
        raise InputError(f"this is {kind}", file=name)
    if st.st_size > MAX_BYTES:
        raise InputError(
            f"the file is {st.st_size // (1024 * 1024)} MB; inputs larger than "
            f"{MAX_BYTES // (1024 * 1024)} MB are refused (is this the right file?)",
            file=name,
        )
    return st


def read_input_bytes(path: str | Path) -> bytes:
    """The bytes of an input file: a regular file of at most MAX_BYTES (checked while reading too,
    in case it grows)."""
    name = str(path)
    check_input_path(path)
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except IsADirectoryError:
        raise InputError("this is a folder, not a file", file=name) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", file=name) from None
    if len(data) > MAX_BYTES:
        raise InputError(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB; inputs larger than that are "
                         "refused (is this the right file?)", file=name)
    return data
